"""The roll-up from planted site folders: the sites most at risk first, the combined tables with a
site column, the failed site named, user text escaped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.sites import SiteOptions, SiteOutcome, write_rollup


def _site(out: Path, name: str, required: float, short: float, level: float, hires: float) -> None:
    folder = out / name
    folder.mkdir(parents=True)
    pd.DataFrame({"case_type": ["billing", "tech"], "required_hours": [required / 2] * 2,
                  "scheduled_hours": [(required - short) / 2] * 2, "shortfall_hours": [short / 2] * 2,
                  "simulated_service_level": [level, 0.9], "target_service_level": [0.8, 0.8]}
                 ).to_csv(folder / "report_shortages.csv", index=False)
    pd.DataFrame({"policy": "tier-aware", "case_type": ["billing", "all"], "service_level": [level, level]}
                 ).to_csv(folder / "simulation_summary.csv", index=False)
    pd.DataFrame({"skill_set": ["billing"], "case_types": ["billing"], "fte": [hires], "heads": [1]}
                 ).to_csv(folder / "report_hiring.csv", index=False)
    pd.DataFrame({"case_type": ["billing"], "interval_start": ["2026-11-23T08:00:00"], "required": [3.0],
                  "scheduled": [2], "shortfall": [1.0], "overstaffing": [0.0]}
                 ).to_csv(folder / "coverage.csv", index=False)


def test_sites_most_at_risk_first_and_combined_tables(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _site(out, "calm", 100.0, 2.0, 0.85, 0.1)      # 2% short
    _site(out, "<b>risky</b>", 200.0, 40.0, 0.55, 3.0)  # 20% short, a name with markup
    _site(out, "middling", 100.0, 10.0, 0.75, 1.0)  # 10% short
    outcomes = [SiteOutcome("calm", True), SiteOutcome("<b>risky</b>", True), SiteOutcome("middling", True),
                SiteOutcome("broken", False, "bad input: agents.csv, row 2, column 'max_hours'", 2)]
    sites = write_rollup(outcomes, out, engine="test", options=SiteOptions(), seconds=1.0)
    assert list(sites["site"]) == ["broken", "<b>risky</b>", "middling", "calm"]
    assert list(sites["shortfall_share"])[1:] == [0.2, 0.1, 0.02]
    assert sites.loc[1, "below_target"] == "billing"  # 55% against 80%
    assert sites.loc[3, "below_target"] == ""
    hiring = pd.read_csv(out / "hiring.csv")
    assert list(hiring.columns[:1]) == ["site"] and hiring["fte"].sum() == pytest.approx(4.1)
    coverage = pd.read_csv(out / "coverage.csv")
    assert sorted(coverage["site"]) == ["<b>risky</b>", "calm", "middling"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>risky</b>" not in html and "&lt;b&gt;risky&lt;/b&gt;" in html
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "broken" in md and "max\\_hours" in md
    assert md.index("risky") < md.index("middling") < md.index("calm")
