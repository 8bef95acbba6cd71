"""Results with their charts (server-rendered SVG, one per count family) and the owners'
exports."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from config.errors import DomainError, Invalid
from config.pages import raise_for_page

from .. import exports, kinds, selectors
from .. import results as results_mod
from ..answers import QuestionSpec, in_language, specs_for
from ..charts import bar_chart
from ..models import Survey
from .common import require_owner, survey_for


def _filter_params(request) -> tuple[int | None, int | None]:
    raw = request.GET.get("filter", "")
    if not raw:
        return None, None
    try:
        q, o = raw.split(":", 1)
        return int(q), int(o)
    except ValueError:
        raise Invalid(_("Choose a filter from the list.")) from None


def _with_charts(question: dict, k: int) -> dict:
    charts = [
        {
            **chart,
            "svg": bar_chart(chart_id=chart["id"], title=chart["title"], items=chart["items"], k=k),
        }
        for chart in kinds.of(question["kind"]).charts(question, k)
    ]
    return {**question, "charts": charts}


def _labelled(items: list[dict], labels: dict[int, str]) -> list[dict]:
    return [{**item, "label": labels.get(item["id"], item["label"])} for item in items]


def _in_language(question: dict, spec: QuestionSpec | None) -> dict:
    """A published question with the reader's texts (``spec`` in their language): its prompt,
    and the labels of its options and rows by id. The document itself keeps the source texts
    (it is data: hashed, exported, the API's)."""
    if spec is None:
        return question
    out = {**question, "prompt": spec.prompt}
    kind = kinds.of(question["kind"])
    if kind.has_options:  # option ids (not number bins or scale points)
        options = {o[0]: o[2] for o in spec.options}
        out["options"] = _labelled(question.get("options") or [], options)
        if kind.has_rows and question.get("rows"):
            rows = {r[0]: r[2] for r in spec.rows}
            out["rows"] = [
                {**row, "options": _labelled(row.get("options") or [], options)}
                for row in _labelled(question["rows"], rows)
            ]
    return out


def _doc_in_language(doc: dict, specs: list[QuestionSpec]) -> tuple[list[dict], dict | None]:
    """The questions and the filter of a results document, with the reader's texts."""
    by_id = {spec.id: spec for spec in specs}
    questions = [_in_language(q, by_id.get(q["id"])) for q in doc["questions"]]
    shown_filter = doc.get("filter")
    if shown_filter:
        spec = by_id.get(shown_filter.get("question"))
        if spec is not None and kinds.of(spec).has_options:
            label = {o[0]: o[2] for o in spec.options}.get(shown_filter.get("option"))
            shown_filter = {**shown_filter, "label": label or shown_filter.get("label")}
    return questions, shown_filter


def _filterable(specs: list[QuestionSpec]) -> list[dict]:
    """The questions results can be filtered by, with their answers as ``<question>:<answer>``."""
    out = []
    for spec in specs:
        kind = kinds.of(spec)
        if kind.filterable:
            out.append(
                {
                    "id": spec.id,
                    "prompt": spec.prompt,
                    "options": [
                        {"value": f"{spec.id}:{value}", "label": label}
                        for value, label in kind.filter_choices(spec)
                    ],
                }
            )
    return out


def survey_results(request, slug: str):
    survey = survey_for(request, slug, "snapshot", "live_results")
    fq = fo = filter_error = None
    try:
        fq, fo = _filter_params(request)
        doc = selectors.results_for(
            survey=survey, user=request.user, filter_question=fq, filter_option=fo
        )
    except DomainError as exc:
        raise_for_page(exc)
        filter_error = exc.message
        doc = selectors.results_for(survey=survey, user=request.user)
    k = doc["min_cell_size"]
    specs = in_language(specs_for(survey))
    questions, shown_filter = _doc_in_language(doc, specs)
    context = {
        "survey": survey,
        "doc": doc,
        "questions": [_with_charts(q, k) for q in questions],
        "shown_filter": shown_filter,
        "k": k,
        "filterable": _filterable(specs),
        "filter_error": filter_error,
        "selected": f"{fq}:{fo}" if fq else "",
        "owner": doc.get("owner_view"),
        "live": survey.status == Survey.Status.OPEN
        and survey.results_visibility == Survey.ResultsVisibility.LIVE,
    }
    if doc.get("snapshot_sha256"):
        api_url = request.build_absolute_uri(f"/api/v1/surveys/{survey.slug}/results/")
        context["verify"] = {
            "left_out": results_mod.LEFT_OUT_OF_SHA256,
            "command": results_mod.verify_command(api_url),
            "api_url": api_url,
        }
    return render(request, "surveys/results.html", context, status=400 if filter_error else 200)


@login_required
def survey_export(request, slug: str, fmt: str):
    survey = survey_for(request, slug)
    require_owner(request, survey)
    return exports.download(survey, fmt)
