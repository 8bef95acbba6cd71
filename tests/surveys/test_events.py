"""Every survey write publishes its event once, with the documented fields (surveys/events.py);
a response never says who answered an anonymous or confidential survey."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config import events
from config.errors import Conflict, Invalid
from surveys import editing, services
from surveys.models import Survey
from tests.factories import UserFactory

from .factories import definition, keys, make_survey, option

pytestmark = pytest.mark.django_db

SUBJECT_FIELDS = {"survey", "title", "version"}


def _only(captured, name):
    matching = [e for e in captured if e.name == name]
    assert len(matching) == 1, [e.name for e in captured]
    event = matching[0]
    assert set(event.payload) >= set(events.event_type(name).fields)
    return event


def _about(event, survey):
    assert event.subject == {"type": "survey", "ref": survey.slug}
    assert event.payload["survey"] == survey.slug
    assert event.group_id == survey.group_id


def _answers(survey, role="artist"):
    q = keys(survey)
    return {q["role"].id: option(q["role"], role), q["consent"].id: 3}


def test_every_event_is_declared_with_its_fields():
    declared = {t.name: t for t in events.catalogue()}
    assert set(declared["survey.results_frozen"].fields) == SUBJECT_FIELDS | {"sha256", "responses"}
    assert set(declared["response.submitted"].fields) == {"survey", "responses"}
    for name in ("survey.created", "survey.updated", "survey.opened", "survey.closed"):
        assert set(declared[name].fields) >= SUBJECT_FIELDS
    assert not declared["survey.created"].public and not declared["response.submitted"].public


def test_creating_a_draft(staff_user):
    with events.capture() as captured:
        survey = services.survey_create(definition=definition(slug="made"), actor=staff_user)
    event = _only(captured, "survey.created")
    assert [e.name for e in captured] == ["survey.created"]
    _about(event, survey)
    assert event.actor_id == staff_user.pk and not event.public
    assert event.url == "/surveys/made/"
    assert event.payload == {
        "survey": "made",
        "title": "Test survey",
        "version": 1,
        "previous_version": None,
    }


def test_editing_settings_questions_and_sections(staff_user, chair, group):
    survey = make_survey(actor=chair, group=group.slug, open=False)

    def rename(d):
        d["title"] = "Renamed"

    cases = [
        (lambda: services.survey_edit(survey=survey, actor=chair, change=rename), "settings"),
        (
            lambda: editing.question_save(
                survey=survey,
                actor=chair,
                data={"kind": "short_text", "prompt": "New?"},
                section=1,
            ),
            "questions",
        ),
        (lambda: editing.question_delete(survey=survey, actor=chair, key="comment"), "questions"),
        (
            lambda: editing.question_move(survey=survey, actor=chair, key="tools", direction="up"),
            "questions",
        ),
        (lambda: editing.section_add(survey=survey, actor=chair, title="More"), "sections"),
        (
            lambda: editing.section_update(survey=survey, actor=chair, index=2, title="Most"),
            "sections",
        ),
        (lambda: editing.section_delete(survey=survey, actor=chair, index=2), "sections"),
    ]
    for write, changed in cases:
        with events.capture() as captured:
            write()
        event = _only(captured, "survey.updated")
        assert len(captured) == 1
        _about(event, survey)
        assert event.payload["changed"] == changed and event.actor_id == chair.pk
        assert not event.public  # a draft is seen by its owners only


def test_opening_rescheduling_and_closing(staff_user, user):
    survey = make_survey(actor=staff_user, open=False, results_visibility="owners")
    with events.capture() as captured:
        survey = services.survey_open(survey=survey, actor=staff_user)
    opened = _only(captured, "survey.opened")
    assert opened.public and opened.payload["closes_at"] is None
    services.response_submit(survey=survey, user=user, answers=_answers(survey))

    later = timezone.now() + timedelta(days=2)
    with events.capture() as captured:
        services.survey_reschedule(survey=survey, actor=staff_user, closes_at=later)
    updated = _only(captured, "survey.updated")
    assert updated.payload["changed"] == "schedule" and updated.public

    with events.capture() as captured:
        closed_survey = services.survey_close(survey=survey, actor=staff_user)
    assert [e.name for e in captured] == ["survey.closed", "survey.results_frozen"]
    closed = _only(captured, "survey.closed")
    assert closed.payload["by"] == "owner" and closed.actor_id == staff_user.pk
    frozen = _only(captured, "survey.results_frozen")
    _about(frozen, survey)
    assert frozen.payload["sha256"] == closed_survey.snapshot.sha256
    assert frozen.payload["responses"] == 1
    assert frozen.url == f"/surveys/{survey.slug}/results/"
    assert not frozen.public  # the results are for the owners only


def test_the_scheduler_closes_without_an_actor(staff_user):
    survey = make_survey(actor=staff_user)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with events.capture() as captured:
        services.close_due_surveys()
    closed = _only(captured, "survey.closed")
    assert closed.payload["by"] == "schedule" and closed.actor_id is None
    assert _only(captured, "survey.results_frozen").public


def test_a_new_version_is_created_once(staff_user):
    survey = make_survey(actor=staff_user)
    with events.capture() as captured:
        new = services.survey_new_version(survey=survey, actor=staff_user)
    assert [e.name for e in captured] == ["survey.created"]
    created = captured[0]
    assert created.payload["version"] == 2 and created.payload["previous_version"] == survey.slug
    assert created.subject == {"type": "survey", "ref": new.slug}


@pytest.mark.parametrize("anonymity", ["anonymous", "confidential"])
def test_a_response_never_says_who_answered(staff_user, anonymity):
    survey = make_survey(actor=staff_user, anonymity=anonymity, allow_edit=True)
    person = UserFactory(username="private")
    with events.capture() as captured:
        services.response_submit(survey=survey, user=person, answers=_answers(survey))
    event = _only(captured, "response.submitted")
    assert event.payload == {"survey": survey.slug, "responses": 1}
    assert event.actor_id is None and not event.public
    assert "private" not in str(event.as_dict())  # nor the username anywhere
    if anonymity == "confidential":
        with events.capture() as captured:
            services.response_update(
                survey=survey, user=person, answers=_answers(survey, "developer")
            )
        updated = _only(captured, "response.updated")
        assert updated.payload == {"survey": survey.slug} and updated.actor_id is None


def test_a_named_response_names_its_respondent(staff_user, user, other_user):
    survey = make_survey(actor=staff_user, anonymity="named")
    services.response_submit(survey=survey, user=other_user, answers=_answers(survey))
    with events.capture() as captured:
        services.response_submit(survey=survey, user=user, answers=_answers(survey))
    event = _only(captured, "response.submitted")
    assert event.actor_id == user.pk and event.payload["responses"] == 2


def test_a_refused_write_publishes_nothing(staff_user, user):
    survey = make_survey(actor=staff_user)
    with events.capture() as captured:
        with pytest.raises(Invalid):
            services.response_submit(survey=survey, user=user, answers={})
        with pytest.raises(Conflict):
            services.survey_open(survey=survey, actor=staff_user)
    assert captured == []


def test_saving_a_draft_is_not_announced(staff_user, user):
    survey = make_survey(actor=staff_user)
    with events.capture() as captured:
        services.draft_save(survey=survey, user=user, answers={}, section_index=1)
    assert captured == []
