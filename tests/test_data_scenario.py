"""The scenario chapter of an area found in real files (chapter 08) on the September 2024 GPW
Detailed sample (13 practices of sub-ICB 16C), and its arithmetic on hand-made frames.

Expected figures are computed here from the CSV with the csv module, by the rules the chapter
states; the real-file tests skip when ``../shared/real`` is absent (files are linked, not copied).
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from real_files import REAL

from analysis.models.scenarios import baseline as bl
from analysis.models.scenarios import data_scenario as ds
from analysis.models.scenarios import stockflow as sf
from analysis.util.errors import ConfigError

GPW = REAL / "gpw" / "1 General Practice – September 2024 Practice Level - Detailed.csv"
QUIN = REAL / "patients" / "2026-07" / "gp-reg-pat-prac-quin-age.zip"
real = pytest.mark.skipif(not GPW.exists(), reason="../shared/real (real NHS files) not available")
BANDS = {"Under 30": ["UNDER30"], "30-34": ["30TO34"], "35-39": ["35TO39"],
         "40-44": ["40TO44"], "45-49": ["45TO49"], "50-54": ["50TO54"], "55-59": ["55TO59"],
         "60-64": ["60TO64"], "65+": ["65TO69", "70PLUS"]}


def _rows():
    with open(GPW, encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): v.strip() for k, v in r.items()} for r in csv.DictReader(fh)
                if r["SUB_ICB_CODE"].strip() == "16C"]


@pytest.fixture(scope="module")
def expected():
    """FTE by band of all GPs, the fully qualified estimate by the stated rule, the baseline."""
    rows = _rows()
    all_fte = {b: sum(float(r[f"TOTAL_GP_FTE_{c}"]) for r in rows for c in cs)
               for b, cs in BANDS.items()}
    est = {}
    for b, cs in BANDS.items():
        total = 0.0
        for r in rows:
            for c in cs:
                hc = float(r[f"TOTAL_GP_HC_{c}"])
                if hc > 0:
                    total += float(r[f"TOTAL_GP_FTE_{c}"]) * float(
                        r[f"TOTAL_GP_EXTGL_HC_{c}"]) / hc
        est[b] = total
    base = sum(float(r["TOTAL_GP_EXTGL_FTE"]) for r in rows)
    scaled = {b: v * base / sum(est.values()) for b, v in est.items()}
    over55 = sum(scaled[b] for b in ("55-59", "60-64", "65+"))
    pats = {b: sum(int(r[f"{s}_PATIENTS_{b}"]) for r in rows for s in ("MALE", "FEMALE"))
            for b in ("0TO4", "5TO14", "15TO44", "45TO64", "65TO74", "75TO84", "85PLUS")}
    final_year = sum(int(r["TOTAL_GP_TRN_GR_ST3_HC"]) + int(r["TOTAL_GP_TRN_GR_ST4_HC"])
                     for r in rows)
    return {"n": len(rows), "all_fte": all_fte, "scaled": scaled, "base": base,
            "over55": over55, "share55": over55 / base, "patients": pats,
            "total_patients": sum(int(r["TOTAL_PATIENTS"]) for r in rows),
            "final_year": final_year}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    f = tmp_path_factory.mktemp("nhs")
    (f / GPW.name).symlink_to(GPW)
    return f


@pytest.fixture(scope="module")
def ctx(folder):
    return ds.load_data_scenario("16C", folder, draws=2000, seed=3)


@real
def test_baselines_equal_the_release_summed_independently(ctx, expected):
    assert expected["n"] == 13 and len(ctx.data.practices) == 13
    assert ctx.data.gp_wte == pytest.approx(expected["base"], abs=1e-9)
    assert ctx.data.over55_wte == pytest.approx(expected["over55"], abs=1e-9)
    age = ds.age_table(ctx).set_index("age_band")
    for b in BANDS:
        assert age.loc[b, "gp_fte_all"] == pytest.approx(expected["all_fte"][b], abs=1e-9)
        assert age.loc[b, "gp_fte_qualified"] == pytest.approx(expected["scaled"][b], abs=1e-9)
    base = ds.baseline_table(ctx).set_index("item")["value"]
    assert base["Share of GP FTE aged 55 or over"] == pytest.approx(expected["share55"])
    assert 0.15 < expected["share55"] < 0.35  # 12.4 of 56.4 estimated FTE are 55 or over
    assert base["Registered patients"] == expected["total_patients"]
    assert ctx.trainees_pa == expected["final_year"]
    # only the configured share of them settle in the area, varied over its range
    defaults = ds.load_defaults()
    scen = ctx.sset.scenarios[0]
    assert scen.params["trainees"] == pytest.approx(
        expected["final_year"] * defaults.local_share * ctx.sset.horizon_years)
    lo, hi = scen.uncertainty["trainees"].bounds(scen.params["trainees"], "trainees")
    assert (lo, hi) == pytest.approx((scen.params["trainees"] * 0.5,
                                      scen.params["trainees"] * 1.5))
    # the model starts from that profile: its shares are the data's
    np.testing.assert_allclose(ctx.stock.shares * expected["base"],
                               [expected["scaled"][b] for b in BANDS], atol=1e-9)


@real
def test_demand_comes_from_the_release_patients_by_age(ctx, expected):
    p = expected["patients"]
    got = dict(zip(sf.load_rates().demand_bands, ctx.stock.patients, strict=True))
    assert got["0-14"] == p["0TO4"] + p["5TO14"]
    assert got["15-29"] + got["30-44"] == pytest.approx(p["15TO44"])
    assert got["15-29"] / p["15TO44"] == pytest.approx(0.19 / (0.19 + 0.205))
    assert (got["45-64"], got["85+"]) == (p["45TO64"], p["85PLUS"])
    assert "from the GP Workforce release itself" in ctx.patients_note


@real
def test_demand_at_five_years_differs_from_three(folder, ctx):
    three = ds.load_data_scenario("16C", folder, horizon_years=3, draws=200)
    d3, d5 = np.atleast_2d(three.stock_demand)[0], np.atleast_2d(ctx.stock_demand)[0]
    assert ctx.stock_horizon == 5 and three.stock_horizon == 3
    assert d5[-1] > d3[-1] > d3[0] == pytest.approx(ctx.data.gp_wte)
    assert d5[3] == pytest.approx(d3[3])  # the same path, read at another horizon
    rates = sf.load_rates()
    w = ctx.stock.patients * rates.consultations
    assert d5[-1] == pytest.approx(ctx.data.gp_wte * (w * (1 + rates.growth) ** 5).sum()
                                   / w.sum())
    # FTE per 1,000 weighted patients is kept: the target over the baseline is their growth
    assert ctx.target == pytest.approx(d5[-1])


@real
def test_far_quinary_file_is_not_used_and_says_why(tmp_path):
    if not QUIN.exists():
        pytest.skip("no quinary file")
    (tmp_path / GPW.name).symlink_to(GPW)
    (tmp_path / "quin").mkdir()
    (tmp_path / "quin" / QUIN.name).symlink_to(QUIN)
    c = ds.load_data_scenario("16C", tmp_path, draws=100)
    assert "(2026-07) is 22 months from the release (more than 3): not used" in c.patients_note
    assert "from the GP Workforce release itself" in c.patients_note


@real
def test_near_quinary_file_gives_demand_by_age(tmp_path, expected):
    (tmp_path / GPW.name).symlink_to(GPW)
    codes = [r["PRAC_CODE"] for r in _rows()]
    lines = ["PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,"
             "NUMBER_OF_PATIENTS"]
    want = np.zeros(7)
    for i, code in enumerate(codes):
        for sex in ("FEMALE", "MALE"):
            for lo, idx in ((0, 0), (20, 1), (40, 2), (70, 4), (95, 6)):
                band = "95+" if lo == 95 else f"{lo}_{lo + 4}"
                n = 10 * (i + 1) + lo
                want[idx] += n
                lines.append(f"GP_PRAC_PAT_LIST,2024-10-01,GP,{code},,,{sex},{band},{n}")
    (tmp_path / "gp-reg-pat-prac-quin-age.csv").write_text("\n".join(lines) + "\n",
                                                           encoding="utf-8")
    c = ds.load_data_scenario("16C", tmp_path, draws=100)
    np.testing.assert_allclose(c.stock.patients, want)
    assert "Patients Registered at a GP Practice (2024-10" in c.patients_note


@real
def test_report_has_the_scenario_chapter_and_its_tables_equal_the_model(folder, tmp_path):
    from analysis.config import settings as cfg
    from analysis.report.data_area import report_data_area

    path = report_data_area("16C", folder, tmp_path, force=True).path
    tables = path.parent / "tables"

    def read(name):
        return pd.read_csv(tables / f"{name}.csv")

    conf = cfg().scenarios
    model = ds.load_data_scenario("16C", folder, draws=conf.draws, seed=conf.seed)
    base = read("data_scenario_baseline")
    np.testing.assert_allclose(base["value"], ds.baseline_table(model)["value"], rtol=1e-12)
    age = read("data_scenario_age_profile")
    want = ds.age_table(model)
    for col in ("gp_fte_all", "gp_hc_qualified", "gp_fte_qualified", "horizon_fte"):
        np.testing.assert_allclose(age[col], want[col], rtol=1e-12)
    dem = read("data_scenario_demand")
    assert list(dem["years"]) == [0, 3, 5]
    assert dem["target_fte"].iloc[2] != dem["target_fte"].iloc[1]
    drivers = read("data_scenario_gap_drivers")
    assert drivers["wte"].sum() == pytest.approx(
        float(np.atleast_2d(model.stock_demand)[0, -1] - model.stock_run["position"][0]))
    lev = read("data_scenario_levers")
    assert list(lev["lever"]) == list(sf.SOLVE_LEVERS.values())
    for name in ("data_scenario_fan", "data_scenario_tornado"):
        assert (path.parent / "charts" / f"{name}.png").stat().st_size > 1000
    text = path.read_text(encoding="utf-8")
    assert "8. Scenario from the data: sub-ICB 16C" in text
    assert "Scenario models: no scenario file" not in text  # listed as run, not missing
    for rule in ("TOTAL_GP_EXTGL_FTE", "fully qualified share of the band", "final training "
                 "year", "FTE per 1,000 weighted patients", "from the GP Workforce release "
                 "itself", "What drives the gap.", "probability that supply meets"):
        assert rule in text, rule


@real
def test_high_level_only_leaves_the_chapter_out_with_why():
    from analysis.report.data_area import SCENARIO_CHAPTER, chapter_lists, chapters_for

    cat = pd.DataFrame({"kind": ["gpw_high_level"], "period": ["2024-08"],
                        "path": ["x.csv"], "member": [None], "sha256": ["0"], "note": [""]})
    run, left = chapters_for(cat)
    assert "notebooks/08_data_scenario.ipynb" not in run
    assert left[SCENARIO_CHAPTER] == ("no GP Workforce practice-level Detailed release (GPs by "
                                      "age band are only in it)")
    _, no_data = chapter_lists(run, left)
    assert "Scenario models" in no_data
    cat["kind"] = "gpw_detailed"
    run, left = chapters_for(cat)
    assert "notebooks/08_data_scenario.ipynb" in run and SCENARIO_CHAPTER not in left
    names, no_data = chapter_lists(run, left)
    assert SCENARIO_CHAPTER in names and "Scenario models" not in no_data


# ---------------------------------------------------------------------------------------------
# Arithmetic on hand-made frames
# ---------------------------------------------------------------------------------------------
def _frame(**cols):
    bands = [c for cs in ds.FILE_BANDS.values() for c in cs]
    data = {f"TOTAL_GP_{m}_{b}": [0.0, 0.0] for m in ("FTE", "HC", "EXTGL_HC") for b in bands}
    data.update(cols)
    return pd.DataFrame(data)


def test_qualified_fte_edge_cases():
    f = _frame(TOTAL_GP_FTE_30TO34=[2.0, 1.0], TOTAL_GP_HC_30TO34=[4, 0],
               TOTAL_GP_EXTGL_HC_30TO34=[1, 0],  # one head of four qualified; no heads: 0
               TOTAL_GP_FTE_65TO69=[0.5, 0.0], TOTAL_GP_HC_65TO69=[1, 0],
               TOTAL_GP_EXTGL_HC_65TO69=[1, 0],
               TOTAL_GP_FTE_70PLUS=[0.0, 0.3], TOTAL_GP_HC_70PLUS=[0, 1],
               TOTAL_GP_EXTGL_HC_70PLUS=[0, 2])  # more qualified than all: capped at all
    got = ds.qualified_fte_by_band(f)
    assert got["30-34"] == pytest.approx(0.5)
    assert got["65+"] == pytest.approx(0.8)  # 65-69 and 70+ make the model's 65+
    assert got.drop(["30-34", "65+"]).sum() == 0
    assert list(got.index) == [*bl.BANDS, bl.UNKNOWN]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 20), st.integers(0, 30), st.integers(0, 30)),
                min_size=len(ds.FILE_BANDS) + 1, max_size=len(ds.FILE_BANDS) + 1))
def test_qualified_fte_never_exceeds_all_gp_fte(cells):
    bands = [c for cs in ds.FILE_BANDS.values() for c in cs]
    f = _frame(**{k: [v] for b, (fte, hc, fq) in zip(bands, cells, strict=False)
                  for k, v in ((f"TOTAL_GP_FTE_{b}", fte), (f"TOTAL_GP_HC_{b}", hc),
                               (f"TOTAL_GP_EXTGL_HC_{b}", fq))}).iloc[:1]
    got = ds.qualified_fte_by_band(f)
    all_fte = ds.band_sums(f, "FTE")
    assert (got <= all_fte + 1e-9).all() and (got >= 0).all()
    assert got.sum() == pytest.approx(sum(fte * min(fq, hc) / hc for fte, hc, fq
                                          in cells[:len(bands)] if hc > 0))


def test_release_patients_split_and_weights():
    rates = sf.load_rates()
    cols = {f"{s}_PATIENTS_{b}": [0] for s in ("MALE", "FEMALE")
            for bs in ds.PATIENT_BANDS.values() for b in bs}
    cols.update(MALE_PATIENTS_15TO44=[300], FEMALE_PATIENTS_15TO44=[100],
                FEMALE_PATIENTS_0TO4=[7], MALE_PATIENTS_5TO14=[3])
    p = ds.release_patients(pd.DataFrame(cols), rates)
    bands = list(rates.demand_bands)
    assert p[bands.index("0-14")] == 10
    assert p[bands.index("15-29")] == pytest.approx(400 * 0.19 / 0.395)
    assert p.sum() == pytest.approx(410)
    # a list in England's mix weighs as many patients as it has
    assert ds.weighted_patients(rates.demand_share * 1000, rates) == pytest.approx(1000)


def test_defaults_errors_name_the_key(tmp_path):
    bad = tmp_path / "stockflow.yaml"
    bad.write_text("data_scenario:\n  horizon_years: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^stockflow.yaml: data_scenario.horizon_years: "
                       r"expected a whole number of years from 1 to 30, got 0$"):
        ds.load_defaults(bad)
    bad.write_text("bands: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="data_scenario: expected a section"):
        ds.load_defaults(bad)
    assert ds.load_defaults().horizon_years == 5
    bad.write_text("data_scenario:\n  horizon_years: 5\n  local_share: {value: 0.5, low: 0.6, "
                   "high: 0.9}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"data_scenario.local_share: expected low <= value "
                                          r"<= high, got 0.6, 0.5, 0.9$"):
        ds.load_defaults(bad)
    bad.write_text("data_scenario:\n  horizon_years: 5\n  local_share: {value: 2, low: 0, "
                   "high: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"local_share.value: expected a share from 0 to 1, "
                                          r"got 2$"):
        ds.load_defaults(bad)


def test_bench_line_times_the_model():
    b = ds.bench(draws=500, repeats=1)
    assert b["draws"] == 500 and b["mc_s"] > 0 and b["one_s"] > 0
    assert ds.bench_text(b).startswith("stock-flow model by age band: one run ")


def test_older_release_uses_exrrl_and_says_so(tmp_path):
    from test_gp_practice_sources import write_old_release

    _, ccg, sums = write_old_release(tmp_path)

    def num(v):  # the release's missing values ('NA', 'ND') count as nothing
        return 0.0 if v.strip().upper() in ("NA", "ND", "") else float(v)

    assert ds.unavailable(tmp_path) is None
    c = ds.load_data_scenario(ccg, tmp_path, draws=100)
    assert c.basis == ds.OLD_BASIS and c.profile_rule == ds.OLD_PROFILE_RULE
    kept = set(c.data.practices)
    with open(next(tmp_path.glob("*Detailed.csv")), encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["PRAC_CODE"] in kept]
    assert c.data.gp_wte == pytest.approx(sum(num(r["TOTAL_GP_EXRRL_FTE"]) for r in rows))
    all_55 = sum(num(r[f"TOTAL_GP_FTE_{b}"]) for r in rows
                 for b in ("55TO59", "60TO64", "65TO69", "70PLUS"))
    all_fte = sum(num(r[f"TOTAL_GP_FTE_{b}"]) for r in rows for cs in BANDS.values()
                  for b in cs)
    assert c.data.over55_wte == pytest.approx(c.data.gp_wte * all_55 / all_fte)
    assert ds.baseline_table(c)["item"][0] == ("Baseline GP FTE (excluding registrars, "
                                               "retainers and locums)")
    assert c.data.staff_mix.sum() == pytest.approx(
        sum(num(r[k]) for r in rows for k in ("TOTAL_GP_FTE", "TOTAL_NURSES_FTE",
                                                "TOTAL_DPC_FTE", "TOTAL_ADMIN_FTE")))


def test_a_release_without_gp_age_bands_gives_why():
    assert ds.why_no_scenario({"TOTAL_GP_EXTGL_FTE"}) == (
        "the GP Workforce release has no GP FTE by age band (TOTAL_GP_FTE_UNDER30)")
    bands = {f"TOTAL_GP_FTE_{c}" for cs in ds.FILE_BANDS.values() for c in cs}
    assert ds.why_no_scenario(bands) == ("the GP Workforce release has neither "
                                         "TOTAL_GP_EXTGL_FTE nor TOTAL_GP_EXRRL_FTE")
    assert ds.why_no_scenario(bands | {"TOTAL_GP_EXRRL_FTE"}) is None
