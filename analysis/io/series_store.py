"""The series store: every GPW practice-level and PCN individual release of a folder as one
partitioned Parquet dataset, for the trends chapter (:mod:`analysis.tables.series` queries it).

:func:`build_store` catalogues a folder of downloads (:func:`analysis.io.catalogue.catalogue`)
and writes each release once, normalised to one schema per dataset::

    <store>/practice/kind=gpw_detailed/period=2024-09/part-<sha>.parquet
    <store>/practice/kind=gpw_high_level/period=2024-08/part-<sha>.parquet
    <store>/pcn/kind=pcn_individual/period=2026-06/part-<sha>.parquet
    <store>/manifest.json

* **practice** (one row per practice per release): geography (``practice_code``,
  ``practice_name``, ``sub_icb_code`` ... as the reader names them; a release from before July
  2022 keeps its CCG codes under ``sub_icb_code`` and says ``geography = 'ccg'``), the FTE
  measures of :data:`PRACTICE_MEASURES` (missing when the release does not carry them),
  ``patients`` (Detailed only), the ``*_source`` estimate flags and ``*_estimated`` (True when a
  staff group's figures are partly estimated).
* **pcn** (one row per row of the PCN file): geography, ``data_source``, ``staff_group``,
  ``staff_role``, ``detailed_staff_role`` as published, ``fte``, ``unique_identifier``.

The store lives under ``data/processed/series/<folder tag>/`` by default (regenerable; ``make
clean`` removes it). A partition is rewritten only when its input file's SHA-256 or the code
that builds it changes; partitions whose release left the folder are removed. Files are data
only (Parquet, JSON manifest with its checksum; no pickle).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import DATA_PROCESSED
from analysis.io.archive import csv_sources
from analysis.io.catalogue import catalogue
from analysis.io.gpw import read_gpw_high_level
from analysis.io.gpw_fields import OLD_TO_CURRENT
from analysis.io.pcn import read_pcn_individual
from analysis.io.readers import EXRRL_FTE, read_gpw_practice_csv
from analysis.util.cache import (
    MISSING,
    read_data,
    read_frame_meta,
    refreshing,
    write_data,
    write_frame,
)
from analysis.util.errors import ConfigError

__all__ = ["PRACTICE_MEASURES", "SERIES_KINDS", "STORE_DIR", "Store", "build_store",
           "open_store", "store_dir_for"]

STORE_DIR = DATA_PROCESSED / "series"
STORE_VERSION = "1"
SERIES_KINDS = {"gpw_detailed": "practice", "gpw_high_level": "practice",
                "pcn_individual": "pcn"}
"""Catalogue kinds kept in the store -> the dataset they go to."""

PRACTICE_MEASURES = {  # standard name -> Detailed columns (current names) summed
    "gp_fte": ("TOTAL_GP_FTE",),
    "gp_fq_fte": ("TOTAL_GP_EXTGL_FTE",),
    "gp_exrrl_fte": (EXRRL_FTE,),
    "gp_partner_fte": ("TOTAL_GP_SEN_PTNR_FTE", "TOTAL_GP_PTNR_PROV_FTE"),
    "gp_salaried_fte": ("TOTAL_GP_SAL_BY_PRAC_FTE", "TOTAL_GP_SAL_BY_OTH_FTE"),
    "nurse_fte": ("TOTAL_NURSES_FTE",),
    "dpc_fte": ("TOTAL_DPC_FTE",),
    "admin_fte": ("TOTAL_ADMIN_FTE",),
}
"""The practice dataset's FTE columns. ``gp_fq_fte``: GPs excluding those in training grades and
locums (the published EXTGL measure, retainers included), read from the July 2022 column set
on; the older column set gives ``gp_exrrl_fte`` (excluding registrars, retainers and locums)
instead, so the fully-qualified series starts where the definition does."""

GEO_COLUMNS = ["practice_code", "practice_name", "pcn_code", "sub_icb_code", "sub_icb_name",
               "icb_code", "icb_name", "region_code", "region_name"]
SOURCE_GROUPS = {"GP_SOURCE": "gp", "NURSE_SOURCE": "nurse", "DPC_SOURCE": "dpc",
                 "ADMIN_SOURCE": "admin"}
PRACTICE_COLUMNS = (GEO_COLUMNS + ["geography", "patients", *PRACTICE_MEASURES]
                    + [f"{g}_source" for g in SOURCE_GROUPS.values()]
                    + [f"{g}_estimated" for g in SOURCE_GROUPS.values()])
PCN_COLUMNS = ["pcn_code", "pcn_name", "sub_icb_code", "sub_icb_name", "icb_code", "icb_name",
               "region_code", "region_name", "ccg_code", "ccg_name", "stp_code", "stp_name",
               "data_source", "staff_group", "staff_role", "detailed_staff_role", "fte",
               "unique_identifier"]
# High-level CSV: staff group and detailed role (lower case) -> the practice measure
HIGH_LEVEL_GROUPS = {"gp": "gp_fte", "nurses": "nurse_fte", "direct patient care": "dpc_fte",
                     "admin/non-clinical": "admin_fte"}
Built = tuple[pd.DataFrame, list[str]]  # a release normalised, and its notes
_CODE_FILES = ("series_store.py", "readers.py", "gpw.py", "pcn.py", "gpw_fields.py",
               "archive.py", "catalogue.py")


def _code() -> str:
    """Version of the code that builds a partition (this module and the readers it uses)."""
    h = hashlib.sha256(STORE_VERSION.encode())
    here = Path(__file__).parent
    for name in _CODE_FILES:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def store_dir_for(nhs_dir, root=STORE_DIR) -> Path:
    """The store of a folder of downloads: ``<root>/<folder name>-<hash of its path>``."""
    p = Path(nhs_dir).resolve()
    return Path(root) / f"{p.name or 'root'}-{hashlib.sha256(str(p).encode()).hexdigest()[:10]}"


@dataclass(frozen=True)
class Store:
    """A built store: where it is and what it holds.

    Attributes
    ----------
    path : Path
        The store's folder (``practice/`` and ``pcn/`` below it).
    releases : DataFrame
        ``dataset, kind, period, file, member, sha256, rows, note`` (one row per partition,
        sorted by dataset and period); ``note`` lists what a release lacks (measures not
        published in it).
    built : int
        Partitions written by this call (0 when every one was up to date).
    """

    path: Path
    releases: pd.DataFrame
    built: int = 0

    def files(self, dataset: str) -> list[Path]:
        """The Parquet files of ``dataset`` ('practice' or 'pcn')."""
        return sorted((self.path / dataset).glob("kind=*/period=*/*.parquet"))


# --------------------------------------------------------------------------------------------
# Normalising one release
# --------------------------------------------------------------------------------------------
def _estimated(flag: pd.Series) -> pd.Series:
    text = flag.astype("string").str.lower()
    return text.str.contains("estimat", regex=False).fillna(False).astype(bool)


def _header(path: Path, member) -> set[str]:
    for src in csv_sources(path):
        if member is None or src.member == member or (isinstance(member, float)
                                                      and np.isnan(member)):
            return {h.strip().lstrip("\ufeff").upper() for h in src.header}
    return set()


def practice_detailed(path: Path, member=None, period: str | None = None) -> Built:
    """A *Practice Level - Detailed* release in the practice dataset's columns, and notes."""
    header = _header(path, member)
    old = "CCG_CODE" in header and "SUB_ICB_CODE" not in header
    to_file = {cur: o for o, cur in OLD_TO_CURRENT.items()} if old else {}
    wanted = sorted({c for cols in PRACTICE_MEASURES.values() for c in cols if c != EXRRL_FTE})
    present = [c for c in wanted if to_file.get(c, c) in header]
    if old:
        present = [c for c in present if c not in ("TOTAL_GP_EXTGL_FTE", "TOTAL_GP_RET_FTE")]
    ids = [c for c in ("PCN_CODE", "PCN_NAME", "REGION_CODE", "REGION_NAME")
           if to_file.get(c, c) in header]
    frame = read_gpw_practice_csv(path, columns=["TOTAL_PATIENTS", *ids, *present],
                                  period=period)
    out = pd.DataFrame({"practice_code": frame["PRAC_CODE"].astype("string")})
    for col in GEO_COLUMNS[1:]:
        src = col.upper().replace("PRACTICE", "PRAC")
        out[col] = frame[src].astype("string") if src in frame else pd.Series(
            pd.NA, index=frame.index, dtype="string")
    out["geography"] = "ccg" if frame.attrs.get("format") == "old" else "sub_icb"
    out["patients"] = frame["TOTAL_PATIENTS"].astype("float64")
    lacking = []
    for name, cols in PRACTICE_MEASURES.items():
        if all(c in frame for c in cols):
            out[name] = frame[list(cols)].astype("float64").sum(axis=1, min_count=len(cols))
        else:
            out[name] = np.nan
            lacking.append(name)
    for flag, group in SOURCE_GROUPS.items():
        text = frame[flag].astype("string") if flag in frame else pd.Series(
            pd.NA, index=frame.index, dtype="string")
        out[f"{group}_source"] = text
        out[f"{group}_estimated"] = _estimated(text)
    notes = [f"not in this release: {', '.join(lacking)}"] if lacking else []
    return out[PRACTICE_COLUMNS], notes


def practice_high_level(path: Path, member=None, period: str | None = None) -> Built:
    """A *Practice Level - High-level* (long) release in the practice dataset's columns.

    FTE only: staff groups :data:`HIGH_LEVEL_GROUPS`; GP partners and salaried GPs from the
    detailed role names containing 'partner' / 'salaried'; fully qualified GPs are the GP FTE
    less roles naming training grades, registrars or locums. No patients (the High-level file
    has none). Staff groups it does not know are listed in the notes, never guessed.
    """
    long = read_gpw_high_level(path, period)
    fte = long[long["measure"].str.strip().str.upper() == "FTE"].copy()
    group = fte["staff_group"].str.strip().str.lower()
    role = fte["detailed_staff_role"].fillna("").str.strip().str.lower()
    fte["measure_name"] = group.map(HIGH_LEVEL_GROUPS)
    unknown = sorted(set(fte.loc[fte["measure_name"].isna(), "staff_group"]))
    is_gp = fte["measure_name"] == "gp_fte"
    parts = [fte.dropna(subset=["measure_name"])[["practice_code", "measure_name", "value"]]]
    for name, mask in {
        "gp_partner_fte": is_gp & role.str.contains("partner"),
        "gp_salaried_fte": is_gp & role.str.contains("salaried"),
        "gp_fq_fte": is_gp & ~role.str.contains("train|registrar|locum|st[1-4]"),
    }.items():
        parts.append(fte.loc[mask, ["practice_code", "value"]].assign(measure_name=name))
    stacked = pd.concat(parts)
    wide = stacked.pivot_table(index="practice_code", columns="measure_name", values="value",
                               aggfunc="sum")
    geo = long.drop_duplicates("practice_code").set_index("practice_code")
    out = pd.DataFrame({"practice_code": pd.Series(wide.index, dtype="string")})
    for col in GEO_COLUMNS[1:]:
        out[col] = (geo[col].reindex(wide.index).astype("string").to_numpy()
                    if col in geo else pd.NA)
        out[col] = out[col].astype("string")
    out["geography"] = "ccg" if "ccg_code" in geo and "sub_icb_code" not in geo else "sub_icb"
    out["patients"] = np.nan
    for name in PRACTICE_MEASURES:
        out[name] = wide[name].to_numpy(dtype="float64") if name in wide else np.nan
    for group_name in SOURCE_GROUPS.values():
        out[f"{group_name}_source"] = pd.Series(pd.NA, index=out.index, dtype="string")
        out[f"{group_name}_estimated"] = False
    notes = ["no registered patients (High-level file)"]
    if unknown:
        notes.append(f"staff groups not counted: {', '.join(unknown)}")
    return out[PRACTICE_COLUMNS], notes


def pcn_release(path: Path, member=None, period: str | None = None) -> Built:
    """A PCN individual-level release in the pcn dataset's columns."""
    frame = read_pcn_individual(path, period)
    out = pd.DataFrame(index=frame.index)
    for col in PCN_COLUMNS:
        out[col] = frame[col] if col in frame else pd.Series(pd.NA, index=frame.index,
                                                             dtype="string")
        if col != "fte":
            out[col] = out[col].astype("string")
    out["fte"] = out["fte"].astype("float64")
    return out, []


BUILDERS = {"gpw_detailed": practice_detailed, "gpw_high_level": practice_high_level,
            "pcn_individual": pcn_release}


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------
def _releases(cat: pd.DataFrame) -> pd.DataFrame:
    rows = cat[cat["kind"].isin(list(SERIES_KINDS)) & cat["period"].notna()].copy()
    twice = rows[rows.duplicated(["kind", "period"], keep=False)]
    if len(twice):
        first = twice.iloc[0]
        names = ", ".join(Path(p).name for p in twice.loc[
            (twice["kind"] == first["kind"]) & (twice["period"] == first["period"]), "path"])
        raise ConfigError(f"{cat.attrs.get('folder', 'the folder')}: more than one "
                          f"{first['kind'].replace('_', ' ')} file of {first['period']}: "
                          f"{names}; keep one")
    return rows


def build_store(nhs_dir, store_dir=None) -> Store:
    """Write (or bring up to date) the series store of a folder of downloads.

    Parameters
    ----------
    nhs_dir : str or Path
        The folder of downloads (sub-folders and zips included).
    store_dir : str or Path, optional
        Where the store goes; default :func:`store_dir_for` ``(nhs_dir)``.

    Returns
    -------
    Store

    Raises
    ------
    ConfigError
        Two files of the same kind and period.
    InputError
        A release its reader cannot read (one line naming file, row and column).
    """
    store = Path(store_dir) if store_dir is not None else store_dir_for(nhs_dir)
    cat = catalogue(nhs_dir)
    wanted = _releases(cat)
    manifest_path = store / "manifest.json"
    old = read_data(manifest_path) if manifest_path.exists() else MISSING
    entries = {} if old is MISSING or not isinstance(old, dict) else dict(old.get("entries", {}))
    code = _code()
    fresh: dict[str, dict] = {}
    built = 0
    for row in wanted.itertuples(index=False):
        dataset = SERIES_KINDS[row.kind]
        key = f"{dataset}/kind={row.kind}/period={row.period}"
        member = row.member if isinstance(row.member, str) else None
        target = store / key / f"part-{row.sha256[:16]}.parquet"
        entry = entries.get(key)
        meta = read_frame_meta(target) if target.exists() else None
        if (entry and entry.get("sha256") == row.sha256 and entry.get("code") == code
                and meta is not None and not refreshing()):
            fresh[key] = entry
            continue
        frame, notes = BUILDERS[row.kind](Path(row.path), member, row.period)
        if (store / key).exists():
            shutil.rmtree(store / key)
        write_frame(target, frame.reset_index(drop=True),
                    meta={"sha256": row.sha256, "kind": row.kind, "period": row.period})
        built += 1
        fresh[key] = {"dataset": dataset, "kind": row.kind, "period": row.period,
                      "file": Path(row.path).name, "member": member, "sha256": row.sha256,
                      "rows": len(frame), "note": "; ".join(notes), "code": code}
    for key in set(entries) - set(fresh):  # releases no longer in the folder
        shutil.rmtree(store / key, ignore_errors=True)
    for dataset in set(SERIES_KINDS.values()):
        for folder in sorted((store / dataset).glob("kind=*/period=*")):
            if f"{dataset}/{folder.parent.name}/{folder.name}" not in fresh:
                shutil.rmtree(folder, ignore_errors=True)
    if built or set(entries) != set(fresh):
        write_data(manifest_path, {"folder": str(Path(nhs_dir).resolve()), "entries": fresh})
    releases = pd.DataFrame(list(fresh.values()),
                            columns=["dataset", "kind", "period", "file", "member", "sha256",
                                     "rows", "note"])
    releases = releases.sort_values(["dataset", "period", "kind"], ignore_index=True)
    return Store(store, releases, built)


def open_store(store_dir) -> Store:
    """A store already built, from its manifest alone (no folder scan, no checksums of inputs):
    for querying a large store as it stands.

    Raises
    ------
    ConfigError
        No usable manifest there (build it with :func:`build_store`).
    """
    data = read_data(Path(store_dir) / "manifest.json")
    if data is MISSING or not isinstance(data, dict):
        raise ConfigError(f"{store_dir}: no series store (manifest.json missing or damaged); "
                          "build it first")
    releases = pd.DataFrame(list(data["entries"].values()),
                            columns=["dataset", "kind", "period", "file", "member", "sha256",
                                     "rows", "note"])
    return Store(Path(store_dir), releases.sort_values(["dataset", "period", "kind"],
                                                       ignore_index=True))
