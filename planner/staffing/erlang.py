"""Erlang B and Erlang C (M/M/n): pure, vectorised functions of numpy arrays.

Every function broadcasts its arguments and returns float arrays. ``agents`` may be fractional: the
formulas use the continuous extension of Erlang B through the incomplete gamma function (Jagerman
1974), which equals the textbook sum at whole numbers. Units: loads in Erlangs [Erl], times in
seconds [s].

Why log space and not the textbook sums: ``A**n / n!`` overflows a float near 170 agents. Here
``log B(n, A) = n log A - A - log Gamma(n + 1) - log Q(n + 1, A)`` with ``Q`` the regularised upper
incomplete gamma function (for whole ``n``, ``Q(n + 1, A)`` is the Poisson(A) distribution function
at ``n``), which stays accurate from a fraction of an Erlang to 50,000 Erlangs and beyond.

References
----------
A. K. Erlang, "Solution of some problems in the theory of probabilities of significance in
automatic telephone exchanges", Elektroteknikeren 13, 1917.
D. L. Jagerman, "Some properties of the Erlang loss function", Bell System Technical Journal 53(3),
1974.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaincc, gammaln

# A target counts as met when it is missed by less than this: a service level computed as
# 0.7999999999999999 for a true 0.8 must not cost an extra agent.
TARGET_TOLERANCE = 1e-12
# Relative slack when rounding a ratio up: 21 / (1 - 0.3) is 30.000000000000004 in floating point.
ROUND_TOLERANCE = 1e-9

Array = NDArray[np.float64]


def ceil_exact(x: ArrayLike) -> NDArray[np.int64]:
    """Round up, ignoring floating-point noise just above a whole number.

    ``ceil_exact(21 / 0.7) == 30`` although ``21 / 0.7 == 30.000000000000004``.
    """
    x = np.asarray(x, dtype=float)
    r = np.rint(x)
    near = np.abs(x - r) <= ROUND_TOLERANCE * np.maximum(1.0, np.abs(x))
    return np.where(near, r, np.ceil(x)).astype(np.int64)


def gross_agents(agents_net: ArrayLike, shrinkage: ArrayLike) -> NDArray[np.int64]:
    """Agents to schedule so that ``agents_net`` remain after shrinkage: ``ceil(net / (1 - s))``.

    Parameters
    ----------
    agents_net : array_like
        Agents needed on the queue.
    shrinkage : array_like
        Share of paid time not available for cases, in [0, 1).

    Examples
    --------
    >>> int(gross_agents(21, 0.3))
    30
    """
    return ceil_exact(np.asarray(agents_net, dtype=float) / (1.0 - np.asarray(shrinkage, dtype=float)))


def erlang_b(agents: ArrayLike, erlangs: ArrayLike) -> Array:
    """Blocking probability of an M/M/n/n loss system (Erlang B).

    ``B(n, A) = (A^n / n!) / sum_{k=0}^{n} A^k / k!``, evaluated in log space.

    Parameters
    ----------
    agents : array_like
        Servers ``n`` >= 0 (fractional values use the continuous extension).
    erlangs : array_like
        Offered load ``A`` [Erl] >= 0.

    Returns
    -------
    numpy.ndarray
        Probability in [0, 1].
    """
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(erlangs, dtype=float))
    out = np.empty(n.shape, dtype=float)
    zero_n = n <= 0
    zero_a = (a <= 0) & ~zero_n
    rest = ~(zero_n | zero_a)
    out[zero_n] = 1.0
    out[zero_a] = 0.0
    nn, aa = n[rest], a[rest]
    q = gammaincc(nn + 1.0, aa)
    with np.errstate(divide="ignore"):
        logb = nn * np.log(aa) - aa - gammaln(nn + 1.0) - np.log(q)
    b = np.exp(np.minimum(logb, 0.0))
    # Q underflows only when the load exceeds the servers by dozens of standard deviations; then
    # nearly every server is busy and the carried load A (1 - B) equals n to double precision.
    under = q <= 0.0
    b[under] = 1.0 - nn[under] / aa[under]
    out[rest] = b
    return out


def erlang_c(agents: ArrayLike, erlangs: ArrayLike) -> Array:
    """Probability that a case waits (Erlang C), M/M/n with an infinite queue.

    ``C = n B / (n - A (1 - B))`` for ``n > A``; 1 when ``n <= A`` (the queue grows without bound).

    Parameters
    ----------
    agents : array_like
        Agents (servers) ``n``.
    erlangs : array_like
        Offered load ``A`` [Erl].

    Returns
    -------
    numpy.ndarray
        Probability in [0, 1].
    """
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(erlangs, dtype=float))
    b = erlang_b(n, a)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    c = np.where(stable, np.clip(c, 0.0, 1.0), 1.0)
    return np.where(a <= 0, 0.0, c)


def service_level(agents: ArrayLike, erlangs: ArrayLike, aht_seconds: ArrayLike,
                  answer_seconds: ArrayLike) -> Array:
    """Share of cases answered within ``answer_seconds`` (Erlang C).

    ``SL = 1 - C exp(-(n - A) T / AHT)``; 0 when ``n <= A``; 1 when there is no load.

    Parameters
    ----------
    agents : array_like
        Agents ``n``.
    erlangs : array_like
        Offered load ``A`` [Erl].
    aht_seconds : array_like
        Average handle time [s].
    answer_seconds : array_like
        Answer-time target ``T`` [s].
    """
    n, a, h, t = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                       for v in (agents, erlangs, aht_seconds, answer_seconds)))
    c = erlang_c(n, a)
    sl = 1.0 - c * np.exp(-np.maximum(n - a, 0.0) * t / h)
    return np.where(n > a, sl, np.where(a <= 0, 1.0, 0.0))


def asa(agents: ArrayLike, erlangs: ArrayLike, aht_seconds: ArrayLike) -> Array:
    """Average speed of answer [s] (Erlang C): ``C AHT / (n - A)``; infinite when ``n <= A``.

    Parameters
    ----------
    agents : array_like
        Agents ``n``.
    erlangs : array_like
        Offered load ``A`` [Erl].
    aht_seconds : array_like
        Average handle time [s].
    """
    n, a, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (agents, erlangs, aht_seconds)))
    c = erlang_c(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = c * h / (n - a)
    return np.where(a <= 0, 0.0, np.where(n > a, w, np.inf))


def occupancy(agents: ArrayLike, erlangs: ArrayLike) -> Array:
    """Share of on-queue time spent handling cases: ``A / n`` (at most 1; 0 without agents)."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(erlangs, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.minimum(a / n, 1.0)
    return np.where(n > 0, occ, 0.0)


@dataclass(frozen=True)
class Staffing:
    """Least agents meeting a target, with the figures achieved at that number (arrays).

    ``agents_fractional`` is a smooth requirement for the scheduler in ``(agents - 1, agents]``:
    the binding target interpolated linearly between ``agents - 1`` and ``agents``, or the exact
    ``A / (k max_occupancy)`` when the occupancy cap binds, so ``ceil(agents_fractional) == agents``.
    """

    agents: NDArray[np.int64]
    agents_fractional: Array
    service_level: Array
    asa_seconds: Array
    occupancy: Array
    abandon_rate: Array


def least_agents(feasible: Callable[[NDArray[np.int64], NDArray[np.intp]], NDArray[np.bool_]],
                 lo: NDArray[np.int64], hi: NDArray[np.int64]) -> NDArray[np.int64]:
    """Least whole ``n`` in ``(lo, hi]`` with ``feasible(n)``, by vectorised bisection.

    ``feasible(n, idx)`` answers for the elements ``idx`` (``n`` holds their candidate values)
    and must be monotone in ``n``. ``lo`` must be infeasible (or -1); ``hi`` is a first guess,
    pushed away from ``lo`` (doubling the gap) until feasible, so any guess works.
    """
    lo = lo.astype(np.int64).copy()
    hi = np.maximum(hi.astype(np.int64), lo + 1)
    idx = np.arange(lo.size)
    while idx.size:  # grow hi until feasible
        ok = feasible(hi[idx], idx)
        idx = idx[~ok]
        step = np.maximum(hi[idx] - lo[idx], 1)
        lo[idx] = hi[idx]
        hi[idx] = hi[idx] + 2 * step
    idx = np.flatnonzero(hi - lo > 1)
    while idx.size:
        mid = (lo[idx] + hi[idx]) // 2
        ok = feasible(mid, idx)
        hi[idx[ok]] = mid[ok]
        lo[idx[~ok]] = mid[~ok]
        idx = idx[hi[idx] - lo[idx] > 1]
    return hi


def _interpolate(n: NDArray[np.int64], below: Array, at: Array, target: Array,
                 fails_below: NDArray[np.bool_]) -> Array:
    """Fractional agents in (n - 1, n] where a metric crosses its target between n - 1 and n."""
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (target - below) / (at - below)
    frac = np.where(np.isfinite(frac), np.clip(frac, 0.0, 1.0), 1.0)
    # A fraction of exactly 0 would put ceil() one agent too low; keep it inside (n - 1, n].
    frac = np.maximum(frac, 1e-9)
    return np.where(fails_below, n - 1 + frac, -np.inf)


def fractional_requirement(n: NDArray[np.int64], below: dict[str, Array], at: dict[str, Array],
                           targets: dict[str, tuple[Array, str]],
                           occupancy_bound: Array) -> Array:
    """Smooth requirement: the largest crossing point of the targets that bind at ``n``.

    ``targets`` maps a metric name to (target, ">=" or "<="). ``occupancy_bound`` is the exact
    fractional agents the occupancy cap needs.
    """
    frac = np.asarray(occupancy_bound, dtype=float).copy()
    for name, (target, sense) in targets.items():
        b, a = below[name], at[name]
        if sense == ">=":
            fails = b < target - TARGET_TOLERANCE
            f = _interpolate(n, b, a, target, fails)
        else:
            fails = b > target + TARGET_TOLERANCE
            # Interpolate in the reciprocal for "at most" targets with an infinite value below.
            f = _interpolate(n, -b, -a, -np.asarray(target, dtype=float), fails)
        frac = np.maximum(frac, np.where(np.isfinite(target), f, -np.inf))
    return np.where(n > 0, np.minimum(frac, n), 0.0)


def _bcast(*values: ArrayLike | None) -> list[Array]:
    filled = [np.nan if v is None else v for v in values]
    return [np.array(v, dtype=float) for v in np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                                    for v in filled))]


def agents_for_target(erlangs: ArrayLike, aht_seconds: ArrayLike, *,
                      service_level: ArrayLike | None = None, answer_seconds: ArrayLike | None = None,
                      max_asa_seconds: ArrayLike | None = None, max_occupancy: ArrayLike = 1.0,
                      concurrency: ArrayLike = 1) -> Staffing:
    """Least agents meeting every given target under Erlang C, vectorised over all inputs.

    An agent handles up to ``concurrency`` cases at a time (chat): the queue has ``n k`` servers
    and ``n`` is the least number of agents with ``SL(n k) >= service_level`` (when given),
    ``ASA(n k) <= max_asa_seconds`` (when given) and ``A / (n k) <= max_occupancy``. A NaN target
    means "no target" for that element. No load needs no agents.

    Parameters
    ----------
    erlangs : array_like
        Offered load ``A`` = volume x AHT / interval length [Erl].
    aht_seconds : array_like
        Average handle time [s].
    service_level : array_like, optional
        Share to answer within ``answer_seconds``, in (0, 1).
    answer_seconds : array_like, optional
        Answer-time target [s]; required with ``service_level``.
    max_asa_seconds : array_like, optional
        Largest acceptable average speed of answer [s].
    max_occupancy : array_like
        Largest acceptable occupancy, in (0, 1].
    concurrency : array_like
        Cases an agent handles at once (k >= 1).

    Returns
    -------
    Staffing
        ``agents`` and the service level, ASA and occupancy achieved with them.

    Examples
    --------
    >>> int(agents_for_target(10.0, 180.0, service_level=0.8, answer_seconds=20).agents)
    14
    """
    a, h, sl_t, t, asa_t, occ_t, k = _bcast(erlangs, aht_seconds, service_level, answer_seconds,
                                            max_asa_seconds, max_occupancy, concurrency)
    if np.any(np.isfinite(sl_t) & ~np.isfinite(t)):
        raise ValueError("a service_level target needs answer_seconds")
    shape = a.shape
    a, h, sl_t, t, asa_t, occ_t, k = (v.ravel() for v in (a, h, sl_t, t, asa_t, occ_t, k))
    has_sl, has_asa = np.isfinite(sl_t), np.isfinite(asa_t)

    occ_bound = a / (k * occ_t)
    n = ceil_exact(occ_bound)
    queued = np.flatnonzero((has_sl | has_asa) & (a > 0))
    if queued.size:
        qa, qh, qk, qt = a[queued], h[queued], k[queued], t[queued]
        q_sl, q_asa = sl_t[queued], asa_t[queued]

        def feasible(nn: NDArray[np.int64], idx: NDArray[np.intp]) -> NDArray[np.bool_]:
            s = nn * qk[idx]
            ok = np.ones(nn.shape, dtype=bool)
            m = np.isfinite(q_sl[idx])
            if m.any():
                i = idx[m]
                ok[m] &= service_level_(s[m], qa[i], qh[i], qt[i]) >= q_sl[i] - TARGET_TOLERANCE
            m = np.isfinite(q_asa[idx])
            if m.any():
                i = idx[m]
                ok[m] &= asa(s[m], qa[i], qh[i]) <= q_asa[i] + TARGET_TOLERANCE
            return ok

        # n k <= A is unstable and misses any SL or ASA target: the search starts just above it.
        lo = np.floor(qa / qk).astype(np.int64)
        guess = lo + 1 + ceil_exact(2.0 * np.sqrt(qa) / qk)
        n[queued] = np.maximum(n[queued], least_agents(feasible, lo, guess))
    n = np.where(a > 0, n, 0)

    s = n * k
    sl = service_level_(s, a, h, np.where(np.isfinite(t), t, 0.0))
    w = asa(s, a, h)
    occ = occupancy(s, a)
    sb = np.maximum(n - 1, 0) * k
    below = {"sl": service_level_(sb, a, h, np.where(np.isfinite(t), t, 0.0)), "asa": asa(sb, a, h)}
    at = {"sl": sl, "asa": w}
    frac = fractional_requirement(n, below, at, {"sl": (sl_t, ">="), "asa": (asa_t, "<=")},
                                  np.where(a > 0, occ_bound, 0.0))
    sl = np.where(np.isfinite(t), sl, np.nan)
    return Staffing(n.reshape(shape), frac.reshape(shape), sl.reshape(shape), w.reshape(shape),
                    occ.reshape(shape), np.zeros(shape))


# The public name service_level is shadowed by the keyword argument of agents_for_target.
service_level_ = service_level
