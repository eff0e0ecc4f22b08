"""The workforce, returns, summary and provenance chapters' display objects and templates."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import resolve_area
from analysis.report import returns as rr
from analysis.report import summary as sm
from analysis.report import workforce as wr
from analysis.report.rendering import Html, Report, Section, render

META = {
    "headline": {
        "workforce": {"gp_fte_per_1000": 0.4812, "target": 0.58, "gap_fte": 27.41,
                      "gp_hc": 157, "gp_fte": 133.3, "patients": 277006, "practices": 44,
                      "date": "30 June 2017", "share_55_plus": 0.197, "gp_hc_55_plus": 31,
                      "estimated_practices": 3, "practices_in_release": 44, "nd_practices": 1},
        "scenarios": {"scenario": "Do nothing", "position": 120.4, "horizon": 2020,
                      "target": 160, "gap": 39.6, "p_meet": None},
        "returns": {"period": "2017-06", "received": 40, "carried": 1, "estimated": 0,
                    "raw": 1234, "corrected": 56, "quarantined": 7},
    },
    "inputs": {}, "parameters": {"Workforce tables": {"summary": "2017-06-30"}},
    "caveats": {"Workforce tables": ["One & two <b>"]},
}


def test_summary_opens_with_publication_metadata_and_the_board_page(tmp_path):
    out = sm.opening(resolve_area("wolverhampton", "ccg"), META, tmp_path, synthetic=False)
    parts = list(out)
    assert parts[1]._repr_markdown_() == "# GP workforce: NHS Wolverhampton CCG"
    pub = parts[2]._repr_html_()
    assert "<th>Status</th><td>Management information: not official statistics</td>" in pub
    assert "NHS Digital General Practice Workforce (GPs and practices): 30 June 2017" in pub
    assert "Local workforce returns: 2017-06" in pub and 'href="#provenance"' in pub
    assert parts[3]._repr_markdown_() == "## Summary"
    board = parts[4]._repr_html_()
    # no chapter tables in tmp_path: the board says only what the recorded facts support
    assert 'data-figure="all_per_1000"' not in board
    assert "<table class=\"headline-table\">" not in board
    assert "1 of 44 practices' GP figures include NHS Digital estimates" not in board
    assert "3 of 44 practices' GP figures include NHS Digital estimates; 1 have" in board
    synthetic = sm.opening(resolve_area("wolverhampton", "ccg"), META, tmp_path, synthetic=True)
    assert "Demo: synthetic data, not for decisions" in list(synthetic)[2]._repr_html_()


def test_closing_escapes_recorded_text():
    out = sm.closing(META, {"area_slug": "wolverhampton"})
    assert isinstance(out, Section) and len(out.parts) == 2
    html = out.parts[0]._repr_html_()
    assert "<h2 id='provenance'>Provenance and caveats</h2>" in html
    assert "<li>One &amp; two &lt;b&gt;</li>" in html
    assert "<code>summary</code> = <code>2017-06-30</code>" in html
    assert out.parts[1]._repr_markdown_().startswith("### Assumptions and caveats log")


def test_contents_links_every_chapter_heading():
    page = ('<h2 id="Summary">Summary</h2><h2 id="Data-completeness">Data completeness</h2>'
            + sm.TOC_MARKER)
    nav = sm.add_toc(page)
    assert "<li><a href='#Data-completeness'>Data completeness</a></li>" in nav
    assert "#Summary" not in nav


def test_caveats_come_from_the_templates():
    caveats = wr.caveats()
    assert len(caveats) == 7 and caveats[0].startswith("The demo data are synthetic")
    assert len(wr.bullets("returns_caveats.md.j2")) == 4


@pytest.mark.parametrize("heading", [True, False])
def test_no_returns_text(heading):
    md = (rr.no_returns_md if heading else rr.no_local_returns_md)("NHS Dudley CCG")
    text = md._repr_markdown_()
    assert text.startswith("## Local workforce returns") == heading
    assert "No local staff-level returns are configured for NHS Dudley CCG" in text


def test_section_keeps_its_parts_for_an_analyst(tmp_path):
    rpt = Report(tmp_path, chapter=2)
    table = rpt.table(pd.DataFrame({"a": [1, 2]}), "t", "A table")
    section = Section((Html(render("returns_groups_heading.html.j2", area="X & Y")), table))
    assert list(section) == list(section.parts)
    assert section.tables["t"].df.equals(table.df)
    assert section.parts[0]._repr_html_() == "<h2>Practice groups and turnover: X &amp; Y</h2>"
    assert (tmp_path / "tables" / "t.csv").exists()


def test_csv_cells_that_a_spreadsheet_would_run_are_made_inert(tmp_path):
    """OWASP CSV injection: text cells starting with = + - @ tab CR get a leading quote;
    numbers (negative ones included) and ordinary text are written as they are."""
    from analysis.report.rendering import Report, formula_safe

    df = pd.DataFrame({"label": ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx",
                                 "Locum - other", None],
                       "value": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    path = Report(tmp_path).save_table(df, "t")
    back = pd.read_csv(path, keep_default_na=False)
    assert back["label"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2+3", "'@SUM(A1)",
                                      "'\tx", "Locum - other", ""]
    assert back["value"].tolist() == [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert list(formula_safe(pd.DataFrame({"=x": [1]})).columns) == ["'=x"]
    pd.testing.assert_frame_equal(formula_safe(df.iloc[5:]), df.iloc[5:])


def test_charts_of_synthetic_reports_carry_the_watermark(tmp_path, monkeypatch):
    """The runner sets GPW_SYNTHETIC=1 for a report read from demo inputs: each chart then
    carries the watermark; without it the same chart is drawn without."""
    import matplotlib.pyplot as plt

    from analysis.report.rendering import Report

    def chart(flag):
        monkeypatch.setenv("GPW_SYNTHETIC", flag)
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.bar([0, 1], [1, 2])
        texts = []
        orig = fig.text

        def spy(*a, **k):
            texts.append(a[2] if len(a) > 2 else k.get("s"))
            return orig(*a, **k)

        monkeypatch.setattr(fig, "text", spy)
        Report(tmp_path).chart(fig, "c", "alt", "source")
        return texts

    assert "SYNTHETIC DEMO DATA" in chart("1")
    assert "SYNTHETIC DEMO DATA" not in chart("0")


def test_assumptions_log_sections_are_not_report_chapters():
    """The log's own ``##`` sections (e.g. the real-file chapters' assumptions) sit under its
    ``###`` heading, so they never join the report's contents as chapters."""
    import re

    from analysis.config import DOCS
    from analysis.report.summary import assumptions_md

    doc = (DOCS / "assumptions.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", doc, flags=re.M)
    text = assumptions_md().text
    assert not re.search(r"^#{1,3} (?!Assumptions and caveats log$)", text, flags=re.M)
    for title in sections:
        assert f"#### {title}" in text
