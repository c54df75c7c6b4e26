"""The analysis package alone, on frames small enough to work out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.analysis import eligibility, hiring, least_shortfall, replan_coverage, shortages
from planner.domain import blocked_by, is_eligible, tier_rank
from planner.io import parse_config

CONFIG = parse_config("""
[center]
interval_minutes = 60

[case_types.easy]
complexity = "transactional"

[case_types.hard]
complexity = "complex"
min_tier = "high"
min_level = 3
""", "planner.toml")
T0 = pd.Timestamp("2026-11-23 09:00")
T1 = T0 + pd.Timedelta(hours=1)


def test_domain_rules() -> None:
    hard = CONFIG.case_type("hard")
    assert [tier_rank(t) for t in ("low", "medium", "high", "insufficient_evidence", "?")] == [0, 1, 2, 0, 0]
    assert is_eligible(3, "high", hard) and not is_eligible(2, "high", hard)
    assert blocked_by(5, "medium", hard) == "tier" and blocked_by(2, "high", hard) == "level"
    assert blocked_by(3, "high", hard) == ""


def test_eligibility_names_what_blocks_each_agent() -> None:
    skills = pd.DataFrame({"agent_id": ["a", "b", "c", "c"], "case_type": ["hard", "hard", "hard", "easy"],
                           "level": [4, 2, 4, 1]})
    tiers = pd.DataFrame({"agent_id": ["a", "b", "c"], "tier": ["high", "high", "medium"]})
    e = eligibility(skills, tiers, CONFIG, ["easy", "hard"]).set_index(["agent_id", "case_type"])
    assert e.loc[("a", "hard"), "eligible"]
    assert e.loc[("b", "hard"), "blocked_by"] == "level"
    assert e.loc[("c", "hard"), "blocked_by"] == "tier"
    assert e.loc[("c", "easy"), "eligible"]  # easy has no minimum
    # Without tiers every agent counts as medium: the tier rule still keeps them off hard.
    untiered = eligibility(skills, None, CONFIG, ["hard"]).set_index("agent_id")
    assert set(untiered["tier"]) == {"medium"} and not untiered["eligible"].any()


def _plan() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two hours; a (easy+hard) and b (easy) work both. Each hour needs 1 easy and 1 hard.
    The plan put a on easy and b on easy in hour 0: hard is short 1 there; hour 1 is right."""
    cov = pd.DataFrame({"case_type": ["easy", "hard", "easy", "hard"], "interval_start": [T0, T0, T1, T1],
                        "required": [1.0, 1.0, 1.0, 1.0], "scheduled": [2.0, 0.0, 1.0, 1.0]})
    asg = pd.DataFrame({"agent_id": ["a", "b", "a", "b"], "interval_start": [T0, T0, T1, T1],
                        "activity": ["easy", "easy", "hard", "easy"]})
    elig = pd.DataFrame({"agent_id": ["a", "a", "b"], "case_type": ["easy", "hard", "easy"]})
    return cov, asg, elig


def test_replan_moves_an_agent_to_the_short_type() -> None:
    cov, asg, elig = _plan()
    re = replan_coverage(cov, asg, elig)
    assert re["shortfall"].sum() == pytest.approx(0.0)
    assert least_shortfall(cov, asg, elig, 60) == pytest.approx(0.0)
    # Take b off shift in hour 0: one agent for two needs leaves exactly one agent-hour short.
    assert least_shortfall(cov, asg[~((asg["agent_id"] == "b") & (asg["interval_start"] == T0))],
                           elig, 60) == pytest.approx(1.0)
    # A break is not case work.
    on_break = asg.assign(activity=["easy", "break", "hard", "easy"])
    assert least_shortfall(cov, on_break, elig, 60) == pytest.approx(1.0)


def test_replan_counts_fractional_requirements() -> None:
    cov = pd.DataFrame({"case_type": ["hard"], "interval_start": [T0], "required": [0.35], "scheduled": [0.0]})
    asg = pd.DataFrame({"agent_id": ["a"], "interval_start": [T0], "activity": ["easy"]})
    elig = pd.DataFrame({"agent_id": ["b"], "case_type": ["hard"]})
    assert least_shortfall(cov, asg, elig, 60) == pytest.approx(0.35)


def test_shortage_cause_is_too_few_eligible_agents() -> None:
    cov, asg, _ = _plan()
    skills = pd.DataFrame({"agent_id": ["a", "a", "b"], "case_type": ["easy", "hard", "easy"], "level": [3, 3, 3]})
    tiers = pd.DataFrame({"agent_id": ["a", "b"], "tier": ["high", "medium"]})
    elig = eligibility(skills, tiers, CONFIG, ["easy", "hard"])
    s = shortages(cov, asg, elig, CONFIG, 60).set_index("case_type")
    assert s.loc["hard", "shortfall_hours"] == pytest.approx(1.0)
    # In hour 0 the one eligible agent (a) was on shift: enough eligible agents, busy elsewhere.
    assert s.loc["hard", "cause"] == "demand"
    assert s.loc["easy", "shortfall_hours"] == 0 and s.loc["easy", "cause"] == ""


def test_hiring_is_shortfall_over_hours_per_fte() -> None:
    short = pd.DataFrame({"case_type": ["hard"], "shortfall_hours": [60.0]})
    cov = pd.DataFrame({"case_type": ["hard", "hard"], "interval_start": [T0, T1],
                        "required": [3.0, 1.0], "scheduled": [0.0, 0.0]})
    skills = pd.DataFrame({"agent_id": ["a", "a", "b"], "case_type": ["easy", "hard", "hard"], "level": [3, 3, 3]})
    h = hiring(short, cov, skills, fte_hours=30.0, minutes=60)
    assert len(h) == 1
    row = h.iloc[0]
    assert row["fte"] == pytest.approx(2.0) and row["heads"] == 2
    assert row["heads_for_peak"] == 3  # three short at once at 09:00
    # a holds easy+hard, b hard alone: a tie, broken by name.
    assert row["skill_set"] == "easy, hard"
