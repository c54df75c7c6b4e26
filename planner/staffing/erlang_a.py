"""Erlang A (M/M/n+M, Palm's queue with exponential patience): pure, vectorised functions.

Callers arrive as a Poisson process (rate ``lambda``), are served in ``AHT`` on average
(rate ``mu``) by ``n`` agents, and abandon after an exponential patience with mean
``patience_seconds`` (rate ``theta``). With ``x = n mu / theta`` and ``y = lambda / theta`` the
stationary distribution gives closed forms (Garnett, Mandelbaum and Reiman 2002; Mandelbaum and
Zeltyn 2007) in the lower incomplete gamma function ``gamma(x, y)``:

- ``J(x, y) = x e^y y^-x gamma(x, y)`` (the queue part of the normalising sum, ``1F1(1; x+1; y)``),
- ``P(wait > 0) = J E / (1 + (J - 1) E)`` with ``E`` the Erlang B blocking of ``n`` agents,
- ``P(abandon | wait > 0) = 1 / (rho J) + 1 - 1 / rho`` with ``rho = A / n``,
- the offered wait ``V`` (the wait of a caller with infinite patience) has
  ``E[exp(-s V) | V > 0] = y^-k gamma(x + k, y) / gamma(x, y)`` with ``k = s / theta``, so that

  ``P(answered within T) = P(V = 0) + P(V > 0) [gamma(x+1, y) - gamma(x+1, y e^{-theta T})] / (y gamma(x, y))``

  which tends to ``1 - P(abandon)`` for long targets (it does not collapse to ``P(V = 0)``).

Service level here is the share of *all offered* cases answered within ``answer_seconds``: a case
that abandons counts as missed, however early. ASA is the mean wait of answered cases.

References
----------
O. Garnett, A. Mandelbaum and M. Reiman, "Designing a call center with impatient customers",
Manufacturing & Service Operations Management 4(3), 2002.
A. Mandelbaum and S. Zeltyn, "Service engineering in action: the Palm/Erlang-A queue, with
applications to call centers", in Advances in Services Innovations, Springer, 2007.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, gammainc, gammaln

from planner.staffing.erlang import (
    TARGET_TOLERANCE,
    Staffing,
    _bcast,
    ceil_exact,
    erlang_b,
    fractional_requirement,
    least_agents,
)

Array = NDArray[np.float64]
# Below this a probability is treated as zero (its gamma ratios would be 0 / 0).
TINY = 1e-290


@dataclass(frozen=True)
class ErlangA:
    """Every Erlang A figure for the same inputs (arrays): computed together, they share work."""

    wait_probability: Array
    abandon_probability: Array
    service_level: Array
    asa_seconds: Array
    mean_wait_seconds: Array
    occupancy: Array


def _series(a: Array, z: Array) -> tuple[Array, Array]:
    """log S(a, z) and d/da log S(a, z) for S = 1F1(1; a+1; z) = sum_k z^k / ((a+1)...(a+k)).

    Used where the regularised incomplete gamma function underflows (z far below a): there the
    terms fall at least geometrically, and every term is positive (no cancellation).
    """
    term = np.ones_like(a)
    total = np.ones_like(a)
    dtotal = np.zeros_like(a)
    harmonic = np.zeros_like(a)
    live = np.arange(a.size)
    k = 0
    while live.size and k < 1_000_000:
        k += 1
        al, zl = a[live], z[live]
        term[live] = term[live] * zl / (al + k)
        harmonic[live] += 1.0 / (al + k)
        total[live] += term[live]
        dtotal[live] -= term[live] * harmonic[live]
        done = term[live] * (1.0 + harmonic[live]) <= 1e-17 * (total[live] + np.abs(dtotal[live]))
        live = live[~done]
    return np.log(total), dtotal / total


def _log_p(a: Array, z: Array) -> Array:
    """log P(a, z), the log of the regularised lower incomplete gamma function, without underflow.

    ``P(a, z) = z^a e^-z S(a, z) / Gamma(a + 1)`` where ``gammainc`` would return 0.
    """
    p = gammainc(a, z)
    with np.errstate(divide="ignore"):
        out = np.log(p)
    bad = ~(p > TINY) & (z > 0)
    if bad.any():
        ab, zb = a[bad], z[bad]
        out[bad] = ab * np.log(zb) - zb - gammaln(ab + 1.0) + _series(ab, zb)[0]
    return out


def _log_j(x: Array, y: Array) -> Array:
    """log J(x, y), J = sum_{m>=0} y^m / ((x+1)...(x+m)) = x e^y y^-x gamma(x, y) = S(x, y)."""
    return np.log(x) + y - x * np.log(y) + gammaln(x) + _log_p(x, y)


def _log_y_minus_dlog_gamma(s: Array, y: Array) -> Array:
    """log y - d/ds log gamma(s, y) (lower incomplete gamma), which is positive for s > y.

    Where P(s, y) is comfortably representable: digamma plus a 5-point central difference of
    log P in s. Elsewhere, from the series: log gamma(s, y) = s log y - y - log s + log S(s, y),
    so the wanted value is 1/s - d/ds log S(s, y), summed term by term.
    """
    out = np.empty_like(s)
    fd = gammainc(s, y) > 1e-250
    if fd.any():
        ss, yy = s[fd], y[fd]
        h = 1e-3 * np.sqrt(ss)
        d = (-_log_p(ss + 2 * h, yy) + 8 * _log_p(ss + h, yy) - 8 * _log_p(ss - h, yy)
             + _log_p(ss - 2 * h, yy)) / (12 * h)
        out[fd] = np.log(yy) - digamma(ss) - d
    if (~fd).any():
        ss, yy = s[~fd], y[~fd]
        out[~fd] = 1.0 / ss - _series(ss, yy)[1]
    return out


def erlang_a(agents: ArrayLike, erlangs: ArrayLike, aht_seconds: ArrayLike,
             patience_seconds: ArrayLike, answer_seconds: ArrayLike = 0.0) -> ErlangA:
    """Erlang A figures for ``agents`` agents and an offered load of ``erlangs``.

    Parameters
    ----------
    agents : array_like
        Agents ``n`` >= 0 (whole numbers; fractional values use the continuous extension).
    erlangs : array_like
        Offered load ``A = lambda AHT`` [Erl].
    aht_seconds : array_like
        Average handle time [s].
    patience_seconds : array_like
        Mean patience of a waiting caller [s] (exponential).
    answer_seconds : array_like
        Answer-time target ``T`` [s] of the service level.

    Returns
    -------
    ErlangA
        ``wait_probability`` P(wait > 0), ``abandon_probability``, ``service_level`` (share of
        offered cases answered within T), ``asa_seconds`` (mean wait of answered cases),
        ``mean_wait_seconds`` (of all cases, ``P(abandon) * patience``) and ``occupancy``.
    """
    n, a, h, pat, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in
                                            (agents, erlangs, aht_seconds, patience_seconds,
                                             answer_seconds)))
    shape = n.shape
    n, a, h, pat, t = (v.ravel() for v in (n, a, h, pat, t))
    size = n.size
    pw = np.zeros(size)
    pab = np.zeros(size)
    sl = np.ones(size)
    w_ans = np.zeros(size)
    none = n <= 0
    pw[none & (a > 0)] = 1.0
    pab[none & (a > 0)] = 1.0
    sl[none & (a > 0)] = 0.0
    w_ans[none & (a > 0)] = np.nan  # nobody is answered
    ok = ~none & (a > 0)
    if ok.any():
        nn, aa, hh, pp, tt = n[ok], a[ok], h[ok], pat[ok], t[ok]
        theta = 1.0 / pp
        x = nn * pp / hh  # n mu / theta
        y = aa * pp / hh  # lambda / theta
        e = erlang_b(nn, aa)
        log_j = _log_j(x, y)
        j = np.exp(np.minimum(log_j, 700.0))
        # P(W > 0) = J E / (1 + (J - 1) E), written to stay finite when J is huge.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            pwo = np.where(log_j > 700.0, 1.0 / (1.0 + (1.0 / e - 1.0) * np.exp(-log_j)),
                           j * e / (1.0 + (j - 1.0) * e))
        pwo = np.clip(np.nan_to_num(pwo, nan=1.0), 0.0, 1.0)
        # P(served | waited) = (x / y)(1 - 1/J): the long-target limit of the service level.
        served_w = np.clip((x / y) * (1.0 - np.exp(-log_j)), 0.0, 1.0)
        pab_o = pwo * (1.0 - served_w)
        # Share of waiting cases answered within T: x [P(x+1, y) - P(x+1, y e^-theta T)] / (y P(x, y)).
        lp = _log_p(x, y)
        with np.errstate(over="ignore", under="ignore"):
            within = (x / y) * (np.exp(_log_p(x + 1.0, y) - lp)
                                - np.exp(_log_p(x + 1.0, y * np.exp(-theta * tt)) - lp))
        within = np.clip(np.nan_to_num(within), 0.0, served_w)
        sl_o = (1.0 - pwo) + pwo * within
        # E[V exp(-theta V) | V > 0] = L (log y - d/ds log gamma(s, y)|_{s=x+1}) / theta with
        # L = gamma(x+1, y) / (y gamma(x, y)) = P(served | waited).
        ev = served_w * np.maximum(_log_y_minus_dlog_gamma(x + 1.0, y), 0.0) * pp
        with np.errstate(divide="ignore", invalid="ignore"):
            w_o = np.where(pwo > TINY, pwo * ev / (1.0 - pab_o), 0.0)
        pw[ok], pab[ok], sl[ok], w_ans[ok] = pwo, pab_o, sl_o, np.nan_to_num(w_o)
    mean_wait = pab * pat
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a * (1.0 - pab) / n, 1.0), 0.0)
    return ErlangA(pw.reshape(shape), pab.reshape(shape), sl.reshape(shape), w_ans.reshape(shape),
                   mean_wait.reshape(shape), occ.reshape(shape))


def abandon_probability(agents: ArrayLike, erlangs: ArrayLike, aht_seconds: ArrayLike,
                        patience_seconds: ArrayLike) -> Array:
    """Share of offered cases that abandon (Erlang A)."""
    return erlang_a(agents, erlangs, aht_seconds, patience_seconds).abandon_probability


def service_level(agents: ArrayLike, erlangs: ArrayLike, aht_seconds: ArrayLike,
                  patience_seconds: ArrayLike, answer_seconds: ArrayLike) -> Array:
    """Share of offered cases answered within ``answer_seconds`` [s] (Erlang A)."""
    return erlang_a(agents, erlangs, aht_seconds, patience_seconds, answer_seconds).service_level


def asa(agents: ArrayLike, erlangs: ArrayLike, aht_seconds: ArrayLike,
        patience_seconds: ArrayLike) -> Array:
    """Average speed of answer [s]: mean wait of answered cases (Erlang A)."""
    return erlang_a(agents, erlangs, aht_seconds, patience_seconds).asa_seconds


def agents_for_target(erlangs: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike, *,
                      service_level: ArrayLike | None = None, answer_seconds: ArrayLike | None = None,
                      max_asa_seconds: ArrayLike | None = None, max_abandon: ArrayLike | None = None,
                      max_occupancy: ArrayLike = 1.0, concurrency: ArrayLike = 1) -> Staffing:
    """Least agents meeting every given target under Erlang A, vectorised over all inputs.

    Targets as in :func:`planner.staffing.erlang.agents_for_target`, plus ``max_abandon`` (the
    largest acceptable share of abandoned cases). Unlike Erlang C, fewer agents than Erlangs can be
    stable; the search (vectorised bisection) starts from zero agents. The occupancy counts the
    carried load ``A (1 - P(abandon))``.

    Parameters
    ----------
    erlangs : array_like
        Offered load [Erl].
    aht_seconds : array_like
        Average handle time [s].
    patience_seconds : array_like
        Mean patience [s].
    service_level, answer_seconds, max_asa_seconds, max_abandon, max_occupancy, concurrency
        Targets; ``None`` (or NaN per element) means no such target.

    Returns
    -------
    Staffing
        ``agents``, ``agents_fractional`` and the figures achieved (``abandon_rate`` included).
    """
    a, h, pat, sl_t, t, asa_t, ab_t, occ_t, k = _bcast(
        erlangs, aht_seconds, patience_seconds, service_level, answer_seconds, max_asa_seconds,
        max_abandon, max_occupancy, concurrency)
    if np.any(np.isfinite(sl_t) & ~np.isfinite(t)):
        raise ValueError("a service_level target needs answer_seconds")
    shape = a.shape
    a, h, pat, sl_t, t, asa_t, ab_t, occ_t, k = (v.ravel() for v in
                                                 (a, h, pat, sl_t, t, asa_t, ab_t, occ_t, k))
    t0 = np.where(np.isfinite(t), t, 0.0)

    def check(nn: NDArray[np.int64], idx: NDArray[np.intp]) -> NDArray[np.bool_]:
        r = erlang_a(nn * k[idx], a[idx], h[idx], pat[idx], t0[idx])
        ok = ~(r.service_level < sl_t[idx] - TARGET_TOLERANCE)
        ok &= ~(r.asa_seconds > asa_t[idx] + TARGET_TOLERANCE)
        ok &= ~(r.abandon_probability > ab_t[idx] + TARGET_TOLERANCE)
        ok &= ~(r.occupancy > occ_t[idx] + TARGET_TOLERANCE)
        return ok

    n = np.zeros(a.shape, dtype=np.int64)
    busy = np.flatnonzero(a > 0)
    if busy.size:
        # Zero agents answer nobody: infeasible whenever there is load and a target.
        lo = np.zeros(busy.size, dtype=np.int64)
        guess = ceil_exact(a[busy] / k[busy]) + 1

        def feasible(nn: NDArray[np.int64], idx: NDArray[np.intp]) -> NDArray[np.bool_]:
            return check(nn, busy[idx])

        n[busy] = least_agents(feasible, lo, guess)
    r = erlang_a(n * k, a, h, pat, t0)
    b = erlang_a(np.maximum(n - 1, 0) * k, a, h, pat, t0)
    names = ("service_level", "asa_seconds", "abandon_probability", "occupancy")
    below = {m: getattr(b, m) for m in names}
    at = {m: getattr(r, m) for m in names}
    targets = {"service_level": (sl_t, ">="), "asa_seconds": (asa_t, "<="),
               "abandon_probability": (ab_t, "<="), "occupancy": (occ_t, "<=")}
    frac = fractional_requirement(n, below, at, targets, np.zeros(a.shape))
    sl = np.where(np.isfinite(t), r.service_level, np.nan)
    return Staffing(n.reshape(shape), frac.reshape(shape), sl.reshape(shape),
                    r.asa_seconds.reshape(shape), r.occupancy.reshape(shape),
                    r.abandon_probability.reshape(shape))
