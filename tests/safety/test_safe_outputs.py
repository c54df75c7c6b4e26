"""Outputs safe to open: no formula in a CSV cell, no markup in report.md, no control character in a
calendar, file names that never collide, maths-free chart titles, files that follow the umask."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from planner.io import read_table, write_csv
from planner.io.cells import neutralise, read_csv, restore
from planner.io.contracts import Column, Contract
from planner.report.charts import forecast_chart
from planner.report.exports import agent_calendar, export_agents, file_stems
from planner.report.markdown import md_text

HOSTILE = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
           "\tx=1", "'already quoted", "'=both", "''", "plain", "O'Brien", "-", "+", "="]
NUMBERS = ["-3", "+1.5e3", "-.5", "12"]


def test_formula_cells_are_neutralised_and_numbers_left_alone(tmp_path: Path) -> None:
    frame = pd.DataFrame({"agent_id": HOSTILE + NUMBERS, "hours": range(len(HOSTILE) + 4)})
    path = write_csv(frame, tmp_path / "x.csv")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    cells = [next(iter(pd.read_csv(pd.io.common.StringIO(line), header=None, dtype=str,
                                   keep_default_na=False).iloc[0])) for line in lines]
    for cell in cells:
        # What a spreadsheet would see: no cell starts a formula.
        assert not re.match(r"[=+\-@\t\r]", cell) or re.fullmatch(r"[+-]?[\d.]+(e[+-]?\d+)?", cell), cell
    assert cells[0] == "'" + HOSTILE[0]
    assert cells[len(HOSTILE):] == NUMBERS
    assert cells[HOSTILE.index("O'Brien")] == "O'Brien"


def test_our_readers_restore_what_the_writer_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"agent_id": HOSTILE + NUMBERS, "name": ["n"] * (len(HOSTILE) + 4)})
    path = write_csv(frame, tmp_path / "agents.csv")
    back = read_csv(path, dtype=str, keep_default_na=False)
    assert back["agent_id"].tolist() == HOSTILE + NUMBERS
    contract = Contract("agents.csv", (Column("agent_id", "str", required=True),
                                      Column("name", "str")))
    typed = read_table(path, contract)  # an input reader also strips blanks around a value
    assert typed["agent_id"].tolist() == [v.strip() for v in HOSTILE + NUMBERS]


def test_restore_undoes_only_what_neutralise_added() -> None:
    # A user's own leading apostrophe that hides nothing is data, kept as it is.
    s = pd.Series(["'hello", "'", "'-3", "x"], dtype=object)
    assert restore(s).tolist() == ["'hello", "'", "'-3", "x"]
    assert restore(neutralise(s)).tolist() == s.tolist()


def test_ids_that_collide_as_file_names_get_distinct_files(tmp_path: Path) -> None:
    ids = ["X/1", "X_1", "X 1", "Ab", "aB", "..", "con", "index", "y" * 400, "a1"]
    stems = file_stems(ids)
    assert len({s.casefold() for s in stems.values()}) == len(ids)
    assert stems["a1"] == "a1" and stems["X_1"] == "X_1"
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", s) and not s.startswith(".") for s in stems.values())
    # Stable: the same id gets the same name whoever else is in the data.
    assert file_stems(["X/1"])["X/1"] == stems["X/1"]

    rows = []
    for a in ids:
        for k in range(2):
            rows.append({"agent_id": a, "interval_start": pd.Timestamp("2026-11-23 08:00")
                         + pd.Timedelta(minutes=30 * k), "activity": "billing"})
    export_agents(pd.DataFrame(rows), tmp_path, 30, "Europe/London")
    files = sorted(p.name for p in (tmp_path / "agents").iterdir())
    assert len(files) == 2 * len(ids) + 1
    index = read_csv(tmp_path / "agents" / "index.csv", dtype=str, keep_default_na=False)
    assert sorted(index["agent_id"]) == sorted(ids)
    for r in index.itertuples():
        mine = read_csv(tmp_path / "agents" / r.csv, dtype=str, keep_default_na=False)
        assert set(mine["agent_id"]) == {r.agent_id}
        assert "X-WR-CALNAME:" in (tmp_path / "agents" / r.ics).read_text(encoding="utf-8")


def test_calendar_has_no_control_character_from_a_name() -> None:
    blocks = pd.DataFrame({"agent_id": ["a1"], "name": ["x"], "date": [pd.Timestamp("2026-11-23")],
                           "start": [pd.Timestamp("2026-11-23 08:00")],
                           "end": [pd.Timestamp("2026-11-23 12:00")], "activity": ["bil\rling\x07"],
                           "hours": [4.0]})
    text = agent_calendar("a1", "Eve\rX-INJECTED:1\x1b", blocks, "Europe/London", "C\x00enter",
                          pd.Timestamp("2026-11-23"))
    body = text.replace("\r\n", "")
    assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", body)
    assert "\r\nX-INJECTED" not in text
    assert "X-WR-CALNAME:C enter: Eve\\nX-INJECTED:1 " in body


def test_markdown_shows_user_text_as_text() -> None:
    assert md_text("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)\\>"
    assert md_text("**boss** [x](javascript:1) a|b") == "\\*\\*boss\\*\\* \\[x\\](javascript:1) a\\|b"
    assert md_text("two\nlines") == "two lines"


def test_report_md_escapes_names(tmp_path: Path) -> None:
    from planner.report.build import WeeklyReport
    from planner.report.markdown import render_markdown

    rep = WeeklyReport(center="<script>x</script>", run=tmp_path, week_start=None, week_end=None,
                       minutes=30)
    rep.tier_moves = pd.DataFrame({"agent_id": ["<u>a</u>"], "previous_tier": ["low"], "tier": ["high"]})
    rep.headlines = ["Train <b>Eve</b> on billing"]
    rep.notes = ["agent <i>x</i>"]
    text = render_markdown(rep)
    assert "<script>" not in text and "<b>" not in text and "<i>" not in text and "<u>" not in text
    assert "\\<script\\>" in text


def test_dollar_in_a_case_type_is_drawn_as_text() -> None:
    ts = pd.date_range("2026-11-23 08:00", periods=8, freq="30min")
    fc = pd.DataFrame({"case_type": "billing_$5_$", "interval_start": ts, "volume": 3.0})
    svg = forecast_chart(fc, None)
    assert "billing_$5_$" in svg


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_written_files_follow_the_umask(tmp_path: Path, mask: int) -> None:
    old = os.umask(mask)
    try:
        path = write_csv(pd.DataFrame({"a": [1]}), tmp_path / f"m{mask:o}.csv")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
