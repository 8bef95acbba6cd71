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
