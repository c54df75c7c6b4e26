"""The yardstick: a plan's coverage cost and a proven lower bound on it.

``coverage cost`` = sum over activities ``c`` and horizon intervals ``t`` of
``w_c * max(0, R - U S) + w_o * max(0, U S - R)`` with ``R`` the requirement in units of
:data:`~planner.scheduling.cover_curve.UNITS` per agent (``U``, tenths), rounded, and ``S`` the
agents scheduled on ``c`` (weights of :class:`~planner.scheduling.week.Weights`; ``w_c`` carries the
case type's priority).

The lower bound is the LP relaxation of the aggregated coverage model, solved with HiGHS
(scipy): continuous counts ``y[g, d, k]`` of group-``g`` agents on template ``k`` on day ``d``
(at most the agents allowed it; at most the group's available agents per day), breaks as
continuous counts over their windows (``sum_j n[g, d, k, b, j] == y[g, d, k]``), group
presence flowing to eligible activities, and the group totals of minimum/maximum minutes and of
worked days. Every plan that keeps the hard rules maps onto a feasible point of this LP with the
same coverage cost, so the LP optimum is a valid lower bound for every plan; it ignores the
per-agent sequencing rules (rest, runs, paired days off), which is where the gap comes from.

Whole agents: a plan puts an integer number ``S`` of agents on each (activity, interval), so its
cost there is the convex cost curve at an integer point; the LP adds, for each fractional
requirement, the chord of that curve between ``floor(R/U)`` and ``ceil(R/U)`` as a cut
(``cost >= chord(S)``). The cut removes only fractional ``S``, so the bound stays valid; on the
300-agent generated center it raises the bound by 2.4% (requirements there are fractional in
almost every cell, and the plain LP meets each one exactly at no cost).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.optimize import linprog

from planner.scheduling.cover_curve import UNITS, units
from planner.scheduling.explain import max_paid_upper_bound
from planner.scheduling.problem import SchedulingProblem
from planner.scheduling.rules import calendar_weeks
from planner.scheduling.sparse_rows import rows_to_matrix
from planner.scheduling.week import DEFAULT_WEIGHTS, Weights


def _short_weights(problem: SchedulingProblem, weights: Weights) -> np.ndarray:
    return np.maximum(1, np.rint(weights.shortfall * problem.priority)).astype(float)


def coverage_cost(problem: SchedulingProblem, scheduled: np.ndarray, weights: Weights = DEFAULT_WEIGHTS
                  ) -> float:
    """Coverage cost of a plan (``scheduled[c, t]`` agents per activity and grid interval)."""
    horizon = problem.grid.days * problem.grid.per_day
    req = units(problem.required[:, :horizon])
    have = UNITS * scheduled[:, :horizon]
    short = np.maximum(0.0, req - have).sum(axis=1)
    over = np.maximum(0.0, have - req).sum()
    return float((_short_weights(problem, weights) * short).sum() + weights.overstaffing * over)


class _Cols:
    def __init__(self) -> None:
        self.n = 0
        self.cost: list[float] = []
        self.upper: list[float] = []

    def add(self, cost: float, upper: float = np.inf) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.n += 1
        return self.n - 1


def coverage_lower_bound(problem: SchedulingProblem, weights: Weights = DEFAULT_WEIGHTS,
                         relaxed: Mapping[int, int] | None = None,
                         time_limit: float = 120.0, details: dict | None = None,
                         presence_out: np.ndarray | None = None,
                         integer_cuts: bool = True) -> float | None:
    """LP lower bound on the coverage cost of any plan (None if HiGHS fails).

    ``details``, when given, receives ``activity -> (shortfall, overstaffing)`` agent-hours of the
    LP optimum (covered intervals only), to see where a plan's gap comes from.
    ``presence_out`` (groups x grid size), when given, receives the LP's presence of each group
    per interval: the coverage-optimal profile the greedy roster can aim at.
    ``integer_cuts`` adds, per covered (activity, interval) with a fractional requirement, the
    chord cut of the whole-agent cost curve (see the module docstring); False gives the plain LP.
    """
    grid, iv = problem.grid, problem.interval
    horizon = grid.days * grid.per_day
    relaxed = relaxed or {}
    cols = _Cols()
    eq_rows: list[tuple[list[int], list[float], float]] = []
    ub_rows: list[tuple[list[int], list[float], float]] = []
    presence: dict[tuple[int, int], list[tuple[int, float]]] = {}
    min_rows: set[int] = set()
    p_cols: dict[tuple[int, int], int] = {}
    for g, members in enumerate(problem.groups):
        paid_cols: list[tuple[int, float]] = []
        day_cols: dict[int, list[int]] = {}
        for d in range(grid.days):
            allowed: dict[int, int] = {}
            for i in members:
                for k in problem.allowed[i][d]:
                    allowed[k] = allowed.get(k, 0) + 1
            avail = sum(1 for i in members if problem.allowed[i][d])
            if not allowed:
                continue
            for k, n in sorted(allowed.items()):
                tpl = problem.templates[k]
                y = cols.add(0.0, float(n))
                paid_cols.append((y, float(tpl.paid_minutes)))
                day_cols.setdefault(d, []).append(y)
                t0 = grid.index(d, tpl.start_minute)
                presence.setdefault((g, t0), []).append((y, 1.0))
                presence.setdefault((g, grid.index(d, tpl.end_minute)), []).append((y, -1.0))
                for w in tpl.breaks:
                    nvars = []
                    for off in w.offsets(iv):
                        v = cols.add(0.0)
                        nvars.append(v)
                        b0 = t0 + off // iv
                        presence.setdefault((g, b0), []).append((v, -1.0))
                        presence.setdefault((g, b0 + w.span(iv)), []).append((v, 1.0))
                    eq_rows.append(([*nvars, y], [1.0] * len(nvars) + [-1.0], 0.0))
            ub_rows.append((day_cols[d], [1.0] * len(day_cols[d]), float(avail)))
        if not paid_cols:
            continue
        idx = [c for c, _ in paid_cols]
        paid = [p for _, p in paid_cols]
        # Each agent's maximum as their days allow it (five 7.5-h shifts are not 40 h).
        max_min = float(sum(max_paid_upper_bound(problem, i) for i in members))
        min_min = float(sum(min(relaxed.get(i, problem.agents[i].min_minutes),
                                max_paid_upper_bound(problem, i)) for i in members))
        ub_rows.append((idx, paid, max_min))
        if min_min > 0:
            min_rows.add(len(ub_rows))
            ub_rows.append((idx, [-p for p in paid], -min_min))
        for week in calendar_weeks(grid.start.weekday(), grid.days):
            blk = [c for d in week for c in day_cols.get(d, [])]
            n_days = len(week)
            cap = sum(problem.agents[i].max_days if n_days == 7
                      else round(problem.agents[i].max_days * n_days / 7) for i in members)
            ub_rows.append((blk, [1.0] * len(blk), float(cap)))
    # Presence by a running sum (p[t] = p[t-1] + starts - ends, few nonzeros per column), flowing
    # to the group's activities; coverage with shortfall and overstaffing.
    cover: dict[tuple[int, int], list[int]] = {}
    for g in range(len(problem.groups)):
        elig = problem.group_eligible[g]
        if not elig:
            continue
        ts = sorted(t for (gg, t) in presence if gg == g)
        if not ts:
            continue
        prev = None
        for t in range(ts[0], min(horizon, ts[-1])):
            p = cols.add(0.0)
            p_cols[(g, t)] = p
            terms = presence.get((g, t), [])
            idx = [p] + [v for v, _ in terms] + ([prev] if prev is not None else [])
            val = [1.0] + [-coef for _, coef in terms] + ([-1.0] if prev is not None else [])
            eq_rows.append((idx, val, 0.0))
            prev = p
            xs = []
            for c in elig:
                x = cols.add(0.0)
                xs.append(x)
                cover.setdefault((c, t), []).append(x)
            eq_rows.append(([*xs, p], [1.0] * len(xs) + [-1.0], 0.0))
    w_short = _short_weights(problem, weights)
    req = units(problem.required)
    const = 0.0
    short_cols: dict[int, list[tuple[int, int]]] = {}
    for c in range(len(problem.activities)):
        for t in range(horizon):
            r = float(req[c, t])
            xs = cover.get((c, t))
            if not xs:
                const += w_short[c] * r
                continue
            s = cols.add(float(w_short[c]))
            o = cols.add(float(weights.overstaffing))
            short_cols.setdefault(c, []).append((s, o))
            eq_rows.append(([*xs, s, o], [float(UNITS)] * len(xs) + [1.0, -1.0], r))
            if integer_cuts and r % UNITS:
                # Any plan puts a whole number S of agents on (c, t): its cost is at least the
                # chord of the cost curve between floor(r/U) and ceil(r/U) (convex, so the
                # chord is below it at every integer S and the cut is valid). Without it, the LP
                # meets a fractional requirement exactly and the gap counts that as the plan's.
                n0 = r // UNITS
                f0 = w_short[c] * (r - UNITS * n0)
                f1 = weights.overstaffing * (UNITS * (n0 + 1) - r)
                e = cols.add(1.0)
                ub_rows.append(([*xs, s, o, e],
                                [f1 - f0] * len(xs) + [-float(w_short[c]),
                                                       -float(weights.overstaffing), -1.0],
                                (f1 - f0) * n0 - f0))

    def matrix(rows):
        if not rows:
            return None, None
        return rows_to_matrix(rows, cols.n)

    a_eq, b_eq = matrix(eq_rows)
    a_ub, b_ub = matrix(ub_rows)
    if cols.n == 0:
        return const
    bounds = list(zip([0.0] * cols.n, cols.upper, strict=True))
    res = linprog(np.array(cols.cost), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                  bounds=bounds, method="highs-ipm",
                  options={"time_limit": time_limit, "presolve": True})
    if res.status == 2 and min_rows:
        # Infeasible minimum hours (an agent's minimum their availability cannot reach that the
        # caller did not relax): drop the minimum rows, a weaker but still valid relaxation.
        keep = [r for n, r in enumerate(ub_rows) if n not in min_rows]
        a_ub, b_ub = matrix(keep)
        res = linprog(np.array(cols.cost), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                      bounds=bounds, method="highs-ipm",
                      options={"time_limit": time_limit, "presolve": True})
    if res.status != 0:
        return None
    if presence_out is not None:
        for (g, t), col in p_cols.items():
            presence_out[g, t] = res.x[col]
    if details is not None:
        h = iv / 60 / UNITS
        for c, pairs in short_cols.items():
            details[problem.activities[c]] = (
                float(sum(res.x[s] for s, _ in pairs)) * h, float(sum(res.x[o] for _, o in pairs)) * h)
    return float(res.fun) + const
