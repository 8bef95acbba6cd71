"""Writes for caption validation: create, start, process chunks, finalise, cancel, sweep.

The pipeline, and why it survives crashes:

1. ``run_create`` snapshots the rule set and the checked triple, and enqueues ``run_start`` after
   the transaction commits.
2. ``run_start`` (the coordinator) claims the queued run, plans chunks and stores one
   ``ValidationChunk`` row per chunk, then dispatches one task per chunk.
3. ``chunk_process`` claims its chunk with a lease (a conditional UPDATE that only succeeds for a
   pending chunk or one whose lease expired), validates it, stores its issues and duplicate hashes
   in storage and marks it done -- only while it still holds the lease (a token), so a slow or
   duplicate copy can never overwrite or double count. Progress is recomputed from the chunk
   rows, never incremented.
4. When the last chunk is done, ``run_finalize`` merges counts, resolves duplicates across chunks,
   writes the report and the samples under a row lock, once.
5. ``sweep`` (every 30 s from beat) re-dispatches chunks whose lease expired or whose message was
   lost, restarts stalled coordinators and finalisers, and fails runs whose chunks keep failing.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from config.errors import Conflict, NotAllowed
from datasets_registry.captions import (
    ENGINE_VERSION,
    ChunkResult,
    Limits,
    UnreadableFile,
    merge_chunks,
    plan_chunks,
    resolve_mapping,
    resolve_ruleset,
    validate_chunk,
    write_indexed_report,
)
from datasets_registry.captions.merge import merged_lines
from datasets_registry.captions.readers import read_columns
from datasets_registry.captions.report import gzip_writer, iter_lines, rule_of
from datasets_registry.models import DatasetVersion

from .models import IssueSample, ValidationChunk, ValidationRun

log = logging.getLogger(__name__)

SAMPLES_PER_RULE = 50
PROGRESS_EVERY_SECONDS = 2.0


class ChunkRetry(Exception):
    """A chunk failed for a reason that may pass (the task retries it with backoff)."""


def _lease() -> timedelta:
    return timedelta(seconds=settings.VALIDATION_LEASE_SECONDS)


def _limits() -> Limits:
    return Limits(
        max_decompressed_bytes=settings.VALIDATION_MAX_DECOMPRESSED_BYTES,
        max_expansion_ratio=settings.DATASET_MAX_EXPANSION_RATIO,
        max_rows=settings.DATASET_MAX_ROWS,
    )


# --- dispatch (always after commit, so a worker never sees uncommitted rows) --------------------


def _dispatch_start(run_id: int) -> None:
    from .tasks import start_validation_run

    transaction.on_commit(lambda: start_validation_run.delay(run_id))


def _dispatch_chunks(chunk_ids: list[int]) -> None:
    from .tasks import validate_chunk_task

    def send():
        for chunk_id in chunk_ids:
            validate_chunk_task.delay(chunk_id)

    transaction.on_commit(send)


def _dispatch_finalize(run_id: int) -> None:
    from .tasks import finalize_validation_run

    transaction.on_commit(lambda: finalize_validation_run.delay(run_id))


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            with contextlib.suppress(Exception):
                default_storage.delete(name)


@contextlib.contextmanager
def local_file(version) -> Iterator[str]:
    """A local path to the version's file: the stored file itself on local storage, else a copy
    (remote storage such as S3) removed afterwards."""
    storage = version.file.storage
    try:
        path = storage.path(version.file.name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    suffix = os.path.splitext(version.file.name)[1]
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="validation-")
    try:
        with os.fdopen(fd, "wb") as out, storage.open(version.file.name, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
        yield tmp
    finally:
        os.unlink(tmp)


# --- creating and cancelling runs ---------------------------------------------------------------


def run_create(*, version, actor=None, standard_version=None) -> ValidationRun:
    """Queue a validation run of ``version`` against ``standard_version`` (default: the dataset's).

    Snapshots the effective rule set and the checked triple; the coordinator task is sent after
    the transaction commits. No permission check: callers decide (the upload signal, run_request).
    """
    sv = standard_version or version.dataset.standard_version
    rules = resolve_ruleset(sv.rules if sv is not None else None)
    run = ValidationRun.objects.create(
        version=version,
        standard_version=sv,
        rules=rules,
        dataset_sha256=version.sha256,
        standard_sha256=sv.sha256 if sv is not None else "",
        engine_version=ENGINE_VERSION,
        rows_total=version.row_count,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        dispatched_at=timezone.now(),
    )
    _dispatch_start(run.pk)
    return run


def run_request(*, version, actor) -> ValidationRun:
    """Re-validate ``version`` against its dataset's current standard version (maintainers only).

    Old runs stay. Refused (409) while a run of the version is queued or running.
    """
    if not version.dataset.can_maintain(actor):
        raise NotAllowed("Only the dataset's owner, maintainers or staff can re-validate it.")
    with transaction.atomic():
        if ValidationRun.objects.filter(version=version).active().select_for_update().exists():
            raise Conflict(
                "A validation run of this version is already queued or running; wait for it or "
                "cancel it first."
            )
        return run_create(version=version, actor=actor)


def run_cancel(*, run: ValidationRun, actor) -> ValidationRun:
    """Cancel a queued or running run (maintainers only); chunks in flight are discarded."""
    if not run.version.dataset.can_maintain(actor):
        raise NotAllowed(
            "Only the dataset's owner, maintainers or staff can cancel its validation."
        )
    with transaction.atomic():
        now = timezone.now()
        n = ValidationRun.objects.filter(pk=run.pk, status__in=ValidationRun.ACTIVE).update(
            status=ValidationRun.Status.CANCELLED,
            finished_at=now,
            error=f"Cancelled by {getattr(actor, 'username', 'a maintainer')}.",
        )
        if n != 1:
            raise Conflict(
                f"This run is {run.status}; only a queued or running run can be cancelled."
            )
        ValidationChunk.objects.filter(run=run).exclude(status=ValidationChunk.Status.DONE).update(
            status=ValidationChunk.Status.CANCELLED, lease_expires_at=None, updated_at=now
        )
    run.refresh_from_db()
    return run


def run_fail(run_id: int, reason: str) -> bool:
    """End an active run as failed with ``reason`` (shown on the page and in the API)."""
    now = timezone.now()
    with transaction.atomic():
        n = ValidationRun.objects.filter(pk=run_id, status__in=ValidationRun.ACTIVE).update(
            status=ValidationRun.Status.FAILED, error=reason[:5000], finished_at=now
        )
        if n:
            ValidationChunk.objects.filter(
                run_id=run_id,
                status__in=[ValidationChunk.Status.PENDING, ValidationChunk.Status.RUNNING],
            ).update(status=ValidationChunk.Status.CANCELLED, lease_expires_at=None, updated_at=now)
    if n:
        log.warning("validation run %s failed: %s", run_id, reason)
    return bool(n)


# --- the coordinator ----------------------------------------------------------------------------


def run_start(*, run_id: int) -> str:
    """Claim a queued run, plan its chunks and dispatch them. Idempotent: only a queued run starts."""
    now = timezone.now()
    claimed = ValidationRun.objects.filter(pk=run_id, status=ValidationRun.Status.QUEUED).update(
        status=ValidationRun.Status.RUNNING, started_at=now, dispatched_at=now
    )
    if claimed != 1:
        return "skipped"
    run = ValidationRun.objects.select_related("version").get(pk=run_id)
    version = run.version
    limits = _limits()
    try:
        with local_file(version) as path:
            if os.path.getsize(path) == 0:
                columns: list[str] = []
            else:
                columns = read_columns(path, version.format, version.compression, limits)
            mapping, file_issues = resolve_mapping(columns, version.column_mapping, run.rules)
            specs = plan_chunks(
                path,
                version.format,
                version.compression,
                target_bytes=settings.VALIDATION_CHUNK_BYTES,
                limits=limits,
            )
    except UnreadableFile as exc:
        run_fail(run_id, f"The file cannot be read: {exc}")
        return "failed"
    except FileNotFoundError:
        run_fail(run_id, "The version's file is missing from storage.")
        return "failed"
    rows_total = (
        sum(s["rows"] for s in specs) if all("rows" in s for s in specs) else version.row_count
    )
    with transaction.atomic():
        ValidationChunk.objects.bulk_create(
            [
                ValidationChunk(
                    run=run, index=s["index"], spec=s, dispatched_at=now, updated_at=now
                )
                for s in specs
            ],
            ignore_conflicts=True,  # a re-run coordinator finds its chunks already there
        )
        ValidationRun.objects.filter(pk=run_id).update(
            column_mapping=mapping,
            file_issues=file_issues,
            chunk_count=len(specs),
            rows_total=rows_total,
        )
        ids = list(
            ValidationChunk.objects.filter(run_id=run_id, status=ValidationChunk.Status.PENDING)
            .order_by("index")
            .values_list("pk", flat=True)
        )
        _dispatch_chunks(ids)
    return "started"


# --- chunks ------------------------------------------------------------------------------------


def _refresh_progress(run_id: int) -> None:
    rows = ValidationChunk.objects.filter(run_id=run_id).aggregate(n=Sum("rows"))["n"] or 0
    ValidationRun.objects.filter(pk=run_id, status=ValidationRun.Status.RUNNING).update(
        rows_done=rows
    )


def chunk_process(*, chunk_id: int) -> str:
    """Validate one chunk under a lease. Returns ``done``, ``skipped``, ``stale`` or ``failed``.

    Safe to call any number of times for the same chunk, concurrently or after a crash: the claim
    succeeds for one caller at a time, and the result is written only by the lease holder.
    Raises ChunkRetry for a failure that may pass (the task retries with backoff).
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(status=ValidationChunk.Status.PENDING) | Q(
        status=ValidationChunk.Status.RUNNING, lease_expires_at__lt=now
    )
    claimed = ValidationChunk.objects.filter(
        claimable,
        pk=chunk_id,
        run__status=ValidationRun.Status.RUNNING,
        attempts__lt=settings.VALIDATION_MAX_ATTEMPTS,
    ).update(
        status=ValidationChunk.Status.RUNNING,
        lease_token=token,
        lease_expires_at=now + _lease(),
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if claimed != 1:
        _fail_if_exhausted(chunk_id)
        return "skipped"
    chunk = ValidationChunk.objects.select_related("run__version").get(pk=chunk_id)
    run = chunk.run
    version = run.version
    base = f"validation/runs/{run.pk}/chunk-{chunk.index:05d}-{token[:12]}"
    last_progress = [timezone.now()]

    def progress(rows: int) -> None:
        # Live progress for big single-chunk files; only while this worker holds the lease.
        t = timezone.now()
        if (t - last_progress[0]).total_seconds() >= PROGRESS_EVERY_SECONDS:
            last_progress[0] = t
            ValidationChunk.objects.filter(pk=chunk_id, lease_token=token).update(rows=rows)
            _refresh_progress(run.pk)

    if run.engine_version != ENGINE_VERSION:
        # Duplicate hashes from two engine versions cannot be compared: leave the chunk to a
        # worker running the run's engine (during a rolling upgrade), or fail after a few tries.
        return _release_for_retry(
            chunk,
            token,
            f"The run was started with caption engine {run.engine_version}; this worker runs "
            f"{ENGINE_VERSION}. Re-validate the version to check it with the current engine.",
        )
    try:
        with local_file(version) as path, tempfile.TemporaryFile() as spool:
            with gzip_writer(spool) as gz:
                result = validate_chunk(
                    path,
                    version.format,
                    version.compression,
                    chunk.spec,
                    ruleset=run.rules,
                    mapping=run.column_mapping,
                    issues_out=gz,
                    limits=_limits(),
                    progress=progress,
                )
            spool.seek(0)
            issues_name = default_storage.save(f"{base}.jsonl.gz", File(spool))
            hashes_name = default_storage.save(f"{base}.npz", ContentFile(result.hashes_to_bytes()))
    except UnreadableFile as exc:
        ValidationChunk.objects.filter(pk=chunk_id, lease_token=token).update(
            status=ValidationChunk.Status.FAILED, error=str(exc)[:5000], lease_expires_at=None
        )
        run_fail(run.pk, f"The file cannot be read: {exc}")
        return "failed"
    except Exception as exc:
        log.exception("chunk %s of run %s failed", chunk.index, run.pk)
        return _release_for_retry(chunk, token, f"{type(exc).__name__}: {exc}"[:5000], exc)

    with transaction.atomic():
        done = ValidationChunk.objects.filter(
            pk=chunk_id, lease_token=token, status=ValidationChunk.Status.RUNNING
        ).update(
            status=ValidationChunk.Status.DONE,
            rows=result.rows,
            result=result.to_json(),
            issues_file=issues_name,
            hashes_file=hashes_name,
            lease_expires_at=None,
            error="",
            updated_at=timezone.now(),
        )
        if done != 1:
            # Our lease expired and another copy took over, or the run was cancelled: discard.
            transaction.on_commit(lambda: _delete_files([issues_name, hashes_name]))
            return "stale"
        _refresh_progress(run.pk)
        unfinished = (
            ValidationChunk.objects.filter(run_id=run.pk)
            .exclude(status=ValidationChunk.Status.DONE)
            .exists()
        )
        if not unfinished:
            ValidationRun.objects.filter(pk=run.pk).update(dispatched_at=timezone.now())
            _dispatch_finalize(run.pk)
    return "done"


def _release_for_retry(
    chunk: ValidationChunk, token: str, reason: str, cause: Exception | None = None
) -> str:
    """Give up the lease on a chunk that failed; retried with backoff until its attempts run out,
    then the run fails with ``reason``."""
    ValidationChunk.objects.filter(pk=chunk.pk, lease_token=token).update(
        status=ValidationChunk.Status.PENDING, lease_expires_at=None, error=reason, rows=0
    )
    if chunk.attempts >= settings.VALIDATION_MAX_ATTEMPTS:
        run_fail(
            chunk.run_id,
            f"Chunk {chunk.index} failed {chunk.attempts} times; last error: {reason}",
        )
        return "failed"
    raise ChunkRetry(reason) from cause


def _fail_if_exhausted(chunk_id: int) -> None:
    chunk = ValidationChunk.objects.filter(pk=chunk_id).select_related("run").first()
    if chunk is None or chunk.run.status != ValidationRun.Status.RUNNING:
        return
    expired = chunk.status == ValidationChunk.Status.PENDING or (
        chunk.status == ValidationChunk.Status.RUNNING
        and chunk.lease_expires_at is not None
        and chunk.lease_expires_at < timezone.now()
    )
    if expired and chunk.attempts >= settings.VALIDATION_MAX_ATTEMPTS:
        run_fail(
            chunk.run_id,
            f"Chunk {chunk.index} was attempted {chunk.attempts} times without finishing"
            + (f"; last error: {chunk.error}" if chunk.error else " (its workers were lost)."),
        )


# --- finalising ----------------------------------------------------------------------------------


def _chunk_streams(chunks: list[ValidationChunk]) -> Iterator[Iterator[bytes]]:
    for chunk in chunks:
        with default_storage.open(chunk.issues_file, "rb") as raw, gzip.GzipFile(fileobj=raw) as gz:
            yield iter_lines(gz)  # consumed before the next file is opened (chunks are in order)


def _sampled(
    lines: Iterator[bytes], samples: dict[str, list[dict[str, Any]]], by_rule: dict[str, int]
) -> Iterator[bytes]:
    """Pass the report's lines through, keeping the first SAMPLES_PER_RULE of each rule. Once
    every rule (``by_rule``: the counts) has its samples, the rest passes through unread."""
    wanted = sum(min(n, SAMPLES_PER_RULE) for n in by_rule.values())
    lines = iter(lines)
    for line in lines:
        kept = samples.setdefault(rule_of(line), [])
        if len(kept) < SAMPLES_PER_RULE:
            kept.append(json.loads(line))
            wanted -= 1
        yield line
        if wanted <= 0:
            break
    yield from lines


def run_finalize(*, run_id: int) -> str:
    """Merge the chunks of a run whose chunks are all done: counts, cross-chunk duplicates, the
    report (gzip JSON Lines through the default storage) and samples. Written once, under a row
    lock; a second copy of this task finds the run finished and discards its work.
    """
    run = ValidationRun.objects.filter(pk=run_id).first()
    if run is None or run.status != ValidationRun.Status.RUNNING:
        return "skipped"
    chunks = list(run.chunks.order_by("index"))
    if not chunks or any(c.status != ValidationChunk.Status.DONE for c in chunks):
        return "skipped"
    results = []
    for c in chunks:
        with default_storage.open(c.hashes_file, "rb") as fp:
            hashes = ChunkResult.hashes_from_bytes(fp.read())
        results.append(
            ChunkResult(
                index=c.index,
                rows=c.rows,
                last_row=(c.result or {}).get("last_row", 0),
                counts=(c.result or {}).get("counts", {}),
                hashes=hashes,
            )
        )
    merge = merge_chunks(results, ruleset=run.rules, file_issues=run.file_issues)
    samples: dict[str, list[dict[str, Any]]] = {}
    token = uuid.uuid4().hex[:12]
    with tempfile.TemporaryFile() as spool:
        _, report_index = write_indexed_report(
            _sampled(merged_lines(merge, _chunk_streams(chunks)), samples, merge.by_rule),
            spool,
            rules=merge.by_rule,
        )
        spool.seek(0)
        report_name = default_storage.save(
            f"validation/runs/{run_id}/report-{token}.jsonl.gz", File(spool)
        )
    with transaction.atomic():
        locked = ValidationRun.objects.select_for_update().filter(pk=run_id).first()
        if locked is None or locked.status != ValidationRun.Status.RUNNING or locked.report:
            transaction.on_commit(lambda: _delete_files([report_name]))
            return "stale"
        IssueSample.objects.filter(run_id=run_id).delete()
        IssueSample.objects.bulk_create(
            IssueSample(
                run_id=run_id,
                rule=i["rule"],
                severity=i["severity"],
                row=i["row"],
                message=i["message"],
                value=i.get("value") or "",
                span=i.get("span"),
            )
            for kept in samples.values()
            for i in kept
        )
        ValidationRun.objects.filter(pk=run_id).update(
            status=ValidationRun.Status.SUCCEEDED,
            counts=merge.counts,
            issue_count=merge.issue_count,
            rows_done=merge.rows,
            rows_total=merge.rows,
            report=report_name,
            report_index=report_index,
            finished_at=timezone.now(),
            error="",
        )
        # An upload too large to count in the request left its row count to this run.
        DatasetVersion.objects.filter(pk=run.version_id, row_count__isnull=True).update(
            row_count=merge.rows
        )
        names = [n for c in chunks for n in (c.issues_file, c.hashes_file)]
        transaction.on_commit(lambda: _delete_files(names))
    return "succeeded"


# --- the sweeper -------------------------------------------------------------------------------


def sweep(*, now=None) -> dict[str, int]:
    """Recover runs whose workers vanished or whose messages were lost. Idempotent; run by beat.

    - a running chunk whose lease expired goes back to pending and is dispatched again, or fails
      the run when it has used all its attempts;
    - a pending chunk dispatched more than a lease ago (its message was lost) is dispatched again;
    - a queued run whose coordinator never ran, or a running one left without chunks, restarts;
    - a running run whose chunks are all done but which was not finalised is finalised again.
    """
    now = now or timezone.now()
    stale = now - _lease()
    actions = {"redispatched": 0, "failed": 0, "restarted": 0, "finalised": 0}
    running = ValidationRun.Status.RUNNING

    expired = ValidationChunk.objects.filter(
        status=ValidationChunk.Status.RUNNING, lease_expires_at__lt=now, run__status=running
    ).values_list("pk", "run_id", "index", "attempts", "error")
    to_send: list[int] = []
    for pk, run_id, index, attempts, error in expired:
        if attempts >= settings.VALIDATION_MAX_ATTEMPTS:
            if run_fail(
                run_id,
                f"Chunk {index} was attempted {attempts} times without finishing"
                + (f"; last error: {error}" if error else " (its workers were lost)."),
            ):
                actions["failed"] += 1
            continue
        if ValidationChunk.objects.filter(
            pk=pk, status=ValidationChunk.Status.RUNNING, lease_expires_at__lt=now
        ).update(
            status=ValidationChunk.Status.PENDING, lease_expires_at=None, dispatched_at=now, rows=0
        ):
            to_send.append(pk)
    lost = ValidationChunk.objects.filter(
        status=ValidationChunk.Status.PENDING, run__status=running
    ).filter(Q(dispatched_at__lt=stale) | Q(dispatched_at__isnull=True))
    for pk in lost.values_list("pk", flat=True):
        if (
            ValidationChunk.objects.filter(pk=pk, status=ValidationChunk.Status.PENDING)
            .filter(Q(dispatched_at__lt=stale) | Q(dispatched_at__isnull=True))
            .update(dispatched_at=now)
        ):
            to_send.append(pk)
    if to_send:
        with transaction.atomic():
            _dispatch_chunks(to_send)
        actions["redispatched"] += len(to_send)

    for run_id in ValidationRun.objects.filter(
        status=ValidationRun.Status.QUEUED, dispatched_at__lt=stale
    ).values_list("pk", flat=True):
        if ValidationRun.objects.filter(pk=run_id, status=ValidationRun.Status.QUEUED).update(
            dispatched_at=now
        ):
            with transaction.atomic():
                _dispatch_start(run_id)
            actions["restarted"] += 1
    # A coordinator that died after claiming the run but before creating its chunks.
    for run_id in ValidationRun.objects.filter(
        status=running, chunk_count=0, dispatched_at__lt=stale
    ).values_list("pk", flat=True):
        if not ValidationChunk.objects.filter(
            run_id=run_id
        ).exists() and ValidationRun.objects.filter(
            pk=run_id, status=running, chunk_count=0
        ).update(status=ValidationRun.Status.QUEUED, dispatched_at=now):
            with transaction.atomic():
                _dispatch_start(run_id)
            actions["restarted"] += 1
    # All chunks done but no report: the finaliser was lost.
    for run_id in ValidationRun.objects.filter(
        status=running, chunk_count__gt=0, dispatched_at__lt=stale
    ).values_list("pk", flat=True):
        if (
            not ValidationChunk.objects.filter(run_id=run_id)
            .exclude(status=ValidationChunk.Status.DONE)
            .exists()
        ):
            ValidationRun.objects.filter(pk=run_id).update(dispatched_at=now)
            with transaction.atomic():
                _dispatch_finalize(run_id)
            actions["finalised"] += 1
    return actions


# --- the signal receiver -------------------------------------------------------------------------


def on_dataset_version_created(sender, version, actor=None, **kwargs) -> None:
    """A new version is validated against its dataset's standard version, after commit."""
    run_create(version=version, actor=actor)
