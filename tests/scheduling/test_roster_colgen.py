"""Column generation over employee rows (roster_colgen): the pool's costs add up to the roster
objective, the Lagrangian bound never exceeds a roster's cost, and exact pricing proves the
published optimum of a benchmark instance."""

from __future__ import annotations

import time

import numpy as np

from planner.bench import read_roster_problem
from planner.bench.strategy import construct
from planner.scheduling.roster import build_roster_model, roster_objective, solve_model
from planner.scheduling.roster_check import roster_violations
from planner.scheduling.roster_colgen import (
    ColumnPool,
    ExactPricer,
    _Master,
    exact_column_generation,
    lagrangian_bound,
)
from planner.scheduling.rules import (
    DayCover,
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftRequest,
    ShiftType,
)
from tests.scheduling.helpers import CURTOIS_DATA as DATA


def _tiny() -> RosterProblem:
    # Three staff, a week, two shift types; runs of 2-4 days; requests both ways; cover that
    # cannot be met everywhere.
    shifts = (ShiftType("E", 480), ShiftType("L", 480, cannot_follow=frozenset({"E"})))
    staff = tuple(EmployeeRules(e, {}, 3 * 480, 5 * 480, SequenceRule.hard(2, 4),
                                SequenceRule.hard(1)) for e in "abc")
    cover = tuple(DayCover(d, s, 1 + (d % 3 == 0), 100, 1) for d in range(7) for s in "EL")
    requests = (ShiftRequest("a", 0, None, 3, on=False), ShiftRequest("b", 2, "L", 2, on=True),
                ShiftRequest("c", 6, "E", 1, on=False))
    return RosterProblem(7, shifts, staff, requests, cover)


def _optimum(problem: RosterProblem) -> int:
    rm = build_roster_model(problem)
    solver, status, _ = solve_model(rm, 30, workers=2)
    assert solver.StatusName(status) == "OPTIMAL"
    return roster_objective(problem, rm.read(solver))


def test_row_costs_and_cover_add_up_to_the_roster_objective():
    problem = read_roster_problem(DATA / "Instance2.txt")
    roster = construct(problem, time.perf_counter() + 5)
    pool = ColumnPool(problem)
    pool.add_roster(roster)
    assert pool.size == len(problem.employees)
    assert not pool.add(0, pool.rows[0][0])  # no duplicates
    master = _Master(problem)
    counts = np.zeros(len(master.cells))
    for e in range(len(problem.employees)):
        for d, s in enumerate(pool.rows[e][0]):
            if s is not None and (d, s) in master.cell_index:
                counts[master.cell_index[(d, s)]] += 1
    cover = (master.under * np.clip(master.req - counts, 0, None)
             + master.over * np.clip(counts - master.req, 0, None)).sum()
    rows = sum(c[0] for c in pool.costs)
    assert rows + cover == roster_objective(problem, roster)
    # A pool of one roster is its own LP optimum.
    value, _, _, x = master.lp(pool)
    assert abs(value - roster_objective(problem, roster)) < 1e-6
    assert all(abs(v[0] - 1) < 1e-9 for v in x)


def test_lagrangian_bound_is_below_the_optimum_for_any_duals_in_the_box():
    problem = _tiny()
    best = _optimum(problem)
    master = _Master(problem)
    pool = ColumnPool(problem)
    pricer = ExactPricer(problem)
    rng = np.random.default_rng(0)
    for _ in range(5):
        pi = rng.uniform(-master.over, master.under)
        rows = []
        for e in range(len(problem.employees)):
            row, optimal = pricer.price(e, master.dual_matrix(pi), 10)
            assert optimal and row is not None
            rows.append(row)
        assert lagrangian_bound(master, pool, pi, rows) <= best + 1e-6


def test_exact_column_generation_bound_and_roster_on_the_tiny_problem():
    problem = _tiny()
    best = _optimum(problem)
    start = construct(problem, time.perf_counter() + 5)
    got = exact_column_generation(problem, start, time.perf_counter() + 20, seed=0, workers=1)
    assert got.converged and got.bound is not None
    assert got.bound <= best
    assert got.roster is not None and roster_violations(problem, got.roster) == []
    assert best <= roster_objective(problem, got.roster) <= roster_objective(problem, start)


def test_exact_column_generation_proves_the_published_optimum_of_instance_2():
    # Curtois-Qu instance 2: optimum 828 (published, proven). The set-partitioning LP with exact
    # pricing reaches it as a bound, and the integer master finds a roster that meets it.
    problem = read_roster_problem(DATA / "Instance2.txt")
    start = construct(problem, time.perf_counter() + 5)
    got = exact_column_generation(problem, start, time.perf_counter() + 40, seed=0, workers=2)
    assert got.converged and got.bound == 828
    assert got.roster is not None and roster_violations(problem, got.roster) == []
    assert roster_objective(problem, got.roster) == 828
