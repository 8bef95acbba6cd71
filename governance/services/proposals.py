"""Proposals: drafting, revising, moving to discussion, withdrawing, and the API's one transition
endpoint. Opening and closing votes are in ``votes``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict, Invalid, NotAllowed

from .. import roles
from ..models import Proposal, ProposalRevision, WorkingGroup
from .common import (
    authors_of,
    lock_proposal,
    move,
    person,
    publish_for_proposal,
    require_author,
)
from .votes import proposal_open_voting

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
TARGET_TYPE_FOR_KIND = {
    Proposal.Kind.STANDARD_ADOPTION: Proposal.TargetType.STANDARD_VERSION,
    Proposal.Kind.DATASET_ACCEPTANCE: Proposal.TargetType.DATASET_VERSION,
    Proposal.Kind.MODEL_RELEASE: Proposal.TargetType.MODEL_VERSION,
}


def _clean_text(*, title: str, summary: str, body: str) -> dict[str, str]:
    title, summary, body = (title or "").strip(), (summary or "").strip(), body or ""
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the proposal a title.")]
    elif len(title) > 200:
        errors["title"] = [_("Use at most 200 characters.")]
    if len(summary) > 1000:
        errors["summary"] = [_("Use at most 1000 characters.")]
    if len(body) > 100_000:
        errors["body"] = [_("Use at most 100,000 characters.")]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    return {"title": title, "summary": summary, "body": body}


def _clean_target(kind: str, target: dict | None) -> tuple[str, int | None, str]:
    needed = TARGET_TYPE_FOR_KIND.get(kind)
    if not target:
        if needed:
            raise Invalid(
                _("A %(kind)s proposal names its target %(needed)s.")
                % {"kind": kind, "needed": needed},
                errors={
                    "target": [_("Give the %(needed)s (type, id, sha256).") % {"needed": needed}]
                },
            )
        return "", None, ""
    if not isinstance(target, dict):
        raise Invalid(_("The target is an object."), errors={"target": [_("Expected an object.")]})
    ttype, tid, sha = target.get("type"), target.get("id"), str(target.get("sha256") or "").lower()
    errors: dict[str, list[str]] = {}
    if ttype not in Proposal.TargetType.values or not ttype:
        errors["target.type"] = [_("Use standard_version, dataset_version or model_version.")]
    elif needed and ttype != needed:
        errors["target.type"] = [
            _("A %(kind)s proposal targets a %(needed)s.") % {"kind": kind, "needed": needed}
        ]
    if isinstance(tid, bool) or not isinstance(tid, int) or tid <= 0:
        errors["target.id"] = [_("A positive integer.")]
    if not SHA256_RE.match(sha):
        errors["target.sha256"] = [_("64 lowercase hexadecimal characters.")]
    if errors:
        raise Invalid(_("The target is invalid."), errors=errors)
    return ttype, tid, sha


def _check_membership_subject(group: WorkingGroup, subject: Any, action: str) -> None:
    if subject is None:
        raise Invalid(
            _("Name the member to promote or remove."), errors={"subject": [_("Required.")]}
        )
    if action not in (Proposal.MembershipAction.PROMOTE, Proposal.MembershipAction.REMOVE):
        raise Invalid(
            _("Say whether to promote or remove."), errors={"membership_action": [_("Required.")]}
        )
    role = roles.role_of(subject, group)
    if role is None:
        raise Invalid(
            _("The person is not an active member of this group."),
            errors={"subject": [_("Not an active member.")]},
        )
    if action == Proposal.MembershipAction.PROMOTE and role in roles.VOTING_ROLES:
        raise Invalid(
            _("They are already a voting member."), errors={"subject": [_("Already voting.")]}
        )
    if action == Proposal.MembershipAction.REMOVE and role != roles.Role.COMMITTER:
        raise Invalid(
            _("Only a committer can be removed."), errors={"subject": [_("Not a committer.")]}
        )


def proposal_create(
    *,
    group: WorkingGroup,
    author: Any,
    kind: str,
    title: str,
    summary: str,
    body: str,
    target: dict | None = None,
    subject: Any = None,
    membership_action: str = "",
) -> Proposal:
    """A contributor (or above) of ``group`` opens a draft, revision 1; publishes
    ``proposal.created``.

    ``target`` is ``{"type": "standard_version"|"dataset_version", "id": int, "sha256": str}``;
    the app that owns the artifact checks it in an in-transaction handler of ``proposal.created``
    and refuses (``Invalid``) a target that does not exist or whose sha256 differs, which rolls
    the draft back. A ``membership`` proposal names a ``subject`` member and
    ``membership_action`` (promote or remove). Numbers are allocated under a lock on the group
    row, so they never repeat.
    """
    roles.require_user(author)
    if kind not in Proposal.Kind.values:
        raise Invalid(_("Unknown kind."), errors={"kind": [_("Choose a listed kind.")]})
    if group.status != WorkingGroup.Status.ACTIVE:
        raise Conflict(_("This group is archived."))
    if not roles.can_propose(author, group):
        raise NotAllowed(
            _("Only contributors and committers of %(name)s may write proposals.")
            % {"name": group.name}
        )
    text = _clean_text(title=title, summary=summary, body=body)
    ttype, tid, sha = _clean_target(kind, target)
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
        publish_for_proposal(
            "proposal.created",
            proposal,
            {
                "authors": [person(author)],
                "kind": kind,
                "revision": 1,
                "text_sha256": rev.sha256,
                "target": proposal.target,
                "subject": person(subject) if subject else None,
                "membership_action": membership_action,
                "by": person(author),
            },
            actor=author,
            objects={"revision": rev},
        )
    return proposal


def proposal_revise(
    *, proposal: Proposal, actor: Any, title: str, summary: str, body: str
) -> Proposal:
    """An author edits a draft or a proposal under discussion; each edit is a new revision
    (``proposal.revised``). Refused once voting opened (the text is frozen) and for anyone but
    the authors. The same text again changes nothing and publishes nothing."""
    require_author(actor, proposal, _("edit it"))
    text = _clean_text(title=title, summary=summary, body=body)
    with transaction.atomic():
        p = lock_proposal(proposal)
        if not p.is_editable:
            raise Conflict(
                _("The proposal is %(status)s: its text can no longer change.")
                % {"status": p.get_status_display().lower()}
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
        publish_for_proposal(
            "proposal.revised",
            p,
            {
                "authors": authors_of(p),
                "revision": rev.number,
                "text_sha256": rev.sha256,
                "by": person(actor),
            },
            actor=actor,
            objects={"revision": rev},
        )
    return p


def proposal_to_discussion(*, proposal: Proposal, actor: Any) -> Proposal:
    """An author moves a draft to discussion (``proposal.discussion_opened``)."""
    require_author(actor, proposal, _("move it to discussion"))
    with transaction.atomic():
        p = lock_proposal(proposal)
        if p.status != Proposal.Status.DRAFT:
            raise Conflict(
                _("Only a draft moves to discussion; this proposal is %(status)s.")
                % {"status": p.get_status_display().lower()}
            )
        payload = move(p, Proposal.Status.DISCUSSION, actor)
        p.discussion_opened_at = p.updated_at
        p.save(update_fields=["status", "updated_at", "discussion_opened_at"])
        publish_for_proposal("proposal.discussion_opened", p, payload, actor=actor)
    return p


def proposal_withdraw(*, proposal: Proposal, actor: Any) -> Proposal:
    """An author (or a chair) withdraws a draft or a proposal under discussion
    (``proposal.withdrawn``)."""
    roles.require_user(actor)
    is_author = proposal.authors.filter(pk=actor.pk).exists()
    if not is_author and not roles.is_chair(actor, proposal.group):
        raise NotAllowed(_("Only the authors or a chair may withdraw this proposal."))
    with transaction.atomic():
        p = lock_proposal(proposal)
        if p.status not in Proposal.EDITABLE:
            raise Conflict(
                _(
                    "Only a draft or a proposal under discussion can be withdrawn; this one is %(status)s."
                )
                % {"status": p.get_status_display().lower()}
            )
        payload = move(p, Proposal.Status.WITHDRAWN, actor)
        p.closed_at = p.updated_at
        p.save(update_fields=["status", "updated_at", "closed_at"])
        publish_for_proposal("proposal.withdrawn", p, payload, actor=actor)
    return p


def proposal_transition(
    *, proposal: Proposal, actor: Any, to: str, voting_closes_at: datetime | None = None
) -> Proposal:
    """The API's single transition endpoint, dispatching to one function per transition."""
    if to == Proposal.Status.DISCUSSION:
        return proposal_to_discussion(proposal=proposal, actor=actor)
    if to == Proposal.Status.VOTING:
        return proposal_open_voting(proposal=proposal, actor=actor, closes_at=voting_closes_at)
    if to == Proposal.Status.WITHDRAWN:
        return proposal_withdraw(proposal=proposal, actor=actor)
    raise Conflict(
        _("No transition to “%(to)s”: accepted and rejected follow from the vote's close.")
        % {"to": to},
        errors={"to": [_("Use discussion, voting or withdrawn.")]},
    )
