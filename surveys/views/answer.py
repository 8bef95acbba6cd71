"""The preview and the answer pages (one page per section; the state machine is
``surveys/answering.py``)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from config import clients
from config.errors import DomainError, Invalid
from config.markdown import render as render_markdown
from config.pages import raise_for_page

from .. import answering, selectors, services
from ..answers import in_language, specs_for
from ..models import Survey
from .common import require_owner, survey_for


def survey_preview(request, slug: str):
    survey = survey_for(request, slug)
    require_owner(request, survey)
    pages = [
        {
            "section": page.section,
            "blocks": [answering.block(q, None, [], disabled=True) for q in page.questions],
        }
        for page in answering.all_pages(survey.sections.all(), in_language(specs_for(survey)))
    ]
    return render(
        request,
        "surveys/preview.html",
        {"survey": survey, "pages": pages, "introduction": render_markdown(survey.introduction)},
    )


def _draft_key(survey: Survey) -> str:
    return f"survey-draft-{survey.pk}"


def _answered_key(survey: Survey) -> str:
    return f"survey-answered-{survey.pk}"


def _load(request, survey: Survey) -> tuple[dict, int]:
    """Answers saved so far: the server-side draft (signed in) or the session (anyone)."""
    if request.user.is_authenticated:
        return selectors.saved_answers(request.user, survey)
    saved = request.session.get(_draft_key(survey), {})
    return {int(k): v for k, v in saved.get("answers", {}).items()}, saved.get("page", 0)


def _save(request, survey: Survey, answers: dict, page: int) -> None:
    if request.user.is_authenticated:
        services.draft_save(survey=survey, user=request.user, answers=answers, section_index=page)
    else:
        request.session[_draft_key(survey)] = {
            "answers": {str(k): v for k, v in answers.items()},
            "page": page,
        }


def _submit(request, survey: Survey, answers: dict, *, editing: bool) -> None:
    if editing:
        services.response_update(survey=survey, user=request.user, answers=answers, strict=False)
    else:
        services.response_submit(
            survey=survey,
            user=request.user,
            answers=answers,
            strict=False,
            client_key=clients.client_key(request),
        )


def survey_answer(request, slug: str):
    """One page per section, with progress; answers kept on the server between pages."""
    survey = survey_for(request, slug)
    user = request.user
    if not selectors.in_audience(user, survey) and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    editing = False
    if user.is_authenticated:
        if selectors.has_answered(user, survey):
            editing = selectors.may_change_answers(survey)
            if not editing:
                messages.info(request, _("You have already answered this survey. Thank you!"))
                return redirect("surveys:detail", slug=survey.slug)
    elif request.session.get(_answered_key(survey)):
        # Not signed in ("anyone" surveys): no roll to check, so this browser remembers; the
        # rate limit in the service bounds the rest.
        messages.info(request, _("You have already answered this survey. Thank you!"))
        return redirect("surveys:detail", slug=survey.slug)
    try:
        services.ensure_can_answer(survey, user)
    except DomainError as exc:
        raise_for_page(exc)
        raise

    saved, saved_page = _load(request, survey)
    progress = answering.start(
        sections=survey.sections.all(),
        # In the reader's language where the author translated the questions; ids and keys
        # are the same, so the answers are checked and stored the same.
        specs=in_language(specs_for(survey)),
        answers=saved,
        page=request.POST.get("page", request.GET.get("page", saved_page)),
    )
    if progress is None:
        raise Http404("This survey has no questions.")
    shown = None
    if request.method == "POST":
        outcome = answering.post(
            progress, request.POST, answering.Action.of(request.POST.get("action"))
        )
        if isinstance(outcome, answering.Ready):
            try:
                _submit(request, survey, outcome.answers, editing=editing)
            except Invalid as exc:
                outcome = answering.refused(progress, exc.errors, outcome.answers)
                if not (outcome.errors or outcome.elsewhere):
                    messages.error(request, exc.message)
            except DomainError as exc:
                raise_for_page(exc)
                messages.error(request, exc.message)
                return redirect("surveys:detail", slug=survey.slug)
            else:
                request.session.pop(_draft_key(survey), None)
                if not user.is_authenticated:
                    request.session[_answered_key(survey)] = True
                messages.success(request, _("Thank you: your answers are recorded."))
                return redirect("surveys:detail", slug=survey.slug)
        if isinstance(outcome, answering.Moved):
            _save(request, survey, outcome.answers, outcome.page)
            return redirect(f"{reverse('surveys:answer', args=[survey.slug])}?page={outcome.page}")
        _save(request, survey, outcome.answers, progress.index)
        shown = outcome

    errors = shown.errors if shown else {}
    elsewhere = shown.elsewhere if shown else []
    blocks = answering.blocks(progress, errors)
    context = {
        "survey": survey,
        "page": progress.page,
        "blocks": blocks,
        "index": progress.index,
        "count": len(progress.pages),
        "number": progress.index + 1,
        "last": progress.last,
        "errors": errors,
        "other_errors": elsewhere,
        "editing": editing,
        "error_list": [(b["spec"], e) for b in blocks for e in b["errors"]],
    }
    return render(request, "surveys/answer.html", context, status=400 if shown else 200)
