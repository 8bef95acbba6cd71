from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import ApiToken


class ApiTokenInput(serializers.Serializer):
    # Not trimmed here: the length limit is on what was sent, as the schema says; the service
    # strips the name and refuses a blank one.
    name = serializers.CharField(max_length=100, trim_whitespace=False)


class ApiTokenOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]


class ApiTokenCreatedOutput(ApiTokenOutput):
    key = serializers.CharField(help_text=_("The secret. It is shown only in this response."))

    class Meta(ApiTokenOutput.Meta):
        fields = [*ApiTokenOutput.Meta.fields, "key"]
