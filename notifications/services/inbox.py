"""Marking notifications read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Invalid

from ..models import Notification

MAX_IDS = 500


def notifications_mark_read(
    *, user: Any, ids: Iterable[int] | None = None, everything: bool = False
) -> int:
    """Mark ``user``'s notifications read: those in ``ids``, or all unread ones when
    ``everything``. Returns how many changed; ids of other people's notifications, or already
    read ones, are ignored (one conditional UPDATE, so two tabs marking at once count once)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if not everything:
        ids = list(ids or [])
        if not ids:
            raise Invalid(_("Give the ids to mark read, or all."), errors={"ids": [_("Required.")]})
        if len(ids) > MAX_IDS:
            raise Invalid(
                _("At most %(max)s ids at a time.") % {"max": MAX_IDS},
                errors={"ids": [_("At most %(max)s.") % {"max": MAX_IDS}]},
            )
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
