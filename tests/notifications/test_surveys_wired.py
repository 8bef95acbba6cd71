"""Surveys' own events, published by the surveys services, reach the right people."""

from config import events
from notifications.models import Follow, Notification
from surveys import services as surveys
from tests.surveys.factories import keys, make_survey, option


def told(name):
    return set(Notification.objects.filter(kind=name).values_list("recipient__username", flat=True))


def test_a_members_survey_opens_for_the_members_and_results_reach_followers(gov, staff_user, live):
    with live():
        survey = make_survey(actor=staff_user, group="wg", audience="members")
    assert told("survey.opened") == {
        "chair",
        "committer1",
        "committer2",
        "committer3",
        "contributor",
        "observer",
    }
    Follow.objects.create(user=gov.observer, subject_type="survey", subject_ref=survey.slug)
    q = keys(survey)
    with events.capture() as seen, live():
        surveys.response_submit(
            survey=survey,
            user=gov.observer,
            answers={q["role"].id: option(q["role"], "artist"), q["consent"].id: 3},
        )
    # An anonymous answer is announced without its author, and tells no one anything.
    assert [e.actor_id for e in seen if e.name == "response.submitted"] == [None]
    assert Notification.objects.filter(event="response.submitted").count() == 0
    with live():
        surveys.survey_close(survey=survey, actor=staff_user)
    assert told("survey.results_frozen") == {"observer"}  # the owner closed it
    n = Notification.objects.get(kind="survey.results_frozen")
    assert n.url == f"/surveys/{survey.slug}/results/"
