"""``make bench`` (``python -m analysis bench``): how fast a report is, against the floor, and
how fast the batch is.

* **Floor**: one *empty* notebook run in a single kernel through papermill with the project's
  kernel and exported by nbconvert: the cost of the machinery alone (the report runs all its
  chapters in one kernel too).
* **One report**: a full report for one area (``--force``: built, not skipped), after one
  warm-up run so caches of parsed inputs are in place, as they are for an analyst.
* **Batch**: every area in the registry in parallel (``make reports``), built from scratch,
  then again with nothing changed (skipped).

Figures are printed and written to ``docs/performance.md`` with the method. Timings are wall
clock on this machine; compare ratios rather than seconds between machines.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from analysis.config import DOCS, registry, resolve_area, settings
from analysis.models.scenarios import data_scenario
from analysis.report import runner as report
from analysis.report.urgent_care import job_plan_bench_line

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
    report.run_area(area, work, force=True)  # warm-up: parsed-input caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        report.run_area(area, work, force=True)
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


def run(area: str = "wolverhampton", batch: bool = True,
        write: Path | None = DOCS / "performance.md") -> dict:
    """Time the floor, one report and (``batch``) the batch; print the figures.

    Parameters
    ----------
    area : str
        Slug of the area timed for one report.
    batch : bool
        Also time every area in parallel, from scratch and unchanged.
    write : Path, optional
        Write the figures and the method there (Markdown); ``None`` writes nothing.

    Returns
    -------
    dict
        ``floor``, ``one`` and ``ratio`` in seconds (ratio: one report over the floor),
        ``batch`` as ``(built, unchanged, n_areas)`` or ``None``.

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
        print(job_plan_bench_line(area))
        print(data_scenario.bench_text(data_scenario.bench()))
        figures = None
        if batch:
            built, unchanged = batch_seconds(work / "batch")
            n_areas = len(registry())
            figures = (built, unchanged, n_areas)
            print(f"batch, {n_areas} areas on {os.cpu_count()} cores: {built:.1f} s "
                  f"({n_areas / built * 60:.1f} reports a minute); unchanged re-run "
                  f"{unchanged:.1f} s")
    if write is not None:
        write_doc(write, n, floor, area, one, figures)
        print(f"written: {report._shown(Path(write))}")
    return {"floor": floor, "one": one, "ratio": ratio, "batch": figures}


def write_doc(path: Path, n: int, floor: float, area: str, one: float, batch) -> None:
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
        "(parsed inputs cached in `data/processed/cache`, as for an analyst). Median of 2 runs.",
        "* **Batch**: `make reports` for every area in parallel, from scratch, then again with "
        "nothing changed (every report skipped by its fingerprint).", "",
        "The report runs all its chapters in one kernel (they are joined into one notebook); "
        "the rest of its time is the chapters' own work, most of it drawing charts.", "",
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
    lines += ["", "## Monte Carlo and national scale", "",
              "`make bench` also prints 10,000 Monte Carlo draws against one deterministic run "
              "(`python -m analysis bench --only scenarios`; about 3 ms against 0.06 ms, "
              "vectorised over draws) and the national-scale reader against a plain pandas "
              "read (`python -m analysis national bench`): method and figures in "
              "[performance_national.md](performance_national.md)."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
