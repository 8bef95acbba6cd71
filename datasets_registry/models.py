"""Metadata standards, their versions, datasets and their (immutable) versions.

Writes go through ``services.py``; these models only guard the invariants that must hold whoever
writes (a proposed standard version's content never changes; a dataset version is never updated).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.canonical import sha256_of

from .access import OwnedAndMaintained

SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
# A dataset version label: short, URL-safe, no path separators (it appears in URLs and paths).
VERSION_LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")


def semver_key(version: str) -> tuple:
    """Sort key for semantic versions (pre-releases before their release)."""
    match = SEMVER_RE.match(version or "")
    if not match:
        return (0, 0, 0, 0, version)
    major, minor, patch, pre, _build = match.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


class MetadataStandard(models.Model):
    class Kind(models.TextChoices):
        DATASET = "dataset", _("Dataset metadata")
        MODEL = "model", _("Model card and weight files")

    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.DATASET,
        help_text=_(
            "What the standard describes: datasets (card + caption rules) or models "
            "(model card + artifact rules for weight files)."
        ),
    )
    name = models.CharField(max_length=200)
    group = models.ForeignKey(
        "governance.WorkingGroup",
        on_delete=models.PROTECT,
        related_name="standards",
        help_text=_("The working group whose chairs edit drafts and whose members adopt versions."),
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("datasets_registry:standard_detail", kwargs={"slug": self.slug})

    @property
    def adopted_version(self) -> StandardVersion | None:
        return self.versions.filter(status=StandardVersion.Status.ADOPTED).first()


class StandardVersionQuerySet(models.QuerySet):
    def adopted(self):
        return self.filter(status=StandardVersion.Status.ADOPTED)


class StandardVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed for adoption")
        ADOPTED = "adopted", _("Adopted")
        DEPRECATED = "deprecated", _("Deprecated")

    # The fields that make up the content: frozen once the version leaves draft.
    CONTENT_FIELDS = ("version", "schema", "rules", "artifact_rules", "changelog")

    standard = models.ForeignKey(
        MetadataStandard, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.CharField(max_length=64, help_text=_("Semantic version, e.g. 1.2.0."))
    schema = models.JSONField(
        default=dict, help_text=_("JSON Schema (2020-12) for dataset metadata.")
    )
    rules = models.JSONField(default=dict, blank=True, help_text=_("Caption rule set."))
    artifact_rules = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "Model standards: rules for weight files (metadata_schema over the safetensors "
            "__metadata__, allowed_dtypes, max_tensors, max_parameters)."
        ),
    )
    changelog = models.TextField(blank=True, help_text="Markdown.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    sha256 = models.CharField(max_length=64, editable=False)
    # Governance may be migrated independently of us, so the proposal and decision are kept by id;
    # ``decision`` / ``proposal`` below resolve them.
    proposal_id = models.BigIntegerField(null=True, blank=True, editable=False)
    decision_id = models.BigIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    proposed_at = models.DateTimeField(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    deprecated_at = models.DateTimeField(null=True, blank=True)

    objects = StandardVersionQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "version"], name="one_version_label"),
            # At most one adopted version per standard: adoption deprecates the previous one.
            models.UniqueConstraint(
                fields=["standard"], condition=Q(status="adopted"), name="one_adopted_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.slug}@{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("status", "sha256", *self.CONTENT_FIELDS)
                .first()
            )
            if (
                stored
                and stored["status"] != self.Status.DRAFT
                and any(stored[f] != getattr(self, f) for f in self.CONTENT_FIELDS)
            ):
                raise ValueError(
                    f"{self}: the content of a {stored['status']} version is immutable."
                )
        self.sha256 = self.compute_sha256()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "datasets_registry:standard_version",
            kwargs={"slug": self.standard.slug, "version": self.version},
        )

    @property
    def ref(self) -> str:
        return f"{self.standard.slug}@{self.version}"

    def content(self) -> dict[str, Any]:
        content = {
            "standard": self.standard.slug,
            "version": self.version,
            "schema": self.schema,
            "rules": self.rules,
            "changelog": self.changelog,
        }
        # Only model standards have artifact rules; dataset versions keep the hash they had.
        if self.artifact_rules:
            content["artifact_rules"] = self.artifact_rules
        return content

    def compute_sha256(self) -> str:
        return sha256_of(self.content())

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def decision(self):
        if not self.decision_id:
            return None
        from django.apps import apps

        try:
            model = apps.get_model("governance", "Decision")
        except LookupError:
            return None
        return model.objects.filter(pk=self.decision_id).first()

    @property
    def proposal(self):
        if not self.proposal_id:
            return None
        from django.apps import apps

        try:
            model = apps.get_model("governance", "Proposal")
        except LookupError:
            return None
        return model.objects.filter(pk=self.proposal_id).first()


class DatasetQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Dataset.Visibility.PUBLIC)

    def visible_to(self, user):
        """Public datasets, plus private ones the user owns or maintains (all of them for staff).

        A subquery rather than a join on maintainers, so a dataset never appears twice.
        """
        if user is not None and user.is_authenticated:
            if user.is_staff:
                return self.all()
            maintains = Dataset.maintainers.through.objects.filter(
                dataset_id=OuterRef("pk"), user_id=user.pk
            )
            return self.filter(
                Q(visibility=Dataset.Visibility.PUBLIC) | Q(owner=user) | Exists(maintains)
            )
        return self.public()

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        q = Q()
        for word in text.split()[:8]:
            q &= (
                Q(name__icontains=word)
                | Q(slug__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
            )
        return self.filter(q)


class Dataset(OwnedAndMaintained, models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DEPRECATED = "deprecated", pgettext_lazy("dataset status", "Deprecated")
        WITHDRAWN = "withdrawn", pgettext_lazy("dataset status", "Withdrawn")

    class CorpusStatus(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        ACCEPTED = "accepted", _("Accepted into the corpus")
        EXCLUDED = "excluded", _("Excluded from the corpus")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_datasets"
    )
    maintainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="maintained_datasets"
    )
    license = models.CharField(max_length=200, help_text=_("An SPDX licence expression."))
    homepage = models.URLField(max_length=500, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="datasets"
    )
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    corpus_status = models.CharField(
        max_length=20, choices=CorpusStatus.choices, default=CorpusStatus.CANDIDATE
    )
    # The version whose acceptance (or exclusion) was decided, and the decision, by id.
    corpus_version = models.ForeignKey(
        "DatasetVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corpus_decision_id = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["visibility", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("datasets_registry:dataset_detail", kwargs={"slug": self.slug})

    def can_manage_maintainers(self, user) -> bool:
        """Only the owner (and staff) choose who maintains a dataset."""
        return bool(
            user is not None
            and user.is_authenticated
            and (user.is_staff or user.pk == self.owner_id)
        )


def dataset_file_path(instance: DatasetVersion, filename: str) -> str:
    """``datasets/<slug>/<version>/<random>-<name>``: never the client's path, never a clash."""
    name = get_valid_filename(filename.rsplit("/", 1)[-1])[-100:] or "captions"
    label = get_valid_filename(instance.version) or "v"
    return f"datasets/{instance.dataset.slug}/{label}/{uuid.uuid4().hex[:12]}-{name}"


class DatasetVersion(models.Model):
    class Format(models.TextChoices):
        JSONL = "jsonl", _("JSON Lines")
        CSV = "csv", "CSV"
        TSV = "tsv", _("TSV")
        PARQUET = "parquet", _("Parquet")

    class Compression(models.TextChoices):
        NONE = "", _("None")
        GZIP = "gzip", _("gzip")
        ZSTD = "zstd", _("Zstandard")

    # What a download is served as (``media_type``); the schema lists the same.
    FORMAT_MEDIA_TYPES = {
        "jsonl": "application/jsonlines",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "parquet": "application/vnd.apache.parquet",
    }
    MEDIA_TYPES = ("application/gzip", "application/zstd", *FORMAT_MEDIA_TYPES.values())

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=64)
    file = models.FileField(upload_to=dataset_file_path, max_length=500)
    original_filename = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices)
    compression = models.CharField(
        max_length=10, choices=Compression.choices, default="", blank=True
    )
    size = models.BigIntegerField(help_text=_("Bytes, as stored."))
    sha256 = models.CharField(
        max_length=64, help_text=_("Of the file as stored (computed on upload).")
    )
    row_count = models.BigIntegerField(null=True, blank=True)
    column_mapping = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(
        default=list, blank=True, help_text=_("Column names found in the file.")
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dataset", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="one_dataset_version_label")
        ]

    def __str__(self) -> str:
        return f"{self.dataset.slug}@{self.version}"

    def save(self, *args, **kwargs):
        # Immutable: a version is written once. Corrections are a new version.
        if self.pk and not self._state.adding:
            raise ValueError(f"{self} is immutable; upload a new version instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "datasets_registry:version_detail",
            kwargs={"slug": self.dataset.slug, "version": self.version},
        )

    def get_download_url(self) -> str:
        return reverse(
            "datasets_registry:version_download",
            kwargs={"slug": self.dataset.slug, "version": self.version},
        )

    @property
    def media_type(self) -> str:
        if self.compression == self.Compression.GZIP:
            return "application/gzip"
        if self.compression == self.Compression.ZSTD:
            return "application/zstd"
        return self.FORMAT_MEDIA_TYPES[self.format]

    @property
    def filename(self) -> str:
        ext = {"jsonl": "jsonl", "csv": "csv", "tsv": "tsv", "parquet": "parquet"}[self.format]
        ext += {"": "", "gzip": ".gz", "zstd": ".zst"}[self.compression]
        return f"{self.dataset.slug}-{self.version}.{ext}"
