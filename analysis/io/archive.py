"""Files as downloaded: a CSV, or a zip holding CSVs (and definitions workbooks, PDFs).

NHS England publishes most releases as zips (``GPWPracticeCSV.MMYYYY.zip``,
``PCNWFIndividualCSV.062026.zip``, ``gp-reg-pat-prac-map.zip``). A reader takes the path an
analyst dropped in ``data/raw/nhs/`` and asks :func:`csv_sources` for the CSVs in it; it picks
the one it reads by its header (:attr:`Source.header`), never by position in the zip. Errors
name the zip and the member: ``GPWPracticeCSV.092024.zip:GPW Practice Level - Detailed.csv``.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from analysis.util.errors import InputError

# a member larger than this uncompressed is not a plausible release file (a zip bomb guard)
MAX_MEMBER_BYTES = 4 * 1024**3
HEADER_BYTES = 1 << 20


@dataclass(frozen=True)
class Source:
    """One CSV, on disk or inside a zip.

    Attributes
    ----------
    path : Path
        The file on disk (the zip for a member).
    member : str or None
        The member's name inside the zip.
    header : list of str
        The first row, as written (a byte-order mark removed).
    """

    path: Path
    member: str | None
    header: list[str]

    @property
    def label(self) -> str:
        """How errors name it: ``file.csv`` or ``file.zip:member.csv``."""
        return self.path.name if self.member is None else f"{self.path.name}:{self.member}"

    def open(self) -> BinaryIO:
        """A binary handle on the CSV's bytes (the caller closes it)."""
        if self.member is None:
            return open(self.path, "rb")
        zf = zipfile.ZipFile(self.path)
        return _ClosingMember(zf, zf.open(self.member))

    def read_bytes(self) -> bytes:
        with self.open() as fh:
            return fh.read()


class _ClosingMember(io.BufferedReader):
    """A zip member's handle that also closes its zip file."""

    def __init__(self, zf: zipfile.ZipFile, raw):
        super().__init__(raw)
        self._zf = zf

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._zf.close()


def _header(data: bytes, label: str, encodings=("utf-8-sig", "cp1252")) -> list[str]:
    first = data.split(b"\n", 1)[0].rstrip(b"\r")
    for enc in encodings:
        try:
            text = first.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost any byte
        raise InputError(label, "header row is not text in UTF-8 or Windows-1252", row=1)
    return [h.strip().lstrip("\ufeff") for h in next(csv.reader([text]), [])]


def csv_sources(path) -> list[Source]:
    """Every CSV in ``path``: the file itself, or each ``.csv`` member of a zip.

    Raises
    ------
    InputError
        The file is missing or empty, a zip is damaged or holds no CSV, or a member is
        implausibly large.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "file is empty")
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            head = fh.read(HEADER_BYTES)
        if head.startswith(b"PK\x03\x04"):
            raise InputError(path, "damaged zip file (no directory of its members: "
                             "downloaded only in part?)")
        return [Source(path, None, _header(head, path.name))]
    out = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.lower().endswith(".csv"):
                    continue
                if info.file_size > MAX_MEMBER_BYTES:
                    raise InputError(path, f"member {info.filename!r} is {info.file_size:,} "
                                     "bytes uncompressed; expected a release CSV under "
                                     f"{MAX_MEMBER_BYTES:,}")
                with zf.open(info) as fh:
                    head = fh.read(HEADER_BYTES)
                label = f"{path.name}:{info.filename}"
                out.append(Source(path, info.filename, _header(head, label)))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(path, f"damaged zip file ({exc})") from None
    if not out:
        raise InputError(path, "the zip holds no CSV file")
    return out


def pick(path, accepts: Callable[[list[str]], bool], expected: str) -> Source:
    """The one CSV in ``path`` whose header ``accepts``; an error naming what was expected.

    Parameters
    ----------
    path : str or Path
        A CSV or a zip.
    accepts : callable
        Header (list of column names) -> whether this is the file wanted.
    expected : str
        The file wanted, in words, for the error.
    """
    sources = csv_sources(path)
    found = [s for s in sources if accepts(s.header)]
    if not found:
        names = ", ".join(s.label for s in sources)
        raise InputError(path, f"no {expected} found (CSV files seen: {names})", row=1)
    if len(found) > 1:
        names = ", ".join(s.label for s in found)
        raise InputError(path, f"more than one {expected} ({names}); give one file")
    return found[0]


def pick_with_columns(path, identify: set[str], required, expected: str) -> Source:
    """The CSV in ``path`` whose header holds every name in ``identify`` (any case), checked
    to hold every ``required`` column too.

    Raises
    ------
    InputError
        No such CSV (:func:`pick`), or a required column missing: one line on row 1 naming the
        column and ``expected``.
    """
    source = pick(path, lambda h: identify <= {x.strip().upper() for x in h}, expected)
    upper = {h.strip().upper() for h in source.header}
    for col in required:
        if col not in upper:
            raise InputError(source.label, f"required column missing; expected {expected}",
                             row=1, column=col)
    return source

