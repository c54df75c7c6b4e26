"""Read a run folder: every stage's output file that is present, tolerant of the absent ones.

The report is the last stage and must still say something useful when an earlier stage did not run
(a data folder without agents has no schedule). Each file is read with pandas (these are our own
outputs, not a user's export) and its timestamp columns parsed to
naive local wall-clock time. What is absent or unreadable is listed in ``notes`` so that the report's
sections can say what is missing instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.io.cells import read_csv
from planner.io.runfolder import RunFolder

# The stages' tables the report reads, in the order of the weekly cycle.
REPORT_INPUTS: tuple[str, ...] = (
    "forecast", "backtest", "anomalies", "requirements", "tiers", "tiers_previous", "skill_levels",
    "cross_skilling", "upskilling", "schedule", "assignments", "coverage", "simulation",
    "simulation_summary",
)
# Written by `planner run` only; its absence is not worth a note.
_OPTIONAL = ("tiers_previous", "anomalies")

# Columns without which a file is of no use to the report.
NEEDED: dict[str, tuple[str, ...]] = {
    "forecast": ("case_type", "interval_start", "volume"),
    "requirements": ("case_type", "interval_start", "agents_gross"),
    "tiers": ("agent_id", "tier"),
    "tiers_previous": ("agent_id", "tier"),
    "schedule": ("agent_id", "date"),
    "assignments": ("agent_id", "interval_start", "activity"),
    "coverage": ("case_type", "interval_start", "required", "scheduled"),
    "simulation": ("case_type", "interval_start"),
}

_TIMESTAMP_COLUMNS = ("interval_start",)


@dataclass
class RunTables:
    """The tables of one run folder, by their run-file name (see :data:`REPORT_INPUTS`).

    ``notes`` lists, in words, every file that is absent or could not be used.
    """

    path: Path
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        """The file's table, or None when it is absent or unusable."""
        return self.frames.get(name)

    def has(self, name: str) -> bool:
        return name in self.frames

    @property
    def missing(self) -> list[str]:
        """File names of the cycle that this run folder does not hold (or could not use)."""
        run = RunFolder(self.path)
        return [run.file(n).name for n in REPORT_INPUTS if n not in self.frames and n not in _OPTIONAL]


def _parse_timestamps(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in _TIMESTAMP_COLUMNS:
        if col in out.columns:
            ts = pd.to_datetime(out[col], format="ISO8601", errors="coerce")
            if getattr(ts.dt, "tz", None) is not None:
                # Written with an offset: keep the wall-clock time the offset says.
                ts = ts.dt.tz_localize(None)
            out[col] = ts.astype("datetime64[ns]")
    if "date" in out.columns:
        out["date"] = pd.to_datetime(out["date"], format="ISO8601", errors="coerce").dt.normalize()
    for col in ("agent_id", "case_type", "activity", "tier"):
        if col in out.columns:
            out[col] = out[col].astype("string")
    return out


def read_run(path: str | Path) -> RunTables:
    """Read every table of a run folder the report uses; absent or unusable files become notes."""
    folder = RunFolder(path)
    run = RunTables(folder.path)
    try:
        run.manifest = folder.read_json("run")
    except ValueError:
        run.notes.append("run.json is not valid JSON; ignored")
    for name in REPORT_INPUTS:
        p = folder.file(name)
        file = p.name
        if not p.exists():
            if name not in _OPTIONAL:
                run.notes.append(f"{file} is absent")
            continue
        try:
            frame = read_csv(p, keep_default_na=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            run.notes.append(f"{file} could not be read ({type(err).__name__}: {err}); ignored")
            continue
        frame = _parse_timestamps(frame)
        if "policy" in frame.columns and frame["policy"].nunique() > 1:
            # Several routing policies compared: the report shows the one the plan is meant for.
            names = list(dict.fromkeys(frame["policy"].astype(str)))
            keep = "tier-aware" if "tier-aware" in names else names[0]
            frame = frame[frame["policy"].astype(str) == keep].reset_index(drop=True)
            run.notes.append(f"{file}: policies {', '.join(names)}; the report shows {keep}")
        lacking = [c for c in NEEDED.get(name, ()) if c not in frame.columns]
        if lacking:
            run.notes.append(f"{file} lacks column(s) {', '.join(lacking)}; ignored")
            continue
        run.frames[name] = frame
    return run


def interval_minutes(run: RunTables, default: int = 30) -> int:
    """The interval length of the run, from the spacing of its timestamps (the config's as fallback)."""
    for name in ("coverage", "requirements", "forecast", "assignments"):
        frame = run.get(name)
        if frame is None or frame.empty:
            continue
        ts = pd.Series(frame["interval_start"].dropna().unique()).sort_values()
        steps = ts.diff().dropna()
        steps = steps[steps > pd.Timedelta(0)]
        if len(steps):
            return int(steps.min() / pd.Timedelta(minutes=1))
    return default
