"""Who is asking: the one client-identity function behind every rate limit.

A request's ``REMOTE_ADDR`` is the peer that opened the TCP connection. ``X-Forwarded-For`` is
whatever the client (or a proxy) wrote, and anyone can write ``X-Forwarded-For: 10.9.8.7``; it is
trusted only as far as ``NUM_PROXIES`` says: with ``NUM_PROXIES=n`` the proxies in front append the
address they saw, so the client is the n-th entry counted from the right. Unset or 0 (the default)
means no proxy is trusted and the header is ignored.

DRF throttles (``config.throttling``), the survey limits, allauth's log-in limits (through
``accounts.adapter``) and the token form all identify clients here.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# IPv6 hands a whole /64 to one customer: counting per address would let one client rotate
# through 2^64 of them. (allauth groups the same way.)
IPV6_PREFIX = 64


def _clean(raw: str) -> str | None:
    raw = raw.strip()
    if raw.startswith("[") and "]" in raw:  # "[2001:db8::1]:443"
        raw = raw[1 : raw.index("]")]
    elif raw.count(":") == 1:  # "203.0.113.7:51234"
        raw = raw.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def trusted_proxies() -> int:
    return int(getattr(settings, "NUM_PROXIES", 0) or 0)


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the entry that the trusted proxies recorded."""
    remote = _clean(request.META.get("REMOTE_ADDR", "") or "") or "unknown"
    proxies = trusted_proxies()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    # Fewer entries than proxies: every entry was written by one of ours, the leftmost is the
    # nearest to the client that we know.
    candidate = entries[-proxies] if len(entries) >= proxies else entries[0]
    return _clean(candidate) or remote


def client_key(request: HttpRequest) -> str:
    """What a rate limit counts per client: the address, an IPv6 address by its /64."""
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    if address.version == 6:
        return str(address.ipv4_mapped)
    return ip
