"""The columns of every input file: names, types, ranges, required or optional.

A contract is data, not code: :mod:`planner.io.tables` reads any file against any contract and collects
every problem. Keep names identical to ARCHITECTURE.md and GLOSSARY.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from planner.domain import TIER_LABELS

Kind = Literal["str", "int", "float", "bool", "datetime", "date", "time"]


@dataclass(frozen=True)
class Column:
    """One column of a contract.

    ``low``/``high`` are inclusive bounds for numbers. ``choices`` restricts strings.
    """

    name: str
    kind: Kind
    required: bool = False
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    description: str = ""

    def expected(self) -> str:
        """What a valid value looks like, in words, for error messages."""
        words = {
            "str": "a non-empty text",
            "int": "a whole number",
            "float": "a number",
            "bool": "true/false (or 1/0, yes/no)",
            "datetime": "an ISO-8601 timestamp such as 2026-03-02 09:15",
            "date": "a date such as 2026-03-02",
            "time": "a time of day such as 09:30",
        }[self.kind]
        if self.choices:
            words = "one of " + ", ".join(self.choices)
        if self.low is not None and self.high is not None:
            words += f" between {self.low:g} and {self.high:g}"
        elif self.low is not None:
            words += f" >= {self.low:g}"
        elif self.high is not None:
            words += f" <= {self.high:g}"
        return words


@dataclass(frozen=True)
class Contract:
    """A file's columns and its key (columns that together must be unique)."""

    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # A header without rows is valid: nothing to say (no restrictions, no training, no events).
    may_be_empty: bool = False

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# Handle time above 8 hours for one case is not a handle time but a resolution time or a data error.
MAX_HANDLE_SECONDS = 8 * 3600

CASES = Contract(
    "cases.csv",
    (
        Column("case_id", "str", required=True),
        Column("created_at", "datetime", required=True, description="arrival time, local"),
        Column("case_type", "str", required=True),
        Column("channel", "str", choices=("phone", "chat", "email", "backoffice")),
        Column("agent_id", "str", description="who handled it; empty when abandoned"),
        Column("handle_seconds", "float", low=0, high=MAX_HANDLE_SECONDS),
        Column("wait_seconds", "float", low=0, high=14 * 86400),
        Column("abandoned", "bool"),
        Column("resolved_first_contact", "bool"),
        Column("reopened", "bool"),
        Column("transfers", "int", low=0, high=50),
        Column("csat", "float", low=1, high=5),
        Column("qa_score", "float", low=0, high=100),
    ),
    key=("case_id",),
)

VOLUMES = Contract(
    "volumes.csv",
    (
        Column("case_type", "str", required=True),
        Column("interval_start", "datetime", required=True),
        Column("volume", "float", required=True, low=0, high=1_000_000),
        Column("aht_seconds", "float", low=1, high=MAX_HANDLE_SECONDS),
    ),
    key=("case_type", "interval_start"),
)

AGENTS = Contract(
    "agents.csv",
    (
        Column("agent_id", "str", required=True),
        Column("name", "str", required=True),
        Column("team", "str"),
        Column("site", "str"),
        Column("min_hours", "float", low=0, high=80, description="per week"),
        Column("max_hours", "float", low=0, high=80, description="per week"),
        Column("max_days", "int", low=0, high=7, description="working days per week"),
        Column("earliest_start", "time"),
        Column("latest_end", "time"),
        Column("hourly_cost", "float", low=0, high=10_000),
        Column("start_date", "date", description="first day with the center (capacity plan)"),
        Column("end_date", "date", description="last day with the center, past or planned"),
    ),
    key=("agent_id",),
)

SKILLS = Contract(
    "skills.csv",
    (
        Column("agent_id", "str", required=True),
        Column("case_type", "str", required=True),
        Column("level", "int", required=True, low=1, high=5),
    ),
    key=("agent_id", "case_type"),
)

AVAILABILITY = Contract(
    "availability.csv",
    (
        Column("agent_id", "str", required=True),
        Column("date", "date", required=True),
        Column("start", "time", required=True),
        Column("end", "time", required=True, description="00:00 (or 24:00) means the midnight that ends the day"),
        Column(
            "kind", "str", required=True, choices=("available", "unavailable", "time_off"),
            description="time_off is hard; unavailable is hard unless it has a weight (then a wish)",
        ),
        Column("weight", "float", low=0, high=1000, description="soft preference weight"),
    ),
    may_be_empty=True,
)

# Agents who do not come in on a day (optional; the intraday re-plan takes them out).
ABSENCES = Contract(
    "absences.csv",
    (
        Column("agent_id", "str", required=True),
        Column("date", "date", required=True),
        Column("start", "time", description="absent from this time on (empty: the whole day)"),
    ),
    key=("agent_id", "date"),
)

# Today's arrivals so far for the intraday re-forecast (``--actuals``): one row per case, or one
# row per case type and interval with its count.
ACTUAL_CASES = Contract(
    "actuals",
    (
        Column("created_at", "datetime", required=True, description="arrival time, local"),
        Column("case_type", "str", required=True),
    ),
)
ACTUAL_COUNTS = Contract(
    "actuals",
    (
        Column("case_type", "str", required=True),
        Column("interval_start", "datetime", required=True),
        Column("volume", "float", required=True, low=0, high=1_000_000),
    ),
    key=("case_type", "interval_start"),
)

# Planned training sessions of the week (optional). ``hours`` is the total over the horizon, placed
# in the agent's shifts in contiguous blocks of at least ``min_block_hours`` (default 1 h); both are
# multiples of 30 minutes (the cross-checks of planner.io.folder say so by row). ``topic`` is free
# text; when it names a case type, the session is upskilling on that skill.
TRAINING = Contract(
    "training.csv",
    (
        Column("agent_id", "str", required=True),
        Column("topic", "str", required=True, description="free text, or a case type"),
        Column("hours", "float", required=True, low=0.5, high=80,
               description="total this horizon, a multiple of 0.5"),
        Column("earliest", "date", description="first date it may take place"),
        Column("latest", "date", description="last date it may take place"),
        Column("min_block_hours", "float", low=0.5, high=12,
               description="shortest contiguous block, a multiple of 0.5 (default 1)"),
    ),
    key=("agent_id", "topic"),
    may_be_empty=True,
)

# Events a planner marks by hand (optional). ``exclude``: a past event the forecast must not learn
# from; ``uplift``: a known event whose volume is ``multiplier`` times normal (in the future it lifts
# the forecast; in the history the forecast learns from the volume divided by it). ``end`` given as a
# date (or at midnight) includes that whole day; with a time of day it is exclusive.
EVENTS = Contract(
    "events.csv",
    (
        Column("start", "datetime", required=True, description="first day or moment, local"),
        Column("end", "datetime", required=True, description="last day (inclusive) or end moment"),
        Column("case_type", "str", description="empty: every case type"),
        Column("kind", "str", required=True, choices=("exclude", "uplift")),
        Column("multiplier", "float", low=0.01, high=100, description="uplift only: volume factor"),
    ),
    may_be_empty=True,
)

# Hiring classes already decided (optional), for the capacity plan. ``skills`` names the case types
# the class learns, separated by SKILL_SEPARATOR. The class is paid from ``start``, productive from
# the end of its ``training_weeks`` and reaches full speed ``ramp_weeks`` later (linearly).
SKILL_SEPARATOR = ";"
HIRING = Contract(
    "hiring.csv",
    (
        Column("start", "date", required=True, description="first day of the class"),
        Column("heads", "int", required=True, low=1, high=1000),
        Column("skills", "str", required=True,
               description=f"case types the class learns, separated by '{SKILL_SEPARATOR}'"),
        Column("training_weeks", "int", low=0, high=52,
               description="weeks in training before taking cases (default: capacity.training_weeks)"),
        Column("ramp_weeks", "int", low=0, high=104,
               description="weeks from first case to full speed (default: capacity.ramp_weeks)"),
    ),
)

CONTRACTS = {c.file: c for c in (CASES, VOLUMES, AGENTS, SKILLS, AVAILABILITY, TRAINING, EVENTS,
                                 HIRING)}

# Files one stage writes and the next reads (see planner.io.runfolder). Each reader checks only the
# columns it needs; stages may write more columns than these.
FORECAST = Contract(
    "forecast.csv",
    (
        Column("case_type", "str", required=True),
        Column("interval_start", "datetime", required=True),
        Column("volume", "float", required=True, low=0, high=1_000_000),
        Column("volume_low", "float", low=0, high=1_000_000),
        Column("volume_high", "float", low=0, high=1_000_000),
        # Needed wherever volume > 0 (the readers check); may be empty for an interval without cases.
        Column("aht_seconds", "float", low=1, high=MAX_HANDLE_SECONDS),
    ),
    key=("case_type", "interval_start"),
)

REQUIREMENTS = Contract(
    "requirements.csv",
    (
        Column("case_type", "str", required=True),
        Column("interval_start", "datetime", required=True),
        Column("agents_net", "float", required=True, low=0, high=100_000),
        Column("agents_gross", "float", low=0, high=100_000),
    ),
    key=("case_type", "interval_start"),
)

TIERS_OUT = Contract(
    "tiers.csv",
    (
        Column("agent_id", "str", required=True),
        Column("tier", "str", required=True, choices=TIER_LABELS),
    ),
    key=("agent_id",),
)

# shift_start/shift_end/breaks are text: readers accept timestamps or times of day.
SCHEDULE = Contract(
    "schedule.csv",
    (
        Column("agent_id", "str", required=True),
        Column("date", "date", required=True),
        Column("shift_start", "str", required=True),
        Column("shift_end", "str", required=True),
        Column("breaks", "str"),
    ),
)

ASSIGNMENTS = Contract(
    "assignments.csv",
    (
        Column("agent_id", "str", required=True),
        Column("interval_start", "datetime", required=True),
        Column("activity", "str", required=True),
    ),
    key=("agent_id", "interval_start"),
)
