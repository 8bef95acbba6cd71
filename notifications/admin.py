"""Admin: read-mostly views for support. A webhook's secret is never shown (it is encrypted and
excluded); changes to webhooks go through the site's pages or the API, which call the services."""

from django.contrib import admin

from .models import Delivery, DeliveryAttempt, Digest, Follow, Notification, Preference, Webhook


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "email"]
    list_filter = ["kind", "email"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient", "actor", "digest"]
    readonly_fields = ["event_id", "event", "created_at"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "subject_type", "subject_ref", "automatic", "created_at"]
    list_filter = ["subject_type", "automatic"]
    raw_id_fields = ["user"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "period", "count", "sent_at"]
    raw_id_fields = ["user"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempt", "status_code", "duration_ms", "error", "created_at"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["pk", "host", "group", "format", "active", "consecutive_failures"]
    list_filter = ["format", "active"]
    exclude = ["secret_encrypted"]
    readonly_fields = ["consecutive_failures", "disabled_reason", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # the secret is made and shown once by the pages and the API


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "webhook", "status", "attempts", "created_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
