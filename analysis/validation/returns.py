"""The LLR tables rebuilt from the cleaned returns, against the published LLR workforce plan.

Every published cell of LLR Tables 2, 3, 4, 8, 9 and 10 (``config/published/
llr_workforce_plan.yaml``) is set against the same cell computed by
:func:`analysis.tables.returns.llr_tables`, rounded as published. Cells that differ are listed,
not forced, each with the reason: rounding, or a published figure that differs from its own
components.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.config import PUBLISHED, published_tables
from analysis.tables.returns import table3_as_published
from analysis.tables.workforce import round_half_up

PUBLISHED_LLR = PUBLISHED / "llr_workforce_plan.yaml"


def published_llr(path: Path = PUBLISHED_LLR) -> dict[str, pd.DataFrame]:
    """The LLR plan's published tables (``config/published/llr_workforce_plan.yaml``).

    The one copy of these figures: the report's check and the tests both read it. The file is
    validated once (:func:`analysis.config.published_tables`); a problem is one line naming the
    file and the key.

    Returns
    -------
    dict
        ``table2`` ... ``table10`` -> DataFrame with the published columns, as printed; a
        table's ``target_2020`` (Table 4) is in ``attrs['target_2020']``.
    """
    out = {}
    for name, t in published_tables(path).tables().items():
        df = pd.DataFrame([list(r) for r in t.rows], columns=list(t.columns))
        if t.target_2020 is not None:
            df.attrs["target_2020"] = t.target_2020
        out[name] = df
    return out


T3_COMPONENTS = ["gp", "nurses", "other_clinical", "admin_non_clinical"]


def published_differences(tables: dict[str, pd.DataFrame],
                          published: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every published LLR cell the cleaned data do not reproduce, with the reason.

    Parameters
    ----------
    tables : dict
        From :func:`analysis.tables.returns.llr_tables` (unrounded).
    published : dict, optional
        The published tables (default: :func:`published_llr`).

    Returns
    -------
    DataFrame
        Columns ``table, row, column, published, computed, unrounded, explanation``: one row
        per differing cell (see :func:`compare_with_published` for the explanations).
    """
    published = published or published_llr()
    cmp = compare_with_published
    parts = []
    t2 = tables["table2"].copy()
    d2 = cmp(t2, published["table2"], ["ccg"],
             {"population": 0, "practices": 0, "average_list_size": 0}).assign(table="Table 2")
    pub2 = published["table2"].set_index("ccg")
    for i, r in d2[d2["column"] == "average_list_size"].iterrows():
        p = pub2.loc[r["ccg"]]
        exact = p["population"] / p["practices"]
        how = ("truncated, not rounded" if int(exact) == r["published"]
               else "differs from its own components")
        d2.loc[i, "explanation"] = (f"published figure {how}: {p['population']:,.0f} / "
                                    f"{p['practices']:.0f} = {exact:,.2f}")
    parts.append(d2)
    t3 = tables["table3"]
    shown = table3_as_published(t3)
    d3 = {c: 0 for c in published["table3"].columns if c != "ccg"}
    comp3 = {"total_hc": [f"{c}_hc" for c in T3_COMPONENTS],
             "total_wte": [f"{c}_wte" for c in T3_COMPONENTS]}
    diff3 = cmp(shown, published["table3"], ["ccg"], d3, comp3,
                total_rows=("LLR STP Total",)).assign(table="Table 3")
    unrounded = t3.set_index("ccg")
    for i, r in diff3.iterrows():
        exact = unrounded.loc[r["ccg"], r["column"]]
        diff3.loc[i, "unrounded"] = exact
        if r["ccg"] == "LLR STP Total" and round(exact) == r["published"]:
            diff3.loc[i, "explanation"] = (
                "rounding: this published total rounds the unrounded sum, while the table's "
                "other totals add the rounded rows")
    parts.append(diff3)
    t4 = tables["table4"]
    parts.append(cmp(t4, published["table4"], ["period"], {"gp_wte": 0}).assign(
        table="Table 4"))
    t8 = tables["table8"]
    d8 = {c: (2 if c.endswith("_per_1000") else 0) for c in published["table8"].columns
          if c != "ccg"}
    comp8 = {"total": T3_COMPONENTS}
    d8 = cmp(t8, published["table8"], ["ccg"], d8, comp8,
             total_rows=("LLR STP Total",)).assign(table="Table 8")
    pub8 = published["table8"].set_index("ccg")
    pop2 = dict(zip(tables["table3"]["ccg"], tables["table8"]["population"], strict=True))
    for i, r in d8.iterrows():
        if r["column"] == "population":
            d8.loc[i, "explanation"] = (f"published figure differs from Table 2's population "
                                        f"for the same CCG ({pop2.get(r['ccg'], 0):,.0f})")
        elif r["column"] == "total_per_1000":
            p = pub8.loc[r["ccg"]]
            if abs(p["total"] / p["population"] * 1000 - r["published"]) < 0.005:
                d8.loc[i, "explanation"] = ("consistent with the published total, which "
                                            "differs from its own components")
    parts.append(d8)
    parts.append(cmp(tables["table9"], published["table9"], ["staff_group", "job_role"],
                     {"pct_wte_over_55": 1}).assign(table="Table 9"))
    t10 = tables["table10"]
    pub10 = published["table10"]
    for measure, d in (("Headcount", 0), ("WTE", 2)):
        cols = {c: d for c in pub10.columns if c not in ("ccg", "measure")}
        parts.append(cmp(t10[t10["measure"] == measure], pub10[pub10["measure"] == measure],
                         ["ccg", "measure"], cols, total_rows=("LLR",),
                         measure_col="measure").assign(table="Table 10"))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    label = out.get("ccg", pd.Series(index=out.index, dtype="string"))
    for alt in ("period", "job_role"):
        if alt in out:
            label = label.fillna(out[alt].astype("string"))
    out["row"] = label
    return out[["table", "row", "column", "published", "computed", "unrounded", "explanation"]]


def _label(idx) -> str:
    return idx[0] if isinstance(idx, tuple) else idx


def compare_with_published(ours: pd.DataFrame, published: pd.DataFrame, key: list[str],
                           decimals: dict[str, int], components: dict | None = None,
                           total_rows: tuple[str, ...] = (), measure_col: str | None = None,
                           ) -> pd.DataFrame:
    """Cells where the computed table, rounded as published, differs from the published one.

    Parameters
    ----------
    ours, published : DataFrame
        Same key columns and value columns; ``ours`` unrounded.
    key : list of str
        Columns identifying a row (the published labels).
    decimals : dict
        Column -> decimals the published table uses.
    components : dict, optional
        Column -> list of columns whose rounded published values should add up to it (e.g.
        ``total_wte`` -> the four group columns), used to say why a cell differs.
    total_rows : tuple of str
        Labels (first key column) of total rows: a total that differs is checked against the
        sum of the published rows above it.
    measure_col : str, optional
        Key column separating row blocks (e.g. 'Headcount' and 'WTE') for that check.

    Returns
    -------
    DataFrame with key columns, ``column``, ``published``, ``computed`` (rounded as published),
    ``unrounded`` and ``explanation``: 'rounding: published total is the sum of rounded rows'
    or 'published figure differs from its own components' or 'published total differs from
    the sum of its own rows' or 'differs from the data'.
    """
    pub = published.set_index(key)
    mine = ours.set_index(key).reindex(pub.index)
    out = []
    for col, d in decimals.items():
        got = round_half_up(mine[col].astype(float), d)
        want = pub[col].astype(float)
        diff = (got - want).abs() > 10 ** (-d) / 2
        for idx in diff[diff].index:
            expl = "differs from the data"
            comps = (components or {}).get(col)
            if comps:
                parts = pub.loc[idx, comps].astype(float).sum()
                expl = ("published figure differs from its own components "
                        f"(they sum to {parts:,.{d}f})" if abs(parts - want[idx]) > 1e-9 else expl)
            if expl == "differs from the data" and total_rows and _label(idx) in total_rows:
                same = pub[col].astype(float).drop(index=idx)
                if measure_col is not None:
                    m = pub.index.get_level_values(measure_col)
                    same = pub[col][m == pub.loc[[idx]].index.get_level_values(
                        measure_col)[0]].astype(float).drop(index=idx)
                rows_sum = same.sum()
                if abs(rows_sum - want[idx]) < 10 ** (-d) / 2:
                    expl = "rounding: the published total is the sum of the rounded rows"
                else:
                    expl = ("published total differs from the sum of its own rows "
                            f"({rows_sum:,.{d}f})")
            out.append({**dict(zip(key, idx if isinstance(idx, tuple) else (idx,),
                                   strict=True)),
                        "column": col, "published": want[idx], "computed": got[idx],
                        "unrounded": mine.loc[idx, col], "explanation": expl})
    return pd.DataFrame(out, columns=[*key, "column", "published", "computed", "unrounded",
                                      "explanation"])
