"""The website: list, detail, editor (with and without htmx), preview, answer pages, results."""

import pytest
from django.urls import reverse

from surveys import services
from surveys.models import Draft, Participation, Question, Response, Survey

from .factories import keys, make_survey, option

pytestmark = pytest.mark.django_db


def test_it_lists_open_and_closed_surveys(client, survey):
    page = client.get("/surveys/")
    assert page.status_code == 200
    assert survey.title in page.content.decode()


def test_it_hides_drafts_from_the_public(client, staff_user):
    draft = make_survey(actor=staff_user, open=False, title="Secret draft")
    assert "Secret draft" not in client.get("/surveys/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_survey_page_has_a_pinned_query_count(
    client_for, user, survey, django_assert_num_queries
):
    c = client_for(user)
    c.get(survey.get_absolute_url())  # warm the session
    # session+user, survey, owner check (staff? no → membership), participation, audience,
    # question count
    with django_assert_num_queries(5):
        page = c.get(survey.get_absolute_url())
    assert page.status_code == 200
    assert "Answer the survey" in page.content.decode()


def _answer_page(c, survey, page=None):
    url = reverse("surveys:answer", args=[survey.slug])
    return c.get(url if page is None else f"{url}?page={page}")


def test_it_answers_across_pages_with_errors_next_to_questions(client_for, user, survey):
    c = client_for(user)
    q = keys(survey)
    page = _answer_page(c, survey)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Page 1 of 2" in html and "<fieldset" in html and "<legend>" in html
    # Page 1: the required question left empty → an error next to it and in the summary.
    page = c.post(reverse("surveys:answer", args=[survey.slug]), {"page": 0, "action": "next"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "error-summary" in html and "This question is required." in html
    assert f'id="q{q["role"].id}-error"' in html
    # Fix it; the draft is saved on the server.
    page = c.post(
        reverse("surveys:answer", args=[survey.slug]),
        {
            "page": 0,
            "action": "next",
            f"q{q['role'].id}": option(q["role"], "developer"),
            f"q{q['language'].id}": "Python",
        },
    )
    assert page.status_code == 302 and page["Location"].endswith("?page=1")
    draft = Draft.objects.get(survey=survey, user=user)
    assert draft.answers[str(q["role"].id)] == option(q["role"], "developer")
    # Page 2: a number out of range.
    data = {"page": 1, "action": "submit", f"q{q['consent'].id}": "4", f"q{q['hours'].id}": "500"}
    page = c.post(reverse("surveys:answer", args=[survey.slug]), data)
    assert page.status_code == 400
    assert "Out of range" in page.content.decode()
    data[f"q{q['hours'].id}"] = "12"
    data[f"q{q['captions'].id}_r{q['captions'].rows[0][0]}"] = str(q["captions"].options[2][0])
    data[f"q{q['rank'].id}_o{q['rank'].options[0][0]}"] = "2"
    data[f"q{q['rank'].id}_o{q['rank'].options[1][0]}"] = "1"
    data[f"q{q['rank'].id}_o{q['rank'].options[2][0]}"] = "3"
    page = c.post(reverse("surveys:answer", args=[survey.slug]), data)
    assert page.status_code == 302
    assert Participation.objects.filter(survey=survey, user=user).exists()
    response = Response.objects.get(survey=survey)
    assert response.respondent is None  # anonymous
    values = {a.question_id: a.value for a in response.answers.all()}
    assert values[q["language"].id] == "Python"
    assert values[q["rank"].id] == [
        q["rank"].options[1][0],
        q["rank"].options[0][0],
        q["rank"].options[2][0],
    ]
    assert values[q["captions"].id] == {str(q["captions"].rows[0][0]): q["captions"].options[2][0]}
    assert not Draft.objects.filter(survey=survey, user=user).exists()
    # Cannot answer twice.
    again = _answer_page(c, survey)
    assert again.status_code == 302
    assert c.post(reverse("surveys:answer", args=[survey.slug]), data).status_code == 302
    assert Response.objects.filter(survey=survey).count() == 1


def test_answers_to_hidden_questions_are_discarded_on_the_web(client_for, user, survey):
    c = client_for(user)
    q = keys(survey)
    c.post(
        reverse("surveys:answer", args=[survey.slug]),
        {
            "page": 0,
            "action": "next",
            f"q{q['role'].id}": option(q["role"], "artist"),
            f"q{q['language'].id}": "Rust (but hidden)",
        },
    )
    c.post(
        reverse("surveys:answer", args=[survey.slug]),
        {"page": 1, "action": "submit", f"q{q['consent'].id}": "3"},
    )
    response = Response.objects.get(survey=survey)
    assert q["language"].id not in {a.question_id for a in response.answers.all()}


def test_anonymous_visitors_are_sent_to_log_in(client, survey):
    page = _answer_page(client, survey)
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_members_only_survey_refuses_others(client_for, user, chair, member, group):
    s = make_survey(actor=chair, group=group.slug, audience="members")
    assert _answer_page(client_for(user), s).status_code == 403
    assert _answer_page(client_for(member), s).status_code == 200


def test_a_closed_survey_cannot_be_answered(client_for, user, staff_user, survey):
    services.survey_close(survey=survey, actor=staff_user)
    assert _answer_page(client_for(user), survey).status_code == 403


def test_editor_without_javascript(client_for, staff_user):
    c = client_for(staff_user)
    page = c.post(
        "/surveys/new/",
        {
            "title": "Built on the web",
            "audience": "signed_in",
            "anonymity": "anonymous",
            "results_visibility": "after_close",
            "min_cell_size": 5,
        },
    )
    assert page.status_code == 302
    survey = Survey.objects.get(title="Built on the web")
    edit = reverse("surveys:edit", args=[survey.slug])
    assert c.get(edit).status_code == 200
    add = reverse("surveys:question_add", args=[survey.slug])
    page = c.post(
        add,
        {
            "new-section": 0,
            "new-kind": "single_choice",
            "new-prompt": "Favourite?",
            "new-required": "on",
            "new-options": "Red\nGreen",
        },
    )
    assert page.status_code == 302
    page = c.post(
        add,
        {"new-section": 0, "new-kind": "scale", "new-prompt": "Rate", "new-min": 1, "new-max": 7},
    )
    assert page.status_code == 302
    questions = list(survey.questions.all())
    assert [q.kind for q in questions] == ["single_choice", "scale"]
    # A single-choice question with one option is refused, with the reason shown.
    page = c.post(
        add,
        {"new-section": 0, "new-kind": "single_choice", "new-prompt": "Bad", "new-options": "Only"},
    )
    assert page.status_code == 400
    assert "at least two options" in page.content.decode()
    # Move, edit, remove.
    second = questions[1].key
    c.post(reverse("surveys:question_action", args=[survey.slug, second, "up"]))
    assert [q.kind for q in survey.questions.all()] == ["scale", "single_choice"]
    page = c.get(reverse("surveys:question_edit", args=[survey.slug, second]))
    assert page.status_code == 200
    page = c.post(
        reverse("surveys:question_edit", args=[survey.slug, second]),
        {"q-section": 0, "q-kind": "scale", "q-prompt": "Rate it", "q-min": 1, "q-max": 5},
    )
    assert page.status_code == 302
    assert survey.questions.get(key=second).prompt == "Rate it"
    c.post(reverse("surveys:question_action", args=[survey.slug, second, "delete"]))
    assert survey.questions.count() == 1
    # Section and settings
    assert (
        c.post(
            reverse("surveys:section_add", args=[survey.slug]), {"section-title": "More"}
        ).status_code
        == 302
    )
    assert survey.sections.count() == 2
    assert c.get(reverse("surveys:preview", args=[survey.slug])).status_code == 200


def test_editor_with_htmx_swaps_the_panel(client_for, staff_user):
    survey = make_survey(actor=staff_user, open=False)
    c = client_for(staff_user)
    page = c.post(
        reverse("surveys:question_add", args=[survey.slug]),
        {"new-section": 1, "new-kind": "short_text", "new-prompt": "Name a colour"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    assert page["HX-Retarget"] == "#editor"
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="editor">') and "Name a colour" in html
    page = c.get(
        reverse("surveys:question_edit", args=[survey.slug, "role"]), HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 200 and "<form" in page.content.decode()


def test_editor_is_locked_once_there_are_responses(client_for, staff_user, user, survey):
    q = keys(survey)
    services.response_submit(
        survey=survey,
        user=user,
        answers={q["role"].id: option(q["role"], "artist"), q["consent"].id: 3},
    )
    c = client_for(staff_user)
    page = c.post(
        reverse("surveys:question_add", args=[survey.slug]),
        {"new-section": 0, "new-kind": "short_text", "new-prompt": "Late question"},
    )
    assert page.status_code == 400
    assert "locked" in page.content.decode()
    assert not Question.objects.filter(prompt="Late question").exists()


def test_the_editor_is_for_owners_only(client_for, user, survey):
    assert client_for(user).get(reverse("surveys:edit", args=[survey.slug])).status_code == 403
    assert client_for(user).get("/surveys/new/").status_code == 403


def test_a_chair_creates_from_the_web(client_for, chair, group):
    page = client_for(chair).post(
        "/surveys/new/",
        {
            "title": "Group survey",
            "group": group.slug,
            "audience": "members",
            "anonymity": "confidential",
            "results_visibility": "owners",
            "min_cell_size": 3,
        },
    )
    assert page.status_code == 302
    assert Survey.objects.get(title="Group survey").group == group


def test_import_a_definition(client_for, staff_user):
    import json

    from .factories import definition

    page = client_for(staff_user).post(
        "/surveys/import/", {"definition": json.dumps(definition(slug="imported"))}
    )
    assert page.status_code == 302
    assert Survey.objects.get(slug="imported").questions.count() == 8
    page = client_for(staff_user).post("/surveys/import/", {"definition": "{not json"})
    assert page.status_code == 400


def _fill(survey, n, start=0):
    from tests.factories import UserFactory

    q = keys(survey)
    for i in range(n):
        person = UserFactory(username=f"p{start + i}")
        role = ["artist", "developer", "researcher"][i % 3]
        services.response_submit(
            survey=survey,
            user=person,
            answers={
                q["role"].id: option(q["role"], role),
                q["consent"].id: 1 + i % 5,
                q["hours"].id: i,
            },
        )


def test_results_page_with_charts_and_pinned_queries(
    client_for, user, staff_user, django_assert_num_queries
):
    survey = make_survey(actor=staff_user, results_visibility="live")
    _fill(survey, 30)
    c = client_for(user)
    c.get(reverse("surveys:results", args=[survey.slug]))
    # session, user, survey (with its snapshot and live results), response count: the live
    # results are the stored batch (the question specs are cached per process)
    with django_assert_num_queries(4):
        page = c.get(reverse("surveys:results", args=[survey.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "<table" in html
    assert "fewer than 5" in html  # e.g. the rank question nobody answered


def test_results_cross_tab_filter(client_for, user, staff_user):
    survey = make_survey(actor=staff_user, results_visibility="live")
    _fill(survey, 30)
    q = keys(survey)
    page = client_for(user).get(
        reverse("surveys:results", args=[survey.slug]),
        {"filter": f"{q['role'].id}:{option(q['role'], 'artist')}"},
    )
    assert page.status_code == 200
    assert "Filtered: people who answered “Artist” (10)" in page.content.decode()


def test_results_hidden_until_close(client_for, user, survey):
    assert client_for(user).get(reverse("surveys:results", args=[survey.slug])).status_code == 403


def test_exports_are_for_owners(client_for, user, staff_user, survey):
    _fill(survey, 3)
    for fmt in ("csv", "json", "xlsx", "codebook.csv"):
        url = reverse("surveys:export", args=[survey.slug, fmt])
        assert client_for(user).get(url).status_code == 403
        assert client_for(staff_user).get(url).status_code == 200


def test_a_confidential_survey_answer_can_be_changed_on_the_web(client_for, user, staff_user):
    s = make_survey(actor=staff_user, anonymity="confidential", allow_edit=True)
    q = keys(s)
    services.response_submit(
        survey=s, user=user, answers={q["role"].id: option(q["role"], "artist"), q["consent"].id: 2}
    )
    c = client_for(user)
    assert "Change your answers" in c.get(s.get_absolute_url()).content.decode()
    page = _answer_page(c, s)
    assert page.status_code == 200 and "changing the answers" in page.content.decode()
    answer_url = reverse("surveys:answer", args=[s.slug])
    c.post(
        answer_url,
        {"page": 0, "action": "next", f"q{q['role'].id}": option(q["role"], "researcher")},
    )
    c.post(answer_url, {"page": 1, "action": "submit", f"q{q['consent'].id}": "5"})
    response = Response.objects.get(survey=s)
    values = {a.question_id: a.value for a in response.answers.all()}
    assert values[q["role"].id] == option(q["role"], "researcher") and values[q["consent"].id] == 5
    assert Response.objects.filter(survey=s).count() == 1


def test_exports_neutralise_spreadsheet_formulas(client_for, user, staff_user, survey):
    q = keys(survey)
    services.response_submit(
        survey=survey,
        user=user,
        answers={
            q["role"].id: option(q["role"], "artist"),
            q["consent"].id: 2,
            q["comment"].id: "=HYPERLINK(1)",
        },
    )
    text = (
        client_for(staff_user)
        .get(reverse("surveys:export", args=[survey.slug, "csv"]))
        .content.decode()
    )
    assert "'=HYPERLINK(1)" in text


def test_the_home_page_lists_open_surveys(client, survey):
    page = client.get("/")
    assert page.status_code == 200
    assert survey.title in page.content.decode()


def test_two_options_with_the_same_rank_are_refused(client_for, user, survey):
    q = keys(survey)
    c = client_for(user)
    url = reverse("surveys:answer", args=[survey.slug])
    c.post(url, {"page": 0, "action": "next", f"q{q['role'].id}": option(q["role"], "artist")})
    rank = q["rank"]
    page = c.post(
        url,
        {
            "page": 1,
            "action": "submit",
            f"q{q['consent'].id}": "3",
            f"q{rank.id}_o{rank.options[0][0]}": "1",
            f"q{rank.id}_o{rank.options[1][0]}": "1",
            f"q{rank.id}_o{rank.options[2][0]}": "2",
        },
    )
    assert page.status_code == 400
    assert "Give each option a different rank." in page.content.decode()
    assert not Response.objects.exists()


def test_admin_pages_load(client_for, staff_user, survey):
    c = client_for(staff_user)
    for path in (
        "/admin/surveys/survey/",
        f"/admin/surveys/survey/{survey.pk}/change/",
        "/admin/surveys/question/",
        "/admin/surveys/resultsnapshot/",
    ):
        assert c.get(path).status_code == 200, path


def test_sections_are_renamed_and_empty_ones_removed(client_for, staff_user):
    survey = make_survey(actor=staff_user, open=False)
    c = client_for(staff_user)
    c.post(reverse("surveys:section_add", args=[survey.slug]), {"section-title": "Spare"})
    assert survey.sections.count() == 3
    page = c.post(
        reverse("surveys:section_action", args=[survey.slug, 0, "save"]),
        {"s0-title": "About you", "s0-description": "Who answers"},
    )
    assert page.status_code == 302
    assert survey.sections.first().title == "About you"
    c.post(reverse("surveys:section_action", args=[survey.slug, 0, "delete"]))
    assert survey.sections.count() == 3  # not empty: refused
    c.post(reverse("surveys:section_action", args=[survey.slug, 2, "delete"]))
    assert survey.sections.count() == 2


def test_the_list_page_has_a_pinned_query_count(
    client_for, user, staff_user, django_assert_num_queries
):
    for i in range(6):
        make_survey(actor=staff_user, title=f"S{i}")
    c = client_for(user)
    c.get("/surveys/")
    # session, user, surveys (+ group), may-create check
    with django_assert_num_queries(4):
        assert c.get("/surveys/").status_code == 200


def test_a_visitor_answers_a_survey_open_to_anyone(client, staff_user):
    s = make_survey(actor=staff_user, audience="anyone")
    q = keys(s)
    url = reverse("surveys:answer", args=[s.slug])
    assert client.get(url).status_code == 200
    client.post(url, {"page": 0, "action": "next", f"q{q['role'].id}": option(q["role"], "artist")})
    page = client.post(url, {"page": 1, "action": "submit", f"q{q['consent'].id}": "2"})
    assert page.status_code == 302
    assert Response.objects.filter(survey=s).count() == 1
    assert not Participation.objects.exists()  # nobody to put on the roll
    assert "You have answered this survey." in client.get(s.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 302  # this browser already answered


def test_the_close_can_move_after_responses(client_for, staff_user, user, survey):
    from datetime import timedelta

    from django.utils import timezone

    q = keys(survey)
    services.response_submit(
        survey=survey,
        user=user,
        answers={q["role"].id: option(q["role"], "artist"), q["consent"].id: 3},
    )
    c = client_for(staff_user)
    edit = c.get(reverse("surveys:edit", args=[survey.slug])).content.decode()
    assert "Save the schedule" in edit
    later = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    page = c.post(
        reverse("surveys:reschedule", args=[survey.slug]),
        {"closes_at": later.strftime("%Y-%m-%dT%H:%M")},
    )
    assert page.status_code == 302
    survey.refresh_from_db()
    assert survey.closes_at == later
    page = c.post(
        reverse("surveys:reschedule", args=[survey.slug]), {"closes_at": "2000-01-01T00:00"}
    )
    assert page.status_code == 400 and "in the future" in page.content.decode()
    assert (
        client_for(user).post(reverse("surveys:reschedule", args=[survey.slug]), {}).status_code
        == 403
    )


def test_closing_asks_first_and_a_get_never_closes(client_for, user, staff_user, survey):
    """Issue 16, defect 2: closing cannot be undone, so the button leads to a confirmation."""
    url = reverse("surveys:transition", args=[survey.slug, "close"])
    owner = client_for(staff_user)
    for method in (owner.get, owner.post):
        page = method(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "cannot be opened again" in html and "0 responses submitted" in html
        survey.refresh_from_db()
        assert survey.status == "open"
    # Someone who may not manage it is refused before being asked, and after.
    assert client_for(user).post(url).status_code == 403
    assert client_for(user).post(url, {"confirm": "yes"}).status_code == 403
    assert owner.post(url, {"confirm": "yes"}).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed"
    # Asking to close a closed survey is a flash message on its page, not a confirmation.
    again = owner.post(url)
    assert again.status_code == 302
