"""Admin: a window on the registry. Content that is validated or immutable is read-only here;
it changes through the website or the API, where the services check it."""

from django.contrib import admin
from django.db import models

from .models import Dataset, DatasetVersion, MetadataStandard, StandardVersion


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StandardVersionInline(ReadOnlyInline):
    model = StandardVersion
    fields = ["version", "status", "sha256", "adopted_at"]
    readonly_fields = fields


@admin.register(MetadataStandard)
class MetadataStandardAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "group", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "created_at"]
    inlines = [StandardVersionInline]

    def has_add_permission(self, request):
        return False  # created on the website by a group's chairs, through the service


@admin.register(StandardVersion)
class StandardVersionAdmin(admin.ModelAdmin):
    """Read-only: drafts are edited on the website (schema checked), and status changes only
    through governance decisions."""

    list_display = ["standard", "version", "status", "sha256", "adopted_at"]
    list_filter = ["status", "standard"]
    search_fields = ["standard__slug", "version", "sha256"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class DatasetVersionInline(ReadOnlyInline):
    model = DatasetVersion
    fields = ["version", "format", "compression", "size", "row_count", "sha256", "created_at"]
    readonly_fields = fields


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "license", "visibility", "status", "corpus_status"]
    list_filter = ["visibility", "status", "corpus_status", "standard_version__standard"]
    search_fields = ["name", "slug", "summary", "owner__username"]
    list_select_related = ["owner"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    autocomplete_fields = ["maintainers"]
    # Licence, standard and metadata are validated together by the service: edit them on the site.
    readonly_fields = [
        "slug",
        "owner",
        "license",
        "standard_version",
        "metadata",
        "corpus_status",
        "corpus_version",
        "corpus_decision_id",
        "created_at",
        "updated_at",
    ]
    inlines = [DatasetVersionInline]

    def has_add_permission(self, request):
        return False


@admin.register(DatasetVersion)
class DatasetVersionAdmin(admin.ModelAdmin):
    """Immutable: viewable, and deletable (with its file) when content must be taken down."""

    list_display = ["dataset", "version", "format", "size", "row_count", "sha256", "created_at"]
    search_fields = ["dataset__slug", "version", "sha256"]
    list_select_related = ["dataset"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def delete_model(self, request, obj):
        name = obj.file.name
        storage = obj.file.storage
        super().delete_model(request, obj)
        if name:
            storage.delete(name)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
