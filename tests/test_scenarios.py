"""Scenario models: back-tests against the published figures, properties, solver, finance.

Back-tests: LLR GP workforce plan Tables 12-14 row by row (fixture copied with its source) and
the HEE figures quoted in the Wolverhampton strategy (196 and 157 retirements; 222 = 26%).
Property tests draw seeded random parameter sets and check every one of them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.config import ROOT, registry, settings
from analysis.models import scenarios as sc
from analysis.models.scenarios import chapter as ch
from analysis.report import scenarios as sr
from analysis.report.rendering import Report
from analysis.util.errors import InputError
from analysis.validation.scenarios import check_published

FIXTURES = Path(__file__).parent / "fixtures" / "published"
SHARED = Path(__file__).resolve().parents[2] / "shared"
LLR = ROOT / "scenarios" / "llr.yaml"
BC = ROOT / "scenarios" / "black_country.yaml"


@pytest.fixture(scope="module")
def llr():
    return sc.load_scenario_file(LLR)


@pytest.fixture(scope="module")
def bc():
    return sc.load_scenario_file(BC)


def random_params(n: int, seed: int) -> dict[str, np.ndarray]:
    """Plausible random parameter sets (n of them), for property tests."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(50, 1500, n)
    return {
        "baseline_wte": base,
        "over55_wte": base * rng.uniform(0, 0.5, n),
        "over55_loss_rate_pa": rng.uniform(0, 0.5, n),
        "session_loss_rate_pa": rng.uniform(0, 0.1, n),
        "trainees": rng.uniform(0, 300, n),
        "trainee_retention": rng.uniform(0, 1, n),
        "international_recruits": rng.uniform(0, 100, n),
        "role_substitution_staff": rng.uniform(0, 200, n),
        "role_substitution_ratio": rng.uniform(1, 5, n),
        "other_net_joiners": rng.uniform(-50, 50, n),
        "ageing_into_55_rate_pa": rng.uniform(0, 0.1, n),
    }


# -------------------------------------------------------------------------------------------
# Back-tests
# -------------------------------------------------------------------------------------------


def test_published_mode_reproduces_llr_tables_12_to_14_row_by_row(llr):
    expected = pd.read_csv(FIXTURES / "llr_tables12_14_scenarios.csv", comment="#")
    assert_frame_equal(sc.published_table(llr), expected)


def test_llr_positions_are_561_630_658_against_639(llr):
    res = sc.run(llr, "published")
    assert res["position"].tolist() == [561, 630, 658]
    assert sc.target_wte(llr) == 639
    assert res["meets_target"].tolist() == [False, False, True]
    assert res["gap"].tolist() == [78, 9, -19]


def test_fixture_is_a_faithful_copy_of_the_shared_transcription():
    shared = SHARED / "published" / "llr_tables12_14_scenarios.csv"
    if not shared.exists():
        pytest.skip("../shared is not available")
    assert_frame_equal(pd.read_csv(FIXTURES / "llr_tables12_14_scenarios.csv", comment="#"),
                       pd.read_csv(shared))


@pytest.mark.parametrize("params, component, expected", [
    ({"over55_wte": 87, "over55_loss_rate_pa": 0.15}, "over55_change", -39),  # 39.15
    ({"session_loss_rate_pa": 0.03}, "session_change", -48),                   # 48.69
    ({"trainees": 153, "trainee_retention": 0.7}, "trainee_change", 107),      # 107.1
    ({"role_substitution_staff": 85, "role_substitution_ratio": 3},
     "role_substitution_change", 28),                                          # 28.3
    ({"over55_wte": 87, "over55_loss_rate_pa": 0.12}, "over55_change", -31),  # 31.32
    ({"session_loss_rate_pa": 0.02}, "session_change", -32),                   # 32.46
    ({"trainees": 153, "trainee_retention": 0.8}, "trainee_change", 122),      # 122.4
])
def test_published_arithmetic_truncates_each_component(params, component, expected):
    res = sc.project({"baseline_wte": 541, **params}, 3, "published", "truncate")
    assert res[component][0] == expected
    assert res["position"][0] == 541 + expected


def test_hee_retirements_are_196_and_157(bc):
    cases = sc.retirement_cases(196, [1.0, 0.8], 4, "half_up")
    assert cases["retirements"].tolist() == [196, 157]
    assert cases["year_4"].tolist() == pytest.approx([196, 156.8])
    assert cases["year_1"].tolist() == pytest.approx([49, 39.2])
    table = sc.published_table(bc)
    assert table["over55_change_4y"].tolist() == [-196, -157]
    assert check_published(bc)["matches"].all()


def test_demand_implied_by_222_equals_26_percent():
    imp = sc.implied_demand(222, 0.26, share_decimals=2)
    assert imp["demand"] == pytest.approx(853.846, abs=1e-3)
    assert imp["supply"] == pytest.approx(631.846, abs=1e-3)
    assert imp["demand_low"] == pytest.approx(222 / 0.265)
    assert imp["demand_high"] == pytest.approx(222 / 0.255)
    # The 0.58 ratio on the published Black Country list falls just outside that range.
    assert sc.demand_ratio(0.58, 1_442_402) == pytest.approx(836.593, abs=1e-3)
    assert sc.demand_ratio(0.58, 1_442_402) < imp["demand_low"]


def test_black_country_100pct_case_reproduces_the_hee_gap(bc):
    res = sc.run(bc, "published").loc["s100"]
    assert round(res["gap"]) == 222
    assert round(res["gap_pct"], 2) == 0.26
    # The derived joiners are the calibration stated in the file, to the whole WTE.
    calibrated = 222 / 0.26 - 222 - (681.6 - 196)
    assert bc.scenario("s100").params["other_net_joiners"] == round(calibrated)


# -------------------------------------------------------------------------------------------
# Demand
# -------------------------------------------------------------------------------------------


def test_demand_options_for_llr(llr):
    opts = sc.demand_options(llr).set_index("method")
    assert opts.loc["fixed", "demand_wte"] == 639
    assert opts.loc["ratio", "demand_wte"] == pytest.approx(646.30328)
    assert bool(opts.loc["fixed", "chosen"]) and not opts.loc["ratio", "chosen"]
    # Older people (+11.1%) weigh most, so growth exceeds the adult rate (+1.7%) pro rata.
    grown = opts.loc["population_growth", "demand_wte"] / opts.loc["ratio", "demand_wte"]
    assert 1.017 ** (3 / 5) < grown < 1.111 ** (3 / 5)


def test_population_growth_factor_by_hand():
    groups = {"young": {"growth": 0.10, "share": 0.5, "weight": 1.0},
              "old": {"growth": 0.0, "share": 0.5, "weight": 3.0}}
    assert sc.population_growth_factor(groups, 1, 1) == pytest.approx(1.025)
    same = {k: {**v, "growth": 0.05} for k, v in groups.items()}
    assert sc.population_growth_factor(same, 2, 5) == pytest.approx(1.05 ** 0.4)
    zero = {k: {**v, "growth": 0.0} for k, v in groups.items()}
    assert sc.population_growth_factor(zero, 3, 5) == 1.0


# -------------------------------------------------------------------------------------------
# Properties
# -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", sc.MODES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_more_retirements_never_raise_supply(mode, seed):
    p = random_params(2000, seed)
    more = dict(p)
    more["over55_loss_rate_pa"] = np.minimum(p["over55_loss_rate_pa"]
                                             + np.random.default_rng(seed).uniform(0, 0.5, 2000),
                                             1.0)
    a = sc.project(p, 5, mode, "truncate")
    b = sc.project(more, 5, mode, "truncate")
    assert np.all(b["position"] <= a["position"] + 1e-9)
    assert np.all(b["path"] <= a["path"] + 1e-9)


@pytest.mark.parametrize("mode", sc.MODES)
def test_zero_rates_leave_the_baseline_unchanged(mode):
    p = random_params(500, 7)
    for k in ("over55_loss_rate_pa", "session_loss_rate_pa", "trainees",
              "international_recruits", "role_substitution_staff", "other_net_joiners"):
        p[k] = np.zeros(500)
    res = sc.project(p, 4, mode, "truncate")
    assert np.allclose(res["path"], p["baseline_wte"][:, None], rtol=0, atol=1e-9)
    for c in sc.COMPONENTS:
        assert np.allclose(res[c], 0)


def test_components_add_up_to_the_position():
    p = random_params(1000, 11)
    for mode in sc.MODES:
        res = sc.project(p, 3, mode)
        total = res["baseline"] + sum(res[c] for c in sc.COMPONENTS)
        assert np.allclose(total, res["position"])


def test_annual_mode_over_one_year_without_ageing_equals_unrounded_published():
    p = random_params(1000, 5)
    p["ageing_into_55_rate_pa"] = np.zeros(1000)
    a = sc.project(p, 1, "annual")
    b = sc.project(p, 1, "published", "none")
    for k in [*sc.COMPONENTS, "position"]:
        assert np.allclose(a[k], b[k])


def test_annual_mode_compounds_losses_on_the_shrinking_stock():
    p = {"baseline_wte": 100.0, "session_loss_rate_pa": 0.1}
    assert sc.project(p, 3, "annual")["position"][0] == pytest.approx(100 * 0.9 ** 3)
    assert sc.project(p, 3, "published")["position"][0] == pytest.approx(70)


def test_ageing_moves_gps_into_the_group_that_retires():
    p = {"baseline_wte": 500.0, "over55_wte": 100.0, "over55_loss_rate_pa": 0.2}
    without = sc.project({**p, "ageing_into_55_rate_pa": 0.0}, 3, "annual")
    with_ageing = sc.project({**p, "ageing_into_55_rate_pa": 0.05}, 3, "annual")
    assert with_ageing["aged_into_55"][0] > 0
    assert with_ageing["position"][0] < without["position"][0]
    assert without["over55_change"][0] == pytest.approx(-100 * (1 - 0.8 ** 3))


def test_monte_carlo_with_zero_variance_equals_the_deterministic_run(llr):
    s = llr.scenario("s3")
    zero = {k: sc.Dist("triangular", 1.0, 1.0, True) for k in sc.PARAMETERS}
    for mode, rounding in (("annual", "none"), ("published", "truncate")):
        mc = sc.monte_carlo(s.params, zero, 3, 639, draws=1000, seed=3, mode=mode,
                            rounding=rounding)
        det = sc.project(s.params, 3, mode, rounding)
        assert np.array_equal(mc.paths, np.repeat(det["path"], 1000, axis=0))
        assert mc.p_meet == float(det["position"][0] >= 639)
    no_ranges = sc.monte_carlo(s.params, {}, 3, 639, draws=10, seed=3)
    assert np.all(no_ranges.position == sc.project(s.params, 3, "annual")["position"][0])


def test_same_seed_same_draws_different_seed_different_draws(llr):
    s = llr.scenario("s3")
    a = sc.sample_parameters(s.params, s.uncertainty, 10_000, seed=42)
    b = sc.sample_parameters(s.params, s.uncertainty, 10_000, seed=42)
    c = sc.sample_parameters(s.params, s.uncertainty, 10_000, seed=43)
    for k in sc.PARAMETERS:
        assert np.array_equal(a[k], b[k], equal_nan=True)
    assert not np.array_equal(a["trainee_retention"], c["trainee_retention"])
    # A parameter's draws do not depend on which other parameters are uncertain.
    only = sc.sample_parameters(s.params, {"trainees": s.uncertainty["trainees"]}, 10_000, 42)
    assert np.array_equal(only["trainees"], a["trainees"])


def test_draws_stay_within_their_ranges_and_centre_as_triangular(llr):
    s = llr.scenario("s3")
    d = sc.sample_parameters(s.params, s.uncertainty, 20_000, seed=1)
    ret = d["trainee_retention"]
    assert ret.min() >= 0.8 * 0.85 - 1e-12 and ret.max() <= 0.8 * 1.15 + 1e-12
    assert ret.mean() == pytest.approx((0.68 + 0.8 + 0.92) / 3, abs=0.003)
    intl = d["international_recruits"]
    assert intl.min() >= 0 and intl.max() <= 39 + 1e-9
    assert intl.mean() == pytest.approx((0 + 30 + 39) / 3, abs=0.3)


def test_monte_carlo_bands_are_nested(llr):
    s = llr.scenario("s3")
    mc = sc.monte_carlo(s.params, s.uncertainty, 3, 639, draws=10_000, seed=9)
    b = mc.bands()
    assert len(b) == 4 and mc.paths.shape == (10_000, 4)
    last = b.iloc[-1]
    assert last["low_95"] < last["low_80"] < last["low_50"] < last["median"]
    assert last["median"] < last["high_50"] < last["high_80"] < last["high_95"]
    assert 0 < mc.p_meet < 1


def test_dist_rejects_nothing_silently_when_value_is_missing():
    d = sc.Dist("triangular", 0.5, 1.5, True)
    assert np.all(np.isnan(d.ppf(np.array([0.1, 0.9]), math.nan, "role_substitution_ratio")))
    assert d.bounds(0.8, "trainee_retention") == (0.4, 1.0)  # capped at 100%


# -------------------------------------------------------------------------------------------
# Tornado and solver
# -------------------------------------------------------------------------------------------


def test_tornado_covers_every_parameter_sorted_by_swing(llr):
    s = llr.scenario("s3")
    t = sc.tornado(s.params, s.uncertainty, 3, "annual")
    assert set(t["parameter"]) == set(sc.PARAMETERS)
    assert t["swing"].is_monotonic_decreasing
    det = sc.project(s.params, 3, "annual")["position"][0]
    assert t.attrs["base_position"] == pytest.approx(det)
    row = t.set_index("parameter").loc["international_recruits"]
    assert (row["low"], row["high"]) == (0, pytest.approx(39))
    low = sc.project({**s.params, "international_recruits": 0}, 3, "annual")["position"][0]
    assert row["position_low"] == pytest.approx(low)
    assert t.set_index("parameter").loc["other_net_joiners", "swing"] == 0
    published = sc.tornado(s.params, s.uncertainty, 3, "published", "truncate")
    assert "ageing_into_55_rate_pa" not in set(published["parameter"])


def test_solve_from_the_base_position(llr):
    s1 = llr.scenario("s1").params
    intl = sc.solve_lever(s1, "international_recruits", 639, 3, 0, 300, "published",
                          "truncate")
    assert (intl.status, intl.value, intl.position) == ("solved", 78, 639)
    staff = sc.solve_lever(s1, "role_substitution_staff", 639, 3, 0, 1000, "published",
                           "truncate")
    assert (staff.status, staff.value) == ("solved", 234)  # 234 / 3 = 78
    ret = sc.solve_lever(s1, "trainee_retention", 639, 3, 0, 1, "published", "truncate")
    assert ret.status == "no_solution" and ret.value is None
    assert "No value" in ret.message and "short of 639.0" in ret.message
    assert ret.position == 561 - 107 + 153  # everyone retained


def test_solve_continuous_lever_hits_the_target_and_reports_already_met(llr):
    s2 = llr.scenario("s2").params
    sol = sc.solve_lever(s2, "other_net_joiners", 639, 3, 0, 200, "annual")
    assert sol.status == "solved"
    assert sol.position == pytest.approx(639, abs=1e-5)
    met = sc.solve_lever(llr.scenario("s3").params, "international_recruits", 639, 3, 0, 300,
                         "published", "truncate")
    assert met.status == "already_met" and "Already met" in met.message


def test_solve_a_decreasing_lever(llr):
    s2 = llr.scenario("s2").params
    sol = sc.solve_lever(s2, "over55_loss_rate_pa", 635, 3, 0, 1, "annual")
    assert sol.status == "solved" and sol.value < s2["over55_loss_rate_pa"]
    assert sol.position == pytest.approx(635, abs=1e-4)


def test_solve_table_has_each_lever_in_each_mode(llr):
    t = sc.solve_table(llr)
    assert len(t) == 2 * len(llr.solve)
    assert set(t["status"]) <= {"solved", "already_met", "no_solution"}


# -------------------------------------------------------------------------------------------
# Finance
# -------------------------------------------------------------------------------------------


def test_cost_of_the_gap():
    c = sc.gap_cost(78)
    assert c["salaried"] == 78 * 112_000
    assert c["locum"] == pytest.approx(78 * 112_000 * 1.45)
    assert sc.gap_cost(-19)["salaried"] == 0
    assert sc.gap_cost(10, {"locum_premium": 0.2})["locum_premium"] == pytest.approx(224_000)


def test_retention_scheme_allowance_is_capped():
    assert sc.retention_scheme_cost(1) == pytest.approx(76.92 * 208)
    assert sc.retention_scheme_cost(1, sessions_per_week=6) == pytest.approx(76.92 * 208)
    assert sc.retention_scheme_cost(3, sessions_per_week=2) == pytest.approx(3 * 76.92 * 104)


def test_unit_costs_and_scenario_costs(llr, bc):
    u = sc.unit_costs(bc.finance).set_index("route")
    assert u.loc["International recruitment programme", "cost"] == 4_200_000
    assert "168 candidates" in u.loc["International recruitment programme", "derivation"]
    assert u.loc["Role substitution", "cost"] == 3 * 55_000
    lu = sc.unit_costs(llr.finance).set_index("route")
    assert lu.loc["Premium on current locums", "cost"] == pytest.approx(39.44 * 112_000 * 0.45)
    costs = sc.scenario_costs(llr).set_index("scenario")
    assert costs["international_recruitment"].tolist() == [0, 750_000, 750_000]
    assert costs.loc["3 Scenario 2 plus role substitution", "role_substitution"] == 85 * 55_000
    assert costs["gap_salaried"].tolist() == [78 * 112_000, 9 * 112_000, 0]


# -------------------------------------------------------------------------------------------
# Scenario files
# -------------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """\
start: 2017-10-01
horizon_years: 3
defaults:
  baseline_wte: 541
scenarios:
  - id: a
    parameters:
      over55_wte: 87
demand:
  method: fixed
  fixed: {target_wte: 639}
"""


def test_a_minimal_file_loads(tmp_path):
    s = sc.load_scenario_file(_write(tmp_path, GOOD))
    assert s.scenario("a").params["over55_wte"] == 87
    assert s.end.year == 2020 and s.rounding == "none"


@pytest.mark.parametrize("old, new, line, column, words", [
    ("over55_wte: 87", "over55_wtee: 87", 8, "scenarios[0].parameters.over55_wtee",
     "did you mean 'over55_wte'"),
    ("over55_wte: 87", "trainee_retention: 1.2", 8, "scenarios[0].parameters.trainee_retention",
     "between 0 and 1"),
    ("over55_wte: 87", "over55_wte: many", 8, "scenarios[0].parameters.over55_wte",
     "expected a number"),
    ("method: fixed", "method: guess", 10, "demand.method", "method must be one of"),
    ("horizon_years: 3", "horizon_years: 2.5", 2, "horizon_years", "whole years"),
    ("  baseline_wte: 541", "  over55_wte: 5", 7, "scenarios[0].parameters",
     "has no baseline_wte"),
])
def test_bad_files_name_the_file_line_and_setting(tmp_path, old, new, line, column, words):
    p = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(InputError) as err:
        sc.load_scenario_file(p)
    e = err.value
    assert (Path(e.path).name, e.row, e.column) == ("bad.yaml", line, column)
    assert words in str(e) and str(e).startswith(f"bad.yaml, row {line}, column")


def test_a_range_that_misses_the_value_is_rejected(tmp_path):
    text = GOOD + "uncertainty:\n  over55_wte: {low: 1, high: 10, relative: false}\n"
    with pytest.raises(InputError, match="does not contain scenario 'a'"):
        sc.load_scenario_file(_write(tmp_path, text))


def test_role_substitution_needs_a_ratio(tmp_path):
    text = GOOD.replace("over55_wte: 87", "role_substitution_staff: 85")
    with pytest.raises(InputError, match="no role_substitution_ratio"):
        sc.load_scenario_file(_write(tmp_path, text))


def test_missing_file_and_invalid_yaml(tmp_path):
    with pytest.raises(InputError, match="not found"):
        sc.load_scenario_file(tmp_path / "none.yaml")
    with pytest.raises(InputError, match="not valid YAML"):
        sc.load_scenario_file(_write(tmp_path, "a: [1, 2\n"))


def test_retire_share_is_a_cohort_share_not_a_yearly_rate(bc):
    assert bc.scenario("s100").params["over55_cohort_share"] == 1.0
    assert bc.scenario("s80").params["over55_cohort_share"] == pytest.approx(0.8)
    assert bc.scenario("s100").params["over55_loss_rate_pa"] == 0.0


def test_all_over55s_within_four_years_removes_the_whole_cohort_in_both_modes(bc):
    """HEE 100%: 196 retire in both modes, so the gap is 853.8 - (681.6 - 196 + 146) = 222.2."""
    demand = 222 / 0.26
    for mode in ("published", "annual"):
        res = sc.run(bc, mode).loc["s100"]
        assert res["over55_change"] == pytest.approx(-196)
        assert res["gap"] == pytest.approx(demand - (681.6 - 196 + 146))
        assert round(res["gap"]) == 222


def test_cohort_share_removes_the_starting_group_evenly_even_with_session_losses():
    p = {"baseline_wte": 300.0, "over55_wte": 100.0, "over55_cohort_share": 1.0,
         "session_loss_rate_pa": 0.1}
    res = sc.project(p, 4, "annual")
    # Nobody turns 55 (no ageing), so the over-55s are empty after four years.
    assert res["over55_end"][0] == pytest.approx(0.0)
    # The under-55s only lose sessions: 200 x 0.9^4 left.
    assert res["position"][0] == pytest.approx(200 * 0.9 ** 4)
    half = sc.project({**p, "over55_cohort_share": 0.5, "session_loss_rate_pa": 0.0}, 4,
                      "annual")
    assert np.diff(half["path"][0]) == pytest.approx([-12.5] * 4)


def test_a_longer_horizon_scales_flows_pro_rata(llr):
    six = llr.with_horizon(6)
    assert six.scenario("s1").params["trainees"] == 306
    assert six.scenario("s3").params["role_substitution_staff"] == 85  # a stock, not a flow
    assert six.end.year == 2023 and check_published(six).empty
    assert "position_2023" in sc.published_table(six).columns


@pytest.mark.parametrize("path", [LLR, BC])
def test_ccg_shares_add_up_to_the_stp(path):
    s = sc.load_scenario_file(path)
    slugs = list(s.area_shares["workforce"]["shares"])
    stp = sc.project(sc.params_frame(s).to_dict("list"), s.horizon_years, "published",
                     "none")["position"]
    total = sum(sc.area_scaled(s, a)["position"].to_numpy() for a in slugs)
    assert np.allclose(total, stp)
    assert sc.area_scaled(s, "no-such-ccg") is None


def test_every_area_in_the_registry_has_a_scenario_file_that_loads():
    for area in registry().values():
        path = sc.scenario_file_for(area)
        assert path is not None and path.exists(), area.slug
        s = sc.load_scenario_file(path)
        if area.kind == "ccg":
            assert area.slug in s.area_shares["workforce"]["shares"]


# -------------------------------------------------------------------------------------------
# Report functions
# -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llr_ctx():
    return sc.load_context("llr", "stp", draws=2000, seed=5)


def test_key_findings_quote_the_published_positions(llr_ctx):
    md = sr.key_findings(llr_ctx).markdown
    for figure in ("**561**", "**630**", "**658**", "**639 WTE**", "probability of meeting"):
        assert figure in md


def test_every_section_writes_prefixed_tables_and_charts(tmp_path):
    ctx = sc.load_context("leicester-city", "ccg", draws=1000, seed=1)
    rpt = Report(tmp_path)
    parts = [sr.components_section(ctx, rpt), sr.annual_section(ctx, rpt),
             sr.trajectory_section(ctx, rpt), sr.waterfall_section(ctx, rpt),
             sr.demand_section(ctx, rpt), sr.tornado_section(ctx, rpt),
             sr.fan_section(ctx, rpt), sr.solve_section(ctx, rpt),
             sr.finance_section(ctx, rpt), sr.area_section(ctx, rpt),
             sr.assumptions_section(ctx, rpt)]
    html = "".join(p.html() for p in parts)
    names = [p.stem for p in (tmp_path / "tables").glob("*.csv")]
    names += [p.stem for p in (tmp_path / "charts").glob("*.png")]
    assert len(names) >= 16 and all(n.startswith("scenario_") for n in names)
    assert "Indicative Leicester City line" in html
    assert re.search(r"Every published figure is reproduced", html)
    assert "This is the LLR STP model" in sr.title(ctx).markdown


def test_black_country_report_shows_the_hee_figures(tmp_path):
    ctx = sc.load_context("black-country", "stp", draws=1000, seed=1)
    md = sr.key_findings(ctx).markdown
    assert "**196**" in md and "**157**" in md
    html = sr.hee_section(ctx, Report(tmp_path)).html()
    assert "853.8" in html and "837.7" in html and "870.6" in html
    hee = pd.read_csv(tmp_path / "tables" / "scenario_hee_retirements.csv")
    assert hee["retirements"].tolist() == [196, 157]


def test_an_area_without_a_scenario_file_gets_a_sentence():
    area = registry()["wolverhampton"]
    no_files = settings().model_copy(update={
        "scenarios": settings().scenarios.model_copy(update={"files": {}})})
    assert sc.scenario_file_for(area, no_files) is None
    ctx = sc.ScenarioContext(area, registry()["black-country"], None)
    assert "No scenario file is configured" in sr.title(ctx).markdown
    assert sr.key_findings(ctx).markdown == "" and sr.section_md(ctx, "published") == ""


def test_bench_reports_both_timings():
    b = sc.bench(LLR, draws=100, repeats=1)
    assert b["draws"] == 100 and b["monte_carlo_s"] > 0 and b["deterministic_s"] > 0


def test_bench_text_states_both_timings():
    text = sc.bench_text({"draws": 10_000, "monte_carlo_s": 0.003, "deterministic_s": 0.00006,
                          "ratio": 50.0})
    assert text.startswith("10,000 Monte Carlo draws: 3.00 ms; one deterministic run: 0.060 ms")


# -------------------------------------------------------------------------------------------
# Layers and display objects
# -------------------------------------------------------------------------------------------

MODELS = ROOT / "analysis" / "models"


@pytest.mark.parametrize("path", sorted([*(MODELS / "scenarios").glob("*.py"),
                                         MODELS / "funding.py", MODELS / "risks.py"]),
                         ids=lambda p: p.name)
def test_models_compute_only(path):
    """The models of this chapter import no report module and draw nothing."""
    import ast

    text = path.read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not any(m.startswith(("analysis.report", "analysis.validation", "matplotlib"))
                   for m in imported), imported
    assert len(text.splitlines()) <= 600


def test_sections_are_objects_with_tables_and_charts(tmp_path, llr_ctx):
    rpt = Report(tmp_path, chapter=3)
    sec = sr.fan_section(llr_ctx, rpt)
    assert set(sec.tables) == {"scenario_probability"} and set(sec.charts) == {"scenario_fan"}
    t = sec.tables["scenario_probability"]
    assert list(t.df["scenario"]) == list(llr_ctx.published["name"])
    assert sec.markdown.startswith("### Uncertainty")
    assert "Table 3.1." in sec.html() and "Figure 3.1." in sec.html()


def test_markdown_text_is_not_html_escaped(llr_ctx):
    """Markdown templates leave quotes and ampersands as they are (they are not HTML)."""
    md = sr.section_md(llr_ctx, "trajectories")
    assert "plan's Figure 9" in md and "&#39;" not in md


def test_notebook_cells_end_in_an_object():
    """Chapter 3 cells are calls whose result is displayed: no display(HTML(...)), no
    silenced warnings."""
    import json

    nb = json.loads((ROOT / "notebooks" / "03_scenarios.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any("display(" in c or "filterwarnings" in c for c in code)
    assert all(c.strip().splitlines()[-1].startswith("sr.") for c in code[1:])


def test_chapter_frames_back_the_tables(llr_ctx):
    comp = ch.components_frame(llr_ctx)
    assert comp["item"].iloc[0] == "Baseline WTE"
    assert comp.loc[comp["item"].str.startswith("Position"), "s3"].item() == 658
    wide = ch.annual_supply_frame(llr_ctx)
    assert list(wide.columns[:2]) == ["scenario", "y0"] and len(wide.attrs["dates"]) == 4
    assert wide["difference"].tolist() == pytest.approx(
        (wide["y3"] - wide["published"]).tolist())
    d = ch.mode_differences(llr_ctx)
    assert d["diff_min"] <= d["diff_max"] and d["aged_min"] <= d["aged_max"]


def test_markdown_templates_escape_html_in_values_but_not_quotes():
    """A value from an input (a scenario name) cannot become HTML in a Markdown passage."""
    from analysis.report.rendering import md_escape, render

    evil = "<img src=x onerror=alert(1)> O'Neil & Co"
    md = render("returns_none.md.j2", heading=False, area=evil)
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "O'Neil &amp; Co" in md
    assert md_escape(None) is None and md_escape(3) == "3"


def test_waterfall_that_does_not_start_at_zero_says_so():
    """Bars encode amounts: when the axis is cut to show the steps, the axis label gives its
    start and a break mark is drawn; an axis from zero has neither."""
    import matplotlib.pyplot as plt

    from analysis.report.scenario_charts import waterfall_chart

    row = pd.Series({"baseline": 640.0, "position": 600.0,
                     **{c: 0.0 for c in ch_components()}})
    first = ch_components()[0]
    row[first] = -40.0
    fig = waterfall_chart(row, 660.0, "t")
    ax = fig.axes[0]
    assert ax.get_ylim()[0] > 0 and "axis starts at" in ax.get_ylabel()
    strokes = [ln for ln in ax.lines if ln.get_transform() == ax.transAxes]
    assert len(strokes) == 2  # the break mark
    plt.close(fig)
    row = pd.Series({"baseline": 60.0, "position": 20.0, **{c: 0.0 for c in ch_components()}})
    row[first] = -40.0
    fig = waterfall_chart(row, 70.0, "t")
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0 and ax.get_ylabel() == "GP WTE"
    assert not [ln for ln in ax.lines if ln.get_transform() == ax.transAxes]
    plt.close(fig)


def ch_components():
    from analysis.report.scenario_charts import COMPONENTS

    return list(COMPONENTS)
