"""Tables from cleaned local returns, in the layout of the LLR GP workforce plan (chapter 4).

Definitions (one function each, tested):

* headcount counts each person once within the grouping (a person in two practices is one head
  in the CCG); WTE adds across posts;
* only staff in post at the end of the period count;
* "GPs" exclude registrars (LLR and HEE/NHSE methodology); locums are included;
* "other clinical" is every direct patient care role (health care assistants included);
* "% of WTE aged 55 and over" divides the WTE of people aged 55 or over (or in a band starting at
  55 or above) by all WTE in the role.

:func:`llr_tables` builds them all for an STP's cleaned returns; their comparison with the
published plan is in :mod:`analysis.validation.returns`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.io.readers import open_on
from analysis.util.periods import month_end
from analysis.util.periods import rows_in_post as in_post
from analysis.util.rounding import round_half_up

if TYPE_CHECKING:
    from analysis.cleaning.pipeline import ReturnsContext

TABLE3_GROUPS = {  # column stem -> staff groups (GP excludes registrars)
    "gp": ["GP"], "nurses": ["Nurses"], "other_clinical": ["Direct Patient Care"],
    "admin_non_clinical": ["Admin/Non-clinical"],
}
TABLE9_ROWS = [  # (staff group label, job role label, canonical roles)
    ("GP", "Senior Partner", ["Senior Partner"]),
    ("GP", "Partner", ["Partner"]),
    ("GP", "Salaried", ["Salaried GP"]),
    ("GP", "Registrar ST3/4", ["Registrar ST3/4"]),
    ("GP", "Registrar F1/2", ["Registrar F1/2"]),
    ("GP", "Locum covering sickness", ["Locum covering sickness/maternity/paternity"]),
    ("GP", "Locum covering vacancies", ["Locum covering vacancy"]),
    ("GP", "Locum - other", ["Locum other"]),
    ("Nurses", "Advanced Nurse Practitioners", ["Advanced Nurse Practitioner"]),
    ("Nurses", "Extended Role Practice Nurses", ["Extended Role Practice Nurse"]),
    ("Nurses", "Nurse Specialist", ["Nurse Specialist"]),
    ("Nurses", "Practice Nurses", ["Practice Nurse"]),
    ("Nurses", "HCA", ["Health Care Assistant"]),
    ("Direct Patient Care - other", "Direct Patient Care - other",
     ["Clinical Pharmacist", "Paramedic Practitioner", "Physiotherapist", "Phlebotomist",
      "Other direct patient care"]),
    ("Admin and Clerical", "Admin and Clerical",
     ["Practice Manager", "Receptionist", "Medical Secretary", "Admin other"]),
]
LLR_CODES = {"03W", "04C", "04V"}
LLR_LABELS = {  # the CCG labels each published LLR table uses
    "table2": {"03W": "ELR CCG", "04V": "WL CCG", "04C": "LC CCG"},
    "table3": {"03W": "EAST LEICESTERSHIRE AND RUTLAND", "04C": "LEICESTER CITY",
               "04V": "WEST LEICESTERSHIRE"},
    "table10": {"03W": "NHS East Leicestershire and Rutland", "04C": "NHS Leicester City",
                "04V": "NHS West Leicestershire"},
}
LOCUM_COLUMNS = {
    "Locum covering sickness/maternity/paternity": "locum_covering_sickness_maternity_paternity",
    "Locum covering vacancy": "locum_covering_vacancy",
    "Locum other": "locum_other",
}


def headcount_wte(staff: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Headcount (people once) and WTE (sum of posts) by the given columns."""
    g = staff.groupby(by, observed=True)
    return pd.DataFrame({"hc": g["staff_id"].nunique(), "wte": g["wte"].sum()})


def table2(reference_open: pd.DataFrame, ccgs: list[tuple[str, str]]) -> pd.DataFrame:
    """Population, practices, average list size and contract types by CCG (LLR Table 2).

    Parameters
    ----------
    reference_open : DataFrame
        Practice reference limited to practices open on the date.
    ccgs : list of (label, code)
    """
    rows = []
    for label, code in ccgs:
        r = reference_open[reference_open["ccg_code"] == code]
        ct = r["contract_type"].value_counts()
        rows.append({"ccg": label, "population": int(r["registered_patients"].sum()),
                     "practices": len(r),
                     "average_list_size": r["registered_patients"].sum() / max(len(r), 1),
                     "gms": int(ct.get("GMS", 0)), "pms": int(ct.get("PMS", 0)),
                     "apms": int(ct.get("APMS", 0))})
    out = pd.DataFrame(rows)
    tot = {"ccg": "Totals", "population": int(out["population"].sum()),
           "practices": int(out["practices"].sum()),
           "average_list_size": out["population"].sum() / max(out["practices"].sum(), 1),
           "gms": int(out["gms"].sum()), "pms": int(out["pms"].sum()),
           "apms": int(out["apms"].sum())}
    return pd.concat([out, pd.DataFrame([tot])], ignore_index=True)


def table3(staff: pd.DataFrame, ccgs: list[tuple[str, str]], period: str,
           total_label: str = "LLR STP Total") -> pd.DataFrame:
    """Headcount and WTE by staff group and CCG (LLR Table 3), registrars excluded."""
    s = in_post(staff, period)
    s = s[~s["is_registrar"]]
    rows = []
    for label, codes in [(lab, [c]) for lab, c in ccgs] + [(total_label, [c for _, c in ccgs])]:
        part = s[s["ccg_code"].isin(codes)]
        row = {"ccg": label}
        for stem, groups in TABLE3_GROUPS.items():
            g = part[part["staff_group"].isin(groups)]
            row[f"{stem}_hc"] = int(g["staff_id"].nunique())
            row[f"{stem}_wte"] = float(g["wte"].sum())
        row["total_hc"] = sum(row[f"{k}_hc"] for k in TABLE3_GROUPS)
        row["total_wte"] = float(part["wte"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def table3_as_published(t3: pd.DataFrame) -> pd.DataFrame:
    """Table 3 with the total row adding the rounded CCG rows, as the LLR plan prints it.

    Headcounts are whole numbers either way; for WTE the plan's total row (542 GP WTE, 2,674 in
    all) is the sum of the rounded rows, while Tables 4 and 8 round the unrounded sum (541).
    The unrounded totals stay in :func:`table3`.
    """
    out = t3.copy()
    wte = [c for c in out.columns if c.endswith("_wte")]
    out.loc[out.index[-1], wte] = round_half_up(out.loc[out.index[:-1], wte], 0).sum().to_numpy()
    return out


def table4(staff: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """GP WTE (registrars excluded) for each period, all practices."""
    s = staff[staff["in_post"] & ~staff["is_registrar"] & (staff["staff_group"] == "GP")]
    wte = s.groupby("period")["wte"].sum().reindex(periods)
    return pd.DataFrame({"period": periods, "gp_wte": wte.to_numpy()})


def table8(t3: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """WTE by staff group per 1,000 registered patients (LLR Table 8).

    Parameters
    ----------
    t3 : DataFrame
        From :func:`table3`.
    population : Series
        Registered patients indexed by the same CCG labels (the total row included).
    """
    out = pd.DataFrame({"ccg": t3["ccg"], "population": t3["ccg"].map(population).to_numpy()})
    for stem in [*TABLE3_GROUPS, "total"]:
        out[stem] = t3[f"{stem}_wte"].to_numpy()
        out[f"{stem}_per_1000"] = out[stem] / out["population"] * 1000
    return out


def table9(staff: pd.DataFrame, period: str) -> pd.DataFrame:
    """Percentage of WTE aged 55 and over by role (LLR Table 9); the total covers every role in
    the table, registrars included."""
    s = in_post(staff, period)
    over = s["age_lower"] >= 55
    rows = []
    for group, label, roles in TABLE9_ROWS:
        m = s["role"].isin(roles)
        w = s.loc[m, "wte"].sum()
        rows.append({"staff_group": group, "job_role": label, "wte": w,
                     "wte_55_plus": s.loc[m & over, "wte"].sum()})
    out = pd.DataFrame(rows)
    total = {"staff_group": "Total", "job_role": "Total", "wte": out["wte"].sum(),
             "wte_55_plus": out["wte_55_plus"].sum()}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["pct_wte_over_55"] = np.where(out["wte"] > 0, out["wte_55_plus"] / out["wte"] * 100,
                                      0.0)
    return out


def table10(staff: pd.DataFrame, ccgs: list[tuple[str, str]], period: str,
            total_label: str = "LLR") -> pd.DataFrame:
    """Locum headcount and WTE by type and CCG (LLR Table 10)."""
    s = in_post(staff, period)
    s = s[s["role"].isin(list(LOCUM_COLUMNS))]
    rows = []
    for label, codes in [(lab, [c]) for lab, c in ccgs] + [(total_label, [c for _, c in ccgs])]:
        part = s[s["ccg_code"].isin(codes)]
        for measure in ("Headcount", "WTE"):
            row = {"ccg": label, "measure": measure}
            for role, col in LOCUM_COLUMNS.items():
                r = part[part["role"] == role]
                row[col] = (r["staff_id"].nunique() if measure == "Headcount"
                            else float(r["wte"].sum()))
            row["total"] = (part["staff_id"].nunique() if measure == "Headcount"
                            else float(part["wte"].sum()))
            rows.append(row)
    return pd.DataFrame(rows)


def llr_tables(ctx: ReturnsContext) -> dict[str, pd.DataFrame]:
    """LLR Tables 2, 3, 4, 8, 9 and 10 from an STP's cleaned returns (unrounded).

    Parameters
    ----------
    ctx : ReturnsContext
        From :func:`analysis.cleaning.pipeline.load_returns` (``ccgs``, ``period``,
        ``periods``, ``staff``, ``reference``).

    Returns
    -------
    dict
        ``table2`` ... ``table10`` -> DataFrame. For LLR itself the rows carry the labels the
        published plan uses (:data:`LLR_LABELS`); other STPs use their CCGs' names.
    """
    codes = [a.code for a in ctx.ccgs]
    end = month_end(ctx.period)
    ref_open = open_on(ctx.reference, end)
    llr = set(codes) == LLR_CODES
    t2_order = ["03W", "04V", "04C"] if llr else codes
    labels2 = LLR_LABELS["table2"] if llr else {a.code: a.short_name for a in ctx.ccgs}
    labels3 = LLR_LABELS["table3"] if llr else {a.code: a.name for a in ctx.ccgs}
    labels10 = LLR_LABELS["table10"] if llr else labels3
    t2 = table2(ref_open, [(labels2[c], c) for c in t2_order])
    t3 = table3(ctx.staff, [(labels3[c], c) for c in codes], ctx.period)
    pop = {labels3[c]: ref_open.loc[ref_open["ccg_code"] == c, "registered_patients"].sum()
           for c in codes}
    pop["LLR STP Total"] = sum(pop.values())
    return {
        "table2": t2, "table3": t3,
        "table4": table4(ctx.staff, ctx.periods),
        "table8": table8(t3, pd.Series(pop)),
        "table9": table9(ctx.staff, ctx.period),
        "table10": table10(ctx.staff, [(labels10[c], c) for c in codes], ctx.period),
    }


def gp_summary_by_ccg(ctx: ReturnsContext) -> pd.DataFrame:
    """The summary columns of the published GP table rebuilt from the returns, one row per CCG
    of the area that sent returns.

    GPs (registrars excluded) in post at the end of ``ctx.period``; headcount counts each
    ``staff_id`` once in its CCG, aged by the oldest age band it was given; practices and
    registered patients from the practices open on the last day of the period.

    Returns
    -------
    DataFrame
        ``area, practices, patients, gp_hc, gp_hc_55_plus, gp_hc_60_plus, gp_fte`` (FTE
        unrounded); empty when no CCG of the area sent returns.
    """
    columns = ["area", "practices", "patients", "gp_hc", "gp_hc_55_plus", "gp_hc_60_plus",
               "gp_fte"]
    ref = open_on(ctx.reference, month_end(ctx.period))
    s = ctx.staff[ctx.staff["in_post"] & (ctx.staff["period"] == ctx.period)
                  & (ctx.staff["staff_group"] == "GP")]
    rows = []
    for a in ctx.ccgs:
        if a.code not in ctx.member_codes:
            continue
        g = s[s["ccg_code"] == a.code]
        age = g.groupby("staff_id")["age_lower"].max()
        r = ref[ref["ccg_code"] == a.code]
        rows.append({"area": a.name, "practices": len(r),
                     "patients": int(r["registered_patients"].sum()),
                     "gp_hc": int(age.size), "gp_hc_55_plus": int((age >= 55).sum()),
                     "gp_hc_60_plus": int((age >= 60).sum()), "gp_fte": float(g["wte"].sum())})
    return pd.DataFrame(rows, columns=columns)


def unknown_role_labels(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Role labels not in the lookup and the raw rows quarantined for each, most rows first.

    Parameters
    ----------
    quarantine : DataFrame
        The quarantined rows of a cleaning run (``reason`` column).

    Returns
    -------
    DataFrame
        ``label, rows``; empty when every role label was known.
    """
    unknown = quarantine[quarantine["reason"].str.startswith("unknown role label", na=False)]
    return (unknown["reason"].str.extract(r"'(.*)'")[0].value_counts()
            .rename_axis("label").rename("rows").reset_index())



AREA_MISMATCH_COLUMNS = ["practice_code", "source_a", "area_a", "source_b", "area_b"]
_FILE_CCG = re.compile(r"^([0-9A-Z]{3})(?=[_\-. ])")


def returns_area_mismatches(audit: pd.DataFrame, reference: pd.DataFrame,
                            stp_members: list[str], ccg_codes: set[str]) -> pd.DataFrame:
    """Practices whose area in the returns differs from their CCG in the practice reference.

    The returns place a practice in an area by where it was sent: a file whose name starts
    with a CCG code (``03W_workforce_2017-10.xlsx``) puts every practice in it in that CCG;
    any other file in the returns folder puts them in the folder's STP. A practice whose
    reference CCG is another CCG (or, for the STP, not one of its CCGs) is listed: its rows are
    counted where the practice reference puts it, never moved silently.

    Parameters
    ----------
    audit : DataFrame
        The cleaning's audit (``source_file, practice_code, outcome``); quarantined rows and
        practices the reference does not know are not compared.
    reference : DataFrame
        Practice reference (``practice_code, ccg_code``).
    stp_members : list of str
        CCG codes of the returns folder's STP.
    ccg_codes : set of str
        Every CCG code a file name may start with (the registry's).

    Returns
    -------
    DataFrame
        :data:`AREA_MISMATCH_COLUMNS`, one row per practice and file, sorted.
    """
    used = audit[audit["outcome"] != "quarantined"][["source_file", "practice_code"]]
    used = used.drop_duplicates()
    ref = reference.drop_duplicates("practice_code").set_index("practice_code")["ccg_code"]
    ref_ccg = used["practice_code"].map(ref)
    file_ccg = used["source_file"].astype(str).map(
        lambda f: (m.group(1) if (m := _FILE_CCG.match(f.rsplit("/", 1)[-1].upper()))
                   and m.group(1) in ccg_codes else None))
    named = file_ccg.notna()
    bad = ref_ccg.notna() & ((named & (file_ccg != ref_ccg))
                             | (~named & ~ref_ccg.isin(list(stp_members))))
    out = pd.DataFrame({
        "practice_code": used["practice_code"],
        "source_a": "returns: " + used["source_file"].astype(str),
        "area_a": file_ccg.where(named, "STP of the returns folder (" + ", ".join(
            stp_members) + ")"),
        "source_b": "practice reference", "area_b": ref_ccg})[bad]
    return out[AREA_MISMATCH_COLUMNS].sort_values(AREA_MISMATCH_COLUMNS[:2], ignore_index=True)


def gpw_area_mismatches(gpw: pd.DataFrame, reference: pd.DataFrame,
                        ccg_codes: list[str]) -> pd.DataFrame:
    """Practices of ``ccg_codes`` whose CCG in a GPW practice file differs from the reference.

    Parameters
    ----------
    gpw : DataFrame
        From :func:`analysis.io.readers.read_gpw_practice_csv` (``PRAC_CODE`` and
        ``SUB_ICB_CODE``, the CCG code in older releases); ``attrs['path']`` names it.
    reference : DataFrame
        Practice reference (``practice_code, ccg_code``).
    ccg_codes : list of str
        The CCGs compared: a practice either source puts in one of them is listed when the two
        disagree.

    Returns
    -------
    DataFrame
        :data:`AREA_MISMATCH_COLUMNS`; empty when the file has no CCG column.
    """
    if "SUB_ICB_CODE" not in gpw or "PRAC_CODE" not in gpw:
        return pd.DataFrame(columns=AREA_MISMATCH_COLUMNS)
    ref = reference.drop_duplicates("practice_code").set_index("practice_code")["ccg_code"]
    g = gpw[["PRAC_CODE", "SUB_ICB_CODE"]].astype("string").dropna().drop_duplicates("PRAC_CODE")
    ref_ccg = g["PRAC_CODE"].map(ref).astype("string")
    codes = list(ccg_codes)
    bad = ref_ccg.notna() & (ref_ccg != g["SUB_ICB_CODE"]).fillna(False) & (
        g["SUB_ICB_CODE"].isin(codes) | ref_ccg.isin(codes))
    name = Path(str(gpw.attrs.get("path", "GPW file"))).name
    out = pd.DataFrame({"practice_code": g["PRAC_CODE"], "source_a": f"GPW: {name}",
                        "area_a": g["SUB_ICB_CODE"], "source_b": "practice reference",
                        "area_b": ref_ccg})[bad]
    return out[AREA_MISMATCH_COLUMNS].sort_values("practice_code", ignore_index=True)
