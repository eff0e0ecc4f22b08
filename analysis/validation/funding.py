"""General Practice funding trajectories against the published LLR plan Table 17."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.models.funding import published_view


def compare_published(table: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Cells where the rebuilt table differs from the published one (empty when none).

    Parameters
    ----------
    table : DataFrame
        From :func:`analysis.models.funding.funding_table`.
    published : DataFrame
        Table 17 as printed (columns of :data:`analysis.models.funding.PUBLISHED_COLUMNS`).

    Returns
    -------
    DataFrame
        ``year, ccg, column, published, model`` for each differing cell; rows are matched on
        year and CCG, and a row missing on either side is listed with the other value blank.
    """
    ours = published_view(table).set_index(["year", "ccg"])
    pub = published.set_index(["year", "ccg"])
    rows = []
    for key in ours.index.union(pub.index, sort=False):
        for col in (c for c in pub.columns if c in ours.columns):
            a = pub.at[key, col] if key in pub.index else np.nan
            b = ours.at[key, col] if key in ours.index else np.nan
            if pd.isna(a) or pd.isna(b) or abs(float(a) - float(b)) > 1e-9:
                rows.append({"year": key[0], "ccg": key[1], "column": col, "published": a,
                             "model": b})
    return pd.DataFrame(rows, columns=["year", "ccg", "column", "published", "model"])
