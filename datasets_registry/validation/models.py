"""Validation runs of caption files, their chunks and a sample of their issues.

The database, not the broker, is the source of truth for a run: each chunk's result is stored on
its (run, index) row, so a redelivered task never counts twice; chunks are claimed with a lease by
a conditional update; the full report lives in storage, a sample of issues per rule here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ValidationRunQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ValidationRun.ACTIVE)


class ValidationRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    DONE = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    version = models.ForeignKey(
        "datasets_registry.DatasetVersion", on_delete=models.CASCADE, related_name="validation_runs"
    )
    standard_version = models.ForeignKey(
        "datasets_registry.StandardVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rules = models.JSONField(default=dict, help_text=_("The effective rule set, as run."))
    column_mapping = models.JSONField(default=dict, blank=True)
    file_issues = models.JSONField(
        default=list, blank=True, help_text=_("Issues about the file as a whole (missing columns).")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.BigIntegerField(default=0)
    rows_total = models.BigIntegerField(null=True, blank=True)
    chunk_count = models.IntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    issue_count = models.BigIntegerField(default=0)
    # The triple this run checked: which bytes, against which rules, with which engine.
    dataset_sha256 = models.CharField(max_length=64)
    standard_sha256 = models.CharField(max_length=64, blank=True)
    engine_version = models.CharField(max_length=20)
    error = models.TextField(blank=True)
    report = models.FileField(max_length=500, blank=True)
    # Per block of the report (a gzip member each): byte offset, lines, issues per rule. Lets a
    # page of the issues be read without decompressing the report up to it.
    report_index = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When a task last touched the run (coordinator, finaliser): the sweeper re-sends stalled steps.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ValidationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["version", "-created_at"], name="validation_run_version"),
            models.Index(fields=["status"], name="validation_run_status"),
        ]

    def __str__(self) -> str:
        return f"validation run {self.pk} of {self.version_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(100 * self.rows_done / self.rows_total))

    @property
    def by_rule(self) -> dict[str, int]:
        return (self.counts or {}).get("by_rule", {})

    @property
    def by_severity(self) -> dict[str, int]:
        return {"error": 0, "warning": 0, **(self.counts or {}).get("by_severity", {})}

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def duration_seconds(self) -> float | None:
        duration = self.duration
        return duration.total_seconds() if duration is not None else None


class ValidationChunk(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    run = models.ForeignKey(ValidationRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.IntegerField()
    spec = models.JSONField(
        help_text=_("What to read: a byte range, row groups or the whole file.")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.IntegerField(default=0)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    rows = models.BigIntegerField(default=0)
    result = models.JSONField(null=True, blank=True, help_text=_("Counts per rule, rows read."))
    issues_file = models.CharField(max_length=500, blank=True)
    hashes_file = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="one_chunk_per_index"),
        ]
        indexes = [
            models.Index(fields=["status", "lease_expires_at"], name="validation_chunk_lease")
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of run {self.run_id} ({self.status})"


class IssueSample(models.Model):
    """The first issues of each rule, kept for the web page (the full list is the report)."""

    run = models.ForeignKey(ValidationRun, on_delete=models.CASCADE, related_name="samples")
    rule = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    row = models.BigIntegerField()
    message = models.TextField()
    value = models.TextField(blank=True)
    span = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["run", "row", "rule", "pk"]
        indexes = [models.Index(fields=["run", "rule", "row"], name="validation_sample_rule")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.rule}"
