"""Report tables from cleaned local workforce returns (the group and cluster views).

Every function takes the cleaned frames described in ``analysis/cleaning.py`` (``staff``: one
row per person per practice post per period; ``vacancies``; the analyst's ``practice_groups``
file; the practice reference from :func:`analysis.io.readers.read_practice_reference`) and returns
a new frame; nothing is changed in place.

Definitions used throughout (tested against edge-case tables in ``tests/test_local_tables.py``):

* **in post**: ``in_post`` is true (in post at the end of the period); leavers' rows are kept by
  cleaning but never counted here;
* **headcount**: people, each ``staff_id`` counted once within the row's grouping, however
  many posts they hold in it. A group-type subtotal or grand total can therefore be less than
  the sum of the rows above it;
* **WTE**: adds across posts and practices;
* **GP**: staff group 'GP' excluding registrars (``is_registrar``, or a role starting
  'Registrar'); locums and retainers are included;
* **practices**: distinct ODS codes; branch sites (``branch_of`` set in the groups file) are
  not practices: their staff count towards the main site, and their own list size (if the
  reference has one) is not added, because a branch's patients are registered with the main
  site.

Tables that give headcounts derived from staff-level data should go through
:func:`small_number_suppression` before they leave the organisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from analysis.io.readers import open_on
from analysis.report.rendering import PALETTE, plt
from analysis.util.errors import ConfigError, InputError
from analysis.util.markers import STAFF_GROUPS
from analysis.util.periods import check_period as _check_period
from analysis.util.periods import month_end as _period_end
from analysis.util.periods import rows_in_post as _in_post

GENDERS = ("F", "M", "U")
AGE_BAND_STARTS = (25, 30, 35, 40, 45, 50, 55, 60, 65, 70)
UNKNOWN_AGE = "Unknown"
GROUP_TYPES = ("Primary Care Home", "Medical Chambers", "Vertically Integrated", "Unaligned")
UNALIGNED = "Unaligned"

GROUP_SUMMARY_COLUMNS = [
    "level", "group_type", "group_name", "practices", "patients", "gp_headcount", "gp_wte",
    "nurse_headcount", "nurse_wte", "staff_headcount", "staff_wte", "gp_wte_per_1000_patients",
]
TURNOVER_COLUMNS = ["period", "staff_group", "headcount", "joiners", "leavers", "turnover_rate"]

# Appendix 3 (Workforce Stocktake) and Appendix 4 (Workforce Vacancies) of the Resilience
# Pilot application, headings as on the form (double spaces tidied).
STOCKTAKE_COLUMNS = [
    "Practice Code", "Practice", "Number of GPs (WTE)",
    "Number of Advanced Nurse Practitioners (WTE)", "Number of Nurses (WTE)",
    "Number of Clinical Pharmacists (WTE)", "Number of Paramedic Practitioners (WTE)",
    "Number of other Clinical Staff (WTE)", "Number of Admin Staff (WTE)",
]
VACANCY_COLUMNS = [
    "Practice Code", "Practice", "Total WTE number of Vacancies", "Number of GP Vacancies (WTE)",
    "Number of Nurses Vacancies (WTE)", "Number of Admin Staff vacancies (WTE)",
    "Number of other Clinical Staff vacancies (WTE)",
]
TOTAL_LABEL = "Total"


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------
def _flag(df: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column with missing values read as False (all False if the column is absent)."""
    if column not in df:
        return pd.Series(False, index=df.index)
    return df[column].astype("boolean").fillna(False).astype(bool)


def _registrar(df: pd.DataFrame) -> pd.Series:
    """Rows for registrars: ``is_registrar`` or a role starting 'Registrar'."""
    by_role = (df["role"].astype("string").str.startswith("Registrar").fillna(False)
               .astype(bool) if "role" in df else False)
    return _flag(df, "is_registrar") | by_role


def _gp(df: pd.DataFrame) -> pd.Series:
    """Rows for GPs excluding registrars."""
    return (df["staff_group"] == "GP").fillna(False).astype(bool) & ~_registrar(df)


def _group_mask(df: pd.DataFrame, staff_group: str) -> pd.Series:
    """Rows in a staff group, with 'GP' meaning GPs excluding registrars."""
    if staff_group not in STAFF_GROUPS:
        raise ConfigError(f"unknown staff group {staff_group!r}; expected one of "
                          f"{', '.join(STAFF_GROUPS)}")
    if staff_group == "GP":
        return _gp(df)
    return (df["staff_group"] == staff_group).fillna(False).astype(bool)


def _codes(practice_codes: Iterable[str]) -> list[str]:
    """Codes stripped and upper-cased, in the order given (duplicates kept)."""
    if isinstance(practice_codes, str):
        practice_codes = [practice_codes]
    return [str(c).strip().upper() for c in practice_codes if pd.notna(c) and str(c).strip()]


def _branch_map(groups: pd.DataFrame | None) -> pd.Series:
    """Branch-site code -> main-site code, from the groups file's ``branch_of`` column."""
    if groups is None or "branch_of" not in groups:
        return pd.Series(dtype="string")
    main = groups["branch_of"].astype("string").str.strip().str.upper()
    keep = main.notna() & (main != "")
    code = groups["practice_code"].astype("string").str.strip().str.upper()
    return pd.Series(main[keep].to_numpy(), index=code[keep].to_numpy(), dtype="string")


def _names(reference: pd.DataFrame) -> pd.Series:
    """Practice code -> practice name (blank when the reference has no name)."""
    if "practice_name" not in reference:
        return pd.Series(dtype="string")
    ref = reference.drop_duplicates("practice_code")
    return pd.Series(ref["practice_name"].astype("string").to_numpy(),
                     index=ref["practice_code"].to_numpy(), dtype="string")


def _list_sizes(reference: pd.DataFrame) -> pd.Series:
    """Practice code -> registered patients (Int64, missing kept)."""
    ref = reference.drop_duplicates("practice_code")
    return pd.Series(ref["registered_patients"].astype("Int64").to_numpy(),
                     index=ref["practice_code"].to_numpy(), dtype="Int64")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return one if n == 1 else (many or f"{one}s")


# --------------------------------------------------------------------------------------------
# 1. Age and gender pyramid
# --------------------------------------------------------------------------------------------
def age_band_labels(bands: Sequence[int] = AGE_BAND_STARTS) -> list[str]:
    """Band labels for the given band starts, youngest first, then 'Unknown'.

    ``(25, 30, ..., 70)`` gives 'Under 25', '25-29', ..., '65-69', '70+', 'Unknown'.
    """
    b = list(bands)
    if not b or b != sorted(set(b)):
        raise ConfigError(f"age bands must be increasing ages, found {bands!r}")
    middle = [f"{lo}-{hi - 1}" for lo, hi in zip(b[:-1], b[1:], strict=True)]
    return [f"Under {b[0]}", *middle, f"{b[-1]}+", UNKNOWN_AGE]


def age_gender_pyramid(staff: pd.DataFrame, staff_group: str | None = None,
                       bands: Sequence[int] = AGE_BAND_STARTS, *,
                       include_registrars: bool = False,
                       period: str | None = None) -> pd.DataFrame:
    """Headcount in post by age band and gender.

    Parameters
    ----------
    staff : DataFrame
        Cleaned staff rows (``period, staff_id, staff_group, role, is_registrar, gender, age,
        age_band, in_post``).
    staff_group : str, optional
        'GP', 'Nurses', 'Direct Patient Care' or 'Admin/Non-clinical'; None for all staff.
        'GP' excludes registrars unless ``include_registrars`` is true.
    bands : sequence of int
        Lower ages of the bands after the first; the default gives 'Under 25', '25-29', ...,
        '65-69', '70+'.
    include_registrars : bool
        Count GP registrars under 'GP'.
    period : str, optional
        'YYYY-MM'. Needed when ``staff`` holds more than one period (counting people across
        months would mix leavers and joiners).

    Returns
    -------
    DataFrame
        Index ``age_band`` (labels from :func:`age_band_labels`, youngest first, 'Unknown'
        last), columns ``F``, ``M``, ``U``; integer headcounts, every band and gender present
        (zero when nobody). Each person is counted once: by their highest recorded age (an
        age in years, else a recorded ``age_band`` matching one of the labels, else
        'Unknown'), and by their gender if their posts agree on it, else 'U'.
    """
    if period is None:
        periods = staff["period"].dropna().unique() if "period" in staff else []
        if len(periods) > 1:
            raise ConfigError(f"staff holds {len(periods)} periods; pass period='YYYY-MM'")
    s = _in_post(staff, period)
    if staff_group is not None:
        mask = _group_mask(s, staff_group)
        if staff_group == "GP" and include_registrars:
            mask = (s["staff_group"] == "GP").fillna(False).astype(bool)
        s = s[mask]
    labels = age_band_labels(bands)
    known = labels[:-1]
    age = pd.to_numeric(s["age"], errors="coerce").astype("Float64")
    edges = [-np.inf, *bands, np.inf]
    by_age = pd.cut(age.to_numpy(dtype=float, na_value=np.nan), edges, right=False,
                    labels=False)
    rank = pd.Series(by_age, index=s.index, dtype="Float64")
    if "age_band" in s:
        by_label = s["age_band"].astype("string").str.strip().map(
            {lab: float(i) for i, lab in enumerate(known)}).astype("Float64")
        rank = rank.fillna(by_label)
    people = pd.DataFrame({"staff_id": s["staff_id"].to_numpy(), "rank": rank.to_numpy()})
    band_of = people.groupby("staff_id")["rank"].max()
    gender = s["gender"].astype("string").str.strip().str.upper()
    fm = pd.DataFrame({"staff_id": s["staff_id"].to_numpy(), "gender": gender.to_numpy()})
    fm = fm[fm["gender"].isin(["F", "M"])].drop_duplicates()
    fm = fm[~fm["staff_id"].duplicated(keep=False)].set_index("staff_id")["gender"]
    codes = band_of.fillna(len(known)).astype("int64").to_numpy()
    person = pd.DataFrame({"band": np.asarray(labels, dtype=object)[codes],
                           "gender": fm.reindex(band_of.index).fillna("U").to_numpy()})
    out = (person.groupby(["band", "gender"]).size().unstack("gender")
           .reindex(index=labels, columns=list(GENDERS)).fillna(0).astype("int64"))
    out.index.name = "age_band"
    out.columns.name = "gender"
    out.attrs.update({"staff_group": staff_group or "All staff", "period": period,
                      "people": int(out.to_numpy().sum())})
    return out


def pyramid_chart(pyramid: pd.DataFrame, title: str):
    """Back-to-back bars of headcount by age band: females on the left, males on the right.

    Parameters
    ----------
    pyramid : DataFrame
        From :func:`age_gender_pyramid` (suppressed cells, NA, are drawn as no bar).
    title : str
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        People whose gender is not recorded ('U') cannot be placed on either side; their
        number is given in a note under the chart.
    """
    num = pyramid.apply(pd.to_numeric, errors="coerce").astype(float)
    females = num.get("F", pd.Series(0.0, index=num.index)).fillna(0.0).to_numpy()
    males = num.get("M", pd.Series(0.0, index=num.index)).fillna(0.0).to_numpy()
    unknown = float(num["U"].fillna(0.0).sum()) if "U" in num else 0.0
    y = np.arange(len(num))
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(num) + 1.8))
    ax.barh(y, -females, color=PALETTE[3], edgecolor="white", label="Female")
    ax.barh(y, males, color=PALETTE[0], edgecolor="white", label="Male")
    ax.set_yticks(y, [str(i) for i in num.index])
    top = max(float(females.max(initial=0)), float(males.max(initial=0)), 1.0)
    ax.set_xlim(-top * 1.1, top * 1.1)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(nbins=8, integer=True, symmetric=True))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("Headcount (people): females left, males right")
    ax.set_ylabel("Age band")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    if unknown:
        fig.text(0.99, 0.01, f"{unknown:,.0f} {_plural(int(unknown), 'person', 'people')} "
                 "with gender not recorded not shown", fontsize=8, ha="right", va="bottom",
                 color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


# --------------------------------------------------------------------------------------------
# 2. Practice group summary
# --------------------------------------------------------------------------------------------
def _membership(groups: pd.DataFrame) -> pd.DataFrame:
    """Main-site practice -> (group_type, group_name), one row per practice.

    A branch row whose main site is not itself listed makes its main site a member of the
    branch's group.
    """
    g = pd.DataFrame({
        "practice_code": groups["practice_code"].astype("string").str.strip().str.upper(),
        "group_type": groups["group_type"].astype("string").str.strip(),
        "group_name": groups["group_name"].astype("string").str.strip(),
    })
    branch = _branch_map(groups)
    is_branch = g["practice_code"].isin(branch.index)
    main = g[~is_branch]
    via = g[is_branch].assign(
        practice_code=g.loc[is_branch, "practice_code"].map(branch).astype("string"))
    via = via[~via["practice_code"].isin(main["practice_code"])]
    out = pd.concat([main, via], ignore_index=True).drop_duplicates()
    clash = out["practice_code"].duplicated(keep=False)
    if clash.any():
        code = out.loc[clash, "practice_code"].iloc[0]
        raise InputError(groups.attrs.get("path", "practice groups"),
                         f"practice {code} is in more than one group; expected one group per "
                         "practice", column="group_name")
    return out


def _people(df: pd.DataFrame, keys: list[str], mask: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Headcount (distinct staff_id) and WTE by ``keys`` over the rows in ``mask``."""
    d = df[mask]
    hc = d.drop_duplicates([*keys, "staff_id"]).groupby(keys).size()
    wte = d.groupby(keys)["wte"].sum()
    return hc, wte


def practice_group_summary(staff: pd.DataFrame, groups: pd.DataFrame, reference: pd.DataFrame,
                           period: str) -> pd.DataFrame:
    """Practices, patients and staff by practice group, group type and overall.

    Parameters
    ----------
    staff : DataFrame
        Cleaned staff rows.
    groups : DataFrame
        Practice groups file (``practice_code, group_name, group_type, branch_of``).
    reference : DataFrame
        Practice reference (``practice_code, registered_patients, open_date, close_date``).
    period : str
        'YYYY-MM'; staff in post at its end.

    Returns
    -------
    DataFrame
        :data:`GROUP_SUMMARY_COLUMNS`, unrounded. ``level`` is 'group' for each group, 'group
        type' for each type's subtotal (``group_name`` 'Subtotal') and 'total' for the last
        row (``group_type`` 'Total', ``group_name`` 'All practices'). Types come in the order
        of :data:`GROUP_TYPES`, then any others alphabetically; groups alphabetically within
        a type. Practices counted are the main sites in the groups file plus every practice
        with staff in post in the period (these, when not in the file, under group type and
        group 'Unaligned'), less listed practices the reference shows not open at the end of
        the period and with nobody in post. Staff at a branch site count towards its main
        site. ``gp_wte_per_1000_patients`` is NaN when there are no patients.
        ``attrs`` lists ``not_open`` (practices left out) and ``no_list_size`` (practices
        counted with no registered patients in the reference, adding none).
    """
    _check_period(period)
    s = _in_post(staff, period)
    members = _membership(groups)
    branch = _branch_map(groups)
    code = s["practice_code"].astype("string").str.strip().str.upper()
    site = code.map(branch).astype("string").fillna(code)
    s = s.assign(site=site.to_numpy())

    practices = pd.Index(members["practice_code"]).union(pd.Index(s["site"].unique()))
    ref_codes = pd.Index(reference["practice_code"])
    open_codes = pd.Index(open_on(reference, _period_end(period))["practice_code"])
    shut = practices.isin(ref_codes) & ~practices.isin(open_codes) & ~practices.isin(s["site"])
    not_open = sorted(practices[shut])
    practices = practices[~shut]

    p = pd.DataFrame({"practice_code": practices}).merge(members, on="practice_code",
                                                         how="left")
    p[["group_type", "group_name"]] = p[["group_type", "group_name"]].fillna(UNALIGNED)
    sizes = _list_sizes(reference).reindex(p["practice_code"])
    p["patients"] = sizes.fillna(0).astype("int64").to_numpy()
    no_list = sorted(p.loc[sizes.isna().to_numpy(), "practice_code"])
    p["_all"] = TOTAL_LABEL
    s = s.merge(p[["practice_code", "group_type", "group_name", "_all"]],
                left_on="site", right_on="practice_code", how="inner", suffixes=("_post", ""))

    levels = {"group": ["group_type", "group_name"], "group type": ["group_type"],
              "total": ["_all"]}
    masks = {"gp": _gp(s), "nurse": (s["staff_group"] == "Nurses").fillna(False).astype(bool),
             "staff": pd.Series(True, index=s.index)}
    frames = []
    for level, keys in levels.items():
        t = p.groupby(keys).agg(practices=("practice_code", "nunique"),
                                patients=("patients", "sum"))
        for name, mask in masks.items():
            hc, wte = _people(s, keys, mask)
            t[f"{name}_headcount"] = hc.reindex(t.index, fill_value=0).astype("int64")
            t[f"{name}_wte"] = wte.reindex(t.index, fill_value=0.0).astype(float)
        t = t.reset_index()
        t["level"] = level
        frames.append(t)
    grp, sub, tot = frames
    sub["group_name"] = "Subtotal"
    tot["group_type"], tot["group_name"] = "Total", "All practices"
    out = pd.concat([grp, sub], ignore_index=True)
    known = [t for t in GROUP_TYPES if t in set(out["group_type"])]
    others = sorted(set(out["group_type"]) - set(GROUP_TYPES))
    order = {t: i for i, t in enumerate(known + others)}
    out = out.assign(_t=out["group_type"].map(order), _s=out["level"].eq("group type"))
    out = out.sort_values(["_t", "_s", "group_name"], ignore_index=True)
    out = pd.concat([out, tot], ignore_index=True)
    pts = out["patients"].astype(float)
    out["gp_wte_per_1000_patients"] = (out["gp_wte"] / pts * 1000).where(pts > 0)
    out = out[GROUP_SUMMARY_COLUMNS]
    out.attrs.update({"period": period, "not_open": not_open, "no_list_size": no_list})
    return out


# --------------------------------------------------------------------------------------------
# 3. Monthly turnover
# --------------------------------------------------------------------------------------------
def monthly_turnover(staff: pd.DataFrame,
                     staff_groups: Sequence[str] = ("GP", "Nurses")) -> pd.DataFrame:
    """Headcount, joiners, leavers and turnover rate by month and staff group.

    Parameters
    ----------
    staff : DataFrame
        Cleaned staff rows over several periods.
    staff_groups : sequence of str
        Staff groups to show ('GP' excludes registrars).

    Returns
    -------
    DataFrame
        :data:`TURNOVER_COLUMNS`, one row per staff group and period (every period in
        ``staff``, sorted), groups in the order given. ``headcount`` is people in post at
        the period end; ``joiners`` people in post now who were not in post in the previous
        period, ``leavers`` the reverse; a person who moves practice within the group is
        neither. ``turnover_rate`` is leavers / mean(previous headcount, headcount), a
        fraction, NA when both headcounts are zero. The first period has NA joiners, leavers
        and rate. The previous period is the previous one in the data: months missing
        between the first and last are listed in ``attrs['missing_periods']``.
    """
    groups = list(dict.fromkeys([staff_groups] if isinstance(staff_groups, str)
                                else staff_groups))
    if not groups:
        raise ConfigError("monthly_turnover needs at least one staff group")
    periods = sorted(staff["period"].dropna().astype(str).unique())
    for p in periods:
        _check_period(p)
    s = _in_post(staff)
    pos = {p: i for i, p in enumerate(periods)}
    present = pd.concat(
        [pd.DataFrame({"staff_group": g, "staff_id": s.loc[m, "staff_id"].to_numpy(),
                       "i": s.loc[m, "period"].map(pos).to_numpy()})
         for g in groups for m in [_group_mask(s, g)]],
        ignore_index=True).drop_duplicates()
    present["i"] = present["i"].astype("int64")
    shifted = present.assign(i=present["i"] + 1)
    shifted = shifted[shifted["i"] < len(periods)]
    keys = ["staff_group", "staff_id", "i"]
    both = present.merge(shifted, on=keys, how="outer", indicator=True)
    joiners = both[(both["_merge"] == "left_only") & (both["i"] > 0)]
    leavers = both[both["_merge"] == "right_only"]

    grid = pd.MultiIndex.from_product([groups, range(len(periods))], names=["staff_group", "i"])
    out = pd.DataFrame(index=grid)
    out["headcount"] = present.groupby(["staff_group", "i"]).size().reindex(grid, fill_value=0)
    out["joiners"] = joiners.groupby(["staff_group", "i"]).size().reindex(grid, fill_value=0)
    out["leavers"] = leavers.groupby(["staff_group", "i"]).size().reindex(grid, fill_value=0)
    out = out.astype("int64").reset_index()
    first = out["i"] == 0
    previous = out.groupby("staff_group")["headcount"].shift(1)
    mean = (previous + out["headcount"]) / 2
    out["turnover_rate"] = (out["leavers"] / mean).where(mean > 0).astype("Float64")
    out[["joiners", "leavers"]] = out[["joiners", "leavers"]].astype("Int64")
    out.loc[first, ["joiners", "leavers", "turnover_rate"]] = pd.NA
    out["period"] = [periods[i] for i in out["i"]]
    out = out[TURNOVER_COLUMNS]
    missing = []
    if periods:
        span = pd.period_range(periods[0], periods[-1], freq="M").strftime("%Y-%m")
        missing = [p for p in span if p not in pos]
    out.attrs["missing_periods"] = missing
    return out


def turnover_chart(turnover: pd.DataFrame, title: str = "Joiners, leavers and turnover by "
                   "month"):
    """Joiners and leavers as bars by month, turnover % as a line on a twin axis.

    Parameters
    ----------
    turnover : DataFrame
        From :func:`monthly_turnover`.
    title : str
        Figure title; each staff group gets its own panel titled with the group.

    Returns
    -------
    matplotlib.figure.Figure
    """
    groups = list(dict.fromkeys(turnover["staff_group"]))
    n = max(len(groups), 1)
    fig, axes = plt.subplots(n, 1, figsize=(9, 3.4 * n), squeeze=False)
    for ax, g in zip(axes[:, 0], groups, strict=False):
        t = turnover[turnover["staff_group"] == g]
        x = np.arange(len(t))
        j = pd.to_numeric(t["joiners"], errors="coerce").astype(float).fillna(0).to_numpy()
        lv = pd.to_numeric(t["leavers"], errors="coerce").astype(float).fillna(0).to_numpy()
        rate = pd.to_numeric(t["turnover_rate"], errors="coerce").astype(float).to_numpy()
        b1 = ax.bar(x - 0.2, j, 0.4, color=PALETTE[2], label="Joiners")
        b2 = ax.bar(x + 0.2, lv, 0.4, color=PALETTE[5], label="Leavers")
        ax.set_xticks(x, list(t["period"]), rotation=45, ha="right", fontsize=8)
        ax.set_xlabel("Month (period end)")
        ax.set_ylabel("People")
        ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))
        label = "GP (excl. registrars)" if g == "GP" else g
        ax.set_title(f"{title}: {label}", loc="left", fontsize=11)
        twin = ax.twinx()
        (line,) = twin.plot(x, rate * 100, color=PALETTE[7], marker="o", linewidth=1.5,
                            label="Turnover (%)")
        twin.set_ylabel("Turnover (% of mean headcount)")
        twin.set_ylim(bottom=0)
        ax.spines[["top"]].set_visible(False)
        twin.spines[["top"]].set_visible(False)
        ax.legend([b1, b2, line], ["Joiners", "Leavers", "Turnover (%)"], frameon=False,
                  fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# 4. Cluster stocktake and vacancies (Resilience Pilot Appendices 3 and 4)
# --------------------------------------------------------------------------------------------
def _practice_table(rows: pd.DataFrame, category: pd.Series, value: str, codes: list[str],
                    columns: list[str], reference: pd.DataFrame) -> pd.DataFrame:
    """Sum of ``value`` by practice and category, one row per code, zeros filled, Total row."""
    d = pd.DataFrame({"practice_code": rows["practice_code"].astype("string").str.strip()
                      .str.upper().to_numpy(),
                      "category": category.to_numpy(),
                      "value": pd.to_numeric(rows[value], errors="coerce").astype(float)
                      .fillna(0.0).to_numpy()})
    d = d[d["category"].notna() & d["practice_code"].isin(codes)]
    wide = (d.groupby(["practice_code", "category"])["value"].sum().unstack("category")
            .reindex(index=codes, columns=columns).astype(float).fillna(0.0))
    body = wide.reset_index(drop=True)
    names = _names(reference).reindex(codes).fillna("")
    body.insert(0, "Practice", names.to_numpy(dtype=object))
    body.insert(0, "Practice Code", codes)
    total = pd.DataFrame([{"Practice Code": TOTAL_LABEL, "Practice": "",
                           **body[columns].sum().to_dict()}])
    return pd.concat([body, total], ignore_index=True)


def cluster_stocktake(staff: pd.DataFrame, reference: pd.DataFrame,
                      practice_codes: Iterable[str], period: str) -> pd.DataFrame:
    """Workforce stocktake in the layout of Appendix 3 of the Resilience Pilot application.

    Parameters
    ----------
    staff : DataFrame
        Cleaned staff rows.
    reference : DataFrame
        Practice reference (``practice_code, practice_name``).
    practice_codes : iterable of str
        The cluster's practices, in the order to show (duplicates shown once).
    period : str
        'YYYY-MM'; staff in post at its end.

    Returns
    -------
    DataFrame
        :data:`STOCKTAKE_COLUMNS`: one row per practice (0 where it has no staff) and a last
        row with 'Total' as practice code, each column the sum of the rows above. WTE,
        unrounded. GPs exclude registrars (their WTE is in ``attrs['registrar_wte']``);
        'Number of Nurses' is nurses other than ANPs; 'other Clinical Staff' is Direct Patient
        Care other than clinical pharmacists and paramedic practitioners, with the WTE of each
        such role in ``attrs['other_clinical_detail']`` (the form asks for it below the
        table). The form's heading says "by head count" but its columns ask for WTE: WTE is
        given.
    """
    codes = list(dict.fromkeys(_codes(practice_codes)))
    s = _in_post(staff, period)
    s = s[s["practice_code"].astype("string").str.strip().str.upper().isin(codes)]
    role = s["role"].astype("string")
    grp = s["staff_group"].astype("string")
    dpc = (grp == "Direct Patient Care").fillna(False)
    anp = (role == "Advanced Nurse Practitioner").fillna(False)
    pharm = dpc & (role == "Clinical Pharmacist").fillna(False)
    para = dpc & (role == "Paramedic Practitioner").fillna(False)
    conditions = [_gp(s), (grp == "Nurses").fillna(False) & anp,
                  (grp == "Nurses").fillna(False) & ~anp, pharm, para, dpc & ~pharm & ~para,
                  (grp == "Admin/Non-clinical").fillna(False)]
    columns = STOCKTAKE_COLUMNS[2:]
    category = pd.Series(np.select([np.asarray(c, dtype=bool) for c in conditions], columns,
                                   default=None), index=s.index)
    out = _practice_table(s, category, "wte", codes, columns, reference)
    other = s[(dpc & ~pharm & ~para).to_numpy(dtype=bool)]
    detail = other.groupby(other["role"].astype("string").fillna("(role not recorded)"))[
        "wte"].sum()
    out.attrs.update({"period": period,
                      "registrar_wte": float(s.loc[_registrar(s), "wte"].sum()),
                      "other_clinical_detail": {str(k): float(v) for k, v in detail.items()}})
    return out


def cluster_vacancies(vacancies: pd.DataFrame, reference: pd.DataFrame,
                      practice_codes: Iterable[str], period: str) -> pd.DataFrame:
    """Vacancies in the layout of Appendix 4 of the Resilience Pilot application.

    Parameters
    ----------
    vacancies : DataFrame
        Cleaned vacancy rows (``period, practice_code, staff_group, role, vacancy_wte``).
    reference : DataFrame
        Practice reference (``practice_code, practice_name``).
    practice_codes : iterable of str
        The cluster's practices, in the order to show (duplicates shown once).
    period : str
        'YYYY-MM'.

    Returns
    -------
    DataFrame
        :data:`VACANCY_COLUMNS`: one row per practice (0 where it reported none) and a
        'Total' row. GP vacancies exclude registrar (training) posts, whose WTE is in
        ``attrs['registrar_vacancy_wte']``; 'other Clinical Staff' is Direct Patient Care,
        with the WTE by role in ``attrs['other_clinical_detail']``. 'Total WTE number of
        Vacancies' is the sum of the four staff-group columns.
    """
    codes = list(dict.fromkeys(_codes(practice_codes)))
    _check_period(period)
    v = vacancies[(vacancies["period"] == period).fillna(False).astype(bool)]
    grp = v["staff_group"].astype("string")
    registrar = v["role"].astype("string").str.startswith("Registrar").fillna(False)
    conditions = [(grp == "GP").fillna(False) & ~registrar, (grp == "Nurses").fillna(False),
                  (grp == "Admin/Non-clinical").fillna(False),
                  (grp == "Direct Patient Care").fillna(False)]
    columns = VACANCY_COLUMNS[3:]
    category = pd.Series(np.select([np.asarray(c, dtype=bool) for c in conditions], columns,
                                   default=None), index=v.index)
    out = _practice_table(v, category, "vacancy_wte", codes, columns, reference)
    out.insert(2, VACANCY_COLUMNS[2], out[columns].sum(axis=1))
    in_cluster = v["practice_code"].astype("string").str.strip().str.upper().isin(codes)
    dpc = v[((grp == "Direct Patient Care").fillna(False) & in_cluster).to_numpy(dtype=bool)]
    detail = dpc.groupby(dpc["role"].astype("string").fillna("(role not recorded)"))[
        "vacancy_wte"].sum()
    out.attrs.update({
        "period": period,
        "registrar_vacancy_wte": float(v.loc[(registrar & in_cluster).to_numpy(dtype=bool),
                                             "vacancy_wte"].sum()),
        "other_clinical_detail": {str(k): float(x) for k, x in detail.items()},
    })
    return out


# --------------------------------------------------------------------------------------------
# 5. Cluster eligibility (Resilience Pilot criteria)
# --------------------------------------------------------------------------------------------
@dataclass
class ClusterEligibility:
    """Whether a cluster meets the Resilience Pilot size criteria, and why.

    Attributes
    ----------
    practices_listed : int
        Codes given (duplicates included).
    practices_counted : int
        Distinct codes counted: in the reference, open on ``on_date`` if given, not branch
        sites.
    counted : list of str
        The codes counted.
    branch_sites : list of str
        Codes that are branch sites in the groups file (not counted).
    unknown_codes : list of str
        Codes not in the practice reference (not counted).
    not_open : list of str
        Codes in the reference but not open on ``on_date`` (not counted).
    duplicates : list of str
        Codes listed more than once (counted once).
    no_list_size : list of str
        Counted codes with no registered patients in the reference (adding none).
    patients : int
        Combined registered list of the practices counted.
    """

    practices_listed: int
    practices_counted: int
    counted: list[str]
    branch_sites: list[str]
    unknown_codes: list[str]
    not_open: list[str]
    duplicates: list[str]
    no_list_size: list[str]
    patients: int
    min_practices: int
    min_patients: int
    on_date: pd.Timestamp | None
    meets_practices: bool
    meets_patients: bool
    eligible: bool
    reason: str = field(default="")


def _listing(kind: str, codes: list[str], kinds: str | None = None) -> str:
    return f"{_plural(len(codes), kind, kinds)} {', '.join(codes)}"


def cluster_eligibility(practice_codes: Iterable[str], reference: pd.DataFrame,
                        groups: pd.DataFrame | None = None, min_practices: int = 5,
                        min_patients: int = 30000, on_date=None) -> ClusterEligibility:
    """Check a cluster against the Resilience Pilot criteria.

    The criteria: a cluster of at least ``min_practices`` GP practices, branch sites not
    counting, with a combined list of at least ``min_patients`` patients.

    Parameters
    ----------
    practice_codes : iterable of str
        Codes as listed on the application (case and spaces ignored).
    reference : DataFrame
        Practice reference (``practice_code, registered_patients, open_date, close_date``).
    groups : DataFrame, optional
        Practice groups file; codes with ``branch_of`` set are branch sites.
    min_practices, min_patients : int
        Thresholds, met when reached ("at least").
    on_date : date-like, optional
        Count only practices open on this date in the reference.

    Returns
    -------
    ClusterEligibility
        With a one-sentence ``reason``, e.g. "Eligible: 6 practices (at least 5) with 41,230
        patients (at least 30,000)."
    """
    listed = _codes(practice_codes)
    distinct = list(dict.fromkeys(listed))
    dup = sorted({c for c in listed if listed.count(c) > 1})
    branches = _branch_map(groups)
    is_branch = [c for c in distinct if c in branches.index]
    rest = [c for c in distinct if c not in branches.index]
    ref_codes = set(reference["practice_code"].astype("string").str.strip().str.upper())
    unknown = [c for c in rest if c not in ref_codes]
    rest = [c for c in rest if c in ref_codes]
    day = None if on_date is None else pd.Timestamp(on_date)
    shut: list[str] = []
    if day is not None:
        open_codes = set(open_on(reference, day)["practice_code"])
        shut = [c for c in rest if c not in open_codes]
        rest = [c for c in rest if c in open_codes]
    sizes = _list_sizes(reference).reindex(rest)
    no_list = [c for c, n in sizes.items() if pd.isna(n)]
    patients = int(sizes.fillna(0).sum())
    n = len(rest)
    meets_p, meets_n = n >= min_practices, patients >= min_patients

    notes = []
    if is_branch:
        notes.append(f"{_listing('branch site', is_branch)} not counted")
    if unknown:
        notes.append(f"{_listing('code', unknown)} not in the practice reference, not counted")
    if shut:
        notes.append(f"{_listing('practice', shut)} not open on {day:%d/%m/%Y}, not counted")
    if dup:
        notes.append(f"{_listing('code', dup)} listed more than once, counted once")
    if no_list:
        notes.append(f"no list size for {', '.join(no_list)}")
    n_text = f"{n} {_plural(n, 'practice')}"
    if meets_p and meets_n:
        head = (f"Eligible: {n_text} (at least {min_practices}) with {patients:,} patients "
                f"(at least {min_patients:,})")
    else:
        fails = []
        if not meets_p:
            fails.append(f"only {n_text} counted (at least {min_practices} needed)")
        if not meets_n:
            fails.append(f"only {patients:,} patients (at least {min_patients:,} needed)")
        head = "Not eligible: " + " and ".join(fails)
    reason = "; ".join([head, *notes]) + "."
    return ClusterEligibility(
        practices_listed=len(listed), practices_counted=n, counted=rest,
        branch_sites=is_branch, unknown_codes=unknown, not_open=shut, duplicates=dup,
        no_list_size=no_list, patients=patients, min_practices=min_practices,
        min_patients=min_patients, on_date=day, meets_practices=meets_p,
        meets_patients=meets_n, eligible=meets_p and meets_n, reason=reason)


def eligibility_table(eligibility: ClusterEligibility | Iterable[str],
                      reference: pd.DataFrame | None = None, **kwargs) -> pd.DataFrame:
    """The eligibility check as a two-column table (Criterion, Result) for display.

    Parameters
    ----------
    eligibility : ClusterEligibility or iterable of str
        A result of :func:`cluster_eligibility`, or practice codes to check (then
        ``reference`` and any keyword arguments are passed to it).

    Returns
    -------
    DataFrame
        Columns ``Criterion`` and ``Result``, all text.
    """
    e = eligibility
    if not isinstance(e, ClusterEligibility):
        if reference is None:
            raise ConfigError("eligibility_table needs the practice reference to check codes")
        e = cluster_eligibility(e, reference, **kwargs)

    def names(codes: list[str]) -> str:
        return ", ".join(codes) if codes else "None"

    rows = [
        ("Practice codes listed", f"{e.practices_listed}"),
        ("Listed more than once (counted once)", names(e.duplicates)),
        ("Branch sites (not counted)", names(e.branch_sites)),
        ("Not in the practice reference (not counted)", names(e.unknown_codes)),
    ]
    if e.on_date is not None:
        rows.append((f"Not open on {e.on_date:%d/%m/%Y} (not counted)", names(e.not_open)))
    yes = {True: "Yes", False: "No"}
    rows += [
        ("Practices counted", f"{e.practices_counted}"),
        (f"At least {e.min_practices} practices", yes[e.meets_practices]),
        ("Combined list size", f"{e.patients:,}"),
        (f"At least {e.min_patients:,} patients", yes[e.meets_patients]),
        ("Eligible", yes[e.eligible]),
        ("Reason", e.reason),
    ]
    return pd.DataFrame(rows, columns=["Criterion", "Result"])


# --------------------------------------------------------------------------------------------
# 6. Small-number suppression
# --------------------------------------------------------------------------------------------
def small_number_suppression(df: pd.DataFrame, columns: Sequence[str], threshold: int = 5,
                             marker: str | None = None) -> pd.DataFrame:
    """Hide small headcounts (1 to ``threshold - 1``) before a table leaves the organisation.

    Zero stays zero. This is primary suppression only: a total printed next to suppressed
    cells can reveal one of them, so compute totals over large enough groups or suppress a
    second cell too.

    Parameters
    ----------
    df : DataFrame
        Table of headcounts.
    columns : sequence of str
        Columns to check; others are left alone.
    threshold : int
        Smallest count shown; 0 (or 1) turns suppression off.
    marker : str, optional
        Text put in suppressed cells (e.g. '*'); by default they become NA, and whole-number
        columns become nullable ``Int64``.

    Returns
    -------
    DataFrame
        A copy. ``attrs['suppressed']`` is the number of cells hidden,
        ``attrs['suppressed_by_column']`` the number per column, ``attrs['suppressed_cells']``
        the (row label, column) pairs, ``attrs['suppression_threshold']`` the threshold.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(f"cannot suppress: no column {missing[0]!r} in the table")
    out = df.copy()
    by_col: dict[str, int] = {}
    cells: list[tuple] = []
    for c in columns:
        values = pd.to_numeric(out[c], errors="coerce")
        hide = ((values > 0) & (values < threshold)).fillna(False).astype(bool)
        by_col[c] = int(hide.sum())
        if not hide.any():
            continue
        cells += [(i, c) for i in out.index[hide.to_numpy()]]
        if marker is not None:
            out[c] = out[c].astype(object).mask(hide, marker)
        elif pd.api.types.is_integer_dtype(out[c]):
            out[c] = out[c].astype("Int64").mask(hide)
        else:
            out[c] = values.astype("Float64").mask(hide)
    out.attrs.update({"suppressed": sum(by_col.values()), "suppressed_by_column": by_col,
                      "suppressed_cells": cells, "suppression_threshold": threshold})
    return out
