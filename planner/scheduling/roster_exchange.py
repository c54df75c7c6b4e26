"""Exchange neighbourhoods for the roster LNS: (nearly) every employee over two short blocks of
days, one where cover is short and one drawn at random (:func:`exchange_days`), or both where
requests are broken (:func:`request_days`); or the employees with minutes to spare and some who
could work a short shift, over the days around it (:func:`spare_exchange`); or the employee of
one broken request, those who work the shift asked for and others like them, around it
(:func:`request_exchange`); or everyone around a weekend worked on one day only and another
weekend (:func:`weekend_exchange`).

Why: on rosters where both the total minutes and the weekends worked are tight (the cover asks
for more minutes than the contracts allow, and for nearly every weekend shift the weekend limits
allow), the cover still missing sits on weekends and the
employees who could still work that weekend have no minutes left, while those with minutes have
no weekend left. Filling it takes an exchange: one employee works the weekend and drops a shift on
some weekday, which another employee, with minutes to spare, takes over. With the rest of the
roster fixed that needs

- the short days AND the day of the dropped shift free, and
- the right pair of employees free among 120: only moves that free (nearly) everyone find it.

Everyone over two blocks of two days is a model CP-SAT proves optimal in about a second
(120 staff x 4 days); blocks of three days are too big to prove and do worse.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping

from planner.scheduling.rules import RosterProblem

# Spare-minutes exchanges: employees drawn among those who may work the short shift, and the days
# either side of the short day that the move frees.
SPARE_CANDIDATES = 20
SPARE_WINDOW = 5

# Days per block: two blocks of two days keep a model of everyone small enough to prove.
BLOCK_DAYS = 2
# Share of the exchanges for cover whose second block lies within ``NEAR_DAYS`` of the first.
NEAR_SHARE = 0.5
NEAR_DAYS = 7


def _block(n: int, costs: Mapping[int, float], rng: random.Random,
           apart: Collection[int] = frozenset()) -> set[int] | None:
    """A block of ``BLOCK_DAYS`` (of ``n`` days) around a day drawn by ``costs`` (day -> cost):
    of the blocks holding that day and none of ``apart``, the one of highest cost (the whole
    weekend, typically). None when there is no such block."""
    d = rng.choices(list(costs), weights=list(costs.values()))[0]
    starts = [s for s in range(max(0, d - BLOCK_DAYS + 1), min(d, n - BLOCK_DAYS) + 1)
              if not set(apart) & set(range(s, s + BLOCK_DAYS))]
    if not starts:
        return None
    a = max(starts, key=lambda s: (sum(costs.get(x, 0.0) for x in range(s, s + BLOCK_DAYS)), -s))
    return set(range(a, a + BLOCK_DAYS))


def _starts_apart(n: int, block: set[int]) -> list[int]:
    """Starts of the blocks (of ``n`` days) that share no day with ``block``."""
    return [b for b in range(n - BLOCK_DAYS + 1) if not block & set(range(b, b + BLOCK_DAYS))]


def exchange_days(problem: RosterProblem, short: Mapping[int, float], rng: random.Random
                  ) -> set[int] | None:
    """The days of one exchange move: a block of ``BLOCK_DAYS`` around a day drawn by its cover
    shortfall cost (``short``: day -> cost; the neighbour of higher cost joins it), and a block
    drawn uniformly, apart from the first when the horizon allows; ``NEAR_SHARE`` of the time
    among those within ``NEAR_DAYS`` days of the first. None without a short day.

    Why near: the shift an employee gives up to work a short weekend day lies in the same run of
    work or the next (runs of at most a few days, rest between them), so on long horizons a
    second block drawn over the whole horizon rarely holds it."""
    n = problem.days
    if not short or n < BLOCK_DAYS:
        return None
    first = _block(n, short, rng)
    assert first is not None  # nothing to keep apart: a block around any day exists
    apart = _starts_apart(n, first)
    if apart and rng.random() < NEAR_SHARE:
        lo, hi = min(first) - NEAR_DAYS, max(first) + NEAR_DAYS
        near = [b for b in apart if lo <= b and b + BLOCK_DAYS - 1 <= hi]
        apart = near or apart
    b = rng.choice(apart) if apart else rng.randrange(n - BLOCK_DAYS + 1)
    return first | set(range(b, b + BLOCK_DAYS))


def request_days(problem: RosterProblem, broken: Mapping[int, float], rng: random.Random
                 ) -> set[int] | None:
    """The days of an exchange move for requests: two separate blocks, each around a day drawn
    by the weight of the requests broken on it (``broken``: day -> weight). None when no
    request is broken, or no second block fits apart from the first.

    Why: once the cover still short cannot be filled (e.g. a weekend plan proves the weekend
    shortfall), blocks drawn by shortfall only shuffle the same weekend. The cost
    left is broken requests, and granting one takes the same kind of exchange: the employee
    takes the shift they asked for and gives up another, which someone else picks up."""
    n = problem.days
    if not broken or n < 2 * BLOCK_DAYS:
        return None
    first = _block(n, broken, rng)
    assert first is not None
    rest = {d: w for d, w in broken.items() if d not in first}
    second = _block(n, rest, rng, first) if rest else None
    if second is None:
        # Nothing broken that a block apart from the first can hold: the second anywhere else.
        apart = _starts_apart(n, first)
        if not apart:
            return None
        b = rng.choice(apart)
        second = set(range(b, b + BLOCK_DAYS))
    return first | second


def spare_exchange(problem: RosterProblem, roster: Mapping[tuple[str, int], str],
                   short_days: Collection[int], rng: random.Random
                   ) -> tuple[list[str], set[int]] | None:
    """The employees and days of a spare-minutes exchange: a short (day, shift) drawn on one of
    ``short_days``; every employee with minutes to spare for the shortest shift they work, and
    ``SPARE_CANDIDATES`` drawn among the others allowed to work that shift that day; over the
    ``SPARE_WINDOW`` days either side. None when no cover is short on ``short_days``.

    Why: when the contracts leave few minutes to spare, the last weekday cover
    short is filled by a chain: someone who may work the short shift takes it and gives up
    another shift nearby, which an employee with minutes to spare picks up. Blocks drawn at
    random rarely hold both; these employees over these days do, in a model CP-SAT proves in
    well under a second."""
    days = set(short_days)
    counts: dict[tuple[int, str], int] = {}
    minutes: dict[str, int] = {}
    length = {st.name: st.length_minutes for st in problem.shift_types}
    for (e, d), s in roster.items():
        counts[(d, s)] = counts.get((d, s), 0) + 1
        minutes[e] = minutes.get(e, 0) + length[s]
    short = [(c.day, c.shift) for c in problem.cover
             if c.day in days and counts.get((c.day, c.shift), 0) < c.requirement]
    if not short:
        return None
    day, shift = rng.choice(short)
    spare = []
    for r in problem.employees:
        own = [n for s, n in length.items() if r.max_shifts.get(s, 1) > 0]
        if own and r.max_minutes - minutes.get(r.employee, 0) >= min(own):
            spare.append(r.employee)
    taken = set(spare)
    able = [r.employee for r in problem.employees
            if r.employee not in taken and r.may_work(day, shift)]
    chosen = taken | set(rng.sample(able, min(SPARE_CANDIDATES, len(able))))
    window = set(range(max(0, day - SPARE_WINDOW), min(problem.days, day + SPARE_WINDOW + 1)))
    return [r.employee for r in problem.employees if r.employee in chosen], window


# Request exchanges: days either side of the requested run that the move frees, the holders
# of the requested cells kept at most, and further employees of similar skills.
REQUEST_WINDOW = 2
REQUEST_HOLDERS = 8
REQUEST_PARTNERS = 30


def request_exchange(problem: RosterProblem, roster: Mapping[tuple[str, int], str],
                     rng: random.Random, frozen_days: Collection[int] = frozenset()
                     ) -> tuple[list[str], set[int]] | None:
    """The employees and days of an exchange for one broken request: a request drawn by its
    weight (none on ``frozen_days``) and the run of days around it where the same employee has
    requests broken; free that employee, the employees who work the requested shifts on those
    days (up to ``REQUEST_HOLDERS``), and ``REQUEST_PARTNERS`` of the employees whose shift
    types are most like the requester's, over the run and ``REQUEST_WINDOW`` days either side.
    None when no request is broken.

    Why: once every shift a move can fill is covered, the cost left is broken requests, with
    the cover met exactly and the contract minutes nearly all used. Granting one then takes a
    chain among a few people: the requester
    works the shift asked for and gives up as many minutes elsewhere, and the one who worked it
    takes those. Blocks of days over everyone (:func:`request_days`) hold such a chain only
    when both ends fall in their four days; these few employees over a few weeks hold it
    wherever its ends are (a few partners are too few people for the chain)."""
    frozen = set(frozen_days)
    broken = [(q, q.cost(roster.get((q.employee, q.day)))) for q in problem.requests
              if q.day not in frozen]
    broken = [(q, c) for q, c in broken if c > 0]
    if not broken:
        return None
    drawn = rng.choices([q for q, _ in broken], weights=[c for _, c in broken])[0]
    e = drawn.employee
    mine = {q.day: q for q, _ in broken if q.employee == e}
    lo = hi = drawn.day
    while lo - 1 in mine:
        lo -= 1
    while hi + 1 in mine:
        hi += 1
    holders = sorted({f for (f, d), s in roster.items()
                      if f != e and lo <= d <= hi and mine[d].on and s == mine[d].shift})
    if len(holders) > REQUEST_HOLDERS:
        holders = rng.sample(holders, REQUEST_HOLDERS)
    by_name = {r.employee: r for r in problem.employees}

    def skills(name: str) -> frozenset[str]:
        return frozenset(s for s in problem.shift_names
                         if by_name[name].max_shifts.get(s, 1) > 0)

    own = skills(e)
    taken = {e, *holders}
    others = sorted((r.employee for r in problem.employees if r.employee not in taken),
                    key=lambda f: (-len(own & skills(f)) / max(1, len(own | skills(f))),
                                   rng.random()))
    likest = others[:3 * REQUEST_PARTNERS]
    taken.update(rng.sample(likest, min(REQUEST_PARTNERS, len(likest))))
    days = set(range(max(0, lo - REQUEST_WINDOW), min(problem.days, hi + REQUEST_WINDOW + 1)))
    return [r.employee for r in problem.employees if r.employee in taken], days


# Weekend exchanges: days either side of each of the two weekends that the move frees (the LNS
# adapts it within these bounds).
WEEKEND_REACH = (1, 6)


def split_weekends(problem: RosterProblem, roster: Mapping[tuple[str, int], str],
                   frozen_days: Collection[int] = frozenset()) -> list[tuple[str, int]]:
    """(employee, weekend index) of every weekend worked on some of its days but not all of
    them, with none of its days in ``frozen_days``."""
    frozen = set(frozen_days)
    out = []
    for i, days in enumerate(problem.weekends()):
        if len(days) < 2 or frozen & set(days):
            continue
        for r in problem.employees:
            worked = sum((r.employee, d) in roster for d in days)
            if 0 < worked < len(days):
                out.append((r.employee, i))
    return out


def weekend_exchange(problem: RosterProblem, roster: Mapping[tuple[str, int], str],
                     rng: random.Random, reach: int,
                     frozen_days: Collection[int] = frozenset()) -> set[int] | None:
    """The days of a weekend exchange: the weekend of a split weekend drawn at random (one
    worked on some of its days only, see :func:`split_weekends`) and another weekend drawn
    at random, each with ``reach`` days either side; the LNS frees everyone over them. None
    when no weekend is split, or only one weekend is not frozen.

    Why: where the weekend limits allow fewer weekend shifts than the cover asks for, each
    split weekend is one more weekend shift short: it uses up one of the employee's weekends
    for one day. Mending it moves that employee's weekend, and the runs of work around it, to
    another weekend, and others' weekends and weekdays along with it: everyone around both
    weekends. Moves over one window, or two drawn by the cover shortfall per day (every
    weekend is short there), rarely hold such a pair; a few days either side are too few.
    """
    split = split_weekends(problem, roster, frozen_days)
    if not split:
        return None
    frozen = set(frozen_days)
    weekends = problem.weekends()
    _, first = rng.choice(split)
    others = [i for i, days in enumerate(weekends) if i != first and not frozen & set(days)]
    if not others:
        return None
    out: set[int] = set()
    for i in (first, rng.choice(others)):
        days = weekends[i]
        out.update(range(max(0, min(days) - reach), min(problem.days, max(days) + reach + 1)))
    return out


def weekend_tightness(problem: RosterProblem) -> float:
    """Weekend cover asked for over the weekend shifts the weekend limits allow (0 when none)."""
    weekends = problem.weekends()
    days = {d for w in weekends for d in w}
    wanted = sum(c.requirement for c in problem.cover if c.day in days)
    allowed = sum(min(r.max_weekends, len(weekends)) * max((len(w) for w in weekends), default=0)
                  for r in problem.employees)
    return wanted / allowed if allowed else 0.0
