"""Scheduling end to end: problem -> conflicts -> greedy start -> week model -> days -> tables.

The pipeline (each step a function of its own module):

1. :func:`~planner.scheduling.problem.build_problem`: agents, skill groups, templates, demand grid;
2. :func:`~planner.scheduling.explain.precheck`: conflicts named before solving;
3. :func:`~planner.scheduling.greedy.greedy_roster`: a feasible roster agent by agent (and the exact
   list of over-constrained agents, whose minimum hours are relaxed to what their rules allow);
4. :func:`~planner.scheduling.week.solve_week`: stage 1 CP-SAT from that hint (kept only when better);
5. :func:`~planner.scheduling.dayfix.improve_days`: stage 1 re-solved one day at a time with
   every agent free that day, each day scored by stage 2's own day model;
6. :func:`~planner.scheduling.activities.plan_days`: stage 2, breaks and activities per day;
   then :func:`~planner.scheduling.training.place_training` puts training.csv's sessions where
   the agents are least needed (a post-step; what does not fit is named);
7. :mod:`~planner.scheduling.export`: the three tables and the summary;
8. :func:`~planner.scheduling.bound.coverage_lower_bound`: the LP bound the plan is measured against.

The time limit is shared: the greedy construction may use up to 30%, its agent-by-agent
improvement runs until 45% (small centers) or 40% (large: its passes stall after a few, while
the day re-solve keeps finding gains), the CP-SAT week model (small centers only: at most
``WEEK_MODEL_CELLS`` agent-day-template cells; on larger ones it did not improve on the greedy
roster within minutes in our measurements) a budget of ``WEEK_BUDGET * time_limit`` units of
CP-SAT's deterministic time, guarded by the wall clock at 75%, the day re-solve up to 90%
(small) or 85% (large), and the per-day break/activity MIPs the rest. Improvement stops early
when a pass accepts no move.

Determinism: the same seed and input give the same plan, whatever the load of the machine, when
no stage is cut short by the wall clock. Every stage stops on its own work, not on the clock:
the greedy improvement and the day re-solve when a pass accepts no move (or after a fixed number
of passes), each per-agent CP-SAT model and the week model at a proof of optimality or a budget
in CP-SAT's deterministic time (the week model's two workers interleaved in deterministic
batches), the HiGHS day models at their MIP gap. The wall clock remains only as a guard, so that
a big center or a very slow machine still returns within about ``time_limit``: the greedy
construction's and improvement's deadlines, the week model's wall limit, the day re-solve's
deadline (it stops before a day it has no time left for) and HiGHS's time limits. A stage cut
short by one of these (typical on large centers, where the greedy improvement and the day
re-solve run to their deadlines) may stop at a different point on a loaded machine, and the plan
may then differ between runs; the week model notes it when it happens.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import InfeasibleError, SolverLimitWarning
from planner.io.folder import DataFolder, load_folder
from planner.io.writers import write_csv
from planner.scheduling.activities import plan_days
from planner.scheduling.bound import coverage_cost, coverage_lower_bound
from planner.scheduling.dayfix import improve_days
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
from planner.scheduling.greedy import greedy_roster
from planner.scheduling.problem import SchedulingProblem, build_problem, read_requirements, read_tiers
from planner.scheduling.training import place_training
from planner.scheduling.week import DEFAULT_WEIGHTS, Weights, build_week_model, solve_week

DEFAULT_TIME_LIMIT = 60.0
# Above this many (agent, day, template) cells CP-SAT on the whole week rarely improves on the
# greedy roster within minutes (measured), so the time goes to agent-by-agent improvement instead.
WEEK_MODEL_CELLS = 8_000
# The week model's budget in CP-SAT deterministic time per second of the time limit. Interleaved
# on two workers, a unit took 3-9 s of wall time on a loaded 2-core machine (measured), so the
# budget fits the guard at 75% of the limit under load; it ends earlier on a quiet machine.
WEEK_BUDGET = 0.08
Progress = Callable[[str, float, float], None]


@dataclass(frozen=True)
class ScheduleResult:
    """A plan and how good it is.

    ``objective`` is the plan's coverage cost (weighted shortfall + overstaffing, in the model's
    units), ``bound`` a proven lower bound on it (LP relaxation of the aggregated coverage model),
    ``gap = (objective - bound) / objective``. ``week_objective``/``week_bound`` are stage 1's
    CP-SAT objective and bound (the full objective with nominal break positions).
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
    week_objective: float | None
    week_bound: float | None
    solve_seconds: float
    bound_seconds: float = 0.0
    problem: SchedulingProblem | None = None
    training: pd.DataFrame | None = None  # per training session: requested/planned hours, reason

    @property
    def shortfall_hours(self) -> float:
        return float(self.summary["shortfall_hours"].iloc[-1])

    @property
    def overstaffing_hours(self) -> float:
        return float(self.summary["overstaffing_hours"].iloc[-1])


def make_schedule(data: DataFolder, requirements: pd.DataFrame, tiers: pd.DataFrame | None = None,
                  *, time_limit: float = DEFAULT_TIME_LIMIT, seed: int | None = None,
                  workers: int = 2, column: str = "agents_net", weights: Weights = DEFAULT_WEIGHTS,
                  progress: Progress | None = None, compute_bound: bool = True) -> ScheduleResult:
    """Schedule the agents of ``data`` against ``requirements`` (see the module docstring).

    Parameters
    ----------
    time_limit : float
        Total seconds for the solvers (greedy start, week model, day models). The stages stop on
        their own work (convergence, fixed pass counts, deterministic budgets derived from this
        limit), so the plan is the same for a seed under any machine load; the wall clock only
        guards each stage's share of the limit. A stage that reaches its guard (large centers,
        whose improvement runs to the deadline, or a very slow machine) makes the plan depend on
        the clock: the limit set on a big center is then a wall-clock limit.
    seed : int, optional
        CP-SAT seed; the config's ``seed`` when None.
    workers : int
        CP-SAT workers of the week model, interleaved deterministically when more than one.
    progress : callable, optional
        ``progress(stage, seconds, objective)`` on every improvement.

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
    cells = sum(len(ks) for per_day in problem.allowed for ks in per_day)
    small = cells <= WEEK_MODEL_CELLS
    improve = 0.45 if small else 0.4
    greedy = greedy_roster(problem, weights, seed=seed, deadline=t0 + 0.3 * time_limit,
                           improve_until=t0 + improve * time_limit, progress=progress)
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
    status = "GREEDY"
    week_obj = week_bound = None
    # A budget of deterministic work fixed by the time limit alone (not by what the greedy stage
    # left on the clock), so that the week model stops at the same point under any load; the
    # wall clock only guards its share of the limit.
    week_limit = WEEK_BUDGET * time_limit
    if small:
        wm = build_week_model(problem, weights, relax=relaxed)
        wall = max(1.0, t0 + 0.75 * time_limit - time.perf_counter())
        res = solve_week(wm, week_limit, seed=seed, workers=workers, hint=shifts,
                         progress=progress, wall_limit=wall)
        if res.clock_stopped:
            notes.append(f"week model stopped by the wall clock after {res.wall_time:.0f} s "
                         f"(a slow or loaded machine): the plan may differ between runs")
    else:
        res = None
        notes.append(f"week model skipped ({cells:,} agent-day-template cells > "
                     f"{WEEK_MODEL_CELLS:,}): the improved greedy roster is used")
    if res is None:
        pass
    elif res.status in ("OPTIMAL", "FEASIBLE") and res.objective is not None:
        shifts, status = res.shifts, res.status
        week_obj, week_bound = res.objective, res.bound
        if res.status == "FEASIBLE":
            warnings.warn(f"week model stopped at its limit ({week_limit:.1f} deterministic "
                          f"units, {res.wall_time:.0f} s): the plan is the best found (objective "
                          f"{res.objective:.0f}, bound {res.bound:.0f})", SolverLimitWarning,
                          stacklevel=2)
    else:
        notes.append(f"week model: {res.status} within {res.wall_time:.0f} s; the greedy roster "
                     f"is used")
    # Day-wise re-solve scored as stage 2 scores a day (never worse: a day changes only when
    # that score falls); the last 15% (10% on small centers) is left to stage 2.
    shifts = improve_days(problem, shifts, weights, relaxed,
                          deadline=t0 + (0.9 if small else 0.85) * time_limit, progress=progress)
    left = max(1.0, time_limit - (time.perf_counter() - t0))
    plan = plan_days(problem, shifts, time_limit=left, seed=seed, workers=workers,
                     weights=weights, progress=progress)
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
        status=status, objective=objective, bound=bound, gap=gap, week_objective=week_obj,
        week_bound=week_bound, solve_seconds=solve_seconds,
        bound_seconds=time.perf_counter() - t0 - solve_seconds, problem=problem,
        training=training.table if problem.training else None,
    )


def schedule_run(data_dir: str | Path, run_dir: str | Path, *,
                 time_limit: float = DEFAULT_TIME_LIMIT, seed: int | None = None,
                 workers: int = 2, progress: Progress | None = None,
                 compute_bound: bool = True) -> ScheduleResult:
    """Read ``RUN/requirements.csv`` (and ``RUN/tiers.csv`` if present), schedule, and write
    ``schedule.csv``, ``assignments.csv``, ``coverage.csv`` into the run folder."""
    from planner.errors import MissingInputError

    data = load_folder(data_dir)
    run = Path(run_dir)
    req_path = run / "requirements.csv"
    if not req_path.exists():
        raise MissingInputError(f"schedule needs {req_path} ('planner requirements' writes it)")
    requirements = read_requirements(req_path, data.config.center.timezone)
    tiers = read_tiers(run / "tiers.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolverLimitWarning)
        result = make_schedule(data, requirements, tiers, time_limit=time_limit, seed=seed,
                               workers=workers, progress=progress,
                               compute_bound=compute_bound)
    write_csv(result.schedule, run / "schedule.csv")
    write_csv(result.assignments, run / "assignments.csv")
    write_csv(result.coverage, run / "coverage.csv")
    if result.training is not None:
        write_csv(result.training, run / "training_plan.csv")
    return result



