"""Solving strategy for day-level rosters: construction, a full CP-SAT solve when the model is tiny,
and large-neighbourhood search (LNS) that fixes most of the roster and re-solves the rest.

Why: CP-SAT on the whole model is strong on tiny instances, but already at a month and 20 staff its
own search stalls far from the best known rosters, and on long horizons (182-364 days, 100+ staff)
it may not even find a first roster in a minute. Every hard rule of a roster is per employee (cover
is soft), so:

1. Construction, employee by employee against the cover left by the others: one small CP-SAT model
   per employee, or on long horizons the weekday-block heuristic
   (:mod:`planner.scheduling.roster_greedy`) with CP-SAT only where it declines. This is the
   decomposition that makes 364-day instances feasible within seconds. Many staff over a short
   horizon with tight weekends (Curtois 13): the weekends of everyone first, by an integer
   program, the rows completed around them (then best-response rounds of the row DP with the
   weekends held), and the LNS below first with the weekend cells
   frozen (:mod:`planner.scheduling.roster_weekends`). Tight weekends over 8 weeks or more with
   30 staff or more (Curtois 17, 19, 20): the weekends from whole valid rows by column
   generation (:mod:`planner.scheduling.roster_weekend_colgen`), the weekdays by best-response
   rounds of the row DP with the weekends held, then the same frozen and free LNS.
2. Small and mid-sized problems (<= ``COLGEN_CELLS`` cells): column generation with exact
   pricing (:mod:`planner.scheduling.roster_colgen`: the exact row DP of
   :mod:`planner.scheduling.roster_exactdp`, a Lagrangian bound, a dive from the converged LP
   and an integer master over whole rows). Tiny ones (<= ``FULL_MODEL_CELLS``) then get the
   full model with that bound, our LNS, and the full model again from the best roster; each
   stage stops once a roster meets the proven bound.
3. LNS until the time limit (:func:`lns`): a few employees over (up to) 8 weeks, all or many
   employees over a window of days (half of the time centred on a day drawn by its cover
   deviation cost), or over two separate windows (one where cover is short, one where it is
   over), or, while cover is short, everyone over a short block and another block (exchanges,
   :mod:`planner.scheduling.roster_exchange`, drawn as often as they pay against the others;
   not for problems small enough for the full model; after a weekend plan, whose weekend
   shortfall no move can fill, half of them, and all once no cover a move can change is short,
   over two blocks where requests are broken or, half of those, over the requester, the
   employees who work the shift asked for and 30 others around the request; with the
   weekends frozen, half of them while
   weekday cover is short free the employees with minutes to spare and some who could work a
   short shift, over the days around it); where the weekend limits force weekend cover short
   and the LNS plans the weekends itself (no weekend plan), 30% of the moves, while some
   employee works a weekend on one day only, free everyone around that weekend and another
   (:func:`planner.scheduling.roster_exchange.weekend_exchange`);
   each sub-model is built with the rest fixed as constants, hinted with a complete
   solution (the current roster) and solved for at most ``SUB_TIME_LIMIT`` seconds by a
   one-worker CP-SAT; ``workers`` such moves run at once in threads and each result is merged
   row by row into the roster as it is then (every hard rule is per employee, so any mix of
   feasible rows is feasible); sizes adapt to the solve times, neighbourhoods are chosen by
   recent success. When ``STALL_MOVES`` moves proven optimal found nothing cheaper (every move
   re-solved to the same optimum), half of the moves are kicks: the cheapest sub-solution that
   DIFFERS from the roster, accepted when it costs at most one unit of missing cover (or 2%)
   more than the best roster (threshold accepting; the best is kept).

The cover is the coverage model's (:mod:`planner.scheduling.coverage`): by default the problem's
own cover per day and shift; ``planner schedule`` runs :func:`lns` on the product's coverage per
interval and case type (:mod:`planner.scheduling.shift_search`), one employee per move, with a
deterministic budget per move and a stop after ``patience`` moves without a gain.

The wall-clock time limit (and, with two workers, the order in which moves finish) makes runs
not bit-for-bit repeatable on a loaded machine, though the
seed fixes every random choice.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any

from ortools.sat.python import cp_model

from planner.scheduling.coverage import CoverageModel, DayShiftCover
from planner.scheduling.roster import (
    Cell,
    Roster,
    RosterSolution,
    build_roster_model,
    cover_counts,
    roster_objective,
    solve_model,
)
from planner.scheduling.roster_colgen import exact_column_generation
from planner.scheduling.roster_exchange import (
    BLOCK_DAYS,
    WEEKEND_REACH,
    exchange_days,
    request_days,
    request_exchange,
    spare_exchange,
    weekend_exchange,
)
from planner.scheduling.roster_greedy import weekday_row
from planner.scheduling.roster_horizon import best_response, dp_construct
from planner.scheduling.roster_rowdp import demand_matrix, dp_row
from planner.scheduling.roster_weekend_colgen import plan_weekend_rows, wants_weekend_rows
from planner.scheduling.roster_weekends import (
    complete_rows,
    plan_weekends,
    wants_weekend_plan,
    weekend_tightness,
)
from planner.scheduling.rules import RosterProblem

# Problems with at most this many (employee, day, shift) cells are first solved as one model.
FULL_MODEL_CELLS = 1_000
# Construction: share of the time limit; CP-SAT per employee while at least this many seconds per
# remaining employee are left, each capped at ``CONSTRUCT_CP_CAP`` seconds.
CONSTRUCT_SHARE = 0.4
CONSTRUCT_MIN_CP_TIME = 0.15
CONSTRUCT_CP_CAP = 0.3
# From this many days (or employee-days) on, construction is by the row DP
# (planner.scheduling.roster_horizon): CP-SAT rows then no longer fit the construction share,
# and the DP's rows with best-response rounds gave lower objectives on every Curtois instance
# from 13 to 24 after the same 60 s (measured A/B; 1 to 12 keep the CP-SAT rows).
LONG_HORIZON_DAYS = 42
LARGE_ROSTER_EMPLOYEE_DAYS = 3_000
# Seconds of CP-SAT kept for each employee the row DP leaves (first try; up to 5x on retries).
LONG_MIN_PER_EMPLOYEE = 1.0
# Column generation with exact pricing (planner.scheduling.roster_colgen) right after
# construction, on problems up to ``COLGEN_CELLS`` cells, for at most this share of the time
# left (it returns as soon as its integer master meets the bound): its Lagrangian bound meets
# the published lower bounds on Curtois 2-7 within seconds, and its dive finds rosters that
# need many rows changed at once (instance 6: 2139 after 20 s of LNS, 1957 from the dive 3 s
# later). From instance 8 (3,360 cells) on, the root LP takes 17-24 s and the dive is poor.
COLGEN_SHARE = 0.3
COLGEN_CELLS = 2_000
# Tight weekends (planner.scheduling.roster_weekends): at most this share of the time limit for
# the weekend plan, and this share of the time left after construction for the LNS with the
# weekend cells frozen. Curtois 13, 60 s, seeds 0-7 (with the targeted request exchanges):
# 1524-1547 (mean 1539) with 0.8, 1518-1556 (mean 1542) with 0.3; 0.55 (no targeted
# exchanges) 1531-1559 (mean 1546), 1.0 on seeds 0-3 1535-1567. Its frozen LNS still gains
# about 4 points a second at 0.55 of the time, the free one about 1.5. With the weekend patterns
# priced by whole rows (seeds 0-1): 1481 and 1476 with 0.8, 1473 and 1518 with 0.5, 1463 and
# 1480 with 1.0 (never unfrozen): no share clearly better.
WEEKEND_PLAN_SHARE = 0.2
FROZEN_SHARE = 0.8
# After the rows are completed around the weekend plan, at most this share of the time limit for
# best-response rounds (Curtois 13, seeds 0-3: 1509-1537 with them, 1528-1537 without).
WEEKEND_ROUNDS_SHARE = 0.05
# After weekends planned from whole rows, whose weekdays the best-response rounds have mostly
# covered already: a shorter frozen phase (Curtois 19, seeds 0-3: 3302-3483 against 3302-3607
# with 0.55).
FROZEN_ROWS_SHARE = 0.25
# After the weekend plan, this share of the exchange moves of the LNS with everything free go to
# broken requests (roster_exchange.request_days); with the weekends frozen, they do only once no
# weekday cover is short.
REQUEST_EXCHANGE_SHARE = 0.5
# Of those, this share are targeted at one broken request (roster_exchange.request_exchange;
# from a Curtois 13 roster at 1543, 15 s of those moves alone gained 18-34 points, of the
# two-block ones alone 6-27; mixed at 0.2, 0.5 and 0.8 the LNS gained 25-28 on average).
REQUEST_TARGETED_SHARE = 0.5
# With the weekends frozen, this share of the exchange moves, while weekday cover is short, are
# spare-minutes exchanges (roster_exchange.spare_exchange).
SPARE_EXCHANGE_SHARE = 0.5
# Small problems: share of the time then left given to the full model.
FULL_MODEL_SHARE = 0.3
# Share of the time then left given to our own LNS before a last full-model run (small problems).
LNS_SHARE = 0.6
# Seconds per LNS move: most improvements come early; a move that needs more is too big.
SUB_TIME_LIMIT = 1.0

# CP-SAT parameters of an LNS move. Linearization level 2 (cover and request rows plus the
# clauses in the LP) proves the small sub-models optimal sooner (screened on instance 9 moves).
# Re-screened on 40 moves captured from a 13 run (one-second limit each): level 2 proved 27
# and found a cheaper roster in 13 of the 40, in 22 s; level 1, no presolve, no cuts, the
# lower-bound tree search and core search proved fewer (16-22) and found fewer (0-9); symmetry
# level 0, exploiting the best solution and eager LP rows changed nothing. On 40 moves over a
# stalled 18 roster none was more than 12% faster (one presolve iteration: 17.7 s against 20.0).
SUB_PARAMETERS: Mapping[str, Any] = {"linearization_level": 2}

# Escaping local optima: after this many moves proven optimal without a cheaper roster, this
# share of the moves are kicks (the best DIFFERENT sub-solution, accepted when it costs at most
# ``KICK_THRESHOLD`` times the best roster, or one unit of missing cover, more than the best).
STALL_MOVES = 30
KICK_SHARE = 0.5
KICK_THRESHOLD = 0.02
# Exchanges (planner.scheduling.roster_exchange: everyone over a block of days where cover is
# short and another block), while some cover is short: their share of the moves follows their
# recent success against the other kinds' (squared ratio: about 0.65 when they gain half of the
# time and the others a third, as on Curtois 13; under 0.1 when they gain a third as often),
# within these bounds.
EXCHANGE_SHARE = (0.05, 0.85)
# Where the weekend limits force weekend cover short (weekend tightness above
# WEEKEND_EXCHANGE_TIGHTNESS) and no weekend plan was made, this share of the moves, while
# some weekend is split, are weekend exchanges (roster_exchange.weekend_exchange), first with
# this many days either side (then adapted within WEEKEND_REACH).
# - Curtois 18, 60 s, seeds 0-7: 4800-5062 (mean 4898; a later table run 5090); 4768-5005
#   (mean 4891) with up to 10 days either side; without them 4792-5282 (mean 4950 over 13
#   runs, two above 5050).
# - Where weekends are tight but not forced short, the shortfall is on weekdays and these
#   moves only take time from the others (Curtois 15, tightness 0.93, seeds 0-1: 4224 and
#   4138 with them, 4037 and 4050 without).
# - After a weekend plan they are not drawn: on Curtois 13 the plan proves its weekend
#   shortfall, and its 29 split weekends are part of it (seeds 0-3 gave 1539-1562 with them,
#   against 1524-1547 without).
WEEKEND_EXCHANGE_SHARE = 0.3
WEEKEND_EXCHANGE_TIGHTNESS = 1.0
WEEKEND_REACH_START = 3

# With a deterministic budget per move, the wall-clock guard of one move [s]: a budget of one
# unit took up to 11 s on a loaded 2-core machine (measured); it only ends a stuck solve.
BUDGET_WALL_CAP = 30.0
# Neighbourhood kinds: a few employees over (up to) 8 weeks, all or many over a window of days,
# or over two windows; "single" is one employee over the whole horizon (a best response, where a
# coverage model may price each cell alone).
KINDS = ("staff", "window", "split")

_STATUS = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE"}


def _solve_sub(problem: RosterProblem, current: Roster, employees: list[str],
               days: Collection[int] | None, time_limit: float, seed: int, workers: int,
               hint: bool = True, parameters: Mapping[str, Any] | None = None,
               differ: bool = False, frozen: Collection[Cell] | None = None,
               coverage: CoverageModel | None = None) -> tuple[Roster, float, bool] | None:
    """Re-solve ``employees`` over ``days`` (all days when None) with the rest of ``current``
    fixed. Returns (new full roster, its objective, proven optimal) or None when nothing was
    found in time. ``parameters``: further CP-SAT parameters (see :func:`solve_model`).
    ``differ``: the freed cells must not all stay as in ``current`` (the best roster that is
    different, possibly worse: a way off a local optimum). ``frozen``: cells that stay as they
    are in ``current`` even for the freed employees. ``coverage``: the coverage model (by default
    the problem's cover per day and shift)."""
    free = set(employees)
    fixed: dict[Cell, str | None] = {c: s for c, s in current.items() if c[0] not in free}
    if days is not None:
        days = set(days)
        for e in employees:
            for d in range(problem.days):
                if d not in days:
                    fixed[(e, d)] = current.get((e, d))
    if frozen is not None:
        fixed.update((c, current.get(c)) for c in frozen if c[0] in free)
    rm = build_roster_model(problem, employees=employees, fixed=fixed, coverage=coverage,
                            current=current)
    if differ and not rm.forbid(current):
        return None
    solver, status, _ = solve_model(rm, time_limit, seed=seed, workers=workers,
                                    hint=current if hint else None, parameters=parameters)
    if status not in _STATUS:
        return None
    new = {c: s for c, s in current.items() if c[0] not in free}
    new.update(rm.read(solver))
    # Re-scored exactly: at a time limit the solver's objective may overstate the cost.
    return new, roster_objective(problem, new, coverage), status == cp_model.OPTIMAL


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
    weekday-block heuristic (:func:`planner.scheduling.roster_greedy.weekday_row`); employees it
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

    cells = len(problem.employees) * problem.days * len(problem.shift_types)
    small = cells <= FULL_MODEL_CELLS
    # Weekends first where they are tight (see planner.scheduling.roster_weekends): the LNS
    # then starts with these weekend cells frozen.
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
                built = best_response(problem, built,
                                      time.perf_counter() + time_limit * WEEKEND_ROUNDS_SHARE,
                                      seed, _held(plan.cells))
                improved(built, roster_objective(problem, built))
                frozen = list(plan.cells)
    elif best is None and cells > COLGEN_CELLS and wants_weekend_rows(problem):
        rows = plan_weekend_rows(problem, t0 + time_limit * WEEKEND_PLAN_SHARE, seed)
        if rows is not None:
            # The weekdays of the chosen rows were priced at nothing: best-response rounds
            # with the weekends held fill them against the cover.
            built = best_response(problem, rows.roster, t0 + time_limit * CONSTRUCT_SHARE, seed,
                                  _held(rows.weekend_cells))
            improved(built, roster_objective(problem, built))
            frozen = list(rows.weekend_cells)
            frozen_share = FROZEN_ROWS_SHARE
    if best is None:
        # CP-SAT rows while time allows, weekday-block rows when it runs short.
        built = construct(problem, t0 + time_limit * CONSTRUCT_SHARE, seed, workers, quick=True)
        if built is not None:
            improved(built, roster_objective(problem, built))

    def full_model(share: float) -> bool:
        """One CP-SAT run on the whole model from the best roster; True when proven optimal."""
        nonlocal bound
        rm = build_roster_model(problem)
        if bound is not None:
            # A proven bound as a constraint: the search stops once a roster meets it.
            rm.model.Add(rm.objective() >= round(bound))
        limit = (deadline - time.perf_counter()) * share
        solver, st, _ = solve_model(rm, limit, rng.randrange(1 << 30), workers, hint=best,
                                    start=t0)
        if st not in _STATUS:
            return False
        roster = rm.read(solver)
        improved(roster, roster_objective(problem, roster))
        new_bound = solver.BestObjectiveBound()
        bound = new_bound if bound is None else max(bound, new_bound)
        return st == cp_model.OPTIMAL

    if best is None:
        return RosterSolution({}, None, bound, "UNKNOWN", None, time.perf_counter() - t0)

    def column_generation(share: float) -> bool:
        """Exact column generation from the best roster; True when the best meets the bound."""
        nonlocal bound
        cg = exact_column_generation(
            problem, best, time.perf_counter() + (deadline - time.perf_counter()) * share,
            rng.randrange(1 << 30), workers)
        if cg.roster is not None:
            improved(cg.roster, roster_objective(problem, cg.roster))
        if cg.bound is not None:
            bound = cg.bound if bound is None else max(bound, cg.bound)
        return bound is not None and best_obj <= bound

    def done() -> RosterSolution:
        status = "FEASIBLE"
        if bound is not None and best_obj is not None and best_obj <= bound:
            status = "OPTIMAL"
        return RosterSolution(best, best_obj, bound, status, first, time.perf_counter() - t0,
                              tuple(history))

    if cells <= COLGEN_CELLS:
        # Column generation first (a proven bound in seconds, and from its dive a roster with
        # many rows changed at once, where the LNS stalls), then for small problems the full
        # model with that bound, our LNS, and the full model again (CP-SAT's own neighbourhoods
        # and bound reasoning escape the local optima of ours); each stops once a roster meets
        # the bound. No exchange moves: the full model and the dive make such exchanges
        # themselves (instance 6 ended at 2049 with them, 1952 without).
        if column_generation(COLGEN_SHARE):
            return done()
        if small and full_model(FULL_MODEL_SHARE):
            return done()
        lns_deadline = (time.perf_counter() + (deadline - time.perf_counter()) * LNS_SHARE
                        if small else deadline)
        lns(problem, best, best_obj, lns_deadline, rng, workers, improved, floor=bound,
             exchange=False)
        if small and (bound is None or best_obj > bound):
            full_model(1.0)
    else:
        if frozen is not None:
            now = time.perf_counter()
            lns(problem, best, best_obj, now + (deadline - now) * frozen_share, rng, workers,
                 improved, frozen=frozen, request_share=0.0, spare_share=SPARE_EXCHANGE_SHARE,
                 weekend=False)
        lns(problem, best, best_obj, deadline, rng, workers, improved,
             request_share=None if frozen is None else REQUEST_EXCHANGE_SHARE,
             weekend=frozen is None)
    return done()


def _held(cells: Mapping[Cell, str | None]) -> dict[str, dict[int, str | None]]:
    """Cells held per employee, as :func:`best_response` takes them."""
    out: dict[str, dict[int, str | None]] = {}
    for (e, d), s in cells.items():
        out.setdefault(e, {})[d] = s
    return out


def _day_deviation(problem: RosterProblem, roster: Roster
                   ) -> tuple[dict[int, float], dict[int, float]]:
    """Cost of the cover shortfall and of the surplus per day of ``problem.cover``."""
    return DayShiftCover(problem).day_deviation(roster)


def _shifts_per_cell(problem: RosterProblem) -> float:
    """Shift types an employee may choose from on a day, on average: the unit of move sizes.
    Types capped at 0 do not count; with availability per day, the types available that day."""
    total = 0.0
    names = problem.shift_names
    seen: dict[int, float] = {}  # by id of a shared availability map (large centers)
    for r in problem.employees:
        if r.available_shifts is None:
            total += sum(1 for s in names if r.max_shifts.get(s, 1) > 0)
        else:
            key = id(r.available_shifts)
            if key not in seen:
                seen[key] = sum(len(r.available_shifts.get(d, names))
                                for d in range(problem.days)) / max(1, problem.days)
            total += seen[key]
    return max(1.0, total / max(1, len(problem.employees)))


@dataclass
class _Move:
    """One relax-and-resolve step: free ``employees`` over ``days`` (all when None)."""

    kind: str
    size: float
    employees: list[str]
    days: set[int] | None


class _Neighbourhoods:
    """Chooses LNS moves and adapts their sizes (free cells) and choice weights to the outcomes.

    Three kinds: a few employees over a long stretch ("staff": rebalances whole lines of work
    under the per-employee totals); all (or many) employees over a window of days ("window":
    re-shuffles who covers what); all (or many) employees over two separate short windows
    ("split": moves weekends and runs between parts of the horizon, which the per-employee totals
    couple). Half of the time windows are centred on a day drawn by its cover deviation cost.
    """

    def __init__(self, problem: RosterProblem, rng: random.Random, exchange: bool = True,
                 frozen_days: Collection[int] = (), request_share: float | None = None,
                 spare_share: float = 0.0, weekend: bool = True,
                 coverage: CoverageModel | None = None, kinds: tuple[str, ...] = KINDS):
        self.problem, self.rng = problem, rng
        self.coverage = DayShiftCover(problem) if coverage is None else coverage
        self.exchange = exchange
        # Share of the exchanges, while cover a move can change is short, that are spare-minutes
        # exchanges (roster_exchange.spare_exchange).
        self.spare_share = spare_share
        # None: exchanges only where cover is short. A share: that share of the exchanges, and
        # all of them when no cover a move can change is short, over days of broken requests.
        self.request_share = request_share
        # Days where no move can change anything: their cover deviation draws no move.
        self.frozen_days = frozenset(frozen_days)
        self.names = [r.employee for r in problem.employees]
        self.n_emp, self.n_days = len(self.names), problem.days
        self.per_cell = _shifts_per_cell(problem)
        self.total = self.n_emp * self.n_days * self.per_cell
        self.kinds = kinds
        self.target = dict.fromkeys(self.kinds, min(400.0, self.total / 4))
        self.weight = dict.fromkeys(self.kinds, 1.0)  # adaptive: recent success of each kind
        # Exchanges start with everyone over their two blocks (fewer when that is not proven).
        self.exchange_full = self.n_emp * 2 * BLOCK_DAYS * self.per_cell
        self.target["exchange"] = self.exchange_full
        self.weight["exchange"] = 1.0
        # Weekend exchanges: their size sets the days either side of the two weekends.
        self.weekend = (weekend and exchange
                        and weekend_tightness(problem) > WEEKEND_EXCHANGE_TIGHTNESS)
        self.weekend_len = max((len(w) for w in problem.weekends()), default=0)
        # Its share is fixed (WEEKEND_EXCHANGE_SHARE): only its size adapts, it has no weight.
        self.target["weekend"] = self._weekend_size(WEEKEND_REACH_START)
        self.by_name = {r.employee: r for r in problem.employees}
        every = frozenset(problem.shift_names)
        self.skills = {r.employee: frozenset(s for s in problem.shift_names
                                             if r.max_shifts.get(s, 1) > 0)
                       if r.max_shifts else every for r in problem.employees}

    def choose(self, cur: Roster) -> _Move:
        rng, names, n_emp, n_days = self.rng, self.names, self.n_emp, self.n_days
        per_cell = self.per_cell
        if self.weekend and rng.random() < WEEKEND_EXCHANGE_SHARE:
            size = self.target["weekend"]
            days = weekend_exchange(self.problem, cur, rng, self._weekend_reach(size),
                                    self.frozen_days)
            if days is not None:
                return _Move("weekend", size, list(names), days)
        if self.exchange and rng.random() < self.exchange_share():
            move = self._exchange(cur)
            if move is not None:
                return move
        kind = rng.choices(self.kinds, weights=[self.weight[k] for k in self.kinds])[0]
        size = self.target[kind]
        if kind == "single":
            return _Move(kind, size, [rng.choice(names)], None)
        if kind == "staff":
            w = min(n_days, 56)
            k = int(min(n_emp, max(2, size // (w * per_cell))))
        else:
            k = n_emp
            w = int(size // (k * per_cell))
            if w < 4:
                w = min(n_days, 4 if kind == "split" else 7)
                k = int(min(n_emp, max(2, size // (w * per_cell))))
            w = min(n_days, max(2, w))
        short, over = self._deviation(cur) if rng.random() < 0.5 else ({}, {})
        hot = {d: short.get(d, 0.0) + over.get(d, 0.0) for d in sorted({*short, *over})}

        def drawn(costs: dict[int, float]) -> int:
            """A day drawn by its cost, uniformly when there is none."""
            if not costs:
                return rng.randrange(n_days)
            return rng.choices(list(costs), weights=list(costs.values()))[0]

        if kind == "split":
            # Two windows: when targeted, one where cover is short and one where it is over, so
            # work can move from where it is not needed to where it is.
            half = max(1, w // 2)
            days: set[int] | None = set()
            centres = [drawn(short or hot), drawn(over or hot)] if hot else [drawn({}), drawn({})]
            for centre in centres:
                a = min(max(0, centre - half // 2), n_days - half)
                days.update(range(a, a + half))
        else:
            centre = drawn(hot)
            a = min(max(0, centre - w // 2), n_days - w)
            days = None if w >= n_days else set(range(a, a + w))
        if k < n_emp and kind != "staff" and days:
            # Prefer employees free to take part in the window (not barred from most of it).
            day_list = sorted(days)
            free = [e for e in names if sum(1 for d in day_list
                                               if d not in self.by_name[e].days_off) * 2
                    > len(day_list)]
            pool = free if len(free) >= k else names
            chosen = sorted(rng.sample(pool, k), key=names.index)
        elif k < n_emp and rng.random() < 0.5:
            # A few employees who can stand in for each other (shared shift types): a seed
            # employee and the most similar others, with some randomness (else: at random).
            seed_e = rng.choice(names)
            mine = self.skills[seed_e]
            others = sorted((e for e in names if e != seed_e),
                            key=lambda e: (-len(mine & self.skills[e])
                                           / max(1, len(mine | self.skills[e])), rng.random()))
            chosen = sorted([seed_e, *rng.sample(others[:2 * k], k - 1)], key=names.index)
        else:
            chosen = sorted(rng.sample(names, k), key=names.index)
        return _Move(kind, size, chosen, days)

    def _weekend_size(self, reach: int) -> float:
        """Free cells of a weekend exchange with ``reach`` days either side of both weekends."""
        return self.n_emp * self.per_cell * 2 * (self.weekend_len + 2 * reach)

    def _weekend_reach(self, size: float) -> int:
        """Days either side of each weekend for a weekend exchange of ``size`` free cells."""
        days = size / (self.n_emp * self.per_cell * 2)
        low, high = WEEKEND_REACH
        return int(min(high, max(low, round((days - self.weekend_len) / 2))))

    def _deviation(self, cur: Roster) -> tuple[dict[int, float], dict[int, float]]:
        """:func:`_day_deviation` without the frozen days."""
        short, over = self.coverage.day_deviation(cur)
        if self.frozen_days:
            short = {d: v for d, v in short.items() if d not in self.frozen_days}
            over = {d: v for d, v in over.items() if d not in self.frozen_days}
        return short, over

    def exchange_share(self) -> float:
        """Share of exchange moves: their weight against the mean of the others', squared."""
        mine = self.weight["exchange"] ** 2
        others = (sum(self.weight[k] for k in self.kinds) / len(self.kinds)) ** 2
        low, high = EXCHANGE_SHARE
        return min(high, max(low, mine / (mine + others)))

    def _broken(self, cur: Roster) -> dict[int, float]:
        """Weight of the requests ``cur`` breaks per day (days without any, or frozen, absent)."""
        broken: dict[int, float] = {}
        for req in self.problem.requests:
            cost = req.cost(cur.get((req.employee, req.day)))
            if cost and req.day not in self.frozen_days:
                broken[req.day] = broken.get(req.day, 0.0) + cost
        return broken

    def _exchange(self, cur: Roster) -> _Move | None:
        """An exchange move (see planner.scheduling.roster_exchange), or None when there is none
        to make (no cover short, and no request broken or ``request_share`` None)."""
        short = self._deviation(cur)[0]
        size = min(self.target["exchange"], self.exchange_full)
        if short and self.spare_share and self.rng.random() < self.spare_share:
            spare = spare_exchange(self.problem, cur, short, self.rng)
            if spare is not None:
                return _Move("exchange", size, *spare)
        days = None
        if self.request_share is not None and (not short
                                               or self.rng.random() < self.request_share):
            if self.rng.random() < REQUEST_TARGETED_SHARE:
                targeted = request_exchange(self.problem, cur, self.rng, self.frozen_days)
                if targeted is not None:
                    return _Move("exchange", size, *targeted)
            days = request_days(self.problem, self._broken(cur), self.rng)
        if days is None:
            days = exchange_days(self.problem, short, self.rng)
        if days is None:
            return None
        k = int(min(self.n_emp, max(2, size // (len(days) * self.per_cell))))
        chosen = self.names if k >= self.n_emp else sorted(self.rng.sample(self.names, k),
                                                           key=self.names.index)
        return _Move("exchange", size, list(chosen), days)

    def failed(self, move: _Move) -> None:
        """Nothing found in time: smaller next time, and this kind less often."""
        self.target[move.kind] = max(100.0, move.size / 1.5)
        if move.kind in self.weight:
            self.weight[move.kind] = 0.8 * self.weight[move.kind] + 0.2 * 0.05

    def solved(self, move: _Move, optimal: bool, gain: bool) -> None:
        """Proven optimal: try bigger; else smaller. Improving kinds are chosen more often."""
        self.target[move.kind] = (min(self.total / 2, move.size * 1.15) if optimal
                                  else max(100.0, move.size / 1.3))
        if move.kind in self.weight:
            reward = 1.0 if gain else 0.05
            self.weight[move.kind] = max(0.05, 0.8 * self.weight[move.kind] + 0.2 * reward)


def lns(problem: RosterProblem, cur: Roster, cur_obj: float, deadline: float,
         rng: random.Random, workers: int, improved: Callable[[Roster, float], None],
         floor: float | None = None, exchange: bool = True,
         frozen: Collection[Cell] | None = None, request_share: float | None = None,
         spare_share: float = 0.0, weekend: bool = True,
         coverage: CoverageModel | None = None, budget: float | None = None,
         patience: int | None = None, kinds: tuple[str, ...] = KINDS,
         max_moves: int | None = None) -> None:
    """Relax-and-resolve until ``deadline`` (or a roster meets the proven bound ``floor``);
    ``improved`` hears of every accepted roster. ``exchange``: whether exchange moves are drawn,
    ``request_share``: which of them go to broken requests, ``spare_share``: which are
    spare-minutes exchanges while cover is short, ``weekend``: whether weekend exchanges are
    drawn where weekends are tight (see :class:`_Neighbourhoods`). ``frozen``: cells no move
    changes.

    ``workers`` moves run at once, each a one-worker CP-SAT solve in its own thread (the solver
    releases the GIL): on small sub-models two independent moves find more than one move with
    two workers. Building one more model ahead (a third thread, the searches held to
    ``workers`` at once) made no more moves on two cores, whose time the searches already use,
    and the move built ahead works on an older roster: Curtois 13 ended at 1588 and 1574
    (seeds 0-1) against 1533-1579 without (seeds 0-3, seven runs on the same machine).

    A finished move is merged into the roster as it is THEN: its employees' rows replace
    theirs. That is always feasible, because every hard rule is per employee (cover is
    soft), and the merged roster is re-scored exactly; it is kept when it costs no more (plateau
    moves are accepted). Kicks (see the module docstring) take the search off a local optimum;
    ``improved`` hears only of rosters cheaper than any before. Neighbourhoods:
    :class:`_Neighbourhoods`.

    ``coverage``: the coverage model (by default the problem's cover per day and shift).
    ``budget``: each move stops at this much CP-SAT deterministic time instead of
    ``SUB_TIME_LIMIT`` seconds (the clock then only guards the deadline), and with one worker
    the moves run one after another: the search is then the same for a seed under any load,
    as long as ``patience`` (stop after that many moves in a row found no roster cheaper than the
    best), not the
    deadline, ends it. ``kinds``: the neighbourhood kinds drawn (:data:`KINDS`, or "single").
    ``max_moves``: stop after that many moves (a work budget: with ``budget`` and one worker,
    the search is then the same for a seed under any load whatever ends it but the deadline).
    """
    cover = DayShiftCover(problem) if coverage is None else coverage
    frozen_days: set[int] = set()
    if frozen:
        per_day = Counter(d for _, d in frozen)
        frozen_days = {d for d, n in per_day.items() if n >= len(problem.employees)}
    hoods = _Neighbourhoods(problem, rng, exchange, frozen_days, request_share, spare_share,
                            weekend, cover, kinds)
    running: dict[Future, tuple[_Move, bool]] = {}
    best_obj = cur_obj
    # One unit of missing cover: the smallest worsening that lets a kick move work around.
    step = cover.unit
    stall = 0  # moves proven optimal since the roster last got cheaper
    idle = 0  # moves in a row since the best roster last got cheaper
    last_start: float | None = None
    longest = 0.0  # the longest move so far, with its merge (with ``budget``: the guard's margin)
    moves = 0
    parameters = dict(SUB_PARAMETERS)
    if budget is not None:
        parameters["max_deterministic_time"] = budget
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while True:
            while len(running) < max(1, workers):
                now = time.perf_counter()
                if last_start is not None and not running:
                    longest = max(longest, now - last_start)
                left = deadline - now
                if budget is None:
                    left = min(SUB_TIME_LIMIT, left)
                elif left <= longest:
                    break  # a move that cannot end by the deadline is not started
                else:
                    left = min(left, BUDGET_WALL_CAP)
                if (left <= 0.05 or (patience is not None and idle >= patience)
                        or (max_moves is not None and moves >= max_moves)):
                    break
                move = hoods.choose(cur)
                kick = stall >= STALL_MOVES and rng.random() < KICK_SHARE
                fut = pool.submit(_solve_sub, problem, cur, move.employees, move.days, left,
                                  rng.randrange(1 << 30), 1, parameters=parameters,
                                  differ=kick, frozen=frozen, coverage=coverage)
                running[fut] = (move, kick)
                moves += 1
                last_start = time.perf_counter()
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in [f for f in running if f in done]:  # in the order submitted
                move, kick = running.pop(fut)
                got = fut.result()
                idle += 1
                if got is None:
                    if not kick:
                        hoods.failed(move)
                    continue
                new, _, optimal = got
                mine = set(move.employees)
                merged = {c: s for c, s in cur.items() if c[0] not in mine}
                merged.update((c, s) for c, s in new.items() if c[0] in mine)
                obj = roster_objective(problem, merged, coverage)
                if not kick:
                    hoods.solved(move, optimal, obj < cur_obj)
                    # Stuck = moves proven optimal find nothing; unproven ones (large
                    # instances still descending) do not count.
                    stall += optimal
                # A kick may cost a little more than the best roster (threshold accepting);
                # the best is kept by ``improved`` and bounds how far the search drifts.
                limit = best_obj + max(step, KICK_THRESHOLD * best_obj) if kick else cur_obj
                if obj <= limit:
                    if obj < cur_obj or kick:
                        stall = 0
                    cur, cur_obj = merged, obj
                    if obj < best_obj:
                        idle = 0
                        best_obj = obj
                        improved(merged, obj)
            if floor is not None and best_obj <= floor:
                break
