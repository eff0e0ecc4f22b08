"""End to end: papermill runs the notebook, nbconvert writes the HTML a reviewer reads."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from analysis import report
from analysis.config import ROOT, resolve_area

pytestmark = pytest.mark.e2e

WOLVES = ["44", "277,006", "157", "31", "17", "133.3"]
STP_TOTAL = ["236", "1,442,402", "882", "216", "136", "681.6"]
TABLES = {"gp_summary", "patients_per_fte", "fte_per_1000", "practice_reconciliation",
          "estimate_flags", "indicator_coverage"}


def _rows(html: str) -> list[list[str]]:
    """Table rows as lists of cell texts."""
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


@pytest.fixture(scope="module")
def ccg_report(tmp_path_factory):
    report.ensure_demo_data()
    out = tmp_path_factory.mktemp("outputs")
    path = report.run_area(resolve_area("wolverhampton", "ccg"), out)
    return path, path.read_text(encoding="utf-8")


def test_ccg_report_shows_the_published_summary(ccg_report):
    _, html = ccg_report
    rows = _rows(html)
    assert ["NHS Wolverhampton CCG", *WOLVES] in rows
    assert ["Black Country STP", *STP_TOTAL] in rows
    assert ["NHS Dudley CCG", "45", "318,335", "192", "45", "18", "155.4"] in rows
    assert ["Wolverhampton", "2,143", "3,680", "13,619", "7,758", "142,489"] in rows
    assert ["England", "0.48", "0.27", "0.05", "0.11", "0.01"] in rows


def test_report_is_for_reviewers(ccg_report):
    _, html = ccg_report
    assert "Traceback" not in html and "Warning" not in html
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)=\"https?://", html), "report must open offline"
    assert "load_workforce" not in html and "import " not in html, "no code in the report"
    assert str(ROOT) not in html and "/tmp/" not in html, "no machine paths"
    assert "jp-InputPrompt" not in html or "In&nbsp;[" not in html


def test_no_staff_level_rows_reach_the_html(ccg_report):
    _, html = ccg_report
    staff = pd.read_csv(ROOT / "data/raw/demo/gp_staff_records_2017-06.csv")
    leaked = [s for s in staff["staff_id"].head(200) if s in html]
    assert leaked == []


def test_report_has_provenance_and_caveats(ccg_report):
    _, html = ccg_report
    assert "SHA-256" in html and "Caveats" in html
    assert re.search(r"\b[0-9a-f]{64}\b", html), "input checksums shown"
    assert "gpw_practice_level_detailed_2017-06.csv" in html
    assert re.search(r"pandas \d", html) and "UTC" in html


def test_tables_are_written_beside_the_report(ccg_report):
    path, html = ccg_report
    written = {p.stem for p in (path.parent / "tables").glob("*.csv")}
    assert TABLES <= written
    summary = pd.read_csv(path.parent / "tables" / "gp_summary.csv")
    assert summary["gp_fte"].iloc[-1] == pytest.approx(681.6, abs=0.05)
    assert summary["gp_fte"].iloc[-1] != round(summary["gp_fte"].iloc[-1], 1), "unrounded"
    for name in TABLES:
        assert f'href="tables/{name}.csv"' in html
    assert (path.parent / "charts" / "fte_per_1000_by_role.png").stat().st_size > 1000
    assert 'alt="Bar chart of FTE per 1,000 patients' in html


def test_stp_report(tmp_path):
    path = report.run_area(resolve_area("black-country", "stp"), tmp_path)
    rows = _rows(path.read_text(encoding="utf-8"))
    assert ["Black Country STP", *STP_TOTAL] in rows


def test_rerun_replaces_the_report_and_leaves_no_staging(tmp_path):
    area = resolve_area("walsall", "ccg")
    first = report.run_area(area, tmp_path)
    second = report.run_area(area, tmp_path)
    assert first == second and second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walsall"]


def test_failed_run_keeps_previous_report(tmp_path):
    area = resolve_area("dudley", "ccg")
    good = report.run_area(area, tmp_path)
    before = good.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("PRAC_CODE,CCG_CODE\nM1,05C\n")
    with pytest.raises(report.ReportError, match=r"dudley: .*bad\.csv.*required column missing"):
        report.run_area(area, tmp_path, inputs={"gpw_indicators": str(bad)})
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "dudley"]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis.report", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_unknown_area_exits_non_zero_with_one_line():
    res = _cli("--ccg", "wolverhamton")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Did you mean 'wolverhampton'?" in lines[0] and "dudley" in lines[0]
    assert "Traceback" not in res.stderr


def test_make_report_with_typo_fails_with_the_message():
    res = subprocess.run(["make", "--no-print-directory", "report", "CCG=wolverhamton"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode != 0
    assert "error: unknown CCG 'wolverhamton'. Did you mean 'wolverhampton'?" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.fixture(scope="module")
def llr_report(tmp_path_factory):
    report.ensure_demo_data()
    out = tmp_path_factory.mktemp("llr")
    path = report.run_area(resolve_area("llr", "stp"), out)
    return path, path.read_text(encoding="utf-8")


def test_llr_report_shows_the_plan_tables(llr_report):
    _, html = llr_report
    rows = _rows(html)
    assert ["LLR STP Total", "756", "542", "377", "255", "432", "285", "2,186", "1,592",
            "3,751", "2,674"] in rows
    total9 = [r for r in rows if r[:2] == ["Total", "Total"]]
    assert len(total9) == 1 and total9[0][-1] == "26.0%"
    assert ["LLR", "Headcount", "8", "37", "52", "97"] in rows
    assert ["LLR", "WTE", "4.36", "7.82", "27.26", "39.44"] in rows
    for period, wte in (("2015-09", "563"), ("2017-03", "565")):
        assert [period, wte, ""] in rows
    assert ["2017-10", "541", "639"] in rows


def test_llr_report_has_data_quality_and_published_differences(llr_report):
    _, html = llr_report
    text = re.sub(r"<[^>]+>", "", html)
    assert "119 practices returned" in text and "18 were carried forward" in text
    assert "1 estimated" in text
    assert "published total differs from the sum of its own rows (27.26)" in text
    assert "published figure differs from its own components (they sum to 807)" in text
    assert re.search(r"10,858 raw rows.*2,744 kept.*7,963 corrected.*151 quarantined", text,
                     flags=re.S)


def test_wolverhampton_report_adds_groups_and_turnover(ccg_report):
    path, html = ccg_report
    text = re.sub(r"<[^>]+>", "", html)
    assert "Workforce by practice group" in text
    assert "Monthly headcount, joiners, leavers and turnover" in text
    assert "Eligibility of each practice group" in text
    rows = _rows(html)
    assert ["NHS Wolverhampton CCG", "44", "277,006", "157", "31", "17", "133.3"] in rows
    for name in ("practice_groups", "turnover", "cluster_stocktake", "cluster_vacancies",
                 "returns_status", "returns_rows_by_rule"):
        assert (path.parent / "tables" / f"{name}.csv").exists(), name
