"""Caches of parsed inputs and computations: same inputs, same answer, without recomputing."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.util.cache import (
    as_records,
    cache_key,
    cached_call,
    cached_read,
    read_bundle,
    write_bundle,
)


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


def _counting_reader():
    """A CSV reader that records each file it reads."""
    reads = []

    def reader(p):
        reads.append(p)
        return pd.read_csv(p)

    return reader, reads


def test_cached_read_rereads_when_the_file_changes(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    reader, reads = _counting_reader()
    first = cached_read(path, reader, cache_dir=tmp_path / "c")
    again = cached_read(path, reader, cache_dir=tmp_path / "c")
    pd.testing.assert_frame_equal(first, again)
    assert len(reads) == 1
    path.write_text("a\n2\n")
    assert cached_read(path, reader, cache_dir=tmp_path / "c")["a"].tolist() == [2]
    assert len(reads) == 2


def _only_entry(folder, suffix):
    entries = [p for p in folder.iterdir() if p.name.endswith(suffix)]
    assert len(entries) == 1, entries
    return entries[0]


def test_tampered_data_entry_is_not_used(tmp_path):
    calls = []

    def work():
        calls.append(1)
        return {"answer": 42}

    assert cached_call("t", [1], work, tmp_path) == {"answer": 42}
    entry = _only_entry(tmp_path, ".json")
    record = json.loads(entry.read_text())
    record["data"]["answer"] = 43  # edited by hand: no longer matches its checksum
    entry.write_text(json.dumps(record))
    assert cached_call("t", [1], work, tmp_path) == {"answer": 42}
    assert len(calls) == 2
    assert cached_call("t", [1], work, tmp_path) == {"answer": 42}  # rewritten, used again
    assert len(calls) == 2


def test_tampered_frame_entry_is_not_used(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n2\n")
    reader, reads = _counting_reader()
    cached_read(path, reader, cache_dir=tmp_path / "c")
    entry = _only_entry(tmp_path / "c", ".parquet")
    table = pq.read_table(entry)
    forged = pa.table({"a": [1, 99]}).replace_schema_metadata(table.schema.metadata)
    pq.write_table(forged, entry)  # same metadata (and checksum), other values
    assert cached_read(path, reader, cache_dir=tmp_path / "c")["a"].tolist() == [1, 2]
    assert len(reads) == 2
    entry.write_bytes(b"not parquet")
    assert cached_read(path, reader, cache_dir=tmp_path / "c")["a"].tolist() == [1, 2]
    assert len(reads) == 3


def test_cached_call_rebuilds_objects_through_dump_and_load(tmp_path):
    @dataclasses.dataclass(frozen=True)
    class Slot:
        day: int
        setting: str

    def work():
        return [Slot(0, "iucs"), Slot(3, "ed")]

    def load(rows):
        return [Slot(**r) for r in rows]

    first = cached_call("slots", [1], work, tmp_path, dump=as_records, load=load)
    again = cached_call("slots", [1], lambda: [], tmp_path, dump=as_records, load=load)
    assert first == again == work()
    with pytest.raises(TypeError, match="not plain data"):
        cached_call("objects", [1], work, tmp_path)


def test_cache_key_follows_file_content_and_parameters(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text("a\n1\n")
    k1 = cache_key("x", [f, {"p": 1}])
    assert cache_key("x", [f, {"p": 1}]) == k1
    assert cache_key("x", [f, {"p": 2}]) != k1
    f.write_text("a\n2\n")
    assert cache_key("x", [f, {"p": 1}]) != k1


def test_bundle_round_trip_and_damage(tmp_path):
    frames = {"staff": pd.DataFrame({"id": ["a", "b"], "wte": [1.0, 0.5]}),
              "empty": pd.DataFrame({"x": pd.Series([], dtype="string")})}
    write_bundle(tmp_path / "b", frames, {"files": ["f.csv"]})
    got, data = read_bundle(tmp_path / "b")
    for name, df in frames.items():
        pd.testing.assert_frame_equal(got[name], df)
    assert data == {"files": ["f.csv"]}
    (tmp_path / "b" / "staff.parquet").unlink()
    assert read_bundle(tmp_path / "b") is None


def test_no_pickle_in_the_package():
    root = Path(__file__).resolve().parents[1] / "analysis"
    users = [p.relative_to(root).as_posix() for p in root.rglob("*.py")
             if re.search(r"\bimport pickle\b|\bpickle\.|\bjoblib\b|\bread_pickle\b",
                          p.read_text(encoding="utf-8"))]
    assert users == []


def test_force_recomputes_every_cached_result(tmp_path, monkeypatch):
    """FORCE=1 (the CLI sets GPW_REFRESH_CACHE) reads nothing from a cache: calls and reads
    run again and rewrite their entries; without it the entries are used."""
    from analysis.util import cache

    calls = []

    def work():
        calls.append(1)
        return pd.DataFrame({"n": [len(calls)]})

    assert cached_call("f", [1], work, tmp_path)["n"].tolist() == [1]
    monkeypatch.setenv(cache.REFRESH_ENV, "1")
    assert cached_call("f", [1], work, tmp_path)["n"].tolist() == [2]
    reader, reads = _counting_reader()
    csv = tmp_path / "x.csv"
    csv.write_text("a\n1\n")
    cached_read(csv, reader, cache_dir=tmp_path)
    cached_read(csv, reader, cache_dir=tmp_path)
    assert len(reads) == 2
    monkeypatch.setenv(cache.REFRESH_ENV, "0")
    assert cached_call("f", [1], work, tmp_path)["n"].tolist() == [2]  # the rewritten entry
    cached_read(csv, reader, cache_dir=tmp_path)
    assert len(reads) == 2 and len(calls) == 2


def test_frame_read_twice_in_a_process_is_a_copy_the_caller_may_change(tmp_path):
    from analysis.util.cache import read_frame, write_frame

    entry = write_frame(tmp_path / "f.parquet", pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
                        .assign(c=1.5), meta={"n": [1]})
    first, meta = read_frame(entry)
    first.loc[0, "a"] = 99
    first.attrs["added"] = True
    meta["n"].append(2)
    again, meta_again = read_frame(entry)
    assert again["a"].tolist() == [1, 2]
    assert "added" not in again.attrs
    assert meta_again == {"n": [1]}


def test_frame_entry_without_its_checksum_or_rewritten_is_not_used(tmp_path):
    from analysis.util.cache import read_frame, write_frame

    entry = write_frame(tmp_path / "f.parquet", pd.DataFrame({"a": [1, 2]}))
    assert read_frame(entry)[0]["a"].tolist() == [1, 2]  # read once: kept in the process
    sidecar = entry.with_name(entry.name + ".sha256")
    sidecar.unlink()
    pq.write_table(pa.table({"a": [7, 8]}), entry)  # a new version of the file
    assert read_frame(entry) is None  # no checksum beside it: incomplete
    write_frame(entry, pd.DataFrame({"a": [3, 4]}))
    body = entry.read_bytes()
    entry.write_bytes(body[:-1] + bytes([body[-1] ^ 1]))  # one bit flipped
    assert read_frame(entry) is None
    write_frame(entry, pd.DataFrame({"a": [5, 6]}))
    assert read_frame(entry)[0]["a"].tolist() == [5, 6]
