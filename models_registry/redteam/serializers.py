from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Campaign, Finding
from .taxonomy import CATEGORY_CHOICES, SEVERITY_CHOICES


class CountsOutput(serializers.Serializer):
    by_severity = serializers.DictField(child=serializers.IntegerField())
    by_status = serializers.DictField(child=serializers.IntegerField())


class TimelinesOutput(serializers.Serializer):
    time_to_triage_hours = serializers.FloatField(allow_null=True)
    time_to_confirm_hours = serializers.FloatField(allow_null=True)
    triaged = serializers.IntegerField()
    confirmed = serializers.IntegerField()


class CampaignOutput(serializers.ModelSerializer):
    model = serializers.CharField(source="version.model.slug")
    version = serializers.CharField(source="version.version")
    counts = serializers.SerializerMethodField()
    timelines = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "scope",
            "starts_at",
            "ends_at",
            "participation",
            "disclosure_days",
            "status",
            "counts",
            "timelines",
            "model",
            "version",
        ]

    def get_timelines(self, obj) -> TimelinesOutput:
        """Mean hours from filing to triage and to confirmation."""
        from .selectors import timelines

        return timelines(obj)

    def get_counts(self, obj) -> CountsOutput:
        counts = self.context.get("counts") or {}
        if obj.pk in counts:
            return counts[obj.pk]
        from .selectors import counts as count

        return count(obj)


class CampaignInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    scope = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    participation = serializers.ChoiceField(
        choices=Campaign.Participation.choices, default=Campaign.Participation.INVITED
    )
    disclosure_days = serializers.IntegerField(min_value=1, max_value=365, default=30)
    triagers = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class InvitationInput(serializers.Serializer):
    username = serializers.CharField()


class InvitationOutput(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign_id")
    username = serializers.CharField(source="user.username")
    created_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)


class ReproductionInput(serializers.Serializer):
    prompt = serializers.CharField()
    negative_prompt = serializers.CharField(required=False, allow_blank=True)
    seed = serializers.IntegerField(required=False, allow_null=True)
    sampler = serializers.CharField(required=False, allow_blank=True)
    steps = serializers.IntegerField(required=False, allow_null=True)
    guidance_scale = serializers.FloatField(required=False, allow_null=True)
    width = serializers.IntegerField(required=False, allow_null=True)
    height = serializers.IntegerField(required=False, allow_null=True)
    extra = serializers.DictField(required=False)


class FindingInput(serializers.Serializer):
    """Validated by the service (field errors name ``reproduction.seed`` etc.); this is the
    schema. Multipart: the same object as JSON in ``payload``, images in ``evidence``."""

    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    severity = serializers.ChoiceField(choices=SEVERITY_CHOICES)
    description = serializers.CharField()
    reproduction = ReproductionInput()


class FindingCreated(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    severity = serializers.CharField()
    commitment = serializers.CharField()


class PublicFindingOutput(serializers.Serializer):
    """The public line of every finding (no content)."""

    number = serializers.IntegerField()
    severity = serializers.CharField()
    status = serializers.CharField()
    filed_at = serializers.DateTimeField()
    commitment = serializers.CharField()


class HistoryOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    from_severity = serializers.CharField()
    to_severity = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class FindingOutput(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="campaign_id")
    reporter = serializers.CharField(source="reporter.username")
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", allow_null=True)
    fixed_in = serializers.CharField(source="fixed_in.version", allow_null=True, default=None)
    history = HistoryOutput(many=True, read_only=True)
    evidence = EvidenceOutput(many=True, read_only=True)
    content = serializers.SerializerMethodField()
    salt = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "campaign",
            "number",
            "title",
            "category",
            "severity",
            "proposed_severity",
            "description",
            "reproduction",
            "manifest_sha256",
            "status",
            "resolution",
            "reporter",
            "duplicate_of",
            "fixed_in",
            "wont_fix_reason",
            "decision_id",
            "commitment",
            "filed_at",
            "triaged_at",
            "confirmed_at",
            "resolved_at",
            "disclose_after",
            "disclosed_at",
            "history",
            "evidence",
            "content",
            "salt",
        ]

    def get_content(self, obj) -> dict | None:
        """The committed content, once disclosed (null before)."""
        return obj.content if obj.is_disclosed else None

    def get_salt(self, obj) -> str | None:
        """The commitment's salt, once disclosed (null before)."""
        return obj.salt if obj.is_disclosed else None


class FindingTransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=Finding.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=SEVERITY_CHOICES, required=False)
    duplicate_of = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    fixed_in = serializers.CharField(
        required=False, help_text=_("The version label that fixes it.")
    )
    decision = serializers.CharField(
        required=False,
        help_text=_(
            "For won't fix on a critical finding: an accepted decision (id, group/number or URL)."
        ),
    )
