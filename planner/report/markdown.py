"""report.md: the report's key figures and recommendations as Markdown, for chat tools and tickets.

Names, case types and every sentence built from them are user text: :func:`md_text` escapes them, so
a name such as ``<img src=x onerror=...>`` or ``**boss**`` shows as written in every renderer
instead of becoming HTML or formatting.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from planner.report.model import WeeklyReport

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that start
# HTML, links, emphasis, code or table cells.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~!#])")


def md_text(text: object) -> str:
    """User text as Markdown that renders as exactly that text, on one line."""
    one_line = " ".join(str(text).splitlines())
    return _MD_SPECIAL.sub(r"\\\1", one_line)


def md_table(frame: pd.DataFrame, formats: dict[str, str | None], max_rows: int | None = 10) -> str:
    """The columns of ``formats`` (a format string, "pct", or None for text) as a Markdown table of
    at most ``max_rows`` rows (every row with None)."""
    cols = [c for c in formats if c in frame.columns]
    lines = ["| " + " | ".join(c.replace("_", " ") for c in cols) + " |",
             "|" + "|".join("---" for _ in cols) + "|"]
    for _, r in (frame if max_rows is None else frame.head(max_rows)).iterrows():
        cells = []
        for c in cols:
            v, f = r[c], formats[c]
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
                cells.append("")
            elif isinstance(v, pd.Timestamp):
                cells.append(v.strftime("%a %H:%M"))
            elif f == "pct":
                cells.append(f"{v:.0%}")
            elif f:
                cells.append(f.format(v))
            else:
                cells.append(md_text(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_markdown(rep: WeeklyReport) -> str:
    """A short Markdown summary: figures, what to do, shortages, training, hiring."""
    out = [f"# {md_text(rep.center)}: weekly plan", ""]
    for k, v in rep.figures.items():
        out.append(f"- **{md_text(k)}**: {md_text(v)}")
    out += ["", "## What to do", ""]
    out += [f"{i}. {md_text(h)}" for i, h in enumerate(rep.headlines, 1)] or ["Nothing to act on."]
    if rep.shortages is not None and (rep.shortages["shortfall_hours"] > 0).any():
        out += ["", "## Skill shortages", "",
                md_table(rep.shortages[rep.shortages["shortfall_hours"] > 0],
                          {"case_type": None, "shortfall_hours": "{:.1f}", "peak_shortfall": "{:.0f}",
                           "cause": None, "simulated_service_level": "pct"})]
    if rep.training is not None and len(rep.training):
        out += ["", "## Training, ranked by shortfall removed", "",
                md_table(rep.training, {"kind": None, "agent_id": None, "change": None,
                                         "fixed_shift_hours": "{:.1f}", "estimated_hours": "{:.1f}",
                                         "measured_hours": "{:.1f}"}, 5)]
        if rep.training_suggested is not None and len(rep.training_suggested):
            out += ["", "The top suggestions are in training_suggested.csv (the shape of "
                    "training.csv: copy it into the data folder to plan them next week)."]
    if rep.planned_training is not None:
        out += ["", "## Planned training", "",
                md_table(rep.planned_training, {"agent_id": None, "topic": None,
                                                 "hours": "{:.1f}", "days": None}, 30)]
    if rep.fairness is not None and len(rep.fairness):
        out += ["", "## Fairness", "",
                "Per group of comparable agents (team and contract): the fair share is the "
                "group's mean; granted wishes as a share of each agent's wishes.", "",
                md_table(rep.fairness, {"group": None, "kind": None, "agents": "{:.0f}", "fair_share": "{:.2f}",
                                 "least": "{:g}", "most": "{:g}", "spread": "{:g}",
                                 "most_above_share": "{:+.2f}"}, None)]
    if rep.hiring is not None and len(rep.hiring):
        out += ["", "## Hiring", "",
                md_table(rep.hiring, {"skill_set": None, "shortfall_hours": "{:.1f}", "fte": "{:.2f}",
                                       "heads": "{:.0f}", "heads_for_peak": "{:.0f}"})]
    if rep.tier_moves is not None and len(rep.tier_moves):
        out += ["", f"## Tier moves since last week ({len(rep.tier_moves)})", "",
                md_table(rep.tier_moves, {"agent_id": None, "previous_tier": None, "tier": None}, 15)]
    if "anomalies" in rep.tables:
        out += ["", "## History anomalies", "",
                md_table(rep.tables["anomalies"], {"case_type": None, "start": None, "end": None,
                                                    "kind": None, "change": "{:+.0%}",
                                                    "action": None}, 15)]
    missing = [n for n in rep.notes]
    if missing:
        out += ["", "## Notes", ""] + [f"- {md_text(n)}" for n in missing]
    out += ["", "Full report with charts: report.html; per-agent schedules: agents/."
            + (f" Run {md_text(rep.run_id)}." if rep.run_id else ""), ""]
    return "\n".join(out)
