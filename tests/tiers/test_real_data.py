"""The stage on the repository's own data: the sample center (against its ground truth) and the
real bank call log (handle time only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import spearmanr

from planner.io import load_folder
from planner.tiers import compute_tiers

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data"
BANK_LOG = ROOT / "data" / "anonbank" / "february.txt.gz"


@pytest.fixture(scope="module")
def sample():
    d = load_folder(SAMPLE)
    r = compute_tiers(d.cases, d.agents, d.skills, d.config)
    truth = pd.read_csv(SAMPLE / "truth" / "agents.csv")
    return r, r.tiers.merge(truth, on="agent_id", suffixes=("", "_true"))


def test_sample_score_follows_the_true_performance(sample):
    _, t = sample
    big = t[t["cases"] >= 100]
    assert len(big) >= 40
    assert spearmanr(big["score"], big["latent_score"]).statistic >= 0.85
    assert (t["tier"] == t["tier_true"]).mean() >= 0.65
    # Never two bands wrong.
    assert not ((t["tier"] == "high") & (t["tier_true"] == "low")).any()
    assert not ((t["tier"] == "low") & (t["tier_true"] == "high")).any()


def test_sample_specialists_are_not_punished_for_complex_work(sample):
    _, t = sample
    spec = t[t["specialist"]]
    assert (spec["tier"] != "low").all()
    # Raw handle time is longer than the team's, the adjusted ratio is not.
    assert spec["aht_seconds"].median() > t["aht_seconds"].median()
    assert spec["aht_ratio"].median() < 1.0


def test_bank_log_agents_with_500_calls_get_tiers_and_reasons(tmp_path):
    from planner.importers import import_anonbank

    import_anonbank(BANK_LOG, tmp_path)
    d = load_folder(tmp_path)
    r = compute_tiers(d.cases, d.agents, d.skills, d.config)
    assert r.weights == {"handle_time": 1.0}
    big = r.tiers[r.tiers["cases"] >= 500]
    assert len(big) >= 15
    assert big["tier"].isin(["high", "medium", "low"]).all()
    assert big["reason"].str.contains("than peers on the same case mix").all()
    assert big["reason"].str.contains("KPIs used: handle time").all()
