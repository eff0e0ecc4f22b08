"""Cluster views from cleaned local workforce returns, for a Resilience Pilot application.

The workforce stocktake (Appendix 3) and vacancies (Appendix 4) of a cluster of practices, in
the form's layout, and the check of a cluster against the pilot's size criteria. Inputs and
definitions (in post, GP, branch sites) are those of :mod:`analysis.tables.local`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io.readers import open_on
from analysis.tables.local import (
    TOTAL_LABEL,
    _branch_map,
    _check_period,
    _gp,
    _in_post,
    _list_sizes,
    _registrar,
)
from analysis.util.errors import ConfigError

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


def _codes(practice_codes: Iterable[str]) -> list[str]:
    """Codes stripped and upper-cased, in the order given (duplicates kept)."""
    if isinstance(practice_codes, str):
        practice_codes = [practice_codes]
    return [str(c).strip().upper() for c in practice_codes if pd.notna(c) and str(c).strip()]


def _names(reference: pd.DataFrame) -> pd.Series:
    """Practice code -> practice name (blank when the reference has no name)."""
    if "practice_name" not in reference:
        return pd.Series(dtype="string")
    ref = reference.drop_duplicates("practice_code")
    return pd.Series(ref["practice_name"].astype("string").to_numpy(),
                     index=ref["practice_code"].to_numpy(), dtype="string")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return one if n == 1 else (many or f"{one}s")


# --------------------------------------------------------------------------------------------
# 1. Cluster stocktake and vacancies (Resilience Pilot Appendices 3 and 4)
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
# 2. Cluster eligibility (Resilience Pilot criteria)
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
