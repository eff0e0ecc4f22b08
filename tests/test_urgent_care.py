"""Tests for the urgent-care chapter: readers, profiles, Erlang C, job plans, costs, demo data.

Readers are driven by edge-case tables (row numbers count the header as row 1) and are also
run on the real NHS England files in ``../shared/reference/`` when that folder exists. The
job-plan rules are checked on many randomly drawn rule sets and demands (hypothesis is not in
the pinned environment, so the draws come from seeded numpy generators).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.config import ROOT
from analysis.demo import urgent_care as demo
from analysis.models.urgent_care import core as uc
from analysis.report import urgent_care as ucr
from analysis.report.rendering import Report
from analysis.util.errors import InputError

SHARED = ROOT.parent / "shared" / "reference"
REAL_ADC = SHARED / "iucadc_sample_apr2023.csv"
REAL_ADC_JSON = SHARED / "iucadc_structure.json"
REAL_ECDS = SHARED / "ecds_ae_attendances_by_time_of_day_2024_25.csv"
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared/reference not present")

CASE_HEADER = uc.CASE_COLUMNS + ["appointment_booked"]


def case_row(i: int = 1, **kw) -> dict:
    row = {"case_id": f"K{i:04d}", "call_start": "2024-04-01 18:35", "age_band": "16-44",
           "sex": "F", "area": "06A", "disposition": "primary_care", "clinician_assessed": "Y",
           "clinician_type": "gp", "clinical_minutes": "12", "onward_service": "gp_ooh",
           "appointment_booked": "N"}
    row.update(kw)
    return row


# ============================================================================================
# Erlang C
# ============================================================================================
ERLANG_C_KNOWN = [
    # servers, load (Erlangs), P(wait): closed forms and the textbook call-centre example
    pytest.param(1, 0.5, 0.5, id="M/M/1-rho"),
    pytest.param(2, 1.0, 1 / 3, id="M/M/2-a1"),
    pytest.param(3, 2.0, 4 / 9, id="M/M/3-a2"),
    pytest.param(11, 10.0, 0.6821, id="callcentre-11"),
    pytest.param(12, 10.0, 0.4494, id="callcentre-12"),
    pytest.param(13, 10.0, 0.2853, id="callcentre-13"),
    pytest.param(14, 10.0, 0.1741, id="callcentre-14"),
]


@pytest.mark.parametrize("n, a, expected", ERLANG_C_KNOWN)
def test_erlang_c_textbook_values(n, a, expected):
    assert float(uc.erlang_c(n, a)) == pytest.approx(expected, abs=5e-5)


def test_service_level_and_agents_textbook_example():
    # 100 calls in 30 minutes, 180 s handling time, 80% answered in 20 s: 14 agents (88.8%)
    assert float(uc.service_level(13, 10.0, 180, 20)) == pytest.approx(0.7956, abs=5e-4)
    assert float(uc.service_level(14, 10.0, 180, 20)) == pytest.approx(0.8884, abs=5e-4)
    assert uc.servers_needed([200.0], 3.0, 20 / 60, 0.8)[0] == 14


def _erlang_c_exact(n: int, a: Fraction) -> Fraction:
    """Textbook formula with factorials, in exact rational arithmetic (small n only)."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_erlang_c_matches_exact_factorial_formula():
    rng = np.random.default_rng(5)
    for _ in range(40):
        n = int(rng.integers(1, 25))
        a = Fraction(int(rng.integers(1, 100 * n)), 100)  # load below n
        assert float(uc.erlang_c(n, float(a))) == pytest.approx(float(_erlang_c_exact(n, a)),
                                                                rel=1e-9)


def _erlang_c_logspace(n: int, a: float) -> float:
    """Independent check for large n: Erlang B by log-sum-exp of the Poisson terms."""
    ks = np.arange(n + 1)
    logs = ks * math.log(a) - np.array([math.lgamma(k + 1) for k in ks])
    b = math.exp(logs[-1] - (logs.max() + math.log(np.exp(logs - logs.max()).sum())))
    return n * b / (n - a * (1 - b))


@pytest.mark.parametrize("n, a", [(200, 190.0), (1000, 990.0), (1500, 1400.0)])
def test_erlang_c_is_stable_for_large_systems(n, a):
    c = float(uc.erlang_c(n, a))
    assert 0 < c < 1 and math.isfinite(c)
    assert c == pytest.approx(_erlang_c_logspace(n, a), rel=1e-9)


def test_erlang_c_is_vectorised_and_handles_edges():
    n = np.array([3, 3, 2, 5, 0])
    a = np.array([2.0, 3.0, 5.0, 0.0, 0.0])
    c = uc.erlang_c(n, a)
    assert c[0] == pytest.approx(4 / 9)
    assert c[1] == 1.0 and c[2] == 1.0, "no steady state when servers <= load"
    assert c[3] == 0.0 and c[4] == 0.0, "no load, no waiting"
    with pytest.raises(ValueError):
        uc.erlang_c(2.5, 1.0)
    with pytest.raises(ValueError):
        uc.erlang_c(2, -1.0)


def test_servers_needed_respects_occupancy_zero_and_monotonicity():
    assert uc.servers_needed([0.0], 15, 20, 0.8)[0] == 0
    # 34 arrivals/hour x 15 min = 8.5 Erlangs: a long target makes occupancy the binding rule
    n = uc.servers_needed([34.0], 15, 600, 0.5, max_occupancy=0.85)[0]
    assert n == 10 and 8.5 / n <= 0.85
    lam = np.sort(np.random.default_rng(2).uniform(0, 300, 60))
    need = uc.servers_needed(lam, 12, 20, 0.8, 0.9)
    assert (np.diff(need) >= 0).all()
    assert all(uc.servers_needed([x], 12, 20, 0.8, 0.9)[0] == y for x, y in zip(lam, need,
                                                                                strict=True))
    sl = uc.service_level(need, lam * 12 / 60, 12, 20)
    assert (sl[lam > 0] >= 0.8 - 1e-12).all()
    with pytest.raises(ValueError):
        uc.servers_needed([1.0], 10, 20, 1.2)


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
        uc.read_iucs_cases(path)
    assert message in exc.value.message
    assert (exc.value.row, exc.value.column) == (row, column)
    assert exc.value.path == str(path) and "cases.csv" in str(exc.value)


def test_case_reader_file_level_errors(write_csv, tmp_path):
    header = [h for h in CASE_HEADER if h != "clinician_type"]
    with pytest.raises(InputError, match="required column missing") as exc:
        uc.read_iucs_cases(write_csv("a.csv", header, [case_row()]))
    assert (exc.value.row, exc.value.column) == (1, "clinician_type")
    with pytest.raises(InputError, match="no cases") as exc:
        uc.read_iucs_cases(write_csv("b.csv", CASE_HEADER, []))
    assert exc.value.row == 2
    with pytest.raises(InputError, match="file is empty"):
        uc.read_iucs_cases(write_csv("c.csv", text=""))
    with pytest.raises(InputError, match="file not found"):
        uc.read_iucs_cases(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="column appears twice"):
        uc.read_iucs_cases(write_csv("d.csv", text="case_id,CASE_ID\n1,2\n"))
    with pytest.raises(InputError, match="not readable as UTF-8"):
        uc.read_iucs_cases(write_csv("e.csv", data=",".join(CASE_HEADER).encode() +
                                     b"\n\xff\xfe,x\n"))


def test_case_reader_blank_lines_keep_row_numbers(write_csv):
    lines = [",".join(CASE_HEADER), ",".join(case_row(1).values()), "",
             ",".join(case_row(2, sex="Q").values())]
    with pytest.raises(InputError) as exc:
        uc.read_iucs_cases(write_csv("cases.csv", text="\n".join(lines) + "\n"))
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
    out = uc.read_iucs_cases(write_csv("cases.csv", CASE_HEADER, [case_row(**fields)]))
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
    out = uc.read_iucs_cases(path)
    assert list(out["case_id"]) == ["K0001", "K0002", "K0003"]
    assert out["clinician_assessed"].all() and (out["clinical_minutes"] == 12).all()
    assert "extra" not in out.columns


def test_case_reader_rejects_corrupt_gzip(tmp_path):
    path = tmp_path / "cases.csv.gz"
    path.write_bytes(b"\x1f\x8b" + b"not really gzip")
    with pytest.raises(InputError, match="gzip"):
        uc.read_iucs_cases(path)


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
        rows[i][uc.IUCADC_COLUMNS.index(col)] = v
    return rows


def test_iucadc_reader_reads_long_format(write_csv):
    path = write_csv("adc.csv", text="\ufeff" + ",".join(uc.IUCADC_COLUMNS) + "\n" + "\n".join(
        ",".join(f'"{c}"' if "," in c else c for c in r) for r in adc_rows(
            (2, "VALUE", "-"))) + "\n")
    out = uc.read_iucadc(path)
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
    path = write_csv("adc.csv", uc.IUCADC_COLUMNS, adc_rows(*changes))
    with pytest.raises(InputError) as exc:
        uc.read_iucadc(path)
    assert message in exc.value.message
    assert (exc.value.row, exc.value.column) == (row, column)


def test_iucadc_reader_requires_columns(write_csv):
    header = [c for c in uc.IUCADC_COLUMNS if c != "VALUE"]
    with pytest.raises(InputError, match="IUC ADC long format") as exc:
        uc.read_iucadc(write_csv("adc.csv", header, [ADC_ROW[:6] + ADC_ROW[7:]]))
    assert (exc.value.row, exc.value.column) == (1, "VALUE")


def test_iucadc_shares_skip_months_missing_an_item(write_csv):
    rows = []
    for month, d01 in (("APR", "450"), ("MAY", "-")):
        for item, v in (("C01", "1,000"), ("D01", d01), ("E01", "900"), ("E04", "63")):
            r = list(ADC_ROW)
            r[0], r[5], r[6] = f"IUCADC-MONTHLY-{month}-2024", item, v
            rows.append(r)
    adc = uc.read_iucadc(write_csv("adc.csv", uc.IUCADC_COLUMNS, rows))
    shares = uc.iucadc_shares(adc)
    assert shares["assessed"] == pytest.approx(0.45), "May has no D01 and is left out"
    assert shares["ed"] == pytest.approx(126 / 1800)
    assert math.isnan(shares["ambulance"]) and math.isnan(shares["booked"])
    assert uc.iucadc_shares(adc, region="Y99")["ed"] != uc.iucadc_shares(adc, region="Y99")[
        "ed"], "no rows: NaN"


@needs_shared
def test_iucadc_reader_on_the_real_sample():
    out = uc.read_iucadc(REAL_ADC)
    structure = json.loads(REAL_ADC_JSON.read_text())
    assert uc.IUCADC_COLUMNS == structure["columns"]
    raw = pd.read_csv(REAL_ADC, dtype=str)
    assert len(out) == len(raw)
    row = out[(out["contract_code"] == "111AD5") & (out["item"] == "B06")]
    assert row["value"].iloc[0] == 15_951_429
    assert out.loc[out["item"] == "A01", "value"].iloc[0] == 35_693
    assert (out["period"] == pd.Timestamp("2023-04-01")).all()
    assert uc.iucadc_shares(out)["assessed"] == pytest.approx(19_285 / 33_284)
    for p in structure["sample_unique_values"]["REPORTING_PERIOD"]:
        assert uc.parse_iucadc_period(p) is not None


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
    for d, day in enumerate(uc.DAYS):
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
    out = uc.read_ecds_time_of_day(write_csv("ecds_2024-25.csv", text=ecds_text()))
    assert len(out) == 168 and out["how"].tolist() == list(range(168))
    assert out.loc[0, "attendances"] == 10 and out.loc[0, "ambulance"] == 0
    assert out.loc[167, "walk_in"] == 10 * (6 + 23 + 1) - (6 + 23)
    assert out.attrs["financial_year"] == "2024-25"
    assert len(uc.read_ecds_time_of_day(write_csv("b.csv", text=ecds_text(preamble=False))))


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
        uc.read_ecds_time_of_day(write_csv("ecds.csv", text=ecds_text(change)))
    assert message in exc.value.message
    assert (exc.value.row, exc.value.column) == (row, column)


def test_ecds_reader_rejects_missing_day_and_excess_ambulance(write_csv):
    with pytest.raises(InputError, match="no Total row for Sunday|no ambulance row for Sunday"):
        uc.read_ecds_time_of_day(write_csv("a.csv", text=ecds_text(drop_day="Sunday")))
    text = ecds_text().replace(
        "Monday,Number of A&E attendances where patient arrived by ambulance,0,1,",
        "Monday,Number of A&E attendances where patient arrived by ambulance,0,99,", 1)
    text = text.replace(f",{sum(range(24))}\n", f",{sum(range(24)) + 98}\n", 1)
    with pytest.raises(InputError, match="ambulance arrivals exceed") as exc:
        uc.read_ecds_time_of_day(write_csv("b.csv", text=text))
    assert (exc.value.row, exc.value.column) == (8, "01:00:00")


@needs_shared
def test_ecds_reader_on_the_real_table():
    out = uc.read_ecds_time_of_day(REAL_ECDS)
    assert len(out) == 168
    assert out["attendances"].sum() == 25_822_265
    by_day = out.groupby("day")["attendances"].sum()
    assert by_day["Monday"] == 4_204_049 and by_day["Sunday"] == 3_419_009
    assert out.loc[(out["day"] == "Monday") & (out["hour"] == 0), "ambulance"].iloc[0] == 24448
    assert out.attrs["financial_year"] == "2024-25"
    assert (out["walk_in"] >= 0).all()


# ============================================================================================
# Profiles
# ============================================================================================
def cases_frame(times, **cols) -> pd.DataFrame:
    n = len(times)
    df = pd.DataFrame({
        "case_id": [f"K{i}" for i in range(n)], "call_start": pd.to_datetime(times),
        "age_band": pd.Categorical(cols.get("age_band", ["16-44"] * n),
                                   categories=uc.AGE_BANDS),
        "sex": "F", "area": cols.get("area", ["06A"] * n),
        "disposition": pd.Categorical(cols.get("disposition", ["primary_care"] * n),
                                      categories=list(uc.DISPOSITIONS)),
        "clinician_assessed": cols.get("assessed", [True] * n),
        "clinician_type": "gp",
        "clinical_minutes": cols.get("minutes", [10.0] * n),
        "onward_service": pd.Categorical(cols.get("onward", ["own_gp"] * n),
                                         categories=list(uc.ONWARD_SERVICES)),
    })
    return df


def test_complete_weeks():
    weeks = uc.complete_weeks("2024-04-03", "2024-04-28")  # Wed to Sun
    assert list(weeks) == [pd.Timestamp("2024-04-08"), pd.Timestamp("2024-04-15"),
                           pd.Timestamp("2024-04-22")]
    assert len(uc.complete_weeks("2024-04-01", "2024-04-06")) == 0


def test_hour_of_week_profile_counts_empty_hours_as_zero():
    # Monday 09:xx: 1, 2 and 3 cases in three weeks; one Sunday 23:xx case in week 2 only
    times = (["2024-04-01 09:10"] + ["2024-04-08 09:20"] * 2 + ["2024-04-15 09:30"] * 3
             + ["2024-04-14 23:59"])
    c = cases_frame(times, minutes=[10.0] * 6 + [30.0])
    prof = uc.hour_of_week_profile(c, start="2024-04-01", end="2024-04-21")
    mon9 = prof[prof["how"] == 9].iloc[0]
    assert (mon9["weeks"], mon9["mean"], mon9["p50"], mon9["p10"], mon9["total"]) == (
        3, 2.0, 2.0, pytest.approx(1.2), 6)
    sun23 = prof[prof["how"] == 167].iloc[0]
    assert sun23["mean"] == pytest.approx(1 / 3) and sun23["p50"] == 0
    minutes = uc.hour_of_week_profile(c, "minutes", start="2024-04-01", end="2024-04-21")
    assert minutes.loc[minutes["how"] == 9, "total"].iloc[0] == 60
    assert minutes.loc[minutes["how"] == 167, "mean"].iloc[0] == pytest.approx(10)
    assert prof["total"].sum() == 7
    assert uc.as_day_hour(prof, "total").loc["Mon", 9] == 6


def test_cases_outside_complete_weeks_are_left_out_of_percentiles():
    c = cases_frame(["2024-04-03 10:00", "2024-04-09 10:00"])  # Wed, then next Tue
    prof = uc.hour_of_week_profile(c)
    assert prof["weeks"].iloc[0] == 0 and prof["mean"].isna().all()


def test_seasonality_and_day_types():
    times = ["2024-12-25 10:00"] * 4 + ["2024-12-24 10:00"] + ["2024-11-30 10:00"]
    c = cases_frame(times)
    s = uc.seasonality(c)
    assert s["month"].dt.month.tolist() == [11, 12]
    assert s["days"].tolist() == [1, 25]  # 30 Nov; 1-25 Dec
    assert s["cases"].tolist() == [1, 5]
    d = uc.day_types(c).set_index("day_type")
    assert d.loc["Bank holiday", "cases_per_day"] == 4
    assert d.loc["Saturday", "cases"] == 1


def test_case_mix_uses_iuc_adc_definitions():
    disp = ["ambulance", "ed", "primary_care", "primary_care", "none"]
    c = cases_frame(["2024-04-01 10:00"] * 5, disposition=disp,
                    assessed=[True, False, True, False, True])
    c["appointment_booked"] = pd.array([False, True, True, False, False], dtype="boolean")
    m = uc.case_mix(c)
    assert m["assessed"] == pytest.approx(3 / 5), "over all triaged cases (C01)"
    assert m["ambulance"] == pytest.approx(1 / 4), "over final dispositions (E01)"
    assert m["primary_care"] == pytest.approx(2 / 4)
    assert m["booked"] == pytest.approx(2 / 4)
    assert set(uc.mix_table({"x": m})["measure"]) == {v[0] for v in uc.MIX_MEASURES.values()}


def test_flows_and_out_of_hours():
    c = cases_frame(
        ["2024-04-02 10:00", "2024-04-02 19:00", "2024-04-06 10:00", "2024-04-01 10:00"],
        age_band=["85+", "0-4", "16-44", "75-84"], onward=["ed", "paediatrics", "ed", "own_gp"])
    assert uc.flow_mask(c, "frailty").tolist() == [True, False, False, False]
    assert uc.flow_mask(c, "paediatrics").tolist() == [False, True, False, False]
    assert uc.flow_mask(c, "ed").tolist() == [True, False, True, False]
    # Tue 10:00 in hours; Tue 19:00 evening; Saturday; Easter Monday 2024 (bank holiday)
    assert uc.out_of_hours(c["call_start"]).tolist() == [False, True, True, True]
    ft = uc.flow_table(c).set_index("flow")
    assert ft["cases"].tolist() == [2, 1, 1, 1]


def test_suppress_small_blanks_counts_and_what_derives_from_them():
    df = pd.DataFrame({"k": ["a", "b", "c", "d"], "cases": [0, 3, 5, 120],
                       "share": [0.0, 0.1, 0.2, 0.7]})
    out = uc.suppress_small(df, ["cases"], dependent={"cases": ["share"]})
    assert out["cases"].isna().tolist() == [False, True, False, False]
    assert out["share"].isna().tolist() == [False, True, False, False]
    assert df["cases"].tolist() == [0, 3, 5, 120], "input unchanged"


def test_setting_demand_scales_ed_by_weekdays_in_the_year():
    ecds = pd.DataFrame({"how": range(168), "walk_in": 53.0 * 100, "ambulance": 0.0,
                         "attendances": 5300.0})
    ecds.attrs["financial_year"] = "2024-25"  # 53 Mondays, 52 of every other day
    d = uc.setting_demand(None, ecds, uc.StaffingParams(ed_gp_share=0.1), ed_scale=0.01)
    assert d.loc[0, "ed"] == pytest.approx(53 * 100 / 53 * 0.1 * 0.01)
    assert d.loc[24, "ed"] == pytest.approx(53 * 100 / 52 * 0.1 * 0.01)
    assert d["iucs"].isna().all() and d["frailty"].isna().all()


# ============================================================================================
# Job plans
# ============================================================================================
S = uc.Session


def _rules(**kw) -> uc.JobPlanRules:
    return uc.JobPlanRules(**kw)


VIOLATIONS = [
    # sessions, rules overrides, fragment of an expected violation
    pytest.param([S(0, 13, 4, "iucs"), S(0, 22, 4, "iucs")], {}, "only 5 hours rest",
                 id="short-rest"),
    pytest.param([S(6, 22, 4, "ed"), S(0, 8, 4, "iucs")], {}, "only 6 hours rest",
                 id="sunday-night-into-monday"),
    pytest.param([S(0, 8, 4, "iucs"), S(0, 8, 4, "ed")], {}, "overlaps", id="overlap"),
    pytest.param([S(0, 8, 4, "iucs"), S(0, 13, 4, "iucs"), S(0, 18, 4, "iucs")],
                 {"max_sessions_per_day": 3}, "lasts 14 hours", id="long-shift"),
    pytest.param([S(0, 8, 4, "iucs"), S(0, 13, 4, "iucs"), S(0, 18, 4, "iucs")], {},
                 "more than 2 sessions on Monday", id="per-day"),
    pytest.param([S(0, 22, 4, "iucs"), S(2, 22, 4, "iucs")], {}, "2 night sessions",
                 id="nights"),
    pytest.param([S(4, 22, 4, "iucs"), S(5, 13, 4, "iucs"), S(6, 13, 4, "iucs")], {},
                 "3 weekend sessions", id="friday-night-is-weekend"),
    pytest.param([S(5, 8, 4, "admin")], {}, "outside the hours of Admin", id="admin-weekend"),
    pytest.param([S(0, 18, 4, "frailty")], {}, "outside the hours of Frailty",
                 id="frailty-evening"),
    pytest.param([S(0, 8, 3, "iucs")], {}, "sessions last 4 hours", id="length"),
    pytest.param([S(0, 9, 4, "iucs")], {}, "start at the set times", id="start-time"),
    pytest.param([S(0, 8, 4, "surgery")], {}, "unknown setting", id="unknown-setting"),
    pytest.param([S(d, 8, 4, "iucs") for d in range(6)], {}, "6 working days",
                 id="working-days"),
]


@pytest.mark.parametrize("sessions, overrides, fragment", VIOLATIONS)
def test_validate_job_plan_finds_violations(sessions, overrides, fragment):
    errs = uc.validate_job_plan(sessions, _rules(**overrides), final=False)
    assert any(fragment in e for e in errs), errs


def test_validate_job_plan_totals():
    plan = [S(0, 8, 4, "iucs"), S(0, 13, 4, "admin")]
    errs = uc.validate_job_plan(plan, _rules(sessions=2), {"iucs": 1, "ed": 1, "admin": 0})
    assert any("0 ed sessions, not 1" in e for e in errs)
    assert uc.validate_job_plan(plan, _rules(sessions=2)) == []
    assert any("fewer than 1" in e for e in uc.validate_job_plan(
        [S(0, 8, 4, "iucs"), S(0, 13, 4, "iucs")], _rules(sessions=2)))


def _random_demand(rng) -> pd.DataFrame:
    h = np.arange(168) % 24
    out = {}
    for s in uc.SETTINGS:
        peak = rng.integers(0, 24)
        base = np.exp(-0.5 * ((h - peak) / rng.uniform(2, 8)) ** 2)
        out[s] = base * rng.uniform(0.5, 2, 168) * (1 + (np.arange(168) // 24 >= 5) *
                                                     rng.uniform(-0.5, 1))
    return pd.DataFrame(out)


def test_default_options_always_give_valid_plans():
    rng = np.random.default_rng(11)
    for _ in range(5):
        demand = _random_demand(rng)
        for quotas in ucr.OPTIONS.values():
            plan = uc.generate_job_plan(demand, quotas)
            assert uc.validate_job_plan(plan, uc.JobPlanRules(), quotas) == []


def test_generated_plans_obey_their_rules_property():
    """Many random rule sets, demands and quotas: a plan obeys every rule, or none is made."""
    rng = np.random.default_rng(20240401)
    made = refused = 0
    for _ in range(40):
        session_hours = int(rng.integers(3, 6))
        starts = tuple(sorted(set(int(x) for x in rng.choice(range(24), rng.integers(2, 6),
                                                             replace=False))))
        sessions = int(rng.integers(3, 11))
        rules = uc.JobPlanRules(
            sessions=sessions, max_sessions=sessions + int(rng.integers(0, 2)),
            session_hours=session_hours, slot_starts=starts,
            min_admin=int(rng.integers(0, 3)), max_sessions_per_day=int(rng.integers(1, 4)),
            max_break_hours=int(rng.integers(0, 3)), min_rest_hours=int(rng.integers(8, 13)),
            max_shift_hours=int(rng.integers(session_hours, 13)),
            max_nights=int(rng.integers(0, 3)), max_weekend_sessions=int(rng.integers(0, 5)),
            max_working_days=int(rng.integers(3, 8)),
            setting_hours={"iucs": (0, 24), "ed": (int(rng.integers(0, 10)), 26),
                           "frailty": (8, int(rng.integers(14, 23))),
                           "paediatrics": (int(rng.integers(0, 12)), 24)})
        names = list(uc.PLAN_SETTINGS)
        admin = rules.min_admin + int(rng.integers(0, 2))
        split = rng.multinomial(max(sessions - admin, 0), [0.4, 0.2, 0.2, 0.2])
        quotas = {**dict(zip(names[:4], map(int, split), strict=True)), "admin": admin}
        try:
            plan = uc.generate_job_plan(_random_demand(rng), quotas, rules, max_nodes=20_000,
                                        max_passes=2)
        except uc.JobPlanError:
            refused += 1
            continue
        made += 1
        assert uc.validate_job_plan(plan, rules, {k: v for k, v in quotas.items() if v}) == []
    assert made >= 10, f"only {made} of {made + refused} rule sets gave a plan"


def test_generator_refuses_impossible_requests():
    demand = _random_demand(np.random.default_rng(1))
    with pytest.raises(uc.JobPlanError, match="add up to 9"):
        uc.generate_job_plan(demand, {"iucs": 8, "admin": 1})
    with pytest.raises(uc.JobPlanError, match="admin"):
        uc.generate_job_plan(demand, {"iucs": 10})
    with pytest.raises(uc.JobPlanError, match="no job plan"):
        # frailty and admin are daytime only: 10 day sessions need five working days
        uc.generate_job_plan(demand, {"frailty": 9, "admin": 1},
                             uc.JobPlanRules(max_working_days=4))


def test_generator_puts_sessions_where_demand_peaks():
    demand = pd.DataFrame({s: np.zeros(168) for s in uc.SETTINGS})
    demand.loc[5 * 24 + 8: 5 * 24 + 11, "iucs"] = 10.0  # Saturday 08:00-12:00
    plan = uc.generate_job_plan(demand, {"iucs": 9, "admin": 1})
    assert any(s.day == 5 and s.start == 8 and s.setting == "iucs" for s in plan)
    cov = uc.plan_coverage(plan, demand).set_index("setting")
    assert cov.loc["IUCS clinical assessment", "peak_demand_covered"] == pytest.approx(1.0)


# ============================================================================================
# Costs
# ============================================================================================
def test_salaried_cost_arithmetic():
    p = uc.CostParams()
    c = uc.salaried_cost(p)
    assert c["salary"] == 100_000
    assert c["employer_ni"] == pytest.approx((100_000 - 5_000) * 0.15)
    assert c["employer_pension"] == pytest.approx(14_380)
    assert c["total"] == pytest.approx(100_000 + 14_250 + 14_380 + 2_000 + 1_000)
    assert c["working_weeks"] == pytest.approx(52 - 43 / 5)
    assert c["clinical_sessions_per_year"] == pytest.approx(9 * 43.4)


def test_llr_basis_and_locum_premium():
    p = uc.CostParams()
    rc = uc.role_costs(p).set_index("option")
    sal = rc.iloc[0]["cost_per_clinical_session"]
    assert rc.iloc[2]["cost_per_clinical_session"] == pytest.approx(sal * 1.45)
    assert rc.iloc[3]["cost_per_year"] == pytest.approx(112_000 / 9 / 43.4 * 9 * 43.4)
    assert rc.iloc[1]["cost_per_clinical_session"] == 400


def test_break_even_and_cost_base():
    p = uc.CostParams()
    be = uc.break_even(p).set_index("replacing")
    total = uc.salaried_cost(p)["total"]
    assert be.loc["Sessional", "break_even_sessions_per_week"] == pytest.approx(
        total / (400 * 43.4))
    cheap = uc.break_even(p.with_(sessional_rate_per_hour=20)).set_index("replacing")
    assert not cheap.loc["Sessional", "breaks_even"]
    cb = uc.cost_base_effect(20, 4, p, posts=(0, 1, 2), locum_share=0.0)
    assert cb.loc[0, "total"] == pytest.approx(20 * 52 * 400)
    assert cb.loc[1, "sessions_by_posts"] == pytest.approx(4 * 43.4)
    assert cb.loc[1, "cost_of_posts"] == pytest.approx(total * 4 / 9)
    assert cb.loc[0, "change_vs_none"] == 0


# ============================================================================================
# Demo generator: calibration and determinism
# ============================================================================================
@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return demo.build(tmp_path_factory.mktemp("uc_demo"), seed=20170630)


@pytest.fixture(scope="module")
def demo_cases(demo_files):
    return uc.read_iucs_cases(demo_files["uc_cases"])


def test_demo_files_are_in_the_real_layouts(demo_files):
    assert set(demo_files) == set(demo.FILES)
    assert demo_files["uc_cases"].read_bytes()[:2] == b"\x1f\x8b", "gzip-compressed"
    header = demo_files["uc_iucadc"].read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",") == uc.IUCADC_COLUMNS
    assert re.search(r'"\d{1,3}(,\d{3})+"', demo_files["uc_iucadc"].read_text()), \
        "VALUE with thousands separators"
    ecds = uc.read_ecds_time_of_day(demo_files["uc_ecds"])
    assert len(ecds) == 168


@pytest.mark.parametrize("measure, target", [
    ("assessed", 0.45), ("booked", 0.19), ("ambulance", 0.133), ("ed", 0.085),
    ("primary_care", 0.443)])
def test_demo_cases_are_calibrated(demo_cases, measure, target):
    for stp_codes in (["05C", "05L", "05Y", "06A"], ["03W", "04C", "04V"]):
        sub = demo_cases[demo_cases["area"].isin(stp_codes)]
        assert uc.case_mix(sub)[measure] == pytest.approx(target, abs=0.005)


def test_demo_iucadc_reproduces_published_shares(demo_files):
    adc = uc.read_iucadc(demo_files["uc_iucadc"])
    eng = uc.iucadc_shares(adc)
    for k, v in uc.PUBLISHED_ENGLAND_2024_25.items():
        assert eng[k] == pytest.approx(v, abs=0.001)
    mid = uc.iucadc_shares(adc, region="Y60")
    for k, v in uc.PUBLISHED_MIDLANDS_2024_25.items():
        assert mid[k] == pytest.approx(v, abs=0.001)
    a01 = adc.loc[adc["item"] == "A01", "value"].sum()
    assert a01 == pytest.approx(uc.ENGLAND_CALLS_2024_25, rel=0.001)
    assert adc["region_code"].nunique() == 7 and adc["value"].isna().sum() == 1


def test_demo_iucadc_agrees_with_the_cases(demo_files, demo_cases):
    adc = uc.read_iucadc(demo_files["uc_iucadc"])
    bc = adc[(adc["contract_code"] == "111XBC") & (adc["item"] == "C01")]
    codes = ["05C", "05L", "05Y", "06A"]
    assert bc["value"].sum() == demo_cases["area"].isin(codes).sum()
    assert bc["period"].nunique() == 12


def test_demo_has_the_shape_of_111_demand(demo_cases):
    c = demo_cases
    t = c["call_start"]
    weekday = t.dt.day_of_week < 5
    days = pd.Series(pd.date_range(t.min().normalize(), t.max().normalize()))
    n_days = {True: int((days.dt.day_of_week < 5).sum()), False: int((days.dt.day_of_week >= 5)
                                                                      .sum())}
    per_hour = c.groupby([weekday, t.dt.hour]).size() / [n_days[w] for w, _ in
                                                         c.groupby([weekday, t.dt.hour]).groups]
    assert per_hour[(False, 10)] > 1.8 * per_hour[(True, 10)], "weekend daytime peak"
    assert per_hour[(True, 19)] > 1.3 * per_hour[(True, 12)], "weekday evening peak"
    assert per_hour[(True, 4)] < 0.5 * per_hour[(True, 12)], "quiet nights"
    s = uc.seasonality(c).set_index(uc.seasonality(c)["month"].dt.month)
    assert s.loc[12, "cases_per_day"] > 1.2 * s.loc[6, "cases_per_day"], "winter surge"
    d = uc.day_types(c).set_index("day_type")
    assert d.loc["Bank holiday", "cases_per_day"] > 1.5 * d.loc[
        "Weekday (not a bank holiday)", "cases_per_day"]
    old = c["age_band"].isin(uc.AGED_75_PLUS)
    assert (c.loc[old, "onward_service"] == "frailty").any()
    assert c["clinician_assessed"].mean() == pytest.approx(0.45, abs=0.005)


def test_simulation_is_deterministic_and_seeded():
    a = demo.cases_csv(demo.simulate_cases({"06A": 3000}, seed=3))
    b = demo.cases_csv(demo.simulate_cases({"06A": 3000}, seed=3))
    c = demo.cases_csv(demo.simulate_cases({"06A": 3000}, seed=4))
    assert a == b and a != c


# ============================================================================================
# Chapter: aggregates only, small cells suppressed
# ============================================================================================
def _tiny_extract(write_csv) -> Path:
    def kind(i):  # 8 people aged 85+ sent to ED; 3 children to paediatrics; the rest to OOH
        return ("85+", "ed", "ed") if i % 5 == 0 else ("5-15", "paediatrics", "ed") \
            if i % 13 == 1 else ("16-44", "gp_ooh", "primary_care")

    rows = [case_row(i, call_start=f"2024-04-{1 + i % 14:02d} {8 + i % 12:02d}:15",
                     age_band=kind(i)[0], onward_service=kind(i)[1], disposition=kind(i)[2])
            for i in range(40)]
    return write_csv("tiny.csv", CASE_HEADER, rows)


def test_chapter_suppresses_small_counts_and_shows_no_case_rows(write_csv, tmp_path):
    path = _tiny_extract(write_csv)
    ctx = ucr.load_context("wolverhampton", "ccg",
                           inputs={"uc_cases": str(path), "uc_iucadc": None, "uc_ecds": None})
    rpt = Report(tmp_path / "out")
    body = "".join([ucr.title(ctx), ucr.key_figures(ctx), ucr.heatmaps(ctx, rpt),
                    ucr.seasonality(ctx, rpt), ucr.mix(ctx, rpt), ucr.flows(ctx, rpt),
                    ucr.setting_demand_chart(ctx, rpt), ucr.staffing(ctx, rpt),
                    ucr.job_plans(ctx, rpt), ucr.costs(ctx, rpt)])
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", body)
    assert not re.search(r"\bK00[0-3]\d\b", text), "case ids never reach the report"
    flows = pd.read_csv(tmp_path / "out" / "tables" / "uc_flows.csv")
    assert flows["cases"].isna().sum() >= 1, "flows of fewer than five cases suppressed"
    assert ((flows["cases"].dropna() >= uc.SMALL_CELL) | (flows["cases"].dropna() == 0)).all()
    for name in ("uc_hour_of_week", "uc_hour_of_week_blocks", "uc_dispositions_onward",
                 "uc_day_types", "uc_seasonality"):
        t = pd.read_csv(tmp_path / "out" / "tables" / f"{name}.csv")
        col = next(c for c in ("cases_in_period", "cases") if c in t)
        v = t[col].dropna()
        assert ((v == 0) | (v >= uc.SMALL_CELL)).all(), name
    assert "*</td>" in body


def test_chapter_says_so_when_the_area_has_no_cases(write_csv):
    path = _tiny_extract(write_csv)
    ctx = ucr.load_context("dudley", "ccg",
                           inputs={"uc_cases": str(path), "uc_iucadc": None, "uc_ecds": None})
    assert not ctx.has_cases and any("no cases for Dudley" in n for n in ctx.notes)
    assert "not available" in ucr.heatmaps(ctx, Report(Path("/nonexistent")))


@needs_shared
def test_chapter_runs_on_the_real_reference_files(tmp_path):
    inputs = {"uc_cases": None, "uc_iucadc": str(REAL_ADC), "uc_ecds": str(REAL_ECDS)}
    ctx = ucr.load_context("leicester-city", "ccg", inputs=inputs, contract_code="111AD5")
    assert ctx.cases_source == "modelled" and ctx.contract[0] == "111AD5"
    rpt = Report(tmp_path)
    html = ucr.mix(ctx, rpt) + ucr.ae_arrivals(ctx, rpt) + ucr.job_plans(ctx, rpt)
    mix = pd.read_csv(tmp_path / "tables" / "uc_disposition_mix.csv")
    assert mix.iloc[0]["Contract 111AD5"] == pytest.approx(19_285 / 33_284)
    assert "uc_ae_arrivals_hour_of_week" in html and len(ctx.plans) >= 2
    bare = ucr.load_context("wolverhampton", "ccg", inputs=inputs)
    assert bare.cases is None and any("no rows for contract" in n for n in bare.notes)


@pytest.mark.e2e
def test_notebook_builds_the_chapter(tmp_path):
    """The notebook through papermill on the demo data: every part the issue asks for."""
    import nbformat
    import papermill as pm

    from analysis.report.runner import to_html

    out = tmp_path / "nb.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "04_urgent_care.ipynb"), str(out),
                        parameters={"area_slug": "wolverhampton", "output_dir": str(tmp_path)},
                        kernel_name="gp-workforce", progress_bar=False,
                        cwd=str(ROOT / "notebooks"))
    html = to_html(nbformat.read(out, as_version=4), "uc")
    for name in ("uc_heatmap_hour_of_week", "uc_disposition_mix", "uc_clinicians_by_hour",
                 "uc_job_plans", "uc_ae_arrivals_hour_of_week", "uc_setting_demand_week"):
        assert (tmp_path / "charts" / f"{name}.png").exists(), name
    assert "England 2024-25 (published)" in html and "Midlands region" in html
    comp = pd.read_csv(tmp_path / "tables" / "uc_job_plan_comparison.csv")
    assert len(comp) >= 2 and comp["mean_peak_covered"].between(0, 1).all()
    assert (tmp_path / "tables" / "uc_cost_per_session.csv").exists()
    assert html.count("<h2") == 1 and "Urgent care" in html
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", html)
    assert not re.search(r"\bC\d{7}\b", text), "no case ids"
    assert "Traceback" not in html and "<script" not in html.lower()
