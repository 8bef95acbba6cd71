"""The client against a live test server (real HTTP, pytest-django's ``live_server``).

``omi(*args)`` runs the ``omi`` command in-process and returns ``(exit code, stdout, stderr)``;
the client package is imported from ``client/src`` whether or not it is pip-installed. Each test
gets its own config directory (``OMI_CONFIG_DIR``), so stored tokens and resumable-upload state
never leak between tests or into the developer's home.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from accounts.services import api_token_create
from datasets_registry.resumable import storage
from tests.factories import UserFactory

CLIENT_SRC = Path(__file__).resolve().parents[2] / "client" / "src"
if str(CLIENT_SRC) not in sys.path:
    sys.path.insert(0, str(CLIENT_SRC))

from omi_commons_client import cli  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path, settings):
    monkeypatch.setenv("OMI_CONFIG_DIR", str(tmp_path / "omi-config"))
    monkeypatch.delenv("OMI_URL", raising=False)
    monkeypatch.delenv("OMI_TOKEN", raising=False)
    settings.RESUMABLE_UPLOAD_DIR = str(tmp_path / "uploads")
    storage._hashers.clear()


@pytest.fixture
def eager():
    """Validation runs in the server's request, on commit: `validation wait` sees it ended."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def uploader(transactional_db):
    return UserFactory(username="uploader")


@pytest.fixture
def token(uploader):
    return api_token_create(user=uploader, name="omi tests")[1]


@pytest.fixture
def omi(capsys, live_server, token):
    """Run ``omi ARGS`` against the live server as ``uploader`` (``--url``/``--token`` given
    unless the test passes its own)."""

    def run(*args: str, auth: bool = True) -> tuple[int, str, str]:
        argv = [str(a) for a in args]
        if auth:
            if "--url" not in argv:
                argv += ["--url", live_server.url]
            if "--token" not in argv:
                argv += ["--token", token]
        code = cli.main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def parse(stdout: str):
    return json.loads(stdout)
