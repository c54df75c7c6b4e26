"""A constructive first roster: agent by agent, each placed optimally against what is still uncovered.

Every agent is solved alone by a small CP-SAT model built on the shared roster core (one employee,
the same rules as the week model), maximising the coverage value of their shifts against the
*residual* requirement left by the agents placed before them, minus their wishes, cost and
fairness terms. Specialists (fewest eligible activities) go first, so that the work only they can
do is theirs. The result respects every hard rule by construction and is the hint of the week
model (and its fallback when CP-SAT finds nothing better in time).

An agent whose own rules admit no roster (e.g. availability below the minimum hours) is
reported by :func:`greedy_roster` and placed with the minimum relaxed to what the rules allow:
this is how over-constrained agents get named before the big model is solved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from planner.scheduling.constraints import is_const, negate
from planner.scheduling.cover_curve import UNITS
from planner.scheduling.problem import SchedulingProblem, presence_mask
from planner.scheduling.roster import build_roster_model
from planner.scheduling.rules import RosterProblem
from planner.scheduling.week import (
    DEFAULT_WEIGHTS,
    Weights,
    add_agent_extras,
    agent_day_shifts,
    break_variant_offsets,
    default_variant,
    roster_problem,
)

# Improvement passes stop after this many, or when one accepts no move: a center that converges
# gets the same roster under any load. The deadline is only a guard (large centers reach it, and
# where a pass stops then depends on the clock).
MAX_PASSES = 30
# Past the placement deadline, at most this many distinct weeks per set of hard rules are tried
# for each agent placed without a solve (5,000 agents: scoring every week solved took 40 s).
CANDIDATES = 30


@dataclass
class GreedyResult:
    """``shifts[(agent, day)] = template id``; ``relaxed[agent] = minimum minutes they can reach``."""

    shifts: dict[tuple[int, int], int]
    relaxed: dict[int, int] = field(default_factory=dict)
    wall_time: float = 0.0
    # Agents placed as an agent with the same rules was, without a solve of their own, after the
    # deadline (the roster then depends on the clock).
    copied_after_deadline: int = 0
    # The steps the wall clock cut short ("placement", "aim", "improvement"): where they stopped,
    # and so the roster, can differ between two identical runs.
    clock_stopped: list[str] = field(default_factory=list)


def _rules_keys(problem: SchedulingProblem, rp: RosterProblem, i: int, variant: int,
                floor: int | None, requests: list) -> tuple[tuple, tuple]:
    """Two keys of an agent's own model. The first holds everything it depends on except the
    value of coverage (two agents with the same first key get the same optimal week from the same
    value); the second only its hard rules (the same second key: the one's week is valid for the
    other)."""
    a = problem.agents[i]
    r = rp.employees[i]
    # The rules row without its name; its availability is the agent's allowed templates.
    rules = (r.min_minutes, r.max_minutes, r.work_sequence, r.off_sequence, r.max_weekends,
             r.days_off, tuple(sorted(r.max_shifts.items())), problem.allowed[i])
    hard = (a.min_minutes, a.max_minutes, a.max_days, a.earliest_start, a.latest_end, rules, floor)
    person = (a.tier, a.hourly_cost, tuple(sorted(a.levels.items())), a.eligible, a.group)
    own = tuple((r.day, r.shift, r.weight, r.on) for r in requests)
    return (hard, person, own, variant), hard


def _marginal(problem: SchedulingProblem, residual: np.ndarray, eligible: tuple[int, ...],
              weights: Weights) -> np.ndarray:
    """Value of one more agent per grid interval: the best eligible need, or an overstaffing cost."""
    size = problem.grid.size
    horizon = problem.grid.days * problem.grid.per_day
    if not eligible:
        return np.full(size, -float(UNITS * weights.overstaffing))
    need = np.clip(residual[list(eligible)], 0, 1) * problem.priority[list(eligible), None]
    best = need.max(axis=0) * UNITS * weights.shortfall
    value = np.where(best > 0, best, -float(UNITS * weights.overstaffing))
    value[horizon:] = 0.0
    return value


def _toward(problem: SchedulingProblem, gap: np.ndarray, weights: Weights) -> np.ndarray:
    """Value of one more agent of a group per interval when aiming at a target presence profile
    (the LP's): the share of an agent still missing from the target, else an overstaffing cost."""
    horizon = problem.grid.days * problem.grid.per_day
    fill = np.clip(gap, 0, 1)
    value = np.where(fill > 0, fill * UNITS * weights.shortfall,
                     -float(UNITS * weights.overstaffing))
    value[horizon:] = 0.0
    return value


def _take(problem: SchedulingProblem, residual: np.ndarray, eligible: tuple[int, ...],
          present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spend one agent on each present interval: the eligible activity with the most weighted need."""
    empty = (np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    if not eligible:
        return empty
    idx = np.flatnonzero(present)
    elig = np.array(eligible)
    horizon = problem.grid.days * problem.grid.per_day
    idx = idx[idx < horizon]
    if idx.size == 0:
        return empty
    need = residual[np.ix_(elig, idx)] * problem.priority[elig, None]
    pick = elig[need.argmax(axis=0)]
    residual[pick, idx] -= 1.0
    return idx, pick


@dataclass
class _AgentModel:
    """One agent's week model, built once and re-solved with new shift values (building it took
    three times as long as solving it)."""

    model: cp_model.CpModel
    fixed: Any  # the objective's terms that do not depend on the residual
    shifts: list[tuple[int, int, Any, np.ndarray]]  # (day, template, literal, presence mask)


def _agent_model(problem: SchedulingProblem, rp: RosterProblem, i: int, weights: Weights,
                 variant: int, min_minutes: int | None) -> _AgentModel:
    a = problem.agents[i]
    rules = rp.employees[i]
    if min_minutes is not None:
        rules = rules.relaxed(min_minutes)
    sub = RosterProblem(rp.days, rp.shift_types, (rules,),
                        tuple(r for r in rp.requests if r.employee == a.agent_id),
                        first_weekday=rp.first_weekday)
    model = cp_model.CpModel()
    rm = build_roster_model(sub, model)
    day_shifts = agent_day_shifts(problem, rm.works, i)
    work = [negate(rm.off[(a.agent_id, d)]) for d in range(problem.grid.days)]
    pen, cost, fair = add_agent_extras(model, problem, i, day_shifts, work, weights)
    tindex = {t.name: k for k, t in enumerate(problem.templates)}
    shifts = []
    for d in range(problem.grid.days):
        for s, lit in day_shifts[d].items():
            k = tindex[s]
            shifts.append((d, k, lit, presence_mask(problem, d, k, break_variant_offsets(
                problem.templates[k], problem.interval, variant))))
    penalties = [*rm.penalties, *pen]
    fixed = (sum(p.weight * p.expr for p in penalties if p.weight) + sum(cost) + sum(fair))
    return _AgentModel(model, fixed, shifts)


def _solve_agent(problem: SchedulingProblem, rp: RosterProblem, i: int, value: np.ndarray,
                 weights: Weights, variant: int, seed: int, min_minutes: int | None = None,
                 models: dict | None = None) -> dict[int, int] | None:
    """Agent ``i``'s best week against ``value`` (per grid interval); ``models`` keeps each
    agent's model for the next call."""
    key = (i, variant, min_minutes)
    am = None if models is None else models.get(key)
    if am is None:
        am = _agent_model(problem, rp, i, weights, variant, min_minutes)
        if models is not None:
            models[key] = am
    gain = [round(float(value[mask].sum())) * lit for _, _, lit, mask in am.shifts]
    am.model.Minimize(am.fixed - sum(gain))
    solver = cp_model.CpSolver()
    # One worker, a deterministic budget: the same answer under any load (the model is one
    # agent's week, solved to optimality in milliseconds; the wall limit only guards).
    solver.parameters.max_deterministic_time = 2.0
    solver.parameters.max_time_in_seconds = 20.0
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.Solve(am.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = {}
    for d, k, lit, _ in am.shifts:
        if lit if is_const(lit) else solver.BooleanValue(lit):
            out[d] = k
    return out


def residual_cost(problem: SchedulingProblem, residual: np.ndarray, weights: Weights) -> float:
    """Approximate coverage cost of a residual (need left > 0 is short, < 0 is over)."""
    horizon = problem.grid.days * problem.grid.per_day
    r = residual[:, :horizon]
    w = np.maximum(1, np.rint(weights.shortfall * problem.priority))
    return float((w[:, None] * UNITS * np.clip(r, 0, None)).sum()
                 + weights.overstaffing * UNITS * np.clip(-r, 0, None).sum())


def greedy_roster(problem: SchedulingProblem, weights: Weights = DEFAULT_WEIGHTS, seed: int = 0,
                  deadline: float | None = None, improve_until: float | None = None,
                  target: np.ndarray | None = None,
                  progress: Callable[[str, float, float], None] | None = None,
                  max_passes: int | None = None) -> GreedyResult:
    """Place agents one by one, then improve agent by agent (see the module docstring).

    Parameters
    ----------
    deadline : float, optional
        ``time.perf_counter()`` value after which the remaining agents are only placed when their
        minimum hours force it (fast path, an empty roster for the others). A guard for large
        centers: the roster then depends on the clock.
    improve_until : float, optional
        ``time.perf_counter()`` value until which improvement passes run: each agent in turn is
        taken out and re-placed optimally against the residual of all the others, kept only when
        the approximate coverage cost falls; passes stop early when one accepts no move (so a
        small center converges, and the same seed gives the same roster; cut short by this
        deadline, the roster depends on the clock).
    progress : callable, optional
        ``progress(stage, seconds, approximate cost)`` after each pass.
    max_passes : int, optional
        Most passes of each improvement phase (default ``MAX_PASSES``): a work budget.
    """
    t0 = time.perf_counter()
    cap = MAX_PASSES if max_passes is None else max_passes
    rp = roster_problem(problem, weights)
    residual = problem.required.astype(float).copy()
    order = sorted(range(len(problem.agents)),
                   key=lambda i: (len(problem.agents[i].eligible) or 99, problem.agents[i].agent_id))
    placed_of: dict[int, dict[int, int]] = {}
    taken: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    relaxed: dict[int, int] = {}
    masks: dict[int, list[np.ndarray]] = {}
    have = np.zeros((len(problem.groups), problem.grid.size))
    own_requests: dict[str, list] = {}
    for r in rp.requests:
        own_requests.setdefault(r.employee, []).append(r)
    solved: dict[tuple, tuple[dict[int, int], int | None]] = {}
    valid_for: dict[tuple, list[tuple[dict[int, int], int | None]]] = {}
    copied = 0
    cut: list[str] = []
    models: dict = {}

    def target_cost() -> float:
        assert target is not None
        miss = np.clip(target - have, 0, None).sum()
        extra = np.clip(have - target, 0, None).sum()
        return float(UNITS * (weights.shortfall * miss + weights.overstaffing * extra))

    def put(i: int, placed: dict[int, int]) -> None:
        a = problem.agents[i]
        variant = default_variant(problem, i)
        elig = problem.group_eligible[a.group]
        placed_of[i] = placed
        taken[i] = []
        masks[i] = []
        for d, k in placed.items():
            mask = presence_mask(problem, d, k, break_variant_offsets(
                problem.templates[k], problem.interval, variant))
            taken[i].append(_take(problem, residual, elig, mask))
            masks[i].append(mask)
            have[a.group] += mask

    def take_out(i: int) -> None:
        for idx, pick in taken.pop(i, []):
            residual[pick, idx] += 1.0
        for mask in masks.pop(i, []):
            have[problem.agents[i].group] -= mask

    def place(i: int, fast: bool, aim: bool = False, first: bool = False) -> dict[int, int]:
        nonlocal copied
        a = problem.agents[i]
        variant = default_variant(problem, i)
        if fast and a.min_minutes == 0:
            return {}
        floor = relaxed.get(i)
        # An agent who can take no case type sees the same (constant) value as every other such
        # agent: one solve serves all with the same model. Past the deadline, an agent with the same
        # hard rules as agents already placed gets the one of their weeks worth most against the
        # residual instead of a solve (bounded time for thousands of agents; valid, but not
        # optimal for them: wishes differ, and only weeks solved before are tried).
        keys = (_rules_keys(problem, rp, i, variant, floor, own_requests.get(a.agent_id, []))
                if first else None)
        idle = not problem.group_eligible[a.group] and (target is None or not aim)
        hit = None
        if keys is not None and idle and keys[0] in solved:
            hit = solved[keys[0]]
        elif keys is not None and fast and keys[1] in valid_for and idle:
            hit = valid_for[keys[1]][0]  # takes no case: every valid week covers the same
            copied += 1
        elif keys is not None and fast and keys[1] in valid_for:
            value = _marginal(problem, residual, problem.group_eligible[a.group], weights)
            hit = max(valid_for[keys[1]], key=lambda week: sum(
                float(value[presence_mask(problem, d, k, break_variant_offsets(
                    problem.templates[k], problem.interval, variant))].sum())
                for d, k in week[0].items()))
            copied += 1
        if hit is not None:
            if hit[1] is not None:
                relaxed[i] = hit[1]
            return dict(hit[0])
        if aim and target is not None:
            value = _toward(problem, target[a.group] - have[a.group], weights)
        else:
            value = _marginal(problem, residual, problem.group_eligible[a.group], weights)
        placed = _solve_agent(problem, rp, i, value, weights, variant, seed, min_minutes=floor,
                              models=models)
        if placed is None and floor is None:
            # Over-constrained: find the most paid minutes the rules allow and use that minimum.
            relaxed[i] = _max_minutes(problem, rp, i, weights, seed)
            placed = _solve_agent(problem, rp, i, value, weights, variant, seed,
                                  min_minutes=relaxed[i], models=models)
        if keys is not None:
            solved[keys[0]] = (dict(placed or {}), relaxed.get(i))
            weeks = valid_for.setdefault(keys[1], [])
            if len(weeks) < CANDIDATES and solved[keys[0]] not in weeks:
                weeks.append(solved[keys[0]])
        return placed or {}

    for i in order:
        fast = deadline is not None and time.perf_counter() > deadline
        if fast and "placement" not in cut:
            cut.append("placement")
        put(i, place(i, fast, aim=True, first=True))
    if progress is not None:
        progress("greedy", time.perf_counter() - t0, residual_cost(problem, residual, weights))
    def reallocate() -> None:
        """Rebuild the residual with specialists served first in every interval, undoing the
        drift of agents re-placed late in a pass (their presence was allocated after others')."""
        residual[:] = problem.required
        for i in order:
            taken.pop(i, None)
        for i in order:
            put(i, placed_of.get(i, {}))

    # Phase 1 (with a target): re-place agents toward the LP's presence profile, for at most
    # half of the improvement time. Phase 2: against the activity residual, as a check.
    passes = 0
    half = None if improve_until is None else t0 + (improve_until - t0) / 2
    while (target is not None and half is not None and time.perf_counter() < half
           and passes < cap):
        passes += 1
        changed = 0
        for i in order:
            if time.perf_counter() >= half:
                cut.append("aim")
                break
            old = placed_of.get(i, {})
            before = target_cost()
            take_out(i)
            new = place(i, False, aim=True)
            put(i, new)
            if new != old and target_cost() < before - 1e-6:
                changed += 1
            elif new != old:
                take_out(i)
                put(i, old)
        if progress is not None:
            progress("aim", time.perf_counter() - t0, target_cost())
        if not changed:
            break
    else:
        if target is not None and half is not None and passes < cap and "aim" not in cut:
            cut.append("aim")
    passes = 0
    while (improve_until is not None and time.perf_counter() < improve_until
           and passes < cap):
        passes += 1
        reallocate()
        changed = 0
        for i in order:
            if time.perf_counter() >= improve_until:
                cut.append("improvement")
                break
            if not problem.group_eligible[problem.agents[i].group]:
                continue  # takes no case: re-placing cannot change the residual
            old = placed_of.get(i, {})
            before = residual_cost(problem, residual, weights)
            take_out(i)
            new = place(i, False)
            put(i, new)
            if new != old and residual_cost(problem, residual, weights) < before - 1e-6:
                changed += 1
            elif new != old:  # not better once allocated: keep the old placement
                take_out(i)
                put(i, old)
        if progress is not None:
            progress("improve", time.perf_counter() - t0,
                     residual_cost(problem, residual, weights))
        if not changed:
            break
    else:
        if improve_until is not None and passes < cap and "improvement" not in cut:
            cut.append("improvement")
    shifts = {(i, d): k for i, placed in placed_of.items() for d, k in placed.items()}
    return GreedyResult(shifts, relaxed, time.perf_counter() - t0, copied, cut)


def _max_minutes(problem: SchedulingProblem, rp: RosterProblem, i: int, weights: Weights,
                 seed: int) -> int:
    """The most paid minutes agent ``i`` can work under every other hard rule (0 if none)."""

    a = problem.agents[i]
    rules = rp.employees[i].relaxed(0)
    sub = RosterProblem(rp.days, rp.shift_types, (rules,), first_weekday=rp.first_weekday)
    model = cp_model.CpModel()
    rm = build_roster_model(sub, model)
    day_shifts = agent_day_shifts(problem, rm.works, i)
    work = [negate(rm.off[(a.agent_id, d)]) for d in range(problem.grid.days)]
    add_agent_extras(model, problem, i, day_shifts, work, weights)
    paid = {t.name: t.paid_minutes for t in problem.templates}
    total = sum(paid[s] * lit for d in range(problem.grid.days) for s, lit in day_shifts[d].items())
    if isinstance(total, int):
        return 0
    model.Maximize(total)
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = 5.0
    solver.parameters.max_time_in_seconds = 50.0
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    return int(solver.ObjectiveValue())
