"""A whole file validated in this process (the command line and tests), its chunks in a process
pool when it is large: the same chunk API the Celery pipeline drives."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from . import messages as M
from .chunk import ChunkResult, join_arrays, read_ahead, validate_chunk
from .formats import detect_format
from .merge import MergeResult, merge_chunks, merged_lines, merged_report_blocks
from .plan import plan_chunks, resolve_mapping
from .readers import iter_rows_of, read_columns
from .report import iter_lines, write_pieces, write_report
from .row_values import ALL_ROWS, RowValues, Segment
from .ruleset import resolve_ruleset
from .streams import Limits, UnreadableFile


@dataclass
class FileResult:
    format: str
    compression: str
    columns: list[str]
    mapping: dict[str, str | None]
    merge: MergeResult
    issues: list[dict[str, Any]] | None = None

    @property
    def rows(self) -> int:
        return self.merge.rows

    @property
    def counts(self) -> dict[str, Any]:
        return self.merge.counts

    @property
    def has_errors(self) -> bool:
        return self.merge.has_errors


def validate_file(
    path: str,
    fmt: str | None = None,
    compression: str | None = None,
    *,
    rules: dict[str, Any] | None = None,
    mapping: dict[str, str | None] | None = None,
    report: IO[bytes] | None = None,
    collect: bool = False,
    limits: Limits | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
    chunk_bytes: int = 32 * 1024 * 1024,
    threads: int = 0,
) -> FileResult:
    """Validate a whole file in this process. ``rules`` is a rule set (defaults filled in).

    ``report``: a binary file receiving every issue as sorted JSON lines. ``collect``: keep every
    issue in ``result.issues`` (for tests; memory grows with the issue count). ``workers`` > 1
    validates the chunks of a large plain JSON Lines or Parquet file in that many processes.
    ``threads``: batches evaluated at once in one process (0: two on a machine with two CPUs or
    more, when the file is one chunk). Raises UnreadableFile (the CLI's exit code 2).
    """
    if fmt is None or compression is None:
        detected = detect_format(path)
        fmt = fmt or detected[0]
        compression = detected[1] if compression is None else compression
    limits = limits or Limits()
    ruleset = resolve_ruleset(rules)
    if os.path.getsize(path) == 0 and fmt == "parquet":
        raise UnreadableFile(M.FILE_EMPTY)
    columns = read_columns(path, fmt, compression, limits) if os.path.getsize(path) else []
    mapping, file_issues = resolve_mapping(columns, mapping, ruleset)
    keep = report is not None or collect
    specs = [{"index": 0, "kind": "whole", "first_row": 1}]
    if workers > 1 and os.path.getsize(path) > 2 * chunk_bytes:
        specs = plan_chunks(path, fmt, compression, target_bytes=chunk_bytes, limits=limits)
    spools: list[IO[bytes]] = []
    values: RowValues | None = None
    try:
        if len(specs) == 1:
            spool = tempfile.TemporaryFile() if keep else None  # noqa: SIM115
            if spool is not None:
                spools.append(spool)
            chunks = [
                validate_chunk(
                    path,
                    fmt,
                    compression,
                    specs[0],
                    ruleset=ruleset,
                    mapping=mapping,
                    issues_out=spool,
                    limits=limits,
                    progress=progress,
                    threads=threads or min(2, os.cpu_count() or 1),
                )
            ]
        else:
            chunks = _run_parallel(
                path,
                fmt,
                compression,
                specs,
                ruleset,
                mapping,
                limits,
                keep,
                workers,
                progress,
                spools,
            )
        merge = merge_chunks(chunks, ruleset=ruleset, file_issues=file_issues)
        issues = None
        if keep:
            for spool in spools:
                spool.seek(0)
            values = RowValues(
                [
                    Segment(
                        1,
                        ALL_ROWS,
                        # Read in a thread while the report is merged and written.
                        lambda wanted: read_ahead(
                            iter_rows_of(path, fmt, compression, mapping, wanted, limits=limits)
                        ),
                    )
                ]
            )
            if collect:
                lines = list(merged_lines(merge, [iter_lines(sp) for sp in spools], values))
                issues = [json.loads(line) for line in lines]
                if report is not None:
                    write_report(lines, report)
            else:
                assert report is not None
                rows_of_lines = [c.line_rows for c in chunks if c.line_rows is not None]
                line_rows = join_arrays(rows_of_lines) if rows_of_lines else np.zeros(0, np.int64)
                write_pieces(merged_report_blocks(merge, spools, line_rows, values), report)
    finally:
        if values is not None:
            values.close()
        for spool in spools:
            spool.close()
    return FileResult(fmt, compression, columns, mapping, merge, issues)


def _chunk_job(args) -> ChunkResult:
    path, fmt, compression, spec, ruleset, mapping, limits, spool_path = args
    if spool_path is None:
        return validate_chunk(
            path, fmt, compression, spec, ruleset=ruleset, mapping=mapping, limits=limits
        )
    with open(spool_path, "wb") as out:
        return validate_chunk(
            path,
            fmt,
            compression,
            spec,
            ruleset=ruleset,
            mapping=mapping,
            issues_out=out,
            limits=limits,
        )


def _pool_context(ruleset: dict[str, Any]):
    """Fork on Linux: a spawned child spends about 0.35 s importing Arrow and loading the CLIP
    vocabulary before its first row, a forked one starts with the parent's. Arrow registers
    at-fork handlers that restart its thread pools in the child, the parent holds no lock or
    connection the children use (the engine imports no Django), and the vocabulary is loaded
    (never run) before the fork, so the tokenizer's own threads start in each child."""
    import multiprocessing
    import sys

    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")  # fork is unsafe with macOS frameworks
    if ruleset["rules"]["clip_token_limit"]["enabled"]:
        from .clip_tokens import clip_tokenizer

        clip_tokenizer()
    return multiprocessing.get_context("fork")


def _run_parallel(
    path, fmt, compression, specs, ruleset, mapping, limits, keep, workers, progress, spools
):
    """Chunks in a process pool (the same chunk API the Celery pipeline uses)."""
    from concurrent.futures import ProcessPoolExecutor

    tmpdir = tempfile.mkdtemp(prefix="captions-")
    paths = [os.path.join(tmpdir, f"chunk-{s['index']}.jsonl") if keep else None for s in specs]
    jobs = [
        (path, fmt, compression, s, ruleset, mapping, limits, p)
        for s, p in zip(specs, paths, strict=True)
    ]
    done = 0
    results: list[ChunkResult] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(ruleset)) as pool:
            for res in pool.map(_chunk_job, jobs):
                results.append(res)
                done += res.rows
                if progress is not None:
                    progress(done)
        for p in paths:
            if p is not None:
                spools.append(open(p, "rb"))  # noqa: SIM115 - closed by validate_file
                os.unlink(p)  # the open handle keeps the data until it is closed
    finally:
        import shutil

        shutil.rmtree(tmpdir, ignore_errors=True)
    return results


__all__ = ["FileResult", "validate_file"]
