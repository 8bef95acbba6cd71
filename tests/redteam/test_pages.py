import pytest
from rest_framework.test import APIClient

from models_registry.redteam.models import Campaign

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Second round",
    "scope": "The safety filter.",
    "starts_at": "2026-01-01T00:00",
    "ends_at": "2026-01-08T00:00",
    "participation": "members",
    "disclosure_days": "14",
    "triagers": "triager",
}


def test_chair_opens_a_campaign_on_the_page(client, version, chair, triager):
    url = f"/models/{version.model.slug}/versions/{version.version}/campaigns/"
    client.force_login(chair)
    response = client.post(url, {**FORM, "ends_at": "2025-12-01T00:00"})
    assert response.status_code == 400 and "must end after it starts" in response.content.decode()
    response = client.post(url, FORM)
    campaign = Campaign.objects.get(title="Second round")
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert list(campaign.triagers.values_list("username", flat=True)) == ["triager"]
    assert "Second round" in client.get(url).content.decode()


def test_others_may_not_open_one(client, version, member, outsider):
    url = f"/models/{version.model.slug}/versions/{version.version}/campaigns/"
    for person in (member, outsider):
        client.force_login(person)
        assert "Open a campaign" not in client.get(url).content.decode()
        assert client.post(url, FORM).status_code == 403
        api = APIClient()
        api.force_authenticate(person)
        payload = {
            **FORM,
            "starts_at": "2026-01-01T00:00Z",
            "ends_at": "2026-01-08T00:00Z",
            "triagers": [],
        }
        assert api.post(f"/api/v1{url}", payload, format="json").status_code == 403
    client.logout()
    assert client.post(url, FORM).status_code == 302  # to the login page
    assert APIClient().post(f"/api/v1{url}", {}, format="json").status_code in (401, 403)
    assert not Campaign.objects.exists()


def test_accept_needs_an_invitation_and_a_private_model_hides_its_campaigns(
    campaign, outsider, reporter
):
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/invitations/accept/").status_code == 404
    model = campaign.version.model
    model.visibility = "private"
    model.save(update_fields=["visibility"])
    for person in (outsider, reporter, None):
        client = APIClient()
        if person:
            client.force_authenticate(person)
        assert client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
        assert client.get(f"/api/v1/campaigns/{campaign.pk}/findings/").status_code == 404


def test_only_a_chair_closes_a_campaign_early(campaign, chair, triager, member):
    url = f"/api/v1/campaigns/{campaign.pk}/close/"
    for person in (triager, member):
        api = APIClient()
        api.force_authenticate(person)
        assert api.post(url).status_code == 403
    assert APIClient().post(url).status_code in (401, 403)
    api = APIClient()
    api.force_authenticate(chair)
    response = api.post(url)
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_the_tick_is_on_the_beat_schedule():
    from config.celery import app

    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "models_registry.redteam.tasks.redteam_tick" in names
    app.loader.import_default_modules()
    assert "models_registry.redteam.tasks.redteam_tick" in app.tasks


def test_severity_and_status_codes_are_shown_in_the_readers_words():
    from django.utils import translation

    from models_registry.templatetags.models_tags import finding_status_label, severity_label

    assert severity_label("high") == "High"
    assert finding_status_label("not_applicable") == "Not applicable"
    with translation.override("it"):
        assert severity_label("high") == translation.gettext("High") != "High"
        assert finding_status_label("new") != "New"
    assert severity_label("unheard-of") == "unheard-of"
