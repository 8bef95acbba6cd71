"""The issues a batch produced, kept as Arrow arrays of report lines until they are written."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .report import dump_issue

_encode_str = json.encoder.encode_basestring  # what the report's JSON encoder does to a str
# What that encoder escapes (ensure_ascii off): quotes, backslashes and C0 controls. Any other
# text is its own JSON string body, so only values holding one of these meet Python.
_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'


def json_strings(values: pa.Array) -> pa.Array:
    """Each value of a string array (no nulls) as a JSON string, exactly as ``_encode_str``
    writes it, with Arrow kernels for every value that needs no escape."""
    quoted = pc.binary_join_element_wise('"', values, '"', "")
    escape = pc.match_substring_regex(values, _NEEDS_ESCAPE)
    if pc.any(escape).as_py():
        escaped = [_encode_str(v) for v in values.filter(escape).to_pylist()]
        quoted = pc.replace_with_mask(quoted, escape, pa.array(escaped, pa.string()))
    return quoted


@dataclass
class BatchResult:
    """A batch's issues as report lines (``report.dump_issue``'s bytes exactly, formatted by
    Arrow kernels a rule at a time, not a dict per issue), the row of each, and counts per rule."""

    parts: list[pa.Array] = field(default_factory=list)  # string arrays of lines, one per ``add``
    rows: list[np.ndarray] = field(default_factory=list)  # the rows of each part
    counts: dict[str, int] = field(default_factory=dict)
    # role -> list of (hashes uint64, rows int64) arrays for the cross-file duplicate rules
    hashes: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def add(
        self,
        code: str,
        severity: str,
        rows: np.ndarray,
        messages: str | list[str],
        values: pa.Array | list[str] | None,
    ) -> None:
        """Issues of rule ``code`` at ``rows``; ``values`` strings (no nulls), or None (empty)."""
        if not len(rows):
            return
        if isinstance(messages, str):
            message: pa.Array | str = _encode_str(messages)
        else:
            message = json_strings(pa.array(messages, pa.string()))
        if values is None:
            value: pa.Array | str = '""'
        else:
            value = json_strings(values if isinstance(values, pa.Array) else pa.array(values))
        lines = pc.binary_join_element_wise(
            '{"row":',
            pc.cast(pa.array(np.asarray(rows, dtype=np.int64)), pa.string()),
            f',"rule":"{code}","severity":"{severity}","message":',
            message,
            ',"value":',
            value,
            "}\n",
            "",
        )
        self.parts.append(lines)
        self.rows.append(np.asarray(rows, dtype=np.int64))
        self.counts[code] = self.counts.get(code, 0) + len(rows)

    def add_issue(self, issue: dict[str, Any]) -> None:
        """One issue as a dict (a reader's: its keys keep their order in the report)."""
        self.parts.append(pa.array([dump_issue(issue).decode("utf-8")], pa.string()))
        self.rows.append(np.array([issue["row"]], dtype=np.int64))
        self.counts[issue["rule"]] = self.counts.get(issue["rule"], 0) + 1

    @property
    def lines(self) -> list[bytes]:
        """Every line, in the order the issues were added."""
        return [line for part in self.parts for line in part.cast(pa.binary()).to_pylist()]

    def sorted_lines(self) -> list[bytes]:
        """The lines in row order; issues of one row in the order they were added."""
        lines, _ = self.in_row_order()
        return lines.cast(pa.binary()).to_pylist()

    def in_row_order(self) -> tuple[pa.Array, np.ndarray]:
        """(the lines in row order as one string array, the row of each line)."""
        if not self.parts:
            return pa.array([], pa.string()), np.zeros(0, np.int64)
        rows = np.concatenate(self.rows)
        order = np.argsort(rows, kind="stable")
        lines = pa.concat_arrays(self.parts).take(pa.array(order))
        return lines, rows[order]


def joined_lines(lines: pa.Array) -> bytes:
    """The bytes of a string array's values, one after another (its lines, as written)."""
    if not len(lines):
        return b""
    offsets = np.frombuffer(
        lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4
    )
    return lines.buffers()[2][int(offsets[0]) : int(offsets[-1])].to_pybytes()
