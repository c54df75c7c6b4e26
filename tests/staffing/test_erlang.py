"""Erlang B/C against the reference grid, textbook values and an independent recursion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.staffing import (
    agents_for_target,
    asa,
    ceil_exact,
    erlang_b,
    erlang_c,
    gross_agents,
    occupancy,
    service_level,
)

GRID = Path(__file__).parent / "data" / "erlang_c_grid.csv"


def recursion_b(n: int, a: float) -> float:
    """Erlang B by the textbook recursion B(k) = A B(k-1) / (k + A B(k-1)), an independent check."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def test_reference_grid_exactly():
    """All 108 rows: volume per 30 minutes, occupancy cap max(n_SL, ceil(A / cap)), 30% shrinkage."""
    g = pd.read_csv(GRID)
    assert len(g) == 108
    erlangs = g["volume_per_30min"] * g["aht_seconds"] / 1800.0
    r = agents_for_target(erlangs.to_numpy(), g["aht_seconds"].to_numpy(),
                          service_level=g["service_level_target"].to_numpy(),
                          answer_seconds=g["answer_seconds"].to_numpy(),
                          max_occupancy=g["max_occupancy"].to_numpy())
    np.testing.assert_array_equal(r.agents, g["agents_net"])
    np.testing.assert_array_equal(gross_agents(r.agents, g["shrinkage"]), g["agents_gross"])
    # The file rounds service level and occupancy to 6 decimals and ASA to 3.
    np.testing.assert_array_equal(np.round(r.service_level, 6), g["service_level"])
    np.testing.assert_array_equal(np.round(r.occupancy, 6), g["occupancy"])
    np.testing.assert_array_equal(np.round(r.asa_seconds, 3), g["asa_seconds"])
    assert np.all(np.ceil(r.agents_fractional) == r.agents)


def test_textbook_ten_erlangs():
    """10 Erlangs, AHT 180 s, 80% in 20 s: 13 agents give 79.6%, 14 give 88.8% (C = 0.2853, 0.1741)."""
    r = agents_for_target(10.0, 180.0, service_level=0.8, answer_seconds=20)
    assert int(r.agents) == 14
    assert service_level(13, 10.0, 180, 20) == pytest.approx(0.7956, abs=1e-4)
    assert float(r.service_level) == pytest.approx(0.8884, abs=1e-4)
    # P(wait) with 14 agents: 17.4% (published Erlang C tables).
    assert float(erlang_c(14, 10.0)) == pytest.approx(0.1741, abs=1e-4)
    assert 13 < float(r.agents_fractional) <= 14


@pytest.mark.parametrize("a", [0.05, 0.7, 3.0, 10.0, 57.3, 180.0, 640.0])
def test_log_space_matches_recursion(a):
    for n in range(1, int(a * 2) + 8):
        assert float(erlang_b(n, a)) == pytest.approx(recursion_b(n, a), rel=1e-11)


def test_large_loads_stay_finite_and_monotone():
    for a in (5_000.0, 20_000.0, 50_000.0):
        n = np.arange(int(a) - 200, int(a) + 600)
        b = erlang_b(n, a)
        assert np.all(np.isfinite(b)) and np.all(np.diff(b) < 0)
        # Recursion from zero is stable for Erlang B (it is C that overflows the naive sums).
        assert float(b[-1]) == pytest.approx(recursion_b(int(n[-1]), a), rel=1e-9)
        sl = service_level(n, a, 300, 20)
        assert np.all(np.diff(sl[n > a]) >= 0)
    r = agents_for_target(50_000.0, 300.0, service_level=0.8, answer_seconds=20)
    assert 50_000 < int(r.agents) < 50_300
    assert float(service_level(r.agents - 1, 50_000.0, 300, 20)) < 0.8 <= float(r.service_level)


def test_overloaded_erlang_b_is_one_minus_n_over_a():
    # Q(n+1, A) underflows here; the carried load equals n to double precision.
    assert float(erlang_b(1000, 5000.0)) == pytest.approx(0.8, rel=1e-12)


def test_gross_rounding_is_exact():
    assert int(gross_agents(21, 0.3)) == 30
    assert int(gross_agents(22, 0.3)) == 32
    assert int(gross_agents(7, 0.3)) == 10
    assert int(gross_agents(0, 0.3)) == 0
    assert int(ceil_exact(30.000000000000004)) == 30
    assert int(ceil_exact(30.001)) == 31


def test_asa_target_and_no_load():
    r = agents_for_target([0.0, 10.0], 180.0, max_asa_seconds=15.0)
    assert list(r.agents) == [0, int(r.agents[1])]
    n = int(r.agents[1])
    assert asa(n, 10.0, 180) <= 15.0 < asa(n - 1, 10.0, 180)
    assert float(occupancy(0, 0.0)) == 0.0


def test_occupancy_cap_binds_with_exact_fraction():
    r = agents_for_target(17.0, 300.0, service_level=0.5, answer_seconds=60, max_occupancy=0.85)
    assert int(r.agents) == 20  # 17 / 0.85 is exactly 20
    assert float(r.agents_fractional) == pytest.approx(20.0)


def test_concurrency_uses_agent_slots():
    """A chat agent with 3 slots: the queue has 3n servers."""
    one = agents_for_target(30.0, 600.0, service_level=0.8, answer_seconds=60)
    three = agents_for_target(30.0, 600.0, service_level=0.8, answer_seconds=60, concurrency=3)
    assert int(three.agents) == int(np.ceil(int(one.agents) / 3))
    assert float(three.occupancy) == pytest.approx(30.0 / (3 * int(three.agents)))


def test_vectorised_equals_scalar():
    rng = np.random.default_rng(4)
    a = rng.uniform(0.1, 400, 200)
    h = rng.uniform(60, 900, 200)
    r = agents_for_target(a, h, service_level=0.8, answer_seconds=20, max_occupancy=0.9)
    for i in range(0, 200, 37):
        s = agents_for_target(a[i], h[i], service_level=0.8, answer_seconds=20, max_occupancy=0.9)
        assert int(s.agents) == r.agents[i]


def test_service_level_needs_answer_seconds():
    with pytest.raises(ValueError, match="answer_seconds"):
        agents_for_target(10.0, 180.0, service_level=0.8)
