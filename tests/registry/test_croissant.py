"""Croissant 1.1 export, checked with the mlcroissant reference validator (offline)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .factories import DatasetFactory, csv_bytes, gz, jsonl_bytes, metadata, sha

pytestmark = pytest.mark.django_db


def validate(doc):
    import mlcroissant as mlc

    # Raises mlcroissant.ValidationError when the document has any error.
    dataset = mlc.Dataset(jsonld=doc)
    return dataset.metadata


@pytest.mark.parametrize(
    "name, data",
    [("c.jsonl", jsonl_bytes()), ("c.csv.gz", gz(csv_bytes())), ("c.csv", csv_bytes())],
)
def test_the_export_validates_with_mlcroissant(card, user, api_client_for, api_client, name, data):
    DatasetFactory(
        slug="cats",
        owner=user,
        description="Cats, captioned.",
        homepage="https://example.org/cats",
        metadata=metadata(
            captioning={"method": "mixed", "models": ["Florence-2-large"], "protocol": "Prompted."},
            collection={
                "method": "Scraped and filtered.",
                "timeframe": {"start": "2023-01-01", "end": "2023-12-31"},
            },
            maintenance={"plan": "Yearly refresh."},
            source_datasets=[
                {"name": "COCO", "url": "https://cocodataset.org", "relation": "subset_of"}
            ],
            keywords=["cats"],
            citation="@misc{cats}",
        ),
    )
    body = {"file": SimpleUploadedFile(name, data), "version": "1.0.0"}
    assert (
        api_client_for(user)
        .post("/api/v1/datasets/cats/versions/", body, format="multipart")
        .status_code
        == 201
    )
    response = api_client.get("/api/v1/datasets/cats/versions/1.0.0/croissant/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    doc = response.json()
    assert "http://mlcommons.org/croissant/1.1" in doc["conformsTo"]
    (file_object,) = doc["distribution"]
    assert file_object["@type"] == "cr:FileObject"
    assert file_object["sha256"] == sha(data)
    assert file_object["contentSize"] == f"{len(data)} B"
    assert file_object["contentUrl"] == "http://testserver/datasets/cats/versions/1.0.0/download/"
    fields = {f["name"]: f["source"]["extract"]["column"] for f in doc["recordSet"][0]["field"]}
    assert fields["caption"] in ("text", "caption")
    assert doc["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert doc["rai:machineAnnotationTools"] == ["Florence-2-large"]
    assert doc["rai:dataCollectionTimeframe"] == ["2023-01-01", "2023-12-31"]
    assert "Images with people were removed" in doc["rai:personalSensitiveInformation"]
    assert doc["rai:dataBiases"]
    assert doc["rai:dataLimitations"]
    assert doc["rai:dataUseCases"] == ["Training text-to-image models"]
    meta = validate(doc)
    assert meta.name == "Dataset 0" or meta.name
    # The website link serves the same document as a download.
    page = api_client.get("/datasets/cats/versions/1.0.0/croissant.json")
    assert page.status_code == 200
    assert "attachment" in page["Content-Disposition"]
    validate(page.json())


def test_the_export_has_no_validator_warnings(card, user):
    from datasets_registry import croissant

    from .factories import DatasetVersionFactory

    version = DatasetVersionFactory(dataset=DatasetFactory(owner=user))
    meta = validate(croissant.build(version))
    assert meta.ctx.issues.warnings == set(), meta.ctx.issues.report()
