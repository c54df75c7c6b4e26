"""From case-mix effects to shrunk KPIs, standardised KPIs and one composite score per agent.

Each KPI is put on a common scale before weighting: ``z = (shrunk value - team) / between-agent SD``,
signed so that higher is better. The between-agent SD is the prior's (the spread of the agents' *true*
values once noise is removed), so a KPI on which agents really differ little is not inflated by noise.
The composite is the weighted mean of the z; its variance is the weighted sum of the posterior
variances (KPIs treated as independent given the agent, a mild simplification), which gives
``score_low`` and ``score_high``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from planner.tiers.casemix import MixFit
from planner.tiers.kpis import HIGHER_IS_BETTER, RATE_KPIS
from planner.tiers.shrinkage import (
    beta_posterior,
    beta_prior_variance,
    fit_beta_prior,
    fit_normal_prior,
    normal_posterior,
)

# Central credible level of every interval the stage reports.
LEVEL = 0.9
Z_LEVEL = float(stats.norm.ppf(0.5 + LEVEL / 2))
# Agents below this many observations of a KPI do not shape the team prior of that KPI.
_PRIOR_MIN_N = 5


@dataclass(frozen=True)
class KpiEstimate:
    """One KPI for every agent (arrays in the order of ``MixFit.agents``).

    ``value`` is on the KPI's own scale: the handle-time ratio to a team-average agent on the same mix
    (``aht_ratio``), an adjusted rate, or an adjusted mean (CSAT 1-5, QA 0-100); ``low``/``high`` its
    90% interval; ``raw`` the adjusted value before shrinkage; ``team`` the team's value; ``scale``
    the between-agent SD on the model scale (log handle time, rate, mean) that standardises ``z``.
    """

    kpi: str
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    raw: np.ndarray
    z: np.ndarray
    z_var: np.ndarray
    n: np.ndarray
    team: float
    scale: float


def estimate_kpi(fit: MixFit) -> KpiEstimate:
    """Shrink one KPI's case-mix effects toward the team and standardise them."""
    sign = 1.0 if HIGHER_IS_BETTER[fit.kpi] else -1.0
    informative = fit.n >= _PRIOR_MIN_N
    if fit.kpi in RATE_KPIS:
        raw = np.clip(fit.grand_mean + fit.effect, 0.0, 1.0)
        s = raw * fit.n
        alpha, beta = fit_beta_prior(s[informative], fit.n[informative])
        mean, var = beta_posterior(s, fit.n, alpha, beta)
        team = alpha / (alpha + beta)
        prior_var = beta_prior_variance(alpha, beta)
        sd = np.sqrt(var)
        low, high = np.clip(mean - Z_LEVEL * sd, 0, 1), np.clip(mean + Z_LEVEL * sd, 0, 1)
        z = sign * (mean - team) / np.sqrt(prior_var)
        return KpiEstimate(fit.kpi, mean, low, high, np.where(fit.n > 0, raw, np.nan), z,
                           var / prior_var, fit.n, float(team), float(np.sqrt(prior_var)))
    est = np.where(fit.n > 0, fit.effect, np.nan)
    mu, tau2 = fit_normal_prior(np.where(informative, est, np.nan), fit.estimate_var)
    mean, var = normal_posterior(est, fit.estimate_var, mu, tau2)
    z = sign * (mean - mu) / np.sqrt(tau2)
    sd = np.sqrt(var)
    if fit.kpi == "handle_time":
        # Log scale -> ratio to a team-average agent on the same mix.
        value, low, high = np.exp(mean - mu), np.exp(mean - mu - Z_LEVEL * sd), np.exp(mean - mu + Z_LEVEL * sd)
        raw, team = np.exp(est - mu), 1.0
    else:
        value = fit.grand_mean + mean
        low, high = value - Z_LEVEL * sd, value + Z_LEVEL * sd
        raw, team = fit.grand_mean + est, fit.grand_mean + mu
    return KpiEstimate(fit.kpi, value, low, high, raw, z, var / tau2, fit.n, float(team),
                       float(np.sqrt(tau2)))


def normalised_weights(weights: dict[str, float], kpis: list[str]) -> dict[str, float]:
    """Config weights of the KPIs present, rescaled to sum to one (missing KPIs are dropped)."""
    w = {k: float(weights.get(k, 0.0)) for k in kpis}
    total = sum(w.values())
    if total <= 0:
        # Every present KPI has weight 0 in the config: fall back to equal weights, not to nothing.
        return {k: 1.0 / len(kpis) for k in kpis} if kpis else {}
    return {k: v / total for k, v in w.items() if v > 0}


def composite(estimates: dict[str, KpiEstimate], weights: dict[str, float]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted composite of standardised KPIs: (score, score_low, score_high)."""
    n = len(next(iter(estimates.values())).z)
    score = np.zeros(n)
    var = np.zeros(n)
    for kpi, w in weights.items():
        e = estimates[kpi]
        score += w * e.z
        var += w**2 * e.z_var
    sd = np.sqrt(var)
    return score, score - Z_LEVEL * sd, score + Z_LEVEL * sd
