"""The command line: a thin typer app. Each command parses options, calls one library function,
shows progress and prints a rich summary. Only PlannerError is caught (no traceback for a user's
mistake); anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner.errors import ContractError, PlannerError

app = typer.Typer(
    name="planner",
    help="Offline workforce planner: forecast, requirements, tiers, schedule, simulate, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
import_app = typer.Typer(help="Convert a real call log or export into a data folder.",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")
bench_app = typer.Typer(help="Hold the engines against public benchmarks.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable)

# Exit codes: 2 = the user's input is wrong (as for usage errors); 3 = a stage cannot run;
# 4 = the operating system refused (a folder not writable, a disk full, a path that is a file).
EXIT_BAD_INPUT = 2
EXIT_CANNOT_RUN = 3
EXIT_OS_ERROR = 4


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
    for note in getattr(err, "__notes__", []):
        err_console.print(escape(note))


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


DataOpt = Annotated[Path, typer.Option("--data", "-d", help="Data folder (cases.csv, agents.csv, ...)")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Run folder for this stage's files")]


@app.command()
@handle_errors
def validate(folder: Annotated[Path, typer.Argument(help="Data folder to check")]) -> None:
    """Check every file of a data folder; print all problems. Exit 0 when clean, 2 when not."""
    from planner.io import load_folder

    data = load_folder(folder)
    table = Table(title=f"{folder}: valid")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name in ("cases", "volumes", "agents", "skills", "availability", "training"):
        frame = getattr(data, name)
        if frame is not None:
            table.add_row(name, f"{len(frame):,}")
    console.print(table)
    console.print(f"case types: {', '.join(data.case_types)}", markup=False)
    for note in data.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if data.agents is None:
        console.print("[yellow]no agents.csv/skills.csv: forecast and requirements can run; "
                      "tiers, schedule and simulate need them[/]")


@bench_app.command("roster")
@handle_errors
def bench_roster(
    file: Annotated[Path, typer.Argument(help="A Curtois-Qu instance file (InstanceN.txt)")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds")] = 60,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Roster CSV to write")] = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
) -> None:
    """Solve one Curtois-Qu rostering instance; print objective, bound and the checker's score."""
    from planner.bench import solve_instance, write_roster_csv

    with console.status("solving") as status:
        res = solve_instance(file, time_limit=time_limit, seed=seed,
                             log_callback=lambda t, v: status.update(f"{t:6.1f} s  best {v:g}"))
    sol = res.solution
    table = Table(title=f"{res.instance}: {sol.status}")
    for col in ("objective", "bound", "first solution [s]", "wall [s]", "checker score",
                "hard violations"):
        table.add_column(col, justify="right")
    fmt = lambda v: "-" if v is None else f"{v:g}"  # noqa: E731
    table.add_row(fmt(sol.objective), fmt(sol.bound), "-" if sol.time_to_first is None else f"{sol.time_to_first:.2f}",
                  f"{sol.wall_time:.1f}", str(res.check.score), str(len(res.check.violations)))
    console.print(table)
    for v in res.check.violations[:10]:
        err_console.print(f"[red]violation:[/] {v}")
    if out is not None and sol.shifts:
        write_roster_csv(out, sol.shifts)
        console.print(f"roster written to {out}")
    if sol.objective is None or res.check.violations:
        raise typer.Exit(EXIT_CANNOT_RUN)


@app.command()
@handle_errors
def sample(
    out: OutOpt = Path("data"),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical files")] = 0,
    weeks: Annotated[int, typer.Option(min=1, max=104, help="Weeks of history")] = 26,
    agents: Annotated[int, typer.Option(min=5, max=2000, help="Head count")] = 80,
    truth: Annotated[Path | None, typer.Option(
        help="Ground-truth folder (default: beside --out, named <out>_truth)")] = None,
) -> None:
    """Generate a realistic sample center (history, agents, skills, config) and its ground truth."""
    from planner.sample import default_truth_dir, generate_sample, write_sample

    with console.status(f"generating {weeks} weeks, {agents} agents (seed {seed})"):
        center = generate_sample(seed=seed, weeks=weeks, agents=agents)
        write_sample(center, out, truth)
    cases = center.cases
    table = Table(title=f"sample center written to {out}")
    for col in ("case type", "channel", "cases", "abandoned", "surveys (of answered)"):
        table.add_column(col, justify="left" if col in ("case type", "channel") else "right")
    for name, g in cases.groupby("case_type", sort=False):
        answered = g[g["abandoned"] == 0]
        table.add_row(str(name), str(g["channel"].iloc[0]), f"{len(g):,}",
                      f"{g['abandoned'].mean():.1%}", f"{(answered['csat'] != '').mean():.1%}")
    console.print(table)
    per_agent = center.skills.groupby("agent_id").size()
    console.print(f"{len(cases):,} cases, {len(center.agents)} agents, "
                  f"{per_agent.mean():.1f} skills per agent; truth in "
                  f"{truth if truth is not None else default_truth_dir(out)}")


@app.command()
@handle_errors
def tiers(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="Previous tiers.csv for hysteresis (default: OUT/tiers.csv if present)")] = None,
) -> None:
    """Tier agents high/medium/low from case-mix adjusted KPIs and CSAT, with reasons."""
    from planner.io.transaction import run_transaction
    from planner.tiers import run_tiers

    with console.status(f"computing tiers from {data}"), run_transaction(out, "tiers") as staging:
        result = run_tiers(data, staging, previous)
    t = result.tiers
    table = Table(title=f"tiers written to {out}/tiers.csv "
                        f"({result.window.start:%Y-%m-%d} to {result.window.end:%Y-%m-%d})")
    for col in ("tier", "agents", "cases", "mean score"):
        table.add_column(col, justify="left" if col == "tier" else "right")
    for name in ("high", "medium", "low", "insufficient_evidence"):
        g = t[t["tier"] == name]
        if len(g):
            table.add_row(name, str(len(g)), f"{int(g['cases'].sum()):,}",
                          f"{g['score'].mean():+.2f}" if g["score"].notna().any() else "")
    console.print(table)
    console.print("KPIs used: " + ", ".join(f"{k} ({w:.0%})" for k, w in result.weights.items()))
    kept = t["reason"].str.contains("kept .* from the previous run", regex=True).sum()
    if "previous_tier" in t and (t["previous_tier"] != "").any():
        moved = ((t["previous_tier"] != "") & (t["previous_tier"] != t["tier"])).sum()
        console.print(f"vs previous tiers: {moved} moved, {kept} kept by hysteresis")
    dis = (result.skill_levels["disagreement"] != "").sum()
    console.print(f"skill_levels.csv: {dis} declared levels disagree with outcomes by 2+ levels; "
                  f"{len(result.cross_skilling)} cross-skilling pairs, {len(result.upskilling)} "
                  "upskilling candidates")


@app.command()
@handle_errors
def requirements(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    service_level: Annotated[float | None, typer.Option(
        "--service-level", help="Share answered within --answer-seconds, every case type")] = None,
    answer_seconds: Annotated[float | None, typer.Option(
        "--answer-seconds", help="Answer-time target [s], every case type")] = None,
    max_occupancy: Annotated[float | None, typer.Option(
        "--max-occupancy", help="Largest occupancy, every case type")] = None,
    shrinkage: Annotated[float | None, typer.Option(
        "--shrinkage", help="Share of paid time off the queue, every case type")] = None,
    patience_seconds: Annotated[float | None, typer.Option(
        "--patience-seconds", help="Mean patience [s] for Erlang A (implies --model erlang_a)")] = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="erlang_c or erlang_a (default: the config's staffing.model)")] = None,
) -> None:
    """Agents needed per case type and interval (OUT/forecast.csv -> OUT/requirements.csv)."""
    from planner.errors import PlannerError
    from planner.staffing import Overrides, run_requirements, summarise

    if model not in (None, "erlang_c", "erlang_a"):
        raise PlannerError(f"--model {model!r}: expected erlang_c or erlang_a")
    if model is None and patience_seconds is not None:
        model = "erlang_a"
    overrides = Overrides(service_level=service_level, answer_seconds=answer_seconds,
                          max_occupancy=max_occupancy, shrinkage=shrinkage,
                          patience_seconds=patience_seconds, model=model)  # type: ignore[arg-type]
    from planner.io.transaction import run_transaction

    with console.status(f"computing requirements from {out}/forecast.csv"), \
            run_transaction(out, "requirements") as staging:
        req, path = run_requirements(data, staging, overrides)
    path = Path(out) / path.name
    s = summarise(req)
    table = Table(title=f"requirements written to {path} ({len(req):,} rows)")
    table.add_column("case type", no_wrap=True)
    table.add_column("model", no_wrap=True)
    for col in ("net\npeak", "net\nmean", "gross\npeak", "gross\nmean", "gross\nhours"):
        table.add_column(col, justify="right")
    for name, r in s.iterrows():
        table.add_row(str(name), r["model"], str(r["peak_net"]), f"{r['mean_net']:.1f}",
                      str(r["peak_gross"]), f"{r['mean_gross']:.1f}", f"{r['gross_hours']:,.0f}")
    console.print(table)
    console.print("mean over intervals with work; gross = ceil(net / (1 - shrinkage))")


@app.command()
@handle_errors
def simulate(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", help="Routing policy: tier-aware or longest-idle; repeat to compare")] = None,
    replications: Annotated[int, typer.Option(min=1, max=1000, help="Seeded replications")] = 10,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the config's)")] = None,
    no_abandonment: Annotated[bool, typer.Option(
        "--no-abandonment", help="Infinite patience (to compare with Erlang C)")] = False,
    exponential: Annotated[bool, typer.Option(
        "--exponential", help="Exponential handle times, no level effect (M/M/n)")] = False,
    scenario: Annotated[str, typer.Option(
        help="Forecast-error scenario: a volume multiplier (1.1) or low/high (prediction bounds)")] = "1",
    overflow_after: Annotated[float | None, typer.Option(
        "--overflow-after", min=0, help="tier-aware: seconds before secondary skills help "
        "(default: half the type's answer time, at most 60)")] = None,
    relax_after: Annotated[float | None, typer.Option(
        "--relax-after", min=0, help="Seconds after which lower levels/tiers may take a case")] = None,
    workers: Annotated[int, typer.Option(min=1, max=8, help="Processes for replications")] = 2,
) -> None:
    """Simulate the planned week (OUT/forecast.csv, schedule/assignments) under routing policies."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from planner.errors import PlannerError
    from planner.io.transaction import run_transaction
    from planner.simulation import run_simulation

    policies = policy or ["tier-aware"]
    try:
        scen: float | str = scenario if scenario in ("low", "high") else float(scenario)
    except ValueError:
        raise PlannerError(f"--scenario {scenario!r}: expected a number such as 1.1, or low/high") \
            from None
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar, \
            run_transaction(out, "simulate") as staging:
        task = bar.add_task(f"simulating {', '.join(policies)}", total=None)
        result = run_simulation(
            data, staging, policies=policies, replications=replications, seed=seed,
            abandonment=not no_abandonment, exponential=exponential, scenario=scen,
            overflow_after_s=overflow_after, relax_after_s=relax_after, workers=workers,
            progress=lambda done, total: bar.update(task, completed=done, total=total))
    s = result.summary
    table = Table(title=f"simulated week, {replications} replications (mean ± 95% CI)")
    for col in ("case type", "policy", "service level", "ASA [s]", "abandoned", "hand-offs"):
        table.add_column(col, justify="left" if col in ("case type", "policy") else "right")
    for ct, g in s.groupby("case_type", sort=False):
        for k, r in enumerate(g.itertuples(index=False)):
            half = (r.service_level_high - r.service_level_low) / 2
            table.add_row(str(ct) if k == 0 else "", str(r.policy),
                          f"{r.service_level:.1%}" + (f" ±{half:.1%}" if half == half else ""),
                          f"{r.asa_seconds:,.0f}", f"{r.abandon_rate:.1%}", f"{r.handoffs:.0f}",
                          end_section=k == len(g) - 1)
    console.print(table)
    for name in dict.fromkeys(s["policy"]):
        r = s[(s["policy"] == name) & (s["case_type"] == "all")].iloc[0]
        console.print(f"{name}: occupancy {r['occupancy']:.1%}, high-tier time on transactional "
                      f"work {r['high_tier_on_transactional']:.1%}")
    console.print(f"{result.events:,} events in {result.seconds:.1f} s "
                  f"({result.events_per_second:,.0f} events/s); wrote {out}/simulation.csv and "
                  f"{out}/simulation_summary.csv")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")


def _print_report_summary(rep, out: Path) -> None:
    """Key figures and what to do, as the report's first section says them."""
    table = Table(title=f"weekly plan: {out}/report.html", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in rep.figures.items():
        table.add_row(k, v)
    console.print(table)
    for i, line in enumerate(rep.headlines, 1):
        console.print(f"{i}. {line}")
    for note in rep.notes:
        console.print(f"[yellow]note:[/] {note}")


@app.command()
@handle_errors
def report(
    out: OutOpt = Path("out"),
    data: Annotated[Path | None, typer.Option(
        "--data", "-d", help="Data folder (default: the one the run's run.json names)")] = None,
    resolve_top: Annotated[int, typer.Option(
        "--resolve-top", min=0, help="Measure the top N training candidates by re-solving")] = 0,
    resolve_seconds: Annotated[float, typer.Option(
        "--resolve-seconds", min=1, help="Time limit of each re-solve [s]")] = 8.0,
) -> None:
    """Rebuild report.html, report.md and the per-agent exports from a run folder."""
    from planner.errors import PlannerError
    from planner.io.transaction import check_run, run_transaction
    from planner.report import build_report
    from planner.report.cycle import resolver_for_run

    mixed = check_run(out)
    if mixed:
        raise PlannerError(f"{out} holds files that are not from one run, so the report would combine "
                           f"plans that do not belong together: {'; '.join(mixed[:8])}"
                           f"{f' (and {len(mixed) - 8} more)' if len(mixed) > 8 else ''}. Re-run "
                           "`planner run`, or the stages from the first file named onwards")
    with console.status(f"building the report of {out}") as status, \
            run_transaction(out, "report") as staging:
        resolve = resolver_for_run(staging, data, resolve_seconds) if resolve_top else None
        rep = build_report(staging, data, resolve=resolve, resolve_top=resolve_top,
                           progress=lambda m: status.update(m))
    _print_report_summary(rep, out)
    console.print(f"wrote {out}/report.html, {out}/report.md, {out}/agent_schedules.csv, {out}/agents/")


@app.command("run")
@handle_errors
def run_cmd(
    data: Annotated[Path | None, typer.Option(
        "--data", "-d", help="Data folder (default: the bundled sample data/)")] = None,
    out: OutOpt = Path("out"),
    schedule_seconds: Annotated[float, typer.Option(
        "--schedule-seconds", min=1, help="Scheduler time limit [s]")] = 40.0,
    replications: Annotated[int, typer.Option(min=1, max=1000, help="Simulation replications")] = 5,
    resolve_top: Annotated[int, typer.Option(
        "--resolve-top", min=0, help="Training candidates also measured by a full re-schedule")] = 0,
    resolve_seconds: Annotated[float, typer.Option(
        "--resolve-seconds", min=1, help="Time limit of each re-schedule [s]")] = 8.0,
    bound: Annotated[bool, typer.Option(
        "--bound/--no-bound", help="Compute the scheduler's lower bound (slow on large centers)")] = False,
) -> None:
    """The whole weekly cycle: forecast, requirements, tiers, schedule, simulate, report."""
    import time

    from planner.io.transaction import run_transaction
    from planner.report.cycle import run_cycle

    start = time.perf_counter()
    with console.status("starting the weekly cycle") as status, \
            run_transaction(out, "run", fresh=True) as staging:
        def say(message: str) -> None:
            status.update(f"[{time.perf_counter() - start:5.0f} s] {message}")
            if ": done in" in message:
                console.print(f"[green]✓[/] {message}")

        result = run_cycle(data, staging, schedule_seconds=schedule_seconds, replications=replications,
                           resolve_top=resolve_top, resolve_seconds=resolve_seconds, bound=bound,
                           progress=say)
    table = Table(title="stages")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for k, v in result.timings.items():
        table.add_row(k, f"{v:.1f}")
    console.print(table)
    if result.report is not None:
        _print_report_summary(result.report, out)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
    files = sorted(p.name for p in out.iterdir() if p.is_file())
    console.print(f"wrote {len(files)} files into {out}: {', '.join(files)} (and agents/)")


@app.command()
@handle_errors
def forecast(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    weeks: Annotated[int, typer.Option("--weeks", "-w", min=1, max=6,
                                       help="Forecast horizon [weeks]")] = 1,
    start: Annotated[str | None, typer.Option(
        "--start", help="First forecast day YYYY-MM-DD (default: the day after the history)")] = None,
    interval: Annotated[int | None, typer.Option(
        "--interval", help="Interval length: 15, 30 or 60 minutes (default: the config's)")] = None,
) -> None:
    """Volume and handle time per case type and interval (-> OUT/forecast.csv, OUT/backtest.csv)."""
    from datetime import date

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from planner.errors import PlannerError
    from planner.forecast import run_forecast
    from planner.io.transaction import run_transaction

    try:
        first = date.fromisoformat(start) if start else None
    except ValueError:
        raise PlannerError(f"--start {start!r}: expected a date such as 2026-11-23") from None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar, \
            run_transaction(out, "forecast") as staging:
        task = bar.add_task("reading history", total=None)

        def step(case_type: str, done: int, total: int) -> None:
            bar.update(task, description=f"backtest {case_type}", completed=done, total=total)

        result = run_forecast(data, staging, weeks=weeks, start=first, interval_minutes=interval,
                              progress=step)
    fc, bt = result.forecast, result.backtest
    table = Table(title=f"backtest (rolling origin, {int(bt['origins'].max() or 0)} weekly origins)")
    for col in ("case type", "chosen model", "MASE", "vs baseline", "WAPE", "bias", "coverage"):
        left = col in ("case type", "chosen model")
        table.add_column(col, justify="left" if left else "right", no_wrap=left)
    for _, r in bt[bt["chosen"]].iterrows():
        table.add_row(str(r["case_type"]), str(r["model"]), f"{r['mase']:.3f}",
                      f"{r['mase_vs_baseline']:.3f}", f"{r['wape']:.1%}", f"{r['bias']:+.1%}",
                      f"{r['coverage']:.1%}")
    console.print(table)
    console.print("MASE: period one week; vs baseline: MASE / best seasonal window average; "
                  "coverage: 80% intervals, each origin calibrated on the others")
    days = fc["interval_start"].dt.normalize()
    console.print(f"wrote {out}/forecast.csv ({len(fc):,} rows, {days.min():%Y-%m-%d} to "
                  f"{days.max():%Y-%m-%d}, {fc['volume'].sum():,.0f} cases) and {out}/backtest.csv")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")


@import_app.command("anonbank")
@handle_errors
def import_anonbank_cmd(
    file: Annotated[Path, typer.Argument(help="The Anonymous Bank log (february.txt, or .gz)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Data folder to write")],
) -> None:
    """Convert the Anonymous Bank call log into cases.csv, agents.csv, skills.csv and planner.toml."""
    from planner.importers import import_anonbank

    with console.status(f"converting {file}"):
        result = import_anonbank(file, out)
    cases = result.cases
    table = Table(title=f"{file.name} -> {out}")
    for col in ("case type", "calls", "abandoned", "agents serving"):
        table.add_column(col, justify="left" if col == "case type" else "right")
    for name, g in cases.groupby("case_type"):
        table.add_row(str(name), f"{len(g):,}", f"{g['abandoned'].mean():.1%}",
                      str(g.loc[g["agent_id"] != "", "agent_id"].nunique()))
    console.print(table)
    console.print(f"{len(cases):,} calls, {len(result.agents)} agents, {len(result.skills)} skills; "
                  f"dropped {result.dropped_phantom} PHANTOM calls; {result.served_without_agent} "
                  f"served without a named agent; {result.zero_handle} with zero service time")


@app.command()
@handle_errors
def schedule(
    data: DataOpt = Path("data"),
    out: OutOpt = Path("out"),
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=1, help="Solver time limit [s] (the lower bound is extra)")] = 60.0,
    seed: Annotated[int | None, typer.Option("--seed", help="Solver seed (default: the config's)")] = None,
    bound: Annotated[bool, typer.Option(
        "--bound/--no-bound", help="Compute the LP lower bound and the gap")] = True,
) -> None:
    """Named agents into shifts and case types (OUT/requirements.csv [+ tiers.csv] ->
    OUT/schedule.csv, assignments.csv, coverage.csv)."""
    import time

    from planner.io.transaction import run_transaction
    from planner.scheduling import schedule_run

    start = time.perf_counter()
    with console.status("scheduling") as status, run_transaction(out, "schedule") as staging:
        best: dict[str, float] = {}

        def progress(stage: str, seconds: float, objective: float) -> None:
            key = "greedy" if stage in ("greedy", "improve") else stage
            if stage.startswith("day"):
                status.update(f"[{time.perf_counter() - start:5.0f} s] breaks and activities, {stage}")
                return
            if key not in best or objective < best[key]:
                best[key] = objective
                console.print(f"[{time.perf_counter() - start:5.1f} s] {stage}: best objective "
                              f"{objective:,.0f}")
            status.update(f"[{time.perf_counter() - start:5.0f} s] {stage}")

        result = schedule_run(data, staging, time_limit=time_limit, seed=seed, progress=progress,
                              compute_bound=bound)
    table = Table(title=f"schedule written to {out} ({len(result.schedule):,} shifts)")
    for col in ("case type", "required h", "scheduled h", "shortfall h", "overstaffing h"):
        table.add_column(col, justify="left" if col == "case type" else "right")
    for row in result.summary.itertuples(index=False):
        table.add_row(str(row.case_type), f"{row.required_hours:,.1f}",
                      f"{row.scheduled_hours:,.1f}", f"{row.shortfall_hours:,.1f}",
                      f"{row.overstaffing_hours:,.1f}")
    console.print(table)
    gap = "n/a" if result.gap is None else f"{result.gap:.1%}"
    bnd = "not computed" if result.bound is None else f"{result.bound:,.0f}"
    console.print(f"objective {result.objective:,.0f} (weighted shortfall + overstaffing), "
                  f"lower bound {bnd}, gap {gap}; solved in {result.solve_seconds:.1f} s "
                  f"({result.status})")
    for c in result.conflicts:
        console.print(f"[yellow]conflict:[/] {c}")
    for n in result.notes:
        console.print(f"[yellow]note:[/] {n}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
