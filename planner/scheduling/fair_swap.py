"""A fairness move of the roster search: two agents of one fairness group exchange their cells
over a few days.

The search's own moves re-place one agent at a time, so a night cannot pass from an agent who
works too many to one who works too few: the first one dropping it loses cover, the second one
cannot add it while the first still holds it. Exchanging the cells of the same days between the
two moves the night (or the weekend day, or the late) in one step, and between agents of one
skill group it leaves the coverage exactly as it was.

:func:`fair_swaps` tries, for each agent above the fair share of a kind
(:mod:`planner.scheduling.fairness`), each day they work that kind and the agents of their group
who work it least: the exchange of that day, of the days around it, of its weekend and of its
calendar week. An exchange is kept when both rows keep every hard rule
(:func:`planner.scheduling.dayfix.keeps_rules`) and the exact objective of the search
(wishes, coverage, tier, pay, fairness) falls. Agents are visited in a fixed order and the pass
repeats until it keeps nothing, so the result depends only on the roster (the deadline is a
guard).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

from planner.domain import FAIR_KINDS
from planner.domain import is_weekend as weekend_day
from planner.scheduling.dayfix import OFF, keeps_rules
from planner.scheduling.fairness import agent_counts, template_kinds
from planner.scheduling.interval_cover import IntervalCover
from planner.scheduling.problem import SchedulingProblem
from planner.scheduling.roster import roster_objective
from planner.scheduling.roster_check import run_cost
from planner.scheduling.rules import RosterProblem, calendar_weeks
from planner.scheduling.week import roster_problem

Cell = tuple[str, int]
Roster = dict[Cell, str]
# Agents of the group tried as the other side of an exchange, those with the fewest of the kind
# first.
PARTNERS = 12
# Other starts tried for an exchanged shift that breaks a rule where it lands.
MEND = 6


def fair_swaps(problem: SchedulingProblem, rp: RosterProblem, cover: IntervalCover,
               roster: Mapping[Cell, str], objective: float, deadline: float | None = None,
               progress: Callable[[str, float, float], None] | None = None
               ) -> tuple[Roster, float]:
    """Exchanges of a few days' cells between two agents of one fairness group (module
    docstring) until none lowers ``objective``, the exact objective of ``roster`` (the roster
    engine's cells of ``rp``, priced by ``cover``); returns the roster and its objective.
    Without fair shares (``fairness.weight`` 0) the roster comes back unchanged."""
    if problem.fair_shares is None:
        return dict(roster), objective
    return _Swapper(problem, rp, cover, roster, objective).run(deadline, progress)


class _Swapper:
    def __init__(self, problem: SchedulingProblem, rp: RosterProblem, cover: IntervalCover,
                 roster: Mapping[Cell, str], objective: float):
        self.problem, self.rp, self.cover = problem, rp, cover
        self.days = problem.grid.days
        self.ids = [a.agent_id for a in problem.agents]
        # The hard rules on template ids (keeps_rules' problem): rp's own minimums, which hold
        # the relaxed ones of over-constrained agents.
        relax = {i: r.min_minutes for i, r in enumerate(rp.employees)
                 if r.min_minutes < problem.agents[i].min_minutes}
        self.rules_rp = roster_problem(problem, cover.weights, relax)
        self.requests = rp.requests_by_employee()
        self.rows = [[roster.get((e, d)) for d in range(self.days)] for e in self.ids]
        self.objective = objective
        self.cells = self.roster()
        self.coverage = cover.coverage_cost(self.cells)
        first = problem.grid.start.weekday()
        self.weekend = [weekend_day((first + d) % 7) for d in range(self.days)]
        self.weeks = calendar_weeks(first, self.days)
        self.kinds = template_kinds(problem)
        self.counts = [agent_counts(problem, self._ids(i)) for i in range(len(self.ids))]
        self.own = [self._own_cost(i, row) for i, row in enumerate(self.rows)]
        self.name_of: dict[tuple[int, int | None], str] = {}
        for name, (k, v) in cover.shift_of.items():
            self.name_of[(k, v)] = name
            self.name_of.setdefault((k, None), name)
        self.members: dict[int, list[int]] = {}
        for i, g in enumerate(problem.fair_groups):
            self.members.setdefault(g, []).append(i)

    def roster(self) -> Roster:
        return {(e, d): s for e, row in zip(self.ids, self.rows, strict=True)
                for d, s in enumerate(row) if s is not None}

    def _ids(self, i: int, row: list[str | None] | None = None) -> dict[int, int]:
        """Agent ``i``'s row (their current one by default) as day -> template id."""
        row = self.rows[i] if row is None else row
        return {d: self.cover.shift_of[s][0] for d, s in enumerate(row) if s is not None}

    def _legal(self, i: int, row: list[str | None]) -> bool:
        ids = self._ids(i, row)
        return keeps_rules(self.problem, self.rules_rp, i, [ids.get(d, OFF) for d in range(self.days)])

    def _own_cost(self, i: int, row: list[str | None]) -> float:
        """The objective's terms of agent ``i`` alone with ``row``: wishes, runs, pay, weekends,
        lates, fairness."""
        e = self.ids[i]
        cells = {(e, d): s for d, s in enumerate(row) if s is not None}
        cost = self.cover.agent_terms(cells)
        cost += sum(q.cost(row[q.day]) for q in self.requests[i])
        return cost + run_cost(self.rp.employees[i], [s is not None for s in row])

    def _has(self, i: int, kind: int, d: int) -> bool:
        s = self.rows[i][d]
        if s is None:
            return False
        if FAIR_KINDS[kind] == "weekend_days":
            return self.weekend[d]
        return self.kinds[self.cover.shift_of[s][0]] == FAIR_KINDS[kind]

    def _windows(self, a: int, b: int, d: int) -> list[tuple[int, ...]]:
        """The days exchanged around day ``d``: itself, with a neighbour, with both, its weekend,
        with another day of its calendar week where the two rows differ (so that each keeps
        their days and hours in the week), and the whole calendar week."""
        days = self.days
        out = [(d,), tuple(range(max(0, d - 1), d + 1)), tuple(range(d, min(days, d + 2))),
               tuple(range(max(0, d - 1), min(days, d + 2)))]
        if self.weekend[d]:
            out.append(tuple(x for x in (d - 1, d, d + 1)
                             if 0 <= x < days and self.weekend[x]))
        week = next(w for w in self.weeks if d in w)
        ra, rb = self.rows[a], self.rows[b]
        out += [tuple(sorted((d, x))) for x in week
                if x != d and (ra[x] is None) != (rb[x] is None)]
        out.append(tuple(week))
        return list(dict.fromkeys(out))

    def _try(self, a: int, b: int, days: tuple[int, ...], mend: bool) -> bool:
        """Exchange agents ``a`` and ``b``'s cells on ``days``; keep it when legal (with
        ``mend``: after :meth:`_mend`) and cheaper."""
        ra, rb = self.rows[a], self.rows[b]
        if all(ra[d] == rb[d] for d in days):
            return False
        na, nb = list(ra), list(rb)
        for d in days:
            na[d], nb[d] = rb[d], ra[d]
        own = (self._own_cost(a, na) + self._own_cost(b, nb)
               - self.own[a] - self.own[b])
        # A fairness move: only exchanges that gain on the agents' own terms are priced in full.
        if own >= 0:
            return False
        mended = False
        for i, row in ((a, na), (b, nb)):
            if not self._legal(i, row):
                if not mend or not self._mend(i, row, days):
                    return False
                mended = True
        if mended:
            own = (self._own_cost(a, na) + self._own_cost(b, nb)
                   - self.own[a] - self.own[b])
            if own >= 0:
                return False
        self._put(a, b, na, nb, days)
        # Agents of one skill group are interchangeable for coverage (the cells carry their
        # break variants along): a plain exchange leaves it as it was.
        same = self.problem.agents[a].group == self.problem.agents[b].group and not mended
        coverage = self.coverage if same else self.cover.coverage_cost(self.cells)
        if own + coverage - self.coverage < 0:
            self.objective += own + coverage - self.coverage
            self.coverage = coverage
            for i in (a, b):
                self.counts[i] = agent_counts(self.problem, self._ids(i))
                self.own[i] = self._own_cost(i, self.rows[i])
            return True
        self._put(a, b, ra, rb, days)
        return False

    def _mend(self, i: int, row: list[str | None], days: tuple[int, ...]) -> bool:
        """Make agent ``i``'s exchanged ``row`` legal by moving one exchanged shift to another
        start of the same length on its day (the nearest first: the rest between shifts or
        the agent's own hours broke); in place, whether it worked."""
        shift_of, templates = self.cover.shift_of, self.problem.templates
        for d in days:
            s = row[d]
            if s is None:
                continue
            k, v = shift_of[s]
            tpl = templates[k]
            near = sorted((o for o in self.problem.allowed[i][d]
                           if o != k and templates[o].paid_minutes == tpl.paid_minutes),
                          key=lambda o: (abs(templates[o].start_minute - tpl.start_minute), o))
            for o in near[:MEND]:
                row[d] = self.name_of.get((o, v)) or self.name_of[(o, None)]
                if self._legal(i, row):
                    return True
            row[d] = s
        return False

    def _put(self, a: int, b: int, ra: list[str | None], rb: list[str | None],
             days: tuple[int, ...]) -> None:
        self.rows[a], self.rows[b] = ra, rb
        for i, row in ((a, ra), (b, rb)):
            for d in days:
                if row[d] is None:
                    self.cells.pop((self.ids[i], d), None)
                else:
                    self.cells[(self.ids[i], d)] = row[d]

    def _pass(self, left: Callable[[], bool]) -> int:
        """One sweep over the agents above a fair share; the number of exchanges kept."""
        shares = self.problem.fair_shares
        kept = 0
        for kind in (FAIR_KINDS.index("nights"), FAIR_KINDS.index("weekend_days"),
                     FAIR_KINDS.index("lates")):
            above = [i for i in range(len(self.ids))
                     if self.counts[i][kind] > math.floor(shares[i][kind] + 1e-9)]
            above.sort(key=lambda i: (shares[i][kind] - self.counts[i][kind], i))
            for a in above:
                for d in range(self.days):
                    if not left():
                        return kept
                    if self.counts[a][kind] <= math.floor(shares[a][kind] + 1e-9):
                        break
                    if not self._has(a, kind, d):
                        continue
                    group = self.members[self.problem.fair_groups[a]]
                    partners = sorted((b for b in group
                                       if self.counts[b][kind] < self.counts[a][kind] - 1
                                       and not self._has(b, kind, d)),
                                      key=lambda b: (self.counts[b][kind], b))[:PARTNERS]
                    # Plain exchanges first (they keep the coverage as it is between agents
                    # of one skill group), then with a shift moved where one lands badly.
                    if any(self._try(a, b, w, mend) for mend in (False, True) for b in partners
                           for w in self._windows(a, b, d)):
                        kept += 1
        return kept

    def run(self, deadline: float | None,
            progress: Callable[[str, float, float], None] | None) -> tuple[Roster, float]:
        t0 = time.perf_counter()

        def left() -> bool:
            return deadline is None or time.perf_counter() < deadline

        while left() and self._pass(left):
            if progress is not None:
                progress("fair swaps", time.perf_counter() - t0, self.objective)
        roster = self.roster()
        return roster, roster_objective(self.rp, roster, self.cover)
