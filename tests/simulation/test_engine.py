"""The engine's mechanics on small hand-made plans: concurrency, swarming, breaks, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.io import PlannerConfig
from planner.io.config import CaseTypeConfig
from planner.routing import SWARM, Case, Center, LongestIdle, TierAware
from planner.simulation import SimulationOptions, build_plan, outcomes, simulate, weekly_metrics
from planner.simulation.metrics import spread_over_intervals
from planner.simulation.plan import parse_breaks

DAY = pd.Timestamp("2026-11-23")


def make(types: dict[str, CaseTypeConfig], skills: list[tuple[str, str, int]],
         tiers: dict[str, str] | None = None) -> Center:
    cfg = PlannerConfig(case_types=types)
    ids = sorted({a for a, _, _ in skills})
    agents = pd.DataFrame({"agent_id": ids, "name": ids})
    sk = pd.DataFrame(skills, columns=["agent_id", "case_type", "level"])
    tf = None if tiers is None else pd.DataFrame(list(tiers.items()), columns=["agent_id", "tier"])
    return Center.from_frames(cfg, list(types), agents, sk, tf)


def forecast(volumes: dict[str, float], hours: int = 8, aht: float = 300.0) -> pd.DataFrame:
    starts = pd.date_range(DAY + pd.Timedelta(hours=9), periods=hours * 2, freq="30min")
    return pd.concat([pd.DataFrame({"case_type": t, "interval_start": starts, "volume": v,
                                    "aht_seconds": aht}) for t, v in volumes.items()],
                     ignore_index=True)


def assignments(plan: dict[str, list[str]]) -> pd.DataFrame:
    """agent -> activity per half hour from 09:00."""
    rows = []
    for agent, acts in plan.items():
        for k, act in enumerate(acts):
            rows.append((agent, DAY + pd.Timedelta(hours=9, minutes=30 * k), act))
    return pd.DataFrame(rows, columns=["agent_id", "interval_start", "activity"])


def max_overlap(starts: np.ndarray, ends: np.ndarray) -> int:
    ev = sorted([(s, 1) for s in starts] + [(e, -1) for e in ends], key=lambda x: (x[0], x[1]))
    cur = best = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


def test_chat_concurrency_is_capacity():
    types = {"chat": CaseTypeConfig(channel="chat", concurrency=2, answer_seconds=60),
             "phone": CaseTypeConfig()}
    c = make(types, [("a1", "chat", 3), ("a1", "phone", 3)])
    plan = build_plan(c, forecast({"chat": 8, "phone": 1}), interval_minutes=30)
    cases = simulate(c, plan, LongestIdle(), np.random.default_rng(2),
                     SimulationOptions(abandonment=False)).cases
    served = cases[cases["agent"] == 0]
    chat = served[served["case_type"] == 0]
    phone = served[served["case_type"] == 1]
    assert max_overlap(chat["start"].to_numpy(), chat["end"].to_numpy()) == 2
    # A phone call needs the whole agent: nothing else runs beside it.
    every = max_overlap(served["start"].to_numpy(), served["end"].to_numpy())
    assert every == 2
    for s, e in zip(phone["start"], phone["end"], strict=True):
        inside = served[(served["start"] < e) & (served["end"] > s)]
        assert len(inside) == 1


def swarm_center(share: float, handler_tier: str = "medium") -> Center:
    types = {"tech": CaseTypeConfig(complexity="complex", swarm_share=share, swarm_time_share=0.5),
             "billing": CaseTypeConfig()}
    return make(types, [("h1", "tech", 3), ("h2", "tech", 3), ("x1", "tech", 5),
                        ("x1", "billing", 5)],
                {"h1": handler_tier, "h2": handler_tier, "x1": "high"})


def run_swarm(c: Center, seed: int = 5) -> pd.DataFrame:
    # The expert is planned on billing (no billing arrives): with overflow never, tier-aware keeps
    # the expert off tech cases, so the expert only ever joins swarms.
    plan = build_plan(c, forecast({"tech": 4}), interval_minutes=30,
                      assignments=assignments({"h1": ["tech"] * 16, "h2": ["tech"] * 16,
                                               "x1": ["billing"] * 16}))
    return simulate(c, plan, TierAware(overflow_after_s=1e9), np.random.default_rng(seed),
                    SimulationOptions(abandonment=False)).cases


def test_swarming_pulls_in_the_expert_and_counts_hand_offs():
    cases = run_swarm(swarm_center(1.0))
    answered = cases[cases["agent"] >= 0]
    assert (answered["agent"] != 2).all()  # the expert never owns a tech case
    joined = answered[answered["expert"] == 2]
    assert len(joined) > 0.5 * len(answered)
    assert (joined["handoffs"] == 1).all() and (answered.loc[answered["expert"] < 0, "handoffs"] == 0).all()
    # The expert is busy for the swarm (half the handle time when joining at the start), one at a time.
    at_start = joined[joined["swarm_start"] == joined["start"]]
    np.testing.assert_allclose(at_start["swarm_end"] - at_start["swarm_start"],
                               0.5 * (at_start["end"] - at_start["start"]))
    assert max_overlap(joined["swarm_start"].to_numpy(), joined["swarm_end"].to_numpy()) == 1
    assert (joined["swarm_end"] <= joined["end"] + 1e-9).all()
    w = weekly_metrics(cases, swarm_center(1.0), build_plan(
        swarm_center(1.0), forecast({"tech": 4}), interval_minutes=30))
    assert w.loc[w["case_type"] == "all", "handoffs"].item() == len(joined)


def test_no_swarm_without_share_or_with_a_high_tier_handler():
    assert run_swarm(swarm_center(0.0))["handoffs"].sum() == 0
    assert run_swarm(swarm_center(1.0, handler_tier="high"))["handoffs"].sum() == 0


def test_breaks_and_off_activities_take_agents_off_queue():
    c = make({"billing": CaseTypeConfig()}, [("a1", "billing", 3)])
    acts = ["billing"] * 2 + ["break"] + ["billing"] * 3 + ["training"] + ["billing"]
    sched = pd.DataFrame({"agent_id": ["a1"], "date": [DAY], "shift_start": ["09:00"],
                          "shift_end": ["13:00"], "breaks": ["11:00-11:15"]})
    plan = build_plan(c, forecast({"billing": 5}, hours=4), interval_minutes=30,
                      assignments=assignments({"a1": acts}), schedule=sched)
    h = 3600.0
    segs = list(zip(plan.seg_start / h, plan.seg_end / h, strict=True))
    assert segs == [(0.0, 1.0), (1.5, 2.0), (2.25, 3.0), (3.5, 4.0)]
    cases = simulate(c, plan, LongestIdle(), np.random.default_rng(0),
                     SimulationOptions(abandonment=False)).cases
    start = cases["start"].dropna().to_numpy() / h
    assert len(start) > 10
    on = np.zeros(len(start), dtype=bool)
    for s, e in segs:
        on |= (start >= s) & (start < e)
    assert on.all()


def test_schedule_only_plan_puts_agents_on_for_the_shift():
    c = make({"billing": CaseTypeConfig(), "returns": CaseTypeConfig()},
             [("a1", "billing", 3), ("a2", "returns", 3)])
    sched = pd.DataFrame({"agent_id": ["a1", "a2"], "date": [DAY, DAY],
                          "shift_start": ["2026-11-23T09:00:00", "21:00"],
                          "shift_end": ["2026-11-23T17:00:00", "05:00"],
                          "breaks": ["12:00-12:30", "2026-11-24T01:00/2026-11-24T01:30"]})
    plan = build_plan(c, forecast({"billing": 1}), interval_minutes=30, schedule=sched)
    h = 3600.0
    assert list(zip(plan.seg_agent, plan.seg_start / h, plan.seg_end / h, strict=True)) == [
        (0, 0.0, 3.0), (0, 3.5, 8.0), (1, 12.0, 16.0), (1, 16.5, 20.0)]


def test_parse_breaks_forms():
    day = DAY
    got = parse_breaks("10:00-10:15; 13:00-13:30", day, day + pd.Timedelta(hours=8))
    assert got == [(day + pd.Timedelta(hours=10), day + pd.Timedelta(hours=10, minutes=15)),
                   (day + pd.Timedelta(hours=13), day + pd.Timedelta(hours=13, minutes=30))]
    assert parse_breaks("", day, day) == []
    with pytest.raises(ValueError, match="pairs"):
        parse_breaks("10:00", day, day)


def test_same_seed_same_records_other_seed_other_records():
    c = make({"billing": CaseTypeConfig(patience_seconds=120)}, [("a1", "billing", 3),
                                                                 ("a2", "billing", 5)])
    plan = build_plan(c, forecast({"billing": 10}), interval_minutes=30)
    a = simulate(c, plan, LongestIdle(), np.random.default_rng(4)).cases
    b = simulate(c, plan, LongestIdle(), np.random.default_rng(4)).cases
    d = simulate(c, plan, LongestIdle(), np.random.default_rng(5)).cases
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(d)
    # Level effect: the level-5 agent is faster on average than the level-3 agent (0.84 vs 1.0).
    h = (a["end"] - a["start"]).groupby(a["agent"]).mean()
    assert h[1] < h[0]


def test_higher_priority_type_is_served_first_under_load():
    types = {"gold": CaseTypeConfig(priority=5.0), "basic": CaseTypeConfig(priority=1.0)}
    c = make(types, [("a1", "gold", 3), ("a1", "basic", 3), ("a2", "gold", 3), ("a2", "basic", 3)])
    plan = build_plan(c, forecast({"gold": 5, "basic": 5}), interval_minutes=30)
    w = weekly_metrics(simulate(c, plan, LongestIdle(), np.random.default_rng(1),
                                SimulationOptions(abandonment=False)).cases, c, plan)
    sl = w.set_index("case_type")["asa_seconds"]
    assert sl["gold"] < 0.5 * sl["basic"]


def test_spread_over_intervals_splits_time():
    got = spread_over_intervals(np.array([0, 1, 0]), np.array([900.0, 0.0, 3600.0]),
                                np.array([2700.0, 600.0, 9000.0]), np.array([1.0, 0.5, 1.0]),
                                n_keys=2, interval_seconds=1800.0, n_intervals=3)
    np.testing.assert_allclose(got, [[900.0, 900.0, 5400.0], [300.0, 0.0, 0.0]])


def test_occupancy_counts_busy_over_on_queue_time():
    c = make({"billing": CaseTypeConfig()}, [("a1", "billing", 3)])
    plan = build_plan(c, forecast({"billing": 0}, hours=1), interval_minutes=30,
                      assignments=assignments({"a1": ["billing", "billing"]}))
    # The second case runs 1,400 s past the end of the on-queue hour: only 600 s count.
    two = pd.DataFrame({"case_type": [0, 0], "interval": [0, 1], "arrival": [100.0, 3000.0],
                        "state": [Case.DONE] * 2, "start": [100.0, 3000.0],
                        "end": [1000.0, 5000.0], "agent": [0, 0], "primary": [True] * 2,
                        "expert": [-1, -1], "swarm_start": [np.nan] * 2,
                        "swarm_end": [np.nan] * 2, "handoffs": [0, 0]})
    w = weekly_metrics(two, c, plan).set_index("case_type")
    assert w.loc["billing", "occupancy"] == pytest.approx(1500 / 3600)
    assert w.loc["billing", "service_level"] == 1.0 and w.loc["billing", "asa_seconds"] == 0.0


def test_swarm_activity_code_reaches_the_plan():
    c = swarm_center(0.5)
    plan = build_plan(c, forecast({"tech": 1}), interval_minutes=30,
                      assignments=assignments({"x1": ["swarm"] * 4, "h1": ["lunch", "tech"]}))
    assert set(plan.seg_activity.tolist()) == {SWARM, 0}


def test_a_short_break_in_a_break_interval_leaves_the_rest_on_queue():
    c = make({"billing": CaseTypeConfig(), "returns": CaseTypeConfig()},
             [("a1", "billing", 3), ("a1", "returns", 3)])
    acts = ["returns", "returns", "break", "billing", "lunch", "billing"]
    sched = pd.DataFrame({"agent_id": ["a1"], "date": [DAY], "shift_start": ["09:00"],
                          "shift_end": ["12:00"],
                          "breaks": ["break 10:00-10:15; lunch 11:00-11:30"]})
    plan = build_plan(c, forecast({"billing": 1}, hours=3), interval_minutes=30,
                      assignments=assignments({"a1": acts}), schedule=sched)
    h = 3600.0
    got = list(zip(plan.seg_start / h, plan.seg_end / h, plan.seg_activity, strict=True))
    # 10:15-10:30 is on queue on returns (the interval before the break); lunch is off throughout.
    assert got == [(0.0, 1.0, 1), (1.25, 1.5, 1), (1.5, 2.0, 0), (2.5, 3.0, 0)]


def test_scenario_scales_arrivals_and_bounds_need_the_forecast_columns():
    from planner.simulation import draw_arrivals

    c = make({"billing": CaseTypeConfig()}, [("a1", "billing", 3)])
    fc = forecast({"billing": 500.0})
    plan = build_plan(c, fc, interval_minutes=30)
    base = len(draw_arrivals(c, plan, np.random.default_rng(0), SimulationOptions()).time)
    more = len(draw_arrivals(c, plan, np.random.default_rng(0), SimulationOptions(scenario=1.2)).time)
    assert base == pytest.approx(8000, rel=0.03) and more == pytest.approx(9600, rel=0.03)
    with pytest.raises(ValueError, match="volume_low"):
        draw_arrivals(c, plan, np.random.default_rng(0), SimulationOptions(scenario="low"))
    plan = build_plan(c, fc.assign(volume_low=250.0, volume_high=750.0), interval_minutes=30)
    low = len(draw_arrivals(c, plan, np.random.default_rng(0), SimulationOptions(scenario="low")).time)
    assert low == pytest.approx(4000, rel=0.05)
    with pytest.raises(ValueError, match="scenario"):
        SimulationOptions(scenario=0.0)


def test_tier_aware_keeps_high_tier_off_transactional_work():
    types = {"order_status": CaseTypeConfig(complexity="transactional"),
             "tech": CaseTypeConfig(complexity="complex")}
    skills = [(a, t, 4) for a in ("lo1", "lo2", "hi1", "hi2") for t in types]
    c = make(types, skills, {"lo1": "low", "lo2": "low", "hi1": "high", "hi2": "high"})
    plan = build_plan(c, forecast({"order_status": 6, "tech": 3}), interval_minutes=30,
                      assignments=assignments({"lo1": ["order_status"] * 16,
                                               "lo2": ["order_status"] * 16,
                                               "hi1": ["tech"] * 16, "hi2": ["tech"] * 16}))
    got = {}
    for policy in (TierAware(), LongestIdle()):
        w = pd.concat([weekly_metrics(simulate(c, plan, policy, np.random.default_rng(s)).cases,
                                      c, plan) for s in range(4)])
        got[policy.name] = w.groupby("case_type")[["high_tier_on_transactional",
                                                   "high_tier_share"]].mean()
    assert got["tier-aware"].loc["all", "high_tier_on_transactional"] < 0.5 * got[
        "longest-idle"].loc["all", "high_tier_on_transactional"]
    assert got["tier-aware"].loc["tech", "high_tier_share"] > got["longest-idle"].loc[
        "tech", "high_tier_share"]


def test_relaxation_lets_a_lower_level_answer_after_the_wait():
    types = {"tech": CaseTypeConfig(min_level=3, answer_seconds=20)}
    c = make(types, [("a1", "tech", 2)])
    plan = build_plan(c, forecast({"tech": 2}), interval_minutes=30)
    opts = SimulationOptions(abandonment=False)
    never = outcomes(simulate(c, plan, LongestIdle(), np.random.default_rng(0), opts).cases, c)
    assert not never["answered"].any()
    relaxed = outcomes(simulate(c, plan, LongestIdle(relax_after_s=30), np.random.default_rng(0),
                                opts).cases, c)
    assert relaxed["answered"].mean() > 0.9
    assert (relaxed.loc[relaxed["answered"], "wait"] >= 30 - 1e-9).all()


def test_forecast_without_handle_time_is_a_contract_error():
    from planner.errors import ContractError

    c = make({"billing": CaseTypeConfig()}, [("a1", "billing", 3)])
    fc = forecast({"billing": 2.0}).astype({"aht_seconds": float})
    fc.loc[3, "aht_seconds"] = np.nan
    with pytest.raises(ContractError, match="aht_seconds"):
        build_plan(c, fc, interval_minutes=30)


def test_results_do_not_depend_on_the_number_of_workers():
    from planner.simulation import simulate_week

    c = make({"billing": CaseTypeConfig(patience_seconds=100)}, [("a1", "billing", 3),
                                                                 ("a2", "billing", 4)])
    plan = build_plan(c, forecast({"billing": 8}), interval_minutes=30)
    one = simulate_week(c, plan, [LongestIdle(), TierAware()], replications=3, seed=2, workers=1)
    two = simulate_week(c, plan, [LongestIdle(), TierAware()], replications=3, seed=2, workers=2)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(one.intervals, two.intervals)
    assert one.events == two.events > 0


def test_plan_notes_name_what_routing_cannot_honour():
    from planner.simulation import plan_notes

    c = make({"billing": CaseTypeConfig(), "ghost": CaseTypeConfig()}, [("a1", "billing", 3)])
    plan = build_plan(c, forecast({"billing": 1, "ghost": 2}), interval_minutes=30,
                      assignments=assignments({"a1": ["ghost", "ghost"]}))
    notes = plan_notes(c, plan)
    assert len(notes) == 2
    assert "no agent has a skill on ghost" in notes[0]
    assert "1.0 agent-hours" in notes[1] and "a1 ghost" in notes[1]
