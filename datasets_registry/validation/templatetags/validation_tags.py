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


@register.inclusion_tag("validation/_badge.html")
def validation_badge(run):
    """A passed / warnings / errors badge for dataset lists."""
    return {"badge": selectors.badge_for(run), "run": run}
