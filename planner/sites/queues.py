"""Many queues of one data folder forecast in parallel on an engine (:mod:`planner.sites.engine`).

The case types are cut into shares of ``per_job`` consecutive types; each job reads the data folder
and forecasts its share (:func:`planner.forecast.forecast` with ``case_types``: the whole history is
read, so the pooled shapes, and each type's forecast, are those of one forecast of every type); the
shares are joined in type order. forecast.csv, backtest.csv and anomalies.csv are then the files a
forecast of every type in one process writes.
"""

from __future__ import annotations

from pathlib import Path

from planner.forecast import ForecastResult, forecast
from planner.io import load_folder
from planner.sites.engine import DaskEngine, InProcess, JobEnv, OnEvent


def queue_names(data_dir: str | Path) -> list[str]:
    """The case types a forecast of the folder covers, in its order."""
    folder = load_folder(data_dir)
    history = folder.cases if folder.cases is not None else folder.volumes
    seen = set(history["case_type"].dropna().astype(str)) if history is not None else set()
    return sorted(set(folder.config.case_types) | seen)


def _forecast_share(data_dir: str, types: list[str], weeks: int, start: object,
                    interval_minutes: int | None, env: JobEnv) -> ForecastResult:
    folder = load_folder(data_dir)
    return forecast(folder, weeks=weeks, start=start, interval_minutes=interval_minutes,  # type: ignore[arg-type]
                    case_types=types,
                    progress=lambda ct, done, total: env.say(f"backtest {ct} ({done}/{total})"))


def join(parts: list[ForecastResult]) -> ForecastResult:
    """Shares of one forecast, in type order, as the one forecast."""
    import pandas as pd

    anomalies = tuple(dict.fromkeys(a for p in parts for a in p.anomalies))
    notes = [n for p in parts for n in p.notes if not n.startswith("history anomalies:")]
    if anomalies:
        shown = "; ".join(a.describe() for a in anomalies[:5])
        more = f" and {len(anomalies) - 5} more (anomalies.csv)" if len(anomalies) > 5 else ""
        notes.append(f"history anomalies: {shown}{more}")
    return ForecastResult(pd.concat([p.forecast for p in parts], ignore_index=True),
                          pd.concat([p.backtest for p in parts], ignore_index=True),
                          tuple(dict.fromkeys(notes)), {k: v for p in parts for k, v in p.chosen.items()},
                          anomalies)


def forecast_queues(data_dir: str | Path, engine: InProcess | DaskEngine, *, per_job: int = 50,
                    weeks: int = 1, start: object = None, interval_minutes: int | None = None,
                    on_event: OnEvent | None = None) -> ForecastResult:
    """Forecast every case type of ``data_dir``, ``per_job`` types per job, on ``engine``.

    ``on_event`` hears each share as a job (its key: ``"<first type>..<last type>"``).
    """
    names = queue_names(data_dir)
    per_job = max(1, per_job)
    shares = [names[i:i + per_job] for i in range(0, len(names), per_job)]
    jobs = {(s[0] if len(s) == 1 else f"{s[0]}..{s[-1]}"): (str(data_dir), s, weeks, start, interval_minutes)
            for s in shares}
    with engine:
        results = engine.map(_forecast_share, jobs, on_event)
    failed = {k: r.error for k, r in results.items() if r.error is not None}
    if failed:
        from planner.errors import PlannerError

        raise PlannerError("forecast shares failed: " + "; ".join(f"{k}: {e}" for k, e in failed.items()))
    return join([results[k].value for k in jobs])
