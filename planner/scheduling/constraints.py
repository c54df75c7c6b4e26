"""A vocabulary of CP-SAT constraints for rostering (after OR-Tools' ``shift_scheduling_sat``).

Every helper takes the model, the literals, a rule and a readable name, adds its hard part to the
model and RETURNS its soft part as a list of :class:`Penalty` (never editing the objective), so the
caller decides how penalties are weighed and a solution can explain itself penalty by penalty.

A "literal" here is a CP-SAT Boolean literal or a plain Python ``bool``/``0``/``1``: fixed cells
(e.g. the frozen part of a large-neighbourhood move) are passed as constants and the helpers fold
them, so a model over a few free cells stays small.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner.scheduling.rules import UNBOUNDED, DayCover, SequenceRule, ShiftRequest, ShiftType

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

Lit = Any  # cp_model literal or Python bool / 0 / 1


def linear_expr():
    """CP-SAT's LinearExpr, imported when a model is built: the rule helpers here are also used
    without a solver (the intraday re-plan), and OR-Tools costs a noticeable share of start-up."""
    from ortools.sat.python import cp_model

    return cp_model.LinearExpr

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Penalty:
    """One soft cost: ``weight * expr`` is added to the objective by the caller.

    ``expr`` is a CP-SAT integer expression (or a plain int for a cost fixed in advance).
    """

    name: str
    expr: Any
    weight: int


def is_const(lit: Lit) -> bool:
    """Whether ``lit`` is a fixed Python value rather than a model literal."""
    return isinstance(lit, (bool, int))


def negate(lit: Lit) -> Lit:
    """The negation of a literal or a constant."""
    return (not bool(lit)) if is_const(lit) else lit.Not()


def add_clause(model: cp_model.CpModel, literals: Sequence[Lit]) -> None:
    """Add ``OR(literals)``, folding constants: skip when one is True, fail when none is left."""
    free = []
    for lit in literals:
        if is_const(lit):
            if lit:
                return
        else:
            free.append(lit)
    if not free:
        # Every literal is fixed False: the fixed part already breaks the rule.
        model.AddBoolOr([])  # an empty clause makes the model infeasible, as it should
        return
    model.AddBoolOr(free)


def any_of(model: cp_model.CpModel, literals: Sequence[Lit]) -> Lit:
    """A literal equal to ``OR(literals)`` (a constant when the constants decide it)."""
    free = []
    for lit in literals:
        if is_const(lit):
            if lit:
                return True
        else:
            free.append(lit)
    if not free:
        return False
    if len(free) == 1:
        return free[0]
    out = model.NewBoolVar("")
    model.AddBoolOr([*free, out.Not()])
    for lit in free:
        model.AddImplication(lit, out)
    return out


def add_soft_sequence(model: cp_model.CpModel, works: Sequence[Lit], rule: SequenceRule,
                      name: str) -> list[Penalty]:
    """Bound the length of every run of true literals in ``works`` (one literal a day).

    A run of length ``L`` costs ``min_cost * (soft_min - L)`` when shorter than ``soft_min`` and
    ``max_cost * (L - soft_max)`` when longer than ``soft_max``; runs outside the hard bounds are
    forbidden. Minimums are enforced by forbidding each short pattern ``0 1..1 0`` explicitly (the
    strongest clausal form); with ``rule.edges_exempt`` runs touching either end of the horizon are
    not held to the minimum. The hard maximum is one window sum per day; the soft maximum costs
    ``max_cost`` for every fully worked window of ``soft_max + 1`` days (a run of ``L`` days has
    exactly ``L - soft_max`` of them).
    """
    n = len(works)
    penalties: list[Penalty] = []
    # Constants decide most patterns and windows of an LNS sub-model (most days fixed): the
    # checks below run on these flags, not on a Python call per literal.
    fixed = [is_const(w) for w in works]
    true = [f and bool(w) for f, w in zip(fixed, works, strict=True)]
    false = [f and not bool(w) for f, w in zip(fixed, works, strict=True)]
    for length in range(1, min(rule.soft_min, n + 1)):
        for start in range(n - length + 1):
            end = start + length - 1
            at_edge = start == 0 or end == n - 1
            if rule.edges_exempt and at_edge:
                continue
            # The pattern cannot occur: a day of the run fixed off, or a neighbour fixed on.
            if (any(false[start:end + 1]) or (start > 0 and true[start - 1])
                    or (end < n - 1 and true[end + 1])):
                continue
            # The pattern "off, work x length, off" as a clause of negations.
            clause = [negate(works[d]) for d in range(start, end + 1)]
            if start > 0:
                clause.append(works[start - 1])
            if end < n - 1:
                clause.append(works[end + 1])
            if length < rule.hard_min:
                add_clause(model, clause)
            elif rule.min_cost > 0:
                lit = model.NewBoolVar(f"{name}: run {start}-{end} short")
                add_clause(model, [*clause, lit])
                penalties.append(Penalty(f"{name}: run of {length} from day {start} below "
                                         f"{rule.soft_min}", lit,
                                         rule.min_cost * (rule.soft_min - length)))
    if rule.hard_max < n:
        span = rule.hard_max + 1
        for start in range(n - span + 1):
            free = [w for w, f in zip(works[start:start + span], fixed[start:start + span],
                                      strict=True) if not f]
            on = sum(true[start:start + span])
            # All fixed, or too few free days to break it: nothing to add.
            if not free or on + len(free) <= rule.hard_max:
                continue
            model.Add(linear_expr().Sum(free) <= rule.hard_max - on)
    if rule.max_cost > 0 and rule.soft_max < min(rule.hard_max, n):
        span = rule.soft_max + 1
        for start in range(n - span + 1):
            clause = [negate(w) for w in works[start:start + span]]
            if any(is_const(c) and c for c in clause):
                continue
            lit = model.NewBoolVar(f"{name}: window {start} long")
            add_clause(model, [*clause, lit])
            penalties.append(Penalty(f"{name}: {span} in a row from day {start}", lit,
                                     rule.max_cost))
    return penalties


def add_soft_sum(model: cp_model.CpModel, literals: Sequence[Lit], rule: SequenceRule, name: str,
                 coefficients: Sequence[int] | None = None) -> list[Penalty]:
    """Bound ``sum(coefficients * literals)``: hard within [hard_min, hard_max]; each unit below
    soft_min costs min_cost, each unit above soft_max costs max_cost."""
    coefs = [1] * len(literals) if coefficients is None else list(coefficients)
    const = sum(c for c, lit in zip(coefs, literals, strict=True) if is_const(lit) and lit)
    free = [(c, lit) for c, lit in zip(coefs, literals, strict=True) if not is_const(lit)]
    # One C++ expression, not a Python sum of terms (a sub-model builds thousands of these).
    expr = linear_expr().WeightedSum([lit for _, lit in free], [c for c, _ in free]) + const
    hi = sum(c for c, _ in free if c > 0) + const
    lo = sum(c for c, _ in free if c < 0) + const
    penalties: list[Penalty] = []
    if rule.hard_min > lo:
        model.Add(expr >= rule.hard_min)
    if rule.hard_max < hi:
        model.Add(expr <= rule.hard_max)
    if rule.min_cost > 0 and rule.soft_min > max(lo, rule.hard_min):
        deficit = model.NewIntVar(0, rule.soft_min - max(lo, rule.hard_min), f"{name}: deficit")
        model.Add(deficit >= rule.soft_min - expr)
        penalties.append(Penalty(f"{name}: below {rule.soft_min}", deficit, rule.min_cost))
    if rule.max_cost > 0 and rule.soft_max < min(hi, rule.hard_max):
        excess = model.NewIntVar(0, min(hi, rule.hard_max) - rule.soft_max, f"{name}: excess")
        model.Add(excess >= expr - rule.soft_max)
        penalties.append(Penalty(f"{name}: above {rule.soft_max}", excess, rule.max_cost))
    return penalties


def add_forbidden_transitions(model: cp_model.CpModel, day_shifts: Sequence[Mapping[str, Lit]],
                              forbidden: Mapping[str, Collection[str]], name: str,
                              weight: int | None = None) -> list[Penalty]:
    """Forbid shift ``t`` on day ``d + 1`` after shift ``s`` on day ``d`` for ``t in forbidden[s]``.

    ``day_shifts[d]`` maps each shift name to its literal on day ``d`` (a missing name is not
    worked). Hard (``weight=None``): one constraint ``sum_s x[d,s] + sum_t x[d+1,t] <= 1`` per
    day and group of shifts ``s`` with the same forbidden followers ``t``, which is stronger than
    pairwise clauses because at most one shift is worked a day (and, grouped, fewer and stronger
    rows than one per shift: Curtois 13's 14 shift types with followers form 6 groups). Soft:
    each forbidden pair worked costs ``weight``.
    """
    penalties: list[Penalty] = []
    groups: dict[frozenset[str], list[str]] = {}
    for s, banned in forbidden.items():
        groups.setdefault(frozenset(banned), []).append(s)
    # Days with every shift fixed: a pair of them is checked directly (one worked shift each).
    worked: list[str | bool | None] = []
    for shifts in day_shifts:
        if all(is_const(lit) for lit in shifts.values()):
            on = [s for s, lit in shifts.items() if lit]
            worked.append(on[0] if len(on) == 1 else (None if not on else False))
        else:
            worked.append(False)  # some literal free (False also stands for "not decided")
    for d in range(len(day_shifts) - 1):
        today, tomorrow = day_shifts[d], day_shifts[d + 1]
        a, b = worked[d], worked[d + 1]
        if a is None or b is None:
            continue  # one of the two days fixed off: no succession to forbid
        if a is not False and b is not False:
            if b in forbidden.get(a, ()):
                if weight is None:
                    model.AddBoolOr([])  # the fixed part already breaks the rule
                else:
                    penalties.append(Penalty(f"{name}: day {d} {a} then forbidden", 1, weight))
            continue
        if weight is not None:
            for s, banned in forbidden.items():
                first = today.get(s, False)
                if is_const(first) and not first:
                    continue
                for follower in (tomorrow[t] for t in banned if t in tomorrow):
                    lit = model.NewBoolVar("")
                    add_clause(model, [negate(first), negate(follower), lit])
                    penalties.append(Penalty(f"{name}: day {d} {s} then forbidden", lit, weight))
            continue
        for banned, shifts in groups.items():
            firsts = [today[s] for s in shifts if s in today]
            nxt = [tomorrow[t] for t in banned if t in tomorrow]
            if not firsts or not nxt:
                continue
            terms = [*firsts, *nxt]
            const = sum(1 for t in terms if is_const(t) and t)
            free = [t for t in terms if not is_const(t)]
            if free:
                if const + len(free) > 1:
                    model.Add(linear_expr().Sum(free) <= 1 - const)
            elif const > 1:
                model.AddBoolOr([])
    return penalties


def rest_forbidden_successions(shift_types: Sequence[ShiftType], min_rest_minutes: int
                               ) -> dict[str, frozenset[str]]:
    """The successions (shift on day d, shift on day d+1) that leave less than ``min_rest_minutes``
    between the end of the first and the start of the second. Needs ``start_minute`` on every
    shift type; the rest is ``1440 + start(t) - (start(s) + length(s))`` [min]."""
    out: dict[str, frozenset[str]] = {}
    for s in shift_types:
        if s.start_minute is None:
            raise ValueError(f"shift type {s.name!r} has no start_minute: cannot check rest")
        end = s.start_minute + s.length_minutes
        banned = set()
        for t in shift_types:
            if t.start_minute is None:
                raise ValueError(f"shift type {t.name!r} has no start_minute: cannot check rest")
            if MINUTES_PER_DAY + t.start_minute - end < min_rest_minutes:
                banned.add(t.name)
        if banned:
            out[s.name] = frozenset(banned)
    return out


def add_rest_between_shifts(model: cp_model.CpModel, day_shifts: Sequence[Mapping[str, Lit]],
                            shift_types: Sequence[ShiftType], min_rest_minutes: int, name: str,
                            weight: int | None = None) -> list[Penalty]:
    """Keep at least ``min_rest_minutes`` between consecutive days' shifts, as forbidden
    successions (see :func:`rest_forbidden_successions`). One shift a day is assumed and a
    shift longer than a day is not supported."""
    banned = rest_forbidden_successions(shift_types, min_rest_minutes)
    return add_forbidden_transitions(model, day_shifts, banned, name, weight)


def add_day_coverage(model: cp_model.CpModel, literals: Sequence[Lit], cover: DayCover, name: str,
                     ) -> list[Penalty]:
    """Cover ``cover.requirement`` with ``sum(literals)``: integer shortfall and surplus variables
    with ``sum + under - over == requirement``, costed by the cover's weights."""
    const = sum(1 for lit in literals if is_const(lit) and lit)
    free = [lit for lit in literals if not is_const(lit)]
    req = cover.requirement
    if not free:
        under, over = max(0, req - const), max(0, const - req)
        return [Penalty(f"{name}: under", under, cover.under_weight),
                Penalty(f"{name}: over", over, cover.over_weight)]
    under = model.NewIntVar(0, max(0, req - const), f"{name}: under")
    over = model.NewIntVar(0, max(0, const + len(free) - req), f"{name}: over")
    model.Add(linear_expr().Sum(free) + const + under - over == req)
    return [Penalty(f"{name}: under", under, cover.under_weight),
            Penalty(f"{name}: over", over, cover.over_weight)]


def add_request(model: cp_model.CpModel, literal: Lit, request: ShiftRequest, name: str
                ) -> list[Penalty]:
    """The cost of breaking a request: ``weight`` if an on-request's literal is false or an
    off-request's literal is true."""
    broken = negate(literal) if request.on else literal
    if is_const(broken):
        return [Penalty(name, int(bool(broken)), request.weight)]
    return [Penalty(name, broken, request.weight)]


def objective_expr(penalties: Sequence[Penalty]):
    """``sum(weight * expr)`` over the penalties with a non-zero weight."""
    return sum(p.weight * p.expr for p in penalties if p.weight)


__all__ = [
    "UNBOUNDED",
    "Penalty",
    "add_clause",
    "add_day_coverage",
    "add_forbidden_transitions",
    "add_request",
    "add_rest_between_shifts",
    "add_rest_by_times",
    "add_soft_sequence",
    "add_soft_sum",
    "any_of",
    "negate",
    "objective_expr",
    "rest_forbidden_successions",
]


# Appended by the weekly scheduler (issue 6): a rest rule whose size is linear in the shift types.
def add_rest_by_times(model: cp_model.CpModel, day_shifts: Sequence[Mapping[str, Any]],
                      starts: Mapping[str, int], ends: Mapping[str, int], min_rest_minutes: int,
                      name: str) -> list[Penalty]:
    """At least ``min_rest_minutes`` between the end of one worked day's shift and the start of the
    next worked day's shift, as one linear constraint per pair of days.

    ``starts``/``ends`` give each shift's start and real end [min after its day's midnight; an end
    past 1440 runs overnight]. With ``W_d`` = worked on day ``d``, ``S``/``E`` the chosen start and
    end: ``S_{d+1} + 1440 - E_d >= rest - M * (2 - W_d - W_{d+1})``. A pair two days apart is
    constrained too (when the day between is off) if a long overnight shift could break it.
    Equivalent to the core's forbidden successions but linear in the number of shift types.
    """
    n = len(day_shifts)

    def parts(d: int):
        lits = [(s, lit) for s, lit in day_shifts[d].items() if not (is_const(lit) and not lit)]
        work = sum(lit for _, lit in lits)
        start = sum(starts[s] * lit for s, lit in lits)
        end = sum(ends[s] * lit for s, lit in lits)
        return lits, work, start, end

    info = [parts(d) for d in range(n)]
    max_end = max((ends[s] for d in range(n) for s in day_shifts[d]), default=0)
    min_start = min((starts[s] for d in range(n) for s in day_shifts[d]), default=0)
    for gap in (1, 2):
        if gap * MINUTES_PER_DAY + min_start - max_end >= min_rest_minutes:
            continue  # cannot be broken at this distance
        for d in range(n - gap):
            a, b = info[d], info[d + gap]
            if not a[0] or not b[0]:
                continue
            big = min_rest_minutes + max_end + MINUTES_PER_DAY
            slack = 2 - a[1] - b[1]
            if gap == 2:
                between = info[d + 1]
                slack = slack + between[1]  # only binding when the day between is off
            model.Add(b[2] + gap * MINUTES_PER_DAY * b[1] - a[3] >= min_rest_minutes - big * slack)
    return []

