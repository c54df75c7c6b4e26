"""Acceptance: take a skill away from the sample center, so one case type is short; the report names
that type as short, and its top cross-skilling recommendation, applied and re-scheduled with the real
scheduler, reduces the shortfall.

To stay fast the center is the sample's first 16 agents who take billing, returns or order status, on
Monday, with the sample run's requirements for those three types scaled to what 16 agents can carry
(30%). Billing is taken away from all but one of them. The scheduler (CP-SAT, 2 workers) runs with the
same seed and time limit before and after; on this size it gives the same plan for the same input.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.errors import SolverLimitWarning
from planner.io import AGENTS, AVAILABILITY, SKILLS, DataFolder, read_config, read_table, write_csv
from planner.io.contracts import REQUIREMENTS
from planner.report import analyse, read_run
from planner.scheduling import make_schedule

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent / "data"
TYPES = ("order_status", "returns", "billing")
SECONDS = 8.0


def small_center() -> tuple[DataFolder, pd.DataFrame, pd.DataFrame]:
    sample = REPO / "data"
    cfg = read_config(sample / "planner.toml")
    tz = cfg.center.timezone
    tiers = pd.read_csv(HERE / "sample_tiers_16.csv", dtype={"agent_id": str, "tier": str})
    keep = set(tiers["agent_id"])
    agents = read_table(sample / "agents.csv", AGENTS, tz=tz)
    skills = read_table(sample / "skills.csv", SKILLS, tz=tz)
    avail = read_table(sample / "availability.csv", AVAILABILITY, tz=tz)
    skills = skills[skills["agent_id"].isin(keep)].reset_index(drop=True)
    # The planted gap: billing stays with one agent only.
    billing = skills[skills["case_type"] == "billing"]
    skills = skills.drop(billing.index[1:]).reset_index(drop=True)
    folder = DataFolder(sample, cfg, agents=agents[agents["agent_id"].isin(keep)].reset_index(drop=True),
                        skills=skills, availability=avail[avail["agent_id"].isin(keep)].reset_index(drop=True))
    req = read_table(HERE / "sample_requirements_monday.csv", REQUIREMENTS, tz=tz)
    for col in ("agents_net", "agents_gross"):
        req[col] = np.round(req[col] * 0.3).astype("int64")
    return folder, req, tiers


def schedule(folder: DataFolder, req: pd.DataFrame, tiers: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolverLimitWarning)
        return make_schedule(folder, req, tiers, time_limit=SECONDS, seed=0, workers=2,
                             compute_bound=False)


def short_hours(coverage: pd.DataFrame, case_type: str | None = None) -> float:
    c = coverage if case_type is None else coverage[coverage["case_type"] == case_type]
    return float(c["shortfall"].sum() * 0.5)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory):
    folder, req, tiers = small_center()
    plan = schedule(folder, req, tiers)
    run = tmp_path_factory.mktemp("recommend")
    write_csv(req, run / "requirements.csv")
    write_csv(tiers, run / "tiers.csv")
    for name in ("schedule", "assignments", "coverage"):
        write_csv(getattr(plan, name), run / f"{name}.csv")
    return folder, req, tiers, plan, analyse(read_run(run), folder)


@pytest.mark.slow
def test_the_report_names_billing_as_short(planned) -> None:
    _, _, _, plan, rep = planned
    top = rep.shortages.iloc[0]
    assert top["case_type"] == "billing"
    assert top["shortfall_hours"] == pytest.approx(short_hours(plan.coverage, "billing"))
    assert top["eligible_agents"] == 1
    assert top["cause"] == "too few eligible agents"
    assert any(h.startswith("billing is short") for h in rep.headlines)


@pytest.mark.slow
def test_top_cross_skilling_reduces_shortfall_when_rescheduled(planned) -> None:
    folder, req, tiers, plan, rep = planned
    top = rep.training.iloc[0]
    assert top["kind"] == "cross-skill" and top["case_type"] == "billing"
    assert top["fixed_shift_hours"] > 0
    skills, new_tiers = top["_change"].apply(folder.skills, tiers)
    again = schedule(dataclasses.replace(folder, skills=skills), req, new_tiers)
    before, after = short_hours(plan.coverage), short_hours(again.coverage)
    billing_before = short_hours(plan.coverage, "billing")
    billing_after = short_hours(again.coverage, "billing")
    print(f"top recommendation: {top['agent_id']} {top['change']}; shortfall {before:.1f} h -> "
          f"{after:.1f} h in all ({before - after:.1f} h less), billing {billing_before:.1f} -> "
          f"{billing_after:.1f} h; re-planned on fixed shifts: {top['fixed_shift_hours']:.1f} h")
    assert billing_after < billing_before
    assert after < before
