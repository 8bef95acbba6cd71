"""Concurrent transitions on one finding, with real threads and connections (PostgreSQL: SQLite
serialises every writer on one file lock, so the race cannot happen there)."""

import pytest
from django.db import connection

from config.errors import Conflict
from models_registry.redteam import services
from models_registry.redteam.models import Finding
from tests.governance.test_concurrency import run_threads

from .conftest import file

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="Row-lock races need PostgreSQL."),
]


def test_concurrent_transitions_leave_one_history(campaign, reporter, triager, chair):
    finding = file(campaign, reporter)
    outcomes = []

    def move(actor, to):
        def run():
            try:
                services.transition(
                    actor=actor, finding=finding.pk, to=to, note=f"{actor.username} says {to}"
                )
                outcomes.append(to)
            except Conflict:
                outcomes.append("refused")

        return run

    run_threads([move(triager, "triaged"), move(chair, "triaged"), move(triager, "triaged")])
    assert sorted(outcomes) == ["refused", "refused", "triaged"]
    services.transition(actor=triager, finding=finding.pk, to="confirmed")
    outcomes.clear()
    run_threads([move(triager, "disclosed"), move(chair, "disclosed"), move(chair, "wont_fix")])
    finding = Finding.objects.get(pk=finding.pk)
    seqs = list(finding.history.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    statuses = [h.to_status for h in finding.history.all()]
    assert statuses.count("disclosed") <= 1 and statuses.count("triaged") == 1
    # Whatever won, the history replays to the final status.
    assert statuses[-1] == finding.status
    assert outcomes.count("refused") >= 1
