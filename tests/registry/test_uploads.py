"""Version uploads: streamed, hashed by the server, size-capped; every bad input a clear 4xx."""

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from config import events
from datasets_registry.models import DatasetVersion

from .factories import (
    DatasetFactory,
    csv_bytes,
    gz,
    jsonl_bytes,
    parquet_bytes,
    sha,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/datasets/cats/versions/"


@pytest.fixture
def dataset(card, user):
    return DatasetFactory(slug="cats", owner=user)


def files_under(path) -> list[Path]:
    root = Path(path)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def no_leftovers(settings):
    """Nothing of a refused upload stays on disk: neither stored nor in the temp directory."""
    before = set(files_under(settings.FILE_UPLOAD_TEMP_DIR))
    yield
    assert files_under(settings.MEDIA_ROOT) == []
    assert set(files_under(settings.FILE_UPLOAD_TEMP_DIR)) <= before
    assert not DatasetVersion.objects.exists()


def upload(client, data: bytes, name="captions.jsonl", **fields):
    body = {"file": SimpleUploadedFile(name, data), "version": "1.0.0", **fields}
    return client.post(URL, body, format="multipart")


def test_it_stores_a_version_with_the_server_side_sha256(dataset, user, api_client_for, settings):
    data = jsonl_bytes(5)
    response = upload(api_client_for(user), data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == "1.0.0"
    assert body["sha256"] == sha(data)
    assert body["size"] == len(data)
    assert body["format"] == "jsonl"
    assert body["compression"] == ""
    assert body["row_count"] == 5
    assert body["column_mapping"] == {"caption": "text", "image": "file_name", "license": None}
    assert body["validation_url"].endswith("/api/v1/datasets/cats/versions/1.0.0/validation/")
    version = DatasetVersion.objects.get()
    assert version.file.read() == data
    assert version.created_by == user
    # Stored under the dataset, never under the client's name alone.
    assert version.file.name.startswith("datasets/cats/1.0.0/")


def test_the_event_is_published_inside_the_transaction(dataset, user, api_client_for):
    seen = []

    def handler(event):
        from django.db import connection

        version = event.objects["version"]
        seen.append((version.version, event.objects["actor"], connection.in_atomic_block))

    events.in_transaction("dataset.version_created")(handler)
    try:
        assert upload(api_client_for(user), jsonl_bytes()).status_code == 201
    finally:
        events.unsubscribe(handler)
    assert seen == [("1.0.0", user, True)]


@pytest.mark.parametrize(
    "name, data, fmt, compression, rows, mapping",
    [
        (
            "c.csv",
            csv_bytes(4),
            "csv",
            "",
            4,
            {"caption": "caption", "image": "url", "license": "license"},
        ),
        (
            "c.csv.gz",
            gz(csv_bytes(4)),
            "csv",
            "gzip",
            4,
            {"caption": "caption", "image": "url", "license": "license"},
        ),
        (
            "c.tsv",
            b"URL\tTEXT\nhttps://e.org/a.jpg\ta cat\n",
            "tsv",
            "",
            1,
            {"caption": "TEXT", "image": "URL", "license": None},
        ),
        (
            "c.parquet",
            parquet_bytes(7),
            "parquet",
            "",
            7,
            {"caption": "TEXT", "image": "url", "license": None},
        ),
        (
            "noext",
            jsonl_bytes(2),
            "jsonl",
            "",
            2,
            {"caption": "text", "image": "file_name", "license": None},
        ),
    ],
)
def test_formats_compression_and_columns_are_detected(
    dataset, user, api_client_for, name, data, fmt, compression, rows, mapping
):
    response = upload(api_client_for(user), data, name=name)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["format"], body["compression"], body["row_count"]) == (fmt, compression, rows)
    assert body["column_mapping"] == mapping


def test_zstd_is_detected(dataset, user, api_client_for):
    import zstandard

    data = zstandard.ZstdCompressor().compress(jsonl_bytes(3))
    response = upload(api_client_for(user), data, name="c.jsonl.zst")
    assert response.status_code == 201, response.json()
    assert (response.json()["compression"], response.json()["row_count"]) == ("zstd", 3)


def test_columns_can_be_given(dataset, user, api_client_for):
    data = b'{"img": "a.jpg", "desc": "a cat", "lic": "CC0-1.0"}\n'
    response = upload(
        api_client_for(user), data, caption_column="desc", image_column="img", license_column="lic"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["column_mapping"] == {
        "caption": "desc",
        "image": "img",
        "license": "lic",
    }


def test_a_given_column_must_exist(dataset, user, api_client_for, no_leftovers):
    response = upload(api_client_for(user), jsonl_bytes(), caption_column="nope")
    assert response.status_code == 400
    assert "no column 'nope'" in response.json()["errors"]["caption_column"][0]


def test_a_file_without_caption_column_is_refused(dataset, user, api_client_for, no_leftovers):
    response = upload(api_client_for(user), b'{"a": 1}\n')
    assert response.status_code == 400
    assert "No caption column" in response.json()["errors"]["caption_column"][0]


def test_a_matching_client_sha256_is_accepted(dataset, user, api_client_for):
    data = jsonl_bytes()
    response = upload(api_client_for(user), data, sha256=sha(data).upper())
    assert response.status_code == 201


def test_a_sha256_mismatch_is_refused_and_nothing_kept(dataset, user, api_client_for, no_leftovers):
    response = upload(api_client_for(user), jsonl_bytes(), sha256="0" * 64)
    assert response.status_code == 400
    body = response.json()
    assert "does not match" in body["detail"]
    assert sha(jsonl_bytes()) in body["errors"]["sha256"][0]


def test_a_duplicate_version_label_is_a_conflict(dataset, user, api_client_for):
    client = api_client_for(user)
    assert upload(client, jsonl_bytes()).status_code == 201
    response = upload(client, jsonl_bytes(4))
    assert response.status_code == 409
    assert response.json()["errors"] == {"version": ["This version exists."]}
    assert DatasetVersion.objects.count() == 1
    assert len(files_under(os.environ.get("MEDIA_ROOT_UNUSED", "") or dataset_media())) == 1


def dataset_media():
    from django.conf import settings

    return settings.MEDIA_ROOT


def test_missing_file(dataset, user, api_client_for, no_leftovers):
    response = api_client_for(user).post(URL, {"version": "1.0.0"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_empty_file(dataset, user, api_client_for, no_leftovers):
    response = upload(api_client_for(user), b"")
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["The file is empty."]


def test_a_file_with_only_blank_lines(dataset, user, api_client_for, no_leftovers):
    response = upload(api_client_for(user), b"\n\n  \n")
    assert response.status_code == 400
    assert "no rows" in response.json()["errors"]["file"][0]


def test_an_unknown_format_is_refused(dataset, user, api_client_for, no_leftovers):
    response = upload(api_client_for(user), jsonl_bytes(), format="xml")
    assert response.status_code == 400
    assert "format" in response.json()["errors"]


@pytest.mark.parametrize(
    "data, fmt, field, message",
    [
        (b"url,caption\nx,y\n", "jsonl", "format", "not a JSON object"),
        (jsonl_bytes(), "parquet", "file", "not a readable Parquet file"),
        (parquet_bytes(), "csv", "format", "is Parquet, not csv"),
        (b"\xff\xfe\x00garbage\n", "jsonl", "format", "not UTF-8"),
    ],
)
def test_a_wrong_format_is_refused(
    dataset, user, api_client_for, no_leftovers, data, fmt, field, message
):
    response = upload(api_client_for(user), data, format=fmt)
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]


def test_a_corrupt_gzip_is_refused(dataset, user, api_client_for, no_leftovers):
    data = gz(jsonl_bytes(200))
    corrupt = data[: len(data) // 2]  # truncated
    response = upload(api_client_for(user), corrupt, name="c.jsonl.gz")
    assert response.status_code == 400
    assert "gzip stream is corrupt" in response.json()["errors"]["file"][0]
    flipped = bytearray(data)
    flipped[-6] ^= 0xFF  # CRC mismatch
    response = upload(api_client_for(user), bytes(flipped), name="c.jsonl.gz")
    assert response.status_code == 400


def test_a_corrupt_parquet_is_refused(dataset, user, api_client_for, no_leftovers):
    data = parquet_bytes()
    response = upload(api_client_for(user), data[:-20] + b"PAR1", name="c.parquet")
    assert response.status_code == 400
    assert "not a readable Parquet file" in response.json()["errors"]["file"][0]


def test_a_compressed_parquet_is_refused(dataset, user, api_client_for, no_leftovers):
    response = upload(api_client_for(user), gz(parquet_bytes()), format="parquet")
    assert response.status_code == 400
    assert "Parquet compresses internally" in response.json()["detail"]


def raw_multipart(client, filename: str, data: bytes, **extra):
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="version"\r\n\r\n1.0.0\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return client.generic("POST", URL, body, content_type=MULTIPART_CONTENT, **extra)


@pytest.mark.parametrize(
    "filename", ["../../etc/passwd", "..\\..\\evil.jsonl", "/abs/path.jsonl", "a/../b.jsonl", ".."]
)
def test_a_path_traversal_filename_is_refused(
    dataset, user, api_client_for, no_leftovers, filename
):
    response = raw_multipart(api_client_for(user), filename, jsonl_bytes())
    assert response.status_code == 400
    assert response.json()["detail"] == "The file name contains a path; send a plain file name."
    assert "file" in response.json()["errors"]


def test_a_file_over_the_limit_is_refused_while_streaming(
    dataset, user, api_client_for, settings, no_leftovers
):
    settings.DATASET_UPLOAD_MAX_BYTES = 4096
    data = jsonl_bytes(500)  # ~27 KB: the declared length passes the early check
    assert len(data) > 4096
    response = upload(api_client_for(user), data)
    assert response.status_code == 413
    assert "upload limit of 4,096 bytes" in response.json()["detail"]


def test_a_body_declared_over_the_limit_is_refused_before_reading(
    dataset, user, api_client_for, settings, no_leftovers
):
    settings.DATASET_UPLOAD_MAX_BYTES = 1024
    data = b"x" * (2 * 1024 * 1024)
    response = raw_multipart(api_client_for(user), "big.jsonl", data)
    assert response.status_code == 413
    assert response.json()["errors"]["file"]


def test_outsiders_cannot_upload(dataset, other_user, api_client_for, no_leftovers):
    response = upload(api_client_for(other_user), jsonl_bytes())
    assert response.status_code == 403
    response = upload(api_client_for(None), jsonl_bytes())
    assert response.status_code in (401, 403)


def test_a_maintainer_can_upload(dataset, other_user, api_client_for):
    dataset.maintainers.add(other_user)
    assert upload(api_client_for(other_user), jsonl_bytes()).status_code == 201


def test_uploading_to_someone_elses_private_dataset_is_a_404(
    card, user, other_user, api_client_for, no_leftovers
):
    DatasetFactory(slug="cats", owner=user, visibility="private")
    assert upload(api_client_for(other_user), jsonl_bytes()).status_code == 404


def test_an_invalid_version_label(dataset, user, api_client_for, no_leftovers):
    response = upload(api_client_for(user), jsonl_bytes(), version="../x")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_a_session_upload_needs_the_csrf_token(dataset, user, no_leftovers):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    body = encode_multipart(
        BOUNDARY, {"file": SimpleUploadedFile("c.jsonl", jsonl_bytes()), "version": "1"}
    )
    response = client.generic("POST", URL, body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_versions_list_and_detail(
    dataset, user, api_client_for, api_client, django_assert_num_queries
):
    client = api_client_for(user)
    for label in ("1.0.0", "1.1.0", "2.0.0"):
        body = {"file": SimpleUploadedFile("c.jsonl", jsonl_bytes()), "version": label}
        assert client.post(URL, body, format="multipart").status_code == 201
    with django_assert_num_queries(2):
        response = api_client.get(URL)
    assert [v["version"] for v in response.json()["results"]] == ["2.0.0", "1.1.0", "1.0.0"]
    with django_assert_num_queries(1):
        response = api_client.get(URL + "1.1.0/")
    assert response.json()["sha256"] == sha(jsonl_bytes())


def test_download_checks_permission_and_serves_the_bytes(
    card, user, other_user, api_client_for, client
):
    data = jsonl_bytes()
    DatasetFactory(slug="cats", owner=user)
    assert upload(api_client_for(user), data).status_code == 201
    response = client.get("/datasets/cats/versions/1.0.0/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["X-Content-SHA256"] == sha(data)
    assert "attachment" in response["Content-Disposition"]
    DatasetFactory(slug="hidden", owner=user, visibility="private")
    hidden = "/api/v1/datasets/hidden/versions/"
    body = {"file": SimpleUploadedFile("c.jsonl", data), "version": "1"}
    assert api_client_for(user).post(hidden, body, format="multipart").status_code == 201
    assert client.get("/datasets/hidden/versions/1/download/").status_code == 404
    assert api_client_for(other_user).get(hidden + "1/download/").status_code == 404
    assert api_client_for(user).get(hidden + "1/download/").status_code == 200
