"""requirements(): per case type settings, concurrency, deadlines, closed intervals, CLI and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import ContractError, MissingInputError
from planner.io import parse_config
from planner.staffing import COLUMNS, Overrides, erlang, erlang_a, requirements, summarise
from planner.staffing.backoffice import spread_workload

CONFIG = """
[center]
timezone = "Europe/London"
interval_minutes = 30

[center.opening_hours]
mon = "08:00-20:00"
tue = "08:00-20:00"
wed = "08:00-20:00"
thu = "08:00-20:00"
fri = "08:00-20:00"
sat = "closed"
sun = "closed"

[staffing]
shrinkage = 0.3
max_occupancy = 0.85

[case_types.billing]
channel = "phone"
service_level = 0.8
answer_seconds = 20
patience_seconds = 300

[case_types.chat]
channel = "chat"
service_level = 0.9
answer_seconds = 60
concurrency = 2
shrinkage = 0.2

[case_types.email]
channel = "email"
deadline_hours = 24
max_occupancy = 0.9
"""

START = pd.Timestamp("2026-11-23")  # a Monday


def forecast(days: int = 7) -> pd.DataFrame:
    grid = pd.date_range(START, periods=48 * days, freq="30min")
    hour = grid.hour + grid.minute / 60
    open_ = (grid.day_of_week < 5) & (hour >= 8) & (hour < 20)
    shape = np.where(open_, 20 + 60 * np.sin((hour - 8) / 12 * np.pi), 0.0)
    rows = [
        pd.DataFrame({"case_type": "billing", "interval_start": grid, "volume": shape,
                      "aht_seconds": 360.0}),
        pd.DataFrame({"case_type": "chat", "interval_start": grid, "volume": shape / 2,
                      "aht_seconds": 600.0}),
        # Email arrives around the clock, also when closed.
        pd.DataFrame({"case_type": "email", "interval_start": grid, "volume": 6.0,
                      "aht_seconds": 420.0}),
    ]
    out = pd.concat(rows, ignore_index=True)
    out["volume_low"] = out["volume"] * 0.8
    out["volume_high"] = out["volume"] * 1.2
    return out


@pytest.fixture(scope="module")
def config():
    return parse_config(CONFIG)


@pytest.fixture(scope="module")
def req(config):
    return requirements(forecast(), config)


def test_columns_and_rows(req):
    assert list(req.columns) == list(COLUMNS)
    assert list(req.columns[:7]) == ["case_type", "interval_start", "agents_net", "agents_gross",
                                     "service_level", "asa_seconds", "occupancy"]
    assert len(req) == 3 * 7 * 48
    assert list(dict.fromkeys(req["case_type"])) == ["billing", "chat", "email"]
    assert req["agents_net"].dtype == np.int64


def test_phone_rows_are_erlang_c_per_interval(req):
    b = req[req["case_type"] == "billing"]
    a = b["volume"].to_numpy() * 360 / 1800
    want = erlang.agents_for_target(a, 360.0, service_level=0.8, answer_seconds=20, max_occupancy=0.85)
    np.testing.assert_array_equal(b["agents_net"], want.agents)
    np.testing.assert_array_equal(b["agents_gross"], erlang.gross_agents(want.agents, 0.3))
    busy = b["volume"] > 0
    assert (b.loc[busy, "service_level"] >= 0.8).all()
    assert (b.loc[busy, "occupancy"] <= 0.85 + 1e-12).all()
    assert (np.ceil(b["agents_fractional"]) == b["agents_net"]).all()


def test_closed_intervals_need_nobody(req):
    closed = req[(req["volume"] == 0) & (req["model"] != "deadline")]
    assert len(closed) > 0
    assert (closed["agents_net"] == 0).all() and (closed["agents_gross"] == 0).all()


def test_chat_concurrency_and_own_shrinkage(req):
    c = req[req["case_type"] == "chat"]
    a = c["volume"].to_numpy() * 600 / 1800
    want = erlang.agents_for_target(a, 600.0, service_level=0.9, answer_seconds=60,
                                    max_occupancy=0.85, concurrency=2)
    np.testing.assert_array_equal(c["agents_net"], want.agents)
    one = erlang.agents_for_target(a, 600.0, service_level=0.9, answer_seconds=60, max_occupancy=0.85)
    assert (c["agents_net"].to_numpy() <= one.agents).all()
    assert (c["agents_net"].to_numpy() < one.agents).any()
    np.testing.assert_array_equal(c["agents_gross"], erlang.gross_agents(c["agents_net"], 0.2))


def test_deadline_work_is_spread_within_opening_hours(req):
    e = req[req["case_type"] == "email"]
    t = pd.DatetimeIndex(e["interval_start"])
    hour = t.hour + t.minute / 60
    open_ = (t.day_of_week < 5) & (hour >= 8) & (hour < 20)
    assert (e.loc[~open_, "agents_net"] == 0).all()
    assert (e.loc[open_, "agents_net"] > 0).all()
    # Work is conserved (the week wraps around) and staffed at 90% occupancy.
    work = (e["erlangs"] * 1800).sum()
    assert work == pytest.approx(6.0 * 420 * len(e))
    np.testing.assert_allclose(e["agents_fractional"], e["erlangs"] / 0.9)
    # Flat arrivals: Tuesday to Thursday flat and low; the weekend's work lands on Monday, and
    # Friday evening's arrivals must be done before the weekend closes the window.
    midweek = open_ & (t.day_of_week >= 1) & (t.day_of_week <= 3)
    assert e.loc[midweek, "agents_net"].max() <= 4
    monday = e.loc[open_ & (t.day_of_week == 0), "agents_net"]
    assert monday.mean() > 2 * e.loc[midweek, "agents_net"].mean() and monday.max() <= 16
    assert e["model"].eq("deadline").all()
    # Friday 20:00 to Monday 08:00 arrivals have no open interval within 24 h: late.
    late = e.loc[e["service_level"] < 1, "interval_start"]
    assert len(late) > 0 and (pd.DatetimeIndex(late).day_of_week >= 4).all()


def test_spread_against_brute_force():
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = int(rng.integers(5, 40))
        work = rng.uniform(0, 10, n) * (rng.random(n) < 0.7)
        is_open = rng.random(n) < 0.5
        if not is_open.any():
            continue
        window = int(rng.integers(1, n + 1))
        got = spread_workload(work, is_open, window)
        want = np.zeros(n)
        for i in range(n):
            js = [(i + k) % n for k in range(window) if is_open[(i + k) % n]]
            if js:
                for j in js:
                    want[j] += work[i] / len(js)
            elif work[i] > 0:
                f = next((i + k) % n for k in range(n) if is_open[(i + k) % n])
                js = [(f + k) % n for k in range(window) if is_open[(f + k) % n]]
                for j in js:
                    want[j] += work[i] / len(js)
        np.testing.assert_allclose(got.workload_seconds, want, atol=1e-9)


def test_erlang_a_model_and_overrides(config):
    fc = forecast(days=1)
    ov = Overrides(service_level=0.9, answer_seconds=30, shrinkage=0.25, patience_seconds=240,
                   model="erlang_a")
    r = requirements(fc, config, ov)
    b = r[r["case_type"] == "billing"]
    assert b["model"].eq("erlang_a").all()
    a = b["volume"].to_numpy() * 360 / 1800
    want = erlang_a.agents_for_target(a, 360.0, 240.0, service_level=0.9, answer_seconds=30,
                                      max_occupancy=0.85)
    np.testing.assert_array_equal(b["agents_net"], want.agents)
    assert (r["shrinkage"] == 0.25).all()
    assert (b.loc[b["volume"] > 0, "abandon_rate"] > 0).all()
    # Erlang A with 4-minute patience needs no more agents than Erlang C for the same target.
    c = requirements(fc, config, Overrides(service_level=0.9, answer_seconds=30, shrinkage=0.25))
    assert (b["agents_net"].to_numpy() <= c[c["case_type"] == "billing"]["agents_net"].to_numpy()).all()


def test_bad_override_is_a_contract_error():
    with pytest.raises(ContractError, match="--service-level"):
        Overrides(service_level=1.2)


def test_summary(req):
    s = summarise(req)
    assert list(s.index) == ["billing", "chat", "email"]
    assert s.loc["billing", "peak_net"] == req[req["case_type"] == "billing"]["agents_net"].max()


# --- command line ---------------------------------------------------------------------------

def _folders(tmp_path: Path, forecast_text: str | None) -> tuple[Path, Path]:
    """Relative paths (the caller changes into tmp_path) keep the CLI's tables unfolded."""
    data, run = Path("data"), Path("run")
    data.mkdir()
    run.mkdir()
    (data / "planner.toml").write_text(CONFIG)
    if forecast_text is not None:
        (run / "forecast.csv").write_text(forecast_text)
    return data, run


def test_cli_writes_requirements(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fc = forecast(days=2)
    text = fc.assign(interval_start=fc["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%S")).to_csv(
        index=False)
    data, run = _folders(tmp_path, text)
    res = CliRunner().invoke(app, ["requirements", "--data", str(data), "--out", str(run),
                                   "--shrinkage", "0.3"])
    assert res.exit_code == 0, res.output
    assert "billing" in res.output and "peak" in res.output
    out = pd.read_csv(run / "requirements.csv")
    assert list(out.columns) == list(COLUMNS)
    assert len(out) == 3 * 2 * 48
    assert (out["agents_gross"] == erlang.gross_agents(out["agents_net"], 0.3)).all()


def test_cli_missing_forecast(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data, run = _folders(tmp_path, None)
    res = CliRunner().invoke(app, ["requirements", "--data", str(data), "--out", str(run)])
    assert res.exit_code == 3
    assert "run `planner forecast" in " ".join(res.output.split())
    assert not (run / "requirements.csv").exists()


@pytest.mark.parametrize("text,fragments", [
    ("case_type,interval_start,volume,aht_seconds\nbilling,2026-11-23 09:00,-3,300\n",
     ["forecast.csv", "volume", "2"]),
    ("case_type,interval_start,volume,aht_seconds\nbilling,next monday,3,300\n",
     ["forecast.csv", "interval_start"]),
    ("case_type,interval_start,aht_seconds\nbilling,2026-11-23 09:00,300\n", ["forecast.csv", "volume"]),
    ("case_type,interval_start,volume,aht_seconds\nbilling,2026-11-23 09:00,3,\n",
     ["forecast.csv", "aht_seconds", "2"]),
    ("case_type,interval_start,volume,aht_seconds\nbilling,2026-11-23 09:00,3,300\n"
     "billing,2026-11-23 09:00,4,300\n", ["forecast.csv", "unique"]),
])
def test_cli_malformed_forecast(tmp_path, monkeypatch, text, fragments):
    monkeypatch.chdir(tmp_path)
    data, run = _folders(tmp_path, text)
    res = CliRunner().invoke(app, ["requirements", "--data", str(data), "--out", str(run)])
    assert res.exit_code == 2, res.output
    flat = " ".join(res.output.split())
    for f in fragments:
        assert f in flat
    assert "Traceback" not in res.output


def test_missing_forecast_error_from_library(tmp_path):
    from planner.staffing import read_forecast

    with pytest.raises(MissingInputError, match="planner forecast"):
        read_forecast(tmp_path, "UTC")


def test_agents_at_volume_high(req, config):
    assert (req["agents_net_high"] >= req["agents_net"]).all()
    busy = req["model"] != "deadline"
    assert (req.loc[busy, "agents_net_high"] > req.loc[busy, "agents_net"]).any()
    plain = requirements(forecast(days=1).drop(columns=["volume_low", "volume_high"]), config)
    assert (plain["agents_net_high"] == plain["agents_net"]).all()
