"""Celery tasks: thin, idempotent, each calling one service.

``handle_event`` and ``dispatch_webhooks`` take the event as ``Event.as_dict()`` (sent by the
subscribers after the publishing transaction committed); the others take ids. Every write they
make is keyed so that a redelivered message changes nothing (see each service).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from config.events import Event

from . import services
from .services import webhooks as webhook_services

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.handle_event")
def handle_event(event: dict) -> int:
    """Automatic follows, then the event's notifications; returns how many were created."""
    e = Event.from_dict(event)
    services.auto_follow(event=e)
    result = services.notifications_fan_out(event=e)
    if result.immediate:
        send_immediate_emails.delay(e.id)
    return result.created


@shared_task(name="notifications.tasks.send_immediate_emails", bind=True, max_retries=5)
def send_immediate_emails(self, event_id: str) -> int:
    """E-mail one event's immediate notifications; a failing mail server is retried later."""
    try:
        return services.emails_send_immediate(event_id=event_id)
    except OSError as exc:  # SMTP down: nothing was marked sent for the failed batch
        raise self.retry(exc=exc, countdown=60 * (2**self.request.retries)) from exc


@shared_task(name="notifications.tasks.send_digests")
def send_digests() -> int:
    """Beat task (hourly): at ``NOTIFICATIONS_DIGEST_HOUR`` send the daily digests, and on
    ``NOTIFICATIONS_DIGEST_WEEKDAY`` the weekly ones too. One digest per person and period, so
    a repeated run in the same hour sends nothing twice."""
    now = timezone.localtime()
    if now.hour != settings.NOTIFICATIONS_DIGEST_HOUR:
        return 0
    sent = services.digests_send(frequency="daily", now=now)
    if now.weekday() == settings.NOTIFICATIONS_DIGEST_WEEKDAY:
        sent += services.digests_send(frequency="weekly", now=now)
    return sent


@shared_task(name="notifications.tasks.dispatch_webhooks")
def dispatch_webhooks(event: dict) -> int:
    """Turn a public event into deliveries and send each one (a task per delivery)."""
    ids = services.webhook_deliveries_for_event(event=Event.from_dict(event))
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)


@shared_task(name="notifications.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> None:
    """One attempt; a failure schedules the next one with exponential backoff (same delivery
    id, same body). The claim in ``delivery_attempt`` makes a duplicate message harmless."""
    wait = services.delivery_attempt(delivery_id=delivery_id)
    if wait is not None:
        deliver_webhook.apply_async((delivery_id,), countdown=wait)


@shared_task(name="notifications.tasks.sweep_webhook_deliveries")
def sweep_webhook_deliveries() -> int:
    """Beat task (every minute): re-send deliveries whose retry message was lost."""
    ids = list(webhook_services.due_deliveries())
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)


@shared_task(name="notifications.tasks.remind_closing_votes")
def remind_closing_votes() -> int:
    """Beat task (every 5 minutes): ``vote.closing_soon``, once per vote."""
    return services.votes_remind_closing()
