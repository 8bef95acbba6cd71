"""A locked question says so before anyone types a change, and its page has an <h1>
(issue 16, defect 16)."""

from django.urls import reverse

from surveys import services

from .factories import make_survey


def locked_survey(staff_user):
    survey = make_survey(actor=staff_user)
    return services.survey_close(survey=survey, actor=staff_user)


def test_a_locked_question_shows_no_form_and_says_why(staff_user, client):
    survey = locked_survey(staff_user)
    client.force_login(staff_user)
    url = reverse("surveys:question_edit", args=[survey.slug, "role"])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "This question is locked." in html
    assert "make a new version" in html
    assert 'name="q-prompt"' not in html
    assert html.count("<h1") == 1 and "<h1>Edit “" in html


def test_posting_to_a_locked_question_is_refused_with_the_same_words(staff_user, client):
    survey = locked_survey(staff_user)
    client.force_login(staff_user)
    url = reverse("surveys:question_edit", args=[survey.slug, "role"])
    page = client.post(url, {"q-section": 0, "q-kind": "short_text", "q-prompt": "Changed"})
    assert page.status_code == 409
    assert "This question is locked." in page.content.decode()
    assert survey.questions.get(key="role").prompt != "Changed"
    # With htmx, the partial says the same.
    page = client.get(url, HTTP_HX_REQUEST="true")
    assert "This question is locked." in page.content.decode()


def test_an_editable_questions_page_has_its_h1_and_one_heading(staff_user, client):
    survey = make_survey(actor=staff_user, open=False)
    client.force_login(staff_user)
    html = client.get(reverse("surveys:question_edit", args=[survey.slug, "role"])).content.decode()
    assert html.count("<h1") == 1 and "<h1>Edit “" in html
    assert 'name="q-prompt"' in html
    assert "<h3>Edit" not in html


def test_someone_else_may_not_see_the_edit_page(staff_user, client):
    from tests.factories import UserFactory

    survey = locked_survey(staff_user)
    client.force_login(UserFactory())
    url = reverse("surveys:question_edit", args=[survey.slug, "role"])
    assert client.get(url).status_code in (403, 404)
