"""A report for an ICB of the June 2026 PCN workforce release, from the real files.

Skipped when ``../shared/real`` (or ``$GPW_SHARED/real``) is absent. The files are linked, not
copied, into a folder like ``data/raw/nhs``; the per-1,000 table of the report is checked against
sums computed here with the csv and zipfile modules.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from real_files import REAL, chapter_warnings

PCN_ZIP = REAL / "pcn" / "PCNWFIndividualCSV.062026.zip"
MAP_ZIP = REAL / "patients" / "2026-07" / "gp-reg-pat-prac-map.zip"
QUIN_ZIP = REAL / "patients" / "2026-07" / "gp-reg-pat-prac-quin-age.zip"
pytestmark = pytest.mark.skipif(not all(p.exists() for p in (PCN_ZIP, MAP_ZIP, QUIN_ZIP)),
                                reason="../shared/real (real NHS files) not available")


def rows(zip_path: Path, member_contains: str = ".csv"):
    with zipfile.ZipFile(zip_path) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(".csv")
                    and member_contains in n)
        with zf.open(name) as fh:
            yield from csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig"))


@pytest.fixture(scope="module")
def nhs_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nhs")
    for p in (PCN_ZIP, MAP_ZIP, QUIN_ZIP):
        (folder / p.name).symlink_to(p)
    totals = REAL / "patients" / "2025-10" / "gp-reg-pat-prac-all.csv"
    if totals.exists():  # eight months from the PCN release: the quinary file is nearer
        (folder / "2025-10").mkdir()
        (folder / "2025-10" / totals.name).symlink_to(totals)
    return folder


@pytest.fixture(scope="module")
def expected():
    """An ICB whose PCNs agree with the map, and FTE, patients per PCN computed here."""
    practice_pcn, pcn_icbs = {}, defaultdict(set)
    for r in rows(MAP_ZIP):
        if r["PCN_CODE"].strip() not in ("", "U"):
            practice_pcn[r["PRACTICE_CODE"]] = r["PCN_CODE"]
            pcn_icbs[r["PCN_CODE"]].add(r["ICB_CODE"])
    fte, icb_of = defaultdict(float), {}
    for r in rows(PCN_ZIP, "Individual Level"):
        fte[r["PCN_CODE"]] += float(r["FTE"])
        icb_of[r["PCN_CODE"]] = r["ICB_CODE"]
    by_icb = defaultdict(set)
    for p, icb in icb_of.items():
        by_icb[icb].add(p)
    icb = next(i for i in sorted(by_icb)
               if all(i in pcn_icbs.get(p, {i}) for p in by_icb[i])
               and all(icb_of.get(p, i) == i for p, s in pcn_icbs.items() if i in s))
    patients = defaultdict(int)
    for r in rows(QUIN_ZIP):
        if r["ORG_TYPE"] == "GP" and r["SEX"] != "ALL" and r["AGE_GROUP_5"] != "ALL" \
                and r["ORG_CODE"] in practice_pcn:
            patients[practice_pcn[r["ORG_CODE"]]] += int(r["NUMBER_OF_PATIENTS"])
    pcns = sorted(p for p in by_icb[icb] if p in pcn_icbs)
    return icb, {p: (fte[p], patients[p], fte[p] / patients[p] * 1000) for p in pcns}


@pytest.fixture(scope="module")
def report(nhs_dir, expected, tmp_path_factory):
    from analysis.report.data_area import report_data_area

    out = tmp_path_factory.mktemp("out")
    built = report_data_area(expected[0], nhs_dir, out, force=True)
    return built.path


def test_per_1000_table_equals_an_independent_sum(report, expected):
    icb, want = expected
    assert report.parent.name == f"icb-{icb.lower()}"
    with open(report.parent / "tables" / "pcn_fte_per_1000.csv", encoding="utf-8") as fh:
        got = {r["pcn_code"]: r for r in csv.DictReader(fh)}
    assert sorted(got) == sorted(want)
    for p, (fte, patients, per_1000) in want.items():
        assert float(got[p]["fte"]) == pytest.approx(fte, abs=1e-9)
        assert int(got[p]["patients"]) == patients
        assert float(got[p]["fte_per_1000"]) == pytest.approx(per_1000, rel=1e-12)


def test_headline_facts_equal_the_area_row_and_an_independent_sum(report, expected):
    """The facts the batch index shows (``_meta/headline.json``) are the area's row of the
    comparison table, and that row is the sum of the area's PCNs computed here."""
    _, want = expected
    pcn = json.loads((report.parent / "_meta" / "headline.json").read_text(encoding="utf-8"))[
        "pcn_workforce"]
    with open(report.parent / "tables" / f"{pcn['table']}.csv", encoding="utf-8") as fh:
        area, england = list(csv.DictReader(fh))
    assert england["area"] == "England" and pcn["table"] == "pcn_area_england"
    fte = sum(v[0] for v in want.values())
    patients = sum(v[1] for v in want.values())
    assert pcn["fte"] == float(area["fte"]) == pytest.approx(fte, abs=1e-6)
    assert pcn["patients"] == float(area["patients"]) == patients
    assert pcn["fte_per_1000"] == float(area["fte_per_1000"]) == pytest.approx(
        fte / patients * 1000, rel=1e-12)
    assert pcn["pcns"] == int(area["pcns"]) == len(want)
    assert (pcn["pcn_month"], pcn["patients_month"]) == ("2026-06", "2026-07")
    assert "headcount" not in pcn  # the index shows no count of people


def test_charts_and_chapters_wrote_no_warning(report):
    assert chapter_warnings(report) == ""


def test_html_names_chapters_without_data_and_no_demo_banner(report):
    text = report.read_text(encoding="utf-8")
    assert "Local workforce returns: no returns supplied" in text
    assert "June 2026" in text and "July 2026" in text
    assert "quin-age" in text  # which patients file was used
    assert "synthetic" not in text.lower()
    assert not (report.parent / "tables" / "gp_summary.csv").exists()


def test_catalogue_sees_the_linked_files(nhs_dir):
    from analysis.io.catalogue import catalogue, latest

    cat = catalogue(nhs_dir)
    assert latest(cat, "pcn_individual")["period"] == "2026-06"
    assert latest(cat, "patients_map")["period"] == "2026-07"
    assert latest(cat, "patients_quinary")["period"] == "2026-07"
    assert (cat["kind"] == "unrecognised").sum() == 0


@pytest.fixture(scope="module")
def whole_folder_report(expected, tmp_path_factory):
    """The README's example: every real file in one folder (three PCN releases, a GPW
    release of other practices, an old ODS file)."""
    from analysis.report.data_area import report_data_area

    out = tmp_path_factory.mktemp("whole")
    return report_data_area(expected[0], REAL, out, force=True).path


def _text(path: Path) -> str:
    import re

    html = re.sub(r"<style.*?</style>|<script.*?</script>", "", path.read_text("utf-8"),
                  flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_whole_real_folder_lists_chapters_run_and_left_out(whole_folder_report):
    text = _text(whole_folder_report)
    assert "Chapters run: PCN workforce; Trends over releases; Provenance and caveats." in text
    assert re.search(r"Practice workforce \(GP Workforce practice level\): the GP Workforce "
                     r"practice-level release of \d{4}-\d\d holds no practice of ", text)
    tables = whole_folder_report.parent / "tables"
    with open(tables / "trends_pcn_totals.csv", encoding="utf-8") as fh:
        months = [r for r in csv.DictReader(fh)]
    assert len(months) >= 3  # March 2020, September 2021, June 2026
