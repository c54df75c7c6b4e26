"""The hiring plan as a mixed-integer program (OR-Tools, CBC): class start weeks and sizes,
cross-skilling, overtime and the shortfall left, at least cost.

Per week ``w`` and case type ``t`` the work ``work[s, t, w]`` given by each skill set ``s`` that
holds ``t`` plus the shortfall covers the required FTE; per skill set the work is at most its FTE
plus overtime. A set's FTE is today's supply (attrition, hiring.csv, training.csv) plus the new
classes' ramped and surviving heads, minus the agents moved out to learn a type and plus those who
finished learning it. Costs: per hire, per paid FTE-week of a hire until the horizon ends, per
overtime hour, per shortfall hour and per cross-skilled agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from ortools.linear_solver import pywraplp

from planner.capacity.supply import SkillSet, class_fte, survival
from planner.errors import PlannerError

#: cross-skilling starts on this grid of weeks (a month), keeping the program small
CROSS_STEP_WEEKS = 4
SOLVER = "CBC"


@dataclass(frozen=True)
class Costs:
    hire: float
    fte_week: float
    overtime_hour: float
    shortfall_hour: float
    cross_skill: float


@dataclass(frozen=True)
class Limits:
    lead_time_weeks: int
    training_weeks: int
    ramp_weeks: int
    min_class_size: int
    max_class_size: int
    training_capacity: int
    cross_skill_weeks: int
    max_cross_skills_per_month: int
    max_overtime_share: float
    fte_hours: float
    attrition: float
    class_every_weeks: int = 1


@dataclass
class Problem:
    """Required FTE per case type and week, supply per skill set and week, what may be decided."""

    case_types: list[str]
    required: np.ndarray  # (types, weeks)
    supply: dict[SkillSet, np.ndarray]
    hire_sets: list[SkillSet]
    costs: Costs
    limits: Limits
    cross_from: dict[SkillSet, tuple[int, float]] = field(default_factory=dict)  # heads, FTE/head
    cross_pairs: list[tuple[SkillSet, str]] = field(default_factory=list)  # (from set, type learned)
    in_training: np.ndarray | None = None  # heads of hiring.csv classes in training per week

    @property
    def weeks(self) -> int:
        return int(self.required.shape[1])


@dataclass(frozen=True)
class Solution:
    hires: list[tuple[SkillSet, int, int]]  # skills, start week, heads
    cross: list[tuple[SkillSet, str, int, int]]  # from skills, type learned, start week, heads
    fte: dict[SkillSet, np.ndarray]  # FTE per skill set and week with the decisions
    work: dict[tuple[SkillSet, str], np.ndarray]  # FTE of a set on a type per week
    overtime: dict[SkillSet, np.ndarray]  # FTE of overtime per set and week
    shortfall: np.ndarray  # (types, weeks) FTE
    objective: float
    bound: float
    status: str
    cost_parts: dict[str, float]


def hire_weeks(p: Problem) -> list[int]:
    """Weeks a new class may start: after the lead time, early enough to take cases."""
    lim = p.limits
    return [k for k in range(lim.lead_time_weeks, p.weeks, lim.class_every_weeks)
            if k + lim.training_weeks < p.weeks]


def hire_cost(p: Problem, k: int) -> float:
    """Cost of one hire starting in week ``k``: the hire and its paid weeks until the horizon ends."""
    paid = survival(p.limits.attrition, 7.0 * np.arange(p.weeks - k)).sum()
    return p.costs.hire + p.costs.fte_week * float(paid)


def solve(p: Problem, *, seconds: float = 20.0, gap: float = 0.001) -> Solution:
    """The least-cost plan (the best found within ``seconds``). CBC, single-threaded, so the same
    input gives the same plan; on the sample center it proved optimality several times faster than
    SCIP and HiGHS."""
    solver = pywraplp.Solver.CreateSolver(SOLVER)
    if solver is None:
        raise PlannerError(f"the {SOLVER} solver of OR-Tools is not available")
    lim, costs = p.limits, p.costs
    W, inf = p.weeks, solver.infinity()
    weeks = np.arange(W)
    ramp = {k: class_fte(1.0, weeks - k, lim.training_weeks, lim.ramp_weeks, lim.attrition)
            for k in range(W)}
    cap: dict[SkillSet, list] = {s: [float(v) for v in p.supply[s]] for s in p.supply}

    def add(s: SkillSet, w: int, term) -> None:
        cap.setdefault(s, [0.0] * W)
        cap[s][w] = cap[s][w] + term

    h: dict[tuple[SkillSet, int], pywraplp.Variable] = {}
    objective = []
    starts = hire_weeks(p)
    for c in p.hire_sets:
        for k in starts:
            v = solver.IntVar(0, lim.max_class_size, f"h{len(h)}")
            h[c, k] = v
            if lim.min_class_size > 1:
                y = solver.BoolVar(f"y{len(h)}")
                solver.Add(v >= lim.min_class_size * y)
                solver.Add(v <= lim.max_class_size * y)
            objective.append(hire_cost(p, k) * v)
            for w in range(k + lim.training_weeks, W):
                add(c, w, float(ramp[k][w]) * v)
    for w in range(W):
        training = [v for (c, k), v in h.items() if k <= w < k + lim.training_weeks]
        already = float(p.in_training[w]) if p.in_training is not None else 0.0
        if training:
            solver.Add(solver.Sum(training) <= max(lim.training_capacity - already, 0))
    x: dict[tuple[SkillSet, str, int], pywraplp.Variable] = {}
    for s, t in p.cross_pairs:
        heads, per_head = p.cross_from[s]
        if heads <= 0 or lim.max_cross_skills_per_month <= 0 or t in s:
            continue
        for k in range(0, W - lim.cross_skill_weeks - 1, CROSS_STEP_WEEKS):
            v = solver.IntVar(0, min(heads, lim.max_cross_skills_per_month), f"x{len(x)}")
            x[s, t, k] = v
            objective.append(costs.cross_skill * v)
            keep = per_head * survival(lim.attrition, 7.0 * (weeks - k))
            target = s | {t}
            for w in range(k, W):
                add(s, w, -float(keep[w]) * v)
                if w >= k + lim.cross_skill_weeks:
                    add(target, w, float(keep[w]) * v)
    for k in range(0, W, CROSS_STEP_WEEKS):
        month = [v for (s, t, kk), v in x.items() if kk == k]
        if month:
            solver.Add(solver.Sum(month) <= lim.max_cross_skills_per_month)
    # agents moved out of a set cannot exceed those there
    for s in dict.fromkeys(s for s, _ in p.cross_pairs):
        for w in range(W):
            moved = [v * float(p.cross_from[s][1] * survival(lim.attrition, 7.0 * (w - k)))
                     for (ss, t, k), v in x.items() if ss == s and k <= w]
            if moved:
                solver.Add(solver.Sum(moved) <= float(p.supply.get(s, np.zeros(W))[w]))

    index = {t: i for i, t in enumerate(p.case_types)}
    work: dict[tuple[SkillSet, str, int], pywraplp.Variable] = {}
    ot: dict[tuple[SkillSet, int], pywraplp.Variable] = {}
    sf = {(t, w): solver.NumVar(0, inf, f"sf{t}{w}") for t in p.case_types for w in range(W)}
    for s in cap:
        types = [t for t in p.case_types if t in s]
        for w in range(W):
            ot[s, w] = solver.NumVar(0, inf, f"ot{len(ot)}")
            for t in types:
                work[s, t, w] = solver.NumVar(0, inf, f"w{len(work)}")
            used = solver.Sum([work[s, t, w] for t in types]) if types else 0
            solver.Add(used <= cap[s][w] + ot[s, w])
            solver.Add(ot[s, w] <= lim.max_overtime_share * cap[s][w])
    for t in p.case_types:
        for w in range(W):
            given = [work[s, t, w] for s in cap if t in s]
            # equal, not at least: work beyond the requirement would be idle time counted as used
            solver.Add(solver.Sum([*given, sf[t, w]]) == float(p.required[index[t], w]))
    hour = lim.fte_hours
    objective.append(costs.overtime_hour * hour * solver.Sum(list(ot.values())))
    objective.append(costs.shortfall_hour * hour * solver.Sum(list(sf.values())))
    solver.Minimize(solver.Sum(objective))
    solver.SetTimeLimit(int(seconds * 1000))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, gap)
    solver.SetNumThreads(1)
    status = solver.Solve(params)
    names = {pywraplp.Solver.OPTIMAL: "optimal", pywraplp.Solver.FEASIBLE: "feasible (time limit)"}
    if status not in names:
        raise PlannerError("the hiring plan could not be solved (the solver found no plan in "
                           f"{seconds:g} s); raise capacity.solver_seconds")

    hires = [(c, k, round(v.solution_value())) for (c, k), v in h.items() if v.solution_value() > 0.5]
    cross = [(s, t, k, round(v.solution_value())) for (s, t, k), v in x.items()
             if v.solution_value() > 0.5]
    fte = {s: np.array([_expr_value(cap[s][w]) for w in range(W)]) for s in cap}
    work_out = {}
    for s in cap:
        for t in p.case_types:
            if t in s:
                work_out[s, t] = np.array([work[s, t, w].solution_value() for w in range(W)])
    overtime = {s: np.array([ot[s, w].solution_value() for w in range(W)]) for s in cap}
    short = np.array([[sf[t, w].solution_value() for w in range(W)] for t in p.case_types])
    parts = {
        "hires": sum(costs.hire * n for _, _, n in hires),
        "hired FTE-weeks": sum((hire_cost(p, k) - costs.hire) * n for _, k, n in hires),
        "cross-skilling": sum(costs.cross_skill * n for *_, n in cross),
        "overtime": costs.overtime_hour * hour * sum(float(v.sum()) for v in overtime.values()),
        "shortfall": costs.shortfall_hour * hour * float(short.sum()),
    }
    return Solution(hires, cross, fte, work_out, overtime, short, solver.Objective().Value(),
                    solver.Objective().BestBound(), names[status], parts)


def plan(p: Problem, *, seconds: float = 20.0, gap: float = 0.001,
         max_pairs: int = 12) -> Solution:
    """The least-cost plan in two solves: hires, overtime and shortfall first; then, where a skill
    set has FTE to spare in a week a case type it lacks is short, cross-skilling between them
    too (agents can only learn a type usefully where they have time to give it)."""
    first = solve(replace(p, cross_pairs=[]), seconds=seconds, gap=gap)
    if not p.cross_from or p.limits.max_cross_skills_per_month <= 0:
        return first
    short = {t: float(first.shortfall[i].sum()) for i, t in enumerate(p.case_types)
             if first.shortfall[i].sum() > 1e-6}
    spare = {}
    for s in p.cross_from:
        if s not in first.fte:
            continue
        used = sum((first.work.get((s, t), 0.0) for t in p.case_types), np.zeros(p.weeks))
        free = np.maximum(first.fte[s] + first.overtime[s] - used, 0.0)
        if free.sum() > 1e-6:
            spare[s] = free
    pairs = []
    for s, free in spare.items():
        for i, t in enumerate(p.case_types):
            if t in short and t not in s:
                both = float(np.minimum(free, first.shortfall[i]).sum())
                if both > 1e-6:
                    pairs.append((both, s, t))
    pairs.sort(key=lambda r: (-r[0], sorted(r[1]), r[2]))
    if not pairs:
        return first
    second = solve(replace(p, cross_pairs=[(s, t) for _, s, t in pairs[:max_pairs]]),
                   seconds=seconds, gap=gap)
    return second if second.objective <= first.objective + 1e-6 else first


def _expr_value(e) -> float:
    if isinstance(e, (int, float, np.floating)):
        return float(e)
    return float(e.solution_value())
