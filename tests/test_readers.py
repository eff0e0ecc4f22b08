"""Tests for :mod:`analysis.io.readers`, driven by edge-case tables.

Row numbers in error messages count the header as row 1, so the first data row is row 2.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.io import readers
from analysis.io.readers import (
    EXRRL_FTE,
    GPW_SOURCE_COLUMNS,
    GPW_TABLE_COLUMNS,
    PAYMENTS_COLUMNS,
    STAFF_COLUMNS,
    gpw_format,
    open_on,
    parse_dates,
    parse_numeric,
    read_gpw_practice_csv,
    read_practice_reference,
    read_staff_records,
)
from analysis.util.errors import InputError

GPW_COUNTS = ["TOTAL_PATIENTS", "TOTAL_GP_HC", "TOTAL_GP_HC_55TO59", "TOTAL_GP_HC_60TO64",
              "TOTAL_GP_HC_65TO69", "TOTAL_GP_HC_70PLUS"]
GPW_FTES = [c for c in GPW_TABLE_COLUMNS if c not in GPW_COUNTS]


def _is_na(value) -> bool:
    return value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value))


# ============================================================================================
# parse_numeric
# ============================================================================================
PARSE_OK = [
    # text, keyword arguments, expected value (None = missing), expected dtype
    pytest.param("ND", {}, None, "Float64", id="ND-missing"),
    pytest.param("NA", {}, None, "Float64", id="NA-missing"),
    pytest.param("", {}, None, "Float64", id="blank-missing"),
    pytest.param(" ", {}, None, "Float64", id="space-missing"),
    pytest.param(" nd ", {}, None, "Float64", id="nd-lowercase-padded-missing"),
    pytest.param("ND", {"integer": True}, None, "Int64", id="ND-missing-int"),
    pytest.param("0", {}, 0.0, "Float64", id="zero"),
    pytest.param("0", {"integer": True}, 0, "Int64", id="zero-int"),
    pytest.param("-1", {"allow_negative": True}, -1.0, "Float64", id="negative-allowed"),
    pytest.param("1,234", {}, 1234.0, "Float64", id="thousands-separator"),
    pytest.param("1,234", {"integer": True}, 1234, "Int64", id="thousands-separator-int"),
    pytest.param("12.5", {}, 12.5, "Float64", id="decimal"),
    pytest.param(" 7 ", {}, 7.0, "Float64", id="padded"),
    pytest.param("2.0", {"integer": True}, 2, "Int64", id="whole-float-as-int"),
    pytest.param("1e3", {}, 1000.0, "Float64", id="exponent"),
]


@pytest.mark.parametrize("text, kwargs, expected, dtype", PARSE_OK)
def test_parse_numeric_accepts(text, kwargs, expected, dtype):
    out = parse_numeric(pd.Series(["1", text]), "x.csv", "TOTAL_GP_FTE", **kwargs)
    assert str(out.dtype) == dtype
    assert out.iloc[0] == 1
    if expected is None:
        assert _is_na(out.iloc[1]), "missing markers must become <NA>, never 0"
    else:
        assert out.iloc[1] == expected


PARSE_BAD = [
    # text, keyword arguments, start of the expected message
    pytest.param("-1", {}, "expected a number >= 0, found '-1'", id="negative"),
    pytest.param("-0.5", {"integer": False}, "expected a number >= 0", id="negative-fraction"),
    pytest.param("abc", {}, "expected a number (or ND/NA for missing), found 'abc'", id="text"),
    pytest.param("1.2.3", {}, "expected a number", id="two-points"),
    pytest.param("0x10", {}, "expected a number", id="hex"),
    pytest.param("nan", {}, "expected a number", id="nan"),
    pytest.param("NaN", {}, "expected a number", id="NaN"),
    pytest.param("inf", {}, "expected a number", id="inf"),
    pytest.param("-inf", {"allow_negative": True}, "expected a number", id="minus-inf"),
    pytest.param("Infinity", {}, "expected a number", id="Infinity"),
    pytest.param("1e400", {}, "expected a number", id="overflow-to-inf"),
    pytest.param("nan", {"integer": True}, "expected a number", id="nan-int"),
    pytest.param("2.5", {"integer": True}, "expected a whole number, found '2.5'",
                 id="fraction-where-whole-number"),
]


@pytest.mark.parametrize("text, kwargs, message", PARSE_BAD)
def test_parse_numeric_rejects_with_file_row_and_column(text, kwargs, message):
    values = pd.Series(["1", text, "ND"])
    with pytest.raises(InputError) as info:
        parse_numeric(values, Path("/some/folder/x.csv"), "TOTAL_GP_FTE", **kwargs)
    err = info.value
    assert str(err).startswith(f"x.csv, row 3, column 'TOTAL_GP_FTE': {message}")
    assert (err.row, err.column) == (3, "TOTAL_GP_FTE")
    assert "/some/folder" not in str(err)


def test_parse_numeric_names_first_offending_row():
    values = pd.Series(["1", "2", "oops", "ND", "worse"])
    with pytest.raises(InputError, match=r"^x\.csv, row 4, column 'C': .*'oops'"):
        parse_numeric(values, "x.csv", "C")


def test_parse_numeric_missing_is_not_zero():
    out = parse_numeric(pd.Series(["ND", "NA", "", "3"]), "x.csv", "C")
    assert out.isna().tolist() == [True, True, True, False]
    assert out.sum() == 3


def test_parse_numeric_empty_column():
    out = parse_numeric(pd.Series([], dtype=object), "x.csv", "C", integer=True)
    assert len(out) == 0
    assert str(out.dtype) == "Int64"


# ============================================================================================
# read_gpw_practice_csv
# ============================================================================================
@pytest.mark.parametrize("header, expected", [
    (["PRAC_CODE", "SUB_ICB_CODE"], "current"),
    (["prac_code", "sub_icb_code"], "current"),
    (["PRAC_CODE", "CCG_CODE"], "old"),
    (["PRAC_CODE", "SUB_ICB_CODE", "CCG_CODE"], "current"),
    (["PRAC_CODE"], ""),
    (["SUB_ICB_CODE", "CCG_CODE"], ""),
    (["a", "b"], ""),
])
def test_gpw_format(header, expected):
    assert gpw_format(header) == expected


def test_gpw_current_format_values_dtypes_and_attrs(gpw_csv):
    path = gpw_csv([
        {"PRAC_CODE": "M1", "TOTAL_PATIENTS": "5,432", "TOTAL_GP_HC": "4",
         "TOTAL_GP_FTE": "3.25", "GP_SOURCE": "Actual", "NURSE_SOURCE": ""},
        "M2",
    ])
    df = read_gpw_practice_csv(path)
    assert df.attrs["format"] == "current"
    assert df.attrs["path"] == str(path)
    assert df["PRAC_CODE"].tolist() == ["M1", "M2"]
    assert df.loc[0, "TOTAL_PATIENTS"] == 5432
    assert df.loc[0, "TOTAL_GP_HC"] == 4
    assert df.loc[0, "TOTAL_GP_FTE"] == 3.25
    for c in GPW_COUNTS:
        assert str(df[c].dtype) == "Int64", c
    for c in GPW_FTES + [EXRRL_FTE]:
        assert str(df[c].dtype) == "Float64", c
    for c in ["PRAC_CODE", "PRAC_NAME", "SUB_ICB_CODE", "ICB_CODE", *GPW_SOURCE_COLUMNS]:
        assert pd.api.types.is_string_dtype(df[c]), c
    assert df.loc[0, "GP_SOURCE"] == "Actual"
    assert df.loc[0, "NURSE_SOURCE"] == ""
    assert df.loc[1, "DPC_SOURCE"] == "Estimated"


def test_gpw_old_format_renamed_and_exrrl_read_as_published(gpw_csv):
    path = gpw_csv([{"PRAC_CODE": "M1", "CCG_CODE": "06A", "CCG_NAME": "NHS Wolverhampton CCG",
                     "STP_CODE": "E54000010", "STP_NAME": "Black Country",
                     EXRRL_FTE: "2.75"}], fmt="old")
    df = read_gpw_practice_csv(path)
    assert df.attrs["format"] == "old"
    assert df.loc[0, "SUB_ICB_CODE"] == "06A"
    assert df.loc[0, "SUB_ICB_NAME"] == "NHS Wolverhampton CCG"
    assert df.loc[0, "ICB_CODE"] == "E54000010"
    assert not {"CCG_CODE", "CCG_NAME", "STP_CODE", "STP_NAME"} & set(df.columns)
    assert df.loc[0, EXRRL_FTE] == 2.75
    assert str(df[EXRRL_FTE].dtype) == "Float64"
    assert "TOTAL_GP_EXTGL_FTE" not in df.columns
    assert "TOTAL_GP_RET_FTE" not in df.columns


def test_gpw_old_format_exrrl_not_derived_even_when_extgl_present(write_csv):
    header = ["PRAC_CODE", "PRAC_NAME", "CCG_CODE", "CCG_NAME", *GPW_TABLE_COLUMNS, EXRRL_FTE]
    row = ["M1", "P", "06A", "W"] + ["1"] * len(GPW_TABLE_COLUMNS) + ["0.4"]
    row[header.index("TOTAL_GP_EXTGL_FTE")] = "5"
    row[header.index("TOTAL_GP_RET_FTE")] = "1"
    df = read_gpw_practice_csv(write_csv("old.csv", header, [row]))
    assert df.loc[0, EXRRL_FTE] == 0.4


@pytest.mark.parametrize("extgl, ret, expected", [
    ("3.5", "0.5", 3.0),
    ("2", "0", 2.0),
    ("0", "0", 0.0),
    ("ND", "0.5", None),
    ("3", "NA", None),
])
def test_gpw_current_exrrl_derived_as_extgl_minus_ret(gpw_csv, extgl, ret, expected):
    df = read_gpw_practice_csv(gpw_csv([{"PRAC_CODE": "M1", "TOTAL_GP_EXTGL_FTE": extgl,
                                         "TOTAL_GP_RET_FTE": ret}]))
    value = df.loc[0, EXRRL_FTE]
    if expected is None:
        assert _is_na(value)
    else:
        assert value == pytest.approx(expected)


@pytest.mark.parametrize("fmt", ["current", "old"])
@pytest.mark.parametrize("column, marker", [
    ("TOTAL_GP_FTE", "ND"),
    ("TOTAL_GP_FTE", "NA"),
    ("TOTAL_GP_HC", "ND"),
    ("TOTAL_PATIENTS", "NA"),
    ("TOTAL_NURSES_FTE", ""),
    ("TOTAL_GP_HC_70PLUS", "ND"),
])
def test_gpw_markers_become_missing_not_zero(gpw_csv, fmt, column, marker):
    df = read_gpw_practice_csv(gpw_csv([{"PRAC_CODE": "M1", column: marker}, "M2"], fmt=fmt))
    assert _is_na(df.loc[0, column])
    assert not _is_na(df.loc[1, column])
    assert str(df[column].dtype) == ("Int64" if column in GPW_COUNTS else "Float64")


def test_gpw_columns_argument_still_derives_exrrl(gpw_csv):
    path = gpw_csv([{"PRAC_CODE": "M1", "TOTAL_GP_EXTGL_FTE": "4", "TOTAL_GP_RET_FTE": "1"}])
    df = read_gpw_practice_csv(path, columns=["TOTAL_GP_FTE"])
    assert df.loc[0, EXRRL_FTE] == 3.0
    assert "TOTAL_NURSES_FTE" not in df.columns


def test_gpw_icb_columns_are_optional(gpw_csv):
    df = read_gpw_practice_csv(gpw_csv(["M1"], drop=["ICB_CODE", "ICB_NAME", "GP_SOURCE"]))
    assert "ICB_CODE" not in df.columns
    assert "GP_SOURCE" not in df.columns
    assert df.loc[0, "TOTAL_GP_FTE"] == 1.5


def test_gpw_header_only_gives_empty_typed_frame(gpw_csv):
    df = read_gpw_practice_csv(gpw_csv([]))
    assert len(df) == 0
    assert str(df["TOTAL_GP_FTE"].dtype) == "Float64"
    assert str(df["TOTAL_GP_HC"].dtype) == "Int64"


@pytest.mark.parametrize("transform", [
    pytest.param(lambda h: h.lower(), id="lower-case-header"),
    pytest.param(lambda h: ",".join(f" {c} " for c in h.split(",")), id="padded-header-names"),
    pytest.param(lambda h: "\ufeff" + h, id="byte-order-mark"),
])
def test_gpw_tolerated_header_variants(gpw_csv, transform):
    path = gpw_csv([{"PRAC_CODE": "M1", "TOTAL_GP_FTE": "2.5"}])
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([transform(lines[0]), *lines[1:]]) + "\n", encoding="utf-8")
    df = read_gpw_practice_csv(path)
    assert df.loc[0, "PRAC_CODE"] == "M1"
    assert df.loc[0, "TOTAL_GP_FTE"] == 2.5
    assert "SUB_ICB_CODE" in df.columns


def test_gpw_trailing_comma_on_data_rows_does_not_shift_columns(gpw_csv):
    # Real releases carry many columns the reader skips; one is enough to matter here.
    path = gpw_csv([{"PRAC_CODE": "M1", "TOTAL_GP_FTE": "2.5"}, "M2"])
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header + ",PCN_CODE", *(r + ",U1," for r in rows)]) + "\n")
    df = read_gpw_practice_csv(path)
    assert df["PRAC_CODE"].tolist() == ["M1", "M2"]
    assert df.loc[0, "TOTAL_GP_FTE"] == 2.5
    assert df.loc[0, "SUB_ICB_CODE"] == "06A"
    assert df.index.tolist() == [0, 1]


GPW_ERRORS = [
    # (builder kwargs for gpw_csv, expected message fragment, row, column)
    pytest.param({"records": ["M1"], "drop": ["SUB_ICB_NAME"]}, "required column missing", 1,
                 "SUB_ICB_NAME", id="missing-id-column"),
    pytest.param({"records": ["M1"], "drop": ["TOTAL_GP_FTE"]}, "required column missing", 1,
                 "TOTAL_GP_FTE", id="missing-measure"),
    pytest.param({"records": ["M1"], "drop": ["TOTAL_GP_RET_FTE"]}, "required column missing",
                 1, "TOTAL_GP_RET_FTE", id="missing-ret-current"),
    pytest.param({"records": ["M1"], "fmt": "old", "drop": ["CCG_NAME"]},
                 "required column missing (GPW old release format)", 1, "CCG_NAME",
                 id="missing-old-name-column"),
    pytest.param({"records": ["M1"], "fmt": "old", "drop": [EXRRL_FTE]},
                 "required column missing", 1, EXRRL_FTE, id="missing-exrrl-old"),
    pytest.param({"records": ["M1", "M2", "M1"]}, "practice M1 appears more than once", 4,
                 "PRAC_CODE", id="duplicate-practice"),
    pytest.param({"records": ["M1", {"PRAC_CODE": " "}]}, "practice code is blank", 3,
                 "PRAC_CODE", id="blank-practice-code"),
    pytest.param({"records": ["M1", {"PRAC_CODE": "M2", "TOTAL_GP_FTE": "two"}]},
                 "expected a number (or ND/NA for missing), found 'two'", 3, "TOTAL_GP_FTE",
                 id="non-numeric-fte"),
    pytest.param({"records": [{"PRAC_CODE": "M1", "TOTAL_GP_FTE": "-1.0"}]},
                 "expected a number >= 0", 2, "TOTAL_GP_FTE", id="negative-fte"),
    pytest.param({"records": [{"PRAC_CODE": "M1", "TOTAL_GP_HC": "2.5"}]},
                 "expected a whole number, found '2.5'", 2, "TOTAL_GP_HC",
                 id="fractional-headcount"),
    pytest.param({"records": ["M1", "M2", {"PRAC_CODE": "M3", EXRRL_FTE: "x"}], "fmt": "old"},
                 "expected a number", 4, EXRRL_FTE, id="non-numeric-old-exrrl"),
    pytest.param({"records": ["M1", {"PRAC_CODE": "M2", "TOTAL_GP_FTE": "nan"}]},
                 "expected a number", 3, "TOTAL_GP_FTE", id="nan-fte"),
]


@pytest.mark.parametrize("kwargs, fragment, row, column", GPW_ERRORS)
def test_gpw_errors_name_row_and_column(gpw_csv, kwargs, fragment, row, column):
    path = gpw_csv(name="gpw_bad.csv", **kwargs)
    with pytest.raises(InputError) as info:
        read_gpw_practice_csv(path)
    err = info.value
    assert (err.row, err.column) == (row, column)
    assert str(err).startswith(f"gpw_bad.csv, row {row}, column {column!r}: ")
    assert fragment in str(err)


RAW_ERRORS = [
    # (file content as bytes, expected message fragment, row, column)
    pytest.param(b"", "file is empty", 1, None, id="empty-file"),
    pytest.param(b"\n\n", "no header row", 1, None, id="blank-first-line"),
    pytest.param(b" , ,\n1,2,3\n", "no header row", 1, None, id="blank-header-names"),
    pytest.param(b"a,b\n1,2\n", "not a GPW practice-level CSV", 1, None, id="unrelated-csv"),
    pytest.param(b"Practice Code,CCG Code\nM1,06A\n", "not a GPW practice-level CSV", 1, None,
                 id="payments-csv"),
    pytest.param(b"PRAC_CODE,PCN_CODE\nM1,U1\n", "not a GPW practice-level CSV", 1, None,
                 id="no-geography"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "not readable as utf-8 text", 1, None,
                 id="binary-file"),
    pytest.param(b"PRAC_CODE,PRAC_NAME\xe9\n", "not readable as utf-8 text", 1, None,
                 id="latin-1-byte-in-header"),
]


@pytest.mark.parametrize("data, fragment, row, column", RAW_ERRORS)
def test_gpw_unreadable_files(write_csv, data, fragment, row, column):
    path = write_csv("raw.csv", data=data)
    with pytest.raises(InputError) as info:
        read_gpw_practice_csv(path)
    assert fragment in str(info.value)
    assert (info.value.row, info.value.column) == (row, column)
    assert str(info.value).startswith("raw.csv")
    assert "\n" not in str(info.value)


def test_gpw_file_not_found(tmp_path):
    with pytest.raises(InputError, match=r"^nothing\.csv: file not found$"):
        read_gpw_practice_csv(tmp_path / "nothing.csv")


@pytest.mark.parametrize("duplicate", ["TOTAL_GP_FTE", "total_gp_fte", " TOTAL_GP_FTE "])
def test_gpw_duplicated_header_column(gpw_csv, duplicate):
    path = gpw_csv(["M1"], name="dup.csv")
    header, row = path.read_text(encoding="utf-8").splitlines()
    path.write_text(f"{header},{duplicate}\n{row},9\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_gpw_practice_csv(path)
    assert "column appears twice in the header" in str(info.value)
    assert info.value.row == 1
    assert info.value.column == duplicate.strip()


@pytest.mark.parametrize("bad_row", [2, 3, 5])
def test_gpw_non_utf8_byte_in_data_row_names_that_row(gpw_csv, bad_row):
    records = ["M1", "M2", "M3", "M4"]
    path = gpw_csv(records, name="latin.csv")
    lines = path.read_bytes().split(b"\n")
    lines[bad_row - 1] = lines[bad_row - 1].replace(b"Practice", b"Caf\xe9", 1)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError) as info:
        read_gpw_practice_csv(path)
    assert str(info.value).startswith(f"latin.csv, row {bad_row}: not readable as utf-8 text")
    assert info.value.row == bad_row


# ============================================================================================
# read_practice_reference (NHS Payments to General Practice)
# ============================================================================================
def test_reference_columns_dtypes_and_latin1_round_trip(payments_csv):
    path = payments_csv([
        {"Practice Code": "m1", "Practice Name": "Cabinet Médical Élan",
         "Total NHS Payments to General Practice": "£1,000"},
        {"Practice Code": "M2", "Practice Open Date": "2015-06-30",
         "Practice Close Date": "31/03/2017", "Contract Type": "pms",
         "Number of Registered Patients (Last Known Figure)": "1,234"},
    ])
    assert "é".encode("latin-1") in path.read_bytes()
    ref = read_practice_reference(path)
    assert list(ref.columns) == list(PAYMENTS_COLUMNS.values())
    assert ref["practice_code"].tolist() == ["M1", "M2"]
    assert ref.loc[0, "practice_name"] == "Cabinet Médical Élan"
    assert ref.loc[0, "open_date"] == pd.Timestamp("1974-04-01")
    assert pd.isna(ref.loc[0, "close_date"])
    assert ref.loc[1, "open_date"] == pd.Timestamp("2015-06-30")
    assert ref.loc[1, "close_date"] == pd.Timestamp("2017-03-31")
    assert ref["contract_type"].tolist() == ["GMS", "PMS"]
    assert ref["registered_patients"].tolist() == [1000, 1234]
    assert str(ref["registered_patients"].dtype) == "Int64"
    assert str(ref["weighted_patients"].dtype) == "Float64"
    assert pd.api.types.is_datetime64_any_dtype(ref["open_date"])
    assert pd.api.types.is_datetime64_any_dtype(ref["close_date"])
    assert ref.attrs["path"] == str(path)


def test_reference_trailing_comma_on_data_rows_does_not_shift_columns(payments_csv):
    path = payments_csv([{"Practice Code": "M1", "Contract Type": "PMS"}, "M2"])
    header, *rows = path.read_bytes().decode("latin-1").splitlines()
    path.write_bytes("\n".join([header, *(r + "," for r in rows)]).encode("latin-1"))
    ref = read_practice_reference(path)
    assert ref["practice_code"].tolist() == ["M1", "M2"]
    assert ref["contract_type"].tolist() == ["PMS", "GMS"]
    assert ref.index.tolist() == [0, 1]


def test_reference_header_is_case_insensitive_and_extra_columns_ignored(write_csv):
    header = ["practice code", "CCG CODE", "Practice Open Date", "PRACTICE CLOSE DATE",
              "contract type", "Number Of Registered Patients (Last Known Figure)", "Global Sum"]
    path = write_csv("p.csv", header, [["M1", "06A", "01/04/2017", "", "GMS", "10", "5"]],
                     encoding="latin-1")
    ref = read_practice_reference(path)
    assert set(ref.columns) == {"ccg_code", "practice_code", "open_date", "close_date",
                                "contract_type", "registered_patients"}
    assert ref.loc[0, "registered_patients"] == 10


@pytest.mark.parametrize("text, expected", [
    ("01/04/2017", "2017-04-01"),
    ("2017-04-01", "2017-04-01"),
    ("31/12/2016", "2016-12-31"),
    ("29/02/2016", "2016-02-29"),
    ("01-Apr-17", "2017-04-01"),
    ("01-Apr-2017", "2017-04-01"),
    ("01/04/2017 00:00", "2017-04-01"),
    ("01/04/74", "1974-04-01"),
    (" 01/04/2017 ", "2017-04-01"),
    ("", None),
    ("  ", None),
])
def test_reference_open_and_close_dates(payments_csv, text, expected):
    path = payments_csv([{"Practice Code": "M1", "Practice Open Date": "01/01/1970",
                          "Practice Close Date": text}])
    value = read_practice_reference(path).loc[0, "close_date"]
    if expected is None:
        assert value is pd.NaT
    else:
        assert value == pd.Timestamp(expected)


@pytest.mark.parametrize("column", ["Practice Open Date", "Practice Close Date"])
@pytest.mark.parametrize("text", ["31/02/2017", "2017/04/01", "32/01/2017", "01.04.2017",
                                  "tomorrow", "ND", "01/13/2017"])
def test_reference_bad_date_names_row_and_column(payments_csv, column, text):
    path = payments_csv(["M1", {"Practice Code": "M2", column: text}])
    with pytest.raises(InputError) as info:
        read_practice_reference(path)
    assert str(info.value) == (f"payments.csv, row 3, column {column!r}: expected a date such "
                               f"as 01/04/2017, found {text!r}")


def test_parse_dates_series_dtype():
    out = parse_dates(pd.Series(["01/04/2017", "", "2017-05-01"]), "x.csv", "d")
    assert pd.api.types.is_datetime64_any_dtype(out)
    assert out.isna().tolist() == [False, True, False]


@pytest.mark.parametrize("text, expected", [
    ("GMS", "GMS"), ("gms", "GMS"), (" pms ", "PMS"), ("Apms", "APMS"),
])
def test_reference_contract_type_normalised(payments_csv, text, expected):
    path = payments_csv([{"Practice Code": "M1", "Contract Type": text}])
    assert read_practice_reference(path).loc[0, "contract_type"] == expected


@pytest.mark.parametrize("text, expected", [
    ("XYZ", "XYZ"), ("GMS/PMS", "GMS/PMS"), ("G M S", "G M S"), ("", None), ("ND", None),
    ("Unknown", None), ("UNKNOWN", None),
])
def test_reference_unknown_contract_type_kept_not_guessed(payments_csv, text, expected):
    path = payments_csv(["M1", "M2", {"Practice Code": "M3", "Contract Type": text}])
    ref = read_practice_reference(path)
    assert ref["practice_code"].tolist() == ["M1", "M2", "M3"]
    value = ref.loc[2, "contract_type"]
    assert _is_na(value) if expected is None else value == expected
    assert ref.attrs["contract_type_unknown"] == (expected is None)
    assert ref.attrs["contract_type_other"] == ({} if expected is None else {expected: 1})


@pytest.mark.parametrize("text, expected", [
    ("1,234", 1234), ("0", 0), ("12345", 12345), (" 99 ", 99), ("ND", None), ("", None),
])
def test_reference_registered_patients(payments_csv, text, expected):
    path = payments_csv([{"Practice Code": "M1",
                          "Number of Registered Patients (Last Known Figure)": text}])
    value = read_practice_reference(path).loc[0, "registered_patients"]
    assert _is_na(value) if expected is None else value == expected


@pytest.mark.parametrize("text, fragment", [
    ("-5", "expected a number >= 0"),
    ("many", "expected a number"),
    ("nan", "expected a number"),
    ("250000", "expected a number of registered patients from 0 to 200,000, found '250000.0'"),
])
def test_reference_registered_patients_rejected(payments_csv, text, fragment):
    column = "Number of Registered Patients (Last Known Figure)"
    path = payments_csv(["M0", {"Practice Code": "M1", column: text}])
    with pytest.raises(InputError) as info:
        read_practice_reference(path)
    assert (info.value.row, info.value.column) == (3, column)
    assert fragment in str(info.value)


def test_reference_registered_patients_as_averages_are_float(payments_csv):
    column = "Number of Registered Patients (Last Known Figure)"
    ref = read_practice_reference(payments_csv([{"Practice Code": "M1", column: "4095.25"},
                                                {"Practice Code": "M2", column: "10"}]))
    assert str(ref["registered_patients"].dtype) == "Float64"
    assert ref["registered_patients"].tolist() == [4095.25, 10.0]
    assert ref.attrs["patients_measure"] == "last known"


@pytest.mark.parametrize("dropped", ["Practice Code", "CCG Code", "Practice Open Date",
                                     "Practice Close Date", "Contract Type",
                                     "Number of Registered Patients (Last Known Figure)"])
def test_reference_missing_required_column(payments_csv, dropped):
    path = payments_csv(["M1"], drop=[dropped])
    with pytest.raises(InputError) as info:
        read_practice_reference(path)
    assert info.value.row == 1
    assert info.value.column == dropped  # named as published, not re-cased
    assert "required column missing" in str(info.value)


@pytest.mark.parametrize("dropped", ["CCG Name", "Practice Name", "Practice Postcode",
                                     "Number of Weighted Patients (Last Known Figure)"])
def test_reference_optional_columns_may_be_absent(payments_csv, dropped):
    ref = read_practice_reference(payments_csv(["M1"], drop=[dropped]))
    by_lower = {k.lower(): v for k, v in PAYMENTS_COLUMNS.items()}
    assert by_lower[dropped.lower()] not in ref.columns
    assert ref.loc[0, "practice_code"] == "M1"


@pytest.mark.parametrize("records, fragment, row, column", [
    pytest.param(["M1", "M2", {"Practice Code": "m1"}], "practice M1 appears more than once", 4,
                 "Practice Code", id="duplicate-case-insensitive"),
    pytest.param([{"Practice Code": "M1", "Practice Open Date": "01/04/2017",
                   "Practice Close Date": "31/03/2017"}], "close date is before open date", 2,
                 "Practice Close Date", id="close-before-open"),
])
def test_reference_row_errors(payments_csv, records, fragment, row, column):
    with pytest.raises(InputError) as info:
        read_practice_reference(payments_csv(records))
    assert (info.value.row, info.value.column) == (row, column)
    assert fragment in str(info.value)


def test_reference_empty_file(write_csv):
    with pytest.raises(InputError, match=r"^empty\.csv, row 1: file is empty"):
        read_practice_reference(write_csv("empty.csv", data=b""))


# --------------------------------------------------------------------------------------------
# open_on
# --------------------------------------------------------------------------------------------
SNAPSHOT = "2017-06-30"
OPEN_ON_CASES = [
    # open date, close date, counted as open on 2017-06-30?
    pytest.param("2017-04-01", None, True, id="opened-before"),
    pytest.param("2017-06-30", None, True, id="opened-on"),
    pytest.param("2017-07-01", None, False, id="opened-after"),
    pytest.param("1974-04-01", "2017-06-29", False, id="closed-before"),
    pytest.param("1974-04-01", "2017-06-30", False, id="closed-on"),
    pytest.param("1974-04-01", "2017-07-01", True, id="closed-after"),
    pytest.param("2017-06-30", "2017-07-01", True, id="opened-on-closed-after"),
    pytest.param("2017-07-01", "2017-08-01", False, id="opened-and-closed-after"),
    pytest.param("2016-01-01", "2016-12-31", False, id="opened-and-closed-before"),
]


@pytest.mark.parametrize("opened, closed, expected", OPEN_ON_CASES)
@pytest.mark.parametrize("snapshot", [SNAPSHOT, pd.Timestamp(SNAPSHOT)])
def test_open_on(opened, closed, expected, snapshot):
    ref = pd.DataFrame({"practice_code": ["X1", "KEEP"],
                        "open_date": pd.to_datetime([opened, "2000-01-01"]),
                        "close_date": pd.to_datetime([closed, None])})
    out = open_on(ref, snapshot)
    assert ("X1" in out["practice_code"].tolist()) is expected
    assert "KEEP" in out["practice_code"].tolist()
    assert list(out.columns) == list(ref.columns)


def test_open_on_with_reader_output(payments_csv):
    ref = read_practice_reference(payments_csv([
        {"Practice Code": "A", "Practice Open Date": "30/06/2017"},
        {"Practice Code": "B", "Practice Close Date": "30/06/2017"},
        {"Practice Code": "C", "Practice Close Date": "01/07/2017"},
    ]))
    assert open_on(ref, SNAPSHOT)["practice_code"].tolist() == ["A", "C"]


# ============================================================================================
# read_staff_records
# ============================================================================================
def test_staff_records_read(staff_csv):
    path = staff_csv([("m1", "P1", "gp", "18", "0"), ("M2", "P1", "GP", "100", "2"),
                      ("M2", "N1", "Nurse", "ND", "0.5")])
    df = read_staff_records(path)
    assert df["practice_code"].tolist() == ["M1", "M2", "M2"]
    assert df["staff_group"].tolist() == ["GP", "GP", "NURSE"]
    assert df["age"].tolist()[:2] == [18, 100]
    assert _is_na(df.loc[2, "age"])
    assert str(df["age"].dtype) == "Int64"
    assert str(df["fte"].dtype) == "Float64"
    assert df["fte"].tolist() == [0.0, 2.0, 0.5]


def test_staff_records_keeps_known_optional_columns_only(staff_csv):
    header = ["Practice_Code", "Staff_ID", "staff_group", "AGE", "fte", "job_role", "notes"]
    df = read_staff_records(staff_csv([("M1", "P1", "GP", "40", "1", "Partner", "x")], header))
    assert set(df.columns) == set(STAFF_COLUMNS) | {"job_role"}
    assert df.loc[0, "job_role"] == "Partner"


STAFF_BAD = [
    # row values, message fragment, column
    pytest.param(("M1", "P1", "GP", "17", "1"), "expected age between 18 and 100, found '17'",
                 "age", id="age-17"),
    pytest.param(("M1", "P1", "GP", "101", "1"), "expected age between 18 and 100, found '101'",
                 "age", id="age-101"),
    pytest.param(("M1", "P1", "GP", "40.5", "1"), "expected a whole number", "age",
                 id="fractional-age"),
    pytest.param(("M1", "P1", "GP", "forty", "1"), "expected a number", "age", id="text-age"),
    pytest.param(("M1", "P1", "GP", "40", "2.5"), "expected fte between 0 and 2, found '2.5'",
                 "fte", id="fte-2.5"),
    pytest.param(("M1", "P1", "GP", "40", "-0.1"), "expected a number >= 0", "fte",
                 id="negative-fte"),
    pytest.param(("M1", "", "GP", "40", "1"), "staff id is blank", "staff_id",
                 id="blank-staff-id"),
    pytest.param(("M1", "   ", "GP", "40", "1"), "staff id is blank", "staff_id",
                 id="spaces-staff-id"),
]


@pytest.mark.parametrize("bad, fragment, column", STAFF_BAD)
def test_staff_records_rejected(staff_csv, bad, fragment, column):
    path = staff_csv([("M1", "P0", "GP", "50", "1"), bad])
    with pytest.raises(InputError) as info:
        read_staff_records(path)
    assert str(info.value).startswith(f"staff.csv, row 3, column {column!r}: {fragment}")


@pytest.mark.parametrize("missing", STAFF_COLUMNS)
def test_staff_records_missing_column(staff_csv, missing):
    header = [c for c in STAFF_COLUMNS if c != missing]
    path = staff_csv([tuple("1" for _ in header)], header)
    with pytest.raises(InputError) as info:
        read_staff_records(path)
    assert (info.value.row, info.value.column) == (1, missing)
    assert "required column missing" in str(info.value)


@pytest.mark.parametrize("text, expected", [("1,234", 1234.0), ("12,345,678", 12345678.0),
                                            ("1,234.5", 1234.5), ("-1,000", -1000.0)])
def test_parse_numeric_accepts_thousands_separators(text, expected):
    got = parse_numeric(pd.Series([text]), "x.csv", "C", allow_negative=True)
    assert got[0] == expected


@pytest.mark.parametrize("text", ["12,5", "1,23", "1,2345", ",100", "1,,000"])
def test_parse_numeric_rejects_commas_that_are_not_thousands_separators(text):
    with pytest.raises(InputError, match=r"x\.csv, row 2, column 'C': expected a number"):
        parse_numeric(pd.Series([text]), "x.csv", "C")


def test_blank_lines_do_not_shift_row_numbers(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("practice_code,staff_id,staff_group,age,fte\n"
                    "M1,A,GP,40,1\n\n\nM1,B,GP,140,1\n")
    with pytest.raises(InputError) as info:
        read_staff_records(path)
    assert info.value.row == 5 and info.value.column == "age"


def test_reference_blank_open_date_is_unknown_and_counted(payments_csv):
    path = payments_csv(["M1", "M2"])
    text = path.read_text(encoding="latin-1").replace("01/04/1974", "", 1)
    path.write_text(text, encoding="latin-1")
    ref = read_practice_reference(path)
    assert ref["open_date"].isna().tolist() == [True, False]
    assert ref.attrs["open_date_missing"] == 1


@pytest.mark.parametrize("reader", ["read_gpw_practice_csv", "read_practice_reference",
                                    "read_staff_records"])
def test_zip_given_as_csv_is_an_error_on_row_1_whatever_its_bytes(tmp_path, reader):
    """A workbook saved under a .csv name: row 1, even when a line-feed byte comes before the
    first byte that does not decode (a zip time stamp can hold one)."""
    p = tmp_path / "input.csv"
    p.write_bytes(b"PK\x03\x04\x14\x00\n\x00\xff\xfe\x80" + bytes(range(256)))
    with pytest.raises(InputError) as exc:
        getattr(readers, reader)(p)
    assert exc.value.row == 1 and "found a zip file" in str(exc.value)
