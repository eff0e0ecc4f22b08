"""Caches of parsed inputs and computations: same inputs, same answer, without recomputing."""

from __future__ import annotations

import pandas as pd

from analysis.util.cache import cached_call, cached_read


def test_cached_call_computes_once_per_key(tmp_path):
    calls = []

    def work():
        calls.append(1)
        return {"answer": 42}

    frame = pd.DataFrame({"a": [1, 2]})
    assert cached_call("t", [frame, {"q": 1}], work, tmp_path) == {"answer": 42}
    assert cached_call("t", [frame, {"q": 1}], work, tmp_path) == {"answer": 42}
    assert len(calls) == 1
    cached_call("t", [frame.assign(a=[1, 3]), {"q": 1}], work, tmp_path)
    cached_call("t", [frame, {"q": 2}], work, tmp_path)
    assert len(calls) == 3


def test_cached_read_rereads_when_the_file_changes(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    reads = []

    def reader(p):
        reads.append(p)
        return pd.read_csv(p)

    first = cached_read(path, reader, cache_dir=tmp_path / "c")
    again = cached_read(path, reader, cache_dir=tmp_path / "c")
    pd.testing.assert_frame_equal(first, again)
    assert len(reads) == 1
    path.write_text("a\n2\n")
    assert cached_read(path, reader, cache_dir=tmp_path / "c")["a"].tolist() == [2]
    assert len(reads) == 2
