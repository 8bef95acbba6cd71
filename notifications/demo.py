"""Demo notifications: while ``seed_demo`` runs, the demo's events are fanned out at once (in
the seeding process, not through the broker), so the bell shows unread notifications on the
first page load of ``make run``, before any worker has started. The demo people get daily
digests (no e-mail flood on the console), and a few follows are made.

Idempotent: a rerun publishes no event for parts that exist, and follows are unique.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from . import services, subscribers
from .models import Preference

FOLLOWS = [
    ("demo-observer", "group", "steering-committee"),
    ("demo-observer", "group", "datasets-captioning"),
    ("demo-committer1", "group", "metadata-standards"),
]


@contextlib.contextmanager
def told_at_once(*, people) -> Iterator[None]:
    """Fan the demo's events out in this process while the block runs."""
    for user in people.values():
        Preference.objects.get_or_create(user=user, defaults={"email": Preference.Email.DAILY})
    token = subscribers.INLINE.set(True)
    try:
        yield
    finally:
        subscribers.INLINE.reset(token)


def seed(*, people, stdout=None) -> None:
    made = 0
    for username, subject_type, ref in FOLLOWS:
        user = people.get(username)
        if user is None:
            continue
        try:
            _, created = services.follow_add(user=user, subject_type=subject_type, ref=ref)
        except services.NotFound:
            continue  # that part of the demo is not there
        made += created
    if stdout:
        unread = sum(
            user.notifications.filter(read_at__isnull=True).count() for user in people.values()
        )
        stdout.write(f"  notifications: {unread} unread for the demo people, {made} new follows")
