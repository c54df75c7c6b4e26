"""The command line: a thin typer app over :mod:`planner.pipeline`. Each command parses options,
runs one stage (or the cycle), shows progress and prints a rich summary (or, with ``--json``, the
stage's part of summary.json). Only PlannerError is caught (no traceback for a user's mistake);
anything else is a bug and shows its traceback.

Conventions: every option with a unit says it in its name (``--schedule-seconds``) and in its help
(``[s]``); text that is not ours (file names, ids, notes) is escaped before rich prints it; a bad
value of a choice exits 2, like any other bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner.errors import ContractError, PlannerError
from planner.versions import planner_version

# Defaults shared with planner.pipeline; repeated here so that `planner --help` does not import the
# stages (a test checks they agree).
SCHEDULE_SECONDS = 40.0
REPLICATIONS = 5
RESOLVE_SECONDS = 8.0

CYCLE = "Weekly cycle (in order)"
DATA = "Data folders"
CHECKS = "Checks and comparisons"
LONG_TERM = "Long-term planning"

app = typer.Typer(
    name="planner",
    help="Offline workforce planner: forecast, requirements, tiers, schedule, simulate, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)
import_app = typer.Typer(help="Convert a real call log or export into a data folder.",
                         no_args_is_help=True)
bench_app = typer.Typer(help="Hold the engines against public benchmarks.", no_args_is_help=True)

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable)

# Exit codes: 2 = the user's input is wrong (as for usage errors); 3 = a stage cannot run.
EXIT_BAD_INPUT = 2
EXIT_CANNOT_RUN = 3
# The operating system refused: a folder not writable, a full disk, --out naming a file.
EXIT_OS_ERROR = 4


def u(text: str) -> str:
    """Help text with its units: rich would read ``[s]`` as markup and drop it."""
    return escape(text)


class Model(StrEnum):
    erlang_c = "erlang_c"
    erlang_a = "erlang_a"


class Policy(StrEnum):
    tier_aware = "tier-aware"
    longest_idle = "longest-idle"


class SplitBy(StrEnum):
    site = "site"


def _scenario(value: str) -> str:
    if value in ("low", "high"):
        return value
    try:
        if float(value) > 0:
            return value
    except ValueError:
        pass
    raise typer.BadParameter(f"{value!r}: expected a volume multiplier such as 1.1, or low or high")


def _version(value: bool) -> None:
    if value:
        console.print(f"planner {planner_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the planner's version and exit")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="Print errors only (and --json output)")] = False,
) -> None:
    """Offline workforce planner: forecast, requirements, tiers, schedule, simulate, report."""
    console.quiet = quiet


def print_problems(err: ContractError) -> None:
    # Piped or captured output gets a wide table so file names and values are not folded.
    out = err_console if err_console.is_terminal else Console(stderr=True, width=220)
    table = Table(title=f"{len(err.problems)} problem(s)", show_lines=False, expand=False)
    for col in ("file", "row", "column", "value", "expected"):
        table.add_column(col, overflow="fold")
    for p in err.problems:
        table.add_row(escape(p.file), "" if p.row is None else str(p.row), escape(p.column or ""),
                      "" if p.value is None else escape(p.value), escape(p.expected))
    out.print(table)


def os_error_line(err: OSError) -> str:
    """One line for an operating-system error: what was refused, on which path, and why."""
    what = err.strerror or str(err)
    paths = [p for p in (err.filename, getattr(err, "filename2", None)) if p]
    where = f" ({' -> '.join(str(p) for p in paths)})" if paths else ""
    return f"cannot read or write a file: {what}{where}"


def _print_notes(err: BaseException) -> None:
    for line in getattr(err, "__notes__", []):
        err_console.print(escape(line))


def handle_errors(func: F) -> F:
    """Turn the project's own errors into a message and an exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ContractError as err:
            print_problems(err)
            _print_notes(err)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except PlannerError as err:
            err_console.print(f"[bold red]error:[/] {escape(str(err))}")
            for c in getattr(err, "conflicts", []):
                err_console.print(f"  - {escape(str(c))}")
            _print_notes(err)
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        except OSError as err:
            err_console.print(f"[bold red]error:[/] {escape(os_error_line(err))}")
            _print_notes(err)
            raise typer.Exit(EXIT_OS_ERROR) from None

    return wrapper  # type: ignore[return-value]


def note(text: str, label: str = "note") -> None:
    console.print(f"[yellow]{label}:[/] {escape(str(text))}")


def say(text: str) -> None:
    console.print(escape(str(text)))


def print_json(out: Path, stage: str | None) -> None:
    """The stage's entry of RUN/summary.json (or the whole file) on stdout."""
    from planner.io.runfolder import RunFolder

    summary = RunFolder(out).read_json("summary")
    body = summary.get("stages", {}).get(stage, {}) if stage else summary
    if stage:
        body = {"stage": stage, **body, "versions": summary.get("versions", {})}
    sys.stdout.write(json.dumps(body, indent=2) + "\n")


DataOpt = Annotated[Path, typer.Option("--data", "-d", help="Data folder (cases.csv, agents.csv, ...)")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Run folder for this stage's files")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the stage's summary as JSON instead")]
ScheduleSecondsOpt = Annotated[float, typer.Option(
    "--schedule-seconds", min=1, help=u("Scheduler time limit [s] (the lower bound is extra)"))]
BoundOpt = Annotated[bool, typer.Option(
    "--bound/--no-bound", help="Compute the scheduler's LP lower bound and the gap (slow on large centers)")]
ReplicationsOpt = Annotated[int, typer.Option("--replications", min=1, max=1000,
                                              help="Seeded simulation replications")]
ResolveTopOpt = Annotated[int, typer.Option(
    "--resolve-top", min=0, help="Training candidates also measured by a full re-schedule")]
ResolveSecondsOpt = Annotated[float, typer.Option(
    "--resolve-seconds", min=1, help=u("Time limit of each re-schedule [s]"))]


# --- data folders ---------------------------------------------------------------------------------

@app.command(rich_help_panel=DATA)
@handle_errors
def sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Data folder to create (must not exist)")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical files")] = 0,
    history_weeks: Annotated[int, typer.Option("--history-weeks", min=1, max=104,
                                               help=u("History to generate [weeks]"))] = 26,
    agents: Annotated[int, typer.Option(min=5, max=2000, help="Head count")] = 80,
    truth: Annotated[Path | None, typer.Option(
        help="Ground-truth folder (default: beside --out, named <out>_truth)")] = None,
    disturbances: Annotated[bool, typer.Option(
        help="Plant a surge, an outage, a campaign, a level shift and missing days "
             "(listed in the truth's model.json)")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out folder")] = False,
) -> None:
    """Generate a realistic sample center (history, agents, skills, config) and its ground truth."""
    from planner.sample import default_truth_dir, generate_sample, write_sample

    if out.exists() and any(out.iterdir()) and not force:
        err_console.print(f"[bold red]error:[/] {escape(str(out))} exists and is not empty; "
                          "choose another --out or add --force to overwrite it")
        raise typer.Exit(EXIT_BAD_INPUT)
    with console.status(f"generating {history_weeks} weeks, {agents} agents (seed {seed})"):
        center = generate_sample(seed=seed, weeks=history_weeks, agents=agents,
                                 disturbances=disturbances)
        if force and out.exists():
            from planner.io import CONTRACTS

            # An input file left from before (cases.csv beside the new cases.csv.gz) would be
            # read instead of the sample's.
            for name in CONTRACTS:
                for stale in (out / name, out / f"{name}.gz"):
                    stale.unlink(missing_ok=True)
        write_sample(center, out, truth)
    cases = center.cases
    table = Table(title=escape(f"sample center written to {out}"))
    for col in ("case type", "channel", "cases", "abandoned", "surveys (of answered)"):
        table.add_column(col, justify="left" if col in ("case type", "channel") else "right")
    for name, g in cases.groupby("case_type", sort=False):
        answered = g[g["abandoned"] == 0]
        table.add_row(escape(str(name)), escape(str(g["channel"].iloc[0])), f"{len(g):,}",
                      f"{g['abandoned'].mean():.1%}", f"{(answered['csat'] != '').mean():.1%}")
    console.print(table)
    per_agent = center.skills.groupby("agent_id").size()
    say(f"{len(cases):,} cases, {len(center.agents)} agents, {per_agent.mean():.1f} skills per agent; "
        f"truth in {truth if truth is not None else default_truth_dir(out)}")


@app.command(rich_help_panel=DATA)
@handle_errors
def validate(data: DataOpt = Path("data")) -> None:
    """Check every file of a data folder; print all problems. Exit 0 when clean, 2 when not."""
    from planner.io import load_folder

    folder = load_folder(data)
    table = Table(title=escape(f"{data}: valid"))
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name in ("cases", "volumes", "agents", "skills", "availability", "training"):
        frame = getattr(folder, name)
        if frame is not None:
            table.add_row(name, f"{len(frame):,}")
    console.print(table)
    say(f"case types: {', '.join(folder.case_types)}")
    for line in folder.notes:
        note(line)
    if folder.agents is None:
        console.print("[yellow]no agents.csv/skills.csv: forecast and requirements can run; "
                      "tiers, schedule and simulate need them[/]")


app.add_typer(import_app, name="import", rich_help_panel=DATA)
config_app = typer.Typer(help="The planner.toml configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config", rich_help_panel=DATA)


@config_app.command("schema")
def config_schema() -> None:
    """Every planner.toml key with its type, default and meaning, as a Markdown table."""
    from planner.io.config_reference import reference_markdown

    sys.stdout.write(reference_markdown())


@import_app.command("anonbank")
@handle_errors
def import_anonbank_cmd(
    files: Annotated[list[Path], typer.Argument(
        help="The Anonymous Bank log(s): one month (february.txt, or .gz) or several, joined")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Data folder to write")],
) -> None:
    """Convert the Anonymous Bank call log into cases.csv, agents.csv, skills.csv and planner.toml."""
    from planner.importers import import_anonbank

    with console.status(escape(f"converting {', '.join(f.name for f in files)}")):
        result = import_anonbank(files, out)
    cases = result.cases
    table = Table(title=escape(f"{' + '.join(f.name for f in files)} -> {out}"))
    for col in ("case type", "calls", "abandoned", "agents serving"):
        table.add_column(col, justify="left" if col == "case type" else "right")
    for name, g in cases.groupby("case_type"):
        table.add_row(escape(str(name)), f"{len(g):,}", f"{g['abandoned'].mean():.1%}",
                      str(g.loc[g["agent_id"] != "", "agent_id"].nunique()))
    console.print(table)
    say(f"{len(cases):,} calls, {len(result.agents)} agents, {len(result.skills)} skills; "
        f"dropped {result.dropped_phantom} PHANTOM calls; {result.served_without_agent} "
        f"served without a named agent; {result.zero_handle} with zero service time")


# --- the weekly cycle -----------------------------------------------------------------------------

@app.command(rich_help_panel=CYCLE)
@handle_errors
def forecast(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    horizon_weeks: Annotated[int, typer.Option("--horizon-weeks", "-w", min=1, max=6,
                                               help=u("Forecast horizon [weeks]"))] = 1,
    start: Annotated[str | None, typer.Option(
        "--start", help="First forecast day YYYY-MM-DD (default: the day after the history)")] = None,
    interval_minutes: Annotated[int | None, typer.Option(
        "--interval-minutes", help=u("Interval length [min]: 15, 30 or 60 (default: the config's)"))] = None,
    as_json: JsonOpt = False,
    queues_per_job: Annotated[int | None, typer.Option(
        "--queues-per-job", min=1, help="Many queues: forecast this many case types per job, in "
                                        "parallel on Dask (in this process without it)")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="With --queues-per-job: an existing Dask scheduler's address")] = None,
) -> None:
    """Volume and handle time per case type and interval (-> OUT/forecast.csv, OUT/backtest.csv,
    OUT/anomalies.csv)."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from datetime import date

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from planner.pipeline import run_stage

    try:
        first = date.fromisoformat(start) if start else None
    except ValueError:
        raise typer.BadParameter(f"{start!r}: expected a date such as 2026-11-23",
                                 param_hint="--start") from None
    if interval_minutes not in (None, 15, 30, 60):
        raise typer.BadParameter(f"{interval_minutes}: expected 15, 30 or 60",
                                 param_hint="--interval-minutes")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("reading history", total=None)

        def step(case_type: str, done: int, total: int) -> None:
            bar.update(task, description=escape(f"backtest {case_type}"), completed=done, total=total)

        parallel = {}
        if queues_per_job is not None or scheduler is not None:
            from planner.sites import make_engine

            parallel = {"engine": make_engine(scheduler), "queues_per_job": queues_per_job or 50}
        result = run_stage("forecast", data, out, weeks=horizon_weeks, start=first,
                           interval_minutes=interval_minutes, progress=step, **parallel)
    if as_json:
        return print_json(out, "forecast")
    fc, bt = result.forecast, result.backtest
    table = Table(title=f"backtest (rolling origin, {int(bt['origins'].max() or 0)} weekly origins)")
    for col in ("case type", "chosen model", "MASE", "vs baseline", "WAPE", "bias", "coverage"):
        left = col in ("case type", "chosen model")
        table.add_column(col, justify="left" if left else "right", no_wrap=left)
    for _, r in bt[bt["chosen"]].iterrows():
        table.add_row(escape(str(r["case_type"])), escape(str(r["model"])), f"{r['mase']:.3f}",
                      f"{r['mase_vs_baseline']:.3f}", f"{r['wape']:.1%}", f"{r['bias']:+.1%}",
                      f"{r['coverage']:.1%}")
    console.print(table)
    say("MASE: period one week; vs baseline: MASE / best seasonal window average; "
        "coverage: 80% intervals, each origin calibrated on the others")
    days = fc["interval_start"].dt.normalize()
    say(f"wrote {out}/forecast.csv ({len(fc):,} rows, {days.min():%Y-%m-%d} to "
        f"{days.max():%Y-%m-%d}, {fc['volume'].sum():,.0f} cases), {out}/backtest.csv and "
        f"{out}/anomalies.csv ({len(result.anomalies)} history anomalies)")
    for n in result.notes:
        note(n)


@app.command(rich_help_panel=CYCLE)
@handle_errors
def requirements(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    service_level: Annotated[float | None, typer.Option(
        "--service-level", min=0, max=1,
        help="Share answered within --answer-seconds (0-1), every case type")] = None,
    answer_seconds: Annotated[float | None, typer.Option(
        "--answer-seconds", min=0, help=u("Answer-time target [s], every case type"))] = None,
    max_occupancy: Annotated[float | None, typer.Option(
        "--max-occupancy", min=0, max=1, help="Largest occupancy (0-1), every case type")] = None,
    shrinkage: Annotated[float | None, typer.Option(
        "--shrinkage", min=0, max=1,
        help="Share of paid time off the queue (0-1), every case type")] = None,
    patience_seconds: Annotated[float | None, typer.Option(
        "--patience-seconds", min=0,
        help=u("Mean patience [s] for Erlang A (implies --model erlang_a)"))] = None,
    model: Annotated[Model | None, typer.Option(
        "--model", help="Queueing model (default: the config's staffing.model)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Agents needed per case type and interval (OUT/forecast.csv -> OUT/requirements.csv)."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from planner.io.runfolder import RunFolder
    from planner.pipeline import run_stage
    from planner.staffing import Overrides, summarise

    name = model.value if model is not None else ("erlang_a" if patience_seconds is not None else None)
    overrides = Overrides(service_level=service_level, answer_seconds=answer_seconds,
                          max_occupancy=max_occupancy, shrinkage=shrinkage,
                          patience_seconds=patience_seconds, model=name)  # type: ignore[arg-type]
    run = RunFolder(out)
    with console.status(escape(f"computing requirements from {run.file('forecast')}")):
        req = run_stage("requirements", data, out, overrides=overrides)
    if as_json:
        return print_json(out, "requirements")
    s = summarise(req)
    table = Table(title=escape(f"requirements written to {run.file('requirements')} ({len(req):,} rows)"))
    table.add_column("case type", no_wrap=True)
    table.add_column("model", no_wrap=True)
    for col in ("net\npeak", "net\nmean", "gross\npeak", "gross\nmean", "gross\nhours"):
        table.add_column(col, justify="right")
    for name_, r in s.iterrows():
        table.add_row(escape(str(name_)), r["model"], str(r["peak_net"]), f"{r['mean_net']:.1f}",
                      str(r["peak_gross"]), f"{r['mean_gross']:.1f}", f"{r['gross_hours']:,.0f}")
    console.print(table)
    say("mean over intervals with work; gross = ceil(net / (1 - shrinkage))")


@app.command(rich_help_panel=CYCLE)
@handle_errors
def tiers(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="Previous tiers.csv for hysteresis (default: OUT/tiers.csv if present)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Tier agents high/medium/low from case-mix adjusted KPIs and CSAT, with reasons."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from planner.domain import INSUFFICIENT, TIERS_BEST_FIRST
    from planner.pipeline import run_stage

    with console.status(escape(f"computing tiers from {data}")):
        result = run_stage("tiers", data, out, previous=previous).current
    if as_json:
        return print_json(out, "tiers")
    t = result.tiers
    table = Table(title=escape(f"tiers written to {out}/tiers.csv "
                               f"({result.window.start:%Y-%m-%d} to {result.window.end:%Y-%m-%d})"))
    for col in ("tier", "agents", "cases", "mean score"):
        table.add_column(col, justify="left" if col == "tier" else "right")
    for name in (*TIERS_BEST_FIRST, INSUFFICIENT):
        g = t[t["tier"] == name]
        if len(g):
            table.add_row(name, str(len(g)), f"{int(g['cases'].sum()):,}",
                          f"{g['score'].mean():+.2f}" if g["score"].notna().any() else "")
    console.print(table)
    say("KPIs used: " + ", ".join(f"{k} ({w:.0%})" for k, w in result.weights.items()))
    kept = t["reason"].str.contains("kept .* from the previous run", regex=True).sum()
    if "previous_tier" in t and (t["previous_tier"] != "").any():
        moved = ((t["previous_tier"] != "") & (t["previous_tier"] != t["tier"])).sum()
        say(f"vs previous tiers: {moved} moved, {kept} kept by hysteresis")
    dis = (result.skill_levels["disagreement"] != "").sum()
    say(f"skill_levels.csv: {dis} declared levels disagree with outcomes by 2+ levels; "
        f"{len(result.cross_skilling)} cross-skilling pairs, {len(result.upskilling)} "
        "upskilling candidates")


@app.command(rich_help_panel=CYCLE)
@handle_errors
def schedule(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    schedule_seconds: ScheduleSecondsOpt = SCHEDULE_SECONDS,
    seed: Annotated[int | None, typer.Option("--seed", help="Solver seed (default: the config's)")] = None,
    bound: BoundOpt = False,
    deterministic: Annotated[bool, typer.Option(
        "--deterministic", help="Stop every stage on its own work budget, never on the clock: "
        "the same plan for a seed on any machine (the time limit is then not enforced)")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Named agents into shifts and case types (OUT/requirements.csv, OUT/tiers.csv if present ->
    OUT/schedule.csv, assignments.csv, coverage.csv)."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    import time

    from planner.pipeline import run_stage

    start = time.perf_counter()
    with console.status("scheduling") as status:
        best: dict[str, float] = {}

        def progress(stage: str, seconds: float, objective: float) -> None:
            key = "greedy" if stage in ("greedy", "improve") else stage
            if stage.startswith("day"):
                status.update(escape(f"[{time.perf_counter() - start:5.0f} s] breaks and activities, {stage}"))
                return
            if key not in best or objective < best[key]:
                best[key] = objective
                say(f"[{time.perf_counter() - start:5.1f} s] {stage}: best objective {objective:,.0f}")
            status.update(escape(f"[{time.perf_counter() - start:5.0f} s] {stage}"))

        result = run_stage("schedule", data, out, time_limit=schedule_seconds, seed=seed,
                           progress=progress, bound=bound, deterministic=deterministic)
    if as_json:
        return print_json(out, "schedule")
    table = Table(title=escape(f"schedule written to {out} ({len(result.schedule):,} shifts)"))
    for col in ("case type", "required [h]", "scheduled [h]", "shortfall [h]", "overstaffing [h]"):
        table.add_column(escape(col), justify="left" if col == "case type" else "right")
    for row in result.summary.itertuples(index=False):
        table.add_row(escape(str(row.case_type)), f"{row.required_hours:,.1f}",
                      f"{row.scheduled_hours:,.1f}", f"{row.shortfall_hours:,.1f}",
                      f"{row.overstaffing_hours:,.1f}")
    console.print(table)
    gap = "n/a" if result.gap is None else f"{result.gap:.1%}"
    bnd = "not computed (--bound computes it)" if result.bound is None else f"{result.bound:,.0f}"
    say(f"objective {result.objective:,.0f} (weighted shortfall + overstaffing), "
        f"lower bound {bnd}, gap {gap}; solved in {result.solve_seconds:.1f} s ({result.status})")
    for c in result.conflicts:
        note(c, "conflict")
    for n in result.notes:
        note(n)


@app.command(rich_help_panel=CYCLE)
@handle_errors
def simulate(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    policy: Annotated[list[Policy] | None, typer.Option(
        "--policy", help="Routing policy; repeat to compare (default: tier-aware)")] = None,
    replications: ReplicationsOpt = REPLICATIONS,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the config's)")] = None,
    no_abandonment: Annotated[bool, typer.Option(
        "--no-abandonment", help="Infinite patience (to compare with Erlang C)")] = False,
    exponential: Annotated[bool, typer.Option(
        "--exponential", help="Exponential handle times, no level effect (M/M/n)")] = False,
    scenario: Annotated[str, typer.Option(
        callback=_scenario,
        help="Forecast-error scenario: a volume multiplier (1.1), low or high (prediction bounds)")] = "1",
    overflow_after_seconds: Annotated[float | None, typer.Option(
        "--overflow-after-seconds", min=0, help=u("tier-aware: wait [s] before secondary skills help "
                                                  "(default: half the type's answer time, at most 60)"))] = None,
    relax_after_seconds: Annotated[float | None, typer.Option(
        "--relax-after-seconds", min=0, help=u("Wait [s] after which lower levels/tiers may take a case"))] = None,
    workers: Annotated[int, typer.Option(min=1, max=8, help="Processes for replications")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Simulate the planned week (OUT/forecast.csv, schedule/assignments) under routing policies."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from planner.pipeline import run_stage

    policies = [p.value for p in policy] if policy else ["tier-aware"]
    scen: float | str = scenario if scenario in ("low", "high") else float(scenario)
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(f"simulating {', '.join(policies)}", total=None)
        result = run_stage(
            "simulate", data, out, policies=policies, replications=replications, seed=seed,
            abandonment=not no_abandonment, exponential=exponential, scenario=scen,
            overflow_after_s=overflow_after_seconds, relax_after_s=relax_after_seconds,
            workers=workers, progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        return print_json(out, "simulate")
    s = result.summary
    table = Table(title=f"simulated week, {replications} replications (mean ± 95% CI)")
    for col in ("case type", "policy", "service level", "ASA [s]", "abandoned", "hand-offs"):
        table.add_column(escape(col), justify="left" if col in ("case type", "policy") else "right")
    for ct, g in s.groupby("case_type", sort=False):
        for k, r in enumerate(g.itertuples(index=False)):
            half = (r.service_level_high - r.service_level_low) / 2
            table.add_row(escape(str(ct)) if k == 0 else "", escape(str(r.policy)),
                          f"{r.service_level:.1%}" + (f" ±{half:.1%}" if half == half else ""),
                          f"{r.asa_seconds:,.0f}", f"{r.abandon_rate:.1%}", f"{r.handoffs:.0f}",
                          end_section=k == len(g) - 1)
    console.print(table)
    for name in dict.fromkeys(s["policy"]):
        r = s[(s["policy"] == name) & (s["case_type"] == "all")].iloc[0]
        say(f"{name}: occupancy {r['occupancy']:.1%}, high-tier time on transactional "
            f"work {r['high_tier_on_transactional']:.1%}")
    say(f"{result.events:,} events in {result.seconds:.1f} s ({result.events_per_second:,.0f} "
        f"events/s); wrote {out}/simulation.csv and {out}/simulation_summary.csv")
    for n in result.notes:
        note(n)


def _print_report_summary(rep, out: Path) -> None:
    """Key figures and what to do, as the report's first section says them."""
    table = Table(title=escape(f"weekly plan: {out}/report.html"), show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in rep.figures.items():
        table.add_row(escape(k), escape(v))
    console.print(table)
    for i, line in enumerate(rep.headlines, 1):
        say(f"{i}. {line}")
    for n in rep.notes:
        note(n)


@app.command(rich_help_panel=CYCLE)
@handle_errors
def report(
    out: OutOpt = Path("out"),
    data: Annotated[Path | None, typer.Option(
        "--data", "-d", help="Data folder (default: the one the run's run.json names)")] = None,
    resolve_top: ResolveTopOpt = 0,
    resolve_seconds: ResolveSecondsOpt = RESOLVE_SECONDS,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild report.html, report.md and the per-agent exports from a run folder."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from planner.pipeline import run_stage

    if data is None and resolve_top:
        from planner.io.runfolder import RunFolder

        named = RunFolder(out).read_json("run").get("data")
        data = Path(named) if named else None
    with console.status(escape(f"building the report of {out}")) as status:
        rep = run_stage("report", data, out, resolve_top=resolve_top, resolve_seconds=resolve_seconds,
                        progress=lambda m: status.update(escape(m)))
    if as_json:
        return print_json(out, "report")
    _print_report_summary(rep, out)
    say(f"wrote {out}/report.html, {out}/report.md, {out}/agent_schedules.csv, {out}/agents/")


@app.command("run", rich_help_panel=CYCLE)
@handle_errors
def run_cmd(
    data: Annotated[Path | None, typer.Option(
        "--data", "-d", help="Data folder (default: the bundled sample data/)")] = None,
    out: OutOpt = Path("out"),
    schedule_seconds: ScheduleSecondsOpt = SCHEDULE_SECONDS,
    replications: ReplicationsOpt = REPLICATIONS,
    resolve_top: ResolveTopOpt = 0,
    resolve_seconds: ResolveSecondsOpt = RESOLVE_SECONDS,
    bound: BoundOpt = False,
    service_level: Annotated[float | None, typer.Option(
        "--service-level", min=0, max=1,
        help="What-if: share answered within the answer time (0-1), every case type")] = None,
    answer_seconds: Annotated[float | None, typer.Option(
        "--answer-seconds", min=0, help=u("What-if: answer-time target [s], every case type"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json instead")] = False,
    sites: Annotated[Path | None, typer.Option(
        "--sites", help="Plan many sites: a folder whose subfolders are the sites' data folders "
                        "(-> OUT/<site>/ and a roll-up in OUT)")] = None,
    split_by: Annotated[SplitBy | None, typer.Option(
        "--split-by", help="Plan each site of --data's agents.csv (its site column) on its own")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Many sites: the address of an existing Dask scheduler "
                            "(default: a LocalCluster on this machine's cores)")] = None,
    site_workers: Annotated[int | None, typer.Option(
        "--site-workers", min=1, help="Many sites: LocalCluster worker processes (default: the cores)")] = None,
    in_process: Annotated[bool, typer.Option(
        "--in-process", help="Many sites: one after another in this process, even with Dask installed")] = False,
) -> None:
    """The whole weekly cycle: forecast, requirements, tiers, schedule, simulate, report.
    Name the run by its folder (--out out/peak-plus-10) to keep what-ifs side by side."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    import time

    from planner.pipeline import run_cycle
    from planner.staffing import Overrides

    overrides = None
    if service_level is not None or answer_seconds is not None:
        overrides = Overrides(service_level=service_level, answer_seconds=answer_seconds)
    if sites is not None or split_by is not None:
        if sites is not None and (data is not None or split_by is not None):
            raise typer.BadParameter("give --sites DIR, or --data DIR with --split-by site, not both",
                                     param_hint="--sites")
        if split_by is not None and data is None:
            raise typer.BadParameter("--split-by site splits the folder given by --data", param_hint="--data")
        from planner.sites import SiteOptions

        options = SiteOptions(schedule_seconds=schedule_seconds, replications=replications,
                              resolve_top=resolve_top, resolve_seconds=resolve_seconds, bound=bound,
                              overrides=overrides)
        return _run_sites(out, sites, data, options, scheduler, site_workers, in_process, as_json)
    if scheduler is not None or site_workers is not None or in_process:
        raise typer.BadParameter("--scheduler, --site-workers and --in-process are for many sites "
                                 "(--sites DIR or --split-by site)", param_hint="--scheduler")
    start = time.perf_counter()
    with console.status("starting the weekly cycle") as status:
        def progress(message: str) -> None:
            status.update(escape(f"[{time.perf_counter() - start:5.0f} s] {message}"))
            if ": done in" in message:
                console.print(f"[green]✓[/] {escape(message)}")

        result = run_cycle(data, out, schedule_seconds=schedule_seconds, replications=replications,
                           resolve_top=resolve_top, resolve_seconds=resolve_seconds, bound=bound,
                           overrides=overrides, progress=progress)
    if as_json:
        return print_json(out, None)
    table = Table(title="stages")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for k, v in result.timings.items():
        table.add_row(k, f"{v:.1f}")
    console.print(table)
    if result.report is not None:
        _print_report_summary(result.report, out)
    for n in result.notes:
        note(n)
    files = sorted(p.name for p in out.iterdir() if p.is_file())
    say(f"wrote {len(files)} files into {out}: {', '.join(files)} (and agents/)")


@app.command(rich_help_panel=CYCLE)
@handle_errors
def intraday(
    data: DataOpt = Path("data"),
    run: Annotated[Path, typer.Option("--run", "-r", help="Run folder holding the published plan")] = Path("out"),
    now: Annotated[str, typer.Option("--now", help="Local date and time of the re-plan, e.g. 2026-11-24T11:00")] = "",
    actuals: Annotated[Path | None, typer.Option(
        "--actuals", help="Today's arrivals so far: cases (created_at, case_type) or counts "
                          "(case_type, interval_start, volume); default: today's rows of cases.csv")] = None,
    absent: Annotated[str, typer.Option(
        "--absent", help="Agents absent today, comma-separated (besides DATA/absences.csv)")] = "",
    replications: ReplicationsOpt = REPLICATIONS,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Solver and simulation seed (default: the config's)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-forecast the rest of the day from its actuals and re-plan it on the published shifts
    (RUN/forecast.csv, requirements.csv, schedule.csv, assignments.csv -> RUN/intraday-<time>/:
    updated forecast and requirements, re-planned assignments, offers, intraday.html/.md)."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from planner.errors import ContractError, Problem
    from planner.intraday import intraday as run_intraday
    from planner.intraday import write_intraday
    from planner.intraday.run import summary

    if not now:
        raise ContractError([Problem("--now", None, None, "", "a local date and time such as "
                                     "2026-11-24T11:00")])
    ids = tuple(a.strip() for a in absent.split(",") if a.strip())
    with console.status(escape(f"re-planning the rest of the day at {now}")):
        res = run_intraday(data, run, now, actuals=actuals, absent=ids, replications=replications,
                           seed=seed)
        folder = write_intraday(res, run)
    if as_json:
        sys.stdout.write(json.dumps({"folder": str(folder), **summary(res)}, indent=2, default=str) + "\n")
        return
    table = Table(title=escape(f"rest of the day from {res.start:%H:%M}"))
    for col in ("case type", "arrived", "forecast so far", "level"):
        table.add_column(escape(col), justify="left" if col == "case type" else "right")
    for lv in res.levels:
        table.add_row(escape(lv.case_type), f"{lv.observed:,.0f}", f"{lv.expected:,.1f}",
                      f"{lv.factor:.0%}")
    console.print(table)
    gain = res.service_level("re-plan - kept")
    say(f"requirement of the rest of the day {res.required_change_hours:+.1f} agent-hours; "
        f"simulated service level {res.service_level('kept'):.1%} with the published plan, "
        f"{res.service_level('re-plan'):.1%} re-planned ({100 * gain:+.1f} points, "
        f"{100 * res.service_level('re-plan - kept', 'service_level_low'):+.1f} to "
        f"{100 * res.service_level('re-plan - kept', 'service_level_high'):+.1f})")
    if res.simulation["plan"].eq("re-plan + overtime").any():
        say(f"with every overtime offer taken: {res.service_level('re-plan + overtime'):.1%} "
            f"({100 * res.service_level('re-plan + overtime - kept'):+.1f} points)")
    counts = res.offers["kind"].value_counts()
    say("offers: " + (", ".join(f"{n} {k}" for k, n in counts.items()) or "none"))
    for n in res.notes:
        note(n)
    say(f"wrote {folder} in {res.seconds:.1f} s")


def _run_sites(out: Path, sites: Path | None, data: Path | None, options, scheduler: str | None,
               workers: int | None, in_process: bool, as_json: bool) -> None:
    """`planner run --sites DIR` / `--split-by site`: one bar for the sites, a line per running site
    with its stage; the roll-up's table at the end; a failed site named and in the exit status."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from planner.sites import plan_sites

    counts = {"done": 0, "failed": 0}
    queued: set[str] = set()
    finished: set[str] = set()
    running: dict[str, object] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        total = bar.add_task("sites: starting", total=None)

        def on_event(site: str, kind: str, text: str) -> None:
            if kind == "queued":
                queued.add(site)
            elif kind == "started" and site not in running and site not in finished:
                running[site] = bar.add_task(escape(f"  {site}: started"), total=None)
            elif kind == "stage" and site in running:
                bar.update(running[site], description=escape(f"  {site}: {text}"))
            elif kind in ("done", "failed", "lost"):
                if site in running:
                    bar.remove_task(running.pop(site))
                finished.add(site)  # a worker's late "started" or stage message is then ignored
                ok = kind == "done"
                counts["done" if ok else "failed"] += 1
                console.print(f"[green]✓[/] {escape(site)}" if ok else
                              f"[red]✗[/] {escape(site)}: {escape(text)}")
            elif kind == "retry":
                if site in running:
                    bar.remove_task(running.pop(site))
                note(f"{site}: {text}")
            bar.update(total, total=len(queued), completed=counts["done"] + counts["failed"],
                       description=f"sites: {counts['done']} done, {len(running)} running, "
                                   f"{counts['failed']} failed")

        result = plan_sites(out, sites_dir=sites, data=data if sites is None else None, options=options,
                            scheduler=scheduler, workers=workers, sequential=in_process,
                            on_event=on_event)
    if as_json:
        sys.stdout.write((out / "sites.json").read_text(encoding="utf-8"))
    else:
        table = Table(title=escape(f"{len(result.outcomes)} sites, most at risk first: {out}/report.html"))
        for col in ("site", "status", "shortfall [h]", "short", "service level", "hires [FTE]", "seconds"):
            table.add_column(escape(col), justify="left" if col in ("site", "status") else "right")
        for r in result.sites.itertuples(index=False):
            pct = lambda v: "" if v != v else f"{v:.0%}"  # noqa: E731
            num = lambda v, f: "" if v != v else f.format(v)  # noqa: E731
            table.add_row(escape(str(r.site)), "done" if r.status == "done" else "[red]failed[/]",
                          num(r.shortfall_hours, "{:,.1f}"), pct(r.shortfall_share), pct(r.service_level),
                          num(r.hires_fte, "{:,.1f}"), num(r.seconds, "{:,.0f}"))
        console.print(table)
        say(f"ran {result.engine} in {result.seconds:,.0f} s; wrote {out}/<site>/ and the roll-up "
            f"{out}/report.html, sites.csv, coverage.csv, hiring.csv")
    for o in result.failed:
        err_console.print(f"[bold red]site {escape(o.site)} failed:[/] {escape(o.error)}")
    if result.failed:
        raise typer.Exit(result.exit_code)


# --- long-term planning ---------------------------------------------------------------------------

@app.command(rich_help_panel=LONG_TERM)
@handle_errors
def capacity(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    months: Annotated[int, typer.Option("--months", "-m", min=1, max=18,
                                        help=u("Horizon [months], 1 to 18"))] = 12,
    solver_seconds: Annotated[float | None, typer.Option(
        "--solver-seconds", min=1, help=u("Hiring optimiser's time limit [s] "
                                          "(default: capacity.solver_seconds)"))] = None,
    as_json: JsonOpt = False,
) -> None:
    """Capacity plan months ahead: weekly demand per case type, required vs available FTE per
    skill set, and the least-cost hiring, cross-skilling and overtime plan (-> OUT/capacity_plan.csv,
    hiring_plan.csv, capacity_demand.csv, capacity.html)."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from planner.pipeline import run_stage

    with console.status(escape(f"planning capacity for {months} months from {data}")):
        res = run_stage("capacity", data, out, months=months, seconds=solver_seconds)
    if as_json:
        return print_json(out, "capacity")
    table = Table(title=escape(f"capacity plan: {out}/capacity.html"), show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in res.figures.items():
        table.add_row(escape(k), escape(v))
    console.print(table)
    hires = res.hiring
    if len(hires):
        plan = Table(title="hiring plan and cross-skilling")
        for col in ("class", "kind", "source", "start", "heads", "skills", "productive from"):
            plan.add_column(col, justify="right" if col == "heads" else "left")
        for r in hires.itertuples(index=False):
            plan.add_row(escape(str(r[0])), escape(str(r.kind)), escape(str(r.source)),
                         escape(str(r.start)), str(r.heads), escape(str(r.skills)),
                         escape(str(r.productive_from)))
        console.print(plan)
    say(f"solved in {res.seconds:.1f} s ({res.status}); wrote {out}/capacity_plan.csv, "
        f"{out}/hiring_plan.csv, {out}/capacity_demand.csv and {out}/capacity.html")
    for n in res.notes:
        note(n)


# --- checks and comparisons -----------------------------------------------------------------------

@app.command(rich_help_panel=CHECKS)
@handle_errors
def check(
    data: DataOpt = Path("data"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder holding the plan to check")] = Path("out"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON instead")] = False,
) -> None:
    """Check a plan (OUT/schedule.csv, assignments.csv, requirements.csv) against the data folder's
    rules, e.g. after a hand edit or a shift swap. Exit 0 when every hard rule holds, 2 when not."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from planner.errors import MissingInputError
    from planner.io.runfolder import RunFolder
    from planner.scheduling import check_schedule

    run = RunFolder(out)
    lacking = [run.file(n).name for n in ("requirements", "schedule", "assignments") if not run.exists(n)]
    if lacking:
        raise MissingInputError(f"check needs {', '.join(lacking)} in {out}")
    with console.status(escape(f"checking the plan in {out}")):
        rep = check_schedule(out, data)
    if as_json:
        sys.stdout.write(json.dumps({"ok": rep.ok, "violations": rep.violations,
                                     "conflicts": rep.conflicts, "shifts": rep.shifts,
                                     "shortfall_hours": rep.shortfall_hours,
                                     "overstaffing_hours": rep.overstaffing_hours}, indent=2) + "\n")
    else:
        say(f"{rep.shifts} shifts checked; shortfall {rep.shortfall_hours:,.1f} agent-hours, "
            f"overstaffing {rep.overstaffing_hours:,.1f} agent-hours")
        for v in rep.violations:
            err_console.print(f"[red]violation:[/] {escape(v)}")
        for c in rep.conflicts:
            note(c, "conflict")
        if rep.ok:
            console.print("[green]every hard rule holds[/]")
    if not rep.ok:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command(rich_help_panel=CHECKS)
@handle_errors
def compare(
    runs: Annotated[list[Path], typer.Argument(help="Two or more run folders")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for compare.csv and compare.html")] = Path("compare"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON instead")] = False,
) -> None:
    """Key figures of what-if runs side by side (shortfall by type, simulated service level, paid
    hours, cost, hires) and what differs in their inputs (-> OUT/compare.csv, OUT/compare.html)."""
    console.quiet = console.quiet or as_json  # stdout is for the JSON
    from planner.report.compare import compare_runs, write_comparison

    if len(runs) < 2:
        raise typer.BadParameter("give at least two run folders", param_hint="RUNS")
    cmp = compare_runs(runs)
    write_comparison(cmp, out)
    if as_json:
        sys.stdout.write(json.dumps({"figures": cmp.figures.to_dict(orient="index"),
                                     "inputs": cmp.inputs.to_dict(orient="records")},
                                    indent=2, default=str) + "\n")
        return
    table = Table(title="runs compared")
    table.add_column("figure")
    for name in cmp.runs:
        table.add_column(escape(name), justify="right")
    for figure, row in cmp.figures.iterrows():
        table.add_row(escape(str(figure)), *("" if pd_isna(v) else f"{v:,.3f}" if abs(v) < 1 else f"{v:,.1f}"
                                             for v in row))
    console.print(table)
    if cmp.inputs.empty:
        say("inputs: the same options and the same input files")
    for r in cmp.inputs.itertuples(index=False):
        say(f"differs: {r[0]}: " + " | ".join(str(v) for v in r[1:]))
    say(f"wrote {out}/compare.csv and {out}/compare.html")


def pd_isna(v: object) -> bool:
    return v is None or v != v


app.add_typer(bench_app, name="bench", rich_help_panel=CHECKS)


@bench_app.command("roster")
@handle_errors
def bench_roster(
    file: Annotated[Path, typer.Argument(help="A Curtois-Qu instance file (InstanceN.txt)")],
    schedule_seconds: ScheduleSecondsOpt = 60,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Roster CSV to write")] = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
) -> None:
    """Solve one Curtois-Qu rostering instance; print objective, bound and the checker's score."""
    from planner.bench import solve_instance, write_roster_csv

    with console.status("solving") as status:
        res = solve_instance(file, time_limit=schedule_seconds, seed=seed,
                             log_callback=lambda t, v: status.update(f"{t:6.1f} s  best {v:g}"))
    sol = res.solution
    table = Table(title=escape(f"{res.instance}: {sol.status}"))
    for col in ("objective", "bound", "first solution [s]", "wall [s]", "checker score",
                "hard violations"):
        table.add_column(escape(col), justify="right")
    fmt = lambda v: "-" if v is None else f"{v:g}"  # noqa: E731
    table.add_row(fmt(sol.objective), fmt(sol.bound), "-" if sol.time_to_first is None else f"{sol.time_to_first:.2f}",
                  f"{sol.wall_time:.1f}", str(res.check.score), str(len(res.check.violations)))
    console.print(table)
    for v in res.check.violations[:10]:
        err_console.print(f"[red]violation:[/] {escape(str(v))}")
    if out is not None and sol.shifts:
        write_roster_csv(out, sol.shifts)
        say(f"roster written to {out}")
    if sol.objective is None or res.check.violations:
        raise typer.Exit(EXIT_CANNOT_RUN)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()

