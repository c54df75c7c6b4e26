"""A fast constructive row for one employee: work blocks inside the working week.

Why: on long horizons (a year, 150 staff) even one small CP-SAT model per employee costs more than
the whole time budget. Most rostering rules are satisfied by construction when every block of work
lies between Monday and Friday: the weekend (two days off) separates blocks, so rest runs are long
enough, no weekend is worked, and a block of 2 to 5 days meets the usual run bounds. The heuristic
places one block per week inside the days the employee may work, sized so the total minutes fall
within the contract, chooses block positions and shift types where the residual cover is highest,
and the row is then verified by :func:`planner.scheduling.roster_check.row_violations`; None is
returned whenever the rules do not fit this shape (the caller falls back to CP-SAT).
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.scheduling.roster_check import row_violations
from planner.scheduling.rules import UNBOUNDED, EmployeeRules, RosterProblem


def _options(problem: RosterProblem, rules: EmployeeRules) -> list[tuple[str, ...]]:
    """Shift-type sets (one or two types) that can be worked on consecutive days in any order."""
    types = {s.name: s for s in problem.shift_types}
    ok = [s for s in problem.shift_names
          if rules.max_shifts.get(s, UNBOUNDED) > 0 and s not in types[s].cannot_follow]
    out: list[tuple[str, ...]] = [(s,) for s in ok]
    for i, a in enumerate(ok):
        for b in ok[i + 1:]:
            if types[a].length_minutes != types[b].length_minutes \
                    and b not in types[a].cannot_follow and a not in types[b].cannot_follow:
                out.append((a, b))
    return out


def weekday_row(problem: RosterProblem, rules: EmployeeRules,
                demand: Mapping[tuple[int, str], float]) -> list[str | None] | None:
    """One employee's row with all work in weekday blocks, or None when that shape cannot work.

    ``demand[(day, shift)]`` is the value of one more employee on that shift that day (e.g. the
    residual requirement times the under-cover weight).
    """
    lo_run, hi_run = rules.work_sequence.hard_min, rules.work_sequence.hard_max
    if rules.off_sequence.hard_min > 2 or lo_run > 5 or hi_run < max(1, lo_run):
        return None
    n = problem.days
    weekday = [(problem.first_weekday + d) % 7 < 5 for d in range(n)]
    best: tuple[float, list[str | None]] | None = None
    # The types with the most residual demand first; a handful of options is plenty.
    score: dict[str, float] = {}
    for (_, s), v in demand.items():
        if v > 0:
            score[s] = score.get(s, 0.0) + v
    options = sorted(_options(problem, rules), key=lambda o: -sum(score.get(s, 0.0) for s in o))
    found = 0
    for option in options[:40]:
        if found >= 3:
            break
        row = _row_for(problem, rules, option, demand, weekday, max(1, lo_run), min(5, hi_run))
        if row is None:
            continue
        found += 1
        value = sum(demand.get((d, s), 0.0) for d, s in enumerate(row) if s is not None)
        if best is None or value > best[0]:
            best = (value, row)
    if best is None:
        return None
    row = best[1]
    return row if not row_violations(problem, rules, row) else None


def _row_for(problem, rules, option, demand, weekday, lo_run, hi_run):
    n = problem.days
    types = {s.name: s for s in problem.shift_types}
    allowed = [weekday[d] and all(rules.may_work(d, s) for s in option) for d in range(n)]
    # Longest allowed stretch per week (a block never crosses a weekend).
    weeks: list[list[int]] = []
    cur: list[int] = []
    for d in range(n):
        if weekday[d]:
            cur.append(d)
        elif cur:
            weeks.append(cur)
            cur = []
    if cur:
        weeks.append(cur)
    blocks: list[list[int]] = []  # the allowed days of the best stretch of each week
    for days in weeks:
        runs: list[list[int]] = []
        for d in days:
            if allowed[d] and runs and runs[-1][-1] == d - 1:
                runs[-1].append(d)
            elif allowed[d]:
                runs.append([d])
        runs = [r for r in runs if len(r) >= lo_run]
        if not runs:
            blocks.append([])
            continue
        blocks.append(max(runs, key=lambda r: (len(r), sum(
            max(demand.get((d, s), 0.0) for s in option) for d in r))))
    cap = [min(len(b), hi_run) for b in blocks]
    # Days and long shifts needed for the minutes.
    lengths = sorted(option, key=lambda s: types[s].length_minutes)
    short = lengths[0]
    long_ = lengths[-1] if len(lengths) > 1 else None
    l1 = types[short].length_minutes
    l2 = types[long_].length_minutes if long_ else l1
    total_cap = sum(cap)
    plan = None
    for days_n in range(0, total_cap + 1):
        max_long = 0 if long_ is None else min(days_n, rules.max_shifts.get(long_, UNBOUNDED))
        for n_long in range(0, max_long + 1):
            if days_n - n_long > rules.max_shifts.get(short, UNBOUNDED):
                continue
            minutes = days_n * l1 + n_long * (l2 - l1)
            if rules.min_minutes <= minutes <= rules.max_minutes:
                plan = (days_n, n_long)
                break
        if plan:
            break
    if plan is None:
        return None
    days_n, n_long = plan
    # Size the blocks: start from the full capacity, trim the weeks of least demand.
    size = list(cap)
    excess = sum(size) - days_n

    def week_value(i):
        return sum(max(demand.get((d, s), 0.0) for s in option) for d in blocks[i])

    order = sorted(range(len(blocks)), key=week_value)
    for i in order:
        if excess <= 0:
            break
        cut = min(excess, size[i] - lo_run) if size[i] > lo_run else 0
        size[i] -= cut
        excess -= cut
    for i in order:
        if excess <= 0:
            break
        if 0 < size[i] <= excess:
            excess -= size[i]
            size[i] = 0
    if excess > 0:
        # Drop one more block and give the surplus back to weeks with room.
        for i in order:
            if size[i] > 0:
                excess -= size[i]
                size[i] = 0
                break
        for i in reversed(order):
            room = cap[i] - size[i] if size[i] > 0 else 0
            add = min(room, -excess)
            size[i] += add
            excess += add
        if excess != 0:
            return None
    row: list[str | None] = [None] * n
    worked: list[int] = []
    for i, block in enumerate(blocks):
        if size[i] == 0:
            continue
        k = size[i]
        starts = range(0, len(block) - k + 1)
        a = max(starts, key=lambda j: sum(max(demand.get((d, s), 0.0) for s in option)
                                          for d in block[j:j + k]))
        worked += block[a:a + k]
    for d in worked:
        row[d] = short
    if long_ is not None and n_long:
        ranked = sorted(worked, key=lambda d: demand.get((d, long_), 0.0) - demand.get(
            (d, short), 0.0), reverse=True)
        for d in ranked[:n_long]:
            row[d] = long_
    return row
