"""Readers of the urgent-care inputs (notebook 04).

Every problem is an :class:`analysis.util.errors.InputError` naming the file, the row (header =
row 1) and the column.

* :func:`read_iucs_cases`: a provider's case-level Integrated Urgent Care Service extract
  (format in ``docs/urgent_care_data.md``; ``.csv`` or ``.csv.gz``);
* :func:`read_iucadc`: NHS England's IUC ADC CSV in its published long format;
* :func:`read_ecds_time_of_day`: NHS England's A&E "attendances by time of day" table,
  preamble rows included.

Hour of week (``how``) counts from Monday 00:00 (0) to Sunday 23:00 (167).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.io.readers import (
    ZIP_MAGIC,
    check_field_counts,
    parse_numeric,
    validate_header,
    zip_not_csv,
)
from analysis.util.errors import InputError

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAY_SHORT = [d[:3] for d in DAYS]
HOURS_PER_WEEK = 168

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
# IUC ADC: columns and item numbers (../shared/reference/README.md)
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
_PERIOD = re.compile(r"IUCADC-MONTHLY-([A-Z]{3})-(\d{4})")
_MONTHS = {m.upper(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


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
    """The decoding error, naming the row of the first bad byte (plain files; not gzip; a
    zip file is :func:`~analysis.io.readers.zip_not_csv`)."""
    data = path.read_bytes()
    if data.startswith(ZIP_MAGIC):
        return zip_not_csv(path, "UTF-8")
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
    return validate_header(path, header)


def _header_columns(path: Path, case, required, expected: str) -> dict[str, str]:
    """The file's header as ``{case(name): name}`` once the file and every ``required`` column
    (given in ``case``) are there; otherwise an :class:`InputError` on row 1 naming the column
    and ``expected`` (what the file should be)."""
    _check_file(path)
    named = {case(h): h for h in _header(path)}
    for c in required:
        if c not in named:
            raise InputError(path, f"required column missing; expected {expected}", row=1,
                             column=c)
    return named


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
    low = _header_columns(path, str.lower, CASE_COLUMNS,
                          "a case-level IUCS extract (see docs/urgent_care_data.md)")
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
    up = _header_columns(path, str.upper, IUCADC_REQUIRED,
                         f"the IUC ADC long format ({', '.join(IUCADC_COLUMNS)})")
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


