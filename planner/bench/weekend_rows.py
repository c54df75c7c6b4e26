"""Weekends first, from whole rows: a weekend plan whose every row can be completed.

Why: the weekend pattern program (:func:`planner.bench.weekend_plan.plan_weekends`)
sees one weekend of one employee at a time, not the rules that span the weekdays (minutes over
the horizon, runs, days off), so its optimum can hand out weekends that no valid row
completes. Here the columns of
the same program are whole valid rows, cut down to their weekend cells:

    min  sum_p cost_p x_p + sum_c (under_c u_c + over_c o_c)     (weekend cover cells c)
    s.t. sum_{p of e} x_p = 1                                      (each employee; dual mu_e)
         sum_p a_cp x_p + u_c - o_c = requirement_c                (dual pi_c)

``cost_p`` is what the row's requests on weekend days cost. New rows are priced by the row DP
(:func:`planner.scheduling.roster_rowdp.dp_row`, weekends counted exactly where affordable)
against ``pi`` on the weekend cells and nothing on the weekdays; a row whose weekend cells have
negative reduced cost joins the pool. The pricing is heuristic, so the LP value is not a proven
bound. Once no row is added, HiGHS solves the integer program over the pool, and each employee
keeps the row of the chosen column, weekend and weekdays: a valid roster to start from, whose
weekdays the best-response rounds and the LNS then mend with the weekend cells held.

It pays on long horizons with 30 staff or more (Curtois 17, 19, 20); with fewer staff or
shorter horizons the moves that free everyone re-plan the weekends themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from planner.bench.weekend_plan import TIGHT_WEEKENDS, wants_weekend_plan
from planner.scheduling.roster import Cell, Roster
from planner.scheduling.roster_exchange import weekend_tightness
from planner.scheduling.roster_rowdp import dp_row
from planner.scheduling.rules import RosterProblem

# Reduced cost below which a priced row joins the pool.
RC_EPS = 1e-6
# Share of the time kept for the integer program over the pool.
IP_SHARE = 0.3
# Where it is used (see wants_weekend_rows).
MIN_DAYS = 56
MIN_STAFF = 30
MAX_EMPLOYEE_DAYS = 10_000


def wants_weekend_rows(problem: RosterProblem) -> bool:
    """Whether to plan the weekends from whole rows: tight weekends over a long horizon, not so
    many employee-days that a round of pricing is slow, and not the case for the pattern plan
    (:func:`planner.bench.weekend_plan.wants_weekend_plan`)."""
    return (problem.days >= MIN_DAYS and len(problem.employees) >= MIN_STAFF
            and len(problem.employees) * problem.days
            <= MAX_EMPLOYEE_DAYS and weekend_tightness(problem) >= TIGHT_WEEKENDS
            and not wants_weekend_plan(problem))


@dataclass(frozen=True)
class WeekendRows:
    """The rows chosen (one per employee, whole horizon), their weekend cells, and the cost of
    the weekend part (weekend cover and requests on weekend days): ``objective`` for the rows
    chosen, ``lp`` for the LP over the final pool."""

    roster: Roster
    weekend_cells: dict[Cell, str | None]
    objective: float
    lp: float
    rounds: int
    pool: int


def plan_weekend_rows(problem: RosterProblem, deadline: float, seed: int = 0
                      ) -> WeekendRows | None:
    """Column generation over valid rows for the weekend cover (see the module docstring),
    until no row prices out or ``deadline``; then the integer program over the pool. None when
    some employee has no valid row (a rule the row DP does not model)."""
    weekend_days = sorted({d for w in problem.weekends() for d in w})
    if not weekend_days:
        return None
    names = problem.shift_names
    t_index = {s: i for i, s in enumerate(names)}
    emps = problem.employees
    n_emp = len(emps)
    day_set = set(weekend_days)
    cover = [c for c in problem.cover if c.day in day_set]
    c_index = {(c.day, c.shift): i for i, c in enumerate(cover)}
    m = len(cover)
    requests = problem.requests_by_employee()
    weekend_requests = [[q for q in reqs if q.day in day_set] for reqs in requests]
    cols: list[tuple[int, tuple[str | None, ...]]] = []
    costs: list[float] = []
    cells_of: list[list[int]] = []
    seen: set[tuple[int, tuple[str | None, ...]]] = set()

    def add(e: int, row: list[str | None]) -> bool:
        key = (e, tuple(row[d] for d in weekend_days))
        if key in seen:
            return False
        seen.add(key)
        cols.append((e, tuple(row)))
        costs.append(float(sum(q.cost(row[q.day]) for q in weekend_requests[e])))
        cells_of.append([c_index[(d, row[d])] for d in weekend_days
                         if row[d] is not None and (d, row[d]) in c_index])
        return True

    def value_matrix(pi: np.ndarray) -> np.ndarray:
        value = np.zeros((problem.days, len(names)))
        for i, c in enumerate(cover):
            value[c.day, t_index[c.shift]] = pi[i]
        return value

    # First rows: against the whole weekend cover.
    first = value_matrix(np.array([float(c.under_weight) for c in cover]))
    for e, rules in enumerate(emps):
        row = dp_row(problem, rules, first, problem.requests, seed, exact_first=True)
        if row is None:
            return None
        add(e, row)
    under = np.array([float(c.under_weight) for c in cover])
    over = np.array([float(c.over_weight) for c in cover])
    need = np.array([float(c.requirement) for c in cover])

    def matrix() -> sparse.csr_matrix:
        rows_i, cols_j = [], []
        for j, (e, _) in enumerate(cols):
            rows_i.append(e)
            cols_j.append(j)
            for i in cells_of[j]:
                rows_i.append(n_emp + i)
                cols_j.append(j)
        n = len(cols)
        a = sparse.csr_matrix((np.ones(len(rows_i)), (rows_i, cols_j)), shape=(n_emp + m, n))
        eye = sparse.identity(m, format="csr")
        lower = sparse.vstack([sparse.csr_matrix((n_emp, 2 * m)),
                               sparse.hstack([eye, -eye])], format="csr")
        return sparse.hstack([a, lower], format="csr")

    rhs = np.concatenate([np.ones(n_emp), need])

    def solve_lp() -> tuple[float, np.ndarray, np.ndarray] | None:
        """The LP over the pool: value, mu, pi."""
        c = np.concatenate([costs, under, over])
        res = linprog(c, A_eq=matrix(), b_eq=rhs, bounds=(0, None), method="highs")
        if res.status != 0:
            return None
        duals = np.asarray(res.eqlin.marginals)
        return float(res.fun), duals[:n_emp], duals[n_emp:]

    def price(mu: np.ndarray, pi: np.ndarray, salt: int, until: float) -> int:
        """Rows of negative reduced cost; how many joined the pool."""
        value = value_matrix(pi)
        added = 0
        for e, rules in enumerate(emps):
            if time.perf_counter() >= until:
                break
            row = dp_row(problem, rules, value, problem.requests, seed + salt,
                         exact_first=True)
            if row is None:
                continue
            cost = sum(q.cost(row[q.day]) for q in weekend_requests[e])
            gain = sum(pi[c_index[(d, row[d])]] for d in weekend_days
                       if row[d] is not None and (d, row[d]) in c_index)
            if cost - gain - mu[e] < -RC_EPS:
                added += add(e, row)
        return added

    rounds = 0
    lp_value = float("inf")
    budget = deadline - time.perf_counter()
    price_until = time.perf_counter() + budget * (1.0 - IP_SHARE)
    while time.perf_counter() < price_until:
        rounds += 1
        got = solve_lp()
        if got is None:
            return None
        lp_value, mu, pi = got
        if not price(mu, pi, rounds, price_until):
            break
    # The integer program over the pool (a dive that re-prices after each step was worse on
    # Curtois 19: 44-46 weekend shifts short against 33-38, the steps being too few in time).
    n = len(cols)
    c = np.concatenate([costs, under, over])
    integral = np.concatenate([np.ones(n), np.zeros(2 * m)])
    bounds = Bounds(np.zeros(n + 2 * m), np.concatenate([np.ones(n), np.full(2 * m, np.inf)]))
    res = milp(c, integrality=integral, bounds=bounds,
               constraints=LinearConstraint(matrix(), rhs, rhs),
               options={"time_limit": max(0.5, deadline - time.perf_counter())})
    if res.x is None:
        return None
    roster: Roster = {}
    weekend_cells: dict[Cell, str | None] = {}
    cover_count = np.zeros(m)
    objective = 0.0
    for j in np.flatnonzero(res.x[:n] > 0.5):
        e, row = cols[j]
        name = emps[e].employee
        objective += costs[j]
        cover_count[cells_of[j]] += 1
        for d, s in enumerate(row):
            if s is not None:
                roster[(name, d)] = s
        for d in weekend_days:
            weekend_cells[(name, d)] = row[d]
    objective += float(under @ np.maximum(0, need - cover_count)
                       + over @ np.maximum(0, cover_count - need))
    return WeekendRows(roster, weekend_cells, objective, lp_value, rounds, len(cols))
