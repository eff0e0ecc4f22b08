"""PCN-employed staff per 1,000 patients (analysis/tables/pcn.py) on hand-made frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.tables import pcn as tp
from analysis.tables.geography import find_area, hierarchy
from analysis.util.errors import InputError


def staff_frame(rows):
    cols = ["pcn_code", "pcn_name", "icb_code", "sub_icb_code", "data_source", "staff_group",
            "staff_role", "fte", "unique_identifier"]
    df = pd.DataFrame(rows, columns=cols)
    df.attrs.update(source="pcn.csv", period="2026-06")
    return df


@pytest.fixture
def pcn():
    return staff_frame([
        ["U1", "ONE PCN", "QA", "S1", "NWRS Staff", "Other Direct Patient Care staff",
         "Pharmacists", 1.0, "p1"],
        ["U1", "ONE PCN", "QA", "S1", "NWRS Staff", "Other Direct Patient Care staff",
         "Care Coordinators", 0.5, "p1"],  # the same person in a second role
        ["U1", "ONE PCN", "QA", "S1", "NWRS contracted services",
         "Other Direct Patient Care staff", "Pharmacists", 2.5, None],
        ["U2", "TWO PCN", "QA", "S2", "NWRS Staff", "Other Direct Patient Care staff",
         "Pharmacists", 0.8, "p2"],
        ["U2", "TWO PCN", "QA", "S2", "NWRS Staff", "Other Direct Patient Care staff",
         "Paramedics", 1.0, "p1"],  # p1 also works in U2
        ["U3", "THREE PCN", "QB", "S3", "NWRS Staff", "Other Direct Patient Care staff",
         "Pharmacists", 1.0, "p3"],
    ])


@pytest.fixture
def practice_map():
    df = pd.DataFrame({
        "practice_code": ["A1", "A2", "A3", "B1", "B2"],
        "pcn_code": ["U1", "U1", "U2", "U3", "U"],
        "pcn_name": ["ONE PCN", "ONE PCN", "TWO PCN", "THREE PCN", "Unallocated"],
        "sub_icb_code": ["S1", "S1", "S2", "S3", "S3"],
        "icb_code": ["QA", "QA", "QA", "QB", "QB"],
        "icb_name": ["NHS A ICB", "NHS A ICB", "NHS A ICB", "NHS B ICB", "NHS B ICB"],
    })
    df.attrs.update(source="map.csv", period="2026-07")
    return df


PATIENTS = pd.Series({"A1": 1000, "A2": 3000, "A3": 2000, "B1": 5000, "B2": 700})


def test_per_1000_fte_over_patients_with_both_columns(pcn, practice_map):
    staff = tp.staff_by_pcn(pcn, ["U1", "U2"])
    out = tp.per_1000(staff, tp.patients_by_pcn(practice_map, PATIENTS, ["U1", "U2"]))
    row = out.set_index("pcn_code").loc["U1"]
    assert row["fte"] == pytest.approx(4.0)  # 1.0 + 0.5 + 2.5 contracted
    assert row["patients"] == 4000
    assert row["fte_per_1000"] == pytest.approx(4.0 / 4000 * 1000)
    assert out.set_index("pcn_code").loc["U2", "fte_per_1000"] == pytest.approx(1.8 / 2)


def test_identifiers_counted_once_contracted_services_fte_only(pcn):
    staff = tp.staff_by_pcn(pcn, ["U1", "U2"])
    assert staff.loc["U1", "headcount"] == 1  # p1 twice, contracted row none
    assert staff.loc["U1", "contracted_fte"] == pytest.approx(2.5)
    assert staff.loc["U2", "headcount"] == 2
    total = tp.totals_row("A", pcn, ["U1", "U2"], 6000.0)
    assert total["headcount"] == 2  # p1 in two PCNs is one head in the area
    assert total["fte"] == pytest.approx(5.8)
    assert total["fte_per_1000"] == pytest.approx(5.8 / 6)
    roles = tp.staff_by_role(pcn, ["U1"]).set_index("staff_role")
    assert roles.loc["Pharmacists", "headcount"] == 1
    assert roles.loc["Pharmacists", "fte"] == pytest.approx(3.5)


def test_area_pcns_from_the_map_and_unallocated_left_out(pcn, practice_map):
    area = find_area(hierarchy(practice_map), "QB")
    pcns, notes = tp.area_pcns(pcn, practice_map, area)
    assert pcns == ["U3"]
    assert notes == []
    area = find_area(hierarchy(practice_map), "QA")
    assert tp.area_pcns(pcn, practice_map, area)[0] == ["U1", "U2"]


def test_disagreeing_geography_is_one_line_error(pcn, practice_map):
    moved = pcn.copy()
    moved.loc[moved["pcn_code"] == "U3", "icb_code"] = "QA"
    area = find_area(hierarchy(practice_map), "QA")
    with pytest.raises(InputError) as err:
        tp.area_pcns(moved, practice_map, area)
    msg = str(err.value)
    assert "\n" not in msg
    assert "PCN U3: QA in the PCN file, QB in the map" in msg
    assert "does not choose" in msg


def test_no_patients_gives_missing_ratio(pcn):
    out = tp.per_1000(tp.staff_by_pcn(pcn, ["U1"]), None)
    assert math.isnan(out.loc[0, "fte_per_1000"])


def test_quinary_summed_per_practice_and_months_apart():
    quin = pd.DataFrame({"practice_code": ["A1", "A1", "A2"], "sex": ["male", "female", "male"],
                         "age_band": ["0_4", "0_4", "0_4"], "patients": [3, 4, 5]})
    assert tp.practice_patients(quin).to_dict() == {"A1": 7, "A2": 5}
    assert tp.months_apart("2025-10", "2026-06") == 8
    assert tp.months_apart("2026-07", "2026-06") == 1
