"""Short and long text: answers are strings, published only with ``show_free_text`` and at least k
answers, never in a cross-tab."""

from __future__ import annotations

from django.utils.translation import gettext

from .base import QuestionKind


class _Text(QuestionKind):
    constraints = frozenset({"max_length"})
    template = "surveys/kinds/text.html"
    default_max_length = 0

    def clean(self, spec, value):
        if not isinstance(value, str):
            return None, gettext("Write text.")
        text = value.strip()
        limit = spec.constraints.get("max_length", self.default_max_length)
        if len(text) > limit:
            return None, gettext("Too long: at most %(n)s characters.") % {"n": limit}
        return text, None

    def readable(self, value):
        return isinstance(value, str)

    def count(self, spec, values, bins=None):
        return {"texts": values}

    def statistics(self, spec, raw, out, *, enough, k, owner, show_free_text, complement):
        # Never in a cross-tab: the texts of the filter, set against all texts, would name the
        # texts of everyone outside it, however few.
        publish = owner or (show_free_text and raw["answered"] >= k and complement is None)
        out["texts"] = sorted(raw["texts"]) if publish else None
        too_few_outside = complement is not None and complement["answered"] < k
        if not owner and (raw["answered"] < k or too_few_outside):
            out["answered"], out["answered_suppressed"] = None, True


class ShortText(_Text):
    name = "short_text"
    default_max_length = 500


class LongText(_Text):
    name = "long_text"
    default_max_length = 10_000
    template = "surveys/kinds/long_text.html"
