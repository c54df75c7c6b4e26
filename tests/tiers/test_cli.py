"""planner tiers: files written, exit codes, the previous run used for hysteresis."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from planner.cli import app
from planner.tiers.synthetic import make_center

runner = CliRunner()
TOML = """[center]
timezone = "UTC"

[case_types.technical_fault]
channel = "phone"
complexity = "complex"

[case_types.complaint]
channel = "phone"
complexity = "complex"
"""


def _folder(tmp_path):
    c = make_center(n_agents=20, weeks=6, cases_per_week=20, seed=3)
    d = tmp_path / "data"
    d.mkdir()
    cases = c.cases.copy()
    cases["created_at"] = cases["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    cases.to_csv(d / "cases.csv", index=False)
    c.agents.to_csv(d / "agents.csv", index=False)
    c.skills.to_csv(d / "skills.csv", index=False)
    (d / "planner.toml").write_text(TOML)
    return d


def test_tiers_command_writes_its_files_and_uses_the_previous_run(tmp_path):
    data = _folder(tmp_path)
    out = tmp_path / "run"
    res = runner.invoke(app, ["tiers", "--data", str(data), "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("tiers.csv", "skill_levels.csv", "cross_skilling.csv", "upskilling.csv",
                 "kpis_by_type.csv"):
        assert (out / name).exists()
    t = pd.read_csv(out / "tiers.csv", keep_default_na=False)
    assert {"agent_id", "tier", "score", "score_low", "score_high", "cases", "aht_ratio", "fcr_adj",
            "csat_adj", "reason"} <= set(t.columns)
    assert (t["previous_tier"] == "").all()
    again = runner.invoke(app, ["tiers", "-d", str(data), "-o", str(out)])
    assert again.exit_code == 0, again.output
    t2 = pd.read_csv(out / "tiers.csv", keep_default_na=False)
    assert (t2["previous_tier"] == t["tier"]).all()
    assert "vs previous tiers: 0 moved" in again.output


def test_tiers_command_reports_a_bad_previous_file(tmp_path):
    data = _folder(tmp_path)
    bad = tmp_path / "old.csv"
    bad.write_text("agent_id,tier\nA000,excellent\n")
    res = runner.invoke(app, ["tiers", "-d", str(data), "-o", str(tmp_path / "run"),
                              "--previous", str(bad)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output


def test_tiers_command_without_agent_column_exits_cleanly(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "cases.csv").write_text("case_id,created_at,case_type\nc1,2026-03-02 09:00,billing\n")
    res = runner.invoke(app, ["tiers", "-d", str(d), "-o", str(tmp_path / "run")])
    assert res.exit_code == 3
    assert "agent_id" in res.output
