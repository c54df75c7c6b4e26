"""Skill shortages per case type and their cause; hiring by skill set; swarming load.

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

import math

import numpy as np
import pandas as pd

from planner.io import TIERS, PlannerConfig

NON_WORK = ("break", "lunch", "off", "training", "meeting")
# The scheduler's reserved expert time on complex types: a coverage row, not a skill.
SWARM = "swarm"
CAUSES = ("too few eligible agents", "tier rules", "demand")


def tier_rank(tier: object) -> int:
    """low 0, medium 1, high 2; anything else (an unrated newcomer) counts as low."""
    try:
        return TIERS.index(str(tier))
    except ValueError:
        return 0


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
    min_tier = out["case_type"].map(lambda c: tier_rank(config.case_type(c).min_tier))
    min_level = out["case_type"].map(lambda c: config.case_type(c).min_level)
    rank = out["tier"].map(tier_rank)
    level = pd.to_numeric(out["level"], errors="coerce").fillna(1)
    out["blocked_by"] = np.where(rank < min_tier, "tier", np.where(level < min_level, "level", ""))
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


def hours_per_fte(assignments: pd.DataFrame | None, config: PlannerConfig, minutes: int) -> float:
    """On-queue hours one full-time agent gives in a week, read off this plan (config as fallback).

    The median case-work hours of agents scheduled at least 80% of the configured weekly maximum,
    so breaks, lunches and planned activities are already netted out as the plan nets them.
    """
    if assignments is not None and len(assignments):
        per = working(assignments).groupby("agent_id").size() * minutes / 60.0
        full = per[per >= 0.8 * float(per.max())]
        if len(full):
            return float(full.median())
    return config.shifts.max_hours


def hiring(short: pd.DataFrame, coverage: pd.DataFrame, skills: pd.DataFrame | None,
           fte_hours: float, minutes: int) -> pd.DataFrame:
    """FTE to hire by skill set to cover the shortfall that remains after scheduling.

    Each short case type is given to the skill set most of its current agents hold (a hire joins an
    existing team and learns what that team does); a skill set's FTE is its types' shortfall hours over
    ``fte_hours``; ``heads_for_peak`` is the largest shortfall at one instant over its types, the
    people needed at once when the gaps coincide (shifts can rarely pack hours tighter than that).
    """
    cols = ["skill_set", "case_types", "shortfall_hours", "fte", "heads", "heads_for_peak"]
    need = short[short["shortfall_hours"] > 0]
    if need.empty:
        return pd.DataFrame(columns=cols)
    sets: dict[str, list[str]] = {}
    for ct in need["case_type"]:
        key = ct
        if skills is not None and len(skills):
            combos = skills.groupby("agent_id")["case_type"].agg(lambda s: "+".join(sorted(set(s))))
            holders = skills.loc[skills["case_type"] == ct, "agent_id"].unique()
            cand = combos[combos.index.isin(holders)]
            if len(cand):
                counts = cand.value_counts()
                # Most common combination; ties by name for determinism.
                key = sorted(counts[counts == counts.max()].index)[0]
        sets.setdefault(key, []).append(str(ct))
    cov = coverage.copy()
    if "shortfall" not in cov:
        cov["shortfall"] = (cov["required"] - cov["scheduled"]).clip(lower=0)
    rows = []
    for key, types in sets.items():
        hours = float(need.loc[need["case_type"].isin(types), "shortfall_hours"].sum())
        peak = cov[cov["case_type"].isin(types)].groupby("interval_start")["shortfall"].sum().max()
        fte = hours / fte_hours if fte_hours > 0 else math.inf
        rows.append({"skill_set": key.replace("+", ", "), "case_types": ", ".join(types),
                     "shortfall_hours": hours, "fte": fte, "heads": math.ceil(fte - 1e-9),
                     "heads_for_peak": math.ceil(float(peak) - 1e-9)})
    return pd.DataFrame(rows, columns=cols).sort_values("shortfall_hours", ascending=False,
                                                        ignore_index=True)


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
