"""The discrete-event engine: one replication of a planned week under a routing policy.

It knows the center (static data), the plan (rates and on-queue segments), a policy (the
:class:`~planner.routing.RoutingPolicy` protocol) and a ``numpy.random.Generator``; it returns one
record per case. Metrics are computed elsewhere (:mod:`planner.simulation.metrics`).

Model
-----
* Arrivals: Poisson per case type and interval with mean ``volume * scenario``, uniform inside the
  interval. All randomness of a case (arrival, handle-time factor, patience, swarm draw) is drawn up
  front, per case, so two policies run with the same seed meet the same customers.
* Handle time: forecast AHT of the arrival interval x the model's unit-mean factor x the agent's
  level factor (:mod:`planner.simulation.handle_time`).
* Patience: exponential with the type's ``patience_seconds`` (none configured, or abandonment off:
  nobody abandons). A case still waiting when the run ends is neither answered nor abandoned.
* Agents: on queue per the plan's segments. An agent going off queue finishes the work in hand.
* Concurrency: a case takes ``CAPACITY // concurrency`` units of its agent.
* Swarming: a case drawn into the type's ``swarm_share`` and answered by an agent below the high tier
  pulls in one idle high-tier agent with a skill on the type (``swarm`` activity first) for
  ``swarm_time_share`` of its handle time; the expert is fully busy meanwhile. If none is idle the
  request waits and a freed expert joins for the swarm time still fitting before the case ends;
  requests are served before queued cases. Every swarm join is one hand-off. A case answered by a
  high-tier agent needs no swarm.

The loop is a ``heapq`` of ``(time, seq, kind, agent, case)`` tuples; arrivals come from pre-sorted
arrays and never enter the heap. Ties are broken by insertion order (deterministic).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.routing.center import (
    ANY,
    CAPACITY,
    COMPLEX,
    HIGH,
    OFF,
    SWARM,
    AgentState,
    Case,
    Center,
)
from planner.routing.policies import RoutingPolicy
from planner.simulation.handle_time import ExponentialHandleTime, LognormalHandleTime
from planner.simulation.plan import Plan

_CHANGE, _END, _SWARM_END, _ABANDON, _RECHECK = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class SimulationOptions:
    """How to simulate (not what): handle-time model, abandonment, forecast-error scenario.

    scenario : multiplier on every forecast volume (1.1 = 10% more cases than forecast), or
        ``"low"``/``"high"`` to use the forecast's prediction-interval bounds.
    """

    handle_time: LognormalHandleTime | ExponentialHandleTime = field(
        default_factory=LognormalHandleTime)
    abandonment: bool = True
    scenario: float | str = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.scenario, str):
            if self.scenario not in ("low", "high"):
                raise ValueError(f"scenario must be a positive number, 'low' or 'high', "
                                 f"got {self.scenario!r}")
        elif not (math.isfinite(self.scenario) and 0 < self.scenario <= 10):
            raise ValueError(f"scenario must be a volume multiplier in (0, 10], got {self.scenario}")


@dataclass(frozen=True)
class Arrivals:
    """Every case of one replication, sorted by arrival time (seconds after the plan's t0)."""

    time: np.ndarray
    case_type: np.ndarray
    interval: np.ndarray
    aht: np.ndarray
    factor: np.ndarray
    patience: np.ndarray
    swarm: np.ndarray


def draw_arrivals(center: Center, plan: Plan, rng: np.random.Generator,
                  options: SimulationOptions) -> Arrivals:
    """Poisson counts per (type, interval), uniform times, and each case's own random draws."""
    if isinstance(options.scenario, str):
        rates = plan.volume_low if options.scenario == "low" else plan.volume_high
        if rates is None:
            raise ValueError(f"scenario {options.scenario!r} needs volume_{options.scenario} in "
                             "the forecast")
    else:
        rates = plan.volume * options.scenario
    counts = rng.poisson(np.maximum(rates, 0.0))
    flat = counts.ravel()
    n = int(flat.sum())
    cell = np.repeat(np.arange(flat.size), flat)
    ctype, interval = np.divmod(cell, plan.n_intervals)
    t = (interval + rng.random(n)) * plan.interval_seconds
    factor = options.handle_time.multipliers(rng, n)
    patience = (rng.exponential(1.0, n) * center.patience_seconds[ctype] if options.abandonment
                else np.full(n, math.inf))
    swarm = rng.random(n) < center.swarm_share[ctype]
    order = np.argsort(t, kind="stable")
    return Arrivals(time=t[order], case_type=ctype[order], interval=interval[order],
                    aht=plan.aht[ctype, interval][order], factor=factor[order],
                    patience=patience[order], swarm=swarm[order])


@dataclass(frozen=True)
class Records:
    """One replication's outcome: one row per case, and the number of events processed."""

    cases: pd.DataFrame
    events: int


def simulate(center: Center, plan: Plan, policy: RoutingPolicy, rng: np.random.Generator,
             options: SimulationOptions | None = None) -> Records:
    """Run one replication; see the module docstring for the model.

    Returns
    -------
    Records
        ``cases`` has, per case: ``case_type`` and ``interval`` (indices), ``arrival``/``start``/
        ``end`` [s after t0] (start NaN if never answered; end is the abandonment time for an
        abandoned case), ``state`` (:class:`~planner.routing.Case` codes), ``agent`` and ``expert``
        (indices, -1 for none), ``primary`` (answered by an agent whose planned activity it was),
        ``swarm_start``/``swarm_end`` and ``handoffs``.
    """
    options = options or SimulationOptions()
    arr = draw_arrivals(center, plan, rng, options)
    state = AgentState(center.n_agents, center)
    policy.bind(center, state)
    set_activity = state.set_activity

    on, activity, used, idle_since = state.on, state.activity, state.used, state.idle_since
    level = center.level.tolist()
    tier = center.tier.tolist()
    units = center.units.tolist()
    swarm_time = center.swarm_time_share.tolist()
    complexity = center.complexity.tolist()
    lf = options.handle_time.level_factors()
    n_types = center.n_types
    skilled = [[a for a in range(center.n_agents) if level[a][t] > 0] for t in range(n_types)]
    experts = [[a for a in skilled[t] if tier[a] == HIGH] for t in range(n_types)]
    types_of = [[t for t in range(n_types) if level[a][t] > 0] for a in range(center.n_agents)]
    min_units = min(units) if units else CAPACITY
    thresholds = [policy.thresholds(t) for t in range(n_types)]
    queues: list[deque[Case]] = [deque() for _ in range(n_types)]
    swarm_queue: deque[Case] = deque()
    cases: list[Case] = []

    heap: list[tuple] = []
    push, pop = heapq.heappush, heapq.heappop
    seq = 0
    for when, a, act in plan.changes():
        heap.append((when, seq, _CHANGE, a, act))
        seq += 1
    heapq.heapify(heap)
    events = 0

    choose_agent, choose_case = policy.choose_agent, policy.choose_case
    choose_expert = policy.choose_expert
    WAITING, SERVING = Case.WAITING, Case.SERVING

    def join_swarm(e: int, case: Case, now: float) -> None:
        nonlocal seq
        dur = min(case.swarm_need, case.end - now)
        used[e] += CAPACITY
        case.expert = e
        case.swarm_start = now
        case.swarm_end = now + dur
        case.handoffs += 1
        push(heap, (now + dur, seq, _SWARM_END, e, case))
        seq += 1

    def start(case: Case, a: int, now: float) -> None:
        nonlocal seq
        t = case.type
        case.state = SERVING
        case.start = now
        case.agent = a
        case.primary = is_primary(a, t)
        used[a] += units[t]
        end = now + case.aht * case.base * lf[level[a][t]]
        case.end = end
        push(heap, (end, seq, _END, a, case))
        seq += 1
        if case.swarm and tier[a] != HIGH:
            case.swarm_need = swarm_time[t] * (end - now)
            idle = [e for e in experts[t] if on[e] and used[e] == 0 and e != a]
            e = choose_expert(case, idle, now) if idle else None
            if e is not None:
                join_swarm(e, case, now)
            else:
                swarm_queue.append(case)

    def is_primary(a: int, t: int) -> bool:
        act = activity[a]
        return act in (t, ANY) or (act == SWARM and complexity[t] == COMPLEX)

    def pull(a: int, now: float) -> None:
        """A freed (or newly on-queue) agent takes work: swarm requests first, then queued cases."""
        if not on[a]:
            return
        if used[a] == 0 and tier[a] == HIGH and swarm_queue:
            for case in list(swarm_queue):
                if case.state != SERVING or case.end <= now:
                    swarm_queue.remove(case)
                elif level[a][case.type] > 0 and case.agent != a:
                    swarm_queue.remove(case)
                    join_swarm(a, case, now)
                    return
        while CAPACITY - used[a] >= min_units:
            heads = []
            room = CAPACITY - used[a]
            for t in types_of[a]:
                q = queues[t]
                while q and q[0].state != WAITING:
                    q.popleft()
                if q and units[t] <= room:
                    heads.append(q[0])
            if not heads:
                return
            case = choose_case(a, heads, now)
            if case is None:
                return
            queues[case.type].popleft()
            start(case, a, now)

    times, ctypes, ahts = arr.time.tolist(), arr.case_type.tolist(), arr.aht.tolist()
    factors, patiences, swarms = arr.factor.tolist(), arr.patience.tolist(), arr.swarm.tolist()
    n_arr = len(times)
    i = 0
    inf = math.inf
    while True:
        ta = times[i] if i < n_arr else inf
        th = heap[0][0] if heap else inf
        if ta == inf and th == inf:
            break
        events += 1
        if ta < th:
            now = ta
            t = ctypes[i]
            case = Case(i, t, now, ahts[i], factors[i], patiences[i], swarms[i])
            cases.append(case)
            i += 1
            u = units[t]
            idle = [a for a in skilled[t] if on[a] and used[a] + u <= CAPACITY]
            a = choose_agent(case, idle, now) if idle else None
            if a is not None:
                start(case, a, now)
                continue
            queues[t].append(case)
            if case.patience < inf:
                push(heap, (now + case.patience, seq, _ABANDON, -1, case))
                seq += 1
            for w in thresholds[t]:
                if w < case.patience:
                    push(heap, (now + w, seq, _RECHECK, -1, case))
                    seq += 1
            continue
        now, _, kind, a, payload = pop(heap)
        if kind == _END:
            payload.state = Case.DONE
            used[a] -= units[payload.type]
            idle_since[a] = now
            pull(a, now)
        elif kind == _SWARM_END:
            used[a] -= CAPACITY
            idle_since[a] = now
            pull(a, now)
        elif kind == _CHANGE:
            if payload != OFF and not on[a]:
                idle_since[a] = now
            lost = set_activity(a, payload)
            if payload != OFF:
                pull(a, now)
            # A type that just lost its last primary agent may now overflow to idle agents.
            for t in lost:
                if queues[t]:
                    for b in skilled[t]:
                        if on[b] and used[b] < CAPACITY:
                            pull(b, now)
        elif kind == _ABANDON:
            if payload.state == WAITING:
                payload.state = Case.ABANDONED
                payload.end = now
        elif payload.state == WAITING:  # _RECHECK: the case's eligibility just widened
            t = payload.type
            u = units[t]
            idle = [b for b in skilled[t] if on[b] and used[b] + u <= CAPACITY]
            b = choose_agent(payload, idle, now) if idle else None
            if b is not None:
                start(payload, b, now)
    return Records(cases=_frame(cases, arr), events=events)


def _frame(cases: list[Case], arr: Arrivals) -> pd.DataFrame:
    return pd.DataFrame({
        "case_type": arr.case_type,
        "interval": arr.interval,
        "arrival": arr.time,
        "state": np.array([c.state for c in cases], dtype=np.int8),
        "start": np.array([c.start for c in cases], dtype=float),
        "end": np.array([c.end for c in cases], dtype=float),
        "agent": np.array([c.agent for c in cases], dtype=np.int32),
        "primary": np.array([c.primary for c in cases], dtype=bool),
        "expert": np.array([c.expert for c in cases], dtype=np.int32),
        "swarm_start": np.array([c.swarm_start for c in cases], dtype=float),
        "swarm_end": np.array([c.swarm_end for c in cases], dtype=float),
        "handoffs": np.array([c.handoffs for c in cases], dtype=np.int16),
    })
