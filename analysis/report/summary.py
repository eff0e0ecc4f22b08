"""The report's opening (executive summary, contents) and closing (provenance, caveats).

Both are built from what each chapter recorded with
:meth:`analysis.report.rendering.Report.headline`,
``record_inputs``, ``record_parameters`` and ``record_caveats``; the notebooks ``00_summary``
and ``99_provenance`` run after every chapter and the report shows them first and last.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.config import DOCS, Area
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
from analysis.util import provenance as provenance

TOC_MARKER = '<nav id="report-toc"></nav>'


def _pct(x) -> str:
    return "n/a" if x is None else f"{float(x):.0%}"


def summary_md(area: Area, meta: dict) -> Markdown:
    """Executive summary bullets (``summary.md.j2``) from the chapters' headline facts."""
    h = meta.get("headline", {})
    wf, sc, rt, uc = (h.get(k) or {} for k in ("workforce", "scenarios", "returns",
                                                  "urgent_care"))
    ctx: dict = {"area": area.name, "mode": disclosure.mode(),
                 "threshold": disclosure.threshold(), "wf": None, "sc": None, "rt": None,
                 "completeness": None, "uc": uc.get("text") if uc else None}
    if wf:
        gap = wf["gap_fte"]
        ctx["wf"] = {"per_1000": fmt_dp(2)(wf["gp_fte_per_1000"]),
                     "target": f"{wf['target']:.2f}", "short": gap > 0,
                     "gap": fmt_dp(1)(gap if gap > 0 else -gap), "gp_hc": fmt_int(wf["gp_hc"]),
                     "gp_fte": fmt_dp(1)(wf["gp_fte"]), "patients": fmt_int(wf["patients"]),
                     "practices": fmt_int(wf["practices"]), "date": wf["date"],
                     "share_55": _pct(wf["share_55_plus"]),
                     "gp_hc_55_plus": fmt_int(wf["gp_hc_55_plus"])}
    if sc:
        ctx["sc"] = {"scenario": sc["scenario"], "position": fmt_int(sc["position"]),
                     "horizon": sc["horizon"], "target": fmt_int(sc["target"]),
                     "short": sc["gap"] > 0,
                     "gap": fmt_int(sc["gap"] if sc["gap"] > 0 else -sc["gap"]),
                     "p_meet": (_pct(sc["p_meet"]) if sc.get("p_meet") is not None
                                else None),
                     "draws": fmt_int(sc.get("draws"))}
    if rt:
        ctx["rt"] = {**rt, **{k: fmt_int(rt[k]) for k in ("raw", "corrected", "quarantined")}}
    if wf.get("estimated_practices") is not None:
        ctx["completeness"] = {"estimated": wf["estimated_practices"],
                               "in_release": wf["practices_in_release"],
                               "nd": wf["nd_practices"]}
    return Markdown(render("summary.md.j2", **ctx))


def opening(area: Area, meta: dict) -> Section:
    """The report's opening: the stylesheet, the executive summary and the contents
    placeholder (filled by :func:`add_toc` once the HTML is written)."""
    return Section((Html(REPORT_CSS), summary_md(area, meta), Html(TOC_MARKER)))


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
