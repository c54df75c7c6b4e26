"""Assemble the weekly report from a run folder (and the data folder, when known).

:func:`analyse` turns the run's files into a :class:`WeeklyReport` (tables, charts, headlines);
:func:`build_report` also writes report.html, report.md, the recommendation tables and the
per-agent exports. Every section works from what is present: an absent file becomes a sentence
saying what is missing, not an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.analysis import (
    Resolver,
    eligibility,
    hiring,
    hours_per_fte,
    measure_by_resolving,
    measure_on_fixed_shifts,
    planned_training,
    replan_coverage,
    shortages,
    suggested_training,
    swarming,
    training_candidates,
)
from planner.analysis.fairness import fairness_spread, fairness_table
from planner.domain import SWARM, TIERS_BEST_FIRST
from planner.io import DataFolder, PlannerConfig, default_config, load_folder, write_csv, write_text
from planner.io.runfolder import RunFolder
from planner.report import charts
from planner.report.exports import export_agents
from planner.report.html import render_html
from planner.report.markdown import render_markdown
from planner.report.model import WeeklyReport
from planner.report.runfolder import RunTables, interval_minutes, read_run
from planner.report.workbook import write_workbook

Progress = Callable[[str], None]


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


def analyse(run: RunTables, data: DataFolder | None = None, config: PlannerConfig | None = None,
            resolve: Resolver | None = None, resolve_top: int = 3,
            progress: Progress | None = None) -> WeeklyReport:
    """Compute every table, chart and headline of the report from a read run folder."""
    say = progress or (lambda _m: None)
    cfg = config or (data.config if data is not None else default_config())
    minutes = interval_minutes(run, cfg.center.interval_minutes)
    fc, cov, asg = run.get("forecast"), run.get("coverage"), run.get("assignments")
    span = next((f["interval_start"] for f in (fc, cov, asg) if f is not None and len(f)), None)
    # A run staged by planner.io.transaction names the folder it will be moved to.
    shown = Path(run.manifest["folder"]) if run.manifest.get("folder") else run.path
    rep = WeeklyReport(cfg.center.name, shown,
                       span.min() if span is not None else None,
                       span.max() if span is not None else None, minutes, notes=list(run.notes),
                       run_id=str(run.manifest.get("run_id", "")))
    case_types = sorted(set(cfg.case_types) | set(fc["case_type"].astype(str) if fc is not None else []))
    skills = data.skills if data is not None else None
    elig = eligibility(skills, run.get("tiers"), cfg, case_types or sorted(skills["case_type"].unique())) \
        if skills is not None else None
    sec = _Section(run, data, cfg, minutes, case_types, skills, elig, say)

    _forecast_section(rep, sec)
    _coverage_section(rep, sec)
    _simulation_section(rep, sec)
    _tiers_section(rep, sec)
    _roster_section(rep, sec)
    _fairness_section(rep, sec)
    _recommendations_section(rep, sec, resolve, resolve_top)
    _swarming_section(rep, sec)
    if rep.week_start is not None:
        rep.figures = {"week": f"{rep.week_start:%a %d %b %Y} to {rep.week_end:%a %d %b}",
                       **rep.figures}
    return rep


@dataclass(frozen=True)
class _Section:
    """What every section builder reads: the run's tables, the data folder and derived facts."""

    run: RunTables
    data: DataFolder | None
    cfg: PlannerConfig
    minutes: int
    case_types: list[str]
    skills: pd.DataFrame | None
    elig: pd.DataFrame | None  # analysis.eligibility of the data's skills under the run's tiers
    say: Progress


def _forecast_section(rep: WeeklyReport, s: _Section) -> None:
    """Forecast against recent weeks; the backtest table."""
    s.say("charts: forecast")
    fc = s.run.get("forecast")
    if fc is not None:
        rep.charts["forecast"] = charts.forecast_chart(fc, history_volumes(s.data, s.minutes))
        rep.figures["cases forecast"] = f"{fc['volume'].sum():,.0f}"
    else:
        rep.missing["forecast"] = "forecast.csv is absent: run `planner forecast` first."
    if s.run.get("backtest") is not None:
        rep.tables["backtest"] = s.run.get("backtest")
    anomalies = s.run.get("anomalies")
    if anomalies is not None and len(anomalies):
        rep.tables["anomalies"] = anomalies


def _coverage_section(rep: WeeklyReport, s: _Section) -> None:
    """Required vs scheduled, the shortfall by day, and each short type's cause."""
    cov, req = s.run.get("coverage"), s.run.get("requirements")
    if cov is not None:
        # What the schedule was built against (the scheduler covers coverage.csv's `required`).
        rep.figures["agent-hours required"] = _fmt_hours(cov["required"].sum() * s.minutes / 60)
    elif req is not None:
        rep.figures["agent-hours required"] = _fmt_hours(req["agents_gross"].sum() * s.minutes / 60)
    s.say("coverage and shortages")
    if cov is None:
        rep.missing["coverage"] = "coverage.csv is absent: run `planner schedule` first."
        return
    rep.charts["coverage"] = charts.coverage_chart(cov, s.minutes)
    rep.charts["shortfall_by_day"] = charts.shortfall_by_day_chart(cov, s.minutes)
    short = shortages(cov, s.run.get("assignments"), s.elig, s.cfg, s.minutes,
                      s.run.get("simulation_summary"))
    rep.shortages = short
    total = short["shortfall_hours"].sum()
    rep.figures["shortfall"] = _fmt_hours(total)
    rep.figures["agent-hours covered"] = _fmt_hours(
        np.minimum(cov["scheduled"].to_numpy(float), cov["required"].to_numpy(float)).sum()
        * s.minutes / 60)
    for r in short[short["shortfall_hours"] > 0].head(4).itertuples():
        rep.headlines.append(f"{r.case_type} is short {r.shortfall_hours:.1f} agent-hours "
                             f"(cause: {r.cause}; {r.evidence}).")
    if total == 0:
        rep.headlines.append("Every case type is covered in every interval of the plan.")


def _simulation_section(rep: WeeklyReport, s: _Section) -> None:
    """Simulated service level against target."""
    sim = s.run.get("simulation")
    if sim is not None:
        targets = {ct: s.cfg.case_type(ct).service_level for ct in sim["case_type"].astype(str).unique()}
        s.say("charts: simulated service level")
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
    if s.run.get("simulation_summary") is not None:
        rep.tables["simulation_summary"] = s.run.get("simulation_summary")


def _tiers_section(rep: WeeklyReport, s: _Section) -> None:
    """Tiers now and last week, the moves, declared vs shown skill levels."""
    tiers = s.run.get("tiers")
    if tiers is not None:
        s.say("tiers")
        prev = s.run.get("tiers_previous")
        rep.charts["tiers"] = charts.tier_chart(tiers, prev)
        rep.tier_moves = tier_moves(tiers, prev)
        rep.tables["tiers"] = tiers
        rep.figures["agents"] = f"{tiers['agent_id'].nunique()}"
    else:
        rep.missing["tiers"] = "tiers.csv is absent: run `planner tiers` first."
    sl_tab = s.run.get("skill_levels")
    if sl_tab is not None:
        rep.tables["skill_levels"] = sl_tab


def _roster_section(rep: WeeklyReport, s: _Section) -> None:
    """Who works when, experts first; planned training sessions."""
    asg, tiers = s.run.get("assignments"), s.run.get("tiers")
    if asg is None:
        rep.missing["roster"] = "assignments.csv is absent: run `planner schedule` first."
        return
    s.say("roster view")
    order = None
    if tiers is not None:
        rank = {t: i for i, t in enumerate(TIERS_BEST_FIRST)}
        t = tiers.assign(_r=tiers["tier"].map(lambda x: rank.get(str(x), len(rank))))
        order = t.sort_values(["_r", "agent_id"])["agent_id"].astype(str).tolist()
        order += sorted(set(asg["agent_id"].astype(str)) - set(order))
    rep.charts["roster"] = charts.roster_chart(asg, order, s.minutes, s.case_types)
    rep.planned_training = planned_training(asg, s.minutes)
    rep.figures["agents scheduled"] = f"{asg['agent_id'].nunique()}"


def _fairness_section(rep: WeeklyReport, s: _Section) -> None:
    """Nights, late shifts, weekend days and granted wishes per group of comparable agents."""
    sched = s.run.get("schedule")
    if sched is None or s.data is None or s.data.agents is None or not len(sched):
        return
    sh = s.cfg.shifts
    table = fairness_table(sched, s.data.agents, s.data.availability, min_hours=sh.min_hours,
                           max_hours=sh.max_hours, max_days=7 - sh.days_off_per_week)
    rep.fairness = fairness_spread(table)


def _recommendations_section(rep: WeeklyReport, s: _Section, resolve: Resolver | None,
                             resolve_top: int) -> None:
    """Training ranked by the shortfall it removes, the best re-plan on these shifts, hiring."""
    cov, asg, tiers = s.run.get("coverage"), s.run.get("assignments"), s.run.get("tiers")
    elig, skills, cfg, minutes, say = s.elig, s.skills, s.cfg, s.minutes, s.say
    if cov is None or asg is None or elig is None:
        rep.missing["recommendations"] = ("training and hiring recommendations need coverage.csv, "
                                          "assignments.csv and the data folder's skills.csv"
                                          + ("" if s.data is not None else " (give --data DIR)"))
        return
    say("recommendations: cross-skilling and upskilling candidates")
    suggested = pd.concat([f for f in (s.run.get("cross_skilling"), s.run.get("upskilling"))
                           if f is not None and "agent_id" in f], ignore_index=True) \
        if any(s.run.get(n) is not None for n in ("cross_skilling", "upskilling")) else None
    cand = training_candidates(cov, asg, elig, skills, tiers, cfg, minutes, suggested, limit=400)
    if len(cand):
        say("recommendations: re-planning activities on the plan's shifts per candidate")
        types = s.case_types or sorted(skills["case_type"].unique())
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
    replanned = replanned_all[replanned_all["case_type"].astype(str) != SWARM]
    left = (replanned.groupby("case_type")["shortfall"].sum() * minutes / 60).rename("shortfall_hours")
    rep.hiring = hiring(left.reset_index(), replanned, skills, fte, minutes)
    if len(rep.hiring):
        total = rep.hiring["fte"].sum()
        parts = "; ".join(f"{r.fte:.1f} with {r.skill_set} (for {r.case_types})"
                          for r in rep.hiring.itertuples())
        rep.headlines.append(
            f"Hire {total:.1f} FTE to close the {left.sum():.1f} h the best activity plan on "
            f"these shifts still leaves short: {parts}.")


def _swarming_section(rep: WeeklyReport, s: _Section) -> None:
    """Expert time asked for on complex types and hand-offs."""
    sw = swarming(s.cfg, s.run.get("forecast"), s.run.get("simulation"), s.run.get("assignments"),
                  s.elig, s.minutes)
    rep.swarming = sw if len(sw) else None


def write_outputs(rep: WeeklyReport, tables: RunTables, cfg: PlannerConfig,
                  names: dict[str, str] | None) -> list[Path]:
    """report.html, report.md, the recommendation tables and the per-agent exports."""
    run = RunFolder(tables.path)
    written = [write_text(render_html(rep), run.file("report_html")),
               write_text(render_markdown(rep), run.file("report_md"))]
    if rep.shortages is not None:
        written.append(write_csv(rep.shortages, run.file("report_shortages"), float_format="%.3f"))
    if rep.training is not None:
        t = rep.training.drop(columns=[c for c in rep.training if c.startswith("_")])
        written.append(write_csv(t, run.file("report_training"), float_format="%.3f"))
    if rep.training_suggested is not None and len(rep.training_suggested):
        # Ready for next week: copy into the data folder as training.csv.
        written.append(write_csv(rep.training_suggested, run.file("training_suggested")))
    if rep.hiring is not None:
        written.append(write_csv(rep.hiring, run.file("report_hiring"), float_format="%.3f"))
    asg = tables.get("assignments")
    if asg is not None:
        written += export_agents(asg, run.path, rep.minutes, cfg.center.timezone, names, cfg.center.name)
        written.append(write_workbook(rep, tables, names, run.file("schedule_xlsx")))
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
