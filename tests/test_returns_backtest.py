"""Back-tests: the cleaned demo returns against the published LLR tables and the Wolverhampton
row of the Black Country table.

The LLR figures are read from their one copy, ``config/published/llr_workforce_plan.yaml``
(:func:`analysis.validation.returns.published_llr`), which the report's check reads too. Every
published cell is compared. The cells that differ are exactly the ones the published
tables get wrong or round differently (listed in ../shared/published/README.md), each with the
reason; nothing is forced.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.cleaning import pipeline as returns_pipeline
from analysis.cleaning import rules as cleaning
from analysis.config import settings
from analysis.demo import gpw as demo
from analysis.demo import returns as demo_returns
from analysis.io import readers, returns
from analysis.tables import returns as returns_tables
from analysis.util.rounding import round_half_up
from analysis.validation import returns as returns_validation

FIXTURES = Path(__file__).parent / "fixtures" / "published"
LLR = [("EAST LEICESTERSHIRE AND RUTLAND", "03W"), ("LEICESTER CITY", "04C"),
       ("WEST LEICESTERSHIRE", "04V")]


def fixture(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"{name}.csv", comment="#")


def published(table: str) -> pd.DataFrame:
    """A published LLR table from config/published/llr_workforce_plan.yaml."""
    return returns_validation.published_llr()[table]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    seed = settings().report.demo_seed
    demo.build(out, seed)
    demo_returns.build(out, seed)
    return out


@pytest.fixture(scope="module")
def llr(demo_dir):
    ref = readers.read_practice_reference(demo_dir / demo.FILES["practice_reference"])
    raw = returns.read_returns(demo_dir / "returns" / "llr")
    res = cleaning.clean_returns(raw, ref)
    acc = cleaning.check_accounting(raw, res)
    res = cleaning.complete_returns(res, ref, ["03W", "04C", "04V"])
    return {"ref": ref, "raw": raw, "result": res, "accounting": acc}


def test_row_accounting_holds_on_the_demo_returns(llr):
    acc = llr["accounting"]
    assert acc["raw"] == len(llr["raw"]) == acc["kept"] + acc["corrected"] + acc["quarantined"]
    assert acc["quarantined"] > 0 and acc["corrected"] > 0 and acc["kept"] > 0


def test_response_pattern_matches_the_plan(llr):
    st = llr["result"].status
    oct17 = st[st["period"] == "2017-10"]["status"].value_counts()
    assert oct17.to_dict() == {"received": 119, "carried forward": 18, "estimated": 1}
    carried = st[(st["period"] == "2017-10") & (st["status"] == "carried forward")]
    assert set(carried["carried_from"]) == {"2017-03"}


def test_every_kind_of_dirt_is_caught(llr):
    reasons = llr["result"].quarantine["reason"]
    for fragment in ("exact duplicate of", "unknown role label 'Volunteer'", "is under 18",
                     "more than 2", "leaving date before start date",
                     "unknown practice code Z99999"):
        assert reasons.str.contains(fragment, regex=False).any(), fragment
    rules = set(llr["result"].corrections["rule"])
    assert {"role label lookup", "gender lookup", "trim spaces / upper case"} <= rules


def _tables(llr):
    ctx = returns_pipeline.ReturnsContext(
        area=None, stp=None, ccgs=[], period="2017-10",
        periods=["2015-09", "2017-03", "2017-10"], folder=Path("."), files=[],
        raw_rows=0, accounting={}, result=llr["result"], reference=llr["ref"],
        unmapped=pd.DataFrame(), groups=None)
    from analysis.config import stp_members

    ctx.ccgs = stp_members("llr")
    return returns_tables.llr_tables(ctx)


def test_table3_headcount_and_wte(llr):
    got = returns_tables.table3_as_published(_tables(llr)["table3"])
    want = published("table3")
    numeric = [c for c in want.columns if c != "ccg"]
    got[numeric] = round_half_up(got[numeric].astype(float), 0)
    # the published nurse and other-clinical totals round the unrounded sum (256, 284) where the
    # rest of the row adds the rounded rows (255, 285): both are rounding, listed in the report
    want = want.copy()
    want.loc[3, "nurses_wte"] = 255
    want.loc[3, "other_clinical_wte"] = 285
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)


def test_table4_gp_wte_trend(llr):
    got = round_half_up(_tables(llr)["table4"]["gp_wte"], 0).tolist()
    want = published("table4")
    assert got == want["gp_wte"].tolist() == [563, 565, 541]
    assert want.attrs["target_2020"] == 639


def test_table8_components_per_1000(llr):
    got = _tables(llr)["table8"]
    want = published("table8")
    for col, d in (("gp", 0), ("gp_per_1000", 2), ("nurses", 0), ("nurses_per_1000", 2),
                   ("other_clinical", 0), ("other_clinical_per_1000", 2),
                   ("admin_non_clinical", 0), ("admin_non_clinical_per_1000", 2)):
        assert round_half_up(got[col], d).tolist() == want[col].tolist(), col
    # the published totals are not the sums of their components (810 vs 807 ...)
    assert round_half_up(got["total"], 0).tolist() == [880, 807, 987, 2673]


def test_table9_pct_wte_over_55(llr):
    got = _tables(llr)["table9"]
    want = published("table9")
    assert got["job_role"].tolist() == want["job_role"].tolist()
    assert round_half_up(got["pct_wte_over_55"], 1).tolist() == want["pct_wte_over_55"].tolist()


def test_table10_locums(llr):
    got = _tables(llr)["table10"]
    want = published("table10")
    cols = [c for c in want.columns if c not in ("ccg", "measure")]
    got[cols] = round_half_up(got[cols].astype(float), 2)
    want = want.copy()
    # published LLR 'locum - other' WTE says 26.26, but its CCG rows add to 27.26
    want.loc[7, "locum_other"] = 27.26
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)


def test_table2_population_and_contracts(llr):
    end = pd.Timestamp("2017-10-31")
    ref_open = readers.open_on(llr["ref"], end)
    got = returns_tables.table2(ref_open, [("ELR CCG", "03W"), ("WL CCG", "04V"),
                                           ("LC CCG", "04C")])
    want = published("table2")
    assert got["population"].tolist() == want["population"].tolist()
    assert got["practices"].tolist() == want["practices"].tolist()
    assert got[["gms", "pms", "apms"]].iloc[:3].to_numpy().tolist() == \
        want[["gms", "pms", "apms"]].iloc[:3].to_numpy().tolist()


def test_published_differences_are_exactly_the_known_ones(llr):
    diffs = returns_validation.published_differences(_tables(llr))
    got = set(zip(diffs["table"], diffs["row"], diffs["column"], diffs["published"],
                  strict=True))
    assert got == {
        ("Table 2", "ELR CCG", "average_list_size", 10610),
        ("Table 2", "Totals", "average_list_size", 8074),
        ("Table 3", "LLR STP Total", "nurses_wte", 256),
        ("Table 3", "LLR STP Total", "other_clinical_wte", 284),
        ("Table 8", "LEICESTER CITY", "population", 398063),
        ("Table 8", "LEICESTER CITY", "total", 810),
        ("Table 8", "WEST LEICESTERSHIRE", "total", 1007),
        ("Table 8", "LLR STP Total", "total", 2720),
        ("Table 8", "WEST LEICESTERSHIRE", "total_per_1000", 2.60),
        ("Table 8", "LLR STP Total", "total_per_1000", 2.44),
        ("Table 10", "LLR", "locum_other", 26.26),
    }
    assert diffs["explanation"].str.startswith(("rounding", "published")).all() or (
        diffs["explanation"].str.contains("consistent with the published total")).any()
    assert not (diffs["explanation"] == "differs from the data").any()


def test_vacancies_reported(llr):
    v = llr["result"].vacancies
    gp = v[(v["period"] == "2017-10") & (v["staff_group"] == "GP")]["vacancy_wte"].sum()
    assert gp == pytest.approx(18.0)


def test_wolverhampton_returns_reproduce_the_black_country_row(demo_dir):
    ref = readers.read_practice_reference(demo_dir / demo.FILES["practice_reference"])
    raw = returns.read_returns(demo_dir / "returns" / "wolverhampton")
    res = cleaning.complete_returns(cleaning.clean_returns(raw, ref), ref, ["06A"])
    s = res.staff[(res.staff["period"] == "2017-06") & res.staff["in_post"]
                  & (res.staff["staff_group"] == "GP")]
    age = s.groupby("staff_id")["age_lower"].max()
    open_ = readers.open_on(ref, "2017-06-30")
    w = open_[open_["ccg_code"] == "06A"]
    pub = fixture("black_country_gp_summary").set_index("area").loc["NHS Wolverhampton CCG"]
    assert len(w) == pub["practices"]
    assert w["registered_patients"].sum() == pub["patients"]
    assert (age.size, int((age >= 55).sum()), int((age >= 60).sum())) == (
        pub["gp_hc"], pub["gp_hc_55_plus"], pub["gp_hc_60_plus"])
    assert round_half_up(s["wte"].sum(), 1) == pub["gp_fte"]
    months = sorted(set(res.staff["period"]))
    assert len(months) == 12
    st = res.status
    assert (st["status"] == "carried forward").sum() == 1


def test_gp_summary_by_ccg_reproduces_the_black_country_row(demo_dir):
    """The returns chapter's summary row (tables.returns.gp_summary_by_ccg) for Wolverhampton
    equals the published Black Country row (headcounts, practices, patients, FTE to 1 dp)."""
    from analysis.config import resolve_area, stp_members

    ref = readers.read_practice_reference(demo_dir / demo.FILES["practice_reference"])
    raw = returns.read_returns(demo_dir / "returns" / "wolverhampton")
    res = cleaning.complete_returns(cleaning.clean_returns(raw, ref), ref, ["06A"])
    ctx = returns_pipeline.ReturnsContext(
        area=resolve_area("wolverhampton"), stp=resolve_area("black-country"),
        ccgs=stp_members("black-country"), period="2017-06", periods=["2017-06"],
        folder=Path("."), files=[], raw_rows=len(raw), accounting={}, result=res,
        reference=ref, unmapped=pd.DataFrame(), groups=None)
    got = returns_tables.gp_summary_by_ccg(ctx)
    pub = fixture("black_country_gp_summary").set_index("area").loc[["NHS Wolverhampton CCG"]]
    assert got["area"].tolist() == ["NHS Wolverhampton CCG"]
    row = got.set_index("area")
    for col in ["practices", "patients", "gp_hc", "gp_hc_55_plus", "gp_hc_60_plus"]:
        assert row[col].tolist() == pub[col].tolist(), col
    assert round_half_up(row["gp_fte"].iloc[0], 1) == pub["gp_fte"].iloc[0]


def test_unknown_role_labels_counts_quarantined_rows_per_label():
    q = pd.DataFrame({"reason": ["unknown role label 'volunteer'", "staff id is blank",
                                 "unknown role label 'volunteer'", "unknown role label 'x y'",
                                 None]})
    got = returns_tables.unknown_role_labels(q)
    pd.testing.assert_frame_equal(
        got, pd.DataFrame({"label": ["volunteer", "x y"], "rows": [2, 1]}),
        check_dtype=False)
    assert returns_tables.unknown_role_labels(q.iloc[[1]]).empty
