"""`planner simulate` on a hand-made plan: files written, policies side by side, bad input explained."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from planner.cli import app
from tests.conftest import write_folder

STARTS = pd.date_range("2026-11-23 09:00", periods=8, freq="30min")


def write_run(run: Path, assignments_agent: str = "a1") -> None:
    run.mkdir(parents=True, exist_ok=True)
    rows = [(t, s, v, v * 0.8, v * 1.2, 240.0) for t, v in (("billing", 6.0), ("returns", 4.0))
            for s in STARTS]
    pd.DataFrame(rows, columns=["case_type", "interval_start", "volume", "volume_low",
                                "volume_high", "aht_seconds"]).to_csv(run / "forecast.csv", index=False)
    acts = [(assignments_agent, s, "billing" if k != 3 else "break") for k, s in enumerate(STARTS)]
    acts += [("a2", s, "billing") for s in STARTS]
    pd.DataFrame(acts, columns=["agent_id", "interval_start", "activity"]).to_csv(
        run / "assignments.csv", index=False)
    pd.DataFrame({"agent_id": ["a1", "a2"], "tier": ["high", "low"]}).to_csv(run / "tiers.csv",
                                                                         index=False)


def test_simulate_writes_both_files_with_policies_side_by_side(tmp_path):
    data = write_folder(tmp_path / "data")
    run = tmp_path / "run"
    write_run(run)
    res = CliRunner().invoke(app, ["simulate", "--data", str(data), "--out", str(run),
                                   "--policy", "tier-aware", "--policy", "longest-idle",
                                   "--replications", "3", "--seed", "1", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "events/s" in res.output
    sim = pd.read_csv(run / "simulation.csv")
    assert list(sim.columns) == ["policy", "case_type", "interval_start", "offered", "answered",
                                 "service_level", "asa_seconds", "abandoned", "occupancy",
                                 "handoffs"]
    assert set(sim["policy"]) == {"tier-aware", "longest-idle"}
    assert len(sim) == 2 * 2 * len(STARTS)
    # Both policies meet the same customers (common random numbers).
    offered = sim.pivot_table(index=["case_type", "interval_start"], columns="policy",
                              values="offered")
    assert (offered["tier-aware"] == offered["longest-idle"]).all()
    summ = pd.read_csv(run / "simulation_summary.csv")
    assert {"service_level_low", "service_level_high", "replications"} <= set(summ.columns)
    assert set(summ["case_type"]) == {"billing", "returns", "all"}
    allrow = summ[summ["case_type"] == "all"]
    assert (allrow["service_level_low"] <= allrow["service_level"]).all()
    assert (allrow["replications"] == 3).all()
    # Only a1 (level 2 on returns) can take returns, and a1 is planned on billing: a freed a1 takes
    # its primary billing first under tier-aware, the oldest case under longest-idle.
    asa = summ[summ["case_type"] == "returns"].set_index("policy")["asa_seconds"]
    assert asa["tier-aware"] > asa["longest-idle"]


def test_simulate_is_deterministic_for_a_seed(tmp_path):
    data = write_folder(tmp_path / "data")
    out = []
    for name in ("r1", "r2"):
        run = tmp_path / name
        write_run(run)
        res = CliRunner().invoke(app, ["simulate", "-d", str(data), "-o", str(run),
                                       "--replications", "2", "--seed", "9", "--workers", "1"])
        assert res.exit_code == 0, res.output
        out.append((run / "simulation_summary.csv").read_text())
    assert out[0] == out[1]


def test_unknown_agent_in_assignments_is_a_contract_error(tmp_path):
    data = write_folder(tmp_path / "data")
    run = tmp_path / "run"
    write_run(run, assignments_agent="ghost")
    res = CliRunner().invoke(app, ["simulate", "-d", str(data), "-o", str(run),
                                   "--replications", "1", "--workers", "1"])
    assert res.exit_code == 2
    assert "ghost" in res.output and "assignments.csv" in res.output


def test_missing_forecast_says_which_stage_writes_it(tmp_path):
    data = write_folder(tmp_path / "data")
    run = tmp_path / "run"
    run.mkdir()
    res = CliRunner().invoke(app, ["simulate", "-d", str(data), "-o", str(run)])
    assert res.exit_code == 3
    assert "forecast.csv" in res.output


def test_bad_scenario_is_explained(tmp_path):
    data = write_folder(tmp_path / "data")
    run = tmp_path / "run"
    write_run(run)
    res = CliRunner().invoke(app, ["simulate", "-d", str(data), "-o", str(run),
                                   "--scenario", "lots"])
    assert res.exit_code == 2 and "scenario" in res.output


def test_activity_without_the_skill_is_reported(tmp_path):
    data = write_folder(tmp_path / "data")
    run = tmp_path / "run"
    write_run(run)
    asg = pd.read_csv(run / "assignments.csv")
    asg.loc[asg["agent_id"] == "a2", "activity"] = "returns"  # a2 has no returns skill
    asg.to_csv(run / "assignments.csv", index=False)
    res = CliRunner().invoke(app, ["simulate", "-d", str(data), "-o", str(run),
                                   "--replications", "1", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "4.0 agent-hours" in res.output and "a2 returns" in res.output


def test_validation_switches_reach_the_engine(tmp_path):
    data = write_folder(tmp_path / "data", {"planner.toml": CONFIG_WITH_PATIENCE})
    run = tmp_path / "run"
    write_run(run)
    args = ["simulate", "-d", str(data), "-o", str(run), "--replications", "2", "--workers", "1",
            "--policy", "longest-idle", "--scenario", "3"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    ab = pd.read_csv(run / "simulation_summary.csv").set_index("case_type")["abandoned"]
    assert ab["all"] > 0
    res = CliRunner().invoke(app, [*args, "--no-abandonment", "--exponential"])
    assert res.exit_code == 0, res.output
    ab = pd.read_csv(run / "simulation_summary.csv").set_index("case_type")["abandoned"]
    assert ab["all"] == 0


CONFIG_WITH_PATIENCE = """[center]
timezone = "Europe/London"
interval_minutes = 30

[case_types.billing]
patience_seconds = 30

[case_types.returns]
channel = "chat"
concurrency = 2
patience_seconds = 30
"""
