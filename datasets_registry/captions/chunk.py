"""One chunk of a run: its rows read in batches (parsed a batch ahead in a thread), every rule
evaluated, its issues written in row order, and the compact hashes the duplicate rules hand on
to the merge."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import pyarrow as pa

from . import messages as M
from .batch_result import joined_lines
from .readers import Batch, iter_batches
from .rules import BatchResult, RuleEngine
from .streams import InputError, Limits


def join_arrays(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _compact_rows(rows: np.ndarray) -> np.ndarray:
    """Sorted row numbers as 4 bytes each when they fit (kept for the whole chunk)."""
    return rows.astype(np.uint32) if rows[-1] < 2**32 else rows


def _join_draining(arrays: list[np.ndarray]) -> np.ndarray:
    """``join_arrays``, emptying ``arrays`` as it goes: each part is released once copied, so
    the peak is the joined array plus one part, not twice the data (these arrays hold a value
    for every row of the file)."""
    if len(arrays) == 1:
        return arrays.pop()
    out = np.empty(sum(len(a) for a in arrays), dtype=np.result_type(*arrays))
    at = 0
    arrays.reverse()
    while arrays:
        part = arrays.pop()
        out[at : at + len(part)] = part
        at += len(part)
        del part
    return out


@dataclass
class ChunkResult:
    index: int
    rows: int  # rows read (including the unreadable ones)
    last_row: int
    counts: dict[str, int]
    issues: list[dict[str, Any]] | None = None
    hashes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # The row of each line written to ``issues_out``, in order (lets the report be merged by
    # block instead of line by line); None when no lines were written.
    line_rows: np.ndarray | None = None

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


def read_ahead(iterator: Iterator[Any], depth: int = 2) -> Iterator[Any]:
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


def _ordered_map(fn: Callable[[Any], Any], items: Iterator[Any], threads: int) -> Iterator[Any]:
    """``map(fn, items)`` with up to ``threads`` calls running at once in a thread pool, results
    in order. The rules spend their time in Arrow and numpy kernels, which release the GIL, so
    two batches evaluated at once use two cores without a process pool's spools and copies."""
    if threads <= 1:
        yield from map(fn, items)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pending: deque = deque()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="caption-rules") as pool:
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


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
    threads: int = 1,
) -> ChunkResult:
    """Validate one chunk. Issues (sorted by row) go to ``issues_out`` as JSON lines, and/or are
    kept in ``result.issues`` when ``collect``. Duplicates are left to :func:`merge_chunks`.
    ``threads``: batches evaluated at once (the results are the same whatever the number).
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
    # Issues are built as many small objects that hold no reference cycles; left on, the cyclic
    # collector would walk every live object each time a few hundred were made.
    want_lines = issues_out is not None or kept is not None

    def evaluate(batch: Batch) -> tuple[Batch, BatchResult, tuple[pa.Array, np.ndarray]]:
        result = BatchResult()
        try:
            engine.evaluate(batch, result)
        except (pa.ArrowInvalid, UnicodeError, ValueError) as exc:
            # The readers hand on only valid text, so this is a row no rule anticipated. The
            # same bytes fail the same way every time: an input error (never retried) that
            # says where, not an exception that a worker would retry.
            first = int(batch.rows[0].as_py()) if len(batch) else 0
            last = int(batch.rows[-1].as_py()) if len(batch) else 0
            raise InputError(
                M.ROWS_UNCHECKABLE % {"first": f"{first:,}", "last": f"{last:,}", "error": exc},
                first,
            ) from exc
        return batch, result, result.in_row_order() if want_lines else (None, np.zeros(0))

    line_rows: list[np.ndarray] = []
    with _cyclic_gc_paused():
        for batch, result, (lines, rows_of_lines) in _ordered_map(
            evaluate, read_ahead(batches), threads
        ):
            counts.update(result.counts)
            if want_lines:
                if issues_out is not None:
                    issues_out.write(joined_lines(lines))
                    if len(rows_of_lines):
                        line_rows.append(_compact_rows(rows_of_lines))
                if kept is not None:
                    kept.extend(json.loads(line) for line in lines.to_pylist())
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
    merged: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    # The exact and the normalised caption hashes are kept for the same rows: their row numbers
    # are one array, joined once (4 bytes a row saved for the whole file).
    caption, normalized = hashes.get("caption"), hashes.get("normalized")
    same_rows = (
        caption is not None
        and normalized is not None
        and len(caption) == len(normalized)
        and all(a is b for (_, a), (_, b) in zip(caption, normalized, strict=True))
    )
    for role in list(hashes):
        parts = hashes.pop(role)  # freed as it is joined: memory is 8 + 4 bytes per row
        row_parts = [r for _, r in parts]
        hash_parts = [h for h, _ in parts]
        del parts
        if role == "normalized" and same_rows and "caption" in merged:
            rows_of = merged["caption"][1]
        else:
            rows_of = _join_draining(row_parts)
        del row_parts
        merged[role] = (_join_draining(hash_parts), rows_of)
    return ChunkResult(
        index=spec.get("index", 0),
        rows=rows,
        last_row=last_row,
        counts=dict(counts),
        issues=kept,
        hashes=merged,
        line_rows=_join_draining(line_rows) if line_rows else None,
    )


__all__ = ["ChunkResult", "join_arrays", "read_ahead", "validate_chunk"]
