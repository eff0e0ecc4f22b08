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

The cases come from the project's demand model
(:mod:`analysis.models.urgent_care.demand_model`), with the volumes below. Nothing here reads
``../shared``; every value is generated.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import DATA_DEMO, registry, settings
from analysis.io.urgent_care import DAYS, IUCADC_COLUMNS
from analysis.models.urgent_care import profiles as prof
from analysis.models.urgent_care.demand_model import NO_DISPOSITION, hourly_intensity
from analysis.models.urgent_care.demand_model import simulate_cases as _simulate
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


def simulate_cases(volumes: dict[str, float], start=START, end=END, seed: int = 0,
                   targets: dict | None = None) -> pd.DataFrame:
    """:func:`analysis.models.urgent_care.demand_model.simulate_cases` over the demo year."""
    return _simulate(volumes, start, end, seed=seed, targets=targets)


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
    month_w = hourly_intensity(START, END).groupby(lambda ts: ts.replace(day=1, hour=0)).sum()
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
    eng = prof.ENGLAND_CALLS_2024_25
    mid = prof.MIDLANDS_CALLS_2024_25
    demo_a01 = totals["A01"]
    eng_items = _synthetic_items(eng, {"assessed": 0, "ambulance": 0, "ed": 0,
                                       "primary_care": 0, "dental": 0, "self_care": 0,
                                       "booked": 0})

    def solve(target, num, den_total, den_demo):
        return (target * den_total - num) / (den_total - den_demo)

    # Rest of the Midlands: region hits the Midlands shares; England hits its own shares.
    mid_e01 = _synthetic_items(mid, {k: 0 for k in prof.MIX_MEASURES})["E01"]
    mid_shares = {
        "ambulance": solve(prof.PUBLISHED_MIDLANDS_2024_25["ambulance"], totals["E02"], mid_e01,
                           totals["E01"]),
        "ed": solve(prof.PUBLISHED_MIDLANDS_2024_25["ed"], totals["E04"], mid_e01, totals["E01"]),
        "primary_care": solve(prof.PUBLISHED_MIDLANDS_2024_25["primary_care"],
                              sum(totals[i] for i in prof.PRIMARY_CARE_ITEMS), mid_e01,
                              totals["E01"]),
    }
    rest_c01 = _synthetic_items(eng, {k: 0 for k in prof.MIX_MEASURES})["C01"]
    assessed = solve(prof.PUBLISHED_ENGLAND_2024_25["assessed"], totals["D01"], rest_c01,
                     totals["C01"])
    booked = solve(prof.PUBLISHED_ENGLAND_2024_25["booked"], totals["G01"], eng_items["E01"],
                   totals["E01"])
    mid_rest_e01 = mid_e01 - totals["E01"]
    other_e01 = eng_items["E01"] - mid_e01
    ed_other = (prof.PUBLISHED_ENGLAND_2024_25["ed"] * eng_items["E01"]
                - prof.PUBLISHED_MIDLANDS_2024_25["ed"] * mid_e01) / other_e01
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
    for d, day in enumerate(DAYS):
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
    areas = registry(cfg)
    return {a.code: DEMO_CONTRACTS[a.stp] for a in areas.values()
            if a.kind == "ccg" and a.stp in DEMO_CONTRACTS}


def build(out_dir: Path = DATA_DEMO, seed: int | None = None) -> dict[str, Path]:
    """Write the urgent-care demo files; deterministic for a seed. Returns key -> path."""
    seed = settings().report.demo_seed if seed is None else seed
    out_dir = Path(out_dir)
    files = {k: out_dir / v for k, v in FILES.items()}
    cases = simulate_cases(demo_volumes(), seed=seed)
    atomic_write_bytes(files["uc_cases"], _gzip(cases_csv(cases)))
    rows = iucadc_rows(cases, contract_of_area(), seed)
    adc = pd.DataFrame(rows, columns=IUCADC_COLUMNS)
    atomic_write_bytes(files["uc_iucadc"],
                  adc.to_csv(index=False, lineterminator="\n").encode("utf-8-sig"))
    rng = np.random.default_rng(seed + 11)
    atomic_write_bytes(files["uc_ecds"], ecds_text(rng).encode("utf-8"))
    return files
