"""Reader of local staff-level returns (analysis.io.returns): CSV and XLSX files built in
tmp_path."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.cleaning import rules as cleaning
from analysis.config import returns_lookup
from analysis.io.returns import (
    CANONICAL,
    _key,
    load_lookup,
    map_columns,
    read_return_file,
    read_returns,
)
from analysis.util.errors import InputError


def csv_text(header, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, header, rows=()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text(header, rows), encoding="utf-8")
    return path


def write_xlsx(path: Path, rows) -> Path:
    """Worksheet rows exactly as given (None or [] is a blank row)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row or [], start=1):
            ws.cell(row=i, column=j, value=value)
    wb.save(path)
    return path


def xlsx_bytes(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "real.xlsx", [["Practice code", "Role", "Period"],
                                               ["C82001", "Partner", "2017-10"]]).read_bytes()


def spellings(canon: str) -> list[str]:
    return [canon.replace("_", " "), *returns_lookup().columns[canon]]


# ---------------------------------------------------------------------------------------------
# Header spellings
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("spelling", "canon"), [
    ("PRACTICE_CODE", "practice_code"), ("Practice Code", "practice_code"),
    ("  practice   code ", "practice_code"), ("practice-code", "practice_code"),
    ("ODS code", "practice_code"), ("Job title", "job_role"), ("ROLE", "job_role"),
    ("No. of sessions", "sessions_per_week"), ("Sessions", "sessions_per_week"),
    ("Contracted hours", "hours_per_week"), ("hours_per_week", "hours_per_week"),
    ("DOB", "date_of_birth"), ("Date of Birth", "date_of_birth"), ("Age (years)", "age"),
    ("Sex", "gender"), ("Contract type", "employment_type"), ("Vacant since", "open_since"),
    ("Reporting Period", "return_period"), ("Staff Ref", "staff_id"), ("Row type", "record_type"),
])
def test_header_spelling_maps_to_canonical(spelling, canon):
    others = {"practice_code": ["Role"], "job_role": ["Practice"]}.get(canon,
                                                                      ["Practice", "Role"])
    got = map_columns([*others, spelling], "x.csv")
    assert got[spelling] == canon
    assert sorted(got.values()) == sorted({canon, "practice_code", "job_role"})


def test_lookup_spellings_are_unambiguous():
    keys = {canon: {_key(x) for x in [canon, *v]} for canon, v in returns_lookup().columns.items()}
    seen: dict[str, str] = {}
    for canon, ks in keys.items():
        for k in ks:
            assert seen.setdefault(k, canon) == canon, f"{k!r} means {seen[k]} and {canon}"
    assert set(load_lookup()["columns"].values()) == set(CANONICAL)


def test_csv_header_variants_read_with_canonical_names(tmp_path):
    path = write_csv(tmp_path / "C82001_2017-10.csv",
                     ["PRACTICE_CODE", "Job title", "No. of sessions", "Contracted hours", "DOB",
                      "Staff ID", "Gender", "Notes"],
                     [["C82001", "GP Partner", "9", "", "01/02/1970", "007", "NA", "x"],
                      ["c82001 ", "ANP", "", "37.5", "", "NA", "None", ""]])
    df = read_return_file(path)
    assert list(df.columns) == ["practice_code", "job_role", "sessions_per_week",
                                "hours_per_week", "date_of_birth", "staff_id", "gender",
                                "source_row", "return_period", "source_file"]
    assert df["practice_code"].tolist() == ["C82001", "c82001 "]       # text kept as typed
    assert df["staff_id"].tolist() == ["007", "NA"]                    # not numbers, not NaN
    assert df["gender"].tolist() == ["NA", "None"]
    assert df["date_of_birth"].tolist() == ["01/02/1970", ""]
    assert df["return_period"].tolist() == ["2017-10", "2017-10"]
    assert df["source_file"].tolist() == ["C82001_2017-10.csv"] * 2
    assert df["source_row"].tolist() == [2, 3]
    assert df.attrs["unmapped_columns"] == ["Notes"]


def test_csv_blank_rows_dropped_source_row_is_the_line(tmp_path):
    path = tmp_path / "C82001_2017-10.csv"
    path.write_text("Practice code,Role,Sessions\n"
                    "C82001,Partner,9\n"
                    "\n"
                    ",,\n"
                    " , ,\n"
                    "C82001,HCA,4.5\n", encoding="utf-8")
    df = read_return_file(path)
    assert df["job_role"].tolist() == ["Partner", "HCA"]
    assert df["source_row"].tolist() == [2, 6]


def test_csv_with_utf8_bom(tmp_path):
    path = tmp_path / "C82001_2017-10.csv"
    path.write_bytes("\ufeffPractice code,Role\nC82001,Partner\n".encode())
    assert read_return_file(path)["practice_code"].tolist() == ["C82001"]


# ---------------------------------------------------------------------------------------------
# Return period
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "column", "period"), [
    ("C82001_2017-10.csv", None, "2017-10"),
    ("C82001 2017_03.csv", None, "2017-03"),
    ("returns_201712.csv", None, "2017-12"),
    ("04V-2016-09-practices.csv", None, "2016-09"),
    ("C82001.csv", "2017-09", "2017-09"),
    ("C82001_2017-10.csv", "2017-09", "2017-09"),     # a period column wins over the name
])
def test_period_from_column_or_file_name(tmp_path, name, column, period):
    header = ["Practice code", "Role"] + (["Period"] if column else [])
    row = ["C82001", "Partner"] + ([column] if column else [])
    df = read_return_file(write_csv(tmp_path / name, header, [row, row]))
    assert df["return_period"].tolist() == [period, period]


@pytest.mark.parametrize("name", ["C82001.csv", "C82001_2017-13.csv", "returns_17-10.csv",
                                  "C82001_1999-10.csv"])
def test_no_period_anywhere_is_an_input_error(tmp_path, name):
    path = write_csv(tmp_path / name, ["Practice code", "Role"], [["C82001", "Partner"]])
    with pytest.raises(InputError, match="no return period") as exc:
        read_return_file(path)
    assert str(exc.value).startswith(f"{name}, row 1: ")
    assert exc.value.path == str(path)


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------
def test_xlsx_with_title_rows_source_row_is_the_worksheet_row(tmp_path):
    path = write_xlsx(tmp_path / "C82001_2017-10.xlsx", [
        ["Practice workforce return, October 2017"],              # row 1: title
        None,                                                      # row 2: blank
        ["PRACTICE_CODE", "Job title", "No. of sessions", "DOB", "Staff ID", "Sex", "Comment"],
        ["C82001", "Partner", 9, pd.Timestamp("1970-02-01"), "S1", "F", "ok"],      # row 4
        None,                                                      # row 5: blank
        ["C82001", "HCA", 4.5, "01/02/1980", 17, "M", ""],          # row 6
    ])
    df = read_return_file(path)
    assert df["job_role"].tolist() == ["Partner", "HCA"]         # header was worksheet row 3
    assert df["source_row"].tolist() == [4, 6]
    assert df["sessions_per_week"].tolist() == ["9", "4.5"]
    assert df["staff_id"].tolist() == ["S1", "17"]
    assert df["return_period"].tolist() == ["2017-10", "2017-10"]
    assert df.attrs["unmapped_columns"] == ["Comment"]
    # the cleaning reads the typed values and keeps pointing at the worksheet rows
    raw = read_returns(tmp_path)
    ref = pd.DataFrame({"practice_code": ["C82001"], "ccg_code": ["03W"]})
    res = cleaning.clean_returns(raw, ref)
    assert res.audit["outcome"].tolist() == ["kept", "corrected"]     # 'HCA' label mapped
    assert res.staff["source_row"].tolist() == [4, 6]
    assert res.staff["age"].tolist() == [47, 37]
    assert res.staff["wte"].tolist() == [1.0, 0.5]


def test_xlsx_title_in_second_row_only(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B2"] = "Return"                      # the used range starts at B2, not A1
    ws.append(["Practice code", "Role", "Period"])      # row 3
    ws.append(["C82001", "Partner", "2017-10"])          # row 4
    path = tmp_path / "ccg.xlsx"
    wb.save(path)
    df = read_return_file(path)
    assert df["source_row"].tolist() == [4]
    assert df["practice_code"].tolist() == ["C82001"]


def test_xlsx_without_a_header_row_is_an_input_error(tmp_path):
    path = write_xlsx(tmp_path / "C82001_2017-10.xlsx", [["Title"], ["Staff id", "Role"],
                                                        ["S1", "Partner"]])
    with pytest.raises(InputError, match="no header row") as exc:
        read_return_file(path)
    assert str(exc.value).startswith("C82001_2017-10.xlsx, row 1: ")


# ---------------------------------------------------------------------------------------------
# Header errors
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "canon"), [
    (["Prac", "Role", "Sessions"], "practice_code"),
    (["Staff id", "Job title"], "practice_code"),
    (["Practice code", "Sessions"], "job_role"),
])
def test_missing_required_column_lists_accepted_spellings(tmp_path, header, canon):
    path = write_csv(tmp_path / "C82001_2017-10.csv", header, [["x"] * len(header)])
    with pytest.raises(InputError, match=f"no column for {canon}") as exc:
        read_return_file(path)
    msg = str(exc.value)
    assert msg.startswith("C82001_2017-10.csv, row 1: no column for")
    for spelling in spellings(canon):
        assert spelling in msg


@pytest.mark.parametrize(("header", "second"), [
    (["Practice code", "Role", "Sessions", "No. of sessions"], "No. of sessions"),
    (["Practice Code", "PRACTICE_CODE", "Role"], "PRACTICE_CODE"),
    (["Practice code", "Job title", "Role"], "Role"),
    (["Practice code", "Role", "DOB", "Date of birth"], "Date of birth"),
    (["Practice code", "Role", "Role"], "Role"),
])
def test_two_columns_meaning_the_same_is_an_input_error(tmp_path, header, second):
    path = write_csv(tmp_path / "C82001_2017-10.csv", header, [["x"] * len(header)])
    with pytest.raises(InputError) as exc:
        read_return_file(path)
    assert exc.value.column == second
    assert str(exc.value).startswith(f"C82001_2017-10.csv, row 1, column '{second}': ")


def test_two_columns_meaning_the_same_in_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "C82001_2017-10.xlsx",
                      [["Practice code", "Role", "Hours", "Weekly hours"],
                       ["C82001", "Partner", 37.5, 37.5]])
    with pytest.raises(InputError, match="both mean hours_per_week"):
        read_return_file(path)


# ---------------------------------------------------------------------------------------------
# Empty, missing and unreadable files
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "data"), [
    ("C82001_2017-10.csv", b""),
    ("C82001_2017-10.xlsx", b""),
    ("C82001_2017-10.csv", b"\n\n\n"),
    ("C82001_2017-10.csv", b" , ,\n"),
])
def test_empty_file_is_an_input_error(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_return_file(path)
    assert str(exc.value).startswith(f"{name}, row 1: ")


def test_header_only_file_gives_no_rows(tmp_path):
    path = write_csv(tmp_path / "C82001_2017-10.csv", ["Practice code", "Role"])
    df = read_return_file(path)
    assert len(df) == 0 and "practice_code" in df


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_return_file(tmp_path / "C82001_2017-10.csv")


@pytest.mark.parametrize("kind", ["renamed xlsx", "binary", "utf-16", "latin-1 late",
                                  "unbalanced quote", "ragged rows", "csv named xlsx",
                                  "damaged xlsx"])
def test_unreadable_file_is_an_input_error(tmp_path, kind):
    head = b"Practice code,Role,Period\n"
    name, data = {
        "renamed xlsx": ("C82001_2017-10.csv", xlsx_bytes(tmp_path)),
        "binary": ("C82001_2017-10.csv", bytes(range(256)) * 8),
        "utf-16": ("C82001_2017-10.csv", "Practice code,Role\nC82001,GP\n".encode("utf-16")),
        "latin-1 late": ("C82001_2017-10.csv",
                         head + b"C82001,Partner,2017-10\n" * 3000 + b"C82001,Caf\xe9,2017-10\n"),
        "unbalanced quote": ("C82001_2017-10.csv", head + b'C82001,"Partner,2017-10\n'),
        "ragged rows": ("C82001_2017-10.csv",
                        head + b"C82001,Partner,2017-10\nC82001,HCA,2017-10,extra,more\n"),
        "csv named xlsx": ("C82001_2017-10.xlsx", head + b"C82001,Partner,2017-10\n"),
        "damaged xlsx": ("C82001_2017-10.xlsx", xlsx_bytes(tmp_path)[:300]),
    }[kind]
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / name).write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_return_file(folder / name)
    assert type(exc.value) is InputError
    assert str(exc.value).startswith(name)
    with pytest.raises(InputError):
        read_returns(folder)


@pytest.mark.parametrize(("kind", "row"), [("latin-1 late", 3002), ("ragged rows", 3)])
def test_unreadable_csv_error_names_the_row(tmp_path, kind, row):
    head = b"Practice code,Role,Period\n"
    data = {"latin-1 late": head + b"C82001,Partner,2017-10\n" * 3000
            + b"C82001,Caf\xe9,2017-10\n",
            "ragged rows": head + b"C82001,Partner,2017-10\nC82001,HCA,2017-10,extra,x\n"}[kind]
    path = tmp_path / "C82001_2017-10.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_return_file(path)
    assert exc.value.row == row


# ---------------------------------------------------------------------------------------------
# A folder of returns
# ---------------------------------------------------------------------------------------------
def test_folder_missing_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="returns folder not found"):
        read_returns(tmp_path / "nowhere")


@pytest.mark.parametrize("names", [[], ["notes.txt"], ["~$C82001_2017-10.xlsx"],
                                   [".C82001_2017-10.csv", "readme.md"]])
def test_folder_without_return_files_is_an_input_error(tmp_path, names):
    folder = tmp_path / "returns"
    folder.mkdir()
    for n in names:
        (folder / n).write_text("Practice code,Role\nC82001,Partner\n", encoding="utf-8")
    with pytest.raises(InputError, match="no return files") as exc:
        read_returns(folder)
    assert str(exc.value).startswith("returns: ")


def test_read_returns_stacks_files_and_records_unmapped_columns(tmp_path):
    folder = tmp_path / "returns"
    write_csv(folder / "C82001_2017-10.csv", ["Practice code", "Role", "Sessions", "Notes"],
              [["C82001", "Partner", "9", "a"], ["C82001", "HCA", "4.5", ""]])
    write_csv(folder / "C82002.csv", ["PRACTICE_CODE", "Job title", "Contracted hours",
                                      "Period", "Extra col", ""],
              [["C82002", "Receptionist", "37.5", "2017-09", "z", ""]])
    write_xlsx(folder / "ccg" / "03W_2017-10.xlsx", [
        ["Title"], None, ["Practice", "Role", "Sex"], ["C82003", "ANP", "F"]])
    (folder / "notes.txt").write_text("not a return", encoding="utf-8")
    (folder / "~$03W_2017-10.xlsx").write_bytes(b"lock")

    df = read_returns(folder)
    assert list(df.columns) == [*CANONICAL, "source_file", "source_row"]
    assert df[["source_file", "source_row", "practice_code", "job_role", "return_period"]
              ].values.tolist() == [
        ["C82001_2017-10.csv", 2, "C82001", "Partner", "2017-10"],
        ["C82001_2017-10.csv", 3, "C82001", "HCA", "2017-10"],
        ["C82002.csv", 2, "C82002", "Receptionist", "2017-09"],
        ["03W_2017-10.xlsx", 4, "C82003", "ANP", "2017-10"],
    ]
    assert df["hours_per_week"].tolist() == ["", "", "37.5", ""]
    assert df["gender"].tolist() == ["", "", "", "F"]
    text = df.drop(columns="source_row")
    assert text.map(lambda v: isinstance(v, str)).all().all()           # all text, no NaN
    assert df.attrs["files"] == ["C82001_2017-10.csv", "C82002.csv", "ccg/03W_2017-10.xlsx"]
    unmapped = df.attrs["unmapped_columns"]
    assert list(unmapped.columns) == ["file", "column"]
    assert unmapped.values.tolist() == [["C82001_2017-10.csv", "Notes"],
                                        ["C82002.csv", "Extra col"]]
