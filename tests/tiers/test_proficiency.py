"""Learned proficiency levels and the development suggestions built on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from planner.io.config import CaseTypeConfig, PlannerConfig
from planner.tiers import compute_tiers
from planner.tiers.assign import Bands
from planner.tiers.development import cross_skilling, upskilling
from planner.tiers.proficiency import levels_by_rank
from planner.tiers.synthetic import make_center


def test_levels_by_rank_follow_the_shares():
    levels = levels_by_rank(np.arange(10.0), np.array([1, 2, 4, 2, 1]))
    assert list(levels) == [1, 2, 2, 3, 3, 3, 3, 4, 4, 5]


@pytest.fixture(scope="module")
def planted():
    c = make_center(n_agents=60, weeks=16, cases_per_week=30, seed=11)
    tt = c.type_truth.sort_values("theta_type")
    worst, best = tt.iloc[0], tt.iloc[-1]
    skills = c.skills.copy()
    at = lambda r: (skills["agent_id"] == r.agent_id) & (skills["case_type"] == r.case_type)  # noqa: E731
    skills.loc[at(worst), "level"] = 5
    skills.loc[at(best), "level"] = 1
    return c, compute_tiers(c.cases, c.agents, skills, c.config), worst, best


def test_declared_five_performing_like_a_low_level_is_listed(planted):
    _, r, worst, best = planted
    lv = r.skill_levels.set_index(["agent_id", "case_type"])
    w = lv.loc[(worst.agent_id, worst.case_type)]
    b = lv.loc[(best.agent_id, best.case_type)]
    assert w["declared_level"] == 5 and w["learned_level"] <= 2
    assert w["disagreement"] == "over_declared" and w["note"].startswith("declared 5, performs like")
    assert b["declared_level"] == 1 and b["learned_level"] >= 4
    assert b["disagreement"] == "under_declared"


def test_learned_type_scores_track_the_true_per_type_skill(planted):
    c, r, _, _ = planted
    lv = r.skill_levels.merge(c.type_truth, on=["agent_id", "case_type"])
    lv = lv[lv["cases"] >= 10]
    assert spearmanr(lv["type_score"], lv["theta_type"]).statistic > 0.85
    learned = spearmanr(lv["learned_level"].astype(float), lv["theta_type"]).statistic
    declared = spearmanr(lv["declared_level"].astype(float), lv["theta_type"]).statistic
    assert learned > declared  # outcomes know more than the declarations


def _levels(rows):
    df = pd.DataFrame(rows, columns=["agent_id", "case_type", "declared_level", "learned_level"])
    df["declared_level"] = df["declared_level"].astype("Int64")
    df["learned_level"] = df["learned_level"].astype("Int64")
    df["disagreement"] = ""
    return df


def test_cross_skilling_pairs_same_tier_agents_who_cover_each_other():
    tiers = pd.DataFrame({"agent_id": ["a", "b", "c", "d"], "tier": ["high", "high", "high", "low"]})
    levels = _levels([
        ("a", "billing", 5, pd.NA), ("a", "returns", 1, pd.NA),
        ("b", "billing", 1, pd.NA), ("b", "returns", 4, 5),
        ("c", "billing", 2, pd.NA), ("c", "fraud", 5, pd.NA),
        ("d", "returns", 1, pd.NA), ("d", "fraud", 1, pd.NA),
    ])
    cfg = PlannerConfig(case_types={"fraud": CaseTypeConfig(min_tier="high")})
    out = cross_skilling(tiers, levels, cfg, {"billing": 100.0, "returns": 50.0, "fraud": 10.0})
    first = out.iloc[0]
    assert first["mutual"] and {first["agent_id"], first["partner_id"]} == {"a", "b"}
    assert {first["agent_learns"], first["partner_learns"]} == {"billing", "returns"}
    assert (out["tier"] == "high").all()  # d is alone in its tier: no partner
    # fraud needs a high-tier agent: suggested inside the high tier only.
    assert set(out.loc[out["agent_learns"] == "fraud", "tier"]) <= {"high"}


def test_upskilling_ranks_medium_agents_by_distance_to_high():
    tiers = pd.DataFrame({
        "agent_id": ["h", "m1", "m2", "l"], "tier": ["high", "medium", "medium", "low"],
        "score": [1.0, 0.4, 0.1, -1.0], "score_high": [1.2, 0.6, 0.3, -0.8],
    })
    z = pd.DataFrame({"agent_id": ["h", "m1", "m2", "l"], "z_fcr": [1.0, 0.9, -0.5, -1.0],
                      "z_csat": [1.0, -0.1, 0.8, -1.0]})
    out = upskilling(tiers, z, {"fcr": 0.5, "csat": 0.5}, Bands(-0.5, 0.5, "targets"))
    assert list(out["agent_id"]) == ["m1", "m2"]
    assert out["gap_to_high"].iloc[0] == pytest.approx(0.1)
    assert bool(out["within_reach"].iloc[0]) and not bool(out["within_reach"].iloc[1])
    assert out["focus_kpis"].iloc[0].startswith("csat") and out["focus_kpis"].iloc[1].startswith("fcr")
