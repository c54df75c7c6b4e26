"""Acceptance figures of the tiers stage on the sample center and on the real bank log.

    python benchmarks/measure_tiers.py [--data data] [--bank data/anonbank/february.txt.gz]

Sample center (data/, ground truth in data/truth/agents.csv): Spearman between the score and the true
latent performance for agents with >= 100 cases, tier accuracy against the truth's bands, tiers of the
complex-work specialists, and stability: tiers recomputed 1, 2 and 4 weeks later on the same team,
with and without hysteresis.

Bank log (converted with planner.importers.import_anonbank into a temporary folder): tiers of agents
with >= 500 served calls, and how the case-mix (call type) adjustment of handle time changed the
ranking versus raw handle time (Spearman, agents that changed tier).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from planner.io import load_folder
from planner.tiers import compute_tiers


def sample(data: Path) -> None:
    d = load_folder(data)
    t0 = time.perf_counter()
    r = compute_tiers(d.cases, d.agents, d.skills, d.config)
    secs = time.perf_counter() - t0
    truth = pd.read_csv(data / "truth" / "agents.csv")
    t = r.tiers.merge(truth, on="agent_id", suffixes=("", "_true"))
    big = t[t["cases"] >= 100]
    rho = spearmanr(big["score"], big["latent_score"]).statistic
    print(f"== sample center {data}: {len(r.tiers)} agents, window {r.window.start:%Y-%m-%d} to "
          f"{r.window.end:%Y-%m-%d}, {secs:.2f} s")
    print(f"Spearman(score, true latent) for {len(big)} agents with >= 100 cases: {rho:.3f}")
    right = t["tier"] == t["tier_true"]
    far = ((t["tier"] == "high") & (t["tier_true"] == "low")) | (
        (t["tier"] == "low") & (t["tier_true"] == "high"))
    print(f"tier accuracy vs truth bands: {right.mean():.1%} ({right.sum()}/{len(t)}); "
          f"two-band errors (high<->low): {far.sum()}")
    print(pd.crosstab(t["tier"], t["tier_true"], rownames=["computed"], colnames=["truth"]).to_string())
    for k in ("aht_ratio", "fcr_adj", "reopen_adj", "transfer_adj", "csat_adj", "qa_adj"):
        if k in big:
            print(f"  Spearman({k}, latent) = {spearmanr(big[k], big['latent_score']).statistic:+.3f}")
    print(f"  Spearman(raw aht_seconds, latent) = "
          f"{spearmanr(big['aht_seconds'], big['latent_score']).statistic:+.3f}")
    spec = t[t["specialist"]]
    print(f"specialists (mostly complex work, better on average): tiers "
          f"{spec['tier'].value_counts().to_dict()}, true tiers {spec['tier_true'].value_counts().to_dict()}")
    dis = r.skill_levels[r.skill_levels["disagreement"] != ""]
    print(f"skill levels: {r.skill_levels['learned_level'].notna().sum()} learned, {len(dis)} disagreements "
          f"({(dis['disagreement'] == 'over_declared').sum()} over-, "
          f"{(dis['disagreement'] == 'under_declared').sum()} under-declared)")
    end = r.window.end
    for gap in (1, 2, 4):
        a = compute_tiers(d.cases, d.agents, d.skills, d.config, as_of=end - pd.Timedelta(weeks=gap))
        with_h = compute_tiers(d.cases, d.agents, d.skills, d.config, previous=a.tiers, as_of=end)
        moved = (a.tiers["tier"] != with_h.tiers["tier"]).mean()
        moved_raw = (a.tiers["tier"] != r.tiers["tier"]).mean()
        print(f"stability, tiers recomputed {gap} week(s) later: {moved:.1%} of agents move with "
              f"hysteresis, {moved_raw:.1%} without")


def bank(log: Path, min_calls: int = 500) -> None:
    from planner.importers import import_anonbank

    with tempfile.TemporaryDirectory() as tmp:
        import_anonbank(log, tmp)
        d = load_folder(tmp)
    r = compute_tiers(d.cases, d.agents, d.skills, d.config)
    # Without adjustment: every call one type, so handle time is compared raw (still shrunk).
    flat = d.cases.copy()
    flat["case_type"] = "ALL"
    flat["channel"] = "phone"
    raw = compute_tiers(flat, d.agents, None, d.config)
    t = r.tiers.merge(raw.tiers[["agent_id", "tier", "score"]], on="agent_id", suffixes=("", "_raw"))
    big = t[t["cases"] >= min_calls].sort_values("score", ascending=False)
    print(f"\n== bank log {log}: {len(r.tiers)} agents, KPIs used {list(r.weights)}; "
          f"{len(big)} agents with >= {min_calls} served calls")
    print(big[["agent_id", "tier", "score", "score_low", "score_high", "cases", "aht_seconds",
               "aht_ratio", "complex_share", "tier_raw"]].to_string(index=False, float_format="%.3f"))
    for reason in big["reason"].head(3):
        print("  reason:", reason)
    rho = spearmanr(big["aht_seconds"], big["aht_ratio"]).statistic
    rho_s = spearmanr(big["score"], big["score_raw"]).statistic
    moved = big[big["tier"] != big["tier_raw"]]
    print(f"Spearman(raw mean handle time, adjusted ratio) = {rho:.3f} (call type and geometric mean "
          f"together); Spearman(score by call type, score on all calls pooled) = {rho_s:.3f} "
          "(the call-type adjustment alone)")
    for name, a, b in (("raw mean AHT", big["aht_seconds"], big["aht_ratio"]),
                       ("pooled score", -big["score_raw"], -big["score"])):
        shift = (a.rank() - b.rank()).abs()
        print(f"rank shift vs {name}: mean {shift.mean():.1f}, max {shift.max():.0f} places")
    print(f"{len(moved)} of {len(big)} agents change tier because of the adjustment: "
          + "; ".join(f"{a} {tr} -> {ta} ({cs:.0%} complex calls)" for a, tr, ta, cs in
                      moved[["agent_id", "tier_raw", "tier", "complex_share"]].itertuples(index=False)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("data"))
    ap.add_argument("--bank", type=Path, default=Path("data/anonbank/february.txt.gz"))
    args = ap.parse_args()
    np.set_printoptions(precision=3)
    pd.set_option("display.width", 200)
    if (args.data / "truth" / "agents.csv").exists():
        sample(args.data)
    if args.bank.exists():
        bank(args.bank)


if __name__ == "__main__":
    main()
