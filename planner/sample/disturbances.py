"""The disturbances real histories carry, planted in the sample with their truth recorded.

A storm-like surge of a few weeks on a phone queue, a one-day outage dip on chat, a week-long
campaign, a lasting level shift on email (it continues into the future weeks) and two days missing
from the export. They are drawn from their own random stream, so turning them on leaves every other
draw of the generator where it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.sample.spec import CaseTypeSpec

DISTURBANCE_COLUMNS = ["kind", "case_type", "first_day", "last_day", "multiplier"]


@dataclass(frozen=True)
class Disturbance:
    """Arrivals of ``case_type`` (None: every type) times ``multiplier`` from ``first_day`` to
    ``last_day`` (None: to the end of the future weeks); ``missing_days`` has no cases at all."""

    kind: str
    case_type: str | None
    first_day: pd.Timestamp
    last_day: pd.Timestamp | None
    multiplier: float


def plan_disturbances(specs: Sequence[CaseTypeSpec], history_end: pd.Timestamp, weeks: int,
                      seed: int) -> list[Disturbance]:
    """Where the disturbances fall (only those that fit in ``weeks`` of history)."""
    rng = np.random.default_rng([seed, 23])
    by_channel: dict[str, list[str]] = {}
    for s in sorted(specs, key=lambda s: -s.weekly_volume):
        by_channel.setdefault(s.channel, []).append(s.name)
    phone, chat, email = (by_channel.get(c, []) for c in ("phone", "chat", "email"))
    end = history_end.normalize()

    def weeks_back(low: int, high: int) -> pd.Timestamp:
        return end - pd.Timedelta(days=7 * int(rng.integers(low, high)) + int(rng.integers(0, 7)))

    plan = []
    if phone:
        first = weeks_back(6, 9)
        plan.append(Disturbance("surge", phone[0], first, first + pd.Timedelta(days=17), 1.6))
    if chat:
        first = weeks_back(10, 13)
        plan.append(Disturbance("outage", chat[0], first, first, 0.3))
    if len(phone) > 1:
        first = weeks_back(13, 16)
        plan.append(Disturbance("campaign", phone[1], first, first + pd.Timedelta(days=6), 1.3))
    if email:
        plan.append(Disturbance("level_shift", email[0], end - pd.Timedelta(days=27), None, 0.8))
    first = weeks_back(16, 19)
    plan.append(Disturbance("missing_days", None, first, first + pd.Timedelta(days=1), 0.0))
    start = end - pd.Timedelta(days=7 * weeks - 1)
    return [d for d in plan if d.first_day >= start]


def _days(grid: pd.DatetimeIndex, d: Disturbance) -> np.ndarray:
    day = grid.normalize()
    inside = day >= d.first_day
    if d.last_day is not None:
        inside &= day <= d.last_day
    return np.asarray(inside)


def apply_to_rates(rates: np.ndarray, grid: pd.DatetimeIndex, specs: Sequence[CaseTypeSpec],
                   plan: Sequence[Disturbance]) -> np.ndarray:
    """True rates with every disturbance but the missing days (customers still called then)."""
    out = rates.copy()
    names = [s.name for s in specs]
    for d in plan:
        if d.kind == "missing_days":
            continue
        rows = [names.index(d.case_type)] if d.case_type else list(range(len(names)))
        out[np.ix_(rows, np.flatnonzero(_days(grid, d)))] *= d.multiplier
    return out


def missing_mask(created: pd.Series, plan: Sequence[Disturbance]) -> np.ndarray:
    """Cases lost from the export on the missing days."""
    lost = np.zeros(len(created), dtype=bool)
    for d in plan:
        if d.kind == "missing_days":
            lost |= _days(pd.DatetimeIndex(created), d)
    return lost


def disturbance_table(plan: Sequence[Disturbance]) -> pd.DataFrame:
    """truth/disturbances.csv."""
    return pd.DataFrame([{"kind": d.kind, "case_type": d.case_type or "",
                          "first_day": d.first_day.date(),
                          "last_day": d.last_day.date() if d.last_day is not None else "",
                          "multiplier": d.multiplier} for d in plan], columns=DISTURBANCE_COLUMNS)
