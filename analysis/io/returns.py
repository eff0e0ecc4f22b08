"""Local staff-level workforce returns: the accepted format and the reader.

Practices send their CCG one row per person per post (and rows for vacancies), in CSV or XLSX,
one file per practice or one per CCG. Column names and role labels vary between practices and
over time; both are mapped through the maintained lookup (``returns: lookup:`` in the config,
``config/returns_lookup.yaml``; read and checked by :func:`analysis.config.returns_lookup`). The
format is documented in ``docs/returns_format.md``.

:func:`read_returns` reads every file in a folder into one frame of text columns with the
canonical names, plus ``source_file`` and ``source_row`` (the line or worksheet row the value came
from) so that every later correction or quarantine can point back to the raw row. The frame's
``attrs["file_modified"]`` gives each file's modification time (nanoseconds since the epoch, by
``source_file``): the order of two submissions of one practice's return that carry no
``submitted`` stamp (:func:`analysis.cleaning.rules.resubmissions`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.config import project_path, returns_lookup, settings, shown_path
from analysis.io.readers import _decode_error, _read_header, check_field_counts
from analysis.util.errors import ConfigError, InputError

CANONICAL = ["practice_code", "return_period", "record_type", "staff_id", "staff_group",
             "job_role", "gender", "date_of_birth", "age", "age_band", "sessions_per_week",
             "hours_per_week", "employment_type", "start_date", "leaving_date", "vacancy_wte",
             "open_since", "submitted"]
REQUIRED = ["practice_code", "job_role"]
PERIOD_IN_NAME = re.compile(r"(20\d\d)[-_]?(0[1-9]|1[0-2])")
SUFFIXES = {".csv", ".xlsx", ".gz"}


def _key(text: str) -> str:
    return re.sub(r"[\s_.\-]+", " ", str(text).strip().lower()).strip()


@lru_cache(maxsize=4)
def load_lookup(path: str | Path | None = None) -> dict:
    """The maintained lookup: column spellings, role labels, genders (normalised keys).

    Parameters
    ----------
    path : str or Path, optional
        Another lookup file; default the one the config names (``returns: lookup:``).

    Raises
    ------
    ConfigError
        One line naming the file and the key: a problem in the file, or a column that is not
        one of :data:`CANONICAL`.
    """
    raw = returns_lookup(path)
    columns = {}
    for canon, spellings in raw.columns.items():
        if canon not in CANONICAL:
            source = shown_path(project_path(path or settings().returns.lookup))
            raise ConfigError(f"{source}: columns.{canon}: unknown column (expected one of: "
                              f"{', '.join(CANONICAL)})")
        for s in [canon, *spellings]:
            columns[_key(s)] = canon
    roles = {k.strip().lower(): (v[0], v[1]) for k, v in raw.roles.items()}
    genders = {k.strip().lower(): v for k, v in raw.genders.items()}
    generic = {k.strip().lower(): v for k, v in raw.generic_roles.items()}
    return {"columns": columns, "roles": roles, "genders": genders, "generic": generic}


def map_columns(header: list[str], path, lookup: dict | None = None) -> dict[str, str]:
    """File header -> canonical names; unknown columns are ignored, duplicates are an error."""
    lookup = lookup or load_lookup()
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for h in header:
        canon = lookup["columns"].get(_key(h))
        if canon is None:
            continue
        if canon in seen:
            raise InputError(path, f"columns {seen[canon]!r} and {h!r} both mean {canon}",
                             row=1, column=h)
        seen[canon] = h
        out[h] = canon
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        spellings = sorted(k for k, v in lookup["columns"].items() if v == missing[0])
        raise InputError(path, f"no column for {missing[0]} (expected one of: "
                         f"{', '.join(spellings)})", row=1)
    return out


def _period_from_name(path: Path) -> str | None:
    m = PERIOD_IN_NAME.search(path.stem)
    return f"{m.group(1)}-{m.group(2)}" if m else None


def _read_csv(path: Path) -> pd.DataFrame:
    header = _read_header(path, "utf-8") if path.suffix != ".gz" else None
    check_field_counts(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                         index_col=False, encoding="utf-8")
    except UnicodeDecodeError:  # a byte past the header that is not UTF-8
        raise _decode_error(path, "utf-8") from None
    except pd.errors.ParserError as exc:  # binary, unbalanced quotes, ragged rows
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(path, "not readable as a CSV file: " + str(exc).strip(),
                         row=int(line.group(1)) if line else None) from None
    df.columns = [str(c).strip() for c in df.columns] if header is None else header
    df["source_row"] = df.index + 2
    return df


def _read_xlsx(path: Path) -> pd.DataFrame:
    """First worksheet; the header is the first row naming a practice code and a role column."""
    try:
        # cells as typed, as the CSV reader reads them ('NA', 'NaN', 'None' are not blank)
        raw = pd.read_excel(path, sheet_name=0, header=None, dtype=str,
                            keep_default_na=False).fillna("")
    except Exception as exc:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise InputError(path, f"not a readable XLSX workbook ({type(exc).__name__})") from None
    lookup = load_lookup()
    for i in range(min(len(raw), 10)):
        canon = {lookup["columns"].get(_key(v)) for v in raw.iloc[i]}
        if {"practice_code", "job_role"} <= canon:
            df = raw.iloc[i + 1:].reset_index(drop=True)
            df.columns = [str(v).strip() for v in raw.iloc[i]]
            df["source_row"] = df.index + i + 2
            df.attrs["header_row"] = i + 1
            return df
    raise InputError(path, "no header row with a practice code and a job role column in the "
                     "first 10 rows", row=1)


def _letter(j: int) -> str:
    """Spreadsheet column letter of the 0-based column ``j`` (0 -> A, 26 -> AA)."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def read_return_file(path) -> pd.DataFrame:
    """One return file (CSV or XLSX) as text with canonical column names.

    Returns
    -------
    DataFrame with the :data:`CANONICAL` columns present in the file (others dropped),
    ``return_period`` filled from the file name when the file has no period column, and
    ``source_file`` (file name) and ``source_row`` (1-based row in the file or worksheet).
    Fully blank rows are dropped.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "file is empty", row=1)
    if path.suffix.lower() == ".xlsx":
        df = _read_xlsx(path)
    else:
        df = _read_csv(path)
    header = [c for c in df.columns if c != "source_row"]
    for j, name in enumerate(header):
        if not name and (df.iloc[:, j].astype(str).str.strip() != "").any():
            raise InputError(path, "a column with values has no name in the header row (merged "
                             "header cells?); give every column its own name",
                             row=df.attrs.get("header_row", 1), column=_letter(j))
    mapping = map_columns(header, path)
    out = df[list(mapping) + ["source_row"]].rename(columns=mapping)
    out.attrs["unmapped_columns"] = [c for c in header if c not in mapping and c.strip()]
    data_cols = [c for c in out.columns if c != "source_row"]
    out = out[(out[data_cols].astype(str).apply(lambda s: s.str.strip()) != "").any(axis=1)]
    if "return_period" not in out:
        period = _period_from_name(path)
        if period is None:
            raise InputError(path, "no return period: expected a period column or YYYY-MM in "
                             "the file name", row=1)
        out["return_period"] = period
    out["source_file"] = path.name
    return out.reset_index(drop=True)


def read_returns(folder) -> pd.DataFrame:
    """Every return file (``*.csv``, ``*.xlsx``) under ``folder``, stacked.

    Raises
    ------
    InputError
        When the folder is missing or holds no return files, or for any unreadable file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "returns folder not found")
    files = sorted(p for p in folder.rglob("*") if p.is_file()
                   and p.suffix.lower() in {".csv", ".xlsx"} and not p.name.startswith((".", "~")))
    if not files:
        raise InputError(folder, "no return files (*.csv, *.xlsx) in the folder")
    frames = [read_return_file(p) for p in files]
    names = [p.name for p in files]
    shown = [p.relative_to(folder).as_posix() if names.count(p.name) > 1 else p.name
             for p in files]  # two files of one name in two folders are told apart
    for f, name in zip(frames, shown, strict=True):
        f["source_file"] = name
    modified = {name: p.stat().st_mtime_ns for name, p in zip(shown, files, strict=True)}
    unmapped = sorted({(f["source_file"].iloc[0] if len(f) else "", c)
                       for f in frames for c in f.attrs.get("unmapped_columns", [])})
    out = pd.concat(frames, ignore_index=True)
    for c in CANONICAL:
        if c not in out:
            out[c] = ""
    out = out[CANONICAL + ["source_file", "source_row"]].fillna("")
    out["source_row"] = out["source_row"].astype(int)
    out.attrs["unmapped_columns"] = pd.DataFrame(unmapped, columns=["file", "column"])
    out.attrs["files"] = [p.relative_to(folder).as_posix() for p in files]
    out.attrs["file_modified"] = modified
    return out
