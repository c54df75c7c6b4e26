"""Skill-based routing: which agent takes which case (skills, levels, tiers, overflow, swarming).

Policies are small objects the simulation engine asks; see :mod:`planner.routing.policies` for how an
agent's planned activity constrains routing.
"""

from planner.routing.center import (
    ANY,
    CAPACITY,
    COMPLEXITY_CODE,
    OFF,
    SWARM,
    TIER_CODE,
    AgentState,
    Case,
    Center,
)
from planner.routing.policies import POLICIES, LongestIdle, RoutingPolicy, TierAware, make_policy

__all__ = [
    "ANY", "CAPACITY", "COMPLEXITY_CODE", "OFF", "POLICIES", "SWARM", "TIER_CODE", "AgentState",
    "Case", "Center", "LongestIdle", "RoutingPolicy", "TierAware", "make_policy",
]
