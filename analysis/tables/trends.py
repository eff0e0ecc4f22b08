"""PCN staff by role over releases, clinicians per 1,000 patients, and the trends chapter's
context (``notebooks/07_trends.ipynb``), queried with duckdb over the series store.

* **PCN staff by role** (:func:`pcn_roles`): FTE and headcount over PCN releases by one list of
  role names (:data:`ROLE_NAMES`; names a release spells differently are mapped, names not in
  the list are kept as published and listed, never guessed), the area's PCNs (those the latest
  PCN release places in it, by its own geography) followed by PCN code in earlier releases.
* **Per 1,000 patients** (:func:`pcn_patients`): registered patients of those PCNs from the
  Patients Registered files nearest each release (they are not in the store).
* **Clinicians per 1,000 patients** (:func:`clinicians`): practice and PCN clinicians for
  periods with both a GPW and a PCN release, and of them GPs.
* :func:`load_trends` builds the store and loads :class:`TrendsContext` for an area.

Every frame is unrounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.io import catalogue as cat_io
from analysis.io.patients import read_patients_quinary, read_patients_registered, read_practice_map
from analysis.io.series_store import Store, build_store
from analysis.tables import pcn as pcn_tables
from analysis.tables.area_names import kind_label
from analysis.tables.geography import find_area, hierarchy
from analysis.tables.series import (
    DEFAULT_MONTH,
    SeriesArea,
    compare_months,
    connect,
    find_series_area,
    gp_series,
    practice_totals,
    query,
    series_breaks,
)
from analysis.util.cache import cached_read
from analysis.util.errors import ConfigError


# --------------------------------------------------------------------------------------------
# PCN staff by role
# --------------------------------------------------------------------------------------------
def _key(name) -> str:
    text = re.sub(r"[\u2012-\u2015]", "-", str(name)).lower()
    return " ".join(text.split())


_ROLE_VARIANTS = {  # standard name -> published names (every release seen)
    "Clinical Directors": ["Clinical Director", "Clinical Director (DPC)",
                           "Clinical Director (Nurse)", "Medical Clinical Director",
                           "Medical Clinical Director (GP)"],
    "Non-clinical Directors": ["Non-clinical Director"],
    "Healthcare Support Workers": ["Health Support Workers", "Healthcare Support Workers"],
    "Advanced Practitioners": ["Advanced Dietician Practitioners",
                               "Advanced Occupational Therapist Practitioners",
                               "Advanced Paramedic Practitioners",
                               "Advanced Pharmacist Practitioners",
                               "Advanced Physiotherapist Practitioners",
                               "Advanced Podiatrist Practitioners"],
    "Mental Health Practitioners": [
        "Applied Psychologists - Clinical (Mental Health Practitioners)",
        "Clinical Associates in Psychology (Mental Health Practitioners)",
        "Mental Health and Wellbeing Practitioners (Mental Health Practitioners)",
        "Social Prescribing Link Workers (Mental Health Practitioners)",
        "Therapists (Mental Health Practitioners)",
        "Community Mental Health Nurses (Mental Health Practitioners)",
        "Trainee Mental Health and Wellbeing Practitioners (Mental Health Practitioners)"],
    "Mental Health and Wellbeing Practitioners": [
        "Mental Health and Wellbeing Practitioners",
        "Trainee Mental Health and Wellbeing Practitioners"],
    "Psychologists and Associates": ["Applied Psychologists - Clinical",
                                     "Clinical Associates in Psychology"],
    "NHS Talking Therapies Therapists": ["NHS Talking Therapies Therapists",
                                         "Trainee NHS Talking Therapies Therapists"],
    "Pharmacy Technicians": ["Pharmacy Technicians", "Trainee Pharmacy Technicians"],
}
_SAME = [  # published the same way in every release seen
    "Managers", "Other Admin/Non-clinical", "Apprentices", "Digital and Transformation Leads",
    "Estates and Ancillary", "Medical Secretaries", "Receptionists", "Telephonists",
    "Care Coordinators", "Dieticians", "Dispensers", "General Practice Assistants",
    "Health and Wellbeing Coaches", "Healthcare Assistants", "Nursing Associates",
    "Trainee Nursing Associates", "Other Direct Patient Care", "Paramedics", "Peer Support Workers",
    "Pharmacists", "Phlebotomists", "Physician Associates", "Physiotherapists", "Podiatrists",
    "Social Prescribing Link Workers", "Social Workers", "Therapists", "GP Locums", "Salaried GPs",
    "Advanced Nurse Practitioners", "Community Mental Health Nurses", "Enhanced Practice Nurses",
    "Nurse Dispensers", "Nurse Specialists", "Other Nurses", "Trainee Nurses",
]
ROLE_NAMES = {_key(p): std for std, names in _ROLE_VARIANTS.items() for p in names} | {
    _key(p): p for p in _SAME}
"""Published PCN role name (normalised: case, spaces, dashes) -> the one name used over time."""
CLINICAL_GROUPS = {"other gps": "GPs", "other nurses": "Nurses",
                   "other direct patient care staff": "Direct patient care"}
"""PCN staff groups counted as clinicians (directors and admin staff are not)."""


def standard_roles(roles: pd.Series) -> tuple[pd.Series, list[str]]:
    """The one name of each published role, and the published names not in :data:`ROLE_NAMES`
    (kept as published)."""
    keys = roles.map(_key)
    std = keys.map(ROLE_NAMES)
    unknown = sorted(set(roles[std.isna()]))
    return std.fillna(roles), unknown


def area_pcn_codes(con, kind: str, code: str) -> tuple[str, list[str]]:
    """The latest PCN release and the PCNs it places in the area (by its own geography)."""
    periods = query(con, "SELECT DISTINCT period FROM pcn ORDER BY period")["period"].tolist()
    if not periods:
        raise ConfigError("the series store has no PCN workforce release")
    last = periods[-1]
    if kind == "pcn":
        col = "pcn_code"
    elif kind in ("icb", "sub_icb", "region"):
        col = f"{kind}_code"
    else:
        raise ConfigError(f"{kind_label(kind)} {code}: PCN staff over time are shown for a PCN, "
                          "sub-ICB, ICB or region")
    pcns = query(con, f"SELECT DISTINCT pcn_code FROM pcn WHERE period = ? AND {col} = ? "
                      "ORDER BY pcn_code", [last, code])["pcn_code"].tolist()
    return last, pcns


def pcn_roles(con, pcns) -> tuple[pd.DataFrame, list[str]]:
    """FTE and headcount by release, staff group and role (one name over time) for ``pcns``
    (None: every PCN, England).

    Returns
    -------
    (DataFrame, list of str)
        ``period, staff_group, role, fte, headcount`` (headcount: distinct identifiers; rows
        without one are contracted services and count in FTE only), and the published role
        names not in :data:`ROLE_NAMES`.
    """
    join = "JOIN sel USING (pcn_code)" if pcns is not None else ""
    frames = {} if pcns is None else {"sel": pd.DataFrame({"pcn_code": sorted(set(pcns))},
                                                          dtype=object)}
    published = query(con, f"SELECT DISTINCT staff_role FROM pcn {join}", **frames)
    names, unknown = standard_roles(published["staff_role"])
    frames["roles"] = pd.DataFrame({"staff_role": published["staff_role"], "role": names},
                                   dtype=object)
    out = query(con, "SELECT period, staff_group, role, sum(fte) AS fte, count(DISTINCT "
                     "unique_identifier) FILTER (WHERE NOT coalesce(lower(data_source) LIKE "
                     f"'%contracted%', false)) AS headcount FROM pcn {join} JOIN roles USING "
                     "(staff_role) GROUP BY ALL ORDER BY period, staff_group, role", **frames)
    out["headcount"] = out["headcount"].astype("int64")
    return out, unknown


def pcn_fte(con, pcns=None) -> pd.DataFrame:
    """FTE by release for ``pcns`` (None: England): all staff and clinicians, GPs among them."""
    join = "JOIN sel USING (pcn_code)" if pcns is not None else ""
    frames = {} if pcns is None else {"sel": pd.DataFrame({"pcn_code": sorted(set(pcns))},
                                                          dtype=object)}
    clinical = ", ".join("'" + g + "'" for g in CLINICAL_GROUPS)
    return query(con, "SELECT period, count(DISTINCT pcn_code) AS pcns, sum(fte) AS fte, "
                      f"coalesce(sum(fte) FILTER (WHERE lower(staff_group) IN ({clinical})), "
                      "0) AS clinical_fte, coalesce(sum(fte) FILTER (WHERE lower(staff_group) = "
                      f"'other gps'), 0) AS gp_fte FROM pcn {join} GROUP BY period "
                      "ORDER BY period", **frames)


def clinicians(practice: pd.DataFrame, pcn: pd.DataFrame) -> pd.DataFrame:
    """Clinicians per 1,000 patients, and of them GPs, where a GPW and a PCN release share a
    period.

    Parameters
    ----------
    practice : DataFrame
        :func:`practice_totals` of the area's practices.
    pcn : DataFrame
        :func:`pcn_fte` of the area's PCNs.

    Returns
    -------
    DataFrame
        ``period, patients``, practice GP, nurse and direct patient care FTE, PCN clinical and
        GP FTE, ``clinicians_fte``, ``gps_fte`` and both per 1,000 patients.
    """
    both = practice.merge(pcn, on="period", suffixes=("", "_pcn"))
    out = pd.DataFrame({
        "period": both["period"], "patients": both["patients"],
        "practice_gp_fte": both["gp_fte"], "practice_nurse_fte": both["nurse_fte"],
        "practice_dpc_fte": both["dpc_fte"], "pcn_clinical_fte": both["clinical_fte"].fillna(0),
        "pcn_gp_fte": both["gp_fte_pcn"].fillna(0)})
    out["clinicians_fte"] = out[["practice_gp_fte", "practice_nurse_fte", "practice_dpc_fte",
                                 "pcn_clinical_fte"]].sum(axis=1, min_count=4)
    out["gps_fte"] = out["practice_gp_fte"] + out["pcn_gp_fte"]
    patients = out["patients"].astype("float64")
    for c in ("clinicians_fte", "gps_fte"):
        out[c.replace("_fte", "_per_1000")] = out[c] / patients.where(patients > 0) * 1000
    return out


def pcn_patients(nhs_dir, periods, pcns) -> tuple[pd.DataFrame, list[str]]:
    """Registered patients of ``pcns`` for each PCN release month.

    ``pcns``: PCN codes; a mapping period -> codes (England: the PCNs of each release); None:
    every PCN of the map.

    The Patients Registered files of ``nhs_dir`` nearest each month are used
    (:func:`analysis.tables.pcn.pick_patients`, the map nearest the month); a file more than
    two months away is named in the notes.

    Returns
    -------
    (DataFrame, list of str)
        ``period, patients, patients_period`` (missing when the folder has no map or no
        patients file), and the notes.
    """
    cat = cat_io.catalogue(nhs_dir)
    rows, notes = [], []
    for period in periods:
        map_row = pcn_tables.nearest(cat, "patients_map", period)
        pts_row, used = pcn_tables.pick_patients(cat, period)
        if map_row is None or pts_row is None:
            rows.append({"period": period, "patients": None, "patients_period": None})
            continue
        practice_map = cached_read(map_row["path"], read_practice_map)
        reader = read_patients_registered if used == "patients_totals" else \
            read_patients_quinary
        patients = pcn_tables.practice_patients(cached_read(pts_row["path"], reader))
        codes = pcns.get(period, ()) if isinstance(pcns, dict) else pcns
        if pcns is None:
            codes = set(pcn_tables.map_pcns(practice_map)["pcn_code"])
        counted = pcn_tables.patients_by_pcn(practice_map, patients, codes)
        rows.append({"period": period, "patients": float(counted["patients"].sum()),
                     "patients_period": pts_row["period"]})
        gap = pcn_tables.months_apart(pts_row["period"], period)
        if isinstance(pcns, list | set | tuple) and gap and gap > pcn_tables.max_months_apart():
            notes.append(f"Patients for the {period} PCN release: the {pts_row['period']} "
                         f"file ({gap} months apart), practices mapped to PCNs as at "
                         f"{map_row['period']}.")
    return pd.DataFrame(rows, columns=["period", "patients", "patients_period"]), notes


# --------------------------------------------------------------------------------------------
# The chapter's context
# --------------------------------------------------------------------------------------------
@dataclass
class TrendsContext:
    """What the trends chapter shows for one area."""

    where: SeriesArea | None
    releases: pd.DataFrame
    series: pd.DataFrame | None = None
    months: pd.DataFrame | None = None
    breaks: pd.DataFrame | None = None
    month: int = DEFAULT_MONTH
    pcn_area: str | None = None
    roles: pd.DataFrame | None = None
    roles_england: pd.DataFrame | None = None
    pcn_totals: pd.DataFrame | None = None
    clinicians: pd.DataFrame | None = None
    unknown_roles: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def practice_releases(self) -> int:
        """Practice-level releases in the series."""
        return int((self.releases["dataset"] == "practice").sum()) if len(self.releases) else 0

    @property
    def pcn_releases(self) -> int:
        """PCN individual-level releases in the series."""
        return int((self.releases["dataset"] == "pcn").sum()) if len(self.releases) else 0


def load_context(store: Store, area_text: str, month: int = DEFAULT_MONTH, aliases=None,
                 clusters=None, nhs_dir=None) -> TrendsContext:
    """The chapter's frames for ``area_text`` from a built store.

    ``nhs_dir``: the folder of downloads, for the registered patients of the PCNs (Patients
    Registered files, which are not in the store); None: no PCN figures per 1,000 patients.

    The GP workforce series needs two or more practice-level releases and the PCN series two or
    more PCN releases; with fewer, the frames are None and the chapter says so.
    """
    con = connect(store)
    ctx = TrendsContext(None, store.releases, month=int(month))
    try:
        if ctx.practice_releases >= 1:
            try:
                ctx.where = find_series_area(con, area_text, aliases, clusters)
            except ConfigError as exc:
                ctx.notes.append(f"GP practice workforce not shown: {str(exc).rstrip('.')}")
        if ctx.practice_releases >= 2 and ctx.where is not None:
            ctx.series = gp_series(con, ctx.where)
            ctx.months = compare_months(ctx.series, month)
            ctx.breaks = series_breaks(con, ctx.series, ctx.where)
        if ctx.pcn_releases >= 2:
            try:
                kind, code = _pcn_area(con, ctx.where, area_text, aliases, clusters)
                last, pcns = area_pcn_codes(con, kind, code)
            except ConfigError as exc:
                ctx.notes.append(f"PCN workforce not shown: {str(exc).rstrip('.')}")
                return ctx
            ctx.pcn_area = f"{kind_label(kind)} {code}"
            ctx.roles, ctx.unknown_roles = pcn_roles(con, pcns)
            ctx.roles_england, unknown_england = pcn_roles(con, None)
            area_fte, england_fte = pcn_fte(con, pcns), pcn_fte(con)
            if nhs_dir is not None:
                pts, pnotes = pcn_patients(nhs_dir, area_fte["period"], pcns)
                area_fte = area_fte.merge(pts, on="period", how="left")
                listed = query(con, "SELECT DISTINCT period, pcn_code FROM pcn")
                by_period = {p: set(g["pcn_code"]) for p, g in listed.groupby("period")}
                england_fte = england_fte.merge(pcn_patients(nhs_dir, england_fte["period"],
                                                             by_period)[0], on="period",
                                                how="left")
                ctx.notes += pnotes
            ctx.pcn_totals = pd.concat([area_fte.assign(role="area", name=ctx.pcn_area),
                                        england_fte.assign(role="england", name="England")],
                                       ignore_index=True)
            if "patients" in ctx.pcn_totals:
                pts = ctx.pcn_totals["patients"].astype("float64")
                for c in ("fte", "clinical_fte", "gp_fte"):
                    ctx.pcn_totals[f"{c}_per_1000"] = (ctx.pcn_totals[c]
                                                       / pts.where(pts > 0) * 1000)
                ctx.roles = ctx.roles.merge(area_fte[["period", "patients"]], on="period",
                                            how="left")
                ctx.roles["fte_per_1000"] = (ctx.roles["fte"] / ctx.roles["patients"]
                                             .astype("float64").where(ctx.roles["patients"] > 0)
                                             * 1000)
            ctx.notes.append(f"PCNs: the {len(pcns)} PCNs the {last} PCN release places in "
                             f"{ctx.pcn_area}, followed by PCN code in earlier releases.")
            if unknown_england:
                ctx.notes.append("PCN roles not in the toolkit's list of role names (shown as "
                                 "published): " + "; ".join(unknown_england) + ".")
            if ctx.where is not None:
                ctx.clinicians = clinicians(practice_totals(con, ctx.where.area.practices),
                                            pcn_fte(con, pcns))
    finally:
        con.close()
    return ctx


def _pcn_area(con, where: SeriesArea | None, text, aliases, clusters) -> tuple[str, str]:
    if where is not None and where.area.kind in ("pcn", "sub_icb", "icb", "region"):
        return where.area.kind, where.area.code
    frame = query(con, "SELECT * FROM pcn WHERE period = (SELECT max(period) FROM pcn)")
    geo = [c for c in frame.columns if re.fullmatch(r"(pcn|sub_icb|icb|region)_(code|name)", c)]
    h = hierarchy(frame[geo].dropna(axis=1, how="all"), None, "PCN release")
    found = find_area(h, text, aliases=aliases, clusters=clusters)
    return found.kind, found.code


def load_trends(area_text: str, nhs_dir, store_dir=None, month: int = DEFAULT_MONTH,
                aliases=None, clusters=None) -> TrendsContext:
    """Build (or reuse) the series store of ``nhs_dir`` and load the chapter for the area.

    Parameters
    ----------
    area_text : str
        A code, a name or a slug.
    nhs_dir : str or Path
        The folder of downloads.
    store_dir : str or Path, optional
        Where the store goes (default under ``data/processed/series/``).
    month : int
        Month of the year compared year on year (9: September).
    aliases, clusters : mapping, optional
        ``areas:`` of the config.
    """
    store = build_store(nhs_dir, store_dir)
    return load_context(store, area_text, month, aliases, clusters, nhs_dir=nhs_dir)
