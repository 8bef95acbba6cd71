import base64

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.ledger import timestamp
from governance.models import LedgerEntry

from . import tree


class LogEntryOutput(serializers.ModelSerializer):
    """One log entry: today's ledger fields, its leaf ``index`` (``seq - 1``) and RFC 6962
    ``leaf_hash`` (base64 of SHA-256(0x00 || canonical JSON of seq, kind, payload, created_at))."""

    index = serializers.SerializerMethodField()
    leaf_hash = serializers.SerializerMethodField()
    created_at = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["index", "leaf_hash", "seq", "kind", "payload", "prev_hash", "hash", "created_at"]

    def get_index(self, obj) -> int:
        return obj.seq - 1

    def get_leaf_hash(self, obj) -> str:
        return base64.b64encode(tree.leaf_hash_of(obj)).decode()

    def get_created_at(self, obj) -> str:
        return timestamp(obj.created_at)


class LogKeyOutput(serializers.Serializer):
    origin = serializers.CharField()
    verifier_key = serializers.CharField(help_text=_("<name>+<key hash>+<base64(0x01 || key)>"))
    public_key = serializers.CharField(help_text=_("The raw Ed25519 public key, base64."))


class InclusionProofOutput(serializers.Serializer):
    index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    hashes = serializers.ListField(child=serializers.CharField(), help_text=_("base64, in order"))


class ConsistencyProofOutput(serializers.Serializer):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    hashes = serializers.ListField(child=serializers.CharField(), help_text=_("base64, in order"))


class CosignatureInput(serializers.Serializer):
    tree_size = serializers.IntegerField(min_value=0)
    cosignature = serializers.CharField(
        max_length=600, help_text=_("The signature line: '— <witness name> <base64>'.")
    )


class CosignatureOutput(serializers.Serializer):
    tree_size = serializers.IntegerField()
    witness = serializers.CharField()
    timestamp = serializers.IntegerField()
