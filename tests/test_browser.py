"""Every demo report opened in a real browser (headless Chromium, the Debian package, driven
by Playwright; no browser is ever downloaded).

For each area: no console errors, every image loads, every internal link and anchor resolves,
the PDF printed by :mod:`analysis.report.export` has the pages the print stylesheet asks for,
and a screenshot of the summary page is written to ``outputs/<area>/_review/summary.png`` for a
reviewer. Skipped, with the reason, where ``/usr/bin/chromium`` or Playwright is missing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from analysis.config import ROOT, registry

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
REVIEW = ROOT / "outputs"

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                 reason=f"{CHROMIUM} not installed (apt-get install chromium)")]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")


@pytest.fixture(scope="module")
def built(request):
    """Every demo area's report (the session's batch, or the reports already built under
    ``$GPW_BROWSER_REPORTS``, e.g. by ``make reports``), and its PDF."""
    from analysis.report import export

    given = os.environ.get("GPW_BROWSER_REPORTS")
    out = Path(given) if given else request.getfixturevalue("demo_batch")
    for slug in registry():
        export.write_pdf(out / slug / "report.html", out / slug / "report.pdf",
                         chromium=CHROMIUM)
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 1700})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, errors


def _printed_pages(html: str) -> int:
    """Pages the print stylesheet forces at least: the board summary, the contents, then each
    chapter (h2) on a new page."""
    chapters = len(re.findall(r"<h2 id=", html)) - 1  # the Summary heading opens page one
    return 2 + chapters - 1


@pytest.mark.parametrize("slug", list(registry()))
def test_report_in_the_browser(built, browser, slug):
    html_path = built / slug / "report.html"
    page, errors = _open(browser, html_path)
    try:
        assert errors == [], f"{slug}: console errors: {errors[:3]}"
        broken = page.evaluate("""() => Array.from(document.images)
            .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt.slice(0, 60))""")
        assert broken == [], f"{slug}: images not loaded: {broken}"
        assert page.evaluate("document.images.length") > 0
        ids = set(page.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
        hrefs = page.evaluate(
            "Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
        missing = [h for h in hrefs if h.startswith("#") and h[1:] not in ids]
        assert missing == [], f"{slug}: anchors without a target: {missing[:5]}"
        files = [h for h in hrefs if not h.startswith(("#", "http:", "https:", "mailto:"))]
        assert files, "the tables and charts are linked"
        gone = [h for h in files if not (html_path.parent / h.split("#")[0]).is_file()]
        assert gone == [], f"{slug}: links to missing files: {gone[:5]}"
        assert not [h for h in hrefs if h.startswith(("http:", "https:"))], "opens offline"
        summary = page.locator("#board-summary")
        assert summary.count() == 1 and page.locator("#publication").count() == 1
        shot = REVIEW / slug / "_review" / "summary.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        top = page.evaluate("document.querySelector('#report-toc').getBoundingClientRect().top"
                            " + window.scrollY")
        page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1200,
                                              "height": min(max(top, 400), 4000)})
        assert shot.stat().st_size > 10_000
    finally:
        page.close()


@pytest.mark.parametrize("slug", list(registry()))
def test_pdf_has_the_expected_pages(built, slug):
    from analysis.report.export import page_count

    html = (built / slug / "report.html").read_text(encoding="utf-8")
    pdf = built / slug / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    pages = page_count(pdf)
    least = _printed_pages(html)
    # at least a page per forced break; a chapter of about 15 A4 pages at most
    assert least <= pages <= least * 15, (slug, pages, least)
