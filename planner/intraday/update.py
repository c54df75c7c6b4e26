"""Intraday re-forecast: the day's level updated from the cases that arrived so far.

Method: Bayesian updating of the day's level with a gamma prior and Poisson arrivals (the
conjugate form of the level updating of Weinberg, Brown and Stroud 2007; Jongbloed and Koole 2001
for the gamma-Poisson arrival model), with the day's deviation decaying over the hours ahead. For
one case type and day, the morning forecast gives ``m_t`` per interval. The day runs at an unknown
multiple ``theta`` of it, with the prior ``theta ~ Gamma(k, k)`` (mean 1: the morning forecast is
right on average). Having seen ``O`` cases where the forecast expected ``F`` up to now, the
posterior is ``Gamma(k + O, k + F)``: its mean

    theta_hat = (k + O) / (k + F)

is the ratio of observed to forecast volume so far, shrunk toward 1 by how much of the day has
been seen (``F`` against ``k``, both in cases). A deviation seen this morning fades by the evening
(the bank's days show it: a busy morning is a poor guide to the night), so an interval ``h`` hours
ahead is forecast as ``m_t (1 + rho_h (theta_hat - 1))`` with ``rho_h = exp(-h / tau)``, the
correlation of an AR(1) deviation. ``k`` (:data:`PRIOR_CASES`) and ``tau`` (:data:`DECAY_HOURS`)
are chosen by a backtest over the bank's real days of one month and scored on the other
(``benchmarks/bench_intraday_forecast.py``).

Intervals: an interval's count is Poisson with the rate ``m_t L_t eps_t``: ``L_t`` the level
(mean as above; relative variance ``rho_h^2 / (k + O) + (1 - rho_h^2) / k``, the posterior's
uncertainty fading into the prior's) and ``eps_t`` the interval-level error of the morning's profile
that no level update removes (mean 1, variance :data:`DISPERSION`). The count is then close to
negative binomial with mean ``mu`` and variance ``mu + mu^2 ((1 + v_L) (1 + DISPERSION) - 1)``; the
band is that distribution's central quantiles, ``DISPERSION`` set on the same month so that the
80% band covers about 80%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

# The three constants are chosen on the bank log's February 1999 alone, so that January is held out
# to score them (benchmarks/bench_intraday_forecast.py shows both folds and a rolling origin).
# Prior shape of the day's level [cases]: the level moves halfway to the observed ratio once the
# forecast expected this many cases so far.
PRIOR_CASES = 150.0
# Hours over which a deviation of the day's level fades to 1/e.
DECAY_HOURS = 16.0
# Variance of the interval-level error of the profile (the 80% band's coverage nearest 80%).
DISPERSION = 0.05
LEVEL = 0.8


@dataclass(frozen=True)
class DayLevel:
    """The day's level of one case type: cases seen, cases the forecast expected by then, and the
    posterior mean ``factor`` and shape of the level."""

    case_type: str
    observed: float
    expected: float
    factor: float
    shape: float


def day_level(observed: float, expected: float, prior_cases: float = PRIOR_CASES
              ) -> tuple[float, float]:
    """Posterior mean and shape of the day's level after ``observed`` cases where ``expected``
    were forecast (gamma prior of shape and rate ``prior_cases``; ``inf``: no update)."""
    if not np.isfinite(prior_cases):
        return 1.0, float("inf")
    shape = prior_cases + max(observed, 0.0)
    rate = prior_cases + max(expected, 0.0)
    if rate <= 0:  # no prior and nothing expected yet: nothing to learn from
        return 1.0, float("inf")
    return shape / rate, shape


def nbinom_ppf(q: float, r: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The ``q`` quantile of the negative binomial (``r`` successes, success probability ``p``):
    the least ``k`` with CDF(k) >= q, the CDF being the regularised incomplete beta
    ``I_p(r, k + 1)`` (scipy.stats.nbinom.ppf's own method, without importing scipy.stats)."""
    r, p = np.asarray(r, dtype=float), np.asarray(p, dtype=float)
    vals = np.ceil(special.nbdtrik(q, r, p))
    below = np.clip(vals - 1, 0.0, None)
    return np.where(special.betainc(r, below + 1, p) >= q, below, vals)


def band(mean: np.ndarray, level_var: np.ndarray | float, dispersion: float = DISPERSION,
         level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Central ``level`` band of the counts (negative binomial, see the module docstring);
    ``level_var`` is the level's relative variance per interval."""
    mu = np.maximum(np.asarray(mean, dtype=float), 0.0)
    excess = (1.0 + np.asarray(level_var, dtype=float)) * (1.0 + dispersion) - 1.0
    r = 1.0 / np.clip(excess, 1e-9, None) * np.ones_like(mu)
    p = r / (r + np.where(mu > 0, mu, 1.0))
    tail = (1.0 - level) / 2.0
    low, high = nbinom_ppf(tail, r, p), nbinom_ppf(1 - tail, r, p)
    low = np.where(mu > 0, np.minimum(low, mu), 0.0)
    high = np.where(mu > 0, np.maximum(high, mu), 0.0)
    return low, high


def ahead_level(factor: float, shape: float, hours_ahead: np.ndarray,
                prior_cases: float = PRIOR_CASES, decay_hours: float = DECAY_HOURS
                ) -> tuple[np.ndarray, np.ndarray]:
    """The level and its relative variance ``hours_ahead`` from now (see the module docstring)."""
    rho = np.exp(-np.asarray(hours_ahead, dtype=float) / decay_hours) if decay_hours > 0 else 0.0
    rho = rho * np.ones_like(np.asarray(hours_ahead, dtype=float))
    mean = 1.0 + rho * (factor - 1.0)
    post = 0.0 if not np.isfinite(shape) else factor ** 2 / shape if shape > 0 else 1e6
    prior = 0.0 if not np.isfinite(prior_cases) else 1.0 / prior_cases if prior_cases > 0 else 1e6
    var = rho ** 2 * post + (1.0 - rho ** 2) * prior
    return mean, var / np.maximum(mean, 1e-9) ** 2


def update_forecast(forecast: pd.DataFrame, actuals: pd.DataFrame, day: pd.Timestamp,
                    cut: pd.Timestamp, *, prior_cases: float = PRIOR_CASES,
                    decay_hours: float = DECAY_HOURS, dispersion: float = DISPERSION,
                    level: float = LEVEL
                    ) -> tuple[pd.DataFrame, list[DayLevel]]:
    """The forecast with the rest of ``day`` (intervals from ``cut`` on) updated from ``actuals``.

    Parameters
    ----------
    forecast : forecast.csv rows (``case_type, interval_start, volume, volume_low, volume_high``,
        other columns kept).
    actuals : ``case_type, interval_start, volume``: the counts that arrived, per interval of the
        forecast's grid; an interval of ``day`` before ``cut`` without a row had no case.
    day : midnight of the day being updated; cut : the first interval not yet seen.

    Returns the updated frame (rows outside the rest of the day unchanged) and each case type's
    :class:`DayLevel`.
    """
    out = forecast.copy()
    times = pd.to_datetime(out["interval_start"])
    today = (times >= day) & (times < day + pd.Timedelta(days=1))
    seen = today & (times < cut)
    rest = today & (times >= cut)
    at = pd.to_datetime(actuals["interval_start"])
    window = actuals[(at >= day) & (at < cut)]
    observed_by_type = window.groupby(window["case_type"].astype(str))["volume"].sum()
    levels = []
    for name in dict.fromkeys(out["case_type"].astype(str)):
        mine = out["case_type"].astype(str) == name
        expected = float(out.loc[mine & seen, "volume"].sum())
        observed = float(observed_by_type.get(name, 0.0))
        factor, shape = day_level(observed, expected, prior_cases)
        levels.append(DayLevel(name, observed, expected, factor, shape))
        idx = mine & rest
        if not idx.any():
            continue
        ahead = ((times[idx] - cut) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
        if len(ahead) > 1:  # to the middle of each interval
            ahead = ahead + float(np.diff(ahead).min()) / 2
        lvl, var = ahead_level(factor, shape, ahead, prior_cases, decay_hours)
        mean = out.loc[idx, "volume"].to_numpy(dtype=float) * lvl
        low, high = band(mean, var, dispersion, level)
        out.loc[idx, "volume"] = mean
        if "volume_low" in out:
            out.loc[idx, "volume_low"] = low
        if "volume_high" in out:
            out.loc[idx, "volume_high"] = high
    return out, levels
