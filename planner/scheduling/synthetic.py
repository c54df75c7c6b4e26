"""Generated centers for the scheduling tests and benchmark (not a realistic simulation).

:func:`write_center` writes a data folder (planner.toml, agents.csv, skills.csv, availability.csv and
a one-row-per-type volumes.csv so the folder is valid) and a run folder (requirements.csv,
tiers.csv) for ``n_agents`` agents and up to 8 case types on a 15- or 30-minute grid over one week
(or several; optionally open around the clock with overnight shifts).
Agents come from a dozen skill profiles (teams); the requirement of each type follows a two-peak
day, scaled so the whole week needs about ``load`` of the agents' productive hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from planner.domain import TIERS
from planner.io.runfolder import RunFolder
from planner.io.writers import write_csv, write_text

TYPES = [
    # name, complexity, min_tier, min_level, priority, share of demand
    ("orders", "transactional", "low", 1, 1.0, 0.22),
    ("returns", "transactional", "low", 1, 1.0, 0.14),
    ("chat", "transactional", "low", 1, 1.0, 0.16),
    ("billing", "standard", "low", 2, 1.5, 0.14),
    ("email", "standard", "low", 1, 0.5, 0.10),
    ("accounts", "standard", "low", 2, 1.0, 0.08),
    ("technical", "complex", "medium", 3, 2.0, 0.10),
    ("disputes", "complex", "high", 3, 2.0, 0.06),
]
PROFILES = [
    ("orders", "returns"), ("orders", "chat"), ("returns", "chat"), ("orders", "returns", "chat"),
    ("billing", "accounts"), ("billing", "email"), ("email", "accounts"),
    ("orders", "billing"), ("technical", "billing"), ("technical", "chat"),
    ("disputes", "billing", "accounts"), ("technical", "disputes"),
]
START = date(2026, 11, 23)  # a Monday


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, (int, float)) else f'"{value}"'


def _toml(interval: int, n_types: int, swarm: bool, around_the_clock: bool = False,
          weeks: int = 1, shift_rules: Mapping[str, object] | None = None,
          fairness: float | None = None) -> str:
    hours = ('opening_hours = { mon = "24h", tue = "24h", wed = "24h", thu = "24h", fri = "24h", '
             'sat = "24h", sun = "24h" }' if around_the_clock else
             'opening_hours = { mon = "08:00-20:00", tue = "08:00-20:00", wed = "08:00-20:00", '
             'thu = "08:00-20:00", fri = "08:00-20:00", sat = "09:00-17:00", sun = "10:00-16:00" }')
    lines = [f"horizon_days = {7 * weeks}", "seed = 0", "", "[center]",
             f"interval_minutes = {interval}", hours, ""]
    for name, cx, tier, level, prio, _ in TYPES[:n_types]:
        lines += [f"[case_types.{name}]", f'complexity = "{cx}"', f'min_tier = "{tier}"',
                  f"min_level = {level}", f"priority = {prio}"]
        if swarm and name == "technical":
            lines += ["swarm_share = 0.1", "swarm_time_share = 0.3"]
        lines.append("")
    lines += ["[shifts]", "lengths_hours = [8.0, 6.0]", "start_step_minutes = 30",
              "min_rest_hours = 11.0", "max_consecutive_days = 5", "days_off_per_week = 2",
              f"allow_overnight = {'true' if around_the_clock else 'false'}", "max_hours = 40.0"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in (shift_rules or {}).items()]
    lines.append("")
    if fairness is not None:
        lines += ["[fairness]", f"weight = {fairness!r}", ""]
    return "\n".join(lines)


def _day_curve(per_day: int, open_from: int, open_to: int, interval: int,
               night: float = 0.0) -> np.ndarray:
    """Two daytime peaks over a base; ``night``: the level outside ``open_from..open_to`` (a
    24/7 center's night queue), else closed."""
    t = (np.arange(per_day) * interval + interval / 2) / 60.0
    curve = np.exp(-((t - 11) / 2.0) ** 2) + 0.8 * np.exp(-((t - 15.5) / 2.5) ** 2) + 0.25
    curve[(t < open_from) | (t >= open_to)] = night
    return curve


def write_center(data_dir: str | Path, run_dir: str | Path, n_agents: int, *, n_types: int = 8,
                 interval: int = 15, load: float = 1.0, seed: int = 0, swarm: bool = True,
                 tiers: bool = True, around_the_clock: bool = False, weeks: int = 1,
                 shift_rules: Mapping[str, object] | None = None,
                 fairness: float | None = None) -> None:
    """Write a generated center (see the module docstring).

    ``around_the_clock``: open 24/7 with overnight shifts allowed and a night queue (a fifth of
    the daytime base level between 20:00 and 08:00); ``weeks``: the horizon in weeks (the
    requirement repeats each week); ``shift_rules``: further ``[shifts]`` keys of planner.toml
    (e.g. ``{"max_weekends_in_row": 1}``); ``fairness``: planner.toml's ``fairness.weight``."""
    rng = np.random.default_rng(seed)
    data_dir, run_dir = Path(data_dir), Path(run_dir)
    types = [t[0] for t in TYPES[:n_types]]
    profiles = [p for p in (tuple(x for x in prof if x in types) for prof in PROFILES) if p]
    write_text(_toml(interval, n_types, swarm, around_the_clock, weeks, shift_rules, fairness),
               data_dir / "planner.toml")
    ids = [f"A{i:04d}" for i in range(1, n_agents + 1)]
    part = rng.random(n_agents) < 0.2
    agents = pd.DataFrame({
        "agent_id": ids, "name": [f"Agent {i}" for i in range(1, n_agents + 1)],
        "min_hours": np.where(part, 16.0, 30.0), "max_hours": np.where(part, 24.0, 40.0),
        "max_days": np.where(part, 4, 5),
        "hourly_cost": np.round(rng.uniform(14, 24, n_agents), 2),
    })
    write_csv(agents, data_dir / "agents.csv")
    rows = []
    tier_list = []
    for n, aid in enumerate(ids):
        prof = profiles[n % len(profiles)]
        for c in prof:
            rows.append((aid, c, int(rng.integers(2, 6))))
        tier_list.append(rng.choice(list(TIERS), p=[0.25, 0.5, 0.25]))
    write_csv(pd.DataFrame(rows, columns=["agent_id", "case_type", "level"]),
              data_dir / "skills.csv")
    av = []
    for n in rng.choice(n_agents, size=max(1, n_agents // 20), replace=False):
        d = START + timedelta(days=int(rng.integers(0, 5)))
        av.append((ids[n], d.isoformat(), "00:00", "00:00", "time_off", ""))
    for n in rng.choice(n_agents, size=max(1, n_agents // 10), replace=False):
        d = START + timedelta(days=int(rng.integers(0, 7)))
        av.append((ids[n], d.isoformat(), "16:00", "00:00", "unavailable", "2"))
    write_csv(pd.DataFrame(av, columns=["agent_id", "date", "start", "end", "kind", "weight"]),
              data_dir / "availability.csv")
    write_csv(pd.DataFrame({"case_type": types, "interval_start": ["2026-11-16T09:00:00"] * len(types),
                            "volume": [1.0] * len(types)}), data_dir / "volumes.csv")
    # Requirements: productive agent-hours ~ load * capacity, split by the types' shares.
    per_day = 24 * 60 // interval
    hours = {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (9, 17), 6: (10, 16)}
    if around_the_clock:
        hours = dict.fromkeys(range(7), (8, 20))
    night = 0.05 if around_the_clock else 0.0
    day_weight = np.array([1.0, 0.95, 0.9, 0.9, 0.95, 0.5, 0.35])
    capacity = float((agents["max_hours"] * 0.85 + agents["min_hours"] * 0.15).sum()) * 0.9
    shares = np.array([t[5] for t in TYPES[:n_types]])
    shares = shares / shares.sum()
    req_rows = []
    curves = [_day_curve(per_day, *hours[d], interval, night) * day_weight[d] for d in range(7)]
    total_curve = sum(c.sum() for c in curves) * interval / 60
    for ci, c in enumerate(types):
        scale = load * capacity * shares[ci] / total_curve
        for d in range(7 * weeks):
            day = pd.Timestamp(START + timedelta(days=d))
            vals = curves[d % 7] * scale * rng.uniform(0.9, 1.1, per_day)
            for j in range(per_day):
                if curves[d % 7][j] <= 0:
                    continue
                ts = day + pd.Timedelta(minutes=j * interval)
                net = round(float(vals[j]), 2)
                req_rows.append((c, ts, net, float(np.ceil(net / 0.7))))
    req = pd.DataFrame(req_rows, columns=["case_type", "interval_start", "agents_net", "agents_gross"])
    write_csv(req, RunFolder(run_dir).file("requirements"))
    if tiers:
        write_csv(pd.DataFrame({"agent_id": ids, "tier": tier_list}), RunFolder(run_dir).file("tiers"))
