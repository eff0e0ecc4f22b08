"""The batch's ``index.html``: every demo area with its headline figures and a link to its
report (written by :func:`analysis.report.runner.run_all` and after each single report), or
every area of the batch of real-data areas with the figures its chapters recorded and its
status (:func:`write_data_index`, written by
:func:`analysis.report.data_batch.run_data_batch`). Text from the files is escaped."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from analysis.config import registry
from analysis.report.rendering import REPORT_CSS, atomic_write_bytes, fmt_dp, fmt_int
from analysis.tables import gp_practice, pcn
from analysis.tables.area_names import kind_label


def write_index(out_root: Path, status: dict[str, str] | None = None) -> Path:
    """``index.html``: every area with its headline figures and a link to its report."""
    status = status or {}
    R = " style='text-align:right'"
    rows = []
    for slug, area in registry().items():
        folder = out_root / slug
        meta_file = folder / "_meta" / "headline.json"
        h = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        wf, sc = h.get("workforce", {}), h.get("scenarios", {})
        exists = (folder / "report.html").exists()
        state = {"ok": "built", "skipped": "unchanged"}.get(
            status.get(slug, "ok" if exists else "not built"), status.get(slug, "not built"))
        link = (f"<a href='{html.escape(slug)}/report.html'>{html.escape(area.name)}</a>"
                if exists else html.escape(area.name))
        rows.append(
            f"<tr><td>{link}</td><td>{area.kind.upper()}</td>"
            f"<td{R}>{fmt_int(wf.get('practices'))}</td>"
            f"<td{R}>{fmt_int(wf.get('patients'))}</td>"
            f"<td>{html.escape(str(wf.get('date', '')))}</td>"
            f"<td{R}>{fmt_dp(2)(wf.get('gp_fte_per_1000'))}</td>"
            f"<td{R}>{fmt_dp(1)(wf.get('gap_fte'))}</td>"
            f"<td{R}>{_share(wf.get('share_55_plus'))}</td>"
            f"<td>{_scenario_cell(area, sc)}</td>"
            f"<td>{html.escape(state)}</td></tr>")
    intro = ("One report per area. Practices, patients, GP FTE and GPs aged 55+ are each "
             "area's own figures (NHS Digital's GP workforce release, all GPs including "
             "registrars, at the date shown). GP FTE per 1,000 patients is against the planning "
             "ratio of 0.58; the gap is the FTE needed to reach it (negative: above it). The "
             "scenarios are modelled for whole STPs: a CCG's row shows its STP's leading "
             "scenario, labelled so and not apportioned.")
    return _write_page(out_root, "GP workforce reports", intro, "Areas",
                       ["Area", "Kind", "Practices", "Patients", "Data date",
                        "GP FTE per 1,000", "Gap to 0.58 (FTE)", "GPs aged 55+",
                        "Leading scenario (the STP's model)", "This run"], rows)


def write_data_index(out_root: Path, areas, results: dict[str, tuple[str, float, str]],
                     kind: str) -> Path:
    """``index.html`` of a batch of areas found in real files: each area's own figures, with
    their months, as its chapters recorded them in ``<slug>/_meta/headline.json``
    (:func:`analysis.tables.gp_practice.headline_facts`,
    :func:`analysis.tables.pcn.headline_facts`: cells of the chapters' tables, never
    recomputed here), its status and a link to its report.

    A chapter with no data for an area (or an area with no report) leaves its cells blank.
    The figures are FTE, registered patients and FTE per 1,000 patients: no count of people,
    so nothing here needs small-number suppression.

    Parameters
    ----------
    out_root : Path
        Where the reports are (``<slug>/report.html``).
    areas : list of ListedArea
        :func:`analysis.report.data_batch.data_areas`, in the order listed.
    results : dict
        slug -> (status, seconds, message), status ``ok``, ``skipped`` or ``failed``.
    kind : str
        Their kind (``icb``).
    """
    R = " style='text-align:right'"
    label = kind_label(kind)
    rows = []
    for a in areas:
        status, secs, msg = results.get(a.slug, ("not built", None, ""))
        exists = (out_root / a.slug / "report.html").exists()
        state = {"ok": "built", "skipped": "unchanged"}.get(status, status)
        if status == "failed" and exists:
            state += " (the previous report is kept)"
        name = html.escape(a.name or a.code)
        link = f"<a href='{html.escape(a.slug)}/report.html'>{name}</a>" if exists else name
        facts = _headline(out_root / a.slug) if exists else {}
        rows.append(
            f"<tr><td>{link}</td><td>{html.escape(a.code)}</td>"
            f"<td{R}>{fmt_int(a.practices) if a.practices else ''}</td>"
            + _gp_cells(facts.get(gp_practice.META_KEY) or {}, R, a.practices)
            + _pcn_cells(facts.get(pcn.META_KEY) or {}, R)
            + f"<td>{html.escape(f'{a.source} ({a.period})' if a.period else a.source)}</td>"
            f"<td>{html.escape(state)}</td>"
            f"<td{R}>{'' if secs is None else f'{secs:.1f}'}</td>"
            f"<td>{html.escape(msg)}</td></tr>")
    n_failed = sum(r[0] == "failed" for r in results.values())
    title = f"GP workforce reports: {label}s found in real files"
    intro = (f"One report per {label} found in the downloaded NHS files ({len(areas)} areas, "
             f"{n_failed} failed in this run). Practices are those of the file each area was "
             "listed from, at its date. The figures are each area's own, from its report's "
             "tables, at the month shown. GPs: NHS England's GP Workforce practice-level "
             "release, the practices it counts in the area and their registered patients from "
             "the same file; all GPs include registrars, fully qualified GPs leave them out "
             "(blank when the release does not carry that measure). PCN-employed staff: the "
             "PCN workforce release, over the registered patients of all the PCNs' practices "
             "(the patients file's month shown when it differs). A blank: the chapter had no "
             "data for the area (its report says why). Each report names the releases it read "
             "and the chapters left out for want of data.")
    return _write_page(out_root, title, intro, f"{label}s",
                       ["Area", "Code", "Practices", "GP release", "Registered patients",
                        "GP FTE (all GPs)", "GP FTE per 1,000 patients",
                        "Fully qualified GP FTE", "Fully qualified GP FTE per 1,000",
                        "PCN release", "PCN staff FTE", "Patients of the PCNs",
                        "PCN staff FTE per 1,000 patients", "Listed from", "This run",
                        "Seconds", "Note"], rows, width="none")


def _headline(folder: Path) -> dict:
    """The facts the chapters of a report recorded (``_meta/headline.json``), or {}."""
    path = folder / "_meta" / "headline.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):  # a damaged file: the figures are left blank
        return {}


def _month(period) -> str:
    """``September 2024`` for ``2024-09``; other text as it is (escaped); blank for none."""
    if not period:
        return ""
    text = str(period)
    return html.escape(gp_practice.month_name(text) if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])",
                                                                    text) else text)


def _shown(fmt, x) -> str:
    """``fmt(x)``, or blank when ``x`` is not a number (a hand-edited headline file)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return ""
    return fmt(x)


def _gp_cells(gp: dict, R: str, listed: int = 0) -> str:
    """GP release (its month and the practices counted, against the ``listed`` practices of
    the area when they differ: a release may hold part of an area only), registered patients,
    all-GP FTE and per 1,000, fully qualified GP FTE and per 1,000 (with its patients when
    they differ from the all-GP rate's)."""
    every, fq = gp.get("all_gps") or {}, gp.get("fully_qualified_gps") or {}
    fq_rate = _shown(fmt_dp(2), fq.get("fte_per_1000"))
    if fq_rate and fq.get("patients") != gp.get("patients"):
        fq_rate += f" (of {_shown(fmt_int, fq.get('patients'))} patients)"
    month = _month(gp.get("month"))
    if month and _shown(fmt_int, gp.get("practices")):
        n = _shown(fmt_int, gp["practices"])
        if listed and gp["practices"] != listed:
            month += f", {n} of the {fmt_int(listed)} practices listed for the area"
        else:
            month += f", {n} practice{'' if n == '1' else 's'}"
    return (f"<td>{month}</td>"
            f"<td{R}>{_shown(fmt_int, gp.get('patients'))}</td>"
            f"<td{R}>{_shown(fmt_dp(1), every.get('fte'))}</td>"
            f"<td{R}>{_shown(fmt_dp(2), every.get('fte_per_1000'))}</td>"
            f"<td{R}>{_shown(fmt_dp(1), fq.get('fte'))}</td>"
            f"<td{R}>{fq_rate}</td>")


def _pcn_cells(p: dict, R: str) -> str:
    """PCN release (and the patients file's month when it differs), PCN staff FTE, the PCNs'
    patients and FTE per 1,000."""
    month = _month(p.get("pcn_month"))
    if p.get("patients_month") and p.get("patients_month") != p.get("pcn_month"):
        month += f" (patients {_month(p['patients_month'])})"
    return (f"<td>{month}</td>"
            f"<td{R}>{_shown(fmt_dp(1), p.get('fte'))}</td>"
            f"<td{R}>{_shown(fmt_int, p.get('patients'))}</td>"
            f"<td{R}>{_shown(fmt_dp(2), p.get('fte_per_1000'))}</td>")


def _write_page(out_root: Path, title: str, intro: str, caption: str, headers: list[str],
                rows: list[str], width: str = "1100px") -> Path:
    """``out_root/index.html``: a title, an introduction and one table of ``rows`` (HTML
    already escaped); the title, introduction, caption and headers are escaped here (text,
    not attributes: quotes are kept). ``width``: the page's widest (the real-data index,
    17 columns, takes the whole window)."""
    def e(text: str) -> str:
        return html.escape(text, quote=False)

    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{e(title)}</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:" + width + ";margin:2em auto;"
            "padding:0 1em;color:#222}div.report-table{overflow-x:auto}</style>" + REPORT_CSS
            + "</head><body>"
            f"<h1>{e(title)}</h1><p>{e(intro)}</p>"
            f"<div class='report-table'><table><caption>{e(caption)}</caption><thead><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div></body></html>")
    path = out_root / "index.html"
    atomic_write_bytes(path, page.encode("utf-8"))
    path.chmod(0o644)
    return path


def _scenario_cell(area, sc: dict) -> str:
    """The leading scenario's GP WTE; a CCG's row labels it as its STP's model, not
    apportioned, as the report's summary does (the scenario files model whole STPs)."""
    if not sc:
        return ""
    text = f"{html.escape(sc.get('scenario', ''))}: {fmt_int(sc.get('position'))} WTE"
    if area.kind == "ccg":
        stp = registry().get(area.stp)
        name = stp.short_name if stp else "STP"
        text += (f" <span class='scope' data-scope='stp'>({html.escape(name)} STP model, "
                 "not apportioned)</span>")
    return text


def _share(x) -> str:
    return "" if x is None else f"{float(x):.0%}"
