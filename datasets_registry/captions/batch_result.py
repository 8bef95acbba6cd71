"""The issues a batch produced, kept as compact arrays until they are written as report lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .report import dump_issue

_encode_str = json.encoder.encode_basestring  # what the report's JSON encoder does to a str
_LINE = b'{"row":%d,"rule":"%s","severity":"%s","message":%s,"value":%s}\n'


@dataclass
class BatchResult:
    """A batch's issues as report lines (``report.dump_issue``'s bytes exactly, formatted here
    without building a dict per issue), the row of each, and counts per rule."""

    lines: list[bytes] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)  # one array per ``add``, in order
    counts: dict[str, int] = field(default_factory=dict)
    # role -> list of (hashes uint64, rows int64) arrays for the cross-file duplicate rules
    hashes: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def add(
        self, code: str, severity: str, rows: np.ndarray, messages: str | list[str], values
    ) -> None:
        """Issues of rule ``code`` at ``rows``; ``values`` a list of str, or None (empty)."""
        head = b'{"row":%d,"rule":"' + code.encode() + b'","severity":"' + severity.encode()
        if isinstance(messages, str):
            message = _encode_str(messages).encode().replace(b"%", b"%%")  # a template now
            head += b'","message":' + message + b',"value":'
            tail = head + b"%s}\n"
            if values is None:
                empty = tail.replace(b"%s", b'""')
                self.lines.extend(empty % r for r in rows.tolist())
            else:
                self.lines.extend(
                    tail % (r, _encode_str(v).encode())
                    for r, v in zip(rows.tolist(), values, strict=True)
                )
        else:
            tail = head + b'","message":%s,"value":%s}\n'
            vals = values if values is not None else [""] * len(rows)
            self.lines.extend(
                tail % (r, _encode_str(m).encode(), _encode_str(v).encode())
                for r, m, v in zip(rows.tolist(), messages, vals, strict=True)
            )
        self.rows.append(np.asarray(rows, dtype=np.int64))
        self.counts[code] = self.counts.get(code, 0) + len(rows)

    def add_issue(self, issue: dict[str, Any]) -> None:
        """One issue as a dict (a reader's: its keys keep their order in the report)."""
        self.lines.append(dump_issue(issue))
        self.rows.append(np.array([issue["row"]], dtype=np.int64))
        self.counts[issue["rule"]] = self.counts.get(issue["rule"], 0) + 1

    def sorted_lines(self) -> list[bytes]:
        """The lines in row order; issues of one row in the order they were added."""
        return self.in_row_order()[0]

    def in_row_order(self) -> tuple[list[bytes], np.ndarray]:
        """(``sorted_lines()``, the row of each line)."""
        if not self.lines:
            return [], np.zeros(0, np.int64)
        rows = np.concatenate(self.rows)
        order = np.argsort(rows, kind="stable")
        lines = self.lines
        return [lines[i] for i in order.tolist()], rows[order]
