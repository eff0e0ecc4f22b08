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
    ref = readers.read_practice_reference(paths["practice_reference"])
    staff = (readers.read_staff_records(paths["staff_records"])
             if paths.get("staff_records") else None)
    return WorkforceContext(
        area=area, stp=stp, ccgs=stp_members(stp.slug), snapshots=snaps, paths=paths,
        reference=ref, reference_open=readers.open_on(ref, snaps["summary"]),
        gpw_summary=readers.read_gpw_practice_csv(paths["gpw_summary"]),
        gpw_indicators=readers.read_gpw_practice_csv(paths["gpw_indicators"]),
        staff=staff,
    )
