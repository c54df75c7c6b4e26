"""How the model choice itself does on real series: the product's pick-or-average rule against
fixed combination strategies, on the same origins as bench_forecast_real.py.

For every origin and case type the backtest runs once, then every candidate's final forecast is
made through the product's own path (month effects, anomaly cleaning, yearly and holiday factors),
so any strategy for turning backtest scores into a forecast can be scored without re-running the
models. Prints each strategy's MAE ratio against the best window average (4, 8) and MSTL per
series and in aggregate, and its bias.

Run:  python benchmarks/forecast_strategies.py [--no-statsforecast] [--series anonbank bank_calls]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from bench_forecast_real import _baselines, _counts
from real_series import RealSeries, anonbank, bank_calls

from planner.forecast import pipeline
from planner.forecast.backtest import default_models, run_backtest
from planner.forecast.calendar import arrival_calendar, holiday_dates, interval_grid, open_mask
from planner.forecast.combination import COMBINATION
from planner.forecast.history import build_history

MINUTES = 30


def _items(series: RealSeries, use_sf: bool) -> list[dict]:
    counts, presence = _counts(series)
    full = build_history(counts, series.config, MINUTES, rows_mean_presence=presence,
                         case_types=list(series.case_types))
    types = sorted(set(series.config.case_types) | set(counts["case_type"].unique()))
    cases, volumes = pipeline.history_frames(series.history)
    out = []
    for origin in series.origins:
        hist = build_history(counts[counts["interval_start"] < origin], series.config, MINUTES,
                             rows_mean_presence=presence, case_types=types)
        candidates = default_models()
        results = run_backtest(hist, weeks=1, models=candidates)
        handle = pipeline.history_handle_time(cases, volumes, types, MINUTES, hist)
        times = interval_grid(origin, origin + pd.Timedelta(weeks=1), MINUTES)
        hol = holiday_dates(series.config.center, {origin.year})
        pos = full.times.get_indexer(times)
        for name in series.case_types:
            res = results[name]
            known = pos >= 0
            actual = np.full(len(times), np.nan)
            actual[known] = full.volume[name][pos[known]]
            scored = known & np.isfinite(actual)
            scored[known] &= full.open[name][pos[known]]
            preds = {}
            for label in res.scores["model"]:
                frame = pipeline._final_forecast(hist, {name: replace(res, chosen=label)}, handle,
                                                 series.config, origin, 1, MINUTES, 0.8, [],
                                                 candidates, [])
                preds[label] = frame["volume"].to_numpy()[scored]
            horizon = pd.DataFrame({"interval_start": times, "open": open_mask(
                times, arrival_calendar(series.config, name), hol)})
            peers = {m.label: type(m)(**m.get_params()).fit(hist.frame(name)).predict(horizon)[
                "volume"].to_numpy()[scored] for m in _baselines(use_sf)}
            scores = res.scores.dropna(subset=["mase"])
            scores = scores[scores["model"] != COMBINATION].sort_values(["mase", "model"])
            out.append({"series": f"{series.name}:{name}", "actual": actual[scored],
                        "preds": preds, "peers": peers, "chosen": res.chosen,
                        "ranked": list(scores["model"])})
        print(f"  {series.name} origin {origin:%Y-%m-%d} done", flush=True)
    return out


def _one_window(ranked: list[str], k: int) -> list[str]:
    out: list[str] = []
    for label in ranked:
        if label.startswith("window_average") and any(m.startswith("window_average") for m in out):
            continue
        out.append(label)
    return out[:k]


def _top(k: int, reduce: Callable = np.mean) -> Callable[[dict], np.ndarray]:
    return lambda it: reduce([it["preds"][m] for m in _one_window(it["ranked"], k)], axis=0)


STRATEGIES: dict[str, Callable[[dict], np.ndarray]] = {
    "product (pick or average)": lambda it: it["preds"][it["chosen"]],
    "mean of best 3": _top(3),
    "mean of best 4": _top(4),
    "mean of best 5": _top(5),
    "median of best 3": _top(3, np.median),
    "median of best 5": _top(5, np.median),
    "best single": lambda it: it["preds"][it["ranked"][0]],
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-statsforecast", action="store_true")
    ap.add_argument("--series", nargs="*", default=["anonbank", "bank_calls"])
    args = ap.parse_args()
    loaders = {"anonbank": anonbank, "bank_calls": bank_calls}
    items = []
    for name in args.series:
        series = loaders[name]()
        if series is not None:
            items += _items(series, not args.no_statsforecast)
    rows = []
    for it in items:
        a = it["actual"]
        for label, strategy in STRATEGIES.items():
            p = strategy(it)
            rows.append({"series": it["series"], "model": label, "err": np.abs(p - a).sum(),
                         "n": len(a), "fc": p.sum(), "actual": a.sum()})
        for label, p in it["peers"].items():
            rows.append({"series": it["series"], "model": label, "err": np.abs(p - a).sum(),
                         "n": len(a), "fc": p.sum(), "actual": a.sum()})
    g = pd.DataFrame(rows).groupby(["series", "model"])[["err", "n", "fc", "actual"]].sum()
    mae = (g["err"] / g["n"]).unstack()
    best_wa = mae[["window_average(k=4)", "window_average(k=8)"]].min(axis=1)
    table = {}
    for label in STRATEGIES:
        vs_wa = mae[label] / best_wa
        line = {"agg vs WA": float(np.exp(np.log(vs_wa).mean()))}
        if "sf_MSTL" in mae:
            line["agg vs MSTL"] = float(np.exp(np.log(mae[label] / mae["sf_MSTL"]).mean()))
        bias = g.xs(label, level="model")
        line |= {f"{s} vs WA": v for s, v in vs_wa.items()}
        line |= {f"{s} bias": v for s, v in (bias["fc"] / bias["actual"] - 1).items()}
        table[label] = line
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(pd.DataFrame(table).T.round(3).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
