"""*Patients Registered at a GP Practice* (NHS England, monthly), as downloaded.

* :func:`read_patients_registered`: ``gp-reg-pat-prac-all.csv``, one total per practice; CCG
  layout (``CCG_CODE``, to mid-2022) or sub-ICB layout (``SUB_ICB_LOCATION_CODE``).
* :func:`read_patients_quinary`: ``gp-reg-pat-prac-quin-age.csv`` (or its zip), patients by
  practice, sex and five-year age band; the rows for PCNs, sub-ICBs, ICBs and regions in the same
  file are not read.
* :func:`read_practice_map`: ``gp-reg-pat-prac-map.csv`` (or its zip), practice -> PCN ->
  sub-ICB (CCG in older releases) -> ICB (STP) -> region, codes and names.

Column names are mapped onto the standard ones (``practice_code``, ``sub_icb_code``,
``ccg_code``, ``region_code``...). ``attrs['period']`` is the ``YYYY-MM`` of the file's
``EXTRACT_DATE`` (written ``01JAN2021``, ``2025-10-01`` or ``01Jul2026`` by release).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis.io.archive import Source, pick
from analysis.io.arrowcsv import check_text, read_text
from analysis.io.readers import parse_numeric
from analysis.io.schema import Check, Column, DataFrameSchema, in_range, validate
from analysis.util.errors import InputError

MAX_PATIENTS = 200_000
EXTRACT_FORMATS = ("%d%b%Y", "%Y-%m-%d", "%d/%m/%Y")
AGE_BANDS = tuple(f"{a}_{a + 4}" for a in range(0, 95, 5)) + ("95+",)

GEOGRAPHY = {  # file's name -> standard name
    "CCG_CODE": "ccg_code", "CCG_NAME": "ccg_name",
    "SUB_ICB_LOCATION_CODE": "sub_icb_code", "SUB_ICB_LOCATION_NAME": "sub_icb_name",
    "SUB_ICB_CODE": "sub_icb_code", "SUB_ICB_NAME": "sub_icb_name",
    "STP_CODE": "stp_code", "STP_NAME": "stp_name", "ICB_CODE": "icb_code", "ICB_NAME": "icb_name",
    "PCN_CODE": "pcn_code", "PCN_NAME": "pcn_name",
    "COMM_REGION_CODE": "region_code", "COMM_REGION_NAME": "region_name",
    "REGION_CODE": "region_code", "REGION_NAME": "region_name",
}
GEO_ORDER = ["pcn_code", "pcn_name", "ccg_code", "ccg_name", "sub_icb_code", "sub_icb_name",
             "stp_code", "stp_name", "icb_code", "icb_name", "region_code", "region_name"]
PRACTICE = {"CODE": "practice_code", "PRACTICE_CODE": "practice_code",
            "PRACTICE_NAME": "practice_name", "POSTCODE": "postcode",
            "PRACTICE_POSTCODE": "postcode"}
TOTALS = {**PRACTICE, **GEOGRAPHY, "EXTRACT_DATE": "extract_date", "TYPE": "type", "SEX": "sex",
          "AGE": "age", "NUMBER_OF_PATIENTS": "number_of_patients",
          "TOTAL_ALL": "number_of_patients", "TOTAL_MALE": "male", "TOTAL_FEMALE": "female"}
QUINARY = {"EXTRACT_DATE": "extract_date", "ORG_TYPE": "org_type", "ORG_CODE": "practice_code",
           "SEX": "sex", "AGE_GROUP_5": "age_band", "NUMBER_OF_PATIENTS": "patients"}
MAP = {**PRACTICE, **GEOGRAPHY, "EXTRACT_DATE": "extract_date"}

_patients = in_range(0, MAX_PATIENTS, f"a number of patients from 0 to {MAX_PATIENTS:,}")
_code = Check.str_matches(r"^[A-Z0-9]{3,6}$", error="a practice code such as A81001")
TOTALS_SCHEMA = DataFrameSchema({
    "practice_code": Column(str, _code, unique=True, nullable=False),
    "number_of_patients": Column(checks=_patients, nullable=False),
    "male": Column(checks=_patients, nullable=True, required=False),
    "female": Column(checks=_patients, nullable=True, required=False),
})
QUINARY_SCHEMA = DataFrameSchema({
    "practice_code": Column(str, _code, nullable=False),
    "sex": Column(str, Check.isin(["female", "male"], error="sex MALE or FEMALE")),
    "age_band": Column(str, Check.isin(AGE_BANDS, error="an age band such as 0_4 or 95+")),
    "patients": Column(checks=_patients, nullable=False),
}, unique=["practice_code", "sex", "age_band"])
MAP_SCHEMA = DataFrameSchema({
    "practice_code": Column(str, _code, unique=True, nullable=False),
})


def _source(path, needs: set[str], expected: str) -> Source:
    def accepts(header: list[str]) -> bool:
        names = {h.upper() for h in header}
        return all(any(n in names for n in alts.split("|")) for alts in needs)
    return pick(path, accepts, expected)


def _read(src: Source, names: dict[str, str], expected: str) -> pd.DataFrame:
    """The columns of ``src`` named in ``names`` (file name -> ours) as text, index = row - 2."""
    data = src.read_bytes()
    check_text(data, src.label, expected)
    upper = [h.upper() for h in src.header]
    wanted: dict[int, str] = {}
    for i, h in enumerate(upper):
        if h in names and names[h] not in wanted.values():
            wanted[i] = names[h]
    raw, _ = read_text(data, src.label, wanted, len(src.header))
    return raw.apply(lambda s: s.str.strip())


def _file_names(src: Source, names: dict[str, str]) -> dict[str, str]:
    """The file's own header name of each column read (file name -> ours)."""
    return {h: names[h.upper()] for h in src.header if h.upper() in names}


def _period(raw: pd.DataFrame, label) -> str | None:
    """'YYYY-MM' of the one EXTRACT_DATE in the file (None without that column)."""
    if "extract_date" not in raw:
        return None
    values = raw["extract_date"].unique()
    if len(values) != 1:
        i = int((raw["extract_date"] != raw["extract_date"].iloc[0]).idxmax())
        raise InputError(label, f"expected one extract date in the file, found "
                         f"{raw['extract_date'].iloc[0]!r} and {raw.loc[i, 'extract_date']!r}",
                         row=i + 2, column="EXTRACT_DATE")
    for fmt in EXTRACT_FORMATS:
        day = pd.to_datetime(values[0], format=fmt, errors="coerce")
        if pd.notna(day):
            return day.strftime("%Y-%m")
    raise InputError(label, f"expected an extract date such as 01JAN2021 or 2025-10-01, found "
                     f"{values[0]!r}", row=2, column="EXTRACT_DATE")


def _counts(raw: pd.DataFrame, label, columns: dict[str, str]) -> pd.DataFrame:
    for c, name in columns.items():
        if c in raw:
            raw[c] = parse_numeric(raw[c], label, name, integer=True)
    return raw


def _finish(out: pd.DataFrame, schema, label, period, whole: list[str],
            names: dict[str, str]) -> pd.DataFrame:
    """Validated (an error names the file's own column), counts as int, ``attrs`` set."""
    try:
        validate(out.set_axis(out.index + 2), schema, label, numbered=True)
    except InputError as exc:
        published = {v: k for k, v in names.items()}
        raise InputError(label, exc.message, row=exc.row,
                         column=published.get(exc.column, exc.column)) from None
    for c in whole:
        if c in out and not out[c].isna().any():
            out[c] = out[c].astype("int64")
    out = out.reset_index(drop=True)
    out.attrs.update(source=label, period=period)
    return out


def read_patients_registered(path) -> pd.DataFrame:
    """Patients registered at each GP practice, from ``gp-reg-pat-prac-all.csv``.

    Parameters
    ----------
    path : str or Path
        The CSV as downloaded, or a zip holding it.

    Returns
    -------
    DataFrame
        One row per practice: ``practice_code``, ``practice_name`` and ``postcode`` (where
        given), the geography columns the file has (``ccg_code`` or ``sub_icb_code``...),
        ``number_of_patients`` (int) and ``male``/``female`` where the file gives them.
        ``attrs``: ``source``, ``period`` ('YYYY-MM').

    Raises
    ------
    InputError
        Not this file (one line saying what was expected), a count that is not a whole number
        from 0 to 200,000, a practice twice, several extract dates.
    """
    expected = ("Patients Registered at a GP Practice totals CSV (gp-reg-pat-prac-all.csv: "
                "CODE and NUMBER_OF_PATIENTS)")
    src = _source(path, {"CODE|PRACTICE_CODE", "NUMBER_OF_PATIENTS|TOTAL_ALL"}, expected)
    raw = _read(src, TOTALS, expected)
    period = _period(raw, src.label)
    raw = _counts(raw, src.label, {"number_of_patients": "NUMBER_OF_PATIENTS", "male": "TOTAL_MALE",
                                   "female": "TOTAL_FEMALE"})
    if "type" in raw:
        raw = raw[raw["type"].str.upper() == "GP"]
    if "sex" in raw:  # long layout: the ALL/ALL row is the total, MALE/FEMALE rows split it
        sex = raw["sex"].str.upper()
        age = raw["age"].str.upper() if "age" in raw else pd.Series("ALL", index=raw.index)
        total = raw[(sex == "ALL") & (age == "ALL")]
        out = total.drop(columns=[c for c in ("sex", "age", "type", "extract_date")
                                  if c in total])
        for s in ("male", "female"):
            part = raw[(sex == s.upper()) & (age == "ALL")]
            if len(part):
                out[s] = out["practice_code"].map(
                    part.set_index("practice_code")["number_of_patients"]).astype("Int64")
    else:
        out = raw.drop(columns=[c for c in ("type", "extract_date") if c in raw])
    order = ["practice_code", "practice_name", "postcode",
             *GEO_ORDER,
             "number_of_patients", "male", "female"]
    return _finish(out[[c for c in order if c in out]], TOTALS_SCHEMA, src.label, period,
                   ["number_of_patients", "male", "female"], _file_names(src, TOTALS))


def read_patients_quinary(path) -> pd.DataFrame:
    """Patients by practice, sex and five-year age band (``gp-reg-pat-prac-quin-age``).

    Parameters
    ----------
    path : str or Path
        The zip as downloaded, or the CSV in it.

    Returns
    -------
    DataFrame
        Long: ``practice_code, sex ('female'/'male'), age_band ('0_4' ... '90_94', '95+'),
        patients`` (int), one row per practice, sex and band; the file's practice totals (sex
        and age 'ALL') and the rows for other organisation types are left out. ``attrs``:
        ``source``, ``period``, ``practices``.
    """
    expected = ("Patients Registered at a GP Practice quinary age CSV "
                "(gp-reg-pat-prac-quin-age.csv: ORG_CODE, SEX, AGE_GROUP_5, NUMBER_OF_PATIENTS)")
    src = _source(path, {"ORG_CODE", "SEX", "AGE_GROUP_5", "NUMBER_OF_PATIENTS"}, expected)
    raw = _read(src, QUINARY, expected)
    period = _period(raw, src.label)
    if "org_type" in raw:
        raw = raw[raw["org_type"].str.upper() == "GP"]
    sex = raw["sex"].str.upper()
    raw = raw[(sex != "ALL") & (raw["age_band"].str.upper() != "ALL")].copy()
    raw["sex"] = raw["sex"].str.lower()
    raw = _counts(raw, src.label, {"patients": "NUMBER_OF_PATIENTS"})
    out = _finish(raw[["practice_code", "sex", "age_band", "patients"]], QUINARY_SCHEMA,
                  src.label, period, ["patients"], _file_names(src, QUINARY))
    out.attrs["practices"] = int(out["practice_code"].nunique())
    return out


def read_practice_map(path) -> pd.DataFrame:
    """Practice -> PCN -> sub-ICB -> ICB -> region (``gp-reg-pat-prac-map``).

    Parameters
    ----------
    path : str or Path
        The zip as downloaded, or the CSV in it.

    Returns
    -------
    DataFrame
        One row per practice: ``practice_code, practice_name, postcode, pcn_code, pcn_name,
        sub_icb_code, sub_icb_name, icb_code, icb_name, region_code, region_name`` (older
        releases: ``ccg_*`` and ``stp_*``), those the file has. ``attrs``: ``source``,
        ``period``.
    """
    expected = ("Patients Registered at a GP Practice mapping CSV (gp-reg-pat-prac-map.csv: "
                "PRACTICE_CODE, PCN_CODE and SUB_ICB_LOCATION_CODE or CCG_CODE)")
    src = _source(path, {"PRACTICE_CODE", "PCN_CODE", "SUB_ICB_LOCATION_CODE|CCG_CODE"},
                  expected)
    raw = _read(src, MAP, expected)
    period = _period(raw, src.label)
    order = ["practice_code", "practice_name", "postcode", *GEO_ORDER]
    return _finish(raw[[c for c in order if c in raw]], MAP_SCHEMA, src.label, period, [],
                   _file_names(src, MAP))


READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "gp-reg-pat-prac-all": read_patients_registered,
    "gp-reg-pat-prac-quin-age": read_patients_quinary,
    "gp-reg-pat-prac-map": read_practice_map,
}
