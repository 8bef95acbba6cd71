"""Website pages. Every write calls a service; pages work without JavaScript."""

import difflib
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from config.errors import DomainError, NotAllowed
from config.markdown import render as markdown

from . import selectors, services
from .forms import (
    CommentForm,
    GroupSettingsForm,
    HideCommentForm,
    OpenVotingForm,
    ProposalEditForm,
    ProposalForm,
    RoleForm,
    VoteForm,
)
from .models import Comment, Decision, Membership, Proposal, Vote, WorkingGroup
from .rules import RULES

ROLE_ORDER = [
    Membership.Role.CHAIR,
    Membership.Role.SECRETARY,
    Membership.Role.COMMITTER,
    Membership.Role.CONTRIBUTOR,
    Membership.Role.OBSERVER,
]


def _group(slug: str) -> WorkingGroup:
    return get_object_or_404(WorkingGroup.objects.select_related("settings", "parent"), slug=slug)


def _proposal(slug: str, number: int) -> Proposal:
    return get_object_or_404(selectors.proposal_detail_queryset(), group__slug=slug, number=number)


def _refused(request, exc: DomainError):
    """Turn a refused write into a 403 page, or a message on the page it came from."""
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)


def write_view(view):
    """POST-only, logged in; domain errors become a 403 or a flash message."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            _refused(request, exc)
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = _back(kwargs)
            return redirect(target)

    return wrapper


def _back(kwargs) -> str:
    if "number" in kwargs:
        return f"/groups/{kwargs['slug']}/proposals/{kwargs['number']}/"
    if "slug" in kwargs:
        return f"/groups/{kwargs['slug']}/"
    return "/groups/"


# --- groups -----------------------------------------------------------------------------------


def group_list(request):
    groups = selectors.group_list().order_by("name")
    return render(request, "governance/group_list.html", {"groups": groups})


def group_detail(request, slug: str):
    group = _group(slug)
    members = list(selectors.active_members(group))
    me = next((m for m in members if m.user_id == request.user.pk), None)
    my_membership = me or selectors.membership_of(request.user, group)
    is_chair = me is not None and me.role == Membership.Role.CHAIR
    by_role = [
        (label, [m for m in members if m.role == role])
        for role, label in Membership.Role.choices
        if role in ROLE_ORDER
    ]
    by_role.sort(key=lambda item: ROLE_ORDER.index(_role_value(item[0])))
    proposals = list(selectors.proposals_of(group))
    by_status = [
        (value, label, [p for p in proposals if p.status == value])
        for value, label in Proposal.Status.choices
    ]
    context = {
        "group": group,
        "charter_html": markdown(group.charter),
        "members_by_role": by_role,
        "member_count": len(members),
        "my_membership": my_membership,
        "is_chair": is_chair,
        "can_propose": me is not None and me.role in selectors.PROPOSER_ROLES,
        "proposals_by_status": by_status,
        "proposal_count": len(proposals),
        "children": list(group.children.all()),
    }
    if is_chair:
        context["pending"] = list(selectors.pending_requests(group))
        context["role_form"] = RoleForm()
    return render(request, "governance/group_detail.html", context)


def _role_value(label: str) -> str:
    return next(value for value, lab in Membership.Role.choices if lab == label)


@write_view
def group_join(request, slug: str):
    group = _group(slug)
    m = services.membership_request(group=group, user=request.user)
    if m.status == Membership.Status.ACTIVE:
        messages.success(request, f"You joined {group.name} as an observer.")
    else:
        messages.success(request, "Your request is sent; a chair will approve or decline it.")
    return redirect(group)


@write_view
def group_leave(request, slug: str):
    group = _group(slug)
    services.membership_leave(group=group, user=request.user)
    messages.success(request, f"You left {group.name}.")
    return redirect(group)


@write_view
def membership_action(request, slug: str, pk: int, action: str):
    group = _group(slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, group=group)
    name = membership.user.public_name
    if action == "approve":
        form = RoleForm(request.POST)
        role = form.cleaned_data["role"] if form.is_valid() else Membership.Role.OBSERVER
        services.membership_approve(membership=membership, actor=request.user, role=role)
        messages.success(request, f"{name} is now a member ({role}).")
    elif action == "decline":
        services.membership_decline(membership=membership, actor=request.user)
        messages.success(request, f"The request from {name} is declined.")
    elif action == "role":
        form = RoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose observer or contributor.")
            return redirect(group)
        services.membership_set_role(
            membership=membership, actor=request.user, role=form.cleaned_data["role"]
        )
        messages.success(request, f"{name} is now {form.cleaned_data['role']}.")
    else:
        raise Http404
    return redirect(group)


@login_required
def group_settings(request, slug: str):
    group = _group(slug)
    if not selectors.is_chair(request.user, group):
        raise PermissionDenied(f"Only a chair of {group.name} may change its settings.")
    gs = services.settings_of(group)
    form = GroupSettingsForm(
        request.POST or None,
        initial={
            "general_rule": gs.general_rule,
            "quorum": gs.quorum,
            "show_live_tally": gs.show_live_tally,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_settings_update(group=group, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Settings saved. Votes already open keep their rule.")
            return redirect(group)
    return render(
        request,
        "governance/group_settings.html",
        {"group": group, "form": form},
        status=400 if form.errors else 200,
    )


def group_activity(request, slug: str):
    group = _group(slug)
    page = Paginator(selectors.group_activity(group), 50).get_page(request.GET.get("page"))
    return render(request, "governance/group_activity.html", {"group": group, "page": page})


# --- proposals --------------------------------------------------------------------------------


@login_required
def proposal_create(request, slug: str):
    group = _group(slug)
    if not selectors.can_propose(request.user, group):
        raise PermissionDenied(f"Only contributors and committers of {group.name} may propose.")
    form = ProposalForm(request.POST or None, initial={"kind": request.GET.get("kind", "general")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        subject = None
        if d["subject"]:
            subject = get_user_model().objects.filter(username=d["subject"].strip()).first()
            if subject is None:
                form.add_error("subject", "No such person.")
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
                    membership_action=d["membership_action"],
                )
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Your draft is saved. Move it to discussion when ready.")
                return redirect(proposal)
    return render(
        request,
        "governance/proposal_form.html",
        {"group": group, "form": form, "creating": True},
        status=400 if form.errors else 200,
    )


def _form_errors(form, exc: DomainError) -> None:
    placed = False
    for field, errors in exc.errors.items():
        name = field.split(".")[0]
        if name == "target":
            name = "target_" + field.split(".")[-1] if "." in field else "target_type"
        if name in form.fields:
            for e in errors:
                form.add_error(name, e)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _vote_context(proposal: Proposal, user) -> dict:
    """The vote panel: who may vote, who voted, the count where the group shows it, my form."""
    if proposal.status not in (
        Proposal.Status.VOTING,
        Proposal.Status.ACCEPTED,
        Proposal.Status.REJECTED,
    ):
        return {"proposal": proposal, "group": proposal.group, "roll": None}
    roll = selectors.roll_with_votes(proposal)
    my_row = next((r for r in roll if r["user"].pk == user.pk), None)
    gs = getattr(proposal.group, "settings", None)
    show_count = proposal.status != Proposal.Status.VOTING or gs is None or gs.show_live_tally
    counts = {"yes": 0, "no": 0, "abstain": 0}
    for r in roll:
        if r["vote"]:
            counts[r["vote"].choice] += 1
    context = {
        "proposal": proposal,
        "group": proposal.group,
        "roll": roll,
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
        context["rule"] = RULES.get(proposal.rule)
    return context


def proposal_detail(request, slug: str, number: int):
    proposal = _proposal(slug, number)
    group = proposal.group
    user = request.user
    membership = selectors.membership_of(user, group)
    active_role = (
        membership.role if membership and membership.status == Membership.Status.ACTIVE else None
    )
    is_chair = active_role == Membership.Role.CHAIR
    authors = list(proposal.authors.all())
    is_author = user.is_authenticated and any(a.pk == user.pk for a in authors)
    comments = list(selectors.comments_for(proposal, can_moderate=is_chair))
    context = {
        "proposal": proposal,
        "group": group,
        "authors": authors,
        "body_html": markdown(proposal.body),
        "is_author": is_author,
        "is_chair": is_chair,
        "is_member": active_role is not None,
        "comments": comments,
        "comment_form": CommentForm(),
        "hide_form": HideCommentForm() if is_chair else None,
    }
    if proposal.status == Proposal.Status.DISCUSSION and is_chair:
        context["open_form"] = OpenVotingForm()
    context.update(_vote_context(proposal, user))
    if request.htmx and request.GET.get("panel") == "vote":
        # The vote panel refreshes itself while the vote is open.
        return render(request, "governance/_vote_panel.html", context)
    return render(request, "governance/proposal_detail.html", context)


@login_required
def proposal_edit(request, slug: str, number: int):
    proposal = _proposal(slug, number)
    if not proposal.authors.filter(pk=request.user.pk).exists():
        raise PermissionDenied("Only the authors of this proposal may edit it.")
    form = ProposalEditForm(
        request.POST or None,
        initial={"title": proposal.title, "summary": proposal.summary, "body": proposal.body},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_revise(proposal=proposal, actor=request.user, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Saved as a new revision.")
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
    proposal = _proposal(slug, number)
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


@write_view
def proposal_transition(request, slug: str, number: int):
    proposal = _proposal(slug, number)
    to = request.POST.get("to", "")
    closes_at = None
    if to == Proposal.Status.VOTING:
        form = OpenVotingForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give a valid closing time (UTC).")
            return redirect(proposal)
        closes_at = form.cleaned_data["voting_closes_at"]
    services.proposal_transition(
        proposal=proposal, actor=request.user, to=to, voting_closes_at=closes_at
    )
    messages.success(
        request,
        {
            "discussion": "The proposal is open for discussion.",
            "voting": "The vote is open; the text is frozen and the voter roll is set.",
            "withdrawn": "The proposal is withdrawn.",
        }[to],
    )
    return redirect(proposal)


@write_view
def comment_add(request, slug: str, number: int):
    proposal = _proposal(slug, number)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a comment first.")
        return redirect(proposal)
    services.comment_add(
        proposal=proposal,
        author=request.user,
        body=form.cleaned_data["body"],
        stance=form.cleaned_data["stance"] or "",
    )
    messages.success(request, "Comment posted.")
    return redirect(proposal.get_absolute_url() + "#comments")


@write_view
def comment_hide(request, slug: str, number: int, pk: int):
    proposal = _proposal(slug, number)
    comment = get_object_or_404(Comment, pk=pk, proposal=proposal)
    services.comment_hide(
        comment=comment, actor=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, "The comment is hidden; the reason is shown in its place.")
    return redirect(proposal.get_absolute_url() + "#comments")


@write_view
def vote(request, slug: str, number: int):
    proposal = _proposal(slug, number)
    form = VoteForm(request.POST)
    if request.htmx:
        # Swap the vote panel in place, with the outcome announced inside it.
        extra = {}
        if not form.is_valid():
            extra["vote_error"] = "Choose yes, no or abstain."
        else:
            try:
                _, created = services.vote_cast(
                    proposal=proposal, voter=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                extra["vote_error"] = exc.message
            else:
                extra["vote_message"] = (
                    "Your vote is recorded." if created else "Your vote is changed."
                )
        context = _vote_context(_proposal(slug, number), request.user)
        return render(request, "governance/_vote_panel.html", {**context, **extra})
    if not form.is_valid():
        messages.error(request, "Choose yes, no or abstain.")
        return redirect(proposal)
    _, created = services.vote_cast(proposal=proposal, voter=request.user, **form.cleaned_data)
    messages.success(request, "Your vote is recorded." if created else "Your vote is changed.")
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


@login_required
def my_work(request):
    return render(request, "governance/my_work.html", selectors.my_work(request.user))
