"""Every forbidden read and write, through the API, the pages, the evidence files and the
notifications; before and after disclosure. And the commitment, recomputed from the API alone."""

import hashlib
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from models_registry.redteam import services
from notifications import recipients, visibility

from .conftest import FINDING, file

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def web(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def finding(campaign, reporter):
    return services.finding_file(
        actor=reporter,
        campaign=campaign,
        data=FINDING,
        files=[SimpleUploadedFile("shot.png", PNG, content_type="image/png")],
    )


@pytest.fixture
def people(other_participant, member, outsider, reporter, triager, chair):
    return {
        "forbidden": {
            "other": other_participant,
            "member": member,
            "outsider": outsider,
            "anonymous": None,
        },
        "allowed": {"reporter": reporter, "triager": triager, "chair": chair},
    }


def urls(finding):
    e = finding.evidence.get()
    return {
        "api": f"/api/v1/findings/{finding.pk}/",
        "avid": f"/api/v1/findings/{finding.pk}/avid.json",
        "api_evidence": f"/api/v1/findings/{finding.pk}/evidence/{e.pk}/",
        "page": f"/findings/{finding.pk}/",
        "page_evidence": f"/findings/{finding.pk}/evidence/{e.pk}/",
    }


def test_embargoed_finding_is_404_for_everyone_else(client, finding, people, campaign):
    for name, person in people["forbidden"].items():
        for label, url in urls(finding).items():
            response = (
                api(person) if label.startswith(("api", "avid")) else web(client, person)
            ).get(url)
            assert response.status_code == 404, (name, label)
        listed = api(person).get(f"/api/v1/campaigns/{campaign.pk}/findings/").json()
        assert listed["results"] == [], name
        page = web(client, person).get(f"/campaigns/{campaign.pk}/findings/")
        assert FINDING["title"] not in page.content.decode(), name
        campaign_page = web(client, person).get(f"/campaigns/{campaign.pk}/").content.decode()
        assert FINDING["title"] not in campaign_page and finding.commitment in campaign_page
        client.logout()


def test_embargoed_finding_is_seen_by_reporter_and_triage_team(client, finding, people):
    for name, person in people["allowed"].items():
        body = api(person).get(f"/api/v1/findings/{finding.pk}/").json()
        assert (
            body["title"] == FINDING["title"] and body["salt"] is None and body["content"] is None
        ), name
        assert web(client, person).get(f"/findings/{finding.pk}/").status_code == 200
        evidence = urls(finding)["api_evidence"]
        assert b"".join(api(person).get(evidence).streaming_content) == PNG
        assert api(person).get(urls(finding)["avid"]).status_code == 404  # not before disclosure
        client.logout()


def test_forbidden_writes(client, finding, people, reporter, campaign):
    transition = f"/api/v1/findings/{finding.pk}/transitions/"
    for name, person in people["forbidden"].items():
        response = api(person).post(transition, {"to": "triaged"}, format="json")
        assert response.status_code in (401, 403, 404), name
        assert response.status_code != 403 or person is None
        page = web(client, person).post(f"/findings/{finding.pk}/transition/", {"to": "triaged"})
        assert page.status_code in (302, 404), name
        if person is not None:
            assert page.status_code == 404, name
        if name != "other":  # another participant may file their own
            filed = api(person).post(
                f"/api/v1/campaigns/{campaign.pk}/findings/", FINDING, format="json"
            )
            assert filed.status_code in (401, 403), name
        invite = api(person).post(
            f"/api/v1/campaigns/{campaign.pk}/invitations/", {"username": "x"}, format="json"
        )
        assert invite.status_code in (401, 403), name
        client.logout()
    # The reporter sees it but may not move it.
    assert api(reporter).post(transition, {"to": "triaged"}, format="json").status_code == 403
    finding.refresh_from_db()
    assert finding.status == "new" and finding.history.count() == 1


def test_notifications_never_reach_people_who_may_not_see(
    finding, people, triager, reporter, chair
):
    from config import events

    with events.capture() as captured:
        services.transition(actor=triager, finding=finding, to="triaged", note="checking")
        services.transition(actor=triager, finding=finding, to="confirmed")
        services.disclose(finding.pk, actor=triager, note="early")
    everyone = {
        p.pk: {"is_staff": False}
        for p in [*people["allowed"].values(), *people["forbidden"].values()]
        if p
    }
    moved = [e for e in captured if e.name == "finding.transitioned"]
    assert moved and all(not e.public for e in moved)
    assert set(recipients.resolve(moved[0])) == {reporter.pk}
    # Before disclosure only the reporter and the triage team may see the subject.
    filed_like = moved[0]
    finding.status = "new"
    finding.save(update_fields=["status"])
    assert visibility.who_may_see(filed_like, everyone) == {reporter.pk, triager.pk, chair.pk}
    finding.status = "disclosed"
    finding.save(update_fields=["status"])
    disclosed = next(e for e in captured if e.name == "finding.disclosed")
    assert disclosed.public
    assert visibility.who_may_see(disclosed, everyone) == set(everyone)


def test_filed_tells_the_triage_team_only(campaign, reporter, triager, chair, other_participant):
    from config import events

    with events.capture() as captured:
        file(campaign, reporter)
    filed = next(e for e in captured if e.name == "finding.filed")
    committed = next(e for e in captured if e.name == "finding.committed")
    assert not filed.public and committed.public
    assert set(recipients.resolve(filed)) == {triager.pk, chair.pk}
    assert "title" not in committed.payload and "description" not in committed.payload


def test_commitment_recomputes_from_the_api_alone(finding, triager, outsider):
    created_commitment = finding.commitment
    services.transition(actor=triager, finding=finding, to="triaged")
    services.transition(actor=triager, finding=finding, to="confirmed")
    api(triager).post(
        f"/api/v1/findings/{finding.pk}/transitions/",
        {"to": "disclosed", "note": "early"},
        format="json",
    )
    body = api().get(f"/api/v1/findings/{finding.pk}/").json()  # anonymous, after disclosure
    content, salt = body["content"], body["salt"]
    encoded = json.dumps(
        {"content": content, "salt": salt},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert (
        hashlib.sha256(encoded.encode("utf-8")).hexdigest()
        == body["commitment"]
        == created_commitment
    )
    assert content["evidence"] == [hashlib.sha256(PNG).hexdigest()]
    # After disclosure, everyone reads it, its evidence and its AVID report.
    assert (
        api(outsider)
        .get(f"/api/v1/findings/{finding.pk}/evidence/{finding.evidence.get().pk}/")
        .status_code
        == 200
    )
    avid = api().get(f"/api/v1/findings/{finding.pk}/avid.json").json()
    assert avid["data_type"] == "AVID" and avid["impact"]["avid"]["risk_domain"] == ["Security"]
    assert avid["affects"]["artifacts"][0]["name"].endswith("@0.1.0-alpha.1")
    # ... but still nobody but the triage team writes.
    response = api(outsider).post(
        f"/api/v1/findings/{finding.pk}/transitions/", {"to": "new"}, format="json"
    )
    assert response.status_code == 403


def test_api_contract_create_and_counts(campaign, reporter, chair, version):
    response = api(reporter).post(
        f"/api/v1/campaigns/{campaign.pk}/findings/", FINDING, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        set(body) == {"id", "number", "status", "severity", "commitment"}
        and body["status"] == "new"
    )
    listed = (
        api()
        .get(f"/api/v1/models/{version.model.slug}/versions/{version.version}/campaigns/")
        .json()
    )
    row = listed["results"][0]
    assert {
        "id",
        "title",
        "scope",
        "starts_at",
        "ends_at",
        "participation",
        "disclosure_days",
        "status",
        "counts",
    } <= set(row)
    assert row["counts"]["by_severity"]["high"] == 1 and row["counts"]["by_status"]["new"] == 1
    bad = api(reporter).post(
        f"/api/v1/campaigns/{campaign.pk}/findings/",
        {**FINDING, "reproduction": {"seed": -1}},
        format="json",
    )
    assert bad.status_code == 400 and "reproduction.prompt" in bad.json()["errors"]


def test_evidence_is_bounded_and_images_only(campaign, reporter, settings):
    url = f"/api/v1/campaigns/{campaign.pk}/findings/"
    payload = json.dumps(FINDING)
    fake = io.BytesIO(b"<svg onload=alert(1)>")
    fake.name = "x.png"
    response = api(reporter).post(url, {"payload": payload, "evidence": [fake]}, format="multipart")
    assert response.status_code == 400 and "evidence.0" in response.json()["errors"]
    settings.REDTEAM_EVIDENCE_MAX_BYTES = 10
    big = io.BytesIO(PNG)
    big.name = "big.png"
    assert (
        api(reporter)
        .post(url, {"payload": payload, "evidence": [big]}, format="multipart")
        .status_code
        == 413
    )
    settings.REDTEAM_EVIDENCE_MAX_BYTES = 1000
    settings.REDTEAM_EVIDENCE_MAX_FILES = 1
    files = [io.BytesIO(PNG), io.BytesIO(PNG)]
    for i, f in enumerate(files):
        f.name = f"{i}.png"
    assert (
        api(reporter)
        .post(url, {"payload": payload, "evidence": files}, format="multipart")
        .status_code
        == 400
    )
    ok = io.BytesIO(PNG)
    ok.name = "ok.png"
    assert (
        api(reporter)
        .post(url, {"payload": payload, "evidence": [ok]}, format="multipart")
        .status_code
        == 201
    )


def test_pages_render_and_query_counts(
    client, finding, triager, campaign, django_assert_num_queries
):
    """The counts do not grow with the number of findings (measured with 1 and with 11)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(triager)
    pages = {
        "campaign": f"/campaigns/{campaign.pk}/",
        "findings": f"/campaigns/{campaign.pk}/findings/",
        "detail": f"/findings/{finding.pk}/",
        "version": f"/models/{campaign.version.model.slug}/versions/{campaign.version.version}/campaigns/",
    }

    def measure():
        out = {}
        for name, url in pages.items():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, name
            out[name] = len(ctx.captured_queries)
        return out

    one = measure()
    for n in range(10):
        file(campaign, finding.reporter, title=f"more {n}")
    eleven = measure()
    print(f"QUERIES {eleven}")
    assert one == eleven
    assert "more 9" in client.get(pages["findings"]).content.decode()
    with django_assert_num_queries(eleven["campaign"]):
        client.get(pages["campaign"])
    assert client.get(f"/campaigns/{campaign.pk}/findings/new/").status_code == 200


def test_public_log_feed_has_the_commitment_not_the_content(client, finding, triager):
    feed = client.get("/feeds/log/").content.decode()
    assert "finding.committed" in feed and FINDING["title"] not in feed
    activity = client.get(f"/groups/{finding.campaign.version.model.group.slug}/activity/")
    assert activity.status_code == 200 and FINDING["title"] not in activity.content.decode()
    entry = __import__("governance.models", fromlist=["LedgerEntry"]).LedgerEntry.objects.get(
        kind="finding.committed"
    )
    assert entry.payload["commitment"] == finding.commitment
    assert "salt" not in entry.payload and "title" not in entry.payload


def test_fanned_out_notifications_follow_the_table_and_the_embargo(
    campaign, reporter, triager, chair, member, other_participant, outsider
):
    from config import events
    from notifications.models import Notification
    from notifications.services import notifications_fan_out

    def fan_out(captured):
        for event in captured:
            notifications_fan_out(event=events.Event.from_dict(event.as_dict()))

    def told(name):
        return set(
            Notification.objects.filter(event=name).values_list("recipient__username", flat=True)
        )

    with events.capture() as captured:
        finding = file(campaign, reporter)
        services.transition(actor=triager, finding=finding, to="triaged", note="looking")
        services.transition(actor=triager, finding=finding, to="confirmed")
    fan_out(captured)
    assert told("finding.filed") == {"triager", "chair"}
    assert told("finding.transitioned") == {"reporter"}
    embargoed = Notification.objects.filter(event__startswith="finding.")
    assert not embargoed.filter(recipient__in=[member, other_participant, outsider]).exists()
    with events.capture() as captured:
        services.disclose(finding.pk, actor=triager, note="early")
    fan_out(captured)
    # The group is told of the disclosure (the actor never is).
    assert "member" in told("finding.disclosed") and "triager" not in told("finding.disclosed")
