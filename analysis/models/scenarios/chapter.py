"""The numbers of the scenario chapter (notebook 03) for one area, computed once.

:func:`load_context` reads the scenario file that applies to the area (``scenarios:`` section of
``config/config.yaml``: LLR areas use ``scenarios/llr.yaml``, Black Country areas
``scenarios/black_country.yaml``), runs both calculation modes, the sensitivity, the Monte Carlo
and the funding and risk files where the config names them. The other functions turn the result
into the frames the chapter shows (:mod:`analysis.report.scenarios` only formats them).

CCG reports show the STP model (the published scenarios are STP figures; no plan splits the
over-55s, trainees or recruits by CCG) and add one indicative frame scaling it by the CCG's share
of the STP workforce (:func:`~analysis.models.scenarios.supply.area_scaled`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import ROOT, Area, project_path, registry, resolve_area, settings
from analysis.models import funding as fd
from analysis.models import risks as rk
from analysis.models.scenarios import baseline as bl
from analysis.models.scenarios import stockflow as sf
from analysis.models.scenarios.demand import demand_options, implied_demand, target_wte
from analysis.models.scenarios.finance import gap_cost, unit_costs
from analysis.models.scenarios.loader import load_scenario_file
from analysis.models.scenarios.params import (
    COMPONENT_LABELS,
    COMPONENTS,
    PARAMETERS,
    Scenario,
    ScenarioSet,
    add_years,
)
from analysis.models.scenarios.supply import (
    annual_paths,
    params_frame,
    project,
    retirement_cases,
    run,
)
from analysis.models.scenarios.uncertainty import MonteCarlo, monte_carlo, tornado
from analysis.settings import Settings

_TINY = 1e-12  # a component smaller than this is "not in play" and left out of the tables


@dataclass
class ScenarioContext:
    """Everything the chapter shows for one area."""

    area: Area
    stp: Area
    sset: ScenarioSet | None
    draws: int = 10_000
    seed: int = 0
    uncertainty_mode: str = "annual"
    published: pd.DataFrame | None = None
    annual: pd.DataFrame | None = None
    paths: pd.DataFrame | None = None
    target: float = math.nan
    mc: dict[str, MonteCarlo] | None = None
    tornado: pd.DataFrame | None = None
    funding_path: Path | None = None
    funding: pd.DataFrame | None = None
    risks_path: Path | None = None
    risks: pd.DataFrame | None = None
    data: bl.DataBaseline | None = None
    stock: sf.Setup | None = None
    stock_horizon: int = 0
    stock_run: dict | None = None
    stock_demand: np.ndarray | None = None
    stock_mc: sf.StockFlowMC | None = None
    stock_tornado: pd.DataFrame | None = None
    stock_levers: dict | None = None
    profile_note: str = ""
    patients_note: str = ""

    @property
    def has_model(self) -> bool:
        """Whether a scenario file applies to the area."""
        return self.sset is not None

    @property
    def headline(self) -> Scenario:
        """The file's headline scenario."""
        return self.sset.scenario(self.sset.headline)

    @property
    def deterministic(self) -> pd.DataFrame:
        """The run in the uncertainty mode (what the Monte Carlo draws vary around)."""
        return self.annual if self.uncertainty_mode == "annual" else self.published


def scenario_file_for(area: Area, cfg: Settings | None = None,
                      kind: str = "files") -> Path | None:
    """The file of a kind that applies to an area (its STP's), or None.

    ``kind`` is the key under ``scenarios:`` in the config: ``files`` (scenario YAML),
    ``funding`` (funding trajectories CSV) or ``risks`` (risk register CSV).
    """
    rel = getattr((cfg or settings()).scenarios, kind).get(area.stp)
    return None if rel is None else project_path(rel)


def load_context(area_slug: str, area_kind: str | None = None, scenario_file=None,
                 horizon_years: int | None = None, draws: int | None = None,
                 seed: int | None = None, inputs: dict | None = None) -> ScenarioContext:
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
    inputs : dict, optional
        Input path overrides: ``returns_folder`` and ``practice_reference`` (the data's
        baseline) and ``patients_by_age`` (a Patients Registered at a GP Practice quinary age
        file: demand by age for the area's practices).
    """
    conf = settings().scenarios
    area = resolve_area(area_slug, area_kind)
    stp = resolve_area(area.stp, "stp")
    path = project_path(scenario_file) if scenario_file else scenario_file_for(area)
    ctx = ScenarioContext(area, stp, None, int(draws or conf.draws),
                          int(conf.seed if seed is None else seed), conf.uncertainty_mode)
    ctx.funding_path = scenario_file_for(area, kind="funding")
    if ctx.funding_path is not None:
        ctx.funding = fd.funding_table(fd.read_funding(ctx.funding_path),
                                       total_label=f"All {stp.short_name} CCGs")
    ctx.risks_path = scenario_file_for(area, kind="risks")
    if ctx.risks_path is not None:
        ctx.risks = rk.rag_table(rk.read_register(ctx.risks_path))
    if path is None:
        return ctx
    ctx.data = bl.data_baseline(stp.slug, "stp", inputs)
    data = None if ctx.data is None or not ctx.data.complete else {
        "baseline_wte": (ctx.data.gp_wte, f"Data: {ctx.data.source}"),
        "over55_wte": (ctx.data.over55_wte, f"Data: {ctx.data.source}")}
    stated = load_scenario_file(path, data)
    sset = stated.with_horizon(int(horizon_years)) if horizon_years else stated
    ctx.sset = sset
    ctx.published = run(sset, "published")
    ctx.annual = run(sset, "annual")
    ctx.paths = annual_paths(sset)
    ctx.target = target_wte(sset)
    rounding = sset.rounding if ctx.uncertainty_mode == "published" else "none"
    ctx.mc = {s.id: monte_carlo(s.params, s.uncertainty, sset.horizon_years, ctx.target,
                                ctx.draws, ctx.seed, ctx.uncertainty_mode, rounding)
              for s in sset.scenarios}
    h = ctx.headline
    ctx.tornado = tornado(h.params, h.uncertainty, sset.horizon_years, ctx.uncertainty_mode,
                          rounding)
    run_stockflow(ctx, stated, (inputs or {}).get("patients_by_age"))
    return ctx


def area_patients(ctx: ScenarioContext, path, rates: sf.Rates) -> np.ndarray | None:
    """Patients by demand band for the area's practices from a quinary age file; None (with
    ``ctx.patients_note`` saying why) when there is no file or none of its practices is in
    it."""
    if path is None:
        ctx.patients_note = ("no patients-by-age file for the area: England shares by age "
                             "(assumption A40)")
        return None
    from analysis.io.patients import read_patients_quinary

    q = read_patients_quinary(project_path(path))
    try:
        pats = sf.patients_by_band(q, rates, ctx.data.practices if ctx.data else None)
    except ValueError as exc:
        ctx.patients_note = f"England shares by age (assumption A40): {exc}"
        return None
    ctx.patients_note = (f"patients by age of the area's practices, {q.attrs.get('period')} "
                         f"({q.attrs.get('source')})")
    return pats


def run_stockflow(ctx: ScenarioContext, stated: ScenarioSet, patients_file=None) -> None:
    """The data's baseline and the stock-flow model of the headline scenario: its run, demand,
    correlated Monte Carlo, tornado and levers (``stated`` is the file at its own horizon: the
    target is its own there and its flows are per year of it)."""
    if ctx.data is not None and ctx.data.wte_by_band.loc[list(bl.BANDS)].sum() > 0:
        shares = bl.band_shares(ctx.data)
        ctx.profile_note = (f"age profile of the GPs in the {ctx.data.source}"
                            + (f" ({ctx.data.notes[0]})" if ctx.data.notes else ""))
    else:
        shares = np.full(len(bl.BANDS), 1 / len(bl.BANDS))
        ctx.profile_note = "no age profile in the data: equal shares by band"
    rates = sf.load_rates()
    su = sf.setup(stated.scenario(stated.headline), shares, target_wte(stated),
                  stated.horizon_years, rates, area_patients(ctx, patients_file, rates))
    h = ctx.sset.horizon_years
    ctx.stock, ctx.stock_horizon = su, h
    ctx.stock_run, ctx.stock_demand = sf.run_setup(su, h)
    ctx.stock_mc = sf.monte_carlo(su, h, ctx.draws, ctx.seed)
    ctx.stock_tornado = sf.tornado(su, h)
    ctx.stock_levers = {k: sf.solve_extra(su, h, k) for k in sf.SOLVE_LEVERS}


def baseline_frame(ctx: ScenarioContext) -> pd.DataFrame | None:
    """The scenario file's baseline beside the data's own (:func:`baseline.comparison`); None
    when the area has no returns. Where the returns cover only part of the STP, the WTE
    differences are left blank (only the share aged 55+ compares)."""
    if ctx.data is None:
        return None
    stated = {k: ctx.headline.params[k] for k in ("baseline_wte", "over55_wte")
              if k in ctx.sset.stated}
    out = bl.comparison(stated, ctx.data)
    if not ctx.data.complete:  # part of the STP: not comparable with an STP figure
        counts = ~out["item"].str.startswith("Share")
        out.loc[counts, "difference"] = np.nan
        out.loc[counts, "used"] = f"stated ({'; '.join(ctx.data.notes)})"
    return out


def age_profile_frame(ctx: ScenarioContext) -> pd.DataFrame | None:
    """GP WTE by five-year band in the data, its share of the WTE of known age, and the WTE by
    band at the horizon in the stock-flow model (headline scenario)."""
    if ctx.data is None or ctx.stock_run is None:
        return None
    by = ctx.data.wte_by_band
    known = by.loc[list(bl.BANDS)]
    end = ctx.stock_run["by_band"][0]
    return pd.DataFrame({"age_band": [*bl.BANDS, bl.UNKNOWN], "wte": by.to_numpy(),
                         "share": [*(known / known.sum()).to_numpy(), np.nan],
                         "horizon_wte": [*end, np.nan]})


def staff_mix_frame(ctx: ScenarioContext) -> pd.DataFrame | None:
    """WTE by staff group in the data and its share of all WTE."""
    if ctx.data is None:
        return None
    m = ctx.data.staff_mix
    return pd.DataFrame({"staff_group": m.index, "wte": m.to_numpy(),
                         "share": (m / m.sum()).to_numpy()})


def stock_summary(ctx: ScenarioContext) -> dict:
    """Headline figures of the stock-flow model: position, demand at the start and horizon,
    gap, probability of meeting demand, and the levers' answers."""
    d = np.atleast_2d(ctx.stock_demand)[0]
    pos = float(ctx.stock_run["position"][0])
    return {"position": pos, "demand_start": float(d[0]), "demand": float(d[-1]),
            "gap": float(d[-1] - pos), "p_meet": ctx.stock_mc.p_meet,
            "horizon": ctx.stock_horizon, "levers": dict(ctx.stock_levers),
            "p5": float(np.percentile(ctx.stock_mc.supply[:, -1], 5)),
            "p95": float(np.percentile(ctx.stock_mc.supply[:, -1], 95))}


def drivers_frame(ctx: ScenarioContext) -> pd.DataFrame:
    """What drives the gap (:func:`stockflow.decomposition`): items that are not zero."""
    dec = sf.decomposition(ctx.stock_run, ctx.stock_demand)
    keep = dec[dec["wte"].abs() > 0.05].reset_index(drop=True)
    keep.attrs.update(dec.attrs)
    return keep


def stock_fan_frame(ctx: ScenarioContext) -> pd.DataFrame:
    """Stock-flow Monte Carlo bands by year with their dates and the median demand."""
    b = ctx.stock_mc.bands()
    b.insert(1, "date", [add_years(ctx.sset.start, int(y)) for y in b["year"]])
    return b


def rel_path(path: Path | None) -> str:
    """A path as the report names it: relative to the project, else its file name."""
    if path is None:
        return ""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


# -------------------------------------------------------------------------------------------
# Frames the chapter shows
# -------------------------------------------------------------------------------------------


def in_play(values: pd.DataFrame | pd.Series) -> bool:
    """Whether a component is not zero in at least one scenario."""
    return bool((np.abs(np.asarray(values, dtype=float)) > _TINY).any())


def components_frame(ctx: ScenarioContext, mode: str = "published") -> pd.DataFrame:
    """Baseline, components, position, target and gap: rows are items, columns scenarios.

    Components that are zero in every scenario are left out.
    """
    res = ctx.published if mode == "published" else ctx.annual
    items = ["baseline", *COMPONENTS, "position", "demand", "gap"]
    labels = {"baseline": "Baseline WTE", **COMPONENT_LABELS,
              "position": f"Position in {ctx.sset.horizon_label}", "demand": "Target (demand)",
              "gap": "Gap (target - position; negative = surplus)"}
    df = res[items].T
    df.columns = list(res.index)
    keep = [i for i in items if i not in COMPONENTS or in_play(df.loc[i])]
    df = df.loc[keep]
    df.insert(0, "item", [labels[i] for i in keep])
    return df.reset_index(drop=True)


def annual_supply_frame(ctx: ScenarioContext) -> pd.DataFrame:
    """Annual-mode supply at each year end (``y0`` .. ``yN``), the published position and the
    difference; ``attrs['dates']`` holds the date of each ``y`` column."""
    s = ctx.sset
    wide = ctx.paths.pivot(index="scenario", columns="date", values="supply")
    wide = wide.loc[[x.id for x in s.scenarios]]
    dates = list(wide.columns)
    wide = wide.rename(columns={d: f"y{i}" for i, d in enumerate(dates)})
    wide.insert(0, "scenario", [x.name for x in s.scenarios])
    wide["published"] = ctx.published["position"].to_numpy()
    wide["difference"] = wide[f"y{len(dates) - 1}"] - wide["published"]
    out = wide.reset_index(drop=True)
    out.columns.name = None
    out.attrs["dates"] = dates
    return out


def annual_components_frame(ctx: ScenarioContext) -> pd.DataFrame:
    """Annual-mode components by scenario (those in play) and the position."""
    comp = ctx.annual[["name", *COMPONENTS, "position"]].rename(columns={"name": "scenario"})
    comp = comp.loc[:, [c for c in comp.columns if c not in COMPONENTS or in_play(comp[c])]]
    return comp.reset_index(drop=True)


def mode_differences(ctx: ScenarioContext) -> dict:
    """How far the annual mode is from the published one, for the text between them.

    Returns
    -------
    dict
        ``diff_min``, ``diff_max`` (annual - published position), ``aged_min``, ``aged_max``
        (WTE turning 55 over the horizon, annual mode), ``over55_published`` and
        ``over55_annual`` (over-55 WTE lost by the headline scenario), ``loss_rate_pa``,
        ``cohort_share`` (share of the starting over-55s retiring within the horizon) and
        ``retire_share`` (loss rate x the horizon plus the cohort share).
    """
    s = ctx.sset
    diffs = ctx.annual["position"] - ctx.published["position"]
    aged = project(params_frame(s).to_dict("list"), s.horizon_years, "annual")["aged_into_55"]
    h = ctx.headline
    return {"diff_min": float(diffs.min()), "diff_max": float(diffs.max()),
            "aged_min": float(np.min(aged)), "aged_max": float(np.max(aged)),
            "over55_published": float(-ctx.published.loc[h.id, "over55_change"]),
            "over55_annual": float(-ctx.annual.loc[h.id, "over55_change"]),
            "loss_rate_pa": float(h.params["over55_loss_rate_pa"]),
            "cohort_share": float(h.params["over55_cohort_share"]),
            "retire_share": float(h.params["over55_loss_rate_pa"] * s.horizon_years
                                  + h.params["over55_cohort_share"])}


def demand_gaps(ctx: ScenarioContext) -> pd.DataFrame:
    """Each demand measure at the horizon and the gap to every scenario's published position.

    ``chosen`` is 'yes' for the measure used as the target; ``attrs['sources']`` holds
    (label, source) pairs.
    """
    opts = demand_options(ctx.sset)
    df = opts[["label", "demand_wte"]].copy()
    for sid, r in ctx.published.iterrows():
        df[sid] = df["demand_wte"] - r["position"]
    df["chosen"] = opts["chosen"].map({True: "yes", False: ""})
    df.attrs["sources"] = list(zip(opts["label"], opts["source"], strict=True))
    return df


def hee_cases(ctx: ScenarioContext) -> pd.DataFrame | None:
    """HEE-style retirement cases with supply, demand and gap; None without an implied gap.

    ``attrs`` holds the implied demand (:func:`implied_demand`: ``demand``, ``demand_low``,
    ``demand_high``, ``supply``), the quoted ``gap_wte`` and ``gap_share`` and the ``ratio``
    demand (None when the file has no ratio measure).
    """
    s = ctx.sset
    if "implied_gap" not in s.demand:
        return None
    ig = s.demand["implied_gap"]
    imp = implied_demand(float(ig["gap_wte"]), float(ig["gap_share"]),
                         int(ig.get("share_decimals", 2)))
    pf = params_frame(s)
    shares = (pf["over55_loss_rate_pa"] * s.horizon_years
              + pf["over55_cohort_share"]).to_numpy()
    cases = retirement_cases(float(pf["over55_wte"].iloc[0]), shares, s.horizon_years,
                             s.rounding)
    pub = ctx.published
    df = cases.copy()
    df.insert(0, "scenario", pub["name"].to_numpy())
    df["supply"] = pub["position"].to_numpy()
    df["demand"] = pub["demand"].to_numpy()
    df["gap"] = pub["gap"].to_numpy()
    df["gap_pct"] = pub["gap_pct"].to_numpy()
    ratio = demand_options(s).set_index("method")["demand_wte"].get("ratio")
    df.attrs.update(implied=imp, gap_wte=float(ig["gap_wte"]), gap_share=float(ig["gap_share"]),
                    ratio=None if ratio is None else float(ratio), source=ig.get("source", ""))
    return df


def probability_frame(ctx: ScenarioContext) -> pd.DataFrame:
    """Monte Carlo summary for every scenario: deterministic run, median, 95% range, P(meet)."""
    det = ctx.deterministic
    rows = []
    for s in ctx.sset.scenarios:
        mc = ctx.mc[s.id]
        rows.append({"scenario": s.name, "deterministic": det.loc[s.id, "position"],
                     "median": mc.median, "p2_5": mc.percentile(2.5),
                     "p97_5": mc.percentile(97.5), "p_meet": mc.p_meet})
    return pd.DataFrame(rows)


def fan_frame(ctx: ScenarioContext, sid: str) -> pd.DataFrame:
    """Monte Carlo bands of one scenario by year (:meth:`MonteCarlo.bands`) with their dates."""
    b = ctx.mc[sid].bands()
    b.insert(1, "date", [add_years(ctx.sset.start, int(y)) for y in b["year"]])
    return b


def unit_cost_frame(ctx: ScenarioContext) -> pd.DataFrame:
    """Unit costs by route (:func:`unit_costs`), role substitution at the file's ratio (else 3)."""
    s = ctx.sset
    ratio = params_frame(s)["role_substitution_ratio"].dropna()
    return unit_costs(s.finance, float(ratio.iloc[0]) if len(ratio) else 3.0)


def largest_gap(ctx: ScenarioContext) -> dict | None:
    """The scenario with the largest gap (published mode) and its annual cost; None if none is
    short."""
    pub = ctx.published
    short = pub[pub["gap"] > 0]
    if not len(short):
        return None
    worst = short.sort_values("gap").iloc[-1]
    return {"name": worst["name"], "gap": float(worst["gap"]),
            **gap_cost(worst["gap"], ctx.sset.finance)}


def assumptions_frame(ctx: ScenarioContext) -> pd.DataFrame:
    """Every parameter, its value in each scenario (columns = scenario ids), its sources and the
    headline scenario's uncertainty range."""
    s = ctx.sset
    rows = []
    for name, p in PARAMETERS.items():
        row = {"parameter": p.label}
        for x in s.scenarios:
            row[x.id] = x.params[name]
        srcs = list(dict.fromkeys(x.sources.get(name, "") for x in s.scenarios))
        row["source"] = " | ".join(" ".join(t.split()) for t in srcs if t)
        unc = s.scenario(s.headline).uncertainty.get(name)
        row["range"] = (f"{unc.kind} {unc.low:g}-{unc.high:g}"
                        f"{' x value' if unc.relative else ''}: {unc.source}" if unc else "")
        rows.append(row)
    return pd.DataFrame(rows)


# -------------------------------------------------------------------------------------------
# Funding trajectories and the risk register
# -------------------------------------------------------------------------------------------


def funding_names(ctx: ScenarioContext) -> dict[str, str]:
    """CCG label in the funding file -> the registry's short name (the label if unknown)."""
    reg = registry()
    f = ctx.funding
    return {c: (reg[a].short_name if a in reg else c)
            for c, a in zip(f["ccg"], f["area"], strict=True)}


def funding_own_ccg(ctx: ScenarioContext) -> str | None:
    """The funding file's label of the report's own CCG (None for an STP report)."""
    f = ctx.funding
    own = f.loc[f["area"] == ctx.area.slug, "ccg"]
    return own.iloc[0] if ctx.area.kind == "ccg" and len(own) else None


def funding_frame(ctx: ScenarioContext) -> pd.DataFrame:
    """The funding table by CCG (file order, then the total) and year, CCGs by short name."""
    f = ctx.funding
    order = list(dict.fromkeys(f["ccg"]))  # the CCGs in file order, then the total
    df = f.assign(_c=f["ccg"].map(order.index)).sort_values(["_c", "year"], kind="stable")
    df["ccg"] = df["ccg"].map(funding_names(ctx))
    cols = ["ccg", "year", "allocation_k", "cocommissioning_k", "cocommissioning_share",
            "discretionary_k", "spend_k", "share", "shortfall_minimum_k",
            "shortfall_aspiration_k"]
    return df[cols].reset_index(drop=True)
