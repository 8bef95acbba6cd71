"""Answer validation and display conditions, evaluated on the server.

Works on :class:`QuestionSpec` (plain data loaded once per request), so the same code checks an API
submission, a web page and a property test. Errors are keyed by question id (as a string), the
shape of ``{"errors": {...}}`` in the API.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .models import Question

K = Question.Kind
DEFAULT_MAX_LENGTH = {K.SHORT_TEXT: 500, K.LONG_TEXT: 10_000}


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    key: str
    kind: str
    prompt: str
    required: bool
    section_id: int
    options: tuple[tuple[int, str, str], ...] = ()  # (id, key, label)
    rows: tuple[tuple[int, str, str], ...] = ()
    constraints: dict = field(default_factory=dict)
    show_if: dict | None = None

    @property
    def option_ids(self) -> set[int]:
        return {o[0] for o in self.options}

    @property
    def row_ids(self) -> set[int]:
        return {r[0] for r in self.rows}


_SPECS_CACHE: dict[tuple, list[QuestionSpec]] = {}
_SPECS_CACHE_SIZE = 64


def specs_for(survey) -> list[QuestionSpec]:
    """A survey's questions as specs: three queries, or none when this process has them.

    Every change to a survey's questions goes through a service that saves the survey, which
    moves ``updated_at``; keyed by it, a cached entry can never describe old questions.
    """
    key = (survey.pk, survey.updated_at.isoformat() if survey.updated_at else None)
    cached = _SPECS_CACHE.get(key)
    if cached is not None and key[1] is not None:
        return cached
    questions = survey.questions.prefetch_related("options", "rows")
    specs = [spec_of(q) for q in questions]
    if len(_SPECS_CACHE) >= _SPECS_CACHE_SIZE:
        _SPECS_CACHE.pop(next(iter(_SPECS_CACHE)))
    _SPECS_CACHE[key] = specs
    return specs


def spec_of(q: Question) -> QuestionSpec:
    return QuestionSpec(
        id=q.pk,
        key=q.key,
        kind=q.kind,
        prompt=q.prompt,
        required=q.required,
        section_id=q.section_id,
        options=tuple((o.pk, o.key, o.label) for o in q.options.all()),
        rows=tuple((r.pk, r.key, r.label) for r in q.rows.all()),
        constraints=q.constraints or {},
        show_if=q.show_if,
    )


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def condition_holds(cond: dict, answer: Any) -> bool:
    """Whether a display condition holds for the (clean) answer to its question."""
    if is_empty(answer):
        return False
    op, target = cond["op"], cond["value"]
    try:
        if op == "equals":
            return answer == target
        if op == "includes":
            return isinstance(answer, list) and target in answer
        if op == "at_least":
            return float(answer) >= float(target)
        if op == "at_most":
            return float(answer) <= float(target)
    except (TypeError, ValueError):
        return False
    return False


def visible_ids(specs: list[QuestionSpec], clean: dict[int, Any]) -> set[int]:
    """The questions shown given the answers so far; a question whose condition's question is
    hidden is hidden too (conditions only look back, so one pass in order suffices)."""
    shown: set[int] = set()
    for spec in specs:
        cond = spec.show_if
        if cond is None or (
            cond["question"] in shown and condition_holds(cond, clean.get(cond["question"]))
        ):
            shown.add(spec.id)
    return shown


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    return None


def clean_value(spec: QuestionSpec, value: Any) -> tuple[Any, str | None]:
    """Check one non-empty answer; returns (clean value, error message or None)."""
    c, kind = spec.constraints, spec.kind
    if kind == K.SINGLE_CHOICE:
        option = _as_int(value)
        if option is None or option not in spec.option_ids:
            return None, "This option is not offered."
        return option, None
    if kind in (K.MULTIPLE_CHOICE, K.RANKING):
        if not isinstance(value, list):
            value = [value]
        chosen = [_as_int(v) for v in value]
        if any(v is None or v not in spec.option_ids for v in chosen):
            return None, "One of these options is not offered."
        if len(set(chosen)) != len(chosen):
            return None, "An option is chosen more than once."
        if kind == K.RANKING:
            wanted = c.get("max_selections") or len(spec.options)
            if c.get("max_selections") and len(chosen) > wanted:
                return None, f"Rank at most {wanted} options."
            if not c.get("max_selections") and len(chosen) != wanted:
                return None, f"Rank all {wanted} options."
            return chosen, None
        lo, hi = c.get("min_selections"), c.get("max_selections")
        if hi is not None and len(chosen) > hi:
            return None, f"Too many selections: choose at most {hi}."
        if lo is not None and len(chosen) < lo:
            return None, f"Too few selections: choose at least {lo}."
        order = {o[0]: i for i, o in enumerate(spec.options)}
        return sorted(chosen, key=order.__getitem__), None
    if kind in (K.SHORT_TEXT, K.LONG_TEXT):
        if not isinstance(value, str):
            return None, "Write text."
        text = value.strip()
        limit = c.get("max_length", DEFAULT_MAX_LENGTH[kind])
        if len(text) > limit:
            return None, f"Too long: at most {limit} characters."
        return text, None
    if kind in (K.NUMBER, K.SCALE):
        number = _as_number(value)
        if number is None:
            return None, "Enter a number."
        integer = kind == K.SCALE or c.get("integer")
        if integer and number != int(number):
            return None, "Enter a whole number."
        lo, hi = c.get("min"), c.get("max")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            bounds = f"between {lo} and {hi}" if lo is not None and hi is not None else ""
            if not bounds:
                bounds = f"at least {lo}" if lo is not None else f"at most {hi}"
            return None, f"Out of range: enter a number {bounds}."
        return (int(number) if integer else number), None
    if kind == K.MATRIX:
        if not isinstance(value, dict):
            return None, "Answer with one choice per row."
        out: dict[str, int] = {}
        for row, option in value.items():
            row_id, option_id = _as_int(row), _as_int(option)
            if row_id is None or row_id not in spec.row_ids:
                return None, "A row is not part of this question."
            if is_empty(option):
                continue
            if option_id is None or option_id not in spec.option_ids:
                return None, "This option is not offered."
            out[str(row_id)] = option_id
        if spec.required and len(out) < len(spec.rows):
            return None, "Answer every row."
        return out, None
    return None, "Unknown question kind."


def validate(
    specs: list[QuestionSpec],
    answers: dict,
    *,
    strict: bool = True,
    only: set[int] | None = None,
) -> tuple[dict[int, Any], dict[str, list[str]]]:
    """Check a set of answers against the questions and their display conditions.

    Returns ``(clean, errors)``: clean answers by question id for visible questions only, and
    errors by question id. ``strict`` reports an answer to a hidden question as an error (the API);
    otherwise it is silently discarded (a web form still showing it). ``only`` limits required
    checks to some questions (the current page of a multi-page form).
    """
    errors: dict[str, list[str]] = {}
    by_id = {spec.id: spec for spec in specs}
    raw: dict[int, Any] = {}
    if not isinstance(answers, dict):
        return {}, {"answers": ["Send an object mapping question ids to values."]}
    for key, value in answers.items():
        qid = _as_int(key)
        if qid is None or qid not in by_id:
            errors.setdefault(str(key), []).append("No such question in this survey.")
        else:
            raw[qid] = value
    clean: dict[int, Any] = {}
    shown: set[int] = set()
    for spec in specs:
        cond = spec.show_if
        visible = cond is None or (
            cond["question"] in shown and condition_holds(cond, clean.get(cond["question"]))
        )
        value = raw.get(spec.id)
        if not visible:
            if strict and not is_empty(value):
                errors.setdefault(str(spec.id), []).append(
                    "This question is hidden by its display condition: leave it out."
                )
            continue
        shown.add(spec.id)
        if is_empty(value):
            if spec.required and (only is None or spec.id in only):
                errors.setdefault(str(spec.id), []).append("This question is required.")
            continue
        cleaned, error = clean_value(spec, value)
        if error:
            errors.setdefault(str(spec.id), []).append(error)
        elif not is_empty(cleaned):
            clean[spec.id] = cleaned
    return clean, errors
