"""Early close (issue 16, defect 18): a vote may close before its deadline when everyone on the
roll has voted, or when the votes still to come can no longer change the outcome. Checked
exhaustively on small rolls against every way the silent members could vote, and with
hypothesis properties."""

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance import rules
from governance.rules import Ballot

from .test_rules import QUORUMS, ballot, ballots, every_case, quorum, rule_name, vote_case

KINDS_OF_BALLOT = (Ballot("yes"), Ballot("no", "a reason"), Ballot("no"), Ballot("abstain"))


def every_completion(silent):
    """Every multiset of ballots the silent members could still cast (some may stay silent)."""
    for n in range(silent + 1):
        yield from (list(c) for c in itertools.combinations_with_replacement(KINDS_OF_BALLOT, n))


def outcomes_still_possible(rule, roll, cast, q):
    return {
        rules.decide(rule, roll, cast + more, quorum=q).accepted
        for more in every_completion(roll - len(cast))
    }


@pytest.mark.parametrize("rule", sorted(rules.RULES))
def test_settled_means_no_way_of_voting_left_changes_the_outcome(rule):
    checked = 0
    for roll, yes, no, abstain, reasoned_no in every_case(max_roll=6):
        cast = ballots(yes, no, abstain, reasoned_no)
        for q in QUORUMS if rule == "majority_of_cast_with_quorum" else [Fraction(1, 2)]:
            early = rules.early_result(rule, roll, cast, policy=rules.SETTLED, quorum=q)
            possible = outcomes_still_possible(rule, roll, cast, q)
            if roll == 0:
                assert early is None  # an empty roll waits for its deadline
                continue
            assert (early is not None) is (len(possible) == 1), (rule, roll, cast, q, possible)
            if early is not None:
                assert early.accepted is possible.pop()
                assert early.accepted is rules.decide(rule, roll, cast, quorum=q).accepted
                assert "Closed before its deadline" in early.explanation
                assert early.explanation.startswith("Accepted" if early.accepted else "Rejected")
            checked += 1
    assert checked > 200


@pytest.mark.parametrize("rule", sorted(rules.RULES))
def test_all_voted_closes_only_a_full_roll(rule):
    for roll, yes, no, abstain, reasoned_no in every_case(max_roll=5):
        cast = ballots(yes, no, abstain, reasoned_no)
        early = rules.early_result(rule, roll, cast, policy=rules.ALL_VOTED)
        assert (early is not None) is (roll > 0 and len(cast) == roll)
        if early is not None:
            assert early.accepted is rules.decide(rule, roll, cast).accepted
            assert "everyone on the roll had voted" in early.explanation


def test_never_waits_for_the_deadline_and_unknown_policies_are_refused():
    assert rules.early_result("majority_of_all", 3, [Ballot("yes")] * 3, policy="never") is None
    with pytest.raises(ValueError, match="early-close"):
        rules.early_result("majority_of_all", 3, [], policy="soon")


@pytest.mark.parametrize(
    ("rule", "roll", "counts", "accepted"),
    [
        ("majority_of_all", 5, (3, 0, 0), True),  # 3 of 5: a majority whatever the others do
        ("majority_of_all", 5, (0, 3, 0), False),  # 3 no: at most 2 yes left
        ("majority_of_all", 5, (2, 2, 0), None),  # the last voter decides
        ("two_thirds_of_all", 6, (4, 0, 0), True),
        ("two_thirds_of_all", 6, (3, 3, 0), False),
        ("apache", 10, (3, 0, 0), None),  # 7 silent could still vote no
        ("apache", 4, (3, 0, 0), True),  # one silent member cannot outvote three yes
        ("lazy_consensus", 4, (3, 0, 0), None),  # a veto may still come
        ("majority_of_cast_with_quorum", 10, (6, 0, 0), True),  # quorum and 6 > 0 + 4
    ],
)
def test_the_walkthrough_examples(rule, roll, counts, accepted):
    early = rules.early_result(rule, roll, ballots(*counts), policy=rules.SETTLED)
    assert (None if early is None else early.accepted) is accepted


def test_a_veto_settles_lazy_consensus():
    early = rules.early_result(
        "lazy_consensus", 5, [Ballot("no", "Breaks licences.")], policy=rules.SETTLED
    )
    assert early is not None and early.accepted is False


# --- properties ---------------------------------------------------------------------------------


@given(rule_name, vote_case(), quorum, st.data())
def test_a_settled_vote_ends_the_same_however_the_rest_vote(name, case, q, data):
    roll, cast = case
    early = rules.early_result(name, roll, cast, policy=rules.SETTLED, quorum=q)
    if early is None:
        return
    more = data.draw(st.lists(ballot, max_size=roll - len(cast)))
    assert rules.decide(name, roll, cast + more, quorum=q).accepted is early.accepted


@given(rule_name, vote_case(), quorum)
def test_early_close_agrees_with_the_deadline_and_all_voted_implies_settled(name, case, q):
    roll, cast = case
    at_deadline = rules.decide(name, roll, cast, quorum=q)
    for policy in (rules.ALL_VOTED, rules.SETTLED):
        early = rules.early_result(name, roll, cast, policy=policy, quorum=q)
        if early is not None:
            assert early.accepted is at_deadline.accepted
            assert early.tally == at_deadline.tally
    if rules.early_result(name, roll, cast, policy=rules.ALL_VOTED, quorum=q) is not None:
        assert rules.early_result(name, roll, cast, policy=rules.SETTLED, quorum=q) is not None


@given(rule_name, vote_case(), quorum)
def test_once_settled_a_further_ballot_keeps_it_settled(name, case, q):
    roll, cast = case
    if len(cast) == roll:
        return
    if rules.early_result(name, roll, cast, policy=rules.SETTLED, quorum=q) is None:
        return
    for b in KINDS_OF_BALLOT:
        again = rules.early_result(name, roll, [*cast, b], policy=rules.SETTLED, quorum=q)
        assert again is not None
