"""Scheduling end to end: problem -> conflicts -> greedy start -> roster search -> days -> tables.

The pipeline (each step a function of its own module):

1. :func:`~planner.scheduling.problem.build_problem`: agents, skill groups, templates, demand grid;
2. :func:`~planner.scheduling.explain.precheck`: conflicts named before solving;
3. :func:`~planner.scheduling.greedy.greedy_roster`: the search's construction, a feasible
   roster agent by agent (and the exact list of over-constrained agents, whose minimum hours
   are relaxed to what their rules allow), with best-response rounds agent by agent against an
   approximate residual;
4. :func:`~planner.scheduling.shift_search.search_shifts`: stage 1's improvement by the one
   roster search (:func:`planner.scheduling.engine.search`, the one ``planner bench roster``
   runs) on the product's coverage model
   (:class:`~planner.scheduling.interval_cover.IntervalCover`), scored by one objective, with
   the neighbourhood that gains most per second on the center: the day re-solve (every agent
   of a day at once, scored by stage 2's day model) where no shift crosses midnight, else
   single-agent moves, break variants chosen with the shifts;
5. :func:`~planner.scheduling.activities.plan_days`: stage 2, breaks and activities per day;
   then :func:`~planner.scheduling.training.place_training` puts training.csv's sessions where
   the agents are least needed (a post-step; what does not fit is named);
6. :mod:`~planner.scheduling.export`: the three tables and the summary;
7. :func:`~planner.scheduling.bound.coverage_lower_bound`: the LP bound the plan is measured against.

The time limit is shared: the greedy construction may use up to ``CONSTRUCT_SHARE``, its
agent-by-agent rounds run until ``IMPROVE_SHARE``, the search until ``SEARCH_SHARE``, and the
per-day
break/activity MIPs the rest but ``POST_SHARE`` (training placement and the tables), every
share counted from the start of the call, so a stage that overran leaves less to the next one
rather than pushing the end. The search is skipped (with a note) when its share is shorter than
its set-up would take on the center; a day whose MIP is cut by the
clock is planned from its rounded LP. Improvement stops early when a pass (or ``PATIENCE`` moves
of the search) finds nothing.

Determinism: the same seed and input give the same plan, whatever the load of the machine, when
no stage is cut short by the wall clock. Every stage stops on its own work, not on the clock:
the greedy improvement and the day re-solve when a pass accepts no move (or after a fixed number
of passes), each per-agent CP-SAT model and each move of the search at a proof of optimality or
a budget in CP-SAT's deterministic time (the search's moves one after another), the search after
``PATIENCE`` moves without a gain, the HiGHS day models at their MIP gap. The wall clock remains
only as a guard, so that a big center or a very slow machine still returns within about
``time_limit``. A stage cut short by it (typical on large centers) may stop at a different point
on a loaded machine, and the plan may then differ between runs; the notes say so. With
``deterministic=True`` the clock is not consulted at all (each stage stops on its budget alone).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from planner.errors import InfeasibleError
from planner.io.folder import DataFolder
from planner.scheduling.activities import plan_days
from planner.scheduling.bound import coverage_cost, coverage_lower_bound
from planner.scheduling.explain import (
    precheck,
    relaxed_messages,
    shortfall_messages,
    training_messages,
)
from planner.scheduling.export import (
    assignments_frame,
    coverage_frame,
    schedule_frame,
    scheduled_matrix,
    summary_frame,
)
from planner.scheduling.fairness import set_fair_shares
from planner.scheduling.greedy import greedy_roster
from planner.scheduling.problem import SchedulingProblem, build_problem
from planner.scheduling.shift_search import search_shifts
from planner.scheduling.training import place_training
from planner.scheduling.week import DEFAULT_WEIGHTS, Weights

DEFAULT_TIME_LIMIT = 60.0
# Shares of the time limit: the greedy construction's guard, its agent-by-agent rounds', and the
# search's (the rest is stage 2's).
CONSTRUCT_SHARE = 0.3
IMPROVE_SHARE = 0.4
SEARCH_SHARE = 0.85
# Kept for training placement and the tables after stage 2.
POST_SHARE = 0.03
# The search is not started when its share leaves less than its set-up would take: about this
# many seconds per shift of the first roster (the shift-level problem, the coverage model and
# the first exact cost).
SEARCH_SETUP_PER_SHIFT = 1e-4
# With ``deterministic``: the search's moves per agent at most (it usually stops on its patience
# first), and the wall-clock guard of every stage.
DETERMINISTIC_MOVES = 5
GUARD_SECONDS = 3600.0
Progress = Callable[[str, float, float], None]


@dataclass(frozen=True)
class ScheduleResult:
    """A plan and how good it is.

    ``objective`` is the plan's coverage cost (weighted shortfall + overstaffing, in the model's
    units), ``bound`` a proven lower bound on it (LP relaxation of the aggregated coverage model),
    ``gap = (objective - bound) / objective``. ``stage1_start``/``stage1_objective`` are stage 1's
    exact objective (with the breaks at the positions the search chose) before and after the
    search.
    ``solve_seconds`` is the scheduling time (within the time limit), ``bound_seconds`` the extra
    time of the LP bound.
    """

    schedule: pd.DataFrame
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    summary: pd.DataFrame
    conflicts: tuple[str, ...]
    notes: tuple[str, ...]
    status: str
    objective: float
    bound: float | None
    gap: float | None
    stage1_start: float | None
    stage1_objective: float | None
    solve_seconds: float
    bound_seconds: float = 0.0
    problem: SchedulingProblem | None = None
    training: pd.DataFrame | None = None  # per training session: requested/planned hours, reason
    # Per agent: nights, lates, weekend days, wishes granted and each above the fair share of
    # their group (planner.analysis.fairness.fairness_table; the pipeline adds it).
    fairness: pd.DataFrame | None = None

    @property
    def shortfall_hours(self) -> float:
        return float(self.summary["shortfall_hours"].iloc[-1])

    @property
    def overstaffing_hours(self) -> float:
        return float(self.summary["overstaffing_hours"].iloc[-1])


def make_schedule(data: DataFolder, requirements: pd.DataFrame, tiers: pd.DataFrame | None = None,
                  *, time_limit: float = DEFAULT_TIME_LIMIT, seed: int | None = None,
                  workers: int = 2, column: str = "agents_net", weights: Weights = DEFAULT_WEIGHTS,
                  progress: Progress | None = None, compute_bound: bool = True,
                  deterministic: bool = False) -> ScheduleResult:
    """Schedule the agents of ``data`` against ``requirements`` (see the module docstring).

    Parameters
    ----------
    time_limit : float
        Total seconds for the solvers (greedy start, search, day re-solve, day models). The stages stop on
        their own work (convergence, fixed pass counts, deterministic budgets derived from this
        limit), so the plan is the same for a seed under any machine load; the wall clock only
        guards each stage's share of the limit. A stage that reaches its guard (large centers,
        whose improvement runs to the deadline, or a very slow machine) makes the plan depend on
        the clock: the limit set on a big center is then a wall-clock limit.
    seed : int, optional
        CP-SAT seed; the config's ``seed`` when None.
    workers : int
        Workers of stage 2's solvers (the search runs one move at a time, for determinism).
    progress : callable, optional
        ``progress(stage, seconds, objective)`` on every improvement.
    deterministic : bool
        Stop every stage on its own work budget only (``MAX_PASSES`` improvement passes, the
        search's patience and ``DETERMINISTIC_MOVES`` moves per agent, the day re-solve's
        rounds, the day models' MIP gap), never on the clock: the same plan for a seed and input
        on any machine under any load. ``time_limit`` is then not enforced (a large center takes
        what its budgets take).

    Raises
    ------
    InfeasibleError
        Only when no plan exists at all: no agent can work any shift while work is required.
    """
    t0 = time.perf_counter()
    seed = data.config.seed if seed is None else seed
    problem = build_problem(data, requirements, tiers, column=column)
    conflicts = precheck(problem)
    notes = list(problem.notes)
    if deterministic:
        time_limit = GUARD_SECONDS  # each stage's share of it is a guard its budget never reaches
    greedy = greedy_roster(problem, weights, seed=seed,
                           deadline=None if deterministic else t0 + CONSTRUCT_SHARE * time_limit,
                           improve_until=t0 + IMPROVE_SHARE * time_limit, progress=progress)
    relaxed = greedy.relaxed
    if greedy.clock_stopped:
        notes.append(f"greedy roster: {', '.join(greedy.clock_stopped)} stopped by the time limit "
                     "(a large center or a loaded machine): two identical runs may give different "
                     "plans" + (f"; {greedy.copied_after_deadline} agents were placed as an agent with "
                                "the same rules was, without a solve of their own"
                                if greedy.copied_after_deadline else ""))
    named = {m.split(":")[0] for m in conflicts}
    for m in relaxed_messages(problem, relaxed):
        if m.split(":")[0] not in named:
            conflicts.append(m)
    shifts = dict(greedy.shifts)
    if not shifts and problem.required.sum() > 0:
        raise InfeasibleError("no agent can work any shift in the horizon", conflicts)
    # Fair shares from the first roster: the later stages spread nights, lates and weekend days.
    set_fair_shares(problem, shifts)
    status = "SEARCH"
    stage1_start = stage1_objective = None
    variants: dict[tuple[int, int], int] = {}
    # Stage 1's improvement: the one roster search on the product's coverage model, with the
    # neighbourhood that gains most per second here (the day re-solve where days are apart,
    # single-agent moves where shifts cross midnight).
    search_until = t0 + SEARCH_SHARE * time_limit
    if search_until - time.perf_counter() > 0.5 + SEARCH_SETUP_PER_SHIFT * len(shifts):
        found = search_shifts(problem, shifts, weights, relaxed, deadline=search_until,
                              seed=seed, progress=progress,
                              max_moves=DETERMINISTIC_MOVES * len(problem.agents)
                              if deterministic else None)
        shifts, variants = found.shifts, found.variants
        stage1_start, stage1_objective = found.start, found.objective
        if time.perf_counter() >= search_until - 0.5:
            notes.append("the roster search ran to its share of the time limit: the plan may "
                         "differ between runs on a loaded machine")
    else:
        notes.append("the roster search was skipped: the time limit left it too little time for "
                     "this center (a longer --time-limit lets it run)")
    # Stage 2 takes what is left but the tables' share (each day at least its floor).
    left = max(0.0, (1 - POST_SHARE) * time_limit - (time.perf_counter() - t0))
    plan = plan_days(problem, shifts, time_limit=left, seed=seed, workers=workers,
                     weights=weights, progress=progress, variants=variants)
    scheduled = scheduled_matrix(problem, plan)
    training = place_training(problem, shifts, plan, scheduled, weights)  # post-step of stage 2
    conflicts += training_messages(problem, training.table)
    if problem.training:
        notes.append(f"training: {training.table['hours_planned'].sum():g} h planned of "
                     f"{training.table['hours_requested'].sum():g} h requested "
                     f"({len(training.table)} session(s))")
    coverage = coverage_frame(problem, scheduled)
    summary = summary_frame(coverage, problem.interval)
    objective = coverage_cost(problem, scheduled, weights)
    solve_seconds = time.perf_counter() - t0
    bound = gap = None
    if compute_bound:
        bound = coverage_lower_bound(problem, weights, relaxed)
        if bound is not None:
            gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)
    short = dict(zip(summary["case_type"][:-1], summary["shortfall_hours"][:-1], strict=True))
    notes += [f"short: {m}" for m in shortfall_messages(short)]
    return ScheduleResult(
        schedule=schedule_frame(problem, shifts, plan, training.topic),
        assignments=assignments_frame(problem, plan, training.topic),
        coverage=coverage, summary=summary, conflicts=tuple(conflicts), notes=tuple(notes),
        status=status, objective=objective, bound=bound, gap=gap, stage1_start=stage1_start,
        stage1_objective=stage1_objective, solve_seconds=solve_seconds,
        bound_seconds=time.perf_counter() - t0 - solve_seconds, problem=problem,
        training=training.table if problem.training else None,
    )
