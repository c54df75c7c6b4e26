"""Reading a run folder's plan files (forecast, schedule, assignments, tiers) for the simulation.

The contracts follow ARCHITECTURE.md. ``shift_start``/``shift_end`` and ``breaks`` of schedule.csv are read
as text and parsed leniently (:func:`planner.simulation.plan.schedule_windows`) so that both
timestamps and times of day work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import ContractError, MissingInputError, Problem
from planner.io import DataFolder
from planner.io.contracts import ASSIGNMENTS, FORECAST, SCHEDULE, TIERS_OUT, Contract
from planner.io.runfolder import RunFolder
from planner.io.tables import read_table
from planner.routing.center import Center
from planner.simulation.plan import Plan, build_plan


@dataclass(frozen=True)
class RunInputs:
    """The plan files of a run folder; optional ones are None."""

    forecast: pd.DataFrame
    schedule: pd.DataFrame | None
    assignments: pd.DataFrame | None
    tiers: pd.DataFrame | None


def _maybe(run: RunFolder, name: str, contract: Contract, tz: str) -> pd.DataFrame | None:
    path = run.find(name)
    return None if path is None else read_table(path, contract, tz=tz)


def read_run(run: str | Path, tz: str) -> RunInputs:
    """Read forecast.csv (required), schedule.csv / assignments.csv (one of them), tiers.csv."""
    folder = RunFolder(run)
    run = folder.path
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame | None] = {}
    for key, contract in (("forecast", FORECAST), ("schedule", SCHEDULE),
                          ("assignments", ASSIGNMENTS), ("tiers", TIERS_OUT)):
        try:
            frames[key] = _maybe(folder, key, contract, tz)
        except ContractError as err:
            problems += err.problems
    if problems:
        raise ContractError(problems)
    if frames["forecast"] is None:
        raise MissingInputError(f"simulate needs forecast.csv in {run} ('planner forecast' writes it)")
    if frames["schedule"] is None and frames["assignments"] is None:
        raise MissingInputError(f"simulate needs schedule.csv or assignments.csv in {run} "
                                "('planner schedule' writes them; a hand-made plan works too)")
    return RunInputs(**frames)


def plan_case_types(data: DataFolder, inputs: RunInputs) -> list[str]:
    """Forecast types first; then configured or skilled types that appear as activities."""
    types = list(dict.fromkeys(str(t) for t in inputs.forecast["case_type"]))
    known = set(data.config.case_types)
    if data.skills is not None:
        known |= set(data.skills["case_type"].astype(str))
    if inputs.assignments is not None:
        for act in dict.fromkeys(inputs.assignments["activity"].astype(str)):
            if act in known and act not in types:
                types.append(act)
    return types


def plan_notes(center: Center, plan: Plan) -> list[str]:
    """What in the plan routing cannot honour: forecast types nobody has a skill on, and activities
    on a type the agent lacks the skill, level or tier for (the agent is on queue but takes no such
    case, or only after relaxation)."""
    notes = []
    orphan = [t for j, t in enumerate(center.case_types)
              if plan.volume[j].sum() > 0 and not (center.level[:, j] > 0).any()]
    if orphan:
        notes.append(f"forecast.csv: no agent has a skill on {', '.join(orphan)} (skills.csv): "
                     "none of those cases can be answered")
    act, agent = plan.seg_activity, plan.seg_agent
    on_type = act >= 0
    if not on_type.any():
        return notes
    a, t = agent[on_type], act[on_type]
    hours = (plan.seg_end - plan.seg_start)[on_type] / 3600.0
    lv = center.level[a, t]
    for label, bad in (("no skill on", lv == 0),
                       ("a level below the minimum of",
                        (lv > 0) & (lv < center.min_level[t])),
                       ("a tier below the minimum of",
                        (lv > 0) & (center.tier[a] < center.min_tier[t]))):
        if bad.any():
            pairs = sorted({f"{center.agent_ids[i]} {center.case_types[j]}"
                            for i, j in zip(a[bad], t[bad], strict=True)})
            shown = ", ".join(pairs[:6]) + (f" and {len(pairs) - 6} more" if len(pairs) > 6 else "")
            notes.append(f"assignments.csv: {hours[bad].sum():,.1f} agent-hours planned on a case "
                         f"type the agent has {label} ({shown}); routing follows skills.csv and "
                         "the type's rules, so those hours take none of that type")
    return notes


def load_center_and_plan(data: DataFolder, inputs: RunInputs) -> tuple[Center, Plan]:
    """Build the routing center and the simulation plan from a data folder and a run folder."""
    agents, skills = data.require_agents("simulate")
    center = Center.from_frames(data.config, plan_case_types(data, inputs), agents, skills,
                                inputs.tiers)
    plan = build_plan(center, inputs.forecast, interval_minutes=data.config.center.interval_minutes,
                      assignments=inputs.assignments, schedule=inputs.schedule)
    return center, plan
