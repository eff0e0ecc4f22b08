"""Urgent-care demand profiles: hour of week, seasons, day types, case mix and flows.

* Hour-of-week grids with percentiles across complete weeks (:func:`hour_of_week_profile`),
  summarised by day and time block (:func:`block_table`);
* seasonality and day types (bank holidays against ordinary days);
* the disposition mix of the cases and of IUC ADC rows (:data:`MIX_MEASURES`, IUC ADC
  definitions), with the published figures they are compared with;
* flows to ED, frailty (75+), paediatrics (under 16) and primary care;
* small-number suppression of the case-derived tables (:func:`suppress_small`; the threshold is
  passed in by the caller).

Hour of week (``how``) counts from Monday 00:00 (0) to Sunday 23:00 (167).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.config import settings
from analysis.io.urgent_care import (
    AGED_75_PLUS,
    DAY_SHORT,
    DAYS,
    DISPOSITIONS,
    HOURS_PER_WEEK,
    ONWARD_SERVICES,
    UNDER_16,
    iucadc_wide,
)

# IUC ADC item numbers (../shared/reference/README.md)
PRIMARY_CARE_ITEMS = ("E07", "E08", "E10", "E11")
# measure -> (label, numerator items, denominator item, case-level definition)
MIX_MEASURES = {
    "assessed": ("Assessed by a clinician (of calls triaged)", ("D01",), "C01"),
    "ambulance": ("Ambulance dispatched (of final dispositions)", ("E02",), "E01"),
    "ed": ("Recommended to attend ED (of final dispositions)", ("E04",), "E01"),
    "primary_care": ("Primary care (of final dispositions)", PRIMARY_CARE_ITEMS, "E01"),
    "dental": ("Dental (of final dispositions)", ("E12",), "E01"),
    "self_care": ("Self care (of final dispositions)", ("E16",), "E01"),
    "booked": ("Appointment booked before the call ended (of final dispositions)", ("G01",),
               "E01"),
}
# Published shares, IUC ADC 2024-25 (reference README). England: D01/C01, E04/E01, G01/E01.
# Midlands contract area 111AL7: ambulance, ED and primary care shares of final dispositions.
PUBLISHED_ENGLAND_2024_25 = {"assessed": 0.45, "ed": 0.07, "booked": 0.19}
PUBLISHED_MIDLANDS_2024_25 = {"ambulance": 0.133, "ed": 0.085, "primary_care": 0.443}
ENGLAND_CALLS_2024_25 = 19_970_000  # A01, England, 2024-25
MIDLANDS_CALLS_2024_25 = 3_710_000  # A01, Midlands contract area 111AL7, 2024-25

# Bank holidays in England and Wales (gov.uk), 2023-2026.
BANK_HOLIDAYS = pd.to_datetime([
    "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29",
    "2023-08-28", "2023-12-25", "2023-12-26",
    "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26",
    "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
    "2025-12-25", "2025-12-26",
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
    "2026-12-25", "2026-12-28",
])


# =============================================================================================
# IUC ADC shares and volumes
# =============================================================================================
def iucadc_shares(adc: pd.DataFrame, contracts=None, region: str | None = None) -> dict:
    """Shares of :data:`MIX_MEASURES` from IUC ADC rows (optionally some contracts/a region).

    A month and contract count towards a measure only when every item it needs is reported
    there, so a missing item never deflates a share. Missing measures are NaN.
    """
    rows = adc
    if contracts is not None:
        rows = rows[rows["contract_code"].isin(list(contracts))]
    if region is not None:
        rows = rows[rows["region_code"] == region]
    wide = iucadc_wide(rows)
    out = {}
    for m, (_, num, den) in MIX_MEASURES.items():
        need = list(num) + [den]
        if wide.empty or not set(need) <= set(wide.columns):
            out[m] = math.nan
            continue
        ok = wide[need].notna().all(axis=1) & (wide[den] > 0)
        d = float(wide.loc[ok, den].sum())
        out[m] = float(wide.loc[ok, list(num)].sum(axis=1).sum()) / d if d > 0 else math.nan
    return out


def iucadc_calls(adc: pd.DataFrame, contracts=None, item: str = "A01") -> pd.Series:
    """Monthly totals of one item (default calls received) for some contracts."""
    rows = adc[adc["item"] == item]
    if contracts is not None:
        rows = rows[rows["contract_code"].isin(list(contracts))]
    return rows.groupby("period")["value"].sum(min_count=1).astype(float)



def weekday_counts(start, end) -> np.ndarray:
    """How many Mondays ... Sundays fall in [start, end]."""
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    return np.bincount(days.day_of_week, minlength=7)


def financial_year_days(ecds: pd.DataFrame) -> tuple[str, np.ndarray]:
    """The ECDS table's financial year ('2024-25' when not stated) and its Mondays ... Sundays."""
    fy = ecds.attrs.get("financial_year") or "2024-25"
    y = int(fy[:4])
    return fy, weekday_counts(f"{y}-04-01", f"{y + 1}-03-31")


def ae_per_hour(ecds: pd.DataFrame) -> pd.DataFrame:
    """A&E arrivals per hour of an average week (annual totals / days of that weekday).

    Returns
    -------
    DataFrame
        168 rows: ``how``, ``ambulance``, ``walk_in``, ``total``; ``attrs['financial_year']``.
    """
    e = ecds.sort_values("how")
    fy, days = financial_year_days(ecds)
    per_day = np.repeat(days, 24)
    out = pd.DataFrame({"how": np.arange(HOURS_PER_WEEK),
                        "ambulance": e["ambulance"].to_numpy(float) / per_day,
                        "walk_in": e["walk_in"].to_numpy(float) / per_day})
    out["total"] = out["walk_in"] + out["ambulance"]
    out.attrs["financial_year"] = fy
    return out


# =============================================================================================
# Profiles
# =============================================================================================
def complete_weeks(start, end) -> pd.DatetimeIndex:
    """Mondays of the Monday-to-Sunday weeks lying wholly within [start, end]."""
    s = pd.Timestamp(start).normalize()
    first = s + pd.Timedelta(days=(7 - s.day_of_week) % 7)
    last = pd.Timestamp(end).normalize() - pd.Timedelta(days=6)
    if last < first:
        return pd.DatetimeIndex([])
    return pd.date_range(first, last, freq="7D")


def case_period(cases: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last call dates."""
    return cases["call_start"].min().normalize(), cases["call_start"].max().normalize()


def week_grid(times: pd.Series, weights=None, start=None, end=None
              ) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Weeks x 168 array: counts (or summed ``weights``) per hour of week, complete weeks only.

    Empty hours are zeros, so percentiles across weeks are not biased upwards.
    """
    t = pd.DatetimeIndex(times)
    if start is None or end is None:
        lo, hi = (t.min(), t.max()) if len(t) else (pd.NaT, pd.NaT)
        start = lo if start is None else start
        end = hi if end is None else end
    if pd.isna(start) or pd.isna(end):
        return np.zeros((0, HOURS_PER_WEEK)), pd.DatetimeIndex([])
    weeks = complete_weeks(start, end)
    if len(weeks) == 0:
        return np.zeros((0, HOURS_PER_WEEK)), weeks
    rel = (t - weeks[0]) // pd.Timedelta(hours=1)
    rel = np.asarray(rel, dtype=np.int64)
    inside = (rel >= 0) & (rel < len(weeks) * HOURS_PER_WEEK)
    w = None if weights is None else np.nan_to_num(np.asarray(weights, dtype=float))[inside]
    grid = np.bincount(rel[inside], weights=w, minlength=len(weeks) * HOURS_PER_WEEK)
    return grid.reshape(len(weeks), HOURS_PER_WEEK).astype(float), weeks


def hour_of_week_profile(cases: pd.DataFrame, value: str = "cases",
                         percentiles=(10, 50, 90), start=None, end=None) -> pd.DataFrame:
    """Per hour of week: mean and percentiles across complete weeks, and the total.

    Parameters
    ----------
    value : {'cases', 'minutes'}
        Count cases, or add up clinical contact minutes.
    """
    weights = None if value == "cases" else cases["clinical_minutes"].to_numpy(dtype=float)
    grid, weeks = week_grid(cases["call_start"], weights, start, end)
    how = np.arange(HOURS_PER_WEEK)
    out = pd.DataFrame({"how": how, "dow": how // 24, "day": [DAY_SHORT[d] for d in how // 24],
                        "hour": how % 24})
    n = len(weeks)
    out["weeks"] = n
    out["mean"] = grid.mean(axis=0) if n else np.nan
    for p in percentiles:
        out[f"p{p:g}"] = np.percentile(grid, p, axis=0) if n else np.nan
    out["total"] = grid.sum(axis=0)
    counts, _ = week_grid(cases["call_start"], None, start, end)
    out["cases_total"] = counts.sum(axis=0)
    return out


def as_day_hour(profile: pd.DataFrame, column: str) -> pd.DataFrame:
    """7 x 24 table (days as rows) of one column of an hour-of-week profile."""
    mat = profile[column].to_numpy(dtype=float).reshape(7, 24)
    return pd.DataFrame(mat, index=DAY_SHORT, columns=range(24))


def hour_of_week_table(profile_cases: pd.DataFrame, profile_minutes: pd.DataFrame
                       ) -> pd.DataFrame:
    """Cases and clinical minutes for every hour of the week (before suppression)."""
    pc, pm = profile_cases, profile_minutes
    full = pc[["day", "hour", "cases_total", "mean", "p10", "p50", "p90"]].rename(columns={
        "cases_total": "cases_in_period", "mean": "cases_mean", "p10": "cases_p10",
        "p50": "cases_p50", "p90": "cases_p90"})
    return full.assign(minutes_mean=pm["mean"], minutes_p50=pm["p50"], minutes_p90=pm["p90"])


BLOCKS = [("00:00-08:00", 0, 8), ("08:00-18:00", 8, 18), ("18:00-24:00", 18, 24)]


def block_table(profile_cases: pd.DataFrame, profile_minutes: pd.DataFrame) -> pd.DataFrame:
    """Mean and 90th-percentile cases and minutes per hour by day and time block.

    Hour-by-hour percentiles across weeks, averaged over the block (before suppression).
    """
    pc, pm = profile_cases, profile_minutes
    rows = []
    for d in range(7):
        for label, lo, hi in BLOCKS:
            m = (pc["dow"] == d) & (pc["hour"] >= lo) & (pc["hour"] < hi)
            rows.append({"day": DAYS[d], "hours": label,
                         "cases_in_period": pc.loc[m, "cases_total"].sum(),
                         "cases_per_hour_mean": pc.loc[m, "mean"].mean(),
                         "cases_per_hour_p90": pc.loc[m, "p90"].mean(),
                         "minutes_per_hour_mean": pm.loc[m, "mean"].mean(),
                         "minutes_per_hour_p90": pm.loc[m, "p90"].mean()})
    return pd.DataFrame(rows)


def seasonality(cases: pd.DataFrame) -> pd.DataFrame:
    """By month: days covered, cases, per day, clinically assessed, minutes, index (1 = mean)."""
    if cases.empty:
        return pd.DataFrame(columns=["month", "days", "cases", "cases_per_day", "assessed",
                                     "clinical_minutes", "index"])
    day = cases["call_start"].dt.normalize()
    month = cases["call_start"].dt.to_period("M")
    lo, hi = day.min(), day.max()
    days = pd.Series(1, index=pd.date_range(lo, hi, freq="D")).groupby(
        pd.date_range(lo, hi, freq="D").to_period("M")).sum()
    g = cases.groupby(month, observed=True)
    out = pd.DataFrame({"cases": g.size(), "assessed": g["clinician_assessed"].sum(),
                        "clinical_minutes": g["clinical_minutes"].sum()})
    out = out.reindex(days.index, fill_value=0)
    out.insert(0, "days", days)
    out["cases_per_day"] = out["cases"] / out["days"]
    out["index"] = out["cases_per_day"] / (out["cases"].sum() / out["days"].sum())
    out.index = out.index.to_timestamp()
    out.index.name = "month"
    return out.reset_index()[["month", "days", "cases", "cases_per_day", "assessed",
                              "clinical_minutes", "index"]]


def day_types(cases: pd.DataFrame, holidays=BANK_HOLIDAYS) -> pd.DataFrame:
    """Mean cases per day on bank holidays against ordinary weekdays, Saturdays and Sundays."""
    lo, hi = case_period(cases)
    days = pd.date_range(lo, hi, freq="D")
    hol = days.isin(pd.DatetimeIndex(holidays))
    kind = np.where(hol, "Bank holiday", np.where(days.day_of_week == 5, "Saturday",
                    np.where(days.day_of_week == 6, "Sunday", "Weekday (not a bank holiday)")))
    per_day = cases.groupby(cases["call_start"].dt.normalize()).size().reindex(days,
                                                                               fill_value=0)
    df = pd.DataFrame({"day_type": kind, "cases": per_day.to_numpy()})
    out = df.groupby("day_type").agg(days=("cases", "size"), cases=("cases", "sum"))
    out["cases_per_day"] = out["cases"] / out["days"]
    order = ["Weekday (not a bank holiday)", "Saturday", "Sunday", "Bank holiday"]
    return out.reindex([o for o in order if o in out.index]).reset_index()


def case_mix(cases: pd.DataFrame) -> dict:
    """The :data:`MIX_MEASURES` shares computed from cases, defined as IUC ADC defines them."""
    n = len(cases)
    final = cases[cases["disposition"] != "none"]
    e01 = len(final)
    disp = final["disposition"].value_counts()
    out = {"assessed": cases["clinician_assessed"].sum() / n if n else math.nan}
    for m in ("ambulance", "ed", "primary_care", "dental", "self_care"):
        out[m] = disp.get(m, 0) / e01 if e01 else math.nan
    if "appointment_booked" in cases and cases["appointment_booked"].notna().any():
        out["booked"] = float(final["appointment_booked"].fillna(False).sum()) / e01 \
            if e01 else math.nan
    else:
        out["booked"] = math.nan
    return {k: float(v) for k, v in out.items()}


def mix_table(columns: dict[str, dict]) -> pd.DataFrame:
    """Rows = mix measures, one column per source (each a dict measure -> share)."""
    rows = []
    for m, (label, *_rest) in MIX_MEASURES.items():
        rows.append({"measure": label, **{k: v.get(m, math.nan) for k, v in columns.items()}})
    return pd.DataFrame(rows)


def disposition_counts(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases by disposition and by onward service (counts and shares)."""
    out = []
    for kind, col, labels in (("Disposition", "disposition", DISPOSITIONS),
                              ("Onward service", "onward_service", ONWARD_SERVICES)):
        vc = cases[col].value_counts().reindex(list(labels), fill_value=0)
        for k, v in vc.items():
            out.append({"kind": kind, "category": labels[k], "cases": int(v),
                        "share": v / len(cases) if len(cases) else math.nan})
    return pd.DataFrame(out)


# =============================================================================================
# Flows and the GP-suitable demand of each setting
# =============================================================================================
FLOWS = {
    # flow -> (label, onward services, age bands or None)
    "ed": ("To an emergency department", ("ed",), None),
    "frailty": ("Aged 75+ to ED, ambulance, UTC or a frailty service",
                ("ed", "ambulance", "utc", "frailty"), AGED_75_PLUS),
    "paediatrics": ("Aged under 16 to ED, ambulance, UTC or paediatrics",
                    ("ed", "ambulance", "utc", "paediatrics"), UNDER_16),
    "primary_care": ("To primary care (own GP or GP out of hours)", ("own_gp", "gp_ooh"), None),
}


def flow_mask(cases: pd.DataFrame, flow: str) -> pd.Series:
    _, services, ages = FLOWS[flow]
    m = cases["onward_service"].isin(services)
    if ages is not None:
        m &= cases["age_band"].isin(ages)
    return m


def out_of_hours(times: pd.Series, holidays=BANK_HOLIDAYS) -> pd.Series:
    """GP out-of-hours period: weekdays 18:30-08:00, weekends and bank holidays."""
    t = pd.DatetimeIndex(times)
    mins = t.hour * 60 + t.minute
    ooh = (t.day_of_week >= 5) | (mins < 8 * 60) | (mins >= 18 * 60 + 30)
    ooh |= t.normalize().isin(pd.DatetimeIndex(holidays))
    return pd.Series(ooh, index=times.index)


def flow_table(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases in each flow: count, share of all cases, per week, assessed, out of hours."""
    weeks = max((cases["call_start"].max() - cases["call_start"].min()).days + 1, 1) / 7 \
        if len(cases) else math.nan
    ooh = out_of_hours(cases["call_start"])
    rows = []
    for f, (label, *_x) in FLOWS.items():
        m = flow_mask(cases, f)
        n = int(m.sum())
        rows.append({"flow": label, "cases": n, "share": n / len(cases) if len(cases) else
                     math.nan, "per_week": n / weeks,
                     "assessed_share": cases.loc[m, "clinician_assessed"].mean() if n else
                     math.nan,
                     "out_of_hours_share": ooh[m].mean() if n else math.nan})
    return pd.DataFrame(rows)


SETTINGS = {"iucs": "IUCS clinical assessment", "ed": "Emergency department",
            "frailty": "Frailty", "paediatrics": "Paediatrics"}


def open_mask(open_hours: tuple[int, int]) -> np.ndarray:
    """168 booleans: the hours of the week a setting open ``[start, end)`` each day is open.

    ``end`` may exceed 24 for a setting open past midnight (``(8, 26)``: 08:00-02:00, so
    Monday 00:00-02:00 belongs to Sunday's opening); ``(0, 24)`` is open all week.
    """
    lo, hi = int(open_hours[0]), int(open_hours[1])
    if hi - lo >= 24:
        return np.ones(HOURS_PER_WEEK, dtype=bool)
    hour = np.arange(HOURS_PER_WEEK) % 24
    return (hour - lo) % 24 < (hi - lo)


def hours_label(open_hours: tuple[int, int]) -> str:
    """``(0, 24)`` -> '24 hours'; ``(8, 26)`` -> '08:00-02:00'."""
    lo, hi = int(open_hours[0]), int(open_hours[1])
    return "24 hours" if hi - lo >= 24 else f"{lo:02d}:00-{hi % 24:02d}:00"


# =============================================================================================
# Disclosure control
# =============================================================================================
def suppress_small(df: pd.DataFrame, count_columns, threshold: int | None = None,
                   dependent: dict | None = None) -> pd.DataFrame:
    """Blank counts in 1..threshold-1 (and columns derived from them) before publication.

    Parameters
    ----------
    count_columns : list of str
        Columns holding case counts.
    threshold : int, optional
        Counts from 1 to ``threshold - 1`` are blanked (0 turns suppression off); default the
        config's ``report: disclosure: suppress_below`` (the report passes
        :func:`analysis.report.disclosure.threshold`, which an environment variable can lower).
    dependent : dict
        Count column -> columns derived from it (shares, means) blanked with it.
    """
    if threshold is None:
        threshold = settings().report.disclosure.suppress_below
    out = df.copy()
    for c in count_columns:
        small = out[c].notna() & (out[c] > 0) & (out[c] < threshold)
        cols = [c] + list((dependent or {}).get(c, []))
        for d in cols:
            out[d] = out[d].astype("Float64") if pd.api.types.is_numeric_dtype(out[d]) \
                else out[d]
            out.loc[small, d] = pd.NA
    out.attrs["suppressed_below"] = threshold
    return out
