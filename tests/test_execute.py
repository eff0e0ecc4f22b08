"""Running a report's joined notebook in one kernel or two (analysis.report.execute)."""

from __future__ import annotations

import nbformat
import pytest

from analysis.config import settings
from analysis.report.execute import ChapterFailed, execute, lanes


def _joined(chapters: list[tuple[str, list[str]]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for chapter, sources in chapters:
        for src in sources:
            cell = nbformat.v4.new_code_cell(src)
            cell.metadata["report_chapter"] = chapter
            nb.cells.append(cell)
    kernel = settings().report.kernel_name
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    return nb


def test_lanes_put_the_listed_chapters_in_a_second_kernel_and_the_later_ones_after_them():
    nb = _joined([("01", ["a", "b"]), ("04", ["c"]), ("00", ["d"]), ("99", ["e"])])
    assert lanes(nb, {"04"}) == ([0, 1, 3, 4], [2], 2)
    assert lanes(nb, set()) == ([0, 1, 2, 3, 4], [], None)
    assert lanes(nb, {"99"}) == ([0, 1, 2, 3], [4], None)  # nothing comes after it


def test_two_kernels_share_the_files_and_the_summary_waits(tmp_path):
    flag = tmp_path / "second.txt"
    nb = _joined([
        ("01.ipynb", ["import os\nfirst_pid = os.getpid()"]),
        ("04.ipynb", ["import os, time\ntime.sleep(1.5)\n"
                      f"open({str(flag)!r}, 'w').write(str(os.getpid()))"]),
        ("00.ipynb", [f"second_pid = int(open({str(flag)!r}).read())\n"
                      "print(second_pid != first_pid)"]),
    ])
    out = execute(nb, settings().report.kernel_name, tmp_path, {"04.ipynb"})
    assert out.cells[2].outputs[0]["text"].strip() == "True"  # ran after 04, in another kernel
    assert out.cells[2].metadata["report_waited"] > 0.5
    assert all(c.metadata["report_seconds"] >= 0 for c in out.cells)


@pytest.mark.parametrize("second", [set(), {"04_urgent_care.ipynb"}])
def test_a_failing_chapter_is_named_and_stops_the_run(tmp_path, second):
    nb = _joined([("01_a.ipynb", ["import time\ntime.sleep(30)" if second else "x = 1"]),
                  ("04_urgent_care.ipynb", ["raise ValueError('no cases file\\nsecond line')"]),
                  ("00_summary.ipynb", ["y = 2"])])
    with pytest.raises(ChapterFailed) as caught:
        execute(nb, settings().report.kernel_name, tmp_path, second)
    assert str(caught.value) == "04_urgent_care.ipynb failed: no cases file"
    assert "outputs" not in nb.cells[2] or nb.cells[2].outputs == []  # the summary never ran


class _Stopped(Exception):
    pass


def test_sigterm_stops_both_kernels_and_reaches_the_previous_handler(tmp_path):
    """The handler in place before the run (the command line's) is what SIGTERM reaches,
    once both kernels are shut down; nothing is left running for this process."""
    import os
    import signal
    import threading
    from pathlib import Path

    nb = _joined([("01.ipynb", ["import time\ntime.sleep(60)"]),
                  ("04.ipynb", ["import time\ntime.sleep(60)"]),
                  ("00.ipynb", ["1"])])

    def handler(signum, frame):
        raise _Stopped(signum)

    before = signal.signal(signal.SIGTERM, handler)
    timer = threading.Timer(6, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        timer.start()
        with pytest.raises(_Stopped):
            execute(nb, settings().report.kernel_name, tmp_path, {"04.ipynb"})
        assert signal.getsignal(signal.SIGTERM) is handler  # put back after the run
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, before)
    mine = f"JPY_PARENT_PID={os.getpid()}".encode()
    kernels = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and mine in (proc / "environ").read_bytes().split(b"\0"):
                kernels.append(proc.name)
        except OSError:
            continue
    assert kernels == []
