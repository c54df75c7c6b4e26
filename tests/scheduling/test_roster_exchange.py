"""Exchange moves of the roster LNS (roster_exchange): the days they free, how often the LNS
draws them, and exchanges for broken requests."""

from __future__ import annotations

import random

from planner.scheduling.roster_exchange import (
    BLOCK_DAYS,
    NEAR_DAYS,
    NEAR_SHARE,
    REQUEST_WINDOW,
    SPARE_WINDOW,
    WEEKEND_REACH,
    exchange_days,
    request_days,
    request_exchange,
    spare_exchange,
    split_weekends,
    weekend_exchange,
)
from planner.scheduling.roster_lns import WEEKEND_REACH_START, _Neighbourhoods
from planner.scheduling.rules import (
    DayCover,
    EmployeeRules,
    RosterProblem,
    ShiftRequest,
    ShiftType,
)


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


def test_exchange_days_draw_the_second_block_near_the_first_as_often_as_set():
    problem = _problem(days=84)
    near = 0
    for seed in range(2000):
        days = exchange_days(problem, {40: 1.0, 41: 1.0}, random.Random(seed))
        other = days - {40, 41}
        assert len(other) == BLOCK_DAYS
        near += min(other) >= 40 - NEAR_DAYS and max(other) <= 41 + NEAR_DAYS
    # Near blocks: the near share, plus the uniform draws that land near (12 of 80 starts).
    uniform_near = 2 * (NEAR_DAYS - 1) / (problem.days - BLOCK_DAYS + 1 - 3)
    expected = NEAR_SHARE + (1 - NEAR_SHARE) * uniform_near
    assert abs(near / 2000 - expected) < 0.04


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


def test_request_days_holds_both_broken_days_in_separate_blocks():
    problem = _problem(days=28)
    for seed in range(20):
        days = request_days(problem, {3: 1.0, 20: 5.0}, random.Random(seed))
        assert days is not None and {3, 20} <= days and len(days) == 2 * BLOCK_DAYS
    # One broken day: its block, and another anywhere apart from it.
    for seed in range(20):
        days = request_days(problem, {10: 2.0}, random.Random(seed))
        assert days is not None and len(days) == 2 * BLOCK_DAYS and 10 in days
    # Two broken days in one block: the second block is drawn elsewhere.
    days = request_days(problem, {10: 2.0, 11: 2.0}, random.Random(0))
    assert days is not None and {10, 11} <= days and len(days) == 2 * BLOCK_DAYS
    assert request_days(problem, {}, random.Random(0)) is None
    # Four days: the earlier block around day 1 on a tie (0-1), and 2-3 the only one apart.
    assert request_days(_problem(days=4), {1: 1.0}, random.Random(0)) == {0, 1, 2, 3}


def test_exchanges_go_to_broken_requests_once_cover_is_full():
    problem = _problem()
    # e0 asks for E on day 9 and is off; every day has its two employees (e1, e2).
    full = {(e, d): "E" for e in ("e1", "e2") for d in range(problem.days)}
    problem = RosterProblem(problem.days, problem.shift_types, problem.employees,
                            requests=(ShiftRequest("e0", 9, "E", 3, True),),
                            cover=problem.cover)
    # Without a request share: no cover short, so no exchange move at all.
    assert _Neighbourhoods(problem, random.Random(0))._exchange(full) is None
    hoods = _Neighbourhoods(problem, random.Random(0), request_share=0.0)
    targeted = set(range(9 - REQUEST_WINDOW, 9 + REQUEST_WINDOW + 1))
    kinds = set()
    for _ in range(20):
        move = hoods._exchange(full)
        # Two blocks over everyone, or the window around the request (request_exchange).
        assert move is not None and 9 in move.days
        assert len(move.days) == 2 * BLOCK_DAYS or move.days == targeted
        kinds.add(move.days == targeted)
    assert kinds == {True, False}
    # Frozen days hold no broken request a move could grant.
    hoods = _Neighbourhoods(problem, random.Random(0), frozen_days={9}, request_share=0.0)
    assert hoods._exchange(full) is None
    # While cover is short, a share of 0 keeps every exchange on the short days.
    short = {c: s for c, s in full.items() if c != ("e1", 2)}
    hoods = _Neighbourhoods(problem, random.Random(0), request_share=0.0)
    assert all(2 in hoods._exchange(short).days for _ in range(10))


def test_spare_exchange_frees_who_has_minutes_left_and_who_may_work_the_short_shift():
    days = 14
    shifts = (ShiftType("E", 480),)
    emps = (EmployeeRules("e0", {"E": days}, max_minutes=3 * 480),  # one shift to spare
            *(EmployeeRules(f"e{i}", {"E": days}, max_minutes=2 * 480) for i in (1, 2, 3)),
            EmployeeRules("e4", {"E": 0}),  # never works E
            EmployeeRules("e5", {"E": days}, max_minutes=2 * 480, days_off=frozenset({7})))
    cover = tuple(DayCover(d, "E", 2 if d == 7 else 0, 100, 1) for d in range(days))
    problem = RosterProblem(days, shifts, emps, cover=cover)
    roster = {(e, d): "E" for e in ("e0", "e1", "e2", "e3", "e5") for d in (0, 1)}
    for seed in range(5):
        employees, window = spare_exchange(problem, roster, {7}, random.Random(seed))
        # e0 for its minutes; e1-e3 may work E on day 7; e4 works nothing (its minutes do not
        # count), e5 is off that day.
        assert employees == ["e0", "e1", "e2", "e3"]
        assert window == set(range(7 - SPARE_WINDOW, 7 + SPARE_WINDOW + 1))
    # Day 7 is not among the short days asked for, and day 3 is not short: nothing to do.
    assert spare_exchange(problem, roster, {3}, random.Random(0)) is None
    # Cover met: nothing to do either.
    full = {**roster, ("e1", 7): "E", ("e2", 7): "E"}
    assert spare_exchange(problem, full, {7}, random.Random(0)) is None


def test_request_exchange_frees_the_requester_and_who_holds_the_shift_asked_for():
    days = 21
    shifts = (ShiftType("E", 480), ShiftType("L", 480))
    both = {"E": days, "L": days}
    emps = (*(EmployeeRules(f"e{i}", both) for i in range(4)),
            EmployeeRules("e4", {"E": days, "L": 0}))  # never works L
    # e0 asks for L on days 9-11 and works E; e1 and e2 work L on those days. The request on
    # day 3 is granted.
    requests = (*(ShiftRequest("e0", d, "L", 2, True) for d in (9, 10, 11)),
                ShiftRequest("e0", 3, "E", 1, True))
    problem = RosterProblem(days, shifts, emps, requests=requests)
    roster = {**{("e0", d): "E" for d in (3, 9, 10, 11)},
              **{(e, d): "L" for e in ("e1", "e2") for d in (9, 10, 11)},
              ("e3", 9): "E", ("e4", 10): "E"}
    for seed in range(5):
        employees, window = request_exchange(problem, roster, random.Random(seed))
        # The run of broken requests (9-11) and the window either side of it.
        assert window == set(range(9 - REQUEST_WINDOW, 11 + REQUEST_WINDOW + 1))
        # Requester and holders always; the partners are drawn from the rest (here all of it).
        assert {"e0", "e1", "e2"} <= set(employees)
        assert employees == sorted(employees, key=lambda e: int(e[1:]))
    # Only day 10 broken: the run is that day alone.
    granted = {**roster, ("e0", 9): "L", ("e0", 11): "L"}
    assert request_exchange(problem, granted, random.Random(0))[1] == set(
        range(10 - REQUEST_WINDOW, 10 + REQUEST_WINDOW + 1))
    # Broken requests on frozen days only, or none broken: no move.
    assert request_exchange(problem, roster, random.Random(0), frozen_days={9, 10, 11}) is None
    done = {**granted, ("e0", 10): "L"}
    assert request_exchange(problem, done, random.Random(0)) is None


def test_weekend_exchange_frees_a_split_weekend_and_another_around_both():
    problem = _problem(days=28)  # weekends: days 5-6, 12-13, 19-20, 26-27
    # e0 works the Saturday of the second weekend only; e1 works the whole third weekend.
    roster = {("e0", 12): "E", ("e1", 19): "E", ("e1", 20): "E"}
    assert split_weekends(problem, roster) == [("e0", 1)]
    seconds = set()
    for seed in range(40):
        days = weekend_exchange(problem, roster, random.Random(seed), reach=2)
        assert days is not None and set(range(10, 16)) <= days
        rest = sorted(days - set(range(10, 16)))
        assert rest in ([3, 4, 5, 6, 7, 8], [17, 18, 19, 20, 21, 22], [24, 25, 26, 27])
        seconds.add(rest[0])
    # The second weekend is any of the other three, each with 2 days either side (or up to
    # the horizon's end).
    assert seconds == {3, 17, 24}
    # No split weekend, or it lies on frozen days: no move.
    assert weekend_exchange(problem, {("e1", 19): "E", ("e1", 20): "E"},
                            random.Random(0), reach=2) is None
    assert weekend_exchange(problem, roster, random.Random(0), reach=2,
                            frozen_days={12, 13}) is None


def test_weekend_exchanges_drawn_where_weekends_are_tight_and_one_is_split():
    days = 84
    shifts = (ShiftType("E", 480),)
    # Six weekends each: 4 staff x 6 weekends x 2 days = 48 weekend shifts for 72 asked.
    emps = tuple(EmployeeRules(f"e{i}", {"E": days}, max_weekends=6) for i in range(4))
    cover = tuple(DayCover(d, "E", 3, 100, 1) for d in range(days))
    problem = RosterProblem(days, shifts, emps, cover=cover)
    split = {("e0", 12): "E"}
    hoods = _Neighbourhoods(problem, random.Random(0))
    moves = [hoods.choose(split) for _ in range(200)]
    weekend = [m for m in moves if m.kind == "weekend"]
    assert 40 < len(weekend) < 80  # WEEKEND_EXCHANGE_SHARE of 200 is 60
    reach = WEEKEND_REACH_START
    assert all(len(m.employees) == 4 and set(range(12 - reach, 14 + reach)) <= m.days
               for m in weekend)
    # Moves proven optimal grow the days either side, up to the most allowed.
    move = weekend[0]
    for _ in range(30):
        move.size = hoods.target["weekend"]
        hoods.solved(move, optimal=True, gain=False)
    assert hoods._weekend_reach(hoods.target["weekend"]) == WEEKEND_REACH[1]
    # Nothing split: no weekend move; exchanges switched off: none either.
    assert all(hoods.choose({}).kind != "weekend" for _ in range(50))
    hoods = _Neighbourhoods(problem, random.Random(0), exchange=False)
    assert all(hoods.choose(split).kind != "weekend" for _ in range(50))
    # After a weekend plan (weekend=False): none.
    hoods = _Neighbourhoods(problem, random.Random(0), weekend=False)
    assert all(hoods.choose(split).kind != "weekend" for _ in range(50))
    # Weekend limits that allow all the weekend cover asked for: none (48 asked, 48 allowed;
    # _problem: 16 asked, 32 allowed).
    even = RosterProblem(days, shifts, emps,
                         cover=tuple(DayCover(d, "E", 2, 100, 1) for d in range(days)))
    for problem in (even, _problem(days=28)):
        hoods = _Neighbourhoods(problem, random.Random(0))
        assert all(hoods.choose(split).kind != "weekend" for _ in range(50))
