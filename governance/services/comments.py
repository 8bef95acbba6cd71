"""Comments on proposals: members comment with an optional stance and reply to a comment (one
level); authors edit their own comments (every earlier text is kept); members react; chairs hide
with a reason."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict, Invalid, NotAllowed

from .. import roles
from ..models import Comment, CommentReaction, CommentRevision, Proposal, Reaction
from .common import authors_of, person, publish_for_proposal

EXCERPT_LENGTH = 200


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def _checked_text(body: str, stance: str) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid(_("Write a comment."), errors={"body": [_("This field may not be blank.")]})
    if len(body) > 10_000:
        raise Invalid(
            _("The comment is too long."), errors={"body": [_("At most 10,000 characters.")]}
        )
    if stance not in Comment.Stance.values:
        raise Invalid(
            _("Unknown stance."), errors={"stance": [_("for, against, neutral or empty.")]}
        )
    return body


def _check_parent(proposal: Proposal, parent: Comment | None) -> None:
    if parent is None:
        return
    parent = Comment.objects.get(pk=parent.pk)  # its current state, not the caller's copy
    if parent.proposal_id != proposal.pk:
        raise Invalid(
            _("That comment is on another proposal."), errors={"parent": [_("Not here.")]}
        )
    if parent.parent_id is not None:
        raise Invalid(
            _("Replies go one level deep: answer the comment this reply answers."),
            errors={"parent": [_("A reply cannot be answered; reply to its comment.")]},
        )
    if parent.is_hidden:
        raise Conflict(_("That comment is hidden; it takes no replies."))


def comment_add(
    *,
    proposal: Proposal,
    author: Any,
    body: str,
    stance: str = "",
    parent: Comment | None = None,
) -> Comment:
    """Members of the proposal's group comment, with an optional stance, or reply to a top-level
    comment (``parent``; one level). Publishes ``comment.created`` with the commenter, the start
    of the comment and ``parent`` (the answered comment's id, or null)."""
    roles.require_member(author, proposal.group, _("comment"))
    body = _checked_text(body, stance)
    if proposal.status == Proposal.Status.WITHDRAWN:
        raise Conflict(_("The proposal was withdrawn; comments are closed."))
    _check_parent(proposal, parent)
    with transaction.atomic():
        c = Comment.objects.create(
            proposal=proposal, author=author, body=body, stance=stance, parent=parent
        )
        publish_for_proposal(
            "comment.created",
            proposal,
            {
                "authors": authors_of(proposal),
                "comment": c.pk,
                "author": person(author),
                "stance": stance,
                "excerpt": _excerpt(body),
                "parent": parent.pk if parent else None,
            },
            actor=author,
            url=f"{proposal.get_absolute_url()}#comment-{c.pk}",
            objects={"comment": c},
        )
    return c


def comment_hide(*, comment: Comment, actor: Any, reason: str) -> Comment:
    """A chair hides a comment with a recorded reason; the reason stays public. Publishes
    ``comment.hidden``."""
    roles.require_chair(actor, comment.proposal.group, _("hide comments"))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for hiding."), errors={"reason": [_("Required.")]})
    with transaction.atomic():
        c = Comment.objects.select_for_update().get(pk=comment.pk)
        if c.hidden_at:
            raise Conflict(_("This comment is already hidden."))
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


def comment_edit(*, comment: Comment, actor: Any, body: str, stance: str | None = None) -> Comment:
    """The author edits their comment. The text it replaces is kept as a ``CommentRevision``
    (shown on the page as the comment's history). A hidden comment, or one on a withdrawn proposal,
    cannot be edited. Locks the comment row, so two edits at once keep both earlier texts.
    Publishes ``comment.edited`` (public) with the revision number that was kept."""
    roles.require_user(actor)
    stance = comment.stance if stance is None else stance
    body = _checked_text(body, stance)
    with transaction.atomic():
        c = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("proposal__group")
            .get(pk=comment.pk)
        )
        if c.author_id != actor.pk:
            raise NotAllowed(_("Only the author of a comment may edit it."))
        if c.is_hidden:
            raise Conflict(_("This comment is hidden; it cannot be edited."))
        if c.proposal.status == Proposal.Status.WITHDRAWN:
            raise Conflict(_("The proposal was withdrawn; comments are closed."))
        if body == c.body and stance == c.stance:
            return c
        number = c.revisions.count() + 1
        CommentRevision.objects.create(
            comment=c,
            number=number,
            body=c.body,
            stance=c.stance,
            written_at=c.edited_at or c.created_at,
        )
        c.body, c.stance, c.edited_at = body, stance, timezone.now()
        c.save(update_fields=["body", "stance", "edited_at"])
        publish_for_proposal(
            "comment.edited",
            c.proposal,
            {
                "comment": c.pk,
                "author": person(actor),
                "stance": stance,
                "excerpt": _excerpt(body),
                "revisions": number,
            },
            actor=actor,
            url=f"{c.proposal.get_absolute_url()}#comment-{c.pk}",
            objects={"comment": c},
        )
    return c


def _check_reaction(comment: Comment, actor: Any, emoji: str) -> None:
    if emoji not in Reaction.values:
        raise Invalid(
            _("Unknown reaction."),
            errors={"emoji": [_("One of %(items)s.") % {"items": ", ".join(Reaction.values)}]},
        )
    roles.require_member(actor, comment.proposal.group, _("react to comments"))
    if Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False).exists():
        raise Conflict(_("This comment is hidden; it takes no reactions."))


def reaction_add(*, comment: Comment, actor: Any, emoji: str) -> CommentReaction:
    """Members react to a visible comment; one reaction of each kind per person. Idempotent and
    safe under concurrency: the unique constraint settles a race, the loser reads the winner's row.
    No event: reactions are not news."""
    _check_reaction(comment, actor, emoji)
    try:
        with transaction.atomic():
            return CommentReaction.objects.create(comment=comment, user=actor, emoji=emoji)
    except IntegrityError:
        return CommentReaction.objects.get(comment=comment, user=actor, emoji=emoji)


def reaction_remove(*, comment: Comment, actor: Any, emoji: str) -> bool:
    """Take back one's reaction; idempotent (whether a row went is returned)."""
    roles.require_user(actor)
    if emoji not in Reaction.values:
        raise Invalid(_("Unknown reaction."), errors={"emoji": [_("Not a reaction.")]})
    deleted, _deleted = CommentReaction.objects.filter(
        comment=comment, user=actor, emoji=emoji
    ).delete()
    return bool(deleted)
