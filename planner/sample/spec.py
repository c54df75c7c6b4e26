"""What the sample center is: its case types, hours, and the true parameters that drive the data.

Everything here is ground truth: the generator draws the history from these numbers and writes them
to the truth folder, so tests can check that forecasts and tiers recover them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# The history ends on this Sunday; the coming week (the one to plan) starts the day after.
HISTORY_END = pd.Timestamp("2026-11-22")
TIMEZONE = "Europe/London"
COUNTRY = "GB"
SUBDIVISION = "ENG"  # England: the late-summer bank holiday is in August, not in Scotland's way
INTERVAL_MINUTES = 30
FUTURE_WEEKS = 6

# Opening hours per channel, weekday -> "HH:MM-HH:MM" / "closed" / "24h" (planner.toml syntax).
PHONE_HOURS = {"mon": "08:00-20:00", "tue": "08:00-20:00", "wed": "08:00-20:00", "thu": "08:00-20:00",
               "fri": "08:00-20:00", "sat": "09:00-17:00", "sun": "closed"}
CHAT_HOURS = {"mon": "08:00-22:00", "tue": "08:00-22:00", "wed": "08:00-22:00", "thu": "08:00-22:00",
              "fri": "08:00-22:00", "sat": "09:00-18:00", "sun": "10:00-16:00"}
# Email arrives around the clock; agents work it within the center's hours (the union of the above).
EMAIL_HOURS = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "24h")
CENTER_HOURS = CHAT_HOURS
CHANNEL_HOURS = {"phone": PHONE_HOURS, "chat": CHAT_HOURS, "email": EMAIL_HOURS}

# Relative volume per weekday (Mon..Sun); Monday is the busiest day, as in most centers.
WEEKDAY_WEIGHT = {
    "phone": (1.25, 1.10, 1.02, 0.98, 0.92, 0.45, 0.0),
    "chat": (1.15, 1.05, 1.00, 0.98, 0.95, 0.60, 0.35),
    "email": (1.20, 1.05, 1.00, 0.98, 0.95, 0.50, 0.45),
}
# Phone and chat close on public holidays; email still arrives, but fewer.
HOLIDAY_FACTOR = {"phone": 0.0, "chat": 0.0, "email": 0.35}
# The working day after a holiday catches up some of the missed demand.
AFTER_HOLIDAY_FACTOR = 1.15


@dataclass(frozen=True)
class CaseTypeSpec:
    """True parameters of one case type.

    ``weekly_volume`` is the expected number of cases in a week at the start of the history;
    ``trend_per_year`` the relative growth per year (0.1 = +10 %/year). Handle time is lognormal with
    median ``aht_median_seconds`` (for an average agent at level 3) and log-sd ``aht_sigma``.
    """

    name: str
    channel: str
    complexity: str
    weekly_volume: float
    trend_per_year: float
    aht_median_seconds: float
    aht_sigma: float
    patience_seconds: float | None
    fcr_base: float  # logit of first-contact resolution for an average agent
    transfer_base: float  # logit of a transfer
    csat_base: float  # mean latent satisfaction (1..5 scale) before agent effects

    @property
    def aht_mean_seconds(self) -> float:
        import math

        return self.aht_median_seconds * math.exp(self.aht_sigma**2 / 2)


CASE_TYPES: tuple[CaseTypeSpec, ...] = (
    CaseTypeSpec("order_status", "phone", "transactional", 2400, -0.04, 250, 0.50, 180, 2.2, -3.2, 4.2),
    CaseTypeSpec("returns", "phone", "transactional", 1200, 0.02, 340, 0.50, 200, 1.8, -3.0, 4.0),
    CaseTypeSpec("billing", "phone", "standard", 1600, 0.05, 470, 0.55, 240, 1.2, -2.4, 3.8),
    CaseTypeSpec("technical_fault", "phone", "complex", 750, 0.08, 820, 0.60, 300, 0.3, -1.6, 3.5),
    CaseTypeSpec("chat_orders", "chat", "transactional", 1500, 0.25, 470, 0.50, 360, 2.0, -3.0, 4.1),
    CaseTypeSpec("chat_technical", "chat", "complex", 500, 0.30, 900, 0.60, 420, 0.4, -1.8, 3.6),
    CaseTypeSpec("email_billing", "email", "standard", 1100, 0.10, 520, 0.60, None, 1.3, -2.6, 3.7),
    CaseTypeSpec("complaints", "email", "complex", 400, 0.05, 1150, 0.65, None, 0.2, -1.7, 3.1),
)

CHANNEL_CONCURRENCY = {"phone": 1, "chat": 2, "email": 1}
# Share of answered cases whose customer fills in the survey.
SURVEY_RATE = {"phone": 0.17, "chat": 0.26, "email": 0.12}
# Share of handled cases a team leader scores for quality.
QA_RATE = 0.05

# Handle time multiplier by skill level (level 3 = the median above).
LEVEL_AHT_FACTOR = {1: 1.35, 2: 1.15, 3: 1.0, 4: 0.92, 5: 0.86}
# How strongly the latent performance score (standard normal) moves each outcome.
PERF_AHT = -0.10  # log handle time per sd: better agents are quicker
PERF_FCR = 0.55  # logit per sd
PERF_REOPEN = -0.45  # logit per sd
PERF_TRANSFER = -0.45  # logit per sd
PERF_CSAT = 0.35  # points per sd
PERF_QA = 7.0  # points per sd
LEVEL_FCR = 0.15  # logit per level above 3
REOPEN_BASE = -3.0  # logit of a reopen when resolved on first contact
REOPEN_UNRESOLVED = 0.30  # probability of a reopen when not resolved on first contact

# Primary channel of the agents (share of headcount).
CHANNEL_SHARE = {"phone": 0.58, "chat": 0.17, "email": 0.25}
# Share of agents who specialise in the complex types (and take mostly those).
SPECIALIST_SHARE = 0.12
SPECIALIST_WEIGHT = 6.0  # routing weight of a specialist on a complex case vs 1 for others
# Contracts: (share, min_hours, max_hours, max_days, shift hours)
CONTRACTS = (
    (0.70, 35.0, 40.0, 5, 8.0),
    (0.20, 20.0, 30.0, 4, 6.0),
    (0.10, 12.0, 20.0, 4, 4.0),
)
# How the history was rostered: phone/chat to a + beta * sqrt(a) agents for a offered Erlangs;
# back-office email to its work at this occupancy.
ROSTER_BETA = 1.0
ROSTER_OCCUPANCY = 0.80


def spec_by_name() -> dict[str, CaseTypeSpec]:
    return {c.name: c for c in CASE_TYPES}
