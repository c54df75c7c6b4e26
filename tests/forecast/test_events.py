"""Real-history disturbances with planted truth: events, level shifts, marked events and gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import synthetic as syn

from planner.errors import ContractError
from planner.forecast import SeasonalNaive, forecast
from planner.forecast.anomalies import clean_history
from planner.io import load_folder

WEEKS = 26
DAYS = WEEKS * 7


def _volumes(multiplier: np.ndarray | None = None, seed: int = 0, daily: float = 800.0) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """26 weeks of one type as volumes rows (true rate x multiplier per day) and the true rates."""
    rate = syn.rates("2026-01-05", WEEKS, daily)
    day = ((rate["interval_start"] - rate["interval_start"].iloc[0]).dt.days).to_numpy()
    if multiplier is not None:
        rate = rate.assign(rate=rate["rate"] * multiplier[day])
    y = syn.counts(rate, seed)
    rows = pd.DataFrame({"case_type": "billing", "interval_start": rate["interval_start"],
                         "volume": y})
    return rows[rate["open"].to_numpy()].reset_index(drop=True), rate


def _week_total(rows: pd.DataFrame, **kw) -> float:
    return float(forecast(rows, syn.config(), weeks=1, **kw).forecast["volume"].sum())


def test_a_surge_that_ended_two_weeks_ago_moves_next_week_by_less_than_5pct():
    surge = np.ones(DAYS)
    surge[DAYS - 35:DAYS - 14] = 1.6
    for seed in (0, 1):
        plain, _ = _volumes(seed=seed)
        disturbed, _ = _volumes(surge, seed=seed)
        base, moved = _week_total(plain), _week_total(disturbed)
        assert abs(moved / base - 1) < 0.05, (seed, base, moved)


def test_the_surge_is_reported_as_an_excluded_event():
    surge = np.ones(DAYS)
    surge[DAYS - 35:DAYS - 14] = 1.6
    rows, _ = _volumes(surge)
    result = forecast(rows, syn.config(), weeks=1)
    events = result.anomaly_table
    events = events[events["kind"] == "event"]
    assert len(events) == 1
    first = pd.Timestamp("2026-01-05") + pd.Timedelta(days=DAYS - 35)
    assert abs((pd.Timestamp(events["start"].iloc[0]) - first).days) <= 2
    assert 0.45 < events["change"].iloc[0] < 0.75 and events["action"].iloc[0] == "excluded"
    assert any("history anomalies" in n for n in result.notes)


def test_a_sustained_level_shift_is_followed_within_5pct():
    shift = np.ones(DAYS)
    shift[DAYS - 21:] = 0.7
    rows, rate = _volumes(shift, seed=2)
    total = _week_total(rows)
    # the true rate of next week: the last week's rate (already at the new level)
    truth = float(rate["rate"].iloc[-7 * 48:].sum())
    assert abs(total / truth - 1) < 0.05, (total, truth)


def test_no_anomaly_is_found_in_a_plain_poisson_history():
    for seed in range(3):
        _rows, rate = _volumes(seed=seed)
        frame = pd.DataFrame({"interval_start": rate["interval_start"],
                              "volume": syn.counts(rate, seed), "open": rate["open"]})
        cleaned, found = clean_history(frame, "billing")
        assert found == []
        assert np.array_equal(cleaned["volume"].to_numpy(), frame["volume"].to_numpy())


def test_an_uplift_event_lifts_exactly_its_intervals():
    rows, _ = _volumes()
    plain = forecast(rows, syn.config(), weeks=1).forecast
    events = pd.DataFrame({"start": [pd.Timestamp("2026-07-07 12:00")],
                           "end": [pd.Timestamp("2026-07-08 15:00")],
                           "case_type": ["billing"], "kind": ["uplift"], "multiplier": [1.5]})
    lifted = forecast(rows, syn.config(), weeks=1, events=events).forecast
    t = plain["interval_start"]
    inside = ((t >= "2026-07-07 12:00") & (t < "2026-07-08 15:00")).to_numpy()
    ratio = lifted["volume"].to_numpy() / np.where(plain["volume"] > 0, plain["volume"], np.nan)
    assert inside.sum() > 0 and (plain["volume"].to_numpy()[inside] > 0).any()
    assert np.allclose(ratio[inside & (plain["volume"].to_numpy() > 0)], 1.5)
    assert np.array_equal(lifted["volume"].to_numpy()[~inside], plain["volume"].to_numpy()[~inside])


def test_an_exclude_event_is_left_out_of_the_fit_like_missing_data():
    # a +25% campaign in weeks 20-21, too mild to be found by itself, marked by hand
    bump = np.ones(DAYS)
    bump[140:150] = 1.25
    rows, _ = _volumes(bump)
    events = pd.DataFrame({"start": [pd.Timestamp("2026-01-05") + pd.Timedelta(days=140)],
                           "end": [pd.Timestamp("2026-01-05") + pd.Timedelta(days=149)],
                           "case_type": [None], "kind": ["exclude"], "multiplier": [np.nan]})
    marked = forecast(rows, syn.config(), weeks=1, events=events)
    day = (rows["interval_start"] - pd.Timestamp("2026-01-05")).dt.days
    dropped = rows[(day < 140) | (day >= 150)]
    missing = forecast(dropped, syn.config(), weeks=1)
    assert np.allclose(marked.forecast["volume"], missing.forecast["volume"])
    assert (marked.anomaly_table["kind"] == "marked").sum() == 1


def test_volumes_missing_week_is_unknown_but_missing_rows_are_zero():
    rows, _rate = _volumes(seed=3)
    day = (rows["interval_start"] - pd.Timestamp("2026-01-05")).dt.days
    # the week before last is not in the export: unknown, not a week of zero calls
    gap = rows[(day < DAYS - 14) | (day >= DAYS - 7)]
    with_gap = forecast(gap, syn.config(), weeks=1)
    full = _week_total(rows)
    assert abs(with_gap.forecast["volume"].sum() / full - 1) < 0.03
    assert any("without data" in n for n in with_gap.notes)
    # an export that drops zero-call rows: the rows that are missing read as 0
    zeros = rows.copy()
    quiet = zeros["interval_start"].dt.hour == 8
    zeros.loc[quiet, "volume"] = 0.0
    dropped = zeros[zeros["volume"] > 0]
    a = forecast(zeros, syn.config(), weeks=1).forecast
    b = forecast(dropped, syn.config(), weeks=1).forecast
    assert np.allclose(a["volume"], b["volume"])
    assert b.loc[b["interval_start"].dt.hour == 8, "volume"].max() < 1.0
    assert any("without a row" in n and "read as 0" in n for n in forecast(
        dropped, syn.config(), weeks=1, models=[SeasonalNaive()]).notes)


def test_events_csv_errors_name_row_and_column(tmp_path):
    rows, _ = _volumes()
    rows.to_csv(tmp_path / "volumes.csv", index=False)
    (tmp_path / "events.csv").write_text(
        "start,end,case_type,kind,multiplier\n"
        "2026-07-10,2026-07-08,billing,exclude,\n"
        "2026-07-10,2026-07-11,billing,uplift,\n"
        "2026-07-10,2026-07-11,nope,exclude,\n"
        "2026-07-10,2026-07-11,billing,party,1.2\n")
    with pytest.raises(ContractError) as err:
        load_folder(tmp_path)
    text = str(err.value)
    assert "events.csv, row 5, column 'kind'" in text
    (tmp_path / "events.csv").write_text(
        "start,end,case_type,kind,multiplier\n"
        "2026-07-10,2026-07-08,billing,exclude,\n"
        "2026-07-10,2026-07-11,billing,uplift,\n"
        "2026-07-10,2026-07-11,nope,exclude,\n")
    with pytest.raises(ContractError) as err:
        load_folder(tmp_path)
    text = str(err.value)
    assert "row 2, column 'end'" in text and "row 3, column 'multiplier'" in text
    assert "row 4, column 'case_type'" in text


def test_sample_disturbances_are_in_the_truth_and_found_by_the_forecast(tmp_path):
    from planner.sample import generate_sample, write_sample

    center = generate_sample(seed=1, weeks=26, agents=20, disturbances=True)
    planted = {d["kind"]: d for d in center.model["disturbances"]}
    assert set(planted) == {"surge", "outage", "campaign", "level_shift", "missing_days"}
    write_sample(center, tmp_path / "data")
    folder = load_folder(tmp_path / "data")
    days = set(folder.cases["created_at"].dt.normalize())
    assert pd.Timestamp(planted["missing_days"]["first_day"]) not in days
    result = forecast(folder, weeks=1)
    found = result.anomaly_table
    surge = planted["surge"]
    hit = found[(found["case_type"] == surge["case_type"]) & (found["kind"] == "event")]
    assert len(hit) == 1 and hit["change"].iloc[0] > 0.3
    assert abs((pd.Timestamp(hit["start"].iloc[0]) - pd.Timestamp(surge["first_day"])).days) <= 3
    # a -20% shift on a queue this noisy is followed by the level, not confirmed as a regime
    shift = planted["level_shift"]
    truth = center.true_rates
    future = truth[(truth["period"] == "future") & (truth["case_type"] == shift["case_type"])]
    first_week = future.iloc[: 7 * 48]["rate"].sum()
    got = result.forecast.loc[result.forecast["case_type"] == shift["case_type"], "volume"].sum()
    unshifted = first_week / float(shift["multiplier"])
    assert abs(got / first_week - 1) < 0.08 < abs(got / unshifted - 1), (got, first_week)
    outage = planted["outage"]
    dip = found[(found["case_type"] == outage["case_type"])
                & (pd.to_datetime(found["start"]) == pd.Timestamp(outage["first_day"]))]
    assert len(dip) == 1 and dip["change"].iloc[0] < -0.4
    assert any("without data" in n for n in result.notes)


def test_last_years_peak_lifts_the_same_week_this_year():
    from planner.forecast import SeasonalWindowAverage

    weeks = 100  # 2024-01-01 .. 2025-11-30; the forecast week starts 2025-12-01
    rate = syn.rates("2024-01-01", weeks + 1, 600.0)
    day = rate["interval_start"].dt.normalize()
    peak = ((day.dt.month == 12) & (day.dt.day <= 21)).to_numpy()
    rate = rate.assign(rate=rate["rate"] * np.where(peak, 1.4, 1.0))
    y = syn.counts(rate, 4)
    history = rate["interval_start"] < pd.Timestamp("2025-12-01")
    rows = pd.DataFrame({"case_type": "billing", "interval_start": rate["interval_start"],
                         "volume": y})[history & rate["open"].to_numpy()]
    result = forecast(rows, syn.config(), weeks=1, models=[SeasonalWindowAverage(4)])
    truth = rate.loc[~history.to_numpy(), "rate"].sum()
    got = result.forecast["volume"].sum()
    assert abs(got / truth - 1) < 0.06, (got, truth)
    # a year of history only: no yearly factor, the window average stays at the recent level
    recent = rows[rows["interval_start"] >= pd.Timestamp("2025-01-06")]
    flat = forecast(recent, syn.config(), weeks=1, models=[SeasonalWindowAverage(4)]).forecast
    assert abs(flat["volume"].sum() / (truth / 1.4) - 1) < 0.06
