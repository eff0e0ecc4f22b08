"""A report for an area found in real files (``make report AREA=QHL``), not in the demo registry.

The area is looked up in the files the analyst dropped in ``data/raw/nhs/``: the Patients
Registered map, the PCN workforce file's own geography (:mod:`analysis.tables.pcn`) and the GP
Workforce practice-level release's own geography (:mod:`analysis.tables.gp_practice`); an area
found in several is taken from the latest. Only the chapters whose files are there run: the PCN
workforce chapter (``05_pcn_workforce``), the GP practice workforce chapter
(``06_gp_practice_workforce``), the trends over releases (``07_trends``, when a publication has
two or more releases there), the scenario from the data (``08_data_scenario``, when the
GP release is a Detailed one) and the provenance; the first of them opens with the summary of
what ran and what had no data. Before any chapter runs, the GP practice inputs are checked to
agree (:func:`analysis.tables.gp_practice.load_context`): a failure stops with one line.
The demo chapters and their synthetic inputs are never mixed in, and a demo report never
reads these files.
The report goes to ``outputs/<kind>-<code>/`` in lower case (``outputs/icb-qhl``).

``--period YYYY-MM`` selects the file of that month for each kind; a chapter whose kind of file
has none of that month is left out and listed in the summary (``no PCN workforce file for
2024-09``) instead of stopping the run. The config's aliases, clusters and
``real_inputs: max_months_apart`` are read here once and passed to the chapters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from analysis.config import OUTPUTS, settings
from analysis.io.catalogue import catalogue, latest
from analysis.report.runner import Built, run_area
from analysis.tables import gp_practice
from analysis.tables.geography import find_area
from analysis.tables.pcn import pcn_sources
from analysis.util.errors import ConfigError

PCN_NOTEBOOK = "notebooks/05_pcn_workforce.ipynb"
GP_NOTEBOOK = "notebooks/06_gp_practice_workforce.ipynb"
TRENDS_NOTEBOOK = "notebooks/07_trends.ipynb"
SCENARIO_NOTEBOOK = "notebooks/08_data_scenario.ipynb"
NOTEBOOKS = [PCN_NOTEBOOK, GP_NOTEBOOK, TRENDS_NOTEBOOK, SCENARIO_NOTEBOOK,
             "notebooks/99_provenance.ipynb"]
PCN_CHAPTER = "PCN workforce"
GP_CHAPTER = "Practice workforce (GP Workforce practice level)"
TRENDS_CHAPTER = "Trends over releases"
SCENARIO_CHAPTER = "Scenario from the data (stock-flow model by age band)"
CHAPTER_NAMES = {PCN_NOTEBOOK: PCN_CHAPTER, GP_NOTEBOOK: GP_CHAPTER,
                 TRENDS_NOTEBOOK: TRENDS_CHAPTER, SCENARIO_NOTEBOOK: SCENARIO_CHAPTER,
                 "notebooks/99_provenance.ipynb": "Provenance and caveats"}
DEMO_CHAPTERS = {  # the demo chapters and the inputs they would need
    "Local workforce returns": "no returns supplied",
    "Scenario models": "no scenario file for this area",
    "Urgent care": "no case-level or IUC ADC files supplied",
}
SERIES_KINDS = ("pcn_individual", *gp_practice.GPW_KINDS)


@dataclass(frozen=True)
class DataArea:
    """An area found in real files: what the runner needs of it."""

    slug: str
    kind: str
    name: str
    code: str


def chapters_for(cat, period: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The chapter notebooks that have their file (of ``period``) and those left out, with why.

    Raises
    ------
    ConfigError
        No chapter has a file (of ``period``): one line saying what is missing.
    """
    run, left = [], {}
    month = f" for {period}" if period else ""
    if latest(cat, "pcn_individual", period, required=False) is not None:
        run.append(PCN_NOTEBOOK)
    else:
        left[PCN_CHAPTER] = f"no PCN workforce file{month or ' supplied'}"
    if gp_practice.release_row(cat, period) is not None:
        run.append(GP_NOTEBOOK)
    else:
        left[GP_CHAPTER] = f"no GP Workforce practice-level file{month or ' supplied'}"
    releases = cat.loc[cat["kind"].isin(list(SERIES_KINDS))].groupby("kind")["period"].nunique()
    if run and (releases >= 2).any():
        run.append(TRENDS_NOTEBOOK)
    elif run:
        left[TRENDS_CHAPTER] = "one release of each publication only"
    gp_row = gp_practice.release_row(cat, period)
    if gp_row is not None and gp_row["kind"] == "gpw_detailed":
        run.append(SCENARIO_NOTEBOOK)  # GPs by age band are only in the Detailed release
    elif run:
        left[SCENARIO_CHAPTER] = (f"no GP Workforce practice-level Detailed release{month} "
                                  "(GPs by age band are only in it)")
    if not run:
        folder = cat.attrs.get("folder", "the folder")
        raise ConfigError(f"{folder}: no PCN workforce file and no GP Workforce practice-level "
                          f"(Detailed or High-level) release{month}; drop the downloaded files "
                          "there")
    return [*run, "notebooks/99_provenance.ipynb"], left


def chapter_lists(notebooks: list[str], left_out: dict[str, str]
                  ) -> tuple[list[str], dict[str, str]]:
    """The names of the chapters run, and those with no data for the area with why: the one
    list every chapter's summary shows (the demo's scenario models are not listed as missing
    when the scenario from the data runs)."""
    demo = {k: v for k, v in DEMO_CHAPTERS.items()
            if not (k == "Scenario models" and SCENARIO_NOTEBOOK in notebooks)}
    return [CHAPTER_NAMES[n] for n in notebooks], {**left_out, **demo}


def find_data_area(area_text: str, nhs_dir, period: str | None = None) -> DataArea:
    """The area ``area_text`` names in the files of ``nhs_dir``.

    Raises
    ------
    ConfigError
        Neither a PCN workforce file nor a GP Workforce practice-level release (of ``period``)
        in the folder, or an unknown area (one line with the closest matches).
    """
    cfg = settings()
    match = find_area(area_sources(catalogue(nhs_dir), period), area_text,
                      aliases=cfg.areas.aliases, clusters=cfg.areas.clusters)
    return DataArea(slug_for(match.kind, match.code), match.kind, match.name or match.code,
                    match.code)


def area_sources(cat, period: str | None = None) -> list:
    """Where areas are looked up (:func:`find_data_area`) and listed
    (:func:`analysis.report.data_batch.data_areas`): the PCN release's hierarchy (the map's
    near it, else its own) and the GP Workforce release's (the map's near it and its own).

    Raises
    ------
    ConfigError
        Neither a PCN workforce file nor a GP Workforce practice-level release (of ``period``).
    """
    run, _ = chapters_for(cat, period)
    sources = [pcn_sources(cat, period)[0]] if PCN_NOTEBOOK in run else []
    return sources + gp_practice.release_hierarchies(cat, period,
                                                     settings().real_inputs.max_months_apart)


def slug_for(kind: str, code: str) -> str:
    """The report's folder name: ``icb-qhl`` for ICB QHL, ``sub-icb-15e``."""
    return f"{kind.replace('_', '-')}-{code}".lower()


def report_data_area(area_text: str, nhs_dir, out_root: Path = OUTPUTS,
                     period: str | None = None, show_code: bool = False,
                     force: bool = False) -> Built:
    """The report of an area found in real files: the chapters whose files are there.

    Parameters
    ----------
    area_text : str
        A code, a name or a slug (``QHL``, ``birmingham and solihull``).
    nhs_dir : str or Path
        The folder of downloaded files.
    out_root : Path
        The report goes to ``out_root/<kind>-<code>/``.
    period : str, optional
        ``YYYY-MM`` of the PCN workforce and GP Workforce releases (default: the latest of
        each); a kind with no file of that month has its chapter left out and listed.
    show_code, force : bool
        As for :func:`analysis.report.runner.run_area`.

    Raises
    ------
    ConfigError
        Unknown area, neither a PCN workforce nor a GP Workforce practice-level file.
    InputError
        The GP practice inputs disagree (dates too far apart, no practice in common).
    ReportError
        The chapter failed (one line).
    """
    nhs_dir = Path(nhs_dir).resolve()
    area = find_data_area(area_text, nhs_dir, period)
    cfg = settings()
    cat = catalogue(nhs_dir)
    notebooks, left_out = chapters_for(cat, period)
    if GP_NOTEBOOK in notebooks:
        gp_sources = gp_practice.release_hierarchies(cat, period,
                                                     cfg.real_inputs.max_months_apart)
        try:
            find_area(gp_sources, area_text, aliases=cfg.areas.aliases,
                      clusters=cfg.areas.clusters)
        except ConfigError:  # found in the PCN file only: the GP chapter has no data
            notebooks.remove(GP_NOTEBOOK)
            if SCENARIO_NOTEBOOK in notebooks:  # the scenario needs the area's practices too
                notebooks.remove(SCENARIO_NOTEBOOK)
                left_out[SCENARIO_CHAPTER] = "no practice of the area in the GP release"
            release = gp_practice.release_row(cat, period)
            left_out[GP_CHAPTER] = (f"the GP Workforce practice-level release of "
                                    f"{release['period']} holds no practice of {area.name}")
        else:
            gp_practice.load_context(area_text, nhs_dir, period, cfg.areas.aliases,
                                     cfg.areas.clusters, cfg.real_inputs.max_months_apart)
    chapters_run, no_data = chapter_lists(notebooks, left_out)
    started = time.perf_counter()
    before = Path(out_root) / area.slug / "report.html"
    stamp = before.stat().st_mtime_ns if before.exists() else None
    checksums = ",".join(cat["sha256"].astype(str))
    path = run_area(area, Path(out_root), show_code=show_code, force=force,
                    notebooks=notebooks, key_extra=checksums,
                    extra_params={"area_text": area_text, "nhs_dir": str(nhs_dir),
                                  "period": period, "aliases": dict(cfg.areas.aliases),
                                  "clusters": {k: list(v) for k, v in
                                               cfg.areas.clusters.items()},
                                  "max_months": cfg.real_inputs.max_months_apart,
                                  "left_out": left_out,
                                  "chapters_run": chapters_run, "no_data": no_data})
    unchanged = stamp is not None and path.stat().st_mtime_ns == stamp
    return Built(path, time.perf_counter() - started, unchanged)
