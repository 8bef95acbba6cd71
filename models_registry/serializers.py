"""API shapes of the models registry (the contract of issue 13: extend, never rename)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from . import gate
from .models import Model, ModelVersion


class ModelInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=80, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    license = serializers.CharField(max_length=200)
    group = serializers.CharField(help_text=_("The working group's slug."))
    standard = serializers.CharField(help_text=_('A model standard, "slug@version" (adopted).'))
    visibility = serializers.ChoiceField(
        choices=Model.Visibility.choices, required=False, default=Model.Visibility.PUBLIC
    )


class ModelPatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    license = serializers.CharField(max_length=200, required=False)
    visibility = serializers.ChoiceField(choices=Model.Visibility.choices, required=False)


class ModelVersionSummary(serializers.ModelSerializer):
    checks_passed = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = ["version", "status", "checks_passed", "created_at", "url"]

    def get_checks_passed(self, obj) -> bool:
        return bool((obj.checks or {}).get("passed"))

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = reverse(
            "api-model-version-detail", kwargs={"slug": obj.model.slug, "version": obj.version}
        )
        return request.build_absolute_uri(path) if request else path


class ModelOutput(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    maintainers = serializers.SlugRelatedField(slug_field="username", read_only=True, many=True)
    standard = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Model
        fields = [
            "slug",
            "name",
            "summary",
            "description",
            "license",
            "group",
            "standard",
            "visibility",
            "owner",
            "maintainers",
            "versions",
            "created_at",
            "updated_at",
            "url",
            "web_url",
        ]

    def get_standard(self, obj) -> str:
        return obj.standard_version.ref

    @extend_schema_field(ModelVersionSummary(many=True))
    def get_versions(self, obj):
        versions = list(obj.versions.all())
        for v in versions:
            v.model = obj  # no query per version
        return ModelVersionSummary(versions, many=True, context=self.context).data

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = reverse("api-model-detail", kwargs={"slug": obj.slug})
        return request.build_absolute_uri(path) if request else path

    def get_web_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ManifestEntry(serializers.Serializer):
    path = serializers.CharField()
    role = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    verified = serializers.BooleanField()
    url = serializers.CharField(allow_null=True)


class CheckIssue(serializers.Serializer):
    file = serializers.CharField()
    pointer = serializers.CharField()
    message = serializers.CharField()


class Checks(serializers.Serializer):
    passed = serializers.BooleanField()
    issues = CheckIssue(many=True)


class TensorSummary(serializers.Serializer):
    count = serializers.IntegerField()
    parameters = serializers.IntegerField()
    dtypes = serializers.DictField(child=serializers.IntegerField())


class TrainingRef(serializers.Serializer):
    dataset = serializers.CharField()
    version = serializers.CharField()
    sha256 = serializers.CharField()


class Gate(serializers.Serializer):
    open = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class Release(serializers.Serializer):
    decision_url = serializers.CharField()
    released_at = serializers.DateTimeField()


class ModelVersionOutput(serializers.ModelSerializer):
    manifest = ManifestEntry(many=True)
    checks = Checks()
    tensors = serializers.DictField(child=TensorSummary())
    training_data = serializers.SerializerMethodField()
    base_model = serializers.SerializerMethodField()
    card = serializers.DictField()
    gate = serializers.SerializerMethodField()
    release = serializers.SerializerMethodField()
    card_url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = [
            "version",
            "status",
            "manifest",
            "manifest_sha256",
            "checks",
            "tensors",
            "training_data",
            "base_model",
            "card",
            "card_body",
            "gate",
            "release",
            "created_at",
            "card_url",
            "web_url",
        ]

    @extend_schema_field(TrainingRef(many=True))
    def get_training_data(self, obj):
        return [
            {
                "dataset": t.dataset_version.dataset.slug,
                "version": t.dataset_version.version,
                "sha256": t.sha256,
            }
            for t in obj.training_data.all()
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_base_model(self, obj) -> str | None:
        return obj.base_model.ref if obj.base_model_id else None

    @extend_schema_field(Gate)
    def get_gate(self, obj):
        page = getattr(self.parent, "instance", None)
        if page is not None and not hasattr(obj, "_latest_runs"):
            # A list: the latest validation runs of every training dataset version, one query.
            from datasets_registry.validation.selectors import latest_runs

            page = list(page)
            runs = latest_runs([t.dataset_version for v in page for t in v.training_data.all()])
            for v in page:
                v._latest_runs = runs
            gate.prepare_page(page)
        return gate.verdict(obj)

    @extend_schema_field(Release(allow_null=True))
    def get_release(self, obj):
        if obj.status != ModelVersion.Status.RELEASED or not obj.release_decision_id:
            return None
        decision = obj.decision
        request = self.context.get("request")
        path = decision.get_absolute_url() if decision else ""
        return {
            "decision_url": request.build_absolute_uri(path) if request else path,
            "released_at": obj.released_at,
        }

    def _abs(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_card_url(self, obj) -> str:
        return self._abs(
            reverse(
                "api-model-version-card", kwargs={"slug": obj.model.slug, "version": obj.version}
            )
        )

    def get_web_url(self, obj) -> str:
        return self._abs(obj.get_absolute_url())
