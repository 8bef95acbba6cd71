"""The red team's part of the notification table, added to the notifications app's registries
from ``RedTeamConfig.ready`` (the notifications app never imports us).

| event                  | who is told                      |
|------------------------|----------------------------------|
| finding.filed          | the campaign's triage team       |
| finding.transitioned   | the finding's reporter           |
| finding.disclosed      | the model's working group        |
| campaign.opened/closed | the model's working group        |
| campaign.invited       | the invitee                      |

Visibility (``notifications.visibility``): a ``finding`` subject is seen by its reporter and
triage team until it is disclosed, then by whoever may see the model; a ``campaign`` subject by
whoever may see the model. So an embargoed finding never reaches anyone else, whatever the rule.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from governance import roles


def _campaign(event):
    from .models import Campaign

    return (
        Campaign.objects.select_related("version__model")
        .filter(pk=event.payload["campaign"])
        .first()
    )


def triage_team(event):
    from .services import triage_team_ids

    campaign = _campaign(event)
    return dict.fromkeys(triage_team_ids(campaign), event.name) if campaign else {}


def reporter(event):
    from .models import Finding

    ids = Finding.objects.filter(pk=event.payload["finding"]).values_list("reporter_id", flat=True)
    return dict.fromkeys(ids, event.name)


def group_members(event):
    if event.group_id is None:
        return {}
    return dict.fromkeys(
        roles.members_of(event.group_id).values_list("user_id", flat=True), event.name
    )


def invitee(event):
    person = event.payload.get("invitee") or {}
    return {int(person["id"]): event.name} if person.get("id") else {}


def _model_viewers(model, people):
    if model.is_public:
        return set(people)
    allowed = {model.owner_id, *model.maintainers.values_list("pk", flat=True)}
    allowed |= {pk for pk, row in people.items() if row.get("is_staff")}
    return set(people) & allowed


def see_campaign(ref, people):
    from .models import Campaign

    campaign = (
        Campaign.objects.select_related("version__model")
        .filter(pk=int(ref) if str(ref).isdigit() else 0)
        .first()
    )
    return _model_viewers(campaign.version.model, people) if campaign else set()


def see_finding(ref, people):
    from .models import Finding
    from .services import triage_team_ids

    finding = (
        Finding.objects.select_related("campaign__version__model")
        .filter(pk=int(ref) if str(ref).isdigit() else 0)
        .first()
    )
    if finding is None:
        return set()
    viewers = _model_viewers(finding.campaign.version.model, people)
    if finding.is_disclosed:
        return viewers
    return viewers & ({finding.reporter_id} | triage_team_ids(finding.campaign))


WORDING = {
    "finding.filed": lambda p, g: (
        gettext("Finding #%(number)s filed (%(severity)s): %(title)s")
        % {"number": p.get("number"), "severity": p.get("severity"), "title": p.get("title", "")},
        gettext("Embargoed until disclosure. Category %(category)s; triage it.")
        % {"category": p.get("category")},
    ),
    "finding.transitioned": lambda p, g: (
        gettext("Your finding #%(number)s is now %(status)s")
        % {"number": p.get("number"), "status": p.get("to")},
        (
            gettext("From %(status)s; severity %(severity)s. %(note)s")
            % {"status": p.get("from"), "severity": p.get("severity"), "note": p.get("note", "")}
        ).strip(),
    ),
    "finding.disclosed": lambda p, g: (
        gettext("Finding #%(number)s disclosed (%(severity)s)")
        % {"number": p.get("number"), "severity": p.get("severity")},
        gettext("%(title)s: check its commitment %(commitment)s… against the salt.")
        % {
            "title": (p.get("content") or {}).get("title", ""),
            "commitment": str(p.get("commitment", ""))[:12],
        },
    ),
    "campaign.opened": lambda p, g: (
        gettext("Red-team campaign open: %(title)s") % {"title": p.get("title")},
        gettext("On %(model)s %(version)s until %(ends_at)s.")
        % {"model": p.get("model"), "version": p.get("version"), "ends_at": p.get("ends_at")},
    ),
    "campaign.closed": lambda p, g: (
        gettext("Red-team campaign closed: %(title)s") % {"title": p.get("title")},
        gettext("Findings by severity: %(counts)s.")
        % {"counts": (p.get("counts") or {}).get("by_severity", {})},
    ),
    "campaign.invited": lambda p, g: (
        gettext("You are invited to red-team %(model)s %(version)s")
        % {"model": p.get("model"), "version": p.get("version")},
        gettext("Campaign %(title)s: accept the invitation on its page.")
        % {"title": p.get("title")},
    ),
}


def register() -> None:
    from notifications import kinds, recipients, visibility

    rules = {
        "finding.filed": triage_team,
        "finding.transitioned": reporter,
        "finding.disclosed": group_members,
        "campaign.opened": group_members,
        "campaign.closed": group_members,
        "campaign.invited": invitee,
    }
    labels = {
        "finding.filed": gettext_lazy("A red-team finding is filed in a campaign you triage"),
        "finding.transitioned": gettext_lazy("A red-team finding you filed moves"),
        "finding.disclosed": gettext_lazy("A red-team finding on your group's model is disclosed"),
        "campaign.opened": gettext_lazy("A red-team campaign on your group's model opens"),
        "campaign.closed": gettext_lazy("A red-team campaign on your group's model closes"),
        "campaign.invited": gettext_lazy("You are invited to a red-team campaign"),
    }
    recipients.RULES.update(rules)
    for name, label in labels.items():
        kinds.KINDS.setdefault(name, kinds.Kind(name, label))
    kinds.WORDING.update(WORDING)
    visibility.CHECKS["campaign"] = see_campaign
    visibility.CHECKS["finding"] = see_finding
