"""Development suggestions for the report: cross-skilling inside a tier, upskilling across tiers.

- Cross-skilling: two agents of the same tier where each is strong (level >= 4) on a case type the
  other lacks (no level, or level <= 2) can train and then cover each other. Mutual pairs come first,
  then one-way ones; among them, case types whose complexity suits the tier (complex work for the
  high tier, transactional for the low), then case types with more volume. A case type whose ``min_tier``
  is above the tier is never suggested.
- Upskilling: medium agents ranked by the distance of their score to the high band, with the KPIs
  where they fall furthest behind the high tier's median (weighted), and the case types where their
  outcomes already exceed their declared level.

The effective level of an agent on a case type is the learned level when there is one (outcomes beat
declarations), else the declared level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.domain import TIERS_BEST_FIRST, tier_rank
from planner.io.config import PlannerConfig
from planner.tiers.assign import Bands
from planner.tiers.kpis import LABELS

STRONG_LEVEL = 4
WEAK_LEVEL = 2
# How well a case type's complexity suits a tier: complex work is for high performers, transactional
# work for those still learning. Suggestions that fit the tier come first.
SUITABILITY: dict[str, dict[str, int]] = {
    "high": {"complex": 2, "standard": 1, "transactional": 0},
    "medium": {"complex": 1, "standard": 2, "transactional": 1},
    "low": {"complex": 0, "standard": 1, "transactional": 2},
}


def effective_levels(skill_levels: pd.DataFrame) -> pd.DataFrame:
    """``agent_id``, ``case_type``, ``level``: learned where known, else declared."""
    lv = skill_levels["learned_level"].fillna(skill_levels["declared_level"])
    out = skill_levels[["agent_id", "case_type"]].copy()
    out["level"] = lv.astype("Int64")
    return out.dropna(subset=["level"])


def cross_skilling(tiers: pd.DataFrame, skill_levels: pd.DataFrame, config: PlannerConfig,
                   volume: dict[str, float] | None = None, per_agent: int = 2) -> pd.DataFrame:
    """Pairs of same-tier agents who could cover each other's case types.

    Returns
    -------
    DataFrame
        ``tier``, ``agent_id``, ``partner_id``, ``agent_learns``, ``partner_learns`` ("" when one-way),
        ``mutual``, ``volume`` (cases of the types learned in the window), ``reason``.
    """
    cols = ["tier", "agent_id", "partner_id", "agent_learns", "partner_learns", "mutual", "volume",
            "reason"]
    volume = volume or {}
    eff = effective_levels(skill_levels)
    level = {(a, t): int(v) for a, t, v in eff[["agent_id", "case_type", "level"]].itertuples(index=False)}
    types = sorted(set(eff["case_type"]) | set(skill_levels["case_type"]))
    rows = []
    for tier in TIERS_BEST_FIRST:
        members = sorted(tiers.loc[tiers["tier"] == tier, "agent_id"].astype(str))
        allowed = [t for t in types if tier_rank(config.case_type(t).min_tier) <= tier_rank(tier)]
        suit = {t: SUITABILITY[tier][config.case_type(t).complexity] for t in allowed}
        strong = {a: {t for t in allowed if level.get((a, t), 0) >= STRONG_LEVEL} for a in members}
        lacks = {a: {t for t in allowed if level.get((a, t), 0) <= WEAK_LEVEL} for a in members}
        cands = []
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                x, y = a, b
                x_learns = sorted(strong[y] & lacks[x], key=lambda t: (-suit[t], -volume.get(t, 0.0), t))
                y_learns = sorted(strong[x] & lacks[y], key=lambda t: (-suit[t], -volume.get(t, 0.0), t))
                if not x_learns and not y_learns:
                    continue
                if not x_learns:  # the learner goes in agent_id
                    x, y, x_learns, y_learns = y, x, y_learns, x_learns
                tx = x_learns[0]
                ty = y_learns[0] if y_learns else ""
                vol = volume.get(tx, 0.0) + (volume.get(ty, 0.0) if ty else 0.0)
                fit = suit[tx] + (suit[ty] if ty else 0)
                cands.append((not bool(ty), -fit, -vol, x, y, tx, ty))
        cands.sort()
        used: dict[str, int] = {}
        learning: set[tuple[str, str]] = set()  # one teacher per learner and case type is enough
        for one_way, _fit, neg_vol, a, b, ta, tb in cands:
            if used.get(a, 0) >= per_agent or used.get(b, 0) >= per_agent:
                continue
            if (a, ta) in learning or (tb and (b, tb) in learning):
                continue
            learning.add((a, ta))
            if tb:
                learning.add((b, tb))
            used[a] = used.get(a, 0) + 1
            used[b] = used.get(b, 0) + 1
            if one_way:
                reason = (f"{b} is level {level[(b, ta)]} on {ta}, which {a} lacks: {a} learns {ta} "
                          f"from a {tier}-tier peer")
            else:
                reason = (f"{a} learns {ta} from {b} (level {level[(b, ta)]}), {b} learns {tb} from {a} "
                          f"(level {level[(a, tb)]}): same tier, they can then cover each other")
            rows.append((tier, a, b, ta, tb, not one_way, -neg_vol, reason))
    return pd.DataFrame(rows, columns=cols)


def upskilling(tiers: pd.DataFrame, z: pd.DataFrame, weights: dict[str, float], bands: Bands,
               skill_levels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Medium agents closest to high, with the KPIs that matter most for them.

    Parameters
    ----------
    tiers : DataFrame
        ``agent_id``, ``tier``, ``score``, ``score_high``.
    z : DataFrame
        ``agent_id`` and one standardised column ``z_<kpi>`` per KPI used.
    weights : dict
        Normalised weights of the KPIs used.

    Returns
    -------
    DataFrame
        ``rank``, ``agent_id``, ``score``, ``gap_to_high``, ``within_reach`` (the score interval reaches
        the high band), ``focus_kpis``, ``ready_for`` (types where outcomes beat the declared level),
        ``reason``.
    """
    cols = ["rank", "agent_id", "score", "gap_to_high", "within_reach", "focus_kpis", "ready_for",
            "reason"]
    df = tiers[["agent_id", "tier", "score", "score_high"]].merge(z, on="agent_id", how="left")
    high = df[df["tier"] == "high"]
    med = df[df["tier"] == "medium"].copy()
    if med.empty or not np.isfinite(bands.high):
        return pd.DataFrame(columns=cols)
    target = {k: float(high[f"z_{k}"].median()) if len(high) else 0.0 for k in weights}
    ready: dict[str, list[str]] = {}
    if skill_levels is not None and len(skill_levels):
        under = skill_levels[skill_levels["disagreement"] == "under_declared"]
        for a, t in under[["agent_id", "case_type"]].itertuples(index=False):
            ready.setdefault(a, []).append(t)
    med["gap_to_high"] = bands.high - med["score"]
    med["within_reach"] = med["score_high"] >= bands.high
    focus, reasons, ready_col = [], [], []
    for row in med.itertuples(index=False):
        short = {k: w * (target[k] - getattr(row, f"z_{k}")) for k, w in weights.items()}
        top = [k for k, v in sorted(short.items(), key=lambda kv: -kv[1]) if v > 0][:2]
        focus.append(", ".join(top))
        types = ready.get(row.agent_id, [])
        ready_col.append(", ".join(types))
        text = f"{row.gap_to_high:.2f} below the high band"
        if top:
            text += "; furthest behind high-tier peers on " + " and ".join(LABELS[k] for k in top)
        if types:
            text += f"; already performs above the declared level on {', '.join(types)}"
        reasons.append(text)
    med["focus_kpis"] = focus
    med["ready_for"] = ready_col
    med["reason"] = reasons
    med = med.sort_values(["gap_to_high", "agent_id"], kind="stable").reset_index(drop=True)
    med["rank"] = np.arange(1, len(med) + 1)
    return med[cols]
