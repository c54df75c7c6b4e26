"""Weekends first: choose who works which shift on every weekend day, for everyone at once, before
the weekdays are rostered.

Why: where the weekend rules are nearly as tight as the cover (Curtois instance 13: the cover
asks for nearly every weekend shift the weekend limits of its 120 staff allow), which
weekend days each employee works decides most of the missing cover, and the LNS
(:mod:`planner.scheduling.roster_lns`) mends that slowly: a better weekend for one employee
needs minutes and a weekend given up by another. The weekend part on its own is a small
integer program over weekend *patterns* (the shifts one employee works on one weekend's days)
that HiGHS solves in seconds:

    min  sum_p cost_p x_p + sum_c (under_c u_c + over_c o_c)
    s.t. sum_{p of e, w} x_p <= 1                   (one pattern per employee and weekend)
         sum_{p of e} x_p <= max_weekends_e
         sum_{p of e} n_sp x_p <= cap_es            (caps per shift type)
         sum_{p of e} minutes_p x_p <= max_minutes_e
         sum_p a_cp x_p + u_c - o_c = requirement_c (each weekend cover cell c)

``cost_p`` is what the employee's whole row must cost in requests when it works pattern ``p``
on that weekend (the least over valid rows, the other weekends free:
:func:`planner.scheduling.roster_exactdp.weekend_pattern_costs`), less what it costs with that
weekend off. Patterns that break a rule inside the weekend (a forbidden succession, a cap) or
that leave a lone worked day next to a day off when runs must be longer are left out, and so
are patterns no valid row works.

Why whole rows: with ``cost_p`` the requests on the weekend days alone, many plans leave the
same weekend shifts uncovered, and the one HiGHS picks hands employees weekends that break
their weekday requests (a run of work too long next to the days they asked for, a night on
Sunday before an early shift asked for on Monday). With weekend-only costs
(``whole_rows=False``, and for employees the exact DP does not model) the program's optimum
bounds the weekend cover part of any roster from below.

The rows are then completed employee by employee with the weekend fixed (by the row DP of
:mod:`planner.scheduling.roster_rowdp`, or one small CP-SAT model where it finds no row, against
the cover left by the others; an employee whose weekend cannot be completed is solved without
it), and the LNS (:mod:`planner.scheduling.roster_lns`) first runs with the
weekend cells frozen: its moves then only mend the weekdays, and moves that free everyone over a
few days get cheaper. Then it runs with everything free.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from planner.scheduling.roster import (
    Cell,
    Roster,
    build_roster_model,
    cover_counts,
    solve_model,
)
from planner.scheduling.roster_exactdp import weekend_pattern_costs
from planner.scheduling.roster_exchange import weekend_tightness
from planner.scheduling.roster_rowdp import demand_matrix, dp_row
from planner.scheduling.rules import UNBOUNDED, EmployeeRules, RosterProblem

# Weekend plans are tried only while the weekend cover asks for at least this share of the
# weekend shifts the weekend limits allow (instance 13: 0.96; instance 9, 0.64, is not tight).
TIGHT_WEEKENDS = 0.9
# Only for many staff over a short horizon (of the Curtois instances with tight weekends only 13
# gained): with few staff the moves that free everyone are cheap and re-plan the weekends
# themselves, so freezing them only takes freedom away; on long horizons the CP-SAT completion
# of each row is slow.
MIN_STAFF = 100
MAX_DAYS = 35
# Larger pattern programs (long horizons with many shift types) are not tried.
MAX_PATTERNS = 150_000
# Credit per minute of a weekend shift left uncovered (see plan_weekends).
UNCOVERED_MINUTE_CREDIT = 0.001
# At most this share of the plan's time goes to pricing patterns by whole rows; employees left
# when it is spent keep weekend-only costs.
PRICING_SHARE = 0.5
# Patterns whose LP reduced cost exceeds this are first left out of the integer program (kept if
# the plan found then costs more than the LP value plus this).
REDUCED_COST_FIX = 2.0


@dataclass(frozen=True)
class WeekendPlan:
    """The weekend cells of every employee (``None``: off) and what the plan costs.

    ``objective`` counts the weekend cover and the requests on weekend days; ``bound`` (the LP
    relaxation's value, with weekend-only pattern costs) is a lower bound on that part of any
    roster; None when the patterns were priced by whole rows."""

    cells: Mapping[Cell, str | None]
    objective: float
    bound: float | None


def wants_weekend_plan(problem: RosterProblem) -> bool:
    """Whether to plan the weekends first: many staff, a short horizon, tight weekends."""
    return (len(problem.employees) >= MIN_STAFF and problem.days <= MAX_DAYS
            and weekend_tightness(problem) >= TIGHT_WEEKENDS)


def _lone_day_ok(rules: EmployeeRules, outside: int, days: int) -> bool:
    """A worked day with no worked neighbour inside its weekend: ``outside`` (the day before a
    Saturday, or after a Sunday) must be workable when runs must be longer than one day."""
    seq = rules.work_sequence
    if seq.hard_min < 2:
        return True
    if not 0 <= outside < days:
        return seq.edges_exempt
    return outside not in rules.days_off


def _patterns(problem: RosterProblem, rules: EmployeeRules, days: tuple[int, ...],
              requests: Mapping[int, list]) -> list[tuple[tuple[str | None, ...], int]]:
    """Every pattern of one employee on one weekend that works at least one day, with its request
    cost over the cost of staying off."""
    names = problem.shift_names
    follow = {s.name: s.cannot_follow for s in problem.shift_types}
    options = [[None, *(s for s in names if rules.may_work(d, s))] for d in days]
    off_cost = sum(q.cost(None) for d in days for q in requests.get(d, ()))
    out = []
    for pat in itertools.product(*options):
        if all(s is None for s in pat):
            continue
        if any(a is not None and b is not None and b in follow[a]
               for a, b in itertools.pairwise(pat)):
            continue
        if any(pat.count(s) > rules.max_shifts.get(s, UNBOUNDED) for s in set(pat) if s):
            continue
        # A lone worked day at either end of the weekend runs on into the day outside it.
        ends = ((0, days[0] - 1), (len(pat) - 1, days[-1] + 1))
        if any(pat[i] is not None and all(pat[j] is None for j in (i - 1, i + 1)
                                          if 0 <= j < len(pat))
               and not _lone_day_ok(rules, outside, problem.days) for i, outside in ends):
            continue
        cost = sum(q.cost(s) for d, s in zip(days, pat, strict=True)
                   for q in requests.get(d, ()))
        out.append((pat, cost - off_cost))
    return out


def plan_weekends(problem: RosterProblem, time_limit: float, whole_rows: bool = True,
                  priced_rows: int | None = None) -> WeekendPlan | None:
    """The weekend pattern program (see the module docstring) solved by HiGHS within
    ``time_limit`` seconds; None when it is too large or finds nothing in time.
    ``whole_rows``: price each pattern by the employee's whole row (else by the requests on
    its weekend days only, which makes the LP value a bound), for the employees in order while
    ``PRICING_SHARE`` of the time limit lasts, or, with ``priced_rows``, for exactly that many
    employees (a work budget: the plan is then the same under any load, as long as the time
    limit, a guard then, is not reached)."""
    weekends = problem.weekends()
    if not weekends:
        return None
    minutes = {s.name: s.length_minutes for s in problem.shift_types}
    by_employee = problem.requests_by_employee()
    cols: list[tuple[int, int, tuple[str | None, ...]]] = []
    costs: list[float] = []
    start = time.perf_counter()
    priced = False  # whether some pattern costs are whole-row costs
    for e, rules in enumerate(problem.employees):
        requests: dict[int, list] = defaultdict(list)
        for q in by_employee[e]:
            requests[q.day].append(q)
        mine = [(w, pat, cost) for w, days in enumerate(weekends)
                for pat, cost in _patterns(problem, rules, days, requests)]
        if len(cols) + len(mine) > MAX_PATTERNS:
            return None
        if whole_rows and (time.perf_counter() - start < PRICING_SHARE * time_limit
                           if priced_rows is None else e < priced_rows):
            rows = weekend_pattern_costs(
                problem, rules, by_employee[e],
                [(w, (None,) * len(days)) for w, days in enumerate(weekends)]
                + [(w, pat) for w, pat, _ in mine])
            if rows is not None and all(np.isfinite(rows[:len(weekends)])):
                off, rows = rows[:len(weekends)], rows[len(weekends):]
                # Relative to the weekend off, as the weekend-only costs are; a pattern no
                # valid row works is left out.
                mine = [(w, pat, row - off[w]) for (w, pat, _), row in zip(mine, rows, strict=True)
                        if np.isfinite(row)]
                priced = True
        for w, pat, cost in mine:
            cols.append((e, w, pat))
            costs.append(cost)
    day_set = {d for w in weekends for d in w}
    cover = [c for c in problem.cover if c.day in day_set]
    cover_index = {(c.day, c.shift): i for i, c in enumerate(cover)}
    n, m = len(cols), len(cover)
    rows: list[int] = []
    entries: list[int] = []
    values: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def constraint(terms: list[tuple[int, float]], lo: float, hi: float) -> None:
        for j, v in terms:
            rows.append(len(lower))
            entries.append(j)
            values.append(v)
        lower.append(lo)
        upper.append(hi)

    per_weekend: dict[tuple[int, int], list[int]] = defaultdict(list)
    per_employee: dict[int, list[int]] = defaultdict(list)
    per_cell: dict[int, list[int]] = defaultdict(list)
    for j, (e, w, pat) in enumerate(cols):
        per_weekend[(e, w)].append(j)
        per_employee[e].append(j)
        for d, s in zip(weekends[w], pat, strict=True):
            if s is not None and (d, s) in cover_index:
                per_cell[cover_index[(d, s)]].append(j)
    for js in per_weekend.values():
        constraint([(j, 1.0) for j in js], 0, 1)
    for e, js in per_employee.items():
        rules = problem.employees[e]
        if rules.max_weekends < len(weekends):
            constraint([(j, 1.0) for j in js], 0, rules.max_weekends)
        for s in problem.shift_names:
            cap = rules.max_shifts.get(s, UNBOUNDED)
            terms = [(j, float(cols[j][2].count(s))) for j in js if s in cols[j][2]]
            if terms and cap < sum(v for _, v in terms):
                constraint(terms, 0, cap)
        worked = [(j, float(sum(minutes[s] for s in cols[j][2] if s))) for j in js]
        if rules.max_minutes < sum(v for _, v in worked):
            constraint(worked, 0, rules.max_minutes)
    for i, c in enumerate(cover):
        constraint([(j, 1.0) for j in per_cell[i]] + [(n + i, 1.0), (n + m + i, -1.0)],
                   c.requirement, c.requirement)
    a = sparse.csr_matrix((values, (rows, entries)), shape=(len(lower), n + 2 * m))
    c = np.concatenate([np.array(costs, dtype=float),
                        [float(cv.under_weight) for cv in cover],
                        [float(cv.over_weight) for cv in cover]])
    # Among plans of equal cost, the one that leaves the longest shifts uncovered leaves the most
    # minutes to the weekdays (on instance 13 the contracts allow fewer minutes than the cover
    # asks for): a credit per uncovered shift (0.72 for 12 hours) below the smallest real cost,
    # so that one swap never trades against a request (several together could, in principle).
    credit = np.zeros(n + 2 * m)
    credit[n:n + m] = [UNCOVERED_MINUTE_CREDIT * minutes[cv.shift] for cv in cover]
    integral = np.concatenate([np.ones(n), np.zeros(2 * m)])
    bounds = Bounds(np.zeros(n + 2 * m), np.concatenate([np.ones(n), np.full(2 * m, np.inf)]))
    constraints = LinearConstraint(a, lower, upper)
    # The LP first: most of its patterns are integral, and with those fixed HiGHS solves the
    # rest in a second or two (instance 13: LP 1.4 s, then 1.8 s to the optimum, against 13 s
    # for the program as a whole). The LP value is the bound. Every row but the cover's is
    # 0 <= (nonnegative terms) <= cap, so only its upper side is a constraint.
    eq = np.array(lower) == np.array(upper)
    ub = np.array(upper)
    left = time_limit - (time.perf_counter() - start)
    lp = linprog(c - credit, A_ub=a[~eq], b_ub=ub[~eq], A_eq=a[eq], b_eq=ub[eq],
                 bounds=np.column_stack([bounds.lb, bounds.ub]), method="highs",
                 options={"time_limit": max(0.1, left)})
    if lp.status != 0 or lp.x is None:
        return None
    low = bounds.lb.copy()
    low[:n][lp.x[:n] > 1 - 1e-6] = 1
    # Patterns whose reduced cost exceeds REDUCED_COST_FIX are left out: a plan within that
    # much of the LP value is then as cheap as any that uses them (on instance 13 with patterns
    # priced by whole rows: half of the patterns out, 0.8 s to the same optimum against 3.5 s).
    top = bounds.ub.copy()
    top[:n][lp.lower.marginals[:n] > REDUCED_COST_FIX] = 0
    res = None
    tries = (top, bounds.ub) if (top < bounds.ub).any() else (bounds.ub,)
    for upper_bounds in tries:
        left = time_limit - (time.perf_counter() - start)
        res = milp(c - credit, integrality=integral, bounds=Bounds(low, upper_bounds),
                   constraints=constraints, options={"time_limit": max(0.1, left)})
        if res.x is not None and res.fun <= lp.fun + REDUCED_COST_FIX + 1e-6:
            break
    if res is None or res.x is None:
        return None
    # The requests of an employee who stays off all weekend cost this much in every plan.
    base = sum(q.cost(None) for reqs in by_employee for q in reqs if q.day in day_set)
    cells: dict[Cell, str | None] = {}
    for rules in problem.employees:
        for d in day_set:
            cells[(rules.employee, d)] = None
    for j in np.flatnonzero(res.x[:n] > 0.5):
        e, w, pat = cols[j]
        for d, s in zip(weekends[w], pat, strict=True):
            cells[(problem.employees[e].employee, d)] = s
    if priced:
        # Whole-row costs are not additive over an employee's weekends: no bound.
        return WeekendPlan(cells, _weekend_cost(problem, cells, cover), None)
    # The LP's value with the credit is still a lower bound (the credit only lowers costs).
    return WeekendPlan(cells, float(c @ res.x) + base, float(lp.fun) + base)


def _weekend_cost(problem: RosterProblem, cells: Mapping[Cell, str | None],
                  cover: list) -> float:
    """What the weekend cover and the requests on weekend days cost with ``cells``."""
    counts = cover_counts({c: s for c, s in cells.items() if s is not None})
    total = 0.0
    for cv in cover:
        n = counts.get((cv.day, cv.shift), 0)
        total += (cv.under_weight * max(0, cv.requirement - n)
                  + cv.over_weight * max(0, n - cv.requirement))
    return total + sum(q.cost(cells[(q.employee, q.day)]) for q in problem.requests
                       if (q.employee, q.day) in cells)


def complete_rows(problem: RosterProblem, plan: WeekendPlan, deadline: float, seed: int = 0,
                  workers: int = 2) -> Roster | None:
    """A roster with the weekends of ``plan``: each employee's row with their weekend cells
    fixed, against the weekends of all and the rows completed so far, by the row DP (1 s for
    instance 13's 120 rows, against 3.4 s by CP-SAT; seeds 4-7 then ended at 1528-1541 against
    1533-1553) or by CP-SAT where the DP finds none; without the fixed weekend when that row
    cannot be completed (a rule the plan does not see, such as a run that a day off cuts
    short). None when some row cannot be completed at all."""
    roster: Roster = {c: s for c, s in plan.cells.items() if s is not None}
    weekend_of: dict[str, dict[Cell, str | None]] = defaultdict(dict)
    for cell, shift in plan.cells.items():
        weekend_of[cell[0]][cell] = shift
    counts = cover_counts(roster)
    for i, rules in enumerate(problem.employees):
        e = rules.employee
        per = max(0.05, (deadline - time.perf_counter()) / (len(problem.employees) - i))
        own = weekend_of[e]
        rest = {c: s for c, s in roster.items() if c[0] != e}
        got: Roster | None = None
        # The row DP first (milliseconds a row), CP-SAT where it finds no row.
        for cell, s in own.items():
            if s is not None:
                counts[(cell[1], s)] -= 1
        row = dp_row(problem, rules, demand_matrix(problem, counts), problem.requests, seed,
                     fixed={d: s for (_, d), s in own.items()})
        if row is not None:
            got = {(e, d): s for d, s in enumerate(row) if s is not None}
        tries = () if got is not None else (
            ({**rest, **own}, per), (rest, max(per, 1.0)), (rest, 10.0))
        for fixed, limit in tries:
            rm = build_roster_model(problem, employees=[e], fixed=fixed)
            solver, status, _ = solve_model(rm, limit, seed=seed, workers=workers)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                got = {c: s for c, s in rm.read(solver).items() if c[0] == e}
                break
        if got is None:
            return None
        roster = {**rest, **got}
        for (_, d), s in got.items():
            counts[(d, s)] += 1
    return roster
