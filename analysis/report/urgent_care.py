"""The urgent-care chapter (notebook 04): load once, then narrative, tables and charts.

:func:`load_context` reads and validates the inputs for an area and computes every profile;
each other function returns HTML or Markdown for one part of the chapter, so the notebook is a
sequence of short calls. Case-level rows never reach the report: tables and charts are
aggregates, and counts of fewer than five cases are suppressed (shown as '*').

Inputs (keys ``uc_cases``, ``uc_iucadc``, ``uc_ecds``) come from the notebook's ``inputs``
parameter, else from ``urgent_care: inputs:`` in ``config/config.yaml``, else from the demo
files (built on first use). ``uc_cases: None`` runs the chapter without a case extract:
hour-of-week profiles are then modelled from the contract's IUC ADC volumes and mix, and the
report says so.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.config import DATA_DEMO, ROOT, Area, load_config, registry, resolve_area
from analysis.demo import urgent_care as demo
from analysis.models.urgent_care import core as uc
from analysis.report import disclosure as disclosure
from analysis.report.rendering import GREY, PALETTE, Report, fmt_dp, fmt_int
from analysis.util import provenance as provenance
from analysis.util.cache import as_records, cached_call, cached_read
from analysis.util.errors import GPWorkforceError

INPUT_KEYS = ("uc_cases", "uc_iucadc", "uc_ecds")
INPUT_LABELS = {"uc_cases": "Case-level IUCS extract", "uc_iucadc": "IUC ADC (NHS England)",
                "uc_ecds": "A&E attendances by time of day (NHS England)"}
OPTIONS = {
    "A: IUCS-led": {"iucs": 5, "ed": 2, "frailty": 1, "paediatrics": 1, "admin": 1},
    "B: Balanced rotation": {"iucs": 3, "ed": 2, "frailty": 2, "paediatrics": 2, "admin": 1},
    "C: Hospital-led": {"iucs": 2, "ed": 3, "frailty": 2, "paediatrics": 2, "admin": 1},
}
SETTING_COLOURS = {"iucs": PALETTE[0], "ed": PALETTE[5], "frailty": PALETTE[2],
                   "paediatrics": PALETTE[3], "admin": GREY}
SHORT = {"iucs": "IUCS", "ed": "ED", "frailty": "Frailty", "paediatrics": "Paeds",
         "admin": "Admin"}
SUPPRESSED = "*"
SUPPRESSION_NOTE = (f"* fewer than {uc.SMALL_CELL} cases: suppressed, with the figures "
                    "derived from them.")


class UrgentCareError(GPWorkforceError):
    """The chapter cannot run with these inputs (the message says why)."""


# =============================================================================================
# Loading
# =============================================================================================
@dataclass
class UrgentCareContext:
    """Inputs, parameters and every computed table of one area's urgent-care chapter."""

    area: Area
    stp: Area
    paths: dict[str, Path | None]
    start: pd.Timestamp
    end: pd.Timestamp
    cases: pd.DataFrame | None
    cases_source: str  # 'extract', 'modelled' or 'none'
    adc: pd.DataFrame | None
    ecds: pd.DataFrame | None
    contract: tuple[str, str] | None
    region: tuple[str, str] | None
    staffing_params: uc.StaffingParams
    rules: uc.JobPlanRules
    costs: uc.CostParams
    options: dict
    ed_scale: float | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        c = self.cases
        has = c is not None and len(c) > 0
        self.profile_cases = uc.hour_of_week_profile(c, "cases", (10, 50, 90), self.start,
                                                     self.end) if has else None
        self.profile_minutes = uc.hour_of_week_profile(c, "minutes", (10, 50, 90), self.start,
                                                       self.end) if has else None
        self.demand_plan = uc.setting_demand(c, self.ecds, self.staffing_params, self.ed_scale,
                                             self.start, self.end, stat="plan")
        self.demand_mean = uc.setting_demand(c, self.ecds, self.staffing_params, self.ed_scale,
                                             self.start, self.end, stat="mean")
        self.staff = uc.setting_staffing(self.demand_plan, self.staffing_params)
        self.staff_summary = uc.staffing_summary(self.staff)
        # workload in clinician-hours per hour: comparable across settings
        self.workload = pd.DataFrame(index=self.demand_plan.index)
        for s, p in self.staffing_params.settings.items():
            if s in self.demand_plan and self.demand_plan[s].notna().any():
                lo, hi = p.open_hours
                hour = np.arange(uc.HOURS_PER_WEEK) % 24
                self.workload[s] = np.where((hour >= lo) & (hour < hi),
                                            self.demand_plan[s].fillna(0) * p.aht_minutes / 60,
                                            0.0)
        self.plans, self.plan_errors = {}, {}
        for name, quotas in self.options.items():
            q = _available_quotas(quotas, list(self.workload.columns))
            if q is None:
                self.plan_errors[name] = "no setting has demand data"
                continue
            try:
                self.plans[name] = cached_call(
                    "job_plan", [self.workload, q, self.rules],
                    lambda q=q: uc.generate_job_plan(self.workload, q, self.rules),
                    dump=as_records, load=lambda rows: [uc.Session(**r) for r in rows])
            except uc.JobPlanError as exc:
                self.plan_errors[name] = str(exc)

    @property
    def has_cases(self) -> bool:
        return self.cases is not None and len(self.cases) > 0


def _available_quotas(quotas: dict, available: list[str]) -> dict | None:
    """Move sessions of settings without data to the first available of IUCS, ED, ..."""
    if not available:
        return None
    out = {k: v for k, v in quotas.items() if k == "admin" or k in available}
    spare = sum(v for k, v in quotas.items() if k != "admin" and k not in available)
    if spare:
        first = next(s for s in uc.SETTINGS if s in available)
        out[first] = out.get(first, 0) + spare
    return out


def _resolve_paths(inputs: dict | None, cfg: dict) -> dict[str, Path | None]:
    paths = {}
    for key in INPUT_KEYS:
        if inputs is not None and key in inputs:
            value = inputs[key]
        elif key in ((cfg.get("urgent_care") or {}).get("inputs") or {}):
            value = cfg["urgent_care"]["inputs"][key]
        else:
            value = DATA_DEMO / demo.FILES[key]
        if value is None:
            paths[key] = None
        else:
            p = Path(value)
            paths[key] = p if p.is_absolute() else ROOT / p
    demo_paths = [p for p in paths.values() if p is not None and p.parent == DATA_DEMO]
    if any(not p.exists() for p in demo_paths):
        demo.build(DATA_DEMO)
    return paths


def load_context(area_slug: str, area_kind: str | None = None, inputs: dict | None = None,
                 period: dict | None = None, contract_code: str | None = None,
                 area_codes: list[str] | None = None, targets: dict | None = None,
                 staffing: dict | None = None, rules: dict | None = None,
                 costs: dict | None = None, options: dict | None = None,
                 seed: int = 0) -> UrgentCareContext:
    """Read and validate the chapter's inputs for an area and compute its profiles.

    Parameters
    ----------
    area_slug, area_kind
        CCG or STP from the registry.
    inputs : dict, optional
        ``uc_cases``, ``uc_iucadc``, ``uc_ecds`` paths (relative to the project root or
        absolute); ``None`` for a key leaves that input out.
    period : dict, optional
        ``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}``; default: ``urgent_care: period:`` in
        the config when the extract is the configured one, else the extract's own dates.
    contract_code : str, optional
        IUC ADC contract area of the report's area; default: ``urgent_care: contracts:`` in
        the config for its STP.
    area_codes : list of str, optional
        Values of the extract's ``area`` column that make up the area (postcode districts,
        say); default: the CCG codes of the area.
    targets : dict, optional
        Setting -> overrides of :class:`uc.SettingParams` (``aht_minutes``,
        ``target_minutes``, ``service_level``, ``open_hours``).
    staffing, rules, costs : dict, optional
        Overrides of :class:`uc.StaffingParams`, :class:`uc.JobPlanRules`,
        :class:`uc.CostParams`.
    options : dict, optional
        Job-plan option name -> sessions per setting (``iucs``, ``ed``, ``frailty``,
        ``paediatrics``, ``admin``).
    """
    cfg = load_config()
    area = resolve_area(area_slug, area_kind, cfg)
    stp = registry(cfg)[area.stp]
    paths = _resolve_paths(inputs, cfg)
    section = cfg.get("urgent_care") or {}
    notes: list[str] = []
    adc = uc.read_iucadc(paths["uc_iucadc"]) if paths["uc_iucadc"] else None
    ecds = uc.read_ecds_time_of_day(paths["uc_ecds"]) if paths["uc_ecds"] else None
    # contract area and region
    code = contract_code or (section.get("contracts") or {}).get(stp.slug) or \
        demo.DEMO_CONTRACTS.get(stp.slug, (None,))[0]
    contract = region = None
    if adc is not None and code is not None:
        rows = adc[adc["contract_code"] == code]
        if len(rows):
            contract = (code, str(rows["contract_name"].iloc[0]) or code)
            if rows["region_code"].iloc[0]:
                region = (str(rows["region_code"].iloc[0]), str(rows["region_name"].iloc[0]))
        else:
            notes.append(f"The IUC ADC file has no rows for contract area {code}; the area's "
                         "own IUC ADC figures are not shown.")
    # cases
    if period is None and inputs is None and section.get("period"):
        period = section["period"]
    start = pd.Timestamp(str(period["start"])) if period and period.get("start") else None
    end = pd.Timestamp(str(period["end"])) if period and period.get("end") else None
    if start is not None and end is not None and end < start:
        raise UrgentCareError(f"period: end {end.date()} is before start {start.date()}")
    cases, source = None, "none"
    if paths["uc_cases"]:
        allc = cached_read(paths["uc_cases"], uc.read_iucs_cases)
        codes = area_codes or list(area.members)
        cases = uc.filter_cases(allc, codes, start, end)
        if cases.empty:
            found = ", ".join(sorted(map(str, allc["area"].unique()[:8])))
            notes.append(
                f"The case-level extract has no cases for {area.short_name} "
                f"({', '.join(codes)}) in the period (its area values include {found}), so "
                "the IUCS profiles, frailty and paediatric flows are not shown for this area.")
            cases = None
        else:
            source = "extract"
    elif contract is not None:
        wide = uc.iucadc_wide(adc[adc["contract_code"] == contract[0]])
        c01 = wide["C01"].dropna() if "C01" in wide else pd.Series(dtype=float)
        if len(c01):
            months = c01.index.get_level_values("period")
            lo = start or months.min()
            hi = end or (months.max() + pd.offsets.MonthEnd(0))
            days = (hi - lo).days + 1
            per_day = float(c01.sum()) / sum(pd.Period(m, "M").days_in_month for m in months)
            shares = uc.iucadc_shares(adc, [contract[0]])
            cases = demo.simulate_cases({contract[0]: per_day * days}, lo, hi, seed=seed,
                                        targets=shares)
            source = "modelled"
            notes.append(
                f"No case-level extract was given: hour-of-week, seasonal and age profiles are "
                f"modelled (the project's demand model, scaled to contract area "
                f"{contract[0]}'s IUC ADC calls triaged, {fmt_int(per_day)} a day, and "
                "calibrated to its reported mix). They show a typical shape, not this "
                "area's observed one.")
    if cases is None and not paths["uc_cases"]:
        notes.append("Neither a case-level extract nor IUC ADC rows for the area's contract "
                     "were given, so the IUCS profiles, frailty and paediatric flows are not "
                     "shown.")
    if cases is not None and len(cases):
        s, e = uc.case_period(cases)
        start, end = start or s, end or e
    elif start is None or end is None:
        start = start or pd.Timestamp(demo.START)
        end = end or pd.Timestamp(demo.END)
    # parameters
    settings = dict(uc.DEFAULT_SETTING_PARAMS)
    if cases is not None and cases["clinician_assessed"].any():
        settings["iucs"] = replace(settings["iucs"],
                                   aht_minutes=float(cases["clinical_minutes"].mean()))
    for s, over in (targets or {}).items():
        if s not in settings:
            raise UrgentCareError(f"targets: unknown setting {s!r}; expected one of "
                                  f"{', '.join(settings)}")
        settings[s] = replace(settings[s], **{k: (tuple(v) if k == "open_hours" else v)
                                              for k, v in over.items()})
    sp = uc.StaffingParams(**{**(staffing or {}), "settings": settings})
    ed_scale = sp.ed_scale
    if ed_scale is None and cases is not None and len(cases):
        days = (end - start).days + 1
        calls = len(cases) * 365 / days
        if contract is not None:
            w = uc.iucadc_wide(adc[adc["contract_code"] == contract[0]])
            if {"A01", "C01"} <= set(w.columns) and w["C01"].sum() > 0:
                calls *= float(w["A01"].sum() / w["C01"].sum())
        ed_scale = calls / uc.ENGLAND_CALLS_2024_25
    elif ed_scale is None and contract is not None:
        a01 = uc.iucadc_calls(adc, [contract[0]])
        if len(a01.dropna()):
            ed_scale = float(a01.mean()) * 12 / uc.ENGLAND_CALLS_2024_25
    if ecds is not None and not ed_scale:
        notes.append("The area's share of England's A&E attendances could not be estimated "
                     "(no 111 volumes); set staffing={'ed_scale': ...} to include ED.")
    try:
        plan_rules = uc.JobPlanRules(**(rules or {}))
        cost_params = uc.CostParams(**(costs or {}))
    except TypeError as exc:
        raise UrgentCareError(f"unknown parameter: {exc}") from None
    return UrgentCareContext(area=area, stp=stp, paths=paths, start=start, end=end,
                             cases=cases, cases_source=source, adc=adc, ecds=ecds,
                             contract=contract, region=region, staffing_params=sp,
                             rules=plan_rules, costs=cost_params,
                             options=options or dict(OPTIONS), ed_scale=ed_scale, notes=notes)


# =============================================================================================
# Formatting helpers
# =============================================================================================
def _pct(decimals: int = 1):
    def f(x):
        return "" if x is None or pd.isna(x) else f"{float(x) * 100:.{decimals}f}%"
    return f


def _supp(f):
    """Formatter showing suppressed (missing) case-derived values as '*'."""
    def g(x):
        return SUPPRESSED if x is None or pd.isna(x) else f(x)
    return g


def _money(x) -> str:
    if x is None or pd.isna(x):
        return ""
    return f"-£{-x:,.0f}" if x < 0 else f"£{x:,.0f}"


def _date(ts) -> str:
    return pd.Timestamp(ts).strftime("%-d %B %Y")


def _day_axis(ax, ymax=None):
    for d in range(1, 7):
        ax.axvline(d * 24 - 0.5, color="#BBBBBB", linewidth=0.8)
    ax.set_xticks([d * 24 + 12 for d in range(7)], uc.DAY_SHORT)
    ax.set_xlim(-0.5, uc.HOURS_PER_WEEK - 0.5)
    ax.spines[["top", "right"]].set_visible(False)


def _source_cases(ctx) -> str:
    if ctx.cases_source == "extract":
        return f"case-level IUCS extract ({Path(ctx.paths['uc_cases']).name})"
    return "modelled from IUC ADC volumes (no case-level extract)"


# =============================================================================================
# Chapter sections
# =============================================================================================
def title(ctx) -> str:
    """Chapter heading and what it rests on (Markdown)."""
    if ctx.cases_source == "extract":
        src = f"a case-level IUCS extract ({fmt_int(len(ctx.cases))} cases)"
    elif ctx.cases_source == "modelled":
        src = "IUC ADC volumes with a modelled hour-of-week shape (no case extract)"
    else:
        src = "published tables only (no case-level data for this area)"
    demo_note = ""
    if any(p is not None and p.parent == DATA_DEMO for p in ctx.paths.values()):
        demo_note = " Demo inputs are synthetic and describe no real patient or service."
    lines = [
        f"## Urgent care: demand and a rotational GP post, {ctx.area.name}",
        "",
        "When and where would an Extended Portfolio GP, rotating across the Integrated Urgent "
        "Care Service (NHS 111 and its clinical assessment service) and hospital teams (ED, "
        "frailty, paediatrics), be most useful, and what does the salaried role cost against "
        "sessional and locum cover?",
        "",
        f"Period {_date(ctx.start)} to {_date(ctx.end)}; based on {src}." + demo_note,
    ]
    lines += [f"\n> {n}" for n in ctx.notes]
    return "\n".join(lines)


def key_figures(ctx) -> str:
    """Summary bullets (Markdown)."""
    out = ["### Key figures (urgent care)", ""]
    if ctx.has_cases:
        c = ctx.cases
        weeks = ((ctx.end - ctx.start).days + 1) / 7
        mix = uc.case_mix(c)
        prof = ctx.profile_cases
        peak = prof.loc[prof["p90"].idxmax()]
        out.append(f"- **{fmt_int(len(c) / weeks)} cases a week** reach clinical triage; "
                   f"**{mix['assessed']:.0%}** are assessed by a clinician, for an average "
                   f"of **{c['clinical_minutes'].mean():.1f} minutes** of clinical contact.")
        out.append(f"- The busiest hour of the week is **{peak['day']} {int(peak['hour']):02d}:00**"
                   f" (mean {peak['mean']:.0f} cases, {peak['p90']:.0f} in one week in ten).")
        ooh = uc.out_of_hours(c["call_start"]).mean()
        out.append(f"- **{ooh:.0%}** of cases arrive when GP practices are closed (weekday "
                   "evenings and nights, weekends, bank holidays).")
    if not ctx.staff_summary.empty:
        s = ctx.staff_summary.set_index("setting")
        parts = [f"{uc.SETTINGS[k]} {fmt_int(v)}" for k, v in s["rostered_hours"].items()]
        out.append("- Rostered clinician hours a week (Erlang C): " + "; ".join(parts) + ".")
    if ctx.plans:
        best = plan_comparison(ctx).sort_values("mean_peak_covered", ascending=False).iloc[0]
        out.append(f"- Of the job plans compared, **{best['option']}** covers the most peak "
                   f"demand: on average **{best['mean_peak_covered']:.0%}** of each setting's "
                   "peak-hour demand.")
    sal = uc.salaried_cost(ctx.costs)
    sessional = ctx.costs.sessional_rate_per_hour * ctx.costs.session_hours
    out.append(f"- The salaried role costs **{_money(sal['total'])} a year**, "
               f"**{_money(sal['cost_per_clinical_session'])} per clinical session** "
               f"delivered, against {_money(sessional)} for a sessional GP.")
    return "\n".join(out)


def _block_table(ctx) -> pd.DataFrame:
    """Mean and 90th-percentile cases per hour by day and time block (suppressed)."""
    pc, pm = ctx.profile_cases, ctx.profile_minutes
    blocks = [("00:00-08:00", 0, 8), ("08:00-18:00", 8, 18), ("18:00-24:00", 18, 24)]
    rows = []
    for d in range(7):
        for label, lo, hi in blocks:
            m = (pc["dow"] == d) & (pc["hour"] >= lo) & (pc["hour"] < hi)
            rows.append({"day": uc.DAYS[d], "hours": label,
                         "cases_in_period": pc.loc[m, "cases_total"].sum(),
                         "cases_per_hour_mean": pc.loc[m, "mean"].mean(),
                         "cases_per_hour_p90": pc.loc[m, "p90"].mean(),
                         "minutes_per_hour_mean": pm.loc[m, "mean"].mean(),
                         "minutes_per_hour_p90": pm.loc[m, "p90"].mean()})
    df = pd.DataFrame(rows)
    return uc.suppress_small(df, ["cases_in_period"], dependent={"cases_in_period": [
        "cases_per_hour_mean", "cases_per_hour_p90", "minutes_per_hour_mean",
        "minutes_per_hour_p90"]})


def _heat(ax, mat: pd.DataFrame, title: str, cmap: str, label: str):
    im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap=cmap)
    ax.set_yticks(range(7), mat.index)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    ax.set_xlabel("Hour of day")
    ax.set_title(title, loc="left", fontsize=10)
    cb = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cb.set_label(label, fontsize=8)


def heatmaps(ctx, rpt: Report) -> str:
    """Hour-of-week heat maps of cases and clinical minutes, mean and 90th percentile."""
    if not ctx.has_cases:
        return "<p>No case-level data: hour-of-week heat maps are not available.</p>"
    pc, pm = ctx.profile_cases, ctx.profile_minutes
    small = (pc["cases_total"] > 0) & (pc["cases_total"] < max(disclosure.threshold(), 1))
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.2))
    for ax, prof, col, ttl, cmap, lab in (
            (axes[0, 0], pc, "mean", "Cases per hour, mean week", "viridis", "cases"),
            (axes[0, 1], pc, "p90", "Cases per hour, 90th percentile week", "viridis", "cases"),
            (axes[1, 0], pm, "mean", "Clinical minutes per hour, mean week", "cividis",
             "minutes"),
            (axes[1, 1], pm, "p90", "Clinical minutes per hour, 90th percentile week",
             "cividis", "minutes")):
        mat = uc.as_day_hour(prof.assign(**{col: prof[col].mask(small)}), col)
        _heat(ax, mat, ttl, cmap, lab)
    n_weeks = int(pc["weeks"].iloc[0])
    fig.suptitle(f"NHS 111 demand by hour of week, {ctx.area.short_name} ({n_weeks} complete "
                 "weeks)", x=0.01, ha="left", fontsize=12)
    fig.tight_layout(rect=(0, 0.04, 1, 0.96))
    busiest = pc.loc[pc["mean"].idxmax()]
    alt = (f"Four heat maps, days of the week by hour of day: cases and clinical minutes per "
           f"hour, mean and 90th percentile across {n_weeks} weeks. Busiest hour "
           f"{busiest['day']} {int(busiest['hour']):02d}:00 with {busiest['mean']:.0f} cases on "
           f"average; quietest hours overnight on weekdays.")
    fig_html = rpt.figure_html(fig, "uc_heatmap_hour_of_week", alt, _source_cases(ctx))
    full = pc[["day", "hour", "cases_total", "mean", "p10", "p50", "p90"]].rename(columns={
        "cases_total": "cases_in_period", "mean": "cases_mean", "p10": "cases_p10",
        "p50": "cases_p50", "p90": "cases_p90"})
    full = full.assign(minutes_mean=pm["mean"], minutes_p50=pm["p50"], minutes_p90=pm["p90"])
    rpt.save_table(uc.suppress_small(full, ["cases_in_period"], dependent={
        "cases_in_period": [c for c in full.columns if c not in ("day", "hour",
                                                                 "cases_in_period")]}),
        "uc_hour_of_week")
    f1 = _supp(fmt_dp(1))
    table = rpt.table_html(
        _block_table(ctx), "uc_hour_of_week_blocks",
        f"Cases and clinical minutes per hour by day and time of day, {ctx.area.short_name}",
        formats={"cases_in_period": _supp(fmt_int), "cases_per_hour_mean": f1,
                 "cases_per_hour_p90": f1, "minutes_per_hour_mean": _supp(fmt_int),
                 "minutes_per_hour_p90": _supp(fmt_int)},
        labels={"day": "Day", "hours": "Hours", "cases_in_period": "Cases in period",
                "cases_per_hour_mean": "Cases/hour (mean)",
                "cases_per_hour_p90": "Cases/hour (90th pct)",
                "minutes_per_hour_mean": "Clinical min/hour (mean)",
                "minutes_per_hour_p90": "Clinical min/hour (90th pct)"},
        note=f"Source: {_source_cases(ctx)}. Percentiles are across complete weeks, hour by "
             "hour, then averaged over the block; the full hour-of-week table is "
             "tables/uc_hour_of_week.csv. " + SUPPRESSION_NOTE)
    return fig_html + table


def seasonality(ctx, rpt: Report) -> str:
    """Cases per day by month and on bank holidays (chart and tables)."""
    if not ctx.has_cases:
        return "<p>No case-level data: seasonality is not available.</p>"
    s = uc.seasonality(ctx.cases)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    labels = [m.strftime("%b\n%Y") if m.month in (1, 4) or i == 0 else m.strftime("%b")
              for i, m in enumerate(s["month"])]
    ax.bar(range(len(s)), s["cases_per_day"], color=PALETTE[0])
    ax.axhline(s["cases"].sum() / s["days"].sum(), color="#000000", linestyle="--",
               linewidth=1, label="average day")
    ax.set_xticks(range(len(s)), labels, fontsize=8)
    ax.set_ylabel("Cases per day")
    ax.set_title(f"Cases per day by month, {ctx.area.short_name}", loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    top = s.loc[s["index"].idxmax()]
    alt = (f"Bar chart of cases per day by month. Highest {top['month']:%B %Y} at "
           f"{top['index']:.0%} of the average day; lowest "
           f"{s.loc[s['index'].idxmin(), 'month']:%B %Y}.")
    fig_html = rpt.figure_html(fig, "uc_seasonality", alt, _source_cases(ctx))
    st = uc.suppress_small(s.assign(month=s["month"].dt.strftime("%b %Y")), ["cases"],
                           dependent={"cases": ["cases_per_day", "assessed", "clinical_minutes",
                                                "index"]})
    t1 = rpt.table_html(st, "uc_seasonality", f"Cases by month, {ctx.area.short_name}",
                        formats={"days": fmt_int, "cases": _supp(fmt_int),
                                 "cases_per_day": _supp(fmt_dp(1)), "assessed": _supp(fmt_int),
                                 "clinical_minutes": _supp(fmt_int), "index": _supp(_pct(0))},
                        labels={"month": "Month", "days": "Days", "cases": "Cases",
                                "cases_per_day": "Cases/day", "assessed": "Clinically assessed",
                                "clinical_minutes": "Clinical minutes",
                                "index": "Cases/day vs average"},
                        note=f"Source: {_source_cases(ctx)}. " + SUPPRESSION_NOTE)
    dt = uc.suppress_small(uc.day_types(ctx.cases), ["cases"],
                           dependent={"cases": ["cases_per_day"]})
    t2 = rpt.table_html(dt, "uc_day_types", "Cases per day on bank holidays and other days",
                        formats={"days": fmt_int, "cases": _supp(fmt_int),
                                 "cases_per_day": _supp(fmt_dp(0))},
                        labels={"day_type": "Day", "days": "Days", "cases": "Cases",
                                "cases_per_day": "Cases per day"},
                        note="Bank holidays in England and Wales (gov.uk). " + SUPPRESSION_NOTE)
    return fig_html + t1 + t2


def mix_columns(ctx) -> dict[str, dict]:
    """Sources of the disposition mix comparison, in display order."""
    cols = {}
    if ctx.has_cases:
        mix = uc.case_mix(ctx.cases)
        if len(ctx.cases) < uc.SMALL_CELL:
            mix = dict.fromkeys(mix, math.nan)
        label = ctx.area.short_name + (" (cases)" if ctx.cases_source == "extract"
                                       else " (modelled)")
        cols[label] = mix
    if ctx.adc is not None:
        if ctx.contract is not None:
            cols[f"Contract {ctx.contract[0]}"] = uc.iucadc_shares(ctx.adc, [ctx.contract[0]])
        if ctx.region is not None:
            cols[f"{ctx.region[1]} region"] = uc.iucadc_shares(ctx.adc, region=ctx.region[0])
        n_contracts = ctx.adc["contract_code"].nunique()
        n_regions = ctx.adc.loc[ctx.adc["region_code"] != "", "region_code"].nunique()
        label = ("England (IUC ADC file)" if n_regions >= 7
                 else f"All contracts in file ({n_contracts})")
        cols[label] = uc.iucadc_shares(ctx.adc)
    cols["England 2024-25 (published)"] = uc.PUBLISHED_ENGLAND_2024_25
    cols["Midlands 111AL7 2024-25 (published)"] = uc.PUBLISHED_MIDLANDS_2024_25
    return cols


def mix(ctx, rpt: Report) -> str:
    """Disposition mix against England and the region (table and chart)."""
    cols = mix_columns(ctx)
    table = uc.mix_table(cols)
    t = rpt.table_html(
        table, "uc_disposition_mix",
        "Clinical assessment and final dispositions: the area against its region and England",
        formats=dict.fromkeys(cols, _pct(1)), labels={"measure": "Measure"},
        note="IUC ADC definitions: assessed = D01/C01; ambulance E02, ED E04, primary care "
             "E07+E08+E10+E11, dental E12, self care E16 and appointments booked G01, each over "
             "all final dispositions E01. Case-level shares use the same definitions (cases "
             "with a final disposition). Published figures: NHS England IUC ADC 2024-25 "
             "(England; Midlands contract area 111AL7). Blank: not in the source.")
    measures = ["assessed", "ambulance", "ed", "primary_care", "self_care", "booked"]
    names = {"assessed": "Assessed by\nclinician", "ambulance": "Ambulance", "ed": "ED",
             "primary_care": "Primary care", "self_care": "Self care", "booked": "Booked"}
    fig, ax = plt.subplots(figsize=(10, 4.2))
    keys = [k for k in cols if any(not pd.isna(cols[k].get(m, math.nan)) for m in measures)]
    width = 0.8 / max(len(keys), 1)
    x = np.arange(len(measures))
    for i, k in enumerate(keys):
        vals = [cols[k].get(m, math.nan) for m in measures]
        colour = PALETTE[i % len(PALETTE)] if i < 3 else ["#555555", "#AAAAAA", "#777777"][
            (i - 3) % 3]
        ax.bar(x + i * width - 0.4 + width / 2, np.array(vals, dtype=float) * 100, width,
               label=k, color=colour, edgecolor="white")
    ax.set_xticks(x, [names[m] for m in measures], fontsize=9)
    ax.set_ylabel("% (see table for denominators)")
    ax.set_title("Disposition mix against the region and England", loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    first = keys[0] if keys else ""
    alt = ("Grouped bars of the share of calls assessed by a clinician and of final "
           "dispositions to ambulance, ED, primary care, self care and booked appointments, "
           f"for {', '.join(keys)}. {first}: "
           + ", ".join(f"{names[m].replace(chr(10), ' ')} {cols[first].get(m, math.nan):.1%}"
                       for m in measures if first and not pd.isna(cols[first].get(m,
                                                                                  math.nan)))
           + ".")
    fig_html = rpt.figure_html(fig, "uc_disposition_mix", alt,
                               "NHS England IUC ADC; " + (_source_cases(ctx) if ctx.has_cases
                                                          else "published shares"))
    extra = ""
    if ctx.has_cases:
        dc = uc.suppress_small(uc.disposition_counts(ctx.cases), ["cases"],
                               dependent={"cases": ["share"]})
        extra = rpt.table_html(dc, "uc_dispositions_onward",
                               f"Cases by disposition and onward service, {ctx.area.short_name}",
                               formats={"cases": _supp(fmt_int), "share": _supp(_pct(1))},
                               labels={"kind": "", "category": "Category", "cases": "Cases",
                                       "share": "Share of cases"},
                               note=f"Source: {_source_cases(ctx)}. " + SUPPRESSION_NOTE)
    return t + fig_html + extra


def flows(ctx, rpt: Report) -> str:
    """Flows to ED, frailty, paediatrics and primary care (table)."""
    if not ctx.has_cases:
        return "<p>No case-level data: onward flows are not available.</p>"
    ft = uc.suppress_small(uc.flow_table(ctx.cases), ["cases"], dependent={
        "cases": ["share", "per_week", "assessed_share", "out_of_hours_share"]})
    return rpt.table_html(
        ft, "uc_flows", f"Onward flows from NHS 111, {ctx.area.short_name}",
        formats={"cases": _supp(fmt_int), "share": _supp(_pct(1)),
                 "per_week": _supp(fmt_dp(0)), "assessed_share": _supp(_pct(0)),
                 "out_of_hours_share": _supp(_pct(0))},
        labels={"flow": "Flow", "cases": "Cases", "share": "Share of all cases",
                "per_week": "Per week", "assessed_share": "Clinically assessed",
                "out_of_hours_share": "Out of GP hours"},
        note=f"Source: {_source_cases(ctx)}. Frailty: aged 75 or over; paediatrics: under 16. "
             "Out of GP hours: weekdays 18:30-08:00, weekends and bank holidays. "
             + SUPPRESSION_NOTE)


def ae_arrivals(ctx, rpt: Report) -> str:
    """A&E arrivals by hour of week from the ECDS table (chart)."""
    if ctx.ecds is None:
        return "<p>No A&E attendances table was given.</p>"
    e = ctx.ecds.sort_values("how")
    fy = e.attrs.get("financial_year") or "2024-25"
    y = int(fy[:4])
    per_day = np.repeat(uc.weekday_counts(f"{y}-04-01", f"{y + 1}-03-31"), 24)
    walk = e["walk_in"].to_numpy(float) / per_day
    amb = e["ambulance"].to_numpy(float) / per_day
    fig, ax = plt.subplots(figsize=(11, 3.8))
    h = np.arange(uc.HOURS_PER_WEEK)
    ax.fill_between(h, 0, amb, step="mid", color=PALETTE[5], alpha=0.85,
                    label="arrived by ambulance")
    ax.fill_between(h, amb, amb + walk, step="mid", color=PALETTE[4], alpha=0.85,
                    label="other arrivals (walk-in)")
    _day_axis(ax)
    ax.set_ylabel("Attendances per hour, England")
    ax.set_title(f"Unplanned A&E arrivals by hour of week, England, {fy}", loc="left",
                 fontsize=12)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    tot = walk + amb
    k = int(tot.argmax())
    alt = (f"Stacked area chart of A&E arrivals per hour across the week, England {fy}: "
           f"peak {uc.DAY_SHORT[k // 24]} {k % 24:02d}:00 with {tot[k]:,.0f} an hour; "
           f"{amb.sum() / tot.sum():.0%} arrive by ambulance, more at night.")
    return rpt.figure_html(fig, "uc_ae_arrivals_hour_of_week", alt,
                           f"NHS England, A&E attendances by time of day "
                           f"({Path(ctx.paths['uc_ecds']).name})")


def setting_demand_chart(ctx, rpt: Report) -> str:
    """One chart laying the GP-suitable demand of each setting across the week."""
    wl = ctx.workload
    if wl.empty:
        return "<p>No setting has demand data.</p>"
    settings = list(wl.columns)
    fig, axes = plt.subplots(len(settings), 1, figsize=(11, 1.7 * len(settings) + 0.8),
                             sharex=True)
    axes = np.atleast_1d(axes)
    h = np.arange(uc.HOURS_PER_WEEK)
    for ax, s in zip(axes, settings, strict=True):
        v = wl[s].to_numpy(float)
        peak = uc.peak_mask(v)
        ax.bar(h, v, width=1.0, color=np.where(peak, SETTING_COLOURS[s], "#CCCCCC"))
        ax.set_ylabel(SHORT[s], rotation=0, ha="right", va="center", fontsize=9)
        ax.tick_params(axis="y", labelsize=7)
        _day_axis(ax)
    axes[0].set_title("GP-suitable workload by setting across the week (clinician-hours per "
                      "hour; peak hours coloured)", loc="left", fontsize=11)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    parts = []
    for s in settings:
        v = wl[s].to_numpy(float)
        k = int(v.argmax())
        parts.append(f"{uc.SETTINGS[s]} peaks {uc.DAY_SHORT[k // 24]} {k % 24:02d}:00 "
                     f"({v[k]:.1f})")
    alt = ("Stacked panels, one per setting, of GP-suitable workload per hour across the week; "
           "the top quarter of each setting's hours are coloured. " + "; ".join(parts) + ".")
    src = "; ".join(filter(None, [
        _source_cases(ctx) if ctx.has_cases else "",
        "NHS England A&E attendances by time of day" if ctx.ecds is not None else ""]))
    return rpt.figure_html(fig, "uc_setting_demand_week", alt, src)


def setting_notes(ctx) -> str:
    """How each setting's GP-suitable demand is defined (Markdown)."""
    sp = ctx.staffing_params
    scale = (f"{ctx.ed_scale:.3%} of England" if ctx.ed_scale else "not estimated")
    return "\n".join([
        "- **IUCS**: cases assessed by a clinician, per hour of a busy week (the mean week "
        f"scaled to the {sp.plan_percentile:.0f}th percentile of weekly totals).",
        f"- **ED**: walk-in A&E arrivals (England, ECDS) x {sp.ed_gp_share:.0%} suitable for "
        f"a GP (GP streaming; an assumption) x the area's share, {scale} (its share of "
        "England's NHS 111 calls). ECDS gives annual totals only, so ED uses the mean week.",
        "- **Frailty**: NHS 111 cases aged 75 or over sent to ED, ambulance, UTC or a frailty "
        "service; **paediatrics**: under-16s sent to ED, ambulance, UTC or paediatrics; "
        "busy week as for IUCS.",
        "- Workload = arrivals x handling time, within each setting's opening hours.",
    ])


def staffing(ctx, rpt: Report) -> str:
    """Erlang C parameters, clinicians per hour (chart) and hours per week by setting."""
    if ctx.staff.empty:
        return "<p>No demand data for staffing.</p>"
    sp = ctx.staffing_params
    prm = pd.DataFrame([{"setting": uc.SETTINGS[s], "aht_minutes": p.aht_minutes,
                         "target_minutes": p.target_minutes, "service_level": p.service_level,
                         "open": f"{p.open_hours[0]:02d}:00-{p.open_hours[1] % 24:02d}:00"
                         if p.open_hours != (0, 24) else "24 hours"}
                        for s, p in sp.settings.items() if s in set(ctx.staff["setting"])])
    t0 = rpt.table_html(
        prm, "uc_staffing_parameters", "Erlang C parameters by setting",
        formats={"aht_minutes": fmt_dp(1), "target_minutes": fmt_int,
                 "service_level": _pct(0)},
        labels={"setting": "Setting", "aht_minutes": "Handling time (min)",
                "target_minutes": "Target (min)", "service_level": "Within target",
                "open": "Hours"},
        note=f"All settings: maximum occupancy {sp.max_occupancy:.0%}, shrinkage "
             f"{sp.shrinkage:.0%} (rostered = on duty / (1 - shrinkage)); demand in a busy "
             f"week (mean week x {sp.plan_percentile:.0f}th percentile / mean of weekly "
             "totals). IUCS handling time is the mean clinical contact time in the data.")
    st = ctx.staff
    fig, ax = plt.subplots(figsize=(11, 3.8))
    h = np.arange(uc.HOURS_PER_WEEK)
    for s in uc.SETTINGS:
        sub = st[st["setting"] == s]
        if len(sub):
            ax.step(h, sub["rostered"].to_numpy(float), where="mid", color=SETTING_COLOURS[s],
                    label=uc.SETTINGS[s], linewidth=1.4)
    _day_axis(ax)
    ax.set_ylabel("Clinicians rostered")
    ax.set_title("Clinicians needed by hour of week (Erlang C, after shrinkage)", loc="left",
                 fontsize=12)
    ax.set_ylim(0, max(float(st["rostered"].max()), 1.0) * 1.3)
    ax.legend(frameon=False, fontsize=8, ncol=4, loc="upper left")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    summ = ctx.staff_summary
    alt = ("Step chart of clinicians rostered per hour of the week by setting. Hours per week: "
           + "; ".join(f"{uc.SETTINGS[r.setting]} {r.rostered_hours:,.0f}"
                       for r in summ.itertuples()) + ".")
    f = rpt.figure_html(fig, "uc_clinicians_by_hour", alt, "Erlang C on the demand above")
    by_hour = st.assign(day=[uc.DAY_SHORT[x // 24] for x in st["how"]], hour=st["how"] % 24)
    rpt.save_table(by_hour[["setting", "day", "hour", "arrivals", "load", "servers",
                            "occupancy", "service_level", "rostered"]], "uc_clinicians_by_hour")
    t1 = rpt.table_html(
        summ.assign(setting=summ["setting"].map(uc.SETTINGS)), "uc_clinical_hours",
        "Clinical hours per week implied by the demand, by setting",
        formats={"arrivals_per_week": fmt_int, "clinician_hours": fmt_int,
                 "rostered_hours": fmt_int, "peak_clinicians": fmt_int,
                 "hours_staffed": fmt_int},
        labels={"setting": "Setting", "arrivals_per_week": "GP-suitable patients a week",
                "clinician_hours": "Clinician hours on duty", "rostered_hours":
                "Rostered hours", "peak_clinicians": "Peak clinicians on duty",
                "hours_staffed": "Hours of the week staffed"},
        note="Hour-by-hour figures: tables/uc_clinicians_by_hour.csv. A single Erlang C "
             "server per hour is the minimum wherever any demand arrives, so thin demand "
             "overnight still needs one clinician.")
    return t0 + f + t1


def _plan_axes(ax, sessions: list[uc.Session], name: str):
    ax.set_xlim(0, 7)
    ax.set_ylim(24, 0)
    ax.set_xticks([d + 0.5 for d in range(7)], uc.DAY_SHORT, fontsize=8)
    ax.set_yticks(range(0, 25, 4), [f"{h:02d}:00" for h in range(0, 25, 4)], fontsize=7)
    for d in range(8):
        ax.axvline(d, color="#DDDDDD", linewidth=0.8)
    for s in sessions:
        pieces = []
        start, left, day = s.start, s.hours, s.day
        while left > 0:
            length = min(left, 24 - start)
            pieces.append((day % 7, start, length))
            left -= length
            start, day = 0, day + 1
        for k, (d, st, ln) in enumerate(pieces):
            ax.add_patch(plt.Rectangle((d + 0.05, st), 0.9, ln, color=SETTING_COLOURS[s.setting],
                                       alpha=0.9))
            if k == 0:
                ax.text(d + 0.5, st + ln / 2, SHORT[s.setting], ha="center", va="center",
                        fontsize=7, color="white" if s.setting != "admin" else "black",
                        rotation=0)
    ax.set_title(name, loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)


def plan_comparison(ctx) -> pd.DataFrame:
    """One row per job plan: sessions by setting, nights, weekends and peak coverage."""
    rows = []
    for name, sessions in ctx.plans.items():
        cov = uc.plan_coverage(sessions, ctx.workload)
        row = {"option": name}
        for s in uc.PLAN_SETTINGS:
            row[f"{s}_sessions"] = sum(x.setting == s for x in sessions)
        row["night_sessions"] = sum(bool(uc.NIGHT_HOURS & {h % 24 for h in x.hours_of_week()})
                                    for x in sessions)
        row["weekend_sessions"] = sum(any(h // 24 >= 5 for h in x.hours_of_week())
                                      for x in sessions)
        for r in cov.itertuples():
            key = next(k for k, v in uc.SETTINGS.items() if v == r.setting)
            row[f"{key}_peak_covered"] = r.peak_demand_covered
        row["mean_peak_covered"] = cov["peak_demand_covered"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def job_plans(ctx, rpt: Report) -> str:
    """Rules, week grids of each option, and their comparison (HTML)."""
    rules = "".join(f"<li>{html.escape(r)}</li>" for r in ctx.rules.describe())
    out = (f"<p>Every plan below obeys these rules (checked by the generator):</p><ul>{rules}"
           "</ul>")
    if ctx.plan_errors:
        out += "".join(f"<p><b>{html.escape(k)}</b>: no plan ({html.escape(v)}).</p>"
                       for k, v in ctx.plan_errors.items())
    if not ctx.plans:
        return out
    n = len(ctx.plans)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 5.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (name, sessions) in zip(axes, ctx.plans.items(), strict=True):
        _plan_axes(ax, sessions, name)
    handles = [plt.Rectangle((0, 0), 1, 1, color=SETTING_COLOURS[s]) for s in uc.PLAN_SETTINGS]
    fig.legend(handles, [uc.PLAN_SETTINGS[s] for s in uc.PLAN_SETTINGS], loc="lower center",
               ncol=5, frameon=False, fontsize=8, bbox_to_anchor=(0.5, 0.03))
    fig.suptitle("Example weekly job plans for an Extended Portfolio GP", x=0.01, ha="left",
                 fontsize=12)
    fig.tight_layout(rect=(0, 0.1, 1, 0.95))
    alt = "Week grids of the job plans. " + " ".join(
        f"{name}: " + "; ".join(s.label().replace(" iucs", " IUCS") for s in sessions) + "."
        for name, sessions in ctx.plans.items())
    fig_html = rpt.figure_html(fig, "uc_job_plans", alt,
                               "generated by analysis.models.urgent_care.core.generate_job_plan")
    sess = pd.DataFrame([{"option": name, "day": uc.DAYS[s.day],
                          "start": f"{s.start:02d}:00",
                          "end": f"{(s.start + s.hours) % 24:02d}:00",
                          "setting": uc.PLAN_SETTINGS[s.setting]}
                         for name, sessions in ctx.plans.items() for s in sessions])
    rpt.save_table(sess, "uc_job_plan_sessions")
    comp = plan_comparison(ctx)
    pct_cols = [c for c in comp.columns if c.endswith("_covered")]
    labels = {"option": "Option", "night_sessions": "Nights", "weekend_sessions": "Weekend",
              "mean_peak_covered": "Mean share of peak covered"}
    for s in uc.PLAN_SETTINGS:
        labels[f"{s}_sessions"] = f"{SHORT[s]} sessions"
        labels[f"{s}_peak_covered"] = f"{SHORT[s]} peak covered"
    t = rpt.table_html(
        comp, "uc_job_plan_comparison", "Job-plan options compared by the peak demand they cover",
        formats={**{c: _pct(0) for c in pct_cols},
                 **{c: fmt_int for c in comp.columns if c.endswith("sessions")}},
        labels=labels,
        note="Peak hours: the top quarter of each setting's hours of the week by GP-suitable "
             "workload. Peak covered: the share of that peak-hour workload falling in hours "
             "the GP works in the setting. Sessions, one row each: "
             "tables/uc_job_plan_sessions.csv.")
    return out + fig_html + t


def costs(ctx, rpt: Report) -> str:
    """Cost of the salaried role against sessional and locum cover, break-even, cost base."""
    p = ctx.costs
    sal = uc.salaried_cost(p)
    comp = pd.DataFrame([
        ("Salary", sal["salary"]), ("Employer national insurance", sal["employer_ni"]),
        ("Employer pension", sal["employer_pension"]), ("Indemnity", sal["indemnity"]),
        ("Training costs", sal["training"]), ("Total cost a year", sal["total"]),
    ], columns=["item", "gbp"])
    t0 = rpt.table_html(
        comp, "uc_salaried_cost", "Annual cost of the salaried Extended Portfolio GP post",
        formats={"gbp": _money}, labels={"item": "", "gbp": "GBP a year"},
        note=(f"{p.sessions_per_week} sessions a week at {_money(p.salary_per_session)} per "
              f"session a year (the LLR plan's basis); employer NI {p.employer_ni_rate:.1%} "
              f"above {_money(p.ni_threshold)}; employer pension {p.employer_pension_rate:.2%};"
              f" {p.admin_sessions_per_week} admin/CPD session a week; "
              f"{p.annual_leave_days:g} days annual leave, {p.bank_holiday_days:g} bank "
              f"holidays and {p.study_leave_days:g} study days leave "
              f"{sal['working_weeks']:.1f} working weeks and "
              f"{sal['clinical_sessions_per_year']:,.0f} clinical sessions a year. All are "
              "parameters."))
    rc = uc.role_costs(p)
    t1 = rpt.table_html(
        rc, "uc_cost_per_session", "Cost per clinical session: salaried, sessional and locum",
        formats={"cost_per_clinical_session": _money, "cost_per_year": _money,
                 "difference_vs_salaried": _money},
        labels={"option": "Option", "cost_per_clinical_session": "Per clinical session",
                "cost_per_year": "For the post's clinical sessions a year",
                "difference_vs_salaried": "Difference vs salaried"},
        note=f"Sessional: {_money(p.sessional_rate_per_hour)} an hour x "
             f"{p.session_hours:g} hours (assumption; no employer on-costs). Locum: up to "
             f"{p.locum_premium:.0%} more than a salaried GP (LLR GP workforce plan). LLR "
             "basis: GBP 112,000 a year per 9-session WTE including pension and indemnity.")
    be = uc.break_even(p)
    t2 = rpt.table_html(
        be, "uc_break_even", "Break-even: sessions a week the post must take from other cover",
        formats={"rate_per_session": _money, "break_even_sessions_per_week": fmt_dp(1),
                 "clinical_sessions_per_week": fmt_int,
                 "breaks_even": lambda b: "yes" if b else "no"},
        labels={"replacing": "Cover replaced", "rate_per_session": "Its cost per session",
                "break_even_sessions_per_week": "Break-even sessions a week",
                "clinical_sessions_per_week": "Clinical sessions the post offers",
                "breaks_even": "Pays for itself"},
        note="Break-even = annual cost of the post / (cost per session replaced x working "
             "weeks).")
    gp_share = 0.5
    if ctx.has_cases and ctx.cases["clinician_assessed"].any():
        a = ctx.cases[ctx.cases["clinician_assessed"]]
        gp_share = float(a.loc[a["clinician_type"] == "gp", "clinical_minutes"].sum()
                         / a["clinical_minutes"].sum())
    s = ctx.staff_summary.set_index("setting")
    iucs_hours = float(s.loc["iucs", "rostered_hours"]) if "iucs" in s.index else 0.0
    need = iucs_hours * gp_share / p.session_hours
    per_post = 0.0
    if ctx.plans:
        best = plan_comparison(ctx).sort_values("mean_peak_covered", ascending=False).iloc[0]
        per_post = float(best["iucs_sessions"])
        best_name = best["option"]
    else:
        best_name = "none"
    if need <= 0 or per_post <= 0:
        return t0 + t1 + t2
    cb = uc.cost_base_effect(need, per_post, p)
    t3 = rpt.table_html(
        cb, "uc_cost_base_effect", "Effect on the IUCS provider's annual GP cost base",
        formats={"posts": fmt_int, "sessions_by_posts": fmt_int, "sessions_bought": fmt_int,
                 "cost_of_posts": _money, "cost_of_bought_sessions": _money, "total": _money,
                 "change_vs_none": _money, "change_pct": _pct(1)},
        labels={"posts": "Salaried posts", "sessions_by_posts": "IUCS sessions by posts",
                "sessions_bought": "Sessions bought", "cost_of_posts": "Posts (IUCS share)",
                "cost_of_bought_sessions": "Sessional and locum", "total": "Total",
                "change_vs_none": "Change", "change_pct": "Change %"},
        note=f"The provider needs {need:,.1f} GP sessions a week (IUCS rostered hours "
             f"{iucs_hours:,.0f} x GP share of clinical minutes {gp_share:.0%} / "
             f"{p.session_hours:g} hours), every week of the year, bought sessionally with "
             "20% at locum rates. Each post works the IUCS sessions of the best-covering "
             f"plan ({best_name}: {per_post:g} a week) and is charged pro rata.")
    return t0 + t1 + t2 + t3


CAVEATS = [
    "Case-level data are aggregated before anything is shown; counts of fewer than five cases "
    "are suppressed with every figure derived from them.",
    "Percentiles are across complete Monday-to-Sunday weeks in the period, hour by hour; a "
    "week with no cases in an hour counts as zero.",
    "Erlang C assumes random (Poisson) arrivals, exponential handling times, no abandonment and "
    "clinicians interchangeable within a setting; it understates need when callers give up "
    "and call again and overstates it where a clinician can interleave calls.",
    "GP-suitable ED demand (15% of walk-in arrivals) and the local share of England's A&E "
    "attendances (the area's share of 111 calls) are assumptions; frailty and paediatric "
    "demand counts only patients routed by NHS 111, not all such patients.",
    "Costs use the LLR GP workforce plan's basis (about GBP 10,000 per session a year; locums "
    "up to 45% more) with current employer NI and pension rates; every figure is a parameter.",
]


def caveats_md(ctx) -> str:
    """The chapter's caveats (Markdown)."""
    extra = ["Profiles are modelled, not observed: no case-level extract was given."] \
        if ctx.cases_source == "modelled" else []
    return "### Caveats (urgent care)\n\n" + "\n".join(f"- {c}" for c in CAVEATS + extra)


def record(ctx, rpt, parameters: dict) -> None:
    """Record the chapter's inputs, parameters and caveats for the closing section."""
    rpt.record_inputs("Urgent care", {INPUT_LABELS[k]: v for k, v in ctx.paths.items()})
    rpt.record_parameters("Urgent care", {k: v for k, v in parameters.items()
                                          if k not in ("area_slug", "area_kind")})
    extra = ["Profiles are modelled, not observed: no case-level extract was given."] \
        if ctx.cases_source == "modelled" else []
    rpt.record_caveats("Urgent care", CAVEATS + extra)


def provenance_html(ctx, parameters: dict) -> str:
    """The chapter's input files with SHA-256 checksums and its parameters (HTML)."""
    rec = provenance.collect({INPUT_LABELS[k]: v for k, v in ctx.paths.items()}, parameters)
    rows = "".join(
        f"<tr><td>{html.escape(i['input'])}</td><td><code>{html.escape(i['file'])}</code></td>"
        f"<td style='text-align:right'>{i['bytes']:,}</td><td><code>{i['sha256']}</code></td>"
        "</tr>" for i in rec["inputs"])
    params = "".join(f"<li><code>{html.escape(str(k))}</code> = "
                     f"<code>{html.escape(str(v))}</code></li>"
                     for k, v in rec["parameters"].items())
    return ("<h3>Urgent-care inputs</h3><div class='report-table'><table><thead><tr>"
            "<th>Input</th><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div><p>Parameters:</p><ul>{params}</ul>"
            f"<p>Run {html.escape(rec['run_time_utc'])}; code version "
            f"<code>{html.escape(rec['code_version'])}</code>.</p>")
