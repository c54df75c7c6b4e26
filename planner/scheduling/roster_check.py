"""Plain-Python verification of a roster against :class:`RosterProblem` rules (no solver): used to
vet rows built by heuristics and by the tests as the reference the CP-SAT model must agree with."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from planner.scheduling.rules import UNBOUNDED, EmployeeRules, RosterProblem, SequenceRule


def _runs(flags: Sequence[bool]):
    start = 0
    for d in range(1, len(flags) + 1):
        if d == len(flags) or flags[d] != flags[start]:
            yield start, d - start, flags[start]
            start = d


def sequence_cost(flags: Sequence[bool], rule: SequenceRule) -> int | None:
    """Soft cost of the runs of True in ``flags``; None when a hard bound breaks."""
    n, cost = len(flags), 0
    for start, length, value in _runs(flags):
        if not value:
            continue
        at_edge = start == 0 or start + length == n
        if not (rule.edges_exempt and at_edge):
            if length < rule.hard_min:
                return None
            cost += rule.min_cost * max(0, rule.soft_min - length)
        if length > rule.hard_max:
            return None
        cost += rule.max_cost * max(0, length - rule.soft_max)
    return cost


def run_cost(rules: EmployeeRules, work: Sequence[bool]) -> int:
    """Soft cost of the work and rest runs of one employee's row (``work``: worked per day);
    hard bounds are not checked here (a broken one adds nothing)."""
    seq = (rules.work_sequence, rules.off_sequence)
    if not any(r.min_cost or r.max_cost for r in seq):
        return 0
    return ((sequence_cost(work, rules.work_sequence) or 0)
            + (sequence_cost([not w for w in work], rules.off_sequence) or 0))


def row_violations(problem: RosterProblem, rules: EmployeeRules, row: Sequence[str | None]
                   ) -> list[str]:
    """Every hard rule one employee's row (a shift name or None per day) breaks.

    Soft costs of sequences are ignored here (a rule with only hard bounds has none)."""
    bad: list[str] = []
    e = rules.employee
    types = {s.name: s for s in problem.shift_types}
    for d, s in enumerate(row):
        if s is not None and not rules.may_work(d, s):
            bad.append(f"{e}: {s} on day {d} not allowed")
        if s is not None and d + 1 < len(row) and row[d + 1] in types[s].cannot_follow:
            bad.append(f"{e}: {s} on day {d} then {row[d + 1]}")
    for s, n in Counter(x for x in row if x is not None).items():
        if n > rules.max_shifts.get(s, UNBOUNDED):
            bad.append(f"{e}: {n} x {s}")
    minutes = sum(types[x].length_minutes for x in row if x is not None)
    if not rules.min_minutes <= minutes <= rules.max_minutes:
        bad.append(f"{e}: {minutes} min")
    work = [x is not None for x in row]
    if sequence_cost(work, rules.work_sequence) is None:
        bad.append(f"{e}: work run length")
    if sequence_cost([not w for w in work], rules.off_sequence) is None:
        bad.append(f"{e}: rest run length")
    for week in rules.weeks:
        paid = sum(types[row[d]].length_minutes for d in week.days if row[d] is not None)
        if not week.min_minutes <= paid <= week.max_minutes:
            bad.append(f"{e}: {paid} min in the week from day {week.days.start}")
        if sum(work[d] for d in week.days) > week.max_days:
            bad.append(f"{e}: more than {week.max_days} days in the week from day "
                       f"{week.days.start}")
    worked = [any(work[d] for d in days) for days in problem.weekends()]
    if sum(worked) > rules.max_weekends:
        bad.append(f"{e}: {sum(worked)} weekends")
    run = 0
    for w, on in enumerate(worked):
        run = run + 1 if on else 0
        if run > rules.max_weekends_in_row:
            bad.append(f"{e}: {run} weekends in a row up to weekend {w}")
            break
    if rules.whole_weekends:
        for days in problem.weekends():
            if len(days) == 2 and work[days[0]] != work[days[1]]:
                bad.append(f"{e}: one day of the weekend from day {days[0]} worked")
    return bad


def roster_violations(problem: RosterProblem, roster: Mapping[tuple[str, int], str]) -> list[str]:
    """Every hard rule the roster breaks (all employees)."""
    bad: list[str] = []
    for rules in problem.employees:
        row = [roster.get((rules.employee, d)) for d in range(problem.days)]
        bad += row_violations(problem, rules, row)
    return bad
