"""Assemble the weekly report from a run folder (and the data folder, when known).

:func:`analyse` turns the run's files into a :class:`WeeklyReport` (tables, charts, headlines);
:func:`build_report` also writes report.html, report.md, the recommendation tables and the
per-agent exports. Every section works from what is present: an absent file becomes a sentence
saying what is missing, not an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.io import DataFolder, PlannerConfig, default_config, load_folder, write_csv, write_text
from planner.report import charts
from planner.report.exports import export_agents
from planner.report.flow import measure_on_fixed_shifts, replan_coverage
from planner.report.runfolder import RunFolder, interval_minutes, read_run
from planner.report.shortage import eligibility, hiring, hours_per_fte, shortages, swarming
from planner.report.training import (
    Resolver,
    measure_by_resolving,
    planned_training,
    suggested_training,
    training_candidates,
)

Progress = Callable[[str], None]


@dataclass
class WeeklyReport:
    """Everything the report shows, as data: a notebook can use it without the HTML."""

    center: str
    run: Path
    week_start: pd.Timestamp | None
    week_end: pd.Timestamp | None
    minutes: int
    figures: dict[str, str] = field(default_factory=dict)
    headlines: list[str] = field(default_factory=list)
    shortages: pd.DataFrame | None = None
    training: pd.DataFrame | None = None
    training_suggested: pd.DataFrame | None = None  # the top candidates as training.csv rows
    planned_training: pd.DataFrame | None = None  # the plan's training sessions (roster)
    hiring: pd.DataFrame | None = None
    swarming: pd.DataFrame | None = None
    tier_moves: pd.DataFrame | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    run_id: str = ""  # the run.json id of the files shown


def history_volumes(data: DataFolder | None, minutes: int) -> pd.DataFrame | None:
    """Cases per case type and interval from the data folder (for 'forecast vs recent weeks')."""
    if data is None:
        return None
    if data.volumes is not None:
        return data.volumes[["case_type", "interval_start", "volume"]]
    if data.cases is None:
        return None
    c = data.cases
    slot = c["created_at"].dt.floor(f"{minutes}min")
    return (c.assign(interval_start=slot).groupby(["case_type", "interval_start"]).size()
            .rename("volume").reset_index())


def tier_moves(tiers: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame | None:
    """Agents whose tier differs from last week's (``previous_tier`` column or tiers_previous.csv)."""
    t = tiers.copy()
    if previous is not None:
        prev = previous[["agent_id", "tier"]].rename(columns={"tier": "previous_tier"})
        t = t.drop(columns=[c for c in ("previous_tier",) if c in t]).merge(prev, on="agent_id", how="left")
    if "previous_tier" not in t:
        return None
    t["previous_tier"] = t["previous_tier"].astype("string")
    moved = t[t["previous_tier"].notna() & (t["previous_tier"] != t["tier"])]
    cols = [c for c in ("agent_id", "previous_tier", "tier", "score", "reason") if c in moved]
    return moved[cols].sort_values("agent_id").reset_index(drop=True)


def _fmt_hours(h: float) -> str:
    return f"{h:,.1f} h"


def analyse(run: RunFolder, data: DataFolder | None = None, config: PlannerConfig | None = None,
            resolve: Resolver | None = None, resolve_top: int = 3,
            progress: Progress | None = None) -> WeeklyReport:
    """Compute every table, chart and headline of the report from a read run folder."""
    say = progress or (lambda _m: None)
    cfg = config or (data.config if data is not None else default_config())
    minutes = interval_minutes(run, cfg.center.interval_minutes)
    fc, cov, sim = run.get("forecast"), run.get("coverage"), run.get("simulation")
    asg, tiers = run.get("assignments"), run.get("tiers")
    span = next((f["interval_start"] for f in (fc, cov, asg) if f is not None and len(f)), None)
    # A run staged by planner.io.transaction names the folder it will be moved to.
    shown = Path(run.manifest["folder"]) if run.manifest.get("folder") else run.path
    rep = WeeklyReport(cfg.center.name, shown,
                       span.min() if span is not None else None,
                       span.max() if span is not None else None, minutes, notes=list(run.notes),
                       run_id=str(run.manifest.get("run_id", "")))
    case_types = sorted(set(cfg.case_types) | set(fc["case_type"].astype(str) if fc is not None else []))

    say("charts: forecast")
    if fc is not None:
        rep.charts["forecast"] = charts.forecast_chart(fc, history_volumes(data, minutes))
        rep.figures["cases forecast"] = f"{fc['volume'].sum():,.0f}"
    else:
        rep.missing["forecast"] = "forecast.csv is absent: run `planner forecast` first."
    if run.get("backtest") is not None:
        rep.tables["backtest"] = run.get("backtest")

    req = run.get("requirements")
    if cov is not None:
        # What the schedule was built against (the scheduler covers coverage.csv's `required`).
        rep.figures["agent-hours required"] = _fmt_hours(cov["required"].sum() * minutes / 60)
    elif req is not None:
        rep.figures["agent-hours required"] = _fmt_hours(req["agents_gross"].sum() * minutes / 60)
    skills = data.skills if data is not None else None
    elig = eligibility(skills, tiers, cfg, case_types or sorted(skills["case_type"].unique())) \
        if skills is not None else None

    say("coverage and shortages")
    if cov is not None:
        rep.charts["coverage"] = charts.coverage_chart(cov, minutes)
        rep.charts["shortfall_by_day"] = charts.shortfall_by_day_chart(cov, minutes)
        short = shortages(cov, asg, elig, cfg, minutes, run.get("simulation_summary"))
        rep.shortages = short
        total = short["shortfall_hours"].sum()
        rep.figures["shortfall"] = _fmt_hours(total)
        rep.figures["agent-hours covered"] = _fmt_hours(
            np.minimum(cov["scheduled"].to_numpy(float), cov["required"].to_numpy(float)).sum()
            * minutes / 60)
        for r in short[short["shortfall_hours"] > 0].head(4).itertuples():
            rep.headlines.append(f"{r.case_type} is short {r.shortfall_hours:.1f} agent-hours "
                                 f"(cause: {r.cause}; {r.evidence}).")
        if total == 0:
            rep.headlines.append("Every case type is covered in every interval of the plan.")
    else:
        rep.missing["coverage"] = "coverage.csv is absent: run `planner schedule` first."

    if sim is not None:
        targets = {ct: cfg.case_type(ct).service_level for ct in sim["case_type"].astype(str).unique()}
        say("charts: simulated service level")
        rep.charts["service_level"] = charts.service_level_chart(sim, targets)
        if {"offered", "service_level"} <= set(sim.columns) and sim["offered"].sum() > 0:
            w = sim["offered"].to_numpy(dtype=float)
            sl = np.nan_to_num(sim["service_level"].to_numpy(dtype=float))
            rep.figures["simulated service level"] = f"{np.average(sl, weights=w):.0%}"
            below = []
            for ct, g in sim.groupby("case_type"):
                if g["offered"].sum() > 0:
                    v = np.average(np.nan_to_num(g["service_level"].to_numpy(float)), weights=g["offered"])
                    if v < targets[str(ct)] - 1e-9:
                        below.append(f"{ct} {v:.0%} (target {targets[str(ct)]:.0%})")
            if below:
                rep.headlines.append("Simulated service level below target: " + ", ".join(below) + ".")
    else:
        rep.missing["simulation"] = "simulation.csv is absent: run `planner simulate` first."
    if run.get("simulation_summary") is not None:
        rep.tables["simulation_summary"] = run.get("simulation_summary")

    if tiers is not None:
        say("tiers")
        prev = run.get("tiers_previous")
        rep.charts["tiers"] = charts.tier_chart(tiers, prev)
        rep.tier_moves = tier_moves(tiers, prev)
        rep.tables["tiers"] = tiers
        rep.figures["agents"] = f"{tiers['agent_id'].nunique()}"
    else:
        rep.missing["tiers"] = "tiers.csv is absent: run `planner tiers` first."
    sl_tab = run.get("skill_levels")
    if sl_tab is not None:
        rep.tables["skill_levels"] = sl_tab

    if asg is not None:
        say("roster view")
        order = None
        if tiers is not None:
            rank = {"high": 0, "medium": 1, "low": 2}
            t = tiers.assign(_r=tiers["tier"].map(lambda x: rank.get(str(x), 3)))
            order = t.sort_values(["_r", "agent_id"])["agent_id"].astype(str).tolist()
            order += sorted(set(asg["agent_id"].astype(str)) - set(order))
        rep.charts["roster"] = charts.roster_chart(asg, order, minutes, case_types)
        rep.planned_training = planned_training(asg, minutes)
        rep.figures["agents scheduled"] = f"{asg['agent_id'].nunique()}"
    else:
        rep.missing["roster"] = "assignments.csv is absent: run `planner schedule` first."

    # Recommendations.
    if cov is not None and asg is not None and elig is not None:
        say("recommendations: cross-skilling and upskilling candidates")
        suggested = pd.concat([f for f in (run.get("cross_skilling"), run.get("upskilling"))
                               if f is not None and "agent_id" in f], ignore_index=True) \
            if any(run.get(n) is not None for n in ("cross_skilling", "upskilling")) else None
        cand = training_candidates(cov, asg, elig, skills, tiers, cfg, minutes, suggested, limit=400)
        if len(cand):
            say("recommendations: re-planning activities on the plan's shifts per candidate")
            types = case_types or sorted(skills["case_type"].unique())
            cand = measure_on_fixed_shifts(
                cand, cov, asg, elig, skills, tiers,
                lambda sk, ti: eligibility(sk, ti, cfg, types), minutes, top=400)
            # Rank by the exact figure; the estimate breaks ties (and orders the unmeasured tail).
            cand = cand.sort_values(["fixed_shift_hours", "estimated_hours"], ascending=False,
                                    na_position="last", kind="stable").reset_index(drop=True)
        if resolve is not None and len(cand):
            cand = measure_by_resolving(cand, skills, tiers, resolve, minutes, resolve_top, say)
        rep.training = cand
        rep.training_suggested = suggested_training(cand)
        replanned_all = replan_coverage(cov, asg, elig[elig["eligible"]])
        best = float(replanned_all["shortfall"].sum()) * minutes / 60
        if rep.shortages is not None:
            now = float(rep.shortages["shortfall_hours"].sum())
            # Fractional (swarm) requirements are counted in hundredths of an agent in the flow:
            # never show the re-plan as worse than the plan by that rounding.
            best = min(best, now)
            rep.figures["least shortfall on these shifts"] = _fmt_hours(best)
            if now - best >= max(1.0, 0.05 * now):
                rep.headlines.append(
                    f"Re-plan activities: on this week's shifts and breaks an optimal choice of "
                    f"case type per agent and interval leaves {best:.1f} h short instead of "
                    f"{now:.1f} h (a maximum-flow re-plan; the scheduler's activity stage left "
                    f"{now - best:.1f} h of coverage unused).")
        if len(cand):
            top = cand.iloc[0]
            measured = top.get("measured_hours")
            how = f"; a full re-schedule measured {measured:+.1f} h" if pd.notna(measured) else ""
            rep.headlines.append(
                f"Train next: {top['agent_id']} ({top['tier']}) {top['change']}: removes "
                f"{top['fixed_shift_hours']:.1f} h of shortfall with activities re-planned on this "
                f"week's shifts (first estimate {top['estimated_hours']:.1f} h of {top['case_type']}{how}).")
        fte = hours_per_fte(asg, cfg, minutes)
        rep.figures["on-queue hours per FTE"] = _fmt_hours(fte)
        # Hire for the gap the best activity plan on these shifts still leaves: a hire should not
        # paper over coverage the current staff could give. Expert swarm time is not a hiring skill.
        replanned = replanned_all[replanned_all["case_type"].astype(str) != "swarm"]
        left = (replanned.groupby("case_type")["shortfall"].sum() * minutes / 60).rename("shortfall_hours")
        rep.hiring = hiring(left.reset_index(), replanned, skills, fte, minutes)
        if len(rep.hiring):
            total = rep.hiring["fte"].sum()
            parts = "; ".join(f"{r.fte:.1f} with {r.skill_set} (for {r.case_types})"
                              for r in rep.hiring.itertuples())
            rep.headlines.append(
                f"Hire {total:.1f} FTE to close the {left.sum():.1f} h the best activity plan on "
                f"these shifts still leaves short: {parts}.")
    else:
        rep.missing["recommendations"] = ("training and hiring recommendations need coverage.csv, "
                                          "assignments.csv and the data folder's skills.csv"
                                          + ("" if data is not None else " (give --data DIR)"))
    sw = swarming(cfg, fc, sim, asg, elig, minutes)
    rep.swarming = sw if len(sw) else None
    if rep.week_start is not None:
        rep.figures = {"week": f"{rep.week_start:%a %d %b %Y} to {rep.week_end:%a %d %b}",
                       **rep.figures}
    return rep


def write_outputs(rep: WeeklyReport, run: RunFolder, cfg: PlannerConfig,
                  names: dict[str, str] | None) -> list[Path]:
    """report.html, report.md, the recommendation tables and the per-agent exports."""
    from planner.report.html import render_html
    from planner.report.markdown import render_markdown

    out = run.path
    written = [write_text(render_html(rep), out / "report.html"),
               write_text(render_markdown(rep), out / "report.md")]
    if rep.shortages is not None:
        written.append(write_csv(rep.shortages, out / "report_shortages.csv", float_format="%.3f"))
    if rep.training is not None:
        t = rep.training.drop(columns=[c for c in rep.training if c.startswith("_")])
        written.append(write_csv(t, out / "report_training.csv", float_format="%.3f"))
    if rep.training_suggested is not None and len(rep.training_suggested):
        # Ready for next week: copy into the data folder as training.csv.
        written.append(write_csv(rep.training_suggested, out / "training_suggested.csv"))
    if rep.hiring is not None:
        written.append(write_csv(rep.hiring, out / "report_hiring.csv", float_format="%.3f"))
    asg = run.get("assignments")
    if asg is not None:
        written += export_agents(asg, out, rep.minutes, cfg.center.timezone, names, cfg.center.name)
    return written


def build_report(out: str | Path, data: str | Path | DataFolder | None = None,
                 resolve: Resolver | None = None, resolve_top: int = 3,
                 progress: Progress | None = None) -> WeeklyReport:
    """Rebuild the weekly report of a run folder; write report.html, report.md and the exports.

    Parameters
    ----------
    out : run folder holding the stages' files (forecast.csv, coverage.csv, ...).
    data : the data folder (or a loaded :class:`DataFolder`); gives the config, history for the
        forecast chart, skills for the recommendations and agent names. Without it the run's
        ``run.json`` is asked where the data was; failing that the report uses the defaults.
    resolve : a scheduler callable (skills, tiers) -> coverage; when given, the top ``resolve_top``
        training candidates are measured by re-solving.
    """
    say = progress or (lambda _m: None)
    run = read_run(out)
    folder: DataFolder | None
    if isinstance(data, DataFolder):
        folder = data
    else:
        folder = None
        if data is not None:
            say(f"reading the data folder {data}")
            folder = load_folder(data)  # given explicitly: a wrong path is the user's error
        elif run.manifest.get("data"):
            where = Path(run.manifest["data"])
            if where.is_dir():
                say(f"reading the data folder {where} (from run.json)")
                folder = load_folder(where)
            else:
                run.notes.append(f"data folder {where} (run.json) not found: report without history, "
                                 "skills or names")
    cfg = folder.config if folder is not None else default_config()
    rep = analyse(run, folder, cfg, resolve, resolve_top, say)
    names = None
    if folder is not None and folder.agents is not None:
        names = dict(zip(folder.agents["agent_id"].astype(str), folder.agents["name"].astype(str),
                         strict=True))
    say("writing report.html, report.md and the per-agent exports")
    write_outputs(rep, run, cfg, names)
    return rep
