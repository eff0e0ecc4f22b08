"""``make bench`` (``python -m analysis bench``): how fast a report is, against the floor, and
how fast the batch is.

* **Floor**: one *empty* notebook run in a single kernel through papermill with the project's
  kernel and exported by nbconvert: the cost of the machinery alone (the report runs all its
  chapters in one kernel too).
* **One report**: a full report for one area (``--force``: built, not skipped), after one
  warm-up run so caches of parsed inputs are in place, as they are for an analyst.
* **Batch**: every area in the registry in parallel (``make reports``), built from scratch,
  then again with nothing changed (skipped).
* **Batch of real-data areas**: when the NHS folder (``--nhs-dir``, ``make bench NHS_DIR=...``;
  default ``data/raw/nhs``) holds real files, every area of ``--kind`` (ICBs by default) found
  there (``make reports NHS_DIR=...``, :mod:`analysis.report.data_batch`), from scratch then
  unchanged; otherwise one line says why it was not timed.

Figures are printed and written to ``docs/performance.md`` with the method. Timings are wall
clock on this machine; compare ratios rather than seconds between machines.
"""

from __future__ import annotations

import ast
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat

from analysis.config import DATA_RAW, DOCS, ROOT, registry, resolve_area, settings
from analysis.models.scenarios import data_scenario
from analysis.report import data_batch
from analysis.report import runner as report
from analysis.report.urgent_care import job_plan_bench_line
from analysis.tables.area_names import kind_label
from analysis.util.errors import ConfigError

#: One report within this many times the floor (issue 14).
GOAL = 3.0


def floor_seconds(n_notebooks: int, work: Path, repeats: int = 2) -> float:
    """Median time to run ``n_notebooks`` empty notebooks and export them to HTML."""
    import papermill as pm

    kernel = settings().report.kernel_name
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# parameters", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("pass")]
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    src = work / "empty.ipynb"
    nbformat.write(nb, src)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        executed = []
        for i in range(n_notebooks):
            out = work / f"empty_{i}.ipynb"
            pm.execute_notebook(str(src), str(out), parameters={"area_slug": "x"},
                                kernel_name=kernel, progress_bar=False, log_output=False)
            executed.append(nbformat.read(out, as_version=4))
        merged = executed[0]
        for e in executed[1:]:
            merged.cells.extend(e.cells)
        report.to_html(merged, "floor")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report_seconds(slug: str, work: Path, repeats: int = 2) -> float:
    """Median time of a full report for one area, after a warm-up run."""
    area = resolve_area(slug)
    kernels = report.single_report_kernels()  # as `make report` builds it
    report.run_area(area, work, force=True, kernels=kernels)  # warm-up: parsed-input caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        report.run_area(area, work, force=True, kernels=kernels)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def batch_seconds(work: Path, jobs: int | None = None) -> tuple[float, float]:
    """Wall time of ``--all`` from scratch, and again with nothing changed."""
    started = time.perf_counter()
    status = report.run_all(work, jobs=jobs, force=True)
    built = time.perf_counter() - started
    started = time.perf_counter()
    report.run_all(work, jobs=jobs)
    unchanged = time.perf_counter() - started
    if status:
        raise report.ReportError("the batch failed; see above")
    return built, unchanged


def import_seconds(notebooks: list[str], repeats: int = 3) -> float:
    """Median time a fresh interpreter takes to import every module the chapter notebooks
    import (found by parsing their code cells), less the interpreter's own start."""
    code = "import " + ", ".join(sorted(chapter_modules(notebooks)))

    def timed(src: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", src], check=True, cwd=ROOT / "notebooks")
        return time.perf_counter() - started

    return statistics.median(timed(code) - timed("pass") for _ in range(repeats))


def chapter_modules(notebooks: list[str]) -> set[str]:
    """The modules the code cells of ``notebooks`` import (absolute imports; cells that are
    not Python, such as magics, are skipped)."""
    modules = set()
    for rel in notebooks:
        for cell in nbformat.read(ROOT / rel, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules.update(a.name for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules.add(node.module)
    return modules


def breakdown(slug: str, work: Path) -> dict:
    """Where one report's time goes: the chapters' own cells (by chapter, their imports
    included; those of ``report: second_kernel`` run beside the others), the wait for them,
    the export to HTML, and the rest (kernel start, messages, writing files).

    Returns
    -------
    dict
        ``total``, ``chapters`` (chapter notebook -> seconds), ``second`` (the chapters run in
        the second kernel), ``waited``, ``export`` and ``rest`` in seconds, ``charts`` (the
        number of charts) and ``imports`` (seconds to import the chapters' modules in a fresh
        interpreter, part of the first chapters' time).
    """
    area = resolve_area(slug)
    kernels = report.single_report_kernels()
    started = time.perf_counter()
    path = report.run_area(area, work, force=True, keep_notebooks=True, kernels=kernels)
    total = time.perf_counter() - started
    executed = nbformat.read(path.parent / "notebooks" / "report.ipynb", as_version=4)
    chapters: dict[str, float] = {}
    waited = 0.0
    for cell in executed.cells:
        rel = cell.metadata.get("report_chapter", "")
        chapters[rel] = chapters.get(rel, 0.0) + float(cell.metadata.get("report_seconds") or 0)
        waited += float(cell.metadata.get("report_waited") or 0)
    cfg = settings()
    second = [r for r in chapters if kernels > 1 and r in cfg.report.second_kernel]
    started = time.perf_counter()
    report.to_html(report._html_notebook(executed, cfg, False), "bench")
    export = time.perf_counter() - started
    charts = len(list((path.parent / "charts").glob("*.png")))
    first = sum(s for r, s in chapters.items() if r not in second)
    return {"total": total, "chapters": chapters, "second": second, "waited": waited,
            "export": export, "charts": charts, "rest": total - first - waited - export,
            "imports": import_seconds(list(chapters))}


def breakdown_rows(b: dict) -> list[tuple[str, float]]:
    """:func:`breakdown` as ``(part, seconds)`` rows, the total last: the rows other than the
    second kernel's chapters add up to the total."""
    second = b.get("second", [])
    rows = [(f"chapter {Path(rel).stem} (cells, imports included)", s)
            for rel, s in b["chapters"].items() if rel not in second]
    if second:
        rows.append(("waiting for the second kernel's chapters", b.get("waited", 0.0)))
    rows += [("export to HTML (nbconvert, contents, banner)", b["export"]),
             ("the rest: kernel start, messages, files", b["rest"]),
             ("total", b["total"])]
    rows += [(f"  beside them, in a second kernel: chapter {Path(rel).stem}",
              b["chapters"][rel]) for rel in second]
    return rows


def breakdown_note(b: dict, floor: float) -> str:
    """What the breakdown means for the goal: the floor and the imports come first."""
    return (f"{b['charts']} charts drawn. The floor ({floor:.1f} s) and importing the "
            f"chapters' modules in a fresh interpreter (pandas, matplotlib, the package: "
            f"{b['imports']:.1f} s, inside the first chapters' time) come before any chapter "
            f"does its own work: together {(floor + b['imports']) / floor:.1f}x the floor. "
            "The charts (matplotlib, about 0.1 s each to lay out and draw) are most of the "
            "rest.")


def real_batch_seconds(nhs_dir: Path, work: Path, kind: str = "icb",
                       jobs: int | None = None) -> dict | str:
    """The batch of every area of ``kind`` found in the real files of ``nhs_dir``
    (:func:`analysis.report.data_batch.run_data_batch`), from scratch and again unchanged.

    Returns
    -------
    dict or str
        ``areas``, ``built`` (reports built), ``failed`` (slugs), ``seconds`` (from scratch),
        ``unchanged`` (the re-run), ``kind``, ``folder``; or why it was not timed (no real
        file there, no area of ``kind``).
    """
    try:
        data_batch.data_areas(nhs_dir, kind)
    except ConfigError as exc:  # the folder as the user gave it, not resolved
        folder = Path(nhs_dir).resolve()
        return str(exc).replace(str(folder), report._shown(folder))
    first = data_batch.run_data_batch(nhs_dir, work, kind, jobs=jobs, force=True)
    again = data_batch.run_data_batch(nhs_dir, work, kind, jobs=jobs)
    return {"areas": len(first.areas), "built": first.count("ok"), "failed": first.failed,
            "seconds": first.seconds, "unchanged": again.seconds, "kind": kind,
            "folder": os.path.relpath(Path(nhs_dir).resolve(), ROOT)}  # no machine paths


def real_batch_text(real: dict | str) -> str:
    """The line ``make bench`` prints for the batch of real-data areas."""
    if isinstance(real, str):
        return (f"batch of real-data areas: not timed ({real.rstrip('.')}; make bench "
                "NHS_DIR=dir times the areas of another folder)")
    label = f"{kind_label(real['kind'])}{'' if real['areas'] == 1 else 's'}"
    failed = (f"; {len(real['failed'])} failed: {', '.join(real['failed'])}"
              if real["failed"] else "")
    return (f"batch of real-data areas, {real['areas']} {label} on {os.cpu_count()} cores: "
            f"{real['seconds']:.1f} s ({real['built'] / real['seconds'] * 60:.1f} reports a "
            f"minute{failed}); unchanged re-run {real['unchanged']:.1f} s")


def run(area: str = "wolverhampton", batch: bool = True,
        write: Path | None = DOCS / "performance.md", nhs_dir: Path = DATA_RAW / "nhs",
        kind: str = "icb") -> dict:
    """Time the floor, one report and (``batch``) the batches; print the figures.

    Parameters
    ----------
    area : str
        Slug of the area timed for one report.
    batch : bool
        Also time every area in parallel, from scratch and unchanged.
    write : Path, optional
        Write the figures and the method there (Markdown); ``None`` writes nothing.
    nhs_dir : Path
        With ``batch``: the folder of real files whose areas of ``kind`` are timed as a
        batch too (:func:`real_batch_seconds`; not timed, with a line saying why, when it
        holds none).
    kind : str
        The kind of area of that batch.

    Returns
    -------
    dict
        ``floor``, ``one`` and ``ratio`` in seconds (ratio: one report over the floor),
        ``batch`` as ``(built, unchanged, n_areas)`` or ``None``, ``real`` as returned by
        :func:`real_batch_seconds` (or ``None`` without ``batch``).

    Raises
    ------
    ConfigError
        Unknown area, or the demo inputs are missing (``make data``).
    """
    resolve_area(area)
    report.require_demo_data()
    n = 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floor = floor_seconds(n, work)
        one = report_seconds(area, work / "one")
        ratio = one / floor
        print(f"floor (one empty notebook, one kernel, papermill + nbconvert): {floor:.1f} s")
        print(f"one report ({area}):                                          {one:.1f} s")
        print(f"ratio to the floor:                                            {ratio:.2f}x "
              f"(goal {GOAL:g}x or better)")
        parts = breakdown(area, work / "parts")
        print("where one report's time goes (one more run, its notebook kept):")
        for part, seconds in breakdown_rows(parts):
            print(f"  {part + ':':58s}{seconds:5.1f} s")
        print(textwrap.fill(breakdown_note(parts, floor), 96, initial_indent="  ",
                            subsequent_indent="  "))
        print(job_plan_bench_line(area))
        print(data_scenario.bench_text(data_scenario.bench()))
        figures = real = None
        if batch:
            built, unchanged = batch_seconds(work / "batch")
            n_areas = len(registry())
            figures = (built, unchanged, n_areas)
            print(f"batch, {n_areas} areas on {os.cpu_count()} cores: {built:.1f} s "
                  f"({n_areas / built * 60:.1f} reports a minute); unchanged re-run "
                  f"{unchanged:.1f} s")
            real = real_batch_seconds(Path(nhs_dir), work / "real", kind)
            print(real_batch_text(real))
    if write is not None:
        write_doc(write, n, floor, area, one, figures, real, parts)
        print(f"written: {report._shown(Path(write))}")
    return {"floor": floor, "one": one, "ratio": ratio, "batch": figures, "real": real,
            "parts": parts}


def write_doc(path: Path, n: int, floor: float, area: str, one: float, batch,
              real: dict | str | None = None, parts: dict | None = None) -> None:
    """Write ``docs/performance.md``: the method and the figures of :func:`run`."""
    lines = [
        "# Performance", "",
        "Measured by `make bench` (`python -m analysis bench`); re-run it to refresh "
        "this page.",
        "", "## Method", "",
        f"* **Floor**: {n} empty notebook run in a single kernel through papermill with the "
        "project's kernel and exported by nbconvert: the cost of the machinery alone. Median of "
        "2 runs.",
        "* **One report**: a full report for one area, built not skipped, after a warm-up run "
        "(parsed inputs cached in `data/processed/cache`, as for an analyst), built as "
        "`make report` builds it: on a machine with two or more cores the chapters of "
        "`report: second_kernel` (urgent care) run in a second kernel beside the others. "
        "Median of 2 runs.",
        "* **Batch**: `make reports` for every area in parallel, from scratch, then again with "
        "nothing changed (every report skipped by its fingerprint).",
        "* **Batch of real-data areas**: `make reports NHS_DIR=dir` for every ICB (`--kind` "
        "another kind) found in the real files of the NHS folder (`make bench NHS_DIR=dir`; "
        "default `data/raw/nhs`), in parallel, from scratch, then again with nothing changed. "
        "Reports a minute counts the reports built; an area that fails (its files disagree) "
        "is listed and does not stop the others. Not timed when the folder holds no real "
        "files.", "",
        "The report's chapters are joined into one notebook and run in one kernel, or two "
        "(`analysis/report/execute.py`); the rest of its time is the chapters' own work, most "
        "of it drawing charts. The batch runs each report in one kernel: its reports already "
        "run side by side.", "",
        "## Figures", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}.", "",
        "| measure | value |", "|---|---|",
        f"| floor ({n} empty notebook, one kernel) | {floor:.1f} s |",
        f"| one report ({area}) | {one:.1f} s |",
        f"| ratio to the floor | {one / floor:.2f}x (goal {GOAL:g}x or better) |",
    ]
    if batch:
        built, unchanged, n_areas = batch
        lines += [f"| batch, {n_areas} areas, from scratch | {built:.1f} s "
                  f"({n_areas / built * 60:.1f} reports a minute) |",
                  f"| batch, nothing changed | {unchanged:.1f} s |"]
    if isinstance(real, dict):
        label = f"{kind_label(real['kind'])}{'' if real['areas'] == 1 else 's'}"
        failed = (f"; {len(real['failed'])} failed: {', '.join(real['failed'])}"
                  if real["failed"] else "")
        lines += [f"| batch of real-data areas, {real['areas']} {label} of `{real['folder']}`, "
                  f"from scratch | {real['seconds']:.1f} s ({real['built']} built, "
                  f"{real['built'] / real['seconds'] * 60:.1f} reports a minute{failed}) |",
                  f"| batch of real-data areas, nothing changed | {real['unchanged']:.1f} s |"]
    elif isinstance(real, str):
        lines += [f"| batch of real-data areas | not timed: {real.replace('|', '/')} |"]
    if parts:
        lines += ["", "## Where one report's time goes", "",
                  f"One more run of the {area} report with its executed notebook kept: each "
                  "chapter's cells (papermill's durations), the export, and the rest.", "",
                  "| part | seconds |", "|---|---|",
                  *[f"| {part} | {seconds:.1f} s |" for part, seconds in breakdown_rows(parts)],
                  "", breakdown_note(parts, floor)]
    lines += ["", "## Monte Carlo and national scale", "",
              "`make bench` also prints 10,000 Monte Carlo draws against one deterministic run "
              "(`python -m analysis bench --only scenarios`; about 3 ms against 0.06 ms, "
              "vectorised over draws) and the national-scale reader against a plain pandas "
              "read (`python -m analysis national bench`): method and figures in "
              "[performance_national.md](performance_national.md)."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
