"""Weekends planned from whole rows (planner.bench.weekend_rows): a plan that the pattern program gets
wrong because a rule spans the weekdays, and valid rows on a benchmark instance."""

from __future__ import annotations

import time

import pytest

from planner.bench import read_roster_problem
from planner.bench.weekend_plan import plan_weekends
from planner.bench.weekend_rows import plan_weekend_rows, wants_weekend_rows
from planner.scheduling.roster import roster_objective
from planner.scheduling.roster_check import roster_violations
from planner.scheduling.roster_horizon import best_response
from planner.scheduling.roster_rowdp import demand_matrix, dp_row
from planner.scheduling.rules import (
    DayCover,
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftRequest,
    ShiftType,
)
from tests.scheduling.helpers import CURTOIS_DATA as DATA


def _problem() -> RosterProblem:
    # A works runs of at least 3 days and is off on Friday 4 and Monday 7, so the first weekend
    # (5, 6) is out of reach, though A asks to work Saturday 5; B works one weekend at most.
    # One D wanted on every weekend day.
    staff = (EmployeeRules("A", work_sequence=SequenceRule.hard(3, 5), max_weekends=2,
                           days_off=frozenset({4, 7})),
             EmployeeRules("B", max_weekends=1))
    cover = tuple(DayCover(d, "D", 1 if d % 7 in (5, 6) else 0, 100, 1) for d in range(14))
    return RosterProblem(14, (ShiftType("D", 480),), staff,
                         (ShiftRequest("A", 5, "D", 5, True),), cover)


def test_weekend_rows_see_the_rules_that_span_the_weekdays():
    problem = _problem()
    # Priced by the weekend days alone, the pattern program grants A's request: a weekend no
    # row of A can complete.
    plan = plan_weekends(problem, 10, whole_rows=False)
    assert plan.cells[("A", 5)] == "D"
    held = {d: plan.cells[("A", d)] for d in (5, 6, 12, 13)}
    assert dp_row(problem, problem.employees[0], demand_matrix(problem, {}), problem.requests,
                  fixed=held) is None
    # Priced by whole rows it does not (no valid row of A works Saturday 5).
    plan = plan_weekends(problem, 10)
    assert plan.cells[("A", 5)] is None and plan.cells[("B", 5)] == "D"
    # From whole rows: A covers the second weekend, B the first, and only the request is lost.
    rows = plan_weekend_rows(problem, time.perf_counter() + 10)
    assert rows is not None
    assert rows.objective == pytest.approx(5)
    assert roster_violations(problem, rows.roster) == []
    assert all(rows.roster.get(cell) == s for cell, s in rows.weekend_cells.items())
    assert [d for (e, d), s in rows.weekend_cells.items() if e == "A" and s] == [12, 13]
    assert [d for (e, d), s in rows.weekend_cells.items() if e == "B" and s] == [5, 6]
    # The weekdays were priced at nothing (here over-covered); best-response rounds with the
    # weekends held leave only the request.
    held = {}
    for (e, d), s in rows.weekend_cells.items():
        held.setdefault(e, {})[d] = s
    roster = best_response(problem, rows.roster, time.perf_counter() + 5, fixed=held)
    assert roster_objective(problem, roster) == 5
    assert roster_violations(problem, roster) == []


def test_weekend_rows_give_valid_rows_on_instance_19():
    problem = read_roster_problem(DATA / "Instance19.txt")
    assert wants_weekend_rows(problem)
    assert not wants_weekend_rows(read_roster_problem(DATA / "Instance18.txt"))  # 22 staff
    rows = plan_weekend_rows(problem, time.perf_counter() + 3)
    assert rows is not None
    assert roster_violations(problem, rows.roster) == []
    weekend = {d for w in problem.weekends() for d in w}
    assert {d for _, d in rows.weekend_cells} == weekend
    assert len(rows.weekend_cells) == len(problem.employees) * len(weekend)
