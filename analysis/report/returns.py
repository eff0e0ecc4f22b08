"""Narrative, tables and charts for the local-returns parts of the report.

``data_quality`` belongs to notebook 01 (cleaning); ``llr_section`` and ``groups_section`` to
notebook 02 (tables). Staff-level rows never reach the HTML: everything here is aggregated, and
small headcounts in practice-level and age tables are suppressed (``returns: disclosure:``).
"""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.cleaning import pipeline as returns_pipeline
from analysis.cleaning import rules as cleaning
from analysis.config import load_config
from analysis.report.rendering import PALETTE, Report, fmt_dp, fmt_int
from analysis.tables import local as local_tables
from analysis.tables import returns as returns_tables

SOURCE = "Local staff-level workforce returns (demo data: synthetic)"


def suppress_below() -> int:
    """Disclosure threshold for staff-level headcounts (0 = off); see analysis.report.disclosure."""
    from analysis.report import disclosure as disclosure

    return disclosure.threshold()


def _suppress(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    t = suppress_below()
    if not t:
        return df
    out = local_tables.small_number_suppression(df, columns, threshold=t, marker=None)
    return out


def _sup_note() -> str:
    t = suppress_below()
    return (f" Headcounts from 1 to {t - 1} are suppressed (shown blank) to protect individuals."
            if t else "")


def no_returns_md(area_name: str) -> str:
    return ("## Local workforce returns\n\nNo local staff-level returns are configured for "
            f"{area_name}; the tables below use NHS Digital's published data only.")


RETURNS_CAVEATS = [
    "Local returns are typed by practices; the cleaning corrects spellings and quarantines "
    "what it cannot trust, and the data-quality tables say how many rows of each.",
    "Missing returns are carried forward from the practice's latest earlier return, or "
    "estimated from the practice of the nearest list size in the CCG; both are flagged.",
    "Headcount counts each person once in a CCG; WTE adds across posts. GP registrars are "
    "excluded from 'GPs'; locums are included.",
    "Published figures that differ from their own components are listed, not forced.",
]


def record(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> None:
    """Record this chapter's headline facts, inputs and caveats."""
    now = ctx.result.status[ctx.result.status["period"] == ctx.period]["status"].value_counts()
    a = ctx.accounting
    rpt.headline("returns", period=ctx.period, received=int(now.get("received", 0)),
                 carried=int(now.get("carried forward", 0)),
                 estimated=int(now.get("estimated", 0)), raw=a["raw"], kept=a["kept"],
                 corrected=a["corrected"], quarantined=a["quarantined"])
    from analysis.config import input_path

    rpt.record_inputs("Local returns", {"returns folder": ctx.folder,
                                        "practice reference": input_path("practice_reference"),
                                        "role lookup": returns_pipeline.ROOT / "config" /
                                        "returns_lookup.yaml"})
    rpt.record_parameters("Local returns", {"period": ctx.period,
                                            "periods": ", ".join(ctx.periods)})
    rpt.record_caveats("Local returns", RETURNS_CAVEATS)


# ---------------------------------------------------------------------------------------------
# Notebook 01: data quality
# ---------------------------------------------------------------------------------------------
def data_quality_md(ctx: returns_pipeline.ReturnsContext) -> str:
    """Headline of the cleaning: files, rows kept/corrected/quarantined, returns received."""
    a = ctx.accounting
    st = ctx.result.status
    now = st[st["period"] == ctx.period]
    counts = now["status"].value_counts()
    return "\n".join([
        "## Local workforce returns: cleaning and data quality",
        "",
        f"Practices' staff-level returns for {ctx.stp.name} were read from "
        f"{len(ctx.files)} files: **{a['raw']:,} raw rows**, of which **{a['kept']:,} kept** "
        f"as typed, **{a['corrected']:,} corrected** (each correction logged with the old and "
        f"new value and the rule) and **{a['quarantined']:,} quarantined** with a reason "
        f"({a['kept']:,} + {a['corrected']:,} + {a['quarantined']:,} = {a['raw']:,}).",
        "",
        f"For the report period ({ctx.period}): **{counts.get('received', 0)} practices "
        f"returned**, **{counts.get('carried forward', 0)} were carried forward** from their "
        f"latest earlier return and **{counts.get('estimated', 0)} estimated** from the "
        f"practice of the nearest list size in the same CCG"
        + (f"; {counts.get('missing', 0)} could not be filled" if counts.get("missing") else "")
        + f" ({len(now)} practices in all).",
    ])


def data_quality_tables(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> str:
    """Returns by status, rows by rule, unknown labels, unmapped columns (HTML)."""
    status = cleaning.returns_summary(ctx.result.status)
    out = rpt.table_html(status, "returns_status", "Practice returns by period and CCG",
                         formats={c: fmt_int for c in status.columns[2:]},
                         labels={"period": "Period", "ccg_code": "CCG", "received": "Received",
                                 "carried forward": "Carried forward",
                                 "estimated": "Estimated", "missing": "Missing",
                                 "practices": "Practices"},
                         note="Carried forward: the practice's latest earlier return is used. "
                              "Estimated: rows copied from the practice of the nearest list "
                              "size in the CCG, WTE scaled by the list-size ratio.")
    rules = cleaning.outcome_by_rule(ctx.result)
    out += rpt.table_html(rules, "returns_rows_by_rule",
                          "Raw rows corrected by rule and quarantined by reason",
                          formats={"rows": fmt_int},
                          labels={"outcome": "Outcome", "rule_or_reason": "Rule or reason",
                                  "rows": "Rows"},
                          note="A row corrected by several rules is counted under each.")
    q = ctx.result.quarantine
    unknown = q[q["reason"].str.startswith("unknown role label", na=False)]
    if len(unknown):
        labels = (unknown["reason"].str.extract(r"'(.*)'")[0].value_counts()
                  .rename_axis("label").rename("rows").reset_index())
        out += rpt.table_html(labels, "returns_unknown_labels",
                              "Role labels not in the lookup (quarantined, not guessed)",
                              formats={"rows": fmt_int}, labels={"label": "Label",
                                                                 "rows": "Rows"},
                              note="Add each label to config/returns_lookup.yaml with its "
                                   "staff group and role to include these rows.")
    if len(ctx.unmapped):
        out += rpt.table_html(ctx.unmapped, "returns_unmapped_columns",
                              "Columns in the returns that the lookup does not recognise "
                              "(ignored)", labels={"file": "File", "column": "Column"})
    return out


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


def llr_section(ctx: returns_pipeline.ReturnsContext, rpt: Report, target: float) -> str:
    """LLR Tables 2, 3, 4, 8, 9, 10, the published-figure check and the charts (HTML)."""
    tabs = returns_pipeline.llr_tables(ctx)
    per = ctx.period
    parts = [f"<h2>Local workforce returns: {html.escape(ctx.stp.name)}, {per}</h2>",
             "<p>Tables in the layout of the LLR GP workforce plan (chapter 4), rebuilt from "
             "the cleaned returns, carried-forward and estimated practices included. GPs "
             "exclude registrars; WTE is 9 sessions or 37.5 hours.</p>"]
    t2 = tabs["table2"]
    parts.append(rpt.table_html(
        t2, "llr_table2_population", f"Population and general medical services ({per})",
        formats={"population": fmt_int, "practices": fmt_int, "average_list_size": fmt_int,
                 "gms": fmt_int, "pms": fmt_int, "apms": fmt_int},
        labels={"ccg": "", "population": "Population", "practices": "Practices",
                "average_list_size": "Average list size", "gms": "GMS", "pms": "PMS",
                "apms": "APMS"}, note="Source: practice reference (NHS Payments), practices "
                                      "open at the end of the period."))
    t3 = tabs["table3"]
    shown = returns_tables.table3_as_published(t3)
    parts.append(rpt.table_html(
        shown, "llr_table3_staff", f"Staffing numbers and WTE ({per})",
        formats={c: (fmt_int if c.endswith("_hc") else fmt_dp(0)) for c in t3.columns[1:]},
        labels=T3_LABELS, note=f"Source: {SOURCE}. Headcount counts each person once in a CCG. "
        "As in the plan, the total row adds the rounded CCG rows; Tables 4 and 8 round the "
        f"unrounded total ({t3['gp_wte'].iloc[-1]:,.1f} GP WTE)."))
    t4 = tabs["table4"].assign(target=_target_row(ctx))
    parts.append(rpt.table_html(
        t4, "llr_table4_gp_wte_trend", "WTE GPs (excl. registrars) by return period",
        formats={"gp_wte": fmt_dp(0), "target": fmt_int},
        labels={"period": "Period", "gp_wte": "WTE GPs", "target": "NHSE target by 2020"},
        note="Each period includes carried-forward and estimated practices."))
    t8 = tabs["table8"]
    parts.append(rpt.table_html(
        t8, "llr_table8_staff_per_1000", "Staff WTE per 1,000 registered patients",
        formats={c: (fmt_dp(2) if c.endswith("_per_1000") else fmt_int if c == "population"
                     else fmt_dp(0)) for c in t8.columns[1:]},
        labels={"ccg": "", "population": "Population", "gp": "GPs", "gp_per_1000": "GPs per 1,000",
                "nurses": "Nurses", "nurses_per_1000": "Nurses per 1,000",
                "other_clinical": "Other clinical", "other_clinical_per_1000":
                "Other clinical per 1,000", "admin_non_clinical": "Admin",
                "admin_non_clinical_per_1000": "Admin per 1,000", "total": "Total",
                "total_per_1000": "Total per 1,000"},
        note=f"Target: {target:.2f} GP WTE per 1,000 patients."))
    t9 = tabs["table9"]
    parts.append(rpt.table_html(
        t9, "llr_table9_pct_wte_over_55", "Percentage of staff WTE aged 55 and over by role",
        formats={"wte": fmt_dp(1), "wte_55_plus": fmt_dp(1), "pct_wte_over_55": _pct},
        labels={"staff_group": "Staff group", "job_role": "Job role", "wte": "WTE",
                "wte_55_plus": "WTE aged 55+", "pct_wte_over_55": "% over 55"},
        note="The total covers every role in the table, registrars included."))
    t10 = tabs["table10"]
    parts.append(rpt.table_html(
        t10, "llr_table10_locums", "Locum numbers",
        formats={c: (lambda v: "" if pd.isna(v) else (f"{v:,.0f}" if float(v).is_integer()
                                                      else f"{v:,.2f}"))
                 for c in t10.columns[2:]},
        labels={"ccg": "CCG", "measure": "", "locum_covering_sickness_maternity_paternity":
                "Locum covering sickness/maternity/paternity",
                "locum_covering_vacancy": "Locum covering vacancy",
                "locum_other": "Locum - other", "total": "Grand total"}))
    diffs = returns_pipeline.published_differences(tabs)
    if len(diffs):
        parts.append("<h3>Published figures that differ from the data</h3><p>Every cell of the "
                     "published tables is compared with the same cell rebuilt from the cleaned "
                     "returns (rounded as published). Cells that differ are listed, not "
                     "forced: either rounding explains them, or the published figure differs "
                     "from its own components.</p>")
        parts.append(rpt.table_html(
            diffs, "llr_published_differences", "Published cells that the data do not "
            "reproduce, and why", formats={"published": _num, "computed": _num,
                                           "unrounded": fmt_dp(3)},
            labels={"table": "Table", "row": "Row", "column": "Column",
                    "published": "Published", "computed": "Computed (rounded)",
                    "unrounded": "Computed (unrounded)", "explanation": "Why"}))
    parts.append(_group_chart(t3, rpt))
    parts.append(_per_1000_chart(t8, rpt, target))
    parts.append(pyramids(ctx, rpt))
    return "".join(parts)


def _target_row(ctx) -> list:
    """The STP's GP WTE target (config ``constants: gp_wte_target_2020``) on the last row."""
    targets = load_config()["constants"].get("gp_wte_target_2020", {}) or {}
    return [np.nan] * (len(ctx.periods) - 1) + [targets.get(ctx.stp.slug, np.nan)]


def _pct(v) -> str:
    return "" if pd.isna(v) else f"{v:.1f}%"


def _num(v) -> str:
    if pd.isna(v):
        return ""
    v = float(v)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"


def _group_chart(t3: pd.DataFrame, rpt: Report) -> str:
    rows = t3.iloc[:-1]
    groups = ["gp", "nurses", "other_clinical", "admin_non_clinical"]
    names = ["GPs", "Nurses", "Other clinical", "Admin/non-clinical"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    x = np.arange(len(groups))
    width = 0.8 / len(rows)
    for i, (_, r) in enumerate(rows.iterrows()):
        for ax, suffix in zip(axes, ("_hc", "_wte"), strict=True):
            ax.bar(x + i * width - 0.4 + width / 2, [r[g + suffix] for g in groups], width,
                   color=PALETTE[i % len(PALETTE)], label=r["ccg"].title())
    for ax, what in zip(axes, ("Headcount", "WTE"), strict=True):
        ax.set_xticks(x, names, fontsize=8)
        ax.set_ylabel(what)
        ax.set_xlabel("Staff group")
        ax.set_title(f"{what} by staff group", loc="left", fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].legend(frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    alt = ("Bar charts of headcount and WTE by staff group for each CCG: "
           + "; ".join(f"{r['ccg'].title()} {r['total_hc']:,} staff, {r['total_wte']:,.0f} WTE"
                       for _, r in rows.iterrows()) + ".")
    return rpt.figure_html(fig, "llr_staff_groups", alt, SOURCE)


def _per_1000_chart(t8: pd.DataFrame, rpt: Report, target: float) -> str:
    rows = t8
    fig, ax = plt.subplots(figsize=(8, 3.8))
    y = np.arange(len(rows))
    ax.barh(y, rows["gp_per_1000"], color=PALETTE[0])
    ax.axvline(target, color="black", linestyle="--", linewidth=1.2)
    ax.text(target, len(rows) - 0.4, f" target {target:.2f}", fontsize=8, va="bottom")
    ax.set_yticks(y, [c.title() for c in rows["ccg"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("GP WTE (excl. registrars) per 1,000 registered patients")
    ax.set_ylabel("CCG")
    ax.set_title("GP WTE per 1,000 patients against the 0.58 target", loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    alt = ("Horizontal bars of GP WTE per 1,000 patients: "
           + ", ".join(f"{c.title()} {v:.2f}" for c, v in zip(rows["ccg"], rows["gp_per_1000"],
                                                                strict=True))
           + f"; dashed line at the target of {target:.2f}.")
    return rpt.figure_html(fig, "llr_gp_wte_per_1000", alt, SOURCE)


def pyramids(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> str:
    """Age-gender pyramids for all staff and for GPs (registrars excluded)."""
    codes = ctx.member_codes or [a.code for a in ctx.ccgs]
    staff = ctx.staff[ctx.staff["ccg_code"].isin(codes)]
    out = []
    for group, name, label in ((None, "all_staff", "all staff"), ("GP", "gps", "GPs")):
        pyr = local_tables.age_gender_pyramid(staff, staff_group=group, period=ctx.period)
        shown = _suppress(pyr.reset_index(), ["F", "M", "U"])
        fig = local_tables.pyramid_chart(shown.set_index("age_band").astype("Float64").fillna(0),
                                         f"Headcount by age and gender: {label}")
        total = int(pyr[["F", "M", "U"]].to_numpy().sum())
        older = int(pyr.loc[[b for b in pyr.index if b in ("55-59", "60-64", "65-69", "70+")],
                            ["F", "M", "U"]].to_numpy().sum())
        alt = (f"Population pyramid of {label} by five-year age band, women left and men "
               f"right: {total:,} people, {older:,} aged 55 or over.")
        out.append(rpt.figure_html(fig, f"pyramid_{name}", alt, SOURCE))
        out.append(rpt.table_html(shown, f"pyramid_{name}", f"Headcount by age band and gender: "
                                  f"{label} ({ctx.period})",
                                  formats={"F": fmt_int, "M": fmt_int, "U": fmt_int},
                                  labels={"age_band": "Age band", "F": "Women", "M": "Men",
                                          "U": "Not known"}, note=_sup_note().strip() or None))
    return "".join(out)


def returns_summary_row(ctx: returns_pipeline.ReturnsContext, rpt: Report) -> str:
    """The Black Country summary columns rebuilt from the returns for the area's CCGs (HTML)."""
    codes = ctx.member_codes
    if not codes:
        return ""
    end = cleaning.period_end(pd.Series([ctx.period]))[0]
    from analysis.io.readers import open_on

    ref = open_on(ctx.reference, end)
    s = ctx.staff[ctx.staff["in_post"] & (ctx.staff["period"] == ctx.period)
                  & (ctx.staff["staff_group"] == "GP")]
    rows = []
    for a in ctx.ccgs:
        if a.code not in codes:
            continue
        g = s[s["ccg_code"] == a.code]
        age = g.groupby("staff_id")["age_lower"].max()
        r = ref[ref["ccg_code"] == a.code]
        rows.append({"area": a.name, "practices": len(r),
                     "patients": int(r["registered_patients"].sum()),
                     "gp_hc": int(age.size), "gp_hc_55_plus": int((age >= 55).sum()),
                     "gp_hc_60_plus": int((age >= 60).sum()), "gp_fte": float(g["wte"].sum())})
    df = pd.DataFrame(rows)
    from analysis.report.workforce import SUMMARY_FORMATS, SUMMARY_LABELS

    return (f"<h2>Local workforce returns: {html.escape(ctx.area.short_name)}, {ctx.period}"
            "</h2><p>The same summary rebuilt from the practices' own staff-level returns "
            "(all GPs, registrars and locums included, each person counted once). It should "
            "agree with NHS Digital's figures above; a difference points to a return to "
            "check.</p>"
            + rpt.table_html(df, "returns_gp_summary", f"GPs from local returns ({ctx.period})",
                             formats=SUMMARY_FORMATS, labels=SUMMARY_LABELS,
                             note=f"Source: {SOURCE}."))


# ---------------------------------------------------------------------------------------------
# Notebook 02: practice groups, turnover, cluster stocktake (areas with a groups file)
# ---------------------------------------------------------------------------------------------
def groups_section(ctx: returns_pipeline.ReturnsContext, rpt: Report,
                   cluster: str | None = None) -> str:
    """Practice groups, monthly turnover and a cluster stocktake (HTML)."""
    if ctx.groups is None or not ctx.member_codes:
        return ""
    codes = ctx.member_codes
    staff = ctx.staff[ctx.staff["ccg_code"].isin(codes)]
    ref = ctx.reference
    parts = [f"<h2>Practice groups and turnover: {html.escape(ctx.area.short_name)}</h2>"]
    summary = local_tables.practice_group_summary(staff, ctx.groups, ref, ctx.period)
    hc_cols = [c for c in summary.columns if c.endswith("headcount")]
    parts.append(rpt.table_html(
        _suppress(summary, hc_cols), "practice_groups", f"Workforce by practice group "
        f"({ctx.period})", formats={**{c: fmt_int for c in ["practices", "patients", *hc_cols]},
                                    **{c: fmt_dp(1) for c in summary.columns if
                                       c.endswith("_wte")},
                                    "gp_wte_per_1000_patients": fmt_dp(2)},
        labels={"level": "Level", "group_type": "Group type", "group_name": "Group",
                "practices": "Practices", "patients": "Patients",
                "gp_headcount": "GPs", "gp_wte": "GP WTE", "nurse_headcount": "Nurses",
                "nurse_wte": "Nurse WTE", "staff_headcount": "All staff",
                "staff_wte": "All staff WTE", "gp_wte_per_1000_patients": "GP WTE per 1,000"},
        note="GPs exclude registrars. Branch sites count with their main practice."
             + _sup_note()))
    turnover = local_tables.monthly_turnover(staff)
    parts.append(rpt.figure_html(
        local_tables.turnover_chart(_suppress(turnover, ["joiners", "leavers"])), "turnover",
        "Monthly joiners and leavers, with turnover as a percentage, for GPs (excluding "
        "registrars) and nurses over the year of returns." + _sup_note(), SOURCE))
    parts.append(rpt.table_html(
        _suppress(turnover, ["joiners", "leavers"]), "turnover", "Monthly headcount, joiners, "
        "leavers and turnover", formats={"headcount": fmt_int, "joiners": fmt_int,
                                         "leavers": fmt_int,
                                         "turnover_rate": lambda v: "" if pd.isna(v)
                                         else f"{v:.1%}"},
        labels={"period": "Month", "staff_group": "Staff group", "headcount": "Headcount",
                "joiners": "Joiners", "leavers": "Leavers", "turnover_rate": "Turnover"},
        note="Turnover = leavers / mean headcount of the two months." + _sup_note()))
    parts.append(eligibility_section(ctx, rpt, cluster))
    return "".join(parts)


def eligibility_section(ctx: returns_pipeline.ReturnsContext, rpt: Report,
                        cluster: str | None = None) -> str:
    """Resilience pilot check for every group, and the Appendix 3/4 tables for one cluster."""
    groups = ctx.groups
    rows = []
    for name, g in groups[groups["group_type"] != "Unaligned"].groupby("group_name", sort=False):
        res = local_tables.cluster_eligibility(list(g["practice_code"]), ctx.reference,
                                               groups=groups)
        rows.append({"group": name, "practices_counted": res.practices_counted,
                     "patients": res.patients, "eligible": "Yes" if res.eligible else "No",
                     "reason": res.reason})
    elig = pd.DataFrame(rows)
    parts = ["<h3>Resilience pilot: cluster eligibility and workforce stocktake</h3>"
             "<p>A bid needs a cluster of at least 5 practices (branch sites do not count) "
             "with a combined list of at least 30,000 patients.</p>",
             rpt.table_html(elig, "cluster_eligibility", "Eligibility of each practice group",
                            formats={"practices_counted": fmt_int, "patients": fmt_int},
                            labels={"group": "Group", "practices_counted": "Practices",
                                    "patients": "Patients", "eligible": "Eligible",
                                    "reason": "Reason"})]
    chosen = cluster or (elig["group"].iloc[0] if len(elig) else None)
    if chosen is None:
        return "".join(parts)
    codes = list(groups.loc[groups["group_name"] == chosen, "practice_code"])
    stock = local_tables.cluster_stocktake(ctx.staff, ctx.reference, codes, ctx.period)
    vac = local_tables.cluster_vacancies(ctx.result.vacancies, ctx.reference, codes,
                                         ctx.period)
    parts.append(rpt.table_html(stock, "cluster_stocktake", f"Appendix 3: workforce stocktake, "
                                f"{chosen} ({ctx.period}, WTE)",
                                formats={c: fmt_dp(2) for c in stock.columns[2:]}))
    parts.append(rpt.table_html(vac, "cluster_vacancies", f"Appendix 4: workforce vacancies, "
                                f"{chosen} ({ctx.period}, WTE)",
                                formats={c: fmt_dp(2) for c in vac.columns[2:]}))
    return "".join(parts)


__all__ = ["data_quality_md", "data_quality_tables", "groups_section", "llr_section",
           "no_returns_md", "pyramids", "returns_tables"]
