"""A completed upload in place of a `file` part: the API and the website's upload form."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets_registry.models import DatasetVersion
from datasets_registry.resumable import services, storage
from datasets_registry.resumable.models import Upload
from tests.registry.factories import DatasetFactory, jsonl_bytes, sha

pytestmark = pytest.mark.django_db

URL = "/api/v1/datasets/cats/versions/"
DATA = jsonl_bytes(50)


@pytest.fixture
def card(db):
    from datasets_registry.bootstrap import ensure_omi_dataset_card

    return ensure_omi_dataset_card()


@pytest.fixture
def dataset(card, user):
    return DatasetFactory(slug="cats", owner=user)


def completed(user, data=DATA, filename="captions.jsonl") -> Upload:
    from base64 import b64encode

    upload = services.upload_create(
        user=user,
        length=len(data),
        metadata_header=f"filename {b64encode(filename.encode()).decode()}",
    )
    return services.upload_append(
        upload_id=upload.pk, user=user, offset=0, stream=io.BytesIO(data), content_length=len(data)
    )


def post(client, **fields):
    return client.post(URL, {"version": "1.0.0", **fields}, format="multipart")


def test_the_api_creates_a_version_from_a_completed_upload(
    dataset, user, api_client_for, django_capture_on_commit_callbacks
):
    upload = completed(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api_client_for(user), upload_id=str(upload.pk), sha256=sha(DATA))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sha256"], body["size"], body["row_count"], body["format"]) == (
        sha(DATA),
        len(DATA),
        50,
        "jsonl",
    )
    version = DatasetVersion.objects.get()
    assert version.file.read() == DATA
    assert version.original_filename == "captions.jsonl"
    upload.refresh_from_db()
    assert (upload.status, upload.used_for) == ("consumed", "dataset cats version 1.0.0")
    assert not storage.path_of(upload.pk).exists()


def test_an_upload_is_used_once_and_the_same_checks_apply(dataset, user, api_client_for):
    client = api_client_for(user)
    upload = completed(user)
    assert post(client, upload_id=str(upload.pk)).status_code == 201
    response = post(client, upload_id=str(upload.pk), version="2.0.0")
    assert response.status_code == 409
    assert (
        "already used for dataset cats version 1.0.0" in response.json()["errors"]["upload_id"][0]
    )
    # A label that exists: 409 as for a direct upload, and the upload stays usable.
    other = completed(user)
    response = post(client, upload_id=str(other.pk))
    assert response.status_code == 409
    assert "version" in response.json()["errors"]
    assert Upload.objects.get(pk=other.pk).status == "complete"
    # A sha256 that is not the file's: 400, nothing stored.
    response = post(client, upload_id=str(other.pk), version="3.0.0", sha256="0" * 64)
    assert response.status_code == 400
    assert "sha256" in response.json()["errors"]
    assert post(client, upload_id=str(other.pk), version="3.0.0").status_code == 201


def test_bad_upload_ids_are_clear_400s_and_409s(dataset, user, other_user, api_client_for):
    client = api_client_for(user)
    assert post(client, upload_id="nope").json()["errors"]["upload_id"] == [
        "'nope' is not an upload id."
    ]
    theirs = completed(other_user)
    response = post(client, upload_id=str(theirs.pk))
    assert response.status_code == 400
    assert "You have no upload" in response.json()["errors"]["upload_id"][0]
    half = services.upload_create(user=user, length=len(DATA))
    response = post(client, upload_id=str(half.pk))
    assert response.status_code == 409
    assert "not complete: 0 of" in response.json()["detail"]
    both = post(client, upload_id=str(completed(user).pk), file=SimpleUploadedFile("c.jsonl", DATA))
    assert both.status_code == 400
    assert "not both" in both.json()["detail"]
    neither = post(client)
    assert neither.status_code == 400
    assert "file" in neither.json()["errors"]
    assert not DatasetVersion.objects.exists()


def test_a_direct_upload_still_works(dataset, user, api_client_for):
    response = post(api_client_for(user), file=SimpleUploadedFile("c.jsonl", DATA))
    assert response.status_code == 201
    assert response.json()["sha256"] == sha(DATA)


def test_the_upload_form_takes_an_upload_id(dataset, user, client_for):
    upload = completed(user)
    client = client_for(user)
    response = client.post(
        "/datasets/cats/versions/new/", {"version": "1.0.0", "upload_id": str(upload.pk)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DatasetVersion.objects.get().sha256 == sha(DATA)
    response = client.post("/datasets/cats/versions/new/", {"version": "2.0.0"})
    assert response.status_code == 400
    assert "Choose a file (or give the id of a completed upload)." in response.content.decode()
    response = client.post(
        "/datasets/cats/versions/new/", {"version": "2.0.0", "upload_id": str(upload.pk)}
    )
    assert response.status_code == 409
    assert "already used" in response.content.decode()
