"""``vote.closing_soon``: once per vote, 24 hours before it closes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from config import events
from governance import ledger
from governance.models import Proposal

from ..models import VoteReminder

WINDOW = timedelta(hours=24)


def votes_remind_closing(*, now: datetime | None = None) -> int:
    """Publish ``vote.closing_soon`` for every open vote that closes within 24 hours and has not
    been reminded; returns how many were published. Once per vote: the reminder row is unique
    and written in the same transaction as the event, so a second run (or a concurrent one)
    publishes nothing. A vote opened for less than a day gets no reminder: its ``vote.opened``
    already said when it closes."""
    now = now or timezone.now()
    due = (
        Proposal.objects.open_for_voting()
        .filter(voting_closes_at__gt=now, voting_closes_at__lte=now + WINDOW)
        .exclude(pk__in=VoteReminder.objects.values("proposal_id"))
        .select_related("group")
    )
    published = 0
    for p in due:
        if p.voting_opened_at and p.voting_closes_at - p.voting_opened_at <= WINDOW:
            continue
        try:
            with transaction.atomic():
                VoteReminder.objects.create(proposal=p)
                events.publish(
                    "vote.closing_soon",
                    {
                        "group": p.group.slug,
                        "number": p.number,
                        "title": p.title,
                        "closes_at": ledger.timestamp(p.voting_closes_at),
                    },
                    group=p.group,
                    url=p.get_absolute_url() + "#vote",
                    subject={"type": "proposal", "ref": f"{p.group.slug}/{p.number}"},
                )
        except IntegrityError:
            continue  # reminded meanwhile by a concurrent run
        published += 1
    return published
