"""Readers for the real public files, as published.

* :func:`read_gpw_practice_csv`: NHS Digital *General Practice Workforce, Practice Level -
  Detailed* CSV, current column set (``SUB_ICB_*``/``ICB_*``) or an older release
  (``CCG_*``/``STP_*``, ``TOTAL_GP_EXRRL_*``).
* :func:`read_practice_reference`: *NHS Payments to General Practice*, practice-level CSV
  (any year's layout; :mod:`analysis.io.payments`), the practice reference (CCG or sub-ICB,
  contract type, open and close dates, list size).
* :func:`read_staff_records`: staff-level records, one row per person per practice post.

Every problem is raised as :class:`analysis.util.errors.InputError` naming the file, the row (the
header is row 1) and the column, and saying what was expected. Special values 'ND' (no valid
data) and 'NA' (not available) become missing values, never zero.
"""

from __future__ import annotations

import csv
import gzip
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from analysis.io import gpw
from analysis.io import gpw_fields as gpw_fields
from analysis.io.archive import Source, pick
from analysis.util.errors import InputError
from analysis.util.markers import MISSING_MARKERS
from analysis.util.periods import parse_dates as _parse_dates

# GPW columns the tables use. The reader reads only these (plus identifiers) unless asked.
GPW_ID_COLUMNS = ["PRAC_CODE", "PRAC_NAME", "SUB_ICB_CODE", "SUB_ICB_NAME", "ICB_CODE",
                  "ICB_NAME"]
GPW_SOURCE_COLUMNS = ["GP_SOURCE", "NURSE_SOURCE", "DPC_SOURCE", "ADMIN_SOURCE"]
GPW_TABLE_COLUMNS = [
    "TOTAL_PATIENTS", "TOTAL_GP_HC", "TOTAL_GP_FTE",
    "TOTAL_GP_HC_55TO59", "TOTAL_GP_HC_60TO64", "TOTAL_GP_HC_65TO69", "TOTAL_GP_HC_70PLUS",
    "TOTAL_GP_EXTGL_FTE", "TOTAL_GP_RET_FTE", "TOTAL_NURSES_FTE", "TOTAL_N_ADV_NURSE_PRAC_FTE",
    "TOTAL_DPC_HCA_FTE", "TOTAL_DPC_PHARMA_FTE",
]
# Derived, same meaning in every release: GPs excluding registrars, retainers and locums.
EXRRL_FTE = "TOTAL_GP_EXRRL_FTE"

PAYMENTS_COLUMNS = {  # header as published (2017-18) -> our name; other years: io.payments
    "NHS England (Region) code": "region_code",
    "CCG Code": "ccg_code",
    "CCG NAME": "ccg_name",
    "Practice Code": "practice_code",
    "Practice Name": "practice_name",
    "Practice Postcode": "postcode",
    "Practice Open Date": "open_date",
    "Practice Close Date": "close_date",
    "Contract Type": "contract_type",
    "Dispensing Practice": "dispensing",
    "Practice Rurality": "rurality",
    "Number of Registered Patients (Last Known Figure)": "registered_patients",
    "Number of Weighted Patients (Last Known Figure)": "weighted_patients",
}

STAFF_COLUMNS = ["practice_code", "staff_id", "staff_group", "age", "fte"]


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------
def _read_header(path: Path, encoding: str) -> list[str]:
    """First line of a CSV as a list of names, with clear errors for unreadable files."""
    if not path.exists():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "file is empty; expected a CSV with a header row", row=1)
    with open(path, "rb") as fh:
        if fh.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
            raise zip_not_csv(path, encoding)
    try:
        with open(path, encoding=encoding, newline="") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError:
        raise _decode_error(path, encoding) from None
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV header ({exc})", row=1) from None
    with open(path, "rb") as fh:  # decodes (every byte does in latin-1) but is not text
        if b"\x00" in fh.read(4096):
            raise InputError(path, "not a text CSV file: it contains NUL bytes (saved as UTF-16 "
                             "or a file of another kind?); expected a CSV file", row=1)
    return validate_header(path, header)


def validate_header(path, header: list[str] | None) -> list[str]:
    """Header names trimmed (BOM removed); an empty header or a name given twice (ignoring
    case) is an InputError on row 1."""
    header = [h.strip().lstrip("\ufeff").strip() for h in header or []]
    if not any(header):
        raise InputError(path, "no header row; expected column names on the first line", row=1)
    seen: set[str] = set()
    for h in header:
        if h.upper() in seen:
            raise InputError(path, "column appears twice in the header", row=1, column=h)
        seen.add(h.upper())
    return header


ZIP_MAGIC = b"PK\x03\x04"


def zip_not_csv(path: Path, encoding: str) -> InputError:
    """The error for a zip file (an Excel workbook saved under a .csv name) given as a CSV.

    It has no rows: the error is on row 1, whatever bytes its header holds (a time stamp in it
    may contain a line-feed byte).
    """
    return InputError(path, f"not readable as {encoding} text: found a zip file (an Excel "
                      "workbook?); expected a CSV file", row=1)


def _decode_error(path: Path, encoding: str) -> InputError:
    """InputError naming the line and the file offset of the first byte that does not decode."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        if data.startswith(ZIP_MAGIC):
            return zip_not_csv(path, encoding)
        return InputError(path, f"not readable as {encoding} text (byte {exc.start}); expected "
                          "a CSV file", row=data.count(b"\n", 0, exc.start) + 1)
    return InputError(path, f"not readable as {encoding} text; expected a CSV file")


def _quoted_commas(data: bytes, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """(commas inside quoted values, quotes) in ``data[start:end]``; a doubled quote inside a
    quoted value closes and reopens it, which counts the same."""
    end = len(data) if end is None else end
    inside = quotes = 0
    pos = data.find(b'"', start, end)
    while pos != -1:
        close = data.find(b'"', pos + 1, end)
        if close == -1:
            return inside + data.count(b",", pos, end), quotes + 1
        inside += data.count(b",", pos, close)
        quotes += 2
        pos = data.find(b'"', close + 1, end)
    return inside, quotes


def _split(line: str) -> list[str]:
    """One CSV line as fields (plain split on commas when it is not valid CSV, e.g. a bare CR)."""
    try:
        return next(csv.reader([line.rstrip("\r\n")]), [])
    except csv.Error:
        return line.rstrip("\r\n").split(",")


def _fields(line: bytes) -> int:
    return line.count(b",") - _quoted_commas(line)[0] + 1 if line else 0


BLOCK = 1 << 22


def check_field_counts(path: Path) -> None:
    """Rows with more fields than the header, and a last row cut short, as errors.

    Reading only some columns, pandas ignores fields beyond the header, so one unquoted comma
    ('1,234', a practice name) would shift every later value of its row into the wrong column
    without an error; and a file cut off mid-row reads its last row with blanks. This pass
    counts commas outside quotes on the raw bytes (',', '"' and newlines are the same bytes in
    UTF-8 and latin-1), a block at a time; only when a block's count is not ``rows x (fields -
    1)`` is it looked at row by row. Trailing empty fields (a comma ending every row) are
    tolerated, as pandas does. Gzip-compressed files are checked on their content.

    Raises
    ------
    InputError
        Naming the row with too many fields, or the last row when it has fewer fields than the
        header and no line break (the file was cut short).
    """
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    try:
        with (gzip.open if gz else open)(path, "rb") as fh:
            head = fh.readline()
            if not head.endswith(b"\n") or head.count(b'"') % 2:
                return  # no data rows, or a header the CSV parser will judge
            n = _fields(head.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf"))
            names = _split(head.decode("utf-8", errors="replace").lstrip("\ufeff"))
            line_no, carry = 2, b""
            while True:
                data = fh.read(BLOCK)
                block = carry + data if carry else data
                cut = block.rfind(b"\n") + 1 if data else len(block)
                inside, quotes = _quoted_commas(block, 0, cut)
                if data and (cut == 0 or quotes % 2):  # a row (a quoted value) runs on: read on
                    carry = block
                    continue
                _check_block(path, block, cut, n, names, line_no, not data, inside, quotes)
                if not data:
                    return
                line_no += block.count(b"\n", 0, cut)
                carry = block[cut:]
    except (OSError, EOFError) as exc:
        raise InputError(path, f"cannot be read as a CSV or gzip-compressed CSV ({exc})") from None


def _check_block(path: Path, data: bytes, end: int, n: int, names: list[str], line_no: int,
                 ends_file: bool, inside: int, quotes: int) -> None:
    """Whole lines ``data[:end]`` of a CSV from line ``line_no`` on (``inside`` commas within
    quotes, ``quotes`` quotes); row by row only when the commas outside quotes are not exactly
    ``n - 1`` per line."""
    if end == 0:
        return
    ended = data.endswith(b"\n", 0, end)
    rows = data.count(b"\n", 0, end) + (not ended)
    if quotes % 2 == 0 and data.count(b",", 0, end) - inside == (n - 1) * rows:
        return
    lines = data[:end].split(b"\n")
    if ended:
        lines.pop()
    pending, first = b"", line_no
    for k, line in enumerate(lines):
        rec = pending + line
        if not pending:
            first = line_no + k
        if rec.count(b'"') % 2:  # a quoted value runs on to the next line
            pending = rec + b"\n"
            continue
        pending = b""
        body = rec.rstrip(b"\r")
        fields = _fields(body)
        if fields > n:
            extra = _split(body.decode("latin-1"))[n:]
            if any(c.strip() for c in extra):
                raise InputError(path, f"row has {len(extra) + n} fields, the header {n}: values "
                                 "would shift into the wrong columns (a comma in a value that "
                                 "is not quoted, e.g. 1,234?)", row=first)
        if ends_file and not ended and k == len(lines) - 1 and body.strip() and fields < n:
            cut = max(fields - 1, 0)
            raise InputError(path, f"the last row has {fields} of the {n} fields and no line "
                             "break: the file looks cut short", row=first,
                             column=names[cut].strip() if cut < len(names) else None)
    if pending:
        raise InputError(path, "a quoted value that starts on this row is never closed: the "
                         "file looks cut short (or a quote is missing)", row=first)


def _read_text_columns(path: Path, usecols: list[str], encoding: str) -> pd.DataFrame:
    """Read the named columns as text, keeping 'NA'/'ND' as written.

    ``usecols`` are header names as returned by :func:`_read_header` (surrounding spaces
    removed). ``index_col=False`` stops pandas from turning leading columns into the index
    (shifting every value) when data rows carry more fields than the header, e.g. a trailing
    comma.
    """
    wanted = set(usecols)
    check_field_counts(path)
    try:
        out = pd.read_csv(path, usecols=lambda c: c.strip().lstrip("\ufeff") in wanted,
                          dtype=str, keep_default_na=False, encoding=encoding,
                          skipinitialspace=False, index_col=False, skip_blank_lines=False)
    except UnicodeDecodeError:
        raise _decode_error(path, encoding) from None
    except pd.errors.ParserError as exc:
        msg = str(exc)
        row = None
        if "line" in msg:
            try:
                row = int(msg.split("line")[1].split(",")[0].strip())
            except ValueError:
                row = None
        raise InputError(path, f"malformed CSV ({msg.splitlines()[0]})", row=row) from None
    out.columns = [c.strip().lstrip("\ufeff") for c in out.columns]
    # Blank lines are read as empty rows and dropped here, so the index (and the row numbers in
    # error messages, index + 2) still match the lines of the file.
    return out[(out != "").any(axis=1)]


def parse_numeric(values: pd.Series, path, column: str, *, allow_negative: bool = False,
                  integer: bool = False) -> pd.Series:
    """Text to nullable numbers: 'ND', 'NA' and blank become missing, "1,234" becomes 1234.

    Parameters
    ----------
    values : Series of str
        Column as read from the file (text); the index is the 0-based data row.
    path, column : str
        Used in error messages.
    allow_negative : bool
        Negative numbers are an error unless True.
    integer : bool
        Values must be whole numbers (headcounts, list sizes).

    Returns
    -------
    Series of Float64 (or Int64 when ``integer``), missing where the file said ND/NA/blank.

    Raises
    ------
    InputError
        For text that is not a number or a known marker, infinite values, negatives and
        fractions where a whole number is expected; names the first offending row.
    """
    text = values.astype("string").str.strip()
    missing = text.isna() | text.str.upper().isin(MISSING_MARKERS)
    # Commas only as thousands separators ("1,234"); "12,5" is not a number here.
    grouped = text.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", na=False)
    cleaned = text.where(~grouped, text.str.replace(",", "", regex=False)).where(~missing)
    num = pd.to_numeric(cleaned, errors="coerce")
    bad = num.isna() & ~missing
    bad |= ~missing & ~np.isfinite(num.astype("float64").fillna(0.0))
    if bad.any():
        i = bad.idxmax()
        raise InputError(path, f"expected a number (or ND/NA for missing), found {values[i]!r}",
                         row=int(i) + 2, column=column)
    if not allow_negative and (num < 0).any():
        i = (num < 0).idxmax()
        raise InputError(path, f"expected a number >= 0, found {values[i]!r}", row=int(i) + 2,
                         column=column)
    if integer:
        frac = num.notna() & (num != num.round())
        if frac.any():
            i = frac.idxmax()
            raise InputError(path, f"expected a whole number, found {values[i]!r}",
                             row=int(i) + 2, column=column)
        huge = num.abs() > 2**53  # beyond exact whole numbers in a float (and int64 wraps)
        if huge.any():
            i = huge.idxmax()
            raise InputError(path, f"expected a whole number below 2**53, found {values[i]!r}",
                             row=int(i) + 2, column=column)
        return num.astype("Int64")
    return num.astype("Float64")


# --------------------------------------------------------------------------------------------
# GPW practice-level CSV
# --------------------------------------------------------------------------------------------
def gpw_format(header: list[str]) -> str:
    """'current' (SUB_ICB_*) or 'old' (CCG_*) from a GPW header; '' when neither."""
    names = {h.upper() for h in header}
    if "PRAC_CODE" not in names:
        return ""
    if "SUB_ICB_CODE" in names:
        return "current"
    if "CCG_CODE" in names:
        return "old"
    return ""


def read_gpw_practice_csv(path, columns: list[str] | None = None,
                          period: str | None = None) -> pd.DataFrame:
    """Read an NHS Digital GPW practice-level (detailed) CSV, or the release zip holding it.

    Parameters
    ----------
    path : str or Path
        The CSV as downloaded (current or older release, headers in any case), or a zip
        holding it among other files (the Detailed CSV is chosen by its header).
    columns : list of str, optional
        Measure columns to read, by their current names; default :data:`GPW_TABLE_COLUMNS`.
        ``TOTAL_GP_EXRRL_FTE`` is always derived (see Notes).
    period : str, optional
        'YYYY-MM' to keep when the file holds several months (``YEAR``/``MONTH`` columns);
        without it such a file is an error listing the periods found.

    Returns
    -------
    DataFrame
        One row per practice; identifiers renamed to the current names (``SUB_ICB_CODE`` ...),
        counts as ``Int64`` and FTEs as ``Float64`` with missing values where the file said
        'ND'/'NA', the ``*_SOURCE`` estimate flags as text. Headcounts are kept as published
        (never summed). ``attrs`` holds ``format`` ('current' or 'old'), ``path``, ``source``
        and ``period`` (when the file or its name says it).

    Notes
    -----
    ``TOTAL_GP_EXRRL_FTE`` (GPs excluding registrars, retainers and locums) is read as published
    from older releases and derived as ``TOTAL_GP_EXTGL_FTE - TOTAL_GP_RET_FTE`` from current
    ones, whose EXTGL measure includes retainers. The columns are parsed by pyarrow; a file it
    cannot parse cleanly is read again by the slower row-checking reader, which names the row.
    Values are checked against :data:`analysis.io.gpw.DETAILED_SCHEMA`.
    """
    path = Path(path)
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        source = pick(path, gpw.is_detailed, "GPW Practice Level - Detailed CSV")
        header = validate_header(source.label, source.header)
    else:
        header = _read_header(path, "utf-8")
        source = Source(path, None, header)
    label = path if source.member is None else source.label  # errors name the file
    fmt = gpw_format(header)
    if not fmt:
        raise InputError(label, "not a GPW practice-level CSV: expected PRAC_CODE and "
                         "SUB_ICB_CODE (current) or CCG_CODE (older releases) in the header",
                         row=1)
    by_upper = {h.upper(): h for h in header}
    to_current = gpw_fields.OLD_TO_CURRENT if fmt == "old" else {}
    to_file = {cur: old for old, cur in to_current.items()}
    wanted = list(columns or GPW_TABLE_COLUMNS)
    if fmt == "old":
        wanted = [c for c in wanted if c not in ("TOTAL_GP_EXTGL_FTE", "TOTAL_GP_RET_FTE")]
        wanted.append(EXRRL_FTE)
    else:  # EXRRL is derived from these two, so read them whatever ``columns`` says
        wanted += [c for c in ("TOTAL_GP_EXTGL_FTE", "TOTAL_GP_RET_FTE") if c not in wanted]
    need = [c for c in GPW_ID_COLUMNS if c not in ("ICB_CODE", "ICB_NAME")] + wanted
    optional = ["ICB_CODE", "ICB_NAME"] + GPW_SOURCE_COLUMNS
    usecols = []
    for c in need:
        name = to_file.get(c, c)
        if name not in by_upper:
            raise InputError(label, f"required column missing (GPW {fmt} release format)",
                             row=1, column=name)
        usecols.append(by_upper[name])
    usecols += [by_upper[to_file.get(c, c)] for c in optional if to_file.get(c, c) in by_upper]
    dated = "YEAR" in by_upper and "MONTH" in by_upper  # several releases in one table
    if dated:
        usecols += [by_upper["YEAR"], by_upper["MONTH"]]
    usecols.sort(key=header.index)  # file order, as pandas returns them
    table = gpw.arrow_text(source, header, usecols)
    if table is not None and pc.any(pc.equal(table[by_upper["PRAC_CODE"]], "")).as_py():
        table = None  # rows without a code (empty rows are skipped there, keeping line numbers)
    if table is None:
        raw = _careful_text(source, usecols)
        text = {c.upper(): raw[c] for c in raw.columns}
    else:
        text = {c.upper(): table[c] for c in usecols}
    out = pd.DataFrame(index=pd.RangeIndex(len(table)) if table is not None else raw.index)
    for c, values in text.items():
        if c in ("YEAR", "MONTH"):
            continue
        cur = to_current.get(c, c)
        kind = gpw_fields.field_kind(cur)
        series = values.to_pandas() if table is not None else values
        if kind in ("id", "source"):
            out[cur] = series.astype("string").str.strip()
            continue
        num = gpw.arrow_numbers(values, integer=kind == "count") if table is not None else None
        out[cur] = num if num is not None else parse_numeric(series, label, c,
                                                             integer=(kind == "count"))
    if dated:
        years = pd.DataFrame({c: (v.to_pandas() if table is not None else v).astype("string")
                              .str.strip() for c, v in text.items() if c in ("YEAR", "MONTH")})
        years.index = out.index + 2
        kept, got = gpw.file_periods(years, source, period, {
            ("YEAR", "MONTH"): (by_upper["YEAR"], by_upper["MONTH"])})
        out = out[out.index.isin(kept.index - 2)]
    else:
        got = gpw.file_periods(out.iloc[:0], source, period, {})[1]
    codes = out["PRAC_CODE"]
    if (codes.isna() | (codes == "")).any():
        i = int((codes.isna() | (codes == "")).idxmax())
        raise InputError(label, "practice code is blank", row=i + 2, column="PRAC_CODE")
    dup = codes.duplicated()
    if dup.any():
        i = int(dup.idxmax())
        raise InputError(label, f"practice {codes[i]} appears more than once; expected one "
                         "row per practice", row=i + 2, column="PRAC_CODE")
    gpw.validate_detailed(out, label)
    if fmt == "current":
        out[EXRRL_FTE] = out["TOTAL_GP_EXTGL_FTE"] - out["TOTAL_GP_RET_FTE"]
    out.attrs.update(format=fmt, path=str(path), source=source.label)
    if got:
        out.attrs["period"] = got
    return out


def _careful_text(source: Source, usecols: list[str]) -> pd.DataFrame:
    """The row-checking pandas read of :func:`_read_text_columns`, for a file or zip member."""
    if source.member is None:
        return _read_text_columns(source.path, usecols, "utf-8")
    with tempfile.TemporaryDirectory(prefix="gpw-") as tmp:
        copy = Path(tmp) / Path(source.member).name
        copy.write_bytes(source.read_bytes())
        try:
            return _read_text_columns(copy, usecols, "utf-8")
        except InputError as exc:
            raise InputError(source.label, exc.message, exc.row, exc.column) from None


# --------------------------------------------------------------------------------------------
# NHS Payments to General Practice (practice reference)
# --------------------------------------------------------------------------------------------
def parse_dates(values: pd.Series, path, column: str) -> pd.Series:
    """Dates in any of :data:`~analysis.util.markers.DATE_FORMATS`; blank stays missing; others
    are an error."""
    text = values.astype("string").str.strip()
    out = _parse_dates(text)
    bad = out.isna() & text.notna() & (text != "")
    if bad.any():
        i = int(bad.idxmax())
        raise InputError(path, f"expected a date such as 01/04/2017, found {values[i]!r}",
                         row=i + 2, column=column)
    return out


def read_practice_reference(path) -> pd.DataFrame:
    """Read an NHS Payments to General Practice practice-level CSV, any year's layout.

    See :func:`analysis.io.payments.read_payments` (CCG or sub-ICB geography, patients as last
    known figures or averages, blank open dates, organisations that are not GP practices).

    Returns
    -------
    DataFrame
        Columns ``practice_code, practice_name, ccg_code, ccg_name, region_code, postcode,
        open_date, close_date, contract_type, dispensing, rurality, registered_patients,
        weighted_patients`` (those present; ``sub_icb_*``, ``pcn_*``, ``practice_type`` and
        ``is_gp_practice`` in the files that have them); payment lines are not read.
    """
    from analysis.io.payments import read_payments  # payments builds on this module's helpers

    return read_payments(path)


def open_on(reference: pd.DataFrame, snapshot) -> pd.DataFrame:
    """Practices open on the snapshot date: opened on or before it, not closed by it."""
    day = pd.Timestamp(snapshot)
    is_open = (reference["open_date"] <= day) & (
        reference["close_date"].isna() | (reference["close_date"] > day))
    return reference[is_open.fillna(False)]


# --------------------------------------------------------------------------------------------
# Staff-level records
# --------------------------------------------------------------------------------------------
def read_staff_records(path) -> pd.DataFrame:
    """Staff-level records: one row per person per practice post (pseudonymous ids).

    Required columns: ``practice_code, staff_id, staff_group, age, fte``; ``job_role``,
    ``gender`` and ``return_period`` are kept when present. Ages must be 18-100 and FTE 0-2
    per post.
    """
    path = Path(path)
    header = _read_header(path, "utf-8")
    low = {h.lower(): h for h in header}
    for c in STAFF_COLUMNS:
        if c not in low:
            raise InputError(path, "required column missing; expected a staff-level record "
                             "file (see docs/data_dictionary.md)", row=1, column=c)
    keep = [low[c] for c in low if c in STAFF_COLUMNS + ["job_role", "gender", "return_period"]]
    raw = _read_text_columns(path, keep, "utf-8")
    raw.columns = [c.lower() for c in raw.columns]
    out = raw.apply(lambda s: s.astype("string").str.strip())
    out["staff_group"] = out["staff_group"].str.upper()
    out["practice_code"] = out["practice_code"].str.upper()
    out["age"] = parse_numeric(raw["age"], path, low["age"], integer=True)
    out["fte"] = parse_numeric(raw["fte"], path, low["fte"])
    for col, lo, hi in (("age", 18, 100), ("fte", 0, 2)):
        bad = out[col].notna() & ((out[col] < lo) | (out[col] > hi))
        if bad.any():
            i = int(bad.idxmax())
            raise InputError(path, f"expected {col} between {lo} and {hi}, found "
                             f"{raw.loc[i, col]!r}", row=i + 2, column=low[col])
    blank = out["staff_id"].isna() | (out["staff_id"] == "")
    if blank.any():
        i = int(blank.idxmax())
        raise InputError(path, "staff id is blank", row=i + 2, column=low["staff_id"])
    out.attrs["path"] = str(path)
    return out
