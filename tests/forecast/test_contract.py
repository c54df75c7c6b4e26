"""One contract suite over every volume model (scikit-learn style)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from synthetic import counts, rates

from planner.forecast import default_models
from planner.forecast.profile import ProfileModel

MODELS = default_models()
WEEKS = 6
PERIOD = 7 * 48


@pytest.fixture(scope="module")
def series() -> tuple[pd.DataFrame, pd.DataFrame]:
    r = rates("2026-06-01", WEEKS + 1, 400, 0.01)
    y = counts(r, seed=3)
    n = WEEKS * PERIOD
    hist = pd.DataFrame({"interval_start": r["interval_start"][:n], "volume": y[:n],
                         "open": r["open"][:n]})
    hor = pd.DataFrame({"interval_start": r["interval_start"][n:].reset_index(drop=True),
                        "open": r["open"][n:].to_numpy()})
    return hist, hor


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.label)
def test_fit_returns_self_and_keeps_params(model, series):
    hist, _ = series
    fresh = type(model)(**model.get_params())
    before = copy.deepcopy(fresh.get_params())
    assert fresh.fit(hist) is fresh
    assert fresh.get_params() == before
    learned = [k for k in vars(fresh) if k.endswith("_") and not k.startswith("_")]
    assert learned, "fit must set learned attributes ending in _"
    assert not any(k.endswith("_") for k in vars(type(model)(**model.get_params())))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.label)
def test_predict_before_fit_raises(model, series):
    _, hor = series
    with pytest.raises(NotFittedError):
        type(model)(**model.get_params()).predict(hor)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.label)
def test_deterministic_columns_and_closed_zero(model, series):
    hist, hor = series
    a = type(model)(**model.get_params()).fit(hist).predict(hor)
    b = type(model)(**model.get_params()).fit(hist).predict(hor)
    assert list(a.columns) == ["interval_start", "volume"]
    assert len(a) == len(hor)
    pd.testing.assert_frame_equal(a, b)
    closed = ~hor["open"].to_numpy()
    assert (a["volume"].to_numpy()[closed] == 0.0).all()
    assert (a["volume"] >= 0).all() and np.isfinite(a["volume"]).all()
    # the forecast week is in the right ballpark of the true weekly volume
    assert 0.7 * 2800 < a["volume"].sum() < 1.3 * 2800 * 1.01 ** 7


def test_profile_model_accepts_a_prior(series):
    hist, hor = series
    from planner.forecast import pooled_shape

    prior = pooled_shape(hist)
    out = ProfileModel().fit(hist, prior=prior).predict(hor)
    assert out["volume"].sum() > 0


def test_bad_history_is_rejected_with_a_message():
    times = pd.date_range("2026-06-01", periods=10, freq="30min")
    with pytest.raises(ValueError, match="whole days"):
        ProfileModel().fit(pd.DataFrame({"interval_start": times, "volume": 1.0}))
    holes = pd.DataFrame({"interval_start": times.delete(3), "volume": 1.0})
    with pytest.raises(ValueError, match="regular"):
        ProfileModel().fit(holes)
