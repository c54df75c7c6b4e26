"""An independent checker: re-verify every hard rule of a written plan from the files alone.

It reads the data folder (config, agents, skills, availability) and the run folder
(requirements.csv, tiers.csv, schedule.csv, assignments.csv, coverage.csv) and shares nothing with
the solver but the *definitions* of the rules (break windows and opening hours from
:mod:`planner.scheduling.templates`, because those are the rules). Checked:

* one shift per agent and date; lengths from ``shifts.lengths_hours``; start on the interval grid
  and within the config's and the agent's earliest start / latest end; no overnight shift unless
  allowed; every interval of a shift inside opening hours;
* time off and unweighted unavailability never overlapped; on a date with ``available`` rows the
  shift lies inside one of them;
* minimum rest between consecutive shifts; maximum consecutive working days; worked days per
  week at most ``min(max_days, 7 - days_off_per_week)``; with paired days off, every run of
  days off inside the horizon at least two long;
* weekly paid hours (shift minus lunch) within the agent's min/max (a minimum the agent's own
  availability cannot reach is a *conflict*, not a violation). A week is the horizon when it is
  a week or shorter, else each calendar week (Monday to Sunday) of it, a partial one pro rata;
* weekends (Saturday and Sunday): with ``max_weekends_in_row``, no longer run of worked weekends
  (a weekend is worked when either day is); with ``whole_weekends``, both days worked or both
  off;
* breaks: the kinds, lengths and windows the rule gives for the shift length;
* assignments: exactly one activity per worked interval, ``break``/``lunch`` exactly in the breaks,
  nothing outside shifts, every case type within the agent's skill level and the type's minimum
  tier (``swarm``: high tier and level 4+ on a swarming complex type); ``absent`` (an agent who
  did not come in, marked by the intraday re-plan) may stand on any interval of a shift;
* coverage recomputed from the assignments and compared with coverage.csv;
* planned training (when the data folder has training.csv): rows with a ``topic`` are ``training``
  for a session of training.csv, on a shift of a date inside the session's earliest/latest, in
  contiguous blocks of at least its minimum block; planned hours never above the requested hours,
  and below them only when the agent's shifts in the window leave no room (then a *conflict*:
  the plan names it); schedule.csv's ``training_hours`` agrees with the assignments. (Inside shifts
  and never on a break follows from the assignment checks above.)
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.domain import ABSENT
from planner.io.cells import read_csv
from planner.io.folder import load_folder
from planner.io.runfolder import RunFolder
from planner.scheduling.problem import (
    SWARM,
    TIER_RANK,
    UNJUDGED_TIER,
    read_requirements,
    read_tiers,
)
from planner.scheduling.rules import calendar_weeks, weekend_days
from planner.scheduling.templates import DAY, Grid, break_windows, open_mask

_BREAK = re.compile(r"^(break|lunch) (\d{2}):(\d{2})-(\d{2}):(\d{2})$")
OK_ACTIVITIES = {"break", "lunch", "training", ABSENT}


@dataclass
class CheckReport:
    """What the checker found. ``ok`` when no hard rule is broken."""

    violations: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    coverage: pd.DataFrame | None = None
    shortfall_hours: float = 0.0
    overstaffing_hours: float = 0.0
    shifts: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations


def _minutes(ts: pd.Timestamp, base: pd.Timestamp) -> int:
    return int((ts - base) / pd.Timedelta(minutes=1))


def check_schedule(run_dir: str | Path, data_dir: str | Path, *, column: str = "agents_net"
                   ) -> CheckReport:
    """Check the plan in ``run_dir`` against the rules of ``data_dir`` (see the module docstring)."""
    run = RunFolder(run_dir)
    data = load_folder(data_dir)
    cfg = data.config
    sh = cfg.shifts
    iv = cfg.center.interval_minutes
    rep = CheckReport()
    v = rep.violations
    req = read_requirements(run.file("requirements"), cfg.center.timezone)
    tiers = read_tiers(run.file("tiers"))
    sched = read_csv(run.file("schedule"), dtype={"agent_id": str}, keep_default_na=False)
    assign = read_csv(run.file("assignments"), dtype={"agent_id": str})
    agents = data.agents.set_index("agent_id")
    base = pd.Timestamp(req["interval_start"].min()).normalize()
    grid = Grid(base.date(), cfg.horizon_days, iv)
    mask = open_mask(cfg, grid)
    tier_of = {} if tiers is None else dict(zip(tiers["agent_id"], tiers["tier"], strict=True))
    levels: dict[tuple[str, str], int] = {
        (a, c): int(lv) for a, c, lv in zip(data.skills["agent_id"], data.skills["case_type"],
                                            data.skills["level"], strict=True)}
    lengths = {round(h * 60 / iv) * iv for h in sh.lengths_hours}
    cfg_start = sh.earliest_start.hour * 60 + sh.earliest_start.minute
    cfg_end = None if sh.latest_end is None else (sh.latest_end.hour * 60 + sh.latest_end.minute or DAY)
    av = data.availability
    blocks: dict[str, list[tuple[int, int]]] = {}
    windows: dict[tuple[str, int], list[tuple[int, int]]] = {}
    if av is not None:
        for a, d, s, e, kind, w in zip(av["agent_id"], av["date"], av["start"], av["end"],
                                       av["kind"], av.get("weight", pd.Series(np.nan, index=av.index)),
                                       strict=True):
            day = int((d - base) / pd.Timedelta(days=1))
            s, e = int(s), int(e) or DAY
            if kind == "available":
                windows.setdefault((a, day), []).append((day * DAY + s, day * DAY + e))
            elif kind == "time_off" or pd.isna(w) or float(w) <= 0:
                blocks.setdefault(a, []).append((day * DAY + s, day * DAY + e))
    rep.shifts = len(sched)
    sched["start"] = pd.to_datetime(sched["shift_start"])
    sched["end"] = pd.to_datetime(sched["shift_end"])
    worked: dict[str, dict[int, tuple[int, int, int]]] = {}  # agent -> day -> (start, end, paid)
    for row in sched.itertuples(index=False):
        a = row.agent_id
        who = f"agent {a} on {row.date}"
        if a not in agents.index:
            v.append(f"{who}: not in agents.csv")
            continue
        s, e = _minutes(row.start, base), _minutes(row.end, base)
        day, sm = divmod(s, DAY)
        if day in worked.get(a, {}):
            v.append(f"{who}: more than one shift on the date")
        length = e - s
        if length not in lengths:
            v.append(f"{who}: shift length {length} min not in {sorted(lengths)}")
        if s % iv:
            v.append(f"{who}: start {row.shift_start} not on the {iv}-minute grid")
        if sm < cfg_start or (cfg_end is not None and sm + length > cfg_end):
            v.append(f"{who}: outside the configured shift start/end")
        if not sh.allow_overnight and sm + length > DAY:
            v.append(f"{who}: overnight shift not allowed")
        if not (0 <= day < grid.days) or not mask[s // iv:e // iv].all():
            v.append(f"{who}: outside opening hours or the horizon")
        ag = agents.loc[a]
        es, le = ag.get("earliest_start"), ag.get("latest_end")
        if es is not None and not pd.isna(es) and sm < int(es):
            v.append(f"{who}: starts before the agent's earliest start")
        if le is not None and not pd.isna(le):
            le = int(le) if int(le) > (0 if es is None or pd.isna(es) else int(es)) else int(le) + DAY
            if sm + length > (le or DAY):
                v.append(f"{who}: ends after the agent's latest end")
        for bs, be in blocks.get(a, []):
            if s < be and bs < e:
                v.append(f"{who}: overlaps time off / unavailability")
                break
        wins = windows.get((a, day))
        if wins is not None and not any(ws <= s and (e <= we or (we % DAY == 0 and e > we))
                                        for ws, we in wins):
            v.append(f"{who}: outside the agent's available windows")
        # Breaks.
        lunch = 0
        expect = break_windows(length, cfg)
        got = [b for b in str(row.breaks).split("; ") if b]
        if len(got) != len(expect):
            v.append(f"{who}: {len(got)} break(s), the rule gives {len(expect)}")
        for text, w in zip(got, expect, strict=False):
            m = _BREAK.match(text)
            if not m:
                v.append(f"{who}: unreadable break {text!r}")
                continue
            kind = m.group(1)
            b0 = int(m.group(2)) * 60 + int(m.group(3))
            b1 = int(m.group(4)) * 60 + int(m.group(5))
            off = (b0 - sm) % DAY
            dur = (b1 - b0) % DAY
            if kind != w.kind or dur != w.minutes or not (w.earliest <= off <= w.latest):
                v.append(f"{who}: {text} breaks the {w.kind} rule ({w.minutes} min starting "
                         f"{w.earliest}-{w.latest} min into the shift)")
            if kind == "lunch":
                lunch += dur
        worked.setdefault(a, {})[day] = (s, e, length - lunch)
    _check_week(rep, data, agents, worked, grid, blocks, windows, mask, lengths, cfg_start, cfg_end)
    _check_assignments(rep, cfg, sched, assign, base, tier_of, levels, worked)
    _check_coverage(rep, run, req, assign, base, grid, column, cfg)
    if data.training is not None:
        _check_training(rep, data.training, sched, assign, base, iv)
    return rep


def _check_training(rep: CheckReport, training: pd.DataFrame, sched: pd.DataFrame,
                    assign: pd.DataFrame, base: pd.Timestamp, iv: int) -> None:
    """Planned training against training.csv (see the module docstring)."""
    v = rep.violations
    topic = (assign["topic"].fillna("").astype(str) if "topic" in assign
             else pd.Series("", index=assign.index))
    t_min = np.array([_minutes(t, base) for t in pd.to_datetime(assign["interval_start"])])
    # Each worked minute -> (shift start, shift date, shift end) and the non-break intervals.
    shift_of: dict[tuple[str, int], tuple[int, pd.Timestamp]] = {}
    for row in sched.itertuples(index=False):
        s, e = _minutes(row.start, base), _minutes(row.end, base)
        for t in range(s - s % iv, e, iv):
            shift_of[(row.agent_id, t)] = (s, pd.Timestamp(row.date))
    acts = assign["activity"].astype(str).to_numpy()
    ids = assign["agent_id"].astype(str).to_numpy()
    planned: dict[tuple[str, str], list[int]] = {}
    for a, t, act, tp in zip(ids, t_min, acts, topic, strict=True):
        if tp:
            if act != "training":
                v.append(f"agent {a}: topic {tp!r} on a {act} row at minute {t}")
            planned.setdefault((a, tp), []).append(int(t))
    wanted = {(str(r.agent_id), str(r.topic)): r for r in training.itertuples(index=False)}
    for a, tp in planned:
        if (a, tp) not in wanted:
            v.append(f"agent {a}: training {tp!r} planned but not in training.csv")
    work: dict[str, list[int]] = {}  # agent -> worked non-break minutes (assignment rows)
    for a, t, act in zip(ids, t_min, acts, strict=True):
        if act not in ("break", "lunch", ABSENT):
            work.setdefault(a, []).append(int(t))
    for (a, tp), r in wanted.items():
        get = r._asdict()
        ts = sorted(planned.get((a, tp), []))
        hours = float(get["hours"])
        need = int(np.ceil(round(hours * 60) / iv))
        blk = get.get("min_block_hours")
        blk = 1.0 if blk is None or pd.isna(blk) else float(blk)
        m = max(1, int(np.ceil(round(min(blk, hours) * 60) / iv)))
        lo, hi = get.get("earliest"), get.get("latest")
        lo = None if lo is None or pd.isna(lo) else pd.Timestamp(lo)
        hi = None if hi is None or pd.isna(hi) else pd.Timestamp(hi)

        def in_window(t: int, a=a, lo=lo, hi=hi) -> bool:
            day = shift_of.get((a, t))
            return day is not None and (lo is None or day[1] >= lo) and (hi is None or day[1] <= hi)

        who = f"agent {a}: training {tp!r}"
        for t in ts:
            if not in_window(t):
                v.append(f"{who} at minute {t} outside its dates or outside a shift")
                break
        for block in _blocks(ts, iv, a, shift_of):
            if len(block) < m:
                v.append(f"{who}: a block of {len(block) * iv / 60:g} h at minute {block[0]} "
                         f"(minimum {m * iv / 60:g} h)")
        if len(ts) > need:
            v.append(f"{who}: {len(ts) * iv / 60:g} h planned, {need * iv / 60:g} h requested")
        elif len(ts) < need:
            others = {t for (b, o), tt in planned.items() if b == a and o != tp for t in tt}
            free = [t for t in work.get(a, []) if in_window(t) and t not in others]
            room = sum(len(b) for b in _blocks(sorted(free), iv, a, shift_of) if len(b) >= m)
            msg = f"{who}: {len(ts) * iv / 60:g} h planned of {need * iv / 60:g} h"
            if room >= need:
                v.append(f"{msg}, though its window has room for it")
            else:
                rep.conflicts.append(f"{msg}; the agent's shifts in its window hold at most "
                                     f"{room * iv / 60:g} h")
    if "training_hours" in sched:
        per_shift: dict[tuple[str, int], int] = {}
        for (a, _tp), ts in planned.items():
            for t in ts:
                key = (a, shift_of[(a, t)][0]) if (a, t) in shift_of else (a, -1)
                per_shift[key] = per_shift.get(key, 0) + 1
        for row in sched.itertuples(index=False):
            got = per_shift.get((row.agent_id, _minutes(row.start, base)), 0) * iv / 60
            said = float(row.training_hours or 0)
            if abs(got - said) > 1e-6:
                v.append(f"agent {row.agent_id} on {row.date}: schedule.csv says "
                         f"{said:g} training hours, the assignments give {got:g}")


def _blocks(ts: list[int], iv: int, a: str, shift_of: dict) -> list[list[int]]:
    """Sorted minutes cut into runs of consecutive intervals of one shift."""
    out: list[list[int]] = []
    for t in ts:
        if out and t == out[-1][-1] + iv and shift_of.get((a, t), (None,))[0] == \
                shift_of.get((a, out[-1][-1]), (None,))[0]:
            out[-1].append(t)
        else:
            out.append([t])
    return out


def _check_week(rep, data, agents, worked, grid, blocks, windows, mask, lengths, cfg_start, cfg_end):
    sh = data.config.shifts
    v = rep.violations
    rest = round(sh.min_rest_hours * 60)
    for a, days in worked.items():
        ds = sorted(days)
        for d0, d1 in itertools.pairwise(ds):
            gap = days[d1][0] - days[d0][1]
            if gap < rest:
                v.append(f"agent {a}: {gap / 60:.1f} h rest between day {d0} and day {d1} "
                         f"(< {sh.min_rest_hours:g} h)")
        run = 0
        for d in range(grid.days):
            run = run + 1 if d in days else 0
            if run > sh.max_consecutive_days:
                v.append(f"agent {a}: {run} consecutive working days up to day {d}")
                break
        ag = agents.loc[a]
        max_days = ag.get("max_days")
        cap = 7 - sh.days_off_per_week
        if max_days is not None and not pd.isna(max_days):
            cap = min(cap, int(max_days))
        min_h = ag.get("min_hours")
        max_h = ag.get("max_hours")
        min_h = sh.min_hours if min_h is None or pd.isna(min_h) else float(min_h)
        max_h = sh.max_hours if max_h is None or pd.isna(max_h) else float(max_h)
        for blk in calendar_weeks(grid.start.weekday(), grid.days):
            s = blk.start
            n = sum(1 for d in blk if d in days)
            c = cap if len(blk) == 7 else round(cap * len(blk) / 7)
            if n > c:
                v.append(f"agent {a}: {n} working days in the week from day {s} (max {c})")
            paid = sum(days[d][2] for d in blk if d in days) / 60
            scale = len(blk) / 7
            if paid > max_h * scale + 1e-6:
                v.append(f"agent {a}: {paid:.2f} paid hours above the maximum {max_h * scale:g}")
            if paid < min_h * scale - 1e-6:
                ub = _reachable_hours(a, blk, data.config, blocks, windows, mask, lengths,
                                      cfg_start, cfg_end, c)
                msg = (f"agent {a}: {paid:.2f} paid hours below the minimum {min_h * scale:g}")
                if ub < min_h * scale - 1e-6:
                    rep.conflicts.append(f"{msg}; their availability allows at most {ub:.1f} h")
                else:
                    v.append(msg)
        weekends = weekend_days(grid.start.weekday(), grid.days)
        in_row = 0
        for wk in weekends:
            in_row = in_row + 1 if any(d in days for d in wk) else 0
            if sh.max_weekends_in_row is not None and in_row > sh.max_weekends_in_row:
                v.append(f"agent {a}: {in_row} weekends in a row worked up to the weekend of day "
                         f"{wk[0]} (max {sh.max_weekends_in_row})")
                break
        if sh.whole_weekends:
            for wk in weekends:
                if len(wk) == 2 and (wk[0] in days) != (wk[1] in days):
                    v.append(f"agent {a}: one day of the weekend of day {wk[0]} worked (weekends "
                             "are worked whole or not at all)")
        if sh.paired_days_off:
            off_run = 0
            start = None
            for d in range(grid.days + 1):
                if d < grid.days and d not in days:
                    off_run += 1
                    start = d if start is None else start
                    continue
                if off_run == 1 and start not in (0, grid.days - 1) and d < grid.days:
                    v.append(f"agent {a}: a single day off on day {start} (days off are paired)")
                off_run, start = 0, None
    # Agents with a minimum but no shift at all.
    for a, ag in agents.iterrows():
        if a in worked:
            continue
        min_h = ag.get("min_hours")
        min_h = sh.min_hours if min_h is None or pd.isna(min_h) else float(min_h)
        if min_h > 0:
            ub = _reachable_hours(a, range(0, min(7, grid.days)), data.config, blocks, windows,
                                  mask, lengths, cfg_start, cfg_end, 7 - sh.days_off_per_week)
            msg = f"agent {a}: no shift but a minimum of {min_h:g} h"
            (rep.conflicts if ub < min_h else v).append(msg)


def _reachable_hours(a, blk, cfg, blocks, windows, mask, lengths, cfg_start, cfg_end, cap):
    """Upper bound on paid hours: the longest allowed shift per day, best ``cap`` days."""
    iv = cfg.center.interval_minutes
    step = max(cfg.shifts.start_step_minutes, iv)
    best = []
    for d in blk:
        top = 0
        for length in sorted(lengths, reverse=True):
            for sm in range(0, DAY, step):
                if sm < cfg_start or (cfg_end is not None and sm + length > cfg_end):
                    continue
                s, e = d * DAY + sm, d * DAY + sm + length
                if not mask[s // iv:e // iv].all():
                    continue
                if any(s < be and bs < e for bs, be in blocks.get(a, [])):
                    continue
                wins = windows.get((a, d))
                if wins is not None and not any(ws <= s and e <= we for ws, we in wins):
                    continue
                lunch = sum(w.minutes for w in break_windows(length, cfg) if w.kind == "lunch")
                top = max(top, length - lunch)
            if top:
                break
        best.append(top)
    return sum(sorted(best, reverse=True)[:cap]) / 60


def _check_assignments(rep, cfg, sched, assign, base, tier_of, levels, worked):
    v = rep.violations
    iv = cfg.center.interval_minutes
    assign = assign.copy()
    assign["t"] = [_minutes(t, base) for t in pd.to_datetime(assign["interval_start"])]
    dup = assign.duplicated(["agent_id", "t"])
    for row in assign[dup].head(20).itertuples(index=False):
        v.append(f"agent {row.agent_id}: two activities at {row.interval_start}")
    expected: dict[tuple[str, int], str] = {}
    for row in sched.itertuples(index=False):
        s, e = _minutes(row.start, base), _minutes(row.end, base)
        sm = s % DAY
        for t in range(s - s % iv, e, iv):
            expected[(row.agent_id, t)] = "work"
        for text in [b for b in str(row.breaks).split("; ") if b]:
            m = _BREAK.match(text)
            if not m:
                continue
            b0 = int(m.group(2)) * 60 + int(m.group(3))
            off = (b0 - sm) % DAY
            for t in range(s + off - (s + off) % iv, s + off + int(
                    (int(m.group(4)) * 60 + int(m.group(5)) - b0) % DAY), iv):
                expected[(row.agent_id, t)] = m.group(1)
    seen = set()
    swarm_types = [c for c, ct in cfg.case_types.items()
                   if ct.complexity == "complex" and ct.swarm_share > 0]
    bad = 0
    for a, t, act in zip(assign["agent_id"], assign["t"], assign["activity"], strict=True):
        seen.add((a, t))
        want = expected.get((a, t))
        if want is None:
            v.append(f"agent {a}: activity {act} outside any shift at minute {t}")
            bad += 1
        elif act == ABSENT:
            pass  # an absent agent's shift (the intraday re-plan): no activity, breaks included
        elif want in ("break", "lunch") and act != want:
            v.append(f"agent {a}: {act} during their {want} at minute {t}")
            bad += 1
        elif want == "work" and act in ("break", "lunch"):
            v.append(f"agent {a}: {act} outside their break windows at minute {t}")
            bad += 1
        elif act not in OK_ACTIVITIES:
            tier = tier_of.get(a, UNJUDGED_TIER)
            if act == SWARM:
                ok = tier == "high" and any(levels.get((a, c), 0) >= max(4, cfg.case_type(c).min_level)
                                            for c in swarm_types)
            else:
                ct = cfg.case_type(act)
                ok = levels.get((a, act), 0) >= ct.min_level and TIER_RANK.get(tier, 0) >= TIER_RANK[ct.min_tier]
            if not ok:
                v.append(f"agent {a} (tier {tier}, level {levels.get((a, act), 0)}): {act} "
                         f"at minute {t} is beyond their skill or tier")
                bad += 1
        if bad >= 50:
            v.append("... (further assignment problems not listed)")
            break
    missing = [k for k in expected if k not in seen]
    for a, t in missing[:20]:
        v.append(f"agent {a}: no activity at minute {t} of their shift")


def _check_coverage(rep, run, req, assign, base, grid, column, cfg):
    iv = cfg.center.interval_minutes
    cov = read_csv(run.file("coverage"), dtype={"case_type": str})
    cov["interval_start"] = pd.to_datetime(cov["interval_start"])
    counts = (assign.groupby(["activity", pd.to_datetime(assign["interval_start"])]).size()
              .rename("recomputed"))
    counts.index = counts.index.set_names(["case_type", "interval_start"])
    merged = cov.merge(counts.reset_index(), on=["case_type", "interval_start"], how="left")
    merged["recomputed"] = merged["recomputed"].fillna(0).astype(int)
    diff = merged[merged["recomputed"] != merged["scheduled"]]
    for row in diff.head(10).itertuples(index=False):
        rep.violations.append(f"coverage.csv: {row.case_type} {row.interval_start} says "
                              f"{row.scheduled} scheduled, the assignments give {row.recomputed}")
    r = req.set_index(["case_type", "interval_start"])[column]
    joined = merged.join(r, on=["case_type", "interval_start"])
    has = joined[column].notna()
    off = has & ((joined[column] - joined["required"]).abs() > 1e-3)
    if off.any():
        rep.violations.append(f"coverage.csv: {int(off.sum())} 'required' values differ from "
                              f"requirements.csv")
    h = iv / 60
    merged["short"] = (merged["required"] - merged["recomputed"]).clip(lower=0)
    merged["over"] = (merged["recomputed"] - merged["required"]).clip(lower=0)
    rep.shortfall_hours = float(merged["short"].sum() * h)
    rep.overstaffing_hours = float(merged["over"].sum() * h)
    rep.coverage = merged
