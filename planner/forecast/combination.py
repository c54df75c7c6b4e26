"""The combination: the mean forecast of the few models that backtest best for a case type.

Averaging the best few forecasts is often better than any one of them (Bates and Granger 1969; the
M4 competition's lesson): their errors are not the same. Which models join is decided on earlier
origins only when the combination itself is backtested, so its score is out of sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from planner.forecast.base import Forecaster

COMBINATION = "combination"
#: how many models the combination averages
MEMBERS = 3
#: members at the first origin, before any backtest evidence
DEFAULT_MEMBERS = ("recent_level", "profile", "window_average(k=4)")


def rank_models(runs: dict[str, list[tuple[np.ndarray, np.ndarray]]], scales: Sequence[float],
                labels: Sequence[str], before: int) -> list[str]:
    """Labels ordered by mean scaled error (MASE) over the origins before index ``before``."""
    scores = {}
    for label in labels:
        errs = [np.abs(a - p).mean() / s for (a, p), s in zip(runs[label][:before], scales, strict=False)
                if s > 0 and len(a)]
        if errs:
            scores[label] = float(np.mean(errs))
    return sorted(scores, key=lambda k: (scores[k], k))


def diverse_members(ranked: Sequence[str], family: str = "window_average") -> list[str]:
    """The best :data:`MEMBERS` of ``ranked`` with one window average at most: windows of 4, 6 and
    8 weeks make nearly the same errors, and a mean of near copies averages nothing away."""
    out: list[str] = []
    for label in ranked:
        if label.startswith(family) and any(m.startswith(family) for m in out):
            continue
        out.append(label)
        if len(out) == MEMBERS:
            break
    return out


class Combination(Forecaster):
    """Mean of fitted member models (each fitted on the same history).

    Parameters
    ----------
    members : sequence of Forecaster
        The models to average (unfitted).
    """

    name = COMBINATION
    uses_prior = True

    def __init__(self, members: Sequence[Forecaster] = ()) -> None:
        self.members = tuple(members)

    def _fit(self, times: pd.DatetimeIndex, y: np.ndarray, is_open: np.ndarray,
             **fit_params: Any) -> None:
        frame = pd.DataFrame({"interval_start": times, "volume": y, "open": is_open})
        self.fitted_ = []
        for model in self.members:
            fresh = type(model)(**model.get_params())
            takes_prior = getattr(fresh, "uses_prior", False)
            self.fitted_.append(fresh.fit(frame, **(fit_params if takes_prior else {})))

    def _predict(self, times: pd.DatetimeIndex, is_open: np.ndarray) -> np.ndarray:
        horizon = pd.DataFrame({"interval_start": times, "open": is_open})
        return np.mean([m.predict(horizon)["volume"].to_numpy() for m in self.fitted_], axis=0)
