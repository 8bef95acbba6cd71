"""Website pages: list and filters, forms, uploads, maintainers, standards editor and diff."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets_registry import services
from datasets_registry.models import Dataset, DatasetVersion
from tests.factories import UserFactory

from .factories import VALID_METADATA, DatasetFactory, DatasetVersionFactory, jsonl_bytes, sha

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "Street cats",
        "slug": "",
        "summary": "Cats in streets.",
        "description": "",
        "license": "CC-BY-4.0",
        "standard": "omi-dataset-card@1.0.0",
        "visibility": "public",
        "homepage": "",
        "metadata": json.dumps(VALID_METADATA),
    }
    data.update(overrides)
    return data


def test_the_list_page_and_filters(card, client, django_assert_max_num_queries):
    for i in range(30):
        DatasetFactory(name=f"Cats {i}", license="CC0-1.0" if i % 2 else "CC-BY-4.0")
    with django_assert_max_num_queries(8):
        response = client.get("/datasets/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30
    assert b"Cats 29" in response.content
    response = client.get("/datasets/", {"license": "CC0-1.0", "search": "cats"})
    assert response.context["page"].paginator.count == 15
    partial = client.get("/datasets/", {"search": "Cats 3"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert b"Cats 3" in partial.content
    assert b"No dataset matches" in client.get("/datasets/", {"search": "zebra"}).content


def test_the_home_panel_lists_recent_public_datasets(card, client):
    DatasetFactory(name="Public one")
    DatasetFactory(name="Private one", visibility="private")
    response = client.get("/")
    names = [d.name for d in response.context["recent_datasets"]]
    assert names == ["Public one"]


def test_registering_through_the_form(card, user, client_for):
    client = client_for(user)
    page = client.get("/datasets/new/")
    assert page.status_code == 200
    assert "creators" in page.context["form"]["metadata"].value()
    response = client.post("/datasets/new/", form_data())
    assert response.status_code == 302
    assert response["Location"] == "/datasets/street-cats/versions/new/"
    assert Dataset.objects.get(slug="street-cats").owner == user


def test_the_form_shows_metadata_errors_by_pointer(card, user, client_for):
    bad = dict(VALID_METADATA)
    del bad["consent"]
    response = client_for(user).post(
        "/datasets/new/", form_data(metadata=json.dumps(bad), license="Nope-1.0")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "/metadata/consent: This field is required." in errors["metadata"]
    assert "not a valid SPDX" in errors["license"][0]
    response = client_for(user).post("/datasets/new/", form_data(metadata="{not json"))
    assert "Not valid JSON" in response.context["form"].errors["metadata"][0]
    assert not Dataset.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(card, client):
    DatasetFactory(slug="cats")
    for url in ("/datasets/new/", "/datasets/cats/edit/", "/datasets/cats/versions/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post("/datasets/cats/versions/new/", {"version": "1"})
    assert response.status_code == 302
    assert not DatasetVersion.objects.exists()


def test_uploading_through_the_form(card, user, client_for):
    DatasetFactory(slug="cats", owner=user)
    data = jsonl_bytes(4)
    client = client_for(user)
    assert client.get("/datasets/cats/versions/new/").status_code == 200
    response = client.post(
        "/datasets/cats/versions/new/",
        {"file": SimpleUploadedFile("caps.jsonl", data), "version": "1.0.0"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/datasets/cats/versions/1.0.0/"
    page = client.get(response["Location"])
    assert sha(data).encode() in page.content
    assert b"No validation run yet" in page.content or page.context["validation_run"] is not None
    detail = client.get("/datasets/cats/")
    assert b"1.0.0" in detail.content
    assert b"How to cite" in detail.content


def test_the_upload_form_shows_errors_and_keeps_nothing(card, user, client_for, settings):
    DatasetFactory(slug="cats", owner=user)
    client = client_for(user)
    response = client.post(
        "/datasets/cats/versions/new/",
        {
            "file": SimpleUploadedFile("caps.jsonl", jsonl_bytes()),
            "version": "1",
            "sha256": "a" * 64,
        },
    )
    assert response.status_code == 400
    assert "You sent" in str(response.context["form"].errors["sha256"])
    settings.DATASET_UPLOAD_MAX_BYTES = 100
    response = client.post(
        "/datasets/cats/versions/new/",
        {"file": SimpleUploadedFile("caps.jsonl", jsonl_bytes(50)), "version": "1"},
    )
    assert response.status_code == 413
    assert not DatasetVersion.objects.exists()


def test_the_upload_form_checks_csrf(card, user):
    from django.test import Client

    DatasetFactory(slug="cats", owner=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        "/datasets/cats/versions/new/",
        {"file": SimpleUploadedFile("caps.jsonl", jsonl_bytes()), "version": "1"},
    )
    assert response.status_code == 403
    assert not DatasetVersion.objects.exists()


def test_others_cannot_edit_upload_or_manage(card, user, other_user, client_for):
    DatasetFactory(slug="cats", owner=user, summary="original")
    client = client_for(other_user)
    assert client.get("/datasets/cats/edit/").status_code == 403
    assert client.post("/datasets/cats/edit/", form_data(summary="vandal")).status_code == 403
    response = client.post(
        "/datasets/cats/versions/new/",
        {"file": SimpleUploadedFile("c.jsonl", jsonl_bytes()), "version": "1"},
    )
    assert response.status_code == 403
    assert client.post("/datasets/cats/maintainers/", {"username": "bob"}).status_code == 403
    assert Dataset.objects.get(slug="cats").summary == "original"
    assert not DatasetVersion.objects.exists()


def test_private_pages_are_404_for_others(card, user, other_user, client_for):
    dataset = DatasetFactory(slug="secret", owner=user, visibility="private")
    DatasetVersionFactory(dataset=dataset, version="1")
    for url in (
        "/datasets/secret/",
        "/datasets/secret/edit/",
        "/datasets/secret/versions/1/",
        "/datasets/secret/versions/1/croissant.json",
        "/datasets/secret/versions/new/",
    ):
        assert client_for(other_user).get(url).status_code == 404, url
    assert client_for(user).get("/datasets/secret/").status_code == 200


def test_the_owner_edits_the_card(card, user, client_for):
    DatasetFactory(slug="cats", owner=user)
    response = client_for(user).post(
        "/datasets/cats/edit/", {**form_data(summary="Updated"), "status": "active"}
    )
    assert response.status_code == 302
    assert Dataset.objects.get(slug="cats").summary == "Updated"


def test_the_owner_manages_maintainers(card, user, other_user, client_for):
    dataset = DatasetFactory(slug="cats", owner=user)
    client = client_for(user)
    assert client.post("/datasets/cats/maintainers/", {"username": "bob"}).status_code == 302
    assert list(dataset.maintainers.all()) == [other_user]
    response = client.post("/datasets/cats/maintainers/", {"username": "nobody"})
    assert "No one has this username." in str(response.context["form"].errors)
    # A maintainer may upload and edit, but not choose maintainers.
    third = UserFactory(username="carol")
    maintainer = client_for(other_user)
    assert maintainer.get("/datasets/cats/maintainers/").status_code == 200
    assert maintainer.post("/datasets/cats/maintainers/", {"username": "carol"}).status_code == 403
    assert third not in dataset.maintainers.all()
    assert client.post("/datasets/cats/maintainers/", {"remove": "bob"}).status_code == 302
    assert not dataset.maintainers.exists()


def test_the_dataset_page_renders_the_card_readably(card, client):
    DatasetFactory(slug="cats")
    content = client.get("/datasets/cats/").content.decode()
    assert "Consent and opt-out" in content
    assert "E-mail us; removed within a week." in content
    assert "&quot;provenance&quot;" not in content and '"provenance"' not in content


# --- standards ---------------------------------------------------------------------------------


def test_standard_pages(card, client):
    assert b"OMI Dataset Card" in client.get("/standards/").content
    page = client.get("/standards/omi-dataset-card/")
    assert page.status_code == 200
    version = client.get("/standards/omi-dataset-card/versions/1.0.0/")
    assert card.sha256.encode() in version.content
    assert b"Required, and why" in version.content
    assert client.get("/standards/nope/").status_code == 404


def test_the_draft_editor_and_diff(card, chair, client_for):
    client = client_for(chair)
    form = client.get("/standards/omi-dataset-card/versions/new/")
    assert form.status_code == 200
    schema = dict(card.schema)
    schema["required"] = [*schema["required"], "keywords"]
    response = client.post(
        "/standards/omi-dataset-card/versions/new/",
        {
            "version": "1.1.0",
            "schema": json.dumps(schema),
            "rules": json.dumps(card.rules),
            "changelog": "Keywords become required.",
        },
    )
    assert response.status_code == 302
    diff = client.get("/standards/omi-dataset-card/diff/", {"from": "1.0.0", "to": "1.1.0"})
    assert diff.status_code == 200
    assert b"<ins>+ " in diff.content and b"keywords" in diff.content
    # An invalid schema is refused with the validator's reason.
    response = client.post(
        "/standards/omi-dataset-card/versions/1.1.0/edit/",
        {"version": "1.1.0", "schema": '{"type": 5}', "rules": "{}", "changelog": ""},
    )
    assert response.status_code == 200
    assert "Not a valid JSON Schema" in str(response.context["form"].errors)


def test_a_proposed_version_cannot_be_edited_on_the_site(card, chair, client_for):
    draft = services.standard_version_create(
        standard=card.standard, actor=chair, version="1.1.0", based_on=card
    )
    services.standard_version_propose(version=draft, actor=chair)
    client = client_for(chair)
    response = client.post(
        "/standards/omi-dataset-card/versions/1.1.0/edit/",
        {"version": "1.1.0", "schema": "{}", "rules": "{}", "changelog": "changed"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.changelog == "" and draft.status == "proposed"


def test_only_chairs_and_staff_reach_the_editor(card, user, client_for):
    client = client_for(user)
    assert client.get("/standards/omi-dataset-card/versions/new/").status_code == 403
    assert client.post("/standards/omi-dataset-card/versions/1.0.0/propose/").status_code == 403


def test_a_chair_creates_a_standard(card, chair, user, client_for):
    assert client_for(user).get("/standards/new/").status_code == 403
    client = client_for(chair)
    assert b"New standard" in client.get("/standards/").content
    response = client.post(
        "/standards/new/",
        {"group": "metadata-standards", "name": "Alt text", "slug": "alt-text", "description": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == "/standards/alt-text/versions/new/"
    response = client.post(
        "/standards/new/",
        {"group": "metadata-standards", "name": "Again", "slug": "alt-text", "description": ""},
    )
    assert "Taken." in str(response.context["form"].errors)


def test_the_form_shows_each_missing_field_once(card, user, client_for):
    response = client_for(user).post("/datasets/new/", form_data(metadata="{}"))
    assert response.status_code == 200
    shown = response.context["form"].errors["metadata"]
    required = card.schema["required"]
    assert sorted(shown) == sorted(
        f"/metadata/{name}: This field is required." for name in required
    )


def test_a_bad_filter_on_the_list_page_is_a_400_beside_its_field(card, client):
    DatasetFactory(name="Cats")
    response = client.get("/datasets/", {"status": "AAA", "search": "cats"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_status_error"' in html
    assert "AAA is not one of the available choices" in html
    assert response.context["page"].paginator.count == 0
    partial = client.get("/datasets/", {"visibility": "nope"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 400
    assert b"Correct the filters: visibility:" in partial.content


def test_proposing_for_adoption_links_the_version_by_its_label(card, chair, client_for, settings):
    """Issue 16, defect 7: the body's link works on the host the site was reached at (not a
    plain-text localhost URL) and the target is named by its label, not "Standard version 2"."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "commons.test.org"]
    draft = services.standard_version_create(
        standard=card.standard, actor=chair, version="1.1.0", based_on=card
    )
    client = client_for(chair)
    response = client.post(
        "/standards/omi-dataset-card/versions/1.1.0/propose/", HTTP_HOST="commons.test.org"
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    proposal = draft.proposal
    url = "http://commons.test.org/standards/omi-dataset-card/versions/1.1.0/"
    assert f"[OMI Dataset Card 1.1.0]({url})" in proposal.body
    assert "localhost" not in proposal.body
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert f'href="{url}"' in html
    assert (
        '<a href="/standards/omi-dataset-card/versions/1.1.0/">OMI Dataset Card 1.1.0</a>' in html
    )
    assert f"Standard version {draft.pk}" not in html
