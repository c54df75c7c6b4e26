"""Planned training: what placing it where agents are least needed saves, on a generated center.

On one generated center (:mod:`planner.scheduling.synthetic`) with ``--trainees`` agents given
``--hours`` of training each (blocks of at least 1 h), the roster and stage 2 plan are made once
(greedy roster + day MIPs, so both placements see the same shifts), then training is placed

* ``least-needed``: :func:`planner.scheduling.training.place_training` (lowest marginal cost);
* ``earliest``: the same block rules, but the first free intervals of the agent's week (what a
  team lead booking "Monday morning" would get);

and the script prints the shortfall [agent-hours] and coverage cost of the plan without training
and with each placement, plus the time the placement took.

    python benchmarks/bench_training.py                    # 100 agents, 10 trainees x 4 h
    python benchmarks/bench_training.py --agents 300 --trainees 30
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner.io import load_folder
from planner.io.writers import write_csv
from planner.scheduling import training as T
from planner.scheduling.activities import plan_days
from planner.scheduling.bound import coverage_cost
from planner.scheduling.export import scheduled_matrix
from planner.scheduling.greedy import greedy_roster
from planner.scheduling.problem import build_problem, read_requirements, read_tiers
from planner.scheduling.synthetic import write_center
from planner.scheduling.week import DEFAULT_WEIGHTS


def shortfall_hours(problem, scheduled: np.ndarray) -> float:
    h = problem.grid.days * problem.grid.per_day
    return float(np.maximum(0.0, problem.required[:, :h] - scheduled[:, :h]).sum()
                 * problem.interval / 60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=100)
    ap.add_argument("--trainees", type=int, default=10)
    ap.add_argument("--hours", type=float, default=4.0)
    ap.add_argument("--seconds", type=float, default=20.0, help="greedy + day MIP time")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, run = Path(tmp) / "data", Path(tmp) / "run"
        write_center(data, run, args.agents, n_types=8, interval=15, seed=args.seed)
        agents = pd.read_csv(data / "agents.csv", dtype={"agent_id": str})
        pick = agents["agent_id"].sort_values().to_numpy()[:: max(1, args.agents // args.trainees)]
        pick = pick[: args.trainees]
        write_csv(pd.DataFrame({"agent_id": pick, "topic": "billing", "hours": args.hours,
                                "min_block_hours": 1.0}), data / "training.csv")
        folder = load_folder(data)
        tz = folder.config.center.timezone
        problem = build_problem(folder, read_requirements(run / "requirements.csv", tz),
                                read_tiers(run / "tiers.csv"))
        t0 = time.perf_counter()
        g = greedy_roster(problem, DEFAULT_WEIGHTS, seed=args.seed,
                          deadline=t0 + 0.5 * args.seconds, improve_until=t0 + 0.6 * args.seconds)
        plan = plan_days(problem, g.shifts, time_limit=0.4 * args.seconds, seed=args.seed)
        base = scheduled_matrix(problem, plan)
        rows = [("none", shortfall_hours(problem, base), coverage_cost(problem, base), 0.0, 0.0)]
        cost = T._cost
        for name in ("least-needed", "earliest"):
            p, s = copy.deepcopy(plan), base.copy()
            if name == "earliest":
                T._cost = lambda problem, plan, scheduled, who, i, t, weights: float(t)
            t1 = time.perf_counter()
            tp = T.place_training(problem, g.shifts, p, s)
            took = time.perf_counter() - t1
            T._cost = cost
            rows.append((name, shortfall_hours(problem, s), coverage_cost(problem, s),
                         float(tp.table["hours_planned"].sum()), took))
    print(f"{args.agents} agents, {len(pick)} trainees x {args.hours:g} h "
          f"(requested {len(pick) * args.hours:g} h)")
    print("placement      shortfall_h   coverage_cost  training_h  place_s")
    for name, sh, cc, th, took in rows:
        print(f"{name:<13} {sh:11.1f} {cc:15,.0f} {th:11.1f} {took:8.2f}")
    print(f"shortfall added by training: least-needed {rows[1][1] - rows[0][1]:+.1f} h, "
          f"earliest {rows[2][1] - rows[0][1]:+.1f} h")


if __name__ == "__main__":
    main()
