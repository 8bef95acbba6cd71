"""The list of surveys, a survey's page, its definition as a download."""

import json

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from config.markdown import render as render_markdown

from .. import definition as definition_format
from .. import selectors
from ..models import Survey
from ..results import results_visible
from .common import survey_for


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
    survey = survey_for(request, slug)
    user = request.user
    owner = selectors.is_owner(user, survey)
    if user.is_authenticated:
        answered = selectors.has_answered(user, survey)
    else:
        answered = bool(request.session.get(f"survey-answered-{survey.pk}"))
    login = QueryDict(mutable=True)
    login["next"] = request.path
    context = {
        "survey": survey,
        "owner": owner,
        "answered": answered,
        "can_edit_answer": answered
        and selectors.may_change_answers(survey)
        and survey.is_accepting,
        "in_audience": selectors.in_audience(user, survey),
        "results_visible": results_visible(survey, owner=owner),
        "introduction": render_markdown(survey.introduction),
        "question_count": survey.questions.count(),
        "response_count": survey.responses.count() if owner else None,
        "login_url": f"{reverse('account_login')}?{login.urlencode(safe='/')}",
    }
    return render(request, "surveys/detail.html", context)


def survey_definition(request, slug: str):
    survey = survey_for(request, slug)
    body = json.dumps(definition_format.export(survey), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}.survey.json"'
    return response
