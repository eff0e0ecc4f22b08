"""Small builders for tiny input files written under ``tmp_path``.

Nothing here reads ``data/raw``: every test writes the few rows it needs. The builders return
the path of the file they wrote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from analysis.io.readers import EXRRL_FTE, GPW_SOURCE_COLUMNS, GPW_TABLE_COLUMNS

GPW_IDS = {
    "current": ["PRAC_CODE", "PRAC_NAME", "SUB_ICB_CODE", "SUB_ICB_NAME", "ICB_CODE", "ICB_NAME"],
    "old": ["PRAC_CODE", "PRAC_NAME", "CCG_CODE", "CCG_NAME", "STP_CODE", "STP_NAME"],
}
GPW_MEASURES = {
    "current": list(GPW_TABLE_COLUMNS),
    "old": [c for c in GPW_TABLE_COLUMNS if c not in ("TOTAL_GP_EXTGL_FTE", "TOTAL_GP_RET_FTE")]
    + [EXRRL_FTE],
}

PAYMENTS_HEADER = [
    "NHS England (Region) Code", "CCG Code", "CCG Name", "Practice Code", "Practice Name",
    "Practice Postcode", "Practice Open Date", "Practice Close Date", "Contract Type",
    "Dispensing Practice", "Practice Rurality",
    "Number of Registered Patients (Last Known Figure)",
    "Number of Weighted Patients (Last Known Figure)",
    "Total NHS Payments to General Practice",
]
STAFF_HEADER = ["practice_code", "staff_id", "staff_group", "age", "fte"]


def gpw_header(fmt: str = "current") -> list[str]:
    """Identifier, measure and ``*_SOURCE`` columns of a GPW file in the given format."""
    return GPW_IDS[fmt] + GPW_MEASURES[fmt] + list(GPW_SOURCE_COLUMNS)


def gpw_record(code: str, fmt: str = "current", **values: str) -> dict[str, str]:
    """One GPW row as text: every count '1', every FTE '1.5', sources 'Estimated'."""
    ids = GPW_IDS[fmt]
    row = dict(zip(ids, [code, f"Practice {code}", "06A", "NHS Wolverhampton", "QUA",
                         "NHS Black Country"], strict=True))
    for c in GPW_MEASURES[fmt]:
        row[c] = "1.5" if "FTE" in c else "1"
    row.update({c: "Estimated" for c in GPW_SOURCE_COLUMNS})
    row.update(values)
    return row


def payments_record(code: str, **values: str) -> dict[str, str]:
    """One NHS Payments row as text; keys are the header names in :data:`PAYMENTS_HEADER`."""
    row = dict(zip(PAYMENTS_HEADER, [
        "Q54", "06A", "NHS Wolverhampton CCG", code, f"Practice {code}", "WV1 1AA",
        "01/04/1974", "", "GMS", "No", "Urban", "1000", "1100.5", "100000.00"], strict=True))
    row.update(values)
    return row


def _rows_as_lists(header: Sequence[str], rows: Iterable) -> list[list[str]]:
    return [[r.get(h, "") for h in header] if isinstance(r, dict) else list(r) for r in rows]


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """``write_csv(name, header, rows, encoding='utf-8')`` writes a CSV and returns its path.

    ``rows`` are lists (in header order) or dicts keyed by header name (missing keys blank).
    Pass ``text=`` or ``data=`` (bytes) instead to write a file exactly as given.
    """

    def write(name: str = "input.csv", header: Sequence[str] | None = None,
              rows: Iterable = (), *, encoding: str = "utf-8", text: str | None = None,
              data: bytes | None = None) -> Path:
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
            return path
        if text is None:
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(header or [])
            writer.writerows(_rows_as_lists(header or [], rows))
            text = buf.getvalue()
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def gpw_csv(write_csv) -> Callable[..., Path]:
    """``gpw_csv(records, fmt='current', name='gpw.csv', drop=())`` writes a GPW CSV.

    Each record is a practice code or a dict of values that must include ``PRAC_CODE``; the
    other columns take the :func:`gpw_record` defaults. ``drop`` leaves columns out of the file.
    """

    def write(records: Iterable, fmt: str = "current", name: str = "gpw.csv",
              drop: Sequence[str] = ()) -> Path:
        rows = [gpw_record(r, fmt) if isinstance(r, str) else gpw_record(r["PRAC_CODE"], fmt, **r)
                for r in records]
        header = [h for h in gpw_header(fmt) if h not in drop]
        return write_csv(name, header, rows)

    return write


@pytest.fixture
def payments_csv(write_csv) -> Callable[..., Path]:
    """``payments_csv(records, name='payments.csv', drop=())`` writes a latin-1 Payments CSV.

    Each record is a practice code or a dict keyed by header name that must include
    ``'Practice Code'``; other columns take the :func:`payments_record` defaults.
    """

    def write(records: Iterable, name: str = "payments.csv", drop: Sequence[str] = ()) -> Path:
        rows = [payments_record(r) if isinstance(r, str)
                else payments_record(r["Practice Code"], **r) for r in records]
        header = [h for h in PAYMENTS_HEADER if h not in drop]
        return write_csv(name, header, rows, encoding="latin-1")

    return write


@pytest.fixture
def staff_csv(write_csv) -> Callable[..., Path]:
    """``staff_csv(rows, header=STAFF_HEADER, name='staff.csv')``; rows are tuples."""

    def write(rows: Iterable, header: Sequence[str] = STAFF_HEADER,
              name: str = "staff.csv") -> Path:
        return write_csv(name, header, rows)

    return write


# --------------------------------------------------------------------------------------------
# Bad-input corpus tally (tests/test_bad_inputs.py)
# --------------------------------------------------------------------------------------------
# Each corpus case records ("bad_input", {"handled": bool, "traceback": bool}) in its report's
# user_properties, which pytest-xdist sends back to the controller, so the tally below is right
# with or without ``-n``.
_BAD_INPUT_TALLY = {"tried": 0, "handled": 0, "tracebacks": 0}


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for key, value in getattr(report, "user_properties", ()):
        if key == "bad_input":
            _BAD_INPUT_TALLY["tried"] += 1
            _BAD_INPUT_TALLY["handled"] += bool(value.get("handled"))
            _BAD_INPUT_TALLY["tracebacks"] += bool(value.get("traceback"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput"):  # an xdist worker: the controller prints the tally
        return
    t = _BAD_INPUT_TALLY
    if t["tried"]:
        terminalreporter.write_line(f"bad-input corpus: {t['tried']} cases tried, "
                                    f"{t['handled']} handled, {t['tracebacks']} tracebacks")


@pytest.fixture(scope="session")
def demo_batch(tmp_path_factory) -> Path:
    """Every demo area's report, built once for the session (as ``make reports``): the
    end-to-end, disclosure and browser tests all read this one batch."""
    from analysis.config import DATA_DEMO
    from analysis.demo import gpw as demo
    from analysis.report import runner

    demo.ensure(DATA_DEMO)  # as `make data`: the runner never builds the demo inputs
    out = tmp_path_factory.mktemp("outputs")
    assert runner.run_all(out, jobs=2, force=True) == 0
    return out
