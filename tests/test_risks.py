"""Risk register: RAG thresholds, reader errors, the LLR Figure 15 back-test, heat map, chapter.

The back-test reads the analyst-editable register (``scenarios/llr_risk_register.csv``) and
compares it with a fixture copy of the published risk log
(``tests/fixtures/published/llr_figure15_risk_log.csv``, source in its header): every published
row, its ratings (likelihood x impact) and its level must be reproduced.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.config import ROOT
from analysis.models import risks as rk
from analysis.models import scenarios as sc
from analysis.report import risks as rr
from analysis.report import scenarios as sr
from analysis.report.rendering import Report
from analysis.util.errors import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "published" / "llr_figure15_risk_log.csv"
REGISTER = ROOT / "scenarios" / "llr_risk_register.csv"
HEADER = ",".join(rk.PUBLISHED_COLUMNS)
GOOD = "R1,A risk,4,4,16,Significant,09/10/2017,,LLR,4,4,16,Open"


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, comment="#", dtype={"date_added": str})


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return rk.read_register(REGISTER)


def write(tmp_path: Path, rows: list[str], header: str = HEADER, comments: int = 3) -> Path:
    p = tmp_path / "risks.csv"
    lines = [f"# note {i}" for i in range(comments)] + [header, *rows]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


# -------------------------------------------------------------------------------------------
# Thresholds
# -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("score", "rag", "level"), [
    (1, "Green", "Low"), (3, "Green", "Low"), (4, "Green", "Moderate"), (6, "Green", "Moderate"),
    (8, "Amber", "High"), (9, "Amber", "High"), (12, "Amber", "High"),
    (15, "Red", "Significant"), (16, "Red", "Significant"), (25, "Red", "Significant"),
])
def test_scores_at_the_thresholds(score, rag, level):
    assert rk.rag(score) == rag
    assert rk.level(score) == level


def test_thresholds_are_parameters_and_vectorised():
    assert list(rk.rag([6, 8, 12, 15], amber_from=6, red_from=12)) == ["Amber", "Amber", "Red",
                                                                      "Red"]
    assert list(rk.level([2, 5, 10, 20])) == ["Low", "Moderate", "High", "Significant"]
    assert rr.rag_text() == "green 1-6, amber 8-12, red 15-25"
    assert rr.rag_text(10, 16) == "green 1-9, amber 10-15, red 16-25"


# -------------------------------------------------------------------------------------------
# Back-test: LLR plan Figure 15
# -------------------------------------------------------------------------------------------


def test_fixture_and_register_name_their_source(register):
    head = FIXTURE.read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].startswith("# Source:") and "003_a7fe9c00e2581e36" in head[0]
    assert "Figure 15" in head[1]
    assert "Figure 15" in register.attrs["source"]


def test_register_reproduces_published_rows(register, published):
    assert len(published) == 10
    ours = register.copy()
    for col in ("reviewed_likelihood", "reviewed_impact", "reviewed_rating"):
        ours[col] = ours[col].astype("int64")
    assert_frame_equal(ours.astype({c: object for c in ours.columns if ours[c].dtype != "int64"}),
                       published.fillna("").astype({c: object for c in published.columns
                                                    if published[c].dtype != "int64"}),
                       check_dtype=False)


def test_published_ratings_and_levels_follow_the_bands(published):
    """Ratings are likelihood x impact and levels match the bands for every published row: no
    inconsistency to list (the plan's 9 and 12 are 'High', 15-25 'Significant')."""
    assert (published["original_rating"]
            == published["original_likelihood"] * published["original_impact"]).all()
    assert (published["reviewed_rating"]
            == published["reviewed_likelihood"] * published["reviewed_impact"]).all()
    assert list(rk.level(published["original_rating"])) == published["risk_level"].tolist()


def test_rag_table_sorted_by_score(register):
    t = rk.rag_table(register)
    assert t["risk_id"].tolist() == ["R002", "R010", "R001", "R004", "R006", "R008", "R005",
                                     "R003", "R009", "R007"]
    assert t["score"].tolist() == [25, 20, 16, 16, 16, 16, 15, 12, 12, 9]
    assert t["rag"].value_counts().to_dict() == {"Red": 7, "Amber": 3}
    assert (t["movement"] == "unchanged").all()
    assert rk.overall_rag(t) == "Red"  # the plan's "Risk RAG: Red"


def test_heat_counts(register):
    grid = rk.heat_counts(rk.rag_table(register))
    assert grid.shape == (5, 5) and int(grid.to_numpy().sum()) == 10
    assert grid.loc[4, 4] == 4 and grid.loc[5, 5] == 1 and grid.loc[3, 3] == 1
    assert grid.loc[1].sum() == 0 and grid.loc[2].sum() == 0


# -------------------------------------------------------------------------------------------
# Reviewed scores, movement, status
# -------------------------------------------------------------------------------------------


def test_reviewed_scores_drive_the_table(tmp_path):
    p = write(tmp_path, ["R1,Up,2,3,,,,,,4,4,,Open", "R2,Down,5,5,,,,,,2,3,,Open",
                         "R3,Not reviewed,3,4,,,,,,,,,", "R4,Closed one,5,5,,,,,,,,,Closed"])
    t = rk.rag_table(rk.read_register(p)).set_index("risk_id")
    assert t.loc["R1", ["score", "rag", "movement"]].tolist() == [16, "Red", "up"]
    assert t.loc["R2", ["score", "rag", "movement", "original_score"]].tolist() == [
        6, "Green", "down", 25]
    assert t.loc["R3", ["score", "status", "movement"]].tolist() == [12, "Open", "unchanged"]
    open_ = rk.rag_table(rk.read_register(p), open_only=True)
    assert "R4" not in open_["risk_id"].tolist()
    assert str(rr.summary(rk.rag_table(rk.read_register(p)))).split("<li>")[1].startswith(
        "3 open risks (1 closed)")


def test_optional_columns_may_be_absent(tmp_path):
    p = write(tmp_path, ["R1,Only the required,3,5"],
              header="risk_id,description,original_likelihood,original_impact")
    reg = rk.read_register(p)
    assert reg.loc[0, "original_rating"] == 15 and reg.loc[0, "risk_level"] == "Significant"
    assert reg.loc[0, "status"] == "Open" and pd.isna(reg.loc[0, "reviewed_rating"])


# -------------------------------------------------------------------------------------------
# Bad input -> InputError naming file, line (comments counted) and column
# -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("row", "column", "words"), [
    ("R2,X,0,4,,,,,,,,,", "original_likelihood", "from 1 to 5"),
    ("R2,X,6,4,,,,,,,,,", "original_likelihood", "from 1 to 5"),
    ("R2,X,4,2.5,,,,,,,,,", "original_impact", "whole number"),
    ("R2,X,4,high,,,,,,,,,", "original_impact", "expected a number"),
    ("R2,X,4,,,,,,,,,,", "original_impact", "blank"),
    ("R2,X,4,4,,,,,,7,4,,", "reviewed_likelihood", "from 1 to 5"),
    ("R2,X,4,4,,,,,,3,0,,", "reviewed_impact", "from 1 to 5"),
    ("R2,X,4,4,,,,,,3,,,", "reviewed_impact", "both"),
    ("R2,X,4,4,15,,,,,,,,", "original_rating", "4 x impact 4 = 16"),
    ("R2,X,4,4,,,,,,3,3,12,", "reviewed_rating", "3 x impact 3 = 9"),
    ("R2,X,4,3,,Significant,,,,,,,", "risk_level", "'High'"),
    ("R2,X,4,4,,,2017-10-09,,,,,,", "date_added", "09/10/2017"),
    ("R2,X,4,4,,,,,,,,,Pending", "status", "Open or Closed"),
    ("R2,,4,4,,,,,,,,,", "description", "blank"),
    (",X,4,4,,,,,,,,,", "risk_id", "blank"),
    ("R1,X,4,4,,,,,,,,,", "risk_id", "more than once"),
])
def test_bad_values(tmp_path, row, column, words):
    p = write(tmp_path, [GOOD, row])
    with pytest.raises(InputError) as e:
        rk.read_register(p)
    assert (e.value.row, e.value.column) == (6, column)
    assert words in str(e.value) and "risks.csv" in str(e.value)


@pytest.mark.parametrize("missing", rk.REQUIRED)
def test_missing_required_column(tmp_path, missing):
    cols = [c for c in rk.PUBLISHED_COLUMNS if c != missing]
    values = dict(zip(rk.PUBLISHED_COLUMNS, GOOD.split(","), strict=True))
    p = write(tmp_path, [",".join(values[c] for c in cols)], header=",".join(cols))
    with pytest.raises(InputError, match="required column missing") as e:
        rk.read_register(p)
    assert (e.value.row, e.value.column) == (4, missing)


def test_hash_inside_a_value_is_kept(tmp_path):
    p = write(tmp_path, ['R1,"Risk #1, with a comma",2,2,,,,,,,,,'])
    assert rk.read_register(p).loc[0, "description"] == "Risk #1, with a comma"


def test_empty_register(tmp_path):
    with pytest.raises(InputError, match="no risks") as e:
        rk.read_register(write(tmp_path, []))
    assert e.value.row == 4


# -------------------------------------------------------------------------------------------
# Heat map and the chapter
# -------------------------------------------------------------------------------------------


def test_heat_map_cells_and_colours(register):
    t = rk.rag_table(register)
    fig = rr.heat_map(t, "Risks")
    ax = fig.axes[0]
    cells = [p for p in ax.patches if p.get_width() == 1]
    assert len(cells) == 25
    texts = [x.get_text() for x in ax.texts]
    assert "4 risks\nR001 R004\nR006 R008" in texts and "1 risk\nR002" in texts
    assert "25 R" in texts and "6 G" in texts and "8 A" in texts and "15 R" in texts
    red = [p for p in cells if p.get_xy() == (4.5, 4.5)][0]  # impact 5, likelihood 5
    green = [p for p in cells if p.get_xy() == (0.5, 0.5)][0]
    assert red.get_facecolor()[:3] != green.get_facecolor()[:3]
    assert ax.get_xlabel() == "Impact (consequence)" and ax.get_ylabel() == "Likelihood"
    plt.close(fig)
    alt = rr.heat_alt(t)
    assert "likelihood 4 x impact 4 = 16 (Red): R001, R004, R006, R008" in alt
    assert "7 red, 3 amber, 0 green" in alt


def test_chapter_shows_the_risk_heat_map_for_llr_only(tmp_path):
    ctx = sc.load_context("llr", draws=200)
    assert ctx.risks is not None and sr.section_md(ctx, "risks").startswith("### Workforce")
    rpt = Report(tmp_path, chapter=3)
    out = sr.risks_section(ctx, rpt).html()
    assert "Figure 3.1." in out and "Table 3.1." in out and "5 by 5 heat map" in out
    assert "overall RAG Red" in out
    saved = pd.read_csv(tmp_path / "tables" / "scenario_risk_register.csv")
    assert saved["risk_id"].iloc[0] == "R002" and saved["score"].is_monotonic_decreasing
    assert (tmp_path / "charts" / "scenario_risk_heatmap.png").exists()
    sr.record(ctx, rpt)
    meta = rpt.meta()
    assert "risk register" in meta["inputs"]["Scenario models"]
    assert any("green 1-6, amber 8-12, red 15-25" in c
               for c in meta["caveats"]["Scenario models: funding and risks"])
    other = sc.load_context("black-country", draws=200)
    assert other.risks is None and not sr.risks_section(other, Report(tmp_path / "bc"))


def test_register_facts_and_bands(register):
    t = rk.rag_table(register)
    f = rk.register_facts(t)
    assert f["counts"] == {"Red": 7, "Amber": 3, "Green": 0} and f["overall"] == "Red"
    assert f["n_open"] == len(t) - f["n_closed"]
    assert rk.rag_bands() == {"Green": (1, 6), "Amber": (8, 12), "Red": (15, 25)}
    cells = rk.heat_cells(t)
    assert cells["score"].is_monotonic_decreasing


def test_summary_escapes_text_from_the_register(tmp_path):
    p = write(tmp_path, ['R1,Pay <b>and</b> terms,5,5,25,Significant,09/10/2017,,LLR,5,5,25,Open'])
    out = str(rr.summary(rk.rag_table(rk.read_register(p))))
    assert "Pay &lt;b&gt;and&lt;/b&gt; terms" in out
