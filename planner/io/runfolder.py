"""The run folder: every file a run writes, by name, with the stage that writes it and what it holds.

A run folder is where one weekly cycle (or single stage commands) put their outputs. Code asks a
:class:`RunFolder` for a file by its name (``run.file("coverage")``), never spells a file name
itself, so this table is the one list of the run's files.

Where files are written and where they end up may differ: a run that writes into a staging folder
and swaps it into place when it succeeds builds its ``RunFolder`` on the staging path and hands the
same object to every stage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from planner.io.writers import write_text


@dataclass(frozen=True)
class RunFile:
    """One file of a run folder."""

    name: str
    file: str
    stage: str
    meaning: str


# In the order of the weekly cycle.
RUN_FILES: tuple[RunFile, ...] = (
    RunFile("forecast", "forecast.csv", "forecast",
            "volume, handle time and 80% bounds per case type and interval"),
    RunFile("backtest", "backtest.csv", "forecast", "rolling-origin accuracy of every model tried"),
    RunFile("anomalies", "anomalies.csv", "forecast",
            "events, outliers and level shifts found in the history, and what the forecast did"),
    RunFile("requirements", "requirements.csv", "requirements",
            "agents needed per case type and interval (net and gross of shrinkage)"),
    RunFile("tiers", "tiers.csv", "tiers", "each agent's tier, score and the reason"),
    RunFile("tiers_previous", "tiers_previous.csv", "tiers",
            "tiers as of one week earlier (the report's tier moves; written by `planner run`)"),
    RunFile("skill_levels", "skill_levels.csv", "tiers",
            "declared skill levels beside the levels the outcomes show"),
    RunFile("cross_skilling", "cross_skilling.csv", "tiers", "agents who could learn a case type"),
    RunFile("upskilling", "upskilling.csv", "tiers", "agents close to the next tier"),
    RunFile("kpis_by_type", "kpis_by_type.csv", "tiers", "raw KPIs per agent and case type"),
    RunFile("schedule", "schedule.csv", "schedule", "one row per shift: agent, day, start, end"),
    RunFile("assignments", "assignments.csv", "schedule",
            "each agent's activity per interval (case type, break, training)"),
    RunFile("coverage", "coverage.csv", "schedule",
            "required vs scheduled agents per case type and interval"),
    RunFile("fairness", "fairness.csv", "schedule",
            "each agent's nights, late shifts, weekend days and granted wishes against the fair "
            "share of comparable agents"),
    RunFile("training_plan", "training_plan.csv", "schedule",
            "requested vs planned training hours (with a training.csv)"),
    RunFile("simulation", "simulation.csv", "simulate",
            "simulated service level, waits and abandonment per interval"),
    RunFile("simulation_summary", "simulation_summary.csv", "simulate",
            "the week per policy and case type, with 95% confidence intervals"),
    RunFile("report_html", "report.html", "report", "the weekly planning report (opens offline)"),
    RunFile("report_md", "report.md", "report", "the same report as Markdown for chat tools"),
    RunFile("report_shortages", "report_shortages.csv", "report",
            "shortfall per case type with its cause"),
    RunFile("report_training", "report_training.csv", "report",
            "cross-skilling and upskilling candidates ranked by the shortfall they remove"),
    RunFile("training_suggested", "training_suggested.csv", "report",
            "the top candidates as training.csv rows, ready for next week's data folder"),
    RunFile("report_hiring", "report_hiring.csv", "report", "FTE to hire by skill set"),
    RunFile("agent_schedules", "agent_schedules.csv", "report", "every agent's activity blocks"),
    RunFile("agents", "agents", "report", "one folder: each agent's week as <id>.csv and <id>.ics"),
    RunFile("schedule_xlsx", "schedule.xlsx", "report",
            "the roster, each agent's week, coverage and the report's tables as a workbook"),
    RunFile("capacity_plan", "capacity_plan.csv", "capacity",
            "required vs available FTE per week and skill set, with the interval, before and after "
            "the hiring plan"),
    RunFile("hiring_plan", "hiring_plan.csv", "capacity",
            "hiring classes (hiring.csv and optimised) and cross-skilling: start, heads, skills, cost"),
    RunFile("capacity_demand", "capacity_demand.csv", "capacity",
            "weekly volume and required FTE per case type months ahead, with 80% bounds"),
    RunFile("capacity_html", "capacity.html", "capacity",
            "the capacity plan: required vs available per skill set, the hiring plan (opens offline)"),
    RunFile("run", "run.json", "run", "what ran: data folder, options, seed, timings"),
    RunFile("summary", "summary.json", "run", "key figures and notes of every stage that ran"),
)

_BY_NAME: dict[str, RunFile] = {f.name: f for f in RUN_FILES}
# Run-file names that are folders.
_FOLDERS = ("agents",)

# The stages in cycle order, and the stages whose files each one reads: rewriting a stage's files
# makes the files of every stage that reads them, directly or not, stale.
STAGE_ORDER: tuple[str, ...] = ("forecast", "requirements", "tiers", "schedule", "simulate", "report",
                                 "capacity")
STAGE_NEEDS: dict[str, tuple[str, ...]] = {
    "forecast": (),
    "requirements": ("forecast",),
    "tiers": (),
    "schedule": ("requirements", "tiers"),
    "simulate": ("forecast", "schedule", "tiers"),
    "report": ("forecast", "requirements", "tiers", "schedule", "simulate"),
    "capacity": (),
}


def files_of(stage: str) -> tuple[RunFile, ...]:
    """The files ``stage`` writes, in cycle order."""
    return tuple(f for f in RUN_FILES if f.stage == stage)


def stage_outputs(stage: str) -> tuple[str, ...]:
    """File names ``stage`` writes into a run folder (a folder as ``"agents/"``)."""
    return tuple(f.file + ("/" if f.name in _FOLDERS else "") for f in files_of(stage))


def dependants(stage: str) -> set[str]:
    """The stage itself and every stage that reads its files, directly or not."""
    out = {stage}
    changed = True
    while changed:
        changed = False
        for s, needs in STAGE_NEEDS.items():
            if s not in out and out & set(needs):
                out.add(s)
                changed = True
    return out


@dataclass(frozen=True)
class RunFolder:
    """A run folder at ``path``; ``file(name)`` gives the path of each of its files."""

    path: Path

    def __init__(self, path: str | Path) -> None:
        object.__setattr__(self, "path", Path(path))

    def file(self, name: str) -> Path:
        """The path of the run's file called ``name`` (see :data:`RUN_FILES`)."""
        try:
            return self.path / _BY_NAME[name].file
        except KeyError:
            raise KeyError(f"no run file named {name!r}; known: {', '.join(_BY_NAME)}") from None

    def exists(self, name: str) -> bool:
        return self.file(name).exists()

    def find(self, name: str) -> Path | None:
        """The run's file called ``name``, or its gzip-compressed twin (a hand-made plan may be
        compressed); None when neither exists."""
        path = self.file(name)
        for cand in (path, path.with_name(path.name + ".gz")):
            if cand.exists():
                return cand
        return None

    def create(self) -> RunFolder:
        self.path.mkdir(parents=True, exist_ok=True)
        return self

    def read_json(self, name: str) -> dict:
        """run.json or summary.json as a dict ({} when absent); ValueError when not valid JSON."""
        path = self.file(name)
        if not path.exists():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))

    def write_json(self, name: str, content: dict) -> Path:
        return write_text(json.dumps(content, indent=2, default=str) + "\n", self.file(name))

    def present(self) -> list[str]:
        """Names of the run files present, in cycle order."""
        return [f.name for f in RUN_FILES if (self.path / f.file).exists()]
