"""The product's coverage model: agents on shift templates covering case types per grid interval.

An agent on template ``k`` on day ``d`` is present in the grid intervals of that shift except
its breaks, which sit at stage 1's spread positions (the agent's break *variant*, by their place
in their skill group, as :func:`planner.scheduling.week.break_variant_offsets`); stage 2 then
re-places every break within its window, which can only improve coverage. Agents of one skill
group are interchangeable, so coverage depends on the roster only through the presence
``p[g, t]`` of each group in each interval. Present agents flow to the activities their group may
do; per activity and interval the cost of ``n`` agents is ``w_c * max(0, R - 10 n) + w_o *
max(0, 10 n - R)`` (``R`` the requirement in tenths of an agent, ``w_c`` its shortfall weight
with the case type's priority, ``w_o`` the overstaffing weight), plus the tier cost of
transactional work per agent-interval.

Exact cost (:meth:`IntervalCover.cost`): per interval the best flow of present agents to
activities is a min-cost flow whose activity costs are convex in whole agents
(:func:`planner.scheduling.cover_curve.segments`); written as arcs of capacity one segment each, its LP has
integral vertices, so HiGHS's simplex gives the integer optimum. Intervals are solved together in
one LP, and only those whose presence changed since the last call (moves touch a few agents).
The per-agent terms of the objective are priced per cell here too: pay, a weekend worked on both
days, late shifts beyond ``MAX_LATE``.

CP-SAT terms (:meth:`IntervalCover.add_terms`): for the intervals the free cells of a sub-model
can reach, presence as the constant of the fixed cells plus the free literals, integer flows
``x[g, c, t]`` for every group present there, and shortfall and surplus per (activity,
interval); with the minimum rest of the modelled agents (hard,
:func:`planner.scheduling.week.add_agent_extras`), their pay and fairness terms.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np
from ortools.sat.python import cp_model
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from planner.scheduling.constraints import Penalty, negate
from planner.scheduling.cover_curve import UNITS, segments, units
from planner.scheduling.fairness import agent_fair_cost
from planner.scheduling.problem import SchedulingProblem
from planner.scheduling.rules import RosterProblem, ShiftType
from planner.scheduling.week import (
    DEFAULT_WEIGHTS,
    LATE_END,
    MAX_LATE,
    VARIANTS,
    Weights,
    add_agent_extras,
    break_variant_offsets,
)

Cell = tuple[str, int]


class IntervalCover:
    """Coverage per (interval, case type) of a :class:`SchedulingProblem` (module docstring)."""

    def __init__(self, problem: SchedulingProblem, shift_of: Mapping[str, tuple[int, int]],
                 weights: Weights = DEFAULT_WEIGHTS):
        self.problem, self.weights = problem, weights
        self.shift_of = shift_of
        self.template_of = {n: problem.templates[k] for n, (k, _) in shift_of.items()}
        grid = problem.grid
        self.horizon = grid.days * grid.per_day
        self.agent = {a.agent_id: i for i, a in enumerate(problem.agents)}
        self.group = np.array([a.group for a in problem.agents], dtype=int)
        self.w_short = np.maximum(1, np.rint(weights.shortfall * problem.priority)).astype(int)
        self.req = units(problem.required[:, :self.horizon])
        self.unit = float(self.w_short.min()) if len(self.w_short) else 1.0
        self.weekday = (grid.start.weekday() + np.arange(grid.days)) % 7
        pay_of: dict[float, dict[int, int]] = {}  # one table per hourly cost
        for a in problem.agents:
            if a.hourly_cost not in pay_of:
                pay_of[a.hourly_cost] = {
                    k: round(a.hourly_cost * t.paid_minutes * weights.cost)
                    for k, t in enumerate(problem.templates)}
        self.pay = [pay_of[a.hourly_cost] for a in problem.agents]
        self.late = {k for k, t in enumerate(problem.templates) if t.end_minute > LATE_END}
        # (group, activity) pairs and their tier costs, for the flow LP and the CP-SAT terms.
        self.elig = [list(problem.group_eligible[g]) for g in range(len(problem.groups))]
        # What nobody present costs: every requirement short.
        self.empty = (self.w_short[:, None] * self.req).sum(axis=0).astype(float)
        self._segments: dict[tuple[int, int, int], tuple[tuple[int, int], ...]] = {}
        self._pres = np.zeros((len(problem.groups), self.horizon), dtype=int)
        self._cost_t = self.empty.copy()
        self._short_t = self.empty.copy()
        self._alloc = np.zeros((len(problem.groups), len(problem.activities), self.horizon),
                               dtype=np.int32)

    # --- presence -------------------------------------------------------------------------
    def segments(self, day: int, template: int, variant: int) -> tuple[tuple[int, int], ...]:
        """Grid intervals ``[a, b)`` (within the horizon) where an agent of ``variant`` on
        ``template`` on ``day`` is present, breaks left out."""
        key = (day, template, variant)
        got = self._segments.get(key)
        if got is None:
            grid, iv = self.problem.grid, self.problem.interval
            tpl = self.problem.templates[template]
            t0, t1 = grid.index(day, tpl.start_minute), grid.index(day, tpl.end_minute)
            cuts = []
            for w, off in zip(tpl.breaks, break_variant_offsets(tpl, iv, variant), strict=True):
                b0 = t0 + off // iv
                cuts.append((b0, b0 + w.span(iv)))
            out, a = [], t0
            for b0, b1 in sorted(cuts):
                if b0 > a:
                    out.append((a, b0))
                a = max(a, b1)
            if t1 > a:
                out.append((a, t1))
            got = tuple((a, min(b, self.horizon)) for a, b in out if a < self.horizon)
            self._segments[key] = got
        return got

    def presence(self, roster: Mapping[Cell, str]) -> np.ndarray:
        """``p[g, t]``: agents of each group present in each horizon interval."""
        gs, starts, ends = [], [], []
        for (e, d), s in roster.items():
            g = self.group[self.agent[e]]
            for a, b in self.segments(d, *self.shift_of[s]):
                gs.append(g)
                starts.append(a)
                ends.append(b)
        diff = np.zeros((self._pres.shape[0], self.horizon + 1), dtype=int)
        np.add.at(diff, (gs, starts), 1)
        np.add.at(diff, (gs, ends), -1)
        return np.cumsum(diff[:, :-1], axis=1)

    # --- exact cost -------------------------------------------------------------------------
    def _flow(self, pres: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per interval of ``cols``: the least coverage cost of ``pres`` and its shortfall part;
        the flow itself goes to ``self._alloc``."""
        w_o = float(self.weights.overstaffing)
        tier_w = float(self.weights.tier)
        n_act = len(self.problem.activities)
        cost, upper = [], []
        rows, cols_, vals = [], [], []
        rhs: list[float] = []
        x_of: list[tuple[int, int, int, int]] = []  # (column, group, activity, position)
        for pos, t in enumerate(cols):
            act_rows: dict[int, int] = {}
            for g in np.flatnonzero(pres[:, t]):
                elig = self.elig[g]
                if not elig:
                    continue
                r_g = len(rhs)
                rhs.append(float(pres[g, t]))
                for c in elig:
                    if c not in act_rows:
                        act_rows[c] = len(rhs)
                        rhs.append(0.0)
                    j = len(cost)
                    cost.append(tier_w * self.problem.tier_cost(g, c))
                    upper.append(np.inf)
                    rows += [r_g, act_rows[c]]
                    cols_ += [j, j]
                    vals += [1.0, 1.0]
                    x_of.append((j, int(g), c, pos))
            for c, r_c in act_rows.items():
                for price, cap in segments(int(self.req[c, t]), self.w_short[c], w_o)[1]:
                    j = len(cost)
                    cost.append(price)
                    upper.append(cap)
                    rows.append(r_c)
                    cols_.append(j)
                    vals.append(-1.0)
        out = self.empty[cols].copy()
        short = self.empty[cols].copy()
        self._alloc[:, :, cols] = 0
        if not cost:
            return out, short
        a = coo_matrix((vals, (rows, cols_)), shape=(len(rhs), len(cost))).tocsr()
        res = linprog(np.array(cost), A_eq=a, b_eq=np.array(rhs),
                      bounds=list(zip([0.0] * len(cost), upper, strict=True)), method="highs-ds")
        if res.status != 0:
            raise RuntimeError(f"coverage flow LP failed: {res.message}")
        n = np.zeros((n_act, len(cols)))
        tier = np.zeros(len(cols))
        for j, g, c, pos in x_of:
            v = round(res.x[j])
            n[c, pos] += v
            tier[pos] += cost[j] * v
            self._alloc[g, c, cols[pos]] = v
        req = self.req[:, cols]
        short_c = self.w_short[:, None] * np.maximum(0, req - UNITS * n)
        over_c = w_o * np.maximum(0, UNITS * n - req)
        out = short_c.sum(axis=0) + over_c.sum(axis=0) + tier
        return out, short_c.sum(axis=0).astype(float)

    def coverage_cost(self, roster: Mapping[Cell, str]) -> float:
        """The least coverage cost (shortfall, overstaffing, tier) of ``roster``'s presence."""
        pres = self.presence(roster)
        changed = np.flatnonzero((pres != self._pres).any(axis=0))
        if changed.size:
            cost, short = self._flow(pres, changed)
            self._cost_t[changed] = cost
            self._short_t[changed] = short
            self._pres = pres
        return float(self._cost_t.sum())

    def agent_terms(self, roster: Mapping[Cell, str]) -> float:
        """Pay, weekends worked on both days, late shifts beyond ``MAX_LATE`` and the fairness
        terms (:mod:`planner.scheduling.fairness`), per agent."""
        w = self.weights
        total = 0.0
        days_of: dict[str, dict[int, int]] = {}
        for (e, d), s in roster.items():
            k = self.shift_of[s][0]
            total += self.pay[self.agent[e]][k]
            days_of.setdefault(e, {})[d] = k
        for e, row in days_of.items():
            total += agent_fair_cost(self.problem, self.agent[e], row, w.shortfall)
            late = sum(1 for k in row.values() if k in self.late)
            total += w.late * max(0, late - MAX_LATE)
            total += w.weekend * sum(1 for d in row if self.weekday[d] == 5 and d + 1 in row)
        return total

    def cost(self, roster: Mapping[Cell, str]) -> float:
        return self.coverage_cost(roster) + self.agent_terms(roster)

    def day_deviation(self, roster: Mapping[Cell, str]
                      ) -> tuple[dict[int, float], dict[int, float]]:
        """Shortfall cost and the rest of the coverage cost per day of the horizon."""
        self.coverage_cost(roster)
        per = self.problem.grid.per_day
        short = self._short_t.reshape(-1, per).sum(axis=1)
        rest = self._cost_t.reshape(-1, per).sum(axis=1) - short
        return ({d: float(v) for d, v in enumerate(short) if v > 0},
                {d: float(v) for d, v in enumerate(rest) if v > 0})

    def prices(self, others: Mapping[Cell, str], agent: int) -> dict[tuple[int, str], float]:
        """Per (day, shift) the coverage cost of adding ``agent`` there to the roster ``others``:
        per interval the cheapest activity of their group for one more agent, everyone else's
        allocation kept (the exact cost, which may re-allocate, can only be lower)."""
        self.coverage_cost(others)
        g = int(self.group[agent])
        elig = self.elig[g]
        delta = np.zeros(self.horizon + 1)
        if elig:
            n = self._alloc[:, elig, :].sum(axis=0).astype(float)
            req = self.req[elig]
            w = self.w_short[elig][:, None].astype(float)
            w_o = float(self.weights.overstaffing)

            def cost(k):
                return w * np.maximum(0, req - UNITS * k) + w_o * np.maximum(0, UNITS * k - req)

            tier = np.array([self.problem.tier_cost(g, c) * self.weights.tier for c in elig],
                            dtype=float)[:, None]
            delta[1:] = np.cumsum((cost(n + 1) - cost(n) + tier).min(axis=0))
        out = {}
        days = self.problem.grid.days
        for name, (k, v) in self.shift_of.items():
            for d in range(days):
                out[(d, name)] = float(sum(delta[b] - delta[a] for a, b in self.segments(d, k, v)))
        return out

    # --- CP-SAT terms -----------------------------------------------------------------------
    def add_terms(self, model: cp_model.CpModel, works: Mapping[tuple[str, int, str], Any],
                  offs: Mapping[Cell, Any], fixed: Mapping[Cell, str | None],
                  modelled: Collection[str], current: Mapping[Cell, str] | None = None
                  ) -> list[Penalty]:
        problem, w = self.problem, self.weights
        days = problem.grid.days
        penalties: list[Penalty] = []
        base: dict[Cell, str] = {c: s for c, s in fixed.items()
                                 if s is not None and c[0] not in modelled}
        free: list[tuple[int, int, str, Any]] = []  # (agent, day, shift, literal)
        by_agent: dict[str, list[dict[str, Any]]] = {}
        for (e, d, s), lit in works.items():
            by_agent.setdefault(e, [{} for _ in range(days)])[d][s] = lit
            if isinstance(lit, bool):
                if lit:
                    base[(e, d)] = s
            else:
                free.append((self.agent[e], d, s, lit))
        for e in sorted(by_agent, key=self.agent.get):
            i = self.agent[e]
            work = [negate(offs[(e, d)]) for d in range(days)]
            pen, pay, fair = add_agent_extras(model, problem, i, by_agent[e], work, w,
                                              self.template_of)
            penalties += pen
            penalties.append(Penalty(f"{e} pay", sum(pay), 1))
            penalties.append(Penalty(f"{e} fairness", sum(fair), 1))
        if not free:
            return penalties
        if len(by_agent) == 1:
            # One agent: their cells do not meet each other (one shift a day), so each is priced
            # alone against everyone else, and the sub-model stays a small one-row model.
            (e,) = by_agent
            price = self.prices(base, self.agent[e])
            terms = [round(price[(d, name)]) * lit for i, d, name, lit in free]
            penalties.append(Penalty("coverage", sum(terms), 1))
            return penalties
        # The groups with free cells get flow variables; every other group keeps its flow in
        # the current roster's best allocation (a constant here; the exact cost re-allocates).
        self.coverage_cost(base if current is None else current)
        alloc = self._alloc
        pres = self.presence(base)
        terms: dict[tuple[int, int], list[Any]] = {}
        for i, d, name, lit in free:
            g = int(self.group[i])
            for a, b in self.segments(d, *self.shift_of[name]):
                for t in range(a, b):
                    terms.setdefault((g, t), []).append(lit)
        mine = sorted({int(self.group[i]) for i, _, _, _ in free})
        others = np.ones(len(self.elig), dtype=bool)
        others[mine] = False
        touched = sorted({t for _, t in terms})
        cost_terms = []
        for t in touched:
            cover: dict[int, list[Any]] = {}
            for g in mine:
                elig = self.elig[g]
                lits = terms.get((g, t), [])
                if not elig or (not lits and not pres[g, t]):
                    continue
                size = int(pres[g, t]) + len(lits)
                xs = []
                for c in elig:
                    x = model.NewIntVar(0, size, "")
                    model.AddHint(x, int(alloc[g, c, t]))
                    xs.append(x)
                    cover.setdefault(c, []).append(x)
                    tc = problem.tier_cost(g, c) * w.tier
                    if tc:
                        cost_terms.append(tc * x)
                model.Add(sum(xs) == int(pres[g, t]) + sum(lits))
            fixed_n = alloc[others, :, t].sum(axis=0)
            now_n = alloc[:, :, t].sum(axis=0)
            for c, xs in cover.items():
                r = int(self.req[c, t]) - UNITS * int(fixed_n[c])
                top = UNITS * sum(len(problem.groups[g]) for g in mine)
                s_ = model.NewIntVar(0, max(0, r), "")
                o_ = model.NewIntVar(0, top + max(0, -r), "")
                model.Add(UNITS * sum(xs) + s_ - o_ == r)
                dev = int(self.req[c, t]) - UNITS * int(now_n[c])
                model.AddHint(s_, max(0, dev))
                model.AddHint(o_, max(0, -dev))
                cost_terms.append(int(self.w_short[c]) * s_ + w.overstaffing * o_)
        penalties.append(Penalty("coverage", sum(cost_terms), 1))
        return penalties


def with_break_variants(rp: RosterProblem, problem: SchedulingProblem
                        ) -> tuple[RosterProblem, dict[str, tuple[int, int]], dict[tuple[int, int], str]]:
    """``rp`` (templates as shift types) with each template once per distinct break placement of
    stage 1's variants, named ``"<template>/<variant>"``: choosing a shift then also chooses where
    its breaks fall, so a roster's presence (and its exact cost) follows from its cells alone.
    Wishes and availability carry over to every variant. Returns the problem, each shift name's
    (template id, variant) and the shift name of every (template id, variant)."""
    iv = problem.interval
    shift_of: dict[str, tuple[int, int]] = {}
    name_of: dict[tuple[int, int], str] = {}
    expand: dict[str, list[str]] = {}
    types = []
    for k, tpl in enumerate(problem.templates):
        seen: dict[tuple[int, ...], str] = {}
        for v in range(VARIANTS):
            offs = break_variant_offsets(tpl, iv, v)
            if offs not in seen:
                seen[offs] = f"{tpl.name}/{v}"
                shift_of[seen[offs]] = (k, v)
                expand.setdefault(tpl.name, []).append(seen[offs])
                types.append(ShiftType(seen[offs], tpl.paid_minutes, tpl.start_minute))
            name_of[(k, v)] = seen[offs]
    employees = []
    expanded: dict[int, Mapping[int, frozenset[str]]] = {}  # by id of a shared map
    for r in rp.employees:
        avail = r.available_shifts
        if avail is not None:
            if id(avail) not in expanded:
                expanded[id(avail)] = MappingProxyType({
                    d: frozenset(n for s in names for n in expand[s])
                    for d, names in avail.items()})
            avail = expanded[id(avail)]
        employees.append(replace(r, available_shifts=avail))
    requests = [replace(q, shift=n) for q in rp.requests
                for n in (expand[q.shift] if q.shift is not None else [None])]
    out = RosterProblem(rp.days, tuple(types), tuple(employees), tuple(requests),
                        first_weekday=rp.first_weekday)
    return out, shift_of, name_of
