"""The PDF export (analysis.report.export), its command-line switch, and the chart header."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from analysis.config import ROOT
from analysis.report import export
from analysis.report.rendering import Report, area_label, plt


def test_missing_chromium_is_one_line():
    with pytest.raises(export.ExportError) as err:
        export.find_chromium({"GPW_CHROMIUM": "/nonexistent/chromium"})
    msg = str(err.value)
    assert "\n" not in msg and "no Chromium found" in msg and "/nonexistent/chromium" in msg


def test_cli_pdf_without_chromium_exits_1_with_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GPW_CHROMIUM": "/nonexistent/chromium",
           "GPW_OUTPUT_ROOT": str(tmp_path), "GPW_PDF": "yes"}
    done = subprocess.run([sys.executable, "-m", "analysis", "report", "--ccg", "walsall"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Chromium found" in lines[0]
    assert not (tmp_path / "walsall").exists(), "fails before building the report"


def test_chromium_command_prints_the_file_with_a_fresh_profile(tmp_path):
    cmd = export.command("/usr/bin/chromium", tmp_path / "r.html", tmp_path / "r.pdf",
                         tmp_path / "p")
    assert cmd[0] == "/usr/bin/chromium" and "--headless" in cmd and "--no-sandbox" in cmd
    assert f"--print-to-pdf={tmp_path / 'r.pdf'}" in cmd
    assert f"--user-data-dir={tmp_path / 'p'}" in cmd
    assert cmd[-1] == (tmp_path / "r.html").resolve().as_uri()


def test_page_count_counts_page_objects_not_the_page_tree(tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >>\n2 0 obj << /Type /Page >>"
                    b"\n3 0 obj <</Type/Page/Parent 1 0 R>>\n%%EOF")
    assert export.page_count(pdf) == 2


@pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="no /usr/bin/chromium")
def test_write_pdf_prints_an_a4_pdf(tmp_path):
    html = tmp_path / "r.html"
    html.write_text("<html><head><style>@page { size: A4; }</style></head><body><h1>One</h1>"
                    "<p style='break-before: page'>Two</p></body></html>")
    pdf = export.write_pdf(html)
    assert pdf == tmp_path / "r.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    assert export.page_count(pdf) == 2
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)


def test_chart_header_carries_message_and_context(tmp_path):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar([0, 1], [1, 2])
    bottom = ax.get_position().y0 * 3
    rpt = Report(tmp_path)
    rpt.chart(fig, "c", "alt", "src", title="Two is twice one", context="LLR, 2017-10")
    texts = [t.get_text() for t in fig.texts]
    assert "Two is twice one" in texts and "LLR, 2017-10" in texts
    h = fig.get_size_inches()[1]
    assert h == pytest.approx(3 + 0.12 + 0.48 + 0.3)
    # the axes keep their height in inches, and the header sits above them
    assert ax.get_position().height * h == pytest.approx(
        (0.88 - 0.11) * 3, rel=0.05)
    top = {t.get_text(): t.get_position()[1] for t in fig.texts}
    assert top["Two is twice one"] > top["LLR, 2017-10"] > ax.get_position().y1
    assert bottom > 0


def test_area_labels_read_as_written():
    assert area_label("EAST LEICESTERSHIRE AND RUTLAND") == "East Leicestershire and Rutland"
    assert area_label("LLR STP Total") == "LLR STP total"
    assert area_label("LEICESTER CITY") == "Leicester City"


def test_pdf_switch_accepts_only_yes_no_values(tmp_path):
    """As make passes PDF= (GPW_PDF): a value other than yes/no, 1/0, true/false stops the run
    with one line naming the switch and its environment variable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GPW_OUTPUT_ROOT": str(tmp_path),
           "GPW_PDF": "maybe"}
    done = subprocess.run([sys.executable, "-m", "analysis", "report", "--ccg", "walsall"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith(
        "error: Invalid value for '--pdf' (env var: 'GPW_PDF')")


def test_opened_opens_every_details_and_changes_nothing_else():
    text = ("<p>x</p><details><summary>Rows</summary><table><tr><td>a</td></tr></table>"
            "</details><details open><summary>b</summary></details>"
            "<details class='wide'><summary>c</summary></details><p>details</p>")
    out = export.opened(text)
    tags = re.findall(r"<details[^>]*>", out)
    assert len(tags) == 3 and all(re.search(r"\sopen\b", t) for t in tags)
    assert re.sub(r"<details[^>]*>", "<details>", out) == re.sub(r"<details[^>]*>",
                                                                 "<details>", text)


@pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="no /usr/bin/chromium")
def test_pdf_prints_folded_tables_open(tmp_path):
    """A table folded into <details> is printed: 150 rows fill several A4 pages, where the
    folded table alone would print one; the print copy is removed afterwards."""
    rows = "".join(f"<tr><td>row {i}</td></tr>" for i in range(150))
    html = tmp_path / "r.html"
    html.write_text("<html><head><style>@page { size: A4; }</style></head><body><h1>One</h1>"
                    f"<details><summary>Rows</summary><table>{rows}</table></details>"
                    "</body></html>")
    pdf = export.write_pdf(html)
    assert export.page_count(pdf) >= 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.pdf"]
    assert "<details>" in html.read_text(), "the report itself stays folded"
