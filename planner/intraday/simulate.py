"""The rest of the day simulated under the routing policy: the kept plan against the re-plan.

The day is simulated from its start, not from the re-plan time: the intervals already seen carry
the cases that actually arrived (their counts as the arrival rates) and the published plan worked
them, so the queue the rest of the day inherits at ``start`` (the carried-over backlog) is there in
both runs. Only cases arriving from ``start`` on are scored.

Every plan meets the same customers in replication ``r`` (the same child seed: common random
numbers; the forecast, and so the arrival draws, are the same for every plan), and the past is
the same plan, so the runs differ only by what the re-plan changed. The difference of two plans'
service levels is therefore taken replication by replication (a paired comparison): its mean and
95% t-interval are far tighter than either plan's own interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.io import DataFolder
from planner.routing.policies import make_policy
from planner.simulation.engine import SimulationOptions, simulate
from planner.simulation.inputs import RunInputs, load_center_and_plan
from planner.simulation.metrics import confidence_summary, weekly_metrics

POLICY = "tier-aware"
COLUMNS = ["plan", "case_type", "service_level", "service_level_low", "service_level_high",
           "abandon_rate", "abandon_rate_low", "abandon_rate_high", "offered", "replications"]
PAIRED = ("service_level", "abandon_rate", "asa_seconds")


def day_arrivals(forecast_day: pd.DataFrame, actuals: pd.DataFrame | None, start: pd.Timestamp
                 ) -> pd.DataFrame:
    """The day's arrival rates: the counts that arrived before ``start`` (an interval without a
    row had none) and the forecast from ``start`` on."""
    f = forecast_day.copy()
    past = (f["interval_start"] < start).to_numpy()
    if actuals is None or not past.any():
        return f
    seen = (actuals[pd.to_datetime(actuals["interval_start"]) < start]
            .groupby(["case_type", "interval_start"])["volume"].sum())
    keys = pd.MultiIndex.from_arrays([f["case_type"].astype(str), pd.to_datetime(f["interval_start"])])
    counts = seen.reindex(keys).fillna(0.0).to_numpy()
    f.loc[past, "volume"] = counts[past]
    return f


def simulate_rest(data: DataFolder, forecast_day: pd.DataFrame, plans: dict[str, pd.DataFrame],
                  tiers: pd.DataFrame | None, *, start: pd.Timestamp, replications: int,
                  seed: int) -> pd.DataFrame:
    """Per plan (``{name: assignments}``, the first one the baseline) and case type (and ``all``):
    the simulated service level of the cases arriving from ``start`` on, with its 95% interval
    over ``replications`` runs; then, per other plan, rows ``"<plan> - <baseline>"`` holding the
    paired difference (mean and 95% interval of the per-replication differences).

    ``forecast_day`` holds the whole day's arrival rates (see :func:`day_arrivals`)."""
    seeds = np.random.SeedSequence(seed).spawn(replications)
    day0 = forecast_day["interval_start"].min()
    weekly = []
    for name, assignments in plans.items():
        asg = assignments[assignments["interval_start"] >= day0]
        inputs = RunInputs(forecast=forecast_day, schedule=None, assignments=asg, tiers=tiers)
        center, plan = load_center_and_plan(data, inputs)
        offset = (start - plan.t0) / pd.Timedelta(seconds=1)
        for r in range(replications):
            rec = simulate(center, plan, make_policy(POLICY), np.random.default_rng(seeds[r]),
                           SimulationOptions())
            cases = rec.cases[rec.cases["arrival"] >= offset]
            weekly.append(weekly_metrics(cases, center, plan).assign(plan=name, replication=r))
    table = pd.concat(weekly, ignore_index=True)
    out = [confidence_summary(table, ["plan", "case_type"])]
    names = list(plans)
    base = table[table["plan"] == names[0]].set_index(["replication", "case_type"])
    for name in names[1:]:
        mine = table[table["plan"] == name].set_index(["replication", "case_type"])
        diff = mine[list(PAIRED)].sub(base[list(PAIRED)])
        diff["offered"] = mine["offered"].reindex(diff.index)
        diff = diff.reset_index()
        diff["plan"] = f"{name} - {names[0]}"
        out.append(confidence_summary(diff, ["plan", "case_type"]))
    frame = pd.concat(out, ignore_index=True)
    return frame[[c for c in COLUMNS if c in frame.columns]]
