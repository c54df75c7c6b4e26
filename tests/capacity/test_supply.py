"""Supply with hand-computed truth: attrition, a class's training and ramp-up, measured attrition,
planned cross-skilling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.capacity.supply import MONTH_DAYS, class_fte, current_supply, measured_attrition, survival
from planner.io import load_folder
from tests.capacity.helpers import write_center


def test_a_team_of_20_at_2_percent_a_month_keeps_20_times_098_to_the_k(tmp_path: Path) -> None:
    data = load_folder(write_center(tmp_path / "d", start="2026-01-05", days=56, agents=20,
                                    capacity="attrition_per_month = 0.02"))
    start = data.history_end
    supply = current_supply(data, start, 60)
    total = supply.total()
    for k in range(0, 13):
        assert 20 * survival(0.02, k * MONTH_DAYS) == pytest.approx(20 * 0.98 ** k)
    weeks = np.arange(60)
    np.testing.assert_allclose(total, 20 * 0.98 ** (7 * weeks / MONTH_DAYS))
    # a year (52 weeks = 364 days) on: 20 x 0.98^11.96
    assert total[52] == pytest.approx(20 * 0.98 ** (364 / (365.25 / 12)))


def test_a_class_of_10_trains_6_weeks_and_ramps_linearly_over_8() -> None:
    w = np.arange(20)
    fte = class_fte(10, w, training_weeks=6, ramp_weeks=8, attrition=0.0)
    assert (fte[:7] == 0).all()  # nothing before week 6 (and at 6 the ramp starts from 0)
    assert fte[10] == pytest.approx(5.0)
    assert (fte[14:] == pytest.approx(10.0))
    assert fte[8] == pytest.approx(2.5)


def test_hiring_csv_class_reaches_the_supply_with_its_own_weeks(tmp_path: Path) -> None:
    hiring = "start,heads,skills,training_weeks,ramp_weeks\n2026-03-09,10,calls,6,8\n"
    data = load_folder(write_center(tmp_path / "d", start="2026-01-05", days=56, agents=5,
                                    capacity="attrition_per_month = 0.0",
                                    extra={"hiring.csv": hiring}))
    assert data.history_end == pd.Timestamp("2026-03-02")
    supply = current_supply(data, data.history_end, 30)
    # the class starts one week after the plan: its week k is the plan's week k + 1
    expected = 5 + class_fte(10, np.arange(30) - 1, 6, 8, 0.0)
    np.testing.assert_allclose(supply.total(), expected)
    assert supply.total()[11] == pytest.approx(5 + 5.0)
    assert supply.total()[15] == pytest.approx(15.0)
    # in training: 10 heads in plan weeks 1..6
    assert list(supply.classes[0].in_training(9)) == [0, 10, 10, 10, 10, 10, 10, 0, 0]


def test_attrition_measured_from_start_and_end_dates() -> None:
    start = pd.Timestamp("2026-01-01")
    year_ago = start - pd.Timedelta(days=365)
    agents = pd.DataFrame({
        "agent_id": [f"a{i}" for i in range(12)],
        "start_date": [pd.NaT] * 10 + [pd.NaT, year_ago + pd.Timedelta(days=100)],
        "end_date": [pd.NaT] * 10 + [year_ago + pd.Timedelta(days=182),
                                     year_ago + pd.Timedelta(days=282)],
    })
    rate, leavers, months = measured_attrition(agents, start)
    # 10 agents all year (365 days), one 183 days, one 183 days (end dates inclusive)
    exposure = (10 * 365 + 183 + 183) / MONTH_DAYS
    assert leavers == 2
    assert months == pytest.approx(exposure)
    assert rate == pytest.approx(1 - np.exp(-2 / exposure))


def test_planned_cross_skilling_moves_the_agent_to_the_wider_set(tmp_path: Path) -> None:
    extra = {"skills.csv": "agent_id,case_type,level\n" + "".join(
        f"a{i:03d},calls,3\n" for i in range(4)),
        "training.csv": "agent_id,topic,hours,earliest,latest\na000,email,8,2026-03-09,2026-03-13\n"}
    root = write_center(tmp_path / "d", start="2026-01-05", days=56, agents=4,
                        capacity="attrition_per_month = 0.0", extra=extra)
    (root / "planner.toml").write_text((root / "planner.toml").read_text() +
                                       '\n[case_types.email]\nchannel = "email"\n', encoding="utf-8")
    data = load_folder(root)
    supply = current_supply(data, data.history_end, 6)
    calls, both = frozenset({"calls"}), frozenset({"calls", "email"})
    # trained by Friday 13 March: from the plan's week 2 (16 March) a000 takes both types
    np.testing.assert_allclose(supply.fte[calls], [4, 4, 3, 3, 3, 3])
    np.testing.assert_allclose(supply.fte[both], [0, 0, 1, 1, 1, 1])
