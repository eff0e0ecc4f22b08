"""Where the real published files are, and their text read independently of the package.

The tests that use real files read them from the ``shared/`` folder beside the repository
(``$GPW_SHARED`` when set, e.g. from a git worktree elsewhere) and skip cleanly when it is
absent. Their expected figures are computed here with the standard library (csv, zipfile), never
with the readers under test.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ["GPW_SHARED"]) if os.environ.get("GPW_SHARED") else ROOT.parent / "shared"
REAL = SHARED / "real"
REFERENCE = SHARED / "reference"


def csv_text(path: Path) -> str:
    """The text of a CSV, or of the (first) CSV in a zip, decoded as UTF-8 (a byte-order mark
    removed) or else Windows-1252."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.lower().endswith(".csv"))
            data = zf.read(name)
    else:
        data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def chapter_warnings(report: Path) -> str:
    """What the chapters of a report wrote to their error streams (``_meta/warnings.txt``,
    where :meth:`analysis.report.rendering.Report.chart` writes a bar chart whose axis leaves
    out zero), or '' when nothing."""
    path = Path(report).parent / "_meta" / "warnings.txt"
    return path.read_text(encoding="utf-8") if path.exists() else ""
