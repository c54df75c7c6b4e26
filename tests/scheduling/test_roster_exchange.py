"""Exchange moves of the roster LNS (roster_exchange): the days they free and how often the LNS
draws them."""

from __future__ import annotations

import random

from planner.scheduling.roster_exchange import BLOCK_DAYS, exchange_days
from planner.scheduling.roster_lns import _Neighbourhoods
from planner.scheduling.rules import DayCover, EmployeeRules, RosterProblem, ShiftType


def _problem(days: int = 14, staff: int = 4) -> RosterProblem:
    shifts = (ShiftType("E", 480),)
    emps = tuple(EmployeeRules(f"e{i}", {"E": days}) for i in range(staff))
    cover = tuple(DayCover(d, "E", 2, 100, 1) for d in range(days))
    return RosterProblem(days, shifts, emps, cover=cover)


def test_exchange_days_pairs_the_short_block_with_a_disjoint_block():
    problem = _problem()
    # Days 5 and 6 are short: whichever is drawn, the block holding both is the first.
    for seed in range(20):
        days = exchange_days(problem, {5: 100.0, 6: 50.0}, random.Random(seed))
        assert days is not None and {5, 6} <= days and len(days) == 2 * BLOCK_DAYS
        other = sorted(days - {5, 6})
        assert other == list(range(other[0], other[0] + BLOCK_DAYS))
    # Every block apart from days 5-6 is drawn sooner or later.
    # Day 5 alone: the block is 4-5 or 5-6 (the earlier on a tie).
    assert exchange_days(problem, {5: 1.0}, random.Random(0)) >= {4, 5}
    firsts = {min(exchange_days(problem, {5: 1.0, 6: 1.0}, random.Random(s)) - {5, 6})
              for s in range(400)}
    assert firsts == set(range(problem.days - 1)) - {4, 5, 6}
    assert exchange_days(problem, {}, random.Random(0)) is None


def test_exchange_days_at_the_horizon_edges():
    problem = _problem(days=4)
    assert exchange_days(problem, {0: 1.0}, random.Random(0)) == {0, 1, 2, 3}
    assert exchange_days(problem, {3: 1.0}, random.Random(0)) == {0, 1, 2, 3}


def test_exchange_share_follows_recent_success():
    hoods = _Neighbourhoods(_problem(), random.Random(0))
    hoods.weight.update(staff=0.3, window=0.3, split=0.3, exchange=0.5)
    assert 0.6 < hoods.exchange_share() < 0.8
    hoods.weight["exchange"] = 0.1
    assert hoods.exchange_share() < 0.15
    hoods.weight["exchange"] = 1.0
    hoods.weight.update(staff=0.05, window=0.05, split=0.05)
    assert hoods.exchange_share() == 0.85
    # A move of everyone over the two blocks first; fewer employees once the size shrinks.
    roster: dict = {}
    move = hoods._exchange(roster)
    assert move is not None and move.kind == "exchange"
    assert len(move.employees) == 4 and len(move.days) == 2 * BLOCK_DAYS
    hoods.target["exchange"] = hoods.exchange_full / 2
    assert len(hoods._exchange(roster).employees) == 2


def test_no_exchange_moves_when_switched_off():
    hoods = _Neighbourhoods(_problem(), random.Random(0), exchange=False)
    hoods.weight["exchange"] = 1.0
    assert all(hoods.choose({}).kind != "exchange" for _ in range(50))
    hoods = _Neighbourhoods(_problem(), random.Random(0))
    assert any(hoods.choose({}).kind == "exchange" for _ in range(50))
