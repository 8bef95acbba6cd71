"""Survey pages: list, detail, editor (htmx, works without JavaScript), preview, answer pages,
results with charts. Every write goes through ``services``."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config import clients
from config.errors import DomainError, Invalid, NotAllowed
from config.markdown import render as render_markdown

from . import definition as definition_format
from . import selectors, services
from .answers import QuestionSpec, is_empty, specs_for, validate, visible_ids
from .api import export_response
from .charts import bar_chart
from .forms import ImportForm, QuestionForm, RescheduleForm, SectionForm, SurveySettingsForm
from .models import Draft, Participation, Question, Survey
from .models import Response as SurveyResponse
from .selectors import results_for

K = Question.Kind


def _survey_for(request, slug: str) -> Survey:
    survey = get_object_or_404(
        Survey.objects.visible_to(request.user).select_related("group"), slug=slug
    )
    return survey


def _owner_or_403(request, survey: Survey) -> None:
    if not services.is_owner(request.user, survey):
        raise PermissionDenied("Only staff and the chairs of the owning group manage this survey.")


# --- List and detail --------------------------------------------------------------------------


def survey_list(request):
    surveys = list(Survey.objects.visible_to(request.user).select_related("group"))
    context = {
        "open": [s for s in surveys if s.status == Survey.Status.OPEN],
        "closed": [s for s in surveys if s.status == Survey.Status.CLOSED],
        "drafts": [s for s in surveys if s.status == Survey.Status.DRAFT],
        "may_create": selectors.may_create_any(request.user),
    }
    return render(request, "surveys/list.html", context)


def survey_detail(request, slug: str):
    survey = _survey_for(request, slug)
    owner = services.is_owner(request.user, survey)
    if request.user.is_authenticated:
        answered = Participation.objects.filter(survey=survey, user=request.user).exists()
    else:
        answered = bool(request.session.get(f"survey-answered-{survey.pk}"))
    from .results import results_visible

    context = {
        "survey": survey,
        "owner": owner,
        "answered": answered,
        "can_edit_answer": answered
        and survey.allow_edit
        and not survey.is_anonymous
        and survey.is_accepting,
        "in_audience": services.in_audience(request.user, survey),
        "results_visible": results_visible(survey, owner=owner),
        "introduction": render_markdown(survey.introduction),
        "question_count": survey.questions.count(),
        "response_count": survey.responses.count() if owner else None,
    }
    return render(request, "surveys/detail.html", context)


# --- Creating and editing ---------------------------------------------------------------------


@login_required
def survey_create(request):
    if not selectors.may_create_any(request.user):
        raise PermissionDenied("Only staff and the chairs of a working group create surveys.")
    groups = selectors.groups_user_may_create_for(request.user)
    form = SurveySettingsForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        d: dict[str, Any] = {"sections": [{"title": "", "questions": []}]}
        form.apply(d)
        try:
            survey = services.survey_create(definition=d, actor=request.user)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "The survey is created as a draft: add its questions.")
            return redirect("surveys:edit", slug=survey.slug)
    return render(
        request,
        "surveys/form.html",
        {"form": form, "title": "New survey"},
        status=400 if form.errors else 200,
    )


@login_required
def survey_import(request):
    if not selectors.may_create_any(request.user):
        raise PermissionDenied("Only staff and the chairs of a working group create surveys.")
    form = ImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                definition=form.cleaned_data["definition"], actor=request.user
            )
        except DomainError as exc:
            _form_errors(form, exc, field="definition")
        else:
            messages.success(request, "The survey is imported as a draft.")
            return redirect("surveys:edit", slug=survey.slug)
    return render(
        request, "surveys/import.html", {"form": form}, status=400 if form.errors else 200
    )


def _form_errors(form, exc: DomainError, field: str | None = None) -> None:
    details = [f"{where}: {'; '.join(msgs)}" for where, msgs in exc.errors.items()]
    form.add_error(field, exc.message)
    for detail in details:
        form.add_error(field, detail)


def _editor_context(request, survey: Survey, **extra) -> dict:
    d = definition_format.export(survey)
    locked = survey.status == Survey.Status.CLOSED or survey.responses.exists()
    earlier = [q for s in d["sections"] for q in s["questions"]]
    settings_form = extra.pop("settings_form", None) or SurveySettingsForm(
        initial={
            **{f: getattr(survey, f) for f in definition_format.SETTINGS},
            "title": survey.title,
            "introduction": survey.introduction,
            "group": survey.group.slug if survey.group_id else "",
            "opens_at": survey.opens_at,
            "closes_at": survey.closes_at,
        },
        groups=selectors.groups_user_may_create_for(request.user),
    )
    question_form = extra.pop("question_form", None) or QuestionForm(
        sections=d["sections"], earlier=earlier, prefix="new"
    )
    return {
        "survey": survey,
        "definition": d,
        "locked": locked,
        "settings_form": settings_form,
        "question_form": question_form,
        "section_form": extra.pop("section_form", None) or SectionForm(prefix="section"),
        "reschedule_form": extra.pop("reschedule_form", None)
        or RescheduleForm(initial={"closes_at": survey.closes_at}),
        **extra,
    }


def _editor_response(request, survey: Survey, *, status: int = 200, **extra):
    context = _editor_context(request, survey, **extra)
    if request.htmx:
        # htmx swaps only 2xx answers; the editor shows its own errors. Whatever form was posted,
        # the whole editor panel is replaced.
        response = render(request, "surveys/_editor.html", context)
        response["HX-Retarget"] = "#editor"
        response["HX-Reswap"] = "outerHTML"
        return response
    if status == 200 and request.method == "POST":
        return redirect("surveys:edit", slug=survey.slug)
    return render(request, "surveys/edit.html", context, status=status)


@login_required
def survey_edit(request, slug: str):
    """The editor: settings, sections and questions. Each form posts to its own URL; with htmx
    the editor panel is swapped in place, without it the page reloads."""
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    if request.method == "POST":
        form = SurveySettingsForm(
            request.POST, groups=selectors.groups_user_may_create_for(request.user)
        )
        if form.is_valid():
            try:
                survey = services.survey_edit(survey=survey, actor=request.user, change=form.apply)
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Settings saved.")
                return _editor_response(request, survey)
        return _editor_response(request, survey, status=400, settings_form=form)
    return render(request, "surveys/edit.html", _editor_context(request, survey))


@login_required
@require_POST
def question_add(request, slug: str):
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    d = definition_format.export(survey)
    earlier = [q for s in d["sections"] for q in s["questions"]]
    form = QuestionForm(request.POST, sections=d["sections"], earlier=earlier, prefix="new")
    if form.is_valid():
        try:
            survey = services.question_save(
                survey=survey,
                actor=request.user,
                data=form.to_definition(key=None),
                section=form.cleaned_data["section"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Question added.")
            return _editor_response(request, survey)
    return _editor_response(request, survey, status=400, question_form=form)


@login_required
def question_edit(request, slug: str, key: str):
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    d = definition_format.export(survey)
    position = next(
        (
            (s_index, q)
            for s_index, s in enumerate(d["sections"])
            for q in s["questions"]
            if q["key"] == key
        ),
        None,
    )
    if position is None:
        raise Http404("No such question.")
    section, question = position
    earlier = []
    for s in d["sections"]:
        for q in s["questions"]:
            if q["key"] == key:
                break
            earlier.append(q)
        else:
            continue
        break
    if request.method == "POST":
        form = QuestionForm(request.POST, sections=d["sections"], earlier=earlier, prefix="q")
        if form.is_valid():
            try:
                data = form.to_definition(key=key, previous=question)

                def change(defn: dict) -> None:
                    s, q = services.find_question(defn, key)
                    del defn["sections"][s]["questions"][q]
                    target = form.cleaned_data["section"]
                    if target == s:
                        defn["sections"][s]["questions"].insert(q, data)
                    else:
                        defn["sections"][target]["questions"].append(data)

                survey = services.survey_edit(survey=survey, actor=request.user, change=change)
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Question saved.")
                return _editor_response(request, survey)
    else:
        form = QuestionForm(
            initial=QuestionForm.initial_from(question, section),
            sections=d["sections"],
            earlier=earlier,
            prefix="q",
        )
    context = {"survey": survey, "form": form, "question": question}
    if request.htmx:
        return render(request, "surveys/_question_form.html", context)
    return render(
        request, "surveys/question_edit.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def question_action(request, slug: str, key: str, action: str):
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    try:
        if action == "delete":
            survey = services.question_delete(survey=survey, actor=request.user, key=key)
            messages.success(request, "Question removed.")
        elif action in ("up", "down"):
            survey = services.question_move(
                survey=survey, actor=request.user, key=key, direction=action
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return _editor_response(request, survey)


@login_required
@require_POST
def section_add(request, slug: str):
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    form = SectionForm(request.POST, prefix="section")
    if form.is_valid():
        try:
            survey = services.section_add(survey=survey, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return _editor_response(request, survey)
    return _editor_response(request, survey, status=400, section_form=form)


@login_required
@require_POST
def survey_reschedule(request, slug: str):
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            survey = services.survey_reschedule(
                survey=survey, actor=request.user, closes_at=form.cleaned_data["closes_at"]
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "The schedule is saved.")
            return _editor_response(request, survey)
    return _editor_response(request, survey, status=400, reschedule_form=form)


@login_required
@require_POST
def section_action(request, slug: str, index: str, action: str):
    index = int(index)
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    try:
        if action == "delete":
            survey = services.section_delete(survey=survey, actor=request.user, index=index)
            messages.success(request, "Section removed.")
        else:
            form = SectionForm(request.POST, prefix=f"s{index}")
            if not form.is_valid():
                raise Invalid("Give the section a title.")
            survey = services.section_update(
                survey=survey, actor=request.user, index=index, **form.cleaned_data
            )
            messages.success(request, "Section saved.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _editor_response(request, survey)


@login_required
@require_POST
def survey_transition(request, slug: str, action: str):
    survey = _survey_for(request, slug)
    try:
        if action == "open":
            survey = services.survey_open(survey=survey, actor=request.user)
            messages.success(request, "The survey is open.")
        elif action == "close":
            survey = services.survey_close(survey=survey, actor=request.user)
            messages.success(request, "The survey is closed and its results are frozen.")
        elif action == "new-version":
            survey = services.survey_new_version(survey=survey, actor=request.user)
            messages.success(request, f"Version {survey.version} is a new draft.")
            return redirect("surveys:edit", slug=survey.slug)
        else:
            raise Http404
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("surveys:detail", slug=survey.slug)


def survey_definition(request, slug: str):
    survey = _survey_for(request, slug)
    body = json.dumps(definition_format.export(survey), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}.survey.json"'
    return response


@login_required
def survey_export(request, slug: str, fmt: str):
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    return export_response(survey, fmt)


# --- Preview and answering --------------------------------------------------------------------


def _sections(survey: Survey, specs: list[QuestionSpec]) -> list[dict]:
    out = []
    for section in survey.sections.all():
        questions = [s for s in specs if s.section_id == section.pk]
        if questions:
            out.append({"section": section, "questions": questions})
    return out


# A ranking page where two options got the same rank: reported as its own error.
DUPLICATE_RANKS = ["duplicate-ranks"]


def _field_value(spec: QuestionSpec, post) -> Any:
    """Read one question's answer from a POSTed answer page."""
    name = f"q{spec.id}"
    if spec.kind == K.MULTIPLE_CHOICE:
        return post.getlist(name)
    if spec.kind == K.RANKING:
        ranks = []
        for option_id, _, _ in spec.options:
            raw = post.get(f"{name}_o{option_id}", "").strip()
            if raw:
                ranks.append((raw, option_id))
        if not ranks:
            return None
        try:
            ordered = sorted(ranks, key=lambda r: int(r[0]))
        except ValueError:
            return ["invalid"]
        if len({r for r, _ in ranks}) != len(ranks):
            return DUPLICATE_RANKS
        return [option_id for _, option_id in ordered]
    if spec.kind == K.MATRIX:
        values = {
            str(row_id): post.get(f"{name}_r{row_id}", "")
            for row_id, _, _ in spec.rows
            if post.get(f"{name}_r{row_id}", "")
        }
        return values or None
    return post.get(name, "")


def _question_blocks(specs, values: dict, errors: dict, *, disabled: bool = False) -> list[dict]:
    blocks = []
    for spec in specs:
        value = values.get(spec.id)
        blocks.append(
            {
                "spec": spec,
                "name": f"q{spec.id}",
                "value": value,
                "selected": [str(v) for v in value]
                if isinstance(value, list)
                else [str(value)]
                if value not in (None, "")
                else [],
                "matrix": {str(k): str(v) for k, v in value.items()}
                if isinstance(value, dict)
                else {},
                "ranks": {str(o): i + 1 for i, o in enumerate(value)}
                if spec.kind == K.RANKING and isinstance(value, list)
                else {},
                "errors": errors.get(str(spec.id), []),
                "show_if": json.dumps(spec.show_if) if spec.show_if else "",
                "points": list(
                    range(
                        int(spec.constraints.get("min", 1)), int(spec.constraints.get("max", 5)) + 1
                    )
                )
                if spec.kind == K.SCALE
                else [],
                "rank_positions": list(range(1, len(spec.options) + 1)),
                "disabled": disabled,
            }
        )
    return blocks


def survey_preview(request, slug: str):
    survey = _survey_for(request, slug)
    _owner_or_403(request, survey)
    specs = specs_for(survey)
    pages = [
        {
            "section": page["section"],
            "blocks": _question_blocks(page["questions"], {}, {}, disabled=True),
        }
        for page in _sections(survey, specs)
    ]
    return render(
        request,
        "surveys/preview.html",
        {"survey": survey, "pages": pages, "introduction": render_markdown(survey.introduction)},
    )


def _load_saved(request, survey: Survey) -> tuple[dict[int, Any], int]:
    """Answers saved so far: the server-side draft (signed in) or the session (anyone)."""
    if request.user.is_authenticated:
        draft = Draft.objects.filter(survey=survey, user=request.user).first()
        if draft:
            return {int(k): v for k, v in draft.answers.items()}, draft.section_index
        if survey.allow_edit and not survey.is_anonymous:
            response = SurveyResponse.objects.filter(survey=survey, respondent=request.user).first()
            if response:
                return {a.question_id: a.value for a in response.answers.all()}, 0
        return {}, 0
    saved = request.session.get(f"survey-draft-{survey.pk}", {})
    return {int(k): v for k, v in saved.get("answers", {}).items()}, saved.get("page", 0)


def _save(request, survey: Survey, answers: dict[int, Any], page: int) -> None:
    if request.user.is_authenticated:
        services.draft_save(survey=survey, user=request.user, answers=answers, section_index=page)
    else:
        request.session[f"survey-draft-{survey.pk}"] = {
            "answers": {str(k): v for k, v in answers.items()},
            "page": page,
        }


def survey_answer(request, slug: str):
    """One page per section, with progress; answers kept on the server between pages."""
    survey = _survey_for(request, slug)
    if not services.in_audience(request.user, survey) and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    editing = False
    if request.user.is_authenticated:
        answered = Participation.objects.filter(survey=survey, user=request.user).exists()
        if answered:
            editing = survey.allow_edit and not survey.is_anonymous
            if not editing:
                messages.info(request, "You have already answered this survey. Thank you!")
                return redirect("surveys:detail", slug=survey.slug)
    elif request.session.get(f"survey-answered-{survey.pk}"):
        # Not signed in ("anyone" surveys): no roll to check, so this browser remembers; the
        # rate limit in the service bounds the rest.
        messages.info(request, "You have already answered this survey. Thank you!")
        return redirect("surveys:detail", slug=survey.slug)
    try:
        services.ensure_can_answer(survey, request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None

    specs = specs_for(survey)
    saved, saved_page = _load_saved(request, survey)
    all_clean, _ = validate(specs, saved, strict=False)
    shown = visible_ids(specs, all_clean)
    # Pages whose every question is hidden by an earlier answer are skipped.
    pages = [
        p
        for p in _sections(survey, specs)
        if any(q.id in shown or _same_page_condition(q, p) for q in p["questions"])
    ]
    if not pages:
        raise Http404("This survey has no questions.")
    try:
        index = int(request.POST.get("page", request.GET.get("page", saved_page)))
    except ValueError:
        index = 0
    index = min(max(index, 0), len(pages) - 1)
    page = pages[index]
    page_ids = {q.id for q in page["questions"]}
    errors: dict[str, list[str]] = {}
    other_errors: list[tuple[int, QuestionSpec, str]] = []
    values = dict(saved)

    if request.method == "POST":
        for spec in page["questions"]:
            raw = _field_value(spec, request.POST)
            if is_empty(raw):
                values.pop(spec.id, None)
            else:
                values[spec.id] = raw
        duplicates = {qid for qid, v in values.items() if v is DUPLICATE_RANKS}
        for qid in duplicates:
            values.pop(qid)
        clean, all_errors = validate(specs, values, strict=False)
        going_back = request.POST.get("action") == "back"
        errors = {k: v for k, v in all_errors.items() if int(k) in page_ids}
        for qid in duplicates:
            errors[str(qid)] = ["Give each option a different rank."]
        # Keep what was typed on this page (even if wrong) so the person can fix it.
        keep = {
            **clean,
            **{qid: values[qid] for qid in page_ids if str(qid) in errors and qid in values},
        }
        if going_back:
            _save(request, survey, keep, max(index - 1, 0))
            return redirect(
                f"{reverse('surveys:answer', args=[survey.slug])}?page={max(index - 1, 0)}"
            )
        if not errors:
            if request.POST.get("action") == "submit" and index == len(pages) - 1:
                try:
                    if editing:
                        services.response_update(
                            survey=survey, user=request.user, answers=clean, strict=False
                        )
                    else:
                        services.response_submit(
                            survey=survey,
                            user=request.user,
                            answers=clean,
                            strict=False,
                            client_key=clients.client_key(request),
                        )
                except Invalid as exc:
                    other_errors = _locate(exc.errors, specs, pages)
                    errors = {k: v for k, v in exc.errors.items() if int(k) in page_ids}
                except NotAllowed as exc:
                    raise PermissionDenied(exc.message) from None
                except DomainError as exc:
                    messages.error(request, exc.message)
                    return redirect("surveys:detail", slug=survey.slug)
                else:
                    request.session.pop(f"survey-draft-{survey.pk}", None)
                    if not request.user.is_authenticated:
                        request.session[f"survey-answered-{survey.pk}"] = True
                    messages.success(request, "Thank you: your answers are recorded.")
                    return redirect("surveys:detail", slug=survey.slug)
            else:
                _save(request, survey, keep, index + 1)
                return redirect(f"{reverse('surveys:answer', args=[survey.slug])}?page={index + 1}")
        else:
            _save(request, survey, keep, index)
            values = {**values}

    all_clean, _ = validate(specs, values, strict=False)
    shown = visible_ids(specs, all_clean)
    blocks = [
        b
        for b in _question_blocks(page["questions"], values, errors)
        if b["spec"].id in shown or _same_page_condition(b["spec"], page)
    ]
    context = {
        "survey": survey,
        "page": page,
        "blocks": blocks,
        "index": index,
        "count": len(pages),
        "number": index + 1,
        "last": index == len(pages) - 1,
        "errors": errors,
        "other_errors": other_errors,
        "editing": editing,
        "error_list": [(b["spec"], e) for b in blocks for e in b["errors"]],
    }
    return render(
        request, "surveys/answer.html", context, status=400 if errors or other_errors else 200
    )


def _same_page_condition(spec: QuestionSpec, page: dict) -> bool:
    """A condition on a question of the same page is applied in the browser (and again on the
    server at submission), so the question is rendered."""
    return bool(spec.show_if) and spec.show_if["question"] in {q.id for q in page["questions"]}


def _locate(errors: dict, specs, pages) -> list[tuple[int, QuestionSpec, str]]:
    page_of = {q.id: i for i, p in enumerate(pages) for q in p["questions"]}
    by_id = {s.id: s for s in specs}
    out = []
    for key, msgs in errors.items():
        qid = int(key) if key.isdigit() else None
        if qid in by_id:
            out += [(page_of.get(qid, 0), by_id[qid], m) for m in msgs]
    return out


# --- Results ----------------------------------------------------------------------------------


def survey_results(request, slug: str):
    survey = _survey_for(request, slug)
    try:
        fq, fo = _filter_params(request)
        doc = results_for(survey=survey, user=request.user, filter_question=fq, filter_option=fo)
        filter_error = None
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except Invalid as exc:
        filter_error = exc.message
        doc = results_for(survey=survey, user=request.user)
    k = doc["min_cell_size"]
    questions = []
    for q in doc["questions"]:
        charts = []
        if q.get("rows"):
            for row in q["rows"]:
                charts.append(
                    {
                        "title": f"{q['prompt']}: {row['label']}",
                        "items": row["options"],
                        "answered": row["answered"],
                        "svg": bar_chart(
                            chart_id=f"chart-{q['id']}-{row['id']}",
                            title=f"{q['prompt']}: {row['label']}",
                            items=row["options"],
                            k=k,
                        ),
                    }
                )
        elif q["options"]:
            charts.append(
                {
                    "title": q["prompt"],
                    "items": q["options"],
                    "answered": q["answered"],
                    "svg": bar_chart(
                        chart_id=f"chart-{q['id']}", title=q["prompt"], items=q["options"], k=k
                    ),
                }
            )
        questions.append({**q, "charts": charts})
    filterable = []
    for spec in specs_for(survey):
        if spec.kind == K.SINGLE_CHOICE:
            choices = [(o[0], o[2]) for o in spec.options]
        elif spec.kind == K.SCALE:
            choices = [(p, str(p)) for p in spec_points(spec)]
        else:
            continue
        filterable.append(
            {
                "id": spec.id,
                "prompt": spec.prompt,
                "options": [{"value": f"{spec.id}:{v}", "label": label} for v, label in choices],
            }
        )
    context = {
        "survey": survey,
        "doc": doc,
        "questions": questions,
        "k": k,
        "filterable": filterable,
        "filter_error": filter_error,
        "selected": f"{fq}:{fo}" if fq else "",
        "owner": doc.get("owner_view"),
    }
    return render(request, "surveys/results.html", context, status=400 if filter_error else 200)


def spec_points(spec: QuestionSpec) -> list[int]:
    return list(range(int(spec.constraints["min"]), int(spec.constraints["max"]) + 1))


def _filter_params(request) -> tuple[int | None, int | None]:
    raw = request.GET.get("filter", "")
    if not raw:
        return None, None
    try:
        q, o = raw.split(":", 1)
        return int(q), int(o)
    except ValueError:
        raise Invalid("Choose a filter from the list.") from None
