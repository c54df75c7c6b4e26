"""Raw KPIs per agent (and per agent and case type) from cases.csv over a window.

Only served cases count: an abandoned case or one without an agent says nothing about an agent.
Every KPI is optional: it is used when its column is present and carries enough values, so a call log
with only handle times still gets tiers (on handle time alone, and the reason says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.tiers.casemix import wait_band

# KPI name -> cases.csv column. The order is the order of columns and of reasons.
KPI_COLUMNS: dict[str, str] = {
    "handle_time": "handle_seconds",
    "fcr": "resolved_first_contact",
    "reopen": "reopened",
    "transfers": "transfers",
    "csat": "csat",
    "qa": "qa_score",
}
# Whether a larger value is better (handle time: shorter is better at equal outcomes).
HIGHER_IS_BETTER: dict[str, bool] = {
    "handle_time": False, "fcr": True, "reopen": False, "transfers": False, "csat": True, "qa": True,
}
# Rates are modelled as beta-binomial; the others as normal means.
RATE_KPIS: frozenset[str] = frozenset({"fcr", "reopen", "transfers"})
LABELS: dict[str, str] = {
    "handle_time": "handle time", "fcr": "first-contact resolution", "reopen": "reopen rate",
    "transfers": "transfer rate", "csat": "CSAT", "qa": "QA score",
}
# A handle time under one second is a logging artefact; the log model needs a positive value.
_MIN_HANDLE_S = 1.0


@dataclass(frozen=True)
class Window:
    """The period the KPIs cover: [start, end)."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def weeks(self) -> float:
        return (self.end - self.start) / pd.Timedelta(weeks=1)


def kpi_window(cases: pd.DataFrame, weeks: int, as_of: pd.Timestamp | None = None) -> Window:
    """The last ``weeks`` weeks ending at ``as_of`` (default: just after the newest case).

    The start is never before the day of the oldest case, so that volumes per week are not
    diluted when the history is shorter than the window (a one-month log with a 12-week window).
    """
    if as_of is None:
        newest = pd.Timestamp(cases["created_at"].max())
        as_of = newest.normalize() + pd.Timedelta(days=1)
    end = pd.Timestamp(as_of)
    oldest = pd.Timestamp(cases["created_at"].min()).normalize()
    return Window(max(end - pd.Timedelta(weeks=weeks), min(oldest, end)), end)


def served_cases(cases: pd.DataFrame, window: Window | None = None) -> pd.DataFrame:
    """Cases handled by an agent inside the window, with one numeric outcome column per KPI.

    Adds ``segment`` (case type and channel: what the case-mix model compares within), ``wait_band``
    (when waits are known) and ``y_<kpi>`` columns: log handle time, 0/1 for rates (transfers:
    transferred at least once), CSAT and QA as given. Missing values stay NaN.
    """
    if "agent_id" not in cases.columns:
        return pd.DataFrame(columns=["agent_id", "case_type", "segment"])
    keep = cases["agent_id"].notna()
    if "abandoned" in cases.columns:
        keep &= ~cases["abandoned"].fillna(False).astype(bool)
    if window is not None:
        keep &= (cases["created_at"] >= window.start) & (cases["created_at"] < window.end)
    df = cases.loc[keep.to_numpy()]
    out = pd.DataFrame({
        "agent_id": df["agent_id"].astype(str).to_numpy(),
        "case_type": df["case_type"].astype(str).to_numpy(),
        "created_at": df["created_at"].to_numpy(),
    })
    channel = (df["channel"].astype("string").fillna("").astype(str).to_numpy() if "channel" in df.columns
               else np.full(len(df), ""))
    out["segment"] = out["case_type"] + "|" + channel
    for kpi, col in KPI_COLUMNS.items():
        if col not in df.columns:
            continue
        v = pd.to_numeric(df[col].astype("Float64"), errors="coerce").astype(float).to_numpy()
        if kpi == "handle_time":
            v = np.where(v > 0, np.log(np.maximum(v, _MIN_HANDLE_S)), np.nan)
        elif kpi == "transfers":
            v = np.where(np.isnan(v), np.nan, (v > 0).astype(float))
        out[f"y_{kpi}"] = v
    if "handle_seconds" in df.columns:
        out["handle_seconds"] = df["handle_seconds"].astype(float).to_numpy()
    if "wait_seconds" in df.columns:
        out["wait_band"] = wait_band(df["wait_seconds"].astype(float).to_numpy())
    # Categoricals: every later grouping and lookup works on small integer codes (a year of cases
    # for 200 agents is a million rows).
    for col in ("agent_id", "case_type", "segment"):
        out[col] = out[col].astype("category")
    return out


def available_kpis(served: pd.DataFrame, min_values: int = 30) -> list[str]:
    """KPIs the data can support: the column exists and has at least ``min_values`` values."""
    found = []
    for kpi in KPI_COLUMNS:
        col = f"y_{kpi}"
        if col in served.columns and int(served[col].notna().sum()) >= min_values:
            found.append(kpi)
    return found


def raw_kpis(served: pd.DataFrame, kpis: list[str], by: list[str], weeks: float) -> pd.DataFrame:
    """Unadjusted KPIs grouped by ``by`` (["agent_id"] or ["agent_id", "case_type"]).

    Columns: ``cases``, ``cases_per_week``, ``aht_seconds``, ``fcr``, ``reopen``, ``transfer_rate``,
    ``csat`` with ``surveys``, ``qa`` with ``qa_reviews`` (those whose KPI is available).
    """
    g = served.groupby(by, sort=True, observed=True)
    out = g.size().rename("cases").to_frame()
    out["cases_per_week"] = out["cases"] / max(weeks, 1e-9)
    if "handle_time" in kpis:
        out["aht_seconds"] = g["handle_seconds"].mean()
    for kpi, name in (("fcr", "fcr"), ("reopen", "reopen"), ("transfers", "transfer_rate")):
        if kpi in kpis:
            out[name] = g[f"y_{kpi}"].mean()
    if "csat" in kpis:
        out["csat"] = g["y_csat"].mean()
        out["surveys"] = g["y_csat"].count()
    if "qa" in kpis:
        out["qa"] = g["y_qa"].mean()
        out["qa_reviews"] = g["y_qa"].count()
    return out.reset_index()
