"""Rolling-origin backtest, model selection per case type, and interval calibration.

Origins are weekly, the most recent one a week before the end of history; each model is fitted on
the history before the origin and forecasts the following ``weeks`` weeks (cut at the end of
history, so the recent origins score the first weeks of the horizon only). Scores pool the open,
known intervals of every origin: MASE (period one week, scaled per origin on that origin's training
history), WAPE, bias and the coverage of conformal intervals calibrated leave-one-origin-out.
Works with any model that keeps the :class:`Forecaster` contract.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.forecast import intervals, metrics
from planner.forecast.anomalies import clean_history
from planner.forecast.base import Forecaster
from planner.forecast.baselines import SeasonalNaive, SeasonalWindowAverage
from planner.forecast.boosting import PoissonBoosting
from planner.forecast.combination import (
    COMBINATION,
    DEFAULT_MEMBERS,
    diverse_members,
    rank_models,
)
from planner.forecast.history import History
from planner.forecast.month import month_effects
from planner.forecast.profile import PooledShape, ProfileModel, pooled_shape
from planner.forecast.recent import RecentLevelModel
from planner.forecast.yearly import yearly_factors

#: the window lengths k the seasonal window average is backtested with
WINDOW_WEEKS = (2, 3, 4, 6, 8, 12)
#: a type with fewer cases than this over the last 8 weeks is too quiet to select a model for
MIN_CASES_TO_SELECT = 100
BASELINE = "window_average"

Progress = Callable[[str, int, int], None]


def default_models() -> list[Forecaster]:
    """Every candidate: both baselines (all k), the profile model, the recent-level model and
    Poisson boosting (the combination of the best of them is scored beside them)."""
    return [SeasonalNaive(), *(SeasonalWindowAverage(k) for k in WINDOW_WEEKS), ProfileModel(),
            RecentLevelModel(), PoissonBoosting()]


@dataclass(frozen=True)
class TypeBacktest:
    """Backtest of one case type: scores per model label, the choice and its interval quantiles."""

    case_type: str
    scores: pd.DataFrame
    chosen: str
    quantiles: tuple[float, float] | None
    notes: tuple[str, ...] = field(default=())
    #: per origin and model: interval_start, actual, forecast (only with keep_forecasts=True)
    forecasts: pd.DataFrame | None = None
    #: the models the combination averages, best first (ranked over every origin)
    members: tuple[str, ...] = ()
    #: the chosen model's level-error dispersion (:func:`planner.forecast.intervals.scale`)
    dispersion: float = 0.0


def origins(history: History, max_origins: int = 10, min_train_weeks: int = 4) -> list[int]:
    """Grid positions of the weekly origins, oldest first (may be empty for short history)."""
    period = 7 * 24 * 60 // history.interval_minutes
    n = len(history.times)
    out = []
    for j in range(1, 1 + max_origins):
        o = n - j * period
        if o < min_train_weeks * period:
            break
        out.append(o)
    return out[::-1]


def _horizon(history: History, name: str, start: int, stop: int) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": history.times[start:stop],
                         "open": history.open[name][start:stop]})


def pooled_prior(history: History, end: int) -> PooledShape:
    """Shape of all types together over the history before ``end`` (the quiet types' prior)."""
    total = sum(np.where(history.open[t], v, 0.0) for t, v in history.volume.items())
    union = np.logical_or.reduce(list(history.open.values()))
    return pooled_shape(pd.DataFrame({"interval_start": history.times[:end],
                                      "volume": total[:end], "open": union[:end]}))


def fit_model(model: Forecaster, frame: pd.DataFrame, prior: PooledShape | None) -> Forecaster:
    """Fit with the pooled prior shape where the model borrows it."""
    if getattr(model, "uses_prior", False):
        return model.fit(frame, prior=prior)
    return model.fit(frame)


def run_backtest(history: History, *, weeks: int = 1, models: Sequence[Forecaster] | None = None,
                 level: float = 0.8, max_origins: int = 10, keep_forecasts: bool = False,
                 progress: Progress | None = None,
                 case_types: Sequence[str] | None = None) -> dict[str, TypeBacktest]:
    """Backtest every model on every case type and choose one per type.

    Parameters
    ----------
    history : History
        From :func:`planner.forecast.history.build_history`.
    weeks : int
        Forecast length per origin [weeks].
    models : sequence of Forecaster, optional
        Candidates (default :func:`default_models`); they are cloned per fit via ``get_params``.
    level : float
        Central coverage of the prediction intervals.
    max_origins : int
        At most this many weekly origins (10 by default: at least 8 needs 12 weeks of history).
    keep_forecasts : bool
        Keep every origin's forecast in ``TypeBacktest.forecasts`` (for benchmarks).
    progress : callable, optional
        ``progress(case_type, done, total)`` after each origin.
    case_types : sequence of str, optional
        Backtest only these of the history's types (the pooled shapes still come from all of
        them, so each type's result is the one the whole backtest gives it).
    """
    models = list(models) if models is not None else default_models()
    names = history.case_types if case_types is None else [t for t in history.case_types
                                                           if t in set(case_types)]
    period = 7 * 24 * 60 // history.interval_minutes
    starts = origins(history, max_origins)
    short_note = None
    if not starts:
        # a month of history (the bank log): train on two weeks rather than not backtest at all
        starts = origins(history, max_origins, min_train_weeks=2)
        if starts:
            short_note = (f"history of {len(history.times) // period} weeks: backtest with "
                          f"{len(starts)} origin(s) and 2 training weeks only")
    n = len(history.times)
    seconds: dict[str, float] = {m.label: 0.0 for m in models}
    kept: list[pd.DataFrame] = []
    # forecasts[type][label] -> list per origin of (actual, forecast) over scored intervals
    collected: dict[str, dict[str, list[tuple[np.ndarray, np.ndarray]]]] = {
        t: {m.label: [] for m in models} for t in names}
    scales: dict[str, list[float]] = {t: [] for t in names}
    done = 0
    for o in starts:
        stop = min(o + weeks * period, n)
        prior = pooled_prior(history, o)
        for name in names:
            horizon = _horizon(history, name, o, stop)
            scored = (history.open[name][o:stop] & ~history.masked[o:stop]
                      & np.isfinite(history.volume[name][o:stop]))
            raw = history.frame(name, end=o)
            month = month_effects(raw)
            frame, _ = clean_history(month.deseasonalise(raw), name)
            train = np.where(history.open[name][:o], frame["volume"].to_numpy(), np.nan)
            valid = np.isfinite(train)
            scales[name].append(metrics.mase_scale(np.nan_to_num(train), valid, period))
            actual = history.volume[name][o:stop][scored]
            # last year's peaks are seasons, not events: read from the history as it came
            yearly = yearly_factors(raw, history.times[o:stop])[scored]
            seasonal = yearly * month.factors(horizon["interval_start"], horizon["open"])[scored]
            for model in models:
                tic = time.perf_counter()
                fitted = fit_model(type(model)(**model.get_params()), frame, prior)
                pred = fitted.predict(horizon)["volume"].to_numpy()[scored] * seasonal
                seconds[model.label] += time.perf_counter() - tic
                collected[name][model.label].append((actual, pred))
                if keep_forecasts:
                    kept.append(pd.DataFrame({
                        "case_type": name, "model": model.label, "origin": history.times[o],
                        "interval_start": history.times[o:stop][scored], "actual": actual,
                        "forecast": pred}))
            done += 1
            if progress is not None:
                progress(name, done, len(starts) * len(names))
    out = {}
    members: dict[str, tuple[str, ...]] = {}
    for name in names:
        members[name], average = _add_combination(collected[name], scales[name])
        res = _score_type(name, collected[name], scales[name], history, level, average)
        res.scores["seconds"] = res.scores["model"].map(seconds) / max(len(names), 1)
        notes = res.notes if short_note is None else (short_note, *res.notes)
        forecasts = None
        if keep_forecasts and kept:
            every = pd.concat(kept, ignore_index=True)
            forecasts = every[every["case_type"] == name].reset_index(drop=True)
        out[name] = replace(res, notes=notes, forecasts=forecasts, members=members[name])
    return out


def _add_combination(runs: dict[str, list[tuple[np.ndarray, np.ndarray]]],
                     scales: list[float]) -> tuple[tuple[str, ...], bool]:
    """Score the combination out of sample: at each origin it averages the :data:`MEMBERS` models
    ranked best on the origins before it (the default members at the first). Returns the members
    ranked on every origin, which the final forecast averages, and whether averaging beat picking.

    Picking the single best model is scored the same way (at each origin the model ranked best on
    the origins before it), so the two strategies are compared on equal, out-of-sample terms: the
    lowest backtest score of a dozen candidates is flattered by the choice itself, the
    combination's is not.
    """
    labels = [label for label, per in runs.items() if per]
    if not labels:
        return (), False
    count = len(runs[labels[0]])
    combined = []
    averaged, picked = [], []
    for i in range(count):
        ranked = rank_models(runs, scales, labels, i)
        chosen = diverse_members(ranked or [m for m in DEFAULT_MEMBERS if m in labels]) or labels[:1]
        actual = runs[chosen[0]][i][0]
        mean = np.mean([runs[m][i][1] for m in chosen], axis=0)
        combined.append((actual, mean))
        if ranked and len(actual) and scales[i] > 0:
            averaged.append(np.abs(actual - mean).mean() / scales[i])
            picked.append(np.abs(actual - runs[ranked[0]][i][1]).mean() / scales[i])
    runs[COMBINATION] = combined
    prefer = bool(averaged) and float(np.mean(averaged)) < float(np.mean(picked))
    return tuple(diverse_members(rank_models(runs, scales, labels, count))), prefer


def _score_type(name: str, runs: dict[str, list[tuple[np.ndarray, np.ndarray]]],
                scales: list[float], history: History, level: float,
                average: bool = False) -> TypeBacktest:
    notes: list[str] = []
    rows = []
    quantiles: dict[str, tuple[float, float] | None] = {}
    dispersion: dict[str, float] = {}
    for label, per_origin in runs.items():
        if not per_origin:
            rows.append({"model": label, "origins": 0})
            quantiles[label] = None
            continue
        actual = np.concatenate([a for a, _ in per_origin])
        pred = np.concatenate([p for _, p in per_origin])
        mases = [np.abs(a - p).mean() / s for (a, p), s in zip(per_origin, scales, strict=True)
                 if s > 0 and len(a)]
        cover = _loo_coverage(per_origin, level)
        dispersion[label] = intervals.overdispersion(actual, pred)
        z = intervals.standardised(actual, pred, dispersion[label])
        quantiles[label] = intervals.conformal_quantiles(z, level)
        rows.append({"model": label, "origins": len(per_origin),
                     "mase": float(np.mean(mases)) if mases else np.nan,
                     "wape": metrics.wape(actual, pred), "bias": metrics.bias(actual, pred),
                     "coverage": cover, "actual": float(actual.sum())})
    scores = pd.DataFrame(rows)
    for col in ("mase", "wape", "bias", "coverage", "actual"):
        if col not in scores:
            scores[col] = np.nan
    chosen, note = _choose(scores, history, name, average)
    if note:
        notes.append(note)
    scores["chosen"] = scores["model"] == chosen
    return TypeBacktest(name, scores, chosen, quantiles.get(chosen), tuple(notes),
                        dispersion=dispersion.get(chosen, 0.0))


def _loo_coverage(per_origin: list[tuple[np.ndarray, np.ndarray]], level: float) -> float:
    """Coverage of each origin's band calibrated (dispersion and quantiles) on the other origins."""
    if len(per_origin) < 2:
        return float("nan")
    hits = total = 0
    for i, (a, p) in enumerate(per_origin):
        others = [per_origin[j] for j in range(len(per_origin)) if j != i]
        ra = np.concatenate([x for x, _ in others])
        rp = np.concatenate([y for _, y in others])
        if len(ra) == 0 or len(a) == 0:
            continue
        d = intervals.overdispersion(ra, rp)
        q = intervals.conformal_quantiles(intervals.standardised(ra, rp, d), level)
        low, high = intervals.apply_quantiles(p, q, d)
        hits += int(((a >= low) & (a <= high)).sum())
        total += len(a)
    return hits / total if total else float("nan")


def best_window(scores: pd.DataFrame) -> str | None:
    """Label of the seasonal window average with the lowest MASE (k chosen by backtest)."""
    wa = scores[scores["model"].str.startswith(BASELINE) & scores["mase"].notna()]
    if wa.empty:
        return None
    return str(wa.loc[wa["mase"].idxmin(), "model"])


def _choose(scores: pd.DataFrame, history: History, name: str,
            average: bool = False) -> tuple[str, str | None]:
    """The combination where averaging beat picking out of sample (``average``), else the lowest
    MASE among the seasonal naive, the best window average and our models; a quiet type (or one
    without a usable backtest) gets the profile model, which borrows the pooled shape."""
    recent = history.volume[name][-8 * 7 * 24 * 60 // history.interval_minutes:]
    cases = float(np.nansum(recent))
    if cases < MIN_CASES_TO_SELECT:
        every = float(np.nansum(history.volume[name]))
        return ProfileModel.name, (f"{name}: only {cases:.0f} case(s) in the last 8 weeks "
                                   f"({every:.0f} in all history); no model selection, profile "
                                   f"model with the pooled shape of all types")
    window = best_window(scores)
    pool = scores[(~scores["model"].str.startswith(BASELINE)) | (scores["model"] == window)]
    pool = pool[pool["mase"].notna()]
    if average and (pool["model"] == COMBINATION).any():
        return COMBINATION, None
    singles = pool[pool["model"] != COMBINATION]
    pool = pool if singles.empty else singles
    if pool.empty:
        return ProfileModel.name, f"{name}: no backtest possible (history too short); profile model"
    return str(pool.loc[pool["mase"].idxmin(), "model"]), None
