"""Tests for :mod:`analysis.tables.workforce`, on tiny in-memory tables with the readers' dtypes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.config import Area
from analysis.io.readers import EXRRL_FTE, open_on, read_gpw_practice_csv, read_staff_records
from analysis.tables.workforce import (
    GP_55_PLUS_BANDS,
    METHOD_PEOPLE,
    METHOD_PRACTICE_SUM,
    ROLE_MEASURES,
    SUMMARY_COLUMNS,
    gp_summary,
    headcount_from_people,
    headcount_from_practices,
    practice_headcount_sum,
    reference_reconciliation,
    role_indicators,
    source_flags,
)
from analysis.util.rounding import round_half_up

NA = pd.NA
SNAPSHOT = "2017-06-30"


def gpw_frame(rows: list[dict]) -> pd.DataFrame:
    """A GPW table as the reader returns it: Int64 counts, Float64 FTE, string ids."""
    counts = ["TOTAL_PATIENTS", "TOTAL_GP_HC", *GP_55_PLUS_BANDS]
    ftes = ["TOTAL_GP_FTE", *ROLE_MEASURES.values()]
    df = pd.DataFrame(rows)
    for c in counts:
        df[c] = pd.array(df[c] if c in df else [0] * len(df), dtype="Int64")
    for c in ftes:
        df[c] = pd.array(df[c] if c in df else [0.0] * len(df), dtype="Float64")
    for c in ["PRAC_CODE", "SUB_ICB_CODE"] + [c for c in df if c.endswith("_SOURCE")]:
        df[c] = df[c].astype("string")
    return df


def ref_frame(rows: list[tuple]) -> pd.DataFrame:
    """Practice reference rows: (practice_code, ccg_code, open, close, patients)."""
    code, ccg, opened, closed, patients = zip(*rows, strict=True)
    return pd.DataFrame({
        "practice_code": pd.array(code, dtype="string"),
        "ccg_code": pd.array(ccg, dtype="string"),
        "open_date": pd.to_datetime(list(opened)),
        "close_date": pd.to_datetime(list(closed)),
        "registered_patients": pd.array(patients, dtype="Int64"),
    })


def staff_frame(rows: list[tuple]) -> pd.DataFrame:
    """Staff rows: (practice_code, staff_id, staff_group, age)."""
    code, sid, group, age = zip(*rows, strict=True)
    return pd.DataFrame({
        "practice_code": pd.array(code, dtype="string"),
        "staff_id": pd.array(sid, dtype="string"),
        "staff_group": pd.array(group, dtype="string"),
        "age": pd.array(age, dtype="Int64"),
        "fte": pd.array([1.0] * len(code), dtype="Float64"),
    })


# ============================================================================================
# round_half_up
# ============================================================================================
ROUND_CASES = [
    # value, decimals, expected
    (0.5, 0, 1.0),
    (1.5, 0, 2.0),
    (2.5, 0, 3.0),
    (3.5, 0, 4.0),
    (0.49, 0, 0.0),
    (0.0, 0, 0.0),
    (681.55, 1, 681.6),
    (681.54, 1, 681.5),
    (0.125, 2, 0.13),
    (1.005, 2, 1.01),
    (2.675, 2, 2.68),
    (-0.5, 0, -1.0),
    (-1.5, 0, -2.0),
    (-2.5, 0, -3.0),
    (-0.125, 2, -0.13),
    (1234.5, 0, 1235.0),
    (7, 0, 7.0),
    (1250, -2, 1300.0),
]


@pytest.mark.parametrize("value, decimals, expected", ROUND_CASES)
def test_round_half_up_scalar(value, decimals, expected):
    out = round_half_up(value, decimals)
    assert isinstance(out, float)
    assert out == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("value, decimals, expected", ROUND_CASES)
def test_round_half_up_series_matches_scalar(value, decimals, expected):
    out = round_half_up(pd.Series([value, value], dtype="float64"), decimals)
    assert out.tolist() == pytest.approx([expected, expected], abs=1e-12)


@pytest.mark.parametrize("missing", [np.nan, float("nan")])
def test_round_half_up_nan_stays_nan(missing):
    assert math.isnan(round_half_up(missing))
    assert math.isnan(round_half_up(missing, 2))


def test_round_half_up_nullable_series_keeps_missing_and_dtype():
    s = pd.Series([0.5, NA, -2.5, 0.125], dtype="Float64")
    out = round_half_up(s, 0)
    assert str(out.dtype) == "Float64"
    assert out.isna().tolist() == [False, True, False, False]
    assert out.dropna().tolist() == [1.0, -3.0, 0.0]


def test_round_half_up_array_and_frame():
    assert round_half_up([0.5, 1.5, 2.5]).tolist() == [1.0, 2.0, 3.0]
    frame = round_half_up(pd.DataFrame({"a": [0.25, 1.35], "b": [np.nan, 2.45]}), 1)
    assert frame["a"].tolist() == [0.3, 1.4]
    assert math.isnan(frame.loc[0, "b"])
    assert frame.loc[1, "b"] == 2.5


def test_round_half_up_differs_from_builtin_round():
    assert round(2.5) == 2  # Python rounds halves to even
    assert round_half_up(2.5) == 3.0


# ============================================================================================
# headcount
# ============================================================================================
HEADCOUNT_CASES = [
    pytest.param([], (0, 0, 0), id="nobody"),
    pytest.param([("A", "G1", "GP", 40)], (1, 0, 0), id="one-gp"),
    pytest.param([("A", "G1", "GP", 54), ("B", "G1", "GP", 55)], (1, 1, 0),
                 id="two-practices-counted-once-max-age-55"),
    pytest.param([("A", "G1", "GP", 60), ("B", "G1", "GP", 59)], (1, 1, 1),
                 id="two-practices-max-age-60"),
    pytest.param([("A", "G1", "GP", 55), ("A", "G2", "GP", 59), ("A", "G3", "GP", 60),
                  ("A", "G4", "GP", 70)], (4, 4, 2), id="band-edges"),
    pytest.param([("A", "G1", "GP", 30), ("A", "N1", "NURSE", 62)], (1, 0, 0),
                 id="other-groups-ignored"),
    pytest.param([("A", "G1", "GP", 40), ("A", "G1", "GP", 40), ("B", "G1", "GP", 40)],
                 (1, 0, 0), id="same-person-three-posts"),
    pytest.param([("A", "G1", "GP", NA), ("A", "G2", "GP", 61)], (2, 1, 1),
                 id="unknown-age-counted-not-aged"),
]


@pytest.mark.parametrize("rows, expected", HEADCOUNT_CASES)
def test_headcount_from_people(rows, expected):
    staff = (staff_frame(rows) if rows else
             pd.DataFrame({"practice_code": [], "staff_id": [], "staff_group": [], "age": []}))
    out = headcount_from_people(staff)
    assert (out["gp_hc"], out["gp_hc_55_plus"], out["gp_hc_60_plus"]) == expected
    assert all(type(v) is int for v in out.values())


def test_headcount_from_people_other_group():
    staff = staff_frame([("A", "N1", "NURSE", 62), ("B", "N1", "NURSE", 50),
                         ("A", "G1", "GP", 40)])
    assert headcount_from_people(staff, group="NURSE") == {
        "gp_hc": 1, "gp_hc_55_plus": 1, "gp_hc_60_plus": 1}


def test_headcount_from_practices_sums_bands_and_skips_missing():
    gpw = gpw_frame([
        {"PRAC_CODE": "A", "SUB_ICB_CODE": "01A", "TOTAL_GP_HC": 5, "TOTAL_GP_HC_55TO59": 1,
         "TOTAL_GP_HC_60TO64": 1, "TOTAL_GP_HC_65TO69": 0, "TOTAL_GP_HC_70PLUS": 1},
        {"PRAC_CODE": "B", "SUB_ICB_CODE": "01A", "TOTAL_GP_HC": NA, "TOTAL_GP_HC_55TO59": NA,
         "TOTAL_GP_HC_60TO64": NA, "TOTAL_GP_HC_65TO69": NA, "TOTAL_GP_HC_70PLUS": NA},
        {"PRAC_CODE": "C", "SUB_ICB_CODE": "01A", "TOTAL_GP_HC": 3, "TOTAL_GP_HC_55TO59": 2,
         "TOTAL_GP_HC_60TO64": 0, "TOTAL_GP_HC_65TO69": 1, "TOTAL_GP_HC_70PLUS": 0},
    ])
    assert headcount_from_practices(gpw) == {"gp_hc": 8, "gp_hc_55_plus": 6,
                                             "gp_hc_60_plus": 3}


# ============================================================================================
# gp_summary: a two-CCG STP where one GP works in both CCGs
# ============================================================================================
CCG_A = Area("ccg-a", "ccg", "NHS A CCG", "A", "01A", "stp-x", ("01A",))
CCG_B = Area("ccg-b", "ccg", "NHS B CCG", "B", "01B", "stp-x", ("01B",))
STP_X = Area("stp-x", "stp", "X STP", "X", "E54000099", "stp-x", ("01A", "01B"))


@pytest.fixture
def stp_tables():
    gpw = gpw_frame([
        # A1, A2 in CCG A; B1, B2 in CCG B; Z1 elsewhere (must never count).
        {"PRAC_CODE": "A1", "SUB_ICB_CODE": "01A", "TOTAL_PATIENTS": 9999, "TOTAL_GP_HC": 2,
         "TOTAL_GP_FTE": 1.5, "TOTAL_GP_HC_55TO59": 1, "TOTAL_GP_HC_60TO64": 1},
        {"PRAC_CODE": "A2", "SUB_ICB_CODE": "01A", "TOTAL_PATIENTS": 9999, "TOTAL_GP_HC": 1,
         "TOTAL_GP_FTE": 0.75},
        {"PRAC_CODE": "B1", "SUB_ICB_CODE": "01B", "TOTAL_PATIENTS": 9999, "TOTAL_GP_HC": 2,
         "TOTAL_GP_FTE": 1.25, "TOTAL_GP_HC_55TO59": 1},
        {"PRAC_CODE": "B2", "SUB_ICB_CODE": "01B", "TOTAL_PATIENTS": 9999, "TOTAL_GP_HC": NA,
         "TOTAL_GP_FTE": NA},
        {"PRAC_CODE": "Z1", "SUB_ICB_CODE": "99Z", "TOTAL_PATIENTS": 9999, "TOTAL_GP_HC": 7,
         "TOTAL_GP_FTE": 7.0, "TOTAL_GP_HC_70PLUS": 7},
    ])
    ref_open = ref_frame([
        ("A1", "01A", "1974-04-01", None, 1000),
        ("A2", "01A", "1974-04-01", None, 2000),
        ("A3", "01A", "2017-01-01", None, 500),  # open, not in the GPW file
        ("B1", "01B", "1974-04-01", None, 3000),
        ("B2", "01B", "1974-04-01", None, 4000),
        ("Z1", "99Z", "1974-04-01", None, 8000),
    ])
    staff = staff_frame([
        ("A1", "G1", "GP", 58),  # G1 works in both CCGs
        ("B1", "G1", "GP", 58),
        ("A1", "G2", "GP", 61),
        ("A2", "G3", "GP", 40),
        ("B1", "G4", "GP", 50),
        ("A1", "N1", "NURSE", 64),  # not a GP
        ("Z1", "G5", "GP", 70),  # outside the STP
    ])
    return ref_open, gpw, staff


def test_gp_summary_people_counted_once_per_row(stp_tables):
    ref_open, gpw, staff = stp_tables
    out = gp_summary(ref_open, gpw, staff, [CCG_A, CCG_B], STP_X)
    assert list(out.columns) == SUMMARY_COLUMNS
    assert out["area"].tolist() == ["NHS A CCG", "NHS B CCG", "X STP"]
    rows = out.set_index("area")
    # G1 counts in each CCG row, once in the STP row.
    assert rows["gp_hc"].tolist() == [3, 2, 4]
    assert rows["gp_hc"].iloc[:2].sum() > rows.loc["X STP", "gp_hc"]
    assert rows["gp_hc_55_plus"].tolist() == [2, 1, 2]
    assert rows["gp_hc_60_plus"].tolist() == [1, 0, 1]
    assert out.attrs["headcount_method"] == METHOD_PEOPLE


def test_gp_summary_fte_adds_and_practices_come_from_reference(stp_tables):
    ref_open, gpw, staff = stp_tables
    rows = gp_summary(ref_open, gpw, staff, [CCG_A, CCG_B], STP_X).set_index("area")
    assert rows["gp_fte"].tolist() == pytest.approx([2.25, 1.25, 3.5])
    # Practices and patients: the reference (A3 counts although absent from GPW), never the
    # GPW TOTAL_PATIENTS (9999) and never another CCG (Z1).
    assert rows["practices"].tolist() == [3, 2, 5]
    assert rows["patients"].tolist() == [3500, 7000, 10500]


def test_gp_summary_fallback_sums_practice_headcounts(stp_tables):
    ref_open, gpw, _ = stp_tables
    out = gp_summary(ref_open, gpw, None, [CCG_A, CCG_B], STP_X)
    rows = out.set_index("area")
    assert out.attrs["headcount_method"] == METHOD_PRACTICE_SUM
    assert rows["gp_hc"].tolist() == [3, 2, 5]
    assert rows["gp_hc_55_plus"].tolist() == [2, 1, 3]
    assert rows["gp_hc_60_plus"].tolist() == [1, 0, 1]
    assert rows["gp_fte"].tolist() == pytest.approx([2.25, 1.25, 3.5])
    assert rows["practices"].tolist() == [3, 2, 5]


def test_gp_summary_staff_at_practices_outside_gpw_are_ignored(stp_tables):
    ref_open, gpw, staff = stp_tables
    extra = staff_frame([("A3", "G9", "GP", 66)])  # A3 is not in the GPW release
    rows = gp_summary(ref_open, gpw, pd.concat([staff, extra], ignore_index=True),
                      [CCG_A, CCG_B], STP_X).set_index("area")
    assert rows["gp_hc"].tolist() == [3, 2, 4]


def test_gp_summary_from_files(gpw_csv, staff_csv):
    """The same rule end to end: a GP in two CCGs, read from CSVs."""
    gpw = read_gpw_practice_csv(gpw_csv([
        {"PRAC_CODE": "A1", "SUB_ICB_CODE": "01A", "TOTAL_GP_FTE": "ND"},
        {"PRAC_CODE": "B1", "SUB_ICB_CODE": "01B", "TOTAL_GP_FTE": "0.5"},
    ]))
    staff = read_staff_records(staff_csv([("a1", "G1", "gp", "57", "0.5"),
                                          ("b1", "G1", "gp", "57", "0.5")]))
    ref_open = ref_frame([("A1", "01A", "2000-01-01", None, 10),
                          ("B1", "01B", "2000-01-01", None, 20)])
    out = gp_summary(ref_open, gpw, staff, [CCG_A, CCG_B], STP_X)
    assert out["gp_hc"].tolist() == [1, 1, 1]
    assert out["gp_hc_55_plus"].tolist() == [1, 1, 1]
    assert out["gp_fte"].tolist() == [0.0, 0.5, 0.5]  # 'ND' adds nothing
    assert out["patients"].tolist() == [10, 20, 30]


def test_practice_headcount_sum(stp_tables):
    _, gpw, _ = stp_tables
    assert practice_headcount_sum(gpw, ["01A"]) == 3
    assert practice_headcount_sum(gpw, ["01A", "01B"]) == 5
    assert practice_headcount_sum(gpw, ["NONE"]) == 0


# ============================================================================================
# role_indicators
# ============================================================================================
@pytest.fixture
def role_gpw():
    return gpw_frame([
        # CCG 01A: P1 valid for every role; P2 has 'ND' GP data, zero ANP.
        {"PRAC_CODE": "P1", "SUB_ICB_CODE": "01A", "TOTAL_PATIENTS": 1000, EXRRL_FTE: 2.0,
         "TOTAL_NURSES_FTE": 1.0, "TOTAL_N_ADV_NURSE_PRAC_FTE": 0.0, "TOTAL_DPC_HCA_FTE": NA,
         "TOTAL_DPC_PHARMA_FTE": 0.5},
        {"PRAC_CODE": "P2", "SUB_ICB_CODE": "01A", "TOTAL_PATIENTS": 3000, EXRRL_FTE: NA,
         "TOTAL_NURSES_FTE": 2.0, "TOTAL_N_ADV_NURSE_PRAC_FTE": 0.0, "TOTAL_DPC_HCA_FTE": NA,
         "TOTAL_DPC_PHARMA_FTE": 0.0},
        # CCG 01B: P3 valid; P4 has no patient count, so it is left out of every role.
        {"PRAC_CODE": "P3", "SUB_ICB_CODE": "01B", "TOTAL_PATIENTS": 2000, EXRRL_FTE: 1.0,
         "TOTAL_NURSES_FTE": 1.0, "TOTAL_N_ADV_NURSE_PRAC_FTE": 0.5, "TOTAL_DPC_HCA_FTE": 1.0,
         "TOTAL_DPC_PHARMA_FTE": 0.0},
        {"PRAC_CODE": "P4", "SUB_ICB_CODE": "01B", "TOTAL_PATIENTS": NA, EXRRL_FTE: 9.0,
         "TOTAL_NURSES_FTE": 9.0, "TOTAL_N_ADV_NURSE_PRAC_FTE": 9.0, "TOTAL_DPC_HCA_FTE": 9.0,
         "TOTAL_DPC_PHARMA_FTE": 9.0},
        # Elsewhere: only the England row sees it.
        {"PRAC_CODE": "P5", "SUB_ICB_CODE": "99Z", "TOTAL_PATIENTS": 4000, EXRRL_FTE: 3.0,
         "TOTAL_NURSES_FTE": 1.0, "TOTAL_N_ADV_NURSE_PRAC_FTE": 0.0, "TOTAL_DPC_HCA_FTE": 2.0,
         "TOTAL_DPC_PHARMA_FTE": 1.0},
    ])


AREAS = [("A", ["01A"]), ("B", ["01B"]), ("A+B", ["01A", "01B"]), ("England", None)]

ROLE_CASES = [
    # area, role, patients per FTE, FTE per 1,000 patients (None = NaN)
    pytest.param("A", "gp_excl_registrars_retainers_locums", 500.0, 2.0, id="A-gp-ND-left-out"),
    pytest.param("A", "nurse_incl_anp", 4000 / 3, 0.75, id="A-nurse"),
    pytest.param("A", "anp", None, 0.0, id="A-anp-zero-fte"),
    pytest.param("A", "hca", None, None, id="A-hca-all-ND"),
    pytest.param("A", "pharmacist", 8000.0, 0.125, id="A-pharmacist"),
    pytest.param("B", "gp_excl_registrars_retainers_locums", 2000.0, 0.5,
                 id="B-no-patients-left-out"),
    pytest.param("B", "anp", 4000.0, 0.25, id="B-anp"),
    pytest.param("A+B", "gp_excl_registrars_retainers_locums", 1000.0, 1.0, id="A+B-gp"),
    pytest.param("England", "gp_excl_registrars_retainers_locums", 7000 / 6, 6 / 7,
                 id="England-gp-all-practices"),
    pytest.param("England", "hca", 2000.0, 0.5, id="England-hca"),
]


@pytest.mark.parametrize("area, role, ppf, per1000", ROLE_CASES)
def test_role_indicators_values(role_gpw, area, role, ppf, per1000):
    out = role_indicators(role_gpw, AREAS)
    for frame, expected in ((out.patients_per_fte, ppf), (out.fte_per_1000, per1000)):
        value = frame.loc[area, role]
        if expected is None:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(expected)


COVERAGE_CASES = [
    # area, role, practices valid, practices missing, patients, fte
    ("A", "gp_excl_registrars_retainers_locums", 1, 1, 1000.0, 2.0),
    ("A", "hca", 0, 2, 0.0, 0.0),
    ("A", "anp", 2, 0, 4000.0, 0.0),
    ("B", "nurse_incl_anp", 1, 1, 2000.0, 1.0),
    ("England", "gp_excl_registrars_retainers_locums", 3, 2, 7000.0, 6.0),
    ("England", "pharmacist", 4, 1, 10000.0, 1.5),
]


@pytest.mark.parametrize("area, role, valid, missing, patients, fte", COVERAGE_CASES)
def test_role_indicators_coverage(role_gpw, area, role, valid, missing, patients, fte):
    cov = role_indicators(role_gpw, AREAS).coverage.set_index(["area", "role"])
    row = cov.loc[(area, role)]
    assert (row["practices_valid"], row["practices_missing"]) == (valid, missing)
    assert row["patients"] == pytest.approx(patients)
    assert row["fte"] == pytest.approx(fte)


def test_role_indicators_shape(role_gpw):
    out = role_indicators(role_gpw, AREAS)
    for frame in (out.patients_per_fte, out.fte_per_1000):
        assert frame.index.tolist() == ["A", "B", "A+B", "England"]
        assert frame.index.name == "area"
        assert frame.columns.tolist() == list(ROLE_MEASURES)
    assert len(out.coverage) == len(AREAS) * len(ROLE_MEASURES)


def test_role_indicators_unknown_area_is_nan(role_gpw):
    out = role_indicators(role_gpw, [("Nowhere", ["00X"])])
    assert out.patients_per_fte.loc["Nowhere"].isna().all()
    assert out.fte_per_1000.loc["Nowhere"].isna().all()


# ============================================================================================
# source_flags
# ============================================================================================
@pytest.fixture
def flag_gpw():
    return gpw_frame([
        {"PRAC_CODE": "P1", "SUB_ICB_CODE": "01A", "GP_SOURCE": "Estimated",
         "NURSE_SOURCE": "Actual"},
        {"PRAC_CODE": "P2", "SUB_ICB_CODE": "01A", "GP_SOURCE": "Estimated",
         "NURSE_SOURCE": ""},
        {"PRAC_CODE": "P3", "SUB_ICB_CODE": "01B", "GP_SOURCE": "Actual", "NURSE_SOURCE": None},
        {"PRAC_CODE": "P4", "SUB_ICB_CODE": "01B", "GP_SOURCE": "Estimated",
         "NURSE_SOURCE": "Actual"},
    ])


@pytest.mark.parametrize("codes, expected", [
    pytest.param(None, {("GP", "Estimated"): 3, ("GP", "Actual"): 1, ("NURSE", "Actual"): 2,
                        ("NURSE", "(blank)"): 2}, id="all-practices"),
    pytest.param(["01A"], {("GP", "Estimated"): 2, ("NURSE", "Actual"): 1,
                           ("NURSE", "(blank)"): 1}, id="one-ccg"),
    pytest.param(["01B"], {("GP", "Actual"): 1, ("GP", "Estimated"): 1, ("NURSE", "Actual"): 1,
                           ("NURSE", "(blank)"): 1}, id="blank-and-missing-both-blank"),
])
def test_source_flags_counts(flag_gpw, codes, expected):
    out = source_flags(flag_gpw, codes)
    assert list(out.columns) == ["staff_group", "source", "practices"]
    got = {(g, s): n for g, s, n in out.itertuples(index=False)}
    assert got == expected


def test_source_flags_sorted_by_group_then_count(flag_gpw):
    out = source_flags(flag_gpw)
    assert out["staff_group"].tolist() == ["GP", "GP", "NURSE", "NURSE"]
    assert out["practices"].tolist()[:2] == [3, 1]


def test_source_flags_from_reader_blank_cells(gpw_csv):
    gpw = read_gpw_practice_csv(gpw_csv([{"PRAC_CODE": "M1", "GP_SOURCE": ""},
                                         {"PRAC_CODE": "M2", "GP_SOURCE": "Estimated"}]))
    out = source_flags(gpw)
    gp = dict(out.loc[out["staff_group"] == "GP", ["source", "practices"]].values)
    assert gp == {"(blank)": 1, "Estimated": 1}


# ============================================================================================
# reference_reconciliation
# ============================================================================================
def test_reference_reconciliation_counts():
    ref = ref_frame([
        ("A1", "01A", "1974-04-01", None, 100),  # open, in GPW
        ("A2", "01A", "1974-04-01", None, 100),  # open, missing from GPW
        ("C1", "01A", "1974-04-01", "2017-01-31", 100),  # closed before
        ("C2", "01A", "1974-04-01", SNAPSHOT, 100),  # closed on the snapshot date
        ("C3", "01A", "1974-04-01", "2017-07-01", 100),  # closed after: open
        ("O1", "01A", "2017-07-01", None, 100),  # opened after
        ("O2", "01A", SNAPSHOT, None, 100),  # opened on the snapshot date: open
        ("Z1", "99Z", "1974-04-01", "2016-01-01", 100),  # other CCG
    ])
    gpw = gpw_frame([
        {"PRAC_CODE": "A1", "SUB_ICB_CODE": "01A", "TOTAL_GP_FTE": 1.0},
        {"PRAC_CODE": "C3", "SUB_ICB_CODE": "01A", "TOTAL_GP_FTE": NA},
        {"PRAC_CODE": "O2", "SUB_ICB_CODE": "01A", "TOTAL_GP_FTE": 2.0},
        {"PRAC_CODE": "C1", "SUB_ICB_CODE": "01A", "TOTAL_GP_FTE": NA},  # closed, still listed
        {"PRAC_CODE": "Z1", "SUB_ICB_CODE": "99Z", "TOTAL_GP_FTE": NA},
    ])
    out = reference_reconciliation(ref, open_on(ref, SNAPSHOT), gpw, ["01A"], SNAPSHOT)
    assert list(out.columns) == ["check", "practices"]
    assert dict(zip(out["check"], out["practices"], strict=True)) == {
        "Practices in the practice reference": 7,
        "Open on the snapshot date (counted)": 4,
        "Closed on or before the snapshot date": 2,
        "Opened after the snapshot date": 1,
        "Open practices missing from the workforce release": 1,
        "Workforce release practices not open in the reference": 1,
        "Practices with no valid GP data (ND/NA)": 2,
    }


def test_inputs_that_do_not_overlap_stop_with_one_line(tmp_path):
    """A release with no rows, or one holding none of the area's practices, is an error naming
    the files, never a report of "0 GPs"."""
    from analysis.config import input_paths
    from analysis.tables.context import load_workforce
    from analysis.util.errors import InputError

    src = input_paths()["gpw_summary"]
    lines = src.read_text(encoding="utf-8").splitlines()
    empty = tmp_path / "gpw_empty.csv"
    empty.write_text(lines[0] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^gpw_empty\.csv, row 2: no data rows; expected one "
                                         r"row per practice$"):
        load_workforce("wolverhampton", inputs={"gpw_summary": str(empty)})
    # every practice of Wolverhampton (CCG 06A) dropped from the release
    other = tmp_path / "gpw_other.csv"
    sub_icb = lines[0].split(",").index("SUB_ICB_CODE")
    kept = [ln for ln in lines[1:] if ln.split(",")[sub_icb] != "06A"]
    assert 0 < len(kept) < len(lines) - 1
    other.write_text("\n".join([lines[0], *kept]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^gpw_other\.csv: none of the \d+ practices of NHS "
                                         r"Wolverhampton CCG open on 30 June 2017 in "
                                         r"nhspaymentsgp-17-18-prac-csv\.csv is in this "
                                         r"release: the two sources do not overlap"):
        load_workforce("wolverhampton", inputs={"gpw_summary": str(other)})
