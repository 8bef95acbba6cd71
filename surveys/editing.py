"""The editor's changes to a draft: add, replace, move and remove questions and sections.

Each is a change to the survey's exported definition, saved through ``services.survey_edit``
(the one write path, which checks the owner and that the questions are not locked, rebuilds the
questions and publishes ``survey.updated``).
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from config.errors import Conflict, Invalid, NotFound

from . import services
from .models import Survey


def _save(survey: Survey, actor, change: Callable[[dict], None], changed: str) -> Survey:
    return services.survey_edit(survey=survey, actor=actor, change=change, changed=changed)


def find_question(d: dict, key: str) -> tuple[int, int]:
    for s_index, section in enumerate(d["sections"]):
        for q_index, q in enumerate(section["questions"]):
            if q["key"] == key:
                return s_index, q_index
    raise NotFound(_("No such question."))


def questions_before(d: dict, key: str | None = None) -> list[dict]:
    """The questions of definition ``d`` before question ``key`` (all when None): those a display
    condition of ``key`` may name."""
    earlier = []
    for section in d["sections"]:
        for q in section["questions"]:
            if q["key"] == key:
                return earlier
            earlier.append(q)
    return earlier


def question_save(
    *, survey: Survey, actor, data: dict, key: str | None = None, section: int | None = None
) -> Survey:
    """Add a question (``key`` None) at the end of ``section`` (the first when None), or replace
    the question named ``key``: in its place, or at the end of ``section`` when that is another
    section."""

    def change(d: dict) -> None:
        target = 0 if section is None and key is None else section
        if target is not None and not 0 <= target < len(d["sections"]):
            raise NotFound(_("No such section."))
        if key is None:
            d["sections"][target]["questions"].append(data)
            return
        s, q = find_question(d, key)
        if target is None or target == s:
            d["sections"][s]["questions"][q] = data
        else:
            del d["sections"][s]["questions"][q]
            d["sections"][target]["questions"].append(data)

    return _save(survey, actor, change, "questions")


def question_delete(*, survey: Survey, actor, key: str) -> Survey:
    def change(d: dict) -> None:
        s, q = find_question(d, key)
        for section in d["sections"]:
            for other in section["questions"]:
                if (other.get("show_if") or {}).get("question") == key:
                    raise Conflict(
                        _(
                            "Question %(key)s is shown depending on this one; change its "
                            "condition first."
                        )
                        % {"key": repr(other["key"])}
                    )
        del d["sections"][s]["questions"][q]

    return _save(survey, actor, change, "questions")


def question_move(*, survey: Survey, actor, key: str, direction: str) -> Survey:
    """Move a question one place up or down, across section boundaries when at an edge."""

    def change(d: dict) -> None:
        s, q = find_question(d, key)
        item = d["sections"][s]["questions"][q]
        if direction == "up":
            if q > 0:
                qs = d["sections"][s]["questions"]
                qs[q - 1], qs[q] = qs[q], qs[q - 1]
            elif s > 0:
                d["sections"][s]["questions"].pop(q)
                d["sections"][s - 1]["questions"].append(item)
        elif direction == "down":
            qs = d["sections"][s]["questions"]
            if q < len(qs) - 1:
                qs[q + 1], qs[q] = qs[q], qs[q + 1]
            elif s < len(d["sections"]) - 1:
                qs.pop(q)
                d["sections"][s + 1]["questions"].insert(0, item)
        else:
            raise Invalid(_("Move up or down."), errors={"direction": [_("Use up or down.")]})

    return _save(survey, actor, change, "questions")


def section_add(*, survey: Survey, actor, title: str, description: str = "") -> Survey:
    def change(d: dict) -> None:
        d["sections"].append({"title": title, "description": description, "questions": []})

    return _save(survey, actor, change, "sections")


def section_update(
    *, survey: Survey, actor, index: int, title: str, description: str = ""
) -> Survey:
    def change(d: dict) -> None:
        if not 0 <= index < len(d["sections"]):
            raise NotFound(_("No such section."))
        d["sections"][index].update(title=title, description=description)

    return _save(survey, actor, change, "sections")


def section_delete(*, survey: Survey, actor, index: int) -> Survey:
    """Remove an empty section (move or remove its questions first); a survey keeps one."""

    def change(d: dict) -> None:
        if not 0 <= index < len(d["sections"]):
            raise NotFound(_("No such section."))
        if d["sections"][index]["questions"]:
            raise Conflict(_("Move or remove the questions of this section first."))
        if len(d["sections"]) == 1:
            raise Conflict(_("A survey keeps at least one section."))
        del d["sections"][index]

    return _save(survey, actor, change, "sections")
