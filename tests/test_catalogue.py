"""The inputs catalogue (analysis/io/catalogue.py) on tiny files written here."""

from __future__ import annotations

import zipfile

import pytest

from analysis.io.catalogue import catalogue, latest
from analysis.util.errors import ConfigError


def test_kinds_periods_and_unrecognised(tmp_path):
    (tmp_path / "2026-07").mkdir()
    (tmp_path / "2026-07" / "gp-reg-pat-prac-map.csv").write_text(
        "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PCN_CODE,SUB_ICB_LOCATION_CODE,ICB_CODE\n"
        "X,01Jul2026,A1,U1,15E,QHL\n")
    with zipfile.ZipFile(tmp_path / "PCNWFIndividualCSV.062026.zip", "w") as zf:
        zf.writestr("pcn.csv", "CENSUS_YEAR,CENSUS_MONTH,PCN_CODE,FTE,UNIQUE_IDENTIFIER\n"
                               "2026,6,U1,1,7\n")
        zf.writestr("notes.txt", "not a csv")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    (tmp_path / "README.md").write_text("skipped")
    cat = catalogue(tmp_path)
    kinds = dict(zip(cat["kind"], cat["period"], strict=False))
    assert kinds["patients_map"] == "2026-07"
    assert kinds["pcn_individual"] == "2026-06"
    assert list(cat.loc[cat["kind"] == "unrecognised", "path"].map(lambda p: p.name)) == [
        "notes.csv"]
    assert cat["sha256"].str.len().eq(64).all()
    assert latest(cat, "pcn_individual")["member"] == "pcn.csv"
    with pytest.raises(ConfigError, match=r"no patients totals file of 2026-06$"):
        latest(cat, "patients_totals", "2026-06")
    with pytest.raises(ConfigError, match=r"periods there: 2026-06\)$"):
        latest(cat, "pcn_individual", "2026-05")
    assert latest(cat, "ods", required=False) is None
