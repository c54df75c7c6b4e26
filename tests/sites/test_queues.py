"""Many queues forecast in shares, on an engine, give the files of one forecast of them all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from planner.cli import app
from planner.forecast import forecast
from planner.io import load_folder
from planner.sites import InProcess
from planner.sites.queues import forecast_queues, queue_names
from tests.sites.helpers import write_site


def test_shares_of_the_queues_join_into_the_whole_forecast(tmp_path: Path) -> None:
    data = write_site(tmp_path / "leeds", "leeds")
    whole = forecast(load_folder(data))
    events: list[tuple[str, str]] = []
    joined = forecast_queues(data, InProcess(), per_job=1, on_event=lambda k, kind, _t: events.append((k, kind)))
    assert queue_names(data) == ["billing", "tech"]
    # One job per queue, each heard to its end.
    assert [e for e in events if e[1] in ("queued", "done")] == [
        ("billing", "queued"), ("tech", "queued"), ("billing", "done"), ("tech", "done")]
    pd.testing.assert_frame_equal(joined.forecast, whole.forecast)
    pd.testing.assert_frame_equal(joined.backtest.drop(columns="seconds", errors="ignore"),
                                  whole.backtest.drop(columns="seconds", errors="ignore"))
    assert joined.chosen == whole.chosen
    # A share alone is not the whole: the other type's rows are absent, its own are the same.
    alone = forecast(load_folder(data), case_types=["tech"])
    assert set(alone.forecast["case_type"]) == {"tech"}


def test_forecast_command_with_queues_per_job_writes_the_same_files(tmp_path: Path, monkeypatch) -> None:
    # In this process (the jobs are the same functions on Dask; a cluster's start-up is not tested here).
    monkeypatch.setattr("planner.sites.engine.dask_available", lambda: False)
    data = write_site(tmp_path / "leeds", "leeds")
    runner = CliRunner()
    one, many = tmp_path / "one", tmp_path / "many"
    assert runner.invoke(app, ["forecast", "--data", str(data), "--out", str(one)]).exit_code == 0
    done = runner.invoke(app, ["forecast", "--data", str(data), "--out", str(many), "--queues-per-job", "1"])
    assert done.exit_code == 0, done.output
    for name in ("forecast.csv", "backtest.csv", "anomalies.csv"):
        assert (one / name).read_bytes() == (many / name).read_bytes()
