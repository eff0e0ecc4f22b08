"""Atomic file writes: write to a temporary file in the same folder, then rename.

A reader (or a run killed midway) never sees half a file: either the old file or the new one.
:func:`atomic_path` is the one mechanism; :func:`atomic_write_bytes` and :func:`atomic_open` are
its two common uses.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_path(path, mode: int = 0o644) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` when the block ends normally.

    Parameters
    ----------
    path : str or Path
        The file to create or replace (its folder is created when missing).
    mode : int
        Permissions of the finished file.

    Yields
    ------
    Path
        Where to write. On an exception (or interruption) the temporary file is removed and
        ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_open(path, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces ``path`` atomically when the block ends."""
    with atomic_path(path, mode) as tmp, open(tmp, "wb") as fh:
        yield fh


def atomic_write_bytes(path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically, with normal permissions (``mode``)."""
    with atomic_open(path, mode) as fh:
        fh.write(data)


@contextmanager
def exclusive_lock(path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a lock file, created when missing) for the block.

    Concurrent processes that build the same files (two reports started together on a fresh
    clone both building the demo inputs) take turns instead of writing over each other. The
    lock is released when the block ends or the process dies.
    """
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def guarded_swap(folder) -> Iterator[None]:
    """Run a block of renames in ``folder`` whole: one process at a time, never half-done.

    The block holds an exclusive lock on ``folder`` itself (two runs that publish into it at
    once take turns; nothing is created for the lock) and defers SIGINT and SIGTERM until it
    ends, so Ctrl-C between setting the previous report aside and renaming the new one into
    place cannot leave no report. A deferred signal is acted on when the block ends (its
    handler runs then). Signals are deferred in the main thread only, where Python runs them.
    """
    import fcntl
    import signal
    import threading

    pending: list[int] = []
    kinds = (signal.SIGINT, signal.SIGTERM)
    main = threading.current_thread() is threading.main_thread()
    before = {s: signal.signal(s, lambda signum, frame: pending.append(signum))
              for s in kinds} if main else {}
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        finally:
            for s, handler in before.items():
                signal.signal(s, handler)
            if pending:
                handler = before[pending[0]]
                if callable(handler):
                    handler(pending[0], None)
                elif handler == signal.SIG_DFL:
                    signal.raise_signal(pending[0])
