"""Generate the sample center and write it (data folder + a separate ground-truth folder)."""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.io.cells import neutralise_frame
from planner.io.writers import write_bytes, write_csv, write_text
from planner.sample import spec as S
from planner.sample.arrivals import draw_arrivals, holiday_dates, interval_grid, open_mask, true_rates
from planner.sample.cases import make_cases
from planner.sample.config_text import config_text
from planner.sample.disturbances import (
    apply_to_rates,
    disturbance_table,
    missing_mask,
    plan_disturbances,
)
from planner.sample.staff import make_staff, roster


@dataclass(frozen=True)
class SampleCenter:
    """A generated center: the data folder's tables and the ground truth behind them."""

    config_text: str
    cases: pd.DataFrame
    agents: pd.DataFrame
    skills: pd.DataFrame
    availability: pd.DataFrame
    true_rates: pd.DataFrame  # case_type, interval_start, rate, period (history / future)
    true_agents: pd.DataFrame
    true_case_types: pd.DataFrame
    true_skills: pd.DataFrame  # agent_id, case_type, level, true mean handle time, routing weight
    true_shifts: pd.DataFrame  # the history's roster: agent_id, date, shift_start, shift_end
    model: dict
    training: pd.DataFrame | None = None  # next week's planned training (training.csv)


def generate_sample(seed: int = 0, weeks: int = 26, agents: int = 80,
                    history_end: pd.Timestamp = S.HISTORY_END,
                    disturbances: bool = False) -> SampleCenter:
    """Draw a center's history of ``weeks`` weeks ending on ``history_end`` (a Sunday).

    Parameters
    ----------
    seed : every random draw comes from ``numpy.random.default_rng(seed)``, so the same seed gives
        the same center.
    weeks : weeks of 30-minute history.
    agents : head count.
    disturbances : plant a surge, an outage, a campaign, a level shift and missing days
        (:mod:`planner.sample.disturbances`), recorded in the truth.
    """
    if weeks < 1 or agents < 5:
        raise ValueError("weeks must be >= 1 and agents >= 5")
    rng = np.random.default_rng(seed)
    minutes = S.INTERVAL_MINUTES
    specs = S.CASE_TYPES
    start = history_end.normalize() - pd.Timedelta(days=7 * weeks - 1)
    total_days = 7 * (weeks + S.FUTURE_WEEKS)
    grid = interval_grid(start, total_days, minutes)
    hist_n = 7 * weeks * 24 * 60 // minutes
    years = range(start.year, grid[-1].year + 1)
    hol = holiday_dates(S.COUNTRY, S.SUBDIVISION, years)
    rates = true_rates(specs, grid, S.TIMEZONE, hol, start, minutes)
    plan = plan_disturbances(specs, history_end, weeks, seed) if disturbances else []
    rates = apply_to_rates(rates, grid, specs, plan)
    hist_grid = grid[:hist_n]
    # When agents of each primary channel can work: phone/chat hours, the center's for email.
    closed = np.asarray(hist_grid.normalize().isin(list(hol)))
    work_open = np.stack([open_mask(hist_grid, hours, minutes) & ~closed for hours in
                          (S.PHONE_HOURS, S.CHAT_HOURS, S.CENTER_HOURS)])

    staff = make_staff(specs, agents, rng)
    on = roster(staff, specs, rates[:, :hist_n], hist_grid, work_open, rng, minutes)
    kind, interval, created = draw_arrivals(rates[:, :hist_n], hist_grid, rng, minutes)
    cases, facts = make_cases(specs, kind, interval, created, staff, on, rng, minutes)
    if plan:
        cases = cases[~missing_mask(pd.to_datetime(cases["created_at"]), plan)].reset_index(drop=True)
    shifts = _shifts(on, hist_grid, staff.agents["agent_id"].to_numpy())
    availability = _availability(staff.agents, history_end + pd.Timedelta(days=1), rng)

    names = np.array([s.name for s in specs])
    true = pd.DataFrame({
        "case_type": np.repeat(names, len(grid)),
        "interval_start": np.tile(grid.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(), len(specs)),
        "rate": np.round(rates.ravel(), 5),
        "period": np.tile(np.where(np.arange(len(grid)) < hist_n, "history", "future"), len(specs)),
    })
    true_types = pd.DataFrame([{
        "case_type": s.name, "channel": s.channel, "complexity": s.complexity,
        "weekly_volume_at_start": s.weekly_volume, "trend_per_year": s.trend_per_year,
        "aht_median_seconds": s.aht_median_seconds, "aht_sigma": s.aht_sigma,
        "aht_mean_seconds": round(s.aht_mean_seconds, 2),
        "patience_seconds": s.patience_seconds if s.patience_seconds else "",
        "fcr_logit": s.fcr_base, "transfer_logit": s.transfer_base, "csat_base": s.csat_base,
        "survey_rate": S.SURVEY_RATE[s.channel], "concurrency": S.CHANNEL_CONCURRENCY[s.channel],
    } for s in specs])
    model = {
        "seed": seed, "weeks": weeks, "agents": agents, "timezone": S.TIMEZONE,
        "country": S.COUNTRY, "subdivision": S.SUBDIVISION,
        "history_start": start.strftime("%Y-%m-%d"), "history_end": history_end.strftime("%Y-%m-%d"),
        "future_end": grid[-1].strftime("%Y-%m-%d"),
        "holidays": sorted(d.strftime("%Y-%m-%d") for d in hol if grid[0] <= d <= grid[-1]),
        "handle_seconds": "lognormal(log(aht_median_seconds[type] * level_factor[level] * "
                          "exp(perf_aht * latent_score) * agent_noise), aht_sigma[type])",
        "level_aht_factor": {str(k): v for k, v in S.LEVEL_AHT_FACTOR.items()},
        "perf_aht": S.PERF_AHT, "perf_fcr_logit": S.PERF_FCR, "perf_reopen_logit": S.PERF_REOPEN,
        "perf_transfer_logit": S.PERF_TRANSFER, "perf_csat_points": S.PERF_CSAT,
        "perf_qa_points": S.PERF_QA, "level_fcr_logit": S.LEVEL_FCR, "qa_rate": S.QA_RATE,
        "holiday_factor": S.HOLIDAY_FACTOR, "after_holiday_factor": S.AFTER_HOLIDAY_FACTOR,
        "weekday_weight": {k: list(v) for k, v in S.WEEKDAY_WEIGHT.items()},
        "tier_rule": "latent_score percentile: top 25% high, bottom 25% low",
        "disturbances": disturbance_table(plan).astype(str).to_dict("records"),
        **facts,
    }
    k_idx, a_idx = np.nonzero(staff.level)
    true_skills = pd.DataFrame({
        "agent_id": staff.agents["agent_id"].to_numpy()[a_idx],
        "case_type": names[k_idx],
        "level": staff.level[k_idx, a_idx],
        "aht_mean_seconds": np.round(np.array([s.aht_mean_seconds for s in specs])[k_idx]
                                     * staff.handle_factor[k_idx, a_idx], 1),
        "route_weight": np.round(staff.route_weight[k_idx, a_idx], 3),
    }).sort_values(["agent_id", "case_type"], kind="stable").reset_index(drop=True)
    training = _training(staff.skills, availability, specs, history_end + pd.Timedelta(days=1))
    return SampleCenter(config_text(specs, seed), cases, staff.agents, staff.skills, availability,
                        true, staff.truth, true_types, true_skills, shifts, model, training)


# Planned training in the sample: this many learners, hours each, shortest block [h].
SAMPLE_TRAINEES, SAMPLE_TRAINING_HOURS, SAMPLE_TRAINING_BLOCK = 3, 4.0, 1.0


def _training(skills: pd.DataFrame, availability: pd.DataFrame, specs, week_start: pd.Timestamp
              ) -> pd.DataFrame:
    """Next week's planned training: upskilling on a complex case type for the first
    :data:`SAMPLE_TRAINEES` agents (by id) who are learning one (level 1 or 2) and have no time off
    booked, 4 h each in blocks of at least 1 h, between Monday and Thursday. No random draw, so the
    rest of the sample is unchanged by it."""
    complex_types = [s.name for s in specs if s.complexity == "complex"]
    off = set(availability.loc[availability["kind"] == "time_off", "agent_id"])
    learning = skills[skills["case_type"].isin(complex_types) & skills["level"].between(1, 2)
                      & ~skills["agent_id"].isin(off)]
    learning = learning.sort_values(["agent_id", "level", "case_type"], kind="stable")
    first = learning.drop_duplicates("agent_id").head(SAMPLE_TRAINEES)
    return pd.DataFrame({
        "agent_id": first["agent_id"].to_numpy(), "topic": first["case_type"].to_numpy(),
        "hours": SAMPLE_TRAINING_HOURS, "earliest": week_start.strftime("%Y-%m-%d"),
        "latest": (week_start + pd.Timedelta(days=3)).strftime("%Y-%m-%d"),
        "min_block_hours": SAMPLE_TRAINING_BLOCK})


def _shifts(on: np.ndarray, grid: pd.DatetimeIndex, ids: np.ndarray) -> pd.DataFrame:
    """Runs of on-shift intervals per agent as rows (shifts never cross midnight here)."""
    padded = np.vstack([np.zeros((1, on.shape[1]), bool), on, np.zeros((1, on.shape[1]), bool)])
    step = np.diff(padded.astype(np.int8), axis=0)
    starts_i, starts_a = np.nonzero(step == 1)
    ends_i, ends_a = np.nonzero(step == -1)
    o1 = np.lexsort((starts_i, starts_a))
    o2 = np.lexsort((ends_i, ends_a))
    minutes = (grid[1] - grid[0]) if len(grid) > 1 else pd.Timedelta(minutes=30)
    start = grid[starts_i[o1]]
    end = grid[ends_i[o2] - 1] + minutes
    return pd.DataFrame({
        "agent_id": ids[starts_a[o1]],
        "date": start.strftime("%Y-%m-%d"),
        "shift_start": start.strftime("%H:%M"),
        # Midnight as 00:00, the end of the shift's day: 24:00 is accepted on input but pandas and
        # spreadsheets cannot parse it.
        "shift_end": end.strftime("%H:%M"),
    })


def _availability(agents: pd.DataFrame, week_start: pd.Timestamp,
                  rng: np.random.Generator) -> pd.DataFrame:
    """The coming week's time off, hard unavailability and soft wishes (an end of 00:00 is the
    midnight that ends the day)."""
    rows = []
    days = [week_start + pd.Timedelta(days=d) for d in range(7)]
    for a in agents["agent_id"]:
        u = rng.random()
        if u < 0.06:
            # A week's holiday.
            rows += [(a, d, "00:00", "00:00", "time_off", "") for d in days]
        elif u < 0.16:
            # One or two days off booked.
            first = int(rng.integers(0, 6))
            for d in days[first:first + int(rng.integers(1, 3))]:
                rows.append((a, d, "00:00", "00:00", "time_off", ""))
        elif u < 0.24:
            # A course or appointment: hard, part of one day.
            d = days[int(rng.integers(0, 5))]
            rows.append((a, d, "08:00", "12:00", "unavailable", ""))
        elif u < 0.40:
            # A wish not to work late on some evenings (soft: a weight).
            for d in rng.choice(5, size=2, replace=False):
                rows.append((a, days[int(d)], "18:00", "00:00", "unavailable",
                             f"{int(rng.integers(1, 4))}"))
    frame = pd.DataFrame(rows, columns=["agent_id", "date", "start", "end", "kind", "weight"])
    frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    return frame.sort_values(["agent_id", "date", "start"], kind="stable").reset_index(drop=True)


def _gzip_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes gzip-compressed with a fixed header (mtime 0, no name) for byte-identical files."""
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\n")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def default_truth_dir(out: Path) -> Path:
    """``DIR/../<name>_truth``: beside the data folder, never inside it."""
    out = Path(out).resolve()
    return out.parent / f"{out.name}_truth"


def write_sample(center: SampleCenter, out: str | Path, truth: str | Path | None = None) -> dict[str, Path]:
    """Write the data folder (planner.toml, cases.csv.gz, agents, skills, availability, training)
    and truth."""
    out = Path(out)
    truth_dir = Path(truth) if truth is not None else default_truth_dir(out)
    written = {
        "planner.toml": write_text(center.config_text, out / "planner.toml"),
        "cases.csv.gz": write_bytes(_gzip_csv(center.cases), out / "cases.csv.gz"),
        "agents.csv": write_csv(center.agents, out / "agents.csv"),
        "skills.csv": write_csv(center.skills, out / "skills.csv"),
        "availability.csv": write_csv(center.availability, out / "availability.csv"),
        **({"training.csv": write_csv(center.training, out / "training.csv")}
           if center.training is not None and len(center.training) else {}),
        "truth/arrival_rates.csv.gz": write_bytes(_gzip_csv(center.true_rates),
                                                  truth_dir / "arrival_rates.csv.gz"),
        "truth/agents.csv": write_csv(center.true_agents, truth_dir / "agents.csv"),
        "truth/case_types.csv": write_csv(center.true_case_types, truth_dir / "case_types.csv"),
        "truth/skills.csv": write_csv(center.true_skills, truth_dir / "skills.csv"),
        "truth/shifts.csv.gz": write_bytes(_gzip_csv(center.true_shifts), truth_dir / "shifts.csv.gz"),
        "truth/model.json": write_text(json.dumps(center.model, indent=2, sort_keys=True) + "\n",
                                       truth_dir / "model.json"),
        "truth/README.md": write_text(_TRUTH_README, truth_dir / "README.md"),
    }
    return written


_TRUTH_README = """# Ground truth of the generated sample center

Written by `planner sample`; the data folder never contains these numbers, only what a real center
would have. Use them to check that the planner recovers what generated the data.

- `arrival_rates.csv.gz`: `case_type`, `interval_start` (local wall clock, 30-min), `rate` = expected
  arrivals in that interval (Poisson mean), `period` = `history` (the weeks in cases.csv) or `future`
  (the 6 weeks after it: what a perfect forecast would predict).
- `agents.csv`: `latent_score` (standard normal; higher is better) drives handle time, first-contact
  resolution, reopens, transfers, QA and CSAT; `tier` is its percentile band (top 25% high, bottom
  25% low); `handle_factor` multiplies the handle time (besides the skill-level factor);
  `specialist` agents take mostly complex work and are better on average.
- `case_types.csv`: volume at the start, trend, lognormal handle time (median for a level-3 average
  agent, sigma), patience, outcome parameters, survey rate.
- `skills.csv`: every skill with the agent's true mean handle time on it and the routing weight
  the history used (specialists strongly preferred on complex work).
- `shifts.csv.gz`: the history's roster (who was on shift when); cases went to agents on shift.
- `model.json`: coefficients and the formulas that tie them together, the seed and holidays.
"""
