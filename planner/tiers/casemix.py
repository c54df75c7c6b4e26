"""Case-mix adjustment: each agent against what a team-average agent would show on the same mix.

The model per KPI is additive two-way fixed effects on the per-case outcome ``y``:

    y = mu + a_agent + b_segment + e

where a segment is a case type within a channel. For handle time ``y`` is the log of the handle time,
so ``exp(a)`` is the agent's handle time as a ratio of a team-average agent's on the same case types
(a geometric-mean ratio, robust to the long right tail of handle times). For rates ``y`` is 0/1 and
``a`` is the difference in rate at equal mix (a linear probability model, adequate because only the
agent effect is reported, not probabilities per case).

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
    y = np.asarray(y, dtype=float)
    mu = float(y.mean()) if len(y) else 0.0
    r = y - mu
    cnt_r = np.maximum(np.bincount(rows, minlength=n_rows), 1)
    cnt_c = np.maximum(np.bincount(cols, minlength=n_cols), 1)
    a = np.zeros(n_rows)
    b = np.zeros(n_cols)
    for _ in range(max_iter):
        b_new = np.bincount(cols, weights=r - a[rows], minlength=n_cols) / cnt_c
        a_new = np.bincount(rows, weights=r - b_new[cols], minlength=n_rows) / cnt_r
        step = max(float(np.abs(a_new - a).max(initial=0)), float(np.abs(b_new - b).max(initial=0)))
        a, b = a_new, b_new
        if step < tol:
            break
    shift = float(np.average(a[rows])) if len(rows) else 0.0
    return mu, a - shift, b + shift


def fit_case_mix(served: pd.DataFrame, kpi: str, agents: np.ndarray) -> MixFit:
    """Fit the case-mix model of one KPI over the served cases (rows with a value only).

    Parameters
    ----------
    served : DataFrame
        From :func:`planner.tiers.kpis.served_cases` (``agent_id``, ``segment``, ``y_<kpi>``).
    kpi : str
    agents : array of str
        The agent order of the result; agents without a value get effect 0 and infinite variance.
    """
    col = f"y_{kpi}"
    have = served[col].notna().to_numpy()
    df = served.loc[have, ["agent_id", "segment", col]]
    y = df[col].to_numpy(dtype=float)
    agent_pos = pd.Index(agents)
    rows = agent_pos.get_indexer(df["agent_id"].to_numpy())
    ok = rows >= 0
    y, rows = y[ok], rows[ok]
    seg_codes, segments = pd.factorize(df["segment"].to_numpy()[ok], sort=True)
    n_rows, n_cols = len(agents), len(segments)
    mu, a, b = fit_two_way(y, rows, seg_codes, n_rows, n_cols)
    resid = y - mu - a[rows] - b[seg_codes]
    dof = max(len(y) - n_rows - n_cols, 1)
    resid_var = float(np.sum(resid**2) / dof) if len(y) else 1.0
    resid_var = max(resid_var, 1e-12)
    n = np.bincount(rows, minlength=n_rows).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        est_var = np.where(n > 0, resid_var / np.maximum(n, 1), np.inf)
        expected = np.bincount(rows, weights=mu + b[seg_codes], minlength=n_rows) / n
        observed = np.bincount(rows, weights=y, minlength=n_rows) / n
    return MixFit(kpi, np.asarray(agents), np.where(n > 0, a, 0.0), n, est_var,
                  expected, observed, mu, resid_var, np.asarray(segments), b)


def case_residuals(served: pd.DataFrame, fit: MixFit) -> pd.DataFrame:
    """Per case: ``agent_id``, ``case_type`` and the outcome minus the team expectation of its segment.

    The mean of these residuals over an agent's cases of one type is that agent's effect on that
    type (it includes the agent's overall effect ``a``); proficiency shrinks it toward ``a``.
    """
    col = f"y_{fit.kpi}"
    df = served.loc[served[col].notna().to_numpy(), ["agent_id", "case_type", "segment", col]]
    seg_pos = pd.Index(fit.segments).get_indexer(df["segment"].to_numpy())
    b = np.where(seg_pos >= 0, fit.segment_effect[np.maximum(seg_pos, 0)], 0.0)
    return pd.DataFrame({
        "agent_id": df["agent_id"].to_numpy(),
        "case_type": df["case_type"].to_numpy(),
        "resid": df[col].to_numpy(dtype=float) - fit.grand_mean - b,
    })


def mix_shares(served: pd.DataFrame, complexity: dict[str, str], agents: np.ndarray) -> pd.DataFrame:
    """Share of each agent's served cases per complexity (``transactional``, ``standard``, ``complex``)."""
    comp = served["case_type"].map(lambda t: complexity.get(t, "standard"))
    tab = pd.crosstab(served["agent_id"], comp, normalize="index")
    for c in ("transactional", "standard", "complex"):
        if c not in tab.columns:
            tab[c] = 0.0
    return tab.reindex(agents).fillna(0.0)[["transactional", "standard", "complex"]]
