"""What-if runs side by side: the key figures of several run folders and what differs in their inputs.

Each run folder is read as the report reads it (its files, run.json); nothing is recomputed. The
figures: shortfall by case type [agent-hours], the simulated service level, paid hours, cost (paid
hours x each agent's ``hourly_cost`` when the data folder gives one) and the FTE to hire.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from planner.errors import MissingInputError
from planner.io import write_csv, write_text
from planner.io.runfolder import RunFolder

# run.json entries that differ between any two runs and say nothing about the inputs.
# (The run id, folder, times and per-file hashes are the transaction's record of the run.)
_VOLATILE = ("timings_seconds", "versions", "run_id", "stage", "folder", "started", "finished",
             "complete", "files")


@dataclass(frozen=True)
class Comparison:
    """``figures``: one row per figure, one column per run; ``inputs``: the run.json entries (and
    input files) that differ, one row each."""

    runs: list[str]
    figures: pd.DataFrame
    inputs: pd.DataFrame


def _read(run: RunFolder, name: str) -> pd.DataFrame | None:
    path = run.file(name)
    return pd.read_csv(path) if path.exists() else None


def _figures(run: RunFolder, manifest: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    short = _read(run, "report_shortages")
    if short is not None:
        out["shortfall, all types [h]"] = float(short["shortfall_hours"].sum())
        for r in short.sort_values("case_type").itertuples():
            out[f"shortfall, {r.case_type} [h]"] = float(r.shortfall_hours)
    sim = _read(run, "simulation_summary")
    if sim is not None and "service_level" in sim:
        if "policy" in sim and sim["policy"].nunique() > 1:
            sim = sim[sim["policy"] == ("tier-aware" if "tier-aware" in set(sim["policy"]) else sim["policy"].iloc[0])]
        overall = sim[sim["case_type"] == "all"]
        if len(overall):
            out["simulated service level"] = float(overall["service_level"].iloc[0])
    sched = _read(run, "schedule")
    if sched is not None and "paid_hours" in sched:
        out["paid hours"] = float(sched["paid_hours"].sum())
        agents = Path(manifest.get("data", "")) / "agents.csv" if manifest.get("data") else None
        if agents is not None and agents.exists():
            rates = pd.read_csv(agents, dtype={"agent_id": str})
            if "hourly_cost" in rates and rates["hourly_cost"].notna().any():
                rate = rates.set_index("agent_id")["hourly_cost"]
                paid = sched.astype({"agent_id": str}).groupby("agent_id")["paid_hours"].sum()
                out["cost"] = float((paid * rate.reindex(paid.index).fillna(0)).sum())
    hires = _read(run, "report_hiring")
    if hires is not None and "fte" in hires:
        out["hires [FTE]"] = float(hires["fte"].sum())
    return out


def compare_runs(paths: list[str | Path]) -> Comparison:
    """Read each run folder and line up its figures and its inputs."""
    runs = [RunFolder(p) for p in paths]
    for r in runs:
        if not r.path.is_dir():
            raise MissingInputError(f"{r.path} is not a run folder")
    names = [str(r.path) for r in runs]
    manifests = []
    for r in runs:
        try:
            manifests.append(r.read_json("run"))
        except ValueError:
            manifests.append({})
    figs = {n: _figures(r, m) for n, r, m in zip(names, runs, manifests, strict=True)}
    order = list(dict.fromkeys(k for f in figs.values() for k in f))
    figures = pd.DataFrame({n: [figs[n].get(k) for k in order] for n in names}, index=order)
    figures.index.name = "figure"
    rows = []
    keys = dict.fromkeys(k for m in manifests for k in m if k not in _VOLATILE and k != "inputs_sha256")
    for k in keys:
        values = [m.get(k) for m in manifests]
        if len({repr(v) for v in values}) > 1:
            rows.append({"input": k, **{n: v for n, v in zip(names, values, strict=True)}})
    files = dict.fromkeys(f for m in manifests for f in m.get("inputs_sha256", {}))
    for f in files:
        hashes = [m.get("inputs_sha256", {}).get(f) for m in manifests]
        if len(set(hashes)) > 1:
            rows.append({"input": f"file {f}", **{n: (h[:12] if h else "absent")
                                                  for n, h in zip(names, hashes, strict=True)}})
    inputs = pd.DataFrame(rows, columns=["input", *names])
    return Comparison(names, figures, inputs)


def write_comparison(cmp: Comparison, out: str | Path) -> list[Path]:
    """compare.csv (the figures) and compare.html (figures and input differences) in ``out``."""
    out = Path(out)
    table = cmp.figures.reset_index()
    page = ["<!doctype html><html><head><meta charset='utf-8'><title>planner: runs compared</title>",
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:right}"
            "td:first-child,th:first-child{text-align:left}table{border-collapse:collapse}"
            "tr:nth-child(even){background:#f4f4f4}</style></head><body><h1>Runs compared</h1>",
            "<table><tr><th>figure</th>" + "".join(f"<th>{escape(n)}</th>" for n in cmp.runs) + "</tr>"]
    for r in table.itertuples(index=False):
        cells = "".join(f"<td>{'' if pd.isna(v) else escape(f'{v:,.3g}' if abs(v) < 1 else f'{v:,.1f}')}</td>"
                        for v in r[1:])
        page.append(f"<tr><td>{escape(str(r[0]))}</td>{cells}</tr>")
    page.append("</table><h2>What differs in the inputs</h2>")
    if cmp.inputs.empty:
        page.append("<p>Nothing: the same options and the same input files.</p>")
    else:
        page.append("<table><tr>" + "".join(f"<th>{escape(str(c))}</th>" for c in cmp.inputs.columns) + "</tr>")
        for r in cmp.inputs.itertuples(index=False):
            page.append("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in r) + "</tr>")
        page.append("</table>")
    page.append("</body></html>\n")
    return [write_csv(table, out / "compare.csv", float_format="%.4f"),
            write_text("\n".join(page), out / "compare.html")]
