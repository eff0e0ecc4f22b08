"""General Practice funding trajectories: the share of CCG allocation spent on primary care.

Reproduces LLR GP Workforce Plan 2017 Table 17 ("LLR CCGs General Practice funding
trajectories", GBP thousands) from an analyst-editable file (``scenarios/llr_funding.csv``):
for each CCG and year the CCG allocation, the co-commissioned primary care funding and the
discretionary primary care spend are entered; everything else is derived here:

* co-commissioning as a share of the allocation;
* total primary care spend = co-commissioning + discretionary;
* the share of the allocation spent on primary care;
* the shortfall against the NHSE minimum of 10.9% and the aspiration of 11.3% of CCG
  allocation by 2020 (plan section 7.1): ``share x allocation - spend``, GBP thousands, positive
  when spend is below the line and negative when above;
* the same for all the CCGs together, year by year.

The functions are pure: :func:`read_funding` reads and checks the file,
:func:`funding_table` computes, :func:`published_view` rounds as Table 17 prints and
:func:`funding_facts` picks out what the table shows. The comparison with Table 17 is
:func:`analysis.validation.funding.compare_published`; the chart, the findings and the table
are drawn and written by :mod:`analysis.report.funding`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.config import settings
from analysis.io.annotated_csv import error, number_column, read_annotated_csv
from analysis.util.errors import InputError
from analysis.util.rounding import round_half_up

# The minimum and the aspiration are settings (config ``constants: primary_care_share``); the
# config's values are the NHSE expectation quoted in the LLR plan, section 7.1: "spend a minimum
# of 10.9% of total annual CCG budgets by 2020, but with an aspiration of 11.3% of total CCG
# allocation".
THRESHOLD_SOURCE = ("config constants: primary_care_share; the NHSE expectation quoted in the "
                    "LLR GP Workforce Plan 2017, section 7.1, is a minimum of 10.9% of CCG "
                    "allocation on General Practice by 2020 and an aspiration of 11.3%")


def share_thresholds() -> tuple[float, float]:
    """The (minimum, aspiration) shares of CCG allocation from the config."""
    t = settings().constants.primary_care_share
    return t.minimum, t.aspiration


def table_thresholds(table: pd.DataFrame) -> tuple[float, float]:
    """The (minimum, aspiration) a funding table was computed with (else the config's)."""
    lo, hi = share_thresholds()
    return table.attrs.get("minimum", lo), table.attrs.get("aspiration", hi)


INPUT_COLUMNS = ["year", "ccg", "allocation_k", "cocommissioning_k", "discretionary_k"]
YEAR = re.compile(r"^(\d{4})/(\d{2})$")

# Table 17 as printed: our column -> published column; shares in percent to 1 decimal place.
PUBLISHED_COLUMNS = {
    "year": "year",
    "ccg": "ccg",
    "allocation_k": "ccg_allocation_k",
    "cocommissioning_k": "primary_care_cocommissioning_k",
    "cocommissioning_share": "cocommissioning_pct_of_allocation",
    "discretionary_k": "primary_care_discretionary_k",
    "spend_k": "total_primary_care_spend_k",
    "share": "pct_of_ccg_budget_on_primary_care",
}
PUBLISHED_SHARE_DECIMALS = 1


def read_funding(path) -> pd.DataFrame:
    """Read and check a funding trajectory file.

    Parameters
    ----------
    path : str or Path
        CSV with ``#`` comment lines and the columns ``year`` (``2016/17``), ``ccg`` (label),
        optional ``area`` (registry slug), ``allocation_k``, ``cocommissioning_k`` and
        ``discretionary_k`` (GBP thousands).

    Returns
    -------
    DataFrame
        ``year, ccg, area, allocation_k, cocommissioning_k, discretionary_k`` in file order.

    Raises
    ------
    InputError
        Naming the file, line and column: a column missing, a year not like ``2016/17`` (or
        whose second part is not the next year), a blank CCG, a number that is not a number,
        negative, or an allocation of zero, a CCG and year given twice.
    """
    raw = read_annotated_csv(path, INPUT_COLUMNS)
    if raw.empty:
        raise InputError(raw.attrs["path"], "no rows under the header; expected one row per "
                         "CCG and year", row=raw.attrs["header_line"])
    for i, y in enumerate(raw["year"]):
        m = YEAR.match(y)
        if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
            raise error(raw, i, "year", f"expected a financial year such as 2016/17, found {y!r}")
    for i, c in enumerate(raw["ccg"]):
        if not c:
            raise error(raw, i, "ccg", "CCG is blank")
    dup = raw.duplicated(["year", "ccg"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise error(raw, i, "ccg", f"{raw['ccg'].iloc[i]} {raw['year'].iloc[i]} appears more "
                    "than once; expected one row per CCG and year")
    out = pd.DataFrame({"year": raw["year"].astype(str), "ccg": raw["ccg"].astype(str),
                        "area": raw["area"].astype(str) if "area" in raw else ""})
    for col in ("allocation_k", "cocommissioning_k", "discretionary_k"):
        out[col] = number_column(raw, col, minimum=0)
    zero = out["allocation_k"] <= 0
    if zero.any():
        raise error(raw, int(np.flatnonzero(zero.to_numpy())[0]), "allocation_k",
                    "allocation is 0; expected the CCG allocation in GBP thousands")
    out.attrs.update(path=raw.attrs["path"], source=raw.attrs["source"])
    return out


def funding_table(inputs: pd.DataFrame, minimum: float | None = None,
                  aspiration: float | None = None,
                  total_label: str | None = "All CCGs") -> pd.DataFrame:
    """Table 17, derived, with the shortfall against the minimum and the aspiration.

    Parameters
    ----------
    inputs : DataFrame
        From :func:`read_funding`.
    minimum, aspiration : float, optional
        Shares of the CCG allocation; default :func:`share_thresholds` (the config's).
    total_label : str or None
        CCG label of the all-CCG row added after each year's CCGs; None adds none.

    Returns
    -------
    DataFrame
        One row per CCG and year (file order within a year, years in order), then the total:
        ``year, ccg, area, allocation_k, cocommissioning_k, cocommissioning_share,
        discretionary_k, spend_k, share, shortfall_minimum_k, shortfall_aspiration_k,
        meets_minimum, meets_aspiration, is_total``. Shares are fractions, unrounded; money is
        GBP thousands.
    """
    lo, hi = share_thresholds()
    minimum = lo if minimum is None else minimum
    aspiration = hi if aspiration is None else aspiration
    df = inputs[["year", "ccg", "area", "allocation_k", "cocommissioning_k",
                 "discretionary_k"]].copy()
    df["is_total"] = False
    if total_label is not None:
        tot = (df.groupby("year", sort=False)[["allocation_k", "cocommissioning_k",
                                                "discretionary_k"]].sum().reset_index())
        tot["ccg"] = total_label
        tot["area"] = ""
        tot["is_total"] = True
        df = pd.concat([df, tot[df.columns]], ignore_index=True)
    years = sorted(df["year"].unique())
    order = {c: i for i, c in enumerate(dict.fromkeys(inputs["ccg"]))}
    df["_y"] = df["year"].map({y: i for i, y in enumerate(years)})
    df["_c"] = df["ccg"].map(order).fillna(len(order))
    df = df.sort_values(["_y", "is_total", "_c"], kind="stable").drop(columns=["_y", "_c"])
    alloc = df["allocation_k"].astype(float)
    df["spend_k"] = df["cocommissioning_k"] + df["discretionary_k"]
    df["cocommissioning_share"] = df["cocommissioning_k"] / alloc
    df["share"] = df["spend_k"] / alloc
    df["shortfall_minimum_k"] = minimum * alloc - df["spend_k"]
    df["shortfall_aspiration_k"] = aspiration * alloc - df["spend_k"]
    df["meets_minimum"] = df["shortfall_minimum_k"] <= 1e-9
    df["meets_aspiration"] = df["shortfall_aspiration_k"] <= 1e-9
    cols = ["year", "ccg", "area", "allocation_k", "cocommissioning_k", "cocommissioning_share",
            "discretionary_k", "spend_k", "share", "shortfall_minimum_k",
            "shortfall_aspiration_k", "meets_minimum", "meets_aspiration", "is_total"]
    out = df[cols].reset_index(drop=True)
    out.attrs.update(inputs.attrs)
    out.attrs.update(minimum=minimum, aspiration=aspiration)
    return out


def published_view(table: pd.DataFrame) -> pd.DataFrame:
    """The CCG rows of :func:`funding_table` as Table 17 prints them.

    Published column names, money as whole GBP thousands, shares in percent rounded half-up to
    one decimal place; the all-CCG rows (not in Table 17) are left out.
    """
    df = table.loc[~table["is_total"], list(PUBLISHED_COLUMNS)].copy()
    for col in ("cocommissioning_share", "share"):
        df[col] = round_half_up(df[col] * 100, PUBLISHED_SHARE_DECIMALS)
    for col in ("allocation_k", "cocommissioning_k", "discretionary_k", "spend_k"):
        df[col] = round_half_up(df[col], 0).astype("int64")
    return df.rename(columns=PUBLISHED_COLUMNS).reset_index(drop=True)


def funding_facts(table: pd.DataFrame) -> dict:
    """What the table shows, as numbers for the chapter's findings.

    Parameters
    ----------
    table : DataFrame
        From :func:`funding_table`.

    Returns
    -------
    dict
        ``minimum``, ``aspiration``; ``first`` and ``last`` year; ``ends`` (CCG, share in the
        first year, share in the last year; file order); ``below`` (the CCG rows under the
        minimum: ``ccg, year, share, shortfall_minimum_k``) and ``hidden`` (how many of those
        print as the minimum at the plan's one decimal place); ``meet`` (CCGs at the aspiration
        in the last year), ``miss`` (the others: ``ccg, share, shortfall_aspiration_k``) and
        ``never`` (CCGs at it in no year); ``total`` (the all-CCG row of the last year, or
        None).
    """
    lo, hi = table_thresholds(table)
    ccgs = table[~table["is_total"]]
    first, last = ccgs["year"].min(), ccgs["year"].max()
    ends = ccgs[ccgs["year"].isin([first, last])].pivot(index="ccg", columns="year",
                                                        values="share")
    ends = ends.loc[list(dict.fromkeys(ccgs["ccg"]))]
    below = ccgs[~ccgs["meets_minimum"]]
    hidden = below[round_half_up(below["share"] * 100, PUBLISHED_SHARE_DECIMALS)
                   >= round_half_up(lo * 100, PUBLISHED_SHARE_DECIMALS)]
    final = ccgs[ccgs["year"] == last]
    tot = table[table["is_total"]]
    total = None
    if len(tot):
        r = tot[tot["year"] == last].iloc[0]
        total = {"share": float(r["share"]), "meets_aspiration": bool(r["meets_aspiration"]),
                 "shortfall_aspiration_k": float(r["shortfall_aspiration_k"])}
    return {
        "minimum": lo, "aspiration": hi, "first": first, "last": last,
        "ends": [(c, float(r[first]), float(r[last])) for c, r in ends.iterrows()],
        "below": below[["ccg", "year", "share", "shortfall_minimum_k"]].to_dict("records"),
        "hidden": len(hidden),
        "meet": list(final.loc[final["meets_aspiration"], "ccg"]),
        "miss": final.loc[~final["meets_aspiration"],
                          ["ccg", "share", "shortfall_aspiration_k"]].to_dict("records"),
        "never": [c for c, g in ccgs.groupby("ccg", sort=False)
                  if not g["meets_aspiration"].any()],
        "total": total,
    }
