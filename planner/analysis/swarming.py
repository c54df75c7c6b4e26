"""Swarming load: expert hours the configuration asks for on complex case types, the hours the plan
gives high-tier agents on them, and hand-offs from the simulation.
"""

from __future__ import annotations

import pandas as pd

from planner.io import PlannerConfig


def swarming(config: PlannerConfig, forecast: pd.DataFrame | None, simulation: pd.DataFrame | None,
             assignments: pd.DataFrame | None, elig: pd.DataFrame | None,
             minutes: int) -> pd.DataFrame:
    """Per case type with swarming or hand-offs: expected expert hours and hand-offs per case.

    ``expert_hours`` is the forecast volume x swarm share x swarm time share x AHT (what the
    configuration asks of the experts); ``expert_hours_scheduled`` the time the plan gives high-tier
    eligible agents on that type (or on ``swarm``); hand-offs come from the simulation.
    """
    rows = []
    types = set(config.case_types)
    for frame in (forecast, simulation):
        if frame is not None:
            types |= set(frame["case_type"].astype(str))
    for ct in sorted(types):
        c = config.case_type(ct)
        row: dict = {"case_type": ct, "complexity": c.complexity, "swarm_share": c.swarm_share}
        if forecast is not None and c.swarm_share > 0:
            f = forecast[forecast["case_type"] == ct]
            aht = f["aht_seconds"] if "aht_seconds" in f else pd.Series(0.0, index=f.index)
            row["expert_hours"] = float((f["volume"] * aht).sum() / 3600 * c.swarm_share * c.swarm_time_share)
        if simulation is not None and "handoffs" in simulation.columns:
            s = simulation[simulation["case_type"] == ct]
            offered = float(s["offered"].sum()) if "offered" in s else float("nan")
            row["handoffs"] = float(s["handoffs"].sum())
            row["handoffs_per_case"] = row["handoffs"] / offered if offered else float("nan")
        if assignments is not None and elig is not None and c.swarm_share > 0:
            experts = set(elig.loc[(elig["case_type"] == ct) & elig["eligible"] & (elig["tier"] == "high"),
                                   "agent_id"])
            a = assignments[assignments["agent_id"].isin(experts)]
            on = a["activity"].astype(str).isin([ct, "swarm"])
            row["expert_hours_scheduled"] = float(on.sum() * minutes / 60)
            row["experts"] = len(experts)
        if c.swarm_share > 0 or row.get("handoffs", 0) > 0:
            rows.append(row)
    return pd.DataFrame(rows)
