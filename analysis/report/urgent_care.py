"""The urgent-care chapter (notebook 04): each function formats one part of the chapter.

The numbers come from :func:`analysis.models.urgent_care.context.load_context`; this module
only applies disclosure control,
number formats, captions, charts (:mod:`analysis.report.urgent_care_charts`) and the narrative
templates ``report/templates/urgent_care_*.j2``. Every section returns an object a notebook
cell can end with: a :class:`~analysis.report.rendering.Table`, a
:class:`~analysis.report.rendering.Chart`, :class:`Text` (Markdown) or :class:`Parts` (several
of them). Case-level rows never reach the report: tables and charts are aggregates, and counts
of fewer than five cases are suppressed (shown as '*'), with a second count wherever a
published total would reveal one (``docs/disclosure.md``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from analysis.io.urgent_care import DAY_SHORT, DAYS
from analysis.models.urgent_care import costs as uco
from analysis.models.urgent_care.context import key_figures as compute_key_figures
from analysis.models.urgent_care.job_plans import PLAN_SETTINGS
from analysis.models.urgent_care.profiles import SETTINGS
from analysis.report import disclosure as disclosure
from analysis.report import urgent_care_charts as charts
from analysis.report.rendering import (
    Html,
    Markdown,
    Report,
    Section,
    fmt_dp,
    fmt_int,
    md_plain,
    render,
)
from analysis.validation.urgent_care import mix_comparison

INPUT_LABELS = {"uc_cases": "Case-level IUCS extract", "uc_iucadc": "IUC ADC (NHS England)",
                "uc_ecds": "A&E attendances by time of day (NHS England)"}
SUPPRESSED = "*"


def suppression_note() -> str:
    """The note under tables of case counts ('' when suppression is off)."""
    t = disclosure.threshold()
    return f"* fewer than {t} cases: suppressed, with the figures derived from them." if t else ""


# =============================================================================================
# Display objects
# =============================================================================================
def _unavailable(what: str) -> Html:
    return Html(render("urgent_care_unavailable.html.j2", what=what))


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


def _suppress(df: pd.DataFrame, count_columns, dependent: dict | None = None,
              by: str | None = None, additive: bool = True) -> pd.DataFrame:
    """Disclosure control at the configured threshold (:func:`analysis.report.disclosure.protect`).

    Counts and the columns derived from them are shown as ``Float64`` (suppressed: NA, '*').
    With ``additive`` the rows (of each ``by`` group) add up to the cases of the period, which
    the chapter publishes, so a second cell is suppressed where one alone would be revealed.
    """
    dependent = dependent or {}
    out = df.copy()
    for d in dict.fromkeys([*count_columns, *(x for c in count_columns
                                              for x in dependent.get(c, []))]):
        if pd.api.types.is_numeric_dtype(out[d]):
            out[d] = out[d].astype("Float64")
    totals = disclosure.Totals(columns=disclosure.column_groups(out, by=by)) if additive \
        else None
    out = disclosure.protect(out, count_columns, totals=totals, dependent=dependent)
    out.attrs["suppressed_below"] = disclosure.threshold()
    return out


def _source_cases(ctx) -> str:
    if ctx.cases_source == "extract":
        return f"case-level IUCS extract ({Path(ctx.paths['uc_cases']).name})"
    return "modelled from IUC ADC volumes (no case-level extract)"


def notes(ctx) -> list[str]:
    """The context's notes about its inputs, in words."""
    return [render("urgent_care_note.md.j2", note=_note_for_display(n)).strip()
            for n in ctx.notes]


def _note_for_display(note):
    if note.kind == "modelled":
        return type(note)(note.kind, {**note.values, "per_day": fmt_int(note.values["per_day"])})
    if note.kind == "geography" and note.values.get("ed_scale"):
        return type(note)(note.kind, {**note.values,
                                      "ed_scale": f"{note.values['ed_scale']:.3%}"})
    return note


# =============================================================================================
# Chapter sections
# =============================================================================================
def title(ctx) -> Markdown:
    """Chapter heading, the question and what it rests on."""
    return Markdown(render("urgent_care_title.md.j2", area_name=ctx.area.name,
                       start=_date(ctx.start), end=_date(ctx.end), source=ctx.cases_source,
                       n_cases=fmt_int(len(ctx.cases)) if ctx.has_cases else "",
                       demo=ctx.uses_demo_inputs,
                       notes=[_note_for_display(n) for n in ctx.notes]).rstrip("\n"))


def _days_worked(sessions) -> str:
    """The days a plan works, in words: 'Mon, Tue, Wed, Fri and Sat'."""
    days = [DAYS[d] for d in sorted({s.day for s in sessions})]
    return days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]


def key_figures(ctx) -> Markdown:
    """Summary bullets."""
    k = compute_key_figures(ctx)
    ctx_ = {}
    if k.cases_per_week is not None:
        ctx_ = {"cases_per_week": fmt_int(k.cases_per_week),
                "assessed": f"{k.assessed_share:.0%}",
                "minutes": f"{k.mean_clinical_minutes:.1f}",
                "busiest_mean": f"{k.busiest['mean']:.0f}",
                "busiest_p90": f"{k.busiest['p90']:.0f}",
                "ooh": f"{k.out_of_hours_share:.0%}"}
    rostered = "; ".join(f"{name} {fmt_int(v)}" for name, v in k.rostered_hours.items())
    best = f"{k.best_plan_share_met:.1%}" if k.best_plan is not None else ""
    return Markdown(render("urgent_care_key_figures.md.j2", k=k, rostered=rostered,
                       best_covered=best, posts=ctx.rules.rota_posts,
                       staffed=ctx.rules.staffed_floor,
                       best_days=_days_worked(ctx.plans[k.best_plan]) if k.best_plan else "",
                       best_met=fmt_int(k.best_plan_need_met) if k.best_plan else "",
                       need_total=fmt_int(k.need_total) if k.best_plan else "",
                       total=_money(k.salaried_total),
                       per_session=_money(k.salaried_per_session),
                       sessional=_money(k.sessional_per_session), **ctx_))


def heatmaps(ctx, rpt: Report) -> Section | Html:
    """Hour-of-week heat maps of cases and clinical minutes, mean and 90th percentile."""
    if not ctx.has_cases:
        return _unavailable("heatmaps")
    pc, pm = ctx.profile_cases, ctx.profile_minutes
    small = (pc["cases_total"] > 0) & (pc["cases_total"] < max(disclosure.threshold(), 1))
    n_weeks = int(pc["weeks"].iloc[0])
    busiest = pc.loc[pc["mean"].idxmax()]
    fig = charts.heatmaps(pc, pm, small, (
        f"NHS 111 cases peak {busiest['day']} {int(busiest['hour']):02d}:00; evenings and "
        f"weekends are busiest, {ctx.data_area}, {ctx.period_label} ({n_weeks} weeks)"))
    alt = (f"Four heat maps, days of the week by hour of day: cases and clinical minutes per "
           f"hour, mean and 90th percentile across {n_weeks} weeks. Busiest hour "
           f"{busiest['day']} {int(busiest['hour']):02d}:00 with {busiest['mean']:.0f} cases on "
           f"average; quietest hours overnight on weekdays.")
    chart = rpt.chart(fig, "uc_heatmap_hour_of_week", alt, _source_cases(ctx))
    full = ctx.hour_of_week
    rpt.save_table(_suppress(full, ["cases_in_period"], dependent={
        "cases_in_period": [c for c in full.columns if c not in ("day", "hour",
                                                                 "cases_in_period")]}),
        "uc_hour_of_week")
    blocks = _suppress(ctx.blocks, ["cases_in_period"], dependent={"cases_in_period": [
        "cases_per_hour_mean", "cases_per_hour_p90", "minutes_per_hour_mean",
        "minutes_per_hour_p90"]})
    f1 = _supp(fmt_dp(1))
    table = rpt.table(
        blocks, "uc_hour_of_week_blocks",
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
             "tables/uc_hour_of_week.csv. " + suppression_note())
    return Section([chart, table])


def seasonality(ctx, rpt: Report) -> Section | Html:
    """Cases per day by month and on bank holidays (chart and tables)."""
    if not ctx.has_cases:
        return _unavailable("seasonality")
    s = ctx.seasonality
    top = s.loc[s["index"].idxmax()]
    fig = charts.seasonality(s, f"Cases per day peak in {top['month']:%B %Y} at "
                                f"{top['index']:.0%} of the average day, {ctx.data_area}, "
                                f"{ctx.period_label}")
    alt = (f"Bar chart of cases per day by month. Highest {top['month']:%B %Y} at "
           f"{top['index']:.0%} of the average day; lowest "
           f"{s.loc[s['index'].idxmin(), 'month']:%B %Y}.")
    chart = rpt.chart(fig, "uc_seasonality", alt, _source_cases(ctx))
    st = _suppress(s.assign(month=s["month"].dt.strftime("%b %Y")), ["cases"],
                   dependent={"cases": ["cases_per_day", "assessed", "clinical_minutes",
                                        "index"]})
    t1 = rpt.table(st, "uc_seasonality", f"Cases by month, {ctx.area.short_name}",
                   formats={"days": fmt_int, "cases": _supp(fmt_int),
                            "cases_per_day": _supp(fmt_dp(1)), "assessed": _supp(fmt_int),
                            "clinical_minutes": _supp(fmt_int), "index": _supp(_pct(0))},
                   labels={"month": "Month", "days": "Days", "cases": "Cases",
                           "cases_per_day": "Cases/day", "assessed": "Clinically assessed",
                           "clinical_minutes": "Clinical minutes",
                           "index": "Cases/day vs average"},
                   note=f"Source: {_source_cases(ctx)}. " + suppression_note())
    dt = _suppress(ctx.day_types, ["cases"], dependent={"cases": ["cases_per_day"]})
    t2 = rpt.table(dt, "uc_day_types", "Cases per day on bank holidays and other days",
                   formats={"days": fmt_int, "cases": _supp(fmt_int),
                            "cases_per_day": _supp(fmt_dp(0))},
                   labels={"day_type": "Day", "days": "Days", "cases": "Cases",
                           "cases_per_day": "Cases per day"},
                   note="Bank holidays in England and Wales (gov.uk). " + suppression_note())
    return Section([chart, t1, t2])


def mix(ctx, rpt: Report) -> Section:
    """Disposition mix against England and the region (table and chart)."""
    cols, table = mix_comparison(ctx)
    t = rpt.table(
        table, "uc_disposition_mix",
        "Clinical assessment and final dispositions: the area against its region and England",
        formats=dict.fromkeys(cols, _pct(1)), labels={"measure": "Measure"},
        note="IUC ADC definitions: assessed = D01/C01; ambulance E02, ED E04, primary care "
             "E07+E08+E10+E11, dental E12, self care E16 and appointments booked G01, each over "
             "all final dispositions E01. Case-level shares use the same definitions (cases "
             "with a final disposition). Published figures: NHS England IUC ADC 2024-25 "
             "(England; Midlands contract area 111AL7). Blank: not in the source.")
    fig = charts.mix(cols, f"Clinical assessment and dispositions: {ctx.data_area} against "
                           f"its contract, region and England, {ctx.period_label}")
    keys = charts.mix_sources(cols)
    first = keys[0] if keys else ""
    alt = ("Grouped bars of the share of calls assessed by a clinician and of final "
           "dispositions to ambulance, ED, primary care, self care and booked appointments, "
           f"for {', '.join(keys)}. {first}: "
           + ", ".join(f"{charts.MIX_NAMES[m].replace(chr(10), ' ')} "
                       f"{cols[first].get(m, math.nan):.1%}"
                       for m in charts.MIX_MEASURES_SHOWN
                       if first and not pd.isna(cols[first].get(m, math.nan)))
           + ".")
    chart = rpt.chart(fig, "uc_disposition_mix", alt,
                      "NHS England IUC ADC; " + (_source_cases(ctx) if ctx.has_cases
                                                 else "published shares"))
    if not ctx.has_cases:
        return Section([t, chart])
    dc = _suppress(ctx.dispositions, ["cases"], dependent={"cases": ["share"]}, by="kind")
    extra = rpt.table(dc, "uc_dispositions_onward",
                      f"Cases by disposition and onward service, {ctx.area.short_name}",
                      formats={"cases": _supp(fmt_int), "share": _supp(_pct(1))},
                      labels={"kind": "", "category": "Category", "cases": "Cases",
                              "share": "Share of cases"},
                      note=f"Source: {_source_cases(ctx)}. " + suppression_note())
    return Section([t, chart, extra])


def flows(ctx, rpt: Report):
    """Flows to ED, frailty, paediatrics and primary care (table)."""
    if not ctx.has_cases:
        return _unavailable("flows")
    ft = _suppress(ctx.flows, ["cases"], dependent={  # flows overlap: no sum is published
        "cases": ["share", "per_week", "assessed_share", "out_of_hours_share"]}, additive=False)
    return rpt.table(
        ft, "uc_flows", f"Onward flows from NHS 111, {ctx.area.short_name}",
        formats={"cases": _supp(fmt_int), "share": _supp(_pct(1)),
                 "per_week": _supp(fmt_dp(0)), "assessed_share": _supp(_pct(0)),
                 "out_of_hours_share": _supp(_pct(0))},
        labels={"flow": "Flow", "cases": "Cases", "share": "Share of all cases",
                "per_week": "Per week", "assessed_share": "Clinically assessed",
                "out_of_hours_share": "Out of GP hours"},
        note=f"Source: {_source_cases(ctx)}. Frailty: aged 75 or over; paediatrics: under 16. "
             "Out of GP hours: weekdays 18:30-08:00, weekends and bank holidays. "
             + suppression_note())


def ae_arrivals(ctx, rpt: Report):
    """A&E arrivals by hour of week from the ECDS table (chart)."""
    if ctx.ecds is None:
        return _unavailable("ae_arrivals")
    e = ctx.ae_per_hour
    fy = e.attrs["financial_year"]
    tot, amb = e["total"].to_numpy(float), e["ambulance"].to_numpy(float)
    k = int(tot.argmax())
    fig = charts.ae_arrivals(e, f"A&E arrivals peak {DAY_SHORT[k // 24]} {k % 24:02d}:00, "
                                f"walk-ins rising from 08:00, England (not the area), {fy}")
    alt = (f"Stacked area chart of A&E arrivals per hour across the week, England {fy}: "
           f"peak {DAY_SHORT[k // 24]} {k % 24:02d}:00 with {tot[k]:,.0f} an hour; "
           f"{amb.sum() / tot.sum():.0%} arrive by ambulance, more at night.")
    return rpt.chart(fig, "uc_ae_arrivals_hour_of_week", alt,
                     f"NHS England, A&E attendances by time of day "
                     f"({Path(ctx.paths['uc_ecds']).name})")


def setting_demand_chart(ctx, rpt: Report):
    """One chart laying the GP-suitable demand of each setting across the week."""
    wl = ctx.workload
    if wl.empty:
        return _unavailable("setting_demand")
    parts = []
    for s in wl.columns:
        v = wl[s].to_numpy(float)
        k = int(v.argmax())
        parts.append(f"{SETTINGS[s]} peaks {DAY_SHORT[k // 24]} {k % 24:02d}:00 ({v[k]:.1f})")
    peaks = ", ".join(f"{charts.SHORT[c]} {DAY_SHORT[int(wl[c].to_numpy(float).argmax()) // 24]}"
                      for c in wl.columns)
    fig = charts.setting_demand(wl, ctx.workload_peaks, (
        f"GP-suitable workload peaks on different days by setting ({peaks}), "
        f"{ctx.data_area}, {ctx.period_label}"))
    alt = ("Stacked panels, one per setting, of GP-suitable workload per hour across the week; "
           "the top quarter of each setting's hours are coloured. " + "; ".join(parts) + ".")
    src = "; ".join(filter(None, [
        _source_cases(ctx) if ctx.has_cases else "",
        "NHS England A&E attendances by time of day" if ctx.ecds is not None else ""]))
    return rpt.chart(fig, "uc_setting_demand_week", alt, src)


def setting_notes(ctx) -> Markdown:
    """How each setting's GP-suitable demand is defined."""
    sp = ctx.staffing_params
    return Markdown(render("urgent_care_setting_notes.md.j2",
                       plan_percentile=f"{sp.plan_percentile:.0f}",
                       ed_gp_share=f"{sp.ed_gp_share:.0%}",
                       scale=f"{ctx.ed_scale:.3%} of England" if ctx.ed_scale
                       else "not estimated"))


def staffing(ctx, rpt: Report) -> Section | Html:
    """Erlang C parameters, clinicians per hour (chart) and hours per week by setting."""
    if ctx.staff.empty:
        return _unavailable("staffing")
    sp = ctx.staffing_params
    t0 = rpt.table(
        ctx.staffing_table, "uc_staffing_parameters", "Erlang C parameters by setting",
        formats={"aht_minutes": fmt_dp(1), "target_minutes": fmt_int,
                 "service_level": _pct(0)},
        labels={"setting": "Setting", "aht_minutes": "Handling time (min)",
                "target_minutes": "Target (min)", "service_level": "Within target",
                "open": "Hours"},
        note=f"All settings: maximum occupancy {sp.max_occupancy:.0%}, shrinkage "
             f"{sp.shrinkage:.0%} (rostered = on duty / (1 - shrinkage)); demand in a busy "
             f"week (mean week x {sp.plan_percentile:.0f}th percentile / mean of weekly "
             "totals). IUCS handling time is the mean clinical contact time in the data.")
    summ = ctx.staff_summary
    fig = charts.clinicians(ctx.staff, (
        f"Clinicians to roster by hour of week: {fmt_int(summ['rostered_hours'].sum())} "
        f"rostered hours a week across the settings (Erlang C, after shrinkage), "
        f"{ctx.data_area}, {ctx.period_label}"))
    alt = ("Step chart of clinicians rostered per hour of the week by setting. Hours per week: "
           + "; ".join(f"{SETTINGS[r.setting]} {r.rostered_hours:,.0f}"
                       for r in summ.itertuples()) + ".")
    chart = rpt.chart(fig, "uc_clinicians_by_hour", alt, "Erlang C on the demand above")
    rpt.save_table(ctx.clinicians_by_hour, "uc_clinicians_by_hour")
    t1 = rpt.table(
        summ.assign(setting=summ["setting"].map(SETTINGS)), "uc_clinical_hours",
        "Clinical hours per week implied by the demand, by setting",
        formats={"arrivals_per_week": fmt_int, "clinician_hours": fmt_int,
                 "rostered_hours": fmt_int, "peak_clinicians": fmt_int,
                 "hours_staffed": fmt_int},
        labels={"setting": "Setting", "arrivals_per_week": "GP-suitable patients a week",
                "clinician_hours": "Clinician hours on duty", "rostered_hours":
                "Rostered hours", "peak_clinicians": "Peak clinicians on duty",
                "hours_staffed": "Hours of the week staffed"},
        note="Hour-by-hour figures: tables/uc_clinicians_by_hour.csv. Hours: each setting's "
             "opening hours (as in the parameters table and the job plans).")
    return Section([t0, chart, t1, floor_text(ctx)])


def floor_text(ctx) -> Markdown:
    """Where the floor of one clinician per open hour drives the need, in numbers."""
    fl = ctx.floor
    if fl.empty:
        return Markdown("")
    parts = []
    for r in fl.itertuples():
        parts.append(f"{SETTINGS[r.setting]}: {r.floor_hours} of {r.hours_with_demand} hours "
                     f"at the floor, adding {r.floor_added_hours:,.0f} of "
                     f"{r.clinician_hours:,.0f} clinician-hours ({r.floor_added_share:.0%})")
    top = fl.loc[fl["floor_added_share"].idxmax()]
    return Markdown(
        "**The floor of one clinician.** Erlang C needs at least one clinician on duty in "
        "every open hour in which any patient may arrive, however few. In those hours the "
        "clinician is mostly waiting: the floor adds the clinician-hours on duty beyond the "
        "workload (arrivals x handling time). " + "; ".join(parts) + ". "
        + (f"The floor drives the result for {SETTINGS[top.setting]}: most of its need is "
           "one clinician being open, not patients waiting; shorter opening hours or a "
           "shared clinician would change it more than demand does."
           if top.floor_added_share >= 0.25 else
           "The floor adds little: the need follows the demand."))


def job_plans(ctx, rpt: Report) -> Section:
    """Rules, week grids of each option, and their comparison by the need they meet."""
    rules = Html(render("urgent_care_job_plan_rules.html.j2", rules=ctx.rules.describe(),
                        errors=ctx.plan_errors))
    if not ctx.plans:
        return Section([rules])
    comp = ctx.plan_comparison
    best = ctx.best_plan
    fig = charts.job_plans(ctx.plans, ctx.need, (
        f"Job plans placed on the clinicians needed: {best['option']} meets the most need "
        f"above the staffed floor ({best['need_met']:,.0f} clinician-hours a week with "
        f"{ctx.rules.rota_posts} GPs on it), {ctx.data_area}, {ctx.period_label}"))
    alt = "Week grids of the job plans over the clinicians needed each hour. " + " ".join(
        f"{name}: " + "; ".join(s.label().replace(f" {s.setting}", f" {PLAN_SETTINGS[s.setting]}")
                                for s in sessions) + "."
        for name, sessions in ctx.plans.items())
    chart = rpt.chart(fig, "uc_job_plans", alt,
                      "Job plans generated on the clinicians needed by hour of week (Erlang C "
                      "above), under the rules stated")
    rpt.save_table(ctx.plan_sessions, "uc_job_plan_sessions")
    labels = {"option": "Option", "night_sessions": "Night sessions",
              "weekend_sessions": "Weekend sessions", "saturday_sessions": "Saturday sessions",
              "need_met": "Need above the floor met (clinician-hours a week)",
              "need_total": "Need above the floor (clinician-hours a week)",
              "share_of_need_met": "Share of the need above the floor met",
              "mean_need_in_hours_worked": "Clinicians needed in the hours worked (mean)"}
    for s in PLAN_SETTINGS:
        labels[f"{s}_sessions"] = f"{PLAN_SETTINGS[s]} sessions"
        labels[f"{s}_need_met"] = f"{PLAN_SETTINGS[s]} need met"
    formats = {c: fmt_int for c in comp.columns if c.endswith("sessions")}
    formats.update({c: fmt_dp(0) for c in comp.columns if c.endswith("need_met")})
    formats.update({"need_total": fmt_int, "share_of_need_met": _pct(1),
                    "mean_need_in_hours_worked": fmt_dp(2)})
    t = rpt.table(
        comp, "uc_job_plan_comparison",
        f"Job-plan options compared by the clinician-hours of need above the floor they "
        f"meet, {ctx.data_area}, "
        f"{ctx.period_label}",
        formats=formats, labels=labels,
        note=f"What the score measures: the clinician-hours a week of need above the "
             f"{ctx.rules.staffed_floor} clinician(s) each setting already has on duty in "
             f"every open hour (the floor) that {ctx.rules.rota_posts} GPs working the plan "
             "would meet. Need: clinicians required on duty in each hour of the week by Erlang "
             "C, in each setting's opening hours. Need met: min(GPs on the plan, need above "
             "the floor) summed over the hours worked. An hour needing only the floor counts "
             "nothing, so the options differ by whether they work the hours that need a "
             "second or third clinician; among plans meeting as much, each is placed on the "
             "busiest days, then the busiest hours, of its settings' workload. "
             + ("Here every option meets the same need: every hour the options work needs "
                "at least as many clinicians above the floor as there are GPs on the plan, so "
                "placement changes only how busy the hours worked are. "
                if comp["need_met"].nunique() == 1 and len(comp) > 1 else "")
             + "Sessions, one row each: "
             "tables/uc_job_plan_sessions.csv.")
    return Section([rules, chart, t])


def costs(ctx, rpt: Report) -> Section:
    """Cost of the salaried role against sessional and locum cover, break-even, cost base."""
    p, sal = ctx.costs, ctx.salaried
    t0 = rpt.table(
        uco.salaried_cost_table(p), "uc_salaried_cost",
        "Annual cost of the salaried Extended Portfolio GP post",
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
    t1 = rpt.table(
        uco.role_costs(p), "uc_cost_per_session",
        "Cost per clinical session: salaried, sessional and locum",
        formats={"cost_per_clinical_session": _money, "cost_per_year": _money,
                 "difference_vs_salaried": _money},
        labels={"option": "Option", "cost_per_clinical_session": "Per clinical session",
                "cost_per_year": "For the post's clinical sessions a year",
                "difference_vs_salaried": "Difference vs salaried"},
        note=f"Sessional: {_money(p.sessional_rate_per_hour)} an hour x "
             f"{p.session_hours:g} hours (assumption; no employer on-costs). Locum: up to "
             f"{p.locum_premium:.0%} more than a salaried GP (LLR GP workforce plan). LLR "
             "basis: GBP 112,000 a year per 9-session WTE including pension and indemnity.")
    t2 = rpt.table(
        uco.break_even(p), "uc_break_even",
        "Break-even: sessions a week the post must take from other cover",
        formats={"rate_per_session": _money, "break_even_sessions_per_week": fmt_dp(1),
                 "clinical_sessions_per_week": fmt_int,
                 "breaks_even": lambda b: "yes" if b else "no"},
        labels={"replacing": "Cover replaced", "rate_per_session": "Its cost per session",
                "break_even_sessions_per_week": "Break-even sessions a week",
                "clinical_sessions_per_week": "Clinical sessions the post offers",
                "breaks_even": "Pays for itself"},
        note="Break-even = annual cost of the post / (cost per session replaced x working "
             "weeks).")
    cb = ctx.cost_base
    if cb.table is None:
        return Section([t0, t1, t2])
    t3 = rpt.table(
        cb.table, "uc_cost_base_effect", "Effect on the IUCS provider's annual GP cost base",
        formats={"posts": fmt_int, "sessions_by_posts": fmt_int, "sessions_bought": fmt_int,
                 "cost_of_posts": _money, "cost_of_bought_sessions": _money, "total": _money,
                 "change_vs_none": _money, "change_pct": _pct(1)},
        labels={"posts": "Salaried posts", "sessions_by_posts": "IUCS sessions by posts",
                "sessions_bought": "Sessions bought", "cost_of_posts": "Posts (IUCS share)",
                "cost_of_bought_sessions": "Sessional and locum", "total": "Total",
                "change_vs_none": "Change", "change_pct": "Change %"},
        note=f"The provider needs {cb.need:,.1f} GP sessions a week (IUCS rostered hours "
             f"{cb.iucs_hours:,.0f} x GP share of clinical minutes {cb.gp_share:.0%} / "
             f"{p.session_hours:g} hours), every week of the year, bought sessionally with "
             "20% at locum rates. Each post works the IUCS sessions of the best-covering "
             f"plan ({cb.best_option}: {cb.per_post:g} a week) and is charged pro rata.")
    return Section([t0, t1, t2, t3])


def caveat_list(ctx) -> list[str]:
    """The chapter's caveats, one string each."""
    md = render("urgent_care_caveats.md.j2", modelled=ctx.cases_source == "modelled")
    return [md_plain(line[2:]) for line in md.splitlines() if line.startswith("- ")]


def caveats_md(ctx) -> Markdown:
    """Where the chapter's caveats are: with every chapter's, under Caveats at the end of the
    report (recorded by :func:`record`), so that they are printed once."""
    n = len(caveat_list(ctx))
    return Markdown(f"### Caveats (urgent care)\n\nThe chapter's {n} caveats are listed with "
                    "every chapter's under [Caveats](#caveats) at the end of the report.")


def record(ctx, rpt, parameters: dict) -> None:
    """Record the chapter's inputs, parameters and caveats for the closing section."""
    rpt.record_inputs("Urgent care", {INPUT_LABELS[k]: v for k, v in ctx.paths.items()})
    rpt.record_parameters("Urgent care", {k: v for k, v in parameters.items()
                                          if k not in ("area_slug", "area_kind")})
    rpt.record_caveats("Urgent care", caveat_list(ctx))


def plan_generation_seconds(area_slug: str, repeats: int = 3) -> tuple[float, int]:
    """Median seconds to generate every job-plan option of an area, uncached (``make bench``).

    The chapter's inputs are loaded once first; only :func:`generate_job_plan` is timed.
    Returns the seconds and the number of options.
    """
    import statistics
    import time

    from analysis.models.urgent_care import job_plans as ujp
    from analysis.models.urgent_care.context import load_context

    ctx = load_context(area_slug)
    quotas = [q for q in (ujp.available_quotas(o, list(ctx.need.columns))
                          for o in ctx.options.values()) if q is not None]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for q in quotas:
            ujp.generate_job_plan(ctx.need, q, ctx.rules, workload=ctx.workload)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(quotas)


def job_plan_bench_line(area_slug: str) -> str:
    """The ``make bench`` line for job-plan generation (:func:`plan_generation_seconds`)."""
    seconds, n = plan_generation_seconds(area_slug)
    return f"job plans ({area_slug}, {n} options, uncached):                  {seconds:.2f} s"
