"""Tests for the urgent-care chapter: demo data, the context, the report sections, the notebook.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from test_urgent_care_io import CASE_HEADER, REAL_ADC, REAL_ECDS, case_row, needs_shared

from analysis.config import ROOT, settings
from analysis.demo import urgent_care as demo
from analysis.io import urgent_care as uio
from analysis.models.urgent_care import context as uctx
from analysis.models.urgent_care import profiles as upr
from analysis.report import urgent_care as ucr
from analysis.report.rendering import Report


# ============================================================================================
# Demo generator: calibration and determinism
# ============================================================================================
@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return demo.build(tmp_path_factory.mktemp("uc_demo"), seed=20170630)


@pytest.fixture(scope="module")
def demo_cases(demo_files):
    return uio.read_iucs_cases(demo_files["uc_cases"])


def test_demo_files_are_in_the_real_layouts(demo_files):
    assert set(demo_files) == set(demo.FILES)
    assert demo_files["uc_cases"].read_bytes()[:2] == b"\x1f\x8b", "gzip-compressed"
    header = demo_files["uc_iucadc"].read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",") == uio.IUCADC_COLUMNS
    assert re.search(r'"\d{1,3}(,\d{3})+"', demo_files["uc_iucadc"].read_text()), \
        "VALUE with thousands separators"
    ecds = uio.read_ecds_time_of_day(demo_files["uc_ecds"])
    assert len(ecds) == 168


@pytest.mark.parametrize("measure, target", [
    ("assessed", 0.45), ("booked", 0.19), ("ambulance", 0.133), ("ed", 0.085),
    ("primary_care", 0.443)])
def test_demo_cases_are_calibrated(demo_cases, measure, target):
    for stp_codes in (["05C", "05L", "05Y", "06A"], ["03W", "04C", "04V"]):
        sub = demo_cases[demo_cases["area"].isin(stp_codes)]
        assert upr.case_mix(sub)[measure] == pytest.approx(target, abs=0.005)


def test_demo_iucadc_reproduces_published_shares(demo_files):
    adc = uio.read_iucadc(demo_files["uc_iucadc"])
    eng = upr.iucadc_shares(adc)
    for k, v in upr.PUBLISHED_ENGLAND_2024_25.items():
        assert eng[k] == pytest.approx(v, abs=0.001)
    mid = upr.iucadc_shares(adc, region="Y60")
    for k, v in upr.PUBLISHED_MIDLANDS_2024_25.items():
        assert mid[k] == pytest.approx(v, abs=0.001)
    a01 = adc.loc[adc["item"] == "A01", "value"].sum()
    assert a01 == pytest.approx(upr.ENGLAND_CALLS_2024_25, rel=0.001)
    assert adc["region_code"].nunique() == 7 and adc["value"].isna().sum() == 1


def test_demo_iucadc_agrees_with_the_cases(demo_files, demo_cases):
    adc = uio.read_iucadc(demo_files["uc_iucadc"])
    bc = adc[(adc["contract_code"] == "111XBC") & (adc["item"] == "C01")]
    codes = ["05C", "05L", "05Y", "06A"]
    assert bc["value"].sum() == demo_cases["area"].isin(codes).sum()
    assert bc["period"].nunique() == 12


def test_demo_has_the_shape_of_111_demand(demo_cases):
    c = demo_cases
    t = c["call_start"]
    weekday = t.dt.day_of_week < 5
    days = pd.Series(pd.date_range(t.min().normalize(), t.max().normalize()))
    n_days = {True: int((days.dt.day_of_week < 5).sum()), False: int((days.dt.day_of_week >= 5)
                                                                      .sum())}
    per_hour = c.groupby([weekday, t.dt.hour]).size() / [n_days[w] for w, _ in
                                                         c.groupby([weekday, t.dt.hour]).groups]
    assert per_hour[(False, 10)] > 1.8 * per_hour[(True, 10)], "weekend daytime peak"
    assert per_hour[(True, 19)] > 1.3 * per_hour[(True, 12)], "weekday evening peak"
    assert per_hour[(True, 4)] < 0.5 * per_hour[(True, 12)], "quiet nights"
    s = upr.seasonality(c).set_index(upr.seasonality(c)["month"].dt.month)
    assert s.loc[12, "cases_per_day"] > 1.2 * s.loc[6, "cases_per_day"], "winter surge"
    d = upr.day_types(c).set_index("day_type")
    assert d.loc["Bank holiday", "cases_per_day"] > 1.5 * d.loc[
        "Weekday (not a bank holiday)", "cases_per_day"]
    old = c["age_band"].isin(uio.AGED_75_PLUS)
    assert (c.loc[old, "onward_service"] == "frailty").any()
    assert c["clinician_assessed"].mean() == pytest.approx(0.45, abs=0.005)


def test_simulation_is_deterministic_and_seeded():
    a = demo.cases_csv(demo.simulate_cases({"06A": 3000}, seed=3))
    b = demo.cases_csv(demo.simulate_cases({"06A": 3000}, seed=3))
    c = demo.cases_csv(demo.simulate_cases({"06A": 3000}, seed=4))
    assert a == b and a != c


# ============================================================================================
# Chapter: aggregates only, small cells suppressed
# ============================================================================================
def _tiny_extract(write_csv) -> Path:
    def kind(i):  # 8 people aged 85+ sent to ED; 3 children to paediatrics; the rest to OOH
        return ("85+", "ed", "ed") if i % 5 == 0 else ("5-15", "paediatrics", "ed") \
            if i % 13 == 1 else ("16-44", "gp_ooh", "primary_care")

    rows = [case_row(i, call_start=f"2024-04-{1 + i % 14:02d} {8 + i % 12:02d}:15",
                     age_band=kind(i)[0], onward_service=kind(i)[1], disposition=kind(i)[2])
            for i in range(40)]
    return write_csv("tiny.csv", CASE_HEADER, rows)


def _shown(part) -> str:
    """A section's result as the report shows it (HTML, or Markdown for text)."""
    return part._repr_html_() if hasattr(part, "_repr_html_") else part._repr_markdown_()


def test_chapter_suppresses_small_counts_and_shows_no_case_rows(write_csv, tmp_path):
    path = _tiny_extract(write_csv)
    ctx = uctx.load_context("wolverhampton", "ccg",
                            inputs={"uc_cases": str(path), "uc_iucadc": None, "uc_ecds": None})
    rpt = Report(tmp_path / "out")
    body = "".join(map(_shown, [ucr.title(ctx), ucr.key_figures(ctx), ucr.heatmaps(ctx, rpt),
                                ucr.seasonality(ctx, rpt), ucr.mix(ctx, rpt),
                                ucr.flows(ctx, rpt), ucr.setting_demand_chart(ctx, rpt),
                                ucr.staffing(ctx, rpt), ucr.job_plans(ctx, rpt),
                                ucr.costs(ctx, rpt)]))
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", body)
    assert not re.search(r"\bK00[0-3]\d\b", text), "case ids never reach the report"
    flows = pd.read_csv(tmp_path / "out" / "tables" / "uc_flows.csv")
    assert flows["cases"].isna().sum() >= 1, "flows of fewer than five cases suppressed"
    small = settings().report.disclosure.suppress_below
    assert ((flows["cases"].dropna() >= small) | (flows["cases"].dropna() == 0)).all()
    for name in ("uc_hour_of_week", "uc_hour_of_week_blocks", "uc_dispositions_onward",
                 "uc_day_types", "uc_seasonality"):
        t = pd.read_csv(tmp_path / "out" / "tables" / f"{name}.csv")
        col = next(c for c in ("cases_in_period", "cases") if c in t)
        v = t[col].dropna()
        assert ((v == 0) | (v >= small)).all(), name
    assert "*</td>" in body


def test_chapter_says_so_when_the_area_has_no_cases(write_csv):
    path = _tiny_extract(write_csv)
    ctx = uctx.load_context("dudley", "ccg",
                            inputs={"uc_cases": str(path), "uc_iucadc": None, "uc_ecds": None})
    assert not ctx.has_cases and any("no cases for Dudley" in n for n in ucr.notes(ctx))
    assert "not available" in _shown(ucr.heatmaps(ctx, Report(Path("/nonexistent"))))


@needs_shared
def test_chapter_runs_on_the_real_reference_files(tmp_path):
    inputs = {"uc_cases": None, "uc_iucadc": str(REAL_ADC), "uc_ecds": str(REAL_ECDS)}
    ctx = uctx.load_context("leicester-city", "ccg", inputs=inputs, contract_code="111AD5")
    assert ctx.cases_source == "modelled" and ctx.contract[0] == "111AD5"
    rpt = Report(tmp_path)
    html = "".join(map(_shown, [ucr.mix(ctx, rpt), ucr.ae_arrivals(ctx, rpt),
                                ucr.job_plans(ctx, rpt)]))
    mix = pd.read_csv(tmp_path / "tables" / "uc_disposition_mix.csv")
    assert mix.iloc[0]["Contract 111AD5"] == pytest.approx(19_285 / 33_284)
    assert "uc_ae_arrivals_hour_of_week" in html and len(ctx.plans) >= 2
    bare = uctx.load_context("wolverhampton", "ccg", inputs=inputs)
    assert bare.cases is None and any("no rows for contract" in n for n in ucr.notes(bare))


@pytest.mark.e2e
def test_notebook_builds_the_chapter(tmp_path):
    """The notebook through papermill on the demo data: every part the issue asks for."""
    import nbformat
    import papermill as pm

    from analysis.report.runner import to_html

    out = tmp_path / "nb.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "04_urgent_care.ipynb"), str(out),
                        parameters={"area_slug": "wolverhampton", "output_dir": str(tmp_path)},
                        kernel_name="gp-workforce", progress_bar=False,
                        cwd=str(ROOT / "notebooks"))
    html = to_html(nbformat.read(out, as_version=4), "uc")
    for name in ("uc_heatmap_hour_of_week", "uc_disposition_mix", "uc_clinicians_by_hour",
                 "uc_job_plans", "uc_ae_arrivals_hour_of_week", "uc_setting_demand_week"):
        assert (tmp_path / "charts" / f"{name}.png").exists(), name
    assert "England 2024-25 (published)" in html and "Midlands region" in html
    comp = pd.read_csv(tmp_path / "tables" / "uc_job_plan_comparison.csv")
    assert len(comp) >= 2 and comp["share_of_need_met"].between(0, 1).all()
    assert (comp["need_met"] <= 2 * 36).all(), "2 GPs on a plan meet at most 2 x 36 hours"
    assert comp["need_met"].nunique() > 1, "options differ by the need their placement meets"
    assert "What the data cover" in html and "floor of one clinician" in html
    assert (tmp_path / "tables" / "uc_cost_per_session.csv").exists()
    assert html.count("<h2") == 1 and "Urgent care" in html
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", html)
    assert not re.search(r"\bC\d{7}\b", text), "no case ids"
    assert "Traceback" not in html and "<script" not in html.lower()


# ============================================================================================
# Layers, display objects and the modelled mode
# ============================================================================================
def test_chapter_modules_respect_the_layers():
    """Only demo imports demo; models never import report; io imports no model."""
    import ast

    pkg = ROOT / "analysis"
    mods = {"io": [pkg / "io" / "urgent_care.py"],
            "models": sorted((pkg / "models" / "urgent_care").glob("*.py")),
            "validation": [pkg / "validation" / "urgent_care.py"],
            "report": sorted((pkg / "report").glob("urgent_care*.py"))}
    banned = {"io": ("analysis.demo", "analysis.models", "analysis.report", "analysis.validation"),
              "models": ("analysis.demo", "analysis.report", "analysis.validation"),
              "validation": ("analysis.demo", "analysis.report"),
              "report": ("analysis.demo",)}
    for layer, paths in mods.items():
        for path in paths:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                for name in names:
                    assert not name.startswith(banned[layer]), f"{path.name} imports {name}"
        assert all(len(p.read_text().splitlines()) <= 600 for p in paths), layer


def test_sections_are_objects_an_analyst_can_use(write_csv, tmp_path):
    from analysis.report.rendering import Chart, Table

    ctx = uctx.load_context("wolverhampton", "ccg", inputs={
        "uc_cases": str(_tiny_extract(write_csv)), "uc_iucadc": None, "uc_ecds": None})
    rpt = Report(tmp_path)
    title = ucr.title(ctx)
    assert title._repr_markdown_().startswith("## Urgent care: demand and a rotational GP post")
    assert "### Key figures (urgent care)" in ucr.key_figures(ctx)._repr_markdown_()
    flows = ucr.flows(ctx, rpt)
    assert isinstance(flows, Table) and list(flows.df["flow"]) == list(ctx.flows["flow"])
    heat = ucr.heatmaps(ctx, rpt)
    assert isinstance(heat[0], Chart) and isinstance(heat[1], Table) and len(heat) == 2
    assert heat[1].df.columns[0] == "day"
    caveats = ucr.caveat_list(ctx)
    pointer = ucr.caveats_md(ctx)._repr_markdown_()  # printed once, at the end
    assert len(caveats) == 5 and "The chapter's 5 caveats" in pointer
    assert "[Caveats](#caveats)" in pointer and not any(c in pointer for c in caveats)
    assert ucr.ae_arrivals(ctx, rpt)._repr_html_() == \
        "<p>No A&amp;E attendances table was given.</p>"


def test_key_figures_are_computed_in_the_model(write_csv):
    ctx = uctx.load_context("wolverhampton", "ccg", inputs={
        "uc_cases": str(_tiny_extract(write_csv)), "uc_iucadc": None, "uc_ecds": None})
    k = uctx.key_figures(ctx)
    weeks = ((ctx.end - ctx.start).days + 1) / 7
    assert k.cases_per_week == pytest.approx(40 / weeks)
    assert k.assessed_share == 1.0 and k.mean_clinical_minutes == 12.0
    assert k.salaried_total == ctx.salaried["total"]
    assert k.sessional_per_session == ctx.costs.sessional_rate_per_hour * ctx.costs.session_hours


def test_modelled_cases_from_the_iuc_adc_file(demo_files):
    """No extract: cases modelled from the contract's IUC ADC volumes, period from the file."""
    ctx = uctx.load_context("wolverhampton", "ccg", inputs={
        "uc_cases": None, "uc_iucadc": str(demo_files["uc_iucadc"]), "uc_ecds": None})
    assert ctx.cases_source == "modelled" and ctx.contract[0] == "111XBC"
    assert (ctx.start, ctx.end) == (pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-31"))
    note = next(n for n in ucr.notes(ctx) if "modelled" in n)
    assert "111XBC" in note and "a day" in note
    assert any(c.startswith("Profiles are modelled, not observed") for c in ucr.caveat_list(ctx))
    adc = uio.read_iucadc(demo_files["uc_iucadc"])
    c01 = adc[(adc["contract_code"] == "111XBC") & (adc["item"] == "C01")]["value"].sum()
    assert len(ctx.cases) == pytest.approx(c01, rel=0.01)


@pytest.mark.parametrize("area, kind", [("wolverhampton", "ccg"), ("llr", "stp")])
def test_demo_best_plan_works_the_busiest_day_the_chapter_shows(demo_files, area, kind):
    """The best plan works the busiest day of the case profile the chapter's heat maps and
    key figures show (Saturday in the demo), and the options' scores are need above the
    floor met: at most the GPs on the plan times its clinical hours."""
    ctx = uctx.load_context(area, kind, inputs={k: str(v) for k, v in demo_files.items()})
    prof = ctx.profile_cases
    by_day = prof.groupby("dow")["mean"].sum()
    busiest = int(by_day.idxmax())
    assert prof.loc[prof["dow"] == busiest, "day"].iloc[0] == uctx.key_figures(ctx).busiest[
        "day"], "the busiest hour is on the busiest day"
    best = ctx.best_plan
    plan = ctx.plans[best["option"]]
    assert busiest in {s.day for s in plan}, [s.label() for s in plan]
    if busiest == 5:
        assert best["saturday_sessions"] >= 1
    clinical = sum(s.hours for s in plan if s.setting != "admin")
    assert (ctx.plan_comparison["need_met"] <= ctx.rules.rota_posts * clinical).all()
    above = (ctx.need.fillna(0) - ctx.rules.staffed_floor).clip(lower=0).to_numpy().sum()
    assert best["need_total"] == pytest.approx(above)


def test_without_cases_or_files_the_period_comes_from_the_config(write_csv):
    ctx = uctx.load_context("dudley", "ccg",
                            inputs={"uc_cases": None, "uc_iucadc": None, "uc_ecds": None})
    assert (ctx.start, ctx.end) == (pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-31"))
    assert ctx.cases_source == "none" and ctx.best_plan is None
    assert any("Neither a case-level extract" in n for n in ucr.notes(ctx))
    assert ").\n\n> Neither a case-level extract" in ucr.title(ctx).text, "own quote"
