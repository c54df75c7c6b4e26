"""The day-level roster model: who works which shift type on which day, built from the constraint
vocabulary in :mod:`planner.scheduling.constraints`.

Formulation (one Boolean per employee, day and ALLOWED shift type; none for a cell a hard per-cell
rule rules out):

- at most one shift a day: ``sum_s x[e,d,s] + off[e,d] == 1``;
- forbidden successions as one clause per (day, shift): ``x[e,d,s] + sum_t x[e,d+1,t] <= 1``;
- caps per shift type, total minutes (plus the implied bounds on the number of worked days, which
  tighten the LP relaxation), weekends worked through one literal per weekend;
- run lengths of work and rest with forbidden short patterns (only runs inside the horizon when the
  rule says so) and sliding-window maxima;
- cover: integer shortfall and surplus per (day, shift), shift requests as single literals.

Building returns the penalties, not an objective, so the interval-level scheduler can add its own
terms on top. Parts of a roster can be fixed (``fixed``) and only some employees modelled
(``employees``): fixed cells become constants that the helpers fold, which is how the
relax-and-resolve moves of the one search (:mod:`planner.scheduling.roster_lns`) build their small
sub-models.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from planner.scheduling.constraints import (
    Penalty,
    add_forbidden_transitions,
    add_request,
    add_soft_sequence,
    add_soft_sum,
    any_of,
    is_const,
    negate,
    objective_expr,
)
from planner.scheduling.coverage import Cell, CoverageModel, DayShiftCover
from planner.scheduling.rules import UNBOUNDED, EmployeeRules, RosterProblem, SequenceRule

Roster = dict[Cell, str]  # worked cells only: (employee, day) -> shift name
# Most of a solve's time limit that completing its hint may take (the rest is the search's).
HINT_SHARE = 0.25


@dataclass
class RosterModel:
    """A built roster model.

    ``works[(e, d, s)]`` is the literal of employee ``e`` working shift ``s`` on day ``d`` (only for
    allowed cells; a BoolVar; for a fixed cell only its fixed shift appears, as ``True``; a missing
    key is never worked); ``off[(e, d)]`` the
    literal of a day off; ``penalties`` every soft cost (the objective is ``objective_expr``).
    """

    model: cp_model.CpModel
    works: dict[tuple[str, int, str], Any]
    off: dict[Cell, Any]
    penalties: list[Penalty]
    problem: RosterProblem
    employees: tuple[str, ...] = field(default=())

    def objective(self):
        """The linear objective: ``sum(weight * expr)`` over the penalties."""
        return objective_expr(self.penalties)

    def _hint_pairs(self, roster: Mapping[Cell, str]) -> list[tuple[Any, bool]]:
        pairs = [(lit, roster.get((e, d)) == s) for (e, d, s), lit in self.works.items()
                 if not is_const(lit)]
        pairs += [(lit, (e, d) not in roster) for (e, d), lit in self.off.items()
                  if not is_const(lit)]
        return pairs

    def forbid(self, roster: Mapping[Cell, str]) -> bool:
        """Require at least one free cell to differ from ``roster``. False (and nothing added)
        when no cell is free."""
        pairs = self._hint_pairs(roster)
        if pairs:
            self.model.AddBoolOr([lit.Not() if value else lit for lit, value in pairs])
        return bool(pairs)

    def add_hint(self, roster: Mapping[Cell, str], complete: bool = True,
                 time_limit: float = 5.0, deterministic_time: float | None = None) -> bool:
        """Hint the model with ``roster`` (worked cells; others are off).

        With ``complete`` the hint is extended to every variable (shortfalls, penalty literals,
        auxiliaries) by solving a copy with the roster's cells fixed, so CP-SAT starts from a full
        solution instead of trying to repair a partial one. Returns whether the roster satisfied
        the model (when completed). ``time_limit``: seconds for that completion solve;
        ``deterministic_time``: its budget in CP-SAT's deterministic time, if any.
        """
        # Hints the model already holds for other variables (a coverage model's) are kept.
        hint = self.model.Proto().solution_hint
        kept = list(zip(hint.vars, hint.values, strict=True))
        self.model.ClearHints()
        # One extend of the proto's hint lists: a call per literal costs more than the rest.
        variables, values = [], []
        for lit, value in self._hint_pairs(roster):
            if lit.index >= 0:
                variables.append(lit.index)
                values.append(int(value))
            else:  # a negated literal: hint its variable with the opposite value
                variables.append(-lit.index - 1)
                values.append(int(not value))
        own = set(variables)
        kept = [(v, x) for v, x in kept if v not in own]
        variables += [v for v, _ in kept]
        values += [x for _, x in kept]
        hint = self.model.Proto().solution_hint
        hint.vars.extend(variables)
        hint.values.extend(values)
        if complete:
            copy = self.model.Clone()
            if not copy.HasObjective():
                copy.Minimize(self.objective())
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            solver.parameters.max_time_in_seconds = max(0.01, time_limit)
            if deterministic_time is not None:
                solver.parameters.max_deterministic_time = deterministic_time
            # The roster's cells as fixed values (not as constraints, which cost a Python call
            # each to build): the solve only completes the auxiliaries.
            solver.parameters.fix_variables_to_their_hinted_value = True
            if solver.Solve(copy) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                self.model.ClearHints()
                full = list(solver.ResponseProto().solution)
                hint = self.model.Proto().solution_hint
                hint.vars.extend(range(len(full)))
                hint.values.extend(full)
                return True
        return False

    def read(self, solver: cp_model.CpSolver) -> Roster:
        """The roster of the modelled employees in a solver's current solution."""
        out: Roster = {}
        for (e, d, s), lit in self.works.items():
            if (lit if is_const(lit) else solver.BooleanValue(lit)):
                out[(e, d)] = s
        return out


def _employee_cells(problem: RosterProblem, rules: EmployeeRules, model: cp_model.CpModel,
                    fixed: Mapping[Cell, str | None] | None):
    """Literals of one employee's cells: ``{(d, s): lit}`` and ``{d: off}``."""
    e = rules.employee
    names = problem.shift_names
    x: dict[tuple[int, str], Any] = {}
    off: dict[int, Any] = {}
    for d in range(problem.days):
        if fixed is not None and (e, d) in fixed:
            value = fixed[(e, d)]
            if value is not None and not (value in names and rules.may_work(d, value)):
                raise ValueError(f"fixed cell ({e}, day {d}) = {value!r} breaks a hard rule")
            if value is not None:
                x[(d, value)] = True  # the other shifts of a fixed cell are simply absent
            off[d] = value is None
            continue
        lits = []
        for s in (s for s in names if rules.may_work(d, s)):
            x[(d, s)] = model.NewBoolVar(f"{e} d{d} {s}")
            lits.append(x[(d, s)])
        if lits:
            off[d] = model.NewBoolVar(f"{e} d{d} off")
            model.AddExactlyOne([*lits, off[d]])
        else:
            off[d] = True
    return x, off


def _add_employee_rules(problem: RosterProblem, rules: EmployeeRules, model: cp_model.CpModel,
                        x: Mapping[tuple[int, str], Any], off: Mapping[int, Any]) -> list[Penalty]:
    e = rules.employee
    days = problem.days
    penalties: list[Penalty] = []
    work = [negate(off[d]) for d in range(days)]
    by_shift: dict[str, list[tuple[int, Any]]] = {}
    for (d, s), lit in x.items():
        by_shift.setdefault(s, []).append((d, lit))
    # Caps per shift type.
    for s, cells in by_shift.items():
        cap = rules.max_shifts.get(s, UNBOUNDED)
        if cap < len(cells):
            penalties += add_soft_sum(model, [lit for _, lit in cells], SequenceRule.hard(0, cap),
                                      f"{e} max {s}")
    # Total minutes, and the number of worked days it implies (tightens the LP relaxation).
    lengths = {st.name: st.length_minutes for st in problem.shift_types}
    lits = list(x.values())
    coefs = [lengths[s] for (_, s) in x]
    if lits and (rules.min_minutes > 0 or rules.max_minutes < sum(coefs)):
        penalties += add_soft_sum(model, lits, SequenceRule.hard(rules.min_minutes,
                                  min(rules.max_minutes, UNBOUNDED)), f"{e} minutes", coefs)
        used = {s for (_, s) in x}
        lo_len, hi_len = min(lengths[s] for s in used), max(lengths[s] for s in used)
        min_days = math.ceil(rules.min_minutes / hi_len)
        max_days = min(days, rules.max_minutes // lo_len)
        penalties += add_soft_sum(model, work, SequenceRule.hard(min_days, max_days),
                                  f"{e} worked days")
    # Runs of work and rest.
    penalties += add_soft_sequence(model, work, rules.work_sequence, f"{e} work run")
    penalties += add_soft_sequence(model, list(off[d] for d in range(days)), rules.off_sequence,
                                   f"{e} rest run")
    # Forbidden successions (the days around the horizon count as off: nothing to add there).
    forbidden = {st.name: st.cannot_follow for st in problem.shift_types if st.cannot_follow}
    if forbidden:
        day_shifts: list[dict[str, Any]] = [{} for _ in range(days)]
        for (d, s), lit in x.items():
            day_shifts[d][s] = lit
        penalties += add_forbidden_transitions(model, day_shifts, forbidden, f"{e} succession")
    # Paid minutes and worked days per week.
    for week in rules.weeks:
        terms = [(lengths[s], lit) for (d, s), lit in x.items() if d in week.days]
        if terms:
            penalties += add_soft_sum(model, [lit for _, lit in terms],
                                      SequenceRule.hard(week.min_minutes, week.max_minutes),
                                      f"{e} week {week.days.start} minutes",
                                      [m for m, _ in terms])
        if week.max_days < len(week.days):
            penalties += add_soft_sum(model, [work[d] for d in week.days],
                                      SequenceRule.hard(0, week.max_days),
                                      f"{e} week {week.days.start} days")
    # Weekends.
    weekends = problem.weekends()
    in_row = rules.max_weekends_in_row
    if rules.max_weekends < len(weekends) or in_row < len(weekends):
        wk = [any_of(model, [work[d] for d in days_]) for days_ in weekends]
        if rules.max_weekends < len(weekends):
            penalties += add_soft_sum(model, wk, SequenceRule.hard(0, rules.max_weekends),
                                      f"{e} weekends")
        for start in range(len(weekends) - in_row):
            penalties += add_soft_sum(model, wk[start:start + in_row + 1],
                                      SequenceRule.hard(0, in_row), f"{e} weekends in a row")
    if rules.whole_weekends:
        for sat, *sun in weekends:
            if sun:
                _add_equal(model, work[sat], work[sun[0]])
    return penalties


def _add_equal(model: cp_model.CpModel, a: Any, b: Any) -> None:
    """``a == b`` for two literals or constants (a constant pair that differs: infeasible)."""
    if is_const(a) and is_const(b):
        if bool(a) != bool(b):
            model.AddBoolOr([])
    elif is_const(a) or is_const(b):
        const, lit = (a, b) if is_const(a) else (b, a)
        model.AddBoolOr([lit if const else negate(lit)])
    else:
        model.AddImplication(a, b)
        model.AddImplication(b, a)


def build_roster_model(problem: RosterProblem, model: cp_model.CpModel | None = None, *,
                       employees: Sequence[str] | None = None,
                       fixed: Mapping[Cell, str | None] | None = None,
                       coverage: CoverageModel | None = None,
                       current: Mapping[Cell, str] | None = None) -> RosterModel:
    """Build the roster model of ``problem`` (hard rules as constraints, soft costs as penalties).

    Parameters
    ----------
    problem : RosterProblem
    model : CpModel, optional
        Add to this model (e.g. one that already holds interval-level variables).
    employees : sequence of str, optional
        Model only these employees; the others' worked cells are read from ``fixed`` (absent =
        off) and their cover and request costs enter as constants (they get no literals).
    fixed : mapping (employee, day) -> shift name or None, optional
        Cells fixed in advance (None = off). The fixed part must respect the per-cell hard rules.
    coverage : CoverageModel, optional
        Adds the cover terms (and any rules of its own on the modelled employees); by default
        :class:`~planner.scheduling.coverage.DayShiftCover` of ``problem.cover``.
    current : mapping (employee, day) -> shift name, optional
        The roster a sub-model starts from (the coverage model may hint its own variables).

    Returns
    -------
    RosterModel
        The objective is not set: minimise ``RosterModel.objective()`` plus your own terms.
    """
    model = cp_model.CpModel() if model is None else model
    names = [r.employee for r in problem.employees]
    chosen = set(names if employees is None else employees)
    works: dict[tuple[str, int, str], Any] = {}
    offs: dict[Cell, Any] = {}
    penalties: list[Penalty] = []
    for rules in problem.employees:
        e = rules.employee
        if e not in chosen:
            continue
        x, off = _employee_cells(problem, rules, model, fixed)
        penalties += _add_employee_rules(problem, rules, model, x, off)
        for (d, s), lit in x.items():
            works[(e, d, s)] = lit
        for d, lit in off.items():
            offs[(e, d)] = lit
    # Requests: a fixed cell gives a constant cost.
    const = 0
    for i, req in enumerate(problem.requests):
        if req.employee not in chosen:
            const += req.cost((fixed or {}).get((req.employee, req.day)))
            continue
        if req.shift is None:
            lit = negate(offs.get((req.employee, req.day), True))
        else:
            lit = works.get((req.employee, req.day, req.shift), False)
        kind = "on" if req.on else "off"
        penalties += add_request(model, lit, req,
                                 f"request {i} {req.employee} day {req.day} {req.shift} {kind}")
    if const:
        penalties.append(Penalty("requests of fixed employees", const, 1))
    # Cover, by the coverage model (the problem's own cover per day and shift by default).
    cover = DayShiftCover(problem) if coverage is None else coverage
    penalties += cover.add_terms(model, works, offs, fixed or {}, chosen, current)
    return RosterModel(model, works, offs, penalties, problem,
                       tuple(e for e in names if e in chosen))


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, start: float, callback: Callable[[float, float], None] | None):
        super().__init__()
        self.start = start
        self.first: float | None = None
        self.history: list[tuple[float, float]] = []
        self.callback = callback

    def on_solution_callback(self) -> None:
        t = time.perf_counter() - self.start
        if self.first is None:
            self.first = t
        self.history.append((t, self.ObjectiveValue()))
        if self.callback is not None:
            self.callback(t, self.ObjectiveValue())


def solve_model(rm: RosterModel, time_limit: float, seed: int = 0, workers: int = 2,
                hint: Mapping[Cell, str] | None = None,
                log_callback: Callable[[float, float], None] | None = None,
                start: float | None = None, parameters: Mapping[str, Any] | None = None):
    """Minimise ``rm.objective()`` once with CP-SAT. Returns (solver, status, progress).

    ``parameters`` sets further CP-SAT parameters by name (e.g. ``linearization_level``).
    Completing the hint counts against ``time_limit`` (at most a quarter of it), so a short
    LNS move cannot overrun by the completion solve's seconds."""
    start = time.perf_counter() if start is None else start
    began = time.perf_counter()
    rm.model.Minimize(rm.objective())
    if hint is not None:
        budget = (parameters or {}).get("max_deterministic_time")
        rm.add_hint(hint, time_limit=min(5.0, HINT_SHARE * time_limit),
                    deterministic_time=None if budget is None else HINT_SHARE * budget)
    solver = cp_model.CpSolver()
    left = time_limit - (time.perf_counter() - began)
    solver.parameters.max_time_in_seconds = max(0.01, left)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    for name, value in (parameters or {}).items():
        setattr(solver.parameters, name, value)
    progress = _Progress(start, log_callback)
    status = solver.Solve(rm.model, progress)
    return solver, status, progress


def cover_counts(roster: Mapping[Cell, str]) -> Counter[tuple[int, str]]:
    """Employees on each (day, shift) of ``roster`` (0 for a cell nobody works)."""
    return Counter((d, s) for (_, d), s in roster.items())


def roster_objective(problem: RosterProblem, roster: Mapping[Cell, str],
                     coverage: CoverageModel | None = None) -> float:
    """The objective of a roster: requests broken, the soft costs of work and rest runs, and
    the coverage model's cost (by default weighted under- and over-cover per day and shift), in
    plain Python.

    This is the exact cost of the roster. A solver's objective at a time limit can be higher,
    because its shortfall and surplus variables need not both be at their least (e.g. one short
    AND one over on the same cell), so solutions are always re-scored with this function. Hard
    rules are NOT checked here (see :mod:`planner.scheduling.roster_check`)."""
    from planner.scheduling.roster_check import run_cost

    cost = 0
    for rules in problem.employees:
        cost += run_cost(rules, [(rules.employee, d) in roster for d in range(problem.days)])
    for req in problem.requests:
        cost += req.cost(roster.get((req.employee, req.day)))
    cover = DayShiftCover(problem) if coverage is None else coverage
    return cost + cover.cost(roster)
