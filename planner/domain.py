"""The domain's vocabulary and rules, defined once: tiers and their order, who may take a case type,
swarm time, the activities that are not case work, and the units coverage is counted in.

Every stage and the analysis import these names; nothing here imports from the rest of the package,
so any module may use it.
"""

from __future__ import annotations

from typing import Literal, Protocol

# Performance tiers, lowest first: the order is the rule (a case type's ``min_tier`` admits its tier
# and every tier after it).
Tier = Literal["low", "medium", "high"]
TIERS: tuple[str, ...] = ("low", "medium", "high")
# What the tiers stage writes for an agent with too few cases to judge.
INSUFFICIENT = "insufficient_evidence"
# Tier labels of agents not judged (no label at all included).
UNTIERED: tuple[str, ...] = (INSUFFICIENT, "")
# Every label tiers.csv may hold.
TIER_LABELS: tuple[str, ...] = (*TIERS, INSUFFICIENT)
TIER_RANK: dict[str, int] = {**{t: i for i, t in enumerate(TIERS)}, INSUFFICIENT: 0}


def tier_rank(tier: object) -> int:
    """low 0, medium 1, high 2; anything else (unjudged, unknown) ranks as low."""
    return TIER_RANK.get(str(tier), 0)


# Highest first, for rosters and tables that lead with the experts.
TIERS_BEST_FIRST: tuple[str, ...] = tuple(reversed(TIERS))


class CaseTypeRules(Protocol):
    min_level: int
    min_tier: str


def is_eligible(level: float, tier: object, rules: CaseTypeRules) -> bool:
    """May an agent with this skill ``level`` and ``tier`` take a case type with these ``rules``?"""
    return level >= rules.min_level and tier_rank(tier) >= tier_rank(rules.min_tier)


def blocked_by(level: float, tier: object, rules: CaseTypeRules) -> str:
    """Why a skilled agent may not take the type: ``"tier"``, ``"level"``, or ``""`` when they may."""
    if tier_rank(tier) < tier_rank(rules.min_tier):
        return "tier"
    if level < rules.min_level:
        return "level"
    return ""


# The scheduler's reserved expert time on complex case types: a coverage row, not a skill one learns.
SWARM = "swarm"
# Skill level a high-tier agent needs on a complex type to swarm on it (or the type's minimum).
SWARM_MIN_LEVEL = 4
# An agent who does not come in (or goes home sick): the intraday re-plan marks their shift so.
ABSENT = "absent"
# Activities in assignments.csv that are not case work.
NON_WORK: tuple[str, ...] = ("break", "lunch", "off", "training", "meeting", ABSENT)

# Coverage in integer units: the scheduler counts requirements in tenths of an agent; the max-flow
# re-plan counts them in hundredths, so that fractional swarm requirements are not rounded.
SCHEDULE_UNITS_PER_AGENT = 10
FLOW_UNITS_PER_AGENT = 100
