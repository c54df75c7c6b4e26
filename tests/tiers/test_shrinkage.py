"""Empirical-Bayes functions against closed-form answers and planted priors."""

from __future__ import annotations

import numpy as np
import pytest

from planner.tiers.shrinkage import (
    beta_interval,
    beta_posterior,
    beta_prior_variance,
    fit_beta_prior,
    fit_normal_prior,
    normal_posterior,
)


def test_beta_posterior_closed_form():
    mean, var = beta_posterior(np.array([3.0]), np.array([10.0]), 2.0, 8.0)
    # Beta(5, 15): mean 5/20, variance 5*15 / (20^2 * 21).
    assert mean[0] == pytest.approx(0.25)
    assert var[0] == pytest.approx(75 / (400 * 21))


def test_beta_posterior_without_trials_is_the_prior():
    mean, var = beta_posterior(np.array([0.0]), np.array([0.0]), 6.0, 4.0)
    assert mean[0] == pytest.approx(0.6)
    assert var[0] == pytest.approx(beta_prior_variance(6.0, 4.0))


def test_beta_interval_contains_mean_and_narrows_with_evidence():
    lo1, hi1 = beta_interval(np.array([8.0]), np.array([10.0]), 2.0, 2.0)
    lo2, hi2 = beta_interval(np.array([800.0]), np.array([1000.0]), 2.0, 2.0)
    assert lo1[0] < 10 / 14 < hi1[0]
    assert hi2[0] - lo2[0] < (hi1[0] - lo1[0]) / 5


def test_fit_beta_prior_recovers_a_planted_prior():
    rng = np.random.default_rng(7)
    p = rng.beta(40.0, 10.0, 3000)  # mean 0.8, strength 50
    n = rng.integers(50, 400, 3000).astype(float)
    s = rng.binomial(n.astype(int), p).astype(float)
    a, b = fit_beta_prior(s, n)
    assert a / (a + b) == pytest.approx(0.8, abs=0.005)
    assert a + b == pytest.approx(50, rel=0.15)


def test_fit_beta_prior_without_real_spread_is_tight():
    rng = np.random.default_rng(1)
    n = np.full(200, 100.0)
    s = rng.binomial(100, 0.7, 200).astype(float)  # every agent truly 0.7
    a, b = fit_beta_prior(s, n)
    assert a + b > 500  # the team rate dominates: nothing to tell agents apart


def test_five_perfect_surveys_are_shrunk_most_of_the_way_back():
    # Team CSAT 4.0, true between-agent SD 0.2, survey noise SD 1.0.
    est = np.array([5.0, 4.4])
    var = np.array([1.0 / 5, 1.0 / 500])
    mean, post_var = normal_posterior(est, var, 4.0, 0.04)
    # B = 0.2 / (0.2 + 0.04) = 5/6 of the way back: 4.0 + 1/6.
    assert mean[0] == pytest.approx(4.0 + 1 / 6)
    assert mean[1] == pytest.approx(4.4 - 0.4 * 0.002 / 0.042)
    assert post_var[0] == pytest.approx(0.04 * 0.2 / 0.24)


def test_normal_posterior_without_observations_is_the_prior():
    mean, var = normal_posterior(np.array([np.nan]), np.array([np.inf]), 1.5, 0.3)
    assert mean[0] == 1.5 and var[0] == pytest.approx(0.3)


def test_fit_normal_prior_recovers_tau2():
    rng = np.random.default_rng(3)
    true = rng.normal(2.0, 0.5, 4000)
    v = rng.uniform(0.05, 0.5, 4000)
    est = true + rng.normal(0, np.sqrt(v))
    mu, tau2 = fit_normal_prior(est, v)
    assert mu == pytest.approx(2.0, abs=0.03)
    assert tau2 == pytest.approx(0.25, rel=0.1)
