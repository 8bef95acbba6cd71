"""Webhooks: setting them up (a group's chairs, or staff for the whole site), turning a public
event into deliveries, and one delivery attempt with its log, backoff and automatic disabling.
"""

from __future__ import annotations

import fnmatch
import random
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config import events
from config.errors import Invalid, NotAllowed
from config.events import Event
from governance import roles
from governance.models import WorkingGroup

from .. import kinds, secrets
from ..channels import email as email_channel
from ..channels import webhooks as channel
from ..models import Delivery, DeliveryAttempt, Webhook

TEST_EVENT = "webhook.test"
MAX_EVENTS = 100


# --- Permissions and input --------------------------------------------------------------------


def require_manager(actor: Any, group: WorkingGroup | None, action: str | None = None) -> None:
    """A group's webhooks are its chairs'; the site's (no group) are staff's."""
    roles.require_user(actor)
    action = action or _("manage webhooks")
    if group is not None:
        roles.require_chair(actor, group, action)
    elif not actor.is_staff:
        raise NotAllowed(_("Only staff may %(action)s for the whole site.") % {"action": action})


def public_event_names() -> list[str]:
    return [t.name for t in events.catalogue() if t.public]


def _clean_events(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise Invalid(
            _("Choose the events to send."),
            errors={"events": [_('A list of event names or patterns, e.g. ["vote.*"].')]},
        )
    if len(value) > MAX_EVENTS:
        raise Invalid(
            _("Too many events."), errors={"events": [_("At most %(max)s.") % {"max": MAX_EVENTS}]}
        )
    names = public_event_names()
    errors: dict[str, list[str]] = {}
    clean: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            errors[f"events.{index}"] = [_("An event name or pattern (a string).")]
            continue
        item = item.strip()
        if not any(fnmatch.fnmatchcase(n, item) for n in names):
            errors[f"events.{index}"] = [
                _("%(name)s matches no public event; see the event catalogue in the docs.")
                % {"name": repr(item)}
            ]
            continue
        if item not in clean:
            clean.append(item)
    if errors:
        raise Invalid(_("Some events are unknown."), errors=errors)
    return clean


def _clean_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_("Give the webhook's URL."), errors={"url": [_("Required.")]})
    url = value.strip()
    if len(url) > 2000:
        raise Invalid(_("The URL is too long."), errors={"url": [_("At most 2000 characters.")]})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise Invalid(
            _("The URL is not valid."), errors={"url": [_("Enter a valid http(s) URL.")]}
        ) from None
    reason = channel.check_url(url)
    if reason:
        raise Invalid(
            _("The URL cannot be used: %(reason)s") % {"reason": reason}, errors={"url": [reason]}
        )
    return url


def _clean_format(value: Any) -> str:
    if value not in Webhook.Format.values:
        raise Invalid(
            _("Unknown format."),
            errors={
                "format": [_("One of %(values)s.") % {"values": ", ".join(Webhook.Format.values)}]
            },
        )
    return value


def _clean_secret(value: Any) -> str:
    if value is None or value == "":
        return secrets.generate()
    if not isinstance(value, str) or not 16 <= len(value) <= 200:
        raise Invalid(
            _("The secret must be 16 to 200 characters."),
            errors={"secret": [_("16 to 200 characters, or leave it out to get one.")]},
        )
    return value


def _payload(hook: Webhook, **extra: Any) -> dict[str, Any]:
    return {
        "webhook": hook.pk,
        "group": hook.group.slug if hook.group_id else None,
        "host": hook.host,
        "format": hook.format,
        "events": list(hook.events),
        **extra,
    }


def _publish(name: str, hook: Webhook, *, actor: Any = None, **extra: Any) -> None:
    events.publish(
        name,
        _payload(hook, **extra),
        actor=actor,
        group=hook.group_id,
        url=hook_url(hook),
        subject={"type": "group", "ref": hook.group.slug} if hook.group_id else None,
    )


def hook_url(hook: Webhook) -> str:
    if hook.group_id:
        return f"/notifications/groups/{hook.group.slug}/webhooks/{hook.pk}/"
    return f"/notifications/webhooks/{hook.pk}/"


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username}


# --- Writes -----------------------------------------------------------------------------------


def webhook_create(
    *,
    actor: Any,
    group: WorkingGroup | None,
    url: Any,
    format: Any = Webhook.Format.GENERIC,
    events_: Any,
    secret: Any = None,
) -> tuple[Webhook, str]:
    """Set up a webhook; returns it and its secret (the only time the secret is readable).
    Publishes ``webhook.created`` (not public: it names only the host)."""
    require_manager(actor, group, _("set up webhooks"))
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, cleaner, value in (
        ("url", _clean_url, url),
        ("format", _clean_format, format or Webhook.Format.GENERIC),
        ("events", _clean_events, events_),
        ("secret", _clean_secret, secret),
    ):
        try:
            clean[name] = cleaner(value)
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid(_("The webhook is not valid."), errors=errors)
    with transaction.atomic():
        hook = Webhook.objects.create(
            group=group,
            url=clean["url"],
            format=clean["format"],
            events=clean["events"],
            secret_encrypted=secrets.encrypt(clean["secret"]),
            created_by=actor,
        )
        _publish("webhook.created", hook, actor=actor, by=_person(actor))
    return hook, clean["secret"]


def webhook_update(
    *,
    webhook: Webhook,
    actor: Any,
    url: Any = None,
    format: Any = None,
    events_: Any = None,
    secret: Any = None,
    rotate_secret: bool = False,
    active: Any = None,
) -> tuple[Webhook, str | None]:
    """Change a webhook; returns it and its new secret when one was set (else None). Turning a
    disabled webhook back on clears its failure count. Publishes ``webhook.updated``."""
    require_manager(actor, webhook.group)
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, cleaner, value in (
        ("url", _clean_url, url),
        ("format", _clean_format, format),
        ("events", _clean_events, events_),
    ):
        if value is not None:
            try:
                changes[name] = cleaner(value)
            except Invalid as exc:
                errors.update(exc.errors)
    new_secret = None
    if secret is not None or rotate_secret:
        try:
            new_secret = _clean_secret(None if rotate_secret else secret)
        except Invalid as exc:
            errors.update(exc.errors)
    if active is not None and not isinstance(active, bool):
        errors["active"] = [_("Must be true or false.")]
    if errors:
        raise Invalid(_("The webhook is not valid."), errors=errors)
    with transaction.atomic():
        # of=("self",): the group is the nullable side of an outer join, which PostgreSQL
        # cannot lock (and need not: only the webhook changes).
        hook = (
            Webhook.objects.select_for_update(of=("self",))
            .select_related("group")
            .get(pk=webhook.pk)
        )
        changed = []
        for name, value in changes.items():
            if getattr(hook, name) != value:
                setattr(hook, name, value)
                changed.append(name)
        if new_secret is not None:
            hook.secret_encrypted = secrets.encrypt(new_secret)
            changed.append("secret")
        if active is not None and active != hook.active:
            hook.active = active
            if active:
                hook.consecutive_failures, hook.disabled_reason = 0, ""
            changed.append("active")
        if changed:
            hook.updated_at = timezone.now()
            hook.save()
            _publish("webhook.updated", hook, actor=actor, changed=changed, by=_person(actor))
    return hook, new_secret


def webhook_delete(*, webhook: Webhook, actor: Any) -> None:
    """Remove a webhook with its delivery log. Publishes ``webhook.deleted``."""
    require_manager(actor, webhook.group)
    with transaction.atomic():
        _publish("webhook.deleted", webhook, actor=actor, by=_person(actor))
        webhook.delete()


# --- From events to deliveries ---------------------------------------------------------------


def _group_slug(event: Event) -> str | None:
    slug = event.payload.get("group")
    if isinstance(slug, str):
        return slug
    if event.group_id is None:
        return None
    return WorkingGroup.objects.filter(pk=event.group_id).values_list("slug", flat=True).first()


def _matches(hook: Webhook, name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in hook.events or [])


def _delivery(hook: Webhook, event: Event, group: str | None, title: str, summary: str) -> Delivery:
    delivery_id = uuid.uuid4()
    body = channel.body_for(
        hook.format,
        event=event.as_dict(),
        delivery=str(delivery_id),
        group=group,
        url=email_channel.absolute(event.url or "/"),
        title=title,
        summary=summary,
    )
    return Delivery(
        webhook=hook, event_id=event.id, event=event.name, delivery=delivery_id, body=body
    )


def _hooks_hearing(event: Event) -> list[Webhook]:
    if not event.public:
        return []
    hooks = Webhook.objects.filter(active=True).filter(
        Q(group__isnull=True) | Q(group_id=event.group_id)
    )
    return [h for h in hooks if _matches(h, event.name)]


def webhooks_hear(event: Event) -> bool:
    """Whether any active webhook hears ``event`` now: one query, so that the request that
    published it hands the broker nothing when none does (most events, on most sites)."""
    return bool(_hooks_hearing(event))


def webhook_deliveries_for_event(*, event: Event) -> list[int]:
    """Make one delivery per matching active webhook for a *public* event (a group's webhooks
    hear the group's events, the site's hear every public event) and return the ids still to
    send. Idempotent: ``(webhook, event id)`` is unique, so a redelivered event adds nothing and
    an already sent delivery is not returned again."""
    hooks = _hooks_hearing(event)
    if not hooks:
        return []
    group = _group_slug(event)
    group_name = (
        WorkingGroup.objects.filter(slug=group).values_list("name", flat=True).first()
        if group
        else ""
    )
    # Chat rooms and receivers are shared: they read the site's default language.
    with translation.override(settings.LANGUAGE_CODE):
        title, summary = kinds.headline(event, group_name or "")
    Delivery.objects.bulk_create(
        [_delivery(h, event, group, title, summary) for h in hooks], ignore_conflicts=True
    )
    return list(
        Delivery.objects.filter(
            event_id=event.id, webhook__in=hooks, status=Delivery.Status.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )


def webhook_send_test(*, webhook: Webhook, actor: Any) -> Delivery:
    """Queue a ``webhook.test`` delivery (sent like any other, with retries)."""
    require_manager(actor, webhook.group)
    now = timezone.now()
    event = Event(
        name=TEST_EVENT,
        payload={"message": "A test event from OMI Commons.", "by": _person(actor)},
        id=uuid.uuid4().hex,
        occurred_at=now,
        actor_id=actor.pk,
        group_id=webhook.group_id,
        url=hook_url(webhook),
    )
    delivery = _delivery(
        webhook,
        event,
        webhook.group.slug if webhook.group_id else None,
        "Test event from OMI Commons",
        f"Sent by @{actor.username} to check this webhook.",
    )
    delivery.save()
    return delivery


# --- One attempt ------------------------------------------------------------------------------


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): exponential from
    ``WEBHOOK_RETRY_BASE_SECONDS`` (30 s, 1, 2, 4 ... 32 min), with ±10 % jitter so retries of
    many deliveries do not arrive together."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS * (2 ** (attempt - 1))
    return base * random.uniform(0.9, 1.1)


def _headers(delivery: Delivery, secret: str, body: str) -> dict[str, str]:
    return {
        "X-OMI-Event": delivery.event,
        "X-OMI-Delivery": str(delivery.delivery),
        "X-OMI-Signature-256": channel.signature(secret, body.encode()),
    }


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> float | None:
    """Make the next attempt of a pending delivery; returns the seconds until the next attempt
    when it should be retried, else None (succeeded, gave up, or nothing to do).

    The attempt is claimed with a conditional UPDATE under a lease, so two workers (a
    redelivered message, the sweeper) never send the same attempt twice, and a delivery that
    succeeded is never sent again. Each attempt is logged with its status code and time. After
    ``WEBHOOK_MAX_ATTEMPTS`` the delivery gives up; after ``WEBHOOK_DISABLE_AFTER_FAILURES``
    failed attempts in a row the webhook is turned off and ``webhook.disabled`` tells the chairs.
    """
    now = now or timezone.now()
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * (channel.MAX_REDIRECTS + 1) + 30)
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + lease, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None
    delivery = Delivery.objects.select_related("webhook__group").get(pk=delivery_id)
    hook = delivery.webhook
    if not hook.active:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.CANCELLED, finished_at=now, lease_until=None
        )
        return None
    try:
        secret = secrets.decrypt(hook.secret_encrypted)
    except secrets.SecretUnreadable as exc:
        result = channel.Result(None, 0, str(exc))
    else:
        result = channel.post(hook.url, delivery.body, _headers(delivery, secret, delivery.body))
    DeliveryAttempt.objects.create(
        delivery=delivery,
        attempt=delivery.attempts,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        error=result.error[:500],
    )
    finished = timezone.now()
    if result.ok:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SUCCEEDED, finished_at=finished, lease_until=None
        )
        Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
        return None
    _count_failure(hook, result.error)
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, finished_at=finished, lease_until=None
        )
        return None
    wait = backoff(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=finished + timedelta(seconds=wait), lease_until=None
    )
    return wait


def _count_failure(hook: Webhook, error: str) -> None:
    Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    failures = (
        Webhook.objects.filter(pk=hook.pk).values_list("consecutive_failures", flat=True).first()
    )
    if failures is None or failures < settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        return
    with transaction.atomic():
        # Only the attempt that flips ``active`` announces it.
        reason = f"Turned off after {failures} failed deliveries in a row; last: {error}"[:300]
        if Webhook.objects.filter(pk=hook.pk, active=True).update(
            active=False, disabled_reason=reason, updated_at=timezone.now()
        ):
            hook.refresh_from_db()
            _publish("webhook.disabled", hook, failures=failures, last_error=error[:200])
            Delivery.objects.filter(webhook=hook, status=Delivery.Status.PENDING).exclude(
                lease_until__gt=timezone.now()
            ).update(status=Delivery.Status.CANCELLED, finished_at=timezone.now())


def due_deliveries(now: datetime | None = None, limit: int = 500) -> Iterable[int]:
    """Pending deliveries whose next attempt is overdue by a minute and that nobody holds: their
    message was lost (a broker restart); the sweeper sends them again."""
    now = now or timezone.now()
    return (
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lt=now - timedelta(minutes=1)
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", flat=True)
        .order_by("next_attempt_at")[:limit]
    )
