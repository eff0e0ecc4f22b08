"""Tests for the small-number suppression rule in :mod:`analysis.report.disclosure`."""

from __future__ import annotations

import pandas as pd
import pytest
from local_frames import NA, PERIOD, staff_frame

from analysis.report import disclosure
from analysis.report.disclosure import (
    Totals,
    column_groups,
    protect,
    recoverable,
    small_number_suppression,
)
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


# ============================================================================================
# Secondary suppression against published totals (protect) and the recovery check
# ============================================================================================
def _hidden(out, col):
    return out[col].isna().tolist()


def test_one_suppressed_cell_in_a_row_with_a_total_hides_a_second():
    df = pd.DataFrame({"F": [3, 20], "M": [9, 30], "U": [6, 0], "total": [18, 50]})
    out = protect(df, ["F", "M", "U"], totals=Totals(rows=True, row_total="total"), threshold=5)
    assert _hidden(out, "F") == [True, False]
    assert _hidden(out, "U") == [True, False]        # 6 is the smallest non-zero left
    assert _hidden(out, "M") == [False, False] and out["M"].tolist() == [9, 30]
    assert out["total"].tolist() == [18, 50]
    assert out.attrs["suppressed"] == {"primary": 1, "secondary": 1}
    assert out.attrs["suppressed_cells"] == [(0, "F"), (0, "U")]


def test_zeros_are_never_suppressed_while_a_non_zero_cell_is_left():
    df = pd.DataFrame({"a": [2], "b": [0], "c": [0], "d": [40], "total": [42]})
    out = protect(df, ["a", "b", "c", "d"], totals=Totals(rows=True, row_total="total"),
                  threshold=5)
    assert out.iloc[0].isna().tolist() == [True, False, False, True, False]
    assert out["b"].tolist() == [0] and out["c"].tolist() == [0]
    # no non-zero cell left: the total is hidden rather than a zero
    only = protect(pd.DataFrame({"a": [2], "b": [0], "t": [2]}), ["a", "b"],
                   totals=Totals(rows=True, row_total="t"), threshold=5)
    assert only.iloc[0].isna().tolist() == [True, False, True]
    # a zero takes the place of a total published elsewhere only as the last resort
    last = protect(pd.DataFrame({"a": [2], "b": [0]}), ["a", "b"], totals=Totals(rows=True),
                   threshold=5)
    assert last.iloc[0].isna().tolist() == [True, True]
    assert recoverable(last, ["a", "b"], Totals(rows=True)) == []


def test_two_suppressed_cells_already_need_nothing_more():
    df = pd.DataFrame({"a": [2], "b": [3], "c": [7], "total": [12]})
    out = protect(df, ["a", "b", "c"], totals=Totals(rows=True, row_total="total"), threshold=5)
    assert out.iloc[0].isna().tolist() == [True, True, False, False]
    assert out.attrs["suppressed"] == {"primary": 2, "secondary": 0}


def test_column_totals_and_total_rows():
    df = pd.DataFrame({"area": ["P1", "P2", "P3", "Area"], "headcount": [3, 12, 8, 23]})
    spec = Totals(columns=column_groups(df, total=3))
    out = protect(df, ["headcount"], totals=spec, threshold=5)
    assert _hidden(out, "headcount") == [True, False, True, False]
    assert recoverable(out, ["headcount"], spec) == []
    # a total published elsewhere (None) works the same way
    spec = Totals(columns=column_groups(df.iloc[:3]))
    out = protect(df.iloc[:3], ["headcount"], totals=spec, threshold=5)
    assert _hidden(out, "headcount") == [True, False, True]
    # one group per staff group, each with its own total
    by = pd.DataFrame({"g": ["a", "a", "b", "b"], "n": [2, 9, 11, 12]})
    out = protect(by, ["n"], totals=Totals(columns=column_groups(by, by="g")), threshold=5)
    assert _hidden(out, "n") == [True, True, False, False]


def test_secondary_suppression_iterates_across_rows_and_columns():
    # hiding (0, b) for the row makes column b single; then (1, b)'s row is single, and so on
    df = pd.DataFrame({"a": [2, 30, 32], "b": [10, 6, 16], "t": [12, 36, 48]})
    spec = Totals(rows=True, row_total="t", columns=column_groups(df, total=2))
    out = protect(df, ["a", "b"], totals=spec, threshold=5)
    assert out.isna().to_numpy().sum() == 4
    assert out.isna().to_numpy().tolist() == [[True, True, False], [True, True, False],
                                              [False, False, False]]
    assert recoverable(out, ["a", "b"], spec) == []


def test_dependent_columns_are_blanked_with_their_count():
    df = pd.DataFrame({"cases": [3, 50, 47], "share": [0.03, 0.5, 0.47]})
    out = protect(df, ["cases"], totals=Totals(columns=column_groups(df)),
                  dependent={"cases": ["share"]}, threshold=5)
    assert _hidden(out, "cases") == [True, False, True]
    assert _hidden(out, "share") == [True, False, True]
    assert out.loc[1, "share"] == 0.5


def test_internal_mode_changes_nothing(monkeypatch):
    df = pd.DataFrame({"a": [2, 9], "t": [2, 9]})
    assert protect(df, ["a"], totals=Totals(rows=True, row_total="t"), threshold=0) is df
    monkeypatch.setenv(disclosure.ENV, "0")
    assert protect(df, ["a"]) is df
    monkeypatch.setenv(disclosure.ENV, "5")
    assert protect(df, ["a"])["a"].isna().tolist() == [True, False]


def test_checker_finds_cells_in_primary_only_output_and_none_after_protect():
    df = pd.DataFrame({"band": ["<25", "25-29", "30-34", "All"], "F": [3, 10, 12, 25],
                       "M": [8, 2, 20, 30], "total": [11, 12, 32, 55]}).set_index("band")
    spec = Totals(rows=True, row_total="total", columns=column_groups(df, total="All"))
    primary = small_number_suppression(df, ["F", "M"])
    assert set(recoverable(primary, ["F", "M"], spec)) >= {("<25", "F"), ("25-29", "M")}
    out = protect(df, ["F", "M"], totals=spec, threshold=5)
    assert recoverable(out, ["F", "M"], spec) == []
    assert out.attrs["suppressed"]["primary"] == 2 and out.attrs["suppressed"]["secondary"] >= 2
    # unchanged cells keep their values
    shown = out.notna()
    assert (out[shown].fillna(-1) == df.where(shown.to_numpy(), -1)).all().all()
    # without attrs the missing counts are the hidden ones
    bare = out.copy()
    bare.attrs = {}
    assert recoverable(bare, ["F", "M"], spec) == []
    assert recoverable(bare.assign(M=df["M"]), ["F", "M"], spec) != []


def test_blocks_published_as_one_figure_and_bad_columns():
    df = pd.DataFrame({"F": [3, 40], "M": [20, 30]})
    out = protect(df, ["F", "M"], totals=Totals(blocks=(tuple(df.index),)), threshold=5)
    assert out.isna().to_numpy().tolist() == [[True, True], [False, False]]   # 20 < 30 < 40
    with pytest.raises(ConfigError, match="no column 'X'"):
        protect(df, ["X"], threshold=5)
    with pytest.raises(ConfigError, match="no column 'tot'"):
        recoverable(df, ["F"], Totals(rows=True, row_total="tot"))


def test_practice_group_totals_follow_subtotal_and_total_rows():
    from analysis.report.returns import _group_totals
    summary = pd.DataFrame({
        "level": ["group", "group", "group type", "group", "group type", "total"],
        "group_type": ["A", "A", "A", "B", "B", "Total"],
        "gp_headcount": [3, 30, 33, 40, 40, 73]})
    spec = _group_totals(summary)
    primary = small_number_suppression(summary, ["gp_headcount"])
    assert recoverable(primary, ["gp_headcount"], spec) == [(0, "gp_headcount")]
    out = protect(summary, ["gp_headcount"], totals=spec, threshold=5)
    # the group's sibling goes too; the subtotals are all shown, so nothing more is needed
    assert out["gp_headcount"].isna().tolist() == [True, True, False, False, False, False]
    # a small subtotal is hidden against the total row, so another subtotal and the
    # only group of each type go with it
    small = summary.assign(gp_headcount=[1, 2, 3, 40, 40, 43])
    out = protect(small, ["gp_headcount"], totals=_group_totals(small), threshold=5)
    assert out["gp_headcount"].isna().tolist() == [True, True, True, True, True, False]
    assert recoverable(out, ["gp_headcount"], spec) == []
    assert recoverable(out, ["gp_headcount"], spec) == []


def test_turnover_rows_hide_joiners_and_leavers_together_with_the_rate():
    turnover = pd.DataFrame({"headcount": [100, 102, 101], "joiners": [pd.NA, 2, 6],
                             "leavers": [pd.NA, 0, 7], "turnover_rate": [pd.NA, 0.0, 0.069]})
    out = protect(turnover, ["joiners", "leavers"], totals=Totals(rows=True),
                  dependent={"leavers": ["turnover_rate"]}, threshold=5)
    # 2 joiners and no leaver: the zero is hidden too, else joiners = change in headcount
    assert out.loc[1, ["joiners", "leavers", "turnover_rate"]].isna().all()
    assert out.loc[2, "joiners"] == 6 and out.loc[2, "turnover_rate"] == 0.069
    assert out["headcount"].tolist() == [100, 102, 101]
