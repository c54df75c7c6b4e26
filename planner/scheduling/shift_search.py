"""Stage 1's improvement: the roster engine's search on the product's coverage model.

The schedule's day-level part is a :class:`~planner.scheduling.rules.RosterProblem`
(:func:`planner.scheduling.week.roster_problem`: templates as shift types, hours, runs,
availability, wishes), and its coverage is the
:class:`~planner.scheduling.interval_cover.IntervalCover` model. The same large-neighbourhood
search that solves the Curtois-Qu benchmark (:func:`planner.scheduling.roster_lns.lns`) improves a
first roster: each move frees a few agents over the week, or many over a few days, re-solves them
by CP-SAT with the rest fixed, and keeps the result when the exact cost (wishes, coverage, tier,
pay, fairness) does not rise.

Determinism: one move at a time, each with a budget in CP-SAT's deterministic time; the search
stops after ``PATIENCE`` moves in a row found nothing cheaper. Then the same seed gives the same
roster under any load; a search still improving at the deadline (large centers) depends on the
clock.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from planner.scheduling.fair_swap import fair_swaps
from planner.scheduling.interval_cover import IntervalCover, with_break_variants
from planner.scheduling.problem import SchedulingProblem
from planner.scheduling.roster import roster_objective
from planner.scheduling.roster_lns import lns
from planner.scheduling.week import DEFAULT_WEIGHTS, Weights, default_variant, roster_problem

# One agent re-placed at a time (every cell priced alone by the coverage model): on the
# generated 100-agent center a move of two agents over the week built a flow model of 3,000
# variables and gained 38 in 2.8 s, one agent 500-5,700 in about 1 s; on a 24/7 center a
# two-agent move did not finish its first solve in 10 s.
KINDS = ("single",)
# CP-SAT deterministic time per move (one worker); moves in a row without a cheaper roster
# before the search stops on its own.
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


def search_shifts(problem: SchedulingProblem, shifts: Mapping[tuple[int, int], int],
                  weights: Weights = DEFAULT_WEIGHTS, relax: Mapping[int, int] | None = None,
                  deadline: float | None = None, seed: int = 0,
                  progress: Callable[[str, float, float], None] | None = None,
                  max_moves: int | None = None) -> SearchResult:
    """Improve ``shifts`` (``(agent, day) -> template id``) until ``deadline``, convergence
    or ``max_moves`` moves (see the module docstring)."""
    t0 = time.perf_counter()
    rp, shift_of, name_of = with_break_variants(roster_problem(problem, weights, relax), problem)
    cover = IntervalCover(problem, shift_of, weights)
    roster = {(problem.agents[i].agent_id, d): name_of[(k, default_variant(problem, i))]
              for (i, d), k in shifts.items()}
    start = roster_objective(rp, roster, cover)
    end = time.perf_counter() + 3600.0 if deadline is None else deadline
    # Fairness exchanges between two agents, which the one-agent moves cannot make: before the
    # search (the first roster is built before the fair shares exist; at most half of the
    # search's time) and after it.
    roster, now = fair_swaps(problem, rp, cover, roster, start,
                             (time.perf_counter() + end) / 2, progress)
    best = [roster, now]

    def improved(new: dict, obj: float) -> None:
        best[0], best[1] = new, obj
        if progress is not None:
            progress("search", time.perf_counter() - t0, obj)

    # With fairness on, the exchanges after the search get a fifth of the time left (they only
    # mend what the search's moves undid).
    until = end if problem.fair_shares is None else end - (end - time.perf_counter()) / 5
    lns(rp, roster, now, until, random.Random(seed), 1, improved, exchange=False,
        weekend=False, coverage=cover, budget=MOVE_BUDGET, patience=PATIENCE,
        kinds=KINDS, max_moves=max_moves)
    best[0], best[1] = fair_swaps(problem, rp, cover, best[0], best[1], end, progress)
    agent = {a.agent_id: i for i, a in enumerate(problem.agents)}
    cells = {(agent[e], d): shift_of[s] for (e, d), s in best[0].items()}
    return SearchResult({c: k for c, (k, _) in cells.items()},
                        {c: v for c, (_, v) in cells.items()}, start, float(best[1]))
