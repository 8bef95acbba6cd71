from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.kindforms import kind_of, show_fields_of_kind
from config.markdown import MarkdownTextarea

from .models import EARLY_CLOSE_CHOICES, Comment, DecisionRule, Membership, Proposal, Vote


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Proposal.Kind.choices, initial=Proposal.Kind.GENERAL, label=gettext_lazy("Kind")
    )
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    summary = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Summary"),
    )
    body = forms.CharField(
        required=False,
        label=gettext_lazy("Body"),
        strip=False,
        widget=MarkdownTextarea(attrs={"rows": 14}),
        help_text=gettext_lazy("Markdown. Scripts and unsafe HTML are removed when it is shown."),
    )
    subject = forms.CharField(
        required=False,
        label=gettext_lazy("Member (membership proposals)"),
        help_text=gettext_lazy("The username of the member to promote or remove."),
    )
    membership_action = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Action (membership proposals)"),
        choices=[("", "—"), *Proposal.MembershipAction.choices[1:]],
    )
    target_type = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Target type (adoption and acceptance proposals)"),
        choices=[("", "—"), *Proposal.TargetType.choices[1:]],
    )
    target_id = forms.IntegerField(required=False, min_value=1, label=gettext_lazy("Target id"))
    target_sha256 = forms.CharField(
        required=False, max_length=64, label=gettext_lazy("Target sha256")
    )

    # The fields each kind shows besides kind, title, summary and body (issue 16, defect 15).
    # Adoption and acceptance fix the target's type; a licence exception may name a target.
    KIND_FIELDS = {
        Proposal.Kind.GENERAL: (),
        Proposal.Kind.MEMBERSHIP: ("subject", "membership_action"),
        Proposal.Kind.STANDARD_ADOPTION: ("target_id", "target_sha256"),
        Proposal.Kind.DATASET_ACCEPTANCE: ("target_id", "target_sha256"),
        Proposal.Kind.CHARTER_AMENDMENT: (),
        Proposal.Kind.LICENCE_EXCEPTION: ("target_type", "target_id", "target_sha256"),
    }
    FIXED_TARGET_TYPE = {
        Proposal.Kind.STANDARD_ADOPTION: Proposal.TargetType.STANDARD_VERSION,
        Proposal.Kind.DATASET_ACCEPTANCE: Proposal.TargetType.DATASET_VERSION,
    }
    REQUIRED = {
        Proposal.Kind.MEMBERSHIP: ("subject", "membership_action"),
        Proposal.Kind.STANDARD_ADOPTION: ("target_id", "target_sha256"),
        Proposal.Kind.DATASET_ACCEPTANCE: ("target_id", "target_sha256"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind_of(self, "kind", Proposal.Kind.values, Proposal.Kind.GENERAL)
        self.fields["subject"].label = gettext_lazy("Member")
        self.fields["membership_action"].label = gettext_lazy("Action")
        self.fields["target_type"].label = gettext_lazy("Target type (optional)")
        self.fields["target_id"].help_text = gettext_lazy(
            "The id of the version this proposal decides on."
        )
        show_fields_of_kind(self, "kind", self.KIND_FIELDS, self.kind)

    def clean(self):
        data = super().clean()
        keep = self.KIND_FIELDS.get(self.kind, ())
        for name in ("subject", "membership_action", "target_type", "target_id", "target_sha256"):
            if name not in keep:  # left over from another kind (hidden on the page)
                data[name] = None if name == "target_id" else ""
        for name in self.REQUIRED.get(self.kind, ()):
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("Required for this kind of proposal."))
        return data

    def target(self) -> dict | None:
        d = self.cleaned_data
        ttype = self.FIXED_TARGET_TYPE.get(self.kind) or d.get("target_type")
        if not ttype:
            return None
        return {
            "type": ttype,
            "id": d.get("target_id"),
            "sha256": d.get("target_sha256"),
        }


class ProposalEditForm(forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    summary = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Summary"),
    )
    body = forms.CharField(
        required=False,
        label=gettext_lazy("Body"),
        strip=False,
        widget=MarkdownTextarea(attrs={"rows": 14}),
        help_text=gettext_lazy("Markdown."),
    )


class OpenVotingForm(forms.Form):
    voting_closes_at = forms.DateTimeField(
        label=gettext_lazy("Voting closes at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["voting_closes_at"] = (timezone.now() + timedelta(days=7)).replace(
                second=0, microsecond=0
            )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
    stance = forms.ChoiceField(
        choices=Comment.Stance.choices, required=False, label=gettext_lazy("Stance")
    )


class HideCommentForm(forms.Form):
    reason = forms.CharField(max_length=500, label=gettext_lazy("Reason for hiding"))


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        choices=Vote.Choice.choices, widget=forms.RadioSelect, label=gettext_lazy("Choice")
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Reason"),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=[
            (Membership.Role.OBSERVER, gettext_lazy("Observer")),
            (Membership.Role.CONTRIBUTOR, gettext_lazy("Contributor")),
        ],
        label=gettext_lazy("Role"),
    )


class GroupSettingsForm(forms.Form):
    general_rule = forms.ChoiceField(
        choices=DecisionRule.choices, label=gettext_lazy("Rule for general proposals")
    )
    quorum = forms.DecimalField(
        min_value=0.01, max_value=1, decimal_places=2, label=gettext_lazy("Quorum")
    )
    show_live_tally = forms.BooleanField(
        required=False, label=gettext_lazy("Show the live count during votes")
    )
    early_close = forms.ChoiceField(
        choices=EARLY_CLOSE_CHOICES,
        required=False,
        label=gettext_lazy("Close a vote early"),
        help_text=gettext_lazy(
            "A vote always closes at its deadline; a group may let it close sooner. "
            "Votes already open keep the choice they opened with."
        ),
    )

    def clean_early_close(self):
        # Left out (an older form, a script): keep the group's current choice.
        return self.cleaned_data["early_close"] or None
