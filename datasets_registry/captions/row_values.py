"""The caption or image reference of chosen rows, read back from the file in row order.

Duplicates are known only once every chunk has been read, so the report's duplicate lines get
their value from a second, forward-only read: one pass over the parts of the file that hold a
duplicate row, parts without one are not even opened. Memory is one record batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .readers import Batch
from .rules import VALUE_CHARS

ALL_ROWS = 1 << 62  # the last row of a segment that is the whole file


@dataclass(frozen=True)
class Segment:
    """Rows ``first_row`` to ``last_row`` of the file, and how to read batches holding the
    given rows of them (``readers.iter_rows_of``)."""

    first_row: int
    last_row: int
    batches: Callable[[np.ndarray], Iterator[Batch]]


class RowValues:
    """``take(rows, roles)`` asked with rows ascending from call to call (a report is written in
    row order): each value is the first ``VALUE_CHARS`` characters of the row's ``roles[i]``
    column, "" for a row the reader skipped or a role the file does not have."""

    def __init__(self, segments: Sequence[Segment]):
        self._segments = iter(sorted(segments, key=lambda s: s.first_row))
        self._batches: Iterator[Batch] | None = None
        self._rows = np.zeros(0, np.int64)
        self._columns: dict[str, pa.Array | None] = {}
        self._last = 0  # the last row the current batch covers
        self._expected = np.zeros(0, np.int64)

    def expect(self, rows: np.ndarray) -> None:
        """Every row that will be asked for (any order, repeats allowed): a segment reads only
        those."""
        self._expected = np.unique(np.asarray(rows, dtype=np.int64))

    def _advance(self, row: int) -> bool:
        """Load the next batch that can hold ``row``; False when the file has no more."""
        while True:
            if self._batches is not None:
                for batch in self._batches:
                    if not len(batch):
                        continue
                    self._rows = batch.rows.to_numpy(zero_copy_only=False)
                    self._columns = batch.columns
                    self._last = int(self._rows[-1])
                    if self._last >= row:
                        return True
                self._close()
            segment = next(self._segments, None)
            if segment is None:
                return False
            if segment.last_row < row:
                continue  # holds no row asked for: never opened
            lo, hi = np.searchsorted(self._expected, [segment.first_row, segment.last_row + 1])
            self._batches = segment.batches(self._expected[lo:hi])

    def _close(self) -> None:
        close = getattr(self._batches, "close", None)
        if close is not None:
            close()  # a generator's own clean-up (a temporary copy of a chunk) runs now
        self._batches = None

    def take(self, rows: np.ndarray, roles: Sequence[str]) -> list[str]:
        out = [""] * len(rows)
        roles_arr = np.asarray(roles)
        pos = 0
        while pos < len(rows):
            row = int(rows[pos])
            if row > self._last and not self._advance(row):
                break
            end = int(np.searchsorted(rows, self._last, side="right"))
            part = np.asarray(rows[pos:end], dtype=np.int64)
            at = np.minimum(np.searchsorted(self._rows, part), len(self._rows) - 1)
            found = self._rows[at] == part
            for role in np.unique(roles_arr[pos:end]).tolist():
                column = self._columns.get(role)
                sel = np.flatnonzero(found & (roles_arr[pos:end] == role))
                if column is None or not len(sel):
                    continue
                picked = pc.utf8_slice_codeunits(column.take(pa.array(at[sel])), 0, VALUE_CHARS)
                for i, value in zip(
                    sel.tolist(), pc.fill_null(picked, "").to_pylist(), strict=True
                ):
                    out[pos + i] = value
            pos = end
        return out

    def close(self) -> None:
        self._close()


__all__ = ["ALL_ROWS", "RowValues", "Segment"]
