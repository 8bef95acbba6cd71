"""The one upload entry point (``uploads``): the website's form and the API stream through the
same handler, and the form is CSRF-checked by Django's middleware like any other form."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT

from datasets_registry import uploads, views
from datasets_registry.models import DatasetVersion

from .factories import DatasetFactory, jsonl_bytes, sha

pytestmark = pytest.mark.django_db

FORM = "/datasets/cats/versions/new/"


@pytest.fixture
def dataset(card, user):
    return DatasetFactory(slug="cats", owner=user)


@pytest.fixture
def chunks_read(monkeypatch):
    """Every chunk of a file the handler received."""
    seen: list[int] = []
    real = uploads.HashingUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        seen.append(len(raw_data))
        return real(self, raw_data, start)

    monkeypatch.setattr(uploads.HashingUploadHandler, "receive_data_chunk", spy)
    return seen


@pytest.fixture
def temp_files(settings):
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    before = set(folder.iterdir())
    return lambda: set(folder.iterdir()) - before


def csrf_client(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(FORM).status_code == 200  # sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


def multipart(fields: dict[str, str], name: str, data: bytes) -> bytes:
    """A multipart body with the fields first (as browsers send a form's hidden token) and the
    file last, under exactly ``name`` (the test client would strip a path from it)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return b"".join(parts)


def post_form(client, token: str | None, data: bytes, name="caps.jsonl"):
    fields = {"csrfmiddlewaretoken": token} if token else {}
    fields["version"] = "1.0.0"
    body = multipart(fields, name, data)
    return client.generic("POST", FORM, body, content_type=MULTIPART_CONTENT)


def test_the_form_is_not_csrf_exempt():
    assert not getattr(views.version_create, "csrf_exempt", False)
    assert views.version_create.streams_files


def test_a_form_post_with_its_csrf_token_streams_through_the_handler(
    dataset, user, chunks_read, temp_files
):
    client, token = csrf_client(user)
    data = jsonl_bytes(20)
    response = post_form(client, token, data)
    assert response.status_code == 302, response.content[:500]
    version = DatasetVersion.objects.get()
    assert version.sha256 == sha(data)
    assert sum(chunks_read) == len(data)  # every byte went through the hashing handler
    assert temp_files() == set()  # moved into storage, nothing left behind


def test_a_form_post_without_the_token_is_refused_and_keeps_nothing(dataset, user, temp_files):
    client, _token = csrf_client(user)
    response = post_form(client, None, jsonl_bytes())
    assert response.status_code == 403
    assert not DatasetVersion.objects.exists()
    assert temp_files() == set()


def test_an_unsafe_file_name_is_refused_on_the_form_too(dataset, user):
    client, token = csrf_client(user)
    response = post_form(client, token, jsonl_bytes(), name="../../etc/passwd")
    assert response.status_code == 400
    assert "is not a plain file name" in str(response.context["form"].errors["file"])
    assert not DatasetVersion.objects.exists()


def test_a_form_body_declared_over_the_limit_is_refused_unread(
    dataset, user, settings, chunks_read, temp_files
):
    client, token = csrf_client(user)
    settings.DATASET_UPLOAD_MAX_BYTES = 1024
    response = post_form(client, token, b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.context["form"].errors["file"] == [
        "Files may be at most 1,024 bytes (DATASET_UPLOAD_MAX_BYTES)."
    ]
    assert chunks_read == []  # not a byte of the file was read
    assert temp_files() == set() and not DatasetVersion.objects.exists()


def test_outsiders_posting_to_the_form_never_reach_the_disk(
    dataset, other_user, chunks_read, client_for
):
    data = jsonl_bytes(50)
    body = {"version": "1", "file": SimpleUploadedFile("c.jsonl", data)}
    assert client_for(other_user).post(FORM, body).status_code == 403
    anonymous = Client().post(FORM, body)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert chunks_read == []
    assert not DatasetVersion.objects.exists()


def test_a_session_api_upload_is_csrf_checked_through_the_same_handler(dataset, user, chunks_read):
    from rest_framework.test import APIClient

    client, token = csrf_client(user)
    api = APIClient(enforce_csrf_checks=True)
    api.cookies = client.cookies  # the same session and CSRF cookie
    data = jsonl_bytes(7)
    body = multipart({"version": "2.0.0"}, "c.jsonl", data)
    url = "/api/v1/datasets/cats/versions/"
    response = api.generic(
        "POST", url, body, content_type=MULTIPART_CONTENT, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sha256"] == sha(data)
    assert sum(chunks_read) == len(data)


def test_a_view_that_receives_files_must_be_marked(rf):
    request = rf.post("/x/", {"a": "b"})
    with pytest.raises(Exception, match="streams_files"):
        uploads.receive(request)
