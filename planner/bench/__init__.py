"""Public benchmarks the planner's engines are held against (Curtois-Qu rostering)."""

from planner.bench.checker import CheckResult, check_roster, read_roster_csv, write_roster_csv
from planner.bench.curtois import CurtoisInstance, read_curtois, read_roster_problem, to_roster_problem
from planner.bench.run import BenchResult, solve_instance

__all__ = [
    "BenchResult",
    "CheckResult",
    "CurtoisInstance",
    "check_roster",
    "read_curtois",
    "read_roster_csv",
    "read_roster_problem",
    "solve_instance",
    "to_roster_problem",
    "write_roster_csv",
]
