"""Cost of one LNS exchange move on Curtois instance 13 (120 staff, 28 days): building the
sub-model, completing its hint and the CP-SAT search, each in seconds per move.

    python benchmarks/bench_roster_moves.py [--moves 20] [--instance 13] [--seed 0]

Why: an exchange move frees every employee over two blocks of two days (about 6,300 literals);
the LNS makes a few per second, so the Python time to build and hint each model is time the
search does not get. The start roster is the weekend plan completed row by row, as the engine
builds it; the moves are the days :func:`exchange_days` draws over its short days.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from planner.bench import read_roster_problem
from planner.bench.weekend_plan import complete_rows, plan_weekends
from planner.scheduling.roster import build_roster_model, solve_model
from planner.scheduling.roster_exchange import exchange_days
from planner.scheduling.roster_lns import SUB_PARAMETERS, _day_deviation

DATA = Path(__file__).parent / "data" / "curtois"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--instance", type=int, default=13)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    problem = read_roster_problem(DATA / f"Instance{args.instance}.txt")
    plan = plan_weekends(problem, 12.0)
    if plan is None:
        print("no weekend plan for this instance")
        return 1
    roster = complete_rows(problem, plan, time.perf_counter() + 24.0, args.seed)
    if roster is None:
        print("the weekend plan could not be completed")
        return 1
    short = _day_deviation(problem, roster)[0]
    rng = random.Random(args.seed)
    names = [r.employee for r in problem.employees]
    build, hint, search, size = [], [], [], []
    for i in range(args.moves):
        days = exchange_days(problem, short, rng) if short else {0, 1, 7, 8}
        fixed = {(e, d): roster.get((e, d)) for e in names for d in range(problem.days)
                 if d not in days}
        t0 = time.perf_counter()
        rm = build_roster_model(problem, employees=names, fixed=fixed)
        t1 = time.perf_counter()
        rm.model.Minimize(rm.objective())
        rm.add_hint(roster, time_limit=0.25)
        t2 = time.perf_counter()
        solve_model(rm, 1.0, seed=i, workers=1, parameters=SUB_PARAMETERS)  # hinted above
        t3 = time.perf_counter()
        build.append(t1 - t0)
        hint.append(t2 - t1)
        search.append(t3 - t2)
        size.append(len(rm.model.Proto().variables))
    print(f"instance {args.instance}: {len(names)} staff, {problem.days} days, "
          f"{args.moves} exchange moves of {statistics.mean(size):.0f} variables on average")
    for label, values in (("build", build), ("hint", hint), ("search", search)):
        print(f"  {label:7s} {statistics.mean(values):.3f} s per move "
              f"(median {statistics.median(values):.3f})")
    total = statistics.mean(build) + statistics.mean(hint) + statistics.mean(search)
    print(f"  Python share of a move (build + hint): "
          f"{(statistics.mean(build) + statistics.mean(hint)) / total:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
