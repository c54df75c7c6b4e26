"""Stage 1: the week model. Who works which shift template on which day, against interval coverage.

Design (why it scales to a thousand agents):

* **Day-level rules on the shared roster core.** Each allowed (agent, day, template) is one Boolean
  of :func:`planner.scheduling.roster.build_roster_model`; templates are its ``ShiftType``s (paid
  length = shift minus unpaid lunch), hours are its total minutes, runs of worked days its
  ``work_sequence`` (max consecutive days), paired days off its ``off_sequence`` (every run of days
  off at least two long), availability its ``available_shifts``/``days_off``, wishes its
  ``ShiftRequest``s. On top: at most ``max_days`` worked days per 7 days, and the minimum rest as
  one linear constraint per agent and pair of days (:func:`add_rest_by_times`) instead of the
  core's pairwise forbidden successions, whose size grows with templates squared.
* **Aggregated coverage by skill group.** Agents of one group are interchangeable, so the model
  counts ``y[g, d, k, v]`` = agents of group ``g`` on template ``k`` on day ``d`` (break variant
  ``v``) and derives presence per group and interval by a running sum (each ``y`` touches only the
  intervals where its shift or a break starts or ends). Present agents flow to the activities their
  group may do: ``sum_c x[g, c, t] == present[g, t]`` and ``10 * sum_g x[g, c, t] + short - over ==
  10 * required[c, t]`` (requirements in tenths of an agent, so fractional needs cost what they
  should).
* **Breaks at nominal positions, staggered.** Stage 1 puts each break in one of three spread
  positions of its window (the variant ``v``, by the agent's place in its group), so lunches of a
  cohort do not all fall in one interval; stage 2 (:mod:`planner.scheduling.activities`) re-places
  every break within its window to protect coverage, starting from this placement, so it can only
  improve coverage.
* **Objective** (integer weights, :class:`Weights`): weighted shortfall first (per-type priority),
  then overstaffing, wishes, transactional work on high tiers, cost, unfairness (both weekend
  days worked; more than two late shifts). Shortfall is a cost: the model is feasible whenever
  the per-agent rules are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from planner.scheduling.constraints import Penalty, add_rest_by_times, add_soft_sum, is_const, negate
from planner.scheduling.problem import SchedulingProblem, wish_violated
from planner.scheduling.roster import RosterModel, build_roster_model
from planner.scheduling.rules import (
    UNBOUNDED,
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftRequest,
    ShiftType,
)
from planner.scheduling.templates import Template

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


@dataclass
class WeekModel:
    """The built stage-1 model and the handles needed to hint it and read it."""

    model: cp_model.CpModel
    roster: RosterModel
    problem: SchedulingProblem
    names: tuple[str, ...]  # template id -> ShiftType name
    short: dict[tuple[int, int], Any]
    over: dict[tuple[int, int], Any]
    terms: dict[str, Any] = field(default_factory=dict)  # objective parts by name
    y: dict[tuple[int, int, int, int], Any] = field(default_factory=dict)
    p: dict[tuple[int, int], Any] = field(default_factory=dict)
    x: dict[tuple[int, int, int], Any] = field(default_factory=dict)

    def lit(self, agent: int, day: int, template: int):
        return self.roster.works.get((self.problem.agents[agent].agent_id, day, self.names[template]))


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
    for i, a in enumerate(problem.agents):
        avail = {d: frozenset(names[k] for k in problem.allowed[i][d])
                 for d in range(problem.grid.days)}
        off_days = frozenset(d for d, s in avail.items() if not s)
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


def add_agent_extras(model: cp_model.CpModel, problem: SchedulingProblem, agent: int,
                     day_shifts: Sequence[Mapping[str, Any]], work: Sequence[Any],
                     weights: Weights) -> tuple[list[Penalty], list[Any], list[Any]]:
    """The per-agent rules the roster core does not know: worked days per 7 days and minimum rest
    (hard); cost and fairness terms (returned as (penalties, cost terms, fairness terms))."""
    a = problem.agents[agent]
    e = a.agent_id
    days = problem.grid.days
    penalties: list[Penalty] = []
    for blk in _blocks(days):
        cap = a.max_days if len(blk) == 7 else round(a.max_days * len(blk) / 7)
        if cap < len(blk):
            penalties += add_soft_sum(model, [work[d] for d in blk], SequenceRule.hard(0, cap),
                                      f"{e} days")
    rest = round(problem.config.shifts.min_rest_hours * 60)
    if rest > 0:
        starts = {t.name: t.start_minute for t in problem.templates}
        ends = {t.name: t.end_minute for t in problem.templates}
        add_rest_by_times(model, day_shifts, starts, ends, rest, f"{e} rest")
    by_name = {t.name: t for t in problem.templates}
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
        if weekday[d] == 5 and not is_const(work[d]) and not is_const(work[d + 1]):
            both = model.NewBoolVar(f"{e} weekend {d}")
            model.AddBoolOr([negate(work[d]), negate(work[d + 1]), both])
            fair_terms.append(weights.weekend * both)
    if len(late) > MAX_LATE:
        excess = model.NewIntVar(0, len(late), f"{e} late")
        model.Add(excess >= sum(late) - MAX_LATE)
        fair_terms.append(weights.late * excess)
    return penalties, cost_terms, fair_terms


def build_week_model(problem: SchedulingProblem, weights: Weights = DEFAULT_WEIGHTS,
                     relax: Mapping[int, int] | None = None) -> WeekModel:
    """Build stage 1 (see the module docstring); the objective is set, ready to solve."""
    model = cp_model.CpModel()
    rp = roster_problem(problem, weights, relax)
    rm = build_roster_model(rp, model)
    grid, iv = problem.grid, problem.interval
    names = tuple(t.name for t in problem.templates)
    tindex = {n: k for k, n in enumerate(names)}
    penalties: list[Penalty] = list(rm.penalties)
    cost_terms = []
    fair_terms = []
    y_members: dict[tuple[int, int, int, int], list[Any]] = {}
    for i, a in enumerate(problem.agents):
        day_shifts = agent_day_shifts(problem, rm.works, i)
        work = [negate(rm.off[(a.agent_id, d)]) for d in range(grid.days)]
        pen, cost, fair = add_agent_extras(model, problem, i, day_shifts, work, weights)
        penalties += pen
        cost_terms += cost
        fair_terms += fair
        variant = problem.groups[a.group].index(i) % VARIANTS
        for d in range(grid.days):
            for s, lit in day_shifts[d].items():
                y_members.setdefault((a.group, d, tindex[s], variant), []).append(lit)

    # Presence of each group by a running sum over the grid.
    y_vars: dict[tuple[int, int, int, int], Any] = {}
    p_vars: dict[tuple[int, int], Any] = {}
    x_vars: dict[tuple[int, int, int], Any] = {}
    n_groups = len(problem.groups)
    delta: dict[tuple[int, int], list[tuple[int, Any]]] = {}
    for (g, d, k, v), lits in y_members.items():
        tpl = problem.templates[k]
        y = model.NewIntVar(0, len(lits), f"y g{g} d{d} {names[k]} v{v}")
        y_vars[(g, d, k, v)] = y
        model.Add(y == sum(lits))
        t0 = grid.index(d, tpl.start_minute)
        t1 = grid.index(d, tpl.end_minute)
        delta.setdefault((g, t0), []).append((1, y))
        delta.setdefault((g, t1), []).append((-1, y))
        for w, off in zip(tpl.breaks, break_variant_offsets(tpl, iv, v), strict=True):
            b0 = t0 + off // iv
            delta.setdefault((g, b0), []).append((-1, y))
            delta.setdefault((g, b0 + w.span(iv)), []).append((1, y))
    horizon = grid.days * grid.per_day
    n_act = len(problem.activities)
    req10 = np.rint(problem.required * 10).astype(int)
    cover: dict[tuple[int, int], list[Any]] = {}
    tier_terms = []
    for g in range(n_groups):
        size = len(problem.groups[g])
        elig = problem.group_eligible[g]
        prev = 0
        active = False
        for t in range(grid.size):
            terms = delta.get((g, t))
            if terms is None and not active:
                continue
            p = model.NewIntVar(0, size, f"p g{g} t{t}")
            p_vars[(g, t)] = p
            model.Add(p == prev + sum(c * y for c, y in (terms or ())))
            prev = p
            active = True
            if t >= horizon or not elig:
                continue
            xs = []
            for c in elig:
                x = model.NewIntVar(0, size, f"x g{g} a{c} t{t}")
                x_vars[(g, c, t)] = x
                xs.append(x)
                cover.setdefault((c, t), []).append(x)
                tc = problem.tier_cost(g, c)
                if tc:
                    tier_terms.append(tc * weights.tier * x)
            model.Add(sum(xs) == p)
    short: dict[tuple[int, int], Any] = {}
    over: dict[tuple[int, int], Any] = {}
    cover_terms = []
    for c in range(n_act):
        w_short = max(1, round(weights.shortfall * problem.priority[c]))
        for t in range(horizon):
            r = int(req10[c, t])
            xs = cover.get((c, t), [])
            if r == 0 and not xs:
                continue
            if not xs:
                cover_terms.append(w_short * r)  # nobody can ever cover it: a constant
                continue
            s = model.NewIntVar(0, r, f"short a{c} t{t}")
            o = model.NewIntVar(0, 10 * sum(len(problem.groups[g]) for g in range(n_groups)),
                                f"over a{c} t{t}")
            model.Add(10 * sum(xs) + s - o == r)
            short[(c, t)] = s
            over[(c, t)] = o
            cover_terms.append(w_short * s + weights.overstaffing * o)
    terms = {
        "coverage": sum(cover_terms),
        "roster": sum(p.weight * p.expr for p in penalties if p.weight),
        "tier": sum(tier_terms),
        "cost": sum(cost_terms),
        "fairness": sum(fair_terms),
    }
    model.Minimize(sum(terms.values()))
    return WeekModel(model, rm, problem, names, short, over, terms, y_vars, p_vars, x_vars)


def add_full_hint(wm: WeekModel, shifts: Mapping[tuple[int, int], int]) -> None:
    """Hint every variable of the week model from a roster, so CP-SAT starts from a complete
    solution: shift literals, cohort counts, presence, and a greedy flow of present agents to
    activities (most weighted need first) with the shortfall and overstaffing it leaves."""
    problem, model = wm.problem, wm.model
    grid, iv = problem.grid, problem.interval
    agent_of = {a.agent_id: i for i, a in enumerate(problem.agents)}
    tindex = {n: k for k, n in enumerate(wm.names)}
    for (e, d, s), lit in wm.roster.works.items():
        if not is_const(lit):
            model.AddHint(lit, shifts.get((agent_of[e], d)) == tindex[s])
    for (e, d), lit in wm.roster.off.items():
        if not is_const(lit):
            model.AddHint(lit, (agent_of[e], d) not in shifts)
    counts: dict[tuple[int, int, int, int], int] = {}
    present = np.zeros((len(problem.groups), grid.size), dtype=int)
    for (i, d), k in shifts.items():
        a = problem.agents[i]
        v = problem.groups[a.group].index(i) % VARIANTS
        counts[(a.group, d, k, v)] = counts.get((a.group, d, k, v), 0) + 1
        tpl = problem.templates[k]
        t0 = grid.index(d, tpl.start_minute)
        present[a.group, t0:grid.index(d, tpl.end_minute)] += 1
        for w, off in zip(tpl.breaks, break_variant_offsets(tpl, iv, v), strict=True):
            b0 = t0 + off // iv
            present[a.group, b0:b0 + w.span(iv)] -= 1
    for key, y in wm.y.items():
        model.AddHint(y, counts.get(key, 0))
    for (g, t), p in wm.p.items():
        model.AddHint(p, int(present[g, t]))
    need = np.rint(problem.required * 10).astype(int)
    alloc: dict[tuple[int, int, int], int] = {}
    order = sorted(range(len(problem.groups)), key=lambda g: len(problem.group_eligible[g]))
    for t in range(grid.days * grid.per_day):
        for g in order:
            elig = problem.group_eligible[g]
            if not elig or (g, t) not in wm.p:
                continue
            for _ in range(int(present[g, t])):
                c = max(elig, key=lambda c: (need[c, t] * problem.priority[c], -c))
                alloc[(g, c, t)] = alloc.get((g, c, t), 0) + 1
                need[c, t] -= 10
    for key, x in wm.x.items():
        model.AddHint(x, alloc.get(key, 0))
    for (c, t), s in wm.short.items():
        model.AddHint(s, max(0, int(need[c, t])))
    for (c, t), o in wm.over.items():
        model.AddHint(o, max(0, -int(need[c, t])))


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, start: float, callback: Callable[[str, float, float], None] | None):
        super().__init__()
        self.start = start
        self.callback = callback
        self.history: list[tuple[float, float]] = []

    def on_solution_callback(self) -> None:
        t = time.perf_counter() - self.start
        self.history.append((t, self.ObjectiveValue()))
        if self.callback is not None:
            self.callback("week", t, self.ObjectiveValue())


@dataclass(frozen=True)
class WeekResult:
    """Stage 1's answer: ``shifts[(agent, day)] = template id``; objective and proven bound.

    ``clock_stopped`` is True when the wall-clock guard, not the deterministic budget or a proof,
    ended the search: only then may the same seed give a different answer (machine load)."""

    shifts: dict[tuple[int, int], int]
    objective: float | None
    bound: float | None
    status: str
    wall_time: float
    history: tuple[tuple[float, float], ...] = ()
    deterministic_time: float = 0.0
    clock_stopped: bool = False


def solve_week(wm: WeekModel, time_limit: float, seed: int = 0, workers: int = 2,
               hint: Mapping[tuple[int, int], int] | None = None,
               progress: Callable[[str, float, float], None] | None = None,
               wall_limit: float | None = None) -> WeekResult:
    """Solve stage 1 with CP-SAT from an optional hint (e.g. :func:`greedy_roster`).

    ``time_limit`` is a budget in CP-SAT's *deterministic* time, so that a seed reproduces the
    plan whatever the load of the machine; ``wall_limit`` (seconds, default ``4 * time_limit``)
    only guards a machine so slow or loaded that the budget would overrun the user's limit, and
    a search it cuts short (``clock_stopped``) depends on the load. With ``workers > 1`` the
    workers' search is interleaved in deterministic batches (``interleave_search``): a parallel
    portfolio would otherwise return whichever worker's solution came first, even among optima.
    In interleaved mode the ``deterministic_time`` CP-SAT reports is about three times the
    budget at two workers, and on a loaded 2-core machine one unit of budget took 3-9 s of wall
    time (measured, OR-Tools 9.15, 4 to 20 agents): budgets are not seconds.
    """
    t0 = time.perf_counter()
    if hint is not None:
        add_full_hint(wm, hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = max(0.05, time_limit)
    wall = max(0.1, 4 * time_limit if wall_limit is None else wall_limit)
    solver.parameters.max_time_in_seconds = wall
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.interleave_search = workers > 1
    cb = _Progress(t0, progress)
    status = solver.Solve(wm.model, cb)
    used = solver.WallTime()
    dtime = solver.ResponseProto().deterministic_time
    clock = status != cp_model.OPTIMAL and used >= 0.98 * wall
    wall_time = time.perf_counter() - t0
    name = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
            cp_model.INFEASIBLE: "INFEASIBLE", cp_model.MODEL_INVALID: "MODEL_INVALID"}.get(
        status, "UNKNOWN")
    if name not in ("OPTIMAL", "FEASIBLE"):
        return WeekResult({}, None, None, name, wall_time, tuple(cb.history), dtime, clock)
    agent_of = {a.agent_id: i for i, a in enumerate(wm.problem.agents)}
    tindex = {n: k for k, n in enumerate(wm.names)}
    shifts = {}
    for (e, d, s), lit in wm.roster.works.items():
        if lit if is_const(lit) else solver.BooleanValue(lit):
            shifts[(agent_of[e], d)] = tindex[s]
    return WeekResult(shifts, solver.ObjectiveValue(), solver.BestObjectiveBound(), name,
                      wall_time, tuple(cb.history), dtime, clock)
