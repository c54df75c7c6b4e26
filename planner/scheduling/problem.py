"""The scheduling problem as the solver sees it: agents, eligibility groups, demand on the grid.

Built from a data folder plus the requirements and tiers files of a run (:func:`build_problem`).
Everything here is plain data; the models in :mod:`planner.scheduling.week` and
:mod:`planner.scheduling.activities` read it.

Eligibility. An agent may work activity ``c`` (a case type) when their skill level on ``c`` is at
least ``min_level`` of the case type and their tier is at least its ``min_tier``. A tier of
``insufficient_evidence`` counts as ``low`` for ``min_tier`` (performance not yet shown) and as
``medium`` for the transactional preference. The pooled ``swarm`` activity (expert time reserved
for complex types with a ``swarm_share``) needs tier ``high`` and level 4 or more on one of those
types; its requirement is ``sum_c required[c] * swarm_share[c] * swarm_time_share[c]``.

Groups. Agents with the same eligible activities and the same tier are interchangeable for
coverage; the coverage model works on these *skill groups* (a few dozen even for a thousand
agents) instead of on agents, which is what makes it scale.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from datetime import timedelta

import numpy as np
import pandas as pd

from planner.domain import SWARM, TIER_RANK, TIERS, tier_rank
from planner.errors import ContractError, MissingInputError, Problem
from planner.io.config import PlannerConfig
from planner.io.contracts import REQUIREMENTS, TIERS_OUT
from planner.io.folder import DataFolder
from planner.io.tables import read_table
from planner.scheduling.templates import DAY, Grid, Template, day_templates, open_mask

# The tier an agent counts as when tiers.csv does not judge them.
UNJUDGED_TIER = "medium"



@dataclass(frozen=True)
class Agent:
    """One agent's hard limits and abilities, in the solver's units (minutes, horizon days)."""

    agent_id: str
    name: str
    tier: str
    min_minutes: int  # paid minutes over the horizon
    max_minutes: int
    max_days: int  # per week
    earliest_start: int | None  # minutes after midnight
    latest_end: int | None
    hourly_cost: float
    levels: dict[str, int]
    eligible: tuple[str, ...]
    group: int
    team: str = ""
    # The minimum of the agent's contract when planned training raised ``min_minutes`` (their
    # fairness group follows the contract).
    contract_min_minutes: int | None = None


@dataclass(frozen=True)
class Wish:
    """A soft preference: not to work (any part of) ``[start, end)`` minutes on ``day``."""

    agent: int
    day: int
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class TrainingSession:
    """One row of training.csv on the grid: ``intervals`` grid intervals for agent ``agent`` in
    blocks of at least ``min_block`` intervals, in shifts that start on horizon days
    ``first_day..last_day`` (inclusive; ``last_day < first_day`` when the window misses the horizon).
    """

    agent: int
    topic: str
    intervals: int
    min_block: int
    first_day: int
    last_day: int

    def minutes(self, interval: int) -> int:
        return self.intervals * interval


# Default shortest contiguous training block when training.csv has no min_block_hours.
DEFAULT_MIN_BLOCK_HOURS = 1.0


@dataclass
class SchedulingProblem:
    """Everything the models need, on the horizon's grid.

    ``required[a, t]`` is the requirement of activity ``activities[a]`` in grid interval ``t``
    (agents, fractional allowed); ``allowed[i][d]`` the templates agent ``i`` may work on day ``d``
    (hard rules: opening hours, time off, availability windows, own start/end times);
    ``wishes`` the soft preferences; ``groups[g]`` the tuple of agent indices of group ``g``.
    """

    config: PlannerConfig
    grid: Grid
    activities: tuple[str, ...]
    priority: np.ndarray  # per activity
    complexity: tuple[str, ...]
    required: np.ndarray  # (activities, grid.size)
    agents: tuple[Agent, ...]
    groups: tuple[tuple[int, ...], ...]
    group_eligible: tuple[tuple[int, ...], ...]  # activity indices per group
    group_tier: tuple[str, ...]
    templates: tuple[Template, ...]  # all templates, index = template id
    day_templates: tuple[tuple[int, ...], ...]  # allowed template ids per day (opening hours)
    allowed: tuple[tuple[tuple[int, ...], ...], ...]  # per agent, per day: template ids
    wishes: tuple[Wish, ...] = ()
    open: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    notes: list[str] = field(default_factory=list)
    training: tuple[TrainingSession, ...] = ()
    # Per agent, their fair share of nights, lates and weekend days (planner.scheduling.fairness),
    # set once the first roster is known when fairness.weight is above 0; None: no fairness terms.
    fair_shares: np.ndarray | None = None
    # Tables derived from the fields above on demand, kept for the problem's life (e.g. presence
    # masks per day, template and break offsets).
    # Not an init field: dataclasses.replace() gives a changed problem a cache of its own.
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def training_minutes(self) -> np.ndarray:
        """Per agent, the minutes of planned training over the horizon (they cover no cases).

        For stage 1: an agent's coverage capacity is their working time minus these minutes.
        """
        out = np.zeros(len(self.agents), dtype=int)
        for s in self.training:
            out[s.agent] += s.minutes(self.interval)
        return out

    @property
    def interval(self) -> int:
        return self.grid.interval

    @functools.cached_property
    def group_position(self) -> tuple[int, ...]:
        """Per agent, their place in their skill group (stage 1's break variants follow it)."""
        out = [0] * len(self.agents)
        for members in self.groups:
            for pos, i in enumerate(members):
                out[i] = pos
        return tuple(out)

    @functools.cached_property
    def fair_groups(self) -> tuple[int, ...]:
        """Per agent, their fairness group (same team and contract)."""
        keys: dict[tuple, int] = {}
        return tuple(keys.setdefault(
            (a.team, a.min_minutes if a.contract_min_minutes is None else a.contract_min_minutes,
             a.max_minutes, a.max_days), len(keys)) for a in self.agents)

    def tier_cost(self, group: int, activity: int) -> int:
        """Cost per agent-interval of group ``group`` on ``activity`` (transactional preference)."""
        if self.complexity[activity] != "transactional":
            return 0
        # The tier's rank: high performers are kept free for the rest; an agent not judged
        # counts as the tier they are scheduled as.
        tier = self.group_tier[group]
        return tier_rank(tier if tier in TIERS else UNJUDGED_TIER)


def read_requirements(path, tz: str) -> pd.DataFrame:
    """Read and validate requirements.csv of a run."""
    return read_table(path, REQUIREMENTS, tz=tz)


def read_tiers(path) -> pd.DataFrame | None:
    """Read tiers.csv of a run (None when absent: every agent is then 'medium')."""
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        return None
    return read_table(path, TIERS_OUT)


def _minute(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _demand(req: pd.DataFrame, grid: Grid, activities: list[str], column: str) -> np.ndarray:
    """Requirements spread onto the grid (a coarser requirement repeats; a finer one takes the max)."""
    out = np.zeros((len(activities), grid.size))
    if req.empty:
        return out
    times = np.sort(req["interval_start"].unique())
    step = int(np.min(np.diff(times)) / np.timedelta64(1, "m")) if len(times) > 1 else grid.interval
    step = max(step, 1)
    base = pd.Timestamp(grid.start)
    minutes = ((req["interval_start"] - base) / pd.Timedelta(minutes=1)).to_numpy().astype(int)
    vals = req[column].fillna(0).to_numpy(dtype=float)
    types = req["case_type"].astype(str).to_numpy()
    pos = {c: i for i, c in enumerate(activities)}
    horizon = grid.days * DAY
    for m, v, c in zip(minutes, vals, types, strict=True):
        if m < 0 or m >= horizon or c not in pos:
            continue
        a = m // grid.interval
        b = max(a + 1, math.ceil((m + step) / grid.interval))
        out[pos[c], a:b] = np.maximum(out[pos[c], a:b], v)
    return out


def build_problem(data: DataFolder, requirements: pd.DataFrame, tiers: pd.DataFrame | None = None,
                  *, column: str = "agents_net") -> SchedulingProblem:
    """Turn a data folder, requirements and tiers into a :class:`SchedulingProblem`.

    Parameters
    ----------
    data : DataFolder
        Needs agents.csv and skills.csv; availability.csv is optional.
    requirements : DataFrame
        ``case_type, interval_start, agents_net[, agents_gross]``; the horizon starts at midnight of
        the first ``interval_start`` and lasts ``config.horizon_days``.
    tiers : DataFrame, optional
        ``agent_id, tier``; agents missing from it are 'medium'.
    column : str
        Requirement column to cover: ``agents_net`` (default: breaks are modelled explicitly, so
        covering gross would count break shrinkage twice) or ``agents_gross``.
    """
    config = data.config
    agents_df, skills = data.require_agents("schedule")
    if column not in requirements.columns:
        raise MissingInputError(f"requirements.csv has no column {column!r}")
    if requirements.empty:
        raise MissingInputError("requirements.csv has no rows: nothing to schedule")
    first = pd.Timestamp(requirements["interval_start"].min()).normalize()
    grid = Grid(first.date(), config.horizon_days, config.center.interval_minutes)
    types = [c for c in config.case_types if c in set(requirements["case_type"])]
    types += sorted(set(requirements["case_type"].astype(str)) - set(types))
    required = _demand(requirements, grid, types, column)
    cts = [config.case_type(c) for c in types]
    priority = [ct.priority for ct in cts]
    complexity = [ct.complexity for ct in cts]
    swarm_src = [(i, ct) for i, ct in enumerate(cts)
                 if ct.complexity == "complex" and ct.swarm_share > 0]
    activities = list(types)
    if swarm_src:
        swarm = sum(required[i] * ct.swarm_share * ct.swarm_time_share for i, ct in swarm_src)
        required = np.vstack([required, swarm[None, :]])
        activities.append(SWARM)
        priority.append(0.5 * min(ct.priority for _, ct in swarm_src))
        complexity.append("complex")

    tier_of: dict[str, str] = {}
    if tiers is not None:
        tier_of = dict(zip(tiers["agent_id"].astype(str), tiers["tier"].astype(str), strict=True))
    levels: dict[str, dict[str, int]] = {}
    for a, c, lv in zip(skills["agent_id"].astype(str), skills["case_type"].astype(str),
                        skills["level"].astype(int), strict=True):
        levels.setdefault(a, {})[c] = int(lv)

    sh = config.shifts
    week_scale = config.horizon_days / 7
    group_key: dict[tuple, int] = {}
    agents: list[Agent] = []
    for row in agents_df.itertuples(index=False):
        aid = str(row.agent_id)
        tier = tier_of.get(aid, UNJUDGED_TIER)
        lv = levels.get(aid, {})
        elig = []
        for i, c in enumerate(types):
            ct = cts[i]
            if lv.get(c, 0) >= ct.min_level and TIER_RANK[tier] >= TIER_RANK[ct.min_tier]:
                elig.append(c)
        if swarm_src and tier == "high" and any(
                lv.get(types[i], 0) >= max(4, ct.min_level) for i, ct in swarm_src):
            elig.append(SWARM)
        key = (tuple(elig), tier)
        g = group_key.setdefault(key, len(group_key))
        get = row._asdict()
        min_h = get.get("min_hours")
        max_h = get.get("max_hours")
        min_h = sh.min_hours if min_h is None or pd.isna(min_h) else float(min_h)
        max_h = sh.max_hours if max_h is None or pd.isna(max_h) else float(max_h)
        max_d = get.get("max_days")
        max_d = 7 - sh.days_off_per_week if max_d is None or pd.isna(max_d) else int(max_d)
        max_d = min(max_d, 7 - sh.days_off_per_week)
        cost = get.get("hourly_cost")
        agents.append(Agent(
            agent_id=aid, name=str(row.name), tier=tier,
            min_minutes=round(min_h * 60 * week_scale), max_minutes=round(max_h * 60 * week_scale),
            max_days=max_d, earliest_start=_minute(get.get("earliest_start")),
            latest_end=_minute(get.get("latest_end")),
            hourly_cost=0.0 if cost is None or pd.isna(cost) else float(cost),
            levels=lv, eligible=tuple(elig), group=g,
            team="" if get.get("team") is None or pd.isna(get.get("team")) else str(get["team"]),
        ))
    groups: list[list[int]] = [[] for _ in group_key]
    for i, a in enumerate(agents):
        groups[a.group].append(i)
    keys = sorted(group_key, key=group_key.get)
    act_index = {c: i for i, c in enumerate(activities)}
    group_eligible = tuple(tuple(act_index[c] for c in k[0]) for k in keys)
    group_tier = tuple(k[1] for k in keys)

    mask = open_mask(config, grid)
    per_day = day_templates(config, grid, mask)
    templates: list[Template] = []
    tid: dict[Template, int] = {}
    day_ids = []
    for tpls in per_day:
        ids = []
        for tpl in tpls:
            if tpl not in tid:
                tid[tpl] = len(templates)
                templates.append(tpl)
            ids.append(tid[tpl])
        day_ids.append(tuple(ids))
    allowed, wishes = _availability(data, grid, agents, templates, day_ids)
    problem = SchedulingProblem(
        config=config, grid=grid, activities=tuple(activities), priority=np.array(priority),
        complexity=tuple(complexity), required=required, agents=tuple(agents),
        groups=tuple(tuple(g) for g in groups), group_eligible=group_eligible,
        group_tier=group_tier, templates=tuple(templates), day_templates=tuple(day_ids),
        allowed=allowed, wishes=tuple(wishes), open=mask,
    )
    problem.training = _training_sessions(data, grid, agents)
    _reserve_training(problem)
    unknown = sorted(set(tier_of) - {a.agent_id for a in agents})
    if unknown:
        problem.notes.append(f"tiers.csv names {len(unknown)} agent(s) not in agents.csv "
                             f"(ignored): {', '.join(unknown[:5])}")
    return problem


def _training_sessions(data: DataFolder, grid: Grid, agents: list[Agent]
                       ) -> tuple[TrainingSession, ...]:
    """training.csv rows as sessions on the grid; hours round up to whole grid intervals."""
    tr = data.training
    if tr is None or tr.empty:
        return ()
    index = {a.agent_id: i for i, a in enumerate(agents)}
    base = pd.Timestamp(grid.start)
    out = []
    for row in tr.itertuples(index=False):
        get = row._asdict()
        aid = str(get["agent_id"])
        if aid not in index:
            continue  # load_folder's cross-check already rejects this
        block = get.get("min_block_hours")
        block = DEFAULT_MIN_BLOCK_HOURS if block is None or pd.isna(block) else float(block)
        hours = float(get["hours"])
        block = min(block, hours)
        lo, hi = get.get("earliest"), get.get("latest")
        first = 0 if lo is None or pd.isna(lo) else int((pd.Timestamp(lo) - base).days)
        last = grid.days - 1 if hi is None or pd.isna(hi) else int((pd.Timestamp(hi) - base).days)
        out.append(TrainingSession(
            agent=index[aid], topic=str(get["topic"]),
            intervals=math.ceil(round(hours * 60) / grid.interval),
            min_block=max(1, math.ceil(round(block * 60) / grid.interval)),
            first_day=max(0, first), last_day=min(grid.days - 1, last)))
    return tuple(sorted(out, key=lambda s: (agents[s.agent].agent_id, s.topic)))


def _reserve_training(problem: SchedulingProblem) -> None:
    """Raise an agent's minimum paid minutes so their shifts can hold their training.

    Training cannot sit on paid breaks, so ``m`` minutes of training need about ``m / f`` paid
    minutes where ``f`` is the smallest share of a template's paid time outside its breaks. The
    raise is capped by the agent's maximum and by what their availability allows (an upper bound
    from :func:`planner.scheduling.explain.max_paid_upper_bound`), so it never makes them
    over-constrained; what still does not fit is named after placement.
    """
    if not problem.training:
        return
    # Lazy: explain imports this module.
    from planner.scheduling.explain import max_paid_upper_bound

    iv = problem.interval
    share = min(((t.paid_minutes - sum(b.span(iv) * iv for b in t.breaks if b.kind != "lunch"))
                 / t.paid_minutes for t in problem.templates if t.paid_minutes > 0), default=1.0)
    share = max(share, 0.5)
    minutes = problem.training_minutes
    agents = list(problem.agents)
    for i, a in enumerate(agents):
        if minutes[i] <= 0:
            continue
        need = math.ceil(minutes[i] / share / iv) * iv
        target = min(need, a.max_minutes, max_paid_upper_bound(problem, i))
        if target > a.min_minutes:
            agents[i] = replace(a, min_minutes=target, contract_min_minutes=a.min_minutes)
            problem.notes.append(f"agent {a.agent_id}: minimum paid hours raised from "
                                 f"{a.min_minutes / 60:.1f} h to {target / 60:.1f} h to hold "
                                 f"{minutes[i] / 60:.1f} h of planned training")
    problem.agents = tuple(agents)


def _overlaps(tpl: Template, day_offset: int, start: int, end: int) -> bool:
    """Does a template started on day 0 overlap ``[start, end)`` minutes of day ``day_offset``?"""
    a, b = tpl.start_minute - day_offset * DAY, tpl.end_minute - day_offset * DAY
    return a < end and start < b


def _availability(data: DataFolder, grid: Grid, agents: list[Agent], templates: list[Template],
                  day_ids: list[tuple[int, ...]]):
    """Per agent and day, the templates the hard rules allow; and the soft wishes."""
    index = {a.agent_id: i for i, a in enumerate(agents)}
    hard: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (agent, day) -> blocked spans
    avail: dict[tuple[int, int], list[tuple[int, int]]] = {}
    wishes: list[Wish] = []
    av = data.availability
    if av is not None and not av.empty:
        base = pd.Timestamp(grid.start)
        days = ((av["date"] - base) / pd.Timedelta(days=1)).to_numpy()
        weight = av["weight"] if "weight" in av.columns else pd.Series(np.nan, index=av.index)
        for aid, d, s, e, kind, w in zip(av["agent_id"].astype(str), days, av["start"],
                                         av["end"], av["kind"].astype(str), weight, strict=True):
            if aid not in index or not (-1 <= d < grid.days) or pd.isna(d):
                continue
            i, d = index[aid], int(d)
            s, e = int(s), int(e) or DAY
            if kind == "available":
                avail.setdefault((i, d), []).append((s, e))
            elif kind == "time_off" or pd.isna(w) or float(w) <= 0:
                hard.setdefault((i, d), []).append((s, e))
            else:
                wishes.append(Wish(i, d, s, e, float(w)))
    allowed = []
    # Agents with the same own hours, blocked spans and windows on a day get the same templates:
    # each such day is worked out once (thousands of agents share a few).
    seen: dict[tuple, tuple[int, ...]] = {}
    for i, a in enumerate(agents):
        per_day = []
        for d in range(grid.days):
            key = (d, a.earliest_start, a.latest_end, tuple(hard.get((i, d), ())),
                   tuple(hard.get((i, d + 1), ())), tuple(avail.get((i, d), ())) if (i, d) in avail
                   else None)
            if key in seen:
                per_day.append(seen[key])
                continue
            ok = []
            for k in day_ids[d]:
                tpl = templates[k]
                if a.earliest_start is not None and tpl.start_minute < a.earliest_start:
                    continue
                if a.latest_end is not None:
                    le = a.latest_end if a.latest_end > (a.earliest_start or 0) else a.latest_end + DAY
                    if tpl.end_minute > (le or DAY):
                        continue
                # Blocked spans of this day and the next (an overnight shift runs into it).
                if any(_overlaps(tpl, 0, s, e) for s, e in hard.get((i, d), [])):
                    continue
                if any(_overlaps(tpl, 1, s, e) for s, e in hard.get((i, d + 1), [])):
                    continue
                wins = avail.get((i, d))
                if wins is not None and not any(
                        s <= tpl.start_minute and (tpl.end_minute <= e or (e == DAY and tpl.end_minute > DAY))
                        for s, e in wins):
                    continue
                ok.append(k)
            seen[key] = tuple(ok)
            per_day.append(seen[key])
        allowed.append(tuple(per_day))
    return tuple(allowed), wishes


def wish_violated(tpl: Template, wish: Wish) -> bool:
    """Does working ``tpl`` on ``wish.day`` break the wish (overlap with its span)?"""
    return _overlaps(tpl, 0, wish.start, wish.end)


def horizon_dates(grid: Grid) -> list:
    return [grid.start + timedelta(days=d) for d in range(grid.days)]


def problems_in(frame: pd.DataFrame, file: str) -> None:  # pragma: no cover - thin guard
    if frame is None:
        raise ContractError([Problem(file, None, None, None, "an existing file")])


def presence_mask(problem: SchedulingProblem, day: int, template: int,
                  offsets: tuple[int, ...]) -> np.ndarray:
    """Grid intervals where an agent on ``template`` on ``day`` is on an activity (not on break).
    Shared and read-only: one array per (day, template, offsets) of a problem."""
    cache = problem.derived.setdefault("presence_masks", {})
    key = (day, template, offsets)
    got = cache.get(key)
    if got is None:
        got = cache[key] = _presence_mask(problem, day, template, offsets)
        got.flags.writeable = False
    return got


def _presence_mask(problem: SchedulingProblem, day: int, template: int,
                   offsets: tuple[int, ...]) -> np.ndarray:
    grid, iv = problem.grid, problem.interval
    tpl = problem.templates[template]
    out = np.zeros(grid.size, dtype=bool)
    t0 = grid.index(day, tpl.start_minute)
    t1 = grid.index(day, tpl.end_minute)
    out[t0:t1] = True
    for w, off in zip(tpl.breaks, offsets, strict=True):
        b0 = t0 + off // iv
        out[b0:b0 + w.span(iv)] = False
    return out
