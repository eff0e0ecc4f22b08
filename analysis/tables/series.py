"""An area's workforce over every release in the series store, queried with duckdb.

The store (:mod:`analysis.io.series_store`) holds every GPW practice-level and PCN individual
release of a folder as hive-partitioned Parquet; :func:`connect` opens it as two views,
``practice`` and ``pcn``, with ``kind`` and ``period`` from the partition names, and every
figure here is one SQL query over them (only the partitions and columns a query names are read).

* **GP workforce series** (:func:`gp_series`): by release, FTE of GPs in total, fully qualified
  (excluding trainees and locums), partners, salaried GPs, nurses, direct patient care and admin,
  with registered patients and FTE per 1,000 patients, for the area, its parent area and England.
  The area is its practices in the latest release, followed by practice code through earlier
  releases (a reorganisation moves practices between area codes; it does not change them).
  Where a period has both a Detailed and a High-level release, the Detailed one is used.
* **September on September** (:func:`compare_months`): the releases of one month of the year,
  each against the one a year before.
* **Breaks in series** (:func:`series_breaks`): the July 2022 move from CCG to sub-ICB/ICB
  geography, measures that start or stop being published, a change of release kind, practices
  not in a release, partly estimated records.

PCN staff by role over releases, clinicians per 1,000 patients and the chapter's context are in
:mod:`analysis.tables.trends`.

Every frame is unrounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from analysis.io.series_store import PRACTICE_MEASURES, Store
from analysis.tables.geography import AreaMatch, find_area, hierarchy
from analysis.util.errors import ConfigError

MEASURES = {  # store column -> label
    "gp_fte": "GPs (all)",
    "gp_fq_fte": "Fully qualified GPs (excl. trainees and locums)",
    "gp_partner_fte": "GP partners",
    "gp_salaried_fte": "Salaried GPs",
    "nurse_fte": "Nurses",
    "dpc_fte": "Direct patient care",
    "admin_fte": "Admin/non-clinical",
}
KIND_ORDER = {"gpw_detailed": 0, "gpw_high_level": 1}
DEFAULT_MONTH = 9
GROUPS = ("gp", "nurse", "dpc", "admin")


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------
def _view(con, name: str, files: list[Path], columns: str) -> None:
    if files:
        listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listed}], "
                    "hive_partitioning = true, hive_types = {'kind': VARCHAR, 'period': "
                    "VARCHAR}, union_by_name = true)")
    else:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM (SELECT NULL::VARCHAR AS kind, "
                    f"NULL::VARCHAR AS period, {columns}) WHERE false")


def connect(store: Store) -> duckdb.DuckDBPyConnection:
    """An in-memory duckdb connection with the views ``practice`` and ``pcn`` over the store."""
    con = duckdb.connect()
    _view(con, "practice", store.files("practice"),
          "NULL::VARCHAR AS practice_code, NULL::VARCHAR AS geography, "
          "NULL::DOUBLE AS patients, " + ", ".join(f"NULL::DOUBLE AS {m}"
                                                   for m in PRACTICE_MEASURES)
          + ", " + ", ".join(f"NULL::BOOLEAN AS {g}_estimated" for g in GROUPS))
    _view(con, "pcn", store.files("pcn"),
          "NULL::VARCHAR AS pcn_code, NULL::VARCHAR AS staff_group, NULL::VARCHAR AS staff_role, "
          "NULL::DOUBLE AS fte, NULL::VARCHAR AS unique_identifier, "
          "NULL::VARCHAR AS data_source")
    return con


def query(con, sql: str, params: list | None = None, **frames) -> pd.DataFrame:
    """Run ``sql`` with ``frames`` registered as tables (by keyword name); a pandas frame."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        return con.execute(sql, params or []).df()
    finally:
        for name in frames:
            con.unregister(name)


def practice_releases(con) -> pd.DataFrame:
    """Each period's practice release used (Detailed before High-level): ``period, kind,
    geography, practices``, oldest first."""
    df = query(con, "SELECT period, kind, mode(geography) AS geography, count(*) AS practices "
                    "FROM practice GROUP BY period, kind")
    if df.empty:
        return df
    df["_order"] = df["kind"].map(KIND_ORDER)
    df = df.sort_values(["period", "_order"]).drop_duplicates("period")
    return df.drop(columns="_order").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The area
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeriesArea:
    """The area of a series: its practices in the latest release, and its parent's."""

    area: AreaMatch
    parent: AreaMatch | None
    period: str


def latest_hierarchy(con):
    """The geography of the latest practice release (CCG columns named as such when old)."""
    rel = practice_releases(con)
    if rel.empty:
        raise ConfigError("the series store has no GPW practice-level release")
    last = rel.iloc[-1]
    frame = query(con, "SELECT * FROM practice WHERE period = ? AND kind = ?",
                  [last["period"], last["kind"]])
    if last["geography"] == "ccg":
        frame = frame.rename(columns={"sub_icb_code": "ccg_code", "sub_icb_name": "ccg_name",
                                      "icb_code": "stp_code", "icb_name": "stp_name"})
    geo = [c for c in frame.columns if re.fullmatch(r"(practice|pcn|sub_icb|icb|region|ccg|stp)"
                                                    r"_(code|name)", c)]
    frame = frame[geo].dropna(axis=1, how="all")
    return hierarchy(frame, last["period"], f"GPW {last['kind'].replace('gpw_', '')} release "
                                            f"{last['period']}")


def find_series_area(con, text: str, aliases=None, clusters=None) -> SeriesArea:
    """The area ``text`` names in the latest practice release, and its parent area."""
    h = latest_hierarchy(con)
    area = find_area(h, text, aliases=aliases, clusters=clusters)
    parent = None
    if area.kind in h.levels() and area.kind != "practice":
        try:
            up = h.parent(area.kind, area.code)
        except ConfigError:  # a PCN across sub-ICB boundaries has no single parent
            up = None
        if up is not None:
            parent = AreaMatch(up[0], up[1], h.name(*up), h.practices(*up), h.period, h.source)
    return SeriesArea(area, parent, h.period)


# --------------------------------------------------------------------------------------------
# GP workforce series
# --------------------------------------------------------------------------------------------
def practice_totals(con, practices=None) -> pd.DataFrame:
    """Sums over ``practices`` (None: every practice, England) for each release used.

    Returns
    -------
    DataFrame
        ``period, kind, practices, practices_with_patients, patients``, one column per measure
        of :data:`MEASURES` (FTE, missing when no practice has it), ``<group>_estimated``
        (practices whose figures for that staff group are partly estimated); oldest first.
    """
    sums = ", ".join(f"sum({m}) AS {m}" for m in MEASURES)
    flags = ", ".join(f"count(*) FILTER (WHERE {g}_estimated) AS {g}_estimated" for g in GROUPS)
    join = "JOIN sel USING (practice_code)" if practices is not None else ""
    sql = (f"SELECT period, kind, count(*) AS practices, count(patients) AS "
           f"practices_with_patients, sum(patients) AS patients, {sums}, {flags} "
           f"FROM practice {join} GROUP BY period, kind")
    frames = {}
    if practices is not None:
        frames["sel"] = pd.DataFrame({"practice_code": sorted(set(practices))}, dtype=object)
    df = query(con, sql, **frames)
    used = practice_releases(con)[["period", "kind"]]
    df = used.merge(df, on=["period", "kind"], how="left")
    df["practices"] = df["practices"].fillna(0).astype("int64")
    return df


def per_1000(totals: pd.DataFrame) -> pd.DataFrame:
    """``<measure>_per_1000`` beside each measure: FTE / patients x 1,000 (missing without
    patients)."""
    out = totals.copy()
    patients = out["patients"].astype("float64")
    for m in MEASURES:
        out[f"{m}_per_1000"] = out[m].astype("float64") / patients.where(patients > 0) * 1000
    return out


def gp_series(con, where: SeriesArea) -> pd.DataFrame:
    """The area, its parent and England by release, with FTE per 1,000 patients.

    Returns
    -------
    DataFrame
        ``role`` ('area', 'parent', 'england'), ``name``, then the columns of
        :func:`practice_totals` and :func:`per_1000`; one row per release and role.
    """
    parts = [per_1000(practice_totals(con, where.area.practices)).assign(
        role="area", name=where.area.name or where.area.code)]
    if where.parent is not None:
        parts.append(per_1000(practice_totals(con, where.parent.practices)).assign(
            role="parent", name=where.parent.name or where.parent.code))
    parts.append(per_1000(practice_totals(con)).assign(role="england", name="England"))
    df = pd.concat(parts, ignore_index=True)
    first = ["role", "name", "period", "kind"]
    return df[first + [c for c in df.columns if c not in first]]


def long_series(series: pd.DataFrame) -> pd.DataFrame:
    """:func:`gp_series` one row per release, area and measure: ``fte``, ``patients``,
    ``per_1000`` (numerator, denominator, ratio)."""
    rows = []
    for m, label in MEASURES.items():
        part = series[["role", "name", "period", "kind", "patients"]].copy()
        part["measure"], part["label"] = m, label
        part["fte"], part["per_1000"] = series[m], series[f"{m}_per_1000"]
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def compare_months(series: pd.DataFrame, month: int = DEFAULT_MONTH) -> pd.DataFrame:
    """Releases of ``month`` (September by default), each against the one twelve months before.

    Returns
    -------
    DataFrame
        :func:`long_series` rows of that month, with ``previous`` (the period compared with,
        missing when there is no release of that month a year before), ``fte_change``,
        ``per_1000_change`` and ``fte_change_pct``.
    """
    long = long_series(series)
    long = long[long["period"].str[5:7].astype(int) == int(month)].copy()
    prev = long.assign(period=(pd.PeriodIndex(long["period"], freq="M") + 12).astype(str))
    prev = prev[["role", "measure", "period", "fte", "per_1000"]].rename(
        columns={"fte": "fte_before", "per_1000": "per_1000_before"})
    out = long.merge(prev, on=["role", "measure", "period"], how="left")
    has = out["fte_before"].notna() | out["per_1000_before"].notna()
    out["previous"] = (pd.PeriodIndex(out["period"], freq="M") - 12).astype(str)
    out["previous"] = out["previous"].where(has)
    out["fte_change"] = out["fte"] - out["fte_before"]
    out["fte_change_pct"] = out["fte_change"] / out["fte_before"].where(out["fte_before"] > 0) \
        * 100
    out["per_1000_change"] = out["per_1000"] - out["per_1000_before"]
    return out.sort_values(["measure", "role", "period"], key=_role_order,
                           ignore_index=True)


def _role_order(s: pd.Series) -> pd.Series:
    if s.name == "role":
        return s.map({"area": 0, "parent": 1, "england": 2})
    if s.name == "measure":
        return s.map({m: i for i, m in enumerate(MEASURES)})
    return s


def series_breaks(con, series: pd.DataFrame, where: SeriesArea) -> pd.DataFrame:
    """Where the series is not like with like: ``period, break, note``, oldest first.

    ``break`` is 'reorganisation' (the release is the first on sub-ICB/ICB geography after one
    on CCGs: the July 2022 reorganisation; practices are followed by code across it),
    'definition' (a measure starts or stops being published, or the release kind changes),
    'practices' (the number of the area's practices not in the release changes: closed, merged
    or not yet open), 'estimated' (every release where practices of the area have partly
    estimated figures).
    """
    rel = practice_releases(con)
    area = series[series["role"] == "area"].set_index("period")
    england = series[series["role"] == "england"].set_index("period")
    rows = []
    n = len(where.area.practices)
    previous, missing_before = None, 0
    for r in rel.itertuples(index=False):
        if previous is not None:
            if previous.geography == "ccg" and r.geography == "sub_icb":
                rows.append((r.period, "reorganisation", "sub-ICB locations and ICBs replace "
                             "CCGs and STPs (July 2022 reorganisation); practices followed by "
                             "code"))
            if previous.kind != r.kind:
                rows.append((r.period, "definition", f"release kind changes from "
                             f"{_kind(previous.kind)} to {_kind(r.kind)}"))
            had = {m for m in MEASURES if pd.notna(england.loc[previous.period, m])}
            has = {m for m in MEASURES if pd.notna(england.loc[r.period, m])}
            if has - had:
                rows.append((r.period, "definition", "first published here: " + ", ".join(
                    MEASURES[m] for m in MEASURES if m in has - had)))
            if had - has:
                rows.append((r.period, "definition", "not published here: " + ", ".join(
                    MEASURES[m] for m in MEASURES if m in had - has)))
        missing = n - int(area.loc[r.period, "practices"])
        if missing != missing_before and (missing or previous is not None):
            rows.append((r.period, "practices", f"from this release, {missing} of the area's {n} "
                         "practices not in the release" if missing else "from this release, "
                         f"every one of the area's {n} practices is in the release"))
        missing_before = missing
        est = {g: int(area.loc[r.period, f"{g}_estimated"] or 0) for g in GROUPS
               if pd.notna(area.loc[r.period, f"{g}_estimated"])}
        if any(est.values()):
            rows.append((r.period, "estimated", "practices with partly estimated figures: " +
                         ", ".join(f"{_GROUP_LABELS[g]} {k}" for g, k in est.items() if k)))
        previous = r
    return pd.DataFrame(rows, columns=["period", "break", "note"])


_GROUP_LABELS = {"gp": "GPs", "nurse": "nurses", "dpc": "direct patient care",
                 "admin": "admin"}


def _kind(kind: str) -> str:
    return {"gpw_detailed": "Detailed", "gpw_high_level": "High-level"}.get(kind, kind)
