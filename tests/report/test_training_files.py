"""The report's training files: suggestions as a ready training.csv, planned training in the roster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from planner.io import load_folder
from planner.report import build_report
from tests.report.fixtures_run import write_data, write_run


def test_suggestions_are_written_as_a_training_csv_next_week_can_read(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    run = write_run(tmp_path / "run")
    rep = build_report(run, data)
    got = pd.read_csv(run / "training_suggested.csv", dtype=str, keep_default_na=False)
    assert list(got.columns) == ["agent_id", "topic", "hours", "earliest", "latest",
                                 "min_block_hours"]
    # The report's best change comes first, one row per agent, each for a short case type.
    top = rep.training.iloc[0]
    assert (got.loc[0, "agent_id"], got.loc[0, "topic"]) == (top["agent_id"], top["case_type"])
    assert got["agent_id"].is_unique and 1 <= len(got) <= 5
    assert set(got["topic"]) <= set(rep.training["case_type"])
    assert (got["hours"] == "4.0").all()
    # Copied into the data folder it passes training.csv's contract and cross-checks.
    shutil.copy(run / "training_suggested.csv", data / "training.csv")
    folder = load_folder(data)
    assert folder.training is not None and len(folder.training) == len(got)
    assert "training_suggested.csv" in (run / "report.md").read_text(encoding="utf-8")


def test_planned_training_is_listed_under_the_roster(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    run = write_run(tmp_path / "run")
    asg = pd.read_csv(run / "assignments.csv", dtype=str)
    agent = asg["agent_id"].iloc[0]
    rows = asg.index[(asg["agent_id"] == agent)
                     & ~asg["activity"].isin(["break", "lunch"])][:3]
    asg["topic"] = ""
    asg.loc[rows, "activity"] = "training"
    asg.loc[rows, "topic"] = "tech basics"
    asg.to_csv(run / "assignments.csv", index=False)
    rep = build_report(run, data)
    planned = rep.planned_training
    assert planned is not None
    assert planned.to_dict("records")[0]["agent_id"] == agent
    assert planned["topic"].tolist() == ["tech basics"]
    assert planned["hours"].tolist() == [1.5]  # three 30-minute intervals
    html = (run / "report.html").read_text(encoding="utf-8")
    assert "Planned training" in html and "tech basics" in html
    # The agent's own calendar names the session.
    assert "training: tech basics" in (run / "agents" / f"{agent}.csv").read_text(encoding="utf-8")
