"""The fairness exchange move (planner.scheduling.fair_swap): from a planted unfair roster to the
fairness of a planted fair one, every row legal, the coverage untouched; nothing without shares."""

from __future__ import annotations

import itertools

import numpy as np

from planner.scheduling.fair_swap import fair_swaps
from planner.scheduling.fairness import agent_counts, set_fair_shares
from planner.scheduling.interval_cover import IntervalCover, with_break_variants
from planner.scheduling.roster import roster_objective
from planner.scheduling.roster_check import row_violations
from planner.scheduling.week import DEFAULT_WEIGHTS, default_variant, roster_problem
from tests.scheduling.helpers import built_problem, data_and_run, night_center

# The night center (helpers.night_center): every day one night 00:00-08:00 (N) and one day shift
# 09:00-17:00 (D); 2026-11-23 is a Monday, so days 5 and 6 are the weekend.
UNFAIR = {"n1": "NNNNN..", "n2": "DDD..NN", "n3": "...DD..", "n4": ".....DD"}
# Nights 2/2/2/1 (share 1.75) and one weekend day each (share 1): the fairest split there is.
FAIR = {"n1": "NND.D.D", "n2": "..NN.D.", "n3": "D...NN.", "n4": ".D.D..N"}


def _setup(tmp_path, weight: float = 1.0):
    data, run = data_and_run(tmp_path)
    night_center(data, run)
    if weight != 1.0:
        toml = data / "planner.toml"
        toml.write_text(toml.read_text().replace("weight = 1.0", f"weight = {weight!r}"))
    problem = built_problem(data, run)
    start = {"N": 0, "D": 9 * 60}

    def shifts(plan):
        out = {}
        for i, a in enumerate(problem.agents):
            for d, c in enumerate(plan[a.agent_id]):
                if c != ".":
                    (k,) = [k for k in problem.allowed[i][d]
                            if problem.templates[k].start_minute == start[c]]
                    out[(i, d)] = k
        return out

    unfair, fair = shifts(UNFAIR), shifts(FAIR)
    set_fair_shares(problem, unfair)
    plain = roster_problem(problem, DEFAULT_WEIGHTS)
    rp, shift_of, name_of = with_break_variants(plain, problem)
    cover = IntervalCover(problem, shift_of, DEFAULT_WEIGHTS)

    def roster(cells):
        return {(problem.agents[i].agent_id, d): name_of[(k, default_variant(problem, i))]
                for (i, d), k in cells.items()}

    return problem, plain, rp, shift_of, cover, roster(unfair), roster(fair)


def _rows(problem, shift_of, roster):
    """Per agent, day -> template id."""
    rows = {i: {} for i in range(len(problem.agents))}
    index = {a.agent_id: i for i, a in enumerate(problem.agents)}
    for (e, d), s in roster.items():
        rows[index[e]][d] = shift_of[s][0]
    return rows


def _legal(problem, plain, rows, days: int = 7) -> bool:
    """Every hard rule by the core's row check, and the 11 h rest counted here by hand."""
    for i, row in rows.items():
        names = [problem.templates[row[d]].name if d in row else None for d in range(days)]
        if row_violations(plain, plain.employees[i], names):
            return False
        spans = [(d * 1440 + problem.templates[k].start_minute,
                  d * 1440 + problem.templates[k].end_minute) for d, k in sorted(row.items())]
        if any(b0 - a1 < 11 * 60 for (_, a1), (b0, _) in itertools.pairwise(spans)):
            return False
    return True


def test_exchanges_reach_the_planted_fair_roster(tmp_path):
    problem, plain, rp, shift_of, cover, unfair, fair = _setup(tmp_path)
    assert problem.fair_shares[0].tolist() == [1.75, 0.0, 1.0]
    # The planted truth: both rosters legal and covering everything; the fair one costs less.
    assert _legal(problem, plain, _rows(problem, shift_of, unfair))
    assert _legal(problem, plain, _rows(problem, shift_of, fair))
    start = roster_objective(rp, unfair, cover)
    best = roster_objective(rp, fair, cover)
    assert cover.coverage_cost(unfair) == cover.coverage_cost(fair) == 0
    assert best < start

    got, objective = fair_swaps(problem, rp, cover, unfair, start)

    rows = _rows(problem, shift_of, got)
    assert _legal(problem, plain, rows)
    assert cover.coverage_cost(got) == 0  # every night and day shift still worked
    counts = np.array([agent_counts(problem, rows[i]) for i in range(4)])
    assert sorted(counts[:, 0]) == [1, 2, 2, 2]  # nights
    assert counts[:, 2].tolist() == [1, 1, 1, 1]  # weekend days
    assert objective == roster_objective(rp, got, cover) == best


def test_without_fair_shares_the_roster_is_returned_unchanged(tmp_path):
    problem, _, rp, _, cover, unfair, _ = _setup(tmp_path, weight=0.0)
    assert problem.fair_shares is None
    start = roster_objective(rp, unfair, cover)
    assert fair_swaps(problem, rp, cover, unfair, start) == (unfair, start)


def test_exchanges_on_a_generated_center_keep_every_rule(tmp_path):
    # A 24/7 center over two weeks with every other weekend off, time off and wishes: the
    # exchanges from its greedy roster leave every row legal and lower the exact objective.
    from planner.scheduling.greedy import greedy_roster
    from planner.scheduling.synthetic import write_center

    data, run = data_and_run(tmp_path)
    write_center(data, run, 16, n_types=4, interval=30, seed=3, around_the_clock=True, weeks=2,
                 shift_rules={"max_weekends_in_row": 1}, fairness=1.0)
    problem = built_problem(data, run)
    greedy = greedy_roster(problem, DEFAULT_WEIGHTS, seed=0)
    set_fair_shares(problem, greedy.shifts)
    plain = roster_problem(problem, DEFAULT_WEIGHTS, greedy.relaxed)
    rp, shift_of, name_of = with_break_variants(plain, problem)
    cover = IntervalCover(problem, shift_of, DEFAULT_WEIGHTS)
    roster = {(problem.agents[i].agent_id, d): name_of[(k, default_variant(problem, i))]
              for (i, d), k in greedy.shifts.items()}
    start = roster_objective(rp, roster, cover)
    got, objective = fair_swaps(problem, rp, cover, roster, start)
    assert got != roster and objective < start
    assert objective == roster_objective(rp, got, cover)
    assert _legal(problem, plain, _rows(problem, shift_of, got), problem.grid.days)


def test_weight_zero_plan_is_the_plan_without_exchanges(tmp_path, monkeypatch):
    # Fairness off: the exchanges are never made, so the plan is the one the search gives
    # without them (deterministic mode: the same plan for the same input).
    import planner.scheduling.shift_search as shift_search
    from planner.pipeline import run_stage

    def plan(folder, without: bool):
        folder.mkdir()
        data, run = data_and_run(folder)
        night_center(data, run)
        toml = data / "planner.toml"
        toml.write_text(toml.read_text().replace("weight = 1.0", "weight = 0.0"))
        with monkeypatch.context() as m:
            if without:
                m.setattr(shift_search, "fair_swaps", lambda p, rp, c, r, o, *a: (dict(r), o))
            run_stage("schedule", data, run, time_limit=20, seed=0, bound=False,
                      deterministic=True)
        return (run / "schedule.csv").read_text()

    assert plan(tmp_path / "with", False) == plan(tmp_path / "without", True)
