"""Chapter 8: the scenario of an area found in real files, from its GP Workforce release.

The numbers come from :func:`analysis.models.scenarios.data_scenario.load_data_scenario` (the
data's baseline, the stock-flow model at the config's default rates, its correlated Monte Carlo,
tornado and levers); this module captions and formats them, states the data basis and the rules,
and writes the "what drives the gap" paragraph from the model's decomposition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.models.scenarios import chapter as ch
from analysis.models.scenarios import data_scenario as ds
from analysis.models.scenarios import stockflow as sf
from analysis.report.rendering import Markdown, Report, Section, fmt_dp
from analysis.report.scenario_parts import pct
from analysis.report.scenario_stock import _fan, _signed, _tornado, drivers_text

CHAPTER = "Scenario from the data"
SOURCE = "analysis/models/scenarios/data_scenario.py, stockflow.py"
d1, d2 = fmt_dp(1), fmt_dp(2)


def no_data(why: str) -> Markdown:
    """What the chapter says when it cannot run."""
    return Markdown(f"## 8. {CHAPTER}\n\nNo scenario for this area: {why}.")


def record(ctx: ds.DataScenarioContext, rpt: Report) -> None:
    """Inputs, parameters and caveats for the provenance section."""
    rpt.record_inputs(CHAPTER, {k: str(v) for k, v in ctx.files.items()}
                      | {"Stock-flow rates": str(sf.CONFIG)})
    rpt.record_parameters(CHAPTER, {"area": ctx.area_label, "gpw_release": ctx.period,
                                    "horizon_years": ctx.stock_horizon, "draws": ctx.draws,
                                    "seed": ctx.seed, "baseline_fte": ctx.data.gp_wte,
                                    "target_fte": ctx.target})
    rpt.record_caveats(CHAPTER, [
        f"Baseline: {ctx.basis}.", f"Age profile: {ctx.profile_rule}.",
        f"Target: {ds.TARGET_RULE}.", f"Newly qualified GPs: {ds.TRAINEE_RULE}.",
        f"Demand by age: {ctx.patients_note}.",
        "Rates of leaving, retiring, returning and the pipeline are the defaults of "
        "config/stockflow.yaml (assumptions A33-A42), not the area's own."])


def title(ctx: ds.DataScenarioContext) -> Markdown:
    """The heading, the data basis and the rules."""
    s = ctx.sset
    notes = "".join(f"\n* {n}" for n in ctx.notes)
    return Markdown(
        f"## 8. {CHAPTER}: {ctx.area_label}\n\n"
        f"There is no scenario file for this area, so the scenario is built from its own data: "
        f"the {s.source}, run forward "
        f"{ctx.stock_horizon} years to {s.horizon_label} by the stock-flow model at the default "
        "rates of `config/stockflow.yaml`.\n\n"
        f"* **Baseline**: {ctx.basis}.\n"
        f"* **Age profile** (five-year bands): {ctx.profile_rule}.\n"
        f"* **Newly qualified GPs**: {ds.TRAINEE_RULE}; the share working as fully qualified "
        "NHS GPs within 12 and 24 months and the FTE they work are the config's.\n"
        f"* **Demand by age**: {ctx.patients_note}.\n"
        f"* **Target**: {ds.TARGET_RULE}, at {ctx.stock_horizon} years "
        f"(`data_scenario: horizon_years`); the target moves with the horizon." + notes)


def baseline_section(ctx: ds.DataScenarioContext, rpt: Report) -> Section:
    """The data's figures, the age profile, the staff mix and the target by horizon."""
    base = ds.baseline_table(ctx)
    share = base["item"].str.startswith("Share")
    per = base["item"].str.contains("per 1,000")
    shown = base.assign(value=[f"{v:.1%}" if s else d2(v) if p else d1(v)
                               for v, s, p in zip(base["value"], share, per, strict=True)])
    parts = [rpt.table(shown, "data_scenario_baseline",
                       f"The data's baseline, {ctx.area_label}, "
                       f"{ds.gp_practice.month_name(ctx.period)}",
                       labels={"item": "Figure", "value": "Value"},
                       note=f"Source: {ctx.sset.source}; {SOURCE}. Weighted patients: each "
                            "age band's patients times its consultation rate over England's "
                            "average rate.")]
    rpt.save_table(base, "data_scenario_baseline")  # the CSV holds the unrounded values
    age = ds.age_table(ctx)
    blank = lambda f: lambda v: "" if pd.isna(v) else f(v)  # noqa: E731
    parts.append(rpt.table(
        age, "data_scenario_age_profile",
        f"GP FTE by age band: the release and the model's start and {ctx.sset.horizon_label}",
        formats={"gp_fte_all": d1, "gp_hc_qualified": fmt_dp(0), "gp_fte_qualified": d1,
                 "share": blank(lambda v: f"{v:.1%}"), "horizon_fte": blank(d1)},
        labels={"age_band": "Age band", "gp_fte_all": "FTE, all GPs (published)",
                "gp_hc_qualified": "Headcount, fully qualified (published, practices summed)",
                "gp_fte_qualified": "FTE, fully qualified (estimated: the model's start)",
                "share": "Share of fully qualified FTE",
                "horizon_fte": f"FTE in {ctx.sset.horizon_label} (model)"},
        note=f"Source: {ctx.sset.source}. Estimate: {ctx.profile_rule}. 65+ is 65-69 and 70+."))
    mix = ctx.data.staff_mix
    parts.append(rpt.table(
        pd.DataFrame({"staff_group": mix.index, "fte": mix.to_numpy(),
                      "share": (mix / mix.sum()).to_numpy()}),
        "data_scenario_staff_mix", f"Staff mix: FTE by staff group, {ctx.area_label}",
        formats={"fte": d1, "share": lambda v: f"{v:.1%}"},
        labels={"staff_group": "Staff group", "fte": "FTE", "share": "Share of FTE"},
        note=f"Source: {ctx.sset.source}. Locums: GPs excluding training grade less those "
             "excluding training grade and locums; training grade: all GPs less GPs "
             "excluding training grade."))
    dem = ds.demand_table(ctx)
    parts.append(rpt.table(
        dem, "data_scenario_demand", "Target GP FTE by horizon (demand grows with the "
        "registered population by age)",
        formats={"target_fte": d1, "date": lambda v: f"{v:%B %Y}"},
        labels={"years": "Years ahead", "date": "Date", "target_fte": "Target GP FTE"},
        note=f"Rule: {ds.TARGET_RULE}. Demand by age: {ctx.patients_note}. Consultation "
             "rates and growth by age: config/stockflow.yaml (assumption A41)."))
    return Section(parts)


def stockflow_section(ctx: ds.DataScenarioContext, rpt: Report) -> Section:
    """What drives the gap, the fan chart, the probability, the tornado and the levers."""
    s = ch.stock_summary(ctx)
    h = ctx.headline
    head = Markdown(
        "### Stock-flow model by age band\n\nThe baseline stepped year by year by five-year "
        "age band: GPs age from band to band, leave and retire at the config's rates by age, "
        "and join from the training pipeline and as returners. Demand grows with the "
        "registered population by age. The Monte Carlo draws the rates of neighbouring ages "
        "together, and the growth of demand.")
    dec = ch.drivers_frame(ctx)
    dec_table = rpt.table(
        dec[["label", "wte"]], "data_scenario_gap_drivers",
        f"What drives the gap in {ctx.sset.horizon_label}, {ctx.area_label} (stock-flow model)",
        formats={"wte": _signed}, labels={"label": "Item", "wte": "GP FTE on the gap"},
        note=f"Source: {SOURCE}. Positive items widen the gap, negative ones close it; they "
             f"add up to the gap of {d1(dec.attrs['gap'])} FTE (negative: a surplus).")
    b = ctx.stock_mc.bands().iloc[-1]
    alt = (f"Fan chart of the stock-flow model for {ctx.area_label}: median {d1(b['median'])} "
           f"FTE in {ctx.sset.horizon_label}, 80% of draws {d1(b['low_80'])}-"
           f"{d1(b['high_80'])}, target {d1(s['demand'])}; probability of meeting it "
           f"{pct(s['p_meet'])}.")
    fan = rpt.chart(_fan(ctx), "data_scenario_fan", alt,
                    f"{SOURCE}, correlated Monte Carlo, seed {ctx.seed}")
    t = ctx.stock_tornado
    tor_alt = (f"Tornado chart of the gap for {ctx.area_label}: gap {d1(t.attrs['gap'])} FTE; "
               "largest swings: " + "; ".join(
                   f"{r['label']} {d1(r['gap_low'])} to {d1(r['gap_high'])}"
                   for _, r in t.head(3).iterrows()) + ".")
    shown = t[t["swing"] > 1e-9]
    tor = rpt.chart(_tornado(shown if len(shown) else t,
                             f"What moves the gap in {ctx.sset.horizon_label}\n{h.name}"),
                    "data_scenario_tornado", tor_alt, f"{SOURCE} (same model)")
    rows = []
    for k, label in sf.SOLVE_LEVERS.items():
        v = s["levers"].get(k)
        answer = ("none needed: the target is met" if v == 0 else "more than 1,000 a year"
                  if v is None else f"{int(np.ceil(v - 1e-9)):,} a year")
        rows.append({"lever": label, "answer": answer, "extra_pa": v})
    levers = rpt.table(
        pd.DataFrame(rows), "data_scenario_levers",
        f"How many more a year would close the gap in {ctx.sset.horizon_label} on their own",
        labels={"lever": "Lever", "answer": "Needed", "extra_pa": "Exact (unrounded)"},
        formats={"extra_pa": lambda v: "" if v is None or pd.isna(v) else d2(v)},
        note=f"Source: {SOURCE} (bisection on the gap; whole heads, rounded up).")
    prob = Markdown(
        f"Across {ctx.stock_mc.supply.shape[0]:,} draws the probability that supply meets "
        f"the target in {ctx.sset.horizon_label} is **{pct(s['p_meet'])}** (90% of draws "
        f"between {d1(s['p5'])} and {d1(s['p95'])} FTE, against a target of "
        f"{d1(s['demand'])}).")
    return Section([head, Markdown(drivers_text(ctx).replace(" WTE", " FTE")), dec_table,
                    fan, prob, tor, levers])
