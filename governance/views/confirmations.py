"""What the confirmation page says before an irreversible group action (``config.confirm``):
leaving a group, withdrawing a proposal."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from config.confirm import Confirmation
from config.errors import Conflict, NotAllowed

from .. import roles
from ..models import Membership, Proposal, WorkingGroup
from .common import group_or_404, proposal_or_404

Role = Membership.Role


def _you_are(membership: Membership, group: WorkingGroup) -> str:
    """The sentence for the member's role: one per role, as articles differ by language."""
    sentences = {
        Role.OBSERVER: _("You are an observer of %(group)s."),
        Role.CONTRIBUTOR: _("You are a contributor of %(group)s."),
        Role.COMMITTER: _("You are a committer of %(group)s."),
        Role.CHAIR: _("You are a chair of %(group)s."),
        Role.SECRETARY: _("You are a secretary of %(group)s."),
    }
    sentence = sentences.get(membership.role) or _("You are %(role)s of %(group)s.")
    return sentence % {"group": group.name, "role": membership.role}


def _coming_back(group: WorkingGroup) -> str:
    if group.join_policy == WorkingGroup.JoinPolicy.OPEN:
        return _("If you join again, you join as an observer.")
    if group.join_policy == WorkingGroup.JoinPolicy.APPROVAL:
        return _(
            "If you ask to join again, a chair must approve you, and you come back as an observer."
        )
    return _("This group admits members by invitation only: you cannot join again on your own.")


def leave_consequences(membership: Membership, group: WorkingGroup) -> list[str]:
    """What a member loses by leaving ``group``, in words, for their role."""
    if membership.status == Membership.Status.PENDING:
        return [_("Your request to join is withdrawn; a chair will no longer see it.")]
    lost: list[str] = []
    role = membership.role
    if role in Membership.VOTING_ROLES:
        lost.append(
            _(
                "You lose your voting seat: you will no longer vote on this group's proposals, "
                "including votes that open after today."
            )
        )
        lost.append(
            _(
                "The committer seat does not come back when you rejoin: only an accepted membership "
                "proposal, voted by the committers, makes you a committer again."
            )
        )
    if role == Role.CHAIR:
        others = Membership.objects.chairs().filter(group=group).exclude(pk=membership.pk).count()
        lost.append(
            _(
                "You stop chairing: you can no longer open votes, approve join requests or change "
                "the group's settings."
            )
        )
        if others == 0:
            lost.append(_("You are the only chair: the group will have no chair."))
    if role == Role.SECRETARY:
        lost.append(_("You stop being the group's secretary."))
    if role in roles.PROPOSER_ROLES:
        lost.append(
            _(
                "You can no longer write proposals here; after rejoining, a chair must make you a "
                "contributor again."
            )
        )
    lost.append(_coming_back(group))
    return lost


def leave_confirmation(request: HttpRequest, slug: str) -> Confirmation | None:
    """Leaving asks first and says what is lost; withdrawing a pending request does not ask
    (nothing is lost: the person may ask again at once)."""
    group = group_or_404(slug)
    membership = roles.membership_of(request.user, group)
    if membership is None or membership.status == Membership.Status.LEFT:
        raise Conflict(_("You are not a member of this group."))
    if membership.status == Membership.Status.PENDING:
        return None
    return Confirmation(
        title=_("Leave %(group)s?") % {"group": group.name},
        intro=_you_are(membership, group),
        consequences=leave_consequences(membership, group),
        button=_("Leave the group"),
        cancel_url=group.get_absolute_url(),
    )


def transition_confirmation(request: HttpRequest, slug: str, number: int) -> Confirmation | None:
    """Withdrawing asks first; opening discussion or a vote does not (no confirmation)."""
    if request.POST.get("to") != Proposal.Status.WITHDRAWN and request.GET.get("to") != (
        Proposal.Status.WITHDRAWN
    ):
        return None
    proposal = proposal_or_404(slug, number)
    # The service's own refusals, before asking: nobody is asked to confirm what they may not do.
    is_author = proposal.authors.filter(pk=request.user.pk).exists()
    if not is_author and not roles.is_chair(request.user, proposal.group):
        raise NotAllowed(_("Only the authors or a chair may withdraw this proposal."))
    if proposal.status not in Proposal.EDITABLE:
        raise Conflict(
            _(
                "Only a draft or a proposal under discussion can be withdrawn; this one is %(status)s."
            )
            % {"status": proposal.get_status_display().lower()}
        )
    return Confirmation(
        title=_("Withdraw proposal #%(number)s, “%(title)s”?")
        % {"number": proposal.number, "title": proposal.title},
        consequences=[
            _("The proposal closes for good: no more revisions, discussion or vote."),
            _("It cannot be reopened; to try again, write a new proposal."),
        ],
        button=_("Withdraw the proposal"),
        cancel_url=proposal.get_absolute_url(),
        fields={"to": Proposal.Status.WITHDRAWN},
    )
