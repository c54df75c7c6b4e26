"""Planned training (training.csv): placement, explanation, the checker, and input validation."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.errors import ContractError
from planner.io import load_folder
from planner.io.writers import write_csv
from planner.pipeline import run_stage
from planner.scheduling import check_schedule
from planner.scheduling.training import best_blocks
from tests.scheduling.helpers import MONDAY, write_center

LIMIT = 6.0
WEDNESDAY = MONDAY + pd.Timedelta(days=2)


def _center(tmp_path, training: dict | None, availability: list[tuple] | None = None,
            min_hours: float = 35):
    """Three agents on 'common', each working five shifts (min 35 h); 'common' needs 3 agents in
    every open interval except on Wednesday, when it needs 1: the three are short all week but
    overstaffed on Wednesday, the cheapest place for training."""
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    run.mkdir()
    agents = [("a1", min_hours, 40), ("a2", min_hours, 40), ("a3", min_hours, 40)]
    if availability:
        agents.append(("off", 0, 40))
    skills = [(a, "common", 3) for a, _, _ in agents]
    write_center(data, run, agents, skills, {"common": 1.0}, availability=availability)
    req = pd.read_csv(run / "requirements.csv", parse_dates=["interval_start"])
    wed = (req["interval_start"] - MONDAY).dt.days == 2
    common = req["case_type"] == "common"
    for col in ("agents_net", "agents_gross"):
        req.loc[common, col] = wed[common].map({True: 1.0, False: 3.0})
    write_csv(req, run / "requirements.csv")
    if training is not None:
        write_csv(pd.DataFrame(training), data / "training.csv")
    return data, run


def _runs(minutes: list[pd.Timestamp]) -> list[int]:
    """Lengths of runs of consecutive 30-minute intervals."""
    out: list[int] = []
    prev = None
    for t in sorted(minutes):
        if prev is not None and t - prev == pd.Timedelta(minutes=30):
            out[-1] += 1
        else:
            out.append(1)
        prev = t
    return out


def test_best_blocks_takes_the_cheapest_blocks_of_minimum_length():
    # Positions 1-2 cost 1 each, 4-6 cost 0: three intervals in blocks of >= 2 go to 4-6; four
    # go to 1-2 and two of 4-6 (a single cheap interval alone would be a block of 1).
    assert best_blocks([[5, 1, 1, 5, 0, 0, 0]], 3, 2) == ([[4, 5, 6]], 3)
    chosen, n = best_blocks([[5, 1, 1, 5, 0, 0, 0]], 4, 2)
    assert n == 4 and chosen[0][:2] == [1, 2] and len(chosen[0]) == 4
    # A run of one position cannot hold a block of 2; only 2 of the 4 wanted fit.
    assert best_blocks([[0], [0, 0]], 4, 2) == ([[], [0, 1]], 2)
    # Equal costs: one block rather than two.
    assert best_blocks([[1, 1, 1, 1]], 2, 1) == ([[0, 1]], 2)


def test_planted_training_is_placed_in_full_in_the_least_needed_intervals(tmp_path):
    # 37.5 h minimum: five full shifts each, so Wednesday keeps all three on full shifts (with
    # 35 h the search may shorten two Wednesday shifts to cut the overstaffing there: stage 1
    # does not see training).
    data, run = _center(tmp_path, {"agent_id": ["a1"], "topic": ["rare"], "hours": [4.0],
                                   "min_block_hours": [1.5]}, min_hours=37.5)
    res = run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    a = res.assignments
    tr = a[(a["activity"] == "training") & (a["agent_id"] == "a1")]
    assert len(tr) == 8  # 4 h on the 30-minute grid
    assert (tr["topic"] == "rare").all()
    # All on Wednesday, the only day the three agents are overstaffed (1 needed, 3 there).
    assert (tr["interval_start"].dt.normalize() == WEDNESDAY).all()
    assert all(n >= 3 for n in _runs(list(tr["interval_start"])))  # blocks >= 1.5 h
    # Stage 2 left the others on 'common'; training took a1 off where 'common' needed least.
    req = res.coverage.set_index(["case_type", "interval_start"])["required"]
    work = a[(a["agent_id"] == "a1") & ~a["activity"].isin(["break", "lunch"])]
    need = req.reindex(pd.MultiIndex.from_arrays([["common"] * len(work), work["interval_start"]]))
    on_training = (work["activity"] == "training").to_numpy()
    assert need[on_training].max() <= need[~on_training].min()
    assert res.training.to_dict("records") == [
        {"agent_id": "a1", "topic": "rare", "upskilling": True, "hours_requested": 4.0,
         "hours_planned": 4.0, "blocks": 2, "reason": ""}]
    sched = res.schedule.set_index(["agent_id", "date"])["training_hours"]
    assert sched.loc[("a1", "2026-11-25")] == 4.0 and sched.sum() == 4.0
    assert (run / "training_plan.csv").exists()
    report = check_schedule(run, data)
    assert report.ok, report.violations[:5]


def test_training_of_an_agent_off_all_week_is_named_and_the_plan_written(tmp_path):
    off = [("off", (MONDAY + pd.Timedelta(days=d)).date().isoformat(), "00:00", "24:00",
            "time_off", None) for d in range(7)]
    data, run = _center(tmp_path, {"agent_id": ["a1", "off", "a2"],
                                   "topic": ["rare", "onboarding", "later"],
                                   "hours": [2.0, 3.0, 1.0],
                                   "earliest": ["", "", "2026-12-07"]}, availability=off)
    res = run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    later = [c for c in res.conflicts if "'later'" in c]
    assert later == ["agent a2 (Agent a2): training 'later' 1 h, planned 0 h: its earliest/latest "
                     "dates lie outside the plan's horizon"]
    named = [c for c in res.conflicts if "training 'onboarding'" in c]
    assert len(named) == 1 and named[0].startswith("agent off ")
    assert "3 h, planned 0 h" in named[0] and "off" in named[0].split(":", 1)[1]
    t = res.training.set_index("agent_id")
    assert t.loc["a1", "hours_planned"] == 2.0 and t.loc["off", "hours_planned"] == 0.0
    assert (run / "assignments.csv").exists()
    report = check_schedule(run, data)
    assert report.ok, report.violations[:5]
    assert any("'onboarding'" in c and "0 h planned of 3 h" in c for c in report.conflicts)


def test_checker_catches_tampered_training(tmp_path):
    data, run = _center(tmp_path, {"agent_id": ["a1"], "topic": ["rare"], "hours": [4.0],
                                   "min_block_hours": [1.5]}, min_hours=37.5)
    run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    path = run / "assignments.csv"
    clean = pd.read_csv(path, dtype={"agent_id": str, "topic": str})
    assert check_schedule(run, data).ok

    # 1. One training interval turned back into 'common': 3.5 h planned with room for 4 h, a
    # block cut below 1.5 h somewhere, and schedule.csv's training_hours no longer agrees.
    bad = clean.copy()
    i = bad.index[bad["activity"] == "training"][0]
    bad.loc[i, ["activity", "topic"]] = ["common", None]
    write_csv(bad, path)
    v = check_schedule(run, data).violations
    assert any("3.5 h planned of 4 h, though its window has room" in m for m in v), v
    assert any("schedule.csv says 4 training hours, the assignments give 3.5" in m for m in v), v

    # 2. Training moved onto a lunch of another day.
    bad = clean.copy()
    j = bad.index[(bad["agent_id"] == "a1") & (bad["activity"] == "lunch")][0]
    bad.loc[j, ["activity", "topic"]] = ["training", "rare"]
    write_csv(bad, path)
    v = check_schedule(run, data).violations
    assert any("training during their lunch" in m for m in v), v
    assert any("4.5 h planned, 4 h requested" in m for m in v), v


def test_bad_training_rows_give_file_row_and_column(tmp_path):
    data, _run = _center(tmp_path, {
        "agent_id": ["a1", "nobody", "a2", "a3", "a1"],
        "topic": ["rare", "x", "y", "z", "onboarding"],
        "hours": [4.0, 2.0, 1.25, 2.0, 39.0],
        "earliest": ["", "", "", "2026-11-26", ""],
        "latest": ["", "", "", "2026-11-24", ""],
        "min_block_hours": ["", "", "", "", "1"],
    })
    with pytest.raises(ContractError) as err:
        load_folder(data)
    got = {(p.row, p.column) for p in err.value.problems}
    assert got == {(3, "agent_id"), (4, "hours"), (5, "latest"), (2, "hours"), (6, "hours")}
    texts = [str(p) for p in err.value.problems]
    assert all("training.csv" in t for t in texts)
    assert any("row 4, column 'hours': got '1.25'; expected a multiple of 0.5 h" in t for t in texts)
    assert any("max_hours (40 h; this agent's rows total 43 h)" in t for t in texts)


def test_training_csv_types_are_checked_row_by_row(tmp_path):
    data, _run = _center(tmp_path, {"agent_id": ["a1"], "topic": ["rare"], "hours": ["four"]})
    with pytest.raises(ContractError) as err:
        load_folder(data)
    (p,) = err.value.problems
    assert (p.row, p.column, p.value) == (2, "hours", "four")


def test_a_surplus_agent_steps_in_for_the_trainee(tmp_path):
    from planner.scheduling.activities import DayPlan
    from planner.scheduling.export import scheduled_matrix
    from planner.scheduling.problem import TrainingSession, build_problem, read_requirements
    from planner.scheduling.training import place_training

    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    run.mkdir()
    agents = [("a1", 0, 40), ("a2", 0, 40), ("a3", 0, 40)]
    skills = [("a1", "common", 3), ("a1", "rare", 3), ("a2", "common", 3), ("a2", "rare", 3),
              ("a3", "common", 3)]
    write_center(data, run, agents, skills, {"common": 1.0, "rare": 1.0})
    folder = load_folder(data)
    problem = build_problem(folder, read_requirements(run / "requirements.csv", "UTC"))
    # Monday 08:00-16:00 for all three, no breaks: a1 on rare, a2 and a3 on common (a surplus of 1).
    k = next(k for k in problem.allowed[0][0] if problem.templates[k].start_minute == 480
             and problem.templates[k].length_minutes == 480)
    ts = range(problem.grid.index(0, 480), problem.grid.index(0, 960))
    shifts = {(i, 0): k for i in range(3)}
    acts = {0: {t: "rare" for t in ts}, 1: {t: "common" for t in ts}, 2: {t: "common" for t in ts}}
    plan = DayPlan({}, acts, {}, {}, {}, 0.0)
    problem.training = (TrainingSession(agent=0, topic="x", intervals=4, min_block=2,
                                        first_day=0, last_day=0),)
    scheduled = scheduled_matrix(problem, plan)
    rare = problem.activities.index("rare")
    out = place_training(problem, shifts, plan, scheduled)
    trained = sorted(t for (i, t) in out.topic if i == 0)
    assert len(trained) == 4 and trained == list(range(trained[0], trained[0] + 4))
    assert all(plan.activity[1][t] == "rare" for t in trained)  # a2 took over rare
    assert all(plan.activity[1][t] == "common" for t in ts if t not in trained)
    assert (scheduled[rare, list(ts)] == 1).all()  # rare never left uncovered
    assert out.table["hours_planned"].tolist() == [2.0]


def test_an_agent_without_minimum_hours_gets_a_shift_to_hold_their_training(tmp_path):
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    run.mkdir()
    # No requirement at all and no minimum hours: without training nobody would be scheduled.
    write_center(data, run, [("t1", 0, 40), ("t2", 0, 40)], [("t1", "common", 3),
                                                            ("t2", "common", 3)], {})
    write_csv(pd.DataFrame({"agent_id": ["t1"], "topic": ["onboarding"], "hours": [5.0]}),
              data / "training.csv")
    res = run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    assert any(n.startswith("agent t1: minimum paid hours raised from 0.0 h to") for n in res.notes)
    assert set(res.schedule["agent_id"]) == {"t1"}
    assert res.training["hours_planned"].tolist() == [5.0] and not res.conflicts
    report = check_schedule(run, data)
    assert report.ok, report.violations[:5]


def test_checker_catches_a_training_block_below_the_minimum(tmp_path):
    data, run = _center(tmp_path, {"agent_id": ["a1"], "topic": ["rare"], "hours": [4.0],
                                   "min_block_hours": [1.5]})
    run_stage("schedule", data, run, time_limit=LIMIT, seed=0, bound=True)
    path = run / "assignments.csv"
    asg = pd.read_csv(path, dtype={"agent_id": str, "topic": str})
    tr = asg[asg["activity"] == "training"]
    # Swap the second interval of the first block with a 'common' interval of the same shift
    # outside the blocks: hours stay 4, but the block is cut into pieces of 0.5 h and more.
    first = tr.index[1]
    same_day = pd.to_datetime(asg["interval_start"]).dt.date == pd.to_datetime(
        asg.loc[first, "interval_start"]).date()
    spare = asg.index[same_day & (asg["agent_id"] == "a1") & (asg["activity"] == "common")][0]
    asg.loc[first, ["activity", "topic"]] = ["common", None]
    asg.loc[spare, ["activity", "topic"]] = ["training", "rare"]
    write_csv(asg, path)
    v = check_schedule(run, data).violations
    assert any("a block of 0.5 h" in m and "(minimum 1.5 h)" in m for m in v), v
