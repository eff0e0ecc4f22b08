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
    from analysis.provenance import sha256
    from analysis.reporting import atomic_write_bytes

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
