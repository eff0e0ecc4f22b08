"""The trends chapter (``notebooks/07_trends.ipynb``): formats only. The numbers come from
:func:`analysis.tables.trends.load_trends` (duckdb over the series store).

The GP workforce part runs when the folder holds two or more GPW practice-level releases, the
PCN part when it holds two or more PCN individual-level releases; otherwise the chapter says
how many it found.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.report.rendering import (  # noqa: E402
    GREY,
    PALETTE,
    Markdown,
    Section,
    fmt_dp,
    fmt_int,
    render,
)
from analysis.tables.series import MEASURES  # noqa: E402
from analysis.tables.trends import TrendsContext  # noqa: E402

CHAPTER = "trends"
SOURCE = "NHS England, General Practice Workforce (practice level) and Primary Care Networks " \
         "workforce (individual level) releases"
ROLE_LABELS = {"area": "Area", "parent": "Parent area", "england": "England"}
BREAK_MARKS = {"reorganisation": "R", "definition": "D", "practices": "P", "estimated": "E"}


def month_name(period: str | None) -> str:
    """``September 2024`` for ``2024-09``."""
    if not period:
        return "month unknown"
    return dt.date(int(period[:4]), int(period[5:7]), 1).strftime("%B %Y")


def _month_word(month: int) -> str:
    return dt.date(2000, int(month), 1).strftime("%B")


def _area_name(ctx: TrendsContext) -> str:
    a = ctx.where.area
    return f"{a.name} ({a.label})" if a.name else a.label


def title(ctx: TrendsContext, folder) -> Markdown:
    """The heading, what the folder holds, the area and its parent, the notes."""
    n_p, n_c = ctx.practice_releases, ctx.pcn_releases
    periods = ctx.releases.groupby("dataset")["period"].agg(lambda s: ", ".join(sorted(s))) \
        if len(ctx.releases) else pd.Series(dtype=object)
    releases = (f"The folder holds {n_p} GPW practice-level release{'s' if n_p != 1 else ''}"
                f"{' (' + periods['practice'] + ')' if n_p else ''} and {n_c} PCN workforce "
                f"release{'s' if n_c != 1 else ''}{' (' + periods['pcn'] + ')' if n_c else ''}.")
    parent = None
    if ctx.where is not None and ctx.where.parent is not None:
        p = ctx.where.parent
        parent = f"{p.name} ({p.label})" if p.name else p.label
    return Markdown(render(
        "trends_title.md.j2", releases=releases,
        area=_area_name(ctx) if ctx.where is not None else None,
        practices=len(ctx.where.area.practices) if ctx.where is not None else 0,
        as_at=month_name(ctx.where.period) if ctx.where is not None else "",
        parent=parent, month=_month_word(ctx.month), notes=ctx.notes))


def too_few(what: str, count: int, folder) -> Markdown:
    """The sentence shown instead of a series when the folder has fewer than two releases."""
    return Markdown(render("trends_too_few.md.j2", what=what, count=count, folder=str(folder)))


def gp_status(ctx: TrendsContext, folder):
    """A sentence when the GP workforce series cannot be shown (fewer than two releases, or the
    area not in them); nothing otherwise."""
    if ctx.practice_releases < 2:
        return too_few("GP practice workforce (GPW practice-level releases)",
                       ctx.practice_releases, folder)
    if ctx.series is None:
        return Markdown("GP practice workforce: the area is not in the GPW practice-level "
                        "releases of the folder (see the notes above).")
    return Section()


def pcn_status(ctx: TrendsContext, folder):
    """A sentence when the PCN series cannot be shown; nothing otherwise."""
    if ctx.pcn_releases < 2:
        return too_few("PCN workforce (PCN individual-level releases)", ctx.pcn_releases,
                       folder)
    if ctx.roles is None:
        return Markdown("PCN workforce: the area's PCNs are not in the PCN releases of the "
                        "folder (see the notes above).")
    return Section()


def record(ctx: TrendsContext, rpt) -> None:
    """Inputs, parameters and caveats for the provenance section."""
    rpt.record_inputs(CHAPTER, {f"{r.kind} {r.period}": r.file
                                for r in ctx.releases.itertuples(index=False)})
    rpt.record_parameters(CHAPTER, {"area": None if ctx.where is None else ctx.where.area.label,
                                    "compared_month": ctx.month,
                                    "practice_releases": ctx.practice_releases,
                                    "pcn_releases": ctx.pcn_releases})
    rpt.record_caveats(CHAPTER, [
        "The area is its practices in the latest release, followed by practice code in earlier "
        "ones; practices that closed before the latest release are not in the area's series.",
        "Fully qualified GPs (excluding trainees and locums) are published from the July 2022 "
        "column set on; older releases carry a different measure (excluding registrars, "
        "retainers and locums), kept apart.",
        "PCN staff: the area's PCNs in the latest PCN release, followed by PCN code; role names "
        "mapped to one list (names not in it shown as published).", *ctx.notes])


# --------------------------------------------------------------------------------------------
# GP workforce
# --------------------------------------------------------------------------------------------
FTE_FORMATS = {**{m: fmt_dp(1) for m in MEASURES}, "patients": fmt_int, "practices": fmt_int,
               "fte": fmt_dp(1), "fte_before": fmt_dp(1), "fte_change": fmt_dp(1),
               "fte_change_pct": fmt_dp(1), "per_1000": fmt_dp(3), "per_1000_before": fmt_dp(3),
               "per_1000_change": fmt_dp(3), **{f"{m}_per_1000": fmt_dp(3) for m in MEASURES}}


def months_table(ctx: TrendsContext, rpt):
    """The comparison month (September) of each year against the year before, by measure,
    for the area, its parent and England."""
    if ctx.series is None:
        return Section()
    if ctx.months is None or ctx.months.empty:
        return Markdown(f"No {_month_word(ctx.month)} release in the folder: no year-on-year "
                        "comparison.")
    df = ctx.months[["label", "name", "period", "previous", "fte", "fte_change",
                     "fte_change_pct", "patients", "per_1000", "per_1000_change"]].copy()
    return rpt.table(df, "trends_months",
                     f"GP practice workforce, {_month_word(ctx.month)} on "
                     f"{_month_word(ctx.month)}: {_area_name(ctx)}, its parent area and England",
                     formats=FTE_FORMATS,
                     labels={"label": "Staff", "name": "Area", "period": "Release",
                             "previous": "Compared with", "fte": "FTE",
                             "fte_change": "Change in FTE", "fte_change_pct": "Change (%)",
                             "patients": "Registered patients",
                             "per_1000": "FTE per 1,000 patients",
                             "per_1000_change": "Change per 1,000"},
                     note=f"Source: {SOURCE}. Blank where the release a year before is not in "
                          "the folder or the measure is not published.")


def series_table(ctx: TrendsContext, rpt):
    """Every release: the area's FTE by staff group, patients and GPs per 1,000 patients."""
    if ctx.series is None:
        return Section()
    area = ctx.series[ctx.series["role"] == "area"]
    cols = ["period", "kind", "practices", *MEASURES, "patients", "gp_fte_per_1000",
            "gp_fq_fte_per_1000"]
    df = area[cols].copy()
    df["kind"] = df["kind"].map({"gpw_detailed": "Detailed", "gpw_high_level": "High-level"})
    return rpt.table(df, "trends_gp_series",
                     f"GP practice workforce by release (FTE), {_area_name(ctx)}",
                     formats=FTE_FORMATS,
                     labels={"period": "Release", "kind": "File", "practices": "Practices",
                             **MEASURES, "patients": "Registered patients",
                             "gp_fte_per_1000": "GPs per 1,000 patients",
                             "gp_fq_fte_per_1000": "Fully qualified GPs per 1,000 patients"},
                     note=f"Source: {SOURCE}. Blank: not published in that release. The parent "
                          "area and England are in the chart and in the CSV of the "
                          "year-on-year table.")


def breaks_table(ctx: TrendsContext, rpt):
    """Breaks in series, with the letter that marks each on the charts."""
    if ctx.breaks is None:
        return Section()
    if ctx.breaks.empty:
        return Markdown("No break in series: every release has the same definitions, geography "
                        "and practices, with no estimated figures.")
    df = ctx.breaks.assign(mark=ctx.breaks["break"].map(BREAK_MARKS))[
        ["period", "mark", "break", "note"]]
    return rpt.table(df, "trends_breaks", f"Breaks in series, {_area_name(ctx)}",
                     labels={"period": "Release", "mark": "Mark", "break": "Break",
                             "note": "What changes"},
                     note="R: reorganisation; D: definition or release kind; P: the number of "
                          "the area's practices not in the release changes (lines on the "
                          "chart); E: partly estimated figures (open circles on the chart).")


def per_1000_figure(series: pd.DataFrame, breaks: pd.DataFrame, measure: str, title_text: str):
    """Lines of FTE per 1,000 patients by release for the area, parent and England, with the
    breaks in series marked: dotted vertical lines lettered as in the breaks table, and open
    circles on the area's line where its figures are partly estimated.

    Returns
    -------
    matplotlib.figure.Figure
    """
    periods = sorted(series["period"].unique())
    x = {p: pd.Period(p, "M").ordinal for p in periods}  # time, not rank: gaps show
    fig, ax = plt.subplots(figsize=(8.5, 4))
    for i, role in enumerate(("area", "parent", "england")):
        part = series[series["role"] == role].sort_values("period")
        if part.empty:
            continue
        ax.plot([x[p] for p in part["period"]], part[f"{measure}_per_1000"], marker="o",
                markersize=3, color=PALETTE[i], label=part["name"].iloc[0])
    area = series[series["role"] == "area"].set_index("period")
    group = measure.split("_", 1)[0]  # gp, nurse, dpc, admin: that group's estimate flags
    flags = area[f"{group}_estimated"].fillna(0) > 0
    estimated = sorted(area.index[flags])
    if estimated:  # open circles: the area's figures for the group include estimates
        ax.plot([x[p] for p in estimated], area.loc[estimated, f"{measure}_per_1000"], "o",
                markersize=7, markerfacecolor="none", markeredgecolor="black",
                label="area figures partly estimated")
    lines = breaks[breaks["break"] != "estimated"]
    for period, rows in lines.groupby("period"):
        ax.axvline(x[period], color=GREY, linestyle=":", linewidth=1)
        marks = "".join(sorted({BREAK_MARKS[b] for b in rows["break"]}))
        ax.text(x[period], 1.0, marks, transform=ax.get_xaxis_transform(), fontsize=8,
                ha="center", va="bottom", color="#333333")
    step = max(1, len(periods) // 12)
    ax.set_xticks([x[p] for p in periods[::step]], periods[::step], rotation=45, fontsize=7,
                  ha="right")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("FTE per 1,000 registered patients")
    if title_text:
        ax.set_title(textwrap.fill(title_text, 80), loc="left", fontsize=10, pad=14)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    fig.tight_layout()
    return fig


def per_1000_chart(ctx: TrendsContext, rpt, measure: str = "gp_fq_fte"):
    """The chart of :func:`per_1000_figure`, or a sentence when nothing can be divided."""
    if ctx.series is None:
        return Section()
    s = ctx.series
    if s[f"{measure}_per_1000"].isna().all():
        measure = "gp_fte"
    if s[f"{measure}_per_1000"].isna().all():
        return Markdown("No chart: no release has both GP FTE and registered patients.")
    fig = per_1000_figure(s, ctx.breaks, measure, "")
    area = s[s["role"] == "area"]
    shown = ", ".join(f"{p}: {v:.3f}" for p, v in zip(area["period"],
                                                      area[f"{measure}_per_1000"], strict=True)
                      if pd.notna(v))
    return rpt.chart(fig, "trends_gp_per_1000",
                     f"{MEASURES[measure]} per 1,000 patients, {_area_name(ctx)}: {shown}; "
                     f"breaks marked at {', '.join(sorted(set(ctx.breaks['period']))) or 'none'}",
                     SOURCE, title=_change_title(f"{MEASURES[measure]} per 1,000 patients",
                                                 area["period"], area[f"{measure}_per_1000"]),
                     context=f"{_area_name(ctx)}, {_span(area['period'])}")


# --------------------------------------------------------------------------------------------
# PCN staff and the whole practice team
# --------------------------------------------------------------------------------------------
def pcn_totals_table(ctx: TrendsContext, rpt):
    """PCN-employed staff FTE (all, clinicians, GPs) and per 1,000 patients by release."""
    if ctx.pcn_totals is None:
        return Section()
    cols = [c for c in ("name", "period", "pcns", "fte", "clinical_fte", "gp_fte", "patients",
                        "patients_period", "fte_per_1000", "clinical_fte_per_1000")
            if c in ctx.pcn_totals]
    df = ctx.pcn_totals[cols]
    return rpt.table(df, "trends_pcn_totals",
                     f"PCN-employed staff by release: {ctx.pcn_area} and England",
                     formats={"pcns": fmt_int, "fte": fmt_dp(1), "clinical_fte": fmt_dp(1),
                              "gp_fte": fmt_dp(1), "patients": fmt_int,
                              "fte_per_1000": fmt_dp(3), "clinical_fte_per_1000": fmt_dp(3)},
                     labels={"name": "Area", "period": "Release", "pcns": "PCNs with staff",
                             "fte": "FTE", "clinical_fte": "of which clinicians",
                             "gp_fte": "of which GPs", "patients": "Registered patients",
                             "patients_period": "Patients as at",
                             "fte_per_1000": "FTE per 1,000 patients",
                             "clinical_fte_per_1000": "Clinicians per 1,000 patients"},
                     note=f"Source: {SOURCE}; Patients Registered at a GP Practice (the file "
                          "nearest each release; practices mapped to PCNs by the map nearest "
                          "it). Area: the patients of all its PCNs' practices; England: of the "
                          "PCNs with staff in the release. Clinicians: the GP, nurse and direct "
                          "patient care staff groups.")


def pcn_roles_table(ctx: TrendsContext, rpt):
    """The area's PCN staff FTE by role (one name over releases), a column per release."""
    if ctx.roles is None:
        return Section()
    wide = ctx.roles.pivot_table(index=["staff_group", "role"], columns="period", values="fte",
                                 aggfunc="sum").reset_index()
    wide.columns.name = None
    periods = [c for c in wide.columns if c not in ("staff_group", "role")]
    return rpt.table(wide, "trends_pcn_roles",
                     f"PCN-employed staff FTE by role and release, {ctx.pcn_area}",
                     formats={p: fmt_dp(1) for p in periods},
                     labels={"staff_group": "Staff group", "role": "Role",
                             **{p: month_name(p) for p in periods}},
                     note=f"Source: {SOURCE}. Blank: no staff in that role in that release. "
                          "Role names as one list over releases (e.g. 'Medical Clinical "
                          "Director (GP)' counts under Clinical Directors).")


def pcn_figure(totals: pd.DataFrame, title_text: str):
    """PCN staff FTE per 1,000 patients by release: the area and England, all staff and
    clinicians.

    Returns
    -------
    matplotlib.figure.Figure
    """
    periods = sorted(totals["period"].unique())
    x = {p: pd.Period(p, "M").ordinal for p in periods}
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for i, role in enumerate(("area", "england")):
        part = totals[totals["role"] == role].sort_values("period")
        xs = [x[p] for p in part["period"]]
        ax.plot(xs, part["fte_per_1000"], marker="o", color=PALETTE[i],
                label=f"{part['name'].iloc[0]}: all staff")
        ax.plot(xs, part["clinical_fte_per_1000"], marker="s", linestyle="--", color=PALETTE[i],
                label=f"{part['name'].iloc[0]}: clinicians")
    ax.set_xticks([x[p] for p in periods], [month_name(p) for p in periods], fontsize=8)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("PCN staff FTE per 1,000 patients")
    if title_text:
        ax.set_title(textwrap.fill(title_text, 80), loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def pcn_chart(ctx: TrendsContext, rpt):
    """The chart of :func:`pcn_figure`, or a sentence when there are no patients."""
    t = ctx.pcn_totals
    if t is None:
        return Section()
    if "fte_per_1000" not in t or t["fte_per_1000"].isna().all():
        return Markdown("No chart: no Patients Registered files to divide by.")
    fig = pcn_figure(t, "")
    area = t[t["role"] == "area"]
    shown = ", ".join(f"{p}: {v:.3f}" for p, v in zip(area["period"], area["fte_per_1000"],
                                                      strict=True) if pd.notna(v))
    return rpt.chart(fig, "trends_pcn_per_1000",
                     f"PCN staff FTE per 1,000 patients, {ctx.pcn_area}: {shown}", SOURCE,
                     title=_change_title("PCN-employed staff FTE per 1,000 patients",
                                         area["period"], area["fte_per_1000"]),
                     context=f"{ctx.pcn_area} and England, {_span(area['period'])}")


def _span(periods: pd.Series) -> str:
    """'2019-03 to 2024-03': the first and last release shown."""
    p = sorted(str(x) for x in periods)
    return "" if not p else p[0] if len(p) == 1 else f"{p[0]} to {p[-1]}"


def _change_title(what: str, periods: pd.Series, values: pd.Series) -> str:
    """A trend chart's message, at the tables' three decimals: '<what> rose from 0.412 to 0.455'."""
    v = pd.Series(list(values), index=[str(p) for p in periods]).dropna().sort_index()
    if len(v) < 2:
        return f"{what} by release"
    first, last = float(v.iloc[0]), float(v.iloc[-1])
    verb = "rose" if last > first else "fell" if last < first else "held"
    return f"{what} {verb} from {first:.3f} to {last:.3f}"


def clinicians_table(ctx: TrendsContext, rpt):
    """Clinicians per 1,000 patients, of which GPs, for periods with both kinds of release."""
    if ctx.clinicians is None:
        return Section()
    if ctx.clinicians.empty:
        return Markdown("Clinicians per 1,000 patients, of which GPs, need a GPW practice-level "
                        "release and a PCN release of the same month: the folder has none.")
    f = {c: fmt_dp(1) for c in ctx.clinicians.columns if c.endswith("_fte")}
    return rpt.table(ctx.clinicians, "trends_clinicians",
                     f"Clinicians per 1,000 patients, of which GPs: practices and PCNs, "
                     f"{_area_name(ctx)}",
                     formats={**f, "patients": fmt_int, "clinicians_per_1000": fmt_dp(3),
                              "gps_per_1000": fmt_dp(3)},
                     labels={"period": "Release", "patients": "Registered patients",
                             "practice_gp_fte": "Practice GPs", "practice_nurse_fte":
                             "Practice nurses", "practice_dpc_fte": "Practice direct patient "
                             "care", "pcn_clinical_fte": "PCN clinicians", "pcn_gp_fte":
                             "PCN GPs", "clinicians_fte": "Clinicians (FTE)", "gps_fte":
                             "of which GPs (FTE)", "clinicians_per_1000":
                             "Clinicians per 1,000", "gps_per_1000": "GPs per 1,000"},
                     note=f"Source: {SOURCE}. Patients: the practices' registered patients in "
                          "the GPW release.")
