"""The toolkit's one cache: data only (Parquet for frames, JSON for plain data), checksummed.

Entries live under ``data/processed/cache/`` (``make clean`` removes them). Every entry is

* **keyed** by a content hash of what produced it (:func:`cache_key`): the bytes of its input
  files, the values of its input frames and arrays, its parameters and the package's code
  (:func:`code_version`), so a changed input, parameter or line of code computes again;
* **data only**: a frame is a Parquet file, anything else JSON; nothing is unpickled, so an
  entry cannot run code when read;
* **checked on read**: each entry carries a checksum of its content (SHA-256 of a frame's
  Parquet bytes, in a file beside it; SHA-256 of the canonical JSON for data). A damaged or
  edited entry does not match, is ignored and is computed again;
* **read once a process**: a frame entry read again in the same process (the chapters of one
  report read the same inputs) is a copy of the frame read the first time;
* **written atomically** (:mod:`analysis.util.atomic`).

Uses: :func:`cached_read` (a parsed input file), :func:`cached_call` (a deterministic
computation, e.g. job plans), :func:`write_bundle` / :func:`read_bundle` (several frames and
some data under one key, e.g. cleaned returns), :func:`write_frame` / :func:`read_frame` (one
frame with metadata, e.g. the national-scale GPW cache).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.config import DATA_PROCESSED
from analysis.util.atomic import atomic_write_bytes
from analysis.util.provenance import file_stamp, sha256

CACHE_DIR = DATA_PROCESSED / "cache"
FORMAT = 2
META_KEY = b"gpw_cache_entry"
MISSING = object()
"""Returned by :func:`read_data` when there is no usable entry (``None`` is valid data)."""


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------
def code_version() -> str:
    """SHA-256 of the package's source files (changes when any code changes)."""
    h = hashlib.sha256()
    root = Path(__file__).parents[1]
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _update(h, part) -> None:
    if isinstance(part, pd.DataFrame | pd.Series):
        h.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
        cols = list(part.columns) if isinstance(part, pd.DataFrame) else [part.name]
        h.update(repr(cols).encode())
    elif isinstance(part, np.ndarray):
        h.update(f"{part.dtype}{part.shape}".encode())
        h.update(np.ascontiguousarray(part).tobytes())
    elif isinstance(part, Path):
        if part.is_dir():
            for p in sorted(q for q in part.rglob("*") if q.is_file()):
                h.update(f"{p.relative_to(part).as_posix()}:{sha256(p)}\n".encode())
        elif part.is_file():
            h.update(f"file:{sha256(part)}\n".encode())
        else:
            h.update(f"absent:{part.name}\n".encode())
    else:
        h.update(repr(part).encode())
    h.update(b"\x00")


def cache_key(name: str, parts: list, code: bool = True) -> str:
    """``<name>-<hash>``: a hash of ``parts`` (and of the code, unless ``code`` is False).

    Parameters
    ----------
    name : str
        What is cached (also the start of the entry's file name).
    parts : list
        Everything the result depends on. Frames, Series and arrays count by value; a
        :class:`~pathlib.Path` counts by its content (a folder: every file in it, by relative
        path and content); anything else by its ``repr`` (numbers, strings, dicts, dataclasses).
    code : bool
        Include :func:`code_version`.
    """
    h = hashlib.sha256(name.encode())
    if code:
        h.update(code_version().encode())
    for part in parts:
        _update(h, part)
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}-{h.hexdigest()[:32]}"


# --------------------------------------------------------------------------------------------
# Entries: a frame (Parquet) or plain data (JSON), each with its checksum
# --------------------------------------------------------------------------------------------
def frame_checksum(df: pd.DataFrame) -> str:
    """SHA-256 of a frame's values, index, column names and dtypes (a key part, not the
    check on read: see :func:`read_frame`)."""
    h = hashlib.sha256()
    h.update(repr([str(c) for c in df.columns]).encode())
    h.update(repr([str(t) for t in df.dtypes]).encode())
    h.update(repr(list(df.index.names)).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _sidecar(path: Path) -> Path:
    """The checksum file of a frame entry: SHA-256 of the Parquet file's bytes."""
    return path.with_name(path.name + ".sha256")


#: Frames read in this process, by entry and version of the file (:func:`file_stamp`).
_READ: dict[tuple, tuple[pd.DataFrame, dict]] = {}


def write_frame(path, df: pd.DataFrame, meta: dict | None = None,
                compression: str = "snappy") -> Path:
    """Write ``df`` to a Parquet file with its ``attrs`` and ``meta`` (JSON), and the file's
    checksum beside it (``<name>.parquet.sha256``, written last: an entry without it is
    incomplete and never read).

    Raises
    ------
    TypeError, ValueError, pyarrow.ArrowException
        When the frame, its ``attrs`` or ``meta`` cannot be stored as data.
    """
    path = Path(path)
    record = {"format": FORMAT, "attrs": dict(df.attrs), "meta": meta}
    table = pa.Table.from_pandas(df, preserve_index=None)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           META_KEY: json.dumps(record).encode()})
    buf = pa.BufferOutputStream()
    pq.write_table(table, buf, compression=compression)
    body = buf.getvalue().to_pybytes()
    _sidecar(path).unlink(missing_ok=True)
    atomic_write_bytes(path, body)
    atomic_write_bytes(_sidecar(path), hashlib.sha256(body).hexdigest().encode())
    return path


def _record(schema: pa.Schema) -> dict | None:
    try:
        record = json.loads((schema.metadata or {})[META_KEY])
    except (KeyError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def read_frame_meta(path) -> dict | None:
    """The ``meta`` stored with a frame (read from the file's footer only), or None."""
    try:
        record = _record(pq.read_schema(path))
    except (OSError, pa.ArrowException):
        return None
    return None if record is None else (record.get("meta") or {})


def read_frame(path) -> tuple[pd.DataFrame, dict] | None:
    """``(frame, meta)`` from :func:`write_frame`, or None when missing, unreadable or when the
    file does not match its checksum.

    The check is SHA-256 of the file's bytes against the checksum written beside it (a
    damaged, truncated or re-written file does not match). A frame read once in a process is
    kept, by the version of its file, and later reads return a copy of it.
    """
    path = Path(path)
    try:
        stamp = file_stamp(path)
    except OSError:
        return None
    if stamp in _READ:
        return _copied(*_READ[stamp])
    try:
        body = path.read_bytes()
        expected = _sidecar(path).read_text(encoding="ascii").strip()
        if hashlib.sha256(body).hexdigest() != expected:
            return None
        table = pq.read_table(pa.BufferReader(body))
        record = _record(table.schema)
        if record is None:
            return None
        df = table.to_pandas()
    except (OSError, ValueError, pa.ArrowException):
        return None
    df.attrs.clear()
    df.attrs.update(record.get("attrs") or {})
    meta = record.get("meta") or {}
    _READ[stamp] = (df, meta)
    return _copied(df, meta)


def _copied(df: pd.DataFrame, meta: dict) -> tuple[pd.DataFrame, dict]:
    """A copy of a kept frame and its meta that the caller may change freely (copy-on-write
    copies the values only when changed; ``attrs`` and meta are plain data, copied now)."""
    copy = df.copy(deep=False)
    copy.attrs = json.loads(json.dumps(df.attrs))
    return copy, json.loads(json.dumps(meta))


def _canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def write_data(path, data) -> Path:
    """Write plain data (JSON types) with its checksum; TypeError when it is not plain data."""
    body = _canonical(data)
    record = {"format": FORMAT, "checksum": hashlib.sha256(body).hexdigest(),
              "data": json.loads(body)}
    atomic_write_bytes(path, json.dumps(record, sort_keys=True).encode())
    return Path(path)


def read_data(path):
    """The data from :func:`write_data`, or :data:`MISSING` when missing, unreadable or when it
    does not match its checksum."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return MISSING
        data = record["data"]
        if hashlib.sha256(_canonical(data)).hexdigest() != record.get("checksum"):
            return MISSING
    except (OSError, ValueError, KeyError, TypeError):
        return MISSING
    return data


def write_bundle(folder, frames: dict[str, pd.DataFrame], data=None) -> Path:
    """Several frames and some plain data as one entry (a folder); its index is written last,
    so a bundle is complete or absent."""
    folder = Path(folder)
    for name, df in frames.items():
        write_frame(folder / f"{name}.parquet", df)
    write_data(folder / "index.json", {"frames": list(frames), "data": data})
    return folder


def read_bundle(folder) -> tuple[dict[str, pd.DataFrame], Any] | None:
    """``(frames, data)`` from :func:`write_bundle`, or None when any part is missing or does
    not match its checksum."""
    folder = Path(folder)
    index = read_data(folder / "index.json")
    if index is MISSING:
        return None
    frames = {}
    for name in index["frames"]:
        got = read_frame(folder / f"{name}.parquet")
        if got is None:
            return None
        frames[name] = got[0]
    return frames, index["data"]


# --------------------------------------------------------------------------------------------
# Cached calls and reads
# --------------------------------------------------------------------------------------------
REFRESH_ENV = "GPW_REFRESH_CACHE"
"""Set (to any value but '' or '0') by ``--force`` / ``FORCE=1``: every cached result is
computed again and its entry rewritten, so a forced run reads nothing a cache holds."""


def refreshing() -> bool:
    """Whether this run recomputes every cached result (:data:`REFRESH_ENV`)."""
    return os.environ.get(REFRESH_ENV, "").strip() not in ("", "0")


def cached_call(name: str, key_parts: list, fn: Callable, cache_dir: Path = CACHE_DIR, *,
                dump: Callable | None = None, load: Callable | None = None):
    """``fn()``, or its result from an earlier call with the same key.

    For deterministic, expensive computations whose inputs are all in ``key_parts`` (frames,
    arrays, files, parameters; see :func:`cache_key`); the package's code is part of the key.
    Exceptions are not cached.

    Parameters
    ----------
    name : str
        What is computed.
    key_parts : list
        Everything ``fn`` depends on.
    fn : callable
        Computes the result: a DataFrame, plain data (JSON types), or anything ``dump`` turns
        into plain data.
    cache_dir : Path
        Folder of the entries.
    dump, load : callable, optional
        Result -> plain data, and back (e.g. a list of dataclasses to a list of dicts). The
        result returned is always the one ``load`` rebuilds, so a first call and a cached call
        return the same thing.
    """
    key = cache_key(name, key_parts)
    frame_entry = Path(cache_dir) / f"{key}.parquet"
    data_entry = Path(cache_dir) / f"{key}.json"
    if refreshing():
        pass
    elif frame_entry.exists():
        got = read_frame(frame_entry)
        if got is not None:
            return got[0]
    if data_entry.exists() and not refreshing():
        data = read_data(data_entry)
        if data is not MISSING:
            return load(data) if load else data
    result = fn()
    if isinstance(result, pd.DataFrame):
        write_frame(frame_entry, result)
        return result
    data = dump(result) if dump else result
    try:
        write_data(data_entry, data)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cached_call({name!r}): the result is not plain data (JSON types); "
                        "give dump= and load= to convert it") from exc
    data = json.loads(_canonical(data))
    return load(data) if load else data


def cached_read(path, reader: Callable[[Path], pd.DataFrame], version: str = "1",
                cache_dir: Path = CACHE_DIR) -> pd.DataFrame:
    """``reader(path)``, from the cache when the same file was read by the same reader before.

    The key is the file's content, the reader's name and ``version`` and the package's code.
    ``attrs`` set by the reader are kept (``path`` is the file read now). Errors raised by the
    reader are not cached; a frame Parquet cannot hold is returned but not cached.
    """
    path = Path(path)
    if not path.is_file():
        return reader(path)  # the reader raises its own clear error
    name = getattr(reader, "__qualname__", "reader")
    entry = Path(cache_dir) / f"{cache_key(f'{name}-{version}', [path])}.parquet"
    if entry.exists() and not refreshing():
        got = read_frame(entry)
        if got is not None:
            got[0].attrs["path"] = str(path)
            return got[0]
    df = reader(path)
    try:
        write_frame(entry, df)
    except (TypeError, ValueError, pa.ArrowException):
        pass  # not cacheable as data: read again next time
    return df


def as_records(items) -> list[dict]:
    """A list of dataclass instances as a list of dicts (a ``dump`` for :func:`cached_call`)."""
    return [dataclasses.asdict(x) for x in items]
