"""The day-wise re-solve of stage 1: legal options only, planted gains found, never worse."""

from __future__ import annotations

import time

from planner.scheduling.activities import plan_days
from planner.scheduling.bound import coverage_cost
from planner.scheduling.dayfix import OFF, _row_ok, day_options, improve_days
from planner.scheduling.export import scheduled_matrix
from planner.scheduling.greedy import greedy_roster
from planner.scheduling.synthetic import write_center as write_generated
from planner.scheduling.week import roster_problem
from tests.scheduling.helpers import built_problem as _problem
from tests.scheduling.helpers import data_and_run as _dirs
from tests.scheduling.helpers import write_center


def _cost(problem, shifts) -> float:
    return coverage_cost(problem, scheduled_matrix(problem, plan_days(problem, shifts, 10.0)))


def test_options_keep_the_minimum_hours(tmp_path):
    data, run = _dirs(tmp_path)
    # 37.5 h minimum = five 8-hour shifts (450 paid minutes each): on a worked day neither a day
    # off nor a 6-hour shift keeps the week legal, any 8-hour start does.
    write_center(data, run, [("a", 37.5, 40)], [("a", "common", 3)], {"common": 1.0})
    problem = _problem(data, run)
    eight = [k for k, t in enumerate(problem.templates) if t.paid_minutes == 450]
    assert len(eight) == 3
    shifts = {(0, d): eight[0] for d in range(5)}
    rp = roster_problem(problem)
    assert sorted(day_options(problem, rp, shifts, 0, 2)) == sorted(eight)
    # Within an hour of the current start (the default window) only two of them.
    assert sorted(day_options(problem, rp, shifts, 0, 2, 60)) == sorted(eight[:2])


def test_a_planted_better_shift_is_found(tmp_path):
    data, run = _dirs(tmp_path)
    # One agent is needed on Monday 14:00-18:00 only (grid intervals 12..19 of 08:00 + 30 min);
    # the roster puts them on 08:00-14:00. Re-solving Monday moves the shift to end at 18:00.
    write_center(data, run, [("a", 0, 40)], [("a", "common", 3)],
                 {"common": {j: 1.0 for j in range(12, 20)}})
    problem = _problem(data, run)
    early = next(k for k, t in enumerate(problem.templates)
                 if t.start_minute == 480 and t.paid_minutes == 330)
    before = {(0, 0): early}
    after = improve_days(problem, before, window=None)
    assert set(after) == {(0, 0)}
    assert problem.templates[after[(0, 0)]].end_minute == 18 * 60
    assert _cost(problem, after) < _cost(problem, before)


def test_generated_center_gets_better_and_stays_legal(tmp_path):
    data, run = _dirs(tmp_path)
    write_generated(data, run, 40, n_types=8, interval=30, seed=1)
    problem = _problem(data, run)
    t0 = time.perf_counter()
    greedy = greedy_roster(problem, seed=0, improve_until=t0 + 1.0)
    # The deadline is a guard (a few seconds on a quiet machine): with 5 s, a machine at load 12
    # finished no day.
    after = improve_days(problem, greedy.shifts, relax=greedy.relaxed,
                         deadline=time.perf_counter() + 60.0)
    rp = roster_problem(problem, relax=greedy.relaxed)
    for i in range(len(problem.agents)):
        row = [after.get((i, d), OFF) for d in range(problem.grid.days)]
        assert _row_ok(problem, rp, i, row), problem.agents[i].agent_id
    assert after != greedy.shifts
    assert _cost(problem, after) < _cost(problem, greedy.shifts)
