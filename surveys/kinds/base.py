"""What every question kind does, and the defaults most kinds share.

A kind is one object that answers every kind-specific question the app asks: which constraints a
definition may give it and how they are normalised; how an answer is checked, read from a web form
and shown in one; how stored answers are counted, split into count families for suppression,
labelled and published; how it is charted; how it is exported. The rest of the app asks the kind
(``kinds.of(spec)``) and never switches on ``spec.kind``.

Counting methods are pure: they take plain values (an answer set's value for the question) and
return plain data, so they are tested without a database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext

from ..suppression import COMPLEMENT, VISIBLE, Family

if TYPE_CHECKING:
    from ..answers import QuestionSpec

# Spreadsheets run a cell that starts with one of these ("=HYPERLINK(...)" typed by a respondent).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FormValueError(ValueError):
    """A web form's fields for one question cannot be read as an answer (say two options given
    the same rank). The message is shown beside the question."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def as_int(value: Any) -> int | None:
    """An id as sent by the API (a number) or a form (a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def cell(count: int, state: str, answered: int | None) -> dict:
    """One published count with its suppression state."""
    shown = state == VISIBLE
    return {
        "count": count if shown else None,
        "suppressed": not shown,
        "withheld": state == COMPLEMENT,
        "percent": round(100 * count / answered, 1) if shown and answered else None,
    }


class QuestionKind:
    name: ClassVar[str] = ""
    # The constraint keys a definition may give a question of this kind.
    constraints: ClassVar[frozenset[str]] = frozenset()
    # Options (at least two) and matrix rows.
    has_options: ClassVar[bool] = False
    has_rows: ClassVar[bool] = False
    # A display condition on a question of this kind may use these operators; with
    # ``condition_on_option`` its value names one of the question's options (a key in definitions,
    # the option's id once built), otherwise it is a number.
    condition_ops: ClassVar[frozenset[str]] = frozenset()
    condition_on_option: ClassVar[bool] = False
    # Results may be filtered by the answers to a question of this kind (a cross-tab).
    filterable: ClassVar[bool] = False
    # The answer widget, rendered inside the question's block (templates/surveys/kinds/).
    template: ClassVar[str] = ""
    # How an export column holds the answer, for the codebook.
    encoding: ClassVar[str] = ""

    def __repr__(self) -> str:
        return f"<question kind {self.name}>"

    # --- Definitions ----------------------------------------------------------------------

    def normalise(self, constraints: dict) -> list[str]:
        """Fill in and check the kind's own constraints in place; returns the problems."""
        return []

    def condition_problems(self, cond: dict, target: dict) -> list[str]:
        """Problems of a display condition whose question (``target``) is of this kind."""
        if cond["op"] not in self.condition_ops:
            ops = self.condition_ops
            values = {"op": repr(cond["op"]), "kind": self.name, "ops": ", ".join(sorted(ops))}
            if ops:
                return [
                    gettext("show_if: %(op)s does not apply to a %(kind)s question (use %(ops)s).")
                    % values
                ]
            return [gettext("show_if: %(op)s does not apply to a %(kind)s question.") % values]
        if self.condition_on_option:
            if cond["value"] not in {o["key"] for o in target["options"]}:
                return [
                    gettext("show_if: %(value)s is not an option key of %(key)s.")
                    % {"value": repr(cond["value"]), "key": repr(target["key"])}
                ]
        elif isinstance(cond["value"], str):
            return [gettext("show_if: the value must be a number.")]
        return []

    def constraints_from_form(self, data: dict) -> dict:
        """The constraints the question editor's cleaned data gives a question of this kind."""
        return {}

    # --- Answers --------------------------------------------------------------------------

    def clean(self, spec: QuestionSpec, value: Any) -> tuple[Any, str | None]:
        """Check one non-empty answer: (clean value, None) or (None, error message)."""
        raise NotImplementedError

    def read_form(self, spec: QuestionSpec, data, name: str) -> Any:
        """The raw answer in a POSTed answer page (``data`` a QueryDict, ``name`` "q<id>").
        Raises ``FormValueError`` when the fields cannot make an answer."""
        return data.get(name, "")

    def widget(self, spec: QuestionSpec, value: Any) -> dict:
        """What the answer widget needs besides the spec, for the answer ``value`` (or None)."""
        return {}

    # --- Counting (pure) ------------------------------------------------------------------

    def readable(self, value: Any) -> bool:
        """Whether a stored answer can be counted. Answers are checked when submitted, so only
        values stored before a check existed (or written by hand) are not; they are left out of
        the results rather than let one of them break them for everyone."""
        return True

    def count(self, spec: QuestionSpec, values: list, bins: list | None = None) -> dict:
        """Raw counts of the (readable) answers ``values``; ``bins`` fixes a number question's
        bins (a cross-tab uses the bins of the whole)."""
        return {}

    def families(self, spec: QuestionSpec, raw: dict) -> list[Family]:
        """The rows of counts that suppression protects (none for free text)."""
        return []

    def labels(self, spec: QuestionSpec, family: Family, raw: dict) -> list[tuple[Any, str]]:
        """(cell, label) for each cell of ``family``."""
        return [(o[0], o[2]) for o in spec.options]

    def filter_choices(self, spec: QuestionSpec) -> list[tuple[Any, str]]:
        """(value, label) of the answers results can be filtered by (filterable kinds)."""
        return []

    def render_family(
        self, spec: QuestionSpec, family: Family, raw: dict, states: tuple[list[str], str] | None
    ) -> dict:
        option_states, total_state = states or ([VISIBLE] * len(family.cells), VISIBLE)
        answered = family.total if total_state == VISIBLE else None
        options = []
        for (cell_id, label), state in zip(
            self.labels(spec, family, raw), option_states, strict=True
        ):
            options.append(
                {
                    "id": cell_id,
                    "label": label,
                    **cell(family.counts.get(cell_id, 0), state, answered),
                }
            )
        return {
            "answered": answered,
            "answered_suppressed": total_state != VISIBLE,
            "options": options,
        }

    def render(
        self,
        spec: QuestionSpec,
        raw: dict,
        states: list[tuple[list[str], str] | None] | None,
        *,
        k: int,
        owner: bool,
        show_free_text: bool,
        complement: dict | None,
    ) -> dict:
        """One question's published results (see ``counting.render_question``)."""
        out = self.heading(spec, raw)
        if states is not None and any(st is None for st in states):
            # This question cannot be shown (for this filter) without revealing a small count.
            out.update(answered=None, answered_suppressed=True, options=[], not_shown=True)
            out.update(self.withheld_statistics())
            return out
        fams = self.families(spec, raw)
        if fams:
            out.update(self.render_family(spec, fams[0], raw, states[0] if states else None))
        limit = 1 if owner else k
        enough = out["answered"] is not None and out["answered"] >= limit
        if complement is not None and not owner and complement["answered"] < k:
            enough = False
        self.statistics(
            spec,
            raw,
            out,
            enough=enough,
            k=k,
            owner=owner,
            show_free_text=show_free_text,
            complement=complement,
        )
        return out

    def heading(self, spec: QuestionSpec, raw: dict) -> dict:
        return {
            "id": spec.id,
            "key": spec.key,
            "kind": spec.kind,
            "prompt": spec.prompt,
            "answered": raw["answered"],
            "answered_suppressed": False,
            "options": [],
        }

    def withheld_statistics(self) -> dict:
        """The statistics a question that is not shown publishes (as None)."""
        return {}

    def statistics(
        self,
        spec: QuestionSpec,
        raw: dict,
        out: dict,
        *,
        enough: bool,
        k: int,
        owner: bool,
        show_free_text: bool,
        complement: dict | None,
    ) -> None:
        """Add the kind's statistics (median, mean positions, texts) to ``out``. ``enough``: at
        least k answered (1 for owners), and in a cross-tab at least k outside the filter too."""

    # --- Charts ---------------------------------------------------------------------------

    def charts(self, question: dict, k: int) -> list[dict]:
        """The charts of one published question, each with its table: ``{"id", "title",
        "items", "answered", "heading" (of the table's first column), "ranked" (the table has a
        mean position column)}``."""
        if not question["options"]:
            return []
        return [
            {
                "id": f"chart-{question['id']}",
                "title": question["prompt"],
                "items": question["options"],
                "answered": question["answered"],
                "heading": "Answer",
                "ranked": False,
            }
        ]

    # --- Exports --------------------------------------------------------------------------

    def columns(self, spec: QuestionSpec) -> list[tuple[str, int | None]]:
        """(column name, matrix row id or None) of the question's export columns."""
        return [(spec.key, None)]

    def encode(self, spec: QuestionSpec, value: Any, row_id: int | None) -> str | int | float:
        """One export cell for a stored answer (not None)."""
        if isinstance(value, str) and value[:1] in FORMULA_STARTS:
            return "'" + value
        return value

    def codes(self, spec: QuestionSpec) -> str:
        """The codebook's "codes" cell."""
        return "; ".join(f"{key} = {label}" for _, key, label in spec.options)
