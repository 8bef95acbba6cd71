import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from datasets_registry.captions.messages import localize

from .. import selectors

register = template.Library()


@register.simple_tag
def validation_summary(run, rule: str = "", severity: str = ""):
    """What the panel shows: badge, counts per rule (bar chart) and sample rows."""
    if run is None:
        return {"badge": selectors.badge_for(None), "rules": [], "samples": []}
    return {
        "badge": selectors.badge_for(run),
        "rules": selectors.rule_rows(run),
        "samples": selectors.samples(run, rule=rule, severity=severity, limit=30, per_rule=2),
    }


@register.inclusion_tag("datasets_registry/_badge.html")
def validation_badge(run, id: str = "") -> dict:
    """The run's passed / warnings / errors badge, drawn by the one badge partial."""
    found = selectors.badge_for(run)
    return {"label": found["label"], "css": found["css"], "title": "", "id": id}


@register.filter
def severity_css(severity: str) -> str:
    """The badge style of a rule's severity."""
    return "errors" if severity == "error" else "warnings"


# Whitespace a reader cannot see on a page (which collapses spaces): at either end of the caption,
# repeated, tabs and line breaks. Each such character is drawn with a visible sign.
_INVISIBLE = re.compile(r"^\s+|\s+$|[ \t]{2,}|[\t\r\n\u2028\u2029\u00a0]")
_SIGNS = {" ": "·", "\t": "⇥", "\n": "↵", "\r": "␍", "\u00a0": "⍽", "\u2028": "↵", "\u2029": "¶"}


@register.filter
def caption_value(issue: dict) -> str:
    """The issue's caption as HTML: its matched part in ``<mark>``, invisible whitespace shown
    (``<span class="ws">·</span>``, a title says what it is). Empty when the issue has no value."""
    before, match, after = issue.get("before", ""), issue.get("match", ""), issue.get("after", "")
    value = before + match + after
    if not value:
        return ""
    shown = {i for m in _INVISIBLE.finditer(value) for i in range(m.start(), m.end())}
    start, end = len(before), len(before) + len(match)
    out: list[str] = []
    for i, char in enumerate(value):
        if i == start and match:
            out.append("<mark>")
        if i in shown:
            name = (
                _("tab")
                if char == "\t"
                else _("line break")
                if char in "\r\n\u2028\u2029"
                else _("space")
            )
            sign = _SIGNS.get(char, "␣")
            out.append(f'<span class="ws" title="{escape(name)}">{sign}</span>')
        else:
            out.append(str(escape(char)))
        if i == end - 1 and match:
            out.append("</mark>")
    # Safe: every character of the caption went through escape(); the rest is fixed markup.
    return mark_safe(f'<code class="caption-value">{"".join(out)}</code>')  # noqa: S308


@register.filter
def engine_message(message: str) -> str:
    """A message the caption engine wrote in English (a run's ``error``, an issue), in the
    reader's language when it was built from one of the engine's templates; else unchanged."""
    return localize(message or "", _)
