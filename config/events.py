"""The event bus: every write service announces what happened, and the rest of the system listens.

A write service ends by publishing one named event, inside its transaction::

    from config import events

    events.publish("vote.opened", {"group": "steering", "number": 7, ...}, actor=chair, group=g)

Two kinds of listener, both registered in an app's ``AppConfig.ready``:

- **Subscribers** (``@events.subscriber("vote.opened")``) run *after commit*, never inside the
  writer's transaction. A subscriber that raises is logged and the write stands; the other
  subscribers still run. Slow work (e-mail, webhooks) is handed to Celery from here.
- **In-transaction handlers** (``@events.in_transaction("decision.recorded")``) run at once, inside
  the writer's transaction. They apply consequences that must commit or roll back with the write
  (a decision adopting a standard) and they may *refuse* it by raising a ``DomainError``: the
  writer's transaction rolls back and the error reaches the caller. Handlers registered with
  ``last=True`` (the public ledger) run after every other handler, so the ledger's lock is always
  the last lock a transaction takes.

Every event is declared once, with its payload's fields, by the app that publishes it
(``<app>/events.py``, imported by its ``AppConfig.ready``); ``catalogue()`` lists them all and
README.md ("The event bus") documents the list. Publishing an undeclared event, or a payload that
lacks a declared field, is a programming error and raises at once.

Payloads are plain JSON values (str, int, bool, None, lists and dicts of them) so that a
subscriber can hand them to a Celery task or a webhook unchanged; ``objects`` carries in-process
instances (the saved row, say) for in-transaction handlers that would otherwise query them again.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

Listener = Callable[["Event"], None]


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    fields: tuple[str, ...]
    public: bool = True
    app: str = ""


@dataclass(frozen=True)
class Event:
    """One thing that happened. ``id`` is unique per publication: subscribers key their own
    writes on it (one notification per event and person, one webhook delivery per event), so a
    redelivered event is never acted on twice."""

    name: str
    payload: Mapping[str, Any]
    id: str
    occurred_at: datetime
    actor_id: int | None = None
    group_id: int | None = None
    public: bool = True
    url: str = ""
    subject: Mapping[str, str] | None = None
    objects: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The event as JSON-able data (without ``objects``), e.g. for a Celery task."""
        return {
            "name": self.name,
            "payload": dict(self.payload),
            "id": self.id,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "group_id": self.group_id,
            "public": self.public,
            "url": self.url,
            "subject": dict(self.subject) if self.subject else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        return cls(
            name=data["name"],
            payload=data["payload"],
            id=data["id"],
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            actor_id=data.get("actor_id"),
            group_id=data.get("group_id"),
            public=data.get("public", True),
            url=data.get("url", ""),
            subject=data.get("subject"),
        )


@dataclass
class _Registration:
    pattern: str
    listener: Listener
    last: bool = False

    def matches(self, name: str) -> bool:
        return self.pattern == name or fnmatch.fnmatchcase(name, self.pattern)


_types: dict[str, EventType] = {}
_declared_in: dict[str, str] = {}
_subscribers: list[_Registration] = []
_in_transaction: list[_Registration] = []
_captures: list[list[Event]] = []


# --- Declaring events ------------------------------------------------------------------------


def declare(
    name: str, description: str, *, fields: tuple[str, ...] | list[str], public: bool = True
) -> EventType:
    """Declare an event the calling app publishes. Declaring the same event twice with the same
    fields is harmless (``ready`` may run more than once in tests); differently is an error."""
    app = name.split(".", 1)[0]
    event_type = EventType(name, description, tuple(fields), public, app)
    existing = _types.get(name)
    if existing is not None and existing != event_type:
        raise ValueError(f"Event {name!r} is already declared differently.")
    _types[name] = event_type
    _declared_in[name] = sys._getframe(1).f_globals.get("__name__", "")
    return event_type


def declared_in(name: str) -> str:
    """The module that declared ``name`` (the catalogue leaves out what tests declare)."""
    return _declared_in.get(name, "")


def catalogue() -> list[EventType]:
    """Every declared event, by name."""
    return sorted(_types.values(), key=lambda t: t.name)


def event_type(name: str) -> EventType:
    try:
        return _types[name]
    except KeyError:
        raise LookupError(f"Event {name!r} is not declared (config.events.declare).") from None


# --- Listening -------------------------------------------------------------------------------


def _register(registry: list[_Registration], pattern: str, listener: Listener, last: bool) -> None:
    for existing in registry:
        if existing.pattern == pattern and existing.listener is listener:
            return
    registry.append(_Registration(pattern, listener, last))


def subscriber(pattern: str) -> Callable[[Listener], Listener]:
    """Run ``listener(event)`` after the publishing transaction commits. ``pattern`` is an event
    name or a shell-style pattern (``"vote.*"``, ``"*"``)."""

    def register(listener: Listener) -> Listener:
        _register(_subscribers, pattern, listener, False)
        return listener

    return register


def in_transaction(pattern: str, *, last: bool = False) -> Callable[[Listener], Listener]:
    """Run ``listener(event)`` inside the publishing transaction; raising refuses the write.
    ``last=True`` runs it after every other in-transaction handler of the event."""

    def register(listener: Listener) -> Listener:
        _register(_in_transaction, pattern, listener, last)
        return listener

    return register


def unsubscribe(listener: Listener) -> None:
    """Remove a listener from both registries (tests)."""
    _subscribers[:] = [r for r in _subscribers if r.listener is not listener]
    _in_transaction[:] = [r for r in _in_transaction if r.listener is not listener]


# --- Publishing ------------------------------------------------------------------------------


def _pk(value: Any) -> int | None:
    if value is None:
        return None
    return getattr(value, "pk", value)


def publish(
    name: str,
    payload: Mapping[str, Any],
    *,
    actor: Any = None,
    group: Any = None,
    public: bool | None = None,
    url: str = "",
    subject: Mapping[str, str] | None = None,
    objects: Mapping[str, Any] | None = None,
) -> Event:
    """Announce ``name`` with ``payload``. Call it inside the writer's ``transaction.atomic``.

    In-transaction handlers run now, in registration order (``last`` ones at the end), and may
    raise to refuse. Subscribers run once the outermost transaction commits (at once when there
    is none) and never if it rolls back. ``actor`` and ``group`` are users / working groups or
    their primary keys; ``public`` overrides the declared default (a private dataset's version).
    ``url`` is the site path of the thing the event is about (``/groups/steering/proposals/7/``)
    and ``subject`` names it as ``{"type": "proposal", "ref": "steering/7"}``: notifications,
    feeds and webhooks link to it and check who may see it from these.
    """
    declared = event_type(name)
    missing = [f for f in declared.fields if f not in payload]
    if missing:
        raise ValueError(f"Event {name!r} published without {', '.join(missing)}.")
    actor_id = _pk(actor)
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor_id = None
    event = Event(
        name=name,
        payload=dict(payload),
        id=uuid.uuid4().hex,
        occurred_at=timezone.now(),
        actor_id=actor_id,
        group_id=_pk(group),
        public=declared.public if public is None else public,
        url=url,
        subject=dict(subject) if subject else None,
        objects=dict(objects or {}),
    )
    for captured in _captures:
        captured.append(event)
    handlers = [r for r in _in_transaction if r.matches(name)]
    for registration in [r for r in handlers if not r.last] + [r for r in handlers if r.last]:
        registration.listener(event)
    if any(r.matches(name) for r in _subscribers):
        transaction.on_commit(lambda: deliver(event))
    return event


def deliver(event: Event) -> None:
    """Run every matching subscriber; one that raises is logged and the others still run."""
    for registration in list(_subscribers):
        if not registration.matches(event.name):
            continue
        try:
            registration.listener(event)
        except Exception:
            logger.exception(
                "Subscriber %s failed on %s (event %s); the write stands.",
                getattr(registration.listener, "__qualname__", registration.listener),
                event.name,
                event.id,
            )


@contextlib.contextmanager
def capture() -> Iterator[list[Event]]:
    """Collect every event published inside the block (tests and benchmarks)."""
    events: list[Event] = []
    _captures.append(events)
    try:
        yield events
    finally:
        _captures.remove(events)
