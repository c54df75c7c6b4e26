"""Many sites at once: each site's weekly cycle on Dask distributed (or in this process without
it), per-site run folders and a roll-up (``planner run --sites DIR``, ``--split-by site``)."""

from planner.sites.engine import DaskEngine, InProcess, JobEnv, JobResult, dask_available, make_engine
from planner.sites.inputs import Site, find_sites, split_by_site
from planner.sites.rollup import ROLLUP_FILES, write_rollup
from planner.sites.run import SitesResult, plan_sites, run_sites
from planner.sites.task import SiteOptions, SiteOutcome, run_site

__all__ = [
    "ROLLUP_FILES", "DaskEngine", "InProcess", "JobEnv", "JobResult", "Site", "SiteOptions",
    "SiteOutcome", "SitesResult", "dask_available", "find_sites", "make_engine", "plan_sites",
    "run_site", "run_sites", "split_by_site", "write_rollup",
]
