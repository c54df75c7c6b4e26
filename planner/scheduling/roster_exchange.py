"""Exchange neighbourhoods for the roster LNS: (nearly) every employee over two short blocks of
days, one where cover is short and one drawn at random.

Why: on rosters where both the total minutes and the weekends worked are tight (Curtois
instance 13: the cover asks for more minutes than the contracts allow, and for 482 of the 500
weekend shifts the weekend limits allow), the cover still missing sits on weekends and the
employees who could still work that weekend have no minutes left, while those with minutes have
no weekend left. Filling it takes an exchange: one employee works the weekend and drops a shift on
some weekday, which another employee, with minutes to spare, takes over. With the rest of the
roster fixed that needs

- the short days AND the day of the dropped shift free, and
- the right pair of employees free among 120: only moves that free (nearly) everyone find it.

Everyone over two blocks of two days is a model CP-SAT proves optimal in about a second
(120 staff x 4 days). Measured on instance 13 from the same construction, 45 s, two seeds: the
LNS ended at 1907 and 2046 with 70% of the moves of this kind against 2553 and 2366 without
(on the same machine, load 2-3); blocks of three days (too big to prove) were worse. With the
share drawn by recent success (roster_lns), ``bench_curtois.py --time-limit 60 --instances 13``
gave 1931, 1991 (seed 0) and 1980 (seed 1) at load 1.7-2.5, against 2173-3043 before (seeds
0-2, load 1-3). Still far from the best known 1348.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from planner.scheduling.rules import RosterProblem

# Days per block: two blocks of two days keep a model of everyone small enough to prove.
BLOCK_DAYS = 2


def exchange_days(problem: RosterProblem, short: Mapping[int, float], rng: random.Random
                  ) -> set[int] | None:
    """The days of one exchange move: a block of ``BLOCK_DAYS`` around a day drawn by its cover
    shortfall cost (``short``: day -> cost; the neighbour of higher cost joins it), and a block
    drawn uniformly, apart from the first when the horizon allows. None without a short day."""
    n = problem.days
    if not short or n < BLOCK_DAYS:
        return None
    d = rng.choices(list(short), weights=list(short.values()))[0]
    # The block containing d that holds the most shortfall (the whole weekend, typically).
    starts = range(max(0, d - BLOCK_DAYS + 1), min(d, n - BLOCK_DAYS) + 1)
    a = max(starts, key=lambda s: (sum(short.get(x, 0.0) for x in range(s, s + BLOCK_DAYS)),
                                   -s))
    first = set(range(a, a + BLOCK_DAYS))
    apart = [b for b in range(n - BLOCK_DAYS + 1)
             if not first & set(range(b, b + BLOCK_DAYS))]
    b = rng.choice(apart) if apart else rng.randrange(n - BLOCK_DAYS + 1)
    return first | set(range(b, b + BLOCK_DAYS))
