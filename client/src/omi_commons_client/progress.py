"""A progress bar of a few lines of our own: percentage, bytes, rate and time left, on stderr.

Drawn only on a terminal (or when asked), at most ten times a second; the rate is measured over
the last few seconds so that it follows the connection, not the average since the start.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import TextIO


def human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def human_time(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    WIDTH = 24
    WINDOW = 5.0

    def __init__(
        self,
        total: int,
        label: str = "",
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock=time.monotonic,
    ):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.clock = clock
        self.samples: deque[tuple[float, int]] = deque()
        self.last_draw = 0.0
        self.done = 0

    def rate(self) -> float | None:
        if len(self.samples) < 2:
            return None
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else None

    def update(self, done: int, *, force: bool = False) -> None:
        now = self.clock()
        self.done = done
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.WINDOW:
            self.samples.popleft()
        if self.enabled and (force or now - self.last_draw >= 0.1 or done >= self.total):
            self.last_draw = now
            self.stream.write("\r" + self.line() + "\x1b[K")
            self.stream.flush()

    def line(self) -> str:
        fraction = min(self.done / self.total, 1.0)
        filled = int(fraction * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"{self.label} [{bar}] {fraction:6.1%} {human_bytes(self.done)}/{human_bytes(self.total)}"
        rate = self.rate()
        if rate:
            left = (self.total - self.done) / rate if rate > 0 else 0
            text += f"  {human_bytes(rate)}/s  {human_time(left)} left"
        return text

    def note(self, message: str) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K" + message + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
