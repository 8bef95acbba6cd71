from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rules


class WorkingGroupQuerySet(models.QuerySet):
    def chaired_by(self, user):
        return self.filter(
            memberships__user=user,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role=Membership.Role.CHAIR,
        ).distinct()

    def with_member(self, user):
        return self.filter(
            memberships__user=user, memberships__status=Membership.Status.ACTIVE
        ).distinct()


class WorkingGroup(models.Model):
    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: anyone may join as an observer")
        APPROVAL = "approval", _("Approval: a chair approves requests")
        INVITATION = "invitation", _("Invitation only")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    charter = models.TextField(blank=True, help_text=_("Markdown."))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    join_policy = models.CharField(
        max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.APPROVAL
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:group_detail", kwargs={"slug": self.slug})


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def voting(self):
        return self.active().filter(role__in=Membership.VOTING_ROLES)

    def chairs(self):
        return self.active().filter(role=Membership.Role.CHAIR)

    def of(self, user):
        return self.filter(user=user)


class Membership(models.Model):
    class Role(models.TextChoices):
        OBSERVER = "observer", _("Observer")
        CONTRIBUTOR = "contributor", _("Contributor")
        COMMITTER = "committer", _("Committer")
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    # The charter makes committers the voting members; a chair is a committer who also chairs.
    VOTING_ROLES = (Role.COMMITTER, Role.CHAIR)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OBSERVER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    since = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="one_membership_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role}, {self.status})"


# --- Decision rules and group settings -------------------------------------------------------


class DecisionRule(models.TextChoices):
    MAJORITY_OF_CAST_WITH_QUORUM = (
        "majority_of_cast_with_quorum",
        _("Majority of votes cast, with a quorum (a meeting)"),
    )
    MAJORITY_OF_ALL = "majority_of_all", _("Majority of all voting members")
    TWO_THIRDS_OF_ALL = "two_thirds_of_all", _("Two thirds of all voting members")
    LAZY_CONSENSUS = "lazy_consensus", _("Lazy consensus (a reasoned no is a veto)")
    APACHE = "apache", _("Apache style (at least 3 yes, more yes than no)")


# ``governance.rules`` is pure (no Django, copied into the client): its words are translated
# here, with the same English.
EARLY_CLOSE_WORDS = {
    rules.NEVER: _("Only at its deadline"),
    rules.ALL_VOTED: _("As soon as everyone on the roll has voted"),
    rules.SETTLED: _("As soon as the remaining votes can no longer change the outcome"),
}
EARLY_CLOSE_CHOICES = [(key, EARLY_CLOSE_WORDS[key]) for key in rules.EARLY_CLOSE_POLICIES]

# The rules' names and descriptions as people read them (``rules.RULES``, same English).
RULE_LABELS = {
    "majority_of_cast_with_quorum": _("Majority of votes cast, with a quorum"),
    "majority_of_all": _("Majority of all voting members"),
    "two_thirds_of_all": _("Two thirds of all voting members"),
    "lazy_consensus": _("Lazy consensus"),
    "apache": _("Apache style"),
}
RULE_DESCRIPTIONS = {
    "majority_of_cast_with_quorum": _(
        "A quorum of the roll takes part; more yes than no among them."
    ),
    "majority_of_all": _("Yes from more than half of everyone on the roll."),
    "two_thirds_of_all": _("Yes from at least two thirds of everyone on the roll."),
    "lazy_consensus": _("Passes at the close unless someone votes no with a reason (a veto)."),
    "apache": _("At least three yes, and more yes than no."),
}


def rule_in_words(name: str) -> rules.Rule | None:
    """``rules.RULES[name]`` with its label and description in the current language."""
    import dataclasses

    rule = rules.RULES.get(name)
    if rule is None:
        return None
    return dataclasses.replace(
        rule,
        label=str(RULE_LABELS.get(name, rule.label)),
        description=str(RULE_DESCRIPTIONS.get(name, rule.description)),
    )


class GroupSettings(models.Model):
    """What a group may configure: the rule for its ``general`` proposals and what a vote shows.

    The other kinds follow the charter and cannot be changed by a group (see ``rules.rule_for``).
    """

    group = models.OneToOneField(WorkingGroup, on_delete=models.CASCADE, related_name="settings")
    general_rule = models.CharField(
        max_length=40, choices=DecisionRule.choices, default=DecisionRule.MAJORITY_OF_ALL
    )
    quorum = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Share of the voter roll that must vote, for the quorum rule."),
    )
    show_live_tally = models.BooleanField(
        default=True, help_text=_("Show the running count while a vote is open.")
    )
    early_close = models.CharField(
        max_length=20,
        choices=EARLY_CLOSE_CHOICES,
        default=rules.NEVER,
        help_text=_("When a vote may close before its deadline (see governance/rules.py)."),
    )

    class Meta:
        verbose_name_plural = _("group settings")

    def __str__(self) -> str:
        return f"Settings of {self.group}"


# --- Proposals --------------------------------------------------------------------------------


class ProposalQuerySet(models.QuerySet):
    def open_for_voting(self):
        return self.filter(status=Proposal.Status.VOTING)

    def due(self, now=None):
        return self.open_for_voting().filter(voting_closes_at__lte=now or timezone.now())

    def awaiting_vote_of(self, user):
        """Open votes where ``user`` is on the roll and has not voted yet."""
        return self.open_for_voting().filter(roll__user=user).exclude(votes__voter=user)


class Proposal(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("General")
        MEMBERSHIP = "membership", _("Membership (promote or remove a committer)")
        STANDARD_ADOPTION = "standard_adoption", _("Adopt a metadata standard version")
        DATASET_ACCEPTANCE = "dataset_acceptance", _("Accept a dataset version")
        CHARTER_AMENDMENT = "charter_amendment", _("Charter amendment")
        LICENCE_EXCEPTION = "licence_exception", _("Licence exception")
        MODEL_RELEASE = "model_release", _("Release a model version")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DISCUSSION = "discussion", _("Discussion")
        VOTING = "voting", _("Voting")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class TargetType(models.TextChoices):
        NONE = "", _("None")
        STANDARD_VERSION = "standard_version", _("Standard version")
        DATASET_VERSION = "dataset_version", _("Dataset version")
        MODEL_VERSION = "model_version", _("Model version")

    class MembershipAction(models.TextChoices):
        NONE = "", _("None")
        PROMOTE = "promote", _("Promote to committer")
        REMOVE = "remove", _("Remove as committer")

    EDITABLE = (Status.DRAFT, Status.DISCUSSION)
    CLOSED = (Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN)

    group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, related_name="proposals")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=1000, blank=True)
    body = models.TextField(blank=True, help_text=_("Markdown."))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="authored_proposals")
    revision = models.PositiveIntegerField(default=1, help_text=_("The current revision number."))
    target_type = models.CharField(
        max_length=30, choices=TargetType.choices, blank=True, default=TargetType.NONE
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_sha256 = models.CharField(max_length=64, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="membership_proposals",
        help_text=_("For a membership proposal: the person promoted or removed."),
    )
    membership_action = models.CharField(
        max_length=10, choices=MembershipAction.choices, blank=True, default=MembershipAction.NONE
    )
    # Fixed when the vote opens, so a later change of the group's settings cannot change a vote.
    rule = models.CharField(max_length=40, choices=DecisionRule.choices, blank=True)
    quorum = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    early_close = models.CharField(max_length=20, choices=EARLY_CLOSE_CHOICES, default=rules.NEVER)
    voted_revision = models.ForeignKey(
        "ProposalRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    discussion_opened_at = models.DateTimeField(null=True, blank=True)
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["group", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="one_number_per_group"),
        ]
        indexes = [models.Index(fields=["status", "voting_closes_at"])]

    def __str__(self) -> str:
        return f"{self.group.slug}#{self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "governance:proposal_detail", kwargs={"slug": self.group.slug, "number": self.number}
        )

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def target(self) -> dict | None:
        if not self.target_type:
            return None
        return {"type": self.target_type, "id": self.target_id, "sha256": self.target_sha256}


class ProposalRevision(models.Model):
    """One version of a proposal's text. The vote binds to the revision current when it opened."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=1000, blank=True)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposal_revisions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="one_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} r{self.number}"

    @property
    def sha256(self) -> str:
        import hashlib
        import json

        text = json.dumps(
            {"title": self.title, "summary": self.summary, "body": self.body},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Comment(models.Model):
    class Stance(models.TextChoices):
        NONE = "", _("No stance")
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        NEUTRAL = "neutral", _("Neutral")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposal_comments"
    )
    body = models.TextField(max_length=10_000)
    stance = models.CharField(max_length=10, choices=Stance.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_reason = models.CharField(max_length=500, blank=True)
    # Discussion: a reply answers a top-level comment (one level: a reply has no replies).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # Set when the author last edited the text; earlier texts are CommentRevisions.
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.proposal_id}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentRevision(models.Model):
    """An earlier text of a comment, kept when its author edits it (number 1 is the original)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField(max_length=10_000)
    stance = models.CharField(max_length=10, choices=Comment.Stance.choices, blank=True)
    written_at = models.DateTimeField(help_text=_("When this text was written."))
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "number"], name="one_comment_revision_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.comment_id} r{self.number}"


class Reaction(models.TextChoices):
    """The small fixed set of reactions (a value, its emoji)."""

    THUMBS_UP = "thumbs_up", "👍"
    HEART = "heart", "❤️"
    HOORAY = "hooray", "🎉"
    THINKING = "thinking", "🤔"
    EYES = "eyes", "👀"


class CommentReaction(models.Model):
    """One person's reaction to a comment: at most one of each kind per person (a constraint,
    so two clicks at once still make one row)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reactions"
    )
    emoji = models.CharField(max_length=20, choices=Reaction.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment", "emoji", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user", "emoji"], name="one_reaction_per_person_and_emoji"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.emoji} on comment {self.comment_id}"


class VoterRollEntry(models.Model):
    """Who may vote: the group's voting members when the vote opened (a snapshot)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="roll")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="voter_roll_entries"
    )
    role = models.CharField(max_length=20, choices=Membership.Role.choices)

    class Meta:
        ordering = ["proposal", "user"]
        verbose_name_plural = _("voter roll entries")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_roll_entry_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on the roll of {self.proposal_id}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        ABSTAIN = "abstain", _("Abstain")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes"
    )
    choice = models.CharField(max_length=10, choices=Choice.choices)
    reason = models.TextField(blank=True, max_length=2000)
    revision = models.ForeignKey(ProposalRevision, on_delete=models.PROTECT, related_name="votes")
    cast_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "voter"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="one_vote_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} votes {self.choice} on {self.proposal_id}"


class DecisionQuerySet(models.QuerySet):
    def with_proposal(self):
        return self.select_related("proposal", "proposal__group", "revision")


class Decision(models.Model):
    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rule = models.CharField(max_length=40, choices=DecisionRule.choices)
    tally = models.JSONField(default=dict)
    explanation = models.TextField()
    roll_size = models.PositiveIntegerField()
    revision = models.ForeignKey(ProposalRevision, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    ledger_hash = models.CharField(max_length=64, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"Decision on {self.proposal}: {self.outcome}"

    def get_absolute_url(self) -> str:
        return reverse(
            "governance:decision_detail",
            kwargs={"slug": self.proposal.group.slug, "number": self.proposal.number},
        )


# --- The ledger -------------------------------------------------------------------------------


class LedgerEntry(models.Model):
    """One event in the public, hash-chained log (see ``governance.ledger`` for the algorithm).

    ``group`` is an index for the group activity feed; it is not part of the hashed entry (the
    payload names the group by slug).
    """

    seq = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    group = models.ForeignKey(
        WorkingGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
    )

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"


class LedgerLock(models.Model):
    """A single row locked (SELECT … FOR UPDATE) by every append, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)

    def __str__(self) -> str:
        return "ledger lock"
