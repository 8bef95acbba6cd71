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

from config.events import Event
from config.text import count


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    email: bool = True  # sent by e-mail unless the person turns it off
    web: bool = True


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("vote.opened", "A vote opens and you are on its roll"),
        Kind("vote.closing_soon", "A vote closes within a day and you have not voted"),
        Kind("decision.recorded", "A vote you were on, wrote or follow is decided"),
        Kind("proposal.created", "A proposal is written in a group you follow", email=False),
        Kind("proposal.discussion_opened", "A proposal in a group you follow opens for discussion"),
        Kind("comment.created", "A comment on a proposal you wrote or follow", email=False),
        Kind("mention", "Someone mentions you (@username) in a comment"),
        Kind("membership.requested", "Someone asks to join a group you chair"),
        Kind("membership.approved", "Your request to join a group is approved"),
        Kind("membership.declined", "Your request to join a group is declined"),
        Kind("survey.opened", "A survey opens for you"),
        Kind("survey.results_frozen", "Results of a survey you follow or own are published"),
        Kind("dataset.version_created", "A new version of a dataset you maintain or follow"),
        Kind("validation.finished", "A validation run of a dataset you maintain or follow ends"),
        Kind("standard.adopted", "A standard you follow, or your datasets follow, is adopted"),
        Kind("webhook.disabled", "A webhook of a group you chair is turned off after failures"),
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
    return f"@{person}" if person else "Someone"


def _proposal(p: Mapping[str, Any]) -> str:
    return f"#{p.get('number')} {p.get('title', '')}".strip()


def _tally(tally: Mapping[str, Any] | None) -> str:
    tally = tally or {}
    return ", ".join(f"{tally.get(c, 0)} {c}" for c in ("yes", "no", "abstain"))


def validation_verdict(p: Mapping[str, Any]) -> str:
    """``passed``, ``passed with 3 warnings``, ``2 errors, 5 warnings`` or ``failed: reason``."""
    status = p.get("status")
    if status == "failed":
        return f"failed: {p.get('error') or 'the run could not finish'}"
    if status == "cancelled":
        return "cancelled"
    severity = ((p.get("counts") or {}).get("by_severity")) or {}
    errors, warnings = int(severity.get("error", 0)), int(severity.get("warning", 0))
    if errors:
        return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if warnings:
        return f"passed with {warnings} warning{'s' * (warnings != 1)}"
    return "passed"


Words = Callable[[Mapping[str, Any], str], tuple[str, str]]

WORDING: dict[str, Words] = {
    "vote.opened": lambda p, g: (
        f"Your vote is needed: {_proposal(p)}",
        f"The vote in {g} is open until {when(p.get('closes_at'))}. "
        "Under the group's rule a voter who does not vote may count as a no.",
    ),
    "vote.closing_soon": lambda p, g: (
        f"Last day to vote: {_proposal(p)}",
        f"The vote in {g} closes at {when(p.get('closes_at'))} and you have not voted yet.",
    ),
    "decision.recorded": lambda p, g: (
        f"Decided: {_proposal(p)} was {p.get('outcome', 'decided')}",
        f"{_tally(p.get('tally'))} with {p.get('roll_size', '?')} on the roll. "
        f"{p.get('explanation', '')}".strip(),
    ),
    "proposal.created": lambda p, g: (
        f"New proposal in {g}: {_proposal(p)}",
        f"Written by {', '.join(_who(a) for a in p.get('authors') or []) or 'a member'}.",
    ),
    "proposal.discussion_opened": lambda p, g: (
        f"Open for discussion: {_proposal(p)}",
        f"The proposal in {g} is open for comments before a vote.",
    ),
    "comment.created": lambda p, g: (
        f"{_who(p.get('author'))} commented on {_proposal(p)}",
        str(p.get("excerpt", "")),
    ),
    "mention": lambda p, g: (
        f"{_who(p.get('author'))} mentioned you on {_proposal(p)}",
        str(p.get("excerpt", "")),
    ),
    "membership.requested": lambda p, g: (
        f"{_who(p.get('member'))} asked to join {g}",
        "As a chair you may approve the request as an observer or a contributor, or decline it.",
    ),
    "membership.approved": lambda p, g: (
        f"You joined {g} as {p.get('role', 'a member')}",
        f"Approved by {_who(p.get('by'))}.",
    ),
    "membership.declined": lambda p, g: (
        f"Your request to join {g} was declined",
        f"Declined by {_who(p.get('by'))}.",
    ),
    "survey.opened": lambda p, g: (
        f"Survey open: {p.get('title', p.get('survey'))}",
        f"Open until {when(p.get('closes_at'))}." if p.get("closes_at") else "Open now.",
    ),
    "survey.results_frozen": lambda p, g: (
        f"Results published: {p.get('title', p.get('survey'))}",
        f"{count(p.get('responses') or 0, 'response')}; the results are frozen (sha256 "
        f"{str(p.get('sha256', ''))[:12]}…).",
    ),
    "dataset.version_created": lambda p, g: (
        f"New version {p.get('version')} of {p.get('name', p.get('dataset'))}",
        f"{p.get('row_count') if p.get('row_count') is not None else 'An unknown number of'} "
        f"rows, {p.get('format', '')}; sha256 {str(p.get('sha256', ''))[:12]}….",
    ),
    "validation.finished": lambda p, g: (
        f"Validation of {p.get('name', p.get('dataset'))} {p.get('version')}: "
        f"{validation_verdict(p)}",
        f"{count(p.get('issue_count') or 0, 'issue')} in the report.",
    ),
    "standard.adopted": lambda p, g: (
        f"Standard adopted: {p.get('name', p.get('standard'))}",
        (
            f"It replaces {p['replaces']}; datasets that follow an older version may move to it."
            if p.get("replaces")
            else "Datasets may now declare it."
        ),
    ),
    "webhook.disabled": lambda p, g: (
        f"Webhook to {p.get('host')} turned off",
        f"{p.get('failures')} deliveries in a row failed (last: {p.get('last_error') or '?'}). "
        "Fix the receiver, then turn the webhook back on.",
    ),
}


def describe(event: Event, kind: str, group_name: str = "") -> tuple[str, str]:
    """``(title, body)`` of a notification of ``kind`` about ``event``."""
    group = group_name or str(event.payload.get("group") or "the group")
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
