"""The batch's ``index.html``: every demo area with its headline figures and a link to its
report (written by :func:`analysis.report.runner.run_all` and after each single report)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from analysis.config import registry
from analysis.report.rendering import REPORT_CSS, atomic_write_bytes, fmt_dp, fmt_int


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
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>GP workforce reports</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
            "padding:0 1em;color:#222}</style>" + REPORT_CSS + "</head><body>"
            "<h1>GP workforce reports</h1><p>One report per area. Practices, patients, GP "
            "FTE and GPs aged 55+ are each area's own figures (NHS Digital's GP workforce "
            "release, all GPs including registrars, at the date shown). GP FTE per 1,000 "
            "patients is against the planning ratio of 0.58; the gap is the FTE needed to reach "
            "it (negative: above it). The scenarios are modelled for whole STPs: a CCG's row "
            "shows its STP's leading scenario, labelled so and not apportioned.</p>"
            "<div class='report-table'><table><caption>Areas"
            "</caption><thead><tr><th>Area</th><th>Kind</th><th>Practices</th><th>Patients</th>"
            "<th>Data date</th><th>GP FTE per 1,000</th><th>Gap to 0.58 (FTE)</th>"
            "<th>GPs aged 55+</th>"
            "<th>Leading scenario (the STP's model)</th><th>This run</th></tr></thead><tbody>"
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
