"""`omi datasets upload`: resumable, verified end to end, and clear when refused."""

from __future__ import annotations

import hashlib
import json
import os
from urllib.parse import urlsplit

import pytest

from datasets_registry.models import DatasetVersion
from datasets_registry.resumable.models import Upload
from tests.validation.factories import CLEAN, make_dataset

from .conftest import parse
from .proxy import CuttingProxy

MiB = 1024 * 1024


def caption_file(tmp_path, megabytes: float, name: str = "captions.jsonl"):
    """A JSON Lines caption file of about ``megabytes`` MiB with varied, valid captions."""
    lines, size, i = [], 0, 0
    noise = os.urandom(int(megabytes * MiB) // 2).hex()
    while size < megabytes * MiB:
        line = json.dumps(
            {"file_name": f"img/{i}.jpg", "text": f"{CLEAN[i % 4]} {noise[i * 40 : i * 40 + 40]}"}
        )
        lines.append(line)
        size += len(line) + 1
        i += 1
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def cats(uploader):
    return make_dataset(uploader, slug="cats")


@pytest.fixture
def proxy(live_server):
    parts = urlsplit(live_server.url)
    proxy = CuttingProxy((parts.hostname, parts.port))
    yield proxy
    proxy.close()


def test_it_uploads_verifies_and_creates_the_version(omi, cats, tmp_path):
    path = caption_file(tmp_path, 1.5)
    code, out, err = omi(
        "datasets", "upload", "cats", path, "--version", "1.0.0", "--chunk-size", "0.5", "--json"
    )
    assert code == 0, err
    body = parse(out)
    assert (body["version"], body["sha256"], body["size"]) == (
        "1.0.0",
        sha(path),
        path.stat().st_size,
    )
    assert body["upload"]["resumed_from"] == 0
    version = DatasetVersion.objects.get()
    assert version.sha256 == sha(path)
    assert version.file.read() == path.read_bytes()
    assert version.original_filename == "captions.jsonl"
    upload = Upload.objects.get()
    assert (upload.status, upload.used_for) == ("consumed", "dataset cats version 1.0.0")


def test_the_human_output_says_what_was_stored(omi, cats, tmp_path):
    path = caption_file(tmp_path, 0.2)
    code, out, _ = omi("datasets", "upload", "cats", path, "--version", "2024-06", "--no-checksum")
    assert code == 0
    assert "Version 2024-06 of cats is stored" in out
    assert sha(path) in out
    assert "omi validation wait cats 2024-06" in out


def test_a_connection_killed_halfway_is_resumed_from_the_servers_offset(omi, cats, tmp_path, proxy):
    path = caption_file(tmp_path, 4)
    size = path.stat().st_size
    proxy.cut_after = int(2.5 * MiB)  # in the middle of the third chunk
    code, out, err = omi(
        "datasets",
        "upload",
        "cats",
        path,
        "--version",
        "1.0.0",
        "--chunk-size",
        "1",
        "--json",
        "--url",
        proxy.url,
    )
    assert code == 0, err
    assert proxy.cuts == 1
    body = parse(out)
    assert body["sha256"] == sha(path) == DatasetVersion.objects.get().sha256
    # Only the chunk the cut fell in was sent twice.
    assert size < body["upload"]["sent"] <= size + MiB
    assert "retrying" in err


def test_an_interrupted_upload_resumes_when_the_command_runs_again(omi, cats, tmp_path, proxy):
    path = caption_file(tmp_path, 4)
    size = path.stat().st_size
    proxy.cut_after = int(2.5 * MiB)
    args = (
        "datasets",
        "upload",
        "cats",
        path,
        "--version",
        "1.0.0",
        "--chunk-size",
        "1",
        "--url",
        proxy.url,
    )
    code, out, err = omi(*args, "--retries", "0")
    assert code == 1
    assert "The upload stopped at 2,097,152 of" in err
    assert "Run the same command again to resume" in err
    assert not DatasetVersion.objects.exists()
    assert Upload.objects.get().offset == 2 * MiB

    code, out, err = omi(*args, "--json")
    assert code == 0, err
    body = parse(out)
    assert body["upload"]["resumed_from"] == 2 * MiB
    assert body["upload"]["sent"] == size - 2 * MiB
    assert body["sha256"] == sha(path)
    assert Upload.objects.count() == 1  # the same upload, finished


def test_a_wrong_token_is_refused_clearly(omi, cats, tmp_path):
    code, _out, err = omi("whoami", "--token", "omi_not-a-real-token")
    assert code == 1
    assert "Invalid or revoked token" in err
    assert "omi login" in err
    code, _, err = omi(
        "datasets",
        "upload",
        "cats",
        caption_file(tmp_path, 0.1),
        "--version",
        "1",
        "--token",
        "omi_wrong",
    )
    assert code == 1
    assert "Invalid or revoked token" in err


def test_someone_elses_private_dataset_is_not_found_and_nothing_is_sent(omi, tmp_path):
    from tests.factories import UserFactory

    make_dataset(UserFactory(username="owner"), slug="secret", visibility="private")
    code, out, err = omi(
        "datasets", "upload", "secret", caption_file(tmp_path, 0.1), "--version", "1.0.0", "--json"
    )
    assert code == 1
    assert "No dataset 'secret'" in err
    assert "private" in err
    assert parse(out)["error"]["status"] == 404
    assert not Upload.objects.exists()


def test_a_public_dataset_you_do_not_maintain_is_refused_before_any_byte(omi, tmp_path):
    from tests.factories import UserFactory

    make_dataset(UserFactory(username="owner"), slug="theirs")
    code, _, err = omi(
        "datasets", "upload", "theirs", caption_file(tmp_path, 0.1), "--version", "1.0.0"
    )
    assert code == 1
    assert "Only the dataset's owner, its maintainers and staff may upload" in err
    assert not Upload.objects.exists()


def test_a_file_over_the_size_limit_is_413_with_the_limit(omi, cats, tmp_path, settings):
    settings.DATASET_UPLOAD_MAX_BYTES = 50_000
    code, out, err = omi(
        "datasets", "upload", "cats", caption_file(tmp_path, 0.1), "--version", "1.0.0", "--json"
    )
    assert code == 1
    assert "larger than the upload limit of 50,000 bytes" in err
    assert parse(out)["error"]["status"] == 413


def test_an_existing_version_label_is_refused_before_uploading(omi, cats, tmp_path):
    path = caption_file(tmp_path, 0.1)
    assert omi("datasets", "upload", "cats", path, "--version", "1.0.0")[0] == 0
    code, _, err = omi("datasets", "upload", "cats", path, "--version", "1.0.0")
    assert code == 1
    assert "already has a version '1.0.0'" in err
    assert Upload.objects.count() == 1


def test_too_many_requests_is_a_clear_429(omi, cats, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "2/min", "tokens": "100/min"},
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        results = [omi("datasets", "show", "cats", "--retries", "0") for _ in range(3)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert [code for code, _, _ in results] == [0, 0, 1]
    err = results[2][2]
    assert "The server is limiting your requests (429)" in err
    assert "Try again in" in err


def test_a_server_side_checksum_mismatch_is_caught(omi, cats, tmp_path, monkeypatch):
    """The client compares the server's sha256 with its own; a file changed under it fails."""
    from omi_commons_client import uploads

    path = caption_file(tmp_path, 0.2)
    original = uploads._hash_prefix

    def tampered(p, length):
        digest = original(p, length)
        digest.update(b"not what was sent")
        return digest

    monkeypatch.setattr(uploads, "_hash_prefix", tampered)
    code, _, err = omi("datasets", "upload", "cats", path, "--version", "1.0.0")
    assert code == 1
    assert "The server computed sha256" in err
    assert not DatasetVersion.objects.exists()
    assert Upload.objects.get().status == "terminated"  # its quota given back
