"""Definitions, editing locks, versions, closing (by hand and by the beat task), snapshots."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import Conflict, Invalid, NotAllowed
from surveys import definition as definition_format
from surveys import editing, services
from surveys.models import ResultSnapshot, Survey
from surveys.tasks import close_due_surveys
from tests.factories import UserFactory

from .factories import definition, keys, make_survey, option

pytestmark = pytest.mark.django_db


def _answer(survey, user, role="artist"):
    q = keys(survey)
    return services.response_submit(
        survey=survey,
        user=user,
        answers={q["role"].id: option(q["role"], role), q["consent"].id: 3},
    )


def test_the_schema_file_is_valid_json_schema():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(definition_format.schema())
    jsonschema.validate(definition(), definition_format.schema())


@pytest.mark.parametrize(
    ("change", "pointer", "fragment"),
    [
        (
            lambda d: d["sections"][0]["questions"][1].update(kind="scale"),
            "/sections/0/questions/1",
            "has no options",
        ),
        (
            lambda d: d["sections"][1]["questions"][0]["constraints"].update(min=10, max=1),
            "/sections/1/questions/0",
            "min must not exceed max",
        ),
        (
            lambda d: d["sections"][0]["questions"][2]["show_if"].update(op="at_least"),
            "/sections/0/questions/2",
            "does not apply",
        ),
        (
            lambda d: d["sections"][0]["questions"][2]["show_if"].update(value="nobody"),
            "/sections/0/questions/2",
            "not an option key",
        ),
        (
            lambda d: d["sections"][1]["questions"][0].update(key="role"),
            "/sections/1/questions/0",
            "used twice",
        ),
        (
            lambda d: d.update(closes_at="2020-01-01T00:00:00Z", opens_at="2021-01-01T00:00:00Z"),
            "/closes_at",
            "after the opening",
        ),
    ],
)
def test_definition_semantic_errors(staff_user, change, pointer, fragment):
    d = definition()
    change(d)
    with pytest.raises(Invalid) as exc:
        services.survey_create(definition=d, actor=staff_user)
    assert pointer in exc.value.errors
    assert any(fragment in m for m in exc.value.errors[pointer])


def test_a_condition_may_only_look_back(staff_user):
    d = definition()
    d["sections"][0]["questions"][0]["show_if"] = {
        "question": "tools",
        "op": "includes",
        "value": "comfyui",
    }
    with pytest.raises(Invalid) as exc:
        services.survey_create(definition=d, actor=staff_user)
    assert "not an earlier question" in str(exc.value.errors)


def test_questions_lock_once_answered_and_a_new_version_copies(staff_user, user, survey):
    _answer(survey, user)
    with pytest.raises(Conflict):
        editing.question_delete(survey=survey, actor=staff_user, key="tools")
    new = services.survey_new_version(survey=survey, actor=staff_user)
    assert new.version == 2 and new.previous_version == survey and new.status == "draft"
    assert definition_format.export(new)["sections"] == definition_format.export(survey)["sections"]
    editing.question_delete(survey=new, actor=staff_user, key="comment")
    assert new.questions.count() == 7 and survey.questions.count() == 8
    assert new.responses.count() == 0 and survey.responses.count() == 1


def test_only_owners_manage(user, survey):
    for call in (
        lambda: services.survey_open(survey=survey, actor=user),
        lambda: services.survey_close(survey=survey, actor=user),
        lambda: services.survey_new_version(survey=survey, actor=user),
        lambda: editing.question_delete(survey=survey, actor=user, key="tools"),
    ):
        with pytest.raises(NotAllowed):
            call()


def test_a_chair_of_another_group_may_not_create(staff_user):
    from governance.models import Membership

    from .factories import GroupFactory, MembershipFactory

    mine = GroupFactory(slug="mine")
    GroupFactory(slug="theirs")
    person = UserFactory(username="other-chair")
    MembershipFactory(user=person, group=mine, role=Membership.Role.CHAIR)
    services.survey_create(definition=definition(group="mine"), actor=person)
    with pytest.raises(NotAllowed):
        services.survey_create(definition=definition(group="theirs"), actor=person)
    with pytest.raises(NotAllowed):
        services.survey_create(definition=definition(), actor=person)  # no group: staff only


def test_a_left_chair_is_not_an_owner(chair, group):
    from governance.models import Membership

    s = make_survey(actor=chair, group=group.slug)
    Membership.objects.filter(user=chair).update(status=Membership.Status.LEFT)
    assert not services.is_owner(chair, s)


def test_closing_freezes_a_verifiable_snapshot(staff_user, survey):
    for i in range(7):
        _answer(survey, UserFactory(username=f"c{i}"))
    closed = services.survey_close(survey=survey, actor=staff_user)
    snapshot = ResultSnapshot.objects.get(survey=closed)
    canonical = json.dumps(snapshot.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical == snapshot.canonical
    assert hashlib.sha256(canonical.encode()).hexdigest() == snapshot.sha256
    assert snapshot.data["responses"] == 7
    with pytest.raises(Conflict):
        services.survey_close(survey=closed, actor=staff_user)


def test_the_beat_task_closes_due_surveys_once(staff_user, user):
    due = make_survey(actor=staff_user, closes_at=(timezone.now() + timedelta(hours=1)).isoformat())
    _answer(due, user)
    later = make_survey(
        actor=staff_user, title="Later", closes_at=(timezone.now() + timedelta(days=3)).isoformat()
    )
    Survey.objects.filter(pk=due.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert close_due_surveys.apply().get() == [due.pk]
    assert close_due_surveys.apply().get() == []  # idempotent
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == "closed" and later.status == "open"
    assert ResultSnapshot.objects.filter(survey=due).count() == 1


def test_the_task_name_matches_the_beat_schedule():
    from config.celery import app

    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert (
        close_due_surveys.name == "surveys.tasks.close_due_surveys"
        and close_due_surveys.name in names
    )


def test_confidential_responses_can_be_edited_until_the_close(staff_user, user):
    s = make_survey(actor=staff_user, anonymity="confidential", allow_edit=True)
    _answer(s, user, role="artist")
    q = keys(s)
    services.response_update(
        survey=s,
        user=user,
        answers={q["role"].id: option(q["role"], "researcher"), q["consent"].id: 5},
    )
    values = {a.question_id: a.value for a in s.responses.get().answers.all()}
    assert values[q["role"].id] == option(q["role"], "researcher")
    services.survey_close(survey=s, actor=staff_user)
    with pytest.raises(NotAllowed):
        services.response_update(survey=Survey.objects.get(pk=s.pk), user=user, answers={})


def test_anonymous_responses_cannot_be_edited(staff_user, user):
    s = make_survey(actor=staff_user, allow_edit=True)
    _answer(s, user)
    with pytest.raises(NotAllowed):
        services.response_update(survey=s, user=user, answers={})


def test_home_panel_lists_open_surveys(user, staff_user, survey):
    from surveys.selectors import home_panel

    make_survey(actor=staff_user, open=False, title="Draft")
    panel = home_panel(user=user)
    assert [s.title for s in panel["open_surveys"]] == [survey.title]
    assert panel["open_surveys"][0].get_absolute_url() == f"/surveys/{survey.slug}/"


def test_demo_seed_is_idempotent(settings):
    from accounts import demo as accounts_demo
    from surveys import demo

    people = accounts_demo.seed()
    demo.seed(people=people)
    demo.seed(people=people)
    open_survey = Survey.objects.get(slug=demo.OPEN_SLUG)
    closed = Survey.objects.get(slug=demo.CLOSED_SLUG)
    assert open_survey.title == "Future model research and training priorities"
    assert open_survey.is_accepting
    kinds = set(open_survey.questions.values_list("kind", flat=True))
    assert kinds == {k for k, _ in open_survey.questions.model.Kind.choices}
    assert open_survey.questions.filter(condition_question__isnull=False).exists()
    assert open_survey.sections.count() == 2
    assert closed.status == "closed" and closed.responses.count() == 320
    assert len(closed.snapshot.sha256) == 64
    assert Survey.objects.count() == 2


def test_anyone_can_check_the_published_sha256(client, staff_user, survey):
    for i in range(9):
        _answer(survey, UserFactory(username=f"h{i}"), role=["artist", "developer"][i % 2])
    services.survey_close(survey=survey, actor=staff_user)
    doc = client.get(f"/api/v1/surveys/{survey.slug}/results/").json()
    published = doc.pop("snapshot_sha256")
    doc.pop("owner_view")
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == published
    page = client.get(f"/surveys/{survey.slug}/results/").content.decode()
    assert published in page
