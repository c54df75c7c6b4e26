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
  cost per block prefers fewer, longer blocks among equal choices;
* a one-agent repair: where the departure opens a gap and another agent present then is on an
  activity with a whole agent of surplus and is eligible for the trainee's case type, that agent
  steps in (preferring one who was on it the interval before), and the cost counts only the
  surplus removed. (Stage 2 leaves no such pair before training; the departure creates them.)

The choice is exact for one session: a dynamic programme over the agent's candidate intervals in
time order with state (intervals chosen, length of the current block capped at ``min_block``).
Costs are recomputed after every session from the updated plan, so a second agent avoids the gap
the first one opened.

Why a post-step and not inside the day MIPs: a session spans the week (its hours may go to any day),
which the per-day decomposition cannot see; and fixed-agent blocks would break the cohort
aggregation that keeps the day MIPs small. The price: only one-agent repairs, no re-routing chains
(A onto B's type so that B can take the trainee's).

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
TRAINING_COLUMNS = ["agent_id", "topic", "upskilling", "hours_requested", "hours_planned",
                    "blocks", "reason"]


@dataclass(frozen=True)
class TrainingPlan:
    """Where the training went: ``topic[(agent, t)]`` per planned interval, and per session a row of
    ``table`` (``agent_id, topic, upskilling, hours_requested, hours_planned, blocks, reason``;
    ``upskilling`` when the topic names a case type of the config, ``reason`` empty when all hours
    were placed)."""

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


class _Who:
    """Who is on which activity in each interval (case types and swarm only), kept up to date."""

    def __init__(self, problem: SchedulingProblem, plan: DayPlan) -> None:
        self.at: dict[int, dict[str, list[int]]] = {}
        for i in sorted(plan.activity, key=lambda i: problem.agents[i].agent_id):
            for t, act in plan.activity[i].items():
                if act in problem.activities:
                    self.at.setdefault(t, {}).setdefault(act, []).append(i)

    def move(self, i: int, t: int, old: str, new: str) -> None:
        self.at[t][old].remove(i)
        if new != TRAINING:
            self.at[t].setdefault(new, []).append(i)


def _donor(problem: SchedulingProblem, plan: DayPlan, who: _Who, scheduled: np.ndarray, i: int,
           t: int, c: int) -> tuple[int, int] | None:
    """An agent other than ``i`` who can take over ``c`` at ``t`` without opening a gap: on an
    activity with a surplus of a whole agent, eligible for ``c``. Returns (agent, their activity);
    prefers one already on ``c`` in the previous interval (no extra switch), then agent order."""
    best = None
    for act, members in sorted(who.at.get(t, {}).items()):
        c2 = problem.activities.index(act)
        if c2 == c or scheduled[c2, t] - problem.required[c2, t] < 1:
            continue
        for j in members:
            if j == i or c not in problem.group_eligible[problem.agents[j].group]:
                continue
            if plan.activity[j].get(t - 1) == problem.activities[c]:
                return j, c2
            if best is None:
                best = (j, c2)
    return best


def _cost(problem: SchedulingProblem, plan: DayPlan, scheduled: np.ndarray, who: _Who, i: int,
          t: int, weights: Weights) -> float:
    """Change of the coverage objective when agent ``i`` stops their stage 2 activity at ``t``
    (after the one-agent repair of :func:`_donor`, when one is possible)."""
    act = plan.activity[i][t]
    horizon = problem.grid.days * problem.grid.per_day
    if act not in problem.activities or t >= horizon:
        return -float(weights.overstaffing)  # idle filler or beyond the horizon: free
    c = problem.activities.index(act)
    s, r = scheduled[c, t], problem.required[c, t]
    opens = min(1.0, max(0.0, r - s + 1))  # shortfall the departure opens [agents]
    removes = min(1.0, max(0.0, s - r))  # overstaffing it removes [agents]
    if opens > 0 and _donor(problem, plan, who, scheduled, i, t, c) is not None:
        return -float(weights.overstaffing)  # a surplus agent steps in: only a surplus goes
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
    who = _Who(problem, plan) if problem.training else None
    for s in problem.training:
        a = problem.agents[s.agent]
        runs = _runs(problem, shifts, plan, s, set(topic))
        costs = [[_cost(problem, plan, scheduled, who, s.agent, t, weights) for t in run]
                 for run in runs]
        chosen, got = best_blocks(costs, s.intervals, s.min_block) if runs else ([], 0)
        blocks = 0
        for run, picks in zip(runs, chosen, strict=True):
            prev = None
            for j in picks:
                t = run[j]
                blocks += prev is None or j != prev + 1
                prev = j
                act = plan.activity[s.agent][t]
                plan.activity[s.agent][t] = TRAINING
                topic[(s.agent, t)] = s.topic
                if act not in problem.activities:
                    continue
                c = problem.activities.index(act)
                scheduled[c, t] -= 1
                who.move(s.agent, t, act, TRAINING)
                if scheduled[c, t] < problem.required[c, t] and t < problem.grid.days * problem.grid.per_day:
                    donor = _donor(problem, plan, who, scheduled, s.agent, t, c)
                    if donor is not None:  # a surplus agent takes over the trainee's case type
                        j, c2 = donor
                        plan.activity[j][t] = act
                        who.move(j, t, problem.activities[c2], act)
                        scheduled[c2, t] -= 1
                        scheduled[c, t] += 1
        rows.append({"agent_id": a.agent_id, "topic": s.topic,
                     "upskilling": s.topic in problem.config.case_types,
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
