"""Tiny hand-made centers for the scheduler tests (written into tmp_path by each test)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.io import load_folder
from planner.io.runfolder import RunFolder
from planner.io.writers import write_csv, write_text
from planner.scheduling.problem import build_problem, read_requirements, read_tiers

MONDAY = pd.Timestamp("2026-11-23")
# The Curtois-Qu instances bundled for the benchmark (benchmarks/bench_curtois.py).
CURTOIS_DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "curtois"

HOURS = ", ".join(f'{d} = "08:00-18:00"' for d in ("mon", "tue", "wed", "thu", "fri"))
HOURS = "{ " + HOURS + ', sat = "closed", sun = "closed" }'

TOML = """horizon_days = 7
seed = 0

[center]
interval_minutes = 30
opening_hours = {HOURS}

[case_types.common]
complexity = "transactional"

[case_types.rare]
complexity = "standard"
priority = 2.0

[case_types.expert]
complexity = "complex"
min_tier = "high"
min_level = 3

[shifts]
lengths_hours = [8.0, 6.0]
start_step_minutes = 60
min_rest_hours = 11.0
max_consecutive_days = 5
days_off_per_week = 2
allow_overnight = false
max_hours = 40.0
"""


def write_center(data: Path, run: Path, agents: list[tuple], skills: list[tuple],
                 demand: dict[str, float | dict[int, float]], tiers: dict[str, str] | None = None,
                 availability: list[tuple] | None = None) -> None:
    """A center with case types common/rare/expert open Mon-Fri 08:00-18:00 on 30 minutes.

    ``agents``: (agent_id, min_hours, max_hours); ``skills``: (agent_id, case_type, level);
    ``demand[type]``: agents needed in every open interval of the week, or a dict mapping a grid
    interval of Monday (0 = 08:00) to agents needed (other intervals 0).
    """
    write_text(TOML.replace("{HOURS}", HOURS), data / "planner.toml")
    write_csv(pd.DataFrame([(a, f"Agent {a}", lo, hi) for a, lo, hi in agents],
                           columns=["agent_id", "name", "min_hours", "max_hours"]),
              data / "agents.csv")
    write_csv(pd.DataFrame(skills, columns=["agent_id", "case_type", "level"]), data / "skills.csv")
    write_csv(pd.DataFrame({"case_type": ["common", "rare", "expert"],
                            "interval_start": ["2026-11-16T09:00:00"] * 3, "volume": [1.0] * 3}),
              data / "volumes.csv")
    if availability:
        write_csv(pd.DataFrame(availability,
                               columns=["agent_id", "date", "start", "end", "kind", "weight"]),
                  data / "availability.csv")
    rows = []
    for c in ("common", "rare", "expert"):
        spec = demand.get(c, 0.0)
        for d in range(5):
            for j in range(20):
                ts = MONDAY + pd.Timedelta(days=d) + pd.Timedelta(hours=8, minutes=30 * j)
                val = (spec.get(j, 0.0) if d == 0 else 0.0) if isinstance(spec, dict) else spec
                rows.append((c, ts, val, val))
    write_csv(pd.DataFrame(rows, columns=["case_type", "interval_start", "agents_net",
                                          "agents_gross"]), run / "requirements.csv")
    if tiers is not None:
        write_csv(pd.DataFrame(list(tiers.items()), columns=["agent_id", "tier"]),
                  run / "tiers.csv")


def force_cells(cost, names, cells) -> None:
    """Price out, in a cost matrix of the exact row DP (``day_costs``), every choice of each
    day of ``cells`` ({day: shift or None}) but the given one."""
    from planner.scheduling.roster_exactdp import INF

    for d, s in cells.items():
        k = len(names) if s is None else names.index(s)
        keep = cost[d, k]
        cost[d, :] = INF
        cost[d, k] = keep


def built_problem(data: Path, run: Path):
    """The scheduling problem of a data folder and a run folder holding requirements and tiers."""
    folder = load_folder(data)
    req = read_requirements(run / "requirements.csv", folder.config.center.timezone)
    return build_problem(folder, req, read_tiers(run / "tiers.csv"))


def data_and_run(tmp_path: Path) -> tuple[Path, Path]:
    """Empty ``data`` and ``run`` folders under ``tmp_path``."""
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    run.mkdir()
    return data, run


NIGHT_TOML = """horizon_days = 7
seed = 0

[center]
interval_minutes = 60
opening_hours = { mon = "24h", tue = "24h", wed = "24h", thu = "24h", fri = "24h", sat = "24h", sun = "24h" }

[case_types.support]
complexity = "standard"

[shifts]
lengths_hours = [8.0]
start_step_minutes = 60
lunch_minutes = 0
break_minutes = 0
min_rest_hours = 11.0
max_consecutive_days = 5
days_off_per_week = 2
allow_overnight = true
max_hours = 40.0

[fairness]
weight = 1.0
"""


def night_center(data: Path, run: Path) -> None:
    """Four full-timers; every day one agent 00:00-08:00 (a night) and one 09:00-17:00."""
    write_text(NIGHT_TOML, data / "planner.toml")
    ids = ["n1", "n2", "n3", "n4"]
    write_csv(pd.DataFrame({"agent_id": ids, "name": ids, "min_hours": 16.0, "max_hours": 40.0}),
              data / "agents.csv")
    write_csv(pd.DataFrame({"agent_id": ids, "case_type": "support", "level": 3}),
              data / "skills.csv")
    write_csv(pd.DataFrame({"case_type": ["support"], "interval_start": ["2026-11-16T09:00:00"],
                            "volume": [1.0]}), data / "volumes.csv")
    rows = []
    for d in range(7):
        day = pd.Timestamp("2026-11-23") + pd.Timedelta(days=d)
        for h in range(24):
            need = 1.0 if h < 8 or 9 <= h < 17 else 0.0
            rows.append(("support", day + pd.Timedelta(hours=h), need, need))
    write_csv(pd.DataFrame(rows, columns=["case_type", "interval_start", "agents_net",
                                          "agents_gross"]), RunFolder(run).file("requirements"))
