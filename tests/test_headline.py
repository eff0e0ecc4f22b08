"""The headline figures (analysis.tables.headline) on hand-made chapter tables, and the board
summary that prints them (analysis.report.summary)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import resolve_area
from analysis.report import summary as sm
from analysis.report.rendering import Report, human_label
from analysis.tables import headline as hl

GP_SUMMARY = pd.DataFrame({
    "area": ["NHS Alpha CCG", "NHS Beta CCG", "Gamma STP"],
    "practices": [10, 20, 30], "patients": [100_000, 300_000, 400_000],
    "gp_hc": [80, 200, 280], "gp_hc_55_plus": [20, 30, 50], "gp_hc_60_plus": [5, 9, 14],
    "gp_fte": [55.0, 150.5, 205.5]})
FTE_1000 = pd.DataFrame({"area": ["England", "Alpha", "Beta"],
                         "gp_excl_registrars_retainers_locums": [0.48, 0.47, 0.44]})
GROUPS = pd.DataFrame({"level": ["group", "total"], "group_type": ["G", "Total"],
                       "group_name": ["One", "All practices"], "practices": [4, 10],
                       "patients": [40_000, 100_000], "gp_wte": [17.0, 44.0],
                       "gp_wte_per_1000_patients": [0.425, 0.44]})
FACTS = {"workforce": {"target": 0.58, "date": "30 June 2017",
                       "indicators_date": "30 September 2016"},
         "returns": {"period": "2017-06"},
         "returns_age": {"gps": 70, "gps_55_plus": 14, "period": "2017-06",
                         "chart": "pyramid_gps"}}


def _headline(**extra):
    tables = {"gp_summary": GP_SUMMARY, "fte_per_1000": FTE_1000, "practice_groups": GROUPS,
              **extra}
    return hl.headline(tables, FACTS, "NHS Alpha CCG", "Alpha", "ccg", "Gamma STP")


def test_each_basis_is_read_from_its_own_table_and_row():
    f = _headline().figures
    assert f["all_per_1000"].value == pytest.approx(55.0 / 100_000 * 1000)
    assert f["all_gap"].value == pytest.approx(0.58 * 100 - 55.0)
    assert f["parent_per_1000"].value == pytest.approx(205.5 / 400)
    assert (f["all_gp_fte"].table, f["all_gp_fte"].row, f["all_gp_fte"].column) == (
        "gp_summary", 0, "gp_fte")
    assert f["fq_per_1000"].value == 0.47 and f["england_fq_per_1000"].value == 0.48
    assert f["ret_per_1000"].value == 0.44 and f["ret_per_1000"].row == 1
    assert f["ret_gap"].value == pytest.approx(0.58 * 100 - 44.0)
    assert f["ret_share_55_plus"].value == pytest.approx(0.2)
    assert f["all_share_55_plus"].value == pytest.approx(0.25)
    assert {f[k].basis for k in ("all_per_1000", "ret_per_1000", "fq_per_1000")} == {
        "all", "excl_registrars", "fully_qualified"}
    assert f["fq_per_1000"].date == "30 September 2016" and f["ret_gap"].date == "2017-06"


def test_llr_plan_table_row_for_an_stp_is_its_total():
    t8 = pd.DataFrame({"ccg": ["EAST", "WEST", "LLR STP Total"], "population": [1, 2, 300_000],
                       "gp": [1.0, 2.0, 150.0], "gp_per_1000": [1.0, 1.0, 0.5]})
    h = hl.headline({"llr_table8_staff_per_1000": t8}, FACTS, "Gamma STP", "Gamma", "stp",
                    None)
    assert h.figures["ret_per_1000"].row == 2
    assert h.figures["ret_gap"].value == pytest.approx(0.58 * 300 - 150.0)
    assert "parent_per_1000" not in h.figures


def test_base_case_and_chosen_scenario_side_by_side():
    comp = pd.DataFrame({"item": ["Baseline WTE", "Position in 2020", "Target (demand)",
                                  "Gap (target - position; negative = surplus)"],
                         "s1": [100.0, 90.0, 120.0, 30.0], "s2": [100.0, 110.0, 120.0, 10.0],
                         "s3": [100.0, 125.0, 120.0, -5.0]})
    prob = pd.DataFrame({"scenario": ["One", "Two", "Three"], "p_meet": [0.0, 0.2, 0.6]})
    out = hl.scenario_comparison(comp, prob, "Two")
    assert out["scenario"].tolist() == ["One", "Two"]
    assert out["position"].tolist() == [90.0, 110.0] and out["gap"].tolist() == [30.0, 10.0]
    assert out["p_meet"].tolist() == [0.0, 0.2]
    same = hl.scenario_comparison(comp, prob, "One")
    assert len(same) == 1 and same["role"].iloc[0].startswith("Base case and")


def test_returns_completeness_counts_the_areas_own_practices():
    status = pd.DataFrame({"period": ["2017-10"] * 3 + ["2017-09"],
                           "ccg_code": ["03W", "04C", "04V", "03W"], "received": [25, 52, 42, 31],
                           "carried forward": [6, 6, 6, 0], "estimated": [0, 1, 0, 0],
                           "missing": [0, 0, 0, 0], "practices": [31, 59, 48, 31]})
    assert hl.returns_completeness(status, ["03W"], "2017-10") == {
        "received": 25, "carried_forward": 6, "estimated": 0, "missing": 0, "practices": 31}
    assert hl.returns_completeness(status, ["03W", "04C", "04V"], "2017-10")["received"] == 119
    assert hl.returns_completeness(status, ["XXX"], "2017-10") is None


def test_board_summary_names_each_basis_and_links_its_table(tmp_path):
    rpt = Report(tmp_path)
    for name, df in (("gp_summary", GP_SUMMARY.assign(area=[
            "NHS Wolverhampton CCG", "NHS Dudley CCG", "Black Country STP"])),
            ("practice_groups", GROUPS)):
        rpt.save_table(df, name)
    meta = {"headline": FACTS, "parameters": {}, "inputs": {}}
    html = sm.board_summary(resolve_area("wolverhampton", "ccg"), meta, tmp_path).text
    assert 'data-figure="all_per_1000">0.55<' in html
    assert 'data-figure="parent_per_1000">0.51<' in html  # 205.5 / 400,000 x 1,000
    assert 'data-figure="ret_per_1000"><a href="#tbl-practice_groups">0.44</a>' in html
    assert 'data-figure="ret_share_55_plus">20.0%<' in html
    for basis in ("all", "excl_registrars"):
        assert hl.BASES[basis].replace("'", "&#39;") in html
    assert hl.BASES["fully_qualified"] not in html  # no indicator table: no such row


def test_code_names_become_words():
    assert human_label("other_net_joiners") == "Other net joiners"
    assert human_label("average_list_size") == "Average list size"
    assert human_label("gp_wte_per_1000") == "GP WTE per 1000"
    assert human_label("GP headcount") == "GP headcount" and human_label("") == ""


def test_returns_of_part_of_an_area_are_labelled_as_such(tmp_path):
    """The Black Country's local returns are Wolverhampton's: the summary says so and leads
    with NHS Digital's figure for the whole STP instead."""
    rpt = Report(tmp_path)
    rpt.save_table(GP_SUMMARY.assign(area=["NHS Dudley CCG", "NHS Walsall CCG",
                                           "Black Country STP"]), "gp_summary")
    rpt.save_table(GROUPS, "practice_groups")
    rpt.save_table(pd.DataFrame({"period": ["2017-06"], "ccg_code": ["06A"], "received": [10],
                                 "carried forward": [0], "estimated": [0], "missing": [0],
                                 "practices": [10]}), "returns_status")
    meta = {"headline": FACTS, "parameters": {}, "inputs": {}}
    area = resolve_area("black-country", "stp")
    html = sm.board_summary(area, meta, tmp_path).text
    assert sm.returns_cover(area, meta, sm.chapter_tables(tmp_path)) == ["Wolverhampton"]
    assert "<strong>Wolverhampton only</strong>, the CCGs with returns" in html
    assert "only Wolverhampton sent returns: its 10 practices" in html
    assert "Black Country has 0.51 GP FTE per 1,000 patients" in html  # 205.5 / 400,000
    whole = resolve_area("wolverhampton", "ccg")
    assert sm.returns_cover(whole, meta, sm.chapter_tables(tmp_path)) is None
