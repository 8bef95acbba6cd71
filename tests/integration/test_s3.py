"""The registry and the validation pipeline on S3 storage, against a real S3-compatible HTTP
server on this machine (moto's server; nothing leaves localhost).

This is how several hosts share files: the web process stores the upload in the bucket, workers
that share no disk with it (each test worker gets its own MEDIA_ROOT and DATA_DIR) read chunks from
the bucket, write their partial results there, and the finaliser merges them into a report that is
served by a signed redirect.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import urllib3
from django.conf import settings as django_settings

from datasets_registry.captions import validate_file
from datasets_registry.validation.models import ValidationChunk, ValidationRun
from tests.captions.helpers import COCO
from tests.validation.factories import DEFECTS, jsonl, make_dataset, upload
from tests.validation.test_integration import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

REGION = "us-east-1"
KEYS = {"access_key": "omi-test", "secret_key": "omi-test-secret"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, tmp_path):
    """A fresh bucket, this process's default storage pointed at it, and the environment a
    worker process needs to use it too (the same variables production sets)."""
    import boto3

    bucket = f"omi-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                **KEYS,
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
    }
    # Nothing may land on this process's disk: a local write would hide a missing S3 path.
    settings.MEDIA_ROOT = str(tmp_path / "web-media")
    env = {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": KEYS["access_key"],
        "S3_SECRET_ACCESS_KEY": KEYS["secret_key"],
    }

    def stored_keys() -> list[str]:
        listing = client.list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listing.get("Contents", [])]

    return SimpleNamespace(env=env, client=client, bucket=bucket, stored_keys=stored_keys)


@pytest.fixture
def eager():
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def _fetch(url: str) -> bytes:
    response = urllib3.request("GET", url, timeout=10)
    assert response.status == 200, response.data[:300]
    return response.data


@pytest.mark.django_db(transaction=True)
def test_upload_validation_report_and_download_go_through_the_bucket(s3, eager, client, tmp_path):
    data = jsonl(DEFECTS)
    path = tmp_path / "defects.jsonl"
    path.write_bytes(data)
    expected = validate_file(str(path)).counts

    dataset = make_dataset()
    version = upload(dataset, data, name="defects.jsonl")
    assert version.file.name in s3.stored_keys()
    run = ValidationRun.objects.get(version=version)
    assert run.status == "succeeded", run.error
    assert run.counts == expected
    assert run.report.name in s3.stored_keys()
    assert not Path(django_settings.MEDIA_ROOT).exists() or not any(
        Path(django_settings.MEDIA_ROOT).rglob("*.*")
    )

    # Downloads are signed redirects to the bucket, and what they give is what was uploaded.
    response = client.get(f"/api/v1/datasets/{dataset.slug}/versions/1.0.0/download/")
    assert response.status_code == 302
    assert response["Location"].startswith(s3.env["S3_ENDPOINT_URL"])
    assert "Signature" in response["Location"]
    downloaded = _fetch(response["Location"])
    assert hashlib.sha256(downloaded).hexdigest() == version.sha256

    report = client.get(
        f"/api/v1/datasets/{dataset.slug}/versions/1.0.0/validation/report.jsonl.gz"
    )
    if report.status_code == 302:
        body = _fetch(report["Location"])
    else:
        assert report.status_code == 200
        body = b"".join(report.streaming_content)
    issues = [json.loads(line) for line in gzip.decompress(body).splitlines()]
    assert issues and all({"row", "rule", "severity"} <= set(issue) for issue in issues)


@pytest.mark.django_db(transaction=True)
def test_workers_that_share_no_disk_finish_a_run_through_the_bucket(
    s3, celery_worker_factory, tmp_path
):
    if not COCO.exists():
        pytest.skip("needs shared/data")
    if not django_settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("the filesystem broker is one host's folder; CI sets a Redis broker")
    data = COCO.read_bytes() * 2  # ~11 MB: about a dozen 1 MiB chunks
    path = tmp_path / "coco2.jsonl"
    path.write_bytes(data)
    expected = validate_file(str(path)).counts

    workers = []
    for name in ("host-a", "host-b"):
        own = tmp_path / name
        own.mkdir()
        workers.append(
            celery_worker_factory(
                **s3.env,
                VALIDATION_CHUNK_BYTES="1048576",
                MEDIA_ROOT=str(own / "media"),
                DATA_DIR=str(own / "data"),
            ).start()
        )
    for worker in workers:
        worker.wait_ready()

    version = upload(make_dataset(), data, name="coco2.jsonl")
    run = ValidationRun.objects.get(version=version)

    def finished():
        run.refresh_from_db()
        return run.status in ValidationRun.DONE

    assert wait_for(finished, timeout=180, step=0.5), f"the run did not finish: {run.status}"
    assert run.status == "succeeded", run.error
    assert run.counts == expected
    assert run.rows_done == run.rows_total == 2 * 25014
    assert run.chunk_count > 4
    assert ValidationChunk.objects.filter(run=run, status="done").count() == run.chunk_count
    stored = set(s3.stored_keys())
    assert run.report.name in stored
    for own in ("host-a", "host-b"):  # the workers kept nothing of the run on their own disks
        media = tmp_path / own / "media"
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_each_chunk_fetches_only_its_own_bytes_from_the_bucket(
    s3, eager, settings, monkeypatch, tmp_path
):
    from storages.backends.s3 import S3Storage

    rows = [
        {"file_name": f"images/{i:06d}.jpg", "text": f"A photograph, number {i}, of a red bicycle."}
        for i in range(6000)
    ]
    data = jsonl(rows)
    path = tmp_path / "bikes.jsonl"
    path.write_bytes(data)
    expected = validate_file(str(path)).counts
    settings.VALIDATION_CHUNK_BYTES = 64 * 1024

    whole_file_opens: list[str] = []
    real_open = S3Storage._open

    def counting_open(storage, name, mode="rb"):
        whole_file_opens.append(name)
        return real_open(storage, name, mode)

    monkeypatch.setattr(S3Storage, "_open", counting_open)
    version = upload(make_dataset(), data, name="bikes.jsonl")
    run = ValidationRun.objects.get(version=version)
    assert run.status == "succeeded", run.error
    assert run.chunk_count >= 5
    assert run.counts == expected
    # The coordinator reads the whole file once to plan; no chunk copies more than its range.
    assert whole_file_opens.count(version.file.name) == 1
