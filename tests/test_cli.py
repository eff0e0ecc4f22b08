"""The command line (``python -m analysis``, analysis/cli.py): commands, validation, one-line
errors and exit statuses, and what each command passes to the library.

No report is built here (too slow): the runner functions are replaced by recorders.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis import cli
from analysis.config import DATA_DEMO, ROOT, resolve_area, settings
from analysis.report import runner
from analysis.util.errors import ConfigError, InputError

COMMANDS = ["report", "reports", "data", "bench", "national", "kernel", "lock", "areas"]


def invoke(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def one_error_line(res) -> str:
    """The single stderr line of a failed run (and no traceback anywhere)."""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.output
    return lines[0]


@pytest.fixture
def calls(monkeypatch):
    """Record runner and demo-data calls instead of running them."""
    seen: list[tuple] = []

    def report_area(area, out, show_code=False, force=False, pdf=False):
        seen.append(("report_area", area, Path(out), show_code, force,
                     os.environ.get("GPW_SUPPRESS_BELOW")))
        return runner.Built(Path(out) / area.slug / "report.html", 1.25, False)

    def run_all(out, show_code=False, jobs=None, force=False):
        seen.append(("run_all", Path(out), show_code, jobs, force))
        return 1

    monkeypatch.setattr(runner, "report_area", report_area)
    monkeypatch.setattr(runner, "run_all", run_all)
    monkeypatch.setattr(cli, "_demo_data_if_missing", lambda: seen.append(("demo",)))
    # set, then removed: monkeypatch then restores the variable's absence after the test,
    # so a --internal run here cannot switch suppression off for later tests in this process
    for switch in ("GPW_SUPPRESS_BELOW", "GPW_REFRESH_CACHE"):
        monkeypatch.setenv(switch, "")
        monkeypatch.delenv(switch)
    yield seen
    logging.disable(logging.NOTSET)


def test_help_lists_every_command():
    res = invoke("--help")
    assert res.exit_code == 0
    for command in COMMANDS:
        assert command in res.stdout, command
    national = invoke("national", "--help")
    assert national.exit_code == 0
    assert all(c in national.stdout for c in ("write", "series", "bench"))


def test_python_dash_m_analysis_runs_the_cli():
    res = subprocess.run([sys.executable, "-m", "analysis", "reports", "--jobs", "0"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    # the option's environment variable (how make passes JOBS=) is named too
    assert res.stderr.strip() == ("error: Invalid value for '--jobs' (env var: 'GPW_JOBS'): "
                                  "Input should be greater than or equal to 1 (see --help)")
    assert res.stdout == ""


def test_unknown_slug_is_one_line_with_the_suggestion(calls):
    res = invoke("report", "--ccg", "wolverhamton")
    assert res.exit_code == 2
    assert "Did you mean 'wolverhampton'" in one_error_line(res)
    assert calls == []


@pytest.mark.parametrize(("args", "message"), [
    (["--ccg", "wolverhampton", "--stp", "black-country"], "error: give --ccg or --stp, not both"),
    ([], "error: give --ccg <slug> or --stp <slug>"),
    (["--stp", "wolverhampton"], "error: unknown STP 'wolverhampton'"),
])
def test_report_needs_exactly_one_area(calls, args, message):
    res = invoke("report", *args)
    assert res.exit_code == 2
    assert one_error_line(res).startswith(message)
    assert calls == []


@pytest.mark.parametrize("jobs", ["0", "-1", "x", "1.5"])
def test_jobs_must_be_a_positive_integer(calls, jobs):
    res = invoke("reports", "--jobs", jobs)
    assert res.exit_code == 2
    line = one_error_line(res)
    assert line.startswith("error: Invalid value for '--jobs'"), line
    assert calls == []


def test_report_passes_its_options_to_the_runner(calls, tmp_path):
    res = invoke("report", "--ccg", "wolverhampton", "--force", "--code", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert calls == [("demo",), ("report_area", resolve_area("wolverhampton", "ccg"), tmp_path,
                                 True, True, None)]
    assert res.stdout.strip() == f"report: {tmp_path / 'wolverhampton' / 'report.html'} (1.2 s)"


def test_report_internal_turns_suppression_off(calls, tmp_path):
    res = invoke("report", "--stp", "Black-Country", "--internal", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    _, area, out, code, force, suppress = calls[1]
    assert (area.slug, area.kind, out, code, force, suppress) == ("black-country", "stp",
                                                                  tmp_path, False, False, "0")


def test_reports_passes_jobs_and_returns_the_batch_status(calls, tmp_path):
    res = invoke("reports", "--jobs", "3", "--force", "--out", str(tmp_path))
    assert res.exit_code == 1  # the recorder says an area failed
    assert calls == [("demo",), ("run_all", tmp_path, False, 3, True)]


@pytest.mark.parametrize(("error", "status", "line"), [
    (ConfigError("config.yaml, inputs: gpw_summary: missing"), 2,
     "error: config.yaml, inputs: gpw_summary: missing"),
    (InputError("gpw.csv", "expected a number", row=3, column="TOTAL_GP_FTE"), 1,
     "error: gpw.csv, row 3, column 'TOTAL_GP_FTE': expected a number"),
    (runner.ReportError("walsall: 02_workforce_tables.ipynb failed: boom\nsecond line"), 1,
     "error: walsall: 02_workforce_tables.ipynb failed: boom second line"),
    (PermissionError(13, "Permission denied", "/nowhere/out"), 1,
     "error: cannot write '/nowhere/out': Permission denied"),
    (KeyboardInterrupt(), 130, "interrupted"),
])
def test_failures_are_one_line_with_their_status(monkeypatch, calls, error, status, line):
    def fail(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(runner, "report_area", fail)
    res = invoke("report", "--ccg", "walsall")
    assert res.exit_code == status
    assert one_error_line(res) == line


def test_data_writes_the_demo_files(tmp_path):
    res = invoke("data", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    staff = tmp_path / "gp_staff_records_2017-06.csv"
    assert staff.stat().st_size > 0
    assert f"demo data: {staff}" in res.stdout.splitlines()
    before = staff.stat().st_mtime_ns
    again = invoke("data", "--out", str(tmp_path), "--if-missing")
    assert again.exit_code == 0 and staff.stat().st_mtime_ns == before  # nothing rebuilt


def test_bench_rejects_an_unknown_part():
    res = invoke("bench", "--only", "everything")
    assert res.exit_code == 2
    assert one_error_line(res).startswith("error: Invalid value for '--only'")


def _with_inputs(**inputs):
    """The project's settings with some ``inputs:`` replaced."""
    cfg = settings()
    return cfg.model_copy(update={"inputs": cfg.inputs.model_copy(update=inputs)})


def test_runner_asks_for_make_data_when_the_demo_inputs_are_missing(tmp_path):
    cfg = _with_inputs(gpw_summary=DATA_DEMO / "no-such-release.csv",
                       gpw_indicators=tmp_path / "elsewhere.csv", staff_records=None)
    with pytest.raises(ConfigError, match=r"^config\.yaml, inputs: gpw_summary: the demo input "
                                          r"'data/raw/demo/no-such-release\.csv' is missing: "
                                          r"run `make data`"):
        runner.require_demo_data(cfg)
    # a missing input outside data/raw/demo is the readers' to report, not this check's
    runner.require_demo_data(_with_inputs(gpw_summary=tmp_path / "a.csv",
                                          gpw_indicators=tmp_path / "b.csv",
                                          practice_reference=tmp_path / "c.csv",
                                          staff_records=None))


def test_code_fingerprint_covers_subpackages_and_templates():
    files = {p.relative_to(ROOT).as_posix() for g in runner.CODE_GLOBS for p in ROOT.glob(g)}
    assert {"analysis/config.py", "analysis/cli.py", "analysis/report/runner.py",
            "analysis/models/scenarios/supply.py", "analysis/report/templates/chart.html.j2",
            "notebooks/00_summary.ipynb"} <= files


def test_area_with_a_registry_slug_gives_the_demo_report(calls, tmp_path):
    res = invoke("report", "--area", "wolverhampton", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert calls == [("demo",), ("report_area", resolve_area("wolverhampton", "ccg"), tmp_path,
                                 False, False, None)]


def test_unknown_area_of_the_real_files_is_one_line_exit_2(calls, tmp_path):
    import zipfile

    nhs = tmp_path / "nhs"
    nhs.mkdir()
    header = ("CENSUS_YEAR,CENSUS_MONTH,PCN_CODE,PCN_NAME,ICB_CODE,ICB_NAME,STAFF_GROUP,"
              "STAFF_ROLE,FTE,UNIQUE_IDENTIFIER\n")
    row = "2026,6,U1,ONE PCN,QHL,NHS Birmingham and Solihull ICB,Other,Pharmacists,1,7\n"
    with zipfile.ZipFile(nhs / "PCNWFIndividualCSV.062026.zip", "w") as zf:
        zf.writestr("PCN Individual Level.csv", header + row)
    res = invoke("report", "--area", "birmingam", "--nhs-dir", str(nhs), "--out",
                 str(tmp_path / "out"))
    assert res.exit_code == 2
    line = one_error_line(res)
    assert line.startswith("error: unknown area 'birmingam': did you mean")
    assert "Birmingham and Solihull" in line
    assert calls == []
