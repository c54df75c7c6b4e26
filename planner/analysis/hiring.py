"""Hiring by skill set: the FTE that would close the shortfall the best plan on the current staff
still leaves, and the on-queue hours one full-time agent gives.
"""

from __future__ import annotations

import math

import pandas as pd

from planner.analysis.shortage import working
from planner.io import PlannerConfig


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
