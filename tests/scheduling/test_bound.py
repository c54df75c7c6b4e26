"""The LP lower bound with the whole-agent chord cuts: tighter than the plain LP, still below plans."""

from __future__ import annotations

from planner.io import load_folder
from planner.pipeline import run_stage
from planner.scheduling.bound import coverage_lower_bound
from planner.scheduling.problem import build_problem, read_requirements, read_tiers
from tests.scheduling.helpers import write_center


def test_half_an_agent_costs_at_least_the_cheaper_rounding(tmp_path):
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    run.mkdir()
    # Half an agent on 'common' in each of the 100 open intervals. The plain LP meets that with
    # half agents (at a small cost for the edges of the day only); a plan has 0 or 1 agent
    # there: at least min(100 * 5, 1 * 5) = 5 of cost per interval, so 500 in all.
    agents = [(f"g{i}", 0, 40) for i in range(4)]
    skills = [(f"g{i}", "common", 3) for i in range(4)]
    write_center(data, run, agents, skills, {"common": 0.5})
    folder = load_folder(data)
    problem = build_problem(folder, read_requirements(run / "requirements.csv",
                                                      folder.config.center.timezone),
                            read_tiers(run / "tiers.csv"))
    plain = coverage_lower_bound(problem, integer_cuts=False)
    cut = coverage_lower_bound(problem)
    assert plain is not None and cut is not None
    assert cut >= 500.0 - 1e-6
    assert cut >= plain + 400.0
    res = run_stage("schedule", data, run, time_limit=6.0, seed=0, bound=True)
    assert res.bound is not None and res.bound >= 500.0 - 1e-6
    assert res.objective >= res.bound - 1e-6
