"""Case-mix adjustment: each agent against what a team-average agent would show on the same mix.

The model per KPI is additive two-way fixed effects on the per-case outcome ``y``:

    y = mu + a_agent + b_segment + e

where a segment is a case type within a channel. For handle time ``y`` is the log of the handle time,
so ``exp(a)`` is the agent's handle time as a ratio of a team-average agent's on the same case types
(a geometric-mean ratio, robust to the long right tail of handle times). For rates ``y`` is 0/1 and
``a`` is the difference in rate at equal mix (a linear probability model, adequate because only the
agent effect is reported, not probabilities per case).

CSAT also gets a third factor, the band of the customer's wait before the agent picked up: a caller
who waited five minutes rates lower whoever answers, and agents on the busiest shifts should not
carry that. Further covariates plug in the same way (``COVARIATES``).

Why fixed effects and not observed / expected with the team's per-type means: when strong agents take
most of the complex cases, the team's mean on complex cases is itself fast, so observed / expected
punishes them twice. Fitting agent and segment effects together (alternating means, the backfitting
solution of the least-squares problem) removes that bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class MixFit:
    """Agent and segment effects of one KPI.

    ``agents`` is the agent order of every per-agent array; ``effect`` is ``a`` (0 for a team-average
    agent, case-weighted), ``n`` the number of observations, ``estimate_var`` the sampling variance of
    each effect (``resid_var / n``; inf without observations), ``expected`` the mean outcome a
    team-average agent would show on the agent's own mix, ``observed`` the agent's raw mean.
    """

    kpi: str
    agents: np.ndarray
    effect: np.ndarray
    n: np.ndarray
    estimate_var: np.ndarray
    expected: np.ndarray
    observed: np.ndarray
    grand_mean: float
    resid_var: float
    segments: np.ndarray
    segment_effect: np.ndarray
    covariates: tuple[str, ...] = ()
    covariate_effects: tuple[np.ndarray, ...] = ()


# KPI -> extra factor columns of the served cases (integer codes) that are not the agent's doing.
COVARIATES: dict[str, tuple[str, ...]] = {"csat": ("wait_band",)}
# Wait bands [s]: answered at once, within a typical target, a short queue, a long one, very long.
WAIT_BANDS_S: tuple[float, ...] = (20.0, 60.0, 180.0, 600.0)


def wait_band(wait_seconds: np.ndarray) -> np.ndarray:
    """Band code 0..len(WAIT_BANDS_S) of each wait; a missing wait is its own band."""
    w = np.asarray(wait_seconds, dtype=float)
    return np.where(np.isnan(w), len(WAIT_BANDS_S) + 1, np.searchsorted(WAIT_BANDS_S, w, "right"))


def fit_additive(y: np.ndarray, factors: list[tuple[np.ndarray, int]], max_iter: int = 200,
                 tol: float = 1e-10) -> tuple[float, list[np.ndarray]]:
    """Least-squares ``y = mu + sum_k f_k[codes_k]`` by backfitting (alternating group means).

    Each sweep sets every factor to the mean partial residual per level given the others; the sum of
    squares falls at every sweep and converges to the least-squares solution (Hastie and Tibshirani
    1990, ch. 4). Every factor but the first is centred after the sweeps and the shifts moved into
    the first, then the first is centred to a case-weighted mean of zero with its shift moved into
    the second, so the first factor (the agent) reads as a deviation from a case-weighted average.
    """
    y = np.asarray(y, dtype=float)
    mu = float(y.mean()) if len(y) else 0.0
    r = y - mu
    counts = [np.maximum(np.bincount(c, minlength=n), 1) for c, n in factors]
    eff = [np.zeros(n) for _, n in factors]
    fitted = np.zeros(len(y))
    for _ in range(max_iter):
        step = 0.0
        for k, (codes, n) in enumerate(factors):
            partial = r - fitted + eff[k][codes]
            new = np.bincount(codes, weights=partial, minlength=n) / counts[k]
            fitted += new[codes] - eff[k][codes]
            step = max(step, float(np.abs(new - eff[k]).max(initial=0)))
            eff[k] = new
        if step < tol:
            break
    if len(y) and len(factors) > 1:
        for k in range(2, len(factors)):
            shift = float(np.average(eff[k][factors[k][0]]))
            eff[k] = eff[k] - shift
            eff[1] = eff[1] + shift
        shift = float(np.average(eff[0][factors[0][0]]))
        eff[0] = eff[0] - shift
        eff[1] = eff[1] + shift
    return mu, eff


def fit_two_way(y: np.ndarray, rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int,
                max_iter: int = 200, tol: float = 1e-10) -> tuple[float, np.ndarray, np.ndarray]:
    """Least-squares ``y = mu + a[rows] + b[cols]`` by alternating means (backfitting).

    Each sweep sets b to the mean residual per column given a, then a given b; the sum of squares
    falls at every sweep and converges to the least-squares solution. ``a`` is centred to a
    case-weighted mean of zero (the identifiability constraint), the shift moved into ``b``.

    Returns
    -------
    mu, a, b
    """
    mu, (a, b) = fit_additive(y, [(rows, n_rows), (cols, n_cols)], max_iter, tol)
    return mu, a, b


def _covariates(served: pd.DataFrame, kpi: str) -> tuple[str, ...]:
    return tuple(c for c in COVARIATES.get(kpi, ()) if c in served.columns)


def fit_case_mix(served: pd.DataFrame, kpi: str, agents: np.ndarray) -> MixFit:
    """Fit the case-mix model of one KPI over the served cases (rows with a value only).

    Parameters
    ----------
    served : DataFrame
        From :func:`planner.tiers.kpis.served_cases` (``agent_id``, ``segment``, ``y_<kpi>``, and
        the covariate code columns of ``COVARIATES`` when the data has them).
    kpi : str
    agents : array of str
        The agent order of the result; agents without a value get effect 0 and infinite variance.
    """
    col = f"y_{kpi}"
    covs = _covariates(served, kpi)
    have = served[col].notna().to_numpy()
    df = served.loc[have, ["agent_id", "segment", col, *covs]]
    y = df[col].to_numpy(dtype=float)
    rows = pd.Index(agents).get_indexer(df["agent_id"].to_numpy())
    ok = rows >= 0
    y, rows = y[ok], rows[ok]
    seg_codes, segments = pd.factorize(df["segment"].to_numpy()[ok], sort=True)
    n_rows, n_cols = len(agents), len(segments)
    factors = [(rows, n_rows), (seg_codes, n_cols)]
    for c in covs:
        codes = df[c].to_numpy(dtype=np.int64)[ok]
        factors.append((codes, int(codes.max(initial=0)) + 1))
    mu, eff = fit_additive(y, factors)
    a, b = eff[0], eff[1]
    fitted = mu + sum(e[codes] for e, (codes, _) in zip(eff, factors, strict=True))
    resid = y - fitted
    dof = max(len(y) - sum(n for _, n in factors), 1)
    resid_var = float(np.sum(resid**2) / dof) if len(y) else 1.0
    resid_var = max(resid_var, 1e-12)
    n = np.bincount(rows, minlength=n_rows).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        est_var = np.where(n > 0, resid_var / np.maximum(n, 1), np.inf)
        expected = np.bincount(rows, weights=fitted - a[rows], minlength=n_rows) / n
        observed = np.bincount(rows, weights=y, minlength=n_rows) / n
    return MixFit(kpi, np.asarray(agents), np.where(n > 0, a, 0.0), n, est_var,
                  expected, observed, mu, resid_var, np.asarray(segments), b, covs,
                  tuple(eff[2:]))


def case_residuals(served: pd.DataFrame, fit: MixFit) -> pd.DataFrame:
    """Per case: ``agent_id``, ``case_type`` and the outcome minus the team expectation of the case
    (its segment and covariates).

    The mean of these residuals over an agent's cases of one type is that agent's effect on that
    type (it includes the agent's overall effect ``a``); proficiency shrinks it toward ``a``.
    """
    col = f"y_{fit.kpi}"
    df = served.loc[served[col].notna().to_numpy(),
                    ["agent_id", "case_type", "segment", col, *fit.covariates]]
    seg_pos = pd.Index(fit.segments).get_indexer(df["segment"].to_numpy())
    expected = fit.grand_mean + np.where(seg_pos >= 0, fit.segment_effect[np.maximum(seg_pos, 0)], 0.0)
    for c, e in zip(fit.covariates, fit.covariate_effects, strict=True):
        codes = df[c].to_numpy(dtype=np.int64)
        expected = expected + np.where(codes < len(e), e[np.minimum(codes, len(e) - 1)], 0.0)
    return pd.DataFrame({
        "agent_id": df["agent_id"].to_numpy(),
        "case_type": df["case_type"].to_numpy(),
        "resid": df[col].to_numpy(dtype=float) - expected,
    })


def mix_shares(served: pd.DataFrame, complexity: dict[str, str], agents: np.ndarray) -> pd.DataFrame:
    """Share of each agent's served cases per complexity (``transactional``, ``standard``, ``complex``)."""
    comp = served["case_type"].map(lambda t: complexity.get(t, "standard"))
    tab = pd.crosstab(served["agent_id"], comp, normalize="index")
    for c in ("transactional", "standard", "complex"):
        if c not in tab.columns:
            tab[c] = 0.0
    return tab.reindex(agents).fillna(0.0)[["transactional", "standard", "complex"]]
