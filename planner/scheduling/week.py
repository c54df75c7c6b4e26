"""Stage 1's rules and objective weights: the product's roster as the roster core sees it.

* **Day-level rules on the shared roster core** (:func:`roster_problem`). Templates are the core's
  ``ShiftType``s (paid length = shift minus unpaid lunch), hours its total minutes, runs of worked
  days its ``work_sequence`` (max consecutive days), paired days off its ``off_sequence`` (every
  run of days off at least two long), availability its ``available_shifts``/``days_off``, wishes
  its ``ShiftRequest``s. On top (:func:`add_agent_extras`): at most ``max_days`` worked days per 7
  days and the minimum rest as one linear constraint per agent and pair of days
  (:func:`add_rest_by_times`) instead of the core's pairwise forbidden successions, whose size
  grows with templates squared; pay and fairness terms.
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

from planner.scheduling.constraints import Penalty, add_rest_by_times, add_soft_sum, is_const, negate
from planner.scheduling.problem import SchedulingProblem, wish_violated
from planner.scheduling.rules import (
    UNBOUNDED,
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftRequest,
    ShiftType,
)
from planner.scheduling.templates import Template

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

VARIANTS = 3
LATE_END = 20 * 60  # a shift ending after 20:00 is a late shift
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
    for i, a in enumerate(problem.agents):
        got = rows.get(problem.allowed[i])
        if got is None:
            avail = MappingProxyType({d: frozenset(names[k] for k in ks)
                                      for d, ks in enumerate(problem.allowed[i])})
            got = rows[problem.allowed[i]] = avail, frozenset(d for d, s in avail.items() if not s)
        avail, off_days = got
        min_minutes = a.min_minutes if relax is None or i not in relax else relax[i]
        employees.append(EmployeeRules(
            employee=a.agent_id, min_minutes=min_minutes,
            max_minutes=min(a.max_minutes, UNBOUNDED),
            work_sequence=SequenceRule.hard(0, sh.max_consecutive_days),
            off_sequence=SequenceRule.hard(paired, UNBOUNDED),
            days_off=off_days, available_shifts=avail,
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


def _blocks(days: int) -> list[range]:
    return [range(s, min(days, s + 7)) for s in range(0, days, 7)]


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


def _weekly_minutes(model: cp_model.CpModel, problem: SchedulingProblem, agent: int,
                    day_shifts: Sequence[Mapping[str, Any]], by_name: Mapping[str, Template]
                    ) -> list[Penalty]:
    """Paid minutes per 7-day block within the agent's weekly minimum and maximum (horizons
    longer than a week; the roster core holds only the horizon's total). The minimum is lowered
    to what the block's available days could hold at most, so a week of time off stays feasible
    (the checker names such a week as a conflict)."""
    a = problem.agents[agent]
    days = problem.grid.days
    sh = problem.config.shifts
    week_min = a.min_minutes * 7 / days
    week_max = a.max_minutes * 7 / days
    cap_days = 7 - sh.days_off_per_week
    out: list[Penalty] = []
    for blk in _blocks(days):
        scale = len(blk) / 7
        terms = [(by_name[s].paid_minutes, lit) for d in blk for s, lit in day_shifts[d].items()]
        if not terms:
            continue
        best = sorted((max(by_name[s].paid_minutes for s in day_shifts[d]) for d in blk
                       if day_shifts[d]), reverse=True)
        cap = min(a.max_days, cap_days) if len(blk) == 7 else round(min(a.max_days, cap_days)
                                                                   * scale)
        reach = sum(best[:cap])
        lo = min(round(week_min * scale), reach)
        hi = round(week_max * scale)
        out += add_soft_sum(model, [lit for _, lit in terms], SequenceRule.hard(lo, hi),
                            f"{a.agent_id} week {blk.start}", [m for m, _ in terms])
    return out


def add_agent_extras(model: cp_model.CpModel, problem: SchedulingProblem, agent: int,
                     day_shifts: Sequence[Mapping[str, Any]], work: Sequence[Any],
                     weights: Weights, templates: Mapping[str, Template] | None = None
                     ) -> tuple[list[Penalty], list[Any], list[Any]]:
    """The per-agent rules the roster core does not know: worked days per 7 days and minimum rest
    (hard); cost and fairness terms (returned as (penalties, cost terms, fairness terms)).
    ``templates`` maps the shift names of ``day_shifts`` to their templates (by default the
    templates' own names)."""
    a = problem.agents[agent]
    e = a.agent_id
    days = problem.grid.days
    penalties: list[Penalty] = []
    for blk in _blocks(days):
        cap = a.max_days if len(blk) == 7 else round(a.max_days * len(blk) / 7)
        if cap < len(blk):
            penalties += add_soft_sum(model, [work[d] for d in blk], SequenceRule.hard(0, cap),
                                      f"{e} days")
    by_name = {t.name: t for t in problem.templates} if templates is None else templates
    if days > 7:
        penalties += _weekly_minutes(model, problem, agent, day_shifts, by_name)
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
    return penalties, cost_terms, fair_terms
