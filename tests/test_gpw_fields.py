"""Tests for :mod:`analysis.io.gpw_fields`."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.io.gpw_fields import (
    OLD_ONLY_FIELDS,
    OLD_TO_CURRENT,
    current_fields,
    field_kind,
    old_fields,
)

# The published metadata workbook lives outside the repository, in ../shared/reference.
DEFINITIONS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "gpw_practice_level_detailed_csv_definitions.xlsx"
)


def _workbook_names(path: Path) -> list[str]:
    """The 'Name of Field' column of the definitions workbook, in row order."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows)]
        column = header.index("Name of Field")
        return [
            str(row[column]).strip()
            for row in rows
            if column < len(row) and row[column] is not None and str(row[column]).strip()
        ]
    finally:
        workbook.close()


def test_current_fields_are_805_unique_names():
    fields = current_fields()
    assert len(fields) == 805
    assert len(set(fields)) == 805


def test_current_fields_returns_a_fresh_list():
    fields = current_fields()
    fields.clear()
    assert len(current_fields()) == 805


def test_current_fields_match_published_definitions():
    if not DEFINITIONS.exists():
        pytest.skip(f"definitions workbook not available: {DEFINITIONS}")
    expected = _workbook_names(DEFINITIONS)
    generated = current_fields()
    first_difference = next(
        (
            i
            for i, (ours, theirs) in enumerate(zip(generated, expected, strict=False))
            if ours != theirs
        ),
        min(len(generated), len(expected)),
    )
    where = (
        f"first difference at position {first_difference}: "
        f"generated {generated[first_difference : first_difference + 1]}, "
        f"workbook {expected[first_difference : first_difference + 1]} "
        f"(lengths {len(generated)} vs {len(expected)})"
    )
    assert generated == expected, where


def test_published_quirk_is_kept():
    fields = current_fields()
    assert "FEMALE_TRAINEE_DPC_NURSE_ASSOC_HC" in fields
    assert "FEMALE_DPC_TRAINEE_NURSE_ASSOC_HC" not in fields
    assert "FEMALE_DPC_TRAINEE_NURSE_ASSOC_FTE" in fields


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("PRAC_CODE", "id"),
        ("PRAC_NAME", "id"),
        ("PCN_NAME", "id"),
        ("SUB_ICB_CODE", "id"),
        ("CCG_CODE", "id"),
        ("COMM_REGION_NAME", "id"),
        ("GP_SOURCE", "source"),
        ("NURSE_SOURCE", "source"),
        ("TOTAL_GP_HC", "count"),
        ("TOTAL_GP_HC_55TO59", "count"),
        ("TOTAL_GP_HC_COQ_UK", "count"),
        ("TOTAL_DPC_HCA_HC", "count"),
        ("FEMALE_TRAINEE_DPC_NURSE_ASSOC_HC", "count"),
        ("TOTAL_GP_EXRRL_HC", "count"),
        ("TOTAL_GP_FTE_70PLUS", "fte"),
        ("TOTAL_GP_FTE", "fte"),
        ("TOTAL_DPC_APP_HCA_FTE", "fte"),
        ("TOTAL_NURSES_FTE_UNKNOWN_AGE", "fte"),
        ("TOTAL_PATIENTS", "count"),
        ("TOTAL_MALE", "count"),
        ("TOTAL_UNKNOWN_GENDER", "count"),
        ("MALE_PATIENTS_0TO4", "count"),
        ("FEMALE_PATIENTS_85PLUS", "count"),
        (" total_gp_hc ", "count"),
    ],
)
def test_field_kind(name, kind):
    assert field_kind(name) == kind


def test_field_kind_covers_every_current_and_old_field():
    kinds = {field_kind(name) for name in current_fields() + old_fields()}
    assert kinds == {"id", "source", "count", "fte"}


@pytest.mark.parametrize("name", ["", "TOTAL_GP", "SOMETHING_ELSE"])
def test_field_kind_rejects_unknown_names(name):
    with pytest.raises(ValueError):
        field_kind(name)


def test_old_fields():
    old = old_fields()
    assert "CCG_CODE" in old
    assert "TOTAL_GP_EXRRL_FTE" in old
    assert "SUB_ICB_CODE" not in old
    assert "PCN_CODE" not in old and "PCN_NAME" not in old
    assert old[old.index("TOTAL_GP_EXTGL_HC") + 1] == "TOTAL_GP_EXRRL_HC"
    assert old[old.index("TOTAL_GP_EXTGL_FTE") + 1] == "TOTAL_GP_EXRRL_FTE"
    # Two PCN columns dropped, two EXRRL columns added.
    assert len(old) == len(current_fields())
    assert len(set(old)) == len(old)


def test_old_to_current_renames_geography_only():
    current = set(current_fields())
    assert set(OLD_TO_CURRENT.values()) <= current
    assert not set(OLD_TO_CURRENT) & current
    # EXRRL is not the same measure as EXTGL, so it must not be mapped onto it.
    assert not set(OLD_ONLY_FIELDS) & set(OLD_TO_CURRENT)
    assert not set(OLD_ONLY_FIELDS) & current
    assert all(meaning.strip() for meaning in OLD_ONLY_FIELDS.values())
