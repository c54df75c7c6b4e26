"""The one roster search (planner.scheduling.engine): phases offer rosters, the search keeps the
cheapest by the one objective, takes a phase's judged roster, and stops at a proven bound."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from planner.scheduling.coverage import DayShiftCover
from planner.scheduling.engine import Search, Step, search
from planner.scheduling.roster import roster_objective
from planner.scheduling.roster_lns import LnsPhase
from tests.scheduling.test_roster import tiny_problem


@dataclass
class Offers:
    """A phase that offers fixed rosters (and may prove a bound), recording that it ran."""

    rosters: list
    judged: bool = False
    bound: float | None = None
    name: str = "offers"
    ran: list = field(default_factory=list)

    def run(self, state: Search, until: float) -> None:
        self.ran.append(until)
        for roster in self.rosters:
            state.offer(self.name, roster, judged=self.judged)
        state.prove(self.bound)


def test_the_search_keeps_the_cheapest_roster_by_its_one_objective():
    problem = tiny_problem()
    cover = DayShiftCover(problem)
    start = {("a", 0): "E", ("a", 1): "E", ("b", 1): "N"}
    worse = dict(start)
    del worse[("b", 1)]  # one more shift short: 10 more
    better = {**start, ("b", 3): "E"}  # one shift short fewer
    assert roster_objective(problem, worse) > roster_objective(problem, start)
    assert roster_objective(problem, better) < roster_objective(problem, start)
    heard = []
    found = search(problem, start, cover, [Offers([worse, better, worse])],
                   time.perf_counter() + 5, on_improved=lambda p, r, o: heard.append((p, o)))
    assert found.best == better
    assert found.best_obj == roster_objective(problem, better)
    assert heard == [("offers", roster_objective(problem, better))]


def test_a_judged_roster_is_kept_and_scored_by_the_one_objective():
    # The day re-solve's case: a phase proven better by a finer score of the same plan.
    problem = tiny_problem()
    start = {("a", 0): "E", ("a", 1): "E", ("b", 1): "N"}
    worse = {("a", 0): "E", ("a", 1): "E"}
    found = search(problem, start, DayShiftCover(problem), [Offers([worse], judged=True)],
                   time.perf_counter() + 5)
    assert found.best == worse
    assert found.best_obj == roster_objective(problem, worse)


def test_phases_run_in_order_with_their_share_and_stop_at_a_proven_bound():
    problem = tiny_problem()
    start = {("a", 0): "E", ("a", 1): "E", ("b", 1): "N"}
    obj = roster_objective(problem, start)
    first, second = Offers([], bound=obj - 1), Offers([], bound=obj)
    third = Offers([])
    t0 = time.perf_counter()
    found = search(problem, start, DayShiftCover(problem),
                   [Step(first, 0.5), second, third], t0 + 100)
    # The first phase got half of the time left; the second the rest. Its bound meets the
    # start roster, which is then optimal: the third never runs.
    assert t0 + 49 < first.ran[0] < t0 + 51
    assert second.ran[0] > t0 + 99
    assert found.optimal and found.bound == obj and not third.ran


def test_the_lns_phase_improves_a_roster_that_keeps_every_hard_rule():
    from planner.scheduling.roster_check import roster_violations

    problem = tiny_problem()
    start = {("a", 0): "E", ("a", 1): "E", ("b", 1): "E", ("b", 2): "E"}
    found = search(problem, start, DayShiftCover(problem),
                   [LnsPhase(budget=1.0, max_moves=40, patience=20)], time.perf_counter() + 30)
    assert found.best_obj < roster_objective(problem, start)
    assert not roster_violations(problem, found.best)
