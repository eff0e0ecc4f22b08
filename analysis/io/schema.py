"""Declared input schemas (pandera) and the project's one-line errors for them.

Each reader of a published file declares once what its columns are, their types and plausible
ranges, as a :class:`pandera.pandas.DataFrameSchema`; :func:`validate` checks a frame read from
a file and turns the first failure into an :class:`~analysis.util.errors.InputError` naming the
file, the row (as in the file: the header is row 1) and the column, with what was expected.

Frames passed to :func:`validate` carry the file's line number of each row in their index, or
the index is a 0-based position of the data rows (then ``first_row`` says which line the first
one is, by default 2: right after a one-line header).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from analysis.util.errors import InputError

__all__ = ["Check", "Column", "DataFrameSchema", "validate", "in_range", "expected"]

Check = pa.Check
Column = pa.Column
DataFrameSchema = pa.DataFrameSchema


def in_range(low: float | None = None, high: float | None = None, what: str = "") -> pa.Check:
    """A bounded-value check whose failure message says what was expected.

    Parameters
    ----------
    low, high : float, optional
        Inclusive bounds (``None``: unbounded on that side).
    what : str
        The expectation in words, e.g. "a list size from 0 to 200,000".
    """
    def ok(s: pd.Series) -> pd.Series:
        v = pd.to_numeric(s, errors="coerce")
        good = v.notna() | s.isna()
        if low is not None:
            good &= ~(v < low).fillna(False)
        if high is not None:
            good &= ~(v > high).fillna(False)
        return good.astype(bool)

    bounds = f"from {low:,} to {high:,}" if low is not None and high is not None else (
        f"at least {low:,}" if low is not None else f"at most {high:,}")
    return pa.Check(ok, error=what or f"a value {bounds}", element_wise=False)


def expected(check) -> str:
    """The words a failed check gives for what was expected."""
    text = getattr(check, "error", None) or str(check)
    return str(text)


def _row(index_value, frame: pd.DataFrame, first_row: int, numbered: bool) -> int | None:
    if index_value is None or (isinstance(index_value, float) and pd.isna(index_value)):
        return None
    if numbered:
        return int(index_value)
    try:
        pos = frame.index.get_loc(index_value)
    except KeyError:
        return None
    return int(pos) + first_row if isinstance(pos, (int, np.integer)) else None


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, path, *, first_row: int = 2,
             numbered: bool = False) -> pd.DataFrame:
    """``frame`` checked against ``schema``; the first failure as a one-line ``InputError``.

    Parameters
    ----------
    frame : DataFrame
        As read from ``path``.
    schema : DataFrameSchema
        The file's declared columns, types and ranges.
    path : str or Path
        The file (named in the error).
    first_row : int
        Line number in the file of the frame's first row (``numbered=False``).
    numbered : bool
        The frame's index already holds each row's line number in the file.

    Returns
    -------
    DataFrame
        What the schema returns (coerced types where the schema coerces).

    Raises
    ------
    InputError
        ``<file>, row N, column 'C': <what was expected>, found '<value>'`` for the earliest
        failing row, or without a row for a missing column or a whole-table check.
    """
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    except SchemaError as exc:  # non-lazy path of some checks
        cases = exc.failure_cases if exc.failure_cases is not None else pd.DataFrame()
        if cases.empty:
            raise InputError(path, str(exc).splitlines()[0]) from None
    cases = cases.copy()
    # a missing column first, then the earliest row
    missing = cases[cases["check"].astype(str).str.startswith("column_in_dataframe")]
    if len(missing):
        column = str(missing["failure_case"].iloc[0])
        raise InputError(path, "required column missing", row=1, column=column) from None
    cases["_row"] = [_row(i, frame, first_row, numbered) for i in cases["index"]]
    cases = cases.sort_values("_row", na_position="last", kind="stable")
    first = cases.iloc[0]
    column = None if pd.isna(first["column"]) else str(first["column"])
    row = None if pd.isna(first["_row"]) else int(first["_row"])
    check = schema.columns[column].checks if column in schema.columns else []
    words = _words(first["check"], check)
    value = first["failure_case"]
    found = "" if value is None or (isinstance(value, float) and pd.isna(value)) else \
        f", found {str(value)[:60]!r}"
    raise InputError(path, f"expected {words}{found}", row=row, column=column) from None


def _words(check_name, checks) -> str:
    """What a failed check expected, in words (the check's own ``error`` text where set)."""
    name = str(check_name)
    for c in checks:
        if c.error and (c.error == name or c.name == name):
            return c.error
    if name.startswith("dtype("):
        return f"a value of type {name[6:-1].strip(chr(39))}"
    if name == "not_nullable":
        return "a value (it is blank)"
    if name.startswith("field_uniqueness") or name == "unique":
        return "one row for each value"
    return name
