"""Demand months ahead: a stated growth, a marked event and the interval, against hand-computed
values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.capacity import weekly_demand
from planner.io import load_folder
from tests.capacity.helpers import write_center


def test_stated_growth_compounds_by_the_day_and_an_uplift_lifts_its_week(tmp_path: Path) -> None:
    events = "start,end,kind,multiplier\n2026-04-06,2026-04-12,uplift,1.5\n"
    data = load_folder(write_center(tmp_path / "d", start="2026-01-05", days=56, daily=1000,
                                    capacity="growth_per_year = 0.10", extra={"events.csv": events}))
    demand = weekly_demand(data, 20)
    assert demand.start == pd.Timestamp("2026-03-02")
    assert demand.growth_source == "planner.toml"
    w = demand.weekly.set_index("week_start")
    base = demand.intervals[demand.intervals["interval_start"] < "2026-03-03"]["volume"].sum()
    # day d of the plan carries (1.10)^(d / 365.25); the week after 5 weeks (35 days) ...
    week5 = demand.intervals[(demand.intervals["interval_start"] >= "2026-04-06")
                             & (demand.intervals["interval_start"] < "2026-04-13")]
    week6 = demand.intervals[(demand.intervals["interval_start"] >= "2026-04-13")
                             & (demand.intervals["interval_start"] < "2026-04-20")]
    # ... is the uplifted one: 1.5 x what growth alone gives, one week's growth below the next
    ratio = week5["volume"].sum() / week6["volume"].sum()
    assert ratio == pytest.approx(1.5 / 1.10 ** (7 / 365.25), rel=1e-9)
    assert base > 0
    # the level is about 1,000 a day
    assert w.loc["2026-03-02", "volume"] == pytest.approx(7000 * 1.10 ** (3 / 365.25), rel=0.08)


def test_the_interval_holds_the_forecast_and_does_not_narrow_with_the_horizon(tmp_path: Path) -> None:
    data = load_folder(write_center(tmp_path / "d", start="2026-01-05", days=91, daily=1000))
    w = weekly_demand(data, 30).weekly
    assert (w["volume_low"] < w["volume"]).all() and (w["volume"] < w["volume_high"]).all()
    width = np.log(w["volume_high"] / w["volume_low"]).to_numpy()
    assert (np.diff(width) >= -1e-9).all()
