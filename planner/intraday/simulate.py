"""The rest of the day simulated under the routing policy: the kept plan against the re-plan.

Both plans meet the same customers (the same seed: common random numbers, so the difference is far
less noisy than either figure), drawn from the updated forecast of the rest of the day. The day is
simulated from the re-plan start with an empty queue (the cases waiting at that moment are not
known to the plan), so both figures are a little optimistic by the same amount.
"""

from __future__ import annotations

import pandas as pd

from planner.io import DataFolder
from planner.routing.policies import make_policy
from planner.simulation.engine import SimulationOptions
from planner.simulation.inputs import RunInputs, load_center_and_plan
from planner.simulation.run import simulate_week

POLICY = "tier-aware"
COLUMNS = ["plan", "case_type", "service_level", "service_level_low", "service_level_high",
           "abandon_rate", "offered", "replications"]


def simulate_rest(data: DataFolder, forecast_rest: pd.DataFrame,
                  plans: dict[str, pd.DataFrame], tiers: pd.DataFrame | None, *,
                  replications: int, seed: int) -> pd.DataFrame:
    """Per plan (``{name: assignments}``) and case type (and ``all``): the simulated service level
    of the rest of the day with its 95% interval over ``replications`` runs."""
    frames = []
    for name, assignments in plans.items():
        start = forecast_rest["interval_start"].min()
        asg = assignments[assignments["interval_start"] >= start]
        inputs = RunInputs(forecast=forecast_rest, schedule=None, assignments=asg, tiers=tiers)
        center, plan = load_center_and_plan(data, inputs)
        res = simulate_week(center, plan, [make_policy(POLICY)], replications=replications,
                            seed=seed, options=SimulationOptions(), workers=1)
        s = res.summary.copy()
        s.insert(0, "plan", name)
        frames.append(s)
    out = pd.concat(frames, ignore_index=True)
    return out[[c for c in COLUMNS if c in out.columns]]
