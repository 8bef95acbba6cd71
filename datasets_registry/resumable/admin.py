from django.contrib import admin

from .models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    """Read-only: an upload's offset is the protocol's, never an administrator's to edit."""

    list_display = ["id", "user", "filename", "offset", "length", "status", "expires_at"]
    list_filter = ["status"]
    search_fields = ["id", "filename", "user__username"]
    readonly_fields = [f.name for f in Upload._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
