"""The pipeline with eager tasks and step by step: results, idempotency, leases, failures."""

import gzip
import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from config.errors import Conflict, NotAllowed
from datasets_registry.captions import ENGINE_VERSION, validate_file
from datasets_registry.validation import services
from datasets_registry.validation.models import IssueSample, ValidationChunk, ValidationRun
from tests.factories import UserFactory

from .factories import CLEAN, DEFECTS, jsonl, make_dataset, upload

pytestmark = pytest.mark.django_db


def _report(run):
    with default_storage.open(run.report.name, "rb") as fp:
        return [json.loads(line) for line in gzip.decompress(fp.read()).splitlines()]


def test_it_validates_an_upload_after_commit(eager, django_capture_on_commit_callbacks, tmp_path):
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    run = ValidationRun.objects.get(version=version)
    assert run.status == "succeeded", run.error
    assert (run.rows_done, run.rows_total) == (6, 6)
    assert run.counts["by_rule"] == {
        "caption_empty": 1,
        "caption_too_short": 1,
        "duplicate_caption": 1,
        "placeholder_caption": 1,
        "stray_whitespace": 1,
    }
    assert run.counts["by_severity"] == {"error": 2, "warning": 3}
    assert run.issue_count == 5
    assert run.dataset_sha256 == version.sha256
    assert run.standard_sha256 == dataset.standard_version.sha256
    assert run.engine_version == ENGINE_VERSION
    report = _report(run)
    assert [(i["row"], i["rule"]) for i in report] == [
        (2, "caption_empty"),
        (3, "caption_too_short"),
        (3, "placeholder_caption"),
        (5, "duplicate_caption"),
        (6, "stray_whitespace"),
    ]
    assert IssueSample.objects.filter(run=run).count() == 5
    # the same as the command line engine on the same bytes
    path = tmp_path / "c.jsonl"
    path.write_bytes(jsonl(DEFECTS))
    assert validate_file(str(path), rules=run.rules).counts == run.counts
    # chunk scratch files are removed once the report is written
    assert not any(
        n.endswith(".npz") for n in default_storage.listdir(f"validation/runs/{run.pk}")[1]
    )


def test_many_chunks_give_the_same_counts_and_cross_chunk_duplicates(
    eager, django_capture_on_commit_callbacks, settings
):
    settings.VALIDATION_CHUNK_BYTES = 2000
    rows = [
        {"file_name": f"i/{i}.jpg", "text": f"A dog number {i} sleeps on a red sofa."}
        for i in range(300)
    ]
    rows[250]["text"] = rows[2]["text"]
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(rows))
    run = ValidationRun.objects.get(version=version)
    assert run.status == "succeeded", run.error
    assert run.chunk_count > 10
    assert run.counts["by_rule"] == {"duplicate_caption": 1}
    assert _report(run)[0]["message"] == "The same caption appears in row 3."
    assert run.rows_done == 300


def test_a_redelivered_chunk_never_counts_twice(
    no_dispatch, django_capture_on_commit_callbacks, settings
):
    settings.VALIDATION_CHUNK_BYTES = 200
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    run = ValidationRun.objects.get(version=version)
    assert no_dispatch == [("start_validation_run", (run.pk,))]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_start(run_id=run.pk) == "started"
    assert services.run_start(run_id=run.pk) == "skipped"  # a second coordinator does nothing
    chunks = list(run.chunks.order_by("index"))
    assert len(chunks) > 1
    for chunk in chunks:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.chunk_process(chunk_id=chunk.pk) == "done"
        assert services.chunk_process(chunk_id=chunk.pk) == "skipped"  # redelivered
    assert ("finalize_validation_run", (run.pk,)) in no_dispatch
    assert services.run_finalize(run_id=run.pk) == "succeeded"
    assert services.run_finalize(run_id=run.pk) == "skipped"
    run.refresh_from_db()
    assert run.issue_count == 5 and run.rows_done == 6
    assert IssueSample.objects.filter(run=run).count() == 5


def test_a_chunk_is_held_by_one_worker_until_its_lease_expires(
    no_dispatch, django_capture_on_commit_callbacks
):
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
        services.run_start(run_id=version.validation_runs.get().pk)
    chunk = ValidationChunk.objects.get()
    # Another worker holds the lease: this copy must not run it.
    ValidationChunk.objects.filter(pk=chunk.pk).update(
        status="running",
        lease_token="other",
        lease_expires_at=timezone.now() + timedelta(minutes=5),
        attempts=1,
    )
    assert services.chunk_process(chunk_id=chunk.pk) == "skipped"
    assert services.sweep()["redispatched"] == 0
    # That worker died: once the lease expires, the sweeper hands the chunk out again.
    ValidationChunk.objects.filter(pk=chunk.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    no_dispatch.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["redispatched"] == 1
    assert no_dispatch == [("validate_chunk_task", (chunk.pk,))]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.chunk_process(chunk_id=chunk.pk) == "done"
    assert services.run_finalize(run_id=chunk.run_id) == "succeeded"
    chunk.refresh_from_db()
    assert chunk.attempts == 2


def test_a_stale_worker_cannot_overwrite_the_new_holder(
    no_dispatch, django_capture_on_commit_callbacks, monkeypatch
):
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
        services.run_start(run_id=version.validation_runs.get().pk)
    chunk = ValidationChunk.objects.get()
    real = services.chunks.validate_chunk

    def slow(*args, **kwargs):
        # While this worker works, its lease is taken over by another.
        ValidationChunk.objects.filter(pk=chunk.pk).update(lease_token="newholder")
        return real(*args, **kwargs)

    monkeypatch.setattr(services.chunks, "validate_chunk", slow)
    assert services.chunk_process(chunk_id=chunk.pk) == "stale"
    chunk.refresh_from_db()
    assert chunk.status == "running" and chunk.result is None


def test_lost_messages_are_sent_again(no_dispatch, django_capture_on_commit_callbacks, settings):
    settings.VALIDATION_LEASE_SECONDS = 60
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    run = version.validation_runs.get()
    old = timezone.now() - timedelta(minutes=5)
    ValidationRun.objects.filter(pk=run.pk).update(dispatched_at=old)
    no_dispatch.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["restarted"] == 1  # the coordinator's message was lost
        services.run_start(run_id=run.pk)
    ValidationChunk.objects.update(dispatched_at=old)
    no_dispatch.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["redispatched"] == 1  # the chunk's message was lost
    assert no_dispatch[0][0] == "validate_chunk_task"
    with django_capture_on_commit_callbacks(execute=True):
        services.chunk_process(chunk_id=ValidationChunk.objects.get().pk)
    ValidationRun.objects.filter(pk=run.pk).update(dispatched_at=old)
    no_dispatch.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["finalised"] == 1  # the finaliser's message was lost
    assert no_dispatch == [("finalize_validation_run", (run.pk,))]


def test_a_chunk_that_keeps_failing_fails_the_run_with_the_reason(
    no_dispatch, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.VALIDATION_MAX_ATTEMPTS = 2
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
        services.run_start(run_id=version.validation_runs.get().pk)
    chunk = ValidationChunk.objects.get()

    def boom(*args, **kwargs):
        raise MemoryError("out of memory in this test")

    monkeypatch.setattr(services.chunks, "validate_chunk", boom)
    with pytest.raises(services.ChunkRetry):
        services.chunk_process(chunk_id=chunk.pk)
    assert services.chunk_process(chunk_id=chunk.pk) == "failed"
    run = ValidationRun.objects.get()
    assert run.status == "failed"
    assert (
        "Chunk 0 failed 2 times; last error: MemoryError: out of memory in this test" in run.error
    )
    assert run.finished_at is not None


def test_a_worker_with_another_engine_leaves_the_chunk_and_finally_fails_the_run(
    no_dispatch, django_capture_on_commit_callbacks, settings
):
    # Chunks hashed by two engine versions could not be compared for duplicates.
    settings.VALIDATION_MAX_ATTEMPTS = 2
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
        services.run_start(run_id=version.validation_runs.get().pk)
    ValidationRun.objects.update(engine_version="0.9.0")
    chunk = ValidationChunk.objects.get()
    with pytest.raises(services.ChunkRetry, match=r"started with caption engine 0\.9\.0"):
        services.chunk_process(chunk_id=chunk.pk)
    chunk.refresh_from_db()
    assert chunk.status == "pending" and chunk.result is None
    assert services.chunk_process(chunk_id=chunk.pk) == "failed"
    run = ValidationRun.objects.get()
    assert run.status == "failed"
    assert f"this worker runs {ENGINE_VERSION}. Re-validate the version" in run.error


def test_workers_lost_on_every_attempt_fail_the_run(
    no_dispatch, django_capture_on_commit_callbacks, settings
):
    settings.VALIDATION_MAX_ATTEMPTS = 3
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
        services.run_start(run_id=version.validation_runs.get().pk)
    ValidationChunk.objects.update(
        status="running", attempts=3, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.sweep()["failed"] == 1
    run = ValidationRun.objects.get()
    assert run.status == "failed" and "its workers were lost" in run.error


def test_an_unreadable_file_fails_the_run(eager, django_capture_on_commit_callbacks, settings):
    settings.VALIDATION_MAX_DECOMPRESSED_BYTES = 10_000
    dataset = make_dataset()
    bomb = gzip.compress(jsonl(DEFECTS) * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, bomb, name="captions.jsonl.gz")
    run = ValidationRun.objects.get(version=version)
    assert run.status == "failed"
    assert "decompressed-size limit" in run.error
    assert not run.chunks.filter(status="running").exists()


def test_cancel_and_revalidate_permissions(no_dispatch, django_capture_on_commit_callbacks):
    owner, maintainer, stranger = UserFactory(), UserFactory(), UserFactory()
    dataset = make_dataset(owner)
    dataset.maintainers.add(maintainer)
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl([{"text": c} for c in CLEAN]))
    run = version.validation_runs.get()
    with pytest.raises(NotAllowed):
        services.run_cancel(run=run, actor=stranger)
    with pytest.raises(NotAllowed):
        services.run_request(version=version, actor=stranger)
    with pytest.raises(Conflict):
        services.run_request(version=version, actor=owner)  # one is already queued
    services.run_cancel(run=run, actor=maintainer)
    assert run.status == "cancelled"
    with pytest.raises(Conflict):
        services.run_cancel(run=run, actor=owner)
    again = services.run_request(version=version, actor=maintainer)
    assert again.pk != run.pk and again.status == "queued"
    assert ValidationRun.objects.filter(version=version).count() == 2  # old runs stay


def test_a_cancelled_run_discards_chunks_in_flight(
    no_dispatch, django_capture_on_commit_callbacks, monkeypatch
):
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
        services.run_start(run_id=version.validation_runs.get().pk)
    run = ValidationRun.objects.get()
    chunk = ValidationChunk.objects.get()
    real = services.chunks.validate_chunk

    def cancel_meanwhile(*args, **kwargs):
        services.run_cancel(run=run, actor=dataset.owner)
        return real(*args, **kwargs)

    monkeypatch.setattr(services.chunks, "validate_chunk", cancel_meanwhile)
    assert services.chunk_process(chunk_id=chunk.pk) == "stale"
    assert services.run_finalize(run_id=run.pk) == "skipped"
    run.refresh_from_db()
    assert run.status == "cancelled" and run.issue_count == 0


@pytest.mark.parametrize("kind", ["parquet", "csv.gz"])
def test_parquet_row_groups_and_compressed_csv(
    kind, eager, django_capture_on_commit_callbacks, settings
):
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    settings.VALIDATION_CHUNK_BYTES = 1000
    rows = [
        {"file_name": f"i/{i}.jpg", "text": f"A cat number {i} naps in the afternoon sun."}
        for i in range(120)
    ]
    rows[100]["text"] = rows[5]["text"]
    rows[50]["text"] = "untitled"
    if kind == "parquet":
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows), buf, row_group_size=10)
        data, name = buf.getvalue(), "captions.parquet"
    else:
        lines = ["file_name,text"] + [f'{r["file_name"]},"{r["text"]}"' for r in rows]
        data, name = gzip.compress(("\n".join(lines) + "\n").encode()), "captions.csv.gz"
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, data, name=name)
    run = ValidationRun.objects.get(version=version)
    assert run.status == "succeeded", run.error
    assert run.chunk_count == (12 if kind == "parquet" else 1)
    assert run.rows_done == 120
    assert [(i["row"], i["rule"]) for i in _report(run)] == [
        (51, "caption_too_short"),
        (51, "placeholder_caption"),
        (101, "duplicate_caption"),
    ]
