"""An upload in progress: the offset the server vouches for, and what became of the bytes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UploadQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def holding_space(self):
        """Uploads whose bytes are on disk and count against their owner's quota."""
        return self.filter(status__in=Upload.LIVE)

    def past_expiry(self, now=None):
        """Receiving or complete uploads whose time is up (one being used is left alone)."""
        return self.filter(
            status__in=(Upload.Status.RECEIVING, Upload.Status.COMPLETE),
            expires_at__lt=now or timezone.now(),
        )


class Upload(models.Model):
    class Status(models.TextChoices):
        RECEIVING = "receiving", _("Receiving bytes")
        COMPLETE = "complete", _("Complete, not yet used")
        # Being turned into a dataset version right now (claimed by one request).
        CONSUMING = "consuming", _("Being used")
        CONSUMED = "consumed", _("Used")
        TERMINATED = "terminated", _("Deleted by the uploader")
        EXPIRED = "expired", _("Expired")

    LIVE = (Status.RECEIVING, Status.COMPLETE, Status.CONSUMING)
    ENDED = (Status.CONSUMED, Status.TERMINATED, Status.EXPIRED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resumable_uploads"
    )
    length = models.PositiveBigIntegerField(help_text=_("Upload-Length: the whole file, in bytes."))
    offset = models.PositiveBigIntegerField(
        default=0, help_text=_("Bytes received, synced to disk and acknowledged.")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVING)
    filename = models.CharField(max_length=255, blank=True)
    metadata = models.JSONField(default=dict, blank=True, help_text=_("Upload-Metadata, decoded."))
    metadata_header = models.TextField(
        blank=True, help_text=_("Upload-Metadata exactly as sent (HEAD echoes it).")
    )
    sha256 = models.CharField(max_length=64, blank=True)
    used_for = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="resumable_status_expiry"),
            models.Index(fields=["user", "status"], name="resumable_user_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offset__lte=models.F("length")),
                name="resumable_offset_within_length",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename or 'upload'} ({self.offset:,}/{self.length:,} bytes, {self.status})"

    def get_absolute_url(self) -> str:
        return reverse("api-upload-detail", kwargs={"upload_id": self.pk})

    @property
    def is_complete(self) -> bool:
        return self.offset == self.length
