"""Synthetic urgent-care inputs for the demo (discovered by
:func:`analysis.demo.gpw.chapter_modules`).

``build(out_dir, seed)`` writes, in the real layouts:

* ``uc_cases``: a year (April 2024 to March 2025) of case-level NHS 111 contacts for the Black
  Country and LLR CCGs, gzip-compressed CSV in the format of ``docs/urgent_care_data.md``;
* ``uc_iucadc``: IUC ADC monthly rows, long format with thousands separators, for the two demo
  contract areas (aggregated from the cases) and synthetic comparator contracts in every
  region, so that England and the Midlands reproduce the published 2024-25 shares;
* ``uc_ecds``: an A&E "attendances by time of day" table in NHS England's layout, preamble
  included, with a synthetic England-like shape.

The demand model: calls per hour = annual volume x hour-of-week shape (evening and weekend
peaks; bank holidays run like Sundays) x month (winter surge, Christmas) x day-to-day noise;
case attributes are drawn from tables calibrated so that about 45% of cases are assessed by a
clinician, 19% of final dispositions have an appointment booked, and dispositions match the
Midlands contract area's published mix (ambulance 13.3%, ED 8.5%, primary care 44.3%).
Nothing here reads ``../shared``; every value is generated.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import DATA_DEMO, load_config, registry
from analysis.models.urgent_care import core as uc
from analysis.util.atomic import atomic_write_bytes

FILES = {
    "uc_cases": "iucs_cases_2024-25.csv.gz",
    "uc_iucadc": "iucadc_demo_2024-25.csv",
    "uc_ecds": "ecds_ae_attendances_by_time_of_day_demo_2024-25.csv",
}
START, END = "2024-04-01", "2025-03-31"
CASES_PER_PATIENT = 0.30  # triaged 111 cases per registered patient per year
TRIAGED_OF_CALLS = 0.93  # C01 / A01
# Registered patients (2017 demo snapshot, analysis.demo.gpw.SUMMARY_TARGETS)
PATIENTS = {"05C": 318335, "05L": 563794, "05Y": 283267, "06A": 277006,
            "03W": 329012, "04C": 398053, "04V": 387251}
DEMO_CONTRACTS = {  # STP slug -> IUC ADC contract code and name (synthetic codes)
    "black-country": ("111XBC", "Black Country (demo)"),
    "llr": ("111XLR", "Leicester, Leicestershire and Rutland (demo)"),
}
DEMO_ORG = ("X9U01", "DEMO URGENT CARE PROVIDER (SYNTHETIC)")
REGIONS = {  # code -> name, share of England's calls (synthetic comparators)
    "Y56": ("London", 0.16), "Y58": ("South West", 0.10), "Y59": ("South East", 0.165),
    "Y60": ("Midlands", 0.19), "Y61": ("East of England", 0.115),
    "Y62": ("North West", 0.13), "Y63": ("North East and Yorkshire", 0.14),
}

# ---- the demand model ------------------------------------------------------------------------
WEEKDAY = np.array([3.0, 2.2, 1.7, 1.4, 1.3, 1.4, 1.9, 2.8, 4.0, 4.6, 4.5, 4.3, 4.2, 4.1, 4.2,
                    4.4, 4.9, 5.6, 6.6, 6.9, 6.4, 5.5, 4.6, 3.7])
WEEKEND = np.array([3.5, 2.6, 2.0, 1.7, 1.5, 1.6, 2.2, 3.9, 7.2, 9.6, 10.0, 9.4, 8.6, 8.0, 7.7,
                    7.5, 7.6, 7.7, 8.0, 7.8, 7.0, 6.0, 4.9, 3.9])
DAY_FACTOR = np.array([1.10, 1.0, 0.98, 0.98, 1.02, 1.05, 1.0])
MONTH_FACTOR = {4: 0.97, 5: 0.95, 6: 0.93, 7: 0.96, 8: 0.92, 9: 0.95, 10: 1.0, 11: 1.03,
                12: 1.22, 1: 1.10, 2: 0.98, 3: 1.0}
AGE_P = np.array([0.14, 0.09, 0.38, 0.18, 0.07, 0.07, 0.05, 0.02])  # uc.AGE_BANDS order
DISP = ["ambulance", "ed", "utc", "primary_care", "pharmacy", "dental", "self_care", "other"]
DISP_TARGET = np.array([0.133, 0.085, 0.09, 0.443, 0.065, 0.05, 0.074, 0.06])
NO_DISPOSITION = 0.03
DISP_TILT = np.array([  # rows: age bands; columns: DISP
    [0.5, 1.2, 1.0, 1.1, 0.6, 0.1, 1.4, 0.8],
    [0.5, 1.1, 1.2, 1.0, 0.8, 0.6, 1.4, 0.8],
    [0.7, 1.0, 1.0, 0.9, 1.3, 1.5, 1.1, 1.0],
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 0.9, 1.0],
    [1.4, 1.0, 0.9, 1.1, 0.8, 0.8, 0.7, 1.0],
    [2.3, 1.0, 0.8, 1.1, 0.6, 0.4, 0.5, 1.0],
    [3.0, 0.9, 0.6, 1.1, 0.4, 0.2, 0.3, 1.0],
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
])
ASSESS_BASE = {"ambulance": 0.15, "ed": 0.45, "utc": 0.35, "primary_care": 0.55,
               "pharmacy": 0.25, "dental": 0.35, "self_care": 0.60, "other": 0.40, "none": 0.10}
ASSESSED_TARGET = 0.45
BOOK_BASE = {"ed": 0.25, "utc": 0.5, "primary_care": 0.25, "dental": 0.3}
BOOKED_TARGET = 0.19
CLIN_TYPES = ["gp", "anp", "nurse", "paramedic", "pharmacist", "mental_health"]
CLIN_P = np.array([0.36, 0.15, 0.25, 0.14, 0.06, 0.04])
MINUTES_MEDIAN = {"gp": 12, "anp": 15, "nurse": 16, "paramedic": 16, "pharmacist": 12,
                  "mental_health": 30, "dental_nurse": 9}


def hourly_intensity(start=START, end=END, holidays=uc.BANK_HOLIDAYS, rng=None) -> pd.Series:
    """Relative call intensity for every hour in [start, end] (sums to 1)."""
    hours = pd.date_range(pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(hours=23),
                          freq="h")
    dow = hours.day_of_week.to_numpy()
    hol = hours.normalize().isin(pd.DatetimeIndex(holidays))
    weekendish = (dow >= 5) | hol
    w = np.where(weekendish, WEEKEND[hours.hour], WEEKDAY[hours.hour])
    w = w * np.where(hol, 1.15, DAY_FACTOR[dow])
    w = w * np.array([MONTH_FACTOR[m] for m in hours.month])
    md = hours.month * 100 + hours.day
    w = w * np.where((md >= 1222) | (md <= 102), 1.12, 1.0)  # Christmas and New Year
    w = w * np.where((dow == 4) & (hours.hour >= 17), 1.08, 1.0)  # Friday evening
    if rng is not None:  # day-to-day noise shared by every hour of the day
        days = hours.normalize()
        codes, uniq = pd.factorize(days)
        w = w * rng.lognormal(0, 0.05, len(uniq))[codes]
    return pd.Series(w / w.sum(), index=hours)


def _draw(rng, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to 1)."""
    u = rng.random(len(probs))
    idx = (probs.cumsum(axis=1) < u[:, None]).sum(axis=1)
    return np.minimum(idx, probs.shape[1] - 1)


def _calibrated_disposition(age_p: np.ndarray, target: np.ndarray) -> np.ndarray:
    """P(disposition | age band) whose mix over the age mix equals ``target`` (IPF)."""
    w = target.copy()
    for _ in range(200):
        p = w * DISP_TILT
        p = p / p.sum(axis=1, keepdims=True)
        got = age_p @ p
        w = w * target / got
    p = w * DISP_TILT
    return p / p.sum(axis=1, keepdims=True)


def simulate_cases(volumes: dict[str, float], start=START, end=END, seed: int = 0,
                   targets: dict | None = None) -> pd.DataFrame:
    """Synthetic cases from the demand model, typed as :func:`uc.read_iucs_cases` returns.

    Parameters
    ----------
    volumes : dict
        Area code -> expected triaged cases over the period.
    targets : dict, optional
        Mix measures (as :data:`uc.MIX_MEASURES`) to calibrate to instead of the defaults:
        ``assessed``, ``booked``, ``ambulance``, ``ed``, ``primary_care``, ``dental``,
        ``self_care``.
    """
    rng = np.random.default_rng(seed)
    targets = {k: v for k, v in (targets or {}).items() if v is not None and np.isfinite(v)}
    inten = hourly_intensity(start, end, rng=rng)
    parts = []
    for area, vol in volumes.items():
        n = rng.poisson(inten.to_numpy() * vol)
        parts.append(pd.DataFrame({"hour": np.repeat(inten.index.to_numpy(), n),
                                   "area": area}))
    df = pd.concat(parts, ignore_index=True)
    df["call_start"] = df.pop("hour") + pd.to_timedelta(rng.integers(0, 60, len(df)), "m")
    df = df.sort_values(["call_start", "area"], kind="stable").reset_index(drop=True)
    n = len(df)
    t = pd.DatetimeIndex(df["call_start"])
    hour, dow = t.hour.to_numpy(), t.day_of_week.to_numpy()
    # age: more children in the evening, more older people on weekday daytimes
    tilt = np.ones((n, len(AGE_P)))
    evening = (hour >= 17) & (hour <= 22)
    tilt[evening, :2] = 1.35
    daytime = (dow < 5) & (hour >= 8) & (hour < 17)
    tilt[daytime, 4:7] = 1.3
    night = hour < 7
    tilt[night, 2] = 1.3
    ap = AGE_P * tilt
    age = _draw(rng, ap / ap.sum(axis=1, keepdims=True))
    # disposition, calibrated to the targets' shares of final dispositions
    target = DISP_TARGET.copy()
    fixed = {k: targets[k] for k in ("ambulance", "ed", "primary_care", "dental", "self_care")
             if k in targets}
    if fixed:
        idx = [DISP.index(k) for k in fixed]
        rest = [i for i in range(len(DISP)) if i not in idx]
        target[idx] = list(fixed.values())
        left = max(1 - sum(fixed.values()), 0.01)
        target[rest] = DISP_TARGET[rest] / DISP_TARGET[rest].sum() * left
    age_mix = AGE_P / AGE_P.sum()
    pd_age = _calibrated_disposition(age_mix, target)
    disp_i = _draw(rng, pd_age[age])
    disp = np.asarray(DISP, dtype=object)[disp_i]
    disp[rng.random(n) < NO_DISPOSITION] = "none"
    # clinical assessment, calibrated overall
    shares = pd.Series(disp).value_counts(normalize=True)
    base = np.array([ASSESS_BASE[d] for d in shares.index])
    k = targets.get("assessed", ASSESSED_TARGET) / float(shares.to_numpy() @ base)
    p_assess = np.clip(pd.Series(disp).map(ASSESS_BASE).to_numpy(float) * k, 0, 0.97)
    assessed = rng.random(n) < p_assess
    ctype = np.asarray(CLIN_TYPES, dtype=object)[_draw(rng, np.tile(CLIN_P, (n, 1)))]
    dental = disp == "dental"
    ctype[dental & (rng.random(n) < 0.8)] = "dental_nurse"
    med = pd.Series(ctype).map(MINUTES_MEDIAN).to_numpy(float)
    minutes = np.clip(np.round(med * rng.lognormal(0, 0.5, n)), 2, 120)
    # onward service
    onward = disp.copy()
    onward[disp == "other"] = "other"
    age_band = np.asarray(uc.AGE_BANDS, dtype=object)[age]
    old = np.isin(age_band, list(uc.AGED_75_PLUS))
    young = np.isin(age_band, list(uc.UNDER_16))
    to_ed = disp == "ed"
    onward[to_ed & old & (rng.random(n) < 0.25)] = "frailty"
    onward[to_ed & young & (rng.random(n) < 0.30)] = "paediatrics"
    pc = disp == "primary_care"
    ooh = uc.out_of_hours(pd.Series(t)).to_numpy()
    own = np.where(ooh, rng.random(n) < 0.1, rng.random(n) < 0.85)
    onward[pc] = np.where(own[pc], "own_gp", "gp_ooh")
    # appointments booked, calibrated over final dispositions
    final = disp != "none"
    bbase = pd.Series(disp).map(BOOK_BASE).fillna(0.0).to_numpy(float)
    kb = targets.get("booked", BOOKED_TARGET) / float(bbase[final].mean())
    booked = final & (rng.random(n) < np.clip(bbase * kb, 0, 0.97))
    sex = np.asarray(uc.SEXES, dtype=object)[_draw(rng, np.tile([0.55, 0.44, 0.0, 0.01],
                                                                (n, 1)))]
    out = pd.DataFrame({
        "case_id": pd.array([f"C{i:07d}" for i in range(1, n + 1)], dtype="string"),
        "call_start": df["call_start"].to_numpy(),
        "age_band": pd.Categorical(age_band, categories=uc.AGE_BANDS),
        "sex": pd.array(sex, dtype="string"),
        "area": pd.array(df["area"].to_numpy(), dtype="string"),
        "disposition": pd.Categorical(disp, categories=list(uc.DISPOSITIONS)),
        "clinician_assessed": assessed,
        "clinician_type": pd.array(np.where(assessed, ctype, None), dtype="string"),
        "clinical_minutes": np.where(assessed, minutes, np.nan),
        "onward_service": pd.Categorical(onward, categories=list(uc.ONWARD_SERVICES)),
        "appointment_booked": pd.array(booked, dtype="boolean"),
    })
    out.attrs["modelled"] = True
    return out


def cases_csv(cases: pd.DataFrame) -> str:
    """The cases as CSV text in the extract format (docs/urgent_care_data.md)."""
    assessed = cases["clinician_assessed"].to_numpy()
    frame = pd.DataFrame({
        "case_id": cases["case_id"],
        "call_start": cases["call_start"].dt.strftime("%Y-%m-%d %H:%M"),
        "age_band": cases["age_band"].astype(str), "sex": cases["sex"],
        "area": cases["area"], "disposition": cases["disposition"].astype(str),
        "clinician_assessed": np.where(assessed, "Y", "N"),
        "clinician_type": cases["clinician_type"].fillna(""),
        "clinical_minutes": np.where(assessed, cases["clinical_minutes"].fillna(0)
                                     .astype(int).astype(str), ""),
        "onward_service": cases["onward_service"].astype(str),
        "appointment_booked": np.where(cases["appointment_booked"].fillna(False), "Y", "N"),
    })
    return frame.to_csv(index=False, lineterminator="\n")


def _gzip(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=6, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


# ---- IUC ADC ---------------------------------------------------------------------------------
def _period(ts: pd.Timestamp) -> str:
    return f"IUCADC-MONTHLY-{ts.strftime('%b').upper()}-{ts.year}"


def _fmt(v) -> str:
    return "-" if v is None else f"{int(round(v)):,}"


def _contract_items(month_cases: pd.DataFrame, rng) -> dict:
    c01 = len(month_cases)
    final = month_cases[month_cases["disposition"] != "none"]
    disp = final["disposition"].value_counts()
    pc = int(disp.get("primary_care", 0))
    split = np.floor(pc * np.array([0.45, 0.25, 0.2, 0.1])).astype(int)
    split[0] += pc - split.sum()
    return {"A01": round(c01 / TRIAGED_OF_CALLS * rng.uniform(0.99, 1.01)), "C01": c01,
            "D01": int(month_cases["clinician_assessed"].sum()), "E01": len(final),
            "E02": int(disp.get("ambulance", 0)), "E04": int(disp.get("ed", 0)),
            "E07": split[0], "E08": split[1], "E10": split[2], "E11": split[3],
            "E12": int(disp.get("dental", 0)), "E16": int(disp.get("self_care", 0)),
            "G01": int(final["appointment_booked"].fillna(False).sum())}


def _synthetic_items(a01: float, shares: dict) -> dict:
    c01 = a01 * TRIAGED_OF_CALLS
    e01 = c01 * (1 - NO_DISPOSITION)
    pc = e01 * shares["primary_care"]
    return {"A01": a01, "C01": c01, "D01": c01 * shares["assessed"], "E01": e01,
            "E02": e01 * shares["ambulance"], "E04": e01 * shares["ed"],
            "E07": pc * 0.45, "E08": pc * 0.25, "E10": pc * 0.2, "E11": pc * 0.1,
            "E12": e01 * shares["dental"], "E16": e01 * shares["self_care"],
            "G01": e01 * shares["booked"]}


def iucadc_rows(cases: pd.DataFrame, contract_of_area: dict[str, tuple], seed: int = 0
                ) -> list[dict]:
    """IUC ADC long-format rows: demo contracts from the cases, comparators solved so that
    England and the Midlands region reproduce the published 2024-25 shares."""
    rng = np.random.default_rng(seed + 7)
    months = pd.date_range(START, END, freq="MS")
    month_w = hourly_intensity().groupby(lambda ts: ts.replace(day=1, hour=0)).sum()
    rows = []
    totals = {}  # (region, item) -> annual total of the demo contracts

    def emit(ts, org, code, name, region, items):
        for item, v in items.items():
            rows.append({"REPORTING_PERIOD": _period(ts), "ORG_CODE": org[0],
                         "ORG_NAME": org[1], "CONTRACT_CODE": code, "CONTRACT_NAME": name,
                         "ITEM_NUMBER": item, "VALUE": v, "REGION_CODE": region,
                         "REGION_NAME": REGIONS[region][0]})

    month = cases["call_start"].dt.to_period("M").dt.to_timestamp()
    for code, name in sorted(set(contract_of_area.values())):
        areas = [a for a, c in contract_of_area.items() if c == (code, name)]
        inside = cases["area"].isin(areas)
        sub, sub_month = cases[inside], month[inside]
        for ts in months:
            items = _contract_items(sub[sub_month == ts], rng)
            emit(ts, DEMO_ORG, code, name, "Y60", {k: _fmt(v) for k, v in items.items()})
            for k, v in items.items():
                totals[k] = totals.get(k, 0) + v
    eng = uc.ENGLAND_CALLS_2024_25
    mid = uc.MIDLANDS_CALLS_2024_25
    demo_a01 = totals["A01"]
    eng_items = _synthetic_items(eng, {"assessed": 0, "ambulance": 0, "ed": 0,
                                       "primary_care": 0, "dental": 0, "self_care": 0,
                                       "booked": 0})

    def solve(target, num, den_total, den_demo):
        return (target * den_total - num) / (den_total - den_demo)

    # Rest of the Midlands: region hits the Midlands shares; England hits its own shares.
    mid_e01 = _synthetic_items(mid, {k: 0 for k in uc.MIX_MEASURES})["E01"]
    mid_shares = {
        "ambulance": solve(uc.PUBLISHED_MIDLANDS_2024_25["ambulance"], totals["E02"], mid_e01,
                           totals["E01"]),
        "ed": solve(uc.PUBLISHED_MIDLANDS_2024_25["ed"], totals["E04"], mid_e01, totals["E01"]),
        "primary_care": solve(uc.PUBLISHED_MIDLANDS_2024_25["primary_care"],
                              sum(totals[i] for i in uc.PRIMARY_CARE_ITEMS), mid_e01,
                              totals["E01"]),
    }
    rest_c01 = _synthetic_items(eng, {k: 0 for k in uc.MIX_MEASURES})["C01"]
    assessed = solve(uc.PUBLISHED_ENGLAND_2024_25["assessed"], totals["D01"], rest_c01,
                     totals["C01"])
    booked = solve(uc.PUBLISHED_ENGLAND_2024_25["booked"], totals["G01"], eng_items["E01"],
                   totals["E01"])
    mid_rest_e01 = mid_e01 - totals["E01"]
    other_e01 = eng_items["E01"] - mid_e01
    ed_other = (uc.PUBLISHED_ENGLAND_2024_25["ed"] * eng_items["E01"]
                - uc.PUBLISHED_MIDLANDS_2024_25["ed"] * mid_e01) / other_e01
    common = {"assessed": assessed, "booked": booked, "dental": 0.05, "self_care": 0.075}
    contracts = [("Y60", "111XM1", "Rest of the Midlands (demo comparator)",
                  mid - demo_a01, {**common, **mid_shares})]
    other_share = sum(s for r, (_, s) in REGIONS.items() if r != "Y60")
    for k, (region, (rname, share)) in enumerate(
            (r, v) for r, v in REGIONS.items() if r != "Y60"):
        contracts.append((region, f"111X{k + 2:02d}"[:6], f"{rname} (demo comparator)",
                          (eng - mid) * share / other_share,
                          {**common, "ambulance": 0.12, "ed": ed_other,
                           "primary_care": 0.45}))
    assert mid_rest_e01 > 0 and all(0 < v < 1 for c in contracts for v in c[4].values())
    for i, (region, code, name, annual, shares) in enumerate(contracts):
        org = (f"X9U{i + 2:02d}", f"DEMO COMPARATOR PROVIDER {i + 1} (SYNTHETIC)")
        for ts in months:
            items = _synthetic_items(annual * month_w[ts], shares)
            vals = {k: _fmt(v) for k, v in items.items()}
            if code == "111X03" and ts == months[0]:
                vals["G01"] = "-"  # not reported, as in the real file
            emit(ts, org, code, name, region, vals)
    return rows


# ---- ECDS ------------------------------------------------------------------------------------
ECDS_WEEKDAY = np.array([0.33, 0.2, 0.15, 0.135, 0.13, 0.145, 0.15, 0.27, 0.7, 1.1, 1.2, 1.22,
                         1.15, 1.07, 1.0, 0.98, 1.0, 0.98, 0.9, 0.75, 0.63, 0.5, 0.4, 0.32])
ECDS_WEEKEND = np.array([0.37, 0.24, 0.18, 0.16, 0.15, 0.16, 0.16, 0.29, 0.76, 0.93, 1.05,
                         1.08, 1.03, 0.98, 0.95, 0.92, 0.86, 0.82, 0.74, 0.68, 0.63, 0.53, 0.45,
                         0.37])
ECDS_DAY = np.array([1.15, 1.04, 1.0, 1.0, 0.99, 1.0, 1.0])
ECDS_AMBULANCE = np.array([0.29, 0.41, 0.39, 0.42, 0.46, 0.46, 0.27, 0.17, 0.11, 0.1, 0.11,
                           0.12, 0.13, 0.14, 0.14, 0.15, 0.15, 0.17, 0.14, 0.14, 0.21, 0.24,
                           0.27, 0.32])


def ecds_text(rng, annual: float = 25_000_000) -> str:
    """The A&E attendances-by-time-of-day table in NHS England's layout (synthetic values)."""
    shape = np.array([(ECDS_WEEKEND if d >= 5 else ECDS_WEEKDAY) * ECDS_DAY[d]
                      for d in range(7)])
    per_week = annual / 52.14
    total = np.round(shape / shape.sum() * per_week * 52.14 * rng.uniform(0.98, 1.02, (7, 24)))
    amb = np.round(total * ECDS_AMBULANCE * rng.uniform(0.95, 1.05, (7, 24)))
    blank = "," * 26
    hours = ",".join(f"{h:02d}:00:00" for h in range(24))
    lines = [blank, blank, "Attendances by time of day distribution" + "," * 26,
             '"SYNTHETIC DEMO DATA generated by analysis/demo_urgent_care.py in the layout of '
             "NHS England's table of unplanned A&E attendances by day of the week and hour of "
             "arrival, ambulance arrivals separately. The data shown cover the 2024-25 "
             'financial year.\n"' + "," * 26, blank,
             "Not an NHS England publication." + "," * 26, blank,
             f"Reporting Period,Measure Type,{hours},Total"]
    for d, day in enumerate(uc.DAYS):
        a, t = amb[d].astype(int), total[d].astype(int)
        lines.append(f"{day},Number of A&E attendances where patient arrived by ambulance,"
                     + ",".join(map(str, a)) + f",{a.sum()}")
        lines.append(f"{day},Total," + ",".join(map(str, t)) + f",{t.sum()}")
        lines.append(f"{day},% of total attendances that arrived by ambulance,"
                     + ",".join(f"{x:.4f}" for x in a / t) + f",{a.sum() / t.sum():.2f}")
    return "\n".join(lines) + "\n"


# ---- build -----------------------------------------------------------------------------------
def demo_volumes() -> dict[str, float]:
    """Expected triaged cases per CCG code for the demo year."""
    return {code: pts * CASES_PER_PATIENT for code, pts in PATIENTS.items()}


def contract_of_area(cfg=None) -> dict[str, tuple[str, str]]:
    """CCG code -> demo IUC ADC contract (code, name)."""
    areas = registry(cfg or load_config())
    return {a.code: DEMO_CONTRACTS[a.stp] for a in areas.values()
            if a.kind == "ccg" and a.stp in DEMO_CONTRACTS}


def build(out_dir: Path = DATA_DEMO, seed: int | None = None) -> dict[str, Path]:
    """Write the urgent-care demo files; deterministic for a seed. Returns key -> path."""
    seed = load_config()["report"]["demo_seed"] if seed is None else seed
    out_dir = Path(out_dir)
    files = {k: out_dir / v for k, v in FILES.items()}
    cases = simulate_cases(demo_volumes(), seed=seed)
    atomic_write_bytes(files["uc_cases"], _gzip(cases_csv(cases)))
    rows = iucadc_rows(cases, contract_of_area(), seed)
    adc = pd.DataFrame(rows, columns=uc.IUCADC_COLUMNS)
    atomic_write_bytes(files["uc_iucadc"],
                  adc.to_csv(index=False, lineterminator="\n").encode("utf-8-sig"))
    rng = np.random.default_rng(seed + 11)
    atomic_write_bytes(files["uc_ecds"], ecds_text(rng).encode("utf-8"))
    return files
