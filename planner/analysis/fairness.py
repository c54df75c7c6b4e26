"""Fairness of a plan: each agent's nights, late shifts, weekend days and granted wishes against
the fair share of comparable agents (the definitions are :mod:`planner.domain`'s).

**Comparable agents** (a fairness group, :func:`planner.domain.fairness_group`) have the same
team (agents.csv ``team``, when given) and contract: weekly minimum and maximum hours and most
days a week. An agent's **fair share** of a kind is their group's mean count; the **spread** of a
group is its largest count less its smallest, and ``<kind>_above`` an agent's count less the
fair share. A **wish** is a weighted ``unavailable`` row of availability.csv, *granted* when no
shift of the agent overlaps it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.domain import FAIR_KINDS as KINDS
from planner.domain import fairness_group, is_weekend, shift_kind

DAY = 1440


def fairness_table(schedule: pd.DataFrame, agents: pd.DataFrame,
                   availability: pd.DataFrame | None, *, min_hours: float, max_hours: float,
                   max_days: int) -> pd.DataFrame:
    """Per agent: their fairness group, counts of nights, lates, weekend days and wishes granted,
    and each count above their group's fair share (``<kind>_above``).

    ``schedule`` as schedule.csv (``agent_id, date, shift_start, shift_end``); ``agents`` and
    ``availability`` as read from the data folder; ``min_hours``, ``max_hours``, ``max_days``:
    the config's defaults for agents.csv's empty cells (``max_days`` already capped by the days
    off per week)."""
    ag = agents.copy()
    ag["agent_id"] = ag["agent_id"].astype(str)

    def col(name: str, default: object) -> pd.Series:
        if name not in ag:
            return pd.Series(default, index=ag.index)
        return ag[name].where(ag[name].notna(), default)

    team = col("team", "").astype(str)
    lo, hi = col("min_hours", min_hours).astype(float), col("max_hours", max_hours).astype(float)
    days = np.minimum(col("max_days", max_days).astype(int), max_days)
    out = pd.DataFrame({
        "agent_id": ag["agent_id"],
        "group": [fairness_group(t, a, b, int(c)) for t, a, b, c in zip(team, lo, hi, days,
                                                                         strict=True)],
    })
    counts = {k: dict.fromkeys(out["agent_id"], 0) for k in KINDS}
    shifts: dict[str, int] = dict.fromkeys(out["agent_id"], 0)
    spans: dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]] = {}
    if len(schedule):
        start = pd.to_datetime(schedule["shift_start"])
        end = pd.to_datetime(schedule["shift_end"])
        day0 = start.dt.normalize()
        s_min = ((start - day0) / pd.Timedelta(minutes=1)).astype(int)
        e_min = ((end - day0) / pd.Timedelta(minutes=1)).astype(int)
        for a, s, e, wd, t0, t1 in zip(schedule["agent_id"].astype(str), s_min, e_min,
                                       day0.dt.day_of_week, start, end, strict=True):
            if a not in shifts:
                continue
            shifts[a] += 1
            kind = shift_kind(int(s), int(e))
            if kind is not None:
                counts[kind][a] += 1
            if is_weekend(int(wd)):
                counts["weekend_days"][a] += 1
            spans.setdefault(a, []).append((t0, t1))
    out["shifts"] = out["agent_id"].map(shifts)
    for k in KINDS:
        out[k] = out["agent_id"].map(counts[k])
    wishes = dict.fromkeys(out["agent_id"], 0)
    granted = dict.fromkeys(out["agent_id"], 0)
    if availability is not None and len(availability):
        av = availability
        weight = av["weight"] if "weight" in av else pd.Series(np.nan, index=av.index)
        for a, d, s, e, kind, w in zip(av["agent_id"].astype(str), av["date"], av["start"],
                                       av["end"], av["kind"].astype(str), weight, strict=True):
            if a not in wishes or kind != "unavailable" or pd.isna(w) or float(w) <= 0:
                continue
            w0 = pd.Timestamp(d).normalize() + pd.Timedelta(minutes=int(s))
            w1 = pd.Timestamp(d).normalize() + pd.Timedelta(minutes=int(e) or DAY)
            wishes[a] += 1
            granted[a] += not any(t0 < w1 and w0 < t1 for t0, t1 in spans.get(a, ()))
    out["wishes"] = out["agent_id"].map(wishes)
    out["wishes_granted"] = out["agent_id"].map(granted)
    share = out.groupby("group")[list(KINDS)].transform("mean")
    for k in KINDS:
        out[f"{k}_above"] = (out[k] - share[k]).round(2)
    rate = out["wishes_granted"] / out["wishes"].where(out["wishes"] > 0)
    out["wishes_granted_share"] = rate.round(3)
    return out.sort_values(["group", "agent_id"], ignore_index=True)


def fairness_spread(table: pd.DataFrame) -> pd.DataFrame:
    """Per fairness group and kind: agents, fair share (the mean), least, most, spread and the
    most any agent is above the fair share; granted wishes as a share of each agent's wishes
    (agents with wishes only)."""
    rows = []
    for group, g in table.groupby("group", sort=True):
        for k in KINDS:
            rows.append({"group": group, "kind": k.replace("_", " "), "agents": len(g),
                         "fair_share": round(float(g[k].mean()), 2), "least": int(g[k].min()),
                         "most": int(g[k].max()), "spread": int(g[k].max() - g[k].min()),
                         "most_above_share": round(float(g[f"{k}_above"].max()), 2)})
        w = g["wishes_granted_share"].dropna()
        if len(w):
            rows.append({"group": group, "kind": "wishes granted (share)", "agents": len(w),
                         "fair_share": round(float(w.mean()), 2), "least": round(float(w.min()), 2),
                         "most": round(float(w.max()), 2),
                         "spread": round(float(w.max() - w.min()), 2),
                         "most_above_share": round(float((w - w.mean()).max()), 2)})
    return pd.DataFrame(rows, columns=["group", "kind", "agents", "fair_share", "least", "most",
                                       "spread", "most_above_share"])


def fairness_figures(table: pd.DataFrame) -> dict[str, str]:
    """The schedule summary's fairness figures: per kind, the most any agent works above the fair
    share of their group and the widest spread of a group."""
    spread = fairness_spread(table)
    out = {}
    for kind in [*(k.replace("_", " ") for k in KINDS), "wishes granted (share)"]:
        rows = spread[spread["kind"] == kind]
        if rows.empty or (kind != "wishes granted (share)" and rows["most"].max() == 0):
            continue
        widest = rows.loc[rows["spread"].idxmax()]
        fmt = "{:+.2f}" if kind.startswith("wishes") else "{:+.1f}"
        out[f"fairness: {kind}"] = (f"at most {fmt.format(rows['most_above_share'].max())} above "
                                    f"the fair share; widest spread {widest['spread']:g} "
                                    f"({widest['group']})")
    return out
