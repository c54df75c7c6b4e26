"""The center as routing sees it: case types, agents, skills with levels, tiers.

Static data only (what does not change during a week). The time-varying part (who is on which
activity when) lives in the engine's :class:`AgentState`, which policies read but never write.

Codes are small integers so that the event loop compares ints, not strings:

* tiers: ``0`` low, ``1`` medium, ``2`` high (:data:`TIER_CODE`);
* complexity: ``0`` transactional, ``1`` standard, ``2`` complex (:data:`COMPLEXITY_CODE`);
* activity of an agent: a case-type index ``>= 0`` (the agent's *primary* type in that interval),
  :data:`OFF` (not on queue: off shift, break, lunch, training, meeting, ...), :data:`SWARM` (expert time
  reserved for swarming and complex work) or :data:`ANY` (on queue with every skill primary; used when
  a plan gives shifts but no per-interval activities).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.domain import TIER_RANK, TIERS, UNTIERED
from planner.errors import ContractError, Problem
from planner.io.config import PlannerConfig

TIER_CODE: dict[str, int] = {name: TIER_RANK[name] for name in TIERS}
HIGH = TIER_CODE["high"]
COMPLEXITY_CODE: dict[str, int] = {"transactional": 0, "standard": 1, "complex": 2}
TRANSACTIONAL, STANDARD, COMPLEX = 0, 1, 2

OFF, SWARM, ANY = -1, -2, -3
# Capacity of one agent in integer units: a case of concurrency k takes CAPACITY // k units.
# 2520 = lcm(1..10), so every allowed concurrency divides it exactly (no float drift).
CAPACITY = 2520


@dataclass(frozen=True, eq=False)
class Center:
    """Case types and agents of one center, as arrays indexed by type and agent.

    Build it with :meth:`from_frames`; the constructor is for tests that want exact control.

    Attributes
    ----------
    case_types, agent_ids : tuples of names; indices into them are the codes used everywhere.
    level : (agents, types) int array, 0 where the agent has no skill, else 1 (learning) to 5 (expert).
    tier : (agents,) int array of tier codes.
    complexity, min_level, min_tier, units : per-type int arrays (units: capacity one case takes).
    priority : per-type float, higher is served first.
    answer_seconds : per-type service-level threshold [s] (the deadline for back-office work).
    patience_seconds : per-type mean patience [s]; ``inf`` means nobody abandons.
    swarm_share, swarm_time_share : per-type swarming parameters (see the engine).
    """

    case_types: tuple[str, ...]
    agent_ids: tuple[str, ...]
    level: np.ndarray
    tier: np.ndarray
    complexity: np.ndarray
    min_level: np.ndarray
    min_tier: np.ndarray
    units: np.ndarray
    priority: np.ndarray
    answer_seconds: np.ndarray
    patience_seconds: np.ndarray
    swarm_share: np.ndarray
    swarm_time_share: np.ndarray
    channel: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n_a, n_t = len(self.agent_ids), len(self.case_types)
        if self.level.shape != (n_a, n_t):
            raise ValueError(f"level must be (agents, types) = {(n_a, n_t)}, got {self.level.shape}")
        if self.tier.shape != (n_a,):
            raise ValueError("tier must have one entry per agent")
        for name in ("complexity", "min_level", "min_tier", "units", "priority", "answer_seconds",
                     "patience_seconds", "swarm_share", "swarm_time_share"):
            if getattr(self, name).shape != (n_t,):
                raise ValueError(f"{name} must have one entry per case type")
        if ((self.level < 0) | (self.level > 5)).any():
            raise ValueError("skill levels must be 0 (none) or 1..5")
        if not set(np.unique(self.tier)) <= {0, 1, 2}:
            raise ValueError("tier codes must be 0 (low), 1 (medium) or 2 (high)")
        if ((self.units < 1) | (self.units > CAPACITY)).any():
            raise ValueError("units per case must be within 1..CAPACITY")

    @property
    def n_agents(self) -> int:
        return len(self.agent_ids)

    @property
    def n_types(self) -> int:
        return len(self.case_types)

    def type_index(self, name: str) -> int:
        return self.case_types.index(name)

    @classmethod
    def from_frames(cls, config: PlannerConfig, case_types: list[str], agents: pd.DataFrame,
                    skills: pd.DataFrame, tiers: pd.DataFrame | None = None) -> Center:
        """Build from agents.csv, skills.csv and (optionally) tiers.csv frames.

        Agents missing from ``tiers`` (or all agents when it is None), and agents tiered
        ``insufficient_evidence``, are ``medium``. Skills on case
        types outside ``case_types`` are ignored (nothing of that type arrives this week).
        """
        ids = tuple(str(a) for a in agents["agent_id"])
        pos = {a: i for i, a in enumerate(ids)}
        types = tuple(case_types)
        tpos = {t: j for j, t in enumerate(types)}
        level = np.zeros((len(ids), len(types)), dtype=np.int64)
        problems: list[Problem] = []
        for a, t, lv in zip(skills["agent_id"], skills["case_type"], skills["level"], strict=True):
            if str(a) not in pos:
                problems.append(Problem("skills.csv", None, "agent_id", str(a),
                                        "an agent_id listed in agents.csv"))
            elif str(t) in tpos:
                level[pos[str(a)], tpos[str(t)]] = int(lv)
        tier = np.full(len(ids), TIER_CODE["medium"], dtype=np.int64)
        if tiers is not None:
            for i, (a, t) in enumerate(zip(tiers["agent_id"], tiers["tier"], strict=True)):
                if str(t) in UNTIERED:
                    continue  # too little evidence to tier: routed as medium
                if str(t) not in TIER_CODE:
                    problems.append(Problem("tiers.csv", i + 2, "tier", str(t),
                                            f"one of {', '.join(TIERS + UNTIERED)}"))
                elif str(a) in pos:
                    tier[pos[str(a)]] = TIER_CODE[str(t)]
        if problems:
            raise ContractError(problems)
        cts = [config.case_type(t) for t in types]

        def deadline(ct) -> float:
            return ct.deadline_hours * 3600.0 if ct.deadline_hours is not None else ct.answer_seconds

        return cls(
            case_types=types,
            agent_ids=ids,
            level=level,
            tier=tier,
            complexity=np.array([COMPLEXITY_CODE[ct.complexity] for ct in cts], dtype=np.int64),
            min_level=np.array([ct.min_level for ct in cts], dtype=np.int64),
            min_tier=np.array([TIER_CODE[ct.min_tier] for ct in cts], dtype=np.int64),
            units=np.array([CAPACITY // ct.concurrency for ct in cts], dtype=np.int64),
            priority=np.array([ct.priority for ct in cts], dtype=float),
            answer_seconds=np.array([deadline(ct) for ct in cts], dtype=float),
            patience_seconds=np.array(
                [math.inf if ct.patience_seconds is None else ct.patience_seconds for ct in cts]),
            swarm_share=np.array([ct.swarm_share for ct in cts], dtype=float),
            swarm_time_share=np.array([ct.swarm_time_share for ct in cts], dtype=float),
            channel=tuple(ct.channel for ct in cts),
        )


class AgentState:
    """What each agent is doing now; owned and written by the engine, read by policies.

    Plain lists (not numpy) because the event loop reads single elements millions of times.

    on : on queue now (shift started, not on break/lunch/training).
    activity : the activity code of the current interval (see the module docstring).
    used : capacity units in use (0 = idle; :data:`CAPACITY` = full).
    idle_since : when the agent last freed capacity or came on queue [s] (longest-idle ordering).
    primary_on : per case type, on-queue agents whose planned activity makes the type primary and
        who have a skill on it (kept by :meth:`set_activity`).
    """

    __slots__ = ("activity", "idle_since", "on", "primary_on", "primary_types", "used")

    def __init__(self, n_agents: int, center: Center | None = None):
        self.on = [False] * n_agents
        self.activity = [OFF] * n_agents
        self.used = [0] * n_agents
        self.idle_since = [0.0] * n_agents
        n_types = center.n_types if center is not None else 0
        self.primary_on = [0] * n_types
        # Primary types per (agent, activity): computed once, used at every activity change.
        self.primary_types: list[dict[int, tuple[int, ...]]] = []
        if center is not None:
            level, cx = center.level, center.complexity
            for a in range(n_agents):
                skilled = tuple(int(t) for t in np.flatnonzero(level[a] > 0))
                table = {t: (t,) for t in skilled}
                table[ANY] = skilled
                table[SWARM] = tuple(t for t in skilled if cx[t] == COMPLEX)
                self.primary_types.append(table)

    def set_activity(self, agent: int, activity: int) -> tuple[int, ...]:
        """Put an agent on ``activity`` (OFF takes it off queue); returns the case types that just
        lost their last primary agent (the engine re-offers their waiting cases)."""
        lost: tuple[int, ...] = ()
        if self.primary_types:
            table = self.primary_types[agent]
            if self.on[agent]:
                old = table.get(self.activity[agent], ())
                for t in old:
                    self.primary_on[t] -= 1
                lost = tuple(t for t in old if self.primary_on[t] == 0)
            if activity != OFF:
                for t in table.get(activity, ()):
                    self.primary_on[t] += 1
        self.on[agent] = activity != OFF
        self.activity[agent] = activity
        return tuple(t for t in lost if self.primary_on[t] == 0)


class Case:
    """One arriving case during a simulation run (mutable: the engine fills in what happens).

    A policy reads ``type``, ``arrival``, ``priority``, ``complexity`` and ``channel`` (via the center)
    and must not write anything.
    """

    __slots__ = ("agent", "aht", "arrival", "base", "end", "expert", "handoffs", "idx", "patience",
                 "primary", "start", "state", "swarm", "swarm_end", "swarm_need", "swarm_start",
                 "type")

    # state codes
    WAITING, SERVING, DONE, ABANDONED = 0, 1, 2, 3

    def __init__(self, idx: int, ctype: int, arrival: float, aht: float = 300.0, base: float = 1.0,
                 patience: float = math.inf, swarm: bool = False):
        self.idx = idx
        self.type = ctype
        self.arrival = arrival
        self.aht = aht
        self.base = base
        self.patience = patience
        self.swarm = swarm
        self.state = Case.WAITING
        self.start = math.nan
        self.end = math.nan
        self.agent = -1
        self.primary = False
        self.expert = -1
        self.swarm_need = 0.0
        self.swarm_start = math.nan
        self.swarm_end = math.nan
        self.handoffs = 0
