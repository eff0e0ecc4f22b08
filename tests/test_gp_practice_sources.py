"""The GP practice chapter from each file a folder may hold: the High-level CSV giving the same
figures as the Detailed CSV of the same data, an older CCG-format Detailed release without the
EXTG/EXTGL columns, a true area GP headcount from an Individual-level file, and ``--period``
choosing per kind of file.

Files are written here in the published layouts (small hand-made values); expected figures are
computed here from the role values, not by the package.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from real_files import REAL

from analysis.io.gpw_fields import old_fields
from analysis.tables import gp_practice
from analysis.util.errors import ConfigError, InputError

MONTH = "September 2024"
GEO = {"SUB_ICB_CODE": "99X", "SUB_ICB_NAME": "NHS Test Sub-ICB", "ICB_CODE": "QXX",
       "ICB_NAME": "NHS Test ICB", "REGION_CODE": "Y01", "REGION_NAME": "Test Region"}
# practice -> patients, then (staff group, detailed role) -> FTE
PRACTICES = {
    "A10001": (6000, {("GP", "Partner/Provider"): 2.0, ("GP", "Salaried By Practice"): 1.25,
                      ("GP", "Locum"): 0.5, ("GP", "GP Registrar"): 1.0,
                      ("GP", "Retainer"): 0.25, ("Nurses", "Practice Nurse"): 1.5,
                      ("Direct Patient Care", "Pharmacist"): 0.8,
                      ("Admin/Non-Clinical", "Receptionist"): 4.0}),
    "A10002": (9500, {("GP", "Partner/Provider"): 3.0, ("GP", "Locum"): 0.75,
                      ("Nurses", "Practice Nurse"): 2.2, ("Nurses", "Advanced Nurse"): 0.6,
                      ("Direct Patient Care", "Pharmacist"): 1.0,
                      ("Admin/Non-Clinical", "Receptionist"): 5.5,
                      ("Admin/Non-Clinical", "Manager"): 1.0}),
    "A10003": (3100, {("GP", "Salaried By Practice"): 1.6, ("GP", "GP Registrar"): 0.4,
                      ("Nurses", "Practice Nurse"): 0.9,
                      ("Direct Patient Care", "Pharmacist"): 0.0,
                      ("Admin/Non-Clinical", "Receptionist"): 2.3}),
}


def _fte(roles, group, leave_out=()):
    return sum(v for (g, r), v in roles.items() if g == group and r not in leave_out)


def expected_measures(roles) -> dict[str, float]:
    """The publication's definitions applied to one practice's roles."""
    return {"gp_fte": _fte(roles, "GP"),
            "gp_extg_fte": _fte(roles, "GP", {"GP Registrar"}),
            "gp_extgl_fte": _fte(roles, "GP", {"GP Registrar", "Locum"}),
            "nurses_fte": _fte(roles, "Nurses"),
            "dpc_fte": _fte(roles, "Direct Patient Care"),
            "admin_fte": _fte(roles, "Admin/Non-Clinical")}


def _write(path: Path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_detailed(folder: Path) -> Path:
    header = ["PRAC_CODE", "PRAC_NAME", *GEO, "TOTAL_PATIENTS", "TOTAL_GP_FTE",
              "TOTAL_GP_EXTG_FTE", "TOTAL_GP_EXTGL_FTE", "TOTAL_GP_RET_FTE", "TOTAL_NURSES_FTE",
              "TOTAL_DPC_FTE", "TOTAL_ADMIN_FTE"]
    rows = []
    for code, (patients, roles) in PRACTICES.items():
        m = expected_measures(roles)
        rows.append([code, f"Practice {code}", *GEO.values(), patients, m["gp_fte"],
                     m["gp_extg_fte"], m["gp_extgl_fte"], roles.get(("GP", "Retainer"), 0.0),
                     m["nurses_fte"], m["dpc_fte"], m["admin_fte"]])
    return _write(folder / f"1 General Practice – {MONTH} Practice Level - Detailed.csv",
                  header, rows)


def write_high_level(folder: Path, with_patients_file: bool = True) -> Path:
    header = ["PRAC_CODE", "PRAC_NAME", *GEO, "STAFF_GROUP", "DETAILED_STAFF_ROLE", "MEASURE",
              "VALUE"]
    rows = []
    for code, (_, roles) in PRACTICES.items():
        for (group, role), fte in roles.items():
            rows.append([code, f"Practice {code}", *GEO.values(), group, role, "FTE", fte])
            rows.append([code, f"Practice {code}", *GEO.values(), group, role, "HC", 1])
    if with_patients_file:
        _write(folder / "gp-reg-pat-prac-all.csv",
               ["PUBLICATION", "EXTRACT_DATE", "TYPE", "SUB_ICB_LOCATION_CODE", "CODE", "SEX",
                "AGE", "NUMBER_OF_PATIENTS"],
               [["GP_PRAC_PAT_LIST", "2024-09-01", "GP", "99X", code, "ALL", "ALL", patients]
                for code, (patients, _) in PRACTICES.items()])
    return _write(folder / f"2 General Practice – {MONTH} Practice Level - High-level.csv",
                  header, rows)


# ============================================================================================
# 1. High-level = Detailed for the same data
# ============================================================================================
def test_high_level_gives_the_detailed_figures(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "h").mkdir()
    write_detailed(tmp_path / "d")
    write_high_level(tmp_path / "h")
    d = gp_practice.load_context("99X", tmp_path / "d")
    h = gp_practice.load_context("99X", tmp_path / "h")
    assert (d.release, h.release) == ("Detailed", "High-level")
    pd.testing.assert_frame_equal(h.by_practice, d.by_practice, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(h.area_totals, d.area_totals, check_exact=False, rtol=1e-12)
    # and both equal the definitions applied here
    patients = sum(p for p, _ in PRACTICES.values())
    for name, fte in zip(d.area_totals["measure"], d.area_totals["fte"], strict=True):
        key = {what: n for n, what in gp_practice.MEASURES.values()}[name]
        want = sum(expected_measures(r)[key] for _, r in PRACTICES.values())
        assert fte == pytest.approx(want, rel=1e-12)
    assert list(d.area_totals["patients"]) == [patients] * 6
    assert "High-level release, summed over its GP roles" in h.basis
    assert any("No Detailed release of September 2024" in n and "gp-reg-pat-prac-all.csv" in n
               for n in h.notes)
    assert "Registered patients" in h.files


def test_detailed_file_of_the_month_is_preferred(tmp_path):
    write_detailed(tmp_path)
    write_high_level(tmp_path)
    assert gp_practice.load_context("99X", tmp_path).release == "Detailed"


def test_high_level_without_patients_stops_with_one_line(tmp_path):
    write_high_level(tmp_path, with_patients_file=False)
    with pytest.raises(InputError) as err:
        gp_practice.load_context("99X", tmp_path)
    msg = str(err.value)
    assert "\n" not in msg
    assert "Practice Level - High-level.csv: has no patients rows" in msg
    assert "Patients Registered totals file of 2024-09" in msg


SAMPLE = REAL / "gpw" / "derived_samples" / "practice_high_level_2024-08_10rows.csv"


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/real (real NHS files) not available")
def test_real_high_level_sample_needs_patients(tmp_path):
    """The third-party re-save (lower-case headers) is read; it carries no patients, so the
    chapter asks for the Patients Registered file of its month."""
    (tmp_path / SAMPLE.name).symlink_to(SAMPLE)
    with pytest.raises(InputError, match=r"no Patients Registered totals file of 2024-08"):
        gp_practice.load_context("A81038", tmp_path)


# ============================================================================================
# 2. An older release: CCG/STP geography, EXRRL, no EXTG/EXTGL
# ============================================================================================
def write_old_release(folder: Path) -> tuple[Path, str, dict[str, float]]:
    """An older-format release (demo writer) without the EXTG/EXTGL columns; its first
    CCG's code and that CCG's sums computed here with the csv module."""
    from analysis.demo.national import write_england_release

    full = write_england_release(folder / "full.csv", n_practices=60, period="2019-09",
                                 old_format=True)
    drop = {c for c in old_fields() if c.startswith(("TOTAL_GP_EXTG_", "TOTAL_GP_EXTGL_"))
            or c.startswith(("MALE_GP_EXTG", "FEMALE_GP_EXTG", "TOTAL_GP_EXTG"))}
    with open(full, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    full.unlink()
    header = [c for c in rows[0] if c not in drop]
    path = _write(folder / "General Practice – September 2019 Practice Level - Detailed.csv",
                  header, [[r[c] for c in header] for r in rows])
    ccg = rows[0]["CCG_CODE"]
    mine = [r for r in rows if r["CCG_CODE"] == ccg]
    sums = {c: sum(float(r[c]) for r in mine) for c in
            ("TOTAL_PATIENTS", "TOTAL_GP_FTE", "TOTAL_GP_EXRRL_FTE", "TOTAL_NURSES_FTE")}
    sums["practices"] = len(mine)
    return path, ccg, sums


def test_old_release_ccg_area_uses_what_it_has(tmp_path):
    _, ccg, sums = write_old_release(tmp_path)
    ctx = gp_practice.load_context(ccg, tmp_path)
    assert ctx.area.kind == "ccg"
    got = ctx.area_totals.set_index("measure")
    assert list(got.index) == ["All GPs (registrars included)",
                               "GPs excluding registrars, retainers and locums (older releases)",
                               "Nurses", "Direct patient care", "Admin/non-clinical"]
    assert got.loc["All GPs (registrars included)", "fte"] == pytest.approx(
        sums["TOTAL_GP_FTE"], rel=1e-9)
    assert got.loc["GPs excluding registrars, retainers and locums (older releases)",
                   "fte"] == pytest.approx(sums["TOTAL_GP_EXRRL_FTE"], rel=1e-9)
    assert got.loc["Nurses", "fte"] == pytest.approx(sums["TOTAL_NURSES_FTE"], rel=1e-9)
    assert got["patients"].max() == sums["TOTAL_PATIENTS"]
    assert len(ctx.by_practice) + len(ctx.excluded) == sums["practices"]
    assert "Fully qualified GPs (registrars excluded) (TOTAL_GP_EXTG_FTE) is not taken from " \
           "this release: left out." in ctx.notes
    assert any("(TOTAL_GP_EXTGL_FTE) is not taken" in n for n in ctx.notes)
    assert "(TOTAL_GP_EXRRL_FTE)" in ctx.basis and "not the current EXTGL" in ctx.basis


# ============================================================================================
# 3. Area GP headcount: each person once
# ============================================================================================
def test_individual_file_counts_each_gp_once(tmp_path):
    write_detailed(tmp_path)
    _write(tmp_path / "GPW Individual Level September 2024.csv",
           ["UNIQUE_IDENTIFIER", "PRAC_CODE", "STAFF_GROUP", "DETAILED_STAFF_ROLE", "FTE"],
           [["101", "A10001", "GP", "Salaried By Practice", "0.5"],
            ["101", "A10002", "GP", "Locum", "0.3"],       # the same GP, second practice
            ["202", "A10001", "Nurses", "Practice Nurse", "0.8"],   # not a GP
            ["303", "B99999", "GP", "Partner/Provider", "1.0"]])   # not in the area
    ctx = gp_practice.load_context("99X", tmp_path)
    assert ctx.gp_headcount == 1
    assert ctx.gp_headcount_fte == pytest.approx(0.8)
    assert "each person counted once" in ctx.headcount_note
    assert "GP Workforce individual level" in ctx.files
    from analysis.report import gp_practice as gr

    text = gr.title(ctx).text
    assert "**GP headcount of the area: 1** (0.8 FTE)" in text


def test_without_individual_file_no_area_headcount(tmp_path):
    write_detailed(tmp_path)
    ctx = gp_practice.load_context("99X", tmp_path)
    assert ctx.gp_headcount is None and ctx.gp_headcount_fte is None
    assert "practice headcounts are not additive" in ctx.headcount_note


# ============================================================================================
# 4. PERIOD per kind
# ============================================================================================
def test_period_chooses_per_kind(tmp_path):
    from analysis.io.catalogue import catalogue
    from analysis.report.data_area import GP_NOTEBOOK, SCENARIO_NOTEBOOK, chapters_for

    write_detailed(tmp_path)
    cat = catalogue(tmp_path)
    assert chapters_for(cat, "2024-09") == (
        [GP_NOTEBOOK, SCENARIO_NOTEBOOK, "notebooks/99_provenance.ipynb"],
        {"PCN workforce": "no PCN workforce file for 2024-09",
         "Trends over releases": "one release of each publication only"})
    assert chapters_for(cat)[1]["PCN workforce"] == "no PCN workforce file supplied"
    assert gp_practice.load_context("99X", tmp_path, period="2024-10") is None
    with pytest.raises(ConfigError, match=r"no PCN workforce file and no GP Workforce "
                                          r"practice-level \(Detailed or High-level\) release "
                                          r"for 2024-10"):
        chapters_for(cat, "2024-10")


def test_one_date_tolerance(monkeypatch):
    from analysis.config import settings
    from analysis.tables import pcn

    assert pcn.max_months_apart() == settings().real_inputs.max_months_apart


def test_old_release_report_through_the_chapter(tmp_path):
    from analysis.report.data_area import report_data_area

    (tmp_path / "nhs").mkdir()
    _, ccg, sums = write_old_release(tmp_path / "nhs")
    report = report_data_area(ccg, tmp_path / "nhs", tmp_path / "out", force=True).path
    assert report.parent.name == f"ccg-{ccg.lower()}"
    with open(report.parent / "tables" / "gp_area_fte_per_1000.csv", encoding="utf-8") as fh:
        rows = {r["measure"]: r for r in csv.DictReader(fh)}
    exrrl = rows["GPs excluding registrars, retainers and locums (older releases)"]
    assert float(exrrl["fte"]) == pytest.approx(sums["TOTAL_GP_EXRRL_FTE"], rel=1e-9)
    assert "Fully qualified GPs (registrars excluded)" not in rows
    # the batch index's facts: no fully qualified rate (blank there), the all-GP row's cells
    gp = json.loads((report.parent / "_meta" / "headline.json").read_text(encoding="utf-8"))[
        "gp_practice_workforce"]
    assert gp["fully_qualified_gps"] is None
    every = rows["All GPs (registrars included)"]
    assert gp["all_gps"]["fte"] == float(every["fte"]) == pytest.approx(
        sums["TOTAL_GP_FTE"], rel=1e-9)
    assert gp["patients"] == float(every["patients"]) > 0
    text = report.read_text(encoding="utf-8")
    assert "(TOTAL_GP_EXTG_FTE) is not taken from this release: left out." in text
    assert "not the current EXTGL measure" in text
    assert "practice headcounts are not additive" in text
