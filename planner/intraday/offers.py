"""Offers that close the gap of the rest of the day: overtime, voluntary time off, moved training.

Every offer is measured by the exact re-plan of activities on fixed shifts (the maximum flow of
:mod:`planner.analysis.replan`: working agents to the case types they may take, per interval): the
shortfall of the rest of the day an offer removes (or adds) is the difference of that least
shortfall with and without it, free of solver noise. Intervals are independent in that flow (an
agent covers one interval at a time), so an offer is measured on the intervals it touches.

* **Overtime**: a longer shift that contains the published shift and adds time only ahead of now
  (an earlier start still to come, or a later end), by at most :data:`MAX_EXTENSION_HOURS`. The
  longer shifts are those of the scheduling problem built with every length up to that much beyond
  the config's patterns (:func:`extended_config`; never past the config's 14-hour limit), so the
  scheduler's own rules judge them: the shifts the day allows (opening hours, the start grid, the
  agent's availability and own hours) and the agent's week
  (:func:`planner.scheduling.dayfix.keeps_rules`: rest between shifts, maximum hours, days). Offers
  are taken in order of the shortfall each removes alone, each measured after the ones before it.
* **Voluntary time off**: a shorter pattern with the same start that ends after now (the agent
  goes home early), when it adds no shortfall and the week still keeps every rule (minimum hours
  included); most hours released first.
* **Training**: today's training of the rest of the day whose return to case work would remove
  shortfall, with the later day of its window where the agent's shift meets the most surplus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from planner.analysis.replan import interval_shortfall
from planner.domain import NON_WORK
from planner.intraday.replan import Locked, Replan
from planner.io.config import PlannerConfig
from planner.scheduling.activities import TRAINING
from planner.scheduling.dayfix import OFF, keeps_rules
from planner.scheduling.problem import SchedulingProblem
from planner.scheduling.templates import DAY, Template
from planner.scheduling.week import roster_problem

OFFER_COLUMNS = ["kind", "agent_id", "name", "shift", "offer", "hours", "shortfall_change_hours",
                 "note"]
MAX_OFFERS = 10  # of each kind
# Longest overtime on top of a published shift [h] (a supervisor's usual reach for one day).
MAX_EXTENSION_HOURS = 2.0
LONGEST_SHIFT_HOURS = 14.0  # the config's own limit on a shift length
EPS = 1e-6


def _hhmm(minute: int) -> str:
    h, m = divmod(minute % DAY, 60)
    return f"{h:02d}:{m:02d}"


class _Flow:
    """Who works in each interval of the rest of the day, and the least shortfall of a set of
    intervals [agent-hours] with some agents added or taken away."""

    def __init__(self, locked: Locked, replan: Replan, day: int, cut: int) -> None:
        problem, grid = locked.problem, locked.problem.grid
        self.hours = problem.interval / 60
        self.types = [c for c in problem.activities]
        self.eligible = np.array([[c in a.eligible for c in self.types] for a in problem.agents],
                                 dtype=bool)
        self.required = problem.required
        self._memo: dict[tuple[int, frozenset[int]], float] = {}
        self.work: dict[int, set[int]] = {}
        for i, acts in replan.activity_of.items():
            for t, act in acts.items():
                if cut <= t < (day + 1) * grid.per_day and act not in NON_WORK:
                    self.work.setdefault(t, set()).add(i)

    def short(self, times, add: dict[int, set[int]] | None = None,
              drop: dict[int, set[int]] | None = None) -> float:
        total = 0.0
        for t in set(times):
            base = frozenset(self.work.get(t, set()))
            if t not in (drop or {}) and self._at(t, base) == 0.0:
                continue  # nothing short here, and nobody leaves
            who = set(base)
            who |= (add or {}).get(t, set())
            who -= (drop or {}).get(t, set())
            total += self._at(t, frozenset(who))
        return total * self.hours

    def _at(self, t: int, who: frozenset[int]) -> float:
        key = (t, who)
        if key not in self._memo:
            need = self.required[:, t]
            self._memo[key] = (interval_shortfall(need, self.eligible[sorted(who)])
                               if need.any() else 0.0)
        return self._memo[key]

    def change(self, add: dict[int, set[int]] | None = None,
               drop: dict[int, set[int]] | None = None) -> float:
        """Shortfall after minus before [agent-hours]."""
        times = set(add or {}) | set(drop or {})
        return self.short(times, add, drop) - self.short(times)

    def apply(self, add: dict[int, set[int]] | None = None,
              drop: dict[int, set[int]] | None = None) -> None:
        for t, who in (add or {}).items():
            self.work.setdefault(t, set()).update(who)
        for t, who in (drop or {}).items():
            self.work.get(t, set()).difference_update(who)


@dataclass(frozen=True)
class Extension:
    """An overtime offer as plan data: agent ``agent`` works template ``template`` instead of
    their published shift today, adding the grid intervals ``intervals``."""

    agent: int
    template: Template
    intervals: tuple[int, ...]


@dataclass(frozen=True)
class Offers:
    """The offers table (offers.csv) and the overtime offers as extensions of the plan."""

    table: pd.DataFrame
    overtime: tuple[Extension, ...]


def extended_config(config: PlannerConfig) -> PlannerConfig:
    """The config with every shift length up to :data:`MAX_EXTENSION_HOURS` beyond its patterns,
    on the interval grid: the shifts an overtime offer may turn a published shift into."""
    step = config.center.interval_minutes / 60
    lengths = set(config.shifts.lengths_hours)
    for hours in config.shifts.lengths_hours:
        for j in range(1, int(MAX_EXTENSION_HOURS / step + 1e-9) + 1):
            if hours + j * step <= LONGEST_SHIFT_HOURS:
                lengths.add(round(hours + j * step, 6))
    shifts = config.shifts.model_copy(update={"lengths_hours": sorted(lengths, reverse=True)})
    return config.model_copy(update={"shifts": shifts})


def offers(locked: Locked, replan: Replan, day: int, cut: int, absent: set[str],
           wide: SchedulingProblem | None = None) -> Offers:
    """Overtime, voluntary time off and training moves for the rest of ``day`` (from grid interval
    ``cut``), measured on the re-planned activities (see the module docstring). ``wide`` is the
    scheduling problem built with :func:`extended_config` (overtime then only uses the config's
    own patterns when it is None)."""
    problem, grid, iv = locked.problem, locked.problem.grid, locked.problem.interval
    rp = roster_problem(problem)
    wide = wide if wide is not None else problem
    rp_wide = rp if wide is problem else roster_problem(wide)
    wide_id = {t: k for k, t in enumerate(wide.templates)}
    cut_minute = cut * iv - day * DAY
    today = sorted((i, k) for (i, d), k in locked.shifts.items()
                   if d == day and problem.agents[i].agent_id not in absent)

    def row_with(i: int, k2: int) -> list[int]:
        row = [locked.shifts.get((i, e), OFF) for e in range(grid.days)]
        row[day] = k2
        return row

    def span(i: int, lo: int, hi: int) -> dict[int, set[int]]:
        return {grid.index(day, m): {i} for m in range(lo, hi, iv)}

    def shift_text(k: int) -> str:
        t = problem.templates[k]
        return f"{_hhmm(t.start_minute)}-{_hhmm(t.end_minute)}"

    gap = problem.required - replan.scheduled  # > 0: short, <= -1: a whole agent spare
    act_index = {c: n for n, c in enumerate(problem.activities)}

    def short_for(i: int, ts) -> bool:
        """Is any of the agent's case types short in one of ``ts`` (else adding them is useless)?"""
        mine = [act_index[c] for c in problem.agents[i].eligible]
        return bool(mine) and any((gap[mine, t] > 1e-9).any() for t in ts)

    def spare(i: int, ts) -> bool:
        """Is the agent's activity in each of ``ts`` a case type with a whole agent spare (else
        sending them home opens a gap, or needs a chain of moves the offer would not show)?"""
        acts = replan.activity_of.get(i, {})
        return all(acts.get(t) not in act_index or gap[act_index[acts[t]], t] <= -1 + 1e-9
                   for t in ts)

    rows: list[dict] = []
    extensions: list[Extension] = []
    flow = _Flow(locked, replan, day, cut)
    # Overtime: each agent's best extension alone, then taken in order, each measured after the
    # ones before it.
    cands = []
    for i, k in today:
        tpl = problem.templates[k]
        week = [wide_id.get(problem.templates[locked.shifts[(i, e)]]) if (i, e) in locked.shifts
                else OFF for e in range(grid.days)]
        if None in week:
            continue  # a shift no pattern gives (edited by hand): the rules cannot judge it
        best = None
        for k2 in wide.allowed[i][day]:
            t2 = wide.templates[k2]
            if t2.length_minutes <= tpl.length_minutes or t2.start_minute > tpl.start_minute \
                    or t2.end_minute < tpl.end_minute \
                    or t2.length_minutes - tpl.length_minutes > MAX_EXTENSION_HOURS * 60:
                continue
            if t2.start_minute < tpl.start_minute and t2.start_minute < cut_minute:
                continue  # the earlier start has passed
            add = {**span(i, t2.start_minute, tpl.start_minute),
                   **span(i, tpl.end_minute, t2.end_minute)}
            if not short_for(i, add):
                continue
            gain = -flow.change(add=add)
            row = list(week)
            row[day] = k2
            if gain > EPS and (best is None or gain > best[0] + EPS) \
                    and keeps_rules(wide, rp_wide, i, row):
                best = (gain, t2, add)
        if best is not None:
            cands.append((best[0], problem.agents[i].agent_id, i, k, best[1], best[2]))
    for _gain, _aid, i, k, t2, add in sorted(cands, key=lambda c: (-c[0], c[1])):
        if sum(r["kind"] == "overtime" for r in rows) >= MAX_OFFERS:
            break
        delta = flow.change(add=add)
        if -delta <= EPS:
            continue
        tpl = problem.templates[k]
        parts = []
        if t2.start_minute < tpl.start_minute:
            parts.append(f"start at {_hhmm(t2.start_minute)}")
        if t2.end_minute > tpl.end_minute:
            parts.append(f"stay until {_hhmm(t2.end_minute)}")
        a = problem.agents[i]
        rows.append({"kind": "overtime", "agent_id": a.agent_id, "name": a.name,
                     "shift": shift_text(k), "offer": " and ".join(parts),
                     "hours": (t2.paid_minutes - tpl.paid_minutes) / 60,
                     "shortfall_change_hours": delta, "note": ""})
        extensions.append(Extension(i, t2, tuple(sorted(add))))
        flow.apply(add=add)
    # Voluntary time off, measured on the plan without the overtime (offers, not decisions).
    flow = _Flow(locked, replan, day, cut)
    vto = []
    for i, k in today:
        tpl = problem.templates[k]
        for k2 in sorted(problem.allowed[i][day], key=lambda k2: problem.templates[k2].end_minute):
            t2 = problem.templates[k2]
            if t2.start_minute != tpl.start_minute or t2.end_minute >= tpl.end_minute \
                    or t2.end_minute <= cut_minute:
                continue
            drop = span(i, t2.end_minute, tpl.end_minute)
            if spare(i, drop) and flow.change(drop=drop) <= EPS and keeps_rules(problem, rp, i, row_with(i, k2)):
                vto.append((tpl.paid_minutes - t2.paid_minutes, problem.agents[i].agent_id, i, k,
                            k2, drop))
                break
    for minutes, _aid, i, k, k2, drop in sorted(vto, key=lambda c: (-c[0], c[1])):
        if sum(r["kind"] == "voluntary time off" for r in rows) >= MAX_OFFERS:
            break
        delta = flow.change(drop=drop)
        if delta > EPS:
            continue
        a = problem.agents[i]
        rows.append({"kind": "voluntary time off", "agent_id": a.agent_id, "name": a.name,
                     "shift": shift_text(k),
                     "offer": f"go home at {_hhmm(problem.templates[k2].end_minute)}",
                     "hours": minutes / 60, "shortfall_change_hours": delta, "note": ""})
        flow.apply(drop=drop)
    rows += _training_moves(locked, replan, day, cut, _Flow(locked, replan, day, cut))
    return Offers(pd.DataFrame(rows, columns=OFFER_COLUMNS), tuple(extensions))


def with_overtime(locked: Locked, replan: Replan, extensions: tuple[Extension, ...]
                  ) -> pd.DataFrame:
    """The re-plan's assignments with every overtime offer accepted: each added interval goes to
    the agent's case type that is shortest there (required minus planned, after the agents
    placed before), so the extension works where the offer measured its gain."""
    problem = locked.problem
    gap = (problem.required - replan.scheduled).astype(float)
    act_index = {c: n for n, c in enumerate(problem.activities)}
    stamps = problem.grid.timestamps()
    rows = []
    for ext in extensions:
        a = problem.agents[ext.agent]
        mine = [act_index[c] for c in a.eligible if c in act_index]
        for t in ext.intervals:
            if not mine:
                break
            c = max(mine, key=lambda c: (gap[c, t], -c))
            gap[c, t] -= 1
            rows.append({"agent_id": a.agent_id, "interval_start": pd.Timestamp(stamps[t]),
                         "activity": problem.activities[c]})
    if not rows:
        return replan.assignments
    extra = pd.DataFrame(rows).astype({"agent_id": "string", "activity": "string"})
    return (pd.concat([replan.assignments, extra], ignore_index=True)
            .sort_values(["agent_id", "interval_start"], kind="stable").reset_index(drop=True))


def _training_moves(locked: Locked, replan: Replan, day: int, cut: int, flow: _Flow) -> list[dict]:
    problem, grid, iv = locked.problem, locked.problem.grid, locked.problem.interval
    blocks: dict[tuple[int, str], list[int]] = {}
    for (i, t), topic in sorted(replan.topic_of.items()):
        if cut <= t < (day + 1) * grid.per_day and replan.activity_of[i].get(t) == TRAINING:
            blocks.setdefault((i, topic), []).append(t)
    surplus = np.maximum(replan.scheduled - problem.required, 0)
    out = []
    for (i, topic), ts in sorted(blocks.items(), key=lambda kv: (problem.agents[kv[0][0]].agent_id,
                                                                   kv[0][1])):
        gain = -flow.change(add={t: {i} for t in ts})
        if gain <= EPS:
            continue
        a = problem.agents[i]
        session = next((s for s in problem.training if s.agent == i and s.topic == topic), None)
        last = session.last_day if session is not None else grid.days - 1
        mine = [c for c, name in enumerate(problem.activities) if name in a.eligible]
        best = None
        for d in range(day + 1, last + 1):
            k = locked.shifts.get((i, d))
            if k is None:
                continue
            tpl = problem.templates[k]
            t0, t1 = grid.index(d, tpl.start_minute), grid.index(d, tpl.end_minute)
            spare = float(surplus[mine, t0:t1].sum()) * iv / 60
            if best is None or spare > best[0]:
                best = (spare, d)
        if best is None:
            where, note = "no later shift in its window", "keep it today"
        else:
            where = f"move to {grid.start + timedelta(days=best[1]):%a %d %b}"
            note = f"{best[0]:.1f} agent-hours of surplus on the agent's types during that shift"
        out.append({"kind": "move training", "agent_id": a.agent_id, "name": a.name,
                    "shift": topic, "offer": where, "hours": len(ts) * iv / 60,
                    "shortfall_change_hours": -gain, "note": note})
    return out


__all__ = ["MAX_EXTENSION_HOURS", "OFFER_COLUMNS", "Extension", "Offers", "extended_config",
           "offers", "with_overtime"]
