from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from . import note
from .models import Checkpoint, Cosignature, WitnessKey


class WitnessKeyForm(forms.ModelForm):
    class Meta:
        model = WitnessKey
        fields = ["name", "verifier_key", "active"]

    def clean(self):
        data = super().clean()
        key = data.get("verifier_key")
        if key:
            try:
                verifier = note.parse_verifier_key(key)
            except note.NoteError as exc:
                self.add_error("verifier_key", str(exc))
            else:
                if verifier.key_type != note.COSIGNATURE_V1:
                    self.add_error(
                        "verifier_key", _("A witness key has type 0x04 (cosignature/v1).")
                    )
                elif verifier.name != data.get("name"):
                    self.add_error("name", _("The name must be the key's name."))
        return data


@admin.register(WitnessKey)
class WitnessKeyAdmin(admin.ModelAdmin):
    """Staff register the witnesses whose cosignatures the checkpoint endpoint serves."""

    form = WitnessKeyForm
    list_display = ["name", "active", "added_by", "created_at"]
    readonly_fields = ["added_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["tree_size", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Cosignature)
class CosignatureAdmin(admin.ModelAdmin):
    list_display = ["checkpoint", "witness", "timestamp", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
