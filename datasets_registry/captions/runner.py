"""Running the rules over a file: whole (the CLI) or in chunks (the Celery pipeline).

Chunked API::

    specs = plan_chunks(path, fmt, compression, target_bytes=...)     # JSON-able dicts
    mapping, file_issues = resolve_mapping(columns, given, ruleset)     # once per run
    result = validate_chunk(path, fmt, compression, spec, ruleset=eff, mapping=mapping,
                            issues_out=fp)        # writes the chunk's issues, sorted, as JSON lines
    blob = result.hashes_to_bytes()               # compact duplicate hashes, stored per chunk
    merged = merge_chunks(results, ruleset=eff, file_issues=file_issues)
    merged.counts, merged.iter_duplicate_issues()  # cross-chunk duplicates, final counts

``validate_file`` does all of this in one process for the command line and tests.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import gc
import gzip
import heapq
import io
import itertools
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from .readers import (
    COLUMN_CANDIDATES,
    Limits,
    UnreadableFile,
    detect_format,
    iter_batches,
    open_stream,
    read_columns,
)
from .rules import BatchResult, RuleEngine
from .ruleset import resolve_ruleset

HASH_ROLES = {
    "caption": ("duplicate_caption", "The same caption appears in row {first}."),
    "normalized": (
        "near_duplicate_caption",
        "Ignoring case, spacing and punctuation, this caption repeats row {first}.",
    ),
    "image": ("duplicate_image", "The same image reference appears in row {first}."),
}


# --- planning ---------------------------------------------------------------------------------


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
        from .readers import _parquet_file

        pf = _parquet_file(path, compression, limits)
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
    return specs


def resolve_mapping(
    columns: list[str], given: dict[str, str | None] | None, ruleset: dict[str, Any]
) -> tuple[dict[str, str | None], list[dict[str, Any]]]:
    """The column of each role that exists in the file, and file-level ``missing_column`` issues."""
    from .readers import detect_columns

    wanted = {**(ruleset.get("columns") or {}), **{k: v for k, v in (given or {}).items() if v}}
    mapping = detect_columns(columns, wanted)
    issues = []
    severity = ruleset["rules"]["missing_column"]["severity"]
    found = ", ".join(columns) if columns else "none"
    for role in ("caption", "image", "license"):
        name = mapping.get(role)
        if name and name not in columns:
            issues.append(
                {
                    "row": 0,
                    "rule": "missing_column",
                    "severity": severity,
                    "message": f"The {role} column {name!r} is not in the file; columns found: {found}.",
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
                    "message": f"No {role} column: expected one of {expected} (or name it in the "
                    f"column mapping); columns found: {found}.",
                    "value": "",
                }
            )
    return mapping, issues


# --- one chunk --------------------------------------------------------------------------------


@dataclass
class ChunkResult:
    index: int
    rows: int  # rows read (including the unreadable ones)
    last_row: int
    counts: dict[str, int]
    issues: list[dict[str, Any]] | None = None
    hashes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "rows": self.rows,
            "last_row": self.last_row,
            "counts": self.counts,
        }

    def hashes_to_bytes(self) -> bytes:
        buf = io.BytesIO()
        arrays = {}
        for role, (h, r) in self.hashes.items():
            arrays[f"{role}_h"] = h
            arrays[f"{role}_r"] = r
        np.savez(buf, **arrays)  # 8-byte hashes do not compress: skip the zlib pass
        return buf.getvalue()

    @staticmethod
    def hashes_from_bytes(data: bytes) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        with np.load(io.BytesIO(data)) as npz:
            roles = {k[:-2] for k in npz.files}
            return {role: (npz[f"{role}_h"], npz[f"{role}_r"]) for role in roles}


# One encoder for every issue: json.dumps with options builds a new encoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dump(issue: dict[str, Any]) -> bytes:
    """An issue as one JSON line. ``row`` is always the first key (``row_of`` relies on it)."""
    return (_ENCODER.encode(issue) + "\n").encode("utf-8")


def row_of(line: bytes) -> int:
    """The row of an issue line written by ``_dump``, without parsing the JSON."""
    return int(line[7 : line.index(b",", 7)])


def rule_of(line: bytes) -> str:
    start = line.index(b'"rule":"') + 8
    return line[start : line.index(b'"', start)].decode()


def _prefetch(iterator: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Read ahead in a thread: Arrow parses the next batch (without the GIL) while this thread
    evaluates the current one. Exceptions are re-raised here, in order; memory grows by
    ``depth`` batches at most."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in iterator:
                while not stop.is_set():
                    try:
                        q.put((True, item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put((True, done))
        except BaseException as exc:  # handed to the consumer
            q.put((False, exc))

    thread = threading.Thread(target=produce, name="caption-reader", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = q.get()
            if not ok:
                raise item
            if item is done:
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate_chunk(
    path: str,
    fmt: str,
    compression: str,
    spec: dict[str, Any],
    *,
    ruleset: dict[str, Any],
    mapping: dict[str, str | None],
    issues_out: IO[bytes] | None = None,
    collect: bool = False,
    limits: Limits | None = None,
    progress: Callable[[int], None] | None = None,
) -> ChunkResult:
    """Validate one chunk. Issues (sorted by row) go to ``issues_out`` as JSON lines, and/or are
    kept in ``result.issues`` when ``collect``. Duplicates are left to :func:`merge_chunks`.
    Raises UnreadableFile when the chunk cannot be read at all.
    """
    engine = RuleEngine(ruleset)
    limits = limits or Limits()
    max_line = ruleset["rules"]["line_too_long"].get("max_bytes", limits.max_line_bytes)
    if max_line < limits.max_line_bytes:  # the rule set may only tighten the reader's limit
        limits = dataclasses.replace(limits, max_line_bytes=max_line)
    counts: Counter[str] = Counter()
    kept: list[dict[str, Any]] | None = [] if collect else None
    hashes: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    rows = 0
    last_row = spec.get("first_row", 1) - 1
    batches = iter_batches(path, fmt, compression, mapping, spec=spec, limits=limits)
    # Issues are built as many small dicts that hold no reference cycles; left on, the cyclic
    # collector would walk every live object each time a few hundred were made.
    with _cyclic_gc_paused():
        for batch in _prefetch(batches):
            result = BatchResult()
            engine.evaluate(batch, result)
            result.issues.sort(key=lambda i: i["row"])
            for issue in result.issues:
                counts[issue["rule"]] += 1
            if issues_out is not None:
                issues_out.write(b"".join(_dump(i) for i in result.issues))
            if kept is not None:
                kept.extend(result.issues)
            for role, parts in result.hashes.items():
                hashes.setdefault(role, []).extend(parts)
            batch_last = max(
                [int(batch.rows[-1].as_py()) if len(batch) else 0]
                + [i["row"] for i in batch.issues]
            )
            if batch_last > last_row:
                rows += batch_last - last_row
                last_row = batch_last
            if progress is not None:
                progress(rows)
    if spec.get("rows") is not None:
        rows = spec["rows"]  # byte ranges: count blank lines too, so the totals add up
    merged = {}
    for role in list(hashes):
        parts = hashes.pop(role)  # freed as soon as it is joined: memory is 16 bytes per row
        merged[role] = (_join([h for h, _ in parts]), _join([r for _, r in parts]))
        del parts
    return ChunkResult(
        index=spec.get("index", 0),
        rows=rows,
        last_row=last_row,
        counts=dict(counts),
        issues=kept,
        hashes=merged,
    )


# --- merging ----------------------------------------------------------------------------------


def _join(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _duplicates(h: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows that repeat an earlier row, the first row each repeats), vectorised, in no
    particular order (the report sorts by row). Each row appears once per role. Temporaries are
    dropped as soon as they are used: this runs over every row of the file at once."""
    if len(h) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # An unstable sort by hash (about twice as fast as a stable one); the first row of each run
    # of equal hashes is its smallest, whatever the order inside the run.
    order = np.argsort(h)
    rs = rows[order]
    hs = h[order]
    del order
    start = np.empty(len(hs), dtype=bool)
    start[0] = True
    np.not_equal(hs[1:], hs[:-1], out=start[1:])
    del hs
    starts = np.flatnonzero(start)
    del start
    run_lengths = np.diff(starts, append=len(rs))
    first = np.repeat(np.minimum.reduceat(rs, starts), run_lengths)
    del starts, run_lengths
    dup = rs != first
    return rs[dup].astype(np.int64), first[dup].astype(np.int64)


@dataclass
class MergeResult:
    rows: int
    by_rule: dict[str, int]
    by_severity: dict[str, int]
    issue_count: int
    duplicates: list[tuple[str, np.ndarray, np.ndarray]]  # (rule, rows, first rows)
    file_issues: list[dict[str, Any]]
    severities: dict[str, str]

    @property
    def counts(self) -> dict[str, Any]:
        return {"by_rule": self.by_rule, "by_severity": self.by_severity}

    @property
    def has_errors(self) -> bool:
        return self.by_severity.get("error", 0) > 0

    def duplicate_blocks(self, size: int = 65_536) -> Iterator[tuple[list[int], list[bytes]]]:
        """Duplicate issues sorted by row, as blocks of (rows, JSON lines): formatted a block at
        a time, since there can be millions."""
        if not self.duplicates:
            return
        rows = np.concatenate([r for _, r, _ in self.duplicates])
        firsts = np.concatenate([f for _, _, f in self.duplicates])
        kinds = np.concatenate(
            [np.full(len(r), k, np.int8) for k, (_, r, _) in enumerate(self.duplicates)]
        )
        order = np.lexsort((kinds, rows))
        # The templates are plain ASCII without quotes, so the lines are valid JSON as formatted.
        templates = [
            (
                '{"row":%d,"rule":"' + rule + '","severity":"' + self.severities[rule]
                + '","message":"' + HASH_ROLES_BY_RULE[rule].replace("{first}", "%d") + '","value":""}\n'
            ).encode()
            for rule, _, _ in self.duplicates
        ]  # fmt: skip
        for start in range(0, len(order), size):
            part = order[start : start + size]
            block_rows = rows[part].tolist()
            block = zip(block_rows, firsts[part].tolist(), kinds[part].tolist(), strict=True)
            yield block_rows, [templates[kind] % (row, first) for row, first, kind in block]

    def iter_duplicate_lines(self) -> Iterator[bytes]:
        """Duplicate issues as JSON lines sorted by row (lazily: there can be millions)."""
        for _, lines in self.duplicate_blocks():
            yield from lines

    def iter_duplicate_issues(self) -> Iterator[dict[str, Any]]:
        """Duplicate issues sorted by row, as dicts."""
        for line in self.iter_duplicate_lines():
            yield json.loads(line)


HASH_ROLES_BY_RULE = dict(HASH_ROLES.values())


def merge_chunks(
    results: Iterable[ChunkResult],
    *,
    ruleset: dict[str, Any],
    file_issues: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> MergeResult:
    """Final counts of a run: chunk counts + duplicates across all chunks + file-level issues."""
    by_rule: Counter[str] = Counter()
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    rows = 0
    for res in results:
        by_rule.update(res.counts)
        rows += res.rows
        for role, (h, r) in res.hashes.items():
            parts.setdefault(role, []).append((h, r))
    file_issues = list(file_issues)
    if rows == 0 and not sum(by_rule.values()):
        # Nothing to read: "no rows" says it all, column complaints would only be noise.
        file_issues = []
        file_issues.append(
            {
                "row": 0,
                "rule": "empty_file",
                "severity": ruleset["rules"]["empty_file"]["severity"],
                "message": "The file has no data rows.",
                "value": "",
            }
        )
    for issue in file_issues:
        by_rule[issue["rule"]] += 1
    rules = ruleset["rules"]
    duplicates: list[tuple[str, np.ndarray, np.ndarray]] = []
    exact_rows = np.zeros(0, np.int64)
    for role in ("caption", "normalized", "image"):
        rule = HASH_ROLES[role][0]
        if role not in parts or not rules[rule]["enabled"]:
            continue
        h = _join([p[0] for p in parts[role]])
        r = _join([p[1] for p in parts[role]])
        dup_rows, firsts = _duplicates(h, r)
        if role == "caption":
            exact_rows = dup_rows
        elif role == "normalized" and len(exact_rows):
            keep = ~np.isin(dup_rows, exact_rows)  # an exact duplicate is reported once, as such
            dup_rows, firsts = dup_rows[keep], firsts[keep]
        if len(dup_rows):
            duplicates.append((rule, dup_rows, firsts))
            by_rule[rule] += len(dup_rows)
    severities = {code: rule["severity"] for code, rule in rules.items()}
    by_severity: Counter[str] = Counter()
    for code, n in by_rule.items():
        by_severity[severities.get(code, "error")] += n
    return MergeResult(
        rows=rows,
        by_rule=dict(sorted(by_rule.items())),
        by_severity={
            "error": by_severity.get("error", 0),
            "warning": by_severity.get("warning", 0),
        },
        issue_count=sum(by_rule.values()),
        duplicates=duplicates,
        file_issues=sorted(file_issues, key=lambda i: i["row"]),
        severities=severities,
    )


def iter_jsonl(fp: IO[bytes]) -> Iterator[dict[str, Any]]:
    for line in fp:
        if line.strip():
            yield json.loads(line)


def iter_lines(fp: IO[bytes]) -> Iterator[bytes]:
    for line in fp:
        if line.strip():
            yield line if line.endswith(b"\n") else line + b"\n"


def merged_lines(merge: MergeResult, chunk_streams: Iterable[Iterator[bytes]]) -> Iterator[bytes]:
    """Every issue of a run as JSON lines sorted by row: file-level ones (row 0), the chunks'
    (already in row order, chunk after chunk), and the duplicates found by the merge; of one
    row, the chunks' issues come before its duplicate issues."""
    chunks: Iterator[bytes] = (line for stream in chunk_streams for line in stream)
    if merge.file_issues:
        chunks = heapq.merge([_dump(i) for i in merge.file_issues], chunks, key=row_of)
    # Most lines of a big report are duplicates: they are slotted in by block (a bisection per
    # chunk line), not pushed one by one through a heap.
    blocks = merge.duplicate_blocks()
    rows: list[int] = []
    lines: list[bytes] = []
    at = 0
    for line in chunks:
        row = row_of(line)
        while True:
            end = bisect.bisect_left(rows, row, at)
            if end > at:
                yield from lines[at:end]
                at = end
            if at < len(rows):
                break
            block = next(blocks, None)
            if block is None:
                rows, lines, at = [], [], 0
                break
            rows, lines = block
            at = 0
        yield line
    yield from lines[at:]
    for _, rest in blocks:
        yield from rest


def merged_issues(
    merge: MergeResult, chunk_streams: Iterable[Iterator[dict[str, Any]]]
) -> Iterator[dict[str, Any]]:
    """Every issue of a run sorted by row, as dicts (see ``merged_lines``)."""
    chunks = (issue for stream in chunk_streams for issue in stream)  # chunks are in row order
    return heapq.merge(
        iter(merge.file_issues), chunks, merge.iter_duplicate_issues(), key=lambda i: i["row"]
    )


def write_report(issues: Iterable[dict[str, Any] | bytes], out: IO[bytes]) -> int:
    """Write issues (dicts or JSON lines) to ``out``; returns how many."""
    n = 0
    items = iter(issues)
    while block := list(itertools.islice(items, 10_000)):
        n += len(block)
        try:
            data = b"".join(block)  # type: ignore[arg-type]
        except TypeError:  # issues given as dicts
            data = b"".join(i if isinstance(i, bytes) else _dump(i) for i in block)
        out.write(data)
    return n


REPORT_BLOCK_LINES = 10_000


def write_indexed_report(
    lines: Iterable[bytes], out: IO[bytes], *, rules: Iterable[str], block_lines: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Write a report (JSON lines, sorted by row) as gzip, one gzip member per block of lines.

    A multi-member file is still one ordinary gzip stream to every reader; the returned index
    (per block: byte ``offset`` of its member, number of ``lines``, and issue counts per rule
    among ``rules``) lets a reader jump to any page, or skip blocks without a wanted rule,
    instead of decompressing and parsing everything before it. Returns (issues, index).
    """
    block_lines = block_lines or REPORT_BLOCK_LINES
    needles = {rule: f'"rule":"{rule}"'.encode() for rule in rules}
    index: list[dict[str, Any]] = []
    offset = written = 0
    items = iter(lines)
    while block := list(itertools.islice(items, block_lines)):
        data = b"".join(block)
        member = gzip.compress(data, compresslevel=1, mtime=0)
        # A rule's name appears unescaped only as the value of "rule": quotes inside captions
        # and messages are escaped, so counting the needle counts the issues.
        counts = {rule: c for rule, needle in needles.items() if (c := data.count(needle))}
        index.append({"offset": offset, "lines": len(block), "rules": counts})
        out.write(member)
        offset += len(member)
        written += len(block)
    if not index:
        out.write(gzip.compress(b"", mtime=0))  # an empty report is still a valid gzip file
    return written, index


def read_report_page(
    report: IO[bytes],
    index: list[dict[str, Any]],
    severities: dict[str, str],
    *,
    rule: str = "",
    severity: str = "",
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], bool]:
    """(issues from position ``offset`` among those matching ``rule``/``severity``, whether
    more follow) of a report written by ``write_indexed_report``. ``report`` is the seekable
    binary file; ``index`` its block index (empty for a report written without one: then the
    file is scanned from the start); ``severities``: rule code -> severity."""

    def wanted(code: str) -> bool:
        return (not rule or code == rule) and (
            not severity or severities.get(code, "error") == severity
        )

    def matches(block: dict[str, Any]) -> int:
        if not rule and not severity:
            return block["lines"]
        return sum(n for code, n in block["rules"].items() if wanted(code))

    def lines_of(block: dict[str, Any] | None) -> Iterator[bytes]:
        report.seek(block["offset"] if block else 0)
        with gzip.GzipFile(fileobj=report) as gz:
            yield from itertools.islice(gz, block["lines"]) if block else gz

    blocks: list[dict[str, Any] | None] = list(index) or [None]
    counts = [matches(b) if b else None for b in blocks]
    total = None if counts[0] is None else sum(counts)  # type: ignore[arg-type]
    skip = offset
    out: list[dict[str, Any]] = []
    for block, count in zip(blocks, counts, strict=True):
        if count is not None and (count == 0 or skip >= count):
            skip -= count
            continue  # nothing of this block is on the page: not even read
        for line in lines_of(block):
            if (rule or severity) and not wanted(rule_of(line)):
                continue
            if skip:
                skip -= 1
                continue
            if len(out) == limit:
                return out, True
            out.append(json.loads(line))
        if len(out) == limit and total is not None:
            break
    more = offset + len(out) < total if total is not None else False
    return out, more


# --- whole file -------------------------------------------------------------------------------


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
) -> FileResult:
    """Validate a whole file in this process. ``rules`` is a rule set (defaults filled in).

    ``report``: a binary file receiving every issue as sorted JSON lines. ``collect``: keep every
    issue in ``result.issues`` (for tests; memory grows with the issue count). ``workers`` > 1
    validates the chunks of a large plain JSON Lines or Parquet file in that many processes.
    Raises UnreadableFile (the CLI's exit code 2).
    """
    if fmt is None or compression is None:
        detected = detect_format(path)
        fmt = fmt or detected[0]
        compression = detected[1] if compression is None else compression
    limits = limits or Limits()
    ruleset = resolve_ruleset(rules)
    if os.path.getsize(path) == 0 and fmt == "parquet":
        raise UnreadableFile("The file is empty.")
    columns = read_columns(path, fmt, compression, limits) if os.path.getsize(path) else []
    mapping, file_issues = resolve_mapping(columns, mapping, ruleset)
    keep = report is not None or collect
    specs = [{"index": 0, "kind": "whole", "first_row": 1}]
    if workers > 1 and os.path.getsize(path) > 2 * chunk_bytes:
        specs = plan_chunks(path, fmt, compression, target_bytes=chunk_bytes, limits=limits)
    spools: list[IO[bytes]] = []
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
            stream = merged_lines(merge, [iter_lines(sp) for sp in spools])
            if collect:
                lines = list(stream)
                issues = [json.loads(line) for line in lines]
                if report is not None:
                    write_report(lines, report)
            else:
                assert report is not None
                write_report(stream, report)
    finally:
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


def gzip_writer(fp: IO[bytes]) -> gzip.GzipFile:
    # Level 1: reports are written once per run and read rarely; speed matters more than size.
    return gzip.GzipFile(fileobj=fp, mode="wb", compresslevel=1, mtime=0)


__all__ = [
    "ChunkResult",
    "FileResult",
    "MergeResult",
    "UnreadableFile",
    "gzip_writer",
    "iter_jsonl",
    "merge_chunks",
    "merged_issues",
    "open_stream",
    "plan_chunks",
    "read_report_page",
    "resolve_mapping",
    "validate_chunk",
    "validate_file",
    "write_indexed_report",
    "write_report",
]
