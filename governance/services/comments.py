"""Comments on proposals: members comment with an optional stance; chairs hide with a reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, Invalid

from .. import roles
from ..models import Comment, Proposal
from .common import authors_of, person, publish_for_proposal

EXCERPT_LENGTH = 200


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def comment_add(*, proposal: Proposal, author: Any, body: str, stance: str = "") -> Comment:
    """Members of the proposal's group comment, with an optional stance. Publishes
    ``comment.created`` with the commenter and the start of the comment."""
    roles.require_member(author, proposal.group, "comment")
    body = (body or "").strip()
    if not body:
        raise Invalid("Write a comment.", errors={"body": ["This field may not be blank."]})
    if len(body) > 10_000:
        raise Invalid("The comment is too long.", errors={"body": ["At most 10,000 characters."]})
    if stance not in Comment.Stance.values:
        raise Invalid("Unknown stance.", errors={"stance": ["for, against, neutral or empty."]})
    if proposal.status == Proposal.Status.WITHDRAWN:
        raise Conflict("The proposal was withdrawn; comments are closed.")
    with transaction.atomic():
        c = Comment.objects.create(proposal=proposal, author=author, body=body, stance=stance)
        publish_for_proposal(
            "comment.created",
            proposal,
            {
                "authors": authors_of(proposal),
                "comment": c.pk,
                "author": person(author),
                "stance": stance,
                "excerpt": _excerpt(body),
            },
            actor=author,
            url=f"{proposal.get_absolute_url()}#comment-{c.pk}",
            objects={"comment": c},
        )
    return c


def comment_hide(*, comment: Comment, actor: Any, reason: str) -> Comment:
    """A chair hides a comment with a recorded reason; the reason stays public. Publishes
    ``comment.hidden``."""
    roles.require_chair(actor, comment.proposal.group, "hide comments")
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
        publish_for_proposal(
            "comment.hidden",
            p,
            {
                "comment": c.pk,
                "author": person(c.author),
                "reason": c.hidden_reason,
                "by": person(actor),
            },
            actor=actor,
            url=f"{p.get_absolute_url()}#comment-{c.pk}",
            objects={"comment": c},
        )
    return c
