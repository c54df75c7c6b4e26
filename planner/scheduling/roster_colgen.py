"""Column generation over whole employee rows: the set-partitioning form of the roster.

Why: in the compact model (one literal per employee, day and shift) the LP relaxation says
little, and relax-and-resolve moves change a few rows at a time, so they stall where a better
roster needs many rows changed together. Every hard rule of a roster is per employee, so a
roster is one valid row per employee, and the cover ties the rows together. The master problem
chooses a row per employee from a pool of rows:

    min  sum_p cost_p x_p + sum_c (under_c u_c + over_c o_c)
    s.t. sum_p a_cp x_p + u_c - o_c = requirement_c     (each cover cell c; dual pi_c)
         sum_{p of e} x_p = 1                            (each employee e; dual mu_e)

Its LP relaxation is far tighter than the compact one's. New rows are priced exactly
(:class:`ExactPricer`): by the exact row DP (:mod:`planner.scheduling.roster_exactdp`), or by a
CP-SAT model of one employee's own rules and requests where the DP's row breaks a cap per
type. A row of negative reduced cost ``cost_p - sum pi - mu_e`` joins the pool, and a round
priced to optimality for every employee gives a valid Lagrangian bound
(:func:`lagrangian_bound`). Once the LP has converged, a dive fixes employees to their LP rows
(all integral ones, else the largest), re-pricing the others after each step; then the integer
master over the pool (CP-SAT, hinted with the better of the dive's roster and the incumbent)
picks a roster. The first dive is greedy, later ones are randomised (a greedy dive from a
constructed roster is weak).

This is price-and-branch, not branch-and-price: a roster from the pool, which the other phases
of the search (:mod:`planner.scheduling.engine`) then improve further. It pays on small and
mid-sized rosters only: on larger ones the root LP takes most of a minute, the master is
degenerate from the incumbent, and the pool need not hold a roster better than the moves find.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

from planner.scheduling.constraints import is_const
from planner.scheduling.roster import (
    Roster,
    RosterModel,
    build_roster_model,
    roster_objective,
)
from planner.scheduling.roster_check import run_cost
from planner.scheduling.roster_exactdp import price_row
from planner.scheduling.roster_exactdp import supported as dp_supported
from planner.scheduling.rules import RosterProblem

Row = tuple[str | None, ...]
# A column of reduced cost above this (negative) is not worth adding.
RC_EPS = 1e-6
# Exact pricing: duals are scaled to integers for CP-SAT by this factor (the rounding is
# charged to the bound, see ExactPricer).
DUAL_SCALE = 10_000
# The dive: an LP value above 1 - DIVE_INTEGRAL counts as integral; pricing rounds after each
# fixing step; randomised dives pick among this many of the largest LP values; dives stop after
# this many in a row without a cheaper roster.
DIVE_INTEGRAL = 1e-3
DIVE_ROUNDS = 5
DIVE_CHOICES = 3
DIVES_WITHOUT_GAIN = 4


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
        self._requests = self.problem.requests_by_employee()

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
    """Exact pricing: the exact row DP (:mod:`planner.scheduling.roster_exactdp`) where it
    models the employee's rules and its row keeps the caps per type, else CP-SAT: per employee,
    one model of the employee's own rules and requests (no cover), re-solved with the cover
    duals in the objective.

    Each model is built once; only its objective changes between rounds. An OPTIMAL answer is
    the row of least reduced cost, which makes the Lagrangian bound of the round valid (see
    :meth:`bound`). Affordable when the employee models are small (tens of days, few types);
    the row DP, where it applies, is several times faster.
    """

    def __init__(self, problem: RosterProblem):
        self.problem = problem
        self.names = {s: i for i, s in enumerate(problem.shift_names)}
        self._models: dict[int, RosterModel] = {}
        self._requests = problem.requests_by_employee()
        self._dp = [dp_supported(problem, r) for r in problem.employees]

    def _model(self, e: int) -> RosterModel:
        if e not in self._models:
            rules = self.problem.employees[e]
            own = replace(self.problem, cover=(), employees=(rules,),
                          requests=tuple(self._requests[e]))
            self._models[e] = build_roster_model(own)
        return self._models[e]

    def price(self, e: int, duals: np.ndarray, time_limit: float, seed: int = 0
              ) -> tuple[Row | None, bool]:
        """The row of employee ``e`` of least ``own cost - sum of duals`` (by CP-SAT: duals
        scaled to integers), and whether it is proven the least."""
        if self._dp[e]:
            row, exact = price_row(self.problem, self.problem.employees[e], self._requests[e],
                                   duals)
            if exact:
                return row, True
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


@dataclass
class _FixedView:
    """The pool as the master sees it during a dive: fixed employees keep one row."""

    pool: ColumnPool
    fixed: dict[int, int]

    @property
    def rows(self) -> list[list[Row]]:
        return [[r[self.fixed[e]]] if e in self.fixed else r
                for e, r in enumerate(self.pool.rows)]

    @property
    def costs(self) -> list[list[float]]:
        return [[c[self.fixed[e]]] if e in self.fixed else c
                for e, c in enumerate(self.pool.costs)]


class _Generator:
    """Pricing rounds over a pool: the shared step of the root column generation and the dive."""

    def __init__(self, problem: RosterProblem, pool: ColumnPool, threads: ThreadPoolExecutor,
                 seed: int):
        self.problem, self.pool, self.threads, self.seed = problem, pool, threads, seed
        self.master = _Master(problem)
        self.pricer = ExactPricer(problem)

    def round(self, view, employees: Sequence[int], until: float
              ) -> tuple[int, list[np.ndarray], float | None, bool] | None:
        """Solve the LP over ``view``, price ``employees`` and add the rows of negative reduced
        cost. Returns (rows added, LP values per employee, the Lagrangian bound when every
        employee was priced exactly, whether all were) or None when time ran out mid-round."""
        master = self.master
        _, pi, mu, xs = master.lp(view)
        pi = np.clip(pi, -master.over, master.under)
        duals = master.dual_matrix(pi)
        results = list(self.threads.map(
            lambda e: self.pricer.price(e, duals, until - time.perf_counter(), self.seed),
            employees))
        if any(row is None for row, _ in results):
            return None
        exact = all(opt for _, opt in results)
        bound = None
        if exact and len(employees) == len(self.problem.employees):
            bound = lagrangian_bound(master, self.pool, pi, [row for row, _ in results])
            bound = float(math.ceil(bound - self.pricer.rounding_slack() - 1e-6))
        # Only rows of negative reduced cost: ties (another row as good as the pool's) would
        # otherwise keep the loop going without moving the LP.
        added = sum(self.pool.add(e, row) for e, (row, _) in zip(employees, results, strict=True)
                    if self.pool.row_cost(e, row) - mu[e] - master.cover_value(pi, row) < -RC_EPS)
        return added, xs, bound, exact

    def dive(self, xs: list[np.ndarray], until: float, rng: random.Random | None = None
             ) -> Roster:
        """Fix employees to rows one LP at a time: every employee whose LP row is integral,
        else the one with the largest LP value (with ``rng``: one of the ``DIVE_CHOICES``
        largest, at random), then re-price the others for a few rounds. Employees left when
        time runs out keep the pool's first row (the incumbent's)."""
        n_emp = len(self.problem.employees)
        view = _FixedView(self.pool, {})
        while len(view.fixed) < n_emp and time.perf_counter() < until:
            free = [e for e in range(n_emp) if e not in view.fixed]
            whole = [e for e in free if xs[e].max() > 1.0 - DIVE_INTEGRAL]
            if not whole:
                ranked = sorted(free, key=lambda e: -xs[e].max())
                whole = [ranked[0] if rng is None else rng.choice(ranked[:DIVE_CHOICES])]
            for e in whole:
                view.fixed[e] = int(np.argmax(xs[e]))
            free = [e for e in range(n_emp) if e not in view.fixed]
            if not free:
                break
            for _ in range(DIVE_ROUNDS):
                got = self.round(view, free, until)
                if got is None or not got[0]:
                    break
            else:
                got = (0, self.master.lp(view)[3])  # rows were added: fresh LP values
            if got is None:
                break  # out of time
            xs = got[1]
        roster: Roster = {}
        for e, rules in enumerate(self.problem.employees):
            for d, s in enumerate(self.pool.rows[e][view.fixed.get(e, 0)]):
                if s is not None:
                    roster[(rules.employee, d)] = s
        return roster


def exact_column_generation(problem: RosterProblem, incumbent: Mapping[tuple[str, int], str],
                            deadline: float, seed: int = 0, workers: int = 2,
                            ip_share: float = 0.3) -> ExactColumnGenerationResult:
    """Column generation with exact pricing, a dive, then the integer master over the pool.

    Every round whose pricing is proven optimal for every employee gives a valid Lagrangian
    bound; since all costs are integers, the bound is rounded up. Once the LP has converged, a
    dive (:meth:`_Generator.dive`) turns it into a roster, and the integer master, hinted with
    the better of that roster and the incumbent, is told the bound (a constraint on its
    objective), so it stops as soon as it meets it. ``workers`` employees are priced at once
    (threads; CP-SAT and numpy release the GIL).
    """
    pool = ColumnPool(problem)
    pool.add_roster(incumbent)
    start = time.perf_counter()
    price_until = start + (deadline - start) * (1.0 - ip_share)
    n_emp = len(problem.employees)
    best_bound: float | None = None
    converged = False
    rounds = 0
    hint: Mapping[tuple[str, int], str] = incumbent
    dived: Roster | None = None
    dived_obj = math.inf
    with ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
        gen = _Generator(problem, pool, threads, seed)
        while time.perf_counter() < price_until:
            got = gen.round(pool, range(n_emp), price_until)
            if got is None:
                break  # out of time mid-round
            rounds += 1
            added, xs, bound, exact = got
            if bound is not None:
                best_bound = bound if best_bound is None else max(best_bound, bound)
            if not added:
                converged = exact
                break
        if converged:
            # Dives until the integer master's share: the first greedy, the others randomised;
            # stop after a few without a cheaper roster (or one that meets the bound).
            rng = random.Random(seed)
            fruitless = 0
            while time.perf_counter() < price_until and fruitless < DIVES_WITHOUT_GAIN:
                got_roster = gen.dive(xs, price_until, rng if dived is not None else None)
                obj = roster_objective(problem, got_roster)
                fruitless = 0 if obj < dived_obj else fruitless + 1
                if obj < dived_obj:
                    dived, dived_obj = got_roster, obj
                if best_bound is not None and dived_obj <= best_bound:
                    break
            if dived_obj < roster_objective(problem, incumbent):
                hint = dived
        roster = None
        if best_bound is None or dived_obj > best_bound:
            roster = gen.master.ip(pool, hint, deadline - time.perf_counter(), seed, workers,
                                   floor=best_bound)
    if dived is not None and (roster is None or dived_obj < roster_objective(problem, roster)):
        roster = dived
    return ExactColumnGenerationResult(roster, best_bound, converged, rounds, pool.size)
