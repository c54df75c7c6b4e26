"""Borrowing strength: empirical-Bayes shrinkage of observed shares toward a prior shape.

Counts ``c`` over categories (intervals of a day, weekdays) are modelled as Dirichlet-multinomial
around a prior shape ``p0``: the posterior mean of the shares is ``(c + alpha * p0) / (N + alpha)``.
The concentration ``alpha`` is estimated by the method of moments from the Pearson statistic:
``E[X2] = (S - 1) (N + alpha) / (1 + alpha)`` (Mosimann 1962), so a busy type whose shape really
differs from the prior keeps its own shape, and a quiet one (a type with 3 cases) takes the prior's.
``alpha`` is at least the number of categories, since the moment estimate is unreliable for a few
counts.
"""

from __future__ import annotations

import numpy as np


def concentration(counts: np.ndarray, prior: np.ndarray) -> float:
    """Method-of-moments Dirichlet concentration of ``counts`` around shares ``prior``.

    Parameters
    ----------
    counts : ndarray
        Non-negative counts per category.
    prior : ndarray
        Prior shares (sum 1 over the categories that can occur).

    Returns
    -------
    float
        ``alpha`` in pseudo-counts; ``inf`` when the counts are no more dispersed than a multinomial
        from the prior (then the prior is used as is), 0 when there is no prior.
    """
    counts = np.asarray(counts, dtype=float)
    prior = np.asarray(prior, dtype=float)
    total = counts.sum()
    support = prior > 0
    if not support.any():
        return 0.0
    if total <= 1:
        return np.inf
    # counts where the prior says "impossible" are evidence against the prior: treat as 1e-6 share
    p = np.where(support, prior, 1e-6)
    p = p / p.sum()
    cats = int(((counts > 0) | support).sum())
    if cats <= 1:
        return np.inf
    x2 = float(((counts - total * p) ** 2 / (total * p)).sum())
    ratio = x2 / (cats - 1)
    if ratio <= 1.0:
        return np.inf
    # The moment estimate is very noisy for a handful of counts (3 cases in one slot look like
    # "no pooling at all"); at least one pseudo-count per category keeps a quiet type near the prior
    # while costing a busy type (thousands of cases) nothing.
    return max((total - ratio) / (ratio - 1.0), float(cats))


def shrink_shares(counts: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Posterior-mean shares of ``counts`` shrunk toward ``prior`` (see module docstring).

    Returns the prior when there are no counts and the raw shares when there is no prior.
    """
    counts = np.asarray(counts, dtype=float)
    prior = np.asarray(prior, dtype=float)
    total = counts.sum()
    psum = prior.sum()
    if psum <= 0:
        return counts / total if total > 0 else np.zeros_like(counts)
    prior = prior / psum
    if total <= 0:
        return prior.copy()
    alpha = concentration(counts, prior)
    if np.isinf(alpha):
        return prior.copy()
    return (counts + alpha * prior) / (total + alpha)


def smooth(shares: np.ndarray, allowed: np.ndarray, width: int = 1) -> np.ndarray:
    """Triangular-kernel smoothing within ``allowed`` categories (a day's open intervals).

    Mass never leaks into disallowed categories; the result sums to the input's sum.
    """
    shares = np.asarray(shares, dtype=float)
    if width <= 0 or shares.sum() <= 0:
        return shares.copy()
    kernel = np.r_[np.arange(1, width + 2), np.arange(width, 0, -1)].astype(float)
    mask = allowed.astype(float)
    num = np.convolve(shares * mask, kernel, mode="same")
    den = np.convolve(mask, kernel, mode="same")
    out = np.where(allowed & (den > 0), num / np.maximum(den, 1e-12), 0.0)
    total = out.sum()
    return out * (shares.sum() / total) if total > 0 else shares.copy()
