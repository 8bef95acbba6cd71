import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from config import events
from governance.models import Membership
from tests.factories import UserFactory
from tests.governance.factories import WorkingGroupFactory, member


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_target_checkers():
    """As in governance's tests: proposals here target nothing real."""
    from datasets_registry.apps import check_proposal_target

    events.unsubscribe(check_proposal_target)
    yield
    events.in_transaction("proposal.created")(check_proposal_target)


@pytest.fixture
def eager():
    """Celery tasks run in-process (the subscribers send them after commit)."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def live(eager, django_capture_on_commit_callbacks):
    """Run a block as production would: commit, then the subscribers and their (eager) tasks.

    ``with live(): services.x(...)``"""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def gov(db):
    """A group with a chair, three committers, a contributor, an observer and an outsider."""
    group = WorkingGroupFactory(slug="wg", name="Test Group")
    return SimpleNamespace(
        group=group,
        chair=member(group, Membership.Role.CHAIR, "chair"),
        committers=[member(group, Membership.Role.COMMITTER, f"committer{i}") for i in (1, 2, 3)],
        contributor=member(group, Membership.Role.CONTRIBUTOR, "contributor"),
        observer=member(group, Membership.Role.OBSERVER, "observer"),
        outsider=UserFactory(username="outsider"),
    )


class Receiver:
    """A webhook receiver on 127.0.0.1: records each request; answers with ``statuses`` in turn
    (the last one repeats), or a redirect to ``redirect_to``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = [200]
        self.redirect_to: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if receiver.redirect_to:
                    self.send_response(307)
                    self.send_header("Location", receiver.redirect_to)
                    self.end_headers()
                    return
                index = min(len(receiver.requests) - 1, len(receiver.statuses) - 1)
                self.send_response(receiver.statuses[index])
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
