"""Coverage models: what the one roster search needs to know about demand.

The search (:mod:`planner.scheduling.engine`) works on a :class:`~planner.scheduling.rules.
RosterProblem` (who works which shift on which day, every hard rule per employee) and asks a
coverage model for the rest of the objective:

- ``cost(roster)``: the exact cost the model adds to a roster (its cover, plus any per-cell
  prices it owns, such as pay);
- ``add_terms(model, works, offs, fixed, modelled, current)``: the same cost as CP-SAT terms over
  the free cells of a sub-model (``works``/``offs``: the modelled employees' literals; ``fixed``:
  the worked cells of everyone else; ``current``, when given, the roster the sub-model starts
  from, which it may hint), any hard rules of its own on those employees included;
- ``day_deviation(roster)``: the cost of shortfall and of surplus per day, where moves go;
- ``unit``: the cost of one unit of missing cover (the smallest worsening a kick may accept).

Two implementations: :class:`DayShiftCover` here (a wanted number of employees per day and shift
type: the Curtois-Qu benchmark), and :class:`planner.scheduling.interval_cover.IntervalCover`
(the product: cover per grid interval and case type, break variants, agents flowing to their
skills).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any, Protocol

from ortools.sat.python import cp_model

from planner.scheduling.constraints import Penalty, add_day_coverage
from planner.scheduling.rules import RosterProblem

Cell = tuple[str, int]  # (employee, day)


class CoverageModel(Protocol):
    """What the search asks of a coverage model (see the module docstring)."""

    unit: float

    def cost(self, roster: Mapping[Cell, str]) -> float: ...

    def add_terms(self, model: cp_model.CpModel, works: Mapping[tuple[str, int, str], Any],
                  offs: Mapping[Cell, Any], fixed: Mapping[Cell, str | None],
                  modelled: Collection[str], current: Mapping[Cell, str] | None = None
                  ) -> list[Penalty]: ...

    def day_deviation(self, roster: Mapping[Cell, str]
                      ) -> tuple[dict[int, float], dict[int, float]]: ...


class DayShiftCover:
    """Cover per (day, shift type) with weighted shortfall and surplus: ``problem.cover``."""

    def __init__(self, problem: RosterProblem):
        self.problem = problem
        self.unit = float(min((c.under_weight for c in problem.cover if c.under_weight > 0),
                              default=1))

    def cost(self, roster: Mapping[Cell, str]) -> int:
        counts = Counter((d, s) for (_, d), s in roster.items())
        cost = 0
        for cov in self.problem.cover:
            n = counts.get((cov.day, cov.shift), 0)
            cost += cov.under_weight * max(0, cov.requirement - n)
            cost += cov.over_weight * max(0, n - cov.requirement)
        return cost

    def add_terms(self, model: cp_model.CpModel, works: Mapping[tuple[str, int, str], Any],
                  offs: Mapping[Cell, Any], fixed: Mapping[Cell, str | None],
                  modelled: Collection[str], current: Mapping[Cell, str] | None = None
                  ) -> list[Penalty]:
        # The employees not modelled only add constants: their worked cells come from ``fixed``.
        background: Counter[tuple[int, str]] = Counter(
            (d, s) for (e, d), s in fixed.items() if s is not None and e not in modelled)
        by_cell: dict[tuple[int, str], list[Any]] = {}
        for (_e, d, s), lit in works.items():
            by_cell.setdefault((d, s), []).append(lit)
        penalties: list[Penalty] = []
        for cov in self.problem.cover:
            lits = by_cell.get((cov.day, cov.shift), [])
            extra = background.get((cov.day, cov.shift), 0)
            penalties += add_day_coverage(model, [*lits, *([True] * extra)], cov,
                                          f"cover day {cov.day} {cov.shift}")
        return penalties

    def day_deviation(self, roster: Mapping[Cell, str]
                      ) -> tuple[dict[int, float], dict[int, float]]:
        """Cost of the cover shortfall and of the surplus per day (days without any absent): a
        move centred where this cost is high is the most likely to pay."""
        counts = Counter((d, s) for (_, d), s in roster.items())
        short: dict[int, float] = {}
        over: dict[int, float] = {}
        for c in self.problem.cover:
            n = counts.get((c.day, c.shift), 0)
            if n < c.requirement:
                short[c.day] = short.get(c.day, 0.0) + c.under_weight * (c.requirement - n)
            elif n > c.requirement:
                over[c.day] = over.get(c.day, 0.0) + c.over_weight * (n - c.requirement)
        return short, over
