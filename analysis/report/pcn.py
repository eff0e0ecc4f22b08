"""The PCN workforce chapter (``notebooks/05_pcn_workforce.ipynb``), for areas found in real
files: formats only. The numbers come from :func:`analysis.tables.pcn.load_context`.

For such an area the report is this chapter and the provenance; :func:`opening` is its summary
(which chapters ran, which had no data for the area). It never carries the demo-data caveat:
every figure here comes from the files listed under Provenance.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from analysis.report.charts import ranked_bars  # noqa: E402
from analysis.report.disclosure import (  # noqa: E402
    Totals,
    column_groups,
    protect,
    suppression_note,
)
from analysis.report.rendering import (  # noqa: E402
    Markdown,
    Section,
    fmt_dp,
    fmt_int,
    render,
    with_data,
)
from analysis.report.summary import real_files_opening  # noqa: E402
from analysis.tables.pcn import META_KEY, PcnContext, headline_facts  # noqa: E402

CHAPTER = META_KEY
SOURCE = "NHS England, Primary Care Networks workforce (individual level); Patients Registered " \
         "at a GP Practice"
PATIENTS_FILE = {"patients_totals": "the totals file (gp-reg-pat-prac-all)",
                 "patients_quinary": "the five-year age file (gp-reg-pat-prac-quin-age) summed "
                                     "per practice"}
PCN_LABELS = {"pcn_code": "PCN code", "pcn_name": "PCN", "fte": "FTE",
              "contracted_fte": "of which contracted services (FTE)", "headcount": "Headcount",
              "practices": "Practices", "patients": "Registered patients",
              "practices_without_count": "Practices without a count",
              "fte_per_1000": "FTE per 1,000 patients"}
FORMATS = {"fte": fmt_dp(1), "contracted_fte": fmt_dp(1), "headcount": fmt_int,
           "practices": fmt_int, "patients": fmt_int, "practices_without_count": fmt_int,
           "fte_per_1000": fmt_dp(2), "pcns": fmt_int}


def no_data(nhs_dir) -> Markdown:
    """What the chapter says when the folder has no PCN workforce release."""
    return Markdown(render("pcn_no_data.md.j2", folder=str(nhs_dir)))


def _month(period: str | None) -> str:
    if not period:
        return "month unknown"
    import datetime as dt
    return dt.date(int(period[:4]), int(period[5:7]), 1).strftime("%B %Y")


def patients_sentence(ctx: PcnContext) -> str:
    """Which patients file was used, its month and the PCN release month."""
    if ctx.patients_source is None:
        return "No registered patients file was found: FTE per 1,000 patients is not shown."
    return (f"Registered patients from {PATIENTS_FILE[ctx.patients_source]} of "
            f"{_month(ctx.patients_period)}; PCN staff from the {_month(ctx.pcn_period)} "
            "release.")


@with_data
def opening(ctx: PcnContext, chapters_run: list[str] | None = None,
            no_data: dict[str, str] | None = None) -> Section:
    """The report's summary for an area found in real files: the area, the chapters run and
    those with no data for it (``chapters_run``, ``no_data``: from
    :func:`analysis.report.data_area.chapter_lists`; by default this chapter's own view), and
    the contents placeholder."""
    if chapters_run is None:
        chapters_run = ["PCN workforce", "Provenance and caveats"]
    if no_data is None:
        no_data = ctx.chapters
    area = ctx.comparison.iloc[0]
    england = ctx.comparison.iloc[1]
    text = render("pcn_summary.md.j2", area=ctx.area.name or ctx.area.code,
                  label=ctx.area.label, month=_month(ctx.pcn_period), pcns=area["pcns"],
                  fte=fmt_dp(1)(area["fte"]), per_1000=fmt_dp(2)(area["fte_per_1000"]),
                  england=fmt_dp(2)(england["fte_per_1000"]),
                  patients=patients_sentence(ctx), ran=chapters_run, no_data=no_data)
    dates = [("NHS England PCN workforce", _month(ctx.pcn_period))] + (
        [("Patients registered at a GP practice", _month(ctx.patients_period))]
        if ctx.patients_period else [])
    return real_files_opening(text, dates, ctx.files.values())


@with_data
def record(ctx: PcnContext, rpt) -> None:
    """The headline facts for the index of a batch (:func:`analysis.tables.pcn.headline_facts`,
    from the table ``pcn_area_england``), and inputs, parameters and caveats for the provenance
    section."""
    rpt.headline(CHAPTER, **headline_facts(ctx), table="pcn_area_england")
    rpt.record_inputs(CHAPTER, {k: str(v) for k, v in ctx.files.items()})
    rpt.record_parameters(CHAPTER, {"area": ctx.area.label, "pcn_release": ctx.pcn_period,
                                    "patients": ctx.patients_source,
                                    "patients_month": ctx.patients_period,
                                    "map_month": ctx.map_period})
    rpt.record_caveats(CHAPTER, [
        "FTE counts every row of the PCN file, contracted services included; headcount counts "
        "each staff identifier once (contracted services have none).",
        "A PCN's patients are those of all its practices in the map, including any across the "
        "area's boundary.", *ctx.notes])


@with_data
def title(ctx: PcnContext) -> Markdown:
    """The chapter heading, the rules of the count and the notes."""
    return Markdown(render("pcn_title.md.j2", area=ctx.area.name or ctx.area.code,
                           month=_month(ctx.pcn_period), patients=patients_sentence(ctx),
                           notes=ctx.notes, suppression=suppression_note()))


@with_data
def pcn_table(ctx: PcnContext, rpt):
    """FTE, headcount, patients and FTE per 1,000 by PCN (numerator and denominator shown)."""
    # the PCNs add up to the area's headcount in the comparison table
    df = protect(ctx.by_pcn, ["headcount"], totals=Totals(columns=column_groups(ctx.by_pcn)))
    return rpt.table(df, "pcn_fte_per_1000",
                     f"PCN-employed staff per 1,000 registered patients by PCN, "
                     f"{ctx.area.name or ctx.area.code}, {_month(ctx.pcn_period)}",
                     formats=FORMATS, labels=PCN_LABELS,
                     note=f"Source: {SOURCE}. {patients_sentence(ctx)}")


@with_data
def comparison_table(ctx: PcnContext, rpt):
    """The area against England, from the same files."""
    return rpt.table(ctx.comparison, "pcn_area_england",
                     f"PCN-employed staff per 1,000 registered patients: the area and England, "
                     f"{_month(ctx.pcn_period)}", formats=FORMATS,
                     labels={**PCN_LABELS, "area": "Area", "pcns": "PCNs"},
                     highlight=ctx.comparison.iloc[0]["area"],
                     note="England: every PCN of the PCN file that the map has, with the "
                          "patients of all their practices.")


@with_data
def role_table(ctx: PcnContext, rpt):
    """FTE and headcount by staff group and role as published (the ARRS roles among them)."""
    # the roles add up to the area's headcount in the comparison table
    df = protect(ctx.by_role, ["headcount"], totals=Totals(columns=column_groups(ctx.by_role)))
    return rpt.table(df, "pcn_staff_by_role",
                     f"PCN-employed staff by role, {ctx.area.name or ctx.area.code}, "
                     f"{_month(ctx.pcn_period)}", formats=FORMATS,
                     labels={**PCN_LABELS, "staff_group": "Staff group", "staff_role": "Role"},
                     note=f"Source: {SOURCE}. Roles as published.")


def per_1000_figure(by_pcn, title_text: str, england: float | None = None):
    """Horizontal bars from zero: FTE per 1,000 registered patients by PCN.

    Returns
    -------
    matplotlib.figure.Figure
    """
    df = by_pcn.dropna(subset=["fte_per_1000"]).sort_values("fte_per_1000")
    labels = df["pcn_name"] if "pcn_name" in df else df["pcn_code"]  # names as published
    return ranked_bars(df["fte_per_1000"], labels,
                       "PCN-employed staff FTE per 1,000 registered patients", title_text,
                       None if england is None else ("England", england))


@with_data
def per_1000_chart(ctx: PcnContext, rpt):
    """The chart of :func:`per_1000_figure`, or a sentence when there are no patients."""
    if ctx.by_pcn["fte_per_1000"].isna().all():
        return Markdown("No chart: no registered patients to divide by.")
    area = ctx.area.name or ctx.area.code
    england = float(ctx.comparison.iloc[1]["fte_per_1000"])
    fig = per_1000_figure(ctx.by_pcn, "", england)
    shown = ", ".join(f"{n}: {v:.2f}" for n, v in zip(ctx.by_pcn["pcn_code"],
                                                       ctx.by_pcn["fte_per_1000"], strict=True))
    values = ctx.by_pcn["fte_per_1000"].dropna()
    above = int((values > england).sum()) if np.isfinite(england) else None
    title = (f"{above} of {len(values)} PCNs have more PCN staff per 1,000 patients than "
             f"England ({england:.2f} FTE)" if above is not None else
             f"PCN staff FTE per 1,000 patients across {len(values)} PCNs")
    return rpt.chart(fig, "pcn_fte_per_1000", f"FTE per 1,000 patients by PCN: {shown}",
                     SOURCE, title=title, context=f"{area}, {_month(ctx.pcn_period)}")
