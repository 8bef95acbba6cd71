from django import template

register = template.Library()


@register.inclusion_tag("models_registry/_release_gate.html")
def release_gate(proposal) -> dict:
    """On a ``model_release`` proposal's page: the version it targets and the gate's verdict
    with each reason. Nothing (and no query) for other proposals."""
    if getattr(proposal, "kind", "") != "model_release" or not proposal.target_id:
        return {"version": None}
    from models_registry import gate
    from models_registry.selectors import version_queryset

    version = version_queryset().filter(pk=proposal.target_id).first()
    if version is None or not version.model.is_public:
        return {"version": None}
    return {"version": version, "gate": gate.verdict(version)}


@register.filter
def severity_label(code: str) -> str:
    """A finding's severity code ("high") as the reader's word."""
    from models_registry.redteam.taxonomy import SEVERITY_CHOICES

    return str(dict(SEVERITY_CHOICES).get(code, code))


@register.filter
def finding_status_label(code: str) -> str:
    """A finding's status code ("not_applicable") as the reader's words."""
    from models_registry.redteam.models import Finding

    return str(dict(Finding.Status.choices).get(code, code))
