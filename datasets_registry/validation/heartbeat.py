"""A claim renewed from a background thread while the work it covers runs.

A worker that is ``kill -9``ed stops renewing, so its claim (a chunk's lease, a run's dispatch
time) lapses one lease after its last beat and the sweeper hands the work to another worker; a
worker that is merely slow keeps beating and is never taken over, however long it takes.

    with Heartbeat(renew, every=15) as beat:
        ...                      # long work; check ``beat.lost`` to stop early

``renew()`` is a conditional UPDATE that returns whether the claim is still ours (it matched the
claim token): once it says no, the heartbeat stops and ``lost`` is set, and the holder must not
write its result (the conditional write at the end refuses it anyway).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connection, connections

log = logging.getLogger(__name__)


class ClaimLost(Exception):
    """Another worker took over the claim (or the run was cancelled): stop, write nothing."""


class Heartbeat:
    def __init__(self, renew: Callable[[], bool], *, every: float, name: str = "claim"):
        self.renew = renew
        self.every = every
        self.name = name
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        # The renewal runs on the thread's own database connection, which sees only committed
        # rows. Inside a transaction (the eager tasks of the tests) the claim is not committed
        # yet and another connection could only wait for it: there is nothing to renew then.
        if not connection.in_atomic_block:
            self._thread = threading.Thread(
                target=self._run, name=f"heartbeat-{self.name}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, self.every))

    def check(self) -> None:
        """Raise :class:`ClaimLost` once the claim is no longer ours."""
        if self.lost.is_set():
            raise ClaimLost(f"The {self.name} was taken over.")

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    still_ours = self.renew()
                except Exception:
                    # A database hiccup: try again at the next beat (the claim lasts a lease).
                    log.warning("Could not renew the %s; retrying.", self.name, exc_info=True)
                    continue
                if not still_ours:
                    log.info("The %s was taken over; stopping its heartbeat.", self.name)
                    self.lost.set()
                    return
        finally:
            connections.close_all()  # this thread's connections only
