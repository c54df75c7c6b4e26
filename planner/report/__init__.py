"""The weekly planning report: charts, recommendations (training, hiring, swarming) and exports.

Library API::

    from planner.report import build_report
    rep = build_report("out/", data="data/")      # writes report.html, report.md, agents/*.csv|ics

``analyse`` gives the same :class:`WeeklyReport` without writing; ``run_cycle`` (planner.report.cycle)
runs the whole weekly cycle and then the report.
"""

from planner.report.build import WeeklyReport, analyse, build_report, history_volumes, tier_moves
from planner.report.exports import activity_blocks, agent_calendar, export_agents
from planner.report.runfolder import RUN_FILES, RunFolder, read_run
from planner.report.shortage import eligibility, hiring, shortages, swarming
from planner.report.training import Change, measure_by_resolving, training_candidates

__all__ = [
    "RUN_FILES", "Change", "RunFolder", "WeeklyReport", "activity_blocks", "agent_calendar",
    "analyse", "build_report", "eligibility", "export_agents", "hiring", "history_volumes",
    "measure_by_resolving", "read_run", "shortages", "swarming", "tier_moves", "training_candidates",
]
