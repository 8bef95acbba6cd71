"""Fixtures shared by every test folder.

- ``user``, ``other_user``, ``staff_user``; ``api_client``; ``client_for(user)`` / ``api_client_for(user)``.
- ``celery_worker``: a real Celery worker *process* against the configured broker (Redis in CI, the
  embedded filesystem broker otherwise) and the test database. Needs committed data, so it implies
  ``transactional_db``. ``celery_worker.kill()`` sends SIGKILL to every process of the worker;
  ``celery_worker.start()`` starts a fresh one.
- ``browser_page``: a Playwright page in Debian's headless Chromium (use with ``live_server``); a
  test fails when a page it visits reports a Content Security Policy violation (``csp_violations``).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from .factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_sessionstart(session):
    """The translations as the site serves them: compile what changed since ``make install``
    (a test run straight from pytest after editing a catalogue)."""
    from config.catalogues import compile_all

    compile_all()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request's LocaleMiddleware activates its
    language for the thread and nothing deactivates it, so one test's Italian page would make the
    next test's messages Italian."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


WORKER_FIXTURES = {"celery_worker", "celery_worker_factory"}


@pytest.fixture(autouse=True)
def _per_test_cache(request, settings):
    """A private in-memory cache per test, so throttles start empty and query counts do not
    depend on the cache backend. Tests with a worker process keep the configured shared cache,
    since the worker and the test must see the same one."""
    from django.core.cache import cache

    if WORKER_FIXTURES.isdisjoint(request.fixturenames):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": request.node.nodeid,
            }
        }
    elif settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        cache.clear()
    yield


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_user(db):
    return UserFactory(username="bob")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_client_for():
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client_for():
    from django.test import Client

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


# --- A real Celery worker process ------------------------------------------------------------


def _database_url_for_worker() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, env: dict[str, str], concurrency: int = 2, queues: str = ""):
        self.env = env
        self.concurrency = concurrency
        self.queues = queues
        self.procs: list[subprocess.Popen] = []

    def start(self, *, beat: bool = False) -> "WorkerProcess":
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(self.concurrency),
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{uuid.uuid4().hex[:8]}@%h",
        ]
        if self.queues:
            command += ["--queues", self.queues]
        if beat:
            command += ["--beat", "--schedule", str(Path(self.env["DATA_DIR"]) / "beat-schedule")]
        self.procs.append(subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True))
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        """Round-trip a heartbeat task through the broker and the worker."""
        from django.core.cache import cache

        from config.tasks import worker_heartbeat

        token = uuid.uuid4().hex
        worker_heartbeat.delay(token)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cache.get(f"health:echo:{token}"):
                return
            if all(p.poll() is not None for p in self.procs):
                raise RuntimeError("The Celery worker exited before it was ready.")
            time.sleep(0.2)
        raise TimeoutError("The Celery worker did not answer within the time limit.")

    def kill(self) -> None:
        """SIGKILL every process of every worker started: the harshest crash there is."""
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill()


def worker_environment(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url_for_worker(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DATA_DIR": str(settings.DATA_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        env["CACHE_URL"] = settings.CACHES["default"]["LOCATION"]
    else:
        env["CACHE_URL"] = "db://"
    env.update(overrides)
    return env


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A started, ready worker process; stopped (or killed) after the test."""
    _purge_broker()
    worker = WorkerProcess(worker_environment())
    worker.start()
    worker.wait_ready()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker_factory(transactional_db, settings):
    """Start workers yourself (e.g. several, or after a kill): ``celery_worker_factory()``."""
    _purge_broker()
    workers: list[WorkerProcess] = []

    def make(**env_overrides: str) -> WorkerProcess:
        worker = WorkerProcess(worker_environment(**env_overrides))
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def _purge_broker() -> None:
    """Messages left by an earlier test must not run against this test's data."""
    from config.celery import app

    with app.connection_for_write() as conn:
        app.control.purge(connection=conn)


# --- A real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright_browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium).")
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still
    # synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    yield browser
    browser.close()
    playwright.stop()


class CSPViolations(list):
    """Console messages in which Chromium reports a Content Security Policy violation."""

    def record(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.append(f"{message.page.url if message.page else '?'}: {message.text}")


@pytest.fixture
def csp_violations():
    return CSPViolations()


@pytest.fixture
def browser_page(_playwright_browser, live_server, csp_violations):
    """A page; the test fails if any page it visited violated the Content Security Policy (an
    inline script or handler, a style element, an image from another host...). A test that
    provokes a violation on purpose checks ``csp_violations`` and clears it."""
    context = _playwright_browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", csp_violations.record)
    yield page
    context.close()
    if csp_violations:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(csp_violations))
