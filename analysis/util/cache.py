"""A Parquet cache for parsed inputs, under ``data/processed/cache/``.

Parsing a large CSV (validating every cell) is done once per file content: the cache key is the
file's SHA-256 plus the reader's name and version, so a changed file, or a changed reader, is
parsed again. Entries are written atomically. Delete the folder (``make clean``) to drop them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.config import DATA_PROCESSED

CACHE_DIR = DATA_PROCESSED / "cache"


def cached_read(path, reader: Callable[[Path], pd.DataFrame], version: str = "1",
                cache_dir: Path = CACHE_DIR) -> pd.DataFrame:
    """``reader(path)``, from the cache when the same file was read by the same reader before.

    ``attrs`` set by the reader are kept. Errors raised by the reader are not cached.
    """
    from analysis.report.rendering import atomic_write_bytes
    from analysis.util.provenance import sha256

    path = Path(path)
    if not path.is_file():
        return reader(path)  # the reader raises its own clear error
    name = getattr(reader, "__qualname__", "reader")
    key = f"{name}-{version}-{sha256(path)[:32]}"
    entry = Path(cache_dir) / f"{key}.parquet"
    if entry.exists():
        try:
            df = pd.read_parquet(entry)
            df.attrs["path"] = str(path)
            return df
        except Exception:  # a damaged entry is rebuilt
            entry.unlink(missing_ok=True)
    df = reader(path)
    buf = io.BytesIO()
    try:
        df.to_parquet(buf, index=True)
    except Exception:  # a frame Parquet cannot hold is simply not cached
        return df
    atomic_write_bytes(entry, buf.getvalue())
    return df


def cached_call(name: str, key_parts: list, fn: Callable, cache_dir: Path = CACHE_DIR):
    """``fn()``, or its result from an earlier call with the same key (pickled).

    For deterministic, expensive computations whose inputs are all in ``key_parts`` (arrays,
    frames, parameters). The code of ``analysis`` is part of the key, so a code change
    recomputes. Exceptions are not cached.
    """
    import hashlib
    import pickle

    import numpy as np

    from analysis.util.atomic import atomic_write_bytes

    h = hashlib.sha256(name.encode())
    h.update(_code_version().encode())
    for part in key_parts:
        if isinstance(part, pd.DataFrame | pd.Series):
            h.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
            cols = list(part.columns) if isinstance(part, pd.DataFrame) else [part.name]
            h.update(repr(cols).encode())
        elif isinstance(part, np.ndarray):
            h.update(part.tobytes())
        else:
            h.update(repr(part).encode())
    entry = Path(cache_dir) / f"{name}-{h.hexdigest()[:32]}.pickle"
    if entry.exists():
        try:
            return pickle.loads(entry.read_bytes())
        except Exception:
            entry.unlink(missing_ok=True)
    result = fn()
    atomic_write_bytes(entry, pickle.dumps(result))
    return result


def _code_version() -> str:
    """A hash of the package's source files (changes when any code changes)."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted(Path(__file__).parents[1].rglob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()
