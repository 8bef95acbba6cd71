"""The report format: every issue of a run as one JSON line, sorted by row.

``{"row": n, "rule": code, "severity": "error"|"warning", "message": text, "value": excerpt}``,
``row`` always the first key (so ``row_of`` reads it without parsing). The validation pipeline
stores a report as gzip, one member per block of lines, with a block index
(``write_indexed_report``) that lets ``read_report_page`` jump to any page.
"""

from __future__ import annotations

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
    "row_of",
    "rule_of",
    "write_indexed_report",
    "write_report",
]
