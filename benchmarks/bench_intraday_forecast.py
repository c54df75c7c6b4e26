"""Intraday re-forecast backtest on the real bank log (Anonymous Bank, January-February 1999).

For every full working day (Sunday to Thursday, 07:00-24:00; Friday closes at 15:00 and Saturday
opens at 18:00) from 17 January on, the morning forecast is the product's own:
:func:`planner.forecast.forecast` on the history before that day (its backtest and model choice
included). At 10:00, 12:00 and 14:00 the day's level is updated from the cases that arrived so far
(:func:`planner.intraday.update.update_forecast`), and the rest of the day is scored against the
real counts at 30 minutes, per case type with at least 20 calls a day: MAE of the morning forecast
and of the updated one, and the coverage of each one's 80% band.

Tuning: the prior shape ``k`` (PRIOR_CASES) and the decay of the day's deviation (DECAY_HOURS) are
chosen on a grid by the worse of the two months (the mean over the three hours of MAE updated /
MAE morning, in January, when the morning forecasts had two to six weeks of history, and in
February); the interval dispersion (DISPERSION) by the coverage of the 80% band nearest 80% over
all days. Figures are shown per month and over all days.

Run:  python benchmarks/bench_intraday_forecast.py [--cache DIR] [--no-tuning]
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


def score(morning: dict[pd.Timestamp, pd.DataFrame], counts: pd.DataFrame, hour: int,
          prior: float, dispersion: float, decay: float = DECAY_HOURS) -> pd.DataFrame:
    """One row per (day, case type, rest-of-day interval): actual, morning and updated figures."""
    rows = []
    for day, fc in morning.items():
        cut = day + pd.Timedelta(hours=hour)
        actual = counts[(counts["interval_start"] >= day)
                        & (counts["interval_start"] < day + pd.Timedelta(days=1))]
        upd, _ = update_forecast(fc, actual, day, cut, prior_cases=prior, dispersion=dispersion,
                                 decay_hours=decay)
        rest = fc["interval_start"] >= cut
        frame = fc.loc[rest, ["case_type", "interval_start", "volume", "volume_low", "volume_high"]]
        frame = frame.assign(updated=upd.loc[rest, "volume"].to_numpy(),
                             updated_low=upd.loc[rest, "volume_low"].to_numpy(),
                             updated_high=upd.loc[rest, "volume_high"].to_numpy(), day=day)
        frame = frame.merge(actual[["case_type", "interval_start", "volume"]].rename(
            columns={"volume": "actual"}), on=["case_type", "interval_start"], how="left")
        frame["actual"] = frame["actual"].fillna(0.0)
        rows.append(frame[(frame["volume"] > 0) | (frame["actual"] > 0)])
    return pd.concat(rows, ignore_index=True)


def figures(s: pd.DataFrame) -> dict[str, float]:
    a = s["actual"]
    return {"mae_morning": float((s["volume"] - a).abs().mean()),
            "mae_updated": float((s["updated"] - a).abs().mean()),
            "cover_morning": float(((a >= s["volume_low"]) & (a <= s["volume_high"])).mean()),
            "cover_updated": float(((a >= s["updated_low"]) & (a <= s["updated_high"])).mean()),
            "intervals": float(len(s)), "days": float(s["day"].nunique())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=None, help="folder for the morning forecasts")
    ap.add_argument("--no-tuning", action="store_true", help="only the tables of the product's constants")
    args = ap.parse_args()
    t0 = time.perf_counter()
    morning, counts, types = morning_forecasts(args.cache)
    console.print(f"{len(morning)} days, case types {', '.join(types)}; morning forecasts "
                  f"{time.perf_counter() - t0:.0f} s")
    months = {"January": {d: f for d, f in morning.items() if d < SPLIT},
              "February": {d: f for d, f in morning.items() if d >= SPLIT}}

    if not args.no_tuning:
        tune(months, morning, counts)
    for label, days in (("January", months["January"]), ("February", months["February"]),
                        ("all days", morning)):
        t = Table(title=f"rest-of-day forecast, {label}, product constants (k = {PRIOR_CASES:g}, "
                        f"decay = {DECAY_HOURS:g} h, dispersion = {DISPERSION:g})")
        for col in ("update at", "days", "intervals", "MAE morning", "MAE updated", "change",
                    "80% cover morning", "80% cover updated"):
            t.add_column(col, justify="right")
        for h in HOURS:
            f = figures(score(days, counts, h, PRIOR_CASES, DISPERSION, DECAY_HOURS))
            t.add_row(f"{h}:00", f"{f['days']:.0f}", f"{f['intervals']:.0f}", f"{f['mae_morning']:.3f}",
                      f"{f['mae_updated']:.3f}", f"{f['mae_updated'] / f['mae_morning'] - 1:+.1%}",
                      f"{f['cover_morning']:.1%}", f"{f['cover_updated']:.1%}")
        console.print(t)
    console.print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


def tune(months: dict, morning: dict, counts: pd.DataFrame) -> None:
    """The grid of prior and decay (worse month) and the dispersion (coverage, all days)."""
    def ratio(days, k, decay) -> float:
        out = []
        for h in HOURS:
            f = figures(score(days, counts, h, k, 0.0, decay))
            out.append(f["mae_updated"] / f["mae_morning"])
        return float(np.mean(out))

    grid = Table(title="tuning: MAE updated / MAE morning, mean over 10, 12 and 14 h")
    for col in ("k (prior cases)", "decay [h]", "January", "February", "worse month"):
        grid.add_column(col, justify="right")
    best, best_score = None, np.inf
    for k in PRIORS:
        for decay in DECAYS:
            r = {m: ratio(days, k, decay) for m, days in months.items()}
            worst = max(r.values())
            grid.add_row(f"{k:g}", f"{decay:g}", f"{r['January']:.3f}", f"{r['February']:.3f}",
                         f"{worst:.3f}")
            if worst < best_score:
                best, best_score = (k, decay), worst
    console.print(grid)
    cov = Table(title=f"tuning: coverage of the 80% band, all days (k = {best[0]:g}, decay = {best[1]:g} h)")
    cov.add_column("dispersion")
    cov.add_column("coverage", justify="right")
    best_d, best_gap = None, np.inf
    for d in DISPERSIONS:
        c = np.mean([figures(score(morning, counts, h, best[0], d, best[1]))["cover_updated"]
                     for h in HOURS])
        cov.add_row(f"{d:g}", f"{c:.1%}")
        if abs(c - 0.8) < best_gap:
            best_d, best_gap = d, abs(c - 0.8)
    console.print(cov)
    console.print(f"chosen: k = {best[0]:g}, decay = {best[1]:g} h, dispersion = {best_d:g} (the product "
                  f"uses PRIOR_CASES = {PRIOR_CASES:g}, DECAY_HOURS = {DECAY_HOURS:g}, "
                  f"DISPERSION = {DISPERSION:g})")


if __name__ == "__main__":
    sys.exit(main())
