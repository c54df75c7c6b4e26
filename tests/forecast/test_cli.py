"""planner forecast on a small data folder: exit codes, files, the printed backtest table."""

from __future__ import annotations

import pandas as pd
from synthetic import HOURS, cases_frame, rates
from typer.testing import CliRunner

from planner.cli import app

TOML = """
[center]
timezone = "Europe/London"
country = "GB"
subdivision = "ENG"
interval_minutes = 30
opening_hours = {{ {hours} }}
"""


def write_folder(path, weeks: int = 6) -> None:
    path.mkdir()
    hours = ", ".join(f'{d} = "{h}"' for d, h in HOURS.items())
    (path / "planner.toml").write_text(TOML.format(hours=hours), encoding="utf-8")
    cases = cases_frame({"billing": rates("2026-06-01", weeks, 300)})
    cases["created_at"] = cases["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    cases[["case_id", "created_at", "case_type", "handle_seconds"]].to_csv(path / "cases.csv",
                                                                         index=False)


def test_forecast_command_writes_both_files(tmp_path):
    data, out = tmp_path / "data", tmp_path / "run"
    write_folder(data)
    result = CliRunner().invoke(app, ["forecast", "--data", str(data), "--out", str(out),
                                      "--horizon-weeks", "2"])
    assert result.exit_code == 0, result.output
    fc = pd.read_csv(out / "forecast.csv", parse_dates=["interval_start"])
    bt = pd.read_csv(out / "backtest.csv")
    assert list(fc.columns) == ["case_type", "interval_start", "volume", "volume_low",
                                "volume_high", "aht_seconds"]
    assert fc["interval_start"].min() == pd.Timestamp("2026-07-13")
    assert len(fc) == 14 * 48
    assert bt["chosen"].sum() == 1
    assert "billing" in result.output and "MASE" in result.output


def test_forecast_command_bad_start_and_missing_history(tmp_path):
    data = tmp_path / "data"
    write_folder(data)
    bad = CliRunner().invoke(app, ["forecast", "--data", str(data), "--out", str(tmp_path / "o"),
                                   "--start", "next monday"])
    assert bad.exit_code == 2 and "expected a date" in bad.output
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = CliRunner().invoke(app, ["forecast", "--data", str(empty), "--out", str(tmp_path / "o")])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
