"""The LP bound against the exact optimum of tiny centers, found by enumerating every plan.

Three agents, two open days (Monday and Tuesday 08:00-14:00 on 30 minutes), 4-hour shifts
starting 08:00, 09:00 or 10:00, one 15-minute break each. The enumeration covers every roster that
keeps the hard rules (paid hours within each agent's minimum and maximum, the minimum rest between
the two days), every break position and, per interval, every choice of activity of each agent on
the queue: its minimum is the best cost any plan can reach, so the bound must not exceed it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from planner.io.writers import write_csv, write_text
from planner.scheduling.bound import coverage_lower_bound
from planner.scheduling.cover_curve import UNITS, units
from planner.scheduling.week import DEFAULT_WEIGHTS
from tests.scheduling.helpers import MONDAY, built_problem, data_and_run

TOML = """horizon_days = 7
seed = 0

[center]
interval_minutes = 30
opening_hours = {{ mon = "08:00-14:00", tue = "08:00-14:00", wed = "closed", thu = "closed", \
fri = "closed", sat = "closed", sun = "closed" }}

[case_types.common]
complexity = "transactional"

[case_types.rare]
complexity = "standard"
priority = 2.0

[shifts]
lengths_hours = [4.0]
start_step_minutes = 60
min_rest_hours = {rest}
max_consecutive_days = 5
days_off_per_week = 2
allow_overnight = false
max_hours = 40.0
"""
# (agent, min hours, max hours, skills)
AGENTS = [("a1", 0, 8, ("common",)), ("a2", 4, 8, ("common", "rare")), ("a3", 8, 8, ("rare",))]


def _center(tmp_path, rest: float, demand: dict[str, np.ndarray]):
    data, run = data_and_run(tmp_path)
    write_text(TOML.format(rest=rest), data / "planner.toml")
    write_csv(pd.DataFrame([(a, a, lo, hi) for a, lo, hi, _ in AGENTS],
                           columns=["agent_id", "name", "min_hours", "max_hours"]),
              data / "agents.csv")
    write_csv(pd.DataFrame([(a, c, 3) for a, _, _, cs in AGENTS for c in cs],
                           columns=["agent_id", "case_type", "level"]), data / "skills.csv")
    write_csv(pd.DataFrame({"case_type": ["common", "rare"],
                            "interval_start": ["2026-11-16T09:00:00"] * 2, "volume": [1.0] * 2}),
              data / "volumes.csv")
    rows = []
    for c, curve in demand.items():
        for d in range(2):
            for j in range(12):
                ts = MONDAY + pd.Timedelta(days=d, hours=8, minutes=30 * j)
                rows.append((c, ts, curve[d, j], curve[d, j]))
    write_csv(pd.DataFrame(rows, columns=["case_type", "interval_start", "agents_net",
                                          "agents_gross"]), run / "requirements.csv")
    return built_problem(data, run)


def _exact_optimum(problem) -> float:
    """The least coverage cost of any plan keeping the hard rules, by enumeration."""
    grid, iv, tpl = problem.grid, problem.interval, problem.templates
    horizon = grid.days * grid.per_day
    req = units(problem.required[:, :horizon])
    w_short = np.maximum(1, np.rint(DEFAULT_WEIGHTS.shortfall * problem.priority))
    w_over = DEFAULT_WEIGHTS.overstaffing
    n_act = len(problem.activities)
    elig = [problem.group_eligible[a.group] for a in problem.agents]
    days = [d for d in range(grid.days) if any(problem.allowed[i][d]
                                               for i in range(len(problem.agents)))]
    assert days == [0, 1]

    def interval_cost(t: int, present: tuple[int, ...]) -> float:
        best = float("inf")
        for acts in itertools.product(*(elig[i] for i in present)):
            have = UNITS * np.bincount(np.array(acts, dtype=int), minlength=n_act)
            best = min(best, float((w_short * np.maximum(0, req[:, t] - have)).sum()
                                   + w_over * np.maximum(0, have - req[:, t]).sum()))
        return best

    def day_cost(d: int, choice: tuple) -> float:
        lo, hi = grid.index(d, 0), grid.index(d + 1, 0)
        uncovered = float((w_short * req[:, lo:hi].sum(axis=1)).sum())
        working = [(i, k) for i, k in enumerate(choice) if k is not None]
        if not working:
            return uncovered
        best = float("inf")
        placements = [itertools.product(*(w.offsets(iv) for w in tpl[k].breaks)) for _, k in working]
        for offs in itertools.product(*placements):
            on = {t: [] for t in range(lo, hi)}
            for (i, k), off in zip(working, offs, strict=True):
                t0 = grid.index(d, tpl[k].start_minute)
                away = {t0 + o // iv + j for o, w in zip(off, tpl[k].breaks, strict=True)
                        for j in range(w.span(iv))}
                for t in range(t0, grid.index(d, tpl[k].end_minute)):
                    if t not in away:
                        on[t].append(i)
            best = min(best, sum(interval_cost(t, tuple(ps)) for t, ps in on.items()))
        return best

    options = [[[None, *problem.allowed[i][d]] for d in days] for i in range(len(problem.agents))]
    per_day = {(d, c): day_cost(d, c)
               for d in days for c in itertools.product(*(options[i][d] for i in
                                                          range(len(problem.agents))))}
    rest = round(problem.config.shifts.min_rest_hours * 60)
    best = float("inf")
    for rows in itertools.product(*(itertools.product(*o) for o in options)):
        ok = True
        for i, (k0, k1) in enumerate(rows):
            a = problem.agents[i]
            paid = sum(tpl[k].paid_minutes for k in (k0, k1) if k is not None)
            if not a.min_minutes <= paid <= a.max_minutes:
                ok = False
            if k0 is not None and k1 is not None and (
                    tpl[k1].start_minute + 24 * 60 - tpl[k0].end_minute < rest):
                ok = False
        if ok:
            best = min(best, sum(per_day[(d, tuple(r[d] for r in rows))] for d in days))
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bound_never_exceeds_the_exact_optimum(tmp_path, seed):
    rng = np.random.default_rng(seed)
    demand = {"common": np.round(rng.uniform(0, 2, (2, 12)), 1),
              "rare": np.round(rng.uniform(0, 1.5, (2, 12)), 1)}
    problem = _center(tmp_path, 11.0, demand)
    optimum = _exact_optimum(problem)
    bound = coverage_lower_bound(problem)
    assert bound is not None
    assert bound <= optimum + 1e-6
    assert bound > 0.5 * optimum


def test_the_minimum_rest_raises_the_bound_as_it_raises_the_optimum(tmp_path):
    # The rare queue needs an agent late on Monday and early on Tuesday; a3 (rare only, 8 h:
    # both days) and a2 cannot both close Monday and open Tuesday with 20 h of rest.
    rare = np.zeros((2, 12))
    rare[0, 6:] = 1.0
    rare[1, :6] = 1.0
    common = np.full((2, 12), 0.5)
    demand = {"common": common, "rare": rare}
    (tmp_path / "loose").mkdir()
    (tmp_path / "tight").mkdir()
    loose = _center(tmp_path / "loose", 11.0, demand)
    tight = _center(tmp_path / "tight", 20.0, demand)
    opt_loose, opt_tight = _exact_optimum(loose), _exact_optimum(tight)
    b_loose, b_tight = coverage_lower_bound(loose), coverage_lower_bound(tight)
    assert opt_tight > opt_loose
    assert b_loose <= opt_loose + 1e-6
    assert b_tight <= opt_tight + 1e-6
    assert b_tight > b_loose + 0.5 * (opt_tight - opt_loose)
