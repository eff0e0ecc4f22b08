"""Demo local staff-level returns: LLR (three periods) and Wolverhampton (twelve months).

Built after :mod:`analysis.demo.gpw` (it reads the demo practice reference and the Wolverhampton GP
staff records from the same folder) and discovered by :func:`analysis.demo.gpw.chapter_modules`.

The generator first decides the *clean truth* (who works where, at what WTE and age) and then
writes it the way practices type it: role-label variants, sessions or hours, ages or dates of
birth or age bands, stray spaces and case, exact duplicates, a person in two practices, and junk
rows that the cleaning must quarantine. The truth is calibrated so that the cleaned data
reproduce the LLR GP workforce plan (Tables 2, 3, 4, 8 components, 9 and 10) and the Wolverhampton
row of the Black Country table, including the LLR response pattern: of 138 practices, 119 return
in October 2017, 18 are carried forward from March 2017 and one, which never returned, is
estimated from the practice of the nearest list size.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cleaning.rules import HOURS_PER_WTE, SESSIONS_PER_WTE, estimate_from_donor
from analysis.io import readers as readers

FILES = {
    "returns_llr": "returns/llr",
    "returns_wolverhampton": "returns/wolverhampton",
    "practice_groups": "returns/wolverhampton_practice_groups.csv",
}
LLR = ["03W", "04C", "04V"]
PERIOD = "2017-10"
EARLIER = {"2017-03": 565.0, "2015-09": 563.0}  # LLR Table 4: STP GP WTE excl. registrars

# --- LLR October 2017 targets (unrounded values that round to every published cell) --------
# LLR GP workforce plan (document 003), Tables 3, 8, 10; chosen so that Table 8's per-1,000
# figures also round as published (e.g. other clinical 284.10 keeps 0.25 per 1,000).
GROUP_TARGETS = {  # ccg: {group: (headcount, WTE)}; GP excludes registrars
    "03W": {"GP": (255, 175.6), "Nurses": (135, 92.4), "Other": (154, 106.95),
            "Admin": (690, 505.0)},
    "04C": {"GP": (240, 173.6), "Nurses": (112, 75.4), "Other": (124, 77.63),
            "Admin": (621, 480.1)},
    "04V": {"GP": (261, 191.8), "Nurses": (130, 88.4), "Other": (154, 99.52),
            "Admin": (875, 607.0)},
}
LOCUMS = {  # Table 10: ccg -> role -> (headcount, WTE)
    "03W": {"Locum covering sickness/maternity/paternity": (4, 2.28),
            "Locum covering vacancy": (30, 4.38), "Locum other": (14, 3.28)},
    "04C": {"Locum covering sickness/maternity/paternity": (1, 0.44),
            "Locum covering vacancy": (5, 3.44), "Locum other": (30, 21.23)},
    "04V": {"Locum covering sickness/maternity/paternity": (3, 1.64),
            "Locum covering vacancy": (2, 0.0), "Locum other": (8, 2.75)},
}
REGISTRARS = {"03W": (14, 13.2), "04C": (12, 11.4), "04V": (15, 14.1)}  # not published
PCT_55 = {  # Table 9: % of WTE aged 55 and over, by role
    "Senior Partner": 46.1, "Partner": 13.3, "Salaried GP": 9.2, "Registrar ST3/4": 0.0,
    "Registrar F1/2": 0.0, "Locum covering sickness/maternity/paternity": 0.0,
    "Locum covering vacancy": 0.0, "Locum other": 30.3, "Advanced Nurse Practitioner": 31.4,
    "Extended Role Practice Nurse": 46.2, "Nurse Specialist": 26.1, "Practice Nurse": 29.6,
    "Health Care Assistant": 19.5, "Clinical Pharmacist": 26.2, "Paramedic Practitioner": 26.2,
    "Phlebotomist": 26.2, "Physiotherapist": 26.2, "Other direct patient care": 26.2,
    "Practice Manager": 29.4, "Receptionist": 29.4, "Medical Secretary": 29.4,
    "Admin other": 29.4,
}
TOTAL_PCT_55 = 26.0
SPLITS = {  # share of a group's WTE by role, and mean WTE per person
    "Nurses": {"Advanced Nurse Practitioner": (0.15, 0.85), "Extended Role Practice Nurse":
               (0.10, 0.7), "Nurse Specialist": (0.05, 0.7), "Practice Nurse": (0.70, 0.65)},
    "Other": {"Health Care Assistant": (0.60, 0.7), "Clinical Pharmacist": (0.12, 0.8),
              "Paramedic Practitioner": (0.05, 0.9), "Phlebotomist": (0.13, 0.5),
              "Physiotherapist": (0.05, 0.6), "Other direct patient care": (0.05, 0.6)},
    "Admin": {"Practice Manager": (0.10, 0.95), "Receptionist": (0.55, 0.65),
              "Medical Secretary": (0.15, 0.75), "Admin other": (0.20, 0.7)},
}
GROUP_NAME = {"GP": "GP", "Nurses": "Nurses", "Other": "Direct Patient Care",
              "Admin": "Admin/Non-clinical"}
GP_MEAN_WTE = {"Senior Partner": 0.95, "Partner": 0.8, "Salaried GP": 0.6}
SALARIED_SHARE = 0.35
VACANCIES = {"GP": 18.0, "Nurses": 7.5, "Admin/Non-clinical": 11.0}  # LLR October 2017

LABELS = {  # how practices type each role (all in config/returns_lookup.yaml)
    "Senior Partner": ["Senior Partner", "Snr Partner", "GP Senior Partner"],
    "Partner": ["Partner", "GP Partner", "partner GP", "GP - Partner"],
    "Salaried GP": ["Salaried GP", "Salaried", "GP (salaried)"],
    "Retainer": ["GP Retainer", "Retainer"],
    "Registrar ST1/2": ["GP Registrar ST2", "GPST1"],
    "Registrar ST3/4": ["GP Registrar ST3", "Registrar ST4", "GPST3"],
    "Registrar F1/2": ["Foundation Doctor F1/F2", "F2", "Registrar F1"],
    "Locum covering sickness/maternity/paternity": ["Locum covering sickness/maternity/paternity",
                                                    "Locum - sickness/maternity"],
    "Locum covering vacancy": ["Locum covering vacancy", "Locum - vacancy"],
    "Locum other": ["Locum other", "Locum - other", "Locum (other)"],
    "Advanced Nurse Practitioner": ["Advanced Nurse Practitioner", "ANP", "Nurse Practitioner"],
    "Extended Role Practice Nurse": ["Extended Role Practice Nurse", "Extended role nurse"],
    "Nurse Specialist": ["Nurse Specialist", "Specialist Nurse"],
    "Practice Nurse": ["Practice Nurse", "PN", "practice nurse"],
    "Health Care Assistant": ["HCA", "Health Care Assistant", "Healthcare Assistant"],
    "Clinical Pharmacist": ["Clinical Pharmacist", "Pharmacist"],
    "Paramedic Practitioner": ["Paramedic Practitioner", "Paramedic"],
    "Phlebotomist": ["Phlebotomist"],
    "Physiotherapist": ["Physiotherapist", "Physio"],
    "Other direct patient care": ["Other direct patient care", "Dispenser"],
    "Practice Manager": ["Practice Manager", "Business Manager"],
    "Receptionist": ["Receptionist", "Reception"],
    "Medical Secretary": ["Medical Secretary", "Secretary"],
    "Admin other": ["Admin", "Administrator", "Admin other"],
}
GP_DEMO_ROLE = {  # Wolverhampton: job_role labels in the GP staff records -> canonical role
    "Senior Partner": "Senior Partner", "Partner": "Partner", "Salaried GP": "Salaried GP",
    "Salaried GP (employed by other)": "Salaried GP", "GP Registrar ST1": "Registrar ST1/2",
    "GP Registrar ST2": "Registrar ST1/2", "GP Registrar ST3": "Registrar ST3/4",
    "GP Registrar ST4": "Registrar ST3/4", "GP Registrar (other)": "Registrar ST3/4",
    "Foundation Doctor F1/F2": "Registrar F1/2", "GP Retainer": "Retainer",
    "Locum covering vacancy": "Locum covering vacancy",
    "Locum covering sickness/maternity": "Locum covering sickness/maternity/paternity",
    "Locum (other)": "Locum other",
}
STAFF_COLUMNS = ["practice_code", "staff_id", "group", "role", "gender", "age", "wte",
                 "start_date", "leaving_date"]


def _sid(prefix: str, i: int) -> str:
    return prefix + hashlib.sha1(f"{prefix}{i}".encode()).hexdigest()[:8].upper()


def _split_total(rng, total: float, n: int, mean: float) -> np.ndarray:
    """n positive WTEs summing to total, spread around the mean."""
    if n == 0:
        return np.zeros(0)
    if total == 0:
        return np.zeros(n)
    w = np.clip(rng.normal(mean, mean * 0.3, n), 0.15, 1.2)
    return w / w.sum() * total


def _int_split(total: int, weights) -> np.ndarray:
    w = np.asarray(weights, float)
    raw = w / w.sum() * total
    out = np.floor(raw).astype(int)
    out[np.argsort(raw - out)[::-1][: total - out.sum()]] += 1
    return out


# ---------------------------------------------------------------------------------------------
# LLR October 2017 truth
# ---------------------------------------------------------------------------------------------
def _role_plan(senior_share: float) -> pd.DataFrame:
    """Headcount and WTE per (ccg, role) meeting every group and locum target."""
    rows = []
    for ccg in LLR:
        g = GROUP_TARGETS[ccg]
        loc_hc = sum(v[0] for v in LOCUMS[ccg].values())
        loc_wte = sum(v[1] for v in LOCUMS[ccg].values())
        for role, (hc, wte) in LOCUMS[ccg].items():
            rows.append((ccg, "GP", role, hc, wte))
        core_w = g["GP"][1] - loc_wte
        shares = {"Senior Partner": senior_share, "Partner": 1 - SALARIED_SHARE - senior_share,
                  "Salaried GP": SALARIED_SHARE}
        hcs = _int_split(g["GP"][0] - loc_hc, [shares[r] / GP_MEAN_WTE[r] for r in shares])
        for (role, share), hc in zip(shares.items(), hcs, strict=True):
            rows.append((ccg, "GP", role, int(hc), core_w * share))
        reg_hc, reg_w = REGISTRARS[ccg]
        st = round(reg_hc * 0.75)
        rows.append((ccg, "GP", "Registrar ST3/4", st, reg_w * st / reg_hc))
        rows.append((ccg, "GP", "Registrar F1/2", reg_hc - st, reg_w * (reg_hc - st) / reg_hc))
        for grp, roles in SPLITS.items():
            hc_t, w_t = g[grp]
            hcs = _int_split(hc_t, [s / m for s, m in roles.values()])
            for (role, (share, _)), hc in zip(roles.items(), hcs, strict=True):
                rows.append((ccg, GROUP_NAME[grp], role, int(hc), w_t * share))
    return pd.DataFrame(rows, columns=["ccg", "group", "role", "hc", "wte"])


def _senior_share() -> float:
    """Senior partners' share of non-locum GP WTE that makes Table 9's total 26.0%."""
    a, b = _role_plan(0.0), _role_plan(0.1)
    pct = a["role"].map(PCT_55) / 100
    over_a, over_b = (a["wte"] * pct).sum(), (b["wte"] * pct).sum()
    total = a["wte"].sum()
    return 0.1 * (TOTAL_PCT_55 / 100 * total - over_a) / (over_b - over_a)


def _ages(rng, n: int, over55: bool, registrar: bool = False) -> np.ndarray:
    if registrar:
        return rng.integers(26, 36, n)
    if over55:
        return rng.choice(np.arange(55, 71), n, p=np.r_[np.full(5, 0.1), np.full(5, 0.06),
                                                        np.full(6, 0.1 / 3)])
    return rng.integers(21, 55, n)


def llr_truth(rng, ref: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Person-posts for October 2017 (every practice, the estimated one included) and the
    response pattern (carried, estimated practice, donor)."""
    plan = _role_plan(_senior_share())
    pr = ref[ref["ccg_code"].isin(LLR)].sort_values("practice_code")
    lists = pr.set_index("practice_code")["registered_patients"].astype(float)
    by_ccg = {c: list(pr.loc[pr["ccg_code"] == c, "practice_code"]) for c in LLR}
    # the estimated practice (never returns) and its donor: nearest list size in Leicester City
    city = lists[by_ccg["04C"]].sort_values()
    est = city.index[len(city) // 3]
    others = city.drop(est)
    donor = (others - city[est]).abs().sort_values(kind="stable").index[0]
    ratio = float(lists[est] / lists[donor])
    carried = []
    for c in LLR:
        pool = [p for p in by_ccg[c] if p not in (est, donor)]
        carried += list(rng.choice(pool, 6, replace=False))
    normal = {c: [p for p in by_ccg[c] if p != est] for c in LLR}

    people = []
    k = 0
    for cell in plan.itertuples(index=False):
        pct = PCT_55[cell.role] / 100
        if 0 < pct < 1 and cell.hc < 2:
            raise ValueError(f"cell {cell.ccg} {cell.role} needs at least 2 people")
        n55 = 0 if pct == 0 else int(np.clip(round(pct * cell.hc), 1, max(cell.hc - 1, 1)))
        for over, n, w in ((True, n55, cell.wte * pct), (False, cell.hc - n55,
                                                          cell.wte * (1 - pct))):
            if n == 0:
                continue
            prs = normal[cell.ccg]
            p = lists[prs].to_numpy()
            where = list(rng.choice(prs, n, p=p / p.sum()))
            # one adjuster per cell, never in the donor (its rows are copied to the estimate);
            # the donor holds at most (n - 1) // 2 of a cell so its copies can be offset
            not_donor = [x for x in prs if x not in (donor, *carried)]
            if where[0] == donor:
                where[0] = not_donor[int(rng.integers(len(not_donor)))]
            in_donor = [j for j in range(1, n) if where[j] == donor]
            for j in in_donor[(n - 1) // 2:]:
                where[j] = not_donor[int(rng.integers(len(not_donor)))]
            wtes = _split_total(rng, w, n, w / n if n else 0)
            reg = cell.role.startswith("Registrar")
            ages = _ages(rng, n, over, reg)
            for j in range(n):
                people.append({"practice_code": where[j], "staff_id": _sid("L", k),
                               "group": cell.group, "role": cell.role,
                               "gender": "M" if rng.random() < (0.5 if cell.group == "GP"
                                                                else 0.12) else "F",
                               "age": int(ages[j]), "wte": float(wtes[j]),
                               "adjuster": j == 0, "over55": over, "ccg": cell.ccg})
                k += 1
    df = pd.DataFrame(people)
    # a few people work in two practices of the same CCG: the post splits 60/40
    movable = df[(df["role"].isin(["Salaried GP", "Practice Nurse", "Receptionist"]))
                 & ~df["adjuster"] & ~df["practice_code"].isin([donor, *carried])]
    extra = []
    for _, row in movable.sample(8, random_state=int(rng.integers(1 << 31))).iterrows():
        second = [p for p in normal[row["ccg"]] if p not in (donor, row["practice_code"],
                                                               *carried)]
        new = row.copy()
        new["practice_code"] = rng.choice(second)
        new["wte"] = row["wte"] * 0.4
        df.loc[row.name, "wte"] = row["wte"] * 0.6
        extra.append(new)
    df = pd.concat([df, pd.DataFrame(extra)], ignore_index=True)
    # the estimated practice's rows are the donor's, scaled by list size: remove that much
    # from each cell's other people so the cleaned totals still meet the targets
    d = df[df["practice_code"] == donor]
    key = ["ccg", "role", "over55"]
    add = (d.groupby(key)["wte"].sum() * ratio).rename("extra")
    df = df.merge(add, left_on=key, right_index=True, how="left").fillna({"extra": 0.0})
    free = df["practice_code"] != donor
    cell_free = df[free].groupby(key)["wte"].transform("sum")
    factor = (1 - df.loc[free, "extra"] / cell_free.where(cell_free > 0)).fillna(1.0)
    df.loc[free, "wte"] = df.loc[free, "wte"] * factor
    df = df.drop(columns="extra")
    # headcount: the estimate adds the donor's people again; drop as many from other practices
    for (ccg, role, over), n in d.groupby(key).size().items():
        cand = df[(df["ccg"] == ccg) & (df["role"] == role) & (df["over55"] == over)
                  & ~df["adjuster"] & (df["practice_code"] != donor)
                  & ~df["staff_id"].duplicated(keep=False)]
        if len(cand) < n:
            continue  # tiny cell: headcount checked by the tests
        drop = cand.index[:n]
        w = df.loc[drop, "wte"].sum()
        df = df.drop(drop)
        # spread the dropped WTE over the cell's other people outside the donor
        rest = df.index[(df["ccg"] == ccg) & (df["role"] == role) & (df["over55"] == over)
                        & (df["practice_code"] != donor)]
        df.loc[rest, "wte"] *= 1 + w / df.loc[rest, "wte"].sum()
    df["start_date"] = pd.NaT
    df["leaving_date"] = pd.NaT
    info = {"carried": carried, "estimated": est, "donor": donor, "ratio": ratio}
    return df.reset_index(drop=True), info


def _typed(df: pd.DataFrame, exact: pd.Series | None = None) -> pd.DataFrame:
    """Turn WTEs into what practices type: sessions (GPs, to the half session) or hours (to the
    quarter hour). Rows marked ``exact`` (the donor practice, whose rows are copied into an
    estimate) and each cell's adjuster are typed in hours to two decimals; the adjuster also
    takes up the cell's rounding so the cell total holds."""
    df = df.copy()
    precise = df["adjuster"] | (False if exact is None else exact)
    gp = df["group"] == "GP"
    sessions = np.round(df["wte"] * SESSIONS_PER_WTE * 2) / 2
    hours = np.round(df["wte"] * HOURS_PER_WTE * 4) / 4
    df["sessions"] = np.where(gp & ~precise, sessions, np.nan)
    df["hours"] = np.where(gp & ~precise, np.nan, hours)
    df.loc[precise, "hours"] = np.round(df.loc[precise, "wte"] * HOURS_PER_WTE, 2)
    typed = df["sessions"].fillna(0) / SESSIONS_PER_WTE + df["hours"].fillna(0) / HOURS_PER_WTE
    key = ["ccg", "role", "over55"]
    resid = (df["wte"] - typed).groupby([df[k] for k in key]).transform("sum")
    adj = df["adjuster"]
    df.loc[adj, "hours"] = np.round((typed[adj] + resid[adj]) * HOURS_PER_WTE, 2)
    df["wte_typed"] = (df["sessions"].fillna(0) / SESSIONS_PER_WTE
                       + df["hours"].fillna(0) / HOURS_PER_WTE)
    return df


def _dob(rng, age: int, on: date) -> date:
    """A date of birth giving ``age`` on ``on`` and on every date from 1 Apr to 31 Oct of that
    year (birthdays fall from 1 November to 31 March)."""
    day = int(rng.integers(0, 150))
    birthday = date(on.year - age - 1, 11, 1) + timedelta(days=day)
    return birthday


def _rows_for_file(rng, df: pd.DataFrame, period: str, style: dict) -> pd.DataFrame:
    """Raw rows as typed in one CCG's (or practice's) file."""
    end = (pd.Timestamp(period + "-01") + pd.offsets.MonthEnd(0)).date()
    n = len(df)
    out = pd.DataFrame(index=df.index)
    code = df["practice_code"].astype(str)
    messy = rng.random(n) < 0.04
    out["practice_code"] = np.where(messy, " " + code.str.lower() + " ", code)
    out["return_period"] = period
    sid = df["staff_id"].astype(str)
    out["staff_id"] = np.where(rng.random(n) < 0.02, sid + " ", sid)
    labels = [LABELS[r][int(rng.integers(len(LABELS[r])))] for r in df["role"]]
    labels = [lab.upper() if rng.random() < 0.05 else lab for lab in labels]
    if style.get("generic_gp"):
        gp = (df["group"] == "GP").to_numpy()
        out["job_role"] = np.where(gp, "GP", labels)
        out["employment_type"] = np.where(gp, labels, "")
    else:
        out["job_role"] = labels
        out["employment_type"] = ""
    g = df["gender"].to_numpy()
    out["gender"] = np.where(rng.random(n) < 0.3, np.where(g == "F", "Female", "male"), g)
    choice = rng.random(n)
    ages = df["age"].to_numpy()
    out["date_of_birth"] = [(_dob(rng, int(a), end).strftime("%d/%m/%Y") if c < 0.4 else "")
                            for a, c in zip(ages, choice, strict=True)]
    out["age"] = [str(a) if 0.4 <= c < 0.8 else "" for a, c in zip(ages, choice, strict=True)]
    lo = (ages // 5) * 5
    out["age_band"] = [(f"{b}-{b + 4}" if c >= 0.8 else "") for b, c in
                       zip(lo, choice, strict=True)]
    out["sessions_per_week"] = df["sessions"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    out["hours_per_week"] = df["hours"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    out["start_date"] = df["start_date"].map(lambda d: "" if pd.isna(d) else
                                             pd.Timestamp(d).strftime("%d/%m/%Y"))
    out["leaving_date"] = df["leaving_date"].map(lambda d: "" if pd.isna(d) else
                                                 pd.Timestamp(d).strftime("%d/%m/%Y"))
    out["record_type"] = "Staff"
    out["vacancy_wte"] = ""
    out["open_since"] = ""
    return out


def _junk_rows(rng, practice: str, period: str, tag: str) -> pd.DataFrame:
    """Rows the cleaning must quarantine: each a different kind of mistake."""
    base = {"practice_code": practice, "return_period": period, "gender": "F",
            "date_of_birth": "", "age": "40", "age_band": "", "sessions_per_week": "",
            "hours_per_week": "20", "employment_type": "", "start_date": "",
            "leaving_date": "", "record_type": "Staff", "vacancy_wte": "", "open_since": ""}
    rows = [
        {**base, "staff_id": f"X{tag}1", "job_role": "Volunteer"},
        {**base, "staff_id": f"X{tag}2", "job_role": "Receptionist", "age": "16"},
        {**base, "staff_id": f"X{tag}3", "job_role": "Salaried GP", "hours_per_week": "",
         "sessions_per_week": "90"},
        {**base, "staff_id": f"X{tag}4", "job_role": "Practice Nurse",
         "start_date": "01/09/2017", "leaving_date": "01/06/2017"},
        {**base, "staff_id": f"X{tag}5", "job_role": "Receptionist", "practice_code": "Z99999"},
    ]
    return pd.DataFrame(rows)


def _vacancy_rows(rng, practices: list[str], period: str) -> pd.DataFrame:
    rows = []
    for grp, total in VACANCIES.items():
        sizes = []
        left = total
        while left > 0:
            s = min(left, float(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0])))
            sizes.append(s)
            left = round(left - s, 2)
        label = {"GP": "Salaried GP", "Nurses": "Practice Nurse",
                 "Admin/Non-clinical": "Receptionist"}[grp]
        for s in sizes:
            rows.append({"practice_code": str(rng.choice(practices)), "return_period": period,
                         "record_type": "Vacancy", "job_role": label, "vacancy_wte": f"{s:g}",
                         "open_since": (date(2017, 4, 1) + timedelta(days=int(
                             rng.integers(0, 150)))).strftime("%d/%m/%Y")})
    return pd.DataFrame(rows)


LLR_STYLES = {  # how each CCG sends its returns
    "03W": {"layout": "xlsx_per_ccg", "headers": {
        "practice_code": "Practice Code", "return_period": "Return Period",
        "record_type": "Record Type", "staff_id": "Staff ID", "job_role": "Job Role",
        "gender": "Gender", "date_of_birth": "Date of Birth", "age": "Age",
        "age_band": "Age Band", "sessions_per_week": "Sessions per week",
        "hours_per_week": "Hours per week", "employment_type": "Employment Type",
        "start_date": "Start Date", "leaving_date": "Leaving Date",
        "vacancy_wte": "Vacancy WTE", "open_since": "Open Since"}},
    "04C": {"layout": "csv_per_practice", "generic_gp": True, "headers": {
        "practice_code": "PRACTICE_CODE", "record_type": "TYPE", "staff_id": "STAFF_REF",
        "job_role": "ROLE", "gender": "SEX", "date_of_birth": "DOB", "age": "AGE",
        "age_band": "AGE_GROUP", "sessions_per_week": "SESSIONS", "hours_per_week": "HOURS",
        "employment_type": "CONTRACT", "start_date": "DATE_STARTED",
        "leaving_date": "DATE_LEFT", "vacancy_wte": "VACANT_WTE",
        "open_since": "VACANT_SINCE"}},
    "04V": {"layout": "csv_per_ccg", "headers": {
        "practice_code": "ODS code", "return_period": "Period", "record_type": "Row type",
        "staff_id": "Person ID", "job_role": "Job title", "gender": "Gender",
        "date_of_birth": "Birth date", "age": "Age (years)", "age_band": "Age band",
        "sessions_per_week": "No. of sessions", "hours_per_week": "Contracted hours",
        "employment_type": "Employment", "start_date": "Start date",
        "leaving_date": "End date", "vacancy_wte": "Vacancy WTE",
        "open_since": "Vacant since"}},
}
CCG_NAMES = {"03W": "East Leicestershire and Rutland CCG", "04C": "Leicester City CCG",
             "04V": "West Leicestershire CCG"}


def _write(folder: Path, rows: pd.DataFrame, style: dict, stem: str, title: str | None) -> None:
    """Write rows with the style's headers as ``folder/<stem>.csv`` or ``.xlsx``."""
    cols = list(style["headers"])
    frame = rows.reindex(columns=cols).fillna("").rename(columns=style["headers"])
    folder.mkdir(parents=True, exist_ok=True)
    if style["layout"] == "xlsx_per_ccg":
        path = folder / f"{stem}.xlsx"
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            start = 0
            if title:
                pd.DataFrame([[title]]).to_excel(xw, index=False, header=False, startrow=0)
                start = 2
            frame.to_excel(xw, index=False, startrow=start)
        _fix_xlsx_timestamp(path)
    else:
        frame.to_csv(folder / f"{stem}.csv", index=False, lineterminator="\n")


def _fix_xlsx_timestamp(path: Path) -> None:
    """Rewrite the workbook with a fixed creation time so builds are byte-identical."""
    import zipfile

    data = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            text = z.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                text = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*<",
                              rb"<dcterms:\1\2>2017-01-01T00:00:00Z<", text)
            data[info.filename] = text
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in data.items():
            zi = zipfile.ZipInfo(name, date_time=(2017, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, text)


def _write_period(rng, folder: Path, truth: pd.DataFrame, period: str, ref: pd.DataFrame,
                  vacancies: pd.DataFrame | None) -> None:
    """One period's files for the three CCGs, with dirt."""
    ccg_of = ref.set_index("practice_code")["ccg_code"]
    for ccg in LLR:
        style = LLR_STYLES[ccg]
        t = truth[truth["ccg"] == ccg]
        rows = _rows_for_file(rng, t, period, style)
        dup = rows.sample(frac=0.01, random_state=int(rng.integers(1 << 31)))
        rows = pd.concat([rows, _junk_rows(rng, str(t["practice_code"].iloc[0]), period,
                                           f"{ccg}{period}"), dup], ignore_index=True)
        if vacancies is not None:
            mine = vacancies[vacancies["practice_code"].map(ccg_of) == ccg]
            rows = pd.concat([rows, mine], ignore_index=True)
        rows = rows.sample(frac=1.0, random_state=int(rng.integers(1 << 31)))
        target = folder / period
        if style["layout"] == "csv_per_practice":
            for code, part in rows.groupby(rows["practice_code"].str.strip().str.upper()):
                _write(target, part, style, f"{code}_{period}", None)
        else:
            title = f"{CCG_NAMES[ccg]}: general practice workforce return, {period}"
            _write(target, rows, style, f"{ccg}_workforce_{period}",
                   title if style["layout"] == "xlsx_per_ccg" else None)


def _earlier(rng, truth: pd.DataFrame, info: dict, period: str, gp_target: float,
             k0: int) -> pd.DataFrame:
    """An earlier period's returns: some of October's staff not yet joined, some leavers still
    in post, GP WTE scaled to the published STP figure (LLR Table 4)."""
    fixed = truth["practice_code"].isin([*info["carried"], info["donor"]])
    t = truth.copy()
    t = t[t["practice_code"] != info["estimated"]]
    free = ~fixed.loc[t.index] & ~t["adjuster"]
    later = t.index[free & (rng.random(len(t)) < 0.04)]
    t = t.drop(later)
    leavers = t[~t["practice_code"].isin([*info["carried"], info["donor"]])].sample(
        60, random_state=int(rng.integers(1 << 31))).copy()
    leavers["staff_id"] = [_sid(f"P{period}", k0 + i) for i in range(len(leavers))]
    leavers["adjuster"] = False
    t = pd.concat([t, leavers], ignore_index=True)
    gp = (t["group"] == "GP") & ~t["role"].str.startswith("Registrar")
    is_fixed = t["practice_code"].isin([*info["carried"], info["donor"]])
    donor_gp = t.loc[gp & (t["practice_code"] == info["donor"]), "wte"].sum()
    fixed_gp = t.loc[gp & is_fixed, "wte"].sum() + donor_gp * info["ratio"]
    scale = (gp_target - fixed_gp) / t.loc[gp & ~is_fixed, "wte"].sum()
    t.loc[gp & ~is_fixed, "wte"] *= scale
    # earlier periods: one adjuster per CCG and role keeps the typed total on target
    t["adjuster"] = False
    t["over55"] = False
    first = t[gp & ~is_fixed].sort_values("wte", ascending=False).groupby(
        ["ccg", "role"]).head(1).index
    t.loc[first, "adjuster"] = True
    return t


def build_llr(rng, ref: pd.DataFrame, folder: Path) -> dict:
    """LLR returns for September 2015, March 2017 and October 2017."""
    truth, info = llr_truth(rng, ref)
    truth = _typed(truth, exact=truth["practice_code"] == info["donor"])
    truth["wte"] = truth["wte_typed"]
    responders = truth[~truth["practice_code"].isin([*info["carried"], info["estimated"]])]
    vac = _vacancy_rows(rng, sorted(responders["practice_code"].unique()), PERIOD)
    _write_period(rng, folder, responders, PERIOD, ref, vac)
    for i, (period, target) in enumerate(EARLIER.items()):
        t = _earlier(rng, truth, info, period, target, 10000 * (i + 1))
        t = _typed(t, exact=t["practice_code"] == info["donor"])
        t["wte"] = t["wte_typed"]
        # carried practices' March rows are exactly their October truth
        if period == "2017-03":
            keep = truth[truth["practice_code"].isin(info["carried"])]
            t = pd.concat([t[~t["practice_code"].isin(info["carried"])], keep],
                          ignore_index=True)
        _write_period(rng, folder, t, period, ref, None)
    return info


# ---------------------------------------------------------------------------------------------
# Wolverhampton: monthly returns for a year
# ---------------------------------------------------------------------------------------------
MONTHS = [p.strftime("%Y-%m") for p in pd.period_range("2016-07", "2017-06", freq="M")]
GROUPS = [("Primary Care Home", "PCH North", 9), ("Primary Care Home", "PCH South", 8),
          ("Medical Chambers", "Medical Chambers One", 9),
          ("Medical Chambers", "Medical Chambers Two", 9),
          ("Vertically Integrated", "Vertically Integrated (RWT)", 8)]
WOLVES_STYLE = {"layout": "csv_per_ccg", "headers": {
    "practice_code": "Practice Code", "return_period": "Month", "record_type": "Record Type",
    "staff_id": "Staff ID", "job_role": "Role", "gender": "Gender",
    "date_of_birth": "DOB", "age": "Age", "age_band": "Age Band",
    "sessions_per_week": "Sessions", "hours_per_week": "Hours",
    "employment_type": "Employment Type", "start_date": "Start Date",
    "leaving_date": "Leaving Date", "vacancy_wte": "Vacancy WTE", "open_since": "Open Since"}}


def wolverhampton_truth(rng, gp_records: pd.DataFrame, practices: list[str]) -> pd.DataFrame:
    """June 2017 staff (the GP records as they are, plus nurses, DPC and admin), and the year's
    joiners and leavers."""
    gps = gp_records.assign(role=gp_records["job_role"].map(GP_DEMO_ROLE), group="GP")
    gps = gps[["practice_code", "staff_id", "group", "role", "gender", "age", "fte"]].rename(
        columns={"fte": "wte"})
    rows = []
    k = 0
    for grp, roles in SPLITS.items():
        per_1000 = {"Nurses": 0.27, "Other": 0.2, "Admin": 1.4}[grp] * 277
        for role, (share, mean) in roles.items():
            n = max(1, round(per_1000 * share / mean))
            for _ in range(n):
                rows.append({"practice_code": str(rng.choice(practices)),
                             "staff_id": _sid("W", k), "group": GROUP_NAME[grp], "role": role,
                             "gender": "F" if rng.random() < 0.88 else "M",
                             "age": int(rng.integers(20, 66)),
                             "wte": float(np.clip(rng.normal(mean, 0.2), 0.2, 1.0))})
                k += 1
    df = pd.concat([gps, pd.DataFrame(rows)], ignore_index=True)
    df["start_date"], df["leaving_date"] = pd.NaT, pd.NaT
    # joiners: in post in June, started during the year (registrars rotate in August)
    reg = df["role"].str.startswith("Registrar")
    df.loc[reg, "start_date"] = pd.Timestamp("2016-08-03")
    pool = df.index[~reg & df["group"].isin(["GP", "Nurses"])]
    join = rng.choice(pool, 16, replace=False)
    df.loc[join, "start_date"] = [pd.Timestamp(f"{m}-01") + pd.Timedelta(days=int(
        rng.integers(0, 27))) for m in rng.choice(MONTHS[1:], len(join))]
    # leavers: in post earlier, left during the year (registrars of the previous rotation too)
    leave = df.loc[rng.choice(pool, 14, replace=False)].copy()
    leave["staff_id"] = [_sid("WL", i) for i in range(len(leave))]
    leave["start_date"] = pd.NaT
    leave["leaving_date"] = [pd.Timestamp(f"{m}-01") + pd.Timedelta(days=int(
        rng.integers(0, 27))) for m in rng.choice(MONTHS, len(leave))]
    old_reg = df[reg].copy()
    old_reg["staff_id"] = [_sid("WR", i) for i in range(len(old_reg))]
    old_reg["start_date"] = pd.Timestamp("2015-08-05")
    old_reg["leaving_date"] = pd.Timestamp("2016-08-02")
    return pd.concat([df, leave, old_reg], ignore_index=True)


def build_wolverhampton(rng, ref: pd.DataFrame, gp_records: pd.DataFrame, folder: Path,
                        groups_file: Path) -> None:
    """Monthly returns July 2016 to June 2017, and the practice groups file."""
    practices = sorted(ref.loc[(ref["ccg_code"] == "06A") & ref["close_date"].isna(),
                               "practice_code"])
    truth = wolverhampton_truth(rng, gp_records, practices)
    truth["sessions"] = np.nan
    truth["hours"] = np.round(truth["wte"] * HOURS_PER_WTE, 2)
    truth["adjuster"] = False
    missing_month = ("2017-02", practices[5])
    for m in MONTHS:
        start = pd.Timestamp(m + "-01")
        end = start + pd.offsets.MonthEnd(0)
        there = (truth["start_date"].isna() | (truth["start_date"] <= end)) & (
            truth["leaving_date"].isna() | (truth["leaving_date"] >= start))
        t = truth[there].copy()
        t = t[~((m == missing_month[0]) & (t["practice_code"] == missing_month[1]))]
        t["ccg"] = "06A"
        rows = _rows_for_file(rng, t, m, {})
        dup = rows.sample(n=2, random_state=int(rng.integers(1 << 31)))
        rows = pd.concat([rows, dup], ignore_index=True)
        if m == MONTHS[-1]:
            rows = pd.concat([rows, _junk_rows(rng, practices[0], m, "W")], ignore_index=True)
            v = _vacancy_rows(rng, practices, m)
            v = v[v.index % 2 == 0]
            rows = pd.concat([rows, v], ignore_index=True)
        style = dict(WOLVES_STYLE)
        if m == MONTHS[-1]:
            style["layout"] = "xlsx_per_ccg"
        _write(folder / m, rows, style, f"wolverhampton_dashboard_{m}",
               f"Wolverhampton CCG workforce dashboard, {m}" if m == MONTHS[-1] else None)
    # practice groups (one group also lists a branch site, which must not count)
    codes = list(practices)
    order = rng.permutation(len(codes))
    rows, i = [], 0
    for gtype, gname, n in GROUPS:
        for j in order[i:i + n]:
            rows.append((codes[j], gname, gtype, ""))
        i += n
    for j in order[i:]:
        rows.append((codes[j], "Unaligned", "Unaligned", ""))
    rows.append(("M9" + codes[0][2:], "PCH North", "Primary Care Home", rows[0][0]))
    pd.DataFrame(rows, columns=["practice_code", "group_name", "group_type", "branch_of"]
                 ).to_csv(groups_file, index=False, lineterminator="\n")


def build(out_dir: Path, seed: int) -> dict:
    """Write the demo returns into ``out_dir/returns/`` (requires the workforce demo files)."""
    from analysis.demo.gpw import FILES as WF

    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed + 3)
    ref = readers.read_practice_reference(out_dir / WF["practice_reference"])
    files = {k: out_dir / v for k, v in FILES.items()}
    for key in ("returns_llr", "returns_wolverhampton"):
        if files[key].exists():
            import shutil

            shutil.rmtree(files[key])
    build_llr(rng, ref, files["returns_llr"])
    staff = pd.read_csv(out_dir / WF["staff_records"], dtype={"practice_code": str})
    wolves = staff[staff["practice_code"].isin(ref.loc[ref["ccg_code"] == "06A",
                                                       "practice_code"])]
    build_wolverhampton(rng, ref, wolves, files["returns_wolverhampton"],
                        files["practice_groups"])
    return files


__all__ = ["FILES", "build", "estimate_from_donor"]
