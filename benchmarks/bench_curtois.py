"""Curtois-Qu rostering benchmark: solve instances with the roster engine and print a table beside
the best known values (benchmarks/data/curtois/best_known.csv).

    python benchmarks/bench_curtois.py [--time-limit 60] [--instances 1-24] [--workers 2]

Gap = (objective - best known) / best known. "checker" is the independent checker's score; "ok"
says the roster breaks no hard rule and the checker's score equals the solver's objective.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from planner.bench import solve_instance

DATA = Path(__file__).parent / "data" / "curtois"


def _parse_instances(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--instances", default="1-24")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with open(DATA / "best_known.csv", newline="") as fh:
        best = {int(r["instance"]): r for r in csv.DictReader(fh)}
    head = (f"{'inst':>4} {'days':>4} {'staff':>5} {'best':>7} {'objective':>9} {'checker':>8} "
            f"{'gap':>8} {'bound':>8} {'first_s':>7} {'wall_s':>6} ok")
    print(f"time limit {args.time_limit:g} s, {args.workers} workers, seed {args.seed}")
    print(head)
    n_ok = 0
    for i in _parse_instances(args.instances):
        res = solve_instance(DATA / f"Instance{i}.txt", time_limit=args.time_limit,
                             seed=args.seed, workers=args.workers)
        sol, b = res.solution, best[i]
        bk = float(b["best_known"])
        obj = sol.objective
        gap = "-" if obj is None else f"{100 * (obj - bk) / bk:7.1f}%"
        ok = obj is not None and res.check.feasible and res.check.score == round(obj)
        n_ok += ok
        print(f"{i:>4} {b['days']:>4} {b['staff']:>5} {bk:>7g} "
              f"{'-' if obj is None else f'{obj:g}':>9} {res.check.score:>8} {gap:>8} "
              f"{'-' if sol.bound is None else f'{sol.bound:g}':>8} "
              f"{'-' if sol.time_to_first is None else f'{sol.time_to_first:.1f}':>7} "
              f"{sol.wall_time:6.1f} {'yes' if ok else 'NO'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
