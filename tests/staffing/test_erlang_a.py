"""Erlang A against an independent birth-death computation and an event simulation."""

from __future__ import annotations

import heapq

import numpy as np
import pytest
from scipy.special import betainc, digamma

from planner.staffing import erlang
from planner.staffing.erlang_a import abandon_probability, agents_for_target, erlang_a


def birth_death(n: int, a: float, aht: float, patience: float, answer: float, depth: int = 3000):
    """Truncated M/M/n+M chain, solved state by state; an arrival seeing m queued waits, if patient,
    the sum of exponentials with rates n mu + j theta (j = m..0), i.e. -log(U)/theta with
    U ~ Beta(n mu / theta, m + 1). Returns P(wait), P(abandon), service level, ASA."""
    lam, mu, th = a / aht, 1 / aht, 1 / patience
    logp = np.zeros(n + depth + 1)
    for j in range(1, n + depth + 1):
        logp[j] = logp[j - 1] + np.log(lam / (min(j, n) * mu + max(j - n, 0) * th))
    p = np.exp(logp - logp.max())
    p /= p.sum()
    queue = np.maximum(np.arange(n + depth + 1) - n, 0)
    pab = th * (queue * p).sum() / lam
    x, m, pm = n * mu / th, np.arange(depth + 1), p[n:]
    # P(answered within T | m) = E[U 1{U >= e^-theta T}] = x/(x+m+1) (1 - I_u(x+1, m+1)).
    within = x / (x + m + 1) * (1 - betainc(x + 1, m + 1, np.exp(-th * answer)))
    sl = p[:n].sum() + (pm * within).sum()
    # E[V e^{-theta V} | m] = x/(x+m+1) (psi(x+m+2) - psi(x+1)) / theta.
    wait_answered = (pm * x / (x + m + 1) * (digamma(x + m + 2) - digamma(x + 1)) / th).sum()
    return pm.sum(), pab, sl, wait_answered / (1 - pab)


def simulate(n: int, a: float, aht: float, patience: float, answers: tuple[float, ...],
             arrivals: int = 200_000, seed: int = 7):
    """FCFS M/M/n+M event simulation: an arrival takes the agent that frees first, unless its
    patience runs out before; an abandoning case never occupies an agent."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.exponential(aht / a, arrivals))
    pat = rng.exponential(patience, arrivals)
    svc = rng.exponential(aht, arrivals)
    free = [0.0] * n
    waits = np.full(arrivals, np.inf)  # inf = abandoned
    for i in range(arrivals):
        start = max(t[i], free[0])
        if start - t[i] <= pat[i]:
            heapq.heapreplace(free, start + svc[i])
            waits[i] = start - t[i]
    warm = arrivals // 20
    w = waits[warm:]
    answered = np.isfinite(w)
    return (1 - answered.mean(), [float((w <= s).mean()) for s in answers],
            float(w[answered].mean()))


@pytest.mark.parametrize("n,a,aht,patience,answer", [
    (14, 10.0, 180.0, 300.0, 20.0),
    (10, 12.0, 180.0, 120.0, 60.0),  # fewer agents than Erlangs: stable only with abandonment
    (5, 3.0, 300.0, 30.0, 600.0),  # answer target far beyond patience
    (120, 110.0, 240.0, 180.0, 3600.0),
    (30, 50.0, 200.0, 100.0, 20.0),
    (3, 0.5, 180.0, 600.0, 10.0),
])
def test_closed_forms_match_birth_death_chain(n, a, aht, patience, answer):
    r = erlang_a(n, a, aht, patience, answer)
    pw, pab, sl, w = birth_death(n, a, aht, patience, answer)
    got = (r.wait_probability, r.abandon_probability, r.service_level, r.asa_seconds)
    np.testing.assert_allclose(got, (pw, pab, sl, w), rtol=1e-7)
    assert float(r.mean_wait_seconds) == pytest.approx(pab * patience)


def test_abandonment_and_long_targets_agree_with_simulation():
    """20 Erlangs on 20 agents, AHT 180 s, patience 300 s: Erlang C cannot answer this at all.

    Tolerance: 200,000 arrivals give a standard error near 0.0015 on each share after allowing
    for autocorrelation; we accept 0.006 (4 standard errors) and 3% on the ASA.
    """
    n, a, aht, patience = 20, 20.0, 180.0, 300.0
    answers = (20.0, 600.0, 7200.0)
    sim_ab, sim_sl, sim_asa = simulate(n, a, aht, patience, answers)
    r = erlang_a(n, a, aht, patience, np.array(answers))
    assert float(r.abandon_probability[0]) == pytest.approx(sim_ab, abs=0.006)
    for got, want in zip(r.service_level, sim_sl, strict=True):
        assert float(got) == pytest.approx(want, abs=0.006)
    assert float(r.asa_seconds[0]) == pytest.approx(sim_asa, rel=0.03)
    # Long targets tend to the share answered, not to P(no wait).
    assert float(r.service_level[2]) == pytest.approx(1 - float(r.abandon_probability[2]), abs=1e-9)
    assert float(r.service_level[2]) > float(1 - r.wait_probability[2]) + 0.3


def test_fewer_agents_than_erlang_c_with_five_minute_patience():
    loads = np.array([2.0, 10.0, 50.0, 200.0, 1000.0])
    c = erlang.agents_for_target(loads, 240.0, service_level=0.8, answer_seconds=20)
    a = agents_for_target(loads, 240.0, 300.0, service_level=0.8, answer_seconds=20)
    assert np.all(a.agents <= c.agents)
    assert np.any(a.agents < c.agents)
    assert np.all(a.service_level >= 0.8)
    below = erlang_a(a.agents - 1, loads, 240.0, 300.0, 20.0).service_level
    assert np.all(below < 0.8)
    assert np.all(np.ceil(a.agents_fractional) == a.agents)


def test_max_abandon_target():
    r = agents_for_target(30.0, 300.0, 120.0, max_abandon=0.02)
    n = int(r.agents)
    assert float(abandon_probability(n, 30.0, 300.0, 120.0)) <= 0.02
    assert float(abandon_probability(n - 1, 30.0, 300.0, 120.0)) > 0.02
    assert float(r.abandon_rate) <= 0.02


def test_no_load_and_large_load():
    """At 20,000 Erlangs with 5-minute patience the queue runs efficiency-driven: fewer agents
    than Erlangs, everyone waits about 300 ln(A / n) = 18 s, about 6% abandon."""
    r = agents_for_target([0.0, 20_000.0], 300.0, 300.0, service_level=0.8, answer_seconds=20)
    assert int(r.agents[0]) == 0
    n = int(r.agents[1])
    assert n == 18_851
    for agents, want in ((n - 1, False), (n, True)):
        _, pab, sl, w = birth_death(agents, 20_000.0, 300.0, 300.0, 20.0, depth=8000)
        got = erlang_a(agents, 20_000.0, 300.0, 300.0, 20.0)
        np.testing.assert_allclose((got.abandon_probability, got.service_level, got.asa_seconds),
                                   (pab, sl, w), rtol=1e-7)
        assert (sl >= 0.8) == want


def test_many_agents_stay_finite():
    r = erlang_a(np.array([50, 200, 2000]), 10.0, 300.0, 60.0, 20.0)
    assert np.all(np.isfinite(r.service_level)) and np.all(r.service_level <= 1)
    assert np.all(r.abandon_probability < 1e-12)


@pytest.mark.parametrize("n,a,aht", [(14, 10.0, 180.0), (20_150, 20_000.0, 300.0)])
def test_long_patience_tends_to_erlang_c(n, a, aht):
    """With a mean patience of 10^6 to 10^8 s nobody abandons: Erlang A becomes Erlang C (the
    gamma functions underflow here; the series path must take over)."""
    for patience in (1e6, 1e8):
        r = erlang_a(n, a, aht, patience, 20.0)
        assert float(r.wait_probability) == pytest.approx(float(erlang.erlang_c(n, a)), rel=1e-3)
        assert float(r.service_level) == pytest.approx(float(erlang.service_level(n, a, aht, 20)),
                                                       abs=1e-4)
        assert float(r.asa_seconds) == pytest.approx(float(erlang.asa(n, a, aht)), rel=1e-3)
