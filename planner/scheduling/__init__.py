"""Scheduling: named agents into shifts and activities by skill and tier (OR-Tools CP-SAT).

Public API: :func:`make_schedule` (DataFrames in, :class:`ScheduleResult` out) and
:func:`check_schedule` (an independent checker of written files); :mod:`planner.pipeline` reads and
writes the run folder. The design is in the docstrings of :mod:`.solve` (pipeline), :mod:`.week`
(stage 1's rules), :mod:`.engine` (the one roster search, which ``planner bench roster`` runs too),
:mod:`.coverage` (the coverage models it runs on), :mod:`.interval_cover` (the product's),
:mod:`.shift_search` (the schedule's phases), :mod:`.activities` (stage 2) and :mod:`.bound` (the
lower bound).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.lazy import lazy_getattr

# Loaded on first use (PEP 562): importing one submodule (e.g. intraday's use of the day's
# activity model) must not pull in every stage's solvers.
_EXPORTS = {
    "CheckReport": "planner.scheduling.checker",
    "DEFAULT_TIME_LIMIT": "planner.scheduling.solve",
    "ScheduleResult": "planner.scheduling.solve",
    "check_schedule": "planner.scheduling.checker",
    "make_schedule": "planner.scheduling.solve",
}


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


if TYPE_CHECKING:
    from planner.scheduling.checker import CheckReport, check_schedule
    from planner.scheduling.solve import DEFAULT_TIME_LIMIT, ScheduleResult, make_schedule

__all__ = ["DEFAULT_TIME_LIMIT", "CheckReport", "ScheduleResult", "check_schedule", "make_schedule"]
