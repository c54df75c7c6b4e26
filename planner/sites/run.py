"""A multi-site run: every site's weekly cycle on an engine, then the roll-up."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.errors import PlannerError
from planner.sites.engine import DaskEngine, InProcess, OnEvent, make_engine
from planner.sites.inputs import SPLIT_FOLDER, Site, check_name, find_sites, split_by_site
from planner.sites.rollup import write_rollup
from planner.sites.task import CANNOT_RUN, SiteOptions, SiteOutcome, run_site


@dataclass
class SitesResult:
    """What a multi-site run did: each site's outcome and the roll-up's sites table."""

    out: Path
    outcomes: list[SiteOutcome]
    sites: pd.DataFrame
    engine: str
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[SiteOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def exit_code(self) -> int:
        """0 when every site completed, else the most serious failure's code (2 bad input, 3 a site
        could not run, 4 the operating system refused)."""
        return max((o.exit_code for o in self.failed), default=0)


def run_sites(sites: list[Site], out: str | Path, options: SiteOptions | None = None, *,
              engine: InProcess | DaskEngine | None = None, on_event: OnEvent | None = None
              ) -> SitesResult:
    """Run each site's cycle into ``out/<site>/`` on ``engine`` (default: :func:`make_engine`) and
    write the roll-up into ``out``."""
    options = options or SiteOptions()
    out = Path(out)
    names = [check_name(s.name, str(s.data)) for s in sites]
    if len(set(names)) != len(names):
        raise PlannerError(f"two sites share a name: {sorted({n for n in names if names.count(n) > 1})}")
    out.mkdir(parents=True, exist_ok=True)
    engine = engine or make_engine()
    t0 = time.perf_counter()
    with engine:
        described = engine.describe()
        # The largest sites first: the last site to start is then a small one, so the workers
        # finish close together (longest-processing-time-first).
        jobs = {s.name: (s, out, options) for s in sorted(sites, key=_size, reverse=True)}
        results = engine.map(run_site, jobs, on_event)
    outcomes = []
    for s in sites:
        res = results[s.name]
        if res.error is not None or not isinstance(res.value, SiteOutcome):
            outcomes.append(SiteOutcome(s.name, False, res.error or "no result", CANNOT_RUN,
                                        attempts=res.attempts))
        else:
            outcomes.append(dataclasses.replace(res.value, attempts=res.attempts))
    seconds = time.perf_counter() - t0
    table = write_rollup(outcomes, out, engine=described, options=options, seconds=seconds)
    return SitesResult(out, outcomes, table, described, seconds)


def _size(site: Site) -> int:
    """A site's work, roughly: its head count (lines of agents.csv)."""
    try:
        with open(site.data / "agents.csv", "rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


def plan_sites(out: str | Path, *, sites_dir: str | Path | None = None, data: str | Path | None = None,
               options: SiteOptions | None = None, scheduler: str | None = None,
               workers: int | None = None, sequential: bool = False,
               on_event: OnEvent | None = None) -> SitesResult:
    """``planner run --sites DIR`` (``sites_dir``) or ``planner run --data D --split-by site``
    (``data``): find or split the sites, then :func:`run_sites` on the engine chosen."""
    if (sites_dir is None) == (data is None):
        raise PlannerError("give either a folder of sites (--sites DIR) or one data folder to split "
                           "(--data DIR --split-by site)")
    sites = (find_sites(sites_dir) if sites_dir is not None
             else split_by_site(data, Path(out) / SPLIT_FOLDER))  # type: ignore[arg-type]
    engine = make_engine(scheduler, workers, sequential)
    return run_sites(sites, out, options, engine=engine, on_event=on_event)
