"""A synthetic center with known agent performance: fixtures for tests and the benchmark.

Each agent has a true skill ``theta`` ~ N(0, 1) and a true skill per case type (``theta`` plus a
per-type deviation). Skill shortens handle time and raises first-contact resolution, CSAT and QA; it
lowers reopens and transfers. Stronger agents are routed more of the complex case types, so raw
handle time punishes them: the case-mix adjustment has something real to remove.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.io.config import CaseTypeConfig, PlannerConfig

# name: (complexity, channel, share of volume, base handle [s], base FCR)
CASE_TYPES: dict[str, tuple[str, str, float, float, float]] = {
    "password_reset": ("transactional", "chat", 0.22, 240.0, 0.92),
    "address_change": ("transactional", "email", 0.13, 200.0, 0.90),
    "billing": ("standard", "phone", 0.25, 420.0, 0.80),
    "cancellation": ("standard", "phone", 0.15, 480.0, 0.75),
    "technical_fault": ("complex", "phone", 0.15, 900.0, 0.60),
    "complaint": ("complex", "phone", 0.10, 780.0, 0.55),
}


@dataclass(frozen=True)
class SyntheticCenter:
    """Inputs of the tiers stage plus the truth: ``truth`` has ``agent_id``, ``theta``;
    ``type_truth`` has ``agent_id``, ``case_type``, ``theta_type``."""

    cases: pd.DataFrame
    agents: pd.DataFrame
    skills: pd.DataFrame
    config: PlannerConfig
    truth: pd.DataFrame
    type_truth: pd.DataFrame


def _logit(p: float | np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def make_center(n_agents: int = 60, weeks: int = 16, cases_per_week: float = 50.0, seed: int = 0,
                start: str = "2026-03-02", theta: dict[str, float] | None = None,
                complex_share: dict[str, float] | None = None, csat_rate: float = 0.15,
                qa_rate: float = 0.05) -> SyntheticCenter:
    """Generate a center; ``theta`` and ``complex_share`` plant chosen agents (by agent_id)."""
    rng = np.random.default_rng(seed)
    names = list(CASE_TYPES)
    comp = np.array([CASE_TYPES[t][0] for t in names])
    share = np.array([CASE_TYPES[t][2] for t in names])
    base_h = np.array([CASE_TYPES[t][3] for t in names])
    base_fcr = np.array([CASE_TYPES[t][4] for t in names])
    ids = [f"A{i:03d}" for i in range(n_agents)]
    th = rng.normal(0, 1, n_agents)
    for a, v in (theta or {}).items():
        th[ids.index(a)] = v
    th_type = th[:, None] + rng.normal(0, 0.5, (n_agents, len(names)))
    # Routing: stronger agents get more complex work (the confounder case-mix adjustment must undo).
    pref = share[None, :] * np.exp(np.where(comp == "complex", 0.7, 0.0)[None, :] * th[:, None])
    mix = pref / pref.sum(axis=1, keepdims=True)
    for a, cs in (complex_share or {}).items():
        i = ids.index(a)
        is_c = comp == "complex"
        mix[i] = np.where(is_c, cs * share / share[is_c].sum(), (1 - cs) * share / share[~is_c].sum())
    load = rng.uniform(0.6, 1.4, n_agents) * cases_per_week * weeks
    counts = rng.poisson(load)
    agent_idx = np.repeat(np.arange(n_agents), counts)
    n = len(agent_idx)
    u = rng.random(n)
    cum = np.cumsum(mix, axis=1)[agent_idx]
    type_idx = np.minimum((u[:, None] > cum).sum(axis=1), len(names) - 1)
    t0 = pd.Timestamp(start)
    day = rng.integers(0, weeks * 7, n)
    secs = rng.integers(8 * 3600, 20 * 3600, n)
    created = t0 + pd.to_timedelta(day, unit="D") + pd.to_timedelta(secs, unit="s")
    skill = th_type[agent_idx, type_idx]
    handle = base_h[type_idx] * np.exp(-0.15 * skill + rng.normal(0, 0.45, n))
    fcr = rng.random(n) < _expit(_logit(base_fcr[type_idx]) + 0.45 * skill)
    reopened = (~fcr) & (rng.random(n) < _expit(_logit(0.3) - 0.3 * skill))
    transfers = rng.poisson(0.15 * np.exp(-0.4 * skill) * np.where(comp[type_idx] == "complex", 2, 1))
    csat_mean = 3.9 + 0.35 * skill + 0.3 * fcr - np.where(comp[type_idx] == "complex", 0.3, 0)
    csat = np.clip(np.round(csat_mean + rng.normal(0, 0.9, n)), 1, 5)
    csat = np.where(rng.random(n) < csat_rate, csat, np.nan)
    qa = np.clip(80 + 5 * skill + rng.normal(0, 8, n), 0, 100)
    qa = np.where(rng.random(n) < qa_rate, np.round(qa), np.nan)
    order = np.argsort(created.to_numpy(), kind="stable")
    cases = pd.DataFrame({
        "case_id": [f"C{i:07d}" for i in range(n)],
        "created_at": created.to_numpy()[order],
        "case_type": pd.array(np.array(names)[type_idx][order], dtype="string"),
        "channel": pd.array(np.array([CASE_TYPES[t][1] for t in names])[type_idx][order],
                            dtype="string"),
        "agent_id": pd.array(np.array(ids)[agent_idx][order], dtype="string"),
        "handle_seconds": np.round(handle[order], 1),
        "wait_seconds": np.round(rng.exponential(30, n), 1),
        "abandoned": pd.array(np.zeros(n, dtype=bool), dtype="boolean"),
        "resolved_first_contact": pd.array(fcr[order], dtype="boolean"),
        "reopened": pd.array(reopened[order], dtype="boolean"),
        "transfers": pd.array(transfers[order], dtype="Int64"),
        "csat": csat[order],
        "qa_score": qa[order],
    })
    cases["case_id"] = pd.array([f"C{i:07d}" for i in range(n)], dtype="string")
    agents = pd.DataFrame({"agent_id": pd.array(ids, dtype="string"),
                           "name": pd.array([f"Agent {i}" for i in range(n_agents)], dtype="string")})
    # Declared levels: the true per-type skill seen through a noisy self/lead assessment.
    declared = np.clip(np.round(3 + 1.1 * (th_type + rng.normal(0, 0.6, th_type.shape))), 1, 5)
    skills = pd.DataFrame({
        "agent_id": pd.array(np.repeat(ids, len(names)), dtype="string"),
        "case_type": pd.array(np.tile(names, n_agents), dtype="string"),
        "level": pd.array(declared.ravel().astype(int), dtype="Int64"),
    })
    config = PlannerConfig(case_types={
        t: CaseTypeConfig(channel=CASE_TYPES[t][1], complexity=CASE_TYPES[t][0]) for t in names
    })
    truth = pd.DataFrame({"agent_id": ids, "theta": th})
    type_truth = pd.DataFrame({"agent_id": np.repeat(ids, len(names)),
                               "case_type": np.tile(names, n_agents), "theta_type": th_type.ravel()})
    return SyntheticCenter(cases, agents, skills, config, truth, type_truth)
