"""The generated sample center: arrivals match its own truth, determinism, plausibility, holidays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from planner.cli import app
from planner.io import load_folder
from planner.sample import generate_sample, write_sample


@pytest.fixture(scope="module")
def center():
    return generate_sample(seed=11, weeks=26, agents=80)


@pytest.fixture(scope="module")
def history(center):
    cases = center.cases.copy()
    cases["created_at"] = pd.to_datetime(cases["created_at"])
    cases["interval_start"] = cases["created_at"].dt.floor("30min")
    rates = center.true_rates
    rates = rates[rates["period"] == "history"].copy()
    rates["interval_start"] = pd.to_datetime(rates["interval_start"])
    return cases, rates


def test_volume_per_type_matches_truth_within_4_sd(history):
    # Poisson totals: observed - expected over sqrt(expected) is ~N(0, 1); 4 sd is a 1-in-16,000 bound.
    cases, rates = history
    observed = cases.groupby("case_type").size()
    expected = rates.groupby("case_type")["rate"].sum()
    z = (observed - expected) / np.sqrt(expected)
    assert len(z) == 8
    assert (z.abs() < 4).all(), z.to_dict()


def test_arrival_shape_matches_truth_chi_square(history):
    # Pearson chi-square over (case type, weekday, hour) cells with an expected count >= 20.
    cases, rates = history
    key = lambda f: [f["case_type"], f["interval_start"].dt.day_of_week, f["interval_start"].dt.hour]  # noqa: E731
    obs = cases.groupby(key(cases)).size()
    exp = rates.groupby(key(rates))["rate"].sum()
    exp = exp[exp >= 20]
    obs = obs.reindex(exp.index, fill_value=0)
    chi2 = float((((obs - exp) ** 2) / exp).sum())
    df = len(exp)
    assert df > 500
    assert stats.chi2.sf(chi2, df) > 1e-3, (chi2, df)
    # And nothing arrives where the truth says the rate is zero (closed phone and chat hours).
    zero = rates.loc[rates["rate"] == 0, ["case_type", "interval_start"]]
    hits = cases.merge(zero, on=["case_type", "interval_start"])
    assert hits.empty


def test_same_seed_gives_byte_identical_files(tmp_path):
    files = {}
    for run in ("a", "b", "c"):
        seed = 5 if run != "c" else 6
        write_sample(generate_sample(seed=seed, weeks=3, agents=20), tmp_path / run, tmp_path / f"{run}_t")
        files[run] = {p.relative_to(tmp_path / run).as_posix(): p.read_bytes()
                      for p in sorted((tmp_path / run).rglob("*")) if p.is_file()}
        files[run].update({"truth/" + p.name: p.read_bytes() for p in sorted((tmp_path / f"{run}_t").iterdir())})
    assert set(files["a"]) >= {"planner.toml", "cases.csv.gz", "agents.csv", "skills.csv",
                               "availability.csv", "truth/arrival_rates.csv.gz", "truth/agents.csv"}
    assert files["a"] == files["b"]
    assert files["a"]["cases.csv.gz"] != files["c"]["cases.csv.gz"]


def test_types_channels_agents_and_skills_are_plausible(center):
    cases, skills, agents = center.cases, center.skills, center.agents
    types = center.true_case_types
    assert 6 <= len(types) <= 8
    assert set(types["channel"]) == {"phone", "chat", "email"}
    assert set(types["complexity"]) == {"transactional", "standard", "complex"}
    assert len(agents) == 80 and agents["agent_id"].is_unique
    per_agent = skills.groupby("agent_id").size()
    assert per_agent.index.size == 80  # everyone can take something
    assert 1.5 <= per_agent.mean() <= 5 and per_agent.max() <= len(types)
    assert skills.groupby("case_type").size().min() >= 4  # every type has a few agents
    assert skills["level"].between(1, 5).all() and skills["level"].nunique() == 5
    # Every answered case went to an agent skilled in its type.
    answered = cases[cases["abandoned"] == 0]
    pairs = answered[["agent_id", "case_type"]].drop_duplicates().merge(skills, how="left")
    assert pairs["level"].notna().all()
    # ... and nearly always to one rostered at the time (the truth keeps the roster).
    assert center.model["answered_off_shift_share"] < 0.05
    assert len(center.true_shifts) > 80 * 26 * 3
    # Surveys for a minority of answered cases; none for abandoned ones.
    survey = (answered["csat"] != "").mean()
    assert 0.12 <= survey <= 0.25
    assert (cases.loc[cases["abandoned"] == 1, "csat"] == "").all()
    # Abandonment exists on phone/chat only, at a plausible rate.
    ab = cases.groupby("channel")["abandoned"].mean()
    assert ab["email"] == 0 and 0.01 < ab["phone"] < 0.2 and 0.01 < ab["chat"] < 0.2
    # Handle time ordered by complexity within each channel.
    aht = answered.assign(h=answered["handle_seconds"].astype(float)).groupby("case_type")["h"].mean()
    assert aht["technical_fault"] > aht["billing"] > aht["order_status"]


def test_latent_performance_and_specialists_drive_kpis(center):
    cases = center.cases
    answered = cases[cases["abandoned"] == 0].copy()
    answered["fcr"] = answered["resolved_first_contact"].astype(int)
    truth = center.true_agents.set_index("agent_id")
    fcr = answered.groupby("agent_id")["fcr"].mean()
    assert np.corrcoef(truth.loc[fcr.index, "latent_score"], fcr)[0, 1] > 0.4
    complex_types = set(center.true_case_types.query("complexity == 'complex'")["case_type"])
    answered["complex"] = answered["case_type"].isin(complex_types)
    share = answered.groupby("agent_id")["complex"].mean()
    spec = truth.loc[share.index, "specialist"]
    assert spec.sum() >= 5
    assert share[spec].mean() > 2 * share[~spec].mean()


def test_holidays_have_no_phone_or_chat_and_less_email(history):
    cases, _ = history
    day = cases["created_at"].dt.normalize()
    for holiday in ("2026-05-25", "2026-08-31"):  # Spring and late-summer bank holidays (Mondays)
        on = cases[day == pd.Timestamp(holiday)]
        assert set(on["channel"]) == {"email"}
        mondays = cases[(day.dt.day_of_week == 0) & (day != pd.Timestamp(holiday))]
        per_monday = (mondays["channel"] == "email").sum() / mondays["created_at"].dt.date.nunique()
        assert len(on) < 0.6 * per_monday
    # Sundays: phone closed, chat and email open.
    sunday = cases[day.dt.day_of_week == 6]
    assert "phone" not in set(sunday["channel"]) and {"chat", "email"} <= set(sunday["channel"])


def test_cli_sample_writes_a_valid_folder(tmp_path):
    out = tmp_path / "center"
    result = CliRunner().invoke(app, ["sample", "--out", str(out), "--seed", "2", "--history-weeks", "2",
                                      "--agents", "15"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "center_truth" / "arrival_rates.csv.gz").exists()
    data = load_folder(out)
    assert data.config.center.timezone == "Europe/London"
    assert data.config.case_types["chat_orders"].concurrency == 2
    assert data.config.case_types["email_billing"].deadline_hours == 24
    assert len(data.agents) == 15 and data.cases["case_id"].is_unique
    assert CliRunner().invoke(app, ["validate", "--data", str(out)]).exit_code == 0
