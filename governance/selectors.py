"""Reads: what a page lists. Everything governance shows is public, except a ballot while its
group hides the count (``ballots_hidden``). Who holds which role is ``governance.roles``."""

from collections import Counter, defaultdict
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q

from .models import (
    Comment,
    CommentReaction,
    CommentRevision,
    Decision,
    LedgerEntry,
    Membership,
    Proposal,
    Reaction,
    VoterRollEntry,
    WorkingGroup,
)


def group_list():
    return WorkingGroup.objects.select_related("parent").annotate(
        member_count=Count(
            "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True
        ),
        open_votes=Count(
            "proposals", filter=Q(proposals__status=Proposal.Status.VOTING), distinct=True
        ),
    )


def active_members(group: WorkingGroup):
    return group.memberships.active().select_related("user").order_by("user__username")


def pending_requests(group: WorkingGroup):
    return (
        group.memberships.filter(status=Membership.Status.PENDING)
        .select_related("user")
        .order_by("since")
    )


def proposals_of(group: WorkingGroup):
    return group.proposals.select_related("group").prefetch_related("authors").order_by("-number")


def proposal_detail_queryset():
    return Proposal.objects.select_related(
        "group__settings", "subject", "voted_revision", "decision"
    ).prefetch_related("authors")


def comments_for(proposal: Proposal):
    """Every comment, hidden ones too: the page shows a hidden comment's text to chairs only and
    its reason to everyone."""
    return proposal.comments.select_related("author", "hidden_by").order_by("created_at", "pk")


def discussion_for(proposal: Proposal, user) -> list[Comment]:
    """The proposal's top-level comments in order, each with ``thread`` (its replies, in order),
    ``history`` (earlier texts, newest first) and ``reaction_rows`` (``{"value", "emoji", "count",
    "mine"}`` for every reaction kind, in the fixed order). Three queries whatever the size."""
    comments = list(
        comments_for(proposal).prefetch_related(
            Prefetch("revisions", queryset=CommentRevision.objects.order_by("-number"))
        )
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    mine: set[tuple[int, str]] = set()
    uid = user.pk if user is not None and user.is_authenticated else None
    for comment_id, user_id, emoji in CommentReaction.objects.filter(
        comment__proposal=proposal
    ).values_list("comment_id", "user_id", "emoji"):
        counts[comment_id][emoji] += 1
        if user_id == uid:
            mine.add((comment_id, emoji))
    by_id = {c.pk: c for c in comments}
    top = []
    for c in comments:
        c.thread = []
        c.history = list(c.revisions.all())
        c.reaction_rows = [
            {
                "value": value,
                "name": value.replace("_", " "),
                "emoji": label,
                "count": counts[c.pk][value],
                "mine": (c.pk, value) in mine,
            }
            for value, label in Reaction.choices
        ]
    for c in comments:
        parent = by_id.get(c.parent_id)
        (parent.thread if parent is not None else top).append(c)
    return top


class RollPerson(NamedTuple):
    """Someone on a voter roll, as the vote panel shows them (a roll has hundreds)."""

    pk: int
    username: str
    display_name: str

    @property
    def public_name(self) -> str:
        return self.display_name or self.username


def roll_with_votes(proposal: Proposal) -> list[dict]:
    """Each person on the roll (``user``: a ``RollPerson``) with their ``role`` and ``vote`` (or
    None), by username: two queries, and model instances for the votes only."""
    votes = {v.voter_id: v for v in proposal.votes.all()}
    rows = []
    entries = VoterRollEntry.objects.filter(proposal=proposal).order_by()
    for user_id, role, username, display_name in entries.values_list(
        "user_id", "role", "user__username", "user__display_name"
    ):
        person = RollPerson(user_id, username, display_name)
        rows.append({"user": person, "role": role, "vote": votes.get(user_id)})
    rows.sort(key=lambda r: r["user"].username)
    return rows


def ballots_hidden(proposal: Proposal) -> bool:
    """Whether how each person voted (choice and reason) is hidden now: while the vote is open in
    a group that shows the count only after the close. Who voted is always public. Reads
    ``proposal.group.settings`` (select it with the proposal)."""
    if proposal.status != Proposal.Status.VOTING:
        return False
    gs = getattr(proposal.group, "settings", None)
    return gs is not None and not gs.show_live_tally


def group_activity(group: WorkingGroup):
    return LedgerEntry.objects.filter(group=group).order_by("-seq")


def home_panel() -> dict:
    """Open votes closing soonest and the latest decisions, for the home page."""
    open_votes = list(
        Proposal.objects.open_for_voting()
        .select_related("group")
        .order_by("voting_closes_at", "pk")[:5]
    )
    recent_decisions = list(Decision.objects.with_proposal().order_by("-decided_at", "-pk")[:5])
    return {"open_votes": open_votes, "recent_decisions": recent_decisions}


def my_work(user) -> dict:
    awaiting = (
        Proposal.objects.awaiting_vote_of(user)
        .select_related("group")
        .order_by("voting_closes_at", "pk")
    )
    mine = (
        Proposal.objects.filter(authors=user).select_related("group").order_by("-updated_at", "-pk")
    )
    groups = (
        Membership.objects.of(user)
        .exclude(status=Membership.Status.LEFT)
        .select_related("group")
        .order_by("group__name")
    )
    return {"awaiting": list(awaiting), "mine": list(mine), "groups": list(groups)}
