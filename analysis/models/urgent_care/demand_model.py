"""The project's urgent-care demand model: synthetic cases with the shape of NHS 111 demand.

Calls per hour = volume x hour-of-week shape (evening and weekend peaks; bank holidays run like
Sundays) x month (winter surge, Christmas) x day-to-day noise; case attributes are drawn from
tables calibrated so that about 45% of cases are assessed by a clinician, 19% of final
dispositions have an appointment booked, and dispositions match the Midlands contract area's
published mix (ambulance 13.3%, ED 8.5%, primary care 44.3%), or the mix given as ``targets``.

Used twice: the chapter models an area's cases from its contract's IUC ADC volumes and mix when
no case-level extract is given, and :mod:`analysis.demo.urgent_care` writes the demo extract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.io.urgent_care import (
    AGE_BANDS,
    AGED_75_PLUS,
    DISPOSITIONS,
    ONWARD_SERVICES,
    SEXES,
    UNDER_16,
)
from analysis.models.urgent_care.profiles import BANK_HOLIDAYS, out_of_hours

WEEKDAY = np.array([3.0, 2.2, 1.7, 1.4, 1.3, 1.4, 1.9, 2.8, 4.0, 4.6, 4.5, 4.3, 4.2, 4.1, 4.2,
                    4.4, 4.9, 5.6, 6.6, 6.9, 6.4, 5.5, 4.6, 3.7])
WEEKEND = np.array([3.5, 2.6, 2.0, 1.7, 1.5, 1.6, 2.2, 3.9, 7.2, 9.6, 10.0, 9.4, 8.6, 8.0, 7.7,
                    7.5, 7.6, 7.7, 8.0, 7.8, 7.0, 6.0, 4.9, 3.9])
DAY_FACTOR = np.array([1.10, 1.0, 0.98, 0.98, 1.02, 1.05, 1.0])
MONTH_FACTOR = {4: 0.97, 5: 0.95, 6: 0.93, 7: 0.96, 8: 0.92, 9: 0.95, 10: 1.0, 11: 1.03,
                12: 1.22, 1: 1.10, 2: 0.98, 3: 1.0}
AGE_P = np.array([0.14, 0.09, 0.38, 0.18, 0.07, 0.07, 0.05, 0.02])  # AGE_BANDS order
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


def hourly_intensity(start, end, holidays=BANK_HOLIDAYS, rng=None) -> pd.Series:
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


def simulate_cases(volumes: dict[str, float], start, end, seed: int = 0,
                   targets: dict | None = None) -> pd.DataFrame:
    """Synthetic cases from the demand model, typed as
    :func:`analysis.io.urgent_care.read_iucs_cases` returns them.

    Parameters
    ----------
    volumes : dict
        Area code -> expected triaged cases over the period.
    start, end : str or Timestamp
        First and last day of the period.
    targets : dict, optional
        Mix measures (as :data:`analysis.models.urgent_care.profiles.MIX_MEASURES`) to
        calibrate to instead of the defaults:
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
    age_band = np.asarray(AGE_BANDS, dtype=object)[age]
    old = np.isin(age_band, list(AGED_75_PLUS))
    young = np.isin(age_band, list(UNDER_16))
    to_ed = disp == "ed"
    onward[to_ed & old & (rng.random(n) < 0.25)] = "frailty"
    onward[to_ed & young & (rng.random(n) < 0.30)] = "paediatrics"
    pc = disp == "primary_care"
    ooh = out_of_hours(pd.Series(t)).to_numpy()
    own = np.where(ooh, rng.random(n) < 0.1, rng.random(n) < 0.85)
    onward[pc] = np.where(own[pc], "own_gp", "gp_ooh")
    # appointments booked, calibrated over final dispositions
    final = disp != "none"
    bbase = pd.Series(disp).map(BOOK_BASE).fillna(0.0).to_numpy(float)
    kb = targets.get("booked", BOOKED_TARGET) / float(bbase[final].mean())
    booked = final & (rng.random(n) < np.clip(bbase * kb, 0, 0.97))
    sex = np.asarray(SEXES, dtype=object)[_draw(rng, np.tile([0.55, 0.44, 0.0, 0.01],
                                                                (n, 1)))]
    out = pd.DataFrame({
        "case_id": pd.array([f"C{i:07d}" for i in range(1, n + 1)], dtype="string"),
        "call_start": df["call_start"].to_numpy(),
        "age_band": pd.Categorical(age_band, categories=AGE_BANDS),
        "sex": pd.array(sex, dtype="string"),
        "area": pd.array(df["area"].to_numpy(), dtype="string"),
        "disposition": pd.Categorical(disp, categories=list(DISPOSITIONS)),
        "clinician_assessed": assessed,
        "clinician_type": pd.array(np.where(assessed, ctype, None), dtype="string"),
        "clinical_minutes": np.where(assessed, minutes, np.nan),
        "onward_service": pd.Categorical(onward, categories=list(ONWARD_SERVICES)),
        "appointment_booked": pd.array(booked, dtype="boolean"),
    })
    out.attrs["modelled"] = True
    return out


