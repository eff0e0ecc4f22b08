"""Tests for the urgent-care readers (analysis.io.urgent_care).

Readers are driven by edge-case tables (row numbers count the header as row 1) and are also
run on the real NHS England files in ``../shared/reference/`` when that folder exists.
"""

from __future__ import annotations

import gzip
import json
import math

import pandas as pd
import pytest

from analysis.config import ROOT
from analysis.io import urgent_care as uio
from analysis.models.urgent_care import profiles as upr
from analysis.util.errors import InputError

SHARED = ROOT.parent / "shared" / "reference"
REAL_ADC = SHARED / "iucadc_sample_apr2023.csv"
REAL_ADC_JSON = SHARED / "iucadc_structure.json"
REAL_ECDS = SHARED / "ecds_ae_attendances_by_time_of_day_2024_25.csv"
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared/reference not present")

CASE_HEADER = uio.CASE_COLUMNS + ["appointment_booked"]


def case_row(i: int = 1, **kw) -> dict:
    row = {"case_id": f"K{i:04d}", "call_start": "2024-04-01 18:35", "age_band": "16-44",
           "sex": "F", "area": "06A", "disposition": "primary_care", "clinician_assessed": "Y",
           "clinician_type": "gp", "clinical_minutes": "12", "onward_service": "gp_ooh",
           "appointment_booked": "N"}
    row.update(kw)
    return row



# ============================================================================================
# Case-level extract reader
# ============================================================================================
CASE_BAD = [
    # rows (dicts or raw text), expected message fragment, row, column
    pytest.param([case_row(case_id="")], "case id is blank", 2, "case_id", id="blank-id"),
    pytest.param([case_row(1), case_row(1)], "appears more than once", 3, "case_id",
                 id="duplicate-id"),
    pytest.param([case_row(call_start="2024-04-01")], "expected a date and time", 2,
                 "call_start", id="date-without-time"),
    pytest.param([case_row(call_start="31/02/2024 10:00")], "expected a date and time", 2,
                 "call_start", id="impossible-date"),
    pytest.param([case_row(age_band="15-20")], "unknown value '15-20'", 2, "age_band",
                 id="unknown-age-band"),
    pytest.param([case_row(sex="X")], "unknown value", 2, "sex", id="unknown-sex"),
    pytest.param([case_row(area=" ")], "area is blank", 2, "area", id="blank-area"),
    pytest.param([case_row(disposition="hospital")], "unknown value 'hospital'", 2,
                 "disposition", id="unknown-disposition"),
    pytest.param([case_row(disposition="")], "unknown value", 2, "disposition",
                 id="blank-disposition"),
    pytest.param([case_row(clinician_assessed="maybe")], "expected Y or N", 2,
                 "clinician_assessed", id="bad-flag"),
    pytest.param([case_row(clinician_type="")], "clinician type is blank", 2,
                 "clinician_type", id="assessed-no-type"),
    pytest.param([case_row(clinician_type="surgeon")], "unknown value 'surgeon'", 2,
                 "clinician_type", id="unknown-clinician"),
    pytest.param([case_row(clinician_assessed="N", clinical_minutes="")],
                 "clinician type given for a case not assessed", 2, "clinician_type",
                 id="not-assessed-with-type"),
    pytest.param([case_row(clinician_assessed="N", clinician_type="", clinical_minutes="9")],
                 "clinical minutes given for a case not assessed", 2, "clinical_minutes",
                 id="not-assessed-with-minutes"),
    pytest.param([case_row(clinical_minutes="")], "clinical minutes blank", 2,
                 "clinical_minutes", id="assessed-no-minutes"),
    pytest.param([case_row(clinical_minutes="abc")], "expected a number", 2,
                 "clinical_minutes", id="minutes-text"),
    pytest.param([case_row(clinical_minutes="-3")], "expected a number >= 0", 2,
                 "clinical_minutes", id="minutes-negative"),
    pytest.param([case_row(clinical_minutes="999")], "between 0 and 480", 2,
                 "clinical_minutes", id="minutes-too-long"),
    pytest.param([case_row(onward_service="hospice")], "unknown value 'hospice'", 2,
                 "onward_service", id="unknown-onward"),
    pytest.param([case_row(appointment_booked="perhaps")], "expected Y, N or blank", 2,
                 "appointment_booked", id="bad-booked"),
    pytest.param([case_row(1), case_row(2, age_band="??")], "unknown value", 3, "age_band",
                 id="second-row"),
]


@pytest.mark.parametrize("rows, message, row, column", CASE_BAD)
def test_case_reader_rejects(write_csv, rows, message, row, column):
    path = write_csv("cases.csv", CASE_HEADER, rows)
    with pytest.raises(InputError) as exc:
        uio.read_iucs_cases(path)
    assert message in exc.value.message
    assert (exc.value.row, exc.value.column) == (row, column)
    assert exc.value.path == str(path) and "cases.csv" in str(exc.value)


def test_case_reader_file_level_errors(write_csv, tmp_path):
    header = [h for h in CASE_HEADER if h != "clinician_type"]
    with pytest.raises(InputError, match="required column missing") as exc:
        uio.read_iucs_cases(write_csv("a.csv", header, [case_row()]))
    assert (exc.value.row, exc.value.column) == (1, "clinician_type")
    with pytest.raises(InputError, match="no cases") as exc:
        uio.read_iucs_cases(write_csv("b.csv", CASE_HEADER, []))
    assert exc.value.row == 2
    with pytest.raises(InputError, match="file is empty"):
        uio.read_iucs_cases(write_csv("c.csv", text=""))
    with pytest.raises(InputError, match="file not found"):
        uio.read_iucs_cases(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="column appears twice"):
        uio.read_iucs_cases(write_csv("d.csv", text="case_id,CASE_ID\n1,2\n"))
    with pytest.raises(InputError, match="not readable as UTF-8"):
        uio.read_iucs_cases(write_csv("e.csv", data=",".join(CASE_HEADER).encode() +
                                     b"\n\xff\xfe,x\n"))


def test_case_reader_blank_lines_keep_row_numbers(write_csv):
    lines = [",".join(CASE_HEADER), ",".join(case_row(1).values()), "",
             ",".join(case_row(2, sex="Q").values())]
    with pytest.raises(InputError) as exc:
        uio.read_iucs_cases(write_csv("cases.csv", text="\n".join(lines) + "\n"))
    assert (exc.value.row, exc.value.column) == (4, "sex")


CASE_OK = [
    # field overrides, column, expected value
    pytest.param({"disposition": "A&E"}, "disposition", "ed", id="disposition-a&e"),
    pytest.param({"disposition": "Self-care"}, "disposition", "self_care", id="self-care"),
    pytest.param({"onward_service": "GP out of hours"}, "onward_service", "gp_ooh",
                 id="onward-gp-ooh"),
    pytest.param({"onward_service": ""}, "onward_service", "none", id="onward-blank"),
    pytest.param({"onward_service": "Frailty service"}, "onward_service", "frailty",
                 id="onward-frailty"),
    pytest.param({"age_band": "85 plus"}, "age_band", "85+", id="age-85-plus"),
    pytest.param({"age_band": ""}, "age_band", "unknown", id="age-blank"),
    pytest.param({"sex": "f"}, "sex", "F", id="sex-lower"),
    pytest.param({"sex": ""}, "sex", "U", id="sex-blank"),
    pytest.param({"area": "wv1"}, "area", "WV1", id="postcode-district"),
    pytest.param({"clinician_type": "Advanced nurse practitioner"}, "clinician_type", "anp",
                 id="anp-long-name"),
    pytest.param({"clinical_minutes": "12.5"}, "clinical_minutes", 12.5, id="fractional-min"),
    pytest.param({"clinician_assessed": "no", "clinician_type": "", "clinical_minutes": ""},
                 "clinical_minutes", None, id="not-assessed-blank-minutes"),
    pytest.param({"clinician_assessed": "N", "clinician_type": "", "clinical_minutes": "0"},
                 "clinician_assessed", False, id="not-assessed-zero-minutes"),
    pytest.param({"call_start": "01/04/2024 18:35"}, "call_start",
                 pd.Timestamp("2024-04-01 18:35"), id="uk-date-time"),
    pytest.param({"call_start": "2024-04-01T18:35:07"}, "call_start",
                 pd.Timestamp("2024-04-01 18:35:07"), id="iso-t-seconds"),
    pytest.param({"appointment_booked": ""}, "appointment_booked", None, id="booked-blank"),
]


@pytest.mark.parametrize("fields, column, expected", CASE_OK)
def test_case_reader_accepts(write_csv, fields, column, expected):
    out = uio.read_iucs_cases(write_csv("cases.csv", CASE_HEADER, [case_row(**fields)]))
    value = out[column].iloc[0]
    if expected is None:
        assert pd.isna(value)
    else:
        assert value == expected


def test_case_reader_gzip_any_column_order_and_case(tmp_path):
    header = list(reversed([h.upper() for h in CASE_HEADER])) + ["extra"]
    rows = [",".join(str({k.upper(): v for k, v in case_row(i).items()}.get(h, "x"))
                     for h in header) for i in range(1, 4)]
    path = tmp_path / "cases.csv.gz"
    path.write_bytes(gzip.compress(("\n".join([",".join(header)] + rows) + "\n").encode()))
    out = uio.read_iucs_cases(path)
    assert list(out["case_id"]) == ["K0001", "K0002", "K0003"]
    assert out["clinician_assessed"].all() and (out["clinical_minutes"] == 12).all()
    assert "extra" not in out.columns


def test_case_reader_rejects_corrupt_gzip(tmp_path):
    path = tmp_path / "cases.csv.gz"
    path.write_bytes(b"\x1f\x8b" + b"not really gzip")
    with pytest.raises(InputError, match="gzip"):
        uio.read_iucs_cases(path)


# ============================================================================================
# IUC ADC reader
# ============================================================================================
ADC_ROW = ["IUCADC-MONTHLY-APR-2024", "X9U01", "DEMO", "111XBC", "Black Country (demo)", "A01",
           "35,693", "Y60", "Midlands"]


def adc_rows(*changes) -> list[list[str]]:
    rows = []
    for item, value in (("A01", "35,693"), ("C01", "33,284"), ("D01", "19,285")):
        r = list(ADC_ROW)
        r[5], r[6] = item, value
        rows.append(r)
    for i, col, v in changes:
        rows[i][uio.IUCADC_COLUMNS.index(col)] = v
    return rows


def test_iucadc_reader_reads_long_format(write_csv):
    path = write_csv("adc.csv", text="\ufeff" + ",".join(uio.IUCADC_COLUMNS) + "\n" + "\n".join(
        ",".join(f'"{c}"' if "," in c else c for c in r) for r in adc_rows(
            (2, "VALUE", "-"))) + "\n")
    out = uio.read_iucadc(path)
    assert list(out["value"].iloc[:2]) == [35693, 33284]
    assert pd.isna(out["value"].iloc[2]), "'-' is missing, never zero"
    assert (out["period"] == pd.Timestamp("2024-04-01")).all()
    assert out["item"].tolist() == ["A01", "C01", "D01"]


ADC_BAD = [
    pytest.param([(1, "REPORTING_PERIOD", "APR-2024")], "IUCADC-MONTHLY-APR-2023", 3,
                 "REPORTING_PERIOD", id="bad-period"),
    pytest.param([(0, "REPORTING_PERIOD", "IUCADC-MONTHLY-ABC-2024")], "expected a period", 2,
                 "REPORTING_PERIOD", id="bad-month"),
    pytest.param([(0, "ITEM_NUMBER", "1")], "expected an item number", 2, "ITEM_NUMBER",
                 id="bad-item"),
    pytest.param([(2, "VALUE", "lots")], "expected a number", 4, "VALUE", id="text-value"),
    pytest.param([(1, "VALUE", "-5")], "expected a number >= 0", 3, "VALUE", id="negative"),
    pytest.param([(1, "VALUE", "12,5")], "expected a number", 3, "VALUE",
                 id="decimal-comma"),
    pytest.param([(1, "ITEM_NUMBER", "A01")], "appears more than once", 3, "ITEM_NUMBER",
                 id="duplicate"),
    pytest.param([(0, "CONTRACT_CODE", "")], "contract code is blank", 2, "CONTRACT_CODE",
                 id="blank-contract"),
]


@pytest.mark.parametrize("changes, message, row, column", ADC_BAD)
def test_iucadc_reader_rejects(write_csv, changes, message, row, column):
    path = write_csv("adc.csv", uio.IUCADC_COLUMNS, adc_rows(*changes))
    with pytest.raises(InputError) as exc:
        uio.read_iucadc(path)
    assert message in exc.value.message
    assert (exc.value.row, exc.value.column) == (row, column)


def test_iucadc_reader_requires_columns(write_csv):
    header = [c for c in uio.IUCADC_COLUMNS if c != "VALUE"]
    with pytest.raises(InputError, match="IUC ADC long format") as exc:
        uio.read_iucadc(write_csv("adc.csv", header, [ADC_ROW[:6] + ADC_ROW[7:]]))
    assert (exc.value.row, exc.value.column) == (1, "VALUE")


def test_iucadc_shares_skip_months_missing_an_item(write_csv):
    rows = []
    for month, d01 in (("APR", "450"), ("MAY", "-")):
        for item, v in (("C01", "1,000"), ("D01", d01), ("E01", "900"), ("E04", "63")):
            r = list(ADC_ROW)
            r[0], r[5], r[6] = f"IUCADC-MONTHLY-{month}-2024", item, v
            rows.append(r)
    adc = uio.read_iucadc(write_csv("adc.csv", uio.IUCADC_COLUMNS, rows))
    shares = upr.iucadc_shares(adc)
    assert shares["assessed"] == pytest.approx(0.45), "May has no D01 and is left out"
    assert shares["ed"] == pytest.approx(126 / 1800)
    assert math.isnan(shares["ambulance"]) and math.isnan(shares["booked"])
    assert upr.iucadc_shares(adc, region="Y99")["ed"] != upr.iucadc_shares(adc, region="Y99")[
        "ed"], "no rows: NaN"


@needs_shared
def test_iucadc_reader_on_the_real_sample():
    out = uio.read_iucadc(REAL_ADC)
    structure = json.loads(REAL_ADC_JSON.read_text())
    assert uio.IUCADC_COLUMNS == structure["columns"]
    raw = pd.read_csv(REAL_ADC, dtype=str)
    assert len(out) == len(raw)
    row = out[(out["contract_code"] == "111AD5") & (out["item"] == "B06")]
    assert row["value"].iloc[0] == 15_951_429
    assert out.loc[out["item"] == "A01", "value"].iloc[0] == 35_693
    assert (out["period"] == pd.Timestamp("2023-04-01")).all()
    assert upr.iucadc_shares(out)["assessed"] == pytest.approx(19_285 / 33_284)
    for p in structure["sample_unique_values"]["REPORTING_PERIOD"]:
        assert uio.parse_iucadc_period(p) is not None


# ============================================================================================
# ECDS reader
# ============================================================================================
HOURS = ",".join(f"{h:02d}:00:00" for h in range(24))


def ecds_text(change=None, drop_day=None, preamble=True) -> str:
    lines = []
    if preamble:
        lines += [",,,", "Attendances by time of day distribution,,,",
                  '"A note that runs over\ntwo lines.",,,', "Copyright,,,", ""]
    lines.append(f"Reporting Period,Measure Type,{HOURS},Total")
    for d, day in enumerate(uio.DAYS):
        if day == drop_day:
            continue
        amb = [d + h for h in range(24)]
        tot = [10 * (d + h + 1) for h in range(24)]
        lines.append(f"{day},Number of A&E attendances where patient arrived by ambulance,"
                     + ",".join(map(str, amb)) + f",{sum(amb)}")
        lines.append(f"{day},Total," + ",".join(map(str, tot)) + f",{sum(tot)}")
        lines.append(f"{day},% of total attendances that arrived by ambulance,"
                     + ",".join(f"{a / t:.4f}" for a, t in zip(amb, tot, strict=True)) + ",0.1")
    text = "\n".join(lines) + "\n"
    if change:
        text = text.replace(*change, 1)
    return text


def test_ecds_reader_finds_the_table_after_the_preamble(write_csv):
    out = uio.read_ecds_time_of_day(write_csv("ecds_2024-25.csv", text=ecds_text()))
    assert len(out) == 168 and out["how"].tolist() == list(range(168))
    assert out.loc[0, "attendances"] == 10 and out.loc[0, "ambulance"] == 0
    assert out.loc[167, "walk_in"] == 10 * (6 + 23 + 1) - (6 + 23)
    assert out.attrs["financial_year"] == "2024-25"
    assert len(uio.read_ecds_time_of_day(write_csv("b.csv", text=ecds_text(preamble=False))))


ECDS_BAD = [
    # change to the text, message fragment, row, column
    pytest.param(("Reporting Period", "Period"), "no header row", None, None, id="no-header"),
    pytest.param(("23:00:00,Total", "Total"), "hour columns missing", 7, "23:00:00",
                 id="missing-hour"),
    pytest.param(("Monday,Total,10,", "Funday,Total,10,"), "expected a day of the week", 9,
                 "Reporting Period", id="unknown-day"),
    pytest.param(("Monday,Total,10,", "Monday,Total,ten,"), "expected a number", 9,
                 "00:00:00", id="text-count"),
    pytest.param(("Monday,Total,10,", "Monday,Total,10.5,"), "whole number", 9, "00:00:00",
                 id="fractional-count"),
    pytest.param(("Monday,Total,10,20", "Monday,Total,11,20"), "not the published total", 9,
                 "Total", id="total-mismatch"),
    pytest.param(("Monday,Number of A&E attendances where patient arrived by ambulance,0,",
                  "Monday,Number of A&E attendances where patient arrived by ambulance,50,"),
                 "hours add up", 8, "Total", id="ambulance-total-mismatch"),
    pytest.param(("Monday,Total,", "Monday,Walk-ins,"), "unknown measure", 9, "Measure Type",
                 id="unknown-measure"),
    pytest.param(("Tuesday,Total,", "Monday,Total,"), "appears twice", 12, "Measure Type",
                 id="duplicate-day-row"),
]


@pytest.mark.parametrize("change, message, row, column", ECDS_BAD)
def test_ecds_reader_rejects(write_csv, change, message, row, column):
    with pytest.raises(InputError) as exc:
        uio.read_ecds_time_of_day(write_csv("ecds.csv", text=ecds_text(change)))
    assert message in exc.value.message
    assert (exc.value.row, exc.value.column) == (row, column)


def test_ecds_reader_rejects_missing_day_and_excess_ambulance(write_csv):
    with pytest.raises(InputError, match="no Total row for Sunday|no ambulance row for Sunday"):
        uio.read_ecds_time_of_day(write_csv("a.csv", text=ecds_text(drop_day="Sunday")))
    text = ecds_text().replace(
        "Monday,Number of A&E attendances where patient arrived by ambulance,0,1,",
        "Monday,Number of A&E attendances where patient arrived by ambulance,0,99,", 1)
    text = text.replace(f",{sum(range(24))}\n", f",{sum(range(24)) + 98}\n", 1)
    with pytest.raises(InputError, match="ambulance arrivals exceed") as exc:
        uio.read_ecds_time_of_day(write_csv("b.csv", text=text))
    assert (exc.value.row, exc.value.column) == (8, "01:00:00")


@needs_shared
def test_ecds_reader_on_the_real_table():
    out = uio.read_ecds_time_of_day(REAL_ECDS)
    assert len(out) == 168
    assert out["attendances"].sum() == 25_822_265
    by_day = out.groupby("day")["attendances"].sum()
    assert by_day["Monday"] == 4_204_049 and by_day["Sunday"] == 3_419_009
    assert out.loc[(out["day"] == "Monday") & (out["hour"] == 0), "ambulance"].iloc[0] == 24448
    assert out.attrs["financial_year"] == "2024-25"
    assert (out["walk_in"] >= 0).all()




def test_a_workbook_saved_as_csv_is_an_error_on_row_1(tmp_path):
    """Zip headers hold time stamps; a line-feed byte among them must not move the row."""
    path = tmp_path / "cases.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\n\xff\xfe" + bytes(range(128, 200)))
    with pytest.raises(InputError, match="zip file") as err:
        uio.read_iucs_cases(path)
    assert err.value.row == 1
