"""The hiring optimiser against an independent brute force, and a planted December peak met by a
class that starts early enough."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.capacity import capacity_plan
from planner.capacity.optimise import Costs, Limits, Problem, hire_weeks, plan, solve
from planner.capacity.supply import class_fte
from planner.io import load_folder
from tests.capacity.helpers import write_center

CALLS = frozenset({"calls"})


def small_problem(min_class: int) -> Problem:
    weeks = 10
    required = np.array([[10, 10, 11, 12, 13, 14, 15, 15, 16, 16]], dtype=float)
    return Problem(
        case_types=["calls"], required=required, supply={CALLS: np.full(weeks, 10.0) * 0.99 ** np.arange(weeks)},
        hire_sets=[CALLS],
        costs=Costs(hire=500, fte_week=100, overtime_hour=8, shortfall_hour=20, cross_skill=0),
        limits=Limits(lead_time_weeks=1, training_weeks=2, ramp_weeks=2, min_class_size=min_class,
                      max_class_size=3, training_capacity=4, cross_skill_weeks=0,
                      max_cross_skills_per_month=0, max_overtime_share=0.1, fte_hours=40,
                      attrition=0.01))


def brute_force(p: Problem) -> tuple[float, dict[int, int]]:
    """Every vector of class sizes over the allowed start weeks, each week's overtime and shortfall
    set by hand (overtime first, it is cheaper), the training capacity checked: the cheapest."""
    lim, c = p.limits, p.costs
    W = p.weeks
    starts = hire_weeks(p)
    sizes = [0, *range(lim.min_class_size, lim.max_class_size + 1)]
    base = p.supply[CALLS]
    need = p.required[0]
    best = (np.inf, {})
    for combo in itertools.product(sizes, repeat=len(starts)):
        training = np.zeros(W)
        fte = base.copy()
        cost = 0.0
        for k, n in zip(starts, combo, strict=True):
            if n == 0:
                continue
            training[k:k + lim.training_weeks] += n
            fte = fte + class_fte(n, np.arange(W) - k, lim.training_weeks, lim.ramp_weeks, lim.attrition)
            paid = sum((1 - lim.attrition) ** (7 * j / (365.25 / 12)) for j in range(W - k))
            cost += n * (c.hire + c.fte_week * paid)
        if (training > lim.training_capacity + 1e-9).any():
            continue
        gap = np.maximum(need - fte, 0.0)
        over = np.minimum(gap, lim.max_overtime_share * fte)
        short = gap - over
        cost += lim.fte_hours * (c.overtime_hour * over.sum() + c.shortfall_hour * short.sum())
        if cost < best[0] - 1e-9:
            best = (cost, {k: n for k, n in zip(starts, combo, strict=True) if n})
    return best


@pytest.mark.parametrize("min_class", [1, 2])
def test_the_optimiser_equals_brute_force_on_a_small_case(min_class: int) -> None:
    p = small_problem(min_class)
    cost, plan = brute_force(p)
    sol = solve(p, seconds=30, gap=0.0)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(cost, rel=1e-6)
    assert {k: n for _, k, n in sol.hires} == plan
    assert plan  # the case is one where hiring pays


def test_a_december_peak_is_met_by_a_class_that_starts_early_enough(tmp_path: Path) -> None:
    # Two years of history with December at 1.6 times the level; 26 agents cover a normal week.
    root = write_center(tmp_path / "d", start="2024-09-02", days=728, daily=1000,
                        month_factor={12: 1.6}, agents=26,
                        capacity="attrition_per_month = 0.0\nlead_time_weeks = 2\n"
                                 "training_weeks = 4\nramp_weeks = 4\nclass_every_weeks = 1\n"
                                 "cost_per_shortfall_hour = 200\ngrowth_per_year = 0.0\n")
    data = load_folder(root)
    result = capacity_plan(data, months=6, seconds=30)
    assert result.start == pd.Timestamp("2026-08-31")
    total = result.plan[result.plan["skill_set"] == "all"].set_index("week_start")
    december = total[(total.index >= "2026-11-30") & (total.index < "2026-12-28")]
    autumn = total[(total.index >= "2026-09-07") & (total.index < "2026-11-02")]
    # the forecast found the peak: 1.6 x the volume needs clearly more than the autumn
    assert december["required_fte"].mean() > 1.35 * autumn["required_fte"].mean()
    # today's agents fall short in December
    assert (december["available_fte"] < december["required_fte"] - 5).all()
    hires = result.hiring[result.hiring["kind"] == "hire"]
    assert len(hires) and hires["heads"].sum() >= 5
    # every class reaches full speed before the peak begins
    full = pd.to_datetime(hires["full_speed_from"])
    assert (full <= pd.Timestamp("2026-11-30")).all(), hires
    # and the peak is met (overtime may help), within 2% of its requirement
    assert december["shortfall_fte"].sum() <= 0.02 * december["required_fte"].sum()


def test_spare_agents_are_cross_skilled_to_a_short_type_instead_of_hiring() -> None:
    # Set {A} has 10 FTE for 5 FTE of A; set {B} has 5 FTE for 8 FTE of B. Cross-skilling costs 100
    # an agent and takes one week off the queue; a hire costs far more. The cheapest plan moves 3
    # agents at once: week 0 stays 3 FTE short of B (the learners are away), then nothing is short.
    A, B = frozenset({"A"}), frozenset({"B"})
    weeks = 8
    p = Problem(
        case_types=["A", "B"], required=np.array([[5.0] * weeks, [8.0] * weeks]),
        supply={A: np.full(weeks, 10.0), B: np.full(weeks, 5.0)}, hire_sets=[B],
        costs=Costs(hire=100_000, fte_week=1000, overtime_hour=1000, shortfall_hour=20, cross_skill=100),
        limits=Limits(lead_time_weeks=0, training_weeks=2, ramp_weeks=0, min_class_size=1,
                      max_class_size=5, training_capacity=5, cross_skill_weeks=1,
                      max_cross_skills_per_month=4, max_overtime_share=0.0, fte_hours=40,
                      attrition=0.0),
        cross_from={A: (10, 1.0), B: (5, 1.0)})
    sol = plan(p, seconds=30, gap=0.0)
    assert sol.hires == []
    assert sol.cross == [(A, "B", 0, 3)]
    np.testing.assert_allclose(sol.shortfall[1], [3, 0, 0, 0, 0, 0, 0, 0], atol=1e-6)
    assert sol.objective == pytest.approx(3 * 100 + 3 * 40 * 20)
    np.testing.assert_allclose(sol.fte[A | B][1:], 3.0)
