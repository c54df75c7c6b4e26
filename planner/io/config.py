"""planner.toml: the configuration contract, with a default for everything optional.

The file is validated with pydantic (unknown keys are errors, ranges are checked) and every problem is
reported as a :class:`~planner.errors.Problem` naming the dotted key. A data folder without
planner.toml runs on :func:`default_config`; case types found in the data but not configured get
:class:`CaseTypeConfig` defaults for their channel.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from planner.domain import Tier
from planner.errors import ContractError, Problem

Channel = Literal["phone", "chat", "email", "backoffice"]
Complexity = Literal["transactional", "standard", "complex"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CASE_FIELDS: tuple[str, ...] = (
    "case_id", "created_at", "case_type", "channel", "agent_id", "handle_seconds", "wait_seconds",
    "abandoned", "resolved_first_contact", "reopened", "transfers", "csat", "qa_score",
)

_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CenterConfig(_Model):
    """Where and when the center works."""

    name: str = Field(default="Service center", description="The center's name, shown in the report.")
    timezone: str = Field(default="UTC", description=(
        "IANA time zone of the center (e.g. Europe/London). Times without an offset in the input "
        "are local wall-clock times of this zone; times with one are converted to it."))
    country: str | None = Field(default=None, description=(
        "ISO country code whose public holidays close the center (unless open_on_holidays) and "
        "shape the forecast's calendar; none: no holidays."))
    subdivision: str | None = Field(default=None, description=(
        "Region code within the country for regional holidays (e.g. a state or province)."))
    interval_minutes: Literal[15, 30, 60] = Field(default=30, description=(
        "Length of one planning interval [min]: the grid of the forecast, requirements and schedule."))
    opening_hours: dict[str, str] = Field(
        default_factory=lambda: dict.fromkeys(WEEKDAYS, "24h"),
        description=('Per weekday (mon..sun): "HH:MM-HH:MM", "closed" or "24h"; an end of "00:00" '
                     '(or "24:00") is the midnight that ends the day. A weekday left out is closed.'))
    closed_dates: list[date] = Field(default_factory=list, description=(
        "Dates (YYYY-MM-DD) the center is closed besides public holidays."))
    open_on_holidays: bool = Field(default=False, description=(
        "Open on public holidays? Most centres close or run a skeleton; default: closed."))

    @field_validator("opening_hours")
    @classmethod
    def _check_hours(cls, v: dict[str, str]) -> dict[str, str]:
        for day, span in v.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; expected one of {', '.join(WEEKDAYS)}")
            if span in ("closed", "24h"):
                continue
            m = _HOURS.match(span)
            if not m:
                raise ValueError(f"{day}: {span!r} is not 'HH:MM-HH:MM', 'closed' or '24h'")
            h1, m1, h2, m2 = map(int, m.groups())
            if (h2, m2) == (0, 0):
                h2 = 24  # an end of 00:00 is the midnight that ends the day
            if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2) or (h2, m2) <= (h1, m1):
                raise ValueError(f"{day}: {span!r} is not a valid span within one day")
        return v

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {v!r} (expected an IANA name such as 'Europe/London')") from err
        return v

    def open_span(self, weekday: int) -> tuple[time, time] | None:
        """Opening span of a weekday (0 = Monday) as (start, end); end time(0) means midnight."""
        span = self.opening_hours.get(WEEKDAYS[weekday], "closed")
        if span == "closed":
            return None
        if span == "24h":
            return time(0), time(0)
        m = _HOURS.match(span)
        assert m is not None  # validated above
        h1, m1, h2, m2 = map(int, m.groups())
        return time(h1, m1), (time(0) if h2 == 24 else time(h2, m2))


class CaseTypeConfig(_Model):
    """Service rules of one case type."""

    channel: Channel = Field(default="phone", description=(
        "How the cases arrive; a label for the report and routing (deadline_hours, not the channel, "
        "makes a type deadline work)."))
    complexity: Complexity = Field(default="standard", description=(
        "transactional work is given to lower tiers first (high tiers are kept for harder work); "
        "standard and complex have no such preference."))
    min_tier: Tier = Field(default="low", description=(
        "Lowest agent tier allowed to take this case type (insufficient_evidence counts as low)."))
    service_level: float = Field(default=0.8, gt=0, lt=1, description=(
        "Share of contacts answered within answer_seconds (phone, chat)."))
    answer_seconds: float = Field(default=20, gt=0, description=(
        "Answer-time target of the service level [s]."))
    max_asa_seconds: float | None = Field(default=None, gt=0, description=(
        "Also keep the average speed of answer at or below this [s]; none: no such target."))
    deadline_hours: float | None = Field(default=None, gt=0, le=24 * 14, description=(
        "Back-office work (email): answered within this many hours instead of a queue target "
        "(service_level and answer_seconds then do not apply) [h]; none: a queue."))
    patience_seconds: float | None = Field(default=None, gt=0, description=(
        "Mean time a caller waits before hanging up [s]; with model erlang_a the requirement counts "
        "abandonment, and the simulation uses it."))
    max_abandon: float | None = Field(default=None, gt=0, lt=1, description=(
        "Largest acceptable share of abandoned contacts (Erlang A); none: no such target."))
    concurrency: int = Field(default=1, ge=1, le=10, description=(
        "Contacts one agent works at once (e.g. 2 chats)."))
    shrinkage: float | None = Field(default=None, ge=0, lt=1, description=(
        "This type's shrinkage; none: staffing.shrinkage."))
    max_occupancy: float | None = Field(default=None, gt=0, le=1, description=(
        "This type's occupancy cap; none: staffing.max_occupancy."))
    priority: float = Field(default=1.0, gt=0, description=(
        "Weight of this type's shortfall in the scheduler: a type with priority 2 is covered before "
        "one with 1 when agents are short."))
    swarm_share: float = Field(default=0.0, ge=0, le=1, description=(
        "Share of cases that pull in a high-tier expert (swarming)."))
    swarm_time_share: float = Field(default=0.3, gt=0, le=1, description=(
        "Share of a swarmed case's handle time the expert spends on it."))
    min_level: int = Field(default=1, ge=1, le=5, description=(
        "Lowest skill level (skills.csv, 1-5) an agent needs to take this case type."))
    opening_hours: dict[str, str] | None = Field(default=None, description=(
        "Hours this case type is served, per weekday as in center.opening_hours; none: the "
        "center's."))

    @field_validator("opening_hours")
    @classmethod
    def _check_hours(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        return None if v is None else CenterConfig._check_hours(v)


class StaffingConfig(_Model):
    """Defaults for every case type that does not set its own."""

    shrinkage: float = Field(default=0.30, ge=0, lt=1, description=(
        "Share of paid time not available for cases (breaks, meetings, absence); gross agents = "
        "net / (1 - shrinkage)."))
    max_occupancy: float = Field(default=0.85, gt=0, le=1, description=(
        "Largest share of their available time agents spend on cases; staffing adds agents to stay "
        "below it."))
    model: Literal["erlang_c", "erlang_a"] = Field(default="erlang_c", description=(
        "Queue model of the requirements: erlang_c (nobody abandons) or erlang_a (callers abandon "
        "after patience_seconds)."))


class ShiftConfig(_Model):
    """Shift rules of the scheduler."""

    lengths_hours: list[float] = Field(default_factory=lambda: [8.0, 6.0, 4.0], description=(
        "Shift lengths the scheduler may use, start to end (breaks and lunch included) [h]."))
    start_step_minutes: int = Field(default=30, ge=15, le=120, description=(
        "Shifts start on this grid [min] (never finer than center.interval_minutes)."))
    earliest_start: time = Field(default=time(0, 0), description=(
        "No shift starts before this time of day (HH:MM)."))
    latest_end: time | None = Field(default=None, description=(
        "No shift ends after this time of day (HH:MM); none: any time."))
    break_minutes: int = Field(default=15, ge=0, le=60, description=(
        "Paid break(s): one per break_every_hours worked, each this long [min]."))
    break_every_hours: float = Field(default=4.0, gt=0, description=(
        "Hours worked per paid break [h]."))
    lunch_minutes: int = Field(default=30, ge=0, le=120, description=(
        "Unpaid lunch on shifts of at least lunch_min_shift_hours, placed within the window [min]."))
    lunch_min_shift_hours: float = Field(default=6.0, gt=0, description=(
        "Shortest shift that has a lunch [h]."))
    lunch_window_hours: tuple[float, float] = Field(default=(3.0, 5.0), description=(
        "Lunch starts between these two times after the shift start [h]."))
    min_rest_hours: float = Field(default=11.0, ge=0, le=24, description=(
        "Least rest between the end of one shift and the start of the next [h]."))
    max_consecutive_days: int = Field(default=5, ge=1, le=7, description=(
        "Most working days in a row."))
    days_off_per_week: int = Field(default=2, ge=0, le=7, description=(
        "Days off each agent gets per week."))
    paired_days_off: bool = Field(default=False, description=(
        "Days off come in pairs of consecutive days."))
    max_weekends_in_row: int | None = Field(default=None, ge=0, description=(
        "Most weekends in a row an agent works (a weekend is worked when its Saturday or Sunday "
        "is): 1 gives every other weekend off; none: no limit."))
    whole_weekends: bool = Field(default=False, description=(
        "Saturday and Sunday are worked together or both off (a weekend off is two days off in "
        "a row)."))
    allow_overnight: bool = Field(default=True, description=(
        "Shifts may cross midnight."))
    min_hours: float = Field(default=0.0, ge=0, description=(
        "Least paid hours per agent and week, unless agents.csv sets the agent's own [h]."))
    max_hours: float = Field(default=40.0, gt=0, le=80, description=(
        "Most paid hours per agent and week, unless agents.csv sets the agent's own [h]."))

    @field_validator("lengths_hours")
    @classmethod
    def _check_lengths(cls, v: list[float]) -> list[float]:
        if not v or any(x <= 0 or x > 14 for x in v):
            raise ValueError("shift lengths must be between 0 and 14 hours, at least one")
        return v


class FairnessConfig(_Model):
    """How evenly the scheduler spreads unpopular work among comparable agents."""

    weight: float = Field(default=0.0, ge=0, le=100, description=(
        "Night shifts, late shifts and weekend days spread evenly among comparable agents (same "
        "team and contract): each one an agent works above their group's fair share rounded "
        "down costs as much as this many agent-hours short (priority 1), ten times that above "
        "the share rounded up; 0: off."))


class ScheduleConfig(_Model):
    """The scheduler's work budget: how far its improvement stages go, in steps, not seconds.

    A smaller budget gives a quicker plan that may cover a little worse; with ``--deterministic``
    it is the only stop, so the plan is the same on any machine for the same budget."""

    improvement_passes: int | None = Field(default=None, ge=0, le=1000, description=(
        "Most agent-by-agent improvement passes over the first roster (they stop sooner when a "
        "pass changes nothing); 0: keep the constructed roster; none: the scheduler's own cap (30)."))
    day_rounds: int | None = Field(default=None, ge=0, le=1000, description=(
        "Most rounds of the day-by-day re-solve, for centers whose shifts end by midnight (each "
        "round visits every day once; they stop sooner when a round changes nothing); 0: no "
        "re-solve; none: the scheduler's own cap (20)."))
    search_moves_per_agent: int | None = Field(default=None, ge=0, le=1000, description=(
        "Most moves of the roster search per agent, for centers with overnight shifts (it stops "
        "sooner after a run of moves without a gain); none: 5 with --deterministic, otherwise "
        "no cap but the time limit."))


class TierConfig(_Model):
    """How tiers are computed from KPIs."""

    window_weeks: int = Field(default=12, ge=1, le=104, description=(
        "Weeks of handled cases the tiers are computed from."))
    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "handle_time": 0.25, "fcr": 0.25, "csat": 0.2, "qa": 0.15, "reopen": 0.1, "transfers": 0.05,
        },
        description=("Weight of each KPI (handle_time, fcr, csat, qa, reopen, transfers) in the "
                     "composite score; a KPI the history lacks is left out."))
    bands: Literal["percentile", "targets"] = Field(default="percentile", description=(
        'percentile: the top high_share are high, the bottom low_share low; targets: by '
        'high_score / low_score.'))
    high_share: float = Field(default=0.25, gt=0, lt=1, description=(
        "Share of agents tiered high (bands = percentile)."))
    low_share: float = Field(default=0.25, gt=0, lt=1, description=(
        "Share of agents tiered low (bands = percentile)."))
    high_score: float = Field(default=0.5, description=(
        'Composite score at or above which an agent is high (bands = "targets").'))
    low_score: float = Field(default=-0.5, description=(
        'Composite score at or below which an agent is low (bands = "targets").'))
    min_cases: int = Field(default=30, ge=1, description=(
        "Cases an agent needs in the window to be tiered; fewer: insufficient_evidence."))
    hysteresis: float = Field(default=0.1, ge=0, description=(
        "Score margin (in between-agent standard deviations) an agent must cross before leaving "
        "last week's tier."))
    hysteresis_sd_share: float = Field(default=0.5, ge=0, le=3, description=(
        "The hysteresis margin also grows with the agent's own score uncertainty (this many SDs)."))
    proficiency_min_cases: int = Field(default=10, ge=1, description=(
        "Cases of one type an agent needs in the window for a learned proficiency level on it."))
    require_credible: bool = Field(default=True, description=(
        "High (low) only when the score's 90% interval is above (below) the team average."))

    @model_validator(mode="after")
    def _check(self) -> TierConfig:
        if self.high_share + self.low_share >= 1:
            raise ValueError("high_share + low_share must be below 1")
        unknown = set(self.weights) - {"handle_time", "fcr", "csat", "qa", "reopen", "transfers"}
        if unknown:
            raise ValueError(f"unknown tier weight(s) {sorted(unknown)}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("tier weights must be >= 0")
        return self


class InputConfig(_Model):
    """How to read a help-desk export without editing it.

    ``columns`` maps a contract column (``created_at``) to the export's header (``Created at``);
    ``values`` maps raw values per contract column (``csat = {Good = 5, Bad = 1}``).
    """

    cases_file: str = Field(default="cases.csv", description=(
        "File name of the case history in the data folder (a .gz twin is read too)."))
    volumes_file: str = Field(default="volumes.csv", description=(
        "File name of the interval volumes, used when there is no case history."))
    columns: dict[str, str] = Field(default_factory=dict, description=(
        'Contract column -> the export\'s header, e.g. { created_at = "Created at" }.'))
    values: dict[str, dict[str, str | int | float | bool]] = Field(default_factory=dict, description=(
        'Per contract column, raw value -> value, e.g. { csat = { Good = 5, Bad = 1 } }.'))
    datetime_format: str | None = Field(default=None, description=(
        'strftime format of created_at when it is not ISO-8601 (e.g. "%d/%m/%Y %H:%M").'))
    delimiter: str = Field(default=",", description="Field separator of the cases file.")

    @field_validator("columns", "values")
    @classmethod
    def _known(cls, v: dict) -> dict:
        unknown = set(v) - set(CASE_FIELDS)
        if unknown:
            raise ValueError(f"unknown contract column(s) {sorted(unknown)}; expected some of {list(CASE_FIELDS)}")
        return v


MONTHS: tuple[str, ...] = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                           "dec")


class CapacityConfig(_Model):
    """The long-term capacity plan (planner capacity): growth, attrition, hiring classes and costs."""

    growth_per_year: float | None = Field(default=None, ge=-0.9, le=10, description=(
        "Yearly volume growth (0.05 = +5% a year); none: measured year over year where the history "
        "holds more than a year, else 0 (the recent level carried forward)."))
    attrition_per_month: float | None = Field(default=None, ge=0, le=1, description=(
        "Share of agents who leave per month (0-1); none: measured from agents.csv start_date/"
        "end_date over the last 12 months where end dates are given, else 0.02."))
    extra_shrinkage_by_month: dict[str, float] = Field(default_factory=dict, description=(
        "Shrinkage added to each case type's in a month, by month name (jul = 0.08: summer "
        "holidays)."))
    lead_time_weeks: int = Field(default=4, ge=0, le=52, description=(
        "Weeks from today before a new class can start (recruiting)."))
    class_every_weeks: int = Field(default=2, ge=1, le=26, description=(
        "New classes may start every this many weeks, from the lead time on."))
    training_weeks: int = Field(default=6, ge=0, le=52, description=(
        "Weeks a new class is in training before it takes cases (hiring.csv may say per class)."))
    ramp_weeks: int = Field(default=8, ge=0, le=104, description=(
        "Weeks from a new hire's first case to full speed, linearly (hiring.csv may say per class)."))
    min_class_size: int = Field(default=4, ge=1, le=1000, description=(
        "Fewest heads in a class the optimiser starts."))
    max_class_size: int = Field(default=15, ge=1, le=1000, description=(
        "Most heads in one class the optimiser starts."))
    training_capacity: int = Field(default=30, ge=0, le=10_000, description=(
        "Trainees in training at the same time (new classes and hiring.csv classes together)."))
    cross_skill_weeks: int = Field(default=2, ge=0, le=26, description=(
        "Weeks an agent is off the queue learning one more case type."))
    max_cross_skills_per_month: int = Field(default=4, ge=0, le=1000, description=(
        "Agents who may start cross-skilling in one month (0: none)."))
    max_overtime_share: float = Field(default=0.1, ge=0, le=1, description=(
        "Overtime at most this share of a skill set's paid hours in a week."))
    cost_per_hire: float = Field(default=4000.0, ge=0, description=(
        "Cost of one hire (recruiting and training), on top of the weeks paid."))
    cost_per_fte_week: float = Field(default=800.0, ge=0, description=(
        "Cost of one new hire's paid week, from the start to the end of the horizon."))
    cost_per_overtime_hour: float = Field(default=30.0, ge=0, description=(
        "Cost of one overtime hour."))
    cost_per_shortfall_hour: float = Field(default=60.0, ge=0, description=(
        "Price of one required agent-hour left uncovered (what a missed target costs)."))
    cost_per_cross_skill: float = Field(default=1500.0, ge=0, description=(
        "Cost of teaching one agent one more case type."))
    solver_seconds: float = Field(default=20.0, gt=0, le=3600, description=(
        "Time limit of the hiring optimiser [s]."))
    solver_gap: float = Field(default=0.005, ge=0, le=1, description=(
        "Relative optimality gap at which the hiring optimiser stops."))

    @field_validator("extra_shrinkage_by_month")
    @classmethod
    def _check_months(cls, v: dict[str, float]) -> dict[str, float]:
        for month, share in v.items():
            if month not in MONTHS:
                raise ValueError(f"unknown month {month!r}; expected one of {', '.join(MONTHS)}")
            if not 0 <= share < 1:
                raise ValueError(f"{month}: {share} is not a share between 0 and 1")
        return v

    @model_validator(mode="after")
    def _check(self) -> CapacityConfig:
        if self.min_class_size > self.max_class_size:
            raise ValueError("min_class_size must be at most max_class_size")
        return self


class PlannerConfig(_Model):
    """The whole planner.toml."""

    center: CenterConfig = Field(default_factory=CenterConfig)
    staffing: StaffingConfig = Field(default_factory=StaffingConfig)
    case_types: dict[str, CaseTypeConfig] = Field(default_factory=dict)
    shifts: ShiftConfig = Field(default_factory=ShiftConfig)
    fairness: FairnessConfig = Field(default_factory=FairnessConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    tiers: TierConfig = Field(default_factory=TierConfig)
    input: InputConfig = Field(default_factory=InputConfig)
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)
    horizon_days: int = Field(default=7, ge=1, le=42, description=(
        "Days the schedule covers, from the first day of the requirements."))
    seed: int = Field(default=0, description=(
        "Random seed of the scheduler and the simulation: the same seed and input give the same "
        "result."))

    def case_type(self, name: str) -> CaseTypeConfig:
        """Rules of a case type; an unconfigured type gets the defaults."""
        return self.case_types.get(name) or CaseTypeConfig()

    def shrinkage_for(self, name: str) -> float:
        ct = self.case_type(name)
        return self.staffing.shrinkage if ct.shrinkage is None else ct.shrinkage

    def max_occupancy_for(self, name: str) -> float:
        ct = self.case_type(name)
        return self.staffing.max_occupancy if ct.max_occupancy is None else ct.max_occupancy


def default_config() -> PlannerConfig:
    """The configuration used when a data folder has no planner.toml."""
    return PlannerConfig()


def _line_of(text: str, key: str) -> int | None:
    """Best-effort line number of a key in TOML text, so a message points into the file."""
    pat = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=|^\s*\[.*\b{re.escape(key)}\]", re.M)
    m = pat.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


# The control characters no input text may hold (see planner.io.tables); TOML can spell any of
# them as an escape ("\u202e").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _control_problems(value: object, file: str, text: str, path: str = "") -> list[Problem]:
    """Every key or string value of the parsed TOML holding a control character."""
    problems: list[Problem] = []
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            if _CONTROL.search(str(k)):
                problems.append(Problem(file, None, path or None, repr(str(k))[1:-1],
                                        "a key without control characters or direction overrides"))
            problems += _control_problems(v, file, text, here)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            problems += _control_problems(v, file, text, f"{path}[{i}]")
    elif isinstance(value, str) and _CONTROL.search(value):
        key = path.rsplit(".", 1)[-1]
        problems.append(Problem(file, _line_of(text, key), path, repr(value)[1:-1],
                                "text without control characters or direction overrides"))
    return problems


def parse_config(text: str, file: str = "planner.toml") -> PlannerConfig:
    """Parse and validate planner.toml text; every problem is collected into one ContractError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None)
        raise ContractError([Problem(file, line, None, None, f"valid TOML ({err})")]) from None
    problems = _control_problems(raw, file, text)
    if problems:
        raise ContractError(problems)
    try:
        return PlannerConfig.model_validate(raw)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            path = ".".join(str(p) for p in e["loc"])
            key = str(e["loc"][-1]) if e["loc"] else ""
            value = e.get("input")
            shown = None if isinstance(value, dict) else str(value)
            if e["type"] == "extra_forbidden":
                expected = "no such key (unknown configuration key; check the spelling)"
            else:
                expected = e["msg"]
            problems.append(Problem(file, _line_of(text, key), path, shown, expected))
        raise ContractError(problems) from None


def read_config(path: str | Path) -> PlannerConfig:
    """Read planner.toml; a missing file gives the defaults."""
    path = Path(path)
    if not path.exists():
        return default_config()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise ContractError([Problem(str(path), None, None, None, f"UTF-8 text ({err.reason})")]) from None
    return parse_config(text, str(path))
