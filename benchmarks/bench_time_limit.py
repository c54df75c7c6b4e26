"""Does `planner schedule --time-limit T` return within T on a large center?

    python benchmarks/bench_time_limit.py [--agents 5000] [--skilled 80] [--time-limit 20]

A generated center (planner.scheduling.synthetic) of ``--agents`` agents of whom only ``--skilled``
keep their skills (the others have none: the case the limit was ignored on, each agent without a
skill still solved one by one after the deadline). Prints the wall time of each stage as the
scheduler reports it, the total against the limit, and the notes the plan carries.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from planner.io import load_folder, write_csv
from planner.scheduling import make_schedule
from planner.scheduling.problem import read_requirements
from planner.scheduling.synthetic import write_center


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=5000)
    ap.add_argument("--skilled", type=int, default=80)
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data, run = Path(tmp) / "data", Path(tmp) / "run"
        write_center(data, run, args.agents, seed=args.seed, tiers=False)
        skills = pd.read_csv(data / "skills.csv", dtype={"agent_id": str})
        keep = sorted(skills["agent_id"].unique())[: args.skilled]
        write_csv(skills[skills["agent_id"].isin(keep)], data / "skills.csv")
        t = time.perf_counter()
        folder = load_folder(data)
        req = read_requirements(run / "requirements.csv", folder.config.center.timezone)
        print(f"read: {time.perf_counter() - t:.1f} s; {len(folder.agents)} agents, "
              f"{folder.skills['agent_id'].nunique()} with skills")
        last = {"t": time.perf_counter()}

        def progress(stage: str, seconds: float, objective: float) -> None:
            now = time.perf_counter()
            if now - last["t"] > 1 or not stage.startswith("day"):
                print(f"  [{now - t0:6.1f} s] {stage}: objective {objective:,.0f}")
                last["t"] = now

        t0 = time.perf_counter()
        res = make_schedule(folder, req, None, time_limit=args.time_limit, seed=args.seed,
                            workers=2, compute_bound=False, progress=progress)
        wall = time.perf_counter() - t0
    shifts = len(res.schedule)
    print(f"time limit {args.time_limit:g} s: returned after {wall:.1f} s "
          f"({wall / args.time_limit:.2f} x the limit); {shifts:,} shifts; status {res.status}")
    for n in res.notes:
        print(f"note: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
