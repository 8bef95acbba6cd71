"""Over real HTTP: a third-party tus client (tuspy) uploads, and a web process SIGKILLed in the
middle of a PATCH loses at most the bytes since its last checkpoint."""

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from tusclient import client as tus_client

from datasets_registry.resumable.models import Upload
from tests.conftest import ROOT, worker_environment
from tests.factories import UserFactory

from .conftest import sha

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("chunk_size", "checksum"), [(None, False), (64 * 1024, True)])
def test_tuspy_uploads_to_the_server(live_server, token_of, tmp_path, chunk_size, checksum):
    data = os.urandom(300_000)
    path = tmp_path / "captions.jsonl"
    path.write_bytes(data)
    key = token_of(UserFactory(username="tuspy"))
    client = tus_client.TusClient(
        live_server.url + "/api/v1/uploads/", headers={"Authorization": f"Token {key}"}
    )
    options = {"chunk_size": chunk_size} if chunk_size else {}
    uploader = client.uploader(
        str(path), metadata={"filename": "captions.jsonl"}, upload_checksum=checksum, **options
    )
    uploader.upload()
    assert uploader.offset == len(data)
    body = requests.get(uploader.url, headers={"Authorization": f"Token {key}"}, timeout=10).json()
    assert (body["status"], body["sha256"], body["filename"]) == (
        "complete",
        sha(data),
        "captions.jsonl",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WebProcess:
    """gunicorn serving the site against the test database, in its own process group."""

    def __init__(self, env):
        self.env = env
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                if requests.options(self.url + "/api/v1/uploads/", timeout=15).status_code == 204:
                    return
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited before it answered")
            time.sleep(0.2)
        self.kill()
        raise TimeoutError("gunicorn did not answer")

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def test_a_web_process_killed_mid_patch_loses_at_most_the_last_checkpoint(
    token_of, upload_dir, settings
):
    checkpoint = 64 * 1024
    data = os.urandom(2 * 1024 * 1024)
    key = token_of(UserFactory(username="killed"))
    auth = {"Authorization": f"Token {key}", "Tus-Resumable": "1.0.0"}
    env = worker_environment(
        # The test database may have no cache table (it is created only if the database cache
        # was configured when the test database was): the server keeps its own throttle counts.
        CACHE_URL="locmem://",
        RESUMABLE_UPLOAD_DIR=str(upload_dir),
        RESUMABLE_UPLOAD_CHECKPOINT_BYTES=str(checkpoint),
    )
    web = WebProcess(env)
    try:
        created = requests.post(
            web.url + "/api/v1/uploads/",
            headers={**auth, "Upload-Length": str(len(data))},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        location = created.headers["Location"]
        # A raw PATCH: announce every byte, send a bit more than half, then kill the server.
        path = location.split(str(web.port), 1)[1]
        sent = len(data) // 2 + 12_345
        sock = socket.create_connection(("127.0.0.1", web.port))
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{web.port}\r\n"
            f"Authorization: Token {key}\r\nTus-Resumable: 1.0.0\r\n"
            "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        sock.sendall(head.encode() + data[:sent])
        upload = Upload.objects.get()
        deadline = time.monotonic() + 30
        while Upload.objects.get(pk=upload.pk).offset < sent - checkpoint:
            assert time.monotonic() < deadline, "the server never committed a checkpoint"
            time.sleep(0.05)
        time.sleep(0.2)
        web.kill()
        sock.close()
    finally:
        web.kill()
    kept = Upload.objects.get(pk=upload.pk).offset
    assert sent - checkpoint <= kept <= sent
    assert kept % checkpoint == 0 or kept == sent

    web = WebProcess(env)
    location = web.url + path  # the restarted server listens elsewhere
    try:
        head = requests.head(location, headers=auth, timeout=10)
        assert int(head.headers["Upload-Offset"]) == kept
        rest = requests.patch(
            location,
            data=data[kept:],
            headers={
                **auth,
                "Upload-Offset": str(kept),
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=60,
        )
        assert rest.status_code == 204, rest.text
        body = requests.get(location, headers=auth, timeout=10).json()
    finally:
        web.kill()
    assert body["status"] == "complete"
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
