"""Run an area's report: papermill executes the notebooks, nbconvert writes reviewer HTML.

Usage (the Makefile wraps this)::

    python -m analysis.report --ccg wolverhampton
    python -m analysis.report --stp black-country --code      # analyst mode: code shown

The report goes to ``outputs/<slug>/report.html`` with ``tables/*.csv``, ``charts/*.png`` and
``provenance.json`` beside it. The run builds into a staging folder and swaps it in only when
every notebook succeeded, so a failed or killed run leaves the previous report intact. Errors
are printed as one line (area, notebook, cause) and the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from analysis import demo
from analysis.config import DATA_DEMO, OUTPUTS, ROOT, Area, load_config, resolve_area
from analysis.errors import GPWorkforceError

# The report has no interactive output, so scripts (MathJax, Mermaid loaders that would fetch
# from a CDN) are removed: the HTML opens offline and runs nothing.
SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


class ReportError(GPWorkforceError):
    """A report could not be produced; the message says for which area and why."""


def _strip_noise(nb: nbformat.NotebookNode) -> None:
    """Drop stderr streams and warnings from outputs (reviewers never see them)."""
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = [o for o in cell.get("outputs", [])
                           if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]


def to_html(nb: nbformat.NotebookNode, title: str, show_code: bool = False) -> str:
    """Self-contained HTML (no network needed to open it), code hidden unless ``show_code``."""
    from nbconvert import HTMLExporter

    _strip_noise(nb)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = not show_code
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return SCRIPT.sub("", body)


def ensure_demo_data() -> None:
    """Build the demo inputs if the config points at them and any is missing."""
    demo.ensure(DATA_DEMO)


def run_area(area: Area, out_root: Path = OUTPUTS, show_code: bool = False,
             keep_notebooks: bool = False, inputs: dict | None = None,
             snapshots: dict | None = None) -> Path:
    """Execute every report notebook for ``area`` and write its HTML.

    Parameters
    ----------
    area : Area
        From :func:`analysis.config.resolve_area`.
    out_root : Path
        Reports go to ``out_root/<slug>/``.
    show_code : bool
        Analyst mode: code cells shown and executed notebooks kept.
    keep_notebooks : bool
        Keep the executed notebooks beside the report.
    inputs, snapshots : dict, optional
        Input path and period overrides passed to the notebooks.

    Returns
    -------
    Path of ``report.html``.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    cfg = load_config()
    kernel = cfg["report"]["kernel_name"]
    out_root = Path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    final = out_root / area.slug
    staging = Path(tempfile.mkdtemp(prefix=f".{area.slug}-", dir=out_root))
    try:
        executed = {}
        for rel in cfg["report"]["notebooks"]:
            nb_path = ROOT / rel
            out_nb = staging / "notebooks" / nb_path.name
            out_nb.parent.mkdir(parents=True, exist_ok=True)
            params = {"area_slug": area.slug, "area_kind": area.kind,
                      "output_dir": str(staging), "inputs": inputs, "snapshots": snapshots}
            try:
                pm.execute_notebook(str(nb_path), str(out_nb), parameters=params,
                                    kernel_name=kernel, progress_bar=False, log_output=False,
                                    cwd=str(nb_path.parent))
            except PapermillExecutionError as exc:
                cause = (exc.evalue or exc.ename).strip().splitlines()[0]
                raise ReportError(f"{area.slug}: {nb_path.name} failed: {cause}") from None
            except Exception as exc:  # kernel missing, notebook unreadable
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise ReportError(f"{area.slug}: {nb_path.name} could not run: {first}") from None
            executed[rel] = nbformat.read(out_nb, as_version=4)
        # notebooks run in DAG order; the HTML may show them in another (report: html_order)
        order = cfg["report"].get("html_order") or cfg["report"]["notebooks"]
        order = [r for r in order if r in executed] + [r for r in executed if r not in order]
        merged = executed[order[0]]
        for rel in order[1:]:
            merged.cells.extend(executed[rel].cells)
        for i, cell in enumerate(merged.cells):  # ids must stay unique across notebooks
            cell["id"] = f"cell-{i}"
        html_text = to_html(merged, f"GP workforce: {area.name}", show_code)
        (staging / "report.html").write_text(html_text, encoding="utf-8")
        if not (keep_notebooks or show_code):
            shutil.rmtree(staging / "notebooks")
        # Swap the finished report in; the previous one is removed only after the rename.
        old = None
        if final.exists():
            old = out_root / f".{area.slug}-old-{time.time_ns()}"
            final.rename(old)
        _publishable(staging)
        staging.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final / "report.html"


def _publishable(folder: Path) -> None:
    """Give the staged report normal permissions (temporary files are created private)."""
    folder.chmod(0o755)
    for p in folder.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)


def run_all(out_root: Path = OUTPUTS, show_code: bool = False) -> int:
    """Every area in the registry; failures are reported and the others still run."""
    from analysis.config import registry

    try:
        ensure_demo_data()
    except GPWorkforceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    failed = []
    areas = list(registry().values())
    for i, area in enumerate(areas, 1):
        started = time.perf_counter()
        try:
            run_area(area, out_root, show_code=show_code)
            print(f"[{i}/{len(areas)}] ok     {area.slug} ({time.perf_counter() - started:.1f} s)")
        except GPWorkforceError as exc:
            failed.append(area.slug)
            print(f"[{i}/{len(areas)}] FAILED {exc}", file=sys.stderr)
    print(f"{len(areas) - len(failed)} of {len(areas)} reports written"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write an area's HTML report.")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--ccg", help="CCG slug, e.g. wolverhampton")
    group.add_argument("--stp", help="STP slug, e.g. black-country")
    group.add_argument("--all", action="store_true", help="every area in the registry")
    parser.add_argument("--out", type=Path, default=OUTPUTS, help="output root folder")
    parser.add_argument("--code", action="store_true",
                        help="analyst mode: show code and keep executed notebooks")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    if args.all:
        return run_all(args.out, args.code)
    try:
        area = resolve_area(args.ccg if args.ccg is not None else args.stp,
                            "ccg" if args.ccg is not None else "stp")
        ensure_demo_data()
        started = time.perf_counter()
        path = run_area(area, args.out, show_code=args.code)
    except GPWorkforceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if exc.__class__.__name__ == "ConfigError" else 1
    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    print(f"report: {shown} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
