"""Convert the "Anonymous Bank" call log (Technion SEE lab, February 1999) into a data folder.

One record per call, whitespace-separated, dates YYMMDD and times H:MM:SS. Mapping to the contract:
PHANTOM calls (virtual, not real customers) are dropped; ``abandoned`` = outcome HANG; ``wait_seconds``
= ``q_time``; ``handle_seconds`` = ``ser_time`` (served calls only); ``agent_id`` = ``server``
(NO_SERVER -> empty, also for the few calls served without a named agent); ``case_type`` = ``type``;
``channel`` = phone; ``created_at`` = ``date`` + ``vru_entry`` (when the customer called; the date is
that of the call's entry, so a call entering at 23:59 stays on its day however late it is served).
``0:00:00`` in ``q_start``/``ser_start`` means "never queued / never served", not midnight, so those
columns are not used for times.

Skills are inferred from who served which type: an agent has a skill for every type they served; the
level compares their count with the average count of the agents who served the type (a volume-based
proxy: an agent who takes a large share of a type is, in that center, one of its regulars).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import ContractError, Problem
from planner.io.writers import write_csv, write_text

REQUIRED = ("vru+line", "call_id", "type", "date", "vru_entry", "q_time", "outcome", "ser_time",
            "server")
TIMEZONE = "Asia/Jerusalem"
COUNTRY = "IL"
NO_SERVER = "NO_SERVER"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Level from the agent's count relative to the mean count of those serving the type.
_LEVEL_EDGES = (0.2, 0.5, 1.0, 2.0)  # below 0.2 -> 1, 0.2..0.5 -> 2, ... >= 2.0 -> 5
# An hour is inside the opening hours when it gets at least this share of the weekday's peak hour.
_OPEN_SHARE = 0.10


@dataclass(frozen=True)
class AnonbankImport:
    """The converted tables, the config text and what was found along the way."""

    cases: pd.DataFrame
    agents: pd.DataFrame
    skills: pd.DataFrame
    config_text: str
    dropped_phantom: int
    served_without_agent: int
    zero_handle: int
    opening_hours: dict[str, str] = field(default_factory=dict)


def read_anonbank(path: str | Path) -> pd.DataFrame:
    """The raw log as strings (``.gz`` accepted); every required column checked."""
    path = Path(path)
    if not path.exists():
        raise ContractError([Problem(str(path), None, None, None, "an existing call-log file")])
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    frame = pd.read_csv(io.StringIO(text), sep=r"\s+", dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ContractError([Problem(str(path), 1, c, None,
                                     "a column of the Anonymous Bank log (whitespace-separated, "
                                     f"header {' '.join(REQUIRED)})") for c in missing])
    return frame


def _seconds(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce")


@dataclass(frozen=True)
class _Converted:
    """One log's cases and what was dropped or odd in it."""

    cases: pd.DataFrame
    dropped_phantom: int
    served_without_agent: int
    zero_handle: int


def _convert_log(raw: pd.DataFrame, file: str) -> _Converted:
    """One raw log as contract cases (every problem named by this file and its row)."""
    outcome = raw["outcome"].str.upper()
    phantom = outcome == "PHANTOM"
    df = raw[~phantom].reset_index(drop=True)
    outcome = outcome[~phantom].reset_index(drop=True)
    problems = []
    day = pd.to_datetime(df["date"], format="%y%m%d", errors="coerce")
    clock = pd.to_timedelta(df["vru_entry"], errors="coerce")
    created = day + clock
    for col, bad in (("date", day.isna()), ("vru_entry", clock.isna() | (clock >= pd.Timedelta(days=1)))):
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            problems.append(Problem(file, int(i) + 2, col, str(df[col].iloc[i]),
                                    "YYMMDD" if col == "date" else "a time H:MM:SS"))
    unknown = ~outcome.isin(["AGENT", "HANG"])
    for i in np.flatnonzero(unknown.to_numpy())[:20]:
        problems.append(Problem(file, int(i) + 2, "outcome", str(df["outcome"].iloc[i]),
                                "AGENT, HANG or PHANTOM"))
    q_time = _seconds(df["q_time"])
    ser_time = _seconds(df["ser_time"])
    for col, vals in (("q_time", q_time), ("ser_time", ser_time)):
        for i in np.flatnonzero((vals.isna() | (vals < 0)).to_numpy())[:20]:
            problems.append(Problem(file, int(i) + 2, col, str(df[col].iloc[i]), "seconds >= 0"))
    if problems:
        raise ContractError(problems)
    served = (outcome == "AGENT").to_numpy()
    server = df["server"].where(df["server"] != NO_SERVER, "")
    cases = pd.DataFrame({
        # call_id restarts per VRU line: the line makes it unique (within a month)
        "case_id": df["vru+line"] + "-" + df["call_id"],
        "created_at": created.dt.strftime("%Y-%m-%dT%H:%M:%S"),
        "case_type": df["type"],
        "channel": "phone",
        "agent_id": server.where(served, ""),
        "handle_seconds": np.where(served, ser_time.astype("Int64").astype(str), ""),
        "wait_seconds": q_time.astype("Int64"),
        "abandoned": (~served).astype(int),
        "priority": df["priority"] if "priority" in df.columns else "",
    })
    return _Converted(cases, int(phantom.sum()),
                      int((served & (server == "").to_numpy()).sum()),
                      int((served & (ser_time == 0).to_numpy()).sum()))


def convert_anonbank(raw: pd.DataFrame | list[tuple[pd.DataFrame, str]],
                     file: str = "february.txt") -> AnonbankImport:
    """Map the raw log onto the cases/agents/skills contracts and derive a planner.toml.

    ``raw`` is one log, or several ``(log, file name)`` pairs (months of the same center) that are
    joined into one history; each is checked on its own so a problem names its file and row.
    """
    logs = raw if isinstance(raw, list) else [(raw, file)]
    parts = [_convert_log(log, name) for log, name in logs]
    cases = pd.concat([p.cases for p in parts], ignore_index=True)
    created = pd.to_datetime(cases["created_at"])
    order = np.argsort(created.to_numpy(), kind="stable")
    cases = cases.iloc[order].reset_index(drop=True)
    created = created.iloc[order].reset_index(drop=True)
    if cases["case_id"].duplicated().any():
        cases["case_id"] = cases["created_at"].str[:10] + "-" + cases["case_id"]
    if cases["case_id"].duplicated().any():
        cases["case_id"] += "-" + cases.groupby("case_id").cumcount().astype(str)

    named = cases[cases["agent_id"] != ""]
    counts = named.groupby(["agent_id", "case_type"]).size().rename("n").reset_index()
    mean_per_type = counts.groupby("case_type")["n"].transform("mean")
    ratio = counts["n"] / mean_per_type
    counts["level"] = 1 + np.searchsorted(np.asarray(_LEVEL_EDGES), ratio.to_numpy(), side="right")
    skills = counts[["agent_id", "case_type", "level"]].sort_values(["agent_id", "case_type"])
    skills = skills.reset_index(drop=True)
    ids = sorted(named["agent_id"].unique())
    agents = pd.DataFrame({"agent_id": ids, "name": [i.title() for i in ids]})

    hours = _opening_hours(created)
    answered = cases[cases["abandoned"] == 0]
    aht = pd.to_numeric(answered["handle_seconds"]).groupby(answered["case_type"]).mean()
    text = _config_text(cases, hours, aht)
    return AnonbankImport(
        cases, agents, skills, text,
        dropped_phantom=sum(p.dropped_phantom for p in parts),
        served_without_agent=sum(p.served_without_agent for p in parts),
        zero_handle=sum(p.zero_handle for p in parts),
        opening_hours=hours,
    )
def _opening_hours(created: pd.Series) -> dict[str, str]:
    """Per weekday, the span of whole hours that get at least 10 % of that weekday's peak hour."""
    per_day = created.dt.normalize()
    out = {}
    for d, name in enumerate(_DAYS):
        sel = created.dt.day_of_week == d
        n_days = per_day[sel].nunique()
        if n_days == 0:
            out[name] = "closed"
            continue
        by_hour = created[sel].dt.hour.value_counts().reindex(range(24), fill_value=0) / n_days
        busy = np.flatnonzero(by_hour.to_numpy() >= _OPEN_SHARE * by_hour.max())
        if by_hour.max() < 1 or len(busy) == 0:
            out[name] = "closed"
            continue
        # Midnight as 00:00: spreadsheets and pandas cannot read 24:00.
        out[name] = f"{busy[0]:02d}:00-{(busy[-1] + 1) % 24:02d}:00"
    return out


def _patience(cases: pd.DataFrame) -> pd.Series:
    """Mean patience per type, exponential MLE with censoring: total time queued / abandonments."""
    queued = cases["wait_seconds"].astype(float)
    ab = cases["abandoned"] == 1
    total = queued.groupby(cases["case_type"]).sum()
    n_ab = (ab & (queued > 0)).groupby(cases["case_type"]).sum()
    return (total / n_ab.where(n_ab > 0)).dropna()


def _months(cases: pd.DataFrame) -> str:
    """'January-February 1999' for the span of the log."""
    created = pd.to_datetime(cases["created_at"])
    first, last = created.min(), created.max()
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    if first.year == last.year:
        return f"{first:%B}-{last:%B %Y}"
    return f"{first:%B %Y}-{last:%B %Y}"


def _config_text(cases: pd.DataFrame, hours: dict[str, str], aht: pd.Series) -> str:
    overall = float(np.average(aht.to_numpy(), weights=cases["case_type"].value_counts()[aht.index]))
    patience = _patience(cases)
    span = ", ".join(f'{d} = "{v}"' for d, v in hours.items())
    lines = [
        "# Converted from the Anonymous Bank call log (planner import anonbank).",
        "",
        "[center]",
        f'name = "Anonymous Bank (Israel), {_months(cases)}"',
        f'timezone = "{TIMEZONE}"',
        f'country = "{COUNTRY}"',
        "interval_minutes = 30",
        "# From the data: hours that get at least 10% of the weekday's busiest hour.",
        f"opening_hours = {{ {span} }}",
        "",
    ]
    for name in sorted(cases["case_type"].unique()):
        ratio = float(aht.get(name, overall)) / overall
        complexity = "complex" if ratio >= 1.3 else "transactional" if ratio <= 0.7 else "standard"
        lines += [f"[case_types.{name}]", 'channel = "phone"', f'complexity = "{complexity}"',
                  "service_level = 0.8", "answer_seconds = 20"]
        if name in patience.index:
            lines.append(f"patience_seconds = {patience[name]:.0f}")
        lines.append("")
    return "\n".join(lines)


def import_anonbank(path: str | Path | Sequence[str | Path], out: str | Path) -> AnonbankImport:
    """Read one log or several months (january.txt.gz, february.txt ...) as one history and write
    cases.csv, agents.csv, skills.csv and planner.toml."""
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    result = convert_anonbank([(read_anonbank(p), p.name) for p in paths])
    out = Path(out)
    write_csv(result.cases, out / "cases.csv")
    write_csv(result.agents, out / "agents.csv")
    write_csv(result.skills, out / "skills.csv")
    write_text(result.config_text, out / "planner.toml")
    return result
