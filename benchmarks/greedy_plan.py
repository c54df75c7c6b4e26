"""A quick hand-made plan of the sample center's next week, for benchmarks that must not wait for
the scheduler: forecast = mean of the last 4 weeks per weekday and half hour; requirements by Erlang C
(planner.staffing); agents on 8-hour shifts (a 30-minute lunch after 4 hours, 5 days a week) with
each half hour's activity the eligible case type with the largest uncovered requirement. Tiers:
agents sorted by their mean handle time relative to their case types' means (fast = high), a quarter
high and a quarter low; a stand-in for the tiers stage, good enough to exercise tier-aware routing.

    python benchmarks/greedy_plan.py --data data --out /tmp/plan [--scale 3]

``--scale k`` multiplies volumes by k and clones every agent k times (a center k times the sample).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from planner.io import load_folder, write_csv
from planner.staffing.erlang import agents_for_target

WEEK_START = pd.Timestamp("2026-11-23")  # the Monday after the sample's history ends


def make_plan(data: str | Path, out: str | Path, scale: int = 1) -> Path:
    folder = load_folder(data)
    cfg = folder.config
    cases = folder.cases
    assert cases is not None and folder.agents is not None and folder.skills is not None
    L = cfg.center.interval_minutes
    recent = cases[cases["created_at"] >= WEEK_START - pd.Timedelta(weeks=4)]
    slot = recent["created_at"].dt.floor(f"{L}min")
    key = pd.DataFrame({"case_type": recent["case_type"].astype(str),
                        "offset": slot - slot.dt.normalize() + pd.to_timedelta(
                            slot.dt.day_of_week, unit="D")})
    vol = key.value_counts().rename("n").reset_index()
    vol["volume"] = vol["n"] / 4.0 * scale
    aht = cases.groupby("case_type")["handle_seconds"].mean()
    grid = pd.MultiIndex.from_product([sorted(cases["case_type"].astype(str).unique()),
                                       pd.to_timedelta(np.arange(7 * 24 * 60 // L) * L, unit="min")],
                                      names=["case_type", "offset"])
    fc = vol.set_index(["case_type", "offset"])["volume"].reindex(grid, fill_value=0.0).reset_index()
    fc["interval_start"] = WEEK_START + fc["offset"]
    fc["aht_seconds"] = fc["case_type"].map(aht).astype(float)
    fc["volume_low"] = fc["volume"] * 0.85
    fc["volume_high"] = fc["volume"] * 1.15
    fc = fc[["case_type", "interval_start", "volume", "volume_low", "volume_high", "aht_seconds"]]

    # Requirements per type and interval (Erlang C; back office: load at 85% occupancy).
    need = {}
    for t, g in fc.groupby("case_type"):
        ct = cfg.case_type(t)
        load = g["volume"].to_numpy() * g["aht_seconds"].to_numpy() / (L * 60)
        if ct.deadline_hours is not None:
            n = np.ceil(load / 0.85 - 1e-9)
        else:
            n = agents_for_target(load, g["aht_seconds"].to_numpy(), service_level=ct.service_level,
                                  answer_seconds=ct.answer_seconds,
                                  concurrency=ct.concurrency).agents
        need[t] = np.asarray(n, dtype=float)
    types = sorted(need)
    req = np.array([need[t] for t in types])  # (types, intervals)

    agents = folder.agents.copy()
    skills = folder.skills.copy()
    if scale > 1:
        agents = pd.concat([agents.assign(agent_id=agents["agent_id"] + f"_{k}")
                            for k in range(scale)], ignore_index=True)
        skills = pd.concat([skills.assign(agent_id=skills["agent_id"] + f"_{k}")
                            for k in range(scale)], ignore_index=True)
    tiers = _stand_in_tiers(cases, agents, scale)
    tier_rank = {"low": 0, "medium": 1, "high": 2}
    level = skills.pivot_table(index="agent_id", columns="case_type", values="level",
                               fill_value=0).reindex(columns=types, fill_value=0)
    ok = {}
    for a in agents["agent_id"]:
        tr = tier_rank[tiers[a]]
        lv = level.loc[a] if a in level.index else pd.Series(0, index=types)
        ok[a] = [j for j, t in enumerate(types)
                 if lv[t] >= cfg.case_type(t).min_level and tr >= tier_rank[cfg.case_type(t).min_tier]]
    per_day = 24 * 60 // L
    shift = 8 * 60 // L
    lunch = 4 * 60 // L
    covered = np.zeros_like(req)
    rows = []
    order = sorted(agents["agent_id"], key=lambda a: len(ok[a]))
    for i, a in enumerate(order):
        if not ok[a]:
            continue
        off = {i % 7, (i + 3) % 7} if i % 7 != 6 else {5, 6}
        for d in range(7):
            if d in off:
                continue
            base = d * per_day
            # The start (07:00 .. 14:00) that covers the most uncovered requirement.
            best, best_gain = None, -1.0
            for s in range(7 * 60 // L, 14 * 60 // L + 1):
                idx = base + s + np.arange(shift)
                gap = np.clip(req[ok[a]][:, idx] - covered[ok[a]][:, idx], 0, None).max(0).sum()
                if gap > best_gain:
                    best, best_gain = s, gap
            if best_gain <= 0:
                continue
            for k in range(shift):
                j = base + best + k
                ts = WEEK_START + pd.Timedelta(minutes=j * L)
                if k == lunch:
                    rows.append((a, ts, "lunch"))
                    continue
                gaps = req[ok[a], j] - covered[ok[a], j]
                pick = ok[a][int(np.argmax(gaps))]
                covered[pick, j] += 1
                rows.append((a, ts, types[pick]))
    asg = pd.DataFrame(rows, columns=["agent_id", "interval_start", "activity"])
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(fc, out / "forecast.csv")
    write_csv(asg, out / "assignments.csv")
    write_csv(pd.DataFrame({"agent_id": list(tiers), "tier": list(tiers.values())}), out / "tiers.csv")
    if scale > 1:  # the simulation reads agents and skills from a data folder: write a scaled one
        data_out = out / "data"
        data_out.mkdir(exist_ok=True)
        write_csv(agents[["agent_id", "name"]], data_out / "agents.csv")
        write_csv(skills, data_out / "skills.csv")
        (data_out / "planner.toml").write_text((Path(data) / "planner.toml").read_text())
        write_csv(pd.DataFrame({"case_type": types, "interval_start": WEEK_START, "volume": 0.0}),
                  data_out / "volumes.csv")
    return out


def _stand_in_tiers(cases: pd.DataFrame, agents: pd.DataFrame, scale: int) -> dict[str, str]:
    c = cases.dropna(subset=["agent_id", "handle_seconds"])
    rel = c["handle_seconds"] / c.groupby("case_type")["handle_seconds"].transform("mean")
    speed = rel.groupby(c["agent_id"].astype(str)).mean()
    out = {}
    for a in agents["agent_id"]:
        orig = a.rsplit("_", 1)[0] if scale > 1 else a
        out[a] = speed.get(orig, 1.0)
    q1, q3 = np.quantile(list(out.values()), [0.25, 0.75])
    return {a: ("high" if v <= q1 else "low" if v >= q3 else "medium") for a, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a greedy hand-made plan of the sample week")
    ap.add_argument("--data", default="data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=int, default=1)
    args = ap.parse_args(argv)
    out = make_plan(args.data, args.out, args.scale)
    print(f"wrote {out}/forecast.csv, assignments.csv, tiers.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
