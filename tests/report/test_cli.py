"""`planner report` through the command line: exit codes, files written, what is printed."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from planner.cli import app
from tests.report.fixtures_run import write_data, write_run


def test_report_command_rebuilds_from_a_run_folder(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    run = write_run(tmp_path / "run")
    done = CliRunner().invoke(app, ["report", "--out", str(run), "--data", str(data)])
    assert done.exit_code == 0, done.output
    for name in ("report.html", "report.md", "agent_schedules.csv", "report_shortages.csv",
                 "report_training.csv", "report_hiring.csv", "agents/l2.ics", "agents/l2.csv"):
        assert (run / name).exists(), name
    assert "tech is short 25.0 agent-hours" in " ".join(done.output.split())


def test_report_finds_the_data_folder_in_run_json(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    run = write_run(tmp_path / "run")
    (run / "run.json").write_text(json.dumps({"data": str(data)}), encoding="utf-8")
    done = CliRunner().invoke(app, ["report", "--out", str(run)])
    assert done.exit_code == 0, done.output
    # Names come from the data folder's agents.csv.
    assert "Mia Medium" in (run / "agents" / "m1.csv").read_text(encoding="utf-8")


def test_report_on_a_missing_data_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    done = CliRunner().invoke(app, ["report", "--out", str(run), "--data", str(tmp_path / "nope")])
    assert done.exit_code == 2
    assert "Traceback" not in done.output
