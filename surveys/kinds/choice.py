"""Single choice, multiple choice and ranking: answers are option ids."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from ..suppression import Family
from .base import FormValueError, QuestionKind, as_int

if TYPE_CHECKING:
    from ..answers import QuestionSpec


def _option_ids(spec: QuestionSpec) -> list[int]:
    return [o[0] for o in spec.options]


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _selected(value: Any) -> list[str]:
    """The option ids a widget shows as chosen."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value not in (None, "") else []


class SingleChoice(QuestionKind):
    name = "single_choice"
    has_options = True
    condition_ops = frozenset({"equals"})
    condition_on_option = True
    filterable = True
    template = "surveys/kinds/choice.html"

    def readable(self, value):
        return _is_id(value)

    def clean(self, spec, value):
        option = as_int(value)
        if option is None or option not in spec.option_ids:
            return None, gettext("This option is not offered.")
        return option, None

    def widget(self, spec, value):
        return {"input_type": "radio", "selected": _selected(value)}

    def count(self, spec, values, bins=None):
        return {"counts": Counter(values)}

    def families(self, spec, raw):
        return [Family("", _option_ids(spec), raw["counts"], raw["answered"], True, 1)]

    def filter_choices(self, spec):
        return [(o[0], o[2]) for o in spec.options]

    def encode(self, spec, value, row_id):
        return {o[0]: o[1] for o in spec.options}.get(value, "")


class _Selections(QuestionKind):
    """Kinds whose answer is a list of distinct options."""

    has_options = True

    def readable(self, value):
        return isinstance(value, list) and all(_is_id(v) for v in value)

    def _chosen(self, spec, value) -> tuple[list[int] | None, str | None]:
        if not isinstance(value, list):
            value = [value]
        chosen = [as_int(v) for v in value]
        if any(v is None or v not in spec.option_ids for v in chosen):
            return None, gettext("One of these options is not offered.")
        if len(set(chosen)) != len(chosen):
            return None, gettext("An option is chosen more than once.")
        return chosen, None

    def families(self, spec, raw):
        # One person counts in up to ``limit`` cells: the cells add up to between the number who
        # answered and ``limit`` times that.
        limit = spec.constraints.get("max_selections") or len(spec.options)
        return [Family("", _option_ids(spec), raw["counts"], raw["answered"], False, limit)]


class MultipleChoice(_Selections):
    name = "multiple_choice"
    constraints = frozenset({"min_selections", "max_selections"})
    condition_ops = frozenset({"includes"})
    condition_on_option = True
    template = "surveys/kinds/choice.html"
    encoding = "option keys separated by ';'"

    def constraints_from_form(self, data):
        return {
            name: data[name]
            for name in ("min_selections", "max_selections")
            if data[name] is not None
        }

    def clean(self, spec, value):
        chosen, error = self._chosen(spec, value)
        if error:
            return None, error
        c = spec.constraints
        lo, hi = c.get("min_selections"), c.get("max_selections")
        if hi is not None and len(chosen) > hi:
            return None, gettext("Too many selections: choose at most %(max)s.") % {"max": hi}
        if lo is not None and len(chosen) < lo:
            return None, gettext("Too few selections: choose at least %(min)s.") % {"min": lo}
        order = {o[0]: i for i, o in enumerate(spec.options)}
        return sorted(chosen, key=order.__getitem__), None

    def read_form(self, spec, data, name):
        return data.getlist(name)

    def widget(self, spec, value):
        return {"input_type": "checkbox", "selected": _selected(value)}

    def count(self, spec, values, bins=None):
        return {"counts": Counter(o for v in values for o in v)}

    def encode(self, spec, value, row_id):
        keys = {o[0]: o[1] for o in spec.options}
        return ";".join(keys.get(v, "") for v in value)


class Ranking(_Selections):
    name = "ranking"
    constraints = frozenset({"max_selections"})
    template = "surveys/kinds/ranking.html"
    encoding = "option keys in rank order separated by '>'"

    def constraints_from_form(self, data):
        return {"max_selections": data["max_selections"]} if data["max_selections"] else {}

    def clean(self, spec, value):
        chosen, error = self._chosen(spec, value)
        if error:
            return None, error
        top = spec.constraints.get("max_selections")
        wanted = top or len(spec.options)
        if top and len(chosen) > wanted:
            return None, gettext("Rank at most %(n)s options.") % {"n": wanted}
        if not top and len(chosen) != wanted:
            return None, gettext("Rank all %(n)s options.") % {"n": wanted}
        return chosen, None

    def read_form(self, spec, data, name):
        """One select per option holding its rank: the options ordered by rank."""
        ranks = []
        for option_id, _, _ in spec.options:
            raw = data.get(f"{name}_o{option_id}", "").strip()
            if raw:
                ranks.append((raw, option_id))
        if not ranks:
            return None
        try:
            ordered = sorted(ranks, key=lambda r: int(r[0]))
        except ValueError:
            raise FormValueError(gettext("Choose each rank from the list.")) from None
        if len({r for r, _ in ranks}) != len(ranks):
            raise FormValueError(gettext("Give each option a different rank."))
        return [option_id for _, option_id in ordered]

    def widget(self, spec, value):
        return {
            "ranks": {str(o): i + 1 for i, o in enumerate(value)}
            if isinstance(value, list)
            else {},
            "rank_positions": list(range(1, len(spec.options) + 1)),
        }

    def count(self, spec, values, bins=None):
        positions: dict[int, int] = Counter()
        for v in values:
            for position, option in enumerate(v, start=1):
                positions[option] += position
        return {"counts": Counter(o for v in values for o in v), "position_sum": positions}

    def statistics(self, spec, raw, out, *, enough, k, owner, show_free_text, complement):
        # A mean position is shown when at least k ranked the option, and in a cross-tab when at
        # least k outside the filter did too (else theirs follows from the overall one).
        for option in out["options"]:
            ranked = raw["counts"].get(option["id"], 0)
            outside = complement["counts"].get(option["id"], 0) if complement else k
            option["mean_position"] = (
                round(raw["position_sum"][option["id"]] / ranked, 3)
                if ranked
                and (owner or (option["count"] is not None and ranked >= k and outside >= k))
                else None
            )

    def charts(self, question, k):
        return [{**chart, "ranked": True} for chart in super().charts(question, k)]

    def encode(self, spec, value, row_id):
        keys = {o[0]: o[1] for o in spec.options}
        return ">".join(keys.get(v, "") for v in value)
