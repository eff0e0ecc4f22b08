"""Scenario baselines from the data and the stock-flow model by age band.

The data's baselines are recomputed here from the cleaned staff rows with pandas, independently
of :mod:`analysis.models.scenarios.baseline`; the stock-flow model is checked against hand
arithmetic (ageing, cohort retirements, pipeline) and the HEE figures (222 = 26% of demand).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from real_files import REAL

from analysis.config import ROOT
from analysis.models import scenarios as sc
from analysis.models.scenarios import baseline as bl
from analysis.models.scenarios import stockflow as sf

LLR = ROOT / "scenarios" / "llr.yaml"
BC = ROOT / "scenarios" / "black_country.yaml"
RATES = sf.load_rates()
FLAT = np.full(len(bl.BANDS), 1 / len(bl.BANDS))


@pytest.fixture(scope="module")
def llr_returns():
    from analysis.cleaning.pipeline import load_returns

    ctx = load_returns("llr", "stp")
    if ctx is None or not len(ctx.staff):
        pytest.skip("no LLR returns (build the demo data: python -m analysis data)")
    return ctx


# ------------------------------------------------------------------------------------------
# Baselines from the data
# ------------------------------------------------------------------------------------------


def test_baselines_equal_the_data_computed_independently(llr_returns):
    staff, period = llr_returns.staff, llr_returns.period
    s = staff[(staff["period"] == period) & staff["in_post"].astype(bool)]
    gp = s[(s["staff_group"] == "GP") & ~s["is_registrar"].astype(bool)]
    age = pd.to_numeric(gp["age_lower"], errors="coerce")
    db = bl.data_baseline("llr", "stp")
    assert db.complete and db.period == period
    assert db.gp_wte == pytest.approx(gp["wte"].sum())
    assert db.over55_wte == pytest.approx(gp.loc[age >= 55, "wte"].sum())
    # The LLR plan's 541 WTE is the data's figure; its 87 aged 55+ is not.
    assert round(db.gp_wte, 1) == 541.0
    assert db.over55_wte - 87 > 5
    bands = pd.cut(age, [-np.inf, 30, 35, 40, 45, 50, 55, 60, 65, np.inf], right=False,
                   labels=list(bl.BANDS))
    by = gp.groupby(bands, observed=False)["wte"].sum()
    assert db.wte_by_band.loc[list(bl.BANDS)].to_numpy() == pytest.approx(by.to_numpy())
    assert db.wte_by_band.loc[bl.UNKNOWN] == pytest.approx(gp.loc[age.isna(), "wte"].sum())
    assert db.wte_by_band.sum() == pytest.approx(db.gp_wte)
    mix = s.groupby("staff_group")["wte"].sum()
    assert db.staff_mix.drop("GP registrar").sum() + db.staff_mix["GP registrar"] == \
        pytest.approx(mix.sum())
    assert db.staff_mix["Nurses"] == pytest.approx(mix["Nurses"])


def test_a_stated_value_is_shown_beside_the_data_with_the_difference(llr_returns):
    db = bl.data_baseline("llr", "stp")
    cmp = bl.comparison({"baseline_wte": 541, "over55_wte": 87}, db).set_index("item")
    row = cmp.loc["GP WTE aged 55 or over"]
    assert row["stated"] == 87 and row["data"] == pytest.approx(db.over55_wte)
    assert row["difference"] == pytest.approx(87 - db.over55_wte)
    assert set(cmp["used"]) == {"stated override"}
    unstated = bl.comparison({}, db)
    assert set(unstated["used"]) == {"data"} and unstated["difference"].isna().all()


def test_a_file_without_a_baseline_takes_the_data(tmp_path):
    text = ("start: 2017-10-01\nhorizon_years: 3\nscenarios:\n  - id: a\n"
            "demand:\n  method: fixed\n  fixed: {target_wte: 639}\n")
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    s = sc.load_scenario_file(p, {"baseline_wte": (541.0, "Data: returns"),
                                  "over55_wte": (93.7, "Data: returns")})
    assert s.scenario("a").params["over55_wte"] == 93.7
    assert s.scenario("a").sources["baseline_wte"] == "Data: returns"
    assert s.stated == frozenset()
    typed = sc.load_scenario_file(LLR, {"baseline_wte": (1.0, "x"), "over55_wte": (2.0, "x")})
    assert typed.scenario("s1").params["over55_wte"] == 87
    assert typed.stated == {"baseline_wte", "over55_wte"}


def test_band_of_age_edges():
    got = bl.band_of_age(pd.Series([29.9, 30, 54, 55, 64, 65, 90, np.nan]))
    assert list(got) == ["Under 30", "30-34", "50-54", "55-59", "60-64", "65+", "65+",
                         "Unknown"]


# ------------------------------------------------------------------------------------------
# Stock-flow model
# ------------------------------------------------------------------------------------------


def _zero_rates():
    z = np.zeros(len(bl.BANDS))
    return z, z


def test_ageing_moves_a_fifth_of_each_band_up_and_keeps_the_total():
    lv, rt = _zero_rates()
    shares = np.arange(1, len(bl.BANDS) + 1, dtype=float)
    shares /= shares.sum()
    p = {"baseline_wte": 900.0, "over55_wte": 900.0 * shares[bl.OVER55_FROM:].sum(),
         "returners_included": 0.0}
    res = sf.simulate(p, shares, 1, RATES, lv, rt)
    stock = 900.0 * shares
    expect = stock.copy()
    expect[:-1] -= stock[:-1] / 5
    expect[1:] += stock[:-1] / 5
    assert res["by_band"][0] == pytest.approx(expect)
    assert res["position"][0] == pytest.approx(900.0)
    with_returners = sf.simulate({**p, "returners_included": 1.0}, shares, 1, RATES, lv, rt)
    assert with_returners["returners"][0] == pytest.approx(900.0 * RATES.returner_rate)


def test_all_over55s_within_four_years_removes_the_whole_starting_cohort():
    lv, rt = _zero_rates()
    p = {"baseline_wte": 600.0, "over55_wte": 150.0, "over55_cohort_share": 1.0,
         "returners_included": 0.0}
    res = sf.simulate(p, FLAT, 4, RATES, lv, rt)
    assert res["cohort_retirements"][0] == pytest.approx(-150.0)
    assert np.diff(res["path"][0]) == pytest.approx([-37.5] * 4)
    # GPs turning 55 during the horizon are not part of the cohort and stay.
    assert res["by_band"][0][bl.OVER55_FROM:].sum() > 0


def test_black_country_hee_100_percent_gives_the_published_gap_in_every_mode():
    bc = sc.load_scenario_file(BC)
    demand = 222 / 0.26
    s = bc.scenario("s100")
    su = sf.setup(s, FLAT, sc.target_wte(bc), bc.horizon_years)
    res, dem = sf.run_setup(su, 4)
    gaps = {"stock-flow": dem[-1] - res["position"][0],
            "published": sc.run(bc, "published").loc["s100", "gap"],
            "annual": sc.run(bc, "annual").loc["s100", "gap"]}
    for mode, gap in gaps.items():
        assert gap == pytest.approx(demand - (681.6 - 196 + 146)), mode
        assert round(gap) == 222


def test_llr_published_mode_still_gives_561_630_658_against_639():
    llr = sc.load_scenario_file(LLR)
    res = sc.run(llr, "published")
    assert list(res["position"]) == [561, 630, 658]
    assert set(res["demand"]) == {639}


def test_demand_moves_with_the_horizon_and_equals_the_target_at_the_files_own():
    pats = RATES.demand_share
    d3 = sf.demand_path(639.0, 3, 3, pats, RATES)
    d5 = sf.demand_path(639.0, 3, 5, pats, RATES)
    assert d3[-1] == pytest.approx(639.0) and d5[3] == pytest.approx(639.0)
    assert d5[-1] != pytest.approx(d3[-1])
    w = pats * RATES.consultations
    by_hand = (w * (1 + RATES.growth) ** 5).sum() / (w * (1 + RATES.growth) ** 3).sum()
    assert d5[-1] == pytest.approx(639.0 * by_hand)


def test_pipeline_share_working_and_fte():
    lv, rt = _zero_rates()
    p = {"baseline_wte": 100.0, "over55_wte": 0.0, "trainees": 40.0,
         "trainee_retention": 0.8}
    res = sf.simulate(p, FLAT, 2, RATES, lv, rt, file_horizon=2)
    s12 = 0.8 * RATES.share_12m / RATES.share_24m
    fte = RATES.fte_trainee
    # 20 a year: year 1 at the 12-month share; year 2 a new 20 at 12 months and last year's
    # rising to the 24-month share.
    assert res["trainees"][0] == pytest.approx(20 * fte * (s12 + s12 + (0.8 - s12)))


def test_role_substitution_is_net_of_supervision_time():
    lv, rt = _zero_rates()
    p = {"baseline_wte": 100.0, "over55_wte": 0.0, "role_substitution_staff": 75.0,
         "role_substitution_ratio": 3.0}
    res = sf.simulate(p, FLAT, 3, RATES, lv, rt)
    sup = 75 * RATES.supervision_hours / RATES.gp_hours
    assert res["role_substitution"][0] == pytest.approx(25 - sup)


def test_scenario_levels_set_the_average_rates_at_the_baseline():
    llr = sc.load_scenario_file(LLR)
    s = llr.scenario("s1")
    shares = np.linspace(1, 2, len(bl.BANDS))
    shares /= shares.sum()
    lv, rt = sf.scaled_rates(s.params, s.sources, shares, RATES)
    assert (shares * lv).sum() == pytest.approx(0.03)
    old = shares[bl.OVER55_FROM:]
    assert (old * rt[bl.OVER55_FROM:]).sum() / old.sum() == pytest.approx(0.15)
    # A scenario that states no levels keeps the config's rates.
    s.sources.pop("session_loss_rate_pa", None)
    unset = sc.Scenario("x", "x", "", dict(s.params), {}, {})
    lv2, rt2 = sf.scaled_rates(unset.params, unset.sources, shares, RATES)
    assert lv2 == pytest.approx(RATES.leaver) and rt2 == pytest.approx(RATES.retirement)


def test_decomposition_adds_up_to_the_gap():
    llr = sc.load_scenario_file(LLR)
    su = sf.setup(llr.scenario("s3"), FLAT, 639.0, 3)
    for h in (3, 5):
        res, dem = sf.run_setup(su, h)
        dec = sf.decomposition(res, dem)
        assert dec["wte"].sum() == pytest.approx(dem[-1] - res["position"][0])
        assert dec.attrs["gap"] == pytest.approx(dem[-1] - res["position"][0])


# ------------------------------------------------------------------------------------------
# Uncertainty and levers
# ------------------------------------------------------------------------------------------


def test_leaver_rates_are_correlated_across_bands_and_draws_are_seeded():
    m = sf.draw_multipliers(RATES, 20_000, seed=3)
    c = np.corrcoef(m["leaver_mult"], rowvar=False)
    off = c[~np.eye(len(c), dtype=bool)]
    assert off.min() > 0.6
    lr = np.corrcoef(m["leaver_mult"][:, 0], m["retirement_mult"][:, 0])[0, 1]
    assert 0.2 < lr < 0.6
    indep = np.corrcoef(m["leaver_mult"][:, 0], m["share_mult"])[0, 1]
    assert abs(indep) < 0.05
    lo, hi = RATES.uncertainty["leaver_rate_pa"]["low"], RATES.uncertainty["leaver_rate_pa"][
        "high"]
    assert m["leaver_mult"].min() >= lo and m["leaver_mult"].max() <= hi
    again = sf.draw_multipliers(RATES, 20_000, seed=3)
    assert np.array_equal(again["leaver_mult"], m["leaver_mult"])


def test_probability_of_meeting_demand_counts_the_draws():
    llr = sc.load_scenario_file(LLR)
    su = sf.setup(llr.scenario("s3"), FLAT, 639.0, 3)
    mc = sf.monte_carlo(su, 3, 4000, seed=1)
    assert mc.p_meet == pytest.approx(np.mean(mc.supply[:, -1] >= mc.demand[:, -1] - 1e-9))
    b = mc.bands()
    assert (b["low_95"] <= b["median"]).all() and (b["median"] <= b["high_95"]).all()
    assert 0 < mc.p_meet < 1


def test_tornado_is_on_the_same_model():
    llr = sc.load_scenario_file(LLR)
    su = sf.setup(llr.scenario("s3"), FLAT, 639.0, 3)
    t = sf.tornado(su, 3).set_index("item")
    res, dem = sf.run_setup(su, 3, params={"international_recruits": 0.0})
    assert t.loc["international_recruits", "gap_low"] == pytest.approx(
        dem[-1] - res["position"][0])
    assert t["swing"].is_monotonic_decreasing


@pytest.mark.parametrize("lever", list(sf.SOLVE_LEVERS))
def test_solve_for_lever_closes_the_gap(lever):
    llr = sc.load_scenario_file(LLR)
    su = sf.setup(llr.scenario("s1"), FLAT, 639.0, 3)
    x = sf.solve_extra(su, 3, lever)
    assert x is not None and x > 0
    p = dict(su.params)
    if lever == "international_recruits":
        p["international_recruits"] += x * 3
    else:
        p["other_net_joiners"] += x * 3 * RATES.fte_trainee
    for extra, closes in ((x, True), (x * 0.99, False)):
        q = dict(p)
        if extra != x:
            key = "international_recruits" if lever == "international_recruits" \
                else "other_net_joiners"
            q[key] = su.params[key] + (p[key] - su.params[key]) * 0.99
        res, dem = sf.run_setup(sf.Setup(q, su.shares, su.patients, su.leaver, su.retirement,
                                         su.rates, su.target, 3), 3)
        assert bool(dem[-1] - res["position"][0] <= 1e-6) is closes


# ------------------------------------------------------------------------------------------
# The chapter
# ------------------------------------------------------------------------------------------


def test_chapter_shows_the_stock_flow_model(llr_returns, tmp_path):
    from analysis.models.scenarios import chapter as ch
    from analysis.report import scenarios as sr
    from analysis.report.rendering import Report

    ctx = ch.load_context("llr", "stp", draws=2000)
    rpt = Report(tmp_path, 3)
    base = sr.baseline_section(ctx, rpt)
    cmp = base.tables["scenario_baseline"].df.set_index("item")
    over55 = cmp.loc["GP WTE aged 55 or over"]
    assert (over55["stated"], over55["data"]) == ("87.0", f"{ctx.data.over55_wte:.1f}")
    assert over55["difference"] == f"{87 - ctx.data.over55_wte:+.1f}"
    sec = sr.stockflow_section(ctx, rpt)
    assert set(sec.tables) == {"scenario_gap_drivers", "scenario_stock_levers"}
    assert set(sec.charts) == {"scenario_stock_fan", "scenario_stock_tornado"}
    res, dem = sf.run_setup(ctx.stock, 3)
    gap = dem[-1] - res["position"][0]
    text = sec.markdown
    assert f"a gap of {gap:.1f} WTE" in text and "What drives the gap" in text
    assert "sf." not in text and "_mult" not in text  # human labels, no code names
    dec = sf.decomposition(res, dem)
    top = dec.iloc[dec["wte"].abs().argmax()]
    assert f"({top['wte']:+.1f} WTE on the gap)" in text
    levers = sec.tables["scenario_stock_levers"].df.set_index("lever")["answer"]
    need = sf.solve_extra(ctx.stock, 3, "international_recruits")
    assert levers[sf.SOLVE_LEVERS["international_recruits"]] == f"{math.ceil(need):,} a year"
    # Demand over a longer horizon differs from the file's own.
    five = ch.load_context("llr", "stp", horizon_years=5, draws=500)
    assert ch.stock_summary(five)["demand"] != pytest.approx(ch.stock_summary(ctx)["demand"])
    assert ch.stock_summary(ctx)["demand"] == pytest.approx(639.0)


def test_patients_by_band_from_the_quinary_file():


    path = REAL / "patients" / "2026-07" / "gp-reg-pat-prac-quin-age.zip"
    if not path.exists():
        pytest.skip("real patients-by-age file not available")
    from analysis.io.patients import read_patients_quinary

    q = read_patients_quinary(path)
    one = q[q["practice_code"] == "A81001"]
    got = sf.patients_by_band(q, RATES, ["A81001"])
    lower = one["age_band"].str.split("_").str[0].str.rstrip("+").astype(int)
    by_hand = [one.loc[(lower >= lo) & (lower < hi), "patients"].sum()
               for lo, hi in ((0, 15), (15, 30), (30, 45), (45, 65), (65, 75), (75, 85),
                              (85, 200))]
    assert got == pytest.approx(by_hand)
    assert got.sum() == one["patients"].sum()
    with pytest.raises(ValueError, match="none of the area's practices"):
        sf.patients_by_band(q, RATES, ["ZZZZZZ"])


def test_demand_by_age_comes_from_the_areas_patients_file(llr_returns, tmp_path):
    from analysis.models.scenarios import chapter as ch

    codes = sorted(set(llr_returns.staff["practice_code"].dropna()))[:2]
    bands = {"0_4": 100, "30_34": 200, "70_74": 300, "95+": 50}
    lines = ["PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,"
             "NUMBER_OF_PATIENTS"]
    for code in [*codes, "ZZ9999"]:
        for band, n in bands.items():
            lines.append(f"GP_PRAC_PAT_LIST,2017-10-01,GP,{code},E1,,FEMALE,{band},{n}")
    path = tmp_path / "gp-reg-pat-prac-quin-age.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ctx = ch.load_context("llr", "stp", draws=200, inputs={"patients_by_age": str(path)})
    # Two of the area's practices: 0-14 200, 30-44 400, 65-74 600, 85+ 100; ZZ9999 left out.
    assert ctx.stock.patients == pytest.approx([200, 0, 400, 0, 600, 0, 100])
    assert "patients by age of the area's practices" in ctx.patients_note
    by_hand = sf.demand_path(639.0, 3, 3, np.array([200, 0, 400, 0, 600, 0, 100.0]), RATES)
    assert ctx.stock_demand == pytest.approx(by_hand)


def test_partial_returns_are_not_compared_with_the_stp_figure():
    from analysis.models.scenarios import chapter as ch

    ctx = ch.load_context("black-country", "stp", draws=200)
    if ctx.data is None:
        pytest.skip("no Black Country returns")
    assert not ctx.data.complete
    cmp = ch.baseline_frame(ctx).set_index("item")
    assert cmp.loc["GP WTE (excluding registrars)", "difference"] != \
        cmp.loc["GP WTE (excluding registrars)", "difference"]  # NaN: not comparable
    assert "1 of the STP's 4 CCGs" in cmp.loc["GP WTE (excluding registrars)", "used"]
    share = cmp.loc["Share of GP WTE aged 55 or over"]
    assert share["difference"] == pytest.approx(196 / 681.6 - ctx.data.over55_wte /
                                                ctx.data.gp_wte)
