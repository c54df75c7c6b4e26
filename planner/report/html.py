"""report.html: one self-contained page (inline CSS and SVG, no external scripts or fonts).

The page is built from a :class:`~planner.report.build.WeeklyReport` with plain string templates
(html.escape on every value; no template engine to install). A few lines of inline script only mark
the charts as rendered (``data-charts-rendered`` on ``<body>``) for the browser test; the page reads
the same without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import pandas as pd

from planner.report.model import WeeklyReport

SECTIONS = [
    ("summary", "This week at a glance"),
    ("recommendations", "Recommendations"),
    ("forecast", "Forecast vs recent weeks"),
    ("coverage", "Required vs scheduled"),
    ("service", "Simulated service level"),
    ("tiers", "Tiers"),
    ("roster", "Roster"),
    ("files", "Files and notes"),
]

CSS = """
:root { --short:#d62728; --ok:#2ca02c; --ink:#222; --mute:#666; --line:#ddd; --bg:#fafafa; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: var(--ink); margin: 0; background: #fff; line-height: 1.4; font-size: 15px; }
header { background: #17324d; color: #fff; padding: 14px 28px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: #cfd8e3; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line);
      padding: 6px 28px; z-index: 2; font-size: 14px; }
nav a { margin-right: 14px; color: #17324d; text-decoration: none; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 28px 40px; }
section { margin-top: 26px; }
h2 { border-bottom: 2px solid #17324d; padding-bottom: 3px; font-size: 19px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px;
        min-width: 150px; }
.card .v { font-size: 20px; font-weight: 600; }
.card .k { color: var(--mute); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.card.bad .v { color: var(--short); }
ol.headlines li { margin: 4px 0; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 9px; text-align: left; vertical-align: top; }
th { background: #f0f3f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.short td { background: #fdecea; }
.missing { color: #8a4b00; background: #fff4e0; border-left: 4px solid #f0a020; padding: 6px 10px; }
.chart { max-width: 100%; height: auto; display: block; }
.note { color: var(--mute); font-size: 13px; }
details summary { cursor: pointer; color: #17324d; }
"""

_SCRIPT = """
document.addEventListener('DOMContentLoaded', function () {
  var n = 0;
  document.querySelectorAll('svg.chart').forEach(function (s) {
    var r = s.getBoundingClientRect(); if (r.width > 50 && r.height > 50) { n += 1; }
  });
  document.body.setAttribute('data-charts-rendered', String(n));
});
"""


def _cell(value: object, fmt: str | None) -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "", False
    if isinstance(value, pd.Timestamp):
        return value.strftime("%a %d %b %H:%M"), False
    if isinstance(value, bool):
        return ("yes" if value else ""), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if fmt == "pct":
            return f"{value:.0%}", True
        return (fmt or "{:,.2f}").format(value), True
    return str(value), False


def table(frame: pd.DataFrame, formats: dict[str, str | None] | None = None,
          highlight: pd.Series | None = None, max_rows: int = 200) -> str:
    """An HTML table of ``frame``; ``formats`` picks and formats columns; ``highlight`` marks rows."""
    formats = formats or {c: None for c in frame.columns}
    cols = [c for c in formats if c in frame.columns]
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in cols)
    rows = []
    for i, (_, r) in enumerate(frame.head(max_rows).iterrows()):
        cls = ' class="short"' if highlight is not None and bool(highlight.iloc[i]) else ""
        cells = []
        for c in cols:
            text, num = _cell(r[c], formats[c])
            cells.append(f'<td class="num">{escape(text)}</td>' if num else f"<td>{escape(text)}</td>")
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    more = (f'<p class="note">{len(frame) - max_rows} more rows in the CSV file.</p>'
            if len(frame) > max_rows else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _missing(text: str) -> str:
    return f'<p class="missing">{escape(text)}</p>'


def _figure(rep: WeeklyReport, key: str, caption: str) -> str:
    svg = rep.charts.get(key, "")
    if not svg:
        return ""
    return f'<figure id="chart-{key}">{svg}<figcaption class="note">{escape(caption)}</figcaption></figure>'


def _summary(rep: WeeklyReport) -> str:
    cards = []
    for k, v in rep.figures.items():
        bad = k == "shortfall" and not v.startswith("0.0")
        cards.append(f'<div class="card{" bad" if bad else ""}"><div class="k">{escape(k)}</div>'
                     f'<div class="v">{escape(v)}</div></div>')
    heads = "".join(f"<li>{escape(h)}</li>" for h in rep.headlines) or "<li>Nothing to act on.</li>"
    return (f'<div class="cards">{"".join(cards)}</div><h3>What to do</h3>'
            f'<ol class="headlines">{heads}</ol>')


def _recommendations(rep: WeeklyReport) -> str:
    parts = ["<h3 id='shortages'>Skill shortages and their cause</h3>"]
    if rep.shortages is not None:
        s = rep.shortages
        parts.append(table(s, {"case_type": None, "shortfall_hours": "{:,.1f}",
                               "short_intervals": "{:,.0f}", "peak_shortfall": "{:,.0f}",
                               "worst_interval": None, "eligible_agents": "{:,.0f}",
                               "blocked_agents": "{:,.0f}", "simulated_service_level": "pct",
                               "target_service_level": "pct", "cause": None, "evidence": None},
                           highlight=s["shortfall_hours"] > 0))
        parts.append(_figure(rep, "shortfall_by_day", "Where the gaps are: agent-hours short per day."))
    else:
        parts.append(_missing(rep.missing.get("coverage", "no coverage")))
    parts.append("<h3 id='training'>Cross-skilling and upskilling, ranked by shortfall removed</h3>")
    if rep.training is not None and len(rep.training):
        t = rep.training.head(15)
        parts.append('<p class="note"><b>removed on these shifts</b>: shortfall hours the change '
                     'removes when every interval\'s activities are re-planned optimally (a maximum '
                     'flow) on this week\'s shifts and breaks, against the same re-plan without it; '
                     '<b>first estimate</b>: the agent moved only where their current type has a '
                     'surplus; <b>full re-schedule</b>: the scheduler re-run with the change against a '
                     'baseline re-run with the same time limit (shifts may move; solver noise '
                     'included).</p>')
        parts.append(table(t, {"kind": None, "agent_id": None, "tier": None, "case_type": None,
                               "change": None, "fixed_shift_hours": "{:,.1f}",
                               "estimated_hours": "{:,.1f}", "measured_hours": "{:,.1f}",
                               "suggested_by_tiers": None}))
        if rep.training_suggested is not None and len(rep.training_suggested):
            parts.append('<p class="note">The top suggestions, one per agent, are in '
                         '<b>training_suggested.csv</b> in the shape of training.csv: copy it into '
                         'the data folder as training.csv to plan the sessions next week.</p>')
    elif rep.training is not None:
        parts.append("<p>No single training change removes shortfall in this plan.</p>")
    else:
        parts.append(_missing(rep.missing.get("recommendations", "no recommendations")))
    parts.append("<h3 id='hiring'>Hiring: FTE by skill set to reach the targets</h3>")
    if rep.hiring is not None and len(rep.hiring):
        parts.append(table(rep.hiring, {"skill_set": None, "case_types": None,
                                        "shortfall_hours": "{:,.1f}", "fte": "{:,.2f}",
                                        "heads": "{:,.0f}", "heads_for_peak": "{:,.0f}"}))
        parts.append(f'<p class="note">For the shortfall the best activity plan on this week\'s '
                     f'shifts still leaves (see "least shortfall on these shifts"). One FTE gives '
                     f'{escape(rep.figures.get("on-queue hours per FTE", "?"))} on queue a week in '
                     "this plan. heads for peak: people needed at the same time at the worst "
                     "interval.</p>")
    elif rep.hiring is not None:
        parts.append("<p>No hiring needed: the plan covers the requirements.</p>")
    else:
        parts.append(_missing(rep.missing.get("recommendations", "")))
    parts.append("<h3 id='swarming'>Swarming load and hand-offs</h3>")
    if rep.swarming is not None:
        parts.append(table(rep.swarming, {"case_type": None, "complexity": None, "swarm_share": "pct",
                                          "expert_hours": "{:,.1f}", "expert_hours_scheduled": "{:,.1f}",
                                          "experts": "{:,.0f}", "handoffs": "{:,.0f}",
                                          "handoffs_per_case": "{:,.2f}"}))
    else:
        parts.append("<p>No case type swarms and the simulation reports no hand-offs.</p>")
    return "".join(parts)


def _tiers(rep: WeeklyReport) -> str:
    if "tiers" not in rep.tables:
        return _missing(rep.missing.get("tiers", "tiers.csv is absent"))
    parts = [_figure(rep, "tiers", "Agents per tier; grey bars: last week.")]
    if rep.tier_moves is None:
        parts.append('<p class="note">No previous tiers to compare with (tiers_previous.csv).</p>')
    elif rep.tier_moves.empty:
        parts.append("<p>No agent changed tier since last week.</p>")
    else:
        parts.append(f"<h3>{len(rep.tier_moves)} move(s) since last week</h3>")
        parts.append(table(rep.tier_moves))
    t = rep.tables["tiers"]
    cols = {c: ("{:,.2f}" if c.startswith("score") else "{:,.0f}" if c == "cases" else None)
            for c in ("agent_id", "tier", "score", "score_low", "score_high", "cases", "reason") if c in t}
    parts.append(f"<details><summary>All {len(t)} agents</summary>{table(t, cols, max_rows=2000)}</details>")
    if "skill_levels" in rep.tables:
        parts.append("<details><summary>Skill levels: declared vs learned</summary>"
                     f"{table(rep.tables['skill_levels'])}</details>")
    return "".join(parts)


def _with_ci(frame: pd.DataFrame, col: str, pct: bool) -> pd.Series:
    """'99% (98-100%)' from col, col_low, col_high: the mean and its confidence interval."""
    def one(r: pd.Series) -> str:
        f = (lambda v: f"{v:.0%}") if pct else (lambda v: f"{v:,.1f}")
        text = f(r[col])
        lo, hi = r.get(f"{col}_low"), r.get(f"{col}_high")
        if lo is not None and hi is not None and pd.notna(lo) and pd.notna(hi):
            text += f" ({f(lo)}–{f(hi)})"
        return text
    return frame.apply(one, axis=1)


def simulation_table(summary: pd.DataFrame) -> str:
    """The weekly simulated figures per case type, 95% intervals across replications."""
    s = summary.copy()
    cols: dict[str, str | None] = {"case_type": None, "offered": "{:,.0f}"}
    for col, pct in (("service_level", True), ("asa_seconds", False), ("abandon_rate", True),
                     ("occupancy", True)):
        if col in s:
            s[col.replace("_", " ") + " (95% CI)"] = _with_ci(s, col, pct)
            cols[col.replace("_", " ") + " (95% CI)"] = None
    for col in ("handoffs", "high_tier_on_transactional"):
        if col in s:
            cols[col] = "{:,.0f}" if col == "handoffs" else "pct"
    return table(s, cols)


def backtest_table(backtest: pd.DataFrame) -> str:
    """The chosen model per case type up front; every model's scores folded away."""
    fmt = {"case_type": None, "model": None, "mase": "{:.2f}", "mase_vs_baseline": "{:.2f}",
           "wape": "pct", "bias": "{:+.1%}", "coverage": "pct", "origins": "{:.0f}", "note": None}
    if "chosen" in backtest:
        chosen = backtest[backtest["chosen"].astype(str).str.lower().isin(("true", "1", "yes"))]
        head = ("<h3>Backtest: the model chosen per case type</h3>"
                '<p class="note">MASE below 1 beats the seasonal-naive forecast; mase vs baseline '
                "below 1 beats the best seasonal window average.</p>" + table(chosen, fmt))
        return head + f"<details><summary>All {len(backtest)} model scores</summary>{table(backtest, fmt)}</details>"
    return "<h3>Backtest</h3>" + table(backtest, fmt)


def anomalies_table(anomalies: pd.DataFrame) -> str:
    """What the forecast found abnormal in the history and did with it (anomalies.csv)."""
    fmt = {"case_type": None, "start": None, "end": None, "kind": None, "change": "{:+.0%}",
           "action": None}
    return ("<h3>History anomalies</h3><p class=\"note\">Events and outliers are left out of the "
            "fit; after a level shift the older history is scaled to the new level.</p>"
            + table(anomalies, fmt))


def _planned_training(rep: WeeklyReport) -> str:
    """The plan's training sessions (training.csv), under the roster."""
    if rep.planned_training is None:
        return ""
    return ("<h3 id='planned-training'>Planned training</h3>"
            + table(rep.planned_training, {"agent_id": None, "topic": None, "hours": "{:,.1f}",
                                           "days": None}))


def _fairness(rep: WeeklyReport) -> str:
    """Unpopular work per group of comparable agents, under the roster."""
    if rep.fairness is None or not len(rep.fairness):
        return ""
    return ("<h3 id='fairness'>Fairness</h3><p>Per group of comparable agents (team and "
            "contract): nights, late shifts, weekend days and the share of wishes granted; the "
            "fair share is the group's mean.</p>"
            + table(rep.fairness, {"group": None, "kind": None, "agents": "{:.0f}", "fair_share": "{:.2f}",
                                 "least": "{:g}", "most": "{:g}", "spread": "{:g}",
                                 "most_above_share": "{:+.2f}"}))


def render_html(rep: WeeklyReport) -> str:
    """The whole page as one string."""
    when = (f"{rep.week_start:%A %d %B %Y} to {rep.week_end:%A %d %B %Y}"
            if rep.week_start is not None else "no planned week found")
    run_id = f" · run {escape(rep.run_id)}" if rep.run_id else ""
    body = {
        "summary": _summary(rep),
        "recommendations": _recommendations(rep),
        "forecast": (_figure(rep, "forecast", "Blue: forecast with its 80% band; grey: the same "
                             "weekdays of recent weeks.")
                     + (anomalies_table(rep.tables["anomalies"]) if "anomalies" in rep.tables else "")
                     + (backtest_table(rep.tables["backtest"]) if "backtest" in rep.tables else "")
                     if "forecast" in rep.charts else _missing(rep.missing.get("forecast", ""))),
        "coverage": (_figure(rep, "coverage", "Black: agents required; blue: scheduled; red: shortfall.")
                     if "coverage" in rep.charts else _missing(rep.missing.get("coverage", ""))),
        "service": ((_figure(rep, "service_level", "Simulated share answered within target per "
                             "interval (dots below the dashed target line in red).")
                     + (simulation_table(rep.tables["simulation_summary"])
                        if "simulation_summary" in rep.tables else ""))
                    if "service_level" in rep.charts else _missing(rep.missing.get("simulation", ""))),
        "tiers": _tiers(rep),
        "roster": ((_figure(rep, "roster", "One row per agent (high tier at the top), one column per "
                            "interval; per-agent CSV and calendar files are in agents/.")
                    + _planned_training(rep) + _fairness(rep))
                   if "roster" in rep.charts else _missing(rep.missing.get("roster", ""))),
        "files": ("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in rep.notes) + "</ul>"
                  if rep.notes else "<p>Every file of the cycle is present.</p>"),
    }
    return html_page(f"{rep.center}: weekly plan",
                     f"{escape(when)} · run folder {escape(str(rep.run))}{run_id}", SECTIONS, body)


def html_page(title: str, subtitle_html: str, sections: Sequence[tuple[str, str]],
              body: dict[str, str]) -> str:
    """A report page: ``title`` (escaped here), a subtitle already in HTML, a navigation bar and
    one section per ``(key, heading)`` holding ``body[key]``."""
    nav = "".join(f'<a href="#{k}">{escape(t)}</a>' for k, t in sections)
    main = "".join(f'<section id="{k}"><h2>{escape(t)}</h2>{body[k]}</section>' for k, t in sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{CSS}</style>"
        f"<script>{_SCRIPT}</script></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{subtitle_html}</p></header>"
        f"<nav>{nav}</nav><main>{main}</main></body></html>\n"
    )
