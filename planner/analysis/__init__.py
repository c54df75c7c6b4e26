"""Advice from a plan: what is short and why, what a re-plan of activities on the same shifts could
reach (a maximum flow), who should learn what next, whom to hire, and the swarming load.

Pure functions of tables (coverage, assignments, skills, tiers, the config); no files are read or
written here. The report renders what these return.
"""

from planner.analysis.hiring import hiring, hours_per_fte
from planner.analysis.replan import least_shortfall, measure_on_fixed_shifts, replan_coverage
from planner.analysis.shortage import CAUSES, eligibility, shortages, working
from planner.analysis.swarming import swarming
from planner.analysis.training import (
    Change,
    Resolver,
    measure_by_resolving,
    planned_training,
    suggested_training,
    training_candidates,
)

__all__ = [
    "CAUSES", "Change", "Resolver", "eligibility", "hiring", "hours_per_fte", "least_shortfall",
    "measure_by_resolving", "measure_on_fixed_shifts", "planned_training", "replan_coverage",
    "shortages", "suggested_training", "swarming", "training_candidates", "working",
]
