"""Linear-program rows written as (column indices, coefficients, right-hand side) to a CSR matrix.

Both LP/MIP models of the scheduler (the per-day activity MIP and the aggregated lower bound)
build their constraints row by row this way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix

Row = tuple[Sequence[int], Sequence[float], float]


def rows_to_matrix(rows: Sequence[Row], n_cols: int) -> tuple[csr_matrix, np.ndarray]:
    """The constraint matrix (one row per entry of ``rows``) and its right-hand sides."""
    r_idx: list[int] = []
    c_idx: list[int] = []
    vals: list[float] = []
    for n, (idx, val, _) in enumerate(rows):
        r_idx += [n] * len(idx)
        c_idx += idx
        vals += val
    matrix = coo_matrix((vals, (r_idx, c_idx)), shape=(len(rows), n_cols)).tocsr()
    return matrix, np.array([b for _, _, b in rows], dtype=float)
