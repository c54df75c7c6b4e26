"""Erlang C staffing speed: planner.staffing against pyworkforce's ErlangC, in one process.

Run: ``python benchmarks/bench_staffing.py`` (pyworkforce comes with ``pip install -e .[bench]``).

1. agents for 80% in 20 s (AHT 300 s) at loads from 10 to 20,000 Erlangs, one interval at a time;
2. a full week of 15-minute intervals x 20 case types (13,440 intervals) in one vectorised call,
   and through ``requirements()`` (the whole table, pandas included);
3. the same week with Erlang A (no pyworkforce counterpart).

One scalar call of planner costs ~0.5 ms of numpy overhead, so pyworkforce's plain-Python loop
wins below ~1,000 Erlangs for a single interval; planner is built for whole arrays and large loads.
Times are the best of several repeats for planner and of fewer for pyworkforce (it is slower);
both give the same agents wherever pyworkforce's search starts low enough (it starts at
round(A + 1) and can overshoot the least number by one at small loads; mismatches are counted).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from planner.io import PlannerConfig
from planner.staffing import Overrides, agents_for_target, erlang_a, requirements

AHT = 300.0
TARGET = 0.8
ANSWER = 20.0


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def pyworkforce_agents(volume: float, aht_s: float, interval_min: float) -> int:
    from pyworkforce.queuing import ErlangC

    if volume <= 0:
        return 0  # pyworkforce refuses zero transactions
    e = ErlangC(transactions=volume, aht=aht_s / 60, asa=ANSWER / 60, interval=interval_min)
    return int(e.required_positions(service_level=TARGET, max_occupancy=1.0)["raw_positions"])


def week(types: int = 20, seed: int = 1) -> pd.DataFrame:
    """15-minute intervals, Monday to Sunday, 20 case types from 0.2 to ~400 Erlangs at peak."""
    rng = np.random.default_rng(seed)
    grid = pd.date_range("2026-11-23", periods=7 * 96, freq="15min")
    hour = grid.hour + grid.minute / 60
    day = np.clip(np.sin((hour - 7) / 14 * np.pi), 0, None) * np.where(grid.weekday < 5, 1.0, 0.5)
    rows = []
    for i in range(types):
        peak = 10 ** rng.uniform(0, 3.2)  # calls per 15 min at the daily peak
        aht = rng.uniform(120, 900)
        vol = rng.poisson(peak * day).astype(float)
        rows.append(pd.DataFrame({"case_type": f"type_{i:02d}", "interval_start": grid,
                                  "volume": vol, "aht_seconds": aht}))
    return pd.concat(rows, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    rep, rep_py = (3, 1) if args.quick else (7, 3)
    import pyworkforce

    print(f"planner vs pyworkforce {pyworkforce.__version__} ErlangC; 80% in 20 s, AHT 300 s")
    print("(timings on a shared, loaded 2-core machine: compare the ratios, not the absolutes)\n")
    agents_for_target(10.0, AHT, service_level=TARGET, answer_seconds=ANSWER)  # warm imports
    print(f"{'Erlangs':>8} {'agents':>7} {'planner ms':>11} {'pyworkforce ms':>15} {'ratio':>7}")
    for load in (10, 100, 1_000, 5_000, 20_000, 50_000):
        ours_t, ours = best_of(lambda a=load: agents_for_target(float(a), AHT, service_level=TARGET,
                                                                answer_seconds=ANSWER), rep)
        vol = load * 1800 / AHT
        py_t, py = best_of(lambda v=vol: pyworkforce_agents(v, AHT, 30), rep_py)
        same = "" if int(ours.agents) == py else f"  (pyworkforce: {py})"
        print(f"{load:>8,} {int(ours.agents):>7,} {ours_t * 1e3:>11.2f} {py_t * 1e3:>15.2f} "
              f"{py_t / ours_t:>7.1f}x{same}")

    fc = week()
    a = (fc["volume"] * fc["aht_seconds"] / 900).to_numpy()
    h = fc["aht_seconds"].to_numpy()
    print(f"\nweek: {len(fc):,} intervals (15 min x 7 days x 20 case types), "
          f"{(a > 0).sum():,} with work, peak {a.max():.0f} Erlangs")
    vec_t, _ = best_of(lambda: agents_for_target(a, h, service_level=TARGET, answer_seconds=ANSWER,
                                                 max_occupancy=0.85), rep)
    cfg = PlannerConfig()
    ov = Overrides(service_level=TARGET, answer_seconds=ANSWER, max_occupancy=0.85)
    req_t, _ = best_of(lambda: requirements(fc, cfg, ov), rep)
    ea_t, _ = best_of(lambda: erlang_a.agents_for_target(a, h, 300.0, service_level=TARGET,
                                                         answer_seconds=ANSWER,
                                                         max_occupancy=0.85), max(1, rep // 2))
    t = time.perf_counter()
    vols, ahts = fc["volume"].to_numpy(), fc["aht_seconds"].to_numpy()
    py_agents = np.array([pyworkforce_agents(v, s, 15) for v, s in zip(vols, ahts, strict=True)])
    py_t = time.perf_counter() - t
    # pyworkforce has no occupancy cap here: compare like with like.
    plain = agents_for_target(a, h, service_level=TARGET, answer_seconds=ANSWER).agents
    diff = int((plain != py_agents).sum())
    over = int((py_agents > plain).sum())
    print(f"  planner agents_for_target (one call):  {vec_t * 1e3:8.1f} ms")
    print(f"  planner requirements() (whole table):  {req_t * 1e3:8.1f} ms")
    print(f"  planner Erlang A agents_for_target:    {ea_t * 1e3:8.1f} ms")
    print(f"  pyworkforce ErlangC, interval by interval: {py_t * 1e3:8.1f} ms  "
          f"-> {py_t / vec_t:.0f}x slower than one call, {py_t / req_t:.0f}x than requirements()")
    print(f"  agents differ in {diff} of {len(fc):,} intervals (pyworkforce higher in {over}: its "
          f"search starts at round(A + 1))")
    print(f"  goal: week < 500 ms -> {'met' if req_t < 0.5 else 'NOT met'} ({req_t * 1e3:.0f} ms)")


if __name__ == "__main__":
    main()
