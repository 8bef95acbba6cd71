"""In a real browser: answer across pages, hit an error, fix it, submit, cannot submit twice;
a chair sees the results page with its charts."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from surveys.models import Participation, Response
from tests.factories import UserFactory

from .factories import make_survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_person_answers_and_a_chair_reads_the_results(browser_page, live_server, chair, group):
    page = browser_page
    survey = make_survey(actor=chair, group=group.slug, results_visibility="live", min_cell_size=1)
    person = UserFactory(username="respondent")
    _sign_in(page, live_server, person)

    page.goto(f"/surveys/{survey.slug}/")
    page.get_by_role("link", name="Answer the survey").click()
    page.get_by_text("Page 1 of 2").wait_for()
    # The conditional question is hidden until its condition holds (the page's script hides it
    # after load: wait for it rather than read the state once).
    expect(page.get_by_label("Which language?")).to_be_hidden()
    page.get_by_role("button", name="Next page").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "This question is required." in summary.inner_text()
    page.get_by_label("Developer").check()
    page.get_by_label("Which language?").fill("Python")
    page.get_by_role("button", name="Next page").click()

    page.get_by_text("Page 2 of 2").wait_for()
    page.get_by_label("Hours a week?").fill("500")
    page.get_by_role("button", name="Submit your answers").click()
    page.locator(".error-summary").wait_for()
    assert "This question is required." in page.locator(".error-summary").inner_text()  # consent
    assert "Out of range" in page.locator(".field-error").first.inner_text()
    page.get_by_label("Hours a week?").fill("12")
    page.locator("fieldset", has_text="Consent matters?").get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Submit your answers").click()
    page.get_by_text("Thank you: your answers are recorded.").wait_for()
    assert page.get_by_text("You have answered this survey.").is_visible()
    assert page.get_by_role("link", name="Answer the survey").count() == 0

    # Coming back to the answer pages does not allow a second response.
    page.goto(f"/surveys/{survey.slug}/answer/")
    page.get_by_text("You have already answered this survey.").wait_for()
    assert Response.objects.filter(survey=survey).count() == 1
    assert Participation.objects.filter(survey=survey).count() == 1
    answers = {
        a.question.key: a.value for a in Response.objects.get().answers.select_related("question")
    }
    assert answers["language"] == "Python" and answers["hours"] == 12 and answers["consent"] == 4

    # The chair sees the results with server-rendered, accessible charts.
    page.context.clear_cookies()
    _sign_in(page, live_server, chair)
    page.goto(f"/surveys/{survey.slug}/results/")
    page.get_by_role("heading", name="Results: Test survey").wait_for()
    charts = page.locator('.chart svg[role="img"]')
    assert charts.count() >= 5
    assert page.get_by_role("img", name="Your role?").is_visible()
    assert page.locator("table").count() >= 5


def test_the_editor_works_in_place_with_htmx(browser_page, live_server, staff_user):
    page = browser_page
    survey = make_survey(actor=staff_user, open=False)
    _sign_in(page, live_server, staff_user)
    page.goto(f"/surveys/{survey.slug}/edit/")
    marker = page.evaluate("() => (window.__marker = Math.random())")
    form = page.locator("form", has=page.get_by_role("button", name="Add the question"))
    form.get_by_label("Kind").select_option("single_choice")
    form.get_by_role("textbox", name="Prompt", exact=True).fill("Favourite colour?")
    form.get_by_label("Options").fill("Red\nGreen\nBlue")
    form.get_by_role("button", name="Add the question").click()
    page.get_by_text("Question added.").wait_for()
    page.locator("#editor li strong", has_text="Favourite colour?").wait_for()
    # No page load happened: the editor panel was swapped in place.
    assert page.evaluate("() => window.__marker") == marker
    assert survey.questions.filter(prompt="Favourite colour?").exists()
    # An invalid question shows its errors in place too.
    form = page.locator("form", has=page.get_by_role("button", name="Add the question"))
    form.get_by_role("textbox", name="Prompt", exact=True).fill("Only one option")
    form.get_by_label("Options").fill("Lonely")
    form.get_by_role("button", name="Add the question").click()
    page.get_by_text("The question was not added").wait_for()
    assert page.evaluate("() => window.__marker") == marker
    # Move the new question up, in place.
    order = "() => [...document.querySelectorAll('#editor li strong')].map(e => e.textContent)"
    before = page.evaluate(order).index("Favourite colour?")
    page.get_by_role("button", name="Up “Favourite colour?”").click()
    page.wait_for_function(f"() => ({order})().indexOf('Favourite colour?') === {before - 1}")
    assert page.evaluate("() => window.__marker") == marker


def _enforce_csp(page) -> list[str]:
    """Serve every page with the platform's policy and collect what the browser refuses."""
    refused: list[str] = []

    def with_policy(route):
        try:
            response = route.fetch()
            headers = {**response.headers, "content-security-policy": "script-src 'self'"}
            route.fulfill(response=response, headers=headers)
        except PlaywrightError:
            # The test ended with a request still in flight (the notification bell, say): the
            # browser context is gone and there is nobody to answer.
            pass

    page.route("**/*", lambda route: with_policy(route))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_answer_pages_and_charts_work_under_script_src_self(
    browser_page, live_server, chair, group
):
    page = browser_page
    refused = _enforce_csp(page)
    survey = make_survey(actor=chair, group=group.slug, results_visibility="live", min_cell_size=1)
    _sign_in(page, live_server, UserFactory(username="strict"))
    page.goto(f"/surveys/{survey.slug}/answer/")
    page.get_by_text("Page 1 of 2").wait_for()
    # The display condition runs from static/js/surveys-answer.js.
    language = page.get_by_label("Which language?")
    language.wait_for(state="hidden")
    page.get_by_label("Developer").check()
    language.wait_for(state="visible")
    page.get_by_role("button", name="Next page").click()
    page.get_by_text("Page 2 of 2").wait_for()
    page.get_by_role("button", name="Submit your answers").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    # The script moves the focus once the page has loaded: wait for it (a loaded CI machine is slow).
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'error-summary'"
    )

    page.context.clear_cookies()
    _sign_in(page, live_server, chair)
    page.goto(f"/surveys/{survey.slug}/results/")
    assert page.get_by_role("img", name="Your role?").is_visible()
    page.goto(f"/surveys/{survey.slug}/edit/")
    assert refused == []
