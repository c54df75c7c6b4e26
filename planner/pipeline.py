"""The weekly cycle as declared stages: forecast -> requirements -> tiers -> schedule -> simulate ->
report.

Each :class:`Stage` says once what it reads (the data folder and run-folder files), what it writes
(run-folder files, see :mod:`planner.io.runfolder`), how it runs (a stage package's library function)
and how it writes its result. The CLI's stage commands call :func:`run_stage`; ``planner run`` calls
:func:`run_cycle`, which runs the same stages in turn on one :class:`Context` so that the data folder
is read once and each stage hands its result to the next in memory (the files are written all the
same, so any single stage can be re-run on the folder afterwards).

"Last week's" tiers, for the report's tier moves, are the tiers computed as of one week before the
end of the history (``tiers_previous.csv``); this week's tiers use them for hysteresis, as a weekly
run that kept last week's folder would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from planner.analysis import Resolver
from planner.analysis.fairness import fairness_figures, fairness_table
from planner.capacity import CapacityPlan, capacity_plan
from planner.errors import MissingInputError, PlannerError, SolverLimitWarning
from planner.forecast import CASE_COLUMNS, ForecastResult, forecast
from planner.io import DataFolder, PlannerConfig, load_folder, read_config, write_csv
from planner.io.runfolder import RunFolder, files_of
from planner.io.transaction import check_run, run_transaction
from planner.io.writers import write_text
from planner.report import WeeklyReport, build_report
from planner.report.capacity import render_capacity_html
from planner.routing import make_policy
from planner.scheduling import ScheduleResult, make_schedule
from planner.scheduling.problem import read_requirements, read_tiers
from planner.simulation import (
    ExponentialHandleTime,
    LognormalHandleTime,
    SimulationOptions,
    SimulationResult,
    load_center_and_plan,
    plan_notes,
    read_run,
    simulate_week,
)
from planner.staffing import Overrides, read_forecast, requirements
from planner.tiers import TierResult, compute_tiers
from planner.versions import versions

Say = Callable[[str], None]

# Defaults shared by the stage commands and `planner run`, sized so the sample center's whole cycle
# stays well inside 3 minutes on 2 cores.
RUN_GOAL_SECONDS = 180.0
SCHEDULE_SECONDS = 40.0
REPLICATIONS = 5
WORKERS = 2
# Full re-schedules per training candidate: off by default. At the short limits a weekly run can
# afford, CP-SAT's result varies between two identical runs by more than one change is worth; the
# report ranks candidates by the exact fixed-shift re-plan (planner.analysis.replan) instead.
RESOLVE_TOP = 0
RESOLVE_SECONDS = 8.0
POLICIES: tuple[str, ...] = ("tier-aware", "longest-idle")
MODELS: tuple[str, ...] = ("erlang_c", "erlang_a")


def default_data_dir(start: Path | None = None) -> Path:
    """The bundled sample: ``data/`` in the current directory or the repository holding this code."""
    here = (start or Path.cwd()).resolve()
    for base in (here, *here.parents):
        if (base / "data" / "planner.toml").exists():
            return base / "data"
    repo = Path(__file__).resolve().parents[1]
    if (repo / "data" / "planner.toml").exists():
        return repo / "data"
    raise MissingInputError("no data folder given and no bundled sample data/ found here or in the "
                            "repository; pass --data DIR (or make one with `planner sample --out DIR`)")


@dataclass
class Context:
    """One run: the data folder (read once, when first needed), the run folder, what each stage
    returned, and the notes and figures gathered for summary.json."""

    data_dir: Path | None  # None: the report finds it in run.json
    run: RunFolder
    say: Say = field(default=lambda _m: None)
    results: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    _data: DataFolder | None = None

    @property
    def data(self) -> DataFolder:
        if self._data is None:
            self._data = self.read_data()
        return self._data

    def read_data(self, case_columns: tuple[str, ...] | None = None) -> DataFolder:
        """The data folder, read and checked whole; ``case_columns`` keeps only those columns of
        the case history (not cached: other stages may need more)."""
        if self._data is not None:
            return self._data
        if self.data_dir is None:
            raise MissingInputError("no data folder given: pass --data DIR")
        return load_folder(self.data_dir, case_columns=case_columns)

    @property
    def config(self) -> PlannerConfig:
        """The data folder's configuration; planner.toml alone when the folder has not been read."""
        if self._data is not None:
            return self._data.config
        if self.data_dir is None or not self.data_dir.is_dir():
            from planner.errors import ContractError, Problem

            raise ContractError([Problem(str(self.data_dir), None, None, None, "an existing data folder")])
        return read_config(self.data_dir / "planner.toml")


@dataclass(frozen=True)
class Stage:
    """One stage of the cycle: its inputs, its outputs, how it runs and how it writes."""

    name: str
    reads_data: tuple[str, ...]  # data-folder files it uses
    reads_run: tuple[str, ...]  # run-folder files it needs (from an earlier stage)
    run: Callable[..., Any]  # (context, **options) -> result
    write: Callable[[Any, RunFolder], list[Path]]
    summary: Callable[[Any], tuple[dict[str, str], list[str]]]  # result -> (figures, notes)
    data_optional: bool = False  # True: runs without a data folder (the report)

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(f.name for f in files_of(self.name))


# --- forecast -------------------------------------------------------------------------------------

def _run_forecast(ctx: Context, *, weeks: int = 1, start: date | None = None,
                  interval_minutes: int | None = None,
                  progress: Callable[[str, int, int], None] | None = None,
                  engine: Any = None, queues_per_job: int = 50) -> ForecastResult:
    """``engine`` (planner.sites.engine): forecast ``queues_per_job`` case types per job on it,
    for many queues; the same files as one forecast of them all."""
    if engine is not None:
        from planner.sites.queues import forecast_queues

        if ctx.data_dir is None:
            raise MissingInputError("no data folder given: pass --data DIR")
        done: dict[str, int] = {}
        total: dict[str, int] = {}

        def heard(key: str, kind: str, _text: str) -> None:
            total[key] = 1
            if kind in ("done", "failed", "lost"):
                done[key] = 1
            if progress is not None:
                progress(f"{key}" if kind == "stage" else f"{key} {kind}", len(done), len(total))

        return forecast_queues(ctx.data_dir, engine, per_job=queues_per_job, weeks=weeks, start=start,
                               interval_minutes=interval_minutes, on_event=heard)
    # On its own the stage keeps of a long case history only the columns it reads.
    return forecast(ctx.read_data(CASE_COLUMNS), weeks=weeks, start=start,
                    interval_minutes=interval_minutes, progress=progress)


def _write_forecast(res: ForecastResult, run: RunFolder) -> list[Path]:
    return [write_csv(res.forecast, run.file("forecast"), float_format="%.6g"),
            write_csv(res.backtest, run.file("backtest"), float_format="%.6g"),
            write_csv(res.anomaly_table, run.file("anomalies"), float_format="%.6g")]


def _sum_forecast(res: ForecastResult) -> tuple[dict[str, str], list[str]]:
    return {"cases forecast": f"{res.forecast['volume'].sum():,.0f}",
            "history anomalies": str(len(res.anomalies))}, list(res.notes)


# --- requirements ---------------------------------------------------------------------------------

def _run_requirements(ctx: Context, *, overrides: Overrides | None = None) -> pd.DataFrame:
    cfg = ctx.config
    fc = ctx.results.get("forecast")
    if fc is not None:
        return requirements(fc.forecast, cfg, overrides)
    return requirements(read_forecast(ctx.run.path, cfg.center.timezone), cfg, overrides,
                        file=str(ctx.run.file("forecast")))


def _write_requirements(req: pd.DataFrame, run: RunFolder) -> list[Path]:
    return [write_csv(req, run.file("requirements"), float_format="%.6g")]


def _sum_requirements(req: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    return {"rows": f"{len(req):,}"}, []


# --- tiers ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TiersOutput:
    """This week's tiers and, when asked for, last week's (for the report's tier moves)."""

    current: TierResult
    last_week: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()


def _run_tiers(ctx: Context, *, previous: str | Path | None = None,
               last_week: bool = False) -> TiersOutput:
    """``previous``: last run's tiers.csv for hysteresis (default: the run folder's tiers.csv).
    ``last_week``: compute the tiers as of one week before the end of the history and use them
    as the previous tiers (what `planner run` does)."""
    folder = ctx.data
    if folder.cases is None:
        raise MissingInputError(f"tiers needs cases.csv in {folder.path} (one row per handled case)")
    cfg = folder.config
    notes: list[str] = []
    prev_frame = None
    prev: pd.DataFrame | str | Path | None = previous
    if last_week:
        end = folder.cases["created_at"].max().normalize() + pd.Timedelta(days=1)
        try:
            prev_frame = compute_tiers(folder.cases, folder.agents, folder.skills, cfg,
                                       as_of=end - pd.Timedelta(weeks=1)).tiers
        except PlannerError as err:
            notes.append(f"tiers of last week not computed: {err}")
        prev = prev_frame
    elif prev is None and ctx.run.exists("tiers"):
        prev = ctx.run.file("tiers")
    result = compute_tiers(folder.cases, folder.agents, folder.skills, cfg, prev)
    return TiersOutput(result, prev_frame, tuple(notes))


def _write_tiers(out: TiersOutput, run: RunFolder) -> list[Path]:
    res = out.current
    files = []
    if out.last_week is not None:
        files.append(write_csv(out.last_week, run.file("tiers_previous"), float_format="%.4g"))
    # Four decimals: enough for rates and scores, and never scientific notation for seconds.
    files += [
        write_csv(res.tiers.round(4), run.file("tiers")),
        write_csv(res.skill_levels.round(4), run.file("skill_levels")),
        write_csv(res.cross_skilling, run.file("cross_skilling")),
        write_csv(res.upskilling.round(4), run.file("upskilling")),
        write_csv(res.kpis_by_type.round(4), run.file("kpis_by_type")),
    ]
    return files


def _sum_tiers(out: TiersOutput) -> tuple[dict[str, str], list[str]]:
    counts = out.current.tiers["tier"].value_counts()
    return ({f"{t} tier": str(int(n)) for t, n in counts.items()},
            [*out.notes, *out.current.notes])


# --- schedule -------------------------------------------------------------------------------------

def _run_schedule(ctx: Context, *, time_limit: float = SCHEDULE_SECONDS, seed: int | None = None,
                  bound: bool = False, workers: int = WORKERS,
                  progress: Callable[[str, float, float], None] | None = None,
                  deterministic: bool = False) -> ScheduleResult:
    folder = ctx.data
    if folder.agents is None or folder.skills is None:
        raise MissingInputError(f"schedule needs agents.csv and skills.csv in {folder.path}")
    req = ctx.results.get("requirements")
    if req is None:
        if not ctx.run.exists("requirements"):
            raise MissingInputError(f"schedule needs {ctx.run.file('requirements')} "
                                    "('planner requirements' writes it)")
        req = read_requirements(ctx.run.file("requirements"), folder.config.center.timezone)
    tiers_out = ctx.results.get("tiers")
    tiers = tiers_out.current.tiers if tiers_out is not None else read_tiers(ctx.run.file("tiers"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SolverLimitWarning)
        result = make_schedule(folder, req, tiers, time_limit=time_limit, seed=seed, workers=workers,
                               compute_bound=bound, progress=progress,
                               deterministic=deterministic)
    notes = [str(w.message) for w in caught]
    sh = folder.config.shifts
    fairness = fairness_table(result.schedule, folder.agents, folder.availability,
                              min_hours=sh.min_hours, max_hours=sh.max_hours,
                              max_days=7 - sh.days_off_per_week)
    return dataclasses.replace(result, notes=(*notes, *result.notes), fairness=fairness)


def _write_schedule(res: ScheduleResult, run: RunFolder) -> list[Path]:
    files = [write_csv(res.schedule, run.file("schedule")),
             write_csv(res.assignments, run.file("assignments")),
             write_csv(res.coverage, run.file("coverage"))]
    if res.fairness is not None:
        files.append(write_csv(res.fairness, run.file("fairness")))
    if res.training is not None:
        files.append(write_csv(res.training, run.file("training_plan")))
    return files


def _sum_schedule(res: ScheduleResult) -> tuple[dict[str, str], list[str]]:
    figures = {"shortfall": f"{res.shortfall_hours:,.1f} agent-hours",
               "objective": f"{res.objective:,.0f}"}
    if res.gap is not None:
        figures["gap to bound"] = f"{res.gap:.1%}"
    if res.fairness is not None and len(res.fairness):
        figures.update(fairness_figures(res.fairness))
    return figures, [*res.notes, *(f"conflict: {c}" for c in res.conflicts)]


# --- simulate -------------------------------------------------------------------------------------

def _run_simulate(ctx: Context, *, policies: tuple[str, ...] | list[str] = ("tier-aware",),
                  replications: int = REPLICATIONS, seed: int | None = None, abandonment: bool = True,
                  exponential: bool = False, scenario: float | str = 1.0,
                  overflow_after_s: float | None = None, relax_after_s: float | None = None,
                  workers: int = WORKERS, progress: Callable[[int, int], None] | None = None
                  ) -> SimulationResult:
    folder = ctx.data
    # The plan is read from the run folder's files, as a hand-made plan would be.
    inputs = read_run(ctx.run.path, folder.config.center.timezone)
    center, plan = load_center_and_plan(folder, inputs)
    built = []
    for name in dict.fromkeys(policies):
        params: dict[str, float | None] = {"relax_after_s": relax_after_s}
        if name == "tier-aware":
            params["overflow_after_s"] = overflow_after_s
        built.append(make_policy(name, **params))
    # --exponential is for checking against Erlang formulas: M/M/n has no agent-level effect either.
    handle = ExponentialHandleTime(level_effect=0.0) if exponential else LognormalHandleTime()
    options = SimulationOptions(handle_time=handle, abandonment=abandonment, scenario=scenario)
    result = simulate_week(center, plan, built, replications=replications,
                           seed=folder.config.seed if seed is None else seed, options=options,
                           workers=workers, progress=progress)
    return dataclasses.replace(result, notes=tuple(plan_notes(center, plan)))


def _write_simulate(res: SimulationResult, run: RunFolder) -> list[Path]:
    return [write_csv(res.intervals, run.file("simulation"), float_format="%.4f"),
            write_csv(res.summary, run.file("simulation_summary"), float_format="%.4f")]


def _sum_simulate(res: SimulationResult) -> tuple[dict[str, str], list[str]]:
    s = res.summary
    overall = s[s["case_type"] == "all"]
    figures = {}
    if len(overall):
        figures["simulated service level"] = f"{float(overall['service_level'].iloc[0]):.1%}"
    figures["simulation events/s"] = f"{res.events_per_second:,.0f}"
    return figures, list(res.notes)


# --- report ---------------------------------------------------------------------------------------

def scheduler(folder: DataFolder, requirements: pd.DataFrame, time_limit: float,
              seed: int | None = None) -> Resolver:
    """A re-solver for the training measurements: the same scheduler with other skills/tiers."""

    def resolve(skills: pd.DataFrame, tiers: pd.DataFrame | None) -> pd.DataFrame:
        changed = dataclasses.replace(folder, skills=skills)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SolverLimitWarning)
            return make_schedule(changed, requirements, tiers, time_limit=time_limit, seed=seed,
                                 workers=WORKERS, compute_bound=False).coverage

    return resolve


def _run_report(ctx: Context, *, resolve_top: int = RESOLVE_TOP,
                resolve_seconds: float = RESOLVE_SECONDS,
                progress: Say | None = None) -> WeeklyReport:
    # Without a data folder the report asks run.json where the data was.
    folder = ctx.data if ctx._data is not None or ctx.data_dir is not None else None
    resolve = None
    if resolve_top > 0 and resolve_seconds > 0:
        if folder is None or folder.agents is None or folder.skills is None:
            raise MissingInputError("measuring training candidates needs the data folder with "
                                    "agents.csv and skills.csv: give --data DIR")
        req = ctx.results.get("requirements")
        if req is None:
            if not ctx.run.exists("requirements"):
                raise MissingInputError(f"measuring training candidates needs "
                                        f"{ctx.run.file('requirements')}")
            req = read_requirements(ctx.run.file("requirements"), folder.config.center.timezone)
        resolve = scheduler(folder, req, resolve_seconds)
    return build_report(ctx.run.path, folder, resolve=resolve, resolve_top=resolve_top,
                        progress=progress)


def _write_report(rep: WeeklyReport, run: RunFolder) -> list[Path]:
    return []  # build_report writes the report's files as it renders them


def _sum_report(rep: WeeklyReport) -> tuple[dict[str, str], list[str]]:
    return dict(rep.figures), [*rep.headlines]


# --- capacity (not part of the weekly cycle) -------------------------------------------------------

def _run_capacity(ctx: Context, *, months: int = 12, seconds: float | None = None) -> CapacityPlan:
    return capacity_plan(ctx.data, months, seconds=seconds)


def _write_capacity(res: CapacityPlan, run: RunFolder) -> list[Path]:
    end = res.start + pd.Timedelta(weeks=res.weeks) - pd.Timedelta(days=1)
    subtitle = (f"{res.weeks} weeks from {res.start:%A %d %B %Y} to {end:%A %d %B %Y} · hiring plan "
                f"{res.status} in {res.seconds:.0f} s")
    html = render_capacity_html(res.plan, res.hiring, res.demand, res.figures, res.notes,
                                res.center, subtitle)
    return [write_csv(res.plan, run.file("capacity_plan"), float_format="%.4g"),
            write_csv(res.hiring, run.file("hiring_plan"), float_format="%.10g"),
            write_csv(res.demand, run.file("capacity_demand"), float_format="%.6g"),
            write_text(html, run.file("capacity_html"))]


def _sum_capacity(res: CapacityPlan) -> tuple[dict[str, str], list[str]]:
    return dict(res.figures), list(res.notes)


STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage("forecast", ("cases", "volumes", "planner.toml"), (),
          _run_forecast, _write_forecast, _sum_forecast),
    Stage("requirements", ("planner.toml",), ("forecast",),
          _run_requirements, _write_requirements, _sum_requirements),
    Stage("tiers", ("cases", "agents", "skills", "planner.toml"), (),
          _run_tiers, _write_tiers, _sum_tiers),
    Stage("schedule", ("agents", "skills", "availability", "training", "planner.toml"),
          ("requirements", "tiers"), _run_schedule, _write_schedule, _sum_schedule),
    Stage("simulate", ("agents", "skills", "planner.toml"),
          ("forecast", "schedule", "assignments", "tiers"),
          _run_simulate, _write_simulate, _sum_simulate),
    Stage("report", ("cases", "volumes", "agents", "skills", "planner.toml"),
          ("forecast", "coverage", "assignments", "simulation", "tiers"),
          _run_report, _write_report, _sum_report, data_optional=True),
    Stage("capacity", ("cases", "volumes", "agents", "skills", "training", "hiring", "events",
                       "planner.toml"), (), _run_capacity, _write_capacity, _sum_capacity),
)}


def _summary_entry(ctx: Context, name: str, seconds: float, figures: dict, notes: list) -> dict:
    return {"seconds": round(seconds, 2), "figures": figures, "notes": notes}


def run_stage(name: str, data: str | Path | None, out: str | Path, *, context: Context | None = None,
              **options: Any) -> Any:
    """Run one stage on a data folder into a run folder; write its files and its part of
    summary.json. ``options`` are the stage's own (see each ``_run_<stage>``)."""
    stage = STAGES[name]
    if context is None:
        # A stage on its own is a transaction on the run folder (planner.io.transaction).
        data_dir = Path(data) if data is not None else None if stage.data_optional else default_data_dir()
        if name == "report":
            mixed = check_run(out)
            if mixed:
                raise PlannerError(
                    f"{out} holds files that are not from one run, so the report would combine plans "
                    f"that do not belong together: {'; '.join(mixed[:8])}"
                    f"{f' (and {len(mixed) - 8} more)' if len(mixed) > 8 else ''}. Re-run `planner "
                    "run`, or the stages from the first file named onwards")
        with run_transaction(out, name) as staging:
            return run_stage(name, data, out, context=Context(data_dir, RunFolder(staging)),
                             _standalone=True, **options)
    standalone = bool(options.pop("_standalone", False))
    ctx = context
    t0 = time.perf_counter()
    result = stage.run(ctx, **options)
    stage.write(result, ctx.run)
    seconds = time.perf_counter() - t0
    ctx.results[name] = result
    ctx.timings[name] = seconds
    figures, notes = stage.summary(result)
    ctx.figures.update(figures)
    ctx.notes += [f"{name}: {n}" for n in notes]
    if standalone:
        _update_summary(ctx.run, {name: _summary_entry(ctx, name, seconds, figures, notes)})
    return result


def _update_summary(run: RunFolder, stages: dict[str, dict]) -> None:
    try:
        summary = run.read_json("summary")
    except ValueError:
        summary = {}
    summary.setdefault("stages", {}).update(stages)
    summary["versions"] = versions()
    run.write_json("summary", summary)


def input_hashes(data_dir: Path) -> dict[str, str]:
    """SHA-256 of each file directly in the data folder, so two runs' inputs can be compared."""
    out = {}
    for path in sorted(p for p in data_dir.iterdir() if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        out[path.name] = digest.hexdigest()
    return out


@dataclass
class CycleResult:
    """What one run of the cycle did: timings per stage, the report, and the notes of each stage."""

    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    report: WeeklyReport | None = None
    notes: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)


def run_cycle(data: str | Path | None = None, out: str | Path = "out", *, weeks: int = 1,
              schedule_seconds: float = SCHEDULE_SECONDS, replications: int = REPLICATIONS,
              resolve_top: int = RESOLVE_TOP, resolve_seconds: float = RESOLVE_SECONDS,
              bound: bool = False, overrides: Overrides | None = None, workers: int = WORKERS,
              progress: Say | None = None) -> CycleResult:
    """Run forecast, requirements, tiers, schedule, simulate and the report into ``out``.

    Parameters
    ----------
    data : data folder (default: the bundled sample, see :func:`default_data_dir`).
    out : run folder; created if absent. The previous run there is replaced as a whole when this
        run succeeds, and left as it was when it fails or is killed (planner.io.transaction).
    schedule_seconds : the scheduler's time limit [s].
    replications : simulation replications.
    resolve_top, resolve_seconds : training candidates also measured by a full re-schedule, and the
        time limit of each (0: the fixed-shift re-plan only).
    bound : also compute the scheduler's lower bound (an LP over the whole week; on the sample it
        takes longer than the schedule itself, outside its time limit, so a weekly run skips it).
    overrides : targets that replace planner.toml's for every case type (a what-if); recorded in
        run.json.
    workers : the solvers' threads and the simulation's processes (a site on a shared worker gets
        the cores its worker has; the plan does not depend on it).
    """
    data_dir = Path(data) if data is not None else default_data_dir()
    # A whole run is one transaction: the previous run stays until this one is complete. Only the
    # calendars are carried in (their events' version numbers continue from the last files).
    with run_transaction(out, "run", fresh=True, keep=("agents/",)) as staging:
        res = _run_cycle(data_dir, RunFolder(staging), weeks=weeks, schedule_seconds=schedule_seconds,
                         replications=replications, resolve_top=resolve_top,
                         resolve_seconds=resolve_seconds, bound=bound, overrides=overrides,
                         workers=workers, progress=progress)
    res.out = Path(out)
    return res


def _run_cycle(data_dir: Path, run: RunFolder, *, weeks: int, schedule_seconds: float,
               replications: int, resolve_top: int, resolve_seconds: float, bound: bool,
               overrides: Overrides | None, workers: int, progress: Say | None) -> CycleResult:
    say = progress or (lambda _m: None)
    ctx = Context(data_dir, run, say)
    res = CycleResult(run.path)
    t_all = time.perf_counter()
    stage_summaries: dict[str, dict] = {}

    def step(name: str, **options: Any) -> Any:
        say(f"{name}: started")
        t0 = time.perf_counter()
        result = run_stage(name, None, None, context=ctx, **options)
        seconds = time.perf_counter() - t0
        res.timings[name] = seconds
        figures, notes = STAGES[name].summary(result)
        stage_summaries[name] = _summary_entry(ctx, name, seconds, figures, notes)
        say(f"{name}: done in {seconds:.1f} s")
        return result

    say("read data: started")
    t0 = time.perf_counter()
    folder = ctx.data
    res.timings["read data"] = time.perf_counter() - t0
    say(f"read data: done in {res.timings['read data']:.1f} s")

    step("forecast", weeks=weeks,
         progress=lambda ct, done, total: say(f"forecast: backtest {ct} ({done}/{total})"))
    step("requirements", overrides=overrides)
    if folder.cases is not None and folder.agents is not None:
        try:
            step("tiers", last_week=True)
        except PlannerError as err:
            # A history without served cases per agent: schedule without tiers (all medium).
            ctx.notes.append(f"tiers skipped: {err}")
    else:
        ctx.notes.append("tiers skipped: they need cases.csv with agent_id and agents.csv")

    if folder.agents is None or folder.skills is None:
        ctx.notes.append("schedule and simulation skipped: the data folder has no agents.csv/skills.csv")
    else:
        plan = step("schedule", time_limit=schedule_seconds, bound=bound, workers=workers,
                    progress=lambda stage, sec, obj: say(f"schedule: {stage}, {sec:.0f} s, "
                                                         f"objective {obj:,.4g}"))
        if plan.gap is None and not bound:
            ctx.notes.append("schedule: lower bound not computed (planner run --bound, or planner "
                             "schedule --bound, computes it)")
        step("simulate", replications=replications, workers=min(workers, replications),
             progress=lambda d, t: say(f"simulate: replication {d}/{t}"))

    manifest = {"data": str(data_dir.resolve()), "weeks": weeks, "seed": folder.config.seed,
                "schedule_seconds": schedule_seconds, "replications": replications,
                "bound": bound, "resolve_top": resolve_top,
                "timings_seconds": {k: round(v, 2) for k, v in res.timings.items()},
                "timezone": folder.config.center.timezone, "versions": versions(),
                "overrides": {k: v for k, v in dataclasses.asdict(overrides).items() if v is not None}
                if overrides is not None else {},
                "inputs_sha256": input_hashes(data_dir)}
    manifest = {**run.read_json("run"), **manifest}  # keeps the transaction's run id
    run.write_json("run", manifest)
    res.report = step("report", resolve_top=resolve_top, resolve_seconds=resolve_seconds,
                      progress=lambda m: say(f"report: {m}"))
    res.timings["total"] = time.perf_counter() - t_all
    manifest["timings_seconds"] = {k: round(v, 2) for k, v in res.timings.items()}
    run.write_json("run", manifest)
    res.notes = list(ctx.notes)
    res.figures = dict(ctx.figures)
    res.summary = {"stages": stage_summaries, "figures": res.figures, "notes": res.notes,
                   "versions": versions(), "seconds": round(res.timings["total"], 2)}
    run.write_json("summary", res.summary)
    return res


__all__ = ["MODELS", "POLICIES", "REPLICATIONS", "RESOLVE_SECONDS", "RESOLVE_TOP", "RUN_GOAL_SECONDS",
           "SCHEDULE_SECONDS", "STAGES", "Context", "CycleResult", "Stage", "TiersOutput",
           "default_data_dir", "run_cycle", "run_stage", "scheduler"]
