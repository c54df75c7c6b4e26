"""Skill shortages per case type and their cause, and who may take which case type.

All figures are in agent-hours over the planned week, from coverage.csv (``required`` and
``scheduled`` are agents per interval, so one agent short for one 30-minute interval is half an
agent-hour). The cause of a shortage is judged interval by interval, from who was on shift then:

- ``too few eligible agents``: fewer agents able to take the type (skill, level, tier) were working
  than the type required; no reshuffle of that roster could have covered it;
- ``tier rules``: as above, but agents with the skill were on shift and the case type's minimum tier
  (or minimum level) kept them off it, and counting them would have closed some of the gap;
- ``demand``: enough eligible agents were on shift, but they were needed for other work at the same
  time: the demand of the interval as a whole exceeds the staff.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.domain import NON_WORK, SWARM, blocked_by
from planner.io import PlannerConfig

CAUSES = ("too few eligible agents", "tier rules", "demand")


def eligibility(skills: pd.DataFrame, tiers: pd.DataFrame | None, config: PlannerConfig,
                case_types: list[str]) -> pd.DataFrame:
    """Who may take which case type, and what blocks the skilled agents who may not.

    Returns one row per (agent_id, case_type) in ``skills``: ``level``, ``tier``, ``eligible`` and
    ``blocked_by`` (``"tier"``, ``"level"`` or empty).
    """
    out = skills[["agent_id", "case_type", "level"]].copy()
    out = out[out["case_type"].isin(case_types)]
    tier_of = dict(zip(tiers["agent_id"], tiers["tier"], strict=False)) if tiers is not None else {}
    out["tier"] = out["agent_id"].map(lambda a: str(tier_of.get(a, "medium" if not tier_of else "low")))
    level = pd.to_numeric(out["level"], errors="coerce").fillna(1)
    out["blocked_by"] = [blocked_by(lv, t, config.case_type(c))
                         for lv, t, c in zip(level, out["tier"], out["case_type"], strict=True)]
    out["eligible"] = out["blocked_by"] == ""
    return out.reset_index(drop=True)


def _coverage_hours(coverage: pd.DataFrame, minutes: int) -> pd.DataFrame:
    cov = coverage.copy()
    if "shortfall" not in cov.columns:
        cov["shortfall"] = (cov["required"] - cov["scheduled"]).clip(lower=0)
    cov["shortfall"] = cov["shortfall"].clip(lower=0)
    cov["hours"] = minutes / 60.0
    return cov


def working(assignments: pd.DataFrame) -> pd.DataFrame:
    """Agent-intervals on shift and available for case work (not on a break, lunch or training)."""
    act = assignments["activity"].astype(str).str.lower()
    return assignments[~act.isin(NON_WORK)][["agent_id", "interval_start", "activity"]]


def shortages(coverage: pd.DataFrame, assignments: pd.DataFrame | None, elig: pd.DataFrame | None,
              config: PlannerConfig, minutes: int,
              simulation_summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per case type: shortfall hours, peak, the main cause and the evidence for it.

    Sorted by shortfall hours, largest first. ``cause`` is empty for a type without shortfall.
    """
    cov = _coverage_hours(coverage, minutes)
    on_shift = working(assignments) if assignments is not None else None
    rows = []
    for ct, g in cov.groupby("case_type", sort=True):
        ct = str(ct)
        short = g[g["shortfall"] > 0]
        hours = float((g["shortfall"] * g["hours"]).sum())
        row = {
            "case_type": ct,
            "required_hours": float((g["required"] * g["hours"]).sum()),
            "scheduled_hours": float((np.minimum(g["scheduled"].to_numpy(float),
                                                 g["required"].to_numpy(float)) * g["hours"]).sum()),
            "shortfall_hours": hours,
            "short_intervals": len(short),
            "peak_shortfall": float(short["shortfall"].max()) if len(short) else 0.0,
            "worst_interval": short.loc[short["shortfall"].idxmax(), "interval_start"] if len(short) else pd.NaT,
            "eligible_agents": 0, "blocked_agents": 0, "cause": "", "evidence": "",
        }
        if elig is not None:
            e = elig[elig["case_type"] == ct]
            row["eligible_agents"] = int(e["eligible"].sum())
            row["blocked_agents"] = int((~e["eligible"]).sum())
        if len(short) and ct == SWARM:
            row.update(cause="expert time",
                       evidence=f"{hours:.1f} h of high-tier expert time reserved for swarming on "
                                "complex cases could not be given (see swarming load)")
        elif len(short):
            row.update(_cause(ct, short, on_shift, elig, config, minutes))
        rows.append(row)
    out = pd.DataFrame(rows)
    if simulation_summary is not None and {"case_type", "service_level"} <= set(simulation_summary.columns):
        sl = simulation_summary.drop_duplicates("case_type").set_index("case_type")["service_level"]
        out["simulated_service_level"] = out["case_type"].map(sl).astype(float)
    out["target_service_level"] = out["case_type"].map(lambda c: config.case_type(c).service_level)
    return out.sort_values(["shortfall_hours", "case_type"], ascending=[False, True]).reset_index(drop=True)


def _cause(ct: str, short: pd.DataFrame, on_shift: pd.DataFrame | None, elig: pd.DataFrame | None,
           config: PlannerConfig, minutes: int) -> dict:
    h = minutes / 60.0
    total = float((short["shortfall"] * h).sum())
    if on_shift is None or elig is None:
        return {"cause": "demand", "evidence": f"{total:.1f} h short; no roster or skills to tell more"}
    e = elig[elig["case_type"] == ct]
    eligible = set(e.loc[e["eligible"], "agent_id"])
    blocked = set(e.loc[~e["eligible"], "agent_id"])
    ws = on_shift[on_shift["interval_start"].isin(short["interval_start"])]
    per = ws.groupby("interval_start")["agent_id"].agg(
        eligible_on=lambda s: int(s.isin(eligible).sum()), blocked_on=lambda s: int(s.isin(blocked).sum()))
    s = short.set_index("interval_start")[["required", "shortfall"]].join(per).fillna(0)
    lacking = s["eligible_on"] < s["required"]
    tier_helps = lacking & (s["blocked_on"] > 0)
    by_cause = {
        "too few eligible agents": float((s.loc[lacking & ~tier_helps, "shortfall"] * h).sum()),
        "tier rules": float((s.loc[tier_helps, "shortfall"] * h).sum()),
        "demand": float((s.loc[~lacking, "shortfall"] * h).sum()),
    }
    cause = max(CAUSES, key=lambda c: (by_cause[c], -CAUSES.index(c)))
    ctc = config.case_type(ct)
    parts = [f"{total:.1f} h short in {len(short)} intervals"]
    parts.append(f"{len(eligible)} eligible agent(s) in the team")
    if cause == "tier rules":
        rule = f"minimum tier {ctc.min_tier}" if ctc.min_tier != "low" else f"minimum level {ctc.min_level}"
        names = ", ".join(sorted(blocked)[:5])
        parts.append(f"{len(blocked)} skilled agent(s) kept off by the {rule} ({names})")
    elif cause == "too few eligible agents":
        med = float(s.loc[lacking, "eligible_on"].median()) if lacking.any() else 0.0
        req = float(s.loc[lacking, "required"].median())
        parts.append(f"typically {med:.0f} eligible on shift where {req:.0f} were required")
    else:
        parts.append("eligible agents were on shift but busy on other work")
    share = {c: by_cause[c] / total for c in CAUSES if total > 0 and by_cause[c] >= 0.005 * total}
    if len(share) > 1:
        parts.append("mix: " + ", ".join(f"{c} {v:.0%}" for c, v in share.items()))
    return {"cause": cause, "evidence": "; ".join(parts),
            "hours_too_few_eligible": by_cause[CAUSES[0]], "hours_tier_rules": by_cause[CAUSES[1]],
            "hours_demand": by_cause[CAUSES[2]]}
