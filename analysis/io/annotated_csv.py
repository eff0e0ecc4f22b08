"""Small analyst-edited CSV files with ``#`` comment lines (sources, column notes).

The scenario chapter's funding trajectories and risk register are CSV files an analyst keeps by
hand: the first lines say where the figures come from, as ``# ...`` comments. This reader skips
whole-line comments and blank lines (a ``#`` inside a value is kept, unlike pandas'
``comment='#'``), keeps every cell as stripped text and remembers each record's line number in
the file, so every problem is raised as :class:`analysis.util.errors.InputError` naming the
file, the
line and the column.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from analysis.util.errors import InputError


def read_annotated_csv(path, required: list[str]) -> pd.DataFrame:
    """Read a commented CSV as text.

    Parameters
    ----------
    path : str or Path
        The file. Lines whose first non-blank character is ``#`` and blank lines are skipped.
    required : list of str
        Columns that must be in the header (names matched exactly, after stripping spaces).

    Returns
    -------
    DataFrame
        One row per record, every cell a stripped string ('' when blank). ``attrs['path']`` is
        the file and ``attrs['lines']`` the 1-based line number of each record in the file
        (for error messages); ``attrs['header_line']`` the header's; ``attrs['source']`` the
        text after ``Source:`` on the first comment line that has it ('' when none).

    Raises
    ------
    InputError
        File missing, not UTF-8 text, no header, a column twice, a required column missing, or a
        record with more or fewer fields than the header.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not readable as UTF-8 text (byte {exc.start}); save the file "
                         "as CSV UTF-8") from None
    if "\x00" in text:
        raise InputError(path, "not a text CSV file: it contains NUL bytes")
    source = next((line.split("Source:", 1)[1].strip() for line in text.splitlines()
                   if line.lstrip().startswith("#") and "Source:" in line), "")
    numbered = [(i, line) for i, line in enumerate(text.splitlines(keepends=True), start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    consumed: list[int] = []

    def lines():
        for i, line in numbered:
            consumed.append(i)
            yield line

    reader = csv.reader(lines())
    records, starts = [], []
    try:
        while True:
            first = len(consumed)
            try:
                rec = next(reader)
            except StopIteration:
                break
            records.append([c.strip() for c in rec])
            starts.append(consumed[first] if first < len(consumed) else consumed[-1])
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV ({exc})",
                         row=consumed[-1] if consumed else None) from None
    if not records or not any(records[0]):
        raise InputError(path, "no header row; expected column names on the first line that "
                         "is not a # comment", row=starts[0] if starts else None)
    header, header_line = records[0], starts[0]
    seen: set[str] = set()
    for h in header:
        if h in seen:
            raise InputError(path, "column appears twice in the header", row=header_line,
                             column=h)
        seen.add(h)
    for col in required:
        if col not in seen:
            raise InputError(path, f"required column missing; expected the columns "
                             f"{', '.join(required)}", row=header_line, column=col)
    rows = records[1:]
    for rec, line in zip(rows, starts[1:], strict=True):
        if len(rec) != len(header):
            raise InputError(path, f"row has {len(rec)} fields, the header {len(header)}; quote "
                             "values that contain commas", row=line)
    df = pd.DataFrame(rows, columns=header, dtype=object)
    df.attrs["path"] = str(path)
    df.attrs["lines"] = starts[1:]
    df.attrs["header_line"] = header_line
    df.attrs["source"] = source
    return df


def error(df: pd.DataFrame, i: int, column: str | None, message: str) -> InputError:
    """InputError for row position ``i`` of a frame from :func:`read_annotated_csv`."""
    return InputError(df.attrs["path"], message, row=df.attrs["lines"][i], column=column)


def number_column(df: pd.DataFrame, column: str, *, minimum: float | None = None,
                  whole: bool = False, low: float | None = None, high: float | None = None,
                  allow_blank: bool = False) -> pd.Series:
    """A column as numbers, checked; thousands separators (``1,234``) are accepted.

    Parameters
    ----------
    minimum : float, optional
        Smallest allowed value.
    whole : bool
        Values must be whole numbers (returned as floats; blank allowed values are NaN).
    low, high : float, optional
        Inclusive range (used for scores such as likelihood 1-5).
    allow_blank : bool
        Blank cells become NaN instead of an error.
    """
    out = []
    for i, raw in enumerate(df[column]):
        s = str(raw).replace(",", "").replace("£", "").strip()
        if s == "":
            if allow_blank:
                out.append(float("nan"))
                continue
            raise error(df, i, column, "value is blank; expected a number")
        try:
            v = float(s)
        except ValueError:
            raise error(df, i, column, f"expected a number, found {raw!r}") from None
        if v != v or v in (float("inf"), float("-inf")):
            raise error(df, i, column, f"expected a number, found {raw!r}")
        if whole and v != int(v):
            raise error(df, i, column, f"expected a whole number, found {raw!r}")
        if minimum is not None and v < minimum:
            raise error(df, i, column, f"expected a number >= {minimum:g}, found {raw!r}")
        if (low is not None and v < low) or (high is not None and v > high):
            raise error(df, i, column, f"expected a value from {low:g} to {high:g}, found "
                        f"{raw!r}")
        out.append(v)
    return pd.Series(out, index=df.index, dtype=float, name=column)
