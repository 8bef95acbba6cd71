"""What the notifications app stores: notifications (the inbox and the e-mail queue), each
person's preferences, follows, digests, the once-only vote reminders, and webhooks with their
deliveries and attempts.

Subjects are named the way events name them, ``(type, ref)``: ``("proposal", "steering/7")``,
``("dataset", "laion-pop")``. The app never holds a foreign key into a subject, so it needs no
change when another app adds a kind of subject.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubjectType(models.TextChoices):
    GROUP = "group", _("Working group")
    PROPOSAL = "proposal", _("Proposal")
    DATASET = "dataset", _("Dataset")
    SURVEY = "survey", _("Survey")
    STANDARD = "standard", _("Standard")


class NotificationQuerySet(models.QuerySet):
    def inbox(self, user):
        """What ``user`` sees on the site (a kind turned off for the web is e-mail only)."""
        return self.filter(recipient=user, web=True)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One person told about one event, once: ``(event_id, recipient)`` is unique, so a
    redelivered event adds nothing. ``email`` is where the e-mail copy stands."""

    class Email(models.TextChoices):
        NONE = "none", _("No e-mail")
        IMMEDIATE = "immediate", _("Waiting to be sent at once")
        DIGEST = "digest", _("Waiting for the next digest")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent (e-mail turned off meanwhile)")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event_id = models.CharField(max_length=32)
    event = models.CharField(max_length=80, help_text=_("The event's name."))
    kind = models.CharField(max_length=80, help_text=_("The event's name, or `mention`."))
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_type = models.CharField(max_length=30, blank=True)
    subject_ref = models.CharField(max_length=200, blank=True)
    web = models.BooleanField(default=True, help_text=_("Shown in the inbox and the bell."))
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "recipient"], name="one_notification_per_event_and_person"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["email", "recipient"], name="notif_email_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How a person wants to be told. ``kinds`` holds only the overrides of the defaults
    (``notifications.kinds``): ``{"comment.created": {"email": false}}``."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DAILY = "daily", _("A daily digest")
        WEEKLY = "weekly", _("A weekly digest")
        OFF = "off", _("Never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.IMMEDIATE)
    kinds = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user_id}"


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    subject_type = models.CharField(max_length=30, choices=SubjectType.choices)
    subject_ref = models.CharField(max_length=200)
    automatic = models.BooleanField(
        default=False, help_text=_("Made for an author or a maintainer, not by a click.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["subject_type", "subject_ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subject_type", "subject_ref"], name="one_follow_per_subject"
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_ref"], name="follow_subject")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.subject_type} {self.subject_ref}"

    @property
    def subject_url(self) -> str:
        return subject_path(self.subject_type, self.subject_ref)


def subject_path(subject_type: str, ref: str) -> str:
    """The site path of a subject, from its name alone (the apps' URL layout)."""
    if subject_type == SubjectType.PROPOSAL:
        slug, _, number = ref.rpartition("/")
        return f"/groups/{slug}/proposals/{number}/"
    prefix = {
        SubjectType.GROUP: "groups",
        SubjectType.DATASET: "datasets",
        SubjectType.SURVEY: "surveys",
        SubjectType.STANDARD: "standards",
    }.get(subject_type, "")
    return f"/{prefix}/{ref}/" if prefix else "/"


class Digest(models.Model):
    """One digest e-mail: one per person, frequency and period (``2025-06-02``, ``2025-W23``),
    so a redelivered or repeated beat task never sends a second one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=10)
    period = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="one_digest_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest {self.period} for {self.user_id}"


class VoteReminder(models.Model):
    """``vote.closing_soon`` was published for this proposal: it is published once."""

    proposal = models.OneToOneField(
        "governance.Proposal", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reminder for proposal {self.proposal_id}"


class Webhook(models.Model):
    """A URL told about events: a group's (set up by its chairs, for the group's public events)
    or the site's (``group`` empty, set up by staff, for every public event).

    The secret is stored encrypted (``notifications.secrets``) with a key that is not in the
    database; the API shows it once, when it is made."""

    class Format(models.TextChoices):
        GENERIC = "generic", _("Generic JSON")
        DISCORD = "discord", _("Discord")
        SLACK = "slack", _("Slack (and Matrix through its Slack-compatible bridges)")

    group = models.ForeignKey(
        "governance.WorkingGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    url = models.URLField(max_length=2000)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.GENERIC)
    events = models.JSONField(default=list, help_text=_("Event names or patterns such as vote.*."))
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Webhook {self.pk} ({self.format})"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


class Delivery(models.Model):
    """One event sent to one webhook, under one ``delivery`` id that every retry repeats.
    ``body`` is the exact bytes signed and sent, so every attempt sends the same thing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed (gave up)")
        CANCELLED = "cancelled", _("Cancelled (webhook disabled or removed)")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=32)
    event = models.CharField(max_length=80)
    delivery = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_id"], name="one_delivery_per_event_and_webhook"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} to webhook {self.webhook_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per attempt, with what the receiver answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempt = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "attempt"], name="one_row_per_attempt"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.attempt} of delivery {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
