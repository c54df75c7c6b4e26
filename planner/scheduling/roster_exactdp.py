"""The cheapest valid row of one employee, exactly, by dynamic programming over the days.

Why: column generation (:mod:`planner.scheduling.roster_colgen`) prices every employee in every
round. A CP-SAT model per employee takes about 0.1-0.2 s, which on 120 employees
is 10 s a round: too slow for the master LP to converge in a minute. The heuristic row DP
(:mod:`planner.scheduling.roster_rowdp`) prices minutes and weekends, so it misses rows
exactly where both bind. Here they are counted in the state instead:

- run state: the shift group worked (shift types of the same length that forbid the same
  successors and are forbidden after the same predecessors), the length of the work run (up
  to the maximum), or the length of the rest run (up to the minimum, or the maximum when
  there is one), and whether the run started on the first day (exempt from the minimum when
  the rule says so);
- minutes worked, in units of the greatest common divisor of the shift lengths;
- weekends worked so far (a Saturday worked, or a Sunday after a Saturday off, counts one).

The values of all states of a day sit in one numpy array; each shift group is one vectorised
step, so a row of 28 days and 18 types takes milliseconds. Caps per shift type are not in the
state (one counter per capped type would multiply it): a row that breaks a cap is reported, and
the caller prices that employee by CP-SAT instead. Soft run costs are not modelled either:
:func:`supported` says when the DP applies.

Run backwards (:func:`_back_step`, the adjoint of each forward step) the same arrays hold the
cost to go from every state; a forward value plus a cost to go is the least cost of a row
through that state, which prices every weekend pattern of an employee at once
(:func:`weekend_pattern_costs`, for the weekend plan of :mod:`planner.bench.weekend_plan`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.scheduling.roster_check import row_violations
from planner.scheduling.rules import UNBOUNDED, EmployeeRules, RosterProblem, ShiftRequest

INF = np.inf
# Largest number of values per day (states x minute units x weekend counts) the DP takes on.
MAX_STATES = 400_000
# Relative tolerance when tracing the path back through equal values.
TRACE_TOL = 1e-9


def supported(problem: RosterProblem, rules: EmployeeRules) -> bool:
    """Whether the DP models every rule of ``rules`` (hard run bounds only) at a sane size."""
    seqs = (rules.work_sequence, rules.off_sequence)
    if any(r.min_cost or r.max_cost for r in seqs):
        return False
    return _Layout.size(problem, rules) <= MAX_STATES


@dataclass
class _Group:
    shifts: list[int]  # shift indices
    units: int  # length in minute units
    banned: frozenset[int]  # shift indices that may not follow on the next day


class _Layout:
    """The state space of one employee."""

    def __init__(self, problem: RosterProblem, rules: EmployeeRules):
        types = problem.shift_types
        index = {s.name: i for i, s in enumerate(types)}
        allowed = [i for i, s in enumerate(types)
                   if rules.max_shifts.get(s.name, UNBOUNDED) > 0]
        self.unit = math.gcd(*[types[i].length_minutes for i in allowed]) if allowed else 1
        self.unit = max(1, self.unit)
        # Shifts share a group only when they have the same length, ban the same successors
        # AND are banned by the same predecessors: a group is one choice of the DP, so every
        # succession into it must be allowed for all its shifts or for none (Curtois 13: d5
        # may follow d4, a5 may not; grouped together, no row had d4 then d5).
        by_key: dict[tuple[int, frozenset[int], frozenset[int]], list[int]] = {}
        for i in allowed:
            banned = frozenset(index[t] for t in types[i].cannot_follow if t in index)
            banned_by = frozenset(j for j in allowed if types[i].name in types[j].cannot_follow)
            key = (types[i].length_minutes // self.unit, banned, banned_by)
            by_key.setdefault(key, []).append(i)
        self.groups = [_Group(v, k[0], k[1]) for k, v in by_key.items()]
        ws, os_ = rules.work_sequence, rules.off_sequence
        self.work_min, self.off_min = max(1, ws.hard_min), max(1, os_.hard_min)
        self.work_max = ws.hard_max if ws.hard_max < problem.days else None
        self.off_max = os_.hard_max if os_.hard_max < problem.days else None
        self.rw = self.work_max if self.work_max is not None else self.work_min
        self.ro = self.off_max if self.off_max is not None else self.off_min
        self.work_exempt, self.off_exempt = ws.edges_exempt, os_.edges_exempt
        self.bounded = rules.max_minutes < UNBOUNDED
        if self.bounded:
            self.top = rules.max_minutes // self.unit
        else:
            self.top = -(-rules.min_minutes // self.unit)
        self.low = -(-rules.min_minutes // self.unit)
        weekends = problem.weekends()
        self.track_weekends = rules.max_weekends < len(weekends)
        self.nw = rules.max_weekends + 1 if self.track_weekends else 1
        self.first_of_weekend = {w[0] for w in weekends}
        self.second_of_weekend = {w[1] for w in weekends if len(w) > 1}

    @staticmethod
    def size(problem: RosterProblem, rules: EmployeeRules) -> int:
        lay = _Layout(problem, rules)
        states = len(lay.groups) * lay.rw * 2 + lay.ro * 2
        return states * (lay.top + 1) * lay.nw


def _shift(a: np.ndarray, units: int, bounded: bool, axis: int) -> np.ndarray:
    """``a`` moved ``units`` along the minutes axis (dropped past the top, or saturating)."""
    if units == 0:
        return a.copy()
    out = np.full_like(a, INF)
    n = a.shape[axis]
    src = [slice(None)] * a.ndim
    dst = [slice(None)] * a.ndim
    if units < n:
        src[axis] = slice(0, n - units)
        dst[axis] = slice(units, n)
        out[tuple(dst)] = a[tuple(src)]
    if not bounded:
        # Saturating: everything that would pass the top lands on it.
        src[axis] = slice(max(0, n - units), n)
        top = [slice(None)] * a.ndim
        top[axis] = slice(n - 1, n)
        tail = np.min(a[tuple(src)], axis=axis, keepdims=True)
        out[tuple(top)] = np.minimum(out[tuple(top)], tail)
    return out


def _weekend(a: np.ndarray, step: bool) -> np.ndarray:
    """One more weekend worked (last axis) when ``step``."""
    if not step:
        return a
    out = np.full_like(a, INF)
    out[..., 1:] = a[..., :-1]
    return out


def day_costs(problem: RosterProblem, rules: EmployeeRules, requests: Sequence[ShiftRequest],
              duals: np.ndarray) -> np.ndarray:
    """Cost of each choice per day, shape (days, shifts + 1): own requests broken minus the
    cover dual of the cell; the last column is the day off; disallowed cells are infinite."""
    names = problem.shift_names
    n = len(names)
    cost = np.zeros((problem.days, n + 1))
    cost[:, :n] -= duals
    for d in range(problem.days):
        for i, s in enumerate(names):
            if not rules.may_work(d, s):
                cost[d, i] = INF
    for req in requests:
        for i, s in enumerate(names):
            if np.isfinite(cost[req.day, i]):
                cost[req.day, i] += req.cost(s)
        cost[req.day, n] += req.cost(None)
    return cost


def _group_costs(lay: _Layout, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per day, the cheapest shift of each group and its cost: (gcost, gpick), shape (days, G)."""
    days = cost.shape[0]
    gcost = np.full((days, len(lay.groups)), INF)
    gpick = np.zeros((days, len(lay.groups)), dtype=int)
    for g, grp in enumerate(lay.groups):
        sub = cost[:, grp.shifts]
        k = np.argmin(sub, axis=1)
        gpick[:, g] = np.array(grp.shifts)[k]
        gcost[:, g] = sub[np.arange(days), k]
    return gcost, gpick


def _follows(lay: _Layout) -> np.ndarray:
    """Which groups may follow which (g' after g): g' has no shift g bans."""
    G = len(lay.groups)
    return np.array([[not (set(lay.groups[b].shifts) & lay.groups[a].banned)
                      for b in range(G)] for a in range(G)], dtype=bool)


def _first_day(lay: _Layout, gcost: np.ndarray, c_off: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """The values of day 0 (work, off) for one day's group costs and day-off cost."""
    G, RW, RO, M, W = len(lay.groups), lay.rw, lay.ro, lay.top + 1, lay.nw
    work = np.full((G, RW, 2, M, W), INF)
    off = np.full((RO, 2, M, W), INF)
    step0 = lay.track_weekends and 0 in (lay.first_of_weekend | lay.second_of_weekend)
    for g, grp in enumerate(lay.groups):
        if np.isfinite(gcost[g]) and (grp.units < M or not lay.bounded):
            init = np.full((M, W), INF)
            init[0, 0] = 0.0
            init = _weekend(_shift(init, grp.units, lay.bounded, 0), step0)
            work[g, 0, 1] = init + gcost[g]
    off[0, 1, 0, 0] = c_off
    return work, off


def _step(lay: _Layout, follows: np.ndarray, prev_w: np.ndarray, prev_o: np.ndarray,
          d: int, gcost: np.ndarray, c_off: float) -> tuple[np.ndarray, np.ndarray]:
    """The values of day ``d`` (work, off) from those of day ``d - 1``."""
    G, RW, RO, M, W = len(lay.groups), lay.rw, lay.ro, lay.top + 1, lay.nw
    # A work run may end when it reached the minimum (or started on day 0, if exempt).
    end_work = np.full((M, W), INF)
    for r, edge in _ends(lay, "w"):
        end_work = np.minimum(end_work, prev_w[:, r, edge].min(axis=0))
    end_off = np.full((M, W), INF)
    for r, edge in _ends(lay, "o"):
        end_off = np.minimum(end_off, prev_o[r, edge])
    off = np.full((RO, 2, M, W), INF)
    if np.isfinite(c_off):
        off[0, 0] = end_work + c_off
        if RO > 1:
            off[1:] = prev_o[:-1] + c_off
        if lay.off_max is None:
            # The last length stands for "at least": staying off keeps it there.
            off[RO - 1] = np.minimum(off[RO - 1], prev_o[RO - 1] + c_off)
    first = lay.track_weekends and d in lay.first_of_weekend
    second = lay.track_weekends and d in lay.second_of_weekend
    work = np.full((G, RW, 2, M, W), INF)
    for g, grp in enumerate(lay.groups):
        c = gcost[g]
        if not np.isfinite(c):
            continue
        cand = np.full((RW, 2, M, W), INF)
        src = follows[:, g]
        if src.any():
            cont = prev_w[src].min(axis=0)  # (RW, 2, M, W)
            if RW > 1:
                cand[1:] = cont[:-1]
            if lay.work_max is None:
                cand[RW - 1] = np.minimum(cand[RW - 1], cont[RW - 1])
            cand = _weekend(cand, first)
        start = _weekend(end_off, first or second)
        cand[0, 0] = np.minimum(cand[0, 0], start)
        work[g] = _shift(cand, grp.units, lay.bounded, 2) + c
    return work, off


def _last_day(lay: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """What ending the row in each state costs (work, off): 0 where the last run and the
    minutes are valid, else infinite."""
    G, RW, RO, M, W = len(lay.groups), lay.rw, lay.ro, lay.top + 1, lay.nw
    work = np.zeros((G, RW, 2, M, W))
    off = np.zeros((RO, 2, M, W))
    for r in range(RW):
        if not lay.work_exempt and r + 1 < lay.work_min:
            work[:, r] = INF
    for r in range(RO):
        if not lay.off_exempt and r + 1 < lay.off_min:
            off[r] = INF
    work[:, :, :, :lay.low] = INF
    off[:, :, :lay.low] = INF
    return work, off


def _unshift(a: np.ndarray, units: int, bounded: bool, axis: int) -> np.ndarray:
    """The adjoint of :func:`_shift`: at ``m``, the value of ``a`` at ``m + units`` (infinite
    past the top, or the top when saturating)."""
    if units == 0:
        return a.copy()
    n = a.shape[axis]
    out = np.full_like(a, INF)
    src = [slice(None)] * a.ndim
    dst = [slice(None)] * a.ndim
    if units < n:
        src[axis] = slice(units, n)
        dst[axis] = slice(0, n - units)
        out[tuple(dst)] = a[tuple(src)]
    if not bounded:
        # Saturating: everything that would pass the top lands on it.
        src[axis] = slice(n - 1, n)
        dst[axis] = slice(max(0, n - units), n)
        out[tuple(dst)] = a[tuple(src)]
    return out


def _unweekend(a: np.ndarray, step: bool) -> np.ndarray:
    """The adjoint of :func:`_weekend`: at ``w``, the value of ``a`` at ``w + 1``."""
    if not step:
        return a
    out = np.full_like(a, INF)
    out[..., :-1] = a[..., 1:]
    return out


def _back_step(lay: _Layout, follows: np.ndarray, next_w: np.ndarray, next_o: np.ndarray,
               d: int, gcost: np.ndarray, c_off: float) -> tuple[np.ndarray, np.ndarray]:
    """The cost to go from each state at the end of day ``d - 1`` (work, off), from that at the
    end of day ``d`` and the costs of day ``d``: the adjoint of :func:`_step`."""
    G, RW, RO, M, W = len(lay.groups), lay.rw, lay.ro, lay.top + 1, lay.nw
    first = lay.track_weekends and d in lay.first_of_weekend
    second = lay.track_weekends and d in lay.second_of_weekend
    work = np.full((G, RW, 2, M, W), INF)
    off = np.full((RO, 2, M, W), INF)
    start = np.full((M, W), INF)  # a work run starting on day d, after a run off
    for g, grp in enumerate(lay.groups):
        c = gcost[g]
        if not np.isfinite(c):
            continue
        moved = _unshift(next_w[g], grp.units, lay.bounded, 2) + c  # (RW, 2, M, W)
        start = np.minimum(start, _unweekend(moved[0, 0], first or second))
        cont = np.full((RW, 2, M, W), INF)
        if RW > 1:
            cont[:-1] = moved[1:]
        if lay.work_max is None:
            cont[RW - 1] = np.minimum(cont[RW - 1], moved[RW - 1])
        cont = _unweekend(cont, first)
        src = follows[:, g]
        work[src] = np.minimum(work[src], cont)
    if np.isfinite(c_off):
        stay = np.full((RO, 2, M, W), INF)
        if RO > 1:
            stay[:-1] = next_o[1:] + c_off
        if lay.off_max is None:
            stay[RO - 1] = np.minimum(stay[RO - 1], next_o[RO - 1] + c_off)
        off = stay
        end_work = next_o[0, 0] + c_off
        for r, edge in _ends(lay, "w"):
            work[:, r, edge] = np.minimum(work[:, r, edge], end_work)
    for r, edge in _ends(lay, "o"):
        off[r, edge] = np.minimum(off[r, edge], start)
    return work, off


def _forward(lay: _Layout, follows: np.ndarray, gcost: np.ndarray, c_off: np.ndarray
             ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The values (work, off) at the end of every day, that day's cost included."""
    out = [_first_day(lay, gcost[0], c_off[0])]
    for d in range(1, len(gcost)):
        out.append(_step(lay, follows, *out[-1], d, gcost[d], c_off[d]))
    return out


def _backward(lay: _Layout, follows: np.ndarray, gcost: np.ndarray, c_off: np.ndarray
              ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The costs to go (work, off) from the end of every day."""
    out = [_last_day(lay)]
    for d in range(len(gcost) - 1, 0, -1):
        out.append(_back_step(lay, follows, *out[-1], d, gcost[d], c_off[d]))
    out.reverse()
    return out


def cheapest_row(problem: RosterProblem, rules: EmployeeRules, cost: np.ndarray
                 ) -> tuple[tuple[str | None, ...], float] | None:
    """The valid row of least total ``cost`` (see :func:`day_costs`) under every rule but the
    caps per type, and its cost; None when no row meets the rules."""
    lay = _Layout(problem, rules)
    n_shift = len(problem.shift_names)
    gcost, gpick = _group_costs(lay, cost)
    follows = _follows(lay)
    days = _forward(lay, follows, gcost, cost[:, n_shift])
    works = [w for w, _ in days]  # per day: (G, RW, 2, M, W)
    offs = [o for _, o in days]  # per day: (RO, 2, M, W)
    work, off = days[-1]
    # The last run: exempt when the rule says so, else held to its minimum.
    last_w, last_o = _last_day(lay)
    final_w, final_o = work + last_w, off + last_o
    best_w, best_o = final_w.min(), final_o.min()
    best = min(best_w, best_o)
    if not np.isfinite(best):
        return None
    if best_w <= best_o:
        state = ("w", *np.unravel_index(np.argmin(final_w), final_w.shape))
    else:
        state = ("o", *np.unravel_index(np.argmin(final_o), final_o.shape))
    row = _trace(lay, cost, gcost, gpick, follows, works, offs, state)
    return row_names(problem.shift_names, row), float(best)


def weekend_pattern_costs(problem: RosterProblem, rules: EmployeeRules,
                          requests: Sequence[ShiftRequest],
                          patterns: Sequence[tuple[int, tuple[str | None, ...]]]
                          ) -> list[float] | None:
    """For each (weekend index, pattern), the least request cost of a whole valid row of the
    employee (every rule but the caps per type) that works ``pattern`` on that weekend's days
    (None: off), the other weekends free; infinite where no row does. None when the DP does not
    model the employee's rules or a weekend has more than two days.

    Why: a weekend plan that looks only at the weekend days can hand an employee a weekend that
    breaks their weekday requests (a run too long, a forbidden succession on Monday, minutes
    spent); this prices each pattern by the whole row. One pass forward and one backward (the
    cost to go from every state), then per weekend a step for each group on Saturday and one
    back for each on Sunday: the value of a pair is the least sum of the two. A shift in a
    group costs what the group costs plus its own request cost (the groups' shifts have the
    same length, successors and predecessors), so a weekend costs (groups + 1)^2 small sums, not one DP per
    pattern."""
    weekends = problem.weekends()
    if not supported(problem, rules) or any(len(w) > 2 for w in weekends):
        return None
    lay = _Layout(problem, rules)
    names = problem.shift_names
    n_shift = len(names)
    cost = day_costs(problem, rules, requests, np.zeros((problem.days, n_shift)))
    gcost, _ = _group_costs(lay, cost)
    follows = _follows(lay)
    group_of = {s: g for g, grp in enumerate(lay.groups) for s in grp.shifts}
    index = {s: i for i, s in enumerate(names)}
    G = len(lay.groups)
    fw = _forward(lay, follows, gcost, cost[:, n_shift])
    bw = _backward(lay, follows, gcost, cost[:, n_shift])

    def only(choice: int) -> tuple[np.ndarray, float]:
        """Group costs and day-off cost of a day where only ``choice`` (a group, or G: off)
        may be taken, at no cost of its own."""
        row = np.full(G, INF)
        if choice < G:
            row[choice] = 0.0
            return row, INF
        return row, 0.0

    @functools.cache
    def saturday(d: int, choice: int) -> tuple[np.ndarray, np.ndarray]:
        """The values at the end of day ``d`` with only ``choice`` taken on it."""
        if d == 0:
            return _first_day(lay, *only(choice))
        return _step(lay, follows, *fw[d - 1], d, *only(choice))

    @functools.cache
    def sunday(d: int, choice: int) -> tuple[np.ndarray, np.ndarray]:
        """The costs to go from the end of day ``d - 1`` with only ``choice`` taken on ``d``."""
        return _back_step(lay, follows, *bw[d], d, *only(choice))

    @functools.cache
    def value(days: tuple[int, ...], choices: tuple[int, ...]) -> float:
        """The least cost of a row taking ``choices`` on ``days``, their own costs left out."""
        f = saturday(days[0], choices[0])
        b = bw[days[0]] if len(days) == 1 else sunday(days[1], choices[1])
        if choices[0] < G:
            return float((f[0][choices[0]] + b[0][choices[0]]).min())
        return float((f[1] + b[1]).min())

    out = []
    for w, pat in patterns:
        days = weekends[w]
        picks = [n_shift if s is None else index[s] for s in pat]
        choices = tuple(G if k == n_shift else group_of.get(k, -1) for k in picks)
        own = sum(cost[d, k] for d, k in zip(days, picks, strict=True))
        if -1 in choices or not np.isfinite(own):
            out.append(INF)
            continue
        out.append(value(tuple(days), choices) + own)
    return out


def _close(a: float, b: float) -> bool:
    return bool(np.isfinite(a)) and abs(a - b) <= TRACE_TOL * max(1.0, abs(a), abs(b))


def _ends(lay: _Layout, kind: str):
    """The (run length index, started on day 0) pairs of ``kind`` ("w"/"o") runs that may end."""
    top, low, exempt = ((lay.rw, lay.work_min, lay.work_exempt) if kind == "w"
                        else (lay.ro, lay.off_min, lay.off_exempt))
    return [(r, e) for r in range(top) for e in (0, 1) if r + 1 >= low or (e and exempt)]


def _predecessors(lay: _Layout, follows: np.ndarray, state: tuple, d: int):
    """Every state of day ``d - 1`` that the forward pass may have moved to ``state`` on ``d``."""
    if state[0] == "w":
        _, g, r, edge, m, w = state
        units = lay.groups[g].units
        first = lay.track_weekends and d in lay.first_of_weekend
        second = lay.track_weekends and d in lay.second_of_weekend
        saturated = lay.work_max is None and r == lay.rw - 1  # "at least the minimum"
        minutes = ([m - units] if lay.bounded or m < lay.top
                   else range(max(0, m - units), lay.top + 1))
        for mm in (x for x in minutes if x >= 0):
            w0 = w - 1 if first else w
            for rr in ([r - 1] if r > 0 else []) + ([r] if saturated else []):
                for gg in np.flatnonzero(follows[:, g]):
                    if w0 >= 0:
                        yield ("w", int(gg), rr, edge, mm, w0)
            w0 = w - 1 if (first or second) else w
            if r == 0 and edge == 0 and w0 >= 0:
                for rr, e0 in _ends(lay, "o"):
                    yield ("o", rr, e0, mm, w0)
    else:
        _, r, edge, m, w = state
        saturated = lay.off_max is None and r == lay.ro - 1
        for rr in ([r - 1] if r > 0 else []) + ([r] if saturated else []):
            yield ("o", rr, edge, m, w)
        if r == 0 and edge == 0:
            for g in range(len(lay.groups)):
                for rr, e0 in _ends(lay, "w"):
                    yield ("w", g, rr, e0, m, w)


def _trace(lay: _Layout, cost, gcost, gpick, follows, works, offs, state) -> list[int | None]:
    """Walk back from ``state`` on the last day to day 0 through equal values."""
    def value(d: int, st: tuple) -> float:
        return works[d][st[1:]] if st[0] == "w" else offs[d][st[1:]]

    n_shift = cost.shape[1] - 1
    row: list[int | None] = [None] * len(works)
    for d in range(len(works) - 1, -1, -1):
        worked = state[0] == "w"
        row[d] = int(gpick[d, state[1]]) if worked else None
        if d == 0:
            break
        base = value(d, state) - (gcost[d, state[1]] if worked else cost[d, n_shift])
        state = next((p for p in _predecessors(lay, follows, state, d)
                      if _close(value(d - 1, p), base)), None)
        if state is None:
            raise AssertionError(f"exact row DP: trace lost its path at day {d}")
    return row


def row_names(names: Sequence[str], row: Sequence[int | None]) -> tuple[str | None, ...]:
    return tuple(None if i is None else names[i] for i in row)


def price_row(problem: RosterProblem, rules: EmployeeRules, requests: Sequence[ShiftRequest],
              duals: np.ndarray) -> tuple[tuple[str | None, ...] | None, bool]:
    """The employee's row of least ``own cost - duals``: (row, exact). ``exact`` is False when
    the DP's best row breaks a cap per shift type (the caller must price it another way) or no
    row exists; the row is then None."""
    got = cheapest_row(problem, rules, day_costs(problem, rules, requests, duals))
    if got is None:
        return None, False
    row, _ = got
    if row_violations(problem, rules, row):
        return None, False
    return row, True
