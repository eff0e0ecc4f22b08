"""Shapes and errors of the GPW Detailed, High-level, Individual-level and PCN readers, on small
files written here."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from analysis.io.gpw import (
    area_headcount,
    period_from_name,
    read_gpw_high_level,
    read_gpw_individual,
)
from analysis.io.pcn import pcn_headcount, read_pcn_individual
from analysis.io.readers import GPW_TABLE_COLUMNS, read_gpw_practice_csv
from analysis.util.errors import InputError

ID = ["PRAC_CODE", "PRAC_NAME", "SUB_ICB_CODE", "SUB_ICB_NAME", "ICB_CODE", "ICB_NAME"]


def detailed(path, rows, lower=False, extra=()):
    """A Detailed CSV: ``rows`` are (code, {column: value}) with every other measure 1."""
    header = ID + GPW_TABLE_COLUMNS + [c for c, _ in extra]
    lines = [",".join(h.lower() if lower else h for h in header)]
    for code, values in rows:
        row = [code, f"Practice {code}", "06A", "Sub", "QUA", "ICB"]
        row += [str(values.get(c, 1)) for c in GPW_TABLE_COLUMNS]
        row += [str(values.get(c, v)) for c, v in extra]
        lines.append(",".join(row))
    path.write_text("\n".join(lines) + "\n")
    return path


def one_line(exc) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_detailed_lower_case_headers_read_as_upper_case(tmp_path):
    upper = read_gpw_practice_csv(detailed(tmp_path / "a.csv", [("M1", {"TOTAL_GP_FTE": 2.5})]))
    lower = read_gpw_practice_csv(detailed(tmp_path / "b.csv", [("M1", {"TOTAL_GP_FTE": 2.5})],
                                           lower=True))
    pd.testing.assert_frame_equal(lower, upper, check_exact=True)
    assert lower.loc[0, "TOTAL_GP_FTE"] == 2.5


def test_detailed_two_periods_is_one_line_naming_them(tmp_path):
    path = tmp_path / "several.csv"
    rows = [("M1", {"YEAR": 2025, "MONTH": "07"}), ("M1", {"YEAR": 2025, "MONTH": "06",
                                                         "TOTAL_GP_FTE": 3})]
    detailed(path, rows, lower=True, extra=[("YEAR", 2025), ("MONTH", "07")])
    with pytest.raises(InputError) as exc:
        read_gpw_practice_csv(path)
    assert one_line(exc) == ("several.csv: holds 2 periods (2025-06, 2025-07); expected one: "
                             "give period='YYYY-MM' to choose")
    june = read_gpw_practice_csv(path, period="2025-06")
    assert june["TOTAL_GP_FTE"].tolist() == [3.0] and june.attrs["period"] == "2025-06"
    assert "YEAR" not in june.columns
    with pytest.raises(InputError, match=r"no rows for period 2024-01 \(periods found: "
                       r"2025-06, 2025-07\)"):
        read_gpw_practice_csv(path, period="2024-01")


def test_detailed_zip_without_it_names_the_zip_and_the_csvs_seen(tmp_path):
    path = tmp_path / "GPWPracticeCSV.092024.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("High-level.csv", "PRAC_CODE,STAFF_GROUP,MEASURE,VALUE\n")
        zf.writestr("notes.csv", "A,B\n")
    with pytest.raises(InputError) as exc:
        read_gpw_practice_csv(path)
    assert one_line(exc) == (
        "GPWPracticeCSV.092024.zip, row 1: no GPW Practice Level - Detailed CSV found (CSV "
        "files seen: GPWPracticeCSV.092024.zip:High-level.csv, "
        "GPWPracticeCSV.092024.zip:notes.csv)")


def test_detailed_in_zip_reads_as_the_csv_and_errors_name_the_member(tmp_path):
    csv_path = detailed(tmp_path / "d.csv", [("M1", {}), ("M2", {"TOTAL_GP_FTE": 4})])
    path = tmp_path / "GPWPracticeCSV.092024.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(csv_path, "Detailed.csv")
    got = read_gpw_practice_csv(path)
    pd.testing.assert_frame_equal(got, read_gpw_practice_csv(csv_path), check_exact=True)
    assert got.attrs["period"] == "2024-09"  # from the zip's name
    bad = detailed(tmp_path / "bad.csv", [("M1", {}), ("M2", {"TOTAL_GP_FTE": "x"})])
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(bad, "Detailed.csv")
    with pytest.raises(InputError) as exc:
        read_gpw_practice_csv(path)
    assert one_line(exc).startswith("GPWPracticeCSV.092024.zip:Detailed.csv, row 3, column "
                                    "'TOTAL_GP_FTE': expected a number")


@pytest.mark.parametrize(("column", "value", "words"), [
    ("TOTAL_GP_FTE", 612.5, "an FTE from 0 to 500 for one practice"),
    ("TOTAL_PATIENTS", 250001, "a number of patients from 0 to 200,000"),
    ("TOTAL_GP_HC", 2500, "a headcount from 0 to 2,000 for one practice"),
])
def test_detailed_out_of_range_is_one_line_naming_row_and_column(tmp_path, column, value,
                                                                  words):
    path = detailed(tmp_path / "range.csv", [("M1", {}), ("M2", {}), ("M3", {column: value})])
    with pytest.raises(InputError) as exc:
        read_gpw_practice_csv(path)
    assert one_line(exc).startswith(f"range.csv, row 4, column '{column}': expected {words}")
    assert exc.value.row == 4 and exc.value.column == column


@pytest.mark.parametrize(("name", "period"), [
    ("1 General Practice – September 2024 Practice Level - Detailed.csv", "2024-09"),
    ("gpw_practice_level_2016-09.csv", "2016-09"),
    ("PCNWFIndividualCSV.062026.zip", "2026-06"),
    ("detailed.csv", None),
])
def test_period_from_name(name, period):
    assert period_from_name(name) == period


HIGH = ('"prac_code","prac_name","staff_group","detailed_staff_role","measure","value",'
        '"year","month"\n')


def test_high_level_lower_case_and_periods(tmp_path):
    path = tmp_path / "high.csv"
    path.write_text(HIGH + '"A1","P","GP","Partner","FTE","1.5","2024","08"\n'
                    '"A1","P","GP","Partner","HC","2","2024","08"\n'
                    '"A1","P","GP","Partner","FTE","ND","2024","09"\n')
    with pytest.raises(InputError, match=r"^high.csv: holds 2 periods \(2024-08, 2024-09\)"):
        read_gpw_high_level(path)
    aug = read_gpw_high_level(path, period="2024-08")
    assert aug["value"].tolist() == [1.5, 2.0]
    assert list(aug.columns) == ["practice_code", "practice_name", "staff_group",
                                 "detailed_staff_role", "measure", "value"]
    sep = read_gpw_high_level(path, period="2024-09")
    assert sep["value"].isna().all()  # ND is missing, never zero
    path.write_text(HIGH + '"A1","P","GP","Partner","FTE","one","2024","08"\n')
    with pytest.raises(InputError, match=r"^high.csv, row 2, column 'VALUE': expected a "
                       r"number"):
        read_gpw_high_level(path)


IND = ("UNIQUE_IDENTIFIER,PRAC_CODE,STAFF_GROUP,STAFF_ROLE,FTE,AGE_BAND,GENDER,"
       "SNAPSHOT_YEAR,SNAPSHOT_MONTH\n")


def test_individual_headcount_counts_each_person_once(tmp_path):
    path = tmp_path / "ind.csv"
    path.write_text(IND + "p1,M1,GP,Partner,0.5,40-44,Female,2023,2\n"
                    "p1,M2,GP,Partner,0.5,40-44,Female,2023,2\n"
                    "p2,M2,Nurses,Nurse,1,30-34,Male,2023,2\n"
                    "p3,M9,Nurses,Nurse,1,30-34,Male,2023,2\n")
    got = read_gpw_individual(path)
    assert got.attrs["period"] == "2023-02"
    assert list(got.columns[:3]) == ["unique_identifier", "practice_code", "staff_group"]
    assert area_headcount(got, ["M1", "M2"]) == 2  # FTE adds up, heads do not
    assert got.loc[got["practice_code"].isin(["M1", "M2"]), "fte"].sum() == 2.0
    path.write_text(IND + "p1,M1,GP,Partner,2.5,40-44,Female,2023,2\n")
    with pytest.raises(InputError) as exc:
        read_gpw_individual(path)
    assert one_line(exc).startswith("ind.csv, row 2, column 'fte': expected an FTE from 0 to 2")


PCN = ("Data_source,CENSUS_YEAR,CENSUS_MONTH,PCN_CODE,PCN_NAME,CCG_CODE,CCG_NAME,STP_CODE,"
       "STP_NAME,COMM_REGION_CODE,COMM_REGION_NAME,STAFF_GROUP,STAFF_ROLE,DETAILED_STAFF_ROLE,"
       "FTE,UNIQUE_IDENTIFIER\n")
ROW = "NWRS Staff,2021,3,U1,PCN A,06A,CCG,QUA,STP,Y60,Midlands,Directors,Clinical Director,"


def test_pcn_older_geography_kept_and_contracted_services_not_people(tmp_path):
    path = tmp_path / "pcn.csv"
    path.write_bytes((PCN + ROW + "Clinical Director \u2013 Medical,0.2,11\n" + ROW
                      + "Pharmacist,1,11\n" + ROW.replace("NWRS Staff", "NWRS contracted services")
                      + "Pharmacist,3.5,NULL\n").encode("cp1252"))
    got = read_pcn_individual(path)
    assert {"ccg_code", "stp_code", "region_code"} <= set(got.columns)
    assert "sub_icb_code" not in got.columns
    assert got["detailed_staff_role"][0] == "Clinical Director \u2013 Medical"
    assert got["fte"].sum() == pytest.approx(4.7)
    assert pcn_headcount(got) == 1
    assert got.attrs["period"] == "2021-03"


def test_pcn_errors_are_one_line(tmp_path):
    path = tmp_path / "pcn.csv"
    path.write_text(PCN + ROW + "Pharmacist,12,11\n")
    with pytest.raises(InputError) as exc:
        read_pcn_individual(path)
    assert one_line(exc).startswith("pcn.csv, row 2, column 'fte': expected an FTE from -0.1 "
                                    "to 10")
    path.write_text(PCN.replace(",UNIQUE_IDENTIFIER", ",PERSON") + ROW + "Pharmacist,1,11\n")
    with pytest.raises(InputError, match=r"^pcn.csv, row 1: no a PCN workforce|CSV files seen"):
        read_pcn_individual(path)
    path.write_text(PCN + ROW + "Pharmacist,1,11\n"
                    + ROW.replace(",3,", ",4,") + "Pharmacist,1,12\n")
    with pytest.raises(InputError, match=r"holds 2 periods \(2021-03, 2021-04\)"):
        read_pcn_individual(path)
