"""Areas from the data (analysis/tables/geography.py): the hierarchy of a snapshot, sources
compared, what a user types resolved to an area, clusters, practices followed across
reorganisations, the mapping file and the ``areas`` command.

Hand-made frames in the standard column names cover the edge cases; the July 2026 Patients
Registered map (read-only, outside the repository) is checked against the csv module.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from real_files import REAL
from typer.testing import CliRunner

from analysis import cli
from analysis.config import ROOT, load_settings
from analysis.tables import geography as geo
from analysis.tables.geography import AreaMatch, cluster, combine, find_area, hierarchy
from analysis.util.errors import ConfigError, InputError

MAP_ZIP = REAL / "patients" / "2026-07" / "gp-reg-pat-prac-map.zip"
real = pytest.mark.skipif(not MAP_ZIP.exists(), reason="real NHS files not available")

COLUMNS = ["practice_code", "pcn_code", "pcn_name", "sub_icb_code", "sub_icb_name", "icb_code",
           "icb_name", "region_code", "region_name"]
BSOL = "NHS Birmingham and Solihull Integrated Care Board"
BLACK = "NHS Black Country Integrated Care Board"
ROWS = [
    ("P1", "U1", "NORTH PCN", "15E", "NHS Birmingham and Solihull ICB - 15E", "QHL", BSOL,
     "Y60", "Midlands"),
    ("P2", "U1", "NORTH PCN", "15E", "NHS Birmingham and Solihull ICB - 15E", "QHL", BSOL,
     "Y60", "Midlands"),
    ("P3", "U2", "SMARTCARE CENTRAL PCN", "15E", "NHS Birmingham and Solihull ICB - 15E",
     "QHL", BSOL, "Y60", "Midlands"),
    ("P4", "U3", "NORTH PCN", "D2P2L", "NHS Black Country ICB - D2P2L", "QUA", BLACK, "Y60",
     "Midlands"),
    ("P5", "U4", "WALSALL PCN", "D2P2L", "NHS Black Country ICB - D2P2L", "QUA", BLACK, "Y60",
     "Midlands"),
]


def frame(rows=ROWS, columns=COLUMNS, **attrs) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    out.attrs.update({"source": "map.csv", "period": "2026-07"} | attrs)
    return out


@pytest.fixture
def h():
    return hierarchy(frame())


# ---------------------------------------------------------------------------------------------
# Hierarchy
# ---------------------------------------------------------------------------------------------
def test_levels_areas_practices_parent(h):
    assert h.levels() == ("practice", "pcn", "sub_icb", "icb", "region")
    assert (h.period, h.source) == ("2026-07", "map.csv")
    icbs = h.areas("icb")
    assert icbs.to_dict("list") == {"code": ["QHL", "QUA"], "name": [BSOL, BLACK],
                                    "n_practices": [3, 2]}
    assert h.practices("pcn", "U1") == ("P1", "P2")
    assert h.practices("region", "Y60") == ("P1", "P2", "P3", "P4", "P5")
    assert h.parent("practice", "P3") == ("pcn", "U2")
    assert h.parent("pcn", "U2") == ("sub_icb", "15E")
    assert h.parent("sub_icb", "D2P2L") == ("icb", "QUA")
    assert h.parent("region", "Y60") is None


def test_old_geography_levels_and_parents():
    old = frame([("P1", "05C", "NHS Dudley CCG", "E54000010", "Black Country STP")],
                ["practice_code", "ccg_code", "ccg_name", "stp_code", "stp_name"],
                period="2021-01")
    h = hierarchy(old)
    assert h.levels() == ("practice", "ccg", "stp")
    assert h.parent("practice", "P1") == ("ccg", "05C")
    assert h.parent("ccg", "05C") == ("stp", "E54000010")
    with pytest.raises(ConfigError, match=r"map.csv: no ICB level \(it has: practice, CCG, STP\)"):
        h.areas("icb")


def test_practice_in_two_pcns_names_practice_both_parents_and_source():
    rows = ROWS + [("P1", "U9", "OTHER PCN", "15E", "x", "QHL", BSOL, "Y60", "Midlands")]
    with pytest.raises(InputError) as err:
        hierarchy(frame(rows))
    assert str(err.value) == "map.csv: practice P1 is in 2 PCNs in 2026-07: U1 and U9; expected one"
    assert "\n" not in str(err.value)


def test_sub_icb_in_two_icbs_is_an_error():
    rows = ROWS + [("P9", "U5", "X PCN", "15E", "x", "QUA", BLACK, "Y60", "Midlands")]
    with pytest.raises(InputError, match=r"sub-ICB 15E is in 2 ICBs in 2026-07: QHL and QUA"):
        hierarchy(frame(rows))


def test_pcn_across_sub_icbs_is_allowed_but_has_no_single_parent():
    rows = ROWS + [("P6", "U4", "WALSALL PCN", "15E", "x", "QHL", BSOL, "Y60", "Midlands")]
    h = hierarchy(frame(rows))
    assert h.practices("pcn", "U4") == ("P5", "P6")
    with pytest.raises(ConfigError, match=r"PCN U4 has no single parent: its practices are in "
                                          r"sub-ICBs 15E, D2P2L"):
        h.parent("pcn", "U4")


@pytest.mark.parametrize("blank", ["", "  ", None])
def test_blank_code_is_one_line_naming_the_practice(blank):
    rows = [list(r) for r in ROWS]
    rows[3][3] = blank
    with pytest.raises(InputError, match=r"map.csv, column 'sub_icb_code': blank sub_icb_code "
                                         r"for practice P4 \(data row 4\)"):
        hierarchy(frame(rows))


def test_duplicate_rows_and_spaces_are_one_practice():
    rows = ROWS + [(" P1 ", "U1", " NORTH  PCN ", "15E", "", "QHL", BSOL, "Y60", "Midlands")]
    h = hierarchy(frame(rows))
    assert h.areas("pcn").set_index("code").loc["U1"].tolist() == ["NORTH PCN", 2]


def test_no_code_column():
    with pytest.raises(InputError, match="map.csv: no area code column"):
        hierarchy(frame([("x",)], ["practice_name"]))


# ---------------------------------------------------------------------------------------------
# Sources of one period
# ---------------------------------------------------------------------------------------------
def test_two_sources_disagreeing_are_listed_and_checked():
    other = [list(r) for r in ROWS[:4]] + [["P7", "U4", "WALSALL PCN", "D2P2L", "", "QUA",
                                             BLACK, "Y60", "Midlands"]]
    other[1][1], other[1][3], other[1][5] = "U3", "D2P2L", "QUA"   # P2 elsewhere
    a = hierarchy(frame())
    b = hierarchy(frame(other, source="payments.csv"))
    c = hierarchy(frame(other, period="2025-07", source="old.csv"))  # another period: ignored
    combined = combine(a, b, c)
    got = combined.disagreements[["practice_code", "kind", "code_a", "code_b"]]
    assert got.values.tolist() == [["P2", "pcn", "U1", "U3"], ["P2", "sub_icb", "15E", "D2P2L"],
                                   ["P2", "icb", "QHL", "QUA"]]
    assert combined.one_source[["practice_code", "source"]].values.tolist() == [
        ["P5", "map.csv"], ["P7", "payments.csv"]]
    with pytest.raises(InputError) as err:
        combined.check()
    assert str(err.value) == ("map.csv: disagrees with payments.csv in 2026-07 on the areas of "
                              "1 practice: P2 PCN U1 vs U3; P2 sub-ICB 15E vs D2P2L; P2 ICB QHL "
                              "vs QUA; the run does not choose between sources")


def test_agreeing_sources_pass_and_only_in_one_is_not_an_error():
    a = hierarchy(frame())
    b = hierarchy(frame(ROWS[:3], source="payments.csv"))
    combined = combine(a, b)
    assert combined.check() is combined
    assert combined.disagreements.empty
    assert combined.one_source["practice_code"].tolist() == ["P4", "P5"]


# ---------------------------------------------------------------------------------------------
# Finding an area
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, kind, code", [
    ("QHL", "icb", "QHL"), ("qhl", "icb", "QHL"), (" 15e ", "sub_icb", "15E"),
    ("u2", "pcn", "U2"), ("p4", "practice", "P4"),
    ("NHS Birmingham and Solihull ICB", "icb", "QHL"),
    ("nhs birmingham & solihull integrated care board", "icb", "QHL"),
    ("birmingham and solihull", "icb", "QHL"),
    ("Birmingham-and-Solihull", "icb", "QHL"),
    ("birmingham-and-solihull-icb", "icb", "QHL"),
    ("birmingham and solihull sub-ICB", "sub_icb", "15E"),
    ("birmingham-and-solihull-sub-icb-location", "sub_icb", "15E"),
    ("NHS Birmingham and Solihull ICB - 15E", "sub_icb", "15E"),
    ("smartcare central", "pcn", "U2"), ("smartcare-central-pcn", "pcn", "U2"),
    ("midlands", "region", "Y60"),
])
def test_find_area(h, text, kind, code):
    match = find_area(h, text)
    assert (match.kind, match.code) == (kind, code)
    assert match.practices == h.practices(kind, code)
    assert (match.period, match.source) == ("2026-07", "map.csv")


def test_icb_and_sub_icb_of_the_same_name_prefer_the_icb(h):
    assert find_area(h, "Black Country").label == "ICB QUA"
    assert find_area(h, "black country sub-icb").label == "sub-ICB D2P2L"
    assert find_area(h, "Black Country", kind="sub_icb").label == "sub-ICB D2P2L"


def test_ambiguous_name_lists_candidates_with_kinds_and_codes(h):
    with pytest.raises(ConfigError) as err:
        find_area(h, "north pcn")
    assert str(err.value) == ("ambiguous area 'north pcn': matches 'NORTH PCN' (PCN U1), "
                              "'NORTH PCN' (PCN U3); give the code")


@pytest.mark.parametrize("text, expected", [
    ("birmingam", "unknown area 'birmingam': did you mean "
                  f"'{BSOL}' (ICB QHL)?"),
    ("blak country", f"unknown area 'blak country': did you mean '{BLACK}' (ICB QUA)?"),
    ("zzzz", "unknown area 'zzzz'; expected a code, a name or a slug of an area in the "
             "mapping"),
])
def test_unknown_area_suggests_up_to_three(h, text, expected):
    with pytest.raises(ConfigError) as err:
        find_area(h, text)
    assert str(err.value) == expected


def test_suggestions_at_most_three():
    rows = [(f"P{i}", f"U{i}", f"WALSALL {n} PCN", "D2P2L", "x", "QUA", BLACK, "Y60", "M")
            for i, n in enumerate(["NORTH", "SOUTH", "EAST", "WEST", "CENTRAL"])]
    with pytest.raises(ConfigError) as err:
        find_area(hierarchy(frame(rows)), "walsal")
    assert str(err.value).count("(PCN U") == 3


@pytest.mark.parametrize("text", ["", "   ", None])
def test_nothing_typed(h, text):
    with pytest.raises(ConfigError, match="no area given"):
        find_area(h, text)


def test_aliases_are_consulted_first(h):
    aliases = {"bsol": "QHL", "U1": "black country", "north": "NORTH PCN"}
    assert find_area(h, "BSOL", aliases=aliases).label == "ICB QHL"
    assert find_area(h, "u1", aliases=aliases).label == "ICB QUA"   # before the code U1
    with pytest.raises(ConfigError, match="ambiguous area 'north'"):
        find_area(h, "north", aliases=aliases)


def test_latest_period_wins_and_areas_are_looked_up_in_every_period(h):
    older = hierarchy(frame([("P1", "05C", "NHS Dudley CCG")],
                            ["practice_code", "ccg_code", "ccg_name"], period="2021-01",
                            source="old.csv"))
    match = find_area([older, h], "QHL")
    assert (match.period, match.source) == ("2026-07", "map.csv")
    dudley = find_area({"2021-01": older, "2026-07": h}, "dudley")
    assert (dudley.kind, dudley.code, dudley.practices, dudley.period) == (
        "ccg", "05C", ("P1",), "2021-01")


# ---------------------------------------------------------------------------------------------
# Clusters
# ---------------------------------------------------------------------------------------------
def test_cluster(h):
    got = cluster("North Birmingham", ["p2", "P1", "P1"], h)
    assert got == AreaMatch("cluster", "north-birmingham", "North Birmingham", ("P1", "P2"),
                            "2026-07", "map.csv")
    clusters = {"North Birmingham": ["P1", "P2"]}
    assert find_area(h, "north-birmingham", clusters=clusters) == got


def test_cluster_with_unknown_codes_is_one_line(h):
    with pytest.raises(ConfigError) as err:
        cluster("Mine", ["P1", "X9", "Y8"], h)
    assert str(err.value) == "cluster 'Mine': 2 practice codes not in map.csv in 2026-07: X9, Y8"
    with pytest.raises(ConfigError, match="cluster 'Empty': no practice codes"):
        cluster("Empty", [" "], h)


# ---------------------------------------------------------------------------------------------
# Reorganisations
# ---------------------------------------------------------------------------------------------
def test_practice_moving_between_sub_icbs_is_followed_by_code(h):
    # 2021: P4 (now Black Country) was in sub-ICB 15E; P3 did not exist; P8 was in 15E
    rows = [("P1", "U1", "N", "15E", "B", "QHL", BSOL, "Y60", "M"),
            ("P2", "U1", "N", "15E", "B", "QHL", BSOL, "Y60", "M"),
            ("P4", "U3", "N", "15E", "B", "QHL", BSOL, "Y60", "M"),
            ("P8", "U3", "N", "15E", "B", "QHL", BSOL, "Y60", "M")]
    old = hierarchy(frame(rows, period="2021-07", source="old.csv"))
    assert old.practices("sub_icb", "15E") == ("P1", "P2", "P4", "P8")
    area = find_area([old, h], "15E")
    assert area.period == "2026-07" and area.practices == ("P1", "P2", "P3")
    followed = geo.follow_practices(area, {"2021-07": old, "2026-07": h})
    assert followed.practices == {"2021-07": ("P1", "P2"), "2026-07": ("P1", "P2", "P3")}
    assert followed.missing == {"2021-07": ("P3",), "2026-07": ()}
    assert followed.note == (
        "NHS Birmingham and Solihull ICB - 15E (sub-ICB 15E) as at 2026-07 (3 practices, "
        "map.csv); other periods use the same practices, followed by practice code, not the "
        "area codes of their own geography. 2021-07: 1 not present (P3).")


# ---------------------------------------------------------------------------------------------
# Mapping file, config, command line
# ---------------------------------------------------------------------------------------------
def _zip(tmp_path, rows, header) -> Path:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "gp-reg-pat-prac-map.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("gp-reg-pat-prac-map.csv", text.getvalue())
    return path


MAP_HEADER = ["PUBLICATION", "EXTRACT_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "PCN_CODE",
              "PCN_NAME", "ONS_SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_CODE",
              "SUB_ICB_LOCATION_NAME", "ONS_ICB_CODE", "ICB_CODE", "ICB_NAME"]


def _code(practice: str) -> str:
    """A practice code in the published form (P4 -> M85004) for the files written here."""
    return f"M8500{practice[1:]}"


def _map_rows():
    return [["GP", "01Jul2026", _code(r[0]), f"PRACTICE {r[0]}", r[1], r[2], "E38", r[3], r[4],
             "E54", r[5], r[6]] for r in ROWS]


def test_mapping_frame_maps_the_map_layout(tmp_path):
    got = geo.mapping_frame(_zip(tmp_path, _map_rows(), MAP_HEADER))
    assert list(got.columns) == ["practice_code", "practice_name", "pcn_code", "pcn_name",
                                 "sub_icb_code", "sub_icb_name", "icb_code", "icb_name"]
    assert got.attrs == {"source": "gp-reg-pat-prac-map.zip:gp-reg-pat-prac-map.csv",
                         "period": "2026-07"}
    assert hierarchy(got).practices("icb", "QUA") == ("M85004", "M85005")


def test_mapping_frame_in_standard_names_and_errors(tmp_path):
    path = tmp_path / "map.csv"
    frame().to_csv(path, index=False)
    assert hierarchy(geo.mapping_frame(path)).areas("sub_icb")["code"].tolist() == ["15E",
                                                                                   "D2P2L"]
    bad = tmp_path / "other.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match=r"other.csv, row 1: no practice-to-area mapping CSV"):
        geo.mapping_frame(bad)
    rows = [r[:1] + ["yesterday"] + r[2:] for r in _map_rows()]
    with pytest.raises(InputError, match=r"row 2, column 'EXTRACT_DATE': expected an extract "
                                         r"date such as 01JAN2021 or 2025-10-01, found "
                                         r"'yesterday'"):
        geo.mapping_frame(_zip(tmp_path, rows, MAP_HEADER))


def test_config_areas_section(tmp_path):
    assert load_settings().areas.aliases.get("bsol") == "QHL"
    text = (ROOT / "config" / "config.yaml").read_text()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text.replace("  clusters: {}", "  clusters: {}\n  practices: [P1]"))
    with pytest.raises(ConfigError, match=r"config.yaml: areas.practices: unknown key"):
        load_settings(cfg)
    cfg.write_text(text.replace("  clusters: {}", "  clusters: {north: []}"))
    with pytest.raises(ConfigError, match=r"areas.clusters.north: list should have at least 1"):
        load_settings(cfg)


def invoke(*args):
    return CliRunner().invoke(cli.app, [str(a) for a in args])


def test_cli_lists_and_finds(tmp_path):
    path = _zip(tmp_path, _map_rows(), MAP_HEADER)
    res = invoke("areas", path, "--kind", "icb")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "kind", "practices"]
    assert lines[1].split()[0] == "QHL" and lines[1].split()[-2:] == ["icb", "3"]
    res = invoke("areas", path)
    assert {line.split()[-2] for line in res.stdout.splitlines()[1:]} == {"pcn", "sub_icb", "icb"}
    res = invoke("areas", path, "--find", "bsol")        # the alias of config/config.yaml
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"ICB QHL\t{BSOL}\t3 practices\t2026-07\tgp-reg-pat-prac-map.zip:gp-reg-pat-prac-map.csv",
        "M85001 M85002 M85003"]


def test_cli_unknown_area_exits_2_with_one_line(tmp_path):
    path = _zip(tmp_path, _map_rows(), MAP_HEADER)
    res = invoke("areas", path, "--find", "birmingam")
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [f"error: unknown area 'birmingam': did you mean '{BSOL}' "
                                       "(ICB QHL)?"]
    res = invoke("areas", path, "--kind", "ccg")
    assert res.exit_code == 2 and "no ccg areas" in res.stderr
    res = invoke("areas", tmp_path / "missing.zip")
    assert res.exit_code == 1 and res.stderr.splitlines() == ["error: missing.zip: file not found"]


# ---------------------------------------------------------------------------------------------
# The July 2026 Patients Registered map
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_map():
    with zipfile.ZipFile(MAP_ZIP) as zf, zf.open("gp-reg-pat-prac-map.csv") as fh:
        rows = list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig")))
    # a local mapping of the file's columns (the package's reader is not used here)
    names = {"PRACTICE_CODE": "practice_code", "PCN_CODE": "pcn_code", "PCN_NAME": "pcn_name",
             "SUB_ICB_LOCATION_CODE": "sub_icb_code", "SUB_ICB_LOCATION_NAME": "sub_icb_name",
             "ICB_CODE": "icb_code", "ICB_NAME": "icb_name", "COMM_REGION_CODE": "region_code",
             "COMM_REGION_NAME": "region_name"}
    table = pd.DataFrame(rows)[list(names)].rename(columns=names)
    return rows, hierarchy(table, "2026-07", MAP_ZIP.name)


@real
def test_real_map_icb_practices_match_the_csv_module(real_map):
    rows, h = real_map
    icb = sorted({r["ICB_CODE"] for r in rows})[len(rows) % 7]
    expected = tuple(sorted({r["PRACTICE_CODE"] for r in rows if r["ICB_CODE"] == icb}))
    assert h.practices("icb", icb) == expected
    name = next(r["ICB_NAME"] for r in rows if r["ICB_CODE"] == icb)
    match = find_area(h, name)
    assert (match.kind, match.code, match.practices) == ("icb", icb, expected)
    short = name.removeprefix("NHS ").removesuffix(" Integrated Care Board")
    assert find_area(h, short.lower()).code == icb
    assert find_area(h, "-".join(short.lower().split()) + "-icb").code == icb
    counts = h.areas("icb").set_index("code")["n_practices"]
    assert counts.sum() == len({r["PRACTICE_CODE"] for r in rows})


@real
def test_real_map_sub_icb_shares_the_icb_name(real_map):
    rows, h = real_map
    subs = {r["SUB_ICB_LOCATION_CODE"]: r for r in rows}
    code, row = next((c, r) for c, r in sorted(subs.items())
                     if sum(x["ICB_CODE"] == r["ICB_CODE"] for x in subs.values()) == 1)
    short = row["ICB_NAME"].removeprefix("NHS ").removesuffix(" Integrated Care Board")
    assert find_area(h, short).label == f"ICB {row['ICB_CODE']}"
    sub = find_area(h, f"{short} sub-ICB")
    assert sub.label == f"sub-ICB {code}"
    assert sub.practices == tuple(sorted(r["PRACTICE_CODE"] for r in rows
                                         if r["SUB_ICB_LOCATION_CODE"] == code))
    assert h.parent("sub_icb", code) == ("icb", row["ICB_CODE"])


@real
def test_real_map_through_mapping_frame_and_cli(real_map):
    rows, h = real_map
    got = hierarchy(geo.mapping_frame(MAP_ZIP))
    assert got.period == "2026-07"
    pd.testing.assert_frame_equal(got.areas("sub_icb"), h.areas("sub_icb"))
    res = invoke("areas", MAP_ZIP, "--kind", "region")
    assert res.exit_code == 0, res.output
    assert len(res.stdout.splitlines()) == 1 + len({r["COMM_REGION_CODE"] for r in rows})
