"""Fairness: the definitions on hand-made shifts, the table on a hand-made plan, and a small 24/7
center whose fair answer is known."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.analysis.fairness import fairness_spread, fairness_table
from planner.domain import night_minutes, shift_kind
from planner.scheduling.fairness import fair_cost


def test_night_and_late_shifts_by_their_hours():
    assert night_minutes(0, 480) == 360  # 00:00-08:00: 00:00-06:00 is night time
    assert night_minutes(20 * 60, 28 * 60) == 300  # 20:00-04:00: 23:00-04:00
    assert night_minutes(9 * 60, 17 * 60) == 0
    assert shift_kind(18 * 60, 26 * 60) == "nights"  # 3 h of night time: 23:00-02:00
    assert shift_kind(17 * 60, 25 * 60) == "lates"  # 2 h only: a late shift
    assert shift_kind(4 * 60, 12 * 60) is None  # 04:00-06:00: 2 h, ends by 20:00
    assert shift_kind(12 * 60, 20 * 60) is None  # ends at 20:00, not after
    assert shift_kind(12 * 60 + 30, 20 * 60 + 30) == "lates"


def test_fair_cost_has_two_tiers():
    # Share 1.75: a first tier above 1, a steep one (x10) above 2; share 2: both above 2.
    assert fair_cost([1], [1.75], 7) == 0
    assert fair_cost([2], [1.75], 7) == 7
    assert fair_cost([3], [1.75], 7) == 7 * 2 + 70
    assert fair_cost([2, 0, 3], [2.0, 0.0, 1.0], 1) == 0 + 0 + (2 + 20)
    assert fair_cost([3], [2.0], 1) == 1 + 10


def test_table_counts_a_hand_made_plan():
    agents = pd.DataFrame({"agent_id": ["a", "b", "c"], "name": ["A", "B", "C"],
                           "min_hours": [30.0, 30.0, 16.0], "max_hours": [40.0, 40.0, 24.0]})
    # 2026-11-28 is a Saturday. a: two nights (one on Saturday) and a late; b: one day shift on
    # Sunday; c (another contract): a night.
    rows = [("a", "2026-11-26", "2026-11-26 22:00", "2026-11-27 06:00"),
            ("a", "2026-11-28", "2026-11-28 00:00", "2026-11-28 08:00"),
            ("a", "2026-11-24", "2026-11-24 14:00", "2026-11-24 22:00"),
            ("b", "2026-11-29", "2026-11-29 09:00", "2026-11-29 17:00"),
            ("c", "2026-11-25", "2026-11-25 22:00", "2026-11-26 06:00")]
    schedule = pd.DataFrame(rows, columns=["agent_id", "date", "shift_start", "shift_end"])
    availability = pd.DataFrame({
        "agent_id": ["a", "b", "b"],
        "date": pd.to_datetime(["2026-11-24", "2026-11-29", "2026-11-30"]),
        "start": [18 * 60, 0, 0], "end": [0, 12 * 60, 0],
        "kind": ["unavailable", "unavailable", "unavailable"], "weight": [2.0, 1.0, 1.0]})
    t = fairness_table(schedule, agents, availability, min_hours=0, max_hours=40, max_days=5)
    t = t.set_index("agent_id")
    assert t.loc["a", "group"] == t.loc["b", "group"] == "30-40 h, 5 days"
    assert t.loc["c", "group"] == "16-24 h, 5 days"
    assert t["nights"].to_dict() == {"a": 2, "b": 0, "c": 1}
    assert t["lates"].to_dict() == {"a": 1, "b": 0, "c": 0}
    assert t["weekend_days"].to_dict() == {"a": 1, "b": 1, "c": 0}
    assert t.loc["a", "nights_above"] == 1.0 and t.loc["b", "nights_above"] == -1.0
    assert t.loc["c", "nights_above"] == 0.0  # alone in their group
    # a's wish (18:00-24:00 on the 24th) is broken by the 14:00-22:00 shift; b keeps the 30th's
    # but not the 29th's morning.
    assert t["wishes"].to_dict() == {"a": 1, "b": 2, "c": 0}
    assert t["wishes_granted"].to_dict() == {"a": 0, "b": 1, "c": 0}
    spread = fairness_spread(t.reset_index()).set_index(["group", "kind"])
    full = spread.loc[("30-40 h, 5 days", "nights")]
    assert (full["fair_share"], full["least"], full["most"], full["spread"]) == (1.0, 0, 2, 2)
    assert spread.loc[("30-40 h, 5 days", "wishes granted (share)"), "spread"] == 0.5


@pytest.mark.parametrize("weight", [1.0])
def test_small_center_spreads_nights_and_weekends_within_one_of_the_fair_share(tmp_path, weight):
    # 7 nights and 4 weekend shifts for 4 identical agents: the fair answer gives everyone one
    # or two nights (share 1.75) and one or two weekend days, with every shift covered.
    from planner.pipeline import run_stage
    from planner.scheduling import check_schedule
    from tests.scheduling.helpers import data_and_run, night_center

    data, run = data_and_run(tmp_path)
    night_center(data, run)
    res = run_stage("schedule", data, run, time_limit=20, seed=0, bound=False,
                    deterministic=True)
    assert check_schedule(run, data).ok
    assert res.shortfall_hours == 0
    table = pd.read_csv(run / "fairness.csv", dtype={"agent_id": str}).set_index("agent_id")
    assert set(table["nights"]) <= {1, 2}
    assert table["weekend_days"].max() - table["weekend_days"].min() <= 1
    assert table["nights_above"].max() <= 1 and table["weekend_days_above"].max() <= 1


def test_day_costs_are_the_difference_of_whole_row_costs(tmp_path):
    # dayfix prices one day at a time: each template's price must equal what the whole row
    # costs with it less what it costs with the day off.
    import numpy as np

    from planner.io import load_folder
    from planner.scheduling.fairness import agent_fair_cost, day_fair_costs
    from planner.scheduling.problem import build_problem, read_requirements
    from tests.scheduling.helpers import data_and_run, night_center

    data, run = data_and_run(tmp_path)
    night_center(data, run)
    problem = build_problem(load_folder(data), read_requirements(run / "requirements.csv", "UTC"))
    problem.fair_shares = np.array([[1.75, 0.4, 1.0]] * 4)
    rng = np.random.default_rng(0)
    for _ in range(40):
        i, d = int(rng.integers(4)), int(rng.integers(7))
        others = {e: int(rng.choice(problem.allowed[i][e])) for e in range(7)
                  if e != d and rng.random() < 0.6}
        got = day_fair_costs(problem, i, others, d, problem.allowed[i][d], 100)
        off = agent_fair_cost(problem, i, others, 100)
        assert got == {k: agent_fair_cost(problem, i, {**others, d: k}, 100) - off
                       for k in problem.allowed[i][d]}


def test_training_raised_minimum_keeps_the_contracts_fairness_group(tmp_path):
    from planner.io.writers import write_csv
    from tests.scheduling.helpers import built_problem, data_and_run, write_center

    data, run = data_and_run(tmp_path)
    agents = [("t1", 0, 40), ("t2", 0, 40), ("p1", 0, 20)]
    write_center(data, run, agents, [(a, "common", 3) for a, _, _ in agents], {"common": 1.0})
    write_csv(pd.DataFrame({"agent_id": ["t1"], "topic": ["onboarding"], "hours": [5.0]}),
              data / "training.csv")
    problem = built_problem(data, run)
    t1, t2, _ = problem.agents
    assert t1.min_minutes > t2.min_minutes == 0  # the raise to hold the training
    groups = problem.fair_groups
    assert groups[0] == groups[1] != groups[2]
