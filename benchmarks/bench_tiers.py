"""Speed of the tiers stage: a year of cases for 200 agents.

    python benchmarks/bench_tiers.py [--agents 200] [--weeks 52] [--per-week 100]

Prints the seconds of compute_tiers with the default 12-week window and with a window covering the
whole year (every case used), and the seconds of writing the files. Timings depend on the machine and
its load; no assertion is made here.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from planner.io.runfolder import RunFolder
from planner.pipeline import STAGES, TiersOutput
from planner.tiers import compute_tiers
from planner.tiers.synthetic import make_center


def main() -> None:
    ap = argparse.ArgumentParser(description="Benchmark of planner.tiers.compute_tiers")
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--per-week", type=float, default=100.0, help="cases per agent per week")
    args = ap.parse_args()
    t0 = time.perf_counter()
    c = make_center(n_agents=args.agents, weeks=args.weeks, cases_per_week=args.per_week, seed=0)
    gen = time.perf_counter() - t0
    print(f"{len(c.cases):,} cases, {args.agents} agents, {args.weeks} weeks "
          f"(generated in {gen:.1f} s)")
    for weeks in (c.config.tiers.window_weeks, args.weeks):
        cfg = c.config.model_copy(update={
            "tiers": c.config.tiers.model_copy(update={"window_weeks": weeks})})
        t0 = time.perf_counter()
        r = compute_tiers(c.cases, c.agents, c.skills, cfg)
        secs = time.perf_counter() - t0
        used = int(r.tiers["cases"].sum())
        print(f"compute_tiers, {weeks}-week window ({used:,} cases used): {secs:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        STAGES["tiers"].write(TiersOutput(r), RunFolder(tmp))
        print(f"writing tiers.csv, skill_levels.csv, development files: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
