"""The capacity plan against the weekly plan: its first month's requirement beside the weekly
cycle's (forecast 4 weeks + requirements), and how long the whole plan takes.

    python benchmarks/bench_capacity.py [--data data] [--bank] [--months 12]

For each data folder (the bundled sample; with --bank also the Anonymous Bank log, January and
February 1999, imported into a temporary folder) it prints the weekly plan's gross agent-hours per
week over the 4 weeks after the history (`planner forecast --horizon-weeks 4` then `planner
requirements`), the capacity plan's required hours over the same 4 weeks, their ratio, and the
seconds the capacity plan took per part. Timings depend on the machine's load: it is printed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from planner.capacity import capacity_plan
from planner.capacity.required import fte_hours
from planner.forecast import forecast
from planner.importers import import_anonbank
from planner.io import load_folder
from planner.staffing import requirements

ROOT = Path(__file__).resolve().parents[1]
WEEKS = 4


def weekly_plan_hours(folder) -> float:
    """Gross agent-hours per week the weekly cycle requires over the 4 weeks after the history."""
    fc = forecast(folder, weeks=WEEKS).forecast
    req = requirements(fc, folder.config)
    hours = folder.config.center.interval_minutes / 60.0
    return float(req["agents_gross"].sum() * hours / WEEKS)


def measure(name: str, path: Path, months: int) -> None:
    folder = load_folder(path)
    t0 = time.perf_counter()
    weekly = weekly_plan_hours(folder)
    t_weekly = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = capacity_plan(folder, months)
    t_cap = time.perf_counter() - t0
    total = plan.plan[plan.plan["skill_set"] == "all"]
    first = float(total["required_fte"].head(WEEKS).mean()) * fte_hours(folder.config)
    print(f"{name}: weekly plan {weekly:,.0f} h/week, capacity plan first month {first:,.0f} h/week, "
          f"ratio {first / weekly:.3f} ({(first / weekly - 1):+.1%})")
    hires = plan.hiring[plan.hiring["source"] == "optimised"]
    print(f"  capacity plan for {months} months ({plan.weeks} weeks): {t_cap:.1f} s wall "
          f"({plan.status}); the weekly forecast + requirements took {t_weekly:.1f} s")
    print(f"  required FTE first month {total['required_fte'].head(WEEKS).mean():.1f} "
          f"[{total['required_fte_low'].head(WEEKS).mean():.1f}, "
          f"{total['required_fte_high'].head(WEEKS).mean():.1f}], available "
          f"{total['available_fte'].head(WEEKS).mean():.1f}; {int(hires['heads'].sum())} heads in "
          f"{len(hires)} optimised rows; shortfall left "
          f"{total['shortfall_fte'].sum() * fte_hours(folder.config):,.0f} h")
    for k, v in plan.figures.items():
        print(f"    {k}: {v}")



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--bank", action="store_true", help="also the bank log in data/anonbank")
    ap.add_argument("--months", type=int, default=12)
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    measure(str(args.data), args.data, args.months)
    if args.bank:
        with tempfile.TemporaryDirectory() as tmp:
            files = [ROOT / "data" / "anonbank" / f"{m}.txt.gz" for m in ("january", "february")]
            import_anonbank(files, Path(tmp) / "bank")
            measure("anonbank (January-February 1999)", Path(tmp) / "bank", args.months)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
