"""The report format: every issue of a run as one JSON line, sorted by row.

``{"row": n, "rule": code, "severity": "error"|"warning", "message": text, "value": excerpt}``,
``row`` always the first key (so ``row_of`` reads it without parsing). The validation pipeline
stores a report as gzip, one member per block of lines, with a block index
(``write_indexed_report``) that lets ``read_report_page`` jump to any page.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

# One encoder for every issue: json.dumps with options builds a new encoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dump_issue(issue: dict[str, Any]) -> bytes:
    """An issue as one JSON line. ``row`` is always the first key (``row_of`` relies on it)."""
    return (_ENCODER.encode(issue) + "\n").encode("utf-8")


def row_of(line: bytes) -> int:
    """The row of an issue line written by ``_dump``, without parsing the JSON."""
    return int(line[7 : line.index(b",", 7)])


def rule_of(line: bytes) -> str:
    start = line.index(b'"rule":"') + 8
    return line[start : line.index(b'"', start)].decode()


def iter_jsonl(fp: IO[bytes]) -> Iterator[dict[str, Any]]:
    for line in fp:
        if line.strip():
            yield json.loads(line)


def iter_lines(fp: IO[bytes]) -> Iterator[bytes]:
    for line in fp:
        if line.strip():
            yield line if line.endswith(b"\n") else line + b"\n"


def write_report(issues: Iterable[dict[str, Any] | bytes], out: IO[bytes]) -> int:
    """Write issues (dicts or JSON lines) to ``out``; returns how many."""
    n = 0
    items = iter(issues)
    while block := list(itertools.islice(items, 10_000)):
        n += len(block)
        try:
            data = b"".join(block)  # type: ignore[arg-type]
        except TypeError:  # issues given as dicts
            data = b"".join(i if isinstance(i, bytes) else dump_issue(i) for i in block)
        out.write(data)
    return n


def write_pieces(pieces: Iterable[bytes], out: IO[bytes], buffer_bytes: int = 1 << 20) -> None:
    """Write report bytes given in pieces of any size (whole lines in the end), gathered into
    writes of about ``buffer_bytes`` (a compressing writer pays per call). The writes run in a
    thread, overlapping the making of the next pieces: a file's write and zlib release the GIL."""
    import queue
    import threading

    buffers: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
    failed: list[BaseException] = []

    def write() -> None:
        while (data := buffers.get()) is not None:
            if not failed:
                try:
                    out.write(data)
                except BaseException as exc:  # re-raised by the caller's thread
                    failed.append(exc)

    writer = threading.Thread(target=write, name="caption-report-writer", daemon=True)
    writer.start()
    try:
        held: list[bytes] = []
        size = 0
        for piece in pieces:
            held.append(piece)
            size += len(piece)
            if size >= buffer_bytes:
                buffers.put(b"".join(held))
                held.clear()
                size = 0
                if failed:
                    break
        if held and not failed:
            buffers.put(b"".join(held))
    finally:
        buffers.put(None)
        writer.join()
    if failed:
        raise failed[0]


REPORT_BLOCK_LINES = 10_000


def write_indexed_report(
    lines: Iterable[bytes], out: IO[bytes], *, rules: Iterable[str], block_lines: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Write a report (JSON lines, sorted by row) as gzip, one gzip member per block of lines.

    A multi-member file is still one ordinary gzip stream to every reader; the returned index
    (per block: byte ``offset`` of its member, number of ``lines``, issue counts per rule among
    ``rules``, and the ``first_row`` it holds) lets a reader jump to any page or row, or skip
    blocks without a wanted rule,
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
        index.append(
            {"offset": offset, "lines": len(block), "rules": counts, "first_row": row_of(block[0])}
        )
        out.write(member)
        offset += len(member)
        written += len(block)
    if not index:
        out.write(gzip.compress(b"", mtime=0))  # an empty report is still a valid gzip file
    return written, index


class _Filter:
    """Which lines of a report a rule / severity filter keeps, and how many of a block."""

    def __init__(self, severities: dict[str, str], rule: str, severity: str):
        self.severities, self.rule, self.severity = severities, rule, severity

    @property
    def active(self) -> bool:
        return bool(self.rule or self.severity)

    def wanted(self, code: str) -> bool:
        return (not self.rule or code == self.rule) and (
            not self.severity or self.severities.get(code, "error") == self.severity
        )

    def matches(self, block: dict[str, Any]) -> int:
        if not self.active:
            return block["lines"]
        return sum(n for code, n in block["rules"].items() if self.wanted(code))


def _block_lines(report: IO[bytes], block: dict[str, Any] | None) -> Iterator[bytes]:
    """The lines of one block (the whole report when there is no index)."""
    report.seek(block["offset"] if block else 0)
    with gzip.GzipFile(fileobj=report) as gz:
        yield from itertools.islice(gz, block["lines"]) if block else gz


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
    keep = _Filter(severities, rule, severity)
    blocks: list[dict[str, Any] | None] = list(index) or [None]
    counts = [keep.matches(b) if b else None for b in blocks]
    total = None if counts[0] is None else sum(counts)  # type: ignore[arg-type]
    skip = offset
    out: list[dict[str, Any]] = []
    for block, count in zip(blocks, counts, strict=True):
        if count is not None and (count == 0 or skip >= count):
            skip -= count
            continue  # nothing of this block is on the page: not even read
        for line in _block_lines(report, block):
            if keep.active and not keep.wanted(rule_of(line)):
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


def report_position(
    report: IO[bytes],
    index: list[dict[str, Any]],
    severities: dict[str, str],
    *,
    row: int,
    rule: str = "",
    severity: str = "",
) -> int:
    """How many issues matching ``rule``/``severity`` come before row ``row`` (the position
    its first issue has, or would have). With an index that records each block's first row,
    only the block holding the row is read; older reports are scanned from the start."""
    keep = _Filter(severities, rule, severity)
    if index and all("first_row" in b for b in index):
        at = bisect.bisect_left([b["first_row"] for b in index], row)
        # Blocks starting before the row are all before it except, maybe, the last of them.
        before = sum(keep.matches(b) for b in index[: max(at - 1, 0)])
        scan: list[dict[str, Any] | None] = index[at - 1 : at] if at else []
    else:
        before, scan = 0, list(index) or [None]
    for block in scan:
        for line in _block_lines(report, block):
            if row_of(line) >= row:
                return before
            if not keep.active or keep.wanted(rule_of(line)):
                before += 1
    return before


def gzip_writer(fp: IO[bytes]) -> gzip.GzipFile:
    # Level 1: reports are written once per run and read rarely; speed matters more than size.
    return gzip.GzipFile(fileobj=fp, mode="wb", compresslevel=1, mtime=0)


__all__ = [
    "REPORT_BLOCK_LINES",
    "dump_issue",
    "gzip_writer",
    "iter_jsonl",
    "iter_lines",
    "read_report_page",
    "report_position",
    "row_of",
    "rule_of",
    "write_indexed_report",
    "write_pieces",
    "write_report",
]
