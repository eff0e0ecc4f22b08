"""ODS GP practices file ``epraccur`` (NHS Business Services Authority via ODS), as downloaded.

``epraccur.zip`` holds ``epraccur.csv``: no header row, 27 fields a row (the ODS "standard 27
field format"), every value quoted. The fields (the specification PDF shipped with it):

 1 organisation code, 2 name, 3 national grouping, 4 high level health geography,
 5-9 address lines 1-5, 10 postcode, 11 open date (YYYYMMDD), 12 close date,
 13 status code (A active, C closed, D dormant: no practitioners linked, P proposed: listed
 before it opens), 14 organisation sub-type (B allocated to a provider/purchaser, Z not),
 15 commissioner (the parent CCG or health board), 16 join and 17 left provider/purchaser dates,
 18 contact telephone number, 22 amended record indicator, 24 provider/purchaser,
 26 prescribing setting (0 other, 1 walk-in centre, 2 out of hours, 3 walk-in + out of hours,
 4 GP practice, 8 public health service, 9 community health service, 10 hospital service,
 11 optometry, 12 urgent and emergency care, 13 hospice, 14 care home, 15 border force,
 16 young offender institution, 17 secure training centre, 18 secure children's home,
 19 immigration removal centre, 20 court, 21 police custody, 22 sexual assault referral
 centre, 24 other justice estate, 25 prison); 19-21, 23, 25 and 27 are empty.

The file lists prescribing cost centres, not only GP practices: only setting 4 is a GP
practice. :func:`gp_practices_open_on` gives the GP practices open on a date and lists every
other row with the reason it was left out.
"""

from __future__ import annotations

import pandas as pd

from analysis.io.archive import pick
from analysis.io.arrowcsv import check_text, read_text
from analysis.io.schema import Check, Column, DataFrameSchema, in_range, validate
from analysis.util.errors import InputError

N_FIELDS = 27
GP_PRACTICE = 4
STATUS = {"A": "active", "C": "closed", "D": "dormant", "P": "proposed"}
SETTINGS = {0: "other", 1: "walk-in centre", 2: "out of hours", 3: "walk-in and out of hours",
            4: "GP practice", 8: "public health service", 9: "community health service",
            10: "hospital service", 11: "optometry service", 12: "urgent and emergency care",
            13: "hospice", 14: "care home / nursing home", 15: "border force",
            16: "young offender institution", 17: "secure training centre",
            18: "secure children's home", 19: "immigration removal centre", 20: "court",
            21: "police custody", 22: "sexual assault referral centre",
            24: "other justice estate", 25: "prison"}
FIELDS = {  # 0-based position -> our name (field number = position + 1)
    0: "practice_code", 1: "practice_name", 2: "national_grouping",
    3: "high_level_health_geography", 9: "postcode", 10: "open_date", 11: "close_date",
    12: "status", 13: "organisation_subtype", 14: "commissioner_code", 15: "join_parent_date",
    16: "left_parent_date", 21: "amended_record", 23: "provider_code",
    25: "prescribing_setting",
}
FIELD_NAMES = {"practice_code": "field 1 (organisation code)", "practice_name": "field 2 (name)",
               "open_date": "field 11 (open date)", "close_date": "field 12 (close date)",
               "status": "field 13 (status code)",
               "join_parent_date": "field 16 (join provider/purchaser date)",
               "left_parent_date": "field 17 (left provider/purchaser date)",
               "prescribing_setting": "field 26 (prescribing setting)"}
DATES = ["open_date", "close_date", "join_parent_date", "left_parent_date"]

SCHEMA = DataFrameSchema({
    "practice_code": Column(str, Check.str_matches(r"^[A-Z0-9]{3,8}$",
                                                   error="an organisation code such as A81001"),
                            unique=True, nullable=False),
    "status": Column(str, Check.isin(list(STATUS), error="status A, C, D or P")),
    "prescribing_setting": Column(checks=in_range(0, 99, "a prescribing setting code from 0 "
                                                  "to 99"), nullable=False),
})


def _is_epraccur(first_row: list[str]) -> bool:
    return len(first_row) >= 26 and bool(first_row[0]) and (
        first_row[10].isdigit() and len(first_row[10]) == 8)


def read_epraccur(path) -> pd.DataFrame:
    """Read the ODS GP practices file (``epraccur.zip`` as downloaded, or ``epraccur.csv``).

    Parameters
    ----------
    path : str or Path
        The zip or the CSV.

    Returns
    -------
    DataFrame
        One row per organisation: ``practice_code, practice_name, national_grouping,
        high_level_health_geography, postcode, open_date, close_date, status, commissioner_code,
        join_parent_date, left_parent_date, provider_code, prescribing_setting`` (int),
        ``is_gp_practice`` (setting 4). Dates are parsed from YYYYMMDD (blank: ``NaT``).
        ``attrs``: ``source``; ``period`` is None (the file carries no extract date).

    Raises
    ------
    InputError
        Not an epraccur file (one line saying what was expected), a row of the wrong length,
        a date that is not YYYYMMDD, an unknown status, a setting that is not a number.
    """
    expected = ("ODS GP practices file epraccur.csv (no header row; 27 fields: code, name, "
                "..., open date YYYYMMDD in field 11)")
    src = pick(path, _is_epraccur, expected)
    data = src.read_bytes()
    check_text(data, src.label, expected)
    wanted = {i: n for i, n in FIELDS.items() if i < len(src.header)}
    raw, _ = read_text(data, src.label, wanted, len(src.header), header=False)
    raw = raw.apply(lambda s: s.str.strip())
    out = raw.copy()
    for c in DATES:
        if c in raw:
            out[c] = _dates(raw[c], src.label, FIELD_NAMES.get(c, c))
    setting = pd.to_numeric(raw["prescribing_setting"], errors="coerce")
    bad = setting.isna() | (setting != setting.round())
    if bad.any():
        i = int(bad.idxmax())
        raise InputError(src.label, "expected a prescribing setting code (a whole number such "
                         f"as 4), found {raw.loc[i, 'prescribing_setting']!r}", row=i + 1,
                         column=FIELD_NAMES["prescribing_setting"])
    out["prescribing_setting"] = setting.astype("int64")
    try:
        validate(out.set_axis(out.index + 1), SCHEMA, src.label, numbered=True)
    except InputError as exc:
        raise InputError(src.label, exc.message, row=exc.row,
                         column=FIELD_NAMES.get(exc.column, exc.column)) from None
    wrong = (out["close_date"] < out["open_date"]).fillna(False).astype(bool)
    if wrong.any():
        i = int(wrong.idxmax())
        raise InputError(src.label, "close date is before open date", row=i + 1,
                         column=FIELD_NAMES["close_date"])
    out["is_gp_practice"] = out["prescribing_setting"] == GP_PRACTICE
    out = out.reset_index(drop=True)
    out.attrs.update(source=src.label, period=None)
    return out


def _dates(values: pd.Series, label, column: str) -> pd.Series:
    text = values.where(values != "")
    out = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    bad = out.isna() & text.notna()
    if bad.any():
        i = int(bad.idxmax())
        raise InputError(label, f"expected a date written YYYYMMDD such as 19740401, found "
                         f"{values[i]!r}", row=i + 1, column=column)
    return out.astype("datetime64[ns]")


def gp_practices_open_on(ods: pd.DataFrame, date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GP practices open on ``date``, and every other row with the reason it is left out.

    Open on a date: opened on or before it and not closed by it (a close date after it, or
    none). Status is not used for the date test (the file is a snapshot: a practice closed
    since was open on an earlier date), except that status C with no close date is closed.

    Parameters
    ----------
    ods : DataFrame
        From :func:`read_epraccur`.
    date : str or Timestamp

    Returns
    -------
    (DataFrame, DataFrame)
        The GP practices open on ``date``; and the rows left out, with a ``reason`` column:
        'not a GP practice (prescribing setting N: name)', 'closed on YYYY-MM-DD',
        'closed (status C, no close date)', 'not yet open (opens YYYY-MM-DD)', 'no open date'.
    """
    day = pd.Timestamp(date)
    reason = pd.Series(pd.NA, index=ods.index, dtype="string")

    def mark(mask: pd.Series, text) -> None:
        todo = mask.fillna(False).astype(bool) & reason.isna()
        reason.loc[todo] = text[todo] if isinstance(text, pd.Series) else text

    setting = ods["prescribing_setting"]
    mark(setting != GP_PRACTICE, "not a GP practice (prescribing setting " + setting.astype(str)
         + ": " + setting.map(SETTINGS).fillna("unknown code") + ")")
    mark(ods["open_date"].isna(), "no open date")
    mark(ods["open_date"] > day,
         "not yet open (opens " + ods["open_date"].dt.strftime("%Y-%m-%d") + ")")
    mark(ods["close_date"] <= day,
         "closed on " + ods["close_date"].dt.strftime("%Y-%m-%d"))
    mark((ods["status"] == "C") & ods["close_date"].isna(), "closed (status C, no close date)")
    kept = ods[reason.isna()]
    left = ods[reason.notna()].assign(reason=reason[reason.notna()])
    return kept, left
