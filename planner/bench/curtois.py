"""Reader for the Curtois-Qu Employee Shift Scheduling benchmark (schedulingbenchmarks.org) and its
mapping onto the scheduler's own rule vocabulary (:mod:`planner.scheduling.rules`).

Reference: T. Curtois and R. Qu, "Computational results on new staff scheduling benchmark
instances", 2014. Format: sections ``SECTION_HORIZON``, ``SECTION_SHIFTS``, ``SECTION_STAFF``,
``SECTION_DAYS_OFF``, ``SECTION_SHIFT_ON_REQUESTS``, ``SECTION_SHIFT_OFF_REQUESTS``,
``SECTION_COVER``; ``#`` starts a comment; day 0 is a Monday.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from planner.errors import ContractError, Problem
from planner.scheduling.rules import (
    DayCover,
    EmployeeRules,
    RosterProblem,
    SequenceRule,
    ShiftRequest,
    ShiftType,
)


@dataclass(frozen=True)
class CurtoisShift:
    name: str
    length: int
    cannot_follow: tuple[str, ...]


@dataclass(frozen=True)
class CurtoisStaff:
    name: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class CurtoisInstance:
    """The raw content of one instance file (as written, before any mapping)."""

    name: str
    days: int
    shifts: tuple[CurtoisShift, ...]
    staff: tuple[CurtoisStaff, ...]
    days_off: dict[str, frozenset[int]]
    on_requests: tuple[tuple[str, int, str, int], ...]
    off_requests: tuple[tuple[str, int, str, int], ...]
    cover: tuple[tuple[int, str, int, int, int], ...]


_SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF",
             "SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER")


def read_curtois(path: str | Path) -> CurtoisInstance:
    """Read one instance file (``.txt`` or ``.txt.gz``).

    Raises
    ------
    ContractError
        With every malformed line (file, line number, value, what was expected).
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        raise ContractError([Problem(str(path), None, None, None, "an existing file")]) from None
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    problems: list[Problem] = []
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line:
                current = None
            continue
        if line in _SECTIONS:
            current = line
            sections[current] = []
            continue
        if current is None:
            problems.append(Problem(path.name, no, None, line[:60], "a SECTION_ header"))
            continue
        sections[current].append((no, [f.strip() for f in line.split(",")]))

    def ints(no: int, fields: list[str], what: str) -> list[int] | None:
        try:
            return [int(f) for f in fields]
        except ValueError:
            problems.append(Problem(path.name, no, None, ",".join(fields)[:60], what))
            return None

    days = 0
    for no, f in sections.get("SECTION_HORIZON", []):
        v = ints(no, f, "the number of days")
        days = v[0] if v else 0
    shifts = []
    for no, f in sections.get("SECTION_SHIFTS", []):
        v = ints(no, f[1:2], "ShiftID, LengthInMinutes, ShiftsThatCannotFollow")
        if v:
            follow = tuple(x for x in (f[2] if len(f) > 2 else "").split("|") if x)
            shifts.append(CurtoisShift(f[0], v[0], follow))
    staff = []
    for no, f in sections.get("SECTION_STAFF", []):
        v = ints(no, f[2:8], "ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutive"
                             "Shifts, MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends")
        if v is None or len(v) != 6:
            if v is not None:
                problems.append(Problem(path.name, no, None, ",".join(f)[:60], "8 fields"))
            continue
        caps = {}
        for item in f[1].split("|"):
            if item:
                k, _, n = item.partition("=")
                caps[k] = int(n)
        staff.append(CurtoisStaff(f[0], caps, *v))
    days_off = {}
    for no, f in sections.get("SECTION_DAYS_OFF", []):
        v = ints(no, f[1:], "EmployeeID, DayIndexes")
        if v is not None:
            days_off[f[0]] = frozenset(v)
    reqs = {}
    for key in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS"):
        out = []
        for no, f in sections.get(key, []):
            v = ints(no, [f[1], f[3]], "EmployeeID, Day, ShiftID, Weight")
            if v:
                out.append((f[0], v[0], f[2], v[1]))
        reqs[key] = tuple(out)
    cover = []
    for no, f in sections.get("SECTION_COVER", []):
        v = ints(no, [f[0], *f[2:5]], "Day, ShiftID, Requirement, WeightUnder, WeightOver")
        if v:
            cover.append((v[0], f[1], v[1], v[2], v[3]))
    if days <= 0:
        problems.append(Problem(path.name, None, "SECTION_HORIZON", None, "a positive horizon"))
    if problems:
        raise ContractError(problems)
    return CurtoisInstance(path.name.split(".")[0], days, tuple(shifts), tuple(staff), days_off,
                           reqs["SECTION_SHIFT_ON_REQUESTS"], reqs["SECTION_SHIFT_OFF_REQUESTS"],
                           tuple(cover))


def to_roster_problem(inst: CurtoisInstance) -> RosterProblem:
    """Map an instance onto the scheduler's rules: runs shorter than the minimum are forbidden only
    inside the horizon (``edges_exempt``), the maximum run always; minutes, caps and weekends hard."""
    shift_types = tuple(ShiftType(s.name, s.length, None, frozenset(s.cannot_follow))
                        for s in inst.shifts)
    employees = []
    for st in inst.staff:
        employees.append(EmployeeRules(
            employee=st.name,
            max_shifts=dict(st.max_shifts),
            min_minutes=st.min_minutes,
            max_minutes=st.max_minutes,
            work_sequence=SequenceRule.hard(st.min_consecutive, st.max_consecutive),
            off_sequence=SequenceRule.hard(st.min_days_off),
            max_weekends=st.max_weekends,
            days_off=inst.days_off.get(st.name, frozenset()),
        ))
    requests = [ShiftRequest(e, d, s, w, True) for e, d, s, w in inst.on_requests]
    requests += [ShiftRequest(e, d, s, w, False) for e, d, s, w in inst.off_requests]
    cover = [DayCover(d, s, r, u, o) for d, s, r, u, o in inst.cover]
    return RosterProblem(inst.days, shift_types, tuple(employees), tuple(requests), tuple(cover),
                         first_weekday=0)


def read_roster_problem(path: str | Path) -> RosterProblem:
    """Read an instance file straight into a :class:`RosterProblem`."""
    return to_roster_problem(read_curtois(path))
