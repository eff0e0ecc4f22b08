"""The series store and the trends tables: real PCN releases summed independently, a synthetic
multi-release GPW folder (September on September, breaks in series), duckdb against pandas."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.demo.national import write_england_release
from analysis.io.series_store import build_store
from analysis.report import trends as tr
from analysis.report.rendering import Markdown, Report, Section
from analysis.tables.series import compare_months, connect, practice_totals
from analysis.tables.trends import (
    ROLE_NAMES,
    clinicians,
    load_context,
    load_trends,
    standard_roles,
)
from analysis.util.errors import ConfigError
from tests.real_files import REAL, csv_text

PCN_FILES = ["1.Primary Care Networks – March 2020 Individual Level.csv",
             "7.Primary Care Networks – September 2021 Individual Level.csv",
             "PCNWFIndividualCSV.062026.zip"]
PCN_PERIODS = ["2020-03", "2021-09", "2026-06"]


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text(path))))


# --------------------------------------------------------------------------------------------
# Real PCN releases
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_pcn(tmp_path_factory):
    folder = REAL / "pcn"
    if not all((folder / f).exists() for f in PCN_FILES):
        pytest.skip("real PCN releases not available")
    store = build_store(folder, tmp_path_factory.mktemp("store"))
    return folder, store


@pytest.mark.parametrize("kind,code", [("icb", "QHL"), ("sub_icb", "16C")])
def test_pcn_series_equal_sums_of_the_real_files(real_pcn, kind, code):
    folder, store = real_pcn
    files = [_rows(folder / f) for f in PCN_FILES]
    column = {"icb": "ICB_CODE", "sub_icb": "SUB_ICB_CODE"}[kind]
    pcns = {r["PCN_CODE"] for r in files[-1] if r[column] == code}
    assert pcns
    ctx = load_context(store, code)
    assert ctx.pcn_area.endswith(code)
    totals = ctx.pcn_totals[ctx.pcn_totals["role"] == "area"].set_index("period")
    for period, rows in zip(PCN_PERIODS, files, strict=True):
        mine = [r for r in rows if r["PCN_CODE"] in pcns]
        fte = sum(float(r["FTE"]) for r in mine)
        assert totals.loc[period, "fte"] == pytest.approx(fte, abs=1e-9)
        assert totals.loc[period, "pcns"] == len({r["PCN_CODE"] for r in mine})
        clinical = sum(float(r["FTE"]) for r in mine if r["STAFF_GROUP"] in (
            "Other GPs", "Other Nurses", "Other Direct Patient Care staff"))
        assert totals.loc[period, "clinical_fte"] == pytest.approx(clinical, abs=1e-9)
        people = {r["UNIQUE_IDENTIFIER"] for r in mine
                  if r["UNIQUE_IDENTIFIER"].strip() not in ("", "NULL")
                  and "contracted" not in r["Data_source"].lower()}
        by_role = ctx.roles[ctx.roles["period"] == period]
        assert by_role["fte"].sum() == pytest.approx(fte, abs=1e-9)
        directors = sum(float(r["FTE"]) for r in mine if "Clinical Director" in r["STAFF_ROLE"]
                        and not r["STAFF_ROLE"].startswith("Non-clinical"))
        got = by_role.loc[by_role["role"] == "Clinical Directors", "fte"].sum()
        assert got == pytest.approx(directors, abs=1e-9)
        # a person in two roles counts once in each role, never more than once in a role
        assert by_role["headcount"].max() <= len(people)
        assert by_role["headcount"].sum() >= len(people)
    england = ctx.pcn_totals[ctx.pcn_totals["role"] == "england"].set_index("period")
    for period, rows in zip(PCN_PERIODS, files, strict=True):
        assert england.loc[period, "fte"] == pytest.approx(sum(float(r["FTE"]) for r in rows))


def test_every_published_pcn_role_has_one_name(real_pcn):
    folder, _ = real_pcn
    roles = sorted({r["STAFF_ROLE"] for f in PCN_FILES for r in _rows(folder / f)})
    names, unknown = standard_roles(pd.Series(roles))
    assert unknown == []
    assert dict(zip(roles, names, strict=True))["Medical Clinical Director (GP)"] == \
        "Clinical Directors"
    assert dict(zip(roles, names, strict=True))["Health Support Workers"] == \
        "Healthcare Support Workers"


def test_unknown_role_names_are_listed_not_guessed():
    names, unknown = standard_roles(pd.Series(["Pharmacists", "Chief Wellbeing Officer"]))
    assert list(names) == ["Pharmacists", "Chief Wellbeing Officer"]
    assert unknown == ["Chief Wellbeing Officer"]
    assert "chief wellbeing officer" not in ROLE_NAMES


# --------------------------------------------------------------------------------------------
# A synthetic multi-release folder
# --------------------------------------------------------------------------------------------
N = 80
SEED = 7
PERIODS = {"2021-09": True, "2022-09": False, "2023-03": False, "2023-09": False}  # old format?


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nhs")
    paths = {}
    for period, old in PERIODS.items():
        paths[period] = write_england_release(folder / f"gpw_practice_level_detailed_{period}.csv",
                                              N, SEED, period, old_format=old)
    # one practice of the area left out of the September 2022 release (closed, say)
    latest = _csv(paths["2023-09"])
    area = latest[0]["SUB_ICB_CODE"]
    members = sorted(r["PRAC_CODE"] for r in latest if r["SUB_ICB_CODE"] == area)
    gone = members[0]
    text = paths["2022-09"].read_text(encoding="utf-8").splitlines(keepends=True)
    paths["2022-09"].write_text("".join(t for t in text if not t.startswith(gone + ",")),
                                encoding="utf-8")
    store = build_store(folder, tmp_path_factory.mktemp("store"))
    return folder, store, paths, area, members, gone


def _area_sum(path: Path, members, column: str) -> float:
    return sum(float(r[column]) for r in _csv(path) if r["PRAC_CODE"] in members
               and r[column] not in ("", "ND", "NA"))


def test_september_on_september(synthetic):
    folder, store, paths, area, members, gone = synthetic
    ctx = load_context(store, area)
    assert sorted(ctx.where.area.practices) == members
    months = ctx.months[(ctx.months["role"] == "area")].set_index(["measure", "period"])
    assert sorted({p for _, p in months.index}) == ["2021-09", "2022-09", "2023-09"]
    for measure, column in [("gp_fte", "TOTAL_GP_FTE"), ("nurse_fte", "TOTAL_NURSES_FTE"),
                            ("admin_fte", "TOTAL_ADMIN_FTE")]:
        now = _area_sum(paths["2023-09"], members, column)
        before = _area_sum(paths["2022-09"], members, column)
        row = months.loc[(measure, "2023-09")]
        assert row["previous"] == "2022-09"
        assert row["fte"] == pytest.approx(now)
        assert row["fte_change"] == pytest.approx(now - before)
        patients = _area_sum(paths["2023-09"], members, "TOTAL_PATIENTS")
        assert row["patients"] == pytest.approx(patients)
        assert row["per_1000"] == pytest.approx(now / patients * 1000)
    partners = sum(_area_sum(paths["2023-09"], members, c)
                   for c in ("TOTAL_GP_SEN_PTNR_FTE", "TOTAL_GP_PTNR_PROV_FTE"))
    assert months.loc[("gp_partner_fte", "2023-09"), "fte"] == pytest.approx(partners)
    # fully qualified GPs are not read from the older column set: no change across the break
    assert pd.isna(months.loc[("gp_fq_fte", "2021-09"), "fte"])
    assert pd.isna(months.loc[("gp_fq_fte", "2022-09"), "fte_change"])
    # another month of the year compares March with March (none a year before)
    march = compare_months(ctx.series, 3)
    assert set(march["period"]) == {"2023-03"} and march["previous"].isna().all()


def test_parent_and_england_beside_the_area(synthetic):
    folder, store, paths, area, members, gone = synthetic
    ctx = load_context(store, area)
    s = ctx.series.set_index(["role", "period"])
    rows = _csv(paths["2023-09"])
    icb = next(r["ICB_CODE"] for r in rows if r["SUB_ICB_CODE"] == area)
    assert ctx.where.parent.code == icb
    parent = {r["PRAC_CODE"] for r in rows if r["ICB_CODE"] == icb}
    assert s.loc[("parent", "2023-09"), "gp_fte"] == pytest.approx(
        _area_sum(paths["2023-09"], parent, "TOTAL_GP_FTE"))
    assert s.loc[("england", "2023-09"), "practices"] == len(rows)


def test_breaks_in_series(synthetic):
    folder, store, paths, area, members, gone = synthetic
    ctx = load_context(store, area)
    b = ctx.breaks
    reorg = b[b["break"] == "reorganisation"]
    assert list(reorg["period"]) == ["2022-09"]
    definition = b[b["break"] == "definition"]
    assert "2022-09" in set(definition["period"])
    assert "Fully qualified" in " ".join(definition["note"])
    practices = b[b["break"] == "practices"]
    assert list(practices["period"]) == ["2022-09", "2023-03"]  # out, and back
    assert practices["note"].iloc[0].startswith(f"from this release, 1 of the area's "
                                                f"{len(members)} practices")
    assert "every one" in practices["note"].iloc[1]
    s = ctx.series.set_index(["role", "period"])
    assert s.loc[("area", "2022-09"), "practices"] == len(members) - 1
    estimated = defaultdict(int)
    for r in _csv(paths["2023-09"]):
        if r["PRAC_CODE"] in members and "estimat" in r["GP_SOURCE"].lower():
            estimated["gp"] += 1
    est = b[(b["break"] == "estimated") & (b["period"] == "2023-09")]
    if estimated["gp"]:
        assert f"GPs {estimated['gp']}" in est["note"].iloc[0]
    else:
        assert est.empty or "GPs" not in est["note"].iloc[0]


def test_duckdb_equals_pandas_groupby(synthetic):
    folder, store, paths, area, members, gone = synthetic
    parts = []
    for f in store.files("practice"):
        df = pd.read_parquet(f)
        df["period"] = f.parent.name.split("=", 1)[1]
        parts.append(df)
    data = pd.concat(parts, ignore_index=True)
    data = data[data["practice_code"].isin(members)]
    cols = ["patients", "gp_fte", "nurse_fte", "dpc_fte", "admin_fte"]
    expected = data.groupby("period")[cols].sum(min_count=1).reset_index()
    expected.insert(1, "practices", data.groupby("period").size().to_numpy().astype("int64"))
    con = connect(store)
    got = practice_totals(con, members)[["period", "practices", *cols]]
    con.close()
    assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


def test_store_is_rebuilt_only_for_changed_releases(synthetic, tmp_path):
    folder, store, paths, area, members, gone = synthetic
    again = build_store(folder, store.path)
    assert again.built == 0 and len(again.releases) == len(PERIODS)
    copy = tmp_path / "nhs"
    copy.mkdir()
    for p in paths.values():
        (copy / p.name).write_bytes(p.read_bytes())
    first = build_store(copy, tmp_path / "store")
    assert first.built == len(PERIODS)
    (copy / paths["2023-03"].name).unlink()
    second = build_store(copy, tmp_path / "store")
    assert second.built == 0
    assert sorted(second.releases["period"]) == ["2021-09", "2022-09", "2023-09"]
    assert not (tmp_path / "store" / "practice" / "kind=gpw_detailed" / "period=2023-03").exists()


def test_one_release_says_so(tmp_path):
    folder = tmp_path / "nhs"
    folder.mkdir()
    write_england_release(folder / "gpw_practice_level_detailed_2023-09.csv", 20, SEED,
                          "2023-09")
    store = build_store(folder, tmp_path / "store")
    ctx = load_context(store, "QUA")
    assert ctx.series is None and ctx.practice_releases == 1
    shown = tr.gp_status(ctx, folder)
    assert isinstance(shown, Markdown) and "1 release in" in shown.text
    assert isinstance(tr.months_table(ctx, Report(tmp_path / "out", 7)), Section)
    assert "0 PCN workforce releases" in tr.title(ctx, folder).text


def test_chapter_tables_and_chart_written(synthetic, tmp_path):
    folder, store, paths, area, members, gone = synthetic
    ctx = load_context(store, area)
    rpt = Report(tmp_path / "out", 7)
    tr.months_table(ctx, rpt)
    tr.breaks_table(ctx, rpt)
    tr.series_table(ctx, rpt)
    chart = tr.per_1000_chart(ctx, rpt)
    assert "2022-09" in chart.alt
    months = pd.read_csv(tmp_path / "out" / "tables" / "trends_months.csv")
    assert set(months["period"]) == {"2021-09", "2022-09", "2023-09"}
    assert (tmp_path / "out" / "charts" / "trends_gp_per_1000.png").exists()


def test_clinicians_per_1000_of_which_gps():
    practice = pd.DataFrame({"period": ["2024-09", "2025-09"], "patients": [20000.0, 10000.0],
                             "gp_fte": [10.0, 6.0], "nurse_fte": [5.0, 3.0],
                             "dpc_fte": [4.0, 2.0]})
    pcn = pd.DataFrame({"period": ["2025-09", "2026-06"], "clinical_fte": [3.0, 9.0],
                        "gp_fte": [1.0, 2.0]})
    got = clinicians(practice, pcn)
    assert list(got["period"]) == ["2025-09"]  # only the month both releases share
    row = got.iloc[0]
    assert row["clinicians_fte"] == 6.0 + 3.0 + 2.0 + 3.0
    assert row["gps_fte"] == 6.0 + 1.0
    assert row["clinicians_per_1000"] == pytest.approx(14.0 / 10000 * 1000)
    assert row["gps_per_1000"] == pytest.approx(7.0 / 10000 * 1000)


def test_pcn_per_1000_patients_from_the_real_patients_files(tmp_path):
    files = [REAL / "pcn" / f for f in PCN_FILES] + [
        REAL / "patients" / "2026-07" / "gp-reg-pat-prac-map.zip",
        REAL / "patients" / "2026-07" / "gp-reg-pat-prac-quin-age.zip"]
    if not all(f.exists() for f in files):
        pytest.skip("real PCN and patients files not available")
    ctx = load_trends("QHL", REAL, store_dir=tmp_path / "store")
    june = [r for r in _rows(files[2])]
    pcns = {r["PCN_CODE"] for r in june if r["ICB_CODE"] == "QHL"}
    practices = {r["PRACTICE_CODE"] for r in _rows(files[3]) if r["PCN_CODE"] in pcns}
    patients = sum(int(r["NUMBER_OF_PATIENTS"]) for r in _rows(files[4])
                   if r["ORG_TYPE"] == "GP" and r["ORG_CODE"] in practices
                   and r["SEX"] != "ALL" and r["AGE_GROUP_5"] != "ALL")
    t = ctx.pcn_totals.set_index(["role", "period"])
    assert t.loc[("area", "2026-06"), "patients"] == patients
    fte = sum(float(r["FTE"]) for r in june if r["PCN_CODE"] in pcns)
    assert t.loc[("area", "2026-06"), "fte_per_1000"] == pytest.approx(fte / patients * 1000)
    roles = ctx.roles[ctx.roles["period"] == "2026-06"].set_index("role")
    pharmacists = sum(float(r["FTE"]) for r in june
                      if r["PCN_CODE"] in pcns and r["STAFF_ROLE"] == "Pharmacists")
    assert roles.loc["Pharmacists", "fte_per_1000"] == pytest.approx(
        pharmacists / patients * 1000)
    # an earlier release: the patients file nearest it, named in the notes
    assert t.loc[("area", "2021-09"), "patients_period"] == "2021-01"
    assert any("2021-09" in n and "8 months apart" in n for n in ctx.notes)


def test_high_level_release_in_the_practice_dataset(tmp_path):
    folder = tmp_path / "nhs"
    folder.mkdir()
    rows = [("GP", "GP Partner", 2.0), ("GP", "Salaried GP", 1.5),
            ("GP", "GP Registrar ST3", 1.0), ("GP", "GP Locum", 0.25), ("GP", "GP Retainer", 0.5),
            ("Nurses", "Practice Nurse", 3.0), ("Direct Patient Care", "Pharmacist", 0.75),
            ("Admin/Non-Clinical", "Receptionist", 4.0), ("Volunteers", "Helper", 9.0)]
    lines = ["PRAC_CODE,PRAC_NAME,STAFF_GROUP,DETAILED_STAFF_ROLE,MEASURE,VALUE,YEAR,MONTH"]
    for group, role, fte in rows:
        lines.append(f"A00001,TEST SURGERY,{group},{role},FTE,{fte},2024,08")
        lines.append(f"A00001,TEST SURGERY,{group},{role},Headcount,1,2024,08")
    (folder / "high_level_2024-08.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = build_store(folder, tmp_path / "store")
    assert list(store.releases["kind"]) == ["gpw_high_level"]
    assert "staff groups not counted: Volunteers" in store.releases["note"].iloc[0]
    con = connect(store)
    got = practice_totals(con).iloc[0]
    con.close()
    assert got["period"] == "2024-08"
    assert got["gp_fte"] == 2.0 + 1.5 + 1.0 + 0.25 + 0.5
    assert got["gp_fq_fte"] == 2.0 + 1.5 + 0.5  # no trainees (registrars), no locums
    assert got["gp_partner_fte"] == 2.0 and got["gp_salaried_fte"] == 1.5
    assert (got["nurse_fte"], got["dpc_fte"], got["admin_fte"]) == (3.0, 0.75, 4.0)
    assert pd.isna(got["patients"])


def test_two_files_of_one_release_are_an_error(tmp_path):
    folder = tmp_path / "nhs"
    folder.mkdir()
    for name in ("a_2023-09.csv", "b_2023-09.csv"):
        write_england_release(folder / name, 10, SEED, "2023-09")
    with pytest.raises(ConfigError, match="more than one gpw detailed file of 2023-09"):
        build_store(folder, tmp_path / "store")
