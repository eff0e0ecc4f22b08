"""Rounding as published tables round: halves away from zero.

Python's ``round`` and NumPy's ``round`` send halves to the even neighbour (``round(2.5) == 2``);
NHS publications print 2.5 as 3. Every rounded figure in the toolkit goes through
:func:`round_half_up`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EPS = 1e-9
"""Added before flooring so that a half stored as 0.49999999999 (binary floating point) rounds
up, as it reads on paper."""


def round_half_up(x, decimals: int = 0):
    """Round halves away from zero, as published tables do (Python rounds halves to even).

    Parameters
    ----------
    x : scalar, array-like, Series or DataFrame
        Values to round; missing values stay missing.
    decimals : int
        Decimal places.

    Returns
    -------
    float, ndarray, Series or DataFrame
        Same kind as ``x`` (a scalar gives a float).
    """
    factor = 10.0 ** decimals
    if isinstance(x, pd.Series | pd.DataFrame):
        return np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + EPS) / factor
    x = np.asarray(x, dtype=float)
    out = np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + EPS) / factor
    return out.item() if out.ndim == 0 else out
