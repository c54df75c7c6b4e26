"""Stage 1 polish: re-choose every agent's shift of one day at a time, scored as stage 2 scores it.

The agent-by-agent improvement of :mod:`planner.scheduling.greedy` judges a move with nominal
break positions and a greedy split of present agents over activities; stage 2
(:mod:`planner.scheduling.activities`) then re-places breaks and splits agents optimally, so the
two disagree (on the 100-agent generated center stage 1's estimate was ~40% above the final
cost) and a move that looks good to stage 1 need not help the plan. Here one day is re-solved
with *all* agents free on that day and every other day fixed, and a new day is judged by stage
2's own day model (cohort break counts over their windows, flows of present agents to
activities, the same coverage weights; HiGHS MIP), with the shift choice added:

* agent ``i`` may work today any template that keeps every hard rule of their week with the
  other days as they are (availability, minimum and maximum hours, worked days per week,
  consecutive days, paired days off, weekends, minimum rest), found by checking the agent's row
  in plain Python (:func:`day_options`); a day off when it keeps the rules too. A working agent's
  start moves by at most ``WINDOW`` minutes per visit: with every template open the LP below is
  ~20 times slower (measured);
* agents of one group with the same options and option costs are interchangeable (a *class*):
  the model counts ``z[class, option]`` and cohort headcounts are sums of these counts;
* per-agent terms of the week objective that change with today's choice enter linearly: pay
  (averaged over a class), wishes, a worked weekend (the other weekend day fixed), a late shift
  beyond ``MAX_LATE``, the fairness terms (:mod:`planner.scheduling.fairness`).

Search: the LP relaxation of that model with breaks only at stage 1's spread positions (a
second or two at 300 agents), its class counts rounded (largest remainders). HiGHS's MIP on the
same model, having no starting solution, found only days worse than the current one within
seconds (measured), even with the LP's whole counts pinned. Acceptance: the candidate and the
current day are both scored by the exact model with the counts fixed, and the day changes only
when the score falls (by more than ``MARGIN``), so the plan never gets worse by stage 2's
measure. Days are visited in order, in rounds, until a round changes nothing (at most
``MAX_ROUNDS``): the same input gives the same roster. The deadline only guards big centers: a
day is not started when less time is left than the longest visit so far took (then the result
depends on the clock). Agents keep their current option where the new counts allow (fewest
changes). Where shifts cross midnight, a day's options overlap the shifts of the days before
and after: those are held fixed in the day's model as presence per group and interval (their
breaks at stage 1's positions; stage 2 places them later), so the day's score counts every
interval its options touch.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from planner.scheduling.cover_curve import add_cover_cost, units
from planner.scheduling.fairness import day_fair_costs
from planner.scheduling.problem import SchedulingProblem, presence_mask
from planner.scheduling.roster_check import row_violations
from planner.scheduling.rules import RosterProblem
from planner.scheduling.sparse_rows import rows_to_matrix
from planner.scheduling.templates import DAY
from planner.scheduling.week import (
    DEFAULT_WEIGHTS,
    LATE_END,
    MAX_LATE,
    VARIANTS,
    Weights,
    break_variant_offsets,
    default_variant,
    roster_problem,
)

OFF = -1  # the "day off" option
# A working agent may move their start by at most this much per re-solve (either length): with
# every template open to every agent the day LP is ~20x slower (measured, 100 agents).
WINDOW = 60
MARGIN = 1e-4  # a day changes only when its score falls by more than this share
MAX_ROUNDS = 20  # rounds over the days (each accepted change lowers a day's score: they converge)


@dataclass
class _Class:
    """Agents of one group with the same options and option costs today: interchangeable."""

    group: int
    options: tuple[int, ...]
    costs: dict[int, float]
    members: list[int]
    current: list[int]  # each member's current option, in ``members`` order


def _classes(problem: SchedulingProblem, options: Mapping[int, list[int]],
             costs: Mapping[int, dict[int, float]], now: Mapping[int, int],
             weights: Weights) -> list[_Class]:
    """Group today's agents into classes. Pay differs by agent, so it is averaged over the class
    (the class key leaves it out): a few currency units per shift against coverage weights of
    hundreds, and without it agents of a group would rarely be interchangeable."""
    out: dict[tuple, _Class] = {}
    pay: dict[tuple, list[dict[int, float]]] = {}
    for i in sorted(options):
        a = problem.agents[i]
        opts = tuple(options[i])
        base = {k: round(a.hourly_cost * problem.templates[k].paid_minutes * weights.cost)
                for k in opts if k != OFF}
        rest = tuple(costs[i][k] - base[k] for k in opts if k != OFF)
        key = (a.group, opts, rest)
        if key not in out:
            out[key] = _Class(a.group, opts, {}, [], [])
            pay[key] = []
        out[key].members.append(i)
        out[key].current.append(now[i])
        pay[key].append(costs[i])
    for key, cl in out.items():
        for k in cl.options:
            if k != OFF:
                cl.costs[k] = float(np.mean([c[k] for c in pay[key]]))
    return list(out.values())


def _disaggregate(cl: _Class, counts: Mapping[int, int]) -> dict[int, int]:
    """Members keep their current option while its new count lasts; the rest fill the others."""
    left = dict(counts)
    out: dict[int, int] = {}
    free = []
    for i, k in zip(cl.members, cl.current, strict=True):
        if left.get(k, 0) > 0:
            out[i] = k
            left[k] -= 1
        else:
            free.append(i)
    pool = [k for k in cl.options for _ in range(left.get(k, 0))]
    for i, k in zip(free, pool, strict=True):
        out[i] = k
    return out


def _row_ok(problem: SchedulingProblem, rp: RosterProblem, i: int, row: list[int]) -> bool:
    """Whether agent ``i``'s week ``row`` (template id or OFF per day) keeps every hard rule."""
    names = [None if k == OFF else problem.templates[k].name for k in row]
    # The core's rules hold the limits per week and the weekend rules too.
    if row_violations(rp, rp.employees[i], names):
        return False
    days = problem.grid.days
    rest = round(problem.config.shifts.min_rest_hours * 60)
    worked = [d for d in range(days) if row[d] != OFF]
    for d0, d1 in itertools.pairwise(worked):
        end = d0 * DAY + problem.templates[row[d0]].end_minute
        if d1 * DAY + problem.templates[row[d1]].start_minute - end < rest:
            return False
    return True


def day_options(problem: SchedulingProblem, rp: RosterProblem, shifts: Mapping[tuple[int, int], int],
                i: int, d: int, window: int | None = None) -> list[int]:
    """Today's options of agent ``i`` (template ids, OFF) that keep their week legal; just the
    current choice when the current week itself fails the check (nothing is risked then)."""
    row = [shifts.get((i, e), OFF) for e in range(problem.grid.days)]
    current = row[d]
    if not _row_ok(problem, rp, i, row):
        return [current]
    out = []
    for k in (OFF, *problem.allowed[i][d]):
        if (window is not None and current != OFF and k != OFF
                and abs(problem.templates[k].start_minute
                        - problem.templates[current].start_minute) > window):
            continue
        if k == current:
            out.append(k)
            continue
        row[d] = k
        if _row_ok(problem, rp, i, row):
            out.append(k)
    row[d] = current
    return out


def _agent_costs(problem: SchedulingProblem, rp: RosterProblem, shifts: Mapping[tuple[int, int], int],
                 i: int, d: int, weights: Weights,
                 requests: Mapping[tuple[str, int], list] | None = None) -> dict[int, float]:
    """Per-agent objective terms of working template ``k`` today (relative to a day off)."""
    a = problem.agents[i]
    days = problem.grid.days
    weekday = (problem.grid.start.weekday() + d) % 7
    other_weekend = ((weekday == 5 and d + 1 < days and (i, d + 1) in shifts)
                     or (weekday == 6 and d >= 1 and (i, d - 1) in shifts))
    late_other = sum(1 for e in range(days) if e != d and (i, e) in shifts
                     and problem.templates[shifts[(i, e)]].end_minute > LATE_END)
    wish = {}
    mine = rp.requests if requests is None else requests.get((a.agent_id, d), ())
    for r in mine:
        if r.employee == a.agent_id and r.day == d and not r.on:
            wish[r.shift] = wish.get(r.shift, 0) + r.weight
    others = {e: shifts[(i, e)] for e in range(days) if e != d and (i, e) in shifts}
    fair = day_fair_costs(problem, i, others, d, problem.allowed[i][d], weights.shortfall)
    out = {}
    for k in problem.allowed[i][d]:
        tpl = problem.templates[k]
        c = round(a.hourly_cost * tpl.paid_minutes * weights.cost) + fair[k]
        c += wish.get(tpl.name, 0) + wish.get(None, 0)
        if other_weekend:
            c += weights.weekend
        if tpl.end_minute > LATE_END and late_other >= MAX_LATE:
            c += weights.late
        out[k] = float(c)
    return out


def _solve(problem: SchedulingProblem, d: int, classes: list[_Class], weights: Weights,
           time_limit: float, fix: bool = False, lp: bool = False,
           around: np.ndarray | None = None) -> tuple[float, list[dict[int, float]]] | None:
    """Today's model over classes of interchangeable agents (see the module docstring).

    ``fix`` pins every class to its members' current options: the exact score of a day (stage
    2's day MIP, breaks anywhere in their windows). ``lp`` gives the search relaxation instead:
    every count continuous, breaks only at stage 1's spread positions. ``around[g, t]``: the
    agents of group ``g`` on an activity in interval ``t`` by the shifts of the days before and
    after (where shifts cross midnight; breaks at stage 1's positions), held fixed. Returns
    (objective, per class {option: count}) or None when HiGHS finds nothing in time."""
    grid, iv = problem.grid, problem.interval
    horizon = grid.days * grid.per_day
    cost: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    integral: list[int] = []

    def col(c: float, lo: float, ub: float, integer: bool) -> int:
        cost.append(c)
        lower.append(lo)
        upper.append(ub)
        integral.append(int(integer))
        return len(cost) - 1

    rows: list[tuple[list[int], list[float], float]] = []
    zcol: list[dict[int, int]] = []
    cohort: dict[tuple[int, int], list[int]] = {}
    for cl in classes:
        n = len(cl.members)
        ids = {}
        for k in cl.options:
            now = float(sum(1 for c in cl.current if c == k))
            lo, ub = (now, now) if fix else (0.0, float(n))
            ids[k] = col(0.0 if k == OFF else cl.costs[k], lo, ub, not lp)
            if k != OFF:
                cohort.setdefault((cl.group, k), []).append(ids[k])
        zcol.append(ids)
        rows.append((list(ids.values()), [1.0] * len(ids), float(n)))
    head: dict[tuple[int, int], list[int]] = {}
    brk: dict[tuple[int, int], list[int]] = {}
    size: dict[int, int] = {}
    for cl in classes:
        size[cl.group] = size.get(cl.group, 0) + len(cl.members)
    for (g, k), zs in cohort.items():
        tpl = problem.templates[k]
        t0 = grid.index(d, tpl.start_minute)
        for t in range(t0, grid.index(d, tpl.end_minute)):
            head.setdefault((g, t), []).extend(zs)
        for b, w in enumerate(tpl.breaks):
            ns = []
            # The search places breaks at stage 1's spread positions only (a far smaller LP);
            # the exact score lets them anywhere in their windows.
            offs = w.offsets(iv) if not lp else sorted(
                {break_variant_offsets(tpl, iv, v)[b] for v in range(VARIANTS)})
            for off in offs:
                v = col(0.0, 0.0, float(size[g]), not lp)
                ns.append(v)
                b0 = t0 + off // iv
                for t in range(b0, b0 + w.span(iv)):
                    brk.setdefault((g, t), []).append(v)
            rows.append((ns + zs, [1.0] * len(ns) + [-1.0] * len(zs), 0.0))
    if around is not None:
        span = sorted({t for _, t in head})
        for g, t in zip(*np.nonzero(around[:, span]), strict=True):
            head.setdefault((int(g), span[t]), [])
    cover: dict[tuple[int, int], list[int]] = {}
    for (g, t), zs in head.items():
        elig = problem.group_eligible[g]
        if t >= horizon or not elig:
            continue
        xs = []
        top = float(size.get(g, 0) + (0.0 if around is None else around[g, t]))
        for c in elig:
            v = col(float(problem.tier_cost(g, c) * weights.tier), 0.0, top, not lp)
            xs.append(v)
            cover.setdefault((c, t), []).append(v)
        nb = brk.get((g, t), [])
        rows.append((xs + nb + zs, [1.0] * (len(xs) + len(nb)) + [-1.0] * len(zs),
                     0.0 if around is None else float(around[g, t])))
    req = units(problem.required)
    for (c, t), xs in cover.items():
        w_short = max(1, round(weights.shortfall * problem.priority[c]))
        add_cover_cost(lambda cost, ub: col(cost, 0.0, ub, False), rows, xs, int(req[c, t]),
                       w_short, weights.overstaffing)
    a, rhs = rows_to_matrix(rows, len(cost))
    if lp:
        # HiGHS's interior point: several times faster than its simplex on these LPs.
        res = linprog(np.array(cost), A_eq=a, b_eq=rhs,
                      bounds=np.column_stack([lower, upper]), method="highs-ipm",
                      options={"time_limit": max(0.5, time_limit)})
        if res.status != 0:
            return None
    else:
        res = milp(np.array(cost), integrality=np.array(integral),
                   bounds=Bounds(np.array(lower), np.array(upper)),
                   constraints=LinearConstraint(a, rhs, rhs),
                   options={"time_limit": max(0.5, time_limit), "mip_rel_gap": 5e-4})
        if res.x is None:
            return None
    # Coverage outside today's cover rows is the same for every choice: left out of the score.
    counts = [{k: (float(res.x[v]) if lp else round(res.x[v])) for k, v in ids.items()}
              for ids in zcol]
    return float(res.fun), counts


def _around(problem: SchedulingProblem, shifts: Mapping[tuple[int, int], int], d: int
            ) -> np.ndarray:
    """Per group and grid interval, the agents on an activity by their shifts of days ``d - 1``
    and ``d + 1`` (breaks at stage 1's positions): what today's shifts overlap where shifts
    cross midnight."""
    out = np.zeros((len(problem.groups), problem.grid.size))
    for (i, e), k in shifts.items():
        if abs(e - d) == 1:
            tpl = problem.templates[k]
            offs = break_variant_offsets(tpl, problem.interval, default_variant(problem, i))
            out[problem.agents[i].group] += presence_mask(problem, e, k, offs)
    return out


def _search(problem: SchedulingProblem, d: int, classes: list[_Class], weights: Weights,
            time_limit: float, around: np.ndarray | None = None) -> list[dict[int, int]] | None:
    """A candidate day: the search LP, its class counts rounded. (HiGHS's MIP on the same model,
    without a starting solution, found only days worse than the current one within seconds,
    also with the LP's whole counts pinned; the rounded LP beat the current day on most days.)"""
    lp = _solve(problem, d, classes, weights, time_limit, lp=True, around=around)
    if lp is None:
        return None
    return [_round(cl, counts) for cl, counts in zip(classes, lp[1], strict=True)]


def _round(cl: _Class, counts: Mapping[int, float]) -> dict[int, int]:
    """Whole counts summing to the class size: floors, then the largest remainders (ties to the
    member's current option, then the lower template id, for determinism)."""
    n = len(cl.members)
    out = {k: max(0, int(np.floor(v + 1e-6))) for k, v in counts.items()}
    now = {k: sum(1 for c in cl.current if c == k) for k in cl.options}
    while sum(out.values()) > n:  # only from the LP's tolerances: take back the least earned
        k = min((k for k in cl.options if out[k] > 0), key=lambda k: (counts[k] - out[k], k))
        out[k] -= 1
    rest = sorted(cl.options, key=lambda k: (-(counts[k] - out[k]), -now[k], k))
    for k in rest[:max(0, n - sum(out.values()))]:
        out[k] += 1
    return out


def improve_days(problem: SchedulingProblem, shifts: Mapping[tuple[int, int], int],
                 weights: Weights = DEFAULT_WEIGHTS, relax: Mapping[int, int] | None = None,
                 deadline: float | None = None, window: int | None = WINDOW,
                 progress: Callable[[str, float, float], None] | None = None,
                 max_rounds: int | None = None) -> dict[tuple[int, int], int]:
    """Re-solve the roster one day at a time (see the module docstring); returns the new shifts.
    ``max_rounds``: most rounds over the days (default ``MAX_ROUNDS``), a work budget."""
    t_start = time.perf_counter()
    out = dict(shifts)
    if not out:
        return out
    overnight = any(t.end_minute > DAY for t in problem.templates)
    rp = roster_problem(problem, weights, relax)
    days = problem.grid.days

    def left() -> float:
        return 60.0 if deadline is None else deadline - time.perf_counter()

    scores: dict[int, float] = {}

    requests: dict[tuple[str, int], list] = {}
    for r in rp.requests:
        requests.setdefault((r.employee, r.day), []).append(r)
    # Agents who take no case type change no coverage: their days stay as they are.
    movable = [i for i, a in enumerate(problem.agents) if problem.group_eligible[a.group]]

    def visit(d: int) -> bool:
        """Re-solve day ``d``; whether it changed."""
        options = {i: day_options(problem, rp, out, i, d, window) for i in movable}
        options = {i: o for i, o in options.items() if o != [OFF]}
        if not any(len(o) > 1 for o in options.values()) or left() <= 0:
            return False
        costs = {i: _agent_costs(problem, rp, out, i, d, weights, requests) for i in options}
        now = {i: out.get((i, d), OFF) for i in options}
        classes = _classes(problem, options, costs, now, weights)
        around = _around(problem, out, d) if overnight else None
        # HiGHS's time limits are guards as well: each MIP and LP normally ends at its gap or
        # optimum well before them, the same way whatever the load of the machine. The three
        # solves of a visit share the time left, so that a visit too big for it ends in time.
        base = _solve(problem, d, classes, weights, max(0.2, min(30.0, left() / 3)), fix=True,
                      around=around)
        if base is None or left() <= 0:
            return False
        scores[d] = base[0]
        found = _search(problem, d, classes, weights, max(0.2, left() / 2), around)
        if found is None or left() <= 0:
            return False
        trial = [_Class(cl.group, cl.options, cl.costs, cl.members,
                        [_disaggregate(cl, counts)[i] for i in cl.members])
                 for cl, counts in zip(classes, found, strict=True)]
        if all(t.current == cl.current for t, cl in zip(trial, classes, strict=True)):
            return False
        new = _solve(problem, d, trial, weights, max(0.2, min(30.0, left())), fix=True,
                     around=around)
        # Both scores are MIP optima within HiGHS's relative gap: ask for a real gain.
        if new is None or new[0] >= base[0] - MARGIN * abs(base[0]):
            return False
        for cl in trial:
            for i, k in zip(cl.members, cl.current, strict=True):
                if k == OFF:
                    out.pop((i, d), None)
                else:
                    out[(i, d)] = k
        scores[d] = new[0]
        return True

    # Rounds until one changes nothing (or MAX_ROUNDS). The deadline is a guard, not the stop: a
    # day is visited unless the time left is below what the longest visit so far took. (A fixed
    # margin of 3 s stopped the tiny centers of the tests after a day or two on a loaded machine,
    # so their plan depended on the load.)
    # A visit depends only on the roster: a day whose last visit changed nothing, with no change
    # anywhere since, would change nothing again and is not re-solved.
    longest = 0.0
    version = 0
    idle_at: dict[int, int] = {}
    for _ in range(MAX_ROUNDS if max_rounds is None else max_rounds):
        changed = False
        for d in range(days):
            if idle_at.get(d) == version:
                continue
            if left() <= longest:
                return out
            t_day = time.perf_counter()
            if visit(d):
                changed = True
                version += 1
                idle_at.pop(d, None)
            else:
                idle_at[d] = version
            longest = max(longest, time.perf_counter() - t_day)
        if progress is not None and scores:
            # Once a round: the week's score by stage 2's day models (visited days).
            progress("re-solve", time.perf_counter() - t_start, sum(scores.values()))
        if not changed:
            break
    return out


def keeps_rules(problem: SchedulingProblem, rp: RosterProblem, i: int, row: list[int]) -> bool:
    """Whether agent ``i``'s week ``row`` (template id or :data:`OFF` per day) keeps every hard
    rule the scheduler holds a week to: the templates the agent may work each day (opening hours,
    time off, availability, own hours), minimum and maximum paid hours, worked days per week,
    consecutive days, paired days off, weekends and the minimum rest between shifts. ``rp`` is
    :func:`planner.scheduling.week.roster_problem` of ``problem``."""
    return _row_ok(problem, rp, i, row)
