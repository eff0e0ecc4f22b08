"""Scenario models against the published figures (the chapter's back-test table).

The published figures are those transcribed under ``published:`` in each scenario of a
scenario file (LLR plan Tables 12-14: positions 561, 630 and 658; HEE: 196 and 157 retirements).
"""

from __future__ import annotations

import pandas as pd

from analysis.models.scenarios import COMPONENT_LABELS, ScenarioSet, run


def check_published(sset: ScenarioSet) -> pd.DataFrame:
    """Published figures against the published-mode model (the report's back-test table).

    Returns
    -------
    DataFrame
        ``scenario, figure, published, model, matches``: one row per published figure.
    """
    res = run(sset, "published")
    rows = []
    for s in sset.scenarios:
        for k, v in s.published.items():
            got = float(res.loc[s.id, k])
            rows.append({"scenario": s.name, "figure": COMPONENT_LABELS.get(
                k, "Position at the horizon" if k == "position" else k),
                "published": v, "model": got, "matches": abs(got - v) < 1e-9})
    return pd.DataFrame(rows, columns=["scenario", "figure", "published", "model", "matches"])
