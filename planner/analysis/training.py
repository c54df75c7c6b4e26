"""Who should learn what next: cross-skilling and upskilling ranked by the shortfall they remove.

Two steps, cheap then exact:

1. :func:`training_candidates` estimates, for every (agent, case type) pair that would make a short
   type coverable by one more agent, the shortfall hours the change removes *in the plan as it is*:
   an interval counts when the agent is working then on a case type that has a surplus (moving them
   opens no new gap) and the target type is short. Cross-skilling adds a case type to an agent whose
   tier already meets its minimum tier; upskilling lifts an agent who has the skill over the tier or
   level rule that keeps them off it (the seeds' "across tiers"). The estimate ignores that the
   scheduler could also move shifts, so it is a lower bound in spirit, not a promise.
2. :func:`measure_by_resolving` applies each of the top few candidates to skills/tiers, re-runs the
   scheduler (any callable returning coverage) and reports the measured reduction, against a
   baseline re-solved with the same callable and time limit so that both sides carry the same
   solver effort.

:func:`suggested_training` turns the ranked candidates into ``training_suggested.csv``: rows in the
shape of the data folder's ``training.csv`` (topic = the case type to learn), so that copying it
into the data folder as training.csv plans the sessions into next week's shifts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from planner.analysis.shortage import working
from planner.domain import SWARM, tier_rank
from planner.io import PlannerConfig

# A solver: (skills, tiers) -> coverage with case_type, interval_start, required, scheduled[, shortfall].
Resolver = Callable[[pd.DataFrame, pd.DataFrame | None], pd.DataFrame]

CANDIDATE_COLUMNS = ["kind", "agent_id", "case_type", "tier", "change", "estimated_hours",
                     "intervals", "suggested_by_tiers"]


@dataclass(frozen=True)
class Change:
    """One training change: the agent, the case type, and what it alters."""

    kind: str  # "cross-skill", "upskill (tier)" or "upskill (level)"
    agent_id: str
    case_type: str
    new_level: int | None = None
    new_tier: str | None = None

    def apply(self, skills: pd.DataFrame, tiers: pd.DataFrame | None
              ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Skills and tiers with this change made (copies; the inputs are not touched)."""
        sk = skills.copy()
        ti = tiers.copy() if tiers is not None else None
        mask = (sk["agent_id"] == self.agent_id) & (sk["case_type"] == self.case_type)
        if self.new_level is not None:
            if mask.any():
                sk.loc[mask, "level"] = max(int(sk.loc[mask, "level"].max()), self.new_level)
            else:
                extra = pd.DataFrame({"agent_id": [self.agent_id], "case_type": [self.case_type],
                                      "level": [self.new_level]})
                sk = pd.concat([sk, extra.astype({c: sk[c].dtype for c in extra.columns if c in sk})],
                               ignore_index=True)
        if self.new_tier is not None and ti is not None:
            ti.loc[ti["agent_id"] == self.agent_id, "tier"] = self.new_tier
        return sk, ti


def _new_level(config: PlannerConfig, case_type: str) -> int:
    # A newly trained agent starts at level 2 ("can take it alone"), or the type's minimum if higher.
    return max(2, config.case_type(case_type).min_level)


def training_candidates(coverage: pd.DataFrame, assignments: pd.DataFrame, elig: pd.DataFrame,
                        skills: pd.DataFrame, tiers: pd.DataFrame | None, config: PlannerConfig,
                        minutes: int, suggested: pd.DataFrame | None = None,
                        limit: int = 30) -> pd.DataFrame:
    """Every useful (agent, short case type) change with its estimated shortfall removed [h]."""
    cov = coverage.copy()
    if "shortfall" not in cov:
        cov["shortfall"] = (cov["required"] - cov["scheduled"]).clip(lower=0)
    cov["surplus"] = (cov["scheduled"] - cov["required"]).clip(lower=0)
    short = cov[cov["shortfall"] > 0]
    if short.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    surplus = cov.set_index(["case_type", "interval_start"])["surplus"]
    work = working(assignments)
    # Agents working at t on a type with a surplus at t: free to move without opening a gap.
    key = pd.MultiIndex.from_arrays([work["activity"].astype(str), work["interval_start"]])
    free = work[surplus.reindex(key).fillna(0).to_numpy() >= 1]
    tier_of = dict(zip(tiers["agent_id"], tiers["tier"], strict=False)) if tiers is not None else {}
    have = {(a, c): row for a, c, row in zip(elig["agent_id"], elig["case_type"],
                                                elig.itertuples(index=False), strict=True)}
    agents = sorted(set(assignments["agent_id"].astype(str)))
    sugg = set()
    if suggested is not None and "agent_id" in suggested:
        sugg = set(suggested["agent_id"].astype(str))
    rows = []
    for ct, g in short.groupby("case_type"):
        ct = str(ct)
        if ct == SWARM:
            continue  # expert time on complex cases, not a case type one learns
        ctc = config.case_type(ct)
        need = g.set_index("interval_start")["shortfall"]
        for a in agents:
            tier = str(tier_of.get(a, "low"))
            e = have.get((a, ct))
            if e is not None and e.eligible:
                continue
            if e is None:
                if tier_rank(tier) < tier_rank(ctc.min_tier):
                    continue  # would need a tier move and a new skill: not a next step
                change = Change("cross-skill", a, ct, new_level=_new_level(config, ct))
                text = f"learn {ct} (level {change.new_level})"
            elif e.blocked_by == "tier":
                change = Change("upskill (tier)", a, ct, new_tier=ctc.min_tier)
                text = f"{tier} -> {ctc.min_tier} (has {ct} level {int(e.level)})"
            else:
                change = Change("upskill (level)", a, ct, new_level=ctc.min_level)
                text = f"{ct} level {int(e.level)} -> {ctc.min_level}"
            mine = free[free["agent_id"] == a]["interval_start"]
            gain = need.reindex(mine).fillna(0).clip(upper=1)
            hours = float(gain.sum() * minutes / 60)
            if hours <= 0:
                continue
            rows.append({"kind": change.kind, "agent_id": a, "case_type": ct, "tier": tier,
                         "change": text, "estimated_hours": hours, "intervals": int((gain > 0).sum()),
                         "suggested_by_tiers": a in sugg, "_change": change})
    if not rows:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    out = pd.DataFrame(rows)
    # Lower tiers first on ties: transactional work should grow the learners, not the experts.
    out["_rank"] = out["tier"].map(tier_rank)
    out = out.sort_values(["estimated_hours", "suggested_by_tiers", "_rank", "agent_id", "case_type"],
                          ascending=[False, False, True, True, True])
    return out.drop(columns="_rank").head(limit).reset_index(drop=True)


# A first session per suggestion: half a day, in blocks of at least an hour (edit before use).
SUGGESTED_HOURS = 4.0
SUGGESTED_MIN_BLOCK_HOURS = 1.0
SUGGESTED_COLUMNS = ["agent_id", "topic", "hours", "earliest", "latest", "min_block_hours"]


def suggested_training(candidates: pd.DataFrame, top: int = 5, hours: float = SUGGESTED_HOURS,
                       min_block_hours: float = SUGGESTED_MIN_BLOCK_HOURS) -> pd.DataFrame:
    """The best ``top`` candidates as training.csv rows (see the module docstring).

    One row per agent (their best-ranked change; a person learns one thing at a time), only changes
    that remove shortfall (the exact fixed-shift figure when measured, else the first estimate);
    ``earliest``/``latest`` are left empty (any day of the next plan), ``hours`` is capped by
    ``hours``. The order is the candidates' ranking.
    """
    if candidates is None or candidates.empty:
        return pd.DataFrame(columns=SUGGESTED_COLUMNS)
    gain = (candidates["fixed_shift_hours"] if "fixed_shift_hours" in candidates
            else pd.Series(float("nan"), index=candidates.index))
    gain = gain.fillna(candidates["estimated_hours"])
    useful = candidates[gain > 0]
    best = useful.drop_duplicates("agent_id", keep="first").head(top)
    return pd.DataFrame({"agent_id": best["agent_id"].astype(str).to_numpy(),
                         "topic": best["case_type"].astype(str).to_numpy(),
                         "hours": hours, "earliest": "", "latest": "",
                         "min_block_hours": min(min_block_hours, hours)},
                        columns=SUGGESTED_COLUMNS)


def planned_training(assignments: pd.DataFrame | None, minutes: int) -> pd.DataFrame | None:
    """Planned training sessions of a plan (assignments with a ``topic``): per agent and topic the
    hours and the days, for the report's roster. None when the plan has no planned training."""
    if assignments is None or "topic" not in assignments:
        return None
    a = assignments[assignments["topic"].notna() & (assignments["topic"].astype(str) != "")]
    if a.empty:
        return None
    out = (a.groupby([a["agent_id"].astype(str), a["topic"].astype(str)])["interval_start"]
           .agg(intervals="size", days=lambda s: ", ".join(sorted({f"{t:%a}" for t in s},
                                                                    key=lambda d: _DAYS.index(d)))))
    out["hours"] = out.pop("intervals") * minutes / 60
    return out.reset_index()[["agent_id", "topic", "hours", "days"]]


_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def total_shortfall_hours(coverage: pd.DataFrame, minutes: int) -> float:
    if "shortfall" in coverage:
        s = coverage["shortfall"].clip(lower=0)
    else:
        s = (coverage["required"] - coverage["scheduled"]).clip(lower=0)
    return float(s.sum() * minutes / 60)


def measure_by_resolving(candidates: pd.DataFrame, skills: pd.DataFrame, tiers: pd.DataFrame | None,
                         resolve: Resolver, minutes: int, top: int = 3,
                         progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Re-solve with each of the ``top`` candidates applied; add ``measured_hours`` (shortfall removed).

    The baseline is re-solved with the same ``resolve`` so both sides use the same time limit; the
    measured figure is baseline minus candidate total shortfall over all case types [h] (negative
    when the short re-solve did worse: reported as measured, not hidden).
    """
    out = candidates.copy()
    out["measured_hours"] = float("nan")
    out["baseline_hours"] = float("nan")
    if out.empty or top <= 0:
        return out
    say = progress or (lambda _m: None)
    say("re-solving the plan as it is (baseline for the training measurements)")
    base = total_shortfall_hours(resolve(skills, tiers), minutes)
    for i in range(min(top, len(out))):
        change: Change = out.at[i, "_change"]
        say(f"re-solving with {change.agent_id} {out.at[i, 'change']}")
        sk, ti = change.apply(skills, tiers)
        after = total_shortfall_hours(resolve(sk, ti), minutes)
        out.at[i, "measured_hours"] = base - after
        out.at[i, "baseline_hours"] = base
    return out
