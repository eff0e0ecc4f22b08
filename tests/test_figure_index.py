"""``docs/figure_index.md`` against the code: paths resolve, tests exist, no name is missing.

Fast: reads the index, imports the named functions and scans ``analysis/**/*.py`` and
``notebooks/*.ipynb`` for the names given to the report's writing methods; no report is run
(``tests/test_report_e2e.py`` checks the files a batch writes against the same index).
"""

from __future__ import annotations

import pytest
from figure_index import (
    INDEX,
    check_all,
    check_coverage,
    check_functions,
    check_tests,
    check_unchecked,
    code_names,
    id_regex,
    names_in_source,
    parse_index,
    unindexed_files,
)


@pytest.fixture(scope="module")
def text() -> str:
    return INDEX.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rows(text):
    rows, errors = parse_index(text)
    assert errors == []
    return rows


def test_index_parses_into_rows(rows):
    assert len(rows) >= 70
    assert {r.kind for r in rows} == {"table", "chart"}
    gp = next(r for r in rows if r.id == "gp_summary")
    assert gp.computed_by == ("analysis.tables.workforce.gp_summary",)
    assert gp.drawn_by == ("analysis.report.workforce.summary_table",)
    assert "tests/test_workforce.py::test_gp_summary_people_counted_once_per_row" in gp.tests


def test_every_function_path_resolves_to_a_callable(rows):
    assert check_functions(rows) == []


def test_every_named_test_exists(rows):
    assert check_tests(rows) == []


def test_unchecked_rows_are_listed_at_the_end(rows, text):
    assert check_unchecked(rows, text) == []


def test_every_name_in_the_code_has_a_row_and_every_row_a_call(rows):
    names, errors = code_names()
    assert errors == []
    assert {"gp_summary", "pyramid_<name>", "uc_flows"} <= {n.id for n in names}
    assert check_coverage(rows, names) == []


def test_the_whole_index_is_consistent(text):
    assert check_all(text) == []


# --- the checks can fail ----------------------------------------------------------------------
def _doctored(text: str) -> str:
    """The index with one function path misspelt, one test renamed and one row removed."""
    lines = text.splitlines()
    out = []
    for line in lines:
        if line.startswith("| `uc_flows` |"):
            continue  # a name the code writes, now missing from the index
        line = line.replace("`analysis.tables.workforce.gp_summary`",
                            "`analysis.tables.workforce.gp_sumary`")
        line = line.replace("`tests/test_workforce.py::test_source_flags_counts`",
                            "`tests/test_workforce.py::test_source_flags_countz`")
        out.append(line)
    return "\n".join(out)


def test_a_doctored_index_fails_with_the_reasons(text):
    errors = check_all(_doctored(text))
    assert any("analysis.tables.workforce.gp_sumary does not resolve" in e for e in errors)
    assert any("defines no 'def test_source_flags_countz'" in e for e in errors)
    assert any("table 'uc_flows' has no row" in e for e in errors)
    assert len(errors) == 3, errors


def test_a_stale_row_and_a_duplicate_are_reported():
    text = "\n".join([
        "## Index", "",
        "| id | kind | chapter | areas | shows | computed by | drawn by | tests |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        "| `gone_table` | table | 2 | all | x | `analysis.tables.workforce.gp_summary` | "
        "`analysis.report.workforce.summary_table` | none |",
        "| `gone_table` | table | 2 | all | x | `analysis.tables.workforce.gp_summary` | "
        "`analysis.report.workforce.summary_table` | none |",
        "| `odd` | figure | 2 | all | x | `os.path.join` | none | `tests/x.py` |",
    ])
    rows, errors = parse_index(text)
    assert any("already on line" in e for e in errors)
    assert any("kind 'figure'" in e for e in errors)
    assert any("'os.path.join', not a dotted analysis path" in e for e in errors)
    assert any("'drawn by' names no" in e for e in errors)
    assert any("'tests/x.py' is not tests/file.py::test_name" in e for e in errors)
    stale = check_coverage(rows, [])
    assert any("'gone_table' is not written by any call in the code (stale row)" in e
               for e in stale)
    assert check_unchecked(rows, text) == [
        "gone_table: no test in the index; list it under '## Not yet checked by a test'"]


def test_a_function_path_that_is_not_callable_is_reported():
    rows, _ = parse_index("\n".join([
        "## Index",
        "| id | kind | chapter | areas | shows | computed by | drawn by | tests |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        "| `x` | table | 2 | all | x | `analysis.report.rendering.PALETTE` | "
        "`analysis.report.nowhere.draw` | none |"]))
    errors = check_functions(rows)
    assert any("analysis.report.rendering.PALETTE is not callable" in e for e in errors)
    assert any("analysis.report.nowhere.draw does not resolve" in e for e in errors)


def test_names_in_source_reads_literals_patterns_and_rejects_the_rest():
    src = "\n".join([
        "rpt.table(df, 'a_table', 'Caption')",
        "rpt.chart(fig, name='a_chart', alt='x', source='y')",
        "rpt.save_table(df, f'pyramid_{group.name}')",
        "html = rpt.figure_html(fig, f'{kind}_map', 'alt', 'src')",
        "rpt.table_html(df, some_variable, 'Caption')",
    ])
    names, errors = names_in_source(src, "x.py")
    assert [(n.id, n.kind) for n in names] == [
        ("a_table", "table"), ("a_chart", "chart"), ("pyramid_<group_name>", "table"),
        ("<kind>_map", "chart")]
    assert errors == ["x.py:5: .table_html() name is not a string or an f-string "
                      "(some_variable); the figure index cannot list it"]


def test_placeholders_match_file_names(rows):
    assert id_regex("pyramid_<name>").match("pyramid_all_staff")
    assert not id_regex("pyramid_<name>").match("pyramid_")
    assert not id_regex("gp_summary").match("gp_summary_2")
    files = [("table", "pyramid_gps"), ("chart", "pyramid_all_staff"), ("table", "gp_summary"),
             ("chart", "gp_summary"), ("table", "made_up")]
    assert unindexed_files(rows, files) == ["chart: gp_summary", "table: made_up"]
