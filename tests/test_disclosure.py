"""Tests for the small-number suppression rule in :mod:`analysis.report.disclosure`."""

from __future__ import annotations

import pandas as pd
import pytest
from local_frames import NA, PERIOD, staff_frame

from analysis.report import disclosure
from analysis.report.disclosure import small_number_suppression
from analysis.tables.local import age_gender_pyramid
from analysis.util.errors import ConfigError


# ============================================================================================
# 6. Small-number suppression
# ============================================================================================
@pytest.mark.parametrize("value, shown", [
    (0, 0), (1, NA), (2, NA), (3, NA), (4, NA), (5, 5), (6, 6), (120, 120),
])
def test_suppression_of_one_to_four(value, shown):
    df = pd.DataFrame({"label": ["x"], "headcount": [value]})
    out = small_number_suppression(df, ["headcount"])
    got = out["headcount"].iloc[0]
    assert pd.isna(got) if shown is NA else got == shown
    assert out.attrs["suppressed"] == (0 if shown is not NA else 1)
    assert df["headcount"].iloc[0] == value          # input unchanged


def test_suppression_marker_counts_and_other_columns():
    df = pd.DataFrame({"band": ["a", "b", "c", "d"], "F": [0, 3, 7, 1], "M": [5, 2, 0, 9],
                       "wte": [1.0, 2.0, 3.0, 4.0]})
    out = small_number_suppression(df, ["F", "M"], marker="*")
    assert out["F"].tolist() == [0, "*", 7, "*"]
    assert out["M"].tolist() == [5, "*", 0, 9]
    assert out["wte"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert out.attrs["suppressed"] == 3
    assert out.attrs["suppressed_by_column"] == {"F": 2, "M": 1}
    assert out.attrs["suppressed_cells"] == [(1, "F"), (3, "F"), (1, "M")]
    na = small_number_suppression(df, ["F", "M"])
    assert str(na["F"].dtype) == "Int64"
    assert na["F"].isna().tolist() == [False, True, False, True]


@pytest.mark.parametrize("threshold, expected", [
    (0, [0, 1, 2, 4, 5, 10]),          # off
    (1, [0, 1, 2, 4, 5, 10]),          # nothing below 1 but zero
    (3, [0, NA, NA, 4, 5, 10]),
    (5, [0, NA, NA, NA, 5, 10]),
    (11, [0, NA, NA, NA, NA, NA]),
])
def test_suppression_threshold(threshold, expected):
    df = pd.DataFrame({"n": [0, 1, 2, 4, 5, 10]})
    out = small_number_suppression(df, ["n"], threshold=threshold)
    got = [NA if pd.isna(v) else int(v) for v in out["n"]]
    assert got == expected
    assert out.attrs["suppressed"] == sum(v is NA for v in expected)


def test_suppression_keeps_missing_and_checks_columns():
    df = pd.DataFrame({"n": pd.array([NA, 3, 8], dtype="Int64")})
    out = small_number_suppression(df, "n")
    assert out["n"].isna().tolist() == [True, True, False]
    assert out.attrs["suppressed"] == 1
    with pytest.raises(ConfigError, match="no column"):
        small_number_suppression(df, ["m"])


def test_suppression_on_pyramid():
    staff = staff_frame([(PERIOD, "P1", f"s{i}", "Partner", 1.0, True, 40 + (i % 2) * 20, "F")
                         for i in range(12)])
    pyramid = age_gender_pyramid(staff, "GP")
    assert pyramid.loc["40-44", "F"] == 6 and pyramid.loc["60-64", "F"] == 6
    out = small_number_suppression(pyramid.assign(**{"F": [0] * 11 + [2]}), ["F", "M", "U"])
    assert out.attrs["suppressed"] == 1
    assert pd.isna(out.loc["Unknown", "F"])
    assert out.loc["40-44", "F"] == 0


def test_suppress_follows_the_report_switch(monkeypatch):
    df = pd.DataFrame({"n": [0, 2, 7]})
    monkeypatch.setenv(disclosure.ENV, "0")
    assert disclosure.suppress(df, ["n"]) is df
    assert disclosure.suppression_note() == ""
    monkeypatch.setenv(disclosure.ENV, "5")
    assert disclosure.suppress(df, ["n"])["n"].isna().tolist() == [False, True, False]
    assert "1 to 4" in disclosure.suppression_note()


def test_unlisted_free_text_is_never_published_verbatim(monkeypatch):
    """A label no lookup knows (here a name and a date of birth typed as a role) is replaced
    by a neutral name in published mode and shown only in internal mode."""
    df = pd.DataFrame({"label": ["jane smith 01/02/1960", "volunteer"], "rows": [3, 1]})
    monkeypatch.setenv(disclosure.ENV, "5")
    shown, note = disclosure.unlisted_text(df, "label", "unlisted label")
    assert shown["label"].tolist() == ["unlisted label 1", "unlisted label 2"]
    assert shown["rows"].tolist() == [3, 1] and "only in internal mode" in note
    assert df["label"].iloc[0] == "jane smith 01/02/1960"  # the input frame is not changed
    monkeypatch.setenv(disclosure.ENV, "0")
    shown, note = disclosure.unlisted_text(df, "label", "unlisted label")
    assert shown["label"].tolist() == df["label"].tolist() and note == ""
