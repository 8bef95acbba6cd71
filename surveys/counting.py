"""Counting: from answer sets to the published results document. Pure: no database, no Django
(but its gettext, for the error messages).

Everything here takes plain data (question specs, answer sets ``{question id: value}``, a
``Frame`` saying what the document says about its survey) and returns plain data, so property
tests compare it with a brute-force recount and the golden tests pin every byte of it. Loading
the data is ``results.py``; what each question kind counts is ``kinds``; the protection of small
counts is ``suppression.py``.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.errors import Invalid

from . import kinds
from .answers import QuestionSpec
from .suppression import UNKNOWN, VISIBLE, Family, protect_crosstab, protect_family


@dataclass(frozen=True)
class Frame:
    """What a results document says about its survey besides the answers."""

    survey: str  # the slug
    version: int
    status: str
    min_cell_size: int
    show_free_text: bool
    audience_size: int | None = None  # people who may answer, when that is known
    roll_size: int | None = None  # people on the participation roll (for the response rate)


def aggregate(
    specs: list[QuestionSpec],
    answer_sets: list[dict[int, Any]],
    *,
    bins: dict[int, list] | None = None,
) -> dict[int, dict]:
    """Raw counts per question (no suppression). A stored value its kind cannot read counts as
    not answered (see ``QuestionKind.readable``)."""
    out: dict[int, dict] = {}
    for spec in specs:
        kind = kinds.of(spec)
        values = [a[spec.id] for a in answer_sets if spec.id in a]
        values = [v for v in values if kind.readable(v)]
        raw: dict[str, Any] = {"answered": len(values)}
        raw.update(kind.count(spec, values, (bins or {}).get(spec.id)))
        out[spec.id] = raw
    return out


def families(spec: QuestionSpec, raw: dict) -> list[Family]:
    return kinds.of(spec).families(spec, raw)


def render_question(
    spec: QuestionSpec,
    raw: dict,
    states: list[tuple[list[str], str] | None] | None,
    *,
    k: int,
    owner: bool,
    show_free_text: bool,
    complement: dict | None = None,
) -> dict:
    """One question's public results; ``states`` None means no suppression (owners).

    ``complement``: in a cross-tab, the raw results of everyone *outside* the filter. A mean or a
    median published for the filter, next to the overall one, gives the complement's away by
    difference, so they are shown only when the complement has at least k answers too.
    """
    return kinds.of(spec).render(
        spec,
        raw,
        states,
        k=k,
        owner=owner,
        show_free_text=show_free_text,
        complement=complement,
    )


def _everyone(spec: QuestionSpec) -> bool:
    """Everyone who responded answered it: the number who answered is public anyway."""
    return spec.required and spec.show_if is None


def _one_d_states(specs, raw, k) -> dict[int, list[tuple[list[str], str] | None]]:
    states = {}
    for spec in specs:
        required_everyone = _everyone(spec)
        per: list[tuple[list[str], str] | None] = []
        for family in families(spec, raw[spec.id]):
            problem, cells, total = protect_family(family, k, total_is_responses=required_everyone)
            if problem.states[total] == UNKNOWN:
                per.append(None)
            else:
                per.append(([problem.states[i] for i in cells], problem.states[total]))
        states[spec.id] = per
    return states


def document(
    frame: Frame,
    specs: list[QuestionSpec],
    answer_sets: list[dict[int, Any]],
    *,
    owner: bool,
    filter_question: int | None = None,
    filter_option: Any = None,
) -> dict:
    """The results document (the API's shape); suppression applies unless ``owner``. With a
    filter, the results of the people who gave ``filter_option`` to ``filter_question``
    (``Invalid`` when that cannot be shown)."""
    k = max(1, frame.min_cell_size)
    n = len(answer_sets)
    raw = aggregate(specs, answer_sets)
    bins = {s.id: raw[s.id]["bins"] for s in specs if "bins" in raw[s.id]}
    states = None if owner else _one_d_states(specs, raw, k)
    doc: dict[str, Any] = {
        "survey": frame.survey,
        "version": frame.version,
        "status": frame.status,
        "min_cell_size": k,
        "responses": n,
        "audience_size": frame.audience_size,
        "filter": None,
        "questions": [],
    }
    size = doc["audience_size"]
    # Among the audience: the people on the roll (every signed-in respondent is on it).
    if size and frame.roll_size is not None:
        doc["response_rate"] = round(100 * min(frame.roll_size, size) / size, 1)
    else:
        doc["response_rate"] = None

    if filter_question is None:
        for spec in specs:
            doc["questions"].append(
                render_question(
                    spec,
                    raw[spec.id],
                    states[spec.id] if states else None,
                    k=k,
                    owner=owner,
                    show_free_text=frame.show_free_text,
                )
            )
        return doc

    by_id = {s.id: s for s in specs}
    fspec = by_id.get(filter_question)
    if fspec is None or not kinds.of(fspec).filterable:
        raise Invalid(
            _("Filter by a single-choice or scale question."),
            errors={"filter_question": [_("Not a question you can filter by.")]},
        )
    columns = list(families(fspec, raw[fspec.id])[0].cells)
    if filter_option not in columns:
        raise Invalid(
            _("That answer is not offered."), errors={"filter_option": [_("Not offered.")]}
        )
    subsets = {c: [a for a in answer_sets if a.get(fspec.id) == c] for c in columns}
    rest = [a for a in answer_sets if a.get(fspec.id) not in columns]
    chosen = subsets[filter_option]
    if not owner:
        f_states = states[fspec.id][0]
        if f_states is None or f_states[0][columns.index(filter_option)] != VISIBLE:
            raise Invalid(
                ngettext(
                    "Fewer than %(k)s response match this filter, so it cannot be shown.",
                    "Fewer than %(k)s responses match this filter, so it cannot be shown.",
                    k,
                )
                % {"k": f"{k:,}"},
                errors={
                    "filter_option": [
                        ngettext("Fewer than %(k)s response.", "Fewer than %(k)s responses.", k)
                        % {"k": f"{k:,}"}
                    ]
                },
            )
    raw_by_column = {c: aggregate(specs, subset, bins=bins) for c, subset in subsets.items()}
    f_column_states = {}
    if states is not None:
        f_states = states[fspec.id][0]
        f_column_states = dict(
            zip(columns, f_states[0] if f_states else [UNKNOWN] * len(columns), strict=True)
        )
    raw_rest = aggregate(specs, rest, bins=bins)
    doc["filter"] = {
        "question": fspec.id,
        "option": filter_option,
        "label": dict(
            kinds.of(fspec).labels(fspec, families(fspec, raw[fspec.id])[0], raw[fspec.id])
        ).get(filter_option),
        "responses": len(chosen),
    }
    doc["responses"] = len(chosen)
    doc["response_rate"] = None
    for spec in specs:
        if spec.id == fspec.id:
            continue
        chosen_raw = raw_by_column[filter_option][spec.id]
        joint_states = None
        if not owner:
            joint_states = []
            overall_fams = families(spec, raw[spec.id])
            for index, overall in enumerate(overall_fams):
                by_column = {c: families(spec, raw_by_column[c][spec.id])[index] for c in columns}
                rest_family = families(spec, raw_rest[spec.id])[index]
                result = protect_crosstab(
                    by_column,
                    overall,
                    states[spec.id][index],
                    k,
                    rest_family,
                    column_total_states=f_column_states if _everyone(spec) else None,
                )
                joint_states.append(result[filter_option])
        outside = aggregate(
            [spec], [a for a in answer_sets if a.get(fspec.id) != filter_option], bins=bins
        )[spec.id]
        doc["questions"].append(
            render_question(
                spec,
                chosen_raw,
                joint_states,
                k=k,
                owner=owner,
                show_free_text=frame.show_free_text,
                complement=outside,
            )
        )
    return doc
