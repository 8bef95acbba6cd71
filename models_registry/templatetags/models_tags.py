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
