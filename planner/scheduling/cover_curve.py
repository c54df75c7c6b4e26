"""The coverage cost of whole agents on one (case type, interval), and its pieces for LPs.

Requirements are counted in :data:`~planner.domain.SCHEDULE_UNITS_PER_AGENT` units (tenths of an
agent). ``n`` whole agents on a requirement of ``r`` units cost ``w_c * max(0, r - U n) + w_o *
max(0, U n - r)`` (``U`` units per agent, ``w_c`` the shortfall weight with the case type's
priority, ``w_o`` the overstaffing weight). As a function of whole ``n`` that cost is convex, and
:func:`segments` writes it as a constant plus one segment per agent up to ``floor(r / U)``, one
for the remainder, then overstaffing. A linear program that prices agents by these segments
meets a fractional requirement the way whole agents do (with a plain shortfall and surplus it
would staff ``r / U`` agents at no cost), so its relaxation is the convex hull over whole agents:
the per-day models of stage 2 and of the day re-solve are then nearly integral, and the flow of
:class:`~planner.scheduling.interval_cover.IntervalCover` exactly so.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from planner.domain import SCHEDULE_UNITS_PER_AGENT

UNITS = SCHEDULE_UNITS_PER_AGENT


def units(required: np.ndarray) -> np.ndarray:
    """Requirements (agents) in whole units."""
    return np.rint(np.asarray(required, dtype=float) * UNITS).astype(int)


def segments(r: int, w_short: float, w_over: float) -> tuple[float, list[tuple[float, float]]]:
    """The cost of whole agents on a requirement of ``r`` units as ``(constant, [(price per
    agent, agents), ...])`` in increasing price order: the cost of ``n`` agents is the constant
    plus the cheapest ``n`` agents' worth of segments (module docstring). ``r`` may be negative
    (others already cover more than the requirement)."""
    if r <= 0:
        return float(w_over * -r), [(UNITS * float(w_over), math.inf)]
    full, rho = divmod(int(r), UNITS)
    out = []
    if full:
        out.append((-UNITS * float(w_short), float(full)))
    if rho:
        out.append((-rho * float(w_short) + (UNITS - rho) * float(w_over), 1.0))
    out.append((UNITS * float(w_over), math.inf))
    return float(w_short * r), out


Row = tuple[list[int], list[float], float]


def add_cover_cost(col: Callable[[float, float], int], rows: list[Row], xs: list[int], r: int,
                   w_short: float, w_over: float) -> float:
    """The cost of the agents ``xs`` (columns summing to the agents on one case type and
    interval) on a requirement of ``r`` units, added to a MIP as its convex hull over whole
    agents (module docstring) with nonnegative costs only, so that the objective stays the
    coverage cost and a MIP's relative gap keeps its meaning. ``col(cost, upper)`` adds a
    continuous column (lower bound 0), ``rows`` gets equality rows ``(columns, coefficients,
    right-hand side)``. Returns the constant part of the cost left out of the model (a
    requirement others already over-cover).

    Agents ``n = sum(xs)`` balance as ``n + s - o1 - o = floor(r / U)``: ``s`` whole agents short
    (``U w_c`` each), ``o1`` the agent for the remainder ``rho`` (``(U - rho) w_o``, paired with
    ``p``, the remainder left short at ``rho w_c``, by ``p + o1 = 1``), ``o`` agents over beyond it
    (``U w_o`` each)."""
    if r <= 0:
        o = col(UNITS * float(w_over), math.inf)
        rows.append(([*xs, o], [1.0] * len(xs) + [-1.0], 0.0))
        return float(w_over * -r)
    full, rho = divmod(int(r), UNITS)
    idx, val = list(xs), [1.0] * len(xs)
    if full:
        idx.append(col(UNITS * float(w_short), float(full)))
        val.append(1.0)
    if rho:
        o1 = col((UNITS - rho) * float(w_over), 1.0)
        p = col(rho * float(w_short), 1.0)
        idx.append(o1)
        val.append(-1.0)
        rows.append(([o1, p], [1.0, 1.0], 1.0))
    idx.append(col(UNITS * float(w_over), math.inf))
    val.append(-1.0)
    rows.append((idx, val, float(full)))
    return 0.0
