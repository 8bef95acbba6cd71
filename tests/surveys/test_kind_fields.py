"""The question editor shows the fields of the chosen kind only (issue 16, defect 15): no rows,
minimum, maximum or scale labels for a single-choice question; with and without JavaScript."""

import re

import pytest
from django.urls import reverse

from surveys.forms import QuestionForm

from .factories import make_survey
from .test_e2e import _sign_in

SPECIFIC = set(QuestionForm.KIND_SPECIFIC)


def shown(html: str, prefix: str) -> set[str]:
    out = set()
    pattern = rf'<div class="field[^"]*"( data-kinds="[^"]*")?( hidden)?>\s*<label for="id_{prefix}-(\w+)"'
    for m in re.finditer(pattern, html):
        if m.group(3) in SPECIFIC and not m.group(2):
            out.add(m.group(3))
    return out


def test_each_kind_has_its_own_fields():
    by_kind = QuestionForm.fields_by_kind()
    assert by_kind["single_choice"] == ("options",)
    assert set(by_kind["multiple_choice"]) == {"options", "min_selections", "max_selections"}
    assert set(by_kind["scale"]) == {"min", "max", "min_label", "max_label"}
    assert set(by_kind["number"]) == {"min", "max", "integer"}
    assert set(by_kind["matrix"]) == {"options", "rows"}
    assert by_kind["short_text"] == ()


def test_the_add_form_shows_a_single_choice_questions_fields_only(staff_user, client):
    survey = make_survey(actor=staff_user, open=False)
    client.force_login(staff_user)
    html = client.get(reverse("surveys:edit", args=[survey.slug])).content.decode()
    assert shown(html, "new") == {"options"}


def test_without_javascript_show_its_fields_rerenders_for_the_kind(staff_user, client):
    survey = make_survey(actor=staff_user, open=False)
    client.force_login(staff_user)
    before = survey.questions.count()
    add = reverse("surveys:question_add", args=[survey.slug])
    page = client.post(
        add, {"new-section": 0, "new-kind": "scale", "new-prompt": "Rate us", "show_kind": "1"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert shown(html, "new") == {"min", "max", "min_label", "max_label"}
    assert "Rate us" in html
    assert survey.questions.count() == before


def test_an_edited_questions_page_shows_its_kinds_fields_and_ignores_leftovers(staff_user, client):
    survey = make_survey(actor=staff_user, open=False)
    client.force_login(staff_user)
    add = reverse("surveys:question_add", args=[survey.slug])
    page = client.post(
        add,
        {
            "new-section": 0,
            "new-kind": "single_choice",
            "new-prompt": "Pick one",
            "new-options": "A\nB",
            "new-rows": "Leftover row",  # from a matrix tried first, now hidden
            "new-min": "not a number",
        },
    )
    assert page.status_code == 302
    q = survey.questions.get(prompt="Pick one")
    assert q.constraints in ({}, None)
    html = client.get(reverse("surveys:question_edit", args=[survey.slug, q.key])).content
    assert shown(html.decode(), "q") == {"options"}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_the_kind_switches_the_fields_in_place(
    browser_page, live_server, staff_user
):
    page = browser_page
    survey = make_survey(actor=staff_user, open=False)
    _sign_in(page, live_server, staff_user)
    page.goto(f"/surveys/{survey.slug}/edit/")
    form = page.locator("form", has=page.get_by_role("button", name="Add the question"))
    assert form.get_by_label("Options").is_visible()
    assert not form.get_by_label("Rows").is_visible()
    assert not form.get_by_label("Scale: low end label").is_visible()
    form.get_by_label("Kind").select_option("scale")
    form.get_by_label("Scale: low end label").wait_for()
    assert not form.get_by_label("Options").is_visible()
    form.get_by_role("textbox", name="Prompt", exact=True).fill("How likely?")
    form.get_by_label("Min", exact=True).fill("1")
    form.get_by_label("Max", exact=True).fill("5")
    form.get_by_role("button", name="Add the question").click()
    page.get_by_text("Question added.").wait_for()
    # After htmx swapped the editor in, the new form switches too.
    form = page.locator("form", has=page.get_by_role("button", name="Add the question"))
    assert not form.get_by_label("Rows").is_visible()
    form.get_by_label("Kind").select_option("matrix")
    form.get_by_label("Rows").wait_for()
    assert survey.questions.filter(prompt="How likely?", kind="scale").exists()
