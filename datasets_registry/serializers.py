"""API input and output shapes: the contract API clients rely on (README "The API",
docs/registry.md): extend them, never rename a field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from config.openapi import ErrorOutput  # noqa: F401  (the one error shape; imported from here too)

from .files import COMPRESSIONS, FORMATS
from .models import Dataset, DatasetVersion, MetadataStandard, StandardVersion


def _abs(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- standards ---------------------------------------------------------------------------------


class StandardVersionSummary(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = StandardVersion
        fields = ["version", "status", "sha256", "url"]

    def get_url(self, obj) -> str:
        return _abs(
            self.context.get("request"),
            reverse(
                "api-standard-version",
                kwargs={"slug": obj.standard.slug, "version": obj.version},
            ),
        )


class StandardOutput(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    adopted_version = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = MetadataStandard
        fields = [
            "slug",
            "name",
            "kind",
            "group",
            "description",
            "adopted_version",
            "url",
            "web_url",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_adopted_version(self, obj) -> str | None:
        # Uses the prefetched versions: no query per standard.
        adopted = [v for v in obj.versions.all() if v.status == StandardVersion.Status.ADOPTED]
        return adopted[0].version if adopted else None

    def get_url(self, obj) -> str:
        return _abs(
            self.context.get("request"), reverse("api-standard-detail", kwargs={"slug": obj.slug})
        )

    def get_web_url(self, obj) -> str:
        return _abs(self.context.get("request"), obj.get_absolute_url())


class StandardDetailOutput(StandardOutput):
    versions = serializers.SerializerMethodField()

    class Meta(StandardOutput.Meta):
        fields = [*StandardOutput.Meta.fields, "versions"]

    @extend_schema_field(StandardVersionSummary(many=True))
    def get_versions(self, obj):
        return StandardVersionSummary(obj.versions.all(), many=True, context=self.context).data


class StandardVersionOutput(serializers.ModelSerializer):
    standard = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    schema = serializers.JSONField(help_text=_("JSON Schema (2020-12) for dataset metadata."))
    rules = serializers.JSONField(help_text=_("Caption rule set (see the rule-set JSON Schema)."))
    artifact_rules = serializers.JSONField(
        help_text=_("Model standards: rules for weight files (docs/models.md); {} otherwise.")
    )
    decision_id = serializers.IntegerField(read_only=True, allow_null=True)
    proposal_id = serializers.IntegerField(read_only=True, allow_null=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = StandardVersion
        fields = [
            "standard",
            "version",
            "status",
            "schema",
            "rules",
            "artifact_rules",
            "sha256",
            "changelog",
            "proposal_id",
            "decision_id",
            "created_at",
            "proposed_at",
            "adopted_at",
            "deprecated_at",
            "web_url",
        ]

    def get_web_url(self, obj) -> str:
        return _abs(self.context.get("request"), obj.get_absolute_url())


# --- datasets ----------------------------------------------------------------------------------


class DatasetInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    license = serializers.CharField(max_length=200, help_text=_("An SPDX licence expression."))
    standard = serializers.CharField(
        help_text=_("The adopted standard version, as slug@version (e.g. omi-dataset-card@1.0.0).")
    )
    metadata = serializers.JSONField(
        required=False, default=dict, help_text=_("Validated against the standard's JSON Schema.")
    )
    visibility = serializers.ChoiceField(
        choices=Dataset.Visibility.choices, default=Dataset.Visibility.PUBLIC
    )
    homepage = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")


class DatasetPatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    license = serializers.CharField(max_length=200, required=False)
    standard = serializers.CharField(required=False)
    metadata = serializers.JSONField(required=False)
    visibility = serializers.ChoiceField(choices=Dataset.Visibility.choices, required=False)
    homepage = serializers.URLField(max_length=500, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Dataset.Status.choices, required=False)


class DatasetOutput(serializers.ModelSerializer):
    """A dataset's card. The declared fields are the schema; the card itself is built by
    ``dataset_cards`` from plain column values, for one dataset and for a page of them alike
    (a list page builds 50 of them, and DRF's generic fields cost 20 times as much)."""

    owner = serializers.CharField(read_only=True, help_text=_("The owner's username."))
    maintainers = serializers.ListField(child=serializers.CharField(), read_only=True)
    standard = serializers.CharField(read_only=True, help_text=_("slug@version"))
    version_count = serializers.IntegerField(read_only=True)
    url = serializers.CharField(read_only=True)
    web_url = serializers.CharField(read_only=True)
    versions_url = serializers.CharField(read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "slug",
            "name",
            "summary",
            "description",
            "owner",
            "maintainers",
            "license",
            "homepage",
            "visibility",
            "standard",
            "metadata",
            "status",
            "corpus_status",
            "version_count",
            "created_at",
            "updated_at",
            "url",
            "web_url",
            "versions_url",
        ]

    def to_representation(self, instance) -> dict[str, Any]:
        row = {path: _path_value(instance, path) for path in CARD_FIELDS}
        if getattr(instance, "version_count", None) is None:
            row["version_count"] = instance.versions.count()
        maintainers = {instance.pk: [user.username for user in instance.maintainers.all()]}
        return dataset_cards([row], maintainers, self.context.get("request"))[0]


# What a card is read from: the ``values()`` of a dataset (``version_count`` is the annotation of
# ``selectors.datasets_for``).
CARD_FIELDS = (
    "pk",
    "slug",
    "name",
    "summary",
    "description",
    "owner__username",
    "license",
    "homepage",
    "visibility",
    "standard_version__standard__slug",
    "standard_version__version",
    "metadata",
    "status",
    "corpus_status",
    "version_count",
    "created_at",
    "updated_at",
)
_TIMESTAMP = serializers.DateTimeField()
_SLUG = "0slug0"


def _path_value(instance, path: str):
    value = instance
    for name in path.split("__"):
        value = getattr(value, name, None)
    return value


class _Link:
    """An absolute URL with a dataset's slug in it: the route reversed once per page."""

    def __init__(self, request, path: str):
        self.head, _, self.tail = _abs(request, path).partition(_SLUG)

    def __call__(self, slug: str) -> str:
        return f"{self.head}{slug}{self.tail}"


def dataset_cards(
    rows: list[dict[str, Any]], maintainers: dict[int, list[str]], request
) -> list[dict[str, Any]]:
    """The cards of ``rows`` (``values(*CARD_FIELDS)`` of datasets), in their order.

    ``maintainers`` maps a dataset's pk to its maintainers' usernames.
    """
    slug = {"slug": _SLUG}
    url = _Link(request, reverse("api-dataset-detail", kwargs=slug))
    web_url = _Link(request, reverse("datasets_registry:dataset_detail", kwargs=slug))
    versions_url = _Link(request, reverse("api-dataset-version-list", kwargs=slug))
    return [
        {
            "slug": row["slug"],
            "name": row["name"],
            "summary": row["summary"],
            "description": row["description"],
            "owner": row["owner__username"],
            "maintainers": sorted(maintainers.get(row["pk"], ())),
            "license": row["license"],
            "homepage": row["homepage"],
            "visibility": row["visibility"],
            "standard": (
                f"{row['standard_version__standard__slug']}@{row['standard_version__version']}"
            ),
            "metadata": row["metadata"],
            "status": row["status"],
            "corpus_status": row["corpus_status"],
            "version_count": row["version_count"] or 0,
            "created_at": _TIMESTAMP.to_representation(row["created_at"]),
            "updated_at": _TIMESTAMP.to_representation(row["updated_at"]),
            "url": url(row["slug"]),
            "web_url": web_url(row["slug"]),
            "versions_url": versions_url(row["slug"]),
        }
        for row in rows
    ]


class DatasetVersionInput(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service refuses an empty file with its own message
        use_url=False,
        required=False,
        help_text=_("The caption file (multipart). Hashed by the server as it streams."),
    )
    upload_id = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Instead of file: the id of a completed resumable upload (/api/v1/uploads/)."),
    )
    version = serializers.CharField(max_length=64, help_text=_("A label unique in the dataset."))
    format = serializers.ChoiceField(
        choices=FORMATS, required=False, allow_blank=True, help_text=_("Detected when left out.")
    )
    compression = serializers.ChoiceField(
        choices=[c for c in COMPRESSIONS if c],
        required=False,
        allow_blank=True,
        help_text=_("gzip or zstd; detected from the file's magic bytes when left out."),
    )
    sha256 = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Your sha256 of the file; a mismatch is a 400."),
    )
    caption_column = serializers.CharField(required=False, allow_blank=True)
    image_column = serializers.CharField(required=False, allow_blank=True)
    license_column = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class DatasetVersionOutput(serializers.ModelSerializer):
    dataset = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    croissant_url = serializers.SerializerMethodField()
    validation_url = serializers.SerializerMethodField()

    class Meta:
        model = DatasetVersion
        fields = [
            "dataset",
            "version",
            "sha256",
            "size",
            "format",
            "compression",
            "row_count",
            "column_mapping",
            "columns",
            "original_filename",
            "notes",
            "created_by",
            "created_at",
            "url",
            "web_url",
            "download_url",
            "croissant_url",
            "validation_url",
        ]

    def _path(self, obj, name: str) -> str:
        return _abs(
            self.context.get("request"),
            reverse(name, kwargs={"slug": obj.dataset.slug, "version": obj.version}),
        )

    def get_url(self, obj) -> str:
        return self._path(obj, "api-dataset-version-detail")

    def get_web_url(self, obj) -> str:
        return _abs(self.context.get("request"), obj.get_absolute_url())

    def get_download_url(self, obj) -> str:
        return self._path(obj, "api-dataset-version-download")

    def get_croissant_url(self, obj) -> str:
        return self._path(obj, "api-dataset-version-croissant")

    def get_validation_url(self, obj) -> str:
        # Served by the caption validation app, under this version's API address.
        return self.get_url(obj) + "validation/"
