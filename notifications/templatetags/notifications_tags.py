"""``{% feed_links %}`` (the ``<link rel="alternate">`` of the page's Atom feeds, from the page's
URL name, so other apps' templates need no change) and ``{% bell %}`` (the header's bell, whose
count htmx loads: rendering a page costs no query)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html_join

from ..feeds import alternates

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_links(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    links = alternates(match.view_name, match.kwargs)
    return format_html_join(
        "\n  ",
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
        ((f"{title} · {settings.SITE_NAME}", path) for title, path in links),
    )


@register.inclusion_tag("notifications/_bell_slot.html", takes_context=True)
def bell(context):
    return {
        "bell_url": reverse("notifications:bell"),
        "inbox_url": reverse("notifications:inbox"),
        "poll": settings.NOTIFICATIONS_BELL_POLL_SECONDS,
    }
