"""Seeded replications of a week under one or more policies, and the files of `planner simulate`.

Replication ``r`` of every policy uses the same child seed of ``numpy.random.SeedSequence(seed)``, so
policies are compared on the same customers (common random numbers): the difference between two
policies is far less noisy than either figure. Results do not depend on the number of workers.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.routing.center import Center
from planner.routing.policies import RoutingPolicy
from planner.simulation.engine import SimulationOptions, simulate
from planner.simulation.metrics import (
    confidence_summary,
    interval_table,
    pool_intervals,
    weekly_metrics,
)
from planner.simulation.plan import Plan

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimulationResult:
    """What a set of replications gives.

    intervals : simulation.csv (per policy, case type and interval, pooled over replications).
    summary : simulation_summary.csv (per policy and case type plus ``all``: mean and 95% CI).
    weekly : the per-replication weekly metrics behind the summary.
    events : discrete events processed over all runs; seconds : wall-clock time of the runs.
    notes : what in the plan routing could not honour (see
        :func:`~planner.simulation.inputs.plan_notes`).
    """

    intervals: pd.DataFrame
    summary: pd.DataFrame
    weekly: pd.DataFrame
    events: int
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("nan")


def _one(center: Center, plan: Plan, policy: RoutingPolicy, seed: np.random.SeedSequence,
         options: SimulationOptions) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    # A private copy: bind() attaches state to the policy, and replications must not share it.
    rec = simulate(center, plan, copy.deepcopy(policy), np.random.default_rng(seed), options)
    return (weekly_metrics(rec.cases, center, plan), interval_table(rec.cases, center, plan),
            rec.events)


def simulate_week(center: Center, plan: Plan, policies: Sequence[RoutingPolicy], *,
                  replications: int = 10, seed: int = 0, options: SimulationOptions | None = None,
                  workers: int = 1, progress: Progress | None = None) -> SimulationResult:
    """Run ``replications`` seeded replications of the plan under each policy.

    Parameters
    ----------
    workers : processes to use (1 runs in this process; at most 2 are sensible on a small machine).
    progress : called with (done, total) after each replication.
    """
    if replications < 1:
        raise ValueError("replications must be >= 1")
    names = [p.name for p in policies]
    if len(set(names)) != len(names):
        raise ValueError(f"policies must have distinct names, got {names}")
    options = options or SimulationOptions()
    seeds = np.random.SeedSequence(seed).spawn(replications)
    jobs = [(p, r) for p in policies for r in range(replications)]
    t0 = time.perf_counter()
    results: list[tuple[pd.DataFrame, pd.DataFrame, int]] = []
    if workers <= 1:
        for k, (p, r) in enumerate(jobs):
            results.append(_one(center, plan, p, seeds[r], options))
            if progress:
                progress(k + 1, len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_one, center, plan, p, seeds[r], options) for p, r in jobs]
            for k, fut in enumerate(futures):
                results.append(fut.result())
                if progress:
                    progress(k + 1, len(jobs))
    seconds = time.perf_counter() - t0
    weekly, tables = [], []
    for (p, r), (w, tab, _) in zip(jobs, results, strict=True):
        weekly.append(w.assign(policy=p.name, replication=r))
        tables.append(tab.assign(policy=p.name, replication=r))
    weekly_df = pd.concat(weekly, ignore_index=True)
    weekly_df = weekly_df[["policy", "replication", *[c for c in weekly_df if c not in
                                                        ("policy", "replication")]]]
    summary = confidence_summary(weekly_df, ["policy", "case_type"])
    intervals = pool_intervals(pd.concat(tables, ignore_index=True), center, plan, ["policy"])
    return SimulationResult(intervals=intervals, summary=summary, weekly=weekly_df,
                            events=sum(e for _, _, e in results), seconds=seconds)
