"""One site's weekly cycle as a job: :func:`planner.pipeline.run_cycle` into ``RUN/<site>/``.

The job never raises for the site's own trouble (bad input, a stage that cannot run, a crash): it
returns a :class:`SiteOutcome` that names the error, so the other sites' results stand. The site's
folder is written as a transaction (:func:`planner.io.transaction.run_transaction`): a site that
fails leaves its previous complete run, or nothing.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import ContractError, PlannerError
from planner.sites.engine import JobEnv
from planner.sites.inputs import Site
from planner.staffing import Overrides

# Exit codes of the command line, by what stopped a site (planner.cli says the same).
BAD_INPUT, CANNOT_RUN, OS_ERROR = 2, 3, 4


@dataclass(frozen=True)
class SiteOptions:
    """The cycle's options, the same for every site."""

    weeks: int = 1
    schedule_seconds: float = 40.0
    replications: int = 5
    resolve_top: int = 0
    resolve_seconds: float = 8.0
    bound: bool = False
    overrides: Overrides | None = None
    # Work budgets instead of the clock (planner.scheduling.make_schedule): a site's files are then
    # the same whichever worker, and however many cores, it gets.
    deterministic: bool = False


@dataclass(frozen=True)
class SiteOutcome:
    """What became of one site: done (with its timings) or failed (with the error and its kind)."""

    site: str
    ok: bool
    error: str = ""
    exit_code: int = 0  # what the error means for the exit status (2 bad input, 3 cannot run, ...)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # processor time of the site's process and its finished children
    cores: int = 1
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    attempts: int = 1


def _describe(err: BaseException) -> tuple[str, int]:
    if isinstance(err, ContractError):
        shown = "; ".join(str(p) for p in err.problems[:5])
        more = f" (and {len(err.problems) - 5} more)" if len(err.problems) > 5 else ""
        return f"bad input: {shown}{more}", BAD_INPUT
    if isinstance(err, PlannerError):
        return str(err), CANNOT_RUN
    if isinstance(err, OSError):
        return f"cannot read or write a file: {err.strerror or err} ({err.filename})", OS_ERROR
    last = traceback.format_exception_only(type(err), err)[-1].strip()
    return f"crash: {last}", CANNOT_RUN


def run_site(site: Site, out: Path, options: SiteOptions, env: JobEnv) -> SiteOutcome:
    """Run the weekly cycle of ``site`` into ``out/<site>``, sized to ``env.cores``."""
    import multiprocessing

    from threadpoolctl import threadpool_limits

    from planner.pipeline import run_cycle

    t0, cpu0 = time.perf_counter(), _cpu()
    cores = max(1, env.cores)
    # A daemon worker (a Dask worker's default) may not start processes: the simulation then runs
    # its replications in the worker itself (the same results, more slowly).
    workers = 1 if multiprocessing.current_process().daemon else cores
    try:
        # Libraries with thread pools of their own (BLAS, OpenMP) get the site's cores, no more.
        with threadpool_limits(limits=cores):
            res = run_cycle(site.data, Path(out) / site.name, weeks=options.weeks,
                            schedule_seconds=options.schedule_seconds, replications=options.replications,
                            resolve_top=options.resolve_top, resolve_seconds=options.resolve_seconds,
                            bound=options.bound, overrides=options.overrides, workers=workers,
                            deterministic=options.deterministic, progress=env.say)
    except Exception as err:
        text, code = _describe(err)
        notes = tuple(getattr(err, "__notes__", ()))
        return SiteOutcome(site.name, False, text, code, time.perf_counter() - t0, _cpu() - cpu0, cores,
                           notes=notes)
    return SiteOutcome(site.name, True, seconds=time.perf_counter() - t0, cpu_seconds=_cpu() - cpu0,
                       cores=cores, timings=dict(res.timings), notes=tuple(res.notes))


def _cpu() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
