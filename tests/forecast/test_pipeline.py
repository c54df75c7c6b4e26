"""The forecast stage end to end on synthetic centers with known rates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from synthetic import cases_frame, config, rates

from planner.errors import PlannerError
from planner.forecast import (
    BACKTEST_COLUMNS,
    FORECAST_COLUMNS,
    ProfileModel,
    SeasonalNaive,
    SeasonalWindowAverage,
    forecast,
)
from planner.forecast.intervals import apply_quantiles, conformal_quantiles

FAST = [SeasonalNaive(), SeasonalWindowAverage(2), SeasonalWindowAverage(4), ProfileModel()]
START = "2026-06-15"  # 12 weeks to Sunday 2026-09-06, with the August bank holiday (31st)


def center_cases(weeks: int = 12, seed: int = 0, holiday_keep: float = 1.0) -> pd.DataFrame:
    types = {"billing": rates(START, weeks, 1200, 0.01), "tech": rates(START, weeks, 500, peak=14),
             "fax": rates(START, weeks, 0.0)}
    cases = cases_frame(types, seed)
    # three faxes in 12 weeks: a type that cannot support a model of its own
    faxes = pd.DataFrame({"created_at": pd.to_datetime(["2026-06-16 10:05", "2026-07-08 11:40",
                                                        "2026-08-20 15:10"]),
                          "case_type": "fax", "handle_seconds": [600.0, 650.0, 700.0],
                          "case_id": ["F1", "F2", "F3"]})
    cases = pd.concat([cases, faxes], ignore_index=True)
    if holiday_keep < 1.0:
        on_hol = cases["created_at"].dt.normalize() == pd.Timestamp("2026-08-31")
        rng = np.random.default_rng(seed)
        cases = cases[~on_hol | (rng.random(len(cases)) < holiday_keep)]
    return cases.reset_index(drop=True)


@pytest.fixture(scope="module")
def result():
    return forecast(center_cases(), config(country="GB", subdivision="ENG"), weeks=2, models=FAST)


def test_columns_horizon_and_closed_intervals_zero(result):
    fc = result.forecast
    assert list(fc.columns) == FORECAST_COLUMNS
    assert list(result.backtest.columns) == BACKTEST_COLUMNS
    assert fc["interval_start"].min() == pd.Timestamp("2026-09-07")
    assert fc["interval_start"].max() == pd.Timestamp("2026-09-20 23:30")
    assert len(fc) == 3 * 14 * 48
    t = fc["interval_start"]
    hour = t.dt.hour + t.dt.minute / 60
    closed = (t.dt.day_of_week == 6) | (hour < 8) | (hour >= 20) | ((t.dt.day_of_week == 5) & (
        (hour < 9) | (hour >= 17)))
    for col in ("volume", "volume_low", "volume_high"):
        assert (fc.loc[closed, col] == 0.0).all()
    assert (fc.loc[~closed & (fc["case_type"] == "billing"), "volume"] > 0).all()
    assert ((fc["volume_low"] <= fc["volume"]) & (fc["volume"] <= fc["volume_high"])).all()


def test_busy_type_forecast_is_close_to_the_true_rate(result):
    truth = rates(START, 14, 1200, 0.01).iloc[12 * 336:]
    fc = result.forecast[result.forecast["case_type"] == "billing"]
    assert fc["volume"].sum() == pytest.approx(truth["rate"].sum(), rel=0.03)
    bt = result.backtest
    chosen = bt[bt["chosen"] & (bt["case_type"] == "billing")].iloc[0]
    assert chosen["origins"] == 8
    assert chosen["mase_vs_baseline"] <= 1.0
    assert 0.7 < chosen["coverage"] < 0.9


def test_quiet_type_falls_back_and_says_so(result):
    fax = result.forecast[result.forecast["case_type"] == "fax"]
    weekly = fax["volume"].sum() / 2
    assert 0.05 < weekly < 1.0  # three cases in twelve weeks
    assert any(n.startswith("fax: only 1 case(s) in the last 8 weeks (3 in all history)")
               for n in result.notes)
    assert result.chosen["fax"] == "profile"
    # borrowed shape: the quiet type is forecast in every open interval, never a copied spike
    assert fax["volume"].max() < 0.05


def test_holiday_in_history_is_masked_and_noted(result):
    assert any("public holidays in history masked (2026-08-31)" in n for n in result.notes)


def test_intervals_widen_with_volume(result):
    fc = result.forecast[(result.forecast["case_type"] == "billing") & (result.forecast["volume"] > 0)]
    width = fc["volume_high"] - fc["volume_low"]
    busy = fc["volume"] > fc["volume"].quantile(0.75)
    quiet = fc["volume"] < fc["volume"].quantile(0.25)
    assert width[busy].mean() > 1.5 * width[quiet].mean()
    q = conformal_quantiles(np.random.default_rng(0).standard_normal(500))
    low, high = apply_quantiles(np.array([1.0, 10.0, 100.0]), q)
    assert np.all(np.diff(high - low) > 0)


def test_closed_holiday_forecasts_zero():
    res = forecast(center_cases(), config(country="GB", subdivision="ENG"), weeks=1,
                   start=date(2026, 12, 21), models=FAST)
    fc = res.forecast
    xmas = fc["interval_start"].dt.normalize() == pd.Timestamp("2026-12-25")
    assert (fc.loc[xmas, ["volume", "volume_high"]] == 0).all().all()
    assert fc.loc[~xmas, "volume"].sum() > 0


def test_open_holiday_forecasts_low():
    """Open on holidays, history holiday at 30% volume: Christmas Day forecasts well below a Thursday."""
    cfg = config(country="GB", subdivision="ENG", open_on_holidays=True)
    res = forecast(center_cases(holiday_keep=0.3), cfg, weeks=1, start=date(2026, 12, 21),
                   models=FAST)
    fc = res.forecast[res.forecast["case_type"] == "billing"]
    day = fc.groupby(fc["interval_start"].dt.date)["volume"].sum()
    assert day[date(2026, 12, 25)] < 0.6 * day[date(2026, 12, 24)]
    assert any("holiday factor" in n for n in res.notes)


def test_gap_in_history_is_reported_and_does_not_drag_the_level():
    cases = center_cases()
    gap = cases["created_at"].between(pd.Timestamp("2026-08-10"), pd.Timestamp("2026-08-16 23:59"))
    res = forecast(cases[~gap], config(country="GB", subdivision="ENG"), weeks=1, models=FAST)
    assert any("6 open day(s) without data (2026-08-10..2026-08-15)" in n for n in res.notes)
    truth = rates(START, 13, 1200, 0.01).iloc[12 * 336:]["rate"].sum()
    billing = res.forecast.loc[res.forecast["case_type"] == "billing", "volume"].sum()
    assert billing == pytest.approx(truth, rel=0.03)


def test_too_short_history_gives_a_clear_message():
    cases = center_cases()
    short = cases[cases["created_at"] < pd.Timestamp("2026-06-19")]
    with pytest.raises(PlannerError, match="at least one full week"):
        forecast(short, config(), weeks=1, models=FAST)
    with pytest.raises(PlannerError, match="between 1 and 6"):
        forecast(cases, config(), weeks=7, models=FAST)


def test_same_input_same_output(result):
    again = forecast(center_cases(), config(country="GB", subdivision="ENG"), weeks=2, models=FAST)
    pd.testing.assert_frame_equal(result.forecast, again.forecast)
    pd.testing.assert_frame_equal(result.backtest, again.backtest)


def test_volumes_input_matches_cases_and_reports_missing_days():
    from planner.errors import ContractError
    from planner.forecast import interval_counts

    cases = center_cases(weeks=8)
    cfg = config(country="GB", subdivision="ENG")
    volumes = interval_counts(cases, 30)
    volumes = volumes[volumes["case_type"] != "fax"]
    cases = cases[cases["case_type"] != "fax"]
    a = forecast(cases, cfg, weeks=1, models=FAST).forecast
    b = forecast(volumes, cfg, weeks=1, models=FAST).forecast
    pd.testing.assert_series_equal(a["volume"], b["volume"])
    hole = volumes["interval_start"].dt.normalize() == pd.Timestamp("2026-07-08")
    res = forecast(volumes[~hole], cfg, weeks=1, models=FAST)
    assert any("1 open day(s) without data (2026-07-08)" in n for n in res.notes)
    with pytest.raises(ContractError, match="cannot be split"):
        forecast(volumes, cfg, weeks=1, interval_minutes=15, models=FAST)


def test_day_after_a_holiday_catches_up():
    """+40% on the day after the August bank holiday in history: the day after Boxing Day (observed,
    Monday 28 December) forecasts well above a plain Wednesday."""
    cases = center_cases()
    after = cases[cases["created_at"].dt.normalize() == pd.Timestamp("2026-09-01")]
    extra = after.sample(frac=0.4, random_state=0).assign(case_id=lambda d: d["case_id"] + "x")
    res = forecast(pd.concat([cases, extra], ignore_index=True),
                   config(country="GB", subdivision="ENG"), weeks=1, start=date(2026, 12, 28),
                   models=FAST)
    fc = res.forecast[res.forecast["case_type"] == "billing"]
    day = fc.groupby(fc["interval_start"].dt.date)["volume"].sum()
    assert day[date(2026, 12, 28)] == 0  # the holiday itself: closed
    assert day[date(2026, 12, 29)] > 1.15 * day[date(2026, 12, 30)]


def test_type_without_history_is_zero_and_its_open_sundays_are_not_gaps():
    from planner.io.config import CaseTypeConfig

    cfg = config(country="GB", subdivision="ENG")
    cfg = cfg.model_copy(update={"case_types": {"letters": CaseTypeConfig(channel="email")}})
    res = forecast(center_cases(), cfg, weeks=1, models=FAST)
    letters = res.forecast[res.forecast["case_type"] == "letters"]
    assert len(letters) == 7 * 48 and (letters[["volume", "volume_high"]] == 0).all().all()
    assert "letters: no history at all; forecast is zero" in res.notes
    assert not any("without data" in n for n in res.notes)
