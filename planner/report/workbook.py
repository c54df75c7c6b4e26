"""schedule.xlsx: the plan for people who live in a spreadsheet, without an import dialog.

Sheets: the roster (one row per shift), each agent's week (activity blocks), coverage per case type
and interval, and the report's shortages, training and hiring tables. Dates and times are real
spreadsheet dates, numbers are numbers, and every text cell is stored as text, so a name such as
``=HYPERLINK(...)`` is shown, never evaluated.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from planner.io import atomic_path
from planner.report.exports import activity_blocks
from planner.report.model import WeeklyReport
from planner.report.runfolder import RunTables

_DATE = "yyyy-mm-dd"
_TIME = "yyyy-mm-dd hh:mm"


def _cell_value(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        return v.item()
    return v


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, dates: tuple[str, ...] = ()) -> None:
    ws = wb.create_sheet(title)
    ws.append(list(map(str, frame.columns)))
    for row in frame.itertuples(index=False):
        ws.append([_cell_value(v) for v in row])
    for j, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        for cell in ws[letter][1:]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with '='
            elif isinstance(cell.value, datetime):
                cell.number_format = _DATE if col in dates else _TIME
        ws.column_dimensions[letter].width = max(10, min(40, len(str(col)) + 4))
    ws.freeze_panes = "A2"


def write_workbook(rep: WeeklyReport, tables: RunTables, names: dict[str, str] | None,
                   path: str | Path) -> Path | None:
    """Write schedule.xlsx; None when the run has no plan (no assignments)."""
    asg = tables.get("assignments")
    if asg is None:
        return None
    wb = Workbook()
    wb.remove(wb.active)
    sched = tables.get("schedule")
    if sched is not None:
        roster = sched.copy()
        roster.insert(1, "name", roster["agent_id"].astype(str).map(names or {}).fillna(""))
        for col in ("shift_start", "shift_end"):
            if col in roster:
                roster[col] = pd.to_datetime(roster[col], format="ISO8601", errors="coerce")
        _sheet(wb, "roster", roster, dates=("date",))
    blocks = activity_blocks(asg, rep.minutes, names)
    _sheet(wb, "agent weeks", blocks, dates=("date",))
    cov = tables.get("coverage")
    if cov is not None:
        _sheet(wb, "coverage", cov)
    for title, frame in (("shortages", rep.shortages), ("training", rep.training), ("hiring", rep.hiring)):
        if frame is not None and len(frame):
            _sheet(wb, title, frame.drop(columns=[c for c in frame if str(c).startswith("_")]))
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
