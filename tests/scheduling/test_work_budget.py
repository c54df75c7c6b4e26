"""planner.toml's [schedule] work budget: counts of improvement passes and day re-solve rounds bound
the scheduler's work, and the plan stays the seed's (no clock involved)."""

from __future__ import annotations

import dataclasses

import pandas as pd

from planner.io import load_folder
from planner.io.config import ScheduleConfig
from planner.scheduling import make_schedule
from planner.scheduling.problem import read_requirements
from tests.scheduling.helpers import write_center


def _center(tmp_path):
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    run.mkdir()
    # Demand that changes through the day and the week, more agents than one shift pattern needs:
    # the first roster leaves room for more than one improvement pass and re-solve round.
    agents = [(f"a{i}", 16, 40) for i in range(10)]
    skills = [(a, c, 3) for a, _, _ in agents for c in ("common", "rare")]
    peak = {j: 4.0 + 3.0 * (4 <= j < 12) for j in range(20)}
    write_center(data, run, agents, skills, {"common": peak, "rare": 1.0})
    return load_folder(data), read_requirements(run / "requirements.csv", "UTC")


def _run(folder, req, **budget):
    if budget:
        folder = dataclasses.replace(folder, config=folder.config.model_copy(
            update={"schedule": ScheduleConfig(**budget)}))
    steps: dict[str, int] = {}
    res = make_schedule(folder, req, None, seed=1, compute_bound=False, deterministic=True,
                        progress=lambda stage, _s, _o: steps.__setitem__(stage, steps.get(stage, 0) + 1))
    return res, steps


def test_counts_bound_the_passes_and_rounds_and_the_plan_stays_the_seeds(tmp_path):
    folder, req = _center(tmp_path)
    _, full_steps = _run(folder, req)
    # The premise: without a budget this center takes several passes and rounds.
    assert full_steps.get("improve", 0) >= 2 and full_steps.get("re-solve", 0) >= 2, full_steps
    small, small_steps = _run(folder, req, improvement_passes=1, day_rounds=1)
    assert small_steps.get("improve", 0) == 1 and small_steps.get("re-solve", 0) == 1, small_steps
    _, none_steps = _run(folder, req, improvement_passes=0, day_rounds=0)
    assert "improve" not in none_steps and "re-solve" not in none_steps, none_steps
    again, _ = _run(folder, req, improvement_passes=1, day_rounds=1)
    pd.testing.assert_frame_equal(small.schedule, again.schedule)
