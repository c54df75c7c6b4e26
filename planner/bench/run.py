"""Solve one benchmark instance with the roster engine (the benchmark's recipe,
:mod:`planner.bench.strategy`) and re-score it with the checker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.bench.checker import CheckResult, check_roster
from planner.bench.curtois import read_curtois, to_roster_problem
from planner.bench.strategy import RosterSolution, solve_roster


@dataclass(frozen=True)
class BenchResult:
    """The solver's answer on one instance and the independent checker's verdict on it."""

    instance: str
    solution: RosterSolution
    check: CheckResult


def solve_instance(path: str | Path, time_limit: float = 60, seed: int = 0, workers: int = 2,
                   log_callback: Callable[[float, float], None] | None = None) -> BenchResult:
    """Read a Curtois-Qu instance, solve it with :func:`solve_roster` and check the roster."""
    inst = read_curtois(path)
    sol = solve_roster(to_roster_problem(inst), time_limit=time_limit, seed=seed, workers=workers,
                       log_callback=log_callback)
    return BenchResult(inst.name, sol, check_roster(inst, sol.shifts))
