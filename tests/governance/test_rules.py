"""The decision rules, checked exhaustively on small rolls against a plain restatement of the
charter, and with hypothesis for their invariants."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance import rules
from governance.rules import Ballot

QUORUMS = [Fraction(1, 4), Fraction(1, 2), Fraction(2, 3), Fraction(1)]


def ballots(yes=0, no=0, abstain=0, reasoned_no=0):
    return (
        [Ballot("yes")] * yes
        + [Ballot("no", "because")] * reasoned_no
        + [Ballot("no")] * (no - reasoned_no)
        + [Ballot("abstain")] * abstain
    )


def expected(rule, roll, yes, no, abstain, reasoned_no, quorum):
    """The charter, restated as plainly as possible."""
    if roll == 0:
        return False
    return {
        "majority_of_all": yes > roll / 2,
        "two_thirds_of_all": yes >= Fraction(2, 3) * roll,
        "majority_of_cast_with_quorum": (yes + no + abstain) >= quorum * roll and yes > no,
        "lazy_consensus": reasoned_no == 0,
        "apache": yes >= 3 and yes > no,
    }[rule]


def every_case(max_roll=8):
    for roll in range(max_roll + 1):
        for yes in range(roll + 1):
            for no in range(roll - yes + 1):
                for abstain in range(roll - yes - no + 1):
                    for reasoned_no in range(no + 1):
                        yield roll, yes, no, abstain, reasoned_no


@pytest.mark.parametrize("rule", sorted(rules.RULES))
def test_it_matches_the_charter_on_every_small_roll(rule):
    checked = 0
    for roll, yes, no, abstain, reasoned_no in every_case():
        for quorum in QUORUMS if rule == "majority_of_cast_with_quorum" else [Fraction(1, 2)]:
            result = rules.decide(rule, roll, ballots(yes, no, abstain, reasoned_no), quorum=quorum)
            want = expected(rule, roll, yes, no, abstain, reasoned_no, quorum)
            assert result.accepted is want, (rule, roll, yes, no, abstain, reasoned_no, quorum)
            assert result.tally.as_dict() == {"yes": yes, "no": no, "abstain": abstain}
            assert result.explanation.startswith("Accepted" if want else "Rejected")
            checked += 1
    assert checked > 700


@pytest.mark.parametrize(
    ("rule", "roll", "counts", "accepted"),
    [
        ("majority_of_all", 5, (3, 0, 0), True),
        ("majority_of_all", 6, (3, 0, 0), False),  # exactly half is not a majority
        ("majority_of_all", 6, (4, 2, 0), True),
        ("two_thirds_of_all", 6, (4, 0, 0), True),
        ("two_thirds_of_all", 7, (4, 0, 3), False),
        ("two_thirds_of_all", 3, (2, 1, 0), True),
        ("majority_of_cast_with_quorum", 10, (3, 1, 0), False),  # 4 of 10 is no quorum
        ("majority_of_cast_with_quorum", 10, (3, 1, 1), True),  # abstentions count as present
        ("majority_of_cast_with_quorum", 10, (3, 3, 0), False),  # a tie is not a majority
        ("apache", 9, (3, 2, 4), True),
        ("apache", 9, (2, 0, 0), False),
        ("apache", 9, (3, 3, 0), False),
    ],
)
def test_it_decides_the_charter_examples(rule, roll, counts, accepted):
    assert rules.decide(rule, roll, ballots(*counts)).accepted is accepted


def test_lazy_consensus_only_a_reasoned_no_is_a_veto():
    assert rules.lazy_consensus(5, [Ballot("no", "   ")]).accepted is True
    vetoed = rules.lazy_consensus(5, [Ballot("yes")] * 4 + [Ballot("no", "Breaks licences.")])
    assert vetoed.accepted is False
    assert "veto" in vetoed.explanation
    assert rules.RULES["lazy_consensus"].reason_required_for == {"no"}


def test_it_refuses_impossible_input():
    with pytest.raises(ValueError, match="More ballots"):
        rules.majority_of_all(1, [Ballot("yes"), Ballot("yes")])
    with pytest.raises(ValueError, match="Unknown choice"):
        rules.majority_of_all(3, [Ballot("maybe")])
    with pytest.raises(ValueError, match="negative"):
        rules.apache(-1, [])
    with pytest.raises(ValueError, match="quorum"):
        rules.majority_of_cast_with_quorum(3, [], quorum=Fraction(0))


def test_the_charter_defaults_by_kind_and_what_a_group_may_change():
    assert rules.rule_for("general") == "majority_of_all"
    assert rules.rule_for("membership") == "majority_of_all"
    assert rules.rule_for("standard_adoption") == "majority_of_all"
    assert rules.rule_for("dataset_acceptance") == "majority_of_all"
    assert rules.rule_for("charter_amendment") == "two_thirds_of_all"
    assert rules.rule_for("licence_exception") == "two_thirds_of_all"
    assert rules.rule_for("general", "apache") == "apache"
    # A group's setting never weakens the charter's rule for the other kinds.
    assert rules.rule_for("charter_amendment", "lazy_consensus") == "two_thirds_of_all"
    assert rules.rule_for("membership", "lazy_consensus") == "majority_of_all"


# --- properties ---------------------------------------------------------------------------------

choice = st.sampled_from(["yes", "no", "abstain"])
ballot = st.builds(Ballot, choice, st.sampled_from(["", "a reason"]))
rule_name = st.sampled_from(sorted(rules.RULES))
quorum = st.sampled_from(QUORUMS)


@st.composite
def vote_case(draw):
    roll = draw(st.integers(min_value=0, max_value=40))
    cast = draw(st.lists(ballot, max_size=roll))
    return roll, cast


@given(rule_name, vote_case(), quorum)
def test_adding_a_yes_never_turns_accepted_into_rejected(name, case, q):
    roll, cast = case
    before = rules.decide(name, roll, cast, quorum=q)
    if len(cast) < roll:  # a silent member votes yes
        assert (
            rules.decide(name, roll, [*cast, Ballot("yes")], quorum=q).accepted >= before.accepted
        )
    for i, b in enumerate(cast):  # or someone changes their vote to yes
        changed = [*cast[:i], Ballot("yes"), *cast[i + 1 :]]
        assert rules.decide(name, roll, changed, quorum=q).accepted >= before.accepted, b


@given(rule_name, st.lists(ballot, max_size=0), quorum)
def test_an_empty_roll_never_passes(name, cast, q):
    result = rules.decide(name, 0, cast, quorum=q)
    assert result.accepted is False
    assert "empty" in result.explanation


@given(rule_name, vote_case(), quorum, st.randoms())
def test_the_order_of_ballots_does_not_matter(name, case, q, rnd):
    roll, cast = case
    shuffled = list(cast)
    rnd.shuffle(shuffled)
    a, b = rules.decide(name, roll, cast, quorum=q), rules.decide(name, roll, shuffled, quorum=q)
    assert (a.accepted, a.tally, a.explanation) == (b.accepted, b.tally, b.explanation)


@given(st.sampled_from(["majority_of_all", "two_thirds_of_all"]), vote_case())
def test_of_all_rules_treat_abstaining_like_staying_silent(name, case):
    roll, cast = case
    without_abstain = [b for b in cast if b.choice != "abstain"]
    assert (
        rules.decide(name, roll, cast).accepted
        == rules.decide(name, roll, without_abstain).accepted
    )


@given(rule_name, vote_case(), quorum)
def test_no_rule_passes_with_more_no_than_yes_except_lazy_consensus_without_a_veto(name, case, q):
    roll, cast = case
    result = rules.decide(name, roll, cast, quorum=q)
    t = result.tally
    if result.accepted and name != "lazy_consensus":
        assert t.yes > t.no
    assert result.outcome in ("accepted", "rejected")
    assert result.explanation


@given(vote_case())
def test_two_thirds_implies_majority_of_all(case):
    roll, cast = case
    if rules.two_thirds_of_all(roll, cast).accepted:
        assert rules.majority_of_all(roll, cast).accepted
