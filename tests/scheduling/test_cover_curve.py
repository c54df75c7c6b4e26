"""The whole-agent cover curve that the day models and the exact stage-1 cost price coverage by."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import linprog

from planner.scheduling.cover_curve import UNITS, add_cover_cost, segments

W_SHORT, W_OVER = 150, 1


def true_cost(r: int, n: float) -> float:
    return W_SHORT * max(0.0, r - UNITS * n) + W_OVER * max(0.0, UNITS * n - r)


def model_cost(r: int, n: float) -> float:
    """Least cost of the rows add_cover_cost writes with the agents held at ``n``."""
    cost, upper, rows = [], [], []

    def col(c: float, ub: float) -> int:
        cost.append(c)
        upper.append(ub)
        return len(cost) - 1

    x = col(0.0, math.inf)
    const = add_cover_cost(col, rows, [x], r, W_SHORT, W_OVER)
    rows.append(([x], [1.0], n))
    a = np.zeros((len(rows), len(cost)))
    for k, (idx, val, _) in enumerate(rows):
        a[k, idx] = val
    res = linprog(cost, A_eq=a, b_eq=[b for _, _, b in rows],
                  bounds=list(zip([0.0] * len(cost), upper, strict=True)), method="highs")
    assert res.status == 0
    return res.fun + const


@pytest.mark.parametrize("r", [-7, 0, 4, 10, 15, 23, 40])
def test_whole_agents_cost_what_the_coverage_cost_says(r):
    for n in range(0, 7):
        assert model_cost(r, n) == pytest.approx(true_cost(r, n))
        base, segs = segments(r, W_SHORT, W_OVER)
        left, total = n, base
        for price, cap in segs:
            take = min(left, cap)
            total += price * take
            left -= take
        assert total == pytest.approx(true_cost(r, n))


def test_a_fractional_requirement_is_not_met_for_free_by_fractional_agents():
    # 1.5 agents needed: with a plain shortfall and surplus the relaxation staffs 1.5 agents at
    # no cost; whole agents cost at least the chord between 1 and 2 agents (5 tenths short at
    # 150, or 5 tenths over at 1): 77.5 at 1.5 agents.
    assert true_cost(15, 1.5) == 0.0
    assert model_cost(15, 1.5) == pytest.approx((5 * W_SHORT + 5 * W_OVER) / 2)
