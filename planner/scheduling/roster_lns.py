"""The roster engine's relax-and-resolve moves (large-neighbourhood search, LNS), and the phases
of :mod:`planner.scheduling.engine` built on CP-SAT.

Every hard rule of a roster is per employee (cover is soft), so a roster can be improved by
fixing most of it and re-solving the rest: a move frees some employees over some days, builds
the CP-SAT sub-model of the free cells with the rest as constants
(:func:`planner.scheduling.roster.build_roster_model`, the coverage model's terms included),
hints it with the current roster and solves it by a one-worker CP-SAT. Its rows are then merged
into the roster as it is at that moment (any mix of feasible rows is feasible), the merged
roster is re-scored exactly, and it is kept when it costs no more (plateau moves are accepted).

Neighbourhoods (:class:`_Neighbourhoods`): a few employees over (up to) 8 weeks; all or many
employees over a window of days (half of the time centred on a day drawn by its cover deviation
cost); over two separate windows (one where cover is short, one where it is over); exchanges
while cover is short (:mod:`planner.scheduling.roster_exchange`: everyone over two blocks, or
the employees around a broken request, or those with minutes to spare; drawn as often as they
pay against the others); weekend exchanges where the weekend limits force weekend cover short;
and "single", one employee over the whole horizon (a best response, for a coverage model that
prices each cell alone). Sizes adapt to the solve times, kinds are drawn by recent success.
When ``STALL_MOVES`` moves proven optimal found nothing cheaper, half of the moves are kicks:
the cheapest sub-solution that DIFFERS from the roster, accepted when it costs at most one unit
of missing cover (or ``KICK_THRESHOLD``) more than the best roster (threshold accepting; the
best is kept).

Phases for the engine: :class:`LnsPhase` (these moves), :class:`ColumnGenerationPhase` (exact
column generation, :mod:`planner.scheduling.roster_colgen`) and :class:`FullModelPhase` (CP-SAT
on the whole model). With a move budget in CP-SAT's deterministic time and one worker, the
moves run one after another and the search is the same for a seed under any load, as long as a
work budget (patience, a number of moves), not the deadline, ends it; otherwise the wall clock
(and, with two workers, the order in which moves finish) makes runs differ on a loaded machine.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from planner.scheduling.coverage import CoverageModel, DayShiftCover
from planner.scheduling.roster import (
    Cell,
    Roster,
    build_roster_model,
    roster_objective,
    solve_model,
)
from planner.scheduling.roster_colgen import exact_column_generation
from planner.scheduling.roster_exchange import (
    BLOCK_DAYS,
    WEEKEND_REACH,
    exchange_days,
    request_days,
    request_exchange,
    spare_exchange,
    weekend_exchange,
    weekend_tightness,
)
from planner.scheduling.rules import RosterProblem

if TYPE_CHECKING:
    from planner.scheduling.engine import Search

# Seconds per move without a deterministic budget: most improvements come early, and a move
# that needs more is too big (the adaptive sizes shrink it).
SUB_TIME_LIMIT = 1.0
# CP-SAT parameters of a move: with the cover and request rows and the clauses in the LP
# (linearization level 2) the small sub-models are proven optimal sooner.
SUB_PARAMETERS: Mapping[str, Any] = {"linearization_level": 2}
# Escaping local optima: after this many moves proven optimal without a cheaper roster, this
# share of the moves are kicks (the best DIFFERENT sub-solution, accepted when it costs at most
# ``KICK_THRESHOLD`` times the best roster, or one unit of missing cover, more than the best).
STALL_MOVES = 30
KICK_SHARE = 0.5
KICK_THRESHOLD = 0.02
# Exchanges, while some cover is short: their share of the moves follows their recent success
# against the other kinds' (squared ratio), within these bounds.
EXCHANGE_SHARE = (0.05, 0.85)
# Of the exchanges that go to broken requests, this share is targeted at one broken request
# (roster_exchange.request_exchange), the rest are two blocks of days with broken requests.
REQUEST_TARGETED_SHARE = 0.5
# Where the weekend limits force weekend cover short (tightness above this) and the search plans
# the weekends itself, this share of the moves, while some weekend is split, are weekend
# exchanges (roster_exchange.weekend_exchange), first with this many days either side of each
# weekend (then adapted within WEEKEND_REACH). Where weekends are tight but not forced short,
# the shortfall is on weekdays and such moves would only take time from the others.
WEEKEND_EXCHANGE_SHARE = 0.3
WEEKEND_EXCHANGE_TIGHTNESS = 1.0
WEEKEND_REACH_START = 3
# With a deterministic budget per move, the wall-clock guard of one move [s]: it only ends a
# solve stuck on a loaded machine.
BUDGET_WALL_CAP = 30.0
# Neighbourhood kinds: a few employees over (up to) 8 weeks, all or many over a window of days,
# or over two windows; "single" is one employee over the whole horizon (a best response, where a
# coverage model may price each cell alone).
KINDS = ("staff", "window", "split")

_STATUS = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE"}


def _solve_sub(problem: RosterProblem, current: Roster, employees: list[str],
               days: Collection[int] | None, time_limit: float, seed: int, workers: int,
               hint: bool = True, parameters: Mapping[str, Any] | None = None,
               differ: bool = False, frozen: Collection[Cell] | None = None,
               coverage: CoverageModel | None = None) -> tuple[Roster, float, bool] | None:
    """Re-solve ``employees`` over ``days`` (all days when None) with the rest of ``current``
    fixed. Returns (new full roster, its objective, proven optimal) or None when nothing was
    found in time. ``parameters``: further CP-SAT parameters (see :func:`solve_model`).
    ``differ``: the freed cells must not all stay as in ``current`` (the best roster that is
    different, possibly worse: a way off a local optimum). ``frozen``: cells that stay as they
    are in ``current`` even for the freed employees. ``coverage``: the coverage model (by default
    the problem's cover per day and shift)."""
    free = set(employees)
    fixed: dict[Cell, str | None] = {c: s for c, s in current.items() if c[0] not in free}
    if days is not None:
        days = set(days)
        for e in employees:
            for d in range(problem.days):
                if d not in days:
                    fixed[(e, d)] = current.get((e, d))
    if frozen is not None:
        fixed.update((c, current.get(c)) for c in frozen if c[0] in free)
    rm = build_roster_model(problem, employees=employees, fixed=fixed, coverage=coverage,
                            current=current)
    if differ and not rm.forbid(current):
        return None
    solver, status, _ = solve_model(rm, time_limit, seed=seed, workers=workers,
                                    hint=current if hint else None, parameters=parameters)
    if status not in _STATUS:
        return None
    new = {c: s for c, s in current.items() if c[0] not in free}
    new.update(rm.read(solver))
    # Re-scored exactly: at a time limit the solver's objective may overstate the cost.
    return new, roster_objective(problem, new, coverage), status == cp_model.OPTIMAL


def _day_deviation(problem: RosterProblem, roster: Roster
                   ) -> tuple[dict[int, float], dict[int, float]]:
    """Cost of the cover shortfall and of the surplus per day of ``problem.cover``."""
    return DayShiftCover(problem).day_deviation(roster)


def _shifts_per_cell(problem: RosterProblem) -> float:
    """Shift types an employee may choose from on a day, on average: the unit of move sizes.
    Types capped at 0 do not count; with availability per day, the types available that day."""
    total = 0.0
    names = problem.shift_names
    seen: dict[int, float] = {}  # by id of a shared availability map (large centers)
    for r in problem.employees:
        if r.available_shifts is None:
            total += sum(1 for s in names if r.max_shifts.get(s, 1) > 0)
        else:
            key = id(r.available_shifts)
            if key not in seen:
                seen[key] = sum(len(r.available_shifts.get(d, names))
                                for d in range(problem.days)) / max(1, problem.days)
            total += seen[key]
    return max(1.0, total / max(1, len(problem.employees)))


@dataclass
class _Move:
    """One relax-and-resolve step: free ``employees`` over ``days`` (all when None)."""

    kind: str
    size: float
    employees: list[str]
    days: set[int] | None


class _Neighbourhoods:
    """Chooses LNS moves and adapts their sizes (free cells) and choice weights to the outcomes.

    Three kinds: a few employees over a long stretch ("staff": rebalances whole lines of work
    under the per-employee totals); all (or many) employees over a window of days ("window":
    re-shuffles who covers what); all (or many) employees over two separate short windows
    ("split": moves weekends and runs between parts of the horizon, which the per-employee totals
    couple). Half of the time windows are centred on a day drawn by its cover deviation cost.
    """

    def __init__(self, problem: RosterProblem, rng: random.Random, exchange: bool = True,
                 frozen_days: Collection[int] = (), request_share: float | None = None,
                 spare_share: float = 0.0, weekend: bool = True,
                 coverage: CoverageModel | None = None, kinds: tuple[str, ...] = KINDS):
        self.problem, self.rng = problem, rng
        self.coverage = DayShiftCover(problem) if coverage is None else coverage
        self.exchange = exchange
        # Share of the exchanges, while cover a move can change is short, that are spare-minutes
        # exchanges (roster_exchange.spare_exchange).
        self.spare_share = spare_share
        # None: exchanges only where cover is short. A share: that share of the exchanges, and
        # all of them when no cover a move can change is short, over days of broken requests.
        self.request_share = request_share
        # Days where no move can change anything: their cover deviation draws no move.
        self.frozen_days = frozenset(frozen_days)
        self.names = [r.employee for r in problem.employees]
        self.n_emp, self.n_days = len(self.names), problem.days
        self.per_cell = _shifts_per_cell(problem)
        self.total = self.n_emp * self.n_days * self.per_cell
        self.kinds = kinds
        self.target = dict.fromkeys(self.kinds, min(400.0, self.total / 4))
        self.weight = dict.fromkeys(self.kinds, 1.0)  # adaptive: recent success of each kind
        # Exchanges start with everyone over their two blocks (fewer when that is not proven).
        self.exchange_full = self.n_emp * 2 * BLOCK_DAYS * self.per_cell
        self.target["exchange"] = self.exchange_full
        self.weight["exchange"] = 1.0
        # Weekend exchanges: their size sets the days either side of the two weekends.
        self.weekend = (weekend and exchange
                        and weekend_tightness(problem) > WEEKEND_EXCHANGE_TIGHTNESS)
        self.weekend_len = max((len(w) for w in problem.weekends()), default=0)
        # Its share is fixed (WEEKEND_EXCHANGE_SHARE): only its size adapts, it has no weight.
        self.target["weekend"] = self._weekend_size(WEEKEND_REACH_START)
        self.by_name = {r.employee: r for r in problem.employees}
        every = frozenset(problem.shift_names)
        self.skills = {r.employee: frozenset(s for s in problem.shift_names
                                             if r.max_shifts.get(s, 1) > 0)
                       if r.max_shifts else every for r in problem.employees}

    def choose(self, cur: Roster) -> _Move:
        rng, names, n_emp, n_days = self.rng, self.names, self.n_emp, self.n_days
        per_cell = self.per_cell
        if self.weekend and rng.random() < WEEKEND_EXCHANGE_SHARE:
            size = self.target["weekend"]
            days = weekend_exchange(self.problem, cur, rng, self._weekend_reach(size),
                                    self.frozen_days)
            if days is not None:
                return _Move("weekend", size, list(names), days)
        if self.exchange and rng.random() < self.exchange_share():
            move = self._exchange(cur)
            if move is not None:
                return move
        kind = rng.choices(self.kinds, weights=[self.weight[k] for k in self.kinds])[0]
        size = self.target[kind]
        if kind == "single":
            return _Move(kind, size, [rng.choice(names)], None)
        if kind == "staff":
            w = min(n_days, 56)
            k = int(min(n_emp, max(2, size // (w * per_cell))))
        else:
            k = n_emp
            w = int(size // (k * per_cell))
            if w < 4:
                w = min(n_days, 4 if kind == "split" else 7)
                k = int(min(n_emp, max(2, size // (w * per_cell))))
            w = min(n_days, max(2, w))
        short, over = self._deviation(cur) if rng.random() < 0.5 else ({}, {})
        hot = {d: short.get(d, 0.0) + over.get(d, 0.0) for d in sorted({*short, *over})}

        def drawn(costs: dict[int, float]) -> int:
            """A day drawn by its cost, uniformly when there is none."""
            if not costs:
                return rng.randrange(n_days)
            return rng.choices(list(costs), weights=list(costs.values()))[0]

        if kind == "split":
            # Two windows: when targeted, one where cover is short and one where it is over, so
            # work can move from where it is not needed to where it is.
            half = max(1, w // 2)
            days: set[int] | None = set()
            centres = [drawn(short or hot), drawn(over or hot)] if hot else [drawn({}), drawn({})]
            for centre in centres:
                a = min(max(0, centre - half // 2), n_days - half)
                days.update(range(a, a + half))
        else:
            centre = drawn(hot)
            a = min(max(0, centre - w // 2), n_days - w)
            days = None if w >= n_days else set(range(a, a + w))
        if k < n_emp and kind != "staff" and days:
            # Prefer employees free to take part in the window (not barred from most of it).
            day_list = sorted(days)
            free = [e for e in names if sum(1 for d in day_list
                                               if d not in self.by_name[e].days_off) * 2
                    > len(day_list)]
            pool = free if len(free) >= k else names
            chosen = sorted(rng.sample(pool, k), key=names.index)
        elif k < n_emp and rng.random() < 0.5:
            # A few employees who can stand in for each other (shared shift types): a seed
            # employee and the most similar others, with some randomness (else: at random).
            seed_e = rng.choice(names)
            mine = self.skills[seed_e]
            others = sorted((e for e in names if e != seed_e),
                            key=lambda e: (-len(mine & self.skills[e])
                                           / max(1, len(mine | self.skills[e])), rng.random()))
            chosen = sorted([seed_e, *rng.sample(others[:2 * k], k - 1)], key=names.index)
        else:
            chosen = sorted(rng.sample(names, k), key=names.index)
        return _Move(kind, size, chosen, days)

    def _weekend_size(self, reach: int) -> float:
        """Free cells of a weekend exchange with ``reach`` days either side of both weekends."""
        return self.n_emp * self.per_cell * 2 * (self.weekend_len + 2 * reach)

    def _weekend_reach(self, size: float) -> int:
        """Days either side of each weekend for a weekend exchange of ``size`` free cells."""
        days = size / (self.n_emp * self.per_cell * 2)
        low, high = WEEKEND_REACH
        return int(min(high, max(low, round((days - self.weekend_len) / 2))))

    def _deviation(self, cur: Roster) -> tuple[dict[int, float], dict[int, float]]:
        """:func:`_day_deviation` without the frozen days."""
        short, over = self.coverage.day_deviation(cur)
        if self.frozen_days:
            short = {d: v for d, v in short.items() if d not in self.frozen_days}
            over = {d: v for d, v in over.items() if d not in self.frozen_days}
        return short, over

    def exchange_share(self) -> float:
        """Share of exchange moves: their weight against the mean of the others', squared."""
        mine = self.weight["exchange"] ** 2
        others = (sum(self.weight[k] for k in self.kinds) / len(self.kinds)) ** 2
        low, high = EXCHANGE_SHARE
        return min(high, max(low, mine / (mine + others)))

    def _broken(self, cur: Roster) -> dict[int, float]:
        """Weight of the requests ``cur`` breaks per day (days without any, or frozen, absent)."""
        broken: dict[int, float] = {}
        for req in self.problem.requests:
            cost = req.cost(cur.get((req.employee, req.day)))
            if cost and req.day not in self.frozen_days:
                broken[req.day] = broken.get(req.day, 0.0) + cost
        return broken

    def _exchange(self, cur: Roster) -> _Move | None:
        """An exchange move (see planner.scheduling.roster_exchange), or None when there is none
        to make (no cover short, and no request broken or ``request_share`` None)."""
        short = self._deviation(cur)[0]
        size = min(self.target["exchange"], self.exchange_full)
        if short and self.spare_share and self.rng.random() < self.spare_share:
            spare = spare_exchange(self.problem, cur, short, self.rng)
            if spare is not None:
                return _Move("exchange", size, *spare)
        days = None
        if self.request_share is not None and (not short
                                               or self.rng.random() < self.request_share):
            if self.rng.random() < REQUEST_TARGETED_SHARE:
                targeted = request_exchange(self.problem, cur, self.rng, self.frozen_days)
                if targeted is not None:
                    return _Move("exchange", size, *targeted)
            days = request_days(self.problem, self._broken(cur), self.rng)
        if days is None:
            days = exchange_days(self.problem, short, self.rng)
        if days is None:
            return None
        k = int(min(self.n_emp, max(2, size // (len(days) * self.per_cell))))
        chosen = self.names if k >= self.n_emp else sorted(self.rng.sample(self.names, k),
                                                           key=self.names.index)
        return _Move("exchange", size, list(chosen), days)

    def failed(self, move: _Move) -> None:
        """Nothing found in time: smaller next time, and this kind less often."""
        self.target[move.kind] = max(100.0, move.size / 1.5)
        if move.kind in self.weight:
            self.weight[move.kind] = 0.8 * self.weight[move.kind] + 0.2 * 0.05

    def solved(self, move: _Move, optimal: bool, gain: bool) -> None:
        """Proven optimal: try bigger; else smaller. Improving kinds are chosen more often."""
        self.target[move.kind] = (min(self.total / 2, move.size * 1.15) if optimal
                                  else max(100.0, move.size / 1.3))
        if move.kind in self.weight:
            reward = 1.0 if gain else 0.05
            self.weight[move.kind] = max(0.05, 0.8 * self.weight[move.kind] + 0.2 * reward)


def lns(problem: RosterProblem, cur: Roster, cur_obj: float, deadline: float,
         rng: random.Random, workers: int, improved: Callable[[Roster, float], None],
         floor: float | None = None, exchange: bool = True,
         frozen: Collection[Cell] | None = None, request_share: float | None = None,
         spare_share: float = 0.0, weekend: bool = True,
         coverage: CoverageModel | None = None, budget: float | None = None,
         patience: int | None = None, kinds: tuple[str, ...] = KINDS,
         max_moves: int | None = None) -> None:
    """Relax-and-resolve until ``deadline`` (or a roster meets the proven bound ``floor``);
    ``improved`` hears of every accepted roster. ``exchange``: whether exchange moves are drawn,
    ``request_share``: which of them go to broken requests, ``spare_share``: which are
    spare-minutes exchanges while cover is short, ``weekend``: whether weekend exchanges are
    drawn where weekends are tight (see :class:`_Neighbourhoods`). ``frozen``: cells no move
    changes.

    ``workers`` moves run at once, each a one-worker CP-SAT solve in its own thread (the solver
    releases the GIL): on small sub-models two independent moves find more than one move with
    two workers. No model is built ahead: it would work on an older roster.

    A finished move is merged into the roster as it is THEN: its employees' rows replace
    theirs. That is always feasible, because every hard rule is per employee (cover is
    soft), and the merged roster is re-scored exactly; it is kept when it costs no more (plateau
    moves are accepted). Kicks (see the module docstring) take the search off a local optimum;
    ``improved`` hears only of rosters cheaper than any before. Neighbourhoods:
    :class:`_Neighbourhoods`.

    ``coverage``: the coverage model (by default the problem's cover per day and shift).
    ``budget``: each move stops at this much CP-SAT deterministic time instead of
    ``SUB_TIME_LIMIT`` seconds (the clock then only guards the deadline), and with one worker
    the moves run one after another: the search is then the same for a seed under any load,
    as long as ``patience`` (stop after that many moves in a row found no roster cheaper than the
    best), not the
    deadline, ends it. ``kinds``: the neighbourhood kinds drawn (:data:`KINDS`, or "single").
    ``max_moves``: stop after that many moves (a work budget: with ``budget`` and one worker,
    the search is then the same for a seed under any load whatever ends it but the deadline).
    """
    cover = DayShiftCover(problem) if coverage is None else coverage
    frozen_days: set[int] = set()
    if frozen:
        per_day = Counter(d for _, d in frozen)
        frozen_days = {d for d, n in per_day.items() if n >= len(problem.employees)}
    hoods = _Neighbourhoods(problem, rng, exchange, frozen_days, request_share, spare_share,
                            weekend, cover, kinds)
    running: dict[Future, tuple[_Move, bool]] = {}
    best_obj = cur_obj
    # One unit of missing cover: the smallest worsening that lets a kick move work around.
    step = cover.unit
    stall = 0  # moves proven optimal since the roster last got cheaper
    idle = 0  # moves in a row since the best roster last got cheaper
    last_start: float | None = None
    longest = 0.0  # the longest move so far, with its merge (with ``budget``: the guard's margin)
    moves = 0
    parameters = dict(SUB_PARAMETERS)
    if budget is not None:
        parameters["max_deterministic_time"] = budget
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while True:
            while len(running) < max(1, workers):
                now = time.perf_counter()
                if last_start is not None and not running:
                    longest = max(longest, now - last_start)
                left = deadline - now
                if budget is None:
                    left = min(SUB_TIME_LIMIT, left)
                elif left <= longest:
                    break  # a move that cannot end by the deadline is not started
                else:
                    left = min(left, BUDGET_WALL_CAP)
                if (left <= 0.05 or (patience is not None and idle >= patience)
                        or (max_moves is not None and moves >= max_moves)):
                    break
                move = hoods.choose(cur)
                kick = stall >= STALL_MOVES and rng.random() < KICK_SHARE
                fut = pool.submit(_solve_sub, problem, cur, move.employees, move.days, left,
                                  rng.randrange(1 << 30), 1, parameters=parameters,
                                  differ=kick, frozen=frozen, coverage=coverage)
                running[fut] = (move, kick)
                moves += 1
                last_start = time.perf_counter()
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in [f for f in running if f in done]:  # in the order submitted
                move, kick = running.pop(fut)
                got = fut.result()
                idle += 1
                if got is None:
                    if not kick:
                        hoods.failed(move)
                    continue
                new, _, optimal = got
                mine = set(move.employees)
                merged = {c: s for c, s in cur.items() if c[0] not in mine}
                merged.update((c, s) for c, s in new.items() if c[0] in mine)
                obj = roster_objective(problem, merged, coverage)
                if not kick:
                    hoods.solved(move, optimal, obj < cur_obj)
                    # Stuck = moves proven optimal find nothing; unproven ones (large
                    # instances still descending) do not count.
                    stall += optimal
                # A kick may cost a little more than the best roster (threshold accepting);
                # the best is kept by ``improved`` and bounds how far the search drifts.
                limit = best_obj + max(step, KICK_THRESHOLD * best_obj) if kick else cur_obj
                if obj <= limit:
                    if obj < cur_obj or kick:
                        stall = 0
                    cur, cur_obj = merged, obj
                    if obj < best_obj:
                        idle = 0
                        best_obj = obj
                        improved(merged, obj)
            if floor is not None and best_obj <= floor:
                break


@dataclass(frozen=True)
class LnsPhase:
    """The engine's phase of relax-and-resolve moves (:func:`lns`, see its parameters), from the
    search's best roster; it stops at the search's proven bound."""

    name: str = "search"
    kinds: tuple[str, ...] = KINDS
    exchange: bool = True
    frozen: tuple[Cell, ...] | None = None
    request_share: float | None = None
    spare_share: float = 0.0
    weekend: bool = True
    budget: float | None = None
    patience: int | None = None
    max_moves: int | None = None

    def run(self, search: Search, until: float) -> None:
        lns(search.problem, search.best, search.best_obj, until, search.rng, search.workers,
            lambda roster, obj: search.offer(self.name, roster, obj), floor=search.bound,
            exchange=self.exchange, frozen=self.frozen, request_share=self.request_share,
            spare_share=self.spare_share, weekend=self.weekend, coverage=search.coverage,
            budget=self.budget, patience=self.patience, kinds=self.kinds,
            max_moves=self.max_moves)


@dataclass(frozen=True)
class ColumnGenerationPhase:
    """Exact column generation from the best roster (:mod:`planner.scheduling.roster_colgen`:
    cover per day and shift only): a proven bound, and from its dive a roster with many rows
    changed at once, where the moves of :func:`lns` stall."""

    name: str = "column generation"

    def run(self, search: Search, until: float) -> None:
        cg = exact_column_generation(search.problem, search.best, until,
                                     search.rng.randrange(1 << 30), search.workers)
        if cg.roster is not None:
            search.offer(self.name, cg.roster)
        search.prove(cg.bound)


@dataclass(frozen=True)
class FullModelPhase:
    """One CP-SAT run on the whole model from the best roster (small problems: CP-SAT's own
    neighbourhoods and bound reasoning escape the local optima of :func:`lns`), with the proven
    bound as a constraint so that it stops once a roster meets it."""

    name: str = "full model"

    def run(self, search: Search, until: float) -> None:
        problem = search.problem
        rm = build_roster_model(problem, coverage=search.coverage)
        if search.bound is not None:
            rm.model.Add(rm.objective() >= round(search.bound))
        solver, st, _ = solve_model(rm, until - time.perf_counter(),
                                    search.rng.randrange(1 << 30), search.workers,
                                    hint=search.best)
        if st not in _STATUS:
            return
        search.offer(self.name, rm.read(solver))
        search.prove(solver.BestObjectiveBound())
