"""Property tests: aggregates equal a brute-force recount; suppression never lets anyone derive
a count below k from the public numbers.

The attacker is modelled independently of the implementation: from the published documents only
(every filtered view of a cross-tab as well as the unfiltered one) we build every relation a reader
knows, and solve integer programs (scipy's MILP, not the LP relaxation the code uses) for the
smallest and largest value of each hidden small count. Each must have at least two possible
values.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from config.errors import Invalid
from surveys import counting, results, suppression
from surveys.answers import QuestionSpec, validate
from surveys.models import Survey

SINGLE = QuestionSpec(
    id=1,
    key="a",
    kind="single_choice",
    prompt="A",
    required=True,
    section_id=1,
    options=((11, "x", "X"), (12, "y", "Y"), (13, "z", "Z")),
)
MULTI = QuestionSpec(
    id=2,
    key="b",
    kind="multiple_choice",
    prompt="B",
    required=False,
    section_id=1,
    options=((21, "p", "P"), (22, "q", "Q"), (23, "r", "R")),
    constraints={"max_selections": 2},
)
SCALE = QuestionSpec(
    id=3,
    key="c",
    kind="scale",
    prompt="C",
    required=False,
    section_id=1,
    constraints={"min": 1, "max": 4},
)
NUMBER = QuestionSpec(
    id=4,
    key="d",
    kind="number",
    prompt="D",
    required=False,
    section_id=1,
    constraints={"min": 0, "max": 20, "integer": True},
)
RANKING = QuestionSpec(
    id=5,
    key="e",
    kind="ranking",
    prompt="E",
    required=False,
    section_id=1,
    options=((51, "s", "S"), (52, "t", "T"), (53, "u", "U")),
)
MATRIX = QuestionSpec(
    id=6,
    key="f",
    kind="matrix",
    prompt="F",
    required=False,
    section_id=1,
    options=((61, "lo", "Lo"), (62, "hi", "Hi")),
    rows=((71, "r1", "R1"), (72, "r2", "R2")),
)
SPECS = [SINGLE, MULTI, SCALE, NUMBER, RANKING, MATRIX]


@st.composite
def answer_set(draw):
    a = {SINGLE.id: draw(st.sampled_from([11, 12, 13]))}
    if draw(st.booleans()):
        a[MULTI.id] = sorted(draw(st.sets(st.sampled_from([21, 22, 23]), min_size=1, max_size=2)))
    if draw(st.booleans()):
        a[SCALE.id] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        a[NUMBER.id] = draw(st.integers(0, 20))
    if draw(st.booleans()):
        a[RANKING.id] = draw(st.permutations([51, 52, 53]))
    if draw(st.booleans()):
        rows = draw(st.sets(st.sampled_from(["71", "72"]), min_size=1))
        a[MATRIX.id] = {r: draw(st.sampled_from([61, 62])) for r in sorted(rows)}
    return a


@settings(max_examples=150, deadline=None)
@given(st.lists(answer_set(), max_size=40))
def test_aggregates_equal_a_brute_force_recount(sets):
    for a in sets:  # every generated answer set is valid for the questions
        _clean, errors = validate(SPECS, {str(k): v for k, v in a.items()})
        assert not errors
    raw = counting.aggregate(SPECS, sets)
    for option in (11, 12, 13):
        assert raw[SINGLE.id]["counts"][option] == sum(1 for a in sets if a[SINGLE.id] == option)
    assert raw[SINGLE.id]["answered"] == len(sets)
    for option in (21, 22, 23):
        assert raw[MULTI.id]["counts"][option] == sum(
            1 for a in sets if option in a.get(MULTI.id, [])
        )
    for point in range(1, 5):
        assert raw[SCALE.id]["counts"][point] == sum(1 for a in sets if a.get(SCALE.id) == point)
    bins = raw[NUMBER.id]["bins"]
    for index, (lo, hi) in enumerate(bins):
        expected = sum(1 for a in sets if NUMBER.id in a and lo <= a[NUMBER.id] <= hi)
        assert hi < (bins[index + 1][0] if index + 1 < len(bins) else 10**9)
        assert raw[NUMBER.id]["counts"][index] == expected
    for option in (51, 52, 53):
        ranked = [a[RANKING.id].index(option) + 1 for a in sets if RANKING.id in a]
        assert raw[RANKING.id]["position_sum"][option] == sum(ranked)
    for row in (71, 72):
        for option in (61, 62):
            expected = sum(1 for a in sets if a.get(MATRIX.id, {}).get(str(row)) == option)
            assert raw[MATRIX.id]["rows"][row]["counts"][option] == expected
    # Owners' documents show exactly these counts; medians match the statistics module.
    doc = results.compute(_survey(k=1), owner=True, specs=SPECS, answer_sets=sets)
    single = doc["questions"][0]
    assert [o["count"] for o in single["options"]] == [
        sum(1 for a in sets if a[SINGLE.id] == o) for o in (11, 12, 13)
    ]


def _survey(k: int) -> Survey:
    # Unsaved: "anyone" audience needs no database to size it.
    return Survey(slug="p", title="P", min_cell_size=k, audience=Survey.Audience.ANYONE)


# --- Suppression: an independent attacker -----------------------------------------------------


class Attacker:
    """Linear relations over unknown counts, solved exactly with integer programming."""

    def __init__(self, upper: int):
        self.upper = upper
        self.names: dict[str, int] = {}
        self.lo: list[int] = []
        self.hi: list[int] = []
        self.rows: list[tuple[dict[str, int], int]] = []  # sum(coef * var) == rhs
        self.small: list[str] = []

    def value(self, name: str, cell: dict | None, k: int, known: int | None = None) -> None:
        """Record a published number: a count, or ``fewer than k`` / ``withheld``."""
        if name in self.names:
            return
        self.names[name] = len(self.lo)
        if known is not None:
            self.lo.append(known)
            self.hi.append(known)
        elif cell["count"] is not None:
            self.lo.append(cell["count"])
            self.hi.append(cell["count"])
        elif cell.get("withheld"):
            self.lo.append(k)
            self.hi.append(self.upper)
        elif cell.get("unknown"):
            self.lo.append(0)
            self.hi.append(self.upper)
        else:
            self.lo.append(0)
            self.hi.append(k - 1)
            self.small.append(name)

    def equal(self, parts: list[str], total: str) -> None:
        coefs = dict.fromkeys(parts, 1)
        coefs[total] = coefs.get(total, 0) - 1
        self.rows.append((coefs, 0))

    def revealed(self) -> list[tuple[str, int]]:
        n = len(self.lo)
        a = np.zeros((len(self.rows), n))
        for r, (coefs, _) in enumerate(self.rows):
            for name, coef in coefs.items():
                a[r, self.names[name]] += coef
        constraints = [LinearConstraint(a, 0, 0)] if self.rows else []
        out = []
        for name in self.small:
            found = []
            for sign in (1, -1):
                c = np.zeros(n)
                c[self.names[name]] = sign
                res = milp(
                    c,
                    constraints=constraints,
                    integrality=np.ones(n),
                    bounds=Bounds(self.lo, self.hi),
                )
                assert res.success, "the true table satisfies every relation"
                found.append(round(sign * res.fun))
            if found[0] == found[1]:
                out.append((name, found[0]))
        return out


CELLS = {SINGLE.id: [11, 12, 13], SCALE.id: [1, 2, 3, 4]}


def _add_question(att: Attacker, prefix: str, q: dict | None, cells: list, k: int, total_known):
    """Record what a published question says; returns the names of its cells."""
    names = [f"{prefix}:{c}" for c in cells]
    if q is None or q.get("not_shown"):
        # Nothing published: the cells are unknown, but they exist and add up to the total.
        unknown = {"count": None, "unknown": True}
        att.value(f"{prefix}:n", unknown, k, known=total_known)
        for name in names:
            att.value(name, unknown, k)
    else:
        answered = (
            {"count": q["answered"]}
            if q["answered"] is not None
            else {"count": None, "unknown": True}
        )
        att.value(f"{prefix}:n", answered, k, known=total_known)
        by_id = {o["id"]: o for o in q["options"]}
        for cell, name in zip(cells, names, strict=True):
            att.value(name, by_id[cell], k)
    att.equal(names, f"{prefix}:n")
    return names


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 6),
    # At least one response: with none, every count is zero and there is nobody to protect.
    st.lists(st.tuples(st.sampled_from([11, 12, 13]), st.integers(1, 4)), min_size=1, max_size=30),
)
def test_suppression_never_reveals_a_small_count(k, pairs):
    """Single-choice and scale questions, every cross-tab of one by the other, all published
    views combined: no count below k can be derived."""
    sets = [{SINGLE.id: a, SCALE.id: b} for a, b in pairs]
    specs = [SINGLE, QuestionSpec(**{**SCALE.__dict__, "required": True})]
    survey = _survey(k)
    n = len(sets)
    att = Attacker(upper=max(n, k))
    overall = results.compute(survey, owner=False, specs=specs, answer_sets=sets)
    assert overall["responses"] == n
    by_id = {q["id"]: q for q in overall["questions"]}
    # Both questions are required: everyone answered them, so their totals are N (public).
    _add_question(att, "A", by_id[SINGLE.id], CELLS[SINGLE.id], k, total_known=n)
    _add_question(att, "B", by_id[SCALE.id], CELLS[SCALE.id], k, total_known=n)
    # Every filtered view the public can ask for, both ways round.
    for fq, tq, fprefix, tprefix in ((SINGLE, SCALE, "A", "B"), (SCALE, SINGLE, "B", "A")):
        column_cells: dict = {t: [] for t in CELLS[tq.id]}
        for option in CELLS[fq.id]:
            try:
                view = results.compute(
                    survey,
                    owner=False,
                    filter_question=fq.id,
                    filter_option=option,
                    specs=specs,
                    answer_sets=sets,
                )
            except Invalid:
                view = None  # refused: fewer than k match, or the option's count is withheld
            q = None
            if view is not None:
                assert view["responses"] == sum(1 for a in sets if a[fq.id] == option)
                q = next(x for x in view["questions"] if x["id"] == tq.id)
            column = f"{fprefix}{option}>{tprefix}"
            names = _add_question(att, column, q, CELLS[tq.id], k, total_known=None)
            # The column total is the filter option's own count (everyone answered both).
            att.equal([f"{column}:n"], f"{fprefix}:{option}")
            for t, name in zip(CELLS[tq.id], names, strict=True):
                column_cells[t].append(name)
        for t, names in column_cells.items():
            att.equal(names, f"{tprefix}:{t}")
    leaks = att.revealed()
    assert not leaks, f"derivable small counts: {leaks}"


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 6), st.lists(st.integers(0, 12), min_size=2, max_size=5), st.booleans())
def test_one_question_suppression_closed_form(k, counts, required):
    """A single family against the exact interval argument (a sum of integer ranges is a
    contiguous range, so each cell's possible values follow in closed form)."""
    family = suppression.Family(
        "", list(range(len(counts))), dict(enumerate(counts)), sum(counts), True, 1
    )
    problem, cells, total = suppression.protect_family(family, k, total_is_responses=required)
    states = [problem.states[i] for i in cells]
    total_state = "visible" if required else problem.states[total]
    if problem.states[total] == "unknown":
        # Not shown at all: only when even withholding every count would reveal a small one.
        assert all(st == "unknown" for st in states)
        states = ["primary" if c < k else "complement" for c in counts]
        total_state = "visible"
        exposed = []
        for i, c in enumerate(counts):
            if c >= k:
                continue
            others = [(0, k - 1) if o < k else (k, 10_000) for j, o in enumerate(counts) if j != i]
            lo = max(0, sum(counts) - sum(b[1] for b in others))
            hi = min(k - 1, sum(counts) - sum(b[0] for b in others))
            exposed.append(hi <= lo)
        assert any(exposed), (counts, k)
        return

    def bounds(i):
        s = states[i]
        if s == "visible":
            return counts[i], counts[i]
        return (0, k - 1) if s == "primary" else (k, 10_000)

    if total_state == "visible":
        lo_t = hi_t = sum(counts)
    else:
        lo_t, hi_t = (0, k - 1) if total_state == "primary" else (k, 10_000)
    for i, s in enumerate(states):
        assert (s == "visible") == (counts[i] >= k and s != "complement") or s == "complement"
        if s != "primary":
            continue
        others = [bounds(j) for j in range(len(counts)) if j != i]
        lo = max(0, lo_t - sum(b[1] for b in others))
        hi = min(k - 1, hi_t - sum(b[0] for b in others))
        assert hi > lo, (counts, k, states, total_state)


@pytest.mark.parametrize(
    ("counts", "k"),
    [([4, 4], 5), ([0, 9], 5), ([3, 10, 10], 5), ([1, 1, 1, 1], 2), ([5, 0, 0], 5)],
)
def test_known_tricky_rows(counts, k):
    family = suppression.Family(
        "", list(range(len(counts))), dict(enumerate(counts)), sum(counts), True, 1
    )
    problem, cells, _ = suppression.protect_family(family, k, total_is_responses=True)
    from surveys.suppression import revealed

    assert revealed(problem, k) == [] or all(
        counts[cells.index(c)] >= k for c in revealed(problem, k)
    )
