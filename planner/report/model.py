"""The report as data: what every section shows, before any rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class WeeklyReport:
    """Everything the report shows, as data: a notebook can use it without the HTML."""

    center: str
    run: Path
    week_start: pd.Timestamp | None
    week_end: pd.Timestamp | None
    minutes: int
    figures: dict[str, str] = field(default_factory=dict)
    headlines: list[str] = field(default_factory=list)
    shortages: pd.DataFrame | None = None
    training: pd.DataFrame | None = None
    training_suggested: pd.DataFrame | None = None  # the top candidates as training.csv rows
    planned_training: pd.DataFrame | None = None  # the plan's training sessions (roster)
    # Nights, lates, weekend days and granted wishes per group of comparable agents: fair share,
    # least, most, spread (planner.analysis.fairness.fairness_spread).
    fairness: pd.DataFrame | None = None
    hiring: pd.DataFrame | None = None
    swarming: pd.DataFrame | None = None
    tier_moves: pd.DataFrame | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    run_id: str = ""  # the run.json id of the files shown
