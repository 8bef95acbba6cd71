"""Downloads stream the file every time: on a fresh process, on every worker, web and API alike.

The defect (issue 16, item 1): ``file_response`` tested ``getattr(storage, "_wrapped", storage)``,
the unset placeholder of Django's lazy ``default_storage`` until first use, and so redirected each
fresh worker's first download to a ``/media/`` address that answers 404.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.functional import empty

from datasets_registry.api import file_response
from datasets_registry.models import DatasetVersion
from tests.conftest import ROOT, worker_environment

from .factories import DatasetFactory, jsonl_bytes, sha

WEB = "/datasets/cats/versions/1.0.0/download/"
API = "/api/v1/datasets/cats/versions/1.0.0/download/"


@pytest.fixture
def stored(card, user, api_client_for):
    DatasetFactory(slug="cats", owner=user)
    data = jsonl_bytes(7)
    body = {"file": SimpleUploadedFile("captions.jsonl", data), "version": "1.0.0"}
    response = api_client_for(user).post(
        "/api/v1/datasets/cats/versions/", body, format="multipart"
    )
    assert response.status_code == 201, response.json()
    return data


def fresh_process_storage():
    """Put ``default_storage`` back in the state of a process that has not touched it yet."""
    default_storage._wrapped = empty


@pytest.mark.django_db
@pytest.mark.parametrize("url", [WEB, API])
def test_it_streams_the_first_download_of_a_fresh_process(stored, client, url):
    fresh_process_storage()
    response = client.get(url)
    assert response.status_code == 200, response.get("Location")
    assert b"".join(response.streaming_content) == stored
    assert response["X-Content-SHA256"] == sha(stored)


@pytest.mark.django_db
def test_it_streams_every_download_not_only_the_first(stored, client):
    for i in range(4):
        if i % 2 == 0:
            fresh_process_storage()
        for url in (WEB, API):
            response = client.get(url)
            assert response.status_code == 200
            assert b"".join(response.streaming_content) == stored


class RemoteStorage(Storage):
    """A storage without local paths (as S3): downloads go to its signed URL."""

    def url(self, name):
        return f"https://bucket.example.org/{name}?X-Amz-Signature=abc"


@pytest.mark.django_db
def test_a_remote_storage_redirects_to_its_signed_url(stored):
    version = DatasetVersion.objects.get(version="1.0.0")
    version.file.storage = RemoteStorage()
    response = file_response(version)
    assert response.status_code == 302
    assert response["Location"].startswith("https://bucket.example.org/")
    assert "X-Amz-Signature" in response["Location"]


def test_storage_kinds_are_told_apart_on_lazy_and_remote_storages():
    from datasets_registry.api import storage_has_local_files

    fresh_process_storage()
    assert storage_has_local_files(default_storage)
    assert not storage_has_local_files(RemoteStorage())
    from storages.backends.s3 import S3Storage

    assert not storage_has_local_files(S3Storage(bucket_name="b", access_key="k", secret_key="s"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_every_gunicorn_worker_streams_its_first_download(stored):
    """Several real gunicorn workers, each fresh: every request answers the bytes, none a 404."""
    port = _free_port()
    env = worker_environment(DEBUG="1", ALLOWED_HOSTS="127.0.0.1")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "3",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        opener = urllib.request.build_opener(NoRedirect)
        # More requests than workers, on new connections: each worker serves its first download.
        for i in range(9):
            url = f"http://127.0.0.1:{port}{WEB if i % 2 else API}"
            with opener.open(url, timeout=30) as response:
                assert response.status == 200
                assert response.read() == stored
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(newurl, code, f"redirected to {newurl}", headers, fp)
