"""Atomic outputs (issue 7, item 3): a report run killed midway leaves the previous report
intact and readable, publishes nothing half-written, and a later run succeeds and clears what
the killed run left behind.

The run is started as ``python -m analysis report`` in its own session and the whole process
group is sent SIGKILL about three seconds in, once its staging folder exists (it is still
executing the chapters then: a run takes about ten seconds).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.config import ROOT

pytestmark = pytest.mark.e2e

SLUG = "walsall"


def start(out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis", "report", "--ccg", SLUG,
                             "--out", str(out), "--force"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert "Traceback" not in err


def tree(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (the published report and its tables and charts)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def children_of(pid: int) -> list[int]:
    """Processes started for ``pid`` (its Jupyter kernel runs in a session of its own and
    carries ``JPY_PARENT_PID``)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"JPY_PARENT_PID={pid}".encode() in env:
            found.append(int(proc.name))
    return found


def hidden_leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(f".{SLUG}-"))


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
def test_killed_run_keeps_the_previous_report_and_a_later_run_cleans_up(tmp_path):
    out = tmp_path / "outputs"
    finish(start(out))
    final = out / SLUG
    report = final / "report.html"
    good, good_tree = report.read_bytes(), tree(final)
    index = (out / "index.html").read_bytes()

    killed = start(out)
    started = time.monotonic()
    while not hidden_leftovers(out) and time.monotonic() - started < 60:
        time.sleep(0.05)  # wait until the run is building in its staging folder
    assert hidden_leftovers(out), "the run never started building"
    time.sleep(max(0.0, 3.0 - (time.monotonic() - started)))
    assert killed.poll() is None, "the run finished before it could be killed"
    os.killpg(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 20  # its kernel notices its parent is gone and exits
    while children_of(killed.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert children_of(killed.pid) == [], "the killed run's kernel is still running"

    # the previous report: byte for byte, readable, with its tables and charts
    assert report.read_bytes() == good
    assert tree(final) == good_tree
    text = report.read_text(encoding="utf-8")
    assert text.rstrip().endswith("</html>") and "<h1" in text
    assert (out / "index.html").read_bytes() == index
    # nothing half-written is published: every report.html outside hidden folders is the good one
    visible = [p for p in out.rglob("report.html")
               if not any(part.startswith(".") for part in p.relative_to(out).parts)]
    assert visible == [report]
    left = hidden_leftovers(out)
    assert left, "a SIGKILL leaves the staging folder (hidden) for the next run to clear"

    later = start(out)
    finish(later)
    assert report.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert set(tree(final)) == set(good_tree)
    assert hidden_leftovers(out) == [], "the later run removed the killed run's staging folder"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", SLUG]
