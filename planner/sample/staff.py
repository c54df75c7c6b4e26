"""The sample center's agents: contracts, skills, a latent true performance, rosters, availability."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.sample.spec import (
    CHANNEL_CONCURRENCY,
    CHANNEL_SHARE,
    CONTRACTS,
    LEVEL_AHT_FACTOR,
    PERF_AHT,
    ROSTER_BETA,
    ROSTER_OCCUPANCY,
    SPECIALIST_SHARE,
    SPECIALIST_WEIGHT,
    CaseTypeSpec,
)

MIN_SKILLED = 5  # agents per case type at least

_FIRST = ("Amara", "Ben", "Chloe", "Daniel", "Ella", "Finn", "Grace", "Harry", "Isla", "Jack", "Kiran",
          "Leah", "Mohammed", "Nia", "Oliver", "Priya", "Quinn", "Ruby", "Sam", "Tara", "Usman",
          "Verity", "Will", "Yasmin", "Zac", "Aisha", "Callum", "Darcy", "Ethan", "Freya", "George",
          "Hannah", "Imran", "Jess", "Liam", "Maya", "Noah", "Olivia", "Rhys", "Sophie")
_LAST = ("Ahmed", "Baker", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hughes", "Iqbal",
         "Jones", "Khan", "Lewis", "Morris", "Nowak", "O'Brien", "Patel", "Roberts", "Singh", "Taylor",
         "Walker", "Wright", "Young", "Hall", "Price", "Shah", "Turner", "Ward", "Wood")


@dataclass(frozen=True)
class Staff:
    """Agents with their true (latent) traits, skills, and the per-interval roster of the history."""

    agents: pd.DataFrame  # the agents.csv contract
    skills: pd.DataFrame  # the skills.csv contract
    truth: pd.DataFrame  # agent_id, latent_score, tier, handle_factor, specialist, primary_channel
    level: np.ndarray  # (n_types, n_agents) skill level, 0 = not skilled
    route_weight: np.ndarray  # (n_types, n_agents) routing preference, 0 = not eligible
    handle_factor: np.ndarray  # (n_types, n_agents) handle-time multiplier
    latent: np.ndarray  # (n_agents,) standard-normal true performance
    primary: np.ndarray  # (n_agents,) index into CHANNELS


CHANNELS = ("phone", "chat", "email")


def _counts(n: int, shares: dict[str, float]) -> list[int]:
    """Split n by shares with largest-remainder rounding (deterministic headcounts)."""
    raw = np.array([shares[c] for c in CHANNELS]) * n
    base = np.floor(raw).astype(int)
    rest = n - base.sum()
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base.tolist()


def make_staff(specs: tuple[CaseTypeSpec, ...], n_agents: int, rng: np.random.Generator) -> Staff:
    """Draw agents, contracts, skills and latent performance."""
    n_types = len(specs)
    counts = _counts(n_agents, CHANNEL_SHARE)
    primary = np.repeat(np.arange(3), counts)
    primary = primary[rng.permutation(n_agents)]
    ids = [f"A{i + 1:03d}" for i in range(n_agents)]
    tenure = np.round(rng.gamma(2.0, 1.4, n_agents), 1)
    # Specialists in complex work: chosen among agents of channels that have complex types.
    n_spec = max(3, round(SPECIALIST_SHARE * n_agents))
    specialist = np.zeros(n_agents, dtype=bool)
    specialist[rng.choice(n_agents, n_spec, replace=False)] = True
    latent = rng.normal(0.0, 1.0, n_agents)
    # Specialists are, on average, better agents: their raw KPIs look worse only because of the
    # harder case mix, which is exactly what case-mix adjustment must see through.
    latent[specialist] = rng.normal(0.5, 0.8, specialist.sum())
    tenure[specialist] += 2.0

    level = np.zeros((n_types, n_agents), dtype=int)
    for a in range(n_agents):
        ch = CHANNELS[primary[a]]
        base = 1.4 + 0.55 * tenure[a] + 0.5 * latent[a]
        for k, spec in enumerate(specs):
            own = spec.channel == ch
            if spec.complexity == "complex":
                if specialist[a] and own:
                    lv = 4 + (rng.random() < 0.5)
                elif own and rng.random() < 0.30 + 0.1 * (tenure[a] > 3):
                    lv = int(np.clip(round(base - 1 + rng.normal(0, 0.6)), 1, 4))
                else:
                    continue
            elif spec.complexity == "standard":
                if not own and not (rng.random() < 0.20):
                    continue
                if own and rng.random() > 0.85 and not specialist[a]:
                    continue
                lv = int(np.clip(round(base + rng.normal(0, 0.6)), 1, 5))
            else:
                # Transactional work: everyone on the channel; some cross-skilled into another.
                if not own and not (rng.random() < 0.25):
                    continue
                lv = int(np.clip(round(base + 0.5 + rng.normal(0, 0.6)), 1, 5))
            level[k, a] = lv
        if not level[:, a].any():
            # Everyone can take something: the channel's first non-complex type.
            k = next(k for k, sp in enumerate(specs) if sp.channel == ch and sp.complexity != "complex")
            level[k, a] = int(np.clip(round(base), 1, 5))
        # A specialist without a complex skill would not be one.
        if specialist[a] and not any(level[k, a] and specs[k].complexity == "complex"
                                     for k in range(n_types)):
            specialist[a] = False

    # Every type needs a few skilled agents, or nights and weekends could not be covered: give it
    # to the most experienced agents of its channel who lack it.
    for k, spec in enumerate(specs):
        short = MIN_SKILLED - int((level[k] > 0).sum())
        if short <= 0:
            continue
        pool = np.flatnonzero((primary == CHANNELS.index(spec.channel)) & (level[k] == 0))
        pick = pool[np.argsort(-(tenure[pool] + latent[pool]), kind="stable")[:short]]
        level[k, pick] = np.clip(np.round(1.0 + 0.4 * tenure[pick] + 0.5 * latent[pick]), 1, 5).astype(int)

    weight = np.where(level > 0, 0.6 + 0.2 * level, 0.0)
    complex_rows = np.array([s.complexity == "complex" for s in specs])
    weight[np.ix_(complex_rows, specialist)] *= SPECIALIST_WEIGHT
    # Specialists take little simple work while complex work waits.
    weight[np.ix_(~complex_rows, specialist)] *= 0.35
    agent_noise = np.exp(rng.normal(0.0, 0.05, n_agents))
    level_factor = np.vectorize(lambda v: LEVEL_AHT_FACTOR.get(int(v), 1.0))(level)
    handle = level_factor * np.exp(PERF_AHT * latent) * agent_noise

    contract_idx = rng.choice(len(CONTRACTS), n_agents, p=[c[0] for c in CONTRACTS])
    min_h = np.array([CONTRACTS[i][1] for i in contract_idx])
    max_h = np.array([CONTRACTS[i][2] for i in contract_idx])
    max_days = np.array([CONTRACTS[i][3] for i in contract_idx])
    # A few part-timers work school hours only.
    school = (contract_idx > 0) & (rng.random(n_agents) < 0.4)
    names = [f"{_FIRST[rng.integers(len(_FIRST))]} {_LAST[rng.integers(len(_LAST))]}"
             for _ in range(n_agents)]
    team = [f"{CHANNELS[p]}-{1 + (i % 2)}" for i, p in enumerate(primary)]
    cost = np.round(14.0 + 1.2 * level.max(axis=0) + 0.3 * tenure, 2)
    agents = pd.DataFrame({
        "agent_id": ids,
        "name": names,
        "team": team,
        "site": np.where(rng.random(n_agents) < 0.7, "Leeds", "Cardiff"),
        "min_hours": min_h,
        "max_hours": max_h,
        "max_days": max_days,
        "earliest_start": np.where(school, "09:00", ""),
        "latest_end": np.where(school, "15:00", ""),
        "hourly_cost": cost,
    })
    rows = [(ids[a], specs[k].name, int(level[k, a]))
            for a in range(n_agents) for k in range(n_types) if level[k, a] > 0]
    skills = pd.DataFrame(rows, columns=["agent_id", "case_type", "level"])
    ranks = pd.Series(latent).rank(pct=True).to_numpy()
    tier = np.where(ranks > 0.75, "high", np.where(ranks <= 0.25, "low", "medium"))
    truth = pd.DataFrame({
        "agent_id": ids,
        "latent_score": np.round(latent, 4),
        "tier": tier,
        "handle_factor": np.round(np.exp(PERF_AHT * latent) * agent_noise, 4),
        "specialist": specialist,
        "primary_channel": [CHANNELS[p] for p in primary],
        "tenure_years": tenure,
    })
    return Staff(agents, skills, truth, level, weight, handle, latent, primary)


def roster(staff: Staff, specs: tuple[CaseTypeSpec, ...], rates: np.ndarray, grid: pd.DatetimeIndex,
           work_open: np.ndarray, rng: np.random.Generator, minutes: int = 30) -> np.ndarray:
    """Who was on shift in each history interval: a (n_intervals, n_agents) boolean matrix.

    ``work_open`` (3, n_intervals) says when agents of each primary channel can work (phone and chat:
    their opening hours; email: the center's). The history's planner is greedy: each week every
    agent works their contract's days (the channel's busy days more likely); each working day the
    shifts go where the channel's requirement (expected work at ``ROSTER_OCCUPANCY``) is least
    covered. Email work is spread evenly over the day's working hours (it waits in a backlog).
    """
    per_day = 24 * 60 // minutes
    n_days = len(grid) // per_day
    n_agents = len(staff.agents)
    sec = minutes * 60.0
    on = np.zeros((len(grid), n_agents), dtype=bool)
    shift_len = {a: round(_shift_hours(staff.agents, a) * 60 / minutes) for a in range(n_agents)}
    max_days = staff.agents["max_days"].to_numpy()
    school = staff.agents["earliest_start"].to_numpy() != ""
    # Requirement per channel and interval.
    need = np.zeros((3, len(grid)))
    for k, spec in enumerate(specs):
        c = CHANNELS.index(spec.channel)
        need[c] += rates[k] * spec.aht_mean_seconds / sec / CHANNEL_CONCURRENCY[spec.channel]
    # Square-root staffing (Halfin-Whitt): a + beta * sqrt(a) agents is close to what Erlang C asks
    # for a fixed service level, so small evening groups get the extra slack they need.
    need[:2] += ROSTER_BETA * np.sqrt(need[:2])
    need[2] /= ROSTER_OCCUPANCY
    # Email: the day's work spread over the center's open intervals of that day.
    email = need[2].reshape(n_days, per_day)
    open_d = work_open[2].reshape(n_days, per_day)
    day_total = email.sum(axis=1, keepdims=True)
    spread = np.where(open_d, day_total / np.maximum(open_d.sum(axis=1, keepdims=True), 1), 0.0)
    need[2] = spread.ravel()
    for week in range(n_days // 7):
        days = range(week * 7, week * 7 + 7)
        day_need = {c: np.array([need[c, d * per_day:(d + 1) * per_day].sum() for d in days])
                    for c in range(3)}
        work_days: dict[int, list[int]] = {d: [] for d in days}
        for a in range(n_agents):
            c = staff.primary[a]
            w = day_need[c] + 1e-9
            k = int(min(max_days[a], (w > 1e-6).sum()))
            chosen = rng.choice(7, size=k, replace=False, p=w / w.sum())
            for d in chosen:
                work_days[week * 7 + int(d)].append(a)
        for d in days:
            _roster_day(d, work_days[d], need, work_open, staff, shift_len, school, on, rng, per_day,
                        minutes)
    return on


def _roster_day(d: int, workers: list[int], need: np.ndarray, work_open: np.ndarray, staff: Staff,
                shift_len: dict[int, int], school: np.ndarray, on: np.ndarray,
                rng: np.random.Generator, per_day: int, minutes: int) -> None:
    """Place one day's shifts: greedy on the uncovered requirement, then two improvement passes.

    The score of a start is the requirement it still covers (uncapped, so peaks attract more
    agents than shoulders); each pass lifts one agent's shift and puts it back at its best start.
    """
    lo_i = d * per_day
    deficit = need[:, lo_i:lo_i + per_day].copy()
    windows = {}
    for a in rng.permutation(workers):
        a = int(a)
        c = staff.primary[a]
        open_today = work_open[c, lo_i:lo_i + per_day]
        if not open_today.any():
            continue
        first = int(np.argmax(open_today))
        last = per_day - int(np.argmax(open_today[::-1]))  # exclusive
        length = min(shift_len[a], last - first)
        lo, hi = first, last - length
        if school[a]:
            lo = max(lo, 9 * 60 // minutes)
            hi = max(lo, min(hi, 15 * 60 // minutes - length))
        windows[a] = (c, length, lo, hi)
    placed: dict[int, int] = {}

    def best(a: int) -> int:
        c, length, lo, hi = windows[a]
        gain = np.convolve(np.maximum(deficit[c], 0), np.ones(length), "valid")
        cand = np.arange(lo, hi + 1)
        return int(cand[np.argmax(gain[cand] + rng.random(len(cand)) * 1e-6)])

    for _ in range(3):
        for a in windows:
            c, length, _lo, _hi = windows[a]
            if a in placed:
                deficit[c, placed[a]:placed[a] + length] += 1
            s = best(a)
            placed[a] = s
            deficit[c, s:s + length] -= 1
    for a, s in placed.items():
        on[lo_i + s:lo_i + s + windows[a][1], a] = True


def _shift_hours(agents: pd.DataFrame, a: int) -> float:
    max_h = float(agents["max_hours"].iloc[a])
    days = int(agents["max_days"].iloc[a])
    return min(8.0, max(4.0, round(max_h / days * 2) / 2))
