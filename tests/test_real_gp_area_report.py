"""A GP practice workforce report for sub-ICB 16C from the September 2024 GPW Detailed sample,
and the organisation filter and date check on hand-made frames.

The real-file tests skip when ``../shared/real`` (or ``$GPW_SHARED/real``) is absent; the files
are linked, not copied. Sums are computed here with the csv module.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict

import pandas as pd
import pytest
from real_files import REAL, chapter_warnings

from analysis.tables.gp_practice import check_months, eligible_practices
from analysis.util.errors import InputError

GPW = REAL / "gpw" / "1 General Practice – September 2024 Practice Level - Detailed.csv"
ODS = REAL / "ods" / "epraccur.zip"
real = pytest.mark.skipif(not GPW.exists(), reason="../shared/real (real NHS files) not available")
COLUMNS = {"gp_fte": "TOTAL_GP_FTE", "gp_extg_fte": "TOTAL_GP_EXTG_FTE",
           "gp_extgl_fte": "TOTAL_GP_EXTGL_FTE", "nurses_fte": "TOTAL_NURSES_FTE",
           "dpc_fte": "TOTAL_DPC_FTE", "admin_fte": "TOTAL_ADMIN_FTE"}


@pytest.fixture(scope="module")
def expected():
    with open(GPW, encoding="utf-8-sig", newline="") as fh:
        rows = [{k.strip(): v for k, v in r.items()} for r in csv.DictReader(fh)
                if r["SUB_ICB_CODE"].strip() == "16C"]
    per = {r["PRAC_CODE"].strip(): {"patients": int(r["TOTAL_PATIENTS"]),
                                    **{n: float(r[c]) for n, c in COLUMNS.items()}}
           for r in rows}
    total = defaultdict(float)
    for p in per.values():
        for k, v in p.items():
            total[k] += v
    return per, total


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from analysis.report.data_area import report_data_area

    folder = tmp_path_factory.mktemp("nhs")
    (folder / GPW.name).symlink_to(GPW)
    out = tmp_path_factory.mktemp("out")
    return report_data_area("16C", folder, out, force=True).path


@real
def test_practice_table_equals_an_independent_sum(report, expected):
    per, _ = expected
    assert report.parent.name == "sub-icb-16c"
    with open(report.parent / "tables" / "gp_practice_fte_per_1000.csv", encoding="utf-8") as fh:
        got = {r["practice_code"]: r for r in csv.DictReader(fh)}
    assert sorted(got) == sorted(per) and len(per) == 13
    for code, want in per.items():
        assert int(got[code]["patients"]) == want["patients"]
        for n in COLUMNS:
            assert float(got[code][n]) == pytest.approx(want[n], abs=1e-9)
            assert float(got[code][f"{n}_per_1000"]) == pytest.approx(
                want[n] / want["patients"] * 1000, rel=1e-12)


@real
def test_area_totals_equal_an_independent_sum(report, expected):
    _, total = expected
    with open(report.parent / "tables" / "gp_area_fte_per_1000.csv", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert len(got) == len(COLUMNS)
    assert "england_fte" not in got[0]  # a 13-practice sample is not England
    for row, n in zip(got, COLUMNS, strict=True):
        assert float(row["fte"]) == pytest.approx(total[n], abs=1e-9)
        assert float(row["patients"]) == total["patients"]
        assert float(row["fte_per_1000"]) == pytest.approx(
            total[n] / total["patients"] * 1000, rel=1e-12)


@real
def test_headline_facts_equal_the_area_table(report, expected):
    """The facts the batch index shows (``_meta/headline.json``) are the area table's cells."""
    _, total = expected
    gp = json.loads((report.parent / "_meta" / "headline.json").read_text(encoding="utf-8"))[
        "gp_practice_workforce"]
    with open(report.parent / "tables" / f"{gp['table']}.csv", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert (gp["month"], gp["release"], gp["practices"]) == ("2024-09", "Detailed", 13)
    for key, n in (("all_gps", "gp_fte"), ("fully_qualified_gps", "gp_extg_fte")):
        row = got[gp[key]["row"]]
        assert row["measure"] == got[list(COLUMNS).index(n)]["measure"]
        assert gp[key]["fte"] == float(row["fte"]) == pytest.approx(total[n], abs=1e-9)
        assert gp[key]["patients"] == float(row["patients"]) == total["patients"]
        assert gp[key]["fte_per_1000"] == float(row["fte_per_1000"])
    assert gp["patients"] == total["patients"] == 134_846


@real
def test_charts_and_chapters_wrote_no_warning(report):
    assert chapter_warnings(report) == ""


@real
def test_html_says_what_is_missing(report):
    text = report.read_text(encoding="utf-8")
    assert "PCN workforce: no PCN workforce file supplied" in text
    assert "the release itself was the list of GP practices" in text
    assert "No England figure" in text
    assert "headcount is not" in text
    assert "synthetic" not in text.lower()
    # the publication metadata names the release read, not "as listed under Provenance"
    assert re.search(r"Release used</th><td[^>]*>1 General Practice – September 2024 Practice "
                     r"Level - Detailed\.csv<", text)


@real
@pytest.mark.skipif(not ODS.exists(), reason="no ODS file")
def test_old_ods_file_stops_with_one_line(tmp_path):
    from analysis.report.data_area import report_data_area

    (tmp_path / "nhs").mkdir()
    (tmp_path / "nhs" / GPW.name).symlink_to(GPW)
    (tmp_path / "nhs" / "ods").mkdir()
    (tmp_path / "nhs" / "ods" / ODS.name).symlink_to(ODS)
    with pytest.raises(InputError) as err:
        report_data_area("16C", tmp_path / "nhs", tmp_path / "out", force=True)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("epraccur.zip: is of 2019-07 (its latest close date, 2019-07-31), "
                          "62 months from 1 General Practice")
    assert "(2024-09); expected within 3 months" in msg
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("report.html"))


def _ods(rows):
    frame = pd.DataFrame(rows, columns=["practice_code", "prescribing_setting", "status",
                                        "open_date", "close_date"])
    for c in ("open_date", "close_date"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


def test_organisation_filter_keeps_open_gp_practices_only():
    practices = pd.DataFrame({"practice_code": ["P1", "W1", "O1", "C1", "Z1", "N1", "F1"],
                              "patients": [5000, 3000, 0, 4000, 0, 2000, 1000]})
    ods = _ods([["P1", 4, "A", "2000-01-01", None], ["W1", 1, "A", "2000-01-01", None],
                ["O1", 2, "A", "2000-01-01", None], ["C1", 4, "C", "2000-01-01", "2024-06-30"],
                ["Z1", 4, "A", "2000-01-01", None], ["F1", 4, "A", "2024-09-30", "2024-10-31"]])
    kept, left = eligible_practices(practices, ods, "2024-09-30")
    assert list(kept["practice_code"]) == ["P1", "F1"]  # opened on, closed after the date
    why = dict(zip(left["practice_code"], left["reason"], strict=True))
    assert why["W1"] == "not a GP practice (prescribing setting 1: walk-in centre)"
    assert why["O1"] == "not a GP practice (prescribing setting 2: out of hours)"
    assert why["C1"] == "closed on 2024-06-30"
    assert why["Z1"] == "no registered patients"
    assert why["N1"] == "not in the ODS practices file"


def test_without_ods_the_release_is_the_list():
    practices = pd.DataFrame({"practice_code": ["P1", "Z1"], "patients": [5000, None]})
    kept, left = eligible_practices(practices, None, "2024-09-30")
    assert list(kept["practice_code"]) == ["P1"]
    assert list(left["reason"]) == ["no registered patients"]


def test_month_tolerance():
    check_months("gpw.csv", "2024-09", "map.zip", "2024-12", "its name", 3)
    with pytest.raises(InputError, match=r"map.zip: is of 2025-01 \(its name\), 4 months from "
                       r"gpw.csv \(2024-09\); expected within 3 months"):
        check_months("gpw.csv", "2024-09", "map.zip", "2025-01", "its name", 3)


# ============================================================================================
# A cluster of practices, and --period choosing per kind of file
# ============================================================================================
CLUSTER = ["A81001", "A81004", "A81012"]
PCN = REAL / "pcn" / "PCNWFIndividualCSV.062026.zip"


def _with_cluster(monkeypatch, clusters):
    """The report's settings with ``areas: clusters`` replaced (the config file untouched)."""
    from analysis.config import settings
    from analysis.report import data_area

    cfg = settings()
    patched = cfg.model_copy(update={"areas": cfg.areas.model_copy(
        update={"clusters": clusters})})
    monkeypatch.setattr(data_area, "settings", lambda: patched)


@real
def test_cluster_report_sums_its_three_practices(tmp_path, monkeypatch, expected):
    from analysis.report.data_area import report_data_area

    per, _ = expected
    _with_cluster(monkeypatch, {"Stockton north trio": CLUSTER})
    (tmp_path / "nhs").mkdir()
    (tmp_path / "nhs" / GPW.name).symlink_to(GPW)
    report = report_data_area("Stockton north trio", tmp_path / "nhs", tmp_path / "out",
                              force=True).path
    with open(report.parent / "tables" / "gp_practice_fte_per_1000.csv", encoding="utf-8") as fh:
        got = {r["practice_code"]: r for r in csv.DictReader(fh)}
    assert sorted(got) == CLUSTER
    with open(report.parent / "tables" / "gp_area_fte_per_1000.csv", encoding="utf-8") as fh:
        area = list(csv.DictReader(fh))
    patients = sum(per[c]["patients"] for c in CLUSTER)
    for row, n in zip(area, COLUMNS, strict=True):
        fte = sum(per[c][n] for c in CLUSTER)
        assert float(row["fte"]) == pytest.approx(fte, abs=1e-9)
        assert float(row["patients"]) == patients
        assert float(row["fte_per_1000"]) == pytest.approx(fte / patients * 1000, rel=1e-12)
    text = report.read_text(encoding="utf-8")
    assert "Stockton north trio" in text


@real
@pytest.mark.skipif(not PCN.exists(), reason="no PCN release")
def test_period_leaves_out_the_pcn_chapter_and_says_so(tmp_path):
    from analysis.report.data_area import report_data_area

    (tmp_path / "nhs").mkdir()
    (tmp_path / "nhs" / GPW.name).symlink_to(GPW)
    (tmp_path / "nhs" / PCN.name).symlink_to(PCN)
    report = report_data_area("16C", tmp_path / "nhs", tmp_path / "out", period="2024-09",
                              force=True).path
    text = report.read_text(encoding="utf-8")
    assert "PCN workforce: no PCN workforce file for 2024-09" in text
    with open(report.parent / "tables" / "gp_area_fte_per_1000.csv", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == len(COLUMNS)


@real
@pytest.mark.skipif(not PCN.exists(), reason="no PCN release")
def test_period_lists_the_gp_chapter_in_the_pcn_summary(tmp_path):
    from analysis.tables import pcn

    (tmp_path / GPW.name).symlink_to(GPW)
    (tmp_path / PCN.name).symlink_to(PCN)
    chapters = pcn.load_context("16C", tmp_path, period="2026-06").chapters
    assert chapters["Practice workforce (GP Workforce practice level)"] == (
        "no GP Workforce practice-level file for 2026-06")
    assert "Practice workforce (GP Workforce practice level)" not in pcn.load_context(
        "16C", tmp_path).chapters  # the latest of each kind: the GP chapter runs
