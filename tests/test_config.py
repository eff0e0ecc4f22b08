"""Tests for :mod:`analysis.config`: the area registry and slug resolution."""

from __future__ import annotations

import pytest

from analysis.config import (
    MAX_SLUG_LENGTH,
    ROOT,
    input_path,
    load_config,
    registry,
    resolve_area,
    stp_members,
)
from analysis.util.errors import ConfigError

CCG_SLUGS = ["dudley", "sandwell-and-west-birmingham", "walsall", "wolverhampton",
             "east-leicestershire-and-rutland", "leicester-city", "west-leicestershire"]
STP_SLUGS = ["black-country", "llr"]


def _error(value, kind=None) -> str:
    with pytest.raises(ConfigError) as info:
        resolve_area(value, kind=kind)
    return str(info.value)


# ============================================================================================
# resolve_area
# ============================================================================================
RESOLVE_OK = [
    # typed value, kind, slug, kind of area, code
    ("wolverhampton", None, "wolverhampton", "ccg", "06A"),
    (" Wolverhampton ", None, "wolverhampton", "ccg", "06A"),
    ("WOLVERHAMPTON", "ccg", "wolverhampton", "ccg", "06A"),
    ("\twolverhampton\n", "ccg", "wolverhampton", "ccg", "06A"),
    ("black-country", "stp", "black-country", "stp", "E54000010"),
    ("Black-Country", None, "black-country", "stp", "E54000010"),
    ("llr", "stp", "llr", "stp", "E54000015"),
    ("leicester-city", "ccg", "leicester-city", "ccg", "04C"),
]


@pytest.mark.parametrize("value, kind, slug, area_kind, code", RESOLVE_OK)
def test_resolve_area(value, kind, slug, area_kind, code):
    area = resolve_area(value, kind=kind)
    assert (area.slug, area.kind, area.code) == (slug, area_kind, code)


def test_resolve_area_ccg_fields():
    area = resolve_area("wolverhampton")
    assert area.name == "NHS Wolverhampton CCG"
    assert area.short_name == "Wolverhampton"
    assert area.stp == "black-country"
    assert area.members == ("06A",)


def test_resolve_area_stp_members():
    area = resolve_area("black-country", kind="stp")
    assert area.members == ("05C", "05L", "05Y", "06A")
    assert area.stp == "black-country"


def test_typo_suggests_closest_slug_in_one_line():
    msg = _error("wolverhamton")
    assert "\n" not in msg and len(msg.splitlines()) == 1
    assert "Did you mean 'wolverhampton'?" in msg
    assert msg.startswith("unknown area 'wolverhamton'.")
    valid = msg.split("Valid area slugs: ", 1)[1].split(", ")
    assert valid == CCG_SLUGS + STP_SLUGS


@pytest.mark.parametrize("value, kind, label, valid", [
    pytest.param("wolverhampton", "stp", "STP", STP_SLUGS, id="stp-rejects-ccg"),
    pytest.param("dudley", "stp", "STP", STP_SLUGS, id="stp-rejects-dudley"),
    pytest.param("llr", "ccg", "CCG", CCG_SLUGS, id="ccg-rejects-stp"),
    pytest.param("black-country", "ccg", "CCG", CCG_SLUGS, id="ccg-rejects-black-country"),
])
def test_kind_restricts_valid_slugs(value, kind, label, valid):
    msg = _error(value, kind)
    assert msg.startswith(f"unknown {label} {value!r}.")
    assert msg.split(f"Valid {label} slugs: ", 1)[1].split(", ") == valid
    assert len(msg.splitlines()) == 1


@pytest.mark.parametrize("value, suggestion", [
    ("wolverhamton", "wolverhampton"),
    ("dudly", "dudley"),
    ("black country", "black-country"),
    ("blackcountry", "black-country"),
    ("leicester", "leicester-city"),
    ("walsal", "walsall"),
])
def test_close_match_suggested(value, suggestion):
    assert f"Did you mean {suggestion!r}?" in _error(value)


@pytest.mark.parametrize("value", ["zzzz", "12345", ""])
def test_no_suggestion_when_nothing_is_close(value):
    msg = _error(value)
    assert "Did you mean" not in msg
    assert "Valid area slugs: dudley," in msg


HOSTILE = [
    pytest.param("../../etc", id="path-traversal"),
    pytest.param("../../etc/passwd", id="path-traversal-file"),
    pytest.param("a" * 5000, id="very-long"),
    pytest.param("$(rm -rf /)", id="command-substitution"),
    pytest.param("x;ls", id="command-separator"),
    pytest.param("`id`", id="backticks"),
    pytest.param("wolver\nhampton", id="newline"),
    pytest.param("x\r\nInjected: yes", id="crlf"),
    pytest.param("\x1b[31mred\x1b[0m", id="ansi-escape"),
    pytest.param("x\u2028y\x85z", id="unicode-line-separators"),
    pytest.param("\x00", id="nul"),
    pytest.param("wölverhampton" * 100, id="long-non-ascii"),
    pytest.param("'\"{}%s%n", id="quotes-and-formats"),
    pytest.param(None, id="none"),
]


@pytest.mark.parametrize("kind", [None, "ccg", "stp"])
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_give_one_short_line(value, kind):
    msg = _error(value, kind)
    assert len(msg.splitlines()) == 1
    assert "\n" not in msg and "\r" not in msg and "\x1b" not in msg and "\x00" not in msg
    assert len(msg) <= 400
    assert msg.isprintable()


def test_long_value_truncated():
    msg = _error("a" * 5000)
    assert "a" * MAX_SLUG_LENGTH + "..." in msg
    assert "a" * (MAX_SLUG_LENGTH + 1) not in msg


# ============================================================================================
# registry and stp_members
# ============================================================================================
def test_stp_members_black_country():
    members = stp_members("black-country")
    assert [a.code for a in members] == ["05C", "05L", "05Y", "06A"]
    assert [a.slug for a in members] == CCG_SLUGS[:4]
    assert all(a.kind == "ccg" and a.stp == "black-country" for a in members)


@pytest.mark.parametrize("stp, codes", [
    ("black-country", ["05C", "05L", "05Y", "06A"]),
    ("llr", ["03W", "04C", "04V"]),
    ("no-such-stp", []),
    ("wolverhampton", []),
])
def test_stp_members_table(stp, codes):
    assert [a.code for a in stp_members(stp)] == codes


def test_registry_llr():
    llr = registry()["llr"]
    assert llr.kind == "stp"
    assert llr.members == ("03W", "04C", "04V")
    assert llr.name == "Leicester, Leicestershire and Rutland STP"


def test_registry_order_and_kinds():
    areas = registry()
    assert list(areas) == CCG_SLUGS + STP_SLUGS
    assert {a.kind for s, a in areas.items() if s in CCG_SLUGS} == {"ccg"}
    assert {a.kind for s, a in areas.items() if s in STP_SLUGS} == {"stp"}
    # every CCG belongs to exactly one STP's member list
    for slug in CCG_SLUGS:
        ccg = areas[slug]
        assert ccg.members == (ccg.code,)
        assert [s for s in STP_SLUGS if ccg.code in areas[s].members] == [ccg.stp]


def _cfg(**overrides) -> dict:
    cfg = {
        "stps": {"s": {"name": "S STP", "short_name": "S", "code": "E54"}},
        "ccgs": {"c": {"name": "C CCG", "short_name": "C", "code": "01A", "stp": "s"}},
        "inputs": {"rel": "data/x.csv", "abs": "/tmp/y.csv", "none": None},
        "snapshots": {},
    }
    cfg.update(overrides)
    return cfg


def test_registry_with_custom_config():
    areas = registry(_cfg())
    assert areas["s"].members == ("01A",)
    assert areas["c"].successor == {}
    assert resolve_area("S", cfg=_cfg()).kind == "stp"


def test_registry_rejects_ccg_with_unknown_stp():
    cfg = _cfg(ccgs={"c": {"name": "C", "short_name": "C", "code": "01A", "stp": "nope"}})
    with pytest.raises(ConfigError, match="CCG 'c' names unknown STP 'nope'"):
        registry(cfg)


def test_numeric_codes_are_text():
    cfg = _cfg(ccgs={"c": {"name": "C", "short_name": "C", "code": 5, "stp": "s"}})
    assert registry(cfg)["c"].code == "5"
    assert registry(cfg)["s"].members == ("5",)


@pytest.mark.parametrize("key, expected", [
    ("rel", ROOT / "data" / "x.csv"),
    ("none", None),
    ("missing", None),
])
def test_input_path(key, expected):
    assert input_path(key, _cfg()) == expected


def test_input_path_absolute():
    assert str(input_path("abs", _cfg())) == "/tmp/y.csv"


# ============================================================================================
# load_config
# ============================================================================================
@pytest.mark.parametrize("text, fragment", [
    ("stps: {}\nccgs: {}\ninputs: {}\n", "missing section 'snapshots'"),
    ("", "missing section 'stps'"),
    ("stps: [unclosed\n", "not valid YAML"),
])
def test_load_config_errors(tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment):
        load_config(path)


def test_load_config_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "absent.yaml")


def test_load_config_project_file_has_sections():
    cfg = load_config()
    assert {"stps", "ccgs", "inputs", "snapshots"} <= set(cfg)
