"""Tests for :mod:`analysis.tables.local` (and the charts drawn from its tables), on tiny
hand-made tables in the cleaned schema (:mod:`local_frames`)."""

from __future__ import annotations

import matplotlib.figure
import pandas as pd
import pytest
from local_frames import NA, PERIOD, groups_frame, ref_frame, staff_frame

from analysis.report.charts import pyramid_chart, turnover_chart
from analysis.report.rendering import plt
from analysis.tables.local import (
    GROUP_SUMMARY_COLUMNS,
    TURNOVER_COLUMNS,
    age_band_labels,
    age_gender_pyramid,
    monthly_turnover,
    practice_group_summary,
)
from analysis.util.errors import ConfigError, InputError


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")



# ============================================================================================
# 1. Age and gender pyramid
# ============================================================================================
def test_age_band_labels_default():
    assert age_band_labels() == ["Under 25", "25-29", "30-34", "35-39", "40-44", "45-49",
                                 "50-54", "55-59", "60-64", "65-69", "70+", "Unknown"]


def test_age_band_labels_custom_and_invalid():
    assert age_band_labels([30, 50]) == ["Under 30", "30-49", "50+", "Unknown"]
    with pytest.raises(ConfigError):
        age_band_labels([50, 30])


@pytest.mark.parametrize("age, band", [
    (18, "Under 25"), (24, "Under 25"), (25, "25-29"), (29, "25-29"), (30, "30-34"),
    (54, "50-54"), (55, "55-59"), (64, "60-64"), (65, "65-69"), (69, "65-69"), (70, "70+"),
    (88, "70+"), (None, "Unknown"),
])
def test_pyramid_age_band_edges(age, band):
    staff = staff_frame([(PERIOD, "P1", "a", "Partner", 1.0, True, age, "M")])
    out = age_gender_pyramid(staff)
    assert out.loc[band, "M"] == 1
    assert out.to_numpy().sum() == 1


@pytest.mark.parametrize("recorded_band, expected", [
    ("55-59", "55-59"), ("70+", "70+"), ("Under 25", "Under 25"), ("fifties", "Unknown"),
    (NA, "Unknown"),
])
def test_pyramid_uses_recorded_band_when_age_missing(recorded_band, expected):
    staff = staff_frame([(PERIOD, "P1", "a", "Partner", 1.0, True, None, "F")],
                        age_band=[recorded_band])
    assert age_gender_pyramid(staff).loc[expected, "F"] == 1


def test_pyramid_shape_and_counts():
    staff = staff_frame([
        (PERIOD, "P1", "g1", "Partner", 1.0, True, 44, "F"),
        (PERIOD, "P2", "g1", "Partner", 0.5, True, 44, "F"),   # two practices: once
        (PERIOD, "P1", "g2", "Salaried GP", 1.0, True, 61, "M"),
        (PERIOD, "P1", "g3", "Locum other", 0.2, True, 33, "U"),
        (PERIOD, "P1", "r1", "Registrar ST3/4", 1.0, True, 29, "M"),
        (PERIOD, "P1", "g4", "Partner", 1.0, False, 66, "M"),  # left: not in post
        (PERIOD, "P1", "n1", "Practice Nurse", 0.6, True, None, "F"),
        (PERIOD, "P1", "a1", "Receptionist", 0.8, True, 22, "F"),
    ])
    gp = age_gender_pyramid(staff, "GP")
    assert list(gp.index) == age_band_labels()
    assert list(gp.columns) == ["F", "M", "U"]
    assert gp.index.name == "age_band"
    assert {k: v for k, v in gp.stack().items() if v} == {
        ("40-44", "F"): 1, ("60-64", "M"): 1, ("30-34", "U"): 1}
    assert gp.attrs["people"] == 3

    with_reg = age_gender_pyramid(staff, "GP", include_registrars=True)
    assert with_reg.loc["25-29", "M"] == 1
    assert with_reg.to_numpy().sum() == 4

    everyone = age_gender_pyramid(staff)
    assert everyone.to_numpy().sum() == 6          # g1, g2, g3, r1, n1, a1
    assert everyone.loc["Unknown", "F"] == 1
    assert everyone.loc["Under 25", "F"] == 1
    assert age_gender_pyramid(staff, "Nurses").loc["Unknown", "F"] == 1


@pytest.mark.parametrize("posts, band, gender", [
    ([(54, "F"), (55, "F")], "55-59", "F"),       # ages disagree: highest
    ([(None, "M"), (50, "M")], "50-54", "M"),     # one post without age
    ([(40, "F"), (40, "M")], "40-44", "U"),       # genders disagree: U
    ([(40, "U"), (40, "M")], "40-44", "M"),       # unknown on one post only
])
def test_pyramid_person_with_two_posts(posts, band, gender):
    staff = staff_frame([(PERIOD, f"P{i}", "x", "Partner", 0.5, True, a, g)
                         for i, (a, g) in enumerate(posts)])
    out = age_gender_pyramid(staff)
    assert out.loc[band, gender] == 1
    assert out.to_numpy().sum() == 1


def test_pyramid_needs_period_when_several():
    staff = staff_frame([("2017-05", "P1", "a", "Partner", 1.0),
                         (PERIOD, "P1", "a", "Partner", 1.0),
                         (PERIOD, "P1", "b", "Partner", 1.0)])
    with pytest.raises(ConfigError, match="period"):
        age_gender_pyramid(staff)
    assert age_gender_pyramid(staff, period=PERIOD).to_numpy().sum() == 2
    with pytest.raises(ConfigError, match="not in the staff data"):
        age_gender_pyramid(staff, period="2017-07")
    with pytest.raises(ConfigError, match="staff group"):
        age_gender_pyramid(staff, "Doctors", period=PERIOD)


def test_pyramid_empty_selection_is_all_zero():
    staff = staff_frame([(PERIOD, "P1", "a", "Receptionist", 1.0)])
    out = age_gender_pyramid(staff, "GP")
    assert out.shape == (12, 3)
    assert out.to_numpy().sum() == 0


def test_pyramid_chart_labels_and_absolute_ticks():
    staff = staff_frame([(PERIOD, "P1", "a", "Partner", 1.0, True, 40, "F"),
                         (PERIOD, "P1", "b", "Partner", 1.0, True, 41, "F"),
                         (PERIOD, "P1", "c", "Partner", 1.0, True, 62, "M"),
                         (PERIOD, "P1", "d", "Partner", 1.0, True, 50, "U")])
    fig = pyramid_chart(age_gender_pyramid(staff, "GP"), "GPs by age and gender")
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "GPs by age and gender"
    assert "Headcount" in ax.get_xlabel() and "females left" in ax.get_xlabel()
    assert ax.get_ylabel() == "Age band"
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and not any(t.startswith(("-", "\u2212")) for t in ticks)
    assert [t.get_text() for t in ax.get_yticklabels()] == age_band_labels()
    assert any("gender not recorded" in t.get_text() for t in fig.texts)


# ============================================================================================
# 2. Practice group summary
# ============================================================================================
GROUPS = groups_frame([
    ("P1", "PCH North", "Primary Care Home"),
    ("P2", "PCH North", "Primary Care Home"),
    ("P3", "MC One", "Medical Chambers"),
    ("P3B", "MC One", "Medical Chambers", "P3"),
    ("P4", "VI A", "Vertically Integrated"),
    ("P6", "VI A", "Vertically Integrated"),
])
GROUP_REF = ref_frame([("P1", "One", 10000), ("P2", "Two", 5000), ("P3", "Three", 8000),
                       ("P3B", "Three branch", 999), ("P4", "Four", 7000),
                       ("P5", "Five", 3000), ("P6", "Six", 4000, "2017-01-31"),
                       ("P9", "Elsewhere", 1000)])
GROUP_STAFF = staff_frame([
    (PERIOD, "P1", "G1", "Partner", 1.0),
    (PERIOD, "P2", "G1", "Partner", 0.5),           # same person, same group: once, WTE adds
    (PERIOD, "P1", "R1", "Registrar ST3/4", 1.0),   # not a GP; is staff
    (PERIOD, "P2", "N1", "Practice Nurse", 0.8),
    (PERIOD, "P3B", "G2", "Salaried GP", 0.6),      # branch site: counts towards P3
    (PERIOD, "P3", "G3", "Salaried GP", 0.4),
    (PERIOD, "P4", "G3", "Salaried GP", 0.5),       # across two groups
    (PERIOD, "P5", "A1", "Receptionist", 1.0),      # practice not in the groups file
    (PERIOD, "P1", "X1", "Partner", 1.0, False),    # not in post
    ("2017-05", "P1", "Y1", "Partner", 1.0),        # other period
])


def test_group_summary_rows():
    out = practice_group_summary(GROUP_STAFF, GROUPS, GROUP_REF, PERIOD)
    assert list(out.columns) == GROUP_SUMMARY_COLUMNS
    got = out.drop(columns="gp_wte_per_1000_patients").to_dict("split")["data"]
    expected = [
        ["group", "Primary Care Home", "PCH North", 2, 15000, 1, 1.5, 1, 0.8, 3, 3.3],
        ["group type", "Primary Care Home", "Subtotal", 2, 15000, 1, 1.5, 1, 0.8, 3, 3.3],
        ["group", "Medical Chambers", "MC One", 1, 8000, 2, 1.0, 0, 0.0, 2, 1.0],
        ["group type", "Medical Chambers", "Subtotal", 1, 8000, 2, 1.0, 0, 0.0, 2, 1.0],
        ["group", "Vertically Integrated", "VI A", 1, 7000, 1, 0.5, 0, 0.0, 1, 0.5],
        ["group type", "Vertically Integrated", "Subtotal", 1, 7000, 1, 0.5, 0, 0.0, 1, 0.5],
        ["group", "Unaligned", "Unaligned", 1, 3000, 0, 0.0, 0, 0.0, 1, 1.0],
        ["group type", "Unaligned", "Subtotal", 1, 3000, 0, 0.0, 0, 0.0, 1, 1.0],
        ["total", "Total", "All practices", 5, 33000, 3, 3.0, 1, 0.8, 6, 5.8],
    ]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[:6] == e[:6]
        assert g[6:] == pytest.approx(e[6:])
    assert out["gp_wte_per_1000_patients"].tolist() == pytest.approx(
        [0.1, 0.1, 0.125, 0.125, 0.5 / 7, 0.5 / 7, 0.0, 0.0, 3.0 / 33])
    assert out.attrs["not_open"] == ["P6"]


def test_group_summary_person_in_two_groups_counted_once_in_total():
    out = practice_group_summary(GROUP_STAFF, GROUPS, GROUP_REF, PERIOD)
    groups = out[out["level"] == "group"]
    total = out[out["level"] == "total"].iloc[0]
    assert groups["gp_headcount"].sum() == 4        # G3 in MC One and in VI A
    assert total["gp_headcount"] == 3
    assert total["gp_wte"] == pytest.approx(groups["gp_wte"].sum())


@pytest.mark.parametrize("rows, gp_hc, gp_wte, staff_hc", [
    ([("P1", "a", "Partner", 0.5), ("P2", "a", "Partner", 0.25)], 1, 0.75, 1),
    ([("P1", "a", "Partner", 0.5), ("P1", "a", "Salaried GP", 0.25)], 1, 0.75, 1),
    ([("P1", "r", "Registrar ST1/2", 1.0)], 0, 0.0, 1),
    ([("P1", "r", "Registrar F1/2", 1.0), ("P1", "a", "Locum other", 0.1)], 1, 0.1, 2),
    ([("P1", "a", "Partner", 1.0, False)], 0, 0.0, 0),
    ([("P1", "a", "Partner", 1.0), ("P2", "b", "Practice Nurse", 1.0)], 1, 1.0, 2),
])
def test_group_summary_edge_cases(rows, gp_hc, gp_wte, staff_hc):
    staff = staff_frame([(PERIOD, *r) for r in rows])
    groups = groups_frame([("P1", "PCH", "Primary Care Home"),
                           ("P2", "PCH", "Primary Care Home")])
    ref = ref_frame([("P1", "One", 1000), ("P2", "Two", 1000)])
    out = practice_group_summary(staff, groups, ref, PERIOD)
    row = out[out["level"] == "group"].iloc[0]
    assert (row["practices"], row["patients"]) == (2, 2000)
    assert row["gp_headcount"] == gp_hc
    assert row["gp_wte"] == pytest.approx(gp_wte)
    assert row["staff_headcount"] == staff_hc
    assert list(out["level"]) == ["group", "group type", "total"]


def test_group_summary_practice_missing_from_reference_and_no_patients():
    staff = staff_frame([(PERIOD, "Q1", "a", "Partner", 1.0)])
    groups = groups_frame([("Q1", "MC", "Medical Chambers")])
    out = practice_group_summary(staff, groups, ref_frame([("P1", "One", 10)]), PERIOD)
    assert out["practices"].tolist() == [1, 1, 1]
    assert out["patients"].tolist() == [0, 0, 0]
    assert out["gp_wte_per_1000_patients"].isna().all()
    assert out.attrs["no_list_size"] == ["Q1"]


def test_group_summary_practice_in_two_groups_is_an_input_error():
    groups = groups_frame([("P1", "PCH", "Primary Care Home"), ("P1", "MC", "Medical Chambers")])
    with pytest.raises(InputError, match="more than one group"):
        practice_group_summary(GROUP_STAFF, groups, GROUP_REF, PERIOD)


def test_group_summary_rejects_bad_period():
    with pytest.raises(ConfigError, match="YYYY-MM"):
        practice_group_summary(GROUP_STAFF, GROUPS, GROUP_REF, "June 2017")


# ============================================================================================
# 3. Monthly turnover
# ============================================================================================
TURNOVER_STAFF = staff_frame([
    ("2017-01", "P1", "A", "Partner", 1.0), ("2017-02", "P1", "A", "Partner", 1.0),
    ("2017-03", "P1", "A", "Partner", 1.0),
    ("2017-01", "P1", "B", "Salaried GP", 1.0), ("2017-02", "P2", "B", "Salaried GP", 1.0),
    ("2017-03", "P2", "B", "Salaried GP", 1.0),                  # moves practice: neither
    ("2017-02", "P1", "C", "Salaried GP", 1.0), ("2017-03", "P1", "C", "Salaried GP", 1.0),
    ("2017-01", "P1", "D", "Partner", 1.0), ("2017-02", "P1", "D", "Partner", 1.0, False),
    ("2017-02", "P1", "R", "Registrar ST3/4", 1.0),               # not a GP
    ("2017-01", "P1", "N1", "Practice Nurse", 1.0), ("2017-02", "P1", "N1", "Practice Nurse", 1.0),
    ("2017-03", "P1", "N1", "Practice Nurse", 1.0), ("2017-03", "P2", "N2", "Practice Nurse", 1.0),
])


@pytest.mark.parametrize("group, period, headcount, joiners, leavers, rate", [
    ("GP", "2017-01", 3, NA, NA, NA),
    ("GP", "2017-02", 3, 1, 1, 1 / 3),
    ("GP", "2017-03", 3, 0, 0, 0.0),
    ("Nurses", "2017-01", 1, NA, NA, NA),
    ("Nurses", "2017-02", 1, 0, 0, 0.0),
    ("Nurses", "2017-03", 2, 1, 0, 0.0),
])
def test_monthly_turnover_values(group, period, headcount, joiners, leavers, rate):
    out = monthly_turnover(TURNOVER_STAFF)
    row = out[(out["staff_group"] == group) & (out["period"] == period)].iloc[0]
    assert row["headcount"] == headcount
    for col, want in (("joiners", joiners), ("leavers", leavers)):
        assert (pd.isna(row[col]) if want is NA else row[col] == want)
    assert (pd.isna(row["turnover_rate"]) if rate is NA
            else row["turnover_rate"] == pytest.approx(rate))


def test_monthly_turnover_layout_and_gaps():
    out = monthly_turnover(TURNOVER_STAFF, staff_groups=("Nurses", "GP", "Direct Patient Care"))
    assert list(out.columns) == TURNOVER_COLUMNS
    assert out["staff_group"].tolist() == ["Nurses"] * 3 + ["GP"] * 3 + ["Direct Patient Care"] * 3
    assert out["period"].tolist() == ["2017-01", "2017-02", "2017-03"] * 3
    dpc = out[out["staff_group"] == "Direct Patient Care"]
    assert dpc["headcount"].tolist() == [0, 0, 0]
    assert dpc["turnover_rate"].isna().all()         # no one in post: rate undefined
    assert out.attrs["missing_periods"] == []
    gap = monthly_turnover(TURNOVER_STAFF[TURNOVER_STAFF["period"] != "2017-02"], ["GP"])
    assert gap["period"].tolist() == ["2017-01", "2017-03"]
    assert gap.attrs["missing_periods"] == ["2017-02"]
    assert gap["joiners"].iloc[1] == 1 and gap["leavers"].iloc[1] == 1   # C joined, D left


def test_monthly_turnover_change_of_staff_group_and_unknown_group():
    staff = staff_frame([("2017-01", "P1", "x", "Registrar ST3/4", 1.0),
                         ("2017-02", "P1", "x", "Salaried GP", 1.0)])
    out = monthly_turnover(staff, ["GP"])
    assert out["joiners"].tolist()[1] == 1           # a registrar who becomes a GP joins
    with pytest.raises(ConfigError):
        monthly_turnover(staff, ["Doctors"])


def test_turnover_chart_labels():
    fig = turnover_chart(monthly_turnover(TURNOVER_STAFF))
    assert isinstance(fig, matplotlib.figure.Figure)
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(panels) == 2
    assert panels[0].get_title(loc="left").endswith("GP (excl. registrars)")
    assert panels[1].get_title(loc="left").endswith("Nurses")
    assert panels[0].get_xlabel() == "Month (period end)"
    assert panels[0].get_ylabel() == "People"
    assert any(ax.get_ylabel().startswith("Turnover (%") for ax in fig.axes)
