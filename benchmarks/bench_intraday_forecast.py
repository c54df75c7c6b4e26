"""Intraday re-forecast backtest on the real bank log (Anonymous Bank, January-February 1999).

For every full working day (Sunday to Thursday, 07:00-24:00; Friday closes at 15:00 and Saturday
opens at 18:00) from 17 January on, the morning forecast is the product's own:
:func:`planner.forecast.forecast` on the history before that day (its backtest and model choice
included). At 10:00, 12:00 and 14:00 the day's level is updated from the cases that arrived so far
(:func:`planner.intraday.update.update_forecast`), and the rest of the day is scored against the
real counts at 30 minutes, per case type with at least 20 calls a day: MAE of the morning forecast
and of the updated one, and the coverage of each one's 80% band.

Choosing the constants out of sample: the prior shape ``k`` (PRIOR_CASES) and the decay of the day's
deviation (DECAY_HOURS) are chosen on a grid by the least MAE ratio (updated / morning, mean over
the three hours), then the interval dispersion (DISPERSION) by the coverage of the 80% band nearest
80%, always on other days than those scored:

- two folds by month: chosen on January and scored on February, and the reverse;
- rolling origin: each day scored with the constants chosen on the full days before it (at least
  five), as a center re-tuning on its own history would;
- the product's constants are February's choice, so January is their held-out month; the
  all-days table with them is in sample and printed for reference only.

Run:  python benchmarks/bench_intraday_forecast.py [--cache DIR] [--no-grid]
(the ~30 morning forecasts take ~10 s each; --cache keeps them between runs)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from real_series import anonbank
from rich.console import Console
from rich.table import Table

from planner.forecast import forecast
from planner.forecast.history import interval_counts
from planner.intraday.update import DECAY_HOURS, DISPERSION, PRIOR_CASES, update_forecast

MINUTES = 30
HOURS = (10, 12, 14)
PRIORS = (10.0, 30.0, 60.0, 150.0, 300.0)
DECAYS = (2.0, 4.0, 8.0, 16.0, np.inf)
DISPERSIONS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08)
FULL_DAYS = (6, 0, 1, 2, 3)  # Sunday .. Thursday (pandas: Monday = 0)
FIRST_DAY = pd.Timestamp("1999-01-17")
SPLIT = pd.Timestamp("1999-02-01")
MIN_PAST_DAYS = 5
console = Console(width=150)


def morning_forecasts(cache: Path | None) -> tuple[dict[pd.Timestamp, pd.DataFrame], pd.DataFrame,
                                                   tuple[str, ...]]:
    series = anonbank()
    counts = interval_counts(series.history, MINUTES)
    days = [d for d in pd.date_range(FIRST_DAY, "1999-02-28", freq="D") if d.weekday() in FULL_DAYS]
    out = {}
    for n, day in enumerate(days):
        path = None if cache is None else cache / f"{day:%Y%m%d}.csv"
        if path is not None and path.exists():
            fc = pd.read_csv(path, parse_dates=["interval_start"])
        else:
            tic = time.perf_counter()
            res = forecast(series.history, series.config, start=day, weeks=1,
                           interval_minutes=MINUTES)
            fc = res.forecast
            fc = fc[(fc["interval_start"] >= day) & (fc["interval_start"] < day + pd.Timedelta(days=1))]
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                fc.to_csv(path, index=False)
            console.print(f"{day:%a %Y-%m-%d}: morning forecast in {time.perf_counter() - tic:.1f} s "
                          f"({n + 1}/{len(days)})")
        out[day] = fc[fc["case_type"].isin(series.case_types)].reset_index(drop=True)
    counts = counts.rename(columns={counts.columns[-1]: "volume"}) if "volume" not in counts else counts
    return out, counts, series.case_types


class Backtest:
    """Per (day, hour, k, decay, dispersion): the rest-of-day errors and band hits, memoised, so
    that every way of choosing the constants is scored on the same numbers."""

    def __init__(self, morning: dict[pd.Timestamp, pd.DataFrame], counts: pd.DataFrame) -> None:
        self.morning = morning
        self.actual = {day: counts[(counts["interval_start"] >= day)
                                   & (counts["interval_start"] < day + pd.Timedelta(days=1))]
                       for day in morning}
        self._memo: dict[tuple, np.ndarray] = {}

    def cell(self, day: pd.Timestamp, hour: int, k: float, decay: float, dispersion: float
             ) -> np.ndarray:
        """[sum |morning - actual|, sum |updated - actual|, intervals, morning band hits,
        updated band hits] over the rest of one day."""
        key = (day, hour, k, decay, dispersion)
        if key not in self._memo:
            fc, actual = self.morning[day], self.actual[day]
            cut = day + pd.Timedelta(hours=hour)
            upd, _ = update_forecast(fc, actual, day, cut, prior_cases=k, dispersion=dispersion,
                                     decay_hours=decay)
            rest = (fc["interval_start"] >= cut).to_numpy()
            frame = fc.loc[rest, ["case_type", "interval_start", "volume", "volume_low",
                                  "volume_high"]].merge(
                actual[["case_type", "interval_start", "volume"]].rename(
                    columns={"volume": "actual"}), on=["case_type", "interval_start"], how="left")
            a = frame["actual"].fillna(0.0).to_numpy()
            m = frame["volume"].to_numpy()
            u = upd.loc[rest, "volume"].to_numpy()
            lo, hi = upd.loc[rest, "volume_low"].to_numpy(), upd.loc[rest, "volume_high"].to_numpy()
            keep = (m > 0) | (a > 0)
            self._memo[key] = np.array([
                np.abs(m - a)[keep].sum(), np.abs(u - a)[keep].sum(), keep.sum(),
                ((a >= frame["volume_low"].to_numpy()) & (a <= frame["volume_high"].to_numpy()))[keep].sum(),
                ((a >= lo) & (a <= hi))[keep].sum()])
        return self._memo[key]

    def totals(self, days, hour: int, k: float, decay: float, dispersion: float = 0.0) -> np.ndarray:
        return np.sum([self.cell(d, hour, k, decay, dispersion) for d in days], axis=0)

    def ratio(self, days, k: float, decay: float) -> float:
        """MAE updated / MAE morning, mean over the three hours (the tuning criterion)."""
        out = []
        for h in HOURS:
            t = self.totals(days, h, k, decay)
            out.append(t[1] / t[0])
        return float(np.mean(out))

    def coverage(self, days, k: float, decay: float, dispersion: float) -> float:
        t = np.sum([self.totals(days, h, k, decay, dispersion) for h in HOURS], axis=0)
        return float(t[4] / t[2])

    def choose(self, days) -> tuple[float, float, float]:
        """The constants chosen on ``days`` alone: (k, decay) by the least MAE ratio, then the
        dispersion whose 80% band covers nearest 80%."""
        k, decay = min(((k, d) for k in PRIORS for d in DECAYS),
                       key=lambda kd: (self.ratio(days, *kd), kd))
        disp = min(DISPERSIONS, key=lambda x: (abs(self.coverage(days, k, decay, x) - 0.8), x))
        return k, decay, disp


def hour_table(title: str, bt: Backtest, scored: dict[pd.Timestamp, tuple[float, float, float]]
               ) -> Table:
    """Per hour: each day scored with its own constants (``scored[day] = (k, decay, dispersion)``)."""
    t = Table(title=title)
    for col in ("update at", "days", "intervals", "MAE morning", "MAE updated", "change",
                "80% cover morning", "80% cover updated"):
        t.add_column(col, justify="right")
    for h in HOURS:
        tot = np.sum([bt.cell(d, h, *c) for d, c in scored.items()], axis=0)
        mae_m, mae_u = tot[0] / tot[2], tot[1] / tot[2]
        t.add_row(f"{h}:00", f"{len(scored)}", f"{tot[2]:.0f}", f"{mae_m:.3f}", f"{mae_u:.3f}",
                  f"{mae_u / mae_m - 1:+.1%}", f"{tot[3] / tot[2]:.1%}", f"{tot[4] / tot[2]:.1%}")
    return t


def _c(c: tuple[float, float, float]) -> str:
    return f"k = {c[0]:g}, decay = {c[1]:g} h, dispersion = {c[2]:g}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=None, help="folder for the morning forecasts")
    ap.add_argument("--no-grid", action="store_true", help="skip printing the in-sample grid")
    args = ap.parse_args()
    t0 = time.perf_counter()
    morning, counts, types = morning_forecasts(args.cache)
    console.print(f"{len(morning)} days, case types {', '.join(types)}; morning forecasts "
                  f"{time.perf_counter() - t0:.0f} s")
    bt = Backtest(morning, counts)
    days = sorted(morning)
    jan = [d for d in days if d < SPLIT]
    feb = [d for d in days if d >= SPLIT]

    # 1. Two folds by month: the constants chosen on one month, scored on the other.
    c_jan, c_feb = bt.choose(jan), bt.choose(feb)
    console.print(f"chosen on January: {_c(c_jan)}; chosen on February: {_c(c_feb)}")
    console.print(hour_table(f"OUT OF SAMPLE, two folds by month: February scored with January's "
                             f"constants ({_c(c_jan)})", bt, dict.fromkeys(feb, c_jan)))
    console.print(hour_table(f"OUT OF SAMPLE, two folds by month: January scored with February's "
                             f"constants ({_c(c_feb)})", bt, dict.fromkeys(jan, c_feb)))
    console.print(hour_table("OUT OF SAMPLE, two folds by month: all days, each scored with the "
                             "other month's constants", bt,
                             {**dict.fromkeys(feb, c_jan), **dict.fromkeys(jan, c_feb)}))

    # 2. Rolling origin: each day scored with the constants chosen on the full days before it.
    rolling = {d: bt.choose(days[:n]) for n, d in enumerate(days) if n >= MIN_PAST_DAYS}
    chosen = pd.Series([_c(c) for c in rolling.values()]).value_counts()
    console.print(f"rolling origin: constants chosen on the days before each scored day "
                  f"(at least {MIN_PAST_DAYS}): " + "; ".join(f"{n} day(s) {c}" for c, n in chosen.items()))
    console.print(hour_table(f"OUT OF SAMPLE, rolling origin: {len(rolling)} days from "
                             f"{min(rolling):%d %b}, each with constants chosen on the days before it",
                             bt, rolling))

    # 3. The product's constants, and what the rule picks on all days (in sample, for reference).
    product = (PRIOR_CASES, DECAY_HOURS, DISPERSION)
    c_all = bt.choose(days)
    console.print(f"chosen on all {len(days)} days: {_c(c_all)}; the product uses {_c(product)}"
                  + (" = February's choice: its held-out month is January (table above)"
                     if product == c_feb else " (NOT February's choice: re-tune update.py)"))
    console.print(hour_table(f"IN SAMPLE (reference only): all days with the product's constants "
                             f"({_c(product)})", bt, dict.fromkeys(days, product)))
    if not args.no_grid:
        grid = Table(title="MAE updated / MAE morning, mean over 10, 12 and 14 h")
        for col in ("k", "decay [h]", "January", "February", "all days"):
            grid.add_column(col, justify="right")
        for k in PRIORS:
            for decay in DECAYS:
                grid.add_row(f"{k:g}", f"{decay:g}", f"{bt.ratio(jan, k, decay):.3f}",
                             f"{bt.ratio(feb, k, decay):.3f}", f"{bt.ratio(days, k, decay):.3f}")
        console.print(grid)
    console.print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
