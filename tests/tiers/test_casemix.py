"""The case-mix model: exact recovery of planted effects, and the confounding it removes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.tiers.casemix import fit_case_mix, fit_two_way, wait_band


def test_fit_two_way_recovers_noise_free_effects():
    rng = np.random.default_rng(0)
    a_true = np.array([-0.3, 0.0, 0.1, 0.2])
    b_true = np.array([5.0, 6.0, 7.0])
    rows = rng.integers(0, 4, 500)
    cols = rng.integers(0, 3, 500)
    y = a_true[rows] + b_true[cols]
    mu, a, b = fit_two_way(y, rows, cols, 4, 3)
    fitted = mu + a[rows] + b[cols]
    assert np.abs(fitted - y).max() < 1e-6
    # Differences between agents are identified exactly.
    assert a[3] - a[0] == pytest.approx(0.5, abs=1e-6)
    assert np.average(a[rows]) == pytest.approx(0.0, abs=1e-9)


def test_specialist_on_slow_types_is_faster_after_adjustment():
    # Agent S is 20% faster than G on every type but takes 90% complex (4x longer) cases.
    rows = []
    for agent, factor, complex_share in (("S", 0.8, 0.9), ("G", 1.0, 0.1)):
        for i in range(100):
            ct = "complex" if i < 100 * complex_share else "simple"
            base = 1200.0 if ct == "complex" else 300.0
            rows.append((agent, ct, f"{ct}|phone", np.log(base * factor)))
    served = pd.DataFrame(rows, columns=["agent_id", "case_type", "segment", "y_handle_time"])
    raw = served.groupby("agent_id")["y_handle_time"].mean()
    assert raw["S"] > raw["G"]  # raw handle time punishes the specialist
    fit = fit_case_mix(served, "handle_time", np.array(["G", "S"]))
    ratio = np.exp(fit.effect[1] - fit.effect[0])
    assert ratio == pytest.approx(0.8, rel=1e-6)


def test_csat_is_not_blamed_on_the_agent_for_the_customers_wait():
    # Same true CSAT; B works the busy hours (80% of callers waited 5 min, which costs 0.6 points).
    rows = []
    for agent, long_share in (("A", 0.2), ("B", 0.8)):
        for i in range(100):
            wait = 300.0 if i < 100 * long_share else 10.0
            rows.append((agent, "billing", "billing|phone", 4.0 - 0.6 * (wait > 60), wait))
    served = pd.DataFrame(rows, columns=["agent_id", "case_type", "segment", "y_csat", "wait"])
    without = fit_case_mix(served, "csat", np.array(["A", "B"]))
    assert without.effect[1] - without.effect[0] == pytest.approx(-0.36)
    served["wait_band"] = wait_band(served["wait"].to_numpy())
    fit = fit_case_mix(served, "csat", np.array(["A", "B"]))
    assert fit.covariates == ("wait_band",)
    assert fit.effect[1] - fit.effect[0] == pytest.approx(0.0, abs=1e-6)
