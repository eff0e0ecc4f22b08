"""Bad-input corpus (issue 7): every reader against files that are wrong in the ways real files
are wrong, generated here in ``tmp_path`` from a VALID small file of the right kind (nothing is
committed as data).

Each case names the reader, writes the bad file and says what must happen:

* ``error``: an :class:`~analysis.util.errors.InputError` (or
  :class:`~analysis.util.errors.ConfigError`)
  whose one-line message names the file and, where there is one, the row (header = row 1) and
  the column;
* ``quarantine`` (local returns): the row ends quarantined with a reason matching a pattern, the
  cleaned tables leave it out, and ``raw = kept + corrected + quarantined`` still holds;
* ``missing``: the value is read as missing (never zero) and nothing else in the table changes;
* ``same``: the file is read exactly as the valid one (an extra column ignored, a title row
  above an XLSX header skipped);
* ``text``: the value is read back as the exact text (HTML, quotes, commas), nothing else changes.

Any other exception is a traceback and fails the case. ``tests/conftest.py`` prints the tally
at the end of the session: "bad-input corpus: N cases tried, N handled, 0 tracebacks".

Markers, the same in every reader:

* 'ND' (no valid data) and 'NA' (not available) mean missing, as blank does; a reader that
  needs the value (an ECDS hour, clinical minutes of an assessed case) then says it is missing
  or not a number, naming file, row and column; in local returns they are blank (so 'NA' hours
  beside typed sessions is fine; with no sessions either the row is quarantined, "no sessions
  or hours").
* '*' (suppressed) and '-' in a numeric field are never read as missing or zero: an error
  naming file, row and column ("expected a number"), or in local returns a quarantine ("not a
  number"). The one exception is the IUC ADC, whose publication uses '-' for "not
  reported": its reader reads '-' as missing (documented in
  :func:`analysis.io.urgent_care.read_iucadc`).
* 'NaN', 'inf', '-inf' and '1e999' (infinite once parsed) are not numbers; negatives are an
  error where a count or FTE is expected (quarantine in returns).
* Dates: a date of birth in the future gives a negative age, quarantined as under 18; a start or
  leaving date more than five years after the period (``Limits.max_years_after_period``) is
  quarantined; dates pandas cannot hold (after 2262) are not dates.
* A UTF-8 file whose bytes are latin-1 or UTF-16 is an error naming the first undecodable row;
  the NHS Payments file is latin-1, where every byte decodes, so UTF-16 there is caught by its
  NUL bytes. (UTF-8 text in the latin-1 Payments file cannot be told from latin-1 and is read as
  latin-1; nothing in it is used as a number.)
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import re
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.cleaning import rules as cleaning
from analysis.config import ROOT, resolve_area
from analysis.demo.national import write_england_release
from analysis.io import urgent_care as uio
from analysis.io.readers import read_gpw_practice_csv, read_practice_reference, read_staff_records
from analysis.io.returns import read_returns
from analysis.report.rendering import Report
from analysis.util.errors import ConfigError, GPWorkforceError, InputError

ANY = object()  # row / column not checked

REFERENCE = pd.DataFrame({
    "practice_code": ["C82001", "C82002", "C82003"],
    "ccg_code": ["03W", "03W", "04C"],
    "registered_patients": [10000, 3000, 8000],
    "open_date": pd.to_datetime(["1974-04-01"] * 3),
    "close_date": pd.to_datetime([None, None, None]),
})


# ---------------------------------------------------------------------------------------------
# Valid files, as a list of records (every line of the file, any preamble included)
# ---------------------------------------------------------------------------------------------
@dataclass
class Table:
    lines: list[list[str]]
    header_line: int = 1  # 1-based line of the header
    encoding: str = "utf-8"
    suffix: str = ".csv"

    @property
    def header(self) -> list[str]:
        return self.lines[self.header_line - 1]

    def col(self, column: str) -> int:
        return self.header.index(column)

    def copy(self) -> Table:
        return copy.deepcopy(self)

    def set(self, line: int, column: str, value: str) -> Table:
        out = self.copy()
        out.lines[line - 1][self.col(column)] = value
        return out

    def _columns(self, fn) -> Table:
        out = self.copy()
        for k in range(out.header_line - 1, len(out.lines)):
            out.lines[k] = fn(out.lines[k], k == out.header_line - 1)
        return out

    def drop(self, column: str) -> Table:
        j = self.col(column)
        return self._columns(lambda r, _: r[:j] + r[j + 1:])

    def duplicate(self, column: str) -> Table:
        j = self.col(column)
        return self._columns(lambda r, _: r[:j + 1] + [r[j]] + r[j + 1:])

    def add(self, column: str, value: str) -> Table:
        return self._columns(lambda r, head: r + [column if head else value])

    def text(self) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(self.lines)
        return buf.getvalue()

    def data(self, encoding: str | None = None) -> bytes:
        return self.text().encode(encoding or self.encoding)


def _read_records(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return [list(r) for r in csv.reader(fh)]


@functools.cache
def _gpw_records(old: bool) -> tuple:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_england_release(Path(tmp) / "gpw.csv", n_practices=4, columns="tables",
                                     old_format=old)
        return tuple(tuple(r) for r in _read_records(path))


def gpw(old: bool = False) -> Table:
    return Table([list(r) for r in _gpw_records(old)])


PAYMENTS_HEADER = [
    "NHS England (Region) Code", "CCG Code", "CCG Name", "Practice Code", "Practice Name",
    "Practice Postcode", "Practice Open Date", "Practice Close Date", "Contract Type",
    "Dispensing Practice", "Practice Rurality",
    "Number of Registered Patients (Last Known Figure)",
    "Number of Weighted Patients (Last Known Figure)", "Total NHS Payments to General Practice",
]
PATIENTS = "Number of Registered Patients (Last Known Figure)"


def payments() -> Table:
    rows = [[ "Q54", "03W", "NHS East Leicestershire and Rutland CCG", code, name, "LE1 1AA",
              "01/04/1974", "", "GMS", "No", "Urban", pts, "1100.5", "100000.00"]
            for code, name, pts in (("C82001", "Église Surgery", "10000"),
                                    ("C82002", "The Limes", "3000"),
                                    ("C82003", "Orchard Practice", "8000"))]
    return Table([PAYMENTS_HEADER, *rows], encoding="latin-1")


def staff() -> Table:
    return Table([["practice_code", "staff_id", "staff_group", "age", "fte", "job_role", "gender"],
                  ["C82001", "P1", "GP", "45", "1.0", "Partner", "F"],
                  ["C82001", "P2", "GP", "58", "0.5", "Salaried GP", "M"],
                  ["C82002", "P3", "GP", "36", "0.8", "Partner", "F"]])


RETURNS_HEADER = ["Practice code", "Period", "Staff ID", "Role", "Gender", "Date of birth",
                  "Age", "Sessions", "Hours", "Start date", "Leaving date"]


def returns(suffix: str = ".csv") -> Table:
    rows = [["C82001", "2017-10", "S1", "Partner", "F", "1970-01-01", "", "9", "",
             "2010-01-01", ""],
            ["C82001", "2017-10", "S2", "Salaried GP", "M", "1980-05-01", "", "6", "",
             "2015-01-01", ""],
            ["C82002", "2017-10", "S3", "Practice Nurse", "F", "1975-03-01", "", "", "37.5",
             "2012-01-01", ""]]
    return Table([RETURNS_HEADER, *rows], suffix=suffix)


def iucs() -> Table:
    header = uio.CASE_COLUMNS + ["appointment_booked"]
    rows = [[f"K{i}", f"2024-04-0{i} 18:35", "16-44", "F", "06A", "primary_care", "Y", "gp",
             "12", "gp_ooh", "N"] for i in (1, 2, 3)]
    return Table([header, *rows])


def iucadc() -> Table:
    rows = [["IUCADC-MONTHLY-APR-2024", "X9U01", "DEMO PROVIDER", "111XBC", "Black Country",
             item, value, "Y60", "Midlands"]
            for item, value in (("A01", "35,693"), ("C01", "33,284"), ("D01", "19,285"))]
    return Table([list(uio.IUCADC_COLUMNS), *rows])


ECDS_PREAMBLE = 3  # lines above the header


def ecds() -> Table:
    hours = [f"{h:02d}:00:00" for h in range(24)]
    lines = [["", "", ""], ["Attendances by time of day distribution", "", ""],
             ["Covers the 2024-25 financial year.", "", ""],
             ["Reporting Period", "Measure Type", *hours, "Total"]]
    for d, day in enumerate(uio.DAYS):
        amb = [d + h for h in range(24)]
        tot = [10 * (d + h + 1) for h in range(24)]
        lines.append([day, "Number of A&E attendances where patient arrived by ambulance",
                      *map(str, amb), str(sum(amb))])
        lines.append([day, "Total", *map(str, tot), str(sum(tot))])
        lines.append([day, "% of total attendances that arrived by ambulance",
                      *(f"{a / t:.4f}" for a, t in zip(amb, tot, strict=True)), "0.1"])
    return Table(lines, header_line=ECDS_PREAMBLE + 1)


BASES: dict[str, Callable[[], Table]] = {
    "gpw_current": gpw, "gpw_old": lambda: gpw(old=True), "payments": payments,
    "staff": staff, "returns_csv": returns, "returns_xlsx": lambda: returns(".xlsx"),
    "iucs": iucs, "iucadc": iucadc, "ecds": ecds,
}


# ---------------------------------------------------------------------------------------------
# Writers: a function of the case folder returning the path the reader is given
# ---------------------------------------------------------------------------------------------
def _xlsx(table: Table, path: Path, title: str | None = None, merges=()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    top = 1 if title is None else 3
    if title is not None:
        ws.cell(row=1, column=1, value=title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(table.header))
    for i, rec in enumerate(table.lines):
        for j, v in enumerate(rec, start=1):
            if v != "":
                ws.cell(row=top + i, column=j, value=v)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def file_of(table: Table | Callable[[], Table], *, data: Callable[[Table], bytes] | None = None,
            name: str | None = None, **xlsx) -> Callable[[Path], Path]:
    """Writer for ``table`` (or its builder): CSV text in its encoding, XLSX when the table's
    suffix is .xlsx, or the bytes ``data(table)`` gives."""

    def write(folder: Path) -> Path:
        t = table() if callable(table) else table
        path = folder / (name or f"input_2017-10{t.suffix}")
        if data is not None:
            path.write_bytes(data(t))
        elif t.suffix == ".xlsx":
            _xlsx(t, path, **xlsx)
        else:
            path.write_bytes(t.data())
        return path

    return write


def truncated(t: Table) -> bytes:
    """The valid file cut in the middle of its last row (before its last separator)."""
    data = t.data().rstrip(b"\n")
    start = data.rfind(b"\n") + 1
    return data[:start + (data.rfind(b",") - start) // 2]


def png_bytes(_: Table | None = None) -> bytes:
    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
            b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0bIDAT" + zlib.compress(raw)
            + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def xlsx_bytes(t: Table) -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    for rec in t.lines:
        wb.active.append(rec)
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------
def read_and_clean(path: Path) -> cleaning.CleanResult:
    """Local returns as the pipeline reads them: the folder, then every cleaning rule."""
    raw = read_returns(path.parent)
    result = cleaning.clean_returns(raw, REFERENCE)
    cleaning.check_accounting(raw, result)
    return result


READERS: dict[str, Callable[[Path], object]] = {
    "gpw_current": read_gpw_practice_csv, "gpw_old": read_gpw_practice_csv,
    "payments": read_practice_reference, "staff": read_staff_records,
    "returns_csv": read_and_clean, "returns_xlsx": read_and_clean,
    "iucs": uio.read_iucs_cases, "iucadc": uio.read_iucadc, "ecds": uio.read_ecds_time_of_day,
}


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One bad input: what to write, which reader, and what must happen."""

    name: str
    reader: str
    write: Callable[[Path], Path]
    expect: str  # error | quarantine | missing | same | text | kept | exit
    match: str = ""  # regex on the error message or the quarantine reason
    row: object = ANY  # file row (header = 1) the error or quarantine names
    column: object = ANY  # column the error names, as in the file
    field: str | None = None  # result column (missing / text)
    value: object = None  # expected text (text), or {field: value} of the staff row (kept)
    error: type[Exception] = InputError

    @property
    def id(self) -> str:
        return f"{self.reader}:{self.name}"


def _set(kind: str, line: int, column: str, value: str) -> Callable[[], Table]:
    return lambda: BASES[kind]().set(line, column, value)


# Per reader: the file line and columns the generic cases use.
# (numeric column, result field, data line, text column, result text field, required column,
#  duplicated column)
SPEC = {
    "gpw_current": ("TOTAL_GP_FTE", "TOTAL_GP_FTE", 3, "PRAC_NAME", "PRAC_NAME",
                    "TOTAL_NURSES_FTE", "PRAC_NAME"),
    "gpw_old": ("TOTAL_GP_FTE", "TOTAL_GP_FTE", 3, "PRAC_NAME", "PRAC_NAME",
                "TOTAL_GP_EXRRL_FTE", "TOTAL_GP_FTE"),
    "payments": (PATIENTS, "registered_patients", 3, "Practice Name", "practice_name",
                 "Practice Code", "CCG Code"),
    "staff": ("fte", "fte", 3, None, None, "fte", "age"),
    "returns_csv": ("Sessions", None, 3, None, None, "Role", "Staff ID"),
    "returns_xlsx": ("Sessions", None, 3, None, None, "Role", "Staff ID"),
    "iucs": ("clinical_minutes", None, 3, None, None, "disposition", "case_id"),
    "iucadc": ("VALUE", "value", 3, "ORG_NAME", "org_name", "VALUE", "ITEM_NUMBER"),
    "ecds": ("00:00:00", None, ECDS_PREAMBLE + 3, None, None, "12:00:00", "05:00:00"),
}
CSV_READERS = [k for k in BASES if k != "returns_xlsx"]
NOT_NUMBER = r"expected a number"


def numeric_cases(kind: str) -> list[Case]:
    """Negative, non-numeric, NaN, infinite, '1e999' and the markers in a count/FTE cell."""
    column, fld, line, *_ = SPEC[kind]
    returns_kind = kind.startswith("returns")
    out = []
    for label, value in [("negative", "-1.5"), ("text", "abc"), ("nan", "NaN"), ("inf", "inf"),
                         ("minus-inf", "-inf"), ("1e999", "1e999"), ("nd", "ND"), ("na", "NA"),
                         ("star", "*"), ("dash", "-")]:
        write = file_of(_set(kind, line, column, value))
        if returns_kind:
            reason = {"negative": "negative sessions or hours",
                      "nd": "no sessions or hours", "na": "no sessions or hours"}.get(
                label, "sessions or hours is not a number")
            out.append(Case(f"fte-{label}", kind, write, "quarantine", reason, row=line))
            continue
        if label in ("nd", "na") or (kind == "iucadc" and label == "dash"):
            if kind == "iucs":  # an assessed case needs its minutes
                out.append(Case(f"fte-{label}", kind, write, "error", "clinical minutes blank",
                                row=line, column=column))
            elif kind == "ecds":  # every hour needs a count
                out.append(Case(f"fte-{label}", kind, write, "error", NOT_NUMBER, row=line,
                                column=column))
            else:
                out.append(Case(f"fte-{label}", kind, write, "missing", row=line, field=fld))
            continue
        if kind == "ecds":
            match = NOT_NUMBER if label in ("text", "star", "dash") else r"whole number >= 0"
        elif label == "negative":
            match = r"number >= 0"
            if kind == "payments":
                write = file_of(_set(kind, line, column, "-15"))
        else:
            match = NOT_NUMBER
        out.append(Case(f"fte-{label}", kind, write, "error", match, row=line, column=column))
    return out


def file_cases(kind: str) -> list[Case]:
    """Truncation, encodings, empty and renamed files, missing / extra / duplicated columns."""
    _, _, line, text_col, text_field, required, dup = SPEC[kind]
    t = BASES[kind]
    head = t().header_line
    last = len(t().lines)
    xlsx = kind == "returns_xlsx"
    out = [Case("empty-file", kind, file_of(t, data=lambda _: b""), "error", r"empty", row=1)]
    if xlsx:
        out += [
            Case("truncated-xlsx", kind, file_of(t, data=lambda x: xlsx_bytes(x)[:700]), "error",
                 r"not a readable XLSX workbook", row=None),
            Case("png-renamed-xlsx", kind, file_of(t, data=png_bytes), "error",
                 r"not a readable XLSX workbook", row=None),
            Case("csv-renamed-xlsx", kind, file_of(t, data=lambda x: returns().data()), "error",
                 r"not a readable XLSX workbook", row=None),
        ]
    else:
        utf8 = t().encoding == "utf-8"
        bad_text = r"not readable as utf-8 text|NUL bytes"
        out += [
            Case("truncated-mid-row", kind, file_of(t, data=truncated), "error",
                 r"cut short", row=last),
            Case("utf16", kind, file_of(t, data=lambda x: x.data("utf-16")), "error",
                 r"(?i)" + bad_text, row=1),
            Case("png-renamed-csv", kind, file_of(t, data=png_bytes), "error",
                 r"(?i)not readable as utf-8 text|NUL bytes", row=1),
            Case("xlsx-renamed-csv", kind, file_of(t, data=xlsx_bytes), "error",
                 r"found a zip file \(an Excel workbook\?\); expected a CSV file", row=1),
            Case("extra-field-in-a-row", kind,
                 file_of(t, data=lambda x: _stray_comma(x, line)), "error",
                 r"malformed CSV|expected a day|unknown measure|fields", row=line),
        ]
        if utf8:  # latin-1 bytes (é) in a UTF-8 file name the row they are on
            out.append(Case("latin1-bytes-in-utf8", kind,
                            file_of(t, data=lambda x: _latin1_row(x, line)), "error",
                            r"(?i)not readable as utf-8 text", row=line))
    out += [
        Case("missing-column", kind, file_of(lambda: t().drop(required)), "error",
             r"missing|no column for|no header row with a practice code and a job role",
             row=head,
             column=ANY if kind.startswith("returns") else required),
        Case("duplicated-column", kind, file_of(lambda: t().duplicate(dup)), "error",
             r"appears twice|both mean", row=head, column=dup),
        Case("extra-column", kind, file_of(lambda: t().add("Notes", "see <b>me</b>")), "same"),
    ]
    if text_col is not None:
        for label, value in [("html", '<script>alert("x")</script>'),
                             ("quotes", 'The "Old" Surgery, O\'Brien & Co')]:
            out.append(Case(f"name-with-{label}", kind,
                            file_of(_set(kind, line, text_col, value)), "text", row=line,
                            field=text_field, value=value))
    return out


def _stray_comma(t: Table, line: int) -> bytes:
    """An unquoted comma inside one row: one field more than the header there."""
    lines = t.data().split(b"\n")
    rec = lines[line - 1]
    cut = rec.find(b",") + 1
    lines[line - 1] = rec[:cut] + b"x," + rec[cut:]
    return b"\n".join(lines)


def _latin1_row(t: Table, line: int) -> bytes:
    """A latin-1 'é' typed into the second field of one row of a UTF-8 file."""
    lines = t.data().split(b"\n")
    rec = lines[line - 1]
    cut = rec.find(b",") + 1
    lines[line - 1] = rec[:cut] + b"\xe9" + rec[cut:]
    return b"\n".join(lines)


def specific_cases() -> list[Case]:
    """Ages, dates, practice codes, XLSX layouts and reader-specific rules."""
    r, rx = "returns_csv", "returns_xlsx"
    cases = []
    for kind in (r, rx):
        def w(line, column, value, kind=kind):
            return file_of(_set(kind, line, column, value))
        cases += [
            Case("unknown-practice-code", kind, w(3, "Practice code", "Z99999"), "quarantine",
                 r"unknown practice code Z99999", row=3),
            Case("age-0", kind, file_of(lambda kind=kind: BASES[kind]().set(
                3, "Date of birth", "").set(3, "Age", "0")), "quarantine", r"age 0 is under 18",
                row=3),
            Case("age-150", kind, file_of(lambda kind=kind: BASES[kind]().set(
                3, "Date of birth", "").set(3, "Age", "150")), "quarantine",
                r"age 150 is over 80", row=3),
            Case("age-star", kind, file_of(lambda kind=kind: BASES[kind]().set(
                3, "Date of birth", "").set(3, "Age", "*")), "quarantine",
                r"age is not a number", row=3),
            Case("dob-in-the-future", kind, w(3, "Date of birth", "2090-01-01"), "quarantine",
                 r"age -\d+ is under 18", row=3),
            Case("start-date-far-in-the-future", kind, w(3, "Start date", "2090-01-01"),
                 "quarantine", r"start date 2090-01-01 is more than 5 years after", row=3),
            Case("leaving-date-far-in-the-future", kind, w(3, "Leaving date", "2060-06-30"),
                 "quarantine", r"leaving date 2060-06-30 is more than 5 years after", row=3),
            Case("leaving-date-beyond-any-calendar", kind, w(3, "Leaving date", "2999-12-31"),
                 "quarantine", r"leaving date is not a date", row=3),
            Case("start-date-year-9999", kind, w(3, "Start date", "31/12/9999"),
                 "quarantine", r"start date is not a date", row=3),
            Case("sessions-na-hours-given", kind, file_of(lambda kind=kind: BASES[kind]().set(
                3, "Sessions", "NA").set(3, "Hours", "37.5")), "kept", row=3,
                value={"wte": 1.0}),
            Case("dob-nd-age-given", kind, file_of(lambda kind=kind: BASES[kind]().set(
                3, "Date of birth", "ND").set(3, "Age", "52")), "kept", row=3,
                value={"age": 52}),
        ]
    cases += [
        Case("title-row-merged-above-header", rx,
             file_of(returns(".xlsx"), title="Workforce return: <b>October</b> 2017"), "same"),
        Case("merged-header-cells", rx,
             file_of(lambda: _merged_header(returns(".xlsx")), merges=["H1:I1"]),
             "error", r"no name in the header row \(merged header cells\?\)", row=1,
             column="I"),
        Case("merged-practice-code-cells", rx,
             file_of(lambda: returns(".xlsx").set(3, "Practice code", ""), merges=["A2:A3"]),
             "quarantine", r"practice code is blank", row=3),
        # staff records: ages and a practice code that is blank
        Case("age-0", "staff", file_of(_set("staff", 3, "age", "0")), "error",
             r"expected age between 18 and 100", row=3, column="age"),
        Case("age-150", "staff", file_of(_set("staff", 3, "age", "150")), "error",
             r"expected age between 18 and 100", row=3, column="age"),
        Case("age-dash", "staff", file_of(_set("staff", 3, "age", "-")), "error",
             NOT_NUMBER, row=3, column="age"),
        Case("age-na", "staff", file_of(_set("staff", 3, "age", "NA")), "missing", row=3,
             field="age"),
        Case("fte-3", "staff", file_of(_set("staff", 3, "fte", "3")), "error",
             r"expected fte between 0 and 2", row=3, column="fte"),
        # GPW: blank and repeated practice codes, a fractional headcount
        Case("blank-practice-code", "gpw_current", file_of(_set("gpw_current", 3, "PRAC_CODE",
                                                                "")),
             "error", r"practice code is blank", row=3, column="PRAC_CODE"),
        Case("fractional-headcount", "gpw_old", file_of(_set("gpw_old", 3, "TOTAL_GP_HC", "2.5")),
             "error", r"whole number", row=3, column="TOTAL_GP_HC"),
        Case("no-practice-code-column", "gpw_current",
             file_of(lambda: gpw().drop("PRAC_CODE")), "error", r"not a GPW practice-level CSV",
             row=1),
        # Payments: dates
        Case("open-date-beyond-any-calendar", "payments",
             file_of(_set("payments", 3, "Practice Open Date", "01/01/2999")), "error",
             r"expected a date", row=3, column="Practice Open Date"),
        Case("open-date-text", "payments",
             file_of(_set("payments", 3, "Practice Open Date", "ND")), "error",
             r"open date is blank|expected a date", row=3, column="Practice Open Date"),
        # IUCS: ages are bands; 150 or 0 is not one
        Case("age-band-150", "iucs", file_of(_set("iucs", 3, "age_band", "150")), "error",
             r"unknown value '150'", row=3, column="age_band"),
        Case("age-band-0", "iucs", file_of(_set("iucs", 3, "age_band", "0")), "error",
             r"unknown value '0'", row=3, column="age_band"),
        Case("call-start-not-a-date", "iucs",
             file_of(_set("iucs", 3, "call_start", "2024-13-45 25:61")), "error",
             r"expected a date and time", row=3, column="call_start"),
        Case("html-in-area", "iucs", file_of(_set("iucs", 3, "area", "<script>")), "text",
             row=3, field="area", value="<SCRIPT>"),
        # ECDS: hours, days and totals
        Case("day-with-html", "ecds", file_of(_set("ecds", ECDS_PREAMBLE + 3,
                                                   "Reporting Period", "<b>Monday</b>")),
             "error", r"expected a day of the week", row=ECDS_PREAMBLE + 3,
             column="Reporting Period"),
        Case("no-header-row", "ecds", file_of(lambda: ecds().set(
            ECDS_PREAMBLE + 1, "Reporting Period", "Period")), "error", r"no header row",
            row=None),
    ]
    return cases


def _merged_header(t: Table) -> Table:
    """'Sessions' and 'Hours' typed under one merged header cell 'Sessions / hours'."""
    out = t.copy()
    out.lines[0][out.col("Sessions")] = "Sessions / hours"
    out.lines[0][out.col("Hours")] = ""
    return out


CASES = ([c for kind in CSV_READERS + ["returns_xlsx"] for c in numeric_cases(kind)]
         + [c for kind in BASES for c in file_cases(kind)] + specific_cases())


# ---------------------------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------------------------
def _check_error(case: Case, exc: Exception, path: Path) -> None:
    msg = str(exc)
    assert len(msg.splitlines()) == 1 and msg.isprintable(), msg
    assert len(msg) < 600, msg
    if isinstance(exc, InputError):
        assert msg.startswith(path.name), msg  # the file, first
        if case.row is not ANY:
            assert exc.row == case.row, msg
            if case.row is not None:
                assert f"row {case.row}" in msg
        if case.column is not ANY:
            assert exc.column == case.column, msg
            assert f"column {case.column!r}" in msg
        assert re.search(case.match, exc.message), msg
    else:
        assert re.search(case.match, msg), msg


def _base_result(case: Case, folder: Path):
    base = folder.parent / f"{folder.name}-valid"
    base.mkdir()
    return READERS[case.reader](file_of(BASES[case.reader])(base))


def _check_result(case: Case, result, folder: Path) -> None:
    if case.reader.startswith("returns"):
        audit = result.audit
        hit = audit[audit["source_row"] == case.row] if case.row is not ANY else audit.iloc[:0]
        if case.expect == "quarantine":
            assert len(hit) == 1 and hit["outcome"].iloc[0] == "quarantined", audit
            assert re.search(case.match, hit["reason"].iloc[0]), hit["reason"].iloc[0]
            assert case.row not in set(result.staff["source_row"])
            others = audit[audit["source_row"] != case.row]
            assert (others["outcome"] != "quarantined").all(), others
            return
        if case.expect == "kept":
            assert len(hit) == 1 and hit["outcome"].iloc[0] != "quarantined", audit
            row = result.staff[result.staff["source_row"] == case.row].iloc[0]
            for k, v in case.value.items():
                assert row[k] == pytest.approx(v), (k, row[k])
            return
        assert case.expect == "same", case.expect
        base = _base_result(case, folder)
        cols = [c for c in result.staff.columns if c not in ("source_row", "source_file")]
        pd.testing.assert_frame_equal(result.staff[cols], base.staff[cols])
        assert (result.audit["outcome"] != "quarantined").all()
        return
    base = _base_result(case, folder)
    if case.expect == "same":
        pd.testing.assert_frame_equal(result, base)
        return
    pos = case.row - 2
    expected = base.copy()
    if case.expect == "missing":
        assert pd.isna(result[case.field].iloc[pos]), result[case.field]
        expected.loc[expected.index[pos], case.field] = pd.NA
    else:
        assert case.expect == "text", case.expect
        assert result[case.field].iloc[pos] == case.value
        expected.loc[expected.index[pos], case.field] = case.value
    pd.testing.assert_frame_equal(result, expected)


def _run(case: Case, run: Callable[[], object], check_result, request, path: Path) -> None:
    """Run one case, record the tally, then fail if the outcome was not the expected one."""
    handled, traceback, problem = False, False, None
    try:
        result = run()
    except (GPWorkforceError, AssertionError) as exc:
        if isinstance(exc, AssertionError):  # check_accounting broke: the cleaning's bug
            problem = exc
        elif case.expect != "error" or not isinstance(exc, case.error):
            problem = AssertionError(f"{case.id}: expected {case.expect}, got "
                                     f"{type(exc).__name__}: {exc}")
        else:
            try:
                _check_error(case, exc, path)
                handled = True
            except AssertionError as bad:
                problem = bad
    except Exception as exc:  # anything else is a traceback on the analyst's terminal
        traceback = True
        problem = exc
    else:
        if case.expect == "error":
            problem = AssertionError(f"{case.id}: expected an error, the file was read")
        else:
            try:
                check_result(result)
                handled = True
            except AssertionError as bad:
                problem = bad
    request.node.user_properties.append(("bad_input", {"handled": handled,
                                                       "traceback": traceback}))
    if problem is not None:
        raise problem


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, request):
    folder = tmp_path / "case"
    folder.mkdir()
    path = case.write(folder)
    _run(case, lambda: READERS[case.reader](path),
         lambda result: _check_result(case, result, folder), request, path)


def test_corpus_covers_every_reader_and_kind_of_bad_input():
    readers = {c.reader for c in CASES}
    assert readers == set(READERS)
    names = {c.name for c in CASES}
    for needed in ["truncated-mid-row", "utf16", "latin1-bytes-in-utf8",
                   "title-row-merged-above-header", "merged-header-cells", "missing-column",
                   "extra-column", "duplicated-column", "unknown-practice-code", "fte-negative",
                   "fte-text", "fte-nan", "fte-inf", "fte-1e999", "age-0", "age-150",
                   "dob-in-the-future", "start-date-far-in-the-future",
                   "leaving-date-far-in-the-future", "fte-nd", "fte-na", "fte-star", "fte-dash",
                   "empty-file", "png-renamed-csv", "xlsx-renamed-csv", "name-with-html",
                   "name-with-quotes"]:
        assert needed in names, needed
    assert len({c.id for c in CASES}) == len(CASES)


# ---------------------------------------------------------------------------------------------
# Hostile parameters and the command line
# ---------------------------------------------------------------------------------------------
HOSTILE = [("path-traversal", "../../etc"), ("very-long", "w" * 5000),
           ("command-substitution", "$(rm -rf /)"), ("command-separator", ";ls"),
           ("backticks", "`id`"), ("newline", "walsall\nrm -rf /"), ("nul", "a\x00b")]


@pytest.mark.parametrize("kind", [None, "ccg"])
@pytest.mark.parametrize("value", [v for _, v in HOSTILE], ids=[n for n, _ in HOSTILE])
def test_hostile_area_parameter_is_one_line_config_error(value, kind, request, tmp_path):
    case = Case(f"resolve_area-{kind}", "resolve_area", lambda folder: folder, "error",
                r"^unknown (area|CCG) ", error=ConfigError)

    def check(_):
        raise AssertionError("a hostile value resolved to an area")

    _run(case, lambda: resolve_area(value, kind), check, request, tmp_path)


CLI_HOSTILE = [
    # arguments, exit status, start of the one stderr line
    pytest.param(["--ccg", "../../etc"], 2, "error: unknown CCG ", id="ccg-traversal"),
    pytest.param(["--stp", "$(rm -rf /)"], 2, "error: unknown STP ", id="stp-subst"),
    pytest.param(["--ccg", "x;ls `id`\nboom"], 2, "error: unknown CCG ", id="ccg-newline"),
    pytest.param(["--ccg", "w" * 5000], 2, "error: unknown CCG ", id="ccg-very-long"),
    pytest.param(["--ccg", "walsall", "--out", "{tmp}/" + "o" * 300], 1, "error: cannot write",
                 id="out-name-too-long"),
    pytest.param(["--ccg", "walsall", "--out", "{tmp}/a-file/out"], 1, "error: cannot write",
                 id="out-under-a-file"),
]


@pytest.mark.parametrize(("args", "status", "start"), CLI_HOSTILE)
def test_cli_with_hostile_parameters_exits_with_one_line(args, status, start, request,
                                                         tmp_path):
    """``python -m analysis report`` with hostile values: one stderr line, no traceback, and
    nothing written under the project or the output folder."""
    case = Case("cli", "report-cli", lambda folder: folder, "exit")
    (tmp_path / "a-file").write_text("not a folder")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]

    def run():
        return subprocess.run([sys.executable, "-m", "analysis", "report", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    def check(p):
        lines = p.stderr.splitlines()
        assert p.returncode == status, (p.returncode, p.stderr)
        assert "Traceback" not in p.stderr and "Traceback" not in p.stdout
        assert len(lines) == 1 and lines[0].startswith(start), p.stderr
        assert len(lines[0]) < 600 and lines[0].isprintable()
        assert sorted(x.name for x in tmp_path.iterdir()) == ["a-file"]  # nothing written

    _run(case, run, check, request, tmp_path)


# ---------------------------------------------------------------------------------------------
# Practice names with HTML reach the report escaped
# ---------------------------------------------------------------------------------------------
def test_report_table_escapes_html_in_cells_caption_and_note(tmp_path, request):
    case = Case("table-html-escapes", "report-table", lambda folder: folder, "same")
    evil = '<script>alert("x")</script>'

    def run():
        df = pd.DataFrame({"Practice": [evil, 'The "Old" Surgery, O\'Brien'],
                           evil: [1.5, np.nan]})
        return Report(tmp_path, chapter=2).table_html(df, "practices", caption=f"Caption {evil}",
                                                      note=f"Note {evil}")

    def check(html_text):
        assert "<script" not in html_text.lower()
        assert html_text.count("&lt;script&gt;") >= 4  # cell, column heading, caption, note
        assert "O&#x27;Brien" in html_text or "O&#39;Brien" in html_text or "O'Brien" in html_text
        saved = pd.read_csv(tmp_path / "tables" / "practices.csv")
        assert saved["Practice"].iloc[0] == evil  # the take-away CSV keeps the text as read

    _run(case, run, check, request, tmp_path)
