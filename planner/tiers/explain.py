"""One line per agent that a team lead can read: the tier and the KPIs that put the agent there."""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.tiers.kpis import LABELS

# Contributions smaller than this (in weighted score units) are not worth a clause.
_MIN_CONTRIBUTION = 0.02


@dataclass(frozen=True)
class AgentFacts:
    """What the reason of one agent may cite."""

    tier: str
    cases: int
    min_cases: int
    complex_share: float
    score: float
    values: dict[str, float]     # shrunk, case-mix adjusted value per KPI
    teams: dict[str, float]      # the team's value per KPI
    contributions: dict[str, float]  # weight * z per KPI
    csat_raw: float = math.nan
    surveys: int = 0
    kept_by_hysteresis: bool = False
    band_edge: float = math.nan
    missing_kpis: tuple[str, ...] = ()
    held_by_evidence: bool = False


def kpi_phrase(kpi: str, value: float, team: float) -> str:
    """A KPI against the team, in words: 'handles 12% faster than peers on the same case mix'."""
    if kpi == "handle_time":
        if value <= 1:
            return f"handles {100 * (1 - value):.0f}% faster than peers on the same case mix"
        return f"takes {100 * (value - 1):.0f}% longer than peers on the same case mix"
    if kpi == "fcr":
        rel = 100 * (value / team - 1) if team > 0 else 0.0
        more = "more" if rel >= 0 else "less"
        return (f"resolves {abs(rel):.0f}% {more} on first contact than peers on the same case mix "
                f"({value:.0%} vs {team:.0%})")
    if kpi == "reopen":
        return f"reopen rate {value:.1%} vs {team:.1%} for peers on the same case mix"
    if kpi == "transfers":
        return f"transfers {value:.0%} of cases vs {team:.0%} for peers on the same case mix"
    if kpi == "csat":
        return f"CSAT {value:.2f} vs team {team:.2f} (case-mix adjusted)"
    if kpi == "qa":
        return f"QA score {value:.0f} vs team {team:.0f}"
    raise KeyError(kpi)


def _material(kpi: str, value: float, team: float) -> bool:
    """Whether the difference survives the rounding of the phrase ("0% faster" says nothing)."""
    if kpi == "handle_time":
        return abs(value - 1) >= 0.005
    if kpi == "qa":
        return abs(value - team) >= 0.5
    return abs(value - team) >= 0.005


def _pick(facts: AgentFacts) -> list[str]:
    """The KPIs to cite: those that pushed the agent toward the tier, the largest first."""
    c = {k: v for k, v in facts.contributions.items()
         if abs(v) >= _MIN_CONTRIBUTION and _material(k, facts.values[k], facts.teams[k])}
    if facts.tier == "high":
        order = sorted((k for k in c if c[k] > 0), key=lambda k: -c[k])[:2]
    elif facts.tier == "low":
        order = sorted((k for k in c if c[k] < 0), key=lambda k: c[k])[:2]
    else:
        best = max(c, key=lambda k: c[k], default=None)
        worst = min(c, key=lambda k: c[k], default=None)
        order = [k for k in (best, worst) if k is not None]
        order = list(dict.fromkeys(order))
    return order


def reason_line(facts: AgentFacts) -> str:
    """The reason column of tiers.csv."""
    if facts.tier == "insufficient_evidence":
        return (f"insufficient evidence: {facts.cases} cases in the window (needs {facts.min_cases}); "
                "not tiered on noise")
    clauses = []
    picked = _pick(facts)
    for kpi in picked:
        if kpi == "csat":
            continue  # cited below with its survey count
        clauses.append(kpi_phrase(kpi, facts.values[kpi], facts.teams[kpi]))
    if "csat" in facts.values and facts.surveys > 0:
        # Few surveys: say how far they were pulled back; many: the case-mix adjusted figure.
        how = "shrunk to" if facts.surveys < 30 else "case-mix adjusted"
        clauses.append(f"CSAT {facts.csat_raw:.1f} over {facts.surveys} "
                       f"survey{'s' if facts.surveys != 1 else ''} "
                       f"({how} {facts.values['csat']:.2f} vs team {facts.teams['csat']:.2f})")
    if not clauses:
        clauses.append("close to peers on the same case mix on every KPI")
    line = f"{facts.tier}: " + "; ".join(clauses)
    line += f" ({facts.cases} cases, {facts.complex_share:.0%} complex)"
    if facts.kept_by_hysteresis:
        line += (f"; kept {facts.tier} from the previous run (score {facts.score:+.2f} is within the "
                 f"hysteresis margin of the band edge {facts.band_edge:+.2f})")
    if facts.held_by_evidence:
        side = "high" if facts.score > 0 else "low"
        line += (f"; in the {side} band by score ({facts.score:+.2f}) but its interval reaches the team "
                 "average: not enough evidence to call it " + side)
    if facts.missing_kpis:
        used = ", ".join(LABELS[k] for k in facts.values)
        line += f"; KPIs used: {used} (not in the data: {', '.join(LABELS[k] for k in facts.missing_kpis)})"
    return line
