"""Every governance write. Views, the API, tasks, admin and commands call these and nothing else.

Each service checks the actor's permission and the current state, runs in one transaction, appends
its event to the ledger in that same transaction, and raises a ``config.errors`` domain error with
a message a person can act on.
"""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, Invalid, NotAllowed, NotFound

from . import hooks, ledger, rules
from .models import (
    Comment,
    Decision,
    DecisionRule,
    GroupSettings,
    Membership,
    Proposal,
    ProposalRevision,
    Vote,
    VoterRollEntry,
    WorkingGroup,
)
from .selectors import PROPOSER_ROLES

MAX_VOTING_PERIOD = timedelta(days=90)
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
TARGET_TYPE_FOR_KIND = {
    Proposal.Kind.STANDARD_ADOPTION: Proposal.TargetType.STANDARD_VERSION,
    Proposal.Kind.DATASET_ACCEPTANCE: Proposal.TargetType.DATASET_VERSION,
}


# --- helpers ----------------------------------------------------------------------------------


def _require_user(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAllowed("Log in first.")


def _active_membership(actor, group: WorkingGroup) -> Membership | None:
    return Membership.objects.filter(
        user=actor, group=group, status=Membership.Status.ACTIVE
    ).first()


def _require_chair(actor, group: WorkingGroup, action: str) -> None:
    _require_user(actor)
    m = _active_membership(actor, group)
    if m is None or m.role != Membership.Role.CHAIR:
        raise NotAllowed(f"Only a chair of {group.name} may {action}.")


def _require_author(actor, proposal: Proposal, action: str) -> None:
    _require_user(actor)
    if not proposal.authors.filter(pk=actor.pk).exists():
        raise NotAllowed(f"Only the authors of this proposal may {action}.")


def _lock(proposal: Proposal) -> Proposal:
    """Re-read the proposal under a row lock: every state change on one proposal queues here."""
    # of=("self",): lock the proposal only, not the joined group row as well.
    return (
        Proposal.objects.select_for_update(of=("self",)).select_related("group").get(pk=proposal.pk)
    )


def _person(user) -> dict:
    return {"id": user.pk, "username": user.username}


def _proposal_ref(p: Proposal) -> dict:
    return {"group": p.group.slug, "number": p.number}


def settings_of(group: WorkingGroup) -> GroupSettings:
    gs, _ = GroupSettings.objects.get_or_create(group=group)
    return gs


def _clean_text(*, title: str, summary: str, body: str) -> dict[str, str]:
    title, summary, body = (title or "").strip(), (summary or "").strip(), body or ""
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Give the proposal a title."]
    elif len(title) > 200:
        errors["title"] = ["Use at most 200 characters."]
    if len(summary) > 1000:
        errors["summary"] = ["Use at most 1000 characters."]
    if len(body) > 100_000:
        errors["body"] = ["Use at most 100,000 characters."]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    return {"title": title, "summary": summary, "body": body}


# --- groups and memberships -------------------------------------------------------------------


def group_create(
    *,
    slug: str,
    name: str,
    actor,
    charter: str = "",
    parent: WorkingGroup | None = None,
    join_policy: str = WorkingGroup.JoinPolicy.APPROVAL,
    chair=None,
) -> WorkingGroup:
    """Create a working group (staff, or a chair of the parent group: the steering committee
    creates working groups). ``chair`` becomes its first chair."""
    _require_user(actor)
    if not actor.is_staff and not (parent and _is_chair(actor, parent)):
        raise NotAllowed("Only staff or a chair of the parent group may create a working group.")
    if WorkingGroup.objects.filter(slug=slug).exists():
        raise Conflict(f"A group with the slug “{slug}” exists.", errors={"slug": ["Taken."]})
    with transaction.atomic():
        group = WorkingGroup.objects.create(
            slug=slug, name=name, charter=charter, parent=parent, join_policy=join_policy
        )
        GroupSettings.objects.create(group=group)
        ledger.append(
            "group.created",
            {
                "group": group.slug,
                "name": group.name,
                "parent": parent.slug if parent else None,
                "by": _person(actor),
            },
            group=group,
        )
        if chair is not None:
            membership_grant(group=group, user=chair, role=Membership.Role.CHAIR, reason="founding")
    return group


def _is_chair(user, group) -> bool:
    m = _active_membership(user, group)
    return m is not None and m.role == Membership.Role.CHAIR


def group_settings_update(
    *, group: WorkingGroup, actor, general_rule: str, quorum: Decimal, show_live_tally: bool
) -> GroupSettings:
    """A chair changes the rule for the group's ``general`` proposals (others follow the charter).
    Votes already open keep the rule they opened with."""
    _require_chair(actor, group, "change the group's settings")
    if general_rule not in DecisionRule.values:
        raise Invalid("Unknown rule.", errors={"general_rule": ["Choose a listed rule."]})
    quorum = Decimal(str(quorum))
    if not Decimal("0.01") <= quorum <= Decimal("1"):
        raise Invalid("The quorum is between 0.01 and 1.", errors={"quorum": ["0.01 to 1."]})
    with transaction.atomic():
        gs = settings_of(group)
        gs.general_rule, gs.quorum, gs.show_live_tally = general_rule, quorum, show_live_tally
        gs.save()
        ledger.append(
            "group.settings_changed",
            {
                "group": group.slug,
                "general_rule": general_rule,
                "quorum": str(quorum),
                "show_live_tally": show_live_tally,
                "by": _person(actor),
            },
            group=group,
        )
    return gs


def membership_grant(*, group: WorkingGroup, user, role: str, reason: str) -> Membership:
    """Internal: make ``user`` an active member with ``role`` (founding chairs, demo data,
    decisions). Not reachable from any view: role changes to voting roles go through proposals."""
    with transaction.atomic():
        m, _ = Membership.objects.update_or_create(
            user=user,
            group=group,
            defaults={"role": role, "status": Membership.Status.ACTIVE, "until": None},
        )
        ledger.append(
            "membership.changed",
            {
                "group": group.slug,
                "member": _person(user),
                "role": role,
                "status": m.status,
                "reason": reason,
            },
            group=group,
        )
    return m


def membership_request(*, group: WorkingGroup, user) -> Membership:
    """Ask to join. Open groups admit at once as an observer; approval groups queue the request
    for a chair; invitation-only groups refuse."""
    _require_user(user)
    if group.status != WorkingGroup.Status.ACTIVE:
        raise Conflict("This group is archived.")
    if group.join_policy == WorkingGroup.JoinPolicy.INVITATION:
        raise NotAllowed("This group admits members by invitation only.")
    with transaction.atomic():
        existing = Membership.objects.select_for_update().filter(user=user, group=group).first()
        if existing and existing.status == Membership.Status.ACTIVE:
            raise Conflict("You are already a member of this group.")
        if existing and existing.status == Membership.Status.PENDING:
            raise Conflict("Your request to join is already waiting for a chair.")
        status = (
            Membership.Status.ACTIVE
            if group.join_policy == WorkingGroup.JoinPolicy.OPEN
            else Membership.Status.PENDING
        )
        m, _ = Membership.objects.update_or_create(
            user=user,
            group=group,
            defaults={
                "role": Membership.Role.OBSERVER,
                "status": status,
                "since": timezone.now(),
                "until": None,
            },
        )
        ledger.append(
            "membership.joined" if status == Membership.Status.ACTIVE else "membership.requested",
            {"group": group.slug, "member": _person(user), "role": m.role, "status": m.status},
            group=group,
        )
    return m


def membership_approve(*, membership: Membership, actor, role: str) -> Membership:
    group = membership.group
    _require_chair(actor, group, "approve join requests")
    if role not in (Membership.Role.OBSERVER, Membership.Role.CONTRIBUTOR):
        raise Invalid(
            "A chair admits people as observers or contributors; committers are elected by a "
            "membership proposal.",
            errors={"role": ["Choose observer or contributor."]},
        )
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk)
        if m.status != Membership.Status.PENDING:
            raise Conflict("This request is no longer pending.")
        m.status, m.role, m.since = Membership.Status.ACTIVE, role, timezone.now()
        m.save(update_fields=["status", "role", "since"])
        ledger.append(
            "membership.approved",
            {"group": group.slug, "member": _person(m.user), "role": role, "by": _person(actor)},
            group=group,
        )
    return m


def membership_decline(*, membership: Membership, actor) -> Membership:
    group = membership.group
    _require_chair(actor, group, "decline join requests")
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk)
        if m.status != Membership.Status.PENDING:
            raise Conflict("This request is no longer pending.")
        m.status, m.until = Membership.Status.LEFT, timezone.now()
        m.save(update_fields=["status", "until"])
        ledger.append(
            "membership.declined",
            {"group": group.slug, "member": _person(m.user), "by": _person(actor)},
            group=group,
        )
    return m


def membership_set_role(*, membership: Membership, actor, role: str) -> Membership:
    """A chair moves a member between observer and contributor. Voting roles change only by an
    accepted membership proposal."""
    group = membership.group
    _require_chair(actor, group, "change members' roles")
    allowed = (Membership.Role.OBSERVER, Membership.Role.CONTRIBUTOR)
    if role not in allowed:
        raise NotAllowed(
            "Promotion to committer happens only by an accepted membership proposal.",
            errors={"role": ["Choose observer or contributor."]},
        )
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk)
        if m.status != Membership.Status.ACTIVE:
            raise Conflict("Only an active member's role can change.")
        if m.role not in allowed:
            raise NotAllowed(
                "A committer or chair is removed only by an accepted membership proposal."
            )
        if m.role == role:
            return m
        old, m.role = m.role, role
        m.save(update_fields=["role"])
        ledger.append(
            "membership.role_changed",
            {
                "group": group.slug,
                "member": _person(m.user),
                "from": old,
                "to": role,
                "by": _person(actor),
            },
            group=group,
        )
    return m


def membership_leave(*, group: WorkingGroup, user) -> Membership:
    _require_user(user)
    with transaction.atomic():
        m = Membership.objects.select_for_update().filter(user=user, group=group).first()
        if m is None or m.status == Membership.Status.LEFT:
            raise NotFound("You are not a member of this group.")
        m.status, m.until = Membership.Status.LEFT, timezone.now()
        m.save(update_fields=["status", "until"])
        ledger.append(
            "membership.left", {"group": group.slug, "member": _person(user)}, group=group
        )
    return m


# --- proposals --------------------------------------------------------------------------------


def _clean_target(kind: str, target: dict | None) -> tuple[str, int | None, str]:
    needed = TARGET_TYPE_FOR_KIND.get(kind)
    if not target:
        if needed:
            raise Invalid(
                f"A {kind} proposal names its target {needed}.",
                errors={"target": [f"Give the {needed} (type, id, sha256)."]},
            )
        return "", None, ""
    if not isinstance(target, dict):
        raise Invalid("The target is an object.", errors={"target": ["Expected an object."]})
    ttype, tid, sha = target.get("type"), target.get("id"), str(target.get("sha256") or "").lower()
    errors: dict[str, list[str]] = {}
    if ttype not in Proposal.TargetType.values or not ttype:
        errors["target.type"] = ["Use standard_version or dataset_version."]
    elif needed and ttype != needed:
        errors["target.type"] = [f"A {kind} proposal targets a {needed}."]
    if isinstance(tid, bool) or not isinstance(tid, int) or tid <= 0:
        errors["target.id"] = ["A positive integer."]
    if not SHA256_RE.match(sha):
        errors["target.sha256"] = ["64 lowercase hexadecimal characters."]
    if errors:
        raise Invalid("The target is invalid.", errors=errors)
    return ttype, tid, sha


def proposal_create(
    *,
    group: WorkingGroup,
    author,
    kind: str,
    title: str,
    summary: str,
    body: str,
    target: dict | None = None,
    subject=None,
    membership_action: str = "",
) -> Proposal:
    """A contributor (or above) of ``group`` opens a draft, revision 1.

    ``target`` is ``{"type": "standard_version"|"dataset_version", "id": int, "sha256": str}``;
    a ``membership`` proposal names a ``subject`` member and ``membership_action`` (promote or
    remove). Numbers are allocated under a lock on the group row, so they never repeat.
    """
    _require_user(author)
    if kind not in Proposal.Kind.values:
        raise Invalid("Unknown kind.", errors={"kind": ["Choose a listed kind."]})
    if group.status != WorkingGroup.Status.ACTIVE:
        raise Conflict("This group is archived.")
    m = _active_membership(author, group)
    if m is None or m.role not in PROPOSER_ROLES:
        raise NotAllowed(f"Only contributors and committers of {group.name} may write proposals.")
    text = _clean_text(title=title, summary=summary, body=body)
    ttype, tid, sha = _clean_target(kind, target)
    if ttype:
        # The app that owns the artifact may check it exists and its sha256 matches.
        hooks.check_target(ttype, tid, sha)
    if kind == Proposal.Kind.MEMBERSHIP:
        _check_membership_subject(group, subject, membership_action)
    else:
        subject, membership_action = None, ""
    with transaction.atomic():
        WorkingGroup.objects.select_for_update().get(pk=group.pk)
        last = group.proposals.order_by("-number").values_list("number", flat=True).first()
        now = timezone.now()
        proposal = Proposal.objects.create(
            group=group,
            number=(last or 0) + 1,
            kind=kind,
            target_type=ttype,
            target_id=tid,
            target_sha256=sha,
            subject=subject,
            membership_action=membership_action,
            created_at=now,
            updated_at=now,
            **text,
        )
        proposal.authors.add(author)
        rev = ProposalRevision.objects.create(
            proposal=proposal, number=1, author=author, created_at=now, **text
        )
        ledger.append(
            "proposal.created",
            {
                **_proposal_ref(proposal),
                "kind": kind,
                "title": proposal.title,
                "revision": 1,
                "text_sha256": rev.sha256,
                "target": proposal.target,
                "subject": _person(subject) if subject else None,
                "membership_action": membership_action,
                "by": _person(author),
            },
            group=group,
        )
    return proposal


def _check_membership_subject(group, subject, action) -> None:
    if subject is None:
        raise Invalid("Name the member to promote or remove.", errors={"subject": ["Required."]})
    if action not in (Proposal.MembershipAction.PROMOTE, Proposal.MembershipAction.REMOVE):
        raise Invalid(
            "Say whether to promote or remove.", errors={"membership_action": ["Required."]}
        )
    m = _active_membership(subject, group)
    if m is None:
        raise Invalid(
            "The person is not an active member of this group.",
            errors={"subject": ["Not an active member."]},
        )
    if action == Proposal.MembershipAction.PROMOTE and m.role in Membership.VOTING_ROLES:
        raise Invalid("They are already a voting member.", errors={"subject": ["Already voting."]})
    if action == Proposal.MembershipAction.REMOVE and m.role != Membership.Role.COMMITTER:
        raise Invalid("Only a committer can be removed.", errors={"subject": ["Not a committer."]})


def proposal_revise(*, proposal: Proposal, actor, title: str, summary: str, body: str) -> Proposal:
    """An author edits a draft or a proposal under discussion; each edit is a new revision.
    Refused once voting opened (the text is frozen) and for anyone but the authors."""
    _require_author(actor, proposal, "edit it")
    text = _clean_text(title=title, summary=summary, body=body)
    with transaction.atomic():
        p = _lock(proposal)
        if not p.is_editable:
            raise Conflict(
                f"The proposal is {p.get_status_display().lower()}: its text can no longer change."
            )
        if (p.title, p.summary, p.body) == (text["title"], text["summary"], text["body"]):
            return p
        now = timezone.now()
        p.revision += 1
        p.title, p.summary, p.body, p.updated_at = (
            text["title"],
            text["summary"],
            text["body"],
            now,
        )
        p.save(update_fields=["revision", "title", "summary", "body", "updated_at"])
        rev = ProposalRevision.objects.create(
            proposal=p, number=p.revision, author=actor, created_at=now, **text
        )
        ledger.append(
            "proposal.revised",
            {
                **_proposal_ref(p),
                "revision": rev.number,
                "text_sha256": rev.sha256,
                "by": _person(actor),
            },
            group=p.group,
        )
    return p


def _move(p: Proposal, to: str, actor, **extra) -> None:
    old = p.status
    p.status = to
    p.updated_at = timezone.now()
    ledger.append(
        "proposal.moved",
        {**_proposal_ref(p), "from": old, "to": to, "by": _person(actor), **extra},
        group=p.group,
    )


def proposal_to_discussion(*, proposal: Proposal, actor) -> Proposal:
    _require_author(actor, proposal, "move it to discussion")
    with transaction.atomic():
        p = _lock(proposal)
        if p.status != Proposal.Status.DRAFT:
            raise Conflict(
                f"Only a draft moves to discussion; this proposal is {p.get_status_display().lower()}."
            )
        _move(p, Proposal.Status.DISCUSSION, actor)
        p.discussion_opened_at = p.updated_at
        p.save(update_fields=["status", "updated_at", "discussion_opened_at"])
    return p


def proposal_withdraw(*, proposal: Proposal, actor) -> Proposal:
    """An author (or a chair) withdraws a draft or a proposal under discussion."""
    _require_user(actor)
    is_author = proposal.authors.filter(pk=actor.pk).exists()
    if not is_author and not _is_chair(actor, proposal.group):
        raise NotAllowed("Only the authors or a chair may withdraw this proposal.")
    with transaction.atomic():
        p = _lock(proposal)
        if p.status not in Proposal.EDITABLE:
            raise Conflict(
                f"Only a draft or a proposal under discussion can be withdrawn; this one is "
                f"{p.get_status_display().lower()}."
            )
        _move(p, Proposal.Status.WITHDRAWN, actor)
        p.closed_at = p.updated_at
        p.save(update_fields=["status", "updated_at", "closed_at"])
    return p


def proposal_open_voting(*, proposal: Proposal, actor, closes_at: datetime | None) -> Proposal:
    """A chair opens the vote on a proposal under discussion: the text is frozen at the current
    revision, the rule is fixed from the charter (or the group's setting for ``general``), and
    the voter roll is snapshotted from the group's voting members at this moment."""
    _require_chair(actor, proposal.group, "open a vote")
    now = timezone.now()
    if closes_at is None:
        raise Invalid(
            "Give the closing time.", errors={"voting_closes_at": ["Required to open a vote."]}
        )
    if timezone.is_naive(closes_at):
        closes_at = timezone.make_aware(closes_at)
    if closes_at <= now:
        raise Invalid(
            "The closing time must be in the future.",
            errors={"voting_closes_at": ["Must be in the future."]},
        )
    if closes_at - now > MAX_VOTING_PERIOD:
        raise Invalid(
            "A vote stays open at most 90 days.",
            errors={"voting_closes_at": ["At most 90 days from now."]},
        )
    with transaction.atomic():
        p = _lock(proposal)
        if p.status != Proposal.Status.DISCUSSION:
            raise Conflict(
                f"A vote opens only on a proposal under discussion; this one is "
                f"{p.get_status_display().lower()}."
            )
        gs = settings_of(p.group)
        p.rule = rules.rule_for(p.kind, gs.general_rule)
        p.quorum = gs.quorum
        p.voted_revision = p.revisions.get(number=p.revision)
        p.voting_opened_at = now
        p.voting_closes_at = closes_at
        voters = list(Membership.objects.voting().filter(group=p.group).select_related("user"))
        VoterRollEntry.objects.bulk_create(
            [VoterRollEntry(proposal=p, user=m.user, role=m.role) for m in voters]
        )
        _move(
            p,
            Proposal.Status.VOTING,
            actor,
            rule=p.rule,
            revision=p.revision,
            text_sha256=p.voted_revision.sha256,
            closes_at=closes_at,
            roll=sorted(m.user.username for m in voters),
        )
        p.save(
            update_fields=[
                "status",
                "updated_at",
                "rule",
                "quorum",
                "voted_revision",
                "voting_opened_at",
                "voting_closes_at",
            ]
        )
    return p


def proposal_transition(
    *, proposal: Proposal, actor, to: str, voting_closes_at: datetime | None = None
) -> Proposal:
    """The API's single transition endpoint, dispatching to one function per transition."""
    if to == Proposal.Status.DISCUSSION:
        return proposal_to_discussion(proposal=proposal, actor=actor)
    if to == Proposal.Status.VOTING:
        return proposal_open_voting(proposal=proposal, actor=actor, closes_at=voting_closes_at)
    if to == Proposal.Status.WITHDRAWN:
        return proposal_withdraw(proposal=proposal, actor=actor)
    raise Conflict(
        f"No transition to “{to}”: accepted and rejected follow from the vote's close.",
        errors={"to": ["Use discussion, voting or withdrawn."]},
    )


# --- comments ---------------------------------------------------------------------------------


def comment_add(*, proposal: Proposal, author, body: str, stance: str = "") -> Comment:
    """Members of the proposal's group comment, with an optional stance."""
    _require_user(author)
    if _active_membership(author, proposal.group) is None:
        raise NotAllowed(f"Only members of {proposal.group.name} may comment.")
    body = (body or "").strip()
    if not body:
        raise Invalid("Write a comment.", errors={"body": ["This field may not be blank."]})
    if len(body) > 10_000:
        raise Invalid("The comment is too long.", errors={"body": ["At most 10,000 characters."]})
    if stance not in Comment.Stance.values:
        raise Invalid("Unknown stance.", errors={"stance": ["for, against, neutral or empty."]})
    if proposal.status == Proposal.Status.WITHDRAWN:
        raise Conflict("The proposal was withdrawn; comments are closed.")
    return Comment.objects.create(proposal=proposal, author=author, body=body, stance=stance)


def comment_hide(*, comment: Comment, actor, reason: str) -> Comment:
    """A chair hides a comment with a recorded reason; the reason stays public."""
    _require_chair(actor, comment.proposal.group, "hide comments")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give the reason for hiding.", errors={"reason": ["Required."]})
    with transaction.atomic():
        c = Comment.objects.select_for_update().get(pk=comment.pk)
        if c.hidden_at:
            raise Conflict("This comment is already hidden.")
        c.hidden_at, c.hidden_by, c.hidden_reason = timezone.now(), actor, reason[:500]
        c.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        p = c.proposal
        ledger.append(
            "comment.hidden",
            {**_proposal_ref(p), "comment": c.pk, "reason": c.hidden_reason, "by": _person(actor)},
            group=p.group,
        )
    return c


# --- votes and decisions ----------------------------------------------------------------------


def vote_cast(*, proposal: Proposal, voter, choice: str, reason: str = "") -> tuple[Vote, bool]:
    """Cast or replace ``voter``'s vote; returns ``(vote, created)``.

    Locks the proposal row, so votes and the close queue up: a vote that arrives after the close
    sees the closed status and is refused, and one voter's concurrent requests leave exactly one
    vote (the unique constraint is the second guard), the last to take the lock.
    """
    _require_user(voter)
    if choice not in Vote.Choice.values:
        raise Invalid("Vote yes, no or abstain.", errors={"choice": ["yes, no or abstain."]})
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise Invalid("The reason is too long.", errors={"reason": ["At most 2000 characters."]})
    with transaction.atomic():
        p = _lock(proposal)
        now = timezone.now()
        if p.status != Proposal.Status.VOTING or (p.voting_closes_at and p.voting_closes_at <= now):
            raise Conflict("Voting is not open on this proposal.")
        if not VoterRollEntry.objects.filter(proposal=p, user=voter).exists():
            raise NotAllowed("You are not on the voter roll of this proposal.")
        rule = rules.RULES[p.rule]
        if choice in rule.reason_required_for and not reason:
            raise Invalid(
                f"Under {rule.label.lower()}, a “{choice}” vote needs a reason.",
                errors={"reason": ["Required for this choice under the group's rule."]},
            )
        vote = Vote.objects.filter(proposal=p, voter=voter).first()
        if vote is None:
            vote = Vote.objects.create(
                proposal=p,
                voter=voter,
                choice=choice,
                reason=reason,
                revision_id=p.voted_revision_id,
                cast_at=now,
                updated_at=now,
            )
            return vote, True
        vote.choice, vote.reason, vote.updated_at = choice, reason, now
        vote.save(update_fields=["choice", "reason", "updated_at"])
        vote.voter = voter
        return vote, False


def proposal_close(*, proposal: Proposal, now: datetime | None = None) -> Decision:
    """Close a due vote: the rule decides, a Decision is recorded with its tally, and the
    consequences (membership changes, registered hooks) are applied in the same transaction.

    Idempotent: closing an already decided proposal returns its decision; two concurrent closes
    queue on the proposal's row lock and the second finds the first one's decision.
    """
    now = now or timezone.now()
    with transaction.atomic():
        p = _lock(proposal)
        existing = Decision.objects.filter(proposal=p).first()
        if existing is not None:
            return existing
        if p.status != Proposal.Status.VOTING:
            raise Conflict("Only a proposal in voting can be closed.")
        if p.voting_closes_at and p.voting_closes_at > now:
            raise Conflict("The vote is still open; it closes at its closing time.")
        roll_size = VoterRollEntry.objects.filter(proposal=p).count()
        ballots = [rules.Ballot(v.choice, v.reason) for v in Vote.objects.filter(proposal=p)]
        result = rules.decide(
            p.rule, roll_size, ballots, quorum=Fraction(str(p.quorum or Decimal("0.5")))
        )
        decision = Decision.objects.create(
            proposal=p,
            outcome=result.outcome,
            rule=p.rule,
            tally=result.tally.as_dict(),
            explanation=result.explanation,
            roll_size=roll_size,
            revision_id=p.voted_revision_id,
            decided_at=now,
        )
        p.status = result.outcome
        p.closed_at = p.updated_at = now
        p.save(update_fields=["status", "closed_at", "updated_at"])
        # Other apps' handlers run before this transaction takes the ledger lock, so a handler
        # that locks its own rows can never wait on a writer that holds the ledger lock.
        hooks.run(p, decision)
        if result.accepted and p.kind == Proposal.Kind.MEMBERSHIP:
            _apply_membership(p)
        entry = ledger.append(
            "decision.recorded",
            {
                **_proposal_ref(p),
                "outcome": decision.outcome,
                "rule": decision.rule,
                "tally": decision.tally,
                "roll_size": roll_size,
                "revision": p.voted_revision.number if p.voted_revision else None,
                "text_sha256": p.voted_revision.sha256 if p.voted_revision else None,
                "explanation": decision.explanation,
                "target": p.target,
            },
            group=p.group,
        )
        decision.ledger_hash = entry.hash
        decision.save(update_fields=["ledger_hash"])
    return decision


def _apply_membership(p: Proposal) -> None:
    m = Membership.objects.select_for_update().filter(user=p.subject, group=p.group).first()
    if m is None or m.status != Membership.Status.ACTIVE:
        # They left during the vote: nothing to apply, and the decision still stands as recorded.
        return
    old = m.role
    if p.membership_action == Proposal.MembershipAction.PROMOTE:
        m.role = Membership.Role.COMMITTER
    elif p.membership_action == Proposal.MembershipAction.REMOVE:
        m.role = Membership.Role.CONTRIBUTOR
    if m.role != old:
        m.save(update_fields=["role"])
        ledger.append(
            "membership.role_changed",
            {
                "group": p.group.slug,
                "member": _person(m.user),
                "from": old,
                "to": m.role,
                "by_proposal": p.number,
            },
            group=p.group,
        )


def close_due_proposals(*, now: datetime | None = None) -> list[Decision]:
    """Close every vote whose time is up. A proposal whose close fails (e.g. a hook raised) is
    left in voting and retried on the next run; the others are still closed."""
    import logging

    now = now or timezone.now()
    decisions = []
    for pk in Proposal.objects.due(now).order_by("voting_closes_at").values_list("pk", flat=True):
        try:
            decisions.append(proposal_close(proposal=Proposal(pk=pk), now=now))
        except Conflict as exc:
            # Closed or changed meanwhile by someone else, or a hook refused: retried next run.
            logging.getLogger(__name__).warning("Proposal %s not closed: %s", pk, exc.message)
        except Exception:
            logging.getLogger(__name__).exception("Closing proposal %s failed", pk)
    return decisions
