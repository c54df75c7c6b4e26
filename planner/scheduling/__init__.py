"""Scheduling: named agents into shifts and activities by skill and tier (OR-Tools CP-SAT).

Public API: :func:`make_schedule` (DataFrames in, :class:`ScheduleResult` out) and
:func:`check_schedule` (an independent checker of written files); :mod:`planner.pipeline` reads and
writes the run folder. The design is in the docstrings of :mod:`.solve` (pipeline), :mod:`.week`
(stage 1's rules), :mod:`.coverage` (the coverage models the one search, :mod:`.roster_lns`,
runs on), :mod:`.interval_cover` (the product's), :mod:`.activities` (stage 2) and :mod:`.bound`
(the lower bound).
"""

from planner.scheduling.checker import CheckReport, check_schedule
from planner.scheduling.solve import DEFAULT_TIME_LIMIT, ScheduleResult, make_schedule

__all__ = ["DEFAULT_TIME_LIMIT", "CheckReport", "ScheduleResult", "check_schedule", "make_schedule"]
