"""Log entries in words, for people: what happened and where to see it.

Governance's kinds (``governance.ledger.RECORDED``) and the registry's and surveys' main events
have their own sentences; any other event is told by its declared description
(``config.events``), so a new app's events read well without code here.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from config import events


def _who(value) -> str:
    if isinstance(value, dict):
        return value.get("username") or "someone"
    return str(value) if value else "someone"


def _proposal(p: dict) -> str:
    return f"proposal #{p.get('number')}" + (f" “{p['title']}”" if p.get("title") else "")


MOVES = {
    "discussion": "opened the discussion of",
    "voting": "opened the vote on",
    "withdrawn": "withdrew",
}


def sentence(kind: str, p: dict) -> str:
    if kind == "group.created":
        return f"Working group “{p.get('name', p.get('group'))}” was created"
    if kind == "group.settings_changed":
        return f"{_who(p.get('by'))} changed the rules of {p.get('group')}"
    if kind in ("membership.changed", "membership.joined"):
        return f"{_who(p.get('member'))} became {p.get('role')} of {p.get('group')}"
    if kind == "membership.requested":
        return f"{_who(p.get('member'))} asked to join {p.get('group')}"
    if kind == "membership.approved":
        return f"{_who(p.get('by'))} approved {_who(p.get('member'))} as {p.get('role')}"
    if kind == "membership.declined":
        return f"{_who(p.get('by'))} declined {_who(p.get('member'))}'s request to join"
    if kind == "membership.role_changed":
        return f"{_who(p.get('member'))} went from {p.get('from')} to {p.get('to')}"
    if kind == "membership.left":
        return f"{_who(p.get('member'))} left {p.get('group')}"
    if kind == "proposal.created":
        return f"{_who(p.get('by'))} wrote {_proposal(p)}"
    if kind == "proposal.revised":
        return f"{_who(p.get('by'))} revised {_proposal(p)} (revision {p.get('revision')})"
    if kind == "proposal.moved":
        action = MOVES.get(p.get("to"), f"moved to {p.get('to')}")
        return f"{_who(p.get('by'))} {action} {_proposal(p)}"
    if kind == "comment.hidden":
        return f"{_who(p.get('by'))} hid a comment on {_proposal(p)}: {p.get('reason', '')}"
    if kind == "vote.cast":
        verb = "changed their vote to" if p.get("changed") else "voted"
        return f"{_who(p.get('voter'))} {verb} {p.get('choice')} on {_proposal(p)}"
    if kind == "decision.recorded":
        t = p.get("tally") or {}
        return (
            f"{_proposal(p).capitalize()} was {p.get('outcome')} "
            f"({t.get('yes', 0)} yes, {t.get('no', 0)} no, {t.get('abstain', 0)} abstain)"
        )
    if kind == "dataset.version_created":
        return f"Version {p.get('version')} of dataset {p.get('name')} was stored ({p.get('row_count')} rows)"
    if kind == "validation.finished":
        return (
            f"Validation run {p.get('run')} of {p.get('name')} {p.get('version')} {p.get('status')}"
        )
    if kind == "standard.version_frozen":
        return f"{p.get('name')} was frozen and proposed for adoption"
    if kind == "standard.adopted":
        return f"{p.get('name')} was adopted"
    if kind == "survey.results_frozen":
        return (
            f"The results of survey “{p.get('title')}” were frozen ({p.get('responses')} responses)"
        )
    try:
        description = events.event_type(kind).description
    except LookupError:
        return kind
    return description.split(". ")[0].rstrip(".")


def link(entry) -> str:
    """The site page of the entry's thing: the event's url, else the proposal or group."""
    stored = getattr(entry, "link", None) if _has_link(entry) else None
    if stored is not None and stored.url:
        return stored.url
    p = entry.payload
    try:
        if p.get("group") and p.get("number"):
            return reverse("governance:proposal_detail", args=[p["group"], p["number"]])
        if isinstance(p.get("group"), str):
            return reverse("governance:group_detail", args=[p["group"]])
    except NoReverseMatch:
        pass
    return ""


def _has_link(entry) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        entry.link  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True
