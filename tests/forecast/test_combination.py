"""Averaging against picking, both scored out of sample on the backtest's origins."""

from __future__ import annotations

import numpy as np

from planner.forecast.backtest import _add_combination
from planner.forecast.combination import COMBINATION, diverse_members

ORIGINS = 10
N = 200


def _runs(errors: dict[str, tuple[float, float]], seed: int = 0) -> dict:
    """Per model and origin (actual, forecast): forecast = truth + bias + noise (sd) per model."""
    rng = np.random.default_rng(seed)
    runs: dict = {label: [] for label in errors}
    for _ in range(ORIGINS):
        actual = rng.poisson(50.0, N).astype(float)
        for label, (bias, sd) in errors.items():
            runs[label].append((actual, 50.0 + bias + rng.normal(0, sd, N)))
    return runs


def test_equal_models_with_independent_errors_are_averaged():
    # three equally good models whose errors are independent: their mean halves the error variance
    runs = _runs({"a": (0, 8), "b": (0, 8), "c": (0, 8), "d": (6, 8)})
    members, average = _add_combination(runs, [1.0] * ORIGINS)
    assert average
    assert set(members) == {"a", "b", "c"}
    assert len(runs[COMBINATION]) == ORIGINS


def test_one_clearly_better_model_is_picked():
    # one model is far better than the rest: averaging it with worse ones loses
    runs = _runs({"a": (0, 1), "b": (0, 15), "c": (10, 15), "d": (-10, 15)})
    members, average = _add_combination(runs, [1.0] * ORIGINS)
    assert not average
    assert members[0] == "a"


def test_one_origin_gives_no_evidence_for_averaging():
    runs = {k: v[:1] for k, v in _runs({"a": (0, 8), "b": (0, 8), "c": (0, 8)}).items()}
    _, average = _add_combination(runs, [1.0])
    assert not average


def test_members_take_one_window_average_at_most():
    ranked = ["window_average(k=4)", "window_average(k=6)", "profile", "window_average(k=8)",
              "recent_level", "boosting"]
    assert diverse_members(ranked) == ["window_average(k=4)", "profile", "recent_level"]
    assert diverse_members(["window_average(k=4)", "window_average(k=6)"]) == ["window_average(k=4)"]
