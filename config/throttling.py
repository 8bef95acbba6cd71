"""DRF throttles on the one limiter (``config.ratelimit``) and the one client identity
(``config.clients``), set as ``DEFAULT_THROTTLE_CLASSES``.

DRF's own throttles keep a list of timestamps in the cache and write it back (two concurrent
requests both read the same list) and identify clients by the whole ``X-Forwarded-For`` header
when ``NUM_PROXIES`` is unset. These count atomically, identify clients by ``REMOTE_ADDR`` unless
proxies are trusted, and treat an unreachable cache as an outage: a read (GET, HEAD, OPTIONS)
goes through unthrottled, with a warning in the log; a write answers 503.
"""

from __future__ import annotations

import logging

from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS

from . import clients, ratelimit
from .errors import Unavailable

logger = logging.getLogger(__name__)


class LimiterThrottle(throttling.SimpleRateThrottle):
    """A ``SimpleRateThrottle`` whose counting is ``ratelimit.hit``."""

    retry_after: int | None = None

    def get_ident(self, request) -> str:
        return clients.client_key(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        try:
            outcome = ratelimit.hit(
                self.key, ratelimit.Rate(limit=self.num_requests, window=self.duration)
            )
        except Unavailable:
            if request.method in SAFE_METHODS:
                logger.warning(
                    "throttle %s skipped for %s %s: the cache is unreachable",
                    self.scope,
                    request.method,
                    request.path,
                )
                return True
            raise
        self.retry_after = outcome.retry_after
        return outcome.allowed

    def wait(self) -> float | None:
        return self.retry_after


class AnonRateThrottle(LimiterThrottle):
    """Requests of people who are not signed in, per client address."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return f"throttle:anon:{self.get_ident(request)}"


class UserRateThrottle(LimiterThrottle):
    """Requests of signed-in people, per person (per client address when anonymous)."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return f"throttle:user:{request.user.pk}"
        return f"throttle:user-anon:{self.get_ident(request)}"


class ScopedRateThrottle(LimiterThrottle):
    """The view's ``throttle_scope``, per person or client address."""

    scope_attr = "throttle_scope"

    def __init__(self):
        # The scope is the view's, known only in allow_request.
        pass

    def allow_request(self, request, view) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return f"throttle:{self.scope}:{ident}"
