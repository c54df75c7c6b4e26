"""Supply per skill set and week: today's agents, attrition, hiring classes and their ramp-up, and
planned cross-skilling.

FTE are expected values: an agent without a known end date is present with probability
``(1 - attrition) ** months``; a class of ``heads`` adds ``heads * ramp * survival``. A skill set is
the set of case types an agent may take by skill level (:func:`planner.domain.is_eligible` at the
tier the type asks for: tiers are a weekly matter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.domain import is_eligible
from planner.io.config import PlannerConfig
from planner.io.folder import DataFolder, split_skills

#: days in an average month
MONTH_DAYS = 365.25 / 12
#: monthly attrition when planner.toml does not state one and agents.csv cannot tell
DEFAULT_ATTRITION = 0.02
#: the window attrition is measured over [days before the plan starts]
ATTRITION_WINDOW_DAYS = 365

SkillSet = frozenset[str]


def survival(rate: float, days: np.ndarray | float) -> np.ndarray:
    """Share still with the center ``days`` later at a monthly attrition ``rate``."""
    return (1.0 - rate) ** (np.maximum(np.asarray(days, dtype=float), 0.0) / MONTH_DAYS)


def ramp(weeks_since_start: np.ndarray | float, training_weeks: float, ramp_weeks: float) -> np.ndarray:
    """Productivity of a new hire: 0 in training, then linear to 1 over ``ramp_weeks``."""
    x = np.asarray(weeks_since_start, dtype=float) - training_weeks
    if ramp_weeks <= 0:
        return (x >= 0).astype(float)
    return np.clip(x / ramp_weeks, 0.0, 1.0)


def class_fte(heads: float, weeks_since_start: np.ndarray, training_weeks: float, ramp_weeks: float,
              attrition: float) -> np.ndarray:
    """Productive FTE a class adds, by weeks since its start (0 before it starts)."""
    w = np.asarray(weeks_since_start, dtype=float)
    return np.where(w >= 0, heads * ramp(w, training_weeks, ramp_weeks) * survival(attrition, 7 * w), 0.0)


def label(skills: SkillSet, order: list[str]) -> str:
    """A skill set's name: its case types in configuration order, joined by '+'."""
    rank = {n: i for i, n in enumerate(order)}
    return "+".join(sorted(skills, key=lambda n: (rank.get(n, len(rank)), n)))


@dataclass(frozen=True)
class HiringClass:
    """A class of new hires: ``start`` in weeks from the plan start (may be fractional)."""

    start_week: float
    heads: int
    skills: SkillSet
    training_weeks: int
    ramp_weeks: int
    source: str = "hiring.csv"

    def fte(self, weeks: int, attrition: float) -> np.ndarray:
        return class_fte(self.heads, np.arange(weeks) - self.start_week, self.training_weeks,
                         self.ramp_weeks, attrition)

    def in_training(self, weeks: int) -> np.ndarray:
        """Heads in training in each week."""
        w = np.arange(weeks) - self.start_week
        return np.where((w >= 0) & (w < self.training_weeks), self.heads, 0)


@dataclass(frozen=True)
class Supply:
    """FTE per skill set and week before any new decision (``fte``), the agents' skill sets, and how
    attrition was set."""

    start: pd.Timestamp
    weeks: int
    fte: dict[SkillSet, np.ndarray]
    heads: dict[SkillSet, int]
    classes: tuple[HiringClass, ...]
    attrition: float
    attrition_source: str
    notes: tuple[str, ...] = field(default=())

    def total(self) -> np.ndarray:
        return sum(self.fte.values(), np.zeros(self.weeks))


def measured_attrition(agents: pd.DataFrame, start: pd.Timestamp) -> tuple[float, int, float] | None:
    """Monthly attrition from start/end dates over the year before ``start``: (rate, leavers,
    agent-months); None when agents.csv gives no end dates."""
    if "end_date" not in agents or agents["end_date"].isna().all():
        return None
    lo = start - pd.Timedelta(days=ATTRITION_WINDOW_DAYS)
    first = agents["start_date"] if "start_date" in agents else pd.Series(pd.NaT, index=agents.index)
    begin = first.fillna(lo).clip(lower=lo)
    end = (agents["end_date"] + pd.Timedelta(days=1)).fillna(start).clip(upper=start)
    months = ((end - begin).dt.days.clip(lower=0) / MONTH_DAYS).sum()
    leavers = int(((agents["end_date"] >= lo) & (agents["end_date"] < start)).sum())
    if months <= 0:
        return None
    # a constant hazard: leavers per agent-month, as a monthly share
    return float(1.0 - np.exp(-leavers / months)), leavers, float(months)


def attrition_rate(folder: DataFolder, start: pd.Timestamp) -> tuple[float, str]:
    stated = folder.config.capacity.attrition_per_month
    if stated is not None:
        return stated, "planner.toml"
    agents = folder.agents
    found = measured_attrition(agents, start) if agents is not None else None
    if found is not None:
        rate, leavers, months = found
        return rate, f"measured: {leavers} leavers in {months:,.0f} agent-months of the last year"
    return DEFAULT_ATTRITION, (f"assumed {DEFAULT_ATTRITION:.0%} a month (set capacity."
                               "attrition_per_month, or give end_date in agents.csv)")


def agent_skill_sets(folder: DataFolder) -> dict[str, SkillSet]:
    """Each agent's skill set: the case types their level admits."""
    config: PlannerConfig = folder.config
    agents, skills = folder.agents, folder.skills
    out: dict[str, set[str]] = {str(a): set() for a in agents["agent_id"]}  # type: ignore[index]
    for row in skills.itertuples(index=False):  # type: ignore[union-attr]
        rules = config.case_type(str(row.case_type))
        if str(row.agent_id) in out and is_eligible(row.level, rules.min_tier, rules):
            out[str(row.agent_id)].add(str(row.case_type))
    return {a: frozenset(s) for a, s in out.items()}


def agent_fte(folder: DataFolder) -> pd.Series:
    """Each agent's FTE: their weekly maximum hours over a full-time week (shifts.max_hours)."""
    agents = folder.agents
    full = float(folder.config.shifts.max_hours)
    hours = agents["max_hours"].fillna(full) if "max_hours" in agents else \
        pd.Series(full, index=agents.index)  # type: ignore[index]
    return pd.Series((hours.clip(upper=full) / full).to_numpy(), index=agents["agent_id"].astype(str))


def hiring_classes(folder: DataFolder, start: pd.Timestamp) -> list[HiringClass]:
    cap = folder.config.capacity
    out = []
    if folder.hiring is None:
        return out
    for row in folder.hiring.itertuples(index=False):
        tw = getattr(row, "training_weeks", np.nan)
        rw = getattr(row, "ramp_weeks", np.nan)
        out.append(HiringClass((row.start - start).days / 7.0, int(row.heads),
                               frozenset(split_skills(row.skills)),
                               int(tw) if pd.notna(tw) else cap.training_weeks,
                               int(rw) if pd.notna(rw) else cap.ramp_weeks))
    return out


def cross_skilling(folder: DataFolder, start: pd.Timestamp) -> dict[str, list[tuple[str, float]]]:
    """Planned cross-skilling (training.csv rows whose topic is a case type): per agent, the types
    learned and the week (from the plan start) they count from: after ``latest``, else ``earliest``,
    else capacity.cross_skill_weeks from the start."""
    out: dict[str, list[tuple[str, float]]] = {}
    t = folder.training
    if t is None:
        return out
    types = set(folder.case_types)
    for row in t.itertuples(index=False):
        if row.topic not in types:
            continue
        when = next((d for d in (getattr(row, "latest", pd.NaT), getattr(row, "earliest", pd.NaT))
                     if pd.notna(d)), None)
        week = ((when - start).days + 1) / 7.0 if when is not None else \
            float(folder.config.capacity.cross_skill_weeks)
        out.setdefault(str(row.agent_id), []).append((str(row.topic), max(week, 0.0)))
    return out


def current_supply(folder: DataFolder, start: pd.Timestamp, weeks: int) -> Supply:
    """FTE per skill set and week from agents.csv, skills.csv, hiring.csv and training.csv."""
    folder.require_agents("capacity")
    rate, source = attrition_rate(folder, start)
    sets = agent_skill_sets(folder)
    fte = agent_fte(folder)
    learned = cross_skilling(folder, start)
    agents = folder.agents.set_index(folder.agents["agent_id"].astype(str))  # type: ignore[union-attr]
    week_start = start + pd.to_timedelta(np.arange(weeks) * 7, unit="D")
    days = np.arange(weeks) * 7.0
    table: dict[SkillSet, np.ndarray] = {}
    heads: dict[SkillSet, int] = {}
    notes: list[str] = []
    idle = []
    for agent, base in sets.items():
        row = agents.loc[agent]
        present = np.ones(weeks)
        first = row.get("start_date", pd.NaT)
        last = row.get("end_date", pd.NaT)
        if pd.notna(first):
            joined = np.asarray(first <= week_start + pd.Timedelta(days=6))
            present *= joined
            days_in = np.maximum(days - max((first - start).days, 0), 0.0)
        else:
            days_in = days
        if pd.notna(last):
            present *= np.asarray(last >= week_start)
        else:
            present *= survival(rate, days_in)
        if not present.any():
            continue
        if not base and agent not in learned:
            idle.append(agent)
            continue
        value = present * fte[agent]
        # the skill set changes in the week a planned cross-skilling ends
        changes = sorted(learned.get(agent, []), key=lambda x: x[1])
        current, since = set(base), 0
        for topic, week in [*changes, ("", float(weeks))]:
            upto = min(int(np.ceil(week)), weeks)
            if upto > since:
                key = frozenset(current)
                part = np.zeros(weeks)
                part[since:upto] = value[since:upto]
                if key:
                    table[key] = table.get(key, np.zeros(weeks)) + part
                since = upto
            if topic:
                current.add(topic)
        if since == 0 or base:
            heads[frozenset(base)] = heads.get(frozenset(base), 0) + 1
    if idle:
        notes.append(f"{len(idle)} agent(s) may take no case type by skill level and are left out")
    classes = hiring_classes(folder, start)
    for c in classes:
        table[c.skills] = table.get(c.skills, np.zeros(weeks)) + c.fte(weeks, rate)
    return Supply(start, weeks, table, heads, tuple(classes), rate, source, tuple(notes))
