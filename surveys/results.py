"""Results: aggregation (pure), suppression, cross-tabs and the public shape.

``aggregate`` is a pure function of the questions and the answer sets, so property tests compare it
with a brute-force recount. ``public_results`` adds suppression (see ``suppression.py``) and the
shape of ``GET /api/v1/surveys/{slug}/results/``.
"""

import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import TextField
from django.db.models.functions import Cast

from config.errors import Invalid

from . import suppression as sup
from .answers import QuestionSpec, specs_for
from .models import Answer, Question, Survey

K = Question.Kind
COUNTED = (K.SINGLE_CHOICE, K.MULTIPLE_CHOICE, K.SCALE, K.NUMBER, K.MATRIX, K.RANKING)
FILTERABLE = (K.SINGLE_CHOICE, K.SCALE)
MAX_BINS = 10


# --- Loading and aggregating ------------------------------------------------------------------


def load_answer_sets(survey: Survey) -> list[dict[int, Any]]:
    """Every response as ``{question id: value}``; one query."""
    sets: dict[Any, dict[int, Any]] = {}
    # The JSON as text, decoded here: Django's per-value JSONField conversion costs several times
    # more than json.loads, and a survey may have hundreds of thousands of answers.
    rows = (
        Answer.objects.filter(response__survey=survey)
        .annotate(text=Cast("value", TextField()), rid=Cast("response_id", TextField()))
        .values_list("rid", "question_id", "text")
    )
    loads = json.loads
    for response_id, question_id, text in rows.iterator(chunk_size=5000):
        sets.setdefault(response_id, {})[question_id] = loads(text)
    empty = survey.responses.count() - len(sets)  # responses that skipped every question
    return list(sets.values()) + [{} for _ in range(max(0, empty))]


def number_bins(spec: QuestionSpec, values: list[float]) -> list[tuple[float, float]]:
    """Bins for a number question: from its constraints when bounded, else from rounded data
    bounds. Bins depend on all responses, so a cross-tab uses the same bins as the whole."""
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
        # Whole numbers: inclusive bins of whole width, e.g. 0-4, 5-9, …
        lo, hi = math.floor(lo), math.ceil(hi)
        width = max(1, math.ceil((hi - lo + 1) / MAX_BINS))
        return [(v, min(v + width - 1, hi)) for v in range(lo, hi + 1, width)]
    width = (hi - lo) / MAX_BINS
    return [(lo + i * width, lo + (i + 1) * width) for i in range(MAX_BINS)]


def _bin_index(bins: list[tuple[float, float]], value: float, integer: bool) -> int | None:
    for i, (lo, hi) in enumerate(bins):
        if integer:
            if lo <= value <= hi:
                return i
        elif lo <= value < hi or (i == len(bins) - 1 and value == hi):
            return i
    return None


def aggregate(
    specs: list[QuestionSpec],
    answer_sets: list[dict[int, Any]],
    *,
    bins: dict[int, list] | None = None,
) -> dict[int, dict]:
    """Raw counts per question (no suppression)."""
    out: dict[int, dict] = {}
    for spec in specs:
        values = [a[spec.id] for a in answer_sets if spec.id in a]
        raw: dict[str, Any] = {"answered": len(values)}
        if spec.kind == K.SINGLE_CHOICE:
            raw["counts"] = Counter(values)
        elif spec.kind == K.MULTIPLE_CHOICE:
            raw["counts"] = Counter(o for v in values for o in v)
        elif spec.kind == K.SCALE:
            raw["counts"] = Counter(values)
            raw["values"] = sorted(values)
        elif spec.kind == K.NUMBER:
            raw["values"] = sorted(values)
            spec_bins = (bins or {}).get(spec.id)
            if spec_bins is None:
                spec_bins = number_bins(spec, raw["values"])
            raw["bins"] = spec_bins
            integer = bool(spec.constraints.get("integer"))
            raw["counts"] = Counter(_bin_index(spec_bins, v, integer) for v in values)
        elif spec.kind == K.RANKING:
            raw["counts"] = Counter(o for v in values for o in v)
            positions: dict[int, int] = Counter()
            for v in values:
                for position, option in enumerate(v, start=1):
                    positions[option] += position
            raw["position_sum"] = positions
        elif spec.kind == K.MATRIX:
            rows = {}
            for row_id, _, _ in spec.rows:
                chosen = [v[str(row_id)] for v in values if str(row_id) in v]
                rows[row_id] = {"answered": len(chosen), "counts": Counter(chosen)}
            raw["rows"] = rows
        else:
            raw["texts"] = values
        out[spec.id] = raw
    return out


# --- Count families: the cells of a question and the relations anyone can see ---------------


@dataclass
class Family:
    """One row of counts: the options of a question (or of one matrix row, or number bins)."""

    name: str
    cells: list[Any]  # option ids, scale points or bin indexes
    counts: dict
    total: int
    exact_sum: bool  # the cells add up to the total (one answer per person)
    max_factor: int  # otherwise: total <= sum(cells) <= max_factor * total


def families(spec: QuestionSpec, raw: dict) -> list[Family]:
    if spec.kind == K.SINGLE_CHOICE:
        return [Family("", [o[0] for o in spec.options], raw["counts"], raw["answered"], True, 1)]
    if spec.kind == K.SCALE:
        points = list(range(int(spec.constraints["min"]), int(spec.constraints["max"]) + 1))
        return [Family("", points, raw["counts"], raw["answered"], True, 1)]
    if spec.kind == K.NUMBER:
        cells = list(range(len(raw["bins"])))
        return [Family("", cells, raw["counts"], raw["answered"], True, 1)]
    if spec.kind in (K.MULTIPLE_CHOICE, K.RANKING):
        limit = spec.constraints.get("max_selections") or len(spec.options)
        return [
            Family("", [o[0] for o in spec.options], raw["counts"], raw["answered"], False, limit)
        ]
    if spec.kind == K.MATRIX:
        return [
            Family(
                str(row_id),
                [o[0] for o in spec.options],
                raw["rows"][row_id]["counts"],
                raw["rows"][row_id]["answered"],
                True,
                1,
            )
            for row_id, _, _ in spec.rows
        ]
    return []


def _relate(problem: sup.Problem, cells: list[int], total: int, family: Family) -> None:
    if family.exact_sum:
        problem.equal(cells, total)
    else:
        problem.at_least(cells, total, 1)
        problem.at_most(cells, total, family.max_factor)
        for cell in cells:
            problem.at_most([cell], total, 1)


def protect_family(
    family: Family, k: int, *, total_is_responses: bool = False, n_responses: int = 0
) -> tuple[sup.Problem, list[int], int]:
    """1-D suppression of one family. Returns (problem, option cell indexes, total index)."""
    problem = sup.Problem()
    cells = [problem.add(family.counts.get(c, 0)) for c in family.cells]
    # A required question shown to everyone: its total is the public response count, so it is
    # published as it is (hiding it would hide nothing).
    total = problem.add(family.total, candidate=not total_is_responses)
    _relate(problem, cells, total, family)
    if not sup.protect(problem, k):
        # Even with every count withheld, a small one follows from the public totals (say two
        # people, three options and k = 2): publish nothing of this question, not even which
        # counts are small.
        for i in [*cells, total]:
            problem.states[i] = sup.UNKNOWN
    return problem, cells, total


def protect_crosstab(
    family_by_column: dict[Any, Family],
    overall: Family,
    overall_states: tuple[list[str], str] | None,
    k: int,
    rest: Family,
    column_total_states: dict[Any, str] | None = None,
) -> dict[Any, tuple[list[str], str] | None]:
    """Joint suppression of one family across every column of a cross-tab.

    Columns are the options of the filter question; ``rest`` (people who did not answer it) is
    treated as known to the reader, which can only make the protection stronger. The overall row
    (the unfiltered results) keeps the states it was published with. Every filtered view is cut
    from this one joint pattern, so combining views reveals nothing the audit did not check.
    ``column_total_states``: for a question everyone had to answer, a column's total is the
    filter option's own published count, so it keeps that count's state.

    A column that cannot be protected at all (say 3 people, 3 options, k = 2: each count must be
    1) is *refused*: nothing of it is published, not even which cells are small. Refused columns
    map to ``None``.
    """
    if overall_states is None:
        # The question is not shown at all; its total is assumed known (the stronger reader).
        overall_states = ([sup.UNKNOWN] * len(overall.cells), sup.VISIBLE)
    refused: set[Any] = set()
    if column_total_states is not None:
        refused = {c for c, state in column_total_states.items() if state != sup.VISIBLE}
    while True:
        problem = sup.Problem()
        option_states, total_state = overall_states
        overall_cells = [
            problem.add(overall.counts.get(c, 0), candidate=False, state=state)
            for c, state in zip(overall.cells, option_states, strict=True)
        ]
        overall_total = problem.add(overall.total, candidate=False, state=total_state)
        _relate(problem, overall_cells, overall_total, overall)
        columns: dict[Any, tuple[list[int], int]] = {}
        owner_of: dict[int, Any] = {}
        for column, family in {**family_by_column, None: rest}.items():
            hidden = column in refused
            candidate = column is not None and not hidden
            state = sup.UNKNOWN if hidden else sup.VISIBLE
            cells = [
                problem.add(family.counts.get(c, 0), candidate=candidate, state=state)
                for c in family.cells
            ]
            if column is not None and column_total_states is not None:
                total = problem.add(
                    family.total, candidate=False, state=column_total_states[column]
                )
            else:
                total = problem.add(family.total, candidate=candidate, state=state)
            _relate(problem, cells, total, family)
            columns[column] = (cells, total)
            for cell in [*cells, total]:
                owner_of[cell] = column
        for position in range(len(overall.cells)):
            problem.equal([columns[c][0][position] for c in columns], overall_cells[position])
        problem.equal([columns[c][1] for c in columns], overall_total)
        if sup.protect(problem, k):
            break
        exposed = [
            owner_of[cell]
            for cell in sup.revealed(problem, k)
            if owner_of.get(cell) is not None and owner_of[cell] not in refused
        ]
        if not exposed:
            # Nothing left to refuse: publish no cross-tab of this question at all.
            return dict.fromkeys(family_by_column)
        refused.add(exposed[0])
    return {
        column: None
        if column in refused
        else ([problem.states[i] for i in cells], problem.states[total])
        for column, (cells, total) in columns.items()
        if column is not None
    }


# --- The public shape -------------------------------------------------------------------------


def _cell(count: int, state: str, answered: int | None) -> dict:
    shown = state == sup.VISIBLE
    return {
        "count": count if shown else None,
        "suppressed": not shown,
        "withheld": state == sup.COMPLEMENT,
        "percent": round(100 * count / answered, 1) if shown and answered else None,
    }


def _labels(spec: QuestionSpec, family: Family, raw: dict) -> list[tuple[Any, str]]:
    if spec.kind == K.SCALE:
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
    if spec.kind == K.NUMBER:
        out = []
        for i, (lo, hi) in enumerate(raw["bins"]):
            if lo == hi:
                label = _fmt(lo)
            elif spec.constraints.get("integer"):
                label = f"{_fmt(lo)}–{_fmt(hi)}"
            else:
                label = f"{_fmt(lo)} to under {_fmt(hi)}"
            out.append((i, label))
        return out
    return [(o[0], o[2]) for o in spec.options]


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


def _render_family(
    spec: QuestionSpec, family: Family, raw: dict, states: tuple[list[str], str] | None
) -> dict:
    option_states, total_state = states or ([sup.VISIBLE] * len(family.cells), sup.VISIBLE)
    answered = family.total if total_state == sup.VISIBLE else None
    options = []
    for (cell_id, label), state in zip(_labels(spec, family, raw), option_states, strict=True):
        options.append(
            {"id": cell_id, "label": label, **_cell(family.counts.get(cell_id, 0), state, answered)}
        )
    return {
        "answered": answered,
        "answered_suppressed": total_state != sup.VISIBLE,
        "options": options,
    }


def render_question(
    spec: QuestionSpec,
    raw: dict,
    states: list[tuple[list[str], str]] | None,
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
    out: dict[str, Any] = {
        "id": spec.id,
        "key": spec.key,
        "kind": spec.kind,
        "prompt": spec.prompt,
        "answered": raw["answered"],
        "answered_suppressed": False,
        "options": [],
    }
    fams = families(spec, raw)
    limit = 1 if owner else k
    if spec.kind == K.MATRIX and states is not None and any(st is None for st in states):
        out.update(answered=None, answered_suppressed=True, rows=[], not_shown=True)
        out["options"] = [{"id": o[0], "label": o[2]} for o in spec.options]
        return out
    if spec.kind == K.MATRIX:
        out["rows"] = []
        for (row_id, _, label), family, st in zip(
            spec.rows, fams, states or [None] * len(fams), strict=True
        ):
            out["rows"].append(
                {"id": row_id, "label": label, **_render_family(spec, family, raw, st)}
            )
        out["options"] = [{"id": o[0], "label": o[2]} for o in spec.options]
        return out
    if states is not None and any(st is None for st in states):
        # This question cannot be shown (for this filter) without revealing a small count.
        out.update(answered=None, answered_suppressed=True, options=[], not_shown=True)
        if spec.kind in (K.NUMBER, K.SCALE):
            out["median"] = out["mean"] = None
        return out
    if fams:
        rendered = _render_family(spec, fams[0], raw, states[0] if states else None)
        out.update(rendered)
    enough = out["answered"] is not None and out["answered"] >= limit
    if complement is not None and not owner and complement["answered"] < k:
        enough = False
    if spec.kind in (K.NUMBER, K.SCALE):
        values = raw["values"]
        out["median"] = statistics.median(values) if values and enough else None
        out["mean"] = round(statistics.fmean(values), 3) if values and enough else None
    if spec.kind == K.RANKING:
        for option in out["options"]:
            ranked = raw["counts"].get(option["id"], 0)
            outside = complement["counts"].get(option["id"], 0) if complement else k
            option["mean_position"] = (
                round(raw["position_sum"][option["id"]] / ranked, 3)
                if ranked
                and (owner or (option["count"] is not None and ranked >= k and outside >= k))
                else None
            )
    if spec.kind in (K.SHORT_TEXT, K.LONG_TEXT):
        # Never in a cross-tab: the texts of the filter, set against all texts, would name the
        # texts of everyone outside it, however few.
        publish = owner or (show_free_text and raw["answered"] >= k and complement is None)
        out["texts"] = sorted(raw["texts"]) if publish else None
        too_few_outside = complement is not None and complement["answered"] < k
        if not owner and (raw["answered"] < k or too_few_outside):
            out["answered"], out["answered_suppressed"] = None, True
    return out


def audience_size(survey: Survey) -> int | None:
    if survey.audience == Survey.Audience.SIGNED_IN:
        return get_user_model().objects.filter(is_active=True).count()
    if survey.audience == Survey.Audience.MEMBERS and survey.group_id:
        from governance.models import Membership

        return Membership.objects.filter(
            group_id=survey.group_id, status=Membership.Status.ACTIVE
        ).count()
    return None


def _everyone(spec: QuestionSpec) -> bool:
    """Everyone who responded answered it: the number who answered is public anyway."""
    return spec.required and spec.show_if is None


def _one_d_states(specs, raw, k, n) -> dict[int, list[tuple[list[str], str]]]:
    states = {}
    for spec in specs:
        required_everyone = _everyone(spec)
        per = []
        for family in families(spec, raw[spec.id]):
            problem, cells, total = protect_family(
                family,
                k,
                total_is_responses=required_everyone,
                n_responses=n,
            )
            if problem.states[total] == sup.UNKNOWN:
                per.append(None)
            else:
                per.append(([problem.states[i] for i in cells], problem.states[total]))
        states[spec.id] = per
    return states


def compute(
    survey: Survey,
    *,
    owner: bool,
    filter_question: int | None = None,
    filter_option: Any = None,
    specs: list[QuestionSpec] | None = None,
    answer_sets: list[dict[int, Any]] | None = None,
) -> dict:
    """The results document (API shape); suppression applies unless ``owner``."""
    specs = specs if specs is not None else specs_for(survey)
    answer_sets = answer_sets if answer_sets is not None else load_answer_sets(survey)
    k = max(1, survey.min_cell_size)
    n = len(answer_sets)
    raw = aggregate(specs, answer_sets)
    bins = {s.id: raw[s.id]["bins"] for s in specs if s.kind == K.NUMBER}
    states = None if owner else _one_d_states(specs, raw, k, n)
    doc: dict[str, Any] = {
        "survey": survey.slug,
        "version": survey.version,
        "status": survey.status,
        "min_cell_size": k,
        "responses": n,
        "audience_size": audience_size(survey),
        "filter": None,
        "questions": [],
    }
    size = doc["audience_size"]
    # Among the audience: the people on the roll (every signed-in respondent is on it).
    if size and survey.pk:
        doc["response_rate"] = round(100 * min(survey.participations.count(), size) / size, 1)
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
                    show_free_text=survey.show_free_text,
                )
            )
        return doc

    by_id = {s.id: s for s in specs}
    fspec = by_id.get(filter_question)
    if fspec is None or fspec.kind not in FILTERABLE:
        raise Invalid(
            "Filter by a single-choice or scale question.",
            errors={"filter_question": ["Not a question you can filter by."]},
        )
    columns = list(families(fspec, raw[fspec.id])[0].cells)
    if filter_option not in columns:
        raise Invalid("That answer is not offered.", errors={"filter_option": ["Not offered."]})
    subsets = {c: [a for a in answer_sets if a.get(fspec.id) == c] for c in columns}
    rest = [a for a in answer_sets if a.get(fspec.id) not in columns]
    chosen = subsets[filter_option]
    if not owner:
        f_states = states[fspec.id][0]
        if f_states is None or f_states[0][columns.index(filter_option)] != sup.VISIBLE:
            raise Invalid(
                f"Fewer than {k} responses match this filter, so it cannot be shown.",
                errors={"filter_option": [f"Fewer than {k} responses."]},
            )
    raw_by_column = {c: aggregate(specs, subset, bins=bins) for c, subset in subsets.items()}
    f_column_states = {}
    if states is not None:
        f_states = states[fspec.id][0]
        f_column_states = dict(
            zip(columns, f_states[0] if f_states else [sup.UNKNOWN] * len(columns), strict=True)
        )
    raw_rest = aggregate(specs, rest, bins=bins)
    doc["filter"] = {
        "question": fspec.id,
        "option": filter_option,
        "label": dict(_labels(fspec, families(fspec, raw[fspec.id])[0], raw[fspec.id])).get(
            filter_option
        ),
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
                show_free_text=survey.show_free_text,
                complement=outside,
            )
        )
    return doc


def results_visible(survey: Survey, *, owner: bool) -> bool:
    if owner:
        return True
    if survey.status == Survey.Status.DRAFT:
        return False
    vis = survey.results_visibility
    if vis == Survey.ResultsVisibility.OWNERS:
        return False
    if vis == Survey.ResultsVisibility.AFTER_CLOSE:
        return survey.status == Survey.Status.CLOSED
    return True


def public_results(
    survey: Survey,
    *,
    owner: bool,
    filter_question: int | None = None,
    filter_option: Any = None,
    use_snapshot: bool = True,
) -> dict:
    """The published results: the frozen snapshot once closed, else computed now."""
    if use_snapshot and not owner and filter_question is None:
        snapshot = getattr(survey, "_snapshot", None)
        if snapshot is None:
            from .models import ResultSnapshot

            snapshot = ResultSnapshot.objects.filter(survey=survey).first()
        if snapshot is not None:
            # From the canonical text, not the JSON column: a database may rewrite numbers
            # (1.0 → 1), and the published document must hash to the published sha256.
            return {**json.loads(snapshot.canonical), "snapshot_sha256": snapshot.sha256}
    return compute(
        survey, owner=owner, filter_question=filter_question, filter_option=filter_option
    )
