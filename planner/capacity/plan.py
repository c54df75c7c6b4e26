"""The capacity plan as one library call: data folder in; demand, requirement, supply and the
optimised hiring plan out, as the tables capacity_plan.csv, hiring_plan.csv and
capacity_demand.csv."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.capacity.demand import Demand, weekly_demand
from planner.capacity.optimise import Costs, Limits, Problem, Solution
from planner.capacity.optimise import plan as optimise
from planner.capacity.required import fte_hours, weekly_requirements
from planner.capacity.supply import SkillSet, Supply, agent_fte, agent_skill_sets, current_supply, label
from planner.errors import PlannerError
from planner.io.folder import DataFolder

#: an average month in weeks
WEEKS_PER_MONTH = 52 / 12
MIN_MONTHS, MAX_MONTHS = 1, 18
#: the row of capacity_plan.csv that adds up every skill set
ALL = "all"

PLAN_COLUMNS = ["week_start", "month", "skill_set", "required_fte", "required_fte_low",
                "required_fte_high", "available_fte", "planned_fte", "overtime_fte", "gap_fte",
                "shortfall_fte"]
HIRING_COLUMNS = ["class", "kind", "source", "start", "heads", "skills", "from_skills",
                  "training_weeks", "ramp_weeks", "productive_from", "full_speed_from", "cost"]
DEMAND_COLUMNS = ["week_start", "case_type", "volume", "volume_low", "volume_high", "required_fte",
                  "required_fte_low", "required_fte_high"]


@dataclass(frozen=True)
class CapacityPlan:
    """``plan`` (capacity_plan.csv), ``hiring`` (hiring_plan.csv), ``demand``
    (capacity_demand.csv), the key figures and the notes."""

    plan: pd.DataFrame
    hiring: pd.DataFrame
    demand: pd.DataFrame
    start: pd.Timestamp
    weeks: int
    figures: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = field(default=())
    status: str = ""
    seconds: float = 0.0
    center: str = ""


def horizon_weeks(months: int) -> int:
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise PlannerError(f"months must be between {MIN_MONTHS} and {MAX_MONTHS}, got {months}")
    return math.ceil(months * WEEKS_PER_MONTH)


def hire_sets(folder: DataFolder, types: list[str]) -> list[SkillSet]:
    """The skill set a hire for each case type gets: the one most of the type's current agents
    hold (a hire joins an existing team and learns what it does); the type alone where nobody
    has it."""
    sets = agent_skill_sets(folder)
    order = folder.case_types
    out: list[SkillSet] = []
    for t in types:
        counts: dict[SkillSet, int] = {}
        for s in sets.values():
            if t in s:
                counts[s] = counts.get(s, 0) + 1
        # ties broken by the set's name, so the choice never depends on hashing
        choice = min(counts, key=lambda s: (-counts[s], label(s, order))) if counts else frozenset({t})
        if choice not in out:
            out.append(choice)
    return out


def build_problem(folder: DataFolder, required: pd.DataFrame, supply: Supply) -> Problem:
    cap = folder.config.capacity
    types = list(dict.fromkeys(required["case_type"]))
    weeks = supply.weeks
    req = required.pivot(index="case_type", columns="week_start", values="required_fte").loc[types]
    busy = [t for t in types if req.loc[t].sum() > 0]
    fte = agent_fte(folder)
    sets = agent_skill_sets(folder)
    per_head = {}
    for agent, s in sets.items():
        if s:
            n, total = per_head.get(s, (0, 0.0))
            per_head[s] = (n + 1, total + float(fte[agent]))
    cross_from = {s: (n, total / n) for s, (n, total) in per_head.items()}
    in_training = sum((c.in_training(weeks) for c in supply.classes), np.zeros(weeks))
    return Problem(
        case_types=types, required=req.to_numpy(dtype=float), supply=dict(supply.fte),
        hire_sets=hire_sets(folder, busy), cross_from=cross_from, in_training=in_training,
        costs=Costs(cap.cost_per_hire, cap.cost_per_fte_week, cap.cost_per_overtime_hour,
                    cap.cost_per_shortfall_hour, cap.cost_per_cross_skill),
        limits=Limits(cap.lead_time_weeks, cap.training_weeks, cap.ramp_weeks, cap.min_class_size,
                      cap.max_class_size, cap.training_capacity, cap.cross_skill_weeks,
                      cap.max_cross_skills_per_month, cap.max_overtime_share,
                      fte_hours(folder.config), supply.attrition, cap.class_every_weeks))


def plan_table(p: Problem, sol: Solution, supply: Supply, required: pd.DataFrame,
               order: list[str]) -> pd.DataFrame:
    """capacity_plan.csv: per week and skill set, the requirement the plan gives that set (its work
    and the shortfall of the types it is hired for), its FTE before and after the decisions."""
    W = p.weeks
    week_start = supply.start + pd.to_timedelta(np.arange(W) * 7, unit="D")
    req = p.required
    low = required.pivot(index="case_type", columns="week_start",
                         values="required_fte_low").loc[p.case_types].to_numpy(dtype=float)
    high = required.pivot(index="case_type", columns="week_start",
                          values="required_fte_high").loc[p.case_types].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_ratio = np.where(req > 0, low / req, 1.0)
        hi_ratio = np.where(req > 0, high / req, 1.0)
    owner = {t: next((s for s in p.hire_sets if t in s), frozenset({t})) for t in p.case_types}
    sets = list(dict.fromkeys([*sol.fte, *owner.values()]))
    rows = []
    for s in sets:
        need = np.zeros(W)
        need_lo = np.zeros(W)
        need_hi = np.zeros(W)
        short = np.zeros(W)
        for i, t in enumerate(p.case_types):
            part = sol.work.get((s, t), np.zeros(W)).copy()
            if owner[t] == s:
                part = part + sol.shortfall[i]
                short += sol.shortfall[i]
            need += part
            need_lo += part * lo_ratio[i]
            need_hi += part * hi_ratio[i]
        before = supply.fte.get(s, np.zeros(W))
        after = sol.fte.get(s, np.zeros(W))
        over = sol.overtime.get(s, np.zeros(W))
        if not (need.any() or before.any() or after.any()):
            continue
        rows.append(pd.DataFrame({
            "week_start": week_start, "skill_set": label(s, order), "required_fte": need,
            "required_fte_low": need_lo, "required_fte_high": need_hi, "available_fte": before,
            "planned_fte": after, "overtime_fte": over, "gap_fte": after + over - need,
            "shortfall_fte": short}))
    total = pd.DataFrame({
        "week_start": week_start, "skill_set": ALL, "required_fte": req.sum(axis=0),
        "required_fte_low": low.sum(axis=0), "required_fte_high": high.sum(axis=0),
        "available_fte": supply.total(),
        "planned_fte": sum(sol.fte.values(), np.zeros(W)),
        "overtime_fte": sum(sol.overtime.values(), np.zeros(W)),
        "shortfall_fte": sol.shortfall.sum(axis=0)})
    total["gap_fte"] = total["planned_fte"] + total["overtime_fte"] - total["required_fte"]
    out = pd.concat([total, *rows], ignore_index=True)
    out["month"] = out["week_start"].dt.strftime("%Y-%m")
    return out[PLAN_COLUMNS]


def hiring_table(p: Problem, sol: Solution, supply: Supply, order: list[str]) -> pd.DataFrame:
    """hiring_plan.csv: the classes of hiring.csv, the optimised classes and cross-skilling."""
    from planner.capacity.optimise import hire_cost

    lim = p.limits
    start = supply.start
    rows = []

    def day(week: float) -> str:
        return f"{start + pd.Timedelta(days=round(7 * week)):%Y-%m-%d}"

    for c in supply.classes:
        rows.append({"kind": "hire", "source": "hiring.csv", "start": day(c.start_week),
                     "heads": c.heads, "skills": label(c.skills, order), "from_skills": "",
                     "training_weeks": c.training_weeks, "ramp_weeks": c.ramp_weeks,
                     "productive_from": day(c.start_week + c.training_weeks),
                     "full_speed_from": day(c.start_week + c.training_weeks + c.ramp_weeks),
                     "cost": np.nan})
    for s, k, n in sorted(sol.hires, key=lambda r: (r[1], label(r[0], order))):
        rows.append({"kind": "hire", "source": "optimised", "start": day(k), "heads": n,
                     "skills": label(s, order), "from_skills": "",
                     "training_weeks": lim.training_weeks, "ramp_weeks": lim.ramp_weeks,
                     "productive_from": day(k + lim.training_weeks),
                     "full_speed_from": day(k + lim.training_weeks + lim.ramp_weeks),
                     "cost": hire_cost(p, k) * n})
    for s, t, k, n in sorted(sol.cross, key=lambda r: (r[2], label(r[0], order), r[1])):
        rows.append({"kind": "cross_skill", "source": "optimised", "start": day(k), "heads": n,
                     "skills": label(s | {t}, order), "from_skills": label(s, order),
                     "training_weeks": lim.cross_skill_weeks, "ramp_weeks": 0,
                     "productive_from": day(k + lim.cross_skill_weeks),
                     "full_speed_from": day(k + lim.cross_skill_weeks),
                     "cost": p.costs.cross_skill * n})
    out = pd.DataFrame(rows, columns=[c for c in HIRING_COLUMNS if c != "class"])
    out.insert(0, "class", [f"C{i + 1}" for i in range(len(out))])
    return out


def demand_table(demand: Demand, required: pd.DataFrame) -> pd.DataFrame:
    out = demand.weekly.merge(required, on=["week_start", "case_type"], how="left")
    return out[DEMAND_COLUMNS]


def capacity_plan(folder: DataFolder, months: int = 12, *, start: pd.Timestamp | None = None,
                  seconds: float | None = None) -> CapacityPlan:
    """Demand, requirement, supply and the least-cost hiring plan for ``months`` months.

    Parameters
    ----------
    folder : the data folder (history, agents.csv, skills.csv; optional hiring.csv, training.csv,
        events.csv).
    months : horizon, 1 to 18.
    start : first day (default: the day after the history).
    seconds : the optimiser's time limit (default: capacity.solver_seconds).
    """
    t0 = time.perf_counter()
    weeks = horizon_weeks(months)
    folder.require_agents("capacity")
    config = folder.config
    order = folder.case_types
    demand = weekly_demand(folder, weeks, start)
    required = weekly_requirements(demand.intervals, config, demand.start)
    supply = current_supply(folder, demand.start, weeks)
    problem = build_problem(folder, required, supply)
    cap = config.capacity
    sol = optimise(problem, seconds=seconds or cap.solver_seconds, gap=cap.solver_gap)
    plan = plan_table(problem, sol, supply, required, order)
    hiring = hiring_table(problem, sol, supply, order)
    notes = [*demand.notes, *supply.notes,
             f"attrition {supply.attrition:.2%} a month ({supply.attrition_source})",
             f"volume growth {demand.growth_per_year:+.1%} a year ({demand.growth_source})"]
    if sol.status != "optimal":
        notes.append(f"the hiring plan is the best found in the time limit: cost "
                     f"{sol.objective:,.0f}, at most {sol.objective - sol.bound:,.0f} above the best "
                     "possible")
    total = plan[plan["skill_set"] == ALL]
    first = total.head(min(4, weeks))
    hours = fte_hours(config)
    new = hiring[hiring["source"] == "optimised"]
    figures = {
        "weeks planned": str(weeks),
        "required FTE, first month": f"{first['required_fte'].mean():,.1f}",
        "available FTE, first month": f"{first['available_fte'].mean():,.1f}",
        "required FTE, peak week": f"{total['required_fte'].max():,.1f}",
        "hires planned": str(int(new.loc[new["kind"] == "hire", "heads"].sum())),
        "cross-skilled agents": str(int(new.loc[new["kind"] == "cross_skill", "heads"].sum())),
        "shortfall left": f"{total['shortfall_fte'].sum() * hours:,.0f} agent-hours",
        "plan cost": f"{sol.objective:,.0f}",
    }
    return CapacityPlan(plan, hiring, demand_table(demand, required), demand.start, weeks, figures,
                        tuple(dict.fromkeys(notes)), sol.status, time.perf_counter() - t0,
                        config.center.name)
