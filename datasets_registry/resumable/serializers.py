from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Upload


class UploadOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Upload
        fields = [
            "id",
            "url",
            "filename",
            "metadata",
            "length",
            "offset",
            "status",
            "sha256",
            "created_at",
            "expires_at",
            "completed_at",
            "used_for",
        ]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path


class QuotaOutput(serializers.Serializer):
    bytes = serializers.IntegerField(help_text=_("Bytes your live uploads may reserve in all."))
    reserved_bytes = serializers.IntegerField()
    uploads = serializers.IntegerField(help_text=_("Live uploads allowed at once."))
    active_uploads = serializers.IntegerField()
    max_size = serializers.IntegerField(help_text=_("Largest single file (Tus-Max-Size)."))


class UploaderOutput(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    is_staff = serializers.BooleanField()


class UploadListOutput(serializers.Serializer):
    user = UploaderOutput()
    quota = QuotaOutput()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = UploadOutput(many=True)
