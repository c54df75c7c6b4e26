"""Brute-force tests of the constraint vocabulary: every small 0/1 case is fixed into the model and
the solver's verdict (feasible? least cost?) is compared with a plain-Python checker."""

from __future__ import annotations

import itertools

import pytest
from ortools.sat.python import cp_model

from planner.scheduling.constraints import (
    Penalty,
    add_day_coverage,
    add_forbidden_transitions,
    add_rest_between_shifts,
    add_soft_sequence,
    add_soft_sum,
    any_of,
    objective_expr,
    rest_forbidden_successions,
)
from planner.scheduling.rules import DayCover, SequenceRule, ShiftType


def _solve_fixed(build, values):
    """Build with literals fixed to ``values``; return None if infeasible, else the least cost."""
    model = cp_model.CpModel()
    lits = [model.NewBoolVar(f"x{i}") for i in range(len(values))]
    for lit, v in zip(lits, values, strict=True):
        model.Add(lit == v)
    penalties: list[Penalty] = build(model, lits)
    model.Minimize(objective_expr(penalties) if penalties else 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.Solve(model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL
    return round(solver.ObjectiveValue())


def _count_solutions(build, n):
    """Enumerate every solution of the hard part over ``n`` free literals."""
    model = cp_model.CpModel()
    lits = [model.NewBoolVar(f"x{i}") for i in range(n)]
    build(model, lits)
    seen = set()

    class Collect(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self):
            seen.add(tuple(self.BooleanValue(x) for x in lits))

    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    solver.parameters.num_workers = 1
    solver.Solve(model, Collect())
    return seen


def _runs(values):
    out, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((start, i - start, values[start]))
            start = i
    return out


def sequence_cost(values, rule: SequenceRule):
    """Plain-Python: None when a hard bound breaks, else the soft cost of every run of ones."""
    n, cost = len(values), 0
    for start, length, v in _runs(values):
        if not v:
            continue
        at_edge = start == 0 or start + length == n
        if not (rule.edges_exempt and at_edge):
            if length < rule.hard_min:
                return None
            cost += rule.min_cost * max(0, rule.soft_min - length)
        if length > rule.hard_max:
            return None
        cost += rule.max_cost * max(0, length - rule.soft_max)
    return cost


SEQUENCE_RULES = [
    SequenceRule.hard(2, 4),
    SequenceRule.hard(2, 4, edges_exempt=False),
    SequenceRule.hard(3),
    SequenceRule(1, 3, 5, 3, 5, 7),
    SequenceRule(2, 3, 4, 4, 6, 2, edges_exempt=False),
    SequenceRule(0, 2, 3, 2, 3, 1),
]


@pytest.mark.parametrize("rule", SEQUENCE_RULES)
def test_soft_sequence_matches_checker(rule):
    n = 6
    for values in itertools.product([0, 1], repeat=n):
        got = _solve_fixed(lambda m, x, r=rule: add_soft_sequence(m, x, r, "seq"), values)
        assert got == sequence_cost(values, rule), (values, rule)


@pytest.mark.parametrize("rule", SEQUENCE_RULES[:3])
def test_soft_sequence_enumeration_equals_checker_feasible_set(rule):
    n = 6
    found = _count_solutions(lambda m, x: add_soft_sequence(m, x, rule, "seq"), n)
    expected = {v for v in itertools.product([False, True], repeat=n)
                if sequence_cost(v, rule) is not None}
    assert found == expected


@pytest.mark.parametrize("rule", [SequenceRule.hard(2, 3), SequenceRule(1, 2, 3, 2, 3, 5)])
@pytest.mark.parametrize("constant", [{0, 2, 4}, {0, 1, 2, 3}, {1, 2, 3, 4, 5}, set(range(6))])
def test_soft_sequence_folds_constant_literals(rule, constant):
    """Mixed fixed/free literals (as an LNS sub-model fixes most days): the same verdicts as
    all-free literals fixed the same way, also where constants alone decide a pattern or window
    (a maximum window of constants only is trusted, as the fixed part of a sub-model is)."""
    for values in itertools.product([0, 1], repeat=6):
        def build(model, lits, values=values):
            mixed = [bool(values[i]) if i in constant else lits[i] for i in range(6)]
            return add_soft_sequence(model, mixed, rule, "seq")
        expected = sequence_cost(values, rule)
        span = rule.hard_max + 1
        if any(set(range(a, a + span)) <= constant and all(values[a:a + span])
               for a in range(6 - span + 1)):
            continue  # a too-long run inside the constants alone is not re-checked
        assert _solve_fixed(build, values) == expected, (values, constant)


@pytest.mark.parametrize("coefs", [None, [1, 2, 3, 1, 2]])
@pytest.mark.parametrize("rule", [SequenceRule.hard(2, 3), SequenceRule(1, 3, 5, 4, 6, 7),
                                  SequenceRule(0, 2, 1, 2, 9, 3)])
def test_soft_sum_matches_checker(rule, coefs):
    c = coefs or [1] * 5
    for values in itertools.product([0, 1], repeat=5):
        total = sum(a * b for a, b in zip(c, values, strict=True))
        if not rule.hard_min <= total <= rule.hard_max:
            expected = None
        else:
            expected = (rule.min_cost * max(0, rule.soft_min - total)
                        + rule.max_cost * max(0, total - rule.soft_max))
        got = _solve_fixed(lambda m, x, r=rule: add_soft_sum(m, x, r, "sum", coefs), values)
        assert got == expected, (values, rule, coefs)


SHIFTS = ("E", "L", "N")


def _day_assignments(days):
    """Every roster of one employee over ``days`` days: a shift index or None per day."""
    return itertools.product([None, 0, 1, 2], repeat=days)


def _fix_days(model, roster):
    day_shifts = []
    for d, s in enumerate(roster):
        lits = {name: model.NewBoolVar(f"{d}{name}") for name in SHIFTS}
        for i, name in enumerate(SHIFTS):
            model.Add(lits[name] == int(s == i))
        day_shifts.append(lits)
    return day_shifts


@pytest.mark.parametrize("weight", [None, 4])
@pytest.mark.parametrize("forbidden", [{"L": {"E"}, "N": {"E", "L"}},
                                       {"L": {"E"}, "N": {"E"}}])  # shared followers: grouped
def test_forbidden_transitions_matches_checker(weight, forbidden):
    """Free days, and days fixed as constants (a worked shift True, others absent, as an LNS
    sub-model fixes them) beside free ones: the same verdicts as the plain checker."""
    for roster in _day_assignments(3):
        for fixed_days in (set(), {0}, {1}, {0, 2}, {0, 1, 2}):
            model = cp_model.CpModel()
            free = _fix_days(model, roster)
            day_shifts = [({SHIFTS[s]: True} if s is not None else {}) if d in fixed_days
                          else free[d] for d, s in enumerate(roster)]
            pens = add_forbidden_transitions(model, day_shifts, forbidden, "t", weight)
            model.Minimize(objective_expr(pens) if pens else 0)
            solver = cp_model.CpSolver()
            status = solver.Solve(model)
            names = [None if s is None else SHIFTS[s] for s in roster]
            broken = sum(1 for a, b in itertools.pairwise(names)
                         if a is not None and b is not None and b in forbidden.get(a, ()))
            if weight is None:
                assert (status == cp_model.INFEASIBLE) == (broken > 0), (roster, fixed_days)
            else:
                assert round(solver.ObjectiveValue()) == weight * broken, (roster, fixed_days)


def test_rest_between_shifts_known_successions():
    types = [ShiftType("E", 480, 6 * 60), ShiftType("L", 480, 14 * 60),
             ShiftType("N", 480, 22 * 60)]
    # E ends 14:00, L ends 22:00, N ends 06:00 next day. With 11 h rest: after L (22:00) an E
    # (06:00) leaves 8 h; after N (06:00) an E leaves 0 h and an L 8 h; N then N leaves 16 h.
    assert rest_forbidden_successions(types, 11 * 60) == {
        "L": frozenset({"E"}), "N": frozenset({"E", "L"})}
    assert rest_forbidden_successions(types, 8 * 60) == {"N": frozenset({"E"})}
    for roster in _day_assignments(3):
        model = cp_model.CpModel()
        add_rest_between_shifts(model, _fix_days(model, roster), types, 11 * 60, "rest")
        status = cp_model.CpSolver().Solve(model)
        names = [None if s is None else SHIFTS[s] for s in roster]
        bad = any((a == "L" and b == "E") or (a == "N" and b in ("E", "L"))
                  for a, b in itertools.pairwise(names))
        assert (status == cp_model.INFEASIBLE) == bad, roster


@pytest.mark.parametrize("requirement", [0, 2, 4])
def test_day_coverage_costs(requirement):
    cover = DayCover(0, "E", requirement, under_weight=7, over_weight=3)
    for values in itertools.product([0, 1], repeat=4):
        n = sum(values)
        expected = 7 * max(0, requirement - n) + 3 * max(0, n - requirement)
        assert _solve_fixed(lambda m, x: add_day_coverage(m, x, cover, "c"), values) == expected
        # Half the literals fixed as constants: same answer.
        got = _solve_fixed(lambda m, x, v=values: add_day_coverage(
            m, [bool(v[0]), bool(v[1]), x[2], x[3]], cover, "c"), values)
        assert got == expected


def test_any_of_is_or():
    for values in itertools.product([0, 1], repeat=3):
        for consts in itertools.product([None, False, True], repeat=1):
            model = cp_model.CpModel()
            lits = [model.NewBoolVar(str(i)) for i in range(3)]
            for lit, v in zip(lits, values, strict=True):
                model.Add(lit == v)
            extra = [] if consts[0] is None else [consts[0]]
            out = any_of(model, [*lits, *extra])
            solver = cp_model.CpSolver()
            assert solver.Solve(model) == cp_model.OPTIMAL
            got = out if isinstance(out, bool) else solver.BooleanValue(out)
            assert got == (any(values) or bool(consts[0]))
