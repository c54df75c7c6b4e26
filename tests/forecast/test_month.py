"""Month-position effects (paydays, billing cycles): planted in Poisson histories, then learned."""

from __future__ import annotations

import numpy as np
import pandas as pd
import synthetic as syn

from planner.forecast import SeasonalWindowAverage, forecast
from planner.forecast.month import MIN_DAYS, POSITIONS, month_effects, month_positions

WEEKS = 26
START = "2026-01-05"  # a Monday; the forecast week starts Monday 6 July 2026


def _history(first: float = 1.0, last: float = 1.0, seed: int = 0, daily: float = 2000.0,
             weeks: int = WEEKS + 1, end: str = "2026-07-06") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Volumes rows of one type with the first open day of each month x ``first`` and the last x
    ``last`` (rows before ``end``), and the true rates of every interval."""
    rate = syn.rates(START, weeks, daily)
    day = rate["interval_start"].dt.normalize()
    days = pd.DatetimeIndex(day.unique())
    opened = rate.groupby(day)["open"].any().to_numpy()
    position = month_positions(days, opened)
    factor = np.select([position == 0, position == 2], [first, last], 1.0)
    rate = rate.assign(rate=rate["rate"] * factor[days.get_indexer(day)])
    y = syn.counts(rate, seed)
    rows = pd.DataFrame({"case_type": "billing", "interval_start": rate["interval_start"], "volume": y})
    history = (rate["interval_start"] < pd.Timestamp(end)) & rate["open"]
    return rows[history.to_numpy()].reset_index(drop=True), rate


def _frame(rows: pd.DataFrame) -> pd.DataFrame:
    grid = syn.rates(START, WEEKS, 1.0)[["interval_start", "open"]]
    out = grid.merge(rows[["interval_start", "volume"]], on="interval_start", how="left")
    out["volume"] = out["volume"].fillna(0.0)
    return out


def test_positions_follow_open_days_not_calendar_days():
    days = pd.date_range("2026-08-01", "2026-09-30", freq="D")
    opened = days.day_of_week < 5  # closed Saturday 1 August; Monday 31 August, Wednesday 30 September
    pos = pd.Series(month_positions(days, np.asarray(opened)), index=days)
    assert pos[pd.Timestamp("2026-08-03")] == POSITIONS.index("first")
    assert pos[pd.Timestamp("2026-08-04")] == POSITIONS.index("second")
    assert pos[pd.Timestamp("2026-08-31")] == POSITIONS.index("last")
    assert pos[pd.Timestamp("2026-09-01")] == POSITIONS.index("first")
    assert pos[pd.Timestamp("2026-09-30")] == POSITIONS.index("last")
    assert (pos[~np.asarray(opened)] == -1).all()
    assert (pos == 0).sum() == 2 and (pos == 2).sum() == 2


def test_a_planted_month_start_is_learned_and_a_plain_history_has_none():
    rows, _ = _history(first=1.25, last=1.10)
    learned = month_effects(_frame(rows))
    assert learned.days[0] >= MIN_DAYS
    assert abs(np.exp(learned.effects[0]) - 1.25) < 0.05, learned.effects
    assert abs(np.exp(learned.effects[2]) - 1.10) < 0.05, learned.effects
    assert abs(learned.effects[1]) < 0.03
    for seed in (0, 1, 2):
        plain, _ = _history(seed=seed)
        assert np.all(np.abs(month_effects(_frame(plain)).effects) < 0.03)


def test_the_forecast_lifts_next_months_first_day_and_not_the_others():
    rows, rate = _history(first=1.3)
    result = forecast(rows, syn.config(), weeks=1, models=[SeasonalWindowAverage(4)])
    fc = result.forecast.set_index("interval_start")["volume"]
    truth = rate.set_index("interval_start")["rate"].reindex(fc.index)
    by_day_fc, by_day_truth = fc.groupby(fc.index.normalize()).sum(), truth.groupby(
        truth.index.normalize()).sum()
    # Wednesday 1 July is a month start in the history only; the week of 6 July has none
    ratio = by_day_fc / by_day_truth
    open_days = by_day_truth > 0
    assert np.all(np.abs(ratio[open_days] - 1) < 0.06), ratio


def test_a_month_start_in_the_horizon_is_lifted():
    rows, rate = _history(first=1.3, weeks=WEEKS + 5, end="2026-07-27")
    result = forecast(rows, syn.config(), weeks=1, models=[SeasonalWindowAverage(4)],
                      start="2026-07-27")
    fc = result.forecast.set_index("interval_start")["volume"]
    day = fc.index.normalize()
    truth = rate.set_index("interval_start")["rate"].reindex(fc.index)
    first = day == pd.Timestamp("2026-08-01")  # Saturday 1 August (open 09:00-17:00)
    assert truth[first].sum() > 0
    assert abs(fc[first].sum() / truth[first].sum() - 1) < 0.08
    others = ~first & (truth > 0)
    assert abs(fc[others].sum() / truth[others].sum() - 1) < 0.05


def test_a_learned_month_start_is_said_in_the_notes():
    rows, _ = _history(first=1.3)
    notes = forecast(rows, syn.config(), weeks=1, models=[SeasonalWindowAverage(4)]).notes
    said = [n for n in notes if "open day of the month" in n]
    assert len(said) == 1 and said[0].startswith("billing: ") and "first +" in said[0], notes
    plain, _ = _history()
    assert not any("open day of the month" in n for n in forecast(plain, syn.config(), weeks=1,
                   models=[SeasonalWindowAverage(4)]).notes)
