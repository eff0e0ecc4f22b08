"""End to end: the batch runs every area's report (one kernel each); the HTML a reviewer reads.

One batch run (``run_all``) feeds most tests here; a few build single reports to test reruns,
failures and the command line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from figure_index import INDEX, parse_index, unindexed_files

from analysis.config import ROOT, registry, resolve_area
from analysis.report import runner as report
from analysis.report.disclosure import Totals

pytestmark = pytest.mark.e2e

WOLVES = ["44", "277,006", "157", "31", "17", "133.3"]
STP_TOTAL = ["236", "1,442,402", "882", "216", "136", "681.6"]
TABLES = {"gp_summary", "patients_per_fte", "fte_per_1000", "practice_reconciliation",
          "estimate_flags", "indicator_coverage"}


def _rows(html: str) -> list[list[str]]:
    """Table rows as lists of cell texts."""
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def _text(html: str) -> str:
    body = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def batch(demo_batch):
    return demo_batch


@pytest.fixture(scope="module")
def ccg_report(batch):
    path = batch / "wolverhampton" / "report.html"
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def llr_report(batch):
    path = batch / "llr" / "report.html"
    return path, path.read_text(encoding="utf-8")


# --- every area ---------------------------------------------------------------------------
@pytest.mark.parametrize("slug", list(registry()))
def test_every_area_report_is_for_reviewers(batch, slug):
    html = (batch / slug / "report.html").read_text(encoding="utf-8")
    text = _text(html)
    assert "Traceback" not in html and "Warning:" not in text
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)=\"https?://", html), "report must open offline"
    assert 'class="highlight' not in html, "no code cells"
    assert "import " not in text and "display(" not in text, "no code in the report"
    assert str(ROOT) not in html and "/tmp/" not in html, "no machine paths"
    assert str(batch) not in html
    area = registry()[slug]
    assert f"GP workforce: {area.name}" in text
    assert "GP FTE per 1,000 patients" in text and "Summary" in text and "Contents" in text
    assert "Provenance and caveats" in text and "SHA-256" in text
    assert re.search(r"\b[0-9a-f]{64}\b", html), "input checksums shown"


def test_index_lists_every_area_and_its_links_resolve(batch):
    index = (batch / "index.html").read_text(encoding="utf-8")
    links = re.findall(r"href='([^']+)'", index)
    assert sorted(links) == sorted(f"{s}/report.html" for s in registry())
    for link in links:
        assert (batch / link).is_file(), link
    rows = _rows(index)
    wolves = [r for r in rows if r and r[0] == "NHS Wolverhampton CCG"][0]
    assert wolves[2:4] == ["44", "277,006"]


def test_contents_links_point_at_headings(ccg_report):
    _, html = ccg_report
    nav = re.search(r"<nav id='report-toc'>(.*?)</nav>", html, flags=re.S).group(1)
    targets = re.findall(r"href='#([^']+)'", nav)
    assert len(targets) >= 6
    for t in targets:
        assert f'id="{t}"' in html, t


# --- the Black Country table --------------------------------------------------------------
def test_ccg_report_shows_the_published_summary(ccg_report):
    _, html = ccg_report
    rows = _rows(html)
    assert ["NHS Wolverhampton CCG", *WOLVES] in rows
    assert ["Black Country STP", *STP_TOTAL] in rows
    assert ["NHS Dudley CCG", "45", "318,335", "192", "45", "18", "155.4"] in rows
    assert ["Wolverhampton", "2,143", "3,680", "13,619", "7,758", "142,489"] in rows
    assert ["England", "0.48", "0.27", "0.05", "0.11", "0.01"] in rows


def test_summary_opens_the_report(ccg_report):
    _, html = ccg_report
    text = _text(html)
    summary = text[text.index("Summary"):text.index("Contents")]
    assert "Wolverhampton has 0.44 GP WTE per 1,000 patients" in summary
    assert "40.1 WTE short of the national planning ratio of 0.58" in summary
    assert "HEE 80% of over-55s retire within four years" in summary
    assert "Black Country STP model, not apportioned to Wolverhampton" in summary
    assert "Local returns, 2017-06 (Wolverhampton's 44 practices)" in summary
    assert text.index("Status") < text.index("Summary")
    assert text.index("Summary") < text.rindex("Practices and GPs") < text.rindex(
        "Provenance and caveats")


def _summary_cells(html: str) -> dict[str, str]:
    """The board summary's figures by key (``data-figure``), as printed."""
    board = html[html.index('id="board-summary"'):html.index("<nav id='report-toc'>")]
    return {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in
            re.findall(r'data-figure="([^"]+)">(.*?)</(?:td|span)>', board, flags=re.S)}


def _chapter_rows(html: str, name: str) -> list[list[str]]:
    start = html.index(f'data-table="{name}"')
    block = html[start:html.index("</table>", start)]
    return _rows(block[block.index("<tbody>"):])


def _half_up(x: float, dp: int) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    return f"{Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-dp), ROUND_HALF_UP):,}"


@pytest.mark.parametrize("slug", list(registry()))
def test_every_headline_figure_is_the_chapters_figure(batch, slug):
    """Each figure of the summary is printed identically in the chapter table it names; a
    derived one (per 1,000, gap, share) is recomputed here from that table's own CSV; the age
    risk matches the GP age pyramid."""
    from analysis.report import summary as sm
    from analysis.report.rendering import Report

    folder = batch / slug
    html = (folder / "report.html").read_text(encoding="utf-8")
    area = registry()[slug]
    shown = _summary_cells(html)
    figures = sm.headline_figures(area, Report(folder).meta(), folder).figures
    assert "all_per_1000" in shown and set(shown) <= set(figures)
    for key, fig in figures.items():
        if key not in shown or fig.table is None:
            continue
        csv = pd.read_csv(folder / "tables" / f"{fig.table}.csv")
        cell = _chapter_rows(html, fig.table)[fig.row][list(csv.columns).index(fig.column)]
        assert cell == shown[key], (slug, key, cell, shown[key])
    gp = pd.read_csv(folder / "tables" / "gp_summary.csv").set_index("area").loc[area.name]
    assert shown["all_per_1000"] == _half_up(gp["gp_fte"] / gp["patients"] * 1000, 2)
    assert shown["all_gap"] == _half_up(0.58 * gp["patients"] / 1000 - gp["gp_fte"], 1)
    assert shown["all_share_55_plus"] == _half_up(
        gp["gp_hc_55_plus"] / gp["gp_hc"] * 100, 1) + "%"
    if "ret_gp_hc" in shown:
        alt = re.search(r'Population pyramid of GPs[^"]*?: ([\d,]+) people, ([\d,]+) aged 55',
                        html)
        assert (shown["ret_gp_hc"], shown["ret_gp_hc_55_plus"]) == alt.groups()
        total, older = (int(g.replace(",", "")) for g in alt.groups())
        assert shown["ret_share_55_plus"] == _half_up(older / total * 100, 1) + "%"


def test_llr_and_wolverhampton_contradictions_are_reconciled(batch):
    """The figures the issue found contradicting each other now stand on named bases."""
    llr = _summary_cells((batch / "llr" / "report.html").read_text(encoding="utf-8"))
    assert (llr["ret_gp_hc_55_plus"], llr["ret_gp_hc"], llr["ret_share_55_plus"]) == (
        "118", "756", "15.6%")
    assert (llr["ret_per_1000"], llr["ret_gap"]) == ("0.49", "105.3")
    assert (llr["all_per_1000"], llr["all_gap"]) == ("0.52", "64.5")
    wolves = (batch / "wolverhampton" / "report.html").read_text(encoding="utf-8")
    cells = _summary_cells(wolves)
    assert (cells["all_per_1000"], cells["fq_per_1000"], cells["ret_per_1000"]) == (
        "0.48", "0.47", "0.44")
    text = _text(wolves)
    for basis in ("all GPs incl. registrars, retainers and locums",
                  "GPs excl. registrars; practices' local workforce returns",
                  "fully qualified GPs excl. registrars, retainers and locums"):
        assert basis in text


def test_no_staff_level_rows_reach_the_html(ccg_report):
    _, html = ccg_report
    staff = pd.read_csv(ROOT / "data/raw/demo/gp_staff_records_2017-06.csv")
    leaked = [s for s in staff["staff_id"] if s in html]
    assert leaked == []


def test_tables_and_charts_are_written_beside_the_report(ccg_report):
    path, html = ccg_report
    written = {p.stem for p in (path.parent / "tables").glob("*.csv")}
    assert TABLES <= written
    summary = pd.read_csv(path.parent / "tables" / "gp_summary.csv")
    assert summary["gp_fte"].iloc[-1] == pytest.approx(681.6, abs=0.05)
    assert summary["gp_fte"].iloc[-1] != round(summary["gp_fte"].iloc[-1], 1), "unrounded"
    linked = set(re.findall(r'href="tables/([^"]+)\.csv"', html))
    assert TABLES <= linked
    assert linked <= written, "every link resolves"
    charts = list((path.parent / "charts").glob("*.png"))
    assert len(charts) >= 5
    for c in charts:
        assert f'href="charts/{c.name}"' in html, c.name
    assert 'alt="Bar chart of FTE per 1,000 patients' in html


def test_every_written_table_and_chart_is_in_the_figure_index(batch):
    rows, errors = parse_index(INDEX.read_text(encoding="utf-8"))
    assert errors == []
    written = {slug: [("table", p.stem) for p in (batch / slug / "tables").glob("*.csv")]
               + [("chart", p.stem) for p in (batch / slug / "charts").glob("*.png")]
               for slug in registry()}
    assert all(written.values()), "every area writes tables and charts"
    missing = {slug: unindexed_files(rows, files) for slug, files in written.items()}
    assert {slug: m for slug, m in missing.items() if m} == {}, (
        "add a row to docs/figure_index.md for each")


def test_stp_report(batch):
    rows = _rows((batch / "black-country" / "report.html").read_text(encoding="utf-8"))
    assert ["Black Country STP", *STP_TOTAL] in rows


# --- LLR ------------------------------------------------------------------------------------
def test_llr_report_shows_the_plan_tables(llr_report):
    _, html = llr_report
    rows = _rows(html)
    assert ["LLR STP Total", "756", "542", "377", "255", "432", "285", "2,186", "1,592",
            "3,751", "2,674"] in rows
    total9 = [r for r in rows if r[:2] == ["Total", "Total"]]
    assert len(total9) == 1 and total9[0][-1] == "26.0%"
    assert ["LLR", "Headcount", "8", "37", "52", "97"] in rows
    assert ["LLR", "WTE", "4.36", "7.82", "27.26", "39.44"] in rows
    for period, wte in (("2015-09", "563"), ("2017-03", "565")):
        assert [period, wte, ""] in rows
    assert ["2017-10", "541", "639"] in rows


def test_llr_report_has_data_quality_and_published_differences(llr_report):
    _, html = llr_report
    text = _text(html)
    assert "119 practices returned" in text and "18 were carried forward" in text
    assert "1 estimated" in text
    assert "published total differs from the sum of its own rows (27.26)" in text
    assert "published figure differs from its own components (they sum to 807)" in text
    assert re.search(r"10,858 raw rows.*2,744 kept.*7,963 corrected.*151 quarantined", text)


def test_wolverhampton_report_adds_groups_and_turnover(ccg_report):
    path, html = ccg_report
    text = _text(html)
    assert "Workforce by practice group" in text
    assert "Monthly headcount, joiners, leavers and turnover" in text
    assert "Eligibility of each practice group" in text
    for name in ("practice_groups", "turnover", "cluster_stocktake", "cluster_vacancies",
                 "returns_status", "returns_rows_by_rule"):
        assert (path.parent / "tables" / f"{name}.csv").exists(), name


# --- reruns, failures, the command line -----------------------------------------------------
def test_unchanged_rerun_is_skipped_and_force_rebuilds(tmp_path):
    area = resolve_area("walsall", "ccg")
    first = report.run_area(area, tmp_path, force=True)
    stamp = first.stat().st_mtime_ns
    again = report.run_area(area, tmp_path, force=False)
    assert again.stat().st_mtime_ns == stamp, "nothing changed: not rebuilt"
    report.run_area(area, tmp_path, force=True)
    assert first.stat().st_mtime_ns != stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walsall"]


def test_failed_run_keeps_previous_report(tmp_path):
    area = resolve_area("dudley", "ccg")
    good = report.run_area(area, tmp_path)
    before = good.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("PRAC_CODE,CCG_CODE\nM1,05C\n")
    with pytest.raises(report.ReportError, match=r"dudley: .*bad\.csv.*required column missing"):
        report.run_area(area, tmp_path, inputs={"gpw_indicators": str(bad)})
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "dudley"]


def test_a_failing_area_fails_the_batch_and_the_others_are_written(tmp_path):
    """A project copy whose LLR returns folder is missing: LLR areas fail, the rest finish."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("analysis", "notebooks", "scenarios", "docs"):
        (root / name).symlink_to(ROOT / name)
    (root / "data").mkdir()
    (root / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    shutil.copytree(ROOT / "config", root / "config")
    cfg = (root / "config" / "config.yaml").read_text()
    cfg = cfg.replace("folder: data/raw/demo/returns/llr", "folder: data/raw/demo/returns/gone")
    (root / "config" / "config.yaml").write_text(cfg)
    out = tmp_path / "out"
    env = {**os.environ, "GPW_ROOT": str(root)}
    code = ("import sys; from pathlib import Path; from analysis.report import runner as report; "
            f"sys.exit(report.run_all(Path({str(out)!r}), jobs=2, force=True, "
            "areas=['walsall', 'leicester-city']))")
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 1, res.stdout + res.stderr
    assert (out / "walsall" / "report.html").exists()
    assert not (out / "leicester-city").exists()
    assert "leicester-city" in res.stderr and "returns folder not found" in res.stderr
    assert "Traceback" not in res.stderr
    assert "FAILED: leicester-city" in res.stdout
    index = (out / "index.html").read_text()
    assert "failed" in index


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "report", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_unknown_area_exits_non_zero_with_one_line():
    res = _cli("--ccg", "wolverhamton")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Did you mean 'wolverhampton'?" in lines[0] and "dudley" in lines[0]
    assert "Traceback" not in res.stderr


def test_make_report_with_typo_fails_with_the_message():
    res = subprocess.run(["make", "--no-print-directory", "report", "CCG=wolverhamton"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode != 0
    assert "error: unknown CCG 'wolverhamton'. Did you mean 'wolverhampton'?" in res.stderr
    assert "Traceback" not in res.stderr


def test_make_parameters_are_data_never_code(tmp_path):
    """A value typed into a make variable is never run: make passes it literally and the
    command line rejects it in one line; a switch accepts only yes/no values."""
    marker = tmp_path / "ran"
    res = subprocess.run(["make", "--no-print-directory", "report",
                          f"CCG=$(shell touch {marker})x"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 2 and not marker.exists()
    assert res.stderr.splitlines()[0].startswith("error: unknown CCG '$(shell touch /")
    res = subprocess.run(["make", "--no-print-directory", "report", "CCG=walsall",
                          "INTERNAL=maybe"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 2
    assert res.stderr.splitlines()[0].startswith("error: Invalid value for '--internal' "
                                                 "(env var: 'GPW_INTERNAL')")
    res = subprocess.run(["make", "--no-print-directory", "reports", "JOBS=-1"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 2 and "'--jobs'" in res.stderr.splitlines()[0]
    assert "Traceback" not in res.stderr


def test_analyst_mode_shows_code_and_keeps_the_notebook(tmp_path):
    path = report.run_area(resolve_area("walsall", "ccg"), tmp_path, show_code=True)
    html = path.read_text(encoding="utf-8")
    assert "load_workforce" in html and 'class="highlight' in html
    assert (path.parent / "notebooks" / "report.ipynb").exists()


def test_internal_mode_turns_suppression_off(monkeypatch):
    from analysis.report import disclosure as disclosure

    monkeypatch.setenv("GPW_SUPPRESS_BELOW", "0")
    assert disclosure.threshold() == 0 and disclosure.mode() == "internal"
    monkeypatch.delenv("GPW_SUPPRESS_BELOW")
    assert disclosure.threshold() == 5 and disclosure.mode() == "published"


def test_outputs_have_no_staging_left(batch):
    assert [p.name for p in Path(batch).iterdir() if p.name.startswith(".")] == []


def test_no_area_report_emits_a_warning(batch):
    """No chapter writes to stderr (a Python warning, a library's deprecation notice) in any
    area's run: the runner records such text in _meta/warnings.txt."""
    areas = [p for p in Path(batch).iterdir() if (p / "report.html").exists()]
    assert len(areas) == 9
    found = {p.name: (p / report.WARNINGS_FILE).read_text(encoding="utf-8")
             for p in areas if (p / report.WARNINGS_FILE).exists()}
    assert found == {}


def test_chapter_stderr_is_collected_by_chapter():
    import nbformat

    nb = nbformat.v4.new_notebook()
    quiet = nbformat.v4.new_code_cell("1")
    noisy = nbformat.v4.new_code_cell("warn()")
    noisy.metadata["report_chapter"] = "notebooks/02_workforce.ipynb"
    noisy.outputs = [nbformat.v4.new_output("stream", name="stderr",
                                            text="UserWarning: something\n"),
                     nbformat.v4.new_output("stream", name="stdout", text="fine\n")]
    nb.cells = [quiet, noisy]
    assert report.chapter_stderr(nb) == ["[02_workforce.ipynb]\nUserWarning: something"]


def test_a_changed_input_outside_data_raw_changes_the_fingerprint(tmp_path, monkeypatch):
    """Inputs the config names anywhere (not only under data/raw) are part of what a report
    depends on: editing one makes `make reports` rebuild instead of saying 'unchanged'."""
    from analysis.config import named_paths, settings

    outside = tmp_path / "gpw_elsewhere.csv"
    outside.write_text("PRAC_CODE\nA1\n")
    cfg = settings().model_copy(update={
        "inputs": settings().inputs.model_copy(update={"gpw_summary": outside})})
    assert outside in named_paths(cfg)
    monkeypatch.setattr(report, "named_paths", lambda: named_paths(cfg))
    area = resolve_area("walsall", "ccg")
    before = report.fingerprint(area, {"x": 1})
    assert report.fingerprint(area, {"x": 1}) == before
    outside.write_text("PRAC_CODE\nA2\n")
    assert report.fingerprint(area, {"x": 1}) != before


def test_demo_reports_say_synthetic_on_every_page_and_chart(batch):
    """Built from the synthetic demo inputs, every report carries the banner (sticky on screen,
    fixed on every printed page) and every chart the watermark."""
    for area in [p for p in Path(batch).iterdir() if (p / "report.html").exists()]:
        html = (area / "report.html").read_text(encoding="utf-8")
        assert html.count('class="synthetic-banner"') == 1, area.name
        assert html.index('class="synthetic-banner"') < html.index("<h1"), area.name
    assert report.synthetic_inputs() is True
    assert report.synthetic_inputs({"x": "/nowhere/real.csv"}) is True  # config still demo


# --- disclosure: every published-mode report, every table from staff- or case-level data -----
# The equations are rebuilt here from each CSV and what docs/disclosure.md says is published
# beside it (captions, headline totals), independently of the code that protects the tables.
AGE_55_PLUS = ["55-59", "60-64", "65-69", "70+"]


def _pyramid(df):
    df = df.set_index("age_band")
    old = [b for b in df.index if b in AGE_55_PLUS]
    return df, ["F", "M", "U"], Totals(blocks=(tuple(df.index), tuple(old)))


def _practice_groups(df):
    df = df.set_index(["level", "group_type", "group_name"])
    eqs = []
    for gtype in df.index.get_level_values("group_type").unique():
        members = [i for i in df.index if i[0] == "group" and i[1] == gtype]
        sub = [i for i in df.index if i[0] == "group type" and i[1] == gtype]
        if members and sub:
            eqs.append((tuple(members), sub[0]))
    total = [i for i in df.index if i[0] == "total"]
    subs = tuple(i for i in df.index if i[0] == "group type")
    if total:
        eqs.append((subs, total[0]))
    return df, ["gp_headcount", "nurse_headcount", "staff_headcount"], Totals(columns=tuple(eqs))


def _turnover(df):
    return (df.set_index(["period", "staff_group"]), ["joiners", "leavers"], Totals(rows=True))


def _rows_by_rule(df):
    q = tuple(df.index[df["outcome"] == "quarantined"])
    return df, ["rows"], Totals(columns=((q, None),))


def _column_to_a_total_elsewhere(column):
    def spec(df):
        return df, [column], Totals(columns=((tuple(df.index), None),))
    return spec


def _dispositions(df):
    df = df.set_index(["kind", "category"])
    groups = tuple((tuple(g.index), None) for _, g in df.groupby(level="kind", sort=False))
    return df, ["cases"], Totals(columns=groups)


def _locums(df):
    heads = df[df["measure"] == "Headcount"].set_index("ccg")
    cols = ["locum_covering_sickness_maternity_paternity", "locum_covering_vacancy",
            "locum_other", "total"]
    members = tuple(heads.index[:-1])
    return heads, cols, Totals(rows=True, row_total="total",
                               columns=((members, heads.index[-1]),))


STAFF_AND_CASE_TABLES = {
    "pyramid_all_staff": _pyramid, "pyramid_gps": _pyramid,
    "practice_groups": _practice_groups, "turnover": _turnover,
    "returns_rows_by_rule": _rows_by_rule,
    "returns_unknown_labels": lambda df: (df, ["rows"], Totals()),  # its total: below
    "llr_table10_locums": _locums,
    "uc_hour_of_week": _column_to_a_total_elsewhere("cases_in_period"),
    "uc_hour_of_week_blocks": _column_to_a_total_elsewhere("cases_in_period"),
    "uc_seasonality": _column_to_a_total_elsewhere("cases"),
    "uc_day_types": _column_to_a_total_elsewhere("cases"),
    "uc_dispositions_onward": _dispositions,
    "uc_flows": lambda df: (df, ["cases"], Totals()),
}


def test_no_published_table_reveals_a_small_count(batch):
    """No count of 1-4 is shown, and no hidden count is recoverable by arithmetic from the
    table and the totals published beside it, in any area's published-mode report."""
    from analysis.report.disclosure import recoverable, threshold

    assert threshold() == 5  # the batch is published mode
    checked, problems = 0, []
    for folder in sorted(p for p in Path(batch).iterdir() if (p / "tables").is_dir()):
        for name, spec in STAFF_AND_CASE_TABLES.items():
            path = folder / "tables" / f"{name}.csv"
            if not path.exists():
                continue
            df, cols, totals = spec(pd.read_csv(path))
            checked += 1
            for c in cols:
                small = df[c][(df[c] > 0) & (df[c] < 5)]
                problems += [f"{folder.name}/{name}: {c} {i} shows {v:g}"
                             for i, v in small.items()]
            problems += [f"{folder.name}/{name}: {cell} recoverable"
                         for cell in recoverable(df, cols, totals)]
        rules, labels = (folder / "tables" / f"{n}.csv" for n in ("returns_rows_by_rule",
                                                                   "returns_unknown_labels"))
        if rules.exists() and labels.exists():  # the labels' rows add up to a rules cell
            r = pd.read_csv(rules).set_index("rule_or_reason")["rows"]
            lab = pd.read_csv(labels)
            if pd.isna(r.get("unknown role label")):
                if lab["rows"].notna().all():
                    problems.append(f"{folder.name}: unknown labels reveal the hidden rule count")
            else:
                total = Totals(columns=((tuple(lab.index), None),))
                problems += [f"{folder.name}/returns_unknown_labels: {cell} recoverable"
                             for cell in recoverable(lab, ["rows"], total)]
    assert checked >= 9 * 2
    assert problems == [], "\n".join(problems)
