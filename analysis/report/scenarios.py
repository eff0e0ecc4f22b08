"""Narrative, tables and charts for the scenario chapter (notebook 03).

:func:`load_context` reads the scenario file that applies to the area (``scenarios:`` section of
``config/config.yaml``: LLR areas use ``scenarios/llr.yaml``, Black Country areas
``scenarios/black_country.yaml``), runs both calculation modes, the sensitivity, the Monte Carlo
and the solver once, and every other function turns the result into Markdown or HTML for one part
of the chapter, so the notebook stays a list of short calls.

CCG reports show the STP model (the published scenarios are STP figures; no plan splits the
over-55s, trainees or recruits by CCG) and add one indicative table scaling it by the CCG's share
of the STP workforce, clearly labelled as such.

Two further parts close the chapter where the config names a file for the area's STP
(``scenarios: funding:`` and ``scenarios: risks:``; LLR only): the General Practice funding
trajectories (:mod:`analysis.models.funding`, LLR plan Table 17) and the risk register heat map
and RAG
table (:mod:`analysis.models.risks`, LLR plan Figure 15).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.config import ROOT, Area, load_config, registry, resolve_area  # noqa: E402
from analysis.models import funding as fd  # noqa: E402
from analysis.models import risks as rk  # noqa: E402
from analysis.models import scenarios as sc  # noqa: E402
from analysis.report.rendering import GREY, PALETTE, Report, fmt_dp, fmt_int  # noqa: E402

CHAPTER = "Scenario models: GP supply, demand and the gap"
UP, DOWN, TOTAL = PALETTE[2], PALETTE[5], PALETTE[0]


@dataclass
class ScenarioContext:
    """Everything the chapter shows for one area."""

    area: Area
    stp: Area
    sset: sc.ScenarioSet | None
    draws: int = 10_000
    seed: int = 0
    uncertainty_mode: str = "annual"
    published: pd.DataFrame | None = None
    annual: pd.DataFrame | None = None
    paths: pd.DataFrame | None = None
    target: float = math.nan
    mc: dict | None = None
    tornado: pd.DataFrame | None = None
    funding_path: Path | None = None
    funding: pd.DataFrame | None = None
    risks_path: Path | None = None
    risks: pd.DataFrame | None = None

    @property
    def has_model(self) -> bool:
        return self.sset is not None

    @property
    def headline(self) -> sc.Scenario:
        return self.sset.scenario(self.sset.headline)


def scenario_settings(cfg: dict | None = None) -> dict:
    """The ``scenarios`` section of the config, with defaults."""
    cfg = cfg or load_config()
    s = dict(cfg.get("scenarios") or {})
    s.setdefault("files", {})
    s["funding"] = dict(s.get("funding") or {})
    s["risks"] = dict(s.get("risks") or {})
    s.setdefault("draws", 10_000)
    s.setdefault("seed", 20171001)
    s.setdefault("uncertainty_mode", "annual")
    return s


def scenario_file_for(area: Area, cfg: dict | None = None, kind: str = "files") -> Path | None:
    """The file of a kind that applies to an area (its STP's), or None.

    ``kind`` is the key under ``scenarios:`` in the config: ``files`` (scenario YAML),
    ``funding`` (funding trajectories CSV) or ``risks`` (risk register CSV).
    """
    rel = scenario_settings(cfg)[kind].get(area.stp)
    if rel is None:
        return None
    p = Path(rel)
    return p if p.is_absolute() else ROOT / p


def load_context(area_slug: str, area_kind: str | None = None, scenario_file=None,
                 horizon_years: int | None = None, draws: int | None = None,
                 seed: int | None = None) -> ScenarioContext:
    """Resolve the area, read its scenario file and run every calculation once.

    Parameters
    ----------
    area_slug, area_kind
        As passed to every notebook.
    scenario_file : str or Path, optional
        Overrides the file the config names for the area's STP.
    horizon_years : int, optional
        Overrides the file's horizon (flows over the horizon scale pro rata).
    draws, seed : int, optional
        Monte Carlo draws and seed (config defaults: 10,000 and ``scenarios.seed``).
    """
    settings = scenario_settings()
    area = resolve_area(area_slug, area_kind)
    stp = resolve_area(area.stp, "stp")
    path = Path(scenario_file) if scenario_file else scenario_file_for(area)
    if path is not None and not path.is_absolute():
        path = ROOT / path
    ctx = ScenarioContext(area, stp, None, int(draws or settings["draws"]),
                          int(settings["seed"] if seed is None else seed),
                          settings["uncertainty_mode"])
    ctx.funding_path = scenario_file_for(area, kind="funding")
    if ctx.funding_path is not None:
        ctx.funding = fd.funding_table(fd.read_funding(ctx.funding_path),
                                       total_label=f"All {stp.short_name} CCGs")
    ctx.risks_path = scenario_file_for(area, kind="risks")
    if ctx.risks_path is not None:
        ctx.risks = rk.rag_table(rk.read_register(ctx.risks_path))
    if path is None:
        return ctx
    sset = sc.load_scenario_file(path)
    if horizon_years:
        sset = sset.with_horizon(int(horizon_years))
    ctx.sset = sset
    ctx.published = sc.run(sset, "published")
    ctx.annual = sc.run(sset, "annual")
    ctx.paths = sc.annual_paths(sset)
    ctx.target = sc.target_wte(sset)
    rounding = sset.rounding if ctx.uncertainty_mode == "published" else "none"
    ctx.mc = {s.id: sc.monte_carlo(s.params, s.uncertainty, sset.horizon_years, ctx.target,
                                   ctx.draws, ctx.seed, ctx.uncertainty_mode, rounding)
              for s in sset.scenarios}
    h = ctx.headline
    ctx.tornado = sc.tornado(h.params, h.uncertainty, sset.horizon_years,
                             ctx.uncertainty_mode, rounding)
    return ctx


# -------------------------------------------------------------------------------------------
# Text
# -------------------------------------------------------------------------------------------


def _d(day) -> str:
    return pd.Timestamp(day).strftime("%B %Y")


def _w(x: float) -> str:
    """WTE for text: whole numbers as published, otherwise one decimal."""
    return fmt_int(x) if abs(x - round(x)) < 1e-9 else fmt_dp(1)(x)


def pct(p: float) -> str:
    """A probability for text: whole percent, '<1%' and '>99%' near the ends."""
    if p == 0:
        return "0%"
    if p < 0.01:
        return "<1%"
    if p > 0.99 and p < 1:
        return ">99%"
    return f"{p:.0%}"


def gbp(x) -> str:
    """Pounds with thousands separators; millions to one decimal place."""
    if pd.isna(x):
        return ""
    x = float(x)
    if abs(x) >= 1e6:
        return f"£{x / 1e6:,.2f}m"
    return f"£{x:,.0f}"


def title_md(ctx: ScenarioContext) -> str:
    """Chapter heading and the paragraph that says which model applies (Markdown)."""
    head = f"## {CHAPTER}\n\n"
    if not ctx.has_model:
        return head + (f"No scenario file is configured for {ctx.stp.name}, so this report has "
                       "no scenario models for " f"{ctx.area.name}. Add one under `scenarios: "
                       "files:` in `config/config.yaml` (see `docs/scenarios.md`).")
    s = ctx.sset
    text = (f"How many GPs will {ctx.stp.short_name} have by {s.horizon_label}, how far is that "
            f"from the target, and what would close the gap at what cost? Scenarios from "
            f"*{s.title}* ({s.source}), starting {_d(s.start)} and running "
            f"{s.horizon_years} years. Every assumption, with its source, is listed at the end "
            "of the chapter; the method is in `docs/scenarios.md`.")
    if ctx.area.kind == "ccg":
        text += (f"\n\n**This is the {ctx.stp.short_name} STP model.** The published scenarios "
                 f"are STP figures and no plan splits the over-55s, trainees or recruits by CCG, "
                 f"so this {ctx.area.short_name} report shows the STP model; an indicative "
                 f"{ctx.area.short_name} line, scaled by its share of the STP workforce, follows "
                 "the STP results.")
    return head + text


def funding_risk_caveats(ctx: ScenarioContext) -> list[str]:
    """Caveats of the funding and risk parts (empty when neither applies)."""
    out = []
    if ctx.funding is not None:
        f = ctx.funding
        out.append(f"Funding trajectories ({f.attrs.get('source') or 'see the input file'}) are "
                   "the plan's expectations in cash terms, not outturn. Shares are shown to two "
                   "decimal places, the plan prints one; shortfalls are "
                   "share x allocation - spend, in GBP thousands.")
    if ctx.risks is not None:
        r = ctx.risks
        out.append(f"Risk RAG bands ({rk.rag_text(r.attrs['amber_from'], r.attrs['red_from'])})"
                   f" are not stated in the risk log; they follow the {rk.BANDS_SOURCE}. Scores "
                   "are as recorded in the register: "
                   f"{r.attrs.get('source') or _rel(ctx.risks_path)}.")
    return out


def record(ctx: ScenarioContext, rpt) -> None:
    """Record the leading scenario's outcome, the input files and the run parameters."""
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
                 p_meet=float(ctx.mc[h.id].p_meet), horizon=ctx.sset.horizon_label)
    rpt.record_parameters("Scenario models", {"draws": ctx.draws, "seed": ctx.seed,
                                              "uncertainty mode": ctx.uncertainty_mode})


def key_findings_md(ctx: ScenarioContext) -> str:
    """Headline bullets (Markdown)."""
    if not ctx.has_model:
        return ""
    s, pub, ann = ctx.sset, ctx.published, ctx.annual
    lines = ["### Key findings", ""]
    pos = "; ".join(f"*{r['name']}* **{_w(r['position'])}** (gap {_w(r['gap'])}, "
                    f"{r['gap_pct']:.1%} of demand)" for _, r in pub.iterrows())
    lines.append(f"- In published mode (linear arithmetic, as the plans use) the scenarios reach "
                 f"{pos} by {s.horizon_label}, against a target of **{_w(ctx.target)} WTE** "
                 f"(demand measure: {sc.DEMAND_LABELS[s.demand['method']].lower()}); a negative "
                 "gap is a surplus.")
    retire = [(x.name, x.published["over55_change"]) for x in s.scenarios
              if "over55_change" in x.published]
    if retire and "implied_gap" in s.demand:
        lines.append("- Cumulative retirements of GPs aged 55 or over: " + ", ".join(
            f"**{fmt_int(-ctx.published.loc[x.id, 'over55_change'])}** ({x.name})"
            for x in s.scenarios)
            + f", as HEE published ({', '.join(fmt_int(-v) for _, v in retire)}).")
    met = pub[pub["meets_target"]]
    names = [f"*{n}*" for n in met["name"]]
    if not names:
        lines.append("- No scenario meets the target.")
    elif len(names) == len(pub):
        lines.append("- Every scenario meets the target.")
    elif len(names) == 1:
        lines.append(f"- Only {names[0]} meets the target.")
    else:
        lines.append(f"- {', '.join(names[:-1])} and {names[-1]} meet the target.")
    diff = ", ".join(f"{_w(r['position'])}" for _, r in ann.iterrows())
    lines.append(f"- Stepping year by year with compounding and GPs ageing into the over-55s "
                 f"(annual mode) gives {diff} WTE.")
    h = ctx.headline
    mc = ctx.mc[h.id]
    lines.append(f"- For *{h.name}*, {mc.position.size:,} Monte Carlo draws give a "
                 f"**{pct(mc.p_meet)} probability of meeting the target** (median "
                 f"{_w(round(float(np.median(mc.position)), 1))} WTE; 95% of draws between "
                 f"{fmt_int(np.percentile(mc.position, 2.5))} and "
                 f"{fmt_int(np.percentile(mc.position, 97.5))}).")
    top = ctx.tornado.iloc[0]
    lines.append(f"- Supply is most sensitive to {top['label'].lower()}: across its range the "
                 f"horizon supply moves by {fmt_dp(1)(top['swing'])} WTE.")
    short = pub[pub["gap"] > 0]
    if len(short):
        worst = short.sort_values("gap").iloc[-1]
        cost = sc.gap_cost(worst["gap"], s.finance)
        lines.append(f"- The largest gap, {_w(worst['gap'])} WTE (*{worst['name']}*), would cost "
                     f"{gbp(cost['salaried'])} a year in salaried GPs, or {gbp(cost['locum'])} "
                     f"filled by locums.")
    return "\n".join(lines)


SECTIONS = {
    "published": (
        "### Scenarios as published\n\nEach scenario's leavers and joiners over the horizon, "
        "computed as the plan computes them (each rate applied to the starting figures, each "
        "component rounded as published), and the published figures the model must reproduce."),
    "annual": (
        "### Year by year\n\nThe same scenarios stepped one year at a time (annual mode): "
        "losses apply to the workforce that is left, GPs turn 55 and join the group that "
        "retires, joiners arrive evenly."),
    "trajectories": (
        "### Trajectories against the target\n\nSupply in each scenario against the target, "
        "as in the LLR plan's Figure 9: annual mode solid, published mode dashed and labelled."),
    "waterfall": (
        "### From the baseline to the horizon\n\nWhere the headline scenario's change comes "
        "from."),
    "demand": (
        "### Demand\n\nThe target depends on how demand is measured: a fixed target, the "
        "0.58 WTE per 1,000 patients ratio, population growth by age group weighted by GP use, "
        "or the demand implied by a published gap."),
    "hee": (
        "### HEE retirement cases\n\nThe share of GPs aged 55 or over who retire within the "
        "horizon, the supply that leaves, the demand and the gap as a share of demand."),
    "sensitivity": (
        "### Sensitivity\n\nEach parameter moved on its own across its range, the others held "
        "at the headline scenario's values."),
    "uncertainty": (
        "### Uncertainty\n\nAll parameters drawn together from their ranges (triangular "
        "around the scenario value): the fan shows where 50%, 80% and 95% of the draws fall, "
        "and the table the probability that supply meets the target."),
    "solve": (
        "### What would close the gap\n\nThe value one lever would need, all else as in the "
        "starting scenario, for supply to reach the target by the horizon."),
    "finance": (
        "### Cost\n\nWhat a GP WTE costs by each route, and what each scenario's levers and "
        "remaining gap cost."),
    "area": "### This CCG's share",
    "assumptions": (
        "### Assumptions\n\nEvery parameter, its value in each scenario and its source, as the "
        "National Audit Office asks of workforce models: documented, replicable assumptions."),
    "funding": (
        "### Funding for General Practice\n\nThe CCGs' General Practice funding trajectories "
        "(LLR plan Table 17): the share of each CCG's allocation spent on primary care against "
        "the NHSE minimum of 10.9% and the aspiration of 11.3% by 2020, and the money between "
        "the spend and each line."),
    "risks": (
        "### Workforce risks\n\nThe workforce risk register (LLR plan Figure 15): each risk's "
        "likelihood and impact, scored 1-5, and its score (likelihood x impact, 1-25), rated red, "
        "amber or green."),
}


def section_md(ctx: ScenarioContext, key: str) -> str:
    """Heading and introduction of one section (Markdown); empty when it does not apply."""
    if key == "funding":
        return SECTIONS[key] if ctx.funding is not None else ""
    if key == "risks":
        return SECTIONS[key] if ctx.risks is not None else ""
    if not ctx.has_model:
        return ""
    if key == "hee" and "implied_gap" not in ctx.sset.demand:
        return ""
    if key == "area" and ctx.area.kind != "ccg":
        return ""
    return SECTIONS[key]


# -------------------------------------------------------------------------------------------
# Tables
# -------------------------------------------------------------------------------------------


def components_frame(ctx: ScenarioContext, mode: str = "published") -> pd.DataFrame:
    """Baseline, components, position, target and gap: rows are items, columns scenarios."""
    res = ctx.published if mode == "published" else ctx.annual
    items = ["baseline", *sc.COMPONENTS, "position", "demand", "gap"]
    labels = {"baseline": "Baseline WTE", **sc.COMPONENT_LABELS,
              "position": f"Position in {ctx.sset.horizon_label}", "demand": "Target (demand)",
              "gap": "Gap (target - position; negative = surplus)"}
    df = res[items].T
    df.columns = list(res.index)
    keep = [i for i in items if i not in sc.COMPONENTS or (df.loc[i].abs() > 1e-12).any()]
    df = df.loc[keep]
    df.insert(0, "item", [labels[i] for i in keep])
    return df.reset_index(drop=True)


def components_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Published-mode components by scenario, with the back-test against the plan (HTML)."""
    s = ctx.sset
    df = components_frame(ctx, "published")
    names = dict(zip(ctx.published.index, ctx.published["name"], strict=True))
    fmt = fmt_int if s.rounding != "none" else fmt_dp(1)
    out = rpt.table_html(
        df, "scenario_components",
        f"Scenario components over {s.horizon_years} years, published mode "
        f"({s.rounding.replace('_', ' ')} rounding), WTE",
        formats={c: (lambda v, f=fmt: f(v) if abs(v - round(v)) < 1e-9 else fmt_dp(1)(v))
                 for c in names}, labels={"item": "", **names},
        note=f"Source: {s.source}; model in analysis/scenarios.py (published mode). Target: "
             f"{sc.DEMAND_LABELS[s.demand['method']]}.")
    chk = sc.check_published(s)
    if len(chk):
        ok = bool(chk["matches"].all())
        out += rpt.table_html(
            chk.assign(matches=chk["matches"].map({True: "yes", False: "NO"})),
            "scenario_backtest", "Published figures against the model (back-test)",
            formats={"published": fmt_dp(1), "model": fmt_dp(1)},
            labels={"scenario": "Scenario", "figure": "Figure", "published": "Published",
                    "model": "Model", "matches": "Matches"},
            note=("Source: published figures as transcribed in the scenario file. "
                  + ("Every published figure is reproduced." if ok else
                     "Some published figures are NOT reproduced.")))
    return out


def annual_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Year-by-year supply in annual mode, with the published position beside it (HTML)."""
    s = ctx.sset
    wide = ctx.paths.pivot(index="scenario", columns="date", values="supply")
    wide = wide.loc[[x.id for x in s.scenarios]]
    dates = list(wide.columns)
    cols = {d: pd.Timestamp(d).strftime("%b %Y") for d in dates}
    wide = wide.rename(columns={d: f"y{i}" for i, d in enumerate(dates)})
    wide.insert(0, "scenario", [x.name for x in s.scenarios])
    wide["published"] = ctx.published["position"].to_numpy()
    wide["difference"] = wide[f"y{len(dates) - 1}"] - wide["published"]
    labels = {"scenario": "Scenario", **{f"y{i}": cols[d] for i, d in enumerate(dates)},
              "published": "Published mode", "difference": "Annual - published"}
    formats = {c: fmt_dp(1) for c in wide.columns if c != "scenario"}
    comp = ctx.annual[["name", *sc.COMPONENTS, "position"]].rename(columns={"name": "scenario"})
    comp = comp.loc[:, [c for c in comp.columns
                        if c not in sc.COMPONENTS or (comp[c].abs() > 1e-12).any()]]
    return (rpt.table_html(wide.reset_index(drop=True), "scenario_annual_supply",
                           "GP WTE supply year by year, annual mode", formats=formats,
                           labels=labels,
                           note="Source: analysis/scenarios.py, annual mode (losses compound on "
                                "the current stock; under-55s age into the over-55 group).")
            + rpt.table_html(comp.reset_index(drop=True), "scenario_annual_components",
                             f"Components over {s.horizon_years} years, annual mode, WTE",
                             formats={c: fmt_dp(1) for c in comp.columns if c != "scenario"},
                             labels={"scenario": "Scenario", **sc.COMPONENT_LABELS,
                                     "position": "Position"},
                             note="Source: analysis/scenarios.py, annual mode; unrounded."))


def modes_md(ctx: ScenarioContext) -> str:
    """The sentence explaining the difference between the two modes (Markdown)."""
    s = ctx.sset
    diffs = ctx.annual["position"] - ctx.published["position"]
    h = ctx.headline
    aged = sc.project(sc.params_frame(s).to_dict("list"), s.horizon_years,
                      "annual")["aged_into_55"]
    lo, hi = fmt_dp(1)(float(np.min(aged))), fmt_dp(1)(float(np.max(aged)))
    aged_txt = lo if lo == hi else f"{lo} to {hi}"
    return (f"**Published and annual modes differ** because the published arithmetic applies "
            f"each rate to the starting figures for {s.horizon_years} years and rounds each "
            f"component as the source does, while the annual mode applies it each year to the "
            f"workforce that is left (so losses compound and shrink), lets GPs turn 55 and join "
            f"the group that retires ({aged_txt} WTE over the horizon), and does not round. "
            f"Here the difference at the horizon is between "
            f"{fmt_dp(1)(diffs.min())} and {fmt_dp(1)(diffs.max())} WTE. For "
            f"*{h.name}* the over-55s lose {fmt_dp(1)(-ctx.published.loc[h.id, 'over55_change'])}"
            f" WTE in published mode and {fmt_dp(1)(-ctx.annual.loc[h.id, 'over55_change'])} in "
            "annual mode."
            + (f" A yearly rate applied to a shrinking group never empties it, so a statement "
               f"such as 'all over-55s retire within {s.horizon_years} years' is a "
               "published-mode (cohort) assumption; the annual mode reads it as "
               f"{h.params['over55_loss_rate_pa']:.0%} a year of whoever is over 55 that year."
               if h.params["over55_loss_rate_pa"] * s.horizon_years >= 0.5 else ""))


def demand_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Demand options and the gap under each (HTML)."""
    s = ctx.sset
    opts = sc.demand_options(s)
    pub = ctx.published
    df = opts[["label", "demand_wte"]].copy()
    for sid, r in pub.iterrows():
        df[sid] = df["demand_wte"] - r["position"]
    df["chosen"] = opts["chosen"].map({True: "yes", False: ""})
    names = dict(zip(pub.index, pub["name"], strict=True))
    labels = {"label": "Demand measure", "demand_wte": f"Demand in {s.horizon_label}, WTE",
              **{k: f"Gap: {v}" for k, v in names.items()}, "chosen": "Used as target"}
    src = " ".join(f"{r['label']}: {r['source'].rstrip('.')}." for _, r in opts.iterrows())
    return rpt.table_html(df, "scenario_demand", "Demand at the horizon and the gap under each "
                          "measure (published-mode supply)",
                          formats={c: fmt_dp(1) for c in ["demand_wte", *names]},
                          labels=labels, note=f"Source: {src}")


def hee_html(ctx: ScenarioContext, rpt: Report) -> str:
    """HEE-style retirement cases: retirements, supply, demand, gap (HTML + Markdown)."""
    s = ctx.sset
    if "implied_gap" not in s.demand:
        return ""
    ig = s.demand["implied_gap"]
    imp = sc.implied_demand(float(ig["gap_wte"]), float(ig["gap_share"]),
                            int(ig.get("share_decimals", 2)))
    pf = sc.params_frame(s)
    shares = (pf["over55_loss_rate_pa"] * s.horizon_years).to_numpy()
    cases = sc.retirement_cases(float(pf["over55_wte"].iloc[0]), shares, s.horizon_years,
                                s.rounding)
    pub = ctx.published
    df = cases.copy()
    df.insert(0, "scenario", pub["name"].to_numpy())
    df["supply"] = pub["position"].to_numpy()
    df["demand"] = pub["demand"].to_numpy()
    df["gap"] = pub["gap"].to_numpy()
    df["gap_pct"] = pub["gap_pct"].to_numpy()
    years = [c for c in df.columns if c.startswith("year_")]
    labels = {"scenario": "Scenario", "share": "Share of 55+ retiring",
              **{y: f"Cumulative, year {y.split('_')[1]}" for y in years},
              "retirements": "Retirements (as published)", "supply": "Supply",
              "demand": "Demand", "gap": "Gap", "gap_pct": "Gap, % of demand"}
    formats = {"share": lambda v: f"{v:.0%}", **{y: fmt_dp(1) for y in years},
               "retirements": fmt_int, "supply": fmt_dp(1), "demand": fmt_dp(1),
               "gap": fmt_dp(1), "gap_pct": lambda v: f"{v:.1%}"}
    ratio = sc.demand_options(s).set_index("method")["demand_wte"].get("ratio")
    text = (f"<p>HEE's quoted gap of {fmt_int(ig['gap_wte'])} GPs, "
            f"{float(ig['gap_share']):.0%} of anticipated demand, implies demand of "
            f"<b>{fmt_dp(1)(imp['demand'])} WTE</b> ({fmt_int(ig['gap_wte'])} / "
            f"{float(ig['gap_share']):.2f}); because the share is rounded to a whole percent, "
            f"any demand from {fmt_dp(1)(imp['demand_low'])} to {fmt_dp(1)(imp['demand_high'])} "
            f"fits the quote, and the implied supply is {fmt_dp(1)(imp['supply'])} WTE."
            + (f" The 0.58 per 1,000 ratio on today's list gives {fmt_dp(1)(ratio)}, just below "
               "that range." if ratio is not None and ratio < imp["demand_low"] else "")
            + " HEE's model itself is not published: the joiners in these cases are derived so "
              "that the 100% case reproduces the quoted gap (see the assumptions table).</p>")
    return html_block(text) + rpt.table_html(
        df, "scenario_hee_retirements",
        f"HEE-style retirement cases: over-55s retiring within {s.horizon_years} years",
        formats=formats, labels=labels,
        note=f"Source: {ig.get('source', '')}; retirements spread evenly over the years.")


def html_block(text: str) -> str:
    return f'<div class="scenario-text">{text}</div>'


def probability_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Monte Carlo summary for every scenario (HTML)."""
    rows = []
    det = ctx.annual if ctx.uncertainty_mode == "annual" else ctx.published
    for s in ctx.sset.scenarios:
        mc = ctx.mc[s.id]
        rows.append({"scenario": s.name, "deterministic": det.loc[s.id, "position"],
                     "median": float(np.median(mc.position)),
                     "p2_5": float(np.percentile(mc.position, 2.5)),
                     "p97_5": float(np.percentile(mc.position, 97.5)),
                     "p_meet": mc.p_meet})
    df = pd.DataFrame(rows)
    return rpt.table_html(
        df, "scenario_probability",
        f"Probability of meeting the target of {_w(ctx.target)} WTE, {ctx.draws:,} draws",
        formats={"deterministic": fmt_dp(1), "median": fmt_dp(1), "p2_5": fmt_dp(1),
                 "p97_5": fmt_dp(1), "p_meet": lambda v: f"{v:.1%}"},
        labels={"scenario": "Scenario", "deterministic": f"Deterministic ({ctx.uncertainty_mode})",
                "median": "Median", "p2_5": "2.5th percentile", "p97_5": "97.5th percentile",
                "p_meet": "P(meet target)"},
        note=f"Source: analysis/scenarios.py Monte Carlo, {ctx.uncertainty_mode} mode, seed "
             f"{ctx.seed}; triangular ranges from the scenario file (assumptions table).")


def tornado_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Tornado chart and its table for the headline scenario (HTML)."""
    t = ctx.tornado
    h = ctx.headline
    fig = tornado_chart(t, ctx.target, f"Sensitivity of supply in {ctx.sset.horizon_label}\n"
                                       f"{h.name}")
    top = t.head(3)
    alt = (f"Tornado chart for {h.name}: horizon supply {fmt_dp(1)(t.attrs['base_position'])} WTE"
           f" at the scenario values; largest swings: "
           + "; ".join(f"{r['label']} {fmt_dp(1)(r['position_low'])} to "
                       f"{fmt_dp(1)(r['position_high'])}" for _, r in top.iterrows())
           + f". Target {_w(ctx.target)}.")
    tbl = t.drop(columns=["parameter"])
    return (rpt.figure_html(fig, "scenario_tornado", alt,
                            f"analysis/scenarios.py, {ctx.uncertainty_mode} mode")
            + rpt.table_html(tbl, "scenario_tornado_table",
                             f"One-at-a-time sensitivity, {h.name} ({ctx.uncertainty_mode} mode)",
                             formats={"value": _num, "low": _num, "high": _num,
                                      "position_low": fmt_dp(1), "position_high": fmt_dp(1),
                                      "swing": fmt_dp(1)},
                             labels={"label": "Parameter", "value": "Scenario value",
                                     "low": "Low", "high": "High",
                                     "position_low": "Supply at low",
                                     "position_high": "Supply at high", "swing": "Swing",
                                     "range_source": "Range"},
                             note="Source: ranges from the scenario file; parameters without a "
                                  f"range are moved {sc.DEFAULT_SPREAD:.0%} either way. A swing "
                                  "of 0 means the parameter is not in play in this scenario."))


def _num(v) -> str:
    if pd.isna(v):
        return "n/a"
    v = float(v)
    if abs(v) < 1 and v != 0:
        return f"{v:.3g}"
    return fmt_int(v) if abs(v - round(v)) < 1e-9 else fmt_dp(1)(v)


def solve_html(ctx: ScenarioContext, rpt: Report) -> str:
    """What single lever would meet the target (HTML)."""
    s = ctx.sset
    if not s.solve:
        return html_block("<p>The scenario file names no levers to solve for.</p>")
    df = sc.solve_table(s)
    start = s.scenario(s.solve_from)
    shown = df[["lever", "mode", "scenario_value", "value_needed", "position", "message"]]
    return rpt.table_html(
        shown, "scenario_solve",
        f"Value of each lever that alone meets the target of {_w(ctx.target)} WTE, starting "
        f"from {start.name}",
        formats={"scenario_value": _num, "value_needed": _num, "position": fmt_dp(1)},
        labels={"lever": "Lever", "mode": "Mode", "scenario_value": "Scenario value",
                "value_needed": "Value needed", "position": "Supply at that value",
                "message": "Answer"},
        note="Source: analysis/scenarios.py (bisection on the monotone supply; whole-number "
             "levers rounded up). 'n/a' means no value in the range searched meets the target.")


def finance_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Unit costs by route and the cost of each scenario and its gap (HTML)."""
    s = ctx.sset
    pf = sc.params_frame(s)
    ratio = pf["role_substitution_ratio"].dropna()
    unit = sc.unit_costs(s.finance, float(ratio.iloc[0]) if len(ratio) else 3.0)
    costs = sc.scenario_costs(s)
    src = "; ".join(f"{v}" for v in dict.fromkeys(x for x in s.finance_sources.values() if x))
    return (rpt.table_html(unit, "scenario_unit_costs", "Cost of a GP WTE by route",
                           formats={"cost": gbp},
                           labels={"route": "Route", "cost": "Cost", "basis": "Basis",
                                   "derivation": "Derivation"},
                           note=f"Source: {src}")
            + rpt.table_html(costs, "scenario_costs",
                             f"Cost of each scenario's levers and of its gap in "
                             f"{s.horizon_label} (published mode)",
                             formats={"international_recruitment": gbp,
                                      "role_substitution": gbp, "gap_wte": fmt_dp(1),
                                      "gap_salaried": gbp, "gap_locum": gbp},
                             labels={"scenario": "Scenario",
                                     "international_recruitment": "International recruitment "
                                                                  "(one-off)",
                                     "role_substitution": "Role substitution (a year)",
                                     "gap_wte": "Gap, WTE",
                                     "gap_salaried": "Gap at salaried cost (a year)",
                                     "gap_locum": "Gap filled by locums (a year)"},
                             note="Source: unit costs above; a surplus costs nothing."))


def area_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Indicative CCG version of the STP scenarios (HTML); empty for an STP report."""
    if ctx.area.kind != "ccg":
        return ""
    df = sc.area_scaled(ctx.sset, ctx.area.slug)
    if df is None:
        return html_block(f"<p>The scenario file gives no share for {html.escape(ctx.area.name)}"
                          ", so no CCG line is shown.</p>")
    wf = ctx.sset.area_shares["workforce"]
    o55 = ctx.sset.area_shares.get("over55", wf)
    text = (f"<p><b>Indicative {html.escape(ctx.area.short_name)} line.</b> The STP scenarios "
            f"scaled by {html.escape(ctx.area.short_name)}'s share of the STP workforce "
            f"({df.attrs['workforce_share']:.1%}; {html.escape(wf['source'])})"
            + (f" and of the over-55s ({df.attrs['over55_share']:.1%}; "
               f"{html.escape(o55['source'])})" if "over55" in ctx.sset.area_shares else "")
            + ". Linear scaling, unrounded: an illustration of the CCG's part of the STP gap, "
              "not a CCG model.</p>")
    return html_block(text) + rpt.table_html(
        df, "scenario_area_share",
        f"{ctx.area.short_name}: STP scenarios scaled by the CCG's share (indicative)",
        formats={c: fmt_dp(1) for c in df.columns if c != "scenario"},
        labels={"scenario": "Scenario", "baseline": "Baseline", "over55_change":
                "Over-55s leaving", "position": f"Position in {ctx.sset.horizon_label}",
                "demand": "Target share", "gap": "Gap"},
        note="Source: STP scenario file; shares as stated above.")


def assumptions_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Every parameter of every scenario with its source (HTML)."""
    s = ctx.sset
    rows = []
    for name, p in sc.PARAMETERS.items():
        row = {"parameter": p.label}
        for x in s.scenarios:
            row[x.id] = x.params[name]
        srcs = list(dict.fromkeys(x.sources.get(name, "") for x in s.scenarios))
        row["source"] = " | ".join(" ".join(t.split()) for t in srcs if t)
        unc = s.scenario(s.headline).uncertainty.get(name)
        row["range"] = (f"{unc.kind} {unc.low:g}-{unc.high:g}"
                        f"{' x value' if unc.relative else ''}: {unc.source}" if unc else "")
        rows.append(row)
    df = pd.DataFrame(rows)
    names = {x.id: x.name for x in s.scenarios}
    where = s.path.relative_to(ROOT) if s.path.is_relative_to(ROOT) else s.path.name
    return rpt.table_html(df, "scenario_assumptions",
                          "Assumptions: every parameter, its value in each scenario, its source "
                          "and its uncertainty range",
                          formats=dict.fromkeys(names, _num),
                          labels={"parameter": "Parameter", **names, "source": "Source",
                                  "range": f"Range ({s.scenario(s.headline).name})"},
                          note=f"Source: {where}; 'n/a' = not used.")


# -------------------------------------------------------------------------------------------
# Charts
# -------------------------------------------------------------------------------------------


def _style(ax, title: str, ylabel: str = "GP WTE") -> None:
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)


def trajectory_chart(ctx: ScenarioContext):
    """Each scenario's supply against the target, like LLR Figure 9.

    Annual mode solid with markers, published mode dashed (straight to its published position),
    history from the file (grey), the target as a horizontal line.
    """
    s = ctx.sset
    fig, ax = plt.subplots(figsize=(9, 5))
    if s.history:
        hd, hv = zip(*s.history, strict=True)
        ax.plot(hd, hv, color=GREY, marker="s", linewidth=1.5, label="Recorded WTE")
    end = s.end
    for i, x in enumerate(s.scenarios):
        colour = PALETTE[(i + 1) % len(PALETTE)]
        p = ctx.paths[ctx.paths["scenario"] == x.id]
        ax.plot(p["date"], p["supply"], color=colour, marker="o", linewidth=2,
                label=f"{x.name} (annual)")
        pos = ctx.published.loc[x.id, "position"]
        ax.plot([s.start, end], [ctx.published.loc[x.id, "baseline"], pos], color=colour,
                linestyle="--", linewidth=1.2)
        ax.annotate(_w(pos), (end, pos), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=9, color=colour, fontweight="bold")
    ax.axhline(ctx.target, color="#000000", linestyle=":", linewidth=1.5,
               label=f"Target {_w(ctx.target)}")
    ax.plot([], [], color="#555555", linestyle="--", linewidth=1.2,
            label="Published mode (labelled)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    _style(ax, f"{ctx.stp.short_name} GP supply and demand trajectories to {s.horizon_label}")
    ax.set_xlabel("Date")
    top = max(ctx.target, float(ctx.paths["supply"].max()),
              float(ctx.published["position"].max()))
    ax.set_ylim(None, top + 0.04 * top)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=2)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def trajectory_html(ctx: ScenarioContext, rpt: Report) -> str:
    fig = trajectory_chart(ctx)
    alt = (f"Line chart of GP WTE from {_d(ctx.sset.start)} to {_d(ctx.sset.end)} for each "
           "scenario against the target of " f"{_w(ctx.target)}: "
           + "; ".join(f"{r['name']} {_w(r['position'])} as published, "
                       f"{fmt_dp(1)(ctx.annual.loc[i, 'position'])} annual mode"
                       for i, r in ctx.published.iterrows()) + ".")
    return rpt.figure_html(fig, "scenario_trajectories", alt,
                           f"{ctx.sset.source}; {ctx.sset.history_source}".strip("; "))


def waterfall_chart(res_row: pd.Series, target: float, title: str):
    """Waterfall from the baseline through each component to the horizon position."""
    items = [("Baseline", res_row["baseline"], "total")]
    items += [(sc.COMPONENT_LABELS[c], res_row[c], "step") for c in sc.COMPONENTS
              if abs(res_row[c]) > 1e-12]
    items.append(("Position", res_row["position"], "total"))
    fig, ax = plt.subplots(figsize=(9, 4.8))
    level = 0.0
    for i, (_label, v, kind) in enumerate(items):
        if kind == "total":
            ax.bar(i, v, color=TOTAL, width=0.6)
            level = v
            ax.text(i, v, _w(v), ha="center", va="bottom", fontsize=9)
        else:
            bottom = level if v >= 0 else level + v
            ax.bar(i, abs(v), bottom=bottom, color=UP if v >= 0 else DOWN, width=0.6)
            ax.text(i, bottom + abs(v), f"{'+' if v >= 0 else '-'}{_w(abs(v))}", ha="center",
                    va="bottom", fontsize=9)
            if i + 1 < len(items):
                ax.plot([i - 0.3, i + 1.3], [level + v] * 2, color=GREY, linewidth=0.6)
            level += v
    ax.axhline(target, color="#000000", linestyle=":", linewidth=1.5,
               label=f"Target {_w(target)}")
    ax.set_xticks(range(len(items)), [_wrap(lbl) for lbl, _, _ in items], fontsize=8)
    lo = min(min(level, res_row["baseline"]), target)
    ax.set_ylim(max(0, lo - 0.25 * abs(res_row["baseline"] - lo) - 60), None)
    _style(ax, title)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _wrap(text: str, width: int = 14) -> str:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > width and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    return "\n".join(lines)


def waterfall_html(ctx: ScenarioContext, rpt: Report) -> str:
    h = ctx.headline
    row = ctx.published.loc[h.id]
    fig = waterfall_chart(row, ctx.target,
                          f"{h.name}: from {_w(row['baseline'])} to {_w(row['position'])} WTE "
                          f"(published mode)")
    steps = "; ".join(f"{sc.COMPONENT_LABELS[c]} {row[c]:+,.0f}" for c in sc.COMPONENTS
                      if abs(row[c]) > 1e-12)
    alt = (f"Waterfall chart for {h.name}: baseline {_w(row['baseline'])} WTE; {steps}; "
           f"position {_w(row['position'])} against the target of {_w(ctx.target)}.")
    return rpt.figure_html(fig, "scenario_waterfall", alt, ctx.sset.source)


def tornado_chart(t: pd.DataFrame, target: float, title: str):
    """Horizontal bars from the base supply to the supply at each parameter's low and high."""
    base = t.attrs["base_position"]
    t = t.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(t) + 1.6))
    y = np.arange(len(t))
    lo = t["position_low"].to_numpy(dtype=float) - base
    hi = t["position_high"].to_numpy(dtype=float) - base
    ax.barh(y, lo, left=base, color=PALETTE[1], label="Parameter at its low value")
    ax.barh(y, hi, left=base, color=PALETTE[0], label="Parameter at its high value")
    ax.axvline(base, color="#333333", linewidth=1)
    ax.axvline(target, color="#000000", linestyle=":", linewidth=1.5,
               label=f"Target {_w(target)}")
    ax.set_yticks(y, t["label"].to_list(), fontsize=8)
    ax.set_xlabel("GP WTE at the horizon")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def fan_chart(ctx: ScenarioContext, sid: str):
    """Median and 50/80/95% bands of the Monte Carlo supply paths, with the target."""
    s = ctx.sset
    mc = ctx.mc[sid]
    b = mc.bands()
    dates = [sc._add_years(s.start, int(y)) for y in b["year"]]
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for lv, alpha in ((95, 0.18), (80, 0.3), (50, 0.45)):
        ax.fill_between(dates, b[f"low_{lv}"], b[f"high_{lv}"], color=PALETTE[0], alpha=alpha,
                        linewidth=0, label=f"{lv}% of draws")
    ax.plot(dates, b["median"], color=PALETTE[0], linewidth=2, label="Median")
    det = ctx.paths[ctx.paths["scenario"] == sid]
    if ctx.uncertainty_mode == "annual":
        ax.plot(det["date"], det["supply"], color="#000000", linewidth=1, linestyle="--",
                label="Deterministic")
    ax.axhline(ctx.target, color="#000000", linestyle=":", linewidth=1.5,
               label=f"Target {_w(ctx.target)}")
    ax.text(0.01, 0.97, f"P(meet target of {_w(ctx.target)} by {s.horizon_label}) = "
            f"{pct(mc.p_meet)}", transform=ax.transAxes, va="top", ha="left", fontsize=10,
            fontweight="bold")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    _style(ax, f"{s.scenario(sid).name}: uncertainty in supply ({mc.position.size:,} draws)")
    ax.set_xlabel("Date")
    top = max(ctx.target, float(b["high_95"].max()))
    ax.set_ylim(None, top + 0.06 * top)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=3)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def fan_html(ctx: ScenarioContext, rpt: Report) -> str:
    h = ctx.headline
    mc = ctx.mc[h.id]
    b = mc.bands().iloc[-1]
    fig = fan_chart(ctx, h.id)
    alt = (f"Fan chart for {h.name} from {_d(ctx.sset.start)} to {_d(ctx.sset.end)}: median "
           f"{fmt_dp(1)(b['median'])} WTE at the horizon, 50% band {fmt_dp(1)(b['low_50'])}-"
           f"{fmt_dp(1)(b['high_50'])}, 80% band {fmt_dp(1)(b['low_80'])}-"
           f"{fmt_dp(1)(b['high_80'])}, 95% band {fmt_dp(1)(b['low_95'])}-"
           f"{fmt_dp(1)(b['high_95'])}; target {_w(ctx.target)}; probability of meeting it "
           f"{mc.p_meet:.0%}.")
    return rpt.figure_html(fig, "scenario_fan", alt,
                           f"analysis/scenarios.py Monte Carlo, seed {ctx.seed}")


# -------------------------------------------------------------------------------------------
# Funding trajectories and the risk register (only where the config names the files)
# -------------------------------------------------------------------------------------------


def _rel(path: Path | None) -> str:
    if path is None:
        return ""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def _bullets(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in items) + "</ul>"


def funding_names(ctx: ScenarioContext) -> dict[str, str]:
    """CCG label in the funding file -> the registry's short name (the label if unknown)."""
    reg = registry()
    f = ctx.funding
    return {c: (reg[a].short_name if a in reg else c)
            for c, a in zip(f["ccg"], f["area"], strict=True)}


def funding_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Findings, chart and table of the General Practice funding trajectories (HTML)."""
    f = ctx.funding
    if f is None:
        return ""
    names = funding_names(ctx)
    own = f.loc[f["area"] == ctx.area.slug, "ccg"]
    highlight = own.iloc[0] if ctx.area.kind == "ccg" and len(own) else None
    source = f.attrs.get("source") or _rel(ctx.funding_path)
    lo, hi = f.attrs["minimum"], f.attrs["aspiration"]
    fig = fd.funding_chart(f, f"{ctx.stp.short_name} CCGs: share of allocation spent on "
                              "primary care", highlight=highlight, names=names)
    chart = rpt.figure_html(fig, "scenario_funding_share", fd.chart_alt(f, names),
                            f"{source}; analysis/funding.py")
    order = list(dict.fromkeys(f["ccg"]))  # the CCGs in file order, then the total
    df = f.assign(_c=f["ccg"].map(order.index)).sort_values(["_c", "year"], kind="stable")
    df["ccg"] = df["ccg"].map(names)
    cols = ["ccg", "year", "allocation_k", "cocommissioning_k", "cocommissioning_share",
            "discretionary_k", "spend_k", "share", "shortfall_minimum_k",
            "shortfall_aspiration_k"]
    df = df[cols].reset_index(drop=True)
    pct2 = fmt_pct(2)
    money = [c for c in cols if c.endswith("_k")]
    labels = dict(fd.LABELS)
    labels["shortfall_minimum_k"] = f"Shortfall to {lo:.1%} (£000)"
    labels["shortfall_aspiration_k"] = f"Shortfall to {hi:.1%} (£000)"
    table = rpt.table_html(
        df, "scenario_funding",
        f"General Practice funding trajectories by CCG (£000), with the shortfall against the "
        f"{lo:.1%} minimum and the {hi:.1%} aspiration",
        formats={**dict.fromkeys(money, fmt_int), "cocommissioning_share": pct2, "share": pct2},
        labels=labels, highlight=names.get(highlight) if highlight else None,
        note=f"Source: {source}, transcribed in {_rel(ctx.funding_path)}; total spend, shares "
             "and shortfalls computed by analysis/funding.py. Shortfall = line x allocation - "
             "spend: negative when spend is above the line. Target: "
             f"{fd.THRESHOLD_SOURCE}.")
    return html_block(_bullets(fd.findings(f, names))) + chart + table


def fmt_pct(decimals: int):
    """Formatter for a fraction as a percentage (half-up)."""
    f = fmt_dp(decimals)
    return lambda v: "" if pd.isna(v) else f"{f(float(v) * 100)}%"


def risks_html(ctx: ScenarioContext, rpt: Report) -> str:
    """Summary, 5x5 heat map and RAG table of the risk register (HTML)."""
    t = ctx.risks
    if t is None:
        return ""
    source = t.attrs.get("source") or _rel(ctx.risks_path)
    open_ = t[t["status"] == "Open"].reset_index(drop=True)
    amber, red = t.attrs["amber_from"], t.attrs["red_from"]
    fig = rk.heat_map(open_, f"{ctx.stp.short_name} workforce risks: open risks by likelihood "
                             "and impact", amber, red)
    chart = rpt.figure_html(fig, "scenario_risk_heatmap", rk.heat_alt(open_),
                            f"{source}; analysis/risks.py")
    cols = ["risk_id", "description", "likelihood", "impact", "score", "level", "rag",
            "original_score", "movement", "mitigation", "responsible", "status"]
    table = rpt.table_html(
        t[cols], "scenario_risk_register",
        "Workforce risks by score (likelihood x impact), highest first, with RAG rating",
        labels={"risk_id": "Risk", "description": "Description", "likelihood": "Likelihood",
                "impact": "Impact", "score": "Score", "level": "Level", "rag": "RAG",
                "original_score": "Score when added", "movement": "Movement",
                "mitigation": "Mitigating actions", "responsible": "Responsible",
                "status": "Status"},
        note=f"Source: {source}, transcribed in {_rel(ctx.risks_path)}. Current scores are the "
             f"latest review's. RAG: {rk.rag_text(amber, red)}; levels Low 1-3, Moderate 4-6, "
             f"High 8-12, Significant 15-25 (the {rk.BANDS_SOURCE}).")
    return html_block(_bullets(rk.summary(t))) + chart + table
