"""Hard-rule conflicts explained by name, before and after solving.

Before solving (:func:`precheck`): an agent whose availability and rules cannot reach their
minimum hours (a quick upper bound: the longest allowed shift on each allowed day, best
``max_days`` days per week, capped by the maximum hours); a case type with requirements that no
agent is eligible for (naming the rule that excludes everyone: minimum tier, minimum level, or no
skill at all). After solving: the agents whose minimum had to be relaxed (found exactly, one small
model per agent, in :mod:`planner.scheduling.greedy`), the case types left short, and planned
training that could not be placed in full (:func:`training_messages`, with the reason).

These are messages, not errors: the plan is still made and written; only when no plan exists at
all does the caller raise :class:`~planner.errors.InfeasibleError`.
"""

from __future__ import annotations

from planner.scheduling.problem import SWARM, TIER_RANK, SchedulingProblem
from planner.scheduling.rules import calendar_weeks


def hours(minutes: float) -> str:
    return f"{minutes / 60:.1f} h"


def max_paid_upper_bound(problem: SchedulingProblem, agent: int,
                         paid: tuple[int, ...] | None = None) -> int:
    """An upper bound on the paid minutes agent ``agent`` can work over the horizon (``paid``:
    each template's paid minutes, when the caller has them for many agents)."""
    a = problem.agents[agent]
    if paid is None:
        paid = tuple(t.paid_minutes for t in problem.templates)
    best = [max((paid[k] for k in ks), default=0) for ks in problem.allowed[agent][:problem.grid.days]]
    total = 0
    for week in calendar_weeks(problem.grid.start.weekday(), problem.grid.days):
        block = sorted(best[week.start:week.stop], reverse=True)
        cap = a.max_days if len(block) == 7 else round(a.max_days * len(block) / 7)
        cap = min(cap, problem.config.shifts.max_consecutive_days + (len(block) > 5))
        total += sum(block[:cap])
    return min(total, a.max_minutes)


def precheck(problem: SchedulingProblem) -> list[str]:
    """Conflicts that can be named before solving, one readable line each."""
    out: list[str] = []
    paid = tuple(t.paid_minutes for t in problem.templates)
    for i, a in enumerate(problem.agents):
        ub = max_paid_upper_bound(problem, i, paid)
        if a.min_minutes > ub:
            days = sum(1 for d in range(problem.grid.days) if problem.allowed[i][d])
            why = ("time off, unavailability or their own start/end times leave no allowed shift "
                   "in the horizon") if days == 0 else (
                f"availability and shift rules allow at most {hours(ub)} ({days} day(s) with an "
                f"allowed shift)")
            out.append(f"agent {a.agent_id} ({a.name}): minimum {hours(a.min_minutes)} cannot be "
                       f"met: {why}")
        if a.max_minutes < a.min_minutes:
            out.append(f"agent {a.agent_id} ({a.name}): minimum hours above maximum hours")
    cfg = problem.config
    for c, name in enumerate(problem.activities):
        need = float(problem.required[c].sum())
        if need <= 0:
            continue
        if any(c in elig and problem.groups[g] for g, elig in enumerate(problem.group_eligible)):
            continue
        if name == SWARM:
            out.append(f"activity swarm: {need * problem.interval / 60:.1f} agent-hours of expert "
                       f"time wanted but no high-tier agent has level 4+ on a swarming type")
            continue
        ct = cfg.case_type(name)
        skilled = [a for a in problem.agents if a.levels.get(name, 0) >= 1]
        leveled = [a for a in skilled if a.levels[name] >= ct.min_level]
        if not skilled:
            why = "no agent has this skill"
        elif not leveled:
            why = f"no skilled agent reaches level {ct.min_level}"
        else:
            tiers = sorted({a.tier for a in leveled}, key=lambda t: TIER_RANK[t])
            why = (f"needs tier {ct.min_tier} or above; the {len(leveled)} agent(s) with level "
                   f"{ct.min_level}+ are {', '.join(tiers)}")
        out.append(f"case type {name} ({ct.complexity}): no eligible agent can cover "
                   f"{need * problem.interval / 60:.1f} agent-hours of requirement: {why}")
    return out


def relaxed_messages(problem: SchedulingProblem, relaxed: dict[int, int]) -> list[str]:
    """One line per agent whose minimum hours were relaxed to what their rules allow."""
    out = []
    for i, best in sorted(relaxed.items()):
        a = problem.agents[i]
        out.append(f"agent {a.agent_id} ({a.name}): minimum {hours(a.min_minutes)} relaxed to "
                   f"{hours(best)}, the most their availability and shift rules allow")
    return out


def shortfall_messages(coverage_short: dict[str, float], top: int = 3) -> list[str]:
    """The case types left short, largest first (agent-hours)."""
    items = sorted(((v, k) for k, v in coverage_short.items() if v > 0.05), reverse=True)
    return [f"{k}: {v:.1f} agent-hours short" for v, k in items[:top]]


def training_messages(problem: SchedulingProblem, table) -> list[str]:
    """One line per training session placed short of its hours, with the reason.

    ``table`` is :attr:`planner.scheduling.training.TrainingPlan.table`.
    """
    names = {a.agent_id: a.name for a in problem.agents}
    out = []
    for row in table.itertuples(index=False):
        if not row.reason:
            continue
        out.append(f"agent {row.agent_id} ({names.get(row.agent_id, '')}): training "
                   f"'{row.topic}' {row.hours_requested:g} h, planned {row.hours_planned:g} h: "
                   f"{row.reason}")
    return out


def group_table(problem: SchedulingProblem) -> list[tuple[str, str, int]]:
    """(eligible activities, tier, agents) per skill group, for reports and debugging."""
    return [(", ".join(problem.activities[c] for c in elig) or "(none)", problem.group_tier[g],
             len(problem.groups[g])) for g, elig in enumerate(problem.group_eligible)]


__all__ = ["group_table", "hours", "max_paid_upper_bound", "precheck", "relaxed_messages",
           "shortfall_messages", "training_messages"]
