"""One number must not break a survey for everyone (issue 10, item 1).

Numbers are finite, of at most 15 digits before the decimal point, and within the question's
bounds, or refused beside their question; a value stored before that check (or by hand) never
breaks the results, the exports, the close or the beat task.
"""

import json
import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Answer, Response, ResultSnapshot, Survey
from surveys.tasks import close_due_surveys
from tests.factories import UserFactory

from .factories import keys, make_survey

pytestmark = pytest.mark.django_db

HUGE = 10**400  # "1 followed by 400 zeros"

UNBOUNDED = {
    "title": "GPUs",
    "min_cell_size": 2,
    "sections": [
        {
            "title": "",
            "questions": [
                {"key": "gpu", "kind": "number", "prompt": "GPU memory (GB)?"},
                {
                    "key": "ratio",
                    "kind": "number",
                    "prompt": "A ratio",
                    "constraints": {"min": 0},
                },
            ],
        }
    ],
}


def _survey(actor, **settings):
    d = json.loads(json.dumps(UNBOUNDED))
    d.update(settings)
    return make_survey(actor=actor, sections=d["sections"], title=d["title"], **settings)


def _body(question_id: int, literal: str) -> str:
    """An API body with a JSON number written as is (json.dumps could not write most of them)."""
    return '{"answers": {"' + str(question_id) + '": ' + literal + "}}"


def _answer(api, survey, body: str):
    return api.post(
        f"/api/v1/surveys/{survey.slug}/responses/", body, content_type="application/json"
    )


def test_the_api_refuses_a_number_of_400_digits_beside_its_question(
    api_client_for, user, staff_user
):
    s = _survey(staff_user)
    gpu = keys(s)["gpu"]
    res = _answer(api_client_for(user), s, _body(gpu.id, "1" + "0" * 400))
    assert res.status_code == 400
    assert res.json()["errors"] == {
        str(gpu.id): ["Out of range: a number may have at most 15 digits before the decimal point."]
    }
    assert not Response.objects.exists()


@pytest.mark.parametrize("literal", ["1e309", "1e300", "-1e16", "1000000000000000"])
def test_the_api_refuses_numbers_too_large_or_not_finite(api_client_for, user, staff_user, literal):
    s = _survey(staff_user)
    gpu = keys(s)["gpu"]
    res = _answer(api_client_for(user), s, _body(gpu.id, literal))
    assert res.status_code == 400
    assert list(res.json()["errors"]) == [str(gpu.id)]
    assert not Response.objects.exists()


def test_a_large_but_sane_number_is_accepted(api_client_for, user, staff_user):
    s = _survey(staff_user)
    gpu = keys(s)["gpu"]
    res = _answer(api_client_for(user), s, _body(gpu.id, "999999999999999.5"))
    assert res.status_code == 201


def test_the_question_s_own_bounds_still_come_first(api_client_for, user, staff_user):
    s = _survey(staff_user)
    ratio = keys(s)["ratio"]
    res = _answer(api_client_for(user), s, _body(ratio.id, "-1" + "0" * 400))
    assert res.json()["errors"] == {str(ratio.id): ["Out of range: enter a number at least 0."]}


@pytest.mark.parametrize("typed", ["1e309", "1e400", "Infinity", "NaN", "-1e20"])
def test_the_website_refuses_them_beside_the_question(client_for, user, staff_user, typed):
    s = _survey(staff_user)
    gpu = keys(s)["gpu"]
    page = client_for(user).post(
        reverse("surveys:answer", args=[s.slug]),
        {"page": 0, "action": "submit", f"q{gpu.id}": typed},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert f'id="q{gpu.id}-error"' in html
    assert not Response.objects.exists()


def test_a_definition_refuses_bounds_that_are_not_finite_or_too_large(api_client_for, staff_user):
    d = json.loads(json.dumps(UNBOUNDED))
    c = api_client_for(staff_user)
    body = json.dumps(d).replace('"constraints": {"min": 0}', '"constraints": {"min": 1e400}')
    res = c.post("/api/v1/surveys/", body, content_type="application/json")
    assert res.status_code == 400
    assert "/sections/0/questions/1/constraints/min" in res.json()["errors"]
    d["sections"][0]["questions"][1]["constraints"] = {"max": 10**20}
    res = c.post("/api/v1/surveys/", d, format="json")
    assert res.status_code == 400
    assert "/sections/0/questions/1/constraints/max" in res.json()["errors"]
    assert not Survey.objects.exists()


def test_the_question_editor_refuses_an_absurd_bound(client_for, staff_user):
    s = make_survey(actor=staff_user, open=False)
    page = client_for(staff_user).post(
        reverse("surveys:question_add", args=[s.slug]),
        {"new-section": 0, "new-kind": "number", "new-prompt": "Big", "new-max": "1e300"},
    )
    assert page.status_code == 400
    assert not s.questions.filter(prompt="Big").exists()


# --- A value stored before the check -------------------------------------------------------------


def _with_stored(staff_user, value, *, n=4, **settings):
    """A survey with ``n`` good responses and one whose number is ``value``, stored as it was
    before numbers were checked."""
    s = _survey(staff_user, **settings)
    gpu = keys(s)["gpu"]
    for i in range(n):
        services.response_submit(
            survey=s, user=UserFactory(username=f"n{i}"), answers={gpu.id: 8 * (i + 1)}
        )
    bad = Response.objects.create(survey=s)
    Answer.objects.create(response=bad, question_id=gpu.id, value=value)
    return Survey.objects.get(pk=s.pk), gpu


@pytest.mark.parametrize("value", [HUGE, -HUGE, 1e300], ids=["huge", "minus-huge", "1e300"])
def test_results_leave_out_a_stored_value_they_cannot_count(
    api_client_for, client_for, user, staff_user, value
):
    s, gpu = _with_stored(staff_user, value, results_visibility="live")
    for person in (staff_user, user):
        res = api_client_for(person).get(f"/api/v1/surveys/{s.slug}/results/")
        assert res.status_code == 200
        q = next(q for q in res.json()["questions"] if q["id"] == gpu.id)
        if person == staff_user:
            assert q["answered"] == 4 and q["mean"] == 20
        page = client_for(person).get(reverse("surveys:results", args=[s.slug]))
        assert page.status_code == 200


def test_exports_hold_a_stored_value_as_its_text(client_for, staff_user):
    s, _ = _with_stored(staff_user, HUGE)
    c = client_for(staff_user)
    for fmt in ("csv", "json", "xlsx", "codebook.csv"):
        assert c.get(reverse("surveys:export", args=[s.slug, fmt])).status_code == 200, fmt
    csv_text = c.get(reverse("surveys:export", args=[s.slug, "csv"])).content.decode()
    assert "1" + "0" * 400 in csv_text


def test_closing_freezes_the_results_despite_a_stored_value(staff_user):
    s, _ = _with_stored(staff_user, HUGE)
    closed = services.survey_close(survey=s, actor=staff_user)
    assert closed.status == Survey.Status.CLOSED
    assert ResultSnapshot.objects.get(survey=s).data["responses"] == 5


def test_the_beat_task_closes_the_other_due_surveys_when_one_fails(staff_user, monkeypatch, caplog):
    past = timezone.now() - timedelta(seconds=1)
    surveys = [make_survey(actor=staff_user, title=f"Due {i}") for i in range(3)]
    Survey.objects.filter(pk__in=[s.pk for s in surveys]).update(closes_at=past)
    broken = surveys[1]
    snapshot = services.snapshot_create

    def failing(*, survey):
        if survey.pk == broken.pk:
            raise RuntimeError("the counting broke")
        return snapshot(survey=survey)

    monkeypatch.setattr(services, "snapshot_create", failing)
    with caplog.at_level(logging.ERROR, logger="surveys.services"):
        closed = close_due_surveys.apply().get()
    assert sorted(closed) == sorted([surveys[0].pk, surveys[2].pk])
    statuses = dict(Survey.objects.values_list("pk", "status"))
    assert statuses[broken.pk] == "open"  # its close rolled back whole, retried next run
    assert not ResultSnapshot.objects.filter(survey=broken).exists()
    assert f"Closing survey {broken.pk} failed" in caplog.text
    monkeypatch.undo()
    assert close_due_surveys.apply().get() == [broken.pk]


def test_an_imported_definition_with_nan_or_deep_nesting_is_refused(client_for, staff_user):
    c = client_for(staff_user)
    d = json.dumps(UNBOUNDED).replace('"constraints": {"min": 0}', '"constraints": {"min": NaN}')
    page = c.post("/surveys/import/", {"definition": d})
    assert page.status_code == 400
    assert "/sections/0/questions/1/constraints/min: Use a finite number." in page.content.decode()
    page = c.post("/surveys/import/", {"definition": "[" * 100_000})
    assert page.status_code == 400 and "nested too deeply" in page.content.decode()
    assert not Survey.objects.exists()
