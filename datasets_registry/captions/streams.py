"""Byte streams of caption files: decompression under the engine's limits, blocks of whole lines.

A compressed file is read through :class:`_LimitedReader`, which refuses, *while* it inflates, a
stream that grows past the decompressed-size limit or past the expansion-ratio limit (output
bytes over the compressed bytes read so far): a gzip bomb is stopped after a few megabytes, not
after it has filled the disk. The row-count limit is checked by the readers (``check_rows``).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from . import messages as M

MIB = 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be read at all (corrupt, not the declared format, over a limit).

    Always a property of the input: reading the same bytes again fails the same way, so callers
    never retry it (the validation pipeline fails the run at once with this message)."""


class InputError(UnreadableFile):
    """A row of the file broke the engine in a way no rule reports (a deterministic input
    error). ``row`` is the row it was found in (0: unknown). Never worth a retry."""

    def __init__(self, message: str, row: int = 0):
        super().__init__(message)
        self.row = row


@dataclass
class Limits:
    """What the engine accepts. A limit of 0 is no limit (the ratio and row count only)."""

    max_decompressed_bytes: int = 50 * 1024**3
    # Text compresses 3-10x with gzip or zstd; a compression bomb, hundreds to millions of times.
    max_expansion_ratio: float = 100.0
    # The ratio is judged only past this much output: a tiny file of one repeated line may
    # legitimately inflate a thousandfold, and a few megabytes cost nothing.
    expansion_floor_bytes: int = 16 * MIB
    max_rows: int = 20_000_000
    max_line_bytes: int = 16 * MIB
    block_bytes: int = 8 * MIB
    batch_rows: int = 65536


def human_bytes(n: int) -> str:
    """``16 MiB`` for 16 * 2**20; exact binary units when they fit, else bytes."""
    for unit, size in (("GiB", 1024**3), ("MiB", MIB), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size:,} {unit}"
    return f"{n:,} bytes"


def check_rows(rows: int, limits: Limits) -> None:
    """Raise UnreadableFile when a file has more than ``limits.max_rows`` rows."""
    if limits.max_rows and rows > limits.max_rows:
        raise UnreadableFile(M.TOO_MANY_ROWS % {"limit": f"{limits.max_rows:,}"})


class _LimitedReader(io.RawIOBase):
    """Counts decompressed bytes and fails clearly past a limit (a gzip bomb cannot fill RAM or
    disk): the decompressed-size limit, and the expansion ratio over the compressed bytes that
    ``source`` (the raw file) has been read to so far."""

    def __init__(self, inner: BinaryIO, source: BinaryIO, limits: Limits, name: str):
        self._inner, self._source, self._limits, self.total = inner, source, limits, 0
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            data = self._inner.read(len(b))
        except Exception as exc:  # OSError, EOFError, zlib.error; zstandard's own ZstdError
            raise UnreadableFile(
                M.STREAM_CORRUPT
                % {"compression": self._name, "error": f"{type(exc).__name__}: {exc}"}
            ) from exc
        n = len(data)
        self.total += n
        limits = self._limits
        if self.total > limits.max_decompressed_bytes:
            raise UnreadableFile(
                M.TOO_LARGE_INFLATED % {"limit": f"{limits.max_decompressed_bytes:,}"}
            )
        ratio = limits.max_expansion_ratio
        if ratio and self.total > limits.expansion_floor_bytes:
            read = max(self._source.tell(), 1)
            if self.total > ratio * read:
                raise UnreadableFile(
                    M.EXPANSION_RATIO
                    % {"ratio": f"{ratio:g}", "total": f"{self.total:,}", "read": f"{read:,}"}
                )
        b[:n] = data
        return n


def open_stream(path: str, compression: str, limits: Limits) -> BinaryIO:
    """A binary stream of the decompressed content, under ``limits``."""
    raw = open(path, "rb")  # noqa: SIM115 - handed to the caller, closed by it
    if compression == "gzip":
        inner: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb")
    elif compression == "zstd":
        import zstandard

        inner = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    elif compression == "":
        return raw
    else:
        raw.close()
        raise UnreadableFile(M.UNKNOWN_COMPRESSION % {"compression": repr(compression)})
    return io.BufferedReader(_LimitedReader(inner, raw, limits, compression), MIB)


def line_blocks(
    fp: BinaryIO, limits: Limits, end: int | None = None, start: int = 0
) -> Iterator[tuple[str, bytes | int]]:
    """Yield ``("lines", data)`` blocks of whole lines, or ``("too_long", 1)`` for a skipped line.

    ``end`` (plain files only) stops after that byte offset, which the planner aligned to a line end.
    """
    carry = b""
    skipping = False
    remaining = None if end is None else end - start
    while True:
        size = limits.block_bytes if remaining is None else min(limits.block_bytes, remaining)
        data = fp.read(size) if size > 0 else b""
        if remaining is not None:
            remaining -= len(data)
        if not data:
            if carry and not skipping:
                yield "lines", carry
            return
        if skipping:
            nl = data.find(b"\n")
            if nl < 0:
                continue
            data, skipping = data[nl + 1 :], False
            if not data:
                continue
        buf = carry + data if carry else data
        last = buf.rfind(b"\n")
        if last < 0:
            carry = buf
        else:
            first_nl = buf.find(b"\n") if carry else -1
            if first_nl > limits.max_line_bytes:
                # The line that began in an earlier block ends here, too long: skip it.
                yield "too_long", 1
                buf, last = buf[first_nl + 1 :], last - first_nl - 1
            if last >= 0:
                yield "lines", buf[: last + 1]
            carry = buf[last + 1 :]
        if len(carry) > limits.max_line_bytes:
            carry, skipping = b"", True
            yield "too_long", 1


def count_lines(path: str, compression: str, limits: Limits | None = None) -> tuple[int, bool]:
    """Number of lines (a last line without a newline counts) and whether the file ends in one."""
    limits = limits or Limits()
    n, last = 0, b"\n"
    with open_stream(path, compression, limits) as fp:
        while data := fp.read(1 << 22):
            n += data.count(b"\n")
            last = data[-1:]
    return n + (0 if last == b"\n" else 1), last == b"\n"


def line_too_long_message(row: int, limits: Limits) -> str:
    return M.LINE_TOO_LONG % {"row": row, "limit": human_bytes(limits.max_line_bytes)}


__all__ = [
    "InputError",
    "Limits",
    "UnreadableFile",
    "check_rows",
    "count_lines",
    "human_bytes",
    "line_blocks",
    "open_stream",
]
