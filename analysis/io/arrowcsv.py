"""Chosen columns of a published CSV as text, parsed with pyarrow.

The readers of the NHS reference publications (payments, registered patients, ODS) read only
the few columns they use out of wide files, all as text (so 'ND', '*' and '01/04/1974' reach the
reader as written and it decides what each means). :func:`read_text` does that with
:func:`pyarrow.csv.read_csv` (``include_columns``, every column typed as string, nothing turned
into a null), after choosing the encoding from the bytes: UTF-8 (a byte-order mark removed), else
Windows-1252, else latin-1, in which every byte decodes.

pyarrow rejects a file whose rows do not all have as many fields as the header. Such files are
read again, row by row, with the :mod:`csv` module: blank lines are skipped, empty fields after
the last column (a comma ending every row) are dropped, and a row with more or fewer fields is an
:class:`~analysis.util.errors.InputError` naming it. Row numbers in errors are as in the file
(the header is row 1); the frame's index is the 0-based data record, so a record's row is
``index + 2`` when there is a header and ``index + 1`` when there is none.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from analysis.util.errors import InputError

ENCODINGS = ("utf-8", "cp1252", "latin-1")
BOM = b"\xef\xbb\xbf"


def encoding_of(data: bytes) -> str:
    """The first of UTF-8, Windows-1252 and latin-1 in which all of ``data`` decodes."""
    for enc in ENCODINGS:
        try:
            data.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"  # pragma: no cover - latin-1 decodes every byte


def check_text(data: bytes, label, expected: str) -> None:
    """An empty file, or one with NUL bytes (UTF-16, a workbook, an image), as an error."""
    if not data.strip():
        raise InputError(label, f"file is empty; expected {expected}", row=1)
    if b"\x00" in data[:4096]:
        raise InputError(label, "not a text CSV file: it contains NUL bytes (saved as UTF-16 or "
                         f"a file of another kind?); expected {expected}", row=1)


def read_text(data: bytes, label, columns: dict[int, str], n_fields: int, *,
              header: bool = True) -> tuple[pd.DataFrame, str]:
    """The columns at positions ``columns`` of a CSV, as text.

    Parameters
    ----------
    data : bytes
        The whole CSV.
    label : str or Path
        How errors name the file.
    columns : dict of int to str
        Position of each wanted field (0-based) -> its name in the result.
    n_fields : int
        Fields in a row (the header's length).
    header : bool
        The first row is a header (skipped) rather than data.

    Returns
    -------
    (DataFrame, str)
        One ``str`` column per wanted field, in the order of ``columns``, values as written
        (blank stays ''); and the encoding used.

    Raises
    ------
    InputError
        A row with more (non-empty) or fewer fields than the header, naming the row.
    """
    encoding = encoding_of(data)
    body = data[len(BOM):] if data.startswith(BOM) else data
    positional = [f"c{i}" for i in range(n_fields)]
    wanted = [f"c{i}" for i in columns]
    bad: list = []

    def invalid(row) -> str:
        bad.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=positional, skip_rows=int(header),
                                           encoding=encoding, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted, column_types=dict.fromkeys(wanted, pa.string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        raise InputError(label, f"malformed CSV ({str(exc).splitlines()[0]})") from None
    if bad:
        return _read_row_by_row(body.decode(encoding), label, columns, n_fields, header), \
            encoding
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    frame.columns = list(columns.values())
    return frame.astype(str), encoding


def _read_row_by_row(text: str, label, columns: dict[int, str], n_fields: int,
                     header: bool) -> pd.DataFrame:
    """The same as :func:`read_text` for a file with blank lines or ragged rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    first = int(header) + 1  # row number of the first data record
    if header:
        next(reader, None)
    records: dict[int, list[str]] = {}
    try:
        for k, rec in enumerate(reader):
            if not any(f.strip() for f in rec):
                continue
            if len(rec) > n_fields:
                if any(f.strip() for f in rec[n_fields:]):
                    raise InputError(label, f"row has {len(rec)} fields, the header "
                                     f"{n_fields}: values would shift into the wrong columns "
                                     "(a comma in a value that is not quoted?)", row=k + first)
                rec = rec[:n_fields]
            if len(rec) < n_fields:
                raise InputError(label, f"row has {len(rec)} of the {n_fields} fields",
                                 row=k + first)
            records[k] = [rec[i] for i in columns]
    except csv.Error as exc:
        raise InputError(label, f"malformed CSV ({exc})") from None
    return pd.DataFrame.from_dict(records, orient="index", columns=list(columns.values()),
                                  dtype=str) if records else pd.DataFrame(
        {c: pd.Series(dtype=str) for c in columns.values()})
