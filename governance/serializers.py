from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.markdown import render

from . import ledger
from .models import (
    Decision,
    DecisionRule,
    LedgerEntry,
    Membership,
    Proposal,
    Vote,
    WorkingGroup,
)


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request else path


# --- output -----------------------------------------------------------------------------------


class GroupOutput(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    charter_html = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    settings = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = WorkingGroup
        fields = [
            "slug",
            "name",
            "charter",
            "charter_html",
            "parent",
            "join_policy",
            "status",
            "member_count",
            "settings",
            "created_at",
            "url",
        ]

    def get_charter_html(self, obj) -> str:
        return render(obj.charter)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_settings(self, obj) -> dict:
        gs = getattr(obj, "settings", None)
        if gs is None:
            return {
                "general_rule": DecisionRule.MAJORITY_OF_ALL,
                "quorum": "0.50",
                "early_close": "never",
            }
        return {
            "general_rule": gs.general_rule,
            "quorum": str(gs.quorum),
            "show_live_tally": gs.show_live_tally,
            "early_close": gs.early_close,
        }

    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class MemberOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.public_name")

    class Meta:
        model = Membership
        fields = ["username", "name", "role", "status", "since"]


class GroupDetailOutput(GroupOutput):
    members = serializers.SerializerMethodField()

    class Meta(GroupOutput.Meta):
        fields = [*GroupOutput.Meta.fields, "members"]

    @extend_schema_field(MemberOutput(many=True))
    def get_members(self, obj):
        active = [m for m in obj.memberships.all() if m.status == Membership.Status.ACTIVE]
        return MemberOutput(active, many=True).data


class MembershipOutput(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["group", "username", "role", "status", "since"]


class TargetSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["standard_version", "dataset_version"])
    id = serializers.IntegerField(min_value=1)
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")


class ProposalOutput(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    authors = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    subject = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()
    decision_url = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "group",
            "number",
            "kind",
            "title",
            "summary",
            "body",
            "body_html",
            "status",
            "authors",
            "revision",
            "voting_closes_at",
            "url",
            "target",
            "subject",
            "membership_action",
            "rule",
            "created_at",
            "updated_at",
            "discussion_opened_at",
            "voting_opened_at",
            "closed_at",
            "decision_url",
        ]

    def get_authors(self, obj) -> list[str]:
        return sorted(a.username for a in obj.authors.all())

    def get_body_html(self, obj) -> str:
        return render(obj.body)

    @extend_schema_field(TargetSerializer(allow_null=True))
    def get_target(self, obj):
        return obj.target

    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())

    def get_decision_url(self, obj) -> str | None:
        if obj.status not in (Proposal.Status.ACCEPTED, Proposal.Status.REJECTED):
            return None
        path = f"/api/v1/groups/{obj.group.slug}/proposals/{obj.number}/decision/"
        return _absolute(self.context.get("request"), path)


class VoteOutput(serializers.ModelSerializer):
    voter = serializers.CharField(source="voter.username")
    revision = serializers.IntegerField(source="revision.number")
    choice = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    class Meta:
        model = Vote
        fields = ["voter", "choice", "reason", "revision", "cast_at", "updated_at"]

    def _hidden(self, obj) -> bool:
        # While a vote is open in a group that hides the running count, the list shows who voted
        # but not how (except to the voter): neither the choice nor the reason, which under lazy
        # consensus would reveal a "no".
        if not self.context.get("hide_ballots"):
            return False
        request = self.context.get("request")
        return not (request and request.user.is_authenticated and request.user.pk == obj.voter_id)

    def get_choice(self, obj) -> str | None:
        return None if self._hidden(obj) else obj.choice

    def get_reason(self, obj) -> str | None:
        return None if self._hidden(obj) else obj.reason


class DecisionOutput(serializers.ModelSerializer):
    revision = serializers.IntegerField(source="revision.number")
    proposal = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "outcome",
            "tally",
            "roll_size",
            "rule",
            "explanation",
            "revision",
            "decided_at",
            "ledger_hash",
            "proposal",
            "url",
        ]

    def get_proposal(self, obj) -> str:
        p = obj.proposal
        return _absolute(
            self.context.get("request"), f"/api/v1/groups/{p.group.slug}/proposals/{p.number}/"
        )

    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class LedgerEntryOutput(serializers.ModelSerializer):
    created_at = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["seq", "kind", "payload", "prev_hash", "hash", "created_at"]

    def get_created_at(self, obj) -> str:
        # Exactly the text that was hashed, so anyone can recompute the chain from this output.
        return ledger.timestamp(obj.created_at)


# --- input ------------------------------------------------------------------------------------


class ProposalInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, default=Proposal.Kind.GENERAL)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    body = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    target = TargetSerializer(required=False, allow_null=True, default=None)
    subject = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("membership: the username."),
    )
    membership_action = serializers.ChoiceField(
        choices=["promote", "remove", ""], required=False, default=""
    )


class ProposalPatchInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ProposalTransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=["discussion", "voting", "withdrawn"])
    voting_closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class VoteInput(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
