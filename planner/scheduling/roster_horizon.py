"""Construction for long horizons: every employee's row by dynamic programming against the
cover the others leave, then rounds of re-placing each employee against all the others.

Why: on 182- and 364-day instances a CP-SAT model per employee costs more than the budget and
the weekday-block rows leave the weekends uncovered, which the LNS cannot repair over 26-52
weeks. The row DP (:mod:`planner.scheduling.roster_rowdp`) builds one employee's whole year in
milliseconds with every rule of the employee respected, so the construction can afford:

1. one pass in order, each employee against the residual cover, with short days weighted by
   their scarcity against what the employees still to place can supply (weekends first);
2. then, until the deadline, best-response rounds: each employee's row is removed and re-built
   against the exact marginal value of a shift given everyone else (short cell: the under-cover
   weight; met cell: minus the over-cover weight; plus the employee's requests), and kept when
   the roster's objective does not get worse. This is the "few employees over a long stretch"
   move of the LNS done exactly for one employee over the whole horizon, at a fraction of its
   cost.

Employees the DP cannot serve (rules it does not model) are left to the caller (``None`` rows).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from planner.scheduling.roster import Roster, cover_counts, roster_objective
from planner.scheduling.roster_rowdp import demand_matrix, dp_row
from planner.scheduling.rules import RosterProblem

# First pass: each employee limited to this many shift types (those of most residual value) at
# first, which keeps a 150-staff year within seconds; the rounds use every type.
FIRST_PASS_TYPES = 8
# Whether rounds count weekends exactly first where affordable. Off: the cheaper rounds make
# more of them in the time, which paid more on year-long horizons.
EXACT_ROUNDS = False

# Per employee, days held to a shift (None: off).
Fixed = Mapping[str, Mapping[int, str | None]]


def _add(counts: dict[tuple[int, str], int], row: list[str | None], sign: int) -> None:
    for d, s in enumerate(row):
        if s is not None:
            counts[(d, s)] = counts.get((d, s), 0) + sign


def dp_construct(problem: RosterProblem, deadline: float, seed: int = 0,
                 improve_until: float | None = None) -> tuple[Roster, list[str]]:
    """Rows for every employee the DP can serve, then best-response rounds until
    ``improve_until`` (default: ``deadline``). Returns (roster, employees left without a row:
    rules the DP does not model, or no time left at ``deadline`` in the first pass)."""
    rows: dict[str, list[str | None]] = {}
    counts: dict[tuple[int, str], int] = {}
    missing: list[str] = []
    prices: dict = {}
    emps = problem.employees
    for k, rules in enumerate(emps):
        if time.perf_counter() >= deadline:
            missing.append(rules.employee)  # out of time: the caller's quick rows
            continue
        row = dp_row(problem, rules, demand_matrix(problem, counts, emps[k:]), problem.requests,
                     seed + k, prices, FIRST_PASS_TYPES)
        if row is None:
            missing.append(rules.employee)
            continue
        rows[rules.employee] = row
        _add(counts, row, 1)
    roster = _to_roster(rows)
    until = deadline if improve_until is None else improve_until
    return best_response(problem, roster, until, seed), missing


def best_response(problem: RosterProblem, roster: Roster, until: float, seed: int = 0,
                  fixed: Fixed | None = None) -> Roster:
    """Rounds of re-placing each employee's row by the row DP against everyone else, kept when
    the objective does not get worse, until ``until`` or a round without gain. Every employee
    starts from its row in ``roster`` (whoever built it); a row the DP cannot rebuild stays.
    ``fixed`` (optional): per employee, days held to a shift (None: off), such as the weekends
    of :mod:`planner.bench.weekend_rows`."""
    fixed = fixed or {}
    emps = problem.employees
    rows = {r.employee: [roster.get((r.employee, d)) for d in range(problem.days)]
            for r in emps}
    counts = cover_counts(roster)
    prices: dict = {}
    obj = roster_objective(problem, roster)
    rnd = 0
    while time.perf_counter() < until:
        rnd += 1
        changed = False
        for k, rules in enumerate(emps):
            if time.perf_counter() >= until:
                break
            e = rules.employee
            old = rows[e]
            _add(counts, old, -1)
            new = dp_row(problem, rules, demand_matrix(problem, counts), problem.requests,
                         seed + rnd * len(emps) + k, prices, exact_first=EXACT_ROUNDS,
                         fixed=fixed.get(e))
            if new is None or new == old:
                _add(counts, old, 1)
                continue
            trial = {c: s for c, s in roster.items() if c[0] != e}
            trial.update({(e, d): s for d, s in enumerate(new) if s is not None})
            new_obj = roster_objective(problem, trial)
            if new_obj <= obj:
                changed = changed or new_obj < obj
                rows[e], roster, obj = new, trial, new_obj
                _add(counts, new, 1)
            else:
                _add(counts, old, 1)
        if not changed:
            break
    return roster


def _to_roster(rows: dict[str, list[str | None]]) -> Roster:
    return {(e, d): s for e, row in rows.items() for d, s in enumerate(row) if s is not None}
