"""Answer validation and display conditions, evaluated on the server.

Works on :class:`QuestionSpec` (plain data loaded once per request), so the same code checks an API
submission, a web page and a property test; what an answer to each kind of question may be is its
kind's business (``kinds``). Errors are keyed by question id (as a string), the shape of
``{"errors": {...}}`` in the API.
"""

from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from . import kinds, translations
from .kinds import as_int, is_empty
from .models import Question


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
    help: str = ""
    # The author's translations (``translations.py``): the question's {"it": {"prompt", "help"}}
    # and, by option and row id, their {"it": label}. Only ``in_language`` reads them.
    translations: dict = field(default_factory=dict)
    option_translations: dict = field(default_factory=dict)
    row_translations: dict = field(default_factory=dict)

    @property
    def option_ids(self) -> set[int]:
        return {o[0] for o in self.options}

    @property
    def row_ids(self) -> set[int]:
        return {r[0] for r in self.rows}

    def in_language(self, language: str | None = None) -> "QuestionSpec":
        """The spec with its texts in ``language`` (the request's by default) where the author
        translated them: for the pages people read, never for results or exports (their labels
        are the source texts). Ids and keys are unchanged, so answers are checked the same."""
        language = language or translations.active()
        if not language or not (
            self.translations or self.option_translations or self.row_translations
        ):
            return self

        def choices(items, texts):
            return tuple(
                (i, key, translations.text(label, texts.get(i), language=language))
                for i, key, label in items
            )

        return replace(
            self,
            prompt=translations.text(self.prompt, self.translations, "prompt", language),
            help=translations.text(self.help, self.translations, "help", language),
            options=choices(self.options, self.option_translations),
            rows=choices(self.rows, self.row_translations),
        )


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
        help=q.help,
        translations=q.translations or {},
        option_translations={o.pk: o.translations for o in q.options.all() if o.translations},
        row_translations={r.pk: r.translations for r in q.rows.all() if r.translations},
    )


def in_language(specs: list[QuestionSpec], language: str | None = None) -> list[QuestionSpec]:
    """``specs`` as shown to a person reading ``language`` (the request's by default)."""
    language = language or translations.active()
    return [spec.in_language(language) for spec in specs]


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
    except (TypeError, ValueError, OverflowError):
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
        return {}, {"answers": [_("Send an object mapping question ids to values.")]}
    for key, value in answers.items():
        qid = as_int(key)
        if qid is None or qid not in by_id:
            errors.setdefault(str(key), []).append(_("No such question in this survey."))
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
                    _("This question is hidden by its display condition: leave it out.")
                )
            continue
        shown.add(spec.id)
        if is_empty(value):
            if spec.required and (only is None or spec.id in only):
                errors.setdefault(str(spec.id), []).append(_("This question is required."))
            continue
        cleaned, error = kinds.of(spec).clean(spec, value)
        if error:
            errors.setdefault(str(spec.id), []).append(error)
        elif not is_empty(cleaned):
            clean[spec.id] = cleaned
    return clean, errors
