"""Working groups and memberships: creation, settings, joining, approval, roles, leaving, and the
membership change an accepted membership proposal makes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict, Invalid, NotAllowed
from config.events import Event

from .. import roles, rules
from ..models import DecisionRule, GroupSettings, Membership, Proposal, WorkingGroup
from .common import person, publish_for_group, settings_of

# A chair moves members between these roles; voting roles change only by an accepted proposal.
CHAIR_ASSIGNABLE = (Membership.Role.OBSERVER, Membership.Role.CONTRIBUTOR)


def group_create(
    *,
    slug: str,
    name: str,
    actor: Any,
    charter: str = "",
    parent: WorkingGroup | None = None,
    join_policy: str = WorkingGroup.JoinPolicy.APPROVAL,
    chair: Any = None,
) -> WorkingGroup:
    """Create a working group (staff, or a chair of the parent group: the steering committee
    creates working groups). ``chair`` becomes its first chair. Publishes ``group.created``
    (and ``membership.granted`` for the chair)."""
    roles.require_user(actor)
    if not actor.is_staff and not (parent and roles.is_chair(actor, parent)):
        raise NotAllowed(_("Only staff or a chair of the parent group may create a working group."))
    if WorkingGroup.objects.filter(slug=slug).exists():
        raise Conflict(
            _("A group with the slug “%(slug)s” exists.") % {"slug": slug},
            errors={"slug": [_("Taken.")]},
        )
    with transaction.atomic():
        group = WorkingGroup.objects.create(
            slug=slug, name=name, charter=charter, parent=parent, join_policy=join_policy
        )
        GroupSettings.objects.create(group=group)
        _publish_created(group, actor)
        if chair is not None:
            membership_grant(group=group, user=chair, role=Membership.Role.CHAIR, reason="founding")
    return group


def group_announce(*, group: WorkingGroup, actor: Any) -> WorkingGroup:
    """Internal (the demo seed): announce a group that another app's data migration created
    without this service, so the ledger and every listener learn of it as of any other group.
    Gives it its settings row if it has none. The caller checks it was not announced before."""
    with transaction.atomic():
        settings_of(group)
        _publish_created(group, actor)
    return group


def _publish_created(group: WorkingGroup, actor: Any) -> None:
    parent = group.parent
    publish_for_group(
        "group.created",
        group,
        {"name": group.name, "parent": parent.slug if parent else None, "by": person(actor)},
        actor=actor,
    )


def group_settings_update(
    *,
    group: WorkingGroup,
    actor: Any,
    general_rule: str,
    quorum: Decimal,
    show_live_tally: bool,
    early_close: str | None = None,
) -> GroupSettings:
    """A chair changes the rule for the group's ``general`` proposals (others follow the charter)
    and when a vote may close before its deadline (``early_close``; ``None`` keeps it). Votes
    already open keep the rule and early-close policy they opened with. Publishes
    ``group.settings_changed``."""
    roles.require_chair(actor, group, _("change the group's settings"))
    if general_rule not in DecisionRule.values:
        raise Invalid(_("Unknown rule."), errors={"general_rule": [_("Choose a listed rule.")]})
    if early_close is not None and early_close not in rules.EARLY_CLOSE_POLICIES:
        raise Invalid(
            _("Unknown early-close policy."),
            errors={
                "early_close": [
                    _("One of %(items)s.") % {"items": ", ".join(rules.EARLY_CLOSE_POLICIES)}
                ]
            },
        )
    quorum = Decimal(str(quorum))
    if not Decimal("0.01") <= quorum <= Decimal("1"):
        raise Invalid(_("The quorum is between 0.01 and 1."), errors={"quorum": [_("0.01 to 1.")]})
    with transaction.atomic():
        gs = settings_of(group)
        gs.general_rule, gs.quorum, gs.show_live_tally = general_rule, quorum, show_live_tally
        if early_close is not None:
            gs.early_close = early_close
        gs.save()
        publish_for_group(
            "group.settings_changed",
            group,
            {
                "general_rule": general_rule,
                "quorum": str(quorum),
                "show_live_tally": show_live_tally,
                "early_close": gs.early_close,
                "by": person(actor),
            },
            actor=actor,
        )
    return gs


# --- memberships ------------------------------------------------------------------------------


def membership_grant(*, group: WorkingGroup, user: Any, role: str, reason: str) -> Membership:
    """Internal: make ``user`` an active member with ``role`` (founding chairs, demo data).
    Not reachable from any view: role changes to voting roles go through proposals.
    Publishes ``membership.granted``."""
    with transaction.atomic():
        m, _created = Membership.objects.update_or_create(
            user=user,
            group=group,
            defaults={"role": role, "status": Membership.Status.ACTIVE, "until": None},
        )
        publish_for_group(
            "membership.granted",
            group,
            {"member": person(user), "role": role, "status": m.status, "reason": reason},
            actor=None,
            objects={"membership": m},
        )
    return m


def membership_correct(*, membership: Membership, actor: Any) -> Membership:
    """An administrator's correction (the admin site), saved as the admin form validated it. Still
    a membership change: publishes ``membership.granted`` with the reason ``admin`` and ``by``."""
    roles.require_user(actor)
    if not actor.is_staff:
        raise NotAllowed(_("Only staff may correct a membership directly."))
    with transaction.atomic():
        membership.save()
        publish_for_group(
            "membership.granted",
            membership.group,
            {
                "member": person(membership.user),
                "role": membership.role,
                "status": membership.status,
                "reason": "admin",
                "by": person(actor),
            },
            actor=actor,
            objects={"membership": membership},
        )
    return membership


def membership_request(*, group: WorkingGroup, user: Any) -> Membership:
    """Ask to join. Open groups admit at once as an observer (``membership.joined``); approval
    groups queue the request for a chair (``membership.requested``); invitation-only groups
    refuse."""
    roles.require_user(user)
    if group.status != WorkingGroup.Status.ACTIVE:
        raise Conflict(_("This group is archived."))
    if group.join_policy == WorkingGroup.JoinPolicy.INVITATION:
        raise NotAllowed(_("This group admits members by invitation only."))
    with transaction.atomic():
        existing = Membership.objects.select_for_update().of(user).filter(group=group).first()
        if existing and existing.status == Membership.Status.ACTIVE:
            raise Conflict(_("You are already a member of this group."))
        if existing and existing.status == Membership.Status.PENDING:
            raise Conflict(_("Your request to join is already waiting for a chair."))
        status = (
            Membership.Status.ACTIVE
            if group.join_policy == WorkingGroup.JoinPolicy.OPEN
            else Membership.Status.PENDING
        )
        m, _created = Membership.objects.update_or_create(
            user=user,
            group=group,
            defaults={
                "role": Membership.Role.OBSERVER,
                "status": status,
                "since": timezone.now(),
                "until": None,
            },
        )
        publish_for_group(
            "membership.joined" if status == Membership.Status.ACTIVE else "membership.requested",
            group,
            {"member": person(user), "role": m.role, "status": m.status},
            actor=user,
            objects={"membership": m},
        )
    return m


def membership_approve(*, membership: Membership, actor: Any, role: str) -> Membership:
    """A chair admits a pending request as observer or contributor (``membership.approved``)."""
    group = membership.group
    roles.require_chair(actor, group, _("approve join requests"))
    if role not in CHAIR_ASSIGNABLE:
        raise Invalid(
            _(
                "A chair admits people as observers or contributors; committers are elected by a "
                "membership proposal."
            ),
            errors={"role": [_("Choose observer or contributor.")]},
        )
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk)
        if m.status != Membership.Status.PENDING:
            raise Conflict(_("This request is no longer pending."))
        m.status, m.role, m.since = Membership.Status.ACTIVE, role, timezone.now()
        m.save(update_fields=["status", "role", "since"])
        publish_for_group(
            "membership.approved",
            group,
            {"member": person(m.user), "role": role, "by": person(actor)},
            actor=actor,
            objects={"membership": m},
        )
    return m


def membership_decline(*, membership: Membership, actor: Any) -> Membership:
    """A chair declines a pending request (``membership.declined``)."""
    group = membership.group
    roles.require_chair(actor, group, _("decline join requests"))
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk)
        if m.status != Membership.Status.PENDING:
            raise Conflict(_("This request is no longer pending."))
        m.status, m.until = Membership.Status.LEFT, timezone.now()
        m.save(update_fields=["status", "until"])
        publish_for_group(
            "membership.declined",
            group,
            {"member": person(m.user), "by": person(actor)},
            actor=actor,
            objects={"membership": m},
        )
    return m


def membership_set_role(*, membership: Membership, actor: Any, role: str) -> Membership:
    """A chair moves a member between observer and contributor (``membership.role_changed``).
    Voting roles change only by an accepted membership proposal. Setting the role a member
    already has changes nothing and publishes nothing."""
    group = membership.group
    roles.require_chair(actor, group, _("change members' roles"))
    if role not in CHAIR_ASSIGNABLE:
        raise NotAllowed(
            _("Promotion to committer happens only by an accepted membership proposal."),
            errors={"role": [_("Choose observer or contributor.")]},
        )
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk)
        if m.status != Membership.Status.ACTIVE:
            raise Conflict(_("Only an active member's role can change."))
        if m.role not in CHAIR_ASSIGNABLE:
            raise NotAllowed(
                _("A committer or chair is removed only by an accepted membership proposal.")
            )
        if m.role == role:
            return m
        old, m.role = m.role, role
        m.save(update_fields=["role"])
        publish_for_group(
            "membership.role_changed",
            group,
            {"member": person(m.user), "from": old, "to": role, "by": person(actor)},
            actor=actor,
            objects={"membership": m},
        )
    return m


def membership_leave(*, group: WorkingGroup, user: Any) -> Membership:
    """A member leaves (``membership.left``); someone whose request to join is pending withdraws
    it the same way (and may ask again later). Refused (a conflict, not a missing page) for
    someone who is not a member."""
    roles.require_user(user)
    with transaction.atomic():
        m = Membership.objects.select_for_update().of(user).filter(group=group).first()
        if m is None or m.status == Membership.Status.LEFT:
            raise Conflict(_("You are not a member of this group."))
        m.status, m.until = Membership.Status.LEFT, timezone.now()
        m.save(update_fields=["status", "until"])
        publish_for_group(
            "membership.left",
            group,
            {"member": person(user)},
            actor=user,
            objects={"membership": m},
        )
    return m


def apply_membership_decision(event: Event) -> None:
    """In-transaction handler of ``decision.recorded``: an accepted membership proposal promotes
    its subject to committer, or removes them as committer (back to contributor), publishing
    ``membership.role_changed`` with ``by_proposal``. Someone who left during the vote is left
    alone: the decision still stands as recorded."""
    p: Proposal = event.objects["proposal"]
    if p.kind != Proposal.Kind.MEMBERSHIP or event.payload["outcome"] != "accepted":
        return
    m = Membership.objects.select_for_update().of(p.subject).filter(group=p.group).first()
    if m is None or m.status != Membership.Status.ACTIVE:
        return
    old = m.role
    if p.membership_action == Proposal.MembershipAction.PROMOTE:
        m.role = Membership.Role.COMMITTER
    elif p.membership_action == Proposal.MembershipAction.REMOVE:
        m.role = Membership.Role.CONTRIBUTOR
    if m.role == old:
        return
    m.save(update_fields=["role"])
    publish_for_group(
        "membership.role_changed",
        p.group,
        {"member": person(m.user), "from": old, "to": m.role, "by_proposal": p.number},
        actor=None,
        objects={"membership": m, "proposal": p},
    )
