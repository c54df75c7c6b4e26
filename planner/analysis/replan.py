"""Exact re-planning of activities on fixed shifts, as a maximum flow: what a skill change is worth.

With the shifts and breaks of the plan held fixed, the best assignment of working agents to case
types in one interval is a bipartite b-matching: each working agent covers at most one case type they
are eligible for, each case type takes at most its requirement. Its value (agent-intervals covered)
is a maximum flow, and all intervals are independent, so the whole week is one flow network:

    source -> (agent, interval) [cap 1] -> (case type, interval) [cap 1 if eligible]
           -> sink [cap = required]

The uncovered requirement is the least shortfall any activity plan on these shifts can reach. The
difference with and without a training change is exact for the plan's shifts and free of solver
noise (a CP-SAT re-solve under a short time limit varies by more than one change is worth); the full
re-solve, which may also move shifts, is left to :func:`~planner.analysis.training.measure_by_resolving`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from planner.analysis.shortage import working
from planner.domain import FLOW_UNITS_PER_AGENT as _UNIT


def replan_coverage(coverage: pd.DataFrame, assignments: pd.DataFrame,
                    eligible: pd.DataFrame) -> pd.DataFrame:
    """Coverage after the optimal re-plan of activities on the plan's shifts.

    Parameters
    ----------
    coverage : case_type, interval_start, required (the requirement per interval).
    assignments : the plan (who works when); break/lunch/training intervals are not available.
    eligible : agent_id, case_type pairs an agent may take (one row each).

    Returns
    -------
    case_type, interval_start, required, scheduled (agents the re-plan puts there, at most the
    requirement), shortfall; one row per row of ``coverage`` with a requirement.
    """
    req = coverage[["case_type", "interval_start", "required"]].copy()
    req["required"] = req["required"].astype(float).clip(lower=0)
    req = req[req["required"] > 0].reset_index(drop=True)
    req["scheduled"] = 0.0
    if req.empty:
        req["shortfall"] = 0
        return req
    work = working(assignments)[["agent_id", "interval_start"]].drop_duplicates().reset_index(drop=True)
    work["agent_id"] = work["agent_id"].astype(str)
    elig = eligible[["agent_id", "case_type"]].astype(str).drop_duplicates()
    # Edges (agent-interval, type-interval) where the agent is eligible and the type is required.
    pairs = work.reset_index(names="w").merge(elig, on="agent_id").merge(
        req.reset_index(names="r")[["r", "case_type", "interval_start"]],
        on=["case_type", "interval_start"])
    n_w, n_r = len(work), len(req)
    source, sink = 0, 1 + n_w + n_r
    rows = np.concatenate([np.zeros(n_w, dtype=np.int64), 1 + pairs["w"].to_numpy(),
                           1 + n_w + np.arange(n_r)])
    cols = np.concatenate([1 + np.arange(n_w), 1 + n_w + pairs["r"].to_numpy(),
                           np.full(n_r, sink)])
    # Integer capacities in hundredths of an agent: fractional requirements (expert swarm time)
    # count as they are, not rounded up to a whole agent.
    caps = np.concatenate([np.full(n_w, _UNIT), np.full(len(pairs), _UNIT),
                           np.round(req["required"].to_numpy() * _UNIT)]).astype(np.int32)
    graph = csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
    flow = maximum_flow(graph, source, sink).flow.tocsc()
    into_sink = np.asarray(flow[:, sink].todense()).ravel()[1 + n_w: 1 + n_w + n_r]
    req["scheduled"] = into_sink / _UNIT
    req["shortfall"] = req["required"] - req["scheduled"]
    return req


def least_shortfall(coverage: pd.DataFrame, assignments: pd.DataFrame, eligible: pd.DataFrame,
                    minutes: int) -> float:
    """Least total shortfall [agent-hours] any activity plan on the plan's shifts can reach."""
    return float(replan_coverage(coverage, assignments, eligible)["shortfall"].sum()) * minutes / 60.0


def measure_on_fixed_shifts(candidates: pd.DataFrame, coverage: pd.DataFrame,
                            assignments: pd.DataFrame, elig: pd.DataFrame, skills: pd.DataFrame,
                            tiers: pd.DataFrame | None, eligibility_fn, minutes: int,
                            top: int = 30) -> pd.DataFrame:
    """Add ``fixed_shift_hours``: shortfall each candidate removes with activities re-planned exactly.

    ``eligibility_fn(skills, tiers)`` recomputes eligibility after a change (the report's own
    :func:`~planner.analysis.shortage.eligibility` bound to the config and case types).
    """
    out = candidates.copy()
    out["fixed_shift_hours"] = np.nan
    if out.empty:
        return out
    base_pairs = elig[elig["eligible"]]
    base = least_shortfall(coverage, assignments, base_pairs, minutes)
    out["fixed_shift_baseline_hours"] = base
    for i in range(min(top, len(out))):
        sk, ti = out.at[i, "_change"].apply(skills, tiers)
        e = eligibility_fn(sk, ti)
        out.at[i, "fixed_shift_hours"] = base - least_shortfall(coverage, assignments,
                                                                e[e["eligible"]], minutes)
    return out


def interval_shortfall(required: np.ndarray, eligible: np.ndarray) -> float:
    """The same maximum flow for one interval, on arrays: least shortfall [agents] when the
    working agents (rows of the boolean ``eligible``, one column per case type) are put on the
    case types of ``required`` (agents needed per type). For callers that measure many small
    changes one interval at a time (the intraday offers), where building frames would dominate."""
    req = np.round(np.clip(np.asarray(required, dtype=float), 0, None) * _UNIT).astype(np.int32)
    total = int(req.sum())
    n_a, n_c = eligible.shape
    if total == 0 or n_a == 0:
        return total / _UNIT
    a_idx, c_idx = np.nonzero(eligible)
    source, sink = 0, 1 + n_a + n_c
    rows = np.concatenate([np.zeros(n_a, dtype=np.int64), 1 + a_idx, 1 + n_a + np.arange(n_c)])
    cols = np.concatenate([1 + np.arange(n_a), 1 + n_a + c_idx, np.full(n_c, sink)])
    caps = np.concatenate([np.full(n_a, _UNIT), np.full(len(a_idx), _UNIT), req]).astype(np.int32)
    graph = csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
    return (total - maximum_flow(graph, source, sink).flow_value) / _UNIT
