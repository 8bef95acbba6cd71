from collections.abc import Mapping

from django import template

from config import markdown

register = template.Library()


@register.filter
def render_markdown(text: str) -> str:
    """Markdown → HTML, sanitised (nothing a dataset author writes can run in a reader's page)."""
    return markdown.render(text)


@register.filter
def short_hash(value: str, length: int = 12) -> str:
    return (value or "")[:length]


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.inclusion_tag("datasets_registry/_badge.html")
def badge(label, css: str = "", title: str = "", id: str = "") -> dict:
    """The one badge: ``{% badge d.get_status_display css=d.status %}``, ``{% badge "private" %}``
    or ``{% badge b %}`` with an ``annotations.Badge`` (or a ``{"label", "css"}`` dict)."""
    if isinstance(label, Mapping):
        label, css, title = label.get("label", ""), label.get("css", css), label.get("title", title)
    elif hasattr(label, "label") and hasattr(label, "css"):
        label, css, title = label.label, label.css, label.title or title
    return {"label": label, "css": css, "title": title, "id": id}


@register.simple_tag(takes_context=True)
def annotation_panel(context, panel) -> str:
    """Render an ``annotations.Panel``: its template, with its context over the page's."""
    template = context.template.engine.get_template(panel.template)
    with context.push(**panel.context):
        return template.render(context)
