"""Reads: who holds which role, what a page lists. Everything governance shows is public."""

from django.db.models import Count, Q
from django.http import HttpRequest

from .models import (
    Decision,
    LedgerEntry,
    Membership,
    Proposal,
    Vote,
    VoterRollEntry,
    WorkingGroup,
)

PROPOSER_ROLES = (
    Membership.Role.CONTRIBUTOR,
    Membership.Role.COMMITTER,
    Membership.Role.CHAIR,
    Membership.Role.SECRETARY,
)


def membership_of(user, group: WorkingGroup) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, group=group).first()


def role_of(user, group: WorkingGroup) -> str | None:
    """The active role of ``user`` in ``group``, or None."""
    m = membership_of(user, group)
    return m.role if m and m.status == Membership.Status.ACTIVE else None


def is_member(user, group: WorkingGroup) -> bool:
    return role_of(user, group) is not None


def is_chair(user, group: WorkingGroup) -> bool:
    return role_of(user, group) == Membership.Role.CHAIR


def can_propose(user, group: WorkingGroup) -> bool:
    return role_of(user, group) in PROPOSER_ROLES


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


def comments_for(proposal: Proposal, *, can_moderate: bool):
    """Hidden comments are visible only to moderators; others see that one was hidden."""
    return proposal.comments.select_related("author", "hidden_by").order_by("created_at", "pk")


def roll_with_votes(proposal: Proposal) -> list[dict]:
    votes = {v.voter_id: v for v in proposal.votes.all()}
    rows = []
    for entry in VoterRollEntry.objects.filter(proposal=proposal).select_related("user"):
        rows.append({"user": entry.user, "role": entry.role, "vote": votes.get(entry.user_id)})
    rows.sort(key=lambda r: r["user"].username)
    return rows


def votes_of(proposal: Proposal):
    return Vote.objects.filter(proposal=proposal).select_related("voter", "revision")


def group_activity(group: WorkingGroup):
    return LedgerEntry.objects.filter(group=group).order_by("-seq")


def home_panel(request: HttpRequest) -> dict:
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
        Membership.objects.filter(user=user)
        .exclude(status=Membership.Status.LEFT)
        .select_related("group")
        .order_by("group__name")
    )
    return {"awaiting": list(awaiting), "mine": list(mine), "groups": list(groups)}
