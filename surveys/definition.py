"""The survey definition format (``omi-survey/1``): check, build and export.

The JSON Schema in ``definition.schema.json`` checks the shape; :func:`check` then checks what a
schema cannot (unique keys, conditions that only look back, constraints that fit the kind) and
reports every problem by JSON pointer.
"""

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.errors import Invalid

from . import kinds, translations
from .models import MatrixRow, Option, Question, Section, Survey

FORMAT = "omi-survey/1"
SCHEMA_PATH = Path(__file__).with_name("definition.schema.json")
SETTINGS = (
    "audience",
    "anonymity",
    "results_visibility",
    "min_cell_size",
    "allow_edit",
    "show_free_text",
)
DEFAULTS = {
    "audience": "signed_in",
    "anonymity": "anonymous",
    "results_visibility": "after_close",
    "min_cell_size": 5,
    "allow_edit": False,
    "show_free_text": False,
}


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _pointer(path) -> str:
    return "/" + "/".join(str(p) for p in path) if path else "/"


def _choices(items: list, prefix: str, where: str, errors: dict[str, list[str]]) -> list[dict]:
    out = []
    for index, item in enumerate(items or []):
        if isinstance(item, str):
            item = {"label": item}
        key = item.get("key") or slugify(item["label"])[:50] or f"{prefix}{index + 1}"
        choice = {"key": key, "label": item["label"]}
        texts = translations.check(
            item.get("translations"), f"{where}/{index}/translations", errors
        )
        if texts:
            choice["translations"] = texts
        out.append(choice)
    return out


def _non_finite(value: Any):
    """The pointers of numbers that are not finite (NaN, Infinity, or 1e400 read as Infinity):
    JSON Schema's comparisons cannot refuse them, and no database stores them as JSON. A loop,
    not a recursion: a pasted definition may be nested as deep as the JSON parser allows."""
    stack: list[tuple[tuple, Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            yield _pointer(path)
        elif isinstance(item, dict):
            stack += [((*path, key), child) for key, child in item.items()]
        elif isinstance(item, list):
            stack += [((*path, index), child) for index, child in enumerate(item)]


def check(definition: Any) -> dict:
    """Validate a definition; returns it normalised (keys filled in). Raises ``Invalid``."""
    errors: dict[str, list[str]] = {}
    for pointer in sorted(_non_finite(definition)):
        errors.setdefault(pointer, []).append(_("Use a finite number."))
    if errors:
        raise Invalid(_("The survey definition has numbers that are not finite."), errors=errors)
    validator = jsonschema.Draft202012Validator(schema())
    for error in sorted(validator.iter_errors(definition), key=lambda e: list(e.path)):
        errors.setdefault(_pointer(error.absolute_path), []).append(error.message)
    if errors:
        raise Invalid(_("The survey definition does not match the schema."), errors=errors)

    d = {**DEFAULTS, **definition, "format": FORMAT}
    for field in ("opens_at", "closes_at"):
        if d.get(field) and parse_datetime(d[field]) is None:
            errors.setdefault(f"/{field}", []).append(_("Use an ISO 8601 date and time."))
    if (
        d.get("opens_at")
        and d.get("closes_at")
        and not errors
        and parse_datetime(d["closes_at"]) <= parse_datetime(d["opens_at"])
    ):
        errors.setdefault("/closes_at", []).append(_("The close must come after the opening."))

    seen: dict[str, dict] = {}
    position = 0
    sections = []
    for s_index, section in enumerate(d["sections"]):
        questions = []
        for q_index, q in enumerate(section.get("questions", [])):
            where = f"/sections/{s_index}/questions/{q_index}"
            q = {**q}
            position += 1
            q["key"] = q.get("key") or f"q{position}"
            q["options"] = _choices(q.get("options"), "o", f"{where}/options", errors)
            q["rows"] = _choices(q.get("rows"), "r", f"{where}/rows", errors)
            texts = translations.check(q.get("translations"), f"{where}/translations", errors)
            if texts:
                q["translations"] = texts
            else:
                q.pop("translations", None)
            q["constraints"] = dict(q.get("constraints") or {})
            problems = _check_question(q)
            if q["key"] in seen:
                problems.append(_("The key %(key)s is used twice.") % {"key": repr(q["key"])})
            cond = q.get("show_if")
            if cond:
                target = seen.get(cond["question"])
                if target is None:
                    problems.append(
                        _("show_if refers to %(key)s, which is not an earlier question.")
                        % {"key": repr(cond["question"])}
                    )
                else:
                    problems += kinds.of(target).condition_problems(cond, target)
            if problems:
                errors.setdefault(where, []).extend(problems)
            seen[q["key"]] = q
            questions.append(q)
        section = {**section, "questions": questions}
        texts = translations.check(
            section.get("translations"), f"/sections/{s_index}/translations", errors
        )
        if texts:
            section["translations"] = texts
        else:
            section.pop("translations", None)
        sections.append(section)
    if errors:
        raise Invalid(_("The survey definition has errors."), errors=errors)
    d["sections"] = sections
    return d


def _check_question(q: dict) -> list[str]:
    kind, c, problems = kinds.of(q), q["constraints"], []
    option_keys = [o["key"] for o in q["options"]]
    if len(set(option_keys)) != len(option_keys):
        problems.append(_("Option keys must be unique within a question."))
    if len({r["key"] for r in q["rows"]}) != len(q["rows"]):
        problems.append(_("Row keys must be unique within a question."))
    if kind.has_options:
        if len(q["options"]) < 2:
            problems.append(
                _("A %(kind)s question needs at least two options.") % {"kind": kind.name}
            )
    elif q["options"]:
        problems.append(_("A %(kind)s question has no options.") % {"kind": kind.name})
    if kind.has_rows and not q["rows"]:
        problems.append(_("A matrix question needs at least one row."))
    if not kind.has_rows and q["rows"]:
        problems.append(_("Only matrix questions have rows."))
    if "min" in c and "max" in c and c["min"] > c["max"]:
        problems.append(_("min must not exceed max."))
    problems += kind.normalise(c)
    lo_sel, hi_sel = c.get("min_selections"), c.get("max_selections")
    if lo_sel is not None and hi_sel is not None and lo_sel > hi_sel:
        problems.append(_("min_selections must not exceed max_selections."))
    if hi_sel is not None and q["options"] and hi_sel > len(q["options"]):
        problems.append(_("max_selections exceeds the number of options."))
    extra = sorted(set(c) - kind.constraints)
    if extra:
        problems.append(
            _("Constraints %(names)s do not apply to a %(kind)s question.")
            % {"names": ", ".join(extra), "kind": kind.name}
        )
    return problems


def build(*, definition: dict, survey: Survey) -> None:
    """Create the sections, questions, options and rows of a checked definition."""
    by_key: dict[str, Question] = {}
    options_by_key: dict[str, dict[str, int]] = {}
    position = 0
    for s_index, s in enumerate(definition["sections"]):
        section = Section.objects.create(
            survey=survey,
            position=s_index,
            title=s.get("title", ""),
            description=s.get("description", ""),
            translations=s.get("translations") or {},
        )
        for q in s["questions"]:
            cond = q.get("show_if")
            question = Question(
                survey=survey,
                section=section,
                position=position,
                key=q["key"],
                kind=q["kind"],
                prompt=q["prompt"],
                help=q.get("help", ""),
                translations=q.get("translations") or {},
                required=bool(q.get("required", False)),
                constraints=q["constraints"],
            )
            if cond:
                target = by_key[cond["question"]]
                question.condition_question = target
                question.condition_op = cond["op"]
                value = cond["value"]
                if kinds.of(target).condition_on_option:
                    value = options_by_key[target.key][value]
                question.condition_value = value
            question.save()
            position += 1
            created = Option.objects.bulk_create(
                Option(
                    question=question,
                    position=i,
                    key=o["key"],
                    label=o["label"],
                    translations=o.get("translations") or {},
                )
                for i, o in enumerate(q["options"])
            )
            options_by_key[question.key] = {o.key: o.pk for o in created}
            MatrixRow.objects.bulk_create(
                MatrixRow(
                    question=question,
                    position=i,
                    key=r["key"],
                    label=r["label"],
                    translations=r.get("translations") or {},
                )
                for i, r in enumerate(q["rows"])
            )
            by_key[question.key] = question


def _choice(item) -> dict:
    """An option or a matrix row as written in a definition (translations only when given, so
    that a definition without them exports as it always did)."""
    out = {"key": item.key, "label": item.label}
    if item.translations:
        out["translations"] = item.translations
    return out


def export(survey: Survey) -> dict:
    """The survey as a definition that :func:`check` accepts and :func:`build` recreates."""
    questions = list(
        survey.questions.select_related("condition_question").prefetch_related("options", "rows")
    )
    option_keys = {o.pk: o.key for q in questions for o in q.options.all()}
    sections = []
    for section in survey.sections.all():
        items = []
        for q in (q for q in questions if q.section_id == section.pk):
            item: dict[str, Any] = {
                "key": q.key,
                "kind": q.kind,
                "prompt": q.prompt,
                "help": q.help,
                "required": q.required,
            }
            if q.translations:
                item["translations"] = q.translations
            if q.options.all():
                item["options"] = [_choice(o) for o in q.options.all()]
            if q.rows.all():
                item["rows"] = [_choice(r) for r in q.rows.all()]
            if q.constraints:
                item["constraints"] = q.constraints
            if q.condition_question_id:
                value = q.condition_value
                if kinds.of(q.condition_question).condition_on_option:
                    value = option_keys.get(value, value)
                item["show_if"] = {
                    "question": q.condition_question.key,
                    "op": q.condition_op,
                    "value": value,
                }
            items.append(item)
        out = {"title": section.title, "description": section.description}
        if section.translations:
            out["translations"] = section.translations
        sections.append({**out, "questions": items})
    return {
        "format": FORMAT,
        "slug": survey.slug,
        "title": survey.title,
        "introduction": survey.introduction,
        "group": survey.group.slug if survey.group_id else None,
        **{field: getattr(survey, field) for field in SETTINGS},
        "opens_at": survey.opens_at.isoformat() if survey.opens_at else None,
        "closes_at": survey.closes_at.isoformat() if survey.closes_at else None,
        "sections": sections,
    }
