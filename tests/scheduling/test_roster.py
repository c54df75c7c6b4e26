"""The roster model against brute force: on tiny problems every roster is enumerated in plain Python
(roster_check + roster_objective) and the CP-SAT optimum and feasible sets must agree."""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import replace

import pytest
from ortools.sat.python import cp_model

from planner.bench.strategy import solve_roster
from planner.bench.weekday_rows import weekday_row
from planner.scheduling.roster import build_roster_model, roster_objective
from planner.scheduling.roster_check import roster_violations, row_violations
from planner.scheduling.roster_lns import _day_deviation, _solve_sub, lns
from planner.scheduling.rules import (
    DayCover,
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftRequest,
    ShiftType,
)

SHIFTS = (ShiftType("E", 480, cannot_follow=frozenset()),
          ShiftType("N", 600, cannot_follow=frozenset({"E"})))


def tiny_problem(days: int = 5) -> RosterProblem:
    # Day 0 is a Thursday: days 2 and 3 are a weekend.
    a = EmployeeRules("a", {"E": 4, "N": 2}, 960, 2100, SequenceRule.hard(2, 3),
                      SequenceRule.hard(2), max_weekends=0, days_off=frozenset({4}))
    b = EmployeeRules("b", {"E": 5, "N": 1}, 0, 2400, SequenceRule(1, 2, 3, 2, 4, 5),
                      SequenceRule.hard(1, edges_exempt=False), max_weekends=1,
                      available_shifts={0: frozenset({"N"})})
    requests = (ShiftRequest("a", 1, "E", 4, True), ShiftRequest("b", 2, None, 3, False),
                ShiftRequest("b", 0, "N", 2, False))
    cover = tuple(DayCover(d, s, 1, 10, 3) for d in range(days) for s in ("E", "N"))
    return RosterProblem(days, SHIFTS, (a, b), requests, cover, first_weekday=3)


def _rows(problem: RosterProblem):
    return list(itertools.product([None, "E", "N"], repeat=problem.days))


def _soft_cost(problem: RosterProblem, roster) -> int:
    """The soft sequence costs (objective_expr includes them; roster_objective does not)."""
    from planner.scheduling.roster_check import sequence_cost

    cost = 0
    for r in problem.employees:
        work = [roster.get((r.employee, d)) is not None for d in range(problem.days)]
        cost += sequence_cost(work, r.work_sequence)
        cost += sequence_cost([not w for w in work], r.off_sequence)
    return cost


class _Collect(cp_model.CpSolverSolutionCallback):
    """Record each solution's row of shifts."""

    def __init__(self, lits, days, found):
        super().__init__()
        self.lits, self.days, self.found = lits, days, found

    def on_solution_callback(self):
        row = [None] * self.days
        for (_, d, s), lit in self.lits.items():
            if self.BooleanValue(lit):
                row[d] = s
        self.found.add(tuple(row))


def test_feasible_rows_match_enumeration():
    problem = replace(tiny_problem(), requests=(), cover=())
    for rules in problem.employees:
        expected = {row for row in _rows(problem) if not row_violations(problem, rules, row)}
        rm = build_roster_model(problem, employees=[rules.employee])
        lits = {k: v for k, v in rm.works.items() if k[0] == rules.employee}
        found = set()

        solver = cp_model.CpSolver()
        solver.parameters.enumerate_all_solutions = True
        solver.parameters.num_workers = 1
        solver.Solve(rm.model, _Collect(lits, problem.days, found))
        assert found == expected, rules.employee
        assert expected  # the rules leave some rows


def test_optimum_matches_brute_force():
    problem = tiny_problem()
    rows = {r.employee: [row for row in _rows(problem) if not row_violations(problem, r, row)]
            for r in problem.employees}
    best = None
    for ra, rb in itertools.product(rows["a"], rows["b"]):
        roster = {("a", d): s for d, s in enumerate(ra) if s is not None}
        roster.update({("b", d): s for d, s in enumerate(rb) if s is not None})
        cost = roster_objective(problem, roster)
        best = cost if best is None else min(best, cost)
    rm = build_roster_model(problem)
    rm.model.Minimize(rm.objective())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.Solve(rm.model) == cp_model.OPTIMAL
    assert round(solver.ObjectiveValue()) == best
    roster = rm.read(solver)
    assert not roster_violations(problem, roster)
    assert roster_objective(problem, roster) == best
    assert _soft_cost(problem, roster) <= best  # soft run costs are part of it


def test_solve_roster_reaches_the_optimum_and_respects_rules():
    problem = replace(tiny_problem(), employees=tuple(
        replace(r, work_sequence=SequenceRule.hard(r.work_sequence.hard_min,
                                                    r.work_sequence.hard_max))
        for r in tiny_problem().employees))
    sol = solve_roster(problem, time_limit=10, workers=1)
    assert sol.status == "OPTIMAL"
    assert not roster_violations(problem, sol.shifts)
    assert sol.objective == roster_objective(problem, sol.shifts)
    assert sol.bound == sol.objective


def test_lns_move_keeps_fixed_cells_and_never_worsens():
    problem = replace(tiny_problem(), employees=tuple(
        replace(r, work_sequence=SequenceRule.hard(1, 3)) for r in tiny_problem().employees))
    start = {("a", 0): "E", ("a", 1): "E", ("b", 1): "E", ("b", 2): "E"}
    assert not roster_violations(problem, start)
    got = _solve_sub(problem, start, ["b"], {1, 2}, 5.0, 0, 1)
    assert got is not None
    new, obj, _ = got
    assert {c: s for c, s in new.items() if c[0] == "a"} == {("a", 0): "E", ("a", 1): "E"}
    assert all(new.get(("b", d)) == start.get(("b", d)) for d in (0, 3, 4))
    assert obj == roster_objective(problem, new) <= roster_objective(problem, start)


def test_day_deviation_splits_shortfall_and_surplus_costs_per_day():
    problem = tiny_problem()  # every (day, E/N) wants 1; short costs 10, over costs 3
    roster = {("a", 0): "E", ("b", 0): "E", ("a", 1): "N", ("b", 2): "E"}
    short, over = _day_deviation(problem, roster)
    # Day 0: N short, E one over. Day 1: E short. Day 2: N short. Days 3, 4: both short.
    assert short == {0: 10.0, 1: 10.0, 2: 10.0, 3: 20.0, 4: 20.0}
    assert over == {0: 3.0}


def test_parallel_lns_accepts_only_feasible_rosters_that_never_cost_more():
    problem = replace(tiny_problem(), employees=tuple(
        replace(r, work_sequence=SequenceRule.hard(1, 3)) for r in tiny_problem().employees))
    start = {("a", 0): "E", ("a", 1): "E", ("b", 1): "E", ("b", 2): "E"}
    start_obj = roster_objective(problem, start)
    seen: list[tuple[dict, float]] = []
    lns(problem, start, start_obj, time.perf_counter() + 1.0, random.Random(0), 2,
         lambda roster, obj: seen.append((roster, obj)))
    costs = [start_obj] + [obj for _, obj in seen]
    assert costs == sorted(costs, reverse=True)  # merged moves never make it worse
    for roster, obj in seen:
        assert not roster_violations(problem, roster)
        assert obj == roster_objective(problem, roster)
    # Two employees over five days: some move frees both over the whole horizon and the
    # brute-force optimum of this problem is well below the start.
    best = solve_roster(problem, time_limit=10, workers=1).objective
    assert best < start_obj
    assert seen and seen[-1][1] == best


def test_weekday_row_builds_a_valid_row_or_declines():
    rules = EmployeeRules("x", {"E": 30, "N": 10}, 480 * 14, 480 * 16, SequenceRule.hard(2, 5),
                          SequenceRule.hard(2), max_weekends=0, days_off=frozenset({2, 9}))
    problem = RosterProblem(28, SHIFTS, (rules,))
    demand = {(d, "E"): 1.0 for d in range(28)}
    row = weekday_row(problem, rules, demand)
    assert row is not None
    assert not row_violations(problem, rules, row)
    assert 14 <= sum(s is not None for s in row) <= 16
    assert all(row[d] is None for d in range(28) if d % 7 >= 5)  # no weekend
    # Rest runs of three days cannot be guaranteed by weekday blocks: declined.
    strict = replace(rules, off_sequence=SequenceRule.hard(3))
    assert weekday_row(replace(problem, employees=(strict,)), strict, demand) is None


def test_sequence_rule_validates():
    with pytest.raises(ValueError):
        SequenceRule(3, 2, 0, 4, 5, 0)


def test_differ_move_returns_the_cheapest_other_roster():
    # The kick of the LNS: with ``differ`` the sub-model must leave the current roster, and
    # CP-SAT returns the cheapest roster that differs (brute force over every valid pair).
    problem = replace(tiny_problem(), employees=tuple(
        replace(r, work_sequence=SequenceRule.hard(1, 3)) for r in tiny_problem().employees))
    opt = solve_roster(problem, time_limit=10, workers=1)
    key = frozenset(opt.shifts.items())
    rows = {r.employee: [row for row in _rows(problem) if not row_violations(problem, r, row)]
            for r in problem.employees}
    second = None
    for ra, rb in itertools.product(rows["a"], rows["b"]):
        roster = {("a", d): s for d, s in enumerate(ra) if s is not None}
        roster.update({("b", d): s for d, s in enumerate(rb) if s is not None})
        if frozenset(roster.items()) != key:
            cost = roster_objective(problem, roster)
            second = cost if second is None else min(second, cost)
    got = _solve_sub(problem, opt.shifts, ["a", "b"], None, 10.0, 0, 1, differ=True)
    assert got is not None
    new, obj, optimal = got
    assert optimal and new != opt.shifts
    assert not roster_violations(problem, new)
    assert obj == second >= opt.objective
    # Nothing free: no different roster can exist.
    assert _solve_sub(problem, opt.shifts, ["a"], set(), 1.0, 0, 1, differ=True) is None


def test_hint_is_completed_to_every_variable_at_the_rosters_cost():
    problem = tiny_problem()
    rows = {r.employee: [row for row in _rows(problem) if not row_violations(problem, r, row)]
            for r in problem.employees}
    rng = random.Random(3)
    for _ in range(15):
        roster = {(e, d): s for e in ("a", "b") for d, s in enumerate(rng.choice(rows[e]))
                  if s is not None}
        rm = build_roster_model(problem)
        rm.model.Minimize(rm.objective())
        assert rm.add_hint(roster)
        proto = rm.model.Proto()
        assert sorted(proto.solution_hint.vars) == list(range(len(proto.variables)))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.fix_variables_to_their_hinted_value = True
        assert solver.Solve(rm.model) == cp_model.OPTIMAL
        assert round(solver.ObjectiveValue()) == roster_objective(problem, roster)
        assert rm.read(solver) == roster
    # Four days in a row for "a" (at most 3): not completed, only the cells are hinted.
    rm = build_roster_model(problem)
    rm.model.Minimize(rm.objective())
    assert not rm.add_hint({("a", d): "E" for d in range(4)})
    assert len(rm.model.Proto().solution_hint.vars) < len(rm.model.Proto().variables)
