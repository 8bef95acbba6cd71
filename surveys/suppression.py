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

    def suppressed(self, i: int) -> bool:
        return self.states[i] in (PRIMARY, COMPLEMENT)


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
