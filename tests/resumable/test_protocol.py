"""tus 1.0 at /api/v1/uploads/: core, creation, termination, checksum and expiration."""

import base64
import email.utils
import os
import re

import pytest

from config import events
from datasets_registry.resumable import storage, tus
from datasets_registry.resumable.models import Upload

from .conftest import URL, create, patch, path_of, sha

pytestmark = pytest.mark.django_db

DATA = os.urandom(300_000)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def new_upload(client, data=DATA, metadata=None) -> str:
    response = create(client, len(data), metadata or f"filename {b64('captions.jsonl')}")
    assert response.status_code == 201, response.content
    return path_of(response["Location"])


# --- discovery and versions --------------------------------------------------------------------


def test_options_tells_versions_extensions_size_and_checksums_to_anyone(client, settings):
    settings.DATASET_UPLOAD_MAX_BYTES = 123_456
    response = client.options(URL)
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {
        "creation",
        "expiration",
        "termination",
        "checksum",
    }
    assert response["Tus-Max-Size"] == "123456"
    assert "sha256" in response["Tus-Checksum-Algorithm"].split(",")
    assert "sha1" in response["Tus-Checksum-Algorithm"].split(",")


def test_it_refuses_another_protocol_version_with_412_and_its_versions(user, api_client_for):
    client = api_client_for(user)
    for version in (None, "0.2.2"):
        headers = {"HTTP_UPLOAD_LENGTH": "10"}
        if version:
            headers["HTTP_TUS_RESUMABLE"] = version
        response = client.generic("POST", URL, **headers)
        assert response.status_code == 412
        assert response["Tus-Version"] == "1.0.0"
        assert "Tus-Resumable" in response.json()["errors"]
    assert not Upload.objects.exists()


def test_every_response_carries_tus_resumable_and_is_not_cached(user, tus_for):
    client = tus_for(user)
    url = new_upload(client)
    for response in (
        client.head(url),
        client.get(url),
        client.head(URL + "00000000-0000-0000-0000-000000000000/"),
    ):
        assert response["Tus-Resumable"] == "1.0.0"
        assert response["Cache-Control"] == "no-store"


def test_anonymous_requests_are_refused(tus_for):
    response = create(tus_for(None), 10)
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "errors"}


# --- creation ----------------------------------------------------------------------------------


def test_it_creates_an_upload_with_location_expiry_and_an_event(user, tus_for):
    with events.capture() as published:
        response = create(tus_for(user), len(DATA), f"filename {b64('caps.jsonl')},flag")
    assert response.status_code == 201
    assert re.fullmatch(r"http://testserver/api/v1/uploads/[0-9a-f-]{36}/", response["Location"])
    expires = email.utils.parsedate_to_datetime(response["Upload-Expires"])
    upload = Upload.objects.get()
    assert abs((expires - upload.expires_at).total_seconds()) < 1
    assert response["Upload-Expires"].endswith(" GMT")
    assert (upload.user, upload.length, upload.offset, upload.filename) == (
        user,
        len(DATA),
        0,
        "caps.jsonl",
    )
    assert upload.metadata == {"filename": "caps.jsonl", "flag": None}
    [event] = [e for e in published if e.name.startswith("upload.")]
    assert event.name == "upload.created"
    assert event.payload == {
        "upload": str(upload.pk),
        "filename": "caps.jsonl",
        "length": len(DATA),
    }
    assert event.public is False
    assert event.subject == {"type": "upload", "ref": str(upload.pk)}
    assert event.url == f"/api/v1/uploads/{upload.pk}/"


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({}, "Upload-Length"),
        ({"HTTP_UPLOAD_LENGTH": "ten"}, "Upload-Length"),
        ({"HTTP_UPLOAD_LENGTH": "-5"}, "Upload-Length"),
        ({"HTTP_UPLOAD_LENGTH": "0"}, "Upload-Length"),
        ({"HTTP_UPLOAD_DEFER_LENGTH": "1"}, "Upload-Defer-Length"),
        ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "filename !!!"}, "Upload-Metadata"),
        ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "a YQ==,a YQ=="}, "Upload-Metadata"),
        (
            {
                "HTTP_UPLOAD_LENGTH": "10",
                "HTTP_UPLOAD_METADATA": "filename " + b64("../../etc/passwd"),
            },
            "Upload-Metadata",
        ),
        ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "x" * 9000}, "Upload-Metadata"),
    ],
)
def test_bad_creation_headers_are_400_naming_the_header(user, tus_for, headers, field):
    response = tus_for(user).generic("POST", URL, **headers)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Upload.objects.exists()


def test_a_creation_with_a_body_is_refused(user, tus_for):
    response = tus_for(user).generic(
        "POST",
        URL,
        data=b"hello",
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_LENGTH="5",
    )
    assert response.status_code == 400
    assert "PATCH" in response.json()["detail"]


def test_over_the_size_limit_is_413(user, tus_for, settings):
    settings.DATASET_UPLOAD_MAX_BYTES = 1000
    response = create(tus_for(user), 1001)
    assert response.status_code == 413
    assert "1,000 bytes" in response.json()["detail"]
    assert not Upload.objects.exists()


def test_per_user_quota_of_bytes_is_413_and_of_uploads_409(user, other_user, tus_for, settings):
    settings.RESUMABLE_UPLOAD_QUOTA_BYTES = 1000
    settings.RESUMABLE_UPLOAD_MAX_ACTIVE = 2
    client = tus_for(user)
    assert create(client, 600).status_code == 201
    response = create(client, 500)
    assert response.status_code == 413
    assert "quota of 1,000 bytes" in response.json()["detail"]
    assert "400 are free" in response.json()["detail"]
    assert create(client, 400).status_code == 201
    response = create(client, 1)
    assert response.status_code == 409
    assert "2 uploads" in response.json()["detail"]
    # Quotas are per person.
    assert create(tus_for(other_user), 1000).status_code == 201
    # A deleted upload frees its share.
    first = Upload.objects.filter(user=user, length=600).get()
    assert tus_for(user).delete(first.get_absolute_url()).status_code == 204
    assert create(client, 600).status_code == 201


# --- HEAD and GET ------------------------------------------------------------------------------


def test_head_tells_offset_length_and_the_metadata_as_sent(user, tus_for):
    client = tus_for(user)
    metadata = f"filename {b64('caps.jsonl')},dataset_hint {b64('x')}"
    url = new_upload(client, metadata=metadata)
    response = client.head(url)
    assert response.status_code == 200
    assert response["Upload-Offset"] == "0"
    assert response["Upload-Length"] == str(len(DATA))
    assert response["Upload-Metadata"] == metadata
    assert "Upload-Expires" in response
    assert response.content == b""


def test_someone_elses_or_an_unknown_upload_is_404(user, other_user, tus_for):
    url = new_upload(tus_for(user))
    stranger = tus_for(other_user)
    assert stranger.head(url).status_code == 404
    assert patch(stranger, url, b"abc", 0).status_code == 404
    assert stranger.delete(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert tus_for(user).head(URL + "00000000-0000-0000-0000-000000000000/").status_code == 404


def test_get_lists_my_live_uploads_and_quota(user, other_user, tus_for):
    new_upload(tus_for(user))
    new_upload(tus_for(other_user))
    body = tus_for(user).get(URL).json()
    assert body["user"]["username"] == user.username
    assert [u["length"] for u in body["results"]] == [len(DATA)]
    assert body["quota"]["reserved_bytes"] == len(DATA)
    assert body["quota"]["active_uploads"] == 1
    assert body["next"] is None


# --- PATCH -------------------------------------------------------------------------------------


def test_one_patch_completes_the_upload_with_the_servers_sha256(user, tus_for):
    client = tus_for(user)
    url = new_upload(client)
    with events.capture() as published:
        response = patch(client, url, DATA, 0)
    assert response.status_code == 204
    assert response["Upload-Offset"] == str(len(DATA))
    assert "Upload-Expires" not in response  # complete: no longer an unfinished upload
    body = client.get(url).json()
    assert body["status"] == "complete"
    assert body["sha256"] == sha(DATA)
    [event] = [e for e in published if e.name.startswith("upload.")]
    assert event.name == "upload.completed"
    assert event.payload["sha256"] == sha(DATA)
    assert event.payload["length"] == len(DATA)


@pytest.mark.parametrize("algorithm", ["sha256", "sha1"])
def test_pieces_with_checksums_build_the_file(user, tus_for, algorithm):
    client = tus_for(user)
    url = new_upload(client)
    for start in range(0, len(DATA), 70_000):
        piece = DATA[start : start + 70_000]
        response = patch(
            client, url, piece, start, HTTP_UPLOAD_CHECKSUM=tus.checksum_header(algorithm, piece)
        )
        assert response.status_code == 204, response.content
        assert response["Upload-Offset"] == str(start + len(piece))
    assert client.get(url).json()["sha256"] == sha(DATA)
    assert storage.path_of(Upload.objects.get().pk).read_bytes() == DATA


def test_a_patch_at_another_offset_is_409_and_changes_nothing(user, tus_for):
    client = tus_for(user)
    url = new_upload(client)
    assert patch(client, url, DATA[:1000], 0).status_code == 204
    for offset in (0, 500, 2000):
        response = patch(client, url, DATA[offset : offset + 10], offset)
        assert response.status_code == 409
        assert "holds 1,000 bytes" in response.json()["detail"]
    assert client.head(url)["Upload-Offset"] == "1000"


def test_a_checksum_mismatch_is_460_and_keeps_nothing(user, tus_for):
    client = tus_for(user)
    url = new_upload(client)
    assert patch(client, url, DATA[:1000], 0).status_code == 204
    response = patch(
        client,
        url,
        DATA[1000:2000],
        1000,
        HTTP_UPLOAD_CHECKSUM=tus.checksum_header("sha256", b"something else"),
    )
    assert response.status_code == 460
    assert client.head(url)["Upload-Offset"] == "1000"
    assert storage.path_of(Upload.objects.get().pk).stat().st_size == 1000
    assert patch(client, url, DATA[1000:], 1000).status_code == 204
    assert client.get(url).json()["sha256"] == sha(DATA)


@pytest.mark.parametrize(
    "header", ["md5 1B2M2Y8AsgTpgAmY7PhCfg==", "sha256 not-base64!", "sha256 YWJj", "sha256"]
)
def test_a_malformed_or_unsupported_checksum_is_400(user, tus_for, header):
    client = tus_for(user)
    url = new_upload(client)
    response = patch(client, url, DATA[:10], 0, HTTP_UPLOAD_CHECKSUM=header)
    assert response.status_code == 400
    assert "Upload-Checksum" in response.json()["errors"]
    assert client.head(url)["Upload-Offset"] == "0"


def test_patch_needs_the_offset_stream_media_type_and_an_offset(user, tus_for):
    client = tus_for(user)
    url = new_upload(client)
    response = client.generic(
        "PATCH", url, data=b"abc", content_type="application/json", HTTP_UPLOAD_OFFSET="0"
    )
    assert response.status_code == 415
    response = client.generic(
        "PATCH", url, data=b"abc", content_type="application/offset+octet-stream"
    )
    assert response.status_code == 400
    assert "Upload-Offset" in response.json()["errors"]
    response = patch(client, url, b"abc", 0, HTTP_UPLOAD_LENGTH="5")
    assert response.status_code == 400
    assert "Upload-Length" in response.json()["errors"]


def test_bytes_past_the_upload_length_are_413(user, tus_for):
    client = tus_for(user)
    url = new_upload(client, data=b"x" * 100)
    response = patch(client, url, b"x" * 101, 0)
    assert response.status_code == 413
    assert client.head(url)["Upload-Offset"] == "0"


def test_a_complete_upload_takes_no_more_bytes(user, tus_for):
    client = tus_for(user)
    url = new_upload(client, data=b"x" * 100)
    assert patch(client, url, b"x" * 100, 0).status_code == 204
    response = patch(client, url, b"", 100)
    assert response.status_code == 204, response.content  # a retried last PATCH: harmless
    assert patch(client, url, b"x", 100).status_code == 409


def test_method_override_for_clients_without_patch(user, tus_for):
    client = tus_for(user)
    url = new_upload(client, data=b"x" * 10)
    response = client.generic(
        "POST",
        url,
        data=b"x" * 10,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        HTTP_X_HTTP_METHOD_OVERRIDE="PATCH",
    )
    assert response.status_code == 204
    assert response["Upload-Offset"] == "10"


# --- termination -------------------------------------------------------------------------------


def test_delete_terminates_and_later_requests_are_410(
    user, tus_for, django_capture_on_commit_callbacks
):
    client = tus_for(user)
    url = new_upload(client)
    assert patch(client, url, DATA[:1000], 0).status_code == 204
    upload = Upload.objects.get()
    with events.capture() as published, django_capture_on_commit_callbacks(execute=True):
        assert client.delete(url).status_code == 204
    assert not storage.path_of(upload.pk).exists()
    assert [e.name for e in published if e.name.startswith("upload.")] == ["upload.terminated"]
    assert client.head(url).status_code == 410
    assert patch(client, url, DATA[1000:], 1000).status_code == 410
    assert client.delete(url).status_code == 410
    assert "deleted" in client.get(url).json()["detail"]


# --- expiration --------------------------------------------------------------------------------


def test_an_upload_past_its_expiry_is_410_and_the_sweeper_deletes_its_bytes(
    user, tus_for, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from datasets_registry.resumable import services

    client = tus_for(user)
    url = new_upload(client)
    assert patch(client, url, DATA[:1000], 0).status_code == 204
    upload = Upload.objects.get()
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.head(url).status_code == 410
    assert patch(client, url, DATA[1000:], 1000).status_code == 410
    with events.capture() as published, django_capture_on_commit_callbacks(execute=True):
        counts = services.uploads_expire()
    assert counts["expired"] == 1
    assert not storage.path_of(upload.pk).exists()
    [event] = [e for e in published if e.name.startswith("upload.")]
    assert event.name == "upload.expired"
    assert (event.payload["offset"], event.payload["length"]) == (1000, len(DATA))
    assert services.uploads_expire()["expired"] == 0  # idempotent
    assert client.head(url).status_code == 410  # remembered
    later = timezone.now() + timedelta(days=8)
    assert services.uploads_expire(now=later)["forgotten"] == 1
    assert client.head(url).status_code == 404


def test_each_patch_pushes_the_expiry_back(user, tus_for, settings):
    settings.RESUMABLE_UPLOAD_EXPIRY_SECONDS = 3600
    client = tus_for(user)
    url = new_upload(client)
    first = Upload.objects.get().expires_at
    response = patch(client, url, DATA[:10], 0)
    assert email.utils.parsedate_to_datetime(response["Upload-Expires"]) >= first.replace(
        microsecond=0
    )
    assert Upload.objects.get().expires_at >= first


def test_the_sweeper_removes_partial_files_no_live_upload_owns(user, tus_for, upload_dir):
    import time
    import uuid

    from datasets_registry.resumable import services

    orphan = storage.path_of(uuid.uuid4())
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    client = tus_for(user)
    url = new_upload(client)
    assert patch(client, url, DATA[:10], 0).status_code == 204
    live = storage.path_of(Upload.objects.get().pk)
    old = time.time() - 7200
    for path in (orphan, live):
        os.utime(path, (old, old))
    assert services.uploads_expire()["orphans"] == 1
    assert not orphan.exists() and live.exists()


def test_the_sweeper_task_is_on_the_beat_schedule():
    from config.celery import app

    entries = [e["task"] for e in app.conf.beat_schedule.values()]
    assert "datasets_registry.resumable.tasks.expire_uploads" in entries
