"""200 concurrent submissions through the API from 100 people, each trying twice: exactly 100
responses, exact counts. Needs real PostgreSQL (SQLite serialises every writer anyway)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from surveys import results
from surveys.models import Participation, Response
from tests.factories import UserFactory

from .factories import keys, make_survey, option

# PostgreSQL's default max_connections is 100 and other test runs share the server: at most this
# many submissions hold a connection at once; all 200 threads are started together.
MAX_CONNECTIONS = 40


@pytest.mark.django_db(transaction=True)
def test_it_counts_each_person_once_under_concurrency(staff_user):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs real PostgreSQL: SQLite takes one writer at a time, so there is no race."
        )
    survey = make_survey(actor=staff_user, results_visibility="live", min_cell_size=1)
    q = keys(survey)
    roles = ["artist", "developer", "researcher"]
    people = UserFactory.create_batch(100)
    start = threading.Barrier(200)
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(index: int) -> None:
        person = people[index // 2]
        role = roles[(index // 2) % 3]
        client = APIClient()
        client.force_authenticate(person)
        start.wait()
        with slots:
            try:
                res = client.post(
                    f"/api/v1/surveys/{survey.slug}/responses/",
                    {
                        "answers": {
                            str(q["role"].id): option(q["role"], role),
                            str(q["consent"].id): 1 + index // 2 % 5,
                        }
                    },
                    format="json",
                )
                with lock:
                    statuses.append(res.status_code)
            finally:
                connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert Counter(statuses) == {201: 100, 409: 100}
    assert Response.objects.filter(survey=survey).count() == 100
    assert Participation.objects.filter(survey=survey).count() == 100
    doc = results.compute(survey, owner=True)
    role = next(x for x in doc["questions"] if x["key"] == "role")
    expected = Counter(roles[i % 3] for i in range(100))
    assert {o["label"].lower(): o["count"] for o in role["options"]} == expected
    consent = next(x for x in doc["questions"] if x["key"] == "consent")
    assert sum(o["count"] for o in consent["options"]) == 100
