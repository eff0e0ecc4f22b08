"""Disclosure control: one switch for every chapter, and the one suppression rule.

Counts derived from staff-level or case-level data that are at least 1 and below the threshold
are suppressed in published reports. The threshold comes from ``report: disclosure:
suppress_below`` in the config; ``make report ... INTERNAL=1`` (environment variable
``GPW_SUPPRESS_BELOW=0``) turns it off for internal use.
"""

from __future__ import annotations

import os

import pandas as pd

from analysis.config import settings
from analysis.util.errors import ConfigError

ENV = "GPW_SUPPRESS_BELOW"


def threshold() -> int:
    """Current threshold: the environment variable if set, else the config; 0 means off."""
    env = os.environ.get(ENV)
    if env is not None and env.strip() != "":
        return max(0, int(env))
    return settings().report.disclosure.suppress_below


_current_threshold = threshold  # the parameter of small_number_suppression hides the name


def mode() -> str:
    """'published' when suppression is on, 'internal' when off."""
    return "published" if threshold() > 0 else "internal"


def small_number_suppression(df, columns, threshold: int | None = None,
                             marker: str | None = None):
    """Hide small headcounts (1 to ``threshold - 1``) before a table leaves the organisation.

    Zero stays zero. This is primary suppression only: a total printed next to suppressed
    cells can reveal one of them, so compute totals over large enough groups or suppress a
    second cell too.

    Parameters
    ----------
    df : DataFrame
        Table of headcounts.
    columns : str or sequence of str
        Columns to check; others are left alone.
    threshold : int, optional
        Smallest count shown; 0 (or 1) turns suppression off. Default :func:`threshold`.
    marker : str, optional
        Text put in suppressed cells (e.g. '*'); by default they become NA, and whole-number
        columns become nullable ``Int64``.

    Returns
    -------
    DataFrame
        A copy. ``attrs['suppressed']`` is the number of cells hidden,
        ``attrs['suppressed_by_column']`` the number per column, ``attrs['suppressed_cells']``
        the (row label, column) pairs, ``attrs['suppression_threshold']`` the threshold.

    Raises
    ------
    ConfigError
        When a column to check is not in the table.
    """
    threshold = _current_threshold() if threshold is None else threshold
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(f"cannot suppress: no column {missing[0]!r} in the table")
    out = df.copy()
    by_col: dict[str, int] = {}
    cells: list[tuple] = []
    for c in columns:
        values = pd.to_numeric(out[c], errors="coerce")
        hide = ((values > 0) & (values < threshold)).fillna(False).astype(bool)
        by_col[c] = int(hide.sum())
        if not hide.any():
            continue
        cells += [(i, c) for i in out.index[hide.to_numpy()]]
        if marker is not None:
            out[c] = out[c].astype(object).mask(hide, marker)
        elif pd.api.types.is_integer_dtype(out[c]):
            out[c] = out[c].astype("Int64").mask(hide)
        else:
            out[c] = values.astype("Float64").mask(hide)
    out.attrs.update({"suppressed": sum(by_col.values()), "suppressed_by_column": by_col,
                      "suppressed_cells": cells, "suppression_threshold": threshold})
    return out


def suppress(df, columns):
    """:func:`small_number_suppression` at the report's current :func:`threshold` (a no-op,
    returning ``df`` itself, when suppression is off)."""
    t = threshold()
    return small_number_suppression(df, columns, threshold=t) if t else df


def suppression_note() -> str:
    """The sentence telling readers which headcounts are hidden ('' when suppression is off)."""
    t = threshold()
    return (f"Headcounts from 1 to {t - 1} are suppressed (shown blank) to protect individuals."
            if t else "")


def unlisted_text(df: pd.DataFrame, column: str, what: str) -> tuple[pd.DataFrame, str]:
    """Text typed into an input that no maintained lookup recognises, made safe to publish.

    Such text can hold anything a practice typed (a name and a date of birth in a role field),
    so in published mode it is never shown verbatim: each value becomes ``<what> 1``,
    ``<what> 2`` ... (the counts beside it stay) and the note says the values are listed only in
    internal mode. In internal mode (suppression off) the frame is returned as it is.

    Returns
    -------
    (DataFrame, str)
        The frame to show and a sentence for its note ('' in internal mode).
    """
    if mode() == "internal" or df.empty:
        return df, ""
    out = df.copy()
    out[column] = [f"{what} {i}" for i in range(1, len(out) + 1)]
    return out, (f"The {what}s themselves are free text from the input files and are shown "
                 "only in internal mode (make report ... INTERNAL=1).")
