"""Primary Care Network workforce, individual level (National Workforce Reporting Service).

One row per person per role employed by a PCN (mostly the Additional Roles Reimbursement
Scheme roles), or per contracted service: ``Data_source, CENSUS_YEAR, CENSUS_MONTH, PCN_CODE,
PCN_NAME, SUB_ICB_CODE, SUB_ICB_NAME, ICB_CODE, ICB_NAME, COMM_REGION_CODE, COMM_REGION_NAME,
STAFF_GROUP, STAFF_ROLE, DETAILED_STAFF_ROLE, FTE, UNIQUE_IDENTIFIER``, as a CSV or inside the
release zip (``PCNWFIndividualCSV.MMYYYY.zip``, beside a definitions workbook and a PDF).
Older releases are Windows-1252 text (an en dash as byte 0x96); the June 2026 one is UTF-8
with a byte-order mark. Releases from before July 2022 may say ``CCG_*``/``STP_*``; they are
kept under those names, never relabelled.

Contracted-services rows carry no identifier (blank or 'NULL'): they are hours bought, not
people, so they count in FTE but never in headcount (the definitions workbook says so).
"""

from __future__ import annotations

import pandas as pd

from analysis.io.archive import pick_with_columns
from analysis.io.gpw import GEOGRAPHY, MARKERS, file_periods, read_strings, to_float
from analysis.io.schema import Check, Column, DataFrameSchema, in_range, validate

__all__ = ["PCN_SCHEMA", "read_pcn_individual", "pcn_headcount"]

STAFF = {
    "DATA_SOURCE": "data_source",
    "STAFF_GROUP": "staff_group",
    "STAFF_ROLE": "staff_role",
    "DETAILED_STAFF_ROLE": "detailed_staff_role",
    "FTE": "fte",
    "UNIQUE_IDENTIFIER": "unique_identifier",
}
REQUIRED = ("PCN_CODE", "STAFF_GROUP", "STAFF_ROLE", "FTE", "UNIQUE_IDENTIFIER")
WHAT = "a PCN workforce Individual Level CSV (PCN_CODE, STAFF_ROLE, FTE, UNIQUE_IDENTIFIER)"


def _filled(s: pd.Series) -> pd.Series:
    return s.notna() & (s.str.len() > 0)


PCN_SCHEMA = DataFrameSchema({
    "pcn_code": Column(checks=Check(_filled, error="a PCN code (it is blank)"), nullable=False),
    "staff_role": Column(checks=Check(_filled, error="a staff role (it is blank)"),
                         nullable=False),
    # 1.0 = 37.5 hours a week. A contracted-services row totals the hours bought (up to 6.7
    # FTE in the 2021 and 2026 releases); the September 2021 release has two staff rows at
    # -0.027 (one hour a week less than nothing), kept as published.
    "fte": Column(float, checks=in_range(-0.1, 10, "an FTE from -0.1 to 10 (1.0 = 37.5 hours "
                                         "a week)"), nullable=False),
})
"""Declared columns and ranges of a PCN workforce Individual Level CSV, as read."""


def read_pcn_individual(path, period: str | None = None) -> pd.DataFrame:
    """Read a PCN workforce Individual Level CSV, or the release zip holding it.

    Parameters
    ----------
    path : str or Path
        The CSV or the zip as downloaded (headers in any case).
    period : str, optional
        'YYYY-MM' to keep if the file holds several census months.

    Returns
    -------
    DataFrame
        Geography by standard names (``pcn_code, pcn_name, sub_icb_code, sub_icb_name,
        icb_code, icb_name, region_code, region_name``, or ``ccg_*``/``stp_*`` in older
        files), then ``data_source, staff_group, staff_role, detailed_staff_role, fte``
        (float) and ``unique_identifier`` (text, missing for contracted services), one row per
        row of the file. ``attrs``: ``source`` and ``period`` ('YYYY-MM', from
        ``CENSUS_YEAR``/``CENSUS_MONTH`` or else the file name).

    Raises
    ------
    InputError
        A required column missing, an FTE that is not a number or out of range, a blank PCN
        code or role, several census months with none chosen: one line naming file, row and
        column.
    """
    source = pick_with_columns(path, {"PCN_CODE", "UNIQUE_IDENTIFIER", "FTE"}, REQUIRED, WHAT)
    wanted = {k: v for k, v in GEOGRAPHY.items() if not k.startswith("PRAC_")}
    wanted |= STAFF | {"CENSUS_YEAR": "_year", "CENSUS_MONTH": "_month"}
    raw = read_strings(source, wanted, WHAT)
    raw, got = file_periods(raw, source, period,
                            {("_year", "_month"): ("CENSUS_YEAR", "CENSUS_MONTH")})
    out = raw.drop(columns=["_year", "_month"], errors="ignore")
    out["fte"] = to_float(raw["fte"], source.label, "FTE")
    ids = out["unique_identifier"]
    out["unique_identifier"] = ids.mask(ids.str.upper().isin(MARKERS))
    geo = [c for c in dict.fromkeys(GEOGRAPHY.values()) if c in out.columns]
    out = out[geo + [c for c in STAFF.values() if c in out.columns]]
    validate(out, PCN_SCHEMA, source.label, numbered=True)
    out = out.reset_index(drop=True)
    out.attrs.update(source=source.label, period=got)
    return out


def pcn_headcount(frame: pd.DataFrame, by: str | None = None) -> pd.Series | int:
    """People (distinct ``unique_identifier``), overall or per value of ``by``.

    Contracted-services rows have no identifier and are not counted; a person in two roles or
    two PCNs is one head overall (and one in each PCN when ``by='pcn_code'``).
    """
    people = frame[frame["unique_identifier"].notna()]
    if by is None:
        return int(people["unique_identifier"].nunique())
    return people.groupby(by, sort=True)["unique_identifier"].nunique()
