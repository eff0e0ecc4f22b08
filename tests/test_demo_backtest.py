"""Demo data generator and the back-test against the published Black Country tables.

The demo files are built into a temporary folder; the tables built from them by the same code
the report uses must equal the published figures cell for cell (after rounding as published).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis.config import registry, stp_members
from analysis.demo import gpw as demo
from analysis.io import gpw_fields as gpw_fields
from analysis.io import readers as readers
from analysis.tables.workforce import gp_summary, role_indicators
from analysis.util.rounding import round_half_up

FIXTURES = Path(__file__).parent / "fixtures" / "published"
SUMMARY_DATE = "2017-06-30"


def published(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"{name}.csv", comment="#")


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return demo.build(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def inputs(demo_files):
    ref = readers.read_practice_reference(demo_files["practice_reference"])
    return {
        "ref": ref,
        "ref_open": readers.open_on(ref, SUMMARY_DATE),
        "gpw": readers.read_gpw_practice_csv(demo_files["gpw_summary"]),
        "gpw16": readers.read_gpw_practice_csv(demo_files["gpw_indicators"]),
        "staff": readers.read_staff_records(demo_files["staff_records"]),
    }


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_generator_is_deterministic(demo_files, tmp_path):
    again = demo.build(tmp_path)
    for key, path in demo_files.items():
        assert _sha(path) == _sha(again[key]), key


def test_a_different_seed_gives_different_data(demo_files, tmp_path):
    other = demo.build(tmp_path, seed=1)
    assert _sha(other["gpw_summary"]) != _sha(demo_files["gpw_summary"])


def test_gpw_files_use_the_real_column_sets(demo_files):
    current = pd.read_csv(demo_files["gpw_summary"], nrows=0).columns.tolist()
    old = pd.read_csv(demo_files["gpw_indicators"], nrows=0).columns.tolist()
    assert current == gpw_fields.current_fields()
    assert old == gpw_fields.old_fields()


def test_practice_reference_is_latin1_with_real_headers(demo_files):
    raw = demo_files["practice_reference"].read_bytes()
    header = raw.decode("latin-1").splitlines()[0].split(",")
    assert "Number of Registered Patients (Last Known Figure)" in header
    assert "Practice Close Date" in header


def test_demo_models_people_not_totals(inputs):
    staff = inputs["staff"]
    posts = staff.groupby("staff_id")["practice_code"].nunique()
    assert (posts == 2).sum() >= 4, "some GPs should work in two practices"
    roles = set(staff["job_role"])
    assert {"GP Retainer", "Senior Partner", "Salaried GP"} <= roles
    assert any(r.startswith("GP Registrar") for r in roles)
    assert any(r.startswith("Locum") for r in roles)
    # practice headcount counts posts in the practice, so the sum over practices exceeds people
    gpw = inputs["gpw"]
    bc = gpw[gpw["SUB_ICB_CODE"].isin(["05C", "05L", "05Y", "06A"])]
    bc_people = staff.loc[staff["practice_code"].isin(bc["PRAC_CODE"]), "staff_id"].nunique()
    assert bc["TOTAL_GP_HC"].sum() > bc_people


def test_demo_has_missing_values_estimate_flags_and_closed_practice(inputs):
    gpw, gpw16, ref = inputs["gpw"], inputs["gpw16"], inputs["ref"]
    assert gpw16["TOTAL_NURSES_FTE"].isna().sum() >= 1          # 'ND' read as missing
    assert (gpw["GP_SOURCE"] == "Includes FTE Estimates").sum() >= 1
    assert (gpw16["NURSE_SOURCE"] == "Fully Estimated").sum() >= 1
    assert ref["close_date"].notna().sum() == 1
    assert (ref["open_date"] > pd.Timestamp(SUMMARY_DATE)).sum() == 1
    assert len(ref) - len(inputs["ref_open"]) == 2


def test_nd_markers_are_in_the_raw_files(demo_files):
    text16 = demo_files["gpw_indicators"].read_text()
    text17 = demo_files["gpw_summary"].read_text()
    assert ",ND," in text16 and ",ND," in text17
    assert ",NA,NA," in text17  # PCN code and name before PCNs existed


def test_backtest_gp_summary(inputs):
    stp = registry()["black-country"]
    got = gp_summary(inputs["ref_open"], inputs["gpw"], inputs["staff"],
                     stp_members("black-country"), stp)
    got["gp_fte"] = round_half_up(got["gp_fte"], 1)
    pd.testing.assert_frame_equal(got, published("black_country_gp_summary"), check_dtype=False)


def test_stp_fte_total_is_rounded_from_unrounded_rows(inputs):
    """Rows round to 155.4 + 245.5 + 147.3 + 133.3 = 681.5; the total rounds to 681.6."""
    got = gp_summary(inputs["ref_open"], inputs["gpw"], inputs["staff"],
                     stp_members("black-country"), registry()["black-country"])
    assert round_half_up(got["gp_fte"][:4], 1).sum() == pytest.approx(681.5)
    assert round_half_up(got["gp_fte"].iloc[4], 1) == pytest.approx(681.6)


@pytest.mark.parametrize("name,decimals", [("black_country_patients_per_fte", 0),
                                           ("black_country_fte_per_1000", 2)])
def test_backtest_role_indicators(inputs, name, decimals):
    rows = [("England", None)] + [(a.short_name, a.members)
                                  for a in stp_members("black-country")]
    ind = role_indicators(inputs["gpw16"], rows)
    got = ind.patients_per_fte if decimals == 0 else ind.fte_per_1000
    expected = published(name).set_index("area")
    pd.testing.assert_frame_equal(round_half_up(got, decimals), expected, check_dtype=False)


def test_headcount_fallback_overcounts_without_staff_records(inputs):
    stp = registry()["black-country"]
    people = gp_summary(inputs["ref_open"], inputs["gpw"], inputs["staff"],
                        stp_members("black-country"), stp)
    posts = gp_summary(inputs["ref_open"], inputs["gpw"], None, stp_members("black-country"),
                       stp)
    assert (posts["gp_hc"] >= people["gp_hc"]).all()
    assert posts["gp_hc"].iloc[-1] > people["gp_hc"].iloc[-1]
    assert posts.attrs["headcount_method"] != people.attrs["headcount_method"]
