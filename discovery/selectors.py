"""Reads for profiles and "My work". Each list is scoped to what the viewer may see: a private
dataset or a draft survey of someone else never shows on their profile; a vote shows only where
the proposal page itself would show it (``governance.selectors.ballots_hidden``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from datasets_registry.models import Dataset, DatasetVersion
from datasets_registry.validation.models import ValidationRun
from governance import roles
from governance import selectors as gov_selectors
from governance.models import Comment, Membership, Proposal, Vote
from surveys.models import Survey

PROFILE_LIMIT = 20


def _maintained_by(user: Any):
    maintains = Dataset.maintainers.through.objects.filter(
        dataset_id=OuterRef("pk"), user_id=user.pk
    )
    return Q(owner=user) | Exists(maintains)


def public_votes(person: Any):
    """``person``'s votes that are public now: every ballot except while a vote is open in a group
    that shows the count only after the close (the same rule as ``ballots_hidden``)."""
    return (
        Vote.objects.filter(voter=person)
        .exclude(
            Q(proposal__status=Proposal.Status.VOTING)
            & Q(proposal__group__settings__show_live_tally=False)
        )
        .select_related("proposal__group")
        .order_by("-cast_at", "-pk")
    )


def profile(person: Any, viewer: Any) -> dict:
    """What ``viewer`` may see of ``person``'s activity. A fixed number of queries."""
    return {
        "memberships": list(
            Membership.objects.of(person).active().select_related("group").order_by("group__name")
        ),
        "proposals": list(
            Proposal.objects.filter(authors=person)
            .select_related("group")
            .order_by("-created_at", "-pk")[:PROFILE_LIMIT]
        ),
        "votes": list(public_votes(person)[:PROFILE_LIMIT]),
        "comments": list(
            Comment.objects.filter(author=person, hidden_at__isnull=True)
            .select_related("proposal__group")
            .order_by("-created_at", "-pk")[:PROFILE_LIMIT]
        ),
        "datasets": list(
            Dataset.objects.visible_to(viewer)
            .filter(_maintained_by(person))
            .order_by("name", "pk")[:PROFILE_LIMIT]
        ),
        "surveys": list(
            Survey.objects.visible_to(viewer)
            .filter(created_by=person)
            .select_related("group")
            .order_by("-created_at", "-pk")[:PROFILE_LIMIT]
        ),
    }


def runs_needing_attention(user: Any, limit: int = 20) -> list[ValidationRun]:
    """The latest run of each version of the datasets ``user`` owns or maintains, where that run
    failed, found errors or is still going. Older runs of a version are superseded, so ignored."""
    versions = DatasetVersion.objects.filter(
        dataset__in=Dataset.objects.filter(_maintained_by(user))
    )
    latest = ValidationRun.objects.filter(version=OuterRef("version")).order_by(
        "-created_at", "-pk"
    )
    runs = (
        ValidationRun.objects.filter(version__in=versions)
        .filter(pk=latest.values("pk")[:1])
        .select_related("version__dataset")
        .order_by("-created_at", "-pk")[:200]
    )
    out = []
    for run in runs:
        if (
            run.status in ValidationRun.ACTIVE
            or run.status == ValidationRun.Status.FAILED
            or (run.status == ValidationRun.Status.SUCCEEDED and run.by_severity["error"] > 0)
        ):
            out.append(run)
        if len(out) >= limit:
            break
    return out


def my_work(user: Any) -> dict:
    """The signed-in person's work: governance's part (votes awaiting me, my proposals, my
    groups), my datasets and surveys, join requests waiting in groups I chair, and runs that need
    me. A fixed number of queries."""
    context = gov_selectors.my_work(user)
    context.update(
        datasets=list(
            Dataset.objects.filter(_maintained_by(user))
            .select_related("standard_version__standard")
            .order_by("name", "pk")
        ),
        surveys=list(
            Survey.objects.filter(created_by=user)
            .select_related("group")
            .order_by("-created_at", "-pk")
        ),
        join_requests=list(
            Membership.objects.filter(
                status=Membership.Status.PENDING, group__in=roles.chaired_groups(user)
            )
            .select_related("user", "group")
            .order_by("since", "pk")
        ),
        runs=runs_needing_attention(user),
    )
    return context
