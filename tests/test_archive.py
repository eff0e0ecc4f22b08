"""Files as downloaded: a CSV or a zip of CSVs, picked by header."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from real_files import REAL

from analysis.io import archive
from analysis.util.errors import InputError


def _zip(tmp_path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_plain_csv_is_its_own_source(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("\ufeffPRAC_CODE,VALUE\r\nA1,2\r\n".encode())
    [src] = archive.csv_sources(p)
    assert src.header == ["PRAC_CODE", "VALUE"] and src.label == "a.csv"
    assert src.read_bytes().endswith(b"A1,2\r\n")


def test_zip_member_is_picked_by_header_and_named_in_labels(tmp_path):
    p = _zip(tmp_path, {"Definitions.csv": b"Field,Meaning\n", "notes.pdf": b"%PDF",
                        "sub/Detailed.csv": b"PRAC_CODE,TOTAL_GP_FTE\nA1,1.5\n"})
    src = archive.pick(p, lambda h: "TOTAL_GP_FTE" in h, "GPW Detailed CSV")
    assert src.label == "release.zip:sub/Detailed.csv"
    with src.open() as fh:
        assert fh.read() == b"PRAC_CODE,TOTAL_GP_FTE\nA1,1.5\n"


def test_no_match_lists_what_was_seen(tmp_path):
    p = _zip(tmp_path, {"Definitions.csv": b"Field,Meaning\n"})
    with pytest.raises(InputError, match=r"^release\.zip, row 1: no GPW Detailed CSV found "
                                         r"\(CSV files seen: release\.zip:Definitions\.csv\)$"):
        archive.pick(p, lambda h: "TOTAL_GP_FTE" in h, "GPW Detailed CSV")


@pytest.mark.parametrize("members,message", [
    ({}, "the zip holds no CSV file"),
    ({"a.pdf": b"x"}, "the zip holds no CSV file"),
])
def test_zip_without_csv(tmp_path, members, message):
    with pytest.raises(InputError, match=message):
        archive.csv_sources(_zip(tmp_path, members))


def test_damaged_and_empty_files(tmp_path):
    good = _zip(tmp_path, {"a.csv": bytes(range(256)) * 400}).read_bytes()
    cut = tmp_path / "cut.zip"  # downloaded in part: no central directory
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError, match=r"^cut\.zip: damaged zip file"):
        archive.csv_sources(cut)
    flipped = bytearray(good)  # a corrupted member: its checksum fails
    flipped[100:110] = b"\x00" * 10
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(InputError, match=r"^bad\.zip: damaged zip file"):
        archive.csv_sources(bad)
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"^e\.csv: file is empty$"):
        archive.csv_sources(empty)


@pytest.mark.skipif(not REAL.exists(), reason="../shared/real not present")
@pytest.mark.parametrize("name", ["pcn/PCNWFIndividualCSV.062026.zip",
                                  "patients/2026-07/gp-reg-pat-prac-map.zip",
                                  "patients/2026-07/gp-reg-pat-prac-quin-age.zip",
                                  "ods/epraccur.zip"])
def test_real_zips_list_their_csvs(name):
    sources = archive.csv_sources(REAL / name)
    assert sources and all(s.header for s in sources)
