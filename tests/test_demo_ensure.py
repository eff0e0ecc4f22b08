"""Demo inputs built once when several processes ask for them at the same time.

On a fresh clone, two reports (or two test workers) may both find the demo folder missing; the
second waits for the first and then uses its finished files instead of rebuilding them under it.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from analysis.demo import gpw as demo


def _ensure(out: str, q) -> None:
    files = demo.ensure(Path(out))
    q.put(sorted(str(p) for p in files.values() if not Path(p).exists()))


def test_concurrent_ensure_builds_once_and_both_see_complete_files(tmp_path):
    out = tmp_path / "demo"
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_ensure, args=(str(out), q)) for _ in range(2)]
    for p in procs:
        p.start()
    missing = [q.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert missing == [[], []]
    assert (out / demo.BUILT).exists()
    # the files were written once: the returns folders hold one build's files
    first = {p: p.stat().st_mtime_ns for p in out.rglob("*.csv")}
    assert first
    demo.ensure(out)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.csv")} == first


def test_interrupted_build_is_redone(tmp_path):
    out = tmp_path / "demo"
    demo.ensure(out)
    (out / demo.BUILT).unlink()  # as if the build had been killed before it finished
    stamp = {p: p.stat().st_mtime_ns for p in out.rglob("*.csv")}
    demo.ensure(out)
    assert (out / demo.BUILT).exists()
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.csv")} != stamp
