from django.contrib import admin

from .models import Campaign, Finding, FindingEvent, Invitation, RedTeamSettings


@admin.register(RedTeamSettings)
class RedTeamSettingsAdmin(admin.ModelAdmin):
    list_display = ("group", "threshold")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "version", "status", "starts_at", "ends_at", "participation")
    list_filter = ("status",)
    raw_id_fields = ("version", "triagers", "created_by")


class HistoryInline(admin.TabularInline):
    model = FindingEvent
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in FindingEvent._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """Read-only: findings change through the workflow (services), never by hand."""

    list_display = ("number", "campaign", "severity", "status", "filed_at")
    list_filter = ("status", "severity")
    inlines = [HistoryInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Invitation)
