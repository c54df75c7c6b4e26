"""Scheduling: named agents into shifts and activities by skill and tier (OR-Tools CP-SAT).

Public API: :func:`make_schedule` (DataFrames in, :class:`ScheduleResult` out) and
:func:`check_schedule` (an independent checker of written files); :mod:`planner.pipeline` reads and
writes the run folder. The design is in the docstrings of :mod:`.solve` (pipeline), :mod:`.week`
(stage 1's rules), :mod:`.coverage` (the coverage models the one search, :mod:`.roster_lns`,
runs on), :mod:`.interval_cover` (the product's), :mod:`.activities` (stage 2) and :mod:`.bound`
(the lower bound).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# Loaded on first use (PEP 562): importing one submodule (e.g. intraday's use of the day's
# activity model) must not pull in every stage's solvers.
_EXPORTS = {
    "CheckReport": "planner.scheduling.checker",
    "DEFAULT_TIME_LIMIT": "planner.scheduling.solve",
    "ScheduleResult": "planner.scheduling.solve",
    "check_schedule": "planner.scheduling.checker",
    "make_schedule": "planner.scheduling.solve",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:  # a submodule not imported yet (``planner.scheduling.solve`` as attribute)
        try:
            return import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from planner.scheduling.checker import CheckReport, check_schedule
    from planner.scheduling.solve import DEFAULT_TIME_LIMIT, ScheduleResult, make_schedule

__all__ = ["DEFAULT_TIME_LIMIT", "CheckReport", "ScheduleResult", "check_schedule", "make_schedule"]
