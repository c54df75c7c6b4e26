"""`planner capacity` end to end on a small generated center: its files, and bad input named by file,
row and column with exit 2 and nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from tests.capacity.helpers import write_center

WIDE = {"COLUMNS": "300", "TERMINAL_WIDTH": "300", "NO_COLOR": "1"}
CAPACITY = "attrition_per_month = 0.01\nlead_time_weeks = 1\ntraining_weeks = 2\nramp_weeks = 2\n"


def center(root: Path, **kw) -> Path:
    return write_center(root, start="2026-01-05", days=56, daily=800, agents=12, capacity=CAPACITY, **kw)


def test_capacity_writes_its_files_and_summary(tmp_path: Path) -> None:
    data = center(tmp_path / "d", extra={"hiring.csv": "start,heads,skills\n2026-03-16,3,calls\n"})
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["capacity", "--data", str(data), "--out", str(out), "--months", "3"],
                              env=WIDE)
    assert done.exit_code == 0, done.output
    for name in ("capacity_plan.csv", "hiring_plan.csv", "capacity_demand.csv", "capacity.html",
                 "summary.json", "run.json"):
        assert (out / name).exists(), name
    plan = pd.read_csv(out / "capacity_plan.csv")
    assert plan["week_start"].nunique() == 13  # 3 months of 52 / 12 weeks
    hiring = pd.read_csv(out / "hiring_plan.csv")
    given = hiring[hiring["source"] == "hiring.csv"].iloc[0]
    assert (given["start"], given["heads"], given["skills"]) == ("2026-03-16", 3, "calls")
    # the given class trains 2 weeks (capacity.training_weeks) then ramps 2
    assert given["productive_from"] == "2026-03-30"
    assert "capacity plan" in (out / "capacity.html").read_text(encoding="utf-8")


BAD = [
    ("a class starting in the past", {"hiring.csv": "start,heads,skills\n2026-02-02,3,calls\n"},
     ["hiring.csv", "2", "start", "2026-02-02"]),
    ("negative heads", {"hiring.csv": "start,heads,skills\n2026-03-16,-3,calls\n"},
     ["hiring.csv", "2", "heads", "-3"]),
    ("unknown skills", {"hiring.csv": "start,heads,skills\n2026-03-16,3,calls\n2026-03-23,2,calls;faxes\n"},
     ["hiring.csv", "3", "skills", "faxes"]),
    ("end before start", {"agents.csv": "agent_id,name,start_date,end_date\na1,A,2026-02-01,2026-01-01\n"},
     ["agents.csv", "2", "end_date", "2026-01-01"]),
]


@pytest.mark.parametrize("why,files,words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_named_exits_2_and_writes_nothing(tmp_path: Path, why: str, files: dict,
                                                       words: list[str]) -> None:
    data = center(tmp_path / "d", extra=files)
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["capacity", "--data", str(data), "--out", str(out)], env=WIDE)
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    for w in words:
        assert w in done.output, (w, done.output)
    assert not out.exists() or list(out.iterdir()) == []


def test_attrition_outside_0_1_is_named_in_planner_toml(tmp_path: Path) -> None:
    data = write_center(tmp_path / "d", start="2026-01-05", days=56, capacity="attrition_per_month = 1.5")
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["capacity", "--data", str(data), "--out", str(out)], env=WIDE)
    assert done.exit_code == 2, done.output
    for w in ("planner.toml", "capacity.attrition_per_month", "1.5", "less than or equal to 1"):
        assert w in done.output, (w, done.output)
    assert not out.exists() or list(out.iterdir()) == []


def test_an_existing_run_folder_is_left_as_it_was_on_bad_input(tmp_path: Path) -> None:
    data = center(tmp_path / "d")
    out = tmp_path / "run"
    assert CliRunner().invoke(app, ["capacity", "--data", str(data), "--out", str(out),
                                    "--months", "1"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (data / "hiring.csv").write_text("start,heads,skills\n2026-03-16,0,calls\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["capacity", "--data", str(data), "--out", str(out)], env=WIDE)
    assert done.exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
