"""Routing policies: which agent takes an arriving case, and which waiting case a freed agent takes.

A policy answers three questions (the engine asks, the policy never changes state):

* ``choose_agent(case, idle_agents, now)``: the agent for a case that arrives (or whose wait just
  crossed one of the policy's thresholds), or None to queue it. ``idle_agents`` are the agents on queue
  with room for the case (capacity) and *some* skill on its type; the policy decides the rest.
* ``choose_case(agent, heads, now)``: the waiting case a freed agent takes, from ``heads`` (the oldest
  waiting case of each type the agent has a skill on and room for), or None to stay idle.
* ``choose_expert(case, experts, now)``: the high-tier expert who joins a swarm, from ``experts``
  (idle high-tier agents with a skill on the type).

``thresholds(case_type)`` lists the waits [s] at which a queued case's eligibility widens, so the
engine re-offers the case to idle agents at exactly those moments.

How an agent's planned activity constrains routing
--------------------------------------------------
The plan (assignments.csv) gives each agent one activity per interval. An activity other than a case
type or ``swarm`` (break, lunch, training, meeting, ...) takes the agent off queue. A case type is
the agent's *primary* type for that interval; the agent's other skills are *secondary*:

* :class:`LongestIdle` is the classic ACD: an on-queue agent is logged into every skill, primary or
  not; the plan only decides who is on queue. It shows what the plan's activity split is worth.
* :class:`TierAware` honours the plan: a case is first offered only to agents whose primary type it is;
  after ``overflow_after_s`` of waiting (default: half the type's answer time, at most 60 s),
  secondary agents may take it (overflow). When no skilled agent is planned on the type right now
  (none on queue, busy or idle), it overflows at once: there is nobody to wait for. Among
  candidates, transactional work goes to the lowest tier first and complex work to the highest tier
  first, so high performers stay free for complex work. ``swarm`` agents are primary for every
  complex type.

Both respect each type's ``min_level`` and ``min_tier``. With ``relax_after_s`` set, a case that has
waited that long may also go to agents with a lower level on the type (backup skill, level >= 1) and
one tier below the minimum, as the big routing engines relax skill requirements over time.

Priority classes: a freed agent takes the highest ``priority`` type first, then (TierAware) its
primary type, then the case that has waited longest. Concurrency (chat) is capacity: a case of
concurrency k takes 1/k of an agent, and an agent only mixes cases while they fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from planner.errors import PlannerError
from planner.routing.center import ANY, COMPLEX, HIGH, SWARM, TRANSACTIONAL, AgentState, Case, Center


class RoutingPolicy(Protocol):
    """What the engine needs from a policy."""

    name: str

    def bind(self, center: Center, state: AgentState) -> None: ...

    def thresholds(self, case_type: int) -> tuple[float, ...]: ...

    def choose_agent(self, case: Case, idle_agents: Sequence[int], now: float) -> int | None: ...

    def choose_case(self, agent: int, heads: Sequence[Case], now: float) -> Case | None: ...

    def has_primary_on(self, case_type: int) -> bool:
        """Is any agent planned on this type (and skilled on it) on queue now, busy or not?"""
        return self.state_.primary_on[case_type] > 0

    def choose_expert(self, case: Case, experts: Sequence[int], now: float) -> int | None: ...


def _check_wait(name: str, value: float | None) -> None:
    if value is not None and (not isinstance(value, int | float) or not math.isfinite(value)
                              or value < 0):
        raise ValueError(f"{name} must be a finite number of seconds >= 0 or None, got {value!r}")


class _SkillPolicy:
    """Skills, levels, minimum tiers and relaxation; the part every built-in policy shares."""

    name = "base"

    def __init__(self, relax_after_s: float | None = None):
        _check_wait("relax_after_s", relax_after_s)
        self.relax_after_s = relax_after_s

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"

    def bind(self, center: Center, state: AgentState) -> None:
        """Attach to a center and the engine's agent state (lists are read, never written)."""
        self.level_ = center.level.tolist()
        self.tier_ = center.tier.tolist()
        self.min_level_ = center.min_level.tolist()
        self.min_tier_ = center.min_tier.tolist()
        self.complexity_ = center.complexity.tolist()
        self.priority_ = center.priority.tolist()
        self.state_ = state

    def thresholds(self, case_type: int) -> tuple[float, ...]:
        return () if self.relax_after_s is None else (float(self.relax_after_s),)

    def eligible(self, agent: int, case_type: int, wait: float) -> bool:
        """Skill at the type's minimum level and tier at its minimum, or relaxed after the wait."""
        lv = self.level_[agent][case_type]
        if lv == 0:
            return False
        relaxed = self.relax_after_s is not None and wait >= self.relax_after_s
        if lv < self.min_level_[case_type] and not relaxed:
            return False
        return self.tier_[agent] >= self.min_tier_[case_type] - (1 if relaxed else 0)

    def is_primary(self, agent: int, case_type: int) -> bool:
        """Is ``case_type`` the agent's planned activity now (swarm agents: every complex type)?"""
        act = self.state_.activity[agent]
        return act in (case_type, ANY) or (act == SWARM and
                                           self.complexity_[case_type] == COMPLEX)

    def has_primary_on(self, case_type: int) -> bool:
        """Is any agent planned on this type (and skilled on it) on queue now, busy or not?"""
        return self.state_.primary_on[case_type] > 0

    def choose_expert(self, case: Case, experts: Sequence[int], now: float) -> int | None:
        """Agents reserved for swarming first, then the longest idle."""
        act, since = self.state_.activity, self.state_.idle_since
        best, key = None, None
        for e in experts:
            k = (act[e] != SWARM, since[e], e)
            if key is None or k < key:
                best, key = e, k
        return best


class LongestIdle(_SkillPolicy):
    """The longest-idle eligible agent takes the case; a freed agent takes the oldest case.

    Activities only decide who is on queue: every on-queue agent serves all their skills (see the
    module docstring). Partly loaded chat agents count as less idle than empty ones.

    Parameters
    ----------
    relax_after_s : wait [s] after which backup skills (any level) and one tier below the minimum
        may take the case; None (default) never relaxes.
    """

    name = "longest-idle"

    def choose_agent(self, case: Case, idle_agents: Sequence[int], now: float) -> int | None:
        t, wait = case.type, now - case.arrival
        used, since = self.state_.used, self.state_.idle_since
        best, key = None, None
        for a in idle_agents:
            if not self.eligible(a, t, wait):
                continue
            k = (used[a], since[a], a)
            if key is None or k < key:
                best, key = a, k
        return best

    def choose_case(self, agent: int, heads: Sequence[Case], now: float) -> Case | None:
        best, key = None, None
        for c in heads:
            if not self.eligible(agent, c.type, now - c.arrival):
                continue
            k = (-self.priority_[c.type], c.arrival, c.idx)
            if key is None or k < key:
                best, key = c, k
        return best


class TierAware(_SkillPolicy):
    """Honours the plan's primary types and sends work to the right tier.

    Parameters
    ----------
    overflow_after_s : wait [s] after which agents whose primary type is another may take the case.
        None (default) uses half the type's answer time, at most 60 s (10 s for a 20 s target), so
        overflow starts before the case misses its target. 0 lets secondary skills take work at once,
        still after primary agents.
    relax_after_s : as for :class:`LongestIdle`.

    Ordering among eligible idle agents: primary before secondary; then for transactional types the
    lowest tier first, for complex types the highest tier first (standard: no tier preference); then
    the least loaded; then the longest idle.
    """

    name = "tier-aware"
    DEFAULT_MAX_OVERFLOW_S = 60.0

    def __init__(self, overflow_after_s: float | None = None, relax_after_s: float | None = None):
        _check_wait("overflow_after_s", overflow_after_s)
        super().__init__(relax_after_s)
        self.overflow_after_s = None if overflow_after_s is None else float(overflow_after_s)

    def bind(self, center: Center, state: AgentState) -> None:
        super().bind(center, state)
        if self.overflow_after_s is None:
            self.overflow_ = [min(self.DEFAULT_MAX_OVERFLOW_S, a / 2) for a in
                              center.answer_seconds.tolist()]
        else:
            self.overflow_ = [self.overflow_after_s] * center.n_types

    def thresholds(self, case_type: int) -> tuple[float, ...]:
        waits = {self.overflow_[case_type], *super().thresholds(case_type)}
        return tuple(sorted(w for w in waits if w > 0))

    def fit(self, agent: int, case_type: int) -> int:
        """0 when the agent's tier suits the type's complexity, larger the worse it suits."""
        cx = self.complexity_[case_type]
        if cx == TRANSACTIONAL:
            return self.tier_[agent]
        if cx == COMPLEX:
            return HIGH - self.tier_[agent]
        return 0

    def choose_agent(self, case: Case, idle_agents: Sequence[int], now: float) -> int | None:
        t, wait = case.type, now - case.arrival
        overflow = wait >= self.overflow_[t] or not self.has_primary_on(t)
        used, since = self.state_.used, self.state_.idle_since
        best, key = None, None
        for a in idle_agents:
            primary = self.is_primary(a, t)
            if not (primary or overflow) or not self.eligible(a, t, wait):
                continue
            k = (not primary, self.fit(a, t), used[a], since[a], a)
            if key is None or k < key:
                best, key = a, k
        return best

    def choose_case(self, agent: int, heads: Sequence[Case], now: float) -> Case | None:
        best, key = None, None
        for c in heads:
            t, wait = c.type, now - c.arrival
            primary = self.is_primary(agent, t)
            overflow = wait >= self.overflow_[t] or not self.has_primary_on(t)
            if not (primary or overflow) or not self.eligible(agent, t, wait):
                continue
            k = (-self.priority_[t], not primary, self.fit(agent, t), c.arrival, c.idx)
            if key is None or k < key:
                best, key = c, k
        return best


POLICIES: dict[str, type[_SkillPolicy]] = {"longest-idle": LongestIdle, "tier-aware": TierAware}


def make_policy(name: str, **params: float | None) -> RoutingPolicy:
    """A built-in policy by its CLI name (``longest-idle``, ``tier-aware``)."""
    try:
        cls = POLICIES[name]
    except KeyError:
        raise PlannerError(f"unknown routing policy {name!r}; expected one of "
                           f"{', '.join(POLICIES)}") from None
    return cls(**params)
