"""Planned training sessions (training.csv), placed into the finished plan as a post-step of stage 2.

Design. Stage 1 fixes shifts (knowing, through :func:`planner.scheduling.problem._reserve_training`,
that an agent with training needs enough paid time to hold it); stage 2 fixes breaks and activities.
Training is then placed agent by agent, session by session (sorted by agent id and topic, so the
result is deterministic), by turning some of the agent's working intervals into ``training``:

* only intervals of the agent's own shifts that start on a day of the session's window, never a
  break or lunch interval, never an interval another session already took;
* in contiguous blocks of at least ``min_block`` intervals (a block ends at a break, a lunch or the
  shift end);
* at least total cost, where the cost of an interval is the change in the coverage objective when
  the agent leaves what stage 2 gave them there: ``shortfall weight x priority`` per agent of
  shortfall it opens, minus the overstaffing it removes (stage 2's filler ``training`` of an
  agent with no eligible activity is treated like pure overstaffing: the cheapest place). A tiny
  cost per block prefers fewer, longer blocks among equal choices.

The choice is exact for one session: a dynamic programme over the agent's candidate intervals in
time order with state (intervals chosen, length of the current block capped at ``min_block``).
Costs are recomputed after every session from the updated plan, so a second agent avoids the gap
the first one opened.

Why a post-step and not inside the day MIPs: a session spans the week (its hours may go to any day),
which the per-day decomposition cannot see; and fixed-agent blocks would break the cohort
aggregation that keeps the day MIPs small. The price: stage 2 does not re-route the remaining agents
around a training block (another agent idle on an overstaffed type is not moved onto the gap).

What cannot be placed (no shift in the window, too little working time, blocks that do not fit)
is placed as far as it goes and reported with the reason; nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.scheduling.activities import BREAK, LUNCH, TRAINING, DayPlan
from planner.scheduling.problem import SchedulingProblem, TrainingSession
from planner.scheduling.week import DEFAULT_WEIGHTS, Weights

BLOCK_COST = 1e-3  # per block started: among equal costs, fewer and longer blocks
TRAINING_COLUMNS = ["agent_id", "topic", "hours_requested", "hours_planned", "blocks", "reason"]


@dataclass(frozen=True)
class TrainingPlan:
    """Where the training went: ``topic[(agent, t)]`` per planned interval, and per session a row of
    ``table`` (``agent_id, topic, hours_requested, hours_planned, blocks, reason``; ``reason`` is
    empty when all hours were placed)."""

    topic: dict[tuple[int, int], str]
    table: pd.DataFrame

    def unplaced(self) -> pd.DataFrame:
        return self.table[self.table["reason"] != ""]


def _runs(problem: SchedulingProblem, shifts: dict[tuple[int, int], int], plan: DayPlan,
          session: TrainingSession, taken: set[tuple[int, int]]) -> list[list[int]]:
    """The agent's free working intervals in the session's window, as runs of consecutive ones."""
    i, grid = session.agent, problem.grid
    acts = plan.activity.get(i, {})
    runs: list[list[int]] = []
    for d in range(session.first_day, session.last_day + 1):
        k = shifts.get((i, d))
        if k is None:
            continue
        tpl = problem.templates[k]
        cur: list[int] = []
        for t in range(grid.index(d, tpl.start_minute), grid.index(d, tpl.end_minute)):
            if acts.get(t) in (BREAK, LUNCH, None) or (i, t) in taken:
                if cur:
                    runs.append(cur)
                cur = []
            else:
                cur.append(t)
        if cur:
            runs.append(cur)
    return runs


def _cost(problem: SchedulingProblem, plan: DayPlan, scheduled: np.ndarray, i: int, t: int,
          weights: Weights) -> float:
    """Change of the coverage objective when agent ``i`` stops their stage 2 activity at ``t``."""
    act = plan.activity[i][t]
    horizon = problem.grid.days * problem.grid.per_day
    if act not in problem.activities or t >= horizon:
        return -float(weights.overstaffing)  # idle filler or beyond the horizon: free
    c = problem.activities.index(act)
    s, r = scheduled[c, t], problem.required[c, t]
    opens = min(1.0, max(0.0, r - s + 1))  # shortfall the departure opens [agents]
    removes = min(1.0, max(0.0, s - r))  # overstaffing it removes [agents]
    return weights.shortfall * problem.priority[c] * opens - weights.overstaffing * removes


def best_blocks(costs: list[list[float]], n: int, m: int) -> tuple[list[list[int]], int]:
    """Choose intervals in runs (``costs[r][j]`` = cost of position ``j`` of run ``r``) in blocks of
    at least ``m`` consecutive positions within a run, as many as possible up to ``n``, at least
    total cost (plus :data:`BLOCK_COST` per block). Returns the chosen positions per run and the
    count chosen.

    Dynamic programme: state ``(k chosen, b)`` with ``b`` = 0 outside a block, ``1..m`` the current
    block's length capped at ``m``; a run may only end (and a block may only be left) at ``b`` in
    ``{0, m}``.
    """
    inf = float("inf")
    best = np.full((n + 1, m + 1), inf)  # best[k, b]: least cost so far
    best[0, 0] = 0.0
    # Per step: the previous b of each (k, b) (-1 = unreachable), and the position it took, if
    # any (None marks a run boundary, where a finished block is closed: b = m -> 0).
    trail: list[tuple[np.ndarray, tuple[int, int] | None]] = []

    def relax(new, back, cand, src, dst_k, dst_b):
        better = cand < new[dst_k, dst_b]
        new[dst_k, dst_b] = np.where(better, cand, new[dst_k, dst_b])
        back[dst_k, dst_b] = np.where(better, src, back[dst_k, dst_b])

    for r, run in enumerate(costs):
        for j, c in enumerate(run):
            new = np.full((n + 1, m + 1), inf)
            back = np.full((n + 1, m + 1), -1, dtype=int)
            for b in range(m + 1):
                if b in (0, m):  # skip: leave (a complete) block or stay out
                    relax(new, back, best[:, b], b, slice(None), 0)
                if n > 0:  # take: start or extend a block
                    extra = BLOCK_COST if b == 0 else 0.0
                    relax(new, back, best[:-1, b] + c + extra, b, slice(1, None), min(b + 1, m))
            best = new
            trail.append((back, (r, j)))
        # End of the run: an incomplete block is not allowed; a complete one is closed.
        back = np.full((n + 1, m + 1), -1, dtype=int)
        new = np.full((n + 1, m + 1), inf)
        relax(new, back, best[:, 0], 0, slice(None), 0)
        relax(new, back, best[:, m], m, slice(None), 0)
        best = new
        trail.append((back, None))
    k = max((k for k in range(n + 1) if best[k, 0] < inf), default=0)
    b = 0
    chosen: list[list[int]] = [[] for _ in costs]
    for back, pos in reversed(trail):
        prev = int(back[k, b])
        if pos is not None and b != 0:  # this position was taken
            chosen[pos[0]].append(pos[1])
            k -= 1
        b = prev
    for c in chosen:
        c.reverse()
    return chosen, sum(len(c) for c in chosen)


def place_training(problem: SchedulingProblem, shifts: dict[tuple[int, int], int], plan: DayPlan,
                   scheduled: np.ndarray, weights: Weights = DEFAULT_WEIGHTS) -> TrainingPlan:
    """Place every session of ``problem.training`` into ``plan`` (see the module docstring).

    ``plan.activity`` and ``scheduled`` (agents per activity and interval) are updated in place.
    """
    iv = problem.interval
    topic: dict[tuple[int, int], str] = {}
    rows = []
    for s in problem.training:
        a = problem.agents[s.agent]
        runs = _runs(problem, shifts, plan, s, set(topic))
        costs = [[_cost(problem, plan, scheduled, s.agent, t, weights) for t in run] for run in runs]
        chosen, got = best_blocks(costs, s.intervals, s.min_block) if runs else ([], 0)
        blocks = 0
        for run, picks in zip(runs, chosen, strict=True):
            prev = None
            for j in picks:
                t = run[j]
                blocks += prev is None or j != prev + 1
                prev = j
                act = plan.activity[s.agent][t]
                if act in problem.activities:
                    scheduled[problem.activities.index(act), t] -= 1
                plan.activity[s.agent][t] = TRAINING
                topic[(s.agent, t)] = s.topic
        rows.append({"agent_id": a.agent_id, "topic": s.topic,
                     "hours_requested": s.intervals * iv / 60, "hours_planned": got * iv / 60,
                     "blocks": blocks, "reason": _reason(problem, shifts, s, runs, got)})
    table = pd.DataFrame(rows, columns=TRAINING_COLUMNS)
    return TrainingPlan(topic, table)


def _reason(problem: SchedulingProblem, shifts: dict[tuple[int, int], int], s: TrainingSession,
            runs: list[list[int]], got: int) -> str:
    """Why a session got fewer intervals than asked ('' when it got them all)."""
    if got >= s.intervals:
        return ""
    iv = problem.interval
    if s.last_day < s.first_day:
        return "its earliest/latest dates lie outside the plan's horizon"
    days = [d for d in range(s.first_day, s.last_day + 1) if (s.agent, d) in shifts]
    if not days:
        allowed = any(problem.allowed[s.agent][d] for d in range(s.first_day, s.last_day + 1))
        return ("no shift in its window: " + ("the agent is off (time off, unavailability or "
                                             "their own hours) on every day of it" if not allowed
                                             else "the plan gives the agent no shift on those days"))
    free = sum(len(r) for r in runs)
    fits = sum(len(r) for r in runs if len(r) >= s.min_block)
    if free < s.intervals:
        return (f"only {free * iv / 60:.1f} h of working time outside breaks (and other training) "
                f"in the agent's {len(days)} shift(s) of its window")
    return (f"blocks of at least {s.min_block * iv / 60:g} h fit only {fits * iv / 60:.1f} h "
            f"between the breaks of the agent's shifts")


__all__ = ["TRAINING_COLUMNS", "TrainingPlan", "best_blocks", "place_training"]
