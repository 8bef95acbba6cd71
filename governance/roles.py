"""Who is who in a working group: the one vocabulary of roles that every app imports.

    from governance import roles

    if roles.is_chair(request.user, group): ...
    roles.require_chair(actor, group, "open a vote")    # raises NotAllowed with that action

The charter makes committers the voting members (a chair is a committer who also chairs);
contributors and above may write proposals; observers follow and comment. Only an *active*
membership holds a role. Functions accept a ``WorkingGroup`` or its primary key, and any user,
anonymous included (who holds no role anywhere). Every check is one query, on the QuerySet methods
of ``Membership`` and ``WorkingGroup``; no app re-implements a role check.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from config.errors import NotAllowed

from .models import Membership, WorkingGroup

Role = Membership.Role
VOTING_ROLES = Membership.VOTING_ROLES
PROPOSER_ROLES = (Role.CONTRIBUTOR, Role.COMMITTER, Role.CHAIR, Role.SECRETARY)


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _group_id(group: WorkingGroup | int | None) -> int | None:
    return getattr(group, "pk", group)


def _group_name(group: WorkingGroup | int) -> str:
    if isinstance(group, WorkingGroup):
        return group.name
    return WorkingGroup.objects.filter(pk=group).values_list("name", flat=True).first() or _(
        "this group"
    )


# --- Reads ------------------------------------------------------------------------------------


def membership_of(user: Any, group: WorkingGroup | int) -> Membership | None:
    """The membership of ``user`` in ``group`` in any status (pending, active, left), or None."""
    if not _signed_in(user):
        return None
    return Membership.objects.of(user).filter(group_id=_group_id(group)).first()


def role_of(user: Any, group: WorkingGroup | int) -> str | None:
    """The active role of ``user`` in ``group``, or None."""
    if not _signed_in(user):
        return None
    return (
        Membership.objects.active()
        .of(user)
        .filter(group_id=_group_id(group))
        .values_list("role", flat=True)
        .first()
    )


def is_member(user: Any, group: WorkingGroup | int) -> bool:
    return role_of(user, group) is not None


def is_chair(user: Any, group: WorkingGroup | int) -> bool:
    return role_of(user, group) == Role.CHAIR


def is_voter(user: Any, group: WorkingGroup | int) -> bool:
    """A voting member (committer or chair) of ``group`` now. A vote's own roll is its snapshot."""
    return role_of(user, group) in VOTING_ROLES


def can_propose(user: Any, group: WorkingGroup | int) -> bool:
    return role_of(user, group) in PROPOSER_ROLES


def chaired_groups(user: Any):
    """The working groups ``user`` chairs now (an empty QuerySet for anonymous users)."""
    if not _signed_in(user):
        return WorkingGroup.objects.none()
    return WorkingGroup.objects.chaired_by(user)


def member_groups(user: Any):
    """The working groups ``user`` is an active member of, in any role."""
    if not _signed_in(user):
        return WorkingGroup.objects.none()
    return WorkingGroup.objects.with_member(user)


def chairs_of(group: WorkingGroup | int):
    """The active chairs' memberships of ``group``, with their users."""
    return Membership.objects.chairs().filter(group_id=_group_id(group)).select_related("user")


def members_of(group: WorkingGroup | int):
    """The active memberships of ``group``, with their users."""
    return Membership.objects.active().filter(group_id=_group_id(group)).select_related("user")


# --- Checks that refuse -------------------------------------------------------------------------


def require_user(actor: Any) -> None:
    if not _signed_in(actor):
        raise NotAllowed(_("Log in first."))


def require_chair(actor: Any, group: WorkingGroup | int, action: str) -> None:
    """Refuse unless ``actor`` chairs ``group``: "Only a chair of <group> may <action>.".

    ``action`` is a verb phrase in the request's language (callers mark it: ``_("open a vote")``)."""
    require_user(actor)
    if not is_chair(actor, group):
        raise NotAllowed(
            _("Only a chair of %(group)s may %(action)s.")
            % {"group": _group_name(group), "action": action}
        )


def require_member(actor: Any, group: WorkingGroup | int, action: str) -> None:
    """Refuse unless ``actor`` is an active member of ``group``."""
    require_user(actor)
    if not is_member(actor, group):
        raise NotAllowed(
            _("Only members of %(group)s may %(action)s.")
            % {"group": _group_name(group), "action": action}
        )
