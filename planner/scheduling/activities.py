"""Stage 2: breaks and activities per interval for named agents, one day at a time.

With every shift fixed by stage 1, a day decomposes: what remains is where each break falls in its
window and which activity each present agent does in each interval. Per day one small MIP (HiGHS)
works on *cohorts* (agents of one skill group on one template, who are interchangeable):

* ``n[h, b, j]`` = agents of cohort ``h`` taking break ``b`` at offset ``j`` of its window,
  ``sum_j n[h, b, j] == |h|`` (the implicit break formulation of Bechtold and Jacobs, 1990);
* group presence per interval is the cohorts' headcount minus those on break;
* ``x[g, c, t]`` agents of group ``g`` on activity ``c`` with ``sum_c x == present`` and the same
  coverage cost and weights as stage 1, written as its convex hull over whole agents
  (:mod:`planner.scheduling.cover_curve`: the LP relaxation is then nearly integral); agents
  already placed by earlier days' overnight shifts count as fixed coverage.

The model is hinted with stage 1's staggered break placement, so it never does worse than what
stage 1 planned. The answer is then disaggregated without loss: within a cohort the ``j``-th agent
(by stage 1 variant, then id) takes the ``j``-th break offset; within a group and interval, agents
keep their previous interval's activity while its quota lasts (fewer switches), the rest fill the
remaining quotas in order. Agents whose group has no eligible activity are on ``training``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from planner.scheduling.cover_curve import UNITS, add_cover_cost, units
from planner.scheduling.problem import SchedulingProblem
from planner.scheduling.sparse_rows import rows_to_matrix
from planner.scheduling.week import (
    DEFAULT_WEIGHTS,
    Weights,
    break_variant_offsets,
    default_variant,
)

BREAK, LUNCH, TRAINING = "break", "lunch", "training"
# Least seconds a day's MIP may take. A day cut short is planned from its rounded LP
# (``_rounded``), close to the optimum, so a late day on a loaded machine loses little.
DAY_FLOOR = 0.3


@dataclass(frozen=True)
class DayPlan:
    """The plan of every agent: break offsets per (agent, day) and activity per grid interval.

    ``activity[i]`` maps grid interval -> activity name for agent ``i``.
    """

    breaks: dict[tuple[int, int], tuple[int, ...]]
    activity: dict[int, dict[int, str]]
    status: dict[int, str]
    objective: dict[int, float]
    bound: dict[int, float]
    wall_time: float


def plan_days(problem: SchedulingProblem, shifts: dict[tuple[int, int], int],
              time_limit: float = 10.0, seed: int = 0, workers: int = 2,
              weights: Weights = DEFAULT_WEIGHTS,
              progress: Callable[[str, float, float], None] | None = None,
              variants: Mapping[tuple[int, int], int] | None = None) -> DayPlan:
    """Place breaks and activities for every day of ``shifts`` (see the module docstring).

    Each day's MIP gets an equal share of what is left of ``time_limit`` (at least ``DAY_FLOOR``
    seconds). It normally ends at its MIP gap well within it, the same way under any load; only a
    day cut short by its share (a big center, a slow machine) depends on the clock.
    ``variants[(agent, day)]``: stage 1's break variant of each shift (by default by the agent's
    place in their group), the placement kept when a day's MIP finds nothing in time."""
    t_start = time.perf_counter()
    grid, iv = problem.grid, problem.interval
    n_act = len(problem.activities)
    fixed = np.zeros((n_act, grid.size), dtype=int)  # coverage by earlier days
    breaks: dict[tuple[int, int], tuple[int, ...]] = {}
    activity: dict[int, dict[int, str]] = {}
    status: dict[int, str] = {}
    objective: dict[int, float] = {}
    bound: dict[int, float] = {}
    for d in range(grid.days):
        left_days = grid.days - d
        budget = max(DAY_FLOOR, (time_limit - (time.perf_counter() - t_start)) / left_days)
        today = sorted((i, k) for (i, dd), k in shifts.items() if dd == d)
        if not today:
            continue
        res = _solve_day(problem, d, today, fixed, budget, seed, workers, weights, variants)
        status[d], objective[d], bound[d] = res[3], res[4], res[5]
        if progress is not None:
            progress(f"day {d + 1}", time.perf_counter() - t_start, res[4])
        cohort_offsets, x = res[0], res[1]
        # Disaggregate breaks.
        for (g, k), members in res[2].items():
            tpl = problem.templates[k]
            per_window = cohort_offsets[(g, k)]
            for pos, i in enumerate(members):
                breaks[(i, d)] = tuple(per_window[b][pos] for b in range(len(tpl.breaks)))
        # Disaggregate activities per group and interval.
        present: dict[tuple[int, int], list[int]] = {}
        for i, k in today:
            tpl = problem.templates[k]
            t0 = grid.index(d, tpl.start_minute)
            acts = activity.setdefault(i, {})
            on_break = set()
            for w, off in zip(tpl.breaks, breaks[(i, d)], strict=True):
                b0 = t0 + off // iv
                for t in range(b0, b0 + w.span(iv)):
                    acts[t] = BREAK if w.kind == "break" else LUNCH
                    on_break.add(t)
            g = problem.agents[i].group
            for t in range(t0, grid.index(d, tpl.end_minute)):
                if t not in on_break:
                    present.setdefault((g, t), []).append(i)
        for (g, t), members in sorted(present.items()):
            elig = problem.group_eligible[g]
            quota = {c: x.get((g, c, t), 0) for c in elig}
            if not elig:
                for i in members:
                    activity[i][t] = TRAINING
                continue
            if sum(quota.values()) != len(members):
                # Beyond the horizon (no coverage rows): stay on the last activity.
                quota = {}
            free = []
            for i in members:
                prev = activity[i].get(t - 1)
                c = problem.activities.index(prev) if prev in problem.activities else None
                if c is not None and quota.get(c, 0) > 0:
                    activity[i][t] = prev
                    quota[c] -= 1
                else:
                    free.append(i)
            rest = [c for c in elig for _ in range(quota.get(c, 0))]
            for n, i in enumerate(free):
                if n < len(rest):
                    activity[i][t] = problem.activities[rest[n]]
                else:
                    prev = activity[i].get(t - 1)
                    activity[i][t] = prev if prev in problem.activities else problem.activities[elig[0]]
            for i in members:
                name = activity[i][t]
                if name in problem.activities:
                    fixed[problem.activities.index(name), t] += 1
    return DayPlan(breaks, activity, status, objective, bound, time.perf_counter() - t_start)


def _solve_day(problem: SchedulingProblem, d: int, today: list[tuple[int, int]],
               fixed: np.ndarray, time_limit: float, seed: int, workers: int, weights: Weights,
               variants: Mapping[tuple[int, int], int] | None = None):
    """One day's break and activity model as a MIP solved by HiGHS (see the module docstring).

    Why HiGHS and not CP-SAT here: once shifts are fixed the day model is a flow problem with a
    few side constraints; its LP relaxation is nearly integral and HiGHS solves it to a small gap
    in a fraction of a second, where CP-SAT's search needs far longer to close the same gap.
    """
    del seed, workers  # HiGHS is deterministic and single-threaded here

    def variant(i: int) -> int:
        if variants is not None and (i, d) in variants:
            return variants[(i, d)]
        return default_variant(problem, i)

    grid, iv = problem.grid, problem.interval
    horizon = grid.days * grid.per_day
    cohorts: dict[tuple[int, int], list[int]] = {}
    for i, k in today:
        cohorts.setdefault((problem.agents[i].group, k), []).append(i)
    for key in cohorts:
        cohorts[key].sort(key=lambda i: (variant(i), problem.agents[i].agent_id))
    cost: list[float] = []
    upper: list[float] = []
    integral: list[int] = []

    def col(c: float, ub: float, integer: bool) -> int:
        cost.append(c)
        upper.append(ub)
        integral.append(int(integer))
        return len(cost) - 1

    rows: list[tuple[list[int], list[float], float]] = []  # equality rows
    count: dict[tuple[int, int, int], dict[int, int]] = {}
    head: dict[tuple[int, int], int] = {}
    brk: dict[tuple[int, int], list[int]] = {}
    group_size: dict[int, int] = {}
    t_lo, t_hi = grid.size, 0
    for (g, k), members in cohorts.items():
        tpl = problem.templates[k]
        m = len(members)
        group_size[g] = group_size.get(g, 0) + m
        t0 = grid.index(d, tpl.start_minute)
        t1 = grid.index(d, tpl.end_minute)
        t_lo, t_hi = min(t_lo, t0), max(t_hi, t1)
        for t in range(t0, t1):
            head[(g, t)] = head.get((g, t), 0) + m
        for b, w in enumerate(tpl.breaks):
            ids = {}
            for off in w.offsets(iv):
                v = col(0.0, float(m), True)
                ids[off] = v
                b0 = t0 + off // iv
                for t in range(b0, b0 + w.span(iv)):
                    brk.setdefault((g, t), []).append(v)
            rows.append((list(ids.values()), [1.0] * len(ids), float(m)))
            count[(g, k, b)] = ids
    cover: dict[tuple[int, int], list[int]] = {}
    xcol: dict[tuple[int, int, int], int] = {}
    for (g, t), h in head.items():
        elig = problem.group_eligible[g]
        if t >= horizon or not elig:
            continue
        xs = []
        for c in elig:
            v = col(float(problem.tier_cost(g, c) * weights.tier), float(group_size[g]), True)
            xcol[(g, c, t)] = v
            xs.append(v)
            cover.setdefault((c, t), []).append(v)
        nb = brk.get((g, t), [])
        rows.append((xs + nb, [1.0] * (len(xs) + len(nb)), float(h)))
    req = units(problem.required)
    const = 0.0  # the cover curves' constants: the objective is the day's coverage cost
    for c in range(len(problem.activities)):
        w_short = max(1, round(weights.shortfall * problem.priority[c]))
        for t in range(t_lo, min(t_hi, horizon)):
            xs = cover.get((c, t))
            if not xs:
                continue
            const += add_cover_cost(lambda cost, ub: col(cost, ub, False), rows, xs,
                                    int(req[c, t] - UNITS * fixed[c, t]), w_short,
                                    weights.overstaffing)
    sol = None
    if cost:
        a, rhs = rows_to_matrix(rows, len(cost))
        model = dict(c=np.array(cost), constraints=LinearConstraint(a, rhs, rhs))
        res = milp(integrality=np.array(integral),
                   bounds=Bounds(np.zeros(len(cost)), np.array(upper)),
                   options={"time_limit": max(0.1, time_limit), "mip_rel_gap": 1e-3}, **model)
        name = "OPTIMAL" if res.status == 0 else "FEASIBLE"
        if res.status != 0:
            # Cut by the clock: the MIP's incumbent, if any, may be poor; the rounded LP is
            # close to the optimum.
            alt = _rounded(model, np.array(integral), np.array(upper), cohorts, count, time_limit)
            if alt is not None and alt.x is not None and (res.x is None or alt.fun < res.fun):
                res, name = alt, "ROUNDED"
        if res is not None and res.x is not None:
            sol = np.rint(res.x).astype(int)
            obj = float(res.fun) + const
            bnd = float(getattr(res, "mip_dual_bound", res.fun) or res.fun) + const
    if sol is None:
        name, obj, bnd = "UNKNOWN", float("nan"), float("nan")
    offsets: dict[tuple[int, int], list[list[int]]] = {}
    for (g, k), members in cohorts.items():
        tpl = problem.templates[k]
        per_window = []
        for b in range(len(tpl.breaks)):
            seq: list[int] = []
            if sol is not None:
                for off, v in sorted(count[(g, k, b)].items()):
                    seq += [off] * int(sol[v])
            if len(seq) != len(members):  # no solution: fall back to the stage 1 placement
                seq = sorted(break_variant_offsets(tpl, iv, variant(i))[b]
                             for i in members)
            per_window.append(seq)
        offsets[(g, k)] = per_window
    if sol is not None:
        xval = {key: int(sol[v]) for key, v in xcol.items()}
    else:
        xval = _fallback_flow(problem, d, cohorts, offsets, fixed, weights)
    return offsets, xval, cohorts, name, obj, bnd


def _rounded(model: dict, integral: np.ndarray, upper: np.ndarray,
             cohorts: Mapping[tuple[int, int], list[int]],
             count: Mapping[tuple[int, int, int], Mapping[int, int]], time_limit: float):
    """The day when its MIP found nothing in time (a big day on a loaded machine): the LP
    relaxation (nearly integral, see :mod:`planner.scheduling.cover_curve`), each cohort's break
    counts rounded to whole agents by largest remainders, then the MIP with the breaks held,
    which is a flow of present agents to activities and solves at once."""
    guard = {"time_limit": max(5.0, time_limit)}  # a guard only: both solve in well under 1 s
    lp = milp(integrality=np.zeros_like(integral), bounds=Bounds(np.zeros(len(upper)), upper),
              options=guard, **model)
    if lp.x is None:
        return None
    lo, hi = np.zeros(len(upper)), upper.copy()
    for (g, k, _), ids in count.items():
        cols = np.array(list(ids.values()))
        v = lp.x[cols]
        whole = np.floor(v + 1e-6)
        extra = len(cohorts[(g, k)]) - int(whole.sum())
        whole[np.argsort(-(v - whole), kind="stable")[:max(0, extra)]] += 1
        lo[cols] = hi[cols] = whole
    return milp(integrality=integral, bounds=Bounds(lo, hi),
                options={**guard, "mip_rel_gap": 1e-3}, **model)


def _fallback_flow(problem: SchedulingProblem, d: int, cohorts: dict[tuple[int, int], list[int]],
                   offsets: dict[tuple[int, int], list[list[int]]], fixed: np.ndarray,
                   weights: Weights) -> dict[tuple[int, int, int], int]:
    """Activities when the day's MIP found nothing in time (a very loaded machine): per interval
    the present agents of each group, specialists first, each to the eligible activity with the
    most weighted need left. Without it every agent would stay on their first activity."""
    grid, iv = problem.grid, problem.interval
    horizon = grid.days * grid.per_day
    present: dict[tuple[int, int], int] = {}
    for (g, k), members in cohorts.items():
        tpl = problem.templates[k]
        t0 = grid.index(d, tpl.start_minute)
        head = np.zeros(grid.index(d, tpl.end_minute) - t0, dtype=int)
        head += len(members)
        for b, w in enumerate(tpl.breaks):
            for off in offsets[(g, k)][b]:
                head[off // iv:off // iv + w.span(iv)] -= 1
        for j, n in enumerate(head):
            if n > 0 and t0 + j < horizon:
                present[(g, t0 + j)] = present.get((g, t0 + j), 0) + int(n)
    w_short = np.maximum(1, np.rint(weights.shortfall * problem.priority))
    need = problem.required - fixed
    out: dict[tuple[int, int, int], int] = {}
    order = sorted(present, key=lambda gt: (gt[1], len(problem.group_eligible[gt[0]]), gt[0]))
    for g, t in order:
        elig = problem.group_eligible[g]
        if not elig:
            continue
        for _ in range(present[(g, t)]):
            c = max(elig, key=lambda c: (w_short[c] * need[c, t], -c))
            need[c, t] -= 1
            out[(g, c, t)] = out.get((g, c, t), 0) + 1
    return out
