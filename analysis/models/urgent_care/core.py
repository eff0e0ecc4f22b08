"""Urgent-care demand profiling and rotational GP posts (issue 5).

Everything the urgent-care chapter computes lives here; :mod:`analysis.report.urgent_care`
narrates it and :mod:`analysis.demo.urgent_care` generates demo inputs.

* Readers (every problem is an :class:`analysis.util.errors.InputError` naming file, row, column):
  :func:`read_iucs_cases` (a provider's case-level Integrated Urgent Care Service extract, format
  in ``docs/urgent_care_data.md``; ``.csv`` or ``.csv.gz``), :func:`read_iucadc` (NHS England's
  IUC ADC CSV in its published long format) and :func:`read_ecds_time_of_day` (NHS England's A&E
  "attendances by time of day" table, preamble rows included).
* Profiles: hour-of-week grids with percentiles across weeks (:func:`hour_of_week_profile`),
  seasonality, disposition mix against England and the region, flows to ED, frailty (75+),
  paediatrics (under 16) and primary care, and the GP-suitable demand of each setting.
* Staffing: Erlang C computed through the Erlang B recursion (no factorials), vectorised over
  hours (:func:`erlang_c`, :func:`servers_needed`, :func:`setting_staffing`).
* Rotational job plans: :class:`JobPlanRules`, :func:`generate_job_plan` (never returns a plan
  that breaks a rule), :func:`validate_job_plan`, :func:`plan_coverage`.
* Costs of the salaried role against sessional and locum cover: :class:`CostParams`,
  :func:`role_costs`, :func:`break_even`, :func:`cost_base_effect`.

Hour of week (``how``) counts from Monday 00:00 (0) to Sunday 23:00 (167).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.io.readers import check_field_counts, parse_numeric
from analysis.util.errors import InputError

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAY_SHORT = [d[:3] for d in DAYS]
HOURS_PER_WEEK = 168
SMALL_CELL = 5  # counts below this (and above zero) are suppressed in report tables

# ---------------------------------------------------------------------------------------------
# Vocabularies of the case-level extract (docs/urgent_care_data.md)
# ---------------------------------------------------------------------------------------------
AGE_BANDS = ["0-4", "5-15", "16-44", "45-64", "65-74", "75-84", "85+", "unknown"]
UNDER_16 = frozenset({"0-4", "5-15"})
AGED_75_PLUS = frozenset({"75-84", "85+"})
SEXES = ["F", "M", "I", "U"]
DISPOSITIONS = {
    "ambulance": "Ambulance dispatched",
    "ed": "Attend an emergency department (type 1/2)",
    "utc": "Attend an urgent treatment centre",
    "primary_care": "Primary care (own GP or GP out of hours)",
    "pharmacy": "Pharmacy",
    "dental": "Dental",
    "self_care": "Self care",
    "other": "Other service",
    "none": "No final disposition",
}
CLINICIAN_TYPES = {
    "gp": "GP", "anp": "Advanced nurse practitioner", "nurse": "Nurse",
    "paramedic": "Paramedic", "pharmacist": "Pharmacist", "dental_nurse": "Dental nurse",
    "mental_health": "Mental health practitioner", "other": "Other clinician",
}
ONWARD_SERVICES = {
    "ambulance": "Ambulance", "ed": "Emergency department", "utc": "Urgent treatment centre",
    "gp_ooh": "GP out of hours", "own_gp": "Own GP", "frailty": "Frailty service",
    "paediatrics": "Paediatrics", "pharmacy": "Pharmacy", "dental": "Dental",
    "self_care": "Self care", "other": "Other", "none": "None",
}
CASE_COLUMNS = ["case_id", "call_start", "age_band", "sex", "area", "disposition",
                "clinician_assessed", "clinician_type", "clinical_minutes", "onward_service"]
CASE_OPTIONAL = ["appointment_booked"]
MAX_CLINICAL_MINUTES = 480

_SYNONYMS = {
    "disposition": {"a_e": "ed", "ae": "ed", "emergency_department": "ed", "type_1_2": "ed",
                    "urgent_treatment_centre": "utc", "gp": "primary_care",
                    "selfcare": "self_care", "no_disposition": "none", "other_service": "other",
                    "ambulance_dispatch": "ambulance"},
    "onward_service": {"a_e": "ed", "ae": "ed", "emergency_department": "ed",
                       "urgent_treatment_centre": "utc", "gp_out_of_hours": "gp_ooh",
                       "ooh": "gp_ooh", "registered_gp": "own_gp", "in_hours_gp": "own_gp",
                       "selfcare": "self_care", "frailty_service": "frailty",
                       "paediatric": "paediatrics", "": "none"},
    "clinician_type": {"advanced_nurse_practitioner": "anp", "general_practitioner": "gp",
                       "clinical_pharmacist": "pharmacist", "mh": "mental_health"},
    "age_band": {"00-04": "0-4", "05-15": "5-15", "85_plus": "85+", "85plus": "85+",
                 "": "unknown", "not_known": "unknown"},
}
_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}

# ---------------------------------------------------------------------------------------------
# IUC ADC: item numbers and published shares (../shared/reference/README.md)
# ---------------------------------------------------------------------------------------------
IUCADC_COLUMNS = ["REPORTING_PERIOD", "ORG_CODE", "ORG_NAME", "CONTRACT_CODE", "CONTRACT_NAME",
                  "ITEM_NUMBER", "VALUE", "REGION_CODE", "REGION_NAME"]
IUCADC_REQUIRED = ["REPORTING_PERIOD", "CONTRACT_CODE", "ITEM_NUMBER", "VALUE"]
IUCADC_ITEMS = {
    "A01": "Calls received", "C01": "Calls triaged",
    "D01": "Calls assessed by a clinician or clinical adviser",
    "E01": "All final dispositions", "E02": "Ambulance dispatch",
    "E04": "Recommended to attend a type 1/2 emergency department",
    "E07": "Primary care disposition", "E08": "Primary care disposition",
    "E10": "Primary care disposition", "E11": "Primary care disposition",
    "E12": "Dental", "E16": "Self care", "G01": "Appointments booked before the call ended",
}
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
_PERIOD = re.compile(r"IUCADC-MONTHLY-([A-Z]{3})-(\d{4})")
_MONTHS = {m.upper(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}

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
# Reading helpers
# =============================================================================================
def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "file is empty; expected a CSV with a header row", row=1)


def _open_text(path: Path, encoding: str = "utf-8-sig"):
    """Text handle for ``.csv`` or ``.csv.gz`` (decided by the file's first bytes)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def _utf8_error(path: Path, exc: UnicodeDecodeError) -> InputError:
    """The decoding error, naming the row of the first bad byte (plain files; not gzip)."""
    data = path.read_bytes()
    if not data.startswith(b"\x1f\x8b"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as first:
            return InputError(path, f"not readable as UTF-8 text (byte {first.start}); expected "
                              "a CSV file", row=data.count(b"\n", 0, first.start) + 1)
    return InputError(path, f"not readable as UTF-8 text (byte {exc.start}); expected a CSV "
                      "file")


def _read_all_text(path: Path, encoding: str = "utf-8-sig") -> str:
    try:
        with _open_text(path, encoding) as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise _utf8_error(path, exc) from None
    except (OSError, EOFError) as exc:
        raise InputError(path, f"cannot be read as a CSV or gzip-compressed CSV ({exc})") from None


def _header(path: Path) -> list[str]:
    try:
        with _open_text(path) as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError as exc:  # the handle decodes ahead: the bad byte may be further
        raise _utf8_error(path, exc) from None
    except (OSError, EOFError) as exc:
        raise InputError(path, f"cannot be read as a CSV or gzip-compressed CSV ({exc})") from None
    from analysis.io.readers import validate_header

    return validate_header(path, header)


def _read_columns(path: Path, usecols: list[str]) -> pd.DataFrame:
    """Named columns as text; blank lines dropped with row numbers kept (index + 2 = line)."""
    wanted = set(usecols)
    check_field_counts(path)
    try:
        out = pd.read_csv(path, usecols=lambda c: c.strip().lstrip("\ufeff") in wanted,
                          dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          index_col=False, skip_blank_lines=False, compression="infer")
    except UnicodeDecodeError as exc:
        raise _utf8_error(path, exc) from None
    except pd.errors.ParserError as exc:
        msg = str(exc)
        m = re.search(r"line (\d+)", msg)
        raise InputError(path, f"malformed CSV ({msg.splitlines()[0]})",
                         row=int(m.group(1)) if m else None) from None
    except (OSError, EOFError) as exc:
        raise InputError(path, f"cannot be read as a CSV or gzip-compressed CSV ({exc})") from None
    out.columns = [c.strip().lstrip("\ufeff") for c in out.columns]
    return out[(out != "").any(axis=1)] if len(out.columns) else out


def _norm(text: str) -> str:
    return re.sub(r"[\s\-/&]+", "_", text.strip().lower()).strip("_")


def _vocab(values: pd.Series, path, column: str, allowed, synonyms: dict | None = None,
           upper: bool = False, age: bool = False) -> pd.Series:
    """Map free text onto a controlled vocabulary (on unique values, so it stays fast)."""
    codes, uniques = pd.factorize(values.astype(str), sort=False)
    mapped = []
    for u in uniques:
        key = u.strip().upper() if upper else _norm(u)
        if age:
            key = re.sub(r"\s+", "", u.strip().lower())
            key = {"85plus": "85+", "85_plus": "85+"}.get(key, key)
        key = (synonyms or {}).get(key, key)
        mapped.append(key if key in allowed else None)
    bad = [i for i, m in enumerate(mapped) if m is None]
    if bad:
        first = int(np.flatnonzero(np.isin(codes, bad))[0])
        shown = ", ".join(list(allowed)[:12])
        raise InputError(path, f"unknown value {values.iloc[first]!r}; expected one of {shown}",
                         row=int(values.index[first]) + 2, column=column)
    return pd.Series(np.asarray(mapped, dtype=object)[codes], index=values.index, dtype="string")


def _first_bad(mask: pd.Series) -> int:
    return int(mask.index[int(np.flatnonzero(mask.to_numpy())[0])])


# =============================================================================================
# Case-level IUCS extract
# =============================================================================================
_ISO_DT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")
_UK_DT = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}(:\d{2})?")


def parse_datetimes(values: pd.Series, path, column: str) -> pd.Series:
    """Date-times as ``YYYY-MM-DD HH:MM[:SS]`` (or ``T``) or ``DD/MM/YYYY HH:MM[:SS]``.

    A date without a time is an error: hour-of-week profiles need the time of the call.
    """
    text = values.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    iso = text.str.fullmatch(_ISO_DT.pattern, na=False)
    uk = ~iso & text.str.fullmatch(_UK_DT.pattern, na=False)
    if iso.any():
        out[iso] = pd.to_datetime(text[iso].str.replace("T", " ", regex=False),
                                  format="ISO8601", errors="coerce")
    if uk.any():
        out[uk] = pd.to_datetime(text[uk], format="%d/%m/%Y %H:%M", errors="coerce").fillna(
            pd.to_datetime(text[uk], format="%d/%m/%Y %H:%M:%S", errors="coerce"))
    bad = out.isna()
    if bad.any():
        i = _first_bad(bad)
        raise InputError(path, f"expected a date and time such as 2024-04-01 18:35, found "
                         f"{values[i]!r}", row=i + 2, column=column)
    return out


def read_iucs_cases(path) -> pd.DataFrame:
    """Read a case-level IUCS extract (``.csv`` or ``.csv.gz``); see docs/urgent_care_data.md.

    Returns
    -------
    DataFrame
        One row per case: ``case_id, call_start`` (datetime), ``age_band, sex, area,
        disposition, clinician_assessed`` (bool), ``clinician_type`` (missing when not
        assessed), ``clinical_minutes`` (float, missing when not assessed), ``onward_service``
        and, when the file has it, ``appointment_booked`` (boolean). ``attrs['path']`` is set.

    Raises
    ------
    InputError
        Naming the file, the row (header = row 1) and the column.
    """
    path = Path(path)
    _check_file(path)
    header = _header(path)
    low = {h.lower(): h for h in header}
    for c in CASE_COLUMNS:
        if c not in low:
            raise InputError(path, "required column missing; expected a case-level IUCS "
                             "extract (see docs/urgent_care_data.md)", row=1, column=c)
    keep = [low[c] for c in CASE_COLUMNS + CASE_OPTIONAL if c in low]
    raw = _read_columns(path, keep)
    raw.columns = [c.lower() for c in raw.columns]
    if raw.empty:
        raise InputError(path, "no cases: the file has a header but no data rows", row=2)
    col = {c: low[c] for c in low}
    out = pd.DataFrame(index=raw.index)
    ids = raw["case_id"].str.strip()
    blank = ids == ""
    if blank.any():
        raise InputError(path, "case id is blank", row=_first_bad(blank) + 2,
                         column=col["case_id"])
    dup = ids.duplicated()
    if dup.any():
        i = _first_bad(dup)
        raise InputError(path, f"case {ids[i]!r} appears more than once; expected one row per "
                         "case", row=i + 2, column=col["case_id"])
    out["case_id"] = ids.astype("string")
    out["call_start"] = parse_datetimes(raw["call_start"], path, col["call_start"])
    out["age_band"] = _vocab(raw["age_band"], path, col["age_band"], AGE_BANDS,
                             _SYNONYMS["age_band"], age=True)
    sex = raw["sex"].str.strip().str.upper().replace("", "U")
    out["sex"] = _vocab(sex, path, col["sex"], SEXES, upper=True)
    area = raw["area"].str.strip().str.upper()
    if (area == "").any():
        raise InputError(path, "area is blank; expected a CCG/sub-ICB code or a postcode "
                         "district", row=_first_bad(area == "") + 2, column=col["area"])
    out["area"] = area.astype("string")
    out["disposition"] = _vocab(raw["disposition"], path, col["disposition"], DISPOSITIONS,
                                _SYNONYMS["disposition"])
    flag = raw["clinician_assessed"].str.strip().str.lower()
    bad = ~flag.isin(_YES | _NO)
    if bad.any():
        i = _first_bad(bad)
        raise InputError(path, f"expected Y or N, found {raw['clinician_assessed'][i]!r}",
                         row=i + 2, column=col["clinician_assessed"])
    assessed = flag.isin(_YES)
    out["clinician_assessed"] = assessed.astype(bool)
    ctype = raw["clinician_type"].str.strip()
    given = ctype != ""
    wrong = ~assessed & given & (ctype.str.lower() != "none")
    if wrong.any():
        raise InputError(path, "clinician type given for a case not assessed by a clinician; "
                         "leave it blank", row=_first_bad(wrong) + 2,
                         column=col["clinician_type"])
    missing = assessed & ~given
    if missing.any():
        raise InputError(path, "clinician type is blank for a case assessed by a clinician",
                         row=_first_bad(missing) + 2, column=col["clinician_type"])
    types = pd.Series(pd.NA, index=raw.index, dtype="string")
    if assessed.any():
        types[assessed] = _vocab(ctype[assessed], path, col["clinician_type"], CLINICIAN_TYPES,
                                 _SYNONYMS["clinician_type"])
    out["clinician_type"] = types
    minutes = parse_numeric(raw["clinical_minutes"], path, col["clinical_minutes"]).astype(float)
    no_min = assessed & np.isnan(minutes)
    if no_min.any():
        raise InputError(path, "clinical minutes blank for a case assessed by a clinician",
                         row=_first_bad(no_min) + 2, column=col["clinical_minutes"])
    extra = ~assessed & (minutes > 0)
    if extra.any():
        raise InputError(path, "clinical minutes given for a case not assessed by a clinician",
                         row=_first_bad(extra) + 2, column=col["clinical_minutes"])
    too_long = minutes > MAX_CLINICAL_MINUTES
    if too_long.any():
        i = _first_bad(too_long)
        raise InputError(path, f"expected clinical minutes between 0 and {MAX_CLINICAL_MINUTES},"
                         f" found {raw['clinical_minutes'][i]!r}", row=i + 2,
                         column=col["clinical_minutes"])
    out["clinical_minutes"] = minutes.where(assessed)
    out["onward_service"] = _vocab(raw["onward_service"], path, col["onward_service"],
                                   ONWARD_SERVICES, _SYNONYMS["onward_service"])
    if "appointment_booked" in raw:
        b = raw["appointment_booked"].str.strip().str.lower()
        bad = ~b.isin(_YES | _NO | {""})
        if bad.any():
            i = _first_bad(bad)
            raise InputError(path, f"expected Y, N or blank, found "
                             f"{raw['appointment_booked'][i]!r}", row=i + 2,
                             column=col["appointment_booked"])
        out["appointment_booked"] = pd.array(
            np.where(b == "", None, b.isin(_YES)), dtype="boolean")
    for c, cats in (("age_band", AGE_BANDS), ("disposition", list(DISPOSITIONS)),
                    ("onward_service", list(ONWARD_SERVICES))):
        out[c] = pd.Categorical(out[c].astype(object), categories=cats)
    out = out.reset_index(drop=True)
    out.attrs["path"] = str(path)
    return out


def filter_cases(cases: pd.DataFrame, areas=None, start=None, end=None) -> pd.DataFrame:
    """Cases for some areas (codes or postcode districts) with ``start <= call date <= end``."""
    keep = pd.Series(True, index=cases.index)
    if areas is not None:
        keep &= cases["area"].isin([str(a).upper() for a in areas])
    if start is not None:
        keep &= cases["call_start"] >= pd.Timestamp(start)
    if end is not None:
        keep &= cases["call_start"] < pd.Timestamp(end) + pd.Timedelta(days=1)
    out = cases[keep]
    out.attrs.update(cases.attrs)
    return out


# =============================================================================================
# IUC ADC (long format)
# =============================================================================================
def parse_iucadc_period(text: str) -> pd.Timestamp | None:
    """'IUCADC-MONTHLY-APR-2023' -> 2023-04-01 (None when not in that form)."""
    m = _PERIOD.fullmatch(str(text).strip().upper())
    if not m or m.group(1) not in _MONTHS:
        return None
    return pd.Timestamp(int(m.group(2)), _MONTHS[m.group(1)], 1)


def read_iucadc(path) -> pd.DataFrame:
    """Read NHS England's IUC ADC CSV in its published long format.

    One row per period, provider, contract area and item; VALUE carries thousands separators
    ("35,693") and '-' where nothing is reported (read as missing, never zero).

    Returns
    -------
    DataFrame
        ``period`` (first day of the month), ``org_code, org_name, contract_code,
        contract_name, item, value`` (Float64), ``region_code, region_name``.
    """
    path = Path(path)
    _check_file(path)
    header = _header(path)
    up = {h.upper(): h for h in header}
    for c in IUCADC_REQUIRED:
        if c not in up:
            raise InputError(path, "required column missing; expected the IUC ADC long format "
                             f"({', '.join(IUCADC_COLUMNS)})", row=1, column=c)
    raw = _read_columns(path, [up[c] for c in IUCADC_COLUMNS if c in up])
    raw.columns = [c.upper() for c in raw.columns]
    out = pd.DataFrame(index=raw.index)
    periods = raw["REPORTING_PERIOD"].str.strip().str.upper()
    lookup = {p: parse_iucadc_period(p) for p in periods.unique()}
    bad = periods.map(lambda p: lookup[p] is None)
    if bad.any():
        i = _first_bad(bad)
        raise InputError(path, f"expected a period such as IUCADC-MONTHLY-APR-2023, found "
                         f"{raw['REPORTING_PERIOD'][i]!r}", row=i + 2,
                         column=up["REPORTING_PERIOD"])
    out["period"] = pd.to_datetime(periods.map(lookup))
    for c in ("ORG_CODE", "ORG_NAME", "CONTRACT_CODE", "CONTRACT_NAME", "REGION_CODE",
              "REGION_NAME"):
        out[c.lower()] = (raw[c].str.strip() if c in raw else pd.Series("", index=raw.index)
                          ).astype("string")
    blank = out["contract_code"] == ""
    if blank.any():
        raise InputError(path, "contract code is blank", row=_first_bad(blank) + 2,
                         column=up["CONTRACT_CODE"])
    item = raw["ITEM_NUMBER"].str.strip().str.upper()
    bad = ~item.str.fullmatch(r"[A-Z]\d{2,3}", na=False)
    if bad.any():
        i = _first_bad(bad)
        raise InputError(path, f"expected an item number such as A01, found "
                         f"{raw['ITEM_NUMBER'][i]!r}", row=i + 2, column=up["ITEM_NUMBER"])
    out["item"] = item.astype("string")
    value = raw["VALUE"].str.strip().replace("-", "")
    out["value"] = parse_numeric(value.where(value != "", "NA").rename(None), path, up["VALUE"])
    key = ["period", "org_code", "contract_code", "item"]
    dup = out.duplicated(key)
    if dup.any():
        i = _first_bad(dup)
        raise InputError(path, f"item {out.loc[i, 'item']} for contract "
                         f"{out.loc[i, 'contract_code']} in {raw['REPORTING_PERIOD'][i]} appears "
                         "more than once", row=i + 2, column=up["ITEM_NUMBER"])
    out = out.reset_index(drop=True)
    out.attrs["path"] = str(path)
    return out


def iucadc_wide(adc: pd.DataFrame) -> pd.DataFrame:
    """Items as columns, one row per period and contract (providers summed, missing kept)."""
    if adc.empty:
        return pd.DataFrame()
    return adc.pivot_table(index=["period", "contract_code"], columns="item", values="value",
                           aggfunc=lambda s: s.sum(min_count=1), dropna=False)


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


# =============================================================================================
# ECDS A&E attendances by time of day
# =============================================================================================
_HOUR_LABEL = re.compile(r"(\d{1,2})(:00(:00)?)?")
_DAY_NAMES = {d.lower(): i for i, d in enumerate(DAYS)} | {
    d.lower(): i for i, d in enumerate(DAY_SHORT)}


def read_ecds_time_of_day(path) -> pd.DataFrame:
    """Read NHS England's A&E "attendances by time of day" table as published.

    The header row is found after the preamble (title, notes, copyright): the first row whose
    first cell is 'Reporting Period'. Each day carries a 'Total' row and a 'Number of A&E
    attendances where patient arrived by ambulance' row; percentage rows are checked for form
    only and not used.

    Returns
    -------
    DataFrame
        168 rows: ``dow`` (0 = Monday), ``day``, ``hour``, ``how``, ``attendances``,
        ``ambulance``, ``walk_in`` (attendances not arriving by ambulance), all for the year.
    """
    path = Path(path)
    _check_file(path)
    text = _read_all_text(path)
    reader = csv.reader(io.StringIO(text))
    records = []
    try:
        for rec in reader:
            records.append((reader.line_num, rec))
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV ({exc})", row=reader.line_num) from None
    head_at = next((k for k, (_, rec) in enumerate(records)
                    if rec and rec[0].strip().lower() == "reporting period"), None)
    if head_at is None:
        raise InputError(path, "no header row: expected a row starting 'Reporting Period' "
                         "followed by the hours 00:00:00 to 23:00:00 (the A&E attendances by "
                         "time of day table)")
    line, head = records[head_at]
    head = [h.strip() for h in head]
    hour_col: dict[int, int] = {}
    total_col = None
    for j, h in enumerate(head[2:], 2):
        m = _HOUR_LABEL.fullmatch(h)
        if m and int(m.group(1)) < 24:
            if int(m.group(1)) in hour_col:
                raise InputError(path, "hour column appears twice", row=line, column=h)
            hour_col[int(m.group(1))] = j
        elif h.lower() == "total":
            total_col = j
    missing = [f"{x:02d}:00:00" for x in range(24) if x not in hour_col]
    if missing:
        raise InputError(path, f"hour columns missing from the header: {', '.join(missing)}",
                         row=line, column=missing[0])
    values = {}
    ended = text.endswith("\n")
    for k, (line, rec) in enumerate(records[head_at + 1:], head_at + 1):
        if not any(c.strip() for c in rec):
            continue
        if len(rec) > len(head) and any(c.strip() for c in rec[len(head):]):
            raise InputError(path, f"row has {len(rec)} fields, the header {len(head)}: values "
                             "would shift into the wrong hours (a comma in a value that is not "
                             "quoted?)", row=line)
        if len(rec) < len(head) and k == len(records) - 1 and not ended:
            raise InputError(path, f"the last row has {len(rec)} of the {len(head)} fields and "
                             "no line break: the file looks cut short", row=line,
                             column=head[max(len(rec) - 1, 0)])
        day = rec[0].strip().lower()
        if day not in _DAY_NAMES:
            raise InputError(path, f"expected a day of the week, found {rec[0]!r}", row=line,
                             column=head[0])
        measure = rec[1].strip().lower() if len(rec) > 1 else ""
        if measure.startswith("%"):
            kind = "pct"
        elif "ambulance" in measure:
            kind = "ambulance"
        elif measure == "total":
            kind = "total"
        else:
            raise InputError(path, f"unknown measure {rec[1] if len(rec) > 1 else ''!r}; "
                             "expected 'Total' or 'Number of A&E attendances where patient "
                             "arrived by ambulance'", row=line, column=head[1])
        row = []
        for hr in range(24):
            j = hour_col[hr]
            cell = rec[j].strip().replace(",", "") if j < len(rec) else ""
            try:
                v = float(cell)
            except ValueError:
                raise InputError(path, f"expected a number, found {cell!r}", row=line,
                                 column=head[j]) from None
            if not math.isfinite(v) or v < 0 or (kind != "pct" and v != round(v)):
                raise InputError(path, f"expected a whole number >= 0, found {rec[j]!r}"
                                 if kind != "pct" else f"expected a share, found {rec[j]!r}",
                                 row=line, column=head[j])
            row.append(v)
        if kind == "pct":
            continue
        if total_col is not None and total_col < len(rec) and rec[total_col].strip():
            try:
                tot = float(rec[total_col].strip().replace(",", ""))
            except ValueError:
                raise InputError(path, f"expected a number, found {rec[total_col]!r}", row=line,
                                 column=head[total_col]) from None
            if abs(tot - sum(row)) > 0.5:
                raise InputError(path, f"the hours add up to {sum(row):,.0f}, not the "
                                 f"published total {tot:,.0f}", row=line,
                                 column=head[total_col])
        key = (_DAY_NAMES[day], kind)
        if key in values:
            raise InputError(path, f"{DAYS[key[0]]} {kind} row appears twice", row=line,
                             column=head[1])
        values[key] = (line, row)
    for d in range(7):
        for kind in ("total", "ambulance"):
            if (d, kind) not in values:
                raise InputError(path, f"no {'Total' if kind == 'total' else 'ambulance'} row "
                                 f"for {DAYS[d]}")
        line, amb = values[(d, "ambulance")]
        tot = values[(d, "total")][1]
        over = [h for h in range(24) if amb[h] > tot[h]]
        if over:
            raise InputError(path, f"ambulance arrivals exceed all attendances on {DAYS[d]}",
                             row=line, column=head[hour_col[over[0]]])
    rows = [{"dow": d, "day": DAYS[d], "hour": h, "how": d * 24 + h,
             "attendances": values[(d, "total")][1][h],
             "ambulance": values[(d, "ambulance")][1][h]} for d in range(7) for h in range(24)]
    out = pd.DataFrame(rows)
    out["walk_in"] = out["attendances"] - out["ambulance"]
    preamble = " ".join(" ".join(r) for _, r in records[:head_at])
    m = re.search(r"(20\d\d)-(\d\d)\b", preamble) or re.search(r"(20\d\d)[-_](\d\d)\b",
                                                                   path.name)
    out.attrs.update(path=str(path),
                     financial_year=f"{m.group(1)}-{m.group(2)}" if m else None)
    return out


def weekday_counts(start, end) -> np.ndarray:
    """How many Mondays ... Sundays fall in [start, end]."""
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    return np.bincount(days.day_of_week, minlength=7)


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


@dataclass(frozen=True)
class SettingParams:
    """Erlang C inputs for one setting.

    Attributes
    ----------
    aht_minutes : float
        Mean handling time per patient (clinical contact plus wrap-up).
    target_minutes : float
        Time within which a patient should be seen or called back.
    service_level : float
        Share of patients to reach within the target (0-1).
    open_hours : tuple of int
        Daily opening hours [start, end); (0, 24) for a 24-hour service.
    """

    aht_minutes: float
    target_minutes: float
    service_level: float
    open_hours: tuple[int, int] = (0, 24)


DEFAULT_SETTING_PARAMS = {
    "iucs": SettingParams(aht_minutes=15.0, target_minutes=20.0, service_level=0.8),
    "ed": SettingParams(aht_minutes=15.0, target_minutes=60.0, service_level=0.9),
    "frailty": SettingParams(aht_minutes=45.0, target_minutes=120.0, service_level=0.9,
                             open_hours=(8, 20)),
    "paediatrics": SettingParams(aht_minutes=20.0, target_minutes=60.0, service_level=0.9,
                                 open_hours=(8, 22)),
}


@dataclass(frozen=True)
class StaffingParams:
    """Staffing assumptions shared by every setting (see docs/urgent_care_data.md).

    Attributes
    ----------
    shrinkage : float
        Share of paid clinician time not available for patients (leave, training, breaks).
    max_occupancy : float
        Highest share of available time a clinician may spend with patients.
    plan_percentile : float
        Staff for a busy week: the mean week scaled up to this percentile of weekly totals.
    ed_gp_share : float
        Share of walk-in A&E attendances suitable for a GP (GP streaming).
    ed_scale : float or None
        Local share of England's A&E attendances; None = the area's share of England's 111
        calls.
    """

    shrinkage: float = 0.30
    max_occupancy: float = 0.85
    plan_percentile: float = 80.0
    ed_gp_share: float = 0.15
    ed_scale: float | None = None
    settings: dict = field(default_factory=lambda: dict(DEFAULT_SETTING_PARAMS))


def setting_demand(cases: pd.DataFrame | None, ecds: pd.DataFrame | None,
                   params: StaffingParams, ed_scale: float | None = None, start=None, end=None,
                   stat: str = "plan") -> pd.DataFrame:
    """GP-suitable arrivals per hour for each setting, by hour of week (168 rows).

    * IUCS: cases assessed by a clinician (the clinical assessment service's work).
    * ED: walk-in A&E arrivals (ECDS, England) x ``ed_gp_share`` x the local scale, per week.
    * Frailty / paediatrics: 111 cases in the frailty (75+) and paediatrics (<16) flows.

    ``stat='mean'`` gives the mean week. ``stat='plan'`` gives a busy week: the mean week
    scaled by the ratio of the ``plan_percentile`` of weekly totals to their mean. (Hour-by-hour
    percentiles of sparse flows are whole numbers of patients, mostly 0 or 1, and would make a
    jagged, misleading rota.) ECDS has only annual totals per hour of week, so ED is always the
    mean week.
    """
    out = pd.DataFrame(index=pd.RangeIndex(HOURS_PER_WEEK, name="how"))

    def summarise(mask):
        grid, weeks = week_grid(cases.loc[mask, "call_start"], None, start, end)
        if not len(weeks):
            return np.full(HOURS_PER_WEEK, np.nan)
        mean = grid.mean(axis=0)
        if stat == "mean":
            return mean
        totals = grid.sum(axis=1)
        ratio = np.percentile(totals, params.plan_percentile) / totals.mean() \
            if totals.mean() > 0 else 1.0
        return mean * ratio

    if cases is not None and len(cases):
        if start is None or end is None:
            s, e = case_period(cases)
            start, end = start or s, end or e
        out["iucs"] = summarise(cases["clinician_assessed"])
    else:
        out["iucs"] = np.nan
    if ecds is not None and ed_scale:
        fy = ecds.attrs.get("financial_year") or "2024-25"
        y = int(fy[:4])
        per_day = weekday_counts(f"{y}-04-01", f"{y + 1}-03-31")
        walk = ecds.sort_values("how")["walk_in"].to_numpy(dtype=float)
        out["ed"] = walk / np.repeat(per_day, 24) * params.ed_gp_share * ed_scale
    else:
        out["ed"] = np.nan
    for f in ("frailty", "paediatrics"):
        out[f] = summarise(flow_mask(cases, f)) if cases is not None and len(cases) else np.nan
    return out


# =============================================================================================
# Erlang B / Erlang C
# =============================================================================================
def erlang_b_table(load, n_max: int) -> np.ndarray:
    """Erlang B blocking for 0..n_max servers, by the stable recursion.

    ``B(0) = 1``, ``B(n) = a B(n-1) / (n + a B(n-1))``. Returns shape ``(n_max + 1, *a.shape)``.
    """
    a = np.asarray(load, dtype=float)
    out = np.empty((n_max + 1,) + a.shape)
    b = np.ones_like(a)
    out[0] = b
    for n in range(1, n_max + 1):
        b = a * b / (n + a * b)
        out[n] = b
    return out


def erlang_c(servers, load) -> np.ndarray:
    """Probability that an arrival waits (M/M/n), elementwise; 1 where ``servers <= load``.

    Computed from Erlang B: ``C = n B / (n - a (1 - B))``.
    """
    n = np.asarray(servers, dtype=float)
    a = np.asarray(load, dtype=float)
    n, a = np.broadcast_arrays(n, a)
    if np.any(n < 0) or np.any(a < 0) or np.any(n != np.round(n)):
        raise ValueError("servers must be whole numbers >= 0 and load >= 0")
    n_int = n.astype(int)
    table = erlang_b_table(a, int(n_int.max()) if n_int.size else 0)
    b = np.take_along_axis(table, n_int[None, ...], axis=0)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1 - b))
    c = np.where(n > a, c, 1.0)
    c = np.where(a == 0, 0.0, c)
    return np.clip(c, 0.0, 1.0)


def service_level(servers, load, aht, target) -> np.ndarray:
    """Share answered within ``target``: ``1 - C exp(-(n - a) target / aht)`` (0 if n <= a)."""
    n = np.asarray(servers, dtype=float)
    a = np.asarray(load, dtype=float)
    c = erlang_c(n, a)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1 - c * np.exp(-(n - a) * np.asarray(target, float) / np.asarray(aht, float))
    sl = np.where(n > a, sl, 0.0)
    return np.where(np.asarray(a) == 0, 1.0, sl)


def servers_needed(arrivals_per_hour, aht_minutes, target_minutes, service_level_target,
                   max_occupancy: float = 1.0, n_cap: int | None = None) -> np.ndarray:
    """Fewest servers meeting the service level and the occupancy cap, for each arrival rate.

    Vectorised over ``arrivals_per_hour``: one Erlang B recursion serves every hour. Zero
    arrivals need zero servers.
    """
    lam = np.nan_to_num(np.asarray(arrivals_per_hour, dtype=float))
    if np.any(lam < 0):
        raise ValueError("arrival rates must be >= 0")
    if not 0 < service_level_target < 1 or not 0 < max_occupancy <= 1:
        raise ValueError("service level must be in (0, 1) and occupancy in (0, 1]")
    a = lam * aht_minutes / 60.0
    if n_cap is None:
        top = float(a.max()) if a.size else 0.0
        n_cap = int(math.ceil(top / max_occupancy + 10 * math.sqrt(top) + 25))
    need = np.where(a == 0, 0, -1).astype(int)
    b = np.ones_like(a)
    for n in range(1, n_cap + 1):
        b = a * b / (n + a * b)
        todo = need < 0
        if not todo.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            c = n * b / (n - a * (1 - b))
            sl = 1 - c * np.exp(-(n - a) * target_minutes / aht_minutes)
        ok = todo & (n > a) & (sl >= service_level_target) & (a / n <= max_occupancy + 1e-12)
        need[ok] = n
    if (need < 0).any():
        raise ValueError("no staffing level up to n_cap meets the target")
    return need


def setting_staffing(demand: pd.DataFrame, params: StaffingParams) -> pd.DataFrame:
    """Clinicians needed per hour of week in each setting (Erlang C), and rostered clinicians.

    Returns a long table: ``how, setting, arrivals, load, servers, occupancy, service_level,
    rostered`` (servers / (1 - shrinkage)). Hours outside a setting's opening hours need none.
    """
    rows = []
    for s in SETTINGS:
        if s not in demand or demand[s].isna().all():
            continue
        p = params.settings[s]
        lam = demand[s].fillna(0).to_numpy(dtype=float)
        hour = np.arange(HOURS_PER_WEEK) % 24
        lo, hi = p.open_hours
        open_ = (hour >= lo) & (hour < hi)
        lam = np.where(open_, lam, 0.0)
        n = servers_needed(lam, p.aht_minutes, p.target_minutes, p.service_level,
                           params.max_occupancy)
        a = lam * p.aht_minutes / 60
        with np.errstate(divide="ignore", invalid="ignore"):
            occ = np.where(n > 0, a / np.maximum(n, 1), np.nan)
        sl = np.where(n > 0, service_level(n, a, p.aht_minutes, p.target_minutes), np.nan)
        rows.append(pd.DataFrame({"how": np.arange(HOURS_PER_WEEK), "setting": s,
                                  "arrivals": lam, "load": a, "servers": n, "occupancy": occ,
                                  "service_level": sl,
                                  "rostered": n / (1 - params.shrinkage)}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["how", "setting", "arrivals", "load", "servers", "occupancy", "service_level",
                 "rostered"])


def staffing_summary(staff: pd.DataFrame) -> pd.DataFrame:
    """Per setting: clinician hours per week (on duty and rostered), peak clinicians, hours."""
    if staff.empty:
        return pd.DataFrame(columns=["setting", "arrivals_per_week", "clinician_hours",
                                     "rostered_hours", "peak_clinicians", "hours_staffed"])
    g = staff.groupby("setting", sort=False)
    out = pd.DataFrame({"arrivals_per_week": g["arrivals"].sum(),
                        "clinician_hours": g["servers"].sum(),
                        "rostered_hours": g["rostered"].sum(),
                        "peak_clinicians": g["servers"].max(),
                        "hours_staffed": g["servers"].apply(lambda s: int((s > 0).sum()))})
    return out.reset_index()


# =============================================================================================
# Rotational job plans
# =============================================================================================
PLAN_SETTINGS = {**SETTINGS, "admin": "Admin / CPD"}
NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})


class JobPlanError(ValueError):
    """No plan meets the rules (the message says which request could not be placed)."""


@dataclass(frozen=True)
class Session:
    """One session: day (0 = Monday), start hour, length in hours, setting."""

    day: int
    start: int
    hours: int
    setting: str

    @property
    def begin(self) -> int:
        """Hour of week the session starts."""
        return self.day * 24 + self.start

    def hours_of_week(self) -> list[int]:
        return [(self.begin + k) % HOURS_PER_WEEK for k in range(self.hours)]

    def label(self) -> str:
        end = (self.start + self.hours) % 24
        return f"{DAY_SHORT[self.day]} {self.start:02d}:00-{end:02d}:00 {self.setting}"


@dataclass(frozen=True)
class JobPlanRules:
    """The rules every generated plan obeys (all checked by :func:`validate_job_plan`).

    Attributes
    ----------
    sessions : int
        Sessions a week, admin/CPD included (10 by default).
    max_sessions : int
        No more than this many sessions a week.
    session_hours : int
        Length of every session.
    slot_starts : tuple of int
        Hours at which a session may start (08:00, 13:00, 18:00, 22:00 by default).
    min_admin : int
        At least this many admin/CPD sessions, on weekdays within ``admin_hours``.
    max_sessions_per_day : int
        Sessions starting on one calendar day.
    max_break_hours : int
        A gap up to this long keeps two sessions in one shift (a lunch break).
    min_rest_hours : int
        Any longer gap between sessions must be at least this long (11 hours: Working Time
        Regulations daily rest). The week repeats, so Sunday night runs into Monday.
    max_shift_hours : int
        Longest shift, first start to last end, breaks included.
    max_nights : int
        Sessions touching 22:00-06:00.
    max_weekend_sessions : int
        Sessions touching Saturday or Sunday.
    max_working_days : int
        Days on which a session starts.
    setting_hours : dict
        Setting -> [start, end) hours a session there may cover (end may exceed 24 for
        sessions running past midnight).
    """

    sessions: int = 10
    max_sessions: int = 10
    session_hours: int = 4
    slot_starts: tuple[int, ...] = (8, 13, 18, 22)
    min_admin: int = 1
    admin_hours: tuple[int, int] = (8, 18)
    max_sessions_per_day: int = 2
    max_break_hours: int = 1
    min_rest_hours: int = 11
    max_shift_hours: int = 10
    max_nights: int = 1
    max_weekend_sessions: int = 2
    max_working_days: int = 5
    setting_hours: dict = field(default_factory=lambda: {
        "iucs": (0, 24), "ed": (8, 26), "frailty": (8, 20), "paediatrics": (8, 22)})

    def describe(self) -> list[str]:
        """The rules in words, for the report."""
        return [
            f"{self.sessions} sessions a week (never more than {self.max_sessions}), each "
            f"{self.session_hours} hours, starting at "
            + ", ".join(f"{h:02d}:00" for h in self.slot_starts) + ".",
            f"At least {self.min_admin} admin/CPD session(s), on a weekday between "
            f"{self.admin_hours[0]:02d}:00 and {self.admin_hours[1]:02d}:00.",
            f"At most {self.max_sessions_per_day} sessions starting on one day and at most "
            f"{self.max_working_days} working days.",
            f"Sessions less than {self.min_rest_hours} hours apart must be in one shift (gap "
            f"of {self.max_break_hours} hour or less); shifts last at most "
            f"{self.max_shift_hours} hours; the week repeats, so Sunday runs into Monday.",
            f"At most {self.max_nights} night session(s) (any part between 22:00 and 06:00) "
            f"and {self.max_weekend_sessions} weekend session(s).",
            "Settings' hours: " + "; ".join(
                f"{PLAN_SETTINGS.get(s, s)} " + ("24 hours" if (lo, hi) == (0, 24) else
                                                 f"{lo:02d}:00-{hi % 24:02d}:00")
                for s, (lo, hi) in self.setting_hours.items()) + ".",
        ]


def _allowed_in_setting(s: Session, rules: JobPlanRules) -> bool:
    if s.setting == "admin":
        lo, hi = rules.admin_hours
        return s.day < 5 and s.start >= lo and s.start + s.hours <= hi
    lo, hi = rules.setting_hours.get(s.setting, (0, 24))
    return s.start >= lo and s.start + s.hours <= hi


def validate_job_plan(sessions: list[Session], rules: JobPlanRules,
                      quotas: dict[str, int] | None = None, final: bool = True,
                      check_settings: bool = True) -> list[str]:
    """Every rule the plan breaks, in words (empty when it obeys them all).

    ``final=False`` checks a partial plan: everything except the totals (sessions, admin
    minimum, quotas). ``check_settings=False`` ignores which setting each session is in.
    """
    errs = []
    for s in sessions:
        if not (0 <= s.day < 7 and 0 <= s.start < 24):
            errs.append(f"{s.label()}: not a valid day and hour")
        if s.hours != rules.session_hours:
            errs.append(f"{s.label()}: sessions last {rules.session_hours} hours")
        if s.start not in rules.slot_starts:
            errs.append(f"{s.label()}: sessions start at the set times only")
        if not check_settings:
            continue
        if s.setting not in PLAN_SETTINGS:
            errs.append(f"{s.label()}: unknown setting")
        elif not _allowed_in_setting(s, rules):
            errs.append(f"{s.label()}: outside the hours of {PLAN_SETTINGS[s.setting]}")
    if final:
        if len(sessions) != rules.sessions:
            errs.append(f"{len(sessions)} sessions, not {rules.sessions}")
        n_admin = sum(s.setting == "admin" for s in sessions)
        if n_admin < rules.min_admin:
            errs.append(f"{n_admin} admin/CPD sessions, fewer than {rules.min_admin}")
        if quotas is not None:
            for k, v in quotas.items():
                got = sum(s.setting == k for s in sessions)
                if got != v:
                    errs.append(f"{got} {k} sessions, not {v}")
    if len(sessions) > rules.max_sessions:
        errs.append(f"{len(sessions)} sessions, more than {rules.max_sessions}")
    per_day = np.bincount([s.day % 7 for s in sessions], minlength=7)
    if per_day.max(initial=0) > rules.max_sessions_per_day:
        errs.append(f"more than {rules.max_sessions_per_day} sessions on "
                    f"{DAYS[int(per_day.argmax())]}")
    if int((per_day > 0).sum()) > rules.max_working_days:
        errs.append(f"{int((per_day > 0).sum())} working days, more than "
                    f"{rules.max_working_days}")
    nights = sum(bool(NIGHT_HOURS & {h % 24 for h in s.hours_of_week()}) for s in sessions)
    if nights > rules.max_nights:
        errs.append(f"{nights} night sessions, more than {rules.max_nights}")
    weekend = sum(any(h // 24 >= 5 for h in s.hours_of_week()) for s in sessions)
    if weekend > rules.max_weekend_sessions:
        errs.append(f"{weekend} weekend sessions, more than {rules.max_weekend_sessions}")
    if len(sessions) >= 1:
        order = sorted(sessions, key=lambda s: s.begin)
        gaps = []
        for i, s in enumerate(order):
            nxt = order[(i + 1) % len(order)]
            end = s.begin + s.hours
            start = nxt.begin + (HOURS_PER_WEEK if i == len(order) - 1 else 0)
            gaps.append(start - end)
        for i, g in enumerate(gaps):
            a, b = order[i], order[(i + 1) % len(order)]
            if len(order) == 1:
                if g < 0:
                    errs.append(f"{a.label()}: longer than the week")
                break
            if g < 0:
                errs.append(f"{a.label()} overlaps {b.label()}")
            elif rules.max_break_hours < g < rules.min_rest_hours:
                errs.append(f"only {g} hours rest between {a.label()} and {b.label()}")
        # shifts: chains joined by gaps of at most max_break_hours
        if len(order) > 1:
            joined = [0 <= g <= rules.max_break_hours for g in gaps]
            if all(joined):
                errs.append("no rest break in the whole week")
            else:
                k0 = (joined.index(False) + 1) % len(order)
                i, span_start = k0, None
                for _ in range(len(order)):
                    s = order[i]
                    begin = s.begin + (HOURS_PER_WEEK if i < k0 else 0)
                    if span_start is None:
                        span_start = begin
                    if not joined[i]:
                        length = begin + s.hours - span_start
                        if length > rules.max_shift_hours:
                            errs.append(f"shift from {order[(i - 0) % len(order)].label()} "
                                        f"lasts {length} hours, more than "
                                        f"{rules.max_shift_hours}")
                        span_start = None
                    i = (i + 1) % len(order)
        elif sessions[0].hours > rules.max_shift_hours:
            errs.append(f"{sessions[0].label()}: longer than a shift")
    return errs


def _slot_scores(demand: pd.DataFrame, setting: str, slots: list[tuple[int, int]],
                 hours: int, peak_q: float) -> np.ndarray:
    """Score of each (day, start) slot for a setting: peak demand it covers, then all demand."""
    if setting == "admin":
        tot = np.zeros(HOURS_PER_WEEK)
        for s in SETTINGS:
            if s in demand and demand[s].notna().any():
                d = demand[s].fillna(0).to_numpy(dtype=float)
                tot += d / d.sum() if d.sum() > 0 else 0
        return np.array([-sum(tot[(d * 24 + st + k) % HOURS_PER_WEEK] for k in range(hours))
                         for d, st in slots])
    d = demand[setting].fillna(0).to_numpy(dtype=float) if setting in demand else np.zeros(168)
    peak = peak_mask(d, peak_q)
    pk = d[peak].sum() or 1.0
    tot = d.sum() or 1.0
    return np.array([sum((d[h] / pk if peak[h] else 0.0) + 0.1 * d[h] / tot for h in
                         [(dd * 24 + st + k) % HOURS_PER_WEEK for k in range(hours)])
                     for dd, st in slots])


def peak_mask(values: np.ndarray, q: float = 0.75) -> np.ndarray:
    """Hours of the week in a setting's peak: demand at or above its ``q`` quantile (> 0)."""
    v = np.nan_to_num(np.asarray(values, dtype=float))
    pos = v[v > 0]
    if not len(pos):
        return np.zeros_like(v, dtype=bool)
    return (v >= np.quantile(pos, q)) & (v > 0)


def _day_patterns(rules: JobPlanRules) -> list[tuple[int, ...]]:
    """Sets of slot start hours one day may hold on its own (empty set included)."""
    from itertools import combinations

    pats: list[tuple[int, ...]] = [()]
    for k in range(1, rules.max_sessions_per_day + 1):
        for combo in combinations(sorted(rules.slot_starts), k):
            sessions = [Session(0, st, rules.session_hours, "iucs") for st in combo]
            if not validate_job_plan(sessions, rules, final=False, check_settings=False):
                pats.append(combo)
    return pats


def _assign(slots: list[tuple[int, int]], quotas: dict[str, int],
            score: dict[str, dict[tuple[int, int], float]]):
    """Best assignment of settings to ``slots`` meeting ``quotas`` exactly (DP over quotas).

    Returns (total score, list of settings) or (-inf, None) when no assignment exists.
    """
    names = sorted(quotas)
    memo: dict = {}

    def best(i: int, left: tuple[int, ...]):
        if i == len(slots):
            return (0.0, ()) if not any(left) else (-math.inf, None)
        key = (i, left)
        if key in memo:
            return memo[key]
        out = (-math.inf, None)
        for j, name in enumerate(names):
            if left[j] == 0:
                continue
            v = score[name].get(slots[i])
            if v is None:
                continue
            rest = best(i + 1, left[:j] + (left[j] - 1,) + left[j + 1:])
            if rest[1] is not None and v + rest[0] > out[0]:
                out = (v + rest[0], (name,) + rest[1])
        memo[key] = out
        return out

    total, chosen = best(0, tuple(quotas[n] for n in names))
    return total, (list(chosen) if chosen is not None else None)


def generate_job_plan(demand: pd.DataFrame, quotas: dict[str, int],
                      rules: JobPlanRules | None = None, peak_q: float = 0.75,
                      max_nodes: int = 200_000, max_passes: int = 6) -> list[Session]:
    """A weekly plan with ``quotas`` sessions per setting, placed where demand peaks.

    1. Each day takes one of the slot patterns it may hold alone; a depth-first search over
       the days (Monday to Sunday, best-scoring patterns first) keeps only partial weeks that
       obey every rule, and stops at the first complete week whose slots can carry the quotas.
    2. Settings are assigned to the week's slots exactly (dynamic programme over the quotas
       left), maximising the share of each setting's peak demand covered.
    3. Hill climbing: one day's pattern at a time is swapped for another while that improves
       the score and the week still obeys the rules.

    The finished plan is checked again with :func:`validate_job_plan`, so a returned plan always
    obeys ``rules``.

    Parameters
    ----------
    demand : DataFrame
        168 rows (hour of week), one column per setting (GP-suitable demand).
    quotas : dict
        Setting -> sessions (``admin`` for admin/CPD); must add up to ``rules.sessions``.

    Raises
    ------
    JobPlanError
        When the quotas break a total rule, or no plan obeys the rules.
    """
    rules = rules or JobPlanRules()
    quotas = {k: int(v) for k, v in quotas.items() if int(v) > 0}
    if sum(quotas.values()) != rules.sessions:
        raise JobPlanError(f"quotas add up to {sum(quotas.values())} sessions, not "
                           f"{rules.sessions}")
    if rules.sessions > rules.max_sessions:
        raise JobPlanError(f"{rules.sessions} sessions is more than the maximum "
                           f"{rules.max_sessions}")
    if quotas.get("admin", 0) < rules.min_admin:
        raise JobPlanError(f"at least {rules.min_admin} admin/CPD session(s) needed")
    unknown = set(quotas) - set(PLAN_SETTINGS)
    if unknown:
        raise JobPlanError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    slots = [(d, st) for d in range(7) for st in rules.slot_starts]
    score: dict[str, dict[tuple[int, int], float]] = {}
    for setting in quotas:
        sc = _slot_scores(demand, setting, slots, rules.session_hours, peak_q)
        score[setting] = {sl: float(v) for sl, v in zip(slots, sc, strict=True)
                          if _allowed_in_setting(Session(sl[0], sl[1], rules.session_hours,
                                                         setting), rules)}
    slot_value = {sl: max((score[s].get(sl, -math.inf) for s in quotas), default=-math.inf)
                  for sl in slots}
    pats = _day_patterns(rules)

    def sessions_of(week: list[tuple[int, ...]]) -> list[Session]:
        return [Session(d, st, rules.session_hours, "iucs")
                for d, pat in enumerate(week) for st in pat]

    def week_ok(week) -> bool:
        return not validate_job_plan(sessions_of(week), rules, final=False,
                                     check_settings=False)

    def week_slots(week) -> list[tuple[int, int]]:
        return [(d, st) for d, pat in enumerate(week) for st in pat]

    max_day = max(len(p) for p in pats)
    nodes = 0
    found: list | None = None

    def dfs(week: list[tuple[int, ...]], n: int) -> bool:
        nonlocal nodes, found
        d = len(week)
        if d == 7:
            if n == rules.sessions and _assign(week_slots(week), quotas, score)[1] is not None:
                found = list(week)
                return True
            return False
        order = sorted(pats, key=lambda p: -sum(slot_value[(d, st)] for st in p)
                       if p else math.inf)
        for p in order:
            if n + len(p) > rules.sessions or n + len(p) + max_day * (6 - d) < rules.sessions:
                continue
            nodes += 1
            if nodes > max_nodes:
                return False
            week.append(p)
            if week_ok(week) and dfs(week, n + len(p)):
                return True
            week.pop()
        return False

    dfs([], 0)
    if found is None:
        why = "search limit reached" if nodes > max_nodes else "no week obeys the rules"
        raise JobPlanError(f"no job plan found for {quotas} ({why})")
    week = found
    best_score, best_assign = _assign(week_slots(week), quotas, score)
    for _ in range(max_passes):
        improved = False
        # moves: one day's pattern for another of the same size, or two days' patterns
        # together (sessions move between days, the weekly total stays the same)
        for d1 in range(7):
            for d2 in range(d1, 7):
                size = len(week[d1]) + (len(week[d2]) if d2 != d1 else 0)
                for p1 in pats:
                    for p2 in (pats if d2 != d1 else [None]):
                        if len(p1) + (len(p2) if p2 is not None else 0) != size:
                            continue
                        trial = list(week)
                        trial[d1] = p1
                        if p2 is not None:
                            trial[d2] = p2
                        if trial == week or not week_ok(trial):
                            continue
                        sc, assign = _assign(week_slots(trial), quotas, score)
                        if assign is not None and sc > best_score + 1e-12:
                            week, best_score, best_assign = trial, sc, assign
                            improved = True
        if not improved:
            break
    plan = [Session(d, st, rules.session_hours, setting)
            for (d, st), setting in zip(week_slots(week), best_assign, strict=True)]
    problems = validate_job_plan(plan, rules, quotas)
    if problems:  # defensive: every step above keeps the rules
        raise JobPlanError("; ".join(problems))
    return sorted(plan, key=lambda s: s.begin)


def plan_grid(sessions: list[Session]) -> np.ndarray:
    """168-long array of the setting worked in each hour of the week ('' when off)."""
    grid = np.full(HOURS_PER_WEEK, "", dtype=object)
    for s in sessions:
        for h in s.hours_of_week():
            grid[h] = s.setting
    return grid


def plan_coverage(sessions: list[Session], demand: pd.DataFrame, peak_q: float = 0.75
                  ) -> pd.DataFrame:
    """Share of each setting's peak demand falling in hours the plan works in that setting.

    Peak hours are those at or above the ``peak_q`` quantile of the setting's (non-zero)
    hourly demand. Also returns the share of all the setting's weekly demand covered.
    """
    grid = plan_grid(sessions)
    rows = []
    for s, label in SETTINGS.items():
        if s not in demand or demand[s].isna().all():
            continue
        d = demand[s].fillna(0).to_numpy(dtype=float)
        peak = peak_mask(d, peak_q)
        on = grid == s
        rows.append({"setting": label, "sessions": sum(x.setting == s for x in sessions),
                     "peak_hours": int(peak.sum()), "peak_hours_covered": int((peak & on).sum()),
                     "peak_demand_covered": d[peak & on].sum() / d[peak].sum()
                     if d[peak].sum() > 0 else math.nan,
                     "demand_covered": d[on].sum() / d.sum() if d.sum() > 0 else math.nan})
    return pd.DataFrame(rows)


# =============================================================================================
# Costs
# =============================================================================================
@dataclass(frozen=True)
class CostParams:
    """Cost assumptions (see docs/urgent_care_data.md for sources).

    The LLR GP workforce plan's basis: a salaried GP costs about GBP 112,000 a year for
    9 sessions (GBP 10,000 per session per year plus pension and indemnity); a locum up to
    45% more.
    """

    sessions_per_week: int = 10
    admin_sessions_per_week: int = 1
    salary_per_session: float = 10_000.0
    employer_ni_rate: float = 0.15
    ni_threshold: float = 5_000.0
    employer_pension_rate: float = 0.1438
    indemnity: float = 2_000.0
    training_costs: float = 1_000.0
    annual_leave_days: float = 30.0
    bank_holiday_days: float = 8.0
    study_leave_days: float = 5.0
    session_hours: float = 4.0
    sessional_rate_per_hour: float = 100.0
    locum_premium: float = 0.45
    llr_cost_per_wte: float = 112_000.0
    llr_sessions_per_wte: int = 9

    def with_(self, **kw) -> CostParams:
        return replace(self, **kw)


def salaried_cost(p: CostParams) -> dict:
    """Annual cost of the salaried post and what it delivers."""
    salary = p.salary_per_session * p.sessions_per_week
    ni = max(salary - p.ni_threshold, 0.0) * p.employer_ni_rate
    pension = salary * p.employer_pension_rate
    total = salary + ni + pension + p.indemnity + p.training_costs
    days_off = p.annual_leave_days + p.bank_holiday_days + p.study_leave_days
    weeks = 52.0 - days_off / 5.0  # leave is in days of a five-day week
    clinical = p.sessions_per_week - p.admin_sessions_per_week
    delivered = clinical * weeks
    return {"salary": salary, "employer_ni": ni, "employer_pension": pension,
            "indemnity": p.indemnity, "training": p.training_costs, "total": total,
            "working_weeks": weeks, "clinical_sessions_per_week": clinical,
            "clinical_sessions_per_year": delivered,
            "cost_per_clinical_session": total / delivered if delivered else math.inf}


def role_costs(p: CostParams) -> pd.DataFrame:
    """Cost per delivered clinical session and per year, salaried against sessional and locum.

    Each option is costed for the clinical sessions the salaried post delivers in a year.
    """
    sal = salaried_cost(p)
    n = sal["clinical_sessions_per_year"]
    sessional = p.sessional_rate_per_hour * p.session_hours
    locum = sal["cost_per_clinical_session"] * (1 + p.locum_premium)
    llr = p.llr_cost_per_wte / p.llr_sessions_per_wte
    rows = [
        ("Salaried Extended Portfolio GP (this role)", sal["cost_per_clinical_session"],
         sal["total"]),
        ("Sessional GP (paid per session)", sessional, sessional * n),
        (f"Locum GP (salaried + {p.locum_premium:.0%}, LLR basis)", locum, locum * n),
        ("LLR plan basis: salaried GP (GBP 112,000 / 9 sessions, per session per year)",
         llr / sal["working_weeks"], llr / sal["working_weeks"] * n),
    ]
    out = pd.DataFrame(rows, columns=["option", "cost_per_clinical_session", "cost_per_year"])
    out["difference_vs_salaried"] = out["cost_per_year"] - sal["total"]
    return out


def break_even(p: CostParams) -> pd.DataFrame:
    """Sessions a week the salaried post must take from sessional or locum cover to pay for
    itself (during its working weeks), against the clinical sessions it offers."""
    sal = salaried_cost(p)
    rows = []
    for name, rate in (("Sessional", p.sessional_rate_per_hour * p.session_hours),
                       ("Locum", sal["cost_per_clinical_session"] * (1 + p.locum_premium))):
        k = sal["total"] / (rate * sal["working_weeks"])
        rows.append({"replacing": name, "rate_per_session": rate,
                     "break_even_sessions_per_week": k,
                     "clinical_sessions_per_week": sal["clinical_sessions_per_week"],
                     "breaks_even": k <= sal["clinical_sessions_per_week"]})
    return pd.DataFrame(rows)


def cost_base_effect(gp_sessions_per_week: float, iucs_sessions_per_post: float,
                     p: CostParams, posts=(0, 1, 2, 3), locum_share: float = 0.2
                     ) -> pd.DataFrame:
    """An IUCS provider's annual GP cost with 0, 1, 2 ... salaried posts.

    The provider needs ``gp_sessions_per_week`` GP sessions every week of the year, bought
    sessionally (``locum_share`` of them at locum rates). Each post works
    ``iucs_sessions_per_post`` IUCS sessions in its working weeks and is charged to the
    provider pro rata to those sessions (the rest of the post is hospital sessions).
    """
    sal = salaried_cost(p)
    sessional = p.sessional_rate_per_hour * p.session_hours
    locum = sal["cost_per_clinical_session"] * (1 + p.locum_premium)
    blended = (1 - locum_share) * sessional + locum_share * locum
    need = gp_sessions_per_week * 52
    rows = []
    for n in posts:
        covered = min(n * iucs_sessions_per_post * sal["working_weeks"], need)
        charged = n * sal["total"] * (iucs_sessions_per_post /
                                      sal["clinical_sessions_per_week"])
        bought = (need - covered) * blended
        rows.append({"posts": n, "sessions_by_posts": covered, "sessions_bought": need - covered,
                     "cost_of_posts": charged, "cost_of_bought_sessions": bought,
                     "total": charged + bought})
    out = pd.DataFrame(rows)
    out["change_vs_none"] = out["total"] - out["total"].iloc[0]
    out["change_pct"] = out["change_vs_none"] / out["total"].iloc[0] if out["total"].iloc[0] \
        else math.nan
    return out


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
    dependent : dict
        Count column -> columns derived from it (shares, means) blanked with it.
    """
    from analysis.report import disclosure as disclosure

    threshold = disclosure.threshold() if threshold is None else threshold
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
