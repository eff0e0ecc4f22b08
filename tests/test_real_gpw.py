"""The GPW and PCN workforce readers on every real published file in ../shared/real.

Each figure is checked against a sum computed here, independently, with the csv module over
the same file; nothing is copied from the files. Skipped when the folder is absent (set
GPW_SHARED to point at it from a worktree).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from real_files import REAL, csv_text

from analysis.io.gpw import area_headcount, read_gpw_high_level, read_gpw_individual
from analysis.io.pcn import pcn_headcount, read_pcn_individual
from analysis.io.readers import read_gpw_practice_csv

GPW = REAL / "gpw"
SAMPLES = GPW / "derived_samples"
PCN = REAL / "pcn"

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="no ../shared/real folder")


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header (upper case) and data rows, with the csv module (the CSV in a zip too)."""
    rows = list(csv.reader(io.StringIO(csv_text(path))))
    return [h.strip().upper() for h in rows[0]], [r for r in rows[1:] if any(r)]


def _periods(header, rows) -> set[str]:
    if "YEAR" not in header:
        return set()
    y, m = header.index("YEAR"), header.index("MONTH")
    return {f"{int(r[y]):04d}-{int(r[m]):02d}" for r in rows}


DETAILED = _files(GPW, "*Detailed.csv") + _files(SAMPLES, "practice_detailed_*.csv")


@pytest.mark.parametrize("path", DETAILED, ids=lambda p: p.name)
def test_detailed_totals_equal_an_independent_sum(path):
    header, rows = _rows(path)
    for period in sorted(_periods(header, rows)) or [None]:
        got = read_gpw_practice_csv(path, period=period)
        keep = rows if period is None else [
            r for r in rows if f"{int(r[header.index('YEAR')]):04d}-"
            f"{int(r[header.index('MONTH')]):02d}" == period]
        assert len(got) == len(keep)
        for col in ("TOTAL_GP_FTE", "TOTAL_PATIENTS", "TOTAL_GP_HC"):
            expected = sum(float(r[header.index(col)]) for r in keep)
            assert float(got[col].sum()) == pytest.approx(expected, rel=1e-12), col
        codes = [r[header.index("PRAC_CODE")] for r in keep]
        assert got["PRAC_CODE"].tolist() == codes
        # headcount kept per practice as published, never summed or altered
        assert got["TOTAL_GP_HC"].tolist() == [int(r[header.index("TOTAL_GP_HC")]) for r in keep]
        if period:
            assert got.attrs["period"] == period


@pytest.mark.skipif(not DETAILED, reason="no real Detailed file")
def test_detailed_real_file_inside_a_release_zip(tmp_path):
    """A release zip holding the Detailed CSV beside a long file and a definitions file."""
    real = DETAILED[0]
    zpath = tmp_path / "GPWPracticeCSV.092024.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("GPW Practice Level - High-level.csv",
                    "PRAC_CODE,PRAC_NAME,STAFF_GROUP,DETAILED_STAFF_ROLE,MEASURE,VALUE\n")
        zf.write(real, "GPW Practice Level - Detailed.csv")
        zf.writestr("definitions.csv", "FIELD,DESCRIPTION\n")
    direct = read_gpw_practice_csv(real)
    got = read_gpw_practice_csv(zpath)
    assert got.equals(direct)
    assert got.attrs["source"].endswith(":GPW Practice Level - Detailed.csv")


@pytest.mark.parametrize("path", _files(SAMPLES, "practice_high_level_*.csv"),
                         ids=lambda p: p.name)
def test_high_level_values_equal_an_independent_sum(path):
    header, rows = _rows(path)
    got = read_gpw_high_level(path)
    assert len(got) == len(rows)
    assert list(got.columns[:6]) == ["practice_code", "practice_name", "staff_group",
                                     "detailed_staff_role", "measure", "value"]
    assert got["value"].sum() == pytest.approx(sum(float(r[header.index("VALUE")])
                                                   for r in rows))
    assert got.attrs["period"] in _periods(header, rows)


@pytest.mark.parametrize("path", _files(SAMPLES, "individual_level_*.csv"),
                         ids=lambda p: p.name)
def test_individual_level_fte_and_headcount(path):
    header, rows = _rows(path)
    got = read_gpw_individual(path)
    assert len(got) == len(rows)
    assert got["fte"].sum() == pytest.approx(sum(float(r[header.index("FTE")]) for r in rows))
    i, s = header.index("UNIQUE_IDENTIFIER"), header.index("SUB_ICB_CODE")
    areas = {r[s] for r in rows}
    for area in areas:
        people = {r[i] for r in rows if r[s] == area}
        assert area_headcount(got, [area], by="sub_icb_code") == len(people)


PCN_FILES = _files(PCN, "*Individual Level.csv") + _files(PCN, "PCNWFIndividualCSV.*.zip")


@pytest.mark.parametrize("path", PCN_FILES, ids=lambda p: p.name)
def test_pcn_individual_totals_equal_an_independent_sum(path):
    header, rows = _rows(path)
    got = read_pcn_individual(path)
    assert len(got) == len(rows)
    fte = header.index("FTE")
    assert got["fte"].sum() == pytest.approx(sum(float(r[fte]) for r in rows), rel=1e-12)
    uid = header.index("UNIQUE_IDENTIFIER")
    people = {r[uid] for r in rows if r[uid].strip() and r[uid].strip().upper() != "NULL"}
    assert pcn_headcount(got) == len(people)
    y, m = header.index("CENSUS_YEAR"), header.index("CENSUS_MONTH")
    assert {got.attrs["period"]} == {f"{int(r[y]):04d}-{int(r[m]):02d}" for r in rows}
    assert {"pcn_code", "sub_icb_code", "icb_code", "region_code", "staff_role", "fte",
            "unique_identifier"} <= set(got.columns)
    assert got["pcn_code"].tolist() == [r[header.index("PCN_CODE")].strip() for r in rows]


@pytest.mark.skipif(not (PCN / "PCNWFIndividualCSV.062026.zip").exists(),
                    reason="no June 2026 PCN release")
def test_pcn_june_2026_zip_has_the_rows_its_readme_gives():
    path = PCN / "PCNWFIndividualCSV.062026.zip"
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(".csv"))
        lines = zf.read(name).decode("utf-8-sig").splitlines()
    data_lines = sum(1 for line in lines[1:] if line.strip())
    got = read_pcn_individual(path)
    assert len(got) == data_lines == 39_940
    assert got.attrs["period"] == "2026-06"
