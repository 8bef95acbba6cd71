"""The demo seed (idempotent), the OpenAPI schema, and model-level immutability."""

import pytest

from accounts import demo as people_demo
from datasets_registry import demo
from datasets_registry.models import Dataset, DatasetVersion, StandardVersion

from .factories import DatasetVersionFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seed_is_idempotent(card, settings, tmp_path):
    from governance import demo as governance_demo

    people = people_demo.seed()
    governance_demo.seed(people=people)
    demo.seed(people=people)
    first = (
        Dataset.objects.count(),
        DatasetVersion.objects.count(),
        StandardVersion.objects.count(),
    )
    demo.seed(people=people)
    assert (
        Dataset.objects.count(),
        DatasetVersion.objects.count(),
        StandardVersion.objects.count(),
    ) == first
    assert Dataset.objects.filter(visibility="private").count() == 1
    assert StandardVersion.objects.get(version="1.1.0").status == "draft"
    coco = Dataset.objects.get(slug="coco-val2017-captions")
    if demo.COCO_PATH.exists():
        version = coco.versions.get()
        assert version.row_count == 25014
        assert version.column_mapping["caption"] == "text"


def test_the_openapi_schema_documents_the_registry(card, api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    upload = paths["/api/v1/datasets/{slug}/versions/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"201", "400", "403", "404", "409", "413"} <= set(upload["responses"])
    assert "/api/v1/datasets/{slug}/versions/{version}/croissant/" in paths
    assert "/api/v1/standards/{slug}/versions/{version}/" in paths
    fields = schema["components"]["schemas"]["DatasetVersionOutput"]["properties"]
    assert {"sha256", "size", "format", "row_count", "validation_url"} <= set(fields)


def test_a_dataset_version_is_immutable(card):
    version = DatasetVersionFactory()
    version.row_count = 99
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_admin_pages_load(card, staff_user, client_for):
    version = DatasetVersionFactory()
    client = client_for(staff_user)
    for url in (
        "/admin/datasets_registry/metadatastandard/",
        f"/admin/datasets_registry/metadatastandard/{card.standard.pk}/change/",
        "/admin/datasets_registry/standardversion/",
        "/admin/datasets_registry/dataset/",
        f"/admin/datasets_registry/dataset/{version.dataset.pk}/change/",
        "/admin/datasets_registry/datasetversion/",
        f"/admin/datasets_registry/datasetversion/{version.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    # Adding is refused: standards, datasets and versions are created through the services.
    for model in ("metadatastandard", "standardversion", "dataset", "datasetversion"):
        assert client.get(f"/admin/datasets_registry/{model}/add/").status_code == 403


def test_patching_to_a_non_adopted_standard_is_refused(card, user, api_client_for):
    from .factories import DatasetFactory

    StandardVersion.objects.create(standard=card.standard, version="2.0.0", schema=card.schema)
    DatasetFactory(slug="mine", owner=user)
    response = api_client_for(user).patch(
        "/api/v1/datasets/mine/", {"standard": "omi-dataset-card@2.0.0"}, format="json"
    )
    assert response.status_code == 400
    assert "only adopted" in response.json()["errors"]["standard"][0]
