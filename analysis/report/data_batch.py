"""The batch of reports for every area of one kind found in real files (``make reports
NHS_DIR=...``, ``python -m analysis reports --nhs-dir DIR [--kind icb]``).

The areas are listed from the same sources an area is looked up in for one report
(:func:`analysis.report.data_area.area_sources`: the Patients Registered map near the PCN
workforce release, else that file's own geography, and the GP Workforce practice-level release's
geography); an area listed by several is described by the latest. Each is then built by
:func:`analysis.report.data_area.report_data_area` from its code, in a process pool as the demo
batch is (:func:`analysis.report.runner.build_in_pool`): a failed area is one line on stderr and
the others still finish, a report unchanged since the last run is skipped, and
``<out>/index.html`` lists every area with its status and a link to its report.

An area whose code would be found as another area by :func:`find_data_area` (the same code for
two kinds, or an alias or cluster of the config spelt like it) is not built from its code: it
is reported as failed with the reason, and can be built by name with ``report --area``.
"""

from __future__ import annotations

import difflib
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from analysis.config import OUTPUTS, settings
from analysis.io.catalogue import catalogue
from analysis.report.data_area import area_sources, report_data_area, slug_for
from analysis.report.index import write_data_index
from analysis.report.runner import batch_summary, build_in_pool, workers
from analysis.tables.area_names import PREFERENCE, kind_label, normalise
from analysis.tables.geography import KINDS
from analysis.util.errors import ConfigError, GPWorkforceError

AREA_KINDS = tuple(k for k in KINDS if k != "practice")


@dataclass(frozen=True)
class ListedArea:
    """An area of the batch, as listed from the files.

    Attributes
    ----------
    kind, code, name : str
    practices : int
        Its practices in the file it was listed from (0 when that file has no practice level).
    source : str
        That file (the latest that has the area).
    period : str or None
        ``YYYY-MM`` of that file.
    clash : str
        Why its code would find another area (empty normally): such an area is not built.
    """

    kind: str
    code: str
    name: str
    practices: int
    source: str
    period: str | None
    clash: str = ""

    @property
    def slug(self) -> str:
        """Its report's folder, as :func:`analysis.report.data_area.find_data_area` names it."""
        return slug_for(self.kind, self.code)


def data_areas(nhs_dir, kind: str = "icb", period: str | None = None,
               only: list[str] | None = None) -> list[ListedArea]:
    """The areas of ``kind`` found in the files of ``nhs_dir``, by code.

    Parameters
    ----------
    nhs_dir : str or Path
        The folder of downloaded files.
    kind : str
        One of :data:`AREA_KINDS` (``icb``, ``sub_icb``, ``pcn``, ``region``, ``ccg``, ``stp``).
    period : str, optional
        ``YYYY-MM`` of the releases (as for one report).
    only : list of str, optional
        Codes to keep (case ignored); each must be an area of ``kind`` in the files.

    Raises
    ------
    ConfigError
        An unknown kind, no PCN workforce file and no GP Workforce practice-level release in
        the folder, no area of ``kind`` in the files, or a code of ``only`` not among them (one
        line each).
    """
    if kind not in AREA_KINDS:
        raise ConfigError(f"--kind {kind!r}: expected one of {', '.join(AREA_KINDS)}")
    sources = sorted(area_sources(catalogue(Path(nhs_dir).resolve()), period),
                     key=lambda h: h.period or "", reverse=True)  # latest first, as find_area
    if not any(kind in h.levels() for h in sources):
        have = sorted({k for h in sources for k in h.levels() if k != "practice"},
                      key=KINDS.index)
        raise ConfigError(f"{nhs_dir}: no {kind_label(kind)} areas in "
                          f"{', '.join(h.source for h in sources)} (they have: "
                          f"{', '.join(kind_label(k) for k in have)})")
    found: dict[str, ListedArea] = {}
    for h in sources:
        if kind not in h.levels():
            continue
        for row in h.areas(kind).itertuples(index=False):
            listed = found.get(row.code)
            if listed is None:
                found[row.code] = ListedArea(kind, row.code, row.name, int(row.n_practices),
                                             h.source, h.period)
            elif not listed.name and row.name:
                found[row.code] = ListedArea(kind, row.code, row.name, listed.practices,
                                             listed.source, listed.period)
    areas = [found[c] for c in sorted(found)]
    if only:
        areas = _only(areas, only, kind)
    return _with_clashes(areas, sources)


def _only(areas: list[ListedArea], only: list[str], kind: str) -> list[ListedArea]:
    by_code = {a.code.upper(): a for a in areas}
    wanted = list(dict.fromkeys(str(c).strip().upper() for c in only))
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(by_code), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise ConfigError(f"--only {unknown[0]!r}: no {kind_label(kind)} of that code in the "
                          f"files ({len(areas)} {kind_label(kind)}s there){hint}")
    return [by_code[c] for c in wanted]


def _with_clashes(areas: list[ListedArea], sources) -> list[ListedArea]:
    """The areas, each with why its code would find another area when it would (an alias or
    a cluster of the config spelt like it, or the code of a kind :func:`find_area` prefers)."""
    if not areas:
        return areas
    cfg = settings().areas
    named = {normalise(n): n for n in (*cfg.aliases, *cfg.clusters)}
    kind = areas[0].kind
    better = {c.upper(): k for k in reversed(PREFERENCE[:PREFERENCE.index(kind)])
              for h in sources if k in h.levels() for c in h.names[k]}
    out = []
    for a in areas:
        by_name = f"build it by name: report --area '{a.name}'"
        if normalise(a.code) in named:
            a = replace(a, clash=f"its code is also an alias or cluster of the config "
                                 f"({named[normalise(a.code)]!r}); {by_name}")
        elif a.code.upper() in better:
            a = replace(a, clash=f"its code is also a {kind_label(better[a.code.upper()])} "
                                 f"code; {by_name}")
        out.append(a)
    return out


@dataclass
class BatchRun:
    """What :func:`run_data_batch` did.

    Attributes
    ----------
    areas : list of ListedArea
    results : dict
        slug -> (status, seconds, message); status ``ok`` (built), ``skipped`` (unchanged)
        or ``failed``.
    seconds : float
        Wall time of the whole batch.
    index : Path
    """

    areas: list[ListedArea]
    results: dict[str, tuple[str, float, str]] = field(default_factory=dict)
    seconds: float = 0.0
    index: Path | None = None

    def count(self, status: str) -> int:
        """Areas of that status."""
        return sum(r[0] == status for r in self.results.values())

    @property
    def failed(self) -> list[str]:
        """Slugs of the failed areas, in the listing's order."""
        return [a.slug for a in self.areas if self.results.get(a.slug, ("",))[0] == "failed"]

    @property
    def status(self) -> int:
        """The exit status: 0, or 1 if any area failed."""
        return 1 if self.failed else 0


def _build(code: str, kind: str, nhs_dir: str, out_root: str, period: str | None,
           show_code: bool, force: bool, clash: str) -> tuple[str, str, float, str]:
    """One area of the batch, in a worker process: ``(slug, status, seconds, message)``."""
    logging.disable(logging.WARNING)
    slug = slug_for(kind, code)
    started = time.perf_counter()
    if clash:
        return slug, "failed", 0.0, f"{slug}: not built: {clash}"
    try:
        built = report_data_area(code, nhs_dir, Path(out_root), period=period,
                                 show_code=show_code, force=force)
    except GPWorkforceError as exc:
        return slug, "failed", time.perf_counter() - started, str(exc)
    except Exception as exc:  # a bug: reported as the area's failure, the batch goes on
        first = str(exc).splitlines()[0] if str(exc) else ""
        return slug, "failed", time.perf_counter() - started, \
            f"{slug}: {type(exc).__name__}: {first}"
    return slug, "skipped" if built.unchanged else "ok", time.perf_counter() - started, ""


def run_data_batch(nhs_dir, out_root: Path = OUTPUTS, kind: str = "icb",
                   period: str | None = None, jobs: int | None = None, force: bool = False,
                   only: list[str] | None = None, show_code: bool = False) -> BatchRun:
    """Every area of ``kind`` found in the files of ``nhs_dir``, in parallel, and
    ``index.html``.

    Parameters
    ----------
    nhs_dir : str or Path
        The folder of downloaded files.
    out_root : Path
        Reports go to ``out_root/<kind>-<code>/``, the index to ``out_root/index.html``.
    kind, period, only
        As for :func:`data_areas`.
    jobs : int, optional
        Reports built at once (default: the number of CPUs).
    force, show_code : bool
        As for :func:`analysis.report.data_area.report_data_area`.

    Returns
    -------
    BatchRun
        The areas, each one's status and time, and the batch's exit status (``.status``).

    Raises
    ------
    ConfigError
        As :func:`data_areas` (before any report is built).
    """
    nhs_dir = Path(nhs_dir).resolve()
    out_root = Path(out_root)
    started = time.perf_counter()
    areas = data_areas(nhs_dir, kind, period, only)
    n, w = len(areas), workers(jobs, len(areas))
    print(f"Building the report{'s' if n != 1 else ''} of {n} {kind_label(kind)}"
          f"{'s' if n != 1 else ''} found in {nhs_dir} on {w} worker{'s' if w != 1 else ''}...",
          flush=True)
    out_root.mkdir(parents=True, exist_ok=True)
    tasks = [(a.code, kind, str(nhs_dir), str(out_root), period, show_code, force, a.clash)
             for a in areas]
    run = BatchRun(areas)
    for slug, status, secs, msg in build_in_pool(_build, tasks, jobs):
        run.results[slug] = (status, secs, msg)
    run.index = write_data_index(out_root, areas, run.results, kind)
    run.seconds = time.perf_counter() - started
    print(batch_summary([(s, *r) for s, r in run.results.items()], run.seconds, run.index))
    return run
