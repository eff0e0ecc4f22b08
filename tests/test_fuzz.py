"""Fuzzing (issue 7, item 6): readers and cleaning rules against arbitrary text and numbers.

Property: whatever is typed into a cell (control characters, quotes, commas, newlines, NaN,
infinities, huge and tiny floats) or whatever bytes a file holds, a reader either returns a
table or raises the project's own error (:class:`~analysis.util.errors.GPWorkforceError`), never
anything else; the cleaning rules never raise and keep ``raw = kept + corrected +
quarantined``. The valid files the cells are written into are the bad-input corpus's
(``tests/test_bad_inputs.py``). Sizes are modest so the file runs in well under a minute.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from test_bad_inputs import BASES, READERS, REFERENCE, file_of

from analysis.cleaning import rules as cleaning
from analysis.io import urgent_care as uio
from analysis.io.readers import check_field_counts, parse_numeric
from analysis.io.returns import CANONICAL, load_lookup
from analysis.util.errors import GPWorkforceError, InputError

# A reader given huge or infinite values (and numpy under it) must not warn either: warnings
# are errors here, so each one is found and fixed where it arises.
pytestmark = pytest.mark.filterwarnings("error")


def fuzz(examples: int):
    """Settings for a test; ``FUZZ_SCALE=10`` in the environment runs ten times as many."""
    scale = float(os.environ.get("FUZZ_SCALE", "1"))
    return settings(max_examples=max(1, int(examples * scale)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


SETTINGS = fuzz(100)

# Text with everything a typed cell can hold: control characters, quotes, commas, newlines.
CHARS = st.characters(blacklist_categories=("Cs",))  # lone surrogates cannot be written
SPECIAL = st.sampled_from(["", " ", ",", '"', "'", "\n", "\r\n", "\t", "\x00", "\x1b", "ND",
                           "NA", "*", "-", "NaN", "nan", "inf", "-inf", "1e999", "-0",
                           "1,234", "12,5", "<script>", "=1+1", "\ufeff", "é", "None",
                           "null", "#N/A", "31/02/2017", "2999-12-31", "0000-00-00"])
FLOAT_TEXT = st.floats(allow_nan=True, allow_infinity=True).map(
    lambda x: st.sampled_from([repr(x), str(x), f"{x:,}" if np.isfinite(x) else str(x),
                               f"{x:.2e}"]))
CELL = st.one_of(st.text(CHARS, max_size=20), SPECIAL,
                 st.floats(allow_nan=True, allow_infinity=True).map(repr),
                 st.integers(-10**12, 10**12).map(str), FLOAT_TEXT.flatmap(lambda s: s))


def _table_with(kind: str, edits: list[tuple[int, int, str]], raw_line: str | None):
    """The valid file of ``kind`` with cells replaced (row and column indices wrap around),
    and optionally one line of raw unquoted text inserted after the header."""
    t = BASES[kind]()
    head = t.header_line
    n_rows = len(t.lines) - head
    for r, c, value in edits:
        line = head + 1 + r % n_rows
        rec = t.lines[line - 1]
        rec[c % len(rec)] = value
    text = t.text()
    if raw_line is not None:
        lines = text.split("\n")
        lines.insert(head, raw_line)
        text = "\n".join(lines)
    return t, text


def _write(kind: str, folder: Path, t, text: str) -> Path:
    if t.suffix == ".xlsx":
        t.lines = [[ILLEGAL_CHARACTERS_RE.sub("", v) for v in rec] for rec in t.lines]
        return file_of(t)(folder)
    path = folder / "input_2017-10.csv"
    path.write_bytes(text.encode(t.encoding, errors="replace"))
    return path


def _read(kind: str, path: Path):
    """The reader's result, or None when it raised the project's error; anything else fails."""
    try:
        return READERS[kind](path)
    except GPWorkforceError as exc:
        msg = str(exc)
        assert len(msg.splitlines()) == 1, msg  # one line on the analyst's terminal
        return None


EDITS = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 900), CELL), min_size=1,
                 max_size=6)


@pytest.mark.parametrize("kind", sorted(BASES))
@fuzz(40)
@given(edits=EDITS, raw_line=st.one_of(st.none(), st.text(CHARS, max_size=60)))
def test_arbitrary_cells_only_raise_the_projects_error(kind, edits, raw_line):
    t, text = _table_with(kind, edits, raw_line)
    with tempfile.TemporaryDirectory() as tmp:
        result = _read(kind, _write(kind, Path(tmp), t, text))
    if isinstance(result, cleaning.CleanResult):  # local returns: every row accounted for
        audit = result.audit
        assert set(audit["outcome"]) <= {"kept", "corrected", "quarantined"}
        assert (audit["outcome"] == "quarantined").sum() + len(result.staff) \
            + len(result.vacancies) == len(audit)


@pytest.mark.parametrize("kind", sorted(k for k in BASES if k != "returns_xlsx"))
@fuzz(30)
@given(data=st.binary(max_size=400), keep=st.integers(0, 2000))
def test_arbitrary_bytes_only_raise_the_projects_error(kind, data, keep):
    """Random bytes, alone or after the first ``keep`` bytes of a valid file."""
    valid = BASES[kind]().data()
    with tempfile.TemporaryDirectory() as tmp:
        for blob in (data, valid[:keep] + data):
            path = Path(tmp) / "input_2017-10.csv"
            path.write_bytes(blob)
            _read(kind, path)
            try:
                check_field_counts(path)
            except InputError:
                pass


@SETTINGS
@given(values=st.lists(CELL, max_size=30), allow_negative=st.booleans(),
       integer=st.booleans())
def test_parse_numeric_returns_numbers_or_names_the_row(values, allow_negative, integer):
    s = pd.Series(values, dtype=object)
    try:
        out = parse_numeric(s, "f.csv", "X", allow_negative=allow_negative, integer=integer)
    except InputError as exc:
        assert exc.row is not None and 2 <= exc.row <= len(values) + 1 and exc.column == "X"
        return
    assert len(out) == len(values)
    nums = out.astype("float64").dropna()
    assert np.isfinite(nums).all()
    if not allow_negative:
        assert (nums >= 0).all()
    markers = s.astype(str).str.strip().str.upper().isin(["", "ND", "NA"])
    assert out[markers.to_numpy()].isna().all()  # markers are missing, never zero


# ---------------------------------------------------------------------------------------------
# Cleaning rules
# ---------------------------------------------------------------------------------------------
@SETTINGS
@given(values=st.lists(CELL, max_size=40))
def test_to_number_never_raises_and_gives_finite_or_nan(values):
    out = cleaning.to_number(pd.Series(values, dtype=object))
    assert len(out) == len(values) and out.dtype == float
    assert (np.isfinite(out) | out.isna()).all()
    blank = pd.Series(values, dtype=object).str.strip().str.upper().isin(["", "ND", "NA"])
    assert out[blank.to_numpy()].isna().all()


DATE_TEXT = st.one_of(
    CELL,
    st.dates(min_value=pd.Timestamp("1000-01-01").date()).flatmap(lambda d: st.sampled_from([
        d.isoformat(), d.strftime("%d/%m/%Y"), d.strftime("%d/%m/%y"), d.strftime("%d %b %Y"),
        d.strftime("%d-%b-%Y"), f"{d.isoformat()} 00:00:00"])))


@SETTINGS
@given(values=st.lists(DATE_TEXT, max_size=40))
def test_parse_date_never_raises(values):
    s = pd.Series(values, dtype=object)
    out = cleaning.parse_date(s)
    assert len(out) == len(values) and str(out.dtype) == "datetime64[ns]"
    assert out.index.equals(s.index)


BAND = st.one_of(
    st.tuples(st.integers(0, 130), st.integers(0, 130), st.sampled_from(["-", " to ", "- "]))
    .map(lambda t: (f"{min(t[:2])}{t[2]}{max(t[:2])}", min(t[:2]), max(t[:2]))),
    st.integers(0, 130).map(lambda a: (f"{a}+", a, max(a, 120))),
    st.integers(1, 130).map(lambda a: (f"Under {a}", 0, a - 1)))


@SETTINGS
@given(values=st.lists(CELL, max_size=40), bands=st.lists(BAND, max_size=20))
def test_band_bounds_never_raises_and_reads_well_formed_bands(values, bands):
    lo, hi = cleaning.band_bounds(pd.Series(values, dtype=object))
    assert len(lo) == len(hi) == len(values)
    lo, hi = cleaning.band_bounds(pd.Series([b[0] for b in bands], dtype=object))
    assert lo.tolist() == [float(b[1]) for b in bands]
    assert hi.tolist() == [float(b[2]) for b in bands]
    assert (lo <= hi).all()


ROLE_LABELS = sorted(load_lookup()["roles"]) + sorted(load_lookup()["generic"])


@SETTINGS
@given(rows=st.lists(st.tuples(st.one_of(CELL, st.sampled_from(ROLE_LABELS)),
                               st.one_of(CELL, st.sampled_from(ROLE_LABELS))), max_size=40))
def test_map_roles_never_raises_and_never_guesses(rows):
    job = pd.Series([r[0] for r in rows], dtype=object)
    emp = pd.Series([r[1] for r in rows], dtype=object)
    out = cleaning.map_roles(job, emp)
    assert len(out) == len(rows)
    assert (out["staff_group"].isna() == out["role"].isna()).all()
    known = {v[1] for v in load_lookup()["roles"].values()}
    assert set(out["role"].dropna()) <= known


@SETTINGS
@given(values=st.lists(st.one_of(CELL, st.sampled_from(["F", "m", " Female ", "MALE", "x"])),
                       max_size=40))
def test_map_gender_gives_f_m_u_or_missing(values):
    out = cleaning.map_gender(pd.Series(values, dtype=object))
    assert set(out.dropna()) <= {"F", "M", "U"}
    blank = pd.Series(values, dtype=object).str.strip() == ""
    assert (out[blank.to_numpy()] == "U").all()


# Raw frames as read_returns gives them: each field valid, junk or arbitrary.
POOLS = {
    "practice_code": ["C82001", " c82002 ", "Z99999", ""],
    "return_period": ["2017-10", "2017/10", "2017-13", "", "Oct 2017"],
    "record_type": ["Staff", "Vacancy", "", "other"],
    "staff_id": ["S1", "S2", " S3 ", ""],
    "job_role": ["Partner", "GP", "Practice Nurse", "Volunteer", "", "Salaried GP"],
    "gender": ["F", "m", "", "zz"],
    "date_of_birth": ["1970-01-01", "2090-01-01", "31/02/1960", "", "ND"],
    "age": ["40", "0", "150", "", "NA", "*"],
    "age_band": ["55-59", "70+", "Under 25", "", "old"],
    "sessions_per_week": ["9", "-1", "1e999", "", "NA", "nine", "20"],
    "hours_per_week": ["37.5", "", "x", "0"],
    "employment_type": ["Salaried", "Partner", "", "Locum"],
    "start_date": ["2010-01-01", "2090-01-01", "9999-12-31", "", "bad"],
    "leaving_date": ["", "2017-10-15", "2999-01-01", "2009-01-01"],
    "vacancy_wte": ["", "1", "-1", "NA"],
    "open_since": ["", "2017-01-01", "bad"],
}
RAW_ROW = st.fixed_dictionaries({c: st.one_of(st.sampled_from(POOLS.get(c, [""])), CELL)
                                 for c in CANONICAL})


@fuzz(50)
@given(rows=st.lists(RAW_ROW, max_size=25), dup=st.booleans())
def test_clean_returns_never_raises_and_keeps_the_accounting(rows, dup):
    if dup and rows:
        rows = rows + rows[:1]
    raw = pd.DataFrame(rows, columns=CANONICAL).astype(object)
    raw["source_file"] = "a.csv"
    raw["source_row"] = np.arange(2, len(raw) + 2, dtype=int)
    res = cleaning.clean_returns(raw, REFERENCE)
    counts = cleaning.check_accounting(raw, res)
    assert counts["raw"] == len(raw)
    audit = res.audit
    q = audit["outcome"] == "quarantined"
    assert audit.loc[q, "reason"].notna().all() and audit.loc[~q, "reason"].isna().all()
    assert len(res.staff) + len(res.vacancies) == int((~q).sum())
    st_ = res.staff
    assert st_["practice_code"].isin(REFERENCE["practice_code"]).all()
    assert st_["wte"].between(0, 2).all()
    assert st_["age"].dropna().between(18, 80).all()
    assert (res.vacancies["vacancy_wte"] > 0).all()


@SETTINGS
@given(text=st.text(CHARS, max_size=300))
def test_ecds_and_iucadc_period_parsers_never_raise(text):
    assert uio.parse_iucadc_period(text) is None or isinstance(uio.parse_iucadc_period(text),
                                                                 pd.Timestamp)
    try:
        uio.parse_datetimes(pd.Series([text, "2024-04-01 18:35"]), "f.csv", "call_start")
    except InputError as exc:
        assert exc.row == 2 and exc.column == "call_start"


def test_csv_text_with_every_special_value_round_trips_as_text():
    """A sanity check of the writer the fuzzing relies on: csv quoting keeps cells intact."""
    values = ['a,b', 'say "hi"', "two\nlines", "\r\n", "é", "<b>"]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    assert next(csv.reader(io.StringIO(buf.getvalue()))) == values
