"""Fairness on a generated 24/7 center over several weeks: the same center scheduled with
``fairness.weight`` 0 (off) and on, side by side.

Prints per run: the plan's coverage cost and shortfall/overstaffing (what fairness costs in
cover), hard-rule violations (the independent checker), and per kind (nights, weekend days,
lates) the most a full-timer (30-40 h, 5 days) and any agent works above the fair share of their
group, with the widest spread of a group. The issue's goal: with the weight on, no full-timer
more than one night shift and one weekend day above their group's fair share.

    python benchmarks/bench_fairness.py                        # 100 agents, 4 weeks, 300 s
    python benchmarks/bench_fairness.py --agents 300 --limit 600 --weights 0 1 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

from planner.errors import SolverLimitWarning
from planner.pipeline import run_stage
from planner.scheduling import check_schedule
from planner.scheduling.synthetic import write_center

FULL_TIME = "30-40 h, 5 days"  # the generated centers' full-time contract


def run(agents: int, weeks: int, limit: float, weight: float, seed: int,
        weekends_in_row: int | None, run_seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "run"
        rules = {} if weekends_in_row is None else {"max_weekends_in_row": weekends_in_row}
        write_center(data, out, agents, n_types=8, interval=15, seed=seed, around_the_clock=True,
                     weeks=weeks, shift_rules=rules, fairness=weight)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SolverLimitWarning)
            res = run_stage("schedule", data, out, time_limit=limit, seed=run_seed, bound=False)
        wall = time.perf_counter() - t0
        check = check_schedule(out, data)
    t = res.fairness
    full = t[t["group"] == FULL_TIME]
    row = {"weight": weight, "run_seed": run_seed, "solve_s": res.solve_seconds, "wall_s": wall,
           "objective": res.objective, "short_h": res.shortfall_hours,
           "over_h": res.overstaffing_hours, "violations": len(check.violations),
           "full_timers": len(full)}
    for kind in ("nights", "weekend_days", "lates"):
        row[f"{kind}_full_max_above"] = float(full[f"{kind}_above"].max())
        row[f"{kind}_all_max_above"] = float(t[f"{kind}_above"].max())
        row[f"{kind}_full_spread"] = int(full[kind].max() - full[kind].min())
        row[f"{kind}_full_share"] = float(full[kind].mean())
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=100)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--limit", type=float, default=300.0, help="scheduler time limit [s]")
    ap.add_argument("--weights", type=float, nargs="+", default=[0.0, 1.0])
    ap.add_argument("--seed", type=int, default=0, help="the generated center's seed")
    ap.add_argument("--run-seeds", type=int, nargs="+", default=None,
                    help="scheduler seeds, each run on the same center (default: --seed): the "
                         "run-to-run spread at one weight")
    ap.add_argument("--weekends-in-row", type=int, default=None,
                    help="shifts.max_weekends_in_row (1: every other weekend off)")
    args = ap.parse_args()
    print(f"24/7 center, {args.agents} agents, {args.weeks} weeks, limit {args.limit:g} s, "
          f"seed {args.seed}, max_weekends_in_row {args.weekends_in_row}", flush=True)
    print("weight  seed  solve_s  wall_s  objective  short_h  over_h  violations  full  "
          "nights: share/spread/full+/all+  weekend days: share/spread/full+/all+  "
          "lates: share/spread/full+/all+")
    runs = [(w, s) for s in (args.run_seeds or [args.seed]) for w in args.weights]
    for w, s in runs:
        r = run(args.agents, args.weeks, args.limit, w, args.seed, args.weekends_in_row, s)
        kinds = "  ".join(
            f"{r[f'{k}_full_share']:.2f}/{r[f'{k}_full_spread']}/{r[f'{k}_full_max_above']:+.2f}/"
            f"{r[f'{k}_all_max_above']:+.2f}" for k in ("nights", "weekend_days", "lates"))
        print(f"{w:>6g}  {s:>4}  {r['solve_s']:>7.1f}  {r['wall_s']:>6.1f}  {r['objective']:>9.0f}  "
              f"{r['short_h']:>7.1f}  {r['over_h']:>6.1f}  {r['violations']:>10}  "
              f"{r['full_timers']:>4}  {kinds}", flush=True)
    print("full+ / all+: the most a full-timer / any agent works above the fair share of their "
          "group; spread among full-timers. Timings on a shared 2-core machine vary with its "
          "load.")


if __name__ == "__main__":
    main()
