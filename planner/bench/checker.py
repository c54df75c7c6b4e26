"""An independent checker for Curtois-Qu rosters: plain Python over the raw instance, sharing no code
with the CP-SAT model, so it can catch a modelling mistake rather than repeat it.

Rules as in the benchmark's description (benchmarks/data/curtois/README.md): hard: one shift a day,
forbidden successions, caps per shift type, total minutes, maximum consecutive shifts, minimum
consecutive shifts and days off (runs with both ends inside the horizon only), maximum weekends,
days off. Objective: requests broken plus weighted under- and over-cover.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from planner.bench.curtois import CurtoisInstance
from planner.errors import ContractError, Problem


@dataclass(frozen=True)
class CheckResult:
    """``score`` by the benchmark's objective; ``violations`` names every broken hard rule."""

    score: int
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def _runs(flags: list[bool]) -> Iterable[tuple[int, int, bool]]:
    """Maximal runs as (start, length, value)."""
    start = 0
    for d in range(1, len(flags) + 1):
        if d == len(flags) or flags[d] != flags[start]:
            yield start, d - start, flags[start]
            start = d


def check_roster(inst: CurtoisInstance, roster: Mapping[tuple[str, int], str]) -> CheckResult:
    """Score ``roster`` ((employee, day) -> shift, days off absent) and list its hard violations."""
    bad: list[str] = []
    shifts = {s.name: s for s in inst.shifts}
    staff_names = {st.name for st in inst.staff}
    for (e, d), s in roster.items():
        if e not in staff_names or not 0 <= d < inst.days or s not in shifts:
            bad.append(f"unknown cell ({e}, {d}, {s})")
    for st in inst.staff:
        row = [roster.get((st.name, d)) for d in range(inst.days)]
        for d, s in enumerate(row):
            if s is not None and d in inst.days_off.get(st.name, ()):
                bad.append(f"{st.name} works {s} on day off {d}")
            if s in shifts and d + 1 < inst.days and row[d + 1] in shifts[s].cannot_follow:
                bad.append(f"{st.name} {s} on day {d} then {row[d + 1]}")
        for s in shifts:
            n = sum(1 for x in row if x == s)
            if n > st.max_shifts.get(s, inst.days):
                bad.append(f"{st.name} works {s} {n} times > {st.max_shifts.get(s)}")
        minutes = sum(shifts[x].length for x in row if x in shifts)
        if not st.min_minutes <= minutes <= st.max_minutes:
            bad.append(f"{st.name} works {minutes} min, outside [{st.min_minutes}, "
                       f"{st.max_minutes}]")
        for start, length, worked in _runs([x is not None for x in row]):
            inside = start > 0 and start + length < inst.days
            if worked and length > st.max_consecutive:
                bad.append(f"{st.name} works {length} days in a row from day {start}")
            if worked and inside and length < st.min_consecutive:
                bad.append(f"{st.name} works only {length} days in a row from day {start}")
            if not worked and inside and length < st.min_days_off:
                bad.append(f"{st.name} rests only {length} days from day {start}")
        weekends = sum(1 for w in range(inst.days // 7 + 1)
                       if any(row[d] is not None for d in (7 * w + 5, 7 * w + 6) if d < inst.days))
        if weekends > st.max_weekends:
            bad.append(f"{st.name} works {weekends} weekends > {st.max_weekends}")
    score = 0
    for e, d, s, w in inst.on_requests:
        if roster.get((e, d)) != s:
            score += w
    for e, d, s, w in inst.off_requests:
        if roster.get((e, d)) == s:
            score += w
    counts: dict[tuple[int, str], int] = {}
    for (_, d), s in roster.items():
        counts[(d, s)] = counts.get((d, s), 0) + 1
    for d, s, req, under, over in inst.cover:
        n = counts.get((d, s), 0)
        score += under * max(0, req - n) + over * max(0, n - req)
    return CheckResult(score, tuple(bad))


def write_roster_csv(path: str | Path, roster: Mapping[tuple[str, int], str]) -> None:
    """Write ``employee,day,shift`` (one row per shift worked, sorted) atomically."""
    import pandas as pd

    from planner.io import write_csv

    rows = sorted((e, d, s) for (e, d), s in roster.items())
    write_csv(pd.DataFrame(rows, columns=["employee", "day", "shift"]), Path(path))


def read_roster_csv(path: str | Path) -> dict[tuple[str, int], str]:
    """Read a roster written by :func:`write_roster_csv` (or by hand)."""
    path = Path(path)
    out: dict[tuple[str, int], str] = {}
    problems: list[Problem] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"employee", "day", "shift"} <= set(reader.fieldnames):
            raise ContractError([Problem(path.name, 1, None, None,
                                         "columns employee, day, shift")])
        for no, rec in enumerate(reader, start=2):
            try:
                cell = (rec["employee"], int(rec["day"]))
            except ValueError:
                problems.append(Problem(path.name, no, "day", rec["day"], "an integer day"))
                continue
            if cell in out:
                problems.append(Problem(path.name, no, None, str(cell), "one shift a day"))
            out[cell] = rec["shift"]
    if problems:
        raise ContractError(problems)
    return out
