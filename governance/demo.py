"""Demo groups, members and proposals in every state (documented in docs/governance.md).

Idempotent: groups and memberships are looked up before they are created, and each demo proposal
is recognised by its title, so running ``seed_demo`` twice changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from . import ledger, services
from .models import Membership, Proposal, WorkingGroup

GROUPS = [
    (
        "steering-committee",
        "Steering Committee",
        None,
        "The technical steering committee of the Open Model Initiative.\n\n"
        "- Committers are the voting members.\n"
        "- An electronic vote decides by a majority of **all** voting members.\n"
        "- Charter amendments and licence exceptions need **two thirds** of all voting members.\n"
        "- The committee creates working groups.",
    ),
    (
        "datasets-captioning",
        "Datasets & Captioning",
        "steering-committee",
        "Curates the training corpus and the captioning guidelines. Accepts dataset versions "
        "into the corpus by vote, after the validators have checked every caption.",
    ),
    (
        "metadata-standards",
        "Metadata Standards",
        "steering-committee",
        "Writes and adopts the metadata standards datasets declare and captions are checked "
        "against.",
    ),
]

ROLES = {
    "demo-chair": Membership.Role.CHAIR,
    **{f"demo-committer{i}": Membership.Role.COMMITTER for i in range(1, 6)},
    "demo-contributor": Membership.Role.CONTRIBUTOR,
    "demo-observer": Membership.Role.OBSERVER,
}


def _say(stdout, text: str) -> None:
    if stdout:
        stdout.write(text)


def seed(*, people, stdout=None) -> None:
    admin = people["demo-admin"]
    groups: dict[str, WorkingGroup] = {}
    for slug, name, parent, charter in GROUPS:
        group = WorkingGroup.objects.filter(slug=slug).first()
        if group is None:
            group = services.group_create(
                slug=slug,
                name=name,
                charter=charter,
                parent=groups.get(parent) if parent else None,
                join_policy=WorkingGroup.JoinPolicy.APPROVAL,
                actor=admin,
            )
        elif not group.charter or (parent and group.parent_id is None):
            # Another app's migration may have created the group bare; give it its demo charter.
            group.charter = group.charter or charter
            group.parent = group.parent or groups.get(parent)
            group.save(update_fields=["charter", "parent"])
        if not group.ledger_entries.filter(kind="group.created").exists():
            ledger.append(
                "group.created",
                {
                    "group": group.slug,
                    "name": group.name,
                    "parent": group.parent.slug if group.parent else None,
                    "by": {"id": admin.pk, "username": admin.username},
                },
                group=group,
            )
        services.settings_of(group)
        groups[slug] = group
        for username, role in ROLES.items():
            current = Membership.objects.filter(user=people[username], group=group).first()
            if current is None or current.status != Membership.Status.ACTIVE:
                services.membership_grant(
                    group=group, user=people[username], role=role, reason="demo"
                )
    _proposals(groups, people)
    _say(stdout, f"  governance: {len(groups)} groups, proposals in every status")


def _proposal(group, people, title: str, *, kind="general", body="", summary="", **extra):
    existing = Proposal.objects.filter(group=group, title=title).first()
    if existing:
        return existing, False
    p = services.proposal_create(
        group=group,
        author=people["demo-contributor"],
        kind=kind,
        title=title,
        summary=summary or title,
        body=body or f"## {title}\n\nThe demo text of this proposal.",
        **extra,
    )
    return p, True


def _vote(p, people, ballots: dict[str, str]) -> None:
    for username, choice in ballots.items():
        services.vote_cast(
            proposal=p,
            voter=people[username],
            choice=choice,
            reason="Demo reason." if choice == "no" else "",
        )


def _close_now(p) -> None:
    # A demo shortcut: move the closing time into the past, then close as the beat task would.
    Proposal.objects.filter(pk=p.pk).update(voting_closes_at=timezone.now() - timedelta(seconds=1))
    services.proposal_close(proposal=p)


def _proposals(groups, people) -> None:
    chair, author = people["demo-chair"], people["demo-contributor"]
    dc = groups["datasets-captioning"]
    soon = timezone.now() + timedelta(days=5)

    _proposal(dc, people, "Caption length guideline: 8 to 77 tokens")

    p, new = _proposal(dc, people, "Require an SPDX licence on every caption row")
    if new:
        services.proposal_to_discussion(proposal=p, actor=author)
        services.comment_add(
            proposal=p, author=people["demo-committer1"], body="Agreed, long overdue.", stance="for"
        )

    p, new = _proposal(
        dc,
        people,
        "Exclude captions shorter than three words",
        body="## Why\n\nThree-word captions teach the model very little.\n\n## What\n\n"
        "The validator flags them as warnings, and the corpus excludes them.",
    )
    if new:
        services.proposal_revise(
            proposal=p,
            actor=author,
            title=p.title,
            summary=p.summary,
            body=p.body + "\n\nRevised: warnings only for the first release.",
        )
        services.proposal_to_discussion(proposal=p, actor=author)
        services.proposal_open_voting(proposal=p, actor=chair, closes_at=soon)
        _vote(p, people, {"demo-committer1": "yes", "demo-committer2": "yes"})

    p, new = _proposal(dc, people, "Adopt the captioning style guide v1")
    if new:
        services.proposal_to_discussion(proposal=p, actor=author)
        services.proposal_open_voting(proposal=p, actor=chair, closes_at=soon)
        _vote(
            p,
            people,
            {
                "demo-chair": "yes",
                "demo-committer1": "yes",
                "demo-committer2": "yes",
                "demo-committer3": "yes",
                "demo-committer4": "no",
                "demo-committer5": "abstain",
            },
        )
        _close_now(p)

    p, new = _proposal(dc, people, "Caption every image twice with two different models")
    if new:
        services.proposal_to_discussion(proposal=p, actor=author)
        services.proposal_open_voting(proposal=p, actor=chair, closes_at=soon)
        _vote(p, people, {"demo-committer1": "yes", "demo-committer2": "no"})
        _close_now(p)

    p, new = _proposal(dc, people, "Rename the captioning channel")
    if new:
        services.proposal_withdraw(proposal=p, actor=author)

    p, new = _proposal(
        dc,
        people,
        "Promote demo-contributor to committer",
        kind="membership",
        subject=author,
        membership_action="promote",
    )
    if new:
        services.proposal_to_discussion(proposal=p, actor=author)

    ms = groups["metadata-standards"]
    p, new = _proposal(ms, people, "Record the caption language as a BCP 47 tag")
    if new:
        services.proposal_to_discussion(proposal=p, actor=author)
        services.proposal_open_voting(
            proposal=p, actor=chair, closes_at=timezone.now() + timedelta(days=2)
        )
        _vote(p, people, {"demo-committer3": "yes"})

    sc = groups["steering-committee"]
    p, new = _proposal(
        sc,
        people,
        "Amend the charter: two chairs per working group",
        kind="charter_amendment",
    )
    if new:
        services.proposal_to_discussion(proposal=p, actor=author)
