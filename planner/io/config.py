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

    name: str = "Service center"
    timezone: str = "UTC"
    country: str | None = Field(default=None, description="ISO country code for public holidays")
    subdivision: str | None = None
    interval_minutes: Literal[15, 30, 60] = 30
    # "HH:MM-HH:MM" per weekday, "closed", or "24h"; an end of "00:00" (or "24:00") is the midnight
    # that ends the day.
    opening_hours: dict[str, str] = Field(
        default_factory=lambda: {d: "00:00-24:00" for d in WEEKDAYS}
    )
    closed_dates: list[date] = Field(default_factory=list)
    # Open on public holidays? Most centres close or run a skeleton; default: closed.
    open_on_holidays: bool = False

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

    channel: Channel = "phone"
    complexity: Complexity = "standard"
    min_tier: Tier = "low"
    # Share of contacts answered within answer_seconds (phone, chat).
    service_level: float = Field(default=0.8, gt=0, lt=1)
    answer_seconds: float = Field(default=20, gt=0)
    max_asa_seconds: float | None = Field(default=None, gt=0)
    # Back-office work (email): answered within this many hours instead of a queue target.
    deadline_hours: float | None = Field(default=None, gt=0, le=24 * 14)
    patience_seconds: float | None = Field(default=None, gt=0)
    max_abandon: float | None = Field(default=None, gt=0, lt=1)
    concurrency: int = Field(default=1, ge=1, le=10)
    shrinkage: float | None = Field(default=None, ge=0, lt=1)
    max_occupancy: float | None = Field(default=None, gt=0, le=1)
    priority: float = Field(default=1.0, gt=0)
    # Share of cases that pull in a high-tier expert (swarming), and for what share of the handle time.
    swarm_share: float = Field(default=0.0, ge=0, le=1)
    swarm_time_share: float = Field(default=0.3, gt=0, le=1)
    min_level: int = Field(default=1, ge=1, le=5)
    # Hours this case type is served, per weekday as in center.opening_hours; None = the center's.
    opening_hours: dict[str, str] | None = None

    @field_validator("opening_hours")
    @classmethod
    def _check_hours(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        return None if v is None else CenterConfig._check_hours(v)


class StaffingConfig(_Model):
    """Defaults for every case type that does not set its own."""

    shrinkage: float = Field(default=0.30, ge=0, lt=1)
    max_occupancy: float = Field(default=0.85, gt=0, le=1)
    model: Literal["erlang_c", "erlang_a"] = "erlang_c"


class ShiftConfig(_Model):
    """Shift rules of the scheduler."""

    lengths_hours: list[float] = Field(default_factory=lambda: [8.0, 6.0, 4.0])
    start_step_minutes: int = Field(default=30, ge=15, le=120)
    earliest_start: time = time(0, 0)
    latest_end: time | None = None
    # Paid break(s): one per `break_every_hours` worked, each `break_minutes` long.
    break_minutes: int = Field(default=15, ge=0, le=60)
    break_every_hours: float = Field(default=4.0, gt=0)
    # Unpaid lunch on shifts of at least `lunch_min_shift_hours`, placed within the window.
    lunch_minutes: int = Field(default=30, ge=0, le=120)
    lunch_min_shift_hours: float = Field(default=6.0, gt=0)
    lunch_window_hours: tuple[float, float] = (3.0, 5.0)
    min_rest_hours: float = Field(default=11.0, ge=0, le=24)
    max_consecutive_days: int = Field(default=5, ge=1, le=7)
    days_off_per_week: int = Field(default=2, ge=0, le=7)
    paired_days_off: bool = False
    allow_overnight: bool = True
    min_hours: float = Field(default=0.0, ge=0)
    max_hours: float = Field(default=40.0, gt=0, le=80)

    @field_validator("lengths_hours")
    @classmethod
    def _check_lengths(cls, v: list[float]) -> list[float]:
        if not v or any(x <= 0 or x > 14 for x in v):
            raise ValueError("shift lengths must be between 0 and 14 hours, at least one")
        return v


class TierConfig(_Model):
    """How tiers are computed from KPIs."""

    window_weeks: int = Field(default=12, ge=1, le=104)
    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "handle_time": 0.25, "fcr": 0.25, "csat": 0.2, "qa": 0.15, "reopen": 0.1, "transfers": 0.05,
        }
    )
    # Percentile bands: the top `high_share` are high, the bottom `low_share` low.
    bands: Literal["percentile", "targets"] = "percentile"
    high_share: float = Field(default=0.25, gt=0, lt=1)
    low_share: float = Field(default=0.25, gt=0, lt=1)
    # Composite-score thresholds used when bands = "targets".
    high_score: float = 0.5
    low_score: float = -0.5
    min_cases: int = Field(default=30, ge=1)
    hysteresis: float = Field(default=0.1, ge=0)
    # The hysteresis margin also grows with the agent's own score uncertainty (this many SDs).
    hysteresis_sd_share: float = Field(default=0.5, ge=0, le=3)
    # Cases of one type an agent needs in the window for a learned proficiency level on it.
    proficiency_min_cases: int = Field(default=10, ge=1)
    # High (low) only when the score's 90% interval is above (below) the team average.
    require_credible: bool = True

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

    cases_file: str = "cases.csv"
    volumes_file: str = "volumes.csv"
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str | int | float | bool]] = Field(default_factory=dict)
    datetime_format: str | None = None
    delimiter: str = ","

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

    # Yearly volume growth (0.05 = +5% a year); none: measured year over year where the history
    # holds more than a year, else 0 (the recent level carried forward).
    growth_per_year: float | None = Field(default=None, ge=-0.9, le=10)
    # Share of agents who leave per month; none: measured from agents.csv start_date/end_date over
    # the last 12 months where end dates are given, else 0.02.
    attrition_per_month: float | None = Field(default=None, ge=0, le=1)
    # Shrinkage added to each case type's in a month (jul = 0.08: summer holidays), by month name.
    extra_shrinkage_by_month: dict[str, float] = Field(default_factory=dict)
    # New classes: weeks from the decision to the first day (recruiting), training and ramp-up.
    lead_time_weeks: int = Field(default=4, ge=0, le=52)
    # New classes may start every this many weeks (from the lead time on).
    class_every_weeks: int = Field(default=2, ge=1, le=26)
    training_weeks: int = Field(default=6, ge=0, le=52)
    ramp_weeks: int = Field(default=8, ge=0, le=104)
    min_class_size: int = Field(default=4, ge=1, le=1000)
    max_class_size: int = Field(default=15, ge=1, le=1000)
    # Trainees in training at the same time (hires and hiring.csv classes together).
    training_capacity: int = Field(default=30, ge=0, le=10_000)
    # Cross-skilling: weeks an agent is off the queue learning one more case type.
    cross_skill_weeks: int = Field(default=2, ge=0, le=26)
    max_cross_skills_per_month: int = Field(default=4, ge=0, le=1000)
    # Overtime at most this share of a skill set's paid hours in a week.
    max_overtime_share: float = Field(default=0.1, ge=0, le=1)
    cost_per_hire: float = Field(default=4000.0, ge=0)
    cost_per_fte_week: float = Field(default=800.0, ge=0)
    cost_per_overtime_hour: float = Field(default=30.0, ge=0)
    cost_per_shortfall_hour: float = Field(default=60.0, ge=0)
    cost_per_cross_skill: float = Field(default=1500.0, ge=0)
    # The optimiser's time limit [s] and relative optimality gap.
    solver_seconds: float = Field(default=20.0, gt=0, le=3600)
    solver_gap: float = Field(default=0.005, ge=0, le=1)

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
    tiers: TierConfig = Field(default_factory=TierConfig)
    input: InputConfig = Field(default_factory=InputConfig)
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)
    horizon_days: int = Field(default=7, ge=1, le=42)
    seed: int = 0

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


def parse_config(text: str, file: str = "planner.toml") -> PlannerConfig:
    """Parse and validate planner.toml text; every problem is collected into one ContractError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None)
        raise ContractError([Problem(file, line, None, None, f"valid TOML ({err})")]) from None
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
