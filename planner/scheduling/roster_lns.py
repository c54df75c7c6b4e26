"""Solving strategy for day-level rosters: construction, a full CP-SAT solve when the model is small,
and large-neighbourhood search (LNS) that fixes most of the roster and re-solves the rest.

Why: CP-SAT on the whole model proves good bounds on small instances but on long horizons
(182-364 days, 100+ staff) it may not even find a first roster in a minute. Every hard rule of a
roster is per employee (cover is soft), so a feasible roster is built employee by employee, each
solved against the cover left by the others; LNS then relaxes (a few employees x a window of days)
at a time with everything else fixed, each sub-model solved with the current roster as hint.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping

from ortools.sat.python import cp_model

from planner.scheduling.roster import (
    Cell,
    Roster,
    RosterSolution,
    build_roster_model,
    roster_objective,
    solve_model,
)
from planner.scheduling.rules import RosterProblem

# Problems with at most this many (employee, day, shift) cells are first solved as one model.
FULL_MODEL_CELLS = 40_000
# Share of the time left after construction given to the full model.
FULL_MODEL_SHARE = 0.5

_STATUS = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE"}


def _solve_sub(problem: RosterProblem, current: Roster, employees: list[str],
               days: range | None, time_limit: float, seed: int, workers: int,
               ) -> tuple[Roster, float, bool] | None:
    """Re-solve ``employees`` over ``days`` (all days when None) with the rest of ``current``
    fixed. Returns (new full roster, its objective, proven optimal) or None when nothing was
    found in time."""
    free = set(employees)
    fixed: dict[Cell, str | None] = {c: s for c, s in current.items() if c[0] not in free}
    if days is not None:
        for e in employees:
            for d in range(problem.days):
                if d not in days:
                    fixed[(e, d)] = current.get((e, d))
    rm = build_roster_model(problem, employees=employees, fixed=fixed)
    solver, status, _ = solve_model(rm, time_limit, seed=seed, workers=workers, hint=current)
    if status not in _STATUS:
        return None
    new = {c: s for c, s in current.items() if c[0] not in free}
    new.update(rm.read(solver))
    return new, solver.ObjectiveValue(), status == cp_model.OPTIMAL


def construct(problem: RosterProblem, deadline: float, seed: int = 0, workers: int = 2,
              start: Roster | None = None) -> Roster | None:
    """Employee by employee: each solved over the whole horizon against the cover left by the
    employees placed so far (a greedy that always respects every hard rule)."""
    roster: Roster = dict(start or {})
    names = [r.employee for r in problem.employees]
    for i, e in enumerate(names):
        left = max(0.05, (deadline - time.perf_counter()) / max(1, len(names) - i) * 0.8)
        new = _solve_sub(problem, roster, [e], None, left, seed, workers)
        if new is None:
            new = _solve_sub(problem, roster, [e], None, 5 * left, seed, workers)
        if new is None:
            return None
        roster = new[0]
    return roster


def solve_with_lns(problem: RosterProblem, time_limit: float = 60, seed: int = 0,
                   workers: int = 2, hint: Mapping[Cell, str] | None = None,
                   log_callback: Callable[[float, float], None] | None = None) -> RosterSolution:
    """Full model when small, then LNS until the time limit (see the module docstring)."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    rng = random.Random(seed)
    best: Roster | None = dict(hint) if hint is not None else None
    best_obj: float | None = roster_objective(problem, best) if best is not None else None
    bound: float | None = None
    first: float | None = None
    history: list[tuple[float, float]] = []
    status = "UNKNOWN"

    def improved(roster: Roster, obj: float) -> None:
        nonlocal best, best_obj, first
        if best_obj is None or obj < best_obj:
            best, best_obj = roster, obj
            t = time.perf_counter() - t0
            if first is None:
                first = t
            history.append((t, obj))
            if log_callback is not None:
                log_callback(t, obj)

    if best is None:
        built = construct(problem, t0 + time_limit * 0.5, seed, workers)
        if built is not None:
            improved(built, roster_objective(problem, built))
    cells = len(problem.employees) * problem.days * len(problem.shift_types)
    if cells <= FULL_MODEL_CELLS:
        rm = build_roster_model(problem)
        left = deadline - time.perf_counter()
        solver, st, _ = solve_model(rm, left * FULL_MODEL_SHARE, seed, workers, hint=best,
                                           log_callback=None, start=t0)
        if st in _STATUS:
            improved(rm.read(solver), solver.ObjectiveValue())
            bound = solver.BestObjectiveBound()
            if st == cp_model.OPTIMAL:
                return RosterSolution(best, best_obj, bound, "OPTIMAL", first,
                                      time.perf_counter() - t0, tuple(history))
    if best is None:
        return RosterSolution({}, None, bound, "UNKNOWN", None, time.perf_counter() - t0)
    status = "FEASIBLE"
    cur, cur_obj = best, best_obj
    names = [r.employee for r in problem.employees]
    n_emp, n_days = len(names), problem.days
    per_cell = max(1.0, sum(1 for r in problem.employees for s in problem.shift_names
                            if r.max_shifts.get(s, 1) > 0) / max(1, n_emp))
    total = n_emp * n_days * per_cell
    target = min(400.0, total / 4)  # free (employee, day, shift) cells per move; adapted below
    while time.perf_counter() < deadline - 0.1:
        if rng.random() < 0.5:
            # A few employees over a long stretch (whole horizon when short): rebalances whole
            # lines of work under the per-employee totals.
            w = min(n_days, 56)
            k = int(min(n_emp, max(2, target // (w * per_cell))))
        else:
            # Every (or many) employee over a window of days: re-shuffles who covers what.
            k = n_emp
            w = int(target // (k * per_cell))
            if w < 5:
                w = min(n_days, 7)
                k = int(min(n_emp, max(2, target // (w * per_cell))))
            w = min(n_days, max(2, w))
        a = rng.randrange(0, n_days - w + 1)
        days = None if w >= n_days else range(a, a + w)
        chosen = sorted(rng.sample(names, k), key=names.index)
        left = min(2.0, deadline - time.perf_counter())
        if left <= 0.05:
            break
        got = _solve_sub(problem, cur, chosen, days, left, rng.randrange(1 << 30), workers)
        if got is None:
            target = max(100.0, target / 1.5)
            continue
        new, obj, optimal = got
        target = min(total / 2, target * 1.15) if optimal else max(100.0, target / 1.3)
        if obj <= cur_obj:
            cur, cur_obj = new, obj
            improved(new, obj)
    if bound is not None and best_obj is not None and best_obj <= bound:
        status = "OPTIMAL"
    return RosterSolution(best, best_obj, bound, status, first, time.perf_counter() - t0,
                          tuple(history))
