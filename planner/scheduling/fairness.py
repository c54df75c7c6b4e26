"""Fairness in the scheduler: per agent and kind of unpopular work (nights, lates, weekend days:
:mod:`planner.domain`'s definitions), a cost above the fair share of their group of comparable
agents (:meth:`~planner.scheduling.problem.SchedulingProblem.fair_groups`; the plan's table is
:mod:`planner.analysis.fairness`).

With ``fairness.weight`` of planner.toml above 0, the fair shares are the group means of the
first roster (the greedy one: how many nights the center needs does not depend on who works
them), and every later stage pays, per agent and kind, ``weight`` agent-hours of shortfall (at
priority 1) for each unit above the fair share rounded down, and ``STEEP`` times that for each
unit above it rounded up: the first tier spreads the work, the second keeps everyone within one
of the fair share where cover allows it (with a margin for a final total that differs from the
first roster's).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.domain import FAIR_KINDS as KINDS
from planner.domain import is_weekend, shift_kind
from planner.scheduling.constraints import is_const, linear_expr
from planner.scheduling.cover_curve import UNITS

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from planner.scheduling.problem import SchedulingProblem
    from planner.scheduling.templates import Template

# Above the fair share rounded up, each unit costs this many times the first tier.
STEEP = 10


# --- the scheduler's terms --------------------------------------------------------------------

def unit_cost(weight: float, shortfall: int, units: int, interval: int) -> int:
    """Cost of one unit above the fair share: ``weight`` agent-hours of shortfall at priority 1
    in the scheduler's objective units."""
    return round(weight * shortfall * units * 60 / interval)


def fair_cost(counts: Sequence[int], shares: Sequence[float], unit: int) -> int:
    """What an agent's ``counts`` of each kind cost against their ``shares``."""
    cost = 0
    for n, share in zip(counts, shares, strict=True):
        base, cap = _tiers(share)
        cost += unit * max(0, n - base) + STEEP * unit * max(0, n - cap)
    return cost


def _tiers(share: float) -> tuple[int, int]:
    """The counts above which the first and the steep tier start: the fair share rounded down
    and up."""
    return math.floor(share + 1e-9), math.ceil(share - 1e-9)


def add_fair_terms(model: cp_model.CpModel, lits: Sequence[Sequence[Any]],
                   shares: Sequence[float], unit: int, name: str) -> list[Any]:
    """CP-SAT terms of :func:`fair_cost`: ``lits[k]`` are the literals (or constants) of the
    agent's shifts of kind ``k``; returns the cost expressions to add to the objective."""
    out: list[Any] = []
    for kind, share in zip(lits, shares, strict=True):
        const = sum(1 for x in kind if is_const(x) and x)
        free = [x for x in kind if not is_const(x)]
        base, steep = _tiers(share)
        if not free:
            out.append(fair_cost([const], [share], unit))
            continue
        if const + len(free) <= base:
            continue
        n = linear_expr().Sum(free) + const
        for cap, w in ((base, unit), (steep, STEEP * unit)):
            top = const + len(free) - cap
            if top <= 0:
                continue
            excess = model.NewIntVar(0, top, f"{name} above {cap}")
            model.Add(excess >= n - cap)
            out.append(w * excess)
    return out


def group_shares(counts: np.ndarray, groups: Sequence[int]) -> np.ndarray:
    """Per agent (rows of ``counts``, one column per kind), the mean of their group's rows."""
    groups = np.asarray(groups)
    out = np.zeros(counts.shape, dtype=float)
    for g in np.unique(groups):
        rows = groups == g
        out[rows] = counts[rows].mean(axis=0)
    return out


# --- per agent on a SchedulingProblem -----------------------------------------------------------

def fair_unit(problem: SchedulingProblem, shortfall: int) -> int:
    """:func:`unit_cost` of the problem's ``fairness.weight`` (``shortfall``: the objective's
    shortfall weight per tenth of an agent and interval)."""
    return unit_cost(problem.config.fairness.weight, shortfall, UNITS, problem.interval)


def template_kinds(problem: SchedulingProblem) -> tuple[str | None, ...]:
    """Per template id, its kind (:func:`shift_kind`)."""
    got = problem.derived.get("fair_kinds")
    if got is None:
        got = problem.derived["fair_kinds"] = tuple(
            shift_kind(t.start_minute, t.end_minute) for t in problem.templates)
    return got


def agent_counts(problem: SchedulingProblem, row: Mapping[int, int]) -> list[int]:
    """Nights, lates and weekend days of one agent's ``row`` (day -> template id)."""
    kinds = template_kinds(problem)
    first = problem.grid.start.weekday()
    out = [0, 0, 0]
    for d, k in row.items():
        kind = kinds[k]
        if kind is not None:
            out[KINDS.index(kind)] += 1
        out[2] += is_weekend((first + d) % 7)
    return out


def agent_fair_cost(problem: SchedulingProblem, agent: int, row: Mapping[int, int],
                    shortfall: int) -> int:
    """What one agent's ``row`` (day -> template id) costs in fairness (0 without shares)."""
    if problem.fair_shares is None:
        return 0
    return fair_cost(agent_counts(problem, row), problem.fair_shares[agent],
                     fair_unit(problem, shortfall))


def agent_fair_terms(model: cp_model.CpModel, problem: SchedulingProblem, agent: int,
                     day_shifts: Sequence[Mapping[str, Any]], work: Sequence[Any],
                     by_name: Mapping[str, Template], shortfall: int) -> list[Any]:
    """The CP-SAT terms of :func:`agent_fair_cost` over one agent's literals."""
    if problem.fair_shares is None:
        return []
    first = problem.grid.start.weekday()
    lits: list[list[Any]] = [[], [], []]
    for d, shifts in enumerate(day_shifts):
        for s, lit in shifts.items():
            tpl = by_name[s]
            kind = shift_kind(tpl.start_minute, tpl.end_minute)
            if kind is not None:
                lits[KINDS.index(kind)].append(lit)
        if is_weekend((first + d) % 7):
            lits[2].append(work[d])
    return add_fair_terms(model, lits, problem.fair_shares[agent], fair_unit(problem, shortfall),
                          f"{problem.agents[agent].agent_id} fairness")


def set_fair_shares(problem: SchedulingProblem, shifts: Mapping[tuple[int, int], int]) -> None:
    """Give ``problem`` the fair shares of the roster ``shifts`` ((agent, day) -> template id):
    per agent the mean counts of their fairness group (when ``fairness.weight`` is above 0)."""
    if problem.config.fairness.weight <= 0:
        problem.fair_shares = None
        return
    rows: dict[int, dict[int, int]] = {}
    for (i, d), k in shifts.items():
        rows.setdefault(i, {})[d] = k
    counts = np.array([agent_counts(problem, rows.get(i, {})) for i in range(len(problem.agents))],
                      dtype=float).reshape(len(problem.agents), len(KINDS))
    problem.fair_shares = group_shares(counts, problem.fair_groups)


def day_fair_costs(problem: SchedulingProblem, agent: int, others: Mapping[int, int], day: int,
                   templates: Sequence[int], shortfall: int) -> dict[int, int]:
    """Per template of ``templates``, what working it on ``day`` adds to the agent's fairness
    cost, their other days being ``others`` (day -> template id)."""
    if problem.fair_shares is None:
        return dict.fromkeys(templates, 0)
    shares, unit = problem.fair_shares[agent], fair_unit(problem, shortfall)
    base = agent_counts(problem, others)
    off = fair_cost(base, shares, unit)
    kinds = template_kinds(problem)
    weekend = is_weekend((problem.grid.start.weekday() + day) % 7)
    by_kind: dict[str | None, int] = {}
    out = {}
    for k in templates:
        kind = kinds[k]
        if kind not in by_kind:
            counts = list(base)
            if kind is not None:
                counts[KINDS.index(kind)] += 1
            counts[2] += weekend
            by_kind[kind] = fair_cost(counts, shares, unit) - off
        out[k] = by_kind[kind]
    return out
