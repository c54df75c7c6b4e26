"""Multi-week rotations: weekly limits per calendar week, every other weekend off, whole weekends.

The roster core's model is held to the plain-Python row check by enumeration; the independent
checker is held to a count made here from schedule.csv alone, and to a planted violation."""

from __future__ import annotations

import itertools

import pandas as pd
from ortools.sat.python import cp_model

from planner.scheduling.roster import build_roster_model
from planner.scheduling.roster_check import row_violations
from planner.scheduling.rules import (
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftType,
    WeekLimit,
    calendar_weeks,
    weekend_days,
)
from planner.scheduling.synthetic import write_center as write_generated
from tests.scheduling.helpers import data_and_run as _dirs


def test_calendar_weeks_cut_at_mondays_and_a_week_is_its_own_horizon():
    # Day 0 a Wednesday, 15 days: Wed-Sun, Mon-Sun, Mon-Wed.
    assert calendar_weeks(2, 15) == [range(0, 5), range(5, 12), range(12, 15)]
    assert calendar_weeks(0, 28) == [range(0, 7), range(7, 14), range(14, 21), range(21, 28)]
    assert calendar_weeks(4, 7) == [range(0, 7)]  # one week from a Friday: one block
    # Day 0 a Saturday: weekends at days 0-1, 7-8 and a lone Saturday at the end.
    assert weekend_days(5, 15) == [(0, 1), (7, 8), (14,)]
    assert weekend_days(6, 8) == [(0,), (6, 7)]


class _Collect(cp_model.CpSolverSolutionCallback):
    """Record each solution's row of shifts (15 days)."""

    def __init__(self, works, found):
        super().__init__()
        self.works, self.found = works, found

    def on_solution_callback(self):
        row = [None] * 15
        for (_, d, s), lit in self.works.items():
            if self.BooleanValue(lit):
                row[d] = s
        self.found.add(tuple(row))


def _problem(in_row: int, whole: bool) -> RosterProblem:
    # 15 days from a Saturday; one shift type of 8 h; three calendar weeks of 2, 7 and 6 days.
    weeks = (WeekLimit(range(0, 2), 0, 960, 2), WeekLimit(range(2, 9), 960, 1920, 4),
             WeekLimit(range(9, 15), 0, 1920, 4))
    rules = EmployeeRules("a", work_sequence=SequenceRule.hard(0, 5), weeks=weeks,
                          max_weekends_in_row=in_row, whole_weekends=whole)
    return RosterProblem(15, (ShiftType("E", 480),), (rules,), first_weekday=5)


def test_model_and_row_check_agree_on_every_row():
    for in_row, whole in ((1, False), (1, True), (2, True)):
        problem = _problem(in_row, whole)
        rules = problem.employees[0]
        expected = {row for row in itertools.product([None, "E"], repeat=15)
                    if not row_violations(problem, rules, row)}
        rm = build_roster_model(problem)
        found: set[tuple] = set()
        solver = cp_model.CpSolver()
        solver.parameters.enumerate_all_solutions = True
        solver.parameters.num_workers = 1
        solver.Solve(rm.model, _Collect(rm.works, found))
        assert found == expected, (in_row, whole)
        assert expected
        # Planted: no feasible row works two weekends in a row with in_row = 1, and with whole
        # weekends none works one day of a full weekend.
        for row in expected:
            worked = [any(row[d] for d in wk) for wk in problem.weekends()]
            if in_row == 1:
                assert not any(a and b for a, b in itertools.pairwise(worked))
            if whole:
                assert bool(row[7]) == bool(row[8]) and bool(row[0]) == bool(row[1])
            assert 2 <= sum(1 for d in range(2, 9) if row[d]) <= 4  # 960-1920 min, 4 days


def test_row_check_names_each_planted_break():
    problem = _problem(1, True)
    rules = problem.employees[0]
    ok = [None] * 15
    for d in (0, 1, 2, 3, 9, 10):
        ok[d] = "E"
    assert row_violations(problem, rules, ok) == []
    two_in_row = list(ok)
    two_in_row[7] = two_in_row[8] = "E"
    assert any("weekends in a row" in m for m in row_violations(problem, rules, two_in_row))
    half = list(ok)
    half[0] = None
    assert any("one day of the weekend" in m for m in row_violations(problem, rules, half))
    long_week = list(ok)
    for d in (4, 5, 6):
        long_week[d] = "E"
    assert any("days in the week from day 2" in m or "min in the week from day 2" in m
               for m in row_violations(problem, rules, long_week))


def _weekends_in_row(schedule: pd.DataFrame) -> dict[str, int]:
    """Per agent, their longest run of worked weekends, counted from schedule.csv alone."""
    dates = pd.to_datetime(schedule["date"])
    weekend = schedule.assign(week=(dates - pd.Timestamp("2026-11-23")).dt.days // 7)[
        dates.dt.day_of_week >= 5]
    out = {}
    for agent, weeks in weekend.groupby("agent_id")["week"]:
        run = best = 0
        prev = None
        for w in sorted(set(weeks)):
            run = run + 1 if prev is not None and w == prev + 1 else 1
            best, prev = max(best, run), w
        out[agent] = best
    return out


def test_rotation_holds_every_other_weekend_off_and_the_checker_catches_a_break(tmp_path):
    from planner.pipeline import run_stage
    from planner.scheduling import check_schedule

    data, run = _dirs(tmp_path)
    write_generated(data, run, 14, n_types=8, interval=30, seed=3, weeks=3,
                    shift_rules={"max_weekends_in_row": 1})
    run_stage("schedule", data, run, time_limit=15, seed=0, bound=False)
    report = check_schedule(run, data)
    assert report.ok, report.violations[:5]
    schedule = pd.read_csv(run / "schedule.csv", dtype={"agent_id": str})
    runs = _weekends_in_row(schedule)
    assert runs and max(runs.values()) == 1
    # Planted: an agent who works the first weekend also gets the second weekend's Saturday
    # (a copy of their first Saturday's row one week on).
    first_sat = schedule[schedule["date"] == "2026-11-28"]
    agent = first_sat["agent_id"].iloc[0]
    planted = first_sat[first_sat["agent_id"] == agent].copy()
    for col in ("shift_start", "shift_end"):
        planted[col] = (pd.to_datetime(planted[col]) + pd.Timedelta(days=7)).dt.strftime(
            "%Y-%m-%dT%H:%M:%S")
    planted["date"] = "2026-12-05"
    keep = ~((schedule["agent_id"] == agent) & (schedule["date"] == "2026-12-05"))
    pd.concat([schedule[keep], planted]).to_csv(run / "schedule.csv", index=False)
    broken = check_schedule(run, data)
    named = [m for m in broken.violations if "weekends in a row" in m]
    assert named == [f"agent {agent}: 2 weekends in a row worked up to the weekend of day 12 "
                     "(max 1)"]


def test_checker_flags_exactly_the_agents_a_count_of_the_file_finds(tmp_path):
    # A plan made without the rule, checked with it: the checker names exactly the agents whose
    # worked weekends, counted here from schedule.csv, run two in a row.
    from planner.io.writers import write_text
    from planner.pipeline import run_stage
    from planner.scheduling import check_schedule

    data, run = _dirs(tmp_path)
    write_generated(data, run, 14, n_types=8, interval=30, seed=4, weeks=2)
    run_stage("schedule", data, run, time_limit=10, seed=0, bound=False)
    assert check_schedule(run, data).ok
    schedule = pd.read_csv(run / "schedule.csv", dtype={"agent_id": str})
    expected = {a for a, n in _weekends_in_row(schedule).items() if n >= 2}
    assert expected  # the generated center needs weekend work from most agents
    toml = (data / "planner.toml").read_text()
    write_text(toml.replace("[shifts]\n", "[shifts]\nmax_weekends_in_row = 1\n"),
               data / "planner.toml")
    flagged = {m.split(":")[0].removeprefix("agent ")
               for m in check_schedule(run, data).violations if "weekends in a row" in m}
    assert flagged == expected
