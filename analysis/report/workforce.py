"""Narrative and table layout for the workforce chapter (notebook 01).

Each function takes the :class:`analysis.tables.context.WorkforceContext` and returns HTML or
Markdown
for one part of the report, so the notebook stays a sequence of short calls.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.report.rendering import Report, fmt_dp, fmt_int, role_chart
from analysis.tables import workforce as workforce
from analysis.util import provenance as provenance

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


def title(ctx) -> str:
    """Report heading (Markdown)."""
    return (f"# GP workforce: {ctx.area.name}\n\n"
            f"Practices, GPs and clinical roles across {ctx.stp.name}, at "
            f"{_date(ctx.snapshots['summary'])}. Demo data are synthetic (see Provenance).")


def key_figures(ctx, target: float) -> str:
    """Summary bullets for the report's own area (Markdown)."""
    r = ctx.area_row
    per_1000 = r["gp_fte"] / r["patients"] * 1000
    share55 = r["gp_hc_55_plus"] / r["gp_hc"] if r["gp_hc"] else float("nan")
    gap = target * r["patients"] / 1000 - r["gp_fte"]
    gap_txt = (f"{fmt_dp(1)(gap)} FTE short of" if gap > 0
               else f"{fmt_dp(1)(-gap)} FTE above")
    return "\n".join([
        "## Key figures",
        "",
        f"- **{fmt_int(r['practices'])} practices** with **{fmt_int(r['patients'])} registered "
        f"patients** (practices open on {_date(ctx.snapshots['summary'])}).",
        f"- **{fmt_int(r['gp_hc'])} GPs** (headcount, each person once) working "
        f"**{fmt_dp(1)(r['gp_fte'])} FTE**.",
        f"- **{share55:.0%} of GPs are aged 55 or over** ({fmt_int(r['gp_hc_55_plus'])}); "
        f"{fmt_int(r['gp_hc_60_plus'])} are 60 or over.",
        f"- **{per_1000:.2f} GP FTE per 1,000 patients** against the target of {target:.2f}: "
        f"{gap_txt} the target.",
    ])


def summary_table(ctx, rpt: Report) -> str:
    """The Black Country-style "Number of GPs and practices" table (HTML)."""
    method = ctx.summary.attrs.get("headcount_method", "")
    return rpt.table_html(
        ctx.summary, "gp_summary",
        f"Number of GPs and practices across {ctx.stp.name}, {_date(ctx.snapshots['summary'])}",
        formats=SUMMARY_FORMATS, labels=SUMMARY_LABELS, highlight=ctx.area.name,
        note=("Source: NHS Payments to General Practice (practices open on the date, registered "
              "patients); NHS Digital General Practice Workforce (GP FTE); headcount: "
              f"{method}. GP figures include registrars, retainers and locums."))


def headcount_note(ctx) -> str:
    """Why headcount does not add up across practices (Markdown)."""
    codes = list(ctx.area.members)
    people = int(ctx.area_row["gp_hc"])
    practice_sum = workforce.practice_headcount_sum(ctx.gpw_summary, codes)
    method = ctx.summary.attrs.get("headcount_method")
    if method == workforce.METHOD_PEOPLE:
        extra = practice_sum - people
        return (f"**Headcount counts people, not posts.** As NHS Digital does, a GP who works "
                f"in two practices is one head in {ctx.area.short_name}: the practice "
                f"headcounts add up to {fmt_int(practice_sum)}, but they describe "
                f"{fmt_int(people)} people ({fmt_int(extra)} posts are held by GPs counted "
                f"in another practice too). FTE, by contrast, adds across practices. The STP "
                f"total row counts each person once across the STP.")
    return (f"**Headcount here is the sum of practice headcounts** ({fmt_int(practice_sum)}), "
            "because no staff-level records were supplied: a GP working in two practices is "
            "counted twice, so this overstates the number of people.")


def indicator_tables(ctx, rpt: Report) -> str:
    """Patients per FTE and FTE per 1,000 patients by role, with England (HTML)."""
    ind = ctx.indicators
    date = _date(ctx.snapshots["indicators"])
    labels = {"area": "", **workforce.ROLE_LABELS}
    roles = list(workforce.ROLE_MEASURES)
    src = ("Source: NHS Digital General Practice Workforce, practice level, "
           f"{date}; practices with no valid data for a role ('ND'/'NA') are left out of both "
           "patients and FTE for that role.")
    a = rpt.table_html(ind.patients_per_fte.reset_index(), "patients_per_fte",
                       f"Patients per role FTE, {date}",
                       formats=dict.fromkeys(roles, fmt_int), labels=labels,
                       highlight=ctx.area.short_name, note=src)
    b = rpt.table_html(ind.fte_per_1000.reset_index(), "fte_per_1000",
                       f"Clinical roles FTE per 1,000 patients, {date}",
                       formats=dict.fromkeys(roles, fmt_dp(2)), labels=labels,
                       highlight=ctx.area.short_name, note=src)
    return a + b


def indicator_chart(ctx, rpt: Report, target: float) -> str:
    """Chart of FTE per 1,000 patients by role (HTML)."""
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
    return rpt.figure_html(fig, "fte_per_1000_by_role", alt,
                           "NHS Digital General Practice Workforce, practice level")


def completeness(ctx, rpt: Report) -> str:
    """Practice reference reconciliation and estimate flags (HTML)."""
    codes = list(ctx.area.members)
    rec = workforce.reference_reconciliation(ctx.reference, ctx.reference_open,
                                             ctx.gpw_summary, codes, ctx.snapshots["summary"])
    flags = workforce.source_flags(ctx.gpw_summary, codes)
    cov = ctx.indicators.coverage
    cov = cov[cov["area"].isin([ctx.area.short_name] if ctx.area.kind == "ccg"
                               else [a.short_name for a in ctx.ccgs] + ["England"])]
    return (
        rpt.table_html(rec, "practice_reconciliation",
                       f"Practices: reference against workforce release, {ctx.area.short_name}",
                       formats={"practices": fmt_int}, labels={"check": "Check",
                                                               "practices": "Practices"})
        + rpt.table_html(flags, "estimate_flags",
                         f"Practices by NHS Digital estimate flag (*_SOURCE), "
                         f"{ctx.area.short_name}",
                         formats={"practices": fmt_int},
                         labels={"staff_group": "Staff group", "source": "Flag",
                                 "practices": "Practices"})
        + rpt.table_html(cov.assign(role=cov["role"].map(workforce.ROLE_LABELS)),
                         "indicator_coverage", "Practices with valid data for each role",
                         formats={"practices_valid": fmt_int, "practices_missing": fmt_int,
                                  "patients": fmt_int, "fte": fmt_dp(1)},
                         labels={"area": "Area", "role": "Role",
                                 "practices_valid": "Valid", "practices_missing": "ND/NA",
                                 "patients": "Patients", "fte": "FTE"})
    )


CAVEATS = [
    "The demo data are synthetic: generated by this project's code in the real NHS file "
    "layouts and calibrated to the published Black Country figures. They describe no real "
    "practice or person.",
    "Headcount is not additive across practices; FTE is. Area headcount counts each person "
    "once (NHS Digital's method) when staff-level records are supplied.",
    "The summary table and the role indicators come from different releases (the source "
    "document does not date them; its Dudley figures cannot both come from one release: "
    "1,984 patients per GP FTE on 318,335 patients implies 160 FTE, more than 155.4).",
    "GP FTE in the summary includes registrars, retainers and locums; the role indicators "
    "exclude them, as published.",
    "In current GPW releases 'GPs excluding registrars, retainers and locums' is derived as "
    "the EXTGL measure minus retainers; older releases publish it directly (EXRRL).",
    "'ND' (no valid data) and 'NA' (not available) are treated as missing, never as zero.",
    "Published rows and totals are each rounded: Black Country GP FTE rows sum to 681.5, the "
    "total is 681.6.",
]


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
    rpt.record_caveats("Workforce tables", CAVEATS)


def caveats_md() -> str:
    """The caveats list (Markdown); the full log is docs/assumptions.md."""
    return "## Caveats\n\n" + "\n".join(f"- {c}" for c in CAVEATS)


def provenance_html(ctx, parameters: dict) -> str:
    """Inputs with checksums, parameters, code version, run time and packages (HTML)."""
    rec = provenance.collect(ctx.paths, parameters)
    rows = "".join(
        f"<tr><td>{html.escape(i['input'])}</td><td><code>{html.escape(i['file'])}</code></td>"
        f"<td style='text-align:right'>{i['bytes']:,}</td>"
        f"<td><code>{i['sha256']}</code></td></tr>" for i in rec["inputs"])
    params = "".join(f"<li><code>{html.escape(str(k))}</code> = "
                     f"<code>{html.escape(str(v))}</code></li>"
                     for k, v in rec["parameters"].items())
    pkgs = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in rec["packages"].items())
    return (
        "<h2 id='provenance'>About this report: provenance</h2>"
        f"<p>Run {html.escape(rec['run_time_utc'])}; code version "
        f"<code>{html.escape(rec['code_version'])}</code>.</p>"
        "<div class='report-table'><table><caption>Input files</caption><thead><tr>"
        "<th>Input</th><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
        f"<p>Parameters:</p><ul>{params}</ul><p>Packages: {pkgs}.</p>"
    )
