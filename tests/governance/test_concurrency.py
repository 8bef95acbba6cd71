"""Races, with real threads and real database connections. Needs PostgreSQL: SQLite serialises
every writer on one file lock, so these races cannot happen there and the tests would prove
nothing."""

import threading
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from governance import ledger, services
from governance.models import Decision, LedgerEntry, Proposal, Vote

from .factories import WorkingGroupFactory, in_voting, make_due, member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Row-lock races need PostgreSQL (SQLite serialises all writers on one file lock).",
    ),
]


def run_threads(targets):
    """Start every target at the same moment; each closes its own DB connection."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def wrap(fn):
        def run():
            try:
                barrier.wait(timeout=30)
                fn()
            except Exception as exc:  # reported below, so a failure in a thread fails the test
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors


@pytest.fixture
def big_group(db):
    group = WorkingGroupFactory(slug="big", name="Big")
    chair = member(group, "chair", "big-chair")
    voters = [member(group, "committer", f"voter{i}") for i in range(10)]
    author = member(group, "contributor", "big-author")
    return group, chair, voters, author


def test_fifty_concurrent_votes_from_ten_voters_leave_one_vote_each_the_last(big_group):
    group, chair, voters, author = big_group
    p = in_voting(group, author, chair)
    url = f"/api/v1/groups/big/proposals/{p.number}/votes/"
    responses = defaultdict(list)
    lock = threading.Lock()
    choices = ["yes", "no", "abstain", "yes", "no"]

    def send(voter, choice):
        def go():
            client = APIClient()
            client.force_authenticate(voter)
            r = client.post(url, {"choice": choice, "reason": f"{voter.username} {choice}"})
            assert r.status_code in (200, 201), r.content
            with lock:
                responses[voter.pk].append(
                    (r.json()["updated_at"], r.json()["choice"], r.status_code)
                )

        return go

    run_threads([send(v, c) for v in voters for c in choices])
    assert sum(len(r) for r in responses.values()) == 50
    assert Vote.objects.filter(proposal=p).count() == 10
    for voter in voters:
        vote = Vote.objects.get(proposal=p, voter=voter)
        got = sorted(responses[voter.pk])
        # Exactly one request created the vote; the stored vote is the last one applied.
        assert [status for *_, status in got].count(201) == 1
        assert vote.choice == got[-1][1]
        assert vote.reason == f"{voter.username} {vote.choice}"


def test_closing_twice_concurrently_records_one_decision(big_group):
    group, chair, voters, author = big_group
    p = in_voting(group, author, chair)
    for v in voters[:6]:
        services.vote_cast(proposal=p, voter=v, choice="yes")
    make_due(p)
    results = []

    def close():
        results.append(services.proposal_close(proposal=Proposal(pk=p.pk)).pk)

    run_threads([close, close, close, lambda: services.close_due_proposals()])
    assert Decision.objects.filter(proposal=p).count() == 1
    assert len(set(results)) == 1
    assert LedgerEntry.objects.filter(kind="decision.recorded").count() == 1
    assert ledger.verify().ok


def test_votes_racing_the_close_are_either_counted_or_refused(big_group):
    group, chair, voters, author = big_group
    p = in_voting(group, author, chair, closes_in=timedelta(seconds=2))
    outcomes = []

    def vote(voter):
        def go():
            try:
                services.vote_cast(proposal=Proposal(pk=p.pk), voter=voter, choice="yes")
                outcomes.append("ok")
            except services.Conflict:
                outcomes.append("refused")

        return go

    def close_when_due():
        import time

        while timezone.now() < p.voting_closes_at:
            time.sleep(0.05)
        services.close_due_proposals()

    run_threads([close_when_due, *[vote(v) for v in voters]])
    decision = Decision.objects.get(proposal=p)
    # Whatever the interleaving, the tally is exactly the votes stored: none slipped in later.
    assert decision.tally["yes"] == Vote.objects.filter(proposal=p).count() == outcomes.count("ok")


def test_concurrent_ledger_appends_keep_one_chain(db):
    run_threads([lambda i=i: ledger.append("test.event", {"i": i}) for i in range(20)])
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 21))
    assert ledger.verify().ok


def test_concurrent_proposals_get_distinct_numbers(big_group):
    group = big_group[0]
    authors = [member(group, "contributor", f"writer{i}") for i in range(8)]

    def write(user):
        return lambda: services.proposal_create(
            group=group, author=user, kind="general", title="Race", summary="", body=""
        )

    run_threads([write(u) for u in authors])
    numbers = sorted(Proposal.objects.filter(group=group).values_list("number", flat=True))
    assert numbers == list(range(1, 9))
