"""Forecast benchmark: our models beside both baselines and statsforecast's MSTL and AutoETS.

In one process, on (a) the sample center in data/ (with its ground truth in data/truth/) and (b) the
Anonymous Bank log (data/anonbank/february.txt.gz converted by ``planner import anonbank``'s
library function), every model runs through the same rolling-origin backtest
(:func:`planner.forecast.run_backtest`: weekly origins, MASE with a one-week period, WAPE, bias,
coverage of 80% conformal intervals calibrated leave-one-origin-out). statsforecast's own 80%
intervals are scored as well ("native"). On the sample the MAE is also printed as a ratio to the
Poisson noise floor: the MAE of predicting the true rate, which no forecast can beat on average.

Run:  python benchmarks/bench_forecast.py [--origins 10] [--no-statsforecast]
Timings are wall-clock on whatever machine runs it (ours: 2 shared, loaded cores).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from sf_models import NATIVE, StatsForecastModel

from planner.forecast import (
    Forecaster,
    SeasonalWindowAverage,
    build_history,
    default_models,
    forecast,
    interval_counts,
    run_backtest,
)
from planner.forecast.backtest import best_window, origins
from planner.forecast.history import History
from planner.io import load_folder

ROOT = Path(__file__).resolve().parents[1]
console = Console(width=160)


def with_aggregate(history: History) -> History:
    """The history plus an ALL series: every type summed (the aggregate queue)."""
    union = np.logical_or.reduce(list(history.open.values()))
    total = sum(np.where(history.open[t], v, 0.0) for t, v in history.volume.items())
    return replace(history, volume={**history.volume, "ALL": total},
                   open={**history.open, "ALL": union})


def native_coverage(results: dict, history: History, starts: list[int]) -> dict[tuple[str, str], float]:
    """Coverage of statsforecast's own 80% intervals on the backtest's scored intervals.

    The backtest calls predict in the order origin -> case type -> model, so the k-th recorded
    prediction of a model belongs to the k-th (origin, case type) pair.
    """
    out = {}
    order = [(history.times[o], t) for o in starts for t in history.case_types]
    for label, frames in NATIVE.items():
        if len(frames) != len(order):
            continue
        acc: dict[str, tuple[int, int]] = {}
        for (origin, name), native in zip(order, frames, strict=True):
            kept = results[name].forecasts
            m = kept[(kept["model"] == label) & (kept["origin"] == origin)].merge(
                native, on="interval_start")
            hits, total = acc.get(name, (0, 0))
            inside = int(((m["actual"] >= m["lo"]) & (m["actual"] <= m["hi"])).sum())
            acc[name] = (hits + inside, total + len(m))
        out.update({(name, label): h / n for name, (h, n) in acc.items() if n})
    return out


def fmt(value: float, spec: str) -> str:
    return "" if pd.isna(value) else format(value, spec)


def report(title: str, results: dict, native: dict, floor: dict | None = None) -> pd.DataFrame:
    rows = []
    for name, r in results.items():
        s = r.scores.set_index("model")
        window = best_window(r.scores)
        for label in ["seasonal_naive", window, "profile", "recent_level", "boosting", "combination",
                      "sf_MSTL", "sf_AutoETS"]:
            if label not in s.index:
                continue
            x = s.loc[label]
            rows.append({"series": name, "model": "window_average" if label == window else label,
                         "k": window.split("=")[1].rstrip(")") if label == window else "",
                         "chosen": label == r.chosen, "mase": x["mase"], "wape": x["wape"],
                         "bias": x["bias"], "coverage": x["coverage"],
                         "native_cov": native.get((name, label), np.nan),
                         "floor_ratio": (floor or {}).get((name, label), np.nan),
                         "sec_per_fit": x["seconds"] / max(x["origins"], 1)})
    table = pd.DataFrame(rows)
    t = Table(title=title)
    for col in ("series", "model", "MASE", "WAPE", "bias", "cov80 conformal", "cov80 native",
                "MAE/Poisson floor", "fit+predict s"):
        t.add_column(col, justify="left" if col in ("series", "model") else "right")
    for _, x in table.iterrows():
        model = x["model"] + (f"(k={x['k']})" if x["k"] else "") + (" *" if x["chosen"] else "")
        t.add_row(x["series"], model, fmt(x["mase"], ".3f"), fmt(x["wape"], ".1%"),
                  fmt(x["bias"], "+.1%"), fmt(x["coverage"], ".1%"), fmt(x["native_cov"], ".1%"),
                  fmt(x["floor_ratio"], ".3f"), fmt(x["sec_per_fit"], ".2f"))
    console.print(t)
    console.print("* = chosen by the backtest; cov80 conformal = our intervals around that model's "
                  "forecasts; native = the library's own 80% interval")
    return table


def sample_floor(results: dict, truth: pd.DataFrame) -> dict[tuple[str, str], float]:
    """MAE of each model / MAE of the true rate, over the backtest's scored intervals."""
    out = {}
    for name, r in results.items():
        k = r.forecasts.merge(truth, on=["case_type", "interval_start"])
        floor = (k["actual"] - k["rate"]).abs().groupby(k["model"]).mean()
        mae = (k["actual"] - k["forecast"]).abs().groupby(k["model"]).mean()
        for label in mae.index:
            out[(name, label)] = float(mae[label] / floor[label])
    return out


def models(use_sf: bool) -> list[Forecaster]:
    extra = [StatsForecastModel("mstl"), StatsForecastModel("autoets", train_weeks=4)] if use_sf else []
    return [*default_models(), *extra]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--origins", type=int, default=10)
    ap.add_argument("--no-statsforecast", action="store_true")
    args = ap.parse_args()
    use_sf = not args.no_statsforecast

    # (a) the sample center
    data = load_folder(ROOT / "data")
    tic = time.perf_counter()
    result = forecast(data, weeks=1)
    stage_s = time.perf_counter() - tic
    fc = result.forecast
    hist = build_history(interval_counts(data.cases, 30), data.config, 30,
                         case_types=sorted(data.case_types))
    NATIVE.clear()
    tic = time.perf_counter()
    res = run_backtest(hist, models=models(use_sf), max_origins=args.origins, keep_forecasts=True)
    console.print(f"sample: backtest of {len(res)} types x {len(models(use_sf))} models in "
                  f"{time.perf_counter() - tic:.0f} s")
    truth = pd.read_csv(ROOT / "data/truth/arrival_rates.csv.gz", parse_dates=["interval_start"])
    starts = origins(hist, args.origins)
    table = report(f"(a) sample center, {len(starts)} weekly origins, 1 week ahead",
                   res, native_coverage(res, hist, starts), sample_floor(res, truth))
    from planner.forecast.calendar import arrival_calendar, holiday_dates, open_mask

    times = pd.DatetimeIndex(fc["interval_start"].unique())
    hol = holiday_dates(data.config.center, {t.year for t in times})
    closed_mass = 0.0
    for name, g in fc.groupby("case_type"):
        is_open = open_mask(pd.DatetimeIndex(g["interval_start"]),
                            arrival_calendar(data.config, str(name)), hol)
        closed_mass += float(g.loc[~is_open, ["volume", "volume_high"]].abs().to_numpy().sum())
    chosen = table[table["chosen"]].set_index("series")
    wa = table[table["model"] == "window_average"].set_index("series")
    busiest = fc.groupby("case_type")["volume"].sum().sort_values(ascending=False)
    console.print(f"forecast stage (8 types x 26 weeks, backtest included): {stage_s:.1f} s; "
                  f"forecast mass in closed intervals: {closed_mass:g}")
    for name in busiest.index:
        c, w = chosen.loc[name], wa.loc[name]
        console.print(f"  {name:16s} {busiest[name]:6.0f}/wk  chosen {c['model']:8s} MASE {c['mase']:.3f} "
                      f"vs window average {w['mase']:.3f} (x{c['mase'] / w['mase']:.3f}); bias "
                      f"{c['bias']:+.2%}; MAE/floor {c['floor_ratio']:.3f} (window average "
                      f"{w['floor_ratio']:.3f}); cov80 {c['coverage']:.1%}")

    # the week the demo plans, against the generator's true rates (an independent check: no
    # backtest score, flattered by the choice among candidates, enters it)
    rate = truth.rename(columns={"rate": "true_rate"})
    window = forecast(data, weeks=1, models=[SeasonalWindowAverage(8)]).forecast
    both = fc.merge(window, on=["case_type", "interval_start"], suffixes=("", "_wa")).merge(
        rate, on=["case_type", "interval_start"])
    console.print("planned week against the true rates (MAE per interval; total / true total):")
    for name, g in both.groupby("case_type"):
        ours, wa8 = (g["volume"] - g["true_rate"]).abs().mean(), (g["volume_wa"] - g["true_rate"]).abs().mean()
        console.print(f"  {name:16s} chosen {result.chosen[name]:14s} MAE {ours:.4f} vs WA(8) {wa8:.4f} "
                      f"(x{ours / wa8:.3f}); total x{g['volume'].sum() / g['true_rate'].sum():.3f}")

    # (b) the bank log, through the importer
    from planner.importers import import_anonbank

    with tempfile.TemporaryDirectory() as tmp:
        import_anonbank(ROOT / "data/anonbank/february.txt.gz", Path(tmp))
        bank = load_folder(tmp)
        bhist = with_aggregate(build_history(interval_counts(bank.cases, 30), bank.config, 30))
    NATIVE.clear()
    tic = time.perf_counter()
    bres = run_backtest(bhist, models=models(use_sf), max_origins=args.origins, keep_forecasts=True)
    console.print(f"bank: backtest in {time.perf_counter() - tic:.0f} s")
    starts = origins(bhist, args.origins) or origins(bhist, args.origins, min_train_weeks=2)
    btable = report(f"(b) Anonymous Bank, February 1999: {len(starts)} weekly origins "
                    "(2 and 3 training weeks), 1 week ahead", bres,
                    native_coverage(bres, bhist, starts))
    for name in ("PS", "NW", "NE", "ALL"):
        t = btable[btable["series"] == name].set_index("model")
        ours = t[t["chosen"]].iloc[0]
        base = min(t.loc["seasonal_naive", "mase"], t.loc["window_average", "mase"])
        sf = t.loc[[m for m in ("sf_MSTL", "sf_AutoETS") if m in t.index], "mase"]
        console.print(f"  {name}: chosen {t[t['chosen']].index[0]} MASE {ours['mase']:.3f}; best baseline "
                      f"{base:.3f}" + (f"; best statsforecast {sf.min():.3f}" if len(sf) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
