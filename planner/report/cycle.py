"""The whole weekly cycle in one call: forecast, requirements, tiers, schedule, simulate, report.

Each stage is called through its own library function (never its CLI), the data folder is read once,
and every stage's files are written into the run folder as the stage's own command would write them,
so `planner report --out RUN` (or any single stage) can be re-run on the folder afterwards.

"Last week's" tiers, for the report's tier moves, are the tiers computed as of one week before the
end of the history (``tiers_previous.csv``); this week's tiers use them for hysteresis, as a weekly
run that kept last week's folder would.
"""

from __future__ import annotations

import dataclasses
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.errors import MissingInputError, PlannerError, SolverLimitWarning
from planner.io import DataFolder, load_folder, write_csv
from planner.io.transaction import update_manifest
from planner.report.build import WeeklyReport, build_report
from planner.report.training import Resolver

Say = Callable[[str], None]

# Defaults sized so the sample center's whole cycle stays well inside 3 minutes on 2 cores.
RUN_GOAL_SECONDS = 180.0
SCHEDULE_SECONDS = 40.0
REPLICATIONS = 5
# Full re-schedules per training candidate: off by default. At the short limits a weekly run can
# afford, CP-SAT's result varies between two identical runs by more than one change is worth; the
# report ranks candidates by the exact fixed-shift re-plan (planner.report.flow) instead.
RESOLVE_TOP = 0
RESOLVE_SECONDS = 8.0


@dataclass
class CycleResult:
    """What one run of the cycle did: timings per stage, the report, and the notes of each stage."""

    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    report: WeeklyReport | None = None
    notes: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)


def default_data_dir(start: Path | None = None) -> Path:
    """The bundled sample: ``data/`` in the current directory or the repository holding this code."""
    here = (start or Path.cwd()).resolve()
    for base in (here, *here.parents):
        if (base / "data" / "planner.toml").exists():
            return base / "data"
    repo = Path(__file__).resolve().parents[2]
    if (repo / "data" / "planner.toml").exists():
        return repo / "data"
    raise MissingInputError("no data folder given and no bundled sample data/ found here or in the "
                            "repository; pass --data DIR (or make one with `planner sample --out DIR`)")


def scheduler(folder: DataFolder, requirements: pd.DataFrame, time_limit: float,
              seed: int | None = None) -> Resolver:
    """A re-solver for the training measurements: the same scheduler with other skills/tiers."""

    def resolve(skills: pd.DataFrame, tiers: pd.DataFrame | None) -> pd.DataFrame:
        from planner.scheduling import make_schedule

        changed = dataclasses.replace(folder, skills=skills)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SolverLimitWarning)
            return make_schedule(changed, requirements, tiers, time_limit=time_limit, seed=seed,
                                 workers=2, compute_bound=False).coverage

    return resolve


def resolver_for_run(out: str | Path, data: str | Path | None, time_limit: float) -> Resolver:
    """A re-solver for `planner report --resolve-top N`: RUN/requirements.csv and the data folder
    (given, or the one RUN/run.json names)."""
    from planner.scheduling.problem import read_requirements

    out = Path(out)
    if data is None:
        manifest = out / "run.json"
        data = json.loads(manifest.read_text(encoding="utf-8")).get("data") if manifest.exists() else None
    if data is None:
        raise MissingInputError("measuring training candidates needs the data folder: give --data DIR")
    if not (out / "requirements.csv").exists():
        raise MissingInputError(f"measuring training candidates needs {out}/requirements.csv")
    folder = load_folder(data)
    req = read_requirements(out / "requirements.csv", folder.config.center.timezone)
    return scheduler(folder, req, time_limit)


def _simulate(folder: DataFolder, out: Path, replications: int, progress=None):
    """`planner simulate`'s defaults (tier-aware routing, lognormal handle times, abandonment) on
    the run folder's plan, reusing the data folder already read."""
    from planner.routing import make_policy
    from planner.simulation import (
        LognormalHandleTime,
        SimulationOptions,
        load_center_and_plan,
        read_run,
        simulate_week,
    )

    inputs = read_run(out, folder.config.center.timezone)
    center, plan = load_center_and_plan(folder, inputs)
    policy = make_policy("tier-aware", relax_after_s=None, overflow_after_s=None)
    options = SimulationOptions(handle_time=LognormalHandleTime(), abandonment=True, scenario=1.0)
    result = simulate_week(center, plan, [policy], replications=replications, seed=folder.config.seed,
                           options=options, workers=2, progress=progress)
    write_csv(result.intervals, out / "simulation.csv", float_format="%.4f")
    write_csv(result.summary, out / "simulation_summary.csv", float_format="%.4f")
    return result


def run_cycle(data: str | Path | None = None, out: str | Path = "out", *, weeks: int = 1,
              schedule_seconds: float = SCHEDULE_SECONDS, replications: int = REPLICATIONS,
              resolve_top: int = RESOLVE_TOP, resolve_seconds: float = RESOLVE_SECONDS,
              bound: bool = False, progress: Say | None = None) -> CycleResult:
    """Run forecast, requirements, tiers, schedule, simulate and the report into ``out``.

    Parameters
    ----------
    data : data folder (default: the bundled sample, see :func:`default_data_dir`).
    out : run folder; created if absent. Files of an earlier run there are overwritten.
    schedule_seconds : the scheduler's time limit [s].
    replications : simulation replications.
    resolve_top, resolve_seconds : training candidates also measured by a full re-schedule, and the
        time limit of each (0: the fixed-shift re-plan only).
    bound : also compute the scheduler's lower bound (an LP over the whole week; on the sample it
        takes longer than the schedule itself, outside its time limit, so a weekly run skips it).
    """
    say = progress or (lambda _m: None)
    data_dir = Path(data) if data is not None else default_data_dir()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res = CycleResult(out)
    t_all = time.perf_counter()

    def timed(name: str):
        class _T:
            def __enter__(self):
                self.t = time.perf_counter()
                say(f"{name}: started")

            def __exit__(self, *exc):
                res.timings[name] = time.perf_counter() - self.t
                if exc[0] is None:
                    say(f"{name}: done in {res.timings[name]:.1f} s")
        return _T()

    with timed("read data"):
        folder = load_folder(data_dir)
    cfg = folder.config

    from planner.forecast import forecast

    with timed("forecast"):
        fc = forecast(folder, weeks=weeks,
                      progress=lambda ct, done, total: say(f"forecast: backtest {ct} ({done}/{total})"))
        write_csv(fc.forecast, out / "forecast.csv", float_format="%.6g")
        write_csv(fc.backtest, out / "backtest.csv", float_format="%.6g")
    res.notes += [f"forecast: {n}" for n in fc.notes]
    res.figures["cases forecast"] = f"{fc.forecast['volume'].sum():,.0f}"

    from planner.staffing import requirements

    with timed("requirements"):
        req = requirements(fc.forecast, cfg)
        write_csv(req, out / "requirements.csv", float_format="%.6g")

    tiers = None
    if folder.cases is not None and folder.agents is not None:
        from planner.tiers import compute_tiers

        with timed("tiers"):
            end = folder.cases["created_at"].max().normalize() + pd.Timedelta(days=1)
            try:
                prev = compute_tiers(folder.cases, folder.agents, folder.skills, cfg,
                                     as_of=end - pd.Timedelta(weeks=1))
                write_csv(prev.tiers, out / "tiers_previous.csv", float_format="%.4g")
                previous = prev.tiers
            except PlannerError as err:
                res.notes.append(f"tiers of last week not computed: {err}")
                previous = None
            try:
                result = compute_tiers(folder.cases, folder.agents, folder.skills, cfg, previous)
            except PlannerError as err:
                # A history without served cases per agent: schedule without tiers (all medium).
                res.notes.append(f"tiers skipped: {err}")
            else:
                result.write(out)
                tiers = result.tiers
                res.notes += [f"tiers: {n}" for n in result.notes]
    else:
        res.notes.append("tiers skipped: they need cases.csv with agent_id and agents.csv")

    if folder.agents is None or folder.skills is None:
        res.notes.append("schedule and simulation skipped: the data folder has no agents.csv/skills.csv")
    else:
        from planner.scheduling import make_schedule

        with timed("schedule"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", SolverLimitWarning)
                plan = make_schedule(
                    folder, req, tiers, time_limit=schedule_seconds, workers=2, compute_bound=bound,
                    progress=lambda stage, sec, obj: say(f"schedule: {stage}, {sec:.0f} s, "
                                                         f"objective {obj:,.4g}"))
            write_csv(plan.schedule, out / "schedule.csv")
            write_csv(plan.assignments, out / "assignments.csv")
            write_csv(plan.coverage, out / "coverage.csv")
            if plan.training is not None:
                write_csv(plan.training, out / "training_plan.csv")
        res.notes += [f"schedule: {w.message}" for w in caught]
        res.notes += [f"schedule: {n}" for n in plan.notes]
        res.notes += [f"schedule conflict: {c}" for c in plan.conflicts]
        res.figures["shortfall"] = f"{plan.shortfall_hours:,.1f} agent-hours"
        if plan.gap is not None:
            res.figures["gap to bound"] = f"{plan.gap:.1%}"
        elif not bound:
            res.notes.append("schedule: lower bound not computed (planner run --bound, or planner "
                             "schedule, computes it)")

        with timed("simulate"):
            sim = _simulate(folder, out, replications,
                            progress=lambda d, t: say(f"simulate: replication {d}/{t}"))
        s = sim.summary
        overall = s[s["case_type"] == "all"]
        if len(overall):
            res.figures["simulated service level"] = f"{float(overall['service_level'].iloc[0]):.1%}"
        res.figures["simulation events/s"] = f"{sim.events_per_second:,.0f}"

    manifest = {"data": str(data_dir.resolve()), "weeks": weeks, "seed": cfg.seed,
                "schedule_seconds": schedule_seconds, "replications": replications,
                "bound": bound, "resolve_top": resolve_top,
                "timings_seconds": {k: round(v, 2) for k, v in res.timings.items()}}
    update_manifest(out, **manifest)

    resolve = None
    if resolve_top > 0 and resolve_seconds > 0 and folder.agents is not None and folder.skills is not None:
        resolve = scheduler(folder, req, resolve_seconds)
    with timed("report"):
        res.report = build_report(out, folder, resolve=resolve, resolve_top=resolve_top,
                                  progress=lambda m: say(f"report: {m}"))
    res.timings["total"] = time.perf_counter() - t_all
    manifest["timings_seconds"] = {k: round(v, 2) for k, v in res.timings.items()}
    update_manifest(out, **manifest)
    return res
