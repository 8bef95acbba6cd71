"""A copy of the platform's governance/rules.py (the pure decision rules), for `omi log verify`
where the platform is not installed; tests/transparency/test_verifier.py checks it decides exactly as
the original does. The original's docstring follows.

Decision rules: pure functions from (roll size, ballots) to an outcome with its explanation.

No Django here: every rule is tested exhaustively over small rolls and with hypothesis properties
(tests/governance/test_rules.py). A ballot is ``(choice, reason)`` with choice ``yes``/``no``/
``abstain``; the roll size is the number of people allowed to vote (the snapshot taken when the vote
opened), so the "of all voting members" rules count silence as not-yes.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

YES, NO, ABSTAIN = "yes", "no", "abstain"
CHOICES = (YES, NO, ABSTAIN)


@dataclass(frozen=True)
class Ballot:
    choice: str
    reason: str = ""


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    roll_size: int
    # A reasoned "no" (a veto under lazy consensus).
    reasoned_no: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    def as_dict(self) -> dict[str, int]:
        return {"yes": self.yes, "no": self.no, "abstain": self.abstain}


@dataclass(frozen=True)
class Result:
    accepted: bool
    tally: Tally
    explanation: str

    @property
    def outcome(self) -> str:
        return "accepted" if self.accepted else "rejected"


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    decide: Callable[..., Result]
    # Choices for which the voter must give a reason.
    reason_required_for: frozenset[str] = field(default_factory=frozenset)
    description: str = ""


def tally(roll_size: int, ballots: Iterable[Ballot]) -> Tally:
    """Count ballots; refuse impossible input rather than decide on it."""
    if roll_size < 0:
        raise ValueError("The roll size cannot be negative.")
    counts = {YES: 0, NO: 0, ABSTAIN: 0}
    reasoned_no = 0
    for ballot in ballots:
        if ballot.choice not in counts:
            raise ValueError(f"Unknown choice {ballot.choice!r}.")
        counts[ballot.choice] += 1
        if ballot.choice == NO and ballot.reason.strip():
            reasoned_no += 1
    if sum(counts.values()) > roll_size:
        raise ValueError("More ballots than people on the roll.")
    return Tally(counts[YES], counts[NO], counts[ABSTAIN], roll_size, reasoned_no)


def _counts(t: Tally) -> str:
    return (
        f"{t.yes} yes, {t.no} no, {t.abstain} abstain; {t.cast} of {t.roll_size} "
        f"voting member{'s' if t.roll_size != 1 else ''} voted"
    )


def _empty(t: Tally) -> Result:
    return Result(False, t, "Rejected: the voter roll was empty, so nobody could approve it.")


def majority_of_cast_with_quorum(
    roll_size: int, ballots: Iterable[Ballot], *, quorum: Fraction | str = Fraction(1, 2)
) -> Result:
    """A meeting: at least ``quorum`` of the roll takes part (abstentions count as present), and
    more yes than no among those who voted yes or no."""
    t = tally(roll_size, ballots)
    q = Fraction(quorum)
    if not 0 < q <= 1:
        raise ValueError("The quorum is a fraction of the roll between 0 (excluded) and 1.")
    if t.roll_size == 0:
        return _empty(t)
    needed = -(-q.numerator * t.roll_size // q.denominator)  # ceil(q * roll)
    if t.cast < needed:
        return Result(
            False,
            t,
            f"Rejected: no quorum. {needed} of {t.roll_size} had to take part; {_counts(t)}.",
        )
    if t.yes > t.no:
        return Result(True, t, f"Accepted: quorum reached and more yes than no ({_counts(t)}).")
    return Result(False, t, f"Rejected: quorum reached but not more yes than no ({_counts(t)}).")


def majority_of_all(roll_size: int, ballots: Iterable[Ballot]) -> Result:
    """An electronic vote under the charter: yes from more than half of all voting members."""
    t = tally(roll_size, ballots)
    if t.roll_size == 0:
        return _empty(t)
    needed = t.roll_size // 2 + 1
    if t.yes >= needed:
        return Result(
            True,
            t,
            f"Accepted: {needed} yes needed (a majority of all {t.roll_size} voting members), "
            f"and there were {t.yes} ({_counts(t)}).",
        )
    return Result(
        False,
        t,
        f"Rejected: {needed} yes needed (a majority of all {t.roll_size} voting members), "
        f"and there were {t.yes} ({_counts(t)}).",
    )


def two_thirds_of_all(roll_size: int, ballots: Iterable[Ballot]) -> Result:
    """Charter amendments and licence exceptions: yes from two thirds of all voting members."""
    t = tally(roll_size, ballots)
    if t.roll_size == 0:
        return _empty(t)
    needed = -(-2 * t.roll_size // 3)  # ceil(2/3 * roll)
    if t.yes >= needed:
        return Result(
            True,
            t,
            f"Accepted: {needed} yes needed (two thirds of all {t.roll_size} voting members), "
            f"and there were {t.yes} ({_counts(t)}).",
        )
    return Result(
        False,
        t,
        f"Rejected: {needed} yes needed (two thirds of all {t.roll_size} voting members), "
        f"and there were {t.yes} ({_counts(t)}).",
    )


def lazy_consensus(roll_size: int, ballots: Iterable[Ballot]) -> Result:
    """Passes at the close unless someone voted no with a reason (a veto)."""
    t = tally(roll_size, ballots)
    if t.roll_size == 0:
        return _empty(t)
    if t.reasoned_no:
        return Result(
            False,
            t,
            f"Rejected: {t.reasoned_no} reasoned no (a veto) under lazy consensus ({_counts(t)}).",
        )
    return Result(True, t, f"Accepted: no reasoned objection by the close ({_counts(t)}).")


def apache(roll_size: int, ballots: Iterable[Ballot]) -> Result:
    """Apache style: at least three binding yes (+1) and more yes than no (-1)."""
    t = tally(roll_size, ballots)
    if t.roll_size == 0:
        return _empty(t)
    if t.yes >= 3 and t.yes > t.no:
        return Result(True, t, f"Accepted: at least 3 yes and more yes than no ({_counts(t)}).")
    why = "fewer than 3 yes" if t.yes < 3 else "not more yes than no"
    return Result(False, t, f"Rejected: {why} ({_counts(t)}).")


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "majority_of_cast_with_quorum",
            "Majority of votes cast, with a quorum",
            majority_of_cast_with_quorum,
            description="A quorum of the roll takes part; more yes than no among them.",
        ),
        Rule(
            "majority_of_all",
            "Majority of all voting members",
            majority_of_all,
            description="Yes from more than half of everyone on the roll.",
        ),
        Rule(
            "two_thirds_of_all",
            "Two thirds of all voting members",
            two_thirds_of_all,
            description="Yes from at least two thirds of everyone on the roll.",
        ),
        Rule(
            "lazy_consensus",
            "Lazy consensus",
            lazy_consensus,
            reason_required_for=frozenset({NO}),
            description="Passes at the close unless someone votes no with a reason (a veto).",
        ),
        Rule(
            "apache",
            "Apache style",
            apache,
            description="At least three yes, and more yes than no.",
        ),
    )
}

# The charter's defaults. Only ``general`` may be changed by a group's settings.
DEFAULT_RULE_BY_KIND = {
    "general": "majority_of_all",
    "membership": "majority_of_all",
    "standard_adoption": "majority_of_all",
    "dataset_acceptance": "majority_of_all",
    "charter_amendment": "two_thirds_of_all",
    "licence_exception": "two_thirds_of_all",
    "model_release": "majority_of_all",
}
CONFIGURABLE_KINDS = frozenset({"general"})


# Kinds whose rule another app lets a group raise, within ``choices``: ``{kind: (choices,
# lookup)}``, ``lookup(group) -> rule | None`` (registered from that app's ``AppConfig.ready``;
# e.g. a group may require two thirds of all for its model releases).
RULE_CHOICE_BY_KIND: dict[str, tuple[frozenset[str], object]] = {}


def rule_for(kind: str, group_general_rule: str | None = None, group=None) -> str:
    if kind in CONFIGURABLE_KINDS and group_general_rule:
        return group_general_rule
    if group is not None and kind in RULE_CHOICE_BY_KIND:
        choices, lookup = RULE_CHOICE_BY_KIND[kind]
        chosen = lookup(group)
        if chosen in choices:
            return chosen
    return DEFAULT_RULE_BY_KIND[kind]


def decide(
    rule_name: str, roll_size: int, ballots: Iterable[Ballot], *, quorum=Fraction(1, 2)
) -> Result:
    rule = RULES[rule_name]
    if rule_name == "majority_of_cast_with_quorum":
        return rule.decide(roll_size, ballots, quorum=quorum)
    return rule.decide(roll_size, ballots)


# --- early close ------------------------------------------------------------------------------
# A group may let a vote close before its deadline (``GroupSettings.early_close``, fixed on the
# proposal when its vote opens). The deadline stays the default: ``never``.
#
# - ``all_voted``: everyone on the roll has voted; the rule decides on those ballots.
# - ``settled``: the ballots still to come cannot change the outcome under the rule (any number of
#   the silent members voting any way, a "no" with or without a reason), or everyone has voted.
#
# A cast ballot may be changed only while the vote is open; the vote closes the moment it is
# settled, so nobody can change a ballot afterwards.

NEVER, ALL_VOTED, SETTLED = "never", "all_voted", "settled"
EARLY_CLOSE_POLICIES = {
    NEVER: "Only at its deadline",
    ALL_VOTED: "As soon as everyone on the roll has voted",
    SETTLED: "As soon as the remaining votes can no longer change the outcome",
}


def _completions_extremes(silent: int) -> tuple[list[Ballot], ...]:
    """The ballots still to come that matter to the rules above: none, every silent member
    voting yes, every one voting a reasoned no, every one abstaining. Each rule is monotone (a
    yes never hurts, a no or silence never helps; checked by the property tests), so when these
    agree, every other way the silent members could vote agrees too."""
    return (
        [],
        [Ballot(YES)] * silent,
        [Ballot(NO, "a reason")] * silent,
        [Ballot(ABSTAIN)] * silent,
    )


def early_result(
    rule_name: str,
    roll_size: int,
    ballots: Iterable[Ballot],
    *,
    policy: str,
    quorum=Fraction(1, 2),
) -> Result | None:
    """The result if the vote may close now under ``policy``, else ``None``.

    Its explanation says why it closed before the deadline."""
    if policy not in EARLY_CLOSE_POLICIES:
        raise ValueError(f"Unknown early-close policy {policy!r}.")
    cast = list(ballots)
    now = decide(rule_name, roll_size, cast, quorum=quorum)
    if policy == NEVER or roll_size == 0:
        return None
    if now.tally.cast == roll_size:
        return Result(
            now.accepted,
            now.tally,
            f"{now.explanation} Closed before its deadline: everyone on the roll had voted.",
        )
    if policy != SETTLED:
        return None
    silent = roll_size - now.tally.cast
    outcomes = {
        decide(rule_name, roll_size, cast + more, quorum=quorum).accepted
        for more in _completions_extremes(silent)
    }
    if outcomes != {now.accepted}:
        return None
    left = f"{silent} vote{'s' if silent != 1 else ''} still to come"
    return Result(
        now.accepted,
        now.tally,
        f"{now.explanation} Closed before its deadline: the {left} could not change the outcome.",
    )
