"""Tests for :mod:`analysis.tables.clusters` (Resilience Pilot stocktake, vacancies and
eligibility), on tiny hand-made tables in the cleaned schema (:mod:`local_frames`)."""

from __future__ import annotations

import pandas as pd
import pytest
from local_frames import NA, PERIOD, groups_frame, ref_frame, staff_frame, vacancy_frame

from analysis.tables.clusters import (
    STOCKTAKE_COLUMNS,
    VACANCY_COLUMNS,
    ClusterEligibility,
    cluster_eligibility,
    cluster_stocktake,
    cluster_vacancies,
    eligibility_table,
)
from analysis.util.errors import ConfigError

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
