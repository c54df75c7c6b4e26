"""Tiny sites for the multi-site tests: five agents, two case types, three weeks of weekday history;
each site with its own time zone, agent ids and demand (drawn from a seed of its own)."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

# Two sites in one time zone (so one planner.toml serves both when split from one folder).
TIMEZONES = {"leeds": "Europe/London", "york": "Europe/London", "boston": "America/New_York"}
# The scheduler on its work budgets, never on the clock (planner run --deterministic): the plan
# then cannot depend on the machine's load or on the cores a site gets.
OPTIONS = {"schedule_seconds": 60.0, "replications": 1, "deterministic": True}
CLOCK_NOTES = ("time limit", "wall clock")

CONFIG = """[center]
name = "A tiny site"
timezone = "{timezone}"
interval_minutes = 60
[center.opening_hours]
mon = "08:00-16:00"
tue = "08:00-16:00"
wed = "08:00-16:00"
thu = "08:00-16:00"
fri = "08:00-16:00"
sat = "closed"
sun = "closed"

[case_types.billing]
complexity = "transactional"
service_level = 0.8
answer_seconds = 20

[case_types.tech]
complexity = "standard"
service_level = 0.8
answer_seconds = 30

[shifts]
lengths_hours = [8.0]
start_step_minutes = 60
"""
AGENTS = [("a1", 30, 40), ("a2", 30, 40), ("a3", 20, 40), ("a4", 20, 32), ("a5", 16, 24)]
SKILLS = [("a1", "billing", 4), ("a1", "tech", 3), ("a2", "billing", 3), ("a3", "billing", 2),
          ("a3", "tech", 4), ("a4", "tech", 3), ("a5", "billing", 3)]
WEEK = pd.Timestamp("2026-11-23")  # a Monday: the week to plan


def write_site(root: Path, name: str, timezone: str | None = None) -> Path:
    """A site's data folder at ``root`` (agent ids prefixed with the site's name)."""
    root.mkdir(parents=True, exist_ok=True)
    tz = timezone or TIMEZONES.get(name, "Europe/London")
    (root / "planner.toml").write_text(CONFIG.format(name=name, timezone=tz), encoding="utf-8")
    (root / "agents.csv").write_text("agent_id,name,team,min_hours,max_hours\n" + "".join(
        f"{name}-{a},Agent {a.upper()},{name},{lo},{hi}\n" for a, lo, hi in AGENTS), encoding="utf-8")
    (root / "skills.csv").write_text("agent_id,case_type,level\n" + "".join(
        f"{name}-{a},{ct},{lv}\n" for a, ct, lv in SKILLS), encoding="utf-8")
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    scale = 0.8 + 0.4 * rng.random()
    rows, n = [], 0
    agents = {ct: [a for a, c, _ in SKILLS if c == ct] for ct in ("billing", "tech")}
    for week in (3, 2, 1):
        for day in range(5):
            for hour in range(8, 16):
                ts = WEEK - pd.Timedelta(weeks=week) + pd.Timedelta(days=day, hours=hour)
                for ct, rate, aht in (("billing", 9 * scale, 300), ("tech", 4 * scale, 600)):
                    for _ in range(rng.poisson(rate)):
                        n += 1
                        created = ts + pd.Timedelta(seconds=int(rng.integers(0, 3600)))
                        agent = agents[ct][int(rng.integers(0, len(agents[ct])))]
                        handle = round(float(rng.lognormal(np.log(aht), 0.4)))
                        fcr = "true" if rng.random() < 0.8 else "false"
                        rows.append(f"{name}-c{n},{created:%Y-%m-%d %H:%M:%S},{ct},{name}-{agent},{handle},{fcr}")
    (root / "cases.csv").write_text("case_id,created_at,case_type,agent_id,handle_seconds,"
                                    "resolved_first_contact\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return root


def write_sites(root: Path, names: tuple[str, ...] = tuple(TIMEZONES)) -> Path:
    for name in names:
        write_site(root / name, name)
    return root
