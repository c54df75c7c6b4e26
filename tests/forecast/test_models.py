"""Known answers of the volume models: baselines, the profile model, boosting, level and shrinkage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic import WEEKDAY, counts, rates

from planner.forecast import PoissonBoosting, ProfileModel, SeasonalNaive, SeasonalWindowAverage
from planner.forecast.baselines import last_valid_mean
from planner.forecast.level import fit_level
from planner.forecast.shrink import concentration, shrink_shares, smooth

PERIOD = 7 * 48


def split(r: pd.DataFrame, y: np.ndarray, weeks: int):
    n = weeks * PERIOD
    hist = pd.DataFrame({"interval_start": r["interval_start"][:n], "volume": y[:n],
                         "open": r["open"][:n]})
    hor = pd.DataFrame({"interval_start": r["interval_start"][n:].reset_index(drop=True),
                        "open": r["open"][n:].to_numpy()})
    return hist, hor


def test_seasonal_naive_copies_last_week_and_skips_a_masked_day():
    r = rates("2026-06-01", 3, 300)
    y = np.arange(len(r), dtype=float) % 97
    hist, hor = split(r, y, 2)
    out = SeasonalNaive().fit(hist).predict(hor)["volume"].to_numpy()
    expect = np.where(r["open"][2 * PERIOD:], y[PERIOD:2 * PERIOD], 0.0)
    np.testing.assert_array_equal(out, expect)
    # a holiday (masked: NaN) on Monday of the last week: the week before is copied instead
    masked = hist.copy()
    masked.loc[PERIOD:PERIOD + 47, "volume"] = np.nan
    out = SeasonalNaive().fit(masked).predict(hor)["volume"].to_numpy()
    np.testing.assert_array_equal(out[:48], np.where(r["open"][:48], y[:48], 0.0))


def test_window_average_known_answer():
    block = np.array([[1.0, 5.0], [3.0, np.nan], [5.0, 7.0], [7.0, 9.0]])
    np.testing.assert_allclose(last_valid_mean(block, 2), [6.0, 8.0])
    np.testing.assert_allclose(last_valid_mean(block, 3), [5.0, 7.0])
    with pytest.raises(ValueError, match="weeks"):
        r = rates("2026-06-01", 2, 10)
        SeasonalWindowAverage(weeks=0).fit(split(r, counts(r), 2)[0])


def test_planted_seasonality_is_recovered():
    """Weekday effects and the intraday shape of a 20-week Poisson series come back within noise."""
    r = rates("2026-06-01", 21, 3000)
    hist, hor = split(r, counts(r, seed=1), 20)
    model = ProfileModel(level_weeks=12, profile_weeks=12).fit(hist)
    open_days = WEEKDAY > 0
    planted = WEEKDAY[open_days] / WEEKDAY[open_days].mean()
    np.testing.assert_allclose(model.level_.weekday[open_days], planted, rtol=0.03)
    assert model.level_.weekday[6] == 0.0
    truth = r["rate"].to_numpy()[20 * PERIOD:]
    pred = model.predict(hor)["volume"].to_numpy()
    peak = truth > 20
    np.testing.assert_allclose(pred[peak], truth[peak], rtol=0.12)
    assert abs(pred.sum() / truth.sum() - 1) < 0.02


@pytest.mark.parametrize("model", [ProfileModel(), PoissonBoosting()], ids=["profile", "boosting"])
def test_growing_queue_is_not_under_forecast(model):
    """3% growth a week: models with an explicit level stay within 2.5%, the window average lags."""
    r = rates("2026-06-01", 13, 1500, growth_per_week=0.03)
    truth = r["rate"].to_numpy()[12 * PERIOD:].sum()
    hist, hor = split(r, counts(r, seed=2), 12)
    ours = model.fit(hist).predict(hor)["volume"].sum() / truth - 1
    window = SeasonalWindowAverage(6).fit(hist).predict(hor)["volume"].sum() / truth - 1
    assert abs(ours) < 0.025
    assert window < -0.08


def test_level_fit_recovers_trend_and_ignores_noise_slope():
    days = np.arange(84)
    wd = days % 7
    eff = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.0])
    daily = (100 + 2.0 * days) * eff[wd]
    daily = np.where(eff[wd] > 0, daily, np.nan)
    fit = fit_level(daily, wd, window_days=84, halflife_days=None)
    assert fit.b == pytest.approx(2.0, rel=1e-6)
    assert fit.level(np.array([0]))[0] == pytest.approx((100 + 2.0 * 84) * eff[:6].mean(),
                                                         rel=1e-6)
    flat = np.random.default_rng(0).poisson(5, 84).astype(float)
    assert abs(fit_level(flat, wd, window_days=84).b) < 0.02


def test_shrinkage_keeps_a_busy_shape_and_pools_a_quiet_one():
    rng = np.random.default_rng(0)
    prior = np.array([0.1, 0.2, 0.4, 0.2, 0.1])
    own = np.array([0.3, 0.3, 0.2, 0.1, 0.1])
    busy = rng.multinomial(20_000, own)
    assert np.abs(shrink_shares(busy, prior) - own).max() < 0.01
    same = rng.multinomial(20_000, prior)
    assert np.isinf(concentration(same, prior)) or concentration(same, prior) > 1e5
    # 3 cases in one of 24 slots: the posterior stays near the prior (weight 3 / (3 + 24) on own)
    day = np.full(24, 1 / 24)
    quiet = np.zeros(24)
    quiet[5] = 3
    post = shrink_shares(quiet, day)
    assert np.abs(post - day).max() < 0.12 and post.sum() == pytest.approx(1)
    np.testing.assert_allclose(shrink_shares(np.zeros(5), prior), prior)


def test_smoothing_stays_inside_open_intervals():
    allowed = np.array([False, True, True, True, False])
    out = smooth(np.array([0.0, 0.0, 1.0, 0.0, 0.0]), allowed, width=1)
    assert out[0] == 0 and out[4] == 0 and out.sum() == pytest.approx(1.0)
    assert out[2] > out[1] > 0


def test_quiet_type_borrows_the_pooled_shape():
    """A type with 40 cases in 8 weeks forecasts a smooth shape close to the truth, not its noise."""
    from planner.forecast import pooled_shape

    busy = rates("2026-06-01", 9, 3000)
    quiet = rates("2026-06-01", 9, 0.9)
    hb, _ = split(busy, counts(busy, 5), 8)
    hq, hor = split(quiet, counts(quiet, 6), 8)
    truth = quiet["rate"].to_numpy()[8 * PERIOD:]
    pooled = ProfileModel().fit(hq, prior=pooled_shape(hb)).predict(hor)["volume"].to_numpy()
    alone = SeasonalNaive().fit(hq).predict(hor)["volume"].to_numpy()
    assert np.abs(pooled - truth).sum() < 0.5 * np.abs(alone - truth).sum()
