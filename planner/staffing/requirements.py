"""Requirements: forecast.csv + planner.toml -> agents per case type and interval.

Queue work (phone, chat) is staffed interval by interval with Erlang C or Erlang A, all intervals
and case types in one vectorised call per model. Back-office work with a deadline is staffed from
its workload spread over the deadline window (:mod:`planner.staffing.backoffice`). Every row gets a
whole requirement (``agents_net``, ``agents_gross``) and a smooth one (``agents_fractional``) for
the scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from planner.errors import ContractError, MissingInputError, Problem
from planner.io.calendar import holiday_dates, open_mask
from planner.io.config import PlannerConfig
from planner.io.contracts import FORECAST
from planner.io.runfolder import RunFolder
from planner.io.tables import read_table
from planner.staffing import erlang, erlang_a
from planner.staffing.backoffice import spread_workload

# The contract's columns first (ARCHITECTURE.md), then the ones that explain them.
COLUMNS = (
    "case_type", "interval_start", "agents_net", "agents_gross", "service_level", "asa_seconds",
    "occupancy", "agents_fractional", "agents_gross_fractional", "agents_net_high", "erlangs",
    "abandon_rate", "volume", "aht_seconds", "shrinkage", "model",
)

Model = Literal["erlang_c", "erlang_a", "deadline"]


@dataclass(frozen=True)
class Overrides:
    """Command-line settings that replace planner.toml's for every case type (None = keep)."""

    service_level: float | None = None
    answer_seconds: float | None = None
    max_occupancy: float | None = None
    shrinkage: float | None = None
    patience_seconds: float | None = None
    model: Literal["erlang_c", "erlang_a"] | None = None

    def __post_init__(self) -> None:
        problems = []
        checks = (("service_level", 0, 1, False), ("max_occupancy", 0, 1, True),
                  ("shrinkage", 0, 1, False), ("answer_seconds", 0, None, False),
                  ("patience_seconds", 0, None, False))
        for name, lo, hi, hi_ok in checks:
            v = getattr(self, name)
            if v is None:
                continue
            bad = not np.isfinite(v) or v < lo or (name != "shrinkage" and v == lo)
            bad |= hi is not None and (v > hi or (v == hi and not hi_ok))
            if bad:
                rng = f"between {lo} and {hi}" if hi is not None else f"above {lo}"
                problems.append(Problem("command line", None, f"--{name.replace('_', '-')}",
                                        str(v), f"a number {rng}"))
        if problems:
            raise ContractError(problems)


@dataclass(frozen=True)
class Targets:
    """The resolved service rules of one case type (config, then overrides)."""

    model: Model
    service_level: float
    answer_seconds: float
    max_asa_seconds: float | None
    patience_seconds: float | None
    max_abandon: float | None
    concurrency: int
    shrinkage: float
    max_occupancy: float
    deadline_hours: float | None
    hours: dict[str, str] | None


def targets_for(config: PlannerConfig, name: str, overrides: Overrides | None = None) -> Targets:
    """Service rules of case type ``name``: its own settings, the staffing defaults, overrides."""
    ct = config.case_type(name)
    o = overrides or Overrides()
    patience = o.patience_seconds if o.patience_seconds is not None else ct.patience_seconds
    model: Model = o.model or config.staffing.model
    if ct.deadline_hours is not None:
        model = "deadline"
    elif model == "erlang_a" and patience is None:
        # Erlang A needs a patience; without one the type is staffed as if nobody abandons.
        model = "erlang_c"
    return Targets(
        model=model,
        service_level=o.service_level if o.service_level is not None else ct.service_level,
        answer_seconds=o.answer_seconds if o.answer_seconds is not None else ct.answer_seconds,
        max_asa_seconds=ct.max_asa_seconds,
        patience_seconds=patience,
        max_abandon=ct.max_abandon,
        concurrency=ct.concurrency,
        shrinkage=o.shrinkage if o.shrinkage is not None else config.shrinkage_for(name),
        max_occupancy=o.max_occupancy if o.max_occupancy is not None
        else config.max_occupancy_for(name),
        deadline_hours=ct.deadline_hours,
        hours=ct.opening_hours,
    )


def read_forecast(run: str | Path, tz: str) -> pd.DataFrame:
    """Read and validate ``RUN/forecast.csv`` (or ``.gz``); a clear message when it is absent."""
    path = RunFolder(run).find("forecast")
    if path is not None:
        return read_table(path, FORECAST, tz=tz)
    raise MissingInputError(f"requirements needs forecast.csv in {run}: run `planner forecast "
                            f"--data DIR --out {run}` first")


def _check(forecast: pd.DataFrame, file: str) -> None:
    """Cross-column checks the contract cannot express."""
    problems: list[Problem] = []
    if "aht_seconds" not in forecast:
        raise ContractError([Problem(file, 1, "aht_seconds", None,
                                     "required column 'aht_seconds' in the header")])
    bad = ((forecast["volume"] > 0) & forecast["aht_seconds"].isna()).to_numpy()
    for i in np.flatnonzero(bad)[:20]:
        problems.append(Problem(file, int(i) + 2, "aht_seconds", "",
                                "a handle time wherever volume > 0"))
    if "volume_low" in forecast and "volume_high" in forecast:
        bad = (forecast["volume_low"] > forecast["volume_high"]).fillna(False).to_numpy()
        for i in np.flatnonzero(bad)[:20]:
            problems.append(Problem(file, int(i) + 2, "volume_low", str(forecast["volume_low"].iloc[i]),
                                    f"at most volume_high ({forecast['volume_high'].iloc[i]:g})"))
    if problems:
        raise ContractError(problems)


def interval_minutes_of(forecast: pd.DataFrame, default: int) -> int:
    """The forecast's interval length: the smallest step between its intervals (or ``default``)."""
    t = forecast.sort_values(["case_type", "interval_start"])
    same = t["case_type"].to_numpy()[1:] == t["case_type"].to_numpy()[:-1]
    steps = np.diff(t["interval_start"].to_numpy().astype("datetime64[m]").astype(np.int64))[same]
    steps = steps[steps > 0]
    return int(steps.min()) if steps.size else default


def _holidays(config: PlannerConfig, times: pd.Series) -> set:
    if times.empty or config.center.open_on_holidays:
        return set()
    return set(holiday_dates(config.center, range(times.min().year, times.max().year + 1)))


def _queue(frame: pd.DataFrame, tg: dict[str, Targets], model: str, seconds: float) -> pd.DataFrame:
    """Erlang C or Erlang A for every row of ``frame`` (all its case types at once)."""
    types = frame["case_type"]

    def col(attr: str) -> np.ndarray:
        per = {n: getattr(t, attr) for n, t in tg.items()}
        return types.map(per).astype(float).to_numpy()

    volume = frame["volume"].to_numpy(dtype=float)
    aht = frame["aht_seconds"].to_numpy(dtype=float)
    aht = np.where(np.isfinite(aht), aht, 1.0)
    a = volume * aht / seconds
    kw = dict(service_level=col("service_level"), answer_seconds=col("answer_seconds"),
              max_asa_seconds=col("max_asa_seconds"), max_occupancy=col("max_occupancy"),
              concurrency=col("concurrency"))
    if model == "erlang_a":
        r = erlang_a.agents_for_target(a, aht, col("patience_seconds"),
                                       max_abandon=col("max_abandon"), **kw)
    else:
        r = erlang.agents_for_target(a, aht, **kw)
    out = frame[["case_type", "interval_start", "volume", "aht_seconds"]].copy()
    out["agents_net"] = r.agents
    out["agents_fractional"] = r.agents_fractional
    out["service_level"] = np.where(a > 0, r.service_level, 1.0)
    out["asa_seconds"] = np.where(a > 0, r.asa_seconds, 0.0)
    out["occupancy"] = r.occupancy
    out["abandon_rate"] = r.abandon_rate
    out["erlangs"] = a
    out["model"] = model
    return out


def _deadline(frame: pd.DataFrame, name: str, t: Targets, config: PlannerConfig,
              minutes: int, holidays: set) -> pd.DataFrame:
    """One back-office case type on its full interval grid, its workload spread over the window."""
    frame = frame.sort_values("interval_start")
    grid = pd.date_range(frame["interval_start"].min(), frame["interval_start"].max(),
                         freq=f"{minutes}min").astype("datetime64[ns]")
    f = frame.set_index("interval_start").reindex(grid)
    volume = f["volume"].fillna(0.0).to_numpy(dtype=float)
    aht = f["aht_seconds"].to_numpy(dtype=float)
    work = np.where(volume > 0, volume * np.nan_to_num(aht, nan=0.0), 0.0)
    is_open = open_mask(grid, config.center, holidays, hours=t.hours)
    assert t.deadline_hours is not None
    window = max(1, int(np.floor(t.deadline_hours * 60 / minutes + 1e-9)))
    spread = spread_workload(work, is_open, window)
    seconds = minutes * 60.0
    a = spread.workload_seconds / seconds
    slots = a / t.max_occupancy
    frac = slots / t.concurrency
    n = erlang.ceil_exact(frac)
    out = pd.DataFrame({"case_type": name, "interval_start": grid, "volume": volume, "aht_seconds": aht})
    out["agents_net"] = n
    out["agents_fractional"] = frac
    # Share of this interval's arrivals answered within the deadline under the plan.
    out["service_level"] = np.where(spread.on_time | (work == 0), 1.0, 0.0)
    out["asa_seconds"] = np.nan  # no queue: answered within the deadline instead
    with np.errstate(divide="ignore", invalid="ignore"):
        out["occupancy"] = np.where(n > 0, a / (n * t.concurrency), 0.0)
    out["abandon_rate"] = 0.0
    out["erlangs"] = a
    out["model"] = "deadline"
    return out


def requirements(forecast: pd.DataFrame, config: PlannerConfig,
                 overrides: Overrides | None = None, *, file: str = "forecast.csv") -> pd.DataFrame:
    """Agents needed per case type and interval to meet each case type's target.

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``case_type``, ``interval_start``, ``volume``, ``aht_seconds``; ``volume_high`` (optional)
        gives ``agents_net_high``, the requirement at the top of the forecast interval.
    config : PlannerConfig
        Targets per case type (``config.case_type(name)``) and staffing defaults.
    overrides : Overrides, optional
        Settings that replace the configuration for every case type.

    Returns
    -------
    pandas.DataFrame
        One row per case type and interval, columns :data:`COLUMNS`, sorted by case type (in
        configuration order) and interval.
    """
    missing = [c for c in ("case_type", "interval_start", "volume") if c not in forecast.columns]
    if missing:
        raise ContractError([Problem(file, 1, c, None, "a column of forecast.csv") for c in missing])
    _check(forecast, file)
    present = set(forecast["case_type"].unique())
    names = [n for n in dict.fromkeys([*config.case_types, *sorted(present)]) if n in present]
    tg = {n: targets_for(config, n, overrides) for n in names}
    minutes = interval_minutes_of(forecast, config.center.interval_minutes)
    out = _staff(forecast, config, tg, names, minutes)
    # The same plan at the top of the forecast interval: how much a busy week could need.
    if "volume_high" in forecast and forecast["volume_high"].notna().any():
        high = forecast.assign(volume=forecast["volume_high"].fillna(forecast["volume"]))
        out["agents_net_high"] = _staff(high, config, tg, names, minutes)["agents_net"].to_numpy()
    else:
        out["agents_net_high"] = out["agents_net"]
    return out[list(COLUMNS)]


def _staff(forecast: pd.DataFrame, config: PlannerConfig, tg: dict[str, Targets], names: list[str],
           minutes: int) -> pd.DataFrame:
    """Requirement rows of every case type, sorted by case type (config order) and interval."""
    seconds = minutes * 60.0
    parts = []
    by_model = forecast["case_type"].map({n: t.model for n, t in tg.items()})
    for model in ("erlang_c", "erlang_a"):
        sel = forecast[(by_model == model).to_numpy()]
        if not sel.empty:
            parts.append(_queue(sel, tg, model, seconds))
    deadline = [n for n in names if tg[n].model == "deadline"]
    if deadline:
        hol = _holidays(config, forecast["interval_start"])
        for n in deadline:
            parts.append(_deadline(forecast[forecast["case_type"] == n], n, tg[n], config,
                                   minutes, hol))
    out = pd.concat(parts, ignore_index=True)
    shrink = out["case_type"].map({n: t.shrinkage for n, t in tg.items()}).astype(float)
    out["shrinkage"] = shrink
    out["agents_gross"] = erlang.gross_agents(out["agents_net"].to_numpy(), shrink.to_numpy())
    out["agents_gross_fractional"] = out["agents_fractional"] / (1.0 - shrink)
    order = {n: i for i, n in enumerate(names)}
    out = out.sort_values(["case_type", "interval_start"],
                          key=lambda s: s.map(order) if s.name == "case_type" else s)
    out["agents_net"] = out["agents_net"].astype("int64")
    out["agents_gross"] = out["agents_gross"].astype("int64")
    return out.reset_index(drop=True)


def summarise(req: pd.DataFrame, interval_minutes: int | None = None) -> pd.DataFrame:
    """Per case type: model, peak and mean agents (mean over intervals with work), agent-hours."""
    if interval_minutes is None:
        interval_minutes = interval_minutes_of(req, 30)
    busy = req["agents_net"] > 0
    g = req.groupby("case_type", sort=False)
    out = pd.DataFrame({
        "model": g["model"].first(),
        "peak_net": g["agents_net"].max(),
        "mean_net": req[busy].groupby("case_type", sort=False)["agents_net"].mean(),
        "peak_gross": g["agents_gross"].max(),
        "mean_gross": req[busy].groupby("case_type", sort=False)["agents_gross"].mean(),
        "gross_hours": g["agents_gross"].sum() * interval_minutes / 60.0,
    })
    return out.fillna({"mean_net": 0.0, "mean_gross": 0.0})


__all__ = ["COLUMNS", "FORECAST", "Overrides", "Targets", "read_forecast", "requirements",
           "summarise", "targets_for"]
