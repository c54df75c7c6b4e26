"""The one roster search: ``planner schedule`` and ``planner bench roster`` both improve here.

A search works on a :class:`~planner.scheduling.rules.RosterProblem` (who works which shift on
which day, every hard rule per employee) with a :class:`~planner.scheduling.coverage.CoverageModel`
(what demand costs), from a first roster that keeps every hard rule. Its one objective is
:func:`~planner.scheduling.roster.roster_objective`: requests and wishes broken, the soft costs
of runs, and the coverage model's exact cost. It runs a list of *phases*, each a neighbourhood
(a kind of move) with its share of the time then left:

- :class:`~planner.scheduling.roster_lns.LnsPhase`: relax-and-resolve moves by CP-SAT
  (a few employees over the horizon, everyone over a window of days, exchanges, one employee
  at a time), each merged row by row and kept when it costs no more;
- :class:`~planner.scheduling.roster_lns.ColumnGenerationPhase` and
  :class:`~planner.scheduling.roster_lns.FullModelPhase`: whole rows priced by the exact row DP,
  and CP-SAT on the whole model (day-and-shift cover only, where the model is small enough);
  both may prove a lower bound, and the search ends once a roster meets it;
- :class:`~planner.scheduling.shift_search.DayPhase`: the product's day re-solve (every agent
  of one day at once, scored by stage 2's day model) on the interval coverage model.

Every phase offers its rosters to the search (:meth:`Search.offer`), which scores them by the
one objective and keeps the cheapest. One exception: the product's coverage model prices a
shift with its breaks at stage 1's spread positions (a break *variant*), an estimate of what
stage 2 makes of the plan, where the day re-solve scores each day by stage 2's own day model,
breaks anywhere in their windows. A day it changes is proven cheaper by that finer score of the
same plan, and is kept although the coarser estimate may rise (it does on the generated
100-agent center).

Which phases run, and in which order, is the caller's choice:
:func:`planner.scheduling.shift_search.search_shifts` for a schedule,
:func:`planner.bench.strategy.solve_roster` for a benchmark instance.

Determinism: the seed fixes every random choice. A phase whose moves stop on work budgets (the
product's phases with ``deterministic``) gives the same roster under any load; phases stopped
by the wall clock depend on it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from planner.scheduling.coverage import Cell, CoverageModel
from planner.scheduling.roster import Roster, roster_objective
from planner.scheduling.rules import RosterProblem


@dataclass
class Search:
    """The state every phase shares: the problem, its coverage model, the best roster so far
    (and its objective), a proven lower bound when a phase found one, and the random source."""

    problem: RosterProblem
    coverage: CoverageModel
    best: Roster
    best_obj: float
    rng: random.Random
    workers: int = 1
    bound: float | None = None
    on_improved: Callable[[str, Roster, float], None] | None = None

    def objective(self, roster: Mapping[Cell, str]) -> float:
        """The one objective (see the module docstring)."""
        return float(roster_objective(self.problem, roster, self.coverage))

    def offer(self, phase: str, roster: Roster, obj: float | None = None,
              judged: bool = False) -> bool:
        """Keep ``roster`` when it is cheaper than the best (``obj``: its objective when the
        phase computed it exactly already). ``judged``: the phase has proven it better than
        the best by a finer score of the same plan than the coverage model's (see the module
        docstring); it is kept and scored by the one objective. Returns whether it was kept."""
        obj = self.objective(roster) if obj is None else obj
        if obj >= self.best_obj and not (judged and roster != self.best):
            return False
        self.best, self.best_obj = roster, obj
        if self.on_improved is not None:
            self.on_improved(phase, roster, obj)
        return True

    def prove(self, bound: float | None) -> None:
        """Record a proven lower bound on the objective."""
        if bound is not None:
            self.bound = bound if self.bound is None else max(self.bound, bound)

    @property
    def optimal(self) -> bool:
        """Whether the best roster meets the proven bound."""
        return self.bound is not None and self.best_obj <= self.bound


class Phase(Protocol):
    """A neighbourhood of the search: improves ``search.best`` by offering rosters until
    ``until`` (a wall-clock guard; a phase may stop earlier on its own work budget)."""

    name: str

    def run(self, search: Search, until: float) -> None: ...


@dataclass(frozen=True)
class Step:
    """A phase and its share of the time left when it starts (1.0: up to the deadline)."""

    phase: Phase
    share: float = 1.0


def search(problem: RosterProblem, start: Roster, coverage: CoverageModel,
           steps: Sequence[Step | Phase], deadline: float, seed: int = 0, workers: int = 1,
           on_improved: Callable[[str, Roster, float], None] | None = None,
           bound: float | None = None, start_obj: float | None = None) -> Search:
    """Improve ``start`` by ``steps`` in order until ``deadline`` (see the module docstring).

    ``start`` must keep every hard rule. Each step gets its share of the time then left; the
    search stops early once the best roster meets a proven ``bound``. Returns the final state
    (``best``, ``best_obj``, ``bound``, ``history``)."""
    state = Search(problem, coverage, dict(start), 0.0, random.Random(seed), workers, bound,
                   on_improved)
    state.best_obj = state.objective(start) if start_obj is None else start_obj
    for step in steps:
        if not isinstance(step, Step):
            step = Step(step)
        now = time.perf_counter()
        if state.optimal or now >= deadline:
            break
        step.phase.run(state, now + (deadline - now) * step.share)
    return state
