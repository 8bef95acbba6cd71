"""Proposal pages: writing, the proposal (text, actions, vote panel, comments), editing, the
history, transitions, comments, voting and the decision."""

import difflib

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config.confirm import confirm_first
from config.errors import DomainError
from config.kindforms import switching_kind, unbound_copy
from config.markdown import render as markdown
from config.pages import apply_errors, write_view

from .. import roles, selectors, services, targets
from ..forms import (
    CommentForm,
    HideCommentForm,
    OpenVotingForm,
    ProposalEditForm,
    ProposalForm,
    VoteForm,
)
from ..models import Comment, Decision, Proposal, Vote, rule_in_words
from .common import back, group_or_404, proposal_or_404
from .confirmations import transition_confirmation

# Where the services' error keys for a proposal's target land on the proposal form.
TARGET_FIELDS = {
    "target": "target_type",
    "target.type": "target_type",
    "target.id": "target_id",
    "target.sha256": "target_sha256",
}


@login_required
def proposal_create(request, slug: str):
    group = group_or_404(slug)
    if not roles.can_propose(request.user, group):
        raise PermissionDenied(
            _("Only contributors and committers of %(name)s may propose.") % {"name": group.name}
        )
    form = ProposalForm(request.POST or None, initial={"kind": request.GET.get("kind", "general")})
    if switching_kind(request):  # "Show its fields" without JavaScript: re-render, keep the text
        form = unbound_copy(form)
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        subject = None
        if d.get("subject"):
            subject = get_user_model().objects.filter(username=d["subject"].strip()).first()
            if subject is None:
                form.add_error("subject", _("No such person."))
        if not form.errors:
            try:
                proposal = services.proposal_create(
                    group=group,
                    author=request.user,
                    kind=d["kind"],
                    title=d["title"],
                    summary=d["summary"],
                    body=d["body"],
                    target=form.target(),
                    subject=subject,
                    membership_action=d.get("membership_action", ""),
                )
            except DomainError as exc:
                aliases = TARGET_FIELDS
                if form.kind in ProposalForm.FIXED_TARGET_TYPE:  # no type field on the page
                    aliases = {**aliases, "target": "target_id", "target.type": "target_id"}
                apply_errors(form, exc, aliases=aliases)
            else:
                messages.success(
                    request, _("Your draft is saved. Move it to discussion when ready.")
                )
                return redirect(proposal)
    return render(
        request,
        "governance/proposal_form.html",
        {"group": group, "form": form, "creating": True},
        status=400 if form.errors else 200,
    )


def _roll_rows(roll: list[dict], *, show_count: bool) -> SafeString:
    """The rows of the voter roll's table. Built here, not in the template: a roll has hundreds
    of rows, and the template language spent 40 µs on each (a third of the page)."""
    voted = escape(pgettext("a voter has voted", "voted"))
    not_yet = f'<span class="muted">{escape(_("not yet"))}</span>'
    choices = {value: escape(label) for value, label in Vote.Choice.choices}
    rows = []
    for row in roll:
        user, vote = row["user"], row["vote"]
        cells = (
            f'<td>{escape(user.public_name)} <span class="muted">@{escape(user.username)}</span>'
            f"</td><td>{voted if vote else not_yet}</td>"
        )
        if show_count:
            choice, reason = (choices[vote.choice], escape(vote.reason)) if vote else ("", "")
            cells += f"<td>{choice}</td><td>{reason}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 (every value above is escaped)


def _vote_context(proposal: Proposal, user) -> dict:
    """The vote panel: who may vote, who voted, the count and the ballots where the group shows
    them (``selectors.ballots_hidden``), my form."""
    if proposal.status not in (
        Proposal.Status.VOTING,
        Proposal.Status.ACCEPTED,
        Proposal.Status.REJECTED,
    ):
        return {"proposal": proposal, "group": proposal.group, "roll": None}
    roll = selectors.roll_with_votes(proposal)
    my_row = next((r for r in roll if r["user"].pk == user.pk), None)
    counts = {"yes": 0, "no": 0, "abstain": 0}
    for r in roll:
        if r["vote"]:
            counts[r["vote"].choice] += 1
    show_count = not selectors.ballots_hidden(proposal)
    context = {
        "proposal": proposal,
        "group": proposal.group,
        "roll": roll,
        "roll_rows": _roll_rows(roll, show_count=show_count),
        "voted": sum(1 for r in roll if r["vote"]),
        "show_count": show_count,
        "counts": counts,
        "my_vote": my_row["vote"] if my_row else None,
        "on_roll": my_row is not None,
    }
    if proposal.status == Proposal.Status.VOTING and my_row is not None:
        vote = my_row["vote"]
        context["vote_form"] = VoteForm(
            initial={"choice": vote.choice, "reason": vote.reason} if vote else None
        )
        context["rule"] = rule_in_words(proposal.rule)
    return context


def proposal_detail(request, slug: str, number: int):
    proposal = proposal_or_404(slug, number)
    user = request.user
    if request.htmx and request.GET.get("panel") == "vote":
        # The vote panel refreshes itself while the vote is open.
        return render(request, "governance/_vote_panel.html", _vote_context(proposal, user))
    group = proposal.group
    is_chair = roles.is_chair(user, group)
    authors = list(proposal.authors.all())
    comments = selectors.discussion_for(proposal, user)
    is_author = user.is_authenticated and any(a.pk == user.pk for a in authors)
    context = {
        "proposal": proposal,
        "group": group,
        "authors": authors,
        "body_html": markdown(proposal.body),
        "is_author": is_author,
        "is_chair": is_chair,
        "is_member": roles.is_member(user, group),
        "comments": comments,
        "comment_count": sum(1 + len(c.thread) for c in comments),
        "stances": Comment.Stance.choices,
        "comment_form": CommentForm(),
        "hide_form": HideCommentForm() if is_chair else None,
        "target": targets.target_of(proposal),
    }
    if proposal.status == Proposal.Status.DISCUSSION and is_chair:
        context["open_form"] = OpenVotingForm()
    context.update(_vote_context(proposal, user))
    return render(request, "governance/proposal_detail.html", context)


@login_required
def proposal_edit(request, slug: str, number: int):
    proposal = proposal_or_404(slug, number)
    if not proposal.authors.filter(pk=request.user.pk).exists():
        raise PermissionDenied(_("Only the authors of this proposal may edit it."))
    form = ProposalEditForm(
        request.POST or None,
        initial={"title": proposal.title, "summary": proposal.summary, "body": proposal.body},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_revise(proposal=proposal, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved as a new revision."))
            return redirect(proposal)
    return render(
        request,
        "governance/proposal_form.html",
        {"group": proposal.group, "proposal": proposal, "form": form, "creating": False},
        status=400 if form.errors else 200,
    )


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    rows = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        rows.append(({"+ ": "ins", "- ": "del"}.get(tag, "same"), text))
    return rows


def proposal_history(request, slug: str, number: int):
    proposal = proposal_or_404(slug, number)
    revisions = list(proposal.revisions.select_related("author").order_by("number"))
    by_number = {r.number: r for r in revisions}

    def pick(name: str, default: int) -> int:
        try:
            value = int(request.GET.get(name, default))
        except (TypeError, ValueError):
            value = default
        return value if value in by_number else default

    newest = revisions[-1].number
    b = pick("to", newest)
    a = pick("from", max(1, b - 1))
    old, new = by_number[a], by_number[b]
    diff = {
        "title": _diff(old.title, new.title),
        "summary": _diff(old.summary, new.summary),
        "body": _diff(old.body, new.body),
    }
    return render(
        request,
        "governance/proposal_history.html",
        {
            "proposal": proposal,
            "group": proposal.group,
            "revisions": revisions,
            "old": old,
            "new": new,
            "diff": diff,
        },
    )


@confirm_first(transition_confirmation, back=back)
@write_view(back=back)
def proposal_transition(request, slug: str, number: int):
    proposal = proposal_or_404(slug, number)
    to = request.POST.get("to", "")
    closes_at = None
    if to == Proposal.Status.VOTING:
        form = OpenVotingForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a valid closing time (UTC)."))
            return redirect(proposal)
        closes_at = form.cleaned_data["voting_closes_at"]
    services.proposal_transition(
        proposal=proposal, actor=request.user, to=to, voting_closes_at=closes_at
    )
    messages.success(
        request,
        {
            "discussion": _("The proposal is open for discussion."),
            "voting": _("The vote is open; the text is frozen and the voter roll is set."),
            "withdrawn": _("The proposal is withdrawn."),
        }[to],
    )
    return redirect(proposal)


@write_view(back=back)
def comment_add(request, slug: str, number: int):
    proposal = proposal_or_404(slug, number)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
        return redirect(proposal)
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(Comment, pk=_int_or_404(request.POST["parent"]))
    c = services.comment_add(
        proposal=proposal,
        author=request.user,
        body=form.cleaned_data["body"],
        stance=form.cleaned_data["stance"] or "",
        parent=parent,
    )
    messages.success(request, _("Reply posted.") if parent else _("Comment posted."))
    return redirect(proposal.get_absolute_url() + f"#comment-{c.pk}")


def _int_or_404(raw: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Http404(_("No such comment.")) from None


@write_view(back=back)
def comment_edit(request, slug: str, number: int, pk: int):
    """The author edits their comment; the page keeps the earlier text in its history."""
    proposal = proposal_or_404(slug, number)
    comment = get_object_or_404(Comment, pk=pk, proposal=proposal)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the comment's new text."))
        return redirect(proposal.get_absolute_url() + f"#comment-{comment.pk}")
    services.comment_edit(
        comment=comment,
        actor=request.user,
        body=form.cleaned_data["body"],
        stance=form.cleaned_data["stance"] or "",
    )
    messages.success(request, _("Comment edited; the earlier text is kept in its history."))
    return redirect(proposal.get_absolute_url() + f"#comment-{comment.pk}")


@write_view(back=back)
def comment_react(request, slug: str, number: int, pk: int):
    """Add (``action=add``) or take back (``action=remove``) one's reaction. Both idempotent, so
    a double click or a stale page never toggles twice."""
    proposal = proposal_or_404(slug, number)
    comment = get_object_or_404(
        Comment.objects.select_related("proposal__group"), pk=pk, proposal=proposal
    )
    emoji = request.POST.get("emoji", "")
    if request.POST.get("action") == "remove":
        services.reaction_remove(comment=comment, actor=request.user, emoji=emoji)
    else:
        services.reaction_add(comment=comment, actor=request.user, emoji=emoji)
    if request.htmx:
        row = next(
            c
            for top in selectors.discussion_for(proposal, request.user)
            for c in (top, *top.thread)
            if c.pk == comment.pk
        )
        return render(
            request,
            "governance/_reactions.html",
            {"c": row, "group": proposal.group, "proposal": proposal, "is_member": True},
        )
    return redirect(proposal.get_absolute_url() + f"#comment-{comment.pk}")


@write_view(back=back)
def comment_hide(request, slug: str, number: int, pk: int):
    proposal = proposal_or_404(slug, number)
    comment = get_object_or_404(Comment, pk=pk, proposal=proposal)
    services.comment_hide(
        comment=comment, actor=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("The comment is hidden; the reason is shown in its place."))
    return redirect(proposal.get_absolute_url() + "#comments")


@write_view(back=back)
def vote(request, slug: str, number: int):
    proposal = proposal_or_404(slug, number)
    form = VoteForm(request.POST)
    if request.htmx:
        # Swap the vote panel in place, with the outcome announced inside it.
        extra = {}
        if not form.is_valid():
            extra["vote_error"] = _("Choose yes, no or abstain.")
        else:
            try:
                _vote, created = services.vote_cast(
                    proposal=proposal, voter=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                extra["vote_error"] = exc.message
            else:
                extra["vote_message"] = (
                    _("Your vote is recorded.") if created else _("Your vote is changed.")
                )
        context = _vote_context(proposal_or_404(slug, number), request.user)
        return render(request, "governance/_vote_panel.html", {**context, **extra})
    if not form.is_valid():
        messages.error(request, _("Choose yes, no or abstain."))
        return redirect(proposal)
    _vote, created = services.vote_cast(proposal=proposal, voter=request.user, **form.cleaned_data)
    messages.success(
        request, _("Your vote is recorded.") if created else _("Your vote is changed.")
    )
    return redirect(proposal.get_absolute_url() + "#vote")


def decision_detail(request, slug: str, number: int):
    decision = get_object_or_404(
        Decision.objects.with_proposal().select_related("proposal__subject"),
        proposal__group__slug=slug,
        proposal__number=number,
    )
    proposal = decision.proposal
    votes = list(
        Vote.objects.filter(proposal=proposal).select_related("voter").order_by("voter__username")
    )
    return render(
        request,
        "governance/decision_detail.html",
        {
            "decision": decision,
            "proposal": proposal,
            "group": proposal.group,
            "votes": votes,
            "revision_html": markdown(decision.revision.body),
        },
    )
