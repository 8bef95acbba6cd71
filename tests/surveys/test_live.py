"""Live results are published in batches (issue 10, item 17): a reader who polls before and after
one person's submission sees the same results, so cannot read that person's answers by
difference. A batch is recounted once k new responses (the minimum cell size) arrived; while
fewer than k have responded, every count is suppressed anyway and the results follow each one."""

import pytest
from django.urls import reverse

from surveys import results, services
from surveys.forms import LIVE_WARNING
from surveys.models import LiveResults, Survey
from tests.factories import UserFactory

from .factories import keys, make_survey, option

pytestmark = pytest.mark.django_db


def _submit(survey, n, *, start=0, role="artist"):
    q = keys(survey)
    for i in range(start, start + n):
        services.response_submit(
            survey=survey,
            user=UserFactory(username=f"live{i}"),
            answers={q["role"].id: option(q["role"], role), q["consent"].id: 1 + i % 5},
        )


def _read(api_client_for, reader, survey, **params):
    res = api_client_for(reader).get(f"/api/v1/surveys/{survey.slug}/results/", params)
    assert res.status_code == 200, res.json()
    return res.json()


def test_one_new_response_does_not_change_what_a_reader_sees(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, results_visibility="live")  # k = 5
    _submit(s, 6)
    before = _read(api_client_for, user, s)
    assert before["responses"] == 6
    _submit(s, 1, start=6, role="developer")
    after = _read(api_client_for, user, s)
    assert after == before
    _submit(s, 3, start=7, role="developer")  # 4 since the batch: still the same
    assert _read(api_client_for, user, s) == before
    _submit(s, 1, start=10, role="developer")  # 5 since the batch: recounted
    later = _read(api_client_for, user, s)
    assert later["responses"] == 11 and later != before


def test_the_web_page_shows_the_batch_too(client_for, user, staff_user):
    s = make_survey(actor=staff_user, results_visibility="live")
    _submit(s, 5)
    c = client_for(user)
    first = c.get(reverse("surveys:results", args=[s.slug])).content.decode()
    assert "<dd>5</dd>" in first and "refreshed, after every 5 new responses" in first
    _submit(s, 1, start=5, role="researcher")
    again = c.get(reverse("surveys:results", args=[s.slug])).content.decode()
    assert "<dd>5</dd>" in again and "<dd>6</dd>" not in again


def test_owners_see_every_response_now(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, results_visibility="live")
    _submit(s, 5)
    _read(api_client_for, user, s)
    _submit(s, 1, start=5)
    assert _read(api_client_for, staff_user, s)["responses"] == 6
    assert _read(api_client_for, user, s)["responses"] == 5


def test_filtered_views_are_cut_from_the_same_batch(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, results_visibility="live")
    for n, role in enumerate(("artist", "developer", "researcher")):
        _submit(s, 6, start=6 * n, role=role)
    q = keys(s)
    artists = {"filter_question": q["role"].id, "filter_option": option(q["role"], "artist")}
    before = _read(api_client_for, user, s, **artists)
    assert before["responses"] == 6
    _submit(s, 1, start=18)  # one more artist
    assert _read(api_client_for, user, s, **artists) == before


def test_while_fewer_than_k_responded_only_the_count_moves(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, results_visibility="live")
    assert _read(api_client_for, user, s)["responses"] == 0
    for n in (1, 2, 3):
        _submit(s, 1, start=n)
        doc = _read(api_client_for, user, s)
        assert doc["responses"] == n
        role = next(x for x in doc["questions"] if x["key"] == "role")
        assert all(o["count"] is None for o in role["options"])
        consent = next(x for x in doc["questions"] if x["key"] == "consent")
        assert consent["median"] is None and consent["mean"] is None


@pytest.mark.parametrize(
    ("responses", "published", "k", "due"),
    [
        (0, 0, 5, False),
        (1, 0, 5, True),
        (4, 3, 5, True),
        (5, 4, 5, False),
        (8, 4, 5, False),
        (9, 4, 5, True),
        (11, 6, 5, True),
        (12, 11, 1, True),
        (6, 6, 5, False),
    ],
)
def test_when_a_batch_is_due(responses, published, k, due):
    assert results.refresh_due(responses=responses, published=published, k=k) is due


def test_of_two_readers_refreshing_at_once_one_writes(user, staff_user):
    s = make_survey(actor=staff_user, results_visibility="live")
    _submit(s, 5)
    stale = LiveResults.objects.get(survey=s)
    s = Survey.objects.select_related("live_results").get(pk=s.pk)
    results.live_results(s)  # the other reader: a batch of 5
    _submit(s, 5, start=5)
    assert results._refresh(s, stale, responses=10) is None  # counted from 0: refused
    assert stale.responses == 5  # and now holds the other reader's batch


def test_closing_hands_over_to_the_snapshot(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, results_visibility="live")
    _submit(s, 5)
    _read(api_client_for, user, s)
    _submit(s, 2, start=5)
    services.survey_close(survey=s, actor=staff_user)
    assert not LiveResults.objects.filter(survey=s).exists()
    final = _read(api_client_for, user, s)
    assert final["responses"] == 7 and len(final["snapshot_sha256"]) == 64


def test_owners_are_warned_when_they_choose_live_results(client_for, staff_user):
    c = client_for(staff_user)
    settings = {
        "title": "Live one",
        "audience": "signed_in",
        "anonymity": "anonymous",
        "results_visibility": "live",
        "min_cell_size": 5,
    }
    page = c.post("/surveys/new/", settings, follow=True)
    assert page.status_code == 200
    assert LIVE_WARNING in page.content.decode()
    s = Survey.objects.get(title="Live one")
    edit = c.get(reverse("surveys:edit", args=[s.slug])).content.decode()
    assert "refreshed only after every k new" in edit  # beside the choice
    page = c.post(reverse("surveys:edit", args=[s.slug]), settings, follow=True)
    assert LIVE_WARNING in page.content.decode()
    settings["results_visibility"] = "after_close"
    page = c.post(reverse("surveys:edit", args=[s.slug]), settings, follow=True)
    assert LIVE_WARNING not in page.content.decode().replace(f"Live: {LIVE_WARNING}", "")
