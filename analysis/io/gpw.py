"""General Practice Workforce CSVs as downloaded: shared parsing, the High-level and the
Individual-level practice files.

* :func:`arrow_text`: the columns asked for of a CSV (or a zip member) parsed by pyarrow as
  text, or ``None`` when the file needs the careful, slower reader of
  :mod:`analysis.io.readers` (gzip, blank lines, ragged rows, text that is not UTF-8), which
  names the row at fault.
* :func:`arrow_numbers`: a text column as floats when every value is a plain number or a
  missing-value marker ('ND', 'NA', blank), else ``None``.
* :data:`DETAILED_SCHEMA`: plausible ranges of the *Practice Level - Detailed* CSV, declared
  once and checked by :func:`analysis.io.readers.read_gpw_practice_csv`.
* :func:`read_gpw_high_level`: the *Practice Level - High-level* CSV (long: one row per
  practice, staff role and measure).
* :func:`read_gpw_individual` and :func:`area_headcount`: the *Individual Level* CSV (one row
  per person per post) and a true headcount over practices (each person once).
* :func:`file_periods`: which month(s) a file holds, from ``YEAR``/``MONTH`` columns (present
  when a third party re-saved several releases as one table) or from the file name.

Headcount is not additive across practices: nothing here sums headcount columns.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analysis.io.archive import Source, pick, pick_with_columns
from analysis.io.schema import Check, Column, DataFrameSchema, in_range, validate
from analysis.util.errors import InputError

MARKERS = ["", "ND", "NA", "NULL"]
"""Text read as missing (after trimming, any case). 'NULL' is how the Individual-level and PCN
files write a missing age or identifier."""

GEOGRAPHY = {  # header as published (any case) -> standard name
    "PRAC_CODE": "practice_code", "PRAC_NAME": "practice_name",
    "PCN_CODE": "pcn_code", "PCN_NAME": "pcn_name",
    "SUB_ICB_CODE": "sub_icb_code", "SUB_ICB_NAME": "sub_icb_name",
    "SUB_ICB_LOCATION_CODE": "sub_icb_code", "SUB_ICB_LOCATION_NAME": "sub_icb_name",
    "ICB_CODE": "icb_code", "ICB_NAME": "icb_name",
    "REGION_CODE": "region_code", "REGION_NAME": "region_name",
    "COMM_REGION_CODE": "region_code", "COMM_REGION_NAME": "region_name",
    "CCG_CODE": "ccg_code", "CCG_NAME": "ccg_name", "STP_CODE": "stp_code", "STP_NAME": "stp_name",
}

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MONTH_YEAR = re.compile(r"(?i)\b(" + "|".join(_MONTHS) + r")[\s_-]*((?:19|20)\d\d)\b")
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)-(0[1-9]|1[0-2])(?!\d)")
_MMYYYY = re.compile(r"(?<![\d])(0[1-9]|1[0-2])((?:19|20)\d\d)(?![\d])")
# (year, month) column pairs, most specific first
PERIOD_COLUMNS = (("SNAPSHOT_YEAR", "SNAPSHOT_MONTH"), ("CENSUS_YEAR", "CENSUS_MONTH"),
                  ("YEAR", "MONTH"))


# --------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------
def arrow_text(source: Source, names: list[str], usecols: list[str]) -> pa.Table | None:
    """Columns ``usecols`` of ``source`` as text (pyarrow), or None if it must be read carefully.

    Parameters
    ----------
    source : Source
        The CSV (a file or a zip member).
    names : list of str
        The header's names (trimmed), one per field.
    usecols : list of str
        Names (from ``names``) to read; only these are converted.

    Returns
    -------
    pyarrow.Table or None
        Text columns, blank as "" (never null), in file row order; None when pyarrow cannot
        parse the file cleanly: a row with another number of fields than the header (a blank
        line, an unquoted comma, a file cut short), text that is not UTF-8 in a column read,
        a gzip file. The careful reader then names the row at fault.
    """
    try:
        with source.open() as fh:
            if fh.peek(2)[:2] == b"\x1f\x8b":
                return None
            return pacsv.read_csv(
                fh, read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
                parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    include_columns=usecols, column_types={c: pa.string() for c in usecols},
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def arrow_numbers(column, integer: bool = False) -> pd.Series | None:
    """A text column of plain numbers as Float64 (Int64 when ``integer``), markers missing.

    Returns None when any value needs a closer look (thousands separators, spaces inside,
    text, negatives, infinities, fractions where whole numbers are expected), so that the
    careful parser can read it or name the row at fault.
    """
    text = pc.utf8_trim_whitespace(column)
    missing = pc.is_in(pc.utf8_upper(text), value_set=pa.array(["", "ND", "NA"]))
    try:
        num = pc.cast(pc.if_else(missing, pa.scalar(None, pa.string()), text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    values = num.to_numpy(zero_copy_only=False)
    nan = np.isnan(values)
    if (nan & ~np.asarray(missing)).any() or not (nan | (np.isfinite(values) & (values >= 0))
                                                  ).all():
        return None  # 'nan' written as a number, a negative or an infinity
    if integer:
        if not (nan | ((values == np.round(values)) & (values <= 2**53))).all():
            return None
        return pd.Series(pd.arrays.IntegerArray(np.where(nan, 0, values).astype("int64"), nan))
    return pd.Series(pd.arrays.FloatingArray(np.where(nan, 0.0, values), nan))


def read_strings(source: Source, wanted: dict[str, str], what: str) -> pd.DataFrame:
    """Columns of ``source`` whose upper-cased header is a key of ``wanted``, as trimmed text
    renamed to its value; pyarrow parse errors as one line naming the file.

    Files that are not UTF-8 are read as Windows-1252 (older PCN releases write the en dash as
    byte 0x96). The index is the data row's line number in the file (row 2 is the first).
    """
    names = [h.strip().lstrip("\ufeff") for h in source.header]
    by_upper = {n.upper(): n for n in names}
    usecols = [by_upper[k] for k in wanted if k in by_upper]
    data = source.read_bytes()
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                data = data.decode("cp1252").encode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(source.label, f"not readable as UTF-8 or Windows-1252 text "
                                 f"(byte {exc.start}); expected {what}",
                                 row=data.count(b"\n", 0, exc.start) + 1) from None
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                include_columns=usecols, column_types={c: pa.string() for c in usecols},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        msg = str(exc).splitlines()[0][:160]
        raise InputError(source.label, f"malformed CSV ({msg}); expected {what}") from None
    out = pd.DataFrame({wanted[c.upper()]: pc.utf8_trim_whitespace(table[c]).to_pandas()
                        .astype("string") for c in usecols})
    out.index = pd.RangeIndex(2, 2 + len(out))
    return out


def to_float(text: pd.Series, label: str, column: str) -> pd.Series:
    """Text to float64; markers (blank, ND, NA, NULL) missing; other text one line naming the
    row (the series' index) and the column."""
    missing = text.isna() | text.str.upper().isin(MARKERS)
    num = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
    bad = num.isna() & ~missing
    bad |= ~missing & ~np.isfinite(num.fillna(0.0))
    if bad.any():
        i = bad.idxmax()
        raise InputError(label, f"expected a number (or NULL/ND/NA for missing), found "
                         f"{text[i]!r}", row=int(i), column=column)
    return num


# --------------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------------
def period_from_name(name: str) -> str | None:
    """'YYYY-MM' from a release's file name ('... September 2024 ...', '..._2016-09.csv',
    'GPWPracticeCSV.092024.zip'), or None."""
    m = _MONTH_YEAR.search(name)
    if m:
        return f"{m.group(2)}-{_MONTHS[m.group(1).lower()]:02d}"
    m = _ISO.search(name)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = _MMYYYY.search(name)
    return f"{m.group(2)}-{m.group(1)}" if m else None


def source_period(source: Source) -> str | None:
    """The period a file's name says (the zip member's name first, then the zip's)."""
    for name in (source.member, source.path.name):
        found = period_from_name(Path(name).name) if name else None
        if found:
            return found
    return None


def row_periods(year: pd.Series, month: pd.Series, label: str, columns: tuple[str, str],
                ) -> pd.Series:
    """'YYYY-MM' of each row from its year and month text; other text an error naming the row."""
    y = pd.to_numeric(year, errors="coerce")
    m = pd.to_numeric(month, errors="coerce")
    for text, col, ok, what in ((year, columns[0], y.between(1990, 2100), "year"),
                                (month, columns[1], m.between(1, 12), "month")):
        bad = ~ok.fillna(False)
        if bad.any():
            i = bad.idxmax()
            raise InputError(label, f"expected a {what}, found {text[i]!r}", row=int(i),
                             column=col)
    return y.astype(int).astype(str) + "-" + m.astype(int).map("{:02d}".format)


def choose_period(periods: pd.Series, period: str | None, label: str) -> tuple[pd.Series, str]:
    """Rows of the period asked for (all rows when the file holds one); a file with several
    periods and none asked for is an error listing them, never a mix."""
    found = sorted(periods.unique())
    if period is None:
        if len(found) > 1:
            raise InputError(label, f"holds {len(found)} periods ({', '.join(found)}); "
                             "expected one: give period='YYYY-MM' to choose")
        return pd.Series(True, index=periods.index), found[0] if found else ""
    if period not in found:
        raise InputError(label, f"holds no rows for period {period} (periods found: "
                         f"{', '.join(found) or 'none'})")
    return periods == period, period


def file_periods(frame: pd.DataFrame, source: Source, period: str | None,
                 columns: dict[tuple[str, str], tuple[str, str]],
                 ) -> tuple[pd.DataFrame, str | None]:
    """Rows of one period and that period: from year/month columns when the frame has them
    (``columns`` maps the frame's pair of names to the file's, for errors), else the file
    name; asking for a period the file does not hold is an error."""
    for (ycol, mcol), file_cols in columns.items():
        if ycol in frame.columns and mcol in frame.columns:
            periods = row_periods(frame[ycol], frame[mcol], source.label, file_cols)
            keep, chosen = choose_period(periods, period, source.label)
            return frame[keep], chosen or None
    named = source_period(source)
    if period is not None and named is not None and named != period:
        raise InputError(source.label, f"is the release for {named}, not {period}")
    return frame, named or period


# --------------------------------------------------------------------------------------------
# Practice Level - Detailed: declared ranges
# --------------------------------------------------------------------------------------------
DETAILED_RANGES = (  # (column names, low, high, expected) for one practice's row
    (r"^\w*_FTE(_\w+)?$", 0, 500, "an FTE from 0 to 500 for one practice"),
    (r"^\w*_HC(_\w+)?$", 0, 2000, "a headcount from 0 to 2,000 for one practice"),
    (r"^(TOTAL_(PATIENTS|MALE|FEMALE|UNKNOWN_GENDER)|(MALE|FEMALE)_PATIENTS_\w+)$", 0, 200_000,
     "a number of patients from 0 to 200,000"),
)
DETAILED_SCHEMA = DataFrameSchema(
    {name: Column(checks=in_range(low, high, what), regex=True, required=False, nullable=True)
     for name, low, high, what in DETAILED_RANGES},
    strict=False,
)
"""Plausible values of one practice's row in the *Practice Level - Detailed* CSV."""


def is_detailed(header: list[str]) -> bool:
    """Whether a header is a *Practice Level - Detailed* CSV's (wide: one row per practice)."""
    names = {h.strip().upper() for h in header}
    return "PRAC_CODE" in names and bool(names & {"SUB_ICB_CODE", "CCG_CODE"}) and bool(
        names & {"TOTAL_GP_HC", "TOTAL_GP_FTE", "TOTAL_PATIENTS"})


def validate_detailed(frame: pd.DataFrame, label) -> None:
    """Check a Detailed frame (index: 0-based data line) against :data:`DETAILED_SCHEMA`.

    The ranges are first checked on the numbers directly (a national file in milliseconds);
    only a frame with a value out of range goes through the schema, which names the first
    row and column at fault.
    """
    for col in frame.columns:
        for name, low, high, _ in DETAILED_RANGES:
            if re.match(name, col):
                v = frame[col].to_numpy(dtype="float64", na_value=np.nan)
                if ((v < low) | (v > high)).any():
                    validate(frame.set_axis(frame.index + 2), DETAILED_SCHEMA, label,
                             numbered=True)
                break


# --------------------------------------------------------------------------------------------
# Practice Level - High-level (long)
# --------------------------------------------------------------------------------------------
HIGH_LEVEL = ["PRAC_CODE", "PRAC_NAME", "STAFF_GROUP", "DETAILED_STAFF_ROLE", "MEASURE", "VALUE"]

HIGH_LEVEL_SCHEMA = DataFrameSchema({
    "practice_code": Column(checks=Check(lambda s: s.str.len() > 0,
                                         error="a practice code (it is blank)"), nullable=False),
    "measure": Column(checks=Check(lambda s: s.str.len() > 0, error="a measure (FTE or HC)"),
                      nullable=False),
    "value": Column(float, checks=in_range(0, 200_000, "a value from 0 to 200,000"),
                    nullable=True),
})


def read_gpw_high_level(path, period: str | None = None) -> pd.DataFrame:
    """Read a GPW *Practice Level - High-level* CSV (or the zip holding it).

    Parameters
    ----------
    path : str or Path
        The CSV or the release zip as downloaded; headers in any case.
    period : str, optional
        'YYYY-MM' to keep when the file holds several months (a ``YEAR``/``MONTH`` pair).

    Returns
    -------
    DataFrame
        ``practice_code, practice_name, staff_group, detailed_staff_role, measure, value``
        (float, missing where the file says ND/NA/blank), then the geography columns the file
        has, by their standard names. ``attrs``: ``source``, ``period`` (when known).

    Raises
    ------
    InputError
        A required column missing, a value that is not a number, a blank practice code or
        several periods with none chosen, as one line naming file, row and column.
    """
    what = "a GPW Practice Level - High-level CSV"
    source = pick_with_columns(path, {"PRAC_CODE", "MEASURE", "VALUE"}, HIGH_LEVEL, what)
    wanted = {c: c.lower() for c in HIGH_LEVEL}
    wanted |= {k: v for k, v in GEOGRAPHY.items() if k not in wanted}
    wanted |= {"YEAR": "_year", "MONTH": "_month"}
    raw = read_strings(source, wanted, what)
    raw = raw.rename(columns={"prac_code": "practice_code", "prac_name": "practice_name"})
    raw, got = file_periods(raw, source, period, {("_year", "_month"): ("YEAR", "MONTH")})
    raw = raw.drop(columns=["_year", "_month"], errors="ignore")
    out = raw.copy()
    out["value"] = to_float(raw["value"], source.label, "VALUE")
    first = ["practice_code", "practice_name", "staff_group", "detailed_staff_role", "measure",
             "value"]
    out = out[first + [c for c in out.columns if c not in first]]
    validate(out, HIGH_LEVEL_SCHEMA, source.label, numbered=True)
    out = out.reset_index(drop=True)
    out.attrs.update(source=source.label, period=got)
    return out


# --------------------------------------------------------------------------------------------
# Individual level
# --------------------------------------------------------------------------------------------
INDIVIDUAL_SCHEMA = DataFrameSchema({
    "unique_identifier": Column(checks=Check(lambda s: s.str.len() > 0,
                                             error="a unique identifier (it is blank)"),
                                nullable=False),
    "fte": Column(float, checks=in_range(0, 2, "an FTE from 0 to 2 for one post"),
                  nullable=True),
    "age_years": Column(float, checks=in_range(15, 100, "an age from 15 to 100"),
                        required=False, nullable=True),
})


def read_gpw_individual(path, period: str | None = None) -> pd.DataFrame:
    """Read a GPW *Individual Level* CSV (one row per person per post) or the zip holding it.

    Parameters
    ----------
    path : str or Path
        The CSV or zip as downloaded; headers in any case.
    period : str, optional
        'YYYY-MM' to keep when the file holds several months.

    Returns
    -------
    DataFrame
        ``unique_identifier`` then every column of the file in lower snake case, the
        geography ones by their standard names (``COMM_REGION_CODE`` -> ``region_code``,
        ``PRAC_CODE`` -> ``practice_code``); ``fte`` and ``age_years`` as floats (NULL ->
        missing). The year/month columns that only say the period are dropped. ``attrs``:
        ``source``, ``period``.
    """
    what = "a GPW Individual Level CSV (UNIQUE_IDENTIFIER, STAFF_GROUP, FTE)"
    source = pick(path, lambda h: {"UNIQUE_IDENTIFIER", "STAFF_GROUP", "FTE"} <= {
        x.strip().upper() for x in h} and "PCN_CODE" not in {x.strip().upper() for x in h},
        what)
    names = [h.strip().upper() for h in source.header]
    wanted = {n: GEOGRAPHY.get(n, re.sub(r"\W+", "_", n.lower()).strip("_")) for n in names}
    raw = read_strings(source, wanted, what)
    pairs = {(wanted[y], wanted[m]): (y, m) for y, m in PERIOD_COLUMNS
             if y in wanted and m in wanted}
    raw, got = file_periods(raw, source, period, pairs)
    raw = raw.drop(columns=[c for c in ("year", "month", "snapshot_year", "snapshot_month")
                            if c in raw.columns])
    out = raw.copy()
    for col in ("fte", "age_years"):
        if col in out.columns:
            out[col] = to_float(raw[col], source.label, col.upper())
    out["unique_identifier"] = out["unique_identifier"].mask(
        out["unique_identifier"].str.upper().isin(MARKERS), "")
    out = out[["unique_identifier"] + [c for c in out.columns if c != "unique_identifier"]]
    validate(out, INDIVIDUAL_SCHEMA, source.label, numbered=True)
    out = out.reset_index(drop=True)
    out.attrs.update(source=source.label, period=got)
    return out


def area_headcount(individual: pd.DataFrame, codes, by: str = "practice_code") -> int:
    """People working in an area: each ``unique_identifier`` counted once, however many posts.

    Parameters
    ----------
    individual : DataFrame
        From :func:`read_gpw_individual` (or :func:`analysis.io.pcn.read_pcn_individual`).
    codes : iterable of str
        The area's practice codes (or codes of the column ``by``).
    by : str
        Column the codes refer to (``practice_code``; ``sub_icb_code`` for files without
        practices).

    Returns
    -------
    int
        Distinct identifiers among the rows in the area; rows without one (contracted
        services) are not people and are not counted.
    """
    if by not in individual.columns:
        raise ValueError(f"no {by} column in this file (columns: "
                         f"{', '.join(individual.columns)}); choose another with by=")
    ids = individual.loc[individual[by].isin(set(codes)), "unique_identifier"]
    ids = ids[ids.notna() & (ids.str.len() > 0)]
    return int(ids.nunique())
