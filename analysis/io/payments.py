"""*NHS Payments to General Practice*, practice-level CSV: the practice reference.

One CSV per financial year, one row per organisation paid. The layout has changed over the
years and :func:`read_payments` reads each as published:

* geography: ``CCG Code``/``CCG NAME`` (to 2021-22), ``Sub ICB Code``/``Sub ICB NAME`` (from
  2022-23), ``PCN Code``/``PCN Name`` (from 2019-20); all mapped to the standard names
  (``ccg_code``, ``sub_icb_code``, ``pcn_code``...);
* list size: ``Number of Registered Patients (Last Known Figure)`` (in 2018-19 and 2020-21 it
  already holds quarterly averages such as 4095.25) or ``Average Number of Registered Patients``
  (from 2022-23); ``registered_patients`` is whole (``Int64``) when every value is, else
  ``Float64``; ``attrs['patients_measure']`` says which column it was;
* encoding: UTF-8 with or without a byte-order mark, else Windows-1252 / latin-1;
* open dates: blank for almost every practice in 2015-16; a blank date is unknown (``NaT``) and
  counted in ``attrs['open_date_missing']``;
* contract types: GMS, PMS, APMS as published; 'Unknown' (and blank) is missing, counted in
  ``attrs['contract_type_unknown']``; any other value is kept as written (upper case);
* organisations that are not GP practices (walk-in centres, out-of-hours units) are kept: the
  file's ``Practice type`` is kept as ``practice_type`` and ``is_gp_practice`` says whether it is
  'GP practice' (both only when the file has that column); closed practices and those with no
  patients are kept too and counted in ``attrs``. Nothing is dropped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.io import readers
from analysis.io.arrowcsv import encoding_of, read_text
from analysis.io.schema import Column, DataFrameSchema, in_range, validate
from analysis.util.errors import InputError

# our name -> the names it has had in the published files (matched ignoring case and spacing)
ALIASES: dict[str, tuple[str, ...]] = {
    "region_code": ("NHS England (Region) code",),
    "region_name": ("NHS England (Region) Name",),
    "ccg_code": ("CCG Code",),
    "ccg_name": ("CCG NAME",),
    "sub_icb_code": ("Sub ICB Code", "Sub ICB Location Code", "Sub-ICB Code"),
    "sub_icb_name": ("Sub ICB NAME", "Sub ICB Location Name", "Sub-ICB Name"),
    "icb_code": ("ICB Code",),
    "icb_name": ("ICB NAME",),
    "pcn_code": ("PCN Code",),
    "pcn_name": ("PCN Name",),
    "practice_code": ("Practice Code",),
    "practice_name": ("Practice Name",),
    "postcode": ("Practice Postcode",),
    "open_date": ("Practice Open Date",),
    "close_date": ("Practice Close Date",),
    "contract_type": ("Contract Type",),
    "dispensing": ("Dispensing Practice",),
    "practice_type": ("Practice Type",),
    "rurality": ("Practice Rurality",),
    "registered_patients": ("Number of Registered Patients (Last Known Figure)",
                            "Average Number of Registered Patients"),
    "weighted_patients": ("Number of Weighted Patients (Last Known Figure)",
                          "Average Number of Weighted Patients"),
}
# output order (those the file has); the geography code the reference needs is one of these
ORDER = ["region_code", "region_name", "ccg_code", "ccg_name", "sub_icb_code", "sub_icb_name",
         "icb_code", "icb_name", "pcn_code", "pcn_name", "practice_code", "practice_name",
         "postcode", "open_date", "close_date", "contract_type", "dispensing", "practice_type",
         "rurality", "registered_patients", "weighted_patients"]
REQUIRED = ["practice_code", "open_date", "close_date", "contract_type", "registered_patients"]
AREA_CODES = ("ccg_code", "sub_icb_code")
CONTRACT_TYPES = frozenset({"GMS", "PMS", "APMS"})
UNKNOWN = frozenset({"", "ND", "NA", "UNKNOWN"})
MAX_PATIENTS = 200_000

SCHEMA = DataFrameSchema({
    "practice_code": Column(str, nullable=False),
    "registered_patients": Column(checks=in_range(0, MAX_PATIENTS, "a number of registered "
                                                  f"patients from 0 to {MAX_PATIENTS:,}"),
                                  nullable=True, required=True),
    "weighted_patients": Column(checks=in_range(0, 1.5 * MAX_PATIENTS, "a number of weighted "
                                                f"patients from 0 to {1.5 * MAX_PATIENTS:,.0f}"),
                                nullable=True, required=False),
}, strict=False)


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _resolve(path: Path, header: list[str]) -> dict[str, tuple[int, str]]:
    """Our name -> (position, name as published) of each column the file has."""
    by_key = {_key(h): (i, h) for i, h in enumerate(header)}
    found = {}
    for ours, names in ALIASES.items():
        hit = next((by_key[_key(n)] for n in names if _key(n) in by_key), None)
        if hit is not None:
            found[ours] = hit
    for ours in REQUIRED:
        if ours not in found:
            raise InputError(path, "required column missing; expected an NHS Payments to "
                             "General Practice practice-level CSV", row=1,
                             column=ALIASES[ours][0])
    if not any(c in found for c in AREA_CODES):
        raise InputError(path, "required column missing (or 'Sub ICB Code' in files from "
                         "2022-23); expected an NHS Payments to General Practice practice-level "
                         "CSV", row=1, column="CCG Code")
    return found


def read_payments(path) -> pd.DataFrame:
    """Read an NHS Payments to General Practice practice-level CSV of any year.

    Parameters
    ----------
    path : str or Path
        The CSV as downloaded (``nhspaymentsgp-YY-YY-prac-csv.csv``).

    Returns
    -------
    DataFrame
        One row per organisation, columns in :data:`ORDER` (those the file has), plus
        ``is_gp_practice`` (boolean) when the file has ``Practice type``; payment lines are not
        read. ``attrs``: ``path``, ``source``, ``encoding``, ``patients_measure`` ('last known'
        or 'average'), ``patients_column``, and counts ``open_date_missing``,
        ``contract_type_unknown``, ``contract_type_other``, ``closed``, ``no_patients``,
        ``not_gp_practice``.

    Raises
    ------
    InputError
        One line naming file, row and column: a required column missing, a value that is not a
        number or a date, patients out of range, a practice twice, a close date before the open
        date.
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        readers._read_header(path, "latin-1")  # raises: not found / empty
    data = path.read_bytes()
    encoding = encoding_of(data)
    header = readers._read_header(path, encoding)
    found = _resolve(path, header)
    readers.check_field_counts(path)
    wanted = {i: ours for ours, (i, _) in sorted(found.items(), key=lambda kv: kv[1][0])}
    raw, _ = read_text(data, path, wanted, len(header))
    raw = raw[(raw != "").any(axis=1)]  # blank lines read as empty rows
    named = {ours: name for ours, (_, name) in found.items()}
    out = pd.DataFrame(index=raw.index)
    for c in [c for c in ORDER if c in raw.columns]:
        if c in ("open_date", "close_date"):
            out[c] = readers.parse_dates(raw[c], path, named[c])
        elif c in ("registered_patients", "weighted_patients"):
            out[c] = readers.parse_numeric(raw[c], path, named[c])
        else:
            out[c] = raw[c].astype("string").str.strip()
    _check(out, path, named)
    patients = out["registered_patients"]
    if (patients.dropna() == patients.dropna().round()).all():
        out["registered_patients"] = patients.astype("Int64")
    out["practice_code"] = out["practice_code"].str.upper()
    ct = out["contract_type"].str.upper()
    out["contract_type"] = ct.where(~ct.isin(UNKNOWN))
    if "practice_type" in out:
        kind = out["practice_type"].where(out["practice_type"] != "")
        out["is_gp_practice"] = (kind.str.lower() == "gp practice").astype("boolean")
    _check_rows(out, path, named)
    other = out["contract_type"].dropna()
    other = other[~other.isin(CONTRACT_TYPES)]
    out.attrs.update(
        path=str(path), source=path.name, encoding=encoding,
        patients_column=named["registered_patients"],
        patients_measure="average" if _key(named["registered_patients"]).startswith("average")
        else "last known",
        open_date_missing=int(out["open_date"].isna().sum()),
        contract_type_unknown=int(out["contract_type"].isna().sum()),
        contract_type_other={str(k): int(v) for k, v in other.value_counts().items()},
        closed=int(out["close_date"].notna().sum()),
        no_patients=int((out["registered_patients"].fillna(0) == 0).sum()),
        not_gp_practice=int((~out["is_gp_practice"]).sum()) if "is_gp_practice" in out else None,
    )
    return out


def _check(out: pd.DataFrame, path: Path, named: dict[str, str]) -> None:
    """The declared ranges, an error naming the file's own column."""
    frame = out.set_axis(out.index + 2)
    try:
        validate(frame, SCHEMA, path, numbered=True)
    except InputError as exc:
        raise InputError(path, exc.message, row=exc.row,
                         column=named.get(exc.column, exc.column)) from None


def _check_rows(out: pd.DataFrame, path: Path, named: dict[str, str]) -> None:
    """Blank or repeated practice codes; a close date before the open date."""
    code = out["practice_code"]
    blank = code.isna() | (code == "")
    if blank.any():
        i = int(blank.idxmax())
        raise InputError(path, "practice code is blank", row=i + 2,
                         column=named["practice_code"])
    dup = code.duplicated()
    if dup.any():
        i = int(dup.idxmax())
        raise InputError(path, f"practice {code[i]} appears more than once", row=i + 2,
                         column=named["practice_code"])
    wrong = (out["close_date"] < out["open_date"]).fillna(False).astype(bool)
    if wrong.any():
        i = int(wrong.idxmax())
        raise InputError(path, "close date is before open date", row=i + 2,
                         column=named["close_date"])
