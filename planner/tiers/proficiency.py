"""Per-case-type proficiency (1 to 5) learned from outcomes, beside the declared skill levels.

For each KPI, an agent's effect on one case type is the mean case-mix residual of the agent's cases
of that type. It is shrunk toward the agent's overall (already shrunk) effect, not toward the team:
an agent who is good overall is, until the data say otherwise, good on each type. The shrunk KPI
effects are standardised and weighted as in the overall score, giving a per-type score.

Levels are then read off the ranking of agents within the case type, matched to the distribution of
the declared levels of that type (a rank-preserving quantile map). Why not fixed cut-offs: a level is
a statement relative to the work ("expert at billing"), and the declared distribution is the team's
own calibration of what a 4 means; the learned level keeps it and only reorders agents by outcome.
The disagreements are the pairs where learned and declared differ by two levels or more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.tiers.casemix import MixFit, case_residuals
from planner.tiers.kpis import HIGHER_IS_BETTER
from planner.tiers.score import KpiEstimate
from planner.tiers.shrinkage import fit_normal_prior, normal_posterior

# Used when a case type has too few declared levels to calibrate against.
DEFAULT_LEVEL_SHARES = (0.1, 0.2, 0.4, 0.2, 0.1)
# Fewer declared levels than this on a case type: use DEFAULT_LEVEL_SHARES.
_MIN_DECLARED = 5
# |learned - declared| at or above this is a disagreement worth listing.
DISAGREEMENT_GAP = 2


def levels_by_rank(score: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Level 1-5 per score: the rank's quantile mapped through the cumulative level shares.

    ``shares[k]`` is the share of level k+1. Ties get the level of their mean rank.
    """
    m = len(score)
    if m == 0:
        return np.zeros(0, dtype=int)
    q = (pd.Series(score).rank(method="average").to_numpy() - 0.5) / m
    cum = np.cumsum(np.asarray(shares, dtype=float) / np.sum(shares))
    cum[-1] = 1.0
    return np.searchsorted(cum, q, side="left") + 1


def type_scores(served: pd.DataFrame, fits: dict[str, MixFit], estimates: dict[str, KpiEstimate],
                weights: dict[str, float]) -> pd.DataFrame:
    """Per (agent, case type): ``cases`` and the weighted standardised ``type_score``."""
    base = served.groupby(["agent_id", "case_type"], observed=True).size().rename("cases")
    out = base.to_frame()
    out["type_score"] = 0.0
    for kpi, w in weights.items():
        fit, est = fits[kpi], estimates[kpi]
        res = case_residuals(served, fit)
        g = res.groupby(["agent_id", "case_type"], observed=True)["resid"].agg(["mean", "count"])
        pos = pd.Index(fit.agents).get_indexer(g.index.get_level_values("agent_id"))
        dev = g["mean"].to_numpy() - fit.effect[pos]
        var = fit.resid_var / g["count"].to_numpy()
        _, tau2 = fit_normal_prior(np.where(g["count"].to_numpy() >= 5, dev, np.nan), var)
        dev_post, _ = normal_posterior(dev, var, 0.0, tau2)
        sign = 1.0 if HIGHER_IS_BETTER[kpi] else -1.0
        z = est.z[pos] + sign * dev_post / est.scale
        # Pairs without a value of this KPI keep the agent's overall z for it.
        z_all = pd.Series(z, index=g.index).reindex(out.index)
        agent_z = pd.Series(est.z, index=fit.agents).reindex(
            out.index.get_level_values("agent_id")).to_numpy()
        out["type_score"] += w * np.where(z_all.isna(), agent_z, z_all.to_numpy())
    return out.reset_index()


def learn_levels(scores: pd.DataFrame, skills: pd.DataFrame | None, min_cases: int) -> pd.DataFrame:
    """skill_levels.csv: declared and learned level per (agent, case type), disagreements marked.

    Parameters
    ----------
    scores : DataFrame
        From :func:`type_scores`.
    skills : DataFrame or None
        skills.csv (``agent_id``, ``case_type``, ``level``).
    min_cases : int
        Cases of the type an agent needs in the window for a learned level.
    """
    declared = (skills[["agent_id", "case_type", "level"]].rename(columns={"level": "declared_level"})
                if skills is not None else
                pd.DataFrame(columns=["agent_id", "case_type", "declared_level"]))
    declared = declared.astype({"agent_id": str, "case_type": str})
    df = declared.merge(scores, on=["agent_id", "case_type"], how="outer")
    df["cases"] = df["cases"].fillna(0).astype(int)
    df["learned_level"] = pd.array([pd.NA] * len(df), dtype="Int64")
    for _ct, idx in df.groupby("case_type", observed=True).groups.items():
        part = df.loc[idx]
        ok = part["cases"] >= min_cases
        if not ok.any():
            continue
        decl = part.loc[ok, "declared_level"].dropna().astype(int)
        if len(decl) >= _MIN_DECLARED:
            shares = np.bincount(decl, minlength=6)[1:6].astype(float)
        else:
            shares = np.asarray(DEFAULT_LEVEL_SHARES)
        levels = levels_by_rank(part.loc[ok, "type_score"].to_numpy(), shares)
        df.loc[part.index[ok.to_numpy()], "learned_level"] = levels
    df["declared_level"] = df["declared_level"].astype("Int64")
    gap = (df["learned_level"] - df["declared_level"]).astype("Int64")
    df["disagreement"] = np.select(
        [(gap >= DISAGREEMENT_GAP).fillna(False).to_numpy(),
         (gap <= -DISAGREEMENT_GAP).fillna(False).to_numpy()],
        ["under_declared", "over_declared"], default="")
    df["note"] = [
        f"declared {d}, performs like {lv}" if dis else ""
        for d, lv, dis in zip(df["declared_level"], df["learned_level"], df["disagreement"],
                              strict=True)
    ]
    df = df.sort_values(["agent_id", "case_type"], kind="stable").reset_index(drop=True)
    return df[["agent_id", "case_type", "declared_level", "learned_level", "cases", "type_score",
               "disagreement", "note"]]
