"""Re-plan the rest of a day on the published shifts: breaks, activities, swarm time and training.

The shifts stay as published (start, end, length). What the rest of the day can still change is
re-planned with the scheduler's own stage 2 (:func:`planner.scheduling.activities.plan_days`: the
per-day break and activity MIP, swarm included) and training post-step
(:func:`planner.scheduling.training.place_training`), run on the part of each agent's shift that
lies ahead:

* the past is kept: intervals before the re-plan start, and a break, lunch or training block that
  is under way at that moment (it runs to its end as planned);
* each remaining shift is a :class:`~planner.scheduling.templates.Template` of its own, from the
  agent's re-plan start to the shift end, holding the breaks not yet started with their windows
  cut to the future (so every break still lies in the window the rule gives the whole shift);
* the training hours the morning plan put in the rest of the day are placed again, in blocks of
  their session's minimum length, where the agents are least needed now;
* absent agents do no activity from their absence on (``absent`` in assignments.csv).

The re-plan replaces the morning's activities only when it lowers the scheduler's coverage cost
(:func:`planner.scheduling.bound.coverage_cost`) against the new requirements: a re-plan that
changes nothing a supervisor would see is not worth the churn.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.domain import ABSENT
from planner.errors import ContractError, Problem
from planner.scheduling.activities import BREAK, LUNCH, TRAINING, DayPlan, plan_days
from planner.scheduling.bound import coverage_cost
from planner.scheduling.export import (
    assignments_frame,
    coverage_frame,
    schedule_frame,
    scheduled_matrix,
)
from planner.scheduling.problem import SchedulingProblem, TrainingSession
from planner.scheduling.templates import DAY, BreakWindow, Template, break_windows
from planner.scheduling.training import place_training
from planner.scheduling.week import DEFAULT_WEIGHTS

_BREAK = re.compile(r"^(break|lunch) (\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# The re-plan is taken when it lowers the coverage cost by more than this share.
MARGIN = 1e-4


@dataclass(frozen=True)
class Locked:
    """The published plan on the scheduling problem's grid.

    ``shifts[(agent, day)]`` template id; ``breaks[(agent, day)]`` break offsets [min after the
    shift start] in the template's order; ``activity[agent][t]`` and ``topic[(agent, t)]`` as
    assignments.csv has them.
    """

    problem: SchedulingProblem
    shifts: dict[tuple[int, int], int]
    breaks: dict[tuple[int, int], tuple[int, ...]]
    activity: dict[int, dict[int, str]]
    topic: dict[tuple[int, int], str]

    def plan(self) -> DayPlan:
        return DayPlan(dict(self.breaks), {i: dict(a) for i, a in self.activity.items()}, {}, {},
                       {}, 0.0)


def lock_plan(problem: SchedulingProblem, schedule: pd.DataFrame, assignments: pd.DataFrame,
              file: str = "schedule.csv") -> Locked:
    """Read schedule.csv and assignments.csv frames onto ``problem``'s grid (new templates are
    added for shifts the config's patterns do not list, e.g. a hand-edited plan)."""
    grid, iv = problem.grid, problem.interval
    base = pd.Timestamp(grid.start)
    index = {a.agent_id: i for i, a in enumerate(problem.agents)}
    templates = list(problem.templates)
    tid = {t: k for k, t in enumerate(templates)}
    shifts: dict[tuple[int, int], int] = {}
    breaks: dict[tuple[int, int], tuple[int, ...]] = {}
    problems = []
    for n, row in enumerate(schedule.itertuples(index=False)):
        aid = str(row.agent_id)
        start, end = pd.Timestamp(row.shift_start), pd.Timestamp(row.shift_end)
        day, minute = divmod(int((start - base) / pd.Timedelta(minutes=1)), DAY)
        if aid not in index or not 0 <= day < grid.days:
            problems.append(Problem(file, n + 2, "agent_id" if aid not in index else "shift_start",
                                    aid if aid not in index else str(start),
                                    "an agent of agents.csv" if aid not in index
                                    else "a shift inside the plan's horizon"))
            continue
        length = int((end - start) / pd.Timedelta(minutes=1))
        tpl = Template(minute, length, break_windows(length, problem.config))
        if tpl not in tid:
            tid[tpl] = len(templates)
            templates.append(tpl)
        i = index[aid]
        shifts[(i, day)] = tid[tpl]
        offs = []
        for text in [b for b in str(row.breaks or "").split("; ") if b and b != "nan"]:
            m = _BREAK.match(text)
            if m is None:
                problems.append(Problem(file, n + 2, "breaks", text, "breaks as 'break HH:MM-HH:MM'"))
                continue
            b0 = int(m.group(2)) * 60 + int(m.group(3))
            offs.append((b0 - minute) % DAY)
        if len(offs) != len(tpl.breaks):
            offs = [w.nominal for w in tpl.breaks]
        breaks[(i, day)] = tuple(offs)
    if problems:
        raise ContractError(problems)
    problem = dataclasses.replace(problem, templates=tuple(templates))
    activity: dict[int, dict[int, str]] = {}
    topic: dict[tuple[int, int], str] = {}
    minutes = ((pd.to_datetime(assignments["interval_start"]) - base) / pd.Timedelta(minutes=1))
    topics = (assignments["topic"] if "topic" in assignments
              else pd.Series(pd.NA, index=assignments.index))
    for aid, m, act, tp in zip(assignments["agent_id"].astype(str), minutes.to_numpy(),
                               assignments["activity"].astype(str), topics, strict=True):
        i = index.get(aid)
        if i is None or m < 0:
            continue
        t = int(m) // iv
        activity.setdefault(i, {})[t] = act
        if isinstance(tp, str) and tp:
            topic[(i, t)] = tp
    return Locked(problem, shifts, breaks, activity, topic)


@dataclass(frozen=True)
class Replan:
    """The re-planned horizon: the three plan tables, the scheduled matrix and what happened."""

    schedule: pd.DataFrame
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    scheduled: np.ndarray
    kept_cost: float
    replan_cost: float
    replanned: bool
    agents: int  # agents whose rest of the day was re-planned
    notes: tuple[str, ...]
    activity_of: dict[int, dict[int, str]]  # per agent, grid interval -> activity
    topic_of: dict[tuple[int, int], str]  # (agent, grid interval) -> training topic


def _absent_plan(locked: Locked, day: int, absent: dict[str, int]) -> dict[int, dict[int, str]]:
    """The published activities with each absent agent's shift ``absent`` from their time on."""
    problem, grid = locked.problem, locked.problem.grid
    activity = {i: dict(a) for i, a in locked.activity.items()}
    for aid, minute in absent.items():
        i = next((j for j, a in enumerate(problem.agents) if a.agent_id == aid), None)
        k = locked.shifts.get((i, day)) if i is not None else None
        if k is None:
            continue
        tpl = problem.templates[k]
        for t in range(grid.index(day, max(tpl.start_minute, minute - minute % grid.interval)),
                       grid.index(day, tpl.end_minute)):
            activity.setdefault(i, {})[t] = ABSENT
    return activity


def _rest_template(problem: SchedulingProblem, tpl: Template, offsets: tuple[int, ...], r0: int
                   ) -> tuple[Template, list[int]]:
    """The part of ``tpl`` from minute ``r0`` of its day on, with the breaks that start from
    there (windows cut to the future); and which of ``tpl``'s breaks those are."""
    free, which = [], []
    for b, (w, off) in enumerate(zip(tpl.breaks, offsets, strict=True)):
        if tpl.start_minute + off < r0:
            continue  # taken, or under way: kept
        lo = max(tpl.start_minute + w.earliest, r0) - r0
        hi = tpl.start_minute + w.latest - r0
        mid = min(max(tpl.start_minute + off - r0, lo), hi)
        free.append(BreakWindow(w.kind, w.minutes, lo, hi, mid))
        which.append(b)
    return Template(r0, tpl.end_minute - r0, tuple(free)), which


def replan_day(locked: Locked, day: int, cut: int, absent: dict[str, int], *,
               time_limit: float = 5.0, seed: int = 0, force: bool = False,
               skip: bool = False) -> Replan:
    """Re-plan the rest of horizon day ``day`` from grid interval ``cut`` on (see the module
    docstring). ``absent`` maps an agent id to the minute of the day from which they are absent.
    ``force`` takes the re-plan even when it does not lower the cost (for comparisons); ``skip``
    only takes the absent agents out of the published plan."""
    problem, grid, iv = locked.problem, locked.problem.grid, locked.problem.interval
    weights = DEFAULT_WEIGHTS
    kept = _absent_plan(locked, day, absent)
    index = {a.agent_id: i for i, a in enumerate(problem.agents)}
    gone = {index[a] for a in absent if a in index}
    sessions_of = {(s.agent, s.topic): s for s in problem.training}
    templates = list(problem.templates)
    sub_shifts: dict[tuple[int, int], int] = {}
    starts: dict[int, tuple[int, list[int]]] = {}  # agent -> (rest start interval, free breaks)
    sessions: list[TrainingSession] = []
    for (i, d), k in sorted(locked.shifts.items()):
        if d != day or i in gone:
            continue
        tpl = problem.templates[k]
        s1 = grid.index(day, tpl.end_minute)
        r0 = max(grid.index(day, tpl.start_minute), cut)
        acts = kept.get(i, {})
        # A break, lunch or training block under way at the cut runs to its end.
        while r0 < s1 and r0 > grid.index(day, tpl.start_minute) and acts.get(r0 - 1) in (
                BREAK, LUNCH, TRAINING) and acts.get(r0) == acts.get(r0 - 1) and (
                locked.topic.get((i, r0 - 1)) == locked.topic.get((i, r0))):
            r0 += 1
        if r0 >= s1:
            continue
        rest, which = _rest_template(problem, tpl, locked.breaks[(i, d)], r0 * iv - day * DAY)
        templates.append(rest)
        sub_shifts[(i, day)] = len(templates) - 1
        starts[i] = (r0, which)
        hours: dict[str, int] = {}
        for t in range(r0, s1):
            tp = locked.topic.get((i, t))
            if tp is not None:
                hours[tp] = hours.get(tp, 0) + 1
        for tp, n in sorted(hours.items()):
            block = sessions_of[(i, tp)].min_block if (i, tp) in sessions_of else 1
            sessions.append(TrainingSession(i, tp, n, min(block, n), day, day))
    scheduled_kept = scheduled_matrix(problem, DayPlan({}, kept, {}, {}, {}, 0.0))
    kept_cost = coverage_cost(problem, scheduled_kept, weights)
    notes: list[str] = []
    if skip or not sub_shifts:
        return _tables(locked, kept, locked.breaks, locked.topic, kept_cost, kept_cost, False, 0,
                       notes)
    sub = dataclasses.replace(problem, templates=tuple(templates), training=tuple(sessions))
    # plan_days shares its limit among the days left in the horizon; only this one has shifts
    plan = plan_days(sub, sub_shifts, time_limit=time_limit * (grid.days - day), seed=seed,
                     workers=1, weights=weights)
    activity = {i: dict(a) for i, a in kept.items()}
    topic = dict(locked.topic)
    for i, (r0, _) in starts.items():
        k = locked.shifts[(i, day)]
        for t in range(r0, grid.index(day, problem.templates[k].end_minute)):
            activity[i].pop(t, None)
            topic.pop((i, t), None)
    merged = DayPlan(plan.breaks, activity, plan.status, plan.objective, plan.bound, plan.wall_time)
    for i, acts in plan.activity.items():
        activity.setdefault(i, {}).update(acts)
    scheduled = scheduled_matrix(sub, merged)
    if any(v != "OPTIMAL" for v in plan.status.values()):
        notes.append("the day's break and activity model stopped at its time limit (a loaded "
                     "machine): the re-plan is the best found, not proven best")
    placed = place_training(sub, sub_shifts, merged, scheduled, weights)
    topic.update(placed.topic)
    replan_cost = coverage_cost(problem, scheduled, weights)
    short = placed.unplaced()
    if len(short):
        notes.append(f"training: {len(short)} session(s) could not be placed again in full today")
    better = replan_cost < kept_cost * (1 - MARGIN)
    if not (better or force):
        notes.append("the re-plan would not lower the coverage cost: the published activities are kept")
        return _tables(locked, kept, locked.breaks, locked.topic, kept_cost, replan_cost, False, 0,
                       notes)
    breaks = dict(locked.breaks)
    for i, (r0, which) in starts.items():
        k = locked.shifts[(i, day)]
        tpl = problem.templates[k]
        offs = list(locked.breaks[(i, day)])
        r_min = r0 * iv - day * DAY
        for b, off in zip(which, plan.breaks.get((i, day), ()), strict=True):
            offs[b] = r_min + off - tpl.start_minute
        breaks[(i, day)] = tuple(offs)
    return _tables(locked, activity, breaks, topic, kept_cost, replan_cost, True, len(starts), notes)


def _tables(locked: Locked, activity: dict[int, dict[int, str]],
            breaks: dict[tuple[int, int], tuple[int, ...]], topic: dict[tuple[int, int], str],
            kept_cost: float, replan_cost: float, replanned: bool, agents: int,
            notes: list[str]) -> Replan:
    problem = locked.problem
    plan = DayPlan(breaks, activity, {}, {}, {}, 0.0)
    topic = {key: tp for key, tp in topic.items() if activity.get(key[0], {}).get(key[1]) == TRAINING}
    scheduled = scheduled_matrix(problem, plan)
    return Replan(schedule_frame(problem, locked.shifts, plan, topic),
                  assignments_frame(problem, plan, topic), coverage_frame(problem, scheduled),
                  scheduled, kept_cost, replan_cost, replanned, agents, tuple(notes), activity,
                  topic)
