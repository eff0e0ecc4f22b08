"""Run an area's report: every chapter notebook in one kernel, then reviewer HTML.

Usage (the Makefile wraps this; the command line is :mod:`analysis.cli`)::

    python -m analysis report --ccg wolverhampton
    python -m analysis report --stp black-country --code      # analyst mode: code shown
    python -m analysis reports                                # every area, in parallel

The chapter notebooks listed under ``report: notebooks`` in the config are joined, in that (DAG)
order, into one notebook with the run's parameters injected after each chapter's parameters
cell, and executed once by papermill with the project's kernel; nbconvert then writes the HTML
with the chapters in ``report: html_order``. One kernel per report instead of one per chapter
is what keeps a report close to the cost of running empty notebooks (``make bench``).

The report goes to ``outputs/<slug>/report.html`` with ``tables/*.csv`` and ``charts/*.png``
beside it. The run builds in a staging folder and swaps it in only when it succeeded, so a
failed or killed run leaves the previous report intact. Errors are raised as one line (area,
chapter, cause). A report whose inputs, parameters and code are unchanged since the last run is
not rebuilt (``--force`` rebuilds). The demo inputs are built by ``make data`` (the command line
builds them when missing); the runner never writes under ``data/raw``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from analysis.config import (
    DATA_DEMO,
    DATA_RAW,
    OUTPUTS,
    ROOT,
    Area,
    input_paths,
    named_paths,
    project_path,
    registry,
    settings,
)
from analysis.report.index import write_index
from analysis.settings import Settings
from analysis.util.atomic import guarded_swap
from analysis.util.errors import ConfigError, GPWorkforceError

# The report has no interactive output, so scripts (MathJax, Mermaid loaders that would fetch
# from a CDN) are removed: the HTML opens offline and runs nothing.
SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
FINGERPRINT = ".fingerprint"
# ``**`` matches zero or more folders (Path.glob), so "analysis/**/*.py" covers the package's
# own modules and every subpackage; the report templates are code too.
CODE_GLOBS = ["analysis/**/*.py", "analysis/**/*.j2", "notebooks/*.ipynb", "config/**/*.yaml",
              "scenarios/*.yaml", "scenarios/*.csv", "docs/assumptions.md"]


class ReportError(GPWorkforceError):
    """A report could not be produced; the message says for which area and why."""


WARNINGS_FILE = Path("_meta") / "warnings.txt"


def _is_stderr(output) -> bool:
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


def chapter_stderr(nb: nbformat.NotebookNode) -> list[str]:
    """What the chapters wrote to stderr (Python warnings among it), chapter by chapter.

    A report run should write nothing there: the runner keeps it out of the HTML, writes it to
    ``_meta/warnings.txt`` beside the report and says so on the terminal, and the end-to-end
    tests require it to be empty for every area.
    """
    found = []
    for cell in nb.cells:
        text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", [])
                       if cell.get("cell_type") == "code" and _is_stderr(o))
        if text.strip():
            chapter = Path(cell.metadata.get("report_chapter", "report")).name
            found.append(f"[{chapter}]\n{text.rstrip()}")
    return found


def _strip_noise(nb: nbformat.NotebookNode) -> None:
    """Drop stderr streams from outputs (reviewers never see them; see
    :func:`chapter_stderr`)."""
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = [o for o in cell.get("outputs", []) if not _is_stderr(o)]


def to_html(nb: nbformat.NotebookNode, title: str, show_code: bool = False,
            synthetic: bool = False) -> str:
    """Self-contained HTML (no network needed to open it), code hidden unless ``show_code``;
    ``synthetic`` puts the synthetic-data banner at the top of every screen and printed page."""
    from nbconvert import HTMLExporter

    from analysis.report.rendering import render
    from analysis.report.summary import add_toc

    _strip_noise(nb)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = not show_code
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = add_toc(SCRIPT.sub("", body))
    if synthetic:
        banner = render("synthetic_banner.html.j2",
                        detail="Every chart carries the same mark; Provenance lists the inputs.")
        body = BODY_TAG.sub(lambda m: m.group(0) + banner, body, count=1)
    return body


BODY_TAG = re.compile(r"<body\b[^>]*>", re.I)
SYNTHETIC_ENV = "GPW_SYNTHETIC"
"""Set for a report's kernel when any input is synthetic: every chart is watermarked."""


def synthetic_inputs(inputs: dict | None = None) -> bool:
    """Whether a demo-registry report reads any synthetic input: a file the config names (or
    an ``inputs`` override) under ``data/raw/demo``."""
    paths = list(named_paths()) + [Path(v) for v in (inputs or {}).values() if v]
    return any(project_path(p).resolve().is_relative_to(DATA_DEMO.resolve()) for p in paths)


def require_demo_data(cfg: Settings | None = None) -> None:
    """Check that the demo inputs every report reads exist, when the config names them.

    The runner never builds the demo inputs (``make data`` does, and the command line builds
    them when missing). Only the ``inputs`` section, which every report reads, is checked
    here: a chapter's own inputs (returns folders, urgent care) are checked by its readers, so
    that one area's missing input fails that area alone.

    Raises
    ------
    ConfigError
        One line naming the first missing demo input and the config key, and saying to run
        ``make data``. Real inputs (outside ``data/raw/demo``) are the readers' to check.
    """
    for key, path in input_paths(cfg).items():
        if path is not None and path.is_relative_to(DATA_DEMO) and not path.exists():
            raise ConfigError(f"config.yaml, inputs: {key}: the demo input {_shown(path)!r} is "
                              "missing: run `make data` (python -m analysis data)")


def execution_order(cfg: Settings) -> list[str]:
    return list(cfg.report.notebooks)


def build_report_notebook(params: dict, cfg: Settings | None = None,
                          notebooks: list[str] | None = None) -> nbformat.NotebookNode:
    """Every chapter notebook joined in execution order (or ``notebooks``, in that order), with
    ``params`` injected after each chapter's parameters cell (each cell tagged with its chapter
    in ``report_chapter``)."""
    from papermill.translators import translate_parameters

    cfg = cfg or settings()
    kernel = cfg.report.kernel_name
    merged = None
    for rel in notebooks or execution_order(cfg):
        path = ROOT / rel
        if not path.exists():
            raise ReportError(f"chapter notebook missing: {rel}")
        nb = nbformat.read(path, as_version=4)
        if merged is None:
            merged = nbformat.v4.new_notebook(metadata=nb.metadata)
        for cell in nb.cells:
            cell.metadata["report_chapter"] = rel
            merged.cells.append(cell)
            if "parameters" in cell.metadata.get("tags", []):
                code = translate_parameters(kernel, "python", params, "Injected parameters")
                inj = nbformat.v4.new_code_cell(code)
                inj.metadata = {"tags": ["injected-parameters"], "report_chapter": rel}
                merged.cells.append(inj)
    for i, cell in enumerate(merged.cells):  # ids must be unique across chapters
        cell["id"] = f"cell-{i}"
    return merged


def _html_notebook(executed: nbformat.NotebookNode, cfg: Settings,
                   show_code: bool, order: list[str] | None = None) -> nbformat.NotebookNode:
    """The executed cells regrouped by chapter in ``report: html_order``."""
    by_chapter: dict[str, list] = {}
    for cell in executed.cells:
        tags = cell.metadata.get("tags", [])
        if not show_code and ("parameters" in tags or "injected-parameters" in tags):
            continue
        by_chapter.setdefault(cell.metadata.get("report_chapter", ""), []).append(cell)
    order = order or cfg.report.html_order or execution_order(cfg)
    order = [r for r in order if r in by_chapter] + [r for r in by_chapter if r not in order]
    out = nbformat.v4.new_notebook(metadata=executed.metadata)
    for rel in order:
        out.cells.extend(by_chapter[rel])
    return out


def _hash_files(paths) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(ROOT).as_posix().encode() if p.is_relative_to(ROOT)
                 else str(p).encode())
        with open(p, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return h.hexdigest()


def fingerprint(area: Area, params: dict) -> str:
    """What a report depends on: its parameters, the code, the config and the raw inputs."""
    from analysis.report import disclosure as disclosure

    files = {p for g in CODE_GLOBS for p in ROOT.glob(g) if p.is_file()}
    # the real files dropped in data/raw/nhs are never read by a demo report
    files |= {p for p in DATA_RAW.rglob("*") if p.is_file()
              and not p.is_relative_to(DATA_RAW / "nhs")}
    for named in named_paths():  # the inputs the config names, wherever they live
        files |= {named} if named.is_file() else (
            {p for p in named.rglob("*") if p.is_file()} if named.is_dir() else set())
    payload = json.dumps({"area": area.slug, "params": params,
                          "suppress_below": disclosure.threshold()}, sort_keys=True,
                         default=str)
    return hashlib.sha256((payload + _hash_files(files)).encode()).hexdigest()


def run_area(area: Area, out_root: Path = OUTPUTS, show_code: bool = False,
             keep_notebooks: bool = False, inputs: dict | None = None,
             snapshots: dict | None = None, force: bool = True,
             notebooks: list[str] | None = None, extra_params: dict | None = None,
             key_extra: str = "", kernels: int = 1) -> Path:
    """Execute the report notebook for ``area`` and write its HTML.

    Parameters
    ----------
    area : Area
        From :func:`analysis.config.resolve_area`.
    out_root : Path
        Reports go to ``out_root/<slug>/``.
    show_code : bool
        Analyst mode: code cells shown and the executed notebook kept.
    keep_notebooks : bool
        Keep the executed notebook beside the report.
    inputs, snapshots : dict, optional
        Input path and period overrides passed to the chapters.
    force : bool
        Rebuild even when nothing changed since the last run.
    notebooks : list of str, optional
        The chapters to run, in that order (and shown in that order); default the config's.
    extra_params : dict, optional
        More parameters injected into every chapter (an area found in real files).
    key_extra : str
        More of what the report depends on (checksums of files outside ``data/raw``).
    kernels : int
        2: the chapters of ``report: second_kernel`` run in a second kernel beside the others
        (:mod:`analysis.report.execute`; a single report on a machine with two or more cores);
        1: every chapter in one kernel (the batch, whose reports already run side by side).

    Returns
    -------
    Path of ``report.html``.
    """
    from analysis.report.execute import ChapterFailed, execute

    cfg = settings()
    kernel = cfg.report.kernel_name
    out_root = Path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_root, area.slug, time.time())
    final = out_root / area.slug
    key = fingerprint(area, {"inputs": inputs, "snapshots": snapshots, "code": show_code,
                             "notebooks": notebooks, "extra": extra_params,
                             "key_extra": key_extra})
    if not force and (final / "report.html").exists() and (final / FINGERPRINT).exists() \
            and (final / FINGERPRINT).read_text().strip() == key:
        return final / "report.html"
    staging = Path(tempfile.mkdtemp(prefix=f".{area.slug}-{os.getpid()}-", dir=out_root))
    try:
        params = {"area_slug": area.slug, "area_kind": area.kind, "output_dir": str(staging),
                  "inputs": inputs, "snapshots": snapshots, **(extra_params or {})}
        merged = build_report_notebook(params, cfg, notebooks)
        synthetic = notebooks is None and synthetic_inputs(inputs)
        before_env = os.environ.get(SYNTHETIC_ENV)
        os.environ[SYNTHETIC_ENV] = "1" if synthetic else "0"  # the kernels inherit it
        second = set(cfg.report.second_kernel) if kernels > 1 else set()
        try:
            executed = execute(merged, kernel, ROOT / "notebooks", second)
        except ChapterFailed as exc:
            raise ReportError(f"{area.slug}: {exc}") from None
        except Exception as exc:  # kernel missing, notebook unreadable
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ReportError(f"{area.slug}: the report could not run: {first}") from None
        finally:
            if before_env is None:
                os.environ.pop(SYNTHETIC_ENV, None)
            else:
                os.environ[SYNTHETIC_ENV] = before_env
        if keep_notebooks or show_code:
            (staging / "notebooks").mkdir()
            nbformat.write(executed, staging / "notebooks" / "report.ipynb")
        stderr = chapter_stderr(executed)
        if stderr:
            (staging / WARNINGS_FILE).parent.mkdir(exist_ok=True)
            (staging / WARNINGS_FILE).write_text("\n\n".join(stderr) + "\n", encoding="utf-8")
            print(f"{area.slug}: the chapters wrote {len(stderr)} warning message(s): see "
                  f"{final / WARNINGS_FILE}", file=sys.stderr, flush=True)
        html_text = to_html(_html_notebook(executed, cfg, show_code, notebooks),
                            f"GP workforce: {area.name}", show_code, synthetic=synthetic)
        (staging / "report.html").write_text(html_text, encoding="utf-8")
        (staging / FINGERPRINT).write_text(key + "\n")
        # Swap the finished report in; the previous one is removed only after the rename.
        _publishable(staging)
        with guarded_swap(out_root):  # whole, one run at a time, Ctrl-C deferred
            old = None
            if final.exists():
                old = out_root / f".{area.slug}-old-{time.time_ns()}"
                final.rename(old)
            staging.rename(final)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final / "report.html"


def remove_stale_staging(out_root: Path, slug: str, started: float) -> list[Path]:
    """Remove what killed runs of ``slug`` left in ``out_root``.

    A run builds in ``.<slug>-<pid>-XXXXXXXX`` and sets the previous report aside as
    ``.<slug>-old-<ns>`` for the swap; a run killed meanwhile leaves them behind (hidden, never
    the published report). Those modified before ``started`` whose process is no longer running
    are removed, so a concurrent run of the same area keeps its staging folder.

    Returns
    -------
    The folders removed.
    """
    pattern = re.compile(rf"\.{re.escape(slug)}-(?:(?P<pid>\d+)-[a-z0-9_]{{8}}|[a-z0-9_]{{8}}"
                         r"|old-\d+)")
    removed = []
    for p in out_root.iterdir():
        m = pattern.fullmatch(p.name)
        if not m or not p.is_dir() or p.is_symlink():
            continue
        try:
            if p.stat().st_mtime >= started or (m["pid"] and _running(int(m["pid"]))):
                continue
        except OSError:
            continue
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _publishable(folder: Path) -> None:
    """Give the staged report normal permissions (temporary files are created private)."""
    folder.chmod(0o755)
    for p in folder.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)


# ---------------------------------------------------------------------------------------------
# Batch: every area, in parallel, with an index page
# ---------------------------------------------------------------------------------------------
def _worker(slug: str, out_root: str, show_code: bool, force: bool) -> tuple[str, str, float,
                                                                            str]:
    logging.disable(logging.WARNING)
    area = registry()[slug]
    started = time.perf_counter()
    path = Path(out_root) / slug / "report.html"
    before = path.stat().st_mtime_ns if path.exists() else None
    try:
        run_area(area, Path(out_root), show_code=show_code, force=force)
    except GPWorkforceError as exc:
        return slug, "failed", time.perf_counter() - started, str(exc)
    except Exception as exc:  # a bug: reported as the area's failure, the batch goes on
        return slug, "failed", time.perf_counter() - started, f"{slug}: {type(exc).__name__}: " \
            f"{str(exc).splitlines()[0] if str(exc) else ''}"
    after = path.stat().st_mtime_ns
    status = "skipped" if before == after else "ok"
    return slug, status, time.perf_counter() - started, ""


def workers(jobs: int | None, n: int) -> int:
    """Processes of a batch of ``n`` reports: ``jobs`` (default: the number of CPUs), at most
    ``n``, at least 1."""
    return max(1, min(jobs or os.cpu_count() or 1, n))


def build_in_pool(worker, tasks: list[tuple], jobs: int | None = None
                  ) -> list[tuple[str, str, float, str]]:
    """``worker(*task)`` for every task in a process pool, a line per area as each finishes.

    ``worker`` is a module-level function returning ``(label, status, seconds, message)``
    with status ``ok``, ``skipped`` or ``failed`` (it catches its area's errors, so one failed
    area does not stop the others); a failed area's line, with its message, goes to stderr.
    Returns the results in the order they finished.
    """
    results = []
    with ProcessPoolExecutor(max_workers=workers(jobs, len(tasks))) as pool:
        futures = [pool.submit(worker, *task) for task in tasks]
        for n, fut in enumerate(as_completed(futures), 1):
            label, status, secs, msg = fut.result()
            results.append((label, status, secs, msg))
            line = f"[{n}/{len(tasks)}] {status:<7} {label} ({secs:.1f} s)"
            print(line if status != "failed" else f"{line}: {msg}",
                  file=sys.stderr if status == "failed" else sys.stdout, flush=True)
    return results


def run_all(out_root: Path = OUTPUTS, show_code: bool = False, jobs: int | None = None,
            force: bool = False, areas: list[str] | None = None) -> int:
    """Every area in the registry (or ``areas``), in parallel, and ``index.html``.

    A failed area is printed as one line on stderr and the others still finish; a progress
    line per area and a summary go to stdout.

    Parameters
    ----------
    out_root : Path
        Reports go to ``out_root/<slug>/``, the index to ``out_root/index.html``.
    show_code : bool
        Analyst mode (see :func:`run_area`).
    jobs : int, optional
        Reports built at once (default: the number of CPUs).
    force : bool
        Rebuild reports whose fingerprint is unchanged.
    areas : list of str, optional
        Slugs to build instead of the whole registry.

    Returns
    -------
    int
        The exit status: 0, or 1 if any area failed.

    Raises
    ------
    ConfigError
        The demo inputs named in the config are missing (:func:`require_demo_data`).
    """
    require_demo_data()
    slugs = areas or list(registry())
    started = time.perf_counter()
    print(f"Building {len(slugs)} reports on {workers(jobs, len(slugs))} workers...",
          flush=True)
    results = build_in_pool(_worker, [(s, str(out_root), show_code, force) for s in slugs],
                            jobs)
    index = write_index(Path(out_root), {r[0]: r[1] for r in results})
    print(batch_summary(results, time.perf_counter() - started, index))
    return 1 if any(r[1] == "failed" for r in results) else 0


def batch_summary(results: list[tuple[str, str, float, str]], seconds: float,
                  index: Path) -> str:
    """The closing line of a batch: ``35 of 36 reports ready (35 built, 0 unchanged) in
    150.0 s; index: ...; FAILED: icb-qhm``."""
    failed = [r[0] for r in results if r[1] == "failed"]
    return (f"{len(results) - len(failed)} of {len(results)} reports ready "
            f"({sum(r[1] == 'ok' for r in results)} built, "
            f"{sum(r[1] == 'skipped' for r in results)} unchanged) in {seconds:.1f} s; "
            f"index: {_shown(index)}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Built:
    """One report run by :func:`report_area`: where it is and whether it was rebuilt."""

    path: Path
    seconds: float
    unchanged: bool

    def summary(self) -> str:
        """``report: outputs/<slug>/report.html (12.3 s)``, or the unchanged note."""
        note = ("unchanged since the last run; --force rebuilds" if self.unchanged
                else f"{self.seconds:.1f} s")
        return f"report: {_shown(self.path)} ({note})"


def single_report_kernels() -> int:
    """Kernels for one report built on its own: two when the machine has two or more cores
    (``report: second_kernel`` runs beside the other chapters), else one."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def report_area(area: Area, out_root: Path = OUTPUTS, show_code: bool = False,
                force: bool = False, pdf: bool = False) -> Built:
    """One area's report (:func:`run_area`, skipped when unchanged) and the updated index.

    Parameters
    ----------
    area : Area
        From :func:`analysis.config.resolve_area`.
    out_root : Path
        Output root; the report goes to ``out_root/<slug>/``.
    show_code : bool
        Analyst mode: code shown and the executed notebook kept.
    force : bool
        Rebuild even when nothing changed since the last run.
    pdf : bool
        Also print ``report.pdf`` beside it (:mod:`analysis.report.export`).

    Returns
    -------
    Built
        The report's path, the time taken and whether it was left unchanged.

    Raises
    ------
    ConfigError
        The demo inputs named in the config are missing (:func:`require_demo_data`).
    ReportError
        A chapter failed (one line: area, chapter, cause).
    OSError
        The output folder cannot be written.
    """
    from analysis.report import export

    require_demo_data()
    chromium = export.find_chromium() if pdf else None  # fails before the run, not after
    out_root = Path(out_root)
    started = time.perf_counter()
    before = out_root / area.slug / "report.html"
    stamp = before.stat().st_mtime_ns if before.exists() else None
    path = run_area(area, out_root, show_code=show_code, force=force,
                    kernels=single_report_kernels())
    unchanged = stamp is not None and path.stat().st_mtime_ns == stamp
    if pdf:
        export.write_pdf(path, chromium=chromium)
    write_index(out_root)
    return Built(path, time.perf_counter() - started, unchanged)
