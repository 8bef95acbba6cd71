"""Demo groups, members and proposals in every state (documented in docs/governance.md).

Each part (a group with its members; a proposal with every step that brings it to its state) is
made in one transaction, whole or not at all, so a seed that fails halfway leaves no half-made
part behind and a rerun completes the demo. Idempotent: a group's part completes whatever is
missing, and a proposal's part is recognised by its title (present means complete, since it was
made whole), so running ``seed_demo`` twice changes nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import roles, services
from .models import LedgerEntry, Membership, Proposal, WorkingGroup

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
    groups: dict[str, WorkingGroup] = {}
    for slug, name, parent, charter in GROUPS:
        with transaction.atomic():
            groups[slug] = _group(slug, name, groups.get(parent), charter, people)
    _proposals(groups, people)
    _say(stdout, f"  governance: {len(groups)} groups, proposals in every status")


def _group(slug: str, name: str, parent, charter: str, people) -> WorkingGroup:
    """One group with its settings, its announcement and the demo members in their roles."""
    admin = people["demo-admin"]
    group = WorkingGroup.objects.filter(slug=slug).first()
    if group is None:
        group = services.group_create(
            slug=slug,
            name=name,
            charter=charter,
            parent=parent,
            join_policy=WorkingGroup.JoinPolicy.APPROVAL,
            actor=admin,
        )
    elif not group.charter or (parent and group.parent_id is None):
        # Another app's migration may have created the group bare; give it its demo charter.
        group.charter = group.charter or charter
        group.parent = group.parent or parent
        group.save(update_fields=["charter", "parent"])
    if not LedgerEntry.objects.filter(group=group, kind="group.created").exists():
        services.group_announce(group=group, actor=admin)
    services.settings_of(group)
    for username, role in ROLES.items():
        if not roles.is_member(people[username], group):
            services.membership_grant(group=group, user=people[username], role=role, reason="demo")
    return group


def _proposal(group, people, title: str, *, kind="general", body="", summary="", **extra):
    """The demo proposal called ``title``: ``(proposal, True)`` when made now (the caller then
    takes it to its state, in the same transaction), ``(proposal, False)`` when it exists."""
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


def _discuss(p, people) -> None:
    services.proposal_to_discussion(proposal=p, actor=people["demo-contributor"])


def _open_vote(p, people, closes_in=timedelta(days=5)) -> None:
    _discuss(p, people)
    services.proposal_open_voting(
        proposal=p, actor=people["demo-chair"], closes_at=timezone.now() + closes_in
    )


def _spdx_on_every_row(p, people) -> None:
    _discuss(p, people)
    services.comment_add(
        proposal=p, author=people["demo-committer1"], body="Agreed, long overdue.", stance="for"
    )


def _short_captions(p, people) -> None:
    services.proposal_revise(
        proposal=p,
        actor=people["demo-contributor"],
        title=p.title,
        summary=p.summary,
        body=p.body + "\n\nRevised: warnings only for the first release.",
    )
    _open_vote(p, people)
    _vote(p, people, {"demo-committer1": "yes", "demo-committer2": "yes"})


def _style_guide(p, people) -> None:
    _open_vote(p, people)
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


def _caption_twice(p, people) -> None:
    _open_vote(p, people)
    _vote(p, people, {"demo-committer1": "yes", "demo-committer2": "no"})
    _close_now(p)


def _withdraw(p, people) -> None:
    services.proposal_withdraw(proposal=p, actor=people["demo-contributor"])


def _bcp47(p, people) -> None:
    _open_vote(p, people, closes_in=timedelta(days=2))
    _vote(p, people, {"demo-committer3": "yes"})


# (group, title, how it is created, the steps that bring it to its demo state)
PROPOSALS = [
    ("datasets-captioning", "Caption length guideline: 8 to 77 tokens", {}, None),
    ("datasets-captioning", "Require an SPDX licence on every caption row", {}, _spdx_on_every_row),
    (
        "datasets-captioning",
        "Exclude captions shorter than three words",
        {
            "body": "## Why\n\nThree-word captions teach the model very little.\n\n## What\n\n"
            "The validator flags them as warnings, and the corpus excludes them."
        },
        _short_captions,
    ),
    ("datasets-captioning", "Adopt the captioning style guide v1", {}, _style_guide),
    (
        "datasets-captioning",
        "Caption every image twice with two different models",
        {},
        _caption_twice,
    ),
    ("datasets-captioning", "Rename the captioning channel", {}, _withdraw),
    (
        "datasets-captioning",
        "Promote demo-contributor to committer",
        {"kind": "membership", "membership_action": "promote", "subject": "demo-contributor"},
        _discuss,
    ),
    ("metadata-standards", "Record the caption language as a BCP 47 tag", {}, _bcp47),
    (
        "steering-committee",
        "Amend the charter: two chairs per working group",
        {"kind": "charter_amendment"},
        _discuss,
    ),
]


def _proposals(groups, people) -> None:
    for slug, title, create, steps in PROPOSALS:
        if "subject" in create:
            create = {**create, "subject": people[create["subject"]]}
        # One transaction per proposal: made and taken to its state whole, or not at all.
        with transaction.atomic():
            p, new = _proposal(groups[slug], people, title, **create)
            if new and steps is not None:
                steps(p, people)
