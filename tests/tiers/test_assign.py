"""Bands and hysteresis."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import ContractError
from planner.io.config import TierConfig
from planner.tiers.assign import Bands, assign_tiers, band_thresholds, read_previous


def test_percentile_bands_take_exact_shares():
    score = np.arange(20, dtype=float)
    eligible = np.ones(20, dtype=bool)
    bands = band_thresholds(score, eligible, TierConfig(high_share=0.25, low_share=0.2))
    tiers, _, _ = assign_tiers(score, np.zeros(20), eligible, bands, None, 0.1)
    assert (tiers == "high").sum() == 5 and (tiers == "low").sum() == 4
    assert bands.high == pytest.approx(14.5) and bands.low == pytest.approx(3.5)


def test_ineligible_agents_do_not_move_the_bands():
    score = np.array([0.0, 1.0, 2.0, 3.0, 100.0])
    eligible = np.array([True, True, True, True, False])
    bands = band_thresholds(score, eligible, TierConfig(high_share=0.25, low_share=0.25))
    tiers, _, _ = assign_tiers(score, np.zeros(5), eligible, bands, None, 0.0)
    assert list(tiers) == ["low", "medium", "medium", "high", "insufficient_evidence"]


def test_hysteresis_keeps_near_the_edge_and_moves_beyond():
    bands = Bands(low=-0.5, high=0.5, kind="targets")
    score = np.array([0.45, 0.30, -0.45, 0.62, 0.0])
    prev = np.array(["high", "high", "low", "medium", ""], dtype=object)
    tiers, kept, _ = assign_tiers(score, np.full(5, 0.1), np.ones(5, dtype=bool), bands, prev,
                                  hysteresis=0.1, sd_share=0.5)
    # Margin 0.15: 0.45 stays high, 0.30 drops, -0.45 stays low, 0.62 stays medium, new agent banded.
    assert list(tiers) == ["high", "medium", "low", "medium", "medium"]
    assert list(kept) == [True, False, True, True, False]


def test_read_previous_rejects_unknown_tiers(tmp_path):
    p = tmp_path / "tiers.csv"
    p.write_text("agent_id,tier\na1,high\na2,superstar\n")
    with pytest.raises(ContractError) as err:
        read_previous(p)
    assert err.value.problems[0].row == 3
    p.write_text("agent,tier\na1,high\n")
    with pytest.raises(ContractError):
        read_previous(p)


def test_no_tiers_from_noise_when_the_interval_reaches_the_team_average():
    score = np.array([-0.3, -0.05, 0.0, 0.04, 0.3])
    sd = np.array([0.1, 0.1, 0.1, 0.1, 0.1])
    bands = band_thresholds(score, np.ones(5, dtype=bool), TierConfig(high_share=0.4, low_share=0.4))
    tiers, _, held = assign_tiers(score, sd, np.ones(5, dtype=bool), bands, None, 0.1,
                                  credible_z=1.645)
    # Percentiles alone would make two high and two low; only the clear ones are.
    assert list(tiers) == ["low", "medium", "medium", "medium", "high"]
    assert list(held) == [False, True, False, True, False]
