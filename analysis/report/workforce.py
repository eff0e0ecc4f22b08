"""Narrative and table layout for the workforce chapter (notebook 02).

Each function takes the :class:`analysis.tables.context.WorkforceContext` and returns one
displayable part of the report (a :class:`~analysis.report.rendering.Table`,
:class:`~analysis.report.rendering.Chart`, :class:`~analysis.report.rendering.Markdown` from a
template, or a :class:`~analysis.report.rendering.Section` of them), so a notebook cell ends in
an object an analyst can inspect (``table.df``) and the notebook stays a sequence of short calls.
"""

from __future__ import annotations

import pandas as pd

from analysis.report.charts import role_chart
from analysis.report.rendering import (
    Chart,
    Markdown,
    Report,
    Section,
    Table,
    fmt_dp,
    fmt_int,
    render,
)
from analysis.tables import workforce as workforce

SUMMARY_LABELS = {"area": "", "practices": "Practices", "patients": "Patients",
                  "gp_hc": "GP headcount", "gp_hc_55_plus": "GP headcount aged 55 or over",
                  "gp_hc_60_plus": "GP headcount aged 60 or over", "gp_fte": "GP FTE"}
SUMMARY_FORMATS = {"practices": fmt_int, "patients": fmt_int, "gp_hc": fmt_int,
                   "gp_hc_55_plus": fmt_int, "gp_hc_60_plus": fmt_int, "gp_fte": fmt_dp(1)}


CHART_LABELS = {"gp_excl_registrars_retainers_locums": "GP (excl. registrars,\nretainers, locums)",
                "nurse_incl_anp": "Nurse\n(incl. ANP)", "anp": "ANP", "hca": "HCA",
                "pharmacist": "Pharmacist"}


def _date(ts) -> str:
    return pd.Timestamp(ts).strftime("%-d %B %Y")


def summary_table(ctx, rpt: Report) -> Table:
    """The Black Country-style "Number of GPs and practices" table."""
    method = ctx.summary.attrs.get("headcount_method", "")
    return rpt.table(
        ctx.summary, "gp_summary",
        f"Number of GPs and practices across {ctx.stp.name}, {_date(ctx.snapshots['summary'])}",
        formats=SUMMARY_FORMATS, labels=SUMMARY_LABELS, highlight=ctx.area.name,
        note=("Source: NHS Payments to General Practice (practices open on the date, registered "
              "patients); NHS Digital General Practice Workforce (GP FTE); headcount: "
              f"{method}. GP figures include registrars, retainers and locums."))


def headcount_note(ctx) -> Markdown:
    """Why headcount does not add up across practices (``workforce_headcount_note.md.j2``)."""
    people = int(ctx.area_row["gp_hc"])
    practice_sum = workforce.practice_headcount_sum(ctx.gpw_summary, list(ctx.area.members))
    by_people = ctx.summary.attrs.get("headcount_method") == workforce.METHOD_PEOPLE
    return Markdown(render("workforce_headcount_note.md.j2", by_people=by_people,
                           area=ctx.area.short_name, practice_sum=fmt_int(practice_sum),
                           people=fmt_int(people), extra=fmt_int(practice_sum - people)))


def indicator_tables(ctx, rpt: Report) -> Section:
    """Patients per FTE and FTE per 1,000 patients by role, with England."""
    ind = ctx.indicators
    date = _date(ctx.snapshots["indicators"])
    labels = {"area": "", **workforce.ROLE_LABELS}
    roles = list(workforce.ROLE_MEASURES)
    src = ("Source: NHS Digital General Practice Workforce, practice level, "
           f"{date}; practices with no valid data for a role ('ND'/'NA') are left out of both "
           "patients and FTE for that role.")
    a = rpt.table(ind.patients_per_fte.reset_index(), "patients_per_fte",
                  f"Patients per role FTE, {ctx.stp.short_name} CCGs and England, {date}",
                  formats=dict.fromkeys(roles, fmt_int),
                  labels=labels, highlight=ctx.area.short_name, note=src)
    b = rpt.table(ind.fte_per_1000.reset_index(), "fte_per_1000",
                  f"Clinical roles FTE per 1,000 patients, {ctx.stp.short_name} CCGs and England, "
                  f"{date}",
                  formats=dict.fromkeys(roles, fmt_dp(2)), labels=labels,
                  highlight=ctx.area.short_name, note=src)
    return Section((a, b))


def indicator_chart(ctx, rpt: Report, target: float) -> Chart:
    """Chart of FTE per 1,000 patients by role."""
    df = ctx.indicators.fte_per_1000
    own = [ctx.area.short_name] if ctx.area.kind == "ccg" else list(df.index[1:])
    fig = role_chart(df, highlight=["England"] + own, target=target,
                     labels=CHART_LABELS,
                     title=f"Clinical staff FTE per 1,000 patients, {ctx.stp.short_name} CCGs "
                           "and England")
    gp = df["gp_excl_registrars_retainers_locums"]
    alt = (f"Bar chart of FTE per 1,000 patients by role for England and the "
           f"{ctx.stp.short_name} CCGs. GPs (excluding registrars, retainers and locums): "
           + ", ".join(f"{a} {v:.2f}" for a, v in gp.items())
           + f"; target {target:.2f}.")
    eng = gp.get("England")
    below = [a for a, v in gp.items() if a != "England" and eng is not None and v < eng]
    title = (f"{ctx.area.short_name} has {gp[ctx.area.short_name]:.2f} fully qualified GP FTE "
             f"per 1,000 patients, England {eng:.2f}"
             if ctx.area.kind == "ccg" and ctx.area.short_name in gp and eng is not None
             else f"{len(below)} of {len(gp) - 1} {ctx.stp.short_name} CCGs have fewer fully "
                  "qualified GPs per 1,000 patients than England")
    return rpt.chart(fig, "fte_per_1000_by_role", alt,
                     "NHS Digital General Practice Workforce, practice level", title=title,
                     context=f"{ctx.stp.short_name} CCGs and England, {date_of(ctx)}")


def date_of(ctx) -> str:
    """The date of the practice-level indicators the role chart shows."""
    return _date(ctx.snapshots["indicators"])


def completeness(ctx, rpt: Report) -> Section:
    """Practice reference reconciliation, estimate flags and role coverage."""
    codes = list(ctx.area.members)
    rec = workforce.reference_reconciliation(ctx.reference, ctx.reference_open,
                                             ctx.gpw_summary, codes, ctx.snapshots["summary"])
    flags = workforce.source_flags(ctx.gpw_summary, codes)
    cov = ctx.indicators.coverage
    cov = cov[cov["area"].isin([ctx.area.short_name] if ctx.area.kind == "ccg"
                               else [a.short_name for a in ctx.ccgs] + ["England"])]
    return Section((
        rpt.table(rec, "practice_reconciliation",
                  f"Practices: reference against workforce release, {ctx.area.short_name}",
                  formats={"practices": fmt_int},
                  labels={"check": "Check", "practices": "Practices"}),
        rpt.table(flags, "estimate_flags",
                  f"Practices by NHS Digital estimate flag (*_SOURCE), {ctx.area.short_name}",
                  formats={"practices": fmt_int},
                  labels={"staff_group": "Staff group", "source": "Flag",
                          "practices": "Practices"}),
        rpt.table(cov.assign(role=cov["role"].map(workforce.ROLE_LABELS)),
                  "indicator_coverage", "Practices with valid data for each role",
                  formats={"practices_valid": fmt_int, "practices_missing": fmt_int,
                           "patients": fmt_int, "fte": fmt_dp(1)},
                  labels={"area": "Area", "role": "Role", "practices_valid": "Valid",
                          "practices_missing": "ND/NA", "patients": "Patients", "fte": "FTE"}),
    ))


def caveats() -> list[str]:
    """This chapter's caveats, one per bullet of ``workforce_caveats.md.j2``."""
    return bullets("workforce_caveats.md.j2")


def bullets(template: str, **context) -> list[str]:
    """The items of a Markdown bullet-list template ("- " lines), as plain strings."""
    return [line[2:].strip() for line in render(template, **context).splitlines()
            if line.startswith("- ")]


def record(ctx, rpt: Report, target: float) -> None:
    """Record this chapter's headline facts, inputs, parameters and caveats."""
    r = ctx.area_row
    g = ctx.gpw_summary[ctx.gpw_summary["SUB_ICB_CODE"].isin(list(ctx.area.members))]
    rpt.headline(
        "workforce", practices=int(r["practices"]), patients=int(r["patients"]),
        gp_hc=int(r["gp_hc"]), gp_hc_55_plus=int(r["gp_hc_55_plus"]),
        share_55_plus=(r["gp_hc_55_plus"] / r["gp_hc"]) if r["gp_hc"] else None,
        gp_fte=float(r["gp_fte"]), gp_fte_per_1000=float(r["gp_fte"] / r["patients"] * 1000),
        target=target, gap_fte=float(target * r["patients"] / 1000 - r["gp_fte"]),
        date=_date(ctx.snapshots["summary"]),
        estimated_practices=int((g["GP_SOURCE"] != "Fully provided").sum()),
        practices_in_release=int(len(g)), nd_practices=int(g["TOTAL_GP_FTE"].isna().sum()))
    rpt.record_inputs("Workforce tables", {k.replace("_", " "): v for k, v in ctx.paths.items()})
    rpt.record_parameters("Workforce tables", {k: str(v.date())
                                               for k, v in ctx.snapshots.items()})
    rpt.record_caveats("Workforce tables", caveats())
