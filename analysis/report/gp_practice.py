"""The GP practice workforce chapter (``notebooks/06_gp_practice_workforce.ipynb``), for areas
found in real files: formats only. The numbers come from
:func:`analysis.tables.gp_practice.load_context`.

When the folder has no PCN workforce release this chapter comes first and :func:`opening` is
the report's summary (which chapters ran, which had no data for the area, what is missing).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from analysis.report.charts import ranked_bars  # noqa: E402
from analysis.report.rendering import (  # noqa: E402
    Markdown,
    Section,
    fmt_dp,
    fmt_int,
    render,
    with_data,
)
from analysis.report.summary import real_files_opening  # noqa: E402
from analysis.tables.gp_practice import (  # noqa: E402
    MEASURES,
    META_KEY,
    GpContext,
    headline_facts,
    month_name,
)
from analysis.tables.pcn import CHAPTERS  # noqa: E402

CHAPTER = META_KEY
SOURCE = "NHS England, General Practice Workforce, Practice Level - {release} (staff and " \
         "registered patients of the same month)"
NAMES = {n: what for n, what in MEASURES.values()}
LABELS = {"practice_code": "Practice code", "practice_name": "Practice",
          "patients": "Registered patients", "measure": "Staff", "practices": "Practices",
          "practices_without_figure": "Practices without a figure", "fte": "FTE",
          "fte_per_1000": "FTE per 1,000 patients", "england_fte": "England FTE",
          "england_patients": "England patients",
          "england_fte_per_1000": "England FTE per 1,000", "reason": "Why left out",
          **{n: f"{what} FTE" for n, what in NAMES.items()},
          **{f"{n}_per_1000": f"{what} per 1,000" for n, what in NAMES.items()}}
FORMATS = {"patients": fmt_int, "practices": fmt_int, "practices_without_figure": fmt_int,
           "fte": fmt_dp(1), "fte_per_1000": fmt_dp(2), "england_fte": fmt_dp(1),
           "england_patients": fmt_int, "england_fte_per_1000": fmt_dp(2),
           **{n: fmt_dp(1) for n in NAMES}, **{f"{n}_per_1000": fmt_dp(2) for n in NAMES}}
NO_PCN = "no PCN workforce file supplied"


def no_data(nhs_dir) -> Markdown:
    """What the chapter says when the folder has no GP Workforce practice-level release."""
    return Markdown(render("gp_practice_no_data.md.j2", folder=str(nhs_dir)))


def _source(ctx: GpContext) -> str:
    return SOURCE.format(release=ctx.release)


def _area(ctx: GpContext) -> str:
    return ctx.area.name or ctx.area.code


def no_data_chapters(with_pcn: bool, left_out: dict | None = None) -> dict[str, str]:
    """The chapters with no data for an area found in real files, and why (``left_out``: the
    chapters whose kind of file has none of the month asked, e.g. ``no PCN workforce file for
    2024-09``)."""
    out = {k: v for k, v in CHAPTERS.items() if not k.startswith("Practice workforce")}
    if not with_pcn:
        out = {"PCN workforce": NO_PCN, **out}
    return {**out, **(left_out or {})}


@with_data
def opening(ctx: GpContext, with_pcn: bool = False, left_out: dict | None = None,
            chapters_run: list[str] | None = None,
            no_data: dict[str, str] | None = None) -> Section:
    """The report's summary when this chapter comes first (no PCN workforce release): the
    headline, what is missing, the chapters run and those with no data (``chapters_run``,
    ``no_data``: from :func:`analysis.report.data_area.chapter_lists`; by default this
    chapter's own view)."""
    if with_pcn:
        return Section()
    gp = ctx.area_totals.iloc[0]
    missing = list(ctx.notes)
    if len(ctx.excluded):
        missing.append(f"{len(ctx.excluded)} organisation{'s' if len(ctx.excluded) > 1 else ''}"
                       " of the area left out (listed in the chapter).")
    text = render("gp_practice_summary.md.j2", area=_area(ctx), label=ctx.area.label,
                  month=month_name(ctx.period), per_1000=fmt_dp(2)(gp["fte_per_1000"]),
                  fte=fmt_dp(1)(gp["fte"]), patients=fmt_int(gp["patients"]),
                  practices=fmt_int(gp["practices"]),
                  england=(fmt_dp(2)(gp["england_fte_per_1000"]) if ctx.england else None),
                  england_note=ctx.england_note, missing=missing,
                  ran=chapters_run or ["GP practice workforce", "Provenance and caveats"],
                  no_data=no_data if no_data is not None else no_data_chapters(False, left_out))
    dates = [(f"NHS England GP Workforce ({ctx.release})", month_name(ctx.period))]
    return real_files_opening(text, dates, ctx.files.values())


@with_data
def record(ctx: GpContext, rpt) -> None:
    """The headline facts for the index of a batch
    (:func:`analysis.tables.gp_practice.headline_facts`, from the table
    ``gp_area_fte_per_1000``), and inputs, parameters and caveats for the provenance section."""
    rpt.headline(CHAPTER, **headline_facts(ctx), table="gp_area_fte_per_1000")
    rpt.record_inputs(CHAPTER, {k: str(v) for k, v in ctx.files.items()})
    rpt.record_parameters(CHAPTER, {"area": ctx.area.label, "gpw_release": ctx.period,
                                    "gpw_file": ctx.release,
                                    "practices": len(ctx.by_practice),
                                    "left_out": len(ctx.excluded),
                                    "gp_headcount": ctx.gp_headcount,
                                    "gp_headcount_fte": ctx.gp_headcount_fte})
    rpt.record_caveats(CHAPTER, [
        "GP practice staff and registered patients are from the same GP Workforce file; FTE "
        "is summed over practices, headcount is not (a person in two practices is one head).",
        ctx.basis, ctx.headcount_note, ctx.organisations, ctx.geography,
        *([ctx.england_note] if ctx.england_note else []), *ctx.notes])


@with_data
def title(ctx: GpContext) -> Markdown:
    """The chapter heading, the rules of the count and the notes."""
    return Markdown(render("gp_practice_title.md.j2", area=_area(ctx),
                           month=month_name(ctx.period), organisations=ctx.organisations,
                           geography=ctx.geography, england_note=ctx.england_note,
                           notes=ctx.notes, release=ctx.release, basis=ctx.basis,
                           headcount=(None if ctx.gp_headcount is None
                                      else fmt_int(ctx.gp_headcount)),
                           headcount_fte=(None if ctx.gp_headcount_fte is None
                                          else fmt_dp(1)(ctx.gp_headcount_fte)),
                           headcount_note=ctx.headcount_note))


@with_data
def area_table(ctx: GpContext, rpt):
    """FTE, patients and FTE per 1,000 by staff measure for the area (England beside it when
    the release covers England)."""
    note = f"Source: {_source(ctx)}. Patients of the practices with a figure for that measure."
    if not ctx.england:
        note += " " + ctx.england_note
    return rpt.table(ctx.area_totals, "gp_area_fte_per_1000",
                     f"GP practice staff FTE per 1,000 registered patients, {_area(ctx)}, "
                     f"{month_name(ctx.period)}", formats=FORMATS, labels=LABELS, note=note)


@with_data
def practice_table(ctx: GpContext, rpt):
    """Per practice: patients, FTE by measure and FTE per 1,000 patients."""
    return rpt.table(ctx.by_practice, "gp_practice_fte_per_1000",
                     f"Staff FTE and FTE per 1,000 registered patients by practice, "
                     f"{_area(ctx)}, {month_name(ctx.period)}", formats=FORMATS, labels=LABELS,
                     note=f"Source: {_source(ctx)}. Headcounts are not shown summed: they "
                          "do not add across practices.")


@with_data
def excluded_table(ctx: GpContext, rpt):
    """The area's organisations in the release that do not count, with the reason."""
    if ctx.excluded.empty:
        return Markdown("Every organisation of the area in the release counts: none left out.")
    return rpt.table(ctx.excluded, "gp_practices_left_out",
                     f"Organisations of {_area(ctx)} in the release left out, "
                     f"{month_name(ctx.period)}", formats=FORMATS, labels=LABELS,
                     note=ctx.organisations)


def per_1000_figure(by_practice, title_text: str):
    """Horizontal bars from zero: all-GP FTE per 1,000 registered patients by practice.

    Returns
    -------
    matplotlib.figure.Figure
    """
    df = by_practice.dropna(subset=["gp_fte_per_1000"]).sort_values("gp_fte_per_1000")
    labels = [f"{n} ({c})" for n, c in zip(df["practice_name"], df["practice_code"],
                                            strict=True)]
    return ranked_bars(df["gp_fte_per_1000"], labels,
                       "GP FTE (registrars included) per 1,000 registered patients", title_text)


@with_data
def per_1000_chart(ctx: GpContext, rpt):
    """The chart of :func:`per_1000_figure`."""
    fig = per_1000_figure(ctx.by_practice, "")
    shown = ", ".join(f"{c}: {v:.2f}" for c, v in zip(ctx.by_practice["practice_code"],
                                                       ctx.by_practice["gp_fte_per_1000"],
                                                       strict=True))
    v = ctx.by_practice["gp_fte_per_1000"].dropna()
    title = (f"GP FTE per 1,000 patients ranges from {v.min():.2f} to {v.max():.2f} across "
             f"{len(v)} practices" if len(v) else "GP FTE per 1,000 patients by practice")
    return rpt.chart(fig, "gp_practice_fte_per_1000",
                     f"GP FTE per 1,000 patients by practice: {shown}", _source(ctx),
                     title=title, context=f"{_area(ctx)}, {month_name(ctx.period)}")
