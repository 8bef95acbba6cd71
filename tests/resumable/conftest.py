import hashlib

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from datasets_registry.resumable import storage

URL = "/api/v1/uploads/"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.RESUMABLE_UPLOAD_DIR = str(tmp_path / "uploads")
    storage._hashers.clear()
    yield tmp_path / "uploads"
    storage._hashers.clear()


@pytest.fixture
def tus_for():
    """An API client signed in as ``user`` that speaks tus 1.0 (sends Tus-Resumable)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        client.credentials(HTTP_TUS_RESUMABLE="1.0.0")
        return client

    return make


@pytest.fixture
def token_of():
    def make(user) -> str:
        return api_token_create(user=user, name="tests")[1]

    return make


def create(client, length: int, metadata: str = "", **headers):
    extra = {"HTTP_UPLOAD_LENGTH": str(length), **headers}
    if metadata:
        extra["HTTP_UPLOAD_METADATA"] = metadata
    return client.generic("POST", URL, **extra)


def patch(client, url: str, data: bytes, offset: int, **headers):
    return client.generic(
        "PATCH",
        url,
        data=data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **headers,
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3] if url.startswith("http") else url
