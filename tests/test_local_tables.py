"""Tests for :mod:`analysis.tables.local` and :mod:`analysis.tables.clusters` (with their
charts and the suppression rule), on tiny hand-made tables in the cleaned schema."""

from __future__ import annotations

import matplotlib.figure
import pandas as pd
import pytest

from analysis.report.charts import pyramid_chart, turnover_chart
from analysis.report.disclosure import small_number_suppression
from analysis.report.rendering import plt
from analysis.tables.clusters import (
    STOCKTAKE_COLUMNS,
    VACANCY_COLUMNS,
    ClusterEligibility,
    cluster_eligibility,
    cluster_stocktake,
    cluster_vacancies,
    eligibility_table,
)
from analysis.tables.local import (
    GROUP_SUMMARY_COLUMNS,
    TURNOVER_COLUMNS,
    age_band_labels,
    age_gender_pyramid,
    monthly_turnover,
    practice_group_summary,
)
from analysis.util.errors import ConfigError, InputError

NA = pd.NA
PERIOD = "2017-06"
ROLE_GROUP = {
    **dict.fromkeys(["Senior Partner", "Partner", "Salaried GP", "Retainer", "Registrar ST1/2",
                     "Registrar ST3/4", "Registrar F1/2",
                     "Locum covering sickness/maternity/paternity", "Locum covering vacancy",
                     "Locum other"], "GP"),
    **dict.fromkeys(["Advanced Nurse Practitioner", "Extended Role Practice Nurse",
                     "Nurse Specialist", "Practice Nurse"], "Nurses"),
    **dict.fromkeys(["Health Care Assistant", "Clinical Pharmacist", "Paramedic Practitioner",
                     "Physiotherapist", "Phlebotomist", "Other direct patient care"],
                    "Direct Patient Care"),
    **dict.fromkeys(["Practice Manager", "Receptionist", "Medical Secretary", "Admin other"],
                    "Admin/Non-clinical"),
}


def staff_frame(rows: list[tuple], age_band: list | None = None) -> pd.DataFrame:
    """Staff rows from (period, practice, staff_id, role, wte[, in_post[, age[, gender]]]).

    Defaults: in post, aged 45, female. Staff group, registrar and locum flags follow the role.
    """
    full = [tuple(r) + (True, 45, "F")[len(r) - 5:] for r in rows]
    period, code, sid, role, wte, in_post, age, gender = zip(*full, strict=True)
    role_s = pd.Series(role, dtype="string")
    n = len(full)
    return pd.DataFrame({
        "period": pd.array(period, dtype="string"),
        "practice_code": pd.array(code, dtype="string"),
        "ccg_code": pd.array(["06A"] * n, dtype="string"),
        "staff_id": pd.array(sid, dtype="string"),
        "staff_group": role_s.map(ROLE_GROUP).astype("string"),
        "role": role_s,
        "is_registrar": role_s.str.startswith("Registrar").astype(bool),
        "is_locum": role_s.str.startswith("Locum").astype(bool),
        "gender": pd.array(gender, dtype="string"),
        "age": pd.array([NA if a is None else a for a in age], dtype="Int64"),
        "age_band": pd.array(age_band or [NA] * n, dtype="string"),
        "wte": pd.array(wte, dtype="float64"),
        "start_date": pd.to_datetime([None] * n),
        "leaving_date": pd.to_datetime([None] * n),
        "in_post": pd.array(in_post, dtype="boolean"),
        "source": pd.array(["return"] * n, dtype="string"),
    })


def ref_frame(rows: list[tuple]) -> pd.DataFrame:
    """Practice reference from (code, name, patients[, close_date])."""
    full = [tuple(r) + (None,)[len(r) - 3:] for r in rows]
    code, name, patients, closed = zip(*full, strict=True)
    n = len(full)
    return pd.DataFrame({
        "practice_code": pd.array(code, dtype="string"),
        "practice_name": pd.array(name, dtype="string"),
        "ccg_code": pd.array(["06A"] * n, dtype="string"),
        "registered_patients": pd.array(patients, dtype="Int64"),
        "open_date": pd.to_datetime(["1974-04-01"] * n),
        "close_date": pd.to_datetime(list(closed)),
        "contract_type": pd.array(["GMS"] * n, dtype="string"),
    })


def groups_frame(rows: list[tuple]) -> pd.DataFrame:
    """Practice groups from (code, group_name, group_type[, branch_of])."""
    full = [tuple(r) + (NA,)[len(r) - 3:] for r in rows]
    code, name, gtype, branch = zip(*full, strict=True)
    return pd.DataFrame({"practice_code": pd.array(code, dtype="string"),
                         "group_name": pd.array(name, dtype="string"),
                         "group_type": pd.array(gtype, dtype="string"),
                         "branch_of": pd.array(branch, dtype="string")})


def vacancy_frame(rows: list[tuple]) -> pd.DataFrame:
    """Vacancies from (period, practice, staff_group, role, vacancy_wte)."""
    period, code, group, role, wte = zip(*rows, strict=True)
    return pd.DataFrame({"period": pd.array(period, dtype="string"),
                         "practice_code": pd.array(code, dtype="string"),
                         "ccg_code": pd.array(["06A"] * len(rows), dtype="string"),
                         "staff_group": pd.array(group, dtype="string"),
                         "role": pd.array(role, dtype="string"),
                         "vacancy_wte": pd.array(wte, dtype="float64"),
                         "open_since": pd.to_datetime([None] * len(rows))})


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


# ============================================================================================
# 4. Cluster stocktake and vacancies
# ============================================================================================
CLUSTER_REF = ref_frame([("P1", "Riverside Surgery", 9000), ("P2", "Hill Medical Centre", 8000),
                         ("P3", "Village Practice", 4000)])
STOCK_STAFF = staff_frame([
    (PERIOD, "P1", "g1", "Partner", 1.0),
    (PERIOD, "P1", "r1", "Registrar ST3/4", 1.0),
    (PERIOD, "P2", "l1", "Locum covering vacancy", 0.3),
    (PERIOD, "P1", "n1", "Advanced Nurse Practitioner", 0.8),
    (PERIOD, "P1", "n2", "Practice Nurse", 0.6),
    (PERIOD, "P2", "n3", "Nurse Specialist", 0.4),
    (PERIOD, "P2", "d1", "Clinical Pharmacist", 1.0),
    (PERIOD, "P1", "d2", "Paramedic Practitioner", 0.5),
    (PERIOD, "P1", "d3", "Health Care Assistant", 0.7),
    (PERIOD, "P2", "d4", "Physiotherapist", 0.2),
    (PERIOD, "P1", "a1", "Practice Manager", 1.0),
    (PERIOD, "P2", "a2", "Receptionist", 0.9),
    (PERIOD, "P2", "g1", "Partner", 0.2),             # same GP, second practice: WTE adds
    (PERIOD, "P1", "a3", "Receptionist", 1.0, False),  # not in post
    (PERIOD, "P9", "a4", "Receptionist", 1.0),        # not in the cluster
    ("2017-05", "P3", "g9", "Partner", 1.0),          # other period
])


def test_cluster_stocktake_layout_and_values():
    out = cluster_stocktake(STOCK_STAFF, CLUSTER_REF, ["P1", " p2", "P3", "P1"], PERIOD)
    assert list(out.columns) == STOCKTAKE_COLUMNS
    assert out["Practice Code"].tolist() == ["P1", "P2", "P3", "Total"]
    assert out["Practice"].tolist() == ["Riverside Surgery", "Hill Medical Centre",
                                        "Village Practice", ""]
    values = out[STOCKTAKE_COLUMNS[2:]].to_numpy().tolist()
    assert values[0] == pytest.approx([1.0, 0.8, 0.6, 0.0, 0.5, 0.7, 1.0])
    assert values[1] == pytest.approx([0.5, 0.0, 0.4, 1.0, 0.0, 0.2, 0.9])
    assert values[2] == [0.0] * 7                      # no staff: zeros
    assert values[3] == pytest.approx([1.5, 0.8, 1.0, 1.0, 0.5, 0.9, 1.9])
    assert out.attrs["registrar_wte"] == pytest.approx(1.0)
    assert out.attrs["other_clinical_detail"] == pytest.approx(
        {"Health Care Assistant": 0.7, "Physiotherapist": 0.2})


@pytest.mark.parametrize("codes", [["P1"], ["P1", "P2"], ["P2", "P3"], ["P3"], ["P1", "P2", "P3"]])
def test_cluster_stocktake_total_is_column_sum(codes):
    out = cluster_stocktake(STOCK_STAFF, CLUSTER_REF, codes, PERIOD)
    body, total = out.iloc[:-1], out.iloc[-1]
    assert len(body) == len(codes)
    for c in STOCKTAKE_COLUMNS[2:]:
        assert total[c] == body[c].sum()


def test_cluster_stocktake_unknown_practice_shows_zero_and_blank_name():
    out = cluster_stocktake(STOCK_STAFF, CLUSTER_REF, ["ZZ1"], PERIOD)
    assert out["Practice"].tolist() == ["", ""]
    assert out[STOCKTAKE_COLUMNS[2:]].to_numpy().sum() == 0.0


VACANCIES = vacancy_frame([
    (PERIOD, "P1", "GP", "Salaried GP", 1.0),
    (PERIOD, "P1", "GP", "Registrar ST1/2", 1.0),      # training post: not a GP vacancy
    (PERIOD, "P1", "Nurses", "Practice Nurse", 0.5),
    (PERIOD, "P2", "Admin/Non-clinical", "Receptionist", 0.6),
    (PERIOD, "P2", "Direct Patient Care", "Health Care Assistant", 0.4),
    (PERIOD, "P2", "Direct Patient Care", NA, 0.1),
    (PERIOD, "P2", "GP", NA, 0.5),
    ("2017-05", "P3", "GP", NA, 1.0),                  # other period
    (PERIOD, "P9", "GP", NA, 1.0),                     # not in the cluster
])


def test_cluster_vacancies_layout_and_values():
    out = cluster_vacancies(VACANCIES, CLUSTER_REF, ["P1", "P2", "P3"], PERIOD)
    assert list(out.columns) == VACANCY_COLUMNS
    assert out["Practice Code"].tolist() == ["P1", "P2", "P3", "Total"]
    values = out[VACANCY_COLUMNS[2:]].to_numpy().tolist()
    assert values[0] == pytest.approx([1.5, 1.0, 0.5, 0.0, 0.0])
    assert values[1] == pytest.approx([1.6, 0.5, 0.0, 0.6, 0.5])
    assert values[2] == [0.0] * 5
    assert values[3] == pytest.approx([3.1, 1.5, 0.5, 0.6, 0.5])
    body, total = out.iloc[:-1], out.iloc[-1]
    for c in VACANCY_COLUMNS[2:]:
        assert total[c] == pytest.approx(body[c].sum())
    assert out.attrs["registrar_vacancy_wte"] == pytest.approx(1.0)
    assert out.attrs["other_clinical_detail"] == pytest.approx(
        {"Health Care Assistant": 0.4, "(role not recorded)": 0.1})


def test_cluster_vacancies_period_with_none_is_all_zero():
    out = cluster_vacancies(VACANCIES, CLUSTER_REF, ["P1", "P2"], "2016-01")
    assert out[VACANCY_COLUMNS[2:]].to_numpy().sum() == 0.0
    assert len(out) == 3


# ============================================================================================
# 5. Cluster eligibility
# ============================================================================================
ELIG_REF = ref_frame([("P1", "A", 6000), ("P2", "B", 6000), ("P3", "C", 6000), ("P4", "D", 6000),
                      ("P5", "E", 6000), ("P6", "F", 11230), ("P7", "G", 5999),
                      ("B1", "A branch", 6000), ("PC", "Closed", 6000, "2017-12-31"),
                      ("PN", "No list", None), ("P8", "H", 20000)])
ELIG_GROUPS = groups_frame([("P1", "PCH", "Primary Care Home"),
                            ("B1", "PCH", "Primary Care Home", "P1")])
FIVE = ["P1", "P2", "P3", "P4", "P5"]


@pytest.mark.parametrize("codes, on_date, counted, patients, eligible, extra", [
    (FIVE, None, 5, 30000, True, {}),                                      # exactly the minimum
    (FIVE + ["P6"], None, 6, 41230, True, {}),
    (FIVE[:4], None, 4, 24000, False, {}),
    (FIVE[:4] + ["P7"], None, 5, 29999, False, {}),                          # one patient short
    (FIVE[:4] + ["B1"], None, 4, 24000, False, {"branch_sites": ["B1"]}),
    (FIVE + ["ZZZ99"], None, 5, 30000, True, {"unknown_codes": ["ZZZ99"]}),
    (["P1", "P1", "P2", "P3", "P4"], None, 4, 24000, False, {"duplicates": ["P1"]}),
    (FIVE[:4] + ["p1 ", " P2"], None, 4, 24000, False, {"duplicates": ["P1", "P2"]}),
    (FIVE[:4] + ["PC"], "2018-03-31", 4, 24000, False, {"not_open": ["PC"]}),
    (FIVE[:4] + ["PC"], "2017-06-30", 5, 30000, True, {}),
    (FIVE[:4] + ["PC"], None, 5, 30000, True, {}),
    (FIVE + ["PN"], None, 6, 30000, True, {"no_list_size": ["PN"]}),
])
def test_cluster_eligibility_cases(codes, on_date, counted, patients, eligible, extra):
    e = cluster_eligibility(codes, ELIG_REF, ELIG_GROUPS, on_date=on_date)
    assert isinstance(e, ClusterEligibility)
    assert e.practices_listed == len(codes)
    assert e.practices_counted == counted == len(e.counted)
    assert e.patients == patients
    assert e.eligible is eligible
    assert e.meets_practices is (counted >= 5)
    assert e.meets_patients is (patients >= 30000)
    for name in ("branch_sites", "unknown_codes", "not_open", "duplicates", "no_list_size"):
        assert getattr(e, name) == extra.get(name, [])
    assert e.reason.startswith("Eligible: " if eligible else "Not eligible: ")
    assert e.reason.endswith(".")


def test_cluster_eligibility_reasons():
    ok = cluster_eligibility(FIVE + ["P6"], ELIG_REF)
    assert ok.reason == "Eligible: 6 practices (at least 5) with 41,230 patients (at least 30,000)."
    branch = cluster_eligibility(["P2", "P3", "P4", "P8", "B1"], ELIG_REF, ELIG_GROUPS)
    assert branch.patients == 38000
    assert branch.reason == ("Not eligible: only 4 practices counted (at least 5 needed); "
                             "branch site B1 not counted.")
    both = cluster_eligibility(["P1"], ELIG_REF)
    assert both.reason == ("Not eligible: only 1 practice counted (at least 5 needed) and only "
                           "6,000 patients (at least 30,000 needed).")
    noted = cluster_eligibility(FIVE + ["ZZZ99", "P1"], ELIG_REF)
    assert noted.reason == ("Eligible: 5 practices (at least 5) with 30,000 patients (at least "
                            "30,000); code ZZZ99 not in the practice reference, not counted; "
                            "code P1 listed more than once, counted once.")


def test_cluster_eligibility_custom_thresholds():
    e = cluster_eligibility(["P1", "P2"], ELIG_REF, min_practices=2, min_patients=12000)
    assert e.eligible
    assert e.reason == "Eligible: 2 practices (at least 2) with 12,000 patients (at least 12,000)."


def test_eligibility_table():
    e = cluster_eligibility(FIVE[:4] + ["PC"], ELIG_REF, ELIG_GROUPS, on_date="2018-03-31")
    t = eligibility_table(e)
    assert list(t.columns) == ["Criterion", "Result"]
    rows = dict(zip(t["Criterion"], t["Result"], strict=True))
    assert rows["Practice codes listed"] == "5"
    assert rows["Not open on 31/03/2018 (not counted)"] == "PC"
    assert rows["Branch sites (not counted)"] == "None"
    assert rows["Practices counted"] == "4"
    assert rows["At least 5 practices"] == "No"
    assert rows["Combined list size"] == "24,000"
    assert rows["Eligible"] == "No"
    assert rows["Reason"] == e.reason
    same = eligibility_table(FIVE[:4] + ["PC"], ELIG_REF, groups=ELIG_GROUPS,
                             on_date="2018-03-31")
    pd.testing.assert_frame_equal(same, t)
    assert "Not open" not in " ".join(eligibility_table(e.counted, ELIG_REF)["Criterion"])
    with pytest.raises(ConfigError):
        eligibility_table(FIVE)


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
