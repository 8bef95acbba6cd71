"""Pages: list (filters, badges), model, version (manifest, checks, lineage, card, gate), the
register-version form, the release action; permissions and query counts."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from models_registry.models import Model

from .conftest import register, training
from .helpers import CARD, weights


def test_list_model_and_version_pages(
    model, maintainer, dataset_version, client, django_assert_max_num_queries
):
    for i in range(3):
        register(model, maintainer, dataset_version, version=f"0.{i}.0")
    with django_assert_max_num_queries(6):
        page = client.get("/models/")
    assert (
        page.status_code == 200
        and b"OMI Alpha" in page.content
        and b"checks passed" in page.content
    )
    assert b"OMI Alpha" not in client.get("/models/?checks=failed").content
    assert b"OMI Alpha" in client.get("/models/?status=candidate&group=model-training").content
    with django_assert_max_num_queries(4):
        assert client.get(model.get_absolute_url()).status_code == 200
    # 8 of the version itself, then one each for the red team's gate check (its unresolved
    # findings) and the version's entry in the public log: constant in versions and findings.
    with django_assert_max_num_queries(10):
        page = client.get("/models/omi-alpha/versions/0.1.0/")
    text = page.content.decode()
    assert "verified" in text and 'id="lineage"' in text and "coco-demo@1.0.0" in text
    assert 'id="gate-state">open' in text


def test_private_model_pages_are_404(
    model, maintainer, other_user, dataset_version, client_for, client
):
    v = register(model, maintainer, dataset_version)
    Model.objects.filter(pk=model.pk).update(visibility="private")
    base = f"/api/v1/models/{model.slug}/versions/{v.version}/"
    for url in (
        v.get_absolute_url(),
        f"/models/{model.slug}/versions/new/",
        base + "card.md",
        base + "files/unet/model.safetensors",
    ):
        assert client_for(other_user).get(url).status_code == 404, url
    assert client_for(maintainer).get(v.get_absolute_url()).status_code == 200
    assert client.get(model.get_absolute_url()).status_code == 404
    assert client_for(other_user).get(model.get_absolute_url()).status_code == 404
    assert b"OMI Alpha" not in client_for(other_user).get("/models/").content


def test_register_form(model, maintainer, dataset_version, client_for):
    client = client_for(maintainer)
    url = f"/models/{model.slug}/versions/new/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": "0.3.0",
            "card": json.dumps(CARD),
            "training_data": training(dataset_version),
            "weights": SimpleUploadedFile("model.safetensors", weights()),
            "finetune_script": SimpleUploadedFile("finetune.py", b"print(1)\n"),
            "external": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/models/omi-alpha/versions/0.3.0/"
    bad = client.post(url, {"version": "x", "card": "{}", "training_data": "[]"})
    assert bad.status_code == 400 and b"card/intended_uses" in bad.content


def test_outsiders_get_403_on_the_form(model, other_user, client_for):
    assert client_for(other_user).get(f"/models/{model.slug}/versions/new/").status_code == 403
    response = client_for(other_user).post(
        f"/models/{model.slug}/versions/new/",
        {"version": "1.0.0", "weights": SimpleUploadedFile("a.safetensors", b"x")},
    )
    assert response.status_code == 403


def test_propose_release_from_the_page(model, maintainer, other_user, dataset_version, client_for):
    v = register(model, maintainer, dataset_version)
    url = f"/models/{model.slug}/versions/{v.version}/release/"
    response = client_for(other_user).post(url)
    assert response.status_code == 403
    from governance.models import Proposal

    assert not Proposal.objects.filter(kind="model_release").exists()
    response = client_for(maintainer).post(url)
    proposal = Proposal.objects.get(kind="model_release")
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert proposal.target_sha256 == v.manifest_sha256
    page = client_for(maintainer).get(v.get_absolute_url()).content.decode()
    assert 'id="release-proposal"' in page
    proposal_page = client_for(maintainer).get(response["Location"]).content.decode()
    assert 'id="release-gate-state">open' in proposal_page


@pytest.mark.django_db
def test_admin_pages(model, maintainer, dataset_version, staff_user, client_for):
    v = register(model, maintainer, dataset_version)
    client = client_for(staff_user)
    assert client.get("/admin/models_registry/model/").status_code == 200
    assert client.get(f"/admin/models_registry/modelversion/{v.pk}/change/").status_code == 200
