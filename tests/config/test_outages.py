"""Issue 10 item 5: with the cache (Redis) or the broker unreachable, 503 with a clear message or
anonymous reads let through; never a 500. The services are really unreachable: a closed port."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db

CLOSED = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }


def test_anonymous_api_reads_go_through_unthrottled_and_logged(redis_down, api_client, caplog):
    with caplog.at_level(logging.WARNING):
        response = api_client.get("/api/v1/groups/")
    assert response.status_code == 200
    assert "throttle anon skipped" in caplog.text


def test_signed_in_api_reads_go_through(redis_down, api_client_for, user):
    assert api_client_for(user).get("/api/v1/tokens/").status_code == 200


def test_api_writes_answer_503_in_the_error_shape(redis_down, api_client_for, user):
    response = api_client_for(user).post("/api/v1/tokens/", {"name": "x"}, format="json")
    assert response.status_code == 503
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "not answering" in body["detail"]
    assert response["Retry-After"]
    assert not ApiToken.objects.exists()


def test_the_log_in_post_answers_a_503_page(redis_down, user):
    response = Client().post(reverse("account_login"), {"login": user.username, "password": "x"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "Temporarily unavailable" in page
    assert "not answering" in page


def test_the_token_form_answers_a_503_page(redis_down, client_for, user):
    response = client_for(user).post(
        reverse("accounts:account"), {"action": "create_token", "name": "x"}
    )
    assert response.status_code == 503
    assert "not answering" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_anonymous_survey_answers_answer_503_not_500(redis_down, api_client, staff_user):
    from tests.surveys.factories import keys, make_survey, option

    survey = make_survey(actor=staff_user, audience="anyone")
    q = keys(survey)
    response = api_client.post(
        f"/api/v1/surveys/{survey.slug}/responses/",
        {"answers": {str(q["role"].id): option(q["role"], "artist"), str(q["consent"].id): 3}},
        format="json",
    )
    assert response.status_code == 503
    assert "not answering" in response.json()["detail"]


def test_pages_that_do_not_need_the_cache_still_work(redis_down, client):
    assert client.get("/").status_code == 200
    assert client.get("/groups/").status_code == 200


@pytest.mark.urls("tests.config.outage_urls")
def test_an_unreachable_broker_is_a_503_page_and_api_error(client):
    page = client.get("/publish/")
    assert page.status_code == 503
    assert "task queue" in page.content.decode()
    api = client.get("/api/v1/publish/")
    assert api.status_code == 503
    assert set(api.json()) == {"detail", "errors"}
    assert "task queue" in api.json()["detail"]
