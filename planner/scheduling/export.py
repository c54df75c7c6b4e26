"""The plan as tables: schedule.csv, assignments.csv, coverage.csv (columns as in ARCHITECTURE.md).

* ``schedule.csv``: ``agent_id, date, shift_start, shift_end, breaks, paid_hours``; ``breaks`` lists
  ``kind HH:MM-HH:MM`` separated by ``; `` with the real break length (times of day; a time before
  the shift start is on the next day).
* ``assignments.csv``: ``agent_id, interval_start, activity``: one row per worked grid interval.
  With planned training (training.csv) a fourth column ``topic`` names the session on its
  ``training`` rows (empty elsewhere, and on the filler ``training`` of an agent with no eligible
  activity), and schedule.csv gains ``training_hours`` per shift. Without training both files keep
  their columns, so older readers are unaffected.
* ``coverage.csv``: ``case_type, interval_start, required, scheduled, shortfall, overstaffing`` for
  every activity and horizon interval that is open or has a requirement.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from planner.scheduling.activities import DayPlan
from planner.scheduling.problem import SchedulingProblem


def _hhmm(dt: datetime) -> str:
    return dt.strftime("%H:%M")


def schedule_frame(problem: SchedulingProblem, shifts: dict[tuple[int, int], int],
                   plan: DayPlan, topic: dict[tuple[int, int], str] | None = None) -> pd.DataFrame:
    rows = []
    iv = problem.interval
    base = datetime.combine(problem.grid.start, datetime.min.time())
    # One shift's times and break text per (day, template, break offsets): thousands of agents
    # share a few.
    shift_cache: dict[tuple[int, int, tuple[int, ...]], tuple[str, datetime, datetime, str]] = {}
    for (i, d), k in sorted(shifts.items(), key=lambda kv: (problem.agents[kv[0][0]].agent_id,
                                                               kv[0][1])):
        tpl = problem.templates[k]
        offs = plan.breaks.get((i, d), tuple(w.nominal for w in tpl.breaks))
        got = shift_cache.get((d, k, offs))
        if got is None:
            day0 = base + timedelta(days=d)
            start = day0 + timedelta(minutes=tpl.start_minute)
            parts = []
            for w, off in zip(tpl.breaks, offs, strict=True):
                b = start + timedelta(minutes=off)
                parts.append(f"{w.kind} {_hhmm(b)}-{_hhmm(b + timedelta(minutes=w.minutes))}")
            got = shift_cache[(d, k, offs)] = (
                day0.date().isoformat(), start, day0 + timedelta(minutes=tpl.end_minute),
                "; ".join(parts))
        row = {
            "agent_id": problem.agents[i].agent_id,
            "date": got[0],
            "shift_start": got[1],
            "shift_end": got[2],
            "breaks": got[3],
            "paid_hours": tpl.paid_minutes / 60,
        }
        if problem.training:
            t0 = problem.grid.index(d, tpl.start_minute)
            t1 = problem.grid.index(d, tpl.end_minute)
            row["training_hours"] = sum((i, t) in (topic or {}) for t in range(t0, t1)) * iv / 60
        rows.append(row)
    cols = ["agent_id", "date", "shift_start", "shift_end", "breaks", "paid_hours"]
    if problem.training:
        cols.append("training_hours")
    return pd.DataFrame(rows, columns=cols)


def assignments_frame(problem: SchedulingProblem, plan: DayPlan,
                      topic: dict[tuple[int, int], str] | None = None) -> pd.DataFrame:
    stamps = np.asarray(problem.grid.timestamps(), dtype="datetime64[ns]")
    topic = topic or {}
    agents = sorted(plan.activity, key=lambda i: problem.agents[i].agent_id)
    counts = [len(plan.activity[i]) for i in agents]
    total = sum(counts)
    ts = np.empty(total, dtype=np.int64)
    acts = np.empty(total, dtype=object)
    pos = 0
    for i, n in zip(agents, counts, strict=True):
        row = plan.activity[i]
        t = np.fromiter(row.keys(), dtype=np.int64, count=n)
        order = np.argsort(t, kind="stable")
        ts[pos:pos + n] = t[order]
        acts[pos:pos + n] = np.array(list(row.values()), dtype=object)[order]
        pos += n
    who = np.repeat(np.array([problem.agents[i].agent_id for i in agents], dtype=object), counts)
    out = pd.DataFrame({"agent_id": pd.Series(who, dtype="string"),
                        "interval_start": pd.to_datetime(stamps[ts]),
                        "activity": pd.Series(acts, dtype="string")})
    if problem.training:
        who_i = np.repeat(np.array(agents, dtype=np.int64), counts)
        out["topic"] = pd.Series([topic.get((int(i), int(t))) for i, t in zip(who_i, ts, strict=True)],
                                 dtype="string")
    return out


def scheduled_matrix(problem: SchedulingProblem, plan: DayPlan) -> np.ndarray:
    """Agents on each activity per grid interval, from the plan."""
    out = np.zeros((len(problem.activities), problem.grid.size), dtype=int)
    pos = {c: n for n, c in enumerate(problem.activities)}
    for acts in plan.activity.values():
        for t, act in acts.items():
            if act in pos:
                out[pos[act], t] += 1
    return out


def coverage_frame(problem: SchedulingProblem, scheduled: np.ndarray) -> pd.DataFrame:
    grid = problem.grid
    horizon = grid.days * grid.per_day
    stamps = grid.timestamps()[:horizon]
    frames = []
    for c, name in enumerate(problem.activities):
        req = problem.required[c, :horizon]
        sch = scheduled[c, :horizon]
        keep = problem.open[:horizon] | (req > 0) | (sch > 0)
        frames.append(pd.DataFrame({
            "case_type": name,
            "interval_start": pd.to_datetime(stamps[keep].astype("datetime64[ns]")),
            "required": np.round(req[keep], 3),
            "scheduled": sch[keep],
            "shortfall": np.round(np.maximum(0.0, req[keep] - sch[keep]), 3),
            "overstaffing": np.round(np.maximum(0.0, sch[keep] - req[keep]), 3),
        }))
    out = pd.concat(frames, ignore_index=True)
    out["case_type"] = out["case_type"].astype("string")
    return out


def summary_frame(coverage: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """Per case type: required, scheduled, shortfall and overstaffing in agent-hours."""
    h = interval_minutes / 60
    g = coverage.groupby("case_type", sort=False)[["required", "scheduled", "shortfall",
                                                     "overstaffing"]].sum() * h
    g = g.rename(columns=lambda c: f"{c}_hours").reset_index()
    total = g.drop(columns="case_type").sum()
    g.loc[len(g)] = {"case_type": "total", **total.to_dict()}
    return g.round(2)
