"""allauth's rate limits (log-in, failed log-ins, sign-up, password reset, e-mail confirmation)
counted by the platform's one limiter, ``config.ratelimit``.

allauth counts in the cache with a history list behind a cache lock of its own. Its public entry
points (``allauth.core.ratelimit.consume`` / ``clear``) go through two functions of
``allauth.core.internal.ratelimit``; ``install()`` (called by ``AccountsConfig.ready``) replaces
those two, so every allauth limit is an atomic counter on the same store as every other limit,
exact on Redis, the database cache and locmem, and an unreachable store is the same 503.
allauth's keys (``allauth:rl:<app>:<action>:<rate>:ip:<address>``) keep its meaning: the address
comes from ``config.clients`` through ``accounts.adapter.AccountAdapter.get_client_ip``.

Pinned to django-allauth 65 (``pyproject.toml``); ``tests/accounts/test_allauth_limits.py``
fails loudly if a new version moves these functions.
"""

from __future__ import annotations

import math

from allauth.core.exceptions import RateLimited as AllauthRateLimited
from allauth.core.internal import ratelimit as allauth_impl

from config import ratelimit


class _Usage(allauth_impl.SingleRateLimitUsage):
    """One counted attempt; ``rollback`` gives it back (allauth does on a successful log-in)."""

    def rollback(self) -> None:
        ratelimit.undo(self.cache_key)


def _rate(rate: allauth_impl.Rate) -> ratelimit.Rate:
    return ratelimit.Rate(limit=rate.amount, window=max(1, math.ceil(rate.duration)))


def consume_single_rate(
    request,
    *,
    app: str,
    action: str,
    rate: allauth_impl.Rate,
    key=None,
    user=None,
    dry_run: bool = False,
    raise_exception: bool = False,
):
    cache_key = allauth_impl.get_cache_key(
        request, app=app, action=action, rate=rate, key=key, user=user
    )
    if dry_run:
        allowed = ratelimit.peek(cache_key, _rate(rate)).allowed
    else:
        allowed = ratelimit.hit(cache_key, _rate(rate)).allowed
    if not allowed:
        if raise_exception:
            raise AllauthRateLimited
        return None
    return _Usage(cache_key=cache_key, cache_duration=rate.duration, timestamp=0.0)


def clear(request, *, app: str, action: str, config=None, key=None, user=None) -> None:
    for rate in allauth_impl.get_rates(app=app, action=action, config=config):
        ratelimit.reset(
            allauth_impl.get_cache_key(
                request, app=app, action=action, rate=rate, key=key, user=user
            )
        )


def install() -> None:
    allauth_impl._consume_single_rate = consume_single_rate
    allauth_impl.clear = clear
