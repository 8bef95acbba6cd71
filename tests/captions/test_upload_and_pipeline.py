"""The engine's limits and hostile inputs as the registry meets them: at upload (the API) and in
the validation pipeline (issue 10 items 10, 12 and 13)."""

import gzip
import json
import time

import pytest
from django.core.files.storage import default_storage

from datasets_registry.captions import rules as rules_module
from datasets_registry.models import DatasetVersion
from datasets_registry.validation import services
from datasets_registry.validation.models import ValidationChunk, ValidationRun
from tests.factories import UserFactory
from tests.validation.factories import DEFECTS, jsonl, make_dataset, upload

from .test_limits import gzip_bomb

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


@pytest.fixture
def eager(settings):
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def api(client):
    user = UserFactory()
    dataset = make_dataset(user)
    client.force_login(user)

    def post(data: bytes, name: str = "captions.jsonl", **fields):
        from django.core.files.uploadedfile import SimpleUploadedFile

        url = f"/api/v1/datasets/{dataset.slug}/versions/"
        body = {"file": SimpleUploadedFile(name, data), "version": "1.0.0", **fields}
        return client.post(url, body)

    return post


def test_a_gzip_bomb_is_refused_at_upload_quickly_naming_the_limit(api, tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb.jsonl.gz", inflated_mib=200)
    data = bomb.read_bytes()
    assert len(data) < 1_000_000
    started = time.monotonic()
    response = api(data, name="bomb.jsonl.gz")
    elapsed = time.monotonic() - started
    assert response.status_code == 400, response.content
    message = response.json()["errors"]["file"][0]
    assert "more than 100 times its compressed size, the expansion-ratio limit" in message
    assert elapsed < 5  # it stopped a few MiB in, not after inflating 200 MiB
    assert not DatasetVersion.objects.exists()


def test_the_row_count_limit_is_applied_at_upload(api, settings):
    settings.DATASET_MAX_ROWS = 5
    response = api(jsonl(DEFECTS))
    assert response.status_code == 400
    assert "more than 5 rows, the row-count limit" in response.json()["errors"]["file"][0]
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": [r["text"] for r in DEFECTS]}), buf)
    response = api(buf.getvalue().to_pybytes(), name="c.parquet")
    assert response.status_code == 400
    assert "6 rows, more than the row-count limit of 5" in response.json()["errors"]["file"][0]


def test_a_single_line_longer_than_16_mib_says_so_at_upload(api):
    data = b'{"text": "' + b"a" * (17 * MIB) + b'"}'
    response = api(data)
    assert response.status_code == 400
    errors = response.json()["errors"]["file"]
    assert errors[0].startswith("Line 1 is longer than 16 MiB")


def test_a_large_compressed_file_is_counted_by_its_validation_run(
    eager, django_capture_on_commit_callbacks, settings
):
    settings.DATASET_UPLOAD_COUNT_BYTES = 1024
    dataset = make_dataset()
    data = gzip.compress(jsonl(DEFECTS * 3000))  # ~800 KB inflated: past the budget
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, data, name="c.jsonl.gz")
        assert version.row_count is None  # not counted in the request
    run = ValidationRun.objects.get(version=version)
    assert run.status == "succeeded", run.error
    version.refresh_from_db()
    assert version.row_count == run.rows_total == 18_000


def test_the_workers_stop_at_the_caps(eager, django_capture_on_commit_callbacks, settings):
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
        settings.DATASET_MAX_ROWS = 5  # lowered after the upload was accepted
    run = ValidationRun.objects.get(version=version)
    assert run.status == "failed"
    assert "more than 5 rows, the row-count limit" in run.error


def test_later_latin1_lines_are_invalid_utf8_issues_of_their_rows(
    eager, django_capture_on_commit_callbacks
):
    dataset = make_dataset()
    lines = jsonl(DEFECTS).splitlines()
    latin1 = '{"file_name": "a/7.jpg", "text": "Un café au lait sur la table."}'.encode("latin-1")
    data = b"\n".join([*lines, latin1, lines[0]]) + b"\n"
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, data)
    run = ValidationRun.objects.get(version=version)
    assert run.status == "succeeded", run.error
    assert run.counts["by_rule"]["invalid_utf8"] == 1
    chunk = run.chunks.get()
    assert chunk.attempts == 1
    with default_storage.open(run.report.name, "rb") as fp:
        report = [json.loads(line) for line in gzip.decompress(fp.read()).splitlines()]
    assert [i["row"] for i in report if i["rule"] == "invalid_utf8"] == [7]
    assert 8 in [i["row"] for i in report if i["rule"] == "duplicate_caption"]


def test_an_input_error_fails_the_run_at_once_with_its_rows_and_is_never_retried(
    no_dispatch_tasks, django_capture_on_commit_callbacks, monkeypatch, settings
):
    import pyarrow as pa

    settings.VALIDATION_MAX_ATTEMPTS = 4
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
        services.run_start(run_id=version.validation_runs.get().pk)

    def boom(self, batch, result):
        raise pa.ArrowInvalid("Invalid UTF8 sequence in input")

    monkeypatch.setattr(rules_module.RuleEngine, "evaluate", boom)
    chunk = ValidationChunk.objects.get()
    assert services.chunk_process(chunk_id=chunk.pk) == "failed"  # no ChunkRetry raised
    chunk.refresh_from_db()
    assert chunk.attempts == 1
    run = ValidationRun.objects.get()
    assert run.status == "failed"
    assert "Rows 1 to 6 cannot be checked: Invalid UTF8 sequence in input" in run.error


@pytest.fixture
def no_dispatch_tasks(monkeypatch):
    from datasets_registry.validation import tasks

    for name in ("start_validation_run", "validate_chunk_task", "finalize_validation_run"):
        monkeypatch.setattr(getattr(tasks, name), "delay", lambda *args: None)
