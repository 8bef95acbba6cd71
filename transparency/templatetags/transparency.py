"""``{% log_entry_link url "event.name" %}``: where an artefact is recorded in the public log,
with a link to its entry and inclusion proof. One query. Any app's page can use it:

    {% load transparency %}
    {% log_entry_link decision.get_absolute_url "decision.recorded" %}
"""

from django import template

from governance.models import LedgerEntry

register = template.Library()


@register.inclusion_tag("transparency/_entry_link.html")
def log_entry_link(url: str, event: str, ref: str = "", run=None):
    """``ref``: the event's subject ref; ``run``: a validation run's id (``payload.run``)."""
    rows = LedgerEntry.objects.filter(link__url=url, link__event=event)
    if ref:
        rows = rows.filter(link__subject_ref=ref)
    if run is not None:
        rows = rows.filter(payload__run=run)
    entry = rows.order_by("-seq").only("seq", "hash").first()
    return {"entry": entry}
