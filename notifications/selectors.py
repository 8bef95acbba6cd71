"""Reads: what the pages and the API list, scoped to the person asking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from governance import roles
from governance.models import WorkingGroup

from . import kinds
from .models import DeliveryAttempt, Follow, Notification, SubjectType, Webhook


def bell_poll_seconds() -> int:
    return settings.NOTIFICATIONS_BELL_POLL_SECONDS


def kind_label(kind: str) -> str:
    return kinds.KINDS[kind].label if kind in kinds.KINDS else ""


def notifications_for(user: Any, *, unread_only: bool = False):
    qs = Notification.objects.inbox(user).select_related("actor")
    return qs.unread() if unread_only else qs


def follows_of(user: Any):
    return Follow.objects.filter(user=user).order_by("subject_type", "subject_ref")


def is_following(user: Any, subject_type: str, ref: str) -> bool:
    return Follow.objects.filter(user=user, subject_type=subject_type, subject_ref=ref).exists()


def webhooks_url_for(user: Any, subject_type: str, ref: str) -> str:
    """The webhook page of a group, for its chairs (shown beside the group's follow button)."""
    if subject_type != SubjectType.GROUP or not getattr(user, "is_authenticated", False):
        return ""
    group = WorkingGroup.objects.filter(slug=ref).first()
    if group is None or not roles.is_chair(user, group):
        return ""
    return reverse("notifications:group_webhooks", kwargs={"slug": ref})


def webhooks_of(group: WorkingGroup | None):
    qs = Webhook.objects.select_related("group")
    return qs.filter(group=group) if group else qs.filter(group__isnull=True)


def webhooks_visible_to(user: Any):
    """Every webhook ``user`` manages: their groups', and the site's for staff."""
    qs = Webhook.objects.select_related("group")
    if user.is_staff:
        return qs.filter(group__isnull=True) | qs.filter(group__in=roles.chaired_groups(user))
    return qs.filter(group__in=roles.chaired_groups(user))


def delivery_log(hook: Webhook):
    return (
        DeliveryAttempt.objects.filter(delivery__webhook=hook)
        .select_related("delivery")
        .order_by("-pk")
    )


def webhooks_page(group: WorkingGroup | None) -> str:
    if group is None:
        return reverse("notifications:site_webhooks")
    return reverse("notifications:group_webhooks", kwargs={"slug": group.slug})


def webhook_page(hook: Webhook) -> str:
    if hook.group_id is None:
        return reverse("notifications:site_webhook", kwargs={"pk": hook.pk})
    return reverse("notifications:group_webhook", kwargs={"slug": hook.group.slug, "pk": hook.pk})
