"""The supervisor's page of an intraday re-plan, as Markdown and as HTML (one builder of rows,
two renderings). Every text that is not the program's own (agent names and ids, case types,
topics, notes) is escaped: HTML-escaped in the HTML, and Markdown's table and markup characters
escaped in the Markdown."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from planner.intraday.run import IntradayResult

_MD = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")


def _md(text: object) -> str:
    return _MD.sub(r"\\\1", str(text)).replace("\n", " ")


def _sections(res: IntradayResult) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table of the page; cells are plain text."""
    out = []
    out.append(("Today's volume so far", ["case type", "arrived", "forecast so far", "level"],
                [[lv.case_type, f"{lv.observed:,.0f}", f"{lv.expected:,.1f}", f"{lv.factor:.0%}"]
                 for lv in res.levels]))
    s = res.simulation
    plans = [p for p in dict.fromkeys(s["plan"]) if " - " not in p] if len(s) else []
    gains = [p for p in dict.fromkeys(s["plan"]) if " - " in p] if len(s) else []
    names = {"kept": "published plan"}
    rows = []
    for t in dict.fromkeys(s["case_type"]) if len(s) else []:
        def sl(plan: str, t=t, paired: bool = False) -> str:
            r = s[(s["plan"] == plan) & (s["case_type"] == t)]
            if not len(r) or pd.isna(r["service_level"].iloc[0]):
                return "n/a"
            v = r.iloc[0]
            if not paired:
                return f"{v['service_level']:.1%}"
            return (f"{100 * v['service_level']:+.1f} ({100 * v['service_level_low']:+.1f} to "
                    f"{100 * v['service_level_high']:+.1f})")
        rows.append([str(t), *[sl(p) for p in plans], *[sl(g, paired=True) for g in gains]])
    reps = int(s["replications"].max()) if len(s) else 0
    out.append((f"Simulated service level, rest of the day ({reps} replications, the same "
                "customers for every plan; differences in points with their 95% interval)",
                ["case type", *[names.get(p, p) for p in plans],
                 *[f"{g.replace('kept', names['kept'])} [points]" for g in gains]], rows))
    o = res.offers
    for kind, title in (("overtime", "Overtime to offer"),
                        ("voluntary time off", "Voluntary time off to offer"),
                        ("move training", "Training that could move")):
        mine = o[o["kind"] == kind]
        head = ["agent", "name", "shift" if kind != "move training" else "topic", "offer", "hours",
                "shortfall change [agent-h]", "note"]
        out.append((title, head, [[str(r.agent_id), str(r.name), str(r.shift), str(r.offer),
                                   f"{r.hours:g}", f"{r.shortfall_change_hours:+.2f}", str(r.note)]
                                  for r in mine.itertuples(index=False)]))
    return out


def _intro(res: IntradayResult) -> list[str]:
    lines = [f"Re-plan at {res.now:%a %d %b %Y %H:%M}, from {res.start:%H:%M} to the end of the day.",
             f"Requirement of the rest of the day changed by {res.required_change_hours:+.1f} "
             f"agent-hours against the morning's."]
    if res.absent:
        lines.append("Absent: " + ", ".join(sorted(res.absent)) + ".")
    lines.append("Activities re-planned for " + (f"{res.replan.agents} agent(s)" if res.replan.replanned
                                                  else "nobody (the published plan stands)") + ".")
    return lines


def page_markdown(res: IntradayResult) -> str:
    parts = [f"# Intraday re-plan, {res.now:%Y-%m-%d %H:%M}", ""]
    parts += [_md(line) for line in _intro(res)] + [""]
    for title, head, rows in _sections(res):
        parts += [f"## {title}", ""]
        if not rows:
            parts += ["None.", ""]
            continue
        parts.append("| " + " | ".join(_md(h) for h in head) + " |")
        parts.append("|" + "---|" * len(head))
        parts += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
        parts.append("")
    if res.notes:
        parts += ["## Notes", ""] + [f"- {_md(n)}" for n in res.notes] + [""]
    return "\n".join(parts)


def page_html(res: IntradayResult) -> str:
    e = html.escape
    body = [f"<h1>Intraday re-plan, {e(f'{res.now:%Y-%m-%d %H:%M}')}</h1>"]
    body += [f"<p>{e(line)}</p>" for line in _intro(res)]
    for title, head, rows in _sections(res):
        body.append(f"<h2>{e(title)}</h2>")
        if not rows:
            body.append("<p>None.</p>")
            continue
        body.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head)
                    + "</tr></thead><tbody>")
        body += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
        body.append("</tbody></table>")
    if res.notes:
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in res.notes) + "</ul>")
    style = ("body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;"
             "margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Intraday re-plan {e(f'{res.now:%Y-%m-%d %H:%M}')}</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
