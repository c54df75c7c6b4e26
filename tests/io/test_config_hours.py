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


def test_the_default_center_is_open_around_the_clock_without_writing_24_00() -> None:
    from planner.io.config import default_config

    center = default_config().center
    assert not any("24:00" in span for span in center.opening_hours.values())
    times = pd.date_range("2026-11-23", periods=7 * 48, freq="30min")  # Monday to Sunday
    assert open_mask(times, center).all()


def test_no_24_00_in_the_files_the_project_ships() -> None:
    import gzip
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    shipped = [p for p in (root / "data").rglob("*") if p.suffix in (".csv", ".gz", ".toml")]
    assert any(p.name == "availability.csv" for p in shipped)
    for path in shipped:
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
        # 24:00 as an hour of the day (not the minutes and seconds of 12:24:00).
        assert not re.search(r"(?<![\d:])24:00", text), path
    from planner.io.config_reference import config_keys

    assert not any("24:00" in k.default for k in config_keys())


def test_the_generated_test_centers_write_midnight_as_00_00(tmp_path) -> None:
    from planner.io import load_folder
    from planner.scheduling.synthetic import write_center

    write_center(tmp_path / "data", tmp_path / "run", 40)
    assert ",24:00" not in (tmp_path / "data" / "availability.csv").read_text(encoding="utf-8")
    av = load_folder(tmp_path / "data").availability
    # The whole-day and evening blocks still end at the day's end.
    assert (av.loc[av["kind"] == "time_off", "end"] == 0).all()
    assert (av.loc[av["kind"] == "unavailable", ["start", "end"]].to_numpy() == [960, 0]).all()
