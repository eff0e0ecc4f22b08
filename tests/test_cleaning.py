"""Cleaning rules for local staff-level returns (analysis.cleaning.rules).

Field rules are checked against edge-case tables; :func:`clean_returns` on small hand-built raw
frames (one row per case); the accounting invariant ``raw = kept + corrected + quarantined`` and
the WTE and de-duplication properties over seeded random messy frames (``hypothesis`` is not
installed in the venv, so the property tests are seeded loops over generated frames);
:func:`complete_returns` carry-forward and donor estimation; headcount vs WTE in Table 3.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from analysis.cleaning import rules as cleaning
from analysis.io.returns import CANONICAL
from analysis.tables.returns import table3

REFERENCE = pd.DataFrame({
    "practice_code": ["C82001", "C82002", "C82003", "C82004", "B10001", "C82009", "Z00001"],
    "ccg_code": ["03W", "03W", "03W", "03W", "04C", "03W", "99Z"],
    "registered_patients": [10000, 3000, 8000, 6000, 5900, 500, 4000],
    "open_date": pd.to_datetime(["1974-04-01"] * 7),
    "close_date": pd.to_datetime([None, None, None, None, None, "2017-06-30", None]),
})

# a row that every rule accepts as typed (period 2017-10 ends 2017-10-31)
BASE = {
    "practice_code": "C82001", "return_period": "2017-10", "record_type": "Staff",
    "staff_id": "S1", "staff_group": "GP", "job_role": "Partner", "gender": "F",
    "date_of_birth": "1970-01-01", "age": "", "age_band": "", "sessions_per_week": "9",
    "hours_per_week": "", "employment_type": "", "start_date": "2010-01-01", "leaving_date": "",
    "vacancy_wte": "", "open_since": "",
}
VACANCY = {"record_type": "Vacancy", "staff_id": "", "job_role": "Salaried GP", "gender": "",
           "date_of_birth": "", "sessions_per_week": "", "start_date": "", "vacancy_wte": "1"}


def raw_frame(*rows: dict) -> pd.DataFrame:
    """Raw text frame as read_returns gives it: BASE updated by each dict, a.csv rows 2, 3..."""
    recs = [{**BASE, "source_file": "a.csv", **r} for r in rows]
    raw = pd.DataFrame(recs, columns=[*CANONICAL, "source_file"]).astype(object)
    raw["source_row"] = np.arange(2, len(recs) + 2, dtype=int)
    return raw


def clean(*rows: dict, limits: cleaning.Limits | None = None) -> cleaning.CleanResult:
    raw = raw_frame(*rows)
    res = cleaning.clean_returns(raw, REFERENCE, limits)
    cleaning.check_accounting(raw, res)  # every case below also checks the invariant
    return res


def s(values) -> pd.Series:
    return pd.Series(values, dtype=object)


# ---------------------------------------------------------------------------------------------
# Field rules
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sessions", "wte"), [(9, 1.0), (4.5, 0.5), (0, 0.0), (18, 2.0),
                                               (1, 1 / 9)])
def test_sessions_to_wte(sessions, wte):
    assert cleaning.sessions_to_wte(pd.Series([float(sessions)]))[0] == pytest.approx(wte)


@pytest.mark.parametrize(("hours", "wte"), [(37.5, 1.0), (18.75, 0.5), (0, 0.0), (7.5, 0.2)])
def test_hours_to_wte(hours, wte):
    assert cleaning.hours_to_wte(pd.Series([float(hours)]))[0] == pytest.approx(wte)


@pytest.mark.parametrize(("text", "number"), [
    ("9", 9.0), (" 4.5 ", 4.5), ("1,000", 1000.0), ("-1", -1.0), ("", None), ("nine", None),
    ("inf", None), ("1e400", None), ("nan", None),
])
def test_to_number(text, number):
    got = cleaning.to_number(s([text]))[0]
    assert (np.isnan(got) if number is None else got == number)


@pytest.mark.parametrize(("text", "expected"), [
    ("2017-10-31", "2017-10-31"), ("31/10/2017", "2017-10-31"), ("31/10/17", "2017-10-31"),
    ("1 Oct 2017", "2017-10-01"), ("01-Oct-2017", "2017-10-01"), ("31-10-2017", "2017-10-31"),
    (" 2017-10-31 ", "2017-10-31"), ("1980-05-01 00:00:00", "1980-05-01"),
    ("", None), ("not a date", None), ("29/02/2017", None), ("2017-13-01", None),
])
def test_parse_date(text, expected):
    got = cleaning.parse_date(s([text]))[0]
    assert (pd.isna(got) if expected is None else got == pd.Timestamp(expected))


@pytest.mark.parametrize(("dob", "on", "age"), [
    ("1960-10-30", "2017-10-31", 57),   # birthday the day before
    ("1960-10-31", "2017-10-31", 57),   # on the birthday
    ("1960-11-01", "2017-10-31", 56),   # birthday the day after
    ("1960-12-31", "2017-01-01", 56),
    ("1960-02-29", "2017-02-28", 56),   # leap-day birthday not reached on 28 Feb
    ("1960-02-29", "2017-03-01", 57),
])
def test_age_from_dob_around_birthdays(dob, on, age):
    got = cleaning.age_from_dob(pd.Series(pd.to_datetime([dob])), pd.Series(pd.to_datetime([on])))
    assert got[0] == age


def test_age_from_dob_missing_dob_is_missing():
    got = cleaning.age_from_dob(pd.Series(pd.to_datetime([None])),
                                pd.Series(pd.to_datetime(["2017-10-31"])))
    assert pd.isna(got[0])


@pytest.mark.parametrize(("band", "lo", "hi"), [
    ("55-59", 55, 59), ("55 - 59", 55, 59), ("55 to 59", 55, 59), ("70+", 70, 120),
    ("70 plus", 70, 120), ("Under 25", 0, 24), ("under 25", 0, 24), ("", None, None),
    ("old", None, None),
])
def test_band_bounds(band, lo, hi):
    got_lo, got_hi = cleaning.band_bounds(s([band]))
    if lo is None:
        assert np.isnan(got_lo[0]) and np.isnan(got_hi[0])
    else:
        assert (got_lo[0], got_hi[0]) == (lo, hi)


@pytest.mark.parametrize(("age", "band"), [
    (18, "Under 25"), (24, "Under 25"), (24.9, "Under 25"), (25, "25-29"), (29, "25-29"),
    (54, "50-54"), (55, "55-59"), (69, "65-69"), (70, "70+"), (80, "70+"),
])
def test_age_band_edges(age, band):
    assert cleaning.age_band(pd.Series([age]))[0] == band


def test_age_band_missing_age_is_missing():
    assert pd.isna(cleaning.age_band(pd.Series([np.nan]))[0])


@pytest.mark.parametrize(("label", "employment", "group", "role"), [
    (" gp partner ", "", "GP", "Partner"),
    ("GP PARTNER", "", "GP", "Partner"),
    ("ANP", "", "Nurses", "Advanced Nurse Practitioner"),
    ("HCA", "", "Direct Patient Care", "Health Care Assistant"),
    ("GP", "Salaried", "GP", "Salaried GP"),
    ("gp", " partner ", "GP", "Partner"),
    ("Doctor", "Locum", "GP", "Locum other"),
    ("GP", "Receptionist", None, None),   # generic GP label, non-GP employment: unknown
    ("GP", "", None, None),               # generic label without employment type: unknown
    ("Volunteer", "", None, None),        # never guessed
    ("", "", None, None),
    ("Receptionist", "Salaried", "Admin/Non-clinical", "Receptionist"),  # not generic
])
def test_map_roles(label, employment, group, role):
    got = cleaning.map_roles(s([label]), s([employment])).iloc[0]
    if group is None:
        assert pd.isna(got["staff_group"]) and pd.isna(got["role"])
    else:
        assert (got["staff_group"], got["role"]) == (group, role)


@pytest.mark.parametrize(("typed", "gender"), [
    ("Female", "F"), ("F", "F"), (" m ", "M"), ("MALE", "M"), ("", "U"), ("  ", "U"),
    ("not known", "U"), ("zz", None),
])
def test_map_gender(typed, gender):
    got = cleaning.map_gender(s([typed]))[0]
    assert (pd.isna(got) if gender is None else got == gender)


@pytest.mark.parametrize(("period", "end"), [
    ("2017-10", "2017-10-31"), ("2016-02", "2016-02-29"), ("2017-12", "2017-12-31"),
    ("", None), ("Oct 2017", None), ("2017-13", None), ("2017-1", None), ("201710", None),
    ("2017", None),
])
def test_period_end(period, end):
    got = cleaning.period_end(s([period]))[0]
    assert (pd.isna(got) if end is None else got == pd.Timestamp(end))


# ---------------------------------------------------------------------------------------------
# clean_returns: one raw row per case
# ---------------------------------------------------------------------------------------------
def test_clean_row_is_kept_as_typed():
    res = clean({})
    assert res.audit["outcome"].tolist() == ["kept"]
    assert res.corrections.empty
    row = res.staff.iloc[0]
    assert (row["practice_code"], row["ccg_code"], row["staff_id"]) == ("C82001", "03W", "S1")
    assert (row["staff_group"], row["role"], row["gender"]) == ("GP", "Partner", "F")
    assert (row["age"], row["age_band"], row["wte"]) == (47, "45-49", 1.0)
    assert bool(row["in_post"]) and row["source"] == "return"
    assert (row["source_file"], row["source_row"]) == ("a.csv", 2)


QUARANTINE_CASES = [
    ({"practice_code": "Z99999"}, "unknown practice code Z99999"),
    ({"practice_code": ""}, "practice code is blank"),
    ({"job_role": "Volunteer"}, "unknown role label 'volunteer'"),
    ({"job_role": "GP", "employment_type": "Receptionist"}, "unknown role label 'receptionist'"),
    ({"staff_id": ""}, "staff id is blank"),
    ({"staff_id": "   "}, "staff id is blank"),
    ({"sessions_per_week": "20"}, "more than 2 WTE for one post (2.22)"),
    ({"sessions_per_week": "", "hours_per_week": "80"}, "more than 2 WTE for one post (2.13)"),
    ({"sessions_per_week": "", "hours_per_week": "1e308"},
     "more than 2 WTE for one post (2.67e+306)"),
    ({"sessions_per_week": "-1"}, "negative sessions or hours"),
    ({"date_of_birth": "2005-01-01"}, "age 12 is under 18"),
    ({"date_of_birth": "", "age": "17"}, "age 17 is under 18"),
    ({"date_of_birth": "", "age": "17.5"}, "age 17.5 is under 18"),
    ({"date_of_birth": "1930-01-01"}, "age 87 is over 80"),
    ({"date_of_birth": "", "age": "81"}, "age 81 is over 80"),
    ({"date_of_birth": "", "age": "80.5"}, "age 80.5 is over 80"),
    ({"date_of_birth": "", "age": "abc"}, "age is not a number: 'abc'"),
    ({"date_of_birth": "", "age": "inf"}, "age is not a number: 'inf'"),
    ({"date_of_birth": "not a date"}, "date of birth is not a date: 'not a date'"),
    ({"leaving_date": "2009-12-31"}, "leaving date before start date"),
    ({"start_date": "soon"}, "start date is not a date: 'soon'"),
    ({"leaving_date": "31/31/2017"}, "leaving date is not a date: '31/31/2017'"),
    ({"hours_per_week": "20"}, "sessions and hours disagree"),
    ({"sessions_per_week": "9", "hours_per_week": "35"}, "sessions and hours disagree"),
    ({"sessions_per_week": ""}, "no sessions or hours"),
    ({"sessions_per_week": " "}, "no sessions or hours"),
    ({"sessions_per_week": "nine"}, "sessions or hours is not a number"),
    ({"sessions_per_week": "9 sessions"}, "sessions or hours is not a number"),
    ({"sessions_per_week": "", "hours_per_week": "n/a"}, "sessions or hours is not a number"),
    ({"sessions_per_week": "inf"}, "sessions or hours is not a number"),
    ({"gender": "zz"}, "unknown gender 'zz'"),
    ({"return_period": "Oct 2017"}, "return period is not YYYY-MM: 'Oct 2017'"),
    ({"return_period": ""}, "return period is not YYYY-MM: ''"),
    ({"return_period": "2017-13"}, "return period is not YYYY-MM: '2017-13'"),
    ({**VACANCY, "vacancy_wte": "0"}, "vacancy row without a positive vacancy WTE: '0'"),
    ({**VACANCY, "vacancy_wte": ""}, "vacancy row without a positive vacancy WTE: ''"),
]


@pytest.mark.parametrize(("row", "reason"), QUARANTINE_CASES)
def test_quarantine_reason(row, reason):
    # the bad row sits between two clean rows so that a rule leaking to neighbours shows
    res = clean({"staff_id": "A"}, row, {"staff_id": "B"})
    audit = res.audit
    assert audit["outcome"].tolist() == ["kept", "quarantined", "kept"]
    assert audit["reason"][1].lower() == reason.lower()
    assert res.staff["staff_id"].tolist() == ["A", "B"]
    assert res.vacancies.empty
    assert res.quarantine["source_row"].tolist() == [3]


def test_quarantined_row_is_not_also_corrected():
    res = clean({"practice_code": " c82001 ", "job_role": "Volunteer", "gender": "Female"})
    assert res.audit["outcome"].tolist() == ["quarantined"]
    assert res.corrections.empty
    assert res.staff.empty


def test_first_failing_rule_gives_the_reason():
    res = clean({"practice_code": "Z99999", "staff_id": "", "sessions_per_week": "20"})
    assert res.audit["reason"][0] == "unknown practice code Z99999"


def test_exact_duplicate_keeps_first_and_names_it():
    res = clean({"staff_id": "X"}, {"staff_id": "Y"}, {"staff_id": "X"},
                {"staff_id": "X", "source_file": "b.csv"}, {"staff_id": "X", "gender": "M"})
    assert res.audit["outcome"].tolist() == ["kept", "kept", "quarantined", "quarantined",
                                             "kept"]
    assert res.audit["reason"][2] == "exact duplicate of a.csv row 2"
    assert res.audit["reason"][3] == "exact duplicate of a.csv row 2"  # other file, same row
    assert res.staff["source_row"].tolist() == [2, 3, 6]


def test_duplicate_of_a_quarantined_row_is_still_a_duplicate():
    res = clean({"sessions_per_week": "20"}, {"sessions_per_week": "20"})
    assert res.audit["reason"].tolist() == ["more than 2 WTE for one post (2.22)",
                                            "exact duplicate of a.csv row 2"]


CORRECTION_CASES = [
    ({"practice_code": " c82001 "}, "practice_code", " c82001 ", "C82001",
     "trim spaces / upper case"),
    ({"practice_code": "c82001"}, "practice_code", "c82001", "C82001",
     "trim spaces / upper case"),
    ({"staff_id": " S1 "}, "staff_id", " S1 ", "S1", "trim spaces"),
    ({"job_role": " gp partner "}, "job_role", " gp partner ", "Partner", "role label lookup"),
    ({"job_role": "ANP", "staff_group": "Nurses"}, "job_role", "ANP",
     "Advanced Nurse Practitioner", "role label lookup"),
    ({"job_role": "GP", "employment_type": "Salaried"}, "job_role", "GP", "Salaried GP",
     "role label lookup"),
    ({"gender": "Female"}, "gender", "Female", "F", "gender lookup"),
    ({"gender": " m "}, "gender", " m ", "M", "gender lookup"),
    ({"gender": ""}, "gender", "", "U", "gender lookup"),
]


@pytest.mark.parametrize(("row", "fld", "old", "new", "rule"), CORRECTION_CASES)
def test_correction_logged(row, fld, old, new, rule):
    res = clean({"staff_id": "A"}, {"staff_id": "S1", **row})
    assert res.audit["outcome"].tolist() == ["kept", "corrected"]
    got = res.corrections[["row", "field", "old_value", "new_value", "rule", "source_file",
                           "source_row"]].values.tolist()
    assert got == [[1, fld, old, new, rule, "a.csv", 3]]
    used = res.staff.set_index("source_row").loc[3]
    assert used[{"job_role": "role"}.get(fld, fld)] == new


def test_several_corrections_on_one_row_are_all_logged():
    res = clean({"practice_code": "c82002", "job_role": "hca", "gender": "female"})
    assert res.audit["outcome"].tolist() == ["corrected"]
    assert sorted(res.corrections["rule"]) == ["gender lookup", "role label lookup",
                                                "trim spaces / upper case"]
    rules = cleaning.outcome_by_rule(res)
    assert set(rules["outcome"]) == {"corrected"} and rules["rows"].tolist() == [1, 1, 1]


@pytest.mark.parametrize(("sessions", "hours", "wte"), [
    ("9", "37", 1.0),          # both given, within 0.05 WTE: sessions win
    ("4.5", "18", 0.5),
    ("", "18.75", 0.5),        # hours only
    ("4.5", "", 0.5),          # sessions only
    ("0", "", 0.0),
    ("18", "", 2.0),           # exactly the limit is allowed
])
def test_wte_from_sessions_or_hours(sessions, hours, wte):
    res = clean({"sessions_per_week": sessions, "hours_per_week": hours})
    assert res.audit["outcome"].tolist() == ["kept"]
    assert res.staff["wte"][0] == pytest.approx(wte, abs=1e-12)


def test_limits_are_applied():
    limits = cleaning.Limits(sessions_per_wte=10, max_wte_per_post=1.0, min_age=50)
    res = clean({"sessions_per_week": "10", "date_of_birth": "1960-01-01"},
                {"staff_id": "S2", "sessions_per_week": "11", "date_of_birth": "1960-01-01"},
                {"staff_id": "S3", "date_of_birth": "1970-01-01"}, limits=limits)
    assert res.audit["reason"].tolist()[1:] == ["more than 1 WTE for one post (1.1)",
                                                "age 47 is under 50"]
    assert res.staff["wte"].tolist() == [1.0]


@pytest.mark.parametrize(("start", "leaving", "in_post"), [
    ("2010-01-01", "", True),
    ("2010-01-01", "2017-10-15", False),   # left within the period
    ("2010-01-01", "2017-10-31", False),   # left on the last day
    ("2010-01-01", "2017-11-01", True),    # leaves after the period
    ("2017-11-01", "", False),             # not started by the period end
    ("", "", True),
])
def test_in_post_at_period_end(start, leaving, in_post):
    res = clean({"start_date": start, "leaving_date": leaving})
    assert res.audit["outcome"].tolist() == ["kept"]
    assert res.staff["in_post"].tolist() == [in_post]


def test_typed_age_and_band_used_without_dob():
    res = clean({"date_of_birth": "", "age": "58"},
                {"staff_id": "S2", "date_of_birth": "", "age": "", "age_band": "70+"})
    assert res.staff["age"].tolist()[0] == 58
    assert res.staff["age_band"].tolist() == ["55-59", "70+"]
    assert res.staff["age_lower"].tolist() == [58.0, 70.0]


def test_vacancy_rows_go_to_vacancies_not_staff():
    res = clean({}, {**VACANCY, "vacancy_wte": "0.5", "open_since": "2017-06-01"},
                {**VACANCY, "record_type": "vacancy", "job_role": "", "vacancy_wte": "1"})
    assert res.audit["outcome"].tolist() == ["kept", "kept", "kept"]
    assert res.staff["staff_id"].tolist() == ["S1"]
    v = res.vacancies
    assert v["vacancy_wte"].tolist() == [0.5, 1.0]
    assert v["role"].tolist()[0] == "Salaried GP"
    assert pd.isna(v["role"].tolist()[1])       # a blank role is allowed on a vacancy row
    assert v["open_since"].tolist()[0] == pd.Timestamp("2017-06-01")
    assert v["ccg_code"].tolist() == ["03W", "03W"]


def test_empty_raw_frame():
    res = clean()
    assert res.staff.empty and res.vacancies.empty and res.audit.empty
    assert cleaning.check_accounting(raw_frame(), res) == {
        "raw": 0, "kept": 0, "corrected": 0, "quarantined": 0}


def test_check_accounting_counts_and_detects_lost_rows():
    raw = raw_frame({}, {"gender": "female", "staff_id": "S2"}, {"staff_id": ""})
    res = cleaning.clean_returns(raw, REFERENCE)
    assert cleaning.check_accounting(raw, res) == {"raw": 3, "kept": 1, "corrected": 1,
                                                   "quarantined": 1}
    broken = cleaning.CleanResult(res.staff, res.vacancies, res.audit.iloc[:2],
                                  res.corrections)
    with pytest.raises(AssertionError, match="3 raw rows, 2 accounted"):
        cleaning.check_accounting(raw, broken)


def test_outcome_by_rule_groups_reasons():
    res = clean({"practice_code": "Z1"}, {"practice_code": "Z2"},
                {"date_of_birth": "", "age": "12"}, {"date_of_birth": "", "age": "90"},
                {"sessions_per_week": "20"}, {"sessions_per_week": "30"}, {}, {})
    got = cleaning.outcome_by_rule(res).set_index("rule_or_reason")["rows"].to_dict()
    assert got == {"unknown practice code": 2, "age is under 18": 1, "age is over 80": 1,
                   "more than 2 WTE for one post": 2, "exact duplicate of": 1}


# ---------------------------------------------------------------------------------------------
# Properties over seeded random messy frames (hypothesis is not installed: seeded loops)
# ---------------------------------------------------------------------------------------------
POOLS = {
    "practice_code": ["C82001", " c82001 ", "C82002", "c82002", "Z99999", "", " "],
    "return_period": ["2017-10", "2017/10", "2017-10-01", "", "Oct 2017", "2017-13", "201710"],
    "record_type": ["Staff", "staff", "", "Vacancy", "vacancy ", "VAC", "other"],
    "staff_id": ["S1", "S2", " S3 ", "", "S1 ", "x"],
    "staff_group": ["GP", "Nurses", "", "zz"],
    "job_role": ["Partner", " gp partner ", "GP", "ANP", "HCA", "Volunteer", "", "Salaried GP",
                 "registrar st3", "LOCUM"],
    "gender": ["F", "M", "Female", " m ", "", "zz", "U", "x"],
    "date_of_birth": ["1970-01-01", "31/10/1999", "01/01/1930", "", "not a date", "29/02/1960",
                      "2030-01-01", "1 Oct 1960"],
    "age": ["40", "17.5", "", "abc", "90", "-3", "inf", "55"],
    "age_band": ["55-59", "70+", "Under 25", "", "old", "55 to 59"],
    "sessions_per_week": ["9", "4.5", "", "nine", "20", "-1", "0", "1,000", " 6 ", "1e400"],
    "hours_per_week": ["37.5", "", "20", "x", "0", "18.75"],
    "employment_type": ["Salaried", "Partner", "", "Receptionist", "Locum"],
    "start_date": ["2010-01-01", "", "2018-01-01", "bad", "1 Oct 2017"],
    "leaving_date": ["", "2017-10-15", "2009-01-01", "bad", "2018-03-31"],
    "vacancy_wte": ["", "1", "0", "-1", "x", "0.5"],
    "open_since": ["", "2017-01-01", "bad"],
}


def messy_frame(rng: random.Random, n: int) -> pd.DataFrame:
    rows = [{c: rng.choice(v) for c, v in POOLS.items()} for _ in range(n)]
    raw = pd.DataFrame(rows, columns=CANONICAL).astype(object)
    raw["source_file"] = pd.Series([rng.choice(["a.csv", "b.xlsx"]) for _ in range(n)],
                                   dtype=object)
    raw["source_row"] = np.arange(2, n + 2, dtype=int)
    return raw


@pytest.mark.parametrize("seed", range(20))
def test_accounting_invariant_on_messy_frames(seed):
    rng = random.Random(seed)
    raw = messy_frame(rng, rng.choice([0, 1, 2, 5, 20, 40, 60]))
    res = cleaning.clean_returns(raw, REFERENCE)
    counts = cleaning.check_accounting(raw, res)
    assert counts["raw"] == len(raw) == counts["kept"] + counts["corrected"] + counts["quarantined"]
    audit = res.audit
    assert audit["source_row"].tolist() == raw["source_row"].tolist()
    assert set(audit["outcome"]) <= {"kept", "corrected", "quarantined"}
    q = audit["outcome"] == "quarantined"
    assert audit.loc[q, "reason"].notna().all() and audit.loc[~q, "reason"].isna().all()
    # every row used goes to exactly one of staff or vacancies
    assert len(res.staff) + len(res.vacancies) == counts["kept"] + counts["corrected"]
    # corrections only for rows whose outcome is 'corrected', and every such row has one
    corrected = set(audit.index[audit["outcome"] == "corrected"])
    assert set(res.corrections["row"]) == corrected
    # what is used obeys the rules
    st = res.staff
    assert st["practice_code"].isin(REFERENCE["practice_code"]).all()
    assert st["role"].notna().all() and st["staff_id"].ne("").all()
    assert st["wte"].between(0, 2).all()
    assert st["age"].dropna().between(18, 80).all()
    assert st["gender"].isin(["F", "M", "U"]).all()
    assert (res.vacancies["vacancy_wte"] > 0).all()


def test_wte_conversion_properties():
    rng = np.random.default_rng(20171031)
    sessions = np.concatenate([[0.0, 18.0, 9.0, 4.5], rng.uniform(0, 18, 400)])
    wte_s = cleaning.sessions_to_wte(pd.Series(sessions))
    np.testing.assert_allclose(wte_s, sessions / 9, rtol=0, atol=1e-12)
    hours = sessions * 37.5 / 9                       # the same time in hours
    wte_h = cleaning.hours_to_wte(pd.Series(hours))
    np.testing.assert_allclose(wte_h, hours / 37.5, rtol=0, atol=1e-12)
    assert np.abs(wte_s - wte_h).max() < 1e-9
    order = np.argsort(sessions, kind="stable")
    assert np.all(np.diff(wte_s.to_numpy()[order]) >= 0)      # monotone
    assert np.all(np.diff(wte_h.to_numpy()[order]) >= 0)
    assert wte_s.between(0, 2).all()


def test_wte_from_sessions_and_equivalent_hours_agree_in_clean_returns():
    rng = np.random.default_rng(7)
    sessions = np.concatenate([[0.0, 18.0, 9.0], rng.uniform(0, 18, 60)])
    rows = []
    for i, x in enumerate(sessions):
        rows.append({"staff_id": f"S{i}", "sessions_per_week": repr(float(x))})
        rows.append({"staff_id": f"H{i}", "sessions_per_week": "",
                     "hours_per_week": repr(float(x * 37.5 / 9))})
        rows.append({"staff_id": f"B{i}", "sessions_per_week": repr(float(x)),
                     "hours_per_week": repr(float(x * 37.5 / 9))})
    res = clean(*rows)
    assert res.audit["outcome"].eq("kept").all()
    wte = res.staff.set_index("staff_id")["wte"]
    for i, x in enumerate(sessions):
        assert wte[f"S{i}"] == pytest.approx(x / 9, abs=1e-12)
        assert abs(wte[f"S{i}"] - wte[f"H{i}"]) < 1e-9
        assert wte[f"B{i}"] == wte[f"S{i}"]


@pytest.mark.parametrize("seed", range(10))
def test_duplicated_rows_change_nothing_but_the_quarantine(seed):
    rng = random.Random(1000 + seed)
    base = messy_frame(rng, rng.choice([1, 3, 15, 30]))
    content = [c for c in base.columns if c not in ("source_file", "source_row")]
    base = base.drop_duplicates(subset=content).reset_index(drop=True)
    base["source_row"] = np.arange(2, len(base) + 2, dtype=int)
    chosen = rng.sample(range(len(base)), rng.randint(1, len(base)))
    copies = [i for i in chosen for _ in range(rng.randint(1, 3))]
    rng.shuffle(copies)
    extra = base.iloc[copies].copy()
    extra["source_file"] = [rng.choice(["a.csv", "b.xlsx", "c.csv"]) for _ in copies]
    extra["source_row"] = np.arange(len(base) + 2, len(base) + 2 + len(copies), dtype=int)
    dup = pd.concat([base, extra], ignore_index=True)

    clean_base = cleaning.clean_returns(base, REFERENCE)
    clean_dup = cleaning.clean_returns(dup, REFERENCE)
    cleaning.check_accounting(dup, clean_dup)
    pd.testing.assert_frame_equal(clean_dup.staff, clean_base.staff)
    pd.testing.assert_frame_equal(clean_dup.vacancies, clean_base.vacancies)
    reasons = clean_dup.audit["reason"]
    is_dup = reasons.str.startswith("exact duplicate of").fillna(False).astype(bool)
    assert int(is_dup.sum()) == len(copies)
    assert is_dup[len(base):].all() and not is_dup[:len(base)].any()
    expected = [f"exact duplicate of {base['source_file'][i]} row {base['source_row'][i]}"
                for i in copies]
    assert reasons[len(base):].tolist() == expected
    # the originals keep their outcome
    assert (clean_dup.audit["outcome"][:len(base)].tolist()
            == clean_base.audit["outcome"].tolist())


# ---------------------------------------------------------------------------------------------
# complete_returns: carry forward, estimate from the nearest list in the same CCG
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def completed() -> cleaning.CleanResult:
    res = clean(
        # C82001 (10,000): returns in 2017-03 and 2017-06, none in 2017-10
        {"practice_code": "C82001", "return_period": "2017-03", "staff_id": "P1"},
        {"practice_code": "C82001", "return_period": "2017-06", "staff_id": "P2"},
        {"practice_code": "C82001", "return_period": "2017-06", "staff_id": "P3",
         "job_role": "Practice Nurse", "sessions_per_week": "4.5",
         "leaving_date": "2017-08-31"},
        {**VACANCY, "practice_code": "C82001", "return_period": "2017-06",
         "vacancy_wte": "0.5"},
        # C82002 (3,000) and C82003 (8,000) return in 2017-10, same CCG 03W
        {"practice_code": "C82002", "return_period": "2017-10", "staff_id": "Q1"},
        {"practice_code": "C82003", "return_period": "2017-10", "staff_id": "R1",
         "sessions_per_week": "6"},
        {"practice_code": "C82003", "return_period": "2017-10", "staff_id": "R2",
         "job_role": "HCA", "sessions_per_week": "3"},
        # B10001 (5,900) in CCG 04C: nearer in list size to C82004 (6,000) but another CCG
        {"practice_code": "B10001", "return_period": "2017-10", "staff_id": "T1"},
    )
    # C82004 (6,000) never returns; C82009 closed 2017-06-30; Z00001 in 99Z has no peer
    return cleaning.complete_returns(res, REFERENCE, ["03W", "04C", "99Z"], periods=["2017-10"])


def test_status_per_practice(completed):
    st = completed.status.set_index("practice_code")
    assert st["status"].to_dict() == {
        "C82001": "carried forward", "C82002": "received", "C82003": "received",
        "C82004": "estimated", "B10001": "received", "Z00001": "missing"}
    assert "C82009" not in st.index            # closed before the period: not expected
    assert st.loc["C82001", "carried_from"] == "2017-06"
    assert st.loc["C82004", "donor"] == "C82003"   # nearest list in 03W, not B10001 in 04C
    assert st["period"].eq("2017-10").all()


def test_carried_forward_from_latest_earlier_return(completed):
    st = completed.staff
    carried = st[st["source"] == "carried forward"]
    assert sorted(carried["staff_id"]) == ["P2", "P3"]       # the 2017-06 return, not 2017-03
    assert carried["period"].eq("2017-10").all()
    assert carried["carried_from"].eq("2017-06").all()
    assert carried["practice_code"].eq("C82001").all()
    # in_post is recomputed for the new period: P3 left on 2017-08-31
    assert carried.set_index("staff_id")["in_post"].to_dict() == {"P2": True, "P3": False}
    v = completed.vacancies
    cv = v[v["source"] == "carried forward"]
    assert cv[["period", "practice_code", "vacancy_wte"]].values.tolist() == [
        ["2017-10", "C82001", 0.5]]


def test_estimated_from_donor_scaled_by_list_ratio(completed):
    st = completed.staff
    est = st[st["source"] == "estimated"].sort_values("staff_id")
    assert est["staff_id"].tolist() == ["EST-C82004-1", "EST-C82004-2"]
    assert est["practice_code"].eq("C82004").all() and est["ccg_code"].eq("03W").all()
    assert est["role"].tolist() == ["Partner", "Health Care Assistant"]
    ratio = 6000 / 8000
    np.testing.assert_allclose(est["wte"], [6 / 9 * ratio, 3 / 9 * ratio], rtol=1e-12)
    assert est["source_row"].isna().all()
    # the donor's own rows are untouched
    donor = st[(st["practice_code"] == "C82003") & (st["source"] == "return")]
    np.testing.assert_allclose(donor["wte"], [6 / 9, 3 / 9], rtol=1e-12)


def test_completion_adds_no_audit_rows(completed):
    assert len(completed.audit) == 8
    assert completed.outcome_counts().to_dict() == {"kept": 7, "corrected": 1, "quarantined": 0}
    assert completed.corrections["new_value"].tolist() == ["Health Care Assistant"]


def test_returns_summary_counts(completed):
    got = cleaning.returns_summary(completed.status).set_index("ccg_code")
    cols = ["received", "carried forward", "estimated", "missing", "practices"]
    assert got.loc["03W", cols].tolist() == [2, 1, 1, 0, 4]
    assert got.loc["04C", cols].tolist() == [1, 0, 0, 0, 1]
    assert got.loc["99Z", cols].tolist() == [0, 0, 0, 1, 1]


def test_periods_default_to_those_in_the_staff_table():
    res = clean({"practice_code": "C82002", "return_period": "2017-03", "staff_id": "Q1"},
                {"practice_code": "C82002", "return_period": "2017-10", "staff_id": "Q2"},
                {"practice_code": "C82003", "return_period": "2017-10", "staff_id": "R1"})
    out = cleaning.complete_returns(res, REFERENCE, ["03W"])
    st = out.status.set_index(["period", "practice_code"])["status"]
    assert st[("2017-03", "C82003")] == "estimated"        # no earlier return: donor C82002
    assert st[("2017-03", "C82002")] == "received"
    assert st[("2017-10", "C82003")] == "received"
    assert st[("2017-03", "C82009")] == "estimated"        # still open in March
    assert ("2017-10", "C82009") not in st.index           # closed 2017-06-30


# ---------------------------------------------------------------------------------------------
# Headcount and WTE (LLR Table 3)
# ---------------------------------------------------------------------------------------------
def test_table3_person_in_two_practices_counts_once_wte_adds():
    res = clean(
        {"practice_code": "C82001", "staff_id": "D1", "sessions_per_week": "5"},
        {"practice_code": "C82002", "staff_id": "D1", "sessions_per_week": "4"},
        {"practice_code": "B10001", "staff_id": "D1", "sessions_per_week": "3"},
        {"practice_code": "C82001", "staff_id": "D2", "job_role": "Registrar ST3",
         "sessions_per_week": "9"},
        {"practice_code": "C82001", "staff_id": "N1", "job_role": "Practice Nurse",
         "sessions_per_week": "9"},
        {"practice_code": "C82002", "staff_id": "N1", "job_role": "Practice Nurse",
         "sessions_per_week": "4.5"},
        {"practice_code": "C82001", "staff_id": "L1", "job_role": "Locum",
         "sessions_per_week": "2"},
        {"practice_code": "C82001", "staff_id": "X1", "leaving_date": "2017-10-01"},
    )
    t3 = table3(res.staff, [("West", "03W"), ("City", "04C")], "2017-10", total_label="Total")
    t = t3.set_index("ccg")
    assert t.loc["West", "gp_hc"] == 2                     # D1 once, L1; registrar, leaver out
    assert t.loc["West", "gp_wte"] == pytest.approx((5 + 4 + 2) / 9)
    assert t.loc["City", "gp_hc"] == 1
    assert t.loc["Total", "gp_hc"] == 2                    # D1 once across both CCGs
    assert t.loc["Total", "gp_wte"] == pytest.approx((5 + 4 + 3 + 2) / 9)
    assert t.loc["West", "nurses_hc"] == 1
    assert t.loc["West", "nurses_wte"] == pytest.approx(1.5)
    assert t.loc["Total", "total_wte"] == pytest.approx((5 + 4 + 3 + 2) / 9 + 1.5)


def test_return_dated_in_the_future_is_quarantined_not_carried_forward():
    today = pd.Timestamp.today().normalize()
    next_year = f"{today.year + 1}-01"
    res = clean({"return_period": next_year}, {"return_period": "2999-12"}, {})
    assert res.audit["outcome"].tolist() == ["quarantined", "quarantined", "kept"]
    assert res.audit["reason"][0] == (f"return period {next_year} is in the future (the run is "
                                      f"on {today:%Y-%m-%d})")
    assert next_year not in set(res.staff["period"])
