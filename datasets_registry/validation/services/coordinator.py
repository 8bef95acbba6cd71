"""The coordinator: claim a queued run, plan its chunks, dispatch one task per chunk."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from datasets_registry.captions import UnreadableFile, plan_chunks, resolve_mapping
from datasets_registry.captions.readers import read_columns

from .. import tasks
from ..heartbeat import Heartbeat
from ..models import ValidationChunk, ValidationRun
from .common import heartbeat_seconds, limits, local_file
from .runs import run_fail


def run_start(*, run_id: int) -> str:
    """Claim a queued run, plan its chunks and dispatch them. Idempotent: only a queued run starts.

    Planning reads the file (a large Parquet footer, a long JSON Lines file): a heartbeat keeps
    the run's ``dispatched_at`` fresh meanwhile, so the sweeper does not start a second
    coordinator while this one is alive.
    """
    now = timezone.now()
    claimed = ValidationRun.objects.filter(pk=run_id, status=ValidationRun.Status.QUEUED).update(
        status=ValidationRun.Status.RUNNING, started_at=now, dispatched_at=now
    )
    if claimed != 1:
        return "skipped"
    run = ValidationRun.objects.select_related("version").get(pk=run_id)
    version = run.version
    engine_limits = limits()

    def renew() -> bool:
        return bool(
            ValidationRun.objects.filter(
                pk=run_id, status=ValidationRun.Status.RUNNING, chunk_count=0
            ).update(dispatched_at=timezone.now())
        )

    try:
        with (
            Heartbeat(renew, every=heartbeat_seconds(), name=f"coordinator of run {run_id}"),
            local_file(version) as path,
        ):
            if os.path.getsize(path) == 0:
                columns: list[str] = []
            else:
                columns = read_columns(path, version.format, version.compression, engine_limits)
            mapping, file_issues = resolve_mapping(columns, version.column_mapping, run.rules)
            specs = plan_chunks(
                path,
                version.format,
                version.compression,
                target_bytes=settings.VALIDATION_CHUNK_BYTES,
                limits=engine_limits,
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
    planned = timezone.now()
    with transaction.atomic():
        ValidationChunk.objects.bulk_create(
            [
                ValidationChunk(
                    run=run, index=s["index"], spec=s, dispatched_at=planned, updated_at=planned
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
        for chunk_id in ids:
            tasks.validate_chunk_task.delay_on_commit(chunk_id)
    return "started"
