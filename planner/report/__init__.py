"""The weekly planning report: reads a run folder, renders report.html, report.md, the advice tables
and the per-agent exports. The advice itself (shortage causes, re-plan, training, hiring) is computed
by :mod:`planner.analysis`; the stages are run by :mod:`planner.pipeline`.

Library API::

    from planner.report import build_report
    rep = build_report("out/", data="data/")      # writes report.html, report.md, agents/*.csv|ics

``analyse`` gives the same :class:`WeeklyReport` without writing.
"""

from planner.report.build import analyse, build_report, history_volumes, tier_moves
from planner.report.exports import activity_blocks, agent_calendar, export_agents
from planner.report.model import WeeklyReport
from planner.report.runfolder import REPORT_INPUTS, RunTables, read_run

__all__ = [
    "REPORT_INPUTS", "RunTables", "WeeklyReport", "activity_blocks", "agent_calendar", "analyse",
    "build_report", "export_agents", "history_volumes", "read_run", "tier_moves",
]
