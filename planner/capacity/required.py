"""Required FTE per case type and week: the weekly plan's requirements method (Erlang C/A, occupancy
caps, deadlines) on every future week's intervals, gross of the month's shrinkage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.io.config import MONTHS, PlannerConfig
from planner.staffing import gross_agents, requirements, targets_for

# The three volumes staffed: the forecast and its 80% bounds.
LEVELS = (("volume", ""), ("volume_low", "_low"), ("volume_high", "_high"))


def month_shrinkage(config: PlannerConfig, case_type: str, when: pd.Series) -> np.ndarray:
    """The case type's shrinkage plus the month's extra (capacity.extra_shrinkage_by_month)."""
    base = targets_for(config, case_type).shrinkage
    extra = config.capacity.extra_shrinkage_by_month
    add = np.array([extra.get(MONTHS[m - 1], 0.0) for m in range(1, 13)])
    return np.minimum(base + add[when.dt.month.to_numpy() - 1], 0.95)


def fte_hours(config: PlannerConfig) -> float:
    """Paid hours of one full-time agent in a week."""
    return float(config.shifts.max_hours)


def weekly_requirements(intervals: pd.DataFrame, config: PlannerConfig,
                        start: pd.Timestamp) -> pd.DataFrame:
    """Per week and case type: required gross agent-hours and FTE at the forecast and its bounds.

    Columns: week_start, case_type, required_hours, required_fte, required_fte_low,
    required_fte_high.
    """
    minutes = config.center.interval_minutes
    hours = minutes / 60.0
    out = None
    for col, suffix in LEVELS:
        frame = intervals[["case_type", "interval_start", "aht_seconds"]].assign(volume=intervals[col])
        req = requirements(frame, config)
        shrink = np.empty(len(req))
        for name, idx in req.groupby("case_type", sort=False).groups.items():
            shrink[req.index.get_indexer(idx)] = month_shrinkage(config, str(name),
                                                                  req.loc[idx, "interval_start"])
        gross = gross_agents(req["agents_net"].to_numpy(), shrink) * hours
        week = start + pd.to_timedelta(((req["interval_start"] - start).dt.days // 7) * 7, unit="D")
        g = pd.DataFrame({"week_start": week, "case_type": req["case_type"], "hours": gross})
        g = g.groupby(["week_start", "case_type"], sort=False)["hours"].sum().reset_index()
        if out is None:
            out = g.rename(columns={"hours": "required_hours"})
        else:
            out[f"required_hours{suffix}"] = g["hours"].to_numpy()
    assert out is not None
    per = fte_hours(config)
    out["required_fte"] = out["required_hours"] / per
    out["required_fte_low"] = np.minimum(out.pop("required_hours_low") / per, out["required_fte"])
    out["required_fte_high"] = np.maximum(out.pop("required_hours_high") / per, out["required_fte"])
    return out
