"""General Practice funding trajectories: back-test of LLR Table 17, arithmetic, reader errors.

The back-test rebuilds Table 17 from the analyst-editable inputs (``scenarios/llr_funding.csv``)
and compares it, cell by cell after rounding as published, with a fixture copy of the published
table (``tests/fixtures/published/llr_table17_funding_trajectories.csv``, source in its header).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from analysis.config import ROOT
from analysis.models import funding as fd
from analysis.models import scenarios as sc
from analysis.report import funding as rf
from analysis.report import scenarios as sr
from analysis.report.rendering import Report
from analysis.util.errors import InputError
from analysis.validation.funding import compare_published

FIXTURE = Path(__file__).parent / "fixtures" / "published" / "llr_table17_funding_trajectories.csv"
INPUTS = ROOT / "scenarios" / "llr_funding.csv"
HEADER = "year,ccg,area,allocation_k,cocommissioning_k,discretionary_k"


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, comment="#")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return fd.funding_table(fd.read_funding(INPUTS))


def write(tmp_path: Path, rows: list[str], header: str = HEADER, comments: int = 2) -> Path:
    p = tmp_path / "funding.csv"
    lines = [f"# comment {i}" for i in range(comments)] + [header, *rows]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


# -------------------------------------------------------------------------------------------
# Back-test: LLR plan Table 17
# -------------------------------------------------------------------------------------------


def test_fixture_names_its_source():
    head = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("# Source:") and "003_a7fe9c00e2581e36" in head
    assert "Table 17" in FIXTURE.read_text(encoding="utf-8").splitlines()[1]


def test_input_file_names_its_source():
    text = INPUTS.read_text(encoding="utf-8")
    assert "Table 17" in fd.read_funding(INPUTS).attrs["source"]
    assert "003_a7fe9c00e2581e36.txt" in text


def test_table17_rebuilt_equals_published(table, published):
    assert len(published) == 15
    assert_frame_equal(fd.published_view(table), published, check_dtype=False)


def test_no_published_inconsistencies(table, published):
    """Every published cell is reproduced: totals = co-commissioning + discretionary and both
    percentages = value / allocation, rounded half-up to one decimal place. Nothing to list."""
    diff = compare_published(table, published)
    assert diff.empty, diff.to_string()


def test_compare_lists_a_differing_cell(table, published):
    bad = published.copy()
    bad.loc[(bad["year"] == "2018/19") & (bad["ccg"] == "City"),
            "pct_of_ccg_budget_on_primary_care"] = 11.4
    diff = compare_published(table, bad)
    assert diff[["year", "ccg", "column"]].values.tolist() == [
        ["2018/19", "City", "pct_of_ccg_budget_on_primary_care"]]
    assert diff["published"].iloc[0] == 11.4 and diff["model"].iloc[0] == 11.1


def test_rounded_share_hides_a_shortfall(table):
    """West Leicestershire 2016/17 prints 10.9% but spends 10.86%: £165.1k below the minimum."""
    west = table[(table["ccg"] == "West") & (table["year"] == "2016/17")].iloc[0]
    assert west["share"] == pytest.approx(49740 / 457845)
    assert west["shortfall_minimum_k"] == pytest.approx(0.109 * 457845 - 49740)
    assert west["shortfall_minimum_k"] == pytest.approx(165.105)
    assert not west["meets_minimum"]
    assert fd.published_view(table).loc[2, "pct_of_ccg_budget_on_primary_care"] == 10.9


def test_totals_add_the_ccgs(table):
    ccgs, tot = table[~table["is_total"]], table[table["is_total"]].set_index("year")
    sums = ccgs.groupby("year")[["allocation_k", "spend_k", "shortfall_minimum_k",
                                 "shortfall_aspiration_k"]].sum()
    assert_frame_equal(tot[sums.columns], sums, check_names=False)
    assert tot.loc["2020/21", "allocation_k"] == 1473493
    assert tot.loc["2020/21", "spend_k"] == 166723
    assert tot.loc["2020/21", "share"] == pytest.approx(166723 / 1473493)
    assert list(table["ccg"].iloc[:4]) == ["ELR", "City", "West", "All CCGs"]


def test_findings_state_the_shortfalls(table):
    text = str(rf.findings(table))
    assert "West in 2016/17 (10.86%, £165k short)" in text
    assert "City is £1.2m short of it (11.07%)" in text
    assert "ELR and West reach the 11.3% aspiration" in text


# -------------------------------------------------------------------------------------------
# Arithmetic on small hand-made inputs
# -------------------------------------------------------------------------------------------


def test_shortfall_sign_and_boundaries(tmp_path):
    p = write(tmp_path, ["2016/17,A,,10000,1000,90", "2016/17,B,,10000,1000,130",
                         "2016/17,C,,10000,1000,100"])
    t = fd.funding_table(fd.read_funding(p), total_label=None).set_index("ccg")
    assert t.loc["A", "shortfall_minimum_k"] == pytest.approx(0)
    assert bool(t.loc["A", "meets_minimum"]) and not bool(t.loc["A", "meets_aspiration"])
    assert t.loc["A", "shortfall_aspiration_k"] == pytest.approx(40)
    assert t.loc["B", "shortfall_aspiration_k"] == pytest.approx(0)
    assert bool(t.loc["B", "meets_aspiration"])
    assert t.loc["C", "shortfall_minimum_k"] == pytest.approx(-10)
    assert t.loc["C", "share"] == pytest.approx(0.11)


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(1, 10**6), st.integers(0, 10**5), st.integers(0, 10**4)),
                min_size=1, max_size=6))
def test_properties(rows):
    """Spend = co-commissioning + discretionary; the two shortfalls differ by 0.4% of the
    allocation; a CCG meets a line exactly when its share is at or above it; totals add up."""
    inputs = pd.DataFrame({"year": "2016/17", "ccg": [f"C{i}" for i in range(len(rows))],
                           "area": "", "allocation_k": [float(r[0]) for r in rows],
                           "cocommissioning_k": [float(r[1]) for r in rows],
                           "discretionary_k": [float(r[2]) for r in rows]})
    t = fd.funding_table(inputs)
    assert np.allclose(t["spend_k"], t["cocommissioning_k"] + t["discretionary_k"])
    assert np.allclose(t["shortfall_aspiration_k"] - t["shortfall_minimum_k"],
                       0.004 * t["allocation_k"])
    minimum = fd.share_thresholds()[0]
    clear = (t["share"] - minimum).abs() > 1e-12
    assert ((t["share"] >= minimum) == t["meets_minimum"])[clear].all()
    tot = t[t["is_total"]].iloc[0]
    assert tot["spend_k"] == pytest.approx(t.loc[~t["is_total"], "spend_k"].sum())
    assert tot["share"] == pytest.approx(tot["spend_k"] / tot["allocation_k"])


def test_published_rounding_is_half_up(tmp_path):
    p = write(tmp_path, ["2016/17,A,,20000,2170,0", "2016/17,B,,20000,2169,0"])
    view = fd.published_view(fd.funding_table(fd.read_funding(p)))
    assert view["pct_of_ccg_budget_on_primary_care"].tolist() == [10.9, 10.8]


def test_other_thresholds(tmp_path):
    p = write(tmp_path, ["2016/17,A,,1000,100,0"])
    t = fd.funding_table(fd.read_funding(p), minimum=0.05, aspiration=0.2, total_label=None)
    assert t["shortfall_minimum_k"].iloc[0] == pytest.approx(-50)
    assert t["shortfall_aspiration_k"].iloc[0] == pytest.approx(100)


def test_years_sorted_and_thousands_separators(tmp_path):
    p = write(tmp_path, ['2017/18,A,,"1,000",10,0', '2016/17,A,,"2,000",10,0'])
    t = fd.funding_table(fd.read_funding(p))
    assert t["year"].tolist() == ["2016/17", "2016/17", "2017/18", "2017/18"]
    assert t["allocation_k"].tolist() == [2000, 2000, 1000, 1000]


# -------------------------------------------------------------------------------------------
# Reader errors: file, line (comments counted) and column
# -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("row", "column", "words"), [
    ("2016-17,A,,1000,10,0", "year", "financial year"),
    ("2016/18,A,,1000,10,0", "year", "financial year"),
    ("2016/17,,,1000,10,0", "ccg", "blank"),
    ("2016/17,A,,lots,10,0", "allocation_k", "expected a number"),
    ("2016/17,A,,1000,-1,0", "cocommissioning_k", ">= 0"),
    ("2016/17,A,,1000,10,", "discretionary_k", "blank"),
    ("2016/17,A,,0,10,0", "allocation_k", "allocation is 0"),
])
def test_bad_values_name_line_and_column(tmp_path, row, column, words):
    p = write(tmp_path, ["2016/17,Z,,1000,10,0", row])
    with pytest.raises(InputError) as e:
        fd.read_funding(p)
    assert e.value.row == 5 and e.value.column == column
    assert words in str(e.value) and "funding.csv" in str(e.value)


def test_missing_column(tmp_path):
    p = write(tmp_path, ["2016/17,A,1000,10"], header="year,ccg,allocation_k,cocommissioning_k")
    with pytest.raises(InputError) as e:
        fd.read_funding(p)
    assert e.value.row == 3 and e.value.column == "discretionary_k"


def test_duplicate_row_and_wrong_field_count(tmp_path):
    p = write(tmp_path, ["2016/17,A,,1000,10,0", "2016/17,A,,1000,10,0"])
    with pytest.raises(InputError, match="more than once") as e:
        fd.read_funding(p)
    assert e.value.row == 5
    p = write(tmp_path, ["2016/17,A,,1,000,10,0"])
    with pytest.raises(InputError, match="7 fields, the header 6") as e:
        fd.read_funding(p)
    assert e.value.row == 4


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        fd.read_funding(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="no rows") as e:
        fd.read_funding(write(tmp_path, []))
    assert e.value.row == 3


# -------------------------------------------------------------------------------------------
# Chart and the chapter
# -------------------------------------------------------------------------------------------


def test_chart_has_both_lines_and_labels(table):
    fig = rf.funding_chart(table, "Share of allocation")
    ax = fig.axes[0]
    flat = [ln for ln in ax.get_lines() if len(set(np.asarray(ln.get_ydata(), float))) == 1]
    assert sorted(round(float(ln.get_ydata()[0]), 6) for ln in flat) == [10.9, 11.3]
    assert ax.get_title(loc="left") == "Share of allocation"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2016/17", "2017/18", "2018/19",
                                                            "2019/20", "2020/21"]
    west = [ln for ln in ax.get_lines() if ln.get_label() == "West"][0]
    assert np.allclose(west.get_ydata()[:2], [49740 / 457845 * 100, 50706 / 466838 * 100])
    plt.close(fig)
    alt = rf.chart_alt(table)
    assert "West: 2016/17 10.86%" in alt and "11.3% aspiration" in alt


def test_chapter_shows_table17_for_llr_only(tmp_path):
    ctx = sc.load_context("leicester-city", draws=200)
    assert ctx.funding is not None and sr.section_md(ctx, "funding").startswith("### Funding")
    rpt = Report(tmp_path, chapter=3)
    out = sr.funding_section(ctx, rpt).html()
    assert "Table 3.1." in out and "Figure 3.1." in out and 'alt="Line chart' in out
    saved = pd.read_csv(tmp_path / "tables" / "scenario_funding.csv")
    assert (tmp_path / "charts" / "scenario_funding_share.png").stat().st_size > 0
    city = saved[saved["ccg"] == "Leicester City"]
    assert len(city) == 5 and city["spend_k"].tolist() == [54146, 54285, 55425, 56864, 58538]
    assert 'class="num own-area"' in out  # the report's own CCG, in bold
    other = sc.load_context("wolverhampton", draws=200)
    assert other.funding is None and sr.section_md(other, "funding") == ""
    assert not sr.funding_section(other, Report(tmp_path / "bc"))


def test_funding_facts_are_numbers_for_the_findings(table):
    f = fd.funding_facts(table)
    assert (f["first"], f["last"]) == ("2016/17", "2020/21")
    assert [c for c, _, _ in f["ends"]] == ["ELR", "City", "West"]
    assert {"ccg": "West", "year": "2016/17"}.items() <= f["below"][0].items()
    assert f["hidden"] == len(f["below"]) == 2 and f["meet"] == ["ELR", "West"]
    assert f["total"] is not None
    assert [r["ccg"] for r in f["miss"]] == ["City"]
