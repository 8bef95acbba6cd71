import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_with_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    from kombu import Connection

    from config.celery import app

    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_api_root_lists_the_resources(client):
    body = client.get("/api/v1/").json()
    for name in ["groups", "ledger", "surveys", "standards", "datasets", "tokens", "docs"]:
        assert name in body


def test_openapi_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn." not in docs and "unpkg" not in docs


def test_write_endpoints_refuse_anonymous_requests_in_the_error_shape(client):
    response = client.post("/api/v1/tokens/", {"name": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "errors"}


def test_validation_errors_name_the_field(api_client_for, user):
    response = api_client_for(user).post("/api/v1/tokens/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"name": ["This field is required."]}
    assert body["detail"] == "name: This field is required."


def test_api_is_throttled_per_user(api_client_for, user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "3/min", "tokens": "100/min"},
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    original_rates = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    client = api_client_for(user)
    try:
        statuses = [client.get("/api/v1/tokens/").status_code for _ in range(5)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original_rates
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


def test_home_page_shows_honest_empty_states(client):
    page = client.get("/").content.decode()
    assert "No vote is open right now." in page or "Open votes" in page
    assert 'href="/groups/"' in page and 'href="/datasets/"' in page


def test_seed_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refused when DEBUG is off"):
        call_command("seed_demo")


def test_seed_demo_creates_the_documented_people_idempotently(settings):
    from accounts.models import User

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    names = set(User.objects.values_list("username", flat=True))
    expected = {"demo-admin", "demo-chair", "demo-contributor", "demo-observer"} | {
        f"demo-committer{i}" for i in range(1, 6)
    }
    assert expected <= names
    admin = User.objects.get(username="demo-admin")
    assert admin.is_staff and admin.check_password("demo")


def test_home_page_shows_what_is_happening_with_a_fixed_query_count(
    client, settings, django_assert_max_num_queries
):
    settings.DEBUG = True
    call_command("seed_demo")
    settings.DEBUG = False
    with django_assert_max_num_queries(8):
        page = client.get("/").content.decode()
    assert "No vote is open right now." not in page
    assert "No survey is open right now." not in page
    assert "No dataset has been registered yet." not in page
    assert "No decision has been recorded yet." not in page
    assert "Future model research and training priorities" in page
