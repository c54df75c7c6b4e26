"""A case type's daily level through events and level shifts: a robust filter and its regimes.

Real histories carry surges (a storm, an outage, a campaign), dips and lasting level shifts. Daily
totals are deseasonalised by robust weekday effects and followed on the log scale by exponential
smoothing whose innovations are clipped at ``clip`` robust standard deviations (a Huber filter): one
odd day moves the level little. When ``confirm`` days in a row fall beyond the clip on the same
side (or ``SOFT_CONFIRM`` days beyond ``SOFT_CLIP``: a moderate shift), the level jumps to them:
a new regime starts (Ruckdeschel et al. 2014 and Gelper, Fried and
Croux 2010 on robust exponential smoothing follow the same idea). The regimes are then read
backwards: a regime that the level left again for one close to where it came from is an *event*
(not to be learned from); the regime that reaches the end of the history is the current level, a
*level shift* when it differs from the one before.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

#: innovations beyond this many robust standard deviations are clipped (and flag the day)
CLIP = 3.0
#: this many flagged days in a row on one side start a new regime
CONFIRM = 3
#: ... or this many days in a row beyond ``SOFT_CLIP`` deviations on one side (a moderate shift)
SOFT_CONFIRM = 7
SOFT_CLIP = 1.5
#: smoothing weight of the level on the log scale, per open day
ALPHA = 0.15
#: a regime longer than this many open days is a level of its own, never an event
MAX_EVENT_DAYS = 35
#: the current regime needs this many open days before the history is rescaled to it
MIN_SHIFT_DAYS = 5
#: a flagged day outside any regime change is excluded as an outlier beyond this many deviations
OUTLIER_CLIP = 5.0
#: types with fewer cases than this per open day are too noisy for anomaly detection
MIN_DAILY = 20.0


@dataclass(frozen=True)
class LevelPath:
    """The filter's result over ``n`` days (log scale; NaN where a day carries no information).

    ``before[d]`` is the level expected for day ``d`` from the days before it, ``resid[d]`` the
    day's deviation from it in robust standard deviations, ``starts`` the first day of each regime
    (0 first), ``final`` the level after the last day and ``scale`` a typical day's standard
    deviation (spread and counting noise).
    """

    before: np.ndarray
    resid: np.ndarray
    starts: tuple[int, ...]
    final: float
    scale: float


def robust_scale(resid: np.ndarray, floor: float) -> float:
    """1.4826 MAD of the finite residuals, at least ``floor``."""
    r = resid[np.isfinite(resid)]
    if len(r) < 5:
        return floor
    return max(1.4826 * float(np.median(np.abs(r - np.median(r)))), floor)


def follow_level(u: np.ndarray, alpha: float = ALPHA, *, scale: float | None = None,
                 counts: np.ndarray | None = None, clip: float = CLIP,
                 confirm: int = CONFIRM) -> LevelPath:
    """Robust exponential smoothing of log daily levels ``u`` (NaN = no information that day).

    Parameters
    ----------
    u : ndarray (days,)
        Log of the deseasonalised daily totals.
    alpha : float
        Smoothing weight per informative day.
    scale : float, optional
        Standard deviation of a day around the level (log scale) beyond counting noise; estimated
        by a first, unclipped pass when not given.
    counts : ndarray (days,), optional
        The daily totals: a day's Poisson noise (variance ``1 / count`` on the log scale) adds to
        ``scale``, so a quiet Saturday is not judged by a busy Monday's spread.
    clip, confirm : float, int
        See :data:`CLIP` and :data:`CONFIRM`.
    """
    n = len(u)
    known = np.flatnonzero(np.isfinite(u))
    before = np.full(n, np.nan)
    resid = np.full(n, np.nan)
    if len(known) == 0:
        return LevelPath(before, resid, (0,), float("nan"), float("nan"))
    noise = (np.zeros(n) if counts is None
             else 1.0 / np.maximum(np.nan_to_num(np.asarray(counts, dtype=float)), 1.0))
    if scale is None:
        plain = follow_level(u, alpha, scale=np.inf, clip=clip, confirm=confirm)
        spread = robust_scale(u - plain.before, 0.0)
        scale = float(np.sqrt(max(spread**2 - np.median(noise[known]), 0.02**2)))
    sd = np.sqrt(scale**2 + noise)
    level = float(np.median(u[known[:7]]))
    starts = [0]
    run: list[int] = []
    soft: list[int] = []
    for d in known:
        before[d] = level
        r = (u[d] - level) / sd[d]
        resid[d] = r
        if abs(r) > SOFT_CLIP and (not soft or np.sign(resid[soft[-1]]) == np.sign(r)):
            soft.append(int(d))
        else:
            soft = [int(d)] if abs(r) > SOFT_CLIP else []
        if len(soft) >= SOFT_CONFIRM:
            level = float(np.median(u[soft]))
            starts.append(soft[0])
            run, soft = [], []
            continue
        if abs(r) <= clip:
            level += alpha * (u[d] - level)
            run = []
            continue
        level += alpha * np.sign(r) * clip * sd[d]
        if run and np.sign(resid[run[-1]]) != np.sign(r):
            run = []
        run.append(int(d))
        if len(run) >= confirm:
            level = float(np.median(u[run]))
            starts.append(run[0])
            run, soft = [], []
    return LevelPath(before, resid, tuple(starts), level,
                     float(np.sqrt(scale**2 + np.median(noise[known]))))


@dataclass(frozen=True)
class Regimes:
    """What the history's level did: excluded days, the scale of each day, and what was found.

    ``excluded`` marks days not to learn from (events and outliers); ``rescale`` multiplies each
    day's volume to bring it to the current level (1 without a level shift); ``found`` lists
    ``(kind, first day, last day, change)`` with kind ``event``, ``outlier`` or ``level_shift`` and
    change the relative deviation (+0.6 = 60% above the level around it).
    """

    excluded: np.ndarray
    rescale: np.ndarray
    found: tuple[tuple[str, int, int, float], ...]


def read_regimes(u: np.ndarray, path: LevelPath) -> Regimes:
    """Events, outliers and the current level from a filtered path (see module docstring)."""
    n = len(u)
    known = np.isfinite(u)
    bounds = [*path.starts, n]
    segs = [(a, b) for a, b in itertools.pairwise(bounds) if known[a:b].any()]
    level = [float(np.median(u[a:b][known[a:b]])) for a, b in segs]
    excluded = np.zeros(n, dtype=bool)
    event = np.zeros(len(segs), dtype=bool)
    found: list[tuple[str, int, int, float]] = []
    for i in range(1, len(segs) - 1):
        a, b = segs[i]
        if known[a:b].sum() > MAX_EVENT_DAYS:
            continue
        # the previous level that is not itself an event
        j = max((k for k in range(i) if not event[k]), default=0)
        away = level[i] - level[j]
        back = level[i + 1] - level[j]
        if abs(back) < 0.5 * abs(away):
            event[i] = True
            excluded[a:b] = True
            days = np.flatnonzero(known[a:b]) + a
            found.append(("event", int(days[0]), int(days[-1]), float(np.expm1(away))))
    rescale = np.ones(n)
    a_last, _ = segs[-1]
    count = [int(known[a:b].sum()) for a, b in segs]

    def differs(k: int) -> bool:
        # the two regimes' medians differ by more than three of their standard errors
        se = 1.2533 * path.scale * np.sqrt(1 / count[k] + 1 / count[-1])
        return abs(level[-1] - level[k]) > 3 * se

    if len(segs) > 1 and count[-1] >= MIN_SHIFT_DAYS:
        j = max((k for k in range(len(segs) - 1) if not event[k]), default=0)
        if differs(j):
            found.append(("level_shift", int(a_last), int(np.flatnonzero(known)[-1]),
                          float(np.expm1(level[-1] - level[j]))))
        for k, (a, b) in enumerate(segs[:-1]):
            if not event[k] and differs(k):
                rescale[a:b] = np.exp(level[-1] - level[k])
    odd = known & (np.abs(np.nan_to_num(path.resid)) > OUTLIER_CLIP) & ~excluded
    # days that started a regime are part of it, not outliers
    for s in path.starts[1:]:
        odd[s:s + CONFIRM + 1] = False
    for d in np.flatnonzero(odd):
        excluded[d] = True
        found.append(("outlier", int(d), int(d), float(np.expm1(u[d] - path.before[d]))))
    found.sort(key=lambda f: f[1])
    return Regimes(excluded, rescale, tuple(found))
