"""The API of issue 12: shapes, errors, permissions."""

import pytest

from notifications.models import Follow, Notification, Webhook
from tests.factories import UserFactory
from tests.governance.factories import in_discussion, in_voting


@pytest.fixture
def voted(gov, live):
    with live():
        return in_voting(gov.group, gov.contributor, gov.chair)


def test_my_notifications_in_the_documented_shape(gov, voted, api_client_for):
    api = api_client_for(gov.committers[0])
    body = api.get("/api/v1/notifications/").json()
    assert set(body) == {"next", "previous", "results"}
    (item,) = body["results"]
    assert {"id", "kind", "created_at", "read_at", "title", "url", "actor", "subject"} <= set(item)
    assert item["kind"] == "vote.opened" and item["read_at"] is None
    assert item["actor"] == "chair"
    assert item["subject"] == {"type": "proposal", "ref": f"wg/{voted.number}"}
    assert item["url"] == f"http://localhost:8000/groups/wg/proposals/{voted.number}/"


def test_unread_filter_and_marking_read(gov, voted, api_client_for, live):
    api = api_client_for(gov.committers[0])
    mine = Notification.objects.get(recipient=gov.committers[0])
    theirs = Notification.objects.get(recipient=gov.committers[1])
    answer = api.post("/api/v1/notifications/read/", {"ids": [mine.pk, theirs.pk]}, format="json")
    assert answer.status_code == 200 and answer.json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None  # someone else's is untouched
    assert api.get("/api/v1/notifications/?unread=1").json()["results"] == []
    assert len(api.get("/api/v1/notifications/").json()["results"]) == 1
    again = api.post("/api/v1/notifications/read/", {"all": True}, format="json")
    assert again.json() == {"marked": 0}


def test_marking_read_needs_ids_or_all(gov, api_client_for):
    api = api_client_for(gov.committers[0])
    answer = api.post("/api/v1/notifications/read/", {}, format="json")
    assert answer.status_code == 400 and "ids" in answer.json()["errors"]
    answer = api.post("/api/v1/notifications/read/", {"ids": ["x"]}, format="json")
    assert answer.status_code == 400 and "ids.0" in answer.json()["errors"]
    # Larger than any primary key: refused by field, not overflowed in the database.
    answer = api.post("/api/v1/notifications/read/", {"ids": [2**64]}, format="json")
    assert answer.status_code == 400 and "ids.0" in answer.json()["errors"]


def test_anonymous_people_have_no_notifications(api_client):
    assert api_client.get("/api/v1/notifications/").status_code in (401, 403)
    assert api_client.get("/api/v1/notifications/preferences/").status_code in (401, 403)


def test_preferences_get_and_put(gov, api_client_for):
    api = api_client_for(gov.committers[0])
    prefs = api.get("/api/v1/notifications/preferences/").json()
    assert prefs["email"] == "immediate"
    assert prefs["kinds"]["vote.opened"] == {"web": True, "email": True}
    assert prefs["kinds"]["comment.created"] == {"web": True, "email": False}
    assert "mention" in prefs["kinds"]
    answer = api.put(
        "/api/v1/notifications/preferences/",
        {"email": "weekly", "kinds": {"comment.created": {"email": True}}},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["email"] == "weekly"
    assert answer.json()["kinds"]["comment.created"] == {"web": True, "email": True}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "hourly"}, "email"),
        ({"kinds": {"nope": {"web": True}}}, "kinds.nope"),
        ({"kinds": {"vote.opened": {"sms": True}}}, "kinds.vote.opened.sms"),
        ({"kinds": {"vote.opened": {"web": "yes"}}}, "kinds.vote.opened.web"),
    ],
)
def test_preferences_refuse_unknown_values_beside_their_field(gov, api_client_for, body, field):
    answer = api_client_for(gov.committers[0]).put(
        "/api/v1/notifications/preferences/", body, format="json"
    )
    assert answer.status_code == 400
    assert any(k.startswith(field) for k in answer.json()["errors"]), answer.json()


def test_follow_and_unfollow_a_group_and_a_proposal(gov, api_client_for, live):
    with live():
        p = in_discussion(gov.group, gov.contributor)
    api = api_client_for(gov.outsider)
    first = api.post("/api/v1/groups/wg/follow/")
    assert first.status_code == 201
    assert first.json() == {"subject": {"type": "group", "ref": "wg"}, "following": True}
    assert api.post("/api/v1/groups/wg/follow/").status_code == 200
    proposal = api.post(f"/api/v1/groups/wg/proposals/{p.number}/follow/")
    assert proposal.status_code == 201
    assert proposal.json()["subject"] == {"type": "proposal", "ref": f"wg/{p.number}"}
    assert api.delete("/api/v1/groups/wg/follow/").status_code == 204
    assert list(
        Follow.objects.filter(user=gov.outsider).values_list("subject_type", flat=True)
    ) == ["proposal"]


def test_following_what_does_not_exist_is_not_found(gov, api_client_for, api_client):
    api = api_client_for(gov.outsider)
    assert api.post("/api/v1/groups/nope/follow/").status_code == 404
    assert api.post("/api/v1/groups/wg/proposals/999/follow/").status_code == 404
    assert api.post("/api/v1/datasets/nope/follow/").status_code == 404
    assert api.post("/api/v1/surveys/nope/follow/").status_code == 404
    assert api.post("/api/v1/standards/nope/follow/").status_code == 404
    assert api_client.post("/api/v1/groups/wg/follow/").status_code in (401, 403)


def test_chairs_set_up_webhooks_and_see_the_secret_once(gov, api_client_for, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    api = api_client_for(gov.chair)
    answer = api.post(
        "/api/v1/groups/wg/webhooks/",
        {"url": "https://chat.example.org/hooks/abc", "format": "discord", "events": ["vote.*"]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert {"id", "url", "format", "events", "active", "secret"} <= set(body)
    assert body["secret"].startswith("whsec_") and body["active"] is True
    listed = api.get("/api/v1/groups/wg/webhooks/").json()
    assert "secret" not in listed[0]
    detail = api.get(f"/api/v1/groups/wg/webhooks/{body['id']}/").json()
    assert "secret" not in detail and detail["events"] == ["vote.*"]
    patched = api.patch(
        f"/api/v1/groups/wg/webhooks/{body['id']}/", {"rotate_secret": True}, format="json"
    ).json()
    assert patched["secret"].startswith("whsec_") and patched["secret"] != body["secret"]
    assert (
        api.patch(
            f"/api/v1/groups/wg/webhooks/{body['id']}/", {"active": False}, format="json"
        ).json()["secret"]
        is None
    )
    test = api.post(f"/api/v1/groups/wg/webhooks/{body['id']}/test/")
    assert test.status_code == 202 and test.json()["event"] == "webhook.test"
    log = api.get(f"/api/v1/groups/wg/webhooks/{body['id']}/deliveries/").json()
    assert set(log) == {"next", "previous", "results"}
    assert api.delete(f"/api/v1/groups/wg/webhooks/{body['id']}/").status_code == 204
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "http://127.0.0.1:8000/x", "events": ["vote.*"]}, "url"),
        ({"url": "http://169.254.169.254/", "events": ["vote.*"]}, "url"),
        ({"url": "ftp://example.org/", "events": ["vote.*"]}, "url"),
        ({"url": "https://example.org/", "events": ["nope.*"]}, "events.0"),
        ({"url": "https://example.org/", "events": []}, "events"),
        ({"url": "https://example.org/", "events": ["vote.*"], "format": "irc"}, "format"),
        ({"url": "https://example.org/", "events": ["vote.*"], "secret": "short"}, "secret"),
        ({"url": "https://example.org/", "events": ["webhook.created"]}, "events.0"),
    ],
)
def test_webhook_input_errors_name_their_field(gov, api_client_for, body, field, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    answer = api_client_for(gov.chair).post("/api/v1/groups/wg/webhooks/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["errors"], answer.json()


def test_only_chairs_and_staff_manage_webhooks(gov, api_client_for, staff_user):
    body = {"url": "https://example.org/hook", "events": ["*"]}
    for person in (gov.committers[0], gov.outsider):
        api = api_client_for(person)
        assert api.get("/api/v1/groups/wg/webhooks/").status_code == 403
        assert api.post("/api/v1/groups/wg/webhooks/", body, format="json").status_code == 403
        assert api.post("/api/v1/webhooks/", body, format="json").status_code == 403
    hook = api_client_for(gov.chair).post("/api/v1/groups/wg/webhooks/", body, format="json")
    hook_id = hook.json()["id"]
    assert (
        api_client_for(gov.committers[0])
        .delete(f"/api/v1/groups/wg/webhooks/{hook_id}/")
        .status_code
        == 403
    )
    # A chair of another group cannot reach this group's webhooks through their own.
    other = UserFactory(username="otherchair")
    assert api_client_for(other).get(f"/api/v1/webhooks/{hook_id}/").status_code == 403
    site = api_client_for(staff_user).post("/api/v1/webhooks/", body, format="json")
    assert site.status_code == 201 and site.json()["group"] is None
    assert api_client_for(staff_user).get(f"/api/v1/webhooks/{hook_id}/").status_code == 404


def test_the_openapi_schema_lists_the_endpoints(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/notifications/",
        "/api/v1/notifications/read/",
        "/api/v1/notifications/preferences/",
        "/api/v1/groups/{slug}/follow/",
        "/api/v1/groups/{slug}/proposals/{number}/follow/",
        "/api/v1/datasets/{slug}/follow/",
        "/api/v1/surveys/{slug}/follow/",
        "/api/v1/standards/{slug}/follow/",
        "/api/v1/groups/{slug}/webhooks/",
        "/api/v1/groups/{slug}/webhooks/{id}/",
        "/api/v1/groups/{slug}/webhooks/{id}/deliveries/",
        "/api/v1/groups/{slug}/webhooks/{id}/test/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
    ):
        assert path in schema["paths"], path
