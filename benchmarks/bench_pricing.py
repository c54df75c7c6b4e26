"""Column-generation pricing on Curtois-Qu instances: the exact row DP against CP-SAT.

For every employee of each instance, at random sparse duals (like a master LP's), it finds the
row of least ``own cost - duals`` both ways and prints the time per row, the ratio, how often
the DP's row broke a cap per type (then the CP-SAT pricer answers instead) and whether the two
least costs agree wherever the DP answered (they must).

    python benchmarks/bench_pricing.py [--instances 4,7,13] [--rounds 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from planner.bench import read_roster_problem
from planner.scheduling.roster_colgen import ColumnPool, ExactPricer
from planner.scheduling.roster_exactdp import price_row, supported

DATA = Path(__file__).parent / "data" / "curtois"


def _value(pool: ColumnPool, e: int, row, duals: np.ndarray) -> float:
    """``own cost - duals`` of one row."""
    names = pool.problem.shift_names
    return pool.row_cost(e, row) - sum(duals[d, names.index(s)] for d, s in enumerate(row) if s)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default="4,7,13")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(f"{'inst':>4} {'staff':>5} {'rows':>5} {'dp_ms':>7} {'cpsat_ms':>8} {'ratio':>6} "
          f"{'cap_fallback':>12} {'agree':>6}")
    for i in (int(x) for x in args.instances.split(",")):
        problem = read_roster_problem(DATA / f"Instance{i}.txt")
        rng = np.random.default_rng(args.seed)
        cp_sat = ExactPricer(problem)
        pool = ColumnPool(problem)
        names = problem.shift_names
        by_employee = problem.requests_by_employee()
        shape = (problem.days, len(names))
        t_dp = t_cp = 0.0
        n = fallback = agree = 0
        for _ in range(args.rounds):
            duals = np.round(rng.uniform(0, 100, shape) * (rng.random(shape) < 0.4))
            for e, rules in enumerate(problem.employees):
                if not supported(problem, rules):
                    continue
                t = time.perf_counter()
                row, exact = price_row(problem, rules, by_employee[e], duals)
                t_dp += time.perf_counter() - t
                t = time.perf_counter()
                # The CP-SAT model alone (ExactPricer tries the DP first).
                cp_sat._dp[e] = False
                ref, _ = cp_sat.price(e, duals, 60.0, args.seed)
                t_cp += time.perf_counter() - t
                n += 1
                if not exact:
                    fallback += 1
                    continue
                agree += abs(_value(pool, e, row, duals) - _value(pool, e, ref, duals)) < 1e-6
        print(f"{i:>4} {len(problem.employees):>5} {n:>5} {1000 * t_dp / n:7.1f} "
              f"{1000 * t_cp / n:8.1f} {t_cp / t_dp:6.1f} {fallback:>12} "
              f"{agree}/{n - fallback}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
