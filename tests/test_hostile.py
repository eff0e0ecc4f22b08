"""Hostile and careless inputs, by category: parameters, files, caches, disclosure,
concurrency, interruption. Each case asserts the exact outcome: a one-line error naming the
file, row or column; a quarantine with its reason; a flagged figure; never a traceback.

This module holds the cases no other test covers. The one place to read what covers the rest:

Parameters
    * ``$(shell ...)`` in a Make variable is never run, values passed literally:
      ``test_report_e2e.py::test_make_parameters_are_data_never_code``.
    * Area values (traversal, substitution, newlines, very long, unwritable ``--out``):
      ``test_bad_inputs.py::test_hostile_area_parameter_is_one_line_config_error``,
      ``test_bad_inputs.py::test_cli_with_hostile_parameters_exits_with_one_line``.
    * ``JOBS=-1`` / non-numeric: ``test_cli.py::test_jobs_must_be_a_positive_integer``;
      switches accept only yes/no (``INTERNAL=0``): ``test_cli.py`` and
      ``test_report_e2e.py::test_internal_mode_turns_suppression_off``.
    * A YAML error names its file:
      ``test_config.py::test_yaml_syntax_error_is_one_line_naming_the_file``; hostile config
      values: ``test_config.py::test_hostile_values_give_one_short_line``.
    * Here: a non-numeric ``GPW_SUPPRESS_BELOW``.
Files
    * Empty files, header-only GPW, short and long rows, missing fields, numbers and dates that
      are not, out-of-range values, non-UTF-8 bytes, zips as CSV, row numbers after blank
      lines and quoted newlines: the corpus in ``test_bad_inputs.py`` (``test_bad_input``),
      ``test_readers.py`` (``test_gpw_errors_name_row_and_column``,
      ``test_gpw_trailing_comma_on_data_rows_does_not_shift_columns``,
      ``test_blank_lines_do_not_shift_row_numbers``), ``test_schema.py`` (declared bounds),
      ``test_fuzz.py`` (arbitrary cells and bytes raise only the project's errors).
    * A GPW file with no rows or no practice of the area stops the run:
      ``test_workforce.py`` / ``tables.context.check_sources_overlap``.
    * A return dated in the future is quarantined:
      ``test_cleaning.py::test_return_dated_in_the_future_is_quarantined_not_carried_forward``;
      exact duplicates:
      ``test_cleaning.py::test_duplicated_rows_change_nothing_but_the_quarantine``.
    * Here: resubmitted returns (later submission wins, audited, counted) and practices whose
      area differs between sources (flagged in the data-quality section).
Caches
    * No pickle; tampered JSON or Parquet entries are not used; FORCE recomputes everything:
      ``test_cache.py``. A changed input outside ``data/raw`` changes the report fingerprint:
      ``test_report_e2e.py::test_a_changed_input_outside_data_raw_changes_the_fingerprint``.
    * Here: the cleaned-returns cache follows the file times that order resubmissions.
Disclosure
    * Primary and secondary suppression, the checker, free text not published verbatim:
      ``test_disclosure.py``; CSV formula prefixes neutralised and HTML escaped:
      ``test_bad_inputs.py::test_report_table_escapes_html_in_cells_caption_and_note`` and
      ``test_report_parts.py``; the draws stated: ``test_report_parts.py``.
    * Every published-mode demo report checked by
      :func:`analysis.report.disclosure.recoverable` and for shown small counts:
      ``test_report_e2e.py::test_no_published_table_reveals_a_small_count``.
    * Here: the data-quality counts of quarantined rows are protected against their total.
Concurrency
    * Here: two ``report`` runs of one area at once; the swap runs one process at a time.
Interruption
    * SIGKILL midway keeps the previous report: ``test_kill.py``.
    * Here: SIGINT and SIGTERM to ``python -m analysis report``: 130 / 143, one line, no
      staging folder or temporary file left, the previous report intact; signals are deferred
      while the new report is swapped in.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.cleaning import pipeline as returns_pipeline
from analysis.cleaning import rules as cleaning
from analysis.config import ROOT, registry, stp_members
from analysis.io.returns import read_returns
from analysis.report import disclosure
from analysis.report import returns as report_returns
from analysis.report.rendering import Report
from analysis.report.runner import FINGERPRINT
from analysis.tables import returns as returns_tables
from analysis.util.atomic import guarded_swap
from analysis.util.errors import ConfigError

REFERENCE = pd.DataFrame({
    "practice_code": ["C82001", "C82002", "C82003", "M88001"],
    "ccg_code": ["03W", "03W", "04C", "06A"],
    "registered_patients": [10000, 3000, 8000, 5000],
    "open_date": pd.to_datetime(["1974-04-01"] * 4),
    "close_date": pd.to_datetime([None] * 4),
})
HEADER = "Practice Code,Month,Staff ID,Role,Gender,Age,Sessions"
T0 = 1_500_000_000 * 10**9  # file times, nanoseconds


def write(folder: Path, name: str, rows: list[str], mtime_ns: int | None = None,
          header: str = HEADER) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def clean_folder(folder: Path) -> tuple[pd.DataFrame, cleaning.CleanResult]:
    raw = read_returns(folder)
    res = cleaning.clean_returns(raw, REFERENCE)
    cleaning.check_accounting(raw, res)
    return raw, res


def reasons(res: cleaning.CleanResult) -> dict[tuple[str, int], str | None]:
    a = res.audit
    return {(f, int(r)): (None if pd.isna(x) else x)
            for f, r, x in zip(a["source_file"], a["source_row"], a["reason"], strict=True)}


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", "-1", "5.5", "1e3", "5; rm -rf /"])
def test_parameters_non_numeric_suppression_setting_is_one_line(monkeypatch, value):
    monkeypatch.setenv(disclosure.ENV, value)
    with pytest.raises(ConfigError) as err:
        disclosure.threshold()
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("GPW_SUPPRESS_BELOW=") and "expected a whole number" in msg


@pytest.mark.parametrize(("value", "expected"), [("0", 0), (" 7 ", 7), ("", 5)])
def test_parameters_numeric_suppression_setting_is_used(monkeypatch, value, expected):
    monkeypatch.setenv(disclosure.ENV, value)
    from analysis.config import settings

    default = settings().report.disclosure.suppress_below
    assert disclosure.threshold() == (default if value == "" else expected)


# ---------------------------------------------------------------------------------------------
# Files: resubmitted returns
# ---------------------------------------------------------------------------------------------
def test_files_resubmission_in_a_later_file_wins_and_is_audited(tmp_path):
    write(tmp_path, "a.csv", ["C82001,2017-10,S1,Partner,F,40,9",
                              "C82001,2017-10,S2,Partner,F,41,4",
                              "C82002,2017-10,S9,Partner,F,42,9"], T0)
    # the practice corrects S2's sessions and adds S3; S1 is repeated unchanged
    write(tmp_path, "b.csv", ["C82001,2017-10,S1,Partner,F,40,9",
                              "C82001,2017-10,S2,Partner,F,41,6",
                              "C82001,2017-10,S3,Partner,M,50,3"], T0 + 60 * 10**9)
    _, res = clean_folder(tmp_path)
    later = pd.Timestamp(T0 + 60 * 10**9, unit="ns")
    why = (f"resubmitted: superseded by the later submission in b.csv "
           f"(file modified {later:%Y-%m-%d %H:%M:%S})")
    assert reasons(res) == {("a.csv", 2): why, ("a.csv", 3): why, ("a.csv", 4): None,
                            ("b.csv", 2): None, ("b.csv", 3): None, ("b.csv", 4): None}
    st = res.staff.set_index("staff_id")
    assert sorted(st.index) == ["S1", "S2", "S3", "S9"]          # each person once
    assert st.loc["S2", "wte"] == pytest.approx(6 / 9)           # the corrected value
    assert st.loc["S1", "source_file"] == "b.csv"
    assert cleaning.resubmitted_returns(res.audit) == 1
    rules = cleaning.outcome_by_rule(res).set_index("rule_or_reason")["rows"]
    assert rules["resubmitted: superseded by the later submission"] == 2


def test_files_resubmission_order_follows_file_time_not_name(tmp_path):
    write(tmp_path, "a.csv", ["C82001,2017-10,S1,Partner,F,40,2"], T0 + 10**9)
    write(tmp_path, "b.csv", ["C82001,2017-10,S1,Partner,F,40,9"], T0)
    _, res = clean_folder(tmp_path)
    assert res.staff["source_file"].tolist() == ["a.csv"]
    assert res.audit.set_index("source_file").loc["b.csv", "reason"].startswith(
        "resubmitted: superseded by the later submission in a.csv (file modified ")


def test_files_submission_stamps_order_two_submissions_in_one_file(tmp_path):
    header = HEADER + ",Date submitted"
    write(tmp_path, "ccg.csv", ["C82001,2017-10,S1,Partner,F,40,9,2017-11-02 09:00",
                                "C82001,2017-10,S2,Partner,F,41,9,2017-11-02 09:00",
                                "C82001,2017-10,S1,Partner,F,40,4.5,2017-11-05",
                                "C82002,2017-10,S9,Partner,F,42,9,2017-11-01"], header=header)
    _, res = clean_folder(tmp_path)
    why = ("resubmitted: superseded by the later submission in ccg.csv "
           "(submitted 2017-11-05 00:00:00)")
    assert list(reasons(res).values()) == [why, why, None, None]
    assert res.staff.set_index("staff_id")["wte"].to_dict() == pytest.approx(
        {"S1": 0.5, "S9": 1.0})


def test_files_a_stamp_beats_an_older_file_time_and_bad_stamps_are_quarantined(tmp_path):
    write(tmp_path, "a.csv", ["C82001,2017-10,S1,Partner,F,40,9,2030-01-01",
                              "C82002,2017-10,S9,Partner,F,40,9,next tuesday"],
          T0, header=HEADER + ",Submitted")
    write(tmp_path, "b.csv", ["C82001,2017-10,S1,Partner,F,40,3"], T0 + 10**9)
    _, res = clean_folder(tmp_path)
    got = reasons(res)
    assert got[("a.csv", 2)] is None  # stamped 2030: later than b.csv's file time
    assert got[("b.csv", 2)] == ("resubmitted: superseded by the later submission in a.csv "
                                 "(submitted 2030-01-01 00:00:00)")
    assert got[("a.csv", 3)] == "submission stamp is not a date: 'next tuesday'"


def test_files_exact_copy_of_a_file_is_duplicates_not_a_resubmission(tmp_path):
    rows = ["C82001,2017-10,S1,Partner,F,40,9", "C82001,2017-10,S2,Partner,F,41,4"]
    write(tmp_path, "a.csv", rows, T0)
    write(tmp_path, "z_copy.csv", rows, T0 + 10**9)
    _, res = clean_folder(tmp_path)
    got = reasons(res)
    assert got[("z_copy.csv", 2)] == "exact duplicate of a.csv row 2"
    assert got[("z_copy.csv", 3)] == "exact duplicate of a.csv row 3"
    assert got[("a.csv", 2)] is None and got[("a.csv", 3)] is None
    assert cleaning.resubmitted_returns(res.audit) == 0


def test_files_resubmissions_nothing_orders_are_all_quarantined(tmp_path):
    write(tmp_path, "a.csv", ["C82001,2017-10,S1,Partner,F,40,9"], T0)
    write(tmp_path, "b.csv", ["C82001,2017-10,S1,Partner,F,40,4"], T0)
    _, res = clean_folder(tmp_path)
    why = ("resubmitted: C82001 2017-10 in a.csv, b.csv with nothing to tell which is later "
           "(same submission stamp or file time)")
    assert res.audit["reason"].tolist() == [why, why]
    assert res.staff.empty
    assert cleaning.resubmitted_returns(res.audit) == 1


def test_files_two_files_of_one_name_in_two_folders_are_told_apart(tmp_path):
    write(tmp_path / "x", "return.csv", ["C82001,2017-10,S1,Partner,F,40,9"], T0)
    write(tmp_path / "y", "return.csv", ["C82001,2017-10,S1,Partner,F,40,4"], T0 + 10**9)
    _, res = clean_folder(tmp_path)
    assert res.audit["source_file"].tolist() == ["x/return.csv", "y/return.csv"]
    assert res.audit["reason"][0].startswith(
        "resubmitted: superseded by the later submission in y/return.csv")
    assert res.staff["wte"].tolist() == pytest.approx([4 / 9])


def test_files_data_quality_headline_counts_resubmissions():
    from analysis.report.rendering import render

    text = render("returns_data_quality.md.j2", stp="X", files=2, raw="3", kept="3",
                  corrected="0", quarantined="0", period="2017-10", received=1, carried=0,
                  estimated=0, missing=0, practices=1, resubmitted=2)
    assert "**2 practice returns were resubmitted**" in text
    quiet = render("returns_data_quality.md.j2", stp="X", files=2, raw="3", kept="3",
                   corrected="0", quarantined="0", period="2017-10", received=1, carried=0,
                   estimated=0, missing=0, practices=1, resubmitted=0)
    assert "resubmitted" not in quiet


# ---------------------------------------------------------------------------------------------
# Files: a practice in two areas
# ---------------------------------------------------------------------------------------------
def _context(tmp_path: Path) -> returns_pipeline.ReturnsContext:
    # LLR returns: a CCG file named 03W holding a 04C practice; a practice file of a
    # Wolverhampton (06A) practice in the LLR folder; a practice where it belongs
    write(tmp_path, "03W_workforce_2017-10.csv", ["C82001,2017-10,S1,Partner,F,40,9",
                                                  "C82003,2017-10,S2,Partner,F,40,9"], T0)
    write(tmp_path, "M88001_2017-10.csv", ["M88001,2017-10,S3,Partner,F,40,9"], T0)
    write(tmp_path, "C82002_2017-10.csv", ["C82002,2017-10,S4,Partner,F,40,9"], T0)
    raw, res = clean_folder(tmp_path)
    accounting = cleaning.check_accounting(raw, res)
    res = cleaning.complete_returns(res, REFERENCE, ["03W", "04C", "04V"])
    llr = registry()["llr"]
    return returns_pipeline.ReturnsContext(
        area=llr, stp=llr, ccgs=stp_members("llr"), period="2017-10", periods=["2017-10"],
        folder=tmp_path, files=raw.attrs["files"], raw_rows=len(raw),
        accounting=accounting, result=res, reference=REFERENCE,
        unmapped=raw.attrs["unmapped_columns"], groups=None)


def test_files_practice_in_two_areas_is_flagged(tmp_path):
    ctx = _context(tmp_path / "returns")
    codes = {a.code for a in registry().values() if a.kind == "ccg"}
    got = returns_tables.returns_area_mismatches(ctx.result.audit, REFERENCE,
                                                 ["03W", "04C", "04V"], codes)
    assert got.to_dict("records") == [
        {"practice_code": "C82003", "source_a": "returns: 03W_workforce_2017-10.csv",
         "area_a": "03W", "source_b": "practice reference", "area_b": "04C"},
        {"practice_code": "M88001", "source_a": "returns: M88001_2017-10.csv",
         "area_a": "STP of the returns folder (03W, 04C, 04V)", "source_b": "practice reference",
         "area_b": "06A"}]
    # never moved: counted where the reference puts them
    assert ctx.staff.set_index("practice_code")["ccg_code"].to_dict() == {
        "C82001": "03W", "C82003": "04C", "M88001": "06A", "C82002": "03W"}
    # and shown in the data-quality section, table and CSV
    rpt = Report(tmp_path / "out", chapter=1)
    parts = report_returns.data_quality_tables(ctx, rpt)
    names = [getattr(p, "name", None) for p in parts]
    assert "returns_area_mismatches" in names
    csv = pd.read_csv(tmp_path / "out" / "tables" / "returns_area_mismatches.csv", dtype=str)
    assert csv["practice_code"].tolist() == ["C82003", "M88001"]
    assert csv["area_b"].tolist() == ["04C", "06A"]


def test_files_gpw_file_placing_a_practice_elsewhere_is_flagged():
    gpw = pd.DataFrame({"PRAC_CODE": ["C82001", "C82002", "C82003", "Z00009"],
                        "SUB_ICB_CODE": ["03W", "04V", "04C", "03W"]})
    gpw.attrs["path"] = "/somewhere/gpw_practice_level_detailed_2017-06.csv"
    got = returns_tables.gpw_area_mismatches(gpw, REFERENCE, ["03W", "04C", "04V"])
    assert got.to_dict("records") == [
        {"practice_code": "C82002", "source_a": "GPW: gpw_practice_level_detailed_2017-06.csv",
         "area_a": "04V", "source_b": "practice reference", "area_b": "03W"}]
    assert returns_tables.gpw_area_mismatches(gpw.drop(columns="SUB_ICB_CODE"), REFERENCE,
                                              ["03W"]).empty


# ---------------------------------------------------------------------------------------------
# Caches
# ---------------------------------------------------------------------------------------------
def test_caches_cleaned_returns_follow_the_file_times_that_order_resubmissions(tmp_path):
    a = write(tmp_path, "a.csv", ["C82001,2017-10,S1,Partner,F,40,9"], T0)
    write(tmp_path, "b.csv", ["C82001,2017-10,S1,Partner,F,40,4"], T0 + 10**9)
    limits = cleaning.Limits()
    ref = tmp_path / "ref.csv"
    ref.write_text("x\n")
    before = returns_pipeline._cache_key(tmp_path, ref, limits, ["03W"])
    assert returns_pipeline._cache_key(tmp_path, ref, limits, ["03W"]) == before
    os.utime(a, ns=(T0 + 2 * 10**9, T0 + 2 * 10**9))  # a.csv is now the later submission
    assert returns_pipeline._cache_key(tmp_path, ref, limits, ["03W"]) != before


# ---------------------------------------------------------------------------------------------
# Disclosure
# ---------------------------------------------------------------------------------------------
def test_disclosure_quarantine_counts_are_protected_against_the_headline_total(tmp_path,
                                                                               monkeypatch):
    monkeypatch.setenv(disclosure.ENV, "5")
    rows = [f"C82001,2017-10,S{i},Partner,F,40,9" for i in range(12)]
    rows += ["C82001,2017-10,X1,Partner,F,12,9"]                               # under 18
    rows += [f"C82001,2017-10,A{i},Astronaut,F,40,9" for i in range(5)]       # unknown label
    rows += [f"Z9999{i},2017-10,Y{i},Partner,F,40,9" for i in range(6)]       # unknown practice
    write(tmp_path / "returns", "a.csv", rows, T0)
    ctx = _context_from(tmp_path / "returns")
    table = report_returns.quarantine_counts(ctx)
    q = table[table["outcome"] == "quarantined"].set_index("rule_or_reason")["rows"]
    # 12 quarantined in the headline = 6 + 1 + 5: the 1 is hidden, and so is the 5, or
    # 12 - 6 - 5 would give it back
    assert ctx.accounting["quarantined"] == 12
    assert pd.isna(q["age is under 18"]) and pd.isna(q["unknown role label"])
    assert q["unknown practice code"] == 6
    assert table.attrs["suppressed"] == {"primary": 1, "secondary": 1}
    assert disclosure.recoverable(table, "rows", report_returns.quarantine_totals(table)) == []
    # the unknown labels' counts would add up to the hidden 5: hidden too
    rpt = Report(tmp_path / "out", chapter=1)
    report_returns.data_quality_tables(ctx, rpt)
    labels = pd.read_csv(tmp_path / "out" / "tables" / "returns_unknown_labels.csv")
    assert labels["label"].tolist() == ["unlisted label 1"] and labels["rows"].isna().all()


def _context_from(folder: Path) -> returns_pipeline.ReturnsContext:
    raw, res = clean_folder(folder)
    accounting = cleaning.check_accounting(raw, res)
    res = cleaning.complete_returns(res, REFERENCE, ["03W", "04C", "04V"])
    llr = registry()["llr"]
    return returns_pipeline.ReturnsContext(
        area=llr, stp=llr, ccgs=stp_members("llr"), period="2017-10", periods=["2017-10"],
        folder=folder, files=raw.attrs["files"], raw_rows=len(raw),
        accounting=accounting, result=res, reference=REFERENCE,
        unmapped=raw.attrs["unmapped_columns"], groups=None)


# ---------------------------------------------------------------------------------------------
# Concurrency and interruption: real runs of `python -m analysis report`
# ---------------------------------------------------------------------------------------------
SLUG = "walsall"


def _start(out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis", "report", "--ccg", SLUG,
                             "--out", str(out), "--force"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def _leftovers(out: Path) -> list[str]:
    """Staging folders, set-aside reports and temporary files anywhere under ``out``."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.name.startswith(f".{SLUG}-") or p.name.endswith(".tmp"))


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    proc = _start(out)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stdout + stderr
    return out


@pytest.mark.e2e
def test_concurrency_two_runs_of_one_area_at_once(published):
    first, second = _start(published), _start(published)
    results = [p.communicate(timeout=900) for p in (first, second)]
    codes = [first.returncode, second.returncode]
    for code, (_, stderr) in zip(codes, results, strict=True):
        assert "Traceback" not in stderr
        if code != 0:  # the one that lost may fail, with one line
            assert code == 1 and stderr.count("\n") == 1 and stderr.startswith("error: ")
    assert 0 in codes
    report = published / SLUG / "report.html"
    assert report.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert (published / SLUG / FINGERPRINT).read_text().strip() != ""
    assert _leftovers(published) == []


@pytest.mark.e2e
@pytest.mark.parametrize(("sig", "status", "line"), [(signal.SIGINT, 130, "interrupted"),
                                                      (signal.SIGTERM, 143, "terminated")])
def test_interruption_stops_with_one_line_and_leaves_nothing(published, sig, status, line):
    before = _digest(published / SLUG)
    proc = _start(published)
    deadline = time.time() + 300
    while not any(p.name.startswith(f".{SLUG}-") for p in published.iterdir()):
        assert proc.poll() is None and time.time() < deadline, "no staging folder appeared"
        time.sleep(0.1)
    time.sleep(2)  # executing the chapters
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == status, stdout + stderr
    assert stderr == f"{line}\n"
    assert _leftovers(published) == []
    assert _digest(published / SLUG) == before  # the previous report, untouched


def test_interruption_is_deferred_while_the_report_is_swapped_in(tmp_path):
    caught = []
    try:
        with guarded_swap(tmp_path):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            caught.append("block finished")
    except KeyboardInterrupt:
        caught.append("interrupted after")
    assert caught == ["block finished", "interrupted after"]


def test_concurrency_the_swap_runs_one_process_at_a_time(tmp_path):
    probe = ("import fcntl, os, sys\n"
             "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
             "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
             "except BlockingIOError:\n    print('busy')\nelse:\n    print('free')\n")
    run = [sys.executable, "-c", probe, str(tmp_path)]
    with guarded_swap(tmp_path):
        inside = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    after = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert (inside.strip(), after.strip()) == ("busy", "free")
    assert list(tmp_path.iterdir()) == []  # nothing created for the lock
