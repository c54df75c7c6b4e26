"""Handle time: robust to long tails, shrunk toward the type level where thin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.forecast.handle_time import DEFAULT_AHT_SECONDS, estimate_handle_time, shrunk_means


def test_shrunk_means_known_answer():
    out = shrunk_means(np.array([3000.0, 0.0]), np.array([10.0, 0.0]), level=200.0, strength=10.0)
    np.testing.assert_allclose(out, [(3000 + 2000) / 20, 200.0])


def test_busy_cell_keeps_its_mean_thin_cell_moves_to_the_level_outlier_capped():
    rng = np.random.default_rng(0)
    busy_t = pd.Timestamp("2026-06-01 10:00")  # Monday 10:00
    thin_t = pd.Timestamp("2026-06-02 15:00")  # Tuesday 15:00
    busy = pd.DataFrame({"case_type": "billing", "time": busy_t,
                         "handle_seconds": rng.lognormal(np.log(600), 0.3, 2000)})
    rest = pd.DataFrame({"case_type": "billing", "time": pd.Timestamp("2026-06-03 11:00"),
                         "handle_seconds": rng.lognormal(np.log(300), 0.3, 2000)})
    thin = pd.DataFrame({"case_type": "billing", "time": thin_t, "handle_seconds": [5000.0, 4000.0]})
    outlier = pd.DataFrame({"case_type": "billing", "time": busy_t, "handle_seconds": [28_000.0]})
    samples = pd.concat([busy, rest, thin, outlier], ignore_index=True)
    ht = estimate_handle_time(samples, ["billing", "chat"], 30)
    times = pd.DatetimeIndex([busy_t, thin_t, pd.Timestamp("2026-06-04 03:00")])
    busy_aht, thin_aht, empty_aht = ht.lookup("billing", times, 30)
    true_busy = 600 * np.exp(0.3**2 / 2)
    assert busy_aht == pytest.approx(true_busy, rel=0.03)  # the 28 000 s outlier is capped
    cap = samples["handle_seconds"].quantile(0.99)
    level = samples["handle_seconds"].clip(upper=cap).mean()
    # two cases (both above the cap) move the thin cell only 2/22 of the way from the level
    assert thin_aht == pytest.approx((2 * cap + 20 * level) / 22, rel=1e-6)
    assert empty_aht == pytest.approx(level, rel=1e-6)
    assert (ht.lookup("chat", times, 30) == DEFAULT_AHT_SECONDS).all()
    assert any("chat: no handle times" in n for n in ht.notes)
