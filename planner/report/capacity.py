"""capacity.html: the long-term capacity plan as one self-contained page (inline CSS and SVG).

Rendered from the capacity plan's tables (capacity_plan.csv, hiring_plan.csv, capacity_demand.csv)
with the weekly report's page style, table builder and chart settings; every value is escaped.
"""

from __future__ import annotations

from html import escape

import matplotlib.pyplot as plt
import pandas as pd

from planner.report.charts import _RC, NEED, PLAN, SHORT, _svg
from planner.report.html import html_page, table

SECTIONS = [
    ("summary", "The plan at a glance"),
    ("total", "Required vs available, all skill sets"),
    ("skill-sets", "Required vs available per skill set"),
    ("hiring", "Hiring plan and cross-skilling"),
    ("months", "Month by month"),
    ("demand", "Demand per case type"),
    ("notes", "Assumptions and notes"),
]
#: skill sets drawn one chart each (the largest requirement first); the rest are in the CSV
MAX_SET_CHARTS = 12
AVAILABLE = "#7f7f7f"
ALL = "all"


def _lines(ax: plt.Axes, g: pd.DataFrame) -> None:
    x = g["week_start"]
    ax.fill_between(x, g["required_fte_low"], g["required_fte_high"], color=NEED, alpha=0.12, lw=0,
                    label="required, 80% interval")
    ax.plot(x, g["required_fte"], color=NEED, lw=1.4, label="required")
    ax.plot(x, g["available_fte"], color=AVAILABLE, lw=1.2, ls="--", label="available today")
    ax.plot(x, g["planned_fte"] + g["overtime_fte"], color=PLAN, lw=1.4, label="with the plan")
    short = g["shortfall_fte"] > 1e-6
    if short.any():
        ax.scatter(x[short], g.loc[short, "required_fte"], color=SHORT, s=8, zorder=3,
                   label="shortfall left")
    ax.set_ylabel("FTE")
    ax.set_ylim(bottom=0)


def total_chart(plan: pd.DataFrame) -> str:
    g = plan[plan["skill_set"] == ALL]
    if g.empty:
        return ""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(11, 3.2), constrained_layout=True)
        _lines(ax, g)
        ax.set_title("all skill sets: required vs available FTE per week")
        ax.legend(loc="lower left", ncols=5, frameon=False, fontsize=8)
        return _svg(fig, "required vs available FTE, all skill sets")


def skill_set_chart(plan: pd.DataFrame) -> tuple[str, int]:
    """Small multiples per skill set; how many sets were left out."""
    sets = plan[plan["skill_set"] != ALL]
    if sets.empty:
        return "", 0
    order = sets.groupby("skill_set")["required_fte"].sum().sort_values(ascending=False)
    shown = list(order.index[:MAX_SET_CHARTS])
    with plt.rc_context(_RC):
        cols = 2
        rows = (len(shown) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(11, 2.1 * rows), squeeze=False,
                                 constrained_layout=True, sharex=True)
        for ax, name in zip(axes.flat, shown, strict=False):
            _lines(ax, sets[sets["skill_set"] == name])
            ax.set_title(str(name), fontsize=9)
        for ax in list(axes.flat)[len(shown):]:
            ax.set_visible(False)
        axes.flat[0].legend(loc="lower left", frameon=False, fontsize=7, ncols=2)
        return _svg(fig, "required vs available FTE per skill set"), len(order) - len(shown)


def monthly(plan: pd.DataFrame, hiring: pd.DataFrame) -> pd.DataFrame:
    g = plan[plan["skill_set"] == ALL].groupby("month", sort=True)
    out = g[["required_fte", "required_fte_low", "required_fte_high", "available_fte",
             "planned_fte", "overtime_fte", "shortfall_fte"]].mean()
    out["gap_fte"] = out["planned_fte"] + out["overtime_fte"] - out["required_fte"]
    hires = hiring[hiring["kind"] == "hire"].assign(month=lambda f: f["start"].str[:7])
    out["hires_starting"] = hires.groupby("month")["heads"].sum().reindex(out.index).fillna(0)
    return out.reset_index()


def render_capacity_html(plan: pd.DataFrame, hiring: pd.DataFrame, demand: pd.DataFrame,
                         figures: dict[str, str], notes: list[str] | tuple[str, ...],
                         center: str, subtitle: str) -> str:
    """The whole page as one string."""
    cards = "".join(f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{escape(v)}'
                    "</div></div>" for k, v in figures.items())
    sets_svg, left_out = skill_set_chart(plan)
    more = (f'<p class="note">{left_out} smaller skill set(s) are in capacity_plan.csv only.</p>'
            if left_out else "")
    fte = "{:,.1f}"
    hire_fmt = {"class": None, "kind": None, "source": None, "start": None, "heads": "{:,.0f}",
                "skills": None, "from_skills": None, "training_weeks": "{:,.0f}",
                "ramp_weeks": "{:,.0f}", "productive_from": None, "full_speed_from": None,
                "cost": "{:,.0f}"}
    month_table = monthly(plan, hiring)
    dem = demand.assign(month=demand["week_start"].dt.strftime("%Y-%m"))
    dem_month = (dem.groupby(["month", "case_type"], sort=False)
                 [["volume", "volume_low", "volume_high", "required_fte"]]
                 .agg({"volume": "sum", "volume_low": "sum", "volume_high": "sum",
                       "required_fte": "mean"}).reset_index())
    body = {
        "summary": f'<div class="cards">{cards}</div>',
        "total": (f'<figure id="chart-total">{total_chart(plan)}<figcaption class="note">Black: '
                  "FTE required (grey band: 80% interval of the volume); dashed: today's agents "
                  "after attrition with the classes of hiring.csv; blue: with the optimised hires, "
                  "cross-skilling and overtime; red dots: shortfall the plan leaves.</figcaption>"
                  "</figure>"),
        "skill-sets": (f'<figure id="chart-skill-sets">{sets_svg}<figcaption class="note">A set\'s '
                       "requirement is the work the plan gives it and the shortfall of the case "
                       f"types it is hired for.</figcaption></figure>{more}"),
        "hiring": (table(hiring, hire_fmt) if len(hiring) else
                   "<p>No class to start and nobody to cross-skill: today's agents cover the "
                   "requirement at least cost.</p>"),
        "months": table(month_table, {"month": None, "required_fte": fte, "required_fte_low": fte,
                                      "required_fte_high": fte, "available_fte": fte,
                                      "planned_fte": fte, "overtime_fte": fte, "gap_fte": fte,
                                      "shortfall_fte": fte, "hires_starting": "{:,.0f}"},
                        highlight=month_table["shortfall_fte"] > 0.05),
        "demand": table(dem_month, {"month": None, "case_type": None, "volume": "{:,.0f}",
                                    "volume_low": "{:,.0f}", "volume_high": "{:,.0f}",
                                    "required_fte": fte}, max_rows=400),
        "notes": "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>",
    }
    return html_page(f"{center}: capacity plan", escape(subtitle), SECTIONS, body)
