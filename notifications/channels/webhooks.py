"""Webhooks: the body of a delivery in each format, its signature, and an HTTP client that
never reaches a private address.

Formats: ``generic`` (``{"event", "delivery", "created_at", "group", "url", "data"}``, ``data``
being the event's documented payload), ``discord`` (an execute-webhook body; mentions
disabled so an event's text can never ping ``@everyone``) and ``slack`` (an incoming-webhook
body, which Matrix's Slack-compatible webhook bridges accept too).

Every POST carries ``X-OMI-Event``, ``X-OMI-Delivery`` (the same UUID on every retry) and
``X-OMI-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` (GitHub's convention).

SSRF: the host is resolved once (``socket.getaddrinfo``), every address is checked
(``ipaddress``: private, loopback, link-local, reserved, multicast, unspecified, shared, and the
IPv4 inside IPv4-mapped, NAT64 and 6to4 IPv6 addresses), and the connection goes to a checked
address (so DNS cannot answer differently the second time). Redirects are followed by hand, each
hop checked the same way. ``WEBHOOK_ALLOW_PRIVATE=1`` lifts the check (a receiver on this
machine, in development and tests).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_REDIRECTS = 3
MAX_READ = 64 * 1024
USER_AGENT = "OMI-Commons-Webhooks/1"
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The URL may not be reached (a private address, a bad scheme, too many redirects)."""


# --- Bodies -----------------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def body_for(
    fmt: str,
    *,
    event: Mapping[str, Any],
    delivery: str,
    group: str | None,
    url: str,
    title: str,
    summary: str,
) -> str:
    """The exact JSON text sent (and signed) for one delivery."""
    if fmt == "discord":
        embed = {"title": title[:256], "url": url, "timestamp": event["occurred_at"]}
        if summary:
            embed["description"] = summary[:2000]
        data: dict[str, Any] = {
            "content": f"**{event['name']}**" + (f" in {group}" if group else ""),
            "embeds": [embed],
            "allowed_mentions": {"parse": []},
        }
    elif fmt == "slack":
        text = f"<{url}|{_slack_escape(title)}>"
        if summary:
            text += f"\n{_slack_escape(summary)}"
        data = {"text": text, "unfurl_links": False}
    else:
        data = {
            "event": event["name"],
            "delivery": delivery,
            "created_at": event["occurred_at"],
            "group": group,
            "url": url,
            "data": event["payload"],
        }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- Addresses --------------------------------------------------------------------------------


def address_refusal(address: str) -> str | None:
    """Why ``address`` may not be reached, or None when it is a public unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = address_refusal(str(embedded))
            return f"{reason} (inside {ip})" if reason else None
    for flag, reason in (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "the unspecified address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ):
        if getattr(ip, flag):
            return f"{ip} is {reason}"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


@dataclass(frozen=True)
class Address:
    family: int
    sockaddr: tuple

    @property
    def ip(self) -> str:
        return self.sockaddr[0]


def resolve(host: str, port: int) -> list[Address]:
    """The addresses to try for ``host``, every one of them checked (unless private addresses
    are allowed). Refuses the whole host if any address is refused: a name that resolves to a
    public and a private address is treated as private."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"Cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(Address(info[0], info[4]) for info in infos))
    if not addresses:
        raise Refused(f"{host} has no address.")
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            reason = address_refusal(address.ip)
            if reason:
                raise Refused(f"{host} resolves to {reason}; webhooks reach public addresses only.")
    return addresses


def open_socket(address: Address, timeout: float) -> socket.socket:
    """Connect to exactly this checked address. No ``socket.create_connection``: it would
    resolve the address again, and what is dialled must be what was checked."""
    sock = socket.socket(address.family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address.sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to a given, already checked address (Host stays the name)."""

    def __init__(self, host: str, port: int, address: Address, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = open_socket(self.address, self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is verified for the host name (SNI)."""

    def __init__(self, host: str, port: int, address: Address, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = open_socket(self.address, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


# --- Sending ----------------------------------------------------------------------------------


@dataclass
class Result:
    status_code: int | None
    duration_ms: int
    error: str = ""
    final_url: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _once(url: str, body: bytes, headers: Mapping[str, str], timeout: float):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"Only http and https URLs can be reached, not {url!r}.")
    if parts.username or parts.password:
        raise Refused("URLs with a user name or password are not allowed.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    last_error: OSError | None = None
    for address in resolve(parts.hostname, port):
        cls = _PinnedTLS if parts.scheme == "https" else _Pinned
        conn = cls(parts.hostname, port, address, timeout)
        try:
            conn.request("POST", path, body=body, headers=dict(headers))
            response = conn.getresponse()
            response.read(MAX_READ)
            return response.status, response.getheader("Location")
        except (ConnectionRefusedError, TimeoutError) as exc:
            last_error = exc  # try the host's next address
        finally:
            conn.close()
    raise last_error or OSError("No address answered.")


def post(
    url: str, body: str, headers: Mapping[str, str], *, timeout: float | None = None
) -> Result:
    """POST ``body`` to ``url``; redirects are followed (with the same POST) up to three times,
    each target checked like the first. Never raises: a refusal or a network error is the
    result's ``error``."""
    timeout = timeout or settings.WEBHOOK_TIMEOUT_SECONDS
    data = body.encode()
    all_headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **headers,
    }
    started = time.perf_counter()
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            status, location = _once(current, data, all_headers, timeout)
            if status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            return Result(
                status, _ms(started), "" if 200 <= status < 300 else f"HTTP {status}", current
            )
        return Result(None, _ms(started), f"More than {MAX_REDIRECTS} redirects.", current)
    except Refused as exc:
        return Result(None, _ms(started), f"Refused: {exc}", current)
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return Result(None, _ms(started), f"{type(exc).__name__}: {exc}"[:500], current)


def _ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be a webhook URL at all (scheme, host), or None. Addresses are checked
    again at every delivery, since DNS may change."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return _("Use an http or https URL.")
    if not parts.hostname:
        return _("The URL needs a host.")
    if parts.username or parts.password:
        return _("Put no user name or password in the URL; use the secret.")
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        try:
            reason = address_refusal(parts.hostname.strip("[]"))
        except ValueError:
            reason = None  # a name: resolved and checked at delivery
        if reason:
            return _("%(reason)s; webhooks reach public addresses only.") % {"reason": reason}
        if parts.hostname.lower() in ("localhost",) or parts.hostname.lower().endswith(
            ".localhost"
        ):
            return _("localhost is this machine; webhooks reach public addresses only.")
    return None
