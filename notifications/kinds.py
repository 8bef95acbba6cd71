"""The kinds of notification: which events tell people, their defaults, and their wording.

A kind is an event's name (``vote.opened``), plus ``mention`` (someone wrote ``@you`` in a
comment). Who is told about each is ``notifications.recipients``; each person may turn any kind
off for the site or for e-mail (``Preference.kinds``). Wording is plain text, built from the
event's payload alone, so a notification, an e-mail and a chat message say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from config.events import Event


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    email: bool = True  # sent by e-mail unless the person turns it off
    web: bool = True


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("vote.opened", _("A vote opens and you are on its roll")),
        Kind("vote.closing_soon", _("A vote closes within a day and you have not voted")),
        Kind("decision.recorded", _("A vote you were on, wrote or follow is decided")),
        Kind("proposal.created", _("A proposal is written in a group you follow"), email=False),
        Kind(
            "proposal.discussion_opened", _("A proposal in a group you follow opens for discussion")
        ),
        Kind("comment.created", _("A comment on a proposal you wrote or follow"), email=False),
        Kind("mention", _("Someone mentions you (@username) in a comment")),
        Kind("membership.requested", _("Someone asks to join a group you chair")),
        Kind("membership.approved", _("Your request to join a group is approved")),
        Kind("membership.declined", _("Your request to join a group is declined")),
        Kind("survey.opened", _("A survey opens for you")),
        Kind("survey.results_frozen", _("Results of a survey you follow or own are published")),
        Kind("dataset.version_created", _("A new version of a dataset you maintain or follow")),
        Kind("validation.finished", _("A validation run of a dataset you maintain or follow ends")),
        Kind("standard.adopted", _("A standard you follow, or your datasets follow, is adopted")),
        Kind("webhook.disabled", _("A webhook of a group you chair is turned off after failures")),
    ]
}


def channels(kind: str, overrides: Mapping[str, Any] | None) -> tuple[bool, bool]:
    """``(web, email)`` for ``kind`` under a person's overrides (``Preference.kinds``)."""
    default = KINDS[kind]
    own = (overrides or {}).get(kind) or {}
    return bool(own.get("web", default.web)), bool(own.get("email", default.email))


# --- Wording --------------------------------------------------------------------------------


def when(value: str | None) -> str:
    """An ISO 8601 time as ``2025-06-02 14:00 UTC`` (the events' times are UTC)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _who(person: Any) -> str:
    if isinstance(person, Mapping):
        return f"@{person.get('username', '?')}"
    return f"@{person}" if person else gettext("Someone")


def _proposal(p: Mapping[str, Any]) -> str:
    return f"#{p.get('number')} {p.get('title', '')}".strip()


def _tally(tally: Mapping[str, Any] | None) -> str:
    tally = tally or {}
    return gettext("%(yes)s yes, %(no)s no, %(abstain)s abstain") % {
        c: tally.get(c, 0) for c in ("yes", "no", "abstain")
    }


def validation_verdict(p: Mapping[str, Any]) -> str:
    """``passed``, ``passed with 3 warnings``, ``2 errors, 5 warnings`` or ``failed: reason``."""
    status = p.get("status")
    if status == "failed":
        return gettext("failed: %(reason)s") % {
            "reason": p.get("error") or gettext("the run could not finish")
        }
    if status == "cancelled":
        return pgettext("validation run", "cancelled")
    severity = ((p.get("counts") or {}).get("by_severity")) or {}
    errors, warnings = int(severity.get("error", 0)), int(severity.get("warning", 0))
    if errors:
        return gettext("%(errors)s, %(warnings)s") % {
            "errors": ngettext("%(count)s error", "%(count)s errors", errors) % {"count": errors},
            "warnings": ngettext("%(count)s warning", "%(count)s warnings", warnings)
            % {"count": warnings},
        }
    if warnings:
        return ngettext(
            "passed with %(count)s warning", "passed with %(count)s warnings", warnings
        ) % {"count": warnings}
    return pgettext("validation run", "passed")


ROLES = {
    "observer": _("observer"),
    "contributor": _("contributor"),
    "committer": _("committer"),
    "chair": _("chair"),
    "secretary": _("secretary"),
}


def _role(p: Mapping[str, Any]) -> str:
    role = p.get("role")
    if not role:
        return gettext("a member")
    return str(ROLES.get(role, role))


def _decided(p: Mapping[str, Any]) -> str:
    values = {"proposal": _proposal(p)}
    outcome = p.get("outcome")
    if outcome == "accepted":
        return gettext("Decided: %(proposal)s was accepted") % values
    if outcome == "rejected":
        return gettext("Decided: %(proposal)s was rejected") % values
    if not outcome:
        return gettext("Decided: %(proposal)s was decided") % values
    return gettext("Decided: %(proposal)s was %(outcome)s") % {**values, "outcome": outcome}


def _decision_body(p: Mapping[str, Any]) -> str:
    text = gettext("%(tally)s with %(roll_size)s on the roll.") % {
        "tally": _tally(p.get("tally")),
        "roll_size": p.get("roll_size", "?"),
    }
    # The explanation is the decision record's, stored in English (governance.rules).
    return f"{text} {p.get('explanation', '')}".strip()


def _authors(p: Mapping[str, Any]) -> str:
    names = ", ".join(_who(a) for a in p.get("authors") or [])
    return gettext("Written by %(authors)s.") % {"authors": names or gettext("a member")}


def _rows(p: Mapping[str, Any]) -> str:
    rows = p.get("row_count")
    values = {"format": p.get("format", ""), "sha256": str(p.get("sha256", ""))[:12]}
    if rows is None:
        return gettext("An unknown number of rows, %(format)s; sha256 %(sha256)s….") % values
    return ngettext(
        "%(rows)s row, %(format)s; sha256 %(sha256)s….",
        "%(rows)s rows, %(format)s; sha256 %(sha256)s….",
        rows if isinstance(rows, int) else 2,
    ) % {**values, "rows": rows}


def _responses(p: Mapping[str, Any]) -> str:
    n = p.get("responses") or 0
    return ngettext(
        "%(count)s response; the results are frozen (sha256 %(sha256)s…).",
        "%(count)s responses; the results are frozen (sha256 %(sha256)s…).",
        n,
    ) % {"count": number_format(n, force_grouping=True), "sha256": str(p.get("sha256", ""))[:12]}


def _issues(p: Mapping[str, Any]) -> str:
    n = p.get("issue_count") or 0
    return ngettext("%(count)s issue in the report.", "%(count)s issues in the report.", n) % {
        "count": number_format(n, force_grouping=True)
    }


Words = Callable[[Mapping[str, Any], str], tuple[str, str]]

WORDING: dict[str, Words] = {
    "vote.opened": lambda p, g: (
        gettext("Your vote is needed: %(proposal)s") % {"proposal": _proposal(p)},
        gettext(
            "The vote in %(group)s is open until %(when)s. "
            "Under the group's rule a voter who does not vote may count as a no."
        )
        % {"group": g, "when": when(p.get("closes_at"))},
    ),
    "vote.closing_soon": lambda p, g: (
        gettext("Last day to vote: %(proposal)s") % {"proposal": _proposal(p)},
        gettext("The vote in %(group)s closes at %(when)s and you have not voted yet.")
        % {"group": g, "when": when(p.get("closes_at"))},
    ),
    "decision.recorded": lambda p, g: (_decided(p), _decision_body(p)),
    "proposal.created": lambda p, g: (
        gettext("New proposal in %(group)s: %(proposal)s") % {"group": g, "proposal": _proposal(p)},
        _authors(p),
    ),
    "proposal.discussion_opened": lambda p, g: (
        gettext("Open for discussion: %(proposal)s") % {"proposal": _proposal(p)},
        gettext("The proposal in %(group)s is open for comments before a vote.") % {"group": g},
    ),
    "comment.created": lambda p, g: (
        gettext("%(who)s commented on %(proposal)s")
        % {"who": _who(p.get("author")), "proposal": _proposal(p)},
        str(p.get("excerpt", "")),
    ),
    "mention": lambda p, g: (
        gettext("%(who)s mentioned you on %(proposal)s")
        % {"who": _who(p.get("author")), "proposal": _proposal(p)},
        str(p.get("excerpt", "")),
    ),
    "membership.requested": lambda p, g: (
        gettext("%(who)s asked to join %(group)s") % {"who": _who(p.get("member")), "group": g},
        gettext(
            "As a chair you may approve the request as an observer or a contributor, or decline it."
        ),
    ),
    "membership.approved": lambda p, g: (
        gettext("You joined %(group)s as %(role)s") % {"group": g, "role": _role(p)},
        gettext("Approved by %(who)s.") % {"who": _who(p.get("by"))},
    ),
    "membership.declined": lambda p, g: (
        gettext("Your request to join %(group)s was declined") % {"group": g},
        gettext("Declined by %(who)s.") % {"who": _who(p.get("by"))},
    ),
    "survey.opened": lambda p, g: (
        gettext("Survey open: %(title)s") % {"title": p.get("title", p.get("survey"))},
        gettext("Open until %(when)s.") % {"when": when(p.get("closes_at"))}
        if p.get("closes_at")
        else gettext("Open now."),
    ),
    "survey.results_frozen": lambda p, g: (
        gettext("Results published: %(title)s") % {"title": p.get("title", p.get("survey"))},
        _responses(p),
    ),
    "dataset.version_created": lambda p, g: (
        gettext("New version %(version)s of %(name)s")
        % {"version": p.get("version"), "name": p.get("name", p.get("dataset"))},
        _rows(p),
    ),
    "validation.finished": lambda p, g: (
        gettext("Validation of %(name)s %(version)s: %(verdict)s")
        % {
            "name": p.get("name", p.get("dataset")),
            "version": p.get("version"),
            "verdict": validation_verdict(p),
        },
        _issues(p),
    ),
    "standard.adopted": lambda p, g: (
        gettext("Standard adopted: %(name)s") % {"name": p.get("name", p.get("standard"))},
        (
            gettext("It replaces %(old)s; datasets that follow an older version may move to it.")
            % {"old": p["replaces"]}
            if p.get("replaces")
            else gettext("Datasets may now declare it.")
        ),
    ),
    "webhook.disabled": lambda p, g: (
        gettext("Webhook to %(host)s turned off") % {"host": p.get("host")},
        gettext(
            "%(failures)s deliveries in a row failed (last: %(error)s). "
            "Fix the receiver, then turn the webhook back on."
        )
        % {"failures": p.get("failures"), "error": p.get("last_error") or "?"},
    ),
}


def describe(event: Event, kind: str, group_name: str = "") -> tuple[str, str]:
    """``(title, body)`` of a notification of ``kind`` about ``event``."""
    group = group_name or str(event.payload.get("group") or gettext("the group"))
    words = WORDING.get(kind)
    if words is None:
        return event.name, ""
    title, body = words(event.payload, group)
    return title[:300], body


def headline(event: Event, group_name: str = "") -> tuple[str, str]:
    """What a chat message says about any event: a kind's wording, or the event's name and
    subject for events nobody is notified about."""
    if event.name in WORDING:
        return describe(event, event.name, group_name)
    subject = event.subject or {}
    ref = subject.get("ref", "")
    title = str(event.payload.get("title") or event.payload.get("name") or ref)
    return f"{event.name}: {title}".strip(": "), ""
