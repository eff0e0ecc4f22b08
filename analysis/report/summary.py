"""The report's opening (executive summary, contents) and closing (provenance, caveats).

Both are built from what each chapter recorded with
:meth:`analysis.report.rendering.Report.headline`,
``record_inputs``, ``record_parameters`` and ``record_caveats``; the notebooks ``00_summary``
and ``99_provenance`` run after every chapter and the report shows them first and last.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from analysis.config import DOCS, Area
from analysis.report import disclosure as disclosure
from analysis.report.rendering import fmt_dp, fmt_int
from analysis.util import provenance as provenance

TOC_MARKER = '<nav id="report-toc"></nav>'


def _pct(x) -> str:
    return "n/a" if x is None else f"{float(x):.0%}"


def summary_md(area: Area, meta: dict) -> str:
    """Executive summary bullets (Markdown) from the chapters' headline facts."""
    h = meta.get("headline", {})
    wf, sc, rt, uc = (h.get(k) or {} for k in ("workforce", "scenarios", "returns",
                                                  "urgent_care"))
    lines = [f"# GP workforce: {area.name}", "", "## Summary", ""]
    if wf:
        gap = wf["gap_fte"]
        lines.append(
            f"- **{fmt_dp(2)(wf['gp_fte_per_1000'])} GP FTE per 1,000 patients** against the "
            f"national planning ratio of {wf['target']:.2f}: "
            + (f"**{fmt_dp(1)(gap)} FTE short** of it" if gap > 0
               else f"{fmt_dp(1)(-gap)} FTE above it")
            + f" ({fmt_int(wf['gp_hc'])} GPs, {fmt_dp(1)(wf['gp_fte'])} FTE, for "
            f"{fmt_int(wf['patients'])} patients in {fmt_int(wf['practices'])} practices, "
            f"{wf['date']}).")
        lines.append(f"- **{_pct(wf['share_55_plus'])} of GPs are aged 55 or over** "
                     f"({fmt_int(wf['gp_hc_55_plus'])}), the group most likely to retire in "
                     "the planning horizon.")
    if sc:
        lines.append(
            f"- Scenario model, *{sc['scenario']}*: **{fmt_int(sc['position'])} GP WTE** by "
            f"{sc['horizon']} against a target of {fmt_int(sc['target'])} "
            + (f"(a gap of **{fmt_int(sc['gap'])} WTE**)" if sc["gap"] > 0 else
               f"(a surplus of {fmt_int(-sc['gap'])} WTE)")
            + (f"; {_pct(sc['p_meet'])} of 10,000 Monte Carlo draws meet the target."
               if sc.get("p_meet") is not None else "."))
    if rt:
        lines.append(
            f"- Local returns, {rt['period']}: {rt['received']} practices returned, "
            f"{rt['carried']} carried forward and {rt['estimated']} estimated; of "
            f"{fmt_int(rt['raw'])} raw rows, {fmt_int(rt['corrected'])} were corrected and "
            f"{fmt_int(rt['quarantined'])} quarantined.")
    if wf.get("estimated_practices") is not None:
        lines.append(f"- Data completeness (NHS Digital): {wf['estimated_practices']} of "
                     f"{wf['practices_in_release']} practices' GP figures include NHS Digital "
                     f"estimates; {wf['nd_practices']} have no valid GP data.")
    if uc:
        lines.append(f"- Urgent care: {uc['text']}")
    lines += ["", f"*Report mode: {disclosure.mode()}"
              + (f" (counts from staff- or case-level data below {disclosure.threshold()} "
                 "are suppressed)." if disclosure.threshold() else " (no suppression).")
              + " All figures use synthetic demo data unless the inputs listed under "
                "Provenance are real files.*"]
    return "\n".join(lines)


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


def closing_html(meta: dict, parameters: dict) -> str:
    """Provenance (inputs, parameters, code, run time, packages) and the caveats (HTML)."""
    rec = provenance.collect({}, parameters)
    rows = "".join(
        f"<tr><td>{html.escape(r['input'])}</td><td><code>{html.escape(r['file'])}</code></td>"
        f"<td style='text-align:right'>{html.escape(r['size'])}</td>"
        f"<td><code>{html.escape(r['sha256'])}</code></td>"
        f"<td>{html.escape(r['used by'])}</td></tr>" for r in inputs_rows(meta))
    params = "".join(
        f"<li>{html.escape(ch)}: " + ", ".join(
            f"<code>{html.escape(str(k))}</code> = <code>{html.escape(str(v))}</code>"
            for k, v in p.items()) + "</li>"
        for ch, p in {"run": parameters, **meta.get("parameters", {})}.items())
    pkgs = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in rec["packages"].items())
    caveats = "".join(
        f"<h3>{html.escape(ch)}</h3><ul>"
        + "".join(f"<li>{html.escape(c)}</li>" for c in items) + "</ul>"
        for ch, items in meta.get("caveats", {}).items())
    return (
        "<h2 id='provenance'>Provenance and caveats</h2>"
        f"<p>Run {html.escape(rec['run_time_utc'])}; code version "
        f"<code>{html.escape(rec['code_version'])}</code>; report mode "
        f"{html.escape(disclosure.mode())}.</p>"
        "<div class='report-table'><table><caption>Input files (SHA-256; a folder's checksum "
        "covers every file's path and checksum)</caption><thead><tr><th>Input</th><th>File"
        "</th><th>Size</th><th>SHA-256</th><th>Used by</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
        f"<p>Parameters:</p><ul>{params}</ul><p>Packages: {pkgs}.</p>"
        f"<h2 id='caveats'>Caveats</h2>{caveats}")


def assumptions_md() -> str:
    """The assumptions and caveats log (docs/assumptions.md), as Markdown."""
    path = DOCS / "assumptions.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    body = text.split("\n", 1)[1] if text.startswith("#") else text
    return "### Assumptions and caveats log\n" + body


def add_toc(html_text: str) -> str:
    """Fill the contents placeholder with links to every chapter heading (h2)."""
    import re

    heads = re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)<', html_text)
    items = [(i, re.sub(r"\s+", " ", t).strip()) for i, t in heads
             if i not in ("Summary",) and t.strip()]
    if not items:
        return html_text.replace(TOC_MARKER, "")
    nav = ("<nav id='report-toc'><h2>Contents</h2><ol>"
           + "".join(f"<li><a href='#{html.escape(i)}'>{t}</a></li>" for i, t in items)
           + "</ol></nav>")
    return html_text.replace(TOC_MARKER, nav, 1)
