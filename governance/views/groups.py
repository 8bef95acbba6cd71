"""Group pages: the list, a group (members, proposals, join requests), joining and leaving,
members' roles, settings, the activity feed, and my work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from config.confirm import confirm_first
from config.errors import DomainError
from config.markdown import render as markdown
from config.pages import apply_errors, write_view
from transparency import words as log_words

from .. import roles, selectors, services
from ..forms import GroupSettingsForm, RoleForm
from ..models import Membership, Proposal
from .common import back, group_or_404
from .confirmations import leave_confirmation

ROLE_ORDER = [
    Membership.Role.CHAIR,
    Membership.Role.SECRETARY,
    Membership.Role.COMMITTER,
    Membership.Role.CONTRIBUTOR,
    Membership.Role.OBSERVER,
]


def group_list(request):
    groups = selectors.group_list().order_by("name")
    return render(request, "governance/group_list.html", {"groups": groups})


def group_detail(request, slug: str):
    group = group_or_404(slug)
    user = request.user
    members = list(selectors.active_members(group))
    is_chair = roles.is_chair(user, group)
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
        "my_membership": roles.membership_of(user, group),
        "is_chair": is_chair,
        "can_propose": roles.can_propose(user, group),
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


@write_view(back=back)
def group_join(request, slug: str):
    group = group_or_404(slug)
    m = services.membership_request(group=group, user=request.user)
    if m.status == Membership.Status.ACTIVE:
        messages.success(request, _("You joined %(name)s as an observer.") % {"name": group.name})
    else:
        messages.success(request, _("Your request is sent; a chair will approve or decline it."))
    return redirect(group)


@confirm_first(leave_confirmation, back=back)
@write_view(back=back)
def group_leave(request, slug: str):
    group = group_or_404(slug)
    pending = Membership.objects.filter(
        group=group, user=request.user, status=Membership.Status.PENDING
    ).exists()
    services.membership_leave(group=group, user=request.user)
    if pending:
        messages.success(
            request, _("Your request to join %(name)s is withdrawn.") % {"name": group.name}
        )
    else:
        messages.success(request, _("You left %(name)s.") % {"name": group.name})
    return redirect(group)


@write_view(back=back)
def membership_action(request, slug: str, pk: int, action: str):
    group = group_or_404(slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, group=group)
    name = membership.user.public_name
    if action == "approve":
        form = RoleForm(request.POST)
        role = form.cleaned_data["role"] if form.is_valid() else Membership.Role.OBSERVER
        services.membership_approve(membership=membership, actor=request.user, role=role)
        messages.success(
            request, _("%(name)s is now a member (%(role)s).") % {"name": name, "role": role}
        )
    elif action == "decline":
        services.membership_decline(membership=membership, actor=request.user)
        messages.success(request, _("The request from %(name)s is declined.") % {"name": name})
    elif action == "role":
        form = RoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose observer or contributor."))
            return redirect(group)
        services.membership_set_role(
            membership=membership, actor=request.user, role=form.cleaned_data["role"]
        )
        messages.success(
            request,
            _("%(name)s is now %(role)s.") % {"name": name, "role": form.cleaned_data["role"]},
        )
    else:
        raise Http404
    return redirect(group)


@login_required
def group_settings(request, slug: str):
    group = group_or_404(slug)
    if not roles.is_chair(request.user, group):
        raise PermissionDenied(
            _("Only a chair of %(name)s may change its settings.") % {"name": group.name}
        )
    gs = services.settings_of(group)
    form = GroupSettingsForm(
        request.POST or None,
        initial={
            "general_rule": gs.general_rule,
            "quorum": gs.quorum,
            "show_live_tally": gs.show_live_tally,
            "early_close": gs.early_close,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_settings_update(group=group, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Settings saved. Votes already open keep their rule."))
            return redirect(group)
    return render(
        request,
        "governance/group_settings.html",
        {"group": group, "form": form},
        status=400 if form.errors else 200,
    )


def group_activity(request, slug: str):
    group = group_or_404(slug)
    page = Paginator(selectors.group_activity(group), 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for entry in page.object_list:
        # In words (transparency.words: the same sentences as the public log page).
        entry.words = log_words.sentence(entry.kind, entry.payload)
    return render(request, "governance/group_activity.html", {"group": group, "page": page})
