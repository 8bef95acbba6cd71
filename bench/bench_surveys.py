"""Surveys benchmark: submissions per second through the API, and the time of the results
endpoint for a survey with 10,000 responses (built with bulk_create).

Runs against a throw-away test database (SQLite by default, or ``test_bench_surveys`` on the
PostgreSQL server of ``DATABASE_URL``); nothing is left behind. Submissions go through the whole
Django + DRF stack in-process (session-less forced authentication, input validation, every answer
rule, the participation roll's unique insert, the ballot box).

    .venv/bin/python bench/run.py surveys     (SURVEYS_BENCH_SUBMISSIONS=300 for a quicker run)
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

N_SUBMISSIONS = int(os.environ.get("SURVEYS_BENCH_SUBMISSIONS", "1000"))
N_RESPONSES = int(os.environ.get("SURVEYS_BENCH_RESPONSES", "10000"))

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway import django_setup, throwaway_database  # noqa: E402

_tmp = django_setup("surveys")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def _answers(q, rnd: random.Random) -> dict:
    role, tools, hours = q["role"], q["tools"], q["hours"]
    consent, rank, captions = q["consent"], q["rank"], q["captions"]
    answers = {
        role.id: rnd.choice(role.options)[0],
        consent.id: rnd.randint(1, 5),
        hours.id: rnd.randint(0, 100),
        tools.id: sorted(o[0] for o in rnd.sample(tools.options, 2)),
        rank.id: [o[0] for o in rnd.sample(rank.options, len(rank.options))],
        captions.id: {str(r[0]): rnd.choice(captions.options)[0] for r in captions.rows},
    }
    return answers


def main() -> None:
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from accounts.models import User
    from surveys import services
    from surveys.models import Answer, Response
    from tests.surveys.factories import definition, keys

    cache.clear()
    staff = User.objects.create(username="bench-staff", is_staff=True)
    rnd = random.Random(42)

    # 1. Submissions through the API.
    survey = services.survey_create(definition=definition(slug="bench-submit"), actor=staff)
    survey = services.survey_open(survey=survey, actor=staff)
    q = keys(survey)
    User.objects.bulk_create(User(username=f"bench{i}") for i in range(N_SUBMISSIONS))
    people = list(User.objects.filter(username__startswith="bench").exclude(pk=staff.pk))
    client = APIClient()
    url = f"/api/v1/surveys/{survey.slug}/responses/"
    payloads = [{str(k): v for k, v in _answers(q, rnd).items()} for _ in people]
    started = time.perf_counter()
    for person, answers in zip(people, payloads, strict=True):
        client.force_authenticate(person)
        res = client.post(url, {"answers": answers}, format="json")
        assert res.status_code == 201, res.content
    elapsed = time.perf_counter() - started
    print(
        f"submissions through the API: {len(people)} in {elapsed:.2f} s = "
        f"{len(people) / elapsed:.0f} submissions/s ({connection.vendor}, one client)"
    )

    # 2. The results endpoint for a survey with N_RESPONSES responses.
    survey = services.survey_create(
        definition=definition(slug="bench-results", results_visibility="live"), actor=staff
    )
    survey = services.survey_open(survey=survey, actor=staff)
    q = keys(survey)
    started = time.perf_counter()
    responses = [Response(survey=survey) for _ in range(N_RESPONSES)]
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(
        (
            Answer(response=r, question_id=qid, value=value)
            for r in responses
            for qid, value in _answers(q, rnd).items()
        ),
        batch_size=5000,
    )
    print(
        f"built {N_RESPONSES} responses ({Answer.objects.filter(response__survey=survey).count()} "
        f"answers) with bulk_create in {time.perf_counter() - started:.1f} s"
    )
    viewer = people[0]
    client.force_authenticate(viewer)
    url = f"/api/v1/surveys/{survey.slug}/results/"
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            res = client.get(url)
            timings.append(time.perf_counter() - started)
        assert res.status_code == 200, res.content
    assert res.json()["responses"] == N_RESPONSES
    print(
        f"results endpoint, {N_RESPONSES} responses: median {statistics.median(timings) * 1000:.0f} ms "
        f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}) over {len(timings)} "
        f"requests, {len(queries)} queries each"
    )
    filtered = []
    option = q["role"].options[0][0]
    for _ in range(3):
        started = time.perf_counter()
        res = client.get(url, {"filter_question": q["role"].id, "filter_option": option})
        filtered.append(time.perf_counter() - started)
        assert res.status_code == 200, res.content
    print(
        f"results endpoint with a cross-tab filter: median {statistics.median(filtered) * 1000:.0f} ms"
    )
    owner = []
    client.force_authenticate(staff)
    for _ in range(3):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        owner.append(time.perf_counter() - started)
    print(
        f"results endpoint for an owner (no suppression): median {statistics.median(owner) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    with throwaway_database("bench_surveys", _tmp):
        main()
