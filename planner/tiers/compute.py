"""The tiers stage end to end: cases -> KPIs -> case mix -> shrinkage -> score -> tiers -> reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import MissingInputError
from planner.io.config import PlannerConfig
from planner.tiers.assign import Bands, assign_tiers, band_thresholds, read_previous
from planner.tiers.casemix import fit_case_mix, mix_shares
from planner.tiers.development import cross_skilling, upskilling
from planner.tiers.explain import AgentFacts, reason_line
from planner.tiers.kpis import KPI_COLUMNS, Window, available_kpis, kpi_window, raw_kpis, served_cases
from planner.tiers.proficiency import learn_levels, type_scores
from planner.tiers.score import (
    LEVEL,
    Z_LEVEL,
    KpiEstimate,
    composite,
    estimate_kpi,
    normalised_weights,
)

# Output column of each KPI's adjusted value in tiers.csv.
ADJUSTED_COLUMNS: dict[str, str] = {
    "handle_time": "aht_ratio", "fcr": "fcr_adj", "reopen": "reopen_adj",
    "transfers": "transfer_adj", "csat": "csat_adj", "qa": "qa_adj",
}


@dataclass(frozen=True)
class TierResult:
    """Everything the tiers stage produces.

    ``tiers`` is tiers.csv, ``skill_levels`` skill_levels.csv, ``cross_skilling`` and ``upskilling``
    the development suggestions, ``kpis_by_type`` the raw KPIs per agent and case type, ``z`` the
    standardised KPIs per agent (higher is better), ``bands`` the score thresholds used.
    """

    tiers: pd.DataFrame
    skill_levels: pd.DataFrame
    cross_skilling: pd.DataFrame
    upskilling: pd.DataFrame
    kpis_by_type: pd.DataFrame
    z: pd.DataFrame
    bands: Bands
    kpis_used: tuple[str, ...]
    weights: dict[str, float]
    window: Window
    notes: tuple[str, ...] = field(default=())



def _previous_tiers(previous: pd.DataFrame | str | Path | None, agents: np.ndarray
                    ) -> np.ndarray | None:
    if previous is None:
        return None
    prev = previous if isinstance(previous, pd.DataFrame) else read_previous(previous)
    return (prev.astype({"agent_id": str}).set_index("agent_id")["tier"]
            .reindex(agents).fillna("").to_numpy(dtype=object))


def compute_tiers(cases: pd.DataFrame, agents: pd.DataFrame | None, skills: pd.DataFrame | None,
                  config: PlannerConfig, previous: pd.DataFrame | str | Path | None = None,
                  as_of: pd.Timestamp | None = None) -> TierResult:
    """Tier every agent from the cases of the last ``config.tiers.window_weeks`` weeks.

    Parameters
    ----------
    cases : DataFrame
        cases.csv as read by :func:`planner.io.load_folder` (any optional KPI column may be missing).
    agents, skills : DataFrame or None
        agents.csv (every listed agent gets a row, even without cases) and skills.csv (declared levels).
    config : PlannerConfig
        ``config.tiers`` for the window, weights, bands and evidence rules; case-type complexity.
    previous : DataFrame, path or None
        The previous tiers.csv (``agent_id``, ``tier``) for hysteresis.
    as_of : Timestamp, optional
        End of the window (exclusive); default the day after the newest case.
    """
    cfg = config.tiers
    if "agent_id" not in cases.columns:
        raise MissingInputError("tiers needs an agent_id column in cases.csv (who handled each case)")
    window = kpi_window(cases, cfg.window_weeks, as_of)
    served = served_cases(cases, window)
    if served.empty:
        raise MissingInputError(f"tiers found no served case with an agent_id between "
                                f"{window.start:%Y-%m-%d} and {window.end:%Y-%m-%d}")
    kpis = available_kpis(served, min_values=cfg.min_cases)
    weights = normalised_weights(cfg.weights, kpis)
    if not weights:
        raise MissingInputError("tiers found no KPI with data: cases.csv needs at least one of "
                                + ", ".join(KPI_COLUMNS.values()))
    used = list(weights)
    # Named in reasons as "not in the data"; a KPI present but weighted 0 is simply not used.
    missing = tuple(k for k in KPI_COLUMNS if k not in kpis)
    ids = set(served["agent_id"])
    if agents is not None:
        ids |= set(agents["agent_id"].astype(str))
    agent_ids = np.array(sorted(ids), dtype=object)

    fits = {k: fit_case_mix(served, k, agent_ids) for k in used}
    est: dict[str, KpiEstimate] = {k: estimate_kpi(f) for k, f in fits.items()}
    score, low, high = composite(est, weights)
    sd = (high - low) / (2 * Z_LEVEL)

    raw = raw_kpis(served, used, ["agent_id"], window.weeks).set_index("agent_id").reindex(agent_ids)
    n_cases = raw["cases"].fillna(0).astype(int).to_numpy()
    eligible = n_cases >= cfg.min_cases
    bands = band_thresholds(score, eligible, cfg)
    prev = _previous_tiers(previous, agent_ids)
    tier, kept, held = assign_tiers(score, sd, eligible, bands, prev, cfg.hysteresis,
                                    cfg.hysteresis_sd_share,
                                    Z_LEVEL if cfg.require_credible else None)

    complexity = {t: config.case_type(t).complexity for t in set(served["case_type"])}
    shares = mix_shares(served, complexity, agent_ids)
    contrib = {k: weights[k] * est[k].z for k in used}
    reasons = []
    for i in range(len(agent_ids)):
        # The band edge the hysteresis held the agent against (named in the reason).
        upper = tier[i] == "high" or (tier[i] == "medium" and score[i] >= bands.high)
        edge = bands.high if upper else bands.low
        facts = AgentFacts(
            tier=str(tier[i]), cases=int(n_cases[i]), min_cases=cfg.min_cases,
            complex_share=float(shares["complex"].iloc[i]), score=float(score[i]),
            values={k: float(est[k].value[i]) for k in used},
            teams={k: est[k].team for k in used},
            contributions={k: float(contrib[k][i]) for k in used},
            csat_raw=float(raw["csat"].iloc[i]) if "csat" in used else float("nan"),
            surveys=int(raw["surveys"].fillna(0).iloc[i]) if "csat" in used else 0,
            kept_by_hysteresis=bool(kept[i]), band_edge=float(edge), missing_kpis=missing,
            held_by_evidence=bool(held[i]),
        )
        reasons.append(reason_line(facts))

    none = n_cases == 0
    out = pd.DataFrame({
        "agent_id": agent_ids.astype(str),
        "tier": tier,
        "score": np.where(none, np.nan, score),
        "score_low": np.where(none, np.nan, low),
        "score_high": np.where(none, np.nan, high),
        "cases": n_cases,
        "cases_per_week": raw["cases_per_week"].fillna(0).to_numpy(),
    })
    if "handle_time" in used:
        out["aht_seconds"] = raw["aht_seconds"].to_numpy()
    for k in used:
        out[ADJUSTED_COLUMNS[k]] = np.where(none, np.nan, est[k].value)
    if "csat" in used:
        out["surveys"] = raw["surveys"].fillna(0).astype(int).to_numpy()
    out["complex_share"] = shares["complex"].to_numpy()
    out["previous_tier"] = prev if prev is not None else ""
    out["reason"] = reasons

    z = pd.DataFrame({"agent_id": agent_ids.astype(str), **{f"z_{k}": est[k].z for k in used}})
    scores = type_scores(served, fits, est, weights)
    levels = learn_levels(scores, skills, cfg.proficiency_min_cases)
    volume = served["case_type"].value_counts().astype(float).to_dict()
    cross = cross_skilling(out, levels, config, volume)
    up = upskilling(out, z, weights, bands, levels)
    by_type = raw_kpis(served, used, ["agent_id", "case_type"], window.weeks)
    notes = []
    if missing:
        notes.append("KPIs not in the data (weights dropped): " + ", ".join(missing))
    notes.append(f"intervals are {LEVEL:.0%} credible intervals")
    return TierResult(out, levels, cross, up, by_type, z, bands, tuple(used), weights, window,
                      tuple(notes))
