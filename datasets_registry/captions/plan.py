"""Planning a run: the chunks of a file, and the column of each role."""

from __future__ import annotations

import os
from typing import Any

from . import messages as M
from .formats import COLUMN_CANDIDATES, detect_columns
from .readers import parquet_file
from .streams import Limits, check_rows


def plan_chunks(
    path: str,
    fmt: str,
    compression: str = "",
    *,
    target_bytes: int = 32 * 1024 * 1024,
    target_rows: int = 250_000,
    limits: Limits | None = None,
) -> list[dict[str, Any]]:
    """Split a file into chunk specs (JSON-able), each ``{"index", "kind", "first_row", "rows"?, ...}``.

    Parquet: runs of row groups up to ``target_rows`` rows or ``target_bytes`` (uncompressed).
    Plain JSON Lines: byte ranges of about ``target_bytes`` aligned to line ends (``rows`` = lines
    in the range). Compressed files and CSV/TSV (whose quoted fields may hold line breaks, so a
    line end is not a record end) are one chunk. Raises UnreadableFile.
    """
    limits = limits or Limits()
    if fmt == "parquet":
        pf = parquet_file(path, compression, limits)
        specs: list[dict[str, Any]] = []
        groups: list[int] = []
        rows = first = size = 0
        for g in range(pf.num_row_groups):
            n = pf.metadata.row_group(g).num_rows
            nbytes = pf.metadata.row_group(g).total_byte_size
            if groups and (rows + n > target_rows or size + nbytes > target_bytes):
                specs.append(
                    {
                        "kind": "row_groups",
                        "row_groups": groups,
                        "first_row": first + 1,
                        "rows": rows,
                    }
                )
                first += rows
                groups, rows, size = [], 0, 0
            groups.append(g)
            rows += n
            size += nbytes
        if groups or not specs:
            specs.append(
                {"kind": "row_groups", "row_groups": groups, "first_row": first + 1, "rows": rows}
            )
        return [{"index": i, **s} for i, s in enumerate(specs)]
    if fmt != "jsonl" or compression:
        return [{"index": 0, "kind": "whole", "first_row": 1}]
    size = os.path.getsize(path)
    bounds = [0]
    with open(path, "rb") as fp:
        while bounds[-1] + target_bytes < size:
            fp.seek(bounds[-1] + target_bytes - 1)
            pos = fp.tell()
            while True:
                data = fp.read(1 << 20)
                if not data:
                    pos = size
                    break
                nl = data.find(b"\n")
                if nl >= 0:
                    pos += nl + 1
                    break
                pos += len(data)
            if pos >= size:
                break
            bounds.append(pos)
        bounds.append(size)
        specs = []
        first = 1
        for i in range(len(bounds) - 1):
            start, end = bounds[i], bounds[i + 1]
            fp.seek(start)
            lines, remaining, last = 0, end - start, b"\n"
            while remaining > 0:
                data = fp.read(min(1 << 22, remaining))
                if not data:
                    break
                remaining -= len(data)
                lines += data.count(b"\n")
                last = data[-1:]
            if last != b"\n":
                lines += 1
            specs.append(
                {
                    "index": i,
                    "kind": "bytes",
                    "start": start,
                    "end": end,
                    "first_row": first,
                    "rows": lines,
                }
            )
            first += lines
            check_rows(first - 1, limits)  # refused before any chunk is dispatched
    return specs


def resolve_mapping(
    columns: list[str], given: dict[str, str | None] | None, ruleset: dict[str, Any]
) -> tuple[dict[str, str | None], list[dict[str, Any]]]:
    """The column of each role that exists in the file, and file-level ``missing_column`` issues."""
    wanted = {**(ruleset.get("columns") or {}), **{k: v for k, v in (given or {}).items() if v}}
    mapping = detect_columns(columns, wanted)
    issues = []
    severity = ruleset["rules"]["missing_column"]["severity"]
    found = ", ".join(columns) if columns else M.NO_COLUMNS
    for role in ("caption", "image", "license"):
        name = mapping.get(role)
        if name and name not in columns:
            issues.append(
                {
                    "row": 0,
                    "rule": "missing_column",
                    "severity": severity,
                    "message": M.MISSING_COLUMN_NAMED
                    % {"role": role, "name": repr(name), "found": found},
                    "value": "",
                }
            )
            mapping[role] = None
        elif not name and role in ruleset.get("required_columns", ["caption"]):
            expected = ", ".join(COLUMN_CANDIDATES[role][:6])
            issues.append(
                {
                    "row": 0,
                    "rule": "missing_column",
                    "severity": severity,
                    "message": M.MISSING_COLUMN
                    % {"role": role, "expected": expected, "found": found},
                    "value": "",
                }
            )
    return mapping, issues


__all__ = ["plan_chunks", "resolve_mapping"]
