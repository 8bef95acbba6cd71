"""Every public event of every app lands in the log: an in-transaction handler on the bus.

Registered for ``"*"`` with ``last=True`` by ``TransparencyConfig.ready`` (after governance's
own ledger handler), so an entry commits or rolls back with the change it records and no entry
is ever lost between a commit and a subscriber. No app writes the log.

- Governance's events keep the kinds and payloads the ledger has always recorded
  (``governance.ledger.RECORDED``; governance appends them itself); this handler only remembers
  the entry's link.
- Any other *public* event is appended under its own name with its payload as published
  (``ledger.append`` makes it JSON-stable). An app that declares a new public event needs no
  code here: its events land in the log from the first publication.
- Not logged: private events (``public=False``: a private dataset's versions, a draft survey, an
  embargoed finding's content); ``vote.cast`` while the group hides ballots; ``comment.created``
  (a chair can hide a comment; the log cannot forget it).
"""

from __future__ import annotations

from django.db import transaction

from config.events import Event
from governance import ledger
from governance.models import LedgerEntry, WorkingGroup

from .models import EntryLink

NOT_LOGGED = frozenset({"comment.created"})


def loggable(event: Event) -> bool:
    if not event.public or event.name in NOT_LOGGED:
        return False
    if event.name == "vote.cast":
        return bool(event.payload.get("public_ballot"))
    return True


def record(event: Event) -> LedgerEntry | None:
    """In-transaction handler for every event (``last=True``)."""
    if event.name in ledger.RECORDED:
        # Governance's handler appended it a moment ago, in this transaction, under the ledger
        # lock this transaction still holds: the last entry is that one.
        entry = LedgerEntry.objects.order_by("-seq").first()
        kind, payload = ledger.entry_for(event)
        if (
            entry is None
            or (entry.kind, entry.payload) != (kind, ledger._plain(payload))
            or EntryLink.objects.filter(entry=entry).exists()
        ):
            return None  # not appended by governance (its handler is off, in a test)
        EntryLink.objects.create(entry=entry, **_link(event))
    elif loggable(event):
        group_id = event.group_id
        if group_id is not None and not WorkingGroup.objects.filter(pk=group_id).exists():
            group_id = None  # the group index is a convenience; never fail the write for it
        # The link goes in with the entry: nothing may follow the ledger's lock before the commit.
        entry = ledger.append(
            event.name, dict(event.payload), group_id=group_id, beside=(EntryLink, _link(event))
        )
        if _made_public(event):
            _log_versions_made_public(event.payload["dataset"])
    else:
        return None
    transaction.on_commit(_sign_soon)
    return entry


def _link(event: Event) -> dict[str, str]:
    subject = event.subject or {}
    return {
        "event": event.name,
        "url": event.url[:500],
        "subject_type": str(subject.get("type", ""))[:40],
        "subject_ref": str(subject.get("ref", ""))[:300],
    }


def _sign_soon() -> None:
    from . import checkpoints

    checkpoints.sign_after_commit()


def _made_public(event: Event) -> bool:
    changed = event.payload.get("changed") or []
    return (
        event.name == "dataset.updated"
        and event.payload.get("visibility") == "public"
        and "visibility" in changed
    )


def _log_versions_made_public(slug: str) -> None:
    """A private dataset's versions were never logged (their events were private): log each one,
    as ``dataset.version_created`` with the payload its event had, when the dataset becomes
    public. A version logged already (public before, made private, public again) is not logged
    twice."""
    from datasets_registry.models import DatasetVersion

    versions = DatasetVersion.objects.filter(dataset__slug=slug).select_related("dataset")
    for version in versions.order_by("created_at", "pk"):
        url = version.get_absolute_url()
        if EntryLink.objects.filter(url=url, event="dataset.version_created").exists():
            continue
        dataset = version.dataset
        entry = ledger.append(
            "dataset.version_created",
            {
                "dataset": dataset.slug,
                "name": dataset.name,
                "version": version.version,
                "sha256": version.sha256,
                "size": version.size,
                "row_count": version.row_count,
                "format": version.format,
                "compression": version.compression,
                "published_later": True,
            },
        )
        EntryLink.objects.create(
            entry=entry,
            event="dataset.version_created",
            url=url,
            subject_type="dataset",
            subject_ref=dataset.slug,
        )
