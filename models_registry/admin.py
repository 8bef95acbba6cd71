from django.contrib import admin

from .models import Model, ModelFile, ModelVersion, ReleasePolicy, TrainingData


@admin.register(ReleasePolicy)
class ReleasePolicyAdmin(admin.ModelAdmin):
    list_display = ("group", "rule")
    list_select_related = ("group",)


@admin.register(Model)
class ModelAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "group", "owner", "license", "visibility", "created_at")
    list_filter = ("visibility", "group")
    search_fields = ("slug", "name", "summary")
    raw_id_fields = ("owner", "maintainers")
    list_select_related = ("group", "owner")


class ModelFileInline(admin.TabularInline):
    model = ModelFile
    extra = 0
    can_delete = False
    readonly_fields = ("path", "role", "size", "sha256", "verified", "url", "file")

    def has_add_permission(self, request, obj=None):
        return False


class TrainingDataInline(admin.TabularInline):
    model = TrainingData
    extra = 0
    can_delete = False
    readonly_fields = ("dataset_version", "sha256")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    """Versions are immutable: the admin shows them; only the status may be corrected (e.g.
    withdrawn). Releases are recorded by governance decisions, never here."""

    list_display = ("__str__", "status", "manifest_sha256", "created_at", "released_at")
    list_filter = ("status",)
    search_fields = ("model__slug", "version", "manifest_sha256")
    list_select_related = ("model",)
    inlines = [ModelFileInline, TrainingDataInline]
    readonly_fields = (
        "model",
        "version",
        "manifest",
        "manifest_sha256",
        "checks",
        "tensors",
        "card",
        "card_body",
        "base_model",
        "created_by",
        "created_at",
        "release_proposal_id",
        "release_decision_id",
        "released_at",
    )

    def has_add_permission(self, request):
        return False
