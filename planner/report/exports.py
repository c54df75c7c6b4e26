"""Exports a person uses: each agent's week as a CSV of activity blocks and as an iCalendar file.

The iCalendar text is written here (RFC 5545: CRLF line ends, lines folded at 75 octets, text
escaped); times are converted from the center's wall-clock time to UTC (``...Z``) so that no
VTIMEZONE block is needed and every calendar program places the shifts right across a clock change.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from planner.io import write_bytes, write_csv
from planner.io.runfolder import RunFolder

BLOCK_COLUMNS = ["agent_id", "name", "date", "start", "end", "activity", "hours"]
# Gaps up to this long inside a day belong to the same shift (an unpaid lunch is not in assignments).
_SAME_SHIFT_GAP = pd.Timedelta(minutes=90)


def activity_blocks(assignments: pd.DataFrame, minutes: int,
                    names: dict[str, str] | None = None) -> pd.DataFrame:
    """Consecutive intervals of one agent on one activity merged into blocks (start, end, activity).

    A planned training session (a row with a ``topic``) is the activity ``training: <topic>``.
    """
    if assignments.empty:
        return pd.DataFrame(columns=BLOCK_COLUMNS)
    step = pd.Timedelta(minutes=minutes)
    a = assignments[["agent_id", "interval_start", "activity"]].copy()
    a["agent_id"] = a["agent_id"].astype(str)
    a["activity"] = a["activity"].astype(str)
    if "topic" in assignments:
        topic = assignments["topic"]
        planned = (topic.notna() & (topic.astype(str) != "")).to_numpy()
        a.loc[planned, "activity"] = "training: " + topic[planned].astype(str)
    a = a.sort_values(["agent_id", "interval_start"], ignore_index=True)
    new = (
        (a["agent_id"] != a["agent_id"].shift())
        | (a["activity"] != a["activity"].shift())
        | (a["interval_start"] != a["interval_start"].shift() + step)
    )
    a["block"] = new.cumsum()
    b = a.groupby("block").agg(agent_id=("agent_id", "first"), start=("interval_start", "min"),
                               end=("interval_start", "max"), activity=("activity", "first"))
    b["end"] = b["end"] + step
    b["date"] = b["start"].dt.normalize()
    b["hours"] = (b["end"] - b["start"]) / pd.Timedelta(hours=1)
    b["name"] = [(names or {}).get(a, "") for a in b["agent_id"]]
    return b[BLOCK_COLUMNS].reset_index(drop=True)


def shifts_from_blocks(blocks: pd.DataFrame) -> pd.DataFrame:
    """One row per shift (agent_id, start, end) from activity blocks, lunches bridged."""
    if blocks.empty:
        return pd.DataFrame(columns=["agent_id", "start", "end"])
    b = blocks.sort_values(["agent_id", "start"], ignore_index=True)
    new = (b["agent_id"] != b["agent_id"].shift()) | (b["start"] - b["end"].shift() > _SAME_SHIFT_GAP)
    b["shift"] = new.cumsum()
    return b.groupby("shift").agg(agent_id=("agent_id", "first"), start=("start", "min"),
                                  end=("end", "max")).reset_index(drop=True)


# Control characters RFC 5545 TEXT may not hold (every one but tab); line ends become "\n".
_ICS_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _escape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))
    return _ICS_CONTROL.sub(" ", text)


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out, cur = [], ""
    for ch in line:
        limit = 75 if not out else 74  # continuation lines start with one space
        if len((cur + ch).encode("utf-8")) > limit:
            out.append(cur)
            cur = ch
        else:
            cur += ch
    out.append(cur)
    return "\r\n ".join(out)


def _utc(ts: pd.Timestamp, tz: str) -> str:
    aware = ts.tz_localize(ZoneInfo(tz), ambiguous=False, nonexistent="shift_forward")
    return aware.tz_convert("UTC").strftime("%Y%m%dT%H%M%SZ")


_CONTENT = ("DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "STATUS")


def previous_events(text: str) -> dict[str, tuple[int, dict[str, str]]]:
    """UID -> (SEQUENCE, the event's content lines) of an earlier calendar file's events."""
    events: dict[str, tuple[int, dict[str, str]]] = {}
    unfolded = text.replace("\r\n ", "").replace("\r\n", "\n")
    for chunk in unfolded.split("BEGIN:VEVENT")[1:]:
        fields = dict(line.split(":", 1) for line in chunk.split("END:VEVENT")[0].splitlines() if ":" in line)
        if "UID" in fields:
            seq = int(fields.get("SEQUENCE", "0")) if fields.get("SEQUENCE", "0").isdigit() else 0
            events[fields["UID"]] = (seq, {k: fields[k] for k in _CONTENT if k in fields})
    return events


def agent_calendar(agent_id: str, name: str, blocks: pd.DataFrame, tz: str, center: str,
                   stamp: pd.Timestamp, previous: str | None = None) -> str:
    """iCalendar text with one event per shift; its description lists the activity blocks.

    An event's UID is the agent and the shift's day, so a moved shift keeps its UID: a calendar
    that imports the new file replaces the old event instead of adding one. ``previous`` (the text
    of the agent's last calendar file) gives each UID its last SEQUENCE: a changed event gets the
    next number, an unchanged one keeps it, and a day whose shift is gone is sent as cancelled.
    """
    before = previous_events(previous) if previous else {}
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//planner//weekly roster//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(f'{center}: {name or agent_id}')}"]

    def event(uid: str, content: dict[str, str]) -> list[str]:
        seq, old = before.get(uid, (0, None))
        if old is not None and old != content:
            seq += 1
        return ["BEGIN:VEVENT", f"UID:{uid}", f"SEQUENCE:{seq}", f"DTSTAMP:{_utc(stamp, tz)}",
                *(f"{k}:{v}" for k, v in content.items()), "END:VEVENT"]

    mine = blocks[blocks["agent_id"] == agent_id]
    uids: list[str] = []
    per_day: dict[str, int] = {}
    for sh in shifts_from_blocks(mine).itertuples(index=False):
        inside = mine[(mine["start"] >= sh.start) & (mine["end"] <= sh.end)]
        work = [a for a in dict.fromkeys(inside["activity"]) if a not in ("break", "lunch")]
        desc = "\n".join(f"{r.start:%H:%M}-{r.end:%H:%M} {r.activity}" for r in inside.itertuples())
        day = f"{_escape(agent_id)}-{sh.start:%Y%m%d}"
        n = per_day[day] = per_day.get(day, 0) + 1  # a second shift starting the same day: -2
        uid = f"{day}@planner" if n == 1 else f"{day}-{n}@planner"
        uids.append(uid)
        lines += event(uid, {"DTSTART": _utc(sh.start, tz), "DTEND": _utc(sh.end, tz),
                             "SUMMARY": _escape("Shift: " + (", ".join(work) or "planned activity")),
                             "DESCRIPTION": _escape(desc)})
    # Only days of this plan: earlier weeks' shifts happened and stay as they were.
    first = _utc(blocks["start"].min().normalize(), tz)
    last = _utc(blocks["end"].max().normalize() + pd.Timedelta(days=1), tz)
    for uid, (_, old) in sorted(before.items()):
        if uid not in uids and first <= old.get("DTSTART", "") < last:
            lines += event(uid, {**old, "STATUS": "CANCELLED"})
    lines.append("END:VCALENDAR")
    return "".join(_fold(x) + "\r\n" for x in lines)


# Characters kept in a file name; everything else becomes "_". Long ids are cut (a file name has
# at most 255 bytes) and marked with a hash.
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_MAX_STEM = 60
# Names Windows reserves whatever the extension, and the name of the index file.
_RESERVED = {"index", "con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def file_stems(agent_ids: list[str]) -> dict[str, str]:
    """A distinct, safe file name (without extension) for each agent id.

    An id that is already a safe name, unique ignoring case among those, is kept as it is; any other id (one
    with characters a file system would change or refuse, one that differs from another only in
    case, one too long, one starting with a dot) gets its safe form plus a hash of the id, so no two
    agents ever share a file on any file system, and the name stays the same run to run.
    """
    ids = sorted(set(agent_ids))
    plain = {a: _UNSAFE.sub("_", a)[:_MAX_STEM] for a in ids}
    folded: dict[str, int] = {}
    for a in ids:
        if plain[a] == a:
            folded[a.casefold()] = folded.get(a.casefold(), 0) + 1
    stems: dict[str, str] = {}
    for a in ids:
        s = plain[a]
        if (s == a and a and folded[s.casefold()] == 1 and not a.startswith(".")
                and a.split(".")[0].casefold() not in _RESERVED):
            stems[a] = a
            continue
        digest = hashlib.sha256(a.encode("utf-8")).hexdigest()
        stems[a] = f"{s.lstrip('.') or 'agent'}-{digest[:10]}"
    taken = {s.casefold() for s in stems.values()}
    if len(taken) < len(stems):
        # A planted id equal to another's hashed name: give every hashed name the full digest.
        for a in ids:
            if stems[a] != a:
                stems[a] = f"{plain[a].lstrip('.') or 'agent'}-{hashlib.sha256(a.encode()).hexdigest()}"
    return stems


def export_agents(assignments: pd.DataFrame, out: str | Path, minutes: int, tz: str,
                  names: dict[str, str] | None = None, center: str = "Service center") -> list[Path]:
    """Write ``agent_schedules.csv`` (everyone), ``agents/<file>.csv`` + ``agents/<file>.ics`` and
    ``agents/index.csv`` (agent_id -> file; see :func:`file_stems`)."""
    out = Path(out)
    blocks = activity_blocks(assignments, minutes, names)
    written = [write_csv(_formatted(blocks), RunFolder(out).file("agent_schedules"))]
    if blocks.empty:
        return written
    stamp = blocks["start"].min().normalize()
    stems = file_stems([str(a) for a in blocks["agent_id"].unique()])
    for agent_id, mine in blocks.groupby("agent_id", sort=True):
        name = (names or {}).get(str(agent_id), "")
        stem = stems[str(agent_id)]
        written.append(write_csv(_formatted(mine), RunFolder(out).file("agents") / f"{stem}.csv"))
        path = RunFolder(out).file("agents") / f"{stem}.ics"
        before = path.read_bytes().decode("utf-8", errors="replace") if path.exists() else None
        ics = agent_calendar(str(agent_id), name, blocks, tz, center, stamp, before)
        written.append(_write_ics(ics, path))
    index = pd.DataFrame({"agent_id": list(stems), "name": [(names or {}).get(a, "") for a in stems],
                          "csv": [f"{s}.csv" for s in stems.values()],
                          "ics": [f"{s}.ics" for s in stems.values()]})
    written.append(write_csv(index, RunFolder(out).file("agents") / "index.csv"))
    return written


def _write_ics(text: str, path: Path) -> Path:
    # Bytes, so the CRLF line ends RFC 5545 asks for reach the file unchanged on every platform.
    return write_bytes(text.encode("utf-8"), path)


def _formatted(blocks: pd.DataFrame) -> pd.DataFrame:
    out = blocks.copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    out["start"] = out["start"].dt.strftime("%Y-%m-%d %H:%M")
    out["end"] = out["end"].dt.strftime("%Y-%m-%d %H:%M")
    return out
