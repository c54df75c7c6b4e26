"""Routing policies answer their questions correctly on hand-built centers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.errors import PlannerError
from planner.routing import (
    ANY,
    CAPACITY,
    OFF,
    SWARM,
    AgentState,
    Case,
    Center,
    LongestIdle,
    TierAware,
    make_policy,
)

# Types: 0 order_status (transactional), 1 billing (standard), 2 tech (complex, min tier medium, level 3)
TYPES = ("order_status", "billing", "tech")


def center(levels, tiers, min_level=(1, 1, 3), min_tier=(0, 0, 1), priority=(1.0, 1.0, 1.0)):
    n_t = len(TYPES)
    return Center(
        case_types=TYPES, agent_ids=tuple(f"a{i}" for i in range(len(tiers))),
        level=np.array(levels), tier=np.array(tiers),
        complexity=np.array([0, 1, 2]), min_level=np.array(min_level), min_tier=np.array(min_tier),
        units=np.full(n_t, CAPACITY), priority=np.array(priority, dtype=float),
        answer_seconds=np.full(n_t, 20.0), patience_seconds=np.full(n_t, math.inf),
        swarm_share=np.zeros(n_t), swarm_time_share=np.full(n_t, 0.3))


def bound(policy, c: Center, activity, idle_since=None):
    state = AgentState(c.n_agents, c)
    for a, act in enumerate(activity):
        state.set_activity(a, act)
    state.idle_since = list(idle_since or [0.0] * c.n_agents)
    policy.bind(c, state)
    return policy


# Three agents skilled on everything at level 4: low, medium, high tier.
ALL_SKILLS = [[4, 4, 4]] * 3
TIERS3 = [0, 1, 2]


def test_longest_idle_picks_the_agent_idle_longest_among_eligible():
    c = center(ALL_SKILLS, TIERS3)
    p = bound(LongestIdle(), c, [0, 1, 2], idle_since=[50.0, 10.0, 30.0])
    assert p.choose_agent(Case(0, 0, 100.0), [0, 1, 2], 100.0) == 1
    # tech needs tier >= medium: the low agent (idle longest here) is not eligible.
    p = bound(LongestIdle(), c, [0, 1, 2], idle_since=[5.0, 10.0, 30.0])
    assert p.choose_agent(Case(0, 2, 100.0), [0, 1, 2], 100.0) == 1
    assert p.choose_agent(Case(0, 2, 100.0), [0], 100.0) is None


def test_tier_aware_sends_transactional_low_and_complex_high():
    c = center(ALL_SKILLS, TIERS3)
    p = bound(TierAware(overflow_after_s=60), c, [ANY, ANY, ANY], idle_since=[90.0, 0.0, 0.0])
    assert p.choose_agent(Case(0, 0, 100.0), [0, 1, 2], 100.0) == 0  # low first, though idle least
    assert p.choose_agent(Case(0, 2, 100.0), [0, 1, 2], 100.0) == 2  # high first
    assert p.choose_agent(Case(0, 1, 100.0), [0, 1, 2], 100.0) == 1  # standard: longest idle


def test_tier_aware_keeps_secondary_skills_for_overflow():
    c = center(ALL_SKILLS, TIERS3)
    # Agent 0 is planned on billing, agent 2 on order_status; an order_status case arrives.
    p = bound(TierAware(overflow_after_s=60), c, [1, OFF, 0])
    assert p.choose_agent(Case(0, 0, 100.0), [0, 2], 100.0) == 2  # primary beats the better tier fit
    assert p.choose_agent(Case(0, 0, 100.0), [0], 100.0) is None  # secondary must wait ...
    assert p.choose_agent(Case(0, 0, 100.0), [0], 160.0) == 0  # ... until 60 s of waiting
    assert p.thresholds(0) == (60.0,)
    # A freed billing agent takes an order_status case only once it has waited 60 s.
    assert p.choose_case(0, [Case(5, 0, 100.0)], 130.0) is None
    assert p.choose_case(0, [Case(5, 0, 100.0)], 161.0).idx == 5


def test_swarm_agents_are_primary_for_complex_work_only():
    c = center(ALL_SKILLS, TIERS3)
    p = bound(TierAware(overflow_after_s=60), c, [OFF, 1, SWARM])
    assert p.choose_agent(Case(0, 2, 0.0), [2], 0.0) == 2
    assert p.choose_agent(Case(0, 1, 0.0), [2], 0.0) is None  # agent 1 is planned on billing
    assert p.choose_expert(Case(0, 2, 0.0), [1, 2], 0.0) == 2  # reserved swarm time first


def test_tier_aware_overflows_at_once_when_nobody_is_planned_on_the_type():
    c = center(ALL_SKILLS, TIERS3)
    state_acts = [1, 1, OFF]  # two on billing, nobody on order_status
    p = bound(TierAware(overflow_after_s=60), c, state_acts)
    assert p.choose_agent(Case(0, 0, 100.0), [0, 1], 100.0) == 0  # low tier first, no wait
    assert p.choose_case(1, [Case(5, 0, 100.0)], 100.0).idx == 5
    # Once someone is planned on order_status (even busy), secondary agents wait for overflow again.
    p.state_.set_activity(2, 0)
    assert p.choose_agent(Case(0, 0, 100.0), [0, 1], 100.0) is None
    # The primary count is per skilled agent: an agent planned on a type without the skill is none.
    c2 = center([[0, 4, 4], [4, 4, 4]], [1, 1])
    p = bound(TierAware(overflow_after_s=60), c2, [0, 1])
    assert p.choose_agent(Case(0, 0, 100.0), [1], 100.0) == 1
    assert p.state_.set_activity(1, OFF) == (1,)  # billing lost its last primary agent


def test_relaxation_lowers_level_and_tier_after_the_wait():
    # Agent 0: low tier, tech level 2 (below min level 3 and min tier medium).
    c = center([[4, 4, 2]], [0])
    p = bound(LongestIdle(relax_after_s=120), c, [ANY])
    assert p.choose_agent(Case(0, 2, 0.0), [0], 60.0) is None
    assert p.choose_agent(Case(0, 2, 0.0), [0], 120.0) == 0
    assert p.thresholds(2) == (120.0,)
    # Relaxation goes one tier down only: a complex type needing high stays closed to low.
    c = center([[4, 4, 4]], [0], min_tier=(0, 0, 2))
    p = bound(LongestIdle(relax_after_s=120), c, [ANY])
    assert p.choose_agent(Case(0, 2, 0.0), [0], 500.0) is None


def test_priority_classes_before_waiting_time():
    c = center(ALL_SKILLS, TIERS3, priority=(1.0, 3.0, 1.0))
    for policy in (LongestIdle(), TierAware(overflow_after_s=0)):
        p = bound(policy, c, [ANY, ANY, ANY])
        old_low = Case(1, 0, 0.0)
        new_high = Case(2, 1, 90.0)
        assert p.choose_case(1, [old_low, new_high], 100.0) is new_high
    # Same priority: the case waiting longest.
    c = center(ALL_SKILLS, TIERS3)
    p = bound(LongestIdle(), c, [ANY, ANY, ANY])
    assert p.choose_case(1, [Case(1, 0, 50.0), Case(2, 1, 10.0)], 100.0).idx == 2


def test_tier_aware_freed_high_agent_prefers_complex_over_transactional():
    c = center(ALL_SKILLS, TIERS3)
    p = bound(TierAware(overflow_after_s=0), c, [ANY, ANY, ANY])
    got = p.choose_case(2, [Case(1, 0, 0.0), Case(2, 2, 50.0)], 100.0)
    assert got.idx == 2


def test_parameters_are_checked_when_built():
    with pytest.raises(ValueError, match="overflow_after_s"):
        TierAware(overflow_after_s=-1)
    with pytest.raises(ValueError, match="relax_after_s"):
        LongestIdle(relax_after_s=math.nan)
    with pytest.raises(PlannerError, match="unknown routing policy"):
        make_policy("round-robin")
    assert isinstance(make_policy("tier-aware", overflow_after_s=30), TierAware)
    assert "overflow_after_s=30.0" in repr(make_policy("tier-aware", overflow_after_s=30))


def test_center_checks_its_arrays():
    with pytest.raises(ValueError, match="level"):
        center([[4, 4]], [0])
    with pytest.raises(ValueError, match="tier"):
        center(ALL_SKILLS, [0, 1, 3])


def test_default_overflow_is_half_the_answer_time_at_most_a_minute():
    c = center(ALL_SKILLS, TIERS3)
    c = Center(**{**c.__dict__, "answer_seconds": np.array([20.0, 60.0, 86400.0])})
    p = bound(TierAware(), c, [ANY, ANY, ANY])
    assert [p.thresholds(t) for t in range(3)] == [(10.0,), (30.0,), (60.0,)]
    assert bound(TierAware(overflow_after_s=0), c, [ANY] * 3).thresholds(0) == ()
