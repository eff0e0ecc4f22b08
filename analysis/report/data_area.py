"""A report for an area found in real files (``make report AREA=QHL``), not in the demo registry.

The area is looked up in the files the analyst dropped in ``data/raw/nhs/`` (the Patients
Registered map, or the PCN workforce file's own geography; :mod:`analysis.tables.pcn`). Only the
chapters that can use those files run: the PCN workforce chapter (``05_pcn_workforce``, which
opens with the summary of what ran and what had no data) and the provenance. The demo chapters
and their synthetic inputs are never mixed in, and a demo report never reads these files.
The report goes to ``outputs/<kind>-<code>/`` in lower case (``outputs/icb-qhl``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from analysis.config import OUTPUTS, settings
from analysis.io.catalogue import catalogue
from analysis.report.runner import Built, run_area
from analysis.tables.pcn import resolve

NOTEBOOKS = [f"notebooks/{n}.ipynb" for n in ("05_pcn_workforce", "07_trends", "99_provenance")]


@dataclass(frozen=True)
class DataArea:
    """An area found in real files: what the runner needs of it."""

    slug: str
    kind: str
    name: str
    code: str


def find_data_area(area_text: str, nhs_dir, period: str | None = None) -> DataArea:
    """The area ``area_text`` names in the files of ``nhs_dir``.

    Raises
    ------
    ConfigError
        No PCN workforce file, or an unknown area (one line with the closest matches).
    """
    cfg = settings().areas
    match, *_ = resolve(area_text, nhs_dir, period, cfg.aliases, cfg.clusters)
    slug = f"{match.kind.replace('_', '-')}-{match.code}".lower()
    return DataArea(slug, match.kind, match.name or match.code, match.code)


def report_data_area(area_text: str, nhs_dir, out_root: Path = OUTPUTS,
                     period: str | None = None, show_code: bool = False,
                     force: bool = False) -> Built:
    """The report of an area found in real files: the PCN workforce chapter and provenance.

    Parameters
    ----------
    area_text : str
        A code, a name or a slug (``QHL``, ``birmingham and solihull``).
    nhs_dir : str or Path
        The folder of downloaded files.
    out_root : Path
        The report goes to ``out_root/<kind>-<code>/``.
    period : str, optional
        ``YYYY-MM`` of the PCN workforce release (default: the latest).
    show_code, force : bool
        As for :func:`analysis.report.runner.run_area`.

    Raises
    ------
    ConfigError
        Unknown area, no PCN workforce file.
    ReportError
        The chapter failed (one line).
    """
    nhs_dir = Path(nhs_dir).resolve()
    area = find_data_area(area_text, nhs_dir, period)
    started = time.perf_counter()
    before = Path(out_root) / area.slug / "report.html"
    stamp = before.stat().st_mtime_ns if before.exists() else None
    checksums = ",".join(catalogue(nhs_dir)["sha256"].astype(str))
    path = run_area(area, Path(out_root), show_code=show_code, force=force,
                    notebooks=NOTEBOOKS, key_extra=checksums,
                    extra_params={"area_text": area_text, "nhs_dir": str(nhs_dir),
                                  "period": period})
    unchanged = stamp is not None and path.stat().st_mtime_ns == stamp
    return Built(path, time.perf_counter() - started, unchanged)
