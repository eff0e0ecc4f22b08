"""Practice staff per 1,000 registered patients from the GP Workforce practice-level release, for
an area found in real files (``notebooks/06_gp_practice_workforce.ipynb``).

* The release is the *Practice Level - Detailed* CSV of the period asked (the latest in the
  folder by default), else the *High-level* CSV of that month (:mod:`analysis.tables.gp_release`).
  Patients are the Detailed file's own ``TOTAL_PATIENTS``: workforce and patients share one
  snapshot (High-level: its patients rows, else a Patients Registered file of the same month).
* Measures (the publication's definitions workbook): all GPs, registrars included
  (``TOTAL_GP_FTE``); fully qualified GPs, GPs in training grade excluded
  (``TOTAL_GP_EXTG_FTE``); qualified permanent GPs, training grade and locums excluded
  (``TOTAL_GP_EXTGL_FTE``); in older releases GPs excluding registrars, retainers and locums
  (``TOTAL_GP_EXRRL_FTE``); nurses, direct patient care, admin/non-clinical (the group
  totals). A measure the release does not carry is left out with a sentence.
* FTE is additive across practices; headcount is not (a person in two practices is one head),
  so no area headcount is made from practice headcounts: only an Individual-level file of the
  same month gives one (each ``UNIQUE_IDENTIFIER`` once).
* Which organisations count (:func:`eligible_practices`): with an ODS ``epraccur`` file, GP
  practices (prescribing setting 4) open on the snapshot date; without one, the release itself
  is the list of GP practices. Practices with no registered patients are left out. Every
  practice left out is listed with its reason.
* Inputs must agree (:func:`check_months`, :func:`check_overlap`): files more than
  ``real_inputs: max_months_apart`` months from the snapshot, or sharing no practice of the
  area with the release, stop the run with one line naming both files and dates.

Every frame is unrounded; :func:`load_context` reads the files once for the chapter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from analysis.io import catalogue as cat_io
from analysis.io.gpw import read_gpw_high_level, read_gpw_individual
from analysis.io.ods import gp_practices_open_on, read_epraccur
from analysis.io.patients import read_patients_registered, read_practice_map
from analysis.tables.area_names import kind_label
from analysis.tables.geography import AreaMatch, Hierarchy, find_area, follow_practices, hierarchy
from analysis.tables.gp_release import (
    MEASURES,
    basis,
    gp_headcount,
    high_level_practices,
    measure_names,
    missing_sentences,
    read_detailed,
)
from analysis.tables.pcn import months_apart, number
from analysis.util.cache import cached_read
from analysis.util.errors import ConfigError, InputError

MIN_REGIONS_ENGLAND = 4  # a file with practices of fewer NHS England regions is not national
MIN_PRACTICES_ENGLAND = 1000
META_KEY = "gp_practice_workforce"  # the chapter's key in a report's _meta/*.json


def snapshot_date(period: str) -> pd.Timestamp:
    """The last day of the month ``YYYY-MM`` (the GP Workforce snapshot is at month end)."""
    return pd.Timestamp(f"{period}-01") + pd.offsets.MonthEnd(0)


def month_name(period: str | None) -> str:
    """``September 2024`` for ``2024-09``."""
    if not period:
        return "month unknown"
    return dt.date(int(period[:4]), int(period[5:7]), 1).strftime("%B %Y")


# ---------------------------------------------------------------------------------------------
# The release as a frame in the standard names, and its geography
# ---------------------------------------------------------------------------------------------
def practices_frame(gpw: pd.DataFrame) -> pd.DataFrame:
    """One row per practice: codes and names in the standard names, patients and the FTEs.

    Older releases (``attrs['format'] == 'old'``) are in CCG/STP geography: their columns are
    named ``ccg_*``/``stp_*``, never relabelled as sub-ICB/ICB.
    """
    old = gpw.attrs.get("format") == "old"
    lower, upper = ("ccg", "stp") if old else ("sub_icb", "icb")
    if gpw.attrs.get("kind") == "high_level":
        return gpw  # already one row per practice in these names (gp_release)
    names = {"PRAC_CODE": "practice_code", "PRAC_NAME": "practice_name",
             "SUB_ICB_CODE": f"{lower}_code", "SUB_ICB_NAME": f"{lower}_name",
             "ICB_CODE": f"{upper}_code", "ICB_NAME": f"{upper}_name",
             "REGION_CODE": "region_code", "REGION_NAME": "region_name",
             "TOTAL_PATIENTS": "patients",
             **{c: n for c, (n, _) in MEASURES.items()}}
    out = gpw[[c for c in names if c in gpw.columns]].rename(columns=names)
    for c, _ in measure_names(out):
        out[c] = out[c].astype("float64")
    out["patients"] = out["patients"].astype("float64")
    out = out.reset_index(drop=True)
    out.attrs.update(source=gpw.attrs.get("source"), period=gpw.attrs.get("period"),
                     format=gpw.attrs.get("format"), kind="detailed")
    return out


def covers_england(practices: pd.DataFrame) -> tuple[bool, str]:
    """Whether the release is the national one, and the sentence that says why not."""
    regions = practices["region_code"].nunique() if "region_code" in practices else 0
    n = len(practices)
    if regions >= MIN_REGIONS_ENGLAND and n >= MIN_PRACTICES_ENGLAND:
        return True, ""
    return False, (f"No England figure: the release read holds {n} practices in {regions} "
                   f"NHS England region{'s' if regions != 1 else ''}, not the whole of England.")


# ---------------------------------------------------------------------------------------------
# Which organisations count
# ---------------------------------------------------------------------------------------------
def eligible_practices(practices: pd.DataFrame, ods: pd.DataFrame | None,
                       snapshot) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The practices that count, and those left out with a ``reason``.

    Parameters
    ----------
    practices : DataFrame
        ``practice_code``, ``patients`` (and any other columns), e.g. :func:`practices_frame`.
    ods : DataFrame or None
        :func:`analysis.io.ods.read_epraccur`; None: the release itself is the list of GP
        practices.
    snapshot : str or Timestamp
        The snapshot date.

    Returns
    -------
    (DataFrame, DataFrame)
        The rows kept; the rows left out with ``reason`` (not a GP practice, closed, not yet
        open, not in the ODS file, no registered patients).
    """
    reason = pd.Series(pd.NA, index=practices.index, dtype="string")
    if ods is not None:
        _, left = gp_practices_open_on(ods, snapshot)
        why = dict(zip(left["practice_code"], left["reason"], strict=True))
        known = set(ods["practice_code"])
        codes = practices["practice_code"]
        reason[:] = [why.get(c, pd.NA) if c in known else "not in the ODS practices file"
                     for c in codes]
    none = practices["patients"].isna() | (practices["patients"] <= 0)
    reason = reason.mask(reason.isna() & none, "no registered patients")
    kept = practices[reason.isna()]
    left = practices[reason.notna()].assign(reason=reason[reason.notna()])
    return kept, left


# ---------------------------------------------------------------------------------------------
# Inputs must agree
# ---------------------------------------------------------------------------------------------
def ods_period(ods: pd.DataFrame, named: str | None) -> tuple[str | None, str]:
    """The month an ODS file is of, and how it is known.

    The file carries no extract date: the month its name or folder gives (the catalogue),
    else the month of its latest close date (an extract is at least as recent as the last
    closure it records).
    """
    if named:
        return named, "its name or folder"
    last = ods["close_date"].max()
    if pd.isna(last):
        return None, "unknown"
    return last.strftime("%Y-%m"), f"its latest close date, {last:%Y-%m-%d}"


def check_months(snapshot_file: str, snapshot_period: str, other_file: str,
                 other_period: str | None, how: str, max_months: int) -> None:
    """Stop when ``other_file`` is more than ``max_months`` from the snapshot.

    Raises
    ------
    InputError
        One line naming both files and both months, and the setting.
    """
    gap = months_apart(snapshot_period, other_period)
    if gap is not None and gap > max_months:
        raise InputError(other_file, f"is of {other_period} ({how}), {gap} months from "
                         f"{Path(snapshot_file).name} ({snapshot_period}); expected within "
                         f"{max_months} months (real_inputs: max_months_apart in "
                         "config/config.yaml)")


def check_overlap(area: AreaMatch, in_release: set[str], other: set[str], release_file: str,
                  other_file: str) -> list[str]:
    """Sentences on the area's practices one source has and the other has not.

    Raises
    ------
    InputError
        The two share none of the area's practices (one line naming both files).
    """
    if in_release and other and not in_release & other:
        raise InputError(other_file, f"holds none of the {len(in_release)} practices of "
                         f"{area.label} in {Path(release_file).name}; the files do not "
                         "describe the same practices")
    notes = []
    for codes, here, there in ((in_release - other, Path(release_file).name, other_file),
                               (other - in_release, other_file, Path(release_file).name)):
        if codes:
            listed = ", ".join(sorted(codes)[:5]) + (f" and {len(codes) - 5} more"
                                                     if len(codes) > 5 else "")
            notes.append(f"{len(codes)} practice{'s' if len(codes) > 1 else ''} of the area in "
                         f"{here} not in {Path(there).name}: {listed}.")
    return notes


# ---------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------
def practice_table(practices: pd.DataFrame) -> pd.DataFrame:
    """Per practice: patients, each FTE and each FTE per 1,000 patients (unrounded)."""
    names = [n for n, _ in measure_names(practices)]
    keep = ["practice_code", "practice_name", "patients", *names]
    out = practices[[c for c in keep if c in practices.columns]].copy()
    denominator = out["patients"].where(out["patients"] > 0)
    for n in names:
        out[f"{n}_per_1000"] = out[n] / denominator * 1000
    out["patients"] = out["patients"].astype("int64")
    return out.sort_values("practice_code", ignore_index=True)


def totals(practices: pd.DataFrame, label: str) -> pd.DataFrame:
    """One row per measure: FTE, patients of the practices with a figure, FTE per 1,000.

    A practice whose figure is missing (ND/NA in the release) adds neither FTE nor patients
    to that measure, and is counted in ``practices_without_figure``.
    """
    rows = []
    for n, what in measure_names(practices):
        has = practices[n].notna()
        fte = float(practices.loc[has, n].sum())
        patients = float(practices.loc[has, "patients"].sum())
        rows.append({"area": label, "measure": what, "practices": int(has.sum()),
                     "practices_without_figure": int((~has).sum()), "fte": fte,
                     "patients": patients,
                     "fte_per_1000": fte / patients * 1000 if patients else float("nan")})
    return pd.DataFrame(rows)


def area_table(area: pd.DataFrame, england: pd.DataFrame | None) -> pd.DataFrame:
    """The area's totals, with England's beside them when the release covers England."""
    out = area.drop(columns="area")
    if england is not None:
        eng = england.set_index("measure")
        out["england_fte"] = out["measure"].map(eng["fte"])
        out["england_patients"] = out["measure"].map(eng["patients"])
        out["england_fte_per_1000"] = out["measure"].map(eng["fte_per_1000"])
    return out


# ---------------------------------------------------------------------------------------------
# The chapter's context
# ---------------------------------------------------------------------------------------------
@dataclass
class GpContext:
    """What the GP practice workforce chapter shows for one area, and where it came from."""

    area: AreaMatch
    period: str
    by_practice: pd.DataFrame
    area_totals: pd.DataFrame
    excluded: pd.DataFrame
    files: dict[str, Path]
    geography: str
    england: bool
    england_note: str = ""
    organisations: str = ""
    notes: list[str] = field(default_factory=list)
    release: str = "Detailed"
    basis: str = ""
    gp_headcount: int | None = None
    gp_headcount_fte: float | None = None
    headcount_note: str = ""


GPW_KINDS = {"gpw_detailed": "Detailed", "gpw_high_level": "High-level"}


def release_row(cat: pd.DataFrame, period: str | None) -> pd.Series | None:
    """The practice-level release of ``period`` (default: the latest month there): the Detailed
    file of that month, else the High-level one; None when there is neither."""
    rows = cat[cat["kind"].isin(list(GPW_KINDS))]
    if rows.empty:
        return None
    if period is None:
        have = sorted(p for p in rows["period"] if isinstance(p, str))
        period = have[-1] if have else None
    for kind in GPW_KINDS:
        if (cat["kind"] == kind).any():
            row = cat_io.latest(cat, kind, period, required=False)
            if row is not None:
                return row
    return None


def read_release(cat: pd.DataFrame, row: pd.Series) -> pd.DataFrame:
    """The release of catalogue ``row`` as one row per practice (:func:`practices_frame`);
    a High-level release takes its patients from a Patients Registered totals file of its
    month when it has none of its own (``attrs['patients_path']``)."""
    if row["kind"] == "gpw_detailed":
        month = row["period"] if isinstance(row["period"], str) else None
        frame = practices_frame(cached_read(row["path"], partial(read_detailed, period=month),
                                            version=f"read_detailed-{month}"))
    else:
        hl = cached_read(row["path"], read_gpw_high_level)
        month = hl.attrs.get("period") or row["period"]
        totals_row = (cat_io.latest(cat, "patients_totals", month, required=False)
                      if month and (cat["kind"] == "patients_totals").any() else None)
        patients = (None if totals_row is None
                    else cached_read(totals_row["path"], read_patients_registered))
        frame = high_level_practices(hl, patients)
        if totals_row is not None and "Patients Registered" in frame.attrs["patients_from"]:
            frame.attrs["patients_path"] = str(totals_row["path"])
    frame.attrs["period"] = frame.attrs.get("period") or row["period"]
    return frame


def release_hierarchy(practices: pd.DataFrame) -> Hierarchy:
    """The release's own geography (practice -> sub-ICB -> ICB -> region, or CCG/STP)."""
    return hierarchy(practices, period=practices.attrs.get("period"),
                     source=practices.attrs.get("source"))


def _map_near(cat: pd.DataFrame, period: str, max_months: int):
    rows = cat[(cat["kind"] == "patients_map") & cat["period"].notna()]
    if rows.empty:
        return None, None
    gap = rows["period"].map(lambda p: months_apart(p, period))
    row = rows.loc[gap.sort_values(kind="stable").index[0]]
    if months_apart(row["period"], period) > max_months:
        return None, (f"The Patients Registered map ({row['period']}) is "
                      f"{months_apart(row['period'], period)} months from the release: not used; "
                      "geography from the release itself.")
    frame = cached_read(row["path"], read_practice_map)
    frame.attrs["path"] = str(row["path"])
    return frame, None


def _headcount(cat: pd.DataFrame, period: str, area: AreaMatch, codes) -> tuple:
    """GP headcount of the area from an Individual-level file of ``period`` (or why none)."""
    row = (cat_io.latest(cat, "gpw_individual", period, required=False)
           if (cat["kind"] == "gpw_individual").any() else None)
    if row is None:
        return None, None, ("No Individual-level GP Workforce file of the same month: practice "
                            "headcounts are not additive (a person in two practices is one "
                            "head), so no GP headcount is shown for the area."), None
    individual = read_gpw_individual(row["path"], period=period)
    return (*gp_headcount(individual, codes, area.kind, area.code), Path(row["path"]))


def load_context(area_text: str, nhs_dir, period: str | None = None, aliases=None,
                 clusters=None, max_months: int = 3) -> GpContext | None:
    """Read the area's files once and compute the chapter's frames.

    Parameters
    ----------
    area_text : str
        A code, a name, a slug, an alias or a cluster name.
    nhs_dir : str or Path
        The folder of downloaded files.
    period : str, optional
        ``YYYY-MM`` of the release (default: the latest there).
    aliases, clusters : mapping, optional
        ``areas:`` of the config.
    max_months : int
        ``real_inputs: max_months_apart``.

    Returns
    -------
    GpContext or None
        None when the folder has no GP Workforce practice-level release (Detailed or
        High-level) of ``period``: the chapter is left out.

    Raises
    ------
    InputError
        Files too far apart in time, sharing no practice of the area, or an area with no
        practice counted (one line naming the files).
    ConfigError
        An unknown area.
    """
    cat = cat_io.catalogue(nhs_dir)
    row = release_row(cat, period)
    if row is None:
        return None
    practices = read_release(cat, row)
    got = practices.attrs.get("period")
    if not got:
        raise ConfigError(f"{row['path']}: the release's month is not in its name or rows; "
                          "rename it as downloaded (e.g. GPWPracticeCSV.092024.zip)")
    release = GPW_KINDS[row["kind"]]
    release_file = str(practices.attrs.get("source") or Path(row["path"]).name)
    files = {f"GP Workforce practice level ({release})": Path(row["path"])}
    if practices.attrs.get("patients_path"):
        files["Registered patients"] = Path(practices.attrs["patients_path"])
    notes: list[str] = missing_sentences(practices)
    if release == "High-level":
        notes.append(f"No Detailed release of {month_name(got)} in the folder: figures from "
                     f"the High-level release; patients from {practices.attrs['patients_from']}.")
    # ODS: which organisations count, and its date must be near the snapshot
    ods_row = cat_io.latest(cat, "ods", required=False)
    ods = None
    if ods_row is not None:
        ods = cached_read(ods_row["path"], read_epraccur)
        named = ods_row["period"] if isinstance(ods_row["period"], str) else None
        ods_month, how = ods_period(ods, named)
        check_months(release_file, got, Path(ods_row["path"]).name, ods_month, how,
                     max_months)
        files["ODS GP practices (epraccur)"] = Path(ods_row["path"])
        organisations = (f"GP practices (ODS prescribing setting 4) open on "
                         f"{snapshot_date(got):%d %B %Y} in {Path(ods_row['path']).name} "
                         f"({ods_month}, from {how}).")
    else:
        organisations = ("No ODS practices file in the folder: the release itself was the list "
                         "of GP practices.")
    # geography: the release's own, or the map's followed by practice code
    release_h = release_hierarchy(practices)
    practice_map, why = _map_near(cat, got, max_months)
    if why:
        notes.append(why)
    sources = [release_h]
    if practice_map is not None:
        files["Practice to PCN map"] = Path(practice_map.attrs["path"])
        sources.insert(0, hierarchy(practice_map))
    area = find_area(sources, area_text, aliases=aliases, clusters=clusters)
    if area.source == release_h.source and area.period == release_h.period:
        members = set(area.practices)
        geography = (f"The release's own geography: {area.label} as at {month_name(got)} "
                     f"({len(members)} practices).")
    else:  # the map's area (or a cluster), its practices followed by code into the release
        followed = follow_practices(area, {got: release_h})
        members = set(followed.practices[got])
        geography = followed.note
        if area.kind != "cluster" and release_h.has(area.kind, area.code):
            own = set(release_h.practices(area.kind, area.code))
            notes += check_overlap(area, own, set(area.practices), release_file,
                                   area.source)
    if not members:
        raise InputError(release_file, f"holds none of the {len(area.practices)} practices of "
                         f"{area.label} ({area.source}, {area.period or 'period unknown'})")
    if ods is not None and not members & set(ods["practice_code"]):
        raise InputError(Path(ods_row["path"]).name, f"holds none of the {len(members)} "
                         f"practices of {area.label} in {release_file}; the files do not "
                         "describe the same practices")
    mine = practices[practices["practice_code"].isin(members)]
    kept, excluded = eligible_practices(mine, ods, snapshot_date(got))
    if kept.empty:
        raise InputError(release_file, f"no practice of {area.label} counts on "
                         f"{snapshot_date(got):%Y-%m-%d}: "
                         + "; ".join(f"{c}: {r}" for c, r in zip(excluded["practice_code"],
                                                                  excluded["reason"],
                                                                  strict=True)[:3]))
    heads, heads_fte, heads_note, heads_file = _headcount(cat, got, area,
                                                          kept["practice_code"])
    if heads_file is not None:
        files["GP Workforce individual level"] = heads_file
    label = area.name or area.code
    england_ok, england_note = covers_england(practices)
    england = None
    if england_ok:
        all_kept, _ = eligible_practices(practices, ods, snapshot_date(got))
        england = totals(all_kept, "England")
    return GpContext(area=area, period=got, by_practice=practice_table(kept),
                     area_totals=area_table(totals(kept, label), england),
                     excluded=excluded[["practice_code", "practice_name", "patients",
                                        "reason"]].reset_index(drop=True),
                     files=files, geography=geography, england=england_ok,
                     england_note=england_note, organisations=organisations, notes=notes,
                     release=release, basis=basis(practices), gp_headcount=heads,
                     gp_headcount_fte=heads_fte, headcount_note=heads_note)


HEADLINE_MEASURES = {"all_gps": "gp_fte", "fully_qualified_gps": "gp_extg_fte"}
"""The rates of the index of a batch: its key -> the measure (:data:`MEASURES`)."""


def headline_facts(ctx: GpContext) -> dict:
    """The area's figures for the index of a batch (``_meta/headline.json``): rows of
    ``ctx.area_totals``, the chapter's area table, read and not recomputed.

    Returns
    -------
    dict
        ``month`` (the release, ``YYYY-MM``), ``release`` (Detailed or High-level),
        ``practices`` (those counted), ``patients`` (the denominator of the all-GP rate: the
        registered patients of the practices with an all-GP figure, as the chapter's summary
        says) and, for each key of :data:`HEADLINE_MEASURES`, the rate with its numerator and
        denominator (``fte``, ``patients``, ``fte_per_1000``, ``practices``, and ``row``, its
        row in the area table), or None when the release does not carry that measure. No
        headcount: the index shows no count of people.
    """
    labels = dict(MEASURES.values())
    measures = list(ctx.area_totals["measure"])
    out = {"month": ctx.period, "release": ctx.release, "practices": len(ctx.by_practice)}
    for key, name in HEADLINE_MEASURES.items():
        if labels[name] not in measures:
            out[key] = None
            continue
        i = measures.index(labels[name])
        r = ctx.area_totals.iloc[i]
        out[key] = {"fte": number(r["fte"]), "patients": number(r["patients"]),
                    "fte_per_1000": number(r["fte_per_1000"]),
                    "practices": int(r["practices"]), "row": i}
    out["patients"] = out["all_gps"]["patients"] if out["all_gps"] else None
    return out


def has_gpw_release(nhs_dir, period: str | None = None) -> bool:
    """Whether ``nhs_dir`` holds a GP Workforce practice-level release (Detailed or
    High-level), of ``period`` when given."""
    return release_row(cat_io.catalogue(nhs_dir), period) is not None


def kind_of(area: AreaMatch) -> str:
    """How the report names the area's kind (``sub-ICB``, ``cluster``)."""
    return kind_label(area.kind)


def release_hierarchies(cat: pd.DataFrame, period: str | None = None,
                        max_months: int = 3) -> list[Hierarchy]:
    """Where areas are looked up for this chapter: the Patients Registered map near the
    release (when within ``max_months``) and the release's own geography; empty without a
    practice-level release (of ``period``)."""
    row = release_row(cat, period)
    if row is None:
        return []
    practices = read_release(cat, row)
    out = [release_hierarchy(practices)]
    practice_map, _ = _map_near(cat, practices.attrs["period"], max_months)
    if practice_map is not None:
        out.insert(0, hierarchy(practice_map))
    return out
