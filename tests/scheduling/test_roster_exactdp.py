"""The exact row DP (roster_exactdp) finds the same least cost as a CP-SAT model of one employee,
and its rows keep every rule it models."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from ortools.sat.python import cp_model

from planner.bench import read_roster_problem
from planner.scheduling.roster import build_roster_model
from planner.scheduling.roster_check import row_violations
from planner.scheduling.roster_exactdp import cheapest_row, day_costs, supported
from planner.scheduling.rules import (
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftRequest,
    ShiftType,
)
from tests.scheduling.helpers import CURTOIS_DATA as DATA

SCALE = 1000  # the CP-SAT reference works in integers: duals are whole numbers here


def _cp_sat_least(problem: RosterProblem, rules: EmployeeRules, requests, duals) -> int:
    """The least ``own cost - duals`` of a valid row, by CP-SAT (the reference)."""
    own = replace(problem, cover=(), employees=(rules,), requests=tuple(requests))
    rm = build_roster_model(own)
    terms = [-int(duals[d, problem.shift_names.index(s)]) * lit
             for (_, d, s), lit in rm.works.items() if not isinstance(lit, (bool, int))]
    rm.model.Minimize(rm.objective() + sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.Solve(rm.model) == cp_model.OPTIMAL
    return round(solver.ObjectiveValue())


@pytest.mark.parametrize("instance, employees", [(2, 6), (7, 6), (13, 8)])
def test_least_cost_equals_cp_sat_on_benchmark_rows(instance, employees):
    problem = read_roster_problem(DATA / f"Instance{instance}.txt")
    rng = np.random.default_rng(instance)
    n_types = len(problem.shift_names)
    compared = 0
    for rules in problem.employees[:employees]:
        assert supported(problem, rules)
        requests = [r for r in problem.requests if r.employee == rules.employee]
        # Sparse whole-number duals, like a master LP's: most cells at zero.
        duals = (rng.integers(0, 100, (problem.days, n_types))
                 * (rng.random((problem.days, n_types)) < 0.4)).astype(float)
        row, cost = cheapest_row(problem, rules, day_costs(problem, rules, requests, duals))
        broken = row_violations(problem, rules, row)
        # Only a cap per type may break (the DP leaves caps to its caller).
        assert all(" x " in b for b in broken), broken
        if broken:
            continue
        assert round(cost) == _cp_sat_least(problem, rules, requests, duals)
        compared += 1
    assert compared >= employees // 2


def test_weekends_minutes_and_runs_are_counted_exactly():
    # One shift of 8 h; the duals pay 10 for every day, so the best row works as much as the
    # rules allow: at most 5 days in a row, 2 days off between runs, 80 h, one weekend in two.
    problem = RosterProblem(
        days=14,
        shift_types=(ShiftType("D", 480),),
        employees=(EmployeeRules("A", min_minutes=0, max_minutes=80 * 60,
                                 work_sequence=SequenceRule.hard(2, 5),
                                 off_sequence=SequenceRule.hard(2), max_weekends=1),),
        requests=(ShiftRequest("A", 3, None, 4, on=True),),  # wants day 3 off
    )
    rules = problem.employees[0]
    duals = np.full((14, 1), 10.0)
    row, cost = cheapest_row(problem, rules, day_costs(problem, rules, problem.requests, duals))
    assert row_violations(problem, rules, row) == []
    worked = [d for d, s in enumerate(row) if s]
    # 10 days is the most 80 h allows, and they fit with one weekend, the 5-day maximum and
    # 2-day rests; whether the day-3 request is kept is for the costs to say (CP-SAT agrees).
    assert len(worked) == 10
    assert cost == _cp_sat_least(problem, rules, problem.requests, duals)
    weekends = sum(any(d in worked for d in (5 + 7 * k, 6 + 7 * k)) for k in range(2))
    assert weekends <= 1


@pytest.mark.parametrize("work, rest", [(SequenceRule.hard(1), SequenceRule.hard(1)),
                                        (SequenceRule.hard(2), SequenceRule.hard(1, 3)),
                                        (SequenceRule.hard(1, 4), SequenceRule.hard(3))])
def test_open_ended_runs_match_cp_sat(work, rest):
    # Runs without a maximum keep "at least the minimum" as one state that loops on itself; the
    # path back through such states must still be found (a rest minimum of 1 once lost it).
    types = (ShiftType("E", 480), ShiftType("L", 600, cannot_follow=frozenset({"E"})))
    rules = EmployeeRules("A", min_minutes=2400, max_minutes=6000, work_sequence=work,
                          off_sequence=rest, max_weekends=1)
    problem = RosterProblem(days=14, shift_types=types, employees=(rules,),
                            requests=(ShiftRequest("A", 2, "L", 3, on=True),
                                      ShiftRequest("A", 9, None, 2, on=True)))
    rng = np.random.default_rng(7)
    for _ in range(5):
        duals = rng.integers(-1, 40, (14, 2)).astype(float)
        row, cost = cheapest_row(problem, rules,
                                 day_costs(problem, rules, problem.requests, duals))
        assert row_violations(problem, rules, row) == []
        assert round(cost) == _cp_sat_least(problem, rules, problem.requests, duals)
