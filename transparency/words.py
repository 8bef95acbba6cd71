"""Log entries in words, for people: what happened and where to see it.

Governance's kinds (``governance.ledger.RECORDED``) and the registry's and surveys' main events
have their own sentences; any other event is told by its declared description
(``config.events``), so a new app's events read well without code here.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from config import events


def _who(value) -> str:
    if isinstance(value, dict):
        return value.get("username") or _("someone")
    return str(value) if value else _("someone")


def _proposal(p: dict) -> str:
    if p.get("title"):
        return _("proposal #%(number)s “%(title)s”") % {
            "number": p.get("number"),
            "title": p["title"],
        }
    return _("proposal #%(number)s") % {"number": p.get("number")}


def _word(words: dict, value) -> str:
    """A code from the payload (a role, an outcome, a choice, a status) in words, or as it is."""
    return str(words.get(value, value))


# The payload's codes in words (the English words are the codes themselves).
ROLES = {
    "observer": pgettext_lazy("role", "observer"),
    "contributor": pgettext_lazy("role", "contributor"),
    "committer": pgettext_lazy("role", "committer"),
    "chair": pgettext_lazy("role", "chair"),
    "secretary": pgettext_lazy("role", "secretary"),
}
CHOICES = {
    "yes": pgettext_lazy("vote", "yes"),
    "no": pgettext_lazy("vote", "no"),
    "abstain": pgettext_lazy("vote", "abstain"),
}
STATUSES = {
    "queued": pgettext_lazy("validation run", "queued"),
    "running": pgettext_lazy("validation run", "running"),
    "succeeded": pgettext_lazy("validation run", "succeeded"),
    "failed": pgettext_lazy("validation run", "failed"),
    "cancelled": pgettext_lazy("validation run", "cancelled"),
}


def _moved(who: str, to, proposal: str) -> str:
    if to == "discussion":
        return _("%(who)s opened the discussion of %(proposal)s") % {
            "who": who,
            "proposal": proposal,
        }
    if to == "voting":
        return _("%(who)s opened the vote on %(proposal)s") % {"who": who, "proposal": proposal}
    if to == "withdrawn":
        return _("%(who)s withdrew %(proposal)s") % {"who": who, "proposal": proposal}
    return _("%(who)s moved %(proposal)s to %(status)s") % {
        "who": who,
        "proposal": proposal,
        "status": to,
    }


def sentence(kind: str, p: dict) -> str:
    if kind == "group.created":
        return _("Working group “%(name)s” was created") % {"name": p.get("name", p.get("group"))}
    if kind == "group.settings_changed":
        return _("%(who)s changed the rules of %(group)s") % {
            "who": _who(p.get("by")),
            "group": p.get("group"),
        }
    if kind in ("membership.changed", "membership.joined"):
        return _("%(who)s became %(role)s of %(group)s") % {
            "who": _who(p.get("member")),
            "role": _word(ROLES, p.get("role")),
            "group": p.get("group"),
        }
    if kind == "membership.requested":
        return _("%(who)s asked to join %(group)s") % {
            "who": _who(p.get("member")),
            "group": p.get("group"),
        }
    if kind == "membership.approved":
        return _("%(who)s approved %(member)s as %(role)s") % {
            "who": _who(p.get("by")),
            "member": _who(p.get("member")),
            "role": _word(ROLES, p.get("role")),
        }
    if kind == "membership.declined":
        return _("%(who)s declined %(member)s's request to join") % {
            "who": _who(p.get("by")),
            "member": _who(p.get("member")),
        }
    if kind == "membership.role_changed":
        return _("%(who)s went from %(old)s to %(new)s") % {
            "who": _who(p.get("member")),
            "old": _word(ROLES, p.get("from")),
            "new": _word(ROLES, p.get("to")),
        }
    if kind == "membership.left":
        return _("%(who)s left %(group)s") % {"who": _who(p.get("member")), "group": p.get("group")}
    if kind == "proposal.created":
        return _("%(who)s wrote %(proposal)s") % {
            "who": _who(p.get("by")),
            "proposal": _proposal(p),
        }
    if kind == "proposal.revised":
        return _("%(who)s revised %(proposal)s (revision %(revision)s)") % {
            "who": _who(p.get("by")),
            "proposal": _proposal(p),
            "revision": p.get("revision"),
        }
    if kind == "proposal.moved":
        return _moved(_who(p.get("by")), p.get("to"), _proposal(p))
    if kind == "comment.hidden":
        return _("%(who)s hid a comment on %(proposal)s: %(reason)s") % {
            "who": _who(p.get("by")),
            "proposal": _proposal(p),
            "reason": p.get("reason", ""),
        }
    if kind == "vote.cast":
        values = {
            "who": _who(p.get("voter")),
            "choice": _word(CHOICES, p.get("choice")),
            "proposal": _proposal(p),
        }
        if p.get("changed"):
            return _("%(who)s changed their vote to %(choice)s on %(proposal)s") % values
        return _("%(who)s voted %(choice)s on %(proposal)s") % values
    if kind == "decision.recorded":
        t = p.get("tally") or {}
        values = {
            "proposal": _proposal(p),
            "yes": t.get("yes", 0),
            "no": t.get("no", 0),
            "abstain": t.get("abstain", 0),
        }
        if p.get("outcome") == "accepted":
            text = _("%(proposal)s was accepted (%(yes)s yes, %(no)s no, %(abstain)s abstain)")
        elif p.get("outcome") == "rejected":
            text = _("%(proposal)s was rejected (%(yes)s yes, %(no)s no, %(abstain)s abstain)")
        else:
            text = _("%(proposal)s was %(outcome)s (%(yes)s yes, %(no)s no, %(abstain)s abstain)")
            values["outcome"] = p.get("outcome")
        return _capitalized(text % values)
    if kind == "dataset.version_created":
        rows = p.get("row_count")
        return ngettext(
            "Version %(version)s of dataset %(name)s was stored (%(rows)s row)",
            "Version %(version)s of dataset %(name)s was stored (%(rows)s rows)",
            rows if isinstance(rows, int) else 2,
        ) % {"version": p.get("version"), "name": p.get("name"), "rows": rows}
    if kind == "validation.finished":
        return _("Validation run %(run)s of %(name)s %(version)s %(status)s") % {
            "run": p.get("run"),
            "name": p.get("name"),
            "version": p.get("version"),
            "status": _word(STATUSES, p.get("status")),
        }
    if kind == "standard.version_frozen":
        return _("%(name)s was frozen and proposed for adoption") % {"name": p.get("name")}
    if kind == "standard.adopted":
        return _("%(name)s was adopted") % {"name": p.get("name")}
    if kind == "survey.results_frozen":
        responses = p.get("responses")
        return ngettext(
            "The results of survey “%(title)s” were frozen (%(responses)s response)",
            "The results of survey “%(title)s” were frozen (%(responses)s responses)",
            responses if isinstance(responses, int) else 2,
        ) % {"title": p.get("title"), "responses": responses}
    try:
        description = events.event_type(kind).description
    except LookupError:
        return kind
    # Declared in English by each app (``config.events``): shown as declared.
    return description.split(". ")[0].rstrip(".")


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


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
