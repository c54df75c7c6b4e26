"""Discrete-event simulation of a planned week under a routing policy.

Data (:class:`~planner.routing.Center`, :class:`Plan`), engine (:func:`simulate`) and records (one row
per case; :mod:`planner.simulation.metrics` turns them into service level, ASA, occupancy, abandonment
and hand-offs) are kept apart. Randomness is a ``numpy.random.Generator`` passed in.
"""

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
