"""One employee's row by dynamic programming over the days, against the cover still missing.

Why: on long horizons (182-364 days, 50-150 staff) a CP-SAT model per employee costs more than
the whole time budget, and the weekday-block heuristic (:mod:`planner.bench.weekday_rows`)
leaves every weekend uncovered. A row is a path through a small state graph, so the best row for
one employee against the residual cover is a longest-path problem:

- state on a day: working shift type ``t`` in a run of ``r`` days, or off in a run of ``r`` days
  (``r`` capped where the rule no longer distinguishes), which makes the run bounds of work and
  rest and the forbidden successions exact;
- profit of a worked cell: the value of one more employee on that shift that day (the under-cover
  weight while the cover is short, minus the over-cover weight once met), plus the requests it
  honours, minus Lagrangian prices: ``lam`` per minute and ``mu[t]`` per shift of type ``t``.
  Total minutes and caps per type span the whole horizon: they are priced rather than counted
  in the state, which keeps the graph to (types x run lengths) nodes.
- weekends worked (at most ``max_weekends``): either the weekends to work are chosen up front
  and the others kept off (fast), or the state graph is copied once per count of weekends
  worked so far (a Saturday worked, or a Sunday that starts a run, moves to the next copy):
  exact, at (weekends + 1) times the cost.

Many minute prices are tried in one vectorised pass (numpy, one axis per price) and the bracket
where the minutes cross the contract is refined; the best row that breaks no hard rule wins.
Caps that a row breaks are first repaired by swapping types of the same length, else priced
higher and the search repeated; a small remaining gap in minutes is closed by single-cell
repairs (another type of other length, one day more or less next to a run). Every row is
verified by :func:`planner.scheduling.roster_check.row_violations`; None means no valid row was
found (the caller falls back to CP-SAT). The start of the horizon is treated conservatively (a
first work run is held to the minimum length although the rule exempts it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from planner.scheduling.roster_check import row_violations
from planner.scheduling.rules import UNBOUNDED, EmployeeRules, RosterProblem, ShiftRequest

NEG = -1e18
# Minute prices tried at once (per minute, relative to the largest cell value / shortest shift).
PRICE_STEPS = np.concatenate([-np.geomspace(1.0, 1e-3, 3), [0.0], np.geomspace(1e-3, 1.5, 8)])
# Around a price that worked for a similar row: this share either side.
HINT_SPAN = 0.3
HINT_STEPS = 8
# Rounds of raising the price of broken caps and weekends; levels of refining the minute price.
ROUNDS = 7
LEVELS = 4
# Noise on cell values (share of the largest value, at most half the smallest) that breaks ties
# between equal cells.
NOISE = 0.02
# Minutes gaps (in longest shifts) that single-cell repairs try to close.
REPAIR_GAP = 3
# Count weekends exactly first when (types x run length)^2 x (weekends + 1), a proxy of the
# work per day of the DP, stays below this.
EXACT_WEEKENDS_SIZE = 40_000
# Longest run the state graph keeps exact; longer maxima make the rule unsupported (None).
MAX_RUN_STATES = 28


class _Graph:
    """The state graph of one employee: predecessor table and state meanings."""

    def __init__(self, problem: RosterProblem, rules: EmployeeRules, types: Sequence[int],
                 weekend_cap: int | None = None):
        names = problem.shift_names
        shift_types = problem.shift_types
        ws, os_ = rules.work_sequence, rules.off_sequence
        self.work_min = max(1, ws.hard_min)
        self.off_min = max(1, os_.hard_min)
        self.work_cap = ws.hard_max < problem.days  # a finite maximum inside the horizon
        self.off_cap = os_.hard_max < problem.days
        # Uncapped runs end in an absorbing state; counting weekends needs it apart from the
        # first day of a run (a Sunday that continues Saturday's run is the same weekend).
        self.rw = ws.hard_max if self.work_cap else max(
            self.work_min, 1 if weekend_cap is None else 2)
        self.ro = os_.hard_max if self.off_cap else self.off_min
        self.types = list(types)
        nt = len(self.types)
        self.n_work = nt * self.rw
        self.n = self.n_work + self.ro
        pos = {t: i for i, t in enumerate(self.types)}
        preds: list[list[int]] = []
        for i, t in enumerate(self.types):
            for r in range(1, self.rw + 1):
                if r == 1:
                    # From rest long enough.
                    p = [self.n_work + k - 1 for k in range(self.off_min, self.ro + 1)]
                else:
                    p = [pos[s] * self.rw + r - 2 for s in self.types
                         if names[t] not in shift_types[s].cannot_follow]
                if r == self.rw and not self.work_cap:
                    # Absorbing: a run longer than the minimum stays here.
                    p += [pos[s] * self.rw + r - 1 for s in self.types
                          if names[t] not in shift_types[s].cannot_follow]
                preds.append(p)
            del i
        for k in range(1, self.ro + 1):
            if k == 1:
                p = [pos[s] * self.rw + r - 1 for s in self.types
                     for r in range(self.work_min, self.rw + 1)]
            else:
                p = [self.n_work + k - 2]
            if k == self.ro and not self.off_cap:
                p.append(self.n_work + k - 1)
            preds.append(p)
        state_type = [self.types[j // self.rw] if j < self.n_work else -1 for j in range(self.n)]
        run_start = [j < self.n_work and j % self.rw == 0 for j in range(self.n)]
        final_ok = [(j % self.rw + 1 >= self.work_min or ws.edges_exempt) if j < self.n_work
                    else (j - self.n_work + 1 >= self.off_min or os_.edges_exempt)
                    for j in range(self.n)]
        base_n = self.n
        # Per kind of day (0 weekday, 1 Saturday, 2 Sunday): the predecessors of each state.
        tables: list[list[list[int]]] = [preds, preds, preds]
        self.layers = 1
        if weekend_cap is not None:
            # Exact count of weekends worked: one copy of the states per count (0..cap). A
            # Saturday worked, or a Sunday that starts a run, moves to the next copy.
            self.layers = weekend_cap + 1
            tables = []
            for kind in range(3):
                tab = []
                for w in range(self.layers):
                    for j in range(base_n):
                        inc = int((kind == 1 and j < self.n_work) or (kind == 2 and run_start[j]))
                        tab.append([] if w - inc < 0 else [(w - inc) * base_n + p
                                                            for p in preds[j]])
                tables.append(tab)
            self.n = base_n * self.layers
            state_type *= self.layers
            run_start *= self.layers
            final_ok *= self.layers
        width = max(1, max(len(p) for tab in tables for p in tab))
        self.back_dtype = np.int8 if width <= 127 else np.int16
        # Padding points at a sentinel state (index n) that is always -inf.
        self.preds = []
        for tab in tables:
            arr = np.full((self.n, width), self.n, dtype=np.int64)
            for j, p in enumerate(tab):
                arr[j, :len(p)] = p
            self.preds.append(arr)
        self.base_n = base_n
        self.state_type = np.array(state_type)
        self.run_start = np.array(run_start)
        self.final_ok = np.array(final_ok)

    def solve(self, profit: np.ndarray, lam: np.ndarray, mu: np.ndarray, lengths: np.ndarray,
              saturday: np.ndarray, sunday: np.ndarray, off_profit: np.ndarray | None = None
              ) -> list[list[int | None]]:
        """Best path for each minute price in ``lam``; ``profit[d, t]`` per worked cell (NEG
        where not allowed), ``off_profit[d]`` per day off (0 unless given; NEG where the day
        must be worked). Returns one row (type index or None per day) per price."""
        days = profit.shape[0]
        n_l = len(lam)
        st = self.state_type
        work = st >= 0
        t_idx = np.where(work, st, 0)
        # Per-day state gains for every price: (days, L, n).
        # float32: half the memory traffic; values stay far inside its precision.
        off = np.zeros(days) if off_profit is None else off_profit
        base = np.where(work[None, :], profit[:, t_idx] - mu[t_idx][None, :], off[:, None]
                        ).astype(np.float32)
        price = (np.where(work, lengths[t_idx], 0)[None, :] * lam[:, None]).astype(np.float32)
        gain = base  # (days, n)
        v = np.full((n_l, self.n + 1), NEG, dtype=np.float32)
        # Day 0: as if after a long rest (a first work run is held to its minimum; safe).
        start_layer = int(self.layers > 1 and bool(saturday[0] or sunday[0]))
        first = np.zeros(self.n, dtype=bool)
        first[start_layer * self.base_n:(start_layer + 1) * self.base_n] = True
        v[:, :self.n][:, self.run_start & first] = 0.0
        v[:, self.n_work + self.ro - 1] = 0.0
        v[:, :self.n] += gain[0][None, :] - price
        # Which predecessor column won, per day, price and state.
        back = np.zeros((days, n_l, self.n), dtype=self.back_dtype)
        kind = np.where(saturday, 1, np.where(sunday, 2, 0))
        # (K, n) tables: reducing over K is then elementwise.
        preds_t = [np.ascontiguousarray(p.T) for p in self.preds]
        for d in range(1, days):
            cand = v[:, preds_t[kind[d]]]  # (L, K, n)
            back[d] = cand.argmax(axis=1)
            v[:, :self.n] = cand.max(axis=1) + (gain[d][None, :] - price)
            # No clamping: unreachable states sum at most days * NEG, far inside float32.
        end = np.where(self.final_ok[None, :], v[:, :self.n], NEG)
        out: list[list[int | None]] = []
        for li in range(n_l):
            j = int(end[li].argmax())
            if end[li, j] < NEG / 2:
                out.append([])
                continue
            row: list[int | None] = [None] * days
            for d in range(days - 1, -1, -1):
                row[d] = int(st[j]) if st[j] >= 0 else None
                if d:
                    j = int(self.preds[kind[d]][j, back[d, li, j]])
            out.append(row)
        return out


def _request_profit(problem: RosterProblem, rules: EmployeeRules,
                    requests: Sequence[ShiftRequest]) -> np.ndarray:
    """Profit of working each (day, type) from the employee's requests (honoured minus broken,
    relative to being off)."""
    names = problem.shift_names
    idx = {s: i for i, s in enumerate(names)}
    out = np.zeros((problem.days, len(names)))
    for req in requests:
        if req.employee != rules.employee:
            continue
        sign = req.weight if req.on else -req.weight
        if req.shift is None:
            out[req.day, :] += sign
        else:
            out[req.day, idx[req.shift]] += sign
    return out


def row_profit(problem: RosterProblem, row: Sequence[str | None],
               value: np.ndarray) -> float:
    """Sum of ``value[d, t]`` over the worked cells of ``row``."""
    idx = {s: i for i, s in enumerate(problem.shift_names)}
    return float(sum(value[d, idx[s]] for d, s in enumerate(row) if s is not None))


def _violation_size(problem: RosterProblem, rules: EmployeeRules, row: Sequence[str | None]
                    ) -> tuple[int, int]:
    """(number of hard rules broken other than total minutes, minutes outside the bounds)."""
    lengths = {s.name: s.length_minutes for s in problem.shift_types}
    minutes = sum(lengths[s] for s in row if s is not None)
    gap = max(0, rules.min_minutes - minutes, minutes - rules.max_minutes)
    bad = [v for v in row_violations(problem, rules, row) if not v.endswith(" min")]
    return len(bad), gap


def _repair_caps(problem: RosterProblem, rules: EmployeeRules, row: Sequence[str | None],
                 value: np.ndarray, locked: Collection[int] = ()) -> list[str | None] | None:
    """Swap shifts of a type over its cap for another type of the same length (allowed that
    day, with the neighbours' successions), least value lost first, never on a ``locked`` day;
    None when the row still breaks a rule."""
    types = {s.name: s for s in problem.shift_types}
    idx = {s: i for i, s in enumerate(problem.shift_names)}
    row = list(row)
    n = len(row)
    count: dict[str, int] = {}
    for s in row:
        if s is not None:
            count[s] = count.get(s, 0) + 1
    for t in list(count):
        excess = count[t] - rules.max_shifts.get(t, UNBOUNDED)
        progress = True
        # Repeat: a swap can make its neighbour swappable (e.g. the end of a run first).
        while excess > 0 and progress:
            progress = False
            moves = []
            for d, s in enumerate(row):
                if s != t or d in locked:
                    continue
                for u in problem.shift_names:
                    if u == t or types[u].length_minutes != types[t].length_minutes \
                            or not rules.may_work(d, u):
                        continue
                    moves.append((value[d, idx[t]] - value[d, idx[u]], d, u))
            moves.sort(key=lambda m: m[0])
            for _, d, u in moves:
                if excess <= 0:
                    break
                if row[d] != t or count.get(u, 0) >= rules.max_shifts.get(u, UNBOUNDED):
                    continue
                if d > 0 and row[d - 1] is not None and u in types[row[d - 1]].cannot_follow:
                    continue
                if d + 1 < n and row[d + 1] is not None \
                        and row[d + 1] in types[u].cannot_follow:
                    continue
                row[d] = u
                count[u] = count.get(u, 0) + 1
                count[t] -= 1
                excess -= 1
                progress = True
    return None if row_violations(problem, rules, row) else row


def _repair_minutes(problem: RosterProblem, rules: EmployeeRules, row: list[str | None],
                    value: np.ndarray, tries: int = 40, locked: Collection[int] = ()
                    ) -> list[str | None] | None:
    """Close a gap in total minutes by single-cell changes (other type, or a day more or less at
    the end of a run) on days not ``locked``, least profit lost first; None when it cannot."""
    names = problem.shift_names
    idx = {s: i for i, s in enumerate(names)}
    lengths = {s.name: s.length_minutes for s in problem.shift_types}
    n = len(row)
    for _ in range(3 * REPAIR_GAP):
        bad, gap = _violation_size(problem, rules, row)
        if bad:
            return None
        if gap == 0:
            return row
        minutes = sum(lengths[s] for s in row if s is not None)
        up = minutes < rules.min_minutes
        moves: list[tuple[float, int, str | None]] = []
        for d in range(n):
            if d in locked:
                continue
            cur = row[d]
            cur_v = value[d, idx[cur]] if cur is not None else 0.0
            edge = (d > 0 and row[d - 1] is not None) or (d + 1 < n and row[d + 1] is not None)
            for s in (*names, None):
                if s == cur:
                    continue
                if s is not None and not rules.may_work(d, s):
                    continue
                delta = (lengths[s] if s else 0) - (lengths[cur] if cur else 0)
                if (delta > 0) != up or delta == 0:
                    continue
                if cur is None and not edge:
                    continue  # a lone new day would break the minimum run
                if s is None and not edge:
                    continue
                new_v = value[d, idx[s]] if s is not None else 0.0
                moves.append((cur_v - new_v, d, s))
        moves.sort(key=lambda m: m[0])
        done = False
        for _, d, s in moves[:tries]:
            old = row[d]
            row[d] = s
            bad2, gap2 = _violation_size(problem, rules, row)
            if bad2 == 0 and gap2 < gap:
                done = True
                break
            row[d] = old
        if not done:
            return None
    return None


def dp_row(problem: RosterProblem, rules: EmployeeRules, demand: np.ndarray,
           requests: Sequence[ShiftRequest] = (), seed: int = 0,
           prices: dict | None = None, max_types: int | None = None,
           exact_first: bool = False, fixed: Mapping[int, str | None] | None = None
           ) -> list[str | None] | None:
    """The most valuable valid row found for ``rules`` against ``demand[d, t]`` (value of one
    more employee on type ``t`` on day ``d``; types in ``problem.shift_names`` order), with the
    requests' value added; None when none is found.

    Under a limit of weekends worked, the weekends are picked up front (pricing them is
    all-or-nothing when their values are alike, as they are early in a construction): first
    those of most value, then every other weekend (the shape that leaves the most working days),
    and only then are weekends counted exactly in the state graph (one copy of it per count:
    exact but slower, so the last resort).

    ``max_types`` (optional) first limits the employee to that many shift types, those of most
    residual value (enough of them for the minutes under the caps): the state graph shrinks
    with the square of the types, which is what a first pass over 150 staff needs.

    ``exact_first``: count weekends exactly first when that is affordable (see
    ``EXACT_WEEKENDS_SIZE``): the best use of the weekends, at several times the cost.

    ``prices`` (optional, updated) remembers the minute price (per unit of cell value) that
    worked per contract, so the next employee on the same contract starts from a narrow
    bracket around it: one pass of the DP instead of several.

    ``fixed`` (optional) maps days to the shift the row must have there (None: off), e.g. a
    weekend plan (:mod:`planner.bench.weekend_plan`); its weekends worked are then the
    row's, and ``max_types`` does not apply.
    """
    weekends = problem.weekends()
    choices: list[set[int] | None] = [None]
    if fixed:
        max_types = None
        if rules.max_weekends < len(weekends):
            worked = {i for i, days in enumerate(weekends)
                      if any(fixed.get(d) is not None for d in days)}
            choices = [worked] if len(worked) <= rules.max_weekends else []
    elif rules.max_weekends < len(weekends):
        # Only weekends the employee may work count (one inside a holiday is free to leave).
        names = problem.shift_names
        open_days = {d: [t for t, s in enumerate(names) if rules.may_work(d, s)]
                     for days in weekends for d in days}
        workable = [i for i, days in enumerate(weekends) if any(open_days[d] for d in days)]
        worth = {i: sum(max([0.0, *(float(demand[d, t]) for t in open_days[d])])
                        for d in weekends[i]) for i in workable}
        by_worth = set(sorted(workable, key=lambda i: -worth[i])[:rules.max_weekends])
        alternate = max(({i for k, i in enumerate(workable) if k % 2 == j} for j in (0, 1)),
                        key=lambda c: sum(worth[i] for i in c))
        alternate = set(sorted(alternate, key=lambda i: -worth[i])[:rules.max_weekends])
        choices = [by_worth, alternate, None]
        n_types = sum(1 for s in names if rules.max_shifts.get(s, UNBOUNDED) > 0)
        if max_types:
            n_types = min(n_types, max_types)
        run = max(rules.work_sequence.hard_max if rules.work_sequence.hard_max < problem.days
                  else rules.work_sequence.hard_min, 1)
        if exact_first and (n_types * run) ** 2 * (rules.max_weekends + 1) \
                <= EXACT_WEEKENDS_SIZE:
            choices = [None, by_worth, alternate]  # exact counting is affordable: the best
    for limit in ([max_types, None] if max_types else [None]):
        for chosen in choices:
            banned = [] if chosen is None else [d for i, days in enumerate(weekends)
                                                 if i not in chosen for d in days]
            exact = chosen is None and rules.max_weekends < len(weekends)
            row = _dp_row(problem, rules, demand, requests, seed, banned, prices, limit, exact,
                          fixed or {})
            # (A row with no type allowed is all off, whatever the fixed days say.)
            if row is not None and all(row[d] == s for d, s in (fixed or {}).items()):
                return row
    return None


def _dp_row(problem: RosterProblem, rules: EmployeeRules, demand: np.ndarray,
            requests: Sequence[ShiftRequest], seed: int, banned: Sequence[int],
            prices: dict | None = None, max_types: int | None = None,
            exact_weekends: bool = False, fixed: Mapping[int, str | None] | None = None
            ) -> list[str | None] | None:
    """:func:`dp_row` with the days ``banned`` (weekends not chosen) kept off and the ``fixed``
    days held to their shift.

    The minute price is searched by refining a bracket: a sweep of prices, then a finer sweep
    between the last price whose row works too many minutes and the next one. A little seeded
    noise on the cell values breaks the ties that make a uniform demand all-or-nothing.
    """
    names = problem.shift_names
    n_days, n_t = problem.days, len(names)
    allowed_types = [i for i, s in enumerate(names) if rules.max_shifts.get(s, UNBOUNDED) > 0]
    if not allowed_types:
        row: list[str | None] = [None] * n_days
        return row if not row_violations(problem, rules, row) else None
    if max_types is not None and len(allowed_types) > max_types:
        worth = np.clip(demand, 0.0, None).sum(axis=0)
        ranked = sorted(allowed_types, key=lambda t: -worth[t])
        kept: list[int] = []
        shifts = 0
        for t in ranked:
            if len(kept) >= max_types and shifts * min(
                    problem.shift_types[k].length_minutes for k in kept) >= rules.min_minutes:
                break
            kept.append(t)
            shifts += min(n_days, rules.max_shifts.get(names[t], UNBOUNDED))
        allowed_types = sorted(kept)
    ws, os_ = rules.work_sequence, rules.off_sequence
    if (ws.hard_max < n_days and ws.hard_max > MAX_RUN_STATES) or \
            (os_.hard_max < n_days and os_.hard_max > MAX_RUN_STATES) or \
            max(ws.hard_min, os_.hard_min) > MAX_RUN_STATES:
        return None
    graph = _Graph(problem, rules, allowed_types,
                   rules.max_weekends if exact_weekends else None)
    lengths = np.array([s.length_minutes for s in problem.shift_types], dtype=float)
    value = demand + _request_profit(problem, rules, requests)
    unit = max(1.0, float(np.abs(value).max()))
    # Never so much noise that a cell changes sign: an over-covered cell (worth minus the
    # over-cover weight, often 1 against 100 for a short one) must not look worth working.
    nonzero = np.abs(value[value != 0])
    amount = min(unit * NOISE, 0.5 * float(nonzero.min())) if nonzero.size else unit * NOISE
    noise = np.random.default_rng(seed).random(value.shape) * amount
    profit = np.full((n_days, n_t), NEG)
    for d in range(n_days):
        for t in allowed_types:
            if rules.may_work(d, names[t]):
                profit[d, t] = value[d, t] + noise[d, t]
    profit[list(banned), :] = NEG
    fixed = fixed or {}
    off_profit = np.zeros(n_days)
    for d, s in fixed.items():
        keep = profit[d, names.index(s)] if s is not None else 0.0
        profit[d, :] = NEG
        if s is not None:
            if keep <= NEG / 2:
                return None  # a type the row may not work there
            profit[d, names.index(s)] = keep
            off_profit[d] = NEG
    weekday = [(problem.first_weekday + d) % 7 for d in range(n_days)]
    saturday = np.array([w == 5 for w in weekday])
    sunday = np.array([w == 6 for w in weekday])
    scale = unit / float(lengths[allowed_types].min())
    mu = np.zeros(n_t)
    best: tuple[float, list[str | None]] | None = None
    closest: tuple[int, list[str | None]] | None = None
    contract = (rules.min_minutes, rules.max_minutes)
    hint = None if prices is None else prices.get(contract)
    for rnd in range(ROUNDS):
        lam = PRICE_STEPS * scale
        if rnd == 0 and hint is not None:
            lam = hint * scale + np.linspace(-HINT_SPAN, HINT_SPAN, HINT_STEPS) * abs(
                hint * scale)
        over_caps: set[int] = set()
        for _level in range(LEVELS):
            rows = graph.solve(profit, lam, mu, lengths, saturday, sunday, off_profit)
            minutes = []
            for li, ti in enumerate(rows):
                if not ti:
                    minutes.append(-1.0)
                    continue
                m = float(sum(lengths[t] for t in ti if t is not None))
                minutes.append(m)
                near = REPAIR_GAP * lengths.max()
                if not rules.min_minutes - near <= m <= rules.max_minutes + near:
                    continue
                row = [names[t] if t is not None else None for t in ti]
                n_bad, gap = _violation_size(problem, rules, row)
                if n_bad == 0 and gap == 0:
                    v = row_profit(problem, row, value)
                    if best is None or v > best[0]:
                        best = (v, row)
                        if prices is not None:
                            prices[contract] = float(lam[li]) / scale
                    continue
                if n_bad and gap == 0:
                    repaired = _repair_caps(problem, rules, row, value, fixed)
                    if repaired is not None:
                        v = row_profit(problem, repaired, value)
                        if best is None or v > best[0]:
                            best = (v, repaired)
                        continue
                if n_bad == 0 and (closest is None or gap < closest[0]):
                    closest = (gap, row)
                if rules.min_minutes <= m <= rules.max_minutes or n_bad:
                    for t in allowed_types:
                        if sum(1 for s in ti if s == t) > rules.max_shifts.get(names[t],
                                                                              UNBOUNDED):
                            over_caps.add(t)
            if best is not None:
                break
            full_sweep = _level == 0 and not (rnd == 0 and hint is not None)
            if full_sweep and max(minutes) < rules.min_minutes and not mu.any():
                # Even the most work this graph allows is short of the contract (e.g. the
                # weekends chosen leave too few days): no price can help.
                return None
            # Refine between the last price with too many minutes and the next one.
            too_many = [i for i, m in enumerate(minutes) if m > rules.max_minutes]
            if not too_many or too_many[-1] + 1 >= len(lam):
                break
            i = too_many[-1]
            lam = np.linspace(lam[i], lam[i + 1], len(PRICE_STEPS))
        if best is not None:
            break
        if rnd == 0 and hint is not None:
            continue  # the bracket around the remembered price missed: a full sweep next
        if closest is not None and closest[0] <= REPAIR_GAP * lengths.max():
            repaired = _repair_minutes(problem, rules, list(closest[1]), value, locked=fixed)
            if repaired is not None:
                return repaired
        if not over_caps:
            break
        # Price the broken caps higher (in small steps: too high a price wastes the types
        # or the types the employee may still work) and try again.
        for t in over_caps:
            mu[t] = mu[t] * 2 + unit * 0.05
    return None if best is None else best[1]


def demand_matrix(problem: RosterProblem, counts: Mapping[tuple[int, str], int],
                  remaining: Sequence[EmployeeRules] = ()) -> np.ndarray:
    """Value of one more employee on each (day, type): the under-cover weight while short, minus
    the over-cover weight once met, 0 where no cover is stated.

    With ``remaining`` (the employees still to place) a short cell is worth more on a day whose
    shortfall is large against what those employees can still supply (their share of working
    days, times their share of weekends on a weekend day): scarce days, typically weekends under
    a limit of weekends worked, are then filled first instead of left to the last employees.
    """
    idx = {s: i for i, s in enumerate(problem.shift_names)}
    n = problem.days
    out = np.zeros((n, len(idx)))
    short = np.zeros(n)
    for c in problem.cover:
        k = counts.get((c.day, c.shift), 0)
        out[c.day, idx[c.shift]] = c.under_weight if k < c.requirement else -c.over_weight
        short[c.day] += max(0, c.requirement - k)
    if not remaining:
        return out
    weekend = np.array([(problem.first_weekday + d) % 7 >= 5 for d in range(n)])
    n_weekends = max(1, len(problem.weekends()))
    mean_len = float(np.mean([s.length_minutes for s in problem.shift_types]))
    supply = np.zeros(n)
    for r in remaining:
        share = min(1.0, (r.min_minutes + min(r.max_minutes, UNBOUNDED)) / 2 / mean_len / n)
        wk = min(1.0, r.max_weekends / n_weekends)
        avail = np.ones(n)
        if r.days_off:
            avail[[d for d in r.days_off if d < n]] = 0.0
        supply += avail * share * np.where(weekend, wk, 1.0)
    ratio = short / np.maximum(supply, 0.5)
    if not (short > 0).any():
        return out
    # Relative scarcity: 1 on an average short day.
    factor = np.clip(ratio / ratio[short > 0].mean(), 0.25, 4.0)
    return np.where(out > 0, out * factor[:, None], out)
