"""API shapes. Output shapes are the contract of issue 12: extend them, never rename."""

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import kinds
from .channels.email import absolute
from .models import DeliveryAttempt, Notification, Preference, Webhook


class SubjectOutput(serializers.Serializer):
    type = serializers.CharField()
    ref = serializers.CharField()


class NotificationOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "created_at",
            "read_at",
            "title",
            "url",
            "actor",
            "subject",
            "body",
            "event",
        ]

    def get_url(self, obj) -> str:
        return absolute(obj.url)

    def get_actor(self, obj) -> str | None:
        return obj.actor.username if obj.actor_id and obj.actor else None

    @extend_schema_field(SubjectOutput(allow_null=True))
    def get_subject(self, obj):
        if not obj.subject_type:
            return None
        return {"type": obj.subject_type, "ref": obj.subject_ref}


class MarkReadInput(serializers.Serializer):
    ids = serializers.ListField(
        # The primary keys are 64-bit: a larger id is refused here, not overflowed in SQLite.
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=500,
    )
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("all") and not attrs.get("ids"):
            raise serializers.ValidationError({"ids": [_('Give "ids": [...] or "all": true.')]})
        return attrs


class MarkReadOutput(serializers.Serializer):
    marked = serializers.IntegerField()


class Switches(serializers.Serializer):
    web = serializers.BooleanField()
    email = serializers.BooleanField()


class PreferencesOutput(serializers.Serializer):
    email = serializers.ChoiceField(choices=Preference.Email.choices)
    kinds = serializers.DictField(
        child=Switches(),
        help_text=format_lazy("{}: {}.", gettext_lazy("Kinds"), ", ".join(kinds.KINDS)),
    )


_SWITCHES_SCHEMA = {
    "type": "object",
    "properties": {"web": {"type": "boolean"}, "email": {"type": "boolean"}},
    "additionalProperties": False,
}


# The schema states what the service accepts: known kinds only, web and email switches only.
@extend_schema_field(
    {
        "type": "object",
        "properties": dict.fromkeys(kinds.KINDS, _SWITCHES_SCHEMA),
        "additionalProperties": False,
    }
)
class KindSwitchesField(serializers.DictField):
    pass


class PreferencesInput(serializers.Serializer):
    email = serializers.ChoiceField(choices=Preference.Email.choices, required=False)
    # Checked by the service, strictly (true/false only), so each error names its kind.
    kinds = KindSwitchesField(
        required=False, help_text=gettext_lazy('{"<kind>": {"web": bool, "email": bool}}')
    )


class FollowOutput(serializers.Serializer):
    subject = SubjectOutput()
    following = serializers.BooleanField()


class WebhookInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    format = serializers.ChoiceField(choices=Webhook.Format.choices, default=Webhook.Format.GENERIC)
    events = serializers.ListField(child=serializers.CharField(max_length=100), max_length=100)
    secret = serializers.CharField(
        required=False, allow_blank=True, max_length=200, write_only=True
    )


class WebhookPatchInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    format = serializers.ChoiceField(choices=Webhook.Format.choices, required=False)
    events = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=100, required=False
    )
    secret = serializers.CharField(required=False, max_length=200, write_only=True)
    rotate_secret = serializers.BooleanField(required=False, default=False)
    active = serializers.BooleanField(required=False)


class WebhookOutput(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "format",
            "events",
            "active",
            "group",
            "consecutive_failures",
            "disabled_reason",
            "created_at",
        ]


class WebhookCreatedOutput(WebhookOutput):
    secret = serializers.SerializerMethodField(help_text=gettext_lazy("Shown only in this answer."))

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]

    def get_secret(self, obj) -> str | None:
        return self.context.get("secret")


class DeliveryOutput(serializers.ModelSerializer):
    event = serializers.CharField(source="delivery.event")
    delivery = serializers.UUIDField(source="delivery.delivery")
    status = serializers.CharField(source="delivery.status")

    class Meta:
        model = DeliveryAttempt
        fields = [
            "id",
            "event",
            "delivery",
            "attempt",
            "status_code",
            "duration_ms",
            "created_at",
            "error",
            "status",
        ]


class TestDeliveryOutput(serializers.Serializer):
    event = serializers.CharField()
    delivery = serializers.UUIDField()
    status = serializers.CharField()
