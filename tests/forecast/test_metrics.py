"""Accuracy measures and interval calibration: known answers."""

from __future__ import annotations

import numpy as np
import pytest

from planner.forecast import metrics
from planner.forecast.intervals import apply_quantiles, conformal_quantiles, poisson_band, standardised


def test_mase_scale_skips_closed_and_masked_pairs():
    y = np.array([1.0, 2.0, 0.0, 5.0, 4.0, 0.0])
    valid = np.array([True, True, False, True, True, False])
    # pairs (3,0): |5-1| = 4, (4,1): |4-2| = 2; (5,2) both closed -> skipped
    assert metrics.mase_scale(y, valid, 3) == pytest.approx(3.0)
    assert np.isnan(metrics.mase_scale(y[:3], valid[:3], 3))


def test_wape_bias_coverage():
    a, f = np.array([10.0, 20.0]), np.array([12.0, 15.0])
    assert metrics.wape(a, f) == pytest.approx(7 / 30)
    assert metrics.bias(a, f) == pytest.approx(-3 / 30)
    assert metrics.coverage(a, np.array([9.0, 21.0]), np.array([11.0, 25.0])) == 0.5


def test_conformal_band_covers_poisson_counts_at_the_nominal_rate():
    rng = np.random.default_rng(0)
    mu = rng.uniform(0.5, 60, 20_000)
    z = (rng.poisson(mu) - mu) / np.sqrt(mu + 1)
    q = conformal_quantiles(z[:10_000], 0.8)
    low, high = apply_quantiles(mu[10_000:], q)
    y = rng.poisson(mu[10_000:])
    assert 0.78 < metrics.coverage(y, low, high) < 0.9  # counts are discrete: ties add coverage
    lo, hi = poisson_band(np.array([0.0, 10.0]), 0.8)
    assert lo[0] == hi[0] == 0 and lo[1] == 6 and hi[1] == 14


def test_overdispersion_recovers_a_planted_level_error():
    from planner.forecast.intervals import overdispersion

    rng = np.random.default_rng(3)
    mu = rng.uniform(5, 400, 200_000)
    level = rng.gamma(100.0, 1 / 100.0, len(mu))  # multiplicative level error, CV 0.1
    actual = rng.poisson(mu * level)
    d = overdispersion(actual, mu)
    assert 0.0085 < d < 0.0115  # var = mu + 0.01 mu^2 (the +1 of the scale is noise here)
    assert overdispersion(rng.poisson(mu), mu) < 0.0005
    # the band calibrated with it covers 80% at every volume, not only on average
    q = conformal_quantiles(standardised(actual[:100_000], mu[:100_000], d), 0.8)
    low, high = apply_quantiles(mu[100_000:], q, d)
    inside = (actual[100_000:] >= low) & (actual[100_000:] <= high)
    busy = mu[100_000:] > 300
    assert 0.77 < inside[busy].mean() < 0.83 and 0.77 < inside[~busy].mean() < 0.85
