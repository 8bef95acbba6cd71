"""The finaliser: merge a run's chunks into counts, samples and one report, once."""

from __future__ import annotations

import gzip
import hashlib
import json
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from datasets_registry.captions import ChunkResult, merge_chunks, write_indexed_report
from datasets_registry.captions.merge import merged_lines
from datasets_registry.captions.readers import iter_rows_of
from datasets_registry.captions.report import iter_lines, rule_of
from datasets_registry.captions.row_values import RowValues, Segment
from datasets_registry.models import DatasetVersion

from .. import events
from ..heartbeat import Heartbeat
from ..models import IssueSample, ValidationChunk, ValidationRun
from .chunks import chunk_byte_range
from .common import delete_files, heartbeat_seconds, limits, local_file

SAMPLES_PER_RULE = 50


def _chunk_streams(chunks: list[ValidationChunk]) -> Iterator[Iterator[bytes]]:
    for chunk in chunks:
        with default_storage.open(chunk.issues_file, "rb") as raw, gzip.GzipFile(fileobj=raw) as gz:
            yield iter_lines(gz)  # consumed before the next file is opened (chunks are in order)


def _row_values(run: ValidationRun, chunks: list[ValidationChunk]) -> RowValues:
    """The dataset's rows read back chunk by chunk (only the chunks holding a duplicate row are
    fetched), for the caption each duplicate line shows."""
    version = run.version

    def batches(chunk: ValidationChunk, wanted) -> Iterator:
        with local_file(version, chunk_byte_range(version, chunk.spec)) as path:
            yield from iter_rows_of(
                path,
                version.format,
                version.compression,
                run.column_mapping,
                wanted,
                spec=chunk.spec,
                limits=limits(),
            )

    return RowValues(
        [
            Segment(
                c.spec.get("first_row", 1),
                (c.result or {}).get("last_row", 0),
                lambda wanted, c=c: batches(c, wanted),
            )
            for c in chunks
        ]
    )


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
    lock; a second copy of this task finds the run finished and discards its work. A heartbeat
    keeps the run's ``dispatched_at`` fresh while the merge runs, so the sweeper does not send a
    second finaliser while this one is alive. Publishes ``validation.finished``.
    """
    run = ValidationRun.objects.select_related("version").filter(pk=run_id).first()
    if run is None or run.status != ValidationRun.Status.RUNNING:
        return "skipped"
    chunks = list(run.chunks.order_by("index"))
    if not chunks or any(c.status != ValidationChunk.Status.DONE for c in chunks):
        return "skipped"

    def renew() -> bool:
        return bool(
            ValidationRun.objects.filter(pk=run_id, status=ValidationRun.Status.RUNNING).update(
                dispatched_at=timezone.now()
            )
        )

    with Heartbeat(renew, every=heartbeat_seconds(), name=f"finaliser of run {run_id}"):
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
        values = _row_values(run, chunks)
        with tempfile.TemporaryFile() as spool:
            try:
                _, report_index = write_indexed_report(
                    _sampled(
                        merged_lines(merge, _chunk_streams(chunks), values), samples, merge.by_rule
                    ),
                    spool,
                    rules=merge.by_rule,
                )
            finally:
                values.close()
            spool.seek(0)
            report_sha256 = hashlib.file_digest(spool, "sha256").hexdigest()
            spool.seek(0)
            report_name = default_storage.save(
                f"validation/runs/{run_id}/report-{token}.jsonl.gz", File(spool)
            )
    with transaction.atomic():
        locked = (
            ValidationRun.objects.select_for_update()
            .select_related("version__dataset")
            .filter(pk=run_id)
            .first()
        )
        if locked is None or locked.status != ValidationRun.Status.RUNNING or locked.report:
            transaction.on_commit(lambda: delete_files([report_name]))
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
        DatasetVersion.objects.filter(pk=locked.version_id, row_count__isnull=True).update(
            row_count=merge.rows
        )
        locked.counts = merge.counts
        events.publish(
            "validation.finished",
            locked,
            {
                "status": ValidationRun.Status.SUCCEEDED.value,
                "counts": locked.by_severity,
                "issue_count": merge.issue_count,
                "checked": events.checked(locked),
                "report_sha256": report_sha256,
                "error": "",
            },
        )
        names = [n for c in chunks for n in (c.issues_file, c.hashes_file)]
        transaction.on_commit(lambda: delete_files(names))
    return "succeeded"
