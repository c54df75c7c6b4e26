"""`planner run` end to end on the small hand-made center: every stage's file, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
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
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["stages"]) == ["forecast", "requirements", "tiers", "schedule", "simulate", "report"]
    for entry in summary["stages"].values():
        assert set(entry) == {"seconds", "figures", "notes"} and entry["seconds"] >= 0
    assert summary["stages"]["schedule"]["figures"]["shortfall"].endswith("agent-hours")
    assert "simulated service level" in summary["figures"]
    assert summary["versions"]["planner"] and summary["versions"]["ortools"] != "absent"
    assert manifest["timezone"] and manifest["overrides"] == {}
    assert set(manifest["inputs_sha256"]) == {"planner.toml", "agents.csv", "skills.csv", "cases.csv"}
    assert all(len(h) == 64 for h in manifest["inputs_sha256"].values())


@pytest.mark.slow
def test_compare_two_runs_that_differ_by_one_override(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    runner = CliRunner()
    base = ["run", "--data", str(data), "--schedule-seconds", "4", "--replications", "1"]
    a, b = tmp_path / "base", tmp_path / "strict"
    assert runner.invoke(app, [*base, "--out", str(a)]).exit_code == 0
    done = runner.invoke(app, [*base, "--out", str(b), "--service-level", "0.99", "--answer-seconds", "5"])
    assert done.exit_code == 0, done.output
    assert json.loads((b / "run.json").read_text(encoding="utf-8"))["overrides"] == {
        "service_level": 0.99, "answer_seconds": 5.0}
    cmp_dir = tmp_path / "cmp"
    done = runner.invoke(app, ["compare", str(a), str(b), "--out", str(cmp_dir), "--json"])
    assert done.exit_code == 0, done.output
    found = json.loads(done.stdout)
    # The one input that differs is the override; the input files are the same.
    assert [r["input"] for r in found["inputs"]] == ["overrides"]
    table = pd.read_csv(cmp_dir / "compare.csv").set_index("figure")
    # A stricter target asks for more agents from the same staff: more shortfall.
    short = table.loc["shortfall, all types [h]"]
    assert short[str(b)] > short[str(a)]
    for figure in ("simulated service level", "paid hours", "hires [FTE]"):
        assert figure in table.index
    assert (cmp_dir / "compare.html").exists()
