"""From arrivals to case records: waiting, abandonment, who handled it, how long, and how well."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from planner.sample.spec import (
    CHANNEL_CONCURRENCY,
    LEVEL_FCR,
    PERF_CSAT,
    PERF_FCR,
    PERF_QA,
    PERF_REOPEN,
    PERF_TRANSFER,
    QA_RATE,
    REOPEN_BASE,
    REOPEN_UNRESOLVED,
    SURVEY_RATE,
    CaseTypeSpec,
)
from planner.sample.staff import CHANNELS, Staff


def erlang_c_wait(agents: np.ndarray, erlangs: np.ndarray) -> np.ndarray:
    """Probability of waiting in an M/M/n queue (Erlang C), vectorised; 1 when overloaded.

    Uses the Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)), then C = n B / (n - a (1 - B)).
    """
    n = np.asarray(agents, dtype=int)
    a = np.asarray(erlangs, dtype=float)
    b = np.ones_like(a)
    for k in range(1, int(n.max(initial=0)) + 1):
        nb = a * b / (k + a * b)
        b = np.where(k <= n, nb, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1 - b))
    return np.where((n > a) & (n > 0), np.clip(c, 0, 1), 1.0)


def _waits(specs: tuple[CaseTypeSpec, ...], kind: np.ndarray, interval: np.ndarray, staff: Staff,
           on: np.ndarray, rates_seen: np.ndarray, rng: np.random.Generator,
           minutes: int) -> np.ndarray:
    """Queue wait [s] each case would have had (before abandonment)."""
    sec = minutes * 60.0
    n_int = on.shape[0]
    wait = np.zeros(len(kind))
    chan = np.array([CHANNELS.index(s.channel) for s in specs])[kind]
    aht = np.array([s.aht_mean_seconds for s in specs])
    for c, name in enumerate(CHANNELS):
        staffed = on[:, staff.primary == c].sum(axis=1)
        sel = chan == c
        if name == "email":
            # Back office: picked up within a few hours while staffed; night mail waits for the
            # next staffed interval.
            nxt = np.full(n_int, n_int, dtype=int)
            later = n_int
            for i in range(n_int - 1, -1, -1):
                if staffed[i] > 0:
                    later = i
                nxt[i] = later
            idx = np.flatnonzero(sel)
            start = nxt[interval[idx]]
            gap = np.maximum(start - interval[idx], 0) * sec
            wait[idx] = gap + rng.exponential(2.5 * 3600.0, len(idx))
            continue
        conc = CHANNEL_CONCURRENCY[name]
        types = [k for k, s in enumerate(specs) if s.channel == name]
        work = sum(rates_seen[k] * aht[k] for k in types) / sec / conc
        calls = sum(rates_seen[k] for k in types)
        mean_aht = np.divide(work * sec * conc, np.maximum(calls, 1e-9))
        servers = staffed * conc
        pw = erlang_c_wait(servers, work * conc)
        # Conditional wait of M/M/n: exponential with mean AHT / (n - a); overloaded intervals get
        # a long wait capped at half an hour (the queue then empties through abandonment).
        free = np.maximum(servers - work * conc, 0.25)
        mean_cond = np.minimum(mean_aht / free, 1800.0)
        idx = np.flatnonzero(sel)
        i = interval[idx]
        waits = np.where(rng.random(len(idx)) < pw[i], rng.exponential(mean_cond[i]), 0.0)
        wait[idx] = waits + rng.uniform(0, 4, len(idx))  # ring / greeting time
    return wait


def make_cases(specs: tuple[CaseTypeSpec, ...], kind: np.ndarray, interval: np.ndarray,
               created: np.ndarray, staff: Staff, on: np.ndarray, rng: np.random.Generator,
               minutes: int = 30) -> tuple[pd.DataFrame, dict[str, float]]:
    """The cases.csv rows of the history, and a few facts about how they were made."""
    n = len(kind)
    n_int, n_agents = on.shape
    counts = np.zeros((len(specs), n_int))
    np.add.at(counts, (kind, interval), 1)
    wait = _waits(specs, kind, interval, staff, on, counts, rng, minutes)
    patience_mean = np.array([s.patience_seconds or np.inf for s in specs])[kind]
    patience = rng.exponential(np.where(np.isfinite(patience_mean), patience_mean, 1.0))
    abandoned = np.isfinite(patience_mean) & (patience < wait)
    wait = np.where(abandoned, patience, wait)
    answered = ~abandoned

    # Who handled it: an eligible agent on shift when the case was picked up (Gumbel-max draw over
    # routing weights); if nobody eligible was on shift, any eligible agent.
    pickup = np.minimum(interval + (wait // (minutes * 60)).astype(int), n_int - 1)
    agent = np.full(n, -1)
    logw = np.log(np.where(staff.route_weight > 0, staff.route_weight, 1e-300))
    idx_all = np.flatnonzero(answered)
    for lo in range(0, len(idx_all), 40_000):
        idx = idx_all[lo:lo + 40_000]
        lw = logw[kind[idx]] + np.where(on[pickup[idx]], 0.0, -50.0)
        g = rng.gumbel(size=(len(idx), n_agents))
        agent[idx] = np.argmax(lw + g, axis=1)

    ids = staff.agents["agent_id"].to_numpy()
    z = staff.latent
    k_ans = kind[answered]
    a_ans = agent[answered]
    lvl = staff.level[k_ans, a_ans]
    median = np.array([s.aht_median_seconds for s in specs])[k_ans]
    sigma = np.array([s.aht_sigma for s in specs])[k_ans]
    handle = np.exp(np.log(median * staff.handle_factor[k_ans, a_ans]) + sigma * rng.normal(size=len(k_ans)))
    # A handle time over 3 h is a ticket left open, not work: the export would cap it.
    handle = np.clip(np.round(handle), 10.0, 3 * 3600.0)

    fcr_p = expit(np.array([s.fcr_base for s in specs])[k_ans] + PERF_FCR * z[a_ans]
                  + LEVEL_FCR * (lvl - 3))
    fcr = rng.random(len(k_ans)) < fcr_p
    reopen_p = np.where(fcr, expit(REOPEN_BASE + PERF_REOPEN * z[a_ans]),
                        REOPEN_UNRESOLVED * expit(PERF_REOPEN * z[a_ans]) * 2)
    reopened = rng.random(len(k_ans)) < reopen_p
    tr_p = expit(np.array([s.transfer_base for s in specs])[k_ans] + PERF_TRANSFER * z[a_ans]
                 - 0.3 * (lvl - 3))
    transfers = (rng.random(len(k_ans)) < tr_p).astype(int)
    transfers += (transfers == 1) & (rng.random(len(k_ans)) < 0.15)

    chan = np.array([s.channel for s in specs])[k_ans]
    survey_p = np.vectorize(SURVEY_RATE.get)(chan).astype(float)
    surveyed = rng.random(len(k_ans)) < survey_p
    wait_ans = wait[answered]
    wait_pen = np.where(chan == "email", 0.0, np.minimum(wait_ans / 300.0, 1.0) * 0.6)
    latent_csat = (np.array([s.csat_base for s in specs])[k_ans] + PERF_CSAT * z[a_ans]
                   + 0.7 * (fcr - 0.5) - 0.5 * transfers - wait_pen + rng.normal(0, 0.9, len(k_ans)))
    csat = np.clip(np.round(latent_csat), 1, 5)
    qa_done = rng.random(len(k_ans)) < QA_RATE
    qa = np.clip(np.round(78 + PERF_QA * z[a_ans] + 2.5 * (lvl - 3) + rng.normal(0, 7, len(k_ans))),
                 0, 100)

    def full(values: np.ndarray, fill: object = "") -> np.ndarray:
        out = np.full(n, fill, dtype=object)
        out[answered] = values
        return out

    frame = pd.DataFrame({
        "case_id": [f"C{i + 1:07d}" for i in range(n)],
        "created_at": pd.to_datetime(created).strftime("%Y-%m-%dT%H:%M:%S"),
        "case_type": np.array([s.name for s in specs])[kind],
        "channel": np.array([s.channel for s in specs])[kind],
        "agent_id": full(ids[a_ans]),
        "handle_seconds": full(handle.astype(int)),
        "wait_seconds": np.round(wait).astype(int),
        "abandoned": abandoned.astype(int),
        "resolved_first_contact": full(fcr.astype(int)),
        "reopened": full(reopened.astype(int)),
        "transfers": full(transfers),
        "csat": full(np.where(surveyed, csat.astype(int).astype(str), "")),
        "qa_score": full(np.where(qa_done, qa.astype(int).astype(str), "")),
    })
    facts = {
        # Answered cases whose agent was not rostered when the case was picked up (no eligible
        # agent was on shift: the roster is greedy, not perfect).
        "answered_off_shift_share": round(float((~on[pickup[answered], a_ans]).mean()), 5),
        "answered_share": round(float(answered.mean()), 5),
    }
    return frame, facts
