"""The site's channel: the bell's count and the inbox's pages (reads only)."""

from __future__ import annotations

from typing import Any

from ..models import Notification

BELL_MAX = 99


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.inbox(user).unread().count()


def bell_label(count: int) -> str:
    """What the bell shows: ``3``, or ``99+`` past 99."""
    return f"{BELL_MAX}+" if count > BELL_MAX else str(count)
