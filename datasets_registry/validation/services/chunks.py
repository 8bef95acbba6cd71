"""One chunk of a run: claimed under a lease, renewed by a heartbeat, written once."""

from __future__ import annotations

import logging
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from datasets_registry.captions import ENGINE_VERSION, UnreadableFile, validate_chunk
from datasets_registry.captions.report import gzip_writer

from .. import tasks
from ..heartbeat import ClaimLost, Heartbeat
from ..models import ValidationChunk, ValidationRun
from .common import delete_files, heartbeat_seconds, lease, limits, local_file
from .runs import run_fail

log = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 2.0


def chunk_byte_range(version, spec: dict) -> tuple[int, int] | None:
    """The bytes a chunk reads, when it reads a byte range of an uncompressed file (JSON Lines
    split by the planner); None when it needs the whole file (Parquet's footer, gzip, CSV)."""
    if spec.get("kind") != "bytes" or version.compression not in ("", "none"):
        return None
    return spec["start"], spec["end"]


class ChunkRetry(Exception):
    """A chunk failed for a reason that may pass (the task retries it with backoff)."""


def _refresh_progress(run_id: int) -> None:
    rows = ValidationChunk.objects.filter(run_id=run_id).aggregate(n=Sum("rows"))["n"] or 0
    ValidationRun.objects.filter(pk=run_id, status=ValidationRun.Status.RUNNING).update(
        rows_done=rows
    )


def chunk_process(*, chunk_id: int) -> str:
    """Validate one chunk under a lease. Returns ``done``, ``skipped``, ``stale`` or ``failed``.

    Safe to call any number of times for the same chunk, concurrently or after a crash: the claim
    succeeds for one caller at a time, and the result is written only by the lease holder. While
    the chunk runs, a heartbeat thread renews the lease every ``VALIDATION_HEARTBEAT_SECONDS``
    (only while the token is still ours), so a live worker keeps its chunk however long it takes
    and a killed one loses it one lease after its last beat. A holder that finds its lease taken
    over stops early and writes nothing (``stale``).
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
        lease_expires_at=now + lease(),
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

    if run.engine_version != ENGINE_VERSION:
        # Duplicate hashes from two engine versions cannot be compared: leave the chunk to a
        # worker running the run's engine (during a rolling upgrade), or fail after a few tries.
        return _release_for_retry(
            chunk,
            token,
            f"The run was started with caption engine {run.engine_version}; this worker runs "
            f"{ENGINE_VERSION}. Re-validate the version to check it with the current engine.",
        )

    def renew() -> bool:
        # Conditional on the token: a worker whose lease was taken over cannot take it back.
        return bool(
            ValidationChunk.objects.filter(
                pk=chunk_id, lease_token=token, status=ValidationChunk.Status.RUNNING
            ).update(lease_expires_at=timezone.now() + lease())
        )

    heartbeat = Heartbeat(renew, every=heartbeat_seconds(), name=f"lease of {chunk}")

    def progress(rows: int) -> None:
        heartbeat.check()  # taken over: stop reading now rather than at the end
        # Live progress for big single-chunk files; only while this worker holds the lease.
        t = timezone.now()
        if (t - last_progress[0]).total_seconds() >= PROGRESS_EVERY_SECONDS:
            last_progress[0] = t
            ValidationChunk.objects.filter(pk=chunk_id, lease_token=token).update(rows=rows)
            _refresh_progress(run.pk)

    try:
        with (
            heartbeat,
            local_file(version, chunk_byte_range(version, chunk.spec)) as path,
            tempfile.TemporaryFile() as spool,
        ):
            with gzip_writer(spool) as gz:
                result = validate_chunk(
                    path,
                    version.format,
                    version.compression,
                    chunk.spec,
                    ruleset=run.rules,
                    mapping=run.column_mapping,
                    issues_out=gz,
                    limits=limits(),
                    progress=progress,
                )
            heartbeat.check()
            spool.seek(0)
            issues_name = default_storage.save(f"{base}.jsonl.gz", File(spool))
            hashes_name = default_storage.save(f"{base}.npz", ContentFile(result.hashes_to_bytes()))
    except ClaimLost:
        log.info("chunk %s of run %s was taken over; this copy stops", chunk.index, run.pk)
        return "stale"
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
            transaction.on_commit(lambda: delete_files([issues_name, hashes_name]))
            return "stale"
        _refresh_progress(run.pk)
        unfinished = (
            ValidationChunk.objects.filter(run_id=run.pk)
            .exclude(status=ValidationChunk.Status.DONE)
            .exists()
        )
        if not unfinished:
            ValidationRun.objects.filter(pk=run.pk).update(dispatched_at=timezone.now())
            tasks.finalize_validation_run.delay_on_commit(run.pk)
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
