"""The batch of reports for every area of one kind found in real files
(``python -m analysis reports --nhs-dir DIR``, :mod:`analysis.report.data_batch`) and its timing
in ``make bench``.

The listing is checked against codes, names and practice counts computed here with the csv and
zipfile modules from the mapping file it was listed from. One report is built (QHL); the other
area of that batch (QHM) fails in the real folder, so the failure path and the exit status are
those of a real run. The tests using real files skip cleanly when ``$GPW_SHARED/real`` is absent.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import pytest
from real_files import REAL
from typer.testing import CliRunner

from analysis import cli
from analysis.report import bench, data_batch
from analysis.report.index import write_data_index

MAP_ZIP = REAL / "patients" / "2026-07" / "gp-reg-pat-prac-map.zip"
needs_real = pytest.mark.skipif(not MAP_ZIP.exists(),
                                reason="../shared/real (real NHS files) not available")
# kind -> (code, name) columns of the Patients Registered map and of the GPW practice CSVs
COLUMNS = {"icb": ("ICB_CODE", "ICB_NAME"),
           "sub_icb": ("SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_NAME"),
           "region": ("COMM_REGION_CODE", "COMM_REGION_NAME")}
GPW_CODE = {"icb": "ICB_CODE", "sub_icb": "SUB_ICB_CODE", "region": "REGION_CODE"}


def map_rows():
    with zipfile.ZipFile(MAP_ZIP) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(".csv"))
        with zf.open(name) as fh:
            yield from csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig"))


def gpw_detailed_codes(column: str) -> set[str]:
    """Area codes of every GPW practice-level Detailed CSV in the folder (headers in either
    case): the GP release the listing also reads is one of them."""
    codes = set()
    for path in (REAL / "gpw").rglob("*.csv"):
        if "detailed" not in path.name.lower():
            continue
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            for row in csv.DictReader(fh):
                row = {k.upper(): v for k, v in row.items() if k}
                if row.get(column, "").strip():
                    codes.add(row[column].strip())
    return codes


def one_error_line(res) -> str:
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.output
    return lines[0]


def invoke(*args: str):
    return CliRunner().invoke(cli.app, list(args))


# The listing ------------------------------------------------------------------------------
@needs_real
@pytest.mark.parametrize("kind", ["icb", "sub_icb", "region"])
def test_listing_equals_the_areas_of_the_mapping_file(kind):
    code_col, name_col = COLUMNS[kind]
    practices, names = defaultdict(set), {}
    for r in map_rows():
        practices[r[code_col].strip()].add(r["PRACTICE_CODE"].strip())
        names[r[code_col].strip()] = r[name_col].strip()
    expected = set(practices) | gpw_detailed_codes(GPW_CODE[kind])
    areas = data_batch.data_areas(REAL, kind)
    assert [a.code for a in areas] == sorted(expected)
    assert len(areas) == len(expected)
    if kind == "icb":  # the 2026 mergers left 36 ICBs in the July 2026 map
        assert len(areas) == len(practices) == 36
    for a in areas:
        assert a.kind == kind and not a.clash
        if a.code in practices:  # listed from the map, the latest source
            assert "gp-reg-pat-prac-map" in a.source and a.period == "2026-07"
            assert a.name == names[a.code]
            assert a.practices == len(practices[a.code])
        assert a.slug == f"{kind.replace('_', '-')}-{a.code.lower()}"


@needs_real
def test_every_listed_code_is_found_as_that_area_for_one_report():
    from analysis.report.data_area import find_data_area

    for a in data_batch.data_areas(REAL, "icb", only=["qhl", "QUA", "QHM"]):
        found = find_data_area(a.code, REAL)
        assert (found.kind, found.code, found.slug) == ("icb", a.code, a.slug)


@needs_real
def test_only_keeps_the_codes_given_and_rejects_an_unknown_one():
    areas = data_batch.data_areas(REAL, "icb", only=["qhm", "QHL", "QHM"])
    assert [a.code for a in areas] == ["QHM", "QHL"]
    with pytest.raises(data_batch.ConfigError,
                       match=r"^--only 'QXX': no ICB of that code in the files \(36 ICBs there\)"
                             r"; did you mean "):
        data_batch.data_areas(REAL, "icb", only=["QHL", "QXX"])


@needs_real
def test_a_code_spelt_like_an_alias_is_not_built_from_its_code(monkeypatch):
    cfg = SimpleNamespace(areas=SimpleNamespace(aliases={"qhl": "QUA"}, clusters={}))
    monkeypatch.setattr(data_batch, "settings", lambda: cfg)
    (area,) = data_batch.data_areas(REAL, "icb", only=["QHL"])
    assert "also an alias or cluster of the config ('qhl')" in area.clash
    slug, status, _, msg = data_batch._build("QHL", "icb", str(REAL), "/nonexistent", None,
                                             False, False, area.clash)
    assert (slug, status) == ("icb-qhl", "failed")
    assert msg.startswith("icb-qhl: not built: its code is also an alias")
    assert "report --area 'NHS Birmingham and Solihull Integrated Care Board'" in msg


# The batch (one report built) ----------------------------------------------------------
@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if not MAP_ZIP.exists():
        pytest.skip("../shared/real (real NHS files) not available")
    out = tmp_path_factory.mktemp("out")
    first = data_batch.run_data_batch(REAL, out, "icb", only=["QHL", "QHM"], jobs=2)
    again = data_batch.run_data_batch(REAL, out, "icb", only=["QHL", "QHM"], jobs=2)
    return out, first, again


def test_batch_builds_the_areas_and_a_failed_one_does_not_stop_them(batch):
    out, first, again = batch
    assert [a.code for a in first.areas] == ["QHL", "QHM"]
    assert first.results["icb-qhl"][0] == "ok"
    assert first.results["icb-qhl"][1] > 0
    # QHM is in the GP Workforce release of the folder, whose ODS file is years older: the
    # GP inputs disagree, that area fails with one line and QHL is built all the same
    status, _, msg = first.results["icb-qhm"]
    assert status == "failed"
    assert msg.startswith("epraccur.zip: ") and "\n" not in msg
    assert first.failed == ["icb-qhm"] and first.status == 1
    assert (out / "icb-qhl" / "report.html").stat().st_size > 10_000
    assert not (out / "icb-qhm").exists()
    assert again.results["icb-qhl"][0] == "skipped" and again.status == 1
    assert (first.count("ok"), again.count("ok"), again.count("skipped")) == (1, 0, 1)


def test_batch_index_lists_every_area_with_its_status(batch):
    out, first, _ = batch
    page = (out / "index.html").read_text(encoding="utf-8")
    assert first.index == out / "index.html"
    rows = re.findall(r"<tr><td>(.*?)</tr>", page)
    assert len(rows) == 2
    assert rows[0].startswith("<a href='icb-qhl/report.html'>NHS Birmingham and Solihull "
                              "Integrated Care Board</a></td><td>QHL</td>")
    assert "<td>unchanged</td>" in rows[0]  # the index of the second run
    assert rows[1].startswith("NHS North East and North Cumbria Integrated Care Board</td>"
                              "<td>QHM</td>")
    assert "<td>failed</td>" in rows[1] and "epraccur.zip" in rows[1]
    assert "(2 areas, 1 failed in this run)" in page


def test_index_escapes_text_from_the_files(tmp_path):
    area = data_batch.ListedArea("icb", "Q<1>", "<b>Bath & Wells</b>", 12, "map<x>.csv",
                                 "2026-07")
    path = write_data_index(tmp_path, [area], {area.slug: ("failed", 1.5, "bad <script>")},
                            "icb")
    page = path.read_text(encoding="utf-8")
    assert "&lt;b&gt;Bath &amp; Wells&lt;/b&gt;" in page
    assert "bad &lt;script&gt;" in page and "map&lt;x&gt;.csv (2026-07)" in page
    assert "<b>" not in page and "<script" not in page
    assert "<td>Q&lt;1&gt;</td>" in page and "<td style='text-align:right'>1.5</td>" in page


# The command line --------------------------------------------------------------------------
@needs_real
@pytest.mark.parametrize("args, line", [
    (["--kind", "icbb"], r"^error: Invalid value for '--kind'.*'icbb' is not one of 'icb', "),
    (["--only", "QXX"], r"^error: --only 'QXX': no ICB of that code in the files \(36 ICBs "
                        r"there\); did you mean QOX\?$"),
    (["--period", "2024-13"], r"^error: --period '2024-13': expected YYYY-MM$"),
    (["--kind", "ccg"], r"^error: .*real: no CCG areas in gp-reg-pat-prac-map\.zip:.* \(they "
                        r"have: PCN, sub-ICB, ICB, region\)$"),
])
def test_reports_typos_are_one_line_exit_2(tmp_path, args, line):
    res = invoke("reports", "--nhs-dir", str(REAL), "--out", str(tmp_path), *args)
    assert res.exit_code == 2
    assert re.search(line, one_error_line(res))
    assert not (tmp_path / "index.html").exists()


@pytest.mark.parametrize("option", [["--kind", "icb"], ["--only", "QHL"], ["--list"],
                                    ["--period", "2024-09"]])
def test_real_data_options_need_nhs_dir(tmp_path, monkeypatch, option):
    monkeypatch.delenv("GPW_NHS_DIR", raising=False)
    res = invoke("reports", "--out", str(tmp_path), *option)
    assert res.exit_code == 2
    assert one_error_line(res) == (f"error: {option[0]} needs --nhs-dir (the folder of "
                                   "downloaded NHS files); without it every demo area is built")


def test_reports_of_a_folder_without_real_files_is_one_line(tmp_path):
    (tmp_path / "nhs").mkdir()
    res = invoke("reports", "--nhs-dir", str(tmp_path / "nhs"), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2
    assert one_error_line(res).endswith(": no PCN workforce file and no GP Workforce "
                                        "practice-level (Detailed or High-level) release; drop "
                                        "the downloaded files there")


@needs_real
def test_reports_list_prints_the_areas_and_builds_nothing(tmp_path):
    res = invoke("reports", "--nhs-dir", str(REAL), "--kind", "region", "--list",
                 "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert len(lines) == 7
    assert lines[0].split("\t")[:3] == ["Y56", "London", "1131 practices"]
    assert list(tmp_path.iterdir()) == []


def test_reports_passes_its_options_and_returns_the_batch_status(tmp_path, monkeypatch):
    seen = []

    def run_data_batch(nhs_dir, out, kind, period, jobs=None, force=False, only=None,
                       show_code=False):
        seen.append((Path(nhs_dir), Path(out), kind, period, jobs, force, only, show_code))
        return SimpleNamespace(status=1)

    monkeypatch.setattr(data_batch, "run_data_batch", run_data_batch)
    monkeypatch.setenv("GPW_ONLY", "QHL QUA")
    res = invoke("reports", "--nhs-dir", str(tmp_path), "--kind", "sub_icb", "--period",
                 "2024-09", "--jobs", "3", "--out", str(tmp_path / "o"))
    assert res.exit_code == 1
    assert seen == [(tmp_path, tmp_path / "o", "sub_icb", "2024-09", 3, False,
                     ["QHL", "QUA"], False)]


# make bench -------------------------------------------------------------------------------
def test_bench_says_why_the_real_data_batch_was_not_timed(tmp_path):
    (tmp_path / "nhs").mkdir()
    reason = bench.real_batch_seconds(tmp_path / "nhs", tmp_path / "work")
    assert isinstance(reason, str) and "no PCN workforce file" in reason
    assert not (tmp_path / "work").exists()
    line = bench.real_batch_text(reason)
    assert line.startswith("batch of real-data areas: not timed (")
    assert "\n" not in line and "make bench NHS_DIR=dir" in line


def test_bench_line_and_rows_of_the_real_data_batch(tmp_path):
    real = {"areas": 36, "built": 35, "failed": ["icb-qhm"], "seconds": 150.0,
            "unchanged": 4.3, "kind": "icb", "folder": "../shared/real"}
    cores = bench.os.cpu_count()
    assert bench.real_batch_text(real) == (
        f"batch of real-data areas, 36 ICBs on {cores} cores: 150.0 s (14.0 reports a "
        "minute; 1 failed: icb-qhm); unchanged re-run 4.3 s")
    doc = tmp_path / "performance.md"
    bench.write_doc(doc, 1, 1.0, "wolverhampton", 2.5, (20.0, 2.0, 9), real)
    text = doc.read_text(encoding="utf-8")
    assert ("| batch of real-data areas, 36 ICBs of `../shared/real`, from scratch | 150.0 s "
            "(35 built, 14.0 reports a minute; 1 failed: icb-qhm) |") in text
    assert "| batch of real-data areas, nothing changed | 4.3 s |" in text
    assert "* **Batch of real-data areas**: `make reports NHS_DIR=dir`" in text
    bench.write_doc(doc, 1, 1.0, "wolverhampton", 2.5, None, "data/raw/nhs: no real file")
    assert "| batch of real-data areas | not timed: data/raw/nhs: no real file |" in \
        doc.read_text(encoding="utf-8")
