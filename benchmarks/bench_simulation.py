"""Speed of the simulation: a week of the sample center x 10 replications, events per second.

    python benchmarks/bench_simulation.py [--replications 10] [--scales 1,3] [--workers 1,2]
    python benchmarks/bench_simulation.py --run RUN   # a run folder with a real plan instead

Without --run, the plan is the greedy hand-made one of benchmarks/greedy_plan.py (forecast from the
last 4 weeks, Erlang C requirements, 8-hour shifts); ``scale`` k multiplies volumes and clones the
agents k times (k = 3: about 30,000 cases and 240 agents a week). Policy: tier-aware. Goal: 10
replications in under a minute on 2 cores. Wall time includes the metrics of each replication; CPU
is this process plus its worker processes.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from greedy_plan import make_plan

from planner.io import load_folder
from planner.routing import TierAware
from planner.simulation import load_center_and_plan, read_run, simulate_week

DATA = Path(__file__).resolve().parent.parent / "data"


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--scales", default="1,3")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--run", type=Path, help="a run folder (forecast/assignments) of data/")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",")]
    print(f"{'plan':<28}{'agents':>7}{'cases/wk':>10}{'workers':>8}{'wall [s]':>10}{'cpu [s]':>9}"
          f"{'events':>11}{'events/s':>10}{'per cpu-s':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        plans: list[tuple[str, Path, Path]] = []
        if args.run:
            plans.append((f"run {args.run.name}", DATA, args.run))
        else:
            for k in (int(s) for s in args.scales.split(",")):
                run = make_plan(DATA, Path(tmp) / f"x{k}", scale=k)
                plans.append((f"greedy sample x{k}", DATA if k == 1 else run / "data", run))
        for label, data, run in plans:
            folder = load_folder(data)
            center, plan = load_center_and_plan(folder, read_run(run, folder.config.center.timezone))
            for w in workers:
                c0, t0 = cpu_seconds(), time.perf_counter()
                res = simulate_week(center, plan, [TierAware()], replications=args.replications,
                                    seed=args.seed, workers=w)
                wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
                cases = res.summary.loc[res.summary["case_type"] == "all", "offered"].item()
                print(f"{label:<28}{center.n_agents:>7}{cases:>10,.0f}{w:>8}{wall:>10.1f}{cpu:>9.1f}"
                      f"{res.events:>11,}{res.events / wall:>10,.0f}{res.events / cpu:>11,.0f}")
    print(f"{args.replications} replications each; timings on a shared, loaded 2-core machine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
