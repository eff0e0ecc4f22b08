"""The project's own error type.

Every problem with an input file is raised as :class:`InputError`, which names the file, the
row and the column and says what was expected, so the command line can print one clear line
instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path


class GPWorkforceError(Exception):
    """Base class for every error the toolkit raises on purpose."""


class InputError(GPWorkforceError):
    """A problem with an input file.

    Parameters
    ----------
    path : str or Path
        The file being read.
    message : str
        What was wrong and what was expected.
    row : int, optional
        1-based line number in the file (the header is line 1).
    column : str, optional
        Column name as it appears in the file.
    """

    def __init__(self, path, message: str, row: int | None = None, column: str | None = None):
        self.path = str(path)
        self.row = row
        self.column = column
        self.message = message
        where = [Path(self.path).name]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


class ConfigError(GPWorkforceError):
    """A problem with the configuration or a command-line parameter."""
