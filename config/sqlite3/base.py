"""Django's SQLite backend, with one queue for writers across every process.

SQLite lets one writer at a time hold the file. A writer that finds it taken sleeps in SQLite's
busy handler (1, 2, 5, 10 … up to 100 ms at a time) and tries again, so under load the file is
often free while everyone who wants it is asleep: at 64 clients `make run` answered a fraction
of what one writer can do, with seconds of p99. Here every write transaction (and every write
outside one) first takes an exclusive ``flock`` on a file beside the database: waiters sleep in
the kernel and the next one wakes the moment the lock is released. Reads never queue (WAL).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator

from django.db.backends.sqlite3 import base

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteQueue:
    """An exclusive ``flock`` on ``path``, taken and released by one connection (one thread)."""

    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        if self.held:
            return
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.held = True

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the queue for a block, unless this connection holds it already."""
        if self.held:
            yield
            return
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def release(self) -> None:
        if self.held:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.held = False

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class CursorWrapper(base.SQLiteCursorWrapper):
    def _turn(self):
        # A write outside a transaction is its own implicit transaction: it queues like the
        # others. Inside one, the transaction holds the queue already.
        queue = self.connection_wrapper.write_queue
        return queue.turn() if queue is not None else contextlib.nullcontext()

    def execute(self, query, params=None):
        if not query.lstrip()[:7].upper().startswith(WRITES):
            return super().execute(query, params)
        with self._turn():
            return super().execute(query, params)

    def executemany(self, query, param_list):
        with self._turn():
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._write_queue: WriteQueue | None = None

    @property
    def write_queue(self) -> WriteQueue | None:
        if self._write_queue is None and not self.is_in_memory_db():
            self._write_queue = WriteQueue(f"{self.settings_dict['NAME']}.writers")
        return self._write_queue

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=CursorWrapper)
        cursor.connection_wrapper = self
        return cursor

    def _start_transaction_under_autocommit(self):
        queue = self.write_queue
        if queue is not None:
            queue.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            if queue is not None:
                queue.release()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            if self._write_queue is not None:
                self._write_queue.close()

    def _release_queue(self):
        if self._write_queue is not None:
            self._write_queue.release()
