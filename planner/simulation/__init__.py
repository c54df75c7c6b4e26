"""Discrete-event simulation of a planned week under a routing policy.

Data (:class:`~planner.routing.Center`, :class:`Plan`), engine (:func:`simulate`) and records (one row
per case; :mod:`planner.simulation.metrics` turns them into service level, ASA, occupancy, abandonment
and hand-offs) are kept apart. Randomness is a ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.lazy import lazy_getattr

# Loaded on first use (PEP 562): importing one submodule (e.g. intraday's use of the day's
# activity model) must not pull in every stage's solvers.
_EXPORTS = {
    "ExponentialHandleTime": "planner.simulation.handle_time",
    "LognormalHandleTime": "planner.simulation.handle_time",
    "Plan": "planner.simulation.plan",
    "Records": "planner.simulation.engine",
    "SimulationOptions": "planner.simulation.engine",
    "SimulationResult": "planner.simulation.run",
    "build_plan": "planner.simulation.plan",
    "confidence_summary": "planner.simulation.metrics",
    "draw_arrivals": "planner.simulation.engine",
    "interval_table": "planner.simulation.metrics",
    "load_center_and_plan": "planner.simulation.inputs",
    "outcomes": "planner.simulation.metrics",
    "plan_notes": "planner.simulation.inputs",
    "pool_intervals": "planner.simulation.metrics",
    "read_run": "planner.simulation.inputs",
    "simulate": "planner.simulation.engine",
    "simulate_week": "planner.simulation.run",
    "weekly_metrics": "planner.simulation.metrics",
}


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


if TYPE_CHECKING:
    from planner.simulation.engine import Records, SimulationOptions, draw_arrivals, simulate
    from planner.simulation.handle_time import ExponentialHandleTime, LognormalHandleTime
    from planner.simulation.inputs import load_center_and_plan, plan_notes, read_run
    from planner.simulation.metrics import (
        confidence_summary,
        interval_table,
        outcomes,
        pool_intervals,
        weekly_metrics,
    )
    from planner.simulation.plan import Plan, build_plan
    from planner.simulation.run import SimulationResult, simulate_week

__all__ = [
    "ExponentialHandleTime", "LognormalHandleTime", "Plan", "Records", "SimulationOptions",
    "SimulationResult", "build_plan", "confidence_summary", "draw_arrivals", "interval_table",
    "load_center_and_plan", "outcomes", "plan_notes", "pool_intervals", "read_run",
    "simulate",
    "simulate_week", "weekly_metrics",
]
