"""`planner intraday`: re-forecast the rest of a day from its actuals and re-plan it on the
published shifts, with the offers that close the gap and a simulation before and after.

Steps (each one module): the day's level updated from the actuals (:mod:`.update`); the
requirements of the rest of the day recomputed from it (:func:`planner.staffing.requirements`);
the published plan read onto the scheduler's grid and the rest of the day re-planned with absent
agents taken out (:mod:`.replan`); the offers (:mod:`.offers`); the rest of the day simulated with
the kept plan and with the re-plan (:mod:`.simulate`). :func:`write_intraday` writes everything
into ``RUN/intraday-<time>/`` as one transaction (the complete folder or nothing).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import ContractError, MissingInputError, Problem
from planner.intraday.offers import extended_config, with_overtime
from planner.intraday.offers import offers as make_offers
from planner.intraday.replan import Replan, lock_plan, replan_day
from planner.intraday.simulate import day_arrivals, simulate_rest
from planner.intraday.update import DayLevel, update_forecast
from planner.io.cells import read_csv
from planner.io.contracts import ABSENCES, ACTUAL_CASES, ACTUAL_COUNTS, FORECAST
from planner.io.folder import DataFolder, load_folder
from planner.io.runfolder import RunFolder
from planner.io.tables import read_table
from planner.io.transaction import run_transaction
from planner.io.writers import write_csv, write_text
from planner.scheduling.problem import build_problem, read_requirements, read_tiers
from planner.staffing import requirements as staff_requirements

ABSENCES_FILE = "absences.csv"
LEVELS_FILE = "day_level.csv"
OFFERS_FILE = "offers.csv"
SIMULATION_FILE = "simulation_rest_of_day.csv"
PAGE_MD, PAGE_HTML, SUMMARY_FILE = "intraday.md", "intraday.html", "intraday.json"
REPLICATIONS = 5
OVERTIME_PLAN = "re-plan + overtime"


@dataclass(frozen=True)
class IntradayResult:
    """What `planner intraday` found and planned at ``now``."""

    now: pd.Timestamp
    start: pd.Timestamp  # the first interval re-planned
    forecast: pd.DataFrame  # the horizon's forecast with the rest of the day updated
    levels: list[DayLevel]
    requirements: pd.DataFrame
    tiers: pd.DataFrame | None
    kept: Replan  # the published plan with absent agents taken out
    replan: Replan
    offers: pd.DataFrame
    simulation: pd.DataFrame
    absent: dict[str, int]
    required_change_hours: float  # rest of the day, new requirement minus the morning's
    notes: tuple[str, ...] = ()
    overtime: pd.DataFrame | None = None  # the re-plan's assignments with every overtime offer taken
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def folder_name(self) -> str:
        return f"intraday-{self.now:%Y-%m-%dT%H%M}"

    def service_level(self, plan: str, column: str = "service_level") -> float:
        """The simulated service level of the rest of the day (all case types) of ``plan``, or
        the paired difference of two plans as ``"<plan> - kept"``."""
        s = self.simulation
        row = s[(s["plan"] == plan) & (s["case_type"] == "all")]
        return float(row[column].iloc[0]) if len(row) else float("nan")


def _now_problem(value: str, expected: str) -> ContractError:
    return ContractError([Problem("--now", None, None, value, expected)])


def parse_now(value: str | pd.Timestamp) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise _now_problem(str(value), "a local date and time such as 2026-11-24T11:00") from None
    if ts is pd.NaT or pd.isna(ts):
        raise _now_problem(str(value), "a local date and time such as 2026-11-24T11:00")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def read_actuals(path: Path, tz: str, interval: int, day: pd.Timestamp, now: pd.Timestamp
                 ) -> tuple[pd.DataFrame, list[str]]:
    """Counts per case type and interval from an actuals file (cases or counts); any row at or
    after ``now`` is an error (actuals cannot come from the future)."""
    header = list(read_csv(path, nrows=0).columns)
    cases = "created_at" in header
    frame = read_table(path, ACTUAL_CASES if cases else ACTUAL_COUNTS, tz=tz)
    col = "created_at" if cases else "interval_start"
    times = pd.to_datetime(frame[col])
    late = np.flatnonzero((times >= now).to_numpy())
    if len(late):
        raise ContractError([Problem(str(path), int(r) + 2, col, str(times.iloc[r]),
                                     f"a time before --now {now:%Y-%m-%d %H:%M} (actuals cannot "
                                     "come from the future)") for r in late[:20]])
    notes = []
    if cases:
        frame = pd.DataFrame({"case_type": frame["case_type"].astype(str),
                              "interval_start": times.dt.floor(f"{interval}min"), "volume": 1.0})
        frame = frame.groupby(["case_type", "interval_start"], as_index=False)["volume"].sum()
    before = pd.to_datetime(frame["interval_start"]) < day
    if before.any():
        notes.append(f"actuals: {int(before.sum())} row(s) before {day:%Y-%m-%d} ignored")
    return frame[~before].reset_index(drop=True), notes


def _actuals_from_cases(data: DataFolder, interval: int, day: pd.Timestamp, now: pd.Timestamp
                        ) -> pd.DataFrame | None:
    if data.cases is None:
        return None
    c = data.cases
    mine = c[(c["created_at"] >= day) & (c["created_at"] < now)]
    if mine.empty:
        return None
    return (pd.DataFrame({"case_type": mine["case_type"].astype(str),
                          "interval_start": mine["created_at"].dt.floor(f"{interval}min"),
                          "volume": 1.0})
            .groupby(["case_type", "interval_start"], as_index=False)["volume"].sum())


def read_absences(data: DataFolder, day: pd.Timestamp, absent: tuple[str, ...]) -> dict[str, int]:
    """Agent id -> minute of ``day`` from which they are absent (absences.csv, then --absent)."""
    known = set(data.agents["agent_id"].astype(str)) if data.agents is not None else set()
    out: dict[str, int] = {}
    problems = []
    path = data.path / ABSENCES_FILE
    if path.exists():
        frame = read_table(path, ABSENCES, tz=data.config.center.timezone)
        for n, row in enumerate(frame.itertuples(index=False)):
            aid = str(row.agent_id)
            if aid not in known:
                problems.append(Problem(str(path), n + 2, "agent_id", aid, "an agent of agents.csv"))
            elif pd.Timestamp(row.date) == day:
                start = getattr(row, "start", None)
                out[aid] = 0 if start is None or pd.isna(start) else int(start)
    for aid in absent:
        if aid not in known:
            problems.append(Problem("--absent", None, None, aid, "an agent_id of agents.csv"))
        else:
            out[aid] = 0
    if problems:
        raise ContractError(problems)
    return out


def intraday(data_dir: str | Path, run_dir: str | Path, now: str | pd.Timestamp, *,
             actuals: str | Path | None = None, absent: tuple[str, ...] = (),
             replications: int = REPLICATIONS, seed: int | None = None,
             time_limit: float = 8.0) -> IntradayResult:
    """Re-forecast and re-plan the rest of the day at ``now`` (see the module docstring).

    Raises ContractError (the CLI's exit 2) for a ``now`` outside the plan's horizon, actuals from
    the future or unknown agents; MissingInputError when the run folder lacks the plan.
    """
    tic = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = round(time.perf_counter() - tic - sum(timings.values()), 3)

    now = parse_now(now)
    # the history is read only to find today's actuals in cases.csv when no file is given
    data = load_folder(data_dir, history=actuals is None)
    cfg = data.config
    tz, iv = cfg.center.timezone, cfg.center.interval_minutes
    run = RunFolder(run_dir)
    lacking = [run.file(n).name for n in ("forecast", "requirements", "schedule", "assignments")
               if not run.exists(n)]
    if lacking:
        raise MissingInputError(f"intraday needs {', '.join(lacking)} in {run_dir} "
                                "(`planner run` writes them)")
    req = read_requirements(run.file("requirements"), tz)
    first = pd.Timestamp(req["interval_start"].min()).normalize()
    end = first + pd.Timedelta(days=cfg.horizon_days)
    if not first <= now < end:
        raise _now_problem(f"{now:%Y-%m-%d %H:%M}", f"a time inside the plan's horizon, "
                           f"{first:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}")
    day = now.normalize()
    d = int((day - first) / pd.Timedelta(days=1))
    minutes = (now - first) / pd.Timedelta(minutes=1)
    seen_to = first + pd.Timedelta(minutes=math.floor(minutes / iv) * iv)  # last whole interval
    cut = math.ceil(minutes / iv)  # grid interval the re-plan starts at
    start = first + pd.Timedelta(minutes=cut * iv)
    notes: list[str] = []
    if actuals is not None:
        counts, more = read_actuals(Path(actuals), tz, iv, day, now)
        notes += more
    else:
        counts = _actuals_from_cases(data, iv, day, now)
    absent = read_absences(data, day, tuple(absent))
    forecast = read_table(run.file("forecast"), FORECAST, tz=tz)
    tiers = read_tiers(run.file("tiers"))
    schedule = read_csv(run.file("schedule"), dtype={"agent_id": str}, keep_default_na=False)
    assignments = read_csv(run.file("assignments"), dtype={"agent_id": str})
    assignments["interval_start"] = pd.to_datetime(assignments["interval_start"])
    lap("read")
    if counts is None:
        notes.append("no actuals for today (no --actuals and no cases of today in the data "
                     "folder): the forecast is unchanged")
        levels: list[DayLevel] = []
        updated = forecast
    else:
        updated, levels = update_forecast(forecast, counts, day, seen_to)
    # Only the days whose arrivals reach today's requirement (back office works off earlier days'
    # cases within its deadline) are staffed again.
    back = max((ct.deadline_hours or 0 for ct in cfg.case_types.values()), default=0)
    since = day - pd.Timedelta(days=math.ceil(back / 24))
    window = (updated["interval_start"] >= since) & (updated["interval_start"] < day + pd.Timedelta(days=1))
    new_req = staff_requirements(updated[window].reset_index(drop=True), cfg)
    rest = ((req["interval_start"] >= start) & (req["interval_start"] < day + pd.Timedelta(days=1)))
    merged = req.copy()
    key = ["case_type", "interval_start"]
    fresh = merged.loc[rest, key].merge(new_req, on=key, how="left")
    for col in req.columns:
        if col not in key and col in fresh:
            merged.loc[rest, col] = fresh[col].fillna(merged.loc[rest, col]).to_numpy()
    change = float((merged.loc[rest, "agents_net"] - req.loc[rest, "agents_net"]).sum()) * iv / 60
    lap("re-forecast")
    problem = build_problem(data, merged, tiers)
    locked = lock_plan(problem, schedule, assignments)
    unchanged = (not absent and (merged.loc[rest, "agents_net"] - req.loc[rest, "agents_net"])
                 .abs().max() <= 1e-9) if rest.any() else not absent
    kept = replan_day(locked, d, cut, absent, skip=True)
    if unchanged:
        replan = kept
        notes.append("requirements unchanged and nobody absent: the published plan stands")
    else:
        replan = replan_day(locked, d, cut, absent, time_limit=time_limit,
                            seed=cfg.seed if seed is None else seed)
    notes += replan.notes
    on_shift = {problem.agents[i].agent_id for (i, dd) in locked.shifts if dd == d}
    without = [a for a in absent if a not in on_shift]
    if without:
        notes.append(f"absent agent(s) without a shift today: {', '.join(sorted(without))}")
    lap("re-plan")
    # Overtime may run past the config's patterns: the problem with longer shifts judges them.
    wide = build_problem(dataclasses.replace(data, config=extended_config(cfg)), merged, tiers)
    made = make_offers(locked, replan, d, cut, set(absent), wide)
    overtime = None
    offer_table = made.table
    lap("offers")
    f_day = updated[(updated["interval_start"] >= day)
                    & (updated["interval_start"] < day + pd.Timedelta(days=1))].reset_index(drop=True)
    if not (f_day.loc[f_day["interval_start"] >= start, "volume"] > 0).any():
        sim = pd.DataFrame(columns=["plan", "case_type", "service_level"])
        notes.append("no volume left today: nothing to simulate")
    else:
        plans = {"kept": kept.assignments, "re-plan": replan.assignments}
        if made.overtime:
            overtime = plans[OVERTIME_PLAN] = with_overtime(locked, replan, made.overtime)
        sim = simulate_rest(data, day_arrivals(f_day, counts, seen_to), plans, tiers, start=start,
                            replications=replications, seed=cfg.seed if seed is None else seed)
    lap("simulate")
    return IntradayResult(now, start, updated, levels, merged, tiers, kept, replan, offer_table,
                          sim, absent, change, tuple(dict.fromkeys(notes)), overtime,
                          time.perf_counter() - tic, timings)


def levels_frame(levels: list[DayLevel]) -> pd.DataFrame:
    return pd.DataFrame([{"case_type": lv.case_type, "observed": lv.observed,
                          "expected": round(lv.expected, 3), "factor": round(lv.factor, 4)}
                         for lv in levels], columns=["case_type", "observed", "expected", "factor"])


def summary(res: IntradayResult) -> dict:
    return {"now": f"{res.now:%Y-%m-%dT%H:%M}", "replan_from": f"{res.start:%Y-%m-%dT%H:%M}",
            "absent": sorted(res.absent), "replanned": res.replan.replanned,
            "agents_replanned": res.replan.agents,
            "required_change_hours": round(res.required_change_hours, 2),
            "service_level_kept": round(res.service_level("kept"), 4),
            "service_level_replan": round(res.service_level("re-plan"), 4),
            "service_level_overtime": round(res.service_level(OVERTIME_PLAN), 4),
            **{f"{key}_{end}": round(res.service_level(f"{plan} - kept", f"service_level{col}"), 4)
               for key, plan in (("replan_gain", "re-plan"), ("overtime_gain", OVERTIME_PLAN))
               for end, col in (("mean", ""), ("low", "_low"), ("high", "_high"))},
            "replications": int(res.simulation["replications"].max()) if len(res.simulation) else 0,
            "coverage_cost_kept": res.replan.kept_cost,
            "coverage_cost_replan": res.replan.replan_cost,
            "offers": {k: int(n) for k, n in res.offers["kind"].value_counts().items()},
            "notes": list(res.notes), "seconds": round(res.seconds, 2), "timings": res.timings}


def write_intraday(res: IntradayResult, run_dir: str | Path) -> Path:
    """Write ``RUN/intraday-<time>/`` as one transaction; the folder's path."""
    from planner.intraday.page import page_html, page_markdown

    target = Path(run_dir) / res.folder_name
    with run_transaction(target, "intraday", fresh=True) as staging:
        out = RunFolder(staging)
        write_csv(res.forecast, out.file("forecast"), float_format="%.6g")
        write_csv(levels_frame(res.levels), staging / LEVELS_FILE)
        write_csv(res.requirements, out.file("requirements"), float_format="%.6g")
        if res.tiers is not None:
            write_csv(res.tiers, out.file("tiers"))
        write_csv(res.replan.schedule, out.file("schedule"))
        write_csv(res.replan.assignments, out.file("assignments"))
        write_csv(res.replan.coverage, out.file("coverage"))
        write_csv(res.offers, staging / OFFERS_FILE, float_format="%.4g")
        write_csv(res.simulation, staging / SIMULATION_FILE, float_format="%.4f")
        write_text(page_markdown(res), staging / PAGE_MD)
        write_text(page_html(res), staging / PAGE_HTML)
        write_text(json.dumps(summary(res), indent=2, default=str) + "\n", staging / SUMMARY_FILE)
    return target
