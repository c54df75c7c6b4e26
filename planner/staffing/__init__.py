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

__all__ = [
    "Staffing", "erlang_a", "agents_for_target", "asa", "ceil_exact", "erlang_b", "erlang_c", "gross_agents",
    "occupancy", "service_level",
]
