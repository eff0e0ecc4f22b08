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
:func:`funding_table` computes, :func:`published_view` rounds as Table 17 prints,
:func:`funding_chart` draws the shares against the two lines and :func:`findings` states what
the table shows.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.io.annotated_csv import error, number_column, read_annotated_csv  # noqa: E402
from analysis.report.rendering import PALETTE  # noqa: E402
from analysis.util.errors import InputError  # noqa: E402
from analysis.util.rounding import round_half_up  # noqa: E402

# NHSE expectation quoted in the LLR plan, section 7.1: "spend a minimum of 10.9% of total annual
# CCG budgets by 2020, but with an aspiration of 11.3% of total CCG allocation".
MINIMUM_SHARE = 0.109
ASPIRATION_SHARE = 0.113
THRESHOLD_SOURCE = ("NHSE expectation quoted in the LLR GP Workforce Plan 2017, section 7.1: a "
                    "minimum of 10.9% of CCG allocation on General Practice by 2020, aspiration "
                    "11.3%")

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

LABELS = {
    "year": "Year", "ccg": "CCG", "allocation_k": "CCG allocation (£000)",
    "cocommissioning_k": "Co-commissioning (£000)",
    "cocommissioning_share": "Co-commissioning, % of allocation",
    "discretionary_k": "Discretionary spend (£000)", "spend_k": "Total primary care spend (£000)",
    "share": "% of allocation on primary care",
    "shortfall_minimum_k": "Shortfall to 10.9% (£000)",
    "shortfall_aspiration_k": "Shortfall to 11.3% (£000)",
}


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


def funding_table(inputs: pd.DataFrame, minimum: float = MINIMUM_SHARE,
                  aspiration: float = ASPIRATION_SHARE,
                  total_label: str | None = "All CCGs") -> pd.DataFrame:
    """Table 17, derived, with the shortfall against the minimum and the aspiration.

    Parameters
    ----------
    inputs : DataFrame
        From :func:`read_funding`.
    minimum, aspiration : float
        Shares of the CCG allocation (0.109 and 0.113).
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


def compare_published(table: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Cells where the rebuilt table differs from the published one (empty when none).

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


def _pct(x: float, dp: int = 2) -> str:
    return f"{round_half_up(x * 100, dp):.{dp}f}%"


def _k(x: float) -> str:
    """GBP thousands for text: '£165k', '£1.2m'."""
    x = float(x)
    if abs(x) >= 1000:
        return f"£{round_half_up(x / 1000, 1):,.1f}m"
    return f"£{round_half_up(x, 0):,.0f}k"


def findings(table: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """Plain-English statements of what the table shows (one per bullet).

    Parameters
    ----------
    table : DataFrame
        From :func:`funding_table`.
    names : dict, optional
        CCG label -> name to use in the text.
    """
    names = names or {}
    lo, hi = table.attrs.get("minimum", MINIMUM_SHARE), table.attrs.get("aspiration",
                                                                        ASPIRATION_SHARE)
    ccgs = table[~table["is_total"]]
    first, last = ccgs["year"].min(), ccgs["year"].max()
    out = []
    ends = ccgs[ccgs["year"].isin([first, last])].pivot(index="ccg", columns="year",
                                                        values="share")
    ends = ends.loc[list(dict.fromkeys(ccgs["ccg"]))]
    out.append(f"Share of CCG allocation spent on primary care, {first} to {last}: " + "; ".join(
        f"{names.get(c, c)} {_pct(r[first])} to {_pct(r[last])}" for c, r in ends.iterrows())
        + ".")
    below = ccgs[~ccgs["meets_minimum"]]
    if below.empty:
        out.append(f"Every CCG is at or above the {_pct(lo, 1)} minimum in every year.")
    else:
        txt = "; ".join(f"{names.get(r['ccg'], r['ccg'])} in {r['year']} ({_pct(r['share'])}, "
                        f"{_k(r['shortfall_minimum_k'])} short)" for _, r in below.iterrows())
        hidden = below[round_half_up(below["share"] * 100, PUBLISHED_SHARE_DECIMALS)
                       >= round_half_up(lo * 100, PUBLISHED_SHARE_DECIMALS)]
        out.append(f"Below the {_pct(lo, 1)} minimum: {txt}."
                   + (f" Printed to one decimal place, as in the plan, "
                      f"{'these read' if len(hidden) == len(below) else f'{len(hidden)} read'}"
                      f" as {_pct(lo, 1)}." if len(hidden) else ""))
    final = ccgs[ccgs["year"] == last]
    meet = [names.get(c, c) for c in final.loc[final["meets_aspiration"], "ccg"]]
    miss = final[~final["meets_aspiration"]]
    txt = f"In {last}, "
    txt += (f"{_list(meet)} reach{'es' if len(meet) == 1 else ''} the {_pct(hi, 1)} aspiration"
            if meet else f"no CCG reaches the {_pct(hi, 1)} aspiration")
    if len(miss):
        txt += ("; " + "; ".join(f"{names.get(r['ccg'], r['ccg'])} is "
                                 f"{_k(r['shortfall_aspiration_k'])} short of it "
                                 f"({_pct(r['share'])})" for _, r in miss.iterrows()))
    never = [names.get(c, c) for c, g in ccgs.groupby("ccg", sort=False)
             if not g["meets_aspiration"].any()]
    if never:
        txt += f". {_list(never)} never reach{'es' if len(never) == 1 else ''} it in any year"
    out.append(txt + ".")
    tot = table[table["is_total"]]
    if len(tot):
        r = tot[tot["year"] == last].iloc[0]
        out.append(f"All CCGs together: {_pct(r['share'])} in {last}, "
                   + (f"{_k(-r['shortfall_aspiration_k'])} above the aspiration."
                      if r["meets_aspiration"] else
                      f"{_k(r['shortfall_aspiration_k'])} short of the aspiration."))
    return out


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def funding_chart(table: pd.DataFrame, title: str, highlight: str | None = None,
                  names: dict[str, str] | None = None):
    """Share of allocation spent on primary care by year, one line per CCG, with the lines.

    Parameters
    ----------
    table : DataFrame
        From :func:`funding_table`; the all-CCG rows are drawn dashed black.
    title : str
    highlight : str, optional
        CCG label drawn thicker (the report's own CCG); the others thinner.
    names : dict, optional
        CCG label -> legend name.
    """
    names = names or {}
    lo, hi = table.attrs.get("minimum", MINIMUM_SHARE), table.attrs.get("aspiration",
                                                                        ASPIRATION_SHARE)
    years = sorted(table["year"].unique())
    x = np.arange(len(years))
    fig, ax = plt.subplots(figsize=(9, 5))
    ccgs = list(dict.fromkeys(table.loc[~table["is_total"], "ccg"]))
    for i, c in enumerate(ccgs):
        g = table[(table["ccg"] == c)].set_index("year").reindex(years)
        strong = highlight is None or c == highlight
        ax.plot(x, g["share"] * 100, color=PALETTE[i % len(PALETTE)], marker="o",
                linewidth=2.6 if (highlight and c == highlight) else 2 if strong else 1.2,
                alpha=1 if strong else 0.6, label=names.get(c, c))
    tot = table[table["is_total"]]
    if len(tot):
        g = tot.set_index("year").reindex(years)
        ax.plot(x, g["share"] * 100, color="#000000", linestyle="--", marker="s",
                markersize=4, linewidth=1.4, label=names.get(tot["ccg"].iloc[0],
                                                                tot["ccg"].iloc[0]))
    ax.axhline(lo * 100, color=PALETTE[5], linestyle=(0, (6, 3)), linewidth=1.5,
               label=f"Minimum {lo:.1%}")
    ax.axhline(hi * 100, color=PALETTE[3], linestyle=":", linewidth=2,
               label=f"Aspiration {hi:.1%}")
    for v, text, colour in ((lo, "minimum", PALETTE[5]), (hi, "aspiration", PALETTE[3])):
        ax.annotate(f"{v:.1%} {text}", (len(years) - 0.85, v * 100), xytext=(0, 3),
                    textcoords="offset points", va="bottom", ha="left", fontsize=8,
                    color=colour)
    ax.set_xticks(x, years)
    ax.set_xlim(-0.3, len(years) - 0.1)
    vals = np.concatenate([table["share"].to_numpy(dtype=float) * 100, [lo * 100, hi * 100]])
    ax.set_ylim(np.floor(vals.min() * 5 - 1) / 5, np.ceil(vals.max() * 5 + 1) / 5)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.1f}%"))
    ax.set_xlabel("Financial year")
    ax.set_ylabel("Share of CCG allocation spent on primary care")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=3)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def chart_alt(table: pd.DataFrame, names: dict[str, str] | None = None) -> str:
    """Alt text for :func:`funding_chart`: every value the chart shows."""
    names = names or {}
    lo, hi = table.attrs.get("minimum", MINIMUM_SHARE), table.attrs.get("aspiration",
                                                                        ASPIRATION_SHARE)
    parts = []
    for c, g in table.groupby("ccg", sort=False):
        parts.append(f"{names.get(c, c)}: " + ", ".join(
            f"{y} {_pct(s)}" for y, s in zip(g["year"], g["share"], strict=True)))
    years = sorted(table["year"].unique())
    return (f"Line chart of the share of CCG allocation spent on primary care, {years[0]} to "
            f"{years[-1]}, against the {lo:.1%} minimum and {hi:.1%} aspiration lines. "
            + "; ".join(parts) + ".")
