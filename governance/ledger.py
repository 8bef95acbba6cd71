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
from typing import Any

from django.db import connection, models, transaction
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


def _take_lock() -> None:
    if not LedgerLock.objects.select_for_update().filter(pk=1).exists():
        # The very first append: make the row (two first appenders may race: one insert wins).
        LedgerLock.objects.get_or_create(pk=1)
        LedgerLock.objects.select_for_update().get(pk=1)


def append(
    kind: str,
    payload: dict,
    *,
    group: WorkingGroup | None = None,
    group_id: int | None = None,
    beside: tuple[type[models.Model], dict[str, Any]] | None = None,
) -> LedgerEntry:
    """Append one event; joins the caller's transaction (so it rolls back with the change it
    records). Blocks while another transaction holds the ledger lock.

    ``beside`` is ``(model, values)``: a row that points at the new entry by ``entry_id`` (the
    public log's link), inserted with it.

    The lock is held from here to the commit, and every writer of the platform queues on it: on
    PostgreSQL the entry (its hash computed by the database from the last one) and the row
    beside it are one statement after the lock, so the queue moves at two round trips an entry.
    """
    payload = _plain(payload)
    if group is not None:
        group_id = group.pk
    # No savepoint: an entry stands or falls with the whole transaction of the change it records.
    with transaction.atomic(savepoint=False):
        _take_lock()
        # Both Postgres and SQLite keep microseconds, so the stored value re-hashes exactly.
        now = timezone.now()
        if connection.vendor == "postgresql":
            return _append_in_one_statement(kind, payload, now, group_id, beside)
        last = LedgerEntry.objects.order_by("-seq").only("seq", "hash").first()
        seq = last.seq + 1 if last else 1
        prev_hash = last.hash if last else GENESIS
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
        if beside is not None:
            model, values = beside
            model.objects.create(entry=entry, **values)
    return entry


def _hashed_text_around_seq(kind: str, payload: dict, created_at: str) -> tuple[str, str]:
    """``canonical_json`` of an entry, split where its ``seq`` goes (the last key, in order)."""
    body = canonical_json({"seq": 0, "kind": kind, "payload": payload, "created_at": created_at})
    head, _, tail = body.decode("utf-8").rpartition(',"seq":0')
    return head + ',"seq":', tail


_APPEND_SQL = """
WITH last AS (
    SELECT seq, hash FROM governance_ledgerentry ORDER BY seq DESC LIMIT 1
), next AS (
    SELECT coalesce((SELECT seq FROM last), 0) + 1 AS seq,
           coalesce((SELECT hash FROM last), %(genesis)s) AS prev_hash
), entry AS (
    INSERT INTO governance_ledgerentry (seq, kind, payload, prev_hash, hash, created_at, group_id)
    SELECT seq, %(kind)s, %(payload)s::jsonb, prev_hash,
           encode(sha256(convert_to(prev_hash || %(head)s || seq::text || %(tail)s, 'UTF8')), 'hex'),
           %(created_at)s, %(group_id)s
    FROM next
    RETURNING id, seq, prev_hash, hash
)"""


def _append_in_one_statement(kind, payload, now, group_id, beside) -> LedgerEntry:
    head, tail = _hashed_text_around_seq(kind, payload, timestamp(now))
    params = {
        "genesis": GENESIS,
        "kind": kind,
        "payload": canonical_json(payload).decode("utf-8"),
        "head": head,
        "tail": tail,
        "created_at": now,
        "group_id": group_id,
    }
    sql = _APPEND_SQL
    if beside is not None:
        model, values = beside
        quote = connection.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in values)
        placeholders = ", ".join(f"%(beside_{i})s" for i in range(len(values)))
        params.update({f"beside_{i}": value for i, value in enumerate(values.values())})
        # Identifiers from the model's own meta; every value is a parameter.
        table = quote(model._meta.db_table)
        beside_sql = (
            f"INSERT INTO {table} (entry_id, {columns}) SELECT id, {placeholders} FROM entry"  # noqa: S608
        )
        sql += f", beside AS ({beside_sql})"
    with connection.cursor() as cursor:
        cursor.execute(sql + " SELECT id, seq, prev_hash, hash FROM entry", params)  # noqa: S608
        entry_id, seq, prev_hash, hash_ = cursor.fetchone()
    entry = LedgerEntry(
        id=entry_id,
        seq=seq,
        kind=kind,
        payload=payload,
        prev_hash=prev_hash,
        hash=hash_,
        created_at=now,
        group_id=group_id,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
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
