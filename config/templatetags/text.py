"""Template filters for one message style (see ``config.text``): ``{% load text %}``.

{{ n|count:"error" }}               1 error / 1,234 errors
{{ spec.prompt|labelled:message }}  "Which tools do you use? Required." (no "?:")
{{ decision.explanation|without_outcome }}
"""

from django import template

from config import text

register = template.Library()


@register.filter
def count(n, noun: str) -> str:
    singular, _, plural = noun.partition(",")
    try:
        n = int(n)
    except (TypeError, ValueError):
        n = None
    return text.count(n, singular, plural or None)


@register.filter
def labelled(label, message) -> str:
    return text.labelled(str(label), str(message))


@register.filter
def without_outcome(explanation) -> str:
    return text.without_outcome(str(explanation or ""))
