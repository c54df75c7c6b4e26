"""Shift templates: the time grid, opening hours and the (start, length) shifts an agent can work.

A *template* is one shift pattern of one day: a start minute after that day's midnight on the
config's start grid (``shifts.start_step_minutes``), a length from ``shifts.lengths_hours``, and the
windows in which its paid breaks and unpaid lunch may be placed. Templates are the day-level
"shift types" of the roster core (:class:`planner.scheduling.rules.ShiftType`): choosing a shift for
an agent on a day means choosing one template.

Time is kept on one integer grid for the whole horizon: interval ``t`` covers minutes
``[t * I, (t + 1) * I)`` after midnight of the first day, ``I = center.interval_minutes``. The grid
runs one extra day past the horizon so overnight shifts of the last day have somewhere to end.

Break placement rule (documented here because the checker and the model must agree):

* a shift of at least ``lunch_min_shift_hours`` gets one unpaid lunch of ``lunch_minutes`` starting
  between ``lunch_window_hours[0]`` and ``lunch_window_hours[1]`` hours after the shift start
  (clipped so the lunch ends at least one interval before the shift end);
* a shift gets ``floor(length / break_every_hours)`` paid breaks of ``break_minutes`` (at least one
  for any shift of 4 hours or more); with a lunch, the first break lies before the lunch window and
  any second break after it; without a lunch the shift is cut into equal parts and break ``i`` is
  centred on the ``i``-th cut, +-1 hour;
* no break or lunch starts in the first or the last hour of a shift, and windows never overlap, so
  any choice of one start per window is a valid plan;
* a break occupies whole intervals on the grid (a 15-minute break on a 30-minute grid takes the
  agent off the queue for that whole interval; schedule.csv still shows the real 15 minutes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from planner.io.calendar import holiday_dates
from planner.io.config import PlannerConfig

DAY = 24 * 60


@dataclass(frozen=True)
class BreakWindow:
    """Where one break of a shift may start, as minutes after the shift start."""

    kind: str  # "break" (paid) or "lunch" (unpaid)
    minutes: int  # real length
    earliest: int  # earliest start offset [min], on the interval grid
    latest: int  # latest start offset [min], on the interval grid
    nominal: int  # default start offset: the middle of the window, on the grid

    def offsets(self, interval: int) -> list[int]:
        """Every allowed start offset [min] on the interval grid."""
        return list(range(self.earliest, self.latest + 1, interval))

    def span(self, interval: int) -> int:
        """Grid intervals the break occupies."""
        return math.ceil(self.minutes / interval)


@dataclass(frozen=True)
class Template:
    """One shift pattern of a day: start minute after midnight, length, break windows."""

    start_minute: int
    length_minutes: int
    breaks: tuple[BreakWindow, ...]

    @property
    def name(self) -> str:
        h, m = divmod(self.start_minute, 60)
        return f"{h:02d}{m:02d}+{self.length_minutes // 60}h{self.length_minutes % 60 or ''}"

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.length_minutes

    @property
    def unpaid_minutes(self) -> int:
        return sum(b.minutes for b in self.breaks if b.kind == "lunch")

    @property
    def paid_minutes(self) -> int:
        """Working time that counts toward weekly hours: the shift minus its unpaid lunch."""
        return self.length_minutes - self.unpaid_minutes


@dataclass(frozen=True)
class Grid:
    """The horizon's time grid: first day, number of days, interval length [min]."""

    start: date
    days: int
    interval: int

    @property
    def per_day(self) -> int:
        return DAY // self.interval

    @property
    def size(self) -> int:
        """Intervals on the grid, including the spill-over day after the horizon."""
        return (self.days + 1) * self.per_day

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=d) for d in range(self.days)]

    def index(self, day: int, minute: int) -> int:
        """Grid interval of ``minute`` after midnight of horizon day ``day`` (minute on the grid)."""
        return (day * DAY + minute) // self.interval

    def timestamps(self) -> np.ndarray:
        base = np.datetime64(self.start, "m")
        return base + np.arange(self.size) * np.timedelta64(self.interval, "m")


def _snap_up(x: float, step: int) -> int:
    return int(math.ceil(round(x, 6) / step) * step)


def _snap_down(x: float, step: int) -> int:
    return int(math.floor(round(x, 6) / step) * step)


def _window(kind: str, minutes: int, lo: float, hi: float, step: int) -> BreakWindow | None:
    a, b = _snap_up(lo, step), _snap_down(hi, step)
    if b < a:
        return None
    mid = _snap_down((a + b) / 2, step)
    return BreakWindow(kind, minutes, a, b, max(a, mid))


def break_windows(length: int, config: PlannerConfig) -> tuple[BreakWindow, ...]:
    """Break and lunch windows of a shift of ``length`` minutes (see the module docstring)."""
    sh = config.shifts
    step = config.center.interval_minutes
    edge = max(60, step)  # no break in the first or last hour
    out: list[BreakWindow] = []
    lunch = None
    if sh.lunch_minutes > 0 and length >= sh.lunch_min_shift_hours * 60:
        lo = max(sh.lunch_window_hours[0] * 60, edge)
        hi = min(sh.lunch_window_hours[1] * 60, length - edge - sh.lunch_minutes)
        lunch = _window("lunch", sh.lunch_minutes, lo, hi, step)
    n_breaks = int(length // (sh.break_every_hours * 60)) if sh.break_minutes > 0 else 0
    if sh.break_minutes > 0 and length >= 4 * 60:
        n_breaks = max(n_breaks, 1)
    bspan = _snap_up(sh.break_minutes, step)
    if lunch is not None:
        lspan = _snap_up(sh.lunch_minutes, step)
        before = _window("break", sh.break_minutes, edge, lunch.earliest - bspan, step)
        after = _window("break", sh.break_minutes, lunch.latest + lspan, length - edge - bspan, step)
        picks = [w for w in (before, after) if w is not None][:n_breaks]
        out = sorted([*picks, lunch], key=lambda w: w.earliest)
    else:
        parts = n_breaks + 1
        prev_end = edge
        for i in range(1, n_breaks + 1):
            centre = i * length / parts
            lo = max(centre - 60, prev_end)
            hi = min(centre + 60 - bspan, length - edge - bspan)
            w = _window("break", sh.break_minutes, lo, hi, step)
            if w is None:
                continue
            out.append(w)
            prev_end = w.latest + bspan
    return tuple(out)


def all_templates(config: PlannerConfig) -> list[Template]:
    """Every (start, length) on the start grid, before opening hours and agents restrict them."""
    sh = config.shifts
    step = config.center.interval_minutes
    start_step = max(sh.start_step_minutes, step)
    start_step = _snap_up(start_step, step)
    first = _snap_up(sh.earliest_start.hour * 60 + sh.earliest_start.minute, step)
    out = []
    for hours in sorted(set(sh.lengths_hours), reverse=True):
        length = _snap_up(hours * 60, step)
        wins = break_windows(length, config)
        for s in range(first, DAY, start_step):
            end = s + length
            if not sh.allow_overnight and end > DAY:
                continue
            if sh.latest_end is not None:
                le = sh.latest_end.hour * 60 + sh.latest_end.minute or DAY
                if end > le:
                    continue
            out.append(Template(s, length, wins))
    return out


def open_mask(config: PlannerConfig, grid: Grid) -> np.ndarray:
    """Boolean per grid interval: is the center open (opening hours, closed dates, holidays)."""
    center = config.center
    mask = np.zeros(grid.size, dtype=bool)
    closed = set(center.closed_dates)
    if not center.open_on_holidays:
        years = {grid.start.year, (grid.start + timedelta(days=grid.days)).year}
        closed |= set(holiday_dates(center, years))
    for d in range(grid.days + 1):
        day = grid.start + timedelta(days=d)
        if day in closed:
            continue
        span = center.open_span(day.weekday())
        if span is None:
            continue
        a = span[0].hour * 60 + span[0].minute
        b = span[1].hour * 60 + span[1].minute or DAY
        mask[grid.index(d, _snap_down(a, grid.interval)):grid.index(d, _snap_up(b, grid.interval))] = True
    return mask


def day_templates(config: PlannerConfig, grid: Grid, mask: np.ndarray | None = None
                  ) -> list[list[Template]]:
    """Templates allowed on each horizon day: every interval of the shift inside opening hours."""
    if mask is None:
        mask = open_mask(config, grid)
    base = all_templates(config)
    out = []
    for d in range(grid.days):
        allowed = []
        for tpl in base:
            a = grid.index(d, tpl.start_minute)
            b = grid.index(d, tpl.end_minute)
            if mask[a:b].all():
                allowed.append(tpl)
        out.append(allowed)
    return out


def occupancy(tpl: Template, interval: int, offsets: tuple[int, ...] | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Relative grid intervals of a shift: ``(present, on_break)`` booleans of length span.

    ``offsets`` are the chosen break start offsets [min] in the order of ``tpl.breaks``; the nominal
    offsets when None.
    """
    n = tpl.length_minutes // interval
    present = np.ones(n, dtype=bool)
    brk = np.zeros(n, dtype=bool)
    offs = offsets if offsets is not None else tuple(b.nominal for b in tpl.breaks)
    for w, off in zip(tpl.breaks, offs, strict=True):
        i = off // interval
        brk[i:i + w.span(interval)] = True
    return present, brk
