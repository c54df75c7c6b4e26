"""planner intraday on a small planned week (tests/intraday/center.py): re-forecast, re-plan on the
published shifts, offers, and the command's errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.intraday import intraday, write_intraday
from planner.intraday.simulate import day_arrivals, simulate_rest
from planner.intraday.update import band, day_level, nbinom_ppf, update_forecast
from planner.io.cells import read_csv
from planner.io.writers import write_csv
from planner.scheduling import check_schedule
from tests.intraday.center import NOW, TUESDAY, actuals, copy_week, forecast_frame, write_week

runner = CliRunner()


@pytest.fixture(scope="module")
def week(tmp_path_factory) -> tuple[Path, Path]:
    return write_week(tmp_path_factory.mktemp("week"))


@pytest.fixture
def center(week, tmp_path) -> tuple[Path, Path]:
    return copy_week(week, tmp_path)


def tuesday_shifts(run: Path) -> pd.DataFrame:
    s = read_csv(run / "schedule.csv", dtype={"agent_id": str}, parse_dates=["shift_start", "shift_end"])
    return s[s["shift_start"].dt.normalize() == TUESDAY]


# --- the re-forecast ---------------------------------------------------------------------------

def test_day_level_is_the_gamma_posterior_mean():
    assert day_level(120, 100, 60) == pytest.approx((180 / 160, 180))
    assert day_level(120, 100, 0)[0] == pytest.approx(1.2)  # no prior: the raw ratio
    assert day_level(120, 100, np.inf)[0] == 1.0  # an infinitely sure prior: no update
    assert day_level(0, 0, 60)[0] == 1.0  # nothing expected yet, nothing seen


def test_updating_beats_the_morning_forecast_on_planted_levels():
    """Days whose level is drawn from the prior the update assumes: the posterior mean is closer
    to the truth than the morning forecast, and the 80% band covers about 80% of the counts."""
    rng = np.random.default_rng(7)
    profile = np.full(20, 10.0)  # 20 intervals of 10 expected cases
    errors_morning, errors_updated, inside, n = 0.0, 0.0, 0, 0
    for _ in range(300):
        theta = rng.gamma(10.0, 1 / 10.0)  # the day's level: sd 32%
        counts = rng.poisson(theta * profile)
        factor, shape = day_level(counts[:6].sum(), profile[:6].sum(), 10.0)
        mean = factor * profile[6:]
        errors_morning += np.abs(profile[6:] - counts[6:]).sum()
        errors_updated += np.abs(mean - counts[6:]).sum()
        low, high = band(mean, 1.0 / shape, dispersion=0.0)
        inside += int(((counts[6:] >= low) & (counts[6:] <= high)).sum())
        n += len(mean)
    assert errors_updated < 0.85 * errors_morning
    assert 0.75 <= inside / n <= 0.9


def test_update_moves_only_the_rest_of_the_day():
    f = forecast_frame()
    up, levels = update_forecast(f, actuals(1.5), TUESDAY, pd.Timestamp(NOW), prior_cases=0.0,
                                 decay_hours=np.inf)
    after = (f["interval_start"] >= pd.Timestamp(NOW)) & (f["interval_start"] < TUESDAY + pd.Timedelta(days=1))
    assert np.allclose(up.loc[~after, "volume"], f.loc[~after, "volume"])
    assert np.allclose(up.loc[after, "volume"], 1.5 * f.loc[after, "volume"])
    assert {lv.case_type: round(lv.factor, 6) for lv in levels} == {"calls": 1.5, "tech": 1.5}


# --- the re-plan -------------------------------------------------------------------------------

def test_actuals_equal_to_the_forecast_leave_the_plan_unchanged(center, tmp_path):
    data, run = center
    write_csv(actuals(1.0), tmp_path / "actuals.csv")
    res = intraday(data, run, NOW, actuals=tmp_path / "actuals.csv")
    assert all(lv.factor == pytest.approx(1.0) for lv in res.levels)
    assert not res.replan.replanned
    folder = write_intraday(res, run)
    for name in ("schedule.csv", "assignments.csv"):
        assert (folder / name).read_text() == (run / name).read_text(), name


def test_volume_over_forecast_with_an_absent_agent(center, tmp_path):
    data, run = center
    shifts = tuesday_shifts(run)
    absent = sorted(shifts[shifts["shift_end"] > pd.Timestamp(NOW) + pd.Timedelta(hours=2)]["agent_id"])[0]
    write_csv(actuals(2.0), tmp_path / "actuals.csv")
    res = intraday(data, run, NOW, actuals=tmp_path / "actuals.csv", absent=(absent,))
    folder = write_intraday(res, run)
    assert res.required_change_hours > 0
    # every published shift kept
    key = ["agent_id", "date", "shift_start", "shift_end"]
    new = read_csv(folder / "schedule.csv", dtype={"agent_id": str})
    old = read_csv(run / "schedule.csv", dtype={"agent_id": str})
    assert new[key].astype(str).equals(old[key].astype(str))
    # the absent agent does nothing all day; everyone else keeps the past as it was
    asg = read_csv(folder / "assignments.csv", dtype={"agent_id": str}, parse_dates=["interval_start"])
    was = read_csv(run / "assignments.csv", dtype={"agent_id": str}, parse_dates=["interval_start"])
    today = (asg["interval_start"] >= TUESDAY) & (asg["interval_start"] < TUESDAY + pd.Timedelta(days=1))
    assert set(asg.loc[today & (asg["agent_id"] == absent), "activity"]) == {"absent"}
    past = (asg["interval_start"] < pd.Timestamp(NOW)) & (asg["agent_id"] != absent)
    past_was = (was["interval_start"] < pd.Timestamp(NOW)) & (was["agent_id"] != absent)
    assert asg[past].reset_index(drop=True).equals(was[past_was].reset_index(drop=True))
    rep = check_schedule(folder, data)
    assert rep.ok, rep.violations
    assert res.replan.replan_cost <= res.kept.kept_cost


def test_overtime_offers_keep_rest_and_maximum_hours(center, tmp_path):
    """Every overtime offer, applied to the week, keeps the minimum rest, the maximum paid hours,
    the opening hours and the two-hour limit of an extension (checked here from the files, not by
    the scheduler's rule code); an agent whose maximum is planted at their planned hours is offered
    none; extensions may run past the config's longest pattern."""
    data, run = center
    shifts = read_csv(run / "schedule.csv", dtype={"agent_id": str},
                      parse_dates=["shift_start", "shift_end"])
    tue = shifts[shifts["shift_start"].dt.normalize() == TUESDAY]
    short = tue[(tue["shift_end"] - tue["shift_start"]) < pd.Timedelta(hours=8)]
    assert len(short), "the fixture needs a 6-hour shift on Tuesday"
    capped = sorted(short["agent_id"])[0]
    agents = read_csv(data / "agents.csv", dtype={"agent_id": str})
    paid = shifts.groupby("agent_id")["paid_hours"].sum()
    agents["max_hours"] = np.where(agents["agent_id"] == capped, paid[capped], 40.0)
    write_csv(agents, data / "agents.csv")
    write_csv(actuals(3.0), tmp_path / "actuals.csv")
    res = intraday(data, run, NOW, actuals=tmp_path / "actuals.csv")
    ot = res.offers[res.offers["kind"] == "overtime"]
    assert len(ot) > 0
    assert capped not in set(ot["agent_id"])
    assert (ot["shortfall_change_hours"] < 0).all()
    lengths = set()
    for r in ot.itertuples(index=False):
        mine = shifts[shifts["agent_id"] == r.agent_id].sort_values("shift_start")
        row = mine[mine["shift_start"].dt.normalize() == TUESDAY].iloc[0]
        new_start, new_end = row["shift_start"], row["shift_end"]
        for part in str(r.offer).split(" and "):
            hhmm = pd.Timedelta(part.split()[-1] + ":00")
            if part.startswith("start at"):
                new_start = TUESDAY + hhmm
            else:
                new_end = TUESDAY + hhmm
        assert new_start >= pd.Timestamp(NOW) or new_start == row["shift_start"]
        # at most MAX_EXTENSION_HOURS more, inside opening hours (08:00-18:00)
        assert (new_end - new_start) - (row["shift_end"] - row["shift_start"]) <= pd.Timedelta(hours=2)
        assert new_start >= TUESDAY + pd.Timedelta(hours=8) and new_end <= TUESDAY + pd.Timedelta(hours=18)
        lengths.add((new_end - new_start) / pd.Timedelta(hours=1))
        others = mine[mine["shift_start"] != row["shift_start"]]
        gaps = [(new_start - o.shift_end) if o.shift_end <= row["shift_start"] else (o.shift_start - new_end)
                for o in others.itertuples()]
        assert min(gaps) >= pd.Timedelta(hours=11)
        assert paid[r.agent_id] + r.hours <= 40.0 + 1e-9
    # agents on 8-hour shifts are paid 37.5 h a week: extensions past the config's patterns
    assert lengths - {6.0, 8.0}


def test_overtime_plan_adds_exactly_the_offered_hours_and_lifts_service(center, tmp_path):
    """With every overtime offer taken, the simulated plan has exactly the offered extra intervals
    (on a case type the agent is skilled in) and, on a day at three times the forecast, a higher
    service level than the re-plan alone on the same customers."""
    data, run = center
    write_csv(actuals(3.0), tmp_path / "actuals.csv")
    res = intraday(data, run, NOW, actuals=tmp_path / "actuals.csv", replications=4)
    ot = res.offers[res.offers["kind"] == "overtime"]
    assert len(ot) > 0 and res.overtime is not None
    key = ["agent_id", "interval_start"]
    extra = res.overtime.merge(res.replan.assignments[key], on=key, how="left", indicator=True)
    extra = extra[extra["_merge"] == "left_only"]
    per_agent = extra.groupby("agent_id").size() * 0.5  # 30-minute intervals
    assert per_agent.to_dict() == pytest.approx(dict(zip(ot["agent_id"], ot["hours"], strict=True)))
    skills = read_csv(data / "skills.csv", dtype={"agent_id": str})
    skilled = set(zip(skills["agent_id"], skills["case_type"], strict=True))
    assert all((a, c) in skilled for a, c in zip(extra["agent_id"], extra["activity"], strict=True))
    gain = res.simulation[(res.simulation["plan"] == "re-plan + overtime - kept")
                          & (res.simulation["case_type"] == "all")].iloc[0]
    base = res.simulation[(res.simulation["plan"] == "re-plan - kept")
                          & (res.simulation["case_type"] == "all")].iloc[0]
    assert gain["service_level"] > base["service_level"]


# --- the simulation of the rest of the day ---------------------------------------------------

def _sim_inputs(week):
    from planner.io import load_folder

    data, run = week
    folder = load_folder(data)
    f = forecast_frame()
    f = f[(f["interval_start"] >= TUESDAY) & (f["interval_start"] < TUESDAY + pd.Timedelta(days=1))]
    asg = read_csv(run / "assignments.csv", dtype={"agent_id": str}, parse_dates=["interval_start"])
    tiers = read_csv(run / "tiers.csv", dtype={"agent_id": str})
    return folder, f.reset_index(drop=True), asg, tiers


def test_day_arrivals_take_the_counts_seen_and_the_forecast_after():
    f = forecast_frame()
    f = f[(f["interval_start"] >= TUESDAY) & (f["interval_start"] < TUESDAY + pd.Timedelta(days=1))]
    seen = actuals(2.0).iloc[:-1]  # the 10:30 row of tech missing: none arrived then
    out = day_arrivals(f.reset_index(drop=True), seen, pd.Timestamp(NOW))
    t = out["interval_start"]
    past = out[t < pd.Timestamp(NOW)]
    assert past.loc[past["interval_start"] < TUESDAY + pd.Timedelta(hours=8), "volume"].eq(0).all()
    morning = past[past["interval_start"] >= TUESDAY + pd.Timedelta(hours=8)]
    expect = {"calls": 24.0, "tech": 8.0}
    last = morning["interval_start"].max()
    for r in morning.itertuples():
        want = 0.0 if (r.case_type == "tech" and r.interval_start == last) else expect[r.case_type]
        assert r.volume == want
    assert np.allclose(out.loc[t >= pd.Timestamp(NOW), "volume"],
                       f.loc[f["interval_start"] >= pd.Timestamp(NOW), "volume"])


def test_the_morning_backlog_reaches_the_rest_of_the_day(week):
    """Nobody on queue before 11:00 leaves a queue that the cases after 11:00 wait behind: their
    service level falls against the published morning, paired on the same customers. With no
    arrivals before 11:00 the morning's staffing cannot matter: the difference is exactly 0."""
    folder, f, asg, tiers = _sim_inputs(week)
    start = pd.Timestamp(NOW)
    empty = asg[~((asg["interval_start"] >= TUESDAY) & (asg["interval_start"] < start))]
    plans = {"published": asg, "empty morning": empty}
    sim = simulate_rest(folder, f, plans, tiers, start=start, replications=3, seed=1)
    diff = sim[(sim["plan"] == "empty morning - published") & (sim["case_type"] == "all")].iloc[0]
    assert diff["service_level"] < -0.05 and diff["service_level_high"] < 0
    quiet = f.assign(volume=np.where(f["interval_start"] < start, 0.0, f["volume"]))
    sim = simulate_rest(folder, quiet, plans, tiers, start=start, replications=3, seed=1)
    diff = sim[(sim["plan"] == "empty morning - published") & (sim["case_type"] == "all")].iloc[0]
    assert diff["service_level"] == 0.0 and diff["service_level_high"] == 0.0
    mine = sim[(sim["plan"] == "published") & (sim["case_type"] == "all")].iloc[0]
    assert mine["replications"] == 3 and 0.0 < mine["service_level"] <= 1.0


def test_negative_binomial_quantiles_match_scipy_stats():
    from scipy import stats

    rng = np.random.default_rng(3)
    r, p = rng.uniform(0.2, 5e3, 4000), rng.uniform(1e-3, 1.0, 4000)
    for q in (0.1, 0.5, 0.9):
        assert np.array_equal(nbinom_ppf(q, r, p), stats.nbinom.ppf(q, r, p))


def test_importing_intraday_leaves_the_week_solvers_and_scipy_stats_unloaded():
    """The command's start-up cost: the intraday path needs the day model, not the week's
    search, OR-Tools nor scipy.stats (imports of seconds on a loaded machine)."""
    code = ("import sys, planner.intraday.run, planner.intraday.page; "
            "print(sorted(m for m in ('scipy.stats', 'planner.scheduling.solve', "
            "'planner.scheduling.roster_lns', 'planner.tiers', 'ortools.sat.python.cp_model') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"


# --- errors ------------------------------------------------------------------------------------

def _intraday_folders(run: Path) -> list[Path]:
    return sorted(p for p in run.iterdir() if p.name.startswith(("intraday-", ".intraday-")))


def test_now_outside_the_horizon_exits_2_and_writes_nothing(center):
    data, run = center
    out = runner.invoke(app, ["intraday", "--data", str(data), "--run", str(run),
                              "--now", "2026-12-24T11:00"])
    assert out.exit_code == 2, out.output
    assert "--now" in out.output and "horizon" in out.output
    assert _intraday_folders(run) == []


def test_actuals_from_the_future_exit_2_and_write_nothing(center, tmp_path):
    data, run = center
    write_csv(actuals(1.0, until="2026-11-24T13:00"), tmp_path / "actuals.csv")
    out = runner.invoke(app, ["intraday", "--data", str(data), "--run", str(run), "--now", NOW,
                              "--actuals", str(tmp_path / "actuals.csv")])
    assert out.exit_code == 2, out.output
    assert "actuals.csv" in out.output and "future" in out.output
    assert _intraday_folders(run) == []


def test_unknown_absent_agent_exits_2(center):
    data, run = center
    out = runner.invoke(app, ["intraday", "--data", str(data), "--run", str(run), "--now", NOW,
                              "--absent", "Z99"])
    assert out.exit_code == 2, out.output
    assert "Z99" in out.output
    assert _intraday_folders(run) == []


def test_page_escapes_user_text(center, tmp_path):
    """An agent id with markup, absent on a day they have no shift: the note names them, and the
    page shows it as text."""
    data, run = center
    agents = read_csv(data / "agents.csv", dtype={"agent_id": str})
    evil = "<b>Z|1</b>"
    agents.loc[len(agents)] = {"agent_id": evil, "name": "<script>x</script>"}
    write_csv(agents, data / "agents.csv")
    write_csv(actuals(1.0), tmp_path / "actuals.csv")
    out = runner.invoke(app, ["intraday", "--data", str(data), "--run", str(run), "--now", NOW,
                              "--actuals", str(tmp_path / "actuals.csv"), "--absent", evil])
    assert out.exit_code == 0, out.output
    folder = _intraday_folders(run)[0]
    html = (folder / "intraday.html").read_text()
    assert "&lt;b&gt;Z|1&lt;/b&gt;" in html and "<b>Z" not in html
    md = (folder / "intraday.md").read_text()
    assert "\\<b\\>Z\\|1\\</b\\>" in md
