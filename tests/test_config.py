"""Tests for :mod:`analysis.config` and :mod:`analysis.settings`: the typed control panel
(one-line errors naming the file and the key), the files it names, the area registry and slug
resolution."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from analysis.config import (
    CONFIG_FILE,
    MAX_SLUG_LENGTH,
    PUBLISHED,
    ROOT,
    input_path,
    input_paths,
    load_settings,
    published_tables,
    registry,
    resolve_area,
    returns_lookup,
    settings,
    stp_members,
)
from analysis.io.returns import load_lookup
from analysis.settings import Settings
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


def _cfg(**overrides) -> Settings:
    """The project config with a one-STP, one-CCG registry and ``overrides`` (raw sections)."""
    raw = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    raw.update(stps={"s": {"name": "S STP", "short_name": "S", "code": "E54"}},
               ccgs={"c": {"name": "C CCG", "short_name": "C", "code": "01A", "stp": "s"}},
               inputs={**raw["inputs"], "gpw_summary": "data/x.csv",
                       "gpw_indicators": "/tmp/y.csv", "staff_records": None},
               returns={}, constants={**raw["constants"], "gp_wte_target_2020": {}},
               scenarios={k: v for k, v in raw["scenarios"].items()
                          if k not in ("files", "funding", "risks")},
               urgent_care={})
    raw.update(overrides)
    return Settings.model_validate(raw)


def test_registry_with_custom_config():
    areas = registry(_cfg())
    assert areas["s"].members == ("01A",)
    assert areas["c"].successor == {}
    assert resolve_area("S", cfg=_cfg()).kind == "stp"


def test_ccg_with_unknown_stp_is_one_line_naming_the_key(tmp_path):
    msg = _error_of(tmp_path, lambda c: c["ccgs"]["walsall"].update(stp="nope"))
    assert msg == ("ccgs.walsall.stp: unknown STP 'nope' (expected one of: "
                   "black-country, llr)")


@pytest.mark.parametrize("key, expected", [
    ("gpw_summary", ROOT / "data" / "x.csv"),
    ("staff_records", None),
])
def test_input_path(key, expected):
    assert input_path(key, _cfg()) == expected


def test_input_path_absolute():
    assert str(input_path("gpw_indicators", _cfg())) == "/tmp/y.csv"


def test_input_path_unknown_key():
    with pytest.raises(ConfigError, match="unknown input 'missing'; expected one of: "
                                          "practice_reference, gpw_summary"):
        input_path("missing")


def test_input_paths_are_absolute():
    paths = input_paths()
    assert list(paths) == ["practice_reference", "gpw_summary", "gpw_indicators",
                           "staff_records"]
    assert all(p is None or p.is_absolute() for p in paths.values())


# ============================================================================================
# The typed settings: the project file, and one-line errors for a bad copy of it
# ============================================================================================
def test_project_config_loads_into_typed_settings():
    s = settings()
    assert s.ccgs["wolverhampton"].code == "06A"
    assert s.stps["llr"].successor["icb_name"] == (
        "NHS Leicester, Leicestershire and Rutland ICB")
    assert s.snapshots.summary == dt.date(2017, 6, 30)
    assert s.inputs.gpw_summary == Path("data/raw/demo/gpw_practice_level_detailed_2017-06.csv")
    assert s.returns.stps["llr"].periods == ["2015-09", "2017-03", "2017-10"]
    assert s.returns.rules.sessions_per_wte == 9.0
    assert s.report.disclosure.suppress_below == 5
    assert s.scenarios.draws == 10_000 and s.scenarios.uncertainty_mode == "annual"
    assert s.scenarios.finance.gp_cost_per_wte == 112_000
    assert (s.constants.risk_rag.amber_from, s.constants.risk_rag.red_from) == (8, 15)
    assert s.urgent_care.period.end == dt.date(2025, 3, 31)
    assert settings() is s  # read once


def test_quoted_date_reads_as_a_date(tmp_path):
    path = _write(tmp_path, lambda c: c["snapshots"].update(summary="2017-06-30"))
    assert load_settings(path).snapshots.summary == dt.date(2017, 6, 30)


def test_settings_are_read_only():
    with pytest.raises(Exception, match="frozen"):
        settings().report.disclosure.suppress_below = 0


def _write(tmp_path: Path, edit=None, text: str | None = None) -> Path:
    """A copy of config/config.yaml with one edit (on the parsed YAML) or the given text."""
    path = tmp_path / "config.yaml"
    if text is None:
        raw = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
        if edit is not None:
            edit(raw)
        text = yaml.safe_dump(raw, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _error_of(tmp_path: Path, edit=None, text: str | None = None) -> str:
    path = _write(tmp_path, edit, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    msg = str(info.value)
    assert "\n" not in msg and "\r" not in msg and len(msg.splitlines()) == 1
    assert "Traceback" not in msg and "pydantic" not in msg and "errors.pydantic.dev" not in msg
    assert msg.startswith(f"{path}: ") or msg.startswith(f"{path.name}: ")
    return msg.split(": ", 1)[1] if msg.startswith(f"{path}: ") else msg


def test_unedited_copy_loads(tmp_path):
    assert load_settings(_write(tmp_path)) == settings()


def _pop(section, key, new=None):
    def edit(raw):
        value = raw[section].pop(key)
        if new is not None:
            raw[section][new] = value
    return edit


@pytest.mark.parametrize("edit, expected", [
    pytest.param(_pop("report", "notebooks", "notebook"), "report.notebook: unknown key (did "
                 "you mean 'notebooks'?)", id="misspelt-report-key"),
    pytest.param(lambda c: c["report"].update(jobs=2), "report.jobs: unknown key",
                 id="extra-report-key"),
    pytest.param(lambda c: c["ccgs"]["dudley"].update(shortname="D"),
                 "ccgs.dudley.shortname: unknown key", id="misspelt-ccg-key"),
    pytest.param(lambda c: c["returns"]["rules"].update(sesions_per_wte=9),
                 "returns.rules.sesions_per_wte: unknown key", id="misspelt-rule"),
    pytest.param(lambda c: c.update(scenario=c.pop("scenarios")),
                 "scenario: unknown key (did you mean 'scenarios'?)",
                 id="misspelt-section"),
])
def test_misspelt_key_is_one_line_naming_file_and_key(tmp_path, edit, expected):
    assert _error_of(tmp_path, edit).startswith(expected)


@pytest.mark.parametrize("edit, expected", [
    pytest.param(lambda c: c["ccgs"]["wolverhampton"].update(code=12),
                 "ccgs.wolverhampton.code: expected text, got 12", id="code-number"),
    pytest.param(lambda c: c["scenarios"].update(draws="many"),
                 "scenarios.draws: expected a whole number, got 'many'", id="draws-text"),
    pytest.param(lambda c: c["scenarios"].update(draws=0),
                 "scenarios.draws: expected a number >= 1, got 0", id="draws-zero"),
    pytest.param(lambda c: c["report"]["disclosure"].update(suppress_below=-1),
                 "report.disclosure.suppress_below: expected a number >= 0, got -1",
                 id="negative-threshold"),
    pytest.param(lambda c: c["returns"]["stps"]["llr"].update(period="Oct 2017"),
                 "returns.stps.llr.period: expected a month written YYYY-MM", id="bad-period"),
    pytest.param(lambda c: c["returns"]["stps"]["llr"].update(periods=["2015-09", "2017-13"]),
                 "returns.stps.llr.periods[1]: expected a month written YYYY-MM",
                 id="bad-period-in-list"),
    pytest.param(lambda c: c["snapshots"].update(summary=20170630),
                 "snapshots.summary: expected a date written YYYY-MM-DD, got 20170630",
                 id="date-as-number"),
    pytest.param(lambda c: c["snapshots"].update(summary="June 2017"),
                 "snapshots.summary: expected a date written YYYY-MM-DD, got 'June 2017'",
                 id="bad-date"),
    pytest.param(lambda c: c["scenarios"].update(uncertainty_mode="yearly"),
                 "scenarios.uncertainty_mode: expected 'annual' or 'published', got 'yearly'",
                 id="bad-choice"),
    pytest.param(lambda c: c["constants"]["primary_care_share"].update(minimum=10.9),
                 "constants.primary_care_share.minimum: expected a number <= 1, got 10.9",
                 id="share-as-percent"),
    pytest.param(lambda c: c["constants"]["risk_rag"].update(amber_from=15, red_from=8),
                 "constants.risk_rag: red_from (8) must be above amber_from (15)",
                 id="rag-order"),
    pytest.param(lambda c: c["report"].update(notebooks="notebooks/01_clean_returns.ipynb"),
                 "report.notebooks: expected a list, got", id="list-as-text"),
    pytest.param(lambda c: c["urgent_care"]["contracts"].update(wolverhampton="111X"),
                 "urgent_care.contracts.wolverhampton: unknown STP", id="unknown-stp-key"),
])
def test_wrong_type_is_one_line_naming_file_key_and_expected(tmp_path, edit, expected):
    assert _error_of(tmp_path, edit).startswith(expected)


@pytest.mark.parametrize("text, expected", [
    pytest.param("stps:\n  llr: [unclosed\nccgs: {}\n", "line 3: not valid YAML",
                 id="unclosed-list"),
    pytest.param("stps:\n  a: 1\n b: 2\n", "line 3: not valid YAML", id="bad-indent"),
    pytest.param("report:\n\tjobs: 2\n", "line 2: not valid YAML", id="tab"),
    pytest.param("", "expected a mapping of sections, got nothing (null)", id="empty"),
    pytest.param("- a\n- b\n", "expected a mapping of sections, got a list", id="a-list"),
])
def test_yaml_syntax_error_is_one_line_naming_the_file(tmp_path, text, expected):
    assert _error_of(tmp_path, text=text).startswith(expected)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="absent.yaml: file not found"):
        load_settings(tmp_path / "absent.yaml")


def test_project_file_is_named_relative_to_the_root():
    from analysis.config import shown_path

    assert shown_path(CONFIG_FILE) == "config/config.yaml"


# ============================================================================================
# The files the config names: returns lookup and published figures
# ============================================================================================
def test_returns_lookup_is_typed():
    lookup = returns_lookup()
    assert lookup.roles["gp partner"] == ["GP", "Partner"]
    assert lookup.genders["female"] == "F"
    assert "sex" in lookup.columns["gender"]


@pytest.mark.parametrize("edit, expected", [
    pytest.param(lambda r: r["genders"].update(woman="W"), "genders.woman: expected 'F', 'M' or "
                 "'U', got 'W'", id="bad-gender"),
    pytest.param(lambda r: r["roles"].update({"gp trainee": ["GP"]}), "roles.gp trainee: list "
                 "should have at least 2 items", id="role-without-group"),
    pytest.param(lambda r: r.update(role={}), "role: unknown key", id="misspelt-section"),
    pytest.param(lambda r: r["columns"].update(postcode=["post code"]),
                 "columns.postcode: unknown column", id="unknown-canonical-column"),
])
def test_bad_returns_lookup_is_one_line(tmp_path, edit, expected):
    src = ROOT / "config" / "returns_lookup.yaml"
    raw = yaml.safe_load(src.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "returns_lookup.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_lookup(path)
    msg = str(info.value)
    assert len(msg.splitlines()) == 1 and "Traceback" not in msg
    assert msg.startswith(f"{path}: {expected}")


def test_published_tables_are_typed():
    tables = published_tables(PUBLISHED / "llr_workforce_plan.yaml").tables()
    assert list(tables) == ["table2", "table3", "table4", "table8", "table9", "table10"]
    assert tables["table4"].target_2020 == 639
    assert tables["table3"].rows[-1][0] == "LLR STP Total"


@pytest.mark.parametrize("edit, expected", [
    pytest.param(lambda r: r["table2"]["rows"][1].pop(), "table2: rows[1] has 6 values, "
                 "expected 7 (one per column)", id="short-row"),
    pytest.param(lambda r: r["table4"].update(target=639), "table4.target: unknown key",
                 id="misspelt-key"),
    pytest.param(lambda r: r["table9"]["rows"][0].__setitem__(2, [46.1]),
                 "table9.rows[0][2]: expected text, a number or nothing, got a list",
                 id="list-in-a-cell"),
])
def test_bad_published_file_is_one_line(tmp_path, edit, expected):
    raw = yaml.safe_load((PUBLISHED / "llr_workforce_plan.yaml").read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "published.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        published_tables(path)
    msg = str(info.value)
    assert len(msg.splitlines()) == 1 and "Traceback" not in msg
    assert msg.startswith(f"{path}: {expected}")
