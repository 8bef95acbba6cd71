"""Number and scale: answers are numbers, published as counts per bin or point with a median and a
mean.

Every number the app accepts is a finite float of at most 15 digits before the decimal point
(``LIMIT``), whatever the question's own bounds: a float holds such a number exactly enough, and
a bin width, a mean or a chart length computed from it cannot overflow.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, gettext_noop

from ..suppression import Family
from .base import QuestionKind

if TYPE_CHECKING:
    from ..answers import QuestionSpec

LIMIT = 10**15
# Translated where it is returned (``gettext(TOO_LARGE)``).
TOO_LARGE = gettext_noop(
    "Out of range: a number may have at most 15 digits before the decimal point."
)
MAX_BINS = 10
MAX_SCALE_POINTS = 11


def finite(value: Any) -> bool:
    """A number (not a bool) that is finite and within ``LIMIT``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return -LIMIT < value < LIMIT


def as_number(value: Any) -> int | float | None:
    """A number as sent by the API (a JSON number) or a form (text), else None. Whole numbers
    come back as ints. The size is not checked here (see ``finite``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        if not -LIMIT < number < LIMIT:
            # Not converted: int(Decimal("1e999999")) would take a very long time.
            return int(math.copysign(LIMIT, number))
        return int(number) if number == number.to_integral_value() else float(number)
    return None


def _format(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


class _Numeric(QuestionKind):
    condition_ops = frozenset({"equals", "at_least", "at_most"})
    template = "surveys/kinds/number.html"

    def integer(self, spec: QuestionSpec) -> bool:
        return bool(spec.constraints.get("integer"))

    def clean(self, spec, value):
        if isinstance(value, float) and math.isinf(value):
            # A JSON number too large for a float (1e309) reads as infinity.
            return None, gettext(TOO_LARGE)
        number = as_number(value)
        if number is None:
            return None, gettext("Enter a number.")
        integer = self.integer(spec)
        if integer and number != int(number):
            return None, gettext("Enter a whole number.")
        lo, hi = spec.constraints.get("min"), spec.constraints.get("max")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            if lo is not None and hi is not None:
                message = gettext("Out of range: enter a number between %(min)s and %(max)s.")
            elif lo is not None:
                message = gettext("Out of range: enter a number at least %(min)s.")
            else:
                message = gettext("Out of range: enter a number at most %(max)s.")
            return None, message % {"min": lo, "max": hi}
        if not finite(number):
            return None, gettext(TOO_LARGE)
        return (int(number) if integer else number), None

    def readable(self, value):
        return finite(value)

    def constraints_from_form(self, data):
        c = {}
        for name in ("min", "max"):
            value = data[name]
            if value is not None:
                c[name] = int(value) if float(value).is_integer() else value
        return c

    def withheld_statistics(self):
        return {"median": None, "mean": None}

    def statistics(self, spec, raw, out, *, enough, k, owner, show_free_text, complement):
        values = raw["values"]
        out["median"] = statistics.median(values) if values and enough else None
        out["mean"] = round(statistics.fmean(values), 3) if values and enough else None


def _nice_widths():
    """1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, … (increasing, endless)."""
    yield from (1, 2, 5)
    scale = 10
    while True:
        yield from (scale, 2 * scale, 25 * scale // 10, 5 * scale)
        scale *= 10


def integer_bins(lo: int, hi: int) -> list[tuple[int, int]]:
    """Inclusive bins of whole numbers with one round width, aligned on multiples of it (0–9,
    10–19, …), at most ``MAX_BINS``; only the first and last are cut to the bounds (1–9 …,
    90–100). A round maximum (100 with width 10) joins the last bin rather than standing alone
    (issue 16, defect 20: never 0–10, 11–21, …, 99–100)."""
    for width in _nice_widths():
        start = lo // width * width
        n = (hi - start) // width + 1
        if n > MAX_BINS and width >= 10 and (hi - start) % width == 0 and n - 1 <= MAX_BINS:
            n -= 1  # the round maximum joins the last bin
        if n <= MAX_BINS:
            break
    bins = []
    for i in range(n):
        a, b = start + i * width, start + (i + 1) * width - 1
        bins.append((max(a, lo), hi if i == n - 1 else min(b, hi)))
    return bins


class Number(_Numeric):
    name = "number"
    constraints = frozenset({"min", "max", "integer"})

    def constraints_from_form(self, data):
        c = super().constraints_from_form(data)
        if data["integer"]:
            c["integer"] = True
        return c

    def bins(self, spec: QuestionSpec, values: list[float]) -> list[tuple[float, float]]:
        """Bins from the question's bounds when it has both, else from rounded data bounds. Bins
        depend on all responses, so a cross-tab uses the same bins as the whole."""
        c = spec.constraints
        lo, hi = c.get("min"), c.get("max")
        if lo is None or hi is None:
            if not values:
                return []
            lo = min(values) if lo is None else lo
            hi = max(values) if hi is None else hi
            # Round the edges outwards so that they do not publish the exact extreme answers.
            span = max(hi - lo, 1)
            step = 10 ** math.floor(math.log10(span))
            lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
            if hi == lo:
                hi = lo + step
        if c.get("integer"):
            return integer_bins(math.floor(lo), math.ceil(hi))
        width = (hi - lo) / MAX_BINS
        return [(lo + i * width, lo + (i + 1) * width) for i in range(MAX_BINS)]

    @staticmethod
    def bin_index(bins: list[tuple[float, float]], value: float, integer: bool) -> int | None:
        for i, (lo, hi) in enumerate(bins):
            if integer:
                if lo <= value <= hi:
                    return i
            elif lo <= value < hi or (i == len(bins) - 1 and value == hi):
                return i
        return None

    def count(self, spec, values, bins=None):
        ordered = sorted(values)
        if bins is None:
            bins = self.bins(spec, ordered)
        integer = self.integer(spec)
        return {
            "values": ordered,
            "bins": bins,
            "counts": Counter(self.bin_index(bins, v, integer) for v in values),
        }

    def families(self, spec, raw):
        cells = list(range(len(raw["bins"])))
        return [Family("", cells, raw["counts"], raw["answered"], True, 1)]

    def labels(self, spec, family, raw):
        out = []
        for i, (lo, hi) in enumerate(raw["bins"]):
            if lo == hi:
                label = _format(lo)
            elif self.integer(spec):
                label = f"{_format(lo)}–{_format(hi)}"
            else:
                label = f"{_format(lo)} to under {_format(hi)}"
            out.append((i, label))
        return out

    def encode(self, spec, value, row_id):
        return value


class Scale(_Numeric):
    name = "scale"
    constraints = frozenset({"min", "max", "min_label", "max_label"})
    filterable = True
    template = "surveys/kinds/scale.html"

    def integer(self, spec):
        return True

    def points(self, spec: QuestionSpec) -> list[int]:
        """The points of the scale, ``min`` to ``max`` (whole numbers, both included)."""
        c = spec.constraints
        return list(range(int(c.get("min", 1)), int(c.get("max", 5)) + 1))

    def normalise(self, constraints):
        lo, hi = constraints.setdefault("min", 1), constraints.setdefault("max", 5)
        if not (finite(lo) and finite(hi)):
            return [gettext(TOO_LARGE)]
        problems = []
        if lo != int(lo) or hi != int(hi) or not 2 <= hi - lo + 1 <= MAX_SCALE_POINTS:
            problems.append(
                gettext("A scale runs between whole numbers, 2 to %(n)s points.")
                % {"n": MAX_SCALE_POINTS}
            )
        constraints["min"], constraints["max"] = int(lo), int(hi)
        return problems

    def constraints_from_form(self, data):
        c = super().constraints_from_form(data)
        for name in ("min_label", "max_label"):
            if data[name]:
                c[name] = data[name]
        return c

    def widget(self, spec, value):
        selected = [str(value)] if value not in (None, "") else []
        return {"points": self.points(spec), "selected": selected}

    def count(self, spec, values, bins=None):
        return {"counts": Counter(values), "values": sorted(values)}

    def families(self, spec, raw):
        return [Family("", self.points(spec), raw["counts"], raw["answered"], True, 1)]

    def labels(self, spec, family, raw):
        c = spec.constraints
        labels = []
        for point in family.cells:
            label = str(point)
            if point == c.get("min") and c.get("min_label"):
                label += f" ({c['min_label']})"
            if point == c.get("max") and c.get("max_label"):
                label += f" ({c['max_label']})"
            labels.append((point, label))
        return labels

    def filter_choices(self, spec):
        return [(p, str(p)) for p in self.points(spec)]

    def encode(self, spec, value, row_id):
        return value

    def codes(self, spec):
        points = self.points(spec)
        return f"{points[0]}..{points[-1]}"
