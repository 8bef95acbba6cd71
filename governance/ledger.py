"""The public, hash-chained ledger of governance events.

Algorithm (documented for outside verifiers in docs/governance.md):

- An entry is the object ``{"seq": int, "kind": str, "payload": {...}, "created_at": str}`` where
  ``created_at`` is UTC in the form ``2026-11-22T04:25:00.123456Z``.
- ``canonical_json(entry)`` is JSON with sorted keys, no spaces (separators ``,`` and ``:``),
  ``ensure_ascii=False``, encoded in UTF-8.
- ``hash = sha256(prev_hash + canonical_json(entry))`` as lowercase hex, where ``prev_hash`` is the
  previous entry's hash (64 ASCII hex characters) or 64 zeros for the first entry.

Appends take a lock on a single ``LedgerLock`` row inside the caller's transaction, so concurrent
appends queue up and each one chains onto the one before; the unique ``seq`` is a second guard.
Payloads hold integers and strings only (never floats, whose JSON form may not round-trip) and
never a secret ballot's choice.

The ledger listens on the event bus like anyone else: ``record`` is an in-transaction handler
registered with ``last=True`` for each event in ``RECORDED`` (``GovernanceConfig.ready``), so an
entry commits or rolls back with the change it records, and the ledger lock is the last lock a
transaction takes. No service appends to it.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from config.canonical import canonical_json
from config.events import Event

from .models import LedgerEntry, LedgerLock, WorkingGroup

GENESIS = "0" * 64


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, *, seq: int, kind: str, payload: dict, created_at: str) -> str:
    body = {"seq": seq, "kind": kind, "payload": payload, "created_at": created_at}
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(body)).hexdigest()


def _plain(value):
    """Make a payload JSON-stable: no floats, no tuples, dates as strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, datetime):
        return timestamp(value)
    # Decimals, fractions, floats: stored as their exact text.
    return str(value)


def append(
    kind: str, payload: dict, *, group: WorkingGroup | None = None, group_id: int | None = None
) -> LedgerEntry:
    """Append one event; joins the caller's transaction (so it rolls back with the change it
    records). Blocks while another transaction holds the ledger lock."""
    payload = _plain(payload)
    if group is not None:
        group_id = group.pk
    with transaction.atomic():
        LedgerLock.objects.get_or_create(pk=1)
        LedgerLock.objects.select_for_update().get(pk=1)
        last = LedgerEntry.objects.order_by("-seq").only("seq", "hash").first()
        seq = last.seq + 1 if last else 1
        prev_hash = last.hash if last else GENESIS
        # Both Postgres and SQLite keep microseconds, so the stored value re-hashes exactly.
        now = timezone.now()
        created_at = timestamp(now)
        entry = LedgerEntry.objects.create(
            seq=seq,
            kind=kind,
            payload=payload,
            prev_hash=prev_hash,
            hash=entry_hash(prev_hash, seq=seq, kind=kind, payload=payload, created_at=created_at),
            created_at=now,
            group_id=group_id,
        )
    return entry


# --- The ledger as a listener of the event bus ----------------------------------------------

_MOVE = ("group", "number", "from", "to", "by")

# Event name -> (ledger kind, the payload fields it records). These are the kinds and payloads the
# ledger has always recorded: entries already published keep their meaning, and outside readers
# rely on the shapes. Events carry more (titles, authors) for their other listeners; the ledger
# keeps only these fields, those the event carries (``membership.role_changed`` has ``by`` or
# ``by_proposal``; ``membership.granted`` has ``by`` only for an administrator's correction).
# Not recorded: ``comment.created``, and ``vote.cast`` (a ballot's choice never enters the ledger).
RECORDED: dict[str, tuple[str, tuple[str, ...]]] = {
    "group.created": ("group.created", ("group", "name", "parent", "by")),
    "group.settings_changed": (
        "group.settings_changed",
        ("group", "general_rule", "quorum", "show_live_tally", "early_close", "by"),
    ),
    "membership.granted": (
        "membership.changed",
        ("group", "member", "role", "status", "reason", "by"),
    ),
    "membership.joined": ("membership.joined", ("group", "member", "role", "status")),
    "membership.requested": ("membership.requested", ("group", "member", "role", "status")),
    "membership.approved": ("membership.approved", ("group", "member", "role", "by")),
    "membership.declined": ("membership.declined", ("group", "member", "by")),
    "membership.role_changed": (
        "membership.role_changed",
        ("group", "member", "from", "to", "by", "by_proposal"),
    ),
    "membership.left": ("membership.left", ("group", "member")),
    "proposal.created": (
        "proposal.created",
        (
            "group",
            "number",
            "kind",
            "title",
            "revision",
            "text_sha256",
            "target",
            "subject",
            "membership_action",
            "by",
        ),
    ),
    "proposal.revised": (
        "proposal.revised",
        ("group", "number", "revision", "text_sha256", "by"),
    ),
    "proposal.discussion_opened": ("proposal.moved", _MOVE),
    "proposal.withdrawn": ("proposal.moved", _MOVE),
    "vote.opened": (
        "proposal.moved",
        (*_MOVE, "rule", "revision", "text_sha256", "closes_at", "early_close", "roll"),
    ),
    "comment.hidden": ("comment.hidden", ("group", "number", "comment", "reason", "by")),
    "decision.recorded": (
        "decision.recorded",
        (
            "group",
            "number",
            "outcome",
            "rule",
            "tally",
            "roll_size",
            "revision",
            "text_sha256",
            "explanation",
            "target",
            # Since the transparency log (docs/log.md): what the rule decided on.
            "roll",
            "ballots",
            "quorum",
        ),
    ),
}


# Every kind an entry can have (the ledger's ``?kind=`` filter offers these and refuses others).
KINDS: tuple[str, ...] = tuple(sorted({kind for kind, _ in RECORDED.values()}))


def entry_for(event: Event) -> tuple[str, dict]:
    """The ledger kind and payload that record ``event``."""
    kind, fields = RECORDED[event.name]
    return kind, {f: event.payload[f] for f in fields if f in event.payload}


def record(event: Event) -> LedgerEntry:
    """In-transaction handler (``last=True``): append ``event`` to the ledger. A decision learns
    the hash of the entry that records it, in the same transaction."""
    kind, payload = entry_for(event)
    entry = append(kind, payload, group_id=event.group_id)
    decision = event.objects.get("decision") if event.name == "decision.recorded" else None
    if decision is not None:
        decision.ledger_hash = entry.hash
        decision.save(update_fields=["ledger_hash"])
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str = ""


def verify(entries=None) -> Verification:
    """Recompute the chain; stops at the first entry whose link or hash does not hold."""
    if entries is None:
        entries = LedgerEntry.objects.order_by("seq").iterator(chunk_size=2000)
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return Verification(False, checked, entry.seq, f"expected seq {expected_seq}")
        if entry.prev_hash != prev_hash:
            return Verification(False, checked, entry.seq, "prev_hash does not match")
        actual = entry_hash(
            prev_hash,
            seq=entry.seq,
            kind=entry.kind,
            payload=entry.payload,
            created_at=timestamp(entry.created_at),
        )
        if actual != entry.hash:
            return Verification(False, checked, entry.seq, "hash does not match its content")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    return Verification(True, checked)
