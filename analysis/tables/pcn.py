"""Staff employed by Primary Care Networks (mostly the ARRS roles) per 1,000 registered patients.

Numbers for an area found in the data (``docs/areas.md``): its PCNs are those whose practices are
in the area in the Patients Registered map; the PCN workforce file carries each PCN's own ICB
and sub-ICB codes, and the two must agree (:func:`area_pcns`), else one line says where they do
not: the toolkit never chooses between two published files.

* FTE is additive: every row counts, contracted-services rows included (hours bought).
* Headcount counts each ``unique_identifier`` once (a person in two roles, or two PCNs of the
  area, is one head in the area); contracted-services rows have no identifier and count in FTE
  only.
* Patients of a PCN are those of all its practices (a PCN straddling a boundary keeps every
  practice), from the totals file, or the quinary age file summed per practice when there is no
  totals file near the PCN release month (:func:`pick_patients` says which was used).

Every frame is unrounded; :func:`load_context` reads the files once for the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.io import catalogue as cat_io
from analysis.io.patients import (
    read_patients_quinary,
    read_patients_registered,
    read_practice_map,
)
from analysis.io.pcn import read_pcn_individual
from analysis.tables.area_names import kind_label
from analysis.tables.geography import AreaMatch, find_area, hierarchy
from analysis.util.cache import cached_read
from analysis.util.errors import ConfigError, InputError

UNALLOCATED = "U"  # the map's code for practices in no PCN
META_KEY = "pcn_workforce"  # the chapter's key in a report's _meta/*.json
AREA_KINDS = ("icb", "sub_icb", "region")  # kinds a PCN file row carries itself


def max_months_apart() -> int:
    """``real_inputs: max_months_apart`` of the config: the one date tolerance of every chapter
    read from real files (docs/assumptions.md)."""
    from analysis.config import settings

    return settings().real_inputs.max_months_apart


def months_apart(a: str | None, b: str | None) -> int | None:
    """Whole months between two ``YYYY-MM`` periods (None when either is unknown)."""
    if not a or not b:
        return None
    ya, ma = map(int, a.split("-"))
    yb, mb = map(int, b.split("-"))
    return abs((ya - yb) * 12 + ma - mb)


def is_contracted(frame: pd.DataFrame) -> pd.Series:
    """Rows of contracted services (no identifier, or the data source says so)."""
    source = frame["data_source"] if "data_source" in frame else pd.Series("", index=frame.index)
    return frame["unique_identifier"].isna() | source.fillna("").str.lower().str.contains(
        "contracted")


def _map_pcns(practice_map: pd.DataFrame) -> pd.DataFrame:
    m = practice_map[practice_map["pcn_code"].fillna("").str.strip().str.upper()
                     != UNALLOCATED]
    return m[m["pcn_code"].fillna("").str.strip() != ""]


def check_geography(pcn: pd.DataFrame, practice_map: pd.DataFrame, pcns) -> None:
    """The PCN file's ICB and sub-ICB of each PCN in ``pcns`` among those of its practices.

    Raises
    ------
    InputError
        One line naming the PCNs, both files and both codes, when the PCN file places a PCN in
        an ICB (sub-ICB) where the map has none of its practices.
    """
    pcns = set(pcns)
    m = _map_pcns(practice_map)
    for kind in ("icb", "sub_icb"):
        col = f"{kind}_code"
        if col not in pcn or col not in m:
            continue
        own = pcn.loc[pcn["pcn_code"].isin(pcns), ["pcn_code", col]].drop_duplicates()
        allowed = m.groupby("pcn_code")[col].agg(lambda s: set(s))
        bad = [(p, c, sorted(allowed[p])) for p, c in zip(own["pcn_code"], own[col], strict=True)
               if p in allowed.index and c not in allowed[p]]
        if bad:
            shown = "; ".join(f"PCN {p}: {c} in the PCN file, {' and '.join(a)} in the map"
                              for p, c, a in bad[:3])
            more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
            raise InputError(pcn.attrs.get("source", "PCN file"),
                             f"disagrees with {practice_map.attrs.get('source', 'the map')} on "
                             f"the {kind_label(kind)} of {len(bad)} PCN"
                             f"{'s' if len(bad) > 1 else ''} ({shown}{more}); the run does "
                             "not choose between sources", column=col.upper())


def area_pcns(pcn: pd.DataFrame, practice_map: pd.DataFrame | None,
              area: AreaMatch) -> tuple[list[str], list[str]]:
    """The area's PCNs with staff in the PCN file, and notes on those left out.

    Parameters
    ----------
    pcn : DataFrame
        From :func:`analysis.io.pcn.read_pcn_individual`.
    practice_map : DataFrame or None
        From :func:`analysis.io.patients.read_practice_map`; None: the PCN file's own geography.
    area : AreaMatch
        The area (its practices from the map when there is one).

    Returns
    -------
    (list of str, list of str)
        Sorted PCN codes; sentences for PCNs with practices in the area that are not counted.

    Raises
    ------
    InputError
        The files disagree on the geography of one of these PCNs (:func:`check_geography`), or
        the PCN file places in the area a PCN none of whose practices the map has there.
    """
    in_file = set(pcn["pcn_code"])
    if practice_map is None:
        col = f"{area.kind}_code" if area.kind != "pcn" else "pcn_code"
        if col not in pcn:
            raise ConfigError(f"{kind_label(area.kind)} {area.code}: the PCN file has no "
                              f"{col}; add the Patients Registered map to find its PCNs")
        return sorted(set(pcn.loc[pcn[col] == area.code, "pcn_code"])), []
    m = _map_pcns(practice_map)
    mapped = set(m.loc[m["practice_code"].isin(area.practices), "pcn_code"])
    notes = []
    if area.kind in AREA_KINDS and f"{area.kind}_code" in pcn:
        placed = set(pcn.loc[pcn[f"{area.kind}_code"] == area.code, "pcn_code"])
        check_geography(pcn, practice_map, mapped | placed)
        stray = sorted(placed - mapped)
        if stray:
            raise InputError(pcn.attrs.get("source", "PCN file"),
                             f"places PCN {', '.join(stray[:3])} in {area.label}, where "
                             f"{practice_map.attrs.get('source', 'the map')} has none of its "
                             "practices; the run does not choose between sources",
                             column=f"{area.kind.upper()}_CODE")
        elsewhere = sorted((mapped - placed) & in_file)
        for p in elsewhere:
            codes = sorted(set(pcn.loc[pcn["pcn_code"] == p, f"{area.kind}_code"]))
            notes.append(f"PCN {p} has practices in this area but its staff are recorded under "
                         f"{kind_label(area.kind)} {', '.join(codes)}: counted there.")
        chosen = placed
    else:
        check_geography(pcn, practice_map, mapped)
        chosen = mapped & in_file
    for p in sorted(mapped - in_file):
        notes.append(f"PCN {p} has practices in this area and no staff in the PCN file.")
    return sorted(chosen), notes


def staff_by_pcn(pcn: pd.DataFrame, pcns) -> pd.DataFrame:
    """FTE (all rows; of which contracted services) and headcount per PCN, index ``pcn_code``."""
    rows = pcn[pcn["pcn_code"].isin(list(pcns))].copy()
    rows["contracted"] = is_contracted(rows)
    name = rows.groupby("pcn_code")["pcn_name"].agg(lambda s: s.mode().iloc[0]) \
        if "pcn_name" in rows else None
    out = pd.DataFrame({
        "fte": rows.groupby("pcn_code")["fte"].sum(),
        "contracted_fte": rows[rows["contracted"]].groupby("pcn_code")["fte"].sum(),
        "headcount": rows[~rows["contracted"]].groupby("pcn_code")["unique_identifier"]
        .nunique(),
    }).reindex(sorted(set(rows["pcn_code"])))
    out[["contracted_fte"]] = out[["contracted_fte"]].fillna(0.0)
    out["headcount"] = out["headcount"].fillna(0).astype("int64")
    if name is not None:
        out.insert(0, "pcn_name", name)
    out.index.name = "pcn_code"
    return out


def staff_by_role(pcn: pd.DataFrame, pcns=None) -> pd.DataFrame:
    """FTE and headcount by staff group and role as published (the ARRS roles among them).

    ``pcns`` None: every row (England). A person is counted once per role.
    """
    rows = pcn if pcns is None else pcn[pcn["pcn_code"].isin(list(pcns))]
    rows = rows.assign(contracted=is_contracted(rows))
    keys = ["staff_group", "staff_role"]
    out = pd.DataFrame({
        "fte": rows.groupby(keys)["fte"].sum(),
        "contracted_fte": rows[rows["contracted"]].groupby(keys)["fte"].sum(),
        "headcount": rows[~rows["contracted"]].groupby(keys)["unique_identifier"].nunique(),
    })
    out["contracted_fte"] = out["contracted_fte"].fillna(0.0)
    out["headcount"] = out["headcount"].fillna(0).astype("int64")
    return out.reset_index().sort_values(keys, ignore_index=True)


def practice_patients(totals: pd.DataFrame) -> pd.Series:
    """Patients per practice from a totals frame or a quinary (long) frame."""
    if "number_of_patients" in totals:
        return totals.set_index("practice_code")["number_of_patients"].astype("int64")
    return totals.groupby("practice_code")["patients"].sum().astype("int64")


def patients_by_pcn(practice_map: pd.DataFrame, patients: pd.Series, pcns) -> pd.DataFrame:
    """Registered patients of each PCN's practices (all of them), and practices without a count.

    Returns
    -------
    DataFrame
        Index ``pcn_code``: ``practices``, ``patients``, ``practices_without_count``.
    """
    m = _map_pcns(practice_map)
    m = m[m["pcn_code"].isin(list(pcns))]
    counted = m["practice_code"].map(patients)
    out = pd.DataFrame({
        "practices": m.groupby("pcn_code")["practice_code"].nunique(),
        "patients": counted.groupby(m["pcn_code"]).sum(min_count=0),
        "practices_without_count": counted.isna().groupby(m["pcn_code"]).sum(),
    })
    out["patients"] = out["patients"].astype("int64")
    out.index.name = "pcn_code"
    return out


def per_1000(staff: pd.DataFrame, patients: pd.DataFrame | None) -> pd.DataFrame:
    """FTE per 1,000 registered patients with numerator and denominator as columns.

    Parameters
    ----------
    staff : DataFrame
        :func:`staff_by_pcn`.
    patients : DataFrame or None
        :func:`patients_by_pcn` (None: no patients known; the ratio is missing).
    """
    out = staff.copy()
    if patients is None:
        out["patients"] = pd.NA
        out["fte_per_1000"] = float("nan")
        return out.reset_index()
    out = out.join(patients, how="left")
    denominator = out["patients"].astype("float64")
    out["fte_per_1000"] = (out["fte"] / denominator.where(denominator > 0)) * 1000
    return out.reset_index()


def totals_row(label: str, pcn: pd.DataFrame, pcns, patients: float | None) -> dict:
    """One comparison row: FTE, headcount (each identifier once), patients, FTE per 1,000."""
    rows = pcn[pcn["pcn_code"].isin(list(pcns))]
    contracted = is_contracted(rows)
    fte = float(rows["fte"].sum())
    return {"area": label, "pcns": len(set(rows["pcn_code"])), "fte": fte,
            "contracted_fte": float(rows.loc[contracted, "fte"].sum()),
            "headcount": int(rows.loc[~contracted, "unique_identifier"].nunique()),
            "patients": patients,
            "fte_per_1000": fte / patients * 1000 if patients else float("nan")}


# ---------------------------------------------------------------------------------------------
# The chapter's context: the files chosen, read once
# ---------------------------------------------------------------------------------------------
@dataclass
class PcnContext:
    """What the PCN workforce chapter shows for one area, and where it came from."""

    area: AreaMatch
    pcn_period: str
    by_pcn: pd.DataFrame
    by_role: pd.DataFrame
    comparison: pd.DataFrame
    files: dict[str, Path]
    patients_source: str | None = None
    patients_period: str | None = None
    map_period: str | None = None
    notes: list[str] = field(default_factory=list)
    chapters: dict[str, str] = field(default_factory=dict)


def _nearest(cat: pd.DataFrame, kind: str, period: str) -> pd.Series | None:
    rows = cat[(cat["kind"] == kind) & cat["period"].notna()]
    if rows.empty:
        return None
    gap = rows["period"].map(lambda p: (months_apart(p, period), -int(p.replace("-", ""))))
    return rows.loc[gap.sort_values().index[0]]


def pick_patients(cat: pd.DataFrame, period: str) -> tuple[pd.Series | None, str]:
    """The patients file for a PCN release month: a totals file within ``real_inputs:
    max_months_apart``, else the quinary age file within it, else the nearer of the two; and
    how it was chosen."""
    totals, quinary = _nearest(cat, "patients_totals", period), _nearest(cat, "patients_quinary",
                                                                          period)
    for row in (totals, quinary):
        if row is not None and months_apart(row["period"], period) <= max_months_apart():
            return row, row["kind"]
    found = [r for r in (totals, quinary) if r is not None]
    if not found:
        return None, "none"
    best = min(found, key=lambda r: months_apart(r["period"], period))
    return best, best["kind"]


def resolve(area_text: str, nhs_dir, period: str | None = None,
            aliases=None, clusters=None) -> tuple[AreaMatch, pd.DataFrame, pd.DataFrame | None,
                                                  pd.DataFrame]:
    """The area ``area_text`` names in the files of ``nhs_dir``; the PCN file and map read.

    Returns
    -------
    (AreaMatch, DataFrame, DataFrame or None, DataFrame)
        The area, the PCN file, the map nearest its month (None when there is none: the PCN
        file's own geography is used) and the catalogue.

    Raises
    ------
    ConfigError
        No PCN workforce file (of ``period``) in the folder; an unknown area (one line with
        close matches).
    """
    cat = cat_io.catalogue(nhs_dir)
    h, pcn, practice_map = pcn_sources(cat, period)
    return find_area(h, area_text, aliases=aliases, clusters=clusters), pcn, practice_map, cat


def pcn_sources(cat: pd.DataFrame, period: str | None = None):
    """The PCN release of ``period`` (latest by default), the map nearest its month (None when
    there is none) and the hierarchy areas are looked up in (the map's, else the file's own).

    Raises
    ------
    ConfigError
        No PCN workforce file (of ``period``) in the catalogue.
    """
    row = cat_io.latest(cat, "pcn_individual", period)
    pcn = cached_read(row["path"], read_pcn_individual)
    pcn.attrs["path"] = row["path"]
    map_row = _nearest(cat, "patients_map", pcn.attrs.get("period") or row["period"])
    practice_map = None
    if map_row is not None:
        practice_map = cached_read(map_row["path"], read_practice_map)
        practice_map.attrs["path"] = map_row["path"]
        h = hierarchy(practice_map)
    else:
        h = hierarchy(pcn)
    return h, pcn, practice_map


CHAPTERS = {  # the demo chapters and the inputs they would need
    "Local workforce returns": "no returns supplied",
    "Practice workforce (GP Workforce practice level)": "no GP Workforce practice-level file "
                                                        "supplied",
    "Scenario models": "no scenario file for this area",
    "Urgent care": "no case-level or IUC ADC files supplied",
}


def load_context(area_text: str, nhs_dir, period: str | None = None, aliases=None,
                 clusters=None) -> PcnContext:
    """Read the area's files once and compute the chapter's frames.

    Parameters
    ----------
    area_text : str
        A code, a name or a slug (``QHL``, ``birmingham and solihull``).
    nhs_dir : str or Path
        The folder of downloaded files (``data/raw/nhs/``).
    period : str, optional
        ``YYYY-MM`` of the PCN workforce release (default: the latest there).
    aliases, clusters : mapping, optional
        ``areas:`` of the config.
    """
    area, pcn, practice_map, cat = resolve(area_text, nhs_dir, period, aliases, clusters)
    pcn_period = pcn.attrs.get("period")
    pcns, notes = area_pcns(pcn, practice_map, area)
    files = {"PCN workforce": Path(pcn.attrs["path"])}
    staff = staff_by_pcn(pcn, pcns)
    patients_row, used = (None, "none") if practice_map is None else pick_patients(cat,
                                                                                  pcn_period)
    chapters = dict(CHAPTERS)
    gpw = cat[cat["kind"].isin(["gpw_detailed", "gpw_high_level"])]
    if period is not None and len(gpw) and not (gpw["period"] == period).any():
        chapters["Practice workforce (GP Workforce practice level)"] = (
            f"no GP Workforce practice-level file for {period}")
    elif len(gpw):  # its own chapter (06) runs
        chapters.pop("Practice workforce (GP Workforce practice level)")
    if practice_map is None:
        notes.append("No Patients Registered map in the folder: PCNs from the PCN file's own "
                     "geography, and no patients to divide by.")
        by_pcn, comparison = per_1000(staff, None), None
        england_pcns = sorted(set(pcn["pcn_code"]))
        area_patients = england_patients = None
    else:
        files["Practice to PCN map"] = Path(practice_map.attrs["path"])
        england_pcns = sorted(set(_map_pcns(practice_map)["pcn_code"]) & set(pcn["pcn_code"]))
        patients = None
        if patients_row is not None:
            reader = (read_patients_registered if used == "patients_totals"
                      else read_patients_quinary)
            frame = cached_read(patients_row["path"], reader)
            patients = practice_patients(frame)
            files["Registered patients"] = Path(patients_row["path"])
        if patients is None:
            notes.append("No Patients Registered totals or age file in the folder: no patients "
                         "to divide by.")
            by_pcn = per_1000(staff, None)
            area_patients = england_patients = None
        else:
            by_pcn = per_1000(staff, patients_by_pcn(practice_map, patients, pcns))
            england = patients_by_pcn(practice_map, patients, england_pcns)
            area_patients = float(by_pcn["patients"].sum())
            england_patients = float(england["patients"].sum())
            gap = months_apart(patients_row["period"], pcn_period)
            if gap is not None and gap > max_months_apart():
                notes.append(f"The patients file ({patients_row['period']}) is {gap} months "
                             f"from the PCN release ({pcn_period}).")
    comparison = pd.DataFrame([
        totals_row(area.name or area.code, pcn, pcns, area_patients),
        totals_row("England", pcn, england_pcns, england_patients)])
    return PcnContext(
        area=area, pcn_period=pcn_period, by_pcn=by_pcn, by_role=staff_by_role(pcn, pcns),
        comparison=comparison, files=files, notes=notes,
        patients_source=None if patients_row is None else used,
        patients_period=None if patients_row is None else patients_row["period"],
        map_period=None if practice_map is None else practice_map.attrs.get("period"),
        chapters=chapters)


def headline_facts(ctx: PcnContext) -> dict:
    """The area's figures for the index of a batch (``_meta/headline.json``): the area row of
    ``ctx.comparison``, the chapter's table of the area against England, read and not
    recomputed.

    Returns
    -------
    dict
        ``pcn_month`` (the PCN release, ``YYYY-MM``), ``patients_month`` (the patients file,
        None without one), ``pcns``, and the rate with its numerator and denominator:
        ``fte`` (every row of the PCN file, contracted services included), ``patients``
        (those of all the PCNs' practices) and ``fte_per_1000``, None when there are no
        patients to divide by. No headcount: the index shows no count of people.
    """
    row = ctx.comparison.iloc[0]
    return {"pcn_month": ctx.pcn_period, "patients_month": ctx.patients_period,
            "pcns": int(row["pcns"]), "fte": number(row["fte"]),
            "patients": number(row["patients"]), "fte_per_1000": number(row["fte_per_1000"])}


def number(x) -> float | None:
    """``x`` as a float for JSON, None when missing (NaN is not JSON)."""
    return None if x is None or pd.isna(x) else float(x)


def has_pcn_release(nhs_dir) -> bool:
    """Whether ``nhs_dir`` holds a PCN workforce release (the chapter's one required input).

    The chapter notebook run on its own (an analyst opening it, or the notebook tests) with no
    downloads in the folder shows a sentence instead of failing; a report for an area found in
    real files checks the area and its files before it runs (:mod:`analysis.report.data_area`).
    """
    return bool((cat_io.catalogue(nhs_dir)["kind"] == "pcn_individual").any())



nearest = _nearest
"""The catalogue row of ``kind`` nearest a ``YYYY-MM`` period (None when there is none)."""
map_pcns = _map_pcns
"""The map's rows of practices in a PCN (unallocated and blank PCN codes left out)."""
