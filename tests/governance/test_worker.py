"""A real Celery worker process closes a due vote (the beat task's body)."""

import time

import pytest

from governance.models import Decision
from governance.tasks import close_due_proposals

from .factories import in_voting, make_due


@pytest.mark.integration
def test_the_worker_closes_a_due_proposal(gov, celery_worker):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    from governance import services

    for voter in [gov.chair, *gov.committers]:
        services.vote_cast(proposal=p, voter=voter, choice="yes")
    make_due(p)
    close_due_proposals.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Decision.objects.filter(proposal=p).exists():
        time.sleep(0.25)
    decision = Decision.objects.get(proposal=p)
    assert decision.outcome == "accepted"
    assert decision.tally == {"yes": 4, "no": 0, "abstain": 0}
    # Running it again (a second beat tick, a redelivery) changes nothing.
    close_due_proposals.delay()
    time.sleep(2)
    assert Decision.objects.filter(proposal=p).count() == 1
