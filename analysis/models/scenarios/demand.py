"""Demand for GP WTE at the horizon: a fixed target, a ratio to the list, population growth by
age group, or the demand implied by a published gap."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.models.scenarios.params import ScenarioSet

DEMAND_METHODS = ("fixed", "ratio", "population_growth", "implied_gap")
DEMAND_LABELS = {
    "fixed": "Fixed target",
    "ratio": "0.58 WTE per 1,000 patients",
    "population_growth": "Population growth by age group",
    "implied_gap": "Implied by the published gap",
}



def demand_ratio(wte_per_1000: float, patients: float) -> float:
    """Demand as a ratio to the registered list: ``wte_per_1000 * patients / 1000``."""
    return wte_per_1000 * patients / 1000.0


def population_growth_factor(groups: Mapping[str, Mapping[str, float]], years: float,
                             period_years: float) -> float:
    """Growth in GP demand from population growth by age group.

    Each group's growth over ``period_years`` is converted to ``years`` by compounding
    (``(1 + g) ** (years / period_years)``) and weighted by population share x relative GP use.

    Parameters
    ----------
    groups : mapping
        Group -> ``{'growth': g, 'share': population share, 'weight': relative GP use}``.
    years : float
        Years of growth wanted.
    period_years : float
        Years over which ``growth`` is stated (LLR: 5).

    Returns
    -------
    float
        Demand at ``years`` over demand now (1.0 = no growth).
    """
    w = np.array([g["share"] * g["weight"] for g in groups.values()], dtype=float)
    growth = np.array([g["growth"] for g in groups.values()], dtype=float)
    if w.sum() <= 0:
        raise ValueError("population shares x weights add up to 0")
    return float((w * (1 + growth) ** (years / period_years)).sum() / w.sum())


def implied_demand(gap_wte: float, gap_share: float, share_decimals: int = 2) -> dict:
    """Demand implied by a gap quoted as a share of demand ("222 = 26%").

    Parameters
    ----------
    gap_wte : float
        The quoted gap.
    gap_share : float
        The gap as a share of demand (0.26).
    share_decimals : int
        Decimals the share was rounded to (0.26: 2); gives the range of demand the quote allows.

    Returns
    -------
    dict
        ``demand``, ``demand_low``, ``demand_high`` (share at the top and bottom of its rounding
        interval) and ``supply`` (demand - gap).
    """
    half = 0.5 * 10.0 ** -share_decimals
    demand = gap_wte / gap_share
    return {"demand": demand, "demand_low": gap_wte / (gap_share + half),
            "demand_high": gap_wte / (gap_share - half), "supply": demand - gap_wte}


def demand_options(sset: ScenarioSet, horizon_years: int | None = None) -> pd.DataFrame:
    """Every demand measure the file defines, at the horizon; the chosen one flagged.

    Returns
    -------
    DataFrame
        ``method``, ``label``, ``demand_wte``, ``chosen`` and ``source``.
    """
    h = sset.horizon_years if horizon_years is None else horizon_years
    d = sset.demand
    rows = []
    if "fixed" in d:
        rows.append(("fixed", float(d["fixed"]["target_wte"]), d["fixed"].get("source", "")))
    if "ratio" in d:
        rows.append(("ratio", demand_ratio(float(d["ratio"]["wte_per_1000"]),
                                           float(d["ratio"]["patients"])),
                     d["ratio"].get("source", "")))
    if "population_growth" in d:
        pg = d["population_growth"]
        base = dict((m, v) for m, v, _ in rows)[pg.get("base", "ratio")]
        factor = population_growth_factor(pg["groups"], h, float(pg["period_years"]))
        rows.append(("population_growth", base * factor,
                     f"{pg.get('source', '')} {pg.get('weights_source', '')}".strip()))
    if "implied_gap" in d:
        ig = d["implied_gap"]
        imp = implied_demand(float(ig["gap_wte"]), float(ig["gap_share"]),
                             int(ig.get("share_decimals", 2)))
        rows.append(("implied_gap", imp["demand"], ig.get("source", "")))
    out = pd.DataFrame(rows, columns=["method", "demand_wte", "source"])
    out.insert(1, "label", out["method"].map(DEMAND_LABELS))
    out.insert(3, "chosen", out["method"] == d["method"])
    out["source"] = out["source"].map(lambda s: " ".join(str(s).split()))
    return out


def target_wte(sset: ScenarioSet, horizon_years: int | None = None) -> float:
    """Demand at the horizon by the file's chosen method (the target line)."""
    opts = demand_options(sset, horizon_years)
    return float(opts.loc[opts["chosen"], "demand_wte"].iloc[0])


