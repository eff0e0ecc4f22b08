"""Load everything one area's workforce chapter needs, once.

The notebook calls :func:`load_workforce` and gets a :class:`WorkforceContext` holding the
area, its STP, the inputs (read and validated), and the tables built from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.config import Area, input_paths, registry, resolve_area, settings, stp_members
from analysis.io import readers as readers
from analysis.tables import workforce as workforce
from analysis.util.cache import cached_read
from analysis.util.errors import InputError


@dataclass
class WorkforceContext:
    """Inputs and tables for one area's workforce chapter."""

    area: Area
    stp: Area
    ccgs: list[Area]
    snapshots: dict[str, pd.Timestamp]
    paths: dict[str, Path | None]
    reference: pd.DataFrame
    reference_open: pd.DataFrame
    gpw_summary: pd.DataFrame
    gpw_indicators: pd.DataFrame
    staff: pd.DataFrame | None
    summary: pd.DataFrame = field(init=False)
    indicators: workforce.RoleIndicators = field(init=False)

    def __post_init__(self):
        self.summary = workforce.gp_summary(self.reference_open, self.gpw_summary, self.staff,
                                            self.ccgs, self.stp)
        rows = [("England", None)] + [(a.short_name, a.members) for a in self.ccgs]
        self.indicators = workforce.role_indicators(self.gpw_indicators, rows)

    @property
    def area_row(self) -> pd.Series:
        """The summary row of the report's own area (the STP total for an STP report)."""
        return self.summary.set_index("area").loc[self.area.name]


def load_workforce(area_slug: str, area_kind: str | None = None,
                   inputs: dict[str, str | None] | None = None,
                   snapshots: dict[str, str] | None = None) -> WorkforceContext:
    """Read and validate the inputs for an area and build its tables.

    Parameters
    ----------
    area_slug : str
        CCG or STP slug from the registry.
    area_kind : {'ccg', 'stp', None}
        Restrict the slug lookup.
    inputs : dict, optional
        Overrides for the ``inputs`` section of the config (paths relative to the project root
        or absolute; None to drop an optional input).
    snapshots : dict, optional
        Overrides for the ``snapshots`` section: ``summary`` (the period of the summary table,
        which also decides which practices are open) and ``indicators`` (the role indicators'
        release date), as ``YYYY-MM-DD``.
    """
    area = resolve_area(area_slug, area_kind)
    stp = registry()[area.stp]
    paths = input_paths()
    for k, v in (inputs or {}).items():
        paths[k] = None if v is None else Path(v)
    snaps = {k: pd.Timestamp(v) for k, v in {**settings().snapshots.model_dump(),
                                                 **(snapshots or {})}.items()}
    ref = cached_read(paths["practice_reference"], readers.read_practice_reference)
    staff = (readers.read_staff_records(paths["staff_records"])
             if paths.get("staff_records") else None)
    ref_open = readers.open_on(ref, snaps["summary"])
    gpw = {k: cached_read(paths[k], readers.read_gpw_practice_csv)
           for k in ("gpw_summary", "gpw_indicators")}
    for key, frame in gpw.items():
        check_sources_overlap(area, ref_open, paths["practice_reference"], frame, paths[key],
                              snaps["summary"])
    return WorkforceContext(
        area=area, stp=stp, ccgs=stp_members(stp.slug), snapshots=snaps, paths=paths,
        reference=ref, reference_open=ref_open, gpw_summary=gpw["gpw_summary"],
        gpw_indicators=gpw["gpw_indicators"], staff=staff,
    )


def check_sources_overlap(area: Area, reference_open: pd.DataFrame, reference_path,
                          gpw: pd.DataFrame, gpw_path, day) -> None:
    """The workforce release and the practice reference describe the same practices.

    A release with a header and no rows, or one that holds none of the area's practices open
    on the snapshot date, would give "0 GPs" or a figure for the wrong practices: either stops
    the run with one line naming both files (they do not overlap; check the release and the
    area) instead.

    Raises
    ------
    InputError
        Naming the workforce file, and the reference file for a missing overlap.
    """
    if gpw.empty:
        raise InputError(gpw_path, "no data rows; expected one row per practice", row=2)
    ours = reference_open.loc[reference_open["ccg_code"].isin(area.members), "practice_code"]
    if len(ours) and not ours.isin(gpw["PRAC_CODE"]).any():
        raise InputError(gpw_path, f"none of the {len(ours)} practices of {area.name} open on "
                         f"{pd.Timestamp(day):%d %B %Y} in {Path(reference_path).name} is in "
                         "this release: the two sources do not overlap (check that the release "
                         "and the practice reference cover the same area and date)")
