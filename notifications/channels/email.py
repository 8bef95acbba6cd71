"""E-mail: one message per notification or one digest of many, each with a signed unsubscribe
link (no log-in) and the ``List-Unsubscribe`` headers of RFC 2369 and RFC 8058, in text and
HTML. Sending goes through Django's ``EMAIL_BACKEND`` (console, file, SMTP)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import ngettext

from accounts.language import speaking_to

from ..kinds import KINDS
from ..models import Notification

SALT = "notifications.unsubscribe"


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + (path if path.startswith("/") else f"/{path}")


def unsubscribe_token(user_id: int, kind: str = "") -> str:
    """A signed, URL-safe token naming the person (and the kind, for a per-kind opt-out). It
    does not expire: an unsubscribe link in an old e-mail must still work."""
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """``(user id, kind)``; raises ``signing.BadSignature`` for a forged or damaged token."""
    data = signing.loads(token, salt=SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Malformed unsubscribe token.")
    return data["u"], str(data.get("k") or "")


def unsubscribe_url(user_id: int, kind: str = "") -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, kind)]))


def _headers(user_id: int, kind: str) -> dict[str, str]:
    return {
        # Mail clients show their own "unsubscribe" button from these, and a one-click POST to the
        # same URL unsubscribes without a page (RFC 8058).
        "List-Unsubscribe": f"<{unsubscribe_url(user_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "X-OMI-Kind": kind,
    }


def notification_message(n: Notification) -> EmailMultiAlternatives:
    """The e-mail for one notification (its recipient loaded), in the recipient's language."""
    with speaking_to(n.recipient):
        return _notification_message(n)


def _notification_message(n: Notification) -> EmailMultiAlternatives:
    context = {
        "n": n,
        "url": absolute(n.url),
        "kind_label": str(KINDS[n.kind].label) if n.kind in KINDS else n.kind,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "unsubscribe_url": unsubscribe_url(n.recipient_id),
        "unsubscribe_kind_url": unsubscribe_url(n.recipient_id, n.kind),
        "SITE_NAME": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {n.title}"[:250],
        body=render_to_string("notifications/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.recipient.email],
        headers=_headers(n.recipient_id, n.kind),
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    return message


def _digest_subject(frequency: str, count: int) -> str:
    values = {"count": count, "frequency": frequency}
    if frequency == "daily":
        return (
            ngettext(
                "Your daily digest: %(count)s notification",
                "Your daily digest: %(count)s notifications",
                count,
            )
            % values
        )
    if frequency == "weekly":
        return (
            ngettext(
                "Your weekly digest: %(count)s notification",
                "Your weekly digest: %(count)s notifications",
                count,
            )
            % values
        )
    return (
        ngettext(
            "Your %(frequency)s digest: %(count)s notification",
            "Your %(frequency)s digest: %(count)s notifications",
            count,
        )
        % values
    )


def digest_message(
    user: Any, items: Sequence[Notification], *, frequency: str
) -> EmailMultiAlternatives:
    """One digest e-mail listing ``items`` (newest first), in ``user``'s language."""
    with speaking_to(user):
        return _digest_message(user, items, frequency=frequency)


def _digest_message(
    user: Any, items: Sequence[Notification], *, frequency: str
) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "items": [(n, absolute(n.url)) for n in items],
        "frequency": frequency,
        "inbox_url": absolute(reverse("notifications:inbox")),
        "preferences_url": absolute(reverse("notifications:preferences")),
        "unsubscribe_url": unsubscribe_url(user.pk),
        "SITE_NAME": settings.SITE_NAME,
    }
    count = len(items)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {_digest_subject(frequency, count)}",
        body=render_to_string("notifications/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=_headers(user.pk, "digest"),
    )
    message.attach_alternative(
        render_to_string("notifications/email/digest.html", context), "text/html"
    )
    return message
