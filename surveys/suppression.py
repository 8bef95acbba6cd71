"""Small-cell suppression with complementary suppression, audited by linear programming.

A published table is a set of counts ("cells") tied by linear relations anyone can see: the options
of a single-choice question add up to the number who answered it; in a cross-tab each row adds up
to the overall count and each column to the filtered total. Hiding a count below ``k`` is not
enough when it can be recovered from a total minus the other counts, so:

1. every candidate cell below ``k`` is suppressed (*primary*, shown as "fewer than k");
2. the attacker's knowledge is modelled exactly: visible cells are fixed, a primary cell lies in
   [0, k-1], a complementary one is at least k (it is shown as "withheld"), a cell never
   published is only known to be non-negative;
3. for each primary cell the smallest and largest value consistent with every relation are
   computed (two linear programs; the relations of count tables are totally unimodular, so the
   bounds of the relaxation are the integer bounds); if they coincide, the cell is revealed, and
   the smallest visible candidate that shares a relation with it is withheld too. Repeat.

Totals are cells as well, so when nothing else is left a total is withheld.
"""

import math
from dataclasses import dataclass, field
from typing import Any

VISIBLE, PRIMARY, COMPLEMENT, UNKNOWN = "visible", "primary", "complement", "unknown"


@dataclass
class Problem:
    values: list[int] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    candidate: list[bool] = field(default_factory=list)
    # Each relation is a list of (cell, coefficient): sum(coef * x) == 0 (eq) or <= 0 (le).
    equalities: list[list[tuple[int, int]]] = field(default_factory=list)
    inequalities: list[list[tuple[int, int]]] = field(default_factory=list)

    def add(self, value: int, *, candidate: bool = True, state: str = VISIBLE) -> int:
        self.values.append(int(value))
        self.states.append(state)
        self.candidate.append(candidate)
        return len(self.values) - 1

    def equal(self, parts: list[int], total: int) -> None:
        """sum(parts) == total (cell indices)."""
        self.equalities.append([(i, 1) for i in parts] + [(total, -1)])

    def at_most(self, parts: list[int], total: int, factor: int = 1) -> None:
        """sum(parts) <= factor * total."""
        self.inequalities.append([(i, 1) for i in parts] + [(total, -factor)])

    def at_least(self, parts: list[int], total: int, factor: int = 1) -> None:
        """sum(parts) >= factor * total."""
        self.inequalities.append([(i, -1) for i in parts] + [(total, factor)])


def _bounds(problem: Problem, k: int) -> list[tuple[float, float | None]]:
    out = []
    for i, state in enumerate(problem.states):
        if state == PRIMARY:
            out.append((0, k - 1))
        elif state == COMPLEMENT:
            out.append((k, None))
        elif state == UNKNOWN:
            out.append((0, None))
        else:
            out.append((problem.values[i], problem.values[i]))
    return out


def revealed(problem: Problem, k: int) -> list[int]:
    """Primary cells whose value follows from the published numbers and relations."""
    primaries = [i for i, s in enumerate(problem.states) if s == PRIMARY]
    if not primaries:
        return []
    free = [i for i, s in enumerate(problem.states) if s != VISIBLE]
    index = {cell: n for n, cell in enumerate(free)}
    bounds = _bounds(problem, k)

    def rows(relations):
        a, b = [], []
        for relation in relations:
            coefs = [0.0] * len(free)
            rhs = 0.0
            for cell, coef in relation:
                if cell in index:
                    coefs[index[cell]] += coef
                else:
                    rhs -= coef * problem.values[cell]
            if any(coefs):
                a.append(coefs)
                b.append(rhs)
        return a, b

    a_eq, b_eq = rows(problem.equalities)
    a_ub, b_ub = rows(problem.inequalities)
    free_bounds = [bounds[i] for i in free]
    # Imported here: scipy takes a while to load and most pages never need it.
    from scipy.optimize import linprog

    out = []
    for cell in primaries:
        lo_hi = []
        for sign in (1, -1):
            c = [0.0] * len(free)
            c[index[cell]] = sign
            result = linprog(
                c,
                A_ub=a_ub or None,
                b_ub=b_ub or None,
                A_eq=a_eq or None,
                b_eq=b_eq or None,
                bounds=free_bounds,
                method="highs",
            )
            lo_hi.append(sign * result.fun if result.status == 0 else None)
        lo, hi = lo_hi
        if lo is not None and hi is not None and math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) < 1:
            out.append(cell)
    return out


def _neighbours(problem: Problem, cell: int) -> list[int]:
    found: list[int] = []
    for relation in problem.equalities + problem.inequalities:
        cells = [c for c, _ in relation]
        if cell in cells:
            found += [c for c in cells if problem.states[c] == VISIBLE and problem.candidate[c]]
    return found


def protect(problem: Problem, k: int) -> bool:
    """Suppress in place; returns False if some small cell could not be protected (the caller
    then withholds everything it publishes from this table)."""
    if k <= 1:
        return True
    for i, value in enumerate(problem.values):
        if problem.candidate[i] and problem.states[i] == VISIBLE and value < k:
            problem.states[i] = PRIMARY
    # Cheap first pass: no relation may hold exactly one suppressed cell (simple differencing).
    for relation in problem.equalities:
        cells = [c for c, _ in relation]
        hidden = [c for c in cells if problem.states[c] in (PRIMARY, COMPLEMENT, UNKNOWN)]
        if len(hidden) == 1 and problem.states[hidden[0]] == PRIMARY:
            options = [c for c in cells if problem.states[c] == VISIBLE and problem.candidate[c]]
            if options:
                problem.states[min(options, key=lambda c: problem.values[c])] = COMPLEMENT
    for _ in range(len(problem.values) + 1):
        exposed = revealed(problem, k)
        if not exposed:
            return True
        options = []
        for cell in exposed:
            options = _neighbours(problem, cell)
            if options:
                break
        if not options:
            return False
        problem.states[min(options, key=lambda c: problem.values[c])] = COMPLEMENT
    return not revealed(problem, k)


# --- Count families: the cells of a question and the relations anyone can see ---------------


@dataclass
class Family:
    """One row of counts: the options of a question (or of one matrix row, or number bins)."""

    name: str
    cells: list[Any]  # option ids, scale points or bin indexes
    counts: dict
    total: int
    exact_sum: bool  # the cells add up to the total (one answer per person)
    max_factor: int  # otherwise: total <= sum(cells) <= max_factor * total


def _relate(problem: Problem, cells: list[int], total: int, family: Family) -> None:
    if family.exact_sum:
        problem.equal(cells, total)
    else:
        problem.at_least(cells, total, 1)
        problem.at_most(cells, total, family.max_factor)
        for cell in cells:
            problem.at_most([cell], total, 1)


def protect_family(
    family: Family, k: int, *, total_is_responses: bool = False
) -> tuple[Problem, list[int], int]:
    """1-D suppression of one family. Returns (problem, option cell indexes, total index)."""
    problem = Problem()
    cells = [problem.add(family.counts.get(c, 0)) for c in family.cells]
    # A required question shown to everyone: its total is the public response count, so it is
    # published as it is (hiding it would hide nothing).
    total = problem.add(family.total, candidate=not total_is_responses)
    _relate(problem, cells, total, family)
    if not protect(problem, k):
        # Even with every count withheld, a small one follows from the public totals (say two
        # people, three options and k = 2): publish nothing of this question, not even which
        # counts are small.
        for i in [*cells, total]:
            problem.states[i] = UNKNOWN
    return problem, cells, total


def protect_crosstab(
    family_by_column: dict[Any, Family],
    overall: Family,
    overall_states: tuple[list[str], str] | None,
    k: int,
    rest: Family,
    column_total_states: dict[Any, str] | None = None,
) -> dict[Any, tuple[list[str], str] | None]:
    """Joint suppression of one family across every column of a cross-tab.

    Columns are the options of the filter question; ``rest`` (people who did not answer it) is
    treated as known to the reader, which can only make the protection stronger. The overall row
    (the unfiltered results) keeps the states it was published with. Every filtered view is cut
    from this one joint pattern, so combining views reveals nothing the audit did not check.
    ``column_total_states``: for a question everyone had to answer, a column's total is the
    filter option's own published count, so it keeps that count's state.

    A column that cannot be protected at all (say 3 people, 3 options, k = 2: each count must be
    1) is *refused*: nothing of it is published, not even which cells are small. Refused columns
    map to ``None``.
    """
    if overall_states is None:
        # The question is not shown at all; its total is assumed known (the stronger reader).
        overall_states = ([UNKNOWN] * len(overall.cells), VISIBLE)
    refused: set[Any] = set()
    if column_total_states is not None:
        refused = {c for c, state in column_total_states.items() if state != VISIBLE}
    while True:
        problem = Problem()
        option_states, total_state = overall_states
        overall_cells = [
            problem.add(overall.counts.get(c, 0), candidate=False, state=state)
            for c, state in zip(overall.cells, option_states, strict=True)
        ]
        overall_total = problem.add(overall.total, candidate=False, state=total_state)
        _relate(problem, overall_cells, overall_total, overall)
        columns: dict[Any, tuple[list[int], int]] = {}
        owner_of: dict[int, Any] = {}
        for column, family in {**family_by_column, None: rest}.items():
            hidden = column in refused
            candidate = column is not None and not hidden
            state = UNKNOWN if hidden else VISIBLE
            cells = [
                problem.add(family.counts.get(c, 0), candidate=candidate, state=state)
                for c in family.cells
            ]
            if column is not None and column_total_states is not None:
                total = problem.add(
                    family.total, candidate=False, state=column_total_states[column]
                )
            else:
                total = problem.add(family.total, candidate=candidate, state=state)
            _relate(problem, cells, total, family)
            columns[column] = (cells, total)
            for cell in [*cells, total]:
                owner_of[cell] = column
        for position in range(len(overall.cells)):
            problem.equal([columns[c][0][position] for c in columns], overall_cells[position])
        problem.equal([columns[c][1] for c in columns], overall_total)
        if protect(problem, k):
            break
        exposed = [
            owner_of[cell]
            for cell in revealed(problem, k)
            if owner_of.get(cell) is not None and owner_of[cell] not in refused
        ]
        if not exposed:
            # Nothing left to refuse: publish no cross-tab of this question at all.
            return dict.fromkeys(family_by_column)
        refused.add(exposed[0])
    return {
        column: None
        if column in refused
        else ([problem.states[i] for i in cells], problem.states[total])
        for column, (cells, total) in columns.items()
        if column is not None
    }
