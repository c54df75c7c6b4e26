"""An opening span may end at 00:00, the midnight that ends the day, exactly as 24:00 does."""

from __future__ import annotations

import pandas as pd

from planner.io import parse_config
from planner.io.calendar import open_mask


def _center(span: str):
    return parse_config(f'[center]\nopening_hours = {{ mon = "{span}" }}\n', "planner.toml").center


def test_an_end_of_midnight_written_either_way_is_the_same_span() -> None:
    new, old = _center("19:00-00:00"), _center("19:00-24:00")
    assert new.open_span(0) == old.open_span(0)
    times = pd.date_range("2026-11-23", periods=48, freq="30min")  # a Monday
    mask = open_mask(times, new)
    assert (mask == open_mask(times, old)).all()
    assert mask.sum() == 10 and mask[38] and not mask[37]  # 19:00 to midnight
