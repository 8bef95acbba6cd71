from django.contrib import admin

from .models import IssueSample, ValidationChunk, ValidationRun


class ChunkInline(admin.TabularInline):
    model = ValidationChunk
    extra = 0
    can_delete = False
    fields = ["index", "status", "attempts", "rows", "lease_expires_at", "error"]
    readonly_fields = fields


@admin.register(ValidationRun)
class ValidationRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "version",
        "status",
        "rows_done",
        "rows_total",
        "issue_count",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["version__dataset"]
    search_fields = ["version__dataset__slug", "dataset_sha256"]
    readonly_fields = [f.name for f in ValidationRun._meta.fields]
    inlines = [ChunkInline]

    def has_add_permission(self, request):
        return False  # runs are created by uploads and re-validation, through services


@admin.register(IssueSample)
class IssueSampleAdmin(admin.ModelAdmin):
    list_display = ["run", "row", "rule", "severity", "message"]
    list_filter = ["rule", "severity"]
    readonly_fields = ["run", "rule", "severity", "row", "message", "value", "span"]
