"""Registry benchmark: API registrations per second, list/detail query counts, and upload
throughput for a 200 MB caption file hashed by the server while it streams.

Runs against a throw-away test database (SQLite by default, or ``test_bench_registry`` on the
PostgreSQL server of ``DATABASE_URL``) and a temporary media directory; nothing is left behind.
Registrations go through the whole Django + DRF stack in-process (token authentication, input
validation, JSON Schema check of the metadata, SPDX check). The upload goes over a real HTTP
socket to a WSGI server thread, streamed in 1 MiB chunks, so the figure includes multipart
parsing, sha256 while streaming, the temporary file, the format check and row count, and storage.

    .venv/bin/python bench/run.py registry        (REGISTRY_BENCH_MB=50 for a quicker run)
"""

import hashlib
import http.client
import json
import os
import sys
import threading
import time
from pathlib import Path

N_DATASETS = int(os.environ.get("REGISTRY_BENCH_DATASETS", "1000"))
UPLOAD_MB = int(os.environ.get("REGISTRY_BENCH_MB", "200"))

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway import django_setup, throwaway_database  # noqa: E402

_tmp = django_setup("registry")

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def _payload(i: int) -> dict:
    from tests.registry.factories import VALID_METADATA

    return {
        "name": f"Bench dataset {i}",
        "summary": "Registered by the benchmark.",
        "license": "CC-BY-4.0" if i % 2 else "MIT OR Apache-2.0",
        "standard": "omi-dataset-card@1.0.0",
        "metadata": VALID_METADATA,
        "visibility": "private" if i % 10 == 0 else "public",
    }


def bench_registrations(token: str) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    started = time.perf_counter()
    for i in range(N_DATASETS):
        response = client.post("/api/v1/datasets/", _payload(i), format="json")
        if response.status_code != 201:
            raise SystemExit(
                f"registration {i} failed: {response.status_code} {response.content!r}"
            )
    elapsed = time.perf_counter() - started
    print(f"registrations:        {N_DATASETS} in {elapsed:.2f} s = {N_DATASETS / elapsed:,.0f} /s")

    anonymous = APIClient()
    url, pages, seen = "/api/v1/datasets/?page_size=200", 0, 0
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        while url:
            body = anonymous.get(url).json()
            seen += len(body["results"])
            pages += 1
            url = body["next"]
    elapsed = time.perf_counter() - started
    print(
        f"list (anonymous):     {seen} public datasets in {pages} pages of 200, "
        f"{elapsed * 1000 / pages:.0f} ms/page, {len(ctx.captured_queries) / pages:.0f} queries/page"
    )
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/datasets/?page_size=50")
    print(f"list (owner, 50):     {len(ctx.captured_queries)} queries (incl. token auth)")
    with CaptureQueriesContext(connection) as ctx:
        anonymous.get("/api/v1/datasets/bench-dataset-1/")
    print(f"detail (anonymous):   {len(ctx.captured_queries)} queries")


def _make_file(path: Path, megabytes: int) -> None:
    line = (
        '{"file_name": "images/%08d.jpg", "text": "A small brown dog runs across a sunlit '
        'meadow while a child in a red coat watches from the fence.", "license": "CC-BY-4.0"}\n'
    )
    target = megabytes * 1024 * 1024
    with path.open("w") as fh:
        written, i, batch = 0, 0, []
        while written < target:
            text = line % i
            batch.append(text)
            written += len(text)
            i += 1
            if len(batch) == 10_000:
                fh.write("".join(batch))
                batch.clear()
        fh.write("".join(batch))


def bench_upload(token: str) -> None:
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    path = _tmp / "captions.jsonl"
    _make_file(path, UPLOAD_MB)
    size = path.stat().st_size
    started = time.perf_counter()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    hash_only = time.perf_counter() - started

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), WSGIServer, Quiet)

    def serve():
        try:
            server.serve_forever()
        finally:
            connections.close_all()  # this thread's connection, so the test database can go

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    boundary = "benchboundary7MA4YWxkTrZu0gW"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n1.0.0\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n'
        f"{digest.hexdigest()}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="captions.jsonl"'
        "\r\nContent-Type: application/jsonlines\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        with path.open("rb") as fh:
            while chunk := fh.read(1024 * 1024):
                yield chunk
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=600)
    started = time.perf_counter()
    conn.request(
        "POST",
        "/api/v1/datasets/bench-dataset-1/versions/",
        body=body(),
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
            "Host": "localhost",
        },
    )
    response = conn.getresponse()
    payload = json.loads(response.read())
    elapsed = time.perf_counter() - started
    server.shutdown()
    thread.join(timeout=30)
    if response.status != 201:
        raise SystemExit(f"upload failed: {response.status} {payload}")
    assert payload["sha256"] == digest.hexdigest()
    mb = size / 1024 / 1024
    print(
        f"upload:               {mb:.0f} MB ({payload['row_count']:,} rows) in {elapsed:.2f} s "
        f"= {mb / elapsed:.0f} MB/s end to end (stream, sha256, temp file, row count, store)"
    )
    print(f"sha256 alone:         {mb / hash_only:.0f} MB/s (the hashing ceiling on this machine)")


def main() -> None:
    from rest_framework.throttling import SimpleRateThrottle

    from accounts.services import api_token_create
    from config import events
    from datasets_registry.bootstrap import ensure_omi_dataset_card
    from datasets_registry.validation.handlers import validate_new_version
    from tests.factories import UserFactory

    old_media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = str(_tmp / "media")
    # Measure the registry, not the throttle or the validation queue.
    SimpleRateThrottle.THROTTLE_RATES.update({"user": None, "anon": None})
    events.unsubscribe(validate_new_version)
    try:
        with throwaway_database("bench_registry", _tmp):
            print(f"database: {connection.vendor}; {N_DATASETS} datasets; {UPLOAD_MB} MB upload")
            ensure_omi_dataset_card()
            user = UserFactory(username="bench")
            _, token = api_token_create(user=user, name="bench")
            bench_registrations(token)
            bench_upload(token)
    finally:
        events.in_transaction("dataset.version_created")(validate_new_version)
        settings.MEDIA_ROOT = old_media


if __name__ == "__main__":
    main()
