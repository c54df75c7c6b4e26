"""Tiers from scores: percentile or target bands, with hysteresis against the previous tiers file.

Hysteresis: an agent keeps the previous tier while the score stays within ``margin`` of that tier's
band, so an agent whose score wobbles around a boundary does not flip at every run. The margin is the
configured ``hysteresis`` (in score units, i.e. between-agent standard deviations) plus a share of
the agent's own score uncertainty: evidence that is vague must cross further before it moves someone.

Credibility: with ``require_credible`` an agent is high (low) only when the score's interval lies
above (below) the team average, so a team without real differences is not split into tiers by noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.domain import INSUFFICIENT, TIER_LABELS
from planner.errors import ContractError, Problem
from planner.io.cells import read_csv
from planner.io.config import TierConfig


@dataclass(frozen=True)
class Bands:
    """Score thresholds: ``score >= high`` is high, ``score < low`` is low, in between medium."""

    low: float
    high: float
    kind: str


def band_thresholds(score: np.ndarray, eligible: np.ndarray, cfg: TierConfig) -> Bands:
    """Thresholds from the team's own distribution (``percentile``) or from the config (``targets``)."""
    if cfg.bands == "targets" or not eligible.any():
        return Bands(cfg.low_score, cfg.high_score, "targets")
    s = np.sort(score[eligible])
    k = len(s)
    # Exactly the configured shares of eligible agents (rounded), not an interpolated quantile: the top
    # round(high_share * k) agents are high. Thresholds halfway between neighbours.
    n_high = round(cfg.high_share * k)
    n_low = round(cfg.low_share * k)
    high = (s[k - n_high] + s[k - n_high - 1]) / 2 if 0 < n_high < k else (np.inf if n_high == 0
                                                                           else -np.inf)
    low = (s[n_low - 1] + s[n_low]) / 2 if 0 < n_low < k else (-np.inf if n_low == 0 else np.inf)
    return Bands(float(low), float(high), "percentile")


def band_of(score: np.ndarray, bands: Bands) -> np.ndarray:
    """Tier name of each score without hysteresis."""
    return np.where(score >= bands.high, "high", np.where(score < bands.low, "low", "medium"))


def assign_tiers(score: np.ndarray, score_sd: np.ndarray, eligible: np.ndarray, bands: Bands,
                 previous: np.ndarray | None, hysteresis: float, sd_share: float = 0.5,
                 credible_z: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tier per agent, whether hysteresis kept the previous tier, and whether the evidence held an
    agent in medium.

    Parameters
    ----------
    score, score_sd : array
        Composite score and its posterior standard deviation.
    eligible : array of bool
        Agents with enough evidence; the others are ``insufficient_evidence``.
    previous : array of str or None
        The previous tier per agent ("" or NaN when unknown).
    hysteresis, sd_share : float
        Margin = hysteresis + sd_share * score_sd.
    credible_z : float or None
        When given, high needs ``score - credible_z * sd > 0`` and low ``score + credible_z * sd < 0``:
        the agent's interval must exclude the team average (score 0). Percentile bands always fill
        their shares, even in a team where nobody differs; this keeps such agents medium.
    """
    new = band_of(score, bands)
    held = np.zeros(len(score), dtype=bool)
    if credible_z is not None:
        sd = np.asarray(score_sd)
        held = ((new == "high") & (score - credible_z * sd <= 0)) | (
            (new == "low") & (score + credible_z * sd >= 0))
        new = np.where(held, "medium", new)
    kept = np.zeros(len(score), dtype=bool)
    if previous is not None:
        prev = np.asarray(pd.Series(previous).fillna("").astype(str), dtype=object)
        margin = hysteresis + sd_share * np.asarray(score_sd)
        stay_high = (prev == "high") & (score >= bands.high - margin)
        stay_low = (prev == "low") & (score < bands.low + margin)
        stay_medium = (prev == "medium") & (score >= bands.low - margin) & (score < bands.high + margin)
        keep = (stay_high | stay_low | stay_medium) & (prev != new)
        new = np.where(keep, prev, new)
        kept = keep
        held &= ~keep
    tiers = np.where(eligible, new, INSUFFICIENT)
    return tiers.astype(object), kept & eligible, held & eligible


def read_previous(path: str | Path) -> pd.DataFrame:
    """A previous tiers.csv: ``agent_id`` and ``tier``; a clear error when it is not one."""
    path = Path(path)
    try:
        prev = read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ContractError([Problem(str(path), None, None, None, f"a readable tiers.csv ({err})")]
                            ) from None
    missing = [c for c in ("agent_id", "tier") if c not in prev.columns]
    if missing:
        raise ContractError([Problem(str(path), 1, c, None, f"column '{c}' (a tiers.csv written by "
                                     "'planner tiers')") for c in missing])
    allowed = set(TIER_LABELS)
    bad = ~prev["tier"].isin(allowed)
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:20]
        raise ContractError([Problem(str(path), int(i) + 2, "tier", prev["tier"].iloc[i],
                                     "one of " + ", ".join(sorted(allowed))) for i in rows])
    return prev[["agent_id", "tier"]]
