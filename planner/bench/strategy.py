"""The benchmark's recipe: how ``planner bench roster`` solves a Curtois-Qu instance with the
roster engine (:func:`planner.scheduling.engine.search`).

Only the recipe is here (which construction, which phases of the one search, with which shares
of the time); every move, model and rule is the engine's. Tuned on the Curtois-Qu instances
(the measurements are in the commit history and ``benchmarks/curtois_results_60s.txt``):

1. Construction, employee by employee against the cover left by the others (:func:`construct`):
   one small CP-SAT model per employee, the weekday-block heuristic
   (:mod:`planner.bench.weekday_rows`) when time runs short, and on long horizons the row
   DP with best-response rounds (:mod:`planner.scheduling.roster_horizon`). Where weekends are
   tight over a short horizon with many staff, the weekends of everyone first by an integer
   program (:mod:`planner.bench.weekend_plan`); over 8 weeks or more with 30 staff or
   more, from whole valid rows by column generation
   (:mod:`planner.bench.weekend_rows`); the rows completed around them and the
   first phase of the search run with the weekend cells frozen.
2. Small and mid-sized problems (<= ``COLGEN_CELLS`` cells): column generation with exact
   pricing, then on tiny ones (<= ``FULL_MODEL_CELLS``) the full model, relax-and-resolve moves
   and the full model again; each phase stops once a roster meets the proven bound.
3. Otherwise relax-and-resolve moves until the time limit (with exchanges; after a weekend
   plan, first with the weekend cells frozen).

The wall-clock time limit (and, with two workers, the order in which moves finish) makes runs
not bit-for-bit repeatable on a loaded machine, though the seed fixes every random choice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace

from planner.bench.weekday_rows import weekday_row
from planner.bench.weekend_plan import complete_rows, plan_weekends, wants_weekend_plan
from planner.bench.weekend_rows import plan_weekend_rows, wants_weekend_rows
from planner.scheduling.coverage import Cell, DayShiftCover
from planner.scheduling.engine import Step, search
from planner.scheduling.roster import Roster, cover_counts, roster_objective
from planner.scheduling.roster_horizon import best_response, dp_construct
from planner.scheduling.roster_lns import (
    ColumnGenerationPhase,
    FullModelPhase,
    LnsPhase,
    _solve_sub,
)
from planner.scheduling.roster_rowdp import demand_matrix, dp_row
from planner.scheduling.rules import RosterProblem

# Problems with at most this many (employee, day, shift) cells get the full model.
FULL_MODEL_CELLS = 1_000
# Construction: share of the time limit; CP-SAT per employee while at least this many seconds per
# remaining employee are left, each capped at ``CONSTRUCT_CP_CAP`` seconds.
CONSTRUCT_SHARE = 0.4
CONSTRUCT_MIN_CP_TIME = 0.15
CONSTRUCT_CP_CAP = 0.3
# From this many days (or employee-days) on, construction is by the row DP: CP-SAT rows no
# longer fit the construction share there.
LONG_HORIZON_DAYS = 42
LARGE_ROSTER_EMPLOYEE_DAYS = 3_000
# Seconds of CP-SAT kept for each employee the row DP leaves (first try; up to 5x on retries).
LONG_MIN_PER_EMPLOYEE = 1.0
# Column generation right after construction, on problems up to ``COLGEN_CELLS`` cells, for at
# most this share of the time left (it returns as soon as its integer master meets the bound);
# above that size its root LP takes most of a minute and its dive is poor.
COLGEN_SHARE = 0.3
COLGEN_CELLS = 2_000
# Tight weekends: at most this share of the time limit for the weekend plan, and this share of
# the time left after construction for the moves with the weekend cells frozen (the frozen
# search gains faster than the free one for most of the minute).
WEEKEND_PLAN_SHARE = 0.2
FROZEN_SHARE = 0.8
# After the rows are completed around the weekend plan, at most this share of the time limit for
# best-response rounds.
WEEKEND_ROUNDS_SHARE = 0.05
# After weekends planned from whole rows, whose weekdays the best-response rounds have mostly
# covered already: a shorter frozen phase.
FROZEN_ROWS_SHARE = 0.25
# After the weekend plan, this share of the exchange moves of the free search go to broken
# requests; with the weekends frozen, they do only once no weekday cover is short.
REQUEST_EXCHANGE_SHARE = 0.5
# With the weekends frozen, this share of the exchange moves, while weekday cover is short, are
# spare-minutes exchanges (roster_exchange.spare_exchange).
SPARE_EXCHANGE_SHARE = 0.5
# Small problems: share of the time then left given to the full model, then to the moves
# before a last full-model run.
FULL_MODEL_SHARE = 0.3
LNS_SHARE = 0.6


@dataclass(frozen=True)
class RosterSolution:
    """The best roster found and how it was found.

    ``shifts`` maps (employee, day) to the shift worked (days off are absent). ``bound`` is a proven
    lower bound on the objective (None when no phase proved one). ``status`` is "OPTIMAL",
    "FEASIBLE" or "UNKNOWN" (nothing found). Times in seconds.
    """

    shifts: dict[Cell, str]
    objective: float | None
    bound: float | None
    status: str
    time_to_first: float | None
    wall_time: float
    history: tuple[tuple[float, float], ...] = ()


def _restricted(problem: RosterProblem, employees: Collection[str], rotation: int
                ) -> RosterProblem:
    """``problem`` with ``employees`` limited to one shift type per length: a type they may work
    every other day at least, that may follow itself. Picked in rotation so that successive
    groups spread over the types. Employees without such a type keep all theirs."""
    by_length: dict[int, list[str]] = {}
    for st in problem.shift_types:
        if st.name not in st.cannot_follow:
            by_length.setdefault(st.length_minutes, []).append(st.name)
    out = []
    for r in problem.employees:
        if r.employee not in employees:
            out.append(r)
            continue
        keep = []
        for i, names in enumerate(by_length.values()):
            ok = [s for s in names if r.max_shifts.get(s, problem.days) >= problem.days // 2]
            if ok:
                keep.append(ok[(rotation + i) % len(ok)])
        if not keep:
            out.append(r)
            continue
        caps = {s: (r.max_shifts.get(s, problem.days) if s in keep else 0)
                for s in problem.shift_names}
        out.append(replace(r, max_shifts=caps))
    return replace(problem, employees=tuple(out))


def construct(problem: RosterProblem, deadline: float, seed: int = 0, workers: int = 2,
              quick: bool = False) -> Roster | None:
    """Build a roster that respects every hard rule, one employee at a time, each placed against
    the cover left by the employees placed so far.

    Small problems: each employee is solved with CP-SAT over the whole horizon (a good greedy).
    Large ones (``quick``): CP-SAT rows while the time per employee allows, else the
    weekday-block heuristic (:func:`planner.bench.weekday_rows.weekday_row`); employees it
    cannot serve get a CP-SAT model, limited to a few shift types (:func:`_restricted`) and
    then with all of them. Long horizons (``quick`` and ``LONG_HORIZON_DAYS`` or
    ``LARGE_ROSTER_EMPLOYEE_DAYS``): every row by
    the row DP with best-response rounds until ``deadline``
    (:func:`planner.scheduling.roster_horizon.dp_construct`), the paths above only for the
    employees it leaves (rules it does not model, or no time left).
    """
    roster: Roster = {}
    cover = {(c.day, c.shift): c for c in problem.cover}
    counts: Counter[tuple[int, str]] = Counter()
    todo = list(problem.employees)
    long = quick and (problem.days >= LONG_HORIZON_DAYS
                      or len(problem.employees) * problem.days >= LARGE_ROSTER_EMPLOYEE_DAYS)
    if long:
        # Long horizons: every row by the row DP (see planner.scheduling.roster_horizon); the
        # first pass may overrun the construction share by half (its rows are the fastest
        # valid ones there are); employees it cannot serve follow below, then best-response
        # rounds until the deadline.
        now = time.perf_counter()
        share = max(0.0, deadline - now)
        roster, missing = dp_construct(problem, deadline + 0.5 * share, seed, improve_until=now)
        counts.update(cover_counts(roster))
        todo = [r for r in problem.employees if r.employee in set(missing)]
        # Those left get CP-SAT time of their own even when the share is spent (within 3/4
        # of the share more: the LNS keeps the rest).
        deadline = max(deadline, min(time.perf_counter() + LONG_MIN_PER_EMPLOYEE * len(todo),
                                     deadline + 0.75 * share))

    def demand_value(cell: tuple[int, str]) -> float:
        c = cover.get(cell)
        if c is None:
            return 0.0
        return float(c.under_weight if counts.get(cell, 0) < c.requirement else -c.over_weight)

    for i, rules in enumerate(todo):
        e = rules.employee
        per = (deadline - time.perf_counter()) / max(1, len(todo) - i)
        placed = None
        if long:
            # Left by the first pass (most often for want of time): the row DP, with every
            # type, is still the quickest good row.
            row = dp_row(problem, rules, demand_matrix(problem, counts), problem.requests, seed)
            if row is not None:
                placed = {(e, d): s for d, s in enumerate(row) if s is not None}
        if placed is None and (not quick or per >= CONSTRUCT_MIN_CP_TIME):
            # CP-SAT for this employee, capped: a good row soon beats the best row late.
            got = _solve_sub(problem, roster, [e], None, min(per * 0.8, CONSTRUCT_CP_CAP), seed,
                             workers, hint=False)
            if got is not None:
                placed = {c: s for c, s in got[0].items() if c[0] == e}
        if placed is None and quick:
            row = weekday_row(problem, rules, {cell: demand_value(cell) for cell in cover})
            if row is not None:
                placed = {(e, d): s for d, s in enumerate(row) if s is not None}
        if placed is None:
            got = None
            left = max(0.1, per * 0.9)
            tries = [(_restricted(problem, [e], i), 1.0)] if quick else []
            tries += [(problem, 1.0), (problem, 5.0)]
            if long:
                tries.append((problem, 20.0))  # a year-long row may need it on a busy machine
            for sub, factor in tries:
                got = _solve_sub(sub, roster, [e], None, max(left, 0.5) * factor, seed, workers,
                                 hint=False)
                if got is not None:
                    break
            if got is None:
                return None
            placed = {c: s for c, s in got[0].items() if c[0] == e}
        roster.update(placed)
        counts.update(cover_counts(placed))
    if long:
        roster = best_response(problem, roster, deadline, seed)
    return roster


def solve_roster(problem: RosterProblem, time_limit: float = 60, seed: int = 0,
                 workers: int = 2, hint: Mapping[Cell, str] | None = None,
                 log_callback: Callable[[float, float], None] | None = None) -> RosterSolution:
    """Solve ``problem`` within ``time_limit`` seconds (see the module docstring).
    ``log_callback(seconds, objective)`` is called on every improvement."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    best: Roster | None = dict(hint) if hint is not None else None
    first: float | None = None
    history: list[tuple[float, float]] = []

    def improved(roster: Roster, obj: float) -> None:
        nonlocal best, first
        t = time.perf_counter() - t0
        if first is None:
            first = t
        best = roster
        history.append((t, obj))
        if log_callback is not None:
            log_callback(t, obj)

    cells = len(problem.employees) * problem.days * len(problem.shift_types)
    small = cells <= FULL_MODEL_CELLS
    # Weekends first where they are tight: the search then starts with these cells frozen.
    frozen: list[Cell] | None = None
    frozen_share = FROZEN_SHARE
    if best is None and cells > COLGEN_CELLS and wants_weekend_plan(problem):
        plan = plan_weekends(problem, time_limit * WEEKEND_PLAN_SHARE)
        if plan is not None:
            built = complete_rows(problem, plan, t0 + time_limit * CONSTRUCT_SHARE, seed,
                                  workers)
            if built is not None:
                # The rows were completed one at a time; best-response rounds of the row DP
                # with the weekends held re-place each against all the others.
                best = best_response(problem, built,
                                     time.perf_counter() + time_limit * WEEKEND_ROUNDS_SHARE,
                                     seed, _held(plan.cells))
                frozen = list(plan.cells)
    elif best is None and cells > COLGEN_CELLS and wants_weekend_rows(problem):
        rows = plan_weekend_rows(problem, t0 + time_limit * WEEKEND_PLAN_SHARE, seed)
        if rows is not None:
            # The weekdays of the chosen rows were priced at nothing: best-response rounds
            # with the weekends held fill them against the cover.
            best = best_response(problem, rows.roster, t0 + time_limit * CONSTRUCT_SHARE, seed,
                                 _held(rows.weekend_cells))
            frozen = list(rows.weekend_cells)
            frozen_share = FROZEN_ROWS_SHARE
    if best is None:
        # CP-SAT rows while time allows, weekday-block rows when it runs short.
        best = construct(problem, t0 + time_limit * CONSTRUCT_SHARE, seed, workers, quick=True)
    if best is None:
        return RosterSolution({}, None, None, "UNKNOWN", None, time.perf_counter() - t0)
    improved(best, roster_objective(problem, best))

    steps: list[Step] = []
    if cells <= COLGEN_CELLS:
        # Column generation first (a proven bound in seconds, and from its dive a roster with
        # many rows changed at once, where the moves stall), then for small problems the full
        # model with that bound, the moves, and the full model again. No exchange moves: the
        # full model and the dive make such exchanges themselves.
        steps.append(Step(ColumnGenerationPhase(), COLGEN_SHARE))
        if small:
            steps += [Step(FullModelPhase(), FULL_MODEL_SHARE),
                      Step(LnsPhase(exchange=False), LNS_SHARE), Step(FullModelPhase())]
        else:
            steps.append(Step(LnsPhase(exchange=False)))
    else:
        if frozen is not None:
            steps.append(Step(LnsPhase(frozen=tuple(frozen), request_share=0.0,
                                       spare_share=SPARE_EXCHANGE_SHARE, weekend=False),
                              frozen_share))
        steps.append(Step(LnsPhase(
            request_share=None if frozen is None else REQUEST_EXCHANGE_SHARE,
            weekend=frozen is None)))
    found = search(problem, best, DayShiftCover(problem), steps, deadline, seed, workers,
                   on_improved=lambda _phase, roster, obj: improved(roster, obj),
                   start_obj=history[-1][1])
    status = "OPTIMAL" if found.optimal else "FEASIBLE"
    return RosterSolution(found.best, found.best_obj, found.bound, status, first,
                          time.perf_counter() - t0, tuple(history))


def _held(cells: Mapping[Cell, str | None]) -> dict[str, dict[int, str | None]]:
    """Cells held per employee, as :func:`best_response` takes them."""
    out: dict[str, dict[int, str | None]] = {}
    for (e, d), s in cells.items():
        out.setdefault(e, {})[d] = s
    return out

