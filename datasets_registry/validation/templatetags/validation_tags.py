from django import template

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
