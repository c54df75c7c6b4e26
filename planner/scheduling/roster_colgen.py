"""Column generation over whole employee rows: the set-partitioning form of the roster.

Why: in the compact model (one literal per employee, day and shift) the LP relaxation says
little (on Curtois instance 4 CP-SAT's bound stays at 200 against an optimum of 1716), and the
LNS changes a few rows at a time, so it stalls where a better roster needs many rows changed
together. Every hard rule of a roster is per employee, so a roster is one valid row per
employee, and the cover ties the rows together. The master problem chooses a row per employee
from a pool of rows:

    min  sum_p cost_p x_p + sum_c (under_c u_c + over_c o_c)
    s.t. sum_p a_cp x_p + u_c - o_c = requirement_c     (each cover cell c; dual pi_c)
         sum_{p of e} x_p = 1                            (each employee e; dual mu_e)

Its LP relaxation is far tighter than the compact one's (on Curtois 2-7 it meets the published
lower bounds). New rows are priced exactly by a CP-SAT model of one employee's own rules and
requests, with the cover duals in its objective (:class:`ExactPricer`): a row of negative reduced
cost ``cost_p - sum pi - mu_e`` joins the pool, and a round priced to optimality for every
employee gives a valid Lagrangian bound (:func:`lagrangian_bound`). Then the integer master over
the pool (CP-SAT, hinted with the incumbent's rows, which are always in the pool) picks a roster.

This is price-and-branch, not branch-and-price: a roster from the pool, which the LNS
(:mod:`planner.scheduling.roster_lns`) then improves further. Exact pricing costs a CP-SAT solve
per employee and round, so it is used on small and mid-sized rosters only. The row DP
(:mod:`planner.scheduling.roster_rowdp`) was tried as a faster, heuristic pricer: from one roster
the master is degenerate (its LP stays at the roster's cost for many rounds), and on Curtois 13
the LP was still falling after 73 s, so it is not used.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

from planner.scheduling.constraints import is_const
from planner.scheduling.roster import Roster, RosterModel, build_roster_model
from planner.scheduling.roster_check import run_cost
from planner.scheduling.rules import RosterProblem

Row = tuple[str | None, ...]
# A column of reduced cost above this (negative) is not worth adding.
RC_EPS = 1e-6
# Exact pricing: duals are scaled to integers for CP-SAT by this factor (the rounding is
# charged to the bound, see ExactPricer).
DUAL_SCALE = 10_000


@dataclass
class ColumnPool:
    """Rows per employee with their own cost (requests broken and soft run costs)."""

    problem: RosterProblem
    rows: list[list[Row]] = field(default_factory=list)
    costs: list[list[float]] = field(default_factory=list)
    _seen: list[set[Row]] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.problem.employees)
        self.rows = [[] for _ in range(n)]
        self.costs = [[] for _ in range(n)]
        self._seen = [set() for _ in range(n)]
        self._requests: list[list] = [[] for _ in range(n)]
        index = {r.employee: i for i, r in enumerate(self.problem.employees)}
        for req in self.problem.requests:
            if req.employee in index:
                self._requests[index[req.employee]].append(req)

    def add(self, e: int, row: Sequence[str | None]) -> bool:
        """Add employee ``e``'s ``row``; False when it is already in the pool."""
        row = tuple(row)
        if row in self._seen[e]:
            return False
        self._seen[e].add(row)
        self.rows[e].append(row)
        self.costs[e].append(self.row_cost(e, row))
        return True

    def add_roster(self, roster: Mapping[tuple[str, int], str]) -> None:
        for e, rules in enumerate(self.problem.employees):
            self.add(e, self.row_of(roster, rules.employee))

    def row_of(self, roster: Mapping[tuple[str, int], str], employee: str) -> Row:
        return tuple(roster.get((employee, d)) for d in range(self.problem.days))

    def row_cost(self, e: int, row: Row) -> float:
        """Requests broken and soft run costs of one row (its share of the objective that does
        not depend on the other rows)."""
        cost = run_cost(self.problem.employees[e], [s is not None for s in row])
        return float(cost + sum(req.cost(row[req.day]) for req in self._requests[e]))

    @property
    def size(self) -> int:
        return sum(len(r) for r in self.rows)


class _Master:
    """The master problem's matrices for the pool as it is."""

    def __init__(self, problem: RosterProblem):
        self.problem = problem
        self.cells = [(c.day, c.shift) for c in problem.cover]
        self.cell_index = {cell: i for i, cell in enumerate(self.cells)}
        self.req = np.array([c.requirement for c in problem.cover], dtype=float)
        self.under = np.array([c.under_weight for c in problem.cover], dtype=float)
        self.over = np.array([c.over_weight for c in problem.cover], dtype=float)

    def lp(self, pool: ColumnPool) -> tuple[float, np.ndarray, np.ndarray, list[np.ndarray]]:
        """Solve the LP relaxation: (value, cover duals, employee duals, x per employee)."""
        n_cells, n_emp = len(self.cells), len(self.problem.employees)
        rows_i, cols_i, costs = [], [], []
        col = 0
        for e in range(n_emp):
            for row, cost in zip(pool.rows[e], pool.costs[e], strict=True):
                for i in self.cells_of(row):
                    rows_i.append(i)
                    cols_i.append(col)
                rows_i.append(n_cells + e)
                cols_i.append(col)
                costs.append(cost)
                col += 1
        n_cols = col
        a = sparse.csr_matrix((np.ones(len(rows_i)), (rows_i, cols_i)),
                              shape=(n_cells + n_emp, n_cols))
        slack = sparse.vstack([sparse.hstack([sparse.identity(n_cells), -sparse.identity(n_cells)]),
                               sparse.csr_matrix((n_emp, 2 * n_cells))])
        a_eq = sparse.hstack([a, slack]).tocsc()
        c = np.concatenate([np.array(costs), self.under, self.over])
        b = np.concatenate([self.req, np.ones(n_emp)])
        res = linprog(c, A_eq=a_eq, b_eq=b, bounds=(0, None), method="highs")
        if res.status != 0:
            raise RuntimeError(f"master LP failed: {res.message}")
        duals = res.eqlin.marginals
        x = res.x[:n_cols]
        per_emp, k = [], 0
        for e in range(n_emp):
            m = len(pool.rows[e])
            per_emp.append(x[k:k + m])
            k += m
        return float(res.fun), duals[:n_cells], duals[n_cells:], per_emp

    def cells_of(self, row: Row) -> list[int]:
        """The cover cells (indices) a row works."""
        return [self.cell_index[(d, s)] for d, s in enumerate(row)
                if s is not None and (d, s) in self.cell_index]

    def cover_value(self, pi: np.ndarray, row: Row) -> float:
        """Sum of the cover duals over the cells a row works."""
        return float(sum(pi[i] for i in self.cells_of(row)))

    def dual_matrix(self, pi: np.ndarray) -> np.ndarray:
        names = {s: i for i, s in enumerate(self.problem.shift_names)}
        out = np.zeros((self.problem.days, len(names)))
        for (d, s), v in zip(self.cells, pi, strict=True):
            out[d, names[s]] = v
        return out

    def ip(self, pool: ColumnPool, incumbent: Mapping[tuple[str, int], str] | None,
           time_limit: float, seed: int, workers: int, floor: float | None = None
           ) -> Roster | None:
        """The best roster made of pool rows (CP-SAT), or None when none was found in time.

        ``floor``: a proven lower bound on the objective, added as a constraint so that the
        search stops once a roster meets it."""
        model = cp_model.CpModel()
        emp = self.problem.employees
        cover_terms: list[list] = [[] for _ in self.cells]
        objective = []
        choice: list[list] = []
        for e, rules in enumerate(emp):
            lits = []
            current = pool.row_of(incumbent, rules.employee) if incumbent is not None else None
            for k, (row, cost) in enumerate(zip(pool.rows[e], pool.costs[e], strict=True)):
                y = model.NewBoolVar(f"{rules.employee} row {k}")
                lits.append(y)
                if cost:
                    objective.append(round(cost) * y)
                for i in self.cells_of(row):
                    cover_terms[i].append(y)
                if current is not None:
                    model.AddHint(y, row == current)
            model.AddExactlyOne(lits)
            choice.append(lits)
        for i, terms in enumerate(cover_terms):
            req = int(self.req[i])
            n = sum(terms) if terms else 0
            if self.under[i] > 0 and req > 0:
                u = model.NewIntVar(0, req, f"under {i}")
                model.Add(u >= req - n)
                objective.append(int(self.under[i]) * u)
            if self.over[i] > 0 and terms:
                o = model.NewIntVar(0, len(terms), f"over {i}")
                model.Add(o >= n - req)
                objective.append(int(self.over[i]) * o)
        model.Minimize(sum(objective))
        if floor is not None:
            model.Add(sum(objective) >= math.ceil(floor))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        status = solver.Solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        roster: Roster = {}
        for e, rules in enumerate(emp):
            for k, y in enumerate(choice[e]):
                if solver.BooleanValue(y):
                    for d, s in enumerate(pool.rows[e][k]):
                        if s is not None:
                            roster[(rules.employee, d)] = s
        return roster


class ExactPricer:
    """Exact pricing by CP-SAT: per employee, one model of the employee's own rules and requests
    (no cover), re-solved with the cover duals in the objective.

    Each model is built once; only its objective changes between rounds. An OPTIMAL answer is
    the row of least reduced cost, which makes the Lagrangian bound of the round valid (see
    :meth:`bound`). Affordable when the employee models are small (tens of days, few types).
    """

    def __init__(self, problem: RosterProblem):
        self.problem = problem
        self.names = {s: i for i, s in enumerate(problem.shift_names)}
        self._models: dict[int, RosterModel] = {}

    def _model(self, e: int) -> RosterModel:
        if e not in self._models:
            rules = self.problem.employees[e]
            own = replace(self.problem, cover=(), employees=(rules,),
                          requests=tuple(r for r in self.problem.requests
                                         if r.employee == rules.employee))
            self._models[e] = build_roster_model(own)
        return self._models[e]

    def price(self, e: int, duals: np.ndarray, time_limit: float, seed: int = 0
              ) -> tuple[Row | None, bool]:
        """The row of employee ``e`` of least ``own cost - sum of duals`` (scaled to integers),
        and whether CP-SAT proved it optimal."""
        rm = self._model(e)
        terms = []
        for (_, d, s), lit in rm.works.items():
            v = round(float(duals[d, self.names[s]]) * DUAL_SCALE)
            if v and not is_const(lit):
                terms.append(-v * lit)
        rm.model.Minimize(DUAL_SCALE * rm.objective() + sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.01, time_limit)
        status = solver.Solve(rm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, False
        got = rm.read(solver)
        employee = self.problem.employees[e].employee
        row = tuple(got.get((employee, d)) for d in range(self.problem.days))
        return row, status == cp_model.OPTIMAL

    def rounding_slack(self) -> float:
        """Most that the integer scaling of the duals can hide, over all employees."""
        return len(self.problem.employees) * self.problem.days * 0.5 / DUAL_SCALE


def lagrangian_bound(master: _Master, pool: ColumnPool, pi: np.ndarray,
                     rows: Sequence[Row]) -> float:
    """``sum_c pi_c requirement_c + sum_e (cost(row_e) - pi . row_e)``: a lower bound on every
    roster when each ``rows[e]`` is employee e's row of least ``cost - pi . row`` and each dual
    lies in ``[-over weight, under weight]`` (else the slacks make the relaxation unbounded)."""
    value = float(np.dot(pi, master.req))
    for e, row in enumerate(rows):
        value += pool.row_cost(e, row) - master.cover_value(pi, row)
    return value


@dataclass(frozen=True)
class ExactColumnGenerationResult:
    """Exact column generation: the integer master's roster (None when none found), the best
    proven lower bound (None when no round priced every employee to optimality), whether the
    LP converged (no column of negative reduced cost left), the rounds and the pool size."""

    roster: Roster | None
    bound: float | None
    converged: bool
    rounds: int
    columns: int


def exact_column_generation(problem: RosterProblem, incumbent: Mapping[tuple[str, int], str],
                            deadline: float, seed: int = 0, workers: int = 2,
                            ip_share: float = 0.3) -> ExactColumnGenerationResult:
    """Column generation with exact (CP-SAT) pricing, then the integer master over the pool.

    Every round whose pricing is proven optimal for every employee gives a valid Lagrangian
    bound; since all costs are integers, the bound is rounded up. The integer master is told
    that bound (a constraint on its objective), so it stops as soon as it meets it.
    ``workers`` employees are priced at once (threads; CP-SAT releases the GIL).
    """
    pool = ColumnPool(problem)
    pool.add_roster(incumbent)
    master = _Master(problem)
    pricer = ExactPricer(problem)
    start = time.perf_counter()
    price_until = start + (deadline - start) * (1.0 - ip_share)
    n_emp = len(problem.employees)
    best_bound: float | None = None
    converged = False
    rounds = 0
    box_lo, box_hi = -master.over, master.under
    with ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
        while time.perf_counter() < price_until:
            _, pi, mu, _ = master.lp(pool)
            pi = np.clip(pi, box_lo, box_hi)
            rounds += 1
            duals = master.dual_matrix(pi)

            def task(e: int, duals=duals):
                left = price_until - time.perf_counter()
                return pricer.price(e, duals, left, seed)

            results = list(threads.map(task, range(n_emp)))
            if any(row is None for row, _ in results):
                break  # out of time mid-round
            rows = [row for row, _ in results]
            if all(opt for _, opt in results):
                lb = lagrangian_bound(master, pool, pi, rows) - pricer.rounding_slack()
                lb = float(math.ceil(lb - 1e-6))
                best_bound = lb if best_bound is None else max(best_bound, lb)
            # Only rows of negative reduced cost: ties (another row as good as the pool's) would
            # otherwise keep the loop going without moving the LP.
            added = sum(pool.add(e, row) for e, row in enumerate(rows)
                        if pool.row_cost(e, row) - mu[e]
                        - master.cover_value(pi, row) < -RC_EPS)
            if not added:
                converged = all(opt for _, opt in results)
                break
    roster = master.ip(pool, incumbent, deadline - time.perf_counter(), seed, workers,
                       floor=best_bound)
    return ExactColumnGenerationResult(roster, best_bound, converged, rounds, pool.size)
