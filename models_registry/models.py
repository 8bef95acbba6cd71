"""Models, their immutable versions, each version's files and training lineage.

Writes go through ``services.py``. A version is immutable once registered: only its status and
the release record (set by a governance decision) change afterwards.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from datasets_registry.access import OwnedAndMaintained


class ModelQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Model.Visibility.PUBLIC)

    def visible_to(self, user):
        """Public models, plus private ones the user owns or maintains (all for staff)."""
        if user is not None and user.is_authenticated:
            if user.is_staff:
                return self.all()
            maintains = Model.maintainers.through.objects.filter(
                model_id=OuterRef("pk"), user_id=user.pk
            )
            return self.filter(
                Q(visibility=Model.Visibility.PUBLIC) | Q(owner=user) | Exists(maintains)
            )
        return self.public()

    def search(self, text: str):
        text = (text or "").strip()
        q = Q()
        for word in text.split()[:8]:
            q &= Q(name__icontains=word) | Q(slug__icontains=word) | Q(summary__icontains=word)
        return self.filter(q)


class Model(OwnedAndMaintained, models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text=_("Markdown."))
    group = models.ForeignKey(
        "governance.WorkingGroup",
        on_delete=models.PROTECT,
        related_name="models",
        help_text=_("The working group whose committers vote on its releases."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_models"
    )
    maintainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="maintained_models"
    )
    license = models.CharField(max_length=200, help_text=_("An SPDX licence expression."))
    standard_version = models.ForeignKey(
        "datasets_registry.StandardVersion", on_delete=models.PROTECT, related_name="models"
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ModelQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["visibility", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("models_registry:model_detail", kwargs={"slug": self.slug})


class ModelVersion(models.Model):
    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        IN_RED_TEAM = "in_red_team", _("In red team")
        RELEASED = "released", _("Released")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Written once; only status and the release record change afterwards.
    CONTENT_FIELDS = (
        "version",
        "manifest",
        "manifest_sha256",
        "checks",
        "tensors",
        "card",
        "card_body",
        "base_model_id",
    )

    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=64, help_text=_("Semantic version, e.g. 0.1.0-alpha.1."))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    manifest = models.JSONField(
        default=list,
        # Translators: a JSON shape; keep it as it is.
        help_text=_("[{path, role, size, sha256, verified, url}]"),
    )
    manifest_sha256 = models.CharField(max_length=64, db_index=True)
    checks = models.JSONField(
        default=dict,
        # Translators: a JSON shape; keep it as it is.
        help_text=_('{"passed": bool, "issues": [...]}'),
    )
    tensors = models.JSONField(
        default=dict,
        # Translators: a JSON shape; keep it as it is.
        help_text=_("{path: {count, parameters, dtypes}}"),
    )
    card = models.JSONField(default=dict, blank=True)
    card_body = models.TextField(blank=True, help_text=_("Markdown."))
    base_model = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="fine_tunes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The release, recorded by an accepted ``model_release`` decision (governance ids, as the
    # registry keeps its standard adoptions).
    release_proposal_id = models.BigIntegerField(null=True, blank=True, editable=False)
    release_decision_id = models.BigIntegerField(null=True, blank=True, editable=False)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["model", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["model", "version"], name="one_model_version_label")
        ]

    def __str__(self) -> str:
        return f"{self.model.slug}@{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values(*self.CONTENT_FIELDS).first()
            if stored and any(stored[f] != getattr(self, f) for f in self.CONTENT_FIELDS):
                raise ValueError(f"{self} is immutable; register a new version instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "models_registry:version_detail",
            kwargs={"slug": self.model.slug, "version": self.version},
        )

    @property
    def ref(self) -> str:
        return f"{self.model.slug}@{self.version}"

    @property
    def decision(self):
        if not self.release_decision_id:
            return None
        from governance.models import Decision

        return Decision.objects.with_proposal().filter(pk=self.release_decision_id).first()


def model_file_path(instance: ModelFile, filename: str) -> str:
    """``models/<slug>/<version>/<random>-<name>``: never the client's path, never a clash."""
    name = get_valid_filename(instance.path.rsplit("/", 1)[-1])[-100:] or "file"
    label = get_valid_filename(instance.version.version) or "v"
    return f"models/{instance.version.model.slug}/{label}/{uuid.uuid4().hex[:12]}-{name}"


class ModelFile(models.Model):
    class Role(models.TextChoices):
        WEIGHTS = "weights", _("Weights")
        CONFIG = "config", _("Configuration")
        FINETUNE_SCRIPT = "finetune_script", _("Fine-tuning script")
        DOCS = "docs", _("Documentation")
        OTHER = "other", _("Other")

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=300)
    role = models.CharField(max_length=20, choices=Role.choices)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    verified = models.BooleanField(
        help_text=_("True: uploaded and hashed while it streamed. False: declared (external URL).")
    )
    url = models.URLField(max_length=1000, blank=True)
    file = models.FileField(upload_to=model_file_path, max_length=500, blank=True)

    class Meta:
        ordering = ["version", "path"]
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="one_model_file_path")
        ]

    def __str__(self) -> str:
        return f"{self.version}:{self.path}"


class TrainingData(models.Model):
    """One dataset version a model version was trained on, with the sha256 it was named by."""

    version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="training_data"
    )
    dataset_version = models.ForeignKey(
        "datasets_registry.DatasetVersion", on_delete=models.PROTECT, related_name="trained_models"
    )
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["version", "pk"]
        verbose_name_plural = _("training data")
        constraints = [
            models.UniqueConstraint(fields=["version", "dataset_version"], name="one_training_link")
        ]

    def __str__(self) -> str:
        return f"{self.version} ← {self.dataset_version}"


class ReleasePolicy(models.Model):
    """What a working group's charter asks of its model releases: the decision rule (majority
    of all by default; a group may require two thirds of all). The red team's severity
    threshold (issue 14) belongs here too."""

    class Rule(models.TextChoices):
        MAJORITY_OF_ALL = "majority_of_all", _("Majority of all voting members")
        TWO_THIRDS_OF_ALL = "two_thirds_of_all", _("Two thirds of all voting members")

    group = models.OneToOneField(
        "governance.WorkingGroup", on_delete=models.CASCADE, related_name="release_policy"
    )
    rule = models.CharField(max_length=40, choices=Rule.choices, default=Rule.MAJORITY_OF_ALL)

    class Meta:
        verbose_name_plural = _("release policies")

    def __str__(self) -> str:
        return f"Release policy of {self.group}"
