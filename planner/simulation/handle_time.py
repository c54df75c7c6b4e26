"""Handle-time models: how long an agent of a given level takes on a case.

A model answers ``sample(rng, case, level)``. For speed the engine draws every case's unit-mean
random factor up front (:meth:`multipliers`, one vectorised call per replication) and multiplies by
the forecast AHT of the case's interval and the agent's :meth:`level_factor` when service starts.
Drawing per case (not per agent) also gives common random numbers when two policies are compared
with the same seed: the same customers arrive with the same needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class _LevelEffect:
    """Agents above level 3 are faster, below slower: factor ``1 + level_effect * (3 - level)``."""

    level_effect: float = 0.08

    def __post_init__(self) -> None:
        if not 0 <= self.level_effect < 0.5:
            raise ValueError(f"level_effect must be within [0, 0.5), got {self.level_effect}")

    def level_factor(self, level: int) -> float:
        return 1.0 + self.level_effect * (3 - level)

    def level_factors(self) -> list[float]:
        """Factor per level 0..5 (0 is never served; kept so that the list indexes by level)."""
        return [self.level_factor(lv) for lv in range(6)]

    def multipliers(self, rng: np.random.Generator, n: int) -> np.ndarray:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, aht_seconds: float, level: int) -> float:
        """One handle time [s] for a case of mean ``aht_seconds`` taken by an agent of ``level``."""
        return float(aht_seconds * self.multipliers(rng, 1)[0] * self.level_factor(level))


@dataclass(frozen=True)
class LognormalHandleTime(_LevelEffect):
    """Lognormal handle times with mean = AHT and coefficient of variation ``cv``.

    Handle times of service calls are close to lognormal (Brown et al. 2005, "Statistical analysis of a
    telephone call center", JASA); a cv near 1 is typical of voice, lower of scripted work.
    """

    cv: float = 0.8

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 < self.cv <= 5:
            raise ValueError(f"cv must be within (0, 5], got {self.cv}")

    def multipliers(self, rng: np.random.Generator, n: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(-sigma2 / 2, math.sqrt(sigma2), n)


@dataclass(frozen=True)
class ExponentialHandleTime(_LevelEffect):
    """Exponential handle times (the M/M/n assumption of Erlang C and Erlang A)."""

    def multipliers(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(1.0, n)
