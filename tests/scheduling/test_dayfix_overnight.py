"""The day re-solve on a center open around the clock: shifts that cross midnight, the days
before and after held fixed, and a week with a daylight-saving night."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.io.writers import write_csv, write_text
from planner.scheduling.activities import plan_days
from planner.scheduling.bound import coverage_cost
from planner.scheduling.dayfix import OFF, _row_ok, improve_days
from planner.scheduling.export import scheduled_matrix
from planner.scheduling.week import roster_problem
from tests.scheduling.helpers import built_problem, data_and_run

TOML = """horizon_days = 7
seed = 0

[center]
interval_minutes = 15
timezone = "{tz}"
opening_hours = {{ mon = "24h", tue = "24h", wed = "24h", thu = "24h", fri = "24h", sat = "24h", sun = "24h" }}

[case_types.common]
complexity = "transactional"

[shifts]
lengths_hours = [8.0]
start_step_minutes = 60
break_minutes = 0
lunch_min_shift_hours = 10.0
min_rest_hours = 11.0
max_consecutive_days = 5
days_off_per_week = 2
allow_overnight = true
max_hours = 40.0
"""


def _center(tmp_path, agents: list[str], need: list[tuple[str, str]], tz: str = "UTC",
            monday: str = "2026-11-23"):
    """``need``: (from, to) local times at which one agent is required (else none)."""
    data, run = data_and_run(tmp_path)
    write_text(TOML.format(tz=tz), data / "planner.toml")
    write_csv(pd.DataFrame([(a, a, 0, 40) for a in agents],
                           columns=["agent_id", "name", "min_hours", "max_hours"]),
              data / "agents.csv")
    write_csv(pd.DataFrame([(a, "common", 3) for a in agents],
                           columns=["agent_id", "case_type", "level"]), data / "skills.csv")
    write_csv(pd.DataFrame({"case_type": ["common"], "interval_start": ["2026-11-16T09:00:00"],
                            "volume": [1.0]}), data / "volumes.csv")
    start = pd.Timestamp(monday)
    stamps = pd.date_range(start, start + pd.Timedelta(days=7), freq="15min", inclusive="left")
    if tz != "UTC":  # only the local times that exist
        stamps = stamps[stamps.tz_localize(tz, nonexistent="NaT", ambiguous=False).notna()]
    value = np.zeros(len(stamps))
    for lo, hi in need:
        value[(stamps >= pd.Timestamp(lo)) & (stamps < pd.Timestamp(hi))] = 1.0
    write_csv(pd.DataFrame({"case_type": "common", "interval_start": stamps,
                            "agents_net": value, "agents_gross": value}),
              run / "requirements.csv")
    return built_problem(data, run)


def _template(problem, start_hour: int) -> int:
    return next(k for k, t in enumerate(problem.templates) if t.start_minute == 60 * start_hour)


def _cost(problem, shifts) -> float:
    return coverage_cost(problem, scheduled_matrix(problem, plan_days(problem, shifts, 10.0)))


def test_a_planted_night_shift_is_found(tmp_path):
    # One agent is needed from Monday 20:00 to Tuesday 04:00; the roster has them on Monday
    # 08:00-16:00. Re-solving Monday moves the shift across midnight.
    problem = _center(tmp_path, ["a"], [("2026-11-23 20:00", "2026-11-24 04:00")])
    before = {(0, 0): _template(problem, 8)}
    after = improve_days(problem, before, window=None)
    assert set(after) == {(0, 0)}
    assert problem.templates[after[(0, 0)]].start_minute == 20 * 60
    assert problem.templates[after[(0, 0)]].end_minute == 28 * 60
    assert _cost(problem, before) > 0
    assert _cost(problem, after) == 0


def test_the_next_days_shift_is_counted_on_the_night_it_covers(tmp_path):
    # Needed: one agent Monday 16:00-24:00 and one Tuesday 00:00-06:00. Agent b works Tuesday
    # 00:00-08:00. Seen alone, Monday's demand is met as well by a night shift 20:00-04:00 or
    # 22:00-06:00 as by 16:00-24:00; with b's Tuesday shift on the same night only 16:00-24:00
    # leaves no agent over.
    problem = _center(tmp_path, ["a", "b"], [("2026-11-23 16:00", "2026-11-24 00:00"),
                                             ("2026-11-24 00:00", "2026-11-24 06:00")])
    before = {(0, 0): _template(problem, 8), (1, 1): _template(problem, 0)}
    after = improve_days(problem, before, window=None)
    assert after[(1, 1)] == _template(problem, 0)
    assert problem.templates[after[(0, 0)]].start_minute == 16 * 60
    # Short 08:00-16:00's opposite before: 8 h short and 8 h over; after, 2 h over (b's 06-08).
    h = problem.interval / 60
    assert _cost(problem, after) < _cost(problem, before)
    sched = scheduled_matrix(problem, plan_days(problem, after, 10.0))
    req = problem.required[:, :sched.shape[1]]
    assert float(np.maximum(0, req - sched[:, :req.shape[1]]).sum()) * h == 0


def test_a_week_with_the_clocks_going_forward(tmp_path):
    # Europe/Berlin, the week of 23 March 2026: the clocks go from 02:00 to 03:00 on Sunday 29.
    # One agent is needed every night 22:00-06:00; the roster starts everyone on days.
    need = [(f"2026-03-{23 + d} 22:00", f"2026-03-{24 + d} 06:00") for d in range(6)]
    need.append(("2026-03-29 22:00", "2026-03-30 00:00"))
    agents = ["a", "b", "c"]
    problem = _center(tmp_path, agents, need, tz="Europe/Berlin", monday="2026-03-23")
    day = _template(problem, 8)
    before = {(i, d): day for i in range(3) for d in range(7) if (d + i) % 7 < 4}
    after = improve_days(problem, before, window=None)
    rp = roster_problem(problem)
    for i in range(3):
        assert _row_ok(problem, rp, i, [after.get((i, d), OFF) for d in range(7)])
    assert _cost(problem, after) < 0.5 * _cost(problem, before)
    # The Saturday night shift (Sat 22:00 - Sun 06:00) crosses the missing hour.
    assert any(d == 5 and problem.templates[k].start_minute == 22 * 60
               for (_, d), k in after.items())
