"""The reference readers on every real published file in ``../shared`` (skipped when absent).

Each value is checked against a figure computed here independently from the same file with the
csv module (row counts, total patients, rows of a kind), never against numbers copied from it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from real_files import REAL, REFERENCE, csv_text

from analysis.io import urgent_care
from analysis.io.ods import gp_practices_open_on, read_epraccur
from analysis.io.patients import read_patients_quinary, read_patients_registered, read_practice_map
from analysis.io.readers import read_practice_reference


def _files(pattern: str) -> list[Path]:
    return sorted(REAL.glob(pattern)) if REAL.exists() else []


def _params(pattern: str):
    files = _files(pattern)
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no {pattern} in ../shared"))]
    return [pytest.param(f, id=f"{f.parent.name}/{f.name}") for f in files]


def _rows(path: Path, header: bool = True) -> list[dict] | list[list]:
    """Every row of a CSV (or of the one CSV in a zip), decoded as UTF-8 or cp1252."""
    text = io.StringIO(csv_text(path))
    return list(csv.DictReader(text) if header else csv.reader(text))


# --------------------------------------------------------------------------------------------
# NHS Payments to General Practice
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", _params("payments/nhspaymentsgp-*-prac-csv.csv"))
def test_payments_file(path):
    rows = _rows(path)
    names = {k.strip().lower(): k for k in rows[0]}
    pts = names.get("number of registered patients (last known figure)") or names[
        "average number of registered patients"]
    ref = read_practice_reference(path)
    assert len(ref) == len(rows)
    assert ref["practice_code"].tolist() == [r[names["practice code"]].strip().upper()
                                             for r in rows]
    total = sum(float(r[pts]) for r in rows)
    assert float(ref["registered_patients"].sum()) == pytest.approx(total)
    assert ref.attrs["patients_measure"] == ("average" if pts.startswith("Average")
                                             else "last known")
    blank_open = sum(not r[names["practice open date"]].strip() for r in rows)
    assert ref.attrs["open_date_missing"] == blank_open == int(ref["open_date"].isna().sum())
    unknown = sum(r[names["contract type"]].strip().upper() in ("", "UNKNOWN") for r in rows)
    assert ref.attrs["contract_type_unknown"] == unknown
    area = "ccg_code" if "ccg code" in names else "sub_icb_code"
    assert ref[area].notna().all()
    if "practice type" in names:
        not_gp = sum(r[names["practice type"]].strip().lower() != "gp practice" for r in rows)
        assert ref.attrs["not_gp_practice"] == not_gp == int((~ref["is_gp_practice"]).sum())
        assert not_gp > 0  # walk-in and out-of-hours centres are kept, not dropped
    else:
        assert "is_gp_practice" not in ref


# --------------------------------------------------------------------------------------------
# Patients Registered at a GP Practice
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", _params("patients/*/gp-reg-pat-prac-all.csv"))
def test_patients_registered_file(path):
    rows = [r for r in _rows(path) if r["TYPE"] == "GP" and r["SEX"] == "ALL"
            and r["AGE"] == "ALL"]
    out = read_patients_registered(path)
    assert len(out) == len(rows)
    assert int(out["number_of_patients"].sum()) == sum(int(r["NUMBER_OF_PATIENTS"]) for r in rows)
    assert out["number_of_patients"].dtype == "int64"
    assert out.attrs["period"] == path.parent.name  # the folder is named by extract month
    area = "ccg_code" if "CCG_CODE" in rows[0] else "sub_icb_code"
    assert out[area].tolist() == [r.get("CCG_CODE") or r["SUB_ICB_LOCATION_CODE"] for r in rows]


@pytest.mark.parametrize("path", _params("patients/*/gp-reg-pat-prac-quin-age.zip"))
def test_patients_quinary_file(path):
    rows = [r for r in _rows(path) if r["ORG_TYPE"] == "GP" and r["SEX"] != "ALL"
            and r["AGE_GROUP_5"] != "ALL"]
    out = read_patients_quinary(path)
    assert len(out) == len(rows)
    assert int(out["patients"].sum()) == sum(int(r["NUMBER_OF_PATIENTS"]) for r in rows)
    assert out.attrs["practices"] == len({r["ORG_CODE"] for r in rows})
    assert out.attrs["period"] == path.parent.name
    assert set(out["sex"]) == {"female", "male"}
    assert out["age_band"].nunique() == 20


@pytest.mark.parametrize("path", _params("patients/*/gp-reg-pat-prac-map.zip"))
def test_practice_map_file(path):
    rows = _rows(path)
    out = read_practice_map(path)
    assert out["practice_code"].tolist() == [r["PRACTICE_CODE"] for r in rows]
    assert out["icb_code"].tolist() == [r["ICB_CODE"] for r in rows]
    assert out["region_name"].tolist() == [r["COMM_REGION_NAME"] for r in rows]
    assert out.attrs["period"] == path.parent.name
    for c in ("pcn_code", "sub_icb_code", "sub_icb_name", "icb_name", "region_code"):
        assert out[c].notna().all()


# --------------------------------------------------------------------------------------------
# ODS epraccur
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", _params("ods/epraccur.zip"))
def test_epraccur_file(path):
    rows = _rows(path, header=False)
    ods = read_epraccur(path)
    assert len(ods) == len(rows)
    assert int(ods["is_gp_practice"].sum()) == sum(r[25] == "4" for r in rows)
    assert (ods["status"] == "C").sum() == sum(r[12] == "C" for r in rows)
    assert ods["close_date"].notna().sum() == sum(bool(r[11]) for r in rows)
    day = "20190331"
    expected = {r[0] for r in rows if r[25] == "4" and r[10] and r[10] <= day
                and (r[11] > day if r[11] else r[12] != "C")}
    kept, left = gp_practices_open_on(ods, "2019-03-31")
    assert set(kept["practice_code"]) == expected
    assert len(kept) + len(left) == len(ods)
    assert left["reason"].notna().all()
    assert (left["reason"].str.startswith("not a GP practice").sum()
            == sum(r[25] != "4" for r in rows))


# --------------------------------------------------------------------------------------------
# ../shared/reference files that already have readers
# --------------------------------------------------------------------------------------------
REFERENCE_READERS = [
    ("iucadc_sample_apr2023.csv", urgent_care.read_iucadc,
     ["period", "org_code", "contract_code", "item", "value"]),
    ("ecds_ae_attendances_by_time_of_day_2024_25.csv", urgent_care.read_ecds_time_of_day,
     ["day", "hour", "attendances", "ambulance"]),
]


@pytest.mark.parametrize("name, reader, columns", REFERENCE_READERS,
                         ids=[n for n, *_ in REFERENCE_READERS])
def test_reference_file_readers(name, reader, columns):
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    out = reader(path)
    assert len(out) > 0
    assert set(columns) <= set(out.columns)
    assert isinstance(out, pd.DataFrame)
