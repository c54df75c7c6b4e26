"""Empirical-Bayes shrinkage: small samples are pulled toward the team, large ones barely move.

Pure numpy functions, no pandas. Two families:

- rates (first-contact resolution, reopen, transfer): beta-binomial. The team's between-agent
  distribution of true rates is a Beta(alpha, beta) fitted by the method of moments (Kleinman 1973;
  see also Efron, "Large-Scale Inference", 2010, ch. 1); an agent with ``s`` successes in ``n`` trials
  has the posterior Beta(alpha + s, beta + n - s).
- means (log handle-time effect, CSAT, QA): normal-normal. The true agent effects are N(mu, tau2),
  each agent's estimate has sampling variance ``v``; tau2 by the method of moments (DerSimonian and
  Laird 1986); the posterior mean is the precision-weighted average of estimate and team.

Both give a posterior mean and variance, so every score can carry an interval.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

# Between-agent variance is never taken as exactly zero: a zero prior variance would erase every
# agent's own evidence. The floor is relative to the scale of the quantity.
_REL_FLOOR = 1e-4


def fit_beta_prior(successes: np.ndarray, trials: np.ndarray, min_trials: float = 1.0
                   ) -> tuple[float, float]:
    """Beta(alpha, beta) of the true per-agent rates, by the method of moments.

    The observed spread of ``successes / trials`` is the true spread plus binomial noise
    ``m (1 - m) / n``; the noise is subtracted before matching the Beta's variance.

    Parameters
    ----------
    successes, trials : array
        Per agent; successes may be fractional (case-mix adjusted counts).
    min_trials : float
        Agents with fewer trials do not inform the prior.

    Returns
    -------
    alpha, beta : float
        Both > 0. When the agents show no more spread than noise, a tight prior
        (alpha + beta = 1e4) centred on the team rate.
    """
    s = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    keep = n >= min_trials
    if not keep.any():
        return 1.0, 1.0
    s, n = s[keep], n[keep]
    m = float(np.clip(s.sum() / n.sum(), 1e-4, 1 - 1e-4))
    p = s / n
    observed = float(np.average((p - m) ** 2, weights=n)) if len(p) > 1 else 0.0
    noise = m * (1 - m) * len(p) / n.sum()  # weighted mean of m(1-m)/n with weights n
    true_var = max(observed - noise, _REL_FLOOR * m * (1 - m))
    strength = min(max(m * (1 - m) / true_var - 1.0, 1e-3), 1e4)
    return m * strength, (1 - m) * strength


def beta_posterior(successes: np.ndarray, trials: np.ndarray, alpha: float, beta: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and variance of each agent's true rate under a Beta(alpha, beta) prior.

    Posterior Beta(a', b') with a' = alpha + s, b' = beta + n - s; mean a'/(a'+b'),
    variance a'b' / ((a'+b')^2 (a'+b'+1)).
    """
    s = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    a = alpha + s
    b = beta + np.maximum(n - s, 0.0)
    mean = a / (a + b)
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    return mean, var


def beta_interval(successes: np.ndarray, trials: np.ndarray, alpha: float, beta: float,
                  level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed credible interval of each agent's true rate."""
    s = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    a = alpha + s
    b = beta + np.maximum(n - s, 0.0)
    tail = (1 - level) / 2
    return stats.beta.ppf(tail, a, b), stats.beta.ppf(1 - tail, a, b)


def beta_prior_variance(alpha: float, beta: float) -> float:
    """Variance of the Beta prior: the true between-agent variance of the rate."""
    return alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1))


def fit_normal_prior(estimates: np.ndarray, variances: np.ndarray) -> tuple[float, float]:
    """Mean and between-agent variance tau2 of true effects, by the method of moments.

    tau2 = max(floor, weighted variance of the estimates - mean sampling variance), the
    DerSimonian-Laird idea with weights equal to the inverse sampling variance of each estimate.
    Agents with infinite variance (no observations) are ignored.
    """
    x = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    keep = np.isfinite(x) & np.isfinite(v) & (v > 0)
    if keep.sum() == 0:
        return 0.0, 1.0
    x, v = x[keep], v[keep]
    w = 1.0 / v
    mu = float(np.sum(w * x) / np.sum(w))
    if len(x) < 2:
        return mu, float(max(v[0], 1e-12))
    # Q statistic of DerSimonian and Laird: sum w (x - mu)^2 = (k - 1) + tau2 * (S1 - S2 / S1).
    q = float(np.sum(w * (x - mu) ** 2))
    s1, s2 = float(np.sum(w)), float(np.sum(w**2))
    tau2 = (q - (len(x) - 1)) / (s1 - s2 / s1)
    floor = _REL_FLOOR * max(float(np.median(v)), 1e-12)
    return mu, float(max(tau2, floor))


def normal_posterior(estimates: np.ndarray, variances: np.ndarray, mu: float, tau2: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and variance of each true effect: the estimate shrunk toward ``mu``.

    The shrinkage factor B = v / (v + tau2) is the share of the way back to the team mean; an
    agent without observations (NaN estimate or infinite variance) gets exactly the prior.
    """
    x = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    none = ~np.isfinite(x) | ~np.isfinite(v)
    v_safe = np.where(none, 1.0, v)
    x_safe = np.where(none, mu, x)
    b = v_safe / (v_safe + tau2)
    mean = np.where(none, mu, b * mu + (1 - b) * x_safe)
    var = np.where(none, tau2, tau2 * v_safe / (v_safe + tau2))
    return mean, var
