"""Workforce tables: the STP summary and the role indicators.

Definitions (one function each, tested against edge-case tables in ``tests/``):

* **practices, patients**: practices open on the snapshot date in the practice reference, and
  the sum of their registered patients;
* **GP headcount** (and aged 55+, 60+): people, each counted once in the area however many
  practices they work in, as NHS Digital counts them. From staff-level records when available;
  otherwise the sum of practice headcounts, which counts a GP in two practices twice (the
  table's ``attrs['headcount_method']`` says which);
* **GP FTE**: sum of practice FTE (FTE adds across practices); practices with no valid data
  ('ND'/'NA') add nothing and are counted in the completeness table;
* **patients per FTE** and **FTE per 1,000 patients** by role: over the practices with valid
  data for that role, patients / FTE and FTE / patients x 1,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.config import Area
from analysis.io.readers import EXRRL_FTE
from analysis.util.rounding import round_half_up  # noqa: F401  (re-exported; its home is util)

SUMMARY_COLUMNS = ["area", "practices", "patients", "gp_hc", "gp_hc_55_plus", "gp_hc_60_plus",
                   "gp_fte"]
ROLE_MEASURES = {
    "gp_excl_registrars_retainers_locums": EXRRL_FTE,
    "nurse_incl_anp": "TOTAL_NURSES_FTE",
    "anp": "TOTAL_N_ADV_NURSE_PRAC_FTE",
    "hca": "TOTAL_DPC_HCA_FTE",
    "pharmacist": "TOTAL_DPC_PHARMA_FTE",
}
ROLE_LABELS = {
    "gp_excl_registrars_retainers_locums": "GP (excl. registrars, retainers and locums)",
    "nurse_incl_anp": "Nurse (incl. ANP)",
    "anp": "ANP",
    "hca": "HCA",
    "pharmacist": "Pharmacist",
}
GP_55_PLUS_BANDS = ["TOTAL_GP_HC_55TO59", "TOTAL_GP_HC_60TO64", "TOTAL_GP_HC_65TO69",
                    "TOTAL_GP_HC_70PLUS"]
METHOD_PEOPLE = "people counted once (staff-level records)"
METHOD_PRACTICE_SUM = "sum of practice headcounts (counts GPs in two practices twice)"


def headcount_from_people(staff: pd.DataFrame, group: str = "GP") -> dict[str, int]:
    """Headcount, and aged 55+ and 60+, counting each person once.

    Parameters
    ----------
    staff : DataFrame
        Staff-level rows (``staff_id, staff_group, age``) already limited to the area.
    group : str
        Staff group to count.

    Returns
    -------
    dict with ``gp_hc``, ``gp_hc_55_plus``, ``gp_hc_60_plus``. A person whose posts disagree
    about age is counted by their highest recorded age.
    """
    s = staff[staff["staff_group"] == group]
    age = s.groupby("staff_id")["age"].max()
    return {"gp_hc": int(age.size), "gp_hc_55_plus": int((age >= 55).sum()),
            "gp_hc_60_plus": int((age >= 60).sum())}


def headcount_from_practices(gpw: pd.DataFrame) -> dict[str, int]:
    """Headcount as the sum of practice headcounts (an upper bound on people)."""
    return {
        "gp_hc": int(gpw["TOTAL_GP_HC"].sum()),
        "gp_hc_55_plus": int(gpw[GP_55_PLUS_BANDS].sum().sum()),
        "gp_hc_60_plus": int(gpw[GP_55_PLUS_BANDS[1:]].sum().sum()),
    }


def _area_row(label: str, codes: Sequence[str], ref_open: pd.DataFrame, gpw: pd.DataFrame,
              staff: pd.DataFrame | None) -> dict:
    ref = ref_open[ref_open["ccg_code"].isin(codes)]
    g = gpw[gpw["SUB_ICB_CODE"].isin(codes)]
    if staff is not None:
        hc = headcount_from_people(staff[staff["practice_code"].isin(g["PRAC_CODE"])])
    else:
        hc = headcount_from_practices(g)
    return {"area": label, "practices": int(len(ref)),
            "patients": int(ref["registered_patients"].sum()), **hc,
            "gp_fte": float(g["TOTAL_GP_FTE"].sum())}


def gp_summary(ref_open: pd.DataFrame, gpw: pd.DataFrame, staff: pd.DataFrame | None,
               ccgs: Sequence[Area], stp: Area) -> pd.DataFrame:
    """The "Number of GPs and practices" table: one row per CCG and an STP total row.

    Parameters
    ----------
    ref_open : DataFrame
        Practice reference limited to practices open on the snapshot date
        (:func:`analysis.io.readers.open_on`).
    gpw : DataFrame
        GPW practice-level release for the snapshot.
    staff : DataFrame or None
        Staff-level records for the snapshot; None to fall back to practice sums.
    ccgs : sequence of Area
        The CCG rows, in order.
    stp : Area
        The total row. Its headcount counts each person once across the whole STP, so it can
        be less than the sum of the CCG rows.

    Returns
    -------
    DataFrame with :data:`SUMMARY_COLUMNS`, unrounded FTE.
    """
    rows = [_area_row(a.name, a.members, ref_open, gpw, staff) for a in ccgs]
    rows.append(_area_row(stp.name, [c for a in ccgs for c in a.members], ref_open, gpw, staff))
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    out.attrs["headcount_method"] = METHOD_PEOPLE if staff is not None else METHOD_PRACTICE_SUM
    return out


def practice_headcount_sum(gpw: pd.DataFrame, codes: Sequence[str]) -> int:
    """Sum of practice GP headcounts in an area (what naive addition would report)."""
    return int(gpw.loc[gpw["SUB_ICB_CODE"].isin(codes), "TOTAL_GP_HC"].sum())


@dataclass
class RoleIndicators:
    """Patients per FTE, FTE per 1,000 patients and the coverage behind them."""

    patients_per_fte: pd.DataFrame
    fte_per_1000: pd.DataFrame
    coverage: pd.DataFrame


def role_indicators(gpw: pd.DataFrame, areas: Sequence[tuple[str, Sequence[str] | None]],
                    ) -> RoleIndicators:
    """Patients per role FTE and role FTE per 1,000 patients.

    Parameters
    ----------
    gpw : DataFrame
        GPW practice-level release.
    areas : sequence of (label, codes)
        Rows of the table; ``codes=None`` means every practice in the file (England).

    Returns
    -------
    RoleIndicators
        Frames indexed by ``area`` with one column per role (:data:`ROLE_MEASURES`), unrounded.
        ``coverage`` gives, per area and role, the practices with valid data and those with
        'ND'/'NA' (left out of both patients and FTE).
    """
    ppf, per1000, cover = [], [], []
    for label, codes in areas:
        g = gpw if codes is None else gpw[gpw["SUB_ICB_CODE"].isin(codes)]
        r_ppf, r_1000 = {"area": label}, {"area": label}
        for key, col in ROLE_MEASURES.items():
            valid = g[col].notna() & g["TOTAL_PATIENTS"].notna()
            patients = float(g.loc[valid, "TOTAL_PATIENTS"].sum())
            fte = float(g.loc[valid, col].sum())
            r_ppf[key] = patients / fte if fte > 0 else np.nan
            r_1000[key] = fte / patients * 1000 if patients > 0 else np.nan
            cover.append({"area": label, "role": key, "practices_valid": int(valid.sum()),
                          "practices_missing": int((~valid).sum()), "patients": patients,
                          "fte": fte})
        ppf.append(r_ppf)
        per1000.append(r_1000)
    return RoleIndicators(pd.DataFrame(ppf).set_index("area"),
                          pd.DataFrame(per1000).set_index("area"), pd.DataFrame(cover))


def source_flags(gpw: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Practices by estimate flag (``*_SOURCE``) for each staff group."""
    g = gpw if codes is None else gpw[gpw["SUB_ICB_CODE"].isin(codes)]
    cols = [c for c in g.columns if c.endswith("_SOURCE")]
    # A blank cell is read as "" (readers keep text as written): count it as "(blank)" too.
    out = (g[cols].melt(var_name="staff_group", value_name="source")
           .replace({"source": {"": pd.NA}}).fillna({"source": "(blank)"})
           .value_counts().rename("practices").reset_index())
    out["staff_group"] = out["staff_group"].str.removesuffix("_SOURCE")
    return out.sort_values(["staff_group", "practices"], ascending=[True, False],
                           ignore_index=True)


def reference_reconciliation(ref: pd.DataFrame, ref_open: pd.DataFrame, gpw: pd.DataFrame,
                             codes: Sequence[str], snapshot) -> pd.DataFrame:
    """How the practice reference and the GPW release line up for an area.

    Counts practices in the reference, open on the snapshot date, closed before it, opened after
    it, and open practices missing from the GPW file (and the reverse).
    """
    day = pd.Timestamp(snapshot)
    r = ref[ref["ccg_code"].isin(codes)]
    o = ref_open[ref_open["ccg_code"].isin(codes)]
    g = gpw[gpw["SUB_ICB_CODE"].isin(codes)]
    rows = [
        ("Practices in the practice reference", len(r)),
        ("Open on the snapshot date (counted)", len(o)),
        ("Closed on or before the snapshot date", int((r["close_date"] <= day).sum())),
        ("Opened after the snapshot date", int((r["open_date"] > day).sum())),
        ("Open practices missing from the workforce release",
         int((~o["practice_code"].isin(g["PRAC_CODE"])).sum())),
        ("Workforce release practices not open in the reference",
         int((~g["PRAC_CODE"].isin(o["practice_code"])).sum())),
        ("Practices with no valid GP data (ND/NA)", int(g["TOTAL_GP_FTE"].isna().sum())),
    ]
    return pd.DataFrame(rows, columns=["check", "practices"])
