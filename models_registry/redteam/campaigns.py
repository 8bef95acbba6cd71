"""Campaigns: who may do what in one, opening, closing, invitations (re-exported by
``services``, which holds the findings' workflow)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config import events
from config.errors import Conflict, Invalid, NotAllowed, NotFound
from governance import roles
from models_registry.models import ModelVersion

from .events import campaign_fields, campaign_subject
from .models import Campaign, Finding, Invitation, RedTeamSettings

User = get_user_model()
S = Finding.Status

# --- Who may do what -------------------------------------------------------------------------


def triage_team_ids(campaign: Campaign) -> set[int]:
    chairs = set(roles.chairs_of(campaign.version.model.group_id).values_list("user_id", flat=True))
    return chairs | set(campaign.triagers.values_list("pk", flat=True))


def is_triager(user, campaign: Campaign) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return campaign.triagers.filter(pk=user.pk).exists() or roles.is_chair(
        user, campaign.version.model.group_id
    )


def participation_problem(user, campaign: Campaign) -> str:
    """Why ``user`` may not file in ``campaign`` ("" when they may)."""
    if user is None or not user.is_authenticated:
        return _("Sign in to take part.")
    if campaign.status != Campaign.Status.OPEN:
        return _("The campaign is %(status)s; findings are filed while it is open.") % {
            "status": campaign.get_status_display().lower()
        }
    if is_triager(user, campaign):
        return ""
    rule = campaign.participation
    if rule == Campaign.Participation.SIGNED_IN:
        return ""
    if rule == Campaign.Participation.MEMBERS and roles.is_member(
        user, campaign.version.model.group_id
    ):
        return ""
    accepted = campaign.invitations.filter(user=user, accepted_at__isnull=False).exists()
    if accepted:
        return ""
    if rule == Campaign.Participation.MEMBERS:
        return _("Only members of the model's working group (or invited people) take part.")
    return _("Only invited people who accepted their invitation take part.")


def threshold_of(group_id: int) -> str:
    return (
        RedTeamSettings.objects.filter(group_id=group_id)
        .values_list("threshold", flat=True)
        .first()
        or "high"
    )


# --- Campaigns -------------------------------------------------------------------------------


def _usernames(names, field: str) -> list:
    names = [n for n in (names or []) if isinstance(n, str) and n.strip()]
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    missing = [n for n in names if n not in found]
    if missing:
        raise Invalid(
            ngettext("Unknown username: %(names)s", "Unknown usernames: %(names)s", len(missing))
            % {"names": ", ".join(missing)},
            errors={field: [_("No active account %(name)r.") % {"name": n} for n in missing]},
        )
    return list(found.values())


@transaction.atomic
def campaign_create(
    *,
    actor,
    version: ModelVersion,
    title: str,
    scope: str,
    starts_at,
    ends_at,
    participation: str = Campaign.Participation.INVITED,
    disclosure_days: int = 30,
    triagers=(),
) -> Campaign:
    group = version.model.group
    roles.require_chair(actor, group, _("open a red-team campaign"))
    errors: dict[str, list[str]] = {}
    if version.status not in (ModelVersion.Status.CANDIDATE, ModelVersion.Status.IN_RED_TEAM):
        errors["version"] = [
            _("%(version)s is %(status)s; only a candidate is red-teamed.")
            % {"version": version, "status": version.status}
        ]
    if not (title or "").strip():
        errors["title"] = [_("A campaign needs a title.")]
    if not (scope or "").strip():
        errors["scope"] = [_("Say what is in scope, what is not and what evidence to give.")]
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = [_("The campaign must end after it starts.")]
    if participation not in Campaign.Participation.values:
        errors["participation"] = [
            _("One of %(values)s.") % {"values": ", ".join(Campaign.Participation.values)}
        ]
    if not 1 <= int(disclosure_days) <= 365:
        errors["disclosure_days"] = [_("Between 1 and 365 days.")]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    people = _usernames(triagers, "triagers")
    campaign = Campaign.objects.create(
        version=version,
        title=title.strip(),
        scope=scope,
        starts_at=starts_at,
        ends_at=ends_at,
        participation=participation,
        disclosure_days=disclosure_days,
        created_by=actor,
    )
    campaign.triagers.set(people)
    events.publish(
        "campaign.created",
        {
            **campaign_fields(campaign),
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "participation": participation,
            "disclosure_days": disclosure_days,
        },
        actor=actor,
        group=group,
        public=version.model.is_public,
        url=campaign.get_absolute_url(),
        subject=campaign_subject(campaign),
    )
    if starts_at <= timezone.now():
        campaign = campaign_open(campaign)
    return campaign


def _locked_campaign(pk) -> Campaign:
    return (
        Campaign.objects.select_for_update(of=("self",)).select_related("version__model").get(pk=pk)
    )


@transaction.atomic
def campaign_open(campaign: Campaign) -> Campaign:
    campaign = _locked_campaign(campaign.pk)
    if campaign.status != Campaign.Status.SCHEDULED:
        return campaign
    campaign.status, campaign.opened_at = Campaign.Status.OPEN, timezone.now()
    campaign.save(update_fields=["status", "opened_at"])
    version = ModelVersion.objects.select_for_update().get(pk=campaign.version_id)
    if version.status == ModelVersion.Status.CANDIDATE:
        version.status = ModelVersion.Status.IN_RED_TEAM
        version.save(update_fields=["status"])
    events.publish(
        "campaign.opened",
        {
            **campaign_fields(campaign),
            "starts_at": campaign.starts_at.isoformat(),
            "ends_at": campaign.ends_at.isoformat(),
        },
        group=campaign.version.model.group_id,
        public=campaign.version.model.is_public,
        url=campaign.get_absolute_url(),
        subject=campaign_subject(campaign),
    )
    return campaign


@transaction.atomic
def campaign_close(campaign: Campaign, *, actor=None) -> Campaign:
    """End a campaign (at its end time, or early by a chair): duplicates and not-applicable
    findings are disclosed; the version is a candidate again unless another campaign runs."""
    if actor is not None:
        roles.require_chair(actor, campaign.version.model.group_id, _("close a campaign"))
    campaign = _locked_campaign(campaign.pk)
    if campaign.status == Campaign.Status.CLOSED:
        return campaign
    campaign.status, campaign.closed_at = Campaign.Status.CLOSED, timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    from .services import disclose

    for pk in campaign.findings.filter(status__in=(S.DUPLICATE, S.NOT_APPLICABLE)).values_list(
        "pk", flat=True
    ):
        disclose(pk, note="Disclosed at the campaign's end.")
    version = ModelVersion.objects.select_for_update().get(pk=campaign.version_id)
    still_running = version.campaigns.filter(status=Campaign.Status.OPEN).exists()
    if version.status == ModelVersion.Status.IN_RED_TEAM and not still_running:
        version.status = ModelVersion.Status.CANDIDATE
        version.save(update_fields=["status"])
    from .selectors import counts

    events.publish(
        "campaign.closed",
        {**campaign_fields(campaign), "counts": counts(campaign)},
        actor=actor,
        group=campaign.version.model.group_id,
        public=campaign.version.model.is_public,
        url=campaign.get_absolute_url(),
        subject=campaign_subject(campaign),
    )
    return campaign


@transaction.atomic
def invite(*, actor, campaign: Campaign, username: str) -> Invitation:
    if not is_triager(actor, campaign):
        raise NotAllowed(_("Only the campaign's triage team invites people."))
    if campaign.status == Campaign.Status.CLOSED:
        raise Conflict(_("The campaign is closed."))
    (person,) = _usernames([username], "username") if username else (None,)
    if person is None:
        raise Invalid(_("Name someone to invite."), errors={"username": [_("Required.")]})
    invitation, created = Invitation.objects.get_or_create(
        campaign=campaign, user=person, defaults={"invited_by": actor}
    )
    if not created:
        raise Conflict(
            _("@%(username)s is already invited.") % {"username": person.username},
            errors={"username": [_("Already invited.")]},
        )
    events.publish(
        "campaign.invited",
        {**campaign_fields(campaign), "invitee": {"id": person.pk, "username": person.username}},
        actor=actor,
        group=campaign.version.model.group_id,
        url=campaign.get_absolute_url(),
        subject=campaign_subject(campaign),
    )
    return invitation


@transaction.atomic
def accept(*, user, campaign: Campaign) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .filter(campaign=campaign, user_id=getattr(user, "pk", None))
        .first()
    )
    if invitation is None:
        raise NotFound(_("You have no invitation to this campaign."))
    if invitation.accepted_at is None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return invitation
