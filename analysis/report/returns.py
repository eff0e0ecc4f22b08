"""Narrative, tables and charts for the local-returns parts of the report.

``data_quality`` belongs to notebook 01 (cleaning); ``llr_section``, ``local_summary`` and
``groups_section`` to notebook 02 (tables). Each returns a displayable object: a
:class:`~analysis.report.rendering.Section` of Markdown or HTML from the ``returns_*``
templates, :class:`~analysis.report.rendering.Table` and
:class:`~analysis.report.rendering.Chart` objects. Staff-level rows never reach the HTML:
everything here is aggregated, and small headcounts in practice-level and age tables are
suppressed, with a second headcount wherever a published total would reveal one
(:func:`analysis.report.disclosure.protect`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cleaning import pipeline as returns_pipeline
from analysis.cleaning import rules as cleaning
from analysis.config import input_path, project_path, registry, settings
from analysis.io import readers as readers
from analysis.report import charts as charts
from analysis.report import disclosure as disclosure
from analysis.report.rendering import (
    Html,
    Markdown,
    Report,
    Section,
    area_label,
    fmt_dp,
    fmt_int,
    render,
)
from analysis.report.workforce import SUMMARY_FORMATS, SUMMARY_LABELS, bullets
from analysis.tables import clusters as clusters
from analysis.tables import headline as headline
from analysis.tables import local as local_tables
from analysis.tables import returns as returns_tables
from analysis.validation import returns as returns_validation

SOURCE = "Local staff-level workforce returns (demo data: synthetic)"


def _sup_note() -> str:
    """The suppression sentence with a leading space, to follow another sentence."""
    note = disclosure.suppression_note()
    return f" {note}" if note else ""


def covered_area(ctx: returns_pipeline.ReturnsContext) -> str:
    """The area the returns cover in the report's period: the report's own area, or the names
    of its CCGs that sent returns when they are not all of them ("Wolverhampton" in the Black
    Country's report), as the summary says (:func:`analysis.tables.headline.returns_cover`)."""
    status = ctx.result.status
    seen = set(status.loc[status["period"].astype(str) == ctx.period, "ccg_code"].astype(str))
    names = {a.code: a.short_name for a in registry().values() if a.kind == "ccg"}
    own = headline.returns_cover(list(ctx.area.members), seen)
    if own is not None:
        return " and ".join(names.get(c, c) for c in own)
    if any(c in seen for c in ctx.area.members):
        return ctx.area.short_name
    # none of the area's own CCGs sent returns: the chapter shows its STP's
    stp = headline.returns_cover([a.code for a in ctx.ccgs], seen)
    return (" and ".join(names.get(c, c) for c in stp) if stp else ctx.stp.short_name) + (
        " (not the area)")


def no_returns_md(area_name: str) -> Markdown:
    """Chapter 1 for an area whose STP has no local returns."""
    return Markdown(render("returns_none.md.j2", heading=True, area=area_name))


def no_local_returns_md(area_name: str) -> Markdown:
    """The local-returns part of chapter 2 for an area with no local returns."""
    return Markdown(render("returns_none.md.j2", heading=False, area=area_name))


def record(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> None:
    """Record this chapter's headline facts, inputs and caveats."""
    now = ctx.result.status[ctx.result.status["period"] == ctx.period]["status"].value_counts()
    a = ctx.accounting
    rpt.headline("returns", period=ctx.period, received=int(now.get("received", 0)),
                 carried=int(now.get("carried forward", 0)),
                 estimated=int(now.get("estimated", 0)), raw=a["raw"], kept=a["kept"],
                 corrected=a["corrected"], quarantined=a["quarantined"])
    rpt.record_inputs("Local returns", {"returns folder": ctx.folder,
                                        "practice reference": input_path("practice_reference"),
                                        "role lookup": project_path(settings().returns.lookup)})
    rpt.record_parameters("Local returns", {"period": ctx.period,
                                            "periods": ", ".join(ctx.periods)})
    rpt.record_caveats("Local returns", bullets("returns_caveats.md.j2"))


# ---------------------------------------------------------------------------------------------
# Notebook 01: data quality
# ---------------------------------------------------------------------------------------------
def data_quality_md(ctx: returns_pipeline.ReturnsContext) -> Markdown:
    """Headline of the cleaning: files, rows kept/corrected/quarantined, returns received."""
    a = ctx.accounting
    now = ctx.result.status[ctx.result.status["period"] == ctx.period]
    counts = now["status"].value_counts()
    return Markdown(render(
        "returns_data_quality.md.j2", stp=ctx.stp.name, files=len(ctx.files),
        **{k: f"{a[k]:,}" for k in ("raw", "kept", "corrected", "quarantined")},
        period=ctx.period, received=counts.get("received", 0),
        carried=counts.get("carried forward", 0), estimated=counts.get("estimated", 0),
        missing=counts.get("missing", 0), practices=len(now),
        resubmitted=cleaning.resubmitted_returns(ctx.result.audit)))


def data_quality_tables(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> Section:
    """Returns by status, rows by rule, unknown labels, unmapped columns."""
    status = cleaning.returns_summary(ctx.result.status)
    parts = [rpt.table(status, "returns_status", "Practice returns by period and CCG",
                       formats={c: fmt_int for c in status.columns[2:]},
                       labels={"period": "Period", "ccg_code": "CCG", "received": "Received",
                               "carried forward": "Carried forward",
                               "estimated": "Estimated", "missing": "Missing",
                               "practices": "Practices"},
                       note="Carried forward: the practice's latest earlier return is used. "
                            "Estimated: rows copied from the practice of the nearest list "
                            "size in the CCG, WTE scaled by the list-size ratio.")]
    rules = quarantine_counts(ctx)
    parts.append(rpt.table(rules, "returns_rows_by_rule",
                           "Raw rows corrected by rule and quarantined by reason",
                           formats={"rows": fmt_int},
                           labels={"outcome": "Outcome", "rule_or_reason": "Rule or reason",
                                   "rows": "Rows"},
                           note="A row corrected by several rules is counted under each."
                           + _sup_note()))
    labels, hidden = disclosure.unlisted_text(
        returns_tables.unknown_role_labels(ctx.result.quarantine), "label", "unlisted label")
    labels = _protect_labels(labels, rules)
    if len(labels):
        parts.append(rpt.table(labels, "returns_unknown_labels",
                               "Role labels not in the lookup (quarantined, not guessed)",
                               formats={"rows": fmt_int},
                               labels={"label": "Label", "rows": "Rows"},
                               note=" ".join(filter(None, [
                                   "Add each label to config/returns_lookup.yaml with its "
                                   "staff group and role to include these rows.", hidden]))))
    moved = area_mismatches(ctx)
    if len(moved):
        parts.append(rpt.table(moved, "returns_area_mismatches",
                               "Practices placed in different areas by two sources (flagged; "
                               "counted where the practice reference puts them)",
                               labels={"practice_code": "Practice", "source_a": "Source A",
                                       "area_a": "Area in source A", "source_b": "Source B",
                                       "area_b": "Area in source B"},
                               note="Check the practice's CCG with the commissioner; the "
                                    "practice reference decides where its staff are counted."))
    unmapped, hidden = disclosure.unlisted_text(ctx.unmapped, "column", "unlisted column")
    if len(unmapped):
        parts.append(rpt.table(unmapped, "returns_unmapped_columns",
                               "Columns in the returns that the lookup does not recognise "
                               "(ignored)", labels={"file": "File", "column": "Column"},
                               note=hidden or None))
    return Section(tuple(parts))


def area_mismatches(ctx: returns_pipeline.ReturnsContext) -> pd.DataFrame:
    """Practices whose area differs between the returns, the practice reference and the GPW
    practice file (:func:`analysis.tables.returns.returns_area_mismatches`,
    :func:`~analysis.tables.returns.gpw_area_mismatches`)."""
    codes = {a.code for a in registry().values() if a.kind == "ccg"}
    members = [a.code for a in ctx.ccgs]
    parts = [returns_tables.returns_area_mismatches(ctx.result.audit, ctx.reference, members,
                                                    codes)]
    gpw_path = input_path("gpw_summary")
    if gpw_path is not None and Path(gpw_path).exists():
        gpw = readers.read_gpw_practice_csv(gpw_path)
        parts.append(returns_tables.gpw_area_mismatches(gpw, ctx.reference, members))
    return pd.concat(parts, ignore_index=True)


def quarantine_totals(rules: pd.DataFrame) -> disclosure.Totals:
    """The published sum of the rows-by-rule table: its quarantined rows add up to the
    headline's quarantined count (corrected rows are not additive: a row may have several)."""
    q = rules.index[rules["outcome"] == "quarantined"]
    return disclosure.Totals(columns=((tuple(q), None),))


def quarantine_counts(ctx: returns_pipeline.ReturnsContext) -> pd.DataFrame:
    """Raw rows corrected by rule and quarantined by reason, protected: a count of 1-4 staff
    rows is hidden, with a second quarantine count where the headline total would reveal it
    (:func:`analysis.report.disclosure.protect`)."""
    rules = cleaning.outcome_by_rule(ctx.result)
    return disclosure.protect(rules, "rows", totals=quarantine_totals(rules))


def _protect_labels(labels: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Unknown labels' row counts add up to the 'unknown role label' row of ``rules``: shown
    as a sum published there, or all hidden when that count is hidden."""
    if labels.empty or disclosure.mode() == "internal":
        return labels
    key = rules["rule_or_reason"] == "unknown role label"
    total = rules.loc[key, "rows"]
    if len(total) and total.isna().all():
        out = labels.copy()
        out["rows"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out.attrs["suppressed_cells"] = [(i, "rows") for i in out.index]
        return out
    return disclosure.protect(labels, "rows",
                              totals=disclosure.Totals(columns=((tuple(labels.index), None),)))


def data_quality(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> Section:
    """Chapter 1: the cleaning's headline and its data-quality tables."""
    return Section((data_quality_md(ctx), *data_quality_tables(ctx, rpt)))


# ---------------------------------------------------------------------------------------------
# Notebook 02: LLR tables
# ---------------------------------------------------------------------------------------------
T3_LABELS = {"ccg": "", "gp_hc": "Total GPs (excl. registrars)",
             "gp_wte": "WTE GPs (excl. registrars)", "nurses_hc": "Total nurses",
             "nurses_wte": "WTE nurses", "other_clinical_hc": "Total other clinical",
             "other_clinical_wte": "WTE other clinical",
             "admin_non_clinical_hc": "Total admin/non-clinical",
             "admin_non_clinical_wte": "WTE admin/non-clinical", "total_hc": "Total staff",
             "total_wte": "Total WTE"}
T8_LABELS = {"ccg": "", "population": "Population", "gp": "GPs", "gp_per_1000": "GPs per 1,000",
             "nurses": "Nurses", "nurses_per_1000": "Nurses per 1,000",
             "other_clinical": "Other clinical",
             "other_clinical_per_1000": "Other clinical per 1,000",
             "admin_non_clinical": "Admin", "admin_non_clinical_per_1000": "Admin per 1,000",
             "total": "Total", "total_per_1000": "Total per 1,000"}


def llr_section(ctx: returns_pipeline.ReturnsContext, rpt: Report, target: float) -> Section:
    """LLR Tables 2, 3, 4, 8, 9, 10, the published-figure check and the charts."""
    tabs = returns_tables.llr_tables(ctx)
    per = ctx.period
    parts: list = [Html(render("returns_llr_intro.html.j2", stp=ctx.stp.name, period=per))]
    t2 = tabs["table2"]
    parts.append(rpt.table(
        t2, "llr_table2_population", f"Population and general medical services ({per})",
        formats={"population": fmt_int, "practices": fmt_int, "average_list_size": fmt_int,
                 "gms": fmt_int, "pms": fmt_int, "apms": fmt_int},
        labels={"ccg": "", "population": "Population", "practices": "Practices",
                "average_list_size": "Average list size", "gms": "GMS", "pms": "PMS",
                "apms": "APMS"}, note="Source: practice reference (NHS Payments), practices "
                                      "open at the end of the period."))
    t3 = tabs["table3"]
    parts.append(rpt.table(
        returns_tables.table3_as_published(t3), "llr_table3_staff",
        f"Staffing numbers and WTE ({per})",
        formats={c: (fmt_int if c.endswith("_hc") else fmt_dp(0)) for c in t3.columns[1:]},
        labels=T3_LABELS, note=f"Source: {SOURCE}. Headcount counts each person once in a CCG. "
        "As in the plan, the total row adds the rounded CCG rows; Tables 4 and 8 round the "
        f"unrounded total ({t3['gp_wte'].iloc[-1]:,.1f} GP WTE)."))
    parts.append(rpt.table(
        tabs["table4"].assign(target=_target_row(ctx)), "llr_table4_gp_wte_trend",
        "WTE GPs (excl. registrars) by return period",
        formats={"gp_wte": fmt_dp(0), "target": fmt_int},
        labels={"period": "Period", "gp_wte": "WTE GPs", "target": "NHSE target by 2020"},
        note="Each period includes carried-forward and estimated practices."))
    t8 = tabs["table8"]
    parts.append(rpt.table(
        t8, "llr_table8_staff_per_1000", "Staff WTE per 1,000 registered patients",
        formats={c: (fmt_dp(2) if c.endswith("_per_1000") else fmt_int if c == "population"
                     else fmt_dp(0)) for c in t8.columns[1:]},
        labels=T8_LABELS, note=f"Target: {target:.2f} GP WTE per 1,000 patients."))
    parts.append(rpt.table(
        tabs["table9"], "llr_table9_pct_wte_over_55",
        "Percentage of staff WTE aged 55 and over by role",
        formats={"wte": fmt_dp(1), "wte_55_plus": fmt_dp(1), "pct_wte_over_55": _pct},
        labels={"staff_group": "Staff group", "job_role": "Job role", "wte": "WTE",
                "wte_55_plus": "WTE aged 55+", "pct_wte_over_55": "% over 55"},
        note="The total covers every role in the table, registrars included."))
    t10 = protect_locums(tabs["table10"])
    parts.append(rpt.table(
        t10, "llr_table10_locums", "Locum numbers",
        formats=dict.fromkeys(t10.columns[2:], _num),
        labels={"ccg": "CCG", "measure": "", "locum_covering_sickness_maternity_paternity":
                "Locum covering sickness/maternity/paternity",
                "locum_covering_vacancy": "Locum covering vacancy",
                "locum_other": "Locum - other", "total": "Grand total"},
        note=disclosure.suppression_note() or None))
    diffs = returns_validation.published_differences(tabs)
    if len(diffs):
        parts.append(Html(render("returns_published_differences.html.j2")))
        parts.append(rpt.table(
            diffs, "llr_published_differences", "Published cells that the data do not "
            "reproduce, and why", formats={"published": _num, "computed": _num,
                                           "unrounded": fmt_dp(3)},
            labels={"table": "Table", "row": "Row", "column": "Column",
                    "published": "Published", "computed": "Computed (rounded)",
                    "unrounded": "Computed (unrounded)", "explanation": "Why"}))
    rows = t3.iloc[:-1]
    parts.append(rpt.chart(
        charts.staff_group_chart(t3), "llr_staff_groups",
        "Bar charts of headcount and WTE by staff group for each CCG: "
        + "; ".join(f"{area_label(r['ccg'])} {r['total_hc']:,} staff, {r['total_wte']:,.0f} WTE"
                    for _, r in rows.iterrows()) + ".", SOURCE,
        title=staff_groups_title(t3),
        context=f"{ctx.area.short_name}, local workforce returns {ctx.period}"))
    parts.append(rpt.chart(
        charts.gp_per_1000_chart(t8, target), "llr_gp_wte_per_1000",
        "Horizontal bars of GP WTE per 1,000 patients: "
        + ", ".join(f"{area_label(c)} {v:.2f}" for c, v in zip(t8["ccg"], t8["gp_per_1000"],
                                                                 strict=True))
        + f"; dashed line at the target of {target:.2f}.", SOURCE,
        title=(f"{int((t8['gp_per_1000'].iloc[:-1] < target).sum())} of {len(t8) - 1} CCGs "
               f"have fewer than {target:.2f} GP WTE per 1,000 patients"),
        context=f"{ctx.area.short_name}, local workforce returns {ctx.period}"))
    parts.extend(pyramids(ctx, rpt))
    return Section(tuple(parts))


def staff_groups_title(t3: pd.DataFrame) -> str:
    """The staff-group chart's message: the CCG with the most staff and the area's totals."""
    rows, total = t3.iloc[:-1], t3.iloc[-1]
    top = rows.loc[rows["total_wte"].astype(float).idxmax()]
    return (f"{area_label(top['ccg'])} has the most staff of the {len(rows)} CCGs "
            f"({top['total_wte']:,.0f} of {total['total_wte']:,.0f} WTE); GPs (excl. "
            f"registrars) are {total['gp_wte'] / total['total_wte']:.0%} of the WTE")


def turnover_title(turnover: pd.DataFrame) -> str | None:
    """The turnover chart's message: each staff group's headcount at the start and end of the
    year of returns (headcounts are published in full; joiners and leavers may be hidden)."""
    parts = []
    for g, t in turnover.groupby("staff_group", sort=False):
        h = pd.to_numeric(t["headcount"], errors="coerce").dropna()
        if len(h):
            label = "GPs (excl. registrars)" if g == "GP" else str(g).lower()
            parts.append(f"{label} from {int(h.iloc[0]):,} to {int(h.iloc[-1]):,}")
    if not parts:
        return None
    text = "; ".join(parts)
    return f"Headcount in post: {text}"


LOCUM_COLUMNS = ["locum_covering_sickness_maternity_paternity", "locum_covering_vacancy",
                 "locum_other", "total"]


def locum_totals(heads: pd.DataFrame) -> disclosure.Totals:
    """Table 10's sums: each CCG's locum types add to its grand total, and the CCG rows of
    each column to the last (area) row."""
    return disclosure.Totals(rows=True, row_total="total",
                             columns=disclosure.column_groups(heads, total=heads.index[-1]))


def protect_locums(t10: pd.DataFrame) -> pd.DataFrame:
    """Table 10 protected: headcounts of 1-4 hidden, with second cells where a row or column
    total would reveal them (:func:`analysis.report.disclosure.protect`), and the WTE of every
    hidden headcount hidden with it (a WTE of 0.44 for one locum describes that person)."""
    heads = t10[t10["measure"] == "Headcount"].set_index("ccg")[LOCUM_COLUMNS]
    shown = disclosure.protect(heads, LOCUM_COLUMNS, totals=locum_totals(heads))
    cells = shown.attrs.get("suppressed_cells", [])
    if not cells:
        return t10
    out = t10.copy()
    for c in LOCUM_COLUMNS:
        out[c] = out[c].astype("Float64")
    for ccg, c in cells:
        out.loc[out["ccg"] == ccg, c] = pd.NA
    out.attrs["suppressed_cells"] = cells
    return out


def _target_row(ctx) -> list:
    """The STP's GP WTE target (config ``constants: gp_wte_target_2020``) on the last row."""
    targets = settings().constants.gp_wte_target_2020
    return [np.nan] * (len(ctx.periods) - 1) + [targets.get(ctx.stp.slug, np.nan)]


def _pct(v) -> str:
    return "" if pd.isna(v) else f"{v:.1f}%"


def _num(v) -> str:
    if pd.isna(v):
        return ""
    v = float(v)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"


OLDER_BANDS = ("55-59", "60-64", "65-69", "70+")


def pyramids(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> Section:
    """Age-gender pyramids (chart and table) for all staff and for GPs (registrars excluded)."""
    codes = ctx.member_codes or [a.code for a in ctx.ccgs]
    staff = ctx.staff[ctx.staff["ccg_code"].isin(codes)]
    cover = covered_area(ctx)
    out = []
    for group, name, label in ((None, "all_staff", "all staff"), ("GP", "gps", "GPs")):
        pyr = local_tables.age_gender_pyramid(staff, staff_group=group, period=ctx.period)
        table = pyr.reset_index()
        older_rows = table.index[table["age_band"].isin(OLDER_BANDS)]
        # the caption and alt text give the total and the number aged 55 or over
        shown = disclosure.protect(table, ["F", "M", "U"], totals=disclosure.Totals(
            blocks=(tuple(table.index), tuple(older_rows))))
        fig = charts.pyramid_chart(shown.set_index("age_band").astype("Float64").fillna(0),
                                   f"Headcount by age and gender: {label}")
        total = int(pyr[["F", "M", "U"]].to_numpy().sum())
        older = int(pyr.loc[[b for b in pyr.index if b in OLDER_BANDS],
                            ["F", "M", "U"]].to_numpy().sum())
        alt = (f"Population pyramid of {label} by five-year age band, women left and men "
               f"right: {total:,} people, {older:,} aged 55 or over.")
        out.append(rpt.chart(
            fig, f"pyramid_{name}", alt, SOURCE,
            title=(f"{older / total:.1%} of {label} ({older:,} of {total:,}) are aged 55 or over"
                   if total else None),
            context=f"{cover}, local workforce returns {ctx.period}"))
        if group == "GP":  # the summary's age risk quotes these (analysis.tables.headline)
            rpt.headline("returns_age", gps=total, gps_55_plus=older, period=ctx.period,
                         chart=f"pyramid_{name}")
        out.append(rpt.table(shown, f"pyramid_{name}", f"Headcount by age band and gender: "
                             f"{label}, {cover} ({ctx.period})",
                             formats={"F": fmt_int, "M": fmt_int, "U": fmt_int},
                             labels={"age_band": "Age band", "F": "Women", "M": "Men",
                                     "U": "Not known"},
                             note=disclosure.suppression_note() or None))
    return Section(tuple(out))


def returns_summary_row(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> Section:
    """The Black Country summary columns rebuilt from the returns for the area's CCGs."""
    codes = ctx.member_codes
    if not codes:
        return Section()
    return Section((
        Html(render("returns_gp_summary_intro.html.j2", area=covered_area(ctx),
                    period=ctx.period)),
        rpt.table(returns_tables.gp_summary_by_ccg(ctx), "returns_gp_summary",
                  f"GPs from local returns, {covered_area(ctx)} ({ctx.period})",
                  formats=SUMMARY_FORMATS,
                  labels=SUMMARY_LABELS, note=f"Source: {SOURCE}."),
    ))


def local_summary(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> Section:
    """Chapter 2 for an STP other than LLR: the summary row and the age pyramids."""
    return Section((*returns_summary_row(ctx, rpt), *pyramids(ctx, rpt)))


# ---------------------------------------------------------------------------------------------
# Notebook 02: practice groups, turnover, cluster stocktake (areas with a groups file)
# ---------------------------------------------------------------------------------------------
GROUP_LABELS = {"level": "Level", "group_type": "Group type", "group_name": "Group",
                "practices": "Practices", "patients": "Patients", "gp_headcount": "GPs",
                "gp_wte": "GP WTE", "nurse_headcount": "Nurses", "nurse_wte": "Nurse WTE",
                "staff_headcount": "All staff", "staff_wte": "All staff WTE",
                "gp_wte_per_1000_patients": "GP WTE per 1,000"}


def _group_totals(summary: pd.DataFrame) -> disclosure.Totals:
    """The published sums of the practice-group table: the groups of each type add to the
    type's subtotal row, and the subtotals to the total row."""
    level = summary["level"]
    total = summary.index[level == "total"]
    total = total[0] if len(total) else None
    eqs = []
    for gtype, rows in summary[level == "group"].groupby("group_type", sort=False).groups.items():
        sub = summary.index[(level == "group type") & (summary["group_type"] == gtype)]
        eqs.append((tuple(rows), sub[0] if len(sub) else None))
    eqs.append((tuple(summary.index[level == "group type"]), total))
    return disclosure.Totals(columns=tuple(eqs))


def groups_section(ctx: returns_pipeline.ReturnsContext, rpt: Report,
                   cluster: str | None = None) -> Section:
    """Practice groups, monthly turnover and a cluster stocktake."""
    if ctx.groups is None or not ctx.member_codes:
        return Section()
    staff = ctx.staff[ctx.staff["ccg_code"].isin(ctx.member_codes)]
    cover = covered_area(ctx)
    parts: list = [Html(render("returns_groups_heading.html.j2", area=cover))]
    summary = local_tables.practice_group_summary(staff, ctx.groups, ctx.reference, ctx.period)
    hc_cols = [c for c in summary.columns if c.endswith("headcount")]
    parts.append(rpt.table(
        disclosure.protect(summary, hc_cols, totals=_group_totals(summary)), "practice_groups",
        f"Workforce by practice group, {cover} ({ctx.period})",
        formats={**{c: fmt_int for c in ["practices", "patients", *hc_cols]},
                 **{c: fmt_dp(1) for c in summary.columns if c.endswith("_wte")},
                 "gp_wte_per_1000_patients": fmt_dp(2)},
        labels=GROUP_LABELS,
        note="GPs exclude registrars. Branch sites count with their main practice."
             + _sup_note()))
    # joiners - leavers is the change in the headcount shown; the rate derives from leavers
    turnover = disclosure.protect(local_tables.monthly_turnover(staff), ["joiners", "leavers"],
                                  totals=disclosure.Totals(rows=True),
                                  dependent={"leavers": ["turnover_rate"]})
    parts.append(rpt.chart(
        charts.turnover_chart(turnover), "turnover",
        "Monthly joiners and leavers, with turnover as a percentage, for GPs (excluding "
        "registrars) and nurses over the year of returns." + _sup_note(), SOURCE,
        title=turnover_title(turnover),
        context=(f"{cover}, local workforce returns {turnover['period'].astype(str).min()} to "
                 f"{turnover['period'].astype(str).max()}" if len(turnover) else cover)))
    parts.append(rpt.table(
        turnover, "turnover", f"Monthly headcount, joiners, leavers and turnover, {cover}",
        formats={"headcount": fmt_int, "joiners": fmt_int, "leavers": fmt_int,
                 "turnover_rate": lambda v: "" if pd.isna(v) else f"{v:.1%}"},
        labels={"period": "Month", "staff_group": "Staff group", "headcount": "Headcount",
                "joiners": "Joiners", "leavers": "Leavers", "turnover_rate": "Turnover"},
        note="Turnover = leavers / mean headcount of the two months." + _sup_note()))
    parts.extend(eligibility_section(ctx, rpt, cluster))
    return Section(tuple(parts))


def eligibility_section(ctx: returns_pipeline.ReturnsContext, rpt: Report,
                        cluster: str | None = None, min_practices: int = 5,
                        min_patients: int = 30000) -> Section:
    """Resilience pilot check for every group, and the Appendix 3/4 tables for one cluster."""
    groups = ctx.groups
    rows = []
    for name, g in groups[groups["group_type"] != "Unaligned"].groupby("group_name", sort=False):
        res = clusters.cluster_eligibility(list(g["practice_code"]), ctx.reference,
                                           groups=groups, min_practices=min_practices,
                                           min_patients=min_patients)
        rows.append({"group": name, "practices_counted": res.practices_counted,
                     "patients": res.patients, "eligible": "Yes" if res.eligible else "No",
                     "reason": res.reason})
    elig = pd.DataFrame(rows)
    parts: list = [
        Html(render("returns_eligibility_intro.html.j2", min_practices=min_practices,
                    min_patients=f"{min_patients:,}")),
        rpt.table(elig, "cluster_eligibility", "Eligibility of each practice group",
                  formats={"practices_counted": fmt_int, "patients": fmt_int},
                  labels={"group": "Group", "practices_counted": "Practices",
                          "patients": "Patients", "eligible": "Eligible", "reason": "Reason"})]
    chosen = cluster or (elig["group"].iloc[0] if len(elig) else None)
    if chosen is not None:
        codes = list(groups.loc[groups["group_name"] == chosen, "practice_code"])
        stock = clusters.cluster_stocktake(ctx.staff, ctx.reference, codes, ctx.period)
        vac = clusters.cluster_vacancies(ctx.result.vacancies, ctx.reference, codes,
                                         ctx.period)
        parts.append(rpt.table(stock, "cluster_stocktake", f"Appendix 3: workforce stocktake, "
                               f"{chosen} ({ctx.period}, WTE)",
                               formats={c: fmt_dp(2) for c in stock.columns[2:]}))
        parts.append(rpt.table(vac, "cluster_vacancies", f"Appendix 4: workforce vacancies, "
                               f"{chosen} ({ctx.period}, WTE)",
                               formats={c: fmt_dp(2) for c in vac.columns[2:]}))
    return Section(tuple(parts))
