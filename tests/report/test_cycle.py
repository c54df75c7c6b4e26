"""`planner run` end to end on the small hand-made center: every stage's file, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from tests.report.fixtures_run import write_data

# The stages' outputs and the report's.
EXPECTED = (
    "forecast.csv", "backtest.csv", "requirements.csv", "tiers.csv", "tiers_previous.csv",
    "skill_levels.csv", "cross_skilling.csv", "upskilling.csv", "schedule.csv", "assignments.csv",
    "coverage.csv", "simulation.csv", "simulation_summary.csv", "report.html", "report.md",
    "report_shortages.csv", "report_training.csv", "report_hiring.csv", "agent_schedules.csv",
    "run.json", "agents/h1.ics", "agents/h1.csv",
)


@pytest.mark.slow
def test_planner_run_writes_every_file(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["run", "--data", str(data), "--out", str(out),
                                    "--schedule-seconds", "4", "--replications", "1"])
    assert done.exit_code == 0, done.output
    missing = [f for f in EXPECTED if not (out / f).exists()]
    assert missing == []
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert Path(manifest["data"]) == data.resolve()
    assert set(manifest["timings_seconds"]) >= {"forecast", "requirements", "tiers", "schedule",
                                                "simulate", "report", "total"}
    text = " ".join(done.output.split())
    assert "stages" in text and "report.html" in text
