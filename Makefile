# OMI Commons. `make run` and `make test` are the two commands; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PORT ?= 8000
export DATA_DIR ?= $(CURDIR)/var

.PHONY: install catalogues prepare run dev test lint format bench e2e check-deploy clean worker

$(STAMP): pyproject.toml client/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	# The `omi` client, editable: `omi validate` then finds the caption engine in this checkout.
	$(PY) -m pip install --quiet -e ./client
	@touch $(STAMP)

install: $(STAMP) catalogues

# The translations in locale/: compiled with Babel (no GNU gettext), only what changed.
catalogues: $(STAMP)
	$(PY) manage.py compile_catalogues

prepare: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=0 SECRET_KEY=collectstatic-only-$$(date +%s)-not-a-secret-but-long-enough-for-django \
	  $(PY) manage.py collectstatic --noinput --verbosity 0

# The site as production serves it (gunicorn, DEBUG off), a worker and beat, supervised.
run: prepare
	PORT=$(PORT) $(PY) -m config.devserver

# For development: runserver with autoreload and DEBUG on, a worker and beat.
dev: prepare
	PORT=$(PORT) $(PY) -m config.devserver --dev

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: install
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-but-long-enough-for-django \
	  ALLOWED_HOSTS=commons.example.org CSRF_TRUSTED_ORIGINS=https://commons.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

test: install lint check-deploy
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache
