"""Intraday acceptance on the bundled sample center: today's volume 20% over the forecast from
08:00 and two agents absent; re-plan at 11:00 on Tuesday of the planned week.

Prints: whether every published shift is kept, the independent checker's verdict on the
re-planned folder, the simulated service level of the rest of the day with the published plan
(absent agents taken out) and with the re-plan, the offers, and the wall time of the
`planner intraday` command (a fresh process, imports included, default replications) and of its
library call. The service levels come from a second run with --replications (paired: every plan
meets the same customers; the differences are per replication with their 95% interval).

Run:  python benchmarks/bench_intraday_sample.py [--run RUN] [--now 2026-11-24T11:00]
      [--replications 30]
(without --run, the week is planned first into a temporary folder: forecast, requirements, tiers,
schedule; a few minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from planner.io.cells import read_csv
from planner.scheduling import check_schedule

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
UPLIFT = 1.2
FROM = "08:00"


def plan_week(run: Path) -> None:
    from planner.pipeline import run_stage

    for stage in ("forecast", "requirements", "tiers", "schedule"):
        tic = time.perf_counter()
        run_stage(stage, DATA, run)
        print(f"{stage}: {time.perf_counter() - tic:.0f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, default=None)
    ap.add_argument("--now", default="2026-11-24T11:00")
    ap.add_argument("--replications", type=int, default=30,
                    help="replications of the service-level comparison (a second run; the timed "
                         "run uses the command's default)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="intraday-"))
    run = args.run or tmp / "run"
    if not (run / "assignments.csv").exists():
        plan_week(run)
    now = pd.Timestamp(args.now)
    day = now.normalize()
    fc = read_csv(run / "forecast.csv", parse_dates=["interval_start"])
    seen = fc[(fc["interval_start"] >= day + pd.Timedelta(FROM + ":00"))
              & (fc["interval_start"] < now)]
    actuals = seen[["case_type", "interval_start"]].assign(volume=(seen["volume"] * UPLIFT).round(3))
    actuals = actuals[actuals["volume"] > 0]
    actuals_file = tmp / "actuals.csv"
    actuals.to_csv(actuals_file, index=False)
    sched = read_csv(run / "schedule.csv", dtype={"agent_id": str}, parse_dates=["shift_start", "shift_end"])
    working = sched[(sched["shift_start"] <= now) & (sched["shift_end"] > now + pd.Timedelta(hours=2))]
    absent = sorted(working["agent_id"])[:2]
    print(f"actuals: {len(actuals)} rows, {actuals['volume'].sum():.0f} cases "
          f"({UPLIFT:.0%} of the forecast from {FROM}); absent: {', '.join(absent)}")
    base = [sys.executable, "-m", "planner.cli", "intraday", "--data", str(DATA), "--run", str(run),
            "--now", args.now, "--actuals", str(actuals_file), "--absent", ",".join(absent), "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load = os.getloadavg()
    tic = time.perf_counter()
    proc = subprocess.run(base, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - tic
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr)
        return 1
    timed = json.loads(proc.stdout)
    print(f"planner intraday (default replications): {wall:.1f} s wall (fresh process), "
          f"{timed['seconds']:.1f} s in the library call {timed['timings']}; load average before "
          f"{load[0]:.2f}")
    proc = subprocess.run([*base, "--replications", str(args.replications)], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr)
        return 1
    out = json.loads(proc.stdout)
    folder = Path(out["folder"])
    new = read_csv(folder / "schedule.csv", dtype={"agent_id": str})
    old = read_csv(run / "schedule.csv", dtype={"agent_id": str})
    key = ["agent_id", "date", "shift_start", "shift_end"]
    kept = old[key].astype(str).equals(new[key].astype(str))
    rep = check_schedule(folder, DATA)
    asg = read_csv(folder / "assignments.csv", dtype={"agent_id": str}, parse_dates=["interval_start"])
    later = asg[asg["agent_id"].isin(absent) & (asg["interval_start"] >= now)
                & (asg["interval_start"] < day + pd.Timedelta(days=1))]
    absent_work = int((~later["activity"].isin(["absent"])).sum())
    print(f"shifts kept: {kept} ({len(new)} shifts)")
    print(f"checker: {'every hard rule holds' if rep.ok else f'{len(rep.violations)} violation(s)'}"
          + "".join(f"\n  {v}" for v in rep.violations[:10]))
    print(f"absent agents' intervals with an activity after {now:%H:%M}: {absent_work}")
    print(f"requirement change, rest of the day: {out['required_change_hours']:+.1f} agent-hours")
    print(f"agents re-planned: {out['agents_replanned']}; coverage cost {out['coverage_cost_kept']:,.0f} "
          f"-> {out['coverage_cost_replan']:,.0f}")
    print(f"offers: {out['offers']}")
    print(f"simulated service level of the cases arriving from {out['replan_from'][-5:]} "
          f"({out['replications']} replications, the morning's backlog carried over): published plan "
          f"{out['service_level_kept']:.2%}, re-plan {out['service_level_replan']:.2%}, re-plan with "
          f"every overtime offer taken {out['service_level_overtime']:.2%}")
    for key, label in (("replan_gain", "re-plan"), ("overtime_gain", "re-plan + overtime")):
        print(f"paired difference {label} - published: {100 * out[key + '_mean']:+.2f} points "
              f"(95% interval {100 * out[key + '_low']:+.2f} to {100 * out[key + '_high']:+.2f})")
    sim = read_csv(folder / "simulation_rest_of_day.csv")
    print(sim.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
