from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import ValidationRun


class ProgressSerializer(serializers.Serializer):
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField(allow_null=True)


class CheckedSerializer(serializers.Serializer):
    dataset_sha256 = serializers.CharField()
    standard_sha256 = serializers.CharField()
    engine_version = serializers.CharField()


class ValidationRunSerializer(serializers.ModelSerializer):
    """A run as docs/captions.md ("API") lists it, plus links and the standard version it
    checked."""

    progress = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    checked = serializers.SerializerMethodField()
    standard = serializers.SerializerMethodField()
    issues_url = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = ValidationRun
        fields = [
            "id",
            "status",
            "progress",
            "counts",
            "issue_count",
            "checked",
            "standard",
            "column_mapping",
            "created_at",
            "started_at",
            "finished_at",
            "error",
            "issues_url",
            "report_url",
        ]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, run) -> dict:
        return {"rows_done": run.rows_done, "rows_total": run.rows_total}

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "by_rule": {"type": "object", "additionalProperties": {"type": "integer"}},
                "by_severity": {
                    "type": "object",
                    "properties": {"error": {"type": "integer"}, "warning": {"type": "integer"}},
                },
            },
        }
    )
    def get_counts(self, run) -> dict:
        return {"by_rule": run.by_rule, "by_severity": run.by_severity}

    @extend_schema_field(CheckedSerializer)
    def get_checked(self, run) -> dict:
        return {
            "dataset_sha256": run.dataset_sha256,
            "standard_sha256": run.standard_sha256,
            "engine_version": run.engine_version,
        }

    def get_standard(self, run) -> str | None:
        sv = run.standard_version
        return f"{sv.standard.slug}@{sv.version}" if sv is not None else None

    def _url(self, run, name: str) -> str:
        version = run.version
        path = reverse(name, kwargs={"slug": version.dataset.slug, "version": version.version})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_issues_url(self, run) -> str:
        return self._url(run, "api-validation-issues")

    def get_report_url(self, run) -> str | None:
        return self._url(run, "api-validation-report") if run.report else None


class IssueSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("Row number, from 1 in file order; 0 for the file."))
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()
    value = serializers.CharField(allow_blank=True, help_text=_("An excerpt of the caption."))
