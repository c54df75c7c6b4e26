"""Back-office work with a deadline (email answered within 24 h): workload spread over the window.

A case that may be answered any time within ``deadline_hours`` does not need an agent in the
interval it arrives: its handle time can be done in any open interval of its window. The plan
spreads each interval's workload evenly over the open intervals of its window, so the requirement
is a smooth rolling sum instead of the arrival curve, and every case is answered within its
deadline when the window holds at least one open interval. Work whose window has no open interval
(arriving on a closed weekend with a 24-hour deadline) is treated as arriving at the next opening,
spread over the deadline window from there, and counted as late.

The grid wraps around (the week after the horizon looks like the horizon): work arriving late on
Sunday lands on Monday morning, as last week's Sunday work would have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Spread:
    """Workload per interval after spreading, and which arrivals make their deadline."""

    workload_seconds: NDArray[np.float64]
    on_time: NDArray[np.bool_]


def spread_workload(work_seconds: NDArray[np.float64], is_open: NDArray[np.bool_],
                    window: int) -> Spread:
    """Spread each interval's work evenly over the open intervals of the next ``window`` intervals.

    Parameters
    ----------
    work_seconds : numpy.ndarray
        Work arriving per interval (volume x AHT) [s], on a regular grid.
    is_open : numpy.ndarray
        Open intervals of the grid.
    window : int
        Intervals in the deadline window, the arrival interval included (>= 1).

    Returns
    -------
    Spread
        Work done per interval [s] (the total is conserved) and, per arrival interval, whether its
        work is done within the deadline.
    """
    n = len(work_seconds)
    if n == 0:
        return Spread(np.zeros(0), np.zeros(0, dtype=bool))
    if not is_open.any():
        # Nowhere to put it: do it when it arrives and call it late.
        return Spread(np.asarray(work_seconds, dtype=float), np.zeros(n, dtype=bool))
    window = int(min(max(window, 1), n))
    o = is_open.astype(float)
    # Open intervals in [i, i + window), with wrap-around.
    co = np.concatenate([[0.0], np.cumsum(np.concatenate([o, o]))])
    idx = np.arange(n)
    count = co[idx + window] - co[idx]
    on_time = count > 0
    # Work with no open interval in its window is treated as arriving at the next opening.
    opens = np.flatnonzero(is_open)
    nxt = opens[np.searchsorted(opens, idx) % opens.size]
    start = np.where(on_time, idx, nxt)
    rate = np.zeros(n)
    np.add.at(rate, start, work_seconds / count[start])
    # Interval j receives rate_s from every start s in (j - window, j], if j is open.
    cr = np.concatenate([[0.0], np.cumsum(np.concatenate([rate, rate]))])
    received = (cr[idx + n + 1] - cr[idx + n + 1 - window]) * o
    return Spread(received, on_time)
