"""The scheduler end to end on planted centers, re-verified by the independent checker."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InfeasibleError
from planner.io import load_folder
from planner.pipeline import run_stage
from planner.scheduling import check_schedule, make_schedule
from planner.scheduling.problem import read_requirements, read_tiers
from tests.scheduling.helpers import write_center

LIMIT = 6.0


def _dirs(tmp_path):
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    run.mkdir()
    return data, run


def test_requirement_only_one_group_can_cover_is_covered_by_it(tmp_path):
    data, run = _dirs(tmp_path)
    # Four generalists on 'common'; two specialists who also know 'rare'. 'rare' needs one agent
    # on Monday 10:00-14:00 (grid intervals 4..11), 'common' two agents all week.
    agents = [(f"g{i}", 0, 40) for i in range(4)] + [("r1", 0, 40), ("r2", 0, 40)]
    skills = [(f"g{i}", "common", 3) for i in range(4)]
    skills += [("r1", "common", 3), ("r1", "rare", 3), ("r2", "common", 3), ("r2", "rare", 3)]
    write_center(data, run, agents, skills, {"common": 2.0, "rare": {j: 1.0 for j in range(4, 12)}})
    res = run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    cov = res.coverage
    rare = cov[(cov["case_type"] == "rare") & (cov["required"] > 0)]
    assert len(rare) == 8
    assert (rare["scheduled"] >= 1).all(), rare
    on_rare = res.assignments[res.assignments["activity"] == "rare"]
    assert set(on_rare["agent_id"]) <= {"r1", "r2"}
    assert len(on_rare) >= 8
    report = check_schedule(run, data)
    assert report.ok, report.violations[:5]


def test_complex_type_never_below_its_min_tier(tmp_path):
    data, run = _dirs(tmp_path)
    # Everyone has level 5 on 'expert' (min tier high); only h1 is high tier. Demand for 'expert'
    # (3 agents) far exceeds what h1 can give: the others must still never take it.
    agents = [("h1", 0, 40), ("m1", 0, 40), ("m2", 0, 40), ("l1", 0, 40)]
    skills = [(a, c, 5) for a, _, _ in agents for c in ("common", "expert")]
    tiers = {"h1": "high", "m1": "medium", "m2": "medium", "l1": "low"}
    write_center(data, run, agents, skills, {"common": 1.0, "expert": 3.0}, tiers=tiers)
    res = run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    on_expert = res.assignments[res.assignments["activity"] == "expert"]
    assert set(on_expert["agent_id"]) == {"h1"}
    expert = res.summary.set_index("case_type").loc["expert"]
    assert expert["shortfall_hours"] > 0  # reported, not infeasible
    report = check_schedule(run, data)
    assert report.ok, report.violations[:5]
    # The checker catches the same rule broken by hand.
    bad = pd.read_csv(run / "assignments.csv")
    first = bad.index[(bad["agent_id"] != "h1") & (bad["activity"] == "common")][0]
    who = bad.loc[first, "agent_id"]
    bad.loc[first, "activity"] = "expert"
    bad.to_csv(run / "assignments.csv", index=False)
    report = check_schedule(run, data)
    assert any(who in v and "expert" in v for v in report.violations)


def test_transactional_work_prefers_lower_tiers(tmp_path):
    data, run = _dirs(tmp_path)
    # One agent's worth of 'common' (transactional) and of 'rare'; both agents can do both.
    agents = [("hi", 0, 40), ("lo", 0, 40)]
    skills = [(a, c, 4) for a in ("hi", "lo") for c in ("common", "rare")]
    write_center(data, run, agents, skills, {"common": 1.0, "rare": 1.0},
                 tiers={"hi": "high", "lo": "low"})
    res = run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    a = res.assignments
    common = a[a["activity"] == "common"]["agent_id"].value_counts()
    assert common.get("lo", 0) > 3 * common.get("hi", 0)


def test_over_constrained_agent_is_named(tmp_path):
    data, run = _dirs(tmp_path)
    agents = [("a1", 0, 40), ("busy", 30, 40), ("a3", 0, 40)]
    skills = [(a, "common", 3) for a, _, _ in agents]
    # 'busy' needs 30 h but is off Monday to Thursday: one 8 h day at most.
    off = [("busy", f"2026-11-{23 + d}", "00:00", "24:00", "time_off", "") for d in range(4)]
    write_center(data, run, agents, skills, {"common": 2.0}, availability=off)
    res = run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    named = [c for c in res.conflicts if "busy" in c]
    assert named and "30.0 h" in named[0]
    assert not res.schedule.empty  # a partial plan is still written
    report = check_schedule(run, data)
    assert report.ok, report.violations[:5]
    assert any("busy" in c for c in report.conflicts)
    # Moving busy's Friday shift onto Monday (time off) is caught by the checker.
    sched = pd.read_csv(run / "schedule.csv")
    row = sched.index[sched["agent_id"] == "busy"][0]
    for col in ("shift_start", "shift_end"):
        sched.loc[row, col] = sched.loc[row, col].replace(sched.loc[row, "date"], "2026-11-23")
    sched.loc[row, "date"] = "2026-11-23"
    sched.to_csv(run / "schedule.csv", index=False)
    assert any("busy" in v and "time off" in v for v in check_schedule(run, data).violations)


def test_same_seed_same_plan(tmp_path):
    data, run = _dirs(tmp_path)
    agents = [(f"a{i}", 20, 40) for i in range(4)]
    skills = [(a, c, 3) for a, _, _ in agents for c in ("common", "rare")]
    write_center(data, run, agents, skills, {"common": 2.0, "rare": 1.0})
    folder = load_folder(data)
    req = read_requirements(run / "requirements.csv", "UTC")
    # Every stage stops on its own work budget, not on the clock: the plan must not depend on
    # the load of the machine.
    first = make_schedule(folder, req, read_tiers(run / "tiers.csv"), seed=3,
                          compute_bound=False, deterministic=True)
    second = make_schedule(folder, req, None, seed=3, compute_bound=False, deterministic=True)
    for res in (first, second):
        assert not any("time limit" in n for n in res.notes), res.notes
    pd.testing.assert_frame_equal(first.schedule, second.schedule)
    pd.testing.assert_frame_equal(first.assignments, second.assignments)


def test_no_plan_at_all_is_infeasible(tmp_path):
    data, run = _dirs(tmp_path)
    agents = [("a1", 0, 40)]
    off = [("a1", f"2026-11-{23 + d}", "00:00", "24:00", "time_off", "") for d in range(7)]
    write_center(data, run, agents, [("a1", "common", 3)], {"common": 1.0}, availability=off)
    with pytest.raises(InfeasibleError):
        run_stage("schedule", data, run, time_limit=LIMIT, bound=True)


def test_cli_writes_the_three_files_and_a_summary(tmp_path):
    data, run = _dirs(tmp_path)
    agents = [(f"a{i}", 0, 40) for i in range(3)]
    write_center(data, run, agents, [(a, "common", 3) for a, _, _ in agents], {"common": 1.5})
    out = CliRunner().invoke(app, ["schedule", "--data", str(data), "--out", str(run),
                                   "--schedule-seconds", "4", "--seed", "1"])
    assert out.exit_code == 0, out.output
    for name in ("schedule.csv", "assignments.csv", "coverage.csv"):
        assert (run / name).exists()
    assert "shortfall" in out.output and "gap" in out.output
    missing = CliRunner().invoke(app, ["schedule", "--data", str(data), "--out",
                                       str(tmp_path / "nowhere")])
    assert missing.exit_code == 3
