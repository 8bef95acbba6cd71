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
