"""The surveys API: shapes from DESIGN.md, permissions, every refusal, pinned query counts."""

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import Participation, Response, Survey
from tests.factories import UserFactory

from .factories import definition, keys, make_survey, option

pytestmark = pytest.mark.django_db


def url(survey, suffix=""):
    return f"/api/v1/surveys/{survey.slug}/{suffix}"


def valid_answers(survey, role="artist"):
    q = keys(survey)
    return {str(q["role"].id): option(q["role"], role), str(q["consent"].id): 4}


def test_list_shows_what_i_may_see(api_client, staff_user, survey):
    make_survey(actor=staff_user, open=False, title="A draft")
    body = api_client.get("/api/v1/surveys/").json()
    assert set(body) == {"next", "previous", "results"}
    assert [s["slug"] for s in body["results"]] == [survey.slug]
    item = body["results"][0]
    assert {"slug", "title", "status", "anonymity"} <= set(item)
    assert item["status"] == "open" and item["anonymity"] == "anonymous"


def test_list_query_count_is_pinned(api_client, staff_user, django_assert_num_queries):
    for i in range(5):
        make_survey(actor=staff_user, title=f"Survey {i}")
    with django_assert_num_queries(1):
        assert api_client.get("/api/v1/surveys/").status_code == 200


def test_detail_has_sections_and_questions(api_client, survey, django_assert_num_queries):
    with django_assert_num_queries(5):
        body = api_client.get(url(survey)).json()
    assert [s["title"] for s in body["sections"]] == ["First", "Second"]
    questions = [q for s in body["sections"] for q in s["questions"]]
    by_key = {q["key"]: q for q in questions}
    role = by_key["role"]
    assert {
        "id",
        "kind",
        "prompt",
        "help",
        "required",
        "options",
        "rows",
        "constraints",
        "show_if",
    } <= set(role)
    assert role["options"][0]["label"] == "Artist" and "id" in role["options"][0]
    assert by_key["language"]["show_if"] == {
        "question": role["id"],
        "op": "equals",
        "value": role["options"][1]["id"],
    }
    assert by_key["captions"]["rows"][0]["label"] == "Tags"
    assert by_key["hours"]["constraints"]["min"] == 0
    assert by_key["tools"]["constraints"]["max_selections"] == 2


def test_create_from_definition_as_staff(api_client_for, staff_user):
    res = api_client_for(staff_user).post(
        "/api/v1/surveys/", definition(slug="from-api"), format="json"
    )
    assert res.status_code == 201, res.json()
    assert res.json()["status"] == "draft"
    assert Survey.objects.get(slug="from-api").questions.count() == 8


def test_create_as_chair_of_the_group(api_client_for, chair, group):
    res = api_client_for(chair).post(
        "/api/v1/surveys/", definition(group=group.slug), format="json"
    )
    assert res.status_code == 201


def test_create_refused_for_others(api_client_for, api_client, user, member, group):
    assert (
        api_client_for(user).post("/api/v1/surveys/", definition(), format="json").status_code
        == 403
    )
    res = api_client_for(member).post(
        "/api/v1/surveys/", definition(group=group.slug), format="json"
    )
    assert res.status_code == 403
    assert res.json()["detail"]
    assert api_client.post("/api/v1/surveys/", definition(), format="json").status_code in (
        401,
        403,
    )
    assert not Survey.objects.exists()


def test_create_reports_definition_errors_by_pointer(api_client_for, staff_user):
    bad = definition()
    bad["sections"][0]["questions"][0]["options"] = ["Only one"]
    bad["sections"][1]["questions"][0]["show_if"] = {"question": "nope", "op": "equals", "value": 1}
    res = api_client_for(staff_user).post("/api/v1/surveys/", bad, format="json")
    assert res.status_code == 400
    errors = res.json()["errors"]
    assert "/sections/0/questions/0" in errors and "/sections/1/questions/0" in errors
    res = api_client_for(staff_user).post("/api/v1/surveys/", {"title": 5}, format="json")
    assert res.status_code == 400 and res.json()["errors"]


def test_submit_201_then_409(api_client_for, user, survey):
    c = api_client_for(user)
    res = c.post(url(survey, "responses/"), {"answers": valid_answers(survey)}, format="json")
    assert res.status_code == 201, res.json()
    res = c.post(url(survey, "responses/"), {"answers": valid_answers(survey)}, format="json")
    assert res.status_code == 409
    assert res.json()["detail"] == "You have already answered this survey."
    assert Response.objects.count() == 1 and Participation.objects.count() == 1


def test_anonymous_response_holds_no_person_and_only_the_day(api_client_for, user, survey):
    api_client_for(user).post(
        url(survey, "responses/"), {"answers": valid_answers(survey)}, format="json"
    )
    response = Response.objects.get()
    assert response.respondent_id is None
    assert response.submitted_on == timezone.localdate()
    fields = {f.name for f in Response._meta.get_fields()}
    assert not fields & {"user", "created_at", "ip"}
    assert {f.name for f in Participation._meta.get_fields()} == {"id", "survey", "user"}


def test_confidential_response_is_linked(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, anonymity="confidential")
    api_client_for(user).post(url(s, "responses/"), {"answers": valid_answers(s)}, format="json")
    assert Response.objects.get().respondent == user


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda q, a: a.pop(str(q["role"].id)), "This question is required."),
        (lambda q, a: a.update({str(q["role"].id): 999999}), "This option is not offered."),
        (
            lambda q, a: a.update({str(q["hours"].id): 101}),
            "Out of range: enter a number between 0 and 100.",
        ),
        (lambda q, a: a.update({str(q["hours"].id): 2.5}), "Enter a whole number."),
        (
            lambda q, a: a.update({str(q["consent"].id): 9}),
            "Out of range: enter a number between 1 and 5.",
        ),
        (
            lambda q, a: a.update({str(q["tools"].id): [o[0] for o in q["tools"].options]}),
            "Too many selections: choose at most 2.",
        ),
        (
            lambda q, a: a.update({str(q["language"].id): "Python"}),
            "This question is hidden by its display condition: leave it out.",
        ),
        (
            lambda q, a: a.update({str(q["rank"].id): [q["rank"].options[0][0]]}),
            "Rank all 3 options.",
        ),
        (
            lambda q, a: a.update({str(q["captions"].id): {"12345": q["captions"].options[0][0]}}),
            "A row is not part of this question.",
        ),
    ],
    ids=[
        "missing-required",
        "option-not-offered",
        "number-out-of-range",
        "not-integer",
        "scale-out-of-range",
        "too-many-selections",
        "hidden-question",
        "partial-ranking",
        "unknown-row",
    ],
)
def test_each_validation_error(api_client_for, user, survey, change, message):
    q = keys(survey)
    answers = valid_answers(survey, role="artist")
    change(q, answers)
    res = api_client_for(user).post(url(survey, "responses/"), {"answers": answers}, format="json")
    assert res.status_code == 400
    body = res.json()
    assert message in [m for msgs in body["errors"].values() for m in msgs]
    assert not Response.objects.exists() and not Participation.objects.exists()


def test_errors_are_keyed_by_question_id(api_client_for, user, survey):
    q = keys(survey)
    res = api_client_for(user).post(
        url(survey, "responses/"), {"answers": {str(q["hours"].id): -1, "999999": 1}}, format="json"
    )
    errors = res.json()["errors"]
    assert set(errors) == {str(q["role"].id), str(q["consent"].id), str(q["hours"].id), "999999"}


def test_a_visible_conditional_question_is_accepted(api_client_for, user, survey):
    q = keys(survey)
    answers = valid_answers(survey, role="developer")
    answers[str(q["language"].id)] = "Python"
    res = api_client_for(user).post(url(survey, "responses/"), {"answers": answers}, format="json")
    assert res.status_code == 201


def test_answering_a_closed_survey_is_refused(api_client_for, user, staff_user, survey):
    services.survey_close(survey=survey, actor=staff_user)
    res = api_client_for(user).post(
        url(survey, "responses/"), {"answers": valid_answers(survey)}, format="json"
    )
    assert res.status_code == 403
    assert res.json()["detail"] == "This survey is not open for answers."


def test_answering_before_it_opens_or_after_closes_at_is_refused(api_client_for, user, staff_user):
    s = make_survey(
        actor=staff_user, opens_at=(timezone.now() + timezone.timedelta(days=1)).isoformat()
    )
    res = api_client_for(user).post(
        url(s, "responses/"), {"answers": valid_answers(s)}, format="json"
    )
    assert res.status_code == 403
    s.opens_at, s.closes_at = None, timezone.now() - timezone.timedelta(minutes=1)
    s.save()
    res = api_client_for(user).post(
        url(s, "responses/"), {"answers": valid_answers(s)}, format="json"
    )
    assert res.status_code == 403


def test_audience_rules(api_client_for, api_client, user, member, chair, group):
    s = make_survey(actor=chair, group=group.slug, audience="members")
    assert (
        api_client_for(user)
        .post(url(s, "responses/"), {"answers": valid_answers(s)}, format="json")
        .status_code
        == 403
    )
    assert (
        api_client_for(member)
        .post(url(s, "responses/"), {"answers": valid_answers(s)}, format="json")
        .status_code
        == 201
    )
    res = api_client.post(url(s, "responses/"), {"answers": valid_answers(s)}, format="json")
    assert res.status_code == 403


def test_anyone_audience_accepts_and_rate_limits_visitors(api_client, staff_user, monkeypatch):
    monkeypatch.setattr(services, "ANONYMOUS_RATE_LIMIT", (3, 3600))
    s = make_survey(actor=staff_user, audience="anyone")
    codes = [
        api_client.post(
            url(s, "responses/"), {"answers": valid_answers(s)}, format="json"
        ).status_code
        for _ in range(5)
    ]
    assert codes == [201, 201, 201, 429, 429]
    assert Response.objects.count() == 3


def test_results_visibility(api_client_for, api_client, user, staff_user, chair, group):
    owners_only = make_survey(actor=chair, group=group.slug, results_visibility="owners")
    res = api_client_for(user).get(url(owners_only, "results/"))
    assert res.status_code == 403
    assert "owners only" in res.json()["detail"]
    assert api_client.get(url(owners_only, "results/")).status_code == 403
    assert api_client_for(chair).get(url(owners_only, "results/")).status_code == 200
    after_close = make_survey(actor=staff_user)
    assert api_client_for(user).get(url(after_close, "results/")).status_code == 403
    services.survey_close(survey=after_close, actor=staff_user)
    body = api_client_for(user).get(url(after_close, "results/")).json()
    assert len(body["snapshot_sha256"]) == 64


def test_results_shape_and_pinned_queries(
    api_client_for, user, staff_user, django_assert_num_queries
):
    s = make_survey(actor=staff_user, results_visibility="live")
    for i in range(12):
        person = UserFactory(username=f"r{i}")
        services.response_submit(
            survey=s,
            user=person,
            answers=valid_answers(s, role="artist" if i < 10 else "researcher"),
        )
    c = api_client_for(user)
    # survey, snapshot, answers, response count, audience size, roll count (no group, so no
    # chair check; the question specs are cached per process, keyed by the survey's updated_at)
    with django_assert_num_queries(6):
        res = c.get(url(s, "results/"))
    body = res.json()
    assert body["responses"] == 12
    role = next(q for q in body["questions"] if q["kind"] == "single_choice")
    counts = {o["label"]: (o["count"], o["suppressed"]) for o in role["options"]}
    # 12 = 10 + 0 + 2: the two small cells share the remaining 2, so neither can be derived.
    assert counts["Artist"] == (10, False)
    assert counts["Developer"] == (None, True) and counts["Researcher"] == (None, True)
    assert {"id", "label", "count", "suppressed"} <= set(role["options"][0])


def test_owners_see_exact_counts(api_client_for, staff_user, chair, group, user):
    s = make_survey(actor=chair, group=group.slug, results_visibility="live")
    services.response_submit(survey=s, user=user, answers=valid_answers(s))
    role = next(
        q
        for q in api_client_for(chair).get(url(s, "results/")).json()["questions"]
        if q["key"] == "role"
    )
    assert [o["count"] for o in role["options"]] == [1, 0, 0]
    public = next(
        q
        for q in api_client_for(user).get(url(s, "results/")).json()["questions"]
        if q["key"] == "role"
    )
    assert [o["count"] for o in public["options"]] == [None, None, None]


def test_cross_tab_needs_k_matching(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, results_visibility="live")
    for i in range(8):
        services.response_submit(
            survey=s,
            user=UserFactory(username=f"x{i}"),
            answers=valid_answers(s, role="artist" if i < 6 else "developer"),
        )
    q = keys(s)
    c = api_client_for(user)
    res = c.get(
        url(s, "results/"),
        {"filter_question": q["role"].id, "filter_option": option(q["role"], "developer")},
    )
    assert res.status_code == 400 and "Fewer than 5" in res.json()["detail"]
    res = c.get(
        url(s, "results/"),
        {"filter_question": q["role"].id, "filter_option": option(q["role"], "artist")},
    )
    # Artist (6) is visible only if not withheld to protect the other two; either way no leak.
    assert res.status_code in (200, 400)


def test_export_for_owners_only(api_client_for, user, staff_user, survey):
    api_client_for(user).post(
        url(survey, "responses/"), {"answers": valid_answers(survey)}, format="json"
    )
    for fmt in ("csv", "json", "xlsx", "codebook.csv"):
        assert api_client_for(user).get(url(survey, f"export.{fmt}")).status_code == 403
        res = api_client_for(staff_user).get(url(survey, f"export.{fmt}"))
        assert res.status_code == 200, fmt
    csv_text = api_client_for(staff_user).get(url(survey, "export.csv")).content.decode()
    header, row = csv_text.strip().splitlines()
    assert header.split(",")[:2] == ["role", "tools"]  # no respondent, no date: anonymous
    assert "alice" not in csv_text and row.startswith("artist")


def test_export_of_a_named_survey_has_the_person(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, anonymity="named")
    api_client_for(user).post(url(s, "responses/"), {"answers": valid_answers(s)}, format="json")
    csv_text = api_client_for(staff_user).get(url(s, "export.csv")).content.decode()
    assert csv_text.splitlines()[0].startswith("respondent,submitted_on,")
    assert "alice" in csv_text


def test_transitions_and_versions(api_client_for, user, staff_user):
    s = make_survey(actor=staff_user, open=False)
    # A draft is invisible to others: 404.
    assert (
        api_client_for(user).post(url(s, "transitions/"), {"to": "open"}, format="json").status_code
        == 404
    )
    res = api_client_for(staff_user).post(url(s, "transitions/"), {"to": "open"}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "open"
    assert (
        api_client_for(staff_user)
        .post(url(s, "transitions/"), {"to": "open"}, format="json")
        .status_code
        == 409
    )
    assert (
        api_client_for(user)
        .post(url(s, "transitions/"), {"to": "closed"}, format="json")
        .status_code
        == 403
    )
    res = api_client_for(staff_user).post(url(s, "versions/"), format="json")
    assert res.status_code == 201 and res.json()["version"] == 2
    assert api_client_for(staff_user).post(url(s, "versions/"), format="json").status_code == 409


def test_definition_roundtrip_through_the_api(api_client_for, staff_user, survey):
    exported = api_client_for(staff_user).get(url(survey, "definition/")).json()
    exported["slug"] = "copy"
    res = api_client_for(staff_user).post("/api/v1/surveys/", exported, format="json")
    assert res.status_code == 201
    copy = api_client_for(staff_user).get("/api/v1/surveys/copy/definition/").json()
    copy["slug"] = exported["slug"]
    assert copy == exported


def test_openapi_schema_lists_the_survey_endpoints(api_client):
    res = api_client.get("/api/schema/", {"format": "json"})
    assert res.status_code == 200
    paths = res.json()["paths"]
    assert (
        "/api/v1/surveys/{slug}/responses/" in paths and "/api/v1/surveys/{slug}/results/" in paths
    )


def test_changing_my_answers_through_the_api(api_client_for, user, other_user, staff_user, survey):
    editable = make_survey(actor=staff_user, title="Editable", anonymity="named", allow_edit=True)
    c = api_client_for(user)
    assert (
        c.put(
            url(editable, "responses/mine/"), {"answers": valid_answers(editable)}, format="json"
        ).status_code
        == 404
    )
    c.post(url(editable, "responses/"), {"answers": valid_answers(editable)}, format="json")
    res = c.put(
        url(editable, "responses/mine/"),
        {"answers": valid_answers(editable, role="researcher")},
        format="json",
    )
    assert res.status_code == 200
    q = keys(editable)
    assert Response.objects.get(survey=editable).answers.get(question=q["role"].id).value == option(
        q["role"], "researcher"
    )
    res = c.put(url(editable, "responses/mine/"), {"answers": {}}, format="json")
    assert res.status_code == 400
    # Anonymous surveys never allow it.
    c.post(url(survey, "responses/"), {"answers": valid_answers(survey)}, format="json")
    assert (
        c.put(
            url(survey, "responses/mine/"), {"answers": valid_answers(survey)}, format="json"
        ).status_code
        == 403
    )


def test_cross_tabs_do_not_give_away_the_few_outside_the_filter(api_client_for, user, staff_user):
    """Nine artists and one developer: the artists' mean next to the overall mean would give the
    developer's answer by difference; their texts against all texts would name the developer's."""
    s = make_survey(actor=staff_user, results_visibility="live", show_free_text=True)
    q = keys(s)
    for i in range(10):
        role = "developer" if i == 0 else "artist"
        answers = valid_answers(s, role=role)
        answers[str(q["hours"].id)] = 90 if i == 0 else 10
        answers[str(q["comment"].id)] = f"comment {i}"
        api_client_for(UserFactory(username=f"ct{i}")).post(
            url(s, "responses/"), {"answers": answers}, format="json"
        )
    c = api_client_for(user)
    overall = {x["key"]: x for x in c.get(url(s, "results/")).json()["questions"]}
    assert overall["hours"]["mean"] == 18 and len(overall["comment"]["texts"]) == 10
    filtered = c.get(
        url(s, "results/"),
        {"filter_question": q["role"].id, "filter_option": option(q["role"], "artist")},
    )
    assert filtered.status_code == 200
    view = {x["key"]: x for x in filtered.json()["questions"]}
    assert view["hours"]["mean"] is None and view["hours"]["median"] is None
    assert view["comment"]["texts"] is None and view["comment"]["answered"] is None
