"""E-mail: immediate messages and digests. Each notification is e-mailed at most once.

Both work in small transactions that lock the rows they send (``select_for_update`` with
``skip_locked``, so a concurrent duplicate of the task skips what another is sending) and mark
them sent in the same transaction. A redelivered task finds them sent and sends nothing. If the
process dies in the middle of a batch, the batch rolls back and is sent again by the redelivery:
at most one batch can repeat, and only after such a crash.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Invalid

from ..channels import email as channel
from ..models import Digest, Notification, Preference

User = get_user_model()

BATCH = 50


def emails_send_immediate(*, event_id: str) -> int:
    """Send the immediate e-mails of one event's notifications; returns how many went."""
    sent = 0
    connection = get_connection()
    with connection:
        while True:
            with transaction.atomic():
                batch = list(
                    Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(event_id=event_id, email=Notification.Email.IMMEDIATE)
                    .select_related("recipient")
                    .order_by("pk")[:BATCH]
                )
                if not batch:
                    return sent
                with_address = [n for n in batch if n.recipient.email]
                connection.send_messages([channel.notification_message(n) for n in with_address])
                now = timezone.now()
                Notification.objects.filter(pk__in=[n.pk for n in with_address]).update(
                    email=Notification.Email.SENT, emailed_at=now
                )
                Notification.objects.filter(
                    pk__in=[n.pk for n in batch if not n.recipient.email]
                ).update(email=Notification.Email.SKIPPED)
                sent += len(with_address)


def digest_period(frequency: str, now: datetime) -> str:
    """The period a digest sent at ``now`` covers: ``2025-06-02`` or ``2025-W23`` (local)."""
    local = timezone.localtime(now)
    if frequency == Preference.Email.DAILY:
        return local.date().isoformat()
    if frequency == Preference.Email.WEEKLY:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    raise Invalid(_("A digest is daily or weekly."), errors={"frequency": [_("daily or weekly.")]})


def digests_send(*, frequency: str, now: datetime | None = None) -> int:
    """Send this period's ``frequency`` digest to everyone who has notifications waiting for
    one; returns how many digests went. One digest per person and period (a unique row), so a
    second run in the same period (a redelivery, a manual run) sends nothing new; each digest
    lists only notifications never e-mailed before."""
    now = now or timezone.now()
    period = digest_period(frequency, now)
    # Daily digests also carry what was queued for a digest before someone switched to
    # immediate e-mail, so nothing waits forever.
    frequencies = [frequency] + ([Preference.Email.IMMEDIATE] if frequency == "daily" else [])
    waiting = Notification.objects.filter(email=Notification.Email.DIGEST, created_at__lte=now)
    user_ids = list(
        waiting.filter(recipient__notification_preference__email__in=frequencies)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    sent = 0
    connection = get_connection()
    with connection:
        for user_id in user_ids:
            sent += _send_one_digest(user_id, frequency, period, now, connection)
    return sent


def _send_one_digest(user_id: int, frequency: str, period: str, now, connection) -> int:
    try:
        digest, _ = Digest.objects.get_or_create(
            user_id=user_id, frequency=frequency, period=period
        )
    except IntegrityError:  # created meanwhile by a concurrent run
        digest = Digest.objects.get(user_id=user_id, frequency=frequency, period=period)
    with transaction.atomic():
        # The digest's row lock serialises concurrent runs for this person and period.
        digest = Digest.objects.select_for_update().get(pk=digest.pk)
        if digest.sent_at is not None:
            return 0
        items = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(recipient_id=user_id, email=Notification.Email.DIGEST, created_at__lte=now)
            .order_by("-created_at", "-pk")
        )
        user = User.objects.get(pk=user_id)
        if not items:
            return 0
        if not user.email:
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                email=Notification.Email.SKIPPED
            )
            return 0
        connection.send_messages([channel.digest_message(user, items, frequency=frequency)])
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(
            email=Notification.Email.SENT, emailed_at=timezone.now(), digest=digest
        )
        digest.sent_at, digest.count = timezone.now(), len(items)
        digest.save(update_fields=["sent_at", "count"])
    return 1
