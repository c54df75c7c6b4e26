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

# Unpopular work, spread evenly among comparable agents when the scheduler's fairness is on.
# A night shift holds at least NIGHT_MINUTES of night time (NIGHT_FROM to NIGHT_TO, the night of
# either day it touches); a late shift is any other shift ending after LATE_END; a weekend day is
# a shift that starts on a Saturday or a Sunday.
NIGHT_FROM = 23 * 60  # [min after midnight]
NIGHT_TO = 6 * 60
NIGHT_MINUTES = 180
LATE_END = 20 * 60
FAIR_KINDS: tuple[str, ...] = ("nights", "lates", "weekend_days")
_DAY = 1440


def night_minutes(start: int, end: int) -> int:
    """Minutes of ``[start, end)`` (minutes after the shift day's midnight; ``end`` past 1440
    runs overnight) that fall in night time."""
    total = 0
    for base in (-_DAY, 0, _DAY):
        lo, hi = base + NIGHT_FROM, base + _DAY + NIGHT_TO
        total += max(0, min(end, hi) - max(start, lo))
    return total


def shift_kind(start: int, end: int) -> str | None:
    """``"nights"``, ``"lates"`` or None for a shift from ``start`` to ``end`` (minutes after its
    day's midnight)."""
    if night_minutes(start, end) >= NIGHT_MINUTES:
        return "nights"
    if end > LATE_END:
        return "lates"
    return None


def is_weekend(weekday: int) -> bool:
    """Saturday or Sunday (``weekday``: 0 = Monday)."""
    return weekday >= 5


def fairness_group(team: str, min_hours: float, max_hours: float, max_days: int) -> str:
    """Comparable agents, in words: the same team (when given) and contract (weekly hours and
    most days a week)."""
    head = f"{team}: " if team else ""
    return f"{head}{min_hours:g}-{max_hours:g} h, {max_days} days"
