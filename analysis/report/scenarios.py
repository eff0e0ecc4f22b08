"""The scenario chapter (notebook 03): each section as a displayable :class:`Section`.

The numbers come from :func:`analysis.models.scenarios.load_context` (both calculation modes,
the sensitivity, the Monte Carlo, funding and risks, computed once) and the frame builders of
:mod:`analysis.models.scenarios.chapter`; the back-test from :mod:`analysis.validation.scenarios`.
Each function here captions, formats and numbers them (:meth:`Report.table`,
:meth:`Report.chart`), with the prose in ``templates/scenarios_*.j2``, so a notebook cell is one
call whose result can be inspected (``section.tables['scenario_components'].df``).

Two further parts close the chapter where the config names a file for the area's STP
(``scenarios: funding:`` and ``scenarios: risks:``; LLR only): :func:`funding_section`
(:mod:`analysis.report.funding`, LLR plan Table 17) and :func:`risks_section`
(:mod:`analysis.report.risks`, LLR plan Figure 15).
"""

from __future__ import annotations

from analysis.models import scenarios as sc
from analysis.models.risks import BANDS_SOURCE
from analysis.models.scenarios import ScenarioContext
from analysis.models.scenarios import chapter as ch
from analysis.report.funding import funding_section
from analysis.report.rendering import (
    REPORT_CSS,
    Html,
    Markdown,
    Report,
    Section,
    fmt_dp,
    fmt_int,
    md_plain,
    render,
)
from analysis.report.risks import rag_text, risks_section
from analysis.report.scenario_charts import (
    fan_chart,
    tornado_chart,
    trajectory_chart,
    waterfall_chart,
)
from analysis.report.scenario_parts import gbp, html, markdown, mon_year, month_year, num, wte
from analysis.report.scenario_stock import (
    baseline_section,
    chart_context,
    drivers_text,
    stockflow_section,
)
from analysis.validation.scenarios import check_published

__all__ = [
    "annual_section", "area_section", "assumptions_section", "baseline_section",
    "components_section", "drivers_text", "stockflow_section",
    "demand_section", "fan_section", "finance_section", "funding_risk_caveats",
    "funding_section", "hee_section", "key_findings", "record", "risks_section", "section_md",
    "solve_section", "title", "tornado_section", "trajectory_section", "waterfall_section",
]

MODEL_SOURCE = "analysis/models/scenarios"


# -------------------------------------------------------------------------------------------
# Text and the facts the chapter records
# -------------------------------------------------------------------------------------------


def section_md(ctx: ScenarioContext, key: str) -> str:
    """Heading and introduction of one section (Markdown); empty when it does not apply."""
    if key == "funding":
        applies = ctx.funding is not None
    elif key == "risks":
        applies = ctx.risks is not None
    else:
        applies = ctx.has_model and not (
            (key == "hee" and "implied_gap" not in ctx.sset.demand)
            or (key == "area" and ctx.area.kind != "ccg"))
    return str(markdown("scenarios_sections.md.j2", key=key)) if applies else ""


def _intro(ctx: ScenarioContext, key: str) -> list:
    """The section's heading and introduction as a one-part list (empty when it does not
    apply)."""
    text = section_md(ctx, key)
    return [Markdown(text)] if text else []


def title(ctx: ScenarioContext) -> Section:
    """The report's styles, the chapter heading and which model applies."""
    return Section([Html(REPORT_CSS),
                    markdown("scenarios_title.md.j2", area=ctx.area, stp=ctx.stp,
                             sset=ctx.sset)])


def funding_risk_caveats(ctx: ScenarioContext) -> list[str]:
    """Caveats of the funding and risk parts (empty when neither applies)."""
    out = []
    if ctx.funding is not None:
        out.append(md_plain(render("scenarios_caveats.md.j2", part="funding",
                                   source=ctx.funding.attrs.get("source")).strip()))
    if ctx.risks is not None:
        r = ctx.risks
        out.append(md_plain(render(
            "scenarios_caveats.md.j2", part="risks",
            bands=rag_text(r.attrs["amber_from"], r.attrs["red_from"]),
            bands_source=BANDS_SOURCE,
            source=r.attrs.get("source") or ch.rel_path(ctx.risks_path)).strip()))
    return out


def record(ctx: ScenarioContext, rpt: Report) -> None:
    """Record the leading scenario's outcome, the input files and the run parameters; in a
    CCG's report, label the chapter's tables as its STP's model (:attr:`Report.scope`)."""
    if ctx.area.kind == "ccg":
        rpt.scope = f"{ctx.stp.short_name} STP model, not apportioned to {ctx.area.short_name}"
    inputs = {}
    if ctx.has_model:
        inputs["scenario file"] = ctx.sset.path
    if ctx.funding is not None:
        inputs["funding trajectories"] = ctx.funding_path
    if ctx.risks is not None:
        inputs["risk register"] = ctx.risks_path
    if inputs:
        rpt.record_inputs("Scenario models", inputs)
    if ctx.funding is not None or ctx.risks is not None:
        rpt.record_caveats("Scenario models: funding and risks", funding_risk_caveats(ctx))
    if not ctx.has_model:
        return
    h = ctx.headline
    row = ctx.published.loc[h.id]
    rpt.headline("scenarios", scenario=h.name, position=float(row["position"]),
                 target=float(ctx.target), gap=float(row["gap"]),
                 p_meet=float(ctx.mc[h.id].p_meet), draws=int(ctx.mc[h.id].position.size),
                 horizon=ctx.sset.horizon_label)
    rpt.record_parameters("Scenario models", {"draws": ctx.draws, "seed": ctx.seed,
                                              "uncertainty mode": ctx.uncertainty_mode})


def key_findings(ctx: ScenarioContext) -> Section:
    """Headline bullets (empty without a scenario file)."""
    if not ctx.has_model:
        return Section()
    s, pub = ctx.sset, ctx.published
    retire = ([x.published["over55_change"] for x in s.scenarios
               if "over55_change" in x.published] if "implied_gap" in s.demand else [])
    return Section([markdown(
        "scenarios_key_findings.md.j2", sset=s, target=ctx.target,
        pub=pub.to_dict("records"), ann=ctx.annual.to_dict("records"),
        demand_label=sc.DEMAND_LABELS[s.demand["method"]], retire=retire,
        met=list(pub.loc[pub["meets_target"], "name"]), headline=ctx.headline,
        mc=ctx.mc[ctx.headline.id], top=ctx.tornado.iloc[0].to_dict(),
        worst=ch.largest_gap(ctx))])


# -------------------------------------------------------------------------------------------
# Sections
# -------------------------------------------------------------------------------------------


def _whole_or_1dp(fmt):
    return lambda v: fmt(v) if abs(v - round(v)) < 1e-9 else fmt_dp(1)(v)


def components_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Published-mode components by scenario, with the back-test against the plan."""
    if not ctx.has_model:
        return Section()
    s = ctx.sset
    df = ch.components_frame(ctx, "published")
    names = dict(zip(ctx.published.index, ctx.published["name"], strict=True))
    fmt = fmt_int if s.rounding != "none" else fmt_dp(1)
    parts = [*_intro(ctx, "published"), rpt.table(
        df, "scenario_components",
        f"Scenario components over {s.horizon_years} years, published mode "
        f"({s.rounding.replace('_', ' ')} rounding), WTE",
        formats=dict.fromkeys(names, _whole_or_1dp(fmt)), labels={"item": "", **names},
        note=f"Source: {s.source}; model in {MODEL_SOURCE}/supply.py (published mode). "
             f"Target: {sc.DEMAND_LABELS[s.demand['method']]}.")]
    chk = check_published(s)
    if len(chk):
        ok = bool(chk["matches"].all())
        parts.append(rpt.table(
            chk.assign(matches=chk["matches"].map({True: "yes", False: "NO"})),
            "scenario_backtest", "Published figures against the model (back-test)",
            formats={"published": fmt_dp(1), "model": fmt_dp(1)},
            labels={"scenario": "Scenario", "figure": "Figure", "published": "Published",
                    "model": "Model", "matches": "Matches"},
            note=("Source: published figures as transcribed in the scenario file. "
                  + ("Every published figure is reproduced." if ok else
                     "Some published figures are NOT reproduced."))))
    return Section(parts)


def annual_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Year-by-year supply in annual mode beside the published position, the annual-mode
    components and why the two modes differ."""
    if not ctx.has_model:
        return Section()
    s = ctx.sset
    wide = ch.annual_supply_frame(ctx)
    labels = {"scenario": "Scenario",
              **{f"y{i}": mon_year(d) for i, d in enumerate(wide.attrs["dates"])},
              "published": "Published mode", "difference": "Annual - published"}
    comp = ch.annual_components_frame(ctx)
    return Section([
        *_intro(ctx, "annual"),
        rpt.table(wide, "scenario_annual_supply", "GP WTE supply year by year, annual mode",
                  formats={c: fmt_dp(1) for c in wide.columns if c != "scenario"},
                  labels=labels,
                  note=f"Source: {MODEL_SOURCE}/supply.py, annual mode (losses compound on the "
                       "current stock; under-55s age into the over-55 group)."),
        rpt.table(comp, "scenario_annual_components",
                  f"Components over {s.horizon_years} years, annual mode, WTE",
                  formats={c: fmt_dp(1) for c in comp.columns if c != "scenario"},
                  labels={"scenario": "Scenario", **sc.COMPONENT_LABELS,
                          "position": "Position"},
                  note=f"Source: {MODEL_SOURCE}/supply.py, annual mode; unrounded."),
        markdown("scenarios_modes.md.j2", sset=s, headline=ctx.headline,
                 d=ch.mode_differences(ctx)),
    ])


def trajectory_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Each scenario's supply against the target (chart)."""
    if not ctx.has_model:
        return Section()
    alt = (f"Line chart of GP WTE from {month_year(ctx.sset.start)} to "
           f"{month_year(ctx.sset.end)} for each scenario against the target of "
           f"{wte(ctx.target)}: "
           + "; ".join(f"{r['name']} {wte(r['position'])} as published, "
                       f"{fmt_dp(1)(ctx.annual.loc[i, 'position'])} annual mode"
                       for i, r in ctx.published.iterrows()) + ".")
    met = int((ctx.published["position"] >= ctx.target).sum())
    return Section([*_intro(ctx, "trajectories"), rpt.chart(
        trajectory_chart(ctx), "scenario_trajectories", alt,
        f"{ctx.sset.source}; {ctx.sset.history_source}".strip("; "),
        title=(f"{met} of {len(ctx.published)} scenarios reach the target of "
               f"{wte(ctx.target)} GP WTE by {ctx.sset.horizon_label}"),
        context=_chart_context(ctx))])


_chart_context = chart_context


def waterfall_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """From the baseline to the horizon, headline scenario, published mode (chart)."""
    if not ctx.has_model:
        return Section()
    h = ctx.headline
    row = ctx.published.loc[h.id]
    fig = waterfall_chart(row, ctx.target, f"{h.name}: from {wte(row['baseline'])} to "
                                           f"{wte(row['position'])} WTE (published mode)")
    steps = "; ".join(f"{sc.COMPONENT_LABELS[c]} {row[c]:+,.0f}" for c in sc.COMPONENTS
                      if abs(row[c]) > 1e-12)
    alt = (f"Waterfall chart for {h.name}: baseline {wte(row['baseline'])} WTE; {steps}; "
           f"position {wte(row['position'])} against the target of {wte(ctx.target)}.")
    return Section([*_intro(ctx, "waterfall"),
                    rpt.chart(fig, "scenario_waterfall", alt, ctx.sset.source,
                              title=(f"{h.name}: {wte(row['position'])} GP WTE by "
                                     f"{ctx.sset.horizon_label}, "
                                     + (f"{wte(row['gap'])} short of the target"
                                        if row["gap"] > 0 else
                                        f"{wte(-row['gap'])} above the target")),
                              context=_chart_context(ctx))])


def demand_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Demand options and the gap under each."""
    if not ctx.has_model:
        return Section()
    s = ctx.sset
    df = ch.demand_gaps(ctx)
    names = dict(zip(ctx.published.index, ctx.published["name"], strict=True))
    labels = {"label": "Demand measure", "demand_wte": f"Demand in {s.horizon_label}, WTE",
              **{k: f"Gap: {v}" for k, v in names.items()}, "chosen": "Used as target"}
    src = " ".join(f"{label}: {source.rstrip('.')}." for label, source in df.attrs["sources"])
    return Section([*_intro(ctx, "demand"), rpt.table(
        df, "scenario_demand",
        "Demand at the horizon and the gap under each measure (published-mode supply)",
        formats={c: fmt_dp(1) for c in ["demand_wte", *names]}, labels=labels,
        note=f"Source: {src}")])


def hee_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """HEE-style retirement cases: retirements, supply, demand, gap (where the file quotes a
    gap as a share of demand)."""
    if not ctx.has_model:
        return Section()
    df = ch.hee_cases(ctx)
    if df is None:
        return Section()
    years = [c for c in df.columns if c.startswith("year_")]
    labels = {"scenario": "Scenario", "share": "Share of 55+ retiring",
              **{y: f"Cumulative, year {y.split('_')[1]}" for y in years},
              "retirements": "Retirements (as published)", "supply": "Supply",
              "demand": "Demand", "gap": "Gap", "gap_pct": "Gap, % of demand"}
    formats = {"share": lambda v: f"{v:.0%}", **{y: fmt_dp(1) for y in years},
               "retirements": fmt_int, "supply": fmt_dp(1), "demand": fmt_dp(1),
               "gap": fmt_dp(1), "gap_pct": lambda v: f"{v:.1%}"}
    return Section([*_intro(ctx, "hee"), html("scenarios_hee.html.j2", a=df.attrs),
                    rpt.table(df, "scenario_hee_retirements",
                              f"HEE-style retirement cases: over-55s retiring within "
                              f"{ctx.sset.horizon_years} years",
                              formats=formats, labels=labels,
                              note=f"Source: {df.attrs['source']}; retirements spread evenly "
                                   "over the years.")])


def tornado_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Tornado chart and its table for the headline scenario."""
    if not ctx.has_model:
        return Section()
    t = ctx.tornado
    h = ctx.headline
    fig = tornado_chart(t, ctx.target, "")
    alt = (f"Tornado chart for {h.name}: horizon supply {fmt_dp(1)(t.attrs['base_position'])} WTE"
           f" at the scenario values; largest swings: "
           + "; ".join(f"{r['label']} {fmt_dp(1)(r['position_low'])} to "
                       f"{fmt_dp(1)(r['position_high'])}" for _, r in t.head(3).iterrows())
           + f". Target {wte(ctx.target)}.")
    return Section([
        *_intro(ctx, "sensitivity"),
        rpt.chart(fig, "scenario_tornado", alt,
                  f"{MODEL_SOURCE}/uncertainty.py, {ctx.uncertainty_mode} mode",
                  title=(f"{t.iloc[0]['label']} moves {ctx.sset.horizon_label} supply most: "
                         f"{fmt_dp(1)(min(t.iloc[0]['position_low'], t.iloc[0]['position_high']))}"
                         f" to "
                         f"{fmt_dp(1)(max(t.iloc[0]['position_low'], t.iloc[0]['position_high']))}"
                         f" WTE ({h.name})"),
                  context=_chart_context(ctx)),
        rpt.table(t.drop(columns=["parameter"]), "scenario_tornado_table",
                  f"One-at-a-time sensitivity, {h.name} ({ctx.uncertainty_mode} mode)",
                  formats={"value": num, "low": num, "high": num,
                           "position_low": fmt_dp(1), "position_high": fmt_dp(1),
                           "swing": fmt_dp(1)},
                  labels={"label": "Parameter", "value": "Scenario value", "low": "Low",
                          "high": "High", "position_low": "Supply at low",
                          "position_high": "Supply at high", "swing": "Swing",
                          "range_source": "Range"},
                  note="Source: ranges from the scenario file; parameters without a range are "
                       f"moved {sc.default_spread_setting():.0%} either way (config "
                       "scenarios: tornado_spread). A swing of 0 means the parameter is not in "
                       "play in this scenario."),
    ])


def fan_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Fan chart of the headline scenario and the probability of meeting the target."""
    if not ctx.has_model:
        return Section()
    h = ctx.headline
    mc = ctx.mc[h.id]
    b = mc.bands().iloc[-1]
    d = fmt_dp(1)
    alt = (f"Fan chart for {h.name} from {month_year(ctx.sset.start)} to "
           f"{month_year(ctx.sset.end)}: median {d(b['median'])} WTE at the horizon, 50% band "
           f"{d(b['low_50'])}-{d(b['high_50'])}, 80% band {d(b['low_80'])}-{d(b['high_80'])}, "
           f"95% band {d(b['low_95'])}-{d(b['high_95'])}; target {wte(ctx.target)}; "
           f"probability of meeting it {mc.p_meet:.0%}.")
    chart = rpt.chart(fan_chart(ctx, h.id), "scenario_fan", alt,
                      f"{MODEL_SOURCE}/uncertainty.py Monte Carlo, seed {ctx.seed}",
                      title=(f"{h.name}: a {mc.p_meet:.0%} chance of reaching "
                             f"{wte(ctx.target)} GP WTE by {ctx.sset.horizon_label}"),
                      context=_chart_context(ctx))
    table = rpt.table(
        ch.probability_frame(ctx), "scenario_probability",
        f"Probability of meeting the target of {wte(ctx.target)} WTE, {ctx.draws:,} draws",
        formats={"deterministic": d, "median": d, "p2_5": d, "p97_5": d,
                 "p_meet": lambda v: f"{v:.1%}"},
        labels={"scenario": "Scenario", "deterministic": f"Deterministic ({ctx.uncertainty_mode})",
                "median": "Median", "p2_5": "2.5th percentile", "p97_5": "97.5th percentile",
                "p_meet": "P(meet target)"},
        note=f"Source: {MODEL_SOURCE}/uncertainty.py Monte Carlo, {ctx.uncertainty_mode} mode, "
             f"seed {ctx.seed}; triangular ranges from the scenario file (assumptions table).")
    return Section([*_intro(ctx, "uncertainty"), chart, table])


def solve_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """What single lever would meet the target."""
    if not ctx.has_model:
        return Section()
    s = ctx.sset
    if not s.solve:
        return Section([*_intro(ctx, "solve"), html("scenarios_no_levers.html.j2")])
    df = sc.solve_table(s)
    shown = df[["lever", "mode", "scenario_value", "value_needed", "position", "message"]]
    return Section([*_intro(ctx, "solve"), rpt.table(
        shown, "scenario_solve",
        f"Value of each lever that alone meets the target of {wte(ctx.target)} WTE, starting "
        f"from {s.scenario(s.solve_from).name}",
        formats={"scenario_value": num, "value_needed": num, "position": fmt_dp(1)},
        labels={"lever": "Lever", "mode": "Mode", "scenario_value": "Scenario value",
                "value_needed": "Value needed", "position": "Supply at that value",
                "message": "Answer"},
        note=f"Source: {MODEL_SOURCE}/levers.py (bisection on the monotone supply; "
             "whole-number levers rounded up). 'n/a' means no value in the range searched "
             "meets the target.")])


def finance_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Unit costs by route and the cost of each scenario and its gap."""
    if not ctx.has_model:
        return Section()
    s = ctx.sset
    src = "; ".join(f"{v}" for v in dict.fromkeys(x for x in s.finance_sources.values() if x))
    return Section([
        *_intro(ctx, "finance"),
        rpt.table(ch.unit_cost_frame(ctx), "scenario_unit_costs", "Cost of a GP WTE by route",
                  formats={"cost": gbp},
                  labels={"route": "Route", "cost": "Cost", "basis": "Basis",
                          "derivation": "Derivation"},
                  note=f"Source: {src}"),
        rpt.table(sc.scenario_costs(s), "scenario_costs",
                  f"Cost of each scenario's levers and of its gap in {s.horizon_label} "
                  "(published mode)",
                  formats={"international_recruitment": gbp, "role_substitution": gbp,
                           "gap_wte": fmt_dp(1), "gap_salaried": gbp, "gap_locum": gbp},
                  labels={"scenario": "Scenario",
                          "international_recruitment": "International recruitment (one-off)",
                          "role_substitution": "Role substitution (a year)",
                          "gap_wte": "Gap, WTE",
                          "gap_salaried": "Gap at salaried cost (a year)",
                          "gap_locum": "Gap filled by locums (a year)"},
                  note="Source: unit costs above; a surplus costs nothing."),
    ])


def area_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Indicative CCG version of the STP scenarios; empty for an STP report."""
    if not ctx.has_model or ctx.area.kind != "ccg":
        return Section()
    shares = ctx.sset.area_shares
    df = sc.area_scaled(ctx.sset, ctx.area.slug)
    text = html("scenarios_area.html.j2", area=ctx.area,
                shares=None if df is None else df.attrs, workforce=shares.get("workforce"),
                over55=shares.get("over55"))
    if df is None:
        return Section([*_intro(ctx, "area"), text])
    return Section([*_intro(ctx, "area"), text, rpt.table(
        df, "scenario_area_share",
        f"{ctx.area.short_name}: STP scenarios scaled by the CCG's share (indicative)",
        formats={c: fmt_dp(1) for c in df.columns if c != "scenario"},
        labels={"scenario": "Scenario", "baseline": "Baseline", "over55_change":
                "Over-55s leaving", "position": f"Position in {ctx.sset.horizon_label}",
                "demand": "Target share", "gap": "Gap"},
        note="Source: STP scenario file; shares as stated above.", scope=False)])


def assumptions_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Every parameter of every scenario with its source and range."""
    if not ctx.has_model:
        return Section()
    s = ctx.sset
    names = {x.id: x.name for x in s.scenarios}
    return Section([*_intro(ctx, "assumptions"), rpt.table(
        ch.assumptions_frame(ctx), "scenario_assumptions",
        "Assumptions: every parameter, its value in each scenario, its source and its "
        "uncertainty range",
        formats=dict.fromkeys(names, num),
        labels={"parameter": "Parameter", **names, "source": "Source",
                "range": f"Range ({s.scenario(s.headline).name})"},
        note=f"Source: {ch.rel_path(s.path)}; 'n/a' = not used.")])
