"""The whole weekly cycle (`planner run`) on a data folder, timed per stage, against the 3-minute goal.

    python benchmarks/bench_run.py [--data data] [--out /tmp/bench_run] [--schedule-seconds 40]

Prints each stage's wall-clock seconds, the total and its ratio to 180 s, and the report's key
figures. Wall-clock time depends on what else the machine runs: state the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from planner.io.runfolder import RunFolder
from planner.pipeline import RUN_GOAL_SECONDS, run_cycle


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="data folder (default: bundled sample)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench_run"))
    ap.add_argument("--schedule-seconds", type=float, default=40.0)
    ap.add_argument("--replications", type=int, default=5)
    args = ap.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    t0 = time.perf_counter()
    res = run_cycle(args.data, args.out, schedule_seconds=args.schedule_seconds,
                    replications=args.replications)
    wall = time.perf_counter() - t0
    print(f"{'stage':<14}{'seconds':>9}")
    for k, v in res.timings.items():
        print(f"{k:<14}{v:>9.1f}")
    print(f"total {wall:.1f} s = {wall / RUN_GOAL_SECONDS:.2f} x the {RUN_GOAL_SECONDS:.0f} s goal "
          f"(load average at start {load:.1f} on {os.cpu_count()} cores)")
    if res.report is not None:
        for k, v in res.report.figures.items():
            print(f"  {k}: {v}")
    run = RunFolder(args.out)
    missing = [run.file(n).name for n in ("forecast", "backtest", "requirements", "tiers", "schedule",
                                          "assignments", "coverage", "simulation", "report_html")
               if not run.exists(n)]
    print("the cycle's files written" if not missing else f"MISSING: {', '.join(missing)}")
    return 0 if not missing else 1


if __name__ == "__main__":
    raise SystemExit(main())
