"""The roll-up of a multi-site run: ``RUN/`` beside the sites' own folders ``RUN/<site>/``.

- ``sites.csv``: one row per site, the sites most at risk first (failed sites, then the largest
  share of required hours left short, then the lowest simulated service level): shortfall,
  simulated service level, case types below target, hires and training, time and cores, the error.
- ``coverage.csv``, ``hiring.csv``, ``training_candidates.csv``: the sites' ``coverage.csv``,
  ``report_hiring.csv`` and ``report_training.csv`` one after another, with a ``site`` column
  first (times are each site's local time; ``sites.csv`` names its time zone).
- ``report.md`` and ``report.html``: the same, readable.
- ``sites.json``: what ran (the engine, the options, every site's outcome).

Only sites that completed this run contribute rows; a failed site's folder keeps its previous
complete run (if any), which the roll-up does not count.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from html import escape
from pathlib import Path

import pandas as pd

from planner.io.cells import read_csv
from planner.io.runfolder import RunFolder
from planner.io.writers import write_csv, write_text
from planner.report.html import CSS, table
from planner.report.markdown import md_table, md_text
from planner.sites.task import SiteOutcome

ROLLUP_FILES = ("sites.csv", "coverage.csv", "hiring.csv", "training_candidates.csv", "report.md",
                "report.html", "sites.json")
SITE_COLUMNS = ["site", "status", "timezone", "agents", "required_hours", "scheduled_hours",
                "shortfall_hours", "shortfall_share", "service_level", "below_target", "hires_fte",
                "training_hours_planned", "training_candidates", "seconds", "cpu_seconds", "cores", "attempts",
                "error"]


def _frame(run: RunFolder, name: str) -> pd.DataFrame | None:
    path = run.file(name)
    if not path.exists():
        return None
    try:
        return read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
        return None


def _site_row(out: SiteOutcome, folder: Path) -> dict:
    row: dict = dict.fromkeys(SITE_COLUMNS, math.nan)
    row.update(site=out.site, status="done" if out.ok else "failed", error=out.error,
               seconds=round(out.seconds, 1), cpu_seconds=round(out.cpu_seconds, 1), cores=out.cores,
               attempts=out.attempts,
               below_target="", timezone="")
    if not out.ok:
        return row
    run = RunFolder(folder)
    row["timezone"] = run.read_json("run").get("timezone", "")
    sched = _frame(run, "schedule")
    if sched is not None:
        row["agents"] = int(sched["agent_id"].nunique()) if len(sched) else 0
    short = _frame(run, "report_shortages")
    if short is not None and len(short):
        for col in ("required_hours", "scheduled_hours", "shortfall_hours"):
            row[col] = round(float(short[col].sum()), 1)
        if row["required_hours"] > 0:
            row["shortfall_share"] = round(row["shortfall_hours"] / row["required_hours"], 4)
        if {"simulated_service_level", "target_service_level"} <= set(short.columns):
            below = short[short["simulated_service_level"] < short["target_service_level"]]
            row["below_target"] = ", ".join(map(str, below["case_type"]))
    sim = _frame(run, "simulation_summary")
    if sim is not None and len(sim):
        overall = sim[sim["case_type"] == "all"]
        if len(overall):
            row["service_level"] = round(float(overall["service_level"].iloc[0]), 4)
    hiring = _frame(run, "report_hiring")
    row["hires_fte"] = round(float(hiring["fte"].sum()), 2) if hiring is not None and len(hiring) else 0.0
    plan = _frame(run, "training_plan")
    if plan is not None and len(plan):
        row["training_hours_planned"] = float(plan["hours_planned"].sum())
    cand = _frame(run, "report_training")
    row["training_candidates"] = len(cand) if cand is not None else 0
    return row


def sites_table(outcomes: list[SiteOutcome], out: Path) -> pd.DataFrame:
    """One row per site, the most at risk first."""
    rows = [_site_row(o, out / o.site) for o in outcomes]
    frame = pd.DataFrame(rows, columns=SITE_COLUMNS)
    frame["_failed"] = frame["status"] != "done"
    frame = frame.sort_values(["_failed", "shortfall_share", "service_level", "site"],
                              ascending=[False, False, True, True], na_position="last", kind="stable")
    return frame.drop(columns="_failed").reset_index(drop=True)


def _combined(outcomes: list[SiteOutcome], out: Path, name: str) -> pd.DataFrame:
    frames = []
    for o in outcomes:
        if not o.ok:
            continue
        frame = _frame(RunFolder(out / o.site), name)
        if frame is not None:
            frames.append(frame.assign(site=o.site)[["site", *frame.columns]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["site"])


FORMATS: dict[str, str | None] = {
    "site": None, "status": None, "timezone": None, "agents": "{:,.0f}", "required_hours": "{:,.1f}",
    "shortfall_hours": "{:,.1f}", "shortfall_share": "pct", "service_level": "pct",
    "below_target": None, "hires_fte": "{:,.1f}", "training_hours_planned": "{:,.1f}",
    "training_candidates": "{:,.0f}", "seconds": "{:,.0f}", "error": None}


def _headline(sites: pd.DataFrame) -> list[str]:
    done = sites[sites["status"] == "done"]
    failed = sites[sites["status"] != "done"]
    lines = [f"{len(done)} of {len(sites)} site(s) planned"
             + (f"; failed: {', '.join(failed['site'])}" if len(failed) else "")]
    if len(done):
        req, short = done["required_hours"].sum(), done["shortfall_hours"].sum()
        share = f" ({short / req:.1%} of {req:,.1f} h required)" if req > 0 else ""
        lines.append(f"shortfall {short:,.1f} agent-hours{share}; hires {done['hires_fte'].sum():,.1f} FTE")
        worst = done.iloc[0]
        if worst["shortfall_hours"] == worst["shortfall_hours"] and worst["shortfall_hours"] > 0:
            lines.append(f"most at risk: {worst['site']} ({worst['shortfall_share']:.1%} of its required "
                         f"hours short)")
    return lines


def render_markdown(sites: pd.DataFrame, hiring: pd.DataFrame, engine: str) -> str:
    parts = ["# Multi-site plan", "", *[f"- {md_text(h)}" for h in _headline(sites)], "",
             f"Ran {md_text(engine)}.", "", "## Sites, most at risk first", "",
             md_table(sites, {k: v for k, v in FORMATS.items() if k != "error"}, None), ""]
    failed = sites[sites["status"] != "done"]
    if len(failed):
        parts += ["## Failed sites", ""]
        parts += [f"- **{md_text(r.site)}**: {md_text(r.error)}" for r in failed.itertuples()]
        parts.append("")
    if len(hiring) > 1 or (len(hiring) == 1 and "fte" in hiring):
        by_site = hiring.groupby("site", sort=False)["fte"].sum().reset_index()
        parts += ["## Hiring by site", "", md_table(by_site, {"site": None, "fte": "{:,.1f}"}, None), ""]
    parts += ["Each site's own report: `<site>/report.md`. Combined tables: `coverage.csv`, "
              "`hiring.csv`, `training_candidates.csv` (a `site` column first).", ""]
    return "\n".join(parts)


def render_html(sites: pd.DataFrame, hiring: pd.DataFrame, engine: str) -> str:
    done = sites["status"] == "done"
    shown = sites.assign(site=[s for s in sites["site"]])
    body = [f"<header><h1>Multi-site plan</h1><p>{escape(engine)}</p></header><main>",
            "<section><h2>At a glance</h2><ul>"
            + "".join(f"<li>{escape(h)}</li>" for h in _headline(sites)) + "</ul></section>",
            "<section><h2>Sites, most at risk first</h2>"
            + table(shown, {k: v for k, v in FORMATS.items() if k != "error"},
                    highlight=~done | (sites["shortfall_share"].fillna(0) > 0.05)) + "</section>"]
    failed = sites[~done]
    if len(failed):
        body.append("<section><h2>Failed sites</h2><ul>" + "".join(
            f"<li><b>{escape(str(r.site))}</b>: {escape(str(r.error))}</li>" for r in failed.itertuples())
            + "</ul></section>")
    if "fte" in hiring:
        by_site = hiring.groupby("site", sort=False).agg(fte=("fte", "sum"), heads=("heads", "sum")).reset_index()
        body.append("<section><h2>Hiring by site</h2>"
                    + table(by_site, {"site": None, "fte": "{:,.1f}", "heads": "{:,.0f}"}) + "</section>")
    links = "".join(f'<li><a href="{escape(str(s))}/report.html">{escape(str(s))}</a></li>'
                    for s in sites.loc[done, "site"])
    body.append(f"<section><h2>Each site's report</h2><ul>{links}</ul></section></main>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Multi-site plan</title>"
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n")


def write_rollup(outcomes: list[SiteOutcome], out: str | Path, *, engine: str, options: object,
                 seconds: float) -> pd.DataFrame:
    """Write the roll-up files into ``out``; the sites table."""
    out = Path(out)
    sites = sites_table(outcomes, out)
    hiring = _combined(outcomes, out, "report_hiring")
    write_csv(sites, out / "sites.csv")
    write_csv(_combined(outcomes, out, "coverage"), out / "coverage.csv")
    write_csv(hiring, out / "hiring.csv")
    write_csv(_combined(outcomes, out, "report_training"), out / "training_candidates.csv")
    write_text(render_markdown(sites, hiring, engine), out / "report.md")
    write_text(render_html(sites, hiring, engine), out / "report.html")
    manifest = {"engine": engine, "seconds": round(seconds, 1),
                "options": asdict(options) if hasattr(options, "__dataclass_fields__") else {},
                "sites": {o.site: {"status": "done" if o.ok else "failed", "error": o.error,
                                   "attempts": o.attempts, "cores": o.cores,
                                   "seconds": round(o.seconds, 1),
                                   "cpu_seconds": round(o.cpu_seconds, 1),
                                   "timings": {k: round(v, 2) for k, v in o.timings.items()}}
                          for o in outcomes}}
    write_text(json.dumps(manifest, indent=2, default=str) + "\n", out / "sites.json")
    return sites
