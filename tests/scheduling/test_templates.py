"""Shift templates and break windows: known answers for the config's rules."""

from __future__ import annotations

from datetime import date

import numpy as np

from planner.io.config import PlannerConfig
from planner.scheduling.templates import Grid, all_templates, break_windows, day_templates, open_mask


def _config(interval: int = 15, **shifts) -> PlannerConfig:
    return PlannerConfig.model_validate({
        "center": {"interval_minutes": interval,
                   "opening_hours": {"mon": "08:00-20:00", "tue": "closed", "wed": "24h",
                                     "thu": "08:00-20:00", "fri": "08:00-20:00",
                                     "sat": "08:00-20:00", "sun": "08:00-20:00"}},
        "shifts": {"lengths_hours": [8.0, 4.0], "start_step_minutes": 30, **shifts},
    })


def test_eight_hour_shift_gets_break_lunch_break_in_disjoint_windows():
    wins = break_windows(480, _config())
    assert [w.kind for w in wins] == ["break", "lunch", "break"]
    brk1, lunch, brk2 = wins
    # Lunch starts 3 to 5 hours in; the first break before its window, the second after it.
    assert (lunch.earliest, lunch.latest) == (180, 300)
    assert brk1.latest + 15 <= lunch.earliest
    assert lunch.latest + 30 <= brk2.earliest
    # No break in the first or last hour.
    assert brk1.earliest >= 60 and brk2.latest + 15 <= 480 - 60


def test_four_hour_shift_has_one_break_and_no_lunch():
    wins = break_windows(240, _config())
    assert [w.kind for w in wins] == ["break"]
    assert 60 <= wins[0].earliest <= wins[0].latest <= 240 - 60 - 15


def test_templates_follow_start_grid_and_opening_hours():
    cfg = _config()
    starts = {t.start_minute for t in all_templates(cfg)}
    assert starts == set(range(0, 24 * 60, 30))
    grid = Grid(date(2026, 11, 23), 7, 15)  # a Monday
    per_day = day_templates(cfg, grid)
    mon = {(t.start_minute, t.length_minutes) for t in per_day[0]}
    # Monday 08:00-20:00: 8 h shifts start 08:00..12:00 (9), 4 h shifts 08:00..16:00 (17).
    assert len(mon) == 9 + 17
    assert min(s for s, _ in mon) == 8 * 60 and max(s + n for s, n in mon) == 20 * 60
    assert per_day[1] == []  # closed Tuesday
    # Wednesday is open all day: shifts may start at 20:00 and run past midnight into Thursday
    # only while Thursday is open, i.e. not before 08:00.
    wed = {(t.start_minute, t.length_minutes) for t in per_day[2]}
    assert (0, 480) in wed and (16 * 60, 480) in wed and (20 * 60, 480) not in wed
    mask = open_mask(cfg, grid)
    assert mask.sum() == (12 * 4) * 5 + 24 * 4 + 12 * 4  # 5 normal days + Wed + spill Monday
    assert isinstance(mask, np.ndarray)
