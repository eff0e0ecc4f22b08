"""The index of a batch of areas found in real files shows each area's own figures, as its
chapters recorded them (``_meta/headline.json``), and those equal the chapters' tables.

One batch of two ICBs is built from the real files (skipped cleanly when ``$GPW_SHARED/real``
is absent): the June 2026 PCN workforce release with the July 2026 map and age file, and the
September 2024 GP Workforce Detailed sample (13 practices of sub-ICB 16C, in ICB QHM). QHL has
PCN figures and no GP practice in that release (its GP cells are blank); QHM has both. The
recorded figures are checked against the chapter tables' cells, and the GP ones also against
sums computed here with the csv module. Escaping and blanks are checked on hand-made files.
"""

from __future__ import annotations

import csv
import json
import re

import pytest
from real_files import REAL

from analysis.report import data_batch
from analysis.report.index import write_data_index
from analysis.report.rendering import fmt_dp, fmt_int

FILES = [REAL / "pcn" / "PCNWFIndividualCSV.062026.zip",
         REAL / "patients" / "2026-07" / "gp-reg-pat-prac-map.zip",
         REAL / "patients" / "2026-07" / "gp-reg-pat-prac-quin-age.zip",
         REAL / "gpw" / "1 General Practice – September 2024 Practice Level - Detailed.csv"]
GPW = FILES[-1]
real = pytest.mark.skipif(not all(p.exists() for p in FILES),
                          reason="../shared/real (real NHS files) not available")
PCN_KEYS = {"pcn_month", "patients_month", "pcns", "fte", "patients", "fte_per_1000", "table"}
GP_KEYS = {"month", "release", "practices", "patients", "all_gps", "fully_qualified_gps",
           "table"}
RATE_KEYS = {"fte", "patients", "fte_per_1000", "practices", "row"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if not all(p.exists() for p in FILES):
        pytest.skip("../shared/real (real NHS files) not available")
    folder = tmp_path_factory.mktemp("nhs")
    for p in FILES:
        (folder / p.name).symlink_to(p)
    out = tmp_path_factory.mktemp("out")
    run = data_batch.run_data_batch(folder, out, "icb", only=["QHL", "QHM"], jobs=2)
    assert run.status == 0, run.results
    return out, run


def table(out, slug: str, name: str) -> list[dict]:
    with open(out / slug / "tables" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def facts(out, slug: str) -> dict:
    return json.loads((out / slug / "_meta" / "headline.json").read_text(encoding="utf-8"))


def parameters(out, slug: str) -> dict:
    return json.loads((out / slug / "_meta" / "parameters.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gp_sums():
    """Patients and all-GP and fully qualified GP FTE of the sample's 13 practices."""
    with open(GPW, encoding="utf-8-sig", newline="") as fh:
        rows = [{k.strip(): v for k, v in r.items()} for r in csv.DictReader(fh)]
    assert {r["ICB_CODE"].strip() for r in rows} == {"QHM"} and len(rows) == 13
    return (sum(int(r["TOTAL_PATIENTS"]) for r in rows),
            sum(float(r["TOTAL_GP_FTE"]) for r in rows),
            sum(float(r["TOTAL_GP_EXTG_FTE"]) for r in rows))


# The facts each chapter recorded ----------------------------------------------------------
@real
@pytest.mark.parametrize("slug", ["icb-qhl", "icb-qhm"])
def test_pcn_facts_equal_the_chapter_table(batch, slug):
    out, _ = batch
    pcn = facts(out, slug)["pcn_workforce"]
    assert set(pcn) == PCN_KEYS  # no headcount: nothing for small-number suppression
    row = table(out, slug, pcn["table"])[0]  # the area's row; England's is the second
    assert pcn["table"] == "pcn_area_england" and row["area"] != "England"
    assert pcn["fte"] == float(row["fte"]) and pcn["fte"] > 500
    assert pcn["patients"] == float(row["patients"]) and pcn["patients"] > 1_000_000
    assert pcn["fte_per_1000"] == float(row["fte_per_1000"])
    assert pcn["fte_per_1000"] == pytest.approx(pcn["fte"] / pcn["patients"] * 1000,
                                                rel=1e-12)
    assert pcn["pcns"] == int(row["pcns"])
    # the PCNs of the per-PCN table add up to the area's row
    by_pcn = table(out, slug, "pcn_fte_per_1000")
    assert len(by_pcn) == pcn["pcns"]
    assert sum(float(r["fte"]) for r in by_pcn) == pytest.approx(pcn["fte"], abs=1e-6)
    assert sum(int(r["patients"]) for r in by_pcn) == pcn["patients"]
    p = parameters(out, slug)["pcn_workforce"]
    assert (pcn["pcn_month"], pcn["patients_month"]) == (p["pcn_release"],
                                                         p["patients_month"]) \
        == ("2026-06", "2026-07")


@real
def test_gp_facts_equal_the_chapter_table_and_an_independent_sum(batch, gp_sums):
    out, _ = batch
    patients, gp_fte, fq_fte = gp_sums
    gp = facts(out, "icb-qhm")["gp_practice_workforce"]
    assert set(gp) == GP_KEYS  # no headcount
    assert (gp["month"], gp["release"], gp["practices"]) == ("2024-09", "Detailed", 13)
    assert gp["table"] == "gp_area_fte_per_1000"
    rows = table(out, "icb-qhm", gp["table"])
    for key, measure, fte in (("all_gps", "All GPs (registrars included)", gp_fte),
                              ("fully_qualified_gps", "Fully qualified GPs (registrars "
                                                      "excluded)", fq_fte)):
        rate = gp[key]
        assert set(rate) == RATE_KEYS
        row = rows[rate["row"]]
        assert row["measure"] == measure
        assert rate["fte"] == float(row["fte"]) == pytest.approx(fte, abs=1e-9)
        assert rate["patients"] == float(row["patients"]) == patients
        assert rate["fte_per_1000"] == float(row["fte_per_1000"]) == pytest.approx(
            fte / patients * 1000, rel=1e-12)
        assert rate["practices"] == int(row["practices"]) == 13
    assert gp["patients"] == gp["all_gps"]["patients"] == 134_846
    # QHL has no practice in the September 2024 sample: its GP chapter did not run
    assert "gp_practice_workforce" not in facts(out, "icb-qhl")


# The index -------------------------------------------------------------------------------
def index_rows(out) -> dict[str, list[str]]:
    """Code -> the cells of its row (tags removed)."""
    page = (out / "index.html").read_text(encoding="utf-8")
    out_rows = {}
    for row in re.findall(r"<tr><td>(.*?)</td></tr>", page):
        first, *rest = row.split("</td><td")
        cells = [re.sub(r"<[^>]+>", "", c) for c in [first, *(c.split(">", 1)[1] for c in rest)]]
        out_rows[cells[1]] = cells
    return out_rows


HEADERS = ["Area", "Code", "Practices", "GP release", "Registered patients",
           "GP FTE (all GPs)", "GP FTE per 1,000 patients", "Fully qualified GP FTE",
           "Fully qualified GP FTE per 1,000", "PCN release", "PCN staff FTE",
           "Patients of the PCNs", "PCN staff FTE per 1,000 patients", "Listed from",
           "This run", "Seconds", "Note"]


@real
def test_index_shows_each_areas_figures_and_blanks_without_data(batch, gp_sums):
    out, _ = batch
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<th>(.*?)</th>", page) == HEADERS
    rows = index_rows(out)
    assert sorted(rows) == ["QHL", "QHM"]
    for code in ("QHL", "QHM"):
        cell = dict(zip(HEADERS, rows[code], strict=True))
        area = table(out, f"icb-{code.lower()}", "pcn_area_england")[0]
        assert cell["PCN release"] == "June 2026 (patients July 2026)"
        assert cell["PCN staff FTE"] == fmt_dp(1)(float(area["fte"]))
        assert cell["Patients of the PCNs"] == fmt_int(float(area["patients"]))
        assert cell["PCN staff FTE per 1,000 patients"] == fmt_dp(2)(float(area["fte_per_1000"]))
        assert cell["This run"] == "built"
    qhl = dict(zip(HEADERS, rows["QHL"], strict=True))
    assert qhl["Area"] == "NHS Birmingham and Solihull Integrated Care Board"
    assert (qhl["PCN staff FTE"], qhl["Patients of the PCNs"],
            qhl["PCN staff FTE per 1,000 patients"]) == ("821.9", "1,631,536", "0.50")
    assert [qhl[h] for h in HEADERS[3:9]] == [""] * 6  # no GP practice of QHL in the release
    qhm = dict(zip(HEADERS, rows["QHM"], strict=True))
    patients, gp_fte, fq_fte = gp_sums
    # the release holds 13 of the ICB's practices: the cell says so
    assert qhm["GP release"] == (f"September 2024, 13 of the {qhm['Practices']} practices "
                                 "listed for the area")
    assert qhm["Registered patients"] == "134,846" == fmt_int(patients)
    assert qhm["GP FTE (all GPs)"] == "69.9" == fmt_dp(1)(gp_fte)
    assert qhm["GP FTE per 1,000 patients"] == "0.52" == fmt_dp(2)(gp_fte / patients * 1000)
    assert qhm["Fully qualified GP FTE"] == "52.5" == fmt_dp(1)(fq_fte)
    assert qhm["Fully qualified GP FTE per 1,000"] == "0.39" == fmt_dp(2)(
        fq_fte / patients * 1000)
    assert "A blank: the chapter had no data for the area" in page


def test_index_escapes_and_blanks_hand_made_facts(tmp_path):
    """Text from the files and from a report's headline file is escaped; a figure that is not
    a number, a chapter missing or a damaged file leaves blanks; patients of the fully
    qualified rate are named when they differ from the all-GP rate's."""
    areas = [data_batch.ListedArea("icb", "Q<1>", "<b>Bath & Wells</b>", 12, "map.csv",
                                   "2026-07"),
             data_batch.ListedArea("icb", "Q2", "Two", 3, "map.csv", "2026-07"),
             data_batch.ListedArea("icb", "Q3", "Three", 3, "map.csv", "2026-07")]
    rate = {"fte": 10.25, "patients": 20000.0, "fte_per_1000": 0.5125, "practices": 2, "row": 0}
    written = {
        areas[0].slug: {"gp_practice_workforce": {
            "month": "<2024-09>", "release": "Detailed", "practices": 2, "patients": 20000.0,
            "all_gps": rate, "fully_qualified_gps": {**rate, "patients": 19000.0,
                                                     "fte_per_1000": 0.54}},
            "pcn_workforce": {"pcn_month": "2026-06", "patients_month": "2026-06",
                              "fte": "<script>", "patients": 1e6, "fte_per_1000": None}},
        areas[1].slug: {"pcn_workforce": {"pcn_month": "2026-06", "fte": 1234.56,
                                          "patients": 2_000_000.0, "fte_per_1000": 0.61728}},
    }
    for a in areas:
        (tmp_path / a.slug / "_meta").mkdir(parents=True)
        (tmp_path / a.slug / "report.html").write_text("<html></html>", encoding="utf-8")
    for slug, h in written.items():
        (tmp_path / slug / "_meta" / "headline.json").write_text(json.dumps(h))
    (tmp_path / areas[2].slug / "_meta" / "headline.json").write_text("{not json")
    path = write_data_index(tmp_path, areas, {a.slug: ("ok", 1.0, "") for a in areas}, "icb")
    page = path.read_text(encoding="utf-8")
    assert "&lt;b&gt;Bath &amp; Wells&lt;/b&gt;" in page and "<b>" not in page
    assert "<script" not in page and "&lt;script&gt;" not in page  # not a number: blank
    rows = index_rows(tmp_path)
    first = dict(zip(HEADERS, rows["Q&lt;1&gt;"], strict=True))
    assert first["GP release"] == "&lt;2024-09&gt;, 2 of the 12 practices listed for the area"
    assert (first["Registered patients"], first["GP FTE (all GPs)"],
            first["GP FTE per 1,000 patients"], first["Fully qualified GP FTE"]) == (
        "20,000", "10.3", "0.51", "10.3")  # half-up: 10.25 -> 10.3, 0.5125 -> 0.51
    assert first["Fully qualified GP FTE per 1,000"] == "0.54 (of 19,000 patients)"
    assert first["PCN release"] == "June 2026"  # the patients file of the same month
    assert (first["PCN staff FTE"], first["Patients of the PCNs"],
            first["PCN staff FTE per 1,000 patients"]) == ("", "1,000,000", "")
    second = dict(zip(HEADERS, rows["Q2"], strict=True))
    assert [second[h] for h in HEADERS[3:9]] == [""] * 6  # no GP chapter
    assert (second["PCN release"], second["PCN staff FTE"], second["Patients of the PCNs"],
            second["PCN staff FTE per 1,000 patients"]) == ("June 2026", "1,234.6",
                                                             "2,000,000", "0.62")
    third = dict(zip(HEADERS, rows["Q3"], strict=True))
    assert [third[h] for h in HEADERS[3:13]] == [""] * 10  # a damaged headline file
    assert third["This run"] == "built"


def test_pcn_facts_without_patients_are_json_and_blank_in_the_index(tmp_path):
    """No patients file: the chapter's rate is missing (NaN), recorded as null, shown blank."""
    import pandas as pd

    from analysis.tables.pcn import PcnContext, headline_facts

    comparison = pd.DataFrame([{"area": "X", "pcns": 3, "fte": 12.5, "contracted_fte": 0.0,
                                "headcount": 14, "patients": None,
                                "fte_per_1000": float("nan")}])
    got = headline_facts(PcnContext(area=None, pcn_period="2026-06", by_pcn=None, by_role=None,
                                    comparison=comparison, files={}))
    assert got == {"pcn_month": "2026-06", "patients_month": None, "pcns": 3, "fte": 12.5,
                   "patients": None, "fte_per_1000": None}
    json.dumps(got, allow_nan=False)  # valid JSON: no NaN
    area = data_batch.ListedArea("icb", "QX", "X", 3, "map.csv", "2026-07")
    (tmp_path / area.slug / "_meta").mkdir(parents=True)
    (tmp_path / area.slug / "report.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / area.slug / "_meta" / "headline.json").write_text(
        json.dumps({"pcn_workforce": got}))
    write_data_index(tmp_path, [area], {area.slug: ("ok", 1.0, "")}, "icb")
    cell = dict(zip(HEADERS, index_rows(tmp_path)["QX"], strict=True))
    assert (cell["PCN release"], cell["PCN staff FTE"], cell["Patients of the PCNs"],
            cell["PCN staff FTE per 1,000 patients"]) == ("June 2026", "12.5", "", "")
