"""Where every figure comes from: input checksums, parameters, code version, run time.

The report's provenance section is built from :func:`collect`; the same record is written as
JSON beside the report so a reviewer can check it without reading HTML.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.config import ROOT

PACKAGES = ["pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "papermill", "nbconvert",
            "ipykernel", "pyyaml"]


def file_stamp(path) -> tuple:
    """``(resolved path, size, modification time in ns, inode)``: what identifies one version
    of a file within a run (an atomic rewrite changes the inode, an edit the time)."""
    p = Path(path).resolve()
    st = p.stat()
    return str(p), st.st_size, st.st_mtime_ns, st.st_ino


@functools.lru_cache(maxsize=4096)
def _sha256_of(stamp: tuple, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(stamp[0], "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256(path) -> str:
    """Hex SHA-256 of a file, read in chunks; computed once per version of the file in a
    process (:func:`file_stamp`), since a report's chapters checksum the same inputs."""
    return _sha256_of(file_stamp(path))


def relative(path) -> str:
    """Path relative to the project root when inside it (no machine paths in reports)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return p.name


def git_version(root: Path = ROOT) -> str:
    """Short commit hash, with ``+changes`` when the working tree differs; 'unknown' outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root,
                                capture_output=True, text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def package_versions(names=PACKAGES) -> dict[str, str]:
    """Installed versions of the packages the report depends on."""
    out = {"python": platform.python_version(), "gp-workforce": __version__}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = "not installed"
    return out


def collect(inputs: dict[str, Path | None], parameters: dict) -> dict:
    """Provenance record for a run.

    Parameters
    ----------
    inputs : dict
        Input role -> path (None for an input not used).
    parameters : dict
        Run parameters as passed to the notebook.
    """
    files = []
    for role, path in inputs.items():
        if path is None:
            continue
        p = Path(path)
        files.append({"input": role, "file": relative(p), "bytes": p.stat().st_size,
                      "sha256": sha256(p)})
    return {
        "run_time_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "code_version": git_version(),
        "parameters": {k: (relative(v) if isinstance(v, Path) else v)
                       for k, v in parameters.items()},
        "inputs": files,
        "packages": package_versions(),
    }


def inputs_table(record: dict) -> pd.DataFrame:
    """Input files with size and SHA-256, for display."""
    return pd.DataFrame(record["inputs"], columns=["input", "file", "bytes", "sha256"])


def write_json(record: dict, path) -> None:
    """Write the record as JSON (sorted keys, stable layout)."""
    Path(path).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
