"""Service level, ASA, occupancy, abandonment and hand-offs: pure functions of the case records.

Definitions (the same as planner.staffing uses for Erlang C):

* ``service_level`` = cases answered within the type's ``answer_seconds`` (its deadline for back-office
  work) / cases offered. Abandoned and never-answered cases count as missed.
* ``asa_seconds`` = mean wait of answered cases.
* ``abandon_rate`` = abandoned / offered.
* ``occupancy`` = busy agent-seconds / on-queue agent-seconds. Per case type it is that of the agents
  whose planned activity is the type (a case counts for the activity its agent had when it started);
  a plan without per-interval activities (every agent ``any``) gets the center's occupancy on every
  row. A chat taking 1/k of an agent counts 1/k busy. Work finished after going off queue is not
  counted (nor is that time on queue). A case counts for the activity at its start, so a type's
  occupancy can pass 1 a little where agents change activity mid-case; the ``all`` row cannot.
* ``handoffs`` = swarm joins (one per expert who joined a case).
* ``high_tier_share`` = share of a type's handle time done by high-tier agents;
  ``high_tier_on_transactional`` (``all`` row) = share of high-tier busy time spent on transactional
  types, including swarm time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from planner.routing.center import ANY, CAPACITY, HIGH, SWARM, TRANSACTIONAL, Case, Center
from planner.simulation.plan import Plan

ALL = "all"


def outcomes(cases: pd.DataFrame, center: Center) -> pd.DataFrame:
    """Per case: ``answered``, ``abandoned``, ``wait`` [s], ``in_target``, ``handle`` [s]."""
    state = cases["state"].to_numpy()
    answered = (state == Case.SERVING) | (state == Case.DONE)
    abandoned = state == Case.ABANDONED
    arrival = cases["arrival"].to_numpy()
    wait = np.where(answered, cases["start"].to_numpy() - arrival, np.nan)
    target = center.answer_seconds[cases["case_type"].to_numpy()]
    return cases.assign(
        answered=answered, abandoned=abandoned, wait=wait,
        in_target=answered & (np.nan_to_num(wait, nan=np.inf) <= target + 1e-9),
        handle=np.where(answered, cases["end"].to_numpy() - cases["start"].to_numpy(), 0.0),
    )


def spread_over_intervals(key: np.ndarray, start: np.ndarray, end: np.ndarray,
                          weight: np.ndarray, n_keys: int, interval_seconds: float,
                          n_intervals: int) -> np.ndarray:
    """Sum of ``weight`` x overlap [s] of each [start, end) with each interval, per key.

    Returns an (n_keys, n_intervals) array; time past the last interval is added to the last one.
    """
    L = interval_seconds
    ok = end > start
    key, start, end, weight = key[ok], start[ok], end[ok], weight[ok]
    first = np.floor(start / L).astype(np.int64)
    last = np.maximum(np.floor(np.nextafter(end, -np.inf) / L).astype(np.int64), first)
    span = last - first + 1
    rep = np.repeat(np.arange(len(start)), span)
    offset = np.repeat(np.cumsum(span) - span, span)
    j = first[rep] + (np.arange(len(rep)) - offset)
    dur = (np.minimum(end[rep], (j + 1) * L) - np.maximum(start[rep], j * L)) * weight[rep]
    j = np.clip(j, 0, n_intervals - 1)
    flat = np.bincount(key[rep] * n_intervals + j, weights=dur, minlength=n_keys * n_intervals)
    return flat.reshape(n_keys, n_intervals)


def _activity_key(code: np.ndarray, n_types: int) -> np.ndarray:
    """Activity codes -> row keys: a type's index, then SWARM, then ANY."""
    return np.where(code >= 0, code, np.where(code == SWARM, n_types, n_types + 1))


def _stretch_end(plan: Plan) -> np.ndarray:
    """Per segment: the end of the agent's unbroken on-queue stretch it belongs to."""
    agent, start, end = plan.seg_agent, plan.seg_start, plan.seg_end
    out = end.copy()
    for i in range(len(out) - 2, -1, -1):
        if agent[i + 1] == agent[i] and start[i + 1] == end[i]:
            out[i] = out[i + 1]
    return out


def activity_at(plan: Plan, agent: np.ndarray, when: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The planned activity code of each (agent, time), and the end of that on-queue stretch.

    Where the agent is not on a segment: ANY and +inf.
    """
    if len(plan.seg_start) == 0:
        return np.full(len(agent), ANY), np.full(len(agent), np.inf)
    big = float(np.max(plan.seg_end) + 1e7)
    seg_key = plan.seg_agent * big + plan.seg_start
    pos = np.searchsorted(seg_key, agent * big + when, side="right") - 1
    pos_ok = np.clip(pos, 0, len(seg_key) - 1)
    hit = (pos >= 0) & (plan.seg_agent[pos_ok] == agent)
    return (np.where(hit, plan.seg_activity[pos_ok], ANY),
            np.where(hit, _stretch_end(plan)[pos_ok], np.inf))


def busy_and_on_queue(cases: pd.DataFrame, center: Center, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Busy and on-queue agent-seconds per (activity key, interval) of one replication.

    Work an agent finishes after going off queue (shift end, break) is not counted: neither is the
    time in the denominator, so occupancy stays a share of on-queue time.
    """
    T, n_int, L = center.n_types, plan.n_intervals, plan.interval_seconds
    served = cases[cases["agent"] >= 0]
    sw = cases[cases["expert"] >= 0]
    agent = np.concatenate([served["agent"].to_numpy(), sw["expert"].to_numpy()])
    start = np.concatenate([served["start"].to_numpy(), sw["swarm_start"].to_numpy()])
    end = np.concatenate([served["end"].to_numpy(), sw["swarm_end"].to_numpy()])
    weight = np.concatenate([center.units[served["case_type"].to_numpy()] / CAPACITY,
                             np.ones(len(sw))])
    act, stretch_end = activity_at(plan, agent, start)
    busy = spread_over_intervals(_activity_key(act, T), start, np.minimum(end, stretch_end), weight,
                                 T + 2, L, n_int)
    onq = spread_over_intervals(_activity_key(plan.seg_activity, T), plan.seg_start, plan.seg_end,
                                np.ones(len(plan.seg_start)), T + 2, L, n_int)
    return busy, onq


def _ratio(num, den):
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def interval_table(cases: pd.DataFrame, center: Center, plan: Plan) -> pd.DataFrame:
    """One replication per case type and interval: counts and sums that pool across replications.

    Columns: ``case_type``, ``interval``, ``offered``, ``answered``, ``in_target``, ``abandoned``,
    ``wait_sum``, ``handoffs``, ``busy``, ``on_queue`` (occupancy = busy / on_queue).
    """
    T, n_int = center.n_types, plan.n_intervals
    o = outcomes(cases, center)
    cell = o["case_type"].to_numpy() * n_int + o["interval"].to_numpy()
    size = T * n_int

    def count(values) -> np.ndarray:
        return np.bincount(cell, weights=np.asarray(values, dtype=float), minlength=size)

    busy, onq = busy_and_on_queue(cases, center, plan)
    if onq[:T].sum() == 0:
        busy_t = np.broadcast_to(busy.sum(0), (T, n_int))
        onq_t = np.broadcast_to(onq.sum(0), (T, n_int))
    else:
        busy_t, onq_t = busy[:T], onq[:T]
    return pd.DataFrame({
        "case_type": np.repeat(np.arange(T), n_int),
        "interval": np.tile(np.arange(n_int), T),
        "offered": count(np.ones(len(o))),
        "answered": count(o["answered"]),
        "in_target": count(o["in_target"]),
        "abandoned": count(o["abandoned"]),
        "wait_sum": count(np.nan_to_num(o["wait"].to_numpy())),
        "handoffs": count(o["handoffs"]),
        "busy": np.ravel(busy_t),
        "on_queue": np.ravel(onq_t),
    })


def weekly_metrics(cases: pd.DataFrame, center: Center, plan: Plan) -> pd.DataFrame:
    """One replication's week per case type and ``all``: the metrics of the module docstring."""
    T = center.n_types
    o = outcomes(cases, center)
    busy, onq = busy_and_on_queue(cases, center, plan)
    tier = center.tier
    high_agent = np.where(o["agent"].to_numpy() >= 0, tier[np.maximum(o["agent"].to_numpy(), 0)],
                          -1) == HIGH
    o = o.assign(high_handle=np.where(high_agent, o["handle"].to_numpy(), 0.0))
    rows = []
    if onq[:T].sum() == 0:
        type_busy, type_onq = np.full(T, busy.sum()), np.full(T, onq.sum())
    else:
        type_busy, type_onq = busy[:T].sum(1), onq[:T].sum(1)
    groups = dict(tuple(o.groupby("case_type", sort=True)))
    for t in range(T):
        g = groups.get(t, o.iloc[0:0])
        rows.append(_row(center.case_types[t], g, type_busy[t], type_onq[t]))
    row = _row(ALL, o, busy.sum(), onq.sum())
    # High-tier time: handling (weighted by concurrency) plus swarm time, by complexity of the type.
    units = center.units[o["case_type"].to_numpy()] / CAPACITY
    transactional = center.complexity[o["case_type"].to_numpy()] == TRANSACTIONAL
    swarm_secs = np.nan_to_num(o["swarm_end"].to_numpy() - o["swarm_start"].to_numpy())
    expert_high = tier[np.maximum(o["expert"].to_numpy(), 0)] == HIGH
    high_all = (o["high_handle"].to_numpy() * units).sum() + swarm_secs[expert_high].sum()
    high_tr = ((o["high_handle"].to_numpy() * units)[transactional].sum()
               + swarm_secs[expert_high & transactional].sum())
    row["high_tier_on_transactional"] = high_tr / high_all if high_all > 0 else np.nan
    rows.append(row)
    return pd.DataFrame(rows)


def _row(name: str, g: pd.DataFrame, busy: float, onq: float) -> dict:
    offered = len(g)
    answered = int(g["answered"].sum())
    handle = g["handle"].sum()
    return {
        "case_type": name,
        "offered": offered,
        "answered": answered,
        "abandoned": int(g["abandoned"].sum()),
        "service_level": g["in_target"].sum() / offered if offered else np.nan,
        "asa_seconds": np.nanmean(g["wait"]) if answered else np.nan,
        "abandon_rate": g["abandoned"].sum() / offered if offered else np.nan,
        "occupancy": busy / onq if onq > 0 else np.nan,
        "handoffs": int(g["handoffs"].sum()),
        "high_tier_share": g["high_handle"].sum() / handle if handle > 0 else np.nan,
    }


SUMMARY_METRICS = ("offered", "answered", "abandoned", "service_level", "asa_seconds",
                   "abandon_rate", "occupancy", "handoffs", "high_tier_share",
                   "high_tier_on_transactional")


def confidence_summary(weekly: pd.DataFrame, by: list[str], level: float = 0.95) -> pd.DataFrame:
    """Mean and a ``level`` t-interval across replications of every metric.

    ``weekly`` has one row per replication and group (from :func:`weekly_metrics` with a
    ``replication`` column); each metric ``m`` gives columns ``m``, ``m_low``, ``m_high``.
    """
    metrics = [m for m in SUMMARY_METRICS if m in weekly]
    out = []
    for key, g in weekly.groupby(by, sort=False):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row["replications"] = len(g)
        for m in metrics:
            x = g[m].to_numpy(dtype=float)
            x = x[~np.isnan(x)]
            mean = x.mean() if len(x) else np.nan
            half = (special.stdtrit(len(x) - 1, 0.5 + level / 2) * x.std(ddof=1) / np.sqrt(len(x))
                    if len(x) > 1 else np.nan)
            row[m], row[f"{m}_low"], row[f"{m}_high"] = mean, mean - half, mean + half
        out.append(row)
    return pd.DataFrame(out)


def pool_intervals(tables: pd.DataFrame, center: Center, plan: Plan, by: list[str]) -> pd.DataFrame:
    """simulation.csv rows: per ``by`` + case type + interval, pooled over replications.

    Counts are means per replication; ratios are pooled (sum over sum), which is steadier than a mean
    of per-replication ratios on quiet intervals.
    """
    n_rep = tables.groupby(by, sort=False)["replication"].nunique().rename("n_rep")
    s = tables.drop(columns="replication").groupby([*by, "case_type", "interval"], sort=False).sum()
    s = s.join(n_rep, on=by).reset_index()
    out = s[by].copy()
    out["case_type"] = np.asarray(center.case_types, dtype=object)[s["case_type"].to_numpy()]
    out["interval_start"] = plan.interval_starts[s["interval"].to_numpy()]
    for col in ("offered", "answered", "abandoned"):
        out[col] = s[col] / s["n_rep"]
    out["service_level"] = _ratio(s["in_target"], s["offered"])
    out["asa_seconds"] = _ratio(s["wait_sum"], s["answered"])
    out["occupancy"] = _ratio(s["busy"], s["on_queue"])
    out["handoffs"] = s["handoffs"] / s["n_rep"]
    return out[[*by, "case_type", "interval_start", "offered", "answered", "service_level",
                "asa_seconds", "abandoned", "occupancy", "handoffs"]]
