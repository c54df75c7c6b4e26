"""Charts of the weekly report as inline SVG (matplotlib, Agg backend): nothing to fetch, opens offline.

Each function takes the run's tables and returns one ``<svg>`` string (or "" when there is nothing
to draw). Text stays text in the SVG (``svg.fonttype = none``) so the browser's own sans-serif draws
it: crisp on any screen and no fonts embedded. ``svg.hashsalt`` and a fixed date keep the output
byte-identical run to run.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from planner.domain import TIERS

_RC = {
    "svg.fonttype": "none",
    # Case types and names are user text: "billing_$5_$" is a name, not mathematics to typeset.
    "text.parse_math": False,
    "svg.hashsalt": "planner",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
}
SHORT = "#d62728"
PLAN = "#1f77b4"
NEED = "#333333"
TIER_COLORS = {"high": "#2ca02c", "medium": "#1f77b4", "low": "#ff7f0e"}
MAX_ROSTER_AGENTS = 150


def _svg(fig: plt.Figure, label: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Title": label})
    plt.close(fig)
    text = buf.getvalue()
    start = text.find("<svg")
    # A role and label so the page is navigable and the tests can find every chart.
    return text[start:].replace("<svg ", f'<svg class="chart" role="img" aria-label="{label}" ', 1)


def with_breaks(frame: pd.DataFrame, step: pd.Timedelta) -> pd.DataFrame:
    """``frame`` (sorted by interval_start) with an empty row after each gap longer than ``step``,
    so a line stops where the center is closed instead of drawing a ramp across the night."""
    if frame.empty:
        return frame
    t = frame["interval_start"]
    gap = (t.shift(-1) - t) > step
    if not gap.any():
        return frame
    holes = pd.DataFrame({"interval_start": t[gap] + step})
    return pd.concat([frame, holes], ignore_index=True).sort_values("interval_start", ignore_index=True)


def _step(frame: pd.DataFrame) -> pd.Timedelta:
    d = frame["interval_start"].drop_duplicates().sort_values().diff().dropna()
    d = d[d > pd.Timedelta(0)]
    return d.min() if len(d) else pd.Timedelta(minutes=30)


def _week_axis(ax: plt.Axes, start: pd.Timestamp, end: pd.Timestamp) -> None:
    days = pd.date_range(start.normalize(), end.normalize(), freq="D")
    ax.set_xticks(days + pd.Timedelta(hours=12))
    ax.set_xticklabels([d.strftime("%a %d") for d in days])
    ax.tick_params(axis="x", length=0)
    for d in days[1:]:
        ax.axvline(d, color="#cccccc", lw=0.6, zorder=0)
    ax.set_xlim(start.normalize(), end.normalize() + pd.Timedelta(days=1))


def _grid(n: int, height: float = 1.7) -> tuple[plt.Figure, list[plt.Axes]]:
    fig, axes = plt.subplots(n, 1, figsize=(11, max(1.9, height * n)), squeeze=False,
                             constrained_layout=True)
    return fig, list(axes[:, 0])


def forecast_chart(forecast: pd.DataFrame, history: pd.DataFrame | None, weeks: int = 3) -> str:
    """Per case type: the forecast (with its band) against the same weekdays of recent weeks."""
    types = sorted(forecast["case_type"].astype(str).unique())
    if not types:
        return ""
    with plt.rc_context(_RC):
        fig, axes = _grid(len(types))
        start, end = forecast["interval_start"].min(), forecast["interval_start"].max()
        for ax, ct in zip(axes, types, strict=True):
            f = forecast[forecast["case_type"] == ct].sort_values("interval_start")
            step = _step(f)
            f = with_breaks(f, step)
            if history is not None:
                h = history[history["case_type"] == ct].groupby("interval_start")["volume"].sum()
                grid = f["interval_start"].dropna()
                for w in range(weeks, 0, -1):
                    shift = pd.Timedelta(weeks=w)
                    if h.index.min() > grid.min() - shift:
                        continue  # history does not reach back that far
                    # On the forecast's own grid: an interval without cases is a real zero.
                    past = f[["interval_start"]].assign(
                        volume=h.reindex(f["interval_start"] - shift).fillna(0).to_numpy())
                    past.loc[f["volume"].isna().to_numpy(), "volume"] = np.nan
                    ax.plot(past["interval_start"], past["volume"], lw=0.8,
                            color=str(0.45 + 0.15 * (w - 1)), label=f"{w} week(s) ago")
            if {"volume_low", "volume_high"} <= set(f.columns):
                ax.fill_between(f["interval_start"], f["volume_low"], f["volume_high"], color=PLAN,
                                alpha=0.18, lw=0, label="80% interval")
            ax.plot(f["interval_start"], f["volume"], color=PLAN, lw=1.4, label="forecast")
            ax.set_title(f"{ct}: {f['volume'].sum():,.0f} cases forecast")
            ax.set_ylabel("cases / interval")
            _week_axis(ax, start, end)
        axes[0].legend(loc="upper right", ncols=5, frameon=False, fontsize=8)
        return _svg(fig, "forecast vs recent weeks per case type")


def coverage_chart(coverage: pd.DataFrame, minutes: int = 30) -> str:
    """Per case type: required vs scheduled agents per interval, the shortfall filled red."""
    types = sorted(coverage["case_type"].astype(str).unique())
    if not types:
        return ""
    with plt.rc_context(_RC):
        fig, axes = _grid(len(types))
        start, end = coverage["interval_start"].min(), coverage["interval_start"].max()
        for ax, ct in zip(axes, types, strict=True):
            c = coverage[coverage["case_type"] == ct].sort_values("interval_start")
            c = with_breaks(c, _step(c))
            t = c["interval_start"]
            ax.step(t, c["required"], where="post", color=NEED, lw=1.0, label="required")
            ax.step(t, c["scheduled"], where="post", color=PLAN, lw=1.2, label="scheduled")
            ax.fill_between(t, c["scheduled"], c["required"], where=c["required"] > c["scheduled"],
                            step="post", color=SHORT, alpha=0.45, lw=0, label="shortfall")
            short = (c["required"] - c["scheduled"]).clip(lower=0).sum()  # NaN rows add nothing
            ax.set_title(f"{ct}: shortfall {short * minutes / 60:,.1f} agent-hours")
            ax.set_ylabel("agents")
            _week_axis(ax, start, end)
        axes[0].legend(loc="upper right", ncols=3, frameon=False, fontsize=8)
        return _svg(fig, "required vs scheduled agents per case type and interval")


def service_level_chart(simulation: pd.DataFrame, targets: dict[str, float]) -> str:
    """Per case type: simulated service level by interval against its target (dashed)."""
    if "service_level" not in simulation.columns:
        return ""
    types = sorted(simulation["case_type"].astype(str).unique())
    if not types:
        return ""
    with plt.rc_context(_RC):
        fig, axes = _grid(len(types), 1.5)
        start, end = simulation["interval_start"].min(), simulation["interval_start"].max()
        for ax, ct in zip(axes, types, strict=True):
            s = simulation[simulation["case_type"] == ct].sort_values("interval_start")
            mean = _weighted_sl(s)
            s = with_breaks(s, _step(s))
            sl = s["service_level"].astype(float)
            if "offered" in s:
                sl = sl.where(s["offered"] > 0)
            target = targets.get(ct)
            ax.plot(s["interval_start"], sl * 100, color=PLAN, lw=1.0, marker=".", ms=2,
                    label="simulated")
            if target is not None:
                ax.axhline(target * 100, color=SHORT, ls="--", lw=1, label=f"target {target:.0%}")
                below = sl < target
                ax.scatter(s["interval_start"][below], sl[below] * 100, color=SHORT, s=6, zorder=3)
            ax.set_ylim(-2, 102)
            ax.set_ylabel("% in target")
            ax.set_title(f"{ct}: {mean:.0%} of offered cases within target")
            ax.legend(loc="lower right", ncols=2, frameon=False, fontsize=8)
            _week_axis(ax, start, end)
        return _svg(fig, "simulated service level by interval against target")


def _weighted_sl(s: pd.DataFrame) -> float:
    """Service level over the week: intervals weighted by offered cases."""
    sl = s["service_level"].astype(float)
    if "offered" in s and s["offered"].sum() > 0:
        w = s["offered"].astype(float).to_numpy()
        return float(np.average(np.nan_to_num(sl.to_numpy()), weights=w))
    return float(sl.mean())


def tier_chart(tiers: pd.DataFrame, previous: pd.DataFrame | None) -> str:
    """Agents per tier now (and last week, when known)."""
    order = [t for t in TIERS if t in set(tiers["tier"])]
    order += sorted(set(tiers["tier"].astype(str)) - set(order))
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.5, 2.6), constrained_layout=True)
        x = np.arange(len(order))
        now = tiers["tier"].astype(str).value_counts().reindex(order, fill_value=0)
        width = 0.38 if previous is not None else 0.6
        if previous is not None:
            prev = previous["tier"].astype(str).value_counts().reindex(order, fill_value=0)
            ax.bar(x - width / 2, prev, width, color="#bbbbbb", label="last week")
            ax.bar(x + width / 2, now, width, color=[TIER_COLORS.get(t, "#777") for t in order],
                   label="this week")
            ax.legend(frameon=False)
        else:
            ax.bar(x, now, width, color=[TIER_COLORS.get(t, "#777") for t in order])
        for xi, v in zip(x, now, strict=True):
            ax.annotate(str(int(v)), (xi + (width / 2 if previous is not None else 0), v),
                        ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, order)
        ax.set_ylabel("agents")
        ax.set_title("agents per tier")
        return _svg(fig, "tier distribution")


# Activities off the queue. Planned training sessions (training.csv) in black; the filler of an
# agent with no eligible case type ("training" without a topic) in a dark grey.
PLANNED_TRAINING = "training (planned)"
OFF_QUEUE_COLORS = {PLANNED_TRAINING: "#000000", "training": "#616161", "meeting": "#5d4037",
                    "swarm": "#e377c2"}


def roster_chart(assignments: pd.DataFrame, order: list[str] | None, minutes: int,
                 case_types: list[str]) -> str:
    """Who works when on what: one row per agent, one column per interval of the week.

    Rows with a ``topic`` (planned training) show as ``training (planned)``.
    """
    a = assignments.copy()
    if "topic" in a:
        planned = a["topic"].notna() & (a["topic"].astype(str) != "")
        a["activity"] = a["activity"].astype(str).where(~planned, PLANNED_TRAINING)
    a["agent_id"] = a["agent_id"].astype(str)
    agents = order or sorted(a["agent_id"].unique())
    agents = [x for x in agents if x in set(a["agent_id"])]
    cut = len(agents) > MAX_ROSTER_AGENTS
    agents = agents[:MAX_ROSTER_AGENTS]
    start = a["interval_start"].min().normalize()
    end = a["interval_start"].max().normalize() + pd.Timedelta(days=1)
    grid = pd.date_range(start, end, freq=f"{minutes}min", inclusive="left")
    acts = [t for t in case_types if t in set(a["activity"].astype(str))]
    acts += sorted(set(a["activity"].astype(str)) - set(acts))
    code = {act: i + 1 for i, act in enumerate(acts)}
    m = np.zeros((len(agents), len(grid)), dtype=int)
    row = {ag: i for i, ag in enumerate(agents)}
    col = pd.Series(np.arange(len(grid)), index=grid)
    sub = a[a["agent_id"].isin(row)]
    ri = sub["agent_id"].map(row).to_numpy()
    ci = col.reindex(sub["interval_start"]).to_numpy()
    ok = ~np.isnan(ci)
    m[ri[ok], ci[ok].astype(int)] = sub["activity"].astype(str).map(code).to_numpy()[ok]
    # Case types in tab10 without its grey and pink (break and swarm wear those), then Dark2.
    tab = plt.get_cmap("tab10").colors
    palette = tuple(tab[i] for i in (0, 1, 2, 3, 4, 5, 8, 9)) + plt.get_cmap("Dark2").colors
    colors = ["#ffffff"]
    legend = []
    k = 0
    for act in acts:
        if act in ("break", "lunch"):
            c = "#9e9e9e" if act == "break" else "#cfcfcf"
        elif act in OFF_QUEUE_COLORS:
            c = OFF_QUEUE_COLORS[act]
        else:
            c = palette[k % len(palette)]
            k += 1
        colors.append(c)
        legend.append(Patch(color=c, label=act))
    with plt.rc_context(_RC):
        h = min(22, 1.2 + 0.13 * len(agents))
        fig, ax = plt.subplots(figsize=(11, h), constrained_layout=True)
        ax.imshow(m, aspect="auto", interpolation="nearest", cmap=ListedColormap(colors),
                  vmin=0, vmax=len(colors) - 1,
                  extent=(0, len(grid), len(agents) - 0.5, -0.5))
        per_day = int(24 * 60 / minutes)
        days = pd.date_range(start, end, freq="D", inclusive="left")
        ax.set_xticks(np.arange(len(days)) * per_day + per_day / 2, [d.strftime("%a %d") for d in days])
        for i in range(1, len(days)):
            ax.axvline(i * per_day, color="#444444", lw=0.6)
        ax.set_yticks(np.arange(len(agents)), agents, fontsize=6 if len(agents) > 40 else 8)
        ax.tick_params(length=0)
        title = "roster: activity per agent and interval (white = off)"
        if cut:
            title += f"; first {MAX_ROSTER_AGENTS} agents shown, all in the per-agent exports"
        ax.set_title(title)
        ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        return _svg(fig, "roster heatmap per agent and day")


def shortfall_by_day_chart(coverage: pd.DataFrame, minutes: int) -> str:
    """Shortfall agent-hours per case type and day: where the gaps are, at a glance."""
    c = coverage.copy()
    c["short_h"] = (c["required"] - c["scheduled"]).clip(lower=0) * minutes / 60
    c["day"] = c["interval_start"].dt.normalize()
    t = c.pivot_table(index="case_type", columns="day", values="short_h", aggfunc="sum", fill_value=0)
    if t.empty:
        return ""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(t) + 1.2), constrained_layout=True)
        ax.imshow(t.to_numpy(), aspect="auto", cmap="Reds", vmin=0)
        ax.set_xticks(range(t.shape[1]), [d.strftime("%a %d") for d in t.columns])
        ax.set_yticks(range(t.shape[0]), t.index)
        vmax = t.to_numpy().max()
        for i in range(t.shape[0]):
            for j in range(t.shape[1]):
                v = t.iat[i, j]
                ax.text(j, i, f"{v:.1f}" if v else "", ha="center", va="center", fontsize=8,
                        color="white" if vmax and v > 0.6 * vmax else "black")
        ax.set_title("shortfall agent-hours per case type and day")
        ax.tick_params(length=0)
        return _svg(fig, "shortfall hours per case type and day")
