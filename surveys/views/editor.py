"""The editor: creating and importing surveys, settings, questions and sections (with htmx the
editor panel is swapped in place; without JavaScript every form posts and the page reloads), the
schedule, and the transitions (open, close, new version)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.confirm import Confirmation, confirm_first
from config.errors import Conflict, DomainError, Invalid
from config.kindforms import switching_kind, unbound_copy
from config.pages import apply_errors, flash_refusal, write_view

from .. import definition as definition_format
from .. import editing, selectors, services
from ..forms import (
    LIVE_WARNING,
    ImportForm,
    QuestionForm,
    RescheduleForm,
    SectionForm,
    SurveySettingsForm,
)
from ..models import Survey
from .common import require_owner, survey_for

# A definition's settings are reported by JSON pointer ("/closes_at"): beside their fields.
SETTINGS_ALIASES = {f"/{name}": name for name in SurveySettingsForm.base_fields}
# An imported definition's problems (by JSON pointer) all belong to the field it was pasted in.
DEFINITION_ALIASES = {"": "definition"} | dict.fromkeys(
    definition_format.schema()["properties"], "definition"
)


def _settings_form(request, data=None, **kwargs) -> SurveySettingsForm:
    return SurveySettingsForm(
        data,
        groups=selectors.groups_user_may_create_for(request.user),
        staff=request.user.is_staff,
        **kwargs,
    )


def _warn_if_live(request, survey: Survey) -> None:
    if survey.results_visibility == Survey.ResultsVisibility.LIVE:
        messages.warning(request, _(LIVE_WARNING))


@login_required
def survey_create(request):
    if not selectors.may_create_any(request.user):
        raise PermissionDenied(_("Only staff and the chairs of a working group create surveys."))
    form = _settings_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d: dict[str, Any] = {"sections": [{"title": "", "questions": []}]}
        form.apply(d)
        try:
            survey = services.survey_create(definition=d, actor=request.user)
        except DomainError as exc:
            apply_errors(form, exc, aliases=SETTINGS_ALIASES)
        else:
            messages.success(request, _("The survey is created as a draft: add its questions."))
            _warn_if_live(request, survey)
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
        raise PermissionDenied(_("Only staff and the chairs of a working group create surveys."))
    form = ImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                definition=form.cleaned_data["definition"], actor=request.user
            )
        except DomainError as exc:
            apply_errors(form, exc, aliases=DEFINITION_ALIASES)
        else:
            messages.success(request, _("The survey is imported as a draft."))
            _warn_if_live(request, survey)
            return redirect("surveys:edit", slug=survey.slug)
    return render(
        request, "surveys/import.html", {"form": form}, status=400 if form.errors else 200
    )


def _editor_context(request, survey: Survey, **forms) -> dict:
    d = definition_format.export(survey)
    settings_form = forms.pop("settings_form", None) or _settings_form(
        request,
        initial={
            **{f: getattr(survey, f) for f in definition_format.SETTINGS},
            "title": survey.title,
            "introduction": survey.introduction,
            "group": survey.group.slug if survey.group_id else "",
            "opens_at": survey.opens_at,
            "closes_at": survey.closes_at,
        },
    )
    question_form = forms.pop("question_form", None) or QuestionForm(
        sections=d["sections"], earlier=editing.questions_before(d), prefix="new"
    )
    return {
        "survey": survey,
        "definition": d,
        "locked": selectors.questions_locked(survey),
        "settings_form": settings_form,
        "question_form": question_form,
        "section_form": forms.pop("section_form", None) or SectionForm(prefix="section"),
        "reschedule_form": forms.pop("reschedule_form", None)
        or RescheduleForm(initial={"closes_at": survey.closes_at}),
    }


def _editor_response(request, survey: Survey, *, status: int = 200, again=False, **forms):
    context = _editor_context(request, survey, **forms)
    if request.htmx:
        # htmx swaps only 2xx answers; the editor shows its own errors. Whatever form was posted,
        # the whole editor panel is replaced.
        response = render(request, "surveys/_editor.html", context)
        response["HX-Retarget"] = "#editor"
        response["HX-Reswap"] = "outerHTML"
        return response
    if status == 200 and request.method == "POST" and not again:
        return redirect("surveys:edit", slug=survey.slug)
    return render(request, "surveys/edit.html", context, status=status)


@login_required
def survey_edit(request, slug: str):
    """The editor: settings, sections and questions. Each form posts to its own URL; with htmx
    the editor panel is swapped in place, without it the page reloads."""
    survey = survey_for(request, slug)
    require_owner(request, survey)
    if request.method == "POST":
        form = _settings_form(request, request.POST)
        if form.is_valid():
            try:
                survey = services.survey_edit(survey=survey, actor=request.user, change=form.apply)
            except DomainError as exc:
                apply_errors(form, exc, aliases=SETTINGS_ALIASES)
            else:
                messages.success(request, _("Settings saved."))
                _warn_if_live(request, survey)
                return _editor_response(request, survey)
        return _editor_response(request, survey, status=400, settings_form=form)
    return render(request, "surveys/edit.html", _editor_context(request, survey))


def _question_aliases(d: dict, section: int, key: str | None) -> dict[str, str]:
    """The pointer of the question being saved: its problems are the form's own."""
    if key is None:
        index = len(d["sections"][section]["questions"]) if section < len(d["sections"]) else 0
        return {f"/sections/{section}/questions/{index}": "__all__"}
    for s_index, s in enumerate(d["sections"]):
        for q_index, q in enumerate(s["questions"]):
            if q["key"] == key:
                return {f"/sections/{s_index}/questions/{q_index}": "__all__"}
    return {}


@login_required
@require_POST
def question_add(request, slug: str):
    survey = survey_for(request, slug)
    require_owner(request, survey)
    d = definition_format.export(survey)
    earlier = editing.questions_before(d)
    form = QuestionForm(request.POST, sections=d["sections"], earlier=earlier, prefix="new")
    if switching_kind(request):  # "Show its fields" without JavaScript: nothing is saved
        form = unbound_copy(form, sections=d["sections"], earlier=earlier)
        return _editor_response(request, survey, again=True, question_form=form)
    if form.is_valid():
        section = form.cleaned_data["section"]
        try:
            survey = editing.question_save(
                survey=survey,
                actor=request.user,
                data=form.to_definition(key=None),
                section=section,
            )
        except DomainError as exc:
            apply_errors(form, exc, aliases=_question_aliases(d, section, None))
        else:
            messages.success(request, _("Question added."))
            return _editor_response(request, survey)
    return _editor_response(request, survey, status=400, question_form=form)


@login_required
def question_edit(request, slug: str, key: str):
    survey = survey_for(request, slug)
    require_owner(request, survey)
    d = definition_format.export(survey)
    try:
        section, _position = editing.find_question(d, key)
    except DomainError:
        raise Http404("No such question.") from None
    question = next(q for q in d["sections"][section]["questions"] if q["key"] == key)
    earlier = editing.questions_before(d, key)
    if selectors.questions_locked(survey):
        # Say so before anyone types a change (issue 16, defect 16); a POST is refused the same.
        context = {"survey": survey, "question": question, "locked": True}
        status = 409 if request.method == "POST" else 200
        if request.htmx:
            return render(request, "surveys/_question_locked.html", context, status=status)
        return render(request, "surveys/question_edit.html", context, status=status)
    if request.method == "POST":
        form = QuestionForm(request.POST, sections=d["sections"], earlier=earlier, prefix="q")
        if switching_kind(request):  # "Show its fields" without JavaScript: nothing is saved
            form = unbound_copy(form, sections=d["sections"], earlier=earlier)
        elif form.is_valid():
            try:
                survey = editing.question_save(
                    survey=survey,
                    actor=request.user,
                    data=form.to_definition(key=key, previous=question),
                    key=key,
                    section=form.cleaned_data["section"],
                )
            except DomainError as exc:
                apply_errors(form, exc, aliases=_question_aliases(d, section, key))
            else:
                messages.success(request, _("Question saved."))
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
    survey = survey_for(request, slug)
    require_owner(request, survey)
    try:
        if action == "delete":
            survey = editing.question_delete(survey=survey, actor=request.user, key=key)
            messages.success(request, _("Question removed."))
        else:
            survey = editing.question_move(
                survey=survey, actor=request.user, key=key, direction=action
            )
    except DomainError as exc:
        flash_refusal(request, exc)
    return _editor_response(request, survey)


@login_required
@require_POST
def section_add(request, slug: str):
    survey = survey_for(request, slug)
    require_owner(request, survey)
    form = SectionForm(request.POST, prefix="section")
    if form.is_valid():
        try:
            survey = editing.section_add(survey=survey, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return _editor_response(request, survey)
    return _editor_response(request, survey, status=400, section_form=form)


@login_required
@require_POST
def section_action(request, slug: str, index: str, action: str):
    index = int(index)
    survey = survey_for(request, slug)
    require_owner(request, survey)
    try:
        if action == "delete":
            survey = editing.section_delete(survey=survey, actor=request.user, index=index)
            messages.success(request, _("Section removed."))
        else:
            form = SectionForm(request.POST, prefix=f"s{index}")
            if not form.is_valid():
                raise Invalid(_("Give the section a title."))
            survey = editing.section_update(
                survey=survey, actor=request.user, index=index, **form.cleaned_data
            )
            messages.success(request, _("Section saved."))
    except DomainError as exc:
        flash_refusal(request, exc)
    return _editor_response(request, survey)


@login_required
@require_POST
def survey_reschedule(request, slug: str):
    survey = survey_for(request, slug)
    require_owner(request, survey)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            survey = services.survey_reschedule(
                survey=survey, actor=request.user, closes_at=form.cleaned_data["closes_at"]
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The schedule is saved."))
            return _editor_response(request, survey)
    return _editor_response(request, survey, status=400, reschedule_form=form)


def _transition_confirmation(request, slug: str, action: str) -> Confirmation | None:
    """Closing asks first (it cannot be undone); opening and a new version do not."""
    if action != "close":
        return None
    survey = survey_for(request, slug)
    require_owner(request, survey)
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("Only an open survey can be closed."))
    submitted, drafts = survey.responses.count(), survey.drafts.count()
    unsent = (
        ngettext(
            "%(n)s person has answers saved but not submitted: they will not be counted.",
            "%(n)s people have answers saved but not submitted: they will not be counted.",
            drafts,
        )
        % {"n": drafts}
        if drafts
        else _("Answers not yet submitted will not be counted.")
    )
    return Confirmation(
        title=_("Close “%(title)s” now?") % {"title": survey.title},
        intro=ngettext(
            "%(n)s response submitted so far.", "%(n)s responses submitted so far.", submitted
        )
        % {"n": submitted},
        consequences=[
            _("Nobody can answer any more."),
            unsent,
            _("The results are frozen as they are now."),
            _("A closed survey cannot be opened again: to ask again, make a new version."),
        ],
        button=_("Close the survey"),
        cancel_url=reverse("surveys:detail", kwargs={"slug": survey.slug}),
    )


_survey_page = lambda slug, action: reverse("surveys:detail", kwargs={"slug": slug})  # noqa: E731


@confirm_first(_transition_confirmation, back=_survey_page)
@write_view(back=_survey_page)
def survey_transition(request, slug: str, action: str):
    """Open, close, or make a new version: a refusal is a flash message on the survey's page
    (403 when the person may not manage it)."""
    survey = survey_for(request, slug)
    if action == "open":
        survey = services.survey_open(survey=survey, actor=request.user)
        messages.success(request, _("The survey is open."))
    elif action == "close":
        survey = services.survey_close(survey=survey, actor=request.user)
        messages.success(request, _("The survey is closed and its results are frozen."))
    else:
        survey = services.survey_new_version(survey=survey, actor=request.user)
        messages.success(
            request, _("Version %(version)s is a new draft.") % {"version": survey.version}
        )
        return redirect("surveys:edit", slug=survey.slug)
    return redirect("surveys:detail", slug=survey.slug)
