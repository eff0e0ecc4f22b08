"""Tiny hand-made tables in the cleaned local-returns schema, shared by the tests of
:mod:`analysis.tables.local`, :mod:`analysis.tables.clusters` and the suppression rule."""

from __future__ import annotations

import pandas as pd

NA = pd.NA
PERIOD = "2017-06"
ROLE_GROUP = {
    **dict.fromkeys(["Senior Partner", "Partner", "Salaried GP", "Retainer", "Registrar ST1/2",
                     "Registrar ST3/4", "Registrar F1/2",
                     "Locum covering sickness/maternity/paternity", "Locum covering vacancy",
                     "Locum other"], "GP"),
    **dict.fromkeys(["Advanced Nurse Practitioner", "Extended Role Practice Nurse",
                     "Nurse Specialist", "Practice Nurse"], "Nurses"),
    **dict.fromkeys(["Health Care Assistant", "Clinical Pharmacist", "Paramedic Practitioner",
                     "Physiotherapist", "Phlebotomist", "Other direct patient care"],
                    "Direct Patient Care"),
    **dict.fromkeys(["Practice Manager", "Receptionist", "Medical Secretary", "Admin other"],
                    "Admin/Non-clinical"),
}


def staff_frame(rows: list[tuple], age_band: list | None = None) -> pd.DataFrame:
    """Staff rows from (period, practice, staff_id, role, wte[, in_post[, age[, gender]]]).

    Defaults: in post, aged 45, female. Staff group, registrar and locum flags follow the role.
    """
    full = [tuple(r) + (True, 45, "F")[len(r) - 5:] for r in rows]
    period, code, sid, role, wte, in_post, age, gender = zip(*full, strict=True)
    role_s = pd.Series(role, dtype="string")
    n = len(full)
    return pd.DataFrame({
        "period": pd.array(period, dtype="string"),
        "practice_code": pd.array(code, dtype="string"),
        "ccg_code": pd.array(["06A"] * n, dtype="string"),
        "staff_id": pd.array(sid, dtype="string"),
        "staff_group": role_s.map(ROLE_GROUP).astype("string"),
        "role": role_s,
        "is_registrar": role_s.str.startswith("Registrar").astype(bool),
        "is_locum": role_s.str.startswith("Locum").astype(bool),
        "gender": pd.array(gender, dtype="string"),
        "age": pd.array([NA if a is None else a for a in age], dtype="Int64"),
        "age_band": pd.array(age_band or [NA] * n, dtype="string"),
        "wte": pd.array(wte, dtype="float64"),
        "start_date": pd.to_datetime([None] * n),
        "leaving_date": pd.to_datetime([None] * n),
        "in_post": pd.array(in_post, dtype="boolean"),
        "source": pd.array(["return"] * n, dtype="string"),
    })


def ref_frame(rows: list[tuple]) -> pd.DataFrame:
    """Practice reference from (code, name, patients[, close_date])."""
    full = [tuple(r) + (None,)[len(r) - 3:] for r in rows]
    code, name, patients, closed = zip(*full, strict=True)
    n = len(full)
    return pd.DataFrame({
        "practice_code": pd.array(code, dtype="string"),
        "practice_name": pd.array(name, dtype="string"),
        "ccg_code": pd.array(["06A"] * n, dtype="string"),
        "registered_patients": pd.array(patients, dtype="Int64"),
        "open_date": pd.to_datetime(["1974-04-01"] * n),
        "close_date": pd.to_datetime(list(closed)),
        "contract_type": pd.array(["GMS"] * n, dtype="string"),
    })


def groups_frame(rows: list[tuple]) -> pd.DataFrame:
    """Practice groups from (code, group_name, group_type[, branch_of])."""
    full = [tuple(r) + (NA,)[len(r) - 3:] for r in rows]
    code, name, gtype, branch = zip(*full, strict=True)
    return pd.DataFrame({"practice_code": pd.array(code, dtype="string"),
                         "group_name": pd.array(name, dtype="string"),
                         "group_type": pd.array(gtype, dtype="string"),
                         "branch_of": pd.array(branch, dtype="string")})


def vacancy_frame(rows: list[tuple]) -> pd.DataFrame:
    """Vacancies from (period, practice, staff_group, role, vacancy_wte)."""
    period, code, group, role, wte = zip(*rows, strict=True)
    return pd.DataFrame({"period": pd.array(period, dtype="string"),
                         "practice_code": pd.array(code, dtype="string"),
                         "ccg_code": pd.array(["06A"] * len(rows), dtype="string"),
                         "staff_group": pd.array(group, dtype="string"),
                         "role": pd.array(role, dtype="string"),
                         "vacancy_wte": pd.array(wte, dtype="float64"),
                         "open_since": pd.to_datetime([None] * len(rows))})
