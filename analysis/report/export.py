"""A PDF of a report, printed by headless Chromium (the Debian ``chromium`` package).

The report's print stylesheet (``templates/report.css.j2``: A4, the board summary on its own
page, a chapter per page break) decides the layout; Chromium only prints it. A browser rather
than an HTML-to-PDF library because the report is already laid out for a browser (CSS grid,
``<details>``, embedded PNGs) and the browser test opens the same page with the same binary.

Usage::

    python -m analysis report --stp llr --pdf        # make report STP=llr PDF=yes
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from analysis.util.errors import GPWorkforceError

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-pdf-header-footer")
TIMEOUT_S = 180


class ExportError(GPWorkforceError):
    """The PDF could not be written; the message says why in one line."""


def find_chromium(env: dict | None = None) -> str:
    """The Chromium binary: ``$GPW_CHROMIUM`` if set, else the Debian package's.

    Raises
    ------
    ExportError
        One line saying that no Chromium was found and how to install it.
    """
    env = os.environ if env is None else env
    wanted = env.get("GPW_CHROMIUM")
    for name in ((wanted,) if wanted else CANDIDATES):
        found = shutil.which(name) if not os.path.isabs(name) else (
            name if os.access(name, os.X_OK) else None)
        if found:
            return found
    raise ExportError(
        f"PDF: no Chromium found ({wanted or ', '.join(CANDIDATES)}): install the Debian "
        "package (apt-get install chromium) or set GPW_CHROMIUM to its path")


def command(chromium: str, html: Path, pdf: Path, profile: Path) -> list[str]:
    """The Chromium command line printing ``html`` to ``pdf`` (a fresh profile, no network
    services, no header or footer)."""
    return [chromium, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
            Path(html).resolve().as_uri()]


_CLOSED_DETAILS = re.compile(r"<details(?![^>]*\sopen[\s>=])", re.IGNORECASE)


def opened(text: str) -> str:
    """The report's HTML with every ``<details>`` open, as the PDF prints it: a folded table is
    read on paper, where nothing can be unfolded. No script is added (the report has none)."""
    return _CLOSED_DETAILS.sub("<details open", text)


def print_copy(html: Path) -> Path:
    """A copy of ``html`` beside it with every ``<details>`` open (:func:`opened`), for
    Chromium to print: same folder, so the report's relative links and images resolve. The
    caller deletes it."""
    html = Path(html)
    copy = html.with_name(f".{html.stem}.print.html")
    copy.write_text(opened(html.read_text(encoding="utf-8")), encoding="utf-8")
    return copy


def write_pdf(html: Path, pdf: Path | None = None, chromium: str | None = None) -> Path:
    """Print a report to PDF beside it (``report.pdf``), every folded table open
    (:func:`print_copy`).

    Parameters
    ----------
    html : Path
        The report's HTML.
    pdf : Path, optional
        Where to write (default: the HTML's name with ``.pdf``).
    chromium : str, optional
        The browser binary (default: :func:`find_chromium`).

    Returns
    -------
    Path
        The PDF written.

    Raises
    ------
    ExportError
        No Chromium, or Chromium failed or wrote no PDF (one line).
    """
    html = Path(html)
    pdf = Path(pdf) if pdf else html.with_suffix(".pdf")
    chromium = chromium or find_chromium()
    tmp_pdf = pdf.with_name(f".{pdf.name}.partial")
    copy = print_copy(html)
    try:
        with tempfile.TemporaryDirectory(prefix="gpw-chromium-") as profile:
            try:
                done = subprocess.run(command(chromium, copy, tmp_pdf, Path(profile)),
                                      capture_output=True, text=True, timeout=TIMEOUT_S,
                                      check=False)
            except subprocess.TimeoutExpired:
                tmp_pdf.unlink(missing_ok=True)
                raise ExportError(f"PDF: {chromium} took over {TIMEOUT_S} s printing "
                                  f"{html.name}") from None
    finally:
        copy.unlink(missing_ok=True)
    if done.returncode != 0 or not tmp_pdf.exists() or tmp_pdf.stat().st_size == 0:
        tmp_pdf.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ExportError(f"PDF: {chromium} could not print {html.name}: {last}")
    tmp_pdf.replace(pdf)
    pdf.chmod(0o644)
    return pdf


def page_count(pdf: Path) -> int:
    """Pages in a PDF Chromium wrote (its page objects; no PDF library needed)."""
    data = Path(pdf).read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))
