from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``{{ mapping|get:key }}`` with the key as a string (answers are keyed by string ids)."""
    if not isinstance(mapping, dict):
        return ""
    return mapping.get(str(key), "")


@register.filter
def str_in(value, collection) -> bool:
    return str(value) in collection
