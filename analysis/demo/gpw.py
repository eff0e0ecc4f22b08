"""Deterministic demo data in the real public schemas.

``make data`` (``python -m analysis data``) writes, under ``data/raw/demo/``:

* ``nhspaymentsgp-17-18-prac-csv.csv``: NHS Payments to General Practice, practice level
  (latin-1), the practice reference;
* ``gpw_practice_level_detailed_2017-06.csv``: GPW practice-level detailed CSV, current column set
  (SUB_ICB_*/ICB_*; historic releases were re-issued in this form after July 2022);
* ``gpw_practice_level_2016-09.csv``: an older-format release (CCG_*/STP_*, TOTAL_GP_EXRRL_*);
* ``gp_staff_records_2017-06.csv``: one row per person per practice post, pseudonymous.

The generator models people, not totals: each GP has an age, gender, role and one or two practice
posts; practice headcount counts people in the practice, FTE adds. It is calibrated so that the
cleaned aggregates reproduce the published Black Country tables (``CALIBRATION`` below, copied
from the Wolverhampton CCG workforce strategy, document 002) while every other number is drawn
from seeded random distributions. Nothing here reads ``../shared``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import DATA_DEMO, registry, settings
from analysis.io import gpw_fields as gpw_fields
from analysis.util.atomic import exclusive_lock

# -------------------------------------------------------------------------------------------
# Calibration targets. Source: Wolverhampton CCG primary care workforce strategy (2018),
# "Number of GPs and practices across Black Country STP" and "Patients per role FTE" (NHS Digital
# practice level indicators). FTE targets are unrounded values that round to every published
# cell, the STP total included (rows sum to 681.5 when rounded, the published total is 681.6).
# -------------------------------------------------------------------------------------------
SUMMARY_TARGETS = {
    # code: practices, patients, gp_hc, hc_55_plus, hc_60_plus, gp_fte (unrounded)
    "05C": (45, 318335, 192, 45, 18, 155.44),
    "05L": (88, 563794, 339, 91, 68, 245.54),
    "05Y": (59, 283267, 194, 49, 33, 147.34),
    "06A": (44, 277006, 157, 31, 17, 133.29),
    # LLR: practices and list sizes from the LLR GP workforce plan Table 2; GP headcount and
    # FTE are plausible values near Table 3 plus registrars (not a back-test target here).
    "03W": (31, 329012, 272, 68, 30, 189.6),
    "04C": (59, 398053, 256, 70, 38, 186.9),
    "04V": (48, 387251, 279, 66, 29, 205.3),
}

INDICATOR_ROLES = ["gp_exrrl", "nurses", "anp", "hca", "pharmacist"]
INDICATOR_TARGETS = {
    # patients per FTE: GP excl. registrars, retainers and locums; nurse incl. ANP; ANP; HCA;
    # pharmacist
    "ENG": (2074, 3753, 20578, 8904, 111248),
    "05C": (1984, 3659, 23039, 7286, 504915),
    "05L": (2282, 3884, 20128, 7887, 85409),
    "05Y": (2099, 3271, 16541, 5907, 118313),
    "06A": (2143, 3680, 13619, 7758, 142489),
}
# Patients at the indicator date (September 2016), before the summary snapshot.
INDICATOR_PATIENT_FACTOR = 0.975

COMPARATOR_CCGS = [  # synthetic CCGs standing in for the rest of England
    ("X01", "NHS Demo Comparator North CCG", "Y62", "North of England"),
    ("X02", "NHS Demo Comparator South CCG", "Y59", "South East"),
    ("X03", "NHS Demo Comparator London CCG", "Y56", "London"),
    ("X04", "NHS Demo Comparator East CCG", "Y61", "East of England"),
    ("X05", "NHS Demo Comparator West CCG", "Y58", "South West"),
]

GP_ROLES = ["SEN_PTNR", "PTNR_PROV", "SAL_BY_PRAC", "SAL_BY_OTH", "TRN_GR_ST1", "TRN_GR_ST2",
            "TRN_GR_ST3", "TRN_GR_ST4", "TRN_GR_OTH", "TRN_GR_F1_2", "RET", "LOCUM_VAC",
            "LOCUM_ABS", "LOCUM_OTH"]
GP_TRAINING = {r for r in GP_ROLES if r.startswith("TRN_GR")}
GP_LOCUM = {r for r in GP_ROLES if r.startswith("LOCUM")}
GP_SUBSETS = {
    "GP": set(GP_ROLES),
    "GP_EXTG": set(GP_ROLES) - GP_TRAINING,
    "GP_EXL": set(GP_ROLES) - GP_LOCUM,
    "GP_EXTGL": set(GP_ROLES) - GP_TRAINING - GP_LOCUM,
    "GP_EXRRL": set(GP_ROLES) - GP_TRAINING - GP_LOCUM - {"RET"},
}
JOB_ROLE_LABEL = {
    "SEN_PTNR": "Senior Partner", "PTNR_PROV": "Partner", "SAL_BY_PRAC": "Salaried GP",
    "SAL_BY_OTH": "Salaried GP (employed by other)", "TRN_GR_ST1": "GP Registrar ST1",
    "TRN_GR_ST2": "GP Registrar ST2", "TRN_GR_ST3": "GP Registrar ST3",
    "TRN_GR_ST4": "GP Registrar ST4", "TRN_GR_OTH": "GP Registrar (other)",
    "TRN_GR_F1_2": "Foundation Doctor F1/F2", "RET": "GP Retainer",
    "LOCUM_VAC": "Locum covering vacancy", "LOCUM_ABS": "Locum covering sickness/maternity",
    "LOCUM_OTH": "Locum (other)",
}
COQ = ["UK", "EEA", "EUROPE_OTHER", "AFRICA", "ASIA_OTHER", "ASIA_SOUTH", "AUS_PAC",
       "CEN_AMERICA", "NORTH_AMERICA", "SOUTH_AMERICA", "MIDDLE_EAST", "UNKNOWN"]
COQ_P = [0.71, 0.07, 0.005, 0.04, 0.02, 0.12, 0.005, 0.002, 0.003, 0.002, 0.008, 0.015]
PATIENT_BANDS = ["0TO4", "5TO14", "15TO44", "45TO64", "65TO74", "75TO84", "85PLUS"]
PATIENT_BAND_P = [0.058, 0.12, 0.40, 0.25, 0.095, 0.057, 0.02]
# Other staff: role -> (group, mean FTE per person, FTE per 1,000 patients)
OTHER_ROLES = {
    "N_PRAC_NURSE": ("NURSES", 0.62, 0.20),
    "N_ADV_NURSE_PRAC": ("NURSES", 0.80, 0.05),
    "N_NURSE_SPEC": ("NURSES", 0.60, 0.01),
    "DPC_HCA": ("DPC", 0.65, 0.11),
    "DPC_PHARMA": ("DPC", 0.70, 0.01),
    "DPC_PHLEB": ("DPC", 0.50, 0.02),
    "DPC_PHYSIO": ("DPC", 0.40, 0.005),
    "ADMIN_MANAGER": ("ADMIN", 0.95, 0.12),
    "ADMIN_RECEPT": ("ADMIN", 0.62, 0.55),
    "ADMIN_MED_SECRETARY": ("ADMIN", 0.70, 0.12),
    "ADMIN_OTH": ("ADMIN", 0.60, 0.20),
}
INDICATOR_ROLE_SPLIT = {  # which roles carry each indicator target
    "anp": ["N_ADV_NURSE_PRAC"], "nurses_other": ["N_PRAC_NURSE", "N_NURSE_SPEC"],
    "hca": ["DPC_HCA"], "pharmacist": ["DPC_PHARMA"],
}

FILES = {
    "practice_reference": "nhspaymentsgp-17-18-prac-csv.csv",
    "gpw_summary": "gpw_practice_level_detailed_2017-06.csv",
    "gpw_indicators": "gpw_practice_level_2016-09.csv",
    "staff_records": "gp_staff_records_2017-06.csv",
}


@dataclass
class Practice:
    code: str
    name: str
    ccg: str
    patients: int


def _split_int(rng: np.random.Generator, total: int, n: int, sigma: float = 0.5,
               floor: int = 1500) -> np.ndarray:
    """Split an integer total into n positive integers with a log-normal spread."""
    w = rng.lognormal(0.0, sigma, n)
    raw = floor + w / w.sum() * (total - floor * n)
    out = np.floor(raw).astype(int)
    out[np.argsort(raw - out)[::-1][: total - out.sum()]] += 1
    return out


def _practice_code(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        code = "M" + "".join(str(d) for d in rng.integers(0, 10, 5))
        if code not in used:
            used.add(code)
            return code


STREETS = ["High Street", "Church Road", "Station Road", "Park Lane", "Victoria Road",
           "Mill Lane", "Queen Street", "Green Lane", "King's Road", "The Green"]
KINDS = ["Medical Centre", "Surgery", "Health Centre", "Medical Practice", "Family Practice"]


def _practice_name(rng: np.random.Generator, i: int) -> str:
    name = f"{STREETS[rng.integers(len(STREETS))].split()[0]} {KINDS[rng.integers(len(KINDS))]}"
    if i % 37 == 5:  # real names carry apostrophes, ampersands and quotes
        name = f"Dr O'Neill & Partners \"{name}\""
    return name


def _ages(rng, n, n55, n60, young=None):
    """Ages for n people of whom n55 are 55+ and n60 are 60+ (registrars young)."""
    ages = np.empty(n, dtype=int)
    idx = np.arange(n)
    young = np.zeros(n, bool) if young is None else young
    older = idx[~young]
    rng.shuffle(older)
    a60, a55, rest = older[:n60], older[n60:n55], older[n55:]
    ages[a60] = rng.choice(np.arange(60, 72), len(a60), p=_decay(12))
    ages[a55] = rng.integers(55, 60, len(a55))
    ages[rest] = rng.integers(31, 55, len(rest))
    ages[young] = rng.integers(26, 36, young.sum())
    return ages


def _decay(k):
    p = np.exp(-np.arange(k) / 3.0)
    return p / p.sum()


def make_gps(rng, practices: list[Practice], hc: int, hc55: int, hc60: int,
             fte_total: float | None = None, fte_core: float | None = None,
             id_prefix: str = "G") -> pd.DataFrame:
    """People-level GP posts for one CCG.

    Returns one row per person per practice post: practice_code, staff_id, role, gender, age,
    coq, fte. A few salaried GPs and locums hold posts in two practices; their FTE is split.
    """
    n_reg = max(1, round(0.07 * hc))
    n_ret = 1 if hc < 200 else 2
    n_loc = max(1, round(0.05 * hc))
    n_part = round(0.55 * hc)
    n_sal = hc - n_reg - n_ret - n_loc - n_part
    roles = (["SEN_PTNR"] * max(1, n_part // 6) + ["PTNR_PROV"] * (n_part - max(1, n_part // 6))
             + ["SAL_BY_PRAC"] * n_sal
             + list(rng.choice(["TRN_GR_ST1", "TRN_GR_ST2", "TRN_GR_ST3", "TRN_GR_F1_2"], n_reg,
                               p=[0.3, 0.3, 0.3, 0.1]))
             + ["RET"] * n_ret
             + list(rng.choice(["LOCUM_VAC", "LOCUM_ABS", "LOCUM_OTH"], n_loc)))
    roles = np.array(roles)
    young = np.isin(roles, list(GP_TRAINING))
    ages = _ages(rng, hc, hc55, hc60, young)
    base = {"SEN_PTNR": 8, "PTNR_PROV": 7, "SAL_BY_PRAC": 6, "RET": 3, "LOCUM_VAC": 4,
            "LOCUM_ABS": 3, "LOCUM_OTH": 2}
    sessions = np.array([base.get(r, 9) for r in roles], float)
    sessions += rng.integers(-1, 2, hc) * (~young)
    sessions = np.clip(sessions, 1, 10)
    fte = sessions / 9.0
    # Every practice gets a partner; others go to practices in proportion to list size.
    n_pr = len(practices)
    w = np.array([p.patients for p in practices], float)
    main = rng.choice(n_pr, hc, p=w / w.sum())
    partners = np.flatnonzero(np.isin(roles, ["SEN_PTNR", "PTNR_PROV"]))
    main[partners[:n_pr]] = np.arange(n_pr)[: len(partners)]
    ids = [f"{id_prefix}{hashlib.sha1(f'{id_prefix}{i}'.encode()).hexdigest()[:8].upper()}"
           for i in range(hc)]
    df = pd.DataFrame({
        "practice_code": [practices[m].code for m in main], "staff_id": ids, "role": roles,
        "gender": rng.choice(["F", "M"], hc, p=[0.52, 0.48]), "age": ages,
        "coq": rng.choice(COQ, hc, p=COQ_P), "fte": fte,
    })
    # A few salaried GPs and locums work in a second practice (same CCG); FTE is split 60/40.
    movable = np.flatnonzero(np.isin(roles, ["SAL_BY_PRAC", "LOCUM_OTH", "LOCUM_VAC"]))
    n_multi = min(len(movable), max(2, round(0.04 * hc))) if n_pr > 1 else 0
    multi = rng.choice(movable, n_multi, replace=False) if n_multi else []
    extra = df.iloc[multi].copy()
    extra["practice_code"] = [
        practices[(main[i] + 1 + rng.integers(n_pr - 1)) % n_pr].code for i in multi
    ]
    extra["fte"] *= 0.4
    df.loc[df.index[multi], "fte"] *= 0.6
    df = pd.concat([df, extra], ignore_index=True)
    core = df["role"].isin(GP_SUBSETS["GP_EXRRL"])
    if fte_core is not None:
        df.loc[core, "fte"] *= fte_core / df.loc[core, "fte"].sum()
    if fte_total is not None:
        df["fte"] *= fte_total / df["fte"].sum()
    df["staff_group"] = "GP"
    return df


def make_other_staff(rng, practices: list[Practice], targets: dict[str, float],
                     id_prefix: str) -> pd.DataFrame:
    """Nurses, direct patient care and admin staff, one post each.

    ``targets`` maps a role to an exact FTE total for the CCG; roles not named get a plausible
    total from ``OTHER_ROLES``.
    """
    patients = sum(p.patients for p in practices)
    w = np.array([p.patients for p in practices], float)
    frames = []
    for k, (role, (group, mean_fte, per_1000)) in enumerate(OTHER_ROLES.items()):
        total = targets.get(role, patients / 1000 * per_1000 * rng.uniform(0.8, 1.2))
        n = max(1, round(total / mean_fte))
        fte = np.clip(rng.normal(mean_fte, 0.2, n), 0.1, 1.0)
        fte *= total / fte.sum()
        where = rng.choice(len(practices), n, p=w / w.sum())
        frames.append(pd.DataFrame({
            "practice_code": [practices[i].code for i in where],
            "staff_id": [f"{id_prefix}{k:02d}{i:05d}" for i in range(n)],
            "role": role, "staff_group": group,
            "gender": rng.choice(["F", "M"], n, p=[0.85, 0.15]),
            "age": rng.integers(20, 66, n), "coq": "UNKNOWN", "fte": fte,
        }))
    return pd.concat(frames, ignore_index=True)


def _age_range(band: str) -> tuple[int, int]:
    """Inclusive age range of a GPW age-band suffix (UNDER30, 55TO59, 70PLUS, UNKNOWN_AGE)."""
    if band == "UNKNOWN_AGE":
        return (-1, -1)  # the generator knows every age
    if band.startswith("UNDER"):
        return (0, int(band[5:]) - 1)
    if band.endswith("PLUS"):
        return (int(band[:-4]), 200)
    lo, hi = band.split("TO")
    return (int(lo), int(hi))


def _role_sets() -> dict[str, set[str]]:
    sets = {k: v for k, v in GP_SUBSETS.items()}
    sets.update({f"GP_{r}": {r} for r in GP_ROLES})
    for role, (group, _, _) in OTHER_ROLES.items():
        sets.setdefault(group, set()).add(role)
        sets[role] = {role}
    return sets


def practice_level(people: pd.DataFrame, practices: list[Practice], columns: list[str],
                   ) -> pd.DataFrame:
    """Aggregate person posts into the GPW practice-level columns.

    Headcount counts people within a practice (each post holder once); FTE sums. Columns for roles
    the generator does not model are zero.
    """
    p = people
    codes = [pr.code for pr in practices]
    keys = ["practice_code", "role", "gender"]
    hc_fte = p.groupby(keys + ["age"], observed=True).agg(
        HC=("staff_id", "nunique"), FTE=("fte", "sum"))
    coq = p.groupby(keys + ["coq"], observed=True)["staff_id"].nunique()
    sets = _role_sets()
    out = {}
    pattern = (r"^(TOTAL|MALE|FEMALE)_(.+?)_(HC|FTE)"
               r"(?:_(UNDER\d+|\d+TO\d+|\d+PLUS|UNKNOWN_AGE|COQ_[A-Z_]+))?$")
    parsed = pd.Series(columns).str.extract(pattern)
    zeros = pd.Series(0.0, index=codes)
    rows = parsed.itertuples(index=False)
    for col, (sex, stem, measure, suffix) in zip(columns, rows, strict=True):
        if not isinstance(sex, str):
            continue
        stem = {"TRAINEE_DPC_NURSE_ASSOC": "DPC_TRAINEE_NURSE_ASSOC"}.get(stem, stem)
        roles = sets.get(stem)
        if roles is None:
            out[col] = zeros
            continue
        if isinstance(suffix, str) and suffix.startswith("COQ_"):
            src = coq.xs(suffix[4:], level="coq", drop_level=True) if suffix[4:] in set(
                coq.index.get_level_values("coq")) else None
            s = src
            measure_series = s
        else:
            measure_series = hc_fte[measure]
            if isinstance(suffix, str):
                lo, hi = _age_range(suffix)
                ages = measure_series.index.get_level_values("age")
                measure_series = measure_series[(ages >= lo) & (ages <= hi)]
        if measure_series is None or measure_series.empty:
            out[col] = zeros
            continue
        idx = measure_series.index
        mask = idx.get_level_values("role").isin(list(roles))
        if sex != "TOTAL":
            mask &= idx.get_level_values("gender") == sex[0]
        vals = measure_series[mask].groupby(level="practice_code").sum()
        out[col] = vals.reindex(codes, fill_value=0).astype(float)
    return pd.DataFrame(out, index=codes)


def _patient_columns(rng, practices: list[Practice]) -> pd.DataFrame:
    rows = []
    for pr in practices:
        male = int(round(pr.patients * rng.uniform(0.48, 0.51)))
        female = pr.patients - male
        row = {"TOTAL_PATIENTS": pr.patients, "TOTAL_MALE": male, "TOTAL_FEMALE": female,
               "TOTAL_UNKNOWN_GENDER": 0}
        for sex, n in (("MALE", male), ("FEMALE", female)):
            split = rng.multinomial(n, PATIENT_BAND_P)
            row.update({f"{sex}_PATIENTS_{b}": int(v)
                        for b, v in zip(PATIENT_BANDS, split, strict=True)})
        rows.append(row)
    return pd.DataFrame(rows, index=[p.code for p in practices])


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


def write_gpw(path: Path, people: pd.DataFrame, practices: list[Practice], geo: pd.DataFrame,
              old_format: bool, rng, nd_admin: set[str], nd_nurse: set[str],
              estimated: set[str]) -> None:
    """Write a GPW practice-level CSV (current or older column set)."""
    current = gpw_fields.current_fields()
    cols = gpw_fields.old_fields() if old_format else current
    staff_cols = [c for c in cols if c not in geo.columns and not c.endswith("_SOURCE")
                  and "PATIENTS" not in c and c not in ("TOTAL_MALE", "TOTAL_FEMALE",
                                                        "TOTAL_UNKNOWN_GENDER")]
    staff = practice_level(people, practices, staff_cols)
    pats = _patient_columns(rng, practices)
    df = pd.concat([geo, pats, staff], axis=1)
    for g in ("GP", "NURSE", "DPC", "ADMIN"):
        df[f"{g}_SOURCE"] = "Fully provided"
    est = df.index.isin(list(estimated))
    df.loc[est, "GP_SOURCE"] = "Includes FTE Estimates"
    text = df.astype(object).map(_fmt)
    admin_cols = [c for c in staff_cols if "_ADMIN_" in c]
    nurse_cols = [c for c in staff_cols if "NURSE" in c and "_DPC_" not in c]
    for code in nd_admin:
        text.loc[code, admin_cols] = "ND"
        text.loc[code, "ADMIN_SOURCE"] = "Fully Estimated"
    for code in nd_nurse:
        text.loc[code, nurse_cols] = "ND"
        text.loc[code, "NURSE_SOURCE"] = "Fully Estimated"
    text = text[cols]
    text.index.name = None
    path.parent.mkdir(parents=True, exist_ok=True)
    text.to_csv(path, index=False, lineterminator="\n")


def write_payments(path: Path, rows: list[dict]) -> None:
    """NHS Payments to General Practice practice-level CSV (latin-1)."""
    df = pd.DataFrame(rows)
    df.to_csv(path, index=False, encoding="latin-1", lineterminator="\r\n")


def build(out_dir: Path = DATA_DEMO, seed: int | None = None, n_comparator: int = 450) -> dict:
    """Generate every demo file. Deterministic for a given seed.

    Parameters
    ----------
    out_dir : Path
        Folder to write to (created if missing).
    seed : int, optional
        Random seed; defaults to ``report.demo_seed`` in the config.
    n_comparator : int
        Number of synthetic practices standing in for the rest of England.

    Returns
    -------
    dict
        File key -> path written.
    """
    seed = settings().report.demo_seed if seed is None else seed
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    areas = registry()
    ccgs = [a for a in areas.values() if a.kind == "ccg"]
    stps = {a.slug: a for a in areas.values() if a.kind == "stp"}
    used: set[str] = set()

    # Practices open at the summary snapshot, per CCG.
    practices: dict[str, list[Practice]] = {}
    for a in ccgs:
        n, patients = SUMMARY_TARGETS[a.code][:2]
        lists = _split_int(rng, patients, n)
        practices[a.code] = [Practice(_practice_code(rng, used), _practice_name(rng, i), a.code,
                                      int(v)) for i, v in enumerate(lists)]
    comp: dict[str, list[Practice]] = {}
    per = np.full(len(COMPARATOR_CCGS), n_comparator // len(COMPARATOR_CCGS))
    per[: n_comparator % len(COMPARATOR_CCGS)] += 1
    for (code, *_), n in zip(COMPARATOR_CCGS, per, strict=True):
        lists = rng.integers(2500, 16000, n)
        comp[code] = [Practice(_practice_code(rng, used), _practice_name(rng, i), code, int(v))
                      for i, v in enumerate(lists)]
    # A practice that closed before the snapshot (in Wolverhampton) and one that opened after it
    # (in Walsall): both are in the payments file, neither counts at 30 June 2017.
    closed = Practice(_practice_code(rng, used), "Lime Tree Surgery", "06A", 3120)
    opened = Practice(_practice_code(rng, used), "New Cross Health Centre", "05Y", 2450)

    # ---- practice reference (NHS Payments 2017-18) ----
    pay_rows = []
    for ccg_code, prs, name, region in (
        [(a.code, practices[a.code], a.name, "Q54" if a.stp == "black-country" else "Q55")
         for a in ccgs] + [(c[0], comp[c[0]], c[1], c[2]) for c in COMPARATOR_CCGS]
    ):
        for i, pr in enumerate(prs):
            contract = "GMS"
            if ccg_code in ("04C", "04V", "03W"):
                mix = {"03W": (31, 0, 0), "04V": (47, 0, 1), "04C": (45, 1, 13)}[ccg_code]
                contract = "GMS" if i < mix[0] else ("PMS" if i < mix[0] + mix[1] else "APMS")
            elif i % 7 == 3:
                contract = "PMS"
            elif i % 23 == 11:
                contract = "APMS"
            pay_rows.append(_payment_row(rng, pr, name, region, contract, "01/04/1974", ""))
    bc = {a.code: a.name for a in ccgs}
    pay_rows.append(_payment_row(rng, closed, bc["06A"], "Q54", "GMS", "01/10/1990",
                                 "31/05/2017"))
    pay_rows.append(_payment_row(rng, opened, bc["05Y"], "Q54", "APMS", "01/10/2017", ""))
    files = {k: out_dir / v for k, v in FILES.items()}
    write_payments(files["practice_reference"], pay_rows)

    # ---- summary snapshot: people, staff records, GPW current format ----
    people = []
    for a in ccgs:
        _, _, hc, h55, h60, fte = SUMMARY_TARGETS[a.code]
        gps = make_gps(rng, practices[a.code], hc, h55, h60, fte_total=fte,
                       id_prefix=f"G{a.code}")
        people += [gps, make_other_staff(rng, practices[a.code], {}, f"S{a.code}")]
    for code, *_ in COMPARATOR_CCGS:
        prs = comp[code]
        pts = sum(p.patients for p in prs)
        hc = round(pts / 1500)
        people += [make_gps(rng, prs, hc, round(hc * 0.22), round(hc * 0.1),
                            fte_total=pts / 1750, id_prefix=f"G{code}"),
                   make_other_staff(rng, prs, {}, f"S{code}")]
    people_17 = pd.concat(people, ignore_index=True)
    all_prs = [p for a in ccgs for p in practices[a.code]] + [p for c in comp.values() for p in c]
    geo = _geo_current(all_prs, areas, stps)
    estimated = {practices["05L"][3].code, practices["06A"][7].code}
    nd_admin = {practices["05C"][10].code, comp["X01"][0].code}
    write_gpw(files["gpw_summary"], people_17, all_prs, geo, False, rng, nd_admin, set(),
              estimated)
    staff = people_17[people_17["staff_group"] == "GP"]
    staff = staff[staff["practice_code"].isin([p.code for a in ccgs for p in practices[a.code]])]
    pd.DataFrame({
        "practice_code": staff["practice_code"], "return_period": "2017-06",
        "staff_id": staff["staff_id"], "staff_group": "GP",
        "job_role": staff["role"].map(JOB_ROLE_LABEL), "gender": staff["gender"],
        "age": staff["age"], "fte": staff["fte"].round(6),
    }).sort_values(["practice_code", "staff_id"]).to_csv(
        files["staff_records"], index=False, lineterminator="\n")

    # ---- indicator snapshot (September 2016): older format, with the closed practice ----
    prs16 = {code: [Practice(p.code, p.name, p.ccg,
                             int(round(p.patients * INDICATOR_PATIENT_FACTOR))) for p in prs]
             for code, prs in {**practices, **comp}.items()}
    prs16["06A"].append(Practice(closed.code, closed.name, "06A", 3240))
    nd_nurse = {prs16["X02"][1].code, prs16["X04"][2].code}
    people = []
    eng_fte = dict.fromkeys(INDICATOR_ROLES, 0.0)
    for a in ccgs:
        prs = prs16[a.code]
        pts = sum(p.patients for p in prs)
        targets = INDICATOR_TARGETS.get(a.code)
        if targets is None:  # LLR: England-like ratios with some spread
            targets = tuple(v * rng.uniform(0.9, 1.1) for v in INDICATOR_TARGETS["ENG"])
        fte = {r: pts / v for r, v in zip(INDICATOR_ROLES, targets, strict=True)}
        people.append(_indicator_people(rng, prs, fte, f"{a.code}16"))
        for r in INDICATOR_ROLES:
            eng_fte[r] += fte[r]
    # The comparator practices carry whatever makes England hit its published ratios.
    all16 = [p for prs in prs16.values() for p in prs]
    eng_pts = sum(p.patients for p in all16)
    eng_pts_nurse = eng_pts - sum(p.patients for p in all16 if p.code in nd_nurse)
    comp_pts = {code: sum(p.patients for p in prs16[code] if p.code not in nd_nurse)
                for code, *_ in COMPARATOR_CCGS}
    comp_all = {code: sum(p.patients for p in prs16[code]) for code, *_ in COMPARATOR_CCGS}
    for r, v in zip(INDICATOR_ROLES, INDICATOR_TARGETS["ENG"], strict=True):
        denom = eng_pts_nurse if r in ("nurses", "anp") else eng_pts
        rest = denom / v - eng_fte[r]
        if rest <= 0:
            raise RuntimeError(f"demo calibration impossible for {r}")
        eng_fte[r] = rest
    for code, *_ in COMPARATOR_CCGS:
        weights = comp_pts if code else comp_all
        share = {r: (weights[code] / sum(weights.values()) if r in ("nurses", "anp")
                     else comp_all[code] / sum(comp_all.values())) for r in INDICATOR_ROLES}
        fte = {r: eng_fte[r] * share[r] for r in INDICATOR_ROLES}
        valid = [p for p in prs16[code]]
        people.append(_indicator_people(rng, valid, fte, f"{code}16", no_nurse=nd_nurse))
    people_16 = pd.concat(people, ignore_index=True)
    geo16 = _geo_old(all16, areas, stps)
    write_gpw(files["gpw_indicators"], people_16, all16, geo16, True, rng, set(), nd_nurse,
              {prs16["05Y"][2].code})
    return files


def _indicator_people(rng, prs, fte, prefix, no_nurse=frozenset()):
    """People for the indicator snapshot with exact FTE totals per indicator role."""
    pts = sum(p.patients for p in prs)
    hc = max(len(prs), round(pts / 1600))
    gps = make_gps(rng, prs, hc, round(hc * 0.22), round(hc * 0.1), fte_core=fte["gp_exrrl"],
                   id_prefix=f"G{prefix}")
    nurse_prs = [p for p in prs if p.code not in no_nurse]
    targets = {"N_ADV_NURSE_PRAC": fte["anp"], "DPC_HCA": fte["hca"],
               "DPC_PHARMA": fte["pharmacist"]}
    other = fte["nurses"] - fte["anp"]
    targets["N_PRAC_NURSE"] = other * 0.95
    targets["N_NURSE_SPEC"] = other * 0.05
    staff = make_other_staff(rng, prs, targets, f"S{prefix}")
    nurse = staff["staff_group"] == "NURSES"
    if len(nurse_prs) < len(prs):  # move nurses out of practices with no valid nurse data
        codes = [p.code for p in nurse_prs]
        bad = nurse & ~staff["practice_code"].isin(codes)
        staff.loc[bad, "practice_code"] = rng.choice(codes, bad.sum())
    return pd.concat([gps, staff], ignore_index=True)


def _payment_row(rng, pr: Practice, ccg_name, region, contract, opened, closed) -> dict:
    pts = pr.patients
    global_sum = round(pts * rng.uniform(78, 90), 2)
    qof = round(pts * rng.uniform(14, 22), 2)
    return {
        "NHS England (Region) code": region, "CCG Code": pr.ccg, "CCG NAME": ccg_name,
        "Practice Code": pr.code, "Practice Name": pr.name.upper(),
        "Practice Postcode": f"WV{1 + rng.integers(14)} {rng.integers(1, 9)}"
                             f"{chr(65 + rng.integers(26))}{chr(65 + rng.integers(26))}",
        "Practice Open Date": opened, "Practice Close Date": closed,
        "Contract Type": contract, "Dispensing Practice": "No",
        "Practice Rurality": "Urban", "Number of Registered Patients (Last Known Figure)": pts,
        "Number of Weighted Patients (Last Known Figure)": round(pts * rng.uniform(0.9, 1.15), 2),
        "Global Sum": global_sum, "Total QOF Payments": qof,
        "Total NHS Payments to General Practice": round(global_sum + qof * 1.6, 2),
    }


def _geo(prs, areas, ours, comparator) -> pd.DataFrame:
    """Geography columns of each practice: ``ours(ccg_area, practice)`` for a practice of the
    registry's CCGs, ``comparator(comparator_row, practice)`` for the others (dicts of
    columns)."""
    by_code = {a.code: a for a in areas.values() if a.kind == "ccg"}
    rows = []
    for p in prs:
        if p.ccg in by_code:
            cols = ours(by_code[p.ccg], p)
        else:
            cols = comparator(next(c for c in COMPARATOR_CCGS if c[0] == p.ccg), p)
        rows.append({"PRAC_CODE": p.code, "PRAC_NAME": p.name, **cols})
    return pd.DataFrame(rows, index=[p.code for p in prs])


def _geo_current(prs, areas, stps) -> pd.DataFrame:
    """Sub-ICB, ICB and region columns (releases since July 2022)."""

    def cols(sub_name, icb, icb_name, region, p):
        return {"PCN_CODE": "NA", "PCN_NAME": "NA", "SUB_ICB_CODE": p.ccg,
                "SUB_ICB_NAME": sub_name, "ICB_CODE": icb, "ICB_NAME": icb_name,
                "REGION_CODE": region[0], "REGION_NAME": region[1]}

    def ours(a, p):
        succ = stps[a.stp].successor
        icb_name = succ.get("icb_name", "")
        return cols(f"{icb_name} - {p.ccg}", succ.get("icb_code", ""), icb_name,
                    ("Y60", "Midlands"), p)

    def comparator(c, p):
        return cols(c[1], f"Q{p.ccg}", f"{c[1]} ICB", (c[2], c[3]), p)

    return _geo(prs, areas, ours, comparator)


def _geo_old(prs, areas, stps) -> pd.DataFrame:
    """CCG, STP and commissioning region columns (older releases)."""

    def cols(ccg_name, stp_code, stp_name, region_code, region_name, p):
        return {"CCG_CODE": p.ccg, "CCG_NAME": ccg_name, "STP_CODE": stp_code,
                "STP_NAME": stp_name, "COMM_REGION_CODE": region_code,
                "COMM_REGION_NAME": region_name}

    def ours(a, p):
        s = stps[a.stp]
        return cols(a.name, s.code, s.name, "Q54" if a.stp == "black-country" else "Q55",
                    "MIDLANDS AND EAST OF ENGLAND", p)

    def comparator(c, p):
        return cols(c[1], f"E5400099{c[0][-1]}", f"Demo comparator STP {c[0][-1]}", c[2], c[3], p)

    return _geo(prs, areas, ours, comparator)


def chapter_modules() -> list:
    """Demo builders of the other chapters: every module of :mod:`analysis.demo` with a
    ``build`` function and ``FILES`` (this module's own files and the national-scale
    generator aside).

    Each has ``FILES`` (key -> file name) and ``build(out_dir, seed) -> dict[str, Path]``.
    """
    import importlib
    import pkgutil

    import analysis.demo

    names = sorted(m.name for m in pkgutil.iter_modules(analysis.demo.__path__)
                   if m.name not in ("gpw", "national", "__main__"))
    return [importlib.import_module(f"analysis.demo.{n}") for n in names]


BUILT = ".built"
"""Written last by :func:`build_all`: the demo folder is complete (a build killed midway is
redone by :func:`ensure`)."""


def build_all(out_dir: Path = DATA_DEMO, seed: int | None = None) -> dict:
    """Every demo file: the workforce files here and each chapter's (:func:`chapter_modules`)."""
    seed = settings().report.demo_seed if seed is None else seed
    done = Path(out_dir) / BUILT
    done.unlink(missing_ok=True)
    files = build(out_dir, seed)
    for mod in chapter_modules():
        files.update(mod.build(Path(out_dir), seed))
    done.write_text(f"seed {seed}\n", encoding="utf-8")
    return files


def ensure(out_dir: Path = DATA_DEMO) -> dict:
    """Build the demo files only if any is missing."""
    names = dict(FILES)
    for mod in chapter_modules():
        names.update(mod.FILES)
    files = {k: Path(out_dir) / v for k, v in names.items()}

    def complete() -> bool:
        return (Path(out_dir) / BUILT).exists() and all(p.exists() for p in files.values())

    if complete():
        return files
    # one builder at a time: the others wait, then find the finished files
    with exclusive_lock(Path(out_dir) / ".lock"):
        if complete():
            return files
        return build_all(out_dir)

