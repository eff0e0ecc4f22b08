"""What the analyst dropped in ``data/raw/nhs/``: each file recognised by its name and header.

:func:`catalogue` scans a folder (sub-folders included) and lists every file with its kind
(``pcn_individual``, ``patients_map``, ``patients_totals``, ``patients_quinary``,
``gpw_detailed``, ``gpw_high_level``, ``gpw_individual``, ``payments``, ``ods``), its period
(``YYYY-MM``), its path and its SHA-256. Recognition reads only the headers (and the first data
row for the period) through :func:`analysis.io.archive.csv_sources`, never the whole file, so
a folder of national releases is catalogued in seconds. A file it does not recognise is listed
as ``unrecognised`` with the reason, not an error: the folder is the analyst's.

:func:`latest` picks the latest release of a kind, or the one of a given period.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from analysis.io.archive import Source, csv_sources
from analysis.io.gpw import is_detailed, period_from_name
from analysis.util.errors import ConfigError, GPWorkforceError
from analysis.util.provenance import sha256

__all__ = ["KINDS", "DEFAULT_FOLDER", "catalogue", "latest"]

KINDS = ("pcn_individual", "patients_map", "patients_totals", "patients_quinary",
         "gpw_detailed", "gpw_high_level", "gpw_individual", "payments", "ods")
DEFAULT_FOLDER = Path("data") / "raw" / "nhs"
COLUMNS = ["kind", "period", "path", "member", "sha256", "note"]
SKIPPED = {"README.md", ".gitkeep"}
_FOLDER_PERIOD = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")
_PAYMENTS_YEAR = re.compile(r"nhspaymentsgp-(\d\d)-(\d\d)", re.I)
_EXTRACT = [("%d%b%Y", re.compile(r"^\d\d[A-Za-z]{3}\d{4}$")),
            ("%Y-%m-%d", re.compile(r"^\d{4}-\d\d-\d\d$")),
            ("%d/%m/%Y", re.compile(r"^\d\d/\d\d/\d{4}$"))]


def _kind(header: list[str]) -> str | None:
    """The kind of CSV a header belongs to, or None."""
    names = {h.strip().upper() for h in header}
    keys = {" ".join(h.lower().split()) for h in header}
    if {"PCN_CODE", "UNIQUE_IDENTIFIER", "FTE"} <= names:
        return "pcn_individual"
    if {"ORG_CODE", "AGE_GROUP_5", "NUMBER_OF_PATIENTS"} <= names:
        return "patients_quinary"
    if names & {"CODE", "PRACTICE_CODE"} and names & {"NUMBER_OF_PATIENTS", "TOTAL_ALL"}:
        return "patients_totals"
    if {"PRACTICE_CODE", "PCN_CODE"} <= names and names & {"SUB_ICB_LOCATION_CODE",
                                                           "CCG_CODE"}:
        return "patients_map"
    if is_detailed(header):
        return "gpw_detailed"
    if {"PRAC_CODE", "STAFF_GROUP", "MEASURE", "VALUE"} <= names:
        return "gpw_high_level"
    if "UNIQUE_IDENTIFIER" in names and "STAFF_GROUP" in names:
        return "gpw_individual"
    if "practice code" in keys and any("registered patients" in k for k in keys):
        return "payments"
    if len(header) >= 26 and len(header[10]) == 8 and header[10].isdigit():
        return "ods"  # epraccur: no header row, the first row is a practice
    return None


def _first_row(source: Source) -> dict[str, str]:
    """The first data row, by upper-case column name (empty when there is none)."""
    with source.open() as fh:
        head = fh.read(1 << 16)
    text = head.decode("utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text))
    next(rows, None)
    row = next(rows, None) or []
    return {h.strip().upper(): v.strip() for h, v in zip(source.header, row, strict=False)}


def _period(source: Source, kind: str) -> str | None:
    """``YYYY-MM`` from the first row (extract date, census month), the names, the folder."""
    row = _first_row(source) if kind != "ods" else {}
    if row.get("EXTRACT_DATE"):
        for fmt, pattern in _EXTRACT:
            if pattern.match(row["EXTRACT_DATE"]):
                return pd.to_datetime(row["EXTRACT_DATE"], format=fmt).strftime("%Y-%m")
    year, month = row.get("CENSUS_YEAR", ""), row.get("CENSUS_MONTH", "")
    if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return f"{int(year):04d}-{int(month):02d}"
    for name in (source.member, source.path.name):
        found = period_from_name(Path(name).name) if name else None
        if found:
            return found
    if kind == "payments":  # a financial year: its last month
        m = _PAYMENTS_YEAR.search(source.path.name)
        if m:
            return f"20{m.group(2)}-03"
    if _FOLDER_PERIOD.match(source.path.parent.name):
        return source.path.parent.name
    return None


def _entries(path: Path) -> list[dict]:
    try:
        sources = csv_sources(path)
    except GPWorkforceError as exc:
        return [{"kind": "unrecognised", "period": None, "member": None, "note": str(exc)}]
    out = []
    for src in sources:
        kind = _kind(src.header)
        if kind is None:
            out.append({"kind": "unrecognised", "period": None, "member": src.member,
                        "note": f"header not of a known release ({', '.join(src.header[:4])}"
                                f"{', ...' if len(src.header) > 4 else ''})"})
            continue
        out.append({"kind": kind, "period": _period(src, kind), "member": src.member,
                    "note": ""})
    return out


def catalogue(folder=DEFAULT_FOLDER) -> pd.DataFrame:
    """Every file under ``folder`` (zips included), recognised by name and header.

    Parameters
    ----------
    folder : str or Path
        Default ``data/raw/nhs/``. A missing folder gives an empty catalogue.

    Returns
    -------
    DataFrame
        ``kind`` (one of :data:`KINDS`, or ``'unrecognised'``), ``period`` (``YYYY-MM`` or
        missing), ``path``, ``member`` (the CSV inside a zip), ``sha256``, ``note`` (why a file
        was not recognised); one row per CSV (a zip of several CSVs gives several rows), sorted
        by kind, period and path. Files that are not CSVs or zips (PDFs, workbooks) are listed
        as unrecognised.
    """
    folder = Path(folder)
    rows = []
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in SKIPPED) \
        if folder.is_dir() else []
    for path in files:
        digest = sha256(path)
        if path.suffix.lower() not in (".csv", ".zip"):
            rows.append({"kind": "unrecognised", "period": None, "path": path, "member": None,
                         "sha256": digest, "note": "not a CSV or a zip"})
            continue
        for entry in _entries(path):
            rows.append({**entry, "path": path, "sha256": digest})
    cat = pd.DataFrame(rows, columns=COLUMNS)
    if len(cat):
        cat = cat.sort_values(["kind", "period", "path"], na_position="first",
                              key=lambda s: s.astype(str), ignore_index=True)
    cat.attrs["folder"] = str(folder)
    return cat


def latest(cat: pd.DataFrame, kind: str, period: str | None = None,
           required: bool = True) -> pd.Series | None:
    """The latest release of ``kind`` in the catalogue, or the one of ``period``.

    Parameters
    ----------
    cat : DataFrame
        From :func:`catalogue`.
    kind : str
        One of :data:`KINDS`.
    period : str, optional
        ``YYYY-MM``: that release only.
    required : bool
        Raise when there is none (otherwise return None).

    Returns
    -------
    Series or None
        The catalogue's row (``path``, ``period``, ...).

    Raises
    ------
    ConfigError
        No such file (one line naming the folder, the kind and the periods there are); two
        files of the same kind and period.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown kind of input {kind!r}; expected one of {', '.join(KINDS)}")
    rows = cat[cat["kind"] == kind]
    have = sorted({p for p in rows["period"] if isinstance(p, str)})
    if period is not None:
        rows = rows[rows["period"] == period]
    elif have:
        rows = rows[rows["period"] == have[-1]]
    if rows.empty:
        if not required:
            return None
        folder = cat.attrs.get("folder", "the folder")
        what = f" of {period}" if period else ""
        there = f" (periods there: {', '.join(have)})" if have else ""
        raise ConfigError(f"{folder}: no {kind.replace('_', ' ')} file{what}{there}")
    if len(rows) > 1:
        names = ", ".join(Path(p).name for p in rows["path"])
        raise ConfigError(f"{cat.attrs.get('folder', 'the folder')}: more than one "
                          f"{kind.replace('_', ' ')} file of {rows['period'].iloc[0]}: {names}; "
                          "keep one")
    return rows.iloc[0]
