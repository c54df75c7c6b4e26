"""Day-level rostering rules as frozen dataclasses: the vocabulary shared by the weekly scheduler and
the public Curtois-Qu benchmark (planner/bench/curtois.py maps each instance onto these).

A roster assigns each employee at most one shift type per day (or a day off) over ``days`` days.
Day 0 falls on ``first_weekday`` (0 = Monday), so Saturday is every day with
``(first_weekday + day) % 7 == 5``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# A bound that never binds: used as the default maximum of a sequence or a sum.
UNBOUNDED = 1_000_000


@dataclass(frozen=True)
class ShiftType:
    """One shift type that can be worked on a day.

    Parameters
    ----------
    name : str
        Identifier, unique in a problem.
    length_minutes : int
        Paid length [min]; counts towards an employee's total minutes.
    start_minute : int or None
        Start [min after midnight of the day]; needed only for a minimum rest between shifts.
    cannot_follow : frozenset of str
        Shift types that may NOT be worked on the day after this one (forbidden successions).
    """

    name: str
    length_minutes: int
    start_minute: int | None = None
    cannot_follow: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SequenceRule:
    """Bounds on the length of a run (consecutive worked days, consecutive days off) or on a sum.

    Shaped as the OR-Tools ``shift_scheduling_sat`` example: a run (or a sum) shorter than
    ``hard_min`` or longer than ``hard_max`` is forbidden; each unit below ``soft_min`` costs
    ``min_cost`` and each unit above ``soft_max`` costs ``max_cost``. It must hold that
    ``hard_min <= soft_min <= soft_max <= hard_max``.

    ``edges_exempt`` (runs only): a run touching the first or the last day of the horizon is not
    held to the minimum, because it may continue outside the horizon (the benchmark's convention).
    The maximum always applies to the part inside the horizon.
    """

    hard_min: int = 0
    soft_min: int = 0
    min_cost: int = 0
    soft_max: int = UNBOUNDED
    hard_max: int = UNBOUNDED
    max_cost: int = 0
    edges_exempt: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.hard_min <= self.soft_min <= self.soft_max <= self.hard_max:
            raise ValueError(
                f"SequenceRule needs 0 <= hard_min <= soft_min <= soft_max <= hard_max, got "
                f"{self.hard_min}, {self.soft_min}, {self.soft_max}, {self.hard_max}"
            )
        if self.min_cost < 0 or self.max_cost < 0:
            raise ValueError("SequenceRule costs must be >= 0")

    @classmethod
    def hard(cls, minimum: int = 0, maximum: int = UNBOUNDED, edges_exempt: bool = True
             ) -> SequenceRule:
        """A rule with hard bounds only."""
        return cls(minimum, minimum, 0, maximum, maximum, 0, edges_exempt)


def weekend_days(first_weekday: int, days: int) -> list[tuple[int, ...]]:
    """The days of each weekend that lies (at least partly) inside a horizon of ``days`` days whose
    day 0 falls on ``first_weekday`` (0 = Monday): ``(saturday, sunday)``, or one day at an edge."""
    out: list[tuple[int, ...]] = []
    for d in range(days):
        if (first_weekday + d) % 7 == 5:
            out.append(tuple(x for x in (d, d + 1) if x < days))
        elif d == 0 and first_weekday == 6:
            out.append((d,))
    return out


def calendar_weeks(first_weekday: int, days: int) -> list[range]:
    """The horizon's weeks for weekly limits: calendar weeks (Monday to Sunday, the first and the
    last possibly partial) when the horizon is longer than a week, else the horizon itself."""
    if days <= 7:
        return [range(days)]
    out, start = [], 0
    for d in range(1, days + 1):
        if d == days or (first_weekday + d) % 7 == 0:
            out.append(range(start, d))
            start = d
    return out


@dataclass(frozen=True)
class WeekLimit:
    """Limits of one week of the horizon (see :func:`calendar_weeks`): paid minutes within
    ``[min_minutes, max_minutes]`` and at most ``max_days`` worked days over ``days``."""

    days: range
    min_minutes: int = 0
    max_minutes: int = UNBOUNDED
    max_days: int = UNBOUNDED


def _frozen_map(value: Mapping | None) -> Mapping:
    if isinstance(value, MappingProxyType):
        return value  # already a frozen copy: shared as it is (thousands of agents, one map)
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class EmployeeRules:
    """The hard and soft rules of one employee over the horizon.

    Parameters
    ----------
    employee : str
        Identifier.
    max_shifts : mapping of shift name to int
        At most this many shifts of each type; a type missing from the mapping is unlimited, a type
        mapped to 0 is never worked.
    min_minutes, max_minutes : int
        Total paid minutes over the horizon, hard bounds [min].
    work_sequence, off_sequence : SequenceRule
        Lengths of runs of worked days and of days off.
    max_weekends : int
        At most this many weekends worked (a weekend is worked when Saturday or Sunday is).
    days_off : frozenset of int
        Days the employee cannot work (hard).
    available_shifts : mapping of day to frozenset of shift names, or None
        When given, on a day present in the mapping only these shift types may be worked (days not
        present are unrestricted). None means no restriction.
    weeks : tuple of WeekLimit
        Paid minutes and worked days per week (hard).
    max_weekends_in_row : int
        At most this many weekends worked in a row (1: every other weekend off).
    whole_weekends : bool
        Saturday and Sunday are worked together or both off (weekends inside the horizon).
    """

    employee: str
    max_shifts: Mapping[str, int] = field(default_factory=dict)
    min_minutes: int = 0
    max_minutes: int = UNBOUNDED
    work_sequence: SequenceRule = SequenceRule()
    off_sequence: SequenceRule = SequenceRule()
    max_weekends: int = UNBOUNDED
    days_off: frozenset[int] = frozenset()
    available_shifts: Mapping[int, frozenset[str]] | None = None
    weeks: tuple[WeekLimit, ...] = ()
    max_weekends_in_row: int = UNBOUNDED
    whole_weekends: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_shifts", _frozen_map(self.max_shifts))
        object.__setattr__(self, "weeks", tuple(self.weeks))
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        if self.available_shifts is not None:
            object.__setattr__(self, "available_shifts", _frozen_map(self.available_shifts))

    def relaxed(self, min_minutes: int) -> EmployeeRules:
        """These rules with the horizon's minimum lowered to ``min_minutes`` and no weekly
        minimum (an over-constrained employee: the most their other rules allow)."""
        weeks = tuple(dataclasses.replace(w, min_minutes=0) for w in self.weeks)
        return dataclasses.replace(self, min_minutes=min_minutes, weeks=weeks)

    def may_work(self, day: int, shift: str) -> bool:
        """Whether the hard per-cell rules allow ``shift`` on ``day`` (days off, availability, caps)."""
        if day in self.days_off or self.max_shifts.get(shift, UNBOUNDED) <= 0:
            return False
        if self.available_shifts is not None and day in self.available_shifts:
            return shift in self.available_shifts[day]
        return True


@dataclass(frozen=True)
class ShiftRequest:
    """A wish of an employee: to work ``shift`` on ``day`` (``on=True``) or not to (``on=False``).

    Breaking it costs ``weight``. For an on-request ``shift`` must be worked; for an off-request
    working ``shift`` that day breaks it (``shift=None`` means any shift: a day-off request).
    """

    employee: str
    day: int
    shift: str | None
    weight: int
    on: bool

    def cost(self, worked: str | None) -> int:
        """What the request costs when the employee works ``worked`` that day (None: off)."""
        hit = worked is not None if self.shift is None else worked == self.shift
        return self.weight * int(hit != self.on)


@dataclass(frozen=True)
class DayCover:
    """Wanted number of employees on ``shift`` on ``day``; each one short costs ``under_weight``,
    each one over costs ``over_weight``."""

    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True)
class RosterProblem:
    """A day-level rostering problem: who works which shift type on which day."""

    days: int
    shift_types: tuple[ShiftType, ...]
    employees: tuple[EmployeeRules, ...]
    requests: tuple[ShiftRequest, ...] = ()
    cover: tuple[DayCover, ...] = ()
    first_weekday: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "shift_types", tuple(self.shift_types))
        object.__setattr__(self, "employees", tuple(self.employees))
        object.__setattr__(self, "requests", tuple(self.requests))
        object.__setattr__(self, "cover", tuple(self.cover))

    @functools.cached_property
    def shift_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.shift_types)

    def shift(self, name: str) -> ShiftType:
        for s in self.shift_types:
            if s.name == name:
                return s
        raise KeyError(name)

    def requests_by_employee(self) -> list[list[ShiftRequest]]:
        """The requests of each employee, in the order of ``employees``."""
        index = {r.employee: i for i, r in enumerate(self.employees)}
        out: list[list[ShiftRequest]] = [[] for _ in self.employees]
        for req in self.requests:
            if req.employee in index:
                out[index[req.employee]].append(req)
        return out

    def weekends(self) -> list[tuple[int, ...]]:
        """The days of each weekend that lies (at least partly) inside the horizon."""
        return weekend_days(self.first_weekday, self.days)
