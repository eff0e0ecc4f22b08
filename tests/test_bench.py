"""`make bench`: where one report's time goes (the parts the bench prints and writes)."""

from __future__ import annotations

import nbformat

from analysis.report import bench


def test_chapter_modules_are_the_absolute_imports_of_code_cells(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import json, csv as c\n"
                                          "from analysis.config import ROOT"),
                nbformat.v4.new_code_cell("%matplotlib inline"),  # not Python: skipped
                nbformat.v4.new_markdown_cell("import os"),
                nbformat.v4.new_code_cell("def f():\n    from . import x\n    import zlib")]
    path = tmp_path / "c.ipynb"
    nbformat.write(nb, path)
    assert bench.chapter_modules([str(path)]) == {"json", "csv", "analysis.config", "zlib"}


def test_breakdown_rows_and_page(tmp_path):
    parts = {"total": 8.0, "chapters": {"notebooks/01_a.ipynb": 3.0, "notebooks/02_b.ipynb": 2.5},
             "export": 0.5, "rest": 2.0, "charts": 12, "imports": 1.3}
    rows = bench.breakdown_rows(parts)
    assert rows[0] == ("chapter 01_a (cells, imports included)", 3.0)
    assert rows[-1] == ("total", 8.0)
    assert sum(s for _, s in rows[:-1]) == parts["total"]
    note = bench.breakdown_note(parts, floor=1.0)
    assert note.startswith("12 charts drawn. The floor (1.0 s)")
    assert "together 2.3x the floor" in note
    doc = tmp_path / "performance.md"
    bench.write_doc(doc, 1, 1.0, "wolverhampton", 8.0, None, None, parts)
    text = doc.read_text(encoding="utf-8")
    assert "## Where one report's time goes" in text
    assert "| chapter 02_b (cells, imports included) | 2.5 s |" in text
    assert "| total | 8.0 s |" in text
