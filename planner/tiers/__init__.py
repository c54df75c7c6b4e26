"""Agent tiers: KPIs per agent, case-mix adjustment, small-sample shrinkage, scores, tiers, reasons.

``compute_tiers(cases, agents, skills, config, previous=None)`` is the stage; the modules hold its
parts: :mod:`kpis`, :mod:`casemix`, :mod:`shrinkage` (pure empirical-Bayes functions), :mod:`score`,
:mod:`assign` (bands and hysteresis), :mod:`proficiency`, :mod:`explain`, :mod:`development`.
"""

from planner.tiers.assign import INSUFFICIENT, Bands, read_previous
from planner.tiers.compute import ADJUSTED_COLUMNS, TierResult, compute_tiers

__all__ = ["ADJUSTED_COLUMNS", "INSUFFICIENT", "Bands", "TierResult", "compute_tiers", "read_previous"]
