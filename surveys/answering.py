"""The answer pages as a small state machine, in plain functions that tests call directly.

A person answers one page per section. The state (``Progress``) is the survey's pages, the page
they are on and their answers so far (saved between pages: a draft on the server for signed-in
people, the session for others). A POST of a page is one transition (``post``):

- ``back``: keep what was typed (even if wrong) and go to the previous page, checking nothing;
- ``next``: check this page; with errors stay on it (``Shown``), else go on (``Moved``);
- ``submit`` on the last page: check this page, then hand every clean answer over (``Ready``)
  to ``services.response_submit`` (or ``response_update``); when the service still refuses some
  answer (a required question on another page, say), ``refused`` shows each error on its page.

Pages whose every question is hidden by an earlier answer are skipped; a display condition on a
question of the same page is applied in the browser (``static/js/surveys-answer.js``) and again
on the server, so such a question is always rendered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from . import kinds
from .answers import QuestionSpec, validate, visible_ids
from .kinds import FormValueError, is_empty


class Action(StrEnum):
    NEXT = "next"
    BACK = "back"
    SUBMIT = "submit"

    @classmethod
    def of(cls, value: str | None) -> Action:
        """The button pressed; anything else counts as "next" (check the page, go on)."""
        try:
            return cls(value)
        except ValueError:
            return cls.NEXT


@dataclass(frozen=True)
class Page:
    section: Any  # a Section (its title and description are shown)
    questions: list[QuestionSpec]

    @property
    def ids(self) -> set[int]:
        return {q.id for q in self.questions}

    def condition_on_page(self, spec: QuestionSpec) -> bool:
        """Whether ``spec`` depends on a question of this same page (applied in the browser)."""
        return bool(spec.show_if) and spec.show_if["question"] in self.ids


@dataclass
class Progress:
    sections: list  # the survey's sections, in order
    specs: list[QuestionSpec]
    pages: list[Page]
    index: int
    answers: dict[int, Any] = field(default_factory=dict)  # raw, by question id

    @property
    def page(self) -> Page:
        return self.pages[self.index]

    @property
    def last(self) -> bool:
        return self.index == len(self.pages) - 1


# --- Outcomes of a POST --------------------------------------------------------------------------


@dataclass(frozen=True)
class Moved:
    """Save ``answers`` with ``page`` as the page to resume at, and show that page."""

    page: int
    answers: dict[int, Any]


@dataclass(frozen=True)
class Shown:
    """Show the current page again with its errors (by question id), ``answers`` saved as they
    are; ``elsewhere``: errors of questions on other pages, as (page index, spec, message)."""

    errors: dict[str, list[str]]
    answers: dict[int, Any]
    elsewhere: list[tuple[int, QuestionSpec, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Ready:
    """Every page passed: submit ``answers`` (clean, visible questions only)."""

    answers: dict[int, Any]


# --- Transitions --------------------------------------------------------------------------------


def all_pages(sections, specs: list[QuestionSpec]) -> list[Page]:
    """One page per section that has questions (the preview shows them all)."""
    pages = [
        Page(section, [s for s in specs if s.section_id == section.pk]) for section in sections
    ]
    return [page for page in pages if page.questions]


def pages_of(sections, specs: list[QuestionSpec], answers: dict[int, Any]) -> list[Page]:
    """The pages to show given the answers so far: those of ``all_pages`` less the ones whose
    every question is hidden by an earlier answer."""
    clean, _ = validate(specs, answers, strict=False)
    shown = visible_ids(specs, clean)
    return [
        page
        for page in all_pages(sections, specs)
        if any(q.id in shown or page.condition_on_page(q) for q in page.questions)
    ]


def start(
    *, sections, specs: list[QuestionSpec], answers: dict[int, Any], page: Any
) -> Progress | None:
    """Open the answer pages at ``page`` (as requested: any value; clamped to the pages there
    are), with the answers saved so far. None when no page has a question to show."""
    sections = list(sections)
    pages = pages_of(sections, specs, answers)
    if not pages:
        return None
    try:
        index = int(page)
    except (TypeError, ValueError):
        index = 0
    return Progress(sections, specs, pages, min(max(index, 0), len(pages) - 1), dict(answers))


def read_page(progress: Progress, data) -> tuple[dict[int, Any], dict[str, list[str]]]:
    """The answers with this page's fields (from a QueryDict) put in, and the fields that could
    not be read as an answer (by question id). A question left empty loses its answer."""
    answers = dict(progress.answers)
    unreadable: dict[str, list[str]] = {}
    for spec in progress.page.questions:
        try:
            raw = kinds.of(spec).read_form(spec, data, f"q{spec.id}")
        except FormValueError as exc:
            answers.pop(spec.id, None)
            unreadable[str(spec.id)] = [exc.message]
            continue
        if is_empty(raw):
            answers.pop(spec.id, None)
        else:
            answers[spec.id] = raw
    return answers, unreadable


def post(progress: Progress, data, action: Action) -> Moved | Shown | Ready:
    """One POST of the current page (see the module's docstring)."""
    answers, unreadable = read_page(progress, data)
    progress.answers = answers
    # This page's answers may show a later page (or hide one): the pages after this one are
    # counted again. Conditions only look back, so this page and those before it stay.
    progress.pages = pages_of(progress.sections, progress.specs, answers)
    clean, all_errors = validate(progress.specs, answers, strict=False)
    errors = {
        key: messages
        for key, messages in all_errors.items()
        if kinds.as_int(key) in progress.page.ids
    }
    errors.update(unreadable)
    # Keep what was typed on this page, even if wrong, so the person can fix it.
    keep = {
        **clean,
        **{qid: answers[qid] for qid in progress.page.ids if str(qid) in errors and qid in answers},
    }
    if action == Action.BACK:
        return Moved(max(progress.index - 1, 0), keep)
    if errors:
        return Shown(errors, keep)
    if action == Action.SUBMIT and progress.last:
        return Ready(clean)
    return Moved(progress.index + 1, keep)


def refused(progress: Progress, errors: dict[str, list[str]], answers: dict[int, Any]) -> Shown:
    """The service refused the submission: errors of this page beside their questions, the
    others listed with the page they are on."""
    page_of = {q.id: i for i, p in enumerate(progress.pages) for q in p.questions}
    by_id = {s.id: s for s in progress.specs}
    here = {k: v for k, v in errors.items() if kinds.as_int(k) in progress.page.ids}
    elsewhere = []
    for key, messages in errors.items():
        qid = kinds.as_int(key)
        if qid in by_id and qid not in progress.page.ids:
            elsewhere += [(page_of.get(qid, 0), by_id[qid], m) for m in messages]
    return Shown(here, answers, elsewhere)


# --- What the page shows ------------------------------------------------------------------------


def block(spec: QuestionSpec, value: Any, errors: list[str], *, disabled: bool = False) -> dict:
    """What ``_question.html`` needs for one question: its kind's widget and its state."""
    kind = kinds.of(spec)
    return {
        "spec": spec,
        "name": f"q{spec.id}",
        "value": value,
        "template": kind.template,
        "errors": errors,
        "show_if": json.dumps(spec.show_if) if spec.show_if else "",
        "disabled": disabled,
        **kind.widget(spec, value),
    }


def blocks(progress: Progress, errors: dict[str, list[str]]) -> list[dict]:
    """The questions of the current page that apply given the answers so far."""
    clean, _ = validate(progress.specs, progress.answers, strict=False)
    shown = visible_ids(progress.specs, clean)
    page = progress.page
    return [
        block(spec, progress.answers.get(spec.id), errors.get(str(spec.id), []))
        for spec in page.questions
        if spec.id in shown or page.condition_on_page(spec)
    ]
