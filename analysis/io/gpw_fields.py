"""Column names of the NHS Digital *General Practice Workforce, Practice Level - Detailed* CSV.

The current release has 805 columns. Rather than storing them as a list, this module builds
them from the rules the publication follows, so each rule (and each exception to it) can be
read and checked on its own:

1. Practice and geography identifiers (``PRAC_CODE`` ... ``REGION_NAME``).
2. Registered patients: totals by gender, then ``MALE_PATIENTS_<band>`` and
   ``FEMALE_PATIENTS_<band>``.
3. One ``<GROUP>_SOURCE`` flag per staff group (GP, NURSE, DPC, ADMIN).
4. One block per staff group, in the order GP, nurses, direct patient care (DPC), admin:

   a. role matrix: for each measure (HC, then FTE), for each of TOTAL, MALE, FEMALE, the
      group total ``<SEX>_<LABEL>_<MEASURE>`` followed by every role
      ``<SEX>_<PREFIX>_<ROLE>_<MEASURE>``;
   b. headcount by age band for TOTAL, MALE, FEMALE: ``<SEX>_<LABEL>_HC_<BAND>``;
   c. FTE by age band, TOTAL only: ``TOTAL_<LABEL>_FTE_<BAND>``;
   d. GPs only: headcount by country of qualification for TOTAL, MALE, FEMALE
      (``<SEX>_GP_HC_COQ_<AREA>``), then headcount by age band for each of the headline
      measures EXTG, EXL, EXTGL (``<SEX>_GP_<MEASURE>_HC_<BAND>``).

GP age bands start at ``UNDER30``; every other group's start at ``UNDER25``. Names in the
published file that break these rules are listed, with a comment each, in ``_PUBLISHED_AS``.

Older releases (before the July 2022 move from CCGs/STPs to Sub-ICB Locations/ICBs) used
other geography names, see :data:`OLD_TO_CURRENT`, and carried some GP headline measures that
no longer exist, see :data:`OLD_ONLY_FIELDS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = [
    "OLD_ONLY_FIELDS",
    "OLD_TO_CURRENT",
    "current_fields",
    "field_kind",
    "old_fields",
]

# --- Identifiers and patients ---------------------------------------------------------------

_IDENTIFIERS = ("PRAC", "PCN", "SUB_ICB", "ICB", "REGION")  # each as <X>_CODE, <X>_NAME

_PATIENT_TOTALS = ("TOTAL_PATIENTS", "TOTAL_MALE", "TOTAL_FEMALE", "TOTAL_UNKNOWN_GENDER")
# Registered-patient age bands are irregular, so they are written out.
_PATIENT_BANDS = ("0TO4", "5TO14", "15TO44", "45TO64", "65TO74", "75TO84", "85PLUS")

# --- Staff-group building blocks ------------------------------------------------------------

_SEXES = ("TOTAL", "MALE", "FEMALE")
_MEASURES = ("HC", "FTE")

# Country (area) of primary medical qualification, GP headcount only.
_COQ_AREAS = (
    "UK",
    "EEA",
    "EUROPE_OTHER",
    "AFRICA",
    "ASIA_OTHER",
    "ASIA_SOUTH",
    "AUS_PAC",
    "CEN_AMERICA",
    "NORTH_AMERICA",
    "SOUTH_AMERICA",
    "MIDDLE_EAST",
    "UNKNOWN",
)

# GP headline measures that also get a headcount-by-age breakdown:
# EXTG excludes GPs in training grade, EXL excludes locums, EXTGL excludes both.
_GP_HEADLINES = ("EXTG", "EXL", "EXTGL")


def _age_bands(first: int) -> tuple[str, ...]:
    """Staff age bands: ``UNDER<first>``, five-year bands up to 65TO69, 70PLUS, unknown."""
    five_year = tuple(f"{lo}TO{lo + 4}" for lo in range(first, 70, 5))
    return (f"UNDER{first}", *five_year, "70PLUS", "UNKNOWN_AGE")


@dataclass(frozen=True)
class _StaffGroup:
    """How one staff group's columns are spelled.

    Attributes
    ----------
    source : str
        Stem of the ``<source>_SOURCE`` flag.
    label : str
        Stem used for group totals and age bands (``TOTAL_<label>_HC``).
    prefix : str
        Stem used for individual roles (``TOTAL_<prefix>_<role>_HC``).
    roles : tuple of str
        Role codes in file order.
    first_age : int
        Upper bound of the youngest age band (``UNDER<first_age>``).
    """

    source: str
    label: str
    prefix: str
    roles: tuple[str, ...]
    first_age: int


_GP = _StaffGroup(
    source="GP",
    label="GP",
    prefix="GP",
    roles=(
        *_GP_HEADLINES,
        "SEN_PTNR",
        "PTNR_PROV",
        "SAL_BY_PRAC",
        "SAL_BY_OTH",
        "TRN_GR_ST1",
        "TRN_GR_ST2",
        "TRN_GR_ST3",
        "TRN_GR_ST4",
        "TRN_GR_OTH",
        "TRN_GR_F1_2",
        "RET",
        "LOCUM_VAC",
        "LOCUM_ABS",
        "LOCUM_OTH",
    ),
    first_age=30,
)

_NURSES = _StaffGroup(
    source="NURSE",
    label="NURSES",
    prefix="N",
    roles=(
        "PRAC_NURSE",
        "ADV_NURSE_PRAC",
        "ENH_PRAC_NURSE",
        "NURSE_SPEC",
        "EXT_ROLE_NURSE",
        "TRAINEE_NURSE",
        "NURSE_DISP",
        "NURSE_PTNR",
        "NURSE_OTH",
    ),
    first_age=25,
)

_DPC = _StaffGroup(
    source="DPC",
    label="DPC",
    prefix="DPC",
    roles=(
        "ADV_DIETICIAN_PRAC",
        "ADV_PARAMED_PRAC",
        "ADV_PHARMA_PRAC",
        "ADV_PHYSIO_PRAC",
        "ADV_PODIA_PRAC",
        "ADV_THERA_OCC_PRAC",
        "DIETICIAN",
        "DISPENSER",
        "GPA",
        "HCA",
        "OST",
        "PHLEB",
        "PHARMA",
        "PHYSIO",
        "PODIA",
        "PHYSICIAN_ASSOC",
        "THERA_COU",
        "THERA_OCC",
        "THERA_OTH",
        "NURSE_ASSOC",
        "TRAINEE_NURSE_ASSOC",
        "PARAMED",
        "PHARMT",
        "TRAINEE_PHARMT",
        "SPLW",
        "NHS_TALKING_THERA",
        "TRAINEE_NHS_TALKING_THERA",
        "APP_HCA",
        "APP_PHLEB",
        "APP_PHARMA",
        "APP_PHYSIO",
        "APP_PHYSICIAN_ASSOC",
        "APP_OTH",
        "APPRENTICE",
        "HLTH_SPRT_WRK",
        "OTH",
    ),
    first_age=25,
)

_ADMIN = _StaffGroup(
    source="ADMIN",
    label="ADMIN",
    prefix="ADMIN",
    roles=(
        "MANAGER",
        "MANAGE_PTNR",
        "MED_SECRETARY",
        "RECEPT",
        "TELEPH",
        "ESTATES_ANC",
        "DT_LEAD",
        "OTH",
        "APP",
    ),
    first_age=25,
)

_STAFF_GROUPS = (_GP, _NURSES, _DPC, _ADMIN)

# Names the publication spells differently from the rule above: {name by rule: name in file}.
_PUBLISHED_AS = {
    # Word order slip in the published file, female headcount only; the TOTAL and MALE
    # headcount and all three FTE columns follow the rule (..._DPC_TRAINEE_NURSE_ASSOC_...).
    "FEMALE_DPC_TRAINEE_NURSE_ASSOC_HC": "FEMALE_TRAINEE_DPC_NURSE_ASSOC_HC",
}

# --- Older releases -------------------------------------------------------------------------

OLD_TO_CURRENT: dict[str, str] = {
    "CCG_CODE": "SUB_ICB_CODE",
    "CCG_NAME": "SUB_ICB_NAME",
    "STP_CODE": "ICB_CODE",
    "STP_NAME": "ICB_NAME",
    "COMM_REGION_CODE": "REGION_CODE",
    "COMM_REGION_NAME": "REGION_NAME",
}
"""Geography columns renamed in July 2022 (CCG/STP to Sub-ICB Location/ICB): old -> current."""

OLD_ONLY_FIELDS: dict[str, str] = {
    "TOTAL_GP_EXRRL_HC": "GPs excluding registrars, retainers and locums, headcount",
    "TOTAL_GP_EXRRL_FTE": "GPs excluding registrars, retainers and locums, FTE",
    "TOTAL_GP_EXRR_HC": "GPs excluding registrars and retainers, headcount",
    "TOTAL_GP_EXRR_FTE": "GPs excluding registrars and retainers, FTE",
    "TOTAL_GP_EXR_HC": "GPs excluding registrars, headcount",
    "TOTAL_GP_EXR_FTE": "GPs excluding registrars, FTE",
}
"""GP headline measures found only in older releases, with their meaning.

They have no current equivalent and must not be mapped onto one: for example EXRRL excludes
retainers, whereas the current EXTGL (excluding training grade and locums) includes them.
"""

# Where old_fields() places the EXRRL measures: {current column: old column inserted after it}.
_OLD_INSERT_AFTER = {
    "TOTAL_GP_EXTGL_HC": "TOTAL_GP_EXRRL_HC",
    "TOTAL_GP_EXTGL_FTE": "TOTAL_GP_EXRRL_FTE",
}

# Columns that older releases did not have (PCNs were introduced in 2019).
_NOT_IN_OLD = frozenset({"PCN_CODE", "PCN_NAME"})


# --- Generation -----------------------------------------------------------------------------


def _group_fields(group: _StaffGroup) -> list[str]:
    """Columns of one staff group's block, in file order, before ``_PUBLISHED_AS``."""
    bands = _age_bands(group.first_age)
    names: list[str] = []
    for measure in _MEASURES:
        for sex in _SEXES:
            names.append(f"{sex}_{group.label}_{measure}")
            names.extend(f"{sex}_{group.prefix}_{role}_{measure}" for role in group.roles)
    for sex in _SEXES:
        names.extend(f"{sex}_{group.label}_HC_{band}" for band in bands)
    names.extend(f"TOTAL_{group.label}_FTE_{band}" for band in bands)
    if group is _GP:
        for sex in _SEXES:
            names.extend(f"{sex}_GP_HC_COQ_{area}" for area in _COQ_AREAS)
        for headline in _GP_HEADLINES:
            for sex in _SEXES:
                names.extend(f"{sex}_GP_{headline}_HC_{band}" for band in bands)
    return names


@cache
def _current_fields() -> tuple[str, ...]:
    names = [f"{stem}_{part}" for stem in _IDENTIFIERS for part in ("CODE", "NAME")]
    names.extend(_PATIENT_TOTALS)
    for sex in ("MALE", "FEMALE"):
        names.extend(f"{sex}_PATIENTS_{band}" for band in _PATIENT_BANDS)
    names.extend(f"{group.source}_SOURCE" for group in _STAFF_GROUPS)
    for group in _STAFF_GROUPS:
        names.extend(_group_fields(group))
    return tuple(_PUBLISHED_AS.get(name, name) for name in names)


def current_fields() -> list[str]:
    """Column names of the current Practice Level - Detailed CSV, in file order.

    Returns
    -------
    list of str
        The 805 column names of the current release format (Sub-ICB Location / ICB
        geography). A new list is returned on each call, so callers may modify it.
    """
    return list(_current_fields())


def old_fields() -> list[str]:
    """A plausible column list for a release from before the July 2022 geography change.

    Built from :func:`current_fields` by renaming the geography columns back to their old
    names (inverse of :data:`OLD_TO_CURRENT`), dropping ``PCN_CODE`` and ``PCN_NAME``, and
    inserting ``TOTAL_GP_EXRRL_HC`` / ``TOTAL_GP_EXRRL_FTE`` straight after
    ``TOTAL_GP_EXTGL_HC`` / ``TOTAL_GP_EXTGL_FTE``. All other columns are kept. Real older
    releases differ in detail (roles and age bands were added over time); this list is meant
    for exercising code that has to cope with the older names.

    Returns
    -------
    list of str
        Column names in file order.
    """
    current_to_old = {new: old for old, new in OLD_TO_CURRENT.items()}
    names: list[str] = []
    for name in _current_fields():
        if name in _NOT_IN_OLD:
            continue
        names.append(current_to_old.get(name, name))
        if name in _OLD_INSERT_AFTER:
            names.append(_OLD_INSERT_AFTER[name])
    return names


# --- Classification -------------------------------------------------------------------------

_PATIENT_COUNT = re.compile(r"(MALE|FEMALE)_PATIENTS_\w+")


def field_kind(name: str) -> str:
    """Say what kind of value a column holds.

    Parameters
    ----------
    name : str
        A column name from a current or older release. Surrounding whitespace and letter
        case are ignored.

    Returns
    -------
    str
        ``'id'`` for codes and names (``PRAC_CODE``, ``CCG_NAME``), ``'source'`` for the
        ``*_SOURCE`` text flags, ``'fte'`` for full-time-equivalent values (any name with an
        ``FTE`` part) and ``'count'`` for integer-like values: headcounts (any name with an
        ``HC`` part) and registered-patient counts.

    Raises
    ------
    ValueError
        If the name fits none of these patterns.
    """
    key = name.strip().upper()
    parts = key.split("_")
    if key.endswith("_SOURCE"):
        return "source"
    if "FTE" in parts:
        return "fte"
    if "HC" in parts or key in _PATIENT_TOTALS or _PATIENT_COUNT.fullmatch(key):
        return "count"
    if key.endswith(("_CODE", "_NAME")):
        return "id"
    raise ValueError(f"not a recognised GP workforce column name: {name!r}")
