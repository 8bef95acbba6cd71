"""Schemathesis drives every operation of the OpenAPI schema in-process, as a signed-in user.

It fails on any 5xx and on any documented response whose body does not match the schema. The
number of examples per operation is bounded so the whole run stays within a few minutes.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from accounts.services import api_token_create
from tests.factories import UserFactory

MAX_EXAMPLES = 12

load_all_checks()
# Every check schemathesis has: status codes, content types, headers, bodies, negative data.
ALL_CHECKS = CHECKS.get_all()


def _load_schema():
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator

    # Generated in-process (the same document /api/schema/ serves), without touching the database
    # at collection time.
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(_plain(document))
    loaded.app = get_wsgi_application()
    return loaded


def _plain(document):
    import json

    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


schema = _load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test client does: a request must not close the connection that holds the
    # test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token_header(db):
    fuzzer = UserFactory(username="fuzzer")
    # Not through the per-person creation limit (30/min): every operation's case makes one, and
    # there are more operations than that; the limit has its own tests.
    _, key = api_token_create(user=fuzzer, name="fuzz", throttle=False)
    return {"Authorization": f"Token {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_without_server_errors(case, token_header, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }
    case.call_and_validate(
        headers=token_header,
        checks=ALL_CHECKS,
    )
