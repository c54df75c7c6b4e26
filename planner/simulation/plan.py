"""The planned week as the engine needs it: arrival rates, handle times, and who is on queue when.

Times inside the simulation are seconds after ``t0``, the first forecast interval (naive local
wall-clock time; a daylight-saving jump inside the week shifts times by the jump, as on the wall clock).

Who is on queue (:func:`build_plan`):

* ``assignments.csv`` (if given) decides: each row makes the agent work on its activity for one
  interval. A case type (or ``swarm``) puts the agent on queue with that primary activity; any other
  activity (``break``, ``lunch``, ``training``, ``meeting``, ...) takes the agent off queue. Intervals
  without a row are off.
* ``schedule.csv`` breaks (if given) are then cut out to the minute. The scheduler marks a whole
  interval ``break`` for a 15-minute break: such an interval is on queue outside the break, on the
  activity of the interval before (else after). A ``break``/``lunch`` interval without a schedule
  break inside stays off, and a schedule break inside a working interval is still cut out.
* With a schedule but no assignments, an agent is on queue for the whole shift minus breaks with every
  skill primary (:data:`~planner.routing.ANY`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import ContractError, Problem
from planner.routing.center import ANY, OFF, SWARM, Center

ON_QUEUE_ANY = ("any", "available", "queue", "on_queue")
BREAKS = ("break", "lunch")


@dataclass(frozen=True, eq=False)
class Plan:
    """Arrival rates, AHT and on-queue segments of one week.

    volume, aht : (types, intervals) arrays: expected arrivals and mean handle time [s].
    volume_low, volume_high : prediction-interval bounds (same shape) or None.
    seg_agent, seg_start, seg_end, seg_activity : on-queue segments, sorted by agent then start,
        non-overlapping per agent, consecutive segments with the same activity merged.
    """

    t0: pd.Timestamp
    interval_seconds: float
    volume: np.ndarray
    aht: np.ndarray
    seg_agent: np.ndarray
    seg_start: np.ndarray
    seg_end: np.ndarray
    seg_activity: np.ndarray
    volume_low: np.ndarray | None = None
    volume_high: np.ndarray | None = None

    @property
    def n_intervals(self) -> int:
        return self.volume.shape[1]

    @property
    def interval_starts(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.t0 + pd.to_timedelta(
            np.arange(self.n_intervals) * self.interval_seconds, unit="s"))

    def changes(self) -> list[tuple[float, int, int]]:
        """(time, agent, new activity) sorted by time: on at each segment start, off at its end
        unless the agent's next segment starts right there."""
        out: list[tuple[float, int, int]] = []
        agent, start = self.seg_agent.tolist(), self.seg_start.tolist()
        end, act = self.seg_end.tolist(), self.seg_activity.tolist()
        for i in range(len(agent)):
            out.append((start[i], agent[i], act[i]))
            nxt = i + 1
            if not (nxt < len(agent) and agent[nxt] == agent[i] and start[nxt] == end[i]):
                out.append((end[i], agent[i], OFF))
        out.sort(key=lambda x: (x[0], x[2] != OFF, x[1]))
        return out


def _segments_frame(agent, start, end, act) -> pd.DataFrame:
    seg = pd.DataFrame({"agent": agent, "start": start, "end": end, "activity": act})
    seg = seg[seg["end"] > seg["start"]].sort_values(["agent", "start"], kind="stable")
    # Merge touching segments of the same agent and activity (one change event instead of many).
    new = ((seg["agent"] != seg["agent"].shift()) | (seg["activity"] != seg["activity"].shift())
           | (seg["start"] != seg["end"].shift()))
    seg["block"] = new.cumsum()
    seg = seg.groupby("block", sort=True).agg(agent=("agent", "first"), start=("start", "first"),
                                              end=("end", "last"), activity=("activity", "first"))
    return seg.reset_index(drop=True)


def _cut(seg: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """Remove break windows (agent, start, end) from on-queue segments."""
    if windows.empty or seg.empty:
        return seg
    by_agent = {a: list(zip(w["start"], w["end"], strict=True))
                for a, w in windows.sort_values("start").groupby("agent")}
    rows = []
    for a, s, e, act in seg[["agent", "start", "end", "activity"]].itertuples(index=False):
        pieces = [(s, e)]
        for ws, we in by_agent.get(a, ()):
            nxt = []
            for ps, pe in pieces:
                if we <= ps or ws >= pe:
                    nxt.append((ps, pe))
                    continue
                if ps < ws:
                    nxt.append((ps, ws))
                if we < pe:
                    nxt.append((we, pe))
            pieces = nxt
        rows += [(a, ps, pe, act) for ps, pe in pieces]
    if not rows:
        return seg.iloc[0:0]
    return _segments_frame(*map(list, zip(*rows, strict=True)))


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}:\d{2}(?::\d{2})?")


def parse_breaks(text: str, day: pd.Timestamp, shift_start: pd.Timestamp) -> list[tuple]:
    """Break windows from a ``breaks`` cell: pairs of times or timestamps, in any separator.

    Accepts ``"10:00-10:15;12:30-13:00"``, ``"2026-11-23T10:00/2026-11-23T10:15"`` and the like.
    A bare time earlier than the shift start belongs to the next day (overnight shifts).
    """
    tokens = _STAMP.findall(text or "")
    if len(tokens) % 2:
        raise ValueError(f"breaks {text!r}: expected pairs of start and end times")
    stamps = []
    for tok in tokens:
        if "-" in tok[:5]:
            ts = pd.Timestamp(tok.replace("T", " "))
        else:
            h, m = (int(x) for x in tok.split(":")[:2])
            ts = day + pd.Timedelta(hours=h, minutes=m)
            if ts < shift_start:
                ts += pd.Timedelta(days=1)
        stamps.append(ts)
    out = []
    for s, e in zip(stamps[::2], stamps[1::2], strict=True):
        if e <= s:
            e += pd.Timedelta(days=1)
        out.append((s, e))
    return out


def _shift_stamp(value: str, day: pd.Timestamp) -> pd.Timestamp:
    value = str(value).strip()
    if re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", value):
        h, m = (int(x) for x in value.split(":")[:2])
        return day + pd.Timedelta(hours=h, minutes=m)
    return pd.Timestamp(value.replace("T", " "))


def schedule_windows(schedule: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shifts and breaks of schedule.csv as (agent_id, start, end) timestamp frames.

    ``shift_start``/``shift_end`` may be timestamps or times of day (an end at or before the start
    is on the next day).
    """
    shifts, breaks, problems = [], [], []
    for i, row in enumerate(schedule.itertuples(index=False)):
        try:
            day = pd.Timestamp(row.date).normalize()
            s, e = _shift_stamp(row.shift_start, day), _shift_stamp(row.shift_end, day)
            if e <= s:
                e += pd.Timedelta(days=1)
            shifts.append((row.agent_id, s, e))
            raw = getattr(row, "breaks", "")
            raw = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
            breaks += [(row.agent_id, bs, be) for bs, be in parse_breaks(raw, day, s)]
        except ValueError as err:
            problems.append(Problem("schedule.csv", i + 2, None, None, f"a valid shift ({err})"))
    if problems:
        raise ContractError(problems)
    cols = ["agent_id", "start", "end"]
    return pd.DataFrame(shifts, columns=cols), pd.DataFrame(breaks, columns=cols)


def build_plan(center: Center, forecast: pd.DataFrame, *, interval_minutes: int,
               assignments: pd.DataFrame | None = None,
               schedule: pd.DataFrame | None = None) -> Plan:
    """Turn forecast.csv, assignments.csv and schedule.csv frames into a :class:`Plan`.

    With neither assignments nor schedule every agent is on queue for the whole horizon (handy for
    validation against Erlang formulas and for what-if staffing).
    """
    L = interval_minutes * 60.0
    f = forecast
    t0 = pd.Timestamp(f["interval_start"].min())
    off = ((pd.to_datetime(f["interval_start"]) - t0).dt.total_seconds() / L).to_numpy()
    if not np.allclose(off, np.round(off)):
        raise ContractError([Problem("forecast.csv", None, "interval_start", None,
                                     f"interval starts on a {interval_minutes}-minute grid")])
    col = np.round(off).astype(np.int64)
    n_int = int(col.max()) + 1
    tpos = {t: j for j, t in enumerate(center.case_types)}
    row = np.array([tpos[str(t)] for t in f["case_type"]], dtype=np.int64)
    shape = (center.n_types, n_int)

    def grid(values, fill=0.0):
        g = np.full(shape, fill, dtype=float)
        g[row, col] = np.asarray(values, dtype=float)
        return g

    volume = grid(f["volume"])
    # No silent default handle time: every interval that expects cases needs its AHT.
    aht_col = f["aht_seconds"] if "aht_seconds" in f else pd.Series(np.nan, index=f.index)
    missing = (aht_col.isna() & (f["volume"] > 0)).to_numpy()
    if missing.any():
        raise ContractError([Problem("forecast.csv", int(i) + 2, "aht_seconds", "",
                                     "a handle time for every interval with volume > 0")
                             for i in np.flatnonzero(missing)[:20]])
    aht = grid(aht_col.fillna(1.0), 1.0)
    low = grid(f["volume_low"]) if "volume_low" in f else None
    high = grid(f["volume_high"]) if "volume_high" in f else None

    apos = {a: i for i, a in enumerate(center.agent_ids)}

    def secs(ts) -> np.ndarray:
        return (pd.to_datetime(pd.Series(ts)) - t0).dt.total_seconds().to_numpy()

    def agent_codes(ids, file: str) -> np.ndarray:
        unknown = sorted({str(a) for a in ids} - set(apos))
        if unknown:
            raise ContractError([Problem(file, None, "agent_id", a, "an agent_id listed in agents.csv")
                                 for a in unknown[:20]])
        return np.array([apos[str(a)] for a in ids], dtype=np.int64)

    shifts = breaks = None
    if schedule is not None and len(schedule):
        shifts, breaks = schedule_windows(schedule)
    win = None
    if breaks is not None and len(breaks):
        win = pd.DataFrame({"agent": agent_codes(breaks["agent_id"], "schedule.csv"),
                            "start": secs(breaks["start"]), "end": secs(breaks["end"])})
    if assignments is not None:
        acts = assignments["activity"].astype(str).str.strip()
        code = np.array([_activity_code(a, tpos) for a in acts], dtype=np.int64)
        agent = agent_codes(assignments["agent_id"], "assignments.csv")
        start = secs(assignments["interval_start"])
        if win is not None:
            code = _refine_breaks(agent, start, L, code, acts.str.lower().isin(BREAKS).to_numpy(),
                                  win)
        keep = code != OFF
        seg = _segments_frame(agent[keep], start[keep], start[keep] + L, code[keep])
    elif shifts is not None:
        seg = _segments_frame(agent_codes(shifts["agent_id"], "schedule.csv"), secs(shifts["start"]),
                              secs(shifts["end"]), np.full(len(shifts), ANY))
    else:
        n = center.n_agents
        seg = _segments_frame(np.arange(n), np.zeros(n), np.full(n, n_int * L), np.full(n, ANY))
    if win is not None:
        seg = _cut(seg, win)
    seg = seg.assign(start=seg["start"].clip(lower=0.0))
    seg = seg[seg["end"] > seg["start"]]
    return Plan(t0=t0, interval_seconds=L, volume=volume, aht=aht,
                seg_agent=seg["agent"].to_numpy(np.int64), seg_start=seg["start"].to_numpy(float),
                seg_end=seg["end"].to_numpy(float), seg_activity=seg["activity"].to_numpy(np.int64),
                volume_low=low, volume_high=high)


def _refine_breaks(agent: np.ndarray, start: np.ndarray, L: float, code: np.ndarray,
                   is_break: np.ndarray, win: pd.DataFrame) -> np.ndarray:
    """A break/lunch interval that holds a shorter schedule break is on queue around the break.

    The scheduler marks a whole interval ``break`` for a 15-minute break; the agent is on queue for
    the rest of it, on the activity of the agent's interval before (else after). The exact break is
    cut out afterwards. A break interval without a schedule break inside stays off queue.
    """
    code = code.copy()
    frame = pd.DataFrame({"agent": agent, "start": start, "code": code, "row": np.arange(len(code))})
    frame = frame.sort_values(["agent", "start"], kind="stable")
    work = frame["code"].where(~is_break[frame["row"].to_numpy()] & (frame["code"] != OFF))
    # Only the neighbour interval right before/after counts (not a working interval hours away).
    prev_ok = (frame["agent"].shift() == frame["agent"]) & (frame["start"].shift() == frame["start"] - L)
    next_ok = (frame["agent"].shift(-1) == frame["agent"]) & (frame["start"].shift(-1)
                                                              == frame["start"] + L)
    fill = work.shift().where(prev_ok).fillna(work.shift(-1).where(next_ok))
    by_agent = {a: list(zip(w["start"], w["end"], strict=True)) for a, w in win.groupby("agent")}
    for pos, row, a, s in zip(range(len(frame)), frame["row"], frame["agent"], frame["start"],
                              strict=True):
        if not is_break[row] or np.isnan(fill.iloc[pos]):
            continue
        inside = [(ws, we) for ws, we in by_agent.get(a, ()) if ws < s + L and we > s]
        if inside and sum(min(we, s + L) - max(ws, s) for ws, we in inside) < L:
            code[row] = int(fill.iloc[pos])
    return code


def _activity_code(activity: str, tpos: dict[str, int]) -> int:
    if activity in tpos:
        return tpos[activity]
    low = activity.lower()
    if low == "swarm":
        return SWARM
    if low in ON_QUEUE_ANY:
        return ANY
    return OFF
