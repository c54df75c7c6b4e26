"""A small hand-made center and run folder for the report tests.

Three case types over one week (Mon-Fri 08:00-18:00, 30-min intervals), eight agents. The plan has
planted problems so the recommendations have something to find:

- ``fraud`` (complex, minimum tier high) has one eligible agent (h1) and one skilled medium agent
  (m1) whom the tier rule keeps off it: fraud is short and the cause is the tier rule.
- ``tech`` is short in the afternoon: its agents are all on the early shift, while ``billing`` has a
  surplus then, and the billing-only agent l2 works late: cross-skilling l2 on tech removes shortfall.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

WEEK = pd.Timestamp("2026-11-23")  # a Monday, the week after the history
TYPES = ("billing", "tech", "fraud")

CONFIG = """[center]
name = "Fixture center"
timezone = "Europe/London"
interval_minutes = 30
[center.opening_hours]
mon = "08:00-18:00"
tue = "08:00-18:00"
wed = "08:00-18:00"
thu = "08:00-18:00"
fri = "08:00-18:00"
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

[case_types.fraud]
complexity = "complex"
min_tier = "high"
service_level = 0.7
answer_seconds = 60
swarm_share = 0.2
"""

AGENTS = """agent_id,name,team,min_hours,max_hours
h1,Hana High,north,30,40
h2,Hugo High,north,30,40
m1,Mia Medium,north,30,40
m2,Max Medium,south,30,40
m3,Mo Medium,south,30,40
l1,Lea Low,south,30,40
l2,Liam Low,south,30,40
l3,Lou Low,north,30,40
"""

SKILLS = """agent_id,case_type,level
h1,fraud,5
h1,tech,4
h2,tech,5
h2,billing,4
m1,fraud,3
m1,billing,3
m2,tech,3
m2,billing,3
m3,tech,3
l1,billing,2
l2,billing,2
l3,billing,2
l3,tech,1
"""

TIERS = {"h1": "high", "h2": "high", "m1": "medium", "m2": "medium", "m3": "medium",
         "l1": "low", "l2": "low", "l3": "low"}
PREVIOUS_TIERS = {**TIERS, "m2": "low", "h2": "medium"}
# Early shift 08:00-16:00, late shift 10:00-18:00.
LATE = {"l2", "l1", "m1"}
# What each agent works on (first skill that the plan gives them).
WORKS_ON = {"h1": "fraud", "h2": "billing", "m1": "billing", "m2": "tech", "m3": "tech",
            "l1": "billing", "l2": "billing", "l3": "tech"}


def _intervals() -> pd.DatetimeIndex:
    days = [WEEK + pd.Timedelta(days=d) for d in range(5)]
    return pd.DatetimeIndex([d + pd.Timedelta(hours=8, minutes=30 * k) for d in days for k in range(20)])


def write_data(root: Path) -> Path:
    """The data folder: planner.toml, agents, skills, and three weeks of case history."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "planner.toml").write_text(CONFIG, encoding="utf-8")
    (root / "agents.csv").write_text(AGENTS, encoding="utf-8")
    (root / "skills.csv").write_text(SKILLS, encoding="utf-8")
    rng = np.random.default_rng(7)
    skilled: dict[str, list[str]] = {}
    for line in SKILLS.splitlines()[1:]:
        agent, ct, _ = line.split(",")
        skilled.setdefault(ct, []).append(agent)
    rows = []
    n = 0
    for week in (3, 2, 1):
        for ts in _intervals() - pd.Timedelta(weeks=week):
            for ct, rate, aht in (("billing", 6, 300), ("tech", 3, 600), ("fraud", 1, 900)):
                for _ in range(rng.poisson(rate)):
                    n += 1
                    created = ts + pd.Timedelta(seconds=int(rng.integers(0, 1800)))
                    agent = skilled[ct][int(rng.integers(0, len(skilled[ct])))]
                    handle = round(float(rng.lognormal(np.log(aht), 0.4)))
                    csat = int(rng.integers(3, 6)) if rng.random() < 0.3 else ""
                    fcr = "true" if rng.random() < 0.8 else "false"
                    rows.append(f"k{n},{created:%Y-%m-%d %H:%M:%S},{ct},{agent},{handle},{fcr},{csat}")
    header = "case_id,created_at,case_type,agent_id,handle_seconds,resolved_first_contact,csat\n"
    (root / "cases.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return root


def run_frames() -> dict[str, pd.DataFrame]:
    """Every file of the run folder as a DataFrame."""
    ts = _intervals()
    shape = 1 + 0.4 * np.sin(np.linspace(0, np.pi, 20))
    shape = np.tile(shape, 5)
    fc, req = [], []
    for ct, rate, aht in (("billing", 6, 300), ("tech", 3, 600), ("fraud", 1, 900)):
        vol = rate * shape
        fc.append(pd.DataFrame({"case_type": ct, "interval_start": ts, "volume": vol,
                                "volume_low": vol * 0.8, "volume_high": vol * 1.2,
                                "aht_seconds": float(aht)}))
        erl = vol * aht / 1800
        gross = np.ceil(erl / 0.7)
        req.append(pd.DataFrame({"case_type": ct, "interval_start": ts, "agents_net": np.ceil(erl),
                                 "agents_gross": gross, "service_level": 0.82, "asa_seconds": 15.0,
                                 "occupancy": 0.8}))
    forecast = pd.concat(fc, ignore_index=True)
    requirements = pd.concat(req, ignore_index=True)

    sched, assign = [], []
    for agent, ct in WORKS_ON.items():
        start_h = 10 if agent in LATE else 8
        for d in range(5):
            day = WEEK + pd.Timedelta(days=d)
            start = day + pd.Timedelta(hours=start_h)
            end = start + pd.Timedelta(hours=8)
            brk = start + pd.Timedelta(hours=4)
            sched.append({"agent_id": agent, "date": day.date().isoformat(),
                          "shift_start": start.isoformat(), "shift_end": end.isoformat(),
                          "breaks": f"{brk:%H:%M}-{brk + pd.Timedelta(minutes=30):%H:%M}"})
            for k in range(16):
                t = start + pd.Timedelta(minutes=30 * k)
                assign.append({"agent_id": agent, "interval_start": t,
                               "activity": "break" if t == brk else ct})
    schedule = pd.DataFrame(sched)
    assignments = pd.DataFrame(assign)
    work = assignments[assignments["activity"].isin(TYPES)]
    counts = work.groupby(["activity", "interval_start"]).size().rename("scheduled")
    cov = requirements[["case_type", "interval_start", "agents_gross"]].rename(
        columns={"agents_gross": "required"})
    cov = cov.merge(counts.reset_index().rename(columns={"activity": "case_type"}),
                    on=["case_type", "interval_start"], how="left")
    cov["scheduled"] = cov["scheduled"].fillna(0).astype(int)
    cov["shortfall"] = (cov["required"] - cov["scheduled"]).clip(lower=0)
    ratio = (cov["scheduled"] / cov["required"]).clip(upper=1.2)
    sim = cov[["case_type", "interval_start"]].copy()
    sim["offered"] = forecast["volume"].round(1).to_numpy()
    sim["answered"] = sim["offered"] * ratio.clip(upper=1).to_numpy()
    sim["service_level"] = (0.2 + 0.7 * ratio).clip(0, 1).to_numpy()
    sim["asa_seconds"] = (60 * (1.3 - ratio)).clip(lower=2).to_numpy()
    sim["abandoned"] = sim["offered"] - sim["answered"]
    sim["occupancy"] = 0.85
    sim["handoffs"] = np.where(sim["case_type"] == "fraud", 0.2 * sim["offered"], 0.0)
    summary = pd.DataFrame({
        "case_type": list(TYPES), "offered": [1000.0, 500.0, 170.0], "service_level": [0.84, 0.55, 0.4],
        "service_level_low": [0.82, 0.5, 0.35], "service_level_high": [0.86, 0.6, 0.45],
        "asa_seconds": [12.0, 80.0, 140.0], "abandoned_share": [0.02, 0.1, 0.2],
    })
    tiers = pd.DataFrame({"agent_id": list(TIERS), "tier": list(TIERS.values()),
                          "score": [1.2, 0.9, 0.2, 0.1, 0.0, -0.6, -0.8, -1.0],
                          "score_low": 0.0, "score_high": 0.0, "cases": 200,
                          "reason": [f"{t}: fixture" for t in TIERS.values()]})
    prev = pd.DataFrame({"agent_id": list(PREVIOUS_TIERS), "tier": list(PREVIOUS_TIERS.values())})
    backtest = pd.DataFrame({"case_type": ["billing", "billing"], "model": ["seasonal_naive", "profile"],
                             "mase": [1.0, 0.8], "wape": [0.2, 0.15], "bias": [0.01, 0.0],
                             "coverage": [0.7, 0.8]})
    skill_levels = pd.DataFrame({"agent_id": ["m1"], "case_type": ["fraud"], "declared_level": [3],
                                 "learned_level": [4]})
    upskilling = pd.DataFrame({"agent_id": ["m1"], "from_tier": ["medium"], "to_tier": ["high"],
                               "reason": ["closest to high on FCR"]})
    return {"forecast": forecast, "requirements": requirements, "schedule": schedule,
            "assignments": assignments, "coverage": cov, "simulation": sim,
            "simulation_summary": summary, "tiers": tiers, "tiers_previous": prev,
            "backtest": backtest, "skill_levels": skill_levels, "upskilling": upskilling}


def write_run(root: Path, drop: tuple[str, ...] = ()) -> Path:
    """Write the run folder, leaving out the files named in ``drop`` (report names)."""
    from planner.io import write_csv
    from planner.io.runfolder import RunFolder

    root.mkdir(parents=True, exist_ok=True)
    for name, frame in run_frames().items():
        if name not in drop:
            write_csv(frame, RunFolder(root).file(name))
    return root
