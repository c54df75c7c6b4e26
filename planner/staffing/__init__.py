"""Staffing: Erlang C and Erlang A, and requirements per case type and interval."""

from planner.staffing import erlang_a
from planner.staffing.erlang import (
    Staffing,
    agents_for_target,
    asa,
    ceil_exact,
    erlang_b,
    erlang_c,
    gross_agents,
    occupancy,
    service_level,
)
from planner.staffing.requirements import (
    COLUMNS,
    Overrides,
    Targets,
    read_forecast,
    requirements,
    summarise,
    targets_for,
)

__all__ = [
    "COLUMNS", "Overrides", "Staffing", "Targets", "agents_for_target", "asa", "ceil_exact",
    "erlang_a", "erlang_b", "erlang_c", "gross_agents", "occupancy", "read_forecast", "requirements",
    "service_level", "summarise", "targets_for",
]
