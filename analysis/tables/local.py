"""Report tables from cleaned local workforce returns: age pyramids, practice groups, turnover.

Every function takes the cleaned frames described in ``analysis/cleaning/rules.py`` (``staff``: one
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

Numbers only: the charts are drawn in :mod:`analysis.report.charts`, and tables that give
headcounts derived from staff-level data go through
:func:`analysis.report.disclosure.small_number_suppression` before they leave the organisation.
The cluster views (Resilience Pilot stocktake, vacancies, eligibility) are in
:mod:`analysis.tables.clusters`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.io.readers import open_on
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




def _branch_map(groups: pd.DataFrame | None) -> pd.Series:
    """Branch-site code -> main-site code, from the groups file's ``branch_of`` column."""
    if groups is None or "branch_of" not in groups:
        return pd.Series(dtype="string")
    main = groups["branch_of"].astype("string").str.strip().str.upper()
    keep = main.notna() & (main != "")
    code = groups["practice_code"].astype("string").str.strip().str.upper()
    return pd.Series(main[keep].to_numpy(), index=code[keep].to_numpy(), dtype="string")


def _list_sizes(reference: pd.DataFrame) -> pd.Series:
    """Practice code -> registered patients (Int64, missing kept)."""
    ref = reference.drop_duplicates("practice_code")
    return pd.Series(ref["registered_patients"].astype("Int64").to_numpy(),
                     index=ref["practice_code"].to_numpy(), dtype="Int64")




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
