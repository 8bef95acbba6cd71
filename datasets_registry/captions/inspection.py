"""What the registry records of a caption file at upload: its columns, their mapping and its row
count, in one bounded streaming pass through the engine's own readers (so that the registry and
the validators agree on what a row is, and a compression bomb stops at the engine's limits)."""

from __future__ import annotations

import csv
import io
from typing import Any, BinaryIO

from .formats import detect_columns
from .readers import count_block_lines, csv_header, csv_reader, parquet_file, read_columns
from .streams import Limits, check_rows, line_blocks, open_stream


def inspect_file(
    path: str,
    fmt: str,
    compression: str = "",
    given: dict[str, str | None] | None = None,
    limits: Limits | None = None,
    count_bytes: int | None = None,
) -> dict[str, Any]:
    """``{"row_count", "columns", "mapping"}`` in one bounded streaming pass; raises UnreadableFile
    (a corrupt stream, or a file over a limit found while reading it).

    ``row_count`` is the number of data rows (JSON Lines: non-blank lines; CSV/TSV: records after
    the header; Parquet: from the footer). Counting a plain JSON Lines file is a newline count
    (gigabytes a second) and a Parquet file's is in its footer: always done. A compressed or
    CSV/TSV file costs a decompression or a parse: with ``count_bytes``, the pass stops once it
    has read that many (decompressed) bytes and ``row_count`` is None (validation counts them,
    and checks the rest of the stream).
    """
    limits = limits or Limits()
    columns = read_columns(path, fmt, compression, limits)
    mapping = detect_columns(columns, given)
    if fmt == "parquet":
        row_count: int | None = parquet_file(path, compression, limits).metadata.num_rows
        return {"row_count": row_count, "columns": columns, "mapping": mapping}
    budget = count_bytes if compression or fmt != "jsonl" else None
    with open_stream(path, compression, limits) as fp:
        if fmt == "jsonl":
            row_count = _count_jsonl_rows(fp, limits, budget)
        else:
            row_count = _count_csv_rows(fp, fmt, limits, budget)
    if row_count is not None:
        check_rows(row_count, limits)
    return {"row_count": row_count, "columns": columns, "mapping": mapping}


def _count_jsonl_rows(fp: BinaryIO, limits: Limits, budget: int | None) -> int | None:
    rows = lines = read = 0
    for kind, data in line_blocks(fp, limits):
        if kind == "too_long":
            rows += 1
            lines += 1
            continue
        assert isinstance(data, bytes)
        read += len(data)
        n_lines, blank = count_block_lines(data)
        # A block with a blank line (rare) is counted line by line; the others, by their newlines.
        rows += sum(1 for line in data.split(b"\n") if line.strip()) if blank else n_lines
        lines += n_lines
        check_rows(lines, limits)
        if budget is not None and read > budget:
            return None
    return rows


def _count_csv_rows(fp: BinaryIO, fmt: str, limits: Limits, budget: int | None) -> int | None:
    counted = _CountingReader(fp)
    reader = csv_reader(io.BufferedReader(counted, 1 << 20), fmt, limits)  # type: ignore[arg-type]
    csv_header(reader)
    rows = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return rows
        except csv.Error:
            record = [""]
        if record:
            rows += 1
            if not rows % 1000:
                check_rows(rows, limits)
                if budget is not None and counted.total > budget:
                    return None


class _CountingReader(io.RawIOBase):
    """Counts the bytes read through it (the CSV reader's text layer hides the position)."""

    def __init__(self, raw: BinaryIO):
        self._raw, self.total = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._raw.read(len(b))
        self.total += len(data)
        b[: len(data)] = data
        return len(data)


__all__ = ["inspect_file"]
