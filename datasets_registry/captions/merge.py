"""Merging the chunks of a run: counts added up, duplicates found across the whole file (from
the chunks' compact hashes), file-level issues, and every issue of the run streamed in row order.
"""

from __future__ import annotations

import bisect
import heapq
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from . import messages as M
from .chunk import ChunkResult, join_arrays
from .report import dump_issue, row_of
from .row_values import RowValues

HASH_ROLES = {
    "caption": ("duplicate_caption", M.DUPLICATE_CAPTION),
    "normalized": ("near_duplicate_caption", M.NEAR_DUPLICATE_CAPTION),
    "image": ("duplicate_image", M.DUPLICATE_IMAGE),
}


# Above this many rows, duplicates are found bucket by bucket (by the top bits of the hash):
# the sort's temporaries (~33 bytes a row) then exist for a sixteenth of the rows at a time.
BUCKETED_ABOVE = 1 << 20
BUCKET_BITS = 4


def _duplicates(h: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows that repeat an earlier row, the first row each repeats), vectorised, in no
    particular order (the report sorts by row). Each row appears once per role. Equal hashes
    share a bucket, so finding them bucket by bucket gives the same pairs with a sixteenth of
    the temporaries: memory that would otherwise grow with the file."""
    if len(h) <= BUCKETED_ABOVE:
        return _duplicates_of(h, rows)
    top = (h >> np.uint64(64 - BUCKET_BITS)).astype(np.uint8)
    found, firsts = [], []
    for bucket in range(1 << BUCKET_BITS):
        sel = top == bucket
        dup, first = _duplicates_of(h[sel], rows[sel])
        del sel
        found.append(dup)
        firsts.append(first)
    return np.concatenate(found), np.concatenate(firsts)


def _duplicates_of(h: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_duplicates`` in one sort. Temporaries are dropped as soon as they are used."""
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

    def duplicate_blocks(
        self, size: int = 65_536, values: RowValues | None = None
    ) -> Iterator[tuple[list[int], list[bytes]]]:
        """Duplicate issues sorted by row, as blocks of (rows, JSON lines): formatted a block at
        a time, since there can be millions. ``values`` reads each duplicate row's caption (or
        image reference) back from the file; without it the lines' ``value`` is empty."""
        if not self.duplicates:
            return
        rows = np.concatenate([r for _, r, _ in self.duplicates])
        firsts = np.concatenate([f for _, _, f in self.duplicates])
        kinds = np.concatenate(
            [np.full(len(r), k, np.int8) for k, (_, r, _) in enumerate(self.duplicates)]
        )
        order = np.lexsort((kinds, rows))
        roles = np.array([VALUE_ROLE_BY_RULE[rule] for rule, _, _ in self.duplicates])
        if values is not None:
            values.expect(rows)
        # The templates are plain ASCII without quotes, so the lines are valid JSON as formatted.
        templates = [
            (
                '{"row":%d,"rule":"' + rule + '","severity":"' + self.severities[rule]
                + '","message":"' + HASH_ROLES_BY_RULE[rule].replace("%(first)s", "%d")
                + '","value":%s,"first_row":%d}\n'
            ).encode()
            for rule, _, _ in self.duplicates
        ]  # fmt: skip
        for start in range(0, len(order), size):
            part = order[start : start + size]
            block_rows = rows[part]
            block_kinds = kinds[part]
            if values is None:
                texts = [b'""'] * len(part)
            else:
                found = values.take(block_rows, roles[block_kinds].tolist())
                texts = [_encode_str(v).encode() for v in found]
            row_list = block_rows.tolist()
            block = zip(row_list, firsts[part].tolist(), block_kinds.tolist(), texts, strict=True)
            yield (
                row_list,
                [templates[kind] % (row, first, text, first) for row, first, kind, text in block],
            )


HASH_ROLES_BY_RULE = dict(HASH_ROLES.values())
# The column a duplicate line shows as its value: what repeats.
VALUE_ROLE_BY_RULE = {
    "duplicate_caption": "caption",
    "near_duplicate_caption": "caption",
    "duplicate_image": "image",
}
_encode_str = json.encoder.encode_basestring  # what the report's JSON encoder does to a str


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
                "message": M.EMPTY_FILE,
                "value": "",
            }
        )
    for issue in file_issues:
        by_rule[issue["rule"]] += 1
    rules = ruleset["rules"]
    duplicates: list[tuple[str, np.ndarray, np.ndarray]] = []
    exact_rows = np.zeros(0, np.int64)
    roles = [
        role
        for role in ("caption", "normalized", "image")
        if role in parts and rules[HASH_ROLES[role][0]]["enabled"]
    ]

    def duplicates_of(role: str) -> tuple[np.ndarray, np.ndarray]:
        h = join_arrays([p[0] for p in parts[role]])
        r = join_arrays([p[1] for p in parts[role]])
        return _duplicates(h, r)

    # The roles are independent sorts, which numpy runs without the GIL: two at a time.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="caption-merge") as pool:
        found = dict(zip(roles, pool.map(duplicates_of, roles), strict=True))
    for role in roles:
        rule = HASH_ROLES[role][0]
        dup_rows, firsts = found.pop(role)
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


def merged_lines(
    merge: MergeResult,
    chunk_streams: Iterable[Iterator[bytes]],
    values: RowValues | None = None,
) -> Iterator[bytes]:
    """Every issue of a run as JSON lines sorted by row: file-level ones (row 0), the chunks'
    (already in row order, chunk after chunk), and the duplicates found by the merge, with the
    repeated caption when ``values`` can read it back; of one row, the chunks' issues come
    before its duplicate issues."""
    chunks: Iterator[bytes] = (line for stream in chunk_streams for line in stream)
    if merge.file_issues:
        chunks = heapq.merge([dump_issue(i) for i in merge.file_issues], chunks, key=row_of)
    # Most lines of a big report are duplicates: they are slotted in by block (a bisection per
    # chunk line), not pushed one by one through a heap.
    blocks = merge.duplicate_blocks(values=values)
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


class _LineSpools:
    """The chunks' issue lines (spooled JSON lines, chunk after chunk) handed out by line count
    as byte slices: line ends are found with numpy a block at a time, never line by line."""

    def __init__(self, spools: Iterable[IO[bytes]], block_bytes: int = 1 << 23):
        self._spools = iter(spools)
        self._spool: IO[bytes] | None = next(self._spools, None)
        self._block_bytes = block_bytes
        self._data = b""
        self._ends = np.zeros(0, np.int64)  # one past each newline in _data
        self._first = 0  # index (over every chunk line) of the line that ends at _ends[0]
        self._at = 0  # bytes of _data already handed out

    def _load(self) -> bool:
        rest = self._data[self._at :]
        while self._spool is not None:
            block = self._spool.read(self._block_bytes)
            if not block:
                self._spool = next(self._spools, None)
                continue
            data = rest + block
            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A) + 1
            if not len(ends):
                rest = data
                continue
            # Lines ending in the part already handed out are behind; the rest are re-read.
            self._first += int(np.searchsorted(self._ends, self._at, side="right"))
            self._data, self._ends, self._at = data, ends, 0
            return True
        return False

    def until(self, line: int) -> Iterator[bytes]:
        """The bytes of the lines before line number ``line`` not handed out yet."""
        if line <= self._first:
            return  # every line before ``_first`` went out already
        while True:
            have = self._first + len(self._ends)
            end = int(self._ends[line - self._first - 1]) if line <= have else len(self._data)
            if end > self._at:
                yield self._data[self._at : end]
                self._at = end
            if line <= have or not self._load():
                return

    def rest(self) -> Iterator[bytes]:
        yield from self.until(1 << 62)


def merged_report_blocks(
    merge: MergeResult,
    spools: Iterable[IO[bytes]],
    line_rows: np.ndarray,
    values: RowValues | None = None,
) -> Iterator[bytes]:
    """``merged_lines`` as byte blocks, for chunk lines spooled to ``spools`` whose rows
    (``line_rows``, one per line, in order) are known: each duplicate block is slotted between
    the chunk lines by one ``searchsorted`` and the chunk lines go through as whole slices, so
    the cost is per run of duplicates, not per line. File-level issues (row 0) come first."""
    assert all(i["row"] == 0 for i in merge.file_issues)
    if merge.file_issues:
        yield b"".join(dump_issue(i) for i in merge.file_issues)
    chunks = _LineSpools(spools)
    for block_rows, lines in merge.duplicate_blocks(values=values):
        # Of one row, the chunks' issues come before its duplicate issues.
        before = np.searchsorted(line_rows, np.asarray(block_rows), side="right")
        cut = np.flatnonzero(np.diff(before)) + 1
        ends = np.concatenate((cut, [len(lines)])).tolist()
        start = 0
        for end, line in zip(ends, before[np.concatenate(([0], cut))].tolist(), strict=True):
            yield from chunks.until(line)
            yield b"".join(lines[start:end])
            start = end
    yield from chunks.rest()


def merged_issues(
    merge: MergeResult,
    chunk_streams: Iterable[Iterator[dict[str, Any]]],
    values: RowValues | None = None,
) -> Iterator[dict[str, Any]]:
    """Every issue of a run sorted by row, as dicts (see ``merged_lines``)."""
    streams = ((dump_issue(i) for i in stream) for stream in chunk_streams)
    return (json.loads(line) for line in merged_lines(merge, streams, values))


__all__ = [
    "HASH_ROLES",
    "MergeResult",
    "merge_chunks",
    "merged_issues",
    "merged_lines",
    "merged_report_blocks",
]
