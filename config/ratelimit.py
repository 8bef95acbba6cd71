"""The one rate limiter: atomic fixed-window counters on whichever cache the site runs.

``hit(key, rate)`` counts one attempt and says whether it is within the limit. It is exact under
concurrency on every cache backend the README offers, because each backend increments in one
atomic step rather than "read, add one, write back":

- **Redis** (``CACHE_URL=redis://…``): a Lua script runs ``INCRBY`` and sets the window's expiry
  on the first hit, atomically on the server, so every web process shares one count.
- **The database cache** (``db://``, the default): a row of ``platform_ratecounter`` incremented
  by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement (PostgreSQL, SQLite), which
  takes the row lock, so concurrent requests queue on it and each sees the count it made.
- **locmem** (``locmem://``): a lock in the process. Exact within the process, which is all a
  per-process cache can share anyway (the README says so).

A window opens at the first hit and lasts ``rate.window`` seconds. When the counter store does not
answer (Redis down), ``hit`` raises ``config.errors.Unavailable``: the caller decides whether to
let the request through (an anonymous read) or answer 503 (a write).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from django.utils.translation import gettext_lazy as _

from .errors import Unavailable

logger = logging.getLogger(__name__)

UNAVAILABLE = _(
    "A service this site depends on (its cache) is not answering. Please try again in a moment."
)

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
          "hour": 3600, "d": 86400, "day": 86400}  # fmt: skip
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"120/min"``, ``"10/hour"``, ``"5/5m"``, ``"30/m"``, ``"100/day"``."""
        match = _RATE.match(text.lower())
        if not match or match.group(3) not in _UNITS:
            raise ValueError(f"{text!r} is not a rate such as 30/min, 10/hour or 5/5m.")
        count = int(match.group(2) or 1)
        return cls(limit=int(match.group(1)), window=count * _UNITS[match.group(3)])

    def __str__(self) -> str:
        return f"{self.limit}/{self.window}s"


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window closes


def _storage_key(key: str) -> str:
    # Keys carry client addresses or user ids; long ones are hashed to fit the column and
    # memcached-style key rules alike.
    if len(key) <= 150 and key.isascii() and " " not in key:
        return f"rl:{key}"
    return f"rl:{key[:60]}:{hashlib.sha256(key.encode()).hexdigest()}"


def backend_name(alias: str = "default") -> str:
    backend = type(caches[alias]).__name__
    if backend == "RedisCache":
        return "redis"
    if backend == "LocMemCache":
        return "locmem"
    return "database"


def hit(key: str, rate: Rate | str, *, cost: int = 1) -> Outcome:
    """Count ``cost`` attempts under ``key``; ``allowed`` is False past ``rate.limit``."""
    if isinstance(rate, str):
        rate = Rate.parse(rate)
    store = _BACKENDS[backend_name()]
    try:
        count, ttl_ms = store.incr(_storage_key(key), cost, rate.window * 1000)
    except Unavailable:
        raise
    except Exception as exc:
        if _is_store_outage(exc):
            logger.warning("rate limit store unreachable (%s): %s", type(exc).__name__, exc)
            raise Unavailable(str(UNAVAILABLE)) from exc
        raise
    return Outcome(
        allowed=count <= rate.limit,
        count=count,
        limit=rate.limit,
        retry_after=max(1, -(-ttl_ms // 1000)),
    )


def peek(key: str, rate: Rate | str) -> Outcome:
    """What ``hit`` would find, without counting: ``allowed`` when one more attempt fits."""
    if isinstance(rate, str):
        rate = Rate.parse(rate)
    try:
        count, ttl_ms = _BACKENDS[backend_name()].get(_storage_key(key))
    except Exception as exc:
        if _is_store_outage(exc):
            raise Unavailable(str(UNAVAILABLE)) from exc
        raise
    return Outcome(
        allowed=count < rate.limit,
        count=count,
        limit=rate.limit,
        retry_after=max(1, -(-ttl_ms // 1000)) if count else 0,
    )


def undo(key: str, *, cost: int = 1) -> None:
    """Give back attempts counted by ``hit`` (a rolled-back attempt)."""
    try:
        _BACKENDS[backend_name()].decr(_storage_key(key), cost)
    except Exception as exc:  # giving back is best effort: a stricter limit is harmless
        logger.warning("rate limit undo failed for %s: %s", key, exc)


def reset(key: str) -> None:
    """Forget the counter (a successful log-in clears its failures)."""
    _BACKENDS[backend_name()].delete(_storage_key(key))


def _is_store_outage(exc: BaseException) -> bool:
    from .outages import outage_of

    return outage_of(exc) is not None


def _now_ms() -> int:
    return int(time.time() * 1000)


class _Redis:
    # INCRBY, then give the key its window if it has none (first hit, or a key that lost its
    # expiry): one script, so no other client runs between the two.
    SCRIPT = """
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""

    def _client(self, key: str):
        cache = caches["default"]
        full_key = cache.make_and_validate_key(key)
        return cache._cache.get_client(full_key, write=True), full_key

    def incr(self, key: str, cost: int, window_ms: int) -> tuple[int, int]:
        client, full_key = self._client(key)
        count, ttl = client.eval(self.SCRIPT, 1, full_key, window_ms, cost)
        return int(count), int(ttl)

    def get(self, key: str) -> tuple[int, int]:
        client, full_key = self._client(key)
        pipe = client.pipeline()
        pipe.get(full_key)
        pipe.pttl(full_key)
        count, ttl = pipe.execute()
        return (int(count), max(0, int(ttl))) if count is not None else (0, 0)

    def decr(self, key: str, cost: int) -> None:
        client, full_key = self._client(key)
        client.decrby(full_key, cost)

    def delete(self, key: str) -> None:
        client, full_key = self._client(key)
        client.delete(full_key)


class _Database:
    def incr(self, key: str, cost: int, window_ms: int) -> tuple[int, int]:
        from .models import RateCounter

        now = _now_ms()
        q = connection.ops.quote_name
        table, k, c, e = (q(RateCounter._meta.db_table), q("key"), q("count"), q("expires_at"))
        # One statement: insert the counter, or bump it (restarting an expired window). The
        # CASE expressions read the row as it was before this update.
        sql = (
            # Identifiers come from quote_name and every value is a parameter.
            f"INSERT INTO {table} ({k}, {c}, {e}) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{c} = CASE WHEN {table}.{e} <= %s THEN excluded.{c} ELSE {table}.{c} + excluded.{c} END, "
            f"{e} = CASE WHEN {table}.{e} <= %s THEN excluded.{e} ELSE {table}.{e} END "
            f"RETURNING {c}, {e}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, cost, now + window_ms, now, now])
            count, expires_at = cursor.fetchone()
        return int(count), int(expires_at) - now

    def get(self, key: str) -> tuple[int, int]:
        from .models import RateCounter

        now = _now_ms()
        row = RateCounter.objects.filter(key=key, expires_at__gt=now).first()
        return (row.count, row.expires_at - now) if row else (0, 0)

    def decr(self, key: str, cost: int) -> None:
        from django.db.models import F

        from .models import RateCounter

        RateCounter.objects.filter(key=key, count__gte=cost).update(count=F("count") - cost)

    def delete(self, key: str) -> None:
        from .models import RateCounter

        RateCounter.objects.filter(key=key).delete()


class _LocMem:
    _lock = threading.Lock()

    def incr(self, key: str, cost: int, window_ms: int) -> tuple[int, int]:
        cache = caches["default"]
        now = _now_ms()
        with self._lock:
            count, expires_at = cache.get(key) or (0, 0)
            if expires_at <= now:
                count, expires_at = 0, now + window_ms
            count += cost
            cache.set(key, (count, expires_at), timeout=max(1, (expires_at - now) / 1000))
        return count, expires_at - now

    def get(self, key: str) -> tuple[int, int]:
        now = _now_ms()
        with self._lock:
            count, expires_at = caches["default"].get(key) or (0, 0)
        return (count, expires_at - now) if expires_at > now else (0, 0)

    def decr(self, key: str, cost: int) -> None:
        cache = caches["default"]
        now = _now_ms()
        with self._lock:
            value = cache.get(key)
            if value and value[1] > now:
                cache.set(key, (max(0, value[0] - cost), value[1]), (value[1] - now) / 1000)

    def delete(self, key: str) -> None:
        with self._lock:
            caches["default"].delete(key)


_BACKENDS = {"redis": _Redis(), "database": _Database(), "locmem": _LocMem()}


def purge_expired() -> int:
    """Delete the database counters whose window has closed; returns how many."""
    from .models import RateCounter

    deleted, _ = RateCounter.objects.filter(expires_at__lt=_now_ms()).delete()
    return deleted
