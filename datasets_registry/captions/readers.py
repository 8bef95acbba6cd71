"""Readers: JSON Lines, CSV, TSV and Parquet, plain or gzip/zstd, as bounded record batches.

Every reader yields :class:`Batch` objects holding only the mapped columns (``caption``, ``image``,
``license``) as Arrow string arrays, the row number of every row (numbered from 1 in file order;
CSV/TSV data rows after the header; JSON Lines rows are line numbers), and the issues of rows that
could not be parsed (``unreadable_row``, ``invalid_utf8``, ``line_too_long``), which are skipped.
Memory is bounded by ``block_bytes`` / ``batch_rows`` whatever the file size.

Public (formats and column detection live in ``formats``, streams and limits in ``streams``):

- ``inspect_file(path, format, compression, given=None, limits=None, count_bytes=None)
  -> {"row_count", "columns", "mapping"}``: one bounded streaming pass, used by the registry at
  upload to record the row count and the mapping.
- ``read_columns(path, format, compression, limits=None)``, ``parquet_file(path, compression,
  limits)`` (a ``pyarrow.parquet.ParquetFile``, inflated first when compressed)
- ``iter_batches(path, format, compression, mapping, *, spec=None, limits=None)``

A file that cannot be read at all raises :class:`UnreadableFile` with a message for people.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

from . import messages as M
from .formats import FORMATS
from .streams import (
    Limits,
    UnreadableFile,
    check_rows,
    line_blocks,
    line_too_long_message,
    open_stream,
)


@dataclass
class Batch:
    rows: pa.Array  # int64 row numbers
    columns: dict[str, pa.Array | None]  # role -> string array (None when the role is unmapped)
    not_string: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)  # reader issues (rows skipped)

    def __len__(self) -> int:
        return len(self.rows)


def _issue(row: int, rule: str, message: str, value: str = "") -> dict[str, Any]:
    return {"row": row, "rule": rule, "message": message, "value": value[:200]}


def _excerpt(raw: bytes) -> str:
    return raw[:200].decode("utf-8", errors="replace")


# --- JSON Lines -----------------------------------------------------------------------------


def count_block_lines(block: bytes) -> tuple[int, bool]:
    """(lines in the block, whether one of them is blank). One numpy pass over the bytes: an
    ``in`` search for ``b"\\n\\n"`` crawls at a few hundred MB/s over text full of newlines."""
    data = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(data == 0x0A)
    n_lines = len(ends) + (0 if block.endswith(b"\n") else 1)
    if not len(ends):
        return n_lines, False
    gaps = np.diff(ends)
    blank = bool(
        ends[0] == 0
        or (ends[0] == 1 and data[0] == 0x0D)
        or (gaps == 1).any()
        or ((gaps == 2) & (data[ends[:-1] + 1] == 0x0D)).any()
    )
    return n_lines, blank


def _jsonl_fast(
    block: bytes, mapping: dict[str, str | None], n_lines: int | None = None
) -> dict[str, pa.Array | None] | None:
    """Parse a block with pyarrow; None when the slow, row-by-row path must take over.
    ``n_lines``: the block's line count, when the caller has counted already (and found no
    blank line)."""
    import pyarrow.json as pj

    if not _valid_utf8(block):
        return None  # the row-by-row path reports each bad row as invalid_utf8
    if n_lines is None:
        n_lines, blank = count_block_lines(block)
        if blank:
            return None  # blank lines would shift row numbers
    # Only the mapped columns are parsed, as strings: a number or object where text belongs
    # fails the block, which the row-by-row path then explains. One thread: the reader already
    # parses beside the rules' threads, and Arrow's pool on top of them cost no less CPU and
    # 40-70 MiB more peak memory. A row longer than an internal block needs a single block.
    names = list(dict.fromkeys(v for v in mapping.values() if v))
    parse = pj.ParseOptions(
        explicit_schema=pa.schema([(n, pa.string()) for n in names]),
        unexpected_field_behavior="ignore",
    )
    table = None
    for block_size in (1 << 20, len(block) + 1):
        try:
            table = pj.read_json(
                io.BytesIO(block),
                read_options=pj.ReadOptions(use_threads=False, block_size=block_size),
                parse_options=parse,
            )
            break
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            if block_size > len(block):
                return None
    if table is None:
        return None
    if table.num_rows != n_lines:
        return None
    cols: dict[str, pa.Array | None] = {}
    for role, name in mapping.items():
        if not name:
            cols[role] = None
            continue
        if name not in table.column_names:
            cols[role] = pa.nulls(table.num_rows, pa.string())
            continue
        col = table.column(name).combine_chunks()
        if pa.types.is_null(col.type):
            col = pa.nulls(table.num_rows, pa.string())
        elif pa.types.is_large_string(col.type):
            col = col.cast(pa.string())
        elif not pa.types.is_string(col.type):
            return None  # a number or object where text belongs: explain it row by row
        cols[role] = col
    return cols


def _valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, checked by Arrow's vectorised validator without a copy
    (Arrow's JSON and Parquet readers hand on string bytes unchecked, and its string kernels
    then fail on the whole batch)."""
    one = pa.Array.from_buffers(
        pa.large_string(),
        1,
        [None, pa.py_buffer(np.array([0, len(data)], np.int64)), pa.py_buffer(data)],
    )
    try:
        one.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _jsonl_slow(
    block: bytes, first_row: int, mapping: dict[str, str | None], batch: Batch
) -> dict[str, list]:
    values: dict[str, list] = {role: [] for role in mapping}
    rows: list[int] = []
    for i, line in enumerate(block.split(b"\n")):
        row = first_row + i
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            batch.issues.append(
                _issue(
                    row, "invalid_utf8", M.INVALID_UTF8_BYTE % {"offset": exc.start}, _excerpt(line)
                )
            )
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            batch.issues.append(_issue(row, "unreadable_row", M.NOT_JSON % {"error": exc}, text))
            continue
        if not isinstance(obj, dict):
            batch.issues.append(_issue(row, "unreadable_row", M.NOT_AN_OBJECT, text))
            continue
        rows.append(row)
        for role, name in mapping.items():
            value = obj.get(name) if name else None
            if value is not None and not isinstance(value, str):
                batch.not_string.setdefault(role, []).append((row, type(value).__name__))
                value = None
            values[role].append(value)
    values["__rows__"] = rows
    return values


def _iter_jsonl(
    fp: BinaryIO, mapping, limits: Limits, first_row: int, end: int | None, start: int
) -> Iterator[Batch]:
    row = first_row
    for kind, data in line_blocks(fp, limits, end=end, start=start):
        if kind == "too_long":
            check_rows(row, limits)
            yield Batch(
                rows=pa.array([], pa.int64()),
                columns={r: (pa.array([], pa.string()) if mapping[r] else None) for r in mapping},
                issues=[_issue(row, "line_too_long", line_too_long_message(row, limits))],
            )
            row += 1
            continue
        assert isinstance(data, bytes)
        n_lines, blank = count_block_lines(data)
        check_rows(row + n_lines - 1, limits)
        cols = None if blank else _jsonl_fast(data, mapping, n_lines)
        if cols is not None:
            yield Batch(rows=pa.array(np.arange(row, row + n_lines, dtype=np.int64)), columns=cols)
        else:
            batch = Batch(rows=pa.array([], pa.int64()), columns={})
            body = data[:-1] if data.endswith(b"\n") else data
            values = _jsonl_slow(body, row, mapping, batch)
            batch.rows = pa.array(values.pop("__rows__"), pa.int64())
            batch.columns = {
                role: (pa.array(values[role], pa.string()) if mapping[role] else None)
                for role in mapping
            }
            yield batch
        row += n_lines


def _jsonl_columns(fp: BinaryIO, limits: Limits) -> list[str]:
    """Column names seen in the first lines (a JSON Lines file has no header)."""
    names: dict[str, None] = {}
    head = fp.read(min(limits.block_bytes, 1 << 20))
    for line in head.split(b"\n")[:1000]:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            names.update(dict.fromkeys(obj))
    return list(names)


# --- CSV / TSV --------------------------------------------------------------------------------


def csv_reader(fp: BinaryIO, fmt: str, limits: Limits):
    csv.field_size_limit(limits.max_line_bytes)
    text = io.TextIOWrapper(fp, encoding="utf-8", errors="surrogateescape", newline="")
    return csv.reader(text, delimiter="\t" if fmt == "tsv" else ",", strict=False)


def csv_header(reader) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as exc:
        raise UnreadableFile(M.HEADER_UNPARSABLE % {"error": exc}) from exc
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    try:
        "".join(header).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnreadableFile(M.HEADER_NOT_UTF8) from exc
    return header


def _iter_csv(fp: BinaryIO, fmt: str, mapping, limits: Limits) -> Iterator[Batch]:
    reader = csv_reader(fp, fmt, limits)
    header = csv_header(reader)
    index = {
        role: (header.index(name) if name in header else None)
        for role, name in mapping.items()
        if name
    }
    width = len(header)
    row = 0
    while True:
        batch = Batch(rows=pa.array([], pa.int64()), columns={})
        rows: list[int] = []
        values: dict[str, list] = {role: [] for role in mapping}
        done = False
        while len(rows) < limits.batch_rows:
            try:
                record = next(reader)
            except StopIteration:
                done = True
                break
            except csv.Error as exc:
                row += 1
                batch.issues.append(
                    _issue(row, "unreadable_row", M.ROW_UNPARSABLE % {"error": exc})
                )
                continue
            row += 1
            if not record:
                row -= 1  # csv yields [] for a blank line: not a data row
                continue
            check_rows(row, limits)
            if len(record) != width:
                batch.issues.append(
                    _issue(
                        row,
                        "unreadable_row",
                        M.FIELD_COUNT % {"fields": len(record), "width": width},
                        _safe(",".join(record)),
                    )
                )
                continue
            try:
                "\x1f".join(record).encode("utf-8")
            except UnicodeEncodeError:
                batch.issues.append(
                    _issue(row, "invalid_utf8", M.ROW_NOT_UTF8, _safe(",".join(record)))
                )
                continue
            rows.append(row)
            for role in mapping:
                i = index.get(role)
                values[role].append(record[i] if i is not None else None)
        batch.rows = pa.array(rows, pa.int64())
        batch.columns = {
            role: (pa.array(values[role], pa.string()) if mapping[role] else None)
            for role in mapping
        }
        if rows or batch.issues:
            yield batch
        if done:
            return


def _safe(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


# --- Parquet ----------------------------------------------------------------------------------


def parquet_file(path: str, compression: str, limits: Limits | None = None):
    """The ``pyarrow.parquet.ParquetFile`` of ``path``; raises UnreadableFile (also past the
    row-count limit, read from the footer)."""
    import pyarrow.parquet as pq

    limits = limits or Limits()

    source: Any = path
    if compression:
        # Parquet needs random access: inflate to a temporary file first (bounded by the limit).
        tmp = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the ParquetFile
        with open_stream(path, compression, limits) as stream:
            shutil.copyfileobj(stream, tmp, 1 << 20)
        tmp.seek(0)
        source = tmp
    try:
        pf = pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFile(M.NOT_PARQUET % {"error": exc}) from exc
    check_rows(pf.metadata.num_rows, limits)
    return pf


def _iter_parquet(pf, mapping, limits: Limits, row_groups: list[int] | None) -> Iterator[Batch]:
    names = pf.schema_arrow.names
    wanted = [n for n in dict.fromkeys(v for v in mapping.values() if v) if n in names]
    groups = list(range(pf.num_row_groups)) if row_groups is None else row_groups
    offsets = [0]
    for i in range(pf.num_row_groups):
        offsets.append(offsets[-1] + pf.metadata.row_group(i).num_rows)
    for g in groups:
        row = offsets[g] + 1
        try:
            batches = pf.iter_batches(batch_size=limits.batch_rows, row_groups=[g], columns=wanted)
            for rb in batches:
                n = rb.num_rows
                batch = Batch(rows=pa.array(range(row, row + n), pa.int64()), columns={})
                for role, name in mapping.items():
                    if not name:
                        batch.columns[role] = None
                    elif name not in rb.schema.names:
                        batch.columns[role] = pa.nulls(n, pa.string())
                    else:
                        batch.columns[role] = _as_string(rb.column(name), role, row, batch)
                yield batch
                row += n
        except (pa.ArrowException, OSError) as exc:
            raise UnreadableFile(M.ROW_GROUP_UNREADABLE % {"group": g, "error": exc}) from exc


def _as_string(col: pa.Array, role: str, first_row: int, batch: Batch) -> pa.Array:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        try:
            col.validate(full=True)  # Parquet hands on string bytes unchecked
        except pa.ArrowInvalid:
            # Each bad value becomes an invalid_utf8 issue of its row (the binary path below).
            col = col.view(pa.binary() if pa.types.is_string(col.type) else pa.large_binary())
    if pa.types.is_string(col.type):
        return col
    if pa.types.is_large_string(col.type) or pa.types.is_string_view(col.type):
        return col.cast(pa.string())
    if pa.types.is_dictionary(col.type):
        return _as_string(col.dictionary_decode(), role, first_row, batch)
    if pa.types.is_null(col.type):
        return pa.nulls(len(col), pa.string())
    if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
        out = []
        for i, v in enumerate(col.to_pylist()):
            if v is None:
                out.append(None)
                continue
            try:
                out.append(v.decode("utf-8"))
            except UnicodeDecodeError:
                batch.issues.append(
                    _issue(first_row + i, "invalid_utf8", M.VALUE_NOT_UTF8, _excerpt(v))
                )
                out.append(None)
        return pa.array(out, pa.string())
    batch.not_string.setdefault(role, []).extend(
        (first_row + i, str(col.type)) for i in range(len(col)) if col[i].is_valid
    )
    return pa.nulls(len(col), pa.string())


# --- entry points -----------------------------------------------------------------------------


def read_columns(path: str, fmt: str, compression: str, limits: Limits | None = None) -> list[str]:
    """The column names of a file (CSV header, Parquet schema, keys of the first JSON lines)."""
    limits = limits or Limits()
    if fmt == "parquet":
        return list(parquet_file(path, compression, limits).schema_arrow.names)
    with open_stream(path, compression, limits) as fp:
        if fmt == "jsonl":
            return _jsonl_columns(fp, limits)
        return csv_header(csv_reader(fp, fmt, limits))


def iter_batches(
    path: str,
    fmt: str,
    compression: str,
    mapping: dict[str, str | None],
    *,
    spec: dict[str, Any] | None = None,
    limits: Limits | None = None,
) -> Iterator[Batch]:
    """Record batches of the whole file, or of the chunk ``spec`` from :func:`plan_chunks`."""
    limits = limits or Limits()
    spec = spec or {"kind": "whole"}
    if fmt not in FORMATS:
        raise UnreadableFile(
            M.UNKNOWN_FORMAT % {"format": repr(fmt), "expected": ", ".join(FORMATS)}
        )
    if fmt == "parquet":
        pf = parquet_file(path, compression, limits)
        yield from _iter_parquet(pf, mapping, limits, spec.get("row_groups"))
        return
    with open_stream(path, compression, limits) as fp:
        if fmt == "jsonl":
            start, end = spec.get("start", 0), spec.get("end")
            if start:
                fp.seek(start)
            yield from _iter_jsonl(fp, mapping, limits, spec.get("first_row", 1), end, start)
        else:
            yield from _iter_csv(fp, fmt, mapping, limits)


def _wanted_batch(data, starts: list[int], stops: list[int], rows: np.ndarray, mapping) -> Batch:
    """The lines ``data[starts[i]:stops[i]]`` (rows ``rows``) as one batch: parsed by Arrow in
    one call when it reads every one of them, else row by row. Arrow and ``json.loads`` agree on
    every line both accept: Arrow refuses repeated keys (also when one is escaped), lone
    surrogates and a value that is not a string, which the row-by-row path then explains as the
    first read did."""
    lines = [data[a:b] for a, b in zip(starts, stops, strict=True)]
    if all(line.strip() for line in lines):
        block = b"\n".join(lines) + b"\n"
        cols = _jsonl_fast(block, mapping, len(lines))
        if cols is not None:
            return Batch(rows=pa.array(rows, pa.int64()), columns=cols)
    batch = Batch(rows=pa.array([], pa.int64()), columns={})
    values: dict[str, list] = {role: [] for role in mapping}
    found: list[int] = []
    for r, line in zip(rows.tolist(), lines, strict=True):
        one = _jsonl_slow(line, r, mapping, batch)
        found += one.pop("__rows__")
        for role in mapping:
            values[role] += one[role]
    batch.rows = pa.array(found, pa.int64())
    batch.columns = {
        role: (pa.array(values[role], pa.string()) if mapping[role] else None) for role in mapping
    }
    return batch


def _wanted_in_block(data, offset: int, ends: np.ndarray, size: int, row: int, wanted, at: int):
    """(starts, stops, rows, next ``at``) of the wanted lines among the block of ``data`` that
    starts at byte ``offset``, holds ``size`` bytes and starts with row ``row``; ``ends``: its
    newlines (relative to ``offset``)."""
    n_lines = len(ends) + (0 if size and data[offset + size - 1] == 0x0A else 1)
    stop = int(np.searchsorted(wanted, row + n_lines))
    k = wanted[at:stop] - row
    starts = (np.concatenate(([0], ends + 1))[k] + offset).tolist()
    stops = (np.concatenate((ends, [size]))[k] + offset).tolist()
    return starts, stops, wanted[at:stop], stop, n_lines


def _iter_wanted_mapped(path: str, spec: dict[str, Any], wanted: np.ndarray, mapping, limits):
    """``iter_rows_of`` over a plain JSON Lines file, memory-mapped: numpy finds the line ends on
    the mapping itself and only the wanted lines are copied (reading the file into blocks first
    cost three copies of every byte). A line over the length limit is one row, as when read.
    The pages of each block are dropped from the mapping once it is read: mapped pages count in
    the process's resident memory, which must not grow with the file."""
    import mmap

    start, end = spec.get("start", 0), spec.get("end")
    row = spec.get("first_row", 1)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        end = size if end is None else min(end, size)
        if end <= start:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            at = int(np.searchsorted(wanted, row))
            pos, released = start, start - start % mmap.PAGESIZE
            while pos < end and at < len(wanted):
                stop_byte = min(pos + limits.block_bytes, end)
                if stop_byte < end:
                    nl = mm.rfind(b"\n", pos, stop_byte)
                    if nl < 0:
                        nl = mm.find(b"\n", stop_byte, end)
                    stop_byte = end if nl < 0 else nl + 1
                view = np.frombuffer(mm, dtype=np.uint8, count=stop_byte - pos, offset=pos)
                ends = np.flatnonzero(view == 0x0A)
                del view  # no export of the mapping may outlive this step (it is closed after)
                starts, stops, rows, at, n_lines = _wanted_in_block(
                    mm, pos, ends, stop_byte - pos, row, wanted, at
                )
                batch = _wanted_batch(mm, starts, stops, rows, mapping) if len(rows) else None
                done = stop_byte - stop_byte % mmap.PAGESIZE
                if done > released and hasattr(mm, "madvise"):
                    mm.madvise(mmap.MADV_DONTNEED, released, done - released)
                    released = done
                if batch is not None:
                    yield batch
                pos = stop_byte
                row += n_lines


def iter_rows_of(
    path: str,
    fmt: str,
    compression: str,
    mapping: dict[str, str | None],
    wanted: np.ndarray,
    *,
    spec: dict[str, Any] | None = None,
    limits: Limits | None = None,
) -> Iterator[Batch]:
    """Batches holding at least the rows in ``wanted`` (sorted row numbers) of the file or chunk.
    JSON Lines: line ends are counted and only the wanted lines are parsed (a second read of a
    file costs little more than its decompression); other formats are read as ``iter_batches``
    reads them (a CSV record may span lines; Parquet reads only the mapped columns anyway)."""
    limits = limits or Limits()
    spec = spec or {"kind": "whole"}
    if fmt != "jsonl":
        yield from iter_batches(path, fmt, compression, mapping, spec=spec, limits=limits)
        return
    wanted = np.asarray(wanted, dtype=np.int64)
    if not compression:
        yield from _iter_wanted_mapped(path, spec, wanted, mapping, limits)
        return
    with open_stream(path, compression, limits) as fp:
        start, end = spec.get("start", 0), spec.get("end")
        if start:
            fp.seek(start)
        row = spec.get("first_row", 1)
        at = int(np.searchsorted(wanted, row))
        for kind, data in line_blocks(fp, limits, end=end, start=start):
            if at >= len(wanted):
                return
            if kind == "too_long":
                row += 1
                continue
            assert isinstance(data, bytes)
            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A)
            starts, stops, rows, at, n_lines = _wanted_in_block(
                data, 0, ends, len(data), row, wanted, at
            )
            if len(rows):
                yield _wanted_batch(data, starts, stops, rows, mapping)
            row += n_lines


__all__ = [
    "Batch",
    "iter_batches",
    "iter_rows_of",
    "parquet_file",
    "read_columns",
]
