"""The GP Workforce practice-level release as one frame per practice for the GP practice
chapter (:mod:`analysis.tables.gp_practice`), whichever file of the month the folder has.

* **Detailed** CSV (wide, one row per practice): the measure columns the release carries are
  read; a measure it does not carry is left out, never stopped on. Older releases (CCG/STP
  geography) publish ``TOTAL_GP_EXRRL_FTE`` (GPs excluding registrars, retainers and locums)
  and, in the earliest, no ``TOTAL_GP_EXTG_FTE``/``TOTAL_GP_EXTGL_FTE``; EXRRL is shown under
  its own name and never relabelled as EXTGL (EXTGL includes retainers).
* **High-level** CSV (long: one row per practice, staff group, detailed role and measure), used
  when the folder has no Detailed file of the month: FTE rows summed by staff group. All GPs
  is every GP role; fully qualified GPs leave out the training-grade roles (a role named
  registrar, training or trainee); qualified permanent GPs also leave out locums. Rows whose
  role is a total (``Total ...``) are not added to the roles. Patients come from the file's
  own patients rows when it has them (one per practice), else from a Patients Registered
  totals file of the same month; with neither the run stops with one line.
* **Individual-level** CSV of the same month (one row per person per post): the area's GP
  headcount counts each ``UNIQUE_IDENTIFIER`` once (:func:`gp_headcount`).
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.io import gpw_fields
from analysis.io.archive import pick
from analysis.io.gpw import is_detailed
from analysis.io.readers import gpw_format, read_gpw_practice_csv
from analysis.util.errors import InputError

MEASURES = {  # column of the Detailed CSV -> (our name, label)
    "TOTAL_GP_FTE": ("gp_fte", "All GPs (registrars included)"),
    "TOTAL_GP_EXTG_FTE": ("gp_extg_fte", "Fully qualified GPs (registrars excluded)"),
    "TOTAL_GP_EXTGL_FTE": ("gp_extgl_fte",
                           "Qualified permanent GPs (registrars and locums excluded)"),
    "TOTAL_GP_EXRRL_FTE": ("gp_exrrl_fte",
                           "GPs excluding registrars, retainers and locums (older releases)"),
    "TOTAL_NURSES_FTE": ("nurses_fte", "Nurses"),
    "TOTAL_DPC_FTE": ("dpc_fte", "Direct patient care"),
    "TOTAL_ADMIN_FTE": ("admin_fte", "Admin/non-clinical"),
}
OLD_ONLY = {"TOTAL_GP_EXRRL_FTE"}  # shown only when the release publishes it (older releases)
IDS = ["TOTAL_PATIENTS", "REGION_CODE", "REGION_NAME"]
GEOGRAPHY = {"PRAC_CODE": "practice_code", "PRAC_NAME": "practice_name",
             "SUB_ICB_CODE": "sub_icb_code", "SUB_ICB_NAME": "sub_icb_name",
             "ICB_CODE": "icb_code", "ICB_NAME": "icb_name",
             "REGION_CODE": "region_code", "REGION_NAME": "region_name"}
TRAINING = re.compile(r"(?i)regist|training|trainee")
LOCUM = re.compile(r"(?i)locum")
TOTAL_ROLE = re.compile(r"(?i)^\s*total\b")
PATIENTS = re.compile(r"(?i)^\s*(?:total |registered )?patients?\b")  # not Direct Patient Care
GROUPS = (  # (test on the lower-cased staff group, the measure it sums into)
    (lambda g: g in ("gp", "gps"), "gp_fte"),
    (lambda g: g.startswith("nurse"), "nurses_fte"),
    (lambda g: g.startswith("direct patient care") or g == "dpc", "dpc_fte"),
    (lambda g: g.startswith("admin"), "admin_fte"),
)


def measure_names(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """``(name, label)`` of the measures ``frame`` has, in :data:`MEASURES` order."""
    return [(n, what) for n, what in MEASURES.values() if n in frame.columns]


def missing_sentences(frame: pd.DataFrame) -> list[str]:
    """A sentence for each usual measure the release does not give (the chapter leaves it out)."""
    return [f"{what} ({col}) is not taken from this release: left out."
            for col, (n, what) in MEASURES.items() if col not in OLD_ONLY and n not in frame]


def basis(frame: pd.DataFrame) -> str:
    """The sentence naming the GP measures used and where they came from."""
    names = ", ".join(f"{what} ({col})" for col, (n, what) in MEASURES.items()
                      if n in frame and col.startswith("TOTAL_GP_"))
    kind = frame.attrs.get("kind", "detailed")
    where = ("the High-level release, summed over its GP roles" if kind == "high_level"
             else "the Detailed release's columns")
    text = f"GP measures from {where}: {names or 'none'}."
    if "gp_exrrl_fte" in frame:
        text += (" This older release's GPs excluding registrars, retainers and locums (EXRRL) "
                 "is not the current EXTGL measure, which includes retainers.")
    return text


# ---------------------------------------------------------------------------------------------
# Detailed
# ---------------------------------------------------------------------------------------------
def read_detailed(path, period: str | None = None) -> pd.DataFrame:
    """The chapter's columns of a Detailed CSV (or its zip) that the release carries.

    ``period`` (``YYYY-MM``) chooses the rows of that month in a file holding several (the
    catalogue's period of the file, from its name or first row).

    ``attrs['kind']`` is ``'detailed'``; ``TOTAL_GP_EXRRL_FTE`` is kept only when the release
    publishes it (the reader derives it for current releases, which the chapter does not show).
    """
    header = {h.strip().lstrip("\ufeff").upper()
              for h in pick(path, is_detailed, "GPW Practice Level - Detailed CSV").header}
    old = gpw_format(sorted(header)) == "old"
    to_file = {cur: o for o, cur in gpw_fields.OLD_TO_CURRENT.items()} if old else {}
    skip = {"TOTAL_GP_EXRRL_FTE", "TOTAL_GP_EXTGL_FTE"} if old else {"TOTAL_GP_EXRRL_FTE"}
    wanted = [c for c in [*IDS, *MEASURES] if to_file.get(c, c) in header and c not in skip]
    out = read_gpw_practice_csv(path, columns=wanted, period=period)
    if not old:
        out = out.drop(columns="TOTAL_GP_EXRRL_FTE", errors="ignore")
    out.attrs["kind"] = "detailed"
    return out


# ---------------------------------------------------------------------------------------------
# High-level
# ---------------------------------------------------------------------------------------------
def high_level_practices(hl: pd.DataFrame, patients: pd.DataFrame | None = None
                         ) -> pd.DataFrame:
    """One row per practice from a High-level frame, in the names of the Detailed route.

    Parameters
    ----------
    hl : DataFrame
        :func:`analysis.io.gpw.read_gpw_high_level`.
    patients : DataFrame, optional
        ``practice_code``, ``number_of_patients`` (a Patients Registered totals file of the
        same month), used when the file has no patients rows of its own.

    Returns
    -------
    DataFrame
        ``practice_code``, ``practice_name``, the geography the file has, ``patients`` and the
        FTE measures (missing where the file says ND/NA for every role of the group).
        ``attrs``: ``source``, ``period``, ``kind='high_level'``, ``patients_from``.

    Raises
    ------
    InputError
        No patients rows and no patients file; two patients rows for one practice.
    """
    label = hl.attrs.get("source", "the High-level release")
    group = hl["staff_group"].fillna("").str.strip().str.lower()
    role = hl["detailed_staff_role"].fillna("").astype("string")
    measure = hl["measure"].fillna("").str.strip()
    is_patients = (group.str.contains(PATIENTS) | measure.str.contains(PATIENTS)
                   | measure.str.upper().eq("TOTAL_PATIENTS")).astype(bool)
    geo = [c for c in ("practice_name", "pcn_code", "pcn_name", "sub_icb_code", "sub_icb_name",
                       "icb_code", "icb_name", "ccg_code", "ccg_name", "stp_code", "stp_name",
                       "region_code", "region_name") if c in hl.columns]
    out = hl.groupby("practice_code", sort=True)[geo].first()
    fte = hl[(measure.str.upper() == "FTE") & ~is_patients & ~role.str.contains(TOTAL_ROLE)]
    fgroup = group[fte.index]
    for test, name in GROUPS:
        rows = fte[fgroup.map(test).astype(bool)]
        out[name] = rows.groupby("practice_code")["value"].sum(min_count=1)
        if name == "gp_fte":
            r = rows["detailed_staff_role"].fillna("")
            trained = rows[~r.str.contains(TRAINING)]
            permanent = trained[~trained["detailed_staff_role"].fillna("").str.contains(LOCUM)]
            for part, col in ((trained, "gp_extg_fte"), (permanent, "gp_extgl_fte")):
                out[col] = part.groupby("practice_code")["value"].sum().reindex(
                    out.index).fillna(0.0).where(out["gp_fte"].notna())
    own = hl[is_patients]
    if len(own):
        dup = own["practice_code"].duplicated()
        if dup.any():
            raise InputError(label, f"practice {own['practice_code'][dup].iloc[0]} has more than "
                             "one patients row; expected one per practice", column="VALUE")
        out["patients"] = own.set_index("practice_code")["value"]
        source = "the High-level file's own patients rows"
    elif patients is not None:
        out["patients"] = patients.set_index("practice_code")["number_of_patients"].astype(
            "float64")
        source = (f"the Patients Registered totals file {patients.attrs.get('source', '')} "
                  f"({patients.attrs.get('period')})")
    else:
        raise InputError(label, f"has no patients rows and the folder has no Patients "
                         f"Registered totals file of {hl.attrs.get('period')}; expected one "
                         "to divide by (gp-reg-pat-prac-all.csv of the same month)")
    out = out.reset_index()
    out = out[["practice_code", *geo, "patients",
               *[n for n, _ in MEASURES.values() if n in out.columns]]]
    for n, _ in measure_names(out):
        out[n] = out[n].astype("float64")
    out["patients"] = out["patients"].astype("float64")
    out.attrs.update(source=label, period=hl.attrs.get("period"), kind="high_level",
                     patients_from=source,
                     format="old" if "ccg_code" in out.columns else "current")
    return out


# ---------------------------------------------------------------------------------------------
# Individual level: a true headcount
# ---------------------------------------------------------------------------------------------
def gp_headcount(individual: pd.DataFrame, practices, area_kind: str, area_code: str
                 ) -> tuple[int | None, float | None, str]:
    """The area's GPs counted once each, their FTE summed, and the sentence saying how.

    Parameters
    ----------
    individual : DataFrame
        :func:`analysis.io.gpw.read_gpw_individual` of the release's month.
    practices : iterable of str
        The practices of the area that count.
    area_kind, area_code : str
        The area (used when the file has no practice codes but the area's own column).

    Returns
    -------
    (int or None, float or None, str)
        Headcount (distinct ``unique_identifier`` of staff group GP), FTE of those posts and
        the sentence; None and the reason when the file cannot place posts in the area.
    """
    gp = individual[individual["staff_group"].fillna("").str.strip().str.upper()
                    .isin({"GP", "GPS"})]
    gp = gp[gp["unique_identifier"].fillna("").str.len() > 0]
    label = individual.attrs.get("source", "the Individual-level file")
    if "practice_code" in gp.columns:
        rows = gp[gp["practice_code"].isin(set(practices))]
        by = "practice"
    elif f"{area_kind}_code" in gp.columns:
        rows = gp[gp[f"{area_kind}_code"] == area_code]
        by = area_kind.replace("_", "-")
    else:
        return None, None, (f"{label} gives no practice for a post: no area GP headcount "
                            "(practice headcounts are not additive).")
    heads = int(rows["unique_identifier"].nunique())
    fte = float(rows["fte"].sum())
    return heads, fte, (f"GP headcount from {label} ({individual.attrs.get('period')}): each "
                        f"person counted once however many posts they hold in the area "
                        f"(posts placed by {by}); FTE summed over their posts.")
