"""What the governance services share: the proposal row lock, how people, proposals and groups
appear in event payloads, and publishing an event about a proposal or a group."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from config import events
from config.errors import NotAllowed

from .. import roles
from ..models import GroupSettings, Proposal, WorkingGroup


def lock_proposal(proposal: Proposal, *, shared: bool = False) -> Proposal:
    """Re-read the proposal under a row lock: every state change on one proposal queues here.
    The group and its settings come along (for messages and event payloads) but are not locked.

    ``shared``: a lock that other shared holders may hold at once (votes), while a state change
    (closing the vote) waits for all of them and they for it. SQLite has no row locks: a write
    transaction holds the whole database."""
    proposals = Proposal.objects.select_related("group__settings")
    if shared:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM governance_proposal WHERE id = %s FOR SHARE", [proposal.pk]
                )
        return proposals.get(pk=proposal.pk)
    # of=("self",): lock the proposal only, not the joined group row (and on PostgreSQL the
    # settings are the nullable side of an outer join, which FOR UPDATE may not lock).
    return proposals.select_for_update(of=("self",)).get(pk=proposal.pk)


def require_author(actor: Any, proposal: Proposal, action: str) -> None:
    roles.require_user(actor)
    if not proposal.authors.filter(pk=actor.pk).exists():
        raise NotAllowed(
            _("Only the authors of this proposal may %(action)s.") % {"action": action}
        )


def settings_of(group: WorkingGroup) -> GroupSettings:
    gs, _ = GroupSettings.objects.get_or_create(group=group)
    return gs


def person(user: Any) -> dict:
    return {"id": user.pk, "username": user.username}


def authors_of(p: Proposal) -> list[dict]:
    return [person(a) for a in p.authors.order_by("username")]


def move(p: Proposal, to: str, actor: Any) -> dict:
    """Set ``p``'s new status (the caller saves it) and return the payload every move event
    (``proposal.discussion_opened``, ``proposal.withdrawn``, ``vote.opened``) starts with."""
    old = p.status
    p.status = to
    p.updated_at = timezone.now()
    return {"authors": authors_of(p), "from": old, "to": to, "by": person(actor)}


def proposal_ref(p: Proposal) -> dict:
    return {"group": p.group.slug, "number": p.number}


def publish_for_proposal(
    name: str,
    p: Proposal,
    payload: dict,
    *,
    actor: Any,
    url: str = "",
    objects: dict | None = None,
) -> events.Event:
    """Publish ``name`` about ``p``: its group, number and title, then ``payload``."""
    return events.publish(
        name,
        {**proposal_ref(p), "title": p.title, **payload},
        actor=actor,
        group=p.group,
        url=url or p.get_absolute_url(),
        subject={"type": "proposal", "ref": f"{p.group.slug}/{p.number}"},
        objects={"proposal": p, **(objects or {})},
    )


def publish_for_group(
    name: str, group: WorkingGroup, payload: dict, *, actor: Any, objects: dict | None = None
) -> events.Event:
    """Publish ``name`` about ``group``; ``payload`` starts with the group's slug."""
    return events.publish(
        name,
        {"group": group.slug, **payload},
        actor=actor,
        group=group,
        url=group.get_absolute_url(),
        subject={"type": "group", "ref": group.slug},
        objects={"group": group, **(objects or {})},
    )
