"""Tiny files, one per published layout, for the NHS Payments, Patients Registered and ODS
readers: each layout variation read right, and the one-line errors."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from analysis.io.ods import gp_practices_open_on, read_epraccur
from analysis.io.patients import read_patients_quinary, read_patients_registered, read_practice_map
from analysis.io.readers import read_practice_reference
from analysis.util.errors import InputError

PAY_2223 = ("NHS England (Region) code,NHS England (Region) Name,Sub ICB Code,Sub ICB NAME,"
            "PCN Code,PCN Name,Practice Code,Practice Name,Practice Postcode,Practice Open Date,"
            "Practice Close Date,Contract Type,Dispensing Practice,Practice type,"
            "Practice Rurality,Average Number of Registered Patients,"
            "Average Number of Weighted Patients,Global Sum\n")


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _zip(tmp_path, name, member, text):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, text)
        zf.writestr("notes.pdf", b"%PDF-1.4")
    return path


# --------------------------------------------------------------------------------------------
# NHS Payments to General Practice
# --------------------------------------------------------------------------------------------
def test_payments_sub_icb_layout_with_bom_averages_and_walk_in(tmp_path):
    rows = ("Y63,NE AND YORKS,16C,NHS NENC ICB - 16C,U89141,STOCKTON PCN,A81001,DENSHAM,"
            "TS18 1HU,01/04/1974,,GMS,No,GP practice,Urban,4029.25,4579.78,1\n"
            "Y63,NE AND YORKS,16C,NHS NENC ICB - 16C,,,Y02625,WALK IN,TS1 1AA,01/04/2009,"
            "31/03/2023,Unknown,No,Walk in centre,Urban,0,0,1\n")
    path = _write(tmp_path, "p.csv", "\ufeff" + PAY_2223 + rows)
    ref = read_practice_reference(path)
    assert ref["sub_icb_code"].tolist() == ["16C", "16C"]
    assert "ccg_code" not in ref
    assert ref["pcn_code"].tolist()[0] == "U89141"
    assert ref["registered_patients"].tolist() == [4029.25, 0.0]
    assert ref.attrs["patients_measure"] == "average"
    assert ref["is_gp_practice"].tolist() == [True, False]
    assert ref["practice_type"].tolist() == ["GP practice", "Walk in centre"]
    assert pd.isna(ref.loc[1, "contract_type"])
    assert (ref.attrs["not_gp_practice"], ref.attrs["no_patients"], ref.attrs["closed"]) == (
        1, 1, 1)


def test_payments_cp1252_file(tmp_path):
    rows = ("Y63,R,16C,S,,,A81001,ST MARY\u2019S SURGERY,TS18 1HU,01/04/1974,,PMS,No,"
            "GP practice,Urban,10,11,1\n")
    path = _write(tmp_path, "p.csv", PAY_2223 + rows, encoding="cp1252")
    ref = read_practice_reference(path)
    assert ref.loc[0, "practice_name"] == "ST MARY\u2019S SURGERY"
    assert ref.attrs["encoding"] == "cp1252"
    assert str(ref["registered_patients"].dtype) == "Int64"


def test_payments_no_area_column_is_one_line(tmp_path):
    path = _write(tmp_path, "p.csv", PAY_2223.replace("Sub ICB Code", "Area"))
    with pytest.raises(InputError) as info:
        read_practice_reference(path)
    assert str(info.value).startswith("p.csv, row 1, column 'CCG Code': required column missing")
    assert "\n" not in str(info.value)


def test_payments_wrong_file_given(tmp_path):
    path = _write(tmp_path, "gp-reg-pat-prac-all.csv",
                  "PUBLICATION,EXTRACT_DATE,TYPE,CODE,NUMBER_OF_PATIENTS\nX,2025-10-01,GP,A1,5\n")
    with pytest.raises(InputError, match=r"^gp-reg-pat-prac-all\.csv, row 1, column 'Practice "
                       r"Code': required column missing; expected an NHS Payments to General "
                       r"Practice practice-level CSV$"):
        read_practice_reference(path)


def test_payments_patients_out_of_range_names_row_and_column(tmp_path):
    rows = ("Y63,R,16C,S,,,A81001,A,TS18 1HU,01/04/1974,,GMS,No,GP practice,Urban,10,11,1\n"
            "Y63,R,16C,S,,,A81002,B,TS18 1HU,01/04/1974,,GMS,No,GP practice,Urban,250001,11,1\n")
    with pytest.raises(InputError) as info:
        read_practice_reference(_write(tmp_path, "p.csv", PAY_2223 + rows))
    assert (info.value.row, info.value.column) == (3, "Average Number of Registered Patients")
    assert "from 0 to 200,000" in str(info.value)


# --------------------------------------------------------------------------------------------
# Patients Registered at a GP Practice
# --------------------------------------------------------------------------------------------
TOTALS_CCG = ("PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,"
              "NUMBER_OF_PATIENTS\n"
              "GP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,A84002,NE65 7UW,ALL,ALL,5903\n"
              "GP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,A84003,NE63 9UT,ALL,ALL,14738\n")


def test_patients_totals_ccg_layout(tmp_path):
    out = read_patients_registered(_write(tmp_path, "gp-reg-pat-prac-all.csv", TOTALS_CCG))
    assert list(out.columns) == ["practice_code", "postcode", "ccg_code", "number_of_patients"]
    assert out["number_of_patients"].tolist() == [5903, 14738]
    assert out.attrs["period"] == "2021-01"


def test_patients_totals_sub_icb_layout_with_sexes(tmp_path):
    text = ("PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,"
            "POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n"
            "P,2025-10-01,GP,16C,E1,A81001,TS18 1HU,ALL,ALL,30\n"
            "P,2025-10-01,GP,16C,E1,A81001,TS18 1HU,MALE,ALL,14\n"
            "P,2025-10-01,GP,16C,E1,A81001,TS18 1HU,FEMALE,ALL,16\n")
    out = read_patients_registered(_write(tmp_path, "all.csv", text))
    assert out[["sub_icb_code", "number_of_patients", "male", "female"]].values.tolist() == [
        ["16C", 30, 14, 16]]
    assert out.attrs["period"] == "2025-10"


def test_patients_totals_out_of_range(tmp_path):
    text = TOTALS_CCG.replace(",14738", ",250000")
    with pytest.raises(InputError) as info:
        read_patients_registered(_write(tmp_path, "all.csv", text))
    assert (info.value.row, info.value.column) == (3, "NUMBER_OF_PATIENTS")
    assert "a number of patients from 0 to 200,000" in str(info.value)


def test_patients_wrong_file_given(tmp_path):
    with pytest.raises(InputError) as info:
        read_patients_registered(_write(tmp_path, "pay.csv", PAY_2223))
    assert str(info.value).startswith("pay.csv, row 1: no Patients Registered at a GP Practice "
                                      "totals CSV (gp-reg-pat-prac-all.csv")
    assert str(info.value).endswith("found (CSV files seen: pay.csv)")


QUIN = ("PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,"
        "NUMBER_OF_PATIENTS\n"
        "P,2026-07-01,PCN,U1,,,FEMALE,0_4,999\n"
        "P,2026-07-01,GP,A81001,,TS18 1HU,ALL,ALL,10\n"
        "P,2026-07-01,GP,A81001,,TS18 1HU,FEMALE,ALL,6\n"
        "P,2026-07-01,GP,A81001,,TS18 1HU,FEMALE,0_4,2\n"
        "P,2026-07-01,GP,A81001,,TS18 1HU,FEMALE,95+,4\n"
        "P,2026-07-01,GP,A81001,,TS18 1HU,MALE,0_4,4\n")


def test_patients_quinary_zip(tmp_path):
    out = read_patients_quinary(_zip(tmp_path, "q.zip", "gp-reg-pat-prac-quin-age.csv", QUIN))
    assert out.values.tolist() == [["A81001", "female", "0_4", 2], ["A81001", "female", "95+", 4],
                                   ["A81001", "male", "0_4", 4]]
    assert out.attrs["source"] == "q.zip:gp-reg-pat-prac-quin-age.csv"
    assert out.attrs["period"] == "2026-07"


def test_patients_quinary_bad_band(tmp_path):
    text = QUIN.replace("MALE,0_4,4", "MALE,0-4,4")
    with pytest.raises(InputError) as info:
        read_patients_quinary(_write(tmp_path, "q.csv", text))
    assert (info.value.row, info.value.column) == (7, "AGE_GROUP_5")


def test_practice_map_ccg_era(tmp_path):
    text = ("PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,"
            "PCN_NAME,CCG_CODE,CCG_NAME,STP_CODE,STP_NAME,COMM_REGION_CODE,COMM_REGION_NAME\n"
            "P,01APR2021,M87001,A,WV1 1AA,U1,PCN 1,D2P2L,NHS BC CCG,QUA,BC STP,Y60,Midlands\n")
    out = read_practice_map(_zip(tmp_path, "m.zip", "gp-reg-pat-prac-map.csv", text))
    assert out.loc[0, ["practice_code", "ccg_code", "stp_code", "region_name"]].tolist() == [
        "M87001", "D2P2L", "QUA", "Midlands"]
    assert out.attrs["period"] == "2021-04"


def test_practice_map_wrong_file(tmp_path):
    with pytest.raises(InputError, match=r"^q\.zip, row 1: no Patients Registered at a GP "
                       r"Practice mapping CSV .* found \(CSV files seen: q\.zip:q\.csv\)$"):
        read_practice_map(_zip(tmp_path, "q.zip", "q.csv", QUIN))


# --------------------------------------------------------------------------------------------
# ODS epraccur
# --------------------------------------------------------------------------------------------
def _ods_row(code, opened, closed="", status="A", setting="4"):
    fields = [code, f"PRACTICE {code}", "Y63", "Q74", "1 ROAD", "", "TOWN", "", "", "TS1 1AA",
              opened, closed, status, "B", "00K", "20130401", "", "01642", "", "", "", "0", "",
              "00K", "", setting, ""]
    return ",".join(f'"{f}"' for f in fields) + "\n"


ODS = (_ods_row("A81001", "19740401") + _ods_row("A81003", "19740401", "20171031", "C")
       + _ods_row("Y02625", "20090401", setting="1") + _ods_row("Y09999", "20200101", status="P")
       + _ods_row("A81004", "19740401", status="C"))


def test_epraccur_read_and_open_on(tmp_path):
    ods = read_epraccur(_zip(tmp_path, "epraccur.zip", "epraccur.csv", ODS))
    assert ods["practice_code"].tolist() == ["A81001", "A81003", "Y02625", "Y09999", "A81004"]
    assert ods["prescribing_setting"].tolist() == [4, 4, 1, 4, 4]
    assert ods["is_gp_practice"].tolist() == [True, True, False, True, True]
    assert ods.loc[1, "close_date"] == pd.Timestamp("2017-10-31")
    assert ods["commissioner_code"].tolist()[0] == "00K"
    kept, left = gp_practices_open_on(ods, "2019-11-01")
    assert kept["practice_code"].tolist() == ["A81001"]
    assert dict(zip(left["practice_code"], left["reason"], strict=True)) == {
        "A81003": "closed on 2017-10-31",
        "Y02625": "not a GP practice (prescribing setting 1: walk-in centre)",
        "Y09999": "not yet open (opens 2020-01-01)",
        "A81004": "closed (status C, no close date)"}
    kept, _ = gp_practices_open_on(ods, "2017-10-30")
    assert kept["practice_code"].tolist() == ["A81001", "A81003"]


def test_epraccur_bad_date_names_row_and_field(tmp_path):
    text = ODS.replace('"20090401"', '"2009-04-01"')
    with pytest.raises(InputError) as info:
        read_epraccur(_write(tmp_path, "epraccur.csv", text))
    assert str(info.value) == ("epraccur.csv, row 3, column 'field 11 (open date)': expected a "
                               "date written YYYYMMDD such as 19740401, found '2009-04-01'")


def test_epraccur_bad_status(tmp_path):
    text = ODS.replace('"P","B"', '"X","B"')
    with pytest.raises(InputError) as info:
        read_epraccur(_write(tmp_path, "epraccur.csv", text))
    assert (info.value.row, info.value.column) == (4, "field 13 (status code)")
    assert "status A, C, D or P" in str(info.value)


def test_epraccur_wrong_file_given(tmp_path):
    with pytest.raises(InputError) as info:
        read_epraccur(_write(tmp_path, "all.csv", TOTALS_CCG))
    assert str(info.value).startswith("all.csv, row 1: no ODS GP practices file epraccur.csv")
    assert "\n" not in str(info.value)
