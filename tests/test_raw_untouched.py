"""Raw files are never written (issue 7, item 2): ``data/raw`` is checksummed before and after a
full report run and nothing in it may change, appear or disappear.

The demo inputs are built first (as ``make data`` does), so ``data/raw/demo`` being created when
it was missing is not counted as a write by the report.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from analysis.config import DATA_DEMO, DATA_RAW, resolve_area
from analysis.demo import gpw as demo
from analysis.report import runner as report

pytestmark = pytest.mark.e2e


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under ``root``: sha256, size and modification time of files."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        st = p.lstat()
        if p.is_file() and not p.is_symlink():
            h = hashlib.sha256()
            with open(p, "rb") as fh:
                while block := fh.read(1 << 20):
                    h.update(block)
            out[rel] = ("file", h.hexdigest(), st.st_size, st.st_mtime_ns)
        else:
            out[rel] = ("dir" if p.is_dir() else "other", None, None, None)
    return out


def test_full_report_run_leaves_data_raw_untouched(tmp_path):
    demo.ensure(DATA_DEMO)
    before = snapshot(DATA_RAW)
    assert any(k.startswith("demo/") for k in before), "the demo inputs were built"
    path = report.run_area(resolve_area("walsall"), tmp_path, force=True)
    assert path.exists() and path.stat().st_size > 0
    after = snapshot(DATA_RAW)
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    assert (added, removed, changed) == ([], [], []), "the report run wrote under data/raw"
    assert not any(p.is_relative_to(DATA_RAW) for p in path.parents), "report not in data/raw"
