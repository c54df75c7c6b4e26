"""Stage 1's improvement: the one roster search (:mod:`planner.scheduling.engine`) on the
product's coverage model.

The schedule's day-level part is a :class:`~planner.scheduling.rules.RosterProblem`
(:func:`planner.scheduling.week.roster_problem`: templates as shift types, hours, runs,
availability, wishes), each template once per break variant
(:func:`~planner.scheduling.interval_cover.with_break_variants`), and its coverage is the
:class:`~planner.scheduling.interval_cover.IntervalCover` model: the search's one objective is
then the schedule's exact stage-1 cost (wishes, coverage per interval and case type, tier, pay,
fairness). :func:`search_shifts` runs the phases it is given, by default
(:func:`default_phases`) the neighbourhood that gains most per second on every center:

- :class:`DayPhase`, the day re-solve (:func:`planner.scheduling.dayfix.improve_days`): every
  agent of one day free at once, each day scored by stage 2's own day model (where shifts cross
  midnight, the neighbouring days' shifts held as they are), day after day in rounds until a
  round changes nothing;
- where shifts cross midnight, after it, :func:`single_agent_moves` (an
  :class:`~planner.scheduling.roster_lns.LnsPhase`) with one agent re-placed per move (every
  cell priced alone by the coverage model; bigger moves build flow models too large to solve
  within a move's budget), a budget in CP-SAT's deterministic time per move, and a stop after
  ``PATIENCE`` moves in a row found nothing cheaper.

Determinism: both phases stop on their own work (convergence, patience, ``max_moves``), one move
at a time; then the same seed gives the same roster under any load. A phase still improving at
the deadline (large centers) depends on the clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from planner.scheduling.dayfix import improve_days
from planner.scheduling.engine import Phase, Search, Step, search
from planner.scheduling.fair_swap import fair_swaps
from planner.scheduling.interval_cover import IntervalCover, with_break_variants
from planner.scheduling.problem import SchedulingProblem
from planner.scheduling.roster import roster_objective
from planner.scheduling.roster_lns import LnsPhase
from planner.scheduling.templates import DAY
from planner.scheduling.week import DEFAULT_WEIGHTS, Weights, default_variant, roster_problem

# CP-SAT deterministic time per single-agent move (one worker); moves in a row without a
# cheaper roster before that phase stops on its own.
MOVE_BUDGET = 1.0
PATIENCE = 60


@dataclass(frozen=True)
class SearchResult:
    """``shifts[(agent, day)]`` = template id, ``variants[(agent, day)]`` = its break variant
    (:func:`planner.scheduling.week.break_variant_offsets`); the exact objective before and
    after the search."""

    shifts: dict[tuple[int, int], int]
    variants: dict[tuple[int, int], int]
    start: float
    objective: float


@dataclass(frozen=True)
class DayPhase:
    """The day re-solve as a phase of the search: the search's best roster, as template ids,
    re-solved by :func:`~planner.scheduling.dayfix.improve_days` until ``until``, offered back
    with the break variants kept where a shift did not change (an agent's default variant where
    it did, as stage 2 places it). Each day it changes scores lower by stage 2's day model, so
    the search keeps the result as judged (:meth:`~planner.scheduling.engine.Search.offer`)."""

    problem: SchedulingProblem
    shift_of: Mapping[str, tuple[int, int]]  # as with_break_variants gives them
    name_of: Mapping[tuple[int, int], str]
    weights: Weights = DEFAULT_WEIGHTS
    relax: Mapping[int, int] | None = None
    name: str = "re-solve"
    max_rounds: int | None = None  # planner.toml's schedule.day_rounds (None: dayfix's own cap)
    # told after each round, as the product's other stages tell theirs
    progress: Callable[[str, float, float], None] | None = None

    def run(self, search: Search, until: float) -> None:
        problem, shift_of, name_of = self.problem, self.shift_of, self.name_of
        agent = {a.agent_id: i for i, a in enumerate(problem.agents)}
        shifts = {(agent[e], d): shift_of[s][0] for (e, d), s in search.best.items()}
        found = improve_days(problem, shifts, self.weights, self.relax, deadline=until,
                             progress=self.progress, max_rounds=self.max_rounds)
        roster = {}
        for (i, d), k in found.items():
            e = problem.agents[i].agent_id
            now = search.best.get((e, d))
            roster[(e, d)] = (now if now is not None and shift_of[now][0] == k
                              else name_of[(k, default_variant(problem, i))])
        if roster != search.best:
            search.offer(self.name, roster, judged=True)


@dataclass(frozen=True)
class FairSwapPhase:
    """Fairness exchanges between two agents of one group
    (:func:`~planner.scheduling.fair_swap.fair_swaps`), which one-agent moves cannot make: a
    night or weekend day passes from an agent above the group's fair share to one below it."""

    problem: SchedulingProblem
    name: str = "fair swaps"

    def run(self, search: Search, until: float) -> None:
        roster, obj = fair_swaps(self.problem, search.problem, search.coverage, search.best,
                                 search.best_obj, deadline=until)
        search.offer(self.name, roster, obj)


def days_apart(problem: SchedulingProblem) -> bool:
    """Whether no shift crosses midnight (each day's coverage is its own)."""
    return not any(t.end_minute > DAY for t in problem.templates)


def default_phases(problem: SchedulingProblem, shift_of: Mapping[str, tuple[int, int]],
                   name_of: Mapping[tuple[int, int], str], weights: Weights = DEFAULT_WEIGHTS,
                   relax: Mapping[int, int] | None = None, max_moves: int | None = None,
                   max_rounds: int | None = None,
                   progress: Callable[[str, float, float], None] | None = None
                   ) -> list[Phase | Step]:
    """The phases :func:`search_shifts` runs by default (see the module docstring);
    ``shift_of``/``name_of``: the maps of :func:`with_break_variants`."""
    days = DayPhase(problem, shift_of, name_of, weights, relax, max_rounds=max_rounds,
                    progress=progress)
    # Shifts cross midnight: the day re-solve (the neighbouring days' shifts held) first, the
    # single-agent moves with the time it leaves.
    moves: list[Phase] = [days] if days_apart(problem) else [days, single_agent_moves(max_moves)]
    if problem.fair_shares is None:
        return moves
    # With fairness on, exchanges first (the first roster was built before the fair shares
    # existed; at most half the time) and a fifth of the time kept for exchanges at the end,
    # which mend what the other moves undid.
    swaps = FairSwapPhase(problem)
    return [Step(swaps, 0.5), *(Step(m, 0.8) for m in moves), swaps]


def single_agent_moves(max_moves: int | None = None) -> LnsPhase:
    """Relax-and-resolve moves of one agent over the horizon, one at a time, each with a budget
    in CP-SAT's deterministic time, stopping after ``PATIENCE`` moves without a gain (or
    ``max_moves``)."""
    return LnsPhase(kinds=("single",), exchange=False, weekend=False, budget=MOVE_BUDGET,
                    patience=PATIENCE, max_moves=max_moves)


def search_shifts(problem: SchedulingProblem, shifts: Mapping[tuple[int, int], int],
                  weights: Weights = DEFAULT_WEIGHTS, relax: Mapping[int, int] | None = None,
                  deadline: float | None = None, seed: int = 0,
                  progress: Callable[[str, float, float], None] | None = None,
                  max_moves: int | None = None,
                  phases: Sequence[Phase | Step] | None = None,
                  max_rounds: int | None = None) -> SearchResult:
    """Improve ``shifts`` (``(agent, day) -> template id``) by ``phases`` (by default
    :func:`default_phases`) until ``deadline``, or each phase's own stop (see the module
    docstring); ``max_moves`` bounds the single-agent moves, ``max_rounds`` the day re-solve's
    rounds."""
    t0 = time.perf_counter()
    rp, shift_of, name_of = with_break_variants(roster_problem(problem, weights, relax), problem)
    cover = IntervalCover(problem, shift_of, weights)
    roster = {(problem.agents[i].agent_id, d): name_of[(k, default_variant(problem, i))]
              for (i, d), k in shifts.items()}
    if phases is None:
        phases = default_phases(problem, shift_of, name_of, weights, relax, max_moves, max_rounds,
                                progress)

    def improved(phase: str, _roster: dict, obj: float) -> None:
        # the day re-solve tells its rounds itself
        if progress is not None and phase != DayPhase.name:
            progress(phase, time.perf_counter() - t0, obj)

    end = time.perf_counter() + 3600.0 if deadline is None else deadline
    start = roster_objective(rp, roster, cover)
    found = search(rp, roster, cover, phases, end, seed, workers=1, on_improved=improved,
                   start_obj=start)
    agent = {a.agent_id: i for i, a in enumerate(problem.agents)}
    cells = {(agent[e], d): shift_of[s] for (e, d), s in found.best.items()}
    return SearchResult({c: k for c, (k, _) in cells.items()},
                        {c: v for c, (_, v) in cells.items()}, float(start),
                        float(found.best_obj))
