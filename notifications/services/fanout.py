"""An event becomes notifications: resolve who hears it, drop whoever may not, bulk-create.

Runs in a Celery task (``tasks.fan_out``), never in the request that published the event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import translation

from accounts.language import language_of
from config.events import Event
from datasets_registry.models import Dataset
from governance.models import WorkingGroup

from .. import kinds, recipients, visibility
from ..models import Follow, Notification, Preference, SubjectType

User = get_user_model()


def _people(ids: set[int]) -> dict[int, dict]:
    """Active accounts among ``ids`` with their preferences, in one query."""
    rows = User.objects.filter(pk__in=ids, is_active=True).values(
        "pk",
        "is_staff",
        "language",
        "notification_preference__email",
        "notification_preference__kinds",
    )
    return {row["pk"]: row for row in rows}


def _group_name(event: Event) -> str:
    if event.group_id is None:
        return ""
    return (
        WorkingGroup.objects.filter(pk=event.group_id).values_list("name", flat=True).first() or ""
    )


@dataclass(frozen=True)
class _Person:
    """What ``accounts.language.language_of`` reads of a recipient fetched as values."""

    language: str


@dataclass(frozen=True)
class FanOut:
    created: int = 0
    immediate: int = 0  # of them, e-mails to send at once (``tasks.send_immediate_emails``)


def notifications_fan_out(*, event: Event) -> FanOut:
    """Create the notifications ``event`` calls for; returns how many were new.

    Idempotent: ``(event id, recipient)`` is unique and the insert ignores conflicts, so a
    redelivered event creates nothing twice. Nobody is told about their own action, an inactive
    account is told nothing, and a person who may not see the subject is dropped. The e-mail copy
    of each is queued at once (``Notification.Email.IMMEDIATE``), for the next digest, or not at
    all, from the person's preferences; immediate ones are sent by a separate task.
    A bounded number of queries whatever the number of recipients (one bulk insert).
    """
    targets = recipients.resolve(event)
    targets.pop(event.actor_id, None)
    if not targets:
        return FanOut()
    people = _people(set(targets))
    allowed = visibility.who_may_see(event, people)
    group_name = _group_name(event)
    subject = event.subject or {}
    # Each recipient reads it in their own language: one wording per kind and language.
    wording: dict[tuple[str, str], tuple[str, str]] = {}
    rows = []
    for user_id, kind in targets.items():
        if user_id not in allowed:
            continue
        row = people[user_id]
        web, email = kinds.channels(kind, row["notification_preference__kinds"])
        frequency = row["notification_preference__email"] or Preference.Email.IMMEDIATE
        if frequency == Preference.Email.OFF or not email:
            route = Notification.Email.NONE
        elif frequency == Preference.Email.IMMEDIATE:
            route = Notification.Email.IMMEDIATE
        else:
            route = Notification.Email.DIGEST
        if not web and route == Notification.Email.NONE:
            continue
        language = language_of(_Person(row["language"]))
        if (kind, language) not in wording:
            with translation.override(language):
                wording[kind, language] = kinds.describe(event, kind, group_name)
        title, body = wording[kind, language]
        rows.append(
            Notification(
                recipient_id=user_id,
                event_id=event.id,
                event=event.name,
                kind=kind,
                title=title,
                body=body,
                url=event.url,
                actor_id=event.actor_id,
                subject_type=subject.get("type", ""),
                subject_ref=subject.get("ref", ""),
                web=web,
                created_at=event.occurred_at,
                email=route,
            )
        )
    if not rows:
        return FanOut()
    # ignore_conflicts returns no ids: the count before and after tells how many were new (a
    # concurrent duplicate of this task may blur the figure, never the rows).
    mine = Notification.objects.filter(event_id=event.id)
    before = mine.count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    created = mine.count() - before
    immediate = sum(r.email == Notification.Email.IMMEDIATE for r in rows) if created else 0
    return FanOut(created, immediate)


def _follow_all(user_ids, subject_type: str, ref: str) -> None:
    Follow.objects.bulk_create(
        [
            Follow(user_id=u, subject_type=subject_type, subject_ref=ref, automatic=True)
            for u in user_ids
        ],
        ignore_conflicts=True,
    )


def auto_follow(*, event: Event) -> None:
    """Authors follow the proposals they write; a dataset's owner and maintainers follow it.
    Idempotent (the follow is unique per person and subject); an unfollow sticks until the next
    such event."""
    p = event.payload
    if event.name == "proposal.created":
        ids = [a["id"] for a in p.get("authors") or [] if isinstance(a, dict) and a.get("id")]
        _follow_all(ids, SubjectType.PROPOSAL, f"{p['group']}/{p['number']}")
    elif event.name == "dataset.created":
        slug = p["dataset"]
        if Dataset.objects.filter(slug=slug).exists():
            _follow_all(recipients.dataset_people(slug), SubjectType.DATASET, slug)
    elif event.name == "dataset.maintainers_changed" and p.get("added"):
        slug = p["dataset"]
        added = set(User.objects.filter(username__in=p["added"]).values_list("pk", flat=True))
        _follow_all(added & recipients.dataset_people(slug), SubjectType.DATASET, slug)
