"""The center's calendar, shared by every stage: public holidays and which intervals are open.

One implementation so that forecast (closed intervals forecast zero), requirements (back-office
work spread over open intervals) and scheduling (shifts inside opening hours) agree on what
"open" means. Timestamps are naive local wall-clock times.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

import numpy as np
import pandas as pd

from planner.errors import ContractError, Problem
from planner.io.config import CenterConfig


def holiday_dates(center: CenterConfig, years: Iterable[int]) -> dict[date, str]:
    """Public holidays of ``center.country`` (and subdivision) in ``years``: date -> name.

    Uses the ``holidays`` package. No country configured means no holidays; a country the package
    does not know is a mistake in planner.toml.
    """
    if not center.country:
        return {}
    import holidays

    try:
        cal = holidays.country_holidays(center.country, subdiv=center.subdivision,
                                        years=sorted(set(years)))
    except NotImplementedError as err:
        raise ContractError([Problem("planner.toml", None, "center.country", center.country,
                                     f"a country (and subdivision) the holidays package knows "
                                     f"({err})")]) from None
    return {d: str(n) for d, n in sorted(cal.items())}


def open_mask(times: pd.DatetimeIndex, center: CenterConfig, holidays: Collection[date] = (),
              hours: dict[str, str] | None = None) -> np.ndarray:
    """True where an interval starting at ``times`` is open.

    Open means: inside the weekday's opening span (a case type's own ``hours`` when given, else
    the center's), not on a closed date, and not on a public holiday unless ``open_on_holidays``.
    An interval is open when it starts inside the span.
    """
    if hours is not None:
        center = center.model_copy(update={"opening_hours": hours})
    minutes = (times.hour * 60 + times.minute).to_numpy()
    weekday = times.day_of_week.to_numpy()
    out = np.zeros(len(times), dtype=bool)
    for wd in range(7):
        span = center.open_span(wd)
        if span is None:
            continue
        lo = span[0].hour * 60 + span[0].minute
        hi = span[1].hour * 60 + span[1].minute or 24 * 60
        sel = weekday == wd
        out[sel] = (minutes[sel] >= lo) & (minutes[sel] < hi)
    closed = {pd.Timestamp(d) for d in center.closed_dates}
    if not center.open_on_holidays:
        closed |= {pd.Timestamp(d) for d in holidays}
    if closed:
        out &= ~times.normalize().isin(list(closed))
    return out
