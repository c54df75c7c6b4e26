"""Stage 1's rules and objective weights: the product's roster as the roster core sees it.

* **Day-level rules on the shared roster core** (:func:`roster_problem`). Templates are the core's
  ``ShiftType``s (paid length = shift minus unpaid lunch), hours its total minutes, runs of worked
  days its ``work_sequence`` (max consecutive days), paired days off its ``off_sequence`` (every
  run of days off at least two long), availability its ``available_shifts``/``days_off``, wishes
  its ``ShiftRequest``s, the limits per calendar week (``max_days`` worked days, weekly hours:
  :func:`week_limits`) its ``weeks``, the weekend rules its ``max_weekends_in_row`` and
  ``whole_weekends``. On top (:func:`add_agent_extras`): the minimum rest as one linear
  constraint per agent and pair of days (:func:`add_rest_by_times`) instead of the core's
  pairwise forbidden successions, whose size grows with templates squared; pay and fairness
  terms (:mod:`planner.scheduling.fairness`).
* **Breaks at spread positions** (:func:`break_variant_offsets`): stage 1 puts each break at one of
  ``VARIANTS`` positions of its window, so lunches of a cohort do not all fall in one interval;
  stage 2 (:mod:`planner.scheduling.activities`) re-places every break within its window.
* **Objective** (integer weights, :class:`Weights`): weighted shortfall first (per-type priority),
  then overstaffing, wishes, transactional work on high tiers, cost, unfairness (both weekend
  days worked; more than two late shifts). Shortfall is a cost: a plan exists whenever the
  per-agent rules allow one. The coverage part is priced by
  :class:`planner.scheduling.interval_cover.IntervalCover`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.domain import LATE_END
from planner.scheduling.constraints import Penalty, add_rest_by_times, is_const, negate
from planner.scheduling.fairness import agent_fair_terms
from planner.scheduling.problem import Agent, SchedulingProblem, wish_violated
from planner.scheduling.rules import (
    UNBOUNDED,
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftRequest,
    ShiftType,
    WeekLimit,
    calendar_weeks,
)
from planner.scheduling.templates import Template

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

VARIANTS = 3
MAX_LATE = 2  # late shifts a week before fairness costs


@dataclass(frozen=True)
class Weights:
    """Objective weights. Coverage is counted in tenths of an agent-interval."""

    shortfall: int = 100  # per tenth, times the case type's priority
    overstaffing: int = 1  # per tenth
    tier: int = 1  # per agent-interval and tier step on transactional work
    wish: int = 20  # per unit of availability weight, per shift breaking it
    cost: float = 1 / 600  # per currency unit of paid time (hourly_cost * minutes / 600)
    weekend: int = 30  # per agent working both days of a weekend
    late: int = 10  # per late shift beyond MAX_LATE


DEFAULT_WEIGHTS = Weights()


def break_variant_offsets(tpl: Template, interval: int, variant: int) -> tuple[int, ...]:
    """Break start offsets of stage 1's ``variant`` (0..VARIANTS-1): spread over each window."""
    out = []
    for w in tpl.breaks:
        offs = w.offsets(interval)
        pos = round(variant * (len(offs) - 1) / max(1, VARIANTS - 1))
        out.append(offs[pos])
    return tuple(out)


def default_variant(problem: SchedulingProblem, agent: int) -> int:
    """Stage 1's break variant of an agent when nothing chose one: by their place in the group."""
    return problem.group_position[agent] % VARIANTS


def roster_problem(problem: SchedulingProblem, weights: Weights = DEFAULT_WEIGHTS,
                   relax: Mapping[int, int] | None = None) -> RosterProblem:
    """The day-level part as a :class:`RosterProblem` of the shared core.

    ``relax`` maps an agent index to a lowered minimum of paid minutes (over-constrained agents,
    see :mod:`planner.scheduling.explain`).
    """
    sh = problem.config.shifts
    names = tuple(t.name for t in problem.templates)
    types = tuple(ShiftType(t.name, t.paid_minutes, t.start_minute) for t in problem.templates)
    paired = 2 if sh.paired_days_off else 0
    employees = []
    requests = []
    # Agents with the same allowed templates share one availability map (large centers).
    rows: dict[tuple, tuple[Mapping[int, frozenset[str]], frozenset[int]]] = {}
    weeks_of: dict[tuple, tuple[WeekLimit, ...]] = {}
    in_row = UNBOUNDED if sh.max_weekends_in_row is None else sh.max_weekends_in_row
    for i, a in enumerate(problem.agents):
        got = rows.get(problem.allowed[i])
        if got is None:
            avail = MappingProxyType({d: frozenset(names[k] for k in ks)
                                      for d, ks in enumerate(problem.allowed[i])})
            got = rows[problem.allowed[i]] = avail, frozenset(d for d, s in avail.items() if not s)
        avail, off_days = got
        min_minutes = a.min_minutes if relax is None or i not in relax else relax[i]
        key = (a.min_minutes, a.max_minutes, a.max_days, problem.allowed[i], min_minutes)
        if key not in weeks_of:
            weeks_of[key] = week_limits(problem, a, problem.allowed[i],
                                        relaxed=min_minutes < a.min_minutes)
        employees.append(EmployeeRules(
            employee=a.agent_id, min_minutes=min_minutes,
            max_minutes=min(a.max_minutes, UNBOUNDED),
            work_sequence=SequenceRule.hard(0, sh.max_consecutive_days),
            off_sequence=SequenceRule.hard(paired, UNBOUNDED),
            days_off=off_days, available_shifts=avail, weeks=weeks_of[key],
            max_weekends_in_row=in_row, whole_weekends=sh.whole_weekends,
        ))
    for wish in problem.wishes:
        a = problem.agents[wish.agent]
        if not 0 <= wish.day < problem.grid.days:
            continue
        for k in problem.allowed[wish.agent][wish.day]:
            if wish_violated(problem.templates[k], wish):
                requests.append(ShiftRequest(a.agent_id, wish.day, names[k],
                                             max(1, round(wish.weight * weights.wish)), False))
    first_weekday = problem.grid.start.weekday()
    return RosterProblem(problem.grid.days, types, tuple(employees), tuple(requests),
                         first_weekday=first_weekday)


def week_limits(problem: SchedulingProblem, agent: Agent, allowed: Sequence[Sequence[int]],
                relaxed: bool = False) -> tuple[WeekLimit, ...]:
    """An agent's limits per week (:func:`planner.scheduling.rules.calendar_weeks`): at most
    ``max_days`` worked days (pro rata in a partial week) and, on horizons longer than a week,
    paid minutes within the weekly minimum and maximum (pro rata; the horizon's total holds a
    one-week horizon). A week's minimum is lowered to what its available days could hold at most,
    so a week of time off stays feasible (the checker names such a week as a conflict), and
    dropped for an agent whose minimum was ``relaxed`` (over-constrained)."""
    days = problem.grid.days
    weeks = calendar_weeks(problem.grid.start.weekday(), days)
    out = []
    for blk in weeks:
        scale = len(blk) / 7
        cap = agent.max_days if len(blk) == 7 else round(agent.max_days * scale)
        lo, hi = 0, UNBOUNDED
        if days > 7:
            best = sorted((max(problem.templates[k].paid_minutes for k in allowed[d])
                           for d in blk if allowed[d]), reverse=True)
            lo = 0 if relaxed else min(round(agent.min_minutes * 7 / days * scale),
                                       sum(best[:cap]))
            hi = round(agent.max_minutes * 7 / days * scale)
        out.append(WeekLimit(blk, lo, hi, cap))
    return tuple(out)


def agent_day_shifts(problem: SchedulingProblem, works: Mapping[tuple[str, int, str], Any],
                     agent: int) -> list[dict[str, Any]]:
    """The literals of one agent per day: ``[{template name: literal}]``."""
    e = problem.agents[agent].agent_id
    out: list[dict[str, Any]] = []
    for d in range(problem.grid.days):
        day: dict[str, Any] = {}
        for k in problem.allowed[agent][d]:
            name = problem.templates[k].name
            lit = works.get((e, d, name))
            if lit is not None:
                day[name] = lit
        out.append(day)
    return out


def add_agent_extras(model: cp_model.CpModel, problem: SchedulingProblem, agent: int,
                     day_shifts: Sequence[Mapping[str, Any]], work: Sequence[Any],
                     weights: Weights, templates: Mapping[str, Template] | None = None
                     ) -> tuple[list[Penalty], list[Any], list[Any]]:
    """The per-agent rules the roster core does not know: the minimum rest
    (hard); cost and fairness terms (returned as (penalties, cost terms, fairness terms)).
    ``templates`` maps the shift names of ``day_shifts`` to their templates (by default the
    templates' own names)."""
    a = problem.agents[agent]
    e = a.agent_id
    days = problem.grid.days
    penalties: list[Penalty] = []
    by_name = {t.name: t for t in problem.templates} if templates is None else templates
    rest = round(problem.config.shifts.min_rest_hours * 60)
    if rest > 0:
        starts = {n: t.start_minute for n, t in by_name.items()}
        ends = {n: t.end_minute for n, t in by_name.items()}
        add_rest_by_times(model, day_shifts, starts, ends, rest, f"{e} rest")
    cost_terms: list[Any] = []
    fair_terms: list[Any] = []
    late = []
    for d in range(days):
        for s, lit in day_shifts[d].items():
            tpl = by_name[s]
            c = round(a.hourly_cost * tpl.paid_minutes * weights.cost)
            if c:
                cost_terms.append(c * lit)
            if tpl.end_minute > LATE_END:
                late.append(lit)
    weekday = (problem.grid.start.weekday() + np.arange(days)) % 7
    for d in range(days - 1):
        if weekday[d] != 5:
            continue
        sat, sun = work[d], work[d + 1]
        if is_const(sat) or is_const(sun):
            # A fixed day (a sub-model's) leaves the other one to price; both fixed: a constant.
            if is_const(sat) and is_const(sun):
                continue
            known, other = (sat, sun) if is_const(sat) else (sun, sat)
            if known:
                fair_terms.append(weights.weekend * other)
            continue
        both = model.NewBoolVar(f"{e} weekend {d}")
        model.AddBoolOr([negate(sat), negate(sun), both])
        fair_terms.append(weights.weekend * both)
    if len(late) > MAX_LATE:
        excess = model.NewIntVar(0, len(late), f"{e} late")
        model.Add(excess >= sum(late) - MAX_LATE)
        fair_terms.append(weights.late * excess)
    fair_terms += agent_fair_terms(model, problem, agent, day_shifts, work, by_name,
                                   weights.shortfall)
    return penalties, cost_terms, fair_terms
