"""Red-team campaigns on model versions, their invitations, findings, history and evidence.

Writes go through ``services.py``. A finding is visible to its reporter and the campaign's triage
team (the model group's chairs and the named triagers) until it is disclosed; to everyone else it
does not exist (``FindingQuerySet.visible_to``), except for its number, severity, status, time
and commitment, which are public from the moment it is filed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .taxonomy import CATEGORY_CHOICES, SEVERITY_CHOICES


class RedTeamSettings(models.Model):
    """A working group's release-gate threshold: unresolved findings at or above it block."""

    group = models.OneToOneField(
        "governance.WorkingGroup", on_delete=models.CASCADE, related_name="redteam_settings"
    )
    threshold = models.CharField(max_length=10, choices=SEVERITY_CHOICES, default="high")

    class Meta:
        verbose_name_plural = _("red-team settings")

    def __str__(self) -> str:
        return f"{self.group}: {self.threshold}"


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        from models_registry.models import Model

        return self.filter(version__model__in=Model.objects.visible_to(user))


class Campaign(models.Model):
    class Participation(models.TextChoices):
        INVITED = "invited", _("Invited people")
        MEMBERS = "members", _("Members of the group")
        SIGNED_IN = "signed_in", _("Anyone signed in")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", pgettext_lazy("campaign status", "Open")
        CLOSED = "closed", pgettext_lazy("campaign status", "Closed")

    version = models.ForeignKey(
        "models_registry.ModelVersion", on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(max_length=200)
    scope = models.TextField(help_text=_("Markdown: in scope, out of scope, evidence to give."))
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    participation = models.CharField(
        max_length=10, choices=Participation.choices, default=Participation.INVITED
    )
    disclosure_days = models.PositiveIntegerField(default=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    triagers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="triaged_campaigns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("redteam:campaign_detail", kwargs={"pk": self.pk})

    @property
    def group_id(self) -> int:
        return self.version.model.group_id


class Invitation(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="redteam_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.campaign}"


class FindingQuerySet(models.QuerySet):
    def disclosed(self):
        return self.filter(status=Finding.Status.DISCLOSED)

    def triaged_by(self, user):
        """Findings whose triage team includes ``user``: the model group's chairs, the
        campaign's named triagers."""
        from governance.models import WorkingGroup

        if user is None or not user.is_authenticated:
            return self.none()
        named = Campaign.triagers.through.objects.filter(
            campaign_id=OuterRef("campaign_id"), user_id=user.pk
        )
        chaired = WorkingGroup.objects.chaired_by(user).values("pk")
        return self.filter(Q(Exists(named)) | Q(campaign__version__model__group__in=chaired))

    def visible_to(self, user):
        """Disclosed findings (of models the user may see), plus those the user reported or
        triages. Nobody else, staff included, sees an embargoed finding."""
        campaigns = Campaign.objects.visible_to(user).values("pk")
        scoped = self.filter(campaign__in=campaigns)
        if user is None or not user.is_authenticated:
            return scoped.disclosed()
        triaged = self.triaged_by(user).values("pk")
        return scoped.filter(
            Q(status=Finding.Status.DISCLOSED) | Q(reporter=user) | Q(pk__in=triaged)
        )


class Finding(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("finding status", "New")
        TRIAGED = "triaged", pgettext_lazy("finding status", "Triaged")
        CONFIRMED = "confirmed", pgettext_lazy("finding status", "Confirmed")
        DUPLICATE = "duplicate", pgettext_lazy("finding status", "Duplicate")
        NOT_APPLICABLE = "not_applicable", pgettext_lazy("finding status", "Not applicable")
        MITIGATED = "mitigated", pgettext_lazy("finding status", "Mitigated")
        WONT_FIX = "wont_fix", pgettext_lazy("finding status", "Won't fix")
        DISCLOSED = "disclosed", pgettext_lazy("finding status", "Disclosed")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="findings")
    number = models.PositiveIntegerField()
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redteam_findings"
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    proposed_severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    description = models.TextField(help_text=_("Markdown."))
    reproduction = models.JSONField(default=dict)
    manifest_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    # The status before disclosure (what it was resolved as).
    resolution = models.CharField(max_length=20, choices=Status.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    fixed_in = models.ForeignKey(
        "models_registry.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fixed_findings",
    )
    wont_fix_reason = models.TextField(blank=True)
    decision_id = models.BigIntegerField(null=True, blank=True)
    # Commit and reveal: ``commitment = sha256(canonical_json({"content": content, "salt": salt}))``.
    content = models.JSONField(default=dict, editable=False)
    salt = models.CharField(max_length=64, editable=False)
    commitment = models.CharField(max_length=64, unique=True, editable=False)
    filed_at = models.DateTimeField(default=timezone.now)
    triaged_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    disclose_after = models.DateTimeField(null=True, blank=True)
    disclosed_at = models.DateTimeField(null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="one_finding_number"),
            models.CheckConstraint(
                condition=~Q(status="disclosed") | Q(disclosed_at__isnull=False),
                name="disclosed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "disclose_after"])]

    def __str__(self) -> str:
        return f"Finding #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("redteam:finding_detail", kwargs={"pk": self.pk})

    @property
    def is_disclosed(self) -> bool:
        return self.status == self.Status.DISCLOSED


class FindingEvent(models.Model):
    """One line of a finding's history, numbered: ``(finding, seq)`` is unique, so two
    concurrent writers can never both add line n."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="history")
    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20)  # filed, transition, severity, evidence
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    from_severity = models.CharField(max_length=10, blank=True)
    to_severity = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["finding", "seq"]
        constraints = [models.UniqueConstraint(fields=["finding", "seq"], name="one_history_line")]

    def __str__(self) -> str:
        return f"{self.finding} #{self.seq}: {self.to_status}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"redteam-private/{instance.finding.campaign_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """An image attached at filing, stored under a random name and served only by the view
    that checks who may see the finding (never from MEDIA_URL)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=evidence_path, max_length=300)

    class Meta:
        ordering = ["finding", "pk"]

    def __str__(self) -> str:
        return f"{self.finding}: {self.name}"
