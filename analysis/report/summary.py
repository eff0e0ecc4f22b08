"""The report's opening (executive summary, contents) and closing (provenance, caveats).

Both are built from what each chapter recorded with
:meth:`analysis.report.rendering.Report.headline`,
``record_inputs``, ``record_parameters`` and ``record_caveats``; the notebooks ``00_summary``
and ``99_provenance`` run after every chapter and the report shows them first and last.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from analysis.config import DOCS, Area, registry, settings
from analysis.report import disclosure as disclosure
from analysis.report.rendering import (
    REPORT_CSS,
    Html,
    Markdown,
    Section,
    fmt_dp,
    fmt_int,
    render,
)
from analysis.tables import headline as hl
from analysis.util import provenance as provenance

TOC_MARKER = '<nav id="report-toc"></nav>'


def _pct(x) -> str:
    return "n/a" if x is None else f"{float(x):.0%}"


FORMATS = {"int": fmt_int, "dp1": fmt_dp(1), "dp2": fmt_dp(2),
           "pct": lambda v: "" if v is None else f"{fmt_dp(1)(float(v) * 100)}%"}
"""How each kind of headline figure is printed: the formatters the chapter tables use."""

SUMMARY_TABLES = ("gp_summary", "fte_per_1000", "llr_table8_staff_per_1000", "practice_groups",
                  "scenario_components", "scenario_probability", "returns_status")
"""The chapter tables the summary quotes (``tables/<name>.csv``, written by the chapters)."""


def fmt(figure: hl.Figure | None) -> str:
    """A headline figure as the chapter table that holds it prints it."""
    return "" if figure is None else FORMATS[figure.kind](figure.value)


def chapter_tables(output_dir: Path) -> dict[str, pd.DataFrame]:
    """The chapter tables the summary quotes, read back unrounded from ``tables/``."""
    folder = Path(output_dir) / "tables"
    return {n: pd.read_csv(folder / f"{n}.csv") for n in SUMMARY_TABLES
            if (folder / f"{n}.csv").exists()}


def _parent(area: Area) -> Area | None:
    return registry().get(area.stp) if area.kind == "ccg" else None


def headline_figures(area: Area, meta: dict, output_dir: Path) -> hl.Headline:
    """The report's headline figures (:func:`analysis.tables.headline.headline`) from the
    tables and facts its chapters wrote."""
    facts = dict(meta.get("headline", {}))
    dates = meta.get("parameters", {}).get("Workforce tables", {})
    if facts.get("workforce") and dates.get("indicators"):
        facts["workforce"] = {**facts["workforce"],
                              "indicators_date": _long_date(dates["indicators"])}
    parent = _parent(area)
    return hl.headline(chapter_tables(output_dir), facts, area.name, area.short_name,
                       area.kind, parent.name if parent else None)


def _long_date(iso: str) -> str:
    return pd.Timestamp(iso).strftime("%-d %B %Y")


def _data_dates(meta: dict) -> list[tuple[str, str]]:
    """(source, date) for every dated input the chapters recorded."""
    h, p = meta.get("headline", {}), meta.get("parameters", {})
    out = []
    wf = p.get("Workforce tables", {})
    if wf.get("summary"):
        out.append(("NHS Digital General Practice Workforce (GPs and practices)",
                    _long_date(wf["summary"])))
    if wf.get("indicators"):
        out.append(("NHS Digital practice-level indicators (roles, England)",
                    _long_date(wf["indicators"])))
    if (h.get("returns") or {}).get("period"):
        out.append(("Local workforce returns", h["returns"]["period"]))
    if (h.get("scenarios") or {}).get("horizon"):
        out.append(("Scenario horizon", str(h["scenarios"]["horizon"])))
    uc = p.get("Urgent care", {})
    if uc.get("period"):
        out.append(("Urgent care (NHS 111 and A&E)", str(uc["period"])))
    return out


def _releases(meta: dict) -> list[str]:
    """The file names of the NHS Digital releases the chapters read."""
    names = []
    for inputs in meta.get("inputs", {}).values():
        for role, path in inputs.items():
            if path and role.startswith("gpw") and Path(path).name not in names:
                names.append(Path(path).name)
    return names


def publication_html(meta: dict, synthetic: bool,
                     dates: list[tuple[str, str]] | None = None,
                     releases: list[str] | None = None) -> Html:
    """Status, data dates, release used, code version, next update, contact and the link to
    the methods (``publication.html.j2``; the choices are in ``report: publication``).
    ``dates`` replaces the dates read from ``meta`` (a report of an area found in real
    files), ``releases`` the file names read from ``meta``."""
    pub = settings().report.publication
    return Html(render(
        "publication.html.j2", status=pub.status_synthetic if synthetic else pub.status,
        dates=_data_dates(meta) if dates is None else dates,
        releases=_releases(meta) if releases is None else releases,
        code_version=provenance.git_version(), next_update=pub.next_update,
        contact=pub.contact, methods=pub.methods))


def real_files_opening(text: str, dates: list[tuple[str, str]], files) -> Section:
    """The opening of a report of an area found in real files: the title line of ``text``
    (rendered Markdown), the publication metadata (``dates``; the releases are the names of
    ``files``), the rest of ``text`` and the contents placeholder."""
    title, rest = text.split("\n", 1)
    releases = [Path(p).name for p in files]
    return Section((Html(REPORT_CSS), Markdown(title),
                    publication_html({}, synthetic=False, dates=dates, releases=releases),
                    Markdown(rest), Html(TOC_MARKER)))


def _scenario_rows(h: hl.Headline) -> list[dict]:
    if h.scenarios is None:
        return []
    rows = []
    for r in h.scenarios.to_dict("records"):
        gap = r.get("gap")
        rows.append({"role": r["role"], "scenario": r["scenario"],
                     "position": fmt_int(r.get("position")), "target": fmt_int(r.get("target")),
                     "gap": "" if gap is None else (f"{fmt_int(gap)} short" if gap > 0
                                                    else f"{fmt_int(-gap)} above"),
                     "p_meet": _pct(r.get("p_meet")) if r.get("p_meet") is not None else ""})
    return rows


def returns_cover(area: Area, meta: dict, tables: dict) -> list[str] | None:
    """The short names of the area's CCGs that the local returns cover in the report's
    period, when they are not all of them (the Black Country's returns are Wolverhampton's);
    None when they cover the whole area."""
    rt = meta.get("headline", {}).get("returns") or {}
    status = tables.get("returns_status")
    if status is None or not rt.get("period"):
        return None
    seen = set(status.loc[status["period"].astype(str) == rt["period"], "ccg_code"].astype(str))
    own = hl.returns_cover(list(area.members), seen)
    if own is None:
        return None
    names = {a.code: a.short_name for a in registry().values() if a.kind == "ccg"}
    return [names.get(c, c) for c in own]


def _completeness(area: Area, meta: dict, tables: dict) -> dict:
    wf = meta.get("headline", {}).get("workforce") or {}
    rt = meta.get("headline", {}).get("returns") or {}
    own = (hl.returns_completeness(tables["returns_status"], list(area.members), rt["period"])
           if "returns_status" in tables and rt.get("period") else None)
    return {"returns": own, "period": rt.get("period"),
            "estimated": wf.get("estimated_practices"),
            "in_release": wf.get("practices_in_release"), "nd": wf.get("nd_practices")}


def board_summary(area: Area, meta: dict, output_dir: Path) -> Html:
    """The one-page board summary (``summary_board.html.j2``): the headline against the parent
    area and England on each named basis, the base case and the plan's chosen scenario side by
    side, the age risk, data completeness and data dates. Every figure is read from
    :func:`headline_figures`; each cell carries its key (``data-figure``) and links to the
    chapter table holding it."""
    h = headline_figures(area, meta, output_dir)
    f = h.figures
    tables = chapter_tables(output_dir)
    cover = returns_cover(area, meta, tables)
    wf = meta.get("headline", {}).get("workforce") or {}
    parent = _parent(area)
    stp = parent or area
    shown = {k: {"text": fmt(v), "table": v.table, "date": v.date}
             for k, v in f.items()}
    target = wf.get("target", 0.58)
    lead = ("ret" if "ret_per_1000" in f and not cover
            else "all" if "all_per_1000" in f else None)
    return Html(render(
        "summary_board.html.j2", area=area.short_name, area_name=area.name,
        parent=parent.short_name if parent else None, f=shown, lead=lead,
        bases=hl.BASES, target=f"{target:.2f}", scenarios=_scenario_rows(h),
        scenario_area=stp.name, scenario_is_parent=parent is not None,
        horizon=(meta.get("headline", {}).get("scenarios") or {}).get("horizon"),
        completeness=_completeness(area, meta, tables), cover=cover,
        mode=disclosure.mode(), threshold=disclosure.threshold()))


def opening(area: Area, meta: dict, output_dir: Path | None = None,
            synthetic: bool | None = None) -> Section:
    """The report's opening: the stylesheet, the title, the publication metadata, the board
    summary and the contents placeholder (filled by :func:`add_toc` once the HTML is
    written)."""
    import os

    synthetic = (os.environ.get("GPW_SYNTHETIC") == "1") if synthetic is None else synthetic
    return Section((Html(REPORT_CSS), Markdown(f"# GP workforce: {area.name}"),
                    publication_html(meta, synthetic), Markdown("## Summary"),
                    board_summary(area, meta, Path(output_dir or ".")), Html(TOC_MARKER)))


def folder_checksum(folder: Path) -> tuple[int, str]:
    """Number of files under a folder and one SHA-256 over their paths and checksums."""
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.relative_to(folder).as_posix()}\t{provenance.sha256(p)}\n".encode())
    return len(files), h.hexdigest()


def inputs_rows(meta: dict) -> list[dict]:
    """One row per distinct input file or folder recorded by any chapter."""
    seen: dict[str, dict] = {}
    for chapter, inputs in meta.get("inputs", {}).items():
        for role, path in inputs.items():
            if not path:
                continue
            p = Path(path)
            key = str(p.resolve())
            if key in seen:
                seen[key]["used by"] += f", {chapter}"
                continue
            if p.is_dir():
                n, digest = folder_checksum(p)
                size = f"{n:,} files"
            elif p.exists():
                digest, size = provenance.sha256(p), f"{p.stat().st_size:,} bytes"
            else:
                digest, size = "(missing)", ""
            seen[key] = {"input": role, "file": provenance.relative(p), "size": size,
                         "sha256": digest, "used by": chapter}
    return list(seen.values())


def closing_html(meta: dict, parameters: dict) -> Html:
    """Provenance (inputs, parameters, code, run time, packages) and the caveats
    (``provenance_closing.html.j2``)."""
    rec = provenance.collect({}, parameters)
    return Html(render(
        "provenance_closing.html.j2", run_time=rec["run_time_utc"],
        code_version=rec["code_version"], mode=disclosure.mode(), inputs=inputs_rows(meta),
        parameters={"run": parameters, **meta.get("parameters", {})},
        packages=rec["packages"], caveats=meta.get("caveats", {})))


def assumptions_md() -> Markdown:
    """The assumptions and caveats log (docs/assumptions.md, its title replaced)."""
    path = DOCS / "assumptions.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    body = text.split("\n", 1)[1] if text.startswith("#") else text
    # the log's own sections sit under its heading, never as chapters of the report
    body = re.sub(r"^(#{1,4}) ", lambda m: "#" * min(len(m.group(1)) + 2, 6) + " ", body,
                  flags=re.M)
    return Markdown("### Assumptions and caveats log\n" + body)


def closing(meta: dict, parameters: dict, assumptions: bool = True) -> Section:
    """The report's closing section: provenance and caveats, then the assumptions log (of the
    demo chapters: left out, ``assumptions=False``, for an area found in real files)."""
    return Section((closing_html(meta, parameters),
                    *((assumptions_md(),) if assumptions else ())))


def add_toc(html_text: str) -> str:
    """Fill the contents placeholder with links to every chapter heading (h2)."""
    import re

    heads = re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)<', html_text)
    items = [(i, re.sub(r"\s+", " ", t).strip()) for i, t in heads
             if i not in ("Summary",) and t.strip()]
    if not items:
        return html_text.replace(TOC_MARKER, "")
    return html_text.replace(TOC_MARKER, render("summary_toc.html.j2", items=items), 1)
