import markdown as md
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def render_markdown(text: str) -> str:
    """Markdown → HTML, sanitised (nothing a dataset author writes can run in a reader's page)."""
    html = md.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"])
    return mark_safe(nh3.clean(html))  # noqa: S308  (sanitised just above)


@register.filter
def short_hash(value: str, length: int = 12) -> str:
    return (value or "")[:length]


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
