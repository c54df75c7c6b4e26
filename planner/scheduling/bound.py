"""The yardstick: a plan's coverage cost and a proven lower bound on it.

``coverage cost`` = sum over activities ``c`` and horizon intervals ``t`` of
``w_c * max(0, R - U S) + w_o * max(0, U S - R)`` with ``R`` the requirement in units of
:data:`~planner.scheduling.cover_curve.UNITS` per agent (``U``, tenths), rounded, and ``S`` the
agents scheduled on ``c`` (weights of :class:`~planner.scheduling.week.Weights`; ``w_c`` carries the
case type's priority).

The lower bound is the LP relaxation of the aggregated coverage model, solved with HiGHS
(scipy): continuous counts ``y[a, d, k]`` of the agents of class ``a`` (agents with the same
activities, minimum and maximum minutes, days and allowed templates: pooling identical agents
loses nothing, so this is the per-agent LP) on template ``k`` on day ``d``, with each class's
one shift a day, paid minutes and worked days per horizon and per week, consecutive days, and the
minimum rest as cliques (the shifts of day d ending at or after some time with those of day d+1
starting within the rest of it: one agent works at most one of them). Coverage is pooled per set
of activities (which agent of a set has which shift or break does not change coverage): breaks as
continuous counts over their windows (``sum_j n[e, d, k, b, j] == sum_a y[a, d, k]``), presence
flowing to the set's activities, and coverage with shortfall and overstaffing. Every plan that
keeps the hard rules maps onto a feasible point of this LP with the same coverage cost, so the LP
optimum is a valid lower bound for every plan; it ignores integrality and the weekend rules.

The value returned is the Lagrangian bound at the solver's duals (every column has a finite upper
bound that any plan keeps), valid whatever the duals are: the interior-point solver can stop
without a crossover to a vertex, which took most of its time.

Whole agents: a plan puts an integer number ``S`` of agents on each (activity, interval), so its
cost there is the convex cost curve at an integer point; the LP adds, for each fractional
requirement, the chord of that curve between ``floor(R/U)`` and ``ceil(R/U)`` as a cut
(``cost >= chord(S)``). The cut removes only fractional ``S``, so the bound stays valid; on the
300-agent generated center it raises the bound by 2.4% (requirements there are fractional in
almost every cell, and the plain LP meets each one exactly at no cost).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
from scipy.optimize import OptimizeWarning, linprog

from planner.scheduling.cover_curve import UNITS, units
from planner.scheduling.explain import max_paid_upper_bound
from planner.scheduling.problem import SchedulingProblem
from planner.scheduling.rules import UNBOUNDED
from planner.scheduling.sparse_rows import rows_to_matrix
from planner.scheduling.templates import DAY
from planner.scheduling.week import DEFAULT_WEIGHTS, Weights, week_limits


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


def _agent_classes(problem: SchedulingProblem, relaxed: Mapping[int, int]
                   ) -> list[tuple[int, tuple[int, ...], int, int]]:
    """Agents with the same rules, availability and activities, pooled: (representative,
    activities, minimum and maximum paid minutes, count). Pooling identical agents loses nothing
    (the average of their LP rows is a feasible point of each one's), so the class LP is the
    per-agent LP."""
    paid = tuple(t.paid_minutes for t in problem.templates)
    seen: dict[tuple, list] = {}
    for i, a in enumerate(problem.agents):
        hi = max_paid_upper_bound(problem, i, paid)
        lo = min(relaxed.get(i, a.min_minutes), hi)
        elig = problem.group_eligible[a.group]
        key = (elig, lo, hi, a.max_days, a.max_minutes, lo < a.min_minutes, problem.allowed[i])
        seen.setdefault(key, [i, elig, lo, hi, 0])[4] += 1
    return [tuple(v) for v in seen.values()]


def _rest_cliques(problem: SchedulingProblem, first: tuple[int, ...], second: tuple[int, ...]
                  ) -> list[tuple[list[int], list[int]]]:
    """Sets of templates (of day d, of day d+1) any two of which one agent cannot both work:
    the shifts of day d ending at or after some end ``E`` with those of day d+1 starting less
    than the minimum rest after ``E``."""
    rest = round(problem.config.shifts.min_rest_hours * 60)
    if rest <= 0 or not first or not second:
        return []
    tpl = problem.templates
    out = []
    for end in sorted({tpl[k].end_minute for k in first}):
        late = [k for k in first if tpl[k].end_minute >= end]
        early = [k for k in second if tpl[k].start_minute + DAY - end < rest]
        if early:
            out.append((late, early))
    return out


def coverage_lower_bound(problem: SchedulingProblem, weights: Weights = DEFAULT_WEIGHTS,
                         relaxed: Mapping[int, int] | None = None,
                         time_limit: float = 600.0, details: dict | None = None,
                         integer_cuts: bool = True) -> float | None:
    """LP lower bound on the coverage cost of any plan (None if HiGHS fails).

    ``details``, when given, receives ``activity -> (shortfall, overstaffing)`` agent-hours of the
    LP optimum (covered intervals only), to see where a plan's gap comes from.
    ``integer_cuts`` adds, per covered (activity, interval) with a fractional requirement, the
    chord cut of the whole-agent cost curve (see the module docstring); False gives the plain LP.
    """
    grid, iv = problem.grid, problem.interval
    horizon = grid.days * grid.per_day
    relaxed = relaxed or {}
    sh = problem.config.shifts
    cols = _Cols()
    eq_rows: list[tuple[list[int], list[float], float]] = []
    ub_rows: list[tuple[list[int], list[float], float]] = []
    min_rows: set[int] = set()
    # Shift counts per (activities, day, template): the coverage side needs no more than that.
    starts: dict[tuple[tuple[int, ...], int, int], list[int]] = {}
    # Every column gets a finite upper bound any plan keeps (agents that could be there), so any
    # dual point gives a valid bound (see _dual_bound).
    size: dict[tuple[int, ...], float] = {}
    for rep, elig, lo, hi, n in _agent_classes(problem, relaxed):
        size[elig] = size.get(elig, 0.0) + n
        a = problem.agents[rep]
        allowed = problem.allowed[rep]
        y: list[dict[int, int]] = []
        for d in range(grid.days):
            day = {}
            for k in allowed[d]:
                day[k] = cols.add(0.0, float(n))
                starts.setdefault((elig, d, k), []).append(day[k])
            y.append(day)
            if len(day) > 1:
                ub_rows.append((list(day.values()), [1.0] * len(day), float(n)))
        cells = [(c, float(problem.templates[k].paid_minutes)) for day in y for k, c in day.items()]
        if not cells:
            continue
        ub_rows.append(([c for c, _ in cells], [p for _, p in cells], float(n * hi)))
        if lo > 0:
            min_rows.add(len(ub_rows))
            ub_rows.append(([c for c, _ in cells], [-p for _, p in cells], -float(n * lo)))
        weeks = week_limits(problem, a, allowed, relaxed=lo < a.min_minutes)
        for week in weeks:
            blk = [(c, float(problem.templates[k].paid_minutes)) for d in week.days
                   for k, c in y[d].items()]
            if not blk:
                continue
            ub_rows.append(([c for c, _ in blk], [1.0] * len(blk), float(n * week.max_days)))
            if week.max_minutes < UNBOUNDED:
                ub_rows.append(([c for c, _ in blk], [p for _, p in blk],
                                float(n * week.max_minutes)))
            if week.min_minutes > 0:
                min_rows.add(len(ub_rows))
                ub_rows.append(([c for c, _ in blk], [-p for _, p in blk],
                                -float(n * week.min_minutes)))
        run = sh.max_consecutive_days
        for d0 in range(grid.days - run):
            if any(d0 in w.days and d0 + run in w.days and w.max_days <= run for w in weeks):
                continue  # implied by the week's days (and such near-copies stall the solver)
            win = [c for d in range(d0, d0 + run + 1) for c in y[d].values()]
            ub_rows.append((win, [1.0] * len(win), float(n * run)))
        for d in range(grid.days - 1):
            for late, early in _rest_cliques(problem, tuple(y[d]), tuple(y[d + 1])):
                idx = [y[d][k] for k in late] + [y[d + 1][k] for k in early]
                ub_rows.append((idx, [1.0] * len(idx), float(n)))
    # Breaks as counts over their windows, per (activities, day, template): how the shifts of
    # identical-skill agents split their breaks among themselves does not change coverage.
    presence: dict[tuple[tuple[int, ...], int], list[tuple[int, float]]] = {}
    for (elig, d, k), ys in starts.items():
        tpl = problem.templates[k]
        t0 = grid.index(d, tpl.start_minute)
        for y in ys:
            presence.setdefault((elig, t0), []).append((y, 1.0))
            presence.setdefault((elig, grid.index(d, tpl.end_minute)), []).append((y, -1.0))
        for w in tpl.breaks:
            nvars = []
            for off in w.offsets(iv):
                v = cols.add(0.0, float(sum(cols.upper[y] for y in ys)))
                nvars.append(v)
                b0 = t0 + off // iv
                presence.setdefault((elig, b0), []).append((v, -1.0))
                presence.setdefault((elig, b0 + w.span(iv)), []).append((v, 1.0))
            eq_rows.append(([*nvars, *ys], [1.0] * len(nvars) + [-1.0] * len(ys), 0.0))
    # Presence by a running sum (p[t] = p[t-1] + starts - ends, few nonzeros per column), flowing
    # to the activities the agents may work; coverage with shortfall and overstaffing.
    cover: dict[tuple[int, int], list[int]] = {}
    for elig in sorted({e for e, _ in presence}):
        if not elig:
            continue
        ts = sorted(t for (e, t) in presence if e == elig)
        prev = None
        for t in range(ts[0], min(horizon, ts[-1])):
            p = cols.add(0.0, size[elig])
            terms = presence.get((elig, t), [])
            idx = [p] + [v for v, _ in terms] + ([prev] if prev is not None else [])
            val = [1.0] + [-coef for _, coef in terms] + ([-1.0] if prev is not None else [])
            eq_rows.append((idx, val, 0.0))
            prev = p
            xs = []
            for c in elig:
                x = cols.add(0.0, size[elig])
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
            top = UNITS * sum(cols.upper[x] for x in xs)
            s = cols.add(float(w_short[c]), r)
            o = cols.add(float(weights.overstaffing), top)
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
                e = cols.add(1.0, max(f0, f1) * (top / UNITS + 1))
                ub_rows.append(([*xs, s, o, e],
                                [f1 - f0] * len(xs) + [-float(w_short[c]),
                                                       -float(weights.overstaffing), -1.0],
                                (f1 - f0) * n0 - f0))

    def matrix(rows):
        if not rows:
            return None, None
        return rows_to_matrix(rows, cols.n)

    if cols.n == 0:
        return const
    cost, upper = np.array(cols.cost), np.array(cols.upper)
    a_eq, b_eq = matrix(eq_rows)
    res = None
    for rows in (ub_rows, [r for n, r in enumerate(ub_rows) if n not in min_rows]):
        # Infeasible minimum hours (an agent's minimum their availability cannot reach that the
        # caller did not relax): the second try drops the minimum rows, a weaker valid relaxation.
        a_ub, b_ub = matrix(rows)
        for crossover in ("off", "on"):
            # Without the crossover to a vertex (most of the solver's time here) the interior
            # point's duals suffice (see _dual_bound); when it stalls, the crossover finishes.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)  # run_crossover goes to HiGHS
                res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                              bounds=np.column_stack([np.zeros(cols.n), upper]),
                              method="highs-ipm",
                              options={"time_limit": time_limit, "presolve": True,
                                       "run_crossover": crossover})
            if res.status != 4:
                break
        if res.status != 2 or not min_rows:
            break
    if res is None or res.status != 0 or res.get("eqlin") is None:
        return None
    if details is not None:
        h = iv / 60 / UNITS
        for c, pairs in short_cols.items():
            details[problem.activities[c]] = (
                float(sum(res.x[s] for s, _ in pairs)) * h, float(sum(res.x[o] for _, o in pairs)) * h)
    return _dual_bound(cost, upper, a_eq, b_eq, res.eqlin.marginals, a_ub, b_ub,
                       None if a_ub is None else res.ineqlin.marginals) + const


def _dual_bound(cost: np.ndarray, upper: np.ndarray, a_eq, b_eq, pi, a_ub, b_ub, mu) -> float:
    """The Lagrangian bound of ``min cost x, A_eq x = b_eq, A_ub x <= b_ub, 0 <= x <= upper`` at the
    multipliers ``pi`` and ``mu`` (``mu`` clipped to <= 0): a valid lower bound for any
    multipliers, equal to the LP optimum at optimal ones. The interior-point solver stops without
    a crossover to a vertex (most of its time on these LPs), so its duals are optimal only to
    within its tolerances; this bound is exact for them whatever they are."""
    reduced = cost - a_eq.T @ pi
    value = float(b_eq @ pi)
    if a_ub is not None:
        mu = np.minimum(mu, 0.0)
        reduced = reduced - a_ub.T @ mu
        value += float(b_ub @ mu)
    return value + float(np.minimum(reduced, 0.0) @ upper)
